/**
 * RDS MySQL for the pattern's databases, reusable by every AWS platform (EC2 and EKS).
 *
 * The component owns the subnet group, a parameter group carrying the server character set the
 * product schemas need, and the instance. Security groups are the caller's: rules are derived
 * from the topology model where the caller builds its other rules, so they cannot drift.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import * as random from '@pulumi/random';
import type { StackConfig } from '../../config';
import { awsName } from './names';

/** The MySQL port the instance listens on (RDS default; also the topology's `dbPort`). */
export { MYSQL_PORT } from '../../topology';
import { MYSQL_PORT } from '../../topology';

/** Default collation of each character set the config accepts (MySQL 8 defaults). */
export const DEFAULT_COLLATIONS: Readonly<Record<string, string>> = {
  latin1: 'latin1_swedish_ci',
  utf8: 'utf8mb3_general_ci',
  utf8mb3: 'utf8mb3_general_ci',
  utf8mb4: 'utf8mb4_0900_ai_ci',
};

/** `8.0`, `8.0.39`, `8.4.3` -> `mysql8.0` / `mysql8.4`: the parameter group family. */
export function mysqlParameterFamily(engineVersion: string): string {
  const m = /^(\d+)\.(\d+)/.exec(engineVersion);
  if (!m) throw new Error(`not a MySQL engine version: ${engineVersion}`);
  return `mysql${m[1]}.${m[2]}`;
}

export interface RdsDatabaseArgs {
  /** Private subnets in at least two AZs (RDS requires two even for single-AZ instances). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups of the instance; the caller owns their rules. */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /** MySQL engine version, e.g. `8.0` (latest minor) or `8.0.39`. */
  engineVersion: string;
  /** Instance class, e.g. `db.t3.medium`. */
  instanceClass: string;
  /** Storage in GiB (gp3, encrypted). */
  allocatedStorage: number;
  /** Standby in a second AZ. */
  multiAz: boolean;
  /** Refuse deletion until turned off. */
  deletionProtection: boolean;
  /** Days of automated backups (1-35). */
  backupRetentionDays: number;
  /** `character_set_server` (the collation is its MySQL default, see DEFAULT_COLLATIONS). */
  characterSet: string;
  /** Master user name. */
  masterUsername?: string;
  /** Master password (a Pulumi secret). */
  masterPassword: pulumi.Input<string>;
  /**
   * Take a final snapshot on deletion (prod). When false (test stacks) deletion leaves nothing
   * behind, so `pulumi destroy` needs no manual step.
   */
  finalSnapshot: boolean;
  /** Name prefix of the final snapshot (a random suffix follows); the stack name keeps snapshots of stacks apart. */
  finalSnapshotPrefix?: string;
  /** Tags on every resource. */
  tags?: Record<string, string>;
}

/**
 * One RDS MySQL instance: encrypted, private, backed up. Children: `${name}-subnets`,
 * `${name}-params`, `${name}-instance`.
 */
export class RdsDatabase extends pulumi.ComponentResource {
  public readonly instance: aws.rds.Instance;
  /** Host name the nodes connect to. */
  public readonly address: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  /** `host:port`. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly masterUsername: string;

  constructor(name: string, args: RdsDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:RdsDatabase', name, {}, opts);
    const tags = args.tags ?? {};
    const collation = DEFAULT_COLLATIONS[args.characterSet];
    if (!collation) throw new Error(`no collation known for character set ${args.characterSet}`);
    this.masterUsername = args.masterUsername ?? 'dbadmin';

    const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds, tags }, { parent: this });
    // Server defaults matter: the products create tables without a charset clause, and the seeds'
    // schemas need the configured one (latin1 avoids error 1709 with 5.6-era index lengths).
    // lower_case_table_names is deliberately absent: MySQL 8 fixes it at initialisation.
    const params = new aws.rds.ParameterGroup(
      `${name}-params`,
      {
        family: mysqlParameterFamily(args.engineVersion),
        description: 'WSO2 pattern 2: server character set of the product databases',
        parameters: [
          { name: 'character_set_server', value: args.characterSet },
          { name: 'collation_server', value: collation },
        ],
        tags,
      },
      { parent: this },
    );
    // A suffix fixed for the life of the stack: a prod stack destroyed and created again gets a new
    // final snapshot name instead of colliding with the snapshot its predecessor left.
    const snapshotSuffix = args.finalSnapshot ? new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, { parent: this }).hex : undefined;
    this.instance = new aws.rds.Instance(
      `${name}-instance`,
      {
        engine: 'mysql',
        engineVersion: args.engineVersion,
        instanceClass: args.instanceClass,
        allocatedStorage: args.allocatedStorage,
        storageType: 'gp3',
        storageEncrypted: true,
        port: MYSQL_PORT,
        username: this.masterUsername,
        password: pulumi.secret(args.masterPassword),
        dbSubnetGroupName: subnets.name,
        parameterGroupName: params.name,
        vpcSecurityGroupIds: args.securityGroupIds,
        publiclyAccessible: false,
        multiAz: args.multiAz,
        deletionProtection: args.deletionProtection,
        backupRetentionPeriod: args.backupRetentionDays,
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        skipFinalSnapshot: !args.finalSnapshot,
        finalSnapshotIdentifier: snapshotSuffix ? pulumi.interpolate`${args.finalSnapshotPrefix ?? name}-final-${snapshotSuffix}` : undefined,
        // Parameter or class changes wait for the maintenance window instead of restarting the
        // database under both IS nodes at once.
        applyImmediately: false,
        tags,
      },
      { parent: this },
    );
    this.address = this.instance.address;
    this.port = this.instance.port;
    this.endpoint = this.instance.endpoint;
    this.arn = this.instance.arn;
    this.registerOutputs({ address: this.address, port: this.port, arn: this.arn });
  }
}

/** What a platform supplies to {@link stackDatabase}: where the instance lives; the rest comes from config. */
export interface StackDatabaseArgs {
  /** The validated stack configuration: `rds.*`, `databaseCharacterSet`, `environment`, `stack`. */
  config: StackConfig;
  /** Master password (a Pulumi secret). */
  masterPassword: pulumi.Input<string>;
  /** Private subnets in at least two AZs. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups of the instance; the caller owns their rules. */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Tags on every resource. */
  tags?: Record<string, string>;
}

/**
 * The stack's RDS MySQL, the same on every AWS platform (EC2 and EKS): settings from `rds.*`, and
 * on prod a final snapshot named after the stack and `protect`, so `pulumi destroy` refuses until
 * the database is unprotected on purpose. Test stacks leave nothing behind.
 */
export function stackDatabase(name: string, args: StackDatabaseArgs, opts: pulumi.ComponentResourceOptions): RdsDatabase {
  const c = args.config;
  const prod = c.environment === 'prod';
  return new RdsDatabase(
    name,
    {
      subnetIds: args.subnetIds,
      securityGroupIds: args.securityGroupIds,
      engineVersion: c.rds.engineVersion,
      instanceClass: c.rds.instanceClass,
      allocatedStorage: c.rds.allocatedStorage,
      multiAz: c.rds.multiAz,
      deletionProtection: c.rds.deletionProtection,
      backupRetentionDays: c.rds.backupRetentionDays,
      characterSet: c.databaseCharacterSet,
      masterPassword: args.masterPassword,
      finalSnapshot: prod,
      finalSnapshotPrefix: awsName(['wso2', c.stack], 200),
      tags: args.tags,
    },
    { ...opts, protect: prod },
  );
}
