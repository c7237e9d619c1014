/**
 * The shared file system of the Kubernetes platform: the ReadWriteMany claim holding Deployment,
 * Tenants and siddhi-files, on an EFS StorageClass (EKS) or an in-cluster NFS server.
 */
import * as k8s from '@pulumi/kubernetes';
import { NFS_PORT } from '../../topology';
import { PlatformContext } from './context';
import { NAMES, PART_OF, appLabels } from './names';
import { nfsServerPodSpec } from './pod-specs';

/** Requested size of the shared RWX volume (EFS ignores it; NFS backs it with a volume this big). */
const SHARED_STORAGE = '10Gi';

/**
 * The ReadWriteMany claim holding the shared trees: a PVC of the EFS CSI StorageClass on EKS, or
 * an in-cluster NFS server exported through a static PV. In prod every object holding the trees
 * (the claim; with NFS also the server's data claim and the static PV) is protected and kept on
 * `destroy` (`ctx.keep()`); on a test stack `destroy` removes them all.
 * @param ctx the platform context
 */
export function sharedVolume(ctx: PlatformContext): k8s.core.v1.PersistentVolumeClaim {
  const { name, cfg, meta, inNs, keep } = ctx;
  if (cfg.sharedStorage === 'efs') {
    return new k8s.core.v1.PersistentVolumeClaim(
      `${name}-shared`,
      {
        metadata: meta(NAMES.sharedClaim),
        spec: { accessModes: ['ReadWriteMany'], storageClassName: cfg.kubernetes.storageClass, resources: { requests: { storage: SHARED_STORAGE } } },
      },
      inNs(keep()),
    );
  }
  const pv = nfsVolume(ctx);
  return new k8s.core.v1.PersistentVolumeClaim(
    `${name}-shared`,
    {
      metadata: meta(NAMES.sharedClaim),
      spec: { accessModes: ['ReadWriteMany'], storageClassName: '', volumeName: pv.metadata.name, resources: { requests: { storage: SHARED_STORAGE } } },
    },
    inNs({ dependsOn: [pv], ...keep() }),
  );
}

/**
 * The in-cluster NFS server (one replica on a ReadWriteOnce claim), its Service, and the static
 * PersistentVolume naming it.
 * @param ctx the platform context
 */
function nfsVolume(ctx: PlatformContext): k8s.core.v1.PersistentVolume {
  const { name, cfg, ns, meta, inNs, keep } = ctx;
  const labels = appLabels(NAMES.nfs);
  const data = new k8s.core.v1.PersistentVolumeClaim(
    `${name}-nfs-data`,
    {
      metadata: meta(`${NAMES.nfs}-data`),
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: cfg.kubernetes.storageClass, resources: { requests: { storage: SHARED_STORAGE } } },
    },
    inNs(keep()),
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
        template: { metadata: { labels }, spec: nfsServerPodSpec(cfg.kubernetes.images.nfsServer, NFS_PORT, data.metadata.name) },
      },
    },
    inNs({ dependsOn: [data] }),
  );
  const svc = new k8s.core.v1.Service(
    `${name}-nfs-service`,
    { metadata: meta(NAMES.nfs), spec: { selector: labels, ports: [{ name: 'nfs', port: NFS_PORT, targetPort: NFS_PORT }] } },
    inNs({ dependsOn: [server] }),
  );
  // kubelet mounts NFS from the node, where cluster DNS does not resolve: the Service's IP it is.
  return new k8s.core.v1.PersistentVolume(
    `${name}-shared-pv`,
    {
      metadata: { name: `${ns}-shared`, labels: { ...PART_OF } },
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
    inNs(keep()),
  );
}
