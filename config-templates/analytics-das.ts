/**
 * The legacy analytics flavour (`analytics.flavor: das`): DAS-based IS Analytics (Carbon 4 kernel)
 * in minimum HA, as seeds 000-002 configure it. Both nodes share the user store, the registry and
 * the analytics record stores on MySQL, cluster with Hazelcast wka in their own domain (not the IS
 * cluster's), run the CEP event processor in HA mode and Spark's masters embedded in that cluster.
 *
 * Stock files are edited with upserts wherever the seeds do not show the whole stock structure, so
 * an element we need that a given pack lacks is added rather than assumed; an anchor we cannot do
 * without (a root element, the HA mode) fails loudly in the applier.
 */
import {
  ANALYTICS_HOME_LINK,
  DAS_DATABASES,
  DEFAULT_PORTS,
  Datasource,
  NodeId,
  Topology,
  dbUserFor,
  jdbcUrl,
  node,
  nodesOf,
} from '../topology';
import { FileChange, NodeChangeSet, PropertiesEdit, WholeFile, XmlEdit, XmlOp } from './types';
import { byAttr, setAttr, setText, xmlFragment } from './is/xml';
import { LOCAL_CARBON_DB, carbonDatasource, datasourcesFile } from './is/datasources';
import { HAZELCAST_CLUSTERING_AGENT } from './is/cluster';
import { DATA_AGENT_CONFIG_XML } from './is/keystores';
import { DAS_CATALINA_SERVER_XML, DAS_DATA_BRIDGE_CONFIG_XML, dasCarbonKeystoreOps, renderDasKeystoreFiles } from './das-keystores';
import { DAS_VAULT, renderDasVaultFiles } from './das-vault';
import { datasourceAlias } from './is/datasources';
import { CIPHER_TEXT_PROPERTIES, SECRET_CONF_PROPERTIES, svnsOn, vaultedText } from './is/vault';

/** The files this flavour changes, relative to the analytics product home. */
export const DAS_FILES = {
  masterDatasources: 'repository/conf/datasources/master-datasources.xml',
  analyticsDatasources: 'repository/conf/datasources/analytics-datasources.xml',
  analyticsConf: 'repository/conf/analytics/analytics-conf.xml',
  userMgt: 'repository/conf/user-mgt.xml',
  registry: 'repository/conf/registry.xml',
  axis2: 'repository/conf/axis2/axis2.xml',
  carbon: 'repository/conf/carbon.xml',
  eventProcessor: 'repository/conf/event-processor.xml',
  sparkDefaults: 'repository/conf/analytics/spark/spark-defaults.conf',
  catalina: DAS_CATALINA_SERVER_XML,
  dataBridge: DAS_DATA_BRIDGE_CONFIG_XML,
  dataAgent: DATA_AGENT_CONFIG_XML,
  cipherText: CIPHER_TEXT_PROPERTIES,
  secretConf: SECRET_CONF_PROPERTIES,
} as const;

/** Pool settings of the master-datasources.xml datasources (seed 000, WSO2UM_DB / WSO2REG_DB). */
const MASTER_POOL = {
  maxActive: '50',
  maxWait: '60000',
  testOnBorrow: 'true',
  validationQuery: 'SELECT 1',
  validationInterval: '30000',
};
/** Pool settings of the record-store datasources (seed 000, analytics-datasources.xml). */
const RECORD_STORE_POOL = { ...MASTER_POOL, defaultAutoCommit: 'false' };

export const RDBMS_RECORD_STORE = 'org.wso2.carbon.analytics.datasource.rdbms.RDBMSAnalyticsRecordStore';
export const FILE_SYSTEM_PERSISTENCE_STORE = 'org.wso2.carbon.event.processor.core.internal.persistence.FileSystemPersistenceStore';

/**
 * The record stores of seed 000: the event store in a read/write and a write-optimised flavour,
 * the processed data store; each on the datasource the model defines for its database.
 */
export const DAS_RECORD_STORES: readonly { name: string; database: string; category: string }[] = [
  { name: 'EVENT_STORE', database: DAS_DATABASES.eventStore, category: 'read_write_optimized' },
  { name: 'EVENT_STORE_WO', database: DAS_DATABASES.eventStore, category: 'write_optimized' },
  { name: 'PROCESSED_DATA_STORE', database: DAS_DATABASES.processedDataStore, category: 'read_write_optimized' },
];

/** The registry names seed 000 ties together: the dbConfig, the remote instance using it, the mounts using that. */
export const DAS_REGISTRY = { dbConfig: 'govregistry', instanceId: 'gov' } as const;
export const DAS_MOUNTED_PATHS = ['/_system/governance', '/_system/config'] as const;

/**
 * The analytics data bridge's stock receiver ports before the Carbon offset. The IS Analytics pack
 * ships with offset 1, hence the model's 7612/7712 and 9444/9764.
 */
const DATA_BRIDGE_DEFAULTS = { thrift: 7611, thriftSsl: 7711 };

/** Seed 000's HA-mode state persistence block, switched off (see renderEventProcessor). */
const PERSISTENCE = { intervalInMinutes: '15', schedulerPoolSize: '10', location: 'cep_persistence' };

function datasourcesIn(t: Topology, file: string): Datasource[] {
  return Object.values(t.db.datasources).filter((d) => d.definedIn === file);
}

/** The one datasource the model defines on a DAS database, in the file a reference resolves in. */
export function dasDatasourceOn(t: Topology, database: string, file: string): Datasource {
  const found = datasourcesIn(t, file).filter((d) => d.database === database);
  if (found.length !== 1) throw new Error(`expected one datasource on ${database} in ${file}, the model has ${found.length}`);
  return found[0];
}

/** A `[child='value']` predicate (matches by a child element's trimmed text). */
function byChild(child: string, value: string): string {
  if (value.includes("'")) throw new Error(`cannot put ${JSON.stringify(value)} in an XML path predicate`);
  return `[${child}='${value}']`;
}

function jndiOf(d: Datasource): string {
  if (!d.jndiName) throw new Error(`datasource ${d.name} has no JNDI name to be referenced by`);
  return d.jndiName;
}

/**
 * master-datasources.xml: ours entirely (node-local H2 registry plus the shared UM and registry
 * databases); the passwords through Secure Vault (kernel `DataSourceUtils.secureLoadElement`
 * resolves any alias in a datasources file; das-vault.ts).
 */
export function renderDasMasterDatasources(t: Topology): WholeFile {
  const shared = datasourcesIn(t, DAS_FILES.masterDatasources);
  if (shared.length === 0) throw new Error(`the model defines no datasource in ${DAS_FILES.masterDatasources}`);
  const content = datasourcesFile(
    ' Written whole by wso2-is-pattern2. WSO2_CARBON_DB is the node-local H2 registry (wso2registry); ' +
      'the user store and the mounted config/governance registry are shared by both analytics nodes. ',
    [LOCAL_CARBON_DB, ...shared.map((d) => carbonDatasource(t, d, MASTER_POOL, 'analytics', datasourceAlias(d.name)))],
  );
  return { kind: 'file', path: DAS_FILES.masterDatasources, content, mode: '0644' };
}

/**
 * analytics-datasources.xml: the record-store datasources are replaced in place (by `<name>`), so
 * any other datasource a pack ships in this file is kept; the seeds only show these two. Their
 * password stays a placeholder filled at boot, not Secure Vault: IS Analytics 5.4.0's Spark
 * executors (JVMs of their own) read this file without resolving aliases (carbon-analytics 1.2.8
 * `GenericUtils.populateSystemDataSource`); docs/architecture.md "Secrets in clear on a node".
 */
export function renderDasAnalyticsDatasources(t: Topology): XmlEdit {
  const stores = datasourcesIn(t, DAS_FILES.analyticsDatasources);
  if (stores.length === 0) throw new Error(`the model defines no datasource in ${DAS_FILES.analyticsDatasources}`);
  return {
    kind: 'xml',
    path: DAS_FILES.analyticsDatasources,
    ops: stores.map(
      (d): XmlOp => ({
        op: 'upsertChild',
        parent: '/datasources-configuration/datasources',
        match: `datasource${byChild('name', d.name)}`,
        xml: xmlFragment({ datasource: carbonDatasource(t, d, RECORD_STORE_POOL, 'analytics') }),
      }),
    ),
  };
}

/**
 * analytics-conf.xml: the record stores of seed 000 on the shared databases. The root element is
 * the one the analytics data service binds (`analytics-dataservice-configuration`); each store is
 * upserted by name, so a pack lacking EVENT_STORE_WO gets it and the other stores stay in place.
 */
export function renderDasAnalyticsConf(t: Topology): XmlEdit {
  return {
    kind: 'xml',
    path: DAS_FILES.analyticsConf,
    ops: DAS_RECORD_STORES.map(
      (s): XmlOp => ({
        op: 'upsertChild',
        parent: '/analytics-dataservice-configuration',
        match: `analytics-record-store${byAttr('name', s.name)}`,
        xml: xmlFragment({
          'analytics-record-store': {
            '@name': s.name,
            implementation: RDBMS_RECORD_STORE,
            properties: {
              property: [
                { '@name': 'datasource', '#': dasDatasourceOn(t, s.database, DAS_FILES.analyticsDatasources).name },
                { '@name': 'category', '#': s.category },
              ],
            },
          },
        }),
      }),
    ),
  };
}

/** user-mgt.xml: the realm on the shared user-store datasource; the admin password through Secure Vault. */
export function renderDasUserMgt(t: Topology): XmlEdit {
  const realm = '/UserManager/Realm/Configuration';
  const um = dasDatasourceOn(t, DAS_DATABASES.userStore, DAS_FILES.masterDatasources);
  return {
    kind: 'xml',
    path: DAS_FILES.userMgt,
    ops: [
      setText(`${realm}/Property${byAttr('name', 'dataSource')}`, jndiOf(um)),
      svnsOn('/UserManager'),
      ...vaultedText(`${realm}/AdminUser/Password`, DAS_VAULT.adminPassword),
    ],
  };
}

/**
 * registry.xml: `govregistry` on the shared registry database, a remote instance `gov` using it,
 * and the governance and config spaces mounted from it; the stock `wso2registry` dbConfig (the
 * node-local H2 registry) stays, as seed 000 insists. The remote instance is matched by its `<id>`
 * (its url attribute is required but unused for JDBC-backed instances).
 */
export function renderDasRegistry(t: Topology): XmlEdit {
  const reg = dasDatasourceOn(t, DAS_DATABASES.registry, DAS_FILES.masterDatasources);
  const root = '/wso2registry';
  return {
    kind: 'xml',
    path: DAS_FILES.registry,
    ops: [
      {
        op: 'upsertChild',
        parent: root,
        match: `dbConfig${byAttr('name', DAS_REGISTRY.dbConfig)}`,
        xml: xmlFragment({ dbConfig: { '@name': DAS_REGISTRY.dbConfig, dataSource: jndiOf(reg) } }),
      },
      {
        op: 'upsertChild',
        parent: root,
        match: `remoteInstance${byChild('id', DAS_REGISTRY.instanceId)}`,
        xml: xmlFragment({
          remoteInstance: {
            '@url': `https://localhost:${t.ports.dasHttps}/registry`,
            id: DAS_REGISTRY.instanceId,
            // Nodes whose cacheId matches share registry cache entries; it names the database they share.
            cacheId: `${dbUserFor(t, reg.database)}@${jdbcUrl(t, reg.database)}`,
            dbConfig: DAS_REGISTRY.dbConfig,
            readOnly: 'false',
            enableCache: 'true',
            registryRoot: '/',
          },
        }),
      },
      ...DAS_MOUNTED_PATHS.map(
        (path): XmlOp => ({
          op: 'upsertChild',
          parent: root,
          match: `mount${byAttr('path', path)}`,
          xml: xmlFragment({
            mount: { '@path': path, '@overwrite': 'true', instanceId: DAS_REGISTRY.instanceId, targetPath: path },
          }),
        }),
      ),
    ],
  };
}

/**
 * axis2.xml: Hazelcast wka between the two analytics nodes, in the analytics cluster domain (the
 * IS nodes form another cluster). Parameters are upserted: stock Carbon files carry them, but a
 * missing one is added rather than failing the boot.
 */
export function renderDasAxis2(t: Topology, id: NodeId): XmlEdit {
  const self = node(t, id);
  const clustering = '/axisconfig/clustering';
  const port = String(t.ports.analyticsHazelcast);
  const param = (name: string, value: string): XmlOp => ({
    op: 'upsertChild',
    parent: clustering,
    match: `parameter${byAttr('name', name)}`,
    xml: xmlFragment({ parameter: { '@name': name, '#': value } }),
  });
  const bind = (name: string) => `${clustering}/parameter${byAttr('name', name)}`;
  return {
    kind: 'xml',
    path: DAS_FILES.axis2,
    ops: [
      setAttr(clustering, 'class', HAZELCAST_CLUSTERING_AGENT),
      setAttr(clustering, 'enable', 'true'),
      // Multicast does not cross VPC subnets or pod networks.
      param('membershipScheme', 'wka'),
      param('domain', t.analyticsClusterDomain),
      // The only node-specific value here: the address this member advertises to its peer.
      param('localMemberHost', self.address),
      param('localMemberPort', port),
      // A bind address/port would pin Hazelcast to one interface; without them it binds on all
      // interfaces at localMemberPort and advertises localMemberHost (EC2 IP and pod DNS name alike).
      { op: 'remove', path: bind('localMemberBindAddress'), optional: true },
      { op: 'remove', path: bind('localMemberBindPort'), optional: true },
      {
        op: 'upsertChild',
        parent: clustering,
        match: 'members',
        xml: xmlFragment({ members: { member: nodesOf(t, 'analytics').map((n) => ({ hostName: n.address, port })) } }),
      },
    ],
  };
}

/**
 * The Carbon port offset that puts the pack's transports on the model's ports. Carbon offsets the
 * servlet transports and the data bridge receivers together, so all four must agree.
 */
export function dasPortOffset(t: Topology): number {
  const offsets: [string, number][] = [
    ['dasHttps', t.ports.dasHttps - DEFAULT_PORTS.isHttps],
    ['dasHttp', t.ports.dasHttp - DEFAULT_PORTS.isHttp],
    ['thrift', t.ports.thrift - DATA_BRIDGE_DEFAULTS.thrift],
    ['thriftSsl', t.ports.thriftSsl - DATA_BRIDGE_DEFAULTS.thriftSsl],
  ];
  const offset = offsets[0][1];
  if (offsets.some(([, o]) => o !== offset)) {
    throw new Error(
      `DAS analytics ports must share one Carbon port offset over ${DEFAULT_PORTS.isHttps}/${DEFAULT_PORTS.isHttp}/` +
        `${DATA_BRIDGE_DEFAULTS.thrift}/${DATA_BRIDGE_DEFAULTS.thriftSsl}; the model gives ` +
        offsets.map(([n, o]) => `${n} ${o}`).join(', '),
    );
  }
  if (offset < 0) throw new Error(`DAS analytics ports below the product defaults need a negative offset (${offset}), which Carbon rejects`);
  return offset;
}

/** carbon.xml: the port offset (see dasPortOffset) and our keystore and truststore (das-keystores.ts). */
export function renderDasCarbon(t: Topology): XmlEdit {
  return { kind: 'xml', path: DAS_FILES.carbon, ops: [setText('/Server/Ports/Offset', String(dasPortOffset(t))), ...dasCarbonKeystoreOps()] };
}

/**
 * event-processor.xml: HA mode on, SingleNode and Distributed (Storm) off (the product runs the
 * first enabled mode in document order), this node's event-sync and management endpoints (seed 000:
 * neither is moved by the port offset), and the presentation endpoint. No node is the presenter
 * (stock `presenter enable="false"`), so the presentation block keeps seed 000's wildcard host.
 * State persistence is off (seed 000: no real-time use case here needs state after a restart, and
 * the persisted files are never cleaned up); the product reads it from the HA mode's `persistence`
 * child, which the seeds show only in the SingleNode mode, so it is upserted.
 */
export function renderDasEventProcessor(t: Topology, id: NodeId): XmlEdit {
  const self = node(t, id);
  const mode = (name: string) => `/eventProcessorConfiguration/mode${byAttr('name', name)}`;
  const ha = mode('HA');
  return {
    kind: 'xml',
    path: DAS_FILES.eventProcessor,
    ops: [
      setAttr(mode('SingleNode'), 'enable', 'false'),
      setAttr(ha, 'enable', 'true'),
      setAttr(mode('Distributed'), 'enable', 'false'),
      setText(`${ha}/eventSync/hostName`, self.address),
      setText(`${ha}/eventSync/port`, String(t.ports.dasEventSync)),
      setText(`${ha}/management/hostName`, self.address),
      setText(`${ha}/management/port`, String(t.ports.dasManagement)),
      setText(`${ha}/presentation/hostName`, '0.0.0.0'),
      setText(`${ha}/presentation/port`, String(t.ports.dasPresentation)),
      {
        op: 'upsertChild',
        parent: ha,
        match: 'persistence',
        xml: xmlFragment({
          persistence: {
            '@enable': 'false',
            persistenceIntervalInMinutes: PERSISTENCE.intervalInMinutes,
            persisterSchedulerPoolSize: PERSISTENCE.schedulerPoolSize,
            persister: {
              '@class': FILE_SYSTEM_PERSISTENCE_STORE,
              property: { '@key': 'persistenceLocation', '#': PERSISTENCE.location },
            },
          },
        }),
      },
    ],
  };
}

/**
 * spark-defaults.conf: Spark's masters run inside the Hazelcast cluster (`local`), one per analytics
 * node (one active, one stand-by), and both nodes name the product home by the same link path,
 * which the platforms create (topology ANALYTICS_HOME_LINK).
 */
export function renderDasSparkDefaults(t: Topology): PropertiesEdit {
  return {
    kind: 'properties',
    path: DAS_FILES.sparkDefaults,
    separator: ' ',
    ops: [
      { op: 'set', key: 'carbon.spark.master', value: 'local' },
      { op: 'set', key: 'carbon.spark.master.count', value: String(nodesOf(t, 'analytics').length) },
      { op: 'set', key: 'carbon.das.symbolic.link', value: ANALYTICS_HOME_LINK },
      // Spark binds its worker, driver and block managers to random ports by default; pinning them
      // (and not retrying others) is what lets the security groups allow exactly these ports.
      { op: 'set', key: 'spark.master.port', value: String(t.ports.sparkMaster) },
      { op: 'set', key: 'spark.master.webui.port', value: String(t.ports.sparkUi) },
      { op: 'set', key: 'spark.worker.port', value: String(t.ports.sparkWorker) },
      { op: 'set', key: 'spark.worker.webui.port', value: String(t.ports.sparkWorkerUi) },
      { op: 'set', key: 'spark.driver.port', value: String(t.ports.sparkDriver) },
      { op: 'set', key: 'spark.blockManager.port', value: String(t.ports.sparkBlockManager) },
      { op: 'set', key: 'spark.driver.blockManager.port', value: String(t.ports.sparkDriverBlockManager) },
      { op: 'set', key: 'spark.port.maxRetries', value: '0' },
    ],
  };
}

/** Both analytics nodes get the same changes except their own address (Hazelcast, event sync, management). */
export function renderDasChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  if (t.analyticsFlavor !== 'das') throw new Error(`renderDasChangeSet needs analyticsFlavor 'das', got '${t.analyticsFlavor}'`);
  if (node(t, id).role !== 'analytics') throw new Error(`${id} is not an analytics node`);
  const changes: FileChange[] = [
    renderDasMasterDatasources(t),
    renderDasAnalyticsDatasources(t),
    renderDasAnalyticsConf(t),
    renderDasUserMgt(t),
    renderDasRegistry(t),
    renderDasAxis2(t, id),
    renderDasCarbon(t),
    renderDasEventProcessor(t, id),
    renderDasSparkDefaults(t),
    // Our stores, TLS 1.2 only (the 9443 connector, the data bridge receivers and agents).
    ...renderDasKeystoreFiles(),
    // Secure Vault: the ciphertexts of every vaulted password above, and the vault's key (das-vault.ts).
    ...renderDasVaultFiles(t),
  ];
  return { nodeId: id, product: 'analytics', changes };
}

