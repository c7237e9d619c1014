/**
 * What every resource family of the Kubernetes platform shares: the component's name and parent,
 * the provider bound to the namespace, object metadata and resource options.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { StackConfig } from '../../config';
import { NODE_TAG_KEY } from '../../topology';
import { PART_OF } from './names';
import { enforcedLevel, podSecurityLabels } from './pod-security';

/** The platform component as its resource families see it. */
export interface PlatformContext {
  /** The component's name: children are `${name}-<role>`. */
  name: string;
  /** The validated stack configuration. */
  cfg: StackConfig;
  /** The namespace every object is in (`kubernetes.namespace`). */
  ns: string;
  /** The component: parent of every child. */
  parent: pulumi.Resource;
  /** Options of a cluster object: the component as parent, the platform's provider. */
  opts(extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
  /** Options of a namespaced object: as `opts`, created after the Namespace, when the stack creates it (unless `extra.dependsOn` says otherwise). */
  inNs(extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
  /** Options of an object holding data: in prod `protect` (no replacement, no delete) and `retainOnDelete`; none on a test stack. */
  keep(): pulumi.CustomResourceOptions;
  /**
   * Metadata of a namespaced object.
   * @param objName the object's name
   * @param node the node label (a node id, `database`, `frontend`), which plan files what it delivers under
   * @param extraLabels further labels
   */
  meta(objName: string, node?: string, extraLabels?: Record<string, string>): k8s.types.input.meta.v1.ObjectMeta;
}

/**
 * The context of a platform component, with its provider and Namespace: created, unless
 * `kubernetes.createNamespace` is false, when the named namespace exists already and is adopted
 * (no Namespace object: creating one that exists fails with @pulumi/kubernetes 4.29+). In prod a
 * created Namespace is kept on `destroy` (`retainOnDelete`): deleting it would delete the claims
 * the stack keeps (storage.ts, database.ts) with it. A created Namespace carries the Pod Security
 * admission labels (pod-security.ts): `restricted` enforced, except where the in-cluster NFS server
 * runs in it; an adopted one is left as its owner labelled it.
 * @param name the component's name
 * @param cfg the validated stack configuration
 * @param parent the component
 */
export function platformContext(name: string, cfg: StackConfig, parent: pulumi.Resource): { ctx: PlatformContext; namespace?: k8s.core.v1.Namespace } {
  const ns = cfg.kubernetes.namespace;
  const provider = new k8s.Provider(`${name}-provider`, { context: cfg.kubernetes.context, enableServerSideApply: true, namespace: ns }, { parent });
  const opts = (extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({ parent, provider, ...extra });
  const namespace = cfg.kubernetes.createNamespace
    ? new k8s.core.v1.Namespace(
        `${name}-namespace`,
        { metadata: { name: ns, labels: { ...PART_OF, ...podSecurityLabels(enforcedLevel(cfg.sharedStorage !== 'efs')) } } },
        opts({ retainOnDelete: keepsData(cfg) }),
      )
    : undefined;
  const ctx: PlatformContext = {
    name,
    cfg,
    ns,
    parent,
    opts,
    inNs: (extra) => opts({ dependsOn: namespace ? [namespace] : [], ...extra }),
    keep: () => (keepsData(cfg) ? { protect: true, retainOnDelete: true } : {}),
    meta: (objName, node, extraLabels) => ({
      name: objName,
      namespace: ns,
      labels: { ...PART_OF, ...(node ? { [NODE_TAG_KEY]: node } : {}), ...extraLabels },
    }),
  };
  return { ctx, namespace };
}

/**
 * Whether the stack keeps its data on a replacement or `destroy`: prod does; a test stack leaves nothing.
 * @param cfg the validated stack configuration
 */
export function keepsData(cfg: Pick<StackConfig, 'environment'>): boolean {
  return cfg.environment === 'prod';
}
