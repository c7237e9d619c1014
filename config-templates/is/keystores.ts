/**
 * Our key material in the IS product files: every stock element that names a keystore or truststore
 * (wso2carbon.jks / client-truststore.jks, password wso2carbon) points at the node's own stores with
 * their password placeholders, and the TLS endpoints we configure offer TLS 1.2 with strong suites
 * only. The full list, with the stock elements left alone and why, is docs/architecture.md "Key
 * material in the product files".
 */
import { Topology, nodesOf } from '../../topology';
import { IS_STORES, STORE_TYPE, StoreRef, TLS_CIPHER_LIST, TLS_PROTOCOLS } from '../keystores';
import { XmlEdit, XmlOp } from '../types';
import { setAttr, setText, xmlFragment } from './xml';
import { IS_VAULT, VaultEntry, svnsOn, vaultedAttr, vaultedText } from './vault';

/** Not in the shared reference tree: shipped by the data-bridge agent feature IS installs. */
export const DATA_AGENT_CONFIG_XML = 'repository/conf/data-bridge/data-agent-config.xml';

/** How Carbon 4 files write a store's location: under the product home, resolved by Carbon. */
export const carbonHomePath = (s: StoreRef) => `\${carbon.home}/${s.file}`;

/**
 * A Carbon `<KeyStore>`-style block: Location, Type, Password, and for key stores KeyAlias and
 * KeyPassword; the passwords through Secure Vault (is/vault.ts).
 */
export function storeBlock(base: string, s: StoreRef, password: VaultEntry, keyPassword?: VaultEntry): XmlOp[] {
  const ops = [setText(`${base}/Location`, carbonHomePath(s)), setText(`${base}/Type`, STORE_TYPE), ...vaultedText(`${base}/Password`, password)];
  if (s.alias && keyPassword) ops.push(setText(`${base}/KeyAlias`, s.alias), ...vaultedText(`${base}/KeyPassword`, keyPassword));
  return ops;
}

/** carbon.xml Security: the primary (signing) keystore, the internal (encryption) keystore, the truststore. */
export function carbonKeystoreOps(): XmlOp[] {
  return [
    svnsOn('/Server'),
    ...storeBlock('/Server/Security/KeyStore', IS_STORES.primary, IS_VAULT.keystorePassword, IS_VAULT.keystoreKeyPassword),
    ...storeBlock('/Server/Security/InternalKeyStore', IS_STORES.internal, IS_VAULT.internalPassword, IS_VAULT.internalKeyPassword),
    ...storeBlock('/Server/Security/TrustStore', IS_STORES.truststore, IS_VAULT.truststorePassword),
  ];
}

/**
 * The 9443 connector (Tomcat 7 JSSE attributes): our TLS key by alias, TLS 1.2 only, strong suites.
 * `keystorePass` through Secure Vault. No `keyPass`: an element carries one `svns:secretAlias`
 * (kernel 4.4.40 `ServerManager.resolveSecuredConfig`), so a second password attribute would stay
 * in clear; Tomcat then uses the store password for the key, which is what our stores hold (one
 * password per store). A `keyPass` an earlier version set is removed. Client certificates stay
 * optional (`clientAuth="want"` as shipped) and are checked against the Carbon truststore.
 */
export function catalinaTlsOps(connector: string): XmlOp[] {
  const s = IS_STORES.tls;
  return [
    svnsOn('/Server'),
    setAttr(connector, 'keystoreFile', carbonHomePath(s)),
    ...vaultedAttr(connector, 'keystorePass', IS_VAULT.connectorKeystorePass),
    setAttr(connector, 'keystoreType', STORE_TYPE),
    setAttr(connector, 'keyAlias', s.alias),
    // One secret alias per element: Tomcat takes the key password from the store password (ours are equal).
    { op: 'removeAttr', path: connector, name: 'keyPass' },
    setAttr(connector, 'sslProtocol', 'TLS'),
    setAttr(connector, 'sslEnabledProtocols', TLS_PROTOCOLS),
    setAttr(connector, 'ciphers', TLS_CIPHER_LIST),
  ];
}

/**
 * identity.xml: the Thrift entitlement service's keystore (the service is off as shipped, but the
 * element names the stock keystore and would be used as is when it is switched on).
 */
export function identityKeystoreOps(): XmlOp[] {
  const base = '/Server/EntitlementSettings/ThirftBasedEntitlementConfig/KeyStore';
  const s = IS_STORES.primary;
  return [svnsOn('/Server'), setText(`${base}/Location`, carbonHomePath(s)), ...vaultedText(`${base}/Password`, IS_VAULT.entitlementKeystorePassword)];
}

/** The data-bridge agents the IS event publishers use. */
export const DATA_AGENTS = ['Thrift', 'Binary'] as const;

/**
 * data-agent-config.xml: each agent trusts our truststore explicitly (the element is spelled
 * `TrustSore` by the product) and offers TLS 1.2 with our suites, which the analytics receivers
 * accept (the two lists must intersect). The stock file has these only as comments, so they are
 * upserted. No `TrustSorePassword`: the file is read with JAXB, without Secure Vault
 * (carbon-analytics-common 5.1.57 `AgentHolder`), and without it the agent takes
 * `javax.net.ssl.trustStorePassword`, which Carbon sets from carbon.xml's vaulted TrustStore
 * password (kernel `CarbonServerManager`); one an earlier version wrote is removed.
 */
export function renderDataAgentConfig(): XmlEdit {
  const s = IS_STORES.truststore;
  const ops: XmlOp[] = [];
  for (const agent of DATA_AGENTS) {
    const parent = `/DataAgentsConfiguration/Agent[Name='${agent}']`;
    const values: [string, string][] = [
      ['TrustSore', carbonHomePath(s)],
      ['sslEnabledProtocols', TLS_PROTOCOLS],
      ['ciphers', TLS_CIPHER_LIST],
    ];
    for (const [name, value] of values) ops.push({ op: 'upsertChild', parent, match: name, xml: xmlFragment({ [name]: value }) });
    ops.push({ op: 'remove', path: `${parent}/TrustSorePassword`, optional: true });
  }
  return { kind: 'xml', path: DATA_AGENT_CONFIG_XML, ops };
}

/** The analytics receivers as the publishers reach them: over TLS, in failover order. */
export function sslReceiverUrls(t: Topology): string {
  return nodesOf(t, 'analytics')
    .map((n) => `ssl://${n.address}:${t.ports.thriftSsl}`)
    .join('|');
}
