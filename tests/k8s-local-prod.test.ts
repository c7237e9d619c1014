/**
 * The local stack with environment prod (Pulumi.local.yaml, environment overridden, stack
 * `local-prod`) under the shared mocks: what holds data (the shared trees' claim, the NFS
 * server's data claim and its static PV, the in-cluster MySQL's claim) survives a replacement or
 * `destroy`; the other objects do not.
 */
import { runStack, ProgramRun, findObject } from './fixtures/k8s/harness';
import { NAMES } from '../components/kubernetes/names';
import { PROJECT } from '../config';

const NS = 'wso2-is-pattern2';
let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml', { [`${PROJECT}:environment`]: 'prod' }, 'local-prod');
});

const optionsOf = (name: string) => {
  const o = run.options.filter((x) => x.name === name);
  expect(o).toHaveLength(1);
  return o[0];
};

test('the shared trees\' claim, the NFS data claim and the static PV are protected and kept on destroy', () => {
  for (const name of ['wso2is-k8s-shared', 'wso2is-k8s-nfs-data', 'wso2is-k8s-shared-pv']) {
    expect([name, optionsOf(name).protect, optionsOf(name).retainOnDelete]).toEqual([name, true, true]);
  }
  expect(findObject(run.records, 'PersistentVolume', `${NS}-shared`).spec.persistentVolumeReclaimPolicy).toBe('Retain');
});

test('the in-cluster database keeps its claim when its StatefulSet is deleted or replaced', () => {
  expect(findObject(run.records, 'StatefulSet', NAMES.mysql).spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
});

test('the created Namespace is kept on destroy (deleting it would delete the kept claims)', () => {
  const ns = run.options.filter((o) => o.type === 'kubernetes:core/v1:Namespace');
  expect(ns.map((o) => [o.retainOnDelete, o.protect])).toEqual([[true, false]]);
});

test('nothing else is protected or kept', () => {
  const kept = run.options.filter((o) => o.protect || o.retainOnDelete).map((o) => o.name).sort();
  expect(kept).toEqual(['wso2is-k8s-namespace', 'wso2is-k8s-nfs-data', 'wso2is-k8s-shared', 'wso2is-k8s-shared-pv']);
});
