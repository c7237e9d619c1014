/** The dev (test-environment) EC2 stack: Pulumi.dev.yaml under the shared mocks. */
import { runEc2Stack, Ec2Run, ofType, T } from './fixtures/ec2/harness';
import { ec2StackTests } from './fixtures/ec2/common';

let run: Ec2Run;
beforeAll(async () => {
  // a configured secret too, so the leak checks cover config secrets as well as generated ones
  run = await runEc2Stack('Pulumi.dev.yaml', { override: { 'wso2-is-pattern2:adminPassword': 'Adm1n&<"secret>$x' } });
});

ec2StackTests(() => run);

test('teardown-friendly: destroy leaves nothing and needs no manual step', () => {
  const rds = ofType(run, T.rds)[0].inputs;
  expect(rds.skipFinalSnapshot).toBe(true);
  expect(rds.finalSnapshotIdentifier).toBeUndefined();
  expect(rds.deletionProtection).toBe(false);
  expect(rds.multiAz).toBe(false);
  expect(ofType(run, T.bucket)[0].inputs.forceDestroy).toBe(true);
  expect(ofType(run, T.secret)[0].inputs.recoveryWindowInDays).toBe(0);
  expect(ofType(run, T.efsBackup)).toHaveLength(0);
  // one NAT gateway on test stacks (cost); prod has one per AZ
  expect(ofType(run, T.natGateway)).toHaveLength(1);
});
