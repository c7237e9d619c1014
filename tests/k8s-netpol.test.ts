/**
 * NetworkPolicies on the `local` stack (in-cluster MySQL and NFS), with some ports moved off their
 * defaults so a port taken from anywhere but the model shows. The set of allowed
 * (pod, port, client pod) triples the registered NetworkPolicies admit must equal what the
 * topology model allows (`ingressPairs`), plus MySQL, NFS and the public nginx ports; the pods are
 * found by the labels of the registered workloads, not by the implementation's own mapping.
 */
import { runStack, ProgramRun, byKind } from './fixtures/k8s/harness';
import { actualTriples, expectedTriples, labelKey as key, workloadsOf } from './fixtures/k8s/netpol';
import { DEFAULT_PORTS } from '../topology';

// The IS renderer keeps the product's HTTPS/HTTP spacing (one Carbon offset): both move together.
const OVERRIDES = { isHttps: 9543, isHttp: 9863, hazelcast: 4100, thrift: 7622, workerHttps: 9191, dashboard: 9743 };
const PORTS = { ...DEFAULT_PORTS, ...OVERRIDES };

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml', { 'wso2-is-pattern2:ports': JSON.stringify(OVERRIDES) });
});

const workloads = () => workloadsOf(run.records);

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
  const expected = expectedTriples(run.records, { flavor: 'sp', ports: PORTS, mysql: true, nfs: true });
  const actual = actualTriples(run.records, (policy, port, peer) => {
    expect([policy, port.protocol, typeof port.port]).toEqual([policy, 'TCP', 'number']);
    // Same-namespace pods only: no namespace selector, no address block.
    if (peer) expect(Object.keys(peer)).toEqual(['podSelector']);
  });
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
