/**
 * The EC2 edge with `dns.hostedZoneId` and `network.adminCidrs` (the dev stack, under the shared
 * mocks): a DNS-validated ACM certificate for the three hostnames, its validation records in the
 * zone and the validation the listeners wait for; alias records to the right NLBs; the admin
 * NLBs open to adminCidrs only; the nodes' address filter admits adminCidrs, the VPC, loopback.
 */
import { runEc2Stack, Ec2Run, ofType, T, registeredRules, expectedRules } from './fixtures/ec2/harness';
import { ec2StackTests } from './fixtures/ec2/common';
import { CARBON_WEB_XML } from '../config-templates/is/admin-access';
import { objectKeys } from '../components/ec2/object-keys';
import { NODE_IDS } from '../topology';
import { addressAllowRegex, IPV6_LOOPBACK_REGEX } from '../config-templates/cidr-regex';

const ZONE = 'Z0123456789ABCDEFGHIJ';
const ADMIN = ['203.0.113.0/24', '198.51.100.7/32'];
let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.dev.yaml', {
    override: { 'wso2-is-pattern2:dns': JSON.stringify({ hostedZoneId: ZONE }), 'wso2-is-pattern2:network': JSON.stringify({ vpcCidr: '10.40.0.0/16', adminCidrs: ADMIN }) },
  });
});

ec2StackTests(() => run);

test('a DNS-validated ACM certificate for the three hostnames; the listeners use the validated ARN', () => {
  const c = run.config;
  const certs = ofType(run, T.acmCert);
  expect(certs).toHaveLength(1);
  expect(certs[0].inputs).toMatchObject({ domainName: c.hostname, subjectAlternativeNames: [c.mgtHostname, c.dashboardHostname], validationMethod: 'DNS' });
  expect(certs[0].inputs.privateKey).toBeUndefined();
  // validation records: one per hostname, exactly the CNAMEs ACM asked for, in the zone
  const options = certs[0].state.domainValidationOptions as { domainName: string; resourceRecordName: string; resourceRecordValue: string }[];
  const records = ofType(run, T.record).filter((r) => /-cert-validation-/.test(r.name));
  expect(records.map((r) => [r.inputs.zoneId, r.inputs.type, r.inputs.name, r.inputs.records]).sort()).toEqual(
    options.map((o) => [ZONE, 'CNAME', o.resourceRecordName, [o.resourceRecordValue]]).sort(),
  );
  expect(options.map((o) => o.domainName).sort()).toEqual([c.hostname, c.mgtHostname, c.dashboardHostname].sort());
  const validations = ofType(run, T.acmValidation);
  expect(validations).toHaveLength(1);
  expect(validations[0].inputs.certificateArn).toBe(certs[0].state.arn);
  expect((validations[0].inputs.validationRecordFqdns as string[]).sort()).toEqual(records.map((r) => String(r.state.fqdn)).sort());
  // the listeners wait for the validation (its output ARN, so a dependency on it)
  const validationUrn = validations[0].urn;
  const listeners = ofType(run, T.listener).filter((l) => l.inputs.protocol === 'TLS');
  expect(listeners).toHaveLength(3);
  for (const l of listeners) {
    expect(l.inputs.certificateArn).toBe(certs[0].state.arn);
    expect(run.options.find((o) => o.type === T.listener && o.name === l.name)!.dependencies).toContain(validationUrn);
  }
  // no deployment certificate for the public names: ACM issues the public one
  expect(run.records.filter((r) => /-keys-frontend-/.test(r.name))).toHaveLength(0);
});

test('alias records: hostname -> public NLB, management hostname -> management NLB, dashboard hostname -> dashboard NLB', () => {
  const c = run.config;
  const lb = (key: string) => ofType(run, T.lb).find((l) => l.name.endsWith(`-${key}`))!;
  const aliases = ofType(run, T.record).filter((r) => /-dns-(public|mgt|dash)$/.test(r.name));
  expect(aliases.map((r) => [r.inputs.zoneId, r.inputs.name, r.inputs.type, r.inputs.aliases]).sort()).toEqual(
    [
      [ZONE, c.hostname, 'A', [{ name: lb('nlb').state.dnsName, zoneId: lb('nlb').state.zoneId, evaluateTargetHealth: true }]],
      [ZONE, c.mgtHostname, 'A', [{ name: lb('mgt').state.dnsName, zoneId: lb('mgt').state.zoneId, evaluateTargetHealth: true }]],
      [ZONE, c.dashboardHostname, 'A', [{ name: lb('dash').state.dnsName, zoneId: lb('dash').state.zoneId, evaluateTargetHealth: true }]],
    ].sort(),
  );
  expect(run.outputs.dnsRecords).toEqual({ [c.hostname]: lb('nlb').state.dnsName, [c.mgtHostname]: lb('mgt').state.dnsName, [c.dashboardHostname]: lb('dash').state.dnsName });
});

test('security groups per admin surface: the admin NLBs admit adminCidrs on 443 only; the public NLB the ingress CIDRs', () => {
  const rules = registeredRules(run);
  expect(rules).toEqual(expectedRules(run.config));
  expect(rules.filter((r) => r.startsWith('ingress admin-nlb <- cidr:'))).toEqual(ADMIN.map((a) => `ingress admin-nlb <- cidr:${a} tcp/443-443`).sort());
  expect(rules.filter((r) => r.startsWith('ingress nlb <- cidr:'))).toEqual(['ingress nlb <- cidr:0.0.0.0/0 tcp/443-443']);
  // the management NLB reaches only IS HTTPS, the dashboard NLB only the dashboard
  expect(rules.filter((r) => r.startsWith('egress admin-nlb'))).toEqual(
    [`egress admin-nlb -> sg:is tcp/${run.config.ports.isHttps}-${run.config.ports.isHttps}`, `egress admin-nlb -> sg:analytics tcp/${run.config.ports.dashboard}-${run.config.ports.dashboard}`].sort(),
  );
});

test('the IS nodes get the address filter for adminCidrs, the VPC and loopback; analytics nodes none', () => {
  const objects = NODE_IDS.map((id) => ofType(run, T.object).find((o) => o.inputs.key === objectKeys(id).changeSet)!);
  expect(objects.filter(Boolean)).toHaveLength(4);
  for (const o of objects) {
    const cs = JSON.parse(String(o.inputs.content));
    const edits = cs.changes.filter((c: { path: string }) => c.path === CARBON_WEB_XML);
    if (cs.product !== 'is') {
      expect(edits).toHaveLength(0);
      continue;
    }
    expect(edits).toHaveLength(1);
    expect(JSON.stringify(edits[0])).toContain(JSON.stringify(addressAllowRegex([...ADMIN, '10.40.0.0/16', '127.0.0.0/8'], [IPV6_LOOPBACK_REGEX])).slice(1, -1));
  }
});
