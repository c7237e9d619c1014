/**
 * The IS renderer as data: well-formed XML (checked by the real xmllint), JNDI references that
 * resolve to datasources we define, determinism, and exactly one node-specific value.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { convert } from 'xmlbuilder2';
import { SECRET_NAMES, SECRET_PLACEHOLDER_RE, Topology, datasourceByJndi, jdbcUrl, secretPlaceholder } from '../topology';
import { FileChange, NodeChangeSet, WholeFile, XmlEdit, XmlOp, changeSetPayload, renderIsChangeSet } from '../config-templates';
import { isTestTopology, withPorts, ADDRESSES } from './fixtures/is/model';
import { TLS_CIPHER_LIST } from '../config-templates/keystores';

const t = isTestTopology();
const is1 = renderIsChangeSet(t, 'is-1');
const is2 = renderIsChangeSet(t, 'is-2');

function change<K extends FileChange['kind']>(cs: NodeChangeSet, p: string, kind: K): Extract<FileChange, { kind: K }> {
  const hits = cs.changes.filter((c) => c.path === p);
  expect(hits).toHaveLength(1);
  expect(hits[0].kind).toBe(kind);
  return hits[0] as Extract<FileChange, { kind: K }>;
}
const xmlEdit = (cs: NodeChangeSet, p: string) => change(cs, p, 'xml') as XmlEdit;
function op(cs: NodeChangeSet, file: string, pred: (o: XmlOp) => boolean): XmlOp {
  const hits = xmlEdit(cs, file).ops.filter(pred);
  expect(hits).toHaveLength(1);
  return hits[0];
}
const setTextAt = (cs: NodeChangeSet, file: string, p: string) =>
  (op(cs, file, (o) => o.op === 'setText' && o.path === p) as Extract<XmlOp, { op: 'setText' }>).value;
const attrAt = (cs: NodeChangeSet, file: string, p: string, name: string) =>
  (op(cs, file, (o) => o.op === 'setAttr' && o.path === p && o.name === name) as Extract<XmlOp, { op: 'setAttr' }>).value;

/** Every XML string the change set carries: whole files and op fragments. */
function xmlPieces(cs: NodeChangeSet): { where: string; xml: string }[] {
  const out: { where: string; xml: string }[] = [];
  for (const c of cs.changes) {
    if (c.kind === 'file' && c.path.endsWith('.xml')) out.push({ where: c.path, xml: c.content });
    if (c.kind === 'xml') {
      c.ops.forEach((o, i) => {
        if (o.op === 'upsertChild' || o.op === 'replace') out.push({ where: `${c.path} op ${i}`, xml: o.xml });
      });
    }
  }
  return out;
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'is-render-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function xmllint(xml: string, name: string): void {
  const f = path.join(tmp, name.replace(/[^\w.-]+/g, '_'));
  fs.writeFileSync(f, xml);
  execFileSync('xmllint', ['--noout', f], { stdio: 'pipe' });
}

/** Elements named `local` anywhere in a parsed object (xmlbuilder2 `convert` output). */
function collect(obj: unknown, local: string, acc: unknown[] = []): unknown[] {
  if (Array.isArray(obj)) obj.forEach((o) => collect(o, local, acc));
  else if (obj && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) {
      if (k === local) (Array.isArray(v) ? v : [v]).forEach((x) => acc.push(x));
      collect(v, local, acc);
    }
  }
  return acc;
}
/** xmlbuilder2's object form keeps text escaped; decode it so values compare as the product reads them. */
function decoded(v: unknown): unknown {
  if (typeof v === 'string') {
    const ent: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    return v.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ent[e]);
  }
  if (Array.isArray(v)) return v.map(decoded);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decoded(x)]));
  return v;
}
const parse = (xml: string) => decoded(convert(xml, { format: 'object' })) as Record<string, unknown>;

describe('IS change set: shape', () => {
  test('covers every file seed 000 touches on an IS node', () => {
    expect(is1.nodeId).toBe('is-1');
    expect(is1.product).toBe('is');
    expect(is1.changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'file repository/conf/datasources/master-datasources.xml',
      'file repository/conf/datasources/bps-datasources.xml',
      'xml repository/conf/registry.xml',
      'xml repository/conf/user-mgt.xml',
      'xml repository/conf/identity/embedded-ldap.xml',
      'xml repository/conf/identity/identity.xml',
      'xml repository/conf/consent-mgt-config.xml',
      'xml repository/conf/axis2/axis2.xml',
      'xml repository/conf/carbon.xml',
      'properties repository/conf/hazelcast.properties',
      'xml repository/conf/tomcat/catalina-server.xml',
      'json repository/deployment/server/jaggeryapps/dashboard/conf/site.json',
      'json repository/deployment/server/jaggeryapps/portal/conf/site.json',
      'explode repository/deployment/server/webapps/shindig.war',
      'xml repository/deployment/server/webapps/shindig/WEB-INF/web.xml',
      'xml repository/conf/data-bridge/data-agent-config.xml',
      'xml repository/deployment/server/eventpublishers/IsAnalytics-Publisher-wso2event-AuthenticationData.xml',
      'xml repository/deployment/server/eventpublishers/IsAnalytics-Publisher-wso2event-RoleData.xml',
      'xml repository/deployment/server/eventpublishers/IsAnalytics-Publisher-wso2event-SessionData.xml',
      'xml repository/deployment/server/eventpublishers/IsAnalytics-Publisher-wso2event-UserData.xml',
      'properties repository/conf/identity/identity-event.properties',
      'file repository/conf/security/cipher-text.properties',
      'file repository/conf/security/secret-conf.properties',
    ]);
  });

  test('refuses a node that is not an IS node', () => {
    expect(() => renderIsChangeSet(t, 'analytics-1')).toThrow(/not an IS node/);
  });

  test.each(['sp', 'das'] as const)('every whole file and fragment passes xmllint (%s analytics)', (flavor) => {
    const cs = renderIsChangeSet(isTestTopology({ analyticsFlavor: flavor }), 'is-2');
    const pieces = xmlPieces(cs);
    expect(pieces.length).toBeGreaterThanOrEqual(2 + 4 + 1 + 1); // 2 files, 4 registry, user store, members
    for (const p of pieces) xmllint(p.xml, `${flavor}-${p.where}`);
  });

  test('xmllint really rejects a broken fragment (the check can fail)', () => {
    expect(() => xmllint('<dbConfig><dataSource>x</dbConfig>', 'broken.xml')).toThrow();
  });
});

describe('IS change set: datasources', () => {
  const master = change(is1, 'repository/conf/datasources/master-datasources.xml', 'file') as WholeFile;
  const bps = change(is1, 'repository/conf/datasources/bps-datasources.xml', 'file') as WholeFile;
  const defined = (f: WholeFile) =>
    collect(parse(f.content), 'datasource') as { name: string; jndiConfig: { name: string }; definition: { configuration: Record<string, string> } }[];

  test('master-datasources keeps the local H2 registry and adds every MySQL datasource the model puts there', () => {
    const ds = defined(master);
    const modelMaster = Object.values(t.db.datasources).filter((d) => d.definedIn === master.path);
    expect(modelMaster.map((d) => d.name)).toEqual(['WSO2UserStore', 'WSO2_IDENTITY_DB']);
    expect(ds.map((d) => d.name)).toEqual(['WSO2_CARBON_DB', ...modelMaster.map((d) => d.name)]);
    expect(ds[0].jndiConfig.name).toBe('jdbc/WSO2CarbonDB');
    expect(ds[0].definition.configuration.url).toMatch(/^jdbc:h2:/);
    for (const d of modelMaster) {
      const x = ds.find((y) => y.name === d.name)!;
      expect(x.jndiConfig.name).toBe(d.jndiName);
      expect(x.definition.configuration).toMatchObject({
        url: jdbcUrl(t, d.database),
        username: t.db.user,
        password: { '@svns:secretAlias': `Datasources.${d.name}.Configuration.Password`, '#': 'password' },
        driverClassName: 'com.mysql.jdbc.Driver',
        maxActive: '80',
        maxWait: '60000',
        minIdle: '5',
        testOnBorrow: 'true',
        validationQuery: 'SELECT 1',
        validationInterval: '30000',
        defaultAutoCommit: 'false',
      });
    }
  });

  test('bps-datasources defines BPS_DS (bpsds) on the identity database with the seed pool', () => {
    const ds = defined(bps);
    expect(ds).toHaveLength(1);
    expect(ds[0].name).toBe('BPS_DS');
    expect(ds[0].jndiConfig.name).toBe('bpsds');
    expect(ds[0].definition.configuration).toMatchObject({
      url: jdbcUrl(t, 'WSO2_IDENTITY_DB'),
      username: t.db.user,
      password: { '@svns:secretAlias': 'Datasources.BPS_DS.Configuration.Password', '#': 'password' },
      maxActive: '100',
      maxWait: '10000',
      maxIdle: '20',
      useDataSourceFactory: 'false',
    });
  });

  test('every JNDI reference (user-mgt, identity.xml, consent management, registry dbConfig) resolves to a datasource we write', () => {
    const written = new Set(defined(master).map((d) => d.jndiConfig.name));
    const registryDbConfig = op(is1, 'repository/conf/registry.xml', (o) => o.op === 'upsertChild' && o.match.startsWith('dbConfig'));
    const refs = [
      setTextAt(is1, 'repository/conf/user-mgt.xml', "/UserManager/Realm/Configuration/Property[@name='dataSource']"),
      setTextAt(is1, 'repository/conf/identity/identity.xml', '/Server/JDBCPersistenceManager/DataSource/Name'),
      // Shipped as the node-local H2: consents would differ between the nodes.
      setTextAt(is1, 'repository/conf/consent-mgt-config.xml', '/ConsentManager/DataSource/Name'),
      (parse((registryDbConfig as { xml: string }).xml) as { dbConfig: { dataSource: string } }).dbConfig.dataSource,
    ];
    expect(refs).toEqual(['jdbc/WSO2UserStore', 'jdbc/WSO2IdentityDS', 'jdbc/WSO2IdentityDS', 'jdbc/WSO2IdentityDS']);
    for (const r of refs) {
      const d = datasourceByJndi(t, r);
      expect(d.definedIn).toBe(master.path);
      expect(written.has(r)).toBe(true);
    }
    // The seed's names are not JNDI names anything defines.
    expect(() => datasourceByJndi(t, 'jdbc/WSO2UMDB')).toThrow();
    expect(() => datasourceByJndi(t, 'jdbc/WSO2IDENTITYDB')).toThrow();
  });
});

describe('IS change set: registry, user store, cluster, proxy, publishers', () => {
  test('registry: shared dbConfig, remote instance and both mounts tie together; wso2registry untouched', () => {
    const ops = xmlEdit(is1, 'repository/conf/registry.xml').ops;
    expect(ops.some((o) => JSON.stringify(o).includes("name='wso2registry'"))).toBe(false);
    const frag = (m: string) => parse((ops.find((o) => o.op === 'upsertChild' && o.match === m) as { xml: string }).xml);
    const remote = (ops.find((o) => o.op === 'upsertChild' && o.match.startsWith('remoteInstance')) as { xml: string; before?: string });
    expect(remote.before).toBe('indexingConfiguration');
    const ri = (parse(remote.xml) as { remoteInstance: Record<string, string> }).remoteInstance;
    expect(ri).toMatchObject({ id: 'sharedregistry', dbConfig: 'sharedregistry', readOnly: 'false', registryRoot: '/', enableCache: 'true' });
    expect(ri.cacheId).toBe(`${t.db.user}@${jdbcUrl(t, 'WSO2_IDENTITY_DB')}`);
    expect((frag("dbConfig[@name='sharedregistry']") as { dbConfig: Record<string, string> }).dbConfig['@name']).toBe('sharedregistry');
    for (const p of ['/_system/config', '/_system/governance']) {
      const m = (frag(`mount[@path='${p}']`) as { mount: Record<string, string> }).mount;
      expect(m).toEqual({ '@path': p, '@overwrite': 'true', instanceId: ri.id, targetPath: p });
    }
    // Documented order: dbConfig, remoteInstance, mounts.
    expect(ops.filter((o) => o.op === 'upsertChild').map((o) => (o as { match: string }).match.split('[')[0])).toEqual([
      'dbConfig', 'remoteInstance', 'mount', 'mount',
    ]);
    expect(setTextAt(is1, 'repository/conf/registry.xml', '/wso2registry/versionResourcesOnChange')).toBe('false');
  });

  test('user store: the JDBC store replaces the embedded-LDAP primary, admin password is a placeholder, LDAP off', () => {
    const rep = op(is1, 'repository/conf/user-mgt.xml', (o) => o.op === 'replace') as Extract<XmlOp, { op: 'replace' }>;
    expect(rep.path).toContain('ReadWriteLDAPUserStoreManager');
    const usm = (parse(rep.xml) as { UserStoreManager: { '@class': string; Property: { '@name': string; '#': string }[] } }).UserStoreManager;
    expect(usm['@class']).toBe('org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager');
    expect(rep.orMatch).toBe(`/UserManager/Realm/UserStoreManager[@class='${usm['@class']}']`);
    const props = Object.fromEntries(usm.Property.map((p) => [p['@name'], p['#']]));
    expect(props.TenantManager).toBe('org.wso2.carbon.user.core.tenant.JDBCTenantManager');
    expect(props.ReadOnly).toBe('false');
    expect(props.UsernameJavaRegEx).toBe('^[\\S]{3,30}$');
    expect(props.SCIMEnabled).toBe('true');
    // Secure Vault: the literal the cipher tool writes, and the alias RealmConfigXMLProcessor resolves.
    expect(setTextAt(is1, 'repository/conf/user-mgt.xml', '/UserManager/Realm/Configuration/AdminUser/Password')).toBe('password');
    expect(attrAt(is1, 'repository/conf/user-mgt.xml', '/UserManager/Realm/Configuration/AdminUser/Password', 'svns:secretAlias')).toBe(
      'UserManager.AdminUser.Password',
    );
    expect(setTextAt(is1, 'repository/conf/identity/embedded-ldap.xml', "/EmbeddedLDAPConfig/EmbeddedLDAP/Property[@name='enable']")).toBe('false');
    expect(setTextAt(is2, 'repository/conf/identity/embedded-ldap.xml', "/EmbeddedLDAPConfig/EmbeddedLDAP/Property[@name='enable']")).toBe('false');
  });

  test('clustering: Hazelcast WKA with both IS nodes as members, this node advertised, no bind pinning', () => {
    const file = 'repository/conf/axis2/axis2.xml';
    const ops = xmlEdit(is1, file).ops;
    expect(ops).toContainEqual({ op: 'setAttr', path: '/axisconfig/clustering', name: 'enable', value: 'true' });
    expect(ops).toContainEqual({
      op: 'setAttr', path: '/axisconfig/clustering', name: 'class', value: 'org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent',
    });
    const param = (n: string) => setTextAt(is1, file, `/axisconfig/clustering/parameter[@name='${n}']`);
    expect(param('membershipScheme')).toBe('wka');
    expect(param('domain')).toBe(t.isClusterDomain);
    expect(param('localMemberHost')).toBe(ADDRESSES['is-1']);
    expect(param('localMemberPort')).toBe(String(t.ports.hazelcast));
    for (const n of ['localMemberBindAddress', 'localMemberBindPort']) {
      expect(ops).toContainEqual({ op: 'remove', path: `/axisconfig/clustering/parameter[@name='${n}']`, optional: true });
    }
    const members = op(is1, file, (o) => o.op === 'replace') as { xml: string };
    expect(collect(parse(members.xml), 'member')).toEqual([
      { hostName: ADDRESSES['is-1'], port: '4000' },
      { hostName: ADDRESSES['is-2'], port: '4000' },
    ]);
  });

  test('hostnames, local cache, proxy ports and the dashboard apps come from the model', () => {
    expect(setTextAt(is1, 'repository/conf/carbon.xml', '/Server/HostName')).toBe(t.hostname);
    expect(setTextAt(is1, 'repository/conf/carbon.xml', '/Server/MgtHostName')).toBe(t.mgtHostname);
    expect(setTextAt(is1, 'repository/conf/carbon.xml', '/Server/Cache/ForceLocalCache')).toBe('true');
    expect(setTextAt(is1, 'repository/conf/carbon.xml', '/Server/Ports/Offset')).toBe('0');
    expect(xmlEdit(is1, 'repository/conf/tomcat/catalina-server.xml').ops.slice(0, 2)).toEqual([
      { op: 'setAttr', path: "/Server/Service/Connector[@port='9443']", name: 'proxyPort', value: '443' },
      { op: 'setAttr', path: "/Server/Service/Connector[@port='9763']", name: 'proxyPort', value: '80' },
    ]);
    const dash = change(is1, 'repository/deployment/server/jaggeryapps/dashboard/conf/site.json', 'json');
    expect(dash.ops).toEqual([
      { op: 'set', path: ['service', 'serviceOrigin'], value: 'https://localhost:9443' },
      { op: 'set', path: ['proxy', 'proxyHost'], value: 'is.pattern2.test' },
      { op: 'set', path: ['proxy', 'proxyHTTPSPort'], value: '443' },
      { op: 'set', path: ['proxy', 'proxyContextPath'], value: '' },
      { op: 'set', path: ['proxy', 'servicePath'], value: '/services' },
    ]);
    const portal = change(is1, 'repository/deployment/server/jaggeryapps/portal/conf/site.json', 'json');
    expect(portal.ops).toEqual(dash.ops.slice(0, 4));
    const shindig = setTextAt(
      is1, 'repository/deployment/server/webapps/shindig/WEB-INF/web.xml',
      "/web-app/context-param[param-name='system.properties']/param-value",
    );
    expect(shindig.trim().split('\n')).toEqual([
      'shindig.host=is.pattern2.test',
      'shindig.port=443',
      'aKey=/shindig/gadgets/proxy?container=default&url=',
    ]);
  });

  test('front-end ports other than 443/80 flow into every proxy setting', () => {
    const cs = renderIsChangeSet(isTestTopology({ frontendPorts: { https: 8443, http: 8080 } }), 'is-1');
    const json = JSON.stringify(cs);
    const proxyPorts = xmlEdit(cs, 'repository/conf/tomcat/catalina-server.xml').ops.filter((o) => o.op === 'setAttr' && o.name === 'proxyPort');
    expect(proxyPorts.map((o) => (o as { value: string }).value)).toEqual(['8443', '8080']);
    expect(json).toContain('"proxyHTTPSPort"],"value":"8443"');
    expect(json).toContain('shindig.port=8443');
    expect(json).not.toMatch(/"443"|:443\b|=443\b/);
  });

  test('model IS ports move the servlet transports through the carbon port offset; inconsistent ones are refused', () => {
    const cs = renderIsChangeSet(isTestTopology(withPorts({ isHttps: 9453, isHttp: 9773 })), 'is-1');
    expect(setTextAt(cs, 'repository/conf/carbon.xml', '/Server/Ports/Offset')).toBe('10');
    expect(() => renderIsChangeSet(isTestTopology(withPorts({ isHttps: 9453, isHttp: 9763 })), 'is-1')).toThrow(/offset/);
    expect(() => renderIsChangeSet(isTestTopology(withPorts({ isHttps: 8443, isHttp: 8763 })), 'is-1')).toThrow(/negative offset/);
  });

  test('analytics publishers: failover to both receivers over TLS (ssl:// on the Thrift SSL port) as admin with the admin password placeholder', () => {
    const pubs = is1.changes.filter((c) => c.path.includes('/eventpublishers/')) as XmlEdit[];
    expect(pubs).toHaveLength(4);
    const expected = `ssl://${ADDRESSES['analytics-1']}:${t.ports.thriftSsl}|ssl://${ADDRESSES['analytics-2']}:${t.ports.thriftSsl}`;
    for (const p of pubs) {
      expect(p.ops.slice(0, 4)).toEqual([
        { op: 'setText', path: "/eventPublisher/to/property[@name='receiverURL']", value: expected },
        { op: 'setText', path: "/eventPublisher/to/property[@name='username']", value: 'admin' },
        { op: 'setText', path: "/eventPublisher/to/property[@name='password']", value: secretPlaceholder('admin_password', 'cryptoutil') },
        { op: 'setAttr', path: "/eventPublisher/to/property[@name='password']", name: 'encrypted', value: 'true' },
      ]);
      // Always explicit: derived from an ssl:// receiver URL it would be the SSL port + 100.
      const up = p.ops[4] as Extract<XmlOp, { op: 'upsertChild' }>;
      expect(p.ops).toHaveLength(5);
      expect(up.match).toBe("property[@name='authenticatorURL']");
      expect((parse(up.xml) as { property: { '#': string } }).property['#']).toBe(expected);
    }
  });

  test('model Thrift SSL ports reach both URLs; the plain Thrift port is not used', () => {
    const cs = renderIsChangeSet(isTestTopology(withPorts({ thrift: 7612, thriftSsl: 7800 })), 'is-1');
    const pub = cs.changes.find((c) => c.path.endsWith('AuthenticationData.xml')) as XmlEdit;
    const up = pub.ops.find((o) => o.op === 'upsertChild') as { xml: string; match: string };
    const url = `ssl://${ADDRESSES['analytics-1']}:7800|ssl://${ADDRESSES['analytics-2']}:7800`;
    expect((parse(up.xml) as { property: { '#': string } }).property['#']).toBe(url);
    expect((pub.ops[0] as { value: string }).value).toBe(url);
    expect(JSON.stringify(pub)).not.toContain(':7612');
    xmllint(up.xml, 'authurl.xml');
  });
});

describe('IS change set: event handlers and Hazelcast properties (WSO2 pattern-2 configuration for 5.8)', () => {
  test.each(['is-1', 'is-2'] as const)('%s: login and session analytics handlers enabled', (id) => {
    const cs = renderIsChangeSet(t, id);
    expect(change(cs, 'repository/conf/identity/identity-event.properties', 'properties')).toEqual({
      kind: 'properties',
      path: 'repository/conf/identity/identity-event.properties',
      separator: '=',
      ops: [
        { op: 'set', key: 'analyticsLoginDataPublisher.enable', value: 'true' },
        { op: 'set', key: 'analyticsSessionDataPublisher.enable', value: 'true' },
      ],
    });
  });

  test.each(['is-1', 'is-2'] as const)('%s: Hazelcast shutdown hook off, log4j logging, file created when absent', (id) => {
    const cs = renderIsChangeSet(t, id);
    expect(change(cs, 'repository/conf/hazelcast.properties', 'properties')).toEqual({
      kind: 'properties',
      path: 'repository/conf/hazelcast.properties',
      separator: '=',
      create: true,
      ops: [
        { op: 'set', key: 'hazelcast.shutdownhook.enabled', value: 'false' },
        { op: 'set', key: 'hazelcast.logging.type', value: 'log4j' },
      ],
    });
  });
});

describe('IS change set: key material and TLS', () => {
  const SEC = '${carbon.home}/repository/resources/security';
  // Every password goes through Secure Vault: the element holds the cipher tool's literal.
  const pw = (_alias: string) => 'password';

  test('carbon.xml: primary, internal and trust stores are ours, each with its own password placeholder', () => {
    const at = (p: string) => setTextAt(is1, 'repository/conf/carbon.xml', `/Server/Security/${p}`);
    expect(['Location', 'Type', 'Password', 'KeyAlias', 'KeyPassword'].map((e) => at(`KeyStore/${e}`))).toEqual([
      `${SEC}/primary.jks`, 'JKS', pw('keystore_password'), 'primary', pw('keystore_password'),
    ]);
    const alias = (p: string) => attrAt(is1, 'repository/conf/carbon.xml', `/Server/Security/${p}`, 'svns:secretAlias');
    expect(['KeyStore/Password', 'KeyStore/KeyPassword', 'InternalKeyStore/Password', 'InternalKeyStore/KeyPassword', 'TrustStore/Password'].map(alias)).toEqual([
      'Carbon.Security.KeyStore.Password', 'Carbon.Security.KeyStore.KeyPassword', 'Carbon.Security.InternalKeyStore.Password',
      'Carbon.Security.InternalKeyStore.KeyPassword', 'Carbon.Security.TrustStore.Password',
    ]);
    expect(attrAt(is1, 'repository/conf/carbon.xml', '/Server', 'xmlns:svns')).toBe('http://org.wso2.securevault/configuration');
    expect(['Location', 'Type', 'Password', 'KeyAlias', 'KeyPassword'].map((e) => at(`InternalKeyStore/${e}`))).toEqual([
      `${SEC}/internal.jks`, 'JKS', pw('internal_keystore_password'), 'internal', pw('internal_keystore_password'),
    ]);
    expect(['Location', 'Type', 'Password'].map((e) => at(`TrustStore/${e}`))).toEqual([`${SEC}/client-truststore.jks`, 'JKS', pw('truststore_password')]);
  });

  test('catalina 9443: our TLS key by alias, TLS 1.2 only, forward-secret GCM suites only', () => {
    const attrs = Object.fromEntries(
      xmlEdit(is1, 'repository/conf/tomcat/catalina-server.xml')
        .ops.filter((o) => o.op === 'setAttr' && o.path === "/Server/Service/Connector[@port='9443']")
        .map((o) => [(o as { name: string }).name, (o as { value: string }).value]),
    );
    expect(attrs).toEqual({
      proxyPort: '443',
      keystoreFile: `${SEC}/tls.jks`,
      keystorePass: pw('tls_keystore_password'),
      keystoreType: 'JKS',
      keyAlias: 'tls',
      // One secret alias per element: keystorePass is vaulted, keyPass left out (Tomcat uses the store password).
      'svns:secretAlias': 'Server.Service.Connector.keystorePass',
      sslProtocol: 'TLS',
      sslEnabledProtocols: 'TLSv1.2',
      ciphers: TLS_CIPHER_LIST,
    });
    const suites = attrs.ciphers.split(',');
    expect(suites.length).toBeGreaterThanOrEqual(4);
    for (const c of suites) expect(c).toMatch(/^TLS_(ECDHE_RSA|ECDHE_ECDSA|DHE_RSA)_WITH_AES_(128|256)_GCM_SHA(256|384)$/);
  });

  test('identity.xml: the entitlement service keystore is the primary one', () => {
    const base = '/Server/EntitlementSettings/ThirftBasedEntitlementConfig/KeyStore';
    expect(setTextAt(is1, 'repository/conf/identity/identity.xml', `${base}/Location`)).toBe(`${SEC}/primary.jks`);
    expect(setTextAt(is1, 'repository/conf/identity/identity.xml', `${base}/Password`)).toBe(pw('keystore_password'));
  });

  test('data-agent-config.xml: both agents trust our truststore (TrustSore, as the product spells it) over TLS 1.2 with our suites', () => {
    const all = xmlEdit(is1, 'repository/conf/data-bridge/data-agent-config.xml').ops;
    // No TrustSorePassword (JAXB, no Secure Vault): the agent falls back to javax.net.ssl.trustStorePassword.
    expect(all.filter((o) => o.op === 'remove').map((o) => (o as { path: string }).path)).toEqual(
      ['Thrift', 'Binary'].map((a) => `/DataAgentsConfiguration/Agent[Name='${a}']/TrustSorePassword`),
    );
    const ops = all.filter((o) => o.op === 'upsertChild') as Extract<XmlOp, { op: 'upsertChild' }>[];
    const got = ops.map((o) => [o.parent, o.match, Object.values(parse(o.xml))[0]]);
    const expected = ['Thrift', 'Binary'].flatMap((a) => [
      [`/DataAgentsConfiguration/Agent[Name='${a}']`, 'TrustSore', `${SEC}/client-truststore.jks`],
      [`/DataAgentsConfiguration/Agent[Name='${a}']`, 'sslEnabledProtocols', 'TLSv1.2'],
      [`/DataAgentsConfiguration/Agent[Name='${a}']`, 'ciphers', TLS_CIPHER_LIST],
    ]);
    expect(got).toEqual(expected);
  });

  test('no change names the pack\'s keystore or its password', () => {
    // (The node-local H2 registry keeps its stock database credentials: a database, not a keystore.)
    for (const cs of [is1, is2]) {
      expect(JSON.stringify(cs)).not.toMatch(/wso2carbon\.jks/);
      expect(JSON.stringify(cs)).not.toContain('"value":"wso2carbon"');
    }
  });
});

describe('IS change set: secrets, determinism, node differences', () => {
  test('secrets appear only as placeholders of known secrets', () => {
    const json = JSON.stringify(is1);
    const names = [...json.matchAll(SECRET_PLACEHOLDER_RE)].map((m) => m[1]);
    expect(new Set(names)).toEqual(
      new Set(['db_password', 'admin_password', 'keystore_password', 'internal_keystore_password', 'tls_keystore_password', 'truststore_password']),
    );
    for (const n of names) expect(SECRET_NAMES).toContain(n);
    // No MySQL datasource carries a literal password.
    const master = (change(is1, 'repository/conf/datasources/master-datasources.xml', 'file') as WholeFile).content;
    const mysqlPasswords = collect(parse(master), 'configuration')
      .filter((c) => String((c as { url: string }).url).startsWith('jdbc:mysql:'))
      .map((c) => (c as { password: string }).password);
    expect(mysqlPasswords.map((p) => (p as unknown as Record<string, string>)['#'])).toEqual(['password', 'password']);
  });

  test('rendering is deterministic (same model, twice and from a rebuilt model)', () => {
    expect(changeSetPayload(renderIsChangeSet(t, 'is-1'))).toBe(changeSetPayload(is1));
    expect(renderIsChangeSet(isTestTopology(), 'is-2')).toEqual(is2);
  });

  test('the two IS nodes differ exactly in localMemberHost', () => {
    const diffs: string[] = [];
    const walk = (a: unknown, b: unknown, at: string) => {
      if (a && b && typeof a === 'object' && typeof b === 'object') {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        for (const k of keys) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k}`);
      } else if (a !== b) diffs.push(`${at}: ${String(a)} -> ${String(b)}`);
    };
    walk(is1.changes, is2.changes, '');
    expect(diffs).toHaveLength(1);
    const axis2Index = is1.changes.findIndex((c) => c.path === 'repository/conf/axis2/axis2.xml');
    const hostOp = (is1.changes[axis2Index] as XmlEdit).ops.findIndex(
      (o) => o.op === 'setText' && o.path.endsWith("[@name='localMemberHost']"),
    );
    expect(diffs[0]).toBe(`/${axis2Index}/ops/${hostOp}/value: ${ADDRESSES['is-1']} -> ${ADDRESSES['is-2']}`);
  });
});

// Keep the helper type in use for readers: the topology the tests render from.
export type { Topology };
