/**
 * The VPC the pattern runs in, reusable by EC2 and EKS: an existing VPC and subnets from config,
 * or a new VPC with a public and a private subnet in each of two AZs. Private subnets reach the
 * internet (packages, AWS APIs) through NAT: one gateway per AZ when `natPerAz` (prod: losing an
 * AZ does not cut the other's egress), a single one otherwise (test stacks: saves the cost of a
 * second gateway).
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';

/** Splits `cidr` into four equal subnets (prefix + 2): public a, public b, private a, private b. */
export function quarterCidr(cidr: string): string[] {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const base = ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
  const bits = +m[5] + 2;
  if (bits > 28) throw new Error(`${cidr} is too small for four subnets`);
  const size = 2 ** (32 - bits);
  return [0, 1, 2, 3].map((i) => {
    const n = (base + i * size) >>> 0;
    return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}/${bits}`;
  });
}

export interface AwsNetworkArgs {
  /** Reuse this VPC; with `publicSubnetIds` and `privateSubnetIds` (two AZs each, AZ order alike). */
  vpcId?: string;
  publicSubnetIds?: string[];
  privateSubnetIds?: string[];
  /** CIDR of the VPC to create when no `vpcId` is given. */
  vpcCidr: string;
  /** One NAT gateway per AZ (prod) instead of one for the VPC (test). */
  natPerAz: boolean;
  /** Tags on every resource. */
  tags?: Record<string, string>;
}

export class AwsNetwork extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidr: pulumi.Output<string>;
  /** Two public subnets, AZ a then AZ b. */
  public readonly publicSubnetIds: pulumi.Output<string>[];
  /** Two private subnets, AZ a then AZ b (same AZ order as the public ones). */
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** Resources that must exist before private-subnet hosts have egress (NAT routes). */
  public readonly egressReady: pulumi.Resource[];

  constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:AwsNetwork', name, {}, opts);
    const tags = args.tags ?? {};
    this.egressReady = [];
    if (args.vpcId) {
      if (!args.publicSubnetIds || !args.privateSubnetIds) throw new Error('an existing VPC needs public and private subnet ids');
      this.vpcId = pulumi.output(args.vpcId);
      this.vpcCidr = aws.ec2.getVpcOutput({ id: args.vpcId }, { parent: this }).cidrBlock;
      this.publicSubnetIds = args.publicSubnetIds.slice(0, 2).map((s) => pulumi.output(s));
      this.privateSubnetIds = args.privateSubnetIds.slice(0, 2).map((s) => pulumi.output(s));
      this.registerOutputs({ vpcId: this.vpcId });
      return;
    }
    // Regular AZs only: an opted-in Local or Wavelength Zone (`us-west-2-lax-1a`) sorts before
    // `us-west-2a` and has no NAT gateway, RDS or EFS.
    const azs = aws.getAvailabilityZonesOutput(
      { state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] },
      { parent: this },
    ).names;
    const cidrs = quarterCidr(args.vpcCidr);
    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: name } },
      { parent: this },
    );
    this.vpcId = vpc.id;
    this.vpcCidr = vpc.cidrBlock;
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: name } }, { parent: this });
    const publicRt = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }], tags: { ...tags, Name: `${name}-public` } },
      { parent: this },
    );
    const az = (i: number) => azs.apply((n) => {
      if (n.length < 2) throw new Error('the region needs at least two availability zones');
      return n[i];
    });
    const publicSubnets = [0, 1].map(
      (i) =>
        new aws.ec2.Subnet(
          `${name}-public-${i + 1}`,
          { vpcId: vpc.id, cidrBlock: cidrs[i], availabilityZone: az(i), mapPublicIpOnLaunch: false, tags: { ...tags, Name: `${name}-public-${i + 1}` } },
          { parent: this },
        ),
    );
    const publicAssocs = publicSubnets.map(
      (s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i + 1}`, { subnetId: s.id, routeTableId: publicRt.id }, { parent: this }),
    );
    const natCount = args.natPerAz ? 2 : 1;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: 'vpc', tags: { ...tags, Name: `${name}-nat-${i + 1}` } }, { parent: this });
      return new aws.ec2.NatGateway(
        `${name}-nat-${i + 1}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { ...tags, Name: `${name}-nat-${i + 1}` } },
        { parent: this, dependsOn: [igw] },
      );
    });
    const privateSubnets = [0, 1].map((i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i + 1}`,
        { vpcId: vpc.id, cidrBlock: cidrs[2 + i], availabilityZone: az(i), tags: { ...tags, Name: `${name}-private-${i + 1}` } },
        { parent: this },
      );
      const rt = new aws.ec2.RouteTable(
        `${name}-private-rt-${i + 1}`,
        { vpcId: vpc.id, routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nats[Math.min(i, natCount - 1)].id }], tags: { ...tags, Name: `${name}-private-${i + 1}` } },
        { parent: this },
      );
      const assoc = new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: subnet.id, routeTableId: rt.id }, { parent: this });
      this.egressReady.push(assoc);
      return subnet;
    });
    // An internet-facing load balancer is refused while the VPC has no internet gateway
    // ("InvalidSubnet: VPC ... has no internet gateway"), and the gateway cannot be detached while
    // a load balancer still maps public addresses: the public subnet ids carry the gateway and
    // the subnet's route as dependencies, so consumers are created after them and deleted before.
    this.publicSubnetIds = publicSubnets.map((s, i) => pulumi.all([s.id, igw.id, publicAssocs[i].id]).apply(([id]) => id));
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.registerOutputs({ vpcId: this.vpcId });
  }
}
