/**
 * The JDK as the decryption oracle of the Carbon 4 Secure Vault and CryptoUtil tests: compiles the
 * test probe tests/fixtures/java/VaultDecrypt.java (Java 8 target) once per jest run
 * (tests/helpers/java-classes.ts) and decrypts
 * ciphertexts with a fixture key the way the product does (see the probe's header).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { compiledClasses, JAVA_FIXTURES } from './java-classes';

export interface JdkDecrypter {
  /** Compiles the probe (or finds it compiled in this run); call in a beforeAll. */
  compile(): void;
  /** The UTF-8 plaintexts of `ciphertexts`, in order, with the private key in `keyFile` (a PEM); throws on any failure. */
  decrypt(mode: 'vault' | 'cryptoutil', ciphertexts: string[], keyFile: string): string[];
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
      classes = compiledClasses([path.join(JAVA_FIXTURES, 'VaultDecrypt.java')], ['--release', '8'], dir);
    },
    decrypt(mode, ciphertexts, keyFile) {
      const r = spawnSync('java', ['-cp', classes, 'VaultDecrypt', mode, keyFile, certFile], { input: ciphertexts.join('\n') + '\n', encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`VaultDecrypt ${mode}: ${r.stdout} ${r.stderr}`);
      return r.stdout.trim().split('\n').map((l) => Buffer.from(l, 'base64').toString('utf8'));
    },
  };
}
