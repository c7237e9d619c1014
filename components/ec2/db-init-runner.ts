/**
 * Database initialisation on EC2 runs on an instance of its own, the db-init runner, whose role is
 * the only one that may read the database master password (docs/architecture.md, decision 29).
 * It boots, runs db-init, records the script version it ran and powers itself off; a stopped
 * instance costs its small root volume only. Its user-data carries the script's digest and the
 * password secret's version, so a new script or a rotated password replaces it and db-init runs
 * again. The nodes never hold the master password: they wait for the record as their own account.
 */
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { NODE_TAG_KEY, Topology, schemaLoadsFor } from '../../topology';
import { PRODUCT_HOMES } from './boot-script';
import type { DbInit } from '../../config-templates';
import type { RdsDatabase } from '../aws/rds';
import type { SecretDocument } from '../aws/secrets';
import { ConfigBucket, DB_INIT_KEY_PREFIX, checkoutFileAsset, dbInitKey, deliveredObject, sha256Hex } from './config-delivery';
import { NodeIdentity, PolicyStatement, ec2Identity, s3ObjectArn } from './iam';
import { instanceArch } from './nodes';
import { renderRunnerUserData } from './db-init-runner-script';
import { CA_BUNDLES, caBundlePem } from '../../applier/ca-bundles';

/**
 * The runner's instance type: db-init is a MySQL client and an unzip. x86_64 on Amazon Linux; with
 * `ec2.amiId` (a pre-baked image holding the homes) the architecture of the IS nodes' type.
 */
export const DB_INIT_INSTANCE_TYPES = { x86_64: 't3.micro', arm64: 't4g.micro' } as const;

/**
 * The runner's image and type: `ec2.amiId` on the IS nodes' architecture, else the newest Amazon Linux 2023 for x86_64.
 * @param c The validated stack configuration.
 * @param parent The platform component (parent of the look-up).
 */
function runnerImage(c: StackConfig, parent: pulumi.Resource): { ami: pulumi.Input<string>; instanceType: string } {
  if (c.ec2.amiId) return { ami: c.ec2.amiId, instanceType: DB_INIT_INSTANCE_TYPES[instanceArch(c.is.instanceType)] };
  const filters = [
    { name: 'name', values: ['al2023-ami-2023.*-x86_64'] },
    { name: 'architecture', values: ['x86_64'] },
    { name: 'virtualization-type', values: ['hvm'] },
  ];
  return { ami: aws.ec2.getAmiOutput({ mostRecent: true, owners: ['amazon'], filters }, { parent }).id, instanceType: DB_INIT_INSTANCE_TYPES.x86_64 };
}

/** What the runner may read, as resolved ARNs. */
export interface RunnerGrants {
  /** The secret holding the master and application passwords. */
  dbSecretArn: string;
  /** The stack's bucket (the db-init script). */
  bucketArn: string;
  /** The packs it takes the schema scripts from. */
  packArns: string[];
}

/** The runner's policy document: pure, so tests read it as data. */
export function runnerPolicyDocument(g: RunnerGrants): string {
  const statements: PolicyStatement[] = [
    { Sid: 'DbPasswords', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [g.dbSecretArn] },
    { Sid: 'DbInitScript', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${g.bucketArn}/${DB_INIT_KEY_PREFIX}*`] },
  ];
  if (g.packArns.length > 0) statements.push({ Sid: 'Packs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: g.packArns });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export interface DbInitRunnerArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's region. */
  region: pulumi.Output<string>;
  /** The AWS partition, for ARNs. */
  partition: pulumi.Output<string>;
  /** A private subnet (the first AZ's). */
  subnetId: pulumi.Input<string>;
  /** The security group it runs in (the IS nodes': database and HTTPS egress). */
  securityGroupId: pulumi.Input<string>;
  /** The stack's bucket: the db-init script goes there (`${name}-db-init`, node tag `database`). */
  store: ConfigBucket;
  /** The rendered db-init script. */
  dbInit: pulumi.Output<DbInit>;
  /** The secret of the master and application passwords (a rotation changes its version). */
  dbPasswords: SecretDocument;
  /** The database (endpoint and master user; the runner waits for it). */
  db: RdsDatabase;
  /** The model (database endpoint, application accounts). */
  topology: pulumi.Output<Topology>;
  /** The NAT routes (packages, packs and AWS APIs). */
  egressReady: pulumi.Resource[];
  /** Tags on every resource. */
  tags: Record<string, string>;
}

/**
 * Children: the db-init object `${name}-db-init` (in the bucket), `${name}-db-init-role|ssm|access|profile`
 * and the instance `${name}-db-init`.
 * @param name Prefix of the children's logical names.
 * @param args Config, placement, what it reads and waits for.
 * @param parent The platform component.
 */
export function dbInitRunner(name: string, args: DbInitRunnerArgs, parent: pulumi.Resource): { identity: NodeIdentity; instance: aws.ec2.Instance; object: aws.s3.BucketObjectv2 } {
  const { config: c, tags } = args;
  const das = schemaLoadsFor(c.analytics.flavor).some((l) => l.product === 'analytics');
  const packUrls = c.ec2.amiId ? [] : [c.is.packUrl, ...(das ? [c.analytics.packUrl] : [])];
  const { store, dbInit, dbPasswords, db } = args;
  const dbInitObject = deliveredObject(
    `${name}-db-init`,
    { store, node: 'database', key: dbInit.apply(dbInitKey), content: dbInit.apply((d) => d.script), contentType: 'text/x-shellscript' },
    parent,
  );
  // The RDS CA bundle db-init verifies the server with (digest-checked here and again on the runner).
  const rdsCa = caBundlePem('rds');
  // Shipped as the checked-in file (its text, checked above): a preview shows its hash, not 170 KB of PEM.
  const caFile = checkoutFileAsset(path.resolve(__dirname, '../..', CA_BUNDLES.rds.file));
  const caObject = deliveredObject(`${name}-db-init-ca`, { store, node: 'database', key: `${DB_INIT_KEY_PREFIX}rds-ca.pem`, content: caFile, contentType: 'application/x-pem-file' }, parent);
  const policy = pulumi.all([args.partition, dbPasswords.arn, store.bucket.arn]).apply(([p, dbSecretArn, bucketArn]) =>
    runnerPolicyDocument({ dbSecretArn, bucketArn, packArns: packUrls.map((u) => s3ObjectArn(u, p)).filter((a): a is string => a !== undefined) }),
  );
  const identity = ec2Identity(`${name}-db-init`, args.partition, policy, tags, parent);
  const userData = pulumi
    .all([args.region, store.bucket.bucket, dbInitObject.key, dbInit.apply((d) => sha256Hex(d.script)), dbPasswords.arn, dbPasswords.version.versionId, args.topology, caObject.key])
    .apply(([region, bucket, key, dbInitSha256, dbSecretArn, secretVersion, t, caKey]) =>
      renderRunnerUserData({
        region,
        bucket,
        dbInitKey: key,
        dbInitSha256,
        rdsCaKey: caKey,
        rdsCaSha256: sha256Hex(rdsCa),
        dbSecretArn,
        secretVersion,
        dbHost: t.db.host,
        dbPort: t.db.port,
        dbMasterUser: db.masterUsername,
        isPackUrl: c.ec2.amiId ? undefined : c.is.packUrl,
        analyticsPackUrl: c.ec2.amiId ? undefined : c.analytics.packUrl,
        isHomeOnImage: PRODUCT_HOMES.is,
        analyticsHomeOnImage: das ? PRODUCT_HOMES.analytics : undefined,
        appUsers: Object.values(t.db.accounts).map((a) => a.user),
      }),
    );
  const instance = new aws.ec2.Instance(
    `${name}-db-init`,
    {
      ...runnerImage(c, parent),
      iamInstanceProfile: identity.profile.name,
      subnetId: args.subnetId,
      vpcSecurityGroupIds: [args.securityGroupId],
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      // Amazon Linux's own size (a stopped runner pays for its volume); a pre-baked image fits the nodes' 40 GB.
      rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: c.ec2.amiId ? 40 : 8, deleteOnTermination: true },
      // The unit powers the instance off when db-init ends: stopped, not terminated, so the
      // state stays true and a start runs it again.
      instanceInitiatedShutdownBehavior: 'stop',
      userData,
      userDataReplaceOnChange: true,
      tags: { ...tags, Name: `${name}-db-init`, [NODE_TAG_KEY]: 'database' },
    },
    { parent, dependsOn: [dbInitObject, caObject, dbPasswords, db, ...args.egressReady], ignoreChanges: c.ec2.amiId ? [] : ['ami'] },
  );
  return { identity, instance, object: dbInitObject };
}
