/**
 * Database initialisation for the DAS flavour: the rendered script creates the four DAS databases
 * and loads the analytics pack's Carbon script into its user-store and registry databases, once,
 * checked in the text and by running it against a real MariaDB on loopback.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderDbInit } from '../config-templates/db-init';
import { DAS_DATABASES, Topology } from '../topology';
import { MariaDb, startMariaDb } from './helpers/mariadb';
import { testTopology } from './helpers/topology';

const DAS_HOME = path.join(__dirname, 'fixtures', 'das');
const MASTER_PASSWORD = 'master-Pw#1';
const APP_PASSWORD = "app'Pw\\2";

function topology(dbHost = 'mysql.internal', dbPort = 3306): Topology {
  return testTopology({ analyticsFlavor: 'das', dbHost, dbPort });
}

describe('DAS db-init script (text)', () => {
  const init = renderDbInit(topology());

  it('creates and grants the four DAS databases', () => {
    for (const db of Object.values(DAS_DATABASES)) {
      expect(init.script).toContain(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET latin1`);
      expect(init.script).toContain(`GRANT ALL PRIVILEGES ON \`${db.replace(/_/g, '\\_')}\`.* TO 'wso2'@'%';`);
    }
  });

  it('loads the analytics dbscripts/mysql.sql into the UM and registry databases only', () => {
    const analytics = init.schemaLoads.filter((l) => l.product === 'analytics');
    expect(analytics.map((l) => `${l.script}>${l.database}`)).toEqual([
      `dbscripts/mysql.sql>${DAS_DATABASES.userStore}`,
      `dbscripts/mysql.sql>${DAS_DATABASES.registry}`,
    ]);
    for (const l of analytics) expect(init.script).toContain(`load_schema 'analytics' 'dbscripts/mysql.sql' '${l.database}'`);
  });
});

describe('DAS db-init script against a real MariaDB', () => {
  let db: MariaDb;
  let work: string;
  let script: string;

  beforeAll(async () => {
    db = await startMariaDb({ rootPassword: MASTER_PASSWORD });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'das-db-init-'));
    script = path.join(work, 'db-init.sh');
    fs.writeFileSync(script, renderDbInit(topology(db.host, db.port)).script, { mode: 0o755 });
  }, 60000);

  afterAll(async () => {
    await db?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function run(): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [script, '--analytics-home', DAS_HOME], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          TMPDIR: work,
          DB_HOST: db.host,
          DB_PORT: String(db.port),
          DB_MASTER_USER: 'root',
          DB_MASTER_PASSWORD: MASTER_PASSWORD,
          DB_APP_PASSWORD: APP_PASSWORD,
          DB_INIT_RETRY_SECONDS: '0.5',
          DB_INIT_POLL_SECONDS: '0.2',
          DB_INIT_CONNECT_TIMEOUT_SECONDS: '20',
          DB_INIT_WAIT_SECONDS: '20',
        },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
  }
  const rows = async (sql: string) => (await db.query(sql)).split('\n').filter(Boolean);
  const tables = () =>
    rows(
      `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${Object.values(DAS_DATABASES)
        .map((d) => `'${d}'`)
        .join(', ')}) ORDER BY 1, 2;`,
    );

  it('creates the DAS databases and loads the Carbon script into UM and registry, once', async () => {
    const r = await run();
    expect({ code: r.code, out: r.out }).toEqual({ code: 0, out: expect.not.stringContaining('ERROR') });
    expect(r.out).toMatch(/done: 2 schema scripts loaded here, 0 already loaded, 6 not present/);
    const schemata = await rows(
      `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'WSO2\\_ANALYTICS\\_%' ORDER BY 1;`,
    );
    expect(schemata).toEqual(Object.values(DAS_DATABASES).sort());
    expect(await tables()).toEqual([
      `${DAS_DATABASES.registry}\tREG_CLUSTER_LOCK`,
      `${DAS_DATABASES.registry}\tUM_TENANT`,
      `${DAS_DATABASES.userStore}\tREG_CLUSTER_LOCK`,
      `${DAS_DATABASES.userStore}\tUM_TENANT`,
    ]);
    // The application user reaches the record-store databases (the analytics data service creates its tables there).
    await db.queryAs('wso2', APP_PASSWORD, 'CREATE TABLE PROBE (ID INT); DROP TABLE PROBE;', DAS_DATABASES.eventStore);
  }, 60000);

  it('a second run loads nothing again', async () => {
    const before = await tables();
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/done: 0 schema scripts loaded here, 2 already loaded, 6 not present/);
    expect(await tables()).toEqual(before);
  }, 60000);
});
