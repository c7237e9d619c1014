/**
 * Key material across a whole plan with the shipped product files (`--stock-is`/`--stock-analytics`):
 * after every node's change set is applied, no product file names the pack's wso2carbon.jks or keeps
 * `wso2carbon` as a keystore, truststore or key password; every store reference is ours; the IS
 * publishers send over ssl:// to the receivers' SSL port; every JDBC URL verifies the database
 * server (none says verifyServerCertificate=false); and two plans are byte-identical.
 * (Files the shared reference lacks, such as data-agent-config.xml and the analytics start scripts,
 * are covered by the renderer tests on our fixtures: is-apply, analytics-sp.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { REFERENCE_ANALYTICS, REFERENCE_IS, readTree, runPlanCli, sharedPlan } from './fixtures/plan/run-plan';
import type { NodeChangeSet } from '../config-templates/types';

let tmp: string;
const trees: Map<string, Buffer>[] = [];

/**
 * Two plans of dev with the shipped files: the one tests/plan.test.ts reads too (the run's plan
 * cache) and one more in another process, for the byte-identity check; the checks below read the
 * first.
 */
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'is-keystores-plan-'));
  const args = ['--stack', 'dev', '--stock-is', REFERENCE_IS, '--stock-analytics', REFERENCE_ANALYTICS];
  const shared = sharedPlan(args);
  const again = path.join(tmp, 'again');
  for (const r of [shared, runPlanCli([...args, '--out', again])]) {
    expect(r.stderr).not.toMatch(/^plan: /m);
    expect(r.status).toBe(0);
  }
  trees.push(readTree(shared.out), readTree(again));
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const NODES = ['is-1', 'is-2', 'analytics-1', 'analytics-2'];
const changeSet = (id: string) => JSON.parse(trees[0].get(`nodes/${id}/change-set.json`)!.toString('utf8')) as NodeChangeSet;

/** The patched product files of a node: the paths its change set touches that the plan wrote. */
function productFiles(id: string): [string, string][] {
  const paths = new Set(changeSet(id).changes.map((c) => c.path));
  return [...paths].filter((p) => trees[0].has(`nodes/${id}/${p}`)).map((p) => [p, trees[0].get(`nodes/${id}/${p}`)!.toString('utf8')]);
}

/** The text a product reads: XML comments, and YAML comments outside quotes, left out. */
function active(file: string, text: string): string {
  if (file.endsWith('.xml')) return text.replace(/<!--[\s\S]*?-->/g, '');
  if (file.endsWith('.yaml')) {
    return text
      .split('\n')
      .map((l) => {
        const unquoted = l.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, (q) => ' '.repeat(q.length));
        const m = /(^|\s)#/.exec(unquoted);
        return m ? l.slice(0, m.index) : l;
      })
      .join('\n');
  }
  return text;
}

test('two plans with the shipped files, in two processes, are byte-identical (plan.txt and cost.json included)', () => {
  expect([...trees[1].keys()]).toEqual([...trees[0].keys()]);
  for (const [f, b] of trees[0]) expect({ f, same: b.equals(trees[1].get(f)!) }).toEqual({ f, same: true });
});

test('every node has patched product files to check, including every file that names a store', () => {
  const names = (id: string) => productFiles(id).map(([p]) => p);
  for (const id of ['is-1', 'is-2']) {
    expect(names(id)).toEqual(
      expect.arrayContaining(['repository/conf/carbon.xml', 'repository/conf/tomcat/catalina-server.xml', 'repository/conf/identity/identity.xml']),
    );
  }
  for (const id of ['analytics-1', 'analytics-2']) expect(names(id)).toEqual(expect.arrayContaining(['conf/worker/deployment.yaml', 'conf/dashboard/deployment.yaml']));
});

test.each(NODES)('%s: no product file names wso2carbon.jks or keeps wso2carbon as a store or key password', (id) => {
  const offenders: string[] = [];
  for (const [p, text] of productFiles(id)) {
    const a = active(p, text);
    if (a.includes('wso2carbon.jks')) offenders.push(`${p}: wso2carbon.jks`);
    // XML store blocks (carbon.xml, identity.xml): Password / KeyPassword elements.
    if (/<(Key)?Password>\s*wso2carbon\s*</.test(a)) offenders.push(`${p}: <Password>wso2carbon`);
    // Connector attributes and YAML keys naming store or key passwords.
    if (/\b(keystorePass|keyPass|truststorePass)\s*=\s*"wso2carbon"/i.test(a)) offenders.push(`${p}: connector password`);
    if (/\b(keyStorePassword|trustStorePassword|certPass|keyStorePass)\s*:\s*['"]?wso2carbon\b/.test(a)) offenders.push(`${p}: yaml password`);
  }
  expect(offenders).toEqual([]);
});

test.each(NODES)('%s: the change set names wso2carbon.jks only as the stock text a start-script edit replaces', (id) => {
  for (const c of changeSet(id).changes) {
    const carried = c.kind === 'text' ? JSON.stringify(c.ops.map((o) => o.replace)) : JSON.stringify(c);
    expect({ path: c.path, names: carried.includes('wso2carbon.jks') }).toEqual({ path: c.path, names: false });
  }
});

test('IS: carbon.xml and the 9443 connector point at our stores; the publishers send over ssl:// to the SSL port of both receivers', () => {
  for (const id of ['is-1', 'is-2']) {
    const files = new Map(productFiles(id));
    const carbon = active('x.xml', files.get('repository/conf/carbon.xml')!);
    for (const s of ['primary.jks', 'internal.jks', 'client-truststore.jks']) expect(carbon).toContain(`\${carbon.home}/repository/resources/security/${s}`);
    // Secure Vault: no password, only the aliases (the ciphertexts are in cipher-text.properties).
    expect(carbon).not.toContain('@@SECRET:');
    for (const a of ['KeyStore.Password', 'KeyStore.KeyPassword', 'InternalKeyStore.Password', 'TrustStore.Password']) expect(carbon).toContain(`svns:secretAlias="Carbon.Security.${a}"`);
    // After boot, no IS product file holds a password: every placeholder left is encrypted by the
    // applier (vault in cipher-text.properties, cryptoutil in the publishers), none is filled in clear.
    for (const [p, text] of files) {
      const names = [...text.matchAll(/@@SECRET:([a-z_]+)(?:\|([a-z0-9]+))?@@/g)];
      const want = p === 'repository/conf/security/cipher-text.properties' ? 'vault' : p.includes('/eventpublishers/') ? 'cryptoutil' : undefined;
      for (const m of names) expect([p, m[0], m[2]]).toEqual([p, m[0], want]);
    }
    const cipherText = files.get('repository/conf/security/cipher-text.properties')!;
    for (const l of cipherText.split('\n').filter((x) => x && !x.startsWith('#'))) expect(l).toMatch(/^[A-Za-z0-9_.]+=@@SECRET:[a-z_]+\|vault@@$/);
    const cat = active('x.xml', files.get('repository/conf/tomcat/catalina-server.xml')!);
    expect(cat).toContain('keystoreFile="${carbon.home}/repository/resources/security/tls.jks"');
    expect(cat).toContain('sslEnabledProtocols="TLSv1.2"');
    expect(cat).not.toMatch(/TLSv1,|TLSv1\.1/);

    const pubs = [...files].filter(([p]) => p.includes('/eventpublishers/'));
    expect(pubs).toHaveLength(4);
    for (const [p, xml] of pubs) {
      const url = /<property name="receiverURL">([^<]*)<\/property>/.exec(xml)?.[1];
      const auth = /<property name="authenticatorURL">([^<]*)<\/property>/.exec(xml)?.[1];
      expect({ p, url }).toEqual({ p, url: expect.stringMatching(/^ssl:\/\/[^|:]+:7712\|ssl:\/\/[^|:]+:7712$/) });
      expect(auth).toBe(url);
    }
  }
});

test('analytics: listeners, receivers and agents use our stores with TLS 1.2 and no CBC suite', () => {
  type Y = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const id of ['analytics-1', 'analytics-2']) {
    const files = new Map(productFiles(id));
    for (const f of ['conf/worker/deployment.yaml', 'conf/dashboard/deployment.yaml']) {
      const doc = parse(files.get(f)!) as Y;
      for (const l of doc['wso2.transport.http'].listenerConfigurations as Y[]) {
        if (l.keyStoreFile) expect(l.keyStoreFile).toBe('${carbon.home}/resources/security/tls.jks');
      }
      expect(doc['databridge.config'].keyStoreLocation).toBe('${sys:carbon.home}/resources/security/tls.jks');
      for (const r of doc['databridge.config'].dataReceivers as Y[]) expect(r.dataReceiver.properties.sslEnabledProtocols).toBe('TLSv1.2');
      for (const a of doc['data.agent.config'].agents as Y[]) {
        expect(a.agentConfiguration.trustStorePath).toBe('${sys:carbon.home}/resources/security/client-truststore.jks');
        expect(a.agentConfiguration.sslEnabledProtocols).toBe('TLSv1.2');
        expect(a.agentConfiguration.ciphers).not.toMatch(/CBC/);
      }
    }
    expect(files.get('conf/pattern2-java.security')).toMatch(/^jdk\.tls\.disabledAlgorithms=.*TLSv1, TLSv1\.1,/m);
  }
});

test('JDBC: nothing in the plan says verifyServerCertificate=false; every MySQL URL verifies the server over TLS 1.2 (analytics: with their truststore)', () => {
  const urls: { node: string; file: string; url: string }[] = [];
  for (const [f, b] of trees[0]) {
    const text = b.toString('utf8');
    expect({ f, off: /verifyServerCertificate=false/.test(text) }).toEqual({ f, off: false });
    const node = /^nodes\/([^/]+)\//.exec(f)?.[1];
    if (!node || f.endsWith('change-set.json')) continue;
    for (const m of text.matchAll(/jdbc:mysql:\/\/[^\s<"']+/g)) urls.push({ node, file: f, url: m[0].replace(/&amp;/g, '&') });
  }
  // IS: master- and bps-datasources; analytics: worker and dashboard datasources.
  expect(new Set(urls.map((u) => u.node))).toEqual(new Set(NODES));
  for (const { node, file, url } of urls) {
    const params = new URLSearchParams(url.split('?')[1]);
    const want: Record<string, string> = { useSSL: 'true', requireSSL: 'true', verifyServerCertificate: 'true', enabledTLSProtocols: 'TLSv1.2' };
    if (node.startsWith('analytics')) {
      Object.assign(want, {
        trustCertificateKeyStoreUrl: 'file:${sys:carbon.home}/resources/security/client-truststore.jks',
        trustCertificateKeyStoreType: 'JKS',
        // Through the analytics Secure Vault (the placeholder became a ${sec:} reference).
        trustCertificateKeyStorePassword: '${sec:truststore_password.inline}',
      });
    }
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, params.get(k)]));
    expect({ file, got }).toEqual({ file, got: want });
  }
});
