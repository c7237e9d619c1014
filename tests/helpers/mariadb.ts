/**
 * A throwaway MariaDB server for tests: a fresh datadir in a temp dir, listening on 127.0.0.1
 * at a free port, with a root account reachable over TCP. Start it once per test file
 * (beforeAll) and stop it in afterAll; `stop()` kills the server and removes the directory.
 * The data directory is a copy of one made once by mariadb-install-db (templateDatadir).
 */
import { ChildProcess, execFile, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { sqlString } from '../../config-templates/db-init';

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
  /**
   * Runs SQL as any user over TCP (with the client TLS options the server was started with);
   * rejects with the client's stderr on failure.
   */
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

/** The redo log size of the template and of every server started from it (equal: no resize at start). */
const LOG_FILE_SIZE = '8M';

/**
 * What names the server build in the template's key: the binary's path, size and modification
 * time (an upgrade changes them) when it is a file here, else what `--version` prints (a process).
 */
async function serverIdentity(): Promise<string> {
  if (!path.isAbsolute(SERVER)) return run(SERVER, ['--version']);
  const st = fs.statSync(fs.realpathSync(SERVER));
  return `${fs.realpathSync(SERVER)} ${st.size} ${st.mtimeMs}`;
}

/**
 * An initialised data directory (system tables, no test database, root authenticated normally),
 * made once per server version and user with mariadb-install-db and kept in the temp directory;
 * each server starts from a copy. Made under a private name and renamed into place, so workers
 * racing to make it never see half of one.
 */
async function templateDatadir(user: string): Promise<string> {
  const installArgs = ['--no-defaults', `--user=${user}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve', `--innodb-log-file-size=${LOG_FILE_SIZE}`];
  const key = crypto.createHash('sha256').update(JSON.stringify([await serverIdentity(), installArgs])).digest('hex').slice(0, 16);
  const template = path.join(os.tmpdir(), `pattern2-mariadb-template-${key}`);
  if (fs.existsSync(path.join(template, 'mysql'))) return template;
  const making = `${template}.making-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await run(INSTALL_DB, [...installArgs, `--datadir=${making}`]);
    try {
      fs.renameSync(making, template);
    } catch (e) {
      // Another worker's template landed first: theirs is as good.
      if (!fs.existsSync(path.join(template, 'mysql'))) throw e;
    }
  } finally {
    fs.rmSync(making, { recursive: true, force: true });
  }
  return template;
}

/**
 * Resolves true once a server greets on `socket` (its handshake packet), false when nothing
 * answers there yet: a readiness probe without a client process.
 */
function greets(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    const done = (ok: boolean) => {
      c.destroy();
      resolve(ok);
    };
    // A server that accepts but never greets (still running its init file) is asked again later.
    c.setTimeout(2000, () => done(false));
    c.once('data', () => done(true));
    c.once('error', () => done(false));
    c.once('end', () => done(false));
  });
}

/**
 * A MySQL string literal on one line, for the init file: the program's own literal (backslash
 * escapes on, as in the server's default sql_mode) with its line breaks escaped.
 */
function initFileString(s: string): string {
  return sqlString(s).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * Starts a fresh server; rejects (after cleaning up) when it does not come up within 60 s.
 * @param opts rootPassword: root's password (socket and TCP); serverArgs: extra server options
 *   (e.g. TLS); tcpClientArgs: the client's TLS options for `queryAs` (default `--skip-ssl`).
 */
export async function startMariaDb(opts: { rootPassword?: string; serverArgs?: string[]; tcpClientArgs?: string[] } = {}): Promise<MariaDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mariadb-test-'));
  const datadir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  const serverLog = path.join(dir, 'server.log');
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
    // A copy of the initialised template: what mariadb-install-db would write, without its
    // bootstrap server (seconds of CPU) per test file.
    fs.cpSync(await templateDatadir(user), datadir, { recursive: true });
    // Root's accounts, set by the server itself before it accepts connections (--init-file), so
    // no client starts for them: anonymous accounts would shadow test users; root gets a TCP
    // account at 127.0.0.1. One statement a line, as the init file wants it.
    const pw = initFileString(rootPassword);
    const initFile = path.join(dir, 'init.sql');
    const initDone = path.join(dir, 'init.done');
    fs.writeFileSync(
      initFile,
      [
        "DELETE FROM mysql.global_priv WHERE User = '';",
        'FLUSH PRIVILEGES;',
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';",
        `ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY ${pw};`,
        "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
        `ALTER USER 'root'@'localhost' IDENTIFIED BY ${pw};`,
        // The server stops reading the file at a failing statement, and says so nowhere we can
        // read in time: this last one leaves a file only when every statement before it ran.
        `SELECT 'done' INTO OUTFILE ${initFileString(initDone)};`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const port = await freePort();
    const log = fs.openSync(serverLog, 'a');
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
        `--init-file=${initFile}`,
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=32M',
        `--innodb-log-file-size=${LOG_FILE_SIZE}`,
        // A throwaway server: no flush per commit, no doublewrite (its data dies with the test).
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-doublewrite=0',
        '--performance-schema=OFF',
        '--skip-log-bin',
        // Extra server options of a test (e.g. TLS); the socket stays usable for setup.
        ...(opts.serverArgs ?? []),
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);

    // The server greets on its socket once it has run the init file and accepts connections.
    const deadline = Date.now() + 60000;
    while (!(await greets(socket))) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited: ${fs.readFileSync(serverLog, 'utf8')}`);
      if (Date.now() > deadline) throw new Error(`mariadbd did not answer within 60 s: ${fs.readFileSync(serverLog, 'utf8')}`);
      await sleep(50);
    }
    if (!fs.existsSync(initDone)) throw new Error(`mariadbd did not run all of its init file ${initFile}: ${fs.readFileSync(serverLog, 'utf8')}`);

    // The helper's own queries pass the password in the environment (test-only convenience). The
    // socket needs no TLS: without --skip-ssl the client would load the system CA store each time.
    const rootEnv = { ...process.env, MYSQL_PWD: rootPassword };
    const socketArgs = ['--no-defaults', `--socket=${socket}`, '--user=root', '--skip-ssl', '--batch', '--raw', '--skip-column-names'];
    const query = (sql: string, database?: string) =>
      run(MARIADB_CLIENT, [...socketArgs, ...(database ? [`--database=${database}`] : [])], { input: sql, env: rootEnv });
    const tcpClientArgs = opts.tcpClientArgs ?? ['--skip-ssl'];
    const queryAs = (u: string, password: string, sql: string, database?: string) =>
      run(
        MARIADB_CLIENT,
        ['--no-defaults', '--protocol=TCP', '--host=127.0.0.1', `--port=${port}`, `--user=${u}`, ...tcpClientArgs, '--batch', '--raw', '--skip-column-names', ...(database ? [`--database=${database}`] : [])],
        { input: sql, env: { ...process.env, MYSQL_PWD: password } },
      );
    return { host: '127.0.0.1', port, rootUser: 'root', rootPassword, dir, query, queryAs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
