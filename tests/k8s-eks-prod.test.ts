/**
 * The EKS stack with environment prod (Pulumi.eks.yaml, environment overridden, stack `eks-prod`)
 * under the shared mocks: the RDS database gets the prod protections EC2 prod gets, from the one
 * constructor both platforms use (stackDatabase): `protect`, deletion protection, multi-AZ and a
 * final snapshot named after the stack; the EFS claim of the shared trees is protected and kept.
 */
import { runStack, ProgramRun } from './fixtures/k8s/harness';
import { PROJECT } from '../config';

const RDS = 'aws:rds/instance:Instance';
let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.eks.yaml', { [`${PROJECT}:environment`]: 'prod' }, 'eks-prod');
});

test('the RDS database component and its instance are protected', () => {
  const component = run.options.filter((o) => o.type === 'wso2:pattern2:RdsDatabase');
  expect(component).toHaveLength(1);
  expect(component[0].protect).toBe(true);
  const instance = run.options.filter((o) => o.type === RDS);
  expect(instance).toHaveLength(1);
  // protect is inherited from the component by its children
  expect(instance[0].protect).toBe(true);
});

test('the RDS instance keeps a final snapshot named after the stack, with deletion protection and multi-AZ', () => {
  const rds = run.records.filter((r) => r.type === RDS);
  expect(rds).toHaveLength(1);
  const i = rds[0].inputs;
  expect(i.skipFinalSnapshot).toBe(false);
  expect(String(i.finalSnapshotIdentifier)).toMatch(/^wso2-eks-prod-final-[0-9a-f]{8}$/);
  expect(i.deletionProtection).toBe(true);
  expect(i.multiAz).toBe(true);
});

test('only the database and its parts and the shared trees\' claim are protected; the claim and the Namespace are kept on destroy', () => {
  const protectedTypes = [...new Set(run.options.filter((o) => o.protect).map((o) => o.type))].sort();
  expect(protectedTypes).toEqual([
    'aws:rds/instance:Instance',
    'aws:rds/parameterGroup:ParameterGroup',
    'aws:rds/subnetGroup:SubnetGroup',
    'kubernetes:core/v1:PersistentVolumeClaim',
    'random:index/randomId:RandomId',
    'wso2:pattern2:RdsDatabase',
  ]);
  const claim = run.options.filter((o) => o.type === 'kubernetes:core/v1:PersistentVolumeClaim');
  expect(claim.map((o) => [o.name, o.protect, o.retainOnDelete])).toEqual([['wso2is-k8s-shared', true, true]]);
  // Deleting the Namespace would delete the claim with it.
  const kept = run.options.filter((o) => o.retainOnDelete).map((o) => o.name).sort();
  expect(kept).toEqual(['wso2is-k8s-namespace', 'wso2is-k8s-shared']);
});
