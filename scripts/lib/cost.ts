/**
 * A monthly cost estimate of a planned stack at AWS on-demand list prices.
 *
 * Pure: `estimateCost` reads the records exactly as `resources.json` holds them
 * ({type, name, urn, parent, inputs}) and the shipped price table (pricing/aws-list-prices.json);
 * no cloud call. Every line says what it prices, how much, at which unit price; a price the
 * table lacks is 'unknown' (and listed), never 0, so a total is never quietly too low.
 * Usage that a plan cannot know (load balancer capacity units, NAT traffic, file system and
 * bucket sizes, API calls) comes from stated assumptions, printed with every estimate.
 */
import * as fs from 'fs';
import * as path from 'path';
import shippedPrices from '../../pricing/aws-list-prices.json';
import { canonicalJson } from './summary';

/** One record of `resources.json`. */
export interface CostResource {
  type: string;
  name: string;
  urn?: string;
  parent?: string | null;
  inputs: unknown;
}

/** The prices of one region (see pricing/aws-list-prices.json for the units). */
export interface RegionPrices {
  ec2InstancePerHour: Record<string, number>;
  ebsPerGBMonth: Record<string, number>;
  rdsInstancePerHour: Record<string, number>;
  rdsStoragePerGBMonth: Record<string, number>;
  nlbPerHour: number;
  nlbPerLcuHour: number;
  natGatewayPerHour: number;
  natGatewayPerGB: number;
  publicIpv4PerHour: number;
  efsStandardPerGBMonth: number;
  efsElasticReadPerGB: number;
  efsElasticWritePerGB: number;
  secretPerMonth: number;
  secretsPer10kApiCalls: number;
  s3StandardPerGBMonth: number;
  s3PutPer1000: number;
  s3GetPer1000: number;
  backupEfsWarmPerGBMonth: number;
  eksClusterPerHour: number;
  /** Dotted keys of prices the table's author could not verify; lines using them say so. */
  unverified: string[];
}

/** The shipped table's shape. */
export interface PriceTable {
  currency: string;
  takenOn: string;
  source: string;
  regions: Record<string, RegionPrices>;
  rdsMultiAzFactor: number;
  instanceSpecs: Record<string, { vcpu: number; memoryGiB: number }>;
  kubernetesNodeTypes: string[];
}

/** Usage a plan cannot know; each is printed with the estimate. */
export interface CostAssumptions {
  /** Hours in a month (AWS's own convention: 730). */
  hoursPerMonth: number;
  /** Average NLB capacity units per load balancer per hour. */
  nlbLcuPerHour: number;
  /** GB processed per NAT gateway per month. */
  natDataGBPerMonth: number;
  /** GB stored in each EFS file system (EFS bills what is stored, not a size). */
  efsSizeGB: number;
  /** GB read from / written to each Elastic-throughput EFS per month. */
  efsReadGBPerMonth: number;
  efsWriteGBPerMonth: number;
  /** GB stored in each S3 bucket, and its requests per month. */
  s3SizeGB: number;
  s3PutsPerMonth: number;
  s3GetsPerMonth: number;
  /** Secrets Manager API calls per secret per month. */
  secretsApiCallsPerMonth: number;
  /** Availability zones (one public IPv4 each) of an NLB a Kubernetes Service asks for. */
  k8sNlbZones: number;
}

/** Small-deployment defaults (a test or dev stack with modest traffic). */
export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  hoursPerMonth: 730,
  nlbLcuPerHour: 1,
  natDataGBPerMonth: 20,
  efsSizeGB: 5,
  efsReadGBPerMonth: 5,
  efsWriteGBPerMonth: 2,
  s3SizeGB: 1,
  s3PutsPerMonth: 1000,
  s3GetsPerMonth: 10000,
  secretsApiCallsPerMonth: 1000,
  k8sNlbZones: 2,
};

export interface CostOptions {
  /** AWS region of the stack (`aws:region`); undefined for a stack that uses no AWS. */
  region?: string;
  /** Price table; default the shipped one. */
  prices?: PriceTable;
  /** Overrides of the default assumptions. */
  assumptions?: Partial<CostAssumptions>;
  /** Node types to express Kubernetes pods' requests in; default the table's list. */
  nodeTypes?: string[];
}

export type Money = number | 'unknown';

export interface CostLine {
  /** What is priced, e.g. "EC2 m5.large (Linux, on-demand)". */
  what: string;
  /** Logical name of the resource the line comes from. */
  resource: string;
  quantity: number;
  /** Unit of the quantity, e.g. "instance-hour", "GB-month". */
  unit: string;
  /** USD per unit; 'unknown' when the table has no price. */
  unitPrice: Money;
  /** quantity x unitPrice rounded to cents; 'unknown' with an unknown unit price. */
  monthly: Money;
  /** Why the quantity is what it is, or that the price is unverified. */
  note?: string;
}

export interface NodeTypeShare {
  nodeType: string;
  vcpu: number;
  memoryGiB: number;
  /** Requested CPU / the node's vCPUs, requested memory / the node's memory. */
  cpuShare: number;
  memoryShare: number;
  /** The larger share: how many such nodes the requests fill (capacity, not allocatable). */
  nodes: number;
  /** nodes x the node's monthly price: what the requests occupy, not a bill of this stack. */
  monthlyEquivalent: Money;
}

export interface KubernetesRequests {
  workloads: { kind: string; name: string; replicas: number; cpu: number; memoryGiB: number }[];
  cpu: number;
  memoryGiB: number;
  nodeTypes: NodeTypeShare[];
}

export interface CostReport {
  currency: string;
  region: string | null;
  pricesTakenOn: string;
  priceSource: string;
  lines: CostLine[];
  /** Sum of the known lines, in USD. With unknown lines it is a lower bound. */
  monthlyTotal: number;
  /** What could not be priced ("<resource>: <why>"); empty when the total is complete. */
  unknown: string[];
  /** The usage assumptions the estimate rests on, in words. */
  assumptions: string[];
  /** What the stack uses but does not create or pay through this estimate. */
  notIncluded: string[];
  /** Pods' requested CPU and memory (Kubernetes stacks). */
  kubernetes?: KubernetesRequests;
}

const cents = (x: number): number => Math.round(Number((x * 100).toPrecision(12)));
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Resource types that cost nothing by themselves (or whose cost is counted on another line). */
const FREE_TYPES = new Set([
  'aws:ec2/networkInterface:NetworkInterface',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule',
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:ec2/routeTable:RouteTable',
  'aws:ec2/routeTableAssociation:RouteTableAssociation',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/vpc:Vpc',
  'aws:iam/instanceProfile:InstanceProfile',
  'aws:iam/role:Role',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  'aws:lb/listener:Listener',
  'aws:lb/targetGroup:TargetGroup',
  'aws:lb/targetGroupAttachment:TargetGroupAttachment',
  'aws:s3/bucketObjectv2:BucketObjectv2',
  'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  'aws:s3/bucketVersioning:BucketVersioning',
  'aws:efs/accessPoint:AccessPoint',
  'aws:efs/mountTarget:MountTarget',
  'aws:rds/parameterGroup:ParameterGroup',
  'aws:rds/subnetGroup:SubnetGroup',
  'aws:secretsmanager/secretVersion:SecretVersion',
  // ACM: public and imported certificates used with ELB are free (aws.amazon.com/certificate-manager/pricing);
  // Route 53 records cost nothing by themselves, and alias queries to an ELB are free (the zone is the operator's)
  'aws:acm/certificate:Certificate',
  'aws:acm/certificateValidation:CertificateValidation',
  'aws:route53/record:Record',
]);

/** Collects lines; knows the region's prices and the assumptions. */
class Estimate {
  readonly lines: CostLine[] = [];
  readonly unknown: string[] = [];
  readonly notIncluded: string[] = [];
  readonly used = new Set<string>();

  constructor(
    readonly table: PriceTable,
    readonly region: string | undefined,
    readonly prices: RegionPrices | undefined,
    readonly a: CostAssumptions,
  ) {}

  /** A price by dotted key (`ec2InstancePerHour.m5.large`), or undefined. */
  price(group: keyof RegionPrices, item?: string): { value?: number; key: string } {
    const key = item === undefined ? String(group) : `${String(group)}.${item}`;
    const g = this.prices?.[group] as unknown;
    const value = item === undefined ? g : (g as Record<string, number> | undefined)?.[item];
    return { value: typeof value === 'number' ? value : undefined, key };
  }

  /** Adds a line; an absent price makes it unknown and listed. */
  add(what: string, resource: string, quantity: number, unit: string, p: { value?: number; key: string }, note?: string): void {
    if (p.value === undefined) {
      const why = this.prices ? `no ${p.key} in the ${this.region} price table` : this.region ? `no prices for region ${this.region}` : 'no AWS region configured';
      this.lines.push({ what, resource, quantity, unit, unitPrice: 'unknown', monthly: 'unknown', note: note ? `${note}; ${why}` : why });
      this.unknown.push(`${resource}: ${what} (${why})`);
      return;
    }
    this.used.add(p.key);
    const unverified = this.prices!.unverified.includes(p.key) ? 'unverified price' : undefined;
    const n = [note, unverified].filter(Boolean).join('; ');
    this.lines.push({ what, resource, quantity, unit, unitPrice: p.value, monthly: cents(quantity * p.value) / 100, ...(n ? { note: n } : {}) });
  }

  /** A line whose price cannot be known from the plan at all (e.g. a missing size). */
  unknownLine(what: string, resource: string, unit: string, why: string): void {
    this.lines.push({ what, resource, quantity: 0, unit, unitPrice: 'unknown', monthly: 'unknown', note: why });
    this.unknown.push(`${resource}: ${what} (${why})`);
  }

  publicIpv4(resource: string, count: number, note: string): void {
    this.add('Public IPv4 address', resource, count * this.a.hoursPerMonth, 'address-hour', this.price('publicIpv4PerHour'), note);
  }
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function ec2Instance(e: Estimate, r: CostResource): void {
  const i = obj(r.inputs);
  const type = str(i.instanceType);
  const h = e.a.hoursPerMonth;
  if (!type) e.unknownLine('EC2 instance (type not known at plan time)', r.name, 'instance-hour', 'instanceType is not a plain value');
  else e.add(`EC2 ${type} (Linux, on-demand)`, r.name, h, 'instance-hour', e.price('ec2InstancePerHour', type));
  const root = obj(i.rootBlockDevice);
  const size = num(root.volumeSize);
  const vt = str(root.volumeType);
  if (size === undefined || !vt) e.unknownLine('EBS root volume', r.name, 'GB-month', 'root volume size/type come from the AMI: not in the plan');
  else e.add(`EBS ${vt} root volume`, r.name, size, 'GB-month', e.price('ebsPerGBMonth', vt));
  for (const d of Array.isArray(i.ebsBlockDevices) ? i.ebsBlockDevices : []) {
    const ds = num(obj(d).volumeSize);
    const dt = str(obj(d).volumeType);
    if (ds === undefined || !dt) e.unknownLine('EBS data volume', r.name, 'GB-month', 'size/type not in the plan');
    else e.add(`EBS ${dt} data volume`, r.name, ds, 'GB-month', e.price('ebsPerGBMonth', dt));
  }
  if (i.associatePublicIpAddress === true) e.publicIpv4(r.name, 1, 'instance public address');
}

function rdsInstance(e: Estimate, r: CostResource): void {
  const i = obj(r.inputs);
  const cls = str(i.instanceClass);
  const engine = str(i.engine);
  const multi = i.multiAz === true;
  const factor = multi ? e.table.rdsMultiAzFactor : 1;
  const az = multi ? `Multi-AZ (x${factor})` : 'Single-AZ';
  const h = e.a.hoursPerMonth;
  if (!cls) e.unknownLine('RDS instance (class not known at plan time)', r.name, 'instance-hour', 'instanceClass is not a plain value');
  else if (engine !== 'mysql') e.unknownLine(`RDS ${engine ?? '?'} ${cls}`, r.name, 'instance-hour', 'the table prices RDS for MySQL only');
  else e.add(`RDS MySQL ${cls}, ${az}`, r.name, h * factor, 'instance-hour', e.price('rdsInstancePerHour', cls));
  const gb = num(i.allocatedStorage);
  // The AWS API's default storage type without iops is gp2.
  const st = str(i.storageType) ?? 'gp2';
  if (gb === undefined) e.unknownLine('RDS storage', r.name, 'GB-month', 'allocatedStorage not in the plan');
  else e.add(`RDS ${st} storage, ${az}`, r.name, gb * factor, 'GB-month', e.price('rdsStoragePerGBMonth', st), 'automated backups up to the provisioned size are free');
}

function loadBalancer(e: Estimate, r: CostResource): void {
  const i = obj(r.inputs);
  const kind = str(i.loadBalancerType) ?? 'application';
  if (kind !== 'network') {
    e.unknownLine(`Load balancer (${kind})`, r.name, 'LB-hour', `the table prices network load balancers only`);
    return;
  }
  nlbLines(e, r.name, i.internal === true ? 0 : (Array.isArray(i.subnets) ? i.subnets.length : Array.isArray(i.subnetMappings) ? i.subnetMappings.length : 0), 'one per subnet');
}

function nlbLines(e: Estimate, name: string, publicAddresses: number, why: string): void {
  const h = e.a.hoursPerMonth;
  e.add('Network Load Balancer', name, h, 'NLB-hour', e.price('nlbPerHour'));
  e.add('NLB capacity units', name, h * e.a.nlbLcuPerHour, 'LCU-hour', e.price('nlbPerLcuHour'), `assumed ${e.a.nlbLcuPerHour} LCU on average`);
  if (publicAddresses > 0) e.publicIpv4(name, publicAddresses, `internet-facing NLB: ${why}`);
}

function natGateway(e: Estimate, r: CostResource): void {
  const h = e.a.hoursPerMonth;
  e.add('NAT gateway', r.name, h, 'gateway-hour', e.price('natGatewayPerHour'));
  e.add('NAT gateway data processed', r.name, e.a.natDataGBPerMonth, 'GB', e.price('natGatewayPerGB'), `assumed ${e.a.natDataGBPerMonth} GB a month`);
}

function efsFileSystem(e: Estimate, r: CostResource): void {
  const i = obj(r.inputs);
  e.add('EFS Standard storage', r.name, e.a.efsSizeGB, 'GB-month', e.price('efsStandardPerGBMonth'), `assumed ${e.a.efsSizeGB} GB stored`);
  if (str(i.throughputMode) === 'elastic') {
    e.add('EFS Elastic throughput reads', r.name, e.a.efsReadGBPerMonth, 'GB', e.price('efsElasticReadPerGB'), `assumed ${e.a.efsReadGBPerMonth} GB a month`);
    e.add('EFS Elastic throughput writes', r.name, e.a.efsWriteGBPerMonth, 'GB', e.price('efsElasticWritePerGB'), `assumed ${e.a.efsWriteGBPerMonth} GB a month`);
  }
}

function efsBackup(e: Estimate, r: CostResource): void {
  if (str(obj(obj(r.inputs).backupPolicy).status) !== 'ENABLED') return;
  e.add('AWS Backup of EFS (warm storage)', r.name, e.a.efsSizeGB, 'GB-month', e.price('backupEfsWarmPerGBMonth'), `assumed backups hold ${e.a.efsSizeGB} GB (the file system's size; incrementals small)`);
}

function secret(e: Estimate, r: CostResource): void {
  e.add('Secrets Manager secret', r.name, 1, 'secret-month', e.price('secretPerMonth'));
  const per10k = e.price('secretsPer10kApiCalls');
  e.add('Secrets Manager API calls', r.name, e.a.secretsApiCallsPerMonth / 10000, '10k calls', per10k, `assumed ${e.a.secretsApiCallsPerMonth} calls a month`);
}

function s3Bucket(e: Estimate, r: CostResource): void {
  e.add('S3 Standard storage', r.name, e.a.s3SizeGB, 'GB-month', e.price('s3StandardPerGBMonth'), `assumed ${e.a.s3SizeGB} GB stored`);
  e.add('S3 PUT requests', r.name, e.a.s3PutsPerMonth / 1000, '1k requests', e.price('s3PutPer1000'), `assumed ${e.a.s3PutsPerMonth} a month`);
  e.add('S3 GET requests', r.name, e.a.s3GetsPerMonth / 1000, '1k requests', e.price('s3GetPer1000'), `assumed ${e.a.s3GetsPerMonth} a month`);
}

const AWS_RULES: Record<string, (e: Estimate, r: CostResource) => void> = {
  'aws:ec2/instance:Instance': ec2Instance,
  'aws:rds/instance:Instance': rdsInstance,
  'aws:lb/loadBalancer:LoadBalancer': loadBalancer,
  'aws:alb/loadBalancer:LoadBalancer': loadBalancer,
  'aws:ec2/natGateway:NatGateway': natGateway,
  'aws:ec2/eip:Eip': (e, r) => e.publicIpv4(r.name, 1, 'Elastic IP'),
  'aws:efs/fileSystem:FileSystem': efsFileSystem,
  'aws:efs/backupPolicy:BackupPolicy': efsBackup,
  'aws:secretsmanager/secret:Secret': secret,
  'aws:s3/bucket:Bucket': s3Bucket,
  'aws:s3/bucketV2:BucketV2': s3Bucket,
};

// ---- Kubernetes ------------------------------------------------------------------------------

/** Kubernetes CPU quantity ("250m", "1", "0.5") in cores; undefined when unparsable. */
export function parseCpu(q: unknown): number | undefined {
  const s = typeof q === 'number' ? String(q) : str(q);
  const m = s && /^([0-9.]+)(m?)$/.exec(s.trim());
  if (!m) return undefined;
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

const MEMORY_UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Kubernetes memory quantity ("768Mi", "1Gi", "512M") in GiB; undefined when unparsable. */
export function parseMemoryGiB(q: unknown): number | undefined {
  const s = typeof q === 'number' ? String(q) : str(q);
  const m = s && /^([0-9.]+)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(s.trim());
  if (!m) return undefined;
  return (Number(m[1]) * MEMORY_UNITS[m[2] ?? '']) / 2 ** 30;
}

/** Requests of Deployments and StatefulSets (replicas x containers' requests). */
function podRequests(e: Estimate, records: readonly CostResource[], nodeTypes: string[]): KubernetesRequests | undefined {
  const workloads: KubernetesRequests['workloads'] = [];
  for (const r of records) {
    const kind = r.type === 'kubernetes:apps/v1:Deployment' ? 'Deployment' : r.type === 'kubernetes:apps/v1:StatefulSet' ? 'StatefulSet' : undefined;
    if (!kind) continue;
    const spec = obj(obj(r.inputs).spec);
    const replicas = num(spec.replicas) ?? 1;
    let cpu = 0;
    let mem = 0;
    const containers = obj(obj(spec.template).spec).containers;
    for (const c of Array.isArray(containers) ? containers : []) {
      const req = obj(obj(obj(c).resources).requests);
      const cc = req.cpu === undefined ? 0 : parseCpu(req.cpu);
      const cm = req.memory === undefined ? 0 : parseMemoryGiB(req.memory);
      if (cc === undefined || cm === undefined) e.unknown.push(`${r.name}: container ${str(obj(c).name)} requests ${JSON.stringify(req)} not understood`);
      cpu += cc ?? 0;
      mem += cm ?? 0;
    }
    workloads.push({ kind, name: r.name, replicas, cpu: round(cpu * replicas, 3), memoryGiB: round(mem * replicas, 4) });
    for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) claimLines(e, `${r.name}/${str(obj(obj(t).metadata).name)}`, obj(t).spec, replicas);
  }
  if (!workloads.length) return undefined;
  const cpu = round(workloads.reduce((s, w) => s + w.cpu, 0), 3);
  const memoryGiB = round(workloads.reduce((s, w) => s + w.memoryGiB, 0), 4);
  const shares: NodeTypeShare[] = nodeTypes.map((nodeType) => {
    const spec = e.table.instanceSpecs[nodeType] ?? { vcpu: NaN, memoryGiB: NaN };
    const cpuShare = round(cpu / spec.vcpu, 3);
    const memoryShare = round(memoryGiB / spec.memoryGiB, 3);
    const nodes = Math.max(cpuShare, memoryShare);
    const p = e.price('ec2InstancePerHour', nodeType).value;
    const monthlyEquivalent: Money = p === undefined || !Number.isFinite(nodes) ? 'unknown' : cents(nodes * p * e.a.hoursPerMonth) / 100;
    return { nodeType, vcpu: spec.vcpu, memoryGiB: spec.memoryGiB, cpuShare, memoryShare, nodes, monthlyEquivalent };
  });
  return { workloads, cpu, memoryGiB, nodeTypes: shares };
}

/** Storage of a claim, priced when its storage class names an AWS storage kind. */
function claimLines(e: Estimate, name: string, specIn: unknown, count: number): void {
  const spec = obj(specIn);
  const sc = str(spec.storageClassName);
  const gib = parseMemoryGiB(obj(obj(spec.resources).requests).storage);
  if (!e.region) {
    e.notIncluded.push(`${name}: volume on the cluster's own storage (not AWS)`);
    return;
  }
  if (sc && /efs/i.test(sc)) {
    e.add(`EFS Standard storage (claim on storage class ${sc})`, name, e.a.efsSizeGB, 'GB-month', e.price('efsStandardPerGBMonth'), `on the cluster's existing file system, billed by use: assumed ${e.a.efsSizeGB} GB`);
  } else if (sc && /gp3|gp2/i.test(sc) && gib !== undefined) {
    const vt = /gp3/i.test(sc) ? 'gp3' : 'gp2';
    e.add(`EBS ${vt} volume (storage class ${sc})`, name, round(gib * count, 3), 'GB-month', e.price('ebsPerGBMonth', vt));
  } else {
    e.unknownLine(`Volume on storage class ${sc || '(cluster default)'}`, name, 'GB-month', 'storage class not known to be EFS or EBS gp2/gp3');
  }
}

/** A Service of type LoadBalancer: on AWS an NLB when annotated so. */
function k8sService(e: Estimate, r: CostResource): void {
  const i = obj(r.inputs);
  if (str(obj(i.spec).type) !== 'LoadBalancer') return;
  if (!e.region) {
    e.notIncluded.push(`${r.name}: LoadBalancer Service served by the local cluster (not AWS)`);
    return;
  }
  const ann = obj(obj(i.metadata).annotations);
  const lbType = str(ann['service.beta.kubernetes.io/aws-load-balancer-type']);
  if (lbType !== 'nlb' && lbType !== 'external') {
    e.unknownLine('Load balancer of a LoadBalancer Service (Classic ELB by default)', r.name, 'LB-hour', 'the table prices network load balancers only');
    return;
  }
  const internal = str(ann['service.beta.kubernetes.io/aws-load-balancer-scheme']) === 'internal';
  nlbLines(e, r.name, internal ? 0 : e.a.k8sNlbZones, `assumed ${e.a.k8sNlbZones} zones, one address each`);
}

// ---- the estimate ----------------------------------------------------------------------------

function describeAssumptions(a: CostAssumptions): string[] {
  return [
    `${a.hoursPerMonth} hours a month, every resource running all month, on-demand list prices, no free tier, no taxes`,
    `NLB: ${a.nlbLcuPerHour} LCU per load balancer per hour on average`,
    `NAT gateway: ${a.natDataGBPerMonth} GB processed per gateway a month; data transfer out to the internet and between zones not included`,
    `EFS: ${a.efsSizeGB} GB stored per file system; Elastic throughput ${a.efsReadGBPerMonth} GB read and ${a.efsWriteGBPerMonth} GB written a month`,
    `S3: ${a.s3SizeGB} GB per bucket, ${a.s3PutsPerMonth} PUT and ${a.s3GetsPerMonth} GET requests a month`,
    `Secrets Manager: ${a.secretsApiCallsPerMonth} API calls per secret a month`,
    `EBS root volumes: the size and type in the instance's rootBlockDevice`,
    `RDS: Multi-AZ doubles instance hours and storage; automated backups up to the provisioned size are free`,
  ];
}

/**
 * Estimates the monthly cost of a planned stack.
 * @param resources the records of `resources.json`.
 * @param options region (undefined for a stack that creates nothing on AWS), price table,
 *   assumption overrides and node types for the Kubernetes requests.
 */
export function estimateCost(resources: readonly CostResource[], options: CostOptions = {}): CostReport {
  const table = options.prices ?? (shippedPrices as unknown as PriceTable);
  const a = { ...DEFAULT_ASSUMPTIONS, ...options.assumptions };
  const region = options.region || undefined;
  const e = new Estimate(table, region, region ? table.regions[region] : undefined, a);
  const unpriced = new Map<string, number>();
  let kubernetes = false;
  for (const r of resources) {
    const rule = AWS_RULES[r.type];
    if (rule) rule(e, r);
    else if (r.type === 'kubernetes:core/v1:Service') k8sService(e, r);
    else if (r.type === 'kubernetes:core/v1:PersistentVolumeClaim') claimLines(e, r.name, obj(r.inputs).spec, 1);
    else if (r.type.startsWith('aws:') && !FREE_TYPES.has(r.type)) unpriced.set(r.type, (unpriced.get(r.type) ?? 0) + 1);
    if (r.type.startsWith('kubernetes:')) kubernetes = true;
  }
  for (const [type, n] of [...unpriced].sort()) e.unknown.push(`${n} x ${type}: no price rule for this resource type`);
  const k8s = kubernetes ? podRequests(e, resources, options.nodeTypes ?? table.kubernetesNodeTypes) : undefined;
  if (kubernetes && region) {
    e.notIncluded.push(`the EKS cluster (control plane $${table.regions[region]?.eksClusterPerHour ?? '?'}/h) and its worker nodes: they exist before this stack; the pods' share of nodes is shown below`);
  }
  const total = e.lines.reduce((s, l) => s + (l.monthly === 'unknown' ? 0 : cents(l.monthly)), 0) / 100;
  return {
    currency: table.currency,
    region: region ?? null,
    pricesTakenOn: table.takenOn,
    priceSource: table.source,
    lines: e.lines,
    monthlyTotal: total,
    unknown: e.unknown,
    assumptions: describeAssumptions(a),
    notIncluded: e.notIncluded,
    ...(k8s ? { kubernetes: k8s } : {}),
  };
}

// ---- output ----------------------------------------------------------------------------------

const usd = (m: Money, digits = 2): string => (m === 'unknown' ? 'unknown' : `$${m.toFixed(digits)}`);

/** The estimate as plan.txt shows it. */
export function renderCostSummary(report: CostReport): string {
  const out: string[] = [];
  const where = report.region ? `${report.region} list prices taken ${report.pricesTakenOn}` : 'no AWS region';
  out.push(`Monthly cost estimate (${report.currency}, ${where})`);
  const rows = report.lines.map((l) => [l.what, l.resource, `${round(l.quantity, 4)} ${l.unit}`, usd(l.unitPrice, 4), usd(l.monthly), l.note ?? '']);
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(0, ...rows.map((r) => r[c].length)));
  for (const r of rows) {
    out.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3].padStart(widths[3])}  ${r[4].padStart(widths[4])}${r[5] ? `  (${r[5]})` : ''}`.trimEnd());
  }
  if (!rows.length) out.push('  (nothing priced: the stack creates no AWS resource)');
  const bound = report.unknown.length ? `at least ${usd(report.monthlyTotal)}: ${report.unknown.length} unknown` : usd(report.monthlyTotal);
  out.push(`  Monthly total: ${bound}`);
  if (report.unknown.length) out.push('Unknown (not in the total):', ...report.unknown.map((u) => `  ${u}`));
  if (report.notIncluded.length) out.push('Not included:', ...report.notIncluded.map((u) => `  ${u}`));
  const k = report.kubernetes;
  if (k) {
    out.push(`Pods request ${k.cpu} vCPU and ${k.memoryGiB} GiB:`);
    for (const w of k.workloads) out.push(`  ${w.kind} ${w.name}: ${w.replicas} x -> ${w.cpu} vCPU, ${w.memoryGiB} GiB`);
    out.push('  as a share of node types (capacity; allocatable is less):');
    for (const n of k.nodeTypes) {
      const price = report.region ? ` ~ ${usd(n.monthlyEquivalent)}/month of node time` : '';
      out.push(`  ${n.nodeType} (${n.vcpu} vCPU, ${n.memoryGiB} GiB): ${n.nodes} nodes (cpu ${n.cpuShare}, memory ${n.memoryShare})${price}`);
    }
  }
  out.push('Assumptions:', ...report.assumptions.map((s) => `  ${s}`));
  out.push(`Prices: ${report.priceSource}`);
  return out.join('\n') + '\n';
}

/** cost.json: canonical (sorted keys), so equal estimates are equal bytes. */
export function costJson(report: CostReport): string {
  return canonicalJson(report);
}

/**
 * Writes `cost.json` into a plan directory and appends the summary to its `plan.txt` (when there).
 * @param outDir the plan's output directory.
 * @param resources the records written to `resources.json`.
 * @param region the stack's `aws:region` (undefined when it has none).
 */
export function writeCostFiles(outDir: string, resources: readonly CostResource[], region: string | undefined): CostReport {
  const report = estimateCost(resources, { region });
  fs.writeFileSync(path.join(outDir, 'cost.json'), costJson(report));
  const planTxt = path.join(outDir, 'plan.txt');
  if (fs.existsSync(planTxt)) fs.appendFileSync(planTxt, `\n${renderCostSummary(report)}`);
  return report;
}
