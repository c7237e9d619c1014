/**
 * The EC2 boot script run FOR REAL with bash in a sandbox: a temp dir per node stands in for
 * `/` (ROOT), a shared directory for EFS, logging fakes on PATH for dnf/aws/curl/mount/systemctl/
 * useradd/chown; the applier bundle runs for real with node. Checks seeding of the shared trees
 * (and not clobbering them from the second node), symlinks, idempotence on re-run, the applied
 * configuration against the renderers + applier in-process, secrets handling, and shellcheck.
 *
 * The first boots of is-1 and of analytics-1 build their keystores with the real keytool (a JVM
 * per store entry, most of a boot's CPU: once per store kind); the other boots (is-2, the databases
 * wait, the first-start wait, the JDBC driver checksum) unpack a pack that already carries the
 * stores their material asks for (`withKeystores`), so their keystores step finds them current and
 * starts no JVM.
 */
import { caBundlePem } from '../applier/ca-bundles';
import { TEST_DB_WAIT } from './fixtures/ec2/db-wait';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { execFileSync, spawnSync } from 'child_process';
import { renderBootScript, BootScriptParams, FirstStartWait, PRODUCT_HOMES, STATE_DIR, firstStartWait } from '../components/ec2/boot-script';
import { renderRefreshScript } from '../components/ec2/user-data';
import { objectKeys } from '../components/ec2/object-keys';
import { CARBON_HEALTH_PATH, DEFAULT_PORTS, ROLE_NODE_IDS, SHARED_MOUNT, WSO2_UID, jdbcDriverDir, processesFor, sharedDirectoriesFor, NodeId, Role } from '../topology';
import { changeSetPayload, renderNodeChangeSet } from '../config-templates';
import { applierBundle } from '../applier/bundle';
import { applyChangeSet } from '../applier/apply';
import { fillSecrets } from '../applier/secrets';
import { findSecretFiles } from './helpers/files';
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';
import { ADDRESSES, isTestTopology } from './fixtures/is/model';
import { makeSandbox, makeRoot, putS3, runBoot, runBootAsync, treeSums, readTree, zipDir, Sandbox } from './fixtures/ec2/sandbox';
import { fakeKeysSecretArn, withKeystores } from './fixtures/ec2/sandbox';

const REPO = path.resolve(__dirname, '..');
const BUCKET = 'stack-config-bucket';
const SECRETS = {
  // With a line break: the option files escape CR and LF as the client reads them.
  db_password: `App&<>"'$\`\\:#p\r\nw1`,
  admin_password: `Admin&<>"'$\`\\:#pw3`,
  ...STORE_PASSWORDS,
  ...VAULT_CERTIFICATES,
};
const topology = isTestTopology();
/** Each IS node's change set as its bucket object holds it (rendered once: several sandboxes serve it). */
const isChangeSets = new Map(ROLE_NODE_IDS.is.map((id) => [id, changeSetPayload(renderNodeChangeSet(topology, id))]));

function params(id: NodeId, role: Role): BootScriptParams {
  const keys = objectKeys(id);
  return {
    nodeId: id,
    role,
    flavor: 'sp',
    productHome: PRODUCT_HOMES[role],
    packUrl: `s3://packs/${role}.zip`,
    javaPackage: 'java-1.8.0-amazon-corretto-devel',
    jdbcDriverUrl: 'https://repo.example/mysql-connector-java-5.1.49.jar',
    jdbcDriverDir: jdbcDriverDir(role, 'sp'),
    region: 'eu-west-1',
    bucket: BUCKET,
    keys: { changeSet: keys.changeSet, applier: keys.applier },
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-abc123',
    keysSecretArn: fakeKeysSecretArn(id),
    keyMaterialDigest: 'a'.repeat(64),
    efs: { fileSystemId: 'fs-0123456789abcdef0', accessPointId: `fsap-${role}` },
    sharedMount: SHARED_MOUNT,
    sharedDirectories: sharedDirectoriesFor('sp').filter((d) => d.role === role),
    processes: processesFor(role, 'sp'),
    uid: WSO2_UID,
    dbWait: TEST_DB_WAIT,
  };
}


let tmp: string;
let sb: Sandbox;
/** Staged (unzipped) IS pack, for the in-process expectation. */
let isPack: string;

function stageIsPack(dir: string, extra: Record<string, string> = {}): string {
  const top = path.join(dir, 'wso2is-5.8.0');
  fs.cpSync(path.join(REPO, 'tests/fixtures/is/repository'), path.join(top, 'repository'), { recursive: true });
  const files: Record<string, string> = {
    'bin/wso2server.sh': '#!/bin/sh\necho fake IS\n',
    'repository/tenants/README.txt': 'tenant artifacts\n',
    'repository/deployment/server/pack-marker.txt': 'from the pack\n',
    ...extra,
  };
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
    fs.writeFileSync(path.join(top, rel), content, { mode: rel.startsWith('bin/') ? 0o755 : 0o644 });
  }
  return top;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ec2-boot-'));
  sb = makeSandbox(tmp, SECRETS);
  // pack of node 1 (and the reference), pack of node 2 with one file more
  isPack = stageIsPack(path.join(tmp, 'pack1'));
  zipDir(path.join(tmp, 'pack1'), 'wso2is-5.8.0', path.join(tmp, 'is1.zip'));
  // is-1 has built the IS stores with keytool; is-2's pack carries them (see the file comment)
  withKeystores(stageIsPack(path.join(tmp, 'pack2'), { 'repository/deployment/server/only-in-pack-2.txt': 'must not reach EFS\n' }), 'is-2');
  zipDir(path.join(tmp, 'pack2'), 'wso2is-5.8.0', path.join(tmp, 'is2.zip'));
  // pack 1 with the IS nodes' stores already built (the boots that test other steps)
  withKeystores(stageIsPack(path.join(tmp, 'pack-stores')), 'is-1');
  zipDir(path.join(tmp, 'pack-stores'), 'wso2is-5.8.0', STORES_PACK());
  fs.writeFileSync(path.join(sb.http, 'mysql-connector-java-5.1.49.jar'), 'fake jar');
  const applier = applierBundle();
  for (const id of ROLE_NODE_IDS.is) {
    putS3(sb, BUCKET, objectKeys(id).changeSet, isChangeSets.get(id)!);
    putS3(sb, BUCKET, objectKeys(id).applier, applier);
  }
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function boot(id: NodeId, pack: string, env: Record<string, string> = {}): { root: string; status: number; stderr: string } {
  putS3(sb, 'packs', 'is.zip', fs.readFileSync(pack));
  const root = fs.existsSync(path.join(tmp, id)) ? path.join(tmp, id) : makeRoot(sb, id, SHARED_MOUNT);
  const r = runBoot(sb, root, renderBootScript(params(id, 'is')), { FAKE_DB_SEEN: path.join(tmp, 'dbseen'), ...env });
  return { root, ...r };
}

const home = (root: string) => path.join(root, PRODUCT_HOMES.is);
/** Pack 1 with the IS stores of the fixture material in place (see the file comment). */
const STORES_PACK = () => path.join(tmp, 'is-stores.zip');

/**
 * Inode, mtime and ctime (ns) of every file under `dir` (symlinks not followed): a file rewritten,
 * even with the same bytes, or replaced by a rename shows here; so would a placeholder put on disk
 * and filled again a moment later.
 */
function identities(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) {
        const st = fs.lstatSync(path.join(dir, r), { bigint: true });
        out[r] = `${st.ino} ${st.mtimeNs} ${st.ctimeNs}`;
      }
    }
  };
  walk('');
  return out;
}
/** The product home and the shared trees of the IS role (not the seed locks, reopened at each boot). */
const productFiles = (root: string) => ({ home: identities(home(root)), deployment: identities(path.join(sb.efs, 'Deployment')), tenants: identities(path.join(sb.efs, 'Tenants')) });
const calls = () => fs.readFileSync(sb.log, 'utf8');

describe('IS nodes in the sandbox', () => {
  let root1: string;
  let root2: string;

  test('node 1 first boot: installs, seeds the shared trees, links them, applies config, starts the unit', () => {
    // A node whose local time is not UTC (9 hours ahead): the log still stamps UTC.
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const r = boot('is-1', path.join(tmp, 'is1.zip'), { TZ: 'XYZ-9' });
    const t1 = Date.now();
    expect(r).toMatchObject({ status: 0 });
    // The log format: `<UTC time, date -u +%Y-%m-%dT%H:%M:%SZ> wso2-pattern2[<node>]: <message>`.
    const logged = r.stderr.split('\n').filter((l) => l.includes(' wso2-pattern2['));
    expect(logged.length).toBeGreaterThan(10);
    for (const l of logged) {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) wso2-pattern2\[is-1\]: \S/.exec(l);
      expect([l, m !== null]).toEqual([l, true]);
      const at = Date.parse(m![1]);
      expect([l, at >= t0 && at <= t1]).toEqual([l, true]);
    }
    expect(logged[logged.length - 1]).toMatch(/\]: boot script finished$/);
    root1 = r.root;
    // seeded from the pack, marked by node 1
    expect(fs.readFileSync(path.join(sb.efs, 'Deployment/server/pack-marker.txt'), 'utf8')).toBe('from the pack\n');
    expect(fs.readFileSync(path.join(sb.efs, 'Tenants/README.txt'), 'utf8')).toBe('tenant artifacts\n');
    expect(fs.readFileSync(path.join(sb.efs, 'Deployment/.seeded'), 'utf8')).toBe('is-1\n');
    // symlinks, pointing into the mount (not a mount into the product tree)
    for (const [rel, name] of [
      ['repository/deployment', 'Deployment'],
      ['repository/tenants', 'Tenants'],
    ]) {
      const p = path.join(home(root1), rel);
      expect(fs.lstatSync(p).isSymbolicLink()).toBe(true);
      expect(fs.readlinkSync(p)).toBe(path.join(root1, SHARED_MOUNT, name));
    }
    // JDBC driver, fstab (one line, _netdev), unit file
    expect(fs.readFileSync(path.join(home(root1), 'repository/components/lib/mysql-connector-java-5.1.49.jar'), 'utf8')).toBe('fake jar');
    const fstab = fs.readFileSync(path.join(root1, 'etc/fstab'), 'utf8').trim().split('\n');
    expect(fstab).toEqual([`fs-0123456789abcdef0:/ ${SHARED_MOUNT} efs _netdev,noresvport,tls,accesspoint=fsap-is 0 0`]);
    const unit = fs.readFileSync(path.join(root1, 'etc/systemd/system/wso2-is-server.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${home(root1)}/bin/wso2server.sh`);
    expect(unit).toMatch(/^User=wso2$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toContain(`\nRequiresMountsFor=${root1}${SHARED_MOUNT}\n`);
    // external actions went through the fakes
    const log = calls();
    expect(log).toContain('dnf install -y java-1.8.0-amazon-corretto-devel nodejs unzip amazon-efs-utils mariadb105');
    expect(log).toContain(`mount ${root1}${SHARED_MOUNT}`);
    expect(log).toContain('systemctl --no-block restart wso2-is-server.service');
    expect(log).toContain('useradd --system --uid 802');
    // the secrets temp file is gone, and no secret reached a command line
    expect(fs.readdirSync(path.join(root1, STATE_DIR)).filter((f) => f.startsWith('secrets'))).toEqual([]);
    for (const v of Object.values(SECRETS)) expect(log.includes(v)).toBe(false);
    // nor the boot script's own log (stderr, the journal)
    for (const v of Object.values(SECRETS)) expect(r.stderr.includes(v)).toBe(false);
  });

  test('the applied configuration equals the renderers + applier run in-process on the same pack', () => {
    const expected = path.join(tmp, 'expected-is');
    fs.cpSync(isPack, expected, { recursive: true });
    applyChangeSet(expected, renderNodeChangeSet(topology, 'is-1'));
    fillSecrets(expected, findSecretFiles(expected), SECRETS);
    expect(readTree(path.join(home(root1), 'repository/conf'))).toEqual(readTree(path.join(expected, 'repository/conf')));
    const shared = readTree(path.join(sb.efs, 'Deployment'));
    delete shared['.seeded'];
    expect(shared).toEqual(readTree(path.join(expected, 'repository/deployment')));
    // secrets were filled (the applier ran): a placeholder-free datasource file naming the DB host
    const ds = fs.readFileSync(path.join(home(root1), 'repository/conf/datasources/master-datasources.xml'), 'utf8');
    expect(ds).not.toMatch(/@@SECRET:/);
    expect(ds).toContain(topology.db.host);
  });

  test('the databases step waited for the db-init runner\'s record as the node\'s own account, its password only in a 0600 option file removed after', () => {
    const seen = path.join(tmp, 'dbseen');
    const escaped = SECRETS.db_password.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    expect(escaped).toContain('\\r\\n');
    expect(fs.readFileSync(path.join(seen, 'options'), 'utf8')).toBe(`[client]\nuser=wso2\npassword="${escaped}"\n`);
    const args = fs.readFileSync(path.join(seen, 'args'), 'utf8').trim().split('\n');
    const query = `SELECT COUNT(*) FROM WSO2_PATTERN2_META.ec2_db_init_done WHERE script_sha256='${'b'.repeat(64)}'`;
    // The server verified against the RDS bundle the shipped applier wrote out.
    expect(args.slice(1)).toEqual(['--ssl', `--ssl-ca=${path.join(root1, STATE_DIR, 'rds-ca.pem')}`, '--ssl-verify-server-cert', '--connect-timeout=5', '-h', 'db.internal', '-P', '3306', '-N', '-B', '-e', query]);
    expect(fs.readFileSync(path.join(root1, STATE_DIR, 'rds-ca.pem'), 'utf8')).toBe(caBundlePem('rds'));
    const optionFile = args[0].replace(/^--defaults-extra-file=/, '');
    expect(path.dirname(optionFile)).toBe(path.join(root1, STATE_DIR));
    expect(fs.existsSync(optionFile)).toBe(false);
    expect(fs.readdirSync(path.join(root1, STATE_DIR)).filter((f) => /^(db|secrets|keys)\./.test(f))).toEqual([]);
  });

  test('without the runner\'s record the databases step gives up after its bound and the product is not (re)started', () => {
    // Node 1 booted again (the step is the same on a first boot): its unit is there to restart.
    const root = root1;
    const answer = path.join(tmp, 'db-answer');
    fs.writeFileSync(answer, '0\n');
    const restarts = () => calls().split('\n').filter((l) => l.includes('--no-block restart')).length;
    const r0 = restarts();
    const refused = 'ERROR 2026 (HY000): SSL connection error: certificate verify failed';
    // A short bound and interval (sleep takes fractions): the step asks several times, then gives up.
    // The bound is 2: bash's SECONDS counts whole seconds, so a bound of 1 may pass during the first
    // query and leave no wait to see.
    const dbWait = { ...TEST_DB_WAIT, timeoutSeconds: 2, intervalSeconds: 0.2 };
    const r = runBoot(sb, root, renderBootScript({ ...params('is-1', 'is'), dbWait }), { FAKE_DB_ANSWER: answer, FAKE_DB_ERROR: refused });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`the db-init runner has not recorded script ${'b'.repeat(64)} within 2s`);
    expect(r.stderr.split('databases: waiting for the db-init runner').length - 1).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toContain(`last client error: ${refused}`);
    expect(restarts()).toBe(r0);
    expect(fs.readdirSync(path.join(root, STATE_DIR)).filter((f) => /^(db|secrets|keys)\./.test(f))).toEqual([]);
  });

  test('node 2 first boot does not clobber what node 1 put on the shared trees', () => {
    fs.writeFileSync(path.join(sb.efs, 'Deployment/server/node1-artifact.txt'), 'deployed on is-1\n');
    const shared = identities(path.join(sb.efs, 'Deployment'));
    const r = boot('is-2', path.join(tmp, 'is2.zip'));
    expect(r).toMatchObject({ status: 0 });
    // is-2 applies the same shared changes is-1 did (filled publishers included) and so replaces
    // none of them: is-1, running, never sees one change, let alone with a placeholder in it.
    expect(identities(path.join(sb.efs, 'Deployment'))).toEqual(shared);
    root2 = r.root;
    expect(fs.readFileSync(path.join(sb.efs, 'Deployment/server/node1-artifact.txt'), 'utf8')).toBe('deployed on is-1\n');
    expect(fs.existsSync(path.join(sb.efs, 'Deployment/server/only-in-pack-2.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(sb.efs, 'Deployment/.seeded'), 'utf8')).toBe('is-1\n');
    expect(fs.readlinkSync(path.join(home(root2), 'repository/deployment'))).toBe(path.join(root2, SHARED_MOUNT, 'Deployment'));
    // node 2's own pack copy is kept aside, not merged
    expect(fs.existsSync(path.join(home(root2), 'repository/deployment.pack/server/only-in-pack-2.txt'))).toBe(true);
  });

  test('a reboot (re-run) changes nothing and downloads nothing again', () => {
    const before = [...treeSums(root1), ...treeSums(sb.efs)];
    const files = productFiles(root1);
    // The files that hold a secret (the shared event publishers among them) are the point.
    // Secure Vault: the product files hold aliases; the ciphertexts are in cipher-text.properties.
    const filled = ['repository/conf/security/cipher-text.properties'];
    const publishers = Object.keys(files.deployment).filter((f) => f.startsWith('server/eventpublishers/'));
    expect(publishers.length).toBeGreaterThanOrEqual(4);
    for (const f of [...filled.map((x) => path.join(home(root1), x)), ...publishers.map((x) => path.join(sb.efs, 'Deployment', x))]) {
      expect([f, fs.statSync(f).mode & 0o777]).toEqual([f, 0o600]);
    }
    const packFetches = () => calls().split('\n').filter((l) => l.includes('s3://packs/')).length;
    const jarFetches = () => calls().split('\n').filter((l) => l.startsWith('curl')).length;
    const [p0, j0] = [packFetches(), jarFetches()];
    const r = runBoot(sb, root1, renderBootScript(params('is-1', 'is')), { FAKE_DB_SEEN: path.join(tmp, 'dbseen') });
    expect(r).toMatchObject({ status: 0 });
    expect([...treeSums(root1), ...treeSums(sb.efs)]).toEqual(before);
    // Not one file written again: same inode, mtime and ctime, so no moment with a placeholder.
    expect(productFiles(root1)).toEqual(files);
    expect([packFetches(), jarFetches()]).toEqual([p0, j0]);
    expect(fs.readFileSync(path.join(root1, 'etc/fstab'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('a failure stops the script (set -e) before anything is configured', () => {
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    makeRoot(sb, 'broken', SHARED_MOUNT);
    // no pack in the fake S3 under this URL: the install step fails
    const p = { ...params('is-1', 'is'), packUrl: 's3://packs/missing.zip' };
    const r = runBoot(sb, broken, renderBootScript(p), { FAKE_DB_SEEN: path.join(tmp, 'dbseen') });
    expect(r.status).not.toBe(0);
    expect(fs.existsSync(path.join(broken, PRODUCT_HOMES.is, 'repository/conf'))).toBe(false);
  });
});

describe('first start on a fresh stack: is-2 waits for is-1 (stand-in health endpoint on 127.0.0.1)', () => {
  /** What the stand-in answers, and the paths it was asked for. */
  let answer = 503;
  let asked: string[] = [];
  let server: https.Server;
  let port: number;
  const sandboxes: Record<string, Sandbox> = {};

  /** A sandbox of its own (its own EFS: nothing recorded there yet) with the IS objects in its S3. */
  function freshStack(name: string): Sandbox {
    const s = makeSandbox(path.join(tmp, name), SECRETS);
    putS3(s, 'packs', 'is.zip', fs.readFileSync(STORES_PACK()));
    for (const id of ROLE_NODE_IDS.is) {
      putS3(s, BUCKET, objectKeys(id).changeSet, isChangeSets.get(id)!);
      putS3(s, BUCKET, objectKeys(id).applier, applierBundle());
    }
    fs.writeFileSync(path.join(s.http, 'mysql-connector-java-5.1.49.jar'), 'fake jar');
    return s;
  }
  /** is-2's wait as the platform renders it, from a model whose is-1 is the stand-in. */
  const wait = (timing: Pick<FirstStartWait, 'timeoutSeconds' | 'intervalSeconds'>): FirstStartWait => {
    const t = isTestTopology({ addresses: { ...ADDRESSES, 'is-1': '127.0.0.1' }, ports: { ...DEFAULT_PORTS, isHttps: port } });
    return firstStartWait(t, 'is-2', 'sp', timing)!;
  };
  function bootIs2(s: Sandbox, rootName: string, w: FirstStartWait) {
    const root = fs.existsSync(path.join(s.dir, rootName)) ? path.join(s.dir, rootName) : makeRoot(s, rootName, SHARED_MOUNT);
    // Local time 9 hours ahead of UTC: what the node records is UTC all the same.
    const run = runBootAsync(s, root, renderBootScript({ ...params('is-2', 'is'), firstStart: w }), { FAKE_DB_SEEN: path.join(tmp, 'dbseen'), TZ: 'XYZ-9' });
    return { root, ...run };
  }
  const started = (s: Sandbox) => (fs.existsSync(s.log) ? fs.readFileSync(s.log, 'utf8') : '').includes('systemctl --no-block restart wso2-is-server.service');
  async function until(cond: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    // Any certificate does (the probe does not verify the peer's): the fixture leaf's.
    const keys = path.join(REPO, 'tests/fixtures/keys');
    server = https.createServer({ key: fs.readFileSync(path.join(keys, 'leaf.key.pem')), cert: fs.readFileSync(path.join(keys, 'leaf.cert.pem')) }, (req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(answer).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    sandboxes.a = freshStack('fresh-a');
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
  });

  test('the wait the platform renders: is-1 at its model address, Carbon health path, only 200 counts', () => {
    expect(wait({ timeoutSeconds: 5, intervalSeconds: 1 })).toEqual({
      peer: 'is-1',
      url: `https://127.0.0.1:${port}${CARBON_HEALTH_PATH}`,
      anyStatus: false,
      timeoutSeconds: 5,
      intervalSeconds: 1,
    });
  });

  test('while is-1 answers 503 is-2 waits and starts nothing; on 200 it starts', async () => {
    answer = 503;
    asked = [];
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const run = bootIs2(sandboxes.a, 'is-2', wait({ timeoutSeconds: 90, intervalSeconds: 1 }));
    // Asked twice (a second apart) without starting: it waits.
    await until(() => asked.length >= 2 || !run.running(), 60000);
    expect(run.running()).toBe(true);
    expect(started(sandboxes.a)).toBe(false);
    // Configured meanwhile: the wait comes after the configuration and db-init steps.
    expect(fs.existsSync(path.join(run.root, PRODUCT_HOMES.is, 'repository/conf/hazelcast.properties'))).toBe(true);
    answer = 200;
    const r = await run.done;
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/waiting up to 90s for is-1 to finish its first start \(https:\/\/127\.0\.0\.1:\d+\/carbon\/admin\/login\.jsp\)/);
    expect(r.stderr).toMatch(/is-1 answered 200 after \d+s; starting/);
    expect(started(sandboxes.a)).toBe(true);
    expect(new Set(asked)).toEqual(new Set([CARBON_HEALTH_PATH]));
    expect(fs.readFileSync(path.join(run.root, STATE_DIR, 'first-start.done'), 'utf8')).toBe('is-2\n');
    const seen = /^is-2 saw is-1 up at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\n$/.exec(fs.readFileSync(path.join(sandboxes.a.efs, '.first-start.done'), 'utf8'));
    expect(seen).not.toBeNull();
    expect(Date.parse(seen![1])).toBeGreaterThanOrEqual(t0);
    expect(Date.parse(seen![1])).toBeLessThanOrEqual(Date.now());
  });

  test('a second boot of is-2 does not wait, even with is-1 down', async () => {
    answer = 503;
    asked = [];
    const r = await bootIs2(sandboxes.a, 'is-2', wait({ timeoutSeconds: 90, intervalSeconds: 1 })).done;
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('this node started its product before; not waiting for is-1');
    expect(asked).toEqual([]);
  });

  test('a replaced is-2 (fresh disk) does not wait for a down is-1 once a first start is recorded on the shared file system', async () => {
    answer = 503;
    asked = [];
    const r = await bootIs2(sandboxes.a, 'is-2-replaced', wait({ timeoutSeconds: 90, intervalSeconds: 1 })).done;
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('a first start of this role is recorded on the shared file system; not waiting for is-1');
    expect(asked).toEqual([]);
  });

  test('bounded: is-1 never up on a fresh stack, is-2 starts anyway after the timeout and says so', async () => {
    const s = freshStack('fresh-b');
    answer = 503;
    asked = [];
    const t0 = Date.now();
    // 2 s, not 1: bash's SECONDS counts whole seconds, so a bound of 1 may pass during the first probe.
    const r = await bootIs2(s, 'is-2', wait({ timeoutSeconds: 2, intervalSeconds: 1 })).done;
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('WARNING: is-1 did not finish its first start within 2s (last answer: 503); starting anyway');
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(started(s)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(60000);
    // Nobody saw is-1 up: nothing recorded for the role; this node's own start is.
    expect(fs.existsSync(path.join(s.efs, '.first-start.done'))).toBe(false);
    expect(fs.existsSync(path.join(s.dir, 'is-2', STATE_DIR, 'first-start.done'))).toBe(true);
  });

  test('a process without a health path (the SP worker): any HTTP answer means up', async () => {
    const s = freshStack('fresh-c');
    answer = 404;
    asked = [];
    const r = await bootIs2(s, 'is-2', { ...wait({ timeoutSeconds: 30, intervalSeconds: 1 }), anyStatus: true }).done;
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/is-1 answered 404 after \d+s; starting/);
    expect(asked).toHaveLength(1);
  });
});

describe('JDBC driver checksum (jdbcDriver.sha256)', () => {
  // Its own jar name, so the other tests' downloads and counts are not disturbed.
  const JAR = 'checked-driver-1.0.jar';
  const URL = `https://repo.example/${JAR}`;
  const sha = (b: string) => crypto.createHash('sha256').update(b).digest('hex');
  const serve = (content: string) => fs.writeFileSync(path.join(sb.http, JAR), content);
  const fetches = () => (fs.existsSync(sb.log) ? calls() : '').split('\n').filter((l) => l.startsWith('curl') && l.includes(URL)).length;
  function bootWith(name: string, sha256: string | undefined): { root: string; status: number; stderr: string } {
    putS3(sb, 'packs', 'is.zip', fs.readFileSync(STORES_PACK()));
    const root = fs.existsSync(path.join(tmp, name)) ? path.join(tmp, name) : makeRoot(sb, name, SHARED_MOUNT);
    const p = { ...params('is-1', 'is'), jdbcDriverUrl: URL, jdbcDriverSha256: sha256 };
    return { root, ...runBoot(sb, root, renderBootScript(p), { FAKE_DB_SEEN: path.join(tmp, 'dbseen') }) };
  }
  const driverOf = (root: string) => path.join(home(root), jdbcDriverDir('is', 'sp'), JAR);
  const leftovers = (root: string) => fs.readdirSync(path.dirname(driverOf(root))).filter((f) => f.startsWith(JAR));

  test('the right checksum installs the jar; a re-run with it downloads nothing', () => {
    serve('jar v1');
    const n0 = fetches();
    const r = bootWith('sum-ok', sha('jar v1'));
    expect([r.status, r.stderr]).toEqual([0, expect.stringContaining('(SHA-256 verified)')]);
    expect(fs.readFileSync(driverOf(r.root), 'utf8')).toBe('jar v1');
    expect(leftovers(r.root)).toEqual([JAR]);
    expect(fetches()).toBe(n0 + 1);
    expect(bootWith('sum-ok', sha('jar v1')).status).toBe(0);
    expect(fetches()).toBe(n0 + 1);
  });

  test('a wrong checksum fails the boot before anything is configured and leaves no driver', () => {
    serve('jar v1');
    const wrong = sha('some other jar');
    const r = bootWith('sum-bad', wrong);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`the SHA-256 of ${URL} is not ${wrong}`);
    expect(leftovers(r.root)).toEqual([]); // neither the jar nor its .part file
    // Stopped at the driver: the product is installed, its configuration step never ran.
    expect(fs.existsSync(path.join(home(r.root), 'bin/wso2server.sh'))).toBe(true);
    expect(fs.existsSync(path.join(r.root, STATE_DIR, 'change-set.json'))).toBe(false);
  });

  test('a changed checksum is not ignored: the jar in place is checked again and fetched anew', () => {
    // The node of the first test, its v1 jar installed and checked (a fresh install with the
    // right checksum is that test's).
    const root = path.join(tmp, 'sum-ok');
    expect(fs.readFileSync(driverOf(root), 'utf8')).toBe('jar v1');
    const n0 = fetches();
    // The stack now pins another release of the jar, served under the same URL.
    serve('jar v2');
    const r2 = bootWith('sum-ok', sha('jar v2'));
    expect(r2.status).toBe(0);
    expect(fetches()).toBe(n0 + 1);
    expect(fs.readFileSync(driverOf(root), 'utf8')).toBe('jar v2');
    // Pinned back to v1 while the URL still serves v2: the old jar is removed, the boot fails.
    const r3 = bootWith('sum-ok', sha('jar v1'));
    expect(r3.status).not.toBe(0);
    expect(leftovers(root)).toEqual([]);
  });
});

describe('analytics node in the sandbox', () => {
  test('siddhi-files shared and linked; worker and dashboard units', () => {
    const top = path.join(tmp, 'anpack', 'wso2is-analytics-5.8.0');
    fs.cpSync(path.join(REPO, 'tests/fixtures/analytics/conf'), path.join(top, 'conf'), { recursive: true });
    // The start scripts whose trust-store lines the change set edits.
    fs.cpSync(path.join(REPO, 'tests/fixtures/analytics/wso2'), path.join(top, 'wso2'), { recursive: true });
    for (const [rel, c] of Object.entries({
      'bin/worker.sh': '#!/bin/sh\n',
      'bin/dashboard.sh': '#!/bin/sh\n',
      'wso2/worker/deployment/siddhi-files/IS_ANALYTICS.siddhi': '@App:name("x")\n',
    })) {
      fs.mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
      fs.writeFileSync(path.join(top, rel), c, { mode: 0o755 });
    }
    zipDir(path.join(tmp, 'anpack'), 'wso2is-analytics-5.8.0', path.join(tmp, 'an.zip'));
    putS3(sb, 'packs', 'analytics.zip', fs.readFileSync(path.join(tmp, 'an.zip')));
    const keys = objectKeys('analytics-1');
    putS3(sb, BUCKET, keys.changeSet, changeSetPayload(renderNodeChangeSet(topology, 'analytics-1')));
    putS3(sb, BUCKET, keys.applier, applierBundle());
    const root = makeRoot(sb, 'analytics-1', SHARED_MOUNT);
    const r = runBoot(sb, root, renderBootScript(params('analytics-1', 'analytics')), { FAKE_DB_SEEN: path.join(tmp, 'dbseen') });
    expect(r).toMatchObject({ status: 0 });
    const ahome = path.join(root, PRODUCT_HOMES.analytics);
    expect(fs.readlinkSync(path.join(ahome, 'wso2/worker/deployment/siddhi-files'))).toBe(path.join(root, SHARED_MOUNT, 'siddhi-files'));
    expect(fs.existsSync(path.join(sb.efs, 'siddhi-files/IS_ANALYTICS.siddhi'))).toBe(true);
    expect(fs.existsSync(path.join(ahome, 'lib/mysql-connector-java-5.1.49.jar'))).toBe(true);
    const wrapper = path.join(root, 'usr/local/libexec/wso2-pattern2/vault-start.sh');
    expect(fs.readFileSync(wrapper, 'utf8')).toBe(fs.readFileSync(path.join(REPO, 'shell/ec2-vault-start.sh'), 'utf8'));
    expect(fs.statSync(wrapper).mode & 0o777).toBe(0o755);
    for (const [unit, cmd] of [
      ['wso2-analytics-worker.service', 'bin/worker.sh'],
      ['wso2-analytics-dashboard.service', 'bin/dashboard.sh'],
    ]) {
      // Through the vault start wrapper: the Secure Vault master keys in the product's environment only.
      const unitText = fs.readFileSync(path.join(root, 'etc/systemd/system', unit), 'utf8');
      expect(unitText).toContain(`ExecStart=/bin/bash ${wrapper} ${ahome}/${cmd}`);
      expect(unitText).toMatch(/^Environment=PATTERN2_SECRET_ARN=arn:\S+$/m);
      expect(unitText).not.toMatch(/keyStorePassword|privateKeyPassword/);
      expect(calls()).toContain(`systemctl --no-block restart ${unit}`);
    }
    // the worker configuration is the renderer's (applied for real by the bundle)
    const expected = path.join(tmp, 'expected-an');
    fs.cpSync(top, expected, { recursive: true });
    applyChangeSet(expected, renderNodeChangeSet(topology, 'analytics-1'));
    // The node's applier also has its TLS certificate (apply --material): the analytics vault's key.
    const tlsCertificate = fs.readFileSync(path.join(REPO, 'tests/fixtures/keys/leaf.cert.pem'), 'utf8');
    fillSecrets(expected, findSecretFiles(expected), { ...SECRETS, tls_certificate: tlsCertificate });
    // No password in clear in the analytics configuration the node wrote, only vault references.
    for (const r of ['worker', 'dashboard']) {
      const text = fs.readFileSync(path.join(ahome, `conf/${r}/deployment.yaml`), 'utf8');
      for (const v of Object.values(SECRETS)) expect(text).not.toContain(v);
      expect(text).toContain('${sec:db_password}');
      expect(fs.readFileSync(path.join(ahome, `conf/${r}/secrets.properties`), 'utf8')).toMatch(/^db_password=cipherText [A-Za-z0-9+/]+=*$/m);
    }
    expect(readTree(path.join(ahome, 'conf'))).toEqual(readTree(path.join(expected, 'conf')));
  });
});

test('shellcheck passes on the boot scripts and the refresh script', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec2-sc-'));
  try {
    const files = [
      ['is.sh', renderBootScript(params('is-1', 'is'))],
      ['is-2.sh', renderBootScript({ ...params('is-2', 'is'), firstStart: firstStartWait(topology, 'is-2', 'sp') })],
      ['analytics.sh', renderBootScript({ ...params('analytics-2', 'analytics'), firstStart: firstStartWait(topology, 'analytics-2', 'sp') })],
      ['das.sh', renderBootScript({ ...params('analytics-1', 'analytics'), flavor: 'das', homeLink: '/opt/wso2/analytics-home', processes: processesFor('analytics', 'das') })],
      ['refresh.sh', renderRefreshScript()],
    ].map(([n, c]) => {
      fs.writeFileSync(path.join(dir, n), c);
      return path.join(dir, n);
    });
    const r = spawnSync('shellcheck', ['--severity=style', ...files], { encoding: 'utf8' });
    expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: '' });
    for (const f of files) execFileSync('bash', ['-n', f]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
