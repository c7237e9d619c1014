/**
 * The product workloads of the Kubernetes platform: what each node is configured from (the
 * applier ConfigMap, one change-set ConfigMap per node) and, per role, two pods with stable
 * identities (a StatefulSet and its headless Service), a PodDisruptionBudget and, for analytics,
 * the dashboard Service. The pod specs are built by product-pod-specs.ts.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { DB_INIT_META_DATABASE, NodeId, PortRule, Role, Topology, nodeIds, nodesOf } from '../../topology';
import { NodeChangeSet, changeSetPayload } from '../../config-templates';
import { PlatformContext } from './context';
import { CHECKSUM_ANNOTATION, CONFIG_MAP_NAMES, NAMES, PART_OF, STATEFULSET_OF, appLabels, changeSetFileName, portName } from './names';
import { APPLIER_FILE, editedPaths } from './paths';
import { configChecksum } from './checksums';
import { applyScript, keysScript, keystoresScript, stageScript, waitForDbScript } from './scripts';
import { dbWaitInit } from './pod-specs';
import { analyticsPodSpec, isPodSpec, stageCommand } from './product-pod-specs';
import { DbInit } from './database';
import { PlatformSecrets } from './secrets';

/**
 * A pod template's `metadata.annotations` carries the checksum, so a change of any rendered file,
 * the applier or a secret's version rolls the pods.
 * @param checksum the pod template's configuration checksum
 */
export function checksumAnnotation(checksum: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
  return { [CHECKSUM_ANNOTATION]: checksum };
}

/** What the nodes are configured from. */
export interface NodeConfig {
  /** The applier bundle. */
  bundle: string;
  applier: k8s.core.v1.ConfigMap;
  /** Each node's change set. */
  changeSets: pulumi.Output<NodeChangeSet[]>;
  changeSetConfigMaps: Record<NodeId, k8s.core.v1.ConfigMap>;
}

/**
 * The applier ConfigMap and one change-set ConfigMap per node.
 * @param ctx the platform context
 * @param bundle the applier bundle
 * @param changeSets every node's rendered change set
 */
export function nodeConfig(ctx: PlatformContext, bundle: string, changeSets: pulumi.Output<NodeChangeSet[]>): NodeConfig {
  const { name, meta, inNs } = ctx;
  const applier = new k8s.core.v1.ConfigMap(`${name}-applier`, { metadata: meta(CONFIG_MAP_NAMES.applier), data: { [APPLIER_FILE]: bundle } }, inNs());
  const changeSetConfigMaps = {} as Record<NodeId, k8s.core.v1.ConfigMap>;
  for (const id of nodeIds(ctx.cfg.is.nodeCount)) {
    const payload = changeSets.apply((all) => changeSetPayload(all.find((c) => c.nodeId === id)!));
    changeSetConfigMaps[id] = new k8s.core.v1.ConfigMap(
      `${name}-changes-${id}`,
      { metadata: meta(CONFIG_MAP_NAMES.changes(id), id), data: { [changeSetFileName(id)]: payload } },
      inNs(),
    );
  }
  return { bundle, applier, changeSets, changeSetConfigMaps };
}

/** What the product StatefulSets are built from. */
export interface ProductWorkloadArgs {
  /** The model without an Output (ports, processes, shared directories). */
  shape: Topology;
  config: NodeConfig;
  secrets: PlatformSecrets;
  dbInit: DbInit;
  /** The shared trees' claim. */
  sharedClaim: k8s.core.v1.PersistentVolumeClaim;
  /** Per node, the digest of its PUBLIC certificates: renewed material rolls the pods. */
  keyDigests: Record<NodeId, pulumi.Input<string>>;
  /** What every product pod waits for besides its own ConfigMaps and the db-init Job. */
  deps: pulumi.Resource[];
}

/**
 * The checksum of a role's pod template: its nodes' change sets, the applier, the stage and apply
 * scripts, the secrets' versions, the db-init script's hash and its nodes' public certificates' digests.
 * @param role the role
 * @param a what the pods are built from
 * @param roleSets the change sets of the role's nodes
 */
function roleChecksum(role: Role, a: ProductWorkloadArgs, roleSets: pulumi.Output<NodeChangeSet[]>): pulumi.Output<string> {
  const ids = nodesOf(a.shape, role).map((n) => n.id);
  const isNodeCount = nodesOf(a.shape, 'is').length;
  const certs = pulumi.all(ids.map((id) => a.keyDigests[id]));
  return pulumi.all([roleSets, a.secrets.versions, a.dbInit.scriptSha, certs]).apply(([sets, versions, dbSha, certDigests]: [NodeChangeSet[], string, string, string[]]) => {
    const parts: Record<string, string> = {
      applier: a.config.bundle,
      secrets: versions,
      dbInit: dbSha,
      stage: stageScript(role, a.shape.analyticsFlavor),
      apply: applyScript(role, a.shape.sharedDirectories.filter((d) => d.role === role), isNodeCount, a.shape.analyticsFlavor),
      keys: keysScript(role, 'prepare', isNodeCount) + keysScript(role, 'install', isNodeCount) + keystoresScript(),
    };
    for (const cs of sets) parts[`changes/${cs.nodeId}`] = changeSetPayload(cs);
    // Certificates only (public): never a digest of a private key or password.
    ids.forEach((id, i) => (parts[`certificates/${id}`] = certDigests[i]));
    return configChecksum(parts);
  });
}

/**
 * The pods of a role (the model's nodes: `is.nodeCount` IS, two analytics) with stable
 * identities. One pod template for all: the apply init container picks the node's change set by
 * the pod's ordinal (0 -> <role>-1, k -> <role>-<k+1>).
 * @param ctx the platform context
 * @param role the role
 * @param a what the pods are built from
 */
export function productStatefulSet(ctx: PlatformContext, role: Role, a: ProductWorkloadArgs): k8s.apps.v1.StatefulSet {
  const { name, cfg, ns, inNs } = ctx;
  const { sts, headless } = STATEFULSET_OF[role];
  const labels = appLabels(sts);
  const t = a.shape;
  // The model's nodes of the role: `is.nodeCount` IS pods, two analytics pods.
  const ids = nodesOf(t, role).map((n) => n.id);
  const ports: PortRule[] = nodesOf(t, role)[0].ports as PortRule[];
  const nodeMeta = (n: string) => ({ name: n, namespace: ns, labels: { ...PART_OF } });
  const roleSets = a.config.changeSets.apply((all) => all.filter((c) => ids.includes(c.nodeId as NodeId)));
  const cms = ids.map((id) => a.config.changeSetConfigMaps[id]);

  // Node addresses: a headless Service that publishes pods before they are ready, so Hazelcast
  // wka members / the HA peers resolve each other while booting.
  new k8s.core.v1.Service(
    `${name}-${role}-headless`,
    {
      metadata: nodeMeta(headless),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: labels, ports: ports.map((p) => ({ name: portName(p.name), port: p.port, targetPort: p.port })) },
    },
    inNs(),
  );
  // Node-local files only; the apply step edits files of the shared trees on the shared volume.
  const shared = t.sharedDirectories.filter((d) => d.role === role);
  const podArgs = {
    cfg,
    t,
    changeSetConfigMaps: cms.map((cm) => cm.metadata.name),
    applierConfigMap: a.config.applier.metadata.name,
    applierSecret: a.secrets.applier.metadata.name,
    keysSecret: a.secrets.keys.metadata.name,
    analyticsVaultSecret: a.secrets.analyticsVault?.metadata.name,
    sharedClaim: a.sharedClaim.metadata.name,
    stageCommand: roleSets.apply((sets) => stageCommand(role, t, editedPaths(sets, shared))),
    dbWait: dbWaitInit(a.dbInit.access, cfg.databaseUser, a.dbInit.scriptSha.apply((s) => waitForDbScript(DB_INIT_META_DATABASE, s))),
  };
  const isRole = role === 'is';
  const set = new k8s.apps.v1.StatefulSet(
    `${name}-${role}`,
    {
      metadata: nodeMeta(sts),
      spec: {
        serviceName: headless,
        replicas: ids.length,
        selector: { matchLabels: labels },
        // IS: one pod at a time at first start, each Ready before the next (the first node
        // initialises the empty database and brings up the cluster). Immutable: changing it
        // replaces the StatefulSet, both IS pods down (docs/architecture.md, decision 16).
        // Analytics: both at once; whichever worker wins the cluster lock is active.
        podManagementPolicy: isRole ? 'OrderedReady' : 'Parallel',
        // A new checksum replaces the pods one at a time, highest ordinal first, each Ready
        // before the next; for analytics the other worker takes over while one restarts.
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        template: {
          metadata: { labels, annotations: checksumAnnotation(roleChecksum(role, a, roleSets)) },
          spec: isRole ? isPodSpec(podArgs) : analyticsPodSpec(podArgs),
        },
      },
    },
    // Pods start and roll one at a time: 20 minutes each (40 with two).
    inNs({ dependsOn: [...a.deps, ...cms, a.dbInit.job], customTimeouts: { create: `${20 * ids.length}m`, update: `${20 * ids.length}m` } }),
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
