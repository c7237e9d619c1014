/**
 * The pod scripts run for real with `sh` against a fake product home, stage and shared volume in a
 * temp dir (the mount paths are swapped for temp paths): staging, seeding without clobbering,
 * symlinking the shared trees, copying node-local staged files; and an IS pod's whole init
 * sequence with the bundled applier editing the shared tree in place (two pods, one after the
 * other and at once).
 */
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { APPLIER_FILE, MOUNTS, SECRETS_FILE, editedPaths } from '../components/kubernetes/paths';
import { changeSetFileName, keyMaterialFileName } from '../components/kubernetes/names';
import { applyScript, driverFetchScript, seedScript, stageScript, startScript } from '../components/kubernetes/scripts';
import { DAS_SHARED_DIRECTORIES, NodeId, SHARED_DIRECTORIES, WSO2_UID, jdbcDriverDir, processesFor } from '../topology';
import { applierBundle } from '../applier/bundle';
import { applyChangeSet } from '../applier/apply';
import { findSecretFiles } from './helpers/files';
import { fillSecrets } from '../applier/secrets';
import { changeSetPayload, renderNodeChangeSet } from '../config-templates';
import { DASHBOARD_SITE_JSON, PORTAL_SITE_JSON, SHINDIG_DIR, SHINDIG_WAR, SHINDIG_WEB_XML, renderShindigExplode } from '../config-templates/is/proxy';
import { IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';
import { fixtureKeyMaterial, readTree, treeSums } from './fixtures/ec2/sandbox';
import { zipTreeTo } from './helpers/zip';

let dir: string;
let home: string;
let stage: string;
let shared: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-scripts-'));
  home = path.join(dir, 'home');
  stage = path.join(dir, 'stage');
  shared = path.join(dir, 'shared');
  for (const d of [stage, shared]) fs.mkdirSync(d, { recursive: true });
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
    fs.writeFileSync(path.join(home, rel), text);
  };
  w('repository/conf/carbon.xml', '<Server/>');
  w('repository/deployment/server/webapps/stock.war', 'stock war');
  w('repository/deployment/server/eventpublishers/p.xml', '<stock/>');
  w('repository/tenants/.keep', '');
  w('bin/wso2server.sh', 'echo "started from $PWD"\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function sh(script: string, args: string[] = []): { status: number | null; out: string } {
  const s = script.split(MOUNTS.stage).join(stage).split(MOUNTS.shared).join(shared).split(MOUNTS.jdbcDriver).join(path.join(dir, 'driver'));
  // chown to 802 needs root; the seed script tolerates refusal (as on EFS).
  const r = spawnSync('sh', ['-c', s, 'test', ...args], { encoding: 'utf8', env: { ...process.env, WSO2_SERVER_HOME: home, POD_NAME: 'wso2is-0' } });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('stage copies the edited stock files, keeping relative paths', () => {
  const r = sh(stageScript('is'), ['repository/conf/carbon.xml', 'repository/conf/absent.xml']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(stage, 'repository/conf/carbon.xml'), 'utf8')).toBe('<Server/>');
  expect(fs.existsSync(path.join(stage, 'repository/conf/absent.xml'))).toBe(false);
});

test('seed fills empty shared directories from the image and never clobbers filled ones', () => {
  fs.mkdirSync(path.join(shared, 'Tenants'));
  fs.mkdirSync(path.join(shared, 'Deployment'));
  fs.writeFileSync(path.join(shared, 'Deployment', 'deployed-by-someone.car'), 'keep me');
  const r = sh(seedScript('is', SHARED_DIRECTORIES));
  expect(r.status).toBe(0);
  expect(fs.readdirSync(path.join(shared, 'Deployment'))).toEqual(['deployed-by-someone.car']);
  expect(fs.existsSync(path.join(shared, 'Tenants', '.keep'))).toBe(true);
  expect(fs.readdirSync(shared).sort()).toEqual(['Deployment', 'Tenants']); // no temp dirs left
  // A second pod changes nothing.
  expect(sh(seedScript('is', SHARED_DIRECTORIES)).status).toBe(0);
  expect(fs.readdirSync(path.join(shared, 'Deployment'))).toEqual(['deployed-by-someone.car']);
});

/** Root without CAP_CHOWN (util-linux setpriv): chown is refused as on an EFS access point, even to root. */
test('seed copies the image trees where chown is refused (an EFS access point): it never chowns', () => {
  // Needs root and util-linux setpriv (as .ci/run has): a machine without them fails here, loudly.
  expect(process.getuid?.()).toBe(0);
  expect(spawnSync('setpriv', ['--bounding-set=-chown', '--inh-caps=-chown', 'true']).status).toBe(0);
  // The image's trees belong to the product user; root without CAP_CHOWN can read but not chown.
  spawnSync('chown', ['-R', '802:802', home]);
  const refused = (script: string) => {
    const s = script.split(MOUNTS.shared).join(shared);
    return spawnSync('setpriv', ['--bounding-set=-chown', '--inh-caps=-chown', 'sh', '-c', s, 'seed'], {
      encoding: 'utf8',
      env: { ...process.env, WSO2_SERVER_HOME: home, POD_NAME: 'wso2is-0' },
    });
  };
  // The harness reproduces the failure: a copy that keeps ownership fails there.
  const keep = spawnSync('setpriv', ['--bounding-set=-chown', '--inh-caps=-chown', 'cp', '-a', `${home}/repository/tenants/.`, path.join(dir, 'kept')], { encoding: 'utf8' });
  expect(keep.status).not.toBe(0);
  expect(keep.stderr).toContain('failed to preserve ownership');
  const r = refused(seedScript('is', SHARED_DIRECTORIES));
  expect([r.status, r.stdout]).toEqual([0, expect.stringContaining('seed: Deployment seeded from the image')]);
  expect(r.stdout + r.stderr).not.toContain('chown');
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/eventpublishers/p.xml'), 'utf8')).toBe('<stock/>');
  expect(fs.existsSync(path.join(shared, 'Tenants/.keep'))).toBe(true);
  expect(fs.readdirSync(shared).sort()).toEqual(['Deployment', 'Tenants']); // no temp dirs left
});

test('start links the shared trees, copies node-local staged files (never into a shared tree) and execs the product', () => {
  expect(sh(seedScript('is', SHARED_DIRECTORIES)).status).toBe(0);
  fs.mkdirSync(path.join(stage, 'repository/conf'), { recursive: true });
  fs.writeFileSync(path.join(stage, 'repository/conf/carbon.xml'), '<Server patched="1"/>');
  fs.mkdirSync(path.join(stage, 'repository/deployment/server/eventpublishers'), { recursive: true });
  fs.writeFileSync(path.join(stage, 'repository/deployment/server/eventpublishers/p.xml'), '<patched/>');
  const r = sh(startScript('is', processesFor('is', 'sp')[0], SHARED_DIRECTORIES.filter((d) => d.role === 'is')));
  expect(r.status).toBe(0);
  expect(r.out).toContain(`started from ${home}`);
  expect(fs.readlinkSync(path.join(home, 'repository/deployment'))).toBe(path.join(shared, 'Deployment'));
  expect(fs.readlinkSync(path.join(home, 'repository/tenants'))).toBe(path.join(shared, 'Tenants'));
  expect(fs.readFileSync(path.join(home, 'repository/conf/carbon.xml'), 'utf8')).toBe('<Server patched="1"/>');
  // A staged file of a shared tree (none are staged; the apply step edits them in place) does not
  // reach the shared volume: the seeded file stays, next to the other stock artifacts.
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/eventpublishers/p.xml'), 'utf8')).toBe('<stock/>');
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
  // A restart (links already there) keeps the shared content.
  expect(sh(startScript('is', processesFor('is', 'sp')[0], SHARED_DIRECTORIES.filter((d) => d.role === 'is'))).status).toBe(0);
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
});

test('start (SP analytics) gives the product, and only the product, the Secure Vault master keys from the vault Secret file', () => {
  const keyFile = path.join(dir, 'vault', 'master-key');
  fs.mkdirSync(path.dirname(keyFile));
  fs.writeFileSync(keyFile, 'Vault-Key_0123');
  // The product dumps its environment; the start script's own shell must not hold the key afterwards.
  fs.mkdirSync(path.join(home, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(home, 'bin/worker.sh'), `env > ${JSON.stringify(path.join(dir, 'product-env'))}\n`);
  const proc = processesFor('analytics', 'sp')[0];
  const script = startScript('analytics', proc, [], { flavor: 'sp', vaultKeyFile: keyFile }).replace(/\nexit "\$status"\n$/, '\nenv > "$home/../shell-env"\nexit "$status"\n');
  const r = sh(script);
  expect(r.status).toBe(0);
  const productEnv = fs.readFileSync(path.join(dir, 'product-env'), 'utf8');
  expect(productEnv).toMatch(/^keyStorePassword=Vault-Key_0123$/m);
  expect(productEnv).toMatch(/^privateKeyPassword=Vault-Key_0123$/m);
  expect(fs.readFileSync(path.join(dir, 'shell-env'), 'utf8')).not.toContain('Vault-Key_0123');
  // Without a vault key file (IS, DAS): no such variables.
  const plain = startScript('analytics', proc, [], { flavor: 'sp' });
  expect(plain).not.toContain('vault_key_file=');
  expect(sh(plain).status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'product-env'), 'utf8')).not.toMatch(/keyStorePassword|privateKeyPassword/);
});

test('start puts the JDBC driver into the product\'s driver directory and links the common home path (DAS)', () => {
  const driverDir = path.join(dir, 'driver');
  fs.mkdirSync(driverDir);
  fs.writeFileSync(path.join(driverDir, 'mysql-connector-java-5.1.49.jar'), 'jar bytes');
  fs.writeFileSync(path.join(home, 'repository/conf/carbon.xml'), '<Server/>');
  const link = path.join(dir, 'opt-wso2', 'analytics-home');
  fs.mkdirSync(path.dirname(link)); // the emptyDir mount
  const das = DAS_SHARED_DIRECTORIES.filter((d) => d.role === 'analytics');
  const script = startScript('analytics', processesFor('analytics', 'das')[0], das, {
    flavor: 'das',
    jdbcDriver: { file: 'mysql-connector-java-5.1.49.jar', dir: jdbcDriverDir('analytics', 'das') },
    homeLink: link,
  });
  for (let i = 0; i < 2; i++) {
    // twice: a container restart finds the link and the driver in place
    const r = sh(script);
    expect([r.status, r.out]).toEqual([0, `started from ${home}\n`]);
    expect(fs.readFileSync(path.join(home, 'repository/components/lib/mysql-connector-java-5.1.49.jar'), 'utf8')).toBe('jar bytes');
    expect(fs.readlinkSync(link)).toBe(home);
    expect(fs.readlinkSync(path.join(home, 'repository/deployment/server/carbonapps'))).toBe(path.join(shared, 'carbonapps'));
  }
  // A driver that is not there stops the start: the product would not reach MySQL.
  fs.rmSync(path.join(driverDir, 'mysql-connector-java-5.1.49.jar'));
  expect(sh(script).status).not.toBe(0);
});

describe('the JDBC driver fetch (real wget against a loopback server)', () => {
  const JAR = Buffer.from('PK\u0003\u0004 not really a jar, but bytes to hash');
  const SHA = crypto.createHash('sha256').update(JAR).digest('hex');
  let server: http.Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/maven/mysql-connector-java-5.1.49.jar') res.end(JAR);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Runs the script asynchronously (the server answers in this process). */
  function fetchDriver(url: string, sha256 = ''): Promise<{ status: number | null; out: string }> {
    const driverDir = path.join(dir, 'driver');
    fs.mkdirSync(driverDir, { recursive: true });
    const script = driverFetchScript().split(MOUNTS.jdbcDriver).join(driverDir).replace('sleep 5', 'sleep 0');
    return new Promise((resolve) => {
      const p = spawn('sh', ['-c', script], { env: { ...process.env, JDBC_DRIVER_URL: url, JDBC_DRIVER_FILE: 'mysql-connector-java-5.1.49.jar', JDBC_DRIVER_SHA256: sha256 } });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (status) => resolve({ status, out }));
    });
  }
  const fetched = () => path.join(dir, 'driver', 'mysql-connector-java-5.1.49.jar');
  const leftovers = () => fs.readdirSync(path.join(dir, 'driver')).filter((f) => f.endsWith('.part'));

  test('downloads the jar; with the right SHA-256 it is verified', async () => {
    let r = await fetchDriver(`${base}/maven/mysql-connector-java-5.1.49.jar`);
    expect(r.status).toBe(0);
    expect(fs.readFileSync(fetched())).toEqual(JAR);
    expect(r.out).not.toContain('verified');
    fs.rmSync(fetched());
    r = await fetchDriver(`${base}/maven/mysql-connector-java-5.1.49.jar`, SHA);
    expect([r.status, r.out]).toEqual([0, expect.stringContaining('SHA-256 verified')]);
    expect(fs.readFileSync(fetched())).toEqual(JAR);
    // A restarted init container keeps the verified file and downloads nothing.
    const before = hits;
    expect((await fetchDriver(`${base}/maven/mysql-connector-java-5.1.49.jar`, SHA)).status).toBe(0);
    expect(hits).toBe(before);
  });

  test('a wrong SHA-256 fails the pod start and leaves no file under the final name', async () => {
    const r = await fetchDriver(`${base}/maven/mysql-connector-java-5.1.49.jar`, '0'.repeat(64));
    expect(r.status).toBe(1);
    expect(r.out).toContain(`is not ${'0'.repeat(64)}`);
    expect(fs.existsSync(fetched())).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  test('a download that keeps failing fails after its retries', async () => {
    const before = hits;
    const r = await fetchDriver(`${base}/maven/absent.jar`);
    expect(r.status).toBe(1);
    expect(r.out).toContain('cannot download');
    expect(hits - before).toBe(5);
    expect(fs.existsSync(fetched())).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  test('is clean through shellcheck', () => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], { input: driverFetchScript(), encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, '']);
  });
});

/**
 * An IS pod's whole init sequence for real, as the StatefulSet orders it: stage (node-local stock
 * files out of the image) -> seed-shared -> apply (the bundled applier under node, with the shared
 * trees linked into the stage) -> the main container's start script. The image's home is the IS
 * fixture with the gadget server as a real shindig.war, as the product packs ship it.
 */
describe('IS pods: stage -> seed -> apply -> start, with shindig.war on the shared tree', () => {
  const topology = isTestTopology();
  const IS_SHARED = SHARED_DIRECTORIES.filter((d) => d.role === 'is');
  const SECRET_VALUES = { db_password: `db&<pw>'"1`, admin_password: `admin&<pw>"'2`, ...STORE_PASSWORDS, ...VAULT_CERTIFICATES };
  const IDS = ['is-1', 'is-2'] as const;
  const sets = IDS.map((id) => renderNodeChangeSet(topology, id));
  const rel = (p: string) => p.slice('repository/deployment/'.length); // a Deployment path on the shared volume
  const isRoot = process.getuid?.() === 0;
  let fixed: string; // image, applier, change sets, secrets: shared by the tests
  let image: string;
  let war: Buffer;

  beforeAll(() => {
    fixed = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-pod-'));
    image = path.join(fixed, 'image-home');
    fs.cpSync(path.join(IS_FIXTURE_HOME, 'repository'), path.join(image, 'repository'), { recursive: true });
    fs.rmSync(path.join(image, SHINDIG_DIR), { recursive: true });
    const app = path.join(fixed, 'shindig-src');
    fs.cpSync(path.join(IS_FIXTURE_HOME, SHINDIG_DIR), app, { recursive: true });
    // Enough entries that two concurrent unpacks overlap in time.
    for (let i = 0; i < 150; i++) {
      fs.mkdirSync(path.join(app, `features/f${i % 6}`), { recursive: true });
      fs.writeFileSync(path.join(app, `features/f${i % 6}/feature${i}.xml`), `<feature id="${i}">${'x'.repeat(1500)}</feature>\n`);
    }
    zipApp(app, path.join(image, SHINDIG_WAR));
    war = fs.readFileSync(path.join(image, SHINDIG_WAR));
    fs.mkdirSync(path.join(image, 'repository/tenants'), { recursive: true });
    fs.writeFileSync(path.join(image, 'repository/tenants/README.txt'), 'tenant artifacts\n');
    fs.mkdirSync(path.join(image, 'bin'));
    fs.writeFileSync(path.join(image, 'bin/wso2server.sh'), 'echo "IS started from $PWD"\n');
    for (const d of ['applier', 'changes', 'secrets', 'keys']) fs.mkdirSync(path.join(fixed, d));
    // The keys Secret: apply reads the node's material (its TLS certificate) as the pods do.
    for (const cs of sets) fs.writeFileSync(path.join(fixed, 'keys', keyMaterialFileName(cs.nodeId)), fixtureKeyMaterial(cs.nodeId as NodeId), { mode: 0o444 });
    fs.writeFileSync(path.join(fixed, 'applier', APPLIER_FILE), applierBundle());
    for (const cs of sets) fs.writeFileSync(path.join(fixed, 'changes', changeSetFileName(cs.nodeId)), changeSetPayload(cs));
    fs.writeFileSync(path.join(fixed, 'secrets', SECRETS_FILE), JSON.stringify(SECRET_VALUES), { mode: 0o400 });
    if (isRoot) {
      // The Secret's file as the kubelet writes it for the pod's fsGroup; the rest world-readable, as ConfigMaps and the image are.
      fs.chownSync(path.join(fixed, 'secrets', SECRETS_FILE), 0, WSO2_UID);
      fs.chmodSync(path.join(fixed, 'secrets', SECRETS_FILE), 0o440);
      fs.chmodSync(fixed, 0o755);
    }
  });
  afterAll(() => fs.rmSync(fixed, { recursive: true, force: true }));

  /** A war holds its app at the root; written in code at a fixed time (tests/helpers/zip.ts). */
  function zipApp(app: string, out: string): void {
    zipTreeTo(app, out);
  }
  interface Pod {
    ordinal: number;
    home: string;
    stage: string;
  }
  /** A pod of its own: the image's home copied (the container's writable layer) and a stage. */
  function newPod(ordinal: number): Pod {
    const pod = { ordinal, home: path.join(dir, `pod${ordinal}/home`), stage: path.join(dir, `pod${ordinal}/stage`) };
    fs.cpSync(image, pod.home, { recursive: true });
    fs.mkdirSync(pod.stage);
    if (isRoot) asKubelet(pod);
    return pod;
  }
  /**
   * As root, the volumes as the kubelet makes them for a pod of fsGroup 802, whose containers all
   * run as 802 (pod-security.ts): an emptyDir is root's, mode 0777 plus the group's set-gid bit;
   * a Secret's files are root's, of the group, 0440; the image's home is the product user's; the
   * shared volume's top directory is the product user's (the NFS server's export-owner).
   */
  function asKubelet(pod: Pod): void {
    for (const d of [dir, path.dirname(pod.home)]) fs.chmodSync(d, 0o755);
    spawnSync('chown', ['-R', `${WSO2_UID}:${WSO2_UID}`, pod.home, shared]);
    fs.chownSync(pod.stage, 0, WSO2_UID);
    fs.chmodSync(pod.stage, 0o2777);
  }
  function run(pod: Pod, script: string, args: string[] = []): Promise<{ status: number | null; out: string }> {
    const s = [
      [MOUNTS.stage, pod.stage],
      [MOUNTS.shared, shared],
      [MOUNTS.changes, path.join(fixed, 'changes')],
      [MOUNTS.applier, path.join(fixed, 'applier')],
      [MOUNTS.secrets, path.join(fixed, 'secrets')],
      [MOUNTS.keys, path.join(fixed, 'keys')],
    ].reduce((acc, [from, to]) => acc.split(from).join(to), script);
    return new Promise((resolve) => {
      // As the product user, never root (pod-security.ts), with the pod's fsGroup as its group.
      const cmd = isRoot ? ['setpriv', `--reuid=${WSO2_UID}`, `--regid=${WSO2_UID}`, `--groups=${WSO2_UID}`, 'sh'] : ['sh'];
      const p = spawn(cmd[0], [...cmd.slice(1), '-c', s, 'pod', ...args], { env: { ...process.env, WSO2_SERVER_HOME: pod.home, POD_NAME: `wso2is-${pod.ordinal}`, HOME: '/' } });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (status) => resolve({ status, out }));
    });
  }
  /** The init containers in the StatefulSet's order, then the main container; stops at the first failure. */
  async function boot(pod: Pod): Promise<string> {
    const steps: [string, string, string[]][] = [
      ['stage', stageScript('is'), editedPaths(sets, IS_SHARED)],
      ['seed-shared', seedScript('is', IS_SHARED), []],
      ['apply', applyScript('is', IS_SHARED), []],
      ['start', startScript('is', processesFor('is', 'sp')[0], IS_SHARED), []],
    ];
    let log = '';
    for (const [name, script, args] of steps) {
      const r = await run(pod, script, args);
      log += `--- ${name}\n${r.out}`;
      if (r.status !== 0) throw new Error(`pod ${pod.ordinal}: ${name} exited ${r.status}\n${log}`);
    }
    return log;
  }
  /** Every entry under `root` with its uid (0 when the test is not root: nothing to compare then). */
  function owners(root: string): Map<string, number> {
    const out = new Map<string, number>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        out.set(path.relative(root, p), fs.lstatSync(p).uid);
        if (e.isDirectory()) walk(p);
      }
    };
    walk(root);
    return out;
  }
  /**
   * Inode, mtime and ctime (ns) of every file under `root`: a file rewritten (even with the same
   * bytes), replaced, chowned or chmodded shows here, and so would a placeholder written and filled
   * again a moment later.
   */
  function identities(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const st = fs.lstatSync(p, { bigint: true });
          out[path.relative(root, p)] = `${st.ino} ${st.mtimeNs} ${st.ctimeNs}`;
        }
      }
    };
    walk(root);
    return out;
  }
  /** What the renderers + applier (in-process) make of the unpacked fixture for one node; made once per node (read only). */
  const expected = new Map<string, string>();
  function expectedHome(id: (typeof IDS)[number]): string {
    const made = expected.get(id);
    if (made) return made;
    const out = path.join(fixed, `expected-${id}`);
    fs.cpSync(IS_FIXTURE_HOME, out, { recursive: true, filter: (src) => !src.endsWith('.ts') });
    applyChangeSet(out, renderNodeChangeSet(topology, id));
    fillSecrets(out, findSecretFiles(out), SECRET_VALUES);
    expected.set(id, out);
    return out;
  }

  function checkSharedTree(): void {
    const dep = path.join(shared, 'Deployment');
    // Unpacked on the shared tree, the war parked outside webapps/ (Tomcat cannot redeploy it).
    expect(fs.readdirSync(path.join(dep, 'server/webapps')).sort()).toEqual(['shindig']);
    expect(fs.readFileSync(path.join(dep, rel(renderShindigExplode().parkAs)))).toEqual(war);
    expect(fs.readdirSync(path.dirname(path.join(dep, rel(renderShindigExplode().parkAs))))).toEqual(['shindig.war']);
    const exp = expectedHome('is-1');
    for (const p of [SHINDIG_WEB_XML, DASHBOARD_SITE_JSON, PORTAL_SITE_JSON]) {
      expect([p, fs.readFileSync(path.join(dep, rel(p)), 'utf8')]).toEqual([p, fs.readFileSync(path.join(exp, p), 'utf8')]);
    }
    expect(fs.readFileSync(path.join(dep, rel(SHINDIG_DIR), 'features/f3/feature147.xml'), 'utf8')).toContain('<feature id="147">');
    // Publishers: edited and filled in place; the admin password is for the product user alone.
    const pubs = fs.readdirSync(path.join(dep, 'server/eventpublishers'));
    expect(pubs.length).toBeGreaterThanOrEqual(4);
    for (const f of pubs) {
      const p = path.join(dep, 'server/eventpublishers', f);
      const text = fs.readFileSync(p, 'utf8');
      expect(text).toBe(fs.readFileSync(path.join(exp, 'repository/deployment/server/eventpublishers', f), 'utf8'));
      expect(text).not.toContain('@@SECRET:');
      expect([f, (fs.statSync(p).mode & 0o777).toString(8)]).toEqual([f, '600']);
    }
    // No temp or unpacking debris, nothing left to root.
    const entries = owners(shared);
    expect([...entries.keys()].filter((k) => /\.(tmp|unpacking)$|\/\.seed-/.test(k))).toEqual([]);
    if (isRoot) expect([...entries].filter(([, uid]) => uid !== WSO2_UID)).toEqual([]);
  }

  function checkPod(pod: Pod, id: (typeof IDS)[number], out: string): void {
    expect(out).toContain(`IS started from ${pod.home}`);
    expect(out).toContain(`apply: ${id} configured`);
    // The applier names the secrets it filled, never a value (the pod's whole log: every step).
    expect(out).toMatch(/^(un)?changed repository\/conf\/security\/cipher-text\.properties \(file, 1 op, secrets admin_password, db_password/m);
    for (const v of Object.values(SECRET_VALUES)) expect(out).not.toContain(v);
    // The stage holds node-local files only: no links left, nothing of a shared tree.
    const staged = owners(pod.stage);
    expect([...staged.keys()].filter((k) => fs.lstatSync(path.join(pod.stage, k)).isSymbolicLink())).toEqual([]);
    expect([...staged.keys()].filter((k) => IS_SHARED.some((d) => k === d.productPath || k.startsWith(`${d.productPath}/`)))).toEqual([]);
    expect(staged.size).toBeGreaterThan(5);
    for (const [k] of staged) {
      expect([k, fs.lstatSync(path.join(pod.stage, k)).mode & 0o077]).toEqual([k, 0]);
      if (isRoot) expect([k, staged.get(k)]).toEqual([k, WSO2_UID]);
    }
    // The product home: the shared trees linked, its own configuration as in-process.
    expect(fs.readlinkSync(path.join(pod.home, 'repository/deployment'))).toBe(path.join(shared, 'Deployment'));
    expect(fs.readlinkSync(path.join(pod.home, 'repository/tenants'))).toBe(path.join(shared, 'Tenants'));
    expect(readTree(path.join(pod.home, 'repository/conf'))).toEqual(readTree(path.join(expectedHome(id), 'repository/conf')));
    expect(fs.readFileSync(path.join(pod.home, SHINDIG_WEB_XML), 'utf8')).toContain(`shindig.host=${topology.hostname}`);
  }

  test('one pod after the other: the first unpacks, edits and parks on the shared tree; the second changes nothing there', async () => {
    const [p0, p1] = [newPod(0), newPod(1)];
    const out0 = await boot(p0);
    checkPod(p0, 'is-1', out0);
    checkSharedTree();
    const before = { sums: treeSums(shared), owners: owners(shared), files: identities(shared) };
    const publishers = Object.keys(before.files).filter((f) => f.startsWith('Deployment/server/eventpublishers/'));
    expect(publishers.length).toBeGreaterThanOrEqual(4);
    const out1 = await boot(p1);
    checkPod(p1, 'is-2', out1);
    expect(out1).toContain('seed: Deployment already has content');
    expect(out1).toMatch(/^unchanged repository\/deployment\/server\/webapps\/shindig \(explode/m);
    // The second pod's apply fills in memory and finds the filled publishers equal: it replaces no
    // shared file (same inode, mtime, ctime), so pod 0's running IS never sees a placeholder there.
    for (const f of publishers) expect(out1).toContain(`unchanged repository/deployment/${f.slice('Deployment/'.length)} (xml,`);
    expect({ sums: treeSums(shared), owners: owners(shared), files: identities(shared) }).toEqual(before);
    checkSharedTree();
  });

  test('both pods at once: both succeed, the war is unpacked once and parked, the trees agree', async () => {
    const [p0, p1] = [newPod(0), newPod(1)];
    const [out0, out1] = await Promise.all([boot(p0), boot(p1)]);
    checkPod(p0, 'is-1', out0);
    checkPod(p1, 'is-2', out1);
    checkSharedTree();
    // A restart of pod 0 (all init containers again) converges to the same tree, writing nothing there.
    const before = { sums: treeSums(shared), files: identities(shared) };
    checkPod(p0, 'is-1', await boot(p0));
    expect({ sums: treeSums(shared), files: identities(shared) }).toEqual(before);
  });

  test('the apply script fails when a shared tree was not seeded, and then writes nothing', async () => {
    const pod = newPod(0);
    const r = await run(pod, applyScript('is', IS_SHARED));
    expect([r.status, r.out]).toEqual([1, 'apply: shared Deployment is not seeded\n']);
    expect(fs.readdirSync(shared)).toEqual([]);
  });

  test('all four scripts are clean through shellcheck', () => {
    // One shellcheck run over the four, each its own file (a finding names its file).
    const scripts = { stage: stageScript('is'), seed: seedScript('is', IS_SHARED), apply: applyScript('is', IS_SHARED), start: startScript('is', processesFor('is', 'sp')[0], IS_SHARED) };
    const files = Object.entries(scripts).map(([name, text]) => {
      const f = path.join(dir, `${name}.sh`);
      fs.writeFileSync(f, text);
      return f;
    });
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', ...files], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
  });
});
