/**
 * The pod scripts run for real with `sh` against a fake product home, stage and shared volume in a
 * temp dir (the mount paths are swapped for temp paths): staging, seeding without clobbering,
 * symlinking the shared trees and copying staged files through them.
 */
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { MOUNTS, driverFetchScript, seedScript, stageScript, startScript } from '../components/kubernetes/model';
import { DAS_SHARED_DIRECTORIES, SHARED_DIRECTORIES, jdbcDriverDir, processesFor } from '../topology';

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

test('start links the shared trees, writes staged files through the links and execs the product', () => {
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
  // The patched publisher landed on the shared volume, next to the seeded stock artifacts.
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/eventpublishers/p.xml'), 'utf8')).toBe('<patched/>');
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
  // A restart (links already there) keeps the shared content.
  expect(sh(startScript('is', processesFor('is', 'sp')[0], SHARED_DIRECTORIES.filter((d) => d.role === 'is'))).status).toBe(0);
  expect(fs.readFileSync(path.join(shared, 'Deployment/server/webapps/stock.war'), 'utf8')).toBe('stock war');
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
