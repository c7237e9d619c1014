/**
 * The pod specs of the product StatefulSets, IS and analytics: pure functions, plain data in, pod
 * spec out (values known only after deployment pass through as `Input`s). One pod template serves
 * both pods of a role: the apply init container picks the node's change set by the pod's ordinal.
 */
import * as path from 'path';
import type * as k8s from '@pulumi/kubernetes';
import type { Input } from '@pulumi/pulumi';
import type { StackConfig } from '../../config';
import { ANALYTICS_HOME_LINK, PortRule, ProductProcess, Role, SharedDirectory, Topology, WSO2_UID, jdbcDriverDir, nodesOf, processesFor } from '../../topology';
import { STATEFULSET_OF, appLabels, portName } from './names';
import { APPLIER_NODE_IMAGE, MOUNTS, VAULT_KEY_FILE, jdbcDriverFileName } from './paths';
import { applyScript, driverFetchScript, keysScript, keystoresScript, seedScript, stageScript, startScript } from './scripts';
import { DbWait, antiAffinity, tcpProbe } from './pod-specs';
import { restrictedPod } from './pod-security';

type Container = k8s.types.input.core.v1.Container;
type Volume = k8s.types.input.core.v1.Volume;
type PodSpec = k8s.types.input.core.v1.PodSpec;

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

/**
 * How long a product pod has to stop after the SIGTERM (which the start shell turns into the
 * product's own `stop`, see shell/k8s-start.sh) before the kubelet kills it. Carbon 4 (IS, DAS)
 * stops its transports and then waits up to 60 s for requests in service (carbon-kernel
 * `ServerManagement.TIMEOUT`) before it stops its deployment tasks and bundles and leaves the
 * Hazelcast cluster; 120 s leaves 60 s for that. The SP worker and dashboard (Carbon 5) stop their
 * Siddhi apps and the OSGi framework, well inside it. The passive analytics worker's takeover
 * does not run in this window: it follows from the coordination heartbeats once the active one is
 * gone (analytics-sp.ts: heartbeatInterval x heartbeatMaxRetry, 25 s), and the StatefulSet and
 * the PodDisruptionBudget stop only one worker at a time.
 */
export const TERMINATION_GRACE_SECONDS = 120;

/** What a product pod is built from. */
export interface ProductPodArgs {
  /** The stack configuration: the images and the JDBC driver. */
  cfg: Pick<StackConfig, 'kubernetes' | 'jdbcDriver'>;
  /** The model (ports, processes, shared directories); its database host is not used. */
  t: Topology;
  /** Names of the ConfigMaps holding the change sets of the role's nodes, in ordinal order. */
  changeSetConfigMaps: Input<string>[];
  /** Name of the ConfigMap holding the applier bundle. */
  applierConfigMap: Input<string>;
  /** Name of the Secret holding the applier's secrets file. */
  applierSecret: Input<string>;
  /** Name of the Secret holding every node's keystore material. */
  keysSecret: Input<string>;
  /** SP analytics: name of the Secret holding the Secure Vault master key (mounted into the product containers). */
  analyticsVaultSecret?: Input<string>;
  /** Name of the ReadWriteMany claim holding the shared trees. */
  sharedClaim: Input<string>;
  /** The stage container's command (`stageCommand` over the edited paths). */
  stageCommand: Input<Input<string>[]>;
  /** The wait-for-database init container and its CA volume (`dbWaitInit`). */
  dbWait: DbWait;
}

/** What a role's pod uses of the model and the configuration. */
interface RolePod {
  role: Role;
  a: ProductPodArgs;
  ports: PortRule[];
  processes: ProductProcess[];
  /** The role's shared trees: seeded, linked, edited in place. */
  shared: SharedDirectory[];
  imageOf(proc: ProductProcess): string;
  driver: { file: string; dir: string };
  /** DAS: Spark needs the product home under one path on both nodes (seed 000). */
  homeLink?: string;
}

/**
 * What a role's pod uses, gathered once.
 * @param role the pod's role
 * @param a what the pod is built from
 */
function rolePod(role: Role, a: ProductPodArgs): RolePod {
  const { cfg, t } = a;
  const flavor = t.analyticsFlavor;
  const imageOf = (proc: ProductProcess): string => {
    if (role === 'is') return cfg.kubernetes.images.is;
    if (flavor === 'das') return cfg.kubernetes.images.analyticsDas!;
    return proc.name === 'dashboard' ? cfg.kubernetes.images.analyticsDashboard : cfg.kubernetes.images.analyticsWorker;
  };
  return {
    role,
    a,
    ports: nodesOf(t, role)[0].ports as PortRule[],
    processes: processesFor(role, flavor),
    shared: t.sharedDirectories.filter((d) => d.role === role),
    imageOf,
    // Every process's image lacks the MySQL driver; one download per pod serves them all.
    driver: { file: jdbcDriverFileName(cfg.jdbcDriver.url), dir: jdbcDriverDir(role, flavor) },
    homeLink: role === 'analytics' && flavor === 'das' ? ANALYTICS_HOME_LINK : undefined,
  };
}

/**
 * The stage container's command: the stage script over the node-local paths the change sets edit.
 * @param role the pod's role
 * @param t the model (the analytics flavour)
 * @param paths the node-local product paths to stage (`editedPaths`)
 */
export function stageCommand(role: Role, t: Topology, paths: readonly string[]): string[] {
  return ['sh', '-c', stageScript(role, t.analyticsFlavor), 'stage', ...paths];
}

/**
 * The pod's volumes: stage, change sets, applier, its secrets file, the shared claim, the driver.
 * @param p the role's pod
 */
/** The Secure Vault master key Secret of an SP analytics pod; none elsewhere. */
function vaultSecret(p: RolePod): Input<string> | undefined {
  return p.role === 'analytics' && p.a.t.analyticsFlavor === 'sp' ? p.a.analyticsVaultSecret : undefined;
}

function productVolumes(p: RolePod): Volume[] {
  return [
    { name: 'stage', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'changes', projected: { sources: p.a.changeSetConfigMaps.map((name) => ({ configMap: { name } })) } },
    { name: 'applier', configMap: { name: p.a.applierConfigMap } },
    // Secret files are root's, of the pod's fsGroup group (the product user's): 0440, and mounted
    // only in the init containers that read them, never in the product's.
    { name: 'secrets', secret: { secretName: p.a.applierSecret, defaultMode: 0o440 } },
    { name: 'shared', persistentVolumeClaim: { claimName: p.a.sharedClaim } },
    { name: 'jdbc-driver', emptyDir: { sizeLimit: '32Mi' } },
    // The database CA the wait verifies the server against (read by wait-for-database only).
    p.a.dbWait.volume,
    // Private keys: the Secret as above (the keys init containers only), the keytool work in memory only.
    { name: 'keys', secret: { secretName: p.a.keysSecret, defaultMode: 0o440 } },
    { name: 'keystore-work', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } },
    // A writable directory for the home link (the image's /opt is root's).
    ...(p.homeLink ? [{ name: 'home-link', emptyDir: { sizeLimit: '1Mi' } }] : []),
    // 0440 with the pod's fsGroup: the product user reads it (its start script, into the JVM's environment).
    ...(vaultSecret(p) ? [{ name: 'vault', secret: { secretName: vaultSecret(p)!, defaultMode: 0o440 } }] : []),
  ];
}

/**
 * Init containers, in order: fetch the driver, wait for the database, stage, seed, apply, then
 * the node's keystores in three steps (prepare: Node; keytool: the product image; install: Node),
 * all before the product starts.
 * @param p the role's pod
 */
function productInitContainers(p: RolePod): Container[] {
  const { role, a } = p;
  const stageImage = p.imageOf(p.processes[0]);
  const podName = { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
  return [
    {
      name: 'fetch-jdbc-driver',
      image: APPLIER_NODE_IMAGE,
      command: ['sh', '-c', driverFetchScript()],
      env: [
        { name: 'JDBC_DRIVER_URL', value: a.cfg.jdbcDriver.url },
        { name: 'JDBC_DRIVER_FILE', value: p.driver.file },
        { name: 'JDBC_DRIVER_SHA256', value: a.cfg.jdbcDriver.sha256 ?? '' },
      ],
      volumeMounts: [{ name: 'jdbc-driver', mountPath: MOUNTS.jdbcDriver }],
    },
    a.dbWait.container,
    {
      name: 'stage',
      image: stageImage,
      command: a.stageCommand,
      volumeMounts: [{ name: 'stage', mountPath: MOUNTS.stage }],
    },
    {
      name: 'seed-shared',
      image: stageImage,
      command: ['sh', '-c', seedScript(role, p.shared, a.t.analyticsFlavor)],
      env: [podName],
      volumeMounts: [{ name: 'shared', mountPath: MOUNTS.shared }],
    },
    {
      name: 'apply',
      image: APPLIER_NODE_IMAGE,
      command: ['sh', '-c', applyScript(role, p.shared, nodesOf(a.t, 'is').length, a.t.analyticsFlavor)],
      env: [podName],
      volumeMounts: [
        { name: 'stage', mountPath: MOUNTS.stage },
        // Seeded by now: shared files are edited here, in place (see applyScript).
        { name: 'shared', mountPath: MOUNTS.shared },
        { name: 'changes', mountPath: MOUNTS.changes, readOnly: true },
        { name: 'applier', mountPath: MOUNTS.applier, readOnly: true },
        { name: 'secrets', mountPath: MOUNTS.secrets, readOnly: true },
        // The node's key material: apply takes its TLS certificate (the analytics vault encrypts with it).
        { name: 'keys', mountPath: MOUNTS.keys, readOnly: true },
      ],
    },
    ...keystoreInitContainers(p, stageImage, podName),
  ];
}

/**
 * The keystores of the pod's node, built before the product starts: the Node image has no
 * keytool and the product image no Node, so the applier prepares and installs, keytool builds.
 * @param p the role's pod
 * @param productImage the image with the JDK's keytool
 * @param podName the POD_NAME variable (the node is picked by ordinal)
 */
function keystoreInitContainers(p: RolePod, productImage: string, podName: k8s.types.input.core.v1.EnvVar): Container[] {
  const work = { name: 'keystore-work', mountPath: MOUNTS.keystoreWork };
  const nodeStep = (phase: 'prepare' | 'install'): Container => ({
    name: `keys-${phase}`,
    image: APPLIER_NODE_IMAGE,
    command: ['sh', '-c', keysScript(p.role, phase, nodesOf(p.a.t, 'is').length)],
    env: [podName],
    volumeMounts: [
      { name: 'stage', mountPath: MOUNTS.stage },
      { name: 'applier', mountPath: MOUNTS.applier, readOnly: true },
      { name: 'keys', mountPath: MOUNTS.keys, readOnly: true },
      work,
    ],
  });
  return [
    nodeStep('prepare'),
    {
      name: 'keystores',
      image: productImage,
      command: ['sh', '-c', keystoresScript(), 'keystores', MOUNTS.keystoreWork],
      volumeMounts: [work],
    },
    nodeStep('install'),
  ];
}

/**
 * The container of one product process, with its probes and resources.
 * @param p the role's pod
 * @param proc the process
 */
function productContainer(p: RolePod, proc: ProductProcess): Container {
  const healthPort = p.a.t.ports[proc.healthPort];
  const dashboard = proc.name === 'dashboard';
  const own = p.ports.filter((x) => (dashboard ? x.name === 'dashboard' : x.name !== 'dashboard'));
  const c: Container = {
    name: proc.name,
    image: p.imageOf(proc),
    command: [
      'sh',
      '-c',
      startScript(p.role, proc, dashboard ? [] : p.shared, {
        flavor: p.a.t.analyticsFlavor,
        jdbcDriver: p.driver,
        homeLink: p.homeLink,
        vaultKeyFile: vaultSecret(p) ? `${MOUNTS.vault}/${VAULT_KEY_FILE}` : undefined,
      }),
    ],
    ports: own.map((x) => ({ name: portName(x.name), containerPort: x.port })),
    volumeMounts: [
      { name: 'stage', mountPath: MOUNTS.stage, readOnly: true },
      ...(dashboard ? [] : [{ name: 'shared', mountPath: MOUNTS.shared }]),
      { name: 'jdbc-driver', mountPath: MOUNTS.jdbcDriver, readOnly: true },
      ...(p.homeLink ? [{ name: 'home-link', mountPath: path.posix.dirname(p.homeLink) }] : []),
      ...(vaultSecret(p) ? [{ name: 'vault', mountPath: MOUNTS.vault, readOnly: true }] : []),
    ],
    // IS 5.8 and the SP profiles take minutes to boot: the startup probe allows 15 minutes.
    startupProbe: tcpProbe(healthPort, 60, 10, 84),
    livenessProbe: tcpProbe(healthPort, 0, 20, 6),
    resources: PROCESS_RESOURCES[proc.name] ?? PROCESS_RESOURCES.server,
  };
  // TCP on the health port for every process. Carbon 4 (IS, DAS) opens its servlet transports
  // only at the end of its start, so an accepting HTTPS port means the server has started; an HTTP
  // probe of the console's login page (the model's healthPath, which EC2 checks at first start)
  // would create a Tomcat session every 10 s per pod. The worker's HTTPS admin API is open on the
  // passive node too (seed 004: only the receivers and the store query API are closed there), so
  // both workers become Ready and roll.
  c.readinessProbe = tcpProbe(healthPort, 0, 10, 3);
  return c;
}

/**
 * The pod spec of a role.
 * @param role the role
 * @param a what the pod is built from
 */
function productPodSpec(role: Role, a: ProductPodArgs): PodSpec {
  const p = rolePod(role, a);
  // Every container as the product user (the WSO2 images' wso2carbon), the Node ones included: the
  // Secrets and memory volumes are readable and writable through the fsGroup, the shared volume is
  // the product user's (the NFS export's top directory is given to it; an EFS access point maps
  // every file to its own user), so nothing needs root, chown or a capability.
  return restrictedPod({
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    affinity: antiAffinity(appLabels(STATEFULSET_OF[role].sts)),
    initContainers: productInitContainers(p),
    containers: p.processes.map((proc) => productContainer(p, proc)),
    volumes: productVolumes(p),
  }, { uid: WSO2_UID, gid: WSO2_UID });
}

/**
 * An IS pod: one Carbon server.
 * @param a what the pod is built from
 */
export function isPodSpec(a: ProductPodArgs): PodSpec {
  return productPodSpec('is', a);
}

/**
 * An analytics pod: the worker and the dashboard (SP), or the DAS server.
 * @param a what the pod is built from
 */
export function analyticsPodSpec(a: ProductPodArgs): PodSpec {
  return productPodSpec('analytics', a);
}
