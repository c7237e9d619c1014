/**
 * Carbon 4 Secure Vault on IS 5.8, as the cipher tool (1.0.0-wso2v8, `-Dconfigure`) sets it up:
 * every password we put in an IS configuration file is the literal `password` with
 * `svns:secretAlias="<alias>"` (root element declaring `xmlns:svns`); the ciphertexts live in
 * `repository/conf/security/cipher-text.properties` (`alias=<base64 RSA PKCS#1 v1.5>`), encrypted
 * at boot by the applier with the primary certificate (placeholder filter `vault`); the vault's
 * key is the primary keystore's (`secret-conf.properties` `keystore.identity.*`), whose password
 * Carbon reads at start from `$CARBON_HOME/password-tmp` and then wipes (kernel 4.4.40
 * `DefaultSecretCallbackHandler`). docs/architecture.md "Secure Vault on IS" has the details.
 *
 * Aliases: where the product derives the alias from the element's position, it is that one
 * (carbon.xml: `Carbon.` + element path, `ServerConfiguration.isProtectedToken`; catalina-server.xml:
 * the dotted node path + attribute, `ServerManager.resolveSecuredConfig`; user-mgt.xml
 * `UserManager.AdminUser.Password`, `RealmConfigXMLProcessor`); datasources resolve any alias
 * (`DataSourceUtils.secureLoadElement`), named as the cipher tool names them.
 */
import { SecretName, Topology, secretPlaceholder } from '../../topology';
import type { SecretFilter } from '../../secret-names';
import { WholeFile, XmlOp } from '../types';
import { BPS_DATASOURCES, MASTER_DATASOURCES, SECUREVAULT_NS, datasourceAlias, isDatasourcesIn } from './datasources';
import { setAttr, setText } from './xml';

export const SECRET_CONF_PROPERTIES = 'repository/conf/security/secret-conf.properties';
export const CIPHER_TEXT_PROPERTIES = 'repository/conf/security/cipher-text.properties';
/** What the cipher tool writes in place of a vaulted value (the product resolves the alias instead). */
export const VAULTED_VALUE = 'password';

/** One vaulted secret: its alias in cipher-text.properties and the secret it holds. */
export interface VaultEntry {
  alias: string;
  secret: SecretName;
}

/** The aliases whose name the product fixes, with the secret each holds. */
export const IS_VAULT = {
  keystorePassword: { alias: 'Carbon.Security.KeyStore.Password', secret: 'keystore_password' },
  keystoreKeyPassword: { alias: 'Carbon.Security.KeyStore.KeyPassword', secret: 'keystore_password' },
  internalPassword: { alias: 'Carbon.Security.InternalKeyStore.Password', secret: 'internal_keystore_password' },
  internalKeyPassword: { alias: 'Carbon.Security.InternalKeyStore.KeyPassword', secret: 'internal_keystore_password' },
  truststorePassword: { alias: 'Carbon.Security.TrustStore.Password', secret: 'truststore_password' },
  adminPassword: { alias: 'UserManager.AdminUser.Password', secret: 'admin_password' },
  connectorKeystorePass: { alias: 'Server.Service.Connector.keystorePass', secret: 'tls_keystore_password' },
  entitlementKeystorePassword: { alias: 'EntitlementSettings.ThirftBasedEntitlementConfig.KeyStore.Password', secret: 'keystore_password' },
} as const satisfies Record<string, VaultEntry>;

/** The root element declares the Secure Vault namespace (what the cipher tool adds). */
export const svnsOn = (root: string): XmlOp => setAttr(root, 'xmlns:svns', SECUREVAULT_NS);

/** An element whose text is a vaulted secret: the literal and the alias. */
export function vaultedText(path: string, e: VaultEntry): XmlOp[] {
  return [setText(path, VAULTED_VALUE), setAttr(path, 'svns:secretAlias', e.alias)];
}

/** An attribute holding a vaulted secret (one per element: the alias attribute is the element's). */
export function vaultedAttr(path: string, attr: string, e: VaultEntry): XmlOp[] {
  return [setAttr(path, attr, VAULTED_VALUE), setAttr(path, 'svns:secretAlias', e.alias)];
}

/** Every vaulted secret of an IS node, in a fixed order: what cipher-text.properties holds. */
export function isVaultEntries(t: Topology): VaultEntry[] {
  const datasources = [...isDatasourcesIn(t, MASTER_DATASOURCES), ...isDatasourcesIn(t, BPS_DATASOURCES)];
  return [
    ...Object.values(IS_VAULT),
    ...datasources.map((d): VaultEntry => ({ alias: datasourceAlias(d.name), secret: 'db_password' })),
  ];
}

/**
 * cipher-text.properties, written whole: one `alias=` line per vaulted secret, each a placeholder
 * through `filter` (IS: `vault`, the primary certificate; DAS: `vaultinternal`, the node's internal
 * certificate, das-vault.ts) that the applier turns into the ciphertext (never the secret) at boot. Mode 0600.
 */
export function renderCipherText(entries: readonly VaultEntry[], filter: SecretFilter = 'vault'): WholeFile {
  const lines = entries.map((e) => `${e.alias}=${secretPlaceholder(e.secret, filter)}`);
  const under = filter === 'vault' ? 'the primary certificate' : "the node's internal certificate";
  const content = [`# Written by wso2-is-pattern2: Secure Vault ciphertexts (RSA PKCS#1 v1.5 under ${under}, base64).`, ...lines, ''].join('\n');
  return { kind: 'file', path: CIPHER_TEXT_PROPERTIES, content, mode: '0600' };
}

/**
 * secret-conf.properties, written whole with the keys the cipher tool writes
 * (`Utils.writeToSecureConfPropertyFile`): the file repository, the primary keystore as the vault's
 * key (IS: the primary store; DAS: its internal store, carbon.xml's only KeyStore), its store and
 * key passwords through Carbon's DefaultSecretCallbackHandler (password-tmp).
 * Paths are relative to the working directory, which wso2server.sh sets to CARBON_HOME.
 */
export function renderSecretConf(vaultStore: { file: string; alias: string; type: string }): WholeFile {
  const entries: [string, string][] = [
    ['carbon.secretProvider', 'org.wso2.securevault.secret.handler.SecretManagerSecretCallbackHandler'],
    ['secretRepositories', 'file'],
    ['secretRepositories.file.provider', 'org.wso2.securevault.secret.repository.FileBaseSecretRepositoryProvider'],
    ['secretRepositories.file.location', CIPHER_TEXT_PROPERTIES],
    ['keystore.identity.location', vaultStore.file],
    ['keystore.identity.type', vaultStore.type],
    ['keystore.identity.alias', vaultStore.alias],
    ['keystore.identity.store.password', 'identity.store.password'],
    ['keystore.identity.store.secretProvider', 'org.wso2.carbon.securevault.DefaultSecretCallbackHandler'],
    ['keystore.identity.key.password', 'identity.key.password'],
    ['keystore.identity.key.secretProvider', 'org.wso2.carbon.securevault.DefaultSecretCallbackHandler'],
  ];
  const content = ['# Written by wso2-is-pattern2: Secure Vault on (what ciphertool.sh -Dconfigure writes).', ...entries.map(([k, v]) => `${k}=${v}`), ''].join('\n');
  return { kind: 'file', path: SECRET_CONF_PROPERTIES, content, mode: '0644' };
}
