/**
 * The smallest valid raw stack configs (keys without the project prefix, values as the Pulumi
 * CLI hands them: strings, JSON for structured keys) and the error a rejected one raises: the
 * shared starting point of the config tests.
 */
import { ConfigError, parseStackConfig } from '../../config';

/** An EC2 stack: the hostname and an AMI (no pack URLs needed). */
export const MIN_EC2: Readonly<Record<string, string>> = { hostname: 'is.example.com', ec2: JSON.stringify({ amiId: 'ami-0123456789abcdef0' }) };

/** A local Kubernetes stack (rds and efs, the defaults, need a cluster's VPC and StorageClass). */
export const MIN_K8S: Readonly<Record<string, string>> = { hostname: 'is.example.com', platform: 'kubernetes', database: 'in-cluster', sharedStorage: 'nfs' };

/** The ConfigError `parseStackConfig` throws for `raw`; fails the test when it accepts it or throws anything else. */
export function configRejection(raw: Record<string, string>, stack = 'test'): ConfigError {
  try {
    parseStackConfig(raw, stack);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}
