/**
 * Stack configuration validation: every kind of bad input is rejected before any resource is
 * registered, with the offending key named (ConfigError.key and the message); every shipped
 * stack file validates; secret values become Pulumi secrets.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import YAML from 'yaml';
import { CONFIG_KEYS, PROJECT, parseStackConfig, toStackConfig } from '../config';
import { MIN_EC2, MIN_K8S, configRejection } from './helpers/stack-config';
import { DEFAULT_PORTS, MAX_IS_NODE_COUNT } from '../topology';

const ROOT = path.join(__dirname, '..');
const AMI = 'ami-0123456789abcdef0';
/** A valid EC2 stack: the smallest the parser accepts. */
const EC2 = MIN_EC2;
/** A valid local Kubernetes stack. */
const K8S = MIN_K8S;
const j = (v: unknown) => JSON.stringify(v);

const rejection = (raw: Record<string, string>) => configRejection(raw);

/** [case, stack config, the key the error must name] */
type Case = [string, Record<string, string>, string];

function expectRejected(raw: Record<string, string>, key: string) {
  const e = rejection(raw);
  expect(e.key).toBe(key);
  expect(e.message).toContain(`${PROJECT}:${key}:`);
}

describe('the valid baselines parse', () => {
  test.each([
    ['ec2', EC2],
    ['kubernetes', K8S],
  ])('%s', (_n, raw) => {
    const c = parseStackConfig(raw, 'test');
    expect(c.hostname).toBe('is.example.com');
    expect(c.mgtHostname).toBe('mgt.is.example.com');
    expect(c.dashboardHostname).toBe('analytics.is.example.com');
    expect(c.ports).toEqual(DEFAULT_PORTS);
  });
});

describe('wrong types', () => {
  const cases: Case[] = [
    ['string where an integer is expected (port)', { ...EC2, ports: j({ isHttps: '9443' }) }, 'ports.isHttps'],
    ['string where an integer is expected (nodeCount)', { ...EC2, is: j({ nodeCount: '2' }) }, 'is.nodeCount'],
    ['string where an integer is expected (allocatedStorage)', { ...EC2, rds: j({ allocatedStorage: '100' }) }, 'rds.allocatedStorage'],
    ['string where a boolean is expected', { ...EC2, rds: j({ multiAz: 'true' }) }, 'rds.multiAz'],
    ['integer where a boolean is expected', { ...EC2, rds: j({ deletionProtection: 1 }) }, 'rds.deletionProtection'],
    ['plain string where an object is expected', { ...EC2, is: 'm5.large' }, 'is'],
    ['JSON string where an object is expected', { ...EC2, rds: j('db.t3.medium') }, 'rds'],
    ['array where an object is expected', { ...EC2, ports: j([9443]) }, 'ports'],
    ['null where an object is expected', { ...EC2, network: 'null' }, 'network'],
    ['string where an object is expected (nested)', { ...K8S, kubernetes: j({ images: 'nginx:1.27.3' }) }, 'kubernetes.images'],
    ['object where a string is expected (top level)', { ...EC2, platform: j({ name: 'ec2' }) }, 'platform'],
    ['object where a string is expected (hostname)', { ...EC2, hostname: j({ name: 'is.example.com' }) }, 'hostname'],
    ['object where a string is expected (nested)', { ...EC2, is: j({ instanceType: { family: 'm5' } }) }, 'is.instanceType'],
    ['string where a list is expected', { ...EC2, network: j({ ingressCidrs: '10.0.0.0/8' }) }, 'network.ingressCidrs'],
    ['empty list', { ...EC2, network: j({ ingressCidrs: [] }) }, 'network.ingressCidrs'],
    ['malformed JSON', { ...EC2, is: '{"instanceType": "m5.large"' }, 'is'],
    ['malformed JSON (nested keys unquoted)', { ...EC2, rds: '{instanceClass: db.t3.medium}' }, 'rds'],
    ['empty string for a key without an empty default', { ...EC2, platform: '' }, 'platform'],
  ];
  test.each(cases)('%s', (_n, raw, key) => expectRejected(raw, key));
});

describe('unknown values of enumerations', () => {
  const cases: Case[] = [
    ['platform', { ...EC2, platform: 'gce' }, 'platform'],
    ['platform in another case', { ...EC2, platform: 'EC2' }, 'platform'],
    ['environment', { ...EC2, environment: 'staging' }, 'environment'],
    ['analytics flavour', { ...EC2, analytics: j({ flavor: 'spark' }) }, 'analytics.flavor'],
    ['analytics flavour in another case', { ...EC2, analytics: j({ flavor: 'SP' }) }, 'analytics.flavor'],
    ['database kind', { ...EC2, database: 'aurora' }, 'database'],
    ['shared storage kind', { ...K8S, sharedStorage: 'ebs' }, 'sharedStorage'],
    ['character set', { ...EC2, databaseCharacterSet: 'utf16' }, 'databaseCharacterSet'],
  ];
  test.each(cases)('%s', (_n, raw, key) => expectRejected(raw, key));
});

describe('malformed CIDRs', () => {
  const net = (n: object) => ({ ...EC2, network: j(n) });
  const cases: Case[] = [
    ['bad octet', net({ vpcCidr: '10.256.0.0/16' }), 'network.vpcCidr'],
    ['host bits set', net({ vpcCidr: '10.40.0.1/16' }), 'network.vpcCidr'],
    ['prefix /33', net({ ingressCidrs: ['10.0.0.0/33'] }), 'network.ingressCidrs'],
    ['prefix /33 of the zero address', net({ ingressCidrs: ['0.0.0.0/33'] }), 'network.ingressCidrs'],
    ['no prefix', net({ ingressCidrs: ['203.0.113.7'] }), 'network.ingressCidrs'],
    ['one bad entry among good ones', net({ ingressCidrs: ['10.0.0.0/8', '192.168.1.1/24'] }), 'network.ingressCidrs'],
    ['VPC prefix too wide', net({ vpcCidr: '10.0.0.0/8' }), 'network.vpcCidr'],
    ['SSH open to the world', net({ sshCidr: '0.0.0.0/0' }), 'network.sshCidr'],
    ['SSH host bits set', net({ sshCidr: '198.51.100.7/24' }), 'network.sshCidr'],
  ];
  test.each(cases)('%s', (_n, raw, key) => expectRejected(raw, key));

  test('good CIDRs pass', () => {
    const c = parseStackConfig(net({ vpcCidr: '10.50.0.0/20', ingressCidrs: ['0.0.0.0/0', '203.0.113.0/24'], sshCidr: '198.51.100.7/32' }), 't');
    expect(c.network.vpcCidr).toBe('10.50.0.0/20');
    expect(c.network.ingressCidrs).toEqual(['0.0.0.0/0', '203.0.113.0/24']);
    expect(c.network.sshCidr).toBe('198.51.100.7/32');
  });
});

describe('bad hostnames', () => {
  test.each([
    ['uppercase', 'IS.example.com'],
    ['uppercase in a later label', 'is.Example.com'],
    ['underscore', 'is_1.example.com'],
    ['single label', 'localhost'],
    ['trailing dot', 'is.example.com.'],
    ['leading hyphen in a label', '-is.example.com'],
    ['space', 'is example.com'],
    ['empty label', 'is..example.com'],
    ['scheme', 'https://is.example.com'],
  ])('%s (%s)', (_n, h) => {
    for (const key of ['hostname', 'mgtHostname', 'dashboardHostname']) expectRejected({ ...EC2, [key]: h }, key);
  });

  test('the three hostnames must differ, naming the clashing one', () => {
    expectRejected({ ...EC2, mgtHostname: 'is.example.com' }, 'mgtHostname');
    expectRejected({ ...EC2, dashboardHostname: 'is.example.com' }, 'dashboardHostname');
    expectRejected({ ...EC2, mgtHostname: 'x.example.com', dashboardHostname: 'x.example.com' }, 'dashboardHostname');
  });
});

describe('bad instance types and RDS classes', () => {
  test.each(['m5', 'M5.large', 'm5.huge', 'large', 'm5.large.x', 'db.m5.large', 'm5 .large'])('instance type %s', (t) => {
    expectRejected({ ...EC2, is: j({ instanceType: t }) }, 'is.instanceType');
    expectRejected({ ...EC2, analytics: j({ instanceType: t }) }, 'analytics.instanceType');
  });
  test.each(['t3.medium', 'db.t3', 'db.T3.medium', 'db.t3.huge', 'rds.t3.medium', 'xdb.t3.medium', 'db.t3.medium.x'])('RDS class %s', (c) => {
    expectRejected({ ...EC2, rds: j({ instanceClass: c }) }, 'rds.instanceClass');
  });
  test('good ones pass', () => {
    const c = parseStackConfig({ ...EC2, is: j({ instanceType: 'c6i.2xlarge' }), rds: j({ instanceClass: 'db.m6g.large' }) }, 't');
    expect(c.is.instanceType).toBe('c6i.2xlarge');
    expect(c.rds.instanceClass).toBe('db.m6g.large');
  });
});

describe('bad engine versions', () => {
  test.each(['5.7', '5.7.44', '9.0', '8', '8.0.x', 'latest', 'mysql8', '8.1'])('%s', (v) => {
    expectRejected({ ...EC2, rds: j({ engineVersion: v }) }, 'rds.engineVersion');
  });
  test.each(['8.0', '8.0.40', '8.4', '8.4.3'])('%s passes', (v) => {
    expect(parseStackConfig({ ...EC2, rds: j({ engineVersion: v }) }, 't').rds.engineVersion).toBe(v);
  });
});

describe('bad ports', () => {
  test.each([
    ['0', 0],
    ['65536', 65536],
    ['negative', -443],
    ['fraction', 1.5],
    ['string', '9443'],
    ['boolean', true],
  ])('%s', (_n, p) => {
    for (const name of ['isHttps', 'thrift', 'eventSync']) expectRejected({ ...EC2, ports: j({ [name]: p }) }, `ports.${name}`);
  });

  test('unknown port name', () => expectRejected({ ...EC2, ports: j({ https: 8443 }) }, 'ports.https'));

  test.each([
    ['isHttp = isHttps on an IS node', { isHttp: DEFAULT_PORTS.isHttps }, /isHttps and isHttp both use 9443/],
    ['hazelcast = isHttps on an IS node', { hazelcast: 9443 }, /IS node/],
    ['thrift = eventSync on an analytics node', { thrift: DEFAULT_PORTS.eventSync }, /analytics node: .*eventSync/],
    ['dashboard = binary on an analytics node', { dashboard: DEFAULT_PORTS.binary }, /analytics node/],
  ])('a port used twice: %s', (_n, ports, msg) => {
    const e = rejection({ ...EC2, ports: j(ports) });
    expect(e.key).toBe('ports');
    expect(e.message).toMatch(msg);
  });

  test('the same number on different roles is fine (separate hosts)', () => {
    const c = parseStackConfig({ ...EC2, ports: j({ isHttps: 9091 }) }, 't');
    expect(c.ports.isHttps).toBe(c.ports.workerHttps);
  });

  test('a clash among DAS-only ports counts only with the DAS flavour', () => {
    const ports = j({ sparkUi: DEFAULT_PORTS.thrift });
    expect(parseStackConfig({ ...EC2, ports }, 't').ports.sparkUi).toBe(DEFAULT_PORTS.thrift);
    expectRejected({ ...EC2, ports, analytics: j({ flavor: 'das' }) }, 'ports');
  });
});

describe('node counts', () => {
  // IS scales from 2 to MAX_IS_NODE_COUNT; analytics is exactly two (active-passive).
  test.each([0, 1, MAX_IS_NODE_COUNT + 1, 100, -2, 2.5, '3', '"three"', null])('is.nodeCount %p is refused naming the key', (n) => {
    const e = rejection({ ...EC2, is: j({ nodeCount: n }) });
    expect(e.key).toBe('is.nodeCount');
    expect(e.message).toContain(`${PROJECT}:is.nodeCount:`);
    expect(e.message).toMatch(new RegExp(`accepted: an integer from 2 to ${MAX_IS_NODE_COUNT}`));
  });
  test.each([0, 1, 3, 4, 2.5])('analytics.nodeCount %p is refused naming the key', (n) => {
    const e = rejection({ ...EC2, analytics: j({ nodeCount: n }) });
    expect(e.key).toBe('analytics.nodeCount');
    expect(e.message).toMatch(/accepted: 2 /);
  });
  test.each([2, 3, 5, MAX_IS_NODE_COUNT])('is.nodeCount %i is accepted on EC2 and Kubernetes', (n) => {
    for (const base of [EC2, K8S]) expect(parseStackConfig({ ...base, is: j({ nodeCount: n }) }, 't').is.nodeCount).toBe(n);
  });
  test('the default is 2 IS nodes and 2 analytics nodes', () => {
    const c = parseStackConfig(EC2, 't');
    expect([c.is.nodeCount, c.analytics.nodeCount]).toEqual([2, 2]);
    expect(parseStackConfig({ ...EC2, is: j({ nodeCount: 2 }), analytics: j({ nodeCount: 2 }) }, 't').analytics.nodeCount).toBe(2);
  });
  test('the cap is ten', () => {
    expect(MAX_IS_NODE_COUNT).toBe(10);
  });
});

describe('missing and unknown keys', () => {
  test('hostname is required', () => {
    const { hostname: _h, ...rest } = EC2;
    expectRejected(rest, 'hostname');
    expectRejected({ ...rest, hostname: '' }, 'hostname');
  });

  test.each(['hostName', 'region', 'aws:region', 'isNodes'])('unknown top-level key %s', (k) => {
    const e = rejection({ ...EC2, [k]: 'x' });
    expect(e.key).toBe(k);
    expect(e.message).toMatch(/unknown key; accepted keys: platform, environment, hostname/);
  });

  const cases: Case[] = [
    ['is', { ...EC2, is: j({ instancetype: 'm5.large' }) }, 'is.instancetype'],
    ['analytics', { ...EC2, analytics: j({ mode: 'active-passive' }) }, 'analytics.mode'],
    ['rds', { ...EC2, rds: j({ engine: 'mysql' }) }, 'rds.engine'],
    ['network', { ...EC2, network: j({ subnetIds: [] }) }, 'network.subnetIds'],
    ['ec2', { ...EC2, ec2: j({ amiId: AMI, keyName: 'me' }) }, 'ec2.keyName'],
    ['kubernetes', { ...K8S, kubernetes: j({ replicas: 2 }) }, 'kubernetes.replicas'],
    ['kubernetes.images', { ...K8S, kubernetes: j({ images: { redis: 'redis:7' } }) }, 'kubernetes.images.redis'],
    ['ports', { ...EC2, ports: j({ ssh: 22 }) }, 'ports.ssh'],
  ];
  test.each(cases)('unknown nested key in %s', (_n, raw, key) => {
    const e = rejection(raw);
    expect(e.key).toBe(key);
    expect(e.message).toMatch(/unknown key; accepted keys of/);
  });
});

describe('combinations', () => {
  test('ec2 without an AMI or pack URLs', () => {
    const base = { hostname: 'is.example.com' };
    expectRejected(base, 'is.packUrl');
    expectRejected({ ...base, analytics: j({ packUrl: 's3://packs/a.zip' }) }, 'is.packUrl');
    expectRejected({ ...base, is: j({ packUrl: 's3://packs/is.zip' }) }, 'analytics.packUrl');
    const ok = parseStackConfig({ ...base, is: j({ packUrl: 's3://packs/is.zip' }), analytics: j({ packUrl: 'https://example.com/a.zip' }) }, 't');
    expect(ok.ec2.amiId).toBeUndefined();
  });

  test('bad AMI id and pack URL', () => {
    expectRejected({ ...EC2, ec2: j({ amiId: 'ami-xyz' }) }, 'ec2.amiId');
    expectRejected({ ...EC2, is: j({ packUrl: 'ftp://packs/is.zip' }) }, 'is.packUrl');
  });

  test('the JDBC driver: an https (or, on ec2, s3) jar URL and an optional SHA-256', () => {
    const MAVEN = 'https://repo1.maven.org/maven2/mysql/mysql-connector-java/5.1.49/mysql-connector-java-5.1.49.jar';
    expect(parseStackConfig(EC2, 't').jdbcDriver).toEqual({ url: MAVEN, sha256: undefined });
    expect(parseStackConfig(K8S, 't').jdbcDriver.url).toBe(MAVEN);
    for (const url of ['http://example.com/driver.jar', 'https://example.com/driver.zip', 'https://example.com/', 'https://example.com/a b.jar', 'https://example.com/$(id).jar']) {
      expectRejected({ ...EC2, jdbcDriver: j({ url }) }, 'jdbcDriver.url');
    }
    expect(parseStackConfig({ ...EC2, jdbcDriver: j({ url: 's3://packs/drivers/mysql.jar' }) }, 't').jdbcDriver.url).toBe('s3://packs/drivers/mysql.jar');
    // The pods download it with no AWS credentials.
    expectRejected({ ...K8S, jdbcDriver: j({ url: 's3://packs/drivers/mysql.jar' }) }, 'jdbcDriver.url');
    const sha = 'AB'.repeat(32);
    expect(parseStackConfig({ ...K8S, jdbcDriver: j({ sha256: sha }) }, 't').jdbcDriver).toEqual({ url: MAVEN, sha256: sha.toLowerCase() });
    for (const bad of ['ab'.repeat(31), 'zz'.repeat(32), `sha256:${'ab'.repeat(32)}`]) expectRejected({ ...K8S, jdbcDriver: j({ sha256: bad }) }, 'jdbcDriver.sha256');
    // Both platforms verify it (EC2: the boot script, tests/boot.test.ts).
    expect(parseStackConfig({ ...EC2, jdbcDriver: j({ sha256: sha }) }, 't').jdbcDriver).toEqual({ url: MAVEN, sha256: sha.toLowerCase() });
    for (const bad of ['ab'.repeat(31), `sha256:${'ab'.repeat(32)}`]) expectRejected({ ...EC2, jdbcDriver: j({ sha256: bad }) }, 'jdbcDriver.sha256');
    // The driver left the ec2 key.
    expectRejected({ ...EC2, ec2: j({ amiId: AMI, jdbcDriverUrl: MAVEN }) }, 'ec2.jdbcDriverUrl');
  });

  test('kubernetes: EFS shared storage needs a StorageClass, RDS needs the cluster VPC (before any resource)', () => {
    const k8s = { hostname: 'is.example.com', platform: 'kubernetes' };
    expectRejected({ ...k8s, database: 'in-cluster' }, 'kubernetes.storageClass');
    expectRejected({ ...k8s, database: 'in-cluster', sharedStorage: 'efs', kubernetes: j({ namespace: 'x' }) }, 'kubernetes.storageClass');
    expect(parseStackConfig({ ...k8s, database: 'in-cluster', kubernetes: j({ storageClass: 'efs-sc' }) }, 't').kubernetes.storageClass).toBe('efs-sc');
    expectRejected({ ...k8s, sharedStorage: 'nfs' }, 'network.vpcId');
    const vpc = { vpcId: 'vpc-0abc12345def67890', publicSubnetIds: ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'], privateSubnetIds: ['subnet-0aaa1111bbbb22226', 'subnet-0ccc3333dddd44447'] };
    expect(parseStackConfig({ ...k8s, sharedStorage: 'nfs', network: j(vpc) }, 't').database).toBe('rds');
    // EC2 creates the VPC and EFS itself.
    expect(parseStackConfig(EC2, 't').sharedStorage).toBe('efs');
  });

  test('kubernetes with the DAS flavour needs a DAS-based IS Analytics image (there is no official one)', () => {
    const das = { ...K8S, analytics: j({ flavor: 'das' }) };
    expectRejected(das, 'kubernetes.images.analyticsDas');
    expect(rejection(das).message).toMatch(/DAS-based IS Analytics image/);
    const image = 'registry.example.com/wso2/is-analytics-das:5.4.0';
    const ok = parseStackConfig({ ...das, kubernetes: j({ images: { analyticsDas: image } }) }, 't');
    expect(ok.kubernetes.images.analyticsDas).toBe(image);
    expect(ok.kubernetes.images.is).toBe('wso2/wso2is:5.8.0');
    expectRejected({ ...das, kubernetes: j({ images: { analyticsDas: 'is-analytics-das' } }) }, 'kubernetes.images.analyticsDas');
    // No default, and nothing needs it with the SP flavour or on EC2.
    expect(parseStackConfig(K8S, 't').kubernetes.images.analyticsDas).toBeUndefined();
    expect(parseStackConfig({ ...EC2, analytics: j({ flavor: 'das' }) }, 't').analytics.flavor).toBe('das');
  });

  test('in-cluster database and NFS need kubernetes', () => {
    expectRejected({ ...EC2, database: 'in-cluster' }, 'database');
    expectRejected({ ...EC2, sharedStorage: 'nfs' }, 'sharedStorage');
    expect(parseStackConfig(K8S, 't').database).toBe('in-cluster');
  });

  const vpc = 'vpc-0abc12345def67890';
  const subnets = ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'];
  test.each([
    ['vpcId only', { vpcId: vpc }],
    ['subnets without vpcId', { publicSubnetIds: subnets, privateSubnetIds: subnets }],
    ['vpcId and public subnets only', { vpcId: vpc, publicSubnetIds: subnets }],
  ])('partial VPC settings: %s', (_n, n) => expectRejected({ ...EC2, network: j(n) }, 'network.vpcId'));

  test('bad VPC and subnet ids', () => {
    expectRejected({ ...EC2, network: j({ vpcId: 'vpc-1', publicSubnetIds: subnets, privateSubnetIds: subnets }) }, 'network.vpcId');
    expectRejected({ ...EC2, network: j({ vpcId: vpc, publicSubnetIds: [subnets[0]], privateSubnetIds: subnets }) }, 'network.publicSubnetIds');
    expectRejected({ ...EC2, network: j({ vpcId: vpc, publicSubnetIds: subnets, privateSubnetIds: ['sn-1', 'sn-2'] }) }, 'network.privateSubnetIds');
    const ok = parseStackConfig({ ...EC2, network: j({ vpcId: vpc, publicSubnetIds: subnets, privateSubnetIds: subnets }) }, 't');
    expect(ok.network.vpcId).toBe(vpc);
  });

  test.each([
    ['no tag', 'wso2/wso2is'],
    [':latest', 'wso2/wso2is:latest'],
    ['registry port but no tag', 'localhost:5001/wso2/wso2is'],
    ['uppercase repository', 'WSO2/wso2is:5.8.0'],
    ['bad digest', 'wso2/wso2is@sha256:abc'],
  ])('image %s', (_n, image) => {
    expectRejected({ ...K8S, kubernetes: j({ images: { is: image } }) }, 'kubernetes.images.is');
  });

  test.each([
    ['tag', 'wso2/wso2is:5.8.0'],
    ['registry with port and tag', 'localhost:5001/wso2/wso2is:5.8.0'],
    ['digest', `registry.example.com/wso2/wso2is@sha256:${'0'.repeat(64)}`],
  ])('image with %s passes', (_n, image) => {
    expect(parseStackConfig({ ...K8S, kubernetes: j({ images: { is: image } }) }, 't').kubernetes.images.is).toBe(image);
  });

  test('bad Kubernetes names', () => {
    expectRejected({ ...K8S, kubernetes: j({ namespace: 'WSO2' }) }, 'kubernetes.namespace');
    expectRejected({ ...K8S, kubernetes: j({ storageClass: 'efs_sc' }) }, 'kubernetes.storageClass');
  });

  const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
  test('TLS certificate and key go together', () => {
    expectRejected({ ...K8S, tlsCertificate: CERT }, 'tlsPrivateKey');
    expectRejected({ ...K8S, tlsPrivateKey: KEY }, 'tlsCertificate');
    expectRejected({ ...K8S, tlsCertificate: 'not a pem', tlsPrivateKey: KEY }, 'tlsCertificate');
    expectRejected({ ...K8S, tlsCertificate: CERT, tlsPrivateKey: 'not a pem' }, 'tlsPrivateKey');
    expect(parseStackConfig({ ...K8S, tlsCertificate: CERT, tlsPrivateKey: KEY }, 't').tls.privateKey).toBe(KEY);
    // on EC2 the NLB passes TLS through: a front-end certificate would go unused, so it is refused
    expectRejected({ ...EC2, tlsCertificate: CERT, tlsPrivateKey: KEY }, 'tlsCertificate');
  });

  test('passwords and database user', () => {
    for (const k of ['adminPassword', 'dbPassword', 'dbMasterPassword']) expectRejected({ ...EC2, [k]: 'short' }, k);
    // the IS user store refuses admin passwords over 30 characters or with white space at first boot
    expectRejected({ ...EC2, adminPassword: 'x'.repeat(31) }, 'adminPassword');
    expectRejected({ ...EC2, adminPassword: 'with space1' }, 'adminPassword');
    expect(parseStackConfig({ ...EC2, adminPassword: 'x'.repeat(30) }, 'dev').secrets.adminPassword).toBe('x'.repeat(30));
    expectRejected({ ...EC2, databaseUser: 'root' }, 'databaseUser');
    expectRejected({ ...EC2, databaseUser: 'wso2-user' }, 'databaseUser');
  });

  test('numeric ranges', () => {
    expectRejected({ ...EC2, rds: j({ allocatedStorage: 10 }) }, 'rds.allocatedStorage');
    expectRejected({ ...EC2, rds: j({ backupRetentionDays: 0 }) }, 'rds.backupRetentionDays');
    expectRejected({ ...EC2, rds: j({ backupRetentionDays: 36 }) }, 'rds.backupRetentionDays');
  });
});

describe('optional keys declared with default "" in Pulumi.yaml', () => {
  const optional = Object.keys(CONFIG_KEYS).filter((k) => CONFIG_KEYS[k].default === '');
  test('there are such keys', () => expect(optional.length).toBeGreaterThanOrEqual(7));
  test.each(optional)('%s: empty means unset', (k) => {
    expect(parseStackConfig({ ...EC2, [k]: '' }, 't')).toEqual(parseStackConfig(EC2, 't'));
  });
});

describe('environment-dependent defaults', () => {
  test('test stacks tear down completely, prod stacks protect the database', () => {
    const t = parseStackConfig(EC2, 't').rds;
    expect([t.multiAz, t.deletionProtection]).toEqual([false, false]);
    const p = parseStackConfig({ ...EC2, environment: 'prod' }, 'p').rds;
    expect([p.multiAz, p.deletionProtection]).toEqual([true, true]);
    const o = parseStackConfig({ ...EC2, environment: 'prod', rds: j({ multiAz: false }) }, 'p').rds;
    expect(o.multiAz).toBe(false);
  });
});

// ---- shipped stack files -----------------------------------------------------------------------

const SECRET_KEYS = Object.keys(CONFIG_KEYS).filter((k) => CONFIG_KEYS[k].secret);
/** Stand-ins for encrypted values, which only the stack's secrets provider can decrypt. */
const SECRET_STAND_INS: Record<string, string> = {
  tlsPrivateKey: '-----BEGIN PRIVATE KEY-----\nstand-in\n-----END PRIVATE KEY-----\n',
};

/** A stack file's project config as the engine hands it to the program, defaults from Pulumi.yaml applied. */
function stackFileConfig(file: string): { raw: Record<string, string>; secure: string[] } {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8')) ?? {};
  const decls = YAML.parse(fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')).config as Record<string, { default?: unknown }>;
  const raw: Record<string, string> = {};
  const secure: string[] = [];
  for (const [fullKey, value] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const key = fullKey.slice(PROJECT.length + 1);
    if (value !== null && typeof value === 'object' && 'secure' in value) {
      secure.push(key);
      raw[key] = SECRET_STAND_INS[key] ?? 'stand-in-secret-value';
    } else {
      raw[key] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  for (const [k, d] of Object.entries(decls)) {
    if (raw[k] === undefined && d.default !== undefined) raw[k] = typeof d.default === 'string' ? d.default : JSON.stringify(d.default);
  }
  return { raw, secure };
}

describe('shipped stack files', () => {
  const files = fs
    .readdirSync(ROOT)
    .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f))
    .sort();

  test('there is at least the dev stack', () => expect(files).toContain('Pulumi.dev.yaml'));

  test.each(files)('%s parses and validates', (f) => {
    const { raw } = stackFileConfig(path.join(ROOT, f));
    const stack = f.split('.')[1];
    const c = parseStackConfig(raw, stack);
    expect(c.stack).toBe(stack);
    expect(c.is.nodeCount).toBe(2);
  });

  test.each(files)('%s gives typed keys scalar values (the CLI checks them against Pulumi.yaml)', (f) => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, f), 'utf8')) ?? {};
    const decls = YAML.parse(fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')).config as Record<string, { type?: string }>;
    for (const [fullKey, v] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
      const key = fullKey.startsWith(`${PROJECT}:`) ? fullKey.slice(PROJECT.length + 1) : undefined;
      if (!key || !decls[key]?.type || decls[key].type === 'array') continue;
      const scalar = v === null || typeof v !== 'object' || 'secure' in (v as object);
      expect({ key, scalar }).toEqual({ key, scalar: true });
    }
  });

  test.each(files)('%s keeps secrets encrypted', (f) => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, f), 'utf8')) ?? {};
    const cfg = (doc.config ?? {}) as Record<string, unknown>;
    for (const k of SECRET_KEYS) {
      const v = cfg[`${PROJECT}:${k}`];
      if (v === undefined || v === '') continue;
      expect({ key: k, encrypted: typeof v === 'object' && v !== null && 'secure' in v }).toEqual({ key: k, encrypted: true });
    }
  });
});

// ---- secrets ------------------------------------------------------------------------------------

/** The value inside an Output (resolved outside any deployment, as config is). */
async function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(withUnknowns?: boolean): Promise<T> }).promise(true);
}

describe('toStackConfig', () => {
  const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
  const parsed = parseStackConfig(
    { ...K8S, adminPassword: 'admin-pw-1!', dbPassword: 'db-pw-2<&>', dbMasterPassword: "master'pw-3", tlsCertificate: CERT, tlsPrivateKey: KEY },
    't',
  );
  const c = toStackConfig(parsed);

  test.each([
    ['adminPassword', () => c.secrets.adminPassword, 'admin-pw-1!'],
    ['dbPassword', () => c.secrets.dbPassword, 'db-pw-2<&>'],
    ['dbMasterPassword', () => c.secrets.dbMasterPassword, "master'pw-3"],
    ['tlsPrivateKey', () => c.tls.privateKey, KEY],
  ])('%s is a Pulumi secret holding the configured value', async (_n, get, want) => {
    const o = get();
    expect(pulumi.Output.isInstance(o)).toBe(true);
    expect(await pulumi.isSecret(o!)).toBe(true);
    expect(await valueOf(o!)).toBe(want);
  });

  test('the certificate and everything else stay plain values', () => {
    expect(c.tls.certificate).toBe(CERT);
    const { secrets: _s, tls: _t, ...rest } = c;
    const { secrets: _ps, tls: _pt, ...parsedRest } = parsed;
    expect(rest).toEqual(parsedRest);
  });

  test('unset secrets stay unset (Credentials generates them)', () => {
    const bare = toStackConfig(parseStackConfig(EC2, 't'));
    expect(bare.secrets).toEqual({ adminPassword: undefined, dbPassword: undefined, dbMasterPassword: undefined });
    expect(bare.tls.privateKey).toBeUndefined();
  });
});
