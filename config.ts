/**
 * Stack configuration: read once, validated once, into one typed object.
 *
 * `parseStackConfig` is pure (raw key/value strings in, typed object or ConfigError out) so every
 * rule is testable without the Pulumi engine; `loadStackConfig` feeds it the running stack's
 * config and wraps secret values as Pulumi secrets. Invalid input throws before any resource is
 * registered, naming the key and what is accepted.
 */
import * as pulumi from '@pulumi/pulumi';
import {
  AnalyticsFlavor,
  DEFAULT_PORTS,
  MYSQL_PORT,
  NodeId,
  TopologyInput,
  PortName,
  Ports,
  analyticsPortRules,
  isPortRules,
  portClashes,
  PATTERN2_NODE_COUNT,
} from './topology';

export const PROJECT = 'wso2-is-pattern2';

export type Platform = 'ec2' | 'kubernetes';
export type Environment = 'test' | 'prod';
export type DatabaseKind = 'rds' | 'in-cluster';
export type SharedStorageKind = 'efs' | 'nfs';

export interface RoleSettings {
  /** Always 2 in pattern 2; accepted in config only to reject other values clearly. */
  nodeCount: number;
  /** EC2 instance type of the role's nodes. */
  instanceType: string;
  /** URL of the product pack (zip) the nodes install at boot; unused with a pre-baked AMI or on Kubernetes. */
  packUrl?: string;
}

export interface StackConfig {
  project: string;
  stack: string;
  platform: Platform;
  /** `test` stacks tear down with nothing left (no final snapshot, no deletion protection); `prod` protects data. */
  environment: Environment;
  hostname: string;
  mgtHostname: string;
  dashboardHostname: string;
  is: RoleSettings;
  analytics: RoleSettings & { flavor: AnalyticsFlavor };
  ports: Ports;
  database: DatabaseKind;
  databaseCharacterSet: string;
  databaseUser: string;
  rds: {
    engineVersion: string;
    instanceClass: string;
    allocatedStorage: number;
    multiAz: boolean;
    deletionProtection: boolean;
    backupRetentionDays: number;
  };
  sharedStorage: SharedStorageKind;
  network: {
    /** Use this VPC and these subnets instead of creating a VPC. All three or none. */
    vpcId?: string;
    publicSubnetIds?: string[];
    privateSubnetIds?: string[];
    /** CIDR of the VPC the program creates. */
    vpcCidr: string;
    /** Who may reach the public listeners (443/80). */
    ingressCidrs: string[];
    /** SSH ingress to the nodes; none unless set (administration is through SSM Session Manager). */
    sshCidr?: string;
  };
  /** The MySQL Connector/J jar every product loads (neither the packs nor the official images ship it). */
  jdbcDriver: {
    /** https (any platform) or s3 (EC2 only) URL of the jar. */
    url: string;
    /** Lower-case hex SHA-256 of the jar, verified after download when set. */
    sha256?: string;
  };
  ec2: {
    /** Pre-baked AMI with Java and the products installed; otherwise Amazon Linux 2023 + pack URLs. */
    amiId?: string;
    /** Package name of the JDK installed at boot. */
    javaPackage: string;
  };
  kubernetes: {
    /** kubeconfig context; the current context when unset. */
    context?: string;
    namespace: string;
    /** StorageClass for ReadWriteMany volumes (EFS CSI on EKS); unset on local clusters with nfs. */
    storageClass?: string;
    images: {
      is: string;
      analyticsWorker: string;
      analyticsDashboard: string;
      nginx: string;
      mysql: string;
      nfsServer: string;
      /**
       * DAS-based IS Analytics (`analytics.flavor: das`): no official public image exists, so no
       * default; required with that flavour on kubernetes.
       */
      analyticsDas?: string;
    };
  };
  tls: {
    /** PEM certificate for the front end; a self-signed one is made when unset. */
    certificate?: string;
    privateKey?: pulumi.Output<string>;
  };
  secrets: {
    adminPassword?: pulumi.Output<string>;
    dbPassword?: pulumi.Output<string>;
    dbMasterPassword?: pulumi.Output<string>;
  };
}

/** StackConfig before secrets are wrapped: what the pure parser returns. */
export type ParsedStackConfig = Omit<StackConfig, 'tls' | 'secrets'> & {
  tls: { certificate?: string; privateKey?: string };
  secrets: { adminPassword?: string; dbPassword?: string; dbMasterPassword?: string };
};

export class ConfigError extends Error {
  constructor(
    public readonly key: string,
    message: string,
  ) {
    super(`Invalid stack configuration: ${PROJECT}:${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

// ---- value checkers -------------------------------------------------------------------------

const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/;
const RDS_CLASS_RE = /^db\.[a-z][a-z0-9-]*\d[a-z0-9-]*\.(micro|small|medium|large|\d*xlarge)$/;
/** MySQL major versions RDS supports today. */
const ENGINE_VERSION_RE = /^8\.(0|4)(\.\d{1,2})?$/;
const CHARSETS = ['latin1', 'utf8', 'utf8mb3', 'utf8mb4'];
const MYSQL_IDENT_RE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** [registry[:port]/]path[:tag][@sha256:digest] */
const IMAGE_RE = /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?\/)?[a-z0-9]+([._\-/][a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** Pinned: a tag on the last path segment (not a registry port) or a digest. */
const isPinnedImage = (x: string) => x.includes('@sha256:') || x.split('/').pop()!.includes(':');
const VPC_ID_RE = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID_RE = /^subnet-[0-9a-f]{8,17}$/;
const AMI_ID_RE = /^ami-[0-9a-f]{8,17}$/;
/** https or s3 URL whose last path segment is a plain jar file name (it names the file on the nodes). */
const JDBC_DRIVER_URL_RE = /^(https|s3):\/\/[^\s/]+(\/[^\s/]+)*\/[A-Za-z0-9][A-Za-z0-9._+-]*\.jar$/;

export function isValidCidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return false;
  // host bits must be zero: 10.0.0.1/16 is almost always a typo
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (addr & ~mask) >>> 0 === 0;
}

export function isValidHostname(s: string): boolean {
  return HOSTNAME_RE.test(s);
}

// ---- the schema ------------------------------------------------------------------------------

type Kind = 'string' | 'integer' | 'boolean' | 'object' | 'array';

interface KeySpec {
  kind: Kind;
  description: string;
  secret?: boolean;
  required?: boolean;
  /**
   * The default as stored in Pulumi.yaml (objects: the keys are documented one by one below).
   * `''` marks an optional key whose effective value is derived or absent: the Pulumi CLI makes
   * every declared key without a default mandatory, so optional keys declare `default: ""` and the
   * parser reads an empty value of such a key as unset.
   */
  default?: string | number | boolean;
}

/**
 * Every top-level key. Pulumi.yaml's `config:` block and the README reference are checked
 * against this table by the tests, so the three cannot drift.
 */
export const CONFIG_KEYS: Record<string, KeySpec> = {
  platform: { kind: 'string', description: 'Where the nodes run: ec2 | kubernetes', default: 'ec2' },
  environment: {
    kind: 'string',
    description: 'test (tears down completely) | prod (multi-AZ database, deletion protection, protected data)',
    default: 'test',
  },
  hostname: { kind: 'string', description: 'Public hostname of the IS cluster (carbon.xml HostName, nginx server_name)', required: true },
  mgtHostname: { kind: 'string', description: 'Management console hostname, routed to is-1 only; empty: mgt.<hostname>', default: '' },
  dashboardHostname: { kind: 'string', description: 'Analytics dashboard hostname; empty: analytics.<hostname>', default: '' },
  is: { kind: 'object', description: 'IS nodes: {nodeCount: 2, instanceType, packUrl}' },
  analytics: { kind: 'object', description: 'Analytics nodes: {flavor: sp | das, nodeCount: 2, instanceType, packUrl}' },
  ports: { kind: 'object', description: `Port overrides by name (${Object.keys(DEFAULT_PORTS).join(', ')})` },
  database: { kind: 'string', description: 'rds | in-cluster (in-cluster: a MySQL StatefulSet, kubernetes only)', default: 'rds' },
  databaseCharacterSet: {
    kind: 'string',
    description: `Character set of the product databases (${CHARSETS.join(' | ')}); latin1 as the seeds advise`,
    default: 'latin1',
  },
  databaseUser: { kind: 'string', description: 'Application database user the products connect as', default: 'wso2' },
  rds: {
    kind: 'object',
    description: 'RDS MySQL: {engineVersion, instanceClass, allocatedStorage, multiAz, deletionProtection, backupRetentionDays}',
  },
  sharedStorage: { kind: 'string', description: 'efs | nfs (nfs: an in-cluster NFS server, kubernetes only)', default: 'efs' },
  network: {
    kind: 'object',
    description: 'Network: {vpcId, publicSubnetIds, privateSubnetIds} to reuse a VPC, or {vpcCidr}; {ingressCidrs, sshCidr}',
  },
  jdbcDriver: {
    kind: 'object',
    description: 'MySQL Connector/J jar the products load: {url (https; s3 on ec2 only), sha256 (hex, checked after download)}',
  },
  ec2: { kind: 'object', description: 'EC2 nodes: {amiId, javaPackage}' },
  kubernetes: {
    kind: 'object',
    description:
      'Kubernetes: {context, namespace, storageClass (required with sharedStorage efs), images: {is, analyticsWorker, analyticsDashboard, nginx, mysql, nfsServer, analyticsDas (no default; required with analytics.flavor das)}}',
  },
  tlsCertificate: { kind: 'string', description: 'PEM certificate of the nginx front end (kubernetes; on ec2 TLS passes through to the nodes); self-signed when empty', default: '' },
  tlsPrivateKey: { kind: 'string', secret: true, description: 'PEM private key matching tlsCertificate (secret)', default: '' },
  adminPassword: { kind: 'string', secret: true, description: 'IS and analytics admin password (secret); random when empty', default: '' },
  dbPassword: { kind: 'string', secret: true, description: 'Application database password (secret); random when empty', default: '' },
  dbMasterPassword: { kind: 'string', secret: true, description: 'Database master (root) password (secret); random when empty', default: '' },
};

export const DEFAULTS = {
  is: { nodeCount: 2, instanceType: 'm5.large' },
  analytics: { flavor: 'sp' as AnalyticsFlavor, nodeCount: 2, instanceType: 'm5.large' },
  rds: {
    engineVersion: '8.0',
    instanceClass: 'db.t3.medium',
    allocatedStorage: 20,
    backupRetentionDays: 7,
  },
  network: { vpcCidr: '10.40.0.0/16', ingressCidrs: ['0.0.0.0/0'] },
  jdbcDriver: {
    url: 'https://repo1.maven.org/maven2/mysql/mysql-connector-java/5.1.49/mysql-connector-java-5.1.49.jar',
  },
  ec2: {
    javaPackage: 'java-1.8.0-amazon-corretto-devel',
  },
  kubernetes: {
    namespace: 'wso2-is-pattern2',
    images: {
      is: 'wso2/wso2is:5.8.0',
      analyticsWorker: 'wso2/wso2is-analytics-worker:5.8.0',
      analyticsDashboard: 'wso2/wso2is-analytics-dashboard:5.8.0',
      nginx: 'nginx:1.27.3',
      mysql: 'mysql:8.0.40',
      nfsServer: 'itsthenetwork/nfs-server-alpine:12',
    },
  },
};

// ---- parsing helpers -------------------------------------------------------------------------

class Reader {
  constructor(private readonly raw: Record<string, string>) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  str(key: string, accepted: string, check?: (v: string) => boolean): string | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (v.trim() === '') throw new ConfigError(key, `must not be empty; accepted: ${accepted}`);
    if (check && !check(v)) throw new ConfigError(key, `"${v}" is not valid; accepted: ${accepted}`);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    return this.str(key, values.join(' | '), (v) => (values as readonly string[]).includes(v)) as T | undefined;
  }

  obj(key: string, allowed: readonly string[]): Record<string, unknown> | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new ConfigError(key, `must be an object (structured config); accepted keys: ${allowed.join(', ')}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(key, `must be an object; accepted keys: ${allowed.join(', ')}`);
    }
    for (const k of Object.keys(parsed)) {
      if (!allowed.includes(k)) {
        throw new ConfigError(`${key}.${k}`, `unknown key; accepted keys of ${key}: ${allowed.join(', ')}`);
      }
    }
    return parsed as Record<string, unknown>;
  }
}

function field<T>(
  obj: Record<string, unknown> | undefined,
  key: string,
  name: string,
  type: 'string' | 'integer' | 'boolean' | 'string[]',
  accepted: string,
  check?: (v: T) => boolean,
): T | undefined {
  if (!obj || obj[name] === undefined) return undefined;
  const v = obj[name];
  const path = `${key}.${name}`;
  const bad = () => new ConfigError(path, `${JSON.stringify(v)} is not valid; accepted: ${accepted}`);
  switch (type) {
    case 'string':
      if (typeof v !== 'string' || v.trim() === '') throw bad();
      break;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw bad();
      break;
    case 'boolean':
      if (typeof v !== 'boolean') throw bad();
      break;
    case 'string[]':
      if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) throw bad();
      break;
  }
  if (check && !check(v as T)) throw bad();
  return v as T;
}

const port = (v: number) => v >= 1 && v <= 65535;

function nodeCount(obj: Record<string, unknown> | undefined, key: string): number {
  const n = field<number>(obj, key, 'nodeCount', 'integer', `${PATTERN2_NODE_COUNT} (pattern 2 is exactly two nodes per role)`);
  if (n !== undefined && n !== PATTERN2_NODE_COUNT) {
    throw new ConfigError(`${key}.nodeCount`, `${n} is not valid; accepted: ${PATTERN2_NODE_COUNT} (pattern 2 is exactly two nodes per role)`);
  }
  return PATTERN2_NODE_COUNT;
}

// ---- the parser ------------------------------------------------------------------------------

/**
 * @param raw config of the stack keyed without the project prefix (`platform`, not
 *   `wso2-is-pattern2:platform`); structured values as JSON strings, as the engine passes them.
 * @param stack the stack name.
 */
export function parseStackConfig(rawIn: Record<string, string>, stack: string): ParsedStackConfig {
  // an empty value of a key whose Pulumi.yaml default is "" means unset (see KeySpec.default)
  const raw = Object.fromEntries(Object.entries(rawIn).filter(([k, v]) => !(v === '' && CONFIG_KEYS[k]?.default === '')));
  for (const k of Object.keys(raw)) {
    if (!(k in CONFIG_KEYS)) {
      throw new ConfigError(k, `unknown key; accepted keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
    }
  }
  for (const [k, spec] of Object.entries(CONFIG_KEYS)) {
    if (spec.required && raw[k] === undefined) throw new ConfigError(k, `is required: ${spec.description}`);
  }
  const r = new Reader(raw);

  const platform = r.oneOf<Platform>('platform', ['ec2', 'kubernetes']) ?? 'ec2';
  const environment = r.oneOf<Environment>('environment', ['test', 'prod']) ?? 'test';
  const hostnameAccepted = 'a lower-case DNS name with at least two labels, e.g. is.example.com';
  const hostname = r.str('hostname', hostnameAccepted, isValidHostname)!;
  const mgtHostname = r.str('mgtHostname', hostnameAccepted, isValidHostname) ?? `mgt.${hostname}`;
  const dashboardHostname = r.str('dashboardHostname', hostnameAccepted, isValidHostname) ?? `analytics.${hostname}`;
  const names = [hostname, mgtHostname, dashboardHostname];
  if (new Set(names).size !== names.length) {
    throw new ConfigError(mgtHostname === hostname ? 'mgtHostname' : 'dashboardHostname', 'hostname, mgtHostname and dashboardHostname must all differ');
  }

  const instanceAccepted = 'an EC2 instance type such as m5.large or c6i.2xlarge';
  const isObj = r.obj('is', ['nodeCount', 'instanceType', 'packUrl']);
  const is: RoleSettings = {
    nodeCount: nodeCount(isObj, 'is'),
    instanceType: field<string>(isObj, 'is', 'instanceType', 'string', instanceAccepted, (v) => INSTANCE_TYPE_RE.test(v)) ?? DEFAULTS.is.instanceType,
    packUrl: field<string>(isObj, 'is', 'packUrl', 'string', 'an http(s) or s3 URL of the product zip', (v) => /^(https?|s3):\/\/\S+$/.test(v)),
  };
  const anObj = r.obj('analytics', ['flavor', 'nodeCount', 'instanceType', 'packUrl']);
  const analytics = {
    flavor: field<AnalyticsFlavor>(anObj, 'analytics', 'flavor', 'string', 'sp (Stream Processor based, default) | das (DAS based, legacy)', (v) => v === 'sp' || v === 'das') ?? DEFAULTS.analytics.flavor,
    nodeCount: nodeCount(anObj, 'analytics'),
    instanceType: field<string>(anObj, 'analytics', 'instanceType', 'string', instanceAccepted, (v) => INSTANCE_TYPE_RE.test(v)) ?? DEFAULTS.analytics.instanceType,
    packUrl: field<string>(anObj, 'analytics', 'packUrl', 'string', 'an http(s) or s3 URL of the product zip', (v) => /^(https?|s3):\/\/\S+$/.test(v)),
  };

  const portsObj = r.obj('ports', Object.keys(DEFAULT_PORTS));
  const ports: Ports = { ...DEFAULT_PORTS };
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    const v = field<number>(portsObj, 'ports', name, 'integer', 'an integer from 1 to 65535', port);
    if (v !== undefined) ports[name] = v;
  }
  for (const [role, rules] of [
    ['IS', isPortRules(ports)],
    ['analytics', analyticsPortRules(ports, analytics.flavor)],
  ] as const) {
    const clashes = portClashes(rules);
    if (clashes.length) throw new ConfigError('ports', `a port is used twice on one ${role} node: ${clashes.join('; ')}`);
  }

  const database = r.oneOf<DatabaseKind>('database', ['rds', 'in-cluster']) ?? 'rds';
  const sharedStorage = r.oneOf<SharedStorageKind>('sharedStorage', ['efs', 'nfs']) ?? 'efs';
  if (platform === 'ec2' && database !== 'rds') throw new ConfigError('database', `"${database}" needs platform kubernetes; accepted on ec2: rds`);
  if (platform === 'ec2' && sharedStorage !== 'efs') throw new ConfigError('sharedStorage', `"${sharedStorage}" needs platform kubernetes; accepted on ec2: efs`);
  const databaseCharacterSet = r.oneOf('databaseCharacterSet', CHARSETS) ?? 'latin1';
  const databaseUser = r.str('databaseUser', 'a MySQL user name: a letter then letters, digits or _, at most 32', (v) => MYSQL_IDENT_RE.test(v) && v !== 'root') ?? 'wso2';

  const rdsObj = r.obj('rds', ['engineVersion', 'instanceClass', 'allocatedStorage', 'multiAz', 'deletionProtection', 'backupRetentionDays']);
  const prod = environment === 'prod';
  const rds = {
    engineVersion: field<string>(rdsObj, 'rds', 'engineVersion', 'string', 'a MySQL version RDS supports: 8.0, 8.0.x, 8.4 or 8.4.x', (v) => ENGINE_VERSION_RE.test(v)) ?? DEFAULTS.rds.engineVersion,
    instanceClass: field<string>(rdsObj, 'rds', 'instanceClass', 'string', 'an RDS instance class such as db.t3.medium or db.m6g.large', (v) => RDS_CLASS_RE.test(v)) ?? DEFAULTS.rds.instanceClass,
    allocatedStorage: field<number>(rdsObj, 'rds', 'allocatedStorage', 'integer', 'GiB, an integer from 20 to 65536', (v) => v >= 20 && v <= 65536) ?? DEFAULTS.rds.allocatedStorage,
    multiAz: field<boolean>(rdsObj, 'rds', 'multiAz', 'boolean', 'true | false') ?? prod,
    deletionProtection: field<boolean>(rdsObj, 'rds', 'deletionProtection', 'boolean', 'true | false') ?? prod,
    backupRetentionDays: field<number>(rdsObj, 'rds', 'backupRetentionDays', 'integer', 'days, an integer from 1 to 35', (v) => v >= 1 && v <= 35) ?? DEFAULTS.rds.backupRetentionDays,
  };

  const netObj = r.obj('network', ['vpcId', 'publicSubnetIds', 'privateSubnetIds', 'vpcCidr', 'ingressCidrs', 'sshCidr']);
  const cidrAccepted = 'an IPv4 CIDR with zero host bits, e.g. 10.40.0.0/16';
  const network = {
    vpcId: field<string>(netObj, 'network', 'vpcId', 'string', 'a VPC id such as vpc-0abc12345def67890', (v) => VPC_ID_RE.test(v)),
    publicSubnetIds: field<string[]>(netObj, 'network', 'publicSubnetIds', 'string[]', 'at least two subnet ids (two AZs), e.g. ["subnet-0a...", "subnet-0b..."]', (v) => v.length >= 2 && v.every((s) => SUBNET_ID_RE.test(s))),
    privateSubnetIds: field<string[]>(netObj, 'network', 'privateSubnetIds', 'string[]', 'at least two subnet ids (two AZs), e.g. ["subnet-0a...", "subnet-0b..."]', (v) => v.length >= 2 && v.every((s) => SUBNET_ID_RE.test(s))),
    vpcCidr: field<string>(netObj, 'network', 'vpcCidr', 'string', `${cidrAccepted}, prefix /16 to /24`, (v) => isValidCidr(v) && Number(v.split('/')[1]) >= 16 && Number(v.split('/')[1]) <= 24) ?? DEFAULTS.network.vpcCidr,
    ingressCidrs: field<string[]>(netObj, 'network', 'ingressCidrs', 'string[]', `a list of ${cidrAccepted}`, (v) => v.every(isValidCidr)) ?? DEFAULTS.network.ingressCidrs,
    sshCidr: field<string>(netObj, 'network', 'sshCidr', 'string', `${cidrAccepted}, not 0.0.0.0/0`, (v) => isValidCidr(v) && v !== '0.0.0.0/0'),
  };
  const given = [network.vpcId, network.publicSubnetIds, network.privateSubnetIds].filter((x) => x !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw new ConfigError('network.vpcId', 'an existing VPC needs all of vpcId, publicSubnetIds and privateSubnetIds');
  }

  const driverObj = r.obj('jdbcDriver', ['url', 'sha256']);
  const jdbcDriver = {
    url: field<string>(driverObj, 'jdbcDriver', 'url', 'string', 'an https (or, on ec2, s3) URL whose last segment is the jar name, e.g. https://repo.example/mysql-connector-java-5.1.49.jar', (v) => JDBC_DRIVER_URL_RE.test(v)) ?? DEFAULTS.jdbcDriver.url,
    sha256: field<string>(driverObj, 'jdbcDriver', 'sha256', 'string', 'the SHA-256 of the jar, 64 hex digits', (v) => /^[0-9a-fA-F]{64}$/.test(v))?.toLowerCase(),
  };
  if (platform === 'kubernetes' && !jdbcDriver.url.startsWith('https://')) {
    throw new ConfigError('jdbcDriver.url', `"${jdbcDriver.url}" is not valid on kubernetes (the pods download it without AWS credentials); accepted: an https URL`);
  }

  const ec2Obj = r.obj('ec2', ['amiId', 'javaPackage']);
  const ec2 = {
    amiId: field<string>(ec2Obj, 'ec2', 'amiId', 'string', 'an AMI id such as ami-0abc12345def67890', (v) => AMI_ID_RE.test(v)),
    javaPackage: field<string>(ec2Obj, 'ec2', 'javaPackage', 'string', 'a package name', (v) => /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(v)) ?? DEFAULTS.ec2.javaPackage,
  };
  if (platform === 'ec2' && !ec2.amiId && (!is.packUrl || !analytics.packUrl)) {
    throw new ConfigError(is.packUrl ? 'analytics.packUrl' : 'is.packUrl', 'EC2 nodes need either ec2.amiId (a pre-baked AMI) or both is.packUrl and analytics.packUrl');
  }

  const defaultedImageKeys = Object.keys(DEFAULTS.kubernetes.images) as (keyof typeof DEFAULTS.kubernetes.images)[];
  const imageKeys = [...defaultedImageKeys, 'analyticsDas'] as const;
  const k8sObj = r.obj('kubernetes', ['context', 'namespace', 'storageClass', 'images']);
  let imagesObj: Record<string, unknown> | undefined;
  if (k8sObj?.images !== undefined) {
    imagesObj = new Reader({ 'kubernetes.images': JSON.stringify(k8sObj.images) }).obj('kubernetes.images', imageKeys);
  }
  const images: StackConfig['kubernetes']['images'] = { ...DEFAULTS.kubernetes.images };
  for (const k of imageKeys) {
    const v = field<string>(imagesObj, 'kubernetes.images', k, 'string', 'an image reference pinned by tag or digest, e.g. nginx:1.27.3', (x) => IMAGE_RE.test(x) && isPinnedImage(x) && !x.endsWith(':latest'));
    if (v) images[k] = v;
  }
  const kubernetes = {
    context: field<string>(k8sObj, 'kubernetes', 'context', 'string', 'a kubeconfig context name'),
    namespace: field<string>(k8sObj, 'kubernetes', 'namespace', 'string', 'a DNS-1123 label', (v) => K8S_NAME_RE.test(v)) ?? DEFAULTS.kubernetes.namespace,
    storageClass: field<string>(k8sObj, 'kubernetes', 'storageClass', 'string', 'a StorageClass name (DNS-1123 subdomain)', (v) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)),
    images,
  };
  if (platform === 'kubernetes') {
    if (analytics.flavor === 'das' && !images.analyticsDas) {
      throw new ConfigError(
        'kubernetes.images.analyticsDas',
        'analytics.flavor das on kubernetes needs a DAS-based IS Analytics image: there is no official public one, so build one and set it here (pinned by tag or digest)',
      );
    }
    if (sharedStorage === 'efs' && !kubernetes.storageClass) {
      throw new ConfigError('kubernetes.storageClass', 'sharedStorage efs needs the name of an EFS CSI StorageClass (ReadWriteMany); accepted without one: sharedStorage nfs');
    }
    if (database === 'rds' && !network.vpcId) {
      throw new ConfigError('network.vpcId', 'database rds on kubernetes needs the cluster VPC: network.vpcId, publicSubnetIds and privateSubnetIds; accepted without them: database in-cluster');
    }
  }

  const certificate = r.str('tlsCertificate', 'a PEM certificate', (v) => v.includes('-----BEGIN CERTIFICATE-----'));
  const privateKey = r.str('tlsPrivateKey', 'a PEM private key', (v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v));
  if ((certificate === undefined) !== (privateKey === undefined)) {
    throw new ConfigError(certificate ? 'tlsPrivateKey' : 'tlsCertificate', 'tlsCertificate and tlsPrivateKey go together: set both or neither');
  }
  if (certificate !== undefined && platform === 'ec2') {
    // The EC2 NLB passes TLS through to the IS nodes (their product keystore answers), so a
    // front-end certificate would be silently unused: say so instead.
    throw new ConfigError('tlsCertificate', 'is used by the nginx front end on platform kubernetes; on ec2 the NLB passes TLS through to the IS nodes, so leave tlsCertificate and tlsPrivateKey unset');
  }
  const pw = (key: string) => r.str(key, 'a password of at least 8 characters', (v) => v.length >= 8);
  // IS refuses to create its first admin user unless the password matches the user store's
  // PasswordJavaRegEx (^[\S]{5,30}$): catch that here, not at the first boot.
  const adminPassword = r.str('adminPassword', 'a password of 8 to 30 characters without white space (the IS user store policy)', (v) => /^\S{8,30}$/.test(v));

  return {
    project: PROJECT,
    stack,
    platform,
    environment,
    hostname,
    mgtHostname,
    dashboardHostname,
    is,
    analytics,
    ports,
    database,
    databaseCharacterSet,
    databaseUser,
    rds,
    sharedStorage,
    network,
    jdbcDriver,
    ec2,
    kubernetes,
    tls: { certificate, privateKey },
    secrets: { adminPassword, dbPassword: pw('dbPassword'), dbMasterPassword: pw('dbMasterPassword') },
  };
}

/** Wraps the parser's plain secret strings as Pulumi secrets. */
export function toStackConfig(parsed: ParsedStackConfig): StackConfig {
  const s = (v?: string) => (v === undefined ? undefined : pulumi.secret(v));
  return {
    ...parsed,
    tls: { certificate: parsed.tls.certificate, privateKey: s(parsed.tls.privateKey) },
    secrets: {
      adminPassword: s(parsed.secrets.adminPassword),
      dbPassword: s(parsed.secrets.dbPassword),
      dbMasterPassword: s(parsed.secrets.dbMasterPassword),
    },
  };
}

/** Reads the running stack's config (this project's namespace only) and validates it. */
export function loadStackConfig(): StackConfig {
  const prefix = `${PROJECT}:`;
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(pulumi.runtime.allConfig())) {
    if (k.startsWith(prefix)) raw[k.slice(prefix.length)] = v;
  }
  return toStackConfig(parseStackConfig(raw, pulumi.getStack()));
}

/**
 * The topology inputs a stack config determines; the platform adds what only it knows: each
 * node's address and the database host.
 */
export function topologyInput(
  c: Pick<ParsedStackConfig, 'hostname' | 'mgtHostname' | 'dashboardHostname' | 'analytics' | 'ports' | 'databaseCharacterSet' | 'databaseUser'>,
  addresses: Record<NodeId, string>,
  dbHost: string,
  dbPort: number = MYSQL_PORT,
): TopologyInput {
  return {
    hostname: c.hostname,
    mgtHostname: c.mgtHostname,
    dashboardHostname: c.dashboardHostname,
    analyticsFlavor: c.analytics.flavor,
    ports: c.ports,
    addresses,
    dbHost,
    dbPort,
    dbCharacterSet: c.databaseCharacterSet,
    dbUser: c.databaseUser,
  };
}
