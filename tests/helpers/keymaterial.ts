/**
 * Test key material made with the real `openssl`, one run per certificate: a CA, leaves signed by
 * it (RSA 2048 or EC P-256, with SANs), self-signed certificates. Serials and subjects are fixed;
 * validity runs from now for `days` (no assert depends on the dates). The RSA keys come from a
 * fixed pool (tests/fixtures/keys/pool, generated once with openssl): a 2048-bit key costs openssl
 * a few tenths of a CPU-second to find, and the tests need real keys, not fresh ones. Each key of a
 * directory is a different pool key (a CA and another CA, a key and a mismatched one, stay
 * distinct); past the pool's end, openssl generates one. Keys of different directories may be
 * the same pool key: a test that needs two keys to differ makes them in one directory.
 */
import { execFileSync } from 'child_process';
import { createPrivateKey } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const POOL = path.join(__dirname, '..', 'fixtures', 'keys', 'pool');
const POOL_SIZE = 6;
/** How many pool keys each directory has taken. */
const taken = new Map<string, number>();

/**
 * `openssl req` arguments giving the new certificate an RSA 2048 key written to `keyFile` (PKCS#8,
 * in `dir`): the directory's next pool key, copied there, or a new key once the pool is used up.
 * In place of `-newkey rsa:2048 -nodes -keyout KEYFILE`.
 */
export function rsaKey(dir: string, keyFile: string): string[] {
  const n = taken.get(dir) ?? 0;
  taken.set(dir, n + 1);
  if (n >= POOL_SIZE) return ['-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile];
  fs.copyFileSync(path.join(POOL, `rsa2048-${n + 1}.key.pem`), keyFile);
  return ['-key', keyFile];
}

function openssl(dir: string, args: string[], input?: string): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface TestCa {
  name: string;
  certPem: string;
  keyFile: string;
  certFile: string;
}

/** A self-signed CA (RSA 2048, CA:TRUE) named `CN=<cn>`: its certificate in one openssl run. */
export function makeCa(dir: string, name: string, cn: string): TestCa {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  openssl(dir, [
    'req', '-x509', ...rsaKey(dir, keyFile), '-out', certFile, '-days', '3650', '-set_serial', '1', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { name, keyFile, certFile, certPem: fs.readFileSync(certFile, 'utf8') };
}

export interface TestLeaf {
  /** The private key as `form` asked: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). */
  keyPem: string;
  certPem: string;
}

/**
 * A private key and a certificate for `cn` signed by `ca` (serverAuth + clientAuth, the SANs
 * given), the key written in `form`. One openssl run makes the certificate (and an EC key) (`req
 * -x509` signing with `-CA`, the extensions from a section of its own); the traditional form is the same
 * key re-encoded by Node (PKCS#1 for RSA, SEC1 for EC, what `openssl rsa -traditional` and
 * `openssl ec` write).
 */
export function makeLeaf(
  dir: string,
  ca: TestCa,
  name: string,
  opts: { cn: string; type: 'rsa' | 'ec'; form: 'pkcs8' | 'traditional'; sans: string[]; serial: number },
): TestLeaf {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  const cnf = path.join(dir, `${name}.cnf`);
  const gen = opts.type === 'rsa' ? rsaKey(dir, key) : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key];
  fs.writeFileSync(
    cnf,
    [
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[leaf]',
      'basicConstraints=critical,CA:FALSE',
      `keyUsage=critical,digitalSignature${opts.type === 'rsa' ? ',keyEncipherment' : ''}`,
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${opts.sans.join(',')}`,
      '',
    ].join('\n'),
  );
  openssl(dir, [
    'req', '-x509', ...gen, '-subj', `/CN=${opts.cn}`, '-config', cnf, '-extensions', 'leaf',
    '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(opts.serial), '-days', '825', '-sha256', '-out', cert,
  ]);
  const pkcs8 = fs.readFileSync(key, 'utf8');
  const keyPem = opts.form === 'pkcs8' ? pkcs8 : String(createPrivateKey(pkcs8).export({ type: opts.type === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }));
  return { keyPem, certPem: fs.readFileSync(cert, 'utf8') };
}

/** A self-signed, non-CA certificate (like a front end's), key discarded. */
export function makeSelfSigned(dir: string, name: string, cn: string): string {
  const cert = path.join(dir, `${name}.pem`);
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, `${name}.key`),
    '-out', cert, '-days', '825', '-set_serial', '7', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', `subjectAltName=DNS:${cn}`,
  ]);
  return fs.readFileSync(cert, 'utf8');
}
