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
import { restrictedPod } from './pod-security';
import { DbCaSource, dbCaParts } from './db-ca';

type Container = k8s.types.input.core.v1.Container;
type Probe = k8s.types.input.core.v1.Probe;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;

/** Where the NFS server keeps the export (its backing RWO volume). */
const NFS_EXPORT_DIR = '/nfsshare';
/**
 * The `mysql` user of the official MySQL images (uid and gid 999), which their entrypoint switches
 * to when started as root; started as it, the entrypoint runs the server directly, on a data
 * directory the pod's fsGroup makes writable ("Running as an arbitrary user" on the image's page).
 * A data volume the root-started entrypoint initialised is already this user's.
 */
export const MYSQL_UID = 999;
/** The `nginx` user of the official nginx images (uid and gid 101). */
export const NGINX_UID = 101;

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
  /** Where the CA file that verifies the server comes from (`PlatformDatabase.caVolume`). */
  ca: DbCaSource;
}

/** The product pods' `wait-for-database` init container and the volume it needs in the pod. */
export interface DbWait {
  container: Container;
  /** The database CA's volume (the same source as the db-init Job's). */
  volume: Volume;
}

/**
 * The `wait-for-database` init container of the product pods. It sends the application password,
 * so it verifies the server first, against the CA file the db-init Job uses (`dbCaParts`).
 * @param db where the database is
 * @param user the application user
 * @param script the wait script (`waitForDbScript`)
 */
export function dbWaitInit(db: DatabaseAccess, user: string, script: Input<string>): DbWait {
  const ca = dbCaParts(db.ca);
  return {
    container: {
      name: 'wait-for-database',
      image: db.image,
      command: ['sh', '-c', script],
      env: [
        { name: 'DB_HOST', value: db.host },
        { name: 'DB_PORT', value: String(MYSQL_PORT) },
        { name: 'DB_USER', value: user },
        secretEnv('MYSQL_PWD', db.secret, 'password'),
        ca.env,
      ],
      volumeMounts: [ca.mount],
    },
    volume: ca.volume,
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
  // The image's mysqld runs as mysql (uid/gid 999); the pod's fsGroup makes the TLS key readable by it only.
  return restrictedPod({
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
  }, { uid: MYSQL_UID, gid: MYSQL_UID });
}

/** Where the MySQL pod mounts its TLS Secret. */
export const MYSQL_TLS_DIR = '/etc/mysql/tls';

/**
 * The in-cluster NFS server pod (local clusters; EKS uses EFS), exporting its data claim.
 * @param image the NFSv4 server image
 * @param port the NFS port
 * @param dataClaim the name of the claim backing the export
 */
export function nfsServerPodSpec(image: string, port: number, dataClaim: Input<string>): PodSpec {
  return {
    // The one pod outside the restricted profile (pod-security.ts); it still calls no Kubernetes API.
    automountServiceAccountToken: false,
    initContainers: [
      {
        // The product pods seed the shared trees as the product user (never root): the export's
        // top directory is theirs. Nothing below it is touched (already the product user's).
        name: 'export-owner',
        image,
        command: ['chown', `${WSO2_UID}:${WSO2_UID}`, NFS_EXPORT_DIR],
        securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN'] }, seccompProfile: { type: 'RuntimeDefault' } },
        volumeMounts: [{ name: 'data', mountPath: NFS_EXPORT_DIR }],
      },
    ],
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
  const ca = dbCaParts(a.db.ca);
  // The product user throughout: the product images' own, and the MySQL client needs no other.
  return restrictedPod({
    restartPolicy: 'OnFailure',
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
          // The script and the Job's record verify the server against this CA (the client never trusts an unverified server).
          ca.env,
        ],
        volumeMounts: [
          { name: 'is-home', mountPath: MOUNTS.dbInitIsHome },
          ...(das ? [{ name: 'analytics-home', mountPath: MOUNTS.dbInitAnalyticsHome }] : []),
          { name: 'db-init', mountPath: MOUNTS.dbInit, readOnly: true },
          ca.mount,
        ],
      },
    ],
    volumes: [
      { name: 'is-home', emptyDir: {} },
      ...(das ? [{ name: 'analytics-home', emptyDir: {} }] : []),
      { name: 'db-init', configMap: { name: a.scriptConfigMap } },
      ca.volume,
    ],
  }, { uid: WSO2_UID, gid: WSO2_UID });
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
  return restrictedPod(nginxPod(a), {
    uid: NGINX_UID,
    gid: NGINX_UID,
    // nginx runs as its own user, not root: the pod's network namespace lets it bind 443 and 80
    // (a namespaced sysctl the restricted profile allows), so the Service's ports, the rendered
    // site and the redirect stay as they are; no capability (NET_BIND_SERVICE) is needed.
    sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
  });
}

/**
 * The nginx pod before its security context.
 * @param a image, start script, ports, the site's ConfigMap and the TLS Secret
 */
function nginxPod(a: NginxPodArgs): PodSpec {
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
          // What the official image's nginx.conf has the master write, in the root-owned image:
          // its temp directories (compiled in under /var/cache/nginx) and its pid file (/run).
          { name: 'cache', mountPath: '/var/cache/nginx' },
          { name: 'run', mountPath: '/run' },
        ],
      },
    ],
    volumes: [
      { name: 'template', configMap: { name: a.templateConfigMap } },
      { name: 'conf', emptyDir: { sizeLimit: '1Mi' } },
      // Owner root, group the pod's fsGroup (nginx): nginx reads the key through the group.
      { name: 'tls', secret: { secretName: a.tlsSecret, defaultMode: 0o440 } },
      // No size limit: proxied responses nginx buffers to disk went to the image's layer before.
      { name: 'cache', emptyDir: {} },
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    ],
  };
}
