/**
 * The pattern-2 topology model: the single source of truth for node ids, ports, who may reach
 * which port, databases, datasources, hostnames and shared directories.
 *
 * Pure TypeScript, no Pulumi import: security group rules, load balancer listeners, Kubernetes
 * Services and every rendered configuration file derive from this model, so they cannot drift.
 */

/** An IS node: `is-1` ... `is-N`, N = the config's `is.nodeCount` ({@link isNodeIds}). */
export type IsNodeId = `is-${number}`;
export type NodeId = IsNodeId | 'analytics-1' | 'analytics-2';
export type Role = 'is' | 'analytics';
export type AnalyticsFlavor = 'sp' | 'das';

/**
 * IS nodes: at least two (seed 000 clusters IS with "a minimum of two nodes"), at most ten. The
 * cap is ours, not the product's: every IS node is a wka member listed in every node's axis2.xml
 * (a full mesh of Hazelcast connections), the nodes share one IAM role whose inline policies
 * (10,240 characters in all) carry one key-material statement per node, the Kubernetes IS
 * StatefulSet first-starts its pods one at a time (`OrderedReady`, minutes each), and every node
 * is another instance's cost (docs/architecture.md, "More than two IS nodes").
 */
export const MIN_IS_NODE_COUNT = 2;
export const MAX_IS_NODE_COUNT = 10;
/** What the config defaults to and the shipped stacks use. */
export const DEFAULT_IS_NODE_COUNT = 2;
/** Analytics is exactly two nodes (active-passive, seed 004). */
export const ANALYTICS_NODE_COUNT = 2;
export const ANALYTICS_NODE_IDS = ['analytics-1', 'analytics-2'] as const;

/** The IS node ids of a stack with `count` IS nodes, in order (node 1 first). */
export function isNodeIds(count: number): IsNodeId[] {
  if (!Number.isInteger(count) || count < MIN_IS_NODE_COUNT || count > MAX_IS_NODE_COUNT) {
    throw new Error(`is.nodeCount must be an integer from ${MIN_IS_NODE_COUNT} to ${MAX_IS_NODE_COUNT}, not ${count}`);
  }
  return Array.from({ length: count }, (_, i): IsNodeId => `is-${i + 1}`);
}
/** Every node id of a stack with `isNodeCount` IS nodes: the IS nodes, then the analytics nodes. */
export function nodeIds(isNodeCount: number): NodeId[] {
  return [...isNodeIds(isNodeCount), ...ANALYTICS_NODE_IDS];
}
/** The node ids of each role, in order (node 1 first). */
export function roleNodeIds(isNodeCount: number): Record<Role, NodeId[]> {
  return { is: isNodeIds(isNodeCount), analytics: [...ANALYTICS_NODE_IDS] };
}

/** @deprecated The default stack's IS node ids (`is.nodeCount` 2), for fixtures; platform code uses {@link isNodeIds}. */
export const IS_NODE_IDS = ['is-1', 'is-2'] as const;
/** @deprecated The default stack's node ids, for fixtures; platform code uses {@link nodeIds} of the config's count. */
export const NODE_IDS: readonly NodeId[] = nodeIds(DEFAULT_IS_NODE_COUNT);
/** @deprecated The default stack's node ids per role, for fixtures; platform code uses {@link roleNodeIds}. */
export const ROLE_NODE_IDS: Readonly<Record<Role, readonly NodeId[]>> = roleNodeIds(DEFAULT_IS_NODE_COUNT);
/** The roles, in model order. */
export const ROLES: readonly Role[] = ['is', 'analytics'];
/** The role a node id belongs to. */
export function roleOfNode(id: NodeId): Role {
  return id.startsWith('is-') ? 'is' : 'analytics';
}

// ---- Conventions every platform shares (one home per fact) ---------------------------------

/**
 * Tag (AWS) and label (Kubernetes) key naming the node a resource or file belongs to: `is-1` ...
 * `analytics-2`, `frontend`, `database`. `plan` finds each node's files by it.
 */
export const NODE_TAG_KEY = 'wso2-pattern2/node';
/** Tag key carrying the stack name on every AWS resource. */
export const STACK_TAG_KEY = 'wso2-pattern2/stack';
/** Tag key carrying the environment (`test`, `prod`) on EC2 stacks' resources. */
export const ENVIRONMENT_TAG_KEY = 'wso2-pattern2/environment';
/** uid/gid of the `wso2carbon` user in the official WSO2 images (their Dockerfiles: USER_ID=802); EC2 nodes use the same. */
export const WSO2_UID = 802;
/** Where a node mounts the shared file system (EFS on EC2, the ReadWriteMany volume on Kubernetes). */
export const SHARED_MOUNT = '/mnt/wso2-shared';
/** NFS, as EFS and the local in-cluster NFS server speak it. */
export const NFS_PORT = 2049;

/**
 * Where traffic to a port may come from.
 * - `public`: the internet, through the front end (NLB / nginx Service) only.
 * - `frontend`: the front end (NLB targets / nginx pods) forwarding to the node.
 * - `is`, `analytics`: nodes of that role (peers of the same role included).
 * - `internal-lb`: the internal load balancer in front of the analytics receivers (health checks).
 */
export type Peer = 'frontend' | 'is' | 'analytics' | 'internal-lb';

/** Logical port names. Config may override numbers; names are stable. */
export type PortName =
  | 'isHttps'
  | 'isHttp'
  | 'hazelcast'
  | 'thrift'
  | 'thriftSsl'
  | 'binary'
  | 'binarySsl'
  | 'workerHttp'
  | 'workerHttps'
  | 'eventSync'
  | 'dashboard'
  // DAS flavour only
  | 'analyticsHazelcast'
  | 'dasHttps'
  | 'dasHttp'
  | 'dasEventSync'
  | 'dasManagement'
  | 'dasPresentation'
  | 'sparkMaster'
  | 'sparkUi'
  | 'sparkWorker'
  | 'sparkWorkerUi'
  | 'sparkDriver'
  | 'sparkBlockManager'
  | 'sparkDriverBlockManager';

export type Ports = Record<PortName, number>;

/**
 * Product defaults, read off the IS 5.8.0 and IS Analytics 5.8.0 files (catalina-server.xml,
 * axis2.xml, conf/worker/deployment.yaml, conf/dashboard/deployment.yaml offset 2 over 9641).
 * The event sync port is the worker's documented `deployment.config` sample port.
 */
export const DEFAULT_PORTS: Ports = {
  isHttps: 9443,
  isHttp: 9763,
  hazelcast: 4000,
  thrift: 7612,
  thriftSsl: 7712,
  binary: 9611,
  binarySsl: 9711,
  workerHttp: 9090,
  workerHttps: 9091,
  eventSync: 9893,
  dashboard: 9643,
  // DAS-based IS Analytics (Carbon 4 kernel) defaults, seeds 000-002.
  analyticsHazelcast: 4000,
  dasHttps: 9444,
  dasHttp: 9764,
  dasEventSync: 11224,
  dasManagement: 10005,
  dasPresentation: 11000,
  sparkMaster: 7077,
  sparkUi: 8081,
  // Spark picks these at random unless pinned; the DAS renderer pins them in spark-defaults.conf so
  // the security groups can allow exactly them between the two analytics nodes.
  sparkWorker: 12000,
  sparkWorkerUi: 12500,
  sparkDriver: 12100,
  sparkBlockManager: 12200,
  sparkDriverBlockManager: 12300,
};

export interface PortRule {
  name: PortName;
  port: number;
  protocol: 'tcp';
  /** Why the port is open, for rule descriptions and docs. */
  description: string;
  /** Who may connect. */
  from: readonly Peer[];
  /** Open only on the active analytics node (seed 004: passive node keeps receivers closed). */
  activeOnly?: boolean;
}

export interface Datasource {
  /** Datasource `<name>` (XML) or `name` (YAML). */
  name: string;
  /** JNDI name other files refer to; undefined when the datasource has none. */
  jndiName?: string;
  /** The MySQL database it points to. */
  database: string;
  description: string;
  /** Which product file defines it, relative to the product home. */
  definedIn: string;
}

export interface NodeModel {
  id: NodeId;
  role: Role;
  /** 1 ... N within its role (the number in its id). */
  ordinal: number;
  /** Address other nodes use to reach it (IP on EC2, stable DNS name on Kubernetes). */
  address: string;
  /** Ports this node listens on, with who may reach them. */
  ports: readonly PortRule[];
}

export interface SharedDirectory {
  /** Directory name on the shared file system (EFS / NFS export). */
  name: string;
  role: Role;
  /** Path inside the product home that is a symlink to (or mount of) the shared directory. */
  productPath: string;
  description: string;
}

export interface TopologyInput {
  /** Public IS hostname (carbon.xml HostName, nginx server_name, proxyHost). */
  hostname: string;
  /** Management console hostname; routed to is-1 only. */
  mgtHostname: string;
  /** Analytics dashboard hostname. */
  dashboardHostname: string;
  analyticsFlavor: AnalyticsFlavor;
  ports: Ports;
  /** How many IS nodes (`is.nodeCount`); default {@link DEFAULT_IS_NODE_COUNT}. */
  isNodeCount?: number;
  /** Address of each node (EC2: ENI private IP; Kubernetes: headless-Service DNS name). */
  addresses: Record<NodeId, string>;
  /** MySQL endpoint host and port as the nodes reach it. */
  dbHost: string;
  dbPort: number;
  /** Character set the databases are created with (seed note: latin1 avoids error 1709 on 5.6-era schemas). */
  dbCharacterSet: string;
  /** Application user the products connect as. */
  dbUser: string;
  /** Ports the front end exposes to clients (products are told them as proxy ports); default 443/80. */
  frontendPorts?: FrontendPorts;
}

export interface Topology {
  hostname: string;
  mgtHostname: string;
  dashboardHostname: string;
  analyticsFlavor: AnalyticsFlavor;
  ports: Ports;
  nodes: readonly NodeModel[];
  /** Hazelcast cluster domain of the IS nodes. */
  isClusterDomain: string;
  /** Hazelcast cluster domain of the DAS analytics nodes (separate from the IS cluster). */
  analyticsClusterDomain: string;
  /** Stream Processor cluster group id shared by the two workers. */
  analyticsGroupId: string;
  db: {
    host: string;
    port: number;
    characterSet: string;
    /** The IS application account (`accounts.is.user`); analytics connects as `accounts.analytics.user`. */
    user: string;
    /** Every database the chosen flavour needs, in creation order. */
    databases: readonly string[];
    /** Every datasource we define, by name. */
    datasources: Readonly<Record<string, Datasource>>;
    /** The application accounts, one per role, with the databases and privileges each is granted. */
    accounts: Readonly<Record<Role, DbAccount>>;
  };
  sharedDirectories: readonly SharedDirectory[];
  /** Ports clients use on the front end (catalina proxyPort, dashboard proxyHTTPSPort, shindig.port). */
  frontendPorts: FrontendPorts;
}

export interface FrontendPorts {
  https: number;
  http: number;
}
/** What the NLB / nginx listen on for clients (seed 000: proxy ports 443 and 80). */
export const DEFAULT_FRONTEND_PORTS: FrontendPorts = { https: 443, http: 80 };
/** The products' stock administrator account; both IS and IS Analytics keep its name, only the password is ours. */
export const ADMIN_USERNAME = 'admin';

/** MySQL's port, on RDS and in-cluster alike. */
export const MYSQL_PORT = 3306;

export { SECRET_NAMES, SECRET_PLACEHOLDER_RE, secretPlaceholder } from './secret-names';
export type { SecretName } from './secret-names';
import type { SecretName } from './secret-names';
import { secretPlaceholder } from './secret-names';

/** IS databases (seed 000: a user-store database and an identity database). */
export const IS_DATABASES = { userStore: 'WSO2UMDB', identity: 'WSO2_IDENTITY_DB' } as const;
/** Stream-Processor analytics databases. */
export const SP_DATABASES = {
  cluster: 'WSO2_CLUSTER_DB',
  persistence: 'WSO2_PERSISTENCE_DB',
  isAnalytics: 'IS_ANALYTICS_DB',
  dashboard: 'WSO2_DASHBOARD_DB',
  permissions: 'WSO2_PERMISSIONS_DB',
} as const;
/** DAS-based analytics databases (seeds 000-002). */
export const DAS_DATABASES = {
  userStore: 'WSO2_ANALYTICS_UM_DB',
  registry: 'WSO2_ANALYTICS_REG_DB',
  eventStore: 'WSO2_ANALYTICS_EVENT_STORE_DB',
  processedDataStore: 'WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB',
} as const;

const IS_DATASOURCES: Datasource[] = [
  {
    name: 'WSO2UserStore',
    jndiName: 'jdbc/WSO2UserStore',
    database: IS_DATABASES.userStore,
    description: 'The shared JDBC user store of both IS nodes',
    definedIn: 'repository/conf/datasources/master-datasources.xml',
  },
  {
    name: 'WSO2_IDENTITY_DB',
    jndiName: 'jdbc/WSO2IdentityDS',
    database: IS_DATABASES.identity,
    description: 'Identity data and the shared config/governance registry',
    definedIn: 'repository/conf/datasources/master-datasources.xml',
  },
  {
    name: 'BPS_DS',
    jndiName: 'bpsds',
    database: IS_DATABASES.identity,
    description: 'Workflow (BPS) engine data',
    definedIn: 'repository/conf/datasources/bps-datasources.xml',
  },
];

const SP_DATASOURCES: Datasource[] = [
  {
    name: 'WSO2_CLUSTER_DB',
    database: SP_DATABASES.cluster,
    description: 'Cluster coordination of the two analytics workers',
    definedIn: 'conf/worker/deployment.yaml',
  },
  {
    name: 'PERSISTENCE_DB',
    jndiName: 'jdbc/PERSISTENCE_DB',
    database: SP_DATABASES.persistence,
    description: 'Siddhi state persistence shared by both workers',
    definedIn: 'conf/worker/deployment.yaml',
  },
  {
    name: 'IS_ANALYTICS_DB',
    jndiName: 'jdbc/IS_ANALYTICS_DB',
    database: SP_DATABASES.isAnalytics,
    description: 'IS analytics statistics',
    definedIn: 'conf/worker/deployment.yaml',
  },
  {
    name: 'WSO2_DASHBOARD_DB',
    jndiName: 'jdbc/DASHBOARD_DB',
    database: SP_DATABASES.dashboard,
    description: 'Dashboard definitions shared by both dashboards',
    definedIn: 'conf/dashboard/deployment.yaml',
  },
  {
    name: 'WSO2_PERMISSIONS_DB',
    jndiName: 'jdbc/PERMISSION_DB',
    database: SP_DATABASES.permissions,
    description: 'Dashboard permissions shared by both dashboards',
    definedIn: 'conf/dashboard/deployment.yaml',
  },
];

const DAS_DATASOURCES: Datasource[] = [
  {
    name: 'WSO2UM_DB',
    jndiName: 'jdbc/WSO2UM_DB',
    database: DAS_DATABASES.userStore,
    description: 'The datasource used by user manager',
    definedIn: 'repository/conf/datasources/master-datasources.xml',
  },
  {
    name: 'WSO2REG_DB',
    jndiName: 'jdbc/WSO2REG_DB',
    database: DAS_DATABASES.registry,
    description: 'The datasource used by the registry',
    definedIn: 'repository/conf/datasources/master-datasources.xml',
  },
  {
    name: 'WSO2_ANALYTICS_EVENT_STORE_DB',
    database: DAS_DATABASES.eventStore,
    description: 'Analytics event record store',
    definedIn: 'repository/conf/datasources/analytics-datasources.xml',
  },
  {
    name: 'WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB',
    database: DAS_DATABASES.processedDataStore,
    description: 'Analytics processed data record store',
    definedIn: 'repository/conf/datasources/analytics-datasources.xml',
  },
];

function rule(ports: Ports, name: PortName, description: string, from: Peer[], activeOnly = false): PortRule {
  return { name, port: ports[name], protocol: 'tcp', description, from, ...(activeOnly ? { activeOnly } : {}) };
}

/** Ports an IS node listens on and who may reach them. */
export function isPortRules(ports: Ports): PortRule[] {
  return [
    rule(ports, 'isHttps', 'IS HTTPS (servlet transport)', ['frontend']),
    rule(ports, 'isHttp', 'IS HTTP (servlet transport)', ['frontend']),
    rule(ports, 'hazelcast', 'IS Hazelcast cluster membership (wka)', ['is']),
  ];
}

/** Ports an analytics node listens on, per flavour. */
export function analyticsPortRules(ports: Ports, flavor: AnalyticsFlavor): PortRule[] {
  if (flavor === 'sp') {
    return [
      rule(ports, 'thrift', 'Analytics Thrift receiver', ['is', 'internal-lb'], true),
      rule(ports, 'thriftSsl', 'Analytics Thrift SSL receiver', ['is', 'internal-lb'], true),
      rule(ports, 'binary', 'Analytics binary receiver', ['is', 'internal-lb'], true),
      rule(ports, 'binarySsl', 'Analytics binary SSL receiver', ['is', 'internal-lb'], true),
      rule(ports, 'workerHttps', 'Analytics worker HTTPS API (store queries, status)', ['analytics']),
      rule(ports, 'eventSync', 'Active-to-passive event sync server', ['analytics']),
      rule(ports, 'dashboard', 'Analytics dashboard (HTTPS)', ['frontend']),
    ];
  }
  return [
    rule(ports, 'thrift', 'Analytics Thrift receiver', ['is', 'internal-lb']),
    rule(ports, 'thriftSsl', 'Analytics Thrift SSL receiver', ['is', 'internal-lb']),
    rule(ports, 'analyticsHazelcast', 'Analytics Hazelcast cluster membership (wka)', ['analytics']),
    rule(ports, 'dasEventSync', 'CEP HA event sync', ['analytics']),
    rule(ports, 'dasManagement', 'CEP HA management (state sync)', ['analytics']),
    rule(ports, 'dasPresentation', 'CEP presentation', ['analytics']),
    rule(ports, 'sparkMaster', 'Spark master', ['analytics']),
    rule(ports, 'sparkUi', 'Spark master web UI', ['analytics']),
    rule(ports, 'sparkWorker', 'Spark worker', ['analytics']),
    rule(ports, 'sparkWorkerUi', 'Spark worker web UI', ['analytics']),
    rule(ports, 'sparkDriver', 'Spark driver', ['analytics']),
    rule(ports, 'sparkBlockManager', 'Spark executor block manager', ['analytics']),
    rule(ports, 'sparkDriverBlockManager', 'Spark driver block manager', ['analytics']),
    rule(ports, 'dasHttps', 'Analytics management console and dashboard (HTTPS)', ['frontend']),
  ];
}

/** Every port a node of this role listens on must be distinct; returns the clashing names. */
export function portClashes(rules: readonly PortRule[]): string[] {
  const seen = new Map<number, PortName>();
  const clashes: string[] = [];
  for (const r of rules) {
    const other = seen.get(r.port);
    if (other) clashes.push(`${other} and ${r.name} both use ${r.port}`);
    else seen.set(r.port, r.name);
  }
  return clashes;
}

export function datasourcesFor(flavor: AnalyticsFlavor): Datasource[] {
  return [...IS_DATASOURCES, ...(flavor === 'sp' ? SP_DATASOURCES : DAS_DATASOURCES)];
}

export function databasesFor(flavor: AnalyticsFlavor): string[] {
  const dbs = datasourcesFor(flavor).map((d) => d.database);
  return dbs.filter((d, i) => dbs.indexOf(d) === i);
}

/** A product schema script loaded once into a database (the stock scripts are not idempotent). */
export interface SchemaLoad {
  /** Which product home holds the script: the IS home or the analytics home. */
  product: Role;
  /** Script path relative to that product home; it also names the load (claim id). */
  script: string;
  database: string;
  /**
   * Variants loaded instead of `script` when present, first match wins: Carbon 4.4.6+ packs ship
   * MySQL 5.7+ scripts next to the 5.6-era ones, and our targets (RDS, the in-cluster image) are MySQL 8.
   */
  preferred?: string[];
}

/** The Carbon (user store + registry) script and its MySQL 5.7+ variant, as every Carbon 4.4.6+ pack ships them. */
const CARBON_SCRIPT = { script: 'dbscripts/mysql.sql', preferred: ['dbscripts/mysql5.7.sql'] } as const;

/**
 * Which stock schema script goes into which database, in load order. IS 5.8: the Carbon script
 * into the user store and into the identity database (which also holds the shared registry);
 * identity, UMA, consent and BPS scripts into the identity database. SP analytics creates its
 * own tables at runtime; DAS analytics needs the Carbon script in its UM and registry databases.
 */
export function schemaLoadsFor(flavor: AnalyticsFlavor): SchemaLoad[] {
  const load = (product: Role, script: string, database: string, preferred?: readonly string[]): SchemaLoad => ({
    product,
    script,
    database,
    ...(preferred ? { preferred: [...preferred] } : {}),
  });
  const loads = [
    load('is', CARBON_SCRIPT.script, IS_DATABASES.userStore, CARBON_SCRIPT.preferred),
    load('is', CARBON_SCRIPT.script, IS_DATABASES.identity, CARBON_SCRIPT.preferred),
    load('is', 'dbscripts/identity/mysql.sql', IS_DATABASES.identity, ['dbscripts/identity/mysql-5.7.sql']),
    load('is', 'dbscripts/identity/uma/mysql.sql', IS_DATABASES.identity),
    load('is', 'dbscripts/consent/mysql.sql', IS_DATABASES.identity),
    load('is', 'dbscripts/bps/bpel/create/mysql.sql', IS_DATABASES.identity),
  ];
  if (flavor === 'das') {
    for (const database of [DAS_DATABASES.userStore, DAS_DATABASES.registry]) {
      loads.push(load('analytics', CARBON_SCRIPT.script, database, CARBON_SCRIPT.preferred));
    }
  }
  return loads;
}

/** Bookkeeping database of the db-init script (schema-load claims); the master user only. */
export const DB_INIT_META_DATABASE = 'WSO2_PATTERN2_META';

// ---- Database accounts and their privileges (db-init grants them; the products connect as them) ----
// Schemas load through db-init as the master user; at run time each role connects as its own
// account, which holds only what that runtime does (docs/architecture.md, "Database privileges").

/** IS at run time only reads and writes rows: its DDL is the stock dbscripts, which db-init loads. */
export const IS_DB_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
/** The analytics runtime also creates, indexes and drops its own tables in its own databases. */
export const ANALYTICS_DB_PRIVILEGES = [...IS_DB_PRIVILEGES, 'CREATE', 'ALTER', 'INDEX', 'DROP'] as const;
/** The analytics account is the IS account's name with this suffix (e.g. `wso2_analytics`). */
export const ANALYTICS_DB_USER_SUFFIX = '_analytics';
/** MySQL's (and RDS's) longest user name. */
export const MYSQL_USER_MAX_LENGTH = 32;

export interface DbAccount {
  role: Role;
  /** MySQL user name; the host part is always `%`. */
  user: string;
  /** The databases it is granted, in model order (no other database). */
  databases: readonly string[];
  /** The privileges it holds on each of them (nothing global, no GRANT OPTION). */
  privileges: readonly string[];
}

/** The account of each role: the IS datasources' databases to `isUser`, the analytics ones to its analytics account. */
export function dbAccountsFor(flavor: AnalyticsFlavor, isUser: string): Record<Role, DbAccount> {
  const analyticsUser = `${isUser}${ANALYTICS_DB_USER_SUFFIX}`;
  if (analyticsUser.length > MYSQL_USER_MAX_LENGTH) {
    throw new Error(`database user ${isUser} is too long: ${analyticsUser} must fit in ${MYSQL_USER_MAX_LENGTH} characters`);
  }
  const isDbs = databasesFor(flavor).filter((d) => IS_DATASOURCES.some((x) => x.database === d));
  return {
    is: { role: 'is', user: isUser, databases: isDbs, privileges: [...IS_DB_PRIVILEGES] },
    analytics: {
      role: 'analytics',
      user: analyticsUser,
      databases: databasesFor(flavor).filter((d) => !isDbs.includes(d)),
      privileges: [...ANALYTICS_DB_PRIVILEGES],
    },
  };
}

/** The user a datasource on `database` connects as; throws for a database no account is granted. */
export function dbUserFor(t: Topology, database: string): string {
  const a = Object.values(t.db.accounts).find((x) => x.databases.includes(database));
  if (!a) throw new Error(`no database account is granted ${database}`);
  return a.user;
}

export const SHARED_DIRECTORIES: readonly SharedDirectory[] = [
  {
    name: 'Deployment',
    role: 'is',
    productPath: 'repository/deployment',
    description: 'IS deployed artifacts, shared by both IS nodes (seed 000: symlinked, not mounted)',
  },
  {
    name: 'Tenants',
    role: 'is',
    productPath: 'repository/tenants',
    description: 'IS tenant artifacts, shared by both IS nodes',
  },
  {
    name: 'siddhi-files',
    role: 'analytics',
    productPath: 'wso2/worker/deployment/siddhi-files',
    description: 'Siddhi applications, identical on both analytics workers (seed 004)',
  },
];

/**
 * DAS-based analytics has no siddhi-files; its shared artifacts are the C-Apps (seed 000: share
 * the C-Apps among the nodes instead of an SVN deployment synchronizer).
 */
export const DAS_SHARED_DIRECTORIES: readonly SharedDirectory[] = [
  ...SHARED_DIRECTORIES.filter((d) => d.role === 'is'),
  {
    name: 'carbonapps',
    role: 'analytics',
    productPath: 'repository/deployment/server/carbonapps',
    description: 'C-Apps deployed to both DAS analytics nodes',
  },
];

export function sharedDirectoriesFor(flavor: AnalyticsFlavor): readonly SharedDirectory[] {
  return flavor === 'sp' ? SHARED_DIRECTORIES : DAS_SHARED_DIRECTORIES;
}

/**
 * A path identical on both analytics nodes that links to the analytics product home. The DAS
 * flavour names it in spark-defaults.conf (`carbon.das.symbolic.link`, seed 000) so Spark finds the
 * same paths on both nodes; platforms create the link.
 */
export const ANALYTICS_HOME_LINK = '/opt/wso2/analytics-home';

/** A long-running product process on a node: one systemd unit on EC2, one container on Kubernetes. */
export interface ProductProcess {
  /** Unit / container name suffix. */
  name: 'server' | 'worker' | 'dashboard';
  /** Start script relative to the product home, run in the foreground. */
  command: string;
  /** The port whose answer means the process is up (health checks, probes). */
  healthPort: PortName;
  /** An HTTPS path on the health port that answers 200 once the server is up; TCP otherwise. */
  healthPath?: string;
}

/** Carbon 4 servers (IS, DAS analytics): the management console's login page answers once up. */
export const CARBON_HEALTH_PATH = '/carbon/admin/login.jsp';

/**
 * What runs on a node of each role. IS Analytics 5.8 (Stream Processor based) runs a worker and a
 * dashboard from one pack (seed 004: with two nodes the dashboard of the same pack is fine); the
 * DAS-based product is one Carbon server.
 */
export function processesFor(role: Role, flavor: AnalyticsFlavor): ProductProcess[] {
  if (role === 'is') return [{ name: 'server', command: 'bin/wso2server.sh', healthPort: 'isHttps', healthPath: CARBON_HEALTH_PATH }];
  if (flavor === 'sp') {
    return [
      { name: 'worker', command: 'bin/worker.sh', healthPort: 'workerHttps' },
      { name: 'dashboard', command: 'bin/dashboard.sh', healthPort: 'dashboard' },
    ];
  }
  return [{ name: 'server', command: 'bin/wso2server.sh', healthPort: 'dasHttps', healthPath: CARBON_HEALTH_PATH }];
}

/**
 * Where a product loads JDBC drivers from, relative to its home: Carbon 4 (IS, DAS-based
 * analytics) `repository/components/lib`; the Carbon 5 Stream Processor analytics `lib`.
 */
export function jdbcDriverDir(role: Role, flavor: AnalyticsFlavor): string {
  return role === 'analytics' && flavor === 'sp' ? 'lib' : 'repository/components/lib';
}

export function buildTopology(input: TopologyInput): Topology {
  const nodes: NodeModel[] = nodeIds(input.isNodeCount ?? DEFAULT_IS_NODE_COUNT).map((id) => {
    const role = roleOfNode(id);
    const address = input.addresses[id];
    if (address === undefined) throw new Error(`topology input has no address for node ${id}`);
    return {
      id,
      role,
      ordinal: Number(id.slice(id.lastIndexOf('-') + 1)),
      address,
      ports: role === 'is' ? isPortRules(input.ports) : analyticsPortRules(input.ports, input.analyticsFlavor),
    };
  });
  const datasources: Record<string, Datasource> = {};
  for (const d of datasourcesFor(input.analyticsFlavor)) datasources[d.name] = d;
  return {
    hostname: input.hostname,
    mgtHostname: input.mgtHostname,
    dashboardHostname: input.dashboardHostname,
    analyticsFlavor: input.analyticsFlavor,
    ports: input.ports,
    nodes,
    isClusterDomain: 'wso2.is.domain',
    analyticsClusterDomain: 'wso2.is.analytics.domain',
    analyticsGroupId: 'is-analytics',
    db: {
      host: input.dbHost,
      port: input.dbPort,
      characterSet: input.dbCharacterSet,
      user: input.dbUser,
      databases: databasesFor(input.analyticsFlavor),
      datasources,
      accounts: dbAccountsFor(input.analyticsFlavor, input.dbUser),
    },
    sharedDirectories: sharedDirectoriesFor(input.analyticsFlavor),
    frontendPorts: input.frontendPorts ?? DEFAULT_FRONTEND_PORTS,
  };
}

export function node(t: Topology, id: NodeId): NodeModel {
  const n = t.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`topology has no node ${id}`);
  return n;
}

export function nodesOf(t: Topology, role: Role): NodeModel[] {
  return t.nodes.filter((n) => n.role === role);
}

/**
 * The TLS parameters every JDBC URL carries (MySQL Connector/J 5.1.49, research notes F.1):
 * TLS required, the server's certificate verified (PKIX against the truststore; 5.1 checks no host
 * name), TLS 1.2 named explicitly because 5.1.49 offers only TLS 1.0/1.1 to servers older than
 * MySQL 5.7.28 unless told. `verifyServerCertificate` is set explicitly: its default turns false
 * for MySQL 5.5.45+/5.6.26+/5.7.6+ when `useSSL` is not given.
 */
export const JDBC_TLS_PARAMS = 'useSSL=true&requireSSL=true&verifyServerCertificate=true&enabledTLSProtocols=TLSv1.2';

/**
 * Where Connector/J reads the certificates it trusts, per role. Carbon 4 nodes (IS, DAS analytics):
 * none named, so it falls back to `javax.net.ssl.trustStore*`, which Carbon 4 sets from carbon.xml
 * `Security/TrustStore` (our truststore, its password through Secure Vault) before the user store
 * and registry first connect (kernel 4.4.20-4.4.40 user core `Activator`,
 * `RegistryCoreServiceComponent.setSystemTrustStore`), and which DAS hands on to its Spark JVMs
 * (carbon-analytics `SparkAnalyticsExecutor`). SP analytics: the truststore named in the URL with
 * its password (a placeholder): the SP start scripts export the truststore without a password
 * (carbon.sh keeps it off the command line), with which Connector/J cannot open a JKS. SP
 * resolves `${sys:carbon.home}` in any deployment.yaml value.
 */
export function jdbcTrustParams(role: Role, flavor: AnalyticsFlavor): string {
  if (role === 'is' || flavor === 'das') return '';
  const store = keystoresFor('analytics', flavor).find((s) => s.kind === 'truststore')!;
  return `&trustCertificateKeyStoreUrl=file:\${sys:carbon.home}/${store.file}&trustCertificateKeyStoreType=JKS&trustCertificateKeyStorePassword=${secretPlaceholder(store.passwordSecret)}`;
}

/**
 * MySQL JDBC URL of a database as the nodes of `role` connect to it (Connector/J 5.1, as the
 * seeds use). TLS on and the server verified (`JDBC_TLS_PARAMS`): RDS and the in-cluster MySQL
 * both serve it, it keeps credentials off the wire, and MySQL 8's default caching_sha2_password
 * needs a secure channel for a first login. The default role's URL names no truststore and no
 * password, so it also serves as an identifier (registry `cacheId`).
 */
export function jdbcUrl(t: Topology, database: string, role: Role = 'is'): string {
  return `jdbc:mysql://${t.db.host}:${t.db.port}/${database}?autoReconnect=true&${JDBC_TLS_PARAMS}${jdbcTrustParams(role, t.analyticsFlavor)}`;
}

/** Looks up a datasource by JNDI name; throws when nothing we define has it. */
export function datasourceByJndi(t: Topology, jndiName: string): Datasource {
  const d = Object.values(t.db.datasources).find((x) => x.jndiName === jndiName);
  if (!d) throw new Error(`no datasource with JNDI name ${jndiName} is defined`);
  return d;
}

/**
 * Which peers may reach port `p` of node `n`: the flattened list of (from-peer, port) pairs.
 * Platforms turn each into a security group rule or a NetworkPolicy ingress.
 */
export function ingressPairs(t: Topology): { to: Role; port: PortRule; from: Peer }[] {
  const out: { to: Role; port: PortRule; from: Peer }[] = [];
  for (const role of ['is', 'analytics'] as Role[]) {
    const rep = nodesOf(t, role)[0];
    for (const p of rep.ports) for (const from of p.from) out.push({ to: role, port: p, from });
  }
  return out;
}

// ---- key material -----------------------------------------------------------------------------

/** The nodes' own stores: primary (token signing), internal (internal encryption), tls, truststore. */
export type KeystoreKind = 'primary' | 'internal' | 'tls' | 'truststore';

/** One store of a node: file (relative to the product home), key alias (key stores), password secret. */
export interface KeystoreSpec {
  kind: KeystoreKind;
  /** Path relative to the product home. */
  file: string;
  /** Alias of its one key entry; none for the truststore. */
  alias?: string;
  /** The placeholder secret holding its store password (key password == store password). */
  passwordSecret: SecretName;
}

/** Alias of the deployment CA and of the front end's certificate in the truststore. */
export const TRUSTSTORE_ALIASES = { ca: 'deployment-ca', frontend: 'frontend' } as const;

/**
 * The stores each node builds at boot (applier `keystores`), per role and analytics flavour: IS
 * and DAS (Carbon 4) keep them under repository/resources/security, SP-based analytics under
 * resources/security. SP analytics nodes need only their TLS key and the truststore.
 */
export function keystoresFor(role: Role, flavor: AnalyticsFlavor): KeystoreSpec[] {
  const dir = role === 'analytics' && flavor === 'sp' ? 'resources/security' : 'repository/resources/security';
  const tls: KeystoreSpec = { kind: 'tls', file: `${dir}/tls.jks`, alias: 'tls', passwordSecret: 'tls_keystore_password' };
  const trust: KeystoreSpec = { kind: 'truststore', file: `${dir}/client-truststore.jks`, passwordSecret: 'truststore_password' };
  // DAS (Carbon 4.4 before 4.4.34) has one carbon.xml KeyStore, for encryption and signing: an
  // internal store of the analytics nodes' own (components/keys.ts issues it; config-templates/das-keystores.ts).
  const internal: KeystoreSpec = { kind: 'internal', file: `${dir}/internal.jks`, alias: 'internal', passwordSecret: 'internal_keystore_password' };
  if (role === 'analytics') return flavor === 'das' ? [internal, tls, trust] : [tls, trust];
  return [
    { kind: 'primary', file: `${dir}/primary.jks`, alias: 'primary', passwordSecret: 'keystore_password' },
    internal,
    tls,
    trust,
  ];
}
