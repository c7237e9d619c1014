/**
 * Security group rules of the EC2 platform, derived from the topology model only: every
 * (peer -> port) pair of `ingressPairs` becomes an ingress rule on the target's group and the
 * matching egress rule on the source's group (the provider removes AWS's default allow-all
 * egress, so egress is as explicit as ingress). Pure: security-groups.ts turns each spec into one
 * standalone rule resource, and tests compare the registered rules with the model.
 */
import type { StackConfig } from '../../config';
import { topologyInput } from '../../config';
import { MYSQL_PORT, NFS_PORT, NODE_IDS, NodeId, Peer, PortRule, ROLE_NODE_IDS, Role, Topology, buildTopology, ingressPairs, processesFor } from '../../topology';

/**
 * The security groups of the platform: `nlb` the public IS NLB (open to `network.ingressCidrs`),
 * `admin-nlb` the management and dashboard NLBs (open to `network.adminCidrs` only).
 */
export type GroupRole = 'nlb' | 'internal-nlb' | 'is' | 'analytics' | 'db' | 'efs' | 'admin-nlb';
export const GROUP_ROLES: readonly GroupRole[] = ['nlb', 'internal-nlb', 'is', 'analytics', 'db', 'efs', 'admin-nlb'];

export interface RuleSpec {
  /** Stable key, used in the rule resource's name. */
  key: string;
  /** The group the rule belongs to. */
  group: GroupRole;
  /** Whether the rule lets traffic into or out of `group`. */
  direction: 'ingress' | 'egress';
  /** The TCP port (from = to). */
  port: number;
  /** The other side: another group of the platform, or a CIDR. */
  peer: { group: GroupRole } | { cidr: string };
  /** Shown on the rule in the console. */
  description: string;
}

export interface RuleOptions {
  /** Who may reach the public listeners. */
  ingressCidrs: readonly string[];
  /** Who may reach the admin listeners (management and dashboard NLBs); empty: nobody from outside. */
  adminCidrs: readonly string[];
  /** SSH to the nodes from this CIDR; none when unset (administration through SSM). */
  sshCidr?: string;
  /** Ports the nodes reach on the internet through NAT (AWS APIs, packages, product packs). */
  internetEgressPorts: readonly number[];
}

const WORLD = '0.0.0.0/0';

/**
 * The model with blank addresses: ports and peers do not depend on addresses, so the rules and
 * the listeners come from it before any node (and its address) exists.
 */
export function addressFreeModel(c: StackConfig): Topology {
  const blank = Object.fromEntries(NODE_IDS.map((id) => [id, ''])) as Record<NodeId, string>;
  return buildTopology(topologyInput(c, blank, '', MYSQL_PORT));
}

/** Ports the nodes reach on the internet: HTTPS, and HTTP only if a pack or driver URL needs it. */
export function internetEgressPorts(c: StackConfig): number[] {
  const urls = [c.is.packUrl, c.analytics.packUrl, c.jdbcDriver.url];
  return urls.some((u) => u?.startsWith('http://')) ? [443, 80] : [443];
}

const PEER_GROUP: Record<Peer, GroupRole> = {
  frontend: 'nlb',
  is: 'is',
  analytics: 'analytics',
  'internal-lb': 'internal-nlb',
};

/** Ports the internal NLB listens on: those the model lets both the IS nodes and the internal LB reach. */
export function internalLbPorts(t: Topology): PortRule[] {
  const seen = new Set<number>();
  return ingressPairs(t)
    .filter((p) => p.to === 'analytics' && p.from === 'internal-lb' && p.port.from.includes('is'))
    .map((p) => p.port)
    .filter((p) => (seen.has(p.port) ? false : (seen.add(p.port), true)));
}

/** Ports the public NLB forwards to each role: those the model opens to the front end. */
export function frontendPorts(t: Topology, role: Role): PortRule[] {
  return ingressPairs(t)
    .filter((p) => p.to === role && p.from === 'frontend')
    .map((p) => p.port);
}

/** The internet-facing NLBs: the public one, the management hostname's and the dashboard's. */
export type EdgeLb = 'public' | 'mgt' | 'dash';

/** One TLS listener on 443 of an internet-facing NLB and the nodes' port it re-encrypts to. */
export interface EdgeForward {
  lb: EdgeLb;
  /** The NLB's security group. */
  group: Extract<GroupRole, 'nlb' | 'admin-nlb'>;
  /** Names the target group (`<key>-<port>` physically) and its attachments. */
  key: string;
  /** Names the listener. */
  listenerKey: string;
  role: Role;
  /** The model's port on the nodes. */
  port: PortRule;
  nodes: readonly NodeId[];
}

/**
 * Every TLS listener of the front end, from the ports the model opens to it: IS HTTPS on the
 * public NLB (both nodes) and on the management NLB (is-1 only, like the Kubernetes mgt vhost);
 * the analytics front-end port (the dashboard, an admin surface) on the dashboard NLB. IS's HTTP
 * connector (isHttp) gets no listener: HTTPS only, port 80 is closed.
 */
export function edgeForwards(t: Topology): EdgeForward[] {
  const out: EdgeForward[] = [];
  const isHttps = frontendPorts(t, 'is').find((p) => p.name === 'isHttps');
  if (!isHttps) throw new Error('the topology no longer opens isHttps to the front end');
  out.push({ lb: 'public', group: 'nlb', key: 'is-tls', listenerKey: 'https', role: 'is', port: isHttps, nodes: ROLE_NODE_IDS.is });
  out.push({ lb: 'mgt', group: 'admin-nlb', key: 'mgt-tls', listenerKey: 'mgt-https', role: 'is', port: isHttps, nodes: [ROLE_NODE_IDS.is[0]] });
  for (const p of frontendPorts(t, 'analytics')) {
    out.push({ lb: 'dash', group: 'admin-nlb', key: `an-${p.name}-tls`, listenerKey: `dash-${p.name}`, role: 'analytics', port: p, nodes: ROLE_NODE_IDS.analytics });
  }
  return out;
}

/** Every rule of the platform: the model's flows, the public listeners, the nodes' own needs. */
export function securityRules(t: Topology, o: RuleOptions): RuleSpec[] {
  const out: RuleSpec[] = [];
  const add = (r: Omit<RuleSpec, 'key'>) => {
    const peer = 'group' in r.peer ? r.peer.group : r.peer.cidr.replace(/[./]/g, '-');
    const key = `${r.group}-${r.direction === 'ingress' ? 'in' : 'out'}-${peer}-${r.port}`;
    if (!out.some((x) => x.key === key)) out.push({ ...r, key });
  };
  /** A group-to-group flow: ingress on the target, egress on the source. */
  const flow = (from: GroupRole, to: GroupRole, port: number, description: string) => {
    add({ group: to, direction: 'ingress', port, peer: { group: from }, description });
    add({ group: from, direction: 'egress', port, peer: { group: to }, description });
  };

  // The front end reaches exactly the ports it has listeners for (edgeForwards), from its NLB's group.
  for (const p of ingressPairs(t)) if (p.from !== 'frontend') flow(PEER_GROUP[p.from], p.to, p.port.port, p.port.description);
  for (const f of edgeForwards(t)) flow(f.group, f.role, f.port.port, f.port.description);
  // The internal NLB fronts the receivers for the IS publishers.
  for (const p of internalLbPorts(t)) flow('is', 'internal-nlb', p.port, `${p.description} via the internal NLB`);

  // TLS listeners only (no port 80): the public NLB from the configured CIDRs, the admin NLBs
  // (management hostname, dashboard) from network.adminCidrs only.
  for (const cidr of o.ingressCidrs) {
    add({ group: 'nlb', direction: 'ingress', port: t.frontendPorts.https, peer: { cidr }, description: 'Public HTTPS listeners' });
  }
  for (const cidr of o.adminCidrs) {
    add({ group: 'admin-nlb', direction: 'ingress', port: t.frontendPorts.https, peer: { cidr }, description: 'Management and dashboard HTTPS listeners (network.adminCidrs)' });
  }

  for (const role of Object.keys(ROLE_NODE_IDS) as Role[]) {
    // Node 2's boot script polls node 1's health port before its first start (boot-script.ts
    // firstStartWait); a no-op where the model already opens that port within the role.
    const health = processesFor(role, t.analyticsFlavor)[0].healthPort;
    flow(role, role, t.ports[health], `${role} node 2 waits for the first start of node 1 (health port)`);
    flow(role, 'db', MYSQL_PORT, `${role} nodes to MySQL`);
    flow(role, 'efs', NFS_PORT, `${role} nodes to the shared file system`);
    for (const port of o.internetEgressPorts) {
      add({ group: role, direction: 'egress', port, peer: { cidr: WORLD }, description: 'AWS APIs, packages and packs through NAT' });
    }
    if (o.sshCidr) add({ group: role, direction: 'ingress', port: 22, peer: { cidr: o.sshCidr }, description: 'SSH (network.sshCidr)' });
  }
  return out;
}
