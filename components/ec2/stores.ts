/**
 * The stack's stores on EC2: the credentials in Secrets Manager (the master password in a secret of
 * its own, for db-init only; plus one secret per node holding
 * its keystore material: private keys, so each node reads only its own), the RDS MySQL and the EFS file
 * system with one access point per role. All three are protected on prod, so `pulumi destroy`
 * refuses until they are unprotected on purpose.
 */
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../../config';
import { NodeId, ROLES, WSO2_UID, nodeIds } from '../../topology';
import { VAULT_VALUES } from '../../secret-names';
import type { Credentials } from '../credentials';
import { EfsFileSystem } from '../aws/efs';
import { RdsDatabase, stackDatabase } from '../aws/rds';
import { SecretDocument, StackSecrets } from '../aws/secrets';
import type { KeyMaterial } from '../keys';

export interface StoresArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
  /** The stack's key material: its store passwords join the stack secret, each node's material gets a secret. */
  keys: KeyMaterial;
  /** Private subnets, one per AZ: the database's subnet group and the EFS mount targets. */
  subnetIds: pulumi.Output<string>[];
  /** Security group of the database. */
  dbGroupId: pulumi.Input<string>;
  /** Security group of the EFS mount targets. */
  efsGroupId: pulumi.Input<string>;
  /** Tags on every resource. */
  tags: Record<string, string>;
}

export interface Stores {
  /** The secret the nodes read their passwords from (never the master password). */
  secrets: StackSecrets;
  /** The database master and application passwords: the db-init runner's only secret. */
  dbPasswords: SecretDocument;
  /** The shared MySQL. */
  db: RdsDatabase;
  /** The shared file system (access points by role). */
  efs: EfsFileSystem;
  /** Per node, the secret holding its keystore material. */
  nodeKeys: Record<NodeId, SecretDocument>;
}

/**
 * Children: `${name}-secrets`, `${name}-db-master`, `${name}-<node>-keys`, `${name}-db`, `${name}-efs`.
 * @param name Prefix of the children's logical names.
 * @param args Configuration, credentials, subnets and groups.
 * @param parent The platform component.
 */
export function stores(name: string, args: StoresArgs, parent: pulumi.Resource): Stores {
  const { config: c, tags } = args;
  const prod = c.environment === 'prod';
  const secrets = new StackSecrets(
    `${name}-secrets`,
    {
      values: {
        db_password: args.credentials.dbPassword,
        admin_password: args.credentials.adminPassword,
        keystore_password: args.keys.passwords.primary,
        internal_keystore_password: args.keys.passwords.internal,
        tls_keystore_password: args.keys.passwords.tls,
        truststore_password: args.keys.passwords.truststore,
        // Public: what the applier encrypts the Secure Vault / CryptoUtil values with.
        [VAULT_VALUES.primaryCertificate]: args.keys.certificates.primary,
        [VAULT_VALUES.internalCertificate]: args.keys.certificates.internal,
      },
      recoveryWindowInDays: prod ? 30 : 0,
      tags,
    },
    { parent, protect: prod },
  );
  // The master password only where db-init runs (db-init-runner.ts), with the application password it sets.
  const dbPasswords = new SecretDocument(
    `${name}-db-master`,
    {
      value: pulumi
        .all([args.credentials.dbMasterPassword, args.credentials.dbPassword])
        .apply(([master, app]) => JSON.stringify({ db_master_password: master, db_password: app })),
      description: 'WSO2 pattern 2 database master and application passwords (JSON; read by the db-init runner only)',
      recoveryWindowInDays: prod ? 30 : 0,
      tags,
    },
    { parent, protect: prod },
  );
  const nodeKeys = {} as Record<NodeId, SecretDocument>;
  for (const id of nodeIds(c.is.nodeCount)) {
    nodeKeys[id] = new SecretDocument(
      `${name}-${id}-keys`,
      { value: args.keys.material[id], description: `WSO2 pattern 2 keystore material of ${id} (private keys; read by that node only)`, recoveryWindowInDays: prod ? 30 : 0, tags },
      { parent, protect: prod },
    );
  }
  const db = stackDatabase(
    `${name}-db`,
    { config: c, masterPassword: args.credentials.dbMasterPassword, subnetIds: args.subnetIds, securityGroupIds: [args.dbGroupId], tags },
    { parent },
  );
  // The access point roots belong to the wso2 user, whose uid is the same on every node.
  const roles = ROLES;
  const efs = new EfsFileSystem(
    `${name}-efs`,
    {
      subnetIds: args.subnetIds,
      securityGroupIds: [args.efsGroupId],
      accessPoints: Object.fromEntries(roles.map((r) => [r, { path: `/${r}`, ownerUid: WSO2_UID, ownerGid: WSO2_UID, permissions: '0750' }])),
      backup: prod,
      tags,
    },
    { parent, protect: prod },
  );
  return { secrets, dbPasswords, db, efs, nodeKeys };
}
