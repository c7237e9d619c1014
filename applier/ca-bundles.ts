/**
 * CA certificate bundles the project ships (assets/), which the key material names by bundle name
 * instead of carrying the certificates: the RDS bundle alone (115 certificates, ~170 KB) would not
 * fit a Secrets Manager secret (64 KB) once per node. In the applier bundle esbuild embeds the
 * files (applier/bundle.ts); elsewhere they are read from assets/. Either way the text must have
 * the pinned SHA-256, or nothing is trusted from it.
 */
import { createHash, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The bundles: file (relative to the repository root) and the SHA-256 it must have. */
export const CA_BUNDLES = {
  /** Amazon RDS CAs (assets/rds-ca/README.md: source, date, extraction). */
  rds: { file: 'assets/rds-ca/rds-ca-bundle.pem', sha256: 'fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f' },
} as const;

export type CaBundleName = keyof typeof CA_BUNDLES;

export function isCaBundleName(v: unknown): v is CaBundleName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(CA_BUNDLES, v);
}

// In the applier bundle (applier/bundle.ts) esbuild puts the bundles' texts here: JSON, by name.
declare const __APPLIER_CA_BUNDLES__: string | undefined;

/** The text of every bundle, read from the repository (what bundle.ts embeds). */
export function caBundleTexts(root = path.resolve(__dirname, '..')): Record<CaBundleName, string> {
  const out = {} as Record<CaBundleName, string>;
  for (const name of Object.keys(CA_BUNDLES) as CaBundleName[]) out[name] = fs.readFileSync(path.join(root, CA_BUNDLES[name].file), 'utf8');
  return out;
}

function bundleText(name: CaBundleName): string {
  const embedded = typeof __APPLIER_CA_BUNDLES__ === 'string' ? (JSON.parse(__APPLIER_CA_BUNDLES__) as Record<string, string>) : undefined;
  return embedded?.[name] ?? caBundleTexts()[name];
}

/** A truststore alias from a certificate's CN: lowercase, runs of other characters as `-`. */
export function aliasFromSubject(cert: X509Certificate): string {
  const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1] ?? '';
  return cn
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/**
 * The certificates of bundle `name` with their aliases (from the CN), after checking the text
 * against the pinned digest; every one must be a CA certificate and the aliases unique.
 * @param text The bundle's text (default: the embedded or repository copy).
 */
export function caBundleCertificates(name: CaBundleName, text = bundleText(name)): { alias: string; der: Buffer }[] {
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  if (digest !== CA_BUNDLES[name].sha256) throw new Error(`CA bundle ${name}: SHA-256 ${digest}, expected ${CA_BUNDLES[name].sha256}`);
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`CA bundle ${name}: no certificate`);
  const seen = new Set<string>();
  return blocks.map((b, i) => {
    const cert = new X509Certificate(b);
    const alias = aliasFromSubject(cert);
    if (!cert.ca) throw new Error(`CA bundle ${name}: certificate ${i} is not a CA certificate`);
    if (!/^[a-z0-9]/.test(alias) || seen.has(alias)) throw new Error(`CA bundle ${name}: certificate ${i} has no usable, unique CN (${alias})`);
    seen.add(alias);
    return { alias, der: cert.raw };
  });
}
