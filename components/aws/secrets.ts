/**
 * The stack's credentials in AWS Secrets Manager, reusable by every AWS platform: one secret
 * whose value is a JSON object, in exactly the format the applier's `apply --secrets-file`
 * reads (`{ "db_password": ..., "admin_password": ..., "keystore_password": ..., ... }`), so a node
 * writes the secret string to a 0600 file unchanged.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import { SecretName } from '../../topology';
import { VAULT_VALUES } from '../../secret-names';

export interface StackSecretsArgs {
  /**
   * The values, by the placeholder names of the topology model (Pulumi secrets), and the public
   * certificates the applier's vault filters encrypt with (secret-names.ts VAULT_VALUES).
   */
  values: Record<SecretName | (typeof VAULT_VALUES)[keyof typeof VAULT_VALUES], pulumi.Input<string>>;
  /**
   * Days Secrets Manager keeps a deleted secret restorable. 0 deletes at once (test stacks:
   * destroy leaves nothing and the name is free again); 7-30 on prod.
   */
  recoveryWindowInDays: number;
  /** Description shown in the console. */
  description?: string;
  /** Tags on the secret (never its value). */
  tags?: Record<string, string>;
}

/**
 * Children: `${name}-secret` and `${name}-value`. Encrypted at rest by Secrets Manager (always;
 * the AWS managed key, so readers need no extra KMS grant).
 */
export class StackSecrets extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly version: aws.secretsmanager.SecretVersion;
  /** ARN of the secret: the only thing callers pass around (outputs, IAM policies, boot scripts). */
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: StackSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:StackSecrets', name, {}, opts);
    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      {
        description: args.description ?? 'WSO2 pattern 2 credentials (JSON: database, admin and keystore passwords)',
        recoveryWindowInDays: args.recoveryWindowInDays,
        tags: args.tags,
      },
      { parent: this },
    );
    const json = pulumi
      .all(args.values as Record<string, pulumi.Input<string>>)
      .apply((v) => JSON.stringify(Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))));
    this.version = new aws.secretsmanager.SecretVersion(
      `${name}-value`,
      { secretId: this.secret.id, secretString: pulumi.secret(json) },
      { parent: this },
    );
    this.arn = this.secret.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

export interface SecretDocumentArgs {
  /** The secret string (a Pulumi secret; made one if it is not). */
  value: pulumi.Input<string>;
  /** Days Secrets Manager keeps a deleted secret restorable (0 on test stacks). */
  recoveryWindowInDays: number;
  /** Description shown in the console (never the value). */
  description: string;
  /** Tags on the secret. */
  tags?: Record<string, string>;
}

/**
 * One Secrets Manager secret holding one document, e.g. a node's keystore material (private keys):
 * one secret per reader, so an IAM policy can grant each reader exactly its own.
 * Children: `${name}-secret` and `${name}-value`.
 */
export class SecretDocument extends pulumi.ComponentResource {
  public readonly secret: aws.secretsmanager.Secret;
  public readonly version: aws.secretsmanager.SecretVersion;
  /** ARN of the secret (what policies and boot scripts name). */
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: SecretDocumentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:SecretDocument', name, {}, opts);
    this.secret = new aws.secretsmanager.Secret(
      `${name}-secret`,
      { description: args.description, recoveryWindowInDays: args.recoveryWindowInDays, tags: args.tags },
      { parent: this },
    );
    this.version = new aws.secretsmanager.SecretVersion(`${name}-value`, { secretId: this.secret.id, secretString: pulumi.secret(args.value) }, { parent: this });
    this.arn = this.secret.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
