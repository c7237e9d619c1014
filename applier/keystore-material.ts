/**
 * The key material of one node, as the Pulumi program hands it over (through the platform's secret
 * store) and the applier's `keystores` command turns into JKS stores (applier/keystores.ts):
 *
 *   {
 *     "$schema": "wso2-is-pattern2/keystore-material/v1",          (optional)
 *     "caCertificate": PEM,                                           the deployment CA
 *     "trustedCertificates": [{ "alias": "frontend", "pem": PEM }],  more trusted certificates
 *     "keystores": [{
 *       "file": "repository/resources/security/primary.jks",          relative to the product home
 *       "storePassword": "...",
 *       "entries": [{ "alias": "primary", "keyPassword": "...",
 *                     "privateKey": PEM (PKCS#8, PKCS#1 RSA or SEC1 EC),
 *                     "certificateChain": [PEM leaf, ..., PEM CA] }]
 *     }],
 *     "truststore": { "file": "repository/resources/security/client-truststore.jks", "storePassword": "..." },
 *     "trustedBundles": ["rds"]                                       (optional) shipped CA bundles
 *   }
 *
 * The truststore holds the CA under the alias `deployment-ca`, each trusted certificate under
 * its alias, and every certificate of each named bundle (applier/ca-bundles.ts) under its CN. Validation is strict (unknown keys, a key that does not match its certificate, a
 * chain whose links do not verify are errors) and its messages name the field, never its value.
 */
import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'crypto';
import * as path from 'path';
import { caBundleCertificates, CaBundleName, isCaBundleName } from './ca-bundles';

export const KEYSTORE_MATERIAL_SCHEMA = 'wso2-is-pattern2/keystore-material/v1';

/** Alias of the deployment CA in the truststore. */
export const CA_ALIAS = 'deployment-ca';

/** One private key entry of a keystore. */
export interface KeyEntryMaterial {
  /** Entry name (lowercase: JKS lowercases aliases, so what is given is what the products look up). */
  alias: string;
  /** Password of this key inside the store; may differ from the store password. */
  keyPassword: string;
  /** PEM private key: PKCS#8, PKCS#1 RSA or SEC1 EC; unencrypted; RSA >= 2048 bits or EC P-256/P-384. */
  privateKey: string;
  /** PEM certificates, leaf (matching the key) first, each issued by the next. */
  certificateChain: string[];
}

/** One keystore file, built from scratch with exactly these entries. */
export interface KeystoreFileMaterial {
  /** Path relative to the product home, ending in `.jks`. */
  file: string;
  storePassword: string;
  entries: KeyEntryMaterial[];
}

/** A certificate the truststore trusts besides the CA (e.g. the front end's). */
export interface TrustedCertificateMaterial {
  alias: string;
  pem: string;
}

/** The whole document. */
export interface KeystoreMaterial {
  $schema?: string;
  /** PEM of the deployment CA (a CA certificate), trusted under {@link CA_ALIAS}. */
  caCertificate: string;
  trustedCertificates: TrustedCertificateMaterial[];
  keystores: KeystoreFileMaterial[];
  truststore: { file: string; storePassword: string };
  /** Shipped CA bundles whose certificates the truststore also trusts (the database server's CAs). */
  trustedBundles?: CaBundleName[];
}

/** The material checked and decoded: what the builder works from. */
export interface ParsedKeyEntry {
  alias: string;
  keyPassword: string;
  /** PKCS#8 PrivateKeyInfo, DER. */
  keyPkcs8: Buffer;
  /** DER certificates, leaf first. */
  chain: Buffer[];
}
export interface ParsedStore {
  kind: 'keystore' | 'truststore';
  file: string;
  storePassword: string;
  /** Key entries (keystores). */
  keys: ParsedKeyEntry[];
  /** Trusted certificates (the truststore): the CA, the material's, then those of the named CA bundles. */
  trusted: { alias: string; der: Buffer }[];
}
export interface ParsedMaterial {
  /** Keystores in the order given, then the truststore. */
  stores: ParsedStore[];
}

const ALIAS_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function fail(where: string, what: string): never {
  throw new Error(`keystore material: ${where}: ${what}`);
}

function object(v: unknown, where: string, keys: string[], optional: string[] = []): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(where, 'must be an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k) && !optional.includes(k)) fail(where, `unknown field "${k}"`);
  for (const k of keys) if (o[k] === undefined) fail(where, `missing field "${k}"`);
  return o;
}

function array(v: unknown, where: string, min: number): unknown[] {
  if (!Array.isArray(v)) fail(where, 'must be an array');
  if (v.length < min) fail(where, `needs at least ${min} item${min === 1 ? '' : 's'}`);
  return v;
}

function string(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') fail(where, 'must be a non-empty string');
  return v;
}

/**
 * Printable ASCII, 6 to 128 characters: keytool refuses shorter store passwords, Java decodes the
 * environment it receives them through by the locale, and Java's PKCS#12 refuses non-ASCII ones.
 */
function password(v: unknown, where: string): string {
  const s = string(v, where);
  if (!/^[\x20-\x7e]{6,128}$/.test(s)) fail(where, 'must be 6 to 128 printable ASCII characters');
  return s;
}

function alias(v: unknown, where: string): string {
  const s = string(v, where);
  if (!ALIAS_RE.test(s)) fail(where, `alias "${s.slice(0, 64)}" must match ${ALIAS_RE.source}`);
  return s;
}

function storeFile(v: unknown, where: string): string {
  const s = string(v, where);
  const norm = path.posix.normalize(s);
  if (path.posix.isAbsolute(s) || norm !== s || s.split('/').includes('..') || !/^[A-Za-z0-9._/-]+\.jks$/.test(s)) {
    fail(where, `"${s}" must be a normalized relative path ending in .jks`);
  }
  return s;
}

/** The DER of the one PEM block of `v` whose label is one of `labels`. */
function pem(v: unknown, where: string, labels: string[], what: string): { label: string; der: Buffer } {
  const s = string(v, where).trim();
  const m = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END ([A-Z0-9 ]+)-----$/.exec(s);
  if (m && m[1] === 'ENCRYPTED PRIVATE KEY') fail(where, 'an encrypted private key is not accepted');
  if (!m || m[1] !== m[3] || !labels.includes(m[1])) fail(where, `not one PEM ${what} (${labels.join(' / ')})`);
  return { label: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') };
}

function certificate(v: unknown, where: string): X509Certificate {
  const { der } = pem(v, where, ['CERTIFICATE'], 'certificate');
  try {
    return new X509Certificate(der);
  } catch {
    fail(where, 'not a readable X.509 certificate');
  }
}

const KEY_TYPES: Record<string, 'pkcs8' | 'pkcs1' | 'sec1'> = { 'PRIVATE KEY': 'pkcs8', 'RSA PRIVATE KEY': 'pkcs1', 'EC PRIVATE KEY': 'sec1' };

function privateKey(v: unknown, where: string): KeyObject {
  const { label, der } = pem(v, where, Object.keys(KEY_TYPES), 'private key');
  let key: KeyObject;
  try {
    // No error text passed on: it is about the key's bytes.
    key = createPrivateKey({ key: der, format: 'der', type: KEY_TYPES[label] });
  } catch {
    fail(where, 'not a readable private key');
  }
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((d.modulusLength ?? 0) < 2048) fail(where, `RSA key of ${d.modulusLength} bits; at least 2048 needed`);
  } else if (key.asymmetricKeyType === 'ec') {
    if (d.namedCurve !== 'prime256v1' && d.namedCurve !== 'secp384r1') fail(where, `EC curve ${d.namedCurve}; P-256 or P-384 needed`);
  } else fail(where, `key type ${key.asymmetricKeyType}; RSA or EC needed`);
  return key;
}

function keyEntry(v: unknown, where: string): ParsedKeyEntry {
  const o = object(v, where, ['alias', 'keyPassword', 'privateKey', 'certificateChain']);
  const key = privateKey(o.privateKey, `${where}.privateKey`);
  const chain = array(o.certificateChain, `${where}.certificateChain`, 1).map((c, i) => certificate(c, `${where}.certificateChain[${i}]`));
  if (!chain[0].checkPrivateKey(key)) fail(where, 'the private key does not match certificateChain[0]');
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) {
      fail(`${where}.certificateChain`, `certificate ${i} is not issued (and signed) by certificate ${i + 1}`);
    }
  }
  return {
    alias: alias(o.alias, `${where}.alias`),
    keyPassword: password(o.keyPassword, `${where}.keyPassword`),
    keyPkcs8: key.export({ type: 'pkcs8', format: 'der' }) as Buffer,
    chain: chain.map((c) => c.raw),
  };
}

function unique(names: string[], where: string, what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail(where, `${what} "${n}" appears twice`);
    seen.add(n);
  }
}

/** Checks and decodes the material document (parsed JSON). Throws with a message naming the field. */
export function parseKeystoreMaterial(doc: unknown): ParsedMaterial {
  const o = object(doc, 'document', ['caCertificate', 'trustedCertificates', 'keystores', 'truststore'], ['$schema', 'trustedBundles']);
  if (o.$schema !== undefined && o.$schema !== KEYSTORE_MATERIAL_SCHEMA) {
    fail('$schema', `expected ${KEYSTORE_MATERIAL_SCHEMA}`);
  }
  const ca = certificate(o.caCertificate, 'caCertificate');
  if (!ca.ca) fail('caCertificate', 'not a CA certificate (basicConstraints CA:TRUE)');
  const trusted = array(o.trustedCertificates, 'trustedCertificates', 0).map((t, i) => {
    const w = `trustedCertificates[${i}]`;
    const to = object(t, w, ['alias', 'pem']);
    return { alias: alias(to.alias, `${w}.alias`), der: certificate(to.pem, `${w}.pem`).raw };
  });
  const bundles = o.trustedBundles === undefined ? [] : array(o.trustedBundles, 'trustedBundles', 0);
  const bundled = bundles.flatMap((b, i) => {
    if (!isCaBundleName(b)) fail(`trustedBundles[${i}]`, 'not a CA bundle this applier ships');
    return caBundleCertificates(b);
  });
  const trustedAll = [{ alias: CA_ALIAS, der: ca.raw }, ...trusted, ...bundled];
  unique(trustedAll.map((t) => t.alias), 'trustedCertificates', 'alias');

  const stores: ParsedStore[] = array(o.keystores, 'keystores', 1).map((s, i) => {
    const w = `keystores[${i}]`;
    const so = object(s, w, ['file', 'storePassword', 'entries']);
    const keys = array(so.entries, `${w}.entries`, 1).map((e, j) => keyEntry(e, `${w}.entries[${j}]`));
    unique(keys.map((k) => k.alias), `${w}.entries`, 'alias');
    return { kind: 'keystore', file: storeFile(so.file, `${w}.file`), storePassword: password(so.storePassword, `${w}.storePassword`), keys, trusted: [] };
  });
  const ts = object(o.truststore, 'truststore', ['file', 'storePassword']);
  stores.push({
    kind: 'truststore',
    file: storeFile(ts.file, 'truststore.file'),
    storePassword: password(ts.storePassword, 'truststore.storePassword'),
    keys: [],
    trusted: trustedAll,
  });
  unique(stores.map((s) => s.file), 'keystores/truststore', 'file');
  return { stores };
}

/** Bumped when the way stores are built changes, so that nodes rebuild with unchanged material. */
const BUILD_FORMAT = 'jks-v1';

/**
 * SHA-256 over a canonical form of the decoded material (field order fixed here, certificates and
 * keys as DER): equal for equal material however the JSON was laid out.
 */
export function materialDigest(m: ParsedMaterial): string {
  const canonical = {
    format: BUILD_FORMAT,
    stores: m.stores.map((s) => ({
      kind: s.kind,
      file: s.file,
      storePassword: s.storePassword,
      keys: s.keys.map((k) => ({ alias: k.alias, keyPassword: k.keyPassword, key: k.keyPkcs8.toString('base64'), chain: k.chain.map((c) => c.toString('base64')) })),
      trusted: s.trusted.map((t) => ({ alias: t.alias, der: t.der.toString('base64') })),
    })),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
