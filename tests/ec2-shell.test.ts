/**
 * The fixed shell of the EC2 platform (`shell/ec2-*.sh`) is checked as files: shellcheck on each
 * (the boot-script fragments carry `# shellcheck shell=bash` in their header), `bash -n`, and
 * every boot fragment's body reaches the rendered script unchanged.
 */
import { TEST_DB_WAIT } from './fixtures/ec2/db-wait';
import * as fs from 'fs';
import * as os from 'os';
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

test('write_if_changed: writes a new or different text whole with its mode, leaves an equal one alone (status 1), and ends the boot on a NUL in its input or a file it cannot write', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-wic-'));
  try {
    fs.writeFileSync(path.join(dir, 'no-newline'), 'a\nb');
    fs.writeFileSync(path.join(dir, 'nul'), 'a\0b\n');
    // One bash for every case: each prints its name and status; the helpers need log's NODE_ID.
    const script = [
      'set -u',
      'NODE_ID=t',
      `. ${JSON.stringify(path.join(SHELL_DIR, 'ec2-boot-helpers.sh'))}`,
      'try() { local name=$1; shift; ( "$@" ); echo "$name $?"; }',
      "try new write_if_changed new 0640 <<'T'\nline one\n\n  indented \\ $HOME\nT",
      "try same write_if_changed new 0640 <<'T'\nline one\n\n  indented \\ $HOME\nT",
      "try other write_if_changed new 0600 <<'T'\nline two\nT",
      "try no-newline write_if_changed no-newline 0644 <<'T'\na\nbT_NEVER\nT",
      "try nul write_if_changed nul 0644 <<'T'\na\nT",
      "try nul-in-input write_if_changed never 0644 < <(printf 'a\\0b')",
      'try no-dir write_if_changed missing-dir/f 0644 <<< x',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['new 0', 'same 1', 'other 0', 'no-newline 0', 'nul 0', 'nul-in-input 1', 'no-dir 1']);
    expect(r.stderr).toMatch(/ERROR: write_if_changed never: the text holds a NUL byte/);
    expect(r.stderr).toMatch(/ERROR: cannot create a temporary file beside missing-dir\/f/);
    expect(fs.readFileSync(path.join(dir, 'new'), 'utf8')).toBe('line two\n');
    expect(fs.statSync(path.join(dir, 'new')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'no-newline'), 'utf8')).toBe('a\nbT_NEVER\n');
    expect(fs.readFileSync(path.join(dir, 'nul'), 'utf8')).toBe('a\n');
    // Nothing else: no temporary file left behind, no file for the refused input.
    expect(fs.readdirSync(dir).sort()).toEqual(['new', 'no-newline', 'nul']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('write_if_changed leaves an equal file untouched (same inode and mtime) and writes the first text with the mode asked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-wic-'));
  try {
    const f = path.join(dir, 'unit');
    const run = () =>
      spawnSync('bash', ['-c', `NODE_ID=t; . ${JSON.stringify(path.join(SHELL_DIR, 'ec2-boot-helpers.sh'))}; write_if_changed unit 0750 <<'T'\nx\nT\necho $?`], { cwd: dir, encoding: 'utf8' });
    expect(run().stdout).toBe('0\n');
    expect(fs.statSync(f).mode & 0o777).toBe(0o750);
    const before = fs.statSync(f);
    fs.utimesSync(f, 1_000_000, 1_000_000);
    expect(run().stdout).toBe('1\n');
    const after = fs.statSync(f);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, 1_000_000_000]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
