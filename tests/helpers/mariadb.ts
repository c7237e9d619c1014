/**
 * A throwaway MariaDB server for tests: a fresh datadir in a temp dir, listening on 127.0.0.1
 * at a free port, with a root account reachable over TCP. Start it once per test file
 * (beforeAll) and stop it in afterAll; `stop()` kills the server and removes the directory.
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface MariaDb {
  host: '127.0.0.1';
  port: number;
  /** Master user reachable over TCP from 127.0.0.1, with every privilege and GRANT OPTION. */
  rootUser: string;
  rootPassword: string;
  /** The temp directory holding datadir, socket and logs. */
  dir: string;
  /** Runs SQL as root (over the socket), returns tab-separated rows without headers. */
  query(sql: string, database?: string): Promise<string>;
  /** Runs SQL as any user over TCP; rejects with the client's stderr on failure. */
  queryAs(user: string, password: string, sql: string, database?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Installed client binary: `mariadb` when present, else `mysql`. */
export const MARIADB_CLIENT = fs.existsSync('/usr/bin/mariadb') ? '/usr/bin/mariadb' : 'mysql';
const SERVER = fs.existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mysqld';
const INSTALL_DB = 'mariadb-install-db';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env: opts.env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
    // A client that exits before reading its input (e.g. while the server is still starting)
    // closes the pipe; the exit status above reports the real outcome, so EPIPE is not an error.
    child.stdin?.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.stdin?.end(opts.input ?? '');
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts a fresh server; rejects (after cleaning up) when it does not come up within 60 s. */
export async function startMariaDb(opts: { rootPassword?: string; serverArgs?: string[] } = {}): Promise<MariaDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-test-'));
  const datadir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  const rootPassword = opts.rootPassword ?? 'root-Pw#1';
  const user = os.userInfo().username;
  let child: ChildProcess | undefined;
  // Last resort when the test process dies without reaching afterAll: no server outlives it.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    // The data directory is removed next, so a clean shutdown (seconds of flushing) buys nothing.
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child, 5000);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await run(INSTALL_DB, [
      '--no-defaults',
      `--datadir=${datadir}`,
      `--user=${user}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ]);
    const port = await freePort();
    const log = fs.openSync(path.join(dir, 'server.log'), 'a');
    child = spawn(
      SERVER,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--user=${user}`,
        `--pid-file=${path.join(dir, 'mysqld.pid')}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        '--performance-schema=OFF',
        '--skip-log-bin',
        // Extra server options of a test (e.g. TLS); the socket stays usable for setup.
        ...(opts.serverArgs ?? []),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);

    // Root over the socket has no password yet; wait for the server, then lock root down.
    const socketArgs = ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--raw', '--skip-column-names'];
    const deadline = Date.now() + 60000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited: ${fs.readFileSync(path.join(dir, 'server.log'), 'utf8')}`);
      try {
        await run(MARIADB_CLIENT, [...socketArgs, '-e', 'SELECT 1']);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await sleep(200);
      }
    }
    const pw = `'${rootPassword.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    // Anonymous accounts would shadow test users; root gets a TCP account at 127.0.0.1.
    const anonymous = (await run(MARIADB_CLIENT, [...socketArgs, '-e', "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user WHERE User = ''"]))
      .split('\n')
      .filter(Boolean);
    await run(MARIADB_CLIENT, socketArgs, {
      input: [
        ...anonymous.map((a) => `DROP USER ${a};`),
        `CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';`,
        `ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY ${pw};`,
        `GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;`,
        `ALTER USER 'root'@'localhost' IDENTIFIED BY ${pw};`,
      ].join('\n'),
    });

    // The helper's own queries pass the password in the environment (test-only convenience).
    const rootEnv = { ...process.env, MYSQL_PWD: rootPassword };
    const query = (sql: string, database?: string) =>
      run(MARIADB_CLIENT, [...socketArgs, ...(database ? [`--database=${database}`] : [])], { input: sql, env: rootEnv });
    const queryAs = (u: string, password: string, sql: string, database?: string) =>
      run(
        MARIADB_CLIENT,
        ['--no-defaults', '--protocol=TCP', '--host=127.0.0.1', `--port=${port}`, `--user=${u}`, '--batch', '--raw', '--skip-column-names', ...(database ? [`--database=${database}`] : [])],
        { input: sql, env: { ...process.env, MYSQL_PWD: password } },
      );
    return { host: '127.0.0.1', port, rootUser: 'root', rootPassword, dir, query, queryAs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
