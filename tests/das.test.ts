/**
 * The legacy DAS-based analytics flavour: the topology it gets, the change set as data (xmllint on
 * every XML piece, references that resolve), and the change set applied by the real applier, in
 * process, through its CLI and through the bundle a node runs, to our own stock-shaped fixtures.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { main as applierMain } from '../applier/cli';
import { applierBundle } from '../applier/bundle';
import { changeSetPayload, renderAnalyticsChangeSet } from '../config-templates';
import {
  DAS_FILES,
  DAS_MOUNTED_PATHS,
  DAS_RECORD_STORES,
  FILE_SYSTEM_PERSISTENCE_STORE,
  RDBMS_RECORD_STORE,
  renderDasChangeSet,
} from '../config-templates/analytics-das';
import { HAZELCAST_CLUSTERING_AGENT } from '../config-templates/is/cluster';
import { FileChange, NodeChangeSet } from '../config-templates/types';
import { ANALYTICS_HOME_LINK, DAS_DATABASES, DEFAULT_PORTS, IS_DATABASES, NodeId, PortName, Ports, Topology, datasourceByJndi, jdbcUrl, nodesOf, portClashes, processesFor, secretPlaceholder } from '../topology';
import { snapshotFiles } from './helpers/files';
import { testTopology } from './helpers/topology';
import { XPathChecks, xmllintWellFormed } from './helpers/xpath-checks';

const FIXTURE_HOME = path.join(__dirname, 'fixtures', 'das');

/** Non-default ports (one common Carbon offset of 10), so the test shows the model reaches the files. */
const PORTS: Ports = {
  ...DEFAULT_PORTS,
  thrift: 7621,
  thriftSsl: 7721,
  dasHttps: 9453,
  dasHttp: 9773,
  analyticsHazelcast: 4100,
  dasEventSync: 11324,
  dasManagement: 10105,
  dasPresentation: 11100,
  sparkMaster: 7177,
  sparkUi: 8181,
  sparkWorker: 12010,
  sparkWorkerUi: 12510,
  sparkDriver: 12110,
  sparkBlockManager: 12210,
  sparkDriverBlockManager: 12310,
};
const ADDRESSES: Record<NodeId, string> = {
  'is-1': '10.0.1.10',
  'is-2': '10.0.2.10',
  'analytics-1': '10.0.1.20',
  'analytics-2': '10.0.2.20',
};

function topology(flavor: 'sp' | 'das' = 'das', ports: Ports = PORTS): Topology {
  return testTopology({ analyticsFlavor: flavor, ports, addresses: ADDRESSES });
}

const t = topology();
const cs1 = renderDasChangeSet(t, 'analytics-1');
const cs2 = renderDasChangeSet(t, 'analytics-2');

function change<K extends FileChange['kind']>(cs: NodeChangeSet, p: string, kind: K): Extract<FileChange, { kind: K }> {
  const c = cs.changes.find((x) => x.path === p);
  if (!c || c.kind !== kind) throw new Error(`no ${kind} change for ${p}`);
  return c as Extract<FileChange, { kind: K }>;
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'das-test-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
function tmpFile(name: string, content: string): string {
  const f = path.join(tmp, `${seq++}-${name}`);
  fs.writeFileSync(f, content);
  return f;
}
function freshHome(name: string, from = FIXTURE_HOME): string {
  const home = path.join(tmp, `${seq++}-${name}`);
  fs.cpSync(from, home, { recursive: true });
  return home;
}
const read = (home: string, rel: string) => fs.readFileSync(path.join(home, rel), 'latin1');

/** The real xmllint: --noout on a string; throws on malformed XML. */
function xmllintOk(xml: string, name: string): void {
  execFileSync('xmllint', ['--noout', tmpFile(name, xml)], { stdio: 'pipe' });
}
/** XPath 1.0 string value, evaluated by xmllint. */
function xpath(file: string, expr: string): string {
  return execFileSync('xmllint', ['--xpath', `string(${expr})`, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
const snapshot = snapshotFiles;

describe('DAS topology', () => {
  const DAS_PORTS: PortName[] = [
    'thrift', 'thriftSsl', 'analyticsHazelcast', 'dasEventSync', 'dasManagement', 'dasPresentation', 'sparkMaster', 'sparkUi', 'sparkWorker', 'sparkWorkerUi', 'sparkDriver',
    'sparkBlockManager', 'sparkDriverBlockManager', 'dasHttps',
  ];
  const SP_ONLY: PortName[] = ['binary', 'binarySsl', 'workerHttp', 'workerHttps', 'eventSync', 'dashboard'];

  it('gives both analytics nodes exactly the DAS ports, numbers from the model, and none of the SP-only ports', () => {
    for (const n of nodesOf(t, 'analytics')) {
      expect(n.ports.map((p) => p.name).sort()).toEqual([...DAS_PORTS].sort());
      for (const p of n.ports) expect(p.port).toBe(PORTS[p.name]);
      for (const name of SP_ONLY) expect(n.ports.find((p) => p.name === name)).toBeUndefined();
      // Active-passive DAS: both nodes receive events (no passive-only closed receivers as in SP).
      expect(n.ports.filter((p) => p.activeOnly)).toEqual([]);
      expect(portClashes(n.ports)).toEqual([]);
      // Peers: cluster traffic from analytics only, the console from the front end, receivers from IS.
      expect(n.ports.find((p) => p.name === 'analyticsHazelcast')?.from).toEqual(['analytics']);
      expect(n.ports.find((p) => p.name === 'dasHttps')?.from).toEqual(['frontend']);
      expect(n.ports.find((p) => p.name === 'thrift')?.from).toContain('is');
    }
    // The IS side does not change with the flavour.
    expect(nodesOf(t, 'is').map((n) => n.ports)).toEqual(nodesOf(topology('sp'), 'is').map((n) => n.ports));
  });

  it('has the four DAS databases and datasources, shares carbonapps, runs one Carbon server', () => {
    expect(t.db.databases).toEqual([IS_DATABASES.userStore, IS_DATABASES.identity, ...Object.values(DAS_DATABASES)]);
    expect(Object.values(t.db.datasources).map((d) => d.database)).toEqual(expect.arrayContaining(Object.values(DAS_DATABASES)));
    const shared = t.sharedDirectories.filter((d) => d.role === 'analytics');
    expect(shared.map((d) => d.productPath)).toEqual(['repository/deployment/server/carbonapps']);
    expect(processesFor('analytics', 'das')).toEqual([{ name: 'server', command: 'bin/wso2server.sh', healthPort: 'dasHttps', healthPath: '/carbon/admin/login.jsp' }]);
    expect(t.analyticsClusterDomain).not.toBe(t.isClusterDomain);
  });
});

describe('DAS change set as data', () => {
  it('is deterministic, dispatched for the das flavour, and refuses IS nodes and SP topologies', () => {
    expect(JSON.stringify(renderDasChangeSet(topology(), 'analytics-2'))).toBe(JSON.stringify(cs2));
    expect(renderAnalyticsChangeSet(t, 'analytics-1')).toEqual(cs1);
    expect(() => renderDasChangeSet(t, 'is-1')).toThrow(/not an analytics node/);
    expect(() => renderDasChangeSet(topology('sp'), 'analytics-1')).toThrow(/analyticsFlavor 'das'/);
    expect(cs1.changes.map((c) => c.path).sort()).toEqual(Object.values(DAS_FILES).sort());
  });

  it('every whole file and fragment passes xmllint', () => {
    const pieces: { where: string; xml: string }[] = [];
    for (const c of cs1.changes) {
      if (c.kind === 'file' && c.path.endsWith('.xml')) pieces.push({ where: c.path, xml: c.content });
      if (c.kind === 'xml') {
        c.ops.forEach((o, i) => {
          if (o.op === 'upsertChild' || o.op === 'replace') pieces.push({ where: `${c.path}#${i}`, xml: o.xml });
        });
      }
    }
    expect(pieces.length).toBeGreaterThan(15);
    // One xmllint run over them all, each piece its own file.
    xmllintWellFormed(pieces.map((p) => tmpFile(path.basename(p.where).replace(/[#]/g, '-') + '.xml', p.xml)));
  });

  it('xmllint really rejects a broken fragment (the check can fail)', () => {
    expect(() => xmllintOk('<dbConfig><dataSource>x</dbConfig>', 'broken.xml')).toThrow();
  });

  it('every datasource reference resolves: record stores in analytics-datasources.xml, JNDI names in master-datasources.xml', () => {
    const upserted = change(cs1, DAS_FILES.analyticsDatasources, 'xml').ops.map((o) => {
      if (o.op !== 'upsertChild') throw new Error('analytics-datasources.xml: only upserts expected');
      const f = tmpFile('ds.xml', o.xml);
      return xpath(f, '/datasource/name');
    });
    const storeRefs = change(cs1, DAS_FILES.analyticsConf, 'xml').ops.map((o) => {
      if (o.op !== 'upsertChild') throw new Error('analytics-conf.xml: only upserts expected');
      return xpath(tmpFile('store.xml', o.xml), "/analytics-record-store/properties/property[@name='datasource']");
    });
    expect(storeRefs).toHaveLength(DAS_RECORD_STORES.length);
    for (const ref of storeRefs) expect(upserted).toContain(ref);

    const master = tmpFile('master.xml', change(cs1, DAS_FILES.masterDatasources, 'file').content);
    const jndiInMaster = (jndi: string) => {
      const d = datasourceByJndi(t, jndi);
      expect(d.definedIn).toBe(DAS_FILES.masterDatasources);
      expect(xpath(master, `//datasource[jndiConfig/name='${jndi}']/name`)).toBe(d.name);
      return d;
    };
    const um = change(cs1, DAS_FILES.userMgt, 'xml').ops.find((o) => o.op === 'setText' && o.path.includes('dataSource'));
    expect(um?.op === 'setText' && jndiInMaster(um.value).database).toBe(DAS_DATABASES.userStore);
    const govDb = change(cs1, DAS_FILES.registry, 'xml').ops.find((o) => o.op === 'upsertChild' && o.match.startsWith('dbConfig'));
    if (govDb?.op !== 'upsertChild') throw new Error('no govregistry dbConfig');
    expect(jndiInMaster(xpath(tmpFile('gov.xml', govDb.xml), '/dbConfig/dataSource')).database).toBe(DAS_DATABASES.registry);
    // The node-local registry datasource stays, for wso2registry.
    expect(xpath(master, "//datasource[name='WSO2_CARBON_DB']/jndiConfig/name")).toBe('jdbc/WSO2CarbonDB');
  });

  it('carries placeholders, never a password, and refuses ports that no single Carbon offset gives', () => {
    const all = JSON.stringify(cs1);
    expect(all).toContain(secretPlaceholder('db_password'));
    // The admin password only as a Secure Vault ciphertext (cipher-text.properties, das-vault.ts).
    expect(all).toContain(secretPlaceholder('admin_password', 'vaultinternal'));
    expect(all).not.toContain(secretPlaceholder('admin_password'));
    expect(() => renderDasChangeSet(topology('das', { ...PORTS, thrift: 7612 }), 'analytics-1')).toThrow(/one Carbon port offset.*thrift 1/);
    expect(() => renderDasChangeSet(topology('das', { ...DEFAULT_PORTS, dasHttps: 9400, dasHttp: 9720, thrift: 7568, thriftSsl: 7668 }), 'analytics-1')).toThrow(/negative offset/);
  });
});

describe('DAS change set applied to the fixtures', () => {
  const homes: Record<'analytics-1' | 'analytics-2', string> = { 'analytics-1': '', 'analytics-2': '' };
  const f = (id: keyof typeof homes, rel: string) => path.join(homes[id], rel);
  beforeAll(() => {
    homes['analytics-1'] = freshHome('a1');
    homes['analytics-2'] = freshHome('a2');
    applyChangeSet(homes['analytics-1'], cs1);
    applyChangeSet(homes['analytics-2'], cs2);
  });

  it('every resulting XML file is well-formed', () => {
    xmllintWellFormed(Object.values(DAS_FILES).filter((x) => x.endsWith('.xml')).map((p) => f('analytics-1', p)));
  });

  it('writes the datasources and record stores on the shared MySQL', () => {
    const x = new XPathChecks(); // answered by xmllint at the end, one run per file
    const master = f('analytics-1', DAS_FILES.masterDatasources);
    x.str(master, "//datasource[name='WSO2UM_DB']/definition/configuration/url", jdbcUrl(t, DAS_DATABASES.userStore, 'analytics'));
    x.str(master, "//datasource[name='WSO2REG_DB']/definition/configuration/url", jdbcUrl(t, DAS_DATABASES.registry, 'analytics'));
    // Through Secure Vault (das-vault.ts): the literal and the alias.
    x.str(master, "//datasource[name='WSO2UM_DB']/definition/configuration/password", 'password');
    x.str(master, "//datasource[name='WSO2UM_DB']/definition/configuration/password/@*[local-name()='secretAlias']", 'Datasources.WSO2UM_DB.Configuration.Password');
    const ads = f('analytics-1', DAS_FILES.analyticsDatasources);
    x.count(ads, '//datasource', 3);
    for (const [name, db] of [
      ['WSO2_ANALYTICS_EVENT_STORE_DB', DAS_DATABASES.eventStore],
      ['WSO2_ANALYTICS_PROCESSED_DATA_STORE_DB', DAS_DATABASES.processedDataStore],
    ]) {
      x.count(ads, `//datasource[name='${name}']`, 1);
      x.str(ads, `//datasource[name='${name}']/definition/configuration/url`, jdbcUrl(t, db, 'analytics'));
      x.str(ads, `//datasource[name='${name}']/definition/configuration/driverClassName`, 'com.mysql.jdbc.Driver');
      x.str(ads, `//datasource[name='${name}']/definition/configuration/defaultAutoCommit`, 'false');
    }
    const conf = f('analytics-1', DAS_FILES.analyticsConf);
    x.count(conf, '/analytics-dataservice-configuration/analytics-record-store', 3);
    // Seed 000: both event stores on the event-store database, the processed store on its own.
    expect(DAS_RECORD_STORES.map((s) => `${s.name}>${s.database}`)).toEqual([
      `EVENT_STORE>${DAS_DATABASES.eventStore}`,
      `EVENT_STORE_WO>${DAS_DATABASES.eventStore}`,
      `PROCESSED_DATA_STORE>${DAS_DATABASES.processedDataStore}`,
    ]);
    for (const s of DAS_RECORD_STORES) {
      const store = `/analytics-dataservice-configuration/analytics-record-store[@name='${s.name}']`;
      x.str(conf, `${store}/implementation`, RDBMS_RECORD_STORE);
      x.str(conf, `${store}/properties/property[@name='category']`, s.category);
      const ds = xpath(conf, `${store}/properties/property[@name='datasource']`);
      x.str(ads, `//datasource[name='${ds}']/definition/configuration/url`, jdbcUrl(t, s.database, 'analytics'));
    }
    x.run();
  });

  it('shares the user store and mounts governance and config from the registry database, keeping wso2registry', () => {
    const x = new XPathChecks(); // answered by xmllint at the end, one run per file
    const um = f('analytics-1', DAS_FILES.userMgt);
    x.str(um, "/UserManager/Realm/Configuration/Property[@name='dataSource']", 'jdbc/WSO2UM_DB');
    x.str(um, '/UserManager/Realm/Configuration/AdminUser/Password', 'password');
    x.str(um, "/UserManager/Realm/Configuration/AdminUser/Password/@*[local-name()='secretAlias']", 'UserManager.AdminUser.Password');
    const reg = f('analytics-1', DAS_FILES.registry);
    x.str(reg, "/wso2registry/dbConfig[@name='wso2registry']/dataSource", 'jdbc/WSO2CarbonDB');
    x.str(reg, "/wso2registry/dbConfig[@name='govregistry']/dataSource", 'jdbc/WSO2REG_DB');
    x.count(reg, "/wso2registry/remoteInstance[id='gov']", 1);
    x.str(reg, "/wso2registry/remoteInstance[id='gov']/dbConfig", 'govregistry');
    x.str(reg, "/wso2registry/remoteInstance[id='gov']/cacheId", `wso2_analytics@${jdbcUrl(t, DAS_DATABASES.registry)}`);
    for (const p of DAS_MOUNTED_PATHS) {
      x.str(reg, `/wso2registry/mount[@path='${p}']/instanceId`, 'gov');
      x.str(reg, `/wso2registry/mount[@path='${p}']/targetPath`, p);
      x.str(reg, `/wso2registry/mount[@path='${p}']/@overwrite`, 'true');
    }
    x.run();
  });

  it('clusters the two analytics nodes with Hazelcast wka in their own domain, on the model port', () => {
    const x = new XPathChecks(); // answered by xmllint at the end, one run per file
    const axis2 = f('analytics-1', DAS_FILES.axis2);
    const c = '/axisconfig/clustering';
    x.str(axis2, `${c}/@class`, HAZELCAST_CLUSTERING_AGENT);
    x.str(axis2, `${c}/@enable`, 'true');
    x.str(axis2, `${c}/parameter[@name='membershipScheme']`, 'wka');
    x.str(axis2, `${c}/parameter[@name='domain']`, t.analyticsClusterDomain);
    x.str(axis2, `${c}/parameter[@name='localMemberHost']`, ADDRESSES['analytics-1']);
    x.str(axis2, `${c}/parameter[@name='localMemberPort']`, String(PORTS.analyticsHazelcast));
    x.count(axis2, `${c}/members/member`, 2);
    for (const id of ['analytics-1', 'analytics-2'] as const) {
      x.str(axis2, `${c}/members/member[hostName='${ADDRESSES[id]}']/port`, String(PORTS.analyticsHazelcast));
    }
    x.count(axis2, `${c}/members/member[hostName='${ADDRESSES['is-1']}']`, 0);
    const carbon = f('analytics-1', DAS_FILES.carbon);
    x.str(carbon, "/*[local-name()='Server']/*[local-name()='Ports']/*[local-name()='Offset']", String(PORTS.dasHttps - 9443));
    x.run();
  });

  it('runs the event processor in HA mode with this node\'s sync and management endpoints, persistence off', () => {
    const x = new XPathChecks(); // answered by xmllint at the end, one run per file
    const ep = f('analytics-1', DAS_FILES.eventProcessor);
    const mode = (n: string) => `/eventProcessorConfiguration/mode[@name='${n}']`;
    x.str(ep, `${mode('SingleNode')}/@enable`, 'false');
    x.str(ep, `${mode('HA')}/@enable`, 'true');
    x.str(ep, `${mode('Distributed')}/@enable`, 'false');
    x.count(ep, "/eventProcessorConfiguration/mode[@enable='true']", 1);
    x.str(ep, `${mode('HA')}/eventSync/hostName`, ADDRESSES['analytics-1']);
    x.str(ep, `${mode('HA')}/eventSync/port`, String(PORTS.dasEventSync));
    x.str(ep, `${mode('HA')}/management/hostName`, ADDRESSES['analytics-1']);
    x.str(ep, `${mode('HA')}/management/port`, String(PORTS.dasManagement));
    x.str(ep, `${mode('HA')}/presentation/port`, String(PORTS.dasPresentation));
    x.count(ep, `${mode('HA')}/persistence`, 1);
    x.str(ep, `${mode('HA')}/persistence/@enable`, 'false');
    x.str(ep, `${mode('HA')}/persistence/persister/@class`, FILE_SYSTEM_PERSISTENCE_STORE);
    x.run();
  });

  it('sets the embedded Spark masters and the common home link in spark-defaults.conf', () => {
    const lines = read(homes['analytics-1'], DAS_FILES.sparkDefaults).split('\n');
    expect(lines.filter((l) => l.startsWith('carbon.spark.master '))).toEqual(['carbon.spark.master local']);
    expect(lines.filter((l) => l.startsWith('carbon.spark.master.count'))).toEqual(['carbon.spark.master.count 2']);
    expect(lines.filter((l) => l.startsWith('carbon.das.symbolic.link'))).toEqual([`carbon.das.symbolic.link ${ANALYTICS_HOME_LINK}`]);
    // Every Spark port is pinned to the model's number, so the security groups can allow exactly them.
    const sparkPorts: [string, PortName][] = [
      ['spark.master.port', 'sparkMaster'],
      ['spark.master.webui.port', 'sparkUi'],
      ['spark.worker.port', 'sparkWorker'],
      ['spark.worker.webui.port', 'sparkWorkerUi'],
      ['spark.driver.port', 'sparkDriver'],
      ['spark.blockManager.port', 'sparkBlockManager'],
      ['spark.driver.blockManager.port', 'sparkDriverBlockManager'],
    ];
    for (const [key, port] of sparkPorts) {
      expect(lines.filter((l) => l.startsWith(`${key} `))).toEqual([`${key} ${PORTS[port]}`]);
    }
    expect(lines).toContain('spark.port.maxRetries 0');
    // The commented sample was taken over, not duplicated.
    expect(lines.filter((l) => l.includes('carbon.spark.master.count'))).toHaveLength(1);
  });

  it('keeps what the pattern does not touch', () => {
    const x = new XPathChecks(); // answered by xmllint at the end, one run per file
    const kept: [string, string[]][] = [
      [DAS_FILES.analyticsConf, ['<!-- Indexing stays untouched by the pattern -->', '<primaryRecordStore>EVENT_STORE</primaryRecordStore>', 'org.apache.lucene.analysis.standard.StandardAnalyzer']],
      [DAS_FILES.analyticsDatasources, ['<!-- A datasource the pattern does not touch: must survive. -->', '<name>FIXTURE_OTHER_DB</name>', 'RDBMSDataSourceReader']],
      [DAS_FILES.eventProcessor, ['<!-- HA Mode Config -->', '<!--Number of events that could be queued at receiver before they are synced-->', '<receiverQueueSize>1000000</receiverQueueSize>', '<tryStateChangeInterval>15000</tryStateChangeInterval>', '<presenter enable="false"/>']],
      [DAS_FILES.axis2, ['<!-- multicast or wka -->', '<parameter name="AvoidInitiation">true</parameter>', '<parameter name="hotdeployment">true</parameter>', '<groupManagement enable="false">', '<property name="subDomain" value="worker"/>']],
      [DAS_FILES.registry, ['<indexingConfiguration>', '<!--remoteInstance url="https://localhost:9443/registry">', '<?xml version="1.0" encoding="ISO-8859-1"?>']],
      [DAS_FILES.userMgt, ['<UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">', '<AdminRole>admin</AdminRole>']],
      [DAS_FILES.carbon, ['<RMIRegistryPort>9999</RMIRegistryPort>', '<HostName>localhost</HostName>']],
      [DAS_FILES.sparkDefaults, ['# Fixture shaped like DAS spark-defaults.conf\n', '\n# spark.executor.memory stays untouched\nspark.executor.memory 1g\n']],
    ];
    for (const [rel, snippets] of kept) {
      const out = read(homes['analytics-1'], rel);
      for (const s of snippets) expect({ rel, kept: out.includes(s) }).toEqual({ rel, kept: true });
    }
    // The SingleNode persistence block is the stock one, untouched.
    const ep = f('analytics-1', DAS_FILES.eventProcessor);
    x.str(ep, "/eventProcessorConfiguration/mode[@name='SingleNode']/persistence/persistenceIntervalInMinutes", '15');
    x.run();
  });

  it('is idempotent: applying again changes no byte', () => {
    for (const [id, cs] of [['analytics-1', cs1], ['analytics-2', cs2]] as const) {
      const before = snapshot(homes[id]);
      const report = applyChangeSet(homes[id], cs);
      expect(report.files.filter((x) => x.changed)).toEqual([]);
      expect(snapshot(homes[id])).toEqual(before);
    }
  });

  it('the two nodes differ exactly in localMemberHost and the event-sync / management hosts', () => {
    const x = new XPathChecks(); // answered by xmllint at the end, one run per file
    const diffs: string[] = [];
    for (const rel of Object.values(DAS_FILES)) {
      const a = read(homes['analytics-1'], rel).split('\n');
      const b = read(homes['analytics-2'], rel).split('\n');
      expect({ rel, lines: b.length }).toEqual({ rel, lines: a.length });
      a.forEach((line, i) => {
        if (line !== b[i]) diffs.push(`${rel}: ${line.trim()} -> ${b[i].trim()}`);
      });
    }
    const [h1, h2] = [ADDRESSES['analytics-1'], ADDRESSES['analytics-2']];
    expect(diffs).toEqual([
      `${DAS_FILES.axis2}: <parameter name="localMemberHost">${h1}</parameter> -> <parameter name="localMemberHost">${h2}</parameter>`,
      `${DAS_FILES.eventProcessor}: <hostName>${h1}</hostName> -> <hostName>${h2}</hostName>`,
      `${DAS_FILES.eventProcessor}: <hostName>${h1}</hostName> -> <hostName>${h2}</hostName>`,
    ]);
    const ep2 = f('analytics-2', DAS_FILES.eventProcessor);
    x.str(ep2, "/eventProcessorConfiguration/mode[@name='HA']/eventSync/hostName", h2);
    x.str(ep2, "/eventProcessorConfiguration/mode[@name='HA']/management/hostName", h2);
    x.run();
  });

  it('fails loudly, writing nothing, when an anchor is missing (a pack without the HA mode, a missing file)', () => {
    const home = freshHome('no-ha');
    const ep = path.join(home, DAS_FILES.eventProcessor);
    fs.writeFileSync(ep, fs.readFileSync(ep, 'utf8').replace(/<mode name="HA"[\s\S]*?<\/mode>/, ''));
    const before = snapshot(home);
    expect(() => applyChangeSet(home, cs1)).toThrow(/event-processor\.xml: setAttr \/eventProcessorConfiguration\/mode\[@name='HA'\].*no element matches/);
    expect(snapshot(home)).toEqual(before);

    const noSpark = freshHome('no-spark');
    fs.rmSync(path.join(noSpark, DAS_FILES.sparkDefaults));
    expect(() => applyChangeSet(noSpark, cs1)).toThrow(/spark-defaults\.conf: properties edit: file does not exist/);

    const otherRoot = freshHome('bad-root');
    fs.writeFileSync(path.join(otherRoot, DAS_FILES.analyticsConf), '<analytics-config/>\n');
    expect(() => applyChangeSet(otherRoot, cs1)).toThrow(/analytics-conf\.xml: upsertChild \/analytics-dataservice-configuration.*no element matches/);
  });
});

describe('the applier CLI and the node bundle apply the DAS change set', () => {
  let expected: Map<string, Buffer>;
  let payload: string;
  beforeAll(() => {
    const home = freshHome('in-process');
    applyChangeSet(home, cs1);
    expected = snapshot(home);
    payload = tmpFile('analytics-1.json', changeSetPayload(cs1));
  });

  it('cli.ts main(): same bytes as in process', () => {
    const home = freshHome('cli');
    const log: string[] = [];
    expect(applierMain(['apply', '--home', home, '--changes', payload], (l) => log.push(l))).toBe(0);
    expect(log).toContain(`changed ${DAS_FILES.sparkDefaults} (properties, 11 ops)`);
    expect(snapshot(home)).toEqual(expected);
  });

  it('the bundled applier run by node: same bytes, and a second run changes nothing', () => {
    const bundle = tmpFile('applier.js', applierBundle());
    const home = freshHome('bundle');
    const run = () => spawnSync(process.execPath, [bundle, 'apply', '--home', home, '--changes', payload], { encoding: 'utf8' });
    const r = run();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(snapshot(home)).toEqual(expected);
    const again = run();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`unchanged ${DAS_FILES.sparkDefaults} (properties, 11 ops)`);
    expect(snapshot(home)).toEqual(expected);
  });
});

