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
 * The placeholder text for a secret, optionally through a filter (`base64`).
 * Chosen so it never collides with the products' own `${...}` property syntax.
 */
export function secretPlaceholder(name: SecretName, filter?: 'base64'): string {
  return filter ? `@@SECRET:${name}|${filter}@@` : `@@SECRET:${name}@@`;
}
export const SECRET_PLACEHOLDER_RE = /@@SECRET:([a-z_]+)(?:\|([a-z0-9]+))?@@/g;
