/**
 * The db-init Job's marker and the pods' wait, run for real against one MariaDB server: the Job's
 * container script (the rendered db-init script, then the marker SQL) with the environment the Job
 * gives it, and the `wait-for-database` init container's script as the application user. The wait
 * says "not initialised" before the Job, and also after the rendered script alone (databases and
 * user there, no marker); it says "ready" and exits once the Job has run, and only for the script
 * version the Job ran. The wait logs in with the application password, so it verifies the server
 * as the Job does: with the CA that issued the server's certificate it connects; with another CA,
 * or none, it fails at once, saying why, without sending the password.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DB_INIT_META_DATABASE, IS_DATABASES, Topology } from '../topology';
import { renderDbInit } from '../config-templates/db-init';
import { DB_INIT_DONE_TABLE, nodeAddresses } from '../components/kubernetes/names';
import { MOUNTS } from '../components/kubernetes/paths';
import { sha256 } from '../components/kubernetes/checksums';
import { dbInitJobScript, waitForDbScript } from '../components/kubernetes/scripts';
import { MariaDb } from './helpers/mariadb';
import { TlsMariaDb, startTlsMariaDb } from './helpers/tls-mariadb';
import { testTopology } from './helpers/topology';
import { writeMysql8StandIn } from './helpers/mysql8-stand-in';

const APP_USER = 'wso2app';
const APP_PASSWORD = "app'Pw\"$1";

let db: MariaDb;
let tls: TlsMariaDb;
let t: Topology;
let scriptDir: string;
let isHome: string;
let script: string;
let scriptSha: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // TLS on a test CA, which the Job's script and record and the wait verify.
  tls = await startTlsMariaDb();
  db = tls.db;
  t = testTopology({ addresses: nodeAddresses('unused'), dbHost: db.host, dbPort: db.port, dbUser: APP_USER });
  const rendered = renderDbInit(t);
  script = rendered.script;
  scriptSha = sha256(script);
  // The Job mounts the db-init ConfigMap at MOUNTS.dbInit; here a directory of the server's temp dir.
  scriptDir = path.join(db.dir, 'db-init');
  fs.mkdirSync(scriptDir);
  fs.writeFileSync(path.join(scriptDir, rendered.fileName), script);
  // What the Job's copy-dbscripts step leaves: the IS image's dbscripts; here one small stand-in.
  isHome = path.join(db.dir, 'is-home');
  fs.mkdirSync(path.join(isHome, 'dbscripts'), { recursive: true });
  fs.writeFileSync(path.join(isHome, 'dbscripts', 'mysql.sql'), 'CREATE TABLE UM_STAND_IN (UM_ID INTEGER NOT NULL, PRIMARY KEY (UM_ID)) ENGINE INNODB;\n');
}, 90000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
  await tls?.stop();
});

/** Runs a script as its container would: `command: [shell, -c, script]` with that container's env. */
function runScript(shell: 'sh' | 'bash', text: string, env: Record<string, string>, opts: { stopAfter?: RegExp } = {}): Promise<{ code: number | null; out: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', text], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`${shell} script did not finish: ${out}`));
    }, 60000);
    const onData = (c: Buffer) => {
      out += c.toString();
      // The wait loops (sleep 5) until ready: one "not initialised" answer is the verdict.
      if (opts.stopAfter?.test(out) && child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Date.now() - started });
    });
  });
}

/** The init container's env (pod-specs.ts dbWaitInit): app user, password as MYSQL_PWD, the CA file as DB_SSL_CA. */
const waitEnv = (): Record<string, string> => ({ DB_HOST: db.host, DB_PORT: String(db.port), DB_USER: APP_USER, MYSQL_PWD: APP_PASSWORD, DB_SSL_CA: tls.caFile });
/** The Job container's env (components/kubernetes/index.ts db-init-job). */
const jobEnv = () => ({
  DB_HOST: db.host,
  DB_PORT: String(db.port),
  DB_MASTER_USER: db.rootUser,
  DB_MASTER_PASSWORD: db.rootPassword,
  DB_APP_PASSWORD: APP_PASSWORD,
  WSO2_IS_HOME: isHome,
  DB_SSL_CA: tls.caFile,
});
const NOT_READY = /wait: database \S+ not initialised yet/;

async function waitVerdict(sha: string, env: Record<string, string> = waitEnv()): Promise<'ready' | 'not ready'> {
  const r = await runScript('sh', waitForDbScript(DB_INIT_META_DATABASE, sha), env, { stopAfter: NOT_READY });
  if (r.code === 0 && /wait: database ready/.test(r.out) && !NOT_READY.test(r.out)) return 'ready';
  expect(r.out).toMatch(NOT_READY);
  expect(r.out).not.toContain('wait: database ready');
  return 'not ready';
}

test('the wait says not ready before the Job, not ready after the schema script alone, ready after the Job', async () => {
  expect(await waitVerdict(scriptSha)).toBe('not ready');

  // The rendered script on its own (the Job's first step): databases, user, schemas, no marker.
  const alone = await runScript('bash', `bash ${path.join(scriptDir, 'db-init.sh')}`, jobEnv());
  expect([alone.code, alone.out]).toEqual([0, expect.stringContaining('done:')]);
  expect((await db.queryAs(APP_USER, APP_PASSWORD, 'SELECT COUNT(*) FROM UM_STAND_IN', IS_DATABASES.userStore)).trim()).toBe('0');
  expect(await waitVerdict(scriptSha)).toBe('not ready');

  // The Job's container script, paths as mounted in the Job.
  const job = dbInitJobScript('db-init.sh', DB_INIT_META_DATABASE, scriptSha, APP_USER).split(MOUNTS.dbInit).join(scriptDir);
  const ran = await runScript('bash', job, jobEnv());
  expect([ran.code, ran.out]).toEqual([0, expect.stringContaining('db-init: done')]);
  expect(await waitVerdict(scriptSha)).toBe('ready');

  // The same query the wait runs, as the app user: exactly one marker row for this script.
  const q = `SELECT COUNT(*) FROM ${DB_INIT_META_DATABASE}.${DB_INIT_DONE_TABLE} WHERE script_sha256='${scriptSha}'`;
  expect((await db.queryAs(APP_USER, APP_PASSWORD, q)).trim()).toBe('1');
}, 120000);

test('a new script version is not ready until its own Job ran; a second run of the Job is harmless', async () => {
  const newer = sha256(script + '\n# next version\n');
  expect(await waitVerdict(newer)).toBe('not ready');
  const job = dbInitJobScript('db-init.sh', DB_INIT_META_DATABASE, scriptSha, APP_USER).split(MOUNTS.dbInit).join(scriptDir);
  const again = await runScript('bash', job, jobEnv());
  expect(again.code).toBe(0);
  expect(await waitVerdict(scriptSha)).toBe('ready');
  expect((await db.query(`SELECT COUNT(*) FROM ${DB_INIT_META_DATABASE}.${DB_INIT_DONE_TABLE}`)).trim()).toBe('1');
}, 120000);

test('the application user can read the marker but not write one', async () => {
  const fake = sha256('not a script that ran');
  await expect(
    db.queryAs(APP_USER, APP_PASSWORD, `INSERT INTO ${DB_INIT_META_DATABASE}.${DB_INIT_DONE_TABLE} (script_sha256) VALUES ('${fake}')`),
  ).rejects.toThrow(/denied/i);
  expect(await waitVerdict(fake)).toBe('not ready');
});

describe('the wait verifies the server before it sends the password', () => {
  const TLS_FAILED = /wait: TLS to 127\.0\.0\.1:\d+ failed; is the server's certificate issued by a CA in DB_SSL_CA \(\S+\) for this host name\? ERROR 2026/;

  test('with the CA that issued the server\'s certificate it is ready; with another CA it fails at once, saying why', async () => {
    // The Job ran in the tests above: with the right CA the wait is done.
    expect(await waitVerdict(scriptSha)).toBe('ready');
    const wrong = await runScript('sh', waitForDbScript(DB_INIT_META_DATABASE, scriptSha), { ...waitEnv(), DB_SSL_CA: tls.otherCaFile }, { stopAfter: NOT_READY });
    expect(wrong.out).toMatch(TLS_FAILED);
    expect(wrong.out).toContain('other-ca.pem');
    expect(wrong.out).not.toMatch(/database ready|not initialised/);
    // The container fails (the kubelet restarts it with a back-off), rather than polling a server it cannot trust.
    expect(wrong.code).toBe(1);
    expect(wrong.ms).toBeLessThan(15000);
    // The host name is verified too: the server's certificate names 127.0.0.1 and localhost only,
    // so the same server reached as `127.1` (the resolver's short form of 127.0.0.1, no name service
    // involved) is refused, and as `localhost` accepted.
    expect(await waitVerdict(scriptSha, { ...waitEnv(), DB_HOST: 'localhost' })).toBe('ready');
    const otherName = await runScript('sh', waitForDbScript(DB_INIT_META_DATABASE, scriptSha), { ...waitEnv(), DB_HOST: '127.1' }, { stopAfter: NOT_READY });
    expect([otherName.code, otherName.out]).toEqual([1, expect.stringMatching(/wait: TLS to 127\.1:\d+ failed; .* ERROR 2026/)]);
  }, 60000);

  test('without a readable CA file it does not connect at all', async () => {
    for (const ca of ['', path.join(db.dir, 'absent.pem')]) {
      const r = await runScript('sh', waitForDbScript(DB_INIT_META_DATABASE, scriptSha), { ...waitEnv(), DB_SSL_CA: ca });
      expect([r.code, r.out]).toEqual([1, expect.stringMatching(/^wait: DB_SSL_CA \((unset|\S+absent\.pem)\) is not a readable CA file to verify the database server with\n$/)]);
    }
  });

  test('asks a MySQL 8 client (the MySQL image\'s) for VERIFY_IDENTITY against DB_SSL_CA', async () => {
    // The MySQL 8 stand-in first on PATH.
    const bin = path.join(db.dir, 'mysql8-bin');
    fs.mkdirSync(bin, { recursive: true });
    writeMysql8StandIn(path.join(bin, 'mysql'));
    const r = await runScript('sh', waitForDbScript(DB_INIT_META_DATABASE, scriptSha), { ...waitEnv(), PATH: `${bin}:${process.env.PATH}` });
    expect([r.code, r.out]).toEqual([1, expect.stringMatching(TLS_FAILED)]);
    const argv = fs.readFileSync(path.join(bin, 'mysql.log'), 'utf8');
    expect(argv).toBe(`--ssl-mode=VERIFY_IDENTITY --ssl-ca=${tls.caFile} --connect-timeout=5 -h 127.0.0.1 -P ${db.port} -u ${APP_USER} -N -B -e SELECT COUNT(*) FROM ${DB_INIT_META_DATABASE}.${DB_INIT_DONE_TABLE} WHERE script_sha256='${scriptSha}'\n`);
    // The password reaches the client through its environment only, never its command line.
    expect(argv).not.toContain(APP_PASSWORD);
  });
});
