/**
 * The JDK as the decryption oracle of the Carbon 4 Secure Vault and CryptoUtil tests: compiles the
 * test probe tests/fixtures/java/VaultDecrypt.java (Java 8 target) once per test file and decrypts
 * ciphertexts with a fixture key the way the product does (see the probe's header).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface JdkDecrypter {
  /** Compiles the probe; call in a beforeAll. */
  compile(): void;
  /** The UTF-8 plaintexts of `ciphertexts`, in order, with the private key in `keyFile` (a PEM); throws on any failure. */
  decrypt(mode: 'vault' | 'cryptoutil', ciphertexts: string[], keyFile: string): string[];
}

/**
 * A decrypter working in `dir` (a test's temp directory), with `certificatePem` the certificate
 * CryptoUtil ciphertexts name by thumbprint (checked before decrypting).
 */
export function jdkDecrypter(dir: string, certificatePem: string): JdkDecrypter {
  const classes = path.join(dir, 'classes');
  const certFile = path.join(dir, 'cert.pem');
  return {
    compile() {
      fs.writeFileSync(certFile, certificatePem);
      const r = spawnSync('javac', ['--release', '8', '-d', classes, path.join(__dirname, '..', 'fixtures', 'java', 'VaultDecrypt.java')], { encoding: 'utf8' });
      if (r.status !== 0 || r.stderr) throw new Error(`javac VaultDecrypt: ${r.status} ${r.stderr}`);
    },
    decrypt(mode, ciphertexts, keyFile) {
      const r = spawnSync('java', ['-cp', classes, 'VaultDecrypt', mode, keyFile, certFile], { input: ciphertexts.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`VaultDecrypt ${mode}: ${r.stdout} ${r.stderr}`);
      return r.stdout.trim().split('\n').map((l) => Buffer.from(l, 'base64').toString('utf8'));
    },
  };
}
