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
import { writeFileAtomic } from './fsutil';

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

/** The certificates of a bundle, checked (see `caBundleCertificates`), by name and text digest. */
const parsed = new Map<string, readonly { alias: string; der: Buffer }[]>();

/**
 * The certificates of bundle `name` with their aliases (from the CN), after checking the text
 * against the pinned digest; every one must be a CA certificate and the aliases unique. The digest
 * is checked on every call (a wrong text throws every time); the parse of the pinned text (115
 * X509Certificate objects for RDS, tens of milliseconds) is made once per process, and each
 * caller gets its own copy of it.
 * @param text The bundle's text (default: the embedded or repository copy).
 */
export function caBundleCertificates(name: CaBundleName, text = bundleText(name)): { alias: string; der: Buffer }[] {
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  if (digest !== CA_BUNDLES[name].sha256) throw new Error(`CA bundle ${name}: SHA-256 ${digest}, expected ${CA_BUNDLES[name].sha256}`);
  const key = `${name}:${digest}`;
  let certs = parsed.get(key);
  if (!certs) {
    certs = parseBundle(name, text);
    parsed.set(key, certs);
  }
  return certs.map((c) => ({ alias: c.alias, der: Buffer.from(c.der) }));
}

/**
 * Parses a bundle text (its digest already checked): every certificate a CA with a unique alias.
 * @param name The bundle's name, for the error messages.
 * @param text The bundle's text.
 */
function parseBundle(name: CaBundleName, text: string): { alias: string; der: Buffer }[] {
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

/**
 * The PEM text of bundle `name`, for a client that takes a CA file (the mysql client of db-init),
 * after the same checks as `caBundleCertificates`: pinned digest, CA certificates only.
 * @param text The bundle's text (default: the embedded or repository copy).
 */
export function caBundlePem(name: CaBundleName, text = bundleText(name)): string {
  caBundleCertificates(name, text);
  return text;
}

/**
 * Bundle `name` (checked as by `caBundlePem`) written atomically to `out`, mode 0644: a failed
 * write leaves no temp file. Returns the log line.
 */
export function writeCaBundleFile(name: CaBundleName, out: string): string {
  const text = caBundlePem(name);
  writeFileAtomic(out, Buffer.from(text, 'utf8'), 0o644);
  return `wrote CA bundle ${name} to ${out} (${(text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length} certificates)`;
}
