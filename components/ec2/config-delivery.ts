/**
 * Configuration delivery on EC2: the stack's bucket (encrypted, private, versioned) and the
 * objects in it, each tagged with the node it is for. Per node: its change set, the applier and
 * its boot script, which only that node's role may read (iam.ts); the db-init script, which only
 * the db-init runner reads (db-init-runner.ts). User-data only fetches the boot script (user-data.ts).
 */
import * as crypto from 'crypto';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { ANALYTICS_HOME_LINK, NODE_TAG_KEY, NodeId, SHARED_MOUNT, Topology, WSO2_UID, jdbcDriverDir, processesFor, roleOfNode, sharedDirectoriesFor } from '../../topology';
import type { DbInit, NodeChangeSet } from '../../config-templates';
import { changeSetPayload } from '../../config-templates';
import { accessLogs } from '../aws/access-logs';
import { PRODUCT_HOMES, firstStartWait, renderBootScript } from './boot-script';
import { DB_WAIT_INTERVAL_SECONDS, DB_WAIT_TIMEOUT_SECONDS, EC2_DB_INIT_DONE_TABLE } from './db-init-runner-script';
import { objectKeys } from './object-keys';

/** Hex SHA-256 of a string (the db-init script's digest: the runner records it, the nodes wait for it). */
export function sha256Hex(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/** Prefix of the keys of the db-init runner's objects (the db-init script). */
export const DB_INIT_KEY_PREFIX = 'shared/';
/** Bucket key of the db-init script. */
export function dbInitKey(d: DbInit): string {
  return `${DB_INIT_KEY_PREFIX}${d.fileName}`;
}

/** The bucket, and what an object in it waits for. */
export interface ConfigBucket {
  /** The bucket. */
  bucket: aws.s3.Bucket;
  /** Public access block, encryption and versioning: in place before any object is written. */
  ready: pulumi.Resource[];
  /** Tags on every object (the node tag is added per object). */
  tags: Record<string, string>;
}

export interface ConfigBucketArgs {
  /** Let destroy empty the bucket (test stacks); prod keeps its history. */
  forceDestroy: boolean;
  /** Days to keep S3 server access logs of the bucket, in a log bucket of its own (prod); unset: no logging. */
  accessLogDays?: number;
  /** Tags on the bucket and every object. */
  tags: Record<string, string>;
}

/**
 * The stack's bucket. Children: `${name}-config` (the bucket and its settings, one of each type);
 * with `accessLogDays`, those of `accessLogs` under `${name}-config-logs`.
 * @param name Prefix of the children's logical names.
 * @param args Destroy behaviour and tags.
 * @param parent The platform component.
 */
export function configBucket(name: string, args: ConfigBucketArgs, parent: pulumi.Resource): ConfigBucket {
  const { tags } = args;
  const bucket = new aws.s3.Bucket(`${name}-config`, { forceDestroy: args.forceDestroy, tags }, { parent });
  const pab = new aws.s3.BucketPublicAccessBlock(
    `${name}-config`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { parent },
  );
  new aws.s3.BucketOwnershipControls(`${name}-config`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, { parent });
  const sse = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-config`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }] },
    { parent },
  );
  const versioning = new aws.s3.BucketVersioning(`${name}-config`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, { parent });
  if (args.accessLogDays !== undefined) {
    accessLogs(`${name}-config-logs`, { source: bucket, retentionDays: args.accessLogDays, forceDestroy: args.forceDestroy, tags }, parent);
  }
  return { bucket, ready: [pab, sse, versioning], tags };
}

export interface DeliveredObjectArgs {
  /** The stack's bucket. */
  store: ConfigBucket;
  /** The node the object is for (`database` for db-init): its node tag. */
  node: string;
  /** Key in the bucket. */
  key: pulumi.Input<string>;
  /** The content: a string, or a file asset (large fixed files: a preview shows their hash, not their text). */
  content: pulumi.Input<string> | pulumi.asset.FileAsset;
  /** MIME type. */
  contentType: string;
  /** Objects to write first (node 2 of a role follows node 1). */
  dependsOn?: pulumi.Resource[];
}

/**
 * A file of this checkout as an asset, named relative to the working directory (Pulumi runs the
 * program in the project directory), so neither the state nor a plan carries this machine's path.
 * @param file Absolute path.
 */
export function checkoutFileAsset(file: string): pulumi.asset.FileAsset {
  return new pulumi.asset.FileAsset(path.relative(process.cwd(), file));
}

/**
 * One SSE-encrypted object, tagged with its node.
 * @param res The object's logical name.
 * @param args Bucket, node, key, content.
 * @param parent The platform component.
 */
export function deliveredObject(res: string, args: DeliveredObjectArgs, parent: pulumi.Resource): aws.s3.BucketObjectv2 {
  const { store } = args;
  return new aws.s3.BucketObjectv2(
    res,
    {
      bucket: store.bucket.id,
      key: args.key,
      ...(args.content instanceof pulumi.asset.FileAsset ? { source: args.content } : { content: args.content }),
      contentType: args.contentType,
      serverSideEncryption: 'AES256',
      tags: { ...store.tags, [NODE_TAG_KEY]: args.node },
    },
    { parent, dependsOn: [...store.ready, ...(args.dependsOn ?? [])] },
  );
}

/** What a node's boot script needs beyond the config: the resolved ids of the stack's resources. */
export interface BootScriptInputs {
  /** The stack's region. */
  region: pulumi.Input<string>;
  /** The db-init script: the nodes wait for the runner's record of its digest. */
  dbInit: pulumi.Input<DbInit>;
  /** ARN of the stack's secret. */
  secretArn: pulumi.Input<string>;
  /** Per node, the ARN of its key material secret. */
  keysSecretArns: Record<NodeId, pulumi.Input<string>>;
  /** Per node, the digest of its public certificates (never of a key). */
  keyDigests: Record<NodeId, pulumi.Input<string>>;
  /** The EFS file system. */
  efsId: pulumi.Input<string>;
  /** EFS access points by role. */
  accessPointIds: Record<string, pulumi.Input<string>>;
  /** The model (node 1's address and health port, for node 2's first-start wait). */
  topology: pulumi.Input<Topology>;
}

/**
 * The boot script of node `id`, rendered once every input is known.
 * @param c The validated stack configuration.
 * @param id The node.
 * @param store The bucket the node's files are in.
 * @param inputs The ids of the stack's resources the script names.
 */
export function bootScript(c: StackConfig, id: NodeId, store: ConfigBucket, inputs: BootScriptInputs): pulumi.Output<string> {
  const r = roleOfNode(id);
  const keys = objectKeys(id);
  return pulumi
    .all([inputs.region, store.bucket.bucket, inputs.dbInit, inputs.secretArn, inputs.efsId, inputs.accessPointIds[r], inputs.topology, pulumi.all([inputs.keysSecretArns[id], inputs.keyDigests[id]])])
    .apply(([reg, b, d, secretArn, fsId, apId, t, [keysSecretArn, keyDigest]]) =>
      renderBootScript({
        nodeId: id,
        role: r,
        flavor: c.analytics.flavor,
        productHome: PRODUCT_HOMES[r],
        packUrl: c.ec2.amiId ? undefined : c[r].packUrl,
        javaPackage: c.ec2.javaPackage,
        jdbcDriverUrl: c.jdbcDriver.url,
        jdbcDriverSha256: c.jdbcDriver.sha256,
        jdbcDriverDir: jdbcDriverDir(r, c.analytics.flavor),
        region: reg,
        bucket: b,
        keys: { changeSet: keys.changeSet, applier: keys.applier },
        secretArn,
        keysSecretArn,
        keyMaterialDigest: keyDigest,
        efs: { fileSystemId: fsId, accessPointId: apId },
        sharedMount: SHARED_MOUNT,
        sharedDirectories: sharedDirectoriesFor(c.analytics.flavor).filter((s) => s.role === r),
        processes: processesFor(r, c.analytics.flavor),
        uid: WSO2_UID,
        dbWait: {
          host: t.db.host,
          port: t.db.port,
          user: t.db.accounts[r].user,
          recordTable: EC2_DB_INIT_DONE_TABLE,
          scriptSha256: sha256Hex(d.script),
          timeoutSeconds: DB_WAIT_TIMEOUT_SECONDS,
          intervalSeconds: DB_WAIT_INTERVAL_SECONDS,
        },
        homeLink: r === 'analytics' && c.analytics.flavor === 'das' ? ANALYTICS_HOME_LINK : undefined,
        firstStart: firstStartWait(t, id, c.analytics.flavor),
      }),
    );
}

export interface NodeFilesArgs {
  /** The stack's bucket. */
  store: ConfigBucket;
  /** Every node's change set. */
  changeSets: pulumi.Output<NodeChangeSet[]>;
  /** The applier bundle (the same on every node), as a file: 355 KB a preview diff would print in full. */
  applierJs: pulumi.asset.FileAsset;
  /** This node's boot script. */
  boot: pulumi.Input<string>;
  /** Objects to write first (node 1's, for node 2 of a role). */
  after: pulumi.Resource[];
}

/**
 * Node `id`'s objects: change set, applier, boot script (in that order).
 * Children: `${name}-<id>-change-set`, `${name}-<id>-applier`, `${name}-<id>-boot`.
 * @param name Prefix of the children's logical names.
 * @param id The node.
 * @param args The bucket, the contents and what to write first.
 * @param parent The platform component.
 */
export function nodeFiles(name: string, id: NodeId, args: NodeFilesArgs, parent: pulumi.Resource): aws.s3.BucketObjectv2[] {
  const keys = objectKeys(id);
  const object = (suffix: string, key: string, content: DeliveredObjectArgs['content'], contentType: string) =>
    deliveredObject(`${name}-${id}-${suffix}`, { store: args.store, node: id, key, content, contentType, dependsOn: args.after }, parent);
  return [
    object('change-set', keys.changeSet, args.changeSets.apply((all) => changeSetPayload(all.find((cs) => cs.nodeId === id)!)), 'application/json'),
    object('applier', keys.applier, args.applierJs, 'application/javascript'),
    object('boot', keys.boot, args.boot, 'text/x-shellscript'),
  ];
}
