import * as pulumi from '@pulumi/pulumi';
import { StackConfig } from '../config';
import { Credentials } from './credentials';
import type { StackOutputs } from './outputs';

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
  public readonly outputs: StackOutputs;

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
    // Each platform's module is loaded only when the stack uses it, so an EC2 stack never loads
    // @pulumi/kubernetes (program start is paid by every preview and up).
    /* eslint-disable @typescript-eslint/no-var-requires */
    const platform =
      config.platform === 'ec2'
        ? new (require('./ec2') as typeof import('./ec2')).Ec2Platform(`${name}-ec2`, { config, credentials }, { parent: this })
        : new (require('./kubernetes') as typeof import('./kubernetes')).KubernetesPlatform(`${name}-k8s`, { config, credentials }, { parent: this });
    /* eslint-enable @typescript-eslint/no-var-requires */
    this.outputs = platform.outputs;
    this.registerOutputs(this.outputs);
  }
}
