/**
 * Pod security on the `eks` stack (Pulumi.eks.yaml: RDS, EFS; no NFS server, no in-cluster MySQL)
 * under the shared mocks: every pod template passes the restricted Pod Security Standard
 * (@monokle/validation, every control on), and the created namespace enforces it.
 */
import { runStack, ProgramRun, byKind, findObject } from './fixtures/k8s/harness';
import { restrictedViolations, podSpecOf } from './helpers/pss';
import { NAMES } from '../components/kubernetes/names';
import { podSecurityLabels } from '../components/kubernetes/pod-security';

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.eks.yaml');
});

test('every pod template meets the restricted Standard and mounts no service-account token', () => {
  const pods = [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment'), ...byKind(run.records, 'Job')];
  expect(pods.map((w) => w.metadata.name)).toEqual(expect.arrayContaining([NAMES.is, NAMES.analytics, NAMES.nginx]));
  expect(pods).toHaveLength(4); // and the db-init Job
  expect(restrictedViolations(pods).violations).toEqual([]);
  for (const w of pods) expect([w.metadata.name, podSpecOf(w).automountServiceAccountToken]).toEqual([w.metadata.name, false]);
});

test('the created namespace enforces restricted, audits and warns on it', () => {
  const ns = findObject(run.records, 'Namespace', 'wso2-is-pattern2');
  expect(ns.metadata.labels).toMatchObject(podSecurityLabels('restricted'));
  expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
});
