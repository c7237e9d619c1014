/**
 * `is.nodeCount` beyond two, at the model level: the node ids come from the count, the model
 * holds `is-1` ... `is-N` and exactly two analytics nodes, every IS node's axis2.xml names every
 * IS node as a wka member, nginx balances over all IS nodes while the management hostname reaches
 * is-1 only, the analytics change sets do not depend on the IS count, the security rules are per
 * role (so identical for any count), and the Kubernetes pod-ordinal mapping covers every pod.
 */
import * as fs from 'fs';
import * as path from 'path';
import { create } from 'xmlbuilder2';
import {
  MAX_IS_NODE_COUNT,
  NodeId,
  buildTopology,
  isNodeIds,
  nodeIds,
  nodesOf,
  roleNodeIds,
  roleOfNode,
} from '../topology';
import { renderNodeChangeSets } from '../config-templates';
import { renderNginxConf } from '../config-templates/nginx';
import type { NodeChangeSet, XmlEdit } from '../config-templates/types';
import { securityRules } from '../components/ec2/security-rules';
import { nodeAddresses, nodeIdForOrdinal, podDnsName } from '../components/kubernetes/names';
import { applyScript, keysScript } from '../components/kubernetes/scripts';
import { testInput } from './helpers/topology';

/** Documentation addresses for `n` IS nodes: 10.0.<k>.10 for is-k, 10.0.9x.20 for analytics. */
function addresses(n: number): Record<NodeId, string> {
  const out = {} as Record<NodeId, string>;
  for (const id of nodeIds(n)) out[id] = roleOfNode(id) === 'is' ? `10.0.${Number(id.slice(3))}.10` : `10.0.9${id.slice(-1)}.20`;
  return out;
}
const model = (n: number) => buildTopology(testInput({ isNodeCount: n, addresses: addresses(n) }));

/** The `<members>` of a change set's axis2.xml edit: `host:port` of each member. */
function wkaMembers(cs: NodeChangeSet): string[] {
  const edit = cs.changes.find((c) => c.path === 'repository/conf/axis2/axis2.xml') as XmlEdit;
  const replace = edit.ops.find((o) => o.op === 'replace' && o.path.endsWith('/members')) as { xml: string };
  const doc = create(replace.xml).end({ format: 'object' }) as { members: { member: { hostName: string; port: string }[] | { hostName: string; port: string } } };
  return ([] as { hostName: string; port: string }[]).concat(doc.members.member).map((m) => `${m.hostName}:${m.port}`);
}

describe('node ids come from the count', () => {
  test('is-1 ... is-N, then the two analytics nodes', () => {
    expect(isNodeIds(3)).toEqual(['is-1', 'is-2', 'is-3']);
    expect(nodeIds(5)).toEqual(['is-1', 'is-2', 'is-3', 'is-4', 'is-5', 'analytics-1', 'analytics-2']);
    expect(roleNodeIds(MAX_IS_NODE_COUNT).is).toHaveLength(10);
    expect(roleNodeIds(MAX_IS_NODE_COUNT).analytics).toEqual(['analytics-1', 'analytics-2']);
    expect(roleOfNode('is-10')).toBe('is');
    expect(roleOfNode('analytics-2')).toBe('analytics');
  });
  test.each([0, 1, MAX_IS_NODE_COUNT + 1, 2.5, NaN])('%p IS nodes is refused', (n) => {
    expect(() => isNodeIds(n)).toThrow(/is\.nodeCount must be an integer from 2 to 10/);
  });
  test('the model refuses a count whose nodes have no address', () => {
    expect(() => buildTopology(testInput({ isNodeCount: 3 }))).toThrow(/no address for node is-3/);
  });
});

describe.each([3, 5])('%i IS nodes', (n) => {
  const t = model(n);
  const sets = renderNodeChangeSets(t);
  const isAddrs = isNodeIds(n).map((id) => `${addresses(n)[id]}:${t.ports.hazelcast}`);

  test('the model holds is-1 ... is-N with ordinals 1 ... N and exactly two analytics nodes', () => {
    expect(nodesOf(t, 'is').map((x) => [x.id, x.ordinal])).toEqual(isNodeIds(n).map((id, i) => [id, i + 1]));
    expect(nodesOf(t, 'analytics').map((x) => x.id)).toEqual(['analytics-1', 'analytics-2']);
    expect(sets.map((s) => s.nodeId)).toEqual(nodeIds(n));
  });

  test('every IS node is a wka member on every IS node, and advertises its own address', () => {
    for (const cs of sets.filter((s) => s.product === 'is')) {
      expect(wkaMembers(cs)).toEqual(isAddrs);
      const edit = cs.changes.find((c) => c.path === 'repository/conf/axis2/axis2.xml') as XmlEdit;
      const local = edit.ops.find((o) => o.op === 'setText' && o.path.includes("'localMemberHost'")) as { value: string } | undefined;
      expect(local?.value).toBe(addresses(n)[cs.nodeId as NodeId]);
    }
  });

  test('the analytics change sets are those of a two-IS-node stack (analytics lists no IS node)', () => {
    const two = renderNodeChangeSets(model(2)).filter((s) => s.product === 'analytics');
    expect(sets.filter((s) => s.product === 'analytics')).toEqual(two);
  });

  test('nginx balances IS HTTPS over every IS node; the management hostname reaches is-1 only', () => {
    const conf = renderNginxConf(t, { certificateFile: '/c.pem', certificateKeyFile: '/k.pem', adminAccess: { adminCidrs: [], privateCidrs: ['10.0.0.0/8'] } });
    const block = (name: string) => new RegExp(`upstream ${name} \\{([^}]*)\\}`).exec(conf)![1];
    const servers = (name: string) => [...block(name).matchAll(/^\s*server (\S+)/gm)].map((m) => m[1]);
    expect(servers('wso2_is_https')).toEqual(isNodeIds(n).map((id) => `${addresses(n)[id]}:${t.ports.isHttps}`));
    expect(servers('wso2_is_mgt')).toEqual([`${addresses(n)['is-1']}:${t.ports.isHttps}`]);
    expect(servers('wso2_analytics_dashboard')).toHaveLength(2);
    expect(conf).toContain(`IS HTTPS on all ${n} IS nodes`);
  });

  test('the security rules are per role: the same as with two IS nodes', () => {
    const o = { ingressCidrs: ['0.0.0.0/0'], adminCidrs: ['203.0.113.0/24'], internetEgressPorts: [443] };
    expect(securityRules(t, o)).toEqual(securityRules(model(2), o));
  });

  test('Kubernetes: every IS pod ordinal picks its node in the apply and keys scripts; analytics keeps two', () => {
    const cases = (script: string) => [...script.matchAll(/^ {2}(\d+)\) node_id=(\S+) ;;$/gm)].map((m) => `${m[1]}=${m[2]}`);
    const isCases = isNodeIds(n).map((id, o) => `${o}=${id}`);
    expect(cases(applyScript('is', [], n))).toEqual(isCases);
    expect(cases(keysScript('is', 'prepare', n))).toEqual(isCases);
    expect(cases(keysScript('is', 'install', n))).toEqual(isCases);
    expect(cases(applyScript('analytics', [], n))).toEqual(['0=analytics-1', '1=analytics-2']);
    expect(cases(keysScript('analytics', 'prepare', n))).toEqual(['0=analytics-1', '1=analytics-2']);
  });
});

describe('Kubernetes names', () => {
  test('pod ordinal k runs <role>-(k+1); beyond the caps there is no node', () => {
    expect(nodeIdForOrdinal('is', 0)).toBe('is-1');
    expect(nodeIdForOrdinal('is', 4)).toBe('is-5');
    expect(nodeIdForOrdinal('is', MAX_IS_NODE_COUNT - 1)).toBe('is-10');
    expect(() => nodeIdForOrdinal('is', MAX_IS_NODE_COUNT)).toThrow(/at most 10 is pods/);
    expect(nodeIdForOrdinal('analytics', 1)).toBe('analytics-2');
    expect(() => nodeIdForOrdinal('analytics', 2)).toThrow(/at most 2 analytics pods/);
  });
  test('every possible node has its pod DNS name as address; the model takes those of its nodes', () => {
    const all = nodeAddresses('ns');
    expect(Object.keys(all)).toEqual(nodeIds(MAX_IS_NODE_COUNT));
    expect(all['is-5']).toBe(podDnsName('is', 4, 'ns'));
    expect(all['is-5']).toBe('wso2is-4.wso2is-nodes.ns.svc.cluster.local');
    const t = buildTopology(testInput({ isNodeCount: 3, addresses: all }));
    expect(t.nodes.map((x) => x.address)).toEqual([
      'wso2is-0.wso2is-nodes.ns.svc.cluster.local',
      'wso2is-1.wso2is-nodes.ns.svc.cluster.local',
      'wso2is-2.wso2is-nodes.ns.svc.cluster.local',
      'wso2is-analytics-0.wso2is-analytics-nodes.ns.svc.cluster.local',
      'wso2is-analytics-1.wso2is-analytics-nodes.ns.svc.cluster.local',
    ]);
  });
});

test('no program code lists nodes from the two-node constants (they are for fixtures; the count comes from config)', () => {
  const root = path.join(__dirname, '..');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts')) files.push(rel);
    }
  };
  for (const dir of ['components', 'config-templates', 'config', 'applier', 'scripts']) walk(dir);
  files.push('config.ts', 'index.ts');
  const offenders = files.filter((f) => /\b(IS_NODE_IDS|NODE_IDS|ROLE_NODE_IDS)\b/.test(fs.readFileSync(path.join(root, f), 'utf8').replace(/ANALYTICS_NODE_IDS/g, '')));
  expect(offenders).toEqual([]);
});
