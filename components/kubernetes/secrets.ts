/**
 * The Secrets of the Kubernetes platform: stringData from Pulumi secrets, never in a ConfigMap.
 * Pods read them as environment (database, admin) or as the applier's 0400 secrets file.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { ADMIN_USERNAME } from '../../topology';
import { VAULT_VALUES } from '../../secret-names';
import { Credentials } from '../credentials';
import type { KeyMaterial } from '../keys';
import { PlatformContext } from './context';
import { SECRET_NAMES_K8S, keyMaterialFileName } from './names';
import { SECRETS_FILE, VAULT_KEY_FILE } from './paths';

/** Product default keystore password of wso2carbon.jks (IS 5.8.0 ships it; we do not re-key). */
export const PRODUCT_KEYSTORE_PASSWORD = 'wso2carbon';

export interface PlatformSecrets {
  /** Database user, its password and the master password (keys `username`, `password`, `master-password`). */
  database: k8s.core.v1.Secret;
  /** The IS admin user and password. */
  admin: k8s.core.v1.Secret;
  /** The product keystore's password. */
  keystore: k8s.core.v1.Secret;
  /** The applier's secrets file (SECRETS_FILE). */
  applier: k8s.core.v1.Secret;
  /** Every node's keystore material, one key per node (`keyMaterialFileName`). */
  keys: k8s.core.v1.Secret;
  /** SP analytics only: the Secure Vault master key (`VAULT_KEY_FILE`), mounted into the product containers. */
  analyticsVault?: k8s.core.v1.Secret;
  /** Versions of the secrets the pods read: a rotated value changes these, not the other way round. */
  versions: pulumi.Output<string>;
}

/**
 * The platform's Secrets.
 * @param ctx the platform context
 * @param credentials the stack's credentials (Pulumi secrets)
 * @param keyMaterial the stack's key material (store passwords, per-node material)
 */
export function platformSecrets(ctx: PlatformContext, credentials: Credentials, keyMaterial: KeyMaterial): PlatformSecrets {
  const { name, cfg, meta, inNs } = ctx;
  const database = new k8s.core.v1.Secret(
    `${name}-db-secret`,
    {
      metadata: meta(SECRET_NAMES_K8S.database),
      type: 'Opaque',
      stringData: {
        username: cfg.databaseUser,
        password: credentials.dbPassword,
        'master-password': credentials.dbMasterPassword,
      },
    },
    inNs(),
  );
  const admin = new k8s.core.v1.Secret(
    `${name}-admin-secret`,
    { metadata: meta(SECRET_NAMES_K8S.admin), type: 'Opaque', stringData: { username: ADMIN_USERNAME, password: credentials.adminPassword } },
    inNs(),
  );
  const keystore = new k8s.core.v1.Secret(
    `${name}-keystore-secret`,
    { metadata: meta(SECRET_NAMES_K8S.keystore), type: 'Opaque', stringData: { password: pulumi.secret(PRODUCT_KEYSTORE_PASSWORD) } },
    inNs(),
  );
  // What the applier's `apply --secrets-file` reads (the store passwords fill the keystore
  // placeholders); the nodes never need the master password.
  const pw = keyMaterial.passwords;
  const applier = new k8s.core.v1.Secret(
    `${name}-applier-secret`,
    {
      metadata: meta(SECRET_NAMES_K8S.applier),
      type: 'Opaque',
      stringData: {
        [SECRETS_FILE]: pulumi.secret(
          pulumi
            .all([credentials.dbPassword, credentials.adminPassword, pw.primary, pw.internal, pw.tls, pw.truststore, keyMaterial.certificates.primary, keyMaterial.certificates.internal])
            .apply(([db, adm, ks, internal, tlsPw, trust, primaryCert, internalCert]) =>
              JSON.stringify({
                db_password: db,
                admin_password: adm,
                keystore_password: ks,
                internal_keystore_password: internal,
                tls_keystore_password: tlsPw,
                truststore_password: trust,
                // Public: what the applier encrypts the Secure Vault / CryptoUtil values with.
                [VAULT_VALUES.primaryCertificate]: primaryCert,
                [VAULT_VALUES.internalCertificate]: internalCert,
              }),
            ),
        ),
      },
    },
    inNs(),
  );
  const keys = new k8s.core.v1.Secret(
    `${name}-keys-secret`,
    {
      metadata: meta(SECRET_NAMES_K8S.keys),
      type: 'Opaque',
      stringData: Object.fromEntries(Object.entries(keyMaterial.material).map(([id, m]) => [keyMaterialFileName(id), pulumi.secret(m)])),
    },
    inNs(),
  );
  // The vault's keystore is the node's TLS store (config-templates/analytics-vault.ts): its password
  // is both master keys. A Secret of its own, so the product containers see nothing else.
  const analyticsVault =
    cfg.analytics.flavor === 'sp'
      ? new k8s.core.v1.Secret(
          `${name}-analytics-vault-secret`,
          { metadata: meta(SECRET_NAMES_K8S.analyticsVault), type: 'Opaque', stringData: { [VAULT_KEY_FILE]: pulumi.secret(pw.tls) } },
          inNs(),
        )
      : undefined;
  const versions = pulumi
    .all([database, admin, keystore, applier, keys, ...(analyticsVault ? [analyticsVault] : [])].map((s) => s.metadata.apply((m) => `${m?.name ?? ''}@${m?.resourceVersion ?? ''}`)))
    .apply((v) => v.join(','));
  return { database, admin, keystore, applier, keys, analyticsVault, versions };
}
