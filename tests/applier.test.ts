/**
 * The applier on our own fixtures shaped like the stock files, with hand-written change sets:
 * expected elements after apply, everything else kept byte for byte, idempotence, loud failures.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { applyChangeSet, applyXmlOps } from '../applier/apply';
import type { FileChange } from '../config-templates/types';

const FIXTURES = path.join(__dirname, 'fixtures');
/**
 * The product trees, the same ones the renderer tests apply to (tests/fixtures/is and
 * tests/fixtures/analytics). The IS layouts this file checks edits against, line for line: a
 * Latin-1 byte in registry.xml, commented-out samples an upsert or replace must not take for the
 * element (axis2's mcastAddress, registry's /_system/config mount, user-mgt's second store),
 * one-attribute-per-line Connectors with a blank line inside the tag, a default-namespace
 * publisher.
 */
const TREES = { is: path.join(FIXTURES, 'is'), analytics: path.join(FIXTURES, 'analytics') };
const AXIS2 = 'repository/conf/axis2/axis2.xml';
const REGISTRY = 'repository/conf/registry.xml';
const PUBLISHER = 'repository/deployment/server/eventpublishers/IsAnalytics-Publisher-wso2event-RoleData.xml';
const USER_MGT = 'repository/conf/user-mgt.xml';
const CATALINA = 'repository/conf/tomcat/catalina-server.xml';
const SITE = 'repository/deployment/server/jaggeryapps/portal/conf/site.json';
const WORKER = 'conf/worker/deployment.yaml';
const JDBC_USM = 'org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager';

const homes: string[] = [];
function home(product: 'is' | 'analytics'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-'));
  fs.cpSync(TREES[product], dir, { recursive: true });
  homes.push(dir);
  return dir;
}
afterAll(() => homes.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const read = (h: string, rel: string, enc: BufferEncoding = 'utf8') => fs.readFileSync(path.join(h, rel), enc);
const stock = (product: 'is' | 'analytics', rel: string, enc: BufferEncoding = 'utf8') => fs.readFileSync(path.join(TREES[product], rel), enc);
function xmllint(file: string): void {
  execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' });
}
/** Every file under `dir`, relative path -> bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dir, r)).toString('base64');
    }
  };
  walk('');
  return out;
}

const isChanges: FileChange[] = [
  {
    kind: 'xml',
    path: AXIS2,
    ops: [
      { op: 'setAttr', path: '/axisconfig/clustering', name: 'enable', value: 'true' },
      { op: 'setText', path: "/axisconfig/clustering/parameter[@name='membershipScheme']", value: 'wka' },
      { op: 'setText', path: "/axisconfig/clustering/parameter[@name='domain']", value: 'wso2.is.domain' },
      {
        op: 'replace',
        path: '/axisconfig/clustering/members',
        xml: '<members>\n  <member>\n    <hostName>10.0.1.10</hostName>\n    <port>4000</port>\n  </member>\n  <member>\n    <hostName>10.0.2.10</hostName>\n    <port>4000</port>\n  </member>\n</members>',
      },
      // Present: replaced where it stands (`before` only places a new element).
      {
        op: 'upsertChild',
        parent: '/axisconfig/clustering',
        match: "parameter[@name='localMemberHost']",
        xml: '<parameter name="localMemberHost">10.0.1.10</parameter>',
        before: "parameter[@name='localMemberPort']",
      },
      // Only a commented-out sample: a new element before the anchor, the comment left alone.
      {
        op: 'upsertChild',
        parent: '/axisconfig/clustering',
        match: "parameter[@name='mcastAddress']",
        xml: '<parameter name="mcastAddress">228.0.0.5</parameter>',
        before: "parameter[@name='mcastPort']",
      },
    ],
  },
  {
    kind: 'xml',
    path: REGISTRY,
    ops: [
      {
        op: 'upsertChild',
        parent: '/wso2registry',
        match: "dbConfig[@name='sharedregistry']",
        before: 'indexingConfiguration',
        xml: '<?xml version="1.0"?>\n<dbConfig name="sharedregistry">\n  <dataSource>jdbc/WSO2IdentityDB</dataSource>\n</dbConfig>',
      },
      {
        op: 'upsertChild',
        parent: '/wso2registry',
        match: "mount[@path='/_system/config']",
        xml: '<mount path="/_system/config" overwrite="true"><instanceId>sharedregistry</instanceId><targetPath>/_system/config</targetPath></mount>',
      },
      { op: 'setText', path: '/wso2registry/versionResourcesOnChange', value: 'false' },
      // Beyond Latin-1: must come out as a character reference, not '?'.
      { op: 'setText', path: '/wso2registry/readOnly', value: 'false \u2713' },
    ],
  },
  {
    kind: 'xml',
    path: PUBLISHER,
    ops: [
      { op: 'setText', path: "/eventPublisher/to/property[@name='receiverURL']", value: '{tcp://a:7612,tcp://b:7612}' },
      {
        op: 'upsertChild',
        parent: '/eventPublisher/to',
        match: "property[@name='authenticatorURL']",
        xml: '<property name="authenticatorURL">{ssl://a:7712,ssl://b:7712}</property>',
      },
    ],
  },
  {
    kind: 'xml',
    path: USER_MGT,
    ops: [
      { op: 'setText', path: '/UserManager/Realm/Configuration/AdminUser/Password', value: '@@SECRET:admin_password@@' },
      {
        op: 'replace',
        path: '/UserManager/Realm/UserStoreManager',
        orMatch: `/UserManager/Realm/UserStoreManager[@class='${JDBC_USM}']`,
        xml: `<UserStoreManager class="${JDBC_USM}"><Property name="ReadOnly">false</Property><Property name="PasswordJavaRegEx">^[\\S]{5,30}$</Property></UserStoreManager>`,
      },
    ],
  },
  {
    kind: 'xml',
    path: CATALINA,
    ops: [
      { op: 'setAttr', path: "/Server/Service/Connector[@port='9443']", name: 'proxyPort', value: '443' },
      { op: 'setAttr', path: "/Server/Service/Connector[@port='9763']", name: 'proxyPort', value: '80' },
      { op: 'setAttr', path: "/Server/Service/Connector[@port='9443']", name: 'keystorePass', value: 'a&b<"c">' },
    ],
  },
  {
    kind: 'json',
    path: SITE,
    ops: [
      { op: 'set', path: ['service', 'serviceOrigin'], value: 'https://is.example.com' },
      { op: 'set', path: ['proxy', 'proxyHost'], value: 'is.example.com' },
      { op: 'set', path: ['proxy', 'proxyHTTPSPort'], value: '443' },
      { op: 'delete', path: ['fido'], optional: true },
    ],
  },
  { kind: 'file', path: 'repository/conf/datasources/master-datasources.xml', content: '<datasources-configuration/>\n', mode: '0640' },
];

describe('applyChangeSet on an IS home', () => {
  const h = home('is');
  const first = applyChangeSet(h, { nodeId: 'is-1', product: 'is', changes: isChanges });

  it('reports every file once, in order, as changed', () => {
    expect(first.files.map((f) => [f.path, f.changed])).toEqual([
      [AXIS2, true], [REGISTRY, true], [PUBLISHER, true], [USER_MGT, true], [CATALINA, true], [SITE, true],
      ['repository/conf/datasources/master-datasources.xml', true],
    ]);
  });

  it('every XML output is well-formed for xmllint', () => {
    for (const f of [AXIS2, REGISTRY, PUBLISHER, USER_MGT, CATALINA, 'repository/conf/datasources/master-datasources.xml']) {
      xmllint(path.join(h, f));
    }
  });

  it('axis2.xml: clustering enabled, WKA members, comments and untouched lines kept', () => {
    const out = read(h, AXIS2);
    expect(out).toContain('                enable="true">');
    expect(out).toContain('<parameter name="membershipScheme">wka</parameter>');
    expect(out).toContain('<!-- fixture: membership scheme comment -->');
    expect(out).toContain(
      '        <members>\n            <member>\n                <hostName>10.0.1.10</hostName>\n                <port>4000</port>\n' +
        '            </member>\n            <member>\n                <hostName>10.0.2.10</hostName>',
    );
    expect(out).toContain(
      '        <parameter name="localMemberHost">10.0.1.10</parameter>\n        <parameter name="localMemberBindAddress">127.0.0.1</parameter>',
    );
    expect(out.match(/name="localMemberHost"/g)).toHaveLength(1);
    expect(out).toContain(
      '        <!--<parameter name="mcastAddress">228.0.0.4</parameter>-->\n' +
        '        <parameter name="mcastAddress">228.0.0.5</parameter>\n        <parameter name="mcastPort">45564</parameter>',
    );
    expect(out).not.toContain('127.0.0.1</hostName>');
    // Only the edited lines differ from the fixture.
    const before = stock('is', AXIS2).split('\n');
    const kept = out.split('\n').filter((l) => before.includes(l));
    expect(kept.length).toBeGreaterThanOrEqual(before.length - 8);
    expect(out.startsWith("<!-- Test fixture shaped like the product's axis2.xml. -->\n<axisconfig")).toBe(true);
  });

  it('registry.xml: stays ISO-8859-1 with its declaration, new elements before indexingConfiguration', () => {
    const raw = fs.readFileSync(path.join(h, REGISTRY));
    const out = raw.toString('latin1');
    expect(out.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!--')).toBe(true);
    expect(raw.includes(Buffer.from('caf\xe9', 'latin1'))).toBe(true); // Latin-1 byte kept as is
    expect(out).toContain('<readOnly>false &#x2713;</readOnly>');
    expect(out).not.toContain('<?xml version="1.0"?>');
    expect(out).toContain(
      '    <dbConfig name="sharedregistry">\n        <dataSource>jdbc/WSO2IdentityDB</dataSource>\n    </dbConfig>\n    <indexingConfiguration>',
    );
    // The commented-out sample of the same mount stays a comment; the real one goes last.
    expect(out).toContain('    <!--mount path="/_system/config" overwrite="true|false|virtual">\n        <instanceId>commented-sample</instanceId>\n    </mount-->');
    expect(out).toMatch(/<\/staticConfiguration>\n {4}<mount path="\/_system\/config" overwrite="true">\n {8}<instanceId>sharedregistry<\/instanceId>[^]*<\/mount>\n<\/wso2registry>/);
    expect(out).toContain('<versionResourcesOnChange>false</versionResourcesOnChange>');
    const lint = execFileSync('xmllint', ['--xpath', 'string(/wso2registry/readOnly)', path.join(h, REGISTRY)]).toString();
    expect(lint.replace(/\n$/, '')).toBe('false \u2713');
  });

  it('event publisher: default namespace kept, inserted property in that namespace (no xmlns="")', () => {
    const out = read(h, PUBLISHER);
    expect(out.startsWith("<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n<!--")).toBe(true);
    expect(out).toContain('<property name="receiverURL">{tcp://a:7612,tcp://b:7612}</property>');
    expect(out).toContain(
      '    <property encrypted="true" name="password">fixture-cipher</property>\n    <property name="authenticatorURL">{ssl://a:7712,ssl://b:7712}</property>\n  </to>',
    );
    expect(out).not.toContain('xmlns=""');
    const count = execFileSync('xmllint', [
      '--xpath',
      "count(//*[local-name()='property' and namespace-uri()='http://wso2.org/carbon/eventpublisher'])",
      path.join(h, PUBLISHER),
    ]).toString();
    expect(count.trim()).toBe('5');
  });

  it('user-mgt.xml: the active UserStoreManager replaced, the commented one untouched', () => {
    const out = read(h, USER_MGT);
    expect(out).toContain(`        <UserStoreManager class="${JDBC_USM}">\n            <Property name="ReadOnly">false</Property>`);
    expect(out).toContain('<Property name="PasswordJavaRegEx">^[\\S]{5,30}$</Property>');
    expect(out).not.toContain('ReadWriteLDAPUserStoreManager');
    // Commented out just before the active one: a replace must not start at the comment.
    expect(out).toContain(
      '        <!-- fixture: a commented-out store stays a comment\n        <UserStoreManager class="fixture.Commented"/>\n        -->\n' +
        `        <UserStoreManager class="${JDBC_USM}">`,
    );
    expect(out).toContain('<Password>@@SECRET:admin_password@@</Password>');
  });

  it('catalina-server.xml: attributes added in the one-per-line layout, values escaped', () => {
    const out = read(h, CATALINA);
    expect(out).toContain('                   URIEncoding="UTF-8"\n                   proxyPort="80"/>');
    expect(out).toContain(
      '                   keystorePass="a&amp;b&lt;&quot;c&quot;&gt;"\n                   URIEncoding="UTF-8"\n                   proxyPort="443"/>',
    );
    const pass = execFileSync('xmllint', ['--xpath', "string(/Server/Service/Connector[@port='9443']/@keystorePass)", path.join(h, CATALINA)]);
    expect(pass.toString().trim()).toBe('a&b<"c">');
    // The blank line inside each tag stays where the stock layout has it.
    expect(out.match(/ {19}port="9(443|763)"\n {19}\n/g)).toHaveLength(2);
    expect(out).toContain("<?xml version='1.0' encoding='utf-8'?>\n<!-- Test fixture shaped like the product's catalina-server.xml. -->\n<Server");
  });

  it('site.json: values set, key deleted, 2-space JSON', () => {
    const out = read(h, SITE);
    expect(JSON.parse(out)).toEqual({
      service: { serviceOrigin: 'https://is.example.com' },
      proxy: { proxyHost: 'is.example.com', proxyHTTPSPort: '443', proxyContextPath: '' },
    });
    expect(out).toBe(JSON.stringify(JSON.parse(out), null, 2) + '\n');
  });

  it('whole files are written with their mode', () => {
    const f = path.join(h, 'repository/conf/datasources/master-datasources.xml');
    expect(fs.readFileSync(f, 'utf8')).toBe('<datasources-configuration/>\n');
    expect(fs.statSync(f).mode & 0o777).toBe(0o640);
  });

  it('is idempotent: a second apply changes no byte and reports nothing changed', () => {
    const once = snapshot(h);
    const second = applyChangeSet(h, isChanges);
    expect(second.files.every((f) => !f.changed)).toBe(true);
    expect(snapshot(h)).toEqual(once);
  });

  it('is deterministic: two fresh homes end up byte-identical', () => {
    const h2 = home('is');
    applyChangeSet(h2, isChanges);
    expect(snapshot(h2)).toEqual(snapshot(h));
  });

  it('leaves no temp files behind', () => {
    expect(Object.keys(snapshot(h)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe('applyChangeSet on an analytics worker deployment.yaml', () => {
  const h = home('analytics');
  const changes: FileChange[] = [
    {
      kind: 'yaml',
      path: WORKER,
      ops: [
        { op: 'set', path: ['cluster.config', 'enabled'], value: true },
        { op: 'set', path: ['cluster.config', 'groupId'], value: 'is-analytics' },
        { op: 'set', path: ['wso2.carbon', 'id'], value: 'analytics-1' },
        { op: 'set', path: ['deployment.config'], value: { type: 'ha', eventSyncServer: { host: '10.0.1.20', port: 9893 } } },
        {
          op: 'upsertItem',
          path: ['wso2.datasources', 'dataSources'],
          key: 'name',
          value: {
            name: 'IS_ANALYTICS_DB',
            description: 'The datasource used for IS Analytics',
            definition: { type: 'RDBMS', configuration: { jdbcUrl: 'jdbc:mysql://db:3306/IS_ANALYTICS_DB?useSSL=false&amp=1', username: 'wso2', password: '@@SECRET:db_password@@' } },
          },
        },
        {
          op: 'upsertItem',
          path: ['wso2.datasources', 'dataSources'],
          key: 'name',
          value: { name: 'WSO2_CLUSTER_DB', definition: { type: 'RDBMS', configuration: { jdbcUrl: 'jdbc:mysql://db:3306/WSO2_CLUSTER_DB' } } },
        },
        { op: 'delete', path: ['wso2.carbon', 'ports', 'offset'], optional: true },
        { op: 'set', path: ['a', 'b', 'c'], value: 1, create: true },
      ],
    },
  ];
  applyChangeSet(h, changes);
  const out = read(h, WORKER);
  const doc = parseDocument(out);

  it('has the new values', () => {
    expect(doc.errors).toEqual([]);
    const js = doc.toJS();
    expect(js['cluster.config'].enabled).toBe(true);
    expect(js['cluster.config'].groupId).toBe('is-analytics');
    expect(js['wso2.carbon'].id).toBe('analytics-1');
    expect(js['wso2.carbon'].ports).toEqual({});
    expect(js['deployment.config'].eventSyncServer).toEqual({ host: '10.0.1.20', port: 9893 });
    expect(js.a).toEqual({ b: { c: 1 } });
    const names = js['wso2.datasources'].dataSources.map((d: { name: string }) => d.name);
    expect(names).toEqual(['WSO2_CLUSTER_DB', 'IS_ANALYTICS_DB', 'GEO_LOCATION_DATA']);
    expect(js['wso2.datasources'].dataSources[0].definition.configuration).toEqual({ jdbcUrl: 'jdbc:mysql://db:3306/WSO2_CLUSTER_DB' });
    expect(js['wso2.datasources'].dataSources[1].definition.configuration.password).toBe('@@SECRET:db_password@@');
  });

  it('keeps the comments and untouched values', () => {
    for (const c of ['# Test fixture shaped like', '# Node identity', '# over-indented, as the stock file has some comments', '# Cluster Configuration', '# geo lookups stay local', '# An HA sample, commented out as shipped:']) {
      expect(out).toContain(c);
    }
    expect(out).toContain("jdbcUrl: 'jdbc:h2:./fixture/GEO_LOCATION_DATA'");
    expect(out).toContain('coordinationStrategyClass: org.wso2.carbon.cluster.coordinator.rdbms.RDBMSCoordinationStrategy');
  });

  it('is idempotent', () => {
    const second = applyChangeSet(h, changes);
    expect(second.files[0].changed).toBe(false);
    expect(read(h, WORKER)).toBe(out);
  });
});

describe('fails loudly on a missing anchor, writing nothing', () => {
  const h = home('is');
  const before = snapshot(h);
  afterEach(() => expect(snapshot(h)).toEqual(before));
  const xml = (p: string, op: object): FileChange => ({ kind: 'xml', path: p, ops: [op as never] });
  const cases: [string, FileChange[], RegExp][] = [
    ['missing file', [{ kind: 'xml', path: 'repository/conf/nope.xml', ops: [] }], /nope\.xml: xml edit: file does not exist/],
    ['setText no element', [xml(AXIS2, { op: 'setText', path: "/axisconfig/clustering/parameter[@name='nope']", value: 'x' })], /axis2\.xml: setText .*no element matches/],
    ['setText ambiguous', [xml(AXIS2, { op: 'setText', path: '/axisconfig/clustering/parameter', value: 'x' })], /axis2\.xml: setText .*8 elements match/],
    ['setAttr no element', [xml(CATALINA, { op: 'setAttr', path: "/Server/Service/Connector[@port='8243']", name: 'proxyPort', value: '1' })], /catalina-server\.xml: setAttr .*no element matches/],
    ['upsertChild no parent', [xml(REGISTRY, { op: 'upsertChild', parent: '/wso2registry/nope', match: 'a', xml: '<a/>' })], /registry\.xml: upsertChild \/wso2registry\/nope a: no element matches/],
    ['upsertChild before missing', [xml(REGISTRY, { op: 'upsertChild', parent: '/wso2registry', match: 'a', xml: '<a/>', before: 'nope' })], /no child matches before=nope/],
    ['upsertChild fragment not matching', [xml(REGISTRY, { op: 'upsertChild', parent: '/wso2registry', match: "a[@x='1']", xml: '<a x="2"/>' })], /not idempotent/],
    ['upsertChild bad fragment', [xml(REGISTRY, { op: 'upsertChild', parent: '/wso2registry', match: 'a', xml: '<a><b></a>' })], /registry\.xml: upsertChild .*does not match/],
    ['replace no element', [xml(USER_MGT, { op: 'replace', path: '/UserManager/Nope', xml: '<Nope/>' })], /user-mgt\.xml: replace \/UserManager\/Nope: no element matches/],
    ['remove no element', [xml(AXIS2, { op: 'remove', path: '/axisconfig/nope' })], /axis2\.xml: remove \/axisconfig\/nope: no element matches/],
    ['the root does not match', [xml(AXIS2, { op: 'setText', path: '/clustering', value: 'x' })], /no element matches \/clustering/],
    ['yaml set no parent', [{ kind: 'yaml', path: 'conf/x.yaml', ops: [] }], /conf\/x\.yaml: yaml edit: file does not exist/],
    ['json set no parent', [{ kind: 'json', path: SITE, ops: [{ op: 'set', path: ['nope', 'x'], value: 1 }] }], /site\.json: set \["nope","x"\]: missing \["nope"\]/],
    ['json upsertItem no array', [{ kind: 'json', path: SITE, ops: [{ op: 'upsertItem', path: ['proxy'], key: 'name', value: { name: 'x' } }] }], /site\.json: upsertItem \["proxy"\]: no array there/],
    ['json delete absent', [{ kind: 'json', path: SITE, ops: [{ op: 'delete', path: ['proxy', 'nope'] }] }], /site\.json: delete \["proxy","nope"\]: not present/],
    ['path escaping the home', [{ kind: 'file', path: '../evil', content: 'x' }], /escapes the product home/],
    // The first change is fine; the failing second one must stop the whole set before any write.
    ['a later change fails', [
      { kind: 'json', path: SITE, ops: [{ op: 'set', path: ['proxy', 'proxyHost'], value: 'changed' }] },
      xml(AXIS2, { op: 'remove', path: '/axisconfig/nope' }),
    ], /axis2\.xml: remove/],
  ];
  it.each(cases)('%s', (_name, changes, re) => {
    expect(() => applyChangeSet(h, changes)).toThrow(re);
  });

  it('remove with optional tolerates absence', () => {
    expect(() => applyChangeSet(h, [xml(AXIS2, { op: 'remove', path: '/axisconfig/nope', optional: true })])).not.toThrow();
  });
});

describe('YAML anchors', () => {
  const h = home('analytics');
  const y = (op: object): FileChange[] => [{ kind: 'yaml', path: WORKER, ops: [op as never] }];
  it.each([
    ['set without parent', { op: 'set', path: ['nope', 'x'], value: 1 }, /deployment\.yaml: set \["nope","x"\]: missing \["nope"\]/],
    ['upsertItem without sequence', { op: 'upsertItem', path: ['wso2.datasources', 'nope'], key: 'name', value: { name: 'x' } }, /upsertItem \["wso2.datasources","nope"\]: no sequence there/],
    ['delete absent', { op: 'delete', path: ['cluster.config', 'nope'] }, /delete \["cluster.config","nope"\]: not present/],
    ['set past the end of a sequence', { op: 'set', path: ['wso2.datasources', 'dataSources', 5], value: {} }, /no sequence item 5/],
  ])('%s', (_n, op, re) => {
    const before = read(h, WORKER);
    expect(() => applyChangeSet(h, y(op))).toThrow(re);
    expect(read(h, WORKER)).toBe(before);
  });
});

describe('XmlPath', () => {
  const webXml = `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
    <context-param>
        <param-name>other</param-name>
        <param-value>x</param-value>
    </context-param>
    <context-param>
        <param-name>
            system.properties
        </param-name>
        <param-value>a=b</param-value>
    </context-param>
    <servlet><init-param name="u" mep="http://www.w3.org/ns/wsdl/in-only"/></servlet>
</web-app>
`;
  it('child-text predicates (trimmed) and several attribute predicates, slashes inside values', () => {
    const out = applyXmlOps('web.xml', webXml, [
      { op: 'setText', path: "/web-app/context-param[param-name='system.properties']/param-value", value: 'c=d' },
      { op: 'setAttr', path: "/web-app/servlet/init-param[@name='u'][@mep='http://www.w3.org/ns/wsdl/in-only']", name: 'v', value: '1' },
    ]);
    expect(out).toContain('<param-value>x</param-value>');
    expect(out).toContain('<param-value>c=d</param-value>');
    expect(out).toContain('mep="http://www.w3.org/ns/wsdl/in-only" v="1"/>');
    expect(() => applyXmlOps('web.xml', webXml, [{ op: 'setText', path: "/web-app/servlet/init-param[@name='u'][@mep='x']", value: '' }])).toThrow(/no element matches/);
  });

  it('remove drops every match with its line; setText on an empty element opens it', () => {
    const out = applyXmlOps('web.xml', webXml, [
      { op: 'remove', path: '/web-app/context-param' },
      { op: 'setText', path: '/web-app/servlet/init-param', value: '<&>' },
    ]);
    expect(out).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5">
    <servlet><init-param name="u" mep="http://www.w3.org/ns/wsdl/in-only">&lt;&amp;&gt;</init-param></servlet>
</web-app>
`);
  });

  it('refuses malformed input documents', () => {
    expect(() => applyXmlOps('bad.xml', '<a><b></a>', [])).toThrow(/bad\.xml: not well-formed XML/);
    expect(() => applyXmlOps('bad.xml', '<a x="1" x="2"/>', [])).toThrow(/duplicate attribute/);
    expect(() => applyXmlOps('bad.xml', '<a>&nbsp;</a>', [])).toThrow(/undeclared entity/);
  });
});

describe('text changes: exact replacements on bytes', () => {
  const SCRIPT = 'wso2/worker/bin/carbon.sh';
  const op = { op: 'replace' as const, find: '    -Dfile.encoding=UTF8 \\\n', replace: '    -Dfile.encoding=UTF-8 \\\n    -Dx=1 \\\n' };
  const change = (ops = [op]): FileChange[] => [{ kind: 'text', path: SCRIPT, ops }];

  it('replaces the one occurrence, keeps every other byte and the mode, and is idempotent', () => {
    const h = home('analytics');
    const abs = path.join(h, SCRIPT);
    // A byte that is not UTF-8 elsewhere in the file must survive untouched.
    fs.appendFileSync(abs, Buffer.from([0x23, 0xe9, 0x0a]));
    const before = fs.readFileSync(abs);
    expect(applyChangeSet(h, change()).files).toEqual([{ path: SCRIPT, kind: 'text', ops: 1, changed: true }]);
    const after = fs.readFileSync(abs);
    const at = before.indexOf(op.find);
    expect(after).toEqual(Buffer.concat([before.subarray(0, at), Buffer.from(op.replace), before.subarray(at + op.find.length)]));
    expect(fs.statSync(abs).mode & 0o777).toBe(0o755);
    expect(applyChangeSet(h, change()).files[0].changed).toBe(false);
    expect(fs.readFileSync(abs)).toEqual(after);
  });

  it.each([
    ['text absent and replacement absent', { ...op, find: 'not in the file\n', replace: 'nor this\n' }, /neither the text nor its replacement occurs exactly once/],
    ['text present twice', { ...op, find: '\\\n', replace: '\\\r\n' }, /occurs \d+ times, expected once/],
    ['find inside replace', { ...op, replace: `${op.find}more\n` }, /must not contain one another/],
    ['empty replacement', { ...op, replace: '' }, /non-empty strings/],
  ])('refuses %s, writing nothing', (_name, bad, re) => {
    const h = home('analytics');
    const before = fs.readFileSync(path.join(h, SCRIPT));
    expect(() => applyChangeSet(h, change([bad]))).toThrow(re);
    expect(() => applyChangeSet(h, change([bad]))).toThrow(new RegExp(`^${SCRIPT}: text op 0`));
    expect(fs.readFileSync(path.join(h, SCRIPT))).toEqual(before);
  });

  it('refuses a missing file', () => {
    expect(() => applyChangeSet(home('is'), change())).toThrow(/text edit: file does not exist/);
  });
});
