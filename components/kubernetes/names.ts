/**
 * Names of the Kubernetes platform: objects, labels, annotations, the stable DNS names the
 * topology uses as node addresses, and the pod-ordinal -> node-id mapping. Pure (no Pulumi import).
 */
import { ANALYTICS_NODE_COUNT, MAX_IS_NODE_COUNT, NodeId, Peer, PortName, Role, nodeIds, roleOfNode } from '../../topology';

/** Names of the workloads and their Services (explicit, so the DNS names are known up front). */
export const NAMES = {
  is: 'wso2is',
  isHeadless: 'wso2is-nodes',
  analytics: 'wso2is-analytics',
  analyticsHeadless: 'wso2is-analytics-nodes',
  dashboard: 'wso2is-analytics-dashboard',
  nginx: 'wso2is-frontend',
  mysql: 'wso2is-mysql',
  nfs: 'wso2is-nfs',
  sharedClaim: 'wso2is-shared',
  dbInit: 'wso2is-db-init',
} as const;

/** Names of the ConfigMaps (each one's volumes name it through the object). */
export const CONFIG_MAP_NAMES = {
  applier: 'wso2is-applier',
  dbInit: 'wso2is-db-init',
  nginx: 'wso2is-frontend-conf',
  changes: (id: NodeId): string => `wso2is-changes-${id}`,
} as const;

/** Names of the Secrets. */
export const SECRET_NAMES_K8S = {
  database: 'wso2is-database',
  admin: 'wso2is-admin',
  keystore: 'wso2is-keystore',
  applier: 'wso2is-applier-secrets',
  tls: 'wso2is-frontend-tls',
  /** Every node's keystore material (private keys), one key per node: `keyMaterialFileName(id)`. */
  keys: 'wso2is-keys',
  /** SP analytics: the Secure Vault master key (the TLS store password), mounted into the product containers only. */
  analyticsVault: 'wso2is-analytics-vault',
} as const;

/**
 * Key of a node's keystore material in the keys Secret, and its file name in the pod.
 * @param id the node
 */
export function keyMaterialFileName(id: NodeId | string): string {
  return `keys-${id}.json`;
}

/** The label every object of the stack carries. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'wso2-is-pattern2' } as const;

/** Pod template annotation carrying the configuration checksum. */
export const CHECKSUM_ANNOTATION = 'wso2-pattern2/config-checksum';
/** Table the db-init Job fills when the script succeeded; IS and analytics pods wait on it. */
export const DB_INIT_DONE_TABLE = 'k8s_db_init_done';

/**
 * Labels of a workload's pods; Services, PDBs and NetworkPolicies select on these.
 * @param app the workload's name (one of NAMES)
 */
export function appLabels(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app, ...PART_OF };
}

export const STATEFULSET_OF: Record<Role, { sts: string; headless: string }> = {
  is: { sts: NAMES.is, headless: NAMES.isHeadless },
  analytics: { sts: NAMES.analytics, headless: NAMES.analyticsHeadless },
};

/** Kubernetes cluster DNS domain; the default of kubeadm, kind and EKS. */
export const CLUSTER_DOMAIN = 'cluster.local';

/**
 * `<sts>-<ordinal>.<headless svc>.<ns>.svc.cluster.local`: a StatefulSet pod's stable DNS name.
 * @param role the pod's role
 * @param podOrdinal the pod's ordinal in its StatefulSet
 * @param namespace the namespace
 */
export function podDnsName(role: Role, podOrdinal: number, namespace: string): string {
  const s = STATEFULSET_OF[role];
  return `${s.sts}-${podOrdinal}.${s.headless}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * A Service's DNS name in the cluster.
 * @param service the Service's name
 * @param namespace the namespace
 */
export function serviceDnsName(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/**
 * Pod ordinal 0 runs `<role>-1`, ordinal 1 runs `<role>-2`, ordinal k runs `<role>-<k+1>`.
 * @param role the pod's role
 * @param podOrdinal the pod's ordinal in its StatefulSet
 */
export function nodeIdForOrdinal(role: Role, podOrdinal: number): NodeId {
  const most = role === 'is' ? MAX_IS_NODE_COUNT : ANALYTICS_NODE_COUNT;
  if (!Number.isInteger(podOrdinal) || podOrdinal < 0 || podOrdinal >= most) throw new Error(`pattern 2 has at most ${most} ${role} pods; no node for ordinal ${podOrdinal}`);
  return `${role}-${podOrdinal + 1}` as NodeId;
}

/**
 * The pod ordinal of a node: one less than the number in its id.
 * @param id the node
 */
export function ordinalOfNode(id: NodeId): number {
  return Number(id.slice(id.lastIndexOf('-') + 1)) - 1;
}

/**
 * The address of every node there can be (any `is.nodeCount`), as the topology wants it: the
 * pod DNS name of the node's ordinal. The model takes the addresses of the stack's nodes only.
 * @param namespace the namespace
 */
export function nodeAddresses(namespace: string): Record<NodeId, string> {
  const out = {} as Record<NodeId, string>;
  for (const id of nodeIds(MAX_IS_NODE_COUNT)) out[id] = podDnsName(roleOfNode(id), ordinalOfNode(id), namespace);
  return out;
}

/**
 * A container port name (IANA_SVC_NAME: at most 15 lower-case alphanumerics and hyphens).
 * @param name the model's port name (camelCase)
 */
export function portName(name: PortName | string): string {
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return kebab.length <= 15 ? kebab : kebab.slice(0, 15).replace(/-+$/, '');
}

/**
 * File name of a node's change set in the ConfigMap and in the pod.
 * @param id the node
 */
export function changeSetFileName(id: NodeId | string): string {
  return `changes-${id}.json`;
}

/**
 * Which pods stand for a peer of the model. There is no internal load balancer on Kubernetes: the
 * receivers' only clients are the IS publishers, which reach the workers by pod DNS name.
 */
export const PEER_APPS: Record<Peer, readonly string[]> = {
  is: [NAMES.is],
  analytics: [NAMES.analytics],
  frontend: [NAMES.nginx],
  'internal-lb': [NAMES.is],
};
export const ROLE_APPS: Record<Role, string> = { is: NAMES.is, analytics: NAMES.analytics };
