import * as pulumi from '@pulumi/pulumi';
import { StackConfig } from '../../config';
import { Credentials } from '../credentials';

export interface KubernetesPlatformArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
}

// Placeholder until the platform lands: registers itself and nothing else.
export class KubernetesPlatform extends pulumi.ComponentResource {
  public readonly outputs: Record<string, pulumi.Output<unknown>> = {};
  constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:KubernetesPlatform', name, {}, opts);
    void args;
    this.registerOutputs({});
  }
}
