/**
 * Offline schema validation: every Kubernetes object the program registers on the local stack,
 * validated against the Kubernetes OpenAPI schemas shipped in `kubernetes-models`.
 */
import { runStack, ProgramRun, k8sObjects } from './fixtures/k8s/harness';
import { validateObject as validate } from './fixtures/k8s/validate';

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml');
});

test('every generated Kubernetes object validates against the Kubernetes schemas', () => {
  const objects = k8sObjects(run.records);
  // Namespace, ConfigMaps, Secrets, Services, PV/PVCs, StatefulSets, Deployments, the Job, PDBs,
  // NetworkPolicies.
  expect(new Set(objects.map((o) => o.obj.kind)).size).toBeGreaterThanOrEqual(11);
  expect(objects.filter((o) => o.obj.kind === 'NetworkPolicy').length).toBeGreaterThan(1);
  for (const o of objects) {
    try {
      validate(o.obj);
    } catch (e) {
      throw new Error(`${o.obj.kind} ${o.obj.metadata?.name}: ${(e as Error).message}`);
    }
  }
});

test('the validation catches broken objects', () => {
  const sts = k8sObjects(run.records).find((o) => o.obj.kind === 'StatefulSet')!.obj;
  const clone = () => JSON.parse(JSON.stringify(sts));
  expect(() => validate(clone())).not.toThrow();

  const noName = clone();
  delete noName.spec.template.spec.containers[0].name;
  expect(() => validate(noName)).toThrow();

  const badReplicas = clone();
  badReplicas.spec.replicas = 'two';
  expect(() => validate(badReplicas)).toThrow();

  const badPolicy = clone();
  badPolicy.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
  expect(() => validate(badPolicy)).toThrow();

  const np = k8sObjects(run.records).find((o) => o.obj.kind === 'NetworkPolicy' && o.obj.spec.ingress)!.obj;
  const npClone = () => JSON.parse(JSON.stringify(np));
  expect(() => validate(npClone())).not.toThrow();
  const badType = npClone();
  badType.spec.policyTypes = ['Inbound'];
  expect(() => validate(badType)).toThrow(/policyTypes/);
  const badPort = npClone();
  badPort.spec.ingress[0].ports[0].protocol = 'ICMP';
  expect(() => validate(badPort)).toThrow(/protocol/);
});
