/**
 * The nodes' identities: one role and instance profile per node, so each node's policy names
 * exactly what that node reads: SSM core (administration without SSH), the stack secret (its
 * passwords, never the database master password), its own key material secret, its own
 * configuration objects and its role's product pack plus the JDBC driver when they are in S3.
 * The policy is in place before the instance exists (the profile waits for it), so a first boot
 * never meets a missing grant.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { NodeId, nodeIds, roleOfNode } from '../../topology';
import { NODE_KEY_PREFIX } from './object-keys';

/** `s3://bucket/key` -> the object's ARN (packs the nodes may read), else undefined. */
export function s3ObjectArn(url: string | undefined, partition: string): string | undefined {
  const m = url ? /^s3:\/\/([^/]+)\/(.+)$/.exec(url) : null;
  return m ? `arn:${partition}:s3:::${m[1]}/${m[2]}` : undefined;
}

/** The trust policy of a role EC2 instances run with. */
export const EC2_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** One `Allow` statement. */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

/** What one node may read, as resolved ARNs. */
export interface NodeGrants {
  /** The stack secret (passwords the node fills in). */
  stackSecretArn: string;
  /** The node's own key material secret. */
  keysSecretArn: string;
  /** The stack's bucket. */
  bucketArn: string;
  /** S3 objects outside the bucket: the role's pack, the JDBC driver. */
  packArns: string[];
}

/**
 * Node `id`'s policy document: pure, so tests read it as data.
 * @param id The node.
 * @param g The ARNs it may read.
 */
export function nodePolicyDocument(id: NodeId, g: NodeGrants): string {
  const statements: PolicyStatement[] = [
    { Sid: 'StackSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [g.stackSecretArn] },
    { Sid: 'OwnKeyMaterial', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [g.keysSecretArn] },
    { Sid: 'OwnConfigObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${g.bucketArn}/${NODE_KEY_PREFIX}${id}/*`] },
  ];
  if (g.packArns.length > 0) statements.push({ Sid: 'Packs', Effect: 'Allow', Action: ['s3:GetObject'], Resource: g.packArns });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export interface NodeIdentityArgs {
  /** The validated stack configuration (pack and driver URLs). */
  config: StackConfig;
  /** The AWS partition (`aws`, `aws-cn`, ...), for ARNs. */
  partition: pulumi.Output<string>;
  /** ARN of the stack's secret. */
  secretArn: pulumi.Input<string>;
  /** Per node, the ARN of its key material secret. */
  keysSecretArns: Record<NodeId, pulumi.Input<string>>;
  /** ARN of the stack's bucket. */
  bucketArn: pulumi.Input<string>;
  /** Tags on the roles and the profiles. */
  tags: Record<string, string>;
}

export interface NodeIdentity {
  /** The node's role. */
  role: aws.iam.Role;
  /** Its read access (inline policy). */
  policy: aws.iam.RolePolicy;
  /** The instance profile the node runs with; it waits for the policy and the SSM attachment. */
  profile: aws.iam.InstanceProfile;
}

/**
 * A role for EC2 with SSM core and one inline policy, and its instance profile, which waits for
 * both (an instance naming the profile then starts with every grant in place).
 * Children: `<res>-role`, `<res>-ssm`, `<res>-access`, `<res>-profile`.
 * @param res Prefix of the children's logical names.
 * @param partition The AWS partition, for the managed policy's ARN.
 * @param policy The inline policy document.
 * @param tags Tags on the role and the profile.
 * @param parent The platform component.
 */
export function ec2Identity(res: string, partition: pulumi.Input<string>, policy: pulumi.Input<string>, tags: Record<string, string>, parent: pulumi.Resource): NodeIdentity {
  const role = new aws.iam.Role(`${res}-role`, { assumeRolePolicy: EC2_TRUST_POLICY, tags }, { parent });
  const ssm = new aws.iam.RolePolicyAttachment(
    `${res}-ssm`,
    { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
    { parent },
  );
  const access = new aws.iam.RolePolicy(`${res}-access`, { role: role.id, policy }, { parent });
  const profile = new aws.iam.InstanceProfile(`${res}-profile`, { role: role.name, tags }, { parent, dependsOn: [access, ssm] });
  return { role, policy: access, profile };
}

/**
 * Per node its identity (see {@link ec2Identity}); children `${name}-<id>-role|ssm|access|profile`.
 * @param name Prefix of the children's logical names.
 * @param args What the nodes may read.
 * @param parent The platform component.
 */
export function nodeIdentities(name: string, args: NodeIdentityArgs, parent: pulumi.Resource): Record<NodeId, NodeIdentity> {
  const { config: c, partition } = args;
  const out = {} as Record<NodeId, NodeIdentity>;
  for (const id of nodeIds(c.is.nodeCount)) {
    const packUrls = [c[roleOfNode(id)].packUrl, c.jdbcDriver.url];
    const policy = pulumi
      .all([partition, args.secretArn, args.keysSecretArns[id], args.bucketArn])
      .apply(([p, stackSecretArn, keysSecretArn, bucketArn]) =>
        nodePolicyDocument(id, {
          stackSecretArn,
          keysSecretArn,
          bucketArn,
          packArns: packUrls.map((u) => s3ObjectArn(u, p)).filter((a): a is string => a !== undefined),
        }),
      );
    out[id] = ec2Identity(`${name}-${id}`, partition, policy, args.tags, parent);
  }
  return out;
}
