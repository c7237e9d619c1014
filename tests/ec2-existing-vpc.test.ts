/**
 * EC2 on an existing VPC (`network.vpcId` with its subnets; the dev stack, under the shared mocks):
 * the program creates no network of its own, places everything in the given subnets, reads the
 * VPC's CIDR (`aws:ec2/getVpc`) and lets that CIDR through the IS admin address filter.
 */
import { EXISTING_VPC_CIDR } from '../scripts/mocks';
import { CARBON_WEB_XML } from '../config-templates/is/admin-access';
import { Ec2Run, T, ofType, runEc2Stack } from './fixtures/ec2/harness';

const VPC = 'vpc-0abc12345def67890';
const PUBLIC = ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'];
const PRIVATE = ['subnet-0aaa1111bbbb22226', 'subnet-0ccc3333dddd44447'];
let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.dev.yaml', {
    override: { 'wso2-is-pattern2:network': JSON.stringify({ vpcId: VPC, publicSubnetIds: PUBLIC, privateSubnetIds: PRIVATE }) },
  });
});

test('no VPC, subnet, gateway or route of its own; the VPC is looked up once', () => {
  for (const type of ['aws:ec2/vpc:Vpc', T.subnet, T.igw, T.natGateway, T.rtAssociation]) expect({ type, n: ofType(run, type).length }).toEqual({ type, n: 0 });
  expect(run.calls.filter((c) => c.token === 'aws:ec2/getVpc:getVpc').map((c) => c.inputs.id)).toEqual([VPC]);
});

test('the nodes sit in the given private subnets, the internet-facing NLBs in the given public ones, every group in the VPC', () => {
  // Product nodes through their fixed-address interface, the db-init runner directly.
  const eniSubnet = new Map(ofType(run, T.eni).map((e) => [e.id, e.inputs.subnetId]));
  const instances = ofType(run, T.instance);
  expect(instances.length).toBeGreaterThan(4);
  for (const i of instances) expect(PRIVATE).toContain(i.inputs.subnetId ?? eniSubnet.get((i.inputs.primaryNetworkInterface as { networkInterfaceId?: string } | undefined)?.networkInterfaceId));
  const lbs = ofType(run, T.lb);
  expect(lbs.length).toBeGreaterThan(0);
  // Internet-facing ones in the public subnets, the internal (analytics receiver) one in the private ones.
  for (const lb of lbs) for (const s of lb.inputs.subnets as string[]) expect(lb.inputs.internal ? PRIVATE : PUBLIC).toContain(s);
  expect(lbs.filter((lb) => !lb.inputs.internal).length).toBeGreaterThan(0);
  for (const sg of ofType(run, T.sg)) expect(sg.inputs.vpcId).toBe(VPC);
});

test("the admin filter of every IS node lets the VPC's CIDR through (and only the configured ranges besides)", () => {
  const objects = ofType(run, T.object).filter((o) => String(o.inputs.key).endsWith('/change-set.json') && String(o.inputs.key).includes('/is-'));
  expect(objects.length).toBeGreaterThan(0);
  const prefix = EXISTING_VPC_CIDR.split('.').slice(0, 2).join('\\\\.');
  for (const o of objects) {
    const cs = JSON.parse(String(o.inputs.content)) as { changes: { path: string }[] };
    const edit = JSON.stringify(cs.changes.find((c) => c.path === CARBON_WEB_XML));
    expect(edit).toContain('<param-name>allow</param-name>');
    expect(edit).toContain(`(?:${prefix}\\\\.`);
    expect(edit).not.toContain('undefined');
  }
});
