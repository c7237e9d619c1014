/**
 * The analytics Secure Vault end to end on the shipped IS Analytics 5.8.0 files, with real tools:
 * the change set applied to a copy of the stock home, our keystores step (the bundled applier,
 * keytool) building the node's JKS TLS store, the change set applied in one pass with the secrets
 * (the vault filters writing secrets.properties); then a JDK probe (tests/fixtures/java/AnalyticsVaultProbe.java) with
 * the master keys in its environment opens that store, decrypts every entry with
 * Cipher.getInstance("RSA") as the product's JKSBasedCipherProvider does, and resolves deployment.yaml
 * as carbon-config does (SnakeYAML re-dump, literal substitution, re-parse): every password reads
 * back as the hostile original. A second apply writes nothing.
 *
 * Filling: the applier's one-pass apply with the secret values and the TLS certificate, as on a node.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { applierBundle } from '../applier/bundle';
import { applyChangeSet } from '../applier/apply';
import { tlsCertificatePem } from '../applier/cli';
import { parseKeystoreMaterial } from '../applier/keystore-material';
import { X509Certificate } from 'crypto';
import type { KeystoreMaterial } from '../applier/keystore-material';
import { ANALYTICS_VAULT_FILTERS, analyticsVaultCipherText, yamlDoubleQuoted } from '../applier/analytics-vault';
import { renderSpChangeSet } from '../config-templates/analytics-sp';
import { masterKeysPath, secretsPropertiesPath, VAULT_STORE } from '../config-templates/analytics-vault';
import { SECRET_PLACEHOLDER_RE, secretPlaceholder } from '../topology';
import { probeClasses, SNAKEYAML } from './helpers/java-classes';
import { makeCa, makeLeaf } from './helpers/keymaterial';
import { testTopology } from './helpers/topology';

const REFERENCE = '/work/shared/reference/wso2is-analytics-5.8.0';
/** Every character the brief names, YAML-hostile `: ` and ` #`, `${...}`, non-ASCII (Latin-1, CJK, astral). */
const HOSTILE = `&<>"'$\\\`: #x ${'${sys:user.home}'} pässwörd-€-漢字-😀`;
const TLS_PW = 'TlsStorePw0123456789abcdefABCDEF';
const TRUST_PW = 'Trust-Pw_0123.456~789';
const SECRETS = { db_password: HOSTILE, admin_password: `adm ${HOSTILE}`, tls_keystore_password: TLS_PW, truststore_password: TRUST_PW };
const RUNTIMES = ['worker', 'dashboard'] as const;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-vault-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const home = path.join(tmp, 'home');
let classes = '';
const t = testTopology({ analyticsFlavor: 'sp' });
const cs = renderSpChangeSet(t, 'analytics-1');
let tlsCertPem = '';

/** The secret values the nodes' applier gets: the secrets file plus the TLS certificate from `apply --material`. */
const values = () => ({ ...SECRETS, tls_certificate: tlsCertPem });

beforeAll(() => {
  expect(fs.existsSync(SNAKEYAML)).toBe(true);
  classes = probeClasses(tmp);
  fs.cpSync(REFERENCE, home, { recursive: true });
  for (const s of ['wso2/worker/bin/carbon.sh', 'wso2/dashboard/bin/carbon.sh']) fs.cpSync(path.join(__dirname, 'fixtures', 'analytics', s), path.join(home, s));
  // The node's TLS store, built by our keystores step from key material (RSA, as keys.ts generates).
  const keys = path.join(tmp, 'keys');
  fs.mkdirSync(keys);
  const ca = makeCa(keys, 'ca', 'Test Deployment CA');
  const tls = makeLeaf(keys, ca, 'tls', { cn: 'analytics-1', type: 'rsa', form: 'pkcs8', sans: ['DNS:localhost'], serial: 5 });
  tlsCertPem = tls.certPem;
  const material: KeystoreMaterial = {
    caCertificate: ca.certPem,
    trustedCertificates: [],
    keystores: [{ file: VAULT_STORE.file, storePassword: TLS_PW, entries: [{ alias: 'tls', keyPassword: TLS_PW, privateKey: tls.keyPem, certificateChain: [tls.certPem, ca.certPem] }] }],
    truststore: { file: 'resources/security/client-truststore.jks', storePassword: TRUST_PW },
  };
  const bundle = path.join(tmp, 'applier.js');
  fs.writeFileSync(bundle, applierBundle());
  fs.writeFileSync(path.join(tmp, 'material.json'), JSON.stringify(material), { mode: 0o600 });
  const k = spawnSync(process.execPath, [bundle, 'keystores', '--home', home, '--material', path.join(tmp, 'material.json')], { encoding: 'utf8', timeout: 120_000 });
  expect({ status: k.status, err: k.stderr }).toMatchObject({ status: 0 });
  // The one-pass apply the nodes run: every placeholder filled in memory, the vault filters included.
  applyChangeSet(home, cs, { secrets: values() });
}, 180_000);

type Y = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A probe run: its exit status and output, as one `java AnalyticsVaultProbe ...` would give them. */
interface ProbeRun {
  status: number;
  stdout: string;
  stderr: string;
}
/** The master keys of the runs: the node's, and the pack's (which must not open our store). */
const MASTER_KEYS = { ours: { keyStorePassword: TLS_PW, privateKeyPassword: TLS_PW }, pack: { keyStorePassword: 'wso2carbon', privateKeyPassword: 'wso2carbon' } };
let runs: Record<keyof typeof MASTER_KEYS, Map<string, ProbeRun>> | undefined;

/**
 * The runtime's configuration as the product resolves it (the probe's output), with the master
 * keys `keys` in the probe's environment: every runtime under both sets of keys in one JVM
 * (tests/fixtures/java/MainBatch.java, each run with its own environment), each answer its own.
 */
function resolved(runtime: (typeof RUNTIMES)[number], keys: keyof typeof MASTER_KEYS = 'ours'): ProbeRun {
  if (!runs) {
    const sets = Object.keys(MASTER_KEYS) as (keyof typeof MASTER_KEYS)[];
    const env: Record<string, string> = {};
    const jobs = sets.flatMap((set) => {
      Object.assign(env, { [`${set}_store`]: MASTER_KEYS[set].keyStorePassword, [`${set}_key`]: MASTER_KEYS[set].privateKeyPassword });
      const from = `keyStorePassword=${set}_store,privateKeyPassword=${set}_key`;
      return RUNTIMES.map((rt) => [from, path.join(home, VAULT_STORE.file), 'tls', path.join(home, secretsPropertiesPath(rt)), path.join(home, `conf/${rt}/deployment.yaml`)]);
    });
    const r = spawnSync('java', ['--add-opens', 'java.base/java.util=ALL-UNNAMED', '-cp', `${classes}:${SNAKEYAML}`, 'MainBatch', '--env', 'AnalyticsVaultProbe'], {
      input: jobs.map((a) => a.join('\t')).join('\n') + '\n',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
      timeout: 60_000,
    });
    const answers = r.stdout.split('\n').filter(Boolean);
    if (r.status !== 0 || answers.length !== jobs.length) throw new Error(`MainBatch AnalyticsVaultProbe: exit ${r.status}: ${r.stdout}${r.stderr}`);
    const b64 = (s = '') => Buffer.from(s, 'base64').toString('utf8');
    const runOf = (answer: string): ProbeRun => {
      const [state, out, thrown] = answer.split(' ');
      // An exception out of main: what the java launcher reports, and its exit status.
      return state === 'ok' ? { status: 0, stdout: b64(out), stderr: r.stderr } : { status: 1, stdout: b64(out), stderr: `Exception in thread "main" ${b64(thrown)}\n${r.stderr}` };
    };
    runs = Object.fromEntries(sets.map((set, s) => [set, new Map(RUNTIMES.map((rt, i) => [rt, runOf(answers[s * RUNTIMES.length + i])]))])) as Record<keyof typeof MASTER_KEYS, Map<string, ProbeRun>>;
  }
  return runs![keys].get(runtime)!;
}

describe.each(RUNTIMES)('%s', (runtime) => {
  let doc: Y;
  beforeAll(() => {
    const r = resolved(runtime);
    expect({ status: r.status, err: r.stderr }).toEqual({ status: 0, err: '' });
    doc = parse(r.stdout) as Y;
  }, 60_000);

  it('every password resolves, through the vault, to the hostile original', () => {
    const mysql = (doc['wso2.datasources'].dataSources as Y[]).filter((d) => String(d.definition.configuration.jdbcUrl).startsWith('jdbc:mysql:'));
    expect(mysql.length).toBe(3);
    for (const d of mysql) {
      expect(d.definition.configuration.password).toBe(HOSTILE);
      // The truststore password inside the JDBC URL: an inline reference, resolved in place.
      expect(d.definition.configuration.jdbcUrl).toContain(`&trustCertificateKeyStorePassword=${TRUST_PW}`);
      expect(d.definition.configuration.jdbcUrl).toMatch(/verifyServerCertificate=true/);
    }
    const admin = doc['auth.configs'].userManager.userStore.users[0].user.password;
    expect(Buffer.from(admin, 'base64').toString('utf8')).toBe(SECRETS.admin_password);
    expect(doc['databridge.config'].keyStorePassword).toBe(TLS_PW);
    for (const a of doc['data.agent.config'].agents as Y[]) expect(a.agentConfiguration.trustStorePassword).toBe(TRUST_PW);
    const listeners = doc['wso2.transport.http'].listenerConfigurations as Y[];
    expect(listeners.filter((l) => l.keyStorePassword === TLS_PW && l.certPass === TLS_PW)).toHaveLength(1);
    if (runtime === 'dashboard') {
      expect(doc['wso2.status.dashboard'].workerAccessCredentials.password).toBe(SECRETS.admin_password);
      expect(doc['wso2.business.rules.manager'].password).toBe(SECRETS.admin_password);
    }
  });

  it('no password in clear on disk: deployment.yaml holds only vault references, secrets.properties only ciphertext', () => {
    const yamlText = fs.readFileSync(path.join(home, `conf/${runtime}/deployment.yaml`), 'utf8');
    const props = fs.readFileSync(path.join(home, secretsPropertiesPath(runtime)), 'utf8');
    const masterKeys = fs.readFileSync(path.join(home, masterKeysPath(runtime)), 'utf8');
    for (const text of [yamlText, props, masterKeys]) {
      for (const v of [...Object.values(SECRETS), yamlDoubleQuoted(HOSTILE), Buffer.from(SECRETS.admin_password).toString('base64'), 'd3NvMmNhcmJvbg']) expect(text).not.toContain(v);
      expect(text).not.toMatch(/@@SECRET:/);
    }
    expect(yamlText).toMatch(/\$\{sec:db_password\}/);
    expect(fs.statSync(path.join(home, secretsPropertiesPath(runtime))).mode & 0o777).toBe(0o600);
  });

  it('the pack password is left only on the embedded H2 databases we do not set', () => {
    const hits: string[] = [];
    const walk = (v: unknown, at: string[]): void => {
      if (v === 'wso2carbon') hits.push(at.join('/'));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    };
    walk(doc, []);
    const h2 = (doc['wso2.datasources'].dataSources as Y[]).flatMap((d, i) => (String(d.definition.configuration.jdbcUrl).startsWith('jdbc:h2:') ? [i] : []));
    for (const h of hits) expect(h).toMatch(new RegExp(`^wso2\\.datasources/dataSources/(${h2.join('|')})/definition/configuration/(password|username)$`));
  });

  it('without the master keys in the environment the store does not open', () => {
    const r = resolved(runtime, 'pack');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/password was incorrect|tampered/i);
  }, 60_000);
});

it('the same certificate, plaintext and seed give the same ciphertext, and a re-apply writes nothing', () => {
  expect(analyticsVaultCipherText('vaultyaml', HOSTILE, 'db_password', tlsCertPem, TLS_PW)).toBe(analyticsVaultCipherText('vaultyaml', HOSTILE, 'db_password', tlsCertPem, TLS_PW));
  const before = RUNTIMES.map((r) => fs.statSync(path.join(home, secretsPropertiesPath(r)), { bigint: true }));
  const report = applyChangeSet(home, renderSpChangeSet(t, 'analytics-1'), { secrets: values() });
  expect(report.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
  const after = RUNTIMES.map((r) => fs.statSync(path.join(home, secretsPropertiesPath(r)), { bigint: true }));
  expect(after.map((st) => `${st.ino} ${st.mtimeNs}`)).toEqual(before.map((st) => `${st.ino} ${st.mtimeNs}`));
});

it('apply --material lends the TLS key\'s certificate (public) to the values, as the PEM the material carries', () => {
  const m = parseKeystoreMaterial(JSON.parse(fs.readFileSync(path.join(tmp, 'material.json'), 'utf8')));
  const pem = tlsCertificatePem(m)!;
  expect(new X509Certificate(pem).fingerprint256).toBe(new X509Certificate(tlsCertPem).fingerprint256);
  expect(pem).not.toMatch(/PRIVATE/);
  expect(tlsCertificatePem({ stores: m.stores.map((st) => ({ ...st, keys: st.keys.map((k) => ({ ...k, alias: 'other' })) })) })).toBeUndefined();
});

it('a vault filter without the TLS certificate in the values fails, naming the file and the value missing', () => {
  expect(() => ANALYTICS_VAULT_FILTERS.vaultyaml('pw', 'conf/worker/secrets.properties', { tls_keystore_password: TLS_PW })).toThrow(
    /conf\/worker\/secrets\.properties: the vaultyaml filter needs "tls_certificate"/,
  );
});

it('an inline secret outside the safe alphabet is refused without showing it', () => {
  expect(() => analyticsVaultCipherText('vaultinline', 'a&b', 'truststore_password', tlsCertPem, TLS_PW)).toThrow(/truststore_password.*only letters/);
  expect(() => analyticsVaultCipherText('vaultinline', 'a&b', 'truststore_password', tlsCertPem, TLS_PW)).not.toThrow(/a&b/);
  expect(secretPlaceholder('db_password')).toMatch(new RegExp(SECRET_PLACEHOLDER_RE.source));
});
