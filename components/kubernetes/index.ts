/**
 * Pattern 2 on Kubernetes (a local cluster or EKS): two IS pods and two analytics pods with stable
 * identities (StatefulSets + headless Services, so the topology's node addresses are pod DNS
 * names), a ReadWriteMany volume for the shared trees, MySQL in the cluster or on RDS, and an
 * nginx front end behind a LoadBalancer Service. Every pod gets its node's rendered change set,
 * applied by the shared applier in an init container; secrets reach the pods only as a Secret
 * file the applier reads (see docs/architecture.md, "Kubernetes platform").
 */
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import * as tls from '@pulumi/tls';
import { StackConfig, topologyInput } from '../../config';
import { Credentials } from '../credentials';
import {
  ANALYTICS_HOME_LINK,
  NodeId,
  ProductProcess,
  Role,
  Topology,
  buildTopology,
  jdbcDriverDir,
  processesFor,
  DB_INIT_META_DATABASE,
  ADMIN_USERNAME,
  PortRule,
  nodesOf,
} from '../../topology';
import { changeSetPayload, renderDbInit, renderNginxConf, renderNodeChangeSets, NodeChangeSet } from '../../config-templates';
import { applierBundle } from '../../applier/bundle';
import {
  APPLIER_FILE,
  APPLIER_NODE_IMAGE,
  CHECKSUM_ANNOTATION,
  MOUNTS,
  NAMES,
  NODE_LABEL,
  SECRETS_FILE,
  WSO2_UID,
  applyScript,
  changeSetFileName,
  configChecksum,
  dbInitJobScript,
  editedPaths,
  nodeAddresses,
  portName,
  seedScript,
  serviceDnsName,
  sha256,
  stageScript,
  startScript,
  waitForDbScript,
  STATEFULSET_OF,
  NAMESERVER_PLACEHOLDER,
  NGINX_PATHS,
  nginxStartScript,
  appLabels,
  ingressAllowances,
  driverFetchScript,
  jdbcDriverFileName,
  productHome,
} from './model';
import { RdsDatabase, MYSQL_PORT, stackDatabase } from '../aws/rds';
import type { StackOutputs } from '../outputs';

type Input<T> = pulumi.Input<T>;
type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type Probe = k8s.types.input.core.v1.Probe;

export interface KubernetesPlatformArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
}

/** Product default keystore password of wso2carbon.jks (IS 5.8.0 ships it; we do not re-key). */
export const PRODUCT_KEYSTORE_PASSWORD = 'wso2carbon';
/**
 * How long nginx keeps a node-name lookup (overriding the record's TTL): a recreated IS pod's new
 * address is picked up within about this long.
 */
const NGINX_RESOLVER_VALID = '10s';
/** MySQL in the cluster: storage of its data volume. */
const MYSQL_STORAGE = '10Gi';
/** Requested size of the shared RWX volume (EFS ignores it; NFS backs it with a volume this big). */
const SHARED_STORAGE = '10Gi';
const SECRET_NAMES_K8S = {
  database: 'wso2is-database',
  admin: 'wso2is-admin',
  keystore: 'wso2is-keystore',
  applier: 'wso2is-applier-secrets',
  tls: 'wso2is-frontend-tls',
} as const;


/**
 * Requests of the product containers. Each JVM runs with the start scripts' default heap (1 GiB at
 * most), so the memory requests cover heap plus metaspace and native memory, and the limits leave
 * room above. CPU requests are kept low (the JVMs burst above them) so the whole local stack,
 * 2 IS + 2 analytics pods + MySQL + nginx, schedules on a 4-CPU laptop cluster next to its control
 * plane (tested: at most 3 CPUs and 8 GiB requested); with 1 CPU per IS pod it did not.
 */
export const PROCESS_RESOURCES: Record<string, k8s.types.input.core.v1.ResourceRequirements> = {
  // IS and the DAS server (Carbon plus embedded Spark) get the larger share.
  server: { requests: { cpu: '500m', memory: '1536Mi' }, limits: { memory: '3Gi' } },
  worker: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
  dashboard: { requests: { cpu: '250m', memory: '768Mi' }, limits: { memory: '1536Mi' } },
};

/** Spread pods over nodes and zones; preferred (not required) so a one-node kind cluster still runs. */
function antiAffinity(labels: Record<string, string>): k8s.types.input.core.v1.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } },
        { weight: 50, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: labels } } },
      ],
    },
  };
}

function tcpProbe(port: number, initialDelaySeconds: number, periodSeconds = 10, failureThreshold = 3): Probe {
  return { tcpSocket: { port }, initialDelaySeconds, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/**
 * A StatefulSet pod's template `metadata.annotations` carries the checksum, so a change of any
 * rendered file, the applier or a secret's version rolls the pods.
 */
function checksumAnnotation(checksum: Input<string>): Record<string, Input<string>> {
  return { [CHECKSUM_ANNOTATION]: checksum };
}

export class KubernetesPlatform extends pulumi.ComponentResource {
  public readonly outputs: StackOutputs;

  constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:KubernetesPlatform', name, {}, opts);
    const { config: cfg, credentials } = args;
    const ns = cfg.kubernetes.namespace;
    const flavor = cfg.analytics.flavor;
    // config.ts rejects these before any resource; the component only asserts it got a checked config.
    if (
      (flavor === 'das' && !cfg.kubernetes.images.analyticsDas) ||
      (cfg.sharedStorage === 'efs' && !cfg.kubernetes.storageClass) ||
      (cfg.database === 'rds' && !(cfg.network.vpcId && cfg.network.privateSubnetIds)) ||
      !cfg.jdbcDriver.url.startsWith('https://')
    ) {
      throw new Error('KubernetesPlatform: the stack configuration was not validated by config.ts');
    }

    const provider = new k8s.Provider(
      `${name}-provider`,
      { context: cfg.kubernetes.context, enableServerSideApply: true, namespace: ns },
      { parent: this },
    );
    const o = (extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({ parent: this, provider, ...extra });
    const meta = (objName: string, node?: string, extraLabels?: Record<string, string>) => ({
      name: objName,
      namespace: ns,
      labels: { 'app.kubernetes.io/part-of': 'wso2-is-pattern2', ...(node ? { [NODE_LABEL]: node } : {}), ...extraLabels },
    });

    const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: ns, labels: { 'app.kubernetes.io/part-of': 'wso2-is-pattern2' } } }, o());
    const inNs = (extra?: pulumi.CustomResourceOptions) => o({ dependsOn: [namespace], ...extra });

    // ---- secrets (stringData from Pulumi secrets; never in a ConfigMap) ----------------------
    const dbSecret = new k8s.core.v1.Secret(
      `${name}-db-secret`,
      {
        metadata: meta(SECRET_NAMES_K8S.database),
        type: 'Opaque',
        stringData: {
          username: cfg.databaseUser,
          password: credentials.dbPassword,
          'master-password': credentials.dbMasterPassword,
        },
      },
      inNs(),
    );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin-secret`,
      { metadata: meta(SECRET_NAMES_K8S.admin), type: 'Opaque', stringData: { username: ADMIN_USERNAME, password: credentials.adminPassword } },
      inNs(),
    );
    const keystoreSecret = new k8s.core.v1.Secret(
      `${name}-keystore-secret`,
      { metadata: meta(SECRET_NAMES_K8S.keystore), type: 'Opaque', stringData: { password: pulumi.secret(PRODUCT_KEYSTORE_PASSWORD) } },
      inNs(),
    );
    // What the applier's `apply --secrets-file` reads; the nodes never need the master password.
    const applierSecret = new k8s.core.v1.Secret(
      `${name}-applier-secret`,
      {
        metadata: meta(SECRET_NAMES_K8S.applier),
        type: 'Opaque',
        stringData: {
          [SECRETS_FILE]: pulumi.secret(
            pulumi.all([credentials.dbPassword, credentials.adminPassword]).apply(([db, admin]) => JSON.stringify({ db_password: db, admin_password: admin })),
          ),
        },
      },
      inNs(),
    );
    /** Versions of the secrets the pods read: a rotated value changes these, not the other way round. */
    const secretVersions = pulumi
      .all([dbSecret, adminSecret, keystoreSecret, applierSecret].map((s) => s.metadata.apply((m) => `${m?.name ?? ''}@${m?.resourceVersion ?? ''}`)))
      .apply((v) => v.join(','));

    // ---- database ----------------------------------------------------------------------------
    let dbHost: pulumi.Output<string>;
    let dbMasterUser: pulumi.Output<string>;
    let dbReady: pulumi.Resource[] = [];
    if (cfg.database === 'in-cluster') {
      const mysql = this.inClusterMysql(name, cfg, dbSecret, meta, inNs);
      dbHost = pulumi.output(serviceDnsName(NAMES.mysql, ns));
      dbMasterUser = pulumi.output('root');
      dbReady = [mysql];
    } else {
      const rds = this.rdsDatabase(name, cfg, credentials);
      dbHost = rds.address;
      dbMasterUser = pulumi.output(rds.masterUsername);
      dbReady = [rds];
    }

    // ---- the model and what it renders (strings only, inside apply) ------------------------
    const topology: pulumi.Output<Topology> = dbHost.apply((host) =>
      buildTopology(topologyInput(cfg, nodeAddresses(ns), host)),
    );
    // The ports and shared directories do not depend on the database host: a host-free model
    // gives them without an Output, for container ports, Services and probes.
    const shape = buildTopology(topologyInput(cfg, nodeAddresses(ns), 'unused'));
    const changeSets = topology.apply((t) => renderNodeChangeSets(t));
    const bundle = applierBundle();

    // ---- shared RWX volume -------------------------------------------------------------------
    const sharedClaim = this.sharedVolume(name, cfg, meta, inNs);

    // ---- ConfigMaps: the applier, each node's change set --------------------------------------
    const applierCm = new k8s.core.v1.ConfigMap(`${name}-applier`, { metadata: meta('wso2is-applier'), data: { [APPLIER_FILE]: bundle } }, inNs());
    const changeSetCms: Record<string, k8s.core.v1.ConfigMap> = {};
    for (const id of ['is-1', 'is-2', 'analytics-1', 'analytics-2'] as NodeId[]) {
      const payload = changeSets.apply((all) => changeSetPayload(all.find((c) => c.nodeId === id)!));
      changeSetCms[id] = new k8s.core.v1.ConfigMap(
        `${name}-changes-${id}`,
        { metadata: meta(`wso2is-changes-${id}`, id), data: { [changeSetFileName(id)]: payload } },
        inNs(),
      );
    }

    // ---- db-init Job --------------------------------------------------------------------------
    const dbInit = topology.apply((t) => renderDbInit(t));
    const dbInitSha = dbInit.apply((d) => sha256(d.script));
    const dbInitCm = new k8s.core.v1.ConfigMap(
      `${name}-db-init`,
      { metadata: meta('wso2is-db-init', 'database'), data: dbInit.apply((d) => ({ [d.fileName]: d.script })) },
      inNs(),
    );
    const dbInitJob = new k8s.batch.v1.Job(
      `${name}-db-init-job`,
      {
        metadata: { ...meta('placeholder'), name: dbInitSha.apply((s) => `wso2is-db-init-${s.slice(0, 10)}`) },
        spec: {
          backoffLimit: 10,
          template: {
            metadata: { labels: appLabels(NAMES.dbInit) },
            spec: {
              restartPolicy: 'OnFailure',
              securityContext: { fsGroup: WSO2_UID },
              initContainers: [
                {
                  // The stock schema scripts ship in the IS image; the MySQL image runs them.
                  name: 'copy-dbscripts',
                  image: cfg.kubernetes.images.is,
                  command: ['sh', '-c', `set -eu\ncp -R "\${WSO2_SERVER_HOME:-${productHome('is', flavor)}}/dbscripts" ${MOUNTS.dbInitIsHome}/`],
                  volumeMounts: [{ name: 'is-home', mountPath: MOUNTS.dbInitIsHome }],
                },
                // DAS analytics needs the Carbon script of its own pack in its UM and registry databases.
                ...(flavor === 'das'
                  ? [
                      {
                        name: 'copy-analytics-dbscripts',
                        image: cfg.kubernetes.images.analyticsDas!,
                        command: ['sh', '-c', `set -eu\ncp -R "\${WSO2_SERVER_HOME:-${productHome('analytics', flavor)}}/dbscripts" ${MOUNTS.dbInitAnalyticsHome}/`],
                        volumeMounts: [{ name: 'analytics-home', mountPath: MOUNTS.dbInitAnalyticsHome }],
                      },
                    ]
                  : []),
              ],
              containers: [
                {
                  name: 'db-init',
                  image: cfg.kubernetes.images.mysql,
                  command: ['bash', '-c', pulumi.all([dbInit, dbInitSha]).apply(([d, s]) => dbInitJobScript(d.fileName, DB_INIT_META_DATABASE, s, cfg.databaseUser))],
                  env: [
                    { name: 'DB_HOST', value: dbHost },
                    { name: 'DB_PORT', value: String(MYSQL_PORT) },
                    { name: 'DB_MASTER_USER', value: dbMasterUser },
                    { name: 'DB_MASTER_PASSWORD', valueFrom: { secretKeyRef: { name: SECRET_NAMES_K8S.database, key: 'master-password' } } },
                    { name: 'DB_APP_PASSWORD', valueFrom: { secretKeyRef: { name: SECRET_NAMES_K8S.database, key: 'password' } } },
                    { name: 'WSO2_IS_HOME', value: MOUNTS.dbInitIsHome },
                    ...(flavor === 'das' ? [{ name: 'WSO2_ANALYTICS_HOME', value: MOUNTS.dbInitAnalyticsHome }] : []),
                  ],
                  volumeMounts: [
                    { name: 'is-home', mountPath: MOUNTS.dbInitIsHome },
                    ...(flavor === 'das' ? [{ name: 'analytics-home', mountPath: MOUNTS.dbInitAnalyticsHome }] : []),
                    { name: 'db-init', mountPath: MOUNTS.dbInit, readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: 'is-home', emptyDir: {} },
                ...(flavor === 'das' ? [{ name: 'analytics-home', emptyDir: {} }] : []),
                { name: 'db-init', configMap: { name: 'wso2is-db-init' } },
              ],
            },
          },
        },
      },
      inNs({ dependsOn: [namespace, dbInitCm, dbSecret, ...dbReady], customTimeouts: { create: '30m', update: '30m' } }),
    );

    const dbWait = (): Container => ({
      name: 'wait-for-database',
      image: cfg.kubernetes.images.mysql,
      command: ['sh', '-c', dbInitSha.apply((s) => waitForDbScript(DB_INIT_META_DATABASE, s))],
      env: [
        { name: 'DB_HOST', value: dbHost },
        { name: 'DB_PORT', value: String(MYSQL_PORT) },
        { name: 'DB_USER', value: cfg.databaseUser },
        { name: 'MYSQL_PWD', valueFrom: { secretKeyRef: { name: SECRET_NAMES_K8S.database, key: 'password' } } },
      ],
      securityContext: { allowPrivilegeEscalation: false },
    });

    // ---- IS and analytics StatefulSets ----------------------------------------------------------
    const roleDeps = [namespace, applierCm, applierSecret, sharedClaim, dbSecret, adminSecret, keystoreSecret];
    const workload = (role: Role) => {
      const ids = role === 'is' ? (['is-1', 'is-2'] as NodeId[]) : (['analytics-1', 'analytics-2'] as NodeId[]);
      const roleSets = changeSets.apply((all) => all.filter((c) => ids.includes(c.nodeId as NodeId)));
      const checksum = pulumi
        .all([roleSets, secretVersions, dbInitSha])
        .apply(([sets, versions, dbSha]: [NodeChangeSet[], string, string]) => {
          const parts: Record<string, string> = {
            applier: bundle,
            secrets: versions,
            dbInit: dbSha,
            stage: stageScript(role, flavor),
            apply: applyScript(role, shape.sharedDirectories.filter((d) => d.role === role)),
          };
          for (const cs of sets) parts[`changes/${cs.nodeId}`] = changeSetPayload(cs);
          return configChecksum(parts);
        });
      return this.productStatefulSet(name, role, cfg, shape, roleSets, checksum, dbWait(), [...roleDeps, changeSetCms[ids[0]], changeSetCms[ids[1]], dbInitJob], inNs);
    };
    const isSts = workload('is');
    const analyticsSts = workload('analytics');

    // ---- front end ---------------------------------------------------------------------------------
    const frontend = this.frontend(name, cfg, topology, shape, meta, inNs, [isSts]);

    // ---- NetworkPolicies: deny ingress by default, admit what the model allows ----------------
    this.networkPolicies(name, cfg, shape, meta, inNs);

    this.outputs = {
      namespace: namespace.metadata.name,
      url: pulumi.output(`https://${cfg.hostname}/`),
      consoleUrl: pulumi.output(`https://${cfg.hostname}/carbon/`),
      managementUrl: pulumi.output(`https://${cfg.mgtHostname}/carbon/`),
      dashboardUrl: pulumi.output(`https://${cfg.dashboardHostname}/portal/`),
      frontendAddress: frontend.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? 'pending'),
      databaseEndpoint: pulumi.interpolate`${dbHost}:${MYSQL_PORT}`,
      isStatefulSet: isSts.metadata.name,
      analyticsStatefulSet: analyticsSts.metadata.name,
    };
    this.registerOutputs(this.outputs);
  }

  /**
   * A default deny of ingress for every pod of the namespace, then one policy per allowance of
   * `ingressAllowances` (the model's ingress pairs, MySQL, NFS, nginx). Egress stays open (DNS,
   * RDS, EFS). Enforced only where the cluster's network plugin implements NetworkPolicy.
   */
  private networkPolicies(
    name: string,
    cfg: StackConfig,
    t: Topology,
    meta: (n: string, node?: string) => k8s.types.input.meta.v1.ObjectMeta,
    inNs: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
  ): void {
    new k8s.networking.v1.NetworkPolicy(
      `${name}-netpol-default-deny`,
      { metadata: meta('wso2is-default-deny-ingress'), spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      inNs(),
    );
    const allowances = ingressAllowances(t, {
      mysqlPort: cfg.database === 'in-cluster' ? MYSQL_PORT : undefined,
      nfsServer: cfg.sharedStorage !== 'efs',
    });
    for (const a of allowances) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-netpol-${a.name.replace(/^wso2is-allow-/, '')}`,
        {
          metadata: { ...meta(a.name), annotations: { 'wso2-pattern2/why': a.description } },
          spec: {
            podSelector: { matchLabels: appLabels(a.app) },
            policyTypes: ['Ingress'],
            ingress: [
              {
                ...(a.from === 'anywhere' ? {} : { from: a.from.map((app) => ({ podSelector: { matchLabels: appLabels(app) } })) }),
                ports: a.ports.map((port) => ({ protocol: 'TCP', port })),
              },
            ],
          },
        },
        inNs(),
      );
    }
  }

  /** MySQL 8 StatefulSet with a PVC; root password from the database Secret. */
  private inClusterMysql(
    name: string,
    cfg: StackConfig,
    dbSecret: k8s.core.v1.Secret,
    meta: (n: string, node?: string) => k8s.types.input.meta.v1.ObjectMeta,
    inNs: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
  ): k8s.apps.v1.StatefulSet {
    const labels = appLabels(NAMES.mysql);
    const svc = new k8s.core.v1.Service(
      `${name}-mysql-service`,
      { metadata: meta(NAMES.mysql, 'database'), spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'mysql', port: MYSQL_PORT, targetPort: MYSQL_PORT }] } },
      inNs(),
    );
    return new k8s.apps.v1.StatefulSet(
      `${name}-mysql`,
      {
        metadata: meta(NAMES.mysql, 'database'),
        spec: {
          serviceName: NAMES.mysql,
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'mysql',
                  image: cfg.kubernetes.images.mysql,
                  args: [
                    `--character-set-server=${cfg.databaseCharacterSet}`,
                    // The products ship MySQL Connector/J 5.1, which cannot do caching_sha2_password.
                    '--default-authentication-plugin=mysql_native_password',
                  ],
                  env: [{ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: SECRET_NAMES_K8S.database, key: 'master-password' } } }],
                  ports: [{ name: 'mysql', containerPort: MYSQL_PORT }],
                  // The entrypoint's first-run server has networking off: the port opens only for the real one.
                  readinessProbe: tcpProbe(MYSQL_PORT, 10),
                  livenessProbe: tcpProbe(MYSQL_PORT, 120, 20, 6),
                  resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
                  volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [
            { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: MYSQL_STORAGE } } } },
          ],
        },
      },
      inNs({ dependsOn: [svc, dbSecret] }),
    );
  }

  /** RDS MySQL (EKS): in the configured VPC's private subnets, reachable from the VPC CIDR. */
  private rdsDatabase(name: string, cfg: StackConfig, credentials: Credentials): RdsDatabase {
    // Imported here so a stack without RDS never loads the AWS SDK's resource modules.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const aws = require('@pulumi/aws') as typeof import('@pulumi/aws');
    const { vpcId, privateSubnetIds, vpcCidr } = cfg.network;
    if (!vpcId || !privateSubnetIds) throw new Error('KubernetesPlatform: config.ts admits database rds only with network.vpcId and subnets');
    const tags = { 'wso2-pattern2/stack': cfg.stack, [NODE_LABEL]: 'database' };
    // The pods reach RDS from the cluster's VPC; `network.vpcCidr` is that VPC's CIDR on this stack.
    const sg = new aws.ec2.SecurityGroup(
      `${name}-rds-sg`,
      {
        vpcId,
        description: 'WSO2 pattern 2: MySQL from the EKS cluster VPC',
        ingress: [{ protocol: 'tcp', fromPort: MYSQL_PORT, toPort: MYSQL_PORT, cidrBlocks: [vpcCidr], description: 'MySQL from the cluster VPC' }],
        egress: [],
        tags,
      },
      { parent: this },
    );
    return stackDatabase(
      `${name}-rds`,
      { config: cfg, masterPassword: credentials.dbMasterPassword, subnetIds: privateSubnetIds, securityGroupIds: [sg.id], tags },
      { parent: this },
    );
  }

  /**
   * The ReadWriteMany claim holding Deployment, Tenants and siddhi-files: a PVC of the EFS CSI
   * StorageClass on EKS, or an in-cluster NFS server exported through a static PV.
   */
  private sharedVolume(
    name: string,
    cfg: StackConfig,
    meta: (n: string, node?: string) => k8s.types.input.meta.v1.ObjectMeta,
    inNs: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
  ): k8s.core.v1.PersistentVolumeClaim {
    const ns = cfg.kubernetes.namespace;
    if (cfg.sharedStorage === 'efs') {
      return new k8s.core.v1.PersistentVolumeClaim(
        `${name}-shared`,
        {
          metadata: meta(NAMES.sharedClaim),
          spec: { accessModes: ['ReadWriteMany'], storageClassName: cfg.kubernetes.storageClass, resources: { requests: { storage: SHARED_STORAGE } } },
        },
        inNs(),
      );
    }
    const labels = appLabels(NAMES.nfs);
    const data = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-nfs-data`,
      {
        metadata: meta(`${NAMES.nfs}-data`),
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: cfg.kubernetes.storageClass, resources: { requests: { storage: SHARED_STORAGE } } },
      },
      inNs(),
    );
    const server = new k8s.apps.v1.Deployment(
      `${name}-nfs-server`,
      {
        metadata: meta(NAMES.nfs),
        spec: {
          replicas: 1,
          // One writer of the backing RWO volume at a time.
          strategy: { type: 'Recreate' },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'nfs-server',
                  image: cfg.kubernetes.images.nfsServer,
                  env: [{ name: 'SHARED_DIRECTORY', value: '/nfsshare' }],
                  // The kernel NFS server needs it; local clusters only (EKS uses EFS).
                  securityContext: { privileged: true },
                  ports: [{ name: 'nfs', containerPort: 2049 }],
                  readinessProbe: tcpProbe(2049, 5),
                  livenessProbe: tcpProbe(2049, 30, 20),
                  // The serving is done by the node's kernel nfsd; the container only starts it.
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                  volumeMounts: [{ name: 'data', mountPath: '/nfsshare' }],
                },
              ],
              volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${NAMES.nfs}-data` } }],
            },
          },
        },
      },
      inNs({ dependsOn: [data] }),
    );
    const svc = new k8s.core.v1.Service(
      `${name}-nfs-service`,
      { metadata: meta(NAMES.nfs), spec: { selector: labels, ports: [{ name: 'nfs', port: 2049, targetPort: 2049 }] } },
      inNs({ dependsOn: [server] }),
    );
    // kubelet mounts NFS from the node, where cluster DNS does not resolve: the Service's IP it is.
    const pv = new k8s.core.v1.PersistentVolume(
      `${name}-shared-pv`,
      {
        metadata: { name: `${ns}-shared`, labels: { 'app.kubernetes.io/part-of': 'wso2-is-pattern2' } },
        spec: {
          capacity: { storage: SHARED_STORAGE },
          accessModes: ['ReadWriteMany'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: '',
          // The server image is NFSv4 only (no rpcbind, no mountd): without this, a failed v4
          // mount falls back to v3 and hangs on port 111 instead of saying what failed.
          mountOptions: ['nfsvers=4'],
          nfs: { server: svc.spec.clusterIP, path: '/' },
        },
      },
      inNs(),
    );
    return new k8s.core.v1.PersistentVolumeClaim(
      `${name}-shared`,
      {
        metadata: meta(NAMES.sharedClaim),
        spec: { accessModes: ['ReadWriteMany'], storageClassName: '', volumeName: pv.metadata.name, resources: { requests: { storage: SHARED_STORAGE } } },
      },
      inNs({ dependsOn: [pv] }),
    );
  }

  /**
   * Two pods of a role with stable identities. One pod template for both: the apply init
   * container picks the node's change set by the pod's ordinal (0 -> <role>-1, 1 -> <role>-2).
   */
  private productStatefulSet(
    name: string,
    role: Role,
    cfg: StackConfig,
    t: Topology,
    roleSets: pulumi.Output<NodeChangeSet[]>,
    checksum: pulumi.Output<string>,
    dbWait: Container,
    deps: pulumi.Resource[],
    inNs: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
  ): k8s.apps.v1.StatefulSet {
    const ns = cfg.kubernetes.namespace;
    const { sts, headless } = STATEFULSET_OF[role];
    const labels = appLabels(sts);
    const ports: PortRule[] = nodesOf(t, role)[0].ports as PortRule[];
    const flavor = t.analyticsFlavor;
    const processes = processesFor(role, flavor);
    // The model's shared trees of this role: seeded, linked, edited in place.
    const shared = t.sharedDirectories.filter((d) => d.role === role);
    const imageOf = (proc: ProductProcess): string => {
      if (role === 'is') return cfg.kubernetes.images.is;
      if (flavor === 'das') return cfg.kubernetes.images.analyticsDas!;
      return proc.name === 'dashboard' ? cfg.kubernetes.images.analyticsDashboard : cfg.kubernetes.images.analyticsWorker;
    };
    const stageImage = imageOf(processes[0]);
    // Every process's image lacks the MySQL driver; one download per pod serves them all.
    const driver = { file: jdbcDriverFileName(cfg.jdbcDriver.url), dir: jdbcDriverDir(role, flavor) };
    // DAS: Spark needs the product home under one path on both nodes (seed 000).
    const homeLink = role === 'analytics' && flavor === 'das' ? ANALYTICS_HOME_LINK : undefined;
    const nodeMeta = (n: string) => ({ name: n, namespace: ns, labels: { 'app.kubernetes.io/part-of': 'wso2-is-pattern2' } });
    const podName = { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
    const ids = role === 'is' ? ['is-1', 'is-2'] : ['analytics-1', 'analytics-2'];

    // Node addresses: a headless Service that publishes pods before they are ready, so Hazelcast
    // wka members / the HA peers resolve each other while booting.
    new k8s.core.v1.Service(
      `${name}-${role}-headless`,
      {
        metadata: nodeMeta(headless),
        spec: {
          clusterIP: 'None',
          publishNotReadyAddresses: true,
          selector: labels,
          ports: ports.map((p) => ({ name: portName(p.name), port: p.port, targetPort: p.port })),
        },
      },
      inNs(),
    );

    const volumes: Volume[] = [
      { name: 'stage', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'changes', projected: { sources: ids.map((id) => ({ configMap: { name: `wso2is-changes-${id}` } })) } },
      { name: 'applier', configMap: { name: 'wso2is-applier' } },
      // 0400: read by the root apply init container only.
      { name: 'secrets', secret: { secretName: SECRET_NAMES_K8S.applier, defaultMode: 0o400 } },
      { name: 'shared', persistentVolumeClaim: { claimName: NAMES.sharedClaim } },
      { name: 'jdbc-driver', emptyDir: { sizeLimit: '32Mi' } },
      // A writable directory for the home link (the image's /opt is root's).
      ...(homeLink ? [{ name: 'home-link', emptyDir: { sizeLimit: '1Mi' } }] : []),
    ];
    // Node-local files only; the apply step edits files of the shared trees on the shared volume.
    const editPaths = roleSets.apply((sets) => editedPaths(sets, shared));
    const initContainers: Container[] = [
      {
        name: 'fetch-jdbc-driver',
        image: APPLIER_NODE_IMAGE,
        command: ['sh', '-c', driverFetchScript()],
        env: [
          { name: 'JDBC_DRIVER_URL', value: cfg.jdbcDriver.url },
          { name: 'JDBC_DRIVER_FILE', value: driver.file },
          { name: 'JDBC_DRIVER_SHA256', value: cfg.jdbcDriver.sha256 ?? '' },
        ],
        volumeMounts: [{ name: 'jdbc-driver', mountPath: MOUNTS.jdbcDriver }],
        securityContext: { runAsUser: WSO2_UID, runAsGroup: WSO2_UID, allowPrivilegeEscalation: false },
      },
      dbWait,
      {
        name: 'stage',
        image: stageImage,
        command: editPaths.apply((paths) => ['sh', '-c', stageScript(role, flavor), 'stage', ...paths]),
        volumeMounts: [{ name: 'stage', mountPath: MOUNTS.stage }],
        securityContext: { runAsUser: WSO2_UID, runAsGroup: WSO2_UID, allowPrivilegeEscalation: false },
      },
      {
        name: 'seed-shared',
        image: stageImage,
        command: ['sh', '-c', seedScript(role, shared, flavor)],
        env: [podName],
        volumeMounts: [{ name: 'shared', mountPath: MOUNTS.shared }],
        securityContext: { runAsUser: 0, allowPrivilegeEscalation: false },
      },
      {
        name: 'apply',
        image: APPLIER_NODE_IMAGE,
        command: ['sh', '-c', applyScript(role, shared)],
        env: [podName],
        volumeMounts: [
          { name: 'stage', mountPath: MOUNTS.stage },
          // Seeded by now: shared files are edited here, in place (see applyScript).
          { name: 'shared', mountPath: MOUNTS.shared },
          { name: 'changes', mountPath: MOUNTS.changes, readOnly: true },
          { name: 'applier', mountPath: MOUNTS.applier, readOnly: true },
          { name: 'secrets', mountPath: MOUNTS.secrets, readOnly: true },
        ],
        securityContext: {
          runAsUser: 0,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'] },
        },
      },
    ];

    const containers: Container[] = processes.map((proc) => {
      const healthPort = t.ports[proc.healthPort];
      const own = ports.filter((p) => (proc.name === 'dashboard' ? p.name === 'dashboard' : p.name !== 'dashboard'));
      const c: Container = {
        name: proc.name,
        image: imageOf(proc),
        command: ['sh', '-c', startScript(role, proc, proc.name === 'dashboard' ? [] : shared, { flavor, jdbcDriver: driver, homeLink })],
        ports: own.map((p) => ({ name: portName(p.name), containerPort: p.port })),
        volumeMounts: [
          { name: 'stage', mountPath: MOUNTS.stage, readOnly: true },
          ...(proc.name === 'dashboard' ? [] : [{ name: 'shared', mountPath: MOUNTS.shared }]),
          { name: 'jdbc-driver', mountPath: MOUNTS.jdbcDriver, readOnly: true },
          ...(homeLink ? [{ name: 'home-link', mountPath: path.posix.dirname(homeLink) }] : []),
        ],
        securityContext: { runAsUser: WSO2_UID, runAsGroup: WSO2_UID, allowPrivilegeEscalation: false },
        // IS 5.8 and the SP profiles take minutes to boot: the startup probe allows 15 minutes.
        startupProbe: tcpProbe(healthPort, 60, 10, 84),
        livenessProbe: tcpProbe(healthPort, 0, 20, 6),
        resources: PROCESS_RESOURCES[proc.name] ?? PROCESS_RESOURCES.server,
      };
      if (proc.healthPath) {
        // Carbon 4 (IS, DAS analytics): the management console's login page on the health port.
        c.readinessProbe = {
          httpGet: { path: proc.healthPath, port: healthPort, scheme: 'HTTPS' },
          periodSeconds: 10,
          timeoutSeconds: 5,
          failureThreshold: 3,
        };
      } else {
        // Worker: its HTTPS admin API, open on the passive node too (seed 004: only the receivers
        // and the store query API are closed there), so both workers become Ready and roll.
        c.readinessProbe = tcpProbe(healthPort, 0, 10, 3);
      }
      return c;
    });

    const isRole = role === 'is';
    const set = new k8s.apps.v1.StatefulSet(
      `${name}-${role}`,
      {
        metadata: nodeMeta(sts),
        spec: {
          serviceName: headless,
          replicas: 2,
          selector: { matchLabels: labels },
          // IS: one pod at a time at first start, each Ready before the next (the first node
          // brings up the cluster). Analytics: both at once; whichever worker wins the cluster
          // lock is active.
          podManagementPolicy: isRole ? 'OrderedReady' : 'Parallel',
          // A new checksum replaces the pods one at a time, highest ordinal first, each Ready
          // before the next; for analytics the other worker takes over while one restarts.
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          template: {
            metadata: { labels, annotations: checksumAnnotation(checksum) },
            spec: {
              securityContext: { fsGroup: WSO2_UID },
              terminationGracePeriodSeconds: 90,
              affinity: antiAffinity(labels),
              initContainers,
              containers,
              volumes,
            },
          },
        },
      },
      inNs({ dependsOn: deps, customTimeouts: { create: '40m', update: '40m' } }),
    );

    // Drains evict one node of the pair at a time (both workers are Ready, so the budget frees up).
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-${role}-pdb`,
      { metadata: nodeMeta(`${sts}-pdb`), spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      inNs(),
    );
    if (!isRole) {
      // No Service in front of the receivers: the IS publishers' failover receiverURL names both
      // workers by their pod DNS names and moves to whichever accepts. The dashboard (SP: its own
      // listener; DAS: the Carbon HTTPS transport) is what the model opens to the front end.
      const dash = ports.filter((p) => p.from.includes('frontend'));
      new k8s.core.v1.Service(
        `${name}-analytics-dashboard`,
        { metadata: nodeMeta(NAMES.dashboard), spec: { type: 'ClusterIP', selector: labels, ports: dash.map((p) => ({ name: portName(p.name), port: p.port, targetPort: p.port })) } },
        inNs(),
      );
    }
    return set;
  }

  /** nginx (2 replicas) with the rendered site, a TLS Secret and a LoadBalancer Service. */
  private frontend(
    name: string,
    cfg: StackConfig,
    topology: pulumi.Output<Topology>,
    shape: Topology,
    meta: (n: string, node?: string) => k8s.types.input.meta.v1.ObjectMeta,
    inNs: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
    deps: pulumi.Resource[],
  ): k8s.core.v1.Service {
    const labels = appLabels(NAMES.nginx);
    const onAws = cfg.database === 'rds' || cfg.sharedStorage === 'efs';
    let certPem: pulumi.Input<string>;
    let keyPem: pulumi.Input<string>;
    if (cfg.tls.certificate && cfg.tls.privateKey) {
      certPem = cfg.tls.certificate;
      keyPem = cfg.tls.privateKey;
    } else {
      const key = new tls.PrivateKey(`${name}-tls-key`, { algorithm: 'RSA', rsaBits: 2048 }, { parent: this });
      const cert = new tls.SelfSignedCert(
        `${name}-tls-cert`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName: cfg.hostname, organization: 'WSO2 IS pattern 2 (self-signed)' },
          dnsNames: [cfg.hostname, cfg.mgtHostname, cfg.dashboardHostname],
          validityPeriodHours: 24 * 365,
          earlyRenewalHours: 24 * 30,
          allowedUses: ['key_encipherment', 'digital_signature', 'server_auth'],
        },
        { parent: this },
      );
      certPem = cert.certPem;
      keyPem = key.privateKeyPem;
    }
    const tlsSecret = new k8s.core.v1.Secret(
      `${name}-frontend-tls`,
      { metadata: meta(SECRET_NAMES_K8S.tls), type: 'kubernetes.io/tls', stringData: { 'tls.crt': certPem, 'tls.key': pulumi.secret(keyPem) } },
      inNs(),
    );
    const tlsDir = '/etc/nginx/tls';
    // Node names are re-resolved while nginx runs (a recreated IS pod has a new IP), through the
    // pod's DNS server, which the start script fills in.
    const conf = topology.apply((t) =>
      renderNginxConf(t, {
        httpsPort: t.frontendPorts.https,
        httpPort: t.frontendPorts.http,
        certificateFile: `${tlsDir}/tls.crt`,
        certificateKeyFile: `${tlsDir}/tls.key`,
        resolver: { address: NAMESERVER_PLACEHOLDER, valid: NGINX_RESOLVER_VALID },
      }),
    );
    const templateFile = path.posix.basename(NGINX_PATHS.template);
    const start = nginxStartScript();
    const confCm = new k8s.core.v1.ConfigMap(`${name}-nginx-conf`, { metadata: meta('wso2is-frontend-conf', 'frontend'), data: { [templateFile]: conf } }, inNs());
    const checksum = pulumi
      .all([conf, tlsSecret.metadata])
      .apply(([c, m]) => configChecksum({ [`nginx/${templateFile}`]: c, 'nginx/start': start, 'secrets': `${m?.name ?? ''}@${m?.resourceVersion ?? ''}` }));
    const portsFrom = shape.frontendPorts;
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-frontend`,
      {
        metadata: { name: NAMES.nginx, namespace: cfg.kubernetes.namespace, labels: { 'app.kubernetes.io/part-of': 'wso2-is-pattern2' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
          template: {
            metadata: { labels, annotations: checksumAnnotation(checksum) },
            spec: {
              affinity: antiAffinity(labels),
              containers: [
                {
                  name: 'nginx',
                  // nginx >= NGINX_MIN_VERSION_RESOLVE: upstream servers marked `resolve`.
                  image: cfg.kubernetes.images.nginx,
                  command: ['sh', '-c', start],
                  ports: [
                    { name: 'https', containerPort: portsFrom.https },
                    { name: 'http', containerPort: portsFrom.http },
                  ],
                  readinessProbe: { tcpSocket: { port: portsFrom.https }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                  livenessProbe: { tcpSocket: { port: portsFrom.https }, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
                  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                  volumeMounts: [
                    { name: 'template', mountPath: path.posix.dirname(NGINX_PATHS.template), readOnly: true },
                    // An empty conf.d: the image's stock default.conf (and its port-80 server) is gone.
                    { name: 'conf', mountPath: path.posix.dirname(NGINX_PATHS.conf) },
                    { name: 'tls', mountPath: tlsDir, readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: 'template', configMap: { name: 'wso2is-frontend-conf' } },
                { name: 'conf', emptyDir: { sizeLimit: '1Mi' } },
                { name: 'tls', secret: { secretName: SECRET_NAMES_K8S.tls, defaultMode: 0o400 } },
              ],
            },
          },
        },
      },
      inNs({ dependsOn: [confCm, tlsSecret, ...deps] }),
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-frontend-pdb`,
      { metadata: { name: `${NAMES.nginx}-pdb`, namespace: cfg.kubernetes.namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      inNs(),
    );
    return new k8s.core.v1.Service(
      `${name}-frontend-service`,
      {
        metadata: {
          name: NAMES.nginx,
          namespace: cfg.kubernetes.namespace,
          labels: { 'app.kubernetes.io/part-of': 'wso2-is-pattern2' },
          annotations: onAws
            ? {
                'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
                'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
                'service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled': 'true',
                // The AWS Load Balancer Controller ignores the in-tree annotation above and reads this one.
                'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
              }
            : {
                // Pulumi waits for a LoadBalancer Service's address; kind (without
                // cloud-provider-kind) and minikube (without `minikube tunnel`) never give one, so
                // `pulumi up` would fail after 10 minutes. Locally the Service is not awaited; reach
                // it by its address where the cluster gives one, else by `kubectl port-forward`.
                'pulumi.com/skipAwait': 'true',
              },
        },
        spec: {
          type: 'LoadBalancer',
          selector: labels,
          loadBalancerSourceRanges: cfg.network.ingressCidrs,
          ports: [
            { name: 'https', port: portsFrom.https, targetPort: 'https' },
            { name: 'http', port: portsFrom.http, targetPort: 'http' },
          ],
        },
      },
      inNs({ dependsOn: [deployment] }),
    );
  }
}
