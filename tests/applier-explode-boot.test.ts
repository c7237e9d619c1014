/**
 * The EC2 boot script with a pack that ships the gadget server as shindig.war (as IS 5.x packs
 * do): both IS nodes boot AT ONCE in the sandbox of tests/fixtures/ec2 (real bash, flock, the
 * bundled applier; fakes for dnf/aws/mount/...). The boot script applies the change set outside
 * the seed lock, so the two appliers race on the shared Deployment tree: both must succeed, the
 * war must be unpacked once, parked, and its web.xml patched. The pack carries the stores of the
 * nodes' key material (`withKeystores`): the keystores step, no part of this race, starts no JVM
 * (tests/boot.test.ts builds them for real).
 */
import { TEST_DB_WAIT } from './fixtures/ec2/db-wait';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applierBundle } from '../applier/bundle';
import { applyChangeSet } from '../applier/apply';
import { BootScriptParams, PRODUCT_HOMES, renderBootScript } from '../components/ec2/boot-script';
import { objectKeys } from '../components/ec2/object-keys';
import { changeSetPayload, renderNodeChangeSet } from '../config-templates';
import { SHINDIG_DIR, SHINDIG_WAR, SHINDIG_WEB_XML, renderShindigExplode } from '../config-templates/is/proxy';
import { NodeId, ROLE_NODE_IDS, SHARED_MOUNT, WSO2_UID, jdbcDriverDir, processesFor, sharedDirectoriesFor } from '../topology';
import { IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';
import { Sandbox, makeRoot, makeSandbox, putS3, sandboxEnv, zipDir } from './fixtures/ec2/sandbox';
import { fakeKeysSecretArn, withKeystores } from './fixtures/ec2/sandbox';
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';

const BUCKET = 'stack-config-bucket';
const SECRETS = { db_password: 'app-pw-1', db_master_password: 'master-pw-2', admin_password: 'admin-pw-3', ...STORE_PASSWORDS, ...VAULT_CERTIFICATES };
const topology = isTestTopology();
const DEPLOYMENT = 'repository/deployment/';

function params(id: NodeId): BootScriptParams {
  const keys = objectKeys(id);
  return {
    nodeId: id,
    role: 'is',
    flavor: 'sp',
    productHome: PRODUCT_HOMES.is,
    packUrl: 's3://packs/is.zip',
    javaPackage: 'java-1.8.0-amazon-corretto-devel',
    jdbcDriverUrl: 'https://repo.example/mysql-connector-java-5.1.49.jar',
    jdbcDriverDir: jdbcDriverDir('is', 'sp'),
    region: 'eu-west-1',
    bucket: BUCKET,
    keys: { changeSet: keys.changeSet, applier: keys.applier },
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-abc123',
    keysSecretArn: fakeKeysSecretArn(id),
    keyMaterialDigest: 'a'.repeat(64),
    efs: { fileSystemId: 'fs-0123456789abcdef0', accessPointId: 'fsap-is' },
    sharedMount: SHARED_MOUNT,
    sharedDirectories: sharedDirectoriesFor('sp').filter((d) => d.role === 'is'),
    processes: processesFor('is', 'sp'),
    uid: WSO2_UID,
    dbWait: TEST_DB_WAIT,
  };
}

/** runBoot of the sandbox, but asynchronous, so two nodes boot at the same time. */
function bootAsync(sb: Sandbox, root: string, id: NodeId): Promise<{ status: number | null; stderr: string }> {
  const file = path.join(sb.dir, `boot-${id}.sh`);
  fs.writeFileSync(file, renderBootScript(params(id)), { mode: 0o755 });
  return new Promise((resolve) => {
    const p = spawn('bash', [file], {
      env: sandboxEnv(sb, root),
    });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stderr }));
  });
}

let tmp: string;
let sb: Sandbox;
/** The unzipped pack, with shindig as a war. */
let pack: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'explode-boot-'));
  sb = makeSandbox(tmp, SECRETS);
  pack = path.join(tmp, 'pack', 'wso2is-5.8.0');
  fs.cpSync(path.join(IS_FIXTURE_HOME, 'repository'), path.join(pack, 'repository'), { recursive: true });
  fs.rmSync(path.join(pack, SHINDIG_DIR), { recursive: true });
  // The war: the fixture app plus enough files that the two unpacks overlap in time.
  const app = path.join(tmp, 'shindig-src');
  fs.cpSync(path.join(IS_FIXTURE_HOME, SHINDIG_DIR), app, { recursive: true });
  for (let i = 0; i < 200; i++) {
    fs.mkdirSync(path.join(app, `features/f${i % 8}`), { recursive: true });
    fs.writeFileSync(path.join(app, `features/f${i % 8}/feature${i}.xml`), `<feature id="${i}">${'x'.repeat(2000)}</feature>\n`);
  }
  // A war has the app at its root (no top directory).
  execFileSync('zip', ['-qr', path.join(pack, SHINDIG_WAR), '.'], { cwd: app });
  fs.mkdirSync(path.join(pack, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(pack, 'bin/wso2server.sh'), '#!/bin/sh\necho fake IS\n', { mode: 0o755 });
  fs.mkdirSync(path.join(pack, 'repository/tenants'), { recursive: true });
  fs.writeFileSync(path.join(pack, 'repository/tenants/README.txt'), 'tenant artifacts\n');
  withKeystores(pack, 'is-1');
  zipDir(path.join(tmp, 'pack'), 'wso2is-5.8.0', path.join(tmp, 'is.zip'));
  putS3(sb, 'packs', 'is.zip', fs.readFileSync(path.join(tmp, 'is.zip')));
  fs.writeFileSync(path.join(sb.http, 'mysql-connector-java-5.1.49.jar'), 'fake jar');
  const applier = applierBundle();
  for (const id of ROLE_NODE_IDS.is) {
    putS3(sb, BUCKET, objectKeys(id).changeSet, changeSetPayload(renderNodeChangeSet(topology, id)));
    putS3(sb, BUCKET, objectKeys(id).applier, applier);
  }
  putS3(sb, BUCKET, 'shared/db-init.sh', '#!/bin/bash\nexit 0\n');
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('both IS nodes boot at once from a pack with shindig.war: both succeed, unpacked once, parked, web.xml patched', async () => {
  const roots = ROLE_NODE_IDS.is.map((id) => makeRoot(sb, id, SHARED_MOUNT));
  const [a, b] = await Promise.all([bootAsync(sb, roots[0], 'is-1'), bootAsync(sb, roots[1], 'is-2')]);
  // stderr only on failure (the boot script logs every step there).
  expect([a.status, b.status, a.status ? a.stderr : '', b.status ? b.stderr : '']).toEqual([0, 0, '', '']);
  const shared = path.join(sb.efs, 'Deployment');
  const rel = (p: string) => p.slice(DEPLOYMENT.length);
  expect(fs.existsSync(path.join(shared, rel(SHINDIG_WAR)))).toBe(false);
  expect(fs.readdirSync(path.join(shared, path.dirname(rel(renderShindigExplode().parkAs))))).toEqual(['shindig.war']);
  expect(fs.readdirSync(path.join(shared, 'server/webapps')).sort()).toEqual(['shindig']);
  // The same web.xml the renderers + applier give in-process on the already unpacked fixture.
  const expected = path.join(tmp, 'expected');
  fs.cpSync(IS_FIXTURE_HOME, expected, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  applyChangeSet(expected, renderNodeChangeSet(topology, 'is-1'));
  expect(fs.readFileSync(path.join(shared, rel(SHINDIG_WEB_XML)), 'utf8')).toBe(fs.readFileSync(path.join(expected, SHINDIG_WEB_XML), 'utf8'));
  expect(fs.readFileSync(path.join(shared, rel(SHINDIG_DIR), 'features/f3/feature195.xml'), 'utf8')).toContain('<feature id="195">');
  // Each node's product home reaches it through its Deployment symlink.
  for (const root of roots) {
    expect(fs.readFileSync(path.join(root, PRODUCT_HOMES.is, SHINDIG_WEB_XML), 'utf8')).toContain(`shindig.host=${topology.hostname}`);
  }
});
