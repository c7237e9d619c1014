/**
 * The nodes' identity: an instance profile whose role has SSM core (administration without SSH)
 * and may read this stack's secret and configuration objects only, plus the product packs and
 * JDBC driver when they are in S3.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
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
