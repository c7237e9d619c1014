/**
 * The JDK as the decryption oracle of the Carbon 4 Secure Vault and CryptoUtil tests: compiles the
 * test probe tests/fixtures/java/VaultDecrypt.java (Java 8 target) once per jest run
 * (tests/helpers/java-classes.ts) and decrypts
 * ciphertexts with a fixture key the way the product does (see the probe's header).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { probeClasses } from './java-classes';

export interface JdkDecrypter {
  /** Compiles the probe (or finds it compiled in this run); call in a beforeAll. */
  compile(): void;
  /** The UTF-8 plaintexts of `ciphertexts`, in order, with the private key in `keyFile` (a PEM); throws on any failure. */
  decrypt(mode: 'vault' | 'cryptoutil', ciphertexts: string[], keyFile: string): string[];
  /**
   * Many [mode, ciphertext, key file] in one JVM (the probe's batch mode): per job the UTF-8
   * plaintext, or the JDK's exception when that key does not decrypt it.
   */
  decryptEach(jobs: ['vault' | 'cryptoutil', string, string][]): ({ plain: string } | { error: string })[];
}

/**
 * A decrypter working in `dir` (a test's temp directory), with `certificatePem` the certificate
 * CryptoUtil ciphertexts name by thumbprint (checked before decrypting).
 */
export function jdkDecrypter(dir: string, certificatePem: string): JdkDecrypter {
  let classes = '';
  const certFile = path.join(dir, 'cert.pem');
  return {
    compile() {
      fs.writeFileSync(certFile, certificatePem);
      classes = probeClasses(dir);
    },
    decrypt(mode, ciphertexts, keyFile) {
      const r = spawnSync('java', ['-cp', classes, 'VaultDecrypt', mode, keyFile, certFile], { input: ciphertexts.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`VaultDecrypt ${mode}: ${r.stdout} ${r.stderr}`);
      return r.stdout.trim().split('\n').map((l) => Buffer.from(l, 'base64').toString('utf8'));
    },
    decryptEach(jobs) {
      const input = jobs.map(([mode, ct, keyFile]) => [mode, keyFile, certFile, ct].join('\t')).join('\n') + '\n';
      const r = spawnSync('java', ['-cp', classes, 'VaultDecrypt', 'batch'], { input, encoding: 'utf8', timeout: 60_000 });
      const lines = r.stdout.trim().split('\n');
      if (r.status !== 0 || lines.length !== jobs.length) throw new Error(`VaultDecrypt batch: exit ${r.status}, ${jobs.length} jobs: ${r.stdout} ${r.stderr}`);
      return lines.map((l) => (l.startsWith('error ') ? { error: l.slice(6) } : { plain: Buffer.from(l, 'base64').toString('utf8') }));
    },
  };
}
