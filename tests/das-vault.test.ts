/**
 * Carbon 4 Secure Vault on an applied DAS analytics home (`analytics.flavor: das`; stock-shaped
 * fixtures tests/fixtures/das), checked with the real JDK: every cipher-text.properties ciphertext
 * decrypts, as Secure Vault does (RSA/ECB/PKCS1Padding), with the node's internal key to the
 * original hostile password; every element the product resolves carries the literal `password` and
 * an alias cipher-text.properties holds; no file the change set touches holds a password in clear
 * except the ones docs/architecture.md "Secrets in clear on a node" lists for DAS; secret-conf
 * names the internal store; a second apply writes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { DAS_FILES, renderDasChangeSet } from '../config-templates/analytics-das';
import { DAS_VAULT, dasVaultEntries } from '../config-templates/das-vault';
import { CIPHER_TEXT_PROPERTIES, SECRET_CONF_PROPERTIES } from '../config-templates/is/vault';
import { DAS_STORES } from '../config-templates/keystores';
import { HOSTILE_PASSWORDS, STORE_PASSWORDS, VAULT_CERTIFICATES, VAULT_KEY_FILES } from './helpers/store-passwords';
import { testTopology } from './helpers/topology';
import { jdkDecrypter } from './helpers/vault-decrypt';
import { makeCa, makeLeaf } from './helpers/keymaterial';
import { main } from '../applier/cli';
import { KeystoreMaterial } from '../applier/keystore-material';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'das-vault-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Hostile in XML, shell, properties and JSON, with non-ASCII; the store passwords as generated (alphanumeric). */
const SECRETS = {
  ...HOSTILE_PASSWORDS,
  db_master_password: 'never-on-an-analytics-node',
  ...STORE_PASSWORDS,
  // What `apply --material` lends a DAS node: its internal certificate (the internal fixture key's).
  node_internal_certificate: VAULT_CERTIFICATES.internal_certificate,
};
const PASSWORDS = ['db_password', 'admin_password', 'db_master_password', ...Object.keys(STORE_PASSWORDS)] as (keyof typeof SECRETS)[];
const t = testTopology({ analyticsFlavor: 'das' });
const cs = renderDasChangeSet(t, 'analytics-1');
const jdk = jdkDecrypter(tmp, VAULT_CERTIFICATES.internal_certificate);

/**
 * The one clear secret docs/architecture.md lists for DAS files ("Secrets in clear on a node"): the
 * record stores' database password (IS Analytics 5.4.0's Spark executors read that file without
 * Secure Vault).
 */
const ALLOWED_CLEAR: { file: string; secret: keyof typeof SECRETS; context: RegExp }[] = [{ file: DAS_FILES.analyticsDatasources, secret: 'db_password', context: /<password>$/ }];

let home: string;
beforeAll(() => {
  jdk.compile();
  home = path.join(tmp, 'home');
  fs.cpSync(path.join(__dirname, 'fixtures', 'das'), home, { recursive: true });
  applyChangeSet(home, cs, { secrets: SECRETS });
}, 60_000);

const read = (rel: string) => fs.readFileSync(path.join(home, rel), 'utf8');
const cipherLines = () =>
  read(CIPHER_TEXT_PROPERTIES)
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);

test('cipher-text.properties (0600): one line per alias, each decrypting with RSA/ECB/PKCS1Padding under the internal key to its secret', () => {
  expect(fs.statSync(path.join(home, CIPHER_TEXT_PROPERTIES)).mode & 0o777).toBe(0o600);
  const lines = cipherLines();
  const entries = dasVaultEntries(t);
  expect(lines.map(([alias]) => alias)).toEqual(entries.map((e) => e.alias));
  for (const [, v] of lines) expect(v).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  expect(decrypted().home).toEqual(entries.map((e) => ({ plain: SECRETS[e.secret] })));
  // The pack's own plaintext entries (`alias=[wso2carbon]`) are gone with the file.
  expect(read(CIPHER_TEXT_PROPERTIES)).not.toContain('[');
}, 60_000);

test('the keystore passwords go to the internal store; the datasource aliases cover master-datasources.xml only', () => {
  const bySecret = Object.fromEntries(dasVaultEntries(t).map((e) => [e.alias, e.secret]));
  expect(bySecret['Carbon.Security.KeyStore.Password']).toBe('internal_keystore_password');
  expect(bySecret['Carbon.Security.KeyStore.KeyPassword']).toBe('internal_keystore_password');
  expect(bySecret['DataBridge.Config.keyStorePassword']).toBe('tls_keystore_password');
  const datasources = Object.keys(bySecret).filter((a) => a.startsWith('Datasources.'));
  const master = Object.values(t.db.datasources).filter((d) => d.definedIn === DAS_FILES.masterDatasources);
  expect(datasources).toEqual(master.map((d) => `Datasources.${d.name}.Configuration.Password`));
});

test('every vaulted element or attribute: the literal "password" and an alias cipher-text.properties holds; each alias used', () => {
  const aliases = new Set(cipherLines().map(([a]) => a));
  const used = new Set<string>();
  for (const rel of cs.changes.map((c) => c.path).filter((p) => p.endsWith('.xml'))) {
    const src = read(rel).replace(/<!--[\s\S]*?-->/g, '');
    for (const m of src.matchAll(/<([\w:-]+)\b([^>]*)\bsvns:secretAlias="([^"]*)"([^>]*)>([^<]*)/g)) {
      const [, , before, alias, after, text] = m;
      used.add(alias);
      expect({ rel, alias, known: aliases.has(alias) }).toEqual({ rel, alias, known: true });
      // An element's text, or the one password attribute of the element (catalina's keystorePass).
      const attr = /\bkeystorePass="([^"]*)"/.exec(before + after);
      expect({ rel, alias, value: attr ? attr[1] : text }).toEqual({ rel, alias, value: 'password' });
    }
    if (src.includes('svns:secretAlias')) expect({ rel, ns: /xmlns:svns="http:\/\/org\.wso2\.securevault\/configuration"/.test(src) }).toEqual({ rel, ns: true });
  }
  expect([...used].sort()).toEqual([...aliases].sort());
  expect(used).toContain(DAS_VAULT.dataBridgeKeystorePassword.alias);
});

test('no file the change set touches holds a password in clear (raw, XML-escaped or base64), but for the listed exceptions', () => {
  const forms = (v: string) => [v, v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'), Buffer.from(v).toString('base64')];
  const found: string[] = [];
  for (const rel of cs.changes.map((c) => c.path)) {
    const text = read(rel);
    for (const s of PASSWORDS) {
      for (const form of forms(SECRETS[s])) {
        for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) {
          const before = text.slice(Math.max(0, i - 40), i);
          if (ALLOWED_CLEAR.some((a) => a.file === rel && a.secret === s && a.context.test(before))) continue;
          found.push(`${rel}: ${s}`);
        }
      }
    }
  }
  expect(found).toEqual([]);
  // The JDBC URLs name no truststore password: Connector/J takes Carbon's javax.net.ssl.trustStore* (topology jdbcTrustParams).
  for (const rel of [DAS_FILES.masterDatasources, DAS_FILES.analyticsDatasources]) expect({ rel, trust: read(rel).includes('trustCertificateKeyStore') }).toEqual({ rel, trust: false });
  // The exceptions are real (the check sees them), and only in files the applier wrote 0600.
  for (const a of ALLOWED_CLEAR) {
    expect({ ...a, seen: read(a.file).includes(`<password>${forms(SECRETS[a.secret])[1]}</password>`) }).toEqual({ ...a, seen: true });
    expect(fs.statSync(path.join(home, a.file)).mode & 0o777).toBe(0o600);
  }
});

test('secret-conf.properties: the file repository, and the internal store (JKS, alias internal) as the vault key through password-tmp', () => {
  const props = Object.fromEntries(
    read(SECRET_CONF_PROPERTIES)
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(props).toMatchObject({
    secretRepositories: 'file',
    'secretRepositories.file.location': CIPHER_TEXT_PROPERTIES,
    'keystore.identity.location': DAS_STORES.internal.file,
    'keystore.identity.type': 'JKS',
    'keystore.identity.alias': DAS_STORES.internal.alias,
    'keystore.identity.store.secretProvider': 'org.wso2.carbon.securevault.DefaultSecretCallbackHandler',
    'keystore.identity.key.secretProvider': 'org.wso2.carbon.securevault.DefaultSecretCallbackHandler',
  });
});

test('a second apply on the applied home writes nothing', () => {
  const second = applyChangeSet(home, cs, { secrets: SECRETS });
  expect(second.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
});

test('without the node\'s internal certificate the apply refuses (and writes nothing), naming the value, not a secret', () => {
  const other = path.join(tmp, 'no-cert');
  fs.cpSync(path.join(__dirname, 'fixtures', 'das'), other, { recursive: true });
  const { node_internal_certificate: _, ...without } = SECRETS;
  expect(() => applyChangeSet(other, cs, { secrets: without })).toThrow(/vaultinternal filter needs "node_internal_certificate"/);
  expect(fs.existsSync(path.join(other, CIPHER_TEXT_PROPERTIES))).toBe(false);
});

/**
 * The node's own run (`apply --material` through the CLI's main, in-process) on a home of its own,
 * with key material made for it: made once, on the first test that needs it.
 */
let cli: { code: number; args: string[]; lines: string[]; internalKey: string; tlsKey: string } | undefined;
function cliRun() {
  if (cli) return cli;
  const dir = path.join(tmp, 'cli');
  const keys = path.join(dir, 'keys');
  fs.mkdirSync(keys, { recursive: true });
  fs.cpSync(path.join(__dirname, 'fixtures', 'das'), path.join(dir, 'home'), { recursive: true });
  const ca = makeCa(keys, 'ca', 'Test Deployment CA');
  const internal = makeLeaf(keys, ca, 'internal', { cn: 'analytics internal', type: 'rsa', form: 'pkcs8', sans: ['DNS:internal.invalid'], serial: 7 });
  const tls = makeLeaf(keys, ca, 'tls', { cn: 'analytics-1', type: 'rsa', form: 'pkcs8', sans: ['DNS:localhost'], serial: 8 });
  const entry = (alias: string, pw: string, leaf: { keyPem: string; certPem: string }) => ({ alias, keyPassword: pw, privateKey: leaf.keyPem, certificateChain: [leaf.certPem, ca.certPem] });
  const material: KeystoreMaterial = {
    caCertificate: ca.certPem,
    trustedCertificates: [],
    keystores: [
      { file: DAS_STORES.internal.file, storePassword: SECRETS.internal_keystore_password, entries: [entry('internal', SECRETS.internal_keystore_password, internal)] },
      { file: DAS_STORES.tls.file, storePassword: SECRETS.tls_keystore_password, entries: [entry('tls', SECRETS.tls_keystore_password, tls)] },
    ],
    truststore: { file: DAS_STORES.truststore.file, storePassword: SECRETS.truststore_password },
  };
  const { node_internal_certificate: _, ...secretsFile } = SECRETS;
  const file = (name: string, v: unknown) => {
    fs.writeFileSync(path.join(dir, name), typeof v === 'string' ? v : JSON.stringify(v), { mode: 0o600 });
    return path.join(dir, name);
  };
  const args = ['apply', '--home', path.join(dir, 'home'), '--changes', file('changes.json', cs), '--secrets-file', file('secrets.json', secretsFile)];
  const log: string[] = [];
  const code = main([...args, '--material', file('material.json', material)], (l) => log.push(l));
  const lines = fs
    .readFileSync(path.join(dir, 'home', CIPHER_TEXT_PROPERTIES), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.slice(l.indexOf('=') + 1));
  cli = { code, args, lines, internalKey: file('internal.key.pem', internal.keyPem), tlsKey: file('tls.key.pem', tls.keyPem) };
  return cli;
}

/**
 * Every decryption of the file in one JVM, made on the first test that reads one: the applied
 * home's cipher-text.properties under the internal fixture key; the CLI run's lines under its
 * material's internal key and its first line under the TLS key (which must not open it). Each
 * answer is its own job's.
 */
let answers: { home: ReturnType<typeof jdk.decryptEach>; cli: ReturnType<typeof jdk.decryptEach> } | undefined;
function decrypted() {
  if (answers) return answers;
  type Job = ['vault', string, string];
  const own: Job[] = cipherLines().map(([, v]): Job => ['vault', v, VAULT_KEY_FILES.internal]);
  const { lines, internalKey, tlsKey } = cliRun();
  const theirs: Job[] = [...lines.map((l): Job => ['vault', l, internalKey]), ['vault', lines[0], tlsKey]];
  const out = jdk.decryptEach([...own, ...theirs]);
  answers = { home: out.slice(0, own.length), cli: out.slice(own.length) };
  return answers;
}

test('apply --material, as the nodes run it, encrypts under the internal key of the node\'s own material (not another key)', () => {
  const { code } = cliRun();
  expect(code).toBe(0);
  // Every line under the internal key; the TLS key does not open them.
  const out = decrypted().cli;
  expect(out.slice(0, -1)).toEqual(dasVaultEntries(t).map((e) => ({ plain: SECRETS[e.secret] })));
  expect(out[out.length - 1]).toEqual({ error: expect.stringMatching(/^javax\.crypto\.BadPaddingException/) });
  // Without the material there is no internal certificate: the apply fails and says which value.
  const errors: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (errors.push(String(s)), true));
  try {
    expect(main(cliRun().args, () => undefined)).toBe(1);
  } finally {
    spy.mockRestore();
  }
  expect(errors.join('')).toMatch(/node_internal_certificate/);
}, 120_000);
