/**
 * The pod specs of the Kubernetes platform, one pure function per role (IS, analytics, MySQL,
 * the NFS server, the db-init Job, nginx): plain data in, pod spec out, so each is unit-testable
 * without Pulumi resources. Values known only after deployment (names of objects, the database
 * host) are passed through as `Input`s, never awaited here.
 */
import * as path from 'path';
import type * as k8s from '@pulumi/kubernetes';
import type { Input } from '@pulumi/pulumi';
import type { StackConfig } from '../../config';
import { AnalyticsFlavor, MYSQL_PORT, WSO2_UID } from '../../topology';
import { MOUNTS, NGINX_PATHS } from './paths';
import { copyDbScriptsScript } from './scripts';

type Container = k8s.types.input.core.v1.Container;
type Probe = k8s.types.input.core.v1.Probe;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Where the NFS server keeps the export (its backing RWO volume). */
const NFS_EXPORT_DIR = '/nfsshare';

/**
 * Spread pods over nodes and zones; preferred (not required) so a one-node kind cluster still runs.
 * @param labels the pods' labels
 */
export function antiAffinity(labels: Record<string, string>): k8s.types.input.core.v1.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } },
        { weight: 50, podAffinityTerm: { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: labels } } },
      ],
    },
  };
}

/**
 * A TCP probe.
 * @param port the port that must accept
 * @param initialDelaySeconds delay after the container starts
 * @param periodSeconds interval
 * @param failureThreshold failures in a row that count
 */
export function tcpProbe(port: number, initialDelaySeconds: number, periodSeconds = 10, failureThreshold = 3): Probe {
  return { tcpSocket: { port }, initialDelaySeconds, periodSeconds, timeoutSeconds: 5, failureThreshold };
}

/**
 * An env var from a key of a Secret.
 * @param name the variable
 * @param secret the Secret's name (through its object)
 * @param key the key in the Secret
 */
export const secretEnv = (name: string, secret: Input<string>, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** Where the products find the database. */
export interface DatabaseAccess {
  /** MySQL image (its client waits for and initialises the database). */
  image: string;
  /** The database host. */
  host: Input<string>;
  /** The database Secret's name (keys `password`, `master-password`). */
  secret: Input<string>;
}

/**
 * The `wait-for-database` init container of the product pods.
 * @param db where the database is
 * @param user the application user
 * @param script the wait script (`waitForDbScript`)
 */
export function dbWaitContainer(db: DatabaseAccess, user: string, script: Input<string>): Container {
  return {
    name: 'wait-for-database',
    image: db.image,
    command: ['sh', '-c', script],
    env: [
      { name: 'DB_HOST', value: db.host },
      { name: 'DB_PORT', value: String(MYSQL_PORT) },
      { name: 'DB_USER', value: user },
      secretEnv('MYSQL_PWD', db.secret, 'password'),
    ],
    securityContext: { allowPrivilegeEscalation: false },
  };
}

/**
 * The in-cluster MySQL 8 pod: root password from the database Secret, data on the `data` claim.
 * @param image the MySQL image
 * @param characterSet the server's character set
 * @param secret the database Secret's name
 * @param tlsSecret the Secret with the server's TLS key pair (`tls.crt`, `tls.key`) and `ca.crt`
 */
export function mysqlPodSpec(image: string, characterSet: string, secret: Input<string>, tlsSecret: Input<string>): PodSpec {
  return {
    // The image's mysqld runs as mysql (gid 999): the key is readable by that group only.
    securityContext: { fsGroup: MYSQL_GID },
    containers: [
      {
        name: 'mysql',
        image,
        args: [
          `--character-set-server=${characterSet}`,
          // The products ship MySQL Connector/J 5.1, which cannot do caching_sha2_password.
          '--default-authentication-plugin=mysql_native_password',
          // TLS only, on our certificate (the JDBC URLs verify it against the deployment CA).
          `--ssl-ca=${MYSQL_TLS_DIR}/ca.crt`,
          `--ssl-cert=${MYSQL_TLS_DIR}/tls.crt`,
          `--ssl-key=${MYSQL_TLS_DIR}/tls.key`,
          '--require-secure-transport=ON',
        ],
        env: [secretEnv('MYSQL_ROOT_PASSWORD', secret, 'master-password')],
        ports: [{ name: 'mysql', containerPort: MYSQL_PORT }],
        // The entrypoint's first-run server has networking off: the port opens only for the real one.
        readinessProbe: tcpProbe(MYSQL_PORT, 10),
        livenessProbe: tcpProbe(MYSQL_PORT, 120, 20, 6),
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
        volumeMounts: [
          { name: 'data', mountPath: '/var/lib/mysql' },
          { name: 'tls', mountPath: MYSQL_TLS_DIR, readOnly: true },
        ],
      },
    ],
    volumes: [{ name: 'tls', secret: { secretName: tlsSecret, defaultMode: 0o440 } }],
  };
}

/** Where the MySQL pod mounts its TLS Secret. */
export const MYSQL_TLS_DIR = '/etc/mysql/tls';
/** The group of the official MySQL image's mysql user. */
const MYSQL_GID = 999;

/**
 * The in-cluster NFS server pod (local clusters; EKS uses EFS), exporting its data claim.
 * @param image the NFSv4 server image
 * @param port the NFS port
 * @param dataClaim the name of the claim backing the export
 */
export function nfsServerPodSpec(image: string, port: number, dataClaim: Input<string>): PodSpec {
  return {
    containers: [
      {
        name: 'nfs-server',
        image,
        env: [{ name: 'SHARED_DIRECTORY', value: NFS_EXPORT_DIR }],
        // The kernel NFS server needs it; local clusters only (EKS uses EFS).
        securityContext: { privileged: true },
        ports: [{ name: 'nfs', containerPort: port }],
        readinessProbe: tcpProbe(port, 5),
        livenessProbe: tcpProbe(port, 30, 20),
        // The serving is done by the node's kernel nfsd; the container only starts it.
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        volumeMounts: [{ name: 'data', mountPath: NFS_EXPORT_DIR }],
      },
    ],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: dataClaim } }],
  };
}

/** What the db-init Job's pod needs besides the images. */
export interface DbInitPodArgs {
  /** Images: `is` (stock dbscripts), `analyticsDas` (DAS flavour), and the database's MySQL image. */
  images: StackConfig['kubernetes']['images'];
  flavor: AnalyticsFlavor;
  /** Where the database is. */
  db: DatabaseAccess;
  /** The master user. */
  masterUser: Input<string>;
  /** The Job script (`dbInitJobScript`). */
  script: Input<string>;
  /** The name of the ConfigMap holding the rendered db-init script. */
  scriptConfigMap: Input<string>;
}

/**
 * The db-init Job's pod: copies the stock dbscripts out of the product images, then runs the script in the MySQL image.
 * @param a images, database, script and its ConfigMap
 */
export function dbInitPodSpec(a: DbInitPodArgs): PodSpec {
  const das = a.flavor === 'das';
  return {
    restartPolicy: 'OnFailure',
    securityContext: { fsGroup: WSO2_UID },
    initContainers: [
      // The stock schema scripts ship in the IS image; the MySQL image runs them.
      { name: 'copy-dbscripts', image: a.images.is, command: ['sh', '-c', copyDbScriptsScript('is', a.flavor, MOUNTS.dbInitIsHome)], volumeMounts: [{ name: 'is-home', mountPath: MOUNTS.dbInitIsHome }] },
      // DAS analytics needs the Carbon script of its own pack in its UM and registry databases.
      ...(das
        ? [{ name: 'copy-analytics-dbscripts', image: a.images.analyticsDas!, command: ['sh', '-c', copyDbScriptsScript('analytics', a.flavor, MOUNTS.dbInitAnalyticsHome)], volumeMounts: [{ name: 'analytics-home', mountPath: MOUNTS.dbInitAnalyticsHome }] }]
        : []),
    ],
    containers: [
      {
        name: 'db-init',
        image: a.db.image,
        command: ['bash', '-c', a.script],
        env: [
          { name: 'DB_HOST', value: a.db.host },
          { name: 'DB_PORT', value: String(MYSQL_PORT) },
          { name: 'DB_MASTER_USER', value: a.masterUser },
          secretEnv('DB_MASTER_PASSWORD', a.db.secret, 'master-password'),
          secretEnv('DB_APP_PASSWORD', a.db.secret, 'password'),
          { name: 'WSO2_IS_HOME', value: MOUNTS.dbInitIsHome },
          ...(das ? [{ name: 'WSO2_ANALYTICS_HOME', value: MOUNTS.dbInitAnalyticsHome }] : []),
        ],
        volumeMounts: [
          { name: 'is-home', mountPath: MOUNTS.dbInitIsHome },
          ...(das ? [{ name: 'analytics-home', mountPath: MOUNTS.dbInitAnalyticsHome }] : []),
          { name: 'db-init', mountPath: MOUNTS.dbInit, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'is-home', emptyDir: {} },
      ...(das ? [{ name: 'analytics-home', emptyDir: {} }] : []),
      { name: 'db-init', configMap: { name: a.scriptConfigMap } },
    ],
  };
}

/** What the nginx pod needs. */
export interface NginxPodArgs {
  /** The nginx image (>= NGINX_MIN_VERSION_RESOLVE: upstream servers marked `resolve`). */
  image: string;
  /** The container's start script (`nginxStartScript`). */
  start: string;
  /** HTTPS and HTTP ports. */
  ports: { https: number; http: number };
  /** The ConfigMap holding the rendered site template. */
  templateConfigMap: Input<string>;
  /** The TLS Secret (`tls.crt`, `tls.key`). */
  tlsSecret: Input<string>;
  /** Where the TLS Secret is mounted. */
  tlsDir: string;
  /** The pods' labels (anti-affinity). */
  labels: Record<string, string>;
}

/**
 * The nginx front-end pod: the start script fills the resolver into the site, then runs nginx.
 * @param a image, start script, ports, the site's ConfigMap and the TLS Secret
 */
export function nginxPodSpec(a: NginxPodArgs): PodSpec {
  return {
    affinity: antiAffinity(a.labels),
    containers: [
      {
        name: 'nginx',
        // nginx >= NGINX_MIN_VERSION_RESOLVE: upstream servers marked `resolve`.
        image: a.image,
        command: ['sh', '-c', a.start],
        ports: [
          { name: 'https', containerPort: a.ports.https },
          { name: 'http', containerPort: a.ports.http },
        ],
        readinessProbe: { tcpSocket: { port: a.ports.https }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
        livenessProbe: { tcpSocket: { port: a.ports.https }, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 },
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        volumeMounts: [
          { name: 'template', mountPath: path.posix.dirname(NGINX_PATHS.template), readOnly: true },
          // An empty conf.d: the image's stock default.conf (and its port-80 server) is gone.
          { name: 'conf', mountPath: path.posix.dirname(NGINX_PATHS.conf) },
          { name: 'tls', mountPath: a.tlsDir, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'template', configMap: { name: a.templateConfigMap } },
      { name: 'conf', emptyDir: { sizeLimit: '1Mi' } },
      { name: 'tls', secret: { secretName: a.tlsSecret, defaultMode: 0o400 } },
    ],
  };
}
