/**
 * IS Analytics (Stream Processor flavour) change sets, applied by the real applier to our own
 * fixture and to a temp copy of the shipped 5.8.0 files, then read back with `yaml`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { applyChangeSet } from '../applier/apply';
import { DEFAULT_PORTS, jdbcUrl, NodeId, Ports, SECRET_PLACEHOLDER_RE, Topology } from '../topology';
import { renderAnalyticsChangeSet } from '../config-templates/analytics';
import {
  DASHBOARD_DEPLOYMENT_YAML,
  DB_PERSISTENCE_STORE,
  renderSpChangeSet,
  WORKER_DEPLOYMENT_YAML,
} from '../config-templates/analytics-sp';
import { NodeChangeSet } from '../config-templates/types';
import {
  ANALYTICS_JAVA_SECURITY_FILE,
  OUR_SSL_PROPERTIES,
  START_SCRIPTS,
  STOCK_SSL_PROPERTIES,
} from '../config-templates/analytics-keystores';
import { TLS_CIPHER_LIST, TLS_PROTOCOLS } from '../config-templates/keystores';
import { testTopology } from './helpers/topology';

const FIXTURE = path.join(__dirname, 'fixtures', 'analytics');
const REFERENCE = '/work/shared/reference/wso2is-analytics-5.8.0';

/** Non-default ports, so the test shows config overrides reach the files. */
const PORTS: Ports = {
  ...DEFAULT_PORTS,
  thrift: 17612,
  thriftSsl: 17712,
  binary: 19611,
  binarySsl: 19711,
  workerHttp: 19090,
  workerHttps: 19091,
  eventSync: 19893,
  dashboard: 19643,
};
const ADDRESSES: Record<NodeId, string> = {
  'is-1': '10.0.1.10',
  'is-2': '10.0.2.10',
  'analytics-1': '10.0.1.20',
  'analytics-2': '10.0.2.20',
};

function topology(flavor: 'sp' | 'das' = 'sp'): Topology {
  return testTopology({ analyticsFlavor: flavor, ports: PORTS, addresses: ADDRESSES });
}

const t = topology();
const tmpDirs: string[] = [];

function copyHome(src: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-sp-'));
  tmpDirs.push(dir);
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}
const read = (home: string, rel: string) => fs.readFileSync(path.join(home, rel), 'utf8');

type Y = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function datasourceNames(doc: Y): string[] {
  return (doc['wso2.datasources'].dataSources as Y[]).map((d) => d.name);
}
function datasource(doc: Y, name: string): Y {
  const hits = (doc['wso2.datasources'].dataSources as Y[]).filter((d) => d.name === name);
  expect(hits).toHaveLength(1);
  return hits[0];
}
/**
 * The comments of a YAML text: whole-line and trailing ones (the YAML library moves a comment
 * indented deeper than the next key to the end of the previous line; the text survives).
 */
function comments(s: string): string[] {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    const unquoted = line.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, (q) => ' '.repeat(q.length));
    const m = /(^|\s)#/.exec(unquoted);
    if (m) out.push(line.slice(m.index + m[1].length).trim());
  }
  return out;
}
/** Every comment of `before` is still in `after` (counted, so duplicates must all survive). */
function expectCommentsSurvive(before: string, after: string): void {
  const left = comments(after);
  const missing: string[] = [];
  for (const c of comments(before)) {
    const i = left.indexOf(c);
    if (i < 0) missing.push(c);
    else left.splice(i, 1);
  }
  expect(missing).toEqual([]);
}

it('the comment check notices a lost comment and accepts a moved one', () => {
  expect(() => expectCommentsSurvive('a: 1\n  # why a\nb: 2\n', 'a: 1\nb: 2\n')).toThrow();
  expect(() => expectCommentsSurvive('a: 1\n  # why a\nb: 2\n', 'a: 1 # why a\nb: 2\n')).not.toThrow();
  expect(comments("u: 'x # not a comment' # real")).toEqual(['# real']);
});

/** A Secure Vault reference (analytics-vault.ts): what a password of ours becomes in deployment.yaml. */
const sec = (alias: string) => `\${sec:${alias}}`;
/** A JDBC URL as deployment.yaml holds it: any secret inside it by an inline vault reference. */
const vaultedUrl = (url: string) => url.replace(new RegExp(SECRET_PLACEHOLDER_RE.source, 'g'), (_m, n: string) => sec(`${n}.inline`));
const TLS_PW = sec('tls_keystore_password');
const OUR_LISTENER_KEY = { keyStoreFile: '${carbon.home}/resources/security/tls.jks', keyStorePassword: TLS_PW, certPass: TLS_PW };

/** The databridge receivers and data agents of either runtime: our stores, TLS 1.2, our suites. */
function checkKeyMaterial(doc: Y): void {
  expect(doc['databridge.config']).toMatchObject({ keyStoreLocation: '${sys:carbon.home}/resources/security/tls.jks', keyStorePassword: TLS_PW });
  for (const r of doc['databridge.config'].dataReceivers as Y[]) {
    expect(r.dataReceiver.properties).toMatchObject({ sslEnabledProtocols: TLS_PROTOCOLS, ciphers: TLS_CIPHER_LIST });
  }
  const agents = (doc['data.agent.config'].agents as Y[]).map((a) => a.agentConfiguration);
  expect(agents.map((a) => a.name)).toEqual(['Thrift', 'Binary']);
  for (const a of agents) {
    expect(a).toMatchObject({
      trustStorePath: '${sys:carbon.home}/resources/security/client-truststore.jks',
      trustStorePassword: sec('truststore_password'),
      sslEnabledProtocols: TLS_PROTOCOLS,
      ciphers: TLS_CIPHER_LIST,
    });
  }
  expect(JSON.stringify(doc)).not.toMatch(/wso2carbon\.jks|fixture\.jks|fixture-keystore|fixture-trust/);
}

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('renderSpChangeSet (pure)', () => {
  it('edits the worker and dashboard deployment.yaml of an analytics node', () => {
    const cs = renderAnalyticsChangeSet(t, 'analytics-1');
    expect(cs.product).toBe('analytics');
    expect(cs.nodeId).toBe('analytics-1');
    expect(cs.changes.map((c) => [c.kind, c.path])).toEqual([
      ['yaml', WORKER_DEPLOYMENT_YAML],
      ['file', 'conf/worker/secrets.properties'],
      ['file', 'conf/worker/master-keys.yaml'],
      ['yaml', DASHBOARD_DEPLOYMENT_YAML],
      ['file', 'conf/dashboard/secrets.properties'],
      ['file', 'conf/dashboard/master-keys.yaml'],
      ['file', ANALYTICS_JAVA_SECURITY_FILE],
      ['text', START_SCRIPTS.worker],
      ['text', START_SCRIPTS.dashboard],
    ]);
  });

  it('uses the persistence store class of this product version', () => {
    expect(DB_PERSISTENCE_STORE).toBe('org.wso2.carbon.stream.processor.core.persistence.DBPersistenceStore');
    expect(JSON.stringify(renderSpChangeSet(t, 'analytics-1'))).not.toContain('io.siddhi');
  });

  it('gives both nodes the same edits except the carbon id and the advertised host', () => {
    const norm = (cs: NodeChangeSet) =>
      JSON.stringify(cs)
        .replace(/"nodeId":"analytics-[12]"/, '"nodeId":"N"')
        .replace(/wso2-is-analytics-[12]/g, 'ID')
        .replace(/"advertisedHost":"10\.0\.[12]\.20"/, '"advertisedHost":"ADDR"');
    const a = renderSpChangeSet(t, 'analytics-1');
    const b = renderSpChangeSet(t, 'analytics-2');
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(norm(a)).toBe(norm(b));
  });

  it('is deterministic and refuses IS nodes', () => {
    expect(JSON.stringify(renderSpChangeSet(t, 'analytics-2'))).toBe(JSON.stringify(renderSpChangeSet(topology(), 'analytics-2')));
    expect(() => renderAnalyticsChangeSet(t, 'is-1')).toThrow(/not an analytics node/);
  });

  it('hands the DAS flavour to the DAS renderer, and the SP renderer refuses it', () => {
    const das = { ...topology('das'), ports: DEFAULT_PORTS };
    expect(() => renderSpChangeSet(das, 'analytics-1')).toThrow(/analyticsFlavor 'sp'/);
    const paths = renderAnalyticsChangeSet(das, 'analytics-1').changes.map((c) => c.path);
    expect(paths).toContain('repository/conf/event-processor.xml');
    expect(paths).not.toContain(WORKER_DEPLOYMENT_YAML);
  });
});

function checkWorker(before: string, after: string, id: NodeId): void {
  const doc = parse(after) as Y;
  expect(doc['wso2.carbon'].id).toBe(`wso2-is-${id}`);

  // Listeners: ports from the model, the HTTPS listener's other settings untouched.
  const listeners = doc['wso2.transport.http'].listenerConfigurations as Y[];
  expect(listeners[0]).toMatchObject({ id: 'default', port: PORTS.workerHttp });
  expect(listeners[1]).toMatchObject({ id: 'msf4j-https', port: PORTS.workerHttps, scheme: 'https' });
  // Our TLS key instead of the pack's; the listener's other settings untouched.
  expect(listeners[1]).toMatchObject(OUR_LISTENER_KEY);
  checkKeyMaterial(doc);

  // Receivers: ports from the model as strings, other properties untouched.
  const receivers = (doc['databridge.config'].dataReceivers as Y[]).map((r) => r.dataReceiver);
  expect(receivers[0]).toMatchObject({ type: 'Thrift', properties: { tcpPort: String(PORTS.thrift), sslPort: String(PORTS.thriftSsl) } });
  expect(receivers[1]).toMatchObject({
    type: 'Binary',
    properties: { tcpPort: String(PORTS.binary), sslPort: String(PORTS.binarySsl), tcpReceiverThreadPoolSize: '100' },
  });

  // MySQL datasources from the model, the stock H2 ones replaced in place (no duplicates).
  for (const [name, db] of [
    ['WSO2_CLUSTER_DB', 'WSO2_CLUSTER_DB'],
    ['PERSISTENCE_DB', 'WSO2_PERSISTENCE_DB'],
    ['IS_ANALYTICS_DB', 'IS_ANALYTICS_DB'],
  ]) {
    const ds = datasource(doc, name);
    expect(ds.definition.type).toBe('RDBMS');
    expect(ds.definition.configuration).toMatchObject({
      jdbcUrl: vaultedUrl(jdbcUrl(t, db, 'analytics')),
      username: 'wso2_analytics',
      password: sec('db_password'),
      driverClassName: 'com.mysql.jdbc.Driver',
      maxPoolSize: 50,
      minIdle: 5,
      connectionTestQuery: 'SELECT 1',
      isAutoCommit: false,
    });
    expect(ds.jndiConfig?.name).toBe(t.db.datasources[name].jndiName);
  }
  expect(datasource(doc, 'GEO_LOCATION_DATA').definition.configuration.driverClassName).toBe('org.h2.Driver');

  expect(doc['state.persistence']).toEqual({
    enabled: true,
    intervalInMin: 1,
    revisionsToKeep: 2,
    persistenceStore: 'org.wso2.carbon.stream.processor.core.persistence.DBPersistenceStore',
    config: { datasource: 'PERSISTENCE_DB', table: 'PERSISTENCE_TABLE' },
  });
  expect(doc['cluster.config']).toEqual({
    enabled: true,
    groupId: t.analyticsGroupId,
    coordinationStrategyClass: 'org.wso2.carbon.cluster.coordinator.rdbms.RDBMSCoordinationStrategy',
    strategyConfig: { datasource: 'WSO2_CLUSTER_DB', heartbeatInterval: 5000, heartbeatMaxRetry: 5, eventPollingInterval: 5000 },
  });
  expect(doc['deployment.config']).toEqual({
    type: 'ha',
    passiveNodeDetailsWaitTimeOutMillis: 300000,
    passiveNodeDetailsRetrySleepTimeMillis: 500,
    eventByteBufferQueueCapacity: 20000,
    byteBufferExtractorThreadPoolSize: 5,
    eventSyncServer: {
      host: '0.0.0.0',
      port: PORTS.eventSync,
      advertisedHost: ADDRESSES[id],
      advertisedPort: PORTS.eventSync,
      bossThreads: 10,
      workerThreads: 10,
    },
    eventSyncClientPool: { maxActive: 10, maxTotal: 10, maxIdle: 10, maxWait: 60000, minEvictableIdleTimeMillis: 120000 },
  });

  // Every datasource the file refers to by name is defined in it.
  const names = datasourceNames(doc);
  expect(new Set(names).size).toBe(names.length);
  const refs = [
    doc['cluster.config'].strategyConfig.datasource,
    doc['state.persistence'].config.datasource,
    ...((doc.siddhi?.extensions ?? []) as Y[]).map((e) => e.extension.properties.datasource).filter(Boolean),
  ];
  expect(refs.length).toBeGreaterThanOrEqual(3);
  for (const r of refs) expect(names).toContain(r);

  const admin = doc['auth.configs'].userManager.userStore.users[0].user;
  expect(admin.username).toBe('admin');
  expect(admin.password).toBe(sec('admin_password.base64'));

  expectCommentsSurvive(before, after);
}

function checkDashboard(before: string, after: string): void {
  const doc = parse(after) as Y;
  const stockJndi = (name: string) => datasource(parse(before) as Y, name).jndiConfig;
  for (const [name, db, jndi] of [
    ['WSO2_DASHBOARD_DB', 'WSO2_DASHBOARD_DB', 'jdbc/DASHBOARD_DB'],
    ['WSO2_PERMISSIONS_DB', 'WSO2_PERMISSIONS_DB', 'jdbc/PERMISSION_DB'],
    // The widgets query the statistics the active worker writes: the same MySQL database,
    // not the stock H2 file under wso2/worker (empty once the worker writes to MySQL).
    ['IS_ANALYTICS_DB', 'IS_ANALYTICS_DB', 'jdbc/IS_ANALYTICS_DB'],
  ]) {
    const ds = datasource(doc, name);
    expect(ds.jndiConfig).toEqual(stockJndi(name));
    expect(ds.jndiConfig.name).toBe(jndi);
    expect(ds.definition.configuration).toMatchObject({
      jdbcUrl: vaultedUrl(jdbcUrl(t, db, 'analytics')),
      username: 'wso2_analytics',
      password: sec('db_password'),
      driverClassName: 'com.mysql.jdbc.Driver',
      // Hikari opens minIdle connections per pool up front (maxPoolSize when unset).
      minIdle: 5,
    });
  }
  const mysqlPools = (doc['wso2.datasources'].dataSources as Y[]).filter((d) =>
    String(d.definition.configuration.jdbcUrl).startsWith('jdbc:mysql:'),
  );
  expect(mysqlPools.map((d) => d.name).sort()).toEqual(['IS_ANALYTICS_DB', 'WSO2_DASHBOARD_DB', 'WSO2_PERMISSIONS_DB']);
  const names = datasourceNames(doc);
  expect(new Set(names).size).toBe(names.length);
  for (const r of [
    doc['wso2.business.rules.manager'].datasource,
    doc['wso2.status.dashboard'].metricsDatasourceName,
    doc['wso2.status.dashboard'].dashboardDatasourceName,
  ]) {
    expect(names).toContain(r);
  }
  const listener = doc['wso2.transport.http'].listenerConfigurations[0];
  expect(listener).toMatchObject({ id: 'default-https', port: PORTS.dashboard, scheme: 'https', ...OUR_LISTENER_KEY });
  checkKeyMaterial(doc);
  expect(doc['wso2.carbon'].ports.offset).toBe((parse(before) as Y)['wso2.carbon'].ports.offset);
  expect(doc['auth.configs'].userManager.userStore.users[0].user.password).toBe(sec('admin_password.base64'));
  expect(doc['wso2.status.dashboard'].workerAccessCredentials.password).toBe(sec('admin_password'));
  expect(doc['wso2.business.rules.manager'].password).toBe(sec('admin_password'));
  expectCommentsSurvive(before, after);
}

describe.each([
  ['our fixture', FIXTURE],
  ['a copy of the shipped IS Analytics 5.8.0 files', REFERENCE],
])('applied to %s', (_label, source) => {
  let homes: Record<'analytics-1' | 'analytics-2', string>;
  let stock: { worker: string; dashboard: string };

  beforeAll(() => {
    // The shipped files are required: a missing reference fails the test, it does not skip it.
    expect(fs.existsSync(path.join(source, WORKER_DEPLOYMENT_YAML))).toBe(true);
    expect(fs.existsSync(path.join(source, DASHBOARD_DEPLOYMENT_YAML))).toBe(true);
    stock = { worker: read(source, WORKER_DEPLOYMENT_YAML), dashboard: read(source, DASHBOARD_DEPLOYMENT_YAML) };
    homes = { 'analytics-1': copyHome(source), 'analytics-2': copyHome(source) };
    // The reference set has no start scripts: ours stand in, shaped like the stock lines.
    for (const h of Object.values(homes)) {
      for (const s of Object.values(START_SCRIPTS)) if (!fs.existsSync(path.join(h, s))) fs.cpSync(path.join(FIXTURE, s), path.join(h, s));
    }
    for (const id of ['analytics-1', 'analytics-2'] as const) applyChangeSet(homes[id], renderSpChangeSet(t, id));
  });

  it.each(['analytics-1', 'analytics-2'] as const)('configures the worker of %s for active-passive HA', (id) => {
    checkWorker(stock.worker, read(homes[id], WORKER_DEPLOYMENT_YAML), id);
  });

  it('configures the dashboard on the shared MySQL', () => {
    checkDashboard(stock.dashboard, read(homes['analytics-1'], DASHBOARD_DEPLOYMENT_YAML));
  });

  it('gives the two workers different carbon ids and identical dashboards', () => {
    const id = (h: string) => (parse(read(h, WORKER_DEPLOYMENT_YAML)) as Y)['wso2.carbon'].id;
    expect(id(homes['analytics-1'])).not.toBe(id(homes['analytics-2']));
    expect(read(homes['analytics-1'], DASHBOARD_DEPLOYMENT_YAML)).toBe(read(homes['analytics-2'], DASHBOARD_DEPLOYMENT_YAML));
  });

  it.each(Object.entries(START_SCRIPTS))('the %s start script loads our JVM TLS floor and names no keystore or password', (_r, script) => {
    const home = homes['analytics-1'];
    const text = read(home, script);
    expect(text).not.toContain('wso2carbon');
    expect(text).not.toMatch(/Password|keyStore=/);
    expect(text).toContain(OUR_SSL_PROPERTIES);
    expect(text.replace(OUR_SSL_PROPERTIES, STOCK_SSL_PROPERTIES)).toBe(read(FIXTURE, script));
    expect(fs.statSync(path.join(home, script)).mode & 0o777).toBe(0o755);
    expect(read(home, ANALYTICS_JAVA_SECURITY_FILE)).toMatch(/^jdk\.tls\.disabledAlgorithms=SSLv2Hello, SSLv3, TLSv1, TLSv1\.1,/m);
  });

  it('is idempotent: applying again changes no byte', () => {
    const home = homes['analytics-1'];
    const once = [read(home, WORKER_DEPLOYMENT_YAML), read(home, DASHBOARD_DEPLOYMENT_YAML)];
    const report = applyChangeSet(home, renderSpChangeSet(t, 'analytics-1'));
    expect(report.files.map((f) => f.changed)).toEqual([false, false, false, false, false, false, false, false, false]);
    expect([read(home, WORKER_DEPLOYMENT_YAML), read(home, DASHBOARD_DEPLOYMENT_YAML)]).toEqual(once);
  });
});
