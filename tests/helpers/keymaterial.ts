/**
 * Test key material made with the real `openssl`: a CA, leaves signed by it (RSA 2048 or EC
 * P-256, with SANs), self-signed certificates. Serials and subjects are fixed; validity runs from
 * now for `days` (no assert depends on the dates).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

function openssl(dir: string, args: string[], input?: string): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface TestCa {
  name: string;
  certPem: string;
  keyFile: string;
  certFile: string;
}

/** A self-signed CA (RSA 2048, CA:TRUE) named `CN=<cn>`. */
export function makeCa(dir: string, name: string, cn: string): TestCa {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  openssl(dir, ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyFile]);
  openssl(dir, [
    'req', '-x509', '-new', '-key', keyFile, '-out', certFile, '-days', '3650', '-set_serial', '1', '-subj', `/CN=${cn}`,
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
 * given), the key written in `form`.
 */
export function makeLeaf(
  dir: string,
  ca: TestCa,
  name: string,
  opts: { cn: string; type: 'rsa' | 'ec'; form: 'pkcs8' | 'traditional'; sans: string[]; serial: number },
): TestLeaf {
  const key = path.join(dir, `${name}.key`);
  const keyOut = path.join(dir, `${name}.${opts.form}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  const gen = opts.type === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(dir, ['genpkey', ...gen, '-out', key]);
  // `openssl rsa -traditional` writes PKCS#1; `openssl ec` writes SEC1 by default.
  if (opts.form === 'traditional') openssl(dir, opts.type === 'rsa' ? ['rsa', '-in', key, '-out', keyOut, '-traditional'] : ['ec', '-in', key, '-out', keyOut]);
  else fs.copyFileSync(key, keyOut);
  openssl(dir, ['req', '-new', '-key', key, '-subj', `/CN=${opts.cn}`, '-out', csr]);
  fs.writeFileSync(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      `keyUsage=critical,digitalSignature${opts.type === 'rsa' ? ',keyEncipherment' : ''}`,
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${opts.sans.join(',')}`,
      '',
    ].join('\n'),
  );
  openssl(dir, ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(opts.serial), '-days', '825', '-sha256', '-extfile', ext, '-out', cert]);
  return { keyPem: fs.readFileSync(keyOut, 'utf8'), certPem: fs.readFileSync(cert, 'utf8') };
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
