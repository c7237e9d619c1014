/**
 * The EC2 edge with `acmCertificateArn` (the dev stack, under the shared mocks): the listeners use
 * that certificate; the program creates no certificate, no DNS record and no deployment
 * certificate for the public names.
 */
import { runEc2Stack, Ec2Run, ofType, T } from './fixtures/ec2/harness';

const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.dev.yaml', { override: { 'wso2-is-pattern2:acmCertificateArn': ARN } });
});

test('the TLS listeners use the configured certificate with the TLS 1.3/1.2 policy; nothing else is made for it', () => {
  const tls = ofType(run, T.listener).filter((l) => l.inputs.protocol === 'TLS');
  expect(tls).toHaveLength(3);
  for (const l of tls) expect([l.inputs.certificateArn, l.inputs.sslPolicy]).toEqual([ARN, 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06']);
  expect(ofType(run, T.acmCert)).toHaveLength(0);
  expect(ofType(run, T.acmValidation)).toHaveLength(0);
  expect(ofType(run, T.record)).toHaveLength(0);
  expect(run.records.filter((r) => /-keys-frontend-/.test(r.name))).toHaveLength(0);
  expect(Object.keys(run.outputs.dnsRecords as object)).toHaveLength(3);
});
