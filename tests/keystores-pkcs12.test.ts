/**
 * The PKCS#12 writer (applier/pkcs12.ts) and the JKS reader (applier/jks.ts): known answers for
 * the key derivation and DER, and the real readers — openssl and keytool — on what is written.
 */
import { spawnSync } from 'child_process';
import { createPrivateKey, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readJks } from '../applier/jks';
import { buildPkcs12, derInt, oid, pkcs12Kdf } from '../applier/pkcs12';
import { keytoolBatch } from './helpers/keytool-batch';
import { makeCa, makeLeaf } from './helpers/keymaterial';

jest.setTimeout(120_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pkcs12-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ca = makeCa(tmp, 'ca', 'P12 Test CA');
const rsa = makeLeaf(tmp, ca, 'rsa', { cn: 'rsa.example.test', type: 'rsa', form: 'traditional', sans: ['DNS:rsa.example.test'], serial: 2 });
const ec = makeLeaf(tmp, ca, 'ec', { cn: 'ec.example.test', type: 'ec', form: 'pkcs8', sans: ['DNS:ec.example.test'], serial: 3 });
const der = (pem: string) => new X509Certificate(pem).raw;
const pkcs8 = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }) as Buffer;
const PASSWORD = 'one-off-Pa55word';

function p12(name: string, leaf: { keyPem: string; certPem: string }, alias: string): string {
  const f = path.join(tmp, `${name}.p12`);
  fs.writeFileSync(f, buildPkcs12({ privateKeyPkcs8: pkcs8(leaf.keyPem), certificates: [der(leaf.certPem), der(ca.certPem)], alias, password: PASSWORD }));
  return f;
}

function openssl(args: string[]) {
  const r = spawnSync('openssl', args, { encoding: 'utf8', env: { ...process.env, P12_PASS: PASSWORD } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('building blocks', () => {
  // Dr Stephen Henson's PKCS#12 test vectors (drh-consultancy test.txt), as used by OpenSSL and Bouncy Castle.
  it.each([
    ['smeg', '0A58CF64530D823F', 1, 1, 24, '8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3'],
    ['smeg', '0A58CF64530D823F', 1, 2, 8, '79993DFE048D3B76'],
    ['smeg', '642B99AB44FB4B1F', 1, 1, 24, 'F3A95FEC48D7711E985CFE67908C5AB79FA3D7C5CAA5D966'],
    ['queeg', '1682C0FC5B3F7EC5', 1000, 1, 24, '483DD6E919D7DE2E8E648BA8F862F3FBFBDC2BCB2C02957F'],
    ['queeg', '1682C0FC5B3F7EC5', 1000, 2, 8, '9D461D1B00355C50'],
    ['smeg', '3D83C0E4546AC140', 1, 3, 20, '8D967D88F6CAA9D714800AB3D48051D63F73A312'],
  ] as [string, string, number, 1 | 2 | 3, number, string][])('KDF %s salt %s iter %d id %d', (pw, salt, iter, id, n, want) => {
    expect(pkcs12Kdf(pw, Buffer.from(salt, 'hex'), iter, id, n).toString('hex').toUpperCase()).toBe(want);
  });

  it('DER INTEGER and OID encodings', () => {
    expect(derInt(0).toString('hex')).toBe('020100');
    expect(derInt(127).toString('hex')).toBe('02017f');
    expect(derInt(128).toString('hex')).toBe('02020080');
    expect(derInt(2048).toString('hex')).toBe('02020800');
    expect(oid('1.2.840.113549.1.12.10.1.2').toString('hex')).toBe('060b2a864886f70d010c0a0102');
    expect(oid('1.3.14.3.2.26').toString('hex')).toBe('06052b0e03021a');
  });
});

describe('buildPkcs12, read by the real tools', () => {
  const rsaFile = p12('rsa', rsa, 'primary');
  const ecFile = p12('ec', ec, 'tls');

  it.each([['RSA', rsaFile, rsa, 'primary'], ['EC', ecFile, ec, 'tls']])('%s: openssl pkcs12 -info -legacy verifies the MAC and decrypts the key', (_k, file, leaf, alias) => {
    const info = openssl(['pkcs12', '-info', '-legacy', '-in', file, '-passin', 'env:P12_PASS', '-nokeys']);
    expect(info.code).toBe(0);
    expect(info.err).toContain('MAC: sha1, Iteration 2048');
    expect(info.err).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048');
    expect(info.out).toContain(`friendlyName: ${alias}`);
    expect(info.out).toContain(`subject=CN = ${alias === 'primary' ? 'rsa' : 'ec'}.example.test`);
    expect(info.out).toContain('subject=CN = P12 Test CA');
    const keyOut = openssl(['pkcs12', '-in', file, '-passin', 'env:P12_PASS', '-nocerts', '-nodes']);
    expect(keyOut.code).toBe(0);
    expect(pkcs8(keyOut.out).equals(pkcs8(leaf.keyPem))).toBe(true);
    const wrong = spawnSync('openssl', ['pkcs12', '-info', '-in', file, '-passin', 'pass:not-the-password', '-nokeys'], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/mac verify (failure|error)/i);
  });

  it('keytool reads it as one PrivateKeyEntry with its chain, and its JKS copy reads back with applier/jks.ts', () => {
    const jks = path.join(tmp, 'copy.jks');
    // Both keytool commands in one JVM (tests/helpers/keytool-batch.ts).
    const [l, imp] = keytoolBatch([
      ['-list', '-v', '-keystore', rsaFile, '-storetype', 'PKCS12', '-storepass:env', 'P12_PASS'],
      ['-importkeystore', '-noprompt', '-srckeystore', rsaFile, '-srcstoretype', 'PKCS12', '-srcstorepass:env', 'P12_PASS', '-srcalias', 'primary',
        '-destkeystore', jks, '-deststoretype', 'JKS', '-deststorepass:env', 'JKS_PASS', '-destkeypass:env', 'KEY_PASS'],
    ], { P12_PASS: PASSWORD, JKS_PASS: 'jks-store-pw', KEY_PASS: 'jks-key-pw' }, tmp);
    expect(l.code).toBe(0);
    expect(l.out).toContain('Your keystore contains 1 entry');
    expect(l.out).toMatch(/Alias name: primary\n[^]*?Entry type: PrivateKeyEntry\nCertificate chain length: 2\n/);
    expect(imp.code).toBe(0);
    const entries = readJks(fs.readFileSync(jks), 'jks-store-pw');
    expect(entries).toEqual([{ alias: 'primary', kind: 'key', certificates: [der(rsa.certPem), der(ca.certPem)] }]);
    expect(() => readJks(fs.readFileSync(jks), 'jks-key-pw')).toThrow('wrong password or damaged');
    expect(() => readJks(fs.readFileSync(rsaFile), PASSWORD)).toThrow('not a JKS store');
  });
});
