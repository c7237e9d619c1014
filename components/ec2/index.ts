import * as pulumi from '@pulumi/pulumi';
import { StackConfig } from '../../config';
import { Credentials } from '../credentials';

export interface Ec2PlatformArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
}

// Placeholder until the platform lands: registers itself and nothing else.
export class Ec2Platform extends pulumi.ComponentResource {
  public readonly outputs: Record<string, pulumi.Output<unknown>> = {};
  constructor(name: string, args: Ec2PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:Ec2Platform', name, {}, opts);
    void args;
    this.registerOutputs({});
  }
}
