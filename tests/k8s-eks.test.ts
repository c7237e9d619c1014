/**
 * The Kubernetes platform on the `eks` stack (Pulumi.eks.yaml: RDS, EFS StorageClass, NLB),
 * run under the shared mocks.
 */
import { certificateTests, k8sCertificateRun } from './helpers/certificates';
import { runStack, ProgramRun, byKind, findObject, k8sObjects, stringLeaves } from './fixtures/k8s/harness';
import { NAMES, podDnsName, CHECKSUM_ANNOTATION } from '../components/kubernetes/names';
import { MYSQL_PORT } from '../components/aws/rds';
import { caBundlePem } from '../applier/ca-bundles';
import { expectWaitsVerifyLikeDbInit } from './helpers/db-wait';
import { eksPodSecurityTests } from './fixtures/k8s/pod-security-eks';

const NS = 'wso2-is-pattern2';
let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.eks.yaml');
});

// The certificates the program asks for (the mocks issue them), checked with openssl; nginx has one
// from the deployment CA (no tlsCertificate in this stack's config).
const HOSTNAMES = { hostname: 'is.eks.example.com', mgtHostname: 'mgt.is.eks.example.com', dashboardHostname: 'analytics.is.eks.example.com' };
describe('certificates', () => certificateTests(() => k8sCertificateRun(run, NS, HOSTNAMES), { frontend: { dns: Object.values(HOSTNAMES) } }));
describe('pod security', () => eksPodSecurityTests(() => run));

const recordsOf = (type: string) => run.records.filter((r) => r.type === type);

test('uses the configured kube context with server-side apply', () => {
  const p = recordsOf('pulumi:providers:kubernetes')[0];
  expect(p.inputs.context).toBe('arn:aws:eks:eu-west-1:123456789012:cluster/wso2-pattern2');
  expect(String(p.inputs.enableServerSideApply)).toBe('true');
});

test('puts the databases on RDS (the shared component) in the configured private subnets, not in the cluster', () => {
  expect(recordsOf('wso2:pattern2:RdsDatabase')).toHaveLength(1);
  const subnets = recordsOf('aws:rds/subnetGroup:SubnetGroup')[0];
  expect(subnets.inputs.subnetIds).toEqual(['subnet-0a1b2c3d4e5f60721', 'subnet-0a1b2c3d4e5f60722']);
  const sg = recordsOf('aws:ec2/securityGroup:SecurityGroup')[0];
  expect(sg.inputs.vpcId).toBe('vpc-0a1b2c3d4e5f60718');
  expect(sg.inputs.ingress).toEqual([expect.objectContaining({ fromPort: MYSQL_PORT, toPort: MYSQL_PORT, cidrBlocks: ['10.40.0.0/16'] })]);
  expect(byKind(run.records, 'StatefulSet').map((s) => s.metadata.name)).not.toContain(NAMES.mysql);
  // The nodes' JDBC URLs name the RDS endpoint.
  const address = String(recordsOf('aws:rds/instance:Instance')[0].state.address);
  expect(address).toMatch(/rds\.amazonaws\.com$/);
  const payload = findObject(run.records, 'ConfigMap', 'wso2is-changes-is-1').data['changes-is-1.json'];
  expect(payload).toContain(`jdbc:mysql://${address}:${MYSQL_PORT}/`);
  const job = byKind(run.records, 'Job')[0];
  const env = job.spec.template.spec.containers[0].env;
  expect(env.find((e: any) => e.name === 'DB_HOST').value).toBe(address);
  expect(env.find((e: any) => e.name === 'DB_MASTER_USER').value).toBe(recordsOf('aws:rds/instance:Instance')[0].inputs.username);
});

test('db-init verifies RDS against the RDS CA bundle: a ConfigMap of the digest-checked asset, mounted as DB_SSL_CA', () => {
  const cm = findObject(run.records, 'ConfigMap', 'wso2is-db-ca');
  expect(cm.data).toEqual({ 'ca.pem': caBundlePem('rds') });
  const spec = byKind(run.records, 'Job')[0].spec.template.spec;
  expect(spec.volumes).toContainEqual({ name: 'db-ca', configMap: { name: 'wso2is-db-ca' } });
  const c = spec.containers[0];
  expect(c.volumeMounts).toContainEqual({ name: 'db-ca', mountPath: '/opt/pattern2/db-ca', readOnly: true });
  expect(c.env).toContainEqual({ name: 'DB_SSL_CA', value: '/opt/pattern2/db-ca/ca.pem' });
  // The record the Job writes after the script goes over a verified connection too.
  expect(c.command[2]).toContain('--ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA"');
});

test('every product pod\'s wait-for-database verifies RDS as db-init does: the same CA bundle ConfigMap, the RDS endpoint as the host name', () => {
  // VERIFY_IDENTITY holds: RDS names the instance endpoint in its certificate, and AWS documents
  // `--ssl-mode=VERIFY_IDENTITY` with it (RDS User Guide, "Connecting ... with SSL/TLS from the MySQL command-line client").
  expect(expectWaitsVerifyLikeDbInit(run.records)).toBe(String(recordsOf('aws:rds/instance:Instance')[0].state.address));
});

test('puts the shared trees on an EFS StorageClass claim (ReadWriteMany), no NFS server', () => {
  const claim = findObject(run.records, 'PersistentVolumeClaim', NAMES.sharedClaim);
  expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
  expect(claim.spec.storageClassName).toBe('efs-sc');
  expect(byKind(run.records, 'PersistentVolume')).toEqual([]);
  expect(byKind(run.records, 'Deployment').map((d) => d.metadata.name)).not.toContain(NAMES.nfs);
});

test('exposes nginx through an AWS NLB limited to the ingress CIDRs', () => {
  const lb = findObject(run.records, 'Service', NAMES.nginx);
  expect(lb.spec.type).toBe('LoadBalancer');
  expect(lb.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('nlb');
  // cross-zone for both the in-tree controller and the AWS Load Balancer Controller
  expect(lb.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled']).toBe('true');
  expect(lb.metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-attributes']).toBe('load_balancing.cross_zone.enabled=true');
  expect(lb.spec.loadBalancerSourceRanges).toEqual(['0.0.0.0/0']);
  // On AWS the NLB's address is awaited (only local clusters may have no load-balancer controller).
  expect(lb.metadata.annotations['pulumi.com/skipAwait']).toBeUndefined();
  expect(String(run.outputs.frontendAddress)).toMatch(/elb\.eu-west-1\.amazonaws\.com$/);
  // The nginx upstreams are the IS pods' DNS names.
  const conf = findObject(run.records, 'ConfigMap', 'wso2is-frontend-conf').data['default.conf.template'];
  expect(conf).toContain(podDnsName('is', 0, NS));
  expect(conf).toContain(podDnsName('is', 1, NS));
});

test('keeps pods, probes and checksums as on the local stack', () => {
  for (const name of [NAMES.is, NAMES.analytics]) {
    const s = findObject(run.records, 'StatefulSet', name);
    expect(s.spec.replicas).toBe(2);
    expect(s.spec.template.metadata.annotations[CHECKSUM_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
  }
});

test('keeps secret values out of everything but Secrets and the RDS password', () => {
  expect(run.secretValues.length).toBeGreaterThanOrEqual(4);
  for (const o of k8sObjects(run.records)) {
    if (o.obj.kind === 'Secret') continue;
    const leaves = stringLeaves(o.obj);
    for (const s of run.secretValues) expect([o.obj.kind, o.obj.metadata?.name, leaves.some((l) => l.includes(s))]).toEqual([o.obj.kind, o.obj.metadata?.name, false]);
  }
  const rds = recordsOf('aws:rds/instance:Instance')[0];
  expect(rds.rawInputs.password).toEqual(expect.objectContaining({ value: expect.any(String) })); // wrapped secret
});

test('has NetworkPolicies for the products and nginx, none for a database or NFS server that is not in the cluster', () => {
  const names = byKind(run.records, 'NetworkPolicy').map((n) => n.metadata.name);
  expect(names).toContain('wso2is-default-deny-ingress');
  expect(names).toContain('wso2is-allow-frontend');
  expect(names.filter((n) => n.startsWith('wso2is-allow-is-')).length).toBeGreaterThan(0);
  expect(names.filter((n) => n.startsWith('wso2is-allow-analytics-')).length).toBeGreaterThan(0);
  expect(names).not.toContain('wso2is-allow-mysql');
  expect(names).not.toContain('wso2is-allow-nfs');
});

test('keeps client addresses to nginx (externalTrafficPolicy Local), so ip_hash keeps a client on one IS node', () => {
  const lb = findObject(run.records, 'Service', NAMES.nginx);
  expect(lb.spec.externalTrafficPolicy).toBe('Local');
  // The NLB's health check follows the Service's healthCheckNodePort: no annotation moves it to
  // the traffic port (where every node would answer) or makes the targets IP targets.
  for (const k of Object.keys(lb.metadata.annotations)) expect(k).not.toMatch(/healthcheck-port|nlb-target-type|proxy-protocol/);
  const conf = findObject(run.records, 'ConfigMap', 'wso2is-frontend-conf').data['default.conf.template'];
  expect(conf).toMatch(/upstream [^{]+\{[^}]*ip_hash;/);
});

test('as a test stack, leaves nothing behind: no protected resource, no final snapshot', () => {
  expect(run.options.filter((o) => o.protect)).toEqual([]);
  expect(run.options.filter((o) => o.retainOnDelete)).toEqual([]);
  const rds = recordsOf('aws:rds/instance:Instance')[0].inputs;
  expect(rds.skipFinalSnapshot).toBe(true);
  expect(rds.finalSnapshotIdentifier).toBeUndefined();
});
