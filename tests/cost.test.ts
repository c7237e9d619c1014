/**
 * The monthly cost estimate (scripts/lib/cost.ts): a hand-computed fixture stack, unknown prices
 * reported as unknown (never 0), Kubernetes requests as a share of node types, the four shipped
 * stacks' baselines, determinism, and the files `plan` will write.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import prices from '../pricing/aws-list-prices.json';
import { CostResource, costJson, estimateCost, parseCpu, parseMemoryGiB, renderCostSummary, writeCostFiles } from '../scripts/lib/cost';
import { currentResources, newestSourceMtime } from '../scripts/cost';

const res = (type: string, name: string, inputs: Record<string, unknown> = {}): CostResource => ({
  type,
  name,
  urn: `urn:pulumi:t::p::${type}::${name}`,
  parent: null,
  inputs,
});

/** A small EC2-like stack in eu-west-1, priced by hand below. */
const FIXTURE: CostResource[] = [
  res('wso2:pattern2:Pattern2', 'root'),
  res('aws:ec2/instance:Instance', 'vm', { instanceType: 'm5.large', rootBlockDevice: { volumeSize: 30, volumeType: 'gp3' } }),
  res('aws:ec2/securityGroup:SecurityGroup', 'sg'),
  res('aws:rds/instance:Instance', 'db', { engine: 'mysql', instanceClass: 'db.t3.medium', multiAz: true, allocatedStorage: 50, storageType: 'gp3' }),
  res('aws:lb/loadBalancer:LoadBalancer', 'nlb', { loadBalancerType: 'network', internal: false, subnets: ['subnet-a', 'subnet-b'] }),
  res('aws:lb/loadBalancer:LoadBalancer', 'inner', { loadBalancerType: 'network', internal: true, subnets: ['subnet-c', 'subnet-d'] }),
  res('aws:ec2/natGateway:NatGateway', 'nat', { allocationId: 'eipalloc-1' }),
  res('aws:ec2/eip:Eip', 'nat-ip', { domain: 'vpc' }),
  res('aws:efs/fileSystem:FileSystem', 'fs', { throughputMode: 'bursting' }),
  res('aws:secretsmanager/secret:Secret', 'secret'),
  res('aws:s3/bucket:Bucket', 'bucket'),
];
const ASSUME = { natDataGBPerMonth: 100, secretsApiCallsPerMonth: 20000, s3SizeGB: 10, s3PutsPerMonth: 2000, s3GetsPerMonth: 100000 };

describe('estimateCost', () => {
  test('the fixture stack equals the sum computed by hand', () => {
    // eu-west-1 list prices of the shipped table (checked here, so a re-taken table that
    // changes one of them fails with the price, not a puzzling total):
    const eu = prices.regions['eu-west-1'];
    expect([eu.ec2InstancePerHour['m5.large'], eu.ebsPerGBMonth.gp3, eu.rdsInstancePerHour['db.t3.medium'], eu.rdsStoragePerGBMonth.gp3]).toEqual([0.107, 0.088, 0.072, 0.127]);
    expect([eu.nlbPerHour, eu.nlbPerLcuHour, eu.publicIpv4PerHour, eu.natGatewayPerHour, eu.natGatewayPerGB]).toEqual([0.0252, 0.006, 0.005, 0.048, 0.048]);
    expect([eu.efsStandardPerGBMonth, eu.secretPerMonth, eu.secretsPer10kApiCalls, eu.s3StandardPerGBMonth, eu.s3PutPer1000, eu.s3GetPer1000]).toEqual([0.33, 0.4, 0.05, 0.023, 0.005, 0.0004]);
    // By hand (730 h/month):
    //   vm      EC2 m5.large        730 h  x 0.107    =  78.11
    //           EBS gp3 root         30 GB x 0.088    =   2.64
    //   db      RDS db.t3.medium, Multi-AZ: 1460 h x 0.072 = 105.12
    //           gp3 storage, Multi-AZ: 100 GB x 0.127    =  12.70
    //   nlb     NLB                 730 h  x 0.0252   =  18.40 (18.396)
    //           1 LCU               730 h  x 0.006    =   4.38
    //           2 public IPv4      1460 h  x 0.005    =   7.30
    //   inner   NLB + 1 LCU (internal: no public IPv4) = 18.40 + 4.38
    //   nat     NAT gateway         730 h  x 0.048    =  35.04
    //           100 GB (assumed)          x 0.048    =   4.80
    //   nat-ip  public IPv4         730 h  x 0.005    =   3.65
    //   fs      EFS 5 GB (assumed, bursting: no throughput charge) x 0.33 = 1.65
    //   secret  1 x 0.40 = 0.40; 20,000 calls = 2 x 0.05 = 0.10
    //   bucket  10 GB x 0.023 = 0.23; 2,000 PUT = 2 x 0.005 = 0.01; 100,000 GET = 100 x 0.0004 = 0.04
    //   sg, root: nothing.
    // Total = 78.11 + 2.64 + 105.12 + 12.70 + 18.40 + 4.38 + 7.30 + 18.40 + 4.38 + 35.04 + 4.80
    //       + 3.65 + 1.65 + 0.40 + 0.10 + 0.23 + 0.01 + 0.04 = 297.35
    const report = estimateCost(FIXTURE, { region: 'eu-west-1', assumptions: ASSUME });
    expect(report.unknown).toEqual([]);
    expect(report.monthlyTotal).toBe(297.35);
    const monthly = (resource: string) => report.lines.filter((l) => l.resource === resource).map((l) => l.monthly);
    expect(monthly('vm')).toEqual([78.11, 2.64]);
    expect(monthly('db')).toEqual([105.12, 12.7]);
    expect(monthly('nlb')).toEqual([18.4, 4.38, 7.3]);
    expect(monthly('inner')).toEqual([18.4, 4.38]);
    expect(monthly('nat')).toEqual([35.04, 4.8]);
    expect(monthly('nat-ip')).toEqual([3.65]);
    expect(monthly('fs')).toEqual([1.65]);
    expect(monthly('secret')).toEqual([0.4, 0.1]);
    expect(monthly('bucket')).toEqual([0.23, 0.01, 0.04]);
    expect(report.lines.find((l) => l.resource === 'db')).toMatchObject({ quantity: 1460, unit: 'instance-hour', unitPrice: 0.072 });
  });

  test('an unknown instance type is reported as unknown, listed, and left out of the total (never 0)', () => {
    const withUnknown = FIXTURE.map((r) => (r.name === 'vm' ? { ...r, inputs: { ...(r.inputs as object), instanceType: 'm99.huge' } } : r));
    const report = estimateCost(withUnknown, { region: 'eu-west-1', assumptions: ASSUME });
    const line = report.lines.find((l) => l.resource === 'vm' && l.what.includes('m99.huge'))!;
    expect(line).toMatchObject({ unitPrice: 'unknown', monthly: 'unknown' });
    expect(report.unknown).toEqual([expect.stringMatching(/^vm: EC2 m99\.huge .*no ec2InstancePerHour\.m99\.huge in the eu-west-1 price table/)]);
    expect(report.monthlyTotal).toBe(219.24); // 297.35 - 78.11
    expect(JSON.parse(costJson(report)).lines.find((l: { resource: string; what: string }) => l.resource === 'vm' && l.what.includes('m99')).monthly).toBe('unknown');
    expect(renderCostSummary(report)).toMatch(/Monthly total: at least \$219\.24: 1 unknown/);
  });

  test('an unknown region, RDS class, missing root size and an unpriced AWS type are unknown too', () => {
    expect(estimateCost(FIXTURE, { region: 'ap-south-9' }).lines.every((l) => l.monthly === 'unknown')).toBe(true);
    const report = estimateCost(
      [
        res('aws:rds/instance:Instance', 'db', { engine: 'mysql', instanceClass: 'db.x9.mega', allocatedStorage: 20, storageType: 'gp3' }),
        res('aws:ec2/instance:Instance', 'vm', { instanceType: 't3.medium' }),
        res('aws:elasticache/cluster:Cluster', 'cache'),
        res('aws:elasticache/cluster:Cluster', 'cache2'),
      ],
      { region: 'us-east-1' },
    );
    expect(report.unknown).toEqual([
      expect.stringMatching(/^db: RDS MySQL db\.x9\.mega/),
      expect.stringMatching(/^vm: EBS root volume .*AMI/),
      '2 x aws:elasticache/cluster:Cluster: no price rule for this resource type',
    ]);
    // Known lines still count: RDS gp3 20 GB x 0.115 = 2.30; t3.medium 730 x 0.0416 = 30.368 -> 30.37.
    expect(report.monthlyTotal).toBe(32.67);
  });

  test('Kubernetes: pods\' requests (replicas x containers) as a share of named node types; NLB and EFS claim priced', () => {
    const report = estimateCost(
      [
        res('kubernetes:apps/v1:StatefulSet', 'is', {
          spec: { replicas: 2, template: { spec: { containers: [{ name: 's', resources: { requests: { cpu: '500m', memory: '1536Mi' } } }] } } },
        }),
        res('kubernetes:apps/v1:Deployment', 'web', {
          spec: { template: { spec: { containers: [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }] } } },
        }),
        res('kubernetes:core/v1:Service', 'lb', {
          metadata: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb', 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' } },
          spec: { type: 'LoadBalancer' },
        }),
        res('kubernetes:core/v1:PersistentVolumeClaim', 'shared', { spec: { storageClassName: 'efs-sc', resources: { requests: { storage: '10Gi' } } } }),
      ],
      { region: 'eu-west-1', nodeTypes: ['m5.large', 'r5.large', 'x1.weird'] },
    );
    // 2 x (0.5 vCPU, 1.5 GiB) + 1 x (1 vCPU, 1 GiB) = 2 vCPU, 4 GiB.
    expect(report.kubernetes).toMatchObject({ cpu: 2, memoryGiB: 4 });
    // m5.large (2 vCPU, 8 GiB): cpu 1, memory 0.5 -> 1 node -> 730 x 0.107 = 78.11.
    // r5.large (2 vCPU, 16 GiB): cpu 1, memory 0.25 -> 1 node -> 730 x 0.141 = 102.93.
    expect(report.kubernetes!.nodeTypes.map((n) => [n.nodeType, n.cpuShare, n.memoryShare, n.nodes, n.monthlyEquivalent])).toEqual([
      ['m5.large', 1, 0.5, 1, 78.11],
      ['r5.large', 1, 0.25, 1, 102.93],
      ['x1.weird', NaN, NaN, NaN, 'unknown'],
    ]);
    // NLB 18.40 + LCU 4.38 + 2 assumed zones' IPv4 7.30 + EFS 5 GB assumed 1.65 = 31.73; nodes not in the total.
    expect(report.monthlyTotal).toBe(31.73);
    expect(report.notIncluded.join('\n')).toMatch(/EKS cluster/);
  });

  test('quantities parse as Kubernetes writes them', () => {
    expect([parseCpu('250m'), parseCpu('1'), parseCpu(0.5), parseCpu('x')]).toEqual([0.25, 1, 0.5, undefined]);
    expect([parseMemoryGiB('768Mi'), parseMemoryGiB('2Gi'), parseMemoryGiB('1073741824'), parseMemoryGiB('1G')]).toEqual([0.75, 2, 1, 1e9 / 2 ** 30]);
  });
});

describe('the shipped stacks (tests/baseline)', () => {
  const baseline = (stack: string): CostResource[] => JSON.parse(fs.readFileSync(path.join(__dirname, 'baseline', stack, 'resources.json'), 'utf8'));
  const whats = (stack: string, region?: string) => estimateCost(baseline(stack), { region }).lines.map((l) => l.what);

  test('dev and prod: four instances with root volumes, four NLBs, NAT, RDS, EFS, the secret, the bucket; all priced', () => {
    for (const [stack, type, nat, rds] of [
      ['dev', 't4g.medium', 1, 'RDS MySQL db.t4g.small, Single-AZ'],
      ['prod', 'm5.xlarge', 2, 'RDS MySQL db.m6g.large, Multi-AZ (x2)'],
    ] as const) {
      const report = estimateCost(baseline(stack), { region: 'eu-west-1' });
      expect(report.unknown).toEqual([]);
      const w = whats(stack, 'eu-west-1');
      expect(w.filter((x) => x === `EC2 ${type} (Linux, on-demand)`)).toHaveLength(4);
      expect(w.filter((x) => x === 'EBS gp3 root volume')).toHaveLength(4);
      expect(w.filter((x) => x === 'Network Load Balancer')).toHaveLength(4);
      expect(w.filter((x) => x === 'NAT gateway')).toHaveLength(nat);
      expect(w).toContain(rds);
      expect(w).toEqual(expect.arrayContaining(['EFS Standard storage', 'Secrets Manager secret', 'S3 Standard storage', 'Public IPv4 address']));
      expect(report.monthlyTotal).toBeGreaterThan(0);
    }
    expect(whats('prod', 'eu-west-1')).toContain('AWS Backup of EFS (warm storage)');
  });

  test('dev costs at most $300 a month at list price, with both analytics nodes, each node at the products\' minimum of 2 vCPUs and 4 GiB', () => {
    const resources = baseline('dev');
    const report = estimateCost(resources, { region: 'eu-west-1' });
    expect(report.unknown).toEqual([]);
    expect(report.monthlyTotal).toBeLessThanOrEqual(300);
    const specs = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'pricing', 'aws-list-prices.json'), 'utf8')) as {
      instanceSpecs: Record<string, { vcpu: number; memoryGiB: number }>;
    }).instanceSpecs;
    const instances = resources.filter((r) => r.type === 'aws:ec2/instance:Instance');
    expect(instances.map((r) => r.name).sort()).toEqual(['wso2is-ec2-analytics-1', 'wso2is-ec2-analytics-2', 'wso2is-ec2-is-1', 'wso2is-ec2-is-2']);
    for (const r of instances) {
      const spec = specs[String((r.inputs as Record<string, unknown>).instanceType)];
      expect(spec.vcpu).toBeGreaterThanOrEqual(2);
      expect(spec.memoryGiB).toBeGreaterThanOrEqual(4);
    }
  });

  test('eks: RDS, the front end NLB and the EFS claim priced; the pods\' requests shown; local: nothing on AWS', () => {
    const eks = estimateCost(baseline('eks'), { region: 'eu-west-1' });
    expect(eks.unknown).toEqual([]);
    expect(eks.lines.map((l) => l.what)).toEqual(expect.arrayContaining(['Network Load Balancer', 'RDS MySQL db.t3.medium, Single-AZ', 'EFS Standard storage (claim on storage class efs-sc)']));
    expect(eks.kubernetes!.workloads.map((w) => w.name).sort()).toEqual(['wso2is-k8s-analytics', 'wso2is-k8s-frontend', 'wso2is-k8s-is']);
    expect(eks.kubernetes!.nodeTypes.map((n) => n.nodeType)).toEqual(prices.kubernetesNodeTypes);
    const local = estimateCost(baseline('local'), {});
    expect(local.lines).toEqual([]);
    expect(local.unknown).toEqual([]);
    expect(local.monthlyTotal).toBe(0);
    expect(local.kubernetes!.cpu).toBeGreaterThan(0);
    expect(renderCostSummary(local)).toMatch(/nothing priced/);
  });

  test('deterministic: the same records give the same bytes; keys sorted', () => {
    for (const stack of ['dev', 'prod', 'eks', 'local']) {
      const region = stack === 'local' ? undefined : 'eu-west-1';
      const a = costJson(estimateCost(baseline(stack), { region }));
      expect(costJson(estimateCost(baseline(stack), { region }))).toBe(a);
      expect(renderCostSummary(estimateCost(baseline(stack), { region }))).toBe(renderCostSummary(JSON.parse(a)));
      expect(Object.keys(JSON.parse(a))).toEqual([...Object.keys(JSON.parse(a))].sort());
    }
  });
});

describe('files', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cost-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('writeCostFiles writes cost.json and appends the summary to plan.txt', () => {
    fs.writeFileSync(path.join(tmp, 'plan.txt'), 'plan\n');
    const report = writeCostFiles(tmp, FIXTURE, 'eu-west-1');
    expect(fs.readFileSync(path.join(tmp, 'cost.json'), 'utf8')).toBe(costJson(report));
    expect(fs.readFileSync(path.join(tmp, 'plan.txt'), 'utf8')).toBe(`plan\n\n${renderCostSummary(report)}`);
  });

  test('npm run cost reads out/<stack>/resources.json only when newer than every source', () => {
    const out = path.join(tmp, 'out-dev');
    fs.mkdirSync(out);
    const file = path.join(out, 'resources.json');
    fs.writeFileSync(file, JSON.stringify(FIXTURE));
    const newest = newestSourceMtime() / 1000;
    fs.utimesSync(file, newest - 60, newest - 60);
    expect(currentResources('dev', out)).toBeUndefined();
    fs.utimesSync(file, newest + 60, newest + 60);
    expect(currentResources('dev', out)).toEqual(FIXTURE);
    expect(currentResources('dev', path.join(tmp, 'absent'))).toBeUndefined();
  });
});
