/**
 * THE table of stack-config keys: type, what is accepted, default, description, secret.
 *
 * Everything else comes from it: the parser (config/parse.ts) reads keys in this order, the
 * `StackConfig` type (config.ts) is derived from it, and `npm run config:docs` writes the
 * `Pulumi.yaml` `config:` block and the README reference from it (tests/config-declarations.test.ts
 * fails when they are out of date). Rules between keys live in config/rules.ts.
 *
 * Top-level keys are strings (as the engine passes them) or structured; a top-level leaf that is
 * neither `required` nor defaulted is declared in Pulumi.yaml with `default: ""`, read as unset.
 */
import { ANALYTICS_DB_USER_SUFFIX, AnalyticsFlavor, DEFAULT_PORTS, ANALYTICS_NODE_COUNT, DEFAULT_IS_NODE_COUNT, MAX_IS_NODE_COUNT, MIN_IS_NODE_COUNT, MYSQL_USER_MAX_LENGTH, PortName } from '../topology';
import { Leaf, bool, defaultsOf, int, oneOf, str, strings, struct } from './fields';

// ---- value checkers -------------------------------------------------------------------------

const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/;
const RDS_CLASS_RE = /^db\.[a-z][a-z0-9-]*\d[a-z0-9-]*\.(micro|small|medium|large|\d*xlarge)$/;
/** MySQL major versions RDS supports today. */
const ENGINE_VERSION_RE = /^8\.(0|4)(\.\d{1,2})?$/;
const CHARSETS = ['latin1', 'utf8', 'utf8mb3', 'utf8mb4'] as const;
const MYSQL_IDENT_RE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** The analytics account is `<databaseUser>_analytics`, which must fit MySQL's user name limit too. */
const DB_USER_MAX = MYSQL_USER_MAX_LENGTH - ANALYTICS_DB_USER_SUFFIX.length;
const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** [registry[:port]/]path[:tag][@sha256:digest] */
const IMAGE_RE = /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?\/)?[a-z0-9]+([._\-/][a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** Pinned: a tag on the last path segment (not a registry port) or a digest. */
const isPinnedImage = (x: string) => x.includes('@sha256:') || x.split('/').pop()!.includes(':');
const VPC_ID_RE = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID_RE = /^subnet-[0-9a-f]{8,17}$/;
const AMI_ID_RE = /^ami-[0-9a-f]{8,17}$/;
/** A Route 53 hosted zone id as the console and `aws route53 list-hosted-zones` show it, without `/hostedzone/`. */
const HOSTED_ZONE_ID_RE = /^Z[0-9A-Z]{8,32}$/;
/** An ACM certificate ARN in any partition. */
const ACM_ARN_RE = /^arn:aws(-cn|-us-gov)?:acm:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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

// ---- fields used more than once ---------------------------------------------------------------

const hostnameField = () => str('a lower-case DNS name with at least two labels, e.g. is.example.com', isValidHostname);
/** IS scales from 2 to a cap (topology.ts says why the cap). */
const isNodeCount = () =>
  int(`an integer from ${MIN_IS_NODE_COUNT} to ${MAX_IS_NODE_COUNT}`, (v) => v >= MIN_IS_NODE_COUNT && v <= MAX_IS_NODE_COUNT).default(DEFAULT_IS_NODE_COUNT);
/** Analytics is exactly two nodes (active-passive): accepted in config only to reject other values clearly. */
const analyticsNodeCount = () =>
  int(`${ANALYTICS_NODE_COUNT} (analytics is exactly two nodes, active-passive)`, (v) => v === ANALYTICS_NODE_COUNT).default(ANALYTICS_NODE_COUNT);
const instanceType = () => str('an EC2 instance type such as m5.large or c6i.2xlarge', (v) => INSTANCE_TYPE_RE.test(v)).default('m5.large');
/** URL of the product pack (zip) the nodes install at boot; unused with a pre-baked AMI or on Kubernetes. */
const packUrl = () => str('an http(s) or s3 URL of the product zip', (v) => /^(https?|s3):\/\/\S+$/.test(v));
const CIDR = 'an IPv4 CIDR with zero host bits, e.g. 10.40.0.0/16';
const subnetIds = () =>
  strings('at least two subnet ids (two AZs), e.g. ["subnet-0a...", "subnet-0b..."]', (v) => v.length >= 2 && v.every((s) => SUBNET_ID_RE.test(s)));
const image = () => str('an image reference pinned by tag or digest, e.g. nginx:1.27.3', (x) => IMAGE_RE.test(x) && isPinnedImage(x) && !x.endsWith(':latest'));
const ports = Object.fromEntries(
  (Object.keys(DEFAULT_PORTS) as PortName[]).map((name) => [name, int('an integer from 1 to 65535', (v) => v >= 1 && v <= 65535).default(DEFAULT_PORTS[name])]),
) as Record<PortName, Leaf<number, 'default'>>;

// ---- the table --------------------------------------------------------------------------------

export const SCHEMA = {
  platform: oneOf(['ec2', 'kubernetes'] as const).default('ec2').describe('Where the nodes run: ec2 | kubernetes'),
  environment: oneOf(['test', 'prod'] as const)
    .default('test')
    .describe('test (tears down completely) | prod (multi-AZ database, deletion protection, protected data)'),
  hostname: hostnameField().required().describe('Public hostname of the IS cluster (carbon.xml HostName, nginx server_name)'),
  mgtHostname: hostnameField()
    .derived((c) => `mgt.${c.hostname}`)
    .describe('Management console hostname, routed to is-1 only; empty: mgt.<hostname>'),
  dashboardHostname: hostnameField()
    .derived((c) => `analytics.${c.hostname}`)
    .describe('Analytics dashboard hostname; empty: analytics.<hostname>'),
  is: struct({ nodeCount: isNodeCount(), instanceType: instanceType(), packUrl: packUrl() }).describe(
    `IS nodes: {nodeCount: ${MIN_IS_NODE_COUNT} to ${MAX_IS_NODE_COUNT} (default ${DEFAULT_IS_NODE_COUNT}), instanceType, packUrl}`,
  ),
  analytics: struct({
    flavor: oneOf<AnalyticsFlavor>(['sp', 'das'], 'sp (Stream Processor based, default) | das (DAS based, legacy)').default('sp'),
    nodeCount: analyticsNodeCount(),
    instanceType: instanceType(),
    packUrl: packUrl(),
  }).describe('Analytics nodes: {flavor: sp | das, nodeCount: 2, instanceType, packUrl}'),
  ports: struct(ports).describe(`Port overrides by name (${Object.keys(DEFAULT_PORTS).join(', ')})`),
  database: oneOf(['rds', 'in-cluster'] as const).default('rds').describe('rds | in-cluster (in-cluster: a MySQL StatefulSet, kubernetes only)'),
  databaseCharacterSet: oneOf(CHARSETS)
    .default('latin1')
    .describe(`Character set of the product databases (${CHARSETS.join(' | ')}); latin1 as the seeds advise`),
  databaseUser: str(`a MySQL user name: a letter then letters, digits or _, at most ${DB_USER_MAX}`, (v) => MYSQL_IDENT_RE.test(v) && v.length <= DB_USER_MAX && v !== 'root')
    .default('wso2')
    .describe(`Application database user the products connect as: IS as this user, analytics as <databaseUser>${ANALYTICS_DB_USER_SUFFIX}`),
  rds: struct({
    engineVersion: str('a MySQL version RDS supports: 8.0, 8.0.x, 8.4 or 8.4.x', (v) => ENGINE_VERSION_RE.test(v)).default('8.0'),
    instanceClass: str('an RDS instance class such as db.t3.medium or db.m6g.large', (v) => RDS_CLASS_RE.test(v)).default('db.t3.medium'),
    allocatedStorage: int('GiB, an integer from 20 to 65536', (v) => v >= 20 && v <= 65536).default(20),
    // `test` stacks tear down with nothing left; `prod` protects data
    multiAz: bool().derived((c) => c.environment === 'prod'),
    deletionProtection: bool().derived((c) => c.environment === 'prod'),
    backupRetentionDays: int('days, an integer from 1 to 35', (v) => v >= 1 && v <= 35).default(7),
  }).describe('RDS MySQL: {engineVersion, instanceClass, allocatedStorage, multiAz, deletionProtection, backupRetentionDays}'),
  sharedStorage: oneOf(['efs', 'nfs'] as const).default('efs').describe('efs | nfs (nfs: an in-cluster NFS server, kubernetes only)'),
  network: struct({
    // an existing VPC: all three or none (config/rules.ts)
    vpcId: str('a VPC id such as vpc-0abc12345def67890', (v) => VPC_ID_RE.test(v)),
    publicSubnetIds: subnetIds(),
    privateSubnetIds: subnetIds(),
    vpcCidr: str(`${CIDR}, prefix /16 to /24`, (v) => isValidCidr(v) && Number(v.split('/')[1]) >= 16 && Number(v.split('/')[1]) <= 24).default('10.40.0.0/16'),
    // who may reach the public listeners (443/80)
    ingressCidrs: strings(`a list of ${CIDR}`, (v) => v.every(isValidCidr)).default(['0.0.0.0/0']),
    // besides the private network, the only sources of /carbon, /services, the management and dashboard
    // hostnames; unset: none (a declared default of [] would be rejected: lists are non-empty)
    adminCidrs: strings(`a list of ${CIDR}`, (v) => v.every(isValidCidr)),
    // none unless set: administration is through SSM Session Manager
    sshCidr: str(`${CIDR}, not 0.0.0.0/0`, (v) => isValidCidr(v) && v !== '0.0.0.0/0'),
  }).describe('Network: {vpcId, publicSubnetIds, privateSubnetIds} to reuse a VPC, or {vpcCidr}; {ingressCidrs, adminCidrs, sshCidr}'),
  // neither the packs nor the official images ship Connector/J
  jdbcDriver: struct({
    url: str('an https (or, on ec2, s3) URL whose last segment is the jar name, e.g. https://repo.example/mysql-connector-java-5.1.49.jar', (v) =>
      JDBC_DRIVER_URL_RE.test(v),
    ).default('https://repo1.maven.org/maven2/mysql/mysql-connector-java/5.1.49/mysql-connector-java-5.1.49.jar'),
    sha256: str('the SHA-256 of the jar, 64 hex digits', (v) => /^[0-9a-fA-F]{64}$/.test(v)).normalized((v) => v.toLowerCase()),
  }).describe('MySQL Connector/J jar the products load: {url (https; s3 on ec2 only), sha256 (hex, checked after download)}'),
  ec2: struct({
    // a pre-baked AMI with Java and the products installed; otherwise Amazon Linux 2023 + pack URLs
    amiId: str('an AMI id such as ami-0abc12345def67890', (v) => AMI_ID_RE.test(v)),
    javaPackage: str('a package name', (v) => /^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(v)).default('java-1.8.0-amazon-corretto-devel'),
  }).describe('EC2 nodes: {amiId, javaPackage}'),
  kubernetes: struct({
    // the current kubeconfig context when unset
    context: str('a kubeconfig context name'),
    namespace: str('a DNS-1123 label', (v) => K8S_NAME_RE.test(v)).default('wso2-is-pattern2'),
    // false: the namespace exists already (made by an administrator) and is adopted, not created
    createNamespace: bool().default(true),
    // for ReadWriteMany volumes (EFS CSI on EKS); unset on local clusters with nfs
    storageClass: str('a StorageClass name (DNS-1123 subdomain)', (v) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)),
    images: struct({
      is: image().default('wso2/wso2is:5.8.0'),
      analyticsWorker: image().default('wso2/wso2is-analytics-worker:5.8.0'),
      analyticsDashboard: image().default('wso2/wso2is-analytics-dashboard:5.8.0'),
      nginx: image().default('nginx:1.27.3'),
      mysql: image().default('mysql:8.0.40'),
      nfsServer: image().default('itsthenetwork/nfs-server-alpine:12'),
      // DAS-based IS Analytics: no official public image exists, so no default
      analyticsDas: image(),
    }),
  }).describe(
    'Kubernetes: {context, namespace, createNamespace (default true; false: use an existing namespace), storageClass (required with sharedStorage efs), images: {is, analyticsWorker, analyticsDashboard, nginx, mysql, nfsServer, analyticsDas (no default; required with analytics.flavor das)}}',
  ),
  tlsCertificate: str('a PEM certificate', (v) => v.includes('-----BEGIN CERTIFICATE-----')).describe(
    'PEM certificate of the nginx front end (kubernetes; on ec2 see acmCertificateArn and dns.hostedZoneId); self-signed when empty',
  ),
  tlsPrivateKey: str('a PEM private key', (v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)).describe('PEM private key matching tlsCertificate (secret)', {
    secret: true,
  }),
  // EC2 front end (components/ec2/edge.ts): the NLBs terminate TLS with an ACM certificate
  dns: struct({
    hostedZoneId: str('a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without /hostedzone/)', (v) => HOSTED_ZONE_ID_RE.test(v)),
  }).describe(
    'DNS (ec2): {hostedZoneId: records for hostname, mgtHostname and dashboardHostname and a DNS-validated ACM certificate for them in this zone}; unset: no records (see the dnsRecords output)',
  ),
  acmCertificateArn: str('an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>', (v) => ACM_ARN_RE.test(v)).describe(
    'Existing ACM certificate for the NLBs (ec2), covering hostname, mgtHostname and dashboardHostname; unset: DNS-validated with dns.hostedZoneId, else the deployment CA signs one, imported into ACM',
  ),
  // IS refuses to create its first admin user unless the password matches the user store's
  // PasswordJavaRegEx (^[\S]{5,30}$): catch that here, not at the first boot.
  adminPassword: str('a password of 8 to 30 characters without white space (the IS user store policy)', (v) => /^\S{8,30}$/.test(v)).describe(
    'IS and analytics admin password (secret); random when empty',
    { secret: true },
  ),
  dbPassword: str('a password of at least 8 characters', (v) => v.length >= 8).describe('Application database password (secret); random when empty', {
    secret: true,
  }),
  dbMasterPassword: str('a password of at least 8 characters', (v) => v.length >= 8).describe(
    'Database master (root) password (secret); random when empty',
    { secret: true },
  ),
  // The nodes' key material (components/keys.ts); the pair is checked with Node's crypto in
  // config/rules.ts, whose messages never quote a key (a leaf check here would echo the value).
  keys: struct({
    generation: int('an integer >= 1; raising it rolls new node keys and certificates (the CA stays)', (v) => v >= 1).default(1),
    primaryPrivateKey: str('a PEM RSA private key (>= 2048 bits; Secure Vault encrypts with it), unencrypted'),
    primaryCertificate: str('a PEM certificate matching keys.primaryPrivateKey'),
  }).describe(
    'Key material: {generation (default 1; raise to roll new primary, internal and node TLS keys one node at a time; the deployment CA stays), primaryPrivateKey (secret: set with --secret --path), primaryCertificate (both or neither; generated and signed by the deployment CA when unset)}',
  ),
};

export type Schema = typeof SCHEMA;
export type ConfigKey = keyof Schema;

/** The top-level keys that the typed config groups under `tls` and `secrets` (config.ts). */
export const GROUPS = {
  tls: { certificate: 'tlsCertificate', privateKey: 'tlsPrivateKey' },
  secrets: { adminPassword: 'adminPassword', dbPassword: 'dbPassword', dbMasterPassword: 'dbMasterPassword' },
} as const;

/** The fixed defaults of the structured keys (e.g. `DEFAULTS.kubernetes.images.nginx`). */
export const DEFAULTS = defaultsOf(SCHEMA) as import('./fields').DefaultsOf<Schema>;
