/**
 * The node's keystore step for real (system tier): the bundled applier's `keystores` command run
 * with plain `node` on key material made by openssl, the stores opened with the JDK's keytool and
 * used for TLS by a small Java program that loads them as Carbon does (tests/fixtures/java).
 */
import { execFileSync, spawnSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applierBundle } from '../applier/bundle';
import { KeystoreMaterial, parseKeystoreMaterial } from '../applier/keystore-material';
import { MARKER_NAME, prepareKeystores } from '../applier/keystores';
import { readJks, writeTrustedJks } from '../applier/jks';
import { SHELL_DIR } from '../config-templates/shell';
import { probeClasses } from './helpers/java-classes';
import { keytoolBatch } from './helpers/keytool-batch';
import { makeCa, makeLeaf, makeSelfSigned } from './helpers/keymaterial';

jest.setTimeout(300_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keystores-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SEC = 'repository/resources/security';
const PW = {
  primaryStore: 'Pr1mary-store-pw',
  primaryKey: 'Pr1mary-KEY-pw-differs',
  tlsStore: 'tls-store-and-key',
  trust: 'trust-store-pw',
};
const SECRETS = Object.values(PW);

const keys = path.join(tmp, 'keys');
fs.mkdirSync(keys);
const ca = makeCa(keys, 'ca', 'Test Deployment CA');
const otherCa = makeCa(keys, 'other-ca', 'Some Other CA');
const sans = ['DNS:localhost', 'IP:127.0.0.1', 'DNS:is.example.test'];
const primary = makeLeaf(keys, ca, 'primary', { cn: 'is.example.test', type: 'rsa', form: 'traditional', sans, serial: 2 });
const internal = makeLeaf(keys, ca, 'internal', { cn: 'internal', type: 'rsa', form: 'pkcs8', sans: ['DNS:localhost'], serial: 3 });
const tlsEc = makeLeaf(keys, ca, 'tls', { cn: 'analytics-1', type: 'ec', form: 'traditional', sans, serial: 4 });
const frontend = makeSelfSigned(keys, 'frontend', 'frontend.example.test');

function material(): KeystoreMaterial {
  return {
    caCertificate: ca.certPem,
    trustedCertificates: [{ alias: 'frontend', pem: frontend }],
    keystores: [
      {
        file: `${SEC}/primary.jks`,
        storePassword: PW.primaryStore,
        entries: [
          { alias: 'primary', keyPassword: PW.primaryKey, privateKey: primary.keyPem, certificateChain: [primary.certPem, ca.certPem] },
          { alias: 'internal', keyPassword: PW.primaryStore, privateKey: internal.keyPem, certificateChain: [internal.certPem, ca.certPem] },
        ],
      },
      {
        file: `${SEC}/tls.jks`,
        storePassword: PW.tlsStore,
        entries: [{ alias: 'tls', keyPassword: PW.tlsStore, privateKey: tlsEc.keyPem, certificateChain: [tlsEc.certPem, ca.certPem] }],
      },
    ],
    truststore: { file: `${SEC}/client-truststore.jks`, storePassword: PW.trust },
  };
}

// The bundle outside the repository: nothing to resolve from node_modules, no shell/ directory.
const BUNDLE = path.join(tmp, 'bin', 'applier.js');
fs.mkdirSync(path.dirname(BUNDLE));
fs.writeFileSync(BUNDLE, applierBundle());
// The applier's temp directories go here, so the test can see they are gone.
const TMPDIR = path.join(tmp, 'tmpdir');
fs.mkdirSync(TMPDIR);

function writeMaterial(name: string, m: unknown): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof m === 'string' ? m : JSON.stringify(m), { mode: 0o600 });
  return f;
}

function applier(home: string, materialFile: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BUNDLE, 'keystores', '--home', home, '--material', materialFile], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', TMPDIR, ...env },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Several runs of the bundle in one node process, for runs that only differ in their arguments: the
 * bundle's exported `main` (what `node applier.js ARGS` runs) once per argument list, each run's
 * exit code, logged lines and standard error captured apart, as a process of its own would give them.
 */
const BATCH = path.join(tmp, 'bin', 'batch.js');
fs.writeFileSync(
  BATCH,
  `const { main } = require(${JSON.stringify(BUNDLE)});
const runs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const write = process.stderr.write.bind(process.stderr);
const answers = runs.map((argv) => {
  let stderr = '';
  const logged = [];
  process.stderr.write = (s) => ((stderr += s), true);
  try {
    const code = main(argv, (line) => logged.push(line + '\\n'));
    return { code, stdout: logged.join(''), stderr };
  } finally {
    process.stderr.write = write;
  }
});
process.stdout.write(JSON.stringify(answers));
`,
);
function applierBatch(runs: string[][]): ReturnType<typeof applier>[] {
  const r = spawnSync(process.execPath, [BATCH], { input: JSON.stringify(runs), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', TMPDIR }, timeout: 240_000 });
  if (r.status !== 0 || r.stderr) throw new Error(`applier batch: exit ${r.status}: ${r.stdout}${r.stderr}`);
  const answers = JSON.parse(r.stdout) as ReturnType<typeof applier>[];
  if (answers.length !== runs.length) throw new Error(`applier batch: ${answers.length} answers for ${runs.length} runs`);
  return answers;
}

/**
 * keytool -list -v of each [store, password], all in one JVM (tests/helpers/keytool-batch.ts), the
 * passwords through the environment.
 */
function lists(stores: [string, string][]) {
  const env = Object.fromEntries(stores.map(([, pw], i) => [`KT_PASS_${i}`, pw]));
  return keytoolBatch(stores.map(([file], i) => ['-list', '-v', '-keystore', file, '-storetype', 'JKS', '-storepass:env', `KT_PASS_${i}`]), env, tmp);
}

/**
 * A product home whose stock truststore holds a `wso2carbon` certificate (password wso2carbon),
 * written by the applier's JKS writer (Java reads it as keytool's; no JVM to start for it).
 */
function stockHome(name: string): string {
  const home = path.join(tmp, name);
  fs.mkdirSync(path.join(home, SEC), { recursive: true });
  const certFile = path.join(keys, 'wso2carbon.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(keys, 'wso2carbon.key'),
    '-out', certFile, '-days', '30', '-subj', '/CN=localhost/O=WSO2'], { stdio: 'pipe' });
  const der = new X509Certificate(fs.readFileSync(certFile)).raw;
  fs.writeFileSync(path.join(home, SEC, 'client-truststore.jks'), writeTrustedJks([{ alias: 'wso2carbon', der }], 'wso2carbon'));
  return home;
}

/** inode and mtime of each file, to tell "not rewritten" apart from "rewritten with equal bytes". */
function identities(home: string, files: string[]): string[] {
  return files.map((f) => {
    const st = fs.statSync(path.join(home, f), { bigint: true });
    return `${f} ${st.ino} ${st.mtimeNs}`;
  });
}

const STORES = [`${SEC}/primary.jks`, `${SEC}/tls.jks`, `${SEC}/client-truststore.jks`];
const home = stockHome('home');
const materialFile = writeMaterial('material.json', material());

// Compiled once per jest run: the probe that uses the stores as Carbon does.
const classes = probeClasses(tmp);

/**
 * JVM options letting TLS 1.1 through the JDK's own floor (jdk.tls.disabledAlgorithms), as on an
 * older Java 8: then only the server's configured protocols refuse it.
 */
const permissive = path.join(tmp, 'permissive.security');
fs.writeFileSync(permissive, 'jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, NULL\n');
const JVM = ['-Djava.security.properties=' + permissive, '-cp', classes, 'TlsProbe'];

/**
 * The file's Java work in one JVM (TlsProbe session): each job a line of fields, the passwords in
 * the environment under the names the line gives; one answer per job, in order, as a single probe
 * would give it (code 0 for a key, a listening server or a handshake, else 2). Servers run on
 * threads of that JVM and end with it.
 */
function session(jobs: string[][], env: Record<string, string>) {
  const r = spawnSync('java', [...JVM, 'session'], { input: jobs.map((j) => j.join('\t')).join('\n') + '\n', encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  const lines = r.stdout.trim().split('\n');
  if (r.status !== 0 || lines.length !== jobs.length) throw new Error(`TlsProbe session: exit ${r.status}, ${jobs.length} jobs: ${r.stdout}${r.stderr}`);
  return lines.map((out) => ({ code: /^(key|port|handshake) /.test(out) ? 0 : 2, out }));
}

describe('shell/keystores.sh', () => {
  it('is shellcheck clean', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', path.join(SHELL_DIR, 'keystores.sh')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('node applier.js keystores, for real', () => {
  let first: ReturnType<typeof applier>;
  beforeAll(() => {
    first = applier(home, materialFile);
  });

  it('builds every store, logs names and aliases but no secret, leaves no temp directory', () => {
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toBe(
      `built ${SEC}/primary.jks (keystore: primary, internal)\n` +
        `built ${SEC}/tls.jks (keystore: tls)\n` +
        `built ${SEC}/client-truststore.jks (truststore: deployment-ca, frontend)\n` +
        'keystores rebuilt: no record of a previous build\n',
    );
    for (const s of SECRETS) expect(first.stdout).not.toContain(s);
    expect(fs.readdirSync(TMPDIR)).toEqual([]);
    for (const f of [...STORES, `${SEC}/${MARKER_NAME}`]) expect(fs.statSync(path.join(home, f)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(home, SEC, MARKER_NAME), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  /*
   * Java 8 (the nodes' JVM) is not installable here (Debian 12 has no openjdk-8 package), so the
   * stores are checked byte by byte against what every Java 8 JKS reader takes: magic FEEDFEED,
   * version 2, entries of tag 1 (private key) or 2 (trusted certificate) only, X.509 certificates,
   * each key an EncryptedPrivateKeyInfo under Sun's JKS key protector (OID 1.3.6.1.4.1.42.2.17.1.1,
   * the only one sun.security.provider.KeyProtector in Java 8 recovers), and the trailing SHA-1.
   */
  it('every store is a JKS version 2 file that Java 8 reads: key entries under the JKS key protector, X.509 certificates', () => {
    const JKS_KEY_PROTECTOR = Buffer.from('060a2b060104012a02110101', 'hex'); // OID 1.3.6.1.4.1.42.2.17.1.1
    for (const f of STORES) {
      const b = fs.readFileSync(path.join(home, f));
      let pos = 0;
      const u16 = () => b.readUInt16BE((pos += 2) - 2);
      const u32 = () => b.readUInt32BE((pos += 4) - 4);
      const skip = (n: number) => (pos += n);
      expect({ f, magic: u32().toString(16), version: u32() }).toEqual({ f, magic: 'feedfeed', version: 2 });
      const count = u32();
      expect(count).toBeGreaterThan(0);
      const tags: number[] = [];
      for (let i = 0; i < count; i++) {
        const tag = u32();
        tags.push(tag);
        skip(u16()); // alias
        skip(8); // date
        if (tag === 1) {
          const key = b.subarray(pos + 4, pos + 4 + b.readUInt32BE(pos));
          skip(4 + key.length);
          // EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }
          expect({ f, protector: key.indexOf(JKS_KEY_PROTECTOR) >= 0 && key.indexOf(JKS_KEY_PROTECTOR) <= 8 }).toEqual({ f, protector: true });
          const chain = u32();
          expect(chain).toBeGreaterThan(0);
          for (let c = 0; c < chain; c++) {
            expect(b.subarray(pos + 2, pos + 2 + b.readUInt16BE(pos)).toString()).toBe('X.509');
            skip(2 + b.readUInt16BE(pos));
            skip(u32()); // the DER certificate
          }
        } else {
          expect({ f, tag }).toEqual({ f, tag: 2 });
          expect(b.subarray(pos + 2, pos + 2 + b.readUInt16BE(pos)).toString()).toBe('X.509');
          skip(2 + b.readUInt16BE(pos));
          skip(u32()); // the DER certificate
        }
      }
      expect({ f, trailer: b.length - pos }).toEqual({ f, trailer: 20 });
      expect(tags.length).toBe(count);
    }
  });

  it('keytool -list -v opens every store with its password: the aliases, chains to the CA, nothing of wso2carbon', () => {
    const [p, t, tr, stockPw, keyPw] = lists([
      [path.join(home, SEC, 'primary.jks'), PW.primaryStore],
      [path.join(home, SEC, 'tls.jks'), PW.tlsStore],
      [path.join(home, SEC, 'client-truststore.jks'), PW.trust],
      [path.join(home, SEC, 'client-truststore.jks'), 'wso2carbon'],
      [path.join(home, SEC, 'primary.jks'), PW.primaryKey],
    ]);
    expect(p.code).toBe(0);
    expect(p.out).toContain('Keystore type: JKS');
    expect(p.out).toContain('Your keystore contains 2 entries');
    for (const alias of ['primary', 'internal']) {
      expect(p.out).toMatch(new RegExp(`Alias name: ${alias}\\n[^]*?Entry type: PrivateKeyEntry\\nCertificate chain length: 2\\n`));
    }
    expect(p.out).toMatch(/Certificate\[1\]:\nOwner: CN=is\.example\.test\nIssuer: CN=Test Deployment CA\n/);
    expect(p.out).toMatch(/Certificate\[2\]:\nOwner: CN=Test Deployment CA\nIssuer: CN=Test Deployment CA\n/);
    expect(p.out).toContain('DNSName: is.example.test');

    expect(t.code).toBe(0);
    expect(t.out).toContain('Your keystore contains 1 entry');
    expect(t.out).toMatch(/Alias name: tls\n[^]*?Entry type: PrivateKeyEntry\nCertificate chain length: 2\n/);
    expect(t.out).toContain('Subject Public Key Algorithm: 256-bit EC (secp256r1) key');

    expect(tr.code).toBe(0);
    expect(tr.out).toContain('Your keystore contains 2 entries');
    expect(tr.out).toMatch(/Alias name: deployment-ca\n[^]*?Entry type: trustedCertEntry\n\nOwner: CN=Test Deployment CA\n/);
    expect(tr.out).toMatch(/Alias name: frontend\n[^]*?Entry type: trustedCertEntry\n\nOwner: CN=frontend\.example\.test\n/);

    for (const out of [p.out, t.out, tr.out]) expect(out.toLowerCase()).not.toContain('wso2');
    // The stock password no longer opens the truststore, and a wrong one opens nothing.
    expect(stockPw.code).not.toBe(0);
    expect(keyPw.code).not.toBe(0);
  });

  // A truststore of another CA only, for the client that must be refused (written in-process by
  // the applier's JKS writer, which Java reads as keytool's: no JVM to start for it).
  const otherTrust = path.join(tmp, 'other-truststore.jks');

  const TLS_CASES: [string, string, string, string, string, string][] = [
    ['RSA', 'primary.jks', 'primary', PW.primaryStore, PW.primaryKey, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
    ['EC P-256', 'tls.jks', 'tls', PW.tlsStore, PW.tlsStore, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  ];
  /**
   * The key checks, then per TLS case a server and three clients' answers: a client trusting our
   * truststore (TLS 1.2), the same with TLS 1.1, a client of another CA. All in one JVM (each
   * server and each client with a TLS context of its own); made once, on the first test that
   * reads an answer.
   */
  let answers: { keys: ReturnType<typeof session>; handshakes: ReturnType<typeof session>[] } | undefined;
  function javaAnswers() {
    if (answers) return answers;
    fs.writeFileSync(otherTrust, writeTrustedJks([{ alias: 'other-ca', der: new X509Certificate(otherCa.certPem).raw }], 'trust-store-pw'));
    const primaryJks = path.join(home, SEC, 'primary.jks');
    const trust = path.join(home, SEC, 'client-truststore.jks');
    const checks = [
      ['check', primaryJks, 'primary', 'PRIMARY_STORE', 'PRIMARY_KEY'],
      ['check', primaryJks, 'internal', 'PRIMARY_STORE', 'PRIMARY_STORE'],
      ['check', primaryJks, 'primary', 'PRIMARY_STORE', 'PRIMARY_STORE'],
      ['check', path.join(home, SEC, 'tls.jks'), 'tls', 'TLS_STORE', 'TLS_STORE'],
    ];
    const tlsJobs = TLS_CASES.flatMap(([, file, alias], i) => [
      ['server', `s${i}`, path.join(home, SEC, file), alias, 'TLSv1.2', `S${i}_STORE`, `S${i}_KEY`],
      ['client', `s${i}`, trust, 'TLSv1.2', 'TRUST_PASS'],
      ['client', `s${i}`, trust, 'TLSv1.1', 'TRUST_PASS'],
      ['client', `s${i}`, otherTrust, 'TLSv1.2', 'OTHER_TRUST_PASS'],
    ]);
    const env: Record<string, string> = { PRIMARY_STORE: PW.primaryStore, PRIMARY_KEY: PW.primaryKey, TLS_STORE: PW.tlsStore, TRUST_PASS: PW.trust, OTHER_TRUST_PASS: 'trust-store-pw' };
    TLS_CASES.forEach(([, , , storePass, keyPass], i) => Object.assign(env, { [`S${i}_STORE`]: storePass, [`S${i}_KEY`]: keyPass }));
    const all = session([...checks, ...tlsJobs], env);
    const keys = all.slice(0, checks.length);
    const handshakes = TLS_CASES.map((_, i) => all.slice(checks.length + 4 * i, checks.length + 4 * i + 4));
    // Every server listened: its answer is its port.
    for (const [server] of handshakes) expect(server.out).toMatch(/^port \d+$/);
    answers = { keys, handshakes: handshakes.map((h) => h.slice(1)) };
    return answers;
  }

  it('keys load as Carbon loads them (JKS, alias, key password); the key password differs where the material says so', () => {
    const [primaryKey, internalKey, wrong, tlsKey] = javaAnswers().keys;
    expect(primaryKey).toEqual({ code: 0, out: 'key RSA chain 2' });
    expect(internalKey).toEqual({ code: 0, out: 'key RSA chain 2' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.out).toContain('UnrecoverableKeyException');
    expect(tlsKey).toEqual({ code: 0, out: 'key EC chain 2' });
  });

  it.each(TLS_CASES.map((c, i) => [...c, i] as const))('%s: TLS 1.2 handshake with a client trusting only our truststore; TLS 1.1 and a client of another CA refused', (_k, _file, _alias, _storePass, _keyPass, suite, i) => {
    const [ok, old, stranger] = javaAnswers().handshakes[i];
    expect(ok).toEqual({ code: 0, out: `handshake TLSv1.2 ${suite}` });
    expect(old.code).toBe(2);
    expect(old.out).toMatch(/^refused SSLHandshakeException/);
    expect(stranger.code).toBe(2);
    expect(stranger.out).toMatch(/^refused SSLHandshakeException: PKIX path building failed/);
  });

  it('a second run with the same material writes nothing', () => {
    const files = [...STORES, `${SEC}/${MARKER_NAME}`];
    const before = identities(home, files);
    // Re-serialized differently (indentation, PKCS#1 key given as is): the same material.
    const again = applier(home, writeMaterial('material-again.json', JSON.stringify(material(), null, 2)));
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toContain(`unchanged ${SEC}/primary.jks (keystore: primary, internal)`);
    expect(again.stdout).toMatch(/keystores unchanged\n$/);
    expect(identities(home, files)).toEqual(before);
  });

  it('changed material rebuilds; a missing or damaged store is rebuilt', () => {
    // A home as the first run left it (stores, marker), copied rather than built again.
    const h = path.join(tmp, 'change-home');
    fs.cpSync(home, h, { recursive: true });
    // (The applier's first phase, in-process: the copy is what the first run left, nothing to rebuild.)
    const check = fs.mkdtempSync(path.join(tmp, 'prepare-'));
    expect(prepareKeystores(h, parseKeystoreMaterial(material()), check)).toBeUndefined();
    fs.rmSync(check, { recursive: true, force: true });
    const before = identities(h, STORES);
    // Run as root, a replaced store keeps its owner (the product user); a new file takes its directory's.
    fs.chownSync(path.join(h, SEC, 'primary.jks'), 4321, 4321);
    fs.chownSync(path.join(h, SEC), 4322, 4322);
    const m = material();
    m.trustedCertificates = [];
    m.truststore.storePassword = 'new-trust-pw';
    // An entry dropped too: the two rebuilds below start one keytool fewer each.
    m.keystores[0].entries = m.keystores[0].entries.slice(0, 1);
    const changed = applier(h, writeMaterial('changed.json', m));
    expect([changed.code, changed.stderr]).toEqual([0, '']);
    expect(changed.stdout).toContain('keystores rebuilt: material changed');
    expect(identities(h, STORES)).not.toEqual(before);
    if (process.getuid?.() === 0) {
      expect(fs.statSync(path.join(h, SEC, 'primary.jks')).uid).toBe(4321);
      expect(fs.statSync(path.join(h, SEC, MARKER_NAME)).uid).toBe(4322);
      expect(fs.statSync(path.join(h, SEC, 'primary.jks')).mode & 0o777).toBe(0o600);
    }
    // (The new truststore is opened with keytool below, with the rebuilt stores: one JVM for all.)

    // A missing store is found by the applier's first phase (run in-process here: it starts no keytool)...
    fs.rmSync(path.join(h, SEC, 'tls.jks'));
    const work = fs.mkdtempSync(path.join(tmp, 'prepare-'));
    expect(prepareKeystores(h, parseKeystoreMaterial(m), work)).toBe(`${SEC}/tls.jks cannot be read (ENOENT)`);
    fs.rmSync(work, { recursive: true, force: true });
    // ...and with primary.jks damaged as well, one run of the applier rebuilds both.
    const p = path.join(h, SEC, 'primary.jks');
    const bytes = fs.readFileSync(p);
    bytes[bytes.length - 30] ^= 1;
    fs.writeFileSync(p, bytes);
    const damaged = applier(h, writeMaterial('changed.json', m));
    expect([damaged.code, damaged.stderr]).toEqual([0, '']);
    expect(damaged.stdout).toContain(`keystores rebuilt: ${SEC}/primary.jks does not open (wrong password or damaged)`);
    const [tr, rebuilt, oldPw] = lists([
      [path.join(h, SEC, 'client-truststore.jks'), 'new-trust-pw'],
      [p, PW.primaryStore],
      [path.join(h, SEC, 'client-truststore.jks'), PW.trust],
    ]);
    expect(tr.out).toContain('Your keystore contains 1 entry');
    expect(oldPw.code).not.toBe(0);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(/Your keystore contains 1 entry\n[^]*Alias name: primary\n/);
    expect(readJks(fs.readFileSync(path.join(h, SEC, 'tls.jks')), PW.tlsStore).map((e) => [e.alias, e.kind])).toEqual([['tls', 'key']]);
  });

  it('bad material fails with a clear one-line message naming no secret, and leaves the stores untouched', () => {
    const files = [...STORES, `${SEC}/${MARKER_NAME}`];
    const before = identities(home, files);
    const bytes = files.map((f) => fs.readFileSync(path.join(home, f)));
    const withEntry = (patch: Record<string, unknown>) => {
      const m = material();
      Object.assign(m.keystores[0].entries[0], patch);
      return m;
    };
    const noField = material() as unknown as Record<string, unknown>;
    delete noField.truststore;
    const cases: [unknown, RegExp][] = [
      ['{"caCertificate": "unterminated', /^applier: keystore material .*bad-0\.json is not valid JSON\n$/],
      [noField, /^applier: keystore material: document: missing field "truststore"\n$/],
      [withEntry({ privateKey: internal.keyPem }), /^applier: keystore material: keystores\[0\]\.entries\[0\]: the private key does not match certificateChain\[0\]\n$/],
      [withEntry({ privateKey: 'Pr1mary-KEY-pw-differs, not a key' }), /^applier: keystore material: keystores\[0\]\.entries\[0\]\.privateKey: not one PEM private key \(PRIVATE KEY \/ RSA PRIVATE KEY \/ EC PRIVATE KEY\)\n$/],
      [withEntry({ certificateChain: [primary.certPem, otherCa.certPem] }), /^applier: keystore material: keystores\[0\]\.entries\[0\]\.certificateChain: certificate 0 is not issued \(and signed\) by certificate 1\n$/],
      [withEntry({ keyPassword: 'short' }), /^applier: keystore material: keystores\[0\]\.entries\[0\]\.keyPassword: must be 6 to 128 printable ASCII characters\n$/],
      [{ ...material(), truststore: { file: '../x.jks', storePassword: PW.trust } }, /^applier: keystore material: truststore\.file: "\.\.\/x\.jks" must be a normalized relative path ending in \.jks\n$/],
    ];
    // One node process for the seven runs (each answer still its own: code, output, message).
    const runs = applierBatch(cases.map(([m], i) => ['keystores', '--home', home, '--material', writeMaterial(`bad-${i}.json`, m)]));
    cases.forEach(([, re], i) => {
      const r = runs[i];
      expect([r.code, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toMatch(re);
      for (const s of SECRETS) expect(r.stderr).not.toContain(s);
    });
    expect(identities(home, files)).toEqual(before);
    files.forEach((f, i) => expect(fs.readFileSync(path.join(home, f)).equals(bytes[i])).toBe(true));
  });

  it('without keytool: a clear message, the stores untouched, no temp directory left', () => {
    const m = material();
    m.truststore.storePassword = 'yet-another-pw';
    const before = identities(home, STORES);
    const r = applier(home, writeMaterial('no-keytool.json', m), { PATH: '/nonexistent' });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toBe(`applier: ${SEC}/primary.jks entry "primary": keytool failed: keytool not found: set JAVA_HOME or put the JDK's bin on PATH\n`);
    expect(identities(home, STORES)).toEqual(before);
    expect(fs.readdirSync(TMPDIR)).toEqual([]);
  });
});
