/**
 * IS Analytics 5.8.0 (Stream Processor based) renderer: the edits that turn the stock
 * `conf/worker/deployment.yaml` and `conf/dashboard/deployment.yaml` into one of the two
 * nodes of an active-passive minimum-HA pair (seed 004) backed by the shared MySQL.
 *
 * Everything is emitted as YAML edit ops (data); the applier applies them to the stock files,
 * so stock content and comments we do not touch survive. Class names are those of the 5.8.0
 * files (`org.wso2.carbon.stream.processor.core.persistence.*`), not the newer `io.siddhi.*`
 * names seed 004 was written for.
 */
import { Datasource, NodeId, Topology, dbUserFor, jdbcUrl, node, secretPlaceholder } from '../topology';
import { DocOp, DocPath, NodeChangeSet, YamlEdit } from './types';
import { START_SCRIPTS, databridgeOps, httpsListenerOps, renderJavaSecurity, renderStartScript } from './analytics-keystores';
import { vaultRuntime } from './analytics-vault';

export const WORKER_DEPLOYMENT_YAML = 'conf/worker/deployment.yaml';
export const DASHBOARD_DEPLOYMENT_YAML = 'conf/dashboard/deployment.yaml';

/** Datasource names the worker defines and its HA sections refer to. */
export const SP_WORKER_DATASOURCES = {
  cluster: 'WSO2_CLUSTER_DB',
  persistence: 'PERSISTENCE_DB',
  isAnalytics: 'IS_ANALYTICS_DB',
} as const;
/**
 * Datasource names the dashboard defines. IS_ANALYTICS_DB is the statistics database the
 * dashboard's widgets query: the stock file points it at the worker's H2 file, which stays empty
 * once the worker writes to MySQL, so it is repointed at the same database as the worker's.
 */
export const SP_DASHBOARD_DATASOURCES = {
  dashboard: 'WSO2_DASHBOARD_DB',
  permissions: 'WSO2_PERMISSIONS_DB',
  isAnalytics: 'IS_ANALYTICS_DB',
} as const;

/** The database store of this product version (5.8.0 ships `...stream.processor.core.persistence`). */
export const DB_PERSISTENCE_STORE = 'org.wso2.carbon.stream.processor.core.persistence.DBPersistenceStore';
export const RDBMS_COORDINATION_STRATEGY = 'org.wso2.carbon.cluster.coordinator.rdbms.RDBMSCoordinationStrategy';
export const PERSISTENCE_TABLE = 'PERSISTENCE_TABLE';
export const MYSQL_DRIVER = 'com.mysql.jdbc.Driver';

/** Seed 004 values: state snapshots each minute, two revisions kept. */
const PERSISTENCE = { intervalInMin: 1, revisionsToKeep: 2 };
/** Seed 004's recommended coordination timing (the stock 1000/2/1000 fails over too eagerly). */
const STRATEGY_TIMING = { heartbeatInterval: 5000, heartbeatMaxRetry: 5, eventPollingInterval: 5000 };
/** Seed 004's HA sample values. */
const HA = {
  passiveNodeDetailsWaitTimeOutMillis: 300000,
  passiveNodeDetailsRetrySleepTimeMillis: 500,
  eventByteBufferQueueCapacity: 20000,
  byteBufferExtractorThreadPoolSize: 5,
  bossThreads: 10,
  workerThreads: 10,
  clientPool: { maxActive: 10, maxTotal: 10, maxIdle: 10, maxWait: 60000, minEvictableIdleTimeMillis: 120000 },
};
/**
 * Seed 004's MySQL pool settings. `minIdle` matters: these pools are HikariCP, which keeps
 * minIdle connections open per pool and, when it is unset, as many as maxPoolSize; six pools
 * per analytics node would then hold hundreds of connections, beyond MySQL's max_connections.
 */
const POOL = {
  maxPoolSize: 50,
  minIdle: 5,
  idleTimeout: 60000,
  connectionTestQuery: 'SELECT 1',
  validationTimeout: 30000,
  isAutoCommit: false,
};
/**
 * The stock dashboard datasources are bound with `useJndiReference: true`; upsertItem replaces
 * the whole item, so the flag is carried over to keep their JNDI binding as shipped.
 */
const USE_JNDI_REFERENCE = new Set<string>([SP_DASHBOARD_DATASOURCES.dashboard, SP_DASHBOARD_DATASOURCES.permissions]);

/*
 * Sequence indexes in the 5.8.0 stock files. DocPath has no predicate step, so items whose
 * identifying field is nested (dataReceivers, users) or whose other fields must survive
 * (listenerConfigurations keep their keystore settings) are addressed by index; the tests
 * check these indexes against the shipped files.
 */
const WORKER_LISTENER_INDEX = { default: 0, msf4jHttps: 1 };
const DASHBOARD_LISTENER_INDEX = { defaultHttps: 0 };
const RECEIVER_INDEX = { thrift: 0, binary: 1 };
const ADMIN_USER_INDEX = 0;

const DATASOURCES_PATH: DocPath = ['wso2.datasources', 'dataSources'];

function set(path: DocPath, value: unknown): DocOp {
  return { op: 'set', path, value };
}

/** The `wso2.datasources` item of a datasource we define, on the shared MySQL. */
export function spDatasourceItem(t: Topology, name: string): Record<string, unknown> {
  const d: Datasource | undefined = t.db.datasources[name];
  if (!d) throw new Error(`the topology defines no datasource ${name} (analytics flavour ${t.analyticsFlavor})`);
  const item: Record<string, unknown> = { name: d.name, description: d.description };
  if (d.jndiName) {
    item.jndiConfig = USE_JNDI_REFERENCE.has(d.name) ? { name: d.jndiName, useJndiReference: true } : { name: d.jndiName };
  }
  item.definition = {
    type: 'RDBMS',
    configuration: {
      jdbcUrl: jdbcUrl(t, d.database, 'analytics'),
      username: dbUserFor(t, d.database),
      password: secretPlaceholder('db_password'),
      driverClassName: MYSQL_DRIVER,
      ...POOL,
    },
  };
  return item;
}

function upsertDatasource(t: Topology, name: string): DocOp {
  return { op: 'upsertItem', path: DATASOURCES_PATH, key: 'name', value: spDatasourceItem(t, name) };
}

/** Unique per node (cluster coordination tells members apart by this id). */
export function spCarbonId(id: NodeId): string {
  return `wso2-is-${id}`;
}

/** The stock admin user's password: base64 in auth.configs, filled from the secret at boot. */
function adminPasswordOps(): DocOp[] {
  const user = ['auth.configs', 'userManager', 'userStore', 'users', ADMIN_USER_INDEX, 'user'];
  return [set([...user, 'password'], secretPlaceholder('admin_password', 'base64'))];
}

function receiverOps(t: Topology): DocOp[] {
  const receiver = (i: number): DocPath => ['databridge.config', 'dataReceivers', i, 'dataReceiver'];
  // The receivers read their properties as strings, as the stock file writes them.
  return [
    set([...receiver(RECEIVER_INDEX.thrift), 'type'], 'Thrift'),
    set([...receiver(RECEIVER_INDEX.thrift), 'properties', 'tcpPort'], String(t.ports.thrift)),
    set([...receiver(RECEIVER_INDEX.thrift), 'properties', 'sslPort'], String(t.ports.thriftSsl)),
    set([...receiver(RECEIVER_INDEX.binary), 'type'], 'Binary'),
    set([...receiver(RECEIVER_INDEX.binary), 'properties', 'tcpPort'], String(t.ports.binary)),
    set([...receiver(RECEIVER_INDEX.binary), 'properties', 'sslPort'], String(t.ports.binarySsl)),
  ];
}

export function renderSpWorkerEdit(t: Topology, id: NodeId): YamlEdit {
  const self = node(t, id);
  if (self.role !== 'analytics') throw new Error(`${id} is not an analytics node`);
  const listener = (i: number): DocPath => ['wso2.transport.http', 'listenerConfigurations', i];
  const ops: DocOp[] = [
    set(['wso2.carbon', 'id'], spCarbonId(id)),
    set([...listener(WORKER_LISTENER_INDEX.default), 'port'], t.ports.workerHttp),
    set([...listener(WORKER_LISTENER_INDEX.msf4jHttps), 'port'], t.ports.workerHttps),
    // Our TLS key and truststore instead of the pack's (analytics-keystores.ts).
    ...httpsListenerOps(listener(WORKER_LISTENER_INDEX.msf4jHttps)),
    ...receiverOps(t),
    ...databridgeOps(),
    // The stock H2 WSO2_CLUSTER_DB and IS_ANALYTICS_DB are replaced in place; PERSISTENCE_DB is new.
    upsertDatasource(t, SP_WORKER_DATASOURCES.cluster),
    upsertDatasource(t, SP_WORKER_DATASOURCES.persistence),
    upsertDatasource(t, SP_WORKER_DATASOURCES.isAnalytics),
    // Both workers snapshot Siddhi state to the same database, so either can restore it.
    set(['state.persistence', 'enabled'], true),
    set(['state.persistence', 'intervalInMin'], PERSISTENCE.intervalInMin),
    set(['state.persistence', 'revisionsToKeep'], PERSISTENCE.revisionsToKeep),
    set(['state.persistence', 'persistenceStore'], DB_PERSISTENCE_STORE),
    set(['state.persistence', 'config'], { datasource: SP_WORKER_DATASOURCES.persistence, table: PERSISTENCE_TABLE }),
    set(['cluster.config', 'enabled'], true),
    set(['cluster.config', 'groupId'], t.analyticsGroupId),
    set(['cluster.config', 'coordinationStrategyClass'], RDBMS_COORDINATION_STRATEGY),
    set(['cluster.config', 'strategyConfig'], { datasource: SP_WORKER_DATASOURCES.cluster, ...STRATEGY_TIMING }),
    // Absent (only commented out) in the stock file, so the whole section is set at the top level.
    set(['deployment.config'], {
      type: 'ha',
      passiveNodeDetailsWaitTimeOutMillis: HA.passiveNodeDetailsWaitTimeOutMillis,
      passiveNodeDetailsRetrySleepTimeMillis: HA.passiveNodeDetailsRetrySleepTimeMillis,
      eventByteBufferQueueCapacity: HA.eventByteBufferQueueCapacity,
      byteBufferExtractorThreadPoolSize: HA.byteBufferExtractorThreadPoolSize,
      eventSyncServer: {
        // Bind on every interface: the node address may be a DNS name (Kubernetes headless
        // Service) that does not resolve before the pod is ready, and binding it would race
        // startup. Who may connect is enforced by the security group / NetworkPolicy (eventSync
        // from analytics peers only); the peer dials the advertised address.
        host: '0.0.0.0',
        port: t.ports.eventSync,
        advertisedHost: self.address,
        advertisedPort: t.ports.eventSync,
        bossThreads: HA.bossThreads,
        workerThreads: HA.workerThreads,
      },
      eventSyncClientPool: { ...HA.clientPool },
    }),
    ...adminPasswordOps(),
  ];
  return { kind: 'yaml', path: WORKER_DEPLOYMENT_YAML, ops };
}

export function renderSpDashboardEdit(t: Topology, id: NodeId): YamlEdit {
  const self = node(t, id);
  if (self.role !== 'analytics') throw new Error(`${id} is not an analytics node`);
  const ops: DocOp[] = [
    upsertDatasource(t, SP_DASHBOARD_DATASOURCES.dashboard),
    upsertDatasource(t, SP_DASHBOARD_DATASOURCES.permissions),
    upsertDatasource(t, SP_DASHBOARD_DATASOURCES.isAnalytics),
    // The stock wso2.carbon.ports.offset ('2') stays: it shifts the dashboard's own databridge
    // receivers off the worker's; the HTTPS listener port is taken as written.
    set(['wso2.transport.http', 'listenerConfigurations', DASHBOARD_LISTENER_INDEX.defaultHttps, 'port'], t.ports.dashboard),
    ...httpsListenerOps(['wso2.transport.http', 'listenerConfigurations', DASHBOARD_LISTENER_INDEX.defaultHttps]),
    ...databridgeOps(),
    ...adminPasswordOps(),
    // The dashboard calls the workers' APIs as admin; these credentials are plain text.
    set(['wso2.status.dashboard', 'workerAccessCredentials', 'password'], secretPlaceholder('admin_password')),
    set(['wso2.business.rules.manager', 'password'], secretPlaceholder('admin_password')),
  ];
  return { kind: 'yaml', path: DASHBOARD_DEPLOYMENT_YAML, ops };
}

/**
 * Both analytics nodes get the same edits except the carbon id and the advertised address. Every
 * password of the two deployment.yaml files goes through the product's own Secure Vault
 * (analytics-vault.ts): `${sec:...}` references, each runtime's secrets.properties and master-keys.yaml.
 */
export function renderSpChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  if (t.analyticsFlavor !== 'sp') throw new Error(`renderSpChangeSet needs analyticsFlavor 'sp', got '${t.analyticsFlavor}'`);
  return {
    nodeId: id,
    product: 'analytics',
    changes: [
      ...vaultRuntime('worker', renderSpWorkerEdit(t, id)),
      ...vaultRuntime('dashboard', renderSpDashboardEdit(t, id)),
      // The JVM TLS floor, then the start scripts that load it (and no longer name the pack's keystore).
      renderJavaSecurity(),
      renderStartScript(START_SCRIPTS.worker),
      renderStartScript(START_SCRIPTS.dashboard),
    ],
  };
}
