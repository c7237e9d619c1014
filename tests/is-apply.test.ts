/**
 * The IS change set applied by the real applier: to our own stock-shaped fixtures (content,
 * kept comments, idempotence) and to a copy of the shipped IS 5.8.0 files, so every anchor the
 * renderer relies on is proven to exist in the product.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { NodeChangeSet, renderIsChangeSet } from '../config-templates';
import { jdbcUrl, secretPlaceholder } from '../topology';
import { TLS_CIPHER_LIST } from '../config-templates/keystores';
import { ADDRESSES, IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';
import { snapshotFiles } from './helpers/files';
import { XPathChecks, xmllintWellFormed } from './helpers/xpath-checks';
import { zipTreeTo } from './helpers/zip';

const REFERENCE_HOME = path.resolve(__dirname, '..', '..', 'shared', 'reference', 'wso2is-5.8.0');
const SHINDIG = 'repository/deployment/server/webapps/shindig/WEB-INF/web.xml';
const SHINDIG_WAR = 'repository/deployment/server/webapps/shindig.war';
const CONSENT = 'repository/conf/consent-mgt-config.xml';
const IDENTITY_EVENT = 'repository/conf/identity/identity-event.properties';
const HAZELCAST = 'repository/conf/hazelcast.properties';

const DATA_AGENT = 'repository/conf/data-bridge/data-agent-config.xml';

const t = isTestTopology();
const is1 = renderIsChangeSet(t, 'is-1');
const is2 = renderIsChangeSet(t, 'is-2');

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'is-apply-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function freshHome(name: string, from: string): string {
  const home = path.join(tmp, name);
  fs.cpSync(from, home, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return home;
}
const read = (home: string, rel: string) => fs.readFileSync(path.join(home, rel), 'latin1');
const snapshot = snapshotFiles;
const xmlFiles = (cs: NodeChangeSet) => [...new Set(cs.changes.map((c) => c.path).filter((p) => p.endsWith('.xml')))];
function xmllint(file: string, ...args: string[]): string {
  return execFileSync('xmllint', [...args, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
/** `/a/b[@x='1/2']/@c` as an XPath on local names (namespaces in carbon.xml and the publishers ignored). */
function localXPath(steps: string): string {
  const parts: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (const c of steps.slice(1)) {
    if (quote) { if (c === quote) quote = ''; }
    else if (c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '/' && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return '/' + parts
    .map((s) => {
      if (s.startsWith('@')) return s;
      const i = s.indexOf('[');
      const [name, pred] = i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i)];
      return `*[local-name()='${name}']${pred}`;
    })
    .join('/');
}
/** Evaluated by the real xmllint. */
const xpath = (home: string, rel: string, steps: string) =>
  xmllint(path.join(home, rel), '--xpath', `string(${localXPath(steps)})`).trim();

/** Assertions that hold after applying is-1's change set to any stock-shaped home. */
function expectIsNode1(home: string): void {
  // Every XML file we touched is well-formed for the real parser (one xmllint run over them all).
  xmllintWellFormed(xmlFiles(is1).map((f) => path.join(home, f)));
  // The XPath expectations, on local names; xmllint answers them in one run per file.
  const checks = new XPathChecks();
  const x = {
    str: (rel: string, steps: string, want: unknown, as?: (v: string) => unknown) => checks.str(path.join(home, rel), localXPath(steps), want, as),
    count: (rel: string, steps: string, want: number) => checks.count(path.join(home, rel), localXPath(steps), want),
  };

  const reg = 'repository/conf/registry.xml';
  x.str(reg, "/wso2registry/dbConfig[@name='wso2registry']/dataSource", 'jdbc/WSO2CarbonDB');
  x.str(reg, "/wso2registry/dbConfig[@name='sharedregistry']/dataSource", 'jdbc/WSO2IdentityDS');
  x.str(reg, '/wso2registry/remoteInstance/cacheId', `${t.db.user}@${jdbcUrl(t, 'WSO2_IDENTITY_DB')}`);
  x.str(reg, "/wso2registry/mount[@path='/_system/governance']/instanceId", 'sharedregistry');
  x.str(reg, "/wso2registry/mount[@path='/_system/config'][@overwrite='true']/targetPath", '/_system/config');
  x.str(reg, '/wso2registry/versionResourcesOnChange', 'false');
  const regSrc = read(home, reg);
  const order = [
    '<dbConfig name="wso2registry">', '<dbConfig name="sharedregistry">', '<remoteInstance ',
    '<mount path="/_system/config"', '<mount path="/_system/governance"', '<indexingConfiguration>',
  ].map((s) => regSrc.indexOf(s));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);

  const um = 'repository/conf/user-mgt.xml';
  x.str(um, "/UserManager/Realm/Configuration/Property[@name='dataSource']", 'jdbc/WSO2UserStore');
  // Secure Vault: the cipher tool's literal and alias (the ciphertext is in cipher-text.properties).
  const alias = (f: string, p: string, want: string) => x.str(f, `${p}/@*[local-name()='secretAlias']`, want);
  x.str(um, '/UserManager/Realm/Configuration/AdminUser/Password', 'password');
  alias(um, '/UserManager/Realm/Configuration/AdminUser/Password', 'UserManager.AdminUser.Password');
  x.count(um, '/UserManager/Realm/UserStoreManager', 1);
  x.str(um, '/UserManager/Realm/UserStoreManager[1]/@class', 'org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager');
  x.str(um, "/UserManager/Realm/UserStoreManager/Property[@name='TenantManager']", 'org.wso2.carbon.user.core.tenant.JDBCTenantManager');
  x.count(um, '/UserManager/Realm/AuthorizationManager', 1);

  x.str('repository/conf/identity/embedded-ldap.xml', "/EmbeddedLDAPConfig/EmbeddedLDAP/Property[@name='enable']", 'false');
  x.str('repository/conf/identity/identity.xml', '/Server/JDBCPersistenceManager/DataSource/Name', 'jdbc/WSO2IdentityDS');
  // Consent management on the shared identity database, not the node-local H2 it ships with.
  x.str('repository/conf/consent-mgt-config.xml', '/ConsentManager/DataSource/Name', 'jdbc/WSO2IdentityDS');

  const ax = 'repository/conf/axis2/axis2.xml';
  x.str(ax, '/axisconfig/clustering/@enable', 'true');
  x.str(ax, "/axisconfig/clustering/parameter[@name='membershipScheme']", 'wka');
  x.str(ax, "/axisconfig/clustering/parameter[@name='domain']", t.isClusterDomain);
  x.str(ax, "/axisconfig/clustering/parameter[@name='localMemberHost']", ADDRESSES['is-1']);
  x.str(ax, "/axisconfig/clustering/parameter[@name='localMemberPort']", '4000');
  x.count(ax, "/axisconfig/clustering/parameter[@name='localMemberBindAddress']", 0);
  x.count(ax, "/axisconfig/clustering/parameter[@name='localMemberBindPort']", 0);
  x.count(ax, '/axisconfig/clustering/members/member', 2);
  x.str(ax, '/axisconfig/clustering/members/member[2]/hostName', ADDRESSES['is-2']);

  const carbon = 'repository/conf/carbon.xml';
  x.str(carbon, '/Server/HostName', t.hostname);
  x.str(carbon, '/Server/MgtHostName', t.mgtHostname);
  x.str(carbon, '/Server/Cache/ForceLocalCache', 'true');
  x.str(carbon, '/Server/Ports/Offset', '0');

  // Our stores, with their password placeholders (key password = store password).
  const sec = '${carbon.home}/repository/resources/security';
  const store = (b: string, want: string[]) => ['Location', 'Type', 'Password', 'KeyAlias', 'KeyPassword'].forEach((e, i) => x.str(carbon, `/Server/Security/${b}/${e}`, want[i]));
  const pw = (_n: string) => 'password';
  store('KeyStore', [`${sec}/primary.jks`, 'JKS', pw('keystore_password'), 'primary', pw('keystore_password')]);
  store('InternalKeyStore', [`${sec}/internal.jks`, 'JKS', pw('internal_keystore_password'), 'internal', pw('internal_keystore_password')]);
  store('TrustStore', [`${sec}/client-truststore.jks`, 'JKS', pw('truststore_password'), '', '']);
  alias(carbon, '/Server/Security/InternalKeyStore/KeyPassword', 'Carbon.Security.InternalKeyStore.KeyPassword');
  alias(carbon, '/Server/Security/TrustStore/Password', 'Carbon.Security.TrustStore.Password');
  const ent = '/Server/EntitlementSettings/ThirftBasedEntitlementConfig/KeyStore';
  x.str('repository/conf/identity/identity.xml', `${ent}/Location`, `${sec}/primary.jks`);
  x.str('repository/conf/identity/identity.xml', `${ent}/Password`, pw('keystore_password'));
  for (const agent of ['Thrift', 'Binary']) {
    const want = { TrustSore: `${sec}/client-truststore.jks`, TrustSorePassword: '', sslEnabledProtocols: 'TLSv1.2', ciphers: TLS_CIPHER_LIST };
    for (const [e, v] of Object.entries(want)) x.str(DATA_AGENT, `/DataAgentsConfiguration/Agent[Name='${agent}']/${e}`, v);
  }

  const cat = 'repository/conf/tomcat/catalina-server.xml';
  const c9443 = { keystoreFile: `${sec}/tls.jks`, keystorePass: pw('tls_keystore_password'), keystoreType: 'JKS', keyAlias: 'tls', keyPass: '', sslProtocol: 'TLS', sslEnabledProtocols: 'TLSv1.2', ciphers: TLS_CIPHER_LIST, clientAuth: 'want' };
  for (const [a, v] of Object.entries(c9443)) x.str(cat, `/Server/Service/Connector[@port='9443']/@${a}`, v);
  alias(cat, "/Server/Service/Connector[@port='9443']", 'Server.Service.Connector.keystorePass');
  x.str(cat, "/Server/Service/Connector[@port='9443']/@proxyPort", '443');
  x.str(cat, "/Server/Service/Connector[@port='9763']/@proxyPort", '80');

  for (const app of ['dashboard', 'portal']) {
    const site = JSON.parse(read(home, `repository/deployment/server/jaggeryapps/${app}/conf/site.json`));
    // The back end is the node itself (the public hostname may not resolve in a pod).
    expect(site.service.serviceOrigin).toBe(`https://localhost:${t.ports.isHttps}`);
    expect(site.proxy).toMatchObject({ proxyHost: t.hostname, proxyHTTPSPort: '443', proxyContextPath: '' });
    if (app === 'dashboard') expect(site.proxy.servicePath).toBe('/services');
  }

  x.str(
    SHINDIG,
    "/web-app/context-param[*[local-name()='param-name']='system.properties']/param-value",
    [`shindig.host=${t.hostname}`, 'shindig.port=443', 'aKey=/shindig/gadgets/proxy?container=default&url='],
    (props) => props.split('\n').map((l) => l.trim()).filter(Boolean),
  );

  for (const kind of ['AuthenticationData', 'RoleData', 'SessionData', 'UserData']) {
    const f = `repository/deployment/server/eventpublishers/IsAnalytics-Publisher-wso2event-${kind}.xml`;
    const prop = (n: string, want: string) => x.str(f, `/eventPublisher/to/property[@name='${n}']`, want);
    // Events over TLS to the receivers' SSL port; authentication on the same endpoints.
    const ssl = `ssl://${ADDRESSES['analytics-1']}:7712|ssl://${ADDRESSES['analytics-2']}:7712`;
    prop('receiverURL', ssl);
    prop('authenticatorURL', ssl);
    prop('username', 'admin');
    prop('password', secretPlaceholder('admin_password', 'cryptoutil'));
    x.str(f, "/eventPublisher/to/property[@name='password']/@encrypted", 'true');
    prop('protocol', 'thrift');
  }
  checks.run();

  // Created when the home has none (the product reads it only if present).
  expect(read(home, HAZELCAST)).toBe('hazelcast.shutdownhook.enabled=false\nhazelcast.logging.type=log4j\n');
}

describe('IS change set on our stock-shaped fixtures', () => {
  let home: string;
  beforeAll(() => {
    home = freshHome('fixture', IS_FIXTURE_HOME);
    applyChangeSet(home, is1);
  });

  test('the files carry every setting seed 000 asks for', () => expectIsNode1(home));

  test('identity-event.properties: only the two analytics enable flags change, in place', () => {
    const before = read(IS_FIXTURE_HOME, IDENTITY_EVENT).split('\n');
    const after = read(home, IDENTITY_EVENT).split('\n');
    expect(after).toHaveLength(before.length);
    const changed = after.map((l, i) => (l === before[i] ? null : `${before[i]} -> ${l}`)).filter(Boolean);
    expect(changed).toEqual([
      'analyticsLoginDataPublisher.enable=false -> analyticsLoginDataPublisher.enable=true',
      'analyticsSessionDataPublisher.enable=false -> analyticsSessionDataPublisher.enable=true',
    ]);
  });

  test('hazelcast.properties: a file of the user\'s keeps its own lines', () => {
    const h = freshHome('fixture-own-hazelcast', IS_FIXTURE_HOME);
    fs.writeFileSync(path.join(h, HAZELCAST), '# tuned by the operator\nhazelcast.heartbeat.interval.seconds=1\nhazelcast.shutdownhook.enabled=true\n');
    applyChangeSet(h, is1);
    expect(read(h, HAZELCAST)).toBe(
      '# tuned by the operator\nhazelcast.heartbeat.interval.seconds=1\nhazelcast.shutdownhook.enabled=false\nhazelcast.logging.type=log4j\n',
    );
  });

  test('unrelated content and comments stay', () => {
    const fixtureComments = (h: string) =>
      [...snapshot(h).entries()]
        .filter(([p]) => !p.includes('datasources'))
        .flatMap(([p, b]) => (b.toString('latin1').match(/<!-- fixture:[^>]*-->/g) ?? []).map((c) => `${p} ${c}`));
    const before = fixtureComments(IS_FIXTURE_HOME);
    expect(before.length).toBeGreaterThanOrEqual(7);
    expect(fixtureComments(home)).toEqual(before);
    expect(read(home, 'repository/conf/user-mgt.xml')).toContain('<UserStoreManager class="fixture.Commented"/>');
    expect(read(home, 'repository/conf/registry.xml')).toMatch(/^<\?xml version="1.0" encoding="ISO-8859-1"\?>/);
    expect(xpath(home, 'repository/conf/axis2/axis2.xml', "/axisconfig/parameter[@name='hotdeployment']")).toBe('true');
    expect(xpath(home, SHINDIG, "/web-app/context-param[*[local-name()='param-name']='guice-modules']/param-value")).toBe(
      'fixture.Module:fixture.OtherModule',
    );
    const dash = JSON.parse(read(home, 'repository/deployment/server/jaggeryapps/dashboard/conf/site.json'));
    expect(dash.fixtureUnrelated).toEqual({ keep: true });
  });

  test('applying twice is byte-identical', () => {
    const once = snapshot(home);
    const report = applyChangeSet(home, is1);
    expect(report.files.filter((f) => f.changed)).toEqual([]);
    expect(snapshot(home)).toEqual(once);
  });

  test('is-2 over an is-1 home changes axis2.xml only (the node-specific file)', () => {
    const h = freshHome('fixture-1-then-2', home);
    const report = applyChangeSet(h, is2);
    expect(report.files.filter((f) => f.changed).map((f) => f.path)).toEqual(['repository/conf/axis2/axis2.xml']);
    expect(xpath(h, 'repository/conf/axis2/axis2.xml', "/axisconfig/clustering/parameter[@name='localMemberHost']")).toBe(ADDRESSES['is-2']);
  });
});

describe('IS change set on the shipped IS 5.8.0 files', () => {
  let home: string;
  beforeAll(() => {
    // CI checks out ../shared next to the repository; a missing reference must fail, not skip.
    expect(fs.existsSync(path.join(REFERENCE_HOME, 'repository', 'conf', 'carbon.xml'))).toBe(true);
    home = freshHome('reference', REFERENCE_HOME);
  });

  test('only consent-mgt-config.xml, hazelcast.properties (created), the gadget server (war and web.xml) and identity-event.properties are absent from the reference set (taken from our fixture; a war is zipped from it)', () => {
    const edited = is1.changes.filter((c) => c.kind !== 'file').map((c) => c.path);
    expect(edited.filter((p) => !fs.existsSync(path.join(REFERENCE_HOME, p)))).toEqual([CONSENT, HAZELCAST, SHINDIG_WAR, SHINDIG, DATA_AGENT, IDENTITY_EVENT]);
    fs.copyFileSync(path.join(IS_FIXTURE_HOME, CONSENT), path.join(home, CONSENT));
    fs.copyFileSync(path.join(IS_FIXTURE_HOME, IDENTITY_EVENT), path.join(home, IDENTITY_EVENT));
    fs.mkdirSync(path.join(home, path.dirname(DATA_AGENT)), { recursive: true });
    fs.copyFileSync(path.join(IS_FIXTURE_HOME, DATA_AGENT), path.join(home, DATA_AGENT));
    // As the pack ships it: a war, unpacked by the applier's explode change before the edit.
    const war = path.join(home, SHINDIG_WAR);
    zipTreeTo(path.join(IS_FIXTURE_HOME, path.dirname(path.dirname(SHINDIG))), war); // fixed times: the same bytes every run
  });

  test('every anchor exists in the product files and the result carries the settings', () => {
    const report = applyChangeSet(home, is1);
    expect(report.files.every((f) => f.changed)).toBe(true);
    expect(fs.existsSync(path.join(home, SHINDIG_WAR))).toBe(false); // parked, out of Tomcat's reach
    expectIsNode1(home);
    // The product's commented samples and alternative stores are kept as they were.
    expect(read(home, 'repository/conf/registry.xml')).toContain('<!--remoteInstance url="https://localhost:9443/registry">');
    expect(read(home, 'repository/conf/user-mgt.xml')).toContain(
      '<!--UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadOnlyLDAPUserStoreManager">',
    );
    expect(xpath(home, 'repository/conf/axis2/axis2.xml', "/axisconfig/clustering/parameter[@name='mcastPort']")).toBe('45564');
  });

  test('applying twice to the product files is byte-identical', () => {
    const once = snapshot(home);
    applyChangeSet(home, is1);
    expect(snapshot(home)).toEqual(once);
  });
});
