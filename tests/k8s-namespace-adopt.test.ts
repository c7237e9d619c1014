/**
 * `kubernetes.createNamespace: false` (the eks stack, overridden): the stack adopts a namespace
 * that exists already: no Namespace object is registered (with @pulumi/kubernetes 4.29+ creating
 * one that exists fails `pulumi up`), every namespaced object goes into the named namespace, and
 * nothing waits on a Namespace resource. The default (true) is covered by k8s-local.test.ts.
 */
import * as path from 'path';
import { runStack, ProgramRun, byKind, k8sObjects, REPO } from './fixtures/k8s/harness';
import { readStackFile } from '../scripts/lib/stack-file';
import { PROJECT } from '../config';

const NS = 'team-identity';
let run: ProgramRun;
beforeAll(async () => {
  const key = `${PROJECT}:kubernetes`;
  const k8s = JSON.parse(readStackFile(path.join(REPO, 'Pulumi.eks.yaml')).all[key]);
  run = await runStack('Pulumi.eks.yaml', { [key]: JSON.stringify({ ...k8s, namespace: NS, createNamespace: false }) });
});

test('registers no Namespace', () => {
  expect(byKind(run.records, 'Namespace')).toEqual([]);
  expect(run.options.filter((o) => o.type === 'kubernetes:core/v1:Namespace')).toEqual([]);
});

test('puts every namespaced object into the named namespace, through a provider bound to it', () => {
  const clusterScoped = new Set(['Namespace', 'PersistentVolume']);
  const objs = k8sObjects(run.records).filter((o) => !clusterScoped.has(o.obj.kind));
  expect(objs.length).toBeGreaterThan(20);
  for (const o of objs) expect([o.name, o.obj.metadata?.namespace]).toEqual([o.name, NS]);
  const provider = run.records.find((r) => r.type === 'pulumi:providers:kubernetes')!;
  expect(provider.inputs.namespace).toBe(NS);
});

test('exports the adopted namespace', () => {
  expect(run.outputs.namespace).toBe(NS);
});
