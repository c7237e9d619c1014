import * as pulumi from '@pulumi/pulumi';
import { StackConfig } from '../config';
import { Credentials } from './credentials';
import { Ec2Platform } from './ec2';
import { KubernetesPlatform } from './kubernetes';

export interface Pattern2Args {
  /** The validated stack configuration (config.ts). */
  config: StackConfig;
}

/**
 * The whole pattern: credentials, then the platform the config names. Every platform builds the
 * same topology model and ships the same rendered change sets; only the plumbing differs.
 */
export class Pattern2 extends pulumi.ComponentResource {
  /** Stack outputs (URLs, endpoints, ids, secret ARNs; never secret values). */
  public readonly outputs: Record<string, pulumi.Output<unknown>>;

  constructor(name: string, args: Pattern2Args, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:Pattern2', name, {}, opts);
    const { config } = args;
    const credentials = new Credentials(
      `${name}-credentials`,
      {
        adminPassword: config.secrets.adminPassword,
        dbPassword: config.secrets.dbPassword,
        dbMasterPassword: config.secrets.dbMasterPassword,
      },
      { parent: this },
    );
    const platform =
      config.platform === 'ec2'
        ? new Ec2Platform(`${name}-ec2`, { config, credentials }, { parent: this })
        : new KubernetesPlatform(`${name}-k8s`, { config, credentials }, { parent: this });
    this.outputs = platform.outputs;
    this.registerOutputs(this.outputs);
  }
}
