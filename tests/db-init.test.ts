/**
 * The database initialisation script: rendered from the model, checked by the real shellcheck,
 * and run against a real MariaDB (one server for the whole file) — alone, twice, and twice at once.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { renderDbInit, grantDatabase, sqlString } from '../config-templates/db-init';
import { SHELL_DIR, shellQuote } from '../config-templates/shell';
import {
  ANALYTICS_DB_PRIVILEGES,
  AnalyticsFlavor,
  DB_INIT_META_DATABASE,
  DbAccount,
  IS_DATABASES,
  IS_DB_PRIVILEGES,
  DAS_DATABASES,
  SP_DATABASES,
  Topology,
} from '../topology';
import { MariaDb, MARIADB_CLIENT } from './helpers/mariadb';
import { TlsMariaDb, startTlsMariaDb } from './helpers/tls-mariadb';
import { testTopology } from './helpers/topology';
import { writeMysql8StandIn } from './helpers/mysql8-stand-in';

const APP_PASSWORD = 'a\'b"c\\d$e&f<g>%';
const ROTATED_PASSWORD = "n3w'\\pa$$ word#";
/** Leading/trailing space, comment and quote characters: exercises the option-file escaping. */
const MASTER_PASSWORD = ' r"o\'o\\t#;$x ';
/**
 * The IS fixture tree (tests/fixtures/is): its dbscripts/ are shaped like the stock ones and count
 * their own loads in TEST_LOADS.LOADS, which these tests create.
 */
const IS_HOME = path.join(__dirname, 'fixtures', 'is');
/** The DAS fixture tree (tests/fixtures/das), whose dbscripts/mysql.sql is shaped like the stock one. */
const DAS_PRODUCT_HOME = path.join(__dirname, 'fixtures', 'das');
/**
 * The claim tests' DAS script, put over the DAS tree's in a copy (DAS_HOME, made in beforeAll): it
 * counts its own loads like the IS tree's scripts, which the clean-slate tests of the tree's own
 * script below cannot (they drop TEST_LOADS with everything else).
 */
const COUNTING_DAS_SQL = `-- Shaped like a stock dbscripts/mysql.sql: creates one table (no IF NOT EXISTS, as the stock
-- scripts do) and counts its own execution in TEST_LOADS.LOADS, which the test creates.
CREATE TABLE FAKE_DAS_CARBON (
  ID INTEGER NOT NULL AUTO_INCREMENT,
  NAME VARCHAR(255) NOT NULL,
  PRIMARY KEY (ID)
) ENGINE INNODB;
INSERT INTO TEST_LOADS.LOADS (SCRIPT, DB) VALUES ('dbscripts/mysql.sql', DATABASE());
`;

function topology(flavor: AnalyticsFlavor, over: { dbHost?: string; dbPort?: number; dbUser?: string; dbCharacterSet?: string } = {}): Topology {
  return testTopology({ analyticsFlavor: flavor, dbHost: 'wso2-db.example.internal', ...over });
}

function shellcheck(script: string): { status: number | null; out: string } {
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('db-init renderer (pure)', () => {
  it('is deterministic and differs per flavour only in databases and schema loads', () => {
    expect(renderDbInit(topology('sp')).script).toBe(renderDbInit(topology('sp')).script);
    const sp = renderDbInit(topology('sp'));
    const das = renderDbInit(topology('das'));
    expect(das.script).not.toBe(sp.script);
    expect(sp.script).not.toContain(DAS_DATABASES.userStore);
    expect(das.script).toContain(DAS_DATABASES.userStore);
  });

  it('maps every stock script to its database, from the model', () => {
    const pairs = (f: AnalyticsFlavor) =>
      renderDbInit(topology(f)).schemaLoads.map((l) => `${l.product}:${[...(l.preferred ?? []), l.script].join('|')}>${l.database}`);
    const isLoads = [
      `is:dbscripts/mysql5.7.sql|dbscripts/mysql.sql>${IS_DATABASES.userStore}`,
      `is:dbscripts/mysql5.7.sql|dbscripts/mysql.sql>${IS_DATABASES.identity}`,
      `is:dbscripts/identity/mysql-5.7.sql|dbscripts/identity/mysql.sql>${IS_DATABASES.identity}`,
      `is:dbscripts/identity/uma/mysql.sql>${IS_DATABASES.identity}`,
      `is:dbscripts/consent/mysql.sql>${IS_DATABASES.identity}`,
      `is:dbscripts/bps/bpel/create/mysql.sql>${IS_DATABASES.identity}`,
    ];
    expect(pairs('sp')).toEqual(isLoads);
    expect(pairs('das')).toEqual([
      ...isLoads,
      `analytics:dbscripts/mysql5.7.sql|dbscripts/mysql.sql>${DAS_DATABASES.userStore}`,
      `analytics:dbscripts/mysql5.7.sql|dbscripts/mysql.sql>${DAS_DATABASES.registry}`,
    ]);
    const ids = renderDbInit(topology('das')).schemaLoads.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('creates every model database with the character set and its collation, and grants exactly those', () => {
    for (const flavor of ['sp', 'das'] as const) {
      const t = topology(flavor);
      const { script, metaDatabase } = renderDbInit(t);
      for (const db of [...t.db.databases, metaDatabase]) {
        expect(script).toContain(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci;`);
      }
      const grants = script.match(/^GRANT .*$/gm) ?? [];
      const { is, analytics } = t.db.accounts;
      expect(grants).toEqual([
        ...is.databases.map((db) => `GRANT SELECT, INSERT, UPDATE, DELETE ON ${grantDatabase(db)}.* TO 'wso2'@'%';`),
        ...analytics.databases.map((db) => `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON ${grantDatabase(db)}.* TO 'wso2_analytics'@'%';`),
      ]);
      // Every database is granted to exactly one account; the IS account holds the IS databases only.
      expect([...is.databases, ...analytics.databases].sort()).toEqual([...t.db.databases].sort());
      expect(is.databases).toEqual(Object.values(IS_DATABASES));
      expect(script).not.toMatch(/ALL PRIVILEGES|WITH GRANT OPTION|ON \*\.\* TO/);
      expect(is.privileges).toEqual([...IS_DB_PRIVILEGES]);
      expect(analytics.privileges).toEqual([...ANALYTICS_DB_PRIVILEGES]);
      expect(script).toContain(`readonly DEFAULT_DB_HOST='wso2-db.example.internal'`);
      expect(script).toContain(`readonly DEFAULT_DB_PORT='3306'`);
    }
    const utf = renderDbInit(topology('sp', { dbCharacterSet: 'utf8mb4' })).script;
    expect(utf).toContain('CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;');
    expect(utf).not.toContain('latin1');
  });

  it('carries no secret and no placeholder: passwords arrive at run time', () => {
    const { script, env } = renderDbInit(topology('das'));
    expect(script).not.toContain('@@SECRET');
    for (const secret of [APP_PASSWORD, MASTER_PASSWORD, ROTATED_PASSWORD]) expect(script).not.toContain(secret);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['DB_APP_PASSWORD', 'DB_MASTER_PASSWORD', 'DB_DEFAULTS_FILE']));
    for (const name of Object.keys(env)) expect(script).toContain(`#   ${name} `);
  });

  it('passes shellcheck for both flavours', () => {
    for (const flavor of ['sp', 'das'] as const) {
      const r = shellcheck(renderDbInit(topology(flavor)).script);
      expect(r.out).toBe('');
      expect(r.status).toBe(0);
    }
    // The check is real: a classic unquoted expansion is reported.
    expect(shellcheck('#!/usr/bin/env bash\nrm $1\n').status).not.toBe(0);
  });

  it('keeps its fixed body in shell/db-init-prelude.sh, which passes shellcheck as a file and is rendered without its notes', () => {
    const file = path.join(SHELL_DIR, 'db-init-prelude.sh');
    const r = spawnSync('shellcheck', ['--severity=style', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    const notes = text.match(/^(#.*\n)+/)![0];
    const script = renderDbInit(topology('sp')).script;
    expect(script).toContain(`readonly CLAIMS='${DB_INIT_META_DATABASE}.SCHEMA_LOAD'\n${text.slice(notes.length)}\nwait_for_database\n`);
    expect(script).not.toContain(notes.split('\n')[1]);
  });

  it('rejects what it cannot carry safely', () => {
    expect(() => renderDbInit(topology('sp', { dbCharacterSet: 'koi8r' }))).toThrow(/character set koi8r/);
    expect(() => renderDbInit(topology('sp', { dbUser: "x'; DROP" }))).toThrow(/user name/);
    // The analytics account's name (<user>_analytics) must fit MySQL's 32 characters.
    expect(() => topology('sp', { dbUser: 'u'.repeat(23) })).toThrow(/too long/);
    expect(renderDbInit(topology('sp', { dbUser: 'u'.repeat(22) })).script).toContain(`'${'u'.repeat(22)}_analytics'@'%'`);
    const t0 = topology('sp');
    const withAll = { ...t0, db: { ...t0.db, accounts: { ...t0.db.accounts, is: { ...t0.db.accounts.is, privileges: ['ALL PRIVILEGES'] } } } };
    expect(() => renderDbInit(withAll)).toThrow(/cannot be granted/);
    const shared = { ...t0, db: { ...t0.db, accounts: { ...t0.db.accounts, analytics: { ...t0.db.accounts.analytics, databases: [IS_DATABASES.identity] } } } };
    expect(() => renderDbInit(shared)).toThrow(/granted to two accounts/);
    const t = topology('sp');
    const clash = { ...t, db: { ...t.db, databases: [...t.db.databases, DB_INIT_META_DATABASE] } };
    expect(() => renderDbInit(clash)).toThrow(/reserved/);
    const missing = { ...t, db: { ...t.db, databases: t.db.databases.filter((d) => d !== IS_DATABASES.identity) } };
    expect(() => renderDbInit(missing)).toThrow(/does not create/);
  });

  it('quotes shell words and SQL literals so that bash and the server read them back unchanged', () => {
    // One bash reads them all back, each word ended by a NUL (which no word holds).
    const words = [APP_PASSWORD, "'wso2'@'%'", 'plain', "it's", '$(touch /tmp/x) `y` "z" !a', ''];
    const r = spawnSync('bash', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(r.stdout.split('\0')).toEqual([...words, '']);
    expect(sqlString("a'b\\c")).toBe("'a''b\\\\c'");
    expect(grantDatabase('WSO2_IDENTITY_DB')).toBe('`WSO2\\_IDENTITY\\_DB`');
  });
});

interface Run {
  code: number | null;
  out: string;
  ms: number;
}

describe('db-init script against a real MariaDB', () => {
  let db: MariaDb;
  let tls: TlsMariaDb;
  let work: string;
  const scripts: Record<AnalyticsFlavor, string> = { sp: '', das: '' };
  let argvLog: string;
  /** A copy of the DAS tree with COUNTING_DAS_SQL as its dbscripts/mysql.sql. */
  let DAS_HOME: string;
  let clientWrapper: string;
  const runs: Run[] = [];

  beforeAll(async () => {
    // TLS only, as our databases: every run below verifies the server against the test CA.
    tls = await startTlsMariaDb({ rootPassword: MASTER_PASSWORD, requireTls: true });
    db = tls.db;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'db-init-test-'));
    DAS_HOME = path.join(work, 'das-home');
    fs.cpSync(DAS_PRODUCT_HOME, DAS_HOME, { recursive: true });
    fs.writeFileSync(path.join(DAS_HOME, 'dbscripts', 'mysql.sql'), COUNTING_DAS_SQL);
    for (const flavor of ['sp', 'das'] as const) {
      // The model's endpoint is the test server, so the defaults (not DB_HOST/DB_PORT) are exercised.
      scripts[flavor] = path.join(work, `db-init-${flavor}.sh`);
      fs.writeFileSync(scripts[flavor], renderDbInit(topology(flavor, { dbHost: db.host, dbPort: db.port })).script, { mode: 0o755 });
    }
    // Records every client command line and whether a password variable leaked into its environment.
    // POSIX sh (dash): the wrapper runs before each of the ~300 client calls of this file.
    argvLog = path.join(work, 'argv.log');
    clientWrapper = path.join(work, 'client');
    fs.writeFileSync(
      clientWrapper,
      [
        '#!/bin/sh',
        'printf "argv:%s\\n" "$*" >>"$ARGV_LOG"',
        'printf "env:%s\\n" "${DB_APP_PASSWORD+app}${DB_MASTER_PASSWORD+master}" >>"$ARGV_LOG"',
        `exec ${MARIADB_CLIENT} "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await db.query('CREATE DATABASE TEST_LOADS; CREATE TABLE TEST_LOADS.LOADS (SCRIPT VARCHAR(255), DB VARCHAR(64));');
  });

  afterAll(async () => {
    await tls?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Runs the rendered script; `onOutput` sees the output so far whenever more arrives. */
  function runScript(flavor: AnalyticsFlavor, args: string[], env: Record<string, string> = {}, onOutput?: (out: string) => void): Promise<Run> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [scripts[flavor], ...args], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          TMPDIR: work,
          ARGV_LOG: argvLog,
          DB_CLIENT: clientWrapper,
          DB_MASTER_USER: 'root',
          DB_MASTER_PASSWORD: MASTER_PASSWORD,
          DB_APP_PASSWORD: APP_PASSWORD,
          DB_SSL_CA: tls.caFile,
          DB_INIT_POLL_SECONDS: '0.5',
          DB_INIT_RETRY_SECONDS: '0.5',
          // A test that cannot connect fails in seconds rather than at the jest timeout.
          DB_INIT_CONNECT_TIMEOUT_SECONDS: '10',
          DB_INIT_WAIT_SECONDS: '30',
          ...env,
        },
      });
      let out = '';
      const more = (d: Buffer) => {
        out += d;
        onOutput?.(out);
      };
      child.stdout.on('data', more);
      child.stderr.on('data', more);
      child.on('error', reject);
      child.on('close', (code) => {
        const r = { code, out, ms: Date.now() - started };
        runs.push(r);
        resolve(r);
      });
    });
  }

  const rows = async (sql: string) => (await db.query(sql)).split('\n').filter(Boolean);
  /**
   * Several queries in ONE client session (a client start costs more than the queries), each
   * answer on its own: the rows of each query, a marker row between one answer and the next.
   */
  const answersOf = async (run: (sql: string) => Promise<string>, queries: string[]): Promise<string[][]> => {
    const marker = '-- next answer --';
    const out = await run(queries.map((q) => q.trim()).join(`\nSELECT '${marker}';\n`) + '\n');
    const answers = out.split(`${marker}\n`).map((a) => a.split('\n').filter(Boolean));
    if (answers.length !== queries.length) throw new Error(`${queries.length} queries, ${answers.length} answers: ${out}`);
    return answers;
  };
  /** `answersOf` as root. */
  const rowSets = (...queries: string[]) => answersOf((sql) => db.query(sql), queries);
  const LOAD_COUNTS_SQL = 'SELECT SCRIPT, DB, COUNT(*) FROM TEST_LOADS.LOADS GROUP BY SCRIPT, DB ORDER BY DB, SCRIPT;';
  const FAKE_TABLES_SQL = "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME LIKE 'FAKE\\_%' ORDER BY 1, 2;";
  const CLAIMS_SQL = `SELECT LOAD_ID, STATE FROM ${DB_INIT_META_DATABASE}.SCHEMA_LOAD ORDER BY LOAD_ID;`;
  const PRIVILEGES_SQL =
    "SELECT GRANTEE, '*', PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE LIKE '''wso2%' " +
    "UNION ALL SELECT GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE LIKE '''wso2%'";
  const fakeTables = () => rows(FAKE_TABLES_SQL);
  const claims = () => rows(CLAIMS_SQL);
  /** Load counts, tables, claims and privileges in one client call: what a run that changes nothing leaves as it found. */
  const everything = () => db.query([LOAD_COUNTS_SQL, FAKE_TABLES_SQL, CLAIMS_SQL, `${PRIVILEGES_SQL} ORDER BY 1, 2, 3, 4;`].join('\n'));
  const spTopology = () => topology('sp');
  /** Every global and database-level privilege of the application accounts, as `grantee scope privilege grantable`, sorted. */
  const privileges = async () => (await rows(`${PRIVILEGES_SQL};`)).sort();
  /** What `privileges()` shows when the accounts hold exactly the model's grants. */
  const expectedPrivileges = (accounts: DbAccount[]) =>
    accounts
      .flatMap((a) => [
        `'${a.user}'@'%'\t*\tUSAGE\tNO`,
        ...a.databases.flatMap((d) => a.privileges.map((p) => `'${a.user}'@'%'\t${d.replace(/_/g, '\\_')}\t${p}\tNO`)),
      ])
      .sort();

  /**
   * Runs each statement (one per line) as `user` in ONE client session that goes on after an error
   * (--force): a client start per statement costs more than the statements. The error each line
   * gave, in order ('' for a line that succeeded).
   */
  const errorsPerLine = (user: string, password: string, statements: string[], database?: string): Promise<string[]> =>
    new Promise((resolve, reject) => {
      // TLS verified against the test CA, as queryAs (without a CA file the client loads the system's store).
      const tlsArgs = ['--ssl', `--ssl-ca=${tls.caFile}`, '--ssl-verify-server-cert'];
      const args = ['--no-defaults', '--protocol=TCP', `--host=${db.host}`, `--port=${db.port}`, `--user=${user}`, ...tlsArgs, '--batch', '--force', ...(database ? [`--database=${database}`] : [])];
      const child = spawn(MARIADB_CLIENT, args, { env: { ...process.env, MYSQL_PWD: password } });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.stdout.resume();
      child.on('error', reject);
      child.on('close', () => {
        const byLine = statements.map(() => '');
        for (const m of err.matchAll(/^ERROR \d+ \(\w+\) at line (\d+): (.*)$/gm)) byLine[Number(m[1]) - 1] = m[2];
        resolve(byLine);
      });
      child.stdin.end(statements.join('\n') + '\n');
    });
  /** Expects every statement to be refused with an access error. */
  const expectAllDenied = async (user: string, statements: string[], database?: string) =>
    expect(await errorsPerLine(user, APP_PASSWORD, statements, database)).toEqual(statements.map(() => expect.stringMatching(/denied/)));

  it('without a product home: creates the databases and the user, loads nothing', async () => {
    const r = await runScript('sp', []);
    expect(r.out).toMatch(/done: 0 schema scripts loaded here, 0 already loaded, 6 not present/);
    expect(r.code).toBe(0);
    // A home without dbscripts/ is just as fine.
    const empty = await runScript('sp', ['--is-home', path.join(work, 'no-such-home')]);
    expect(empty.code).toBe(0);
    expect(empty.out).toContain('is not present');

    const t = spTopology();
    const [schemata, tables, claimRows] = await rowSets(
      `SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys', 'TEST_LOADS') ORDER BY 1;`,
      FAKE_TABLES_SQL,
      CLAIMS_SQL,
    );
    expect(schemata).toEqual([...t.db.databases, DB_INIT_META_DATABASE].sort().map((d) => `${d}\tlatin1\tlatin1_swedish_ci`));
    expect(tables).toEqual([]);
    expect(claimRows).toEqual([]);
  });

  it('grants each role its own account with exactly the model privileges on its databases: nothing global, no GRANT OPTION', async () => {
    const { is, analytics } = spTopology().db.accounts;
    const [privilegeRows, isGrants, analyticsGrants, users] = await rowSets(
      `${PRIVILEGES_SQL};`,
      ...[is, analytics].map((a) => `SHOW GRANTS FOR '${a.user}'@'%';`),
      "SELECT User FROM mysql.user WHERE User LIKE 'wso2%' ORDER BY 1;",
    );
    expect(privilegeRows.sort()).toEqual(expectedPrivileges([is, analytics]));
    for (const [a, shown] of [[is, isGrants], [analytics, analyticsGrants]] as const) {
      const grants = shown.map((g) => g.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''));
      expect(grants).toContain(`GRANT USAGE ON *.* TO \`${a.user}\`@\`%\``);
      expect(grants.join('\n')).not.toMatch(/ALL PRIVILEGES|GRANT OPTION/);
      expect(grants).toHaveLength(1 + a.databases.length);
    }
    expect(users).toEqual(['wso2', 'wso2_analytics']);
  });

  it('the IS account reads and writes rows of the IS databases, and can do nothing more', async () => {
    await db.query(`CREATE TABLE ${IS_DATABASES.identity}.PRIV_PROBE (ID INT PRIMARY KEY, V VARCHAR(10));`);
    // What IS does at run time: plain DML on the tables the stock scripts created (one session,
    // which stops at the first error and then rejects).
    const [user, dml, read, userStore] = await answersOf((sql) => db.queryAs('wso2', APP_PASSWORD, sql, IS_DATABASES.identity), [
      'SELECT CURRENT_USER();',
      "INSERT INTO PRIV_PROBE VALUES (1, 'a'); UPDATE PRIV_PROBE SET V = 'b' WHERE ID = 1; DELETE FROM PRIV_PROBE WHERE ID = 2;",
      'SELECT ID, V FROM PRIV_PROBE;',
      `USE \`${IS_DATABASES.userStore}\`; SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES;`,
    ]);
    expect([user, dml, read, userStore]).toEqual([['wso2@%'], [], ['1\tb'], [expect.stringMatching(/^\d+$/)]]);
    // No DDL, no GRANT, no temporary tables, locks or routines (one session, each statement refused);
    // not the analytics databases, the bookkeeping database or the server's own.
    await expectAllDenied('wso2', [
      'CREATE TABLE X (ID INT);',
      'DROP TABLE PRIV_PROBE;',
      'ALTER TABLE PRIV_PROBE ADD COLUMN W INT;',
      'CREATE INDEX PRIV_PROBE_V ON PRIV_PROBE (V);',
      'TRUNCATE TABLE PRIV_PROBE;',
      'CREATE TEMPORARY TABLE T (ID INT);',
      'LOCK TABLES PRIV_PROBE WRITE;',
      'CREATE PROCEDURE P() SELECT 1;',
      'CREATE VIEW V AS SELECT 1;',
      `GRANT SELECT ON \`${IS_DATABASES.identity}\`.* TO 'wso2_analytics'@'%';`,
      `CREATE DATABASE WSO2_OTHER_DB;`,
      `CREATE USER 'x'@'%' IDENTIFIED BY 'x';`,
      ...[SP_DATABASES.isAnalytics, SP_DATABASES.dashboard, DB_INIT_META_DATABASE, 'mysql'].map((other) => `USE \`${other}\`;`),
      'SELECT User FROM mysql.user;',
    ], IS_DATABASES.identity);
    await db.query(`DROP TABLE ${IS_DATABASES.identity}.PRIV_PROBE;`);
  });

  it('the analytics account creates, alters, indexes and drops its own tables, and reaches nothing else', async () => {
    const as = (sql: string, database?: string) => db.queryAs('wso2_analytics', APP_PASSWORD, sql, database);
    // Shaped like the Siddhi RDBMS store's and the coordination tables' own DDL, in each own
    // database, in one session (it stops at the first error, which rejects).
    const own = spTopology().db.accounts.analytics.databases;
    const counts = await as(
      own
        .flatMap((d) => [
          `USE \`${d}\`;`,
          'CREATE TABLE IF NOT EXISTS PROBE (ID VARCHAR(254), TS BIGINT, PRIMARY KEY (ID));',
          'CREATE INDEX PROBE_INDEX ON PROBE (TS);',
          'ALTER TABLE PROBE ADD COLUMN EXTRA VARCHAR(10);',
          "INSERT INTO PROBE VALUES ('a', 1, 'x'); UPDATE PROBE SET TS = 2; DELETE FROM PROBE WHERE TS = 3;",
          'SELECT COUNT(*) FROM PROBE;',
          'DROP INDEX PROBE_INDEX ON PROBE;',
          'DROP TABLE PROBE;',
        ])
        .join('\n'),
    );
    expect(counts).toBe('1\n'.repeat(own.length));
    await expectAllDenied('wso2_analytics', [
      `GRANT SELECT ON \`${SP_DATABASES.isAnalytics}\`.* TO 'wso2'@'%';`,
      'CREATE DATABASE WSO2_OTHER_DB;',
      ...[...Object.values(IS_DATABASES), DB_INIT_META_DATABASE, 'mysql'].map((other) => `USE \`${other}\`;`),
    ], SP_DATABASES.isAnalytics);
  });

  it('escapes the grant patterns: a look-alike database is not covered; wrong passwords are refused', async () => {
    await db.query('CREATE DATABASE WSO2xIDENTITYxDB; CREATE DATABASE IS_ANALYTICSxDB;');
    await expect(db.queryAs('wso2', APP_PASSWORD, 'SELECT 1', 'WSO2xIDENTITYxDB')).rejects.toThrow(/denied/);
    await expect(db.queryAs('wso2_analytics', APP_PASSWORD, 'SELECT 1', 'IS_ANALYTICSxDB')).rejects.toThrow(/denied/);
    await expect(db.queryAs('wso2', 'wrong', 'SELECT 1')).rejects.toThrow(/denied/);
  });

  it('fails loudly on a broken schema script and releases its claim for a later run', async () => {
    const broken = path.join(work, 'broken-home');
    fs.mkdirSync(path.join(broken, 'dbscripts'), { recursive: true });
    fs.writeFileSync(path.join(broken, 'dbscripts', 'mysql.sql'), 'SELECT * FROM NO_SUCH_TABLE;\n');
    const r = await runScript('sp', ['--is-home', broken]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/ERROR: loading .*dbscripts\/mysql\.sql into WSO2UMDB failed/);
    expect(await claims()).toEqual([]);
  });

  it('two nodes at once: both succeed, each schema is loaded exactly once (5.7+ variant preferred), into the right database', async () => {
    const [a, b] = await Promise.all([runScript('sp', ['--is-home', IS_HOME]), runScript('sp', [], { WSO2_IS_HOME: IS_HOME })]);
    expect(a.out + b.out).not.toContain('ERROR');
    expect([a.code, b.code]).toEqual([0, 0]);
    const loadedHere = (r: Run) => (r.out.match(/: loaded /g) ?? []).length;
    expect(loadedHere(a) + loadedHere(b)).toBe(6);
    // The slow first script kept its claim while the other node looked: someone waited.
    expect(a.out + b.out).toMatch(/waiting: \S+ is loading dbscripts\/mysql\.sql -> WSO2UMDB/);

    const [counts, tables, claimRows] = await rowSets(LOAD_COUNTS_SQL, FAKE_TABLES_SQL, CLAIMS_SQL);
    expect(counts).toEqual([
      'dbscripts/mysql.sql\tWSO2UMDB\t1',
      'dbscripts/bps/bpel/create/mysql.sql\tWSO2_IDENTITY_DB\t1',
      'dbscripts/consent/mysql.sql\tWSO2_IDENTITY_DB\t1',
      'dbscripts/identity/mysql-5.7.sql\tWSO2_IDENTITY_DB\t1',
      'dbscripts/identity/uma/mysql.sql\tWSO2_IDENTITY_DB\t1',
      'dbscripts/mysql.sql\tWSO2_IDENTITY_DB\t1',
    ]);
    expect(tables).toEqual([
      'WSO2UMDB\tFAKE_CARBON',
      'WSO2_IDENTITY_DB\tFAKE_BPS',
      'WSO2_IDENTITY_DB\tFAKE_CARBON',
      'WSO2_IDENTITY_DB\tFAKE_CONSENT',
      'WSO2_IDENTITY_DB\tFAKE_IDN57',
      'WSO2_IDENTITY_DB\tFAKE_UMA',
    ]);
    expect(claimRows).toEqual(renderDbInit(spTopology()).schemaLoads.map((l) => `${l.id}\tdone`).sort());
  });

  it('a second run changes nothing', async () => {
    const before = await everything();
    expect(before).toContain('WSO2UMDB\tFAKE_CARBON');
    const r = await runScript('sp', ['--is-home', IS_HOME]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('done: 0 schema scripts loaded here, 6 already loaded, 0 not present');
    expect(r.out).not.toContain('revoking');
    expect(await everything()).toBe(before);
  });

  it('an existing stack with the old broader grants converges to exactly the new ones, also with two nodes at once', async () => {
    const t = spTopology();
    const { is, analytics } = t.db.accounts;
    // What earlier versions granted (ALL PRIVILEGES on every database, to the one account), and then some.
    const [widened] = await rowSets(
      [
        ...t.db.databases.map((d) => `GRANT ALL PRIVILEGES ON ${grantDatabase(d)}.* TO 'wso2'@'%' WITH GRANT OPTION;`),
        `GRANT ALL PRIVILEGES ON \`${IS_DATABASES.identity}\`.* TO 'wso2'@'%';`,
        `GRANT ALL PRIVILEGES ON ${DB_INIT_META_DATABASE}.* TO 'wso2'@'%';`,
        "GRANT PROCESS, SELECT ON *.* TO 'wso2'@'%';",
        `GRANT ALL PRIVILEGES ON ${grantDatabase(IS_DATABASES.userStore)}.* TO 'wso2_analytics'@'%';`,
        "GRANT SELECT ON `mysql`.* TO 'wso2_analytics'@'%' WITH GRANT OPTION;",
        `${PRIVILEGES_SQL};`,
      ].join('\n'),
    );
    expect(widened.sort()).not.toEqual(expectedPrivileges([is, analytics]));
    const [a, b] = await Promise.all([runScript('sp', ['--is-home', IS_HOME]), runScript('sp', ['--is-home', IS_HOME])]);
    expect([a.code, b.code, a.out + b.out]).toEqual([0, 0, expect.not.stringContaining('ERROR')]);
    expect(a.out + b.out).toMatch(/revoking \d+ privileges beyond the model's/);
    expect(await privileges()).toEqual(expectedPrivileges([is, analytics]));
    await expect(db.queryAs('wso2', APP_PASSWORD, 'CREATE TABLE X (ID INT);', IS_DATABASES.identity)).rejects.toThrow(/denied/);
    // Converged: the next run has nothing to revoke.
    const again = await runScript('sp', []);
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('revoking');
  });

  it('converges a rotated application password (read from a file)', async () => {
    const pwFile = path.join(work, 'app-password');
    fs.writeFileSync(pwFile, ROTATED_PASSWORD + '\n', { mode: 0o600 });
    const r = await runScript('sp', [], { DB_APP_PASSWORD: '', DB_APP_PASSWORD_FILE: pwFile });
    expect(r.code).toBe(0);
    expect(await db.queryAs('wso2', ROTATED_PASSWORD, 'SELECT CURRENT_USER();')).toBe('wso2@%\n');
    expect(await db.queryAs('wso2_analytics', ROTATED_PASSWORD, 'SELECT CURRENT_USER();')).toBe('wso2_analytics@%\n');
    await expect(db.queryAs('wso2', APP_PASSWORD, 'SELECT 1')).rejects.toThrow(/denied/);
    // And back, from the environment.
    expect((await runScript('sp', [])).code).toBe(0);
    expect(await db.queryAs('wso2', APP_PASSWORD, 'SELECT CURRENT_USER();')).toBe('wso2@%\n');
  });

  it('waits for another node holding a fresh claim, and gives up after the bounded wait', async () => {
    const id = `analytics:dbscripts/mysql.sql@${DAS_DATABASES.userStore}`;
    await db.query(`INSERT INTO ${DB_INIT_META_DATABASE}.SCHEMA_LOAD VALUES ('${id}', 'claimed', 'other-node:42:7', NOW(), NULL);`);
    // Polls every half second: a few looks at the claim within the bounded wait make the proof.
    const r = await runScript('das', ['--is-home', IS_HOME, '--analytics-home', DAS_HOME], { DB_INIT_WAIT_SECONDS: '2', DB_INIT_POLL_SECONDS: '0.5' });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/waiting: other-node:42:7 is loading dbscripts\/mysql\.sql -> WSO2_ANALYTICS_UM_DB/);
    expect(r.out).toMatch(/ERROR: gave up after 2s waiting for other-node:42:7/);
    expect(await fakeTables()).not.toContain(`${DAS_DATABASES.userStore}\tFAKE_DAS_CARBON`);
  });

  it('takes over a stale claim (a node that died mid-load), with credentials from an option file', async () => {
    const id = `analytics:dbscripts/mysql.sql@${DAS_DATABASES.userStore}`;
    await db.query(`UPDATE ${DB_INIT_META_DATABASE}.SCHEMA_LOAD SET CLAIMED_AT = NOW() - INTERVAL 2 HOUR WHERE LOAD_ID = '${id}';`);
    const cnf = path.join(work, 'master.cnf');
    const quoted = MASTER_PASSWORD.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    fs.writeFileSync(cnf, `[client]\nuser=root\npassword="${quoted}"\n`, { mode: 0o600 });
    const r = await runScript('das', ['--analytics-home', DAS_HOME], {
      DB_MASTER_USER: '',
      DB_MASTER_PASSWORD: '',
      DB_DEFAULTS_FILE: cnf,
      DB_INIT_STALE_SECONDS: '60',
    });
    expect(r.out).toMatch(/WARNING: took over a stale claim on dbscripts\/mysql\.sql -> WSO2_ANALYTICS_UM_DB \(\d+s old, by other-node:42:7\)/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('done: 2 schema scripts loaded here, 0 already loaded, 6 not present');
    const [tables, counts] = await rowSets(FAKE_TABLES_SQL, LOAD_COUNTS_SQL);
    const das = tables.filter((x) => x.startsWith('WSO2_ANALYTICS'));
    expect(das).toEqual([`${DAS_DATABASES.registry}\tFAKE_DAS_CARBON`, `${DAS_DATABASES.userStore}\tFAKE_DAS_CARBON`]);
    expect(counts.filter((x) => x.includes('WSO2_ANALYTICS'))).toEqual([
      `dbscripts/mysql.sql\t${DAS_DATABASES.registry}\t1`,
      `dbscripts/mysql.sql\t${DAS_DATABASES.userStore}\t1`,
    ]);
  });

  it('refuses wrong master credentials at once, without echoing them', async () => {
    const r = await runScript('sp', [], { DB_MASTER_PASSWORD: 'wrong-master-pw' });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/ERROR: the database refused the master credentials: ERROR 1045/);
    expect(r.out).not.toContain('wrong-master-pw');
  });

  it('keeps retrying while the database is not up yet (RDS still starting), then proceeds', async () => {
    // A port nothing listens on yet; a forwarder to the server appears there once the script found it closed.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const sockets: net.Socket[] = [];
    const forwarder = net.createServer((c) => {
      const upstream = net.connect(db.port, db.host);
      sockets.push(c, upstream);
      c.pipe(upstream).pipe(c);
      c.on('error', () => upstream.destroy());
      upstream.on('error', () => c.destroy());
    });
    let refused!: () => void;
    const firstRefusal = new Promise<void>((r) => (refused = r));
    const running = runScript('sp', [], { DB_PORT: String(port), DB_INIT_RETRY_SECONDS: '0.3' }, (out) => {
      if (out.includes(`waiting for database 127.0.0.1:${port}: ERROR 2002`)) refused();
    });
    await Promise.race([firstRefusal, running]);
    await new Promise<void>((r) => forwarder.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await running;
      expect(r.out).toMatch(new RegExp(`waiting for database 127\\.0\\.0\\.1:${port}: ERROR 2002[\\s\\S]*database 127\\.0\\.0\\.1:${port} answers`));
      expect(r.code).toBe(0);
    } finally {
      sockets.forEach((x) => x.destroy());
      await new Promise<void>((r) => forwarder.close(() => r()));
    }
  });

  it('retries an unreachable database for a bounded time, then fails', async () => {
    const r = await runScript('sp', [], { DB_PORT: '1', DB_INIT_CONNECT_TIMEOUT_SECONDS: '2' });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/waiting for database 127\.0\.0\.1:1: ERROR 2002/);
    expect(r.out).toMatch(/ERROR: database 127\.0\.0\.1:1 did not answer within 2s/);
    expect(r.ms).toBeLessThan(20000);
    const noCreds = await runScript('sp', [], { DB_MASTER_USER: '' });
    expect(noCreds.code).not.toBe(0);
    expect(noCreds.out).toContain('set DB_DEFAULTS_FILE, or DB_MASTER_USER and DB_MASTER_PASSWORD');
  });

  it('verifies the server: over TLS with the right CA; another CA, or none, fails at once and says why', async () => {
    const ok = await runScript('sp', []);
    expect(ok.code).toBe(0);
    const wrong = await runScript('sp', [], { DB_SSL_CA: tls.otherCaFile, DB_INIT_CONNECT_TIMEOUT_SECONDS: '60' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toMatch(/ERROR: TLS to 127\.0\.0\.1:\d+ failed; is the server's certificate issued by a CA in DB_SSL_CA \(\S+other-ca\.pem\) for this host name\? ERROR 2026/);
    // No retries until the connect timeout: a certificate does not start to verify.
    expect(wrong.ms).toBeLessThan(15000);
    const none = await runScript('sp', [], { DB_SSL_CA: '' });
    expect([none.code, none.out]).toEqual([1, expect.stringContaining("set DB_SSL_CA to the CA file that verifies the database server's certificate")]);
    const missing = await runScript('sp', [], { DB_SSL_CA: path.join(work, 'absent.pem') });
    expect([missing.code, missing.out]).toEqual([1, expect.stringMatching(/DB_SSL_CA \(\S+absent\.pem\) is not a readable file/)]);
  });

  it('asks a MySQL 8 client (the Kubernetes Job\'s image) for VERIFY_IDENTITY against DB_SSL_CA', async () => {
    const mysql8 = path.join(work, 'mysql8');
    const log = path.join(work, 'mysql8.log');
    writeMysql8StandIn(mysql8);
    const r = await runScript('sp', [], { DB_CLIENT: mysql8 });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/ERROR: TLS to 127\.0\.0\.1:\d+ failed; .* SSL connection error/);
    expect(fs.readFileSync(log, 'utf8')).toMatch(new RegExp(`^--defaults-extra-file=\\S+ --protocol=TCP --host=127\\.0\\.0\\.1 --port=\\d+ --ssl-mode=VERIFY_IDENTITY --ssl-ca=${tls.caFile.replace(/[.]/g, '\\.')} --connect-timeout=10 `));
  });

  it('never puts a secret on a client command line, in a client environment or in a log line', async () => {
    expect(runs.length).toBeGreaterThan(10);
    const log = fs.readFileSync(argvLog, 'utf8');
    expect(log).toMatch(/argv:--defaults-extra-file=\S+ --protocol=TCP --host=\S+ --port=\d+ --ssl --ssl-ca=\S+ --ssl-verify-server-cert /);
    expect(log.split('\n').filter((l) => l.startsWith('env:') && l !== 'env:')).toEqual([]);
    for (const secret of [APP_PASSWORD, ROTATED_PASSWORD, MASTER_PASSWORD.trim(), 'wrong-master-pw']) {
      expect(log).not.toContain(secret);
      for (const r of runs) expect(r.out).not.toContain(secret);
    }
    // The script's temporary option file is gone after each run.
    expect(fs.readdirSync(work).filter((f) => f.startsWith('db-init.'))).toEqual([]);
  });

  // The DAS flavour with the product-shaped fixture (tests/fixtures/das), on this same server
  // emptied of everything the runs above created: the script sees what a fresh server shows it.
  describe('DAS flavour, from a clean slate', () => {
    const DAS_APP_PASSWORD = "app'Pw\\2";
    const dasRun = () => runScript('das', ['--analytics-home', DAS_PRODUCT_HOME], { DB_APP_PASSWORD: DAS_APP_PASSWORD });
    const DAS_TABLES_SQL = `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${Object.values(DAS_DATABASES)
      .map((d) => `'${d}'`)
      .join(', ')}) ORDER BY 1, 2;`;
    const dasTables = () => rows(DAS_TABLES_SQL);

    beforeAll(async () => {
      const created = await rows(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys');",
      );
      const [left] = await rowSets(
        [...created.map((d) => `DROP DATABASE \`${d}\`;`), "DROP USER IF EXISTS 'wso2'@'%', 'wso2_analytics'@'%';", "SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'wso2%';"].join('\n'),
      );
      expect(left).toEqual(['0']);
    });

    it('creates the DAS databases and loads the Carbon script into UM and registry, once', async () => {
      const r = await dasRun();
      expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.not.stringContaining('ERROR') });
      expect(r.out).toMatch(/done: 2 schema scripts loaded here, 0 already loaded, 6 not present/);
      const [schemata, tables, privilegeRows] = await rowSets(
        `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'WSO2\\_ANALYTICS\\_%' ORDER BY 1;`,
        DAS_TABLES_SQL,
        `${PRIVILEGES_SQL};`,
      );
      expect(schemata).toEqual(Object.values(DAS_DATABASES).sort());
      expect(tables).toEqual([
        `${DAS_DATABASES.registry}\tREG_CLUSTER_LOCK`,
        `${DAS_DATABASES.registry}\tUM_TENANT`,
        `${DAS_DATABASES.userStore}\tREG_CLUSTER_LOCK`,
        `${DAS_DATABASES.userStore}\tUM_TENANT`,
      ]);
      const { is, analytics } = topology('das').db.accounts;
      expect(privilegeRows.sort()).toEqual(expectedPrivileges([is, analytics]));
      expect(analytics.databases).toEqual(Object.values(DAS_DATABASES));
      // The analytics data service's record store (rdbms-config.xml, mysql): tables and indexes
      // created on first use, dropped with their indexes when an analytics table is deleted. One
      // session (it stops at the first error, which rejects), in each store in turn.
      const stores = await answersOf((sql) => db.queryAs('wso2_analytics', DAS_APP_PASSWORD, sql), [
        ...[DAS_DATABASES.eventStore, DAS_DATABASES.processedDataStore].map((store) =>
          [
            `USE \`${store}\`;`,
            "CREATE TABLE ANX_PROBE (record_id VARCHAR(128), timestamp BIGINT, data LONGBLOB, partition_key INT, PRIMARY KEY(record_id)) ENGINE='InnoDB';",
            'CREATE INDEX ANX_PROBE_TIMESTAMP ON ANX_PROBE (timestamp);',
            "INSERT INTO ANX_PROBE VALUES ('r', 1, 'd', 0) ON DUPLICATE KEY UPDATE timestamp = VALUES(timestamp);",
            'DELETE FROM ANX_PROBE WHERE timestamp >= 0 AND timestamp < 2;',
            'DROP INDEX ANX_PROBE_TIMESTAMP ON ANX_PROBE;',
            'DROP TABLE IF EXISTS ANX_PROBE;',
            'SELECT DATABASE();',
          ].join('\n'),
        ),
        // The Carbon user store and registry of the analytics nodes are theirs; the IS account does not reach them.
        `USE \`${DAS_DATABASES.userStore}\`; SELECT COUNT(*) FROM UM_TENANT;`,
      ]);
      expect(stores).toEqual([[DAS_DATABASES.eventStore], [DAS_DATABASES.processedDataStore], ['0']]);
      await expect(db.queryAs('wso2', DAS_APP_PASSWORD, 'SELECT 1', DAS_DATABASES.userStore)).rejects.toThrow(/denied/);
    });

    it('a second run loads nothing again', async () => {
      const before = await dasTables();
      const r = await dasRun();
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/done: 0 schema scripts loaded here, 2 already loaded, 6 not present/);
      expect(await dasTables()).toEqual(before);
    });
  });
});
