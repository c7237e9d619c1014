/**
 * The nodes' identity: an instance profile whose role has SSM core (administration without SSH)
 * and may read this stack's secret and configuration objects only (and each node its own key
 * material: {@link nodeKeyAccess}), plus the product packs and
 * JDBC driver when they are in S3.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { NodeId } from '../../topology';
import { DB_INIT_KEY_PREFIX, NODE_KEY_PREFIX } from './config-delivery';

/** `s3://bucket/key` -> the object's ARN (packs the nodes may read), else undefined. */
export function s3ObjectArn(url: string | undefined, partition: string): string | undefined {
  const m = url ? /^s3:\/\/([^/]+)\/(.+)$/.exec(url) : null;
  return m ? `arn:${partition}:s3:::${m[1]}/${m[2]}` : undefined;
}

export interface NodeIdentityArgs {
  /** The validated stack configuration (pack and driver URLs). */
  config: StackConfig;
  /** The AWS partition (`aws`, `aws-cn`, ...), for ARNs. */
  partition: pulumi.Output<string>;
  /** ARN of the stack's secret. */
  secretArn: pulumi.Input<string>;
  /** ARN of the stack's bucket. */
  bucketArn: pulumi.Input<string>;
  /** Tags on the role and the profile. */
  tags: Record<string, string>;
}

export interface NodeIdentity {
  /** The nodes' role. */
  role: aws.iam.Role;
  /** Its access to the secret and the objects: an instance waits for it. */
  policy: aws.iam.RolePolicy;
  /** The instance profile the nodes run with. */
  profile: aws.iam.InstanceProfile;
}

/**
 * Children: `${name}-node-role`, `${name}-node-ssm`, `${name}-node-access`, `${name}-node-profile`.
 * @param name Prefix of the children's logical names.
 * @param args What the nodes may read.
 * @param parent The platform component.
 */
export function nodeIdentity(name: string, args: NodeIdentityArgs, parent: pulumi.Resource): NodeIdentity {
  const { config: c, partition, tags } = args;
  const role = new aws.iam.Role(
    `${name}-node-role`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    },
    { parent },
  );
  new aws.iam.RolePolicyAttachment(
    `${name}-node-ssm`,
    { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
    { parent },
  );
  const packArns = partition.apply((p) =>
    [c.is.packUrl, c.analytics.packUrl, c.jdbcDriver.url].map((u) => s3ObjectArn(u, p)).filter((a): a is string => a !== undefined),
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-node-access`,
    {
      role: role.id,
      policy: pulumi.all([args.secretArn, args.bucketArn, packArns]).apply(([secretArn, bucketArn, packs]) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'StackSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] },
            {
              Sid: 'StackConfigObjects',
              Effect: 'Allow',
              Action: ['s3:GetObject'],
              Resource: [`${bucketArn}/${NODE_KEY_PREFIX}*`, `${bucketArn}/${DB_INIT_KEY_PREFIX}*`, ...packs],
            },
          ],
        }),
      ),
    },
    { parent },
  );
  const profile = new aws.iam.InstanceProfile(`${name}-node-profile`, { role: role.name, tags }, { parent });
  return { role, policy, profile };
}

export interface NodeKeyAccessArgs {
  /** The nodes' role (from {@link nodeIdentity}). */
  role: aws.iam.Role;
  /** Per node, the ARN of the secret holding its keystore material. */
  secretArns: Record<NodeId, pulumi.Input<string>>;
  /** Per node, its instance's ARN. */
  instanceArns: Record<NodeId, pulumi.Input<string>>;
}

/**
 * The nodes share one role, yet each may read only its own key material: one statement per node
 * whose condition `ec2:SourceInstanceARN` (set on instance-profile credentials) names that node's
 * instance. A policy of its own, written after the instances (it needs their ARNs; the instances
 * must not wait for it): a first boot that races it fails the keystores step and the config unit
 * retries it (every 30 s). Child: `${name}-node-keys`.
 * @param name Prefix of the child's logical name.
 * @param args The role, the secrets and the instances.
 * @param parent The platform component.
 */
export function nodeKeyAccess(name: string, args: NodeKeyAccessArgs, parent: pulumi.Resource): aws.iam.RolePolicy {
  // The nodes are those given a secret (every node of the stack, `is.nodeCount` IS nodes).
  const ids = Object.keys(args.secretArns) as NodeId[];
  const pairs = ids.map((id) => pulumi.all([args.secretArns[id], args.instanceArns[id]]));
  return new aws.iam.RolePolicy(
    `${name}-node-keys`,
    {
      role: args.role.id,
      policy: pulumi.all(pairs).apply((arns) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: ids.map((id, i) => ({
            Sid: `KeyMaterial${id.replace(/[^A-Za-z0-9]/g, '')}`,
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue'],
            Resource: [arns[i][0]],
            Condition: { ArnEquals: { 'ec2:SourceInstanceARN': arns[i][1] } },
          })),
        }),
      ),
    },
    { parent },
  );
}
