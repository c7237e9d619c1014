/**
 * Our key material in the DAS-based analytics pack (`analytics.flavor: das`, Carbon 4): every stock
 * element that names a keystore or truststore points at the node's own stores, their passwords
 * through Secure Vault (das-vault.ts), and the TLS endpoints offer TLS 1.2 with our suites only. The files are the Carbon 4
 * files the IS renderers already edit, so the same operations are reused where they match; the list
 * with sources is docs/architecture.md "Key material in the product files".
 */
import { DEFAULT_PORTS } from '../topology';
import { DAS_STORES, TLS_CIPHER_LIST, TLS_PROTOCOLS } from './keystores';
import { XmlEdit, XmlOp } from './types';
import { byAttr, xmlFragment } from './is/xml';
import { CATALINA_SERVER_XML } from './is/proxy';
import { carbonHomePath, catalinaTlsOps, renderDataAgentConfig, storeBlock } from './is/keystores';
import { svnsOn, vaultedText } from './is/vault';
import { DAS_VAULT } from './das-vault';

/** Carbon 4's connector file, at the same path as on IS. */
export const DAS_CATALINA_SERVER_XML = CATALINA_SERVER_XML;
export const DAS_DATA_BRIDGE_CONFIG_XML = 'repository/conf/data-bridge/data-bridge-config.xml';

/** The data bridge receivers of the pack (carbon-analytics-common 5.1.x `data-bridge-config.xml`). */
export const DAS_DATA_RECEIVERS = ['Thrift', 'Binary'] as const;

/**
 * carbon.xml Security: the KeyStore (Carbon 4.4 before 4.4.34 has no InternalKeyStore: this one
 * encrypts and signs, and is Secure Vault's key) is the analytics nodes' internal store; the
 * TrustStore is ours (Carbon also exports it as `javax.net.ssl.trustStore*`, which the pack's start
 * script does not set). Passwords through Secure Vault (`Carbon.Security.*` aliases).
 */
export function dasCarbonKeystoreOps(): XmlOp[] {
  return [
    svnsOn('/Server'),
    ...storeBlock('/Server/Security/KeyStore', DAS_STORES.internal, DAS_VAULT.keystorePassword, DAS_VAULT.keystoreKeyPassword),
    ...storeBlock('/Server/Security/TrustStore', DAS_STORES.truststore, DAS_VAULT.truststorePassword),
  ];
}

/** catalina-server.xml: the 9443 connector (moved by the Carbon offset) on the node's TLS key, TLS 1.2, our suites; `keystorePass` vaulted. */
export function renderDasCatalina(): XmlEdit {
  return { kind: 'xml', path: DAS_CATALINA_SERVER_XML, ops: catalinaTlsOps(`/Server/Service/Connector${byAttr('port', String(DEFAULT_PORTS.isHttps))}`) };
}

/**
 * data-bridge-config.xml: the receivers' keystore (key password = store password: the Thrift and
 * binary receivers open it with one password) is the node's TLS store, whose certificate names the
 * address the IS publishers use; its password through Secure Vault (`DataBridge.Config.keyStorePassword`,
 * which `DataBridge` resolves in 5.1.21 and 5.1.42); each receiver offers TLS 1.2 with our suites (`sslEnabledProtocols`
 * and `ciphers` receiver configs, read by 5.1.21 and 5.1.42 alike; commented out as shipped, so
 * upserted, as are the keystore elements an older pack may lack).
 */
export function renderDasDataBridgeConfig(): XmlEdit {
  const root = '/dataBridgeConfiguration';
  const s = DAS_STORES.tls;
  const element = (name: string, value: string): XmlOp => ({ op: 'upsertChild', parent: root, match: name, xml: xmlFragment({ [name]: value }) });
  const ops: XmlOp[] = [
    svnsOn(root),
    element('keyStoreLocation', carbonHomePath(s)),
    element('keyStorePassword', ''),
    ...vaultedText(`${root}/keyStorePassword`, DAS_VAULT.dataBridgeKeystorePassword),
  ];
  for (const receiver of DAS_DATA_RECEIVERS) {
    const parent = `${root}/dataReceiver${byAttr('name', receiver)}`;
    for (const [name, value] of [
      ['sslEnabledProtocols', TLS_PROTOCOLS],
      ['ciphers', TLS_CIPHER_LIST],
    ] as const) {
      ops.push({ op: 'upsertChild', parent, match: `config${byAttr('name', name)}`, xml: xmlFragment({ config: { '@name': name, '#': value } }) });
    }
  }
  return { kind: 'xml', path: DAS_DATA_BRIDGE_CONFIG_XML, ops };
}

/** The DAS files that name stores besides carbon.xml (whose ops go with the port offset). */
export function renderDasKeystoreFiles(): XmlEdit[] {
  // data-agent-config.xml: the pack's own agents (same file and format as IS's) trust our truststore.
  return [renderDasCatalina(), renderDasDataBridgeConfig(), renderDataAgentConfig()];
}
