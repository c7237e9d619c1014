/**
 * Pod security of the Kubernetes platform: every pod but the local NFS server meets the
 * "restricted" Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * non-root user, no privilege escalation, every capability dropped, the runtime's default seccomp
 * profile, only the volume types the profile allows (configMap, secret, projected, emptyDir,
 * persistentVolumeClaim), no host namespaces or paths; and no service-account token, since no pod
 * calls the Kubernetes API. The namespace, when the stack creates it, carries the Pod Security
 * admission labels. Pure (no Pulumi import).
 */
import type * as k8s from '@pulumi/kubernetes';

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;
type Sysctl = k8s.types.input.core.v1.Sysctl;

/** The user and group a pod runs as, and the group that owns its volumes. */
export interface PodIdentity {
  /** The uid of every container (never 0). */
  uid: number;
  /** The primary gid of every container, and the pod's fsGroup: emptyDir, Secret and block volumes are this group's. */
  gid: number;
  /** Namespaced sysctls the pod needs (only the ones the Standard allows). */
  sysctls?: Sysctl[];
}

/**
 * The Pod Security Standards version the namespace labels pin: a cluster evaluates the controls as
 * they were in that release, so a later release's stricter check cannot reject running pods
 * unannounced; a cluster older than it evaluates its own latest.
 */
export const POD_SECURITY_VERSION = 'v1.31';

/** A Pod Security Standards level. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * The Pod Security admission labels of the namespace. `enforce` rejects a violating pod; `audit`
 * and `warn` are always `restricted`, so any pod below it is reported where `enforce` is lower.
 * @param enforce the level enforced
 */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [mode, level] of [
    ['enforce', enforce],
    ['audit', 'restricted'],
    ['warn', 'restricted'],
  ] as const) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
  }
  return labels;
}

/**
 * The level the namespace enforces: `restricted`, except where the in-cluster NFS server runs in
 * it (local clusters: the kernel NFS server needs a privileged container, which no lower level
 * admits, and the pod must stay in the namespace of its data claim). There every other pod still
 * meets `restricted` (tested), and audit and warn report any that would not.
 * @param nfsServerInNamespace whether the namespace holds the in-cluster NFS server
 */
export function enforcedLevel(nfsServerInNamespace: boolean): PodSecurityLevel {
  return nfsServerInNamespace ? 'privileged' : 'restricted';
}

/**
 * A container's restricted security context. `runAsNonRoot` is repeated on each container (the
 * pod's would do) so a container copied elsewhere keeps it.
 */
export function restrictedContainerContext(): NonNullable<Container['securityContext']> {
  return { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
}

/**
 * A pod spec made restricted: the pod runs as `id` (user, group, fsGroup, RuntimeDefault seccomp),
 * mounts no service-account token, and every container and init container gets the restricted
 * context (what a container sets itself, such as another non-root user, is kept, unless it would
 * break the profile).
 * @param spec the pod spec
 * @param id the user and group
 */
export function restrictedPod(spec: PodSpec, id: PodIdentity): PodSpec {
  const harden = (c: Container): Container => ({ ...c, securityContext: { ...(c.securityContext as object), ...restrictedContainerContext() } });
  return {
    ...spec,
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: id.uid,
      runAsGroup: id.gid,
      fsGroup: id.gid,
      // A volume already of the group (a kept data claim) is not walked again at every start.
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
      ...(id.sysctls ? { sysctls: id.sysctls } : {}),
    },
    ...(spec.initContainers ? { initContainers: (spec.initContainers as Container[]).map(harden) } : {}),
    containers: (spec.containers as Container[]).map(harden),
  };
}
