/** The prod EC2 stack: Pulumi.prod.yaml under the shared mocks. */
import { runEc2Stack, Ec2Run, ofType, T } from './fixtures/ec2/harness';
import { ec2StackTests } from './fixtures/ec2/common';
import { iamTests } from './fixtures/ec2/iam-checks';

let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.prod.yaml');
});

ec2StackTests(() => run);
describe('least privilege', () => iamTests(() => run));

test('data is protected: multi-AZ, deletion protection, final snapshot, backups, recoverable secret', () => {
  const rds = ofType(run, T.rds)[0].inputs;
  expect(rds.multiAz).toBe(true);
  expect(rds.deletionProtection).toBe(true);
  expect(rds.skipFinalSnapshot).toBe(false);
  expect(String(rds.finalSnapshotIdentifier)).toMatch(/^wso2-prod-final-[0-9a-f]{8}$/);
  expect(rds.backupRetentionPeriod).toBe(14);
  expect(ofType(run, T.bucket)[0].inputs.forceDestroy).toBe(false);
  expect(ofType(run, T.secret)[0].inputs.recoveryWindowInDays).toBe(30);
  expect(ofType(run, T.efsBackup)).toHaveLength(1);
  // one NAT gateway per AZ: losing an AZ does not cut the other AZ's egress
  expect(ofType(run, T.natGateway)).toHaveLength(2);
});
