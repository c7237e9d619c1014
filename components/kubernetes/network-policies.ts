/**
 * NetworkPolicies of the Kubernetes platform: a default deny of ingress for every pod of the
 * namespace, then one policy per allowance the model derives (`ingressAllowances`, pure). Egress
 * stays open (DNS, RDS, EFS). Enforced only where the cluster's network plugin implements
 * NetworkPolicy.
 */
import * as k8s from '@pulumi/kubernetes';
import { MYSQL_PORT, NFS_PORT, Topology, ingressPairs } from '../../topology';
import { PlatformContext } from './context';
import { NAMES, PEER_APPS, ROLE_APPS, appLabels, portName } from './names';

/** One ingress allowance: TCP `ports` of the `app` pods, from the `fromApps` pods or from anywhere. */
export interface IngressAllowance {
  /** NetworkPolicy name. */
  name: string;
  app: string;
  ports: readonly number[];
  /** App names of the allowed client pods (same namespace); `'anywhere'` = no source restriction. */
  from: readonly string[] | 'anywhere';
  /** Why, for the policy's annotation. */
  description: string;
}

/**
 * What the namespace admits beyond its default deny: one allowance per (role, port) of the model's
 * `ingressPairs`, MySQL from the pods that use it (in-cluster database only), NFS from anywhere
 * (the node's kubelet mounts it, from the node's address, not the pods'), and nginx from anywhere.
 * @param t the model
 * @param o `mysqlPort` when MySQL runs in the cluster; `nfsServer` when the NFS server does
 */
export function ingressAllowances(t: Topology, o: { mysqlPort?: number; nfsServer: boolean }): IngressAllowance[] {
  const byPort = new Map<string, IngressAllowance & { from: string[] }>();
  for (const pair of ingressPairs(t)) {
    const key = `${pair.to}/${pair.port.name}`;
    let a = byPort.get(key);
    if (!a) {
      a = { name: `wso2is-allow-${pair.to}-${portName(pair.port.name)}`, app: ROLE_APPS[pair.to], ports: [pair.port.port], from: [], description: pair.port.description };
      byPort.set(key, a);
    }
    for (const app of PEER_APPS[pair.from]) if (!a.from.includes(app)) a.from.push(app);
  }
  const out: IngressAllowance[] = [...byPort.values()];
  if (o.mysqlPort !== undefined) {
    out.push({ name: 'wso2is-allow-mysql', app: NAMES.mysql, ports: [o.mysqlPort], from: [NAMES.is, NAMES.analytics, NAMES.dbInit], description: 'MySQL from the products and the db-init Job' });
  }
  if (o.nfsServer) {
    // NFSv4 needs only this port (the in-cluster server image serves NFSv4 only: no rpcbind, no mountd).
    out.push({ name: 'wso2is-allow-nfs', app: NAMES.nfs, ports: [NFS_PORT], from: 'anywhere', description: 'NFS: mounted by the kubelet of each node, from the node address' });
  }
  out.push({ name: 'wso2is-allow-frontend', app: NAMES.nginx, ports: [t.frontendPorts.https, t.frontendPorts.http], from: 'anywhere', description: 'The public front end (LoadBalancer Service)' });
  return out;
}

/**
 * The default deny and one NetworkPolicy per allowance.
 * @param ctx the platform context
 * @param t the model (ports and peers; the database host is not used)
 */
export function networkPolicies(ctx: PlatformContext, t: Topology): void {
  const { name, cfg, meta, inNs } = ctx;
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
