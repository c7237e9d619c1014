/**
 * Secret placeholders: the names of the secrets the applier fills at boot from the platform's
 * secret store, and the placeholder syntax. Part of the topology model (topology.ts re-exports
 * them); a module of its own because the applier bundle imports it, so the bundle (and with it
 * every node's rollout) changes only when these facts change, not with any edit of the model.
 */

/** Placeholders the applier fills at boot from the platform's secret store. */
export const SECRET_NAMES = [
  'db_password',
  'db_master_password',
  'admin_password',
  // The store (and key: one password per store) passwords of the nodes' own keystores (topology KEYSTORE_STORES).
  'keystore_password',
  'internal_keystore_password',
  'tls_keystore_password',
  'truststore_password',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
/**
 * Filters a placeholder may name: `base64` (of the UTF-8 bytes); `vault`, a Carbon 4 Secure Vault
 * ciphertext (RSA PKCS#1 v1.5 under the primary certificate, base64); `cryptoutil`, a Carbon 4
 * CryptoUtil self-contained ciphertext (RSA OAEP under the internal certificate); `vaultinternal`,
 * a Secure Vault ciphertext as `vault` but under the node's own internal certificate (DAS analytics,
 * whose only carbon.xml KeyStore, and so the vault's key, is its internal store).
 */
export type SecretFilter = 'base64' | 'vault' | 'cryptoutil' | 'vaultinternal';
/**
 * Not secrets and never placeholders: the public certificates the `vault` and `cryptoutil` filters
 * encrypt with, carried in the same secret values document the applier reads at boot (so the
 * values and the keys that encrypt them arrive together).
 */
export const VAULT_VALUES = { primaryCertificate: 'primary_certificate', internalCertificate: 'internal_certificate' } as const;
/**
 * Per node, not in the stack secret: the node's own TLS certificate (public), which `apply
 * --material` takes from the node's key material; the SP analytics vault encrypts with it.
 */
export const NODE_TLS_CERTIFICATE = 'tls_certificate';
/**
 * Per node, likewise: the certificate of the node's own `internal` key (`apply --material`); the
 * `vaultinternal` filter encrypts with it (DAS analytics nodes have an internal key of their own).
 */
export const NODE_INTERNAL_CERTIFICATE = 'node_internal_certificate';
/** What the applier fills from: secret values by name, and the certificates of {@link VAULT_VALUES}. */
export type SecretValues = Partial<
  Record<SecretName | (typeof VAULT_VALUES)[keyof typeof VAULT_VALUES] | typeof NODE_TLS_CERTIFICATE | typeof NODE_INTERNAL_CERTIFICATE, string>
>;
/**
 * The placeholder text for a secret, optionally through a filter (see {@link SecretFilter}).
 * Chosen so it never collides with the products' own `${...}` property syntax.
 */
export function secretPlaceholder(name: SecretName, filter?: SecretFilter): string {
  return filter ? `@@SECRET:${name}|${filter}@@` : `@@SECRET:${name}@@`;
}
export const SECRET_PLACEHOLDER_RE = /@@SECRET:([a-z_]+)(?:\|([a-z0-9]+))?@@/g;
