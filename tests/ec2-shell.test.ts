/**
 * The fixed shell of the EC2 platform (`shell/ec2-*.sh`) is checked as files: shellcheck on each
 * (the boot-script fragments carry `# shellcheck shell=bash` in their header), `bash -n`, and
 * every boot fragment's body reaches the rendered script unchanged.
 */
import { TEST_DB_WAIT } from './fixtures/ec2/db-wait';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync, spawnSync } from 'child_process';
import { SHELL_DIR } from '../config-templates/shell';
import { fragmentLines, renderBootScript } from '../components/ec2/boot-script';
import { renderRefreshScript } from '../components/ec2/user-data';
import { SHARED_MOUNT, WSO2_UID, processesFor, sharedDirectoriesFor } from '../topology';

const files = fs
  .readdirSync(SHELL_DIR)
  .filter((f) => /^ec2-.*\.sh$/.test(f))
  .sort();

test('the EC2 shell files are there', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'ec2-boot-actions.sh',
      'ec2-boot-configuration.sh',
      'ec2-boot-helpers.sh',
      'ec2-boot-jdbc-driver.sh',
      'ec2-boot-keystores.sh',
      'ec2-boot-shared-fs.sh',
      'ec2-refresh.sh',
    ]),
  );
});

test.each(files)('shellcheck passes on shell/%s as a file', (f) => {
  const file = path.join(SHELL_DIR, f);
  const r = spawnSync('shellcheck', ['--severity=style', file], { encoding: 'utf8' });
  expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: '' });
  execFileSync('bash', ['-n', file]);
});

test('each boot fragment: a comment header, then a body that lands in the boot script as is', () => {
  // is-2: the one node kind whose script holds every fragment (node 1 has no first-start wait).
  const script = renderBootScript({
    nodeId: 'is-2',
    role: 'is',
    flavor: 'sp',
    productHome: '/opt/wso2/is',
    packUrl: 's3://packs/is.zip',
    javaPackage: 'java-11-amazon-corretto-headless',
    jdbcDriverUrl: 'https://example.org/mysql-connector-j.jar',
    jdbcDriverDir: 'repository/components/lib',
    region: 'eu-west-1',
    bucket: 'b',
    keys: { changeSet: 'nodes/is-1/change-set.json', applier: 'nodes/is-1/applier.js' },
    secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:s',
    keysSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:k',
    keyMaterialDigest: 'b'.repeat(64),
    efs: { fileSystemId: 'fs-1', accessPointId: 'fsap-1' },
    sharedMount: SHARED_MOUNT,
    sharedDirectories: sharedDirectoriesFor('sp').filter((d) => d.role === 'is'),
    processes: processesFor('is', 'sp'),
    uid: WSO2_UID,
    dbWait: TEST_DB_WAIT,
    firstStart: { peer: 'is-1', url: 'https://10.0.1.11:9443/carbon/admin/login.jsp', anyStatus: false, timeoutSeconds: 1200, intervalSeconds: 10 },
  });
  for (const f of files.filter((n) => n.startsWith('ec2-boot-'))) {
    const body = fragmentLines(f);
    expect(body.length).toBeGreaterThan(0);
    expect(body[0]).not.toBe('');
    expect(script).toContain(`\n${body.join('\n')}\n`);
    // The header (above the first blank line) stays out of the rendered script.
    expect(script).not.toContain('shellcheck shell=bash');
  }
});

test('the refresh script is the file, whole', () => {
  expect(renderRefreshScript()).toBe(fs.readFileSync(path.join(SHELL_DIR, 'ec2-refresh.sh'), 'utf8'));
});
