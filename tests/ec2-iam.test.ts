/**
 * Least privilege on EC2 as data, under the mock engine (`prod` stack; `dev` through its committed
 * baseline): one role and instance profile per node, each policy parsed and checked statement by
 * statement (only reads; its own key secret, its own objects, its role's pack), each key secret in
 * exactly one policy, the policy in place before the instance (profile -> policy dependency), the
 * master password only in the db-init secret, readable only by the db-init runner's role,
 * IMDSv2 with hop limit 1 on every instance, and the configuration bucket's access logs on prod
 * only, into a private, encrypted, expiring log bucket.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { NODE_IDS, NodeId, roleOfNode } from '../topology';
import { RecordedResource } from '../scripts/mocks';
import { Ec2Run, T, ofType, runEc2Stack } from './fixtures/ec2/harness';

const IAM = {
  role: 'aws:iam/role:Role',
  profile: 'aws:iam/instanceProfile:InstanceProfile',
};
const S3 = {
  logging: 'aws:s3/bucketLogging:BucketLogging',
  lifecycle: 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  policy: 'aws:s3/bucketPolicy:BucketPolicy',
};

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: unknown;
}

let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.prod.yaml');
}, 120_000);

const one = (type: string, suffix: string): RecordedResource => {
  const r = ofType(run, type).filter((x) => x.name.endsWith(suffix));
  expect(r.map((x) => x.name)).toHaveLength(1);
  return r[0];
};
const statements = (r: RecordedResource): Statement[] => (JSON.parse(String(r.inputs.policy)) as { Statement: Statement[] }).Statement;
const optionsOf = (r: RecordedResource) => {
  const o = run.options.filter((x) => x.type === r.type && x.name === r.name);
  expect(o).toHaveLength(1);
  return o[0];
};
const nodePolicy = (id: NodeId) => statements(one(T.rolePolicy, `-${id}-access`));
const bucketArn = () => String(one(T.bucket, '-config').state.arn);
const stackSecretArn = () => String(one(T.secret, '-secrets-secret').state.arn);

test('one role per node (trusted by EC2 only), each with SSM core, one inline policy and its own instance profile', () => {
  const roles = ofType(run, IAM.role);
  for (const id of NODE_IDS) {
    const role = one(IAM.role, `-${id}-role`);
    expect(JSON.parse(String(role.inputs.assumeRolePolicy))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(one(T.rolePolicy, `-${id}-access`).inputs.role).toBe(role.id);
    expect(String(one(T.policyAttachment, `-${id}-ssm`).inputs.policyArn)).toBe('arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(one(T.policyAttachment, `-${id}-ssm`).inputs.role).toBe(role.state.name);
    expect(one(IAM.profile, `-${id}-profile`).inputs.role).toBe(role.state.name);
  }
  expect(roles.filter((r) => /-node-role$/.test(r.name))).toEqual([]);
  // Every policy attachment is SSM core: no managed policy widens a role.
  for (const a of ofType(run, T.policyAttachment)) expect(String(a.inputs.policyArn)).toMatch(/AmazonSSMManagedInstanceCore$/);
});

test('each node policy allows only reads: the stack secret, its own key secret, its own objects and its role\'s pack', () => {
  for (const id of NODE_IDS) {
    const st = nodePolicy(id);
    for (const s of st) {
      expect(s.Effect).toBe('Allow');
      expect(s.Condition).toBeUndefined();
      for (const a of s.Action) expect(['secretsmanager:GetSecretValue', 's3:GetObject']).toContain(a);
      for (const r of s.Resource) expect(r.endsWith(':*') || r === '*').toBe(false);
    }
    const secrets = st.filter((s) => s.Action.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.Resource);
    expect(secrets.sort()).toEqual([stackSecretArn(), String(one(T.secret, `-${id}-keys-secret`).state.arn)].sort());
    const objects = st.filter((s) => s.Action.includes('s3:GetObject')).flatMap((s) => s.Resource);
    const inBucket = objects.filter((r) => r.startsWith(`${bucketArn()}/`)).map((r) => r.slice(bucketArn().length + 1));
    expect(inBucket).toContain(`nodes/${id}/*`);
    for (const other of NODE_IDS.filter((o) => o !== id)) expect(inBucket.some((k) => k.includes(other))).toBe(false);
    for (const k of inBucket) expect(k).not.toBe('*');
    const pack = String(run.config[roleOfNode(id)].packUrl).replace(/^s3:\/\//, 'arn:aws:s3:::');
    const otherPack = String(run.config[roleOfNode(id) === 'is' ? 'analytics' : 'is'].packUrl).replace(/^s3:\/\//, 'arn:aws:s3:::');
    expect(objects).toContain(pack);
    expect(objects).not.toContain(otherPack);
  }
});

test('each node\'s key secret is named by exactly one policy, that node\'s', () => {
  const policies = ofType(run, T.rolePolicy);
  for (const id of NODE_IDS) {
    const arn = String(one(T.secret, `-${id}-keys-secret`).state.arn);
    const naming = policies.filter((p) => statements(p).some((s) => s.Resource.includes(arn)));
    expect(naming.map((p) => p.name)).toEqual([one(T.rolePolicy, `-${id}-access`).name]);
  }
});

test('each instance runs with its own profile, which waits for the node policy and SSM core: a first boot never meets a missing grant', () => {
  for (const id of NODE_IDS) {
    const instance = one(T.instance, `-${id}`);
    const profile = one(IAM.profile, `-${id}-profile`);
    expect(instance.inputs.iamInstanceProfile).toBe(profile.state.name);
    expect(optionsOf(instance).dependencies).toContain(profile.urn);
    expect(optionsOf(profile).dependencies).toEqual(expect.arrayContaining([one(T.rolePolicy, `-${id}-access`).urn, one(T.policyAttachment, `-${id}-ssm`).urn]));
  }
});

test('the database master password is only in the db-init secret, which only the db-init runner\'s role may read', () => {
  const stackValue = JSON.parse(String(one(T.secretVersion, '-secrets-value').inputs.secretString)) as Record<string, string>;
  expect(Object.keys(stackValue)).not.toContain('db_master_password');
  const master = one(T.secretVersion, '-db-master-value');
  expect(Object.keys(JSON.parse(String(master.inputs.secretString))).sort()).toEqual(['db_master_password', 'db_password']);
  expect(JSON.stringify(master.rawInputs.secretString)).toContain('1b47061264138c4ac30d75fd1eb44270');
  const arn = String(one(T.secret, '-db-master-secret').state.arn);
  const naming = ofType(run, T.rolePolicy).filter((p) => statements(p).some((s) => s.Resource.includes(arn)));
  expect(naming.map((p) => p.name)).toEqual([one(T.rolePolicy, '-db-init-access').name]);
  for (const id of NODE_IDS) expect(nodePolicy(id).flatMap((s) => s.Resource)).not.toContain(arn);
});

test('the db-init runner reads only its secret, the db-init script and the packs it takes schemas from; its own role and profile', () => {
  const st = statements(one(T.rolePolicy, '-db-init-access'));
  const res = (action: string) => st.filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource);
  for (const s of st) for (const a of s.Action) expect(['secretsmanager:GetSecretValue', 's3:GetObject']).toContain(a);
  expect(res('secretsmanager:GetSecretValue')).toEqual([String(one(T.secret, '-db-master-secret').state.arn)]);
  expect(res('s3:GetObject')).toEqual([`${bucketArn()}/shared/*`, String(run.config.is.packUrl).replace(/^s3:\/\//, 'arn:aws:s3:::')]);
  const runner = one(T.instance, '-db-init');
  expect(runner.inputs.iamInstanceProfile).toBe(one(IAM.profile, '-db-init-profile').state.name);
  expect(runner.inputs).toMatchObject({ instanceInitiatedShutdownBehavior: 'stop', userDataReplaceOnChange: true, instanceType: 't3.micro' });
  // The db-init script lives under shared/: no node may read it any more.
  for (const id of NODE_IDS) expect(nodePolicy(id).flatMap((s) => s.Resource).some((r) => r.includes('/shared/'))).toBe(false);
});

test('the runner starts after its script, secret and database exist; every node after the runner', () => {
  const runner = one(T.instance, '-db-init');
  const deps = optionsOf(runner).dependencies;
  expect(deps).toEqual(expect.arrayContaining([one(T.object, '-db-init').urn, one(T.rds, '-db-instance').urn, one(IAM.profile, '-db-init-profile').urn]));
  expect(optionsOf(one(IAM.profile, '-db-init-profile')).dependencies).toContain(one(T.rolePolicy, '-db-init-access').urn);
  for (const id of NODE_IDS) expect(optionsOf(one(T.instance, `-${id}`)).dependencies).toContain(runner.urn);
});

test('the runner\'s user-data names the digest of the db-init object and the secret version; no secret in it', () => {
  const ud = String(one(T.instance, '-db-init').inputs.userData);
  const script = String(one(T.object, '-db-init').inputs.content);
  const sha = crypto.createHash('sha256').update(script).digest('hex');
  expect(ud).toContain(`DB_INIT_SHA256='${sha}'`);
  expect(ud).toContain(`SECRET_VERSION='${one(T.secretVersion, '-db-master-value').state.versionId}'`);
  for (const v of run.secretValues) expect(ud.includes(v)).toBe(false);
  // The nodes wait for that same digest.
  for (const id of NODE_IDS) expect(String(one(T.object, `-${id}-boot`).inputs.content)).toContain(`DB_INIT_SHA256='${sha}'`);
});

test('IMDSv2 only, hop limit 1, on every instance (the program launches no instance through a launch template)', () => {
  const instances = ofType(run, T.instance);
  expect(instances.length).toBeGreaterThanOrEqual(NODE_IDS.length);
  for (const i of instances) expect(i.inputs.metadataOptions).toEqual({ httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 });
  expect(ofType(run, 'aws:ec2/launchTemplate:LaunchTemplate')).toEqual([]);
});

test('prod logs the configuration bucket\'s requests into a private, encrypted, expiring log bucket that only S3 log delivery for that bucket writes to', () => {
  const config = one(T.bucket, '-config');
  const logs = one(T.bucket, '-config-logs');
  expect(logs.inputs.forceDestroy).toBe(config.inputs.forceDestroy);
  const logging = one(S3.logging, '-config-logs-source');
  expect(logging.inputs).toMatchObject({ bucket: config.id, targetBucket: logs.id, targetPrefix: 'access/' });
  expect(one(T.bucketPab, '-config-logs').inputs).toMatchObject({ bucket: logs.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  expect(one(T.bucketSse, '-config-logs').inputs).toMatchObject({ bucket: logs.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] });
  expect(one(S3.lifecycle, '-config-logs').inputs.rules).toEqual([
    expect.objectContaining({ status: 'Enabled', filter: { prefix: 'access/' }, expiration: { days: 365 } }),
  ]);
  const policy = statements(one(S3.policy, '-config-logs')) as (Statement & { Principal: unknown })[];
  const allow = policy.filter((s) => s.Effect === 'Allow');
  expect(allow).toEqual([
    expect.objectContaining({
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: ['s3:PutObject'],
      Resource: [`${logs.state.arn}/access/*`],
      Condition: { ArnLike: { 'aws:SourceArn': config.state.arn } },
    }),
  ]);
  expect(policy.find((s) => s.Effect === 'Deny')).toMatchObject({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  // Logging is switched on only once the log bucket accepts the deliveries.
  expect(optionsOf(logging).dependencies).toContain(one(S3.policy, '-config-logs').urn);
});

test('dev has no access logging (committed baseline of the dev stack)', () => {
  const dev = JSON.parse(fs.readFileSync(path.join(__dirname, 'baseline', 'dev', 'resources.json'), 'utf8')) as { type: string; name: string }[];
  expect(dev.filter((r) => r.type === S3.logging || r.name.endsWith('-config-logs'))).toEqual([]);
  expect(dev.filter((r) => r.type === T.bucket).map((r) => r.name)).toEqual(['wso2is-ec2-config']);
});
