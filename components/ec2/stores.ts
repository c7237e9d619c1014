/**
 * The stack's stores on EC2: the credentials in Secrets Manager (plus one secret per node holding
 * its keystore material: private keys, so each node reads only its own), the RDS MySQL and the EFS file
 * system with one access point per role. All three are protected on prod, so `pulumi destroy`
 * refuses until they are unprotected on purpose.
 */
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../../config';
import { NODE_IDS, NodeId, ROLE_NODE_IDS, Role, WSO2_UID } from '../../topology';
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
  /** The secret the nodes read their passwords from. */
  secrets: StackSecrets;
  /** The shared MySQL. */
  db: RdsDatabase;
  /** The shared file system (access points by role). */
  efs: EfsFileSystem;
  /** Per node, the secret holding its keystore material. */
  nodeKeys: Record<NodeId, SecretDocument>;
}

/**
 * Children: `${name}-secrets`, `${name}-<node>-keys`, `${name}-db`, `${name}-efs`.
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
        db_master_password: args.credentials.dbMasterPassword,
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
  const nodeKeys = {} as Record<NodeId, SecretDocument>;
  for (const id of NODE_IDS) {
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
  const roles = Object.keys(ROLE_NODE_IDS) as Role[];
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
  return { secrets, db, efs, nodeKeys };
}
