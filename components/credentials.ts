import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';

export interface CredentialsArgs {
  /** Admin password from config; a random one is made when unset. */
  adminPassword?: pulumi.Input<string>;
  /** Application database password from config; random when unset. */
  dbPassword?: pulumi.Input<string>;
  /** Database master (root) password from config; random when unset. */
  dbMasterPassword?: pulumi.Input<string>;
}

/**
 * Characters random passwords may use: every XML, YAML and shell metacharacter the applier must
 * escape is allowed on purpose; RDS forbids only `/`, `"`, `@` and space in master passwords.
 */
export const PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?'\\";

/**
 * The stack's credentials, always Pulumi secrets: taken from config when given, otherwise
 * generated once by @pulumi/random and kept in state.
 */
export class Credentials extends pulumi.ComponentResource {
  public readonly adminPassword: pulumi.Output<string>;
  public readonly dbPassword: pulumi.Output<string>;
  public readonly dbMasterPassword: pulumi.Output<string>;

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:Credentials', name, {}, opts);
    const make = (role: string, given: pulumi.Input<string> | undefined): pulumi.Output<string> => {
      if (given !== undefined) return pulumi.secret(given);
      const pw = new random.RandomPassword(
        `${name}-${role}`,
        { length: 24, special: true, overrideSpecial: PASSWORD_SPECIALS, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 },
        { parent: this },
      );
      return pw.result;
    };
    this.adminPassword = make('admin', args.adminPassword);
    this.dbPassword = make('db', args.dbPassword);
    this.dbMasterPassword = make('db-master', args.dbMasterPassword);
    this.registerOutputs({});
  }
}
