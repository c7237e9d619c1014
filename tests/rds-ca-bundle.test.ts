/**
 * The shipped RDS CA bundle (assets/rds-ca): its SHA-256 is pinned here and in the applier, every
 * certificate is a CA with a usable alias, a tampered bundle is refused, and the bundled applier's
 * `keystores` command, given material naming the bundle (as EC2 stacks write it), builds a
 * truststore in which the JDK's keytool lists every RDS CA next to the deployment CA (system tier:
 * keytool; the test key material is the kept one of helpers/tls-mariadb.ts, made with openssl once
 * per machine).
 */
import { SpawnSyncReturns, spawnSync } from 'child_process';
import { createHash, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applierBundle } from '../applier/bundle';
import { main } from '../applier/cli';
import { CA_BUNDLES, caBundleCertificates, caBundlePem } from '../applier/ca-bundles';
import { KeystoreMaterial, parseKeystoreMaterial } from '../applier/keystore-material';
import { readJks, writeTrustedJks } from '../applier/jks';
import { KeytoolResult, keytoolBatch } from './helpers/keytool-batch';
import { keptCaAndLeaf } from './helpers/tls-mariadb';

jest.setTimeout(300_000);

/** The digest recorded in assets/rds-ca/README.md when the bundle was extracted. */
const PINNED = 'fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f';
const FILE = path.join(__dirname, '..', 'assets', 'rds-ca', 'rds-ca-bundle.pem');
const text = fs.readFileSync(FILE, 'utf8');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rds-ca-bundle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the bundle file has the pinned SHA-256, in the test, the applier and the README', () => {
  expect(createHash('sha256').update(fs.readFileSync(FILE)).digest('hex')).toBe(PINNED);
  expect(CA_BUNDLES.rds.sha256).toBe(PINNED);
  expect(fs.readFileSync(path.join(path.dirname(FILE), 'README.md'), 'utf8')).toContain(PINNED);
});

test('115 Amazon RDS CA certificates, each under a unique alias made of its CN; the 2024 RSA2048 G1 roots included', () => {
  const certs = caBundleCertificates('rds');
  expect(certs).toHaveLength(115);
  expect(new Set(certs.map((c) => c.alias)).size).toBe(115);
  for (const c of certs) {
    expect(c.alias).toMatch(/^amazon-rds-[a-z0-9-]+$/);
    expect(new X509Certificate(c.der).ca).toBe(true);
  }
  expect(certs.map((c) => c.alias)).toEqual(expect.arrayContaining(['amazon-rds-us-east-1-root-ca-rsa2048-g1', 'amazon-rds-eu-west-1-root-ca-rsa4096-g1', 'amazon-rds-us-east-1-root-ca-ecc384-g1']));
});

test('a bundle whose text differs from the pinned one by a byte is refused, every time, also after the pinned text was read', () => {
  const tampered = text.replace('MIIE', 'MIIF');
  expect(caBundleCertificates('rds', text)).toHaveLength(115);
  for (let i = 0; i < 2; i++) expect(() => caBundleCertificates('rds', tampered)).toThrow(/CA bundle rds: SHA-256 [0-9a-f]{64}, expected fefac91d/);
  expect(() => caBundlePem('rds', tampered)).toThrow(/CA bundle rds: SHA-256/);
  expect(caBundlePem('rds', text)).toBe(text);
});

test('each caller gets certificates of its own: changing one answer changes no later one', () => {
  const first = caBundleCertificates('rds');
  const der = Buffer.from(first[0].der);
  first[0].der.fill(0);
  first[0].alias = 'changed';
  first.pop();
  const again = caBundleCertificates('rds');
  expect(again).toHaveLength(115);
  expect(again[0].alias).toMatch(/^amazon-rds-/);
  expect(again[0].der.equals(der)).toBe(true);
});

/**
 * A CA standing for the deployment CA and a leaf it issued standing for a node's TLS key: the test
 * key material kept per machine (helpers/tls-mariadb.ts), made with openssl once, not per run.
 */
function keyMaterial(): { ca: { certPem: string }; leaf: { keyPem: string; certPem: string } } {
  const { caPem, leaf } = keptCaAndLeaf();
  return { ca: { certPem: caPem }, leaf };
}

test('the material names bundles it ships only; a named bundle adds its certificates to the truststore', () => {
  const { ca, leaf } = keyMaterial();
  const doc = (bundles: unknown) => ({ ...material(ca.certPem, leaf), trustedBundles: bundles });
  expect(() => parseKeystoreMaterial(doc(['cacerts']))).toThrow('keystore material: trustedBundles[0]: not a CA bundle this applier ships');
  const trusted = parseKeystoreMaterial(doc(['rds'])).stores.find((s) => s.kind === 'truststore')!.trusted;
  expect(trusted.map((t) => t.alias)).toEqual(['deployment-ca', ...caBundleCertificates('rds').map((c) => c.alias)]);
});

/** The store writeTrustedJks writes from the bundle's first three certificates (written once). */
const written = path.join(tmp, 'w.jks');
const writtenCerts = () => caBundleCertificates('rds').slice(0, 3);
/** The home the bundled applier's keystores command builds in, its truststore and the command. */
const home = path.join(tmp, 'home');
const truststore = path.join(home, 'resources/security/client-truststore.jks');
let applier: { run(): SpawnSyncReturns<string>; first: SpawnSyncReturns<string> } | undefined;

/** The bundled applier's `keystores` command, run once (`first`); `run` runs it again. */
function applied(): NonNullable<typeof applier> {
  if (!applier) {
    const { ca, leaf } = keyMaterial();
    const bundle = path.join(tmp, 'bin', 'applier.js');
    fs.mkdirSync(path.dirname(bundle));
    fs.writeFileSync(bundle, applierBundle());
    const materialFile = path.join(tmp, 'material.json');
    fs.writeFileSync(materialFile, JSON.stringify({ ...material(ca.certPem, leaf), trustedBundles: ['rds'] }), { mode: 0o600 });
    fs.mkdirSync(home);
    // Outside the repository: the bundle must carry the CA bundle itself.
    const run = () => spawnSync(process.execPath, [bundle, 'keystores', '--home', home, '--material', materialFile], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 240_000 });
    applier = { run, first: run() };
  }
  return applier;
}

let listed: { written: KeytoolResult; truststore: KeytoolResult; wrongPassword: KeytoolResult } | undefined;
/**
 * keytool's listings of the written store (its password, then another) and of the applier's
 * truststore (-v), all in one JVM (tests/helpers/keytool-batch.ts): a JVM start is most of a
 * listing's cost. The wrong password last, as keytool exits on it.
 */
function listings(): NonNullable<typeof listed> {
  if (!listed) {
    if (!fs.existsSync(written)) fs.writeFileSync(written, writeTrustedJks(writtenCerts(), 'store-pw-1'));
    applied();
    const [ok, trust, wrong] = keytoolBatch([
      ['-list', '-keystore', written, '-storetype', 'JKS', '-storepass:env', 'KT_PASS'],
      ['-list', '-v', '-keystore', truststore, '-storetype', 'JKS', '-storepass:env', 'KT_TRUST'],
      ['-list', '-keystore', written, '-storetype', 'JKS', '-storepass:env', 'KT_OTHER'],
    ], { KT_PASS: 'store-pw-1', KT_TRUST: 'trust-store-pw', KT_OTHER: 'another-pw' }, tmp);
    listed = { written: ok, truststore: trust, wrongPassword: wrong };
  }
  return listed;
}

test('writeTrustedJks writes a store keytool opens with its password (and refuses with another)', () => {
  const certs = writtenCerts();
  fs.writeFileSync(written, writeTrustedJks(certs, 'store-pw-1'));
  expect(readJks(fs.readFileSync(written), 'store-pw-1').map((e) => e.alias)).toEqual(certs.map((c) => c.alias));
  const { written: ok, wrongPassword: wrong } = listings();
  expect(ok.code).toBe(0);
  expect(ok.out).toContain('Your keystore contains 3 entries');
  expect(wrong.code).not.toBe(0);
});

function material(caPem: string, leaf: { keyPem: string; certPem: string }): KeystoreMaterial {
  return {
    caCertificate: caPem,
    trustedCertificates: [],
    keystores: [{ file: 'resources/security/tls.jks', storePassword: 'tls-store-pw', entries: [{ alias: 'tls', keyPassword: 'tls-store-pw', privateKey: leaf.keyPem, certificateChain: [leaf.certPem, caPem] }] }],
    truststore: { file: 'resources/security/client-truststore.jks', storePassword: 'trust-store-pw' },
  };
}

test('the bundled applier builds a truststore holding the deployment CA and every RDS CA (keytool -list), and leaves it alone the second time', () => {
  const { first, run } = applied();
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  const listed = listings().truststore;
  expect(listed.code).toBe(0);
  const aliases = [...listed.out.matchAll(/^Alias name: (.+)$/gm)].map((m) => m[1]).sort();
  const rds = caBundleCertificates('rds');
  expect(aliases).toEqual(['deployment-ca', ...rds.map((c) => c.alias)].sort());
  // Each alias holds its own certificate: keytool's SHA-256 fingerprint per entry.
  const fingerprints = new Map([...listed.out.matchAll(/^Alias name: (.+)$[\s\S]*?SHA256: ([0-9A-F:]+)$/gm)].map((m) => [m[1], m[2]]));
  for (const c of rds) expect(fingerprints.get(c.alias)).toBe(new X509Certificate(c.der).fingerprint256);
  const second = run();
  expect(second.status).toBe(0);
  expect(second.stdout).toMatch(/^keystores unchanged$/m);
});

test('the bundled applier writes the RDS bundle for db-init (ca-bundle rds --out FILE), byte for byte, and refuses an unknown name', () => {
  const applier = path.join(tmp, 'applier-ca.js');
  fs.writeFileSync(applier, applierBundle());
  const out = path.join(tmp, 'rds-ca.pem');
  const r = spawnSync('node', [applier, 'ca-bundle', 'rds', '--out', out], { encoding: 'utf8' });
  expect([r.status, r.stderr, r.stdout]).toEqual([0, '', `wrote CA bundle rds to ${out} (115 certificates)\n`]);
  expect(fs.readFileSync(out, 'utf8')).toBe(text);
  expect(fs.statSync(out).mode & 0o777).toBe(0o644);
  // The file openssl reads as the client's CA list: the first certificate parses.
  expect(new X509Certificate(fs.readFileSync(out)).ca).toBe(true);
  const bad = spawnSync('node', [applier, 'ca-bundle', 'nope', '--out', out], { encoding: 'utf8' });
  expect([bad.status, bad.stderr]).toEqual([1, expect.stringContaining('ca-bundle needs a bundle name (rds)')]);
  const noOut = spawnSync('node', [applier, 'ca-bundle', 'rds'], { encoding: 'utf8' });
  expect([noOut.status, noOut.stderr]).toEqual([1, expect.stringContaining('--out is required')]);
});

test('db-client (the EC2 databases step): the account\'s 0600 option file and the RDS bundle in one run; a secrets file without db_password writes neither', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'db-client-'));
  const secretsFile = path.join(dir, 'secrets.json');
  const options = path.join(dir, 'db.opts');
  const ca = path.join(dir, 'rds-ca.pem');
  const run = (argv: string[]) => {
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    try {
      const out: string[] = [];
      return { status: main(argv, (l) => out.push(l)), out, err: err.join('') };
    } finally {
      spy.mockRestore();
    }
  };
  const args = ['db-client', '--secrets-file', secretsFile, '--user', 'wso2', '--options', options, '--ca', 'rds', '--ca-out', ca];
  fs.writeFileSync(secretsFile, JSON.stringify({ db_password: ' a\\b"c\r\nd #x; y \n\n', admin_password: 'other' }));
  // Trailing line feeds dropped, as the db-init runner reads the password it gives the account.
  // mktemp's file, made looser here: the option file ends up 0600 whatever it was.
  fs.writeFileSync(options, '', { mode: 0o644 });
  const ok = run(args);
  expect([ok.status, ok.err]).toEqual([0, '']);
  expect(fs.readFileSync(options, 'utf8')).toBe('[client]\nuser=wso2\npassword=" a\\\\b\\"c\\r\\nd #x; y "\n');
  // Read back by MariaDB's own option-file parser: the password as the account has it.
  const parsed = spawnSync('my_print_defaults', [`--defaults-file=${options}`, 'client'], { encoding: 'utf8' });
  expect([parsed.status, parsed.stdout]).toEqual([0, '--user=wso2\n--password= a\\b"c\r\nd #x; y \n']);
  expect(fs.statSync(options).mode & 0o777).toBe(0o600);
  expect(fs.readFileSync(ca, 'utf8')).toBe(text);
  expect(fs.statSync(ca).mode & 0o777).toBe(0o644);
  fs.rmSync(options);
  fs.rmSync(ca);
  fs.writeFileSync(secretsFile, JSON.stringify({ admin_password: 'other' }));
  const missing = run(args);
  expect([missing.status, missing.err]).toEqual([1, `applier: secrets file ${secretsFile} has no "db_password"\n`]);
  expect([fs.existsSync(options), fs.existsSync(ca)]).toEqual([false, false]);
  fs.writeFileSync(secretsFile, JSON.stringify({ db_password: 'before\0after' }));
  const nul = run(args);
  expect([nul.status, nul.err]).toEqual([1, `applier: secrets file ${secretsFile}: "db_password" holds a NUL byte, which a client option file cannot carry\n`]);
  expect([fs.existsSync(options), fs.existsSync(ca)]).toEqual([false, false]);
  // Nothing left beside the files either (no temp file of the CA bundle).
  expect(fs.readdirSync(dir)).toEqual(['secrets.json']);
  const badCa = run(args.map((a) => (a === 'rds' ? 'nope' : a)));
  expect([badCa.status, badCa.err]).toEqual([1, expect.stringContaining('--ca needs a bundle name (rds)')]);
  expect(run(args.filter((a) => a !== '--user' && a !== 'wso2')).err).toContain('--user is required');
});
