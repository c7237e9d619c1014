/**
 * NetworkPolicies on the `local` stack (in-cluster MySQL and NFS), with some ports moved off their
 * defaults so a port taken from anywhere but the model shows. The set of allowed
 * (pod, port, client pod) triples the registered NetworkPolicies admit must equal what the
 * topology model allows (`ingressPairs`), plus MySQL, NFS and the public nginx ports; the pods are
 * found by the labels of the registered workloads, not by the implementation's own mapping.
 */
import { runStack, ProgramRun, byKind } from './fixtures/k8s/harness';
import { DEFAULT_PORTS, Peer, Role, buildTopology, ingressPairs } from '../topology';
import { NAMES, nodeAddresses } from '../components/kubernetes/model';
import { MYSQL_PORT } from '../components/aws/rds';

// The IS renderer keeps the product's HTTPS/HTTP spacing (one Carbon offset): both move together.
const OVERRIDES = { isHttps: 9543, isHttp: 9863, hazelcast: 4100, thrift: 7622, workerHttps: 9191, dashboard: 9743 };
const PORTS = { ...DEFAULT_PORTS, ...OVERRIDES };

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml', { 'wso2-is-pattern2:ports': JSON.stringify(OVERRIDES) });
});

/** The spec: which workload's pods are each peer of the model on Kubernetes. */
const PEER_WORKLOADS: Record<Peer, string[]> = {
  is: [NAMES.is],
  analytics: [NAMES.analytics],
  frontend: [NAMES.nginx],
  // No internal load balancer: the receivers' clients are the IS publishers themselves.
  'internal-lb': [NAMES.is],
};
const ROLE_WORKLOAD: Record<Role, string> = { is: NAMES.is, analytics: NAMES.analytics };
const ANYWHERE = '*';

const workloads = () => [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment'), ...byKind(run.records, 'Job')];
/** Pod template labels of a workload (the db-init Job is named by its script hash). */
function podLabels(workload: string): Record<string, string> {
  const w = workload === NAMES.dbInit ? byKind(run.records, 'Job')[0] : workloads().find((x) => x.metadata.name === workload);
  if (!w) throw new Error(`no workload ${workload}`);
  return w.spec.template.metadata.labels;
}
const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
const triple = (to: Record<string, string>, port: number, from: Record<string, string> | typeof ANYWHERE) =>
  `${key(to)} :${port} <- ${from === ANYWHERE ? ANYWHERE : key(from)}`;

function expectedTriples(): Set<string> {
  const t = buildTopology({
    hostname: 'unused',
    mgtHostname: 'unused',
    dashboardHostname: 'unused',
    analyticsFlavor: 'sp',
    ports: PORTS,
    addresses: nodeAddresses('unused'),
    dbHost: 'unused',
    dbPort: MYSQL_PORT,
    dbCharacterSet: 'latin1',
    dbUser: 'unused',
  });
  const out = new Set<string>();
  for (const p of ingressPairs(t)) {
    for (const w of PEER_WORKLOADS[p.from]) out.add(triple(podLabels(ROLE_WORKLOAD[p.to]), p.port.port, podLabels(w)));
  }
  for (const w of [NAMES.is, NAMES.analytics, NAMES.dbInit]) out.add(triple(podLabels(NAMES.mysql), MYSQL_PORT, podLabels(w)));
  // NFS is mounted by each node's kubelet from the node's address: no pod selector can name it.
  out.add(triple(podLabels(NAMES.nfs), 2049, ANYWHERE));
  for (const port of [t.frontendPorts.https, t.frontendPorts.http]) out.add(triple(podLabels(NAMES.nginx), port, ANYWHERE));
  return out;
}

function actualTriples(): Set<string> {
  const out = new Set<string>();
  for (const np of byKind(run.records, 'NetworkPolicy')) {
    for (const rule of np.spec.ingress ?? []) {
      for (const port of rule.ports) {
        expect([np.metadata.name, port.protocol, typeof port.port]).toEqual([np.metadata.name, 'TCP', 'number']);
        if (!rule.from?.length) out.add(triple(np.spec.podSelector.matchLabels, port.port, ANYWHERE));
        for (const peer of rule.from ?? []) {
          // Same-namespace pods only: no namespace selector, no address block.
          expect(Object.keys(peer)).toEqual(['podSelector']);
          out.add(triple(np.spec.podSelector.matchLabels, port.port, peer.podSelector.matchLabels));
        }
      }
    }
  }
  return out;
}

test('denies all ingress to the namespace\'s pods by default and restricts nothing else', () => {
  const nps = byKind(run.records, 'NetworkPolicy');
  const deny = nps.filter((np) => !np.spec.ingress);
  expect(deny).toHaveLength(1);
  expect(deny[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  for (const np of nps) {
    expect(np.metadata.namespace).toBe('wso2-is-pattern2');
    expect(np.spec.policyTypes).toEqual(['Ingress']); // egress (DNS, database, storage) stays open
  }
});

test('admits exactly what the topology model allows, plus MySQL, NFS and the public front end', () => {
  const expected = expectedTriples();
  const actual = actualTriples();
  const missing = [...expected].filter((x) => !actual.has(x));
  const extra = [...actual].filter((x) => !expected.has(x));
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  // The overridden ports are the ones admitted.
  expect([...actual].some((x) => x.includes(`:${PORTS.thrift} `))).toBe(true);
  expect([...actual].some((x) => x.includes(`:${DEFAULT_PORTS.thrift} `))).toBe(false);
});

test('admits only ports the selected pods declare as container ports', () => {
  for (const np of byKind(run.records, 'NetworkPolicy')) {
    if (!np.spec.ingress) continue;
    const sel = key(np.spec.podSelector.matchLabels);
    const w = workloads().find((x) => key(x.spec.template.metadata.labels) === sel);
    expect([np.metadata.name, !!w]).toEqual([np.metadata.name, true]);
    const declared = w!.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort));
    for (const rule of np.spec.ingress) for (const p of rule.ports) expect([np.metadata.name, declared.includes(p.port)]).toEqual([np.metadata.name, true]);
  }
});
