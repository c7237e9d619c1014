/**
 * applier/vault-crypto.ts against the real JDK: every ciphertext decrypts with the private key and
 * exactly the transformations IS 5.8 uses (Secure Vault: RSA/ECB/PKCS1Padding; CryptoUtil:
 * RSA/ECB/OAEPWithSHA1AndMGF1Padding inside the CipherHolder JSON), for 2048/3072/4096-bit keys
 * and a hostile password; the padding is deterministic per (certificate, plaintext, seed). The keys
 * are fixed fixtures (tests/fixtures/vault-keys); every ciphertext is decrypted by one JVM.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cryptoUtilEncrypt, secureVaultEncrypt } from '../applier/vault-crypto';
import { probeClasses } from './helpers/java-classes';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-crypto-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every character the brief names, an XML/shell/properties hostile mix and non-ASCII (Latin-1, CJK, astral). */
export const HOSTILE = `&<>"'$\\\`=:#!\t pässwörd-€-漢字-😀 %s{x}`;

interface Key { bits: number; keyFile: string; certFile: string; certPem: string }
const KEY_DIR = path.join(__dirname, 'fixtures', 'vault-keys');
const keys: Key[] = [2048, 3072, 4096].map((bits) => {
  const certFile = path.join(KEY_DIR, `k${bits}.cert.pem`);
  return { bits, keyFile: path.join(KEY_DIR, `k${bits}.key.pem`), certFile, certPem: fs.readFileSync(certFile, 'utf8') };
});

type Mode = 'vault' | 'cryptoutil';
let classes = '';
/** Per mode and key size: the ciphertexts of PLAINS (made in beforeAll) and what the JDK made of them. */
const made: Record<Mode, Record<number, { cts: string[]; decrypted: string[] }>> = { vault: {}, cryptoutil: {} };
beforeAll(() => {
  classes = probeClasses(tmp);
  const jobs: { mode: Mode; key: Key; ct: string }[] = [];
  for (const key of keys) {
    made.vault[key.bits] = { cts: PLAINS.map((p) => secureVaultEncrypt(key.certPem, p, 'store-pass')), decrypted: [] };
    made.cryptoutil[key.bits] = { cts: PLAINS.map((p) => cryptoUtilEncrypt(key.certPem, p, 'internal-pass')), decrypted: [] };
    for (const mode of ['vault', 'cryptoutil'] as const) for (const ct of made[mode][key.bits].cts) jobs.push({ mode, key, ct });
  }
  const out = jdkDecryptBatch(classes, jobs.map((j) => [j.mode, j.key.keyFile, j.key.certFile, j.ct]));
  jobs.forEach((j, i) => made[j.mode][j.key.bits].decrypted.push(out[i]));
}, 120_000);

/**
 * Decrypts many [mode, key file, certificate file, ciphertext] in one JVM; per job the plaintext
 * (UTF-8), or the JDK's `error <exception>` line.
 */
function jdkDecryptBatch(classDir: string, jobs: [Mode, string, string, string][]): string[] {
  const r = spawnSync('java', ['-cp', classDir, 'VaultDecrypt', 'batch'], { input: jobs.map((j) => j.join('\t')).join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`VaultDecrypt batch: ${r.stdout} ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== jobs.length) throw new Error(`VaultDecrypt batch: ${jobs.length} jobs, ${lines.length} answers: ${r.stdout} ${r.stderr}`);
  return lines.map((l) => (l.startsWith('error ') ? l : Buffer.from(l, 'base64').toString('utf8')));
}

/** Decrypts each ciphertext with the JDK; returns the plaintexts (UTF-8). */
export function jdkDecrypt(classDir: string, mode: 'vault' | 'cryptoutil', keyFile: string, certFile: string, ciphertexts: string[]): string[] {
  const r = spawnSync('java', ['-cp', classDir, 'VaultDecrypt', mode, keyFile, certFile], { input: ciphertexts.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`VaultDecrypt ${mode}: ${r.stdout} ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => Buffer.from(l, 'base64').toString('utf8'));
}

const PLAINS = [HOSTILE, 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z', 'x'];

test.each([2048, 3072, 4096])('Secure Vault ciphertexts decrypt with RSA/ECB/PKCS1Padding (%i-bit key)', (bits) => {
  const { cts, decrypted } = made.vault[bits];
  for (const ct of cts) {
    expect(ct).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(ct, 'base64').length).toBe(bits / 8);
  }
  expect(decrypted).toEqual(PLAINS);
});

test.each([2048, 3072, 4096])('CryptoUtil self-contained ciphertexts decrypt with RSA/ECB/OAEPWithSHA1AndMGF1Padding (%i-bit key)', (bits) => {
  expect(made.cryptoutil[bits].decrypted).toEqual(PLAINS);
});

test('the CryptoUtil JSON is what Gson writes for CipherHolder: c, t, tp, tpd in that order, "=" as \\u003d', () => {
  const k = keys[0];
  const json = Buffer.from(cryptoUtilEncrypt(k.certPem, HOSTILE, 's'), 'base64').toString('utf8');
  const thumb = execFileSync('openssl', ['x509', '-in', k.certFile, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' })
    .trim().replace(/^.*=/, '').replace(/:/g, '');
  expect(json).toMatch(new RegExp(`^\\{"c":"[A-Za-z0-9+/]+(\\\\u003d){0,2}","t":"RSA/ECB/OAEPwithSHA1andMGF1Padding","tp":"${thumb}","tpd":"SHA-1"\\}$`));
  expect(json).not.toContain('=');
  // A 2048-bit ciphertext is 256 bytes: base64 ends in one '=' -> Gson's \u003d.
  expect(json).toContain('\\u003d"');
});

test('deterministic: same inputs give the same bytes; another seed, plaintext or key gives others', () => {
  const [a, b] = keys;
  for (const f of [secureVaultEncrypt, cryptoUtilEncrypt]) {
    const one = f(a.certPem, HOSTILE, 'seed-1');
    expect(f(a.certPem, HOSTILE, 'seed-1')).toBe(one);
    expect(f(a.certPem, HOSTILE, 'seed-2')).not.toBe(one);
    expect(f(a.certPem, HOSTILE + 'x', 'seed-1')).not.toBe(one);
    expect(f(b.certPem, HOSTILE, 'seed-1')).not.toBe(one);
  }
});

test('refuses what the products could not decrypt, naming no value', () => {
  const k = keys[0];
  expect(() => secureVaultEncrypt(k.certPem, 'x'.repeat(246), 's')).toThrow(/too long for RSA PKCS#1 v1.5 with a 2048-bit key/);
  expect(secureVaultEncrypt(k.certPem, 'x'.repeat(245), 's')).toBeTruthy();
  expect(() => cryptoUtilEncrypt(k.certPem, 'x'.repeat(215), 's')).toThrow(/too long for RSA OAEP-SHA1/);
  expect(() => secureVaultEncrypt(k.certPem, 'x', '')).toThrow(/empty seed/);
  const ecKey = path.join(tmp, 'ec.key');
  const ecCert = path.join(tmp, 'ec.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ecKey], { stdio: 'pipe' });
  execFileSync('openssl', ['req', '-x509', '-new', '-key', ecKey, '-out', ecCert, '-days', '30', '-subj', '/CN=ec'], { stdio: 'pipe' });
  expect(() => secureVaultEncrypt(fs.readFileSync(ecCert, 'utf8'), 'x', 's')).toThrow(/not RSA/);
  expect(() => cryptoUtilEncrypt('nope', 'x', 's')).toThrow(/not a PEM certificate/);
});
