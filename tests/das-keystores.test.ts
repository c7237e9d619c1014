/**
 * Key material in the DAS-based analytics pack (`analytics.flavor: das`): the DAS change set,
 * applied with the store passwords to our stock-shaped Carbon 4 fixtures (tests/fixtures/das:
 * carbon.xml KeyStore/TrustStore, the 9443 connector, data-bridge-config.xml, data-agent-config.xml,
 * all on wso2carbon.jks / wso2carbon), leaves no stock store or password; every store a file names
 * is one the node builds (topology keystoresFor); TLS 1.2 with our suites only. XPath by xmllint.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { DAS_FILES, renderDasChangeSet } from '../config-templates/analytics-das';
import { DAS_DATA_RECEIVERS } from '../config-templates/das-keystores';
import { DAS_STORES, TLS_CIPHER_LIST, TLS_PROTOCOLS } from '../config-templates/keystores';
import { keystoresFor } from '../topology';
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';
import { DAS_VAULT } from '../config-templates/das-vault';
import { testTopology } from './helpers/topology';

const FIXTURE_HOME = path.join(__dirname, 'fixtures', 'das');
const SECRETS = {
  ...STORE_PASSWORDS,
  db_password: 'DbPw5',
  admin_password: 'AdminPw6',
  db_master_password: 'MasterPw7',
  // What `apply --material` lends: the node's internal certificate, Secure Vault's key on DAS.
  node_internal_certificate: VAULT_CERTIFICATES.internal_certificate,
};
const STORE_FILES = [DAS_FILES.carbon, DAS_FILES.catalina, DAS_FILES.dataBridge, DAS_FILES.dataAgent];

let tmp: string;
let home: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'das-keystores-'));
  home = path.join(tmp, 'home');
  fs.cpSync(FIXTURE_HOME, home, { recursive: true });
  applyChangeSet(home, renderDasChangeSet(testTopology({ analyticsFlavor: 'das' }), 'analytics-1'), { secrets: SECRETS });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const file = (rel: string) => path.join(home, rel);
const xpath = (rel: string, expr: string) =>
  execFileSync('xmllint', ['--xpath', `string(${expr})`, file(rel)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
/** Local-name steps: carbon.xml has a default namespace. */
const ln = (p: string) => p.split('/').map((s) => (s && !s.startsWith('@') ? s.replace(/^([A-Za-z-]+)/, "*[local-name()='$1']") : s)).join('/');
const active = (rel: string) => fs.readFileSync(file(rel), 'latin1').replace(/<!--[\s\S]*?-->/g, '');

test('the stock-shaped fixtures really name the stock store and password (the check can fail)', () => {
  for (const rel of STORE_FILES.filter((f) => f !== DAS_FILES.dataAgent)) {
    expect({ rel, stock: fs.readFileSync(path.join(FIXTURE_HOME, rel), 'latin1').includes('wso2carbon.jks') }).toEqual({ rel, stock: true });
  }
});

test.each(STORE_FILES)('%s: no wso2carbon.jks, no wso2carbon password, no placeholder left, well-formed', (rel) => {
  const a = active(rel);
  expect(a).not.toContain('wso2carbon');
  expect(a).not.toContain('@@SECRET');
  execFileSync('xmllint', ['--noout', file(rel)], { stdio: 'pipe' });
});

/** A vaulted element: the literal `password` and its Secure Vault alias (das-vault.ts). */
const vaulted = (rel: string, el: string) => ({ text: xpath(rel, el), alias: xpath(rel, `${el}/@*[local-name()='secretAlias']`) });

test('carbon.xml: KeyStore = the analytics internal store, TrustStore = ours, passwords vaulted; the port offset stays', () => {
  const c = DAS_FILES.carbon;
  const ks = '/Server/Security/KeyStore';
  expect(xpath(c, ln(`${ks}/Location`))).toBe(`\${carbon.home}/${DAS_STORES.internal.file}`);
  expect(xpath(c, ln(`${ks}/Type`))).toBe('JKS');
  expect(vaulted(c, ln(`${ks}/Password`))).toEqual({ text: 'password', alias: 'Carbon.Security.KeyStore.Password' });
  expect(xpath(c, ln(`${ks}/KeyAlias`))).toBe('internal');
  expect(vaulted(c, ln(`${ks}/KeyPassword`))).toEqual({ text: 'password', alias: 'Carbon.Security.KeyStore.KeyPassword' });
  expect(xpath(c, ln('/Server/Security/TrustStore/Location'))).toBe(`\${carbon.home}/${DAS_STORES.truststore.file}`);
  expect(vaulted(c, ln('/Server/Security/TrustStore/Password'))).toEqual({ text: 'password', alias: 'Carbon.Security.TrustStore.Password' });
  // Carbon 4.4 before 4.4.34 reads no InternalKeyStore: none is added.
  expect(active(c)).not.toContain('InternalKeyStore');
  expect(xpath(c, ln('/Server/Ports/Offset'))).toBe('1');
});

test('catalina-server.xml: the 9443 connector on the TLS store, TLS 1.2, our suites; the HTTP connector untouched', () => {
  const c = `/*[local-name()='Server']/*[local-name()='Service']/*[local-name()='Connector'][@port='9443']`;
  const attr = (n: string) => xpath(DAS_FILES.catalina, `${c}/@${n}`);
  expect(attr('keystoreFile')).toBe(`\${carbon.home}/${DAS_STORES.tls.file}`);
  expect(attr('keystorePass')).toBe('password');
  expect(xpath(DAS_FILES.catalina, `${c}/@*[local-name()='secretAlias']`)).toBe(DAS_VAULT.connectorKeystorePass.alias);
  // No keyPass: Tomcat takes the key password from the store password (ours are equal).
  expect(attr('keyPass')).toBe('');
  expect(attr('keyAlias')).toBe('tls');
  expect(attr('keystoreType')).toBe('JKS');
  expect(attr('sslEnabledProtocols')).toBe(TLS_PROTOCOLS);
  expect(attr('ciphers')).toBe(TLS_CIPHER_LIST);
  expect(xpath(DAS_FILES.catalina, `count(/*/*/*[local-name()='Connector'][@port='9763']/@keystoreFile)`)).toBe('0');
});

test('data-bridge-config.xml: the receivers use the TLS store; Thrift and Binary offer TLS 1.2 with our suites; ports kept', () => {
  const d = DAS_FILES.dataBridge;
  expect(xpath(d, '/dataBridgeConfiguration/keyStoreLocation')).toBe(`\${carbon.home}/${DAS_STORES.tls.file}`);
  expect(vaulted(d, '/dataBridgeConfiguration/keyStorePassword')).toEqual({ text: 'password', alias: 'DataBridge.Config.keyStorePassword' });
  for (const r of DAS_DATA_RECEIVERS) {
    const cfg = (n: string) => xpath(d, `/dataBridgeConfiguration/dataReceiver[@name='${r}']/config[@name='${n}']`);
    expect(cfg('sslEnabledProtocols')).toBe(TLS_PROTOCOLS);
    expect(cfg('ciphers')).toBe(TLS_CIPHER_LIST);
  }
  expect(xpath(d, `/dataBridgeConfiguration/dataReceiver[@name='Thrift']/config[@name='sslPort']`)).toBe('7711');
});

test('data-agent-config.xml: both agents trust our truststore with TLS 1.2', () => {
  for (const a of ['Thrift', 'Binary']) {
    const el = (n: string) => xpath(DAS_FILES.dataAgent, `/DataAgentsConfiguration/Agent[Name='${a}']/${n}`);
    expect(el('TrustSore')).toBe(`\${carbon.home}/${DAS_STORES.truststore.file}`);
    // No password here: the agent takes javax.net.ssl.trustStorePassword, which Carbon sets from carbon.xml TrustStore.
    expect(el('TrustSorePassword')).toBe('');
    expect(el('sslEnabledProtocols')).toBe(TLS_PROTOCOLS);
  }
});

test('every store a DAS file names is one the DAS node builds, with the same alias and password secret', () => {
  const built = new Map(keystoresFor('analytics', 'das').map((s) => [s.file, s]));
  for (const s of Object.values(DAS_STORES)) {
    const b = built.get(s.file);
    expect({ file: s.file, alias: b?.alias, secret: b?.passwordSecret }).toEqual({ file: s.file, alias: 'alias' in s ? s.alias : undefined, secret: s.password });
  }
  expect([...built.keys()].sort()).toEqual(Object.values(DAS_STORES).map((s) => s.file).sort());
});
