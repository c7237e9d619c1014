/**
 * Carbon 4 Secure Vault on the DAS-based analytics nodes (`analytics.flavor: das`), exactly as on IS
 * (is/vault.ts: the literal `password` with `svns:secretAlias`, cipher-text.properties,
 * secret-conf.properties, password-tmp), with the differences of the DAS pack (docs/architecture.md
 * "Secure Vault on DAS"):
 * - the vault's key is carbon.xml's only KeyStore (kernel 4.4.20-4.4.32 has no InternalKeyStore),
 *   which is the analytics nodes' internal store (das-keystores.ts): `keystore.identity.*` names
 *   it, the ciphertexts are under its certificate (filter `vaultinternal`, the node's material),
 *   and password-tmp carries `internal_keystore_password`;
 * - the data bridge receivers' `keyStorePassword` resolves the alias the pack's cipher-tool.properties
 *   lists (carbon-analytics-common 5.1.21/5.1.42 `DataBridge.createDataBridgeConfiguration`,
 *   `DataBridgeConstants.DATA_BRIDGE_CONF_PASSWORD_ALIAS`).
 */
import { AnalyticsFlavor, Role, SecretName, Topology } from '../topology';
import { DAS_STORES, IS_STORES, STORE_TYPE } from './keystores';
import { WholeFile } from './types';
import { IS_VAULT, VaultEntry, renderCipherText, renderSecretConf } from './is/vault';
import { MASTER_DATASOURCES, datasourceAlias } from './is/datasources';

/**
 * The datasources file whose passwords are vaulted: master-datasources.xml only. The record stores'
 * analytics-datasources.xml keeps its password (see renderDasAnalyticsDatasources).
 */
export const DAS_VAULTED_DATASOURCES = MASTER_DATASOURCES;

/** The aliases whose name the product fixes on a DAS node, with the secret each holds. */
export const DAS_VAULT = {
  // carbon.xml `Carbon.` + element path (kernel 4.4.20/4.4.32 `ServerConfiguration.isProtectedToken`): the internal store here.
  keystorePassword: { alias: IS_VAULT.keystorePassword.alias, secret: DAS_STORES.internal.password },
  keystoreKeyPassword: { alias: IS_VAULT.keystoreKeyPassword.alias, secret: DAS_STORES.internal.password },
  truststorePassword: IS_VAULT.truststorePassword,
  adminPassword: IS_VAULT.adminPassword,
  connectorKeystorePass: IS_VAULT.connectorKeystorePass,
  dataBridgeKeystorePassword: { alias: 'DataBridge.Config.keyStorePassword', secret: DAS_STORES.tls.password },
} as const satisfies Record<string, VaultEntry>;

/** The placeholder filter of the DAS ciphertexts: under the node's own internal certificate. */
export const DAS_VAULT_FILTER = 'vaultinternal';

/** Every vaulted secret of a DAS node, in a fixed order: what its cipher-text.properties holds. */
export function dasVaultEntries(t: Topology): VaultEntry[] {
  const datasources = Object.values(t.db.datasources).filter((d) => d.definedIn === DAS_VAULTED_DATASOURCES);
  return [...Object.values(DAS_VAULT), ...datasources.map((d): VaultEntry => ({ alias: datasourceAlias(d.name), secret: 'db_password' }))];
}

/** cipher-text.properties and secret-conf.properties of a DAS node (the vault's key: the internal store). */
export function renderDasVaultFiles(t: Topology): WholeFile[] {
  const s = DAS_STORES.internal;
  return [renderCipherText(dasVaultEntries(t), DAS_VAULT_FILTER), renderSecretConf({ file: s.file, alias: s.alias, type: STORE_TYPE })];
}

/**
 * The secret a node's Carbon 4 Secure Vault opens its keystore with, which the platforms write to
 * `$CARBON_HOME/password-tmp` before each start (kernel `DefaultSecretCallbackHandler` reads it
 * and deletes it): IS, the primary store's; DAS analytics, its internal store's; none on SP
 * analytics (a Carbon 5 vault of its own, analytics-vault.ts).
 * @param role the node's role
 * @param flavor the stack's analytics flavour
 */
export function passwordTmpSecret(role: Role, flavor: AnalyticsFlavor): SecretName | undefined {
  if (role === 'is') return IS_STORES.primary.password;
  return flavor === 'das' ? DAS_STORES.internal.password : undefined;
}
