/**
 * The values the applier writes into an SP-based analytics node's `conf/<runtime>/secrets.properties`
 * for the vault filters of config-templates/analytics-vault.ts (`VAULT_FILTERS`): the secret encoded
 * for where carbon-config will put it, then encrypted as carbon-secvault 5.0.13's
 * `JKSBasedCipherProvider` decrypts (`Cipher.getInstance("RSA")` = RSA/ECB/PKCS1Padding, base64:
 * `secureVaultEncrypt`) with the node's TLS certificate.
 *
 * Where the decrypted value lands: carbon-config 2.1.12 re-dumps each deployment.yaml namespace with
 * SnakeYAML (block style; a whole `${sec:alias}` value is a plain scalar) and replaces the reference
 * by the decrypted text literally (`processPlaceholder`), then `substituteVariables` fails on any
 * `${` left, then SnakeYAML parses the text again.
 */
import { NODE_TLS_CERTIFICATE } from '../secret-names';
import { secureVaultEncrypt } from './vault-crypto';

/**
 * A complete double-quoted YAML scalar reading back as `v`, in ASCII only: `"` and `\` escaped,
 * `$` as `\x24` (so no `${` reaches carbon-config's second substitution), every other character
 * outside printable ASCII as `\uXXXX` (per UTF-16 unit; SnakeYAML joins a surrogate pair back).
 */
export function yamlDoubleQuoted(v: string): string {
  let out = '"';
  for (const ch of v) {
    for (let i = 0; i < ch.length; i++) {
      const c = ch.charCodeAt(i);
      if (ch === '"' || ch === '\\') out += `\\${ch}`;
      else if (ch === '$') out += '\\x24';
      else if (c >= 0x20 && c < 0x7f) out += ch;
      else out += `\\u${c.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}"`;
}

/**
 * Characters a secret may have when its reference sits inside a longer value (a JDBC URL): safe as
 * is in a YAML plain, single- or double-quoted scalar and in a URL query value (RFC 3986 unreserved).
 */
export const INLINE_SAFE = /^[A-Za-z0-9._~-]+$/;

/** The vault plaintext for one filter (before encryption). */
export function vaultPlaintext(filter: string, value: string, secretName: string): string {
  switch (filter) {
    case 'vaultyaml':
      return yamlDoubleQuoted(value);
    case 'vaultyamlb64':
      return yamlDoubleQuoted(Buffer.from(value, 'utf8').toString('base64'));
    case 'vaultinline':
      // Never the value in the message.
      if (!INLINE_SAFE.test(value)) throw new Error(`${secretName}: cannot sit inside a longer analytics deployment.yaml value: only letters, digits and . _ ~ - are safe there`);
      return value;
    default:
      throw new Error(`unknown analytics vault filter "${filter}"`);
  }
}

/**
 * The `cipherText` token of a secrets.properties entry: the filter's plaintext encrypted with the
 * vault's certificate (the node's TLS certificate), padding seeded by `seedKey` (that store's
 * password) so an unchanged node gets the same bytes.
 */
export function analyticsVaultCipherText(filter: string, value: string, secretName: string, certificatePem: string, seedKey: string): string {
  return secureVaultEncrypt(certificatePem, vaultPlaintext(filter, value, secretName), seedKey);
}

/** The secret value holding the node's TLS certificate (PEM; added by `apply --material`, applier/cli.ts). */
export const TLS_CERTIFICATE_VALUE = NODE_TLS_CERTIFICATE;

/**
 * The analytics vault filters as the secret filler calls them (applier/secrets.ts FILTERS): the
 * value, the file (for errors) and the values (the TLS certificate and the TLS store password, the
 * padding's seed). Errors name the file and what is missing, never a value.
 */
export const ANALYTICS_VAULT_FILTERS: Record<string, (v: string, file: string, values: Partial<Record<string, string>>) => string> = Object.fromEntries(
  ['vaultyaml', 'vaultyamlb64', 'vaultinline'].map((filter) => [
    filter,
    (v: string, file: string, values: Partial<Record<string, string>>): string => {
      const need = (k: string) => {
        const x = values[k];
        if (typeof x !== 'string' || !x) throw new Error(`the ${filter} filter needs "${k}" in the secret values (apply --material)`);
        return x;
      };
      try {
        return analyticsVaultCipherText(filter, v, `the secret of a ${filter} placeholder`, need(TLS_CERTIFICATE_VALUE), need('tls_keystore_password'));
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
      }
    },
  ]),
);
