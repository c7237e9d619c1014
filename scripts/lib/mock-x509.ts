/**
 * Real X.509 certificates and PKCS#10 requests for the mock engine (scripts/mocks.ts): the `tls`
 * provider's resources answer with what the program asked for (subject, DNS names, IP addresses,
 * CA flag, key usages, validity period, the issuing CA's key) instead of one fixed fixture, so
 * openssl can check the program's requests. Deterministic: RSA PKCS#1 v1.5 signatures (the mock
 * keys are RSA fixtures), serials from the resource name, a fixed issue instant. Test and plan
 * use only; nothing here runs on a node.
 */
import { KeyObject, createHash, createPrivateKey, createPublicKey, sign } from 'crypto';
import { explicit0, oid, octets, seq, setOf, tlv } from '../../applier/pkcs12';

/** When every mock certificate starts being valid (a fixed instant keeps plans byte-identical). */
export const MOCK_ISSUE_TIME = '2025-01-01T00:00:00Z';

/** The subject fields the program sets (the `tls` provider's `subject`). */
export interface MockSubject {
  commonName?: string;
  organization?: string;
}

/** What a certificate request carries (the program's CertRequest inputs and its key). */
export interface MockRequest {
  subject: MockSubject;
  dnsNames: string[];
  ipAddresses: string[];
  publicKeyPem: string;
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
const KEY_USAGE_BITS: Record<string, number> = {
  digital_signature: 0,
  content_commitment: 1,
  key_encipherment: 2,
  data_encipherment: 3,
  key_agreement: 4,
  cert_signing: 5,
  crl_signing: 6,
  encipher_only: 7,
  decipher_only: 8,
};
const EXT_KEY_USAGES: Record<string, string> = {
  server_auth: '1.3.6.1.5.5.7.3.1',
  client_auth: '1.3.6.1.5.5.7.3.2',
  code_signing: '1.3.6.1.5.5.7.3.3',
  email_protection: '1.3.6.1.5.5.7.3.4',
  timestamping: '1.3.6.1.5.5.7.3.8',
  ocsp_signing: '1.3.6.1.5.5.7.3.9',
};

// ---- a DER reader, just enough to take a certificate apart -------------------------------------

interface Tlv {
  tag: number;
  /** The whole element. */
  all: Buffer;
  content: Buffer;
}
function readTlv(b: Buffer, pos = 0): Tlv & { next: number } {
  const tag = b[pos];
  let len = b[pos + 1];
  let off = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[off + i];
    off += n;
  }
  return { tag, all: b.subarray(pos, off + len), content: b.subarray(off, off + len), next: off + len };
}
function children(b: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < b.length; ) {
    const t = readTlv(b, pos);
    out.push(t);
    pos = t.next;
  }
  return out;
}
const pemBody = (pem: string, label: string): Buffer => {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no ${label} PEM`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
};
const toPem = (label: string, der: Buffer): string => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** A certificate's subject Name (DER) and subject key identifier, to issue under it. */
function issuerOf(certPem: string): { name: Buffer; keyId: Buffer } {
  const tbs = children(readTlv(pemBody(certPem, 'CERTIFICATE')).content)[0];
  const f = children(tbs.content);
  const i = f[0].tag === 0xa0 ? 1 : 0; // version, serial, signature, issuer, validity, subject, spki
  return { name: f[i + 4].all, keyId: keyIdOf(f[i + 5].all) };
}

/** RFC 5280 method 1: SHA-1 over the subjectPublicKey bits. */
function keyIdOf(spki: Buffer): Buffer {
  const bits = children(readTlv(spki).content)[1].content.subarray(1);
  return createHash('sha1').update(bits).digest();
}

// ---- encoders ------------------------------------------------------------------------------------

function name(s: MockSubject): Buffer {
  const rdn = (o: string, v: string) => setOf(seq(oid(o), tlv(0x0c, Buffer.from(v, 'utf8'))));
  return seq(...(s.organization ? [rdn('2.5.4.10', s.organization)] : []), ...(s.commonName ? [rdn('2.5.4.3', s.commonName)] : []));
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new Error(`mock certificates take IPv4 addresses only: ${ip}`);
  return Buffer.from(parts);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), octets(value));
}

function subjectAltName(dnsNames: string[], ipAddresses: string[]): Buffer[] {
  if (!dnsNames.length && !ipAddresses.length) return [];
  const general = [...dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), ...ipAddresses.map((ip) => tlv(0x87, ipBytes(ip)))];
  return [extension('2.5.29.17', false, seq(...general))];
}

function keyUsage(uses: string[]): Buffer[] {
  const bits = uses.map((u) => KEY_USAGE_BITS[u]).filter((b) => b !== undefined);
  if (!bits.length) return [];
  const bytes = Buffer.alloc(Math.floor(Math.max(...bits) / 8) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  const last = bytes[bytes.length - 1];
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return [extension('2.5.29.15', true, tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes])))];
}

function extKeyUsage(uses: string[]): Buffer[] {
  const ids = uses.map((u) => EXT_KEY_USAGES[u]).filter(Boolean);
  return ids.length ? [extension('2.5.29.37', false, seq(...ids.map(oid)))] : [];
}

function utcTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < 1950 || y >= 2050) throw new Error(`mock certificates use UTCTime (1950-2049): ${d.toISOString()}`);
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(y % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

/**
 * Parsed private keys by PEM: a plan signs with a handful of keys (the mocks' fixture keys), once
 * per certificate, and parsing a PEM RSA key costs about as much as signing with it.
 */
const parsedKeys = new Map<string, KeyObject>();
function privateKeyOf(pem: string): KeyObject {
  let k = parsedKeys.get(pem);
  if (!k) parsedKeys.set(pem, (k = createPrivateKey(pem)));
  return k;
}

function signed(tbs: Buffer, signerKeyPem: string): Buffer {
  return seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, privateKeyOf(signerKeyPem))])));
}

const spkiOf = (publicKeyPem: string): Buffer => createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }) as Buffer;

/** A PKCS#10 request with the SANs in an extensionRequest attribute, signed with `privateKeyPem`. */
export function mockCertRequest(req: Omit<MockRequest, 'publicKeyPem'>, privateKeyPem: string): string {
  const spki = createPublicKey(privateKeyOf(privateKeyPem)).export({ type: 'spki', format: 'der' }) as Buffer;
  const exts = subjectAltName(req.dnsNames, req.ipAddresses);
  const attrs = exts.length ? seq(oid('1.2.840.113549.1.9.14'), setOf(seq(...exts))) : Buffer.alloc(0);
  const info = seq(tlv(0x02, Buffer.from([0])), name(req.subject), spki, tlv(0xa0, attrs));
  return toPem('CERTIFICATE REQUEST', signed(info, privateKeyPem));
}

/** What a certificate is issued with. */
export interface MockIssue {
  /** Source of the serial (a resource name): unique, stable. */
  serialSeed: string;
  request: MockRequest;
  isCa: boolean;
  allowedUses: string[];
  validityPeriodHours: number;
  /** The CA's key and certificate; absent: self-signed with `selfKeyPem`. */
  issuer?: { privateKeyPem: string; certPem: string };
  selfKeyPem?: string;
}

/** A DER X.509 v3 certificate (PEM), valid from MOCK_ISSUE_TIME for the requested hours. */
export function mockCertificate(o: MockIssue): { certPem: string; notBefore: string; notAfter: string } {
  const spki = spkiOf(o.request.publicKeyPem);
  const subject = name(o.request.subject);
  const issuer = o.issuer ? issuerOf(o.issuer.certPem) : { name: subject, keyId: keyIdOf(spki) };
  const signer = o.issuer ? o.issuer.privateKeyPem : o.selfKeyPem;
  if (!signer) throw new Error('mockCertificate: no signing key');
  const serial = createHash('sha256').update(`serial\0${o.serialSeed}`).digest().subarray(0, 16);
  serial[0] &= 0x7f; // positive
  const start = new Date(MOCK_ISSUE_TIME);
  const end = new Date(start.getTime() + o.validityPeriodHours * 3600_000);
  const exts = [
    ...keyUsage(o.allowedUses),
    ...extKeyUsage(o.allowedUses),
    extension('2.5.29.19', true, o.isCa ? seq(Buffer.from([0x01, 0x01, 0xff])) : seq()),
    extension('2.5.29.14', false, octets(keyIdOf(spki))),
    ...(o.issuer ? [extension('2.5.29.35', false, seq(tlv(0x80, issuer.keyId)))] : []),
    ...subjectAltName(o.request.dnsNames, o.request.ipAddresses),
  ];
  const tbs = seq(explicit0(tlv(0x02, Buffer.from([2]))), tlv(0x02, serial), SHA256_WITH_RSA, issuer.name, seq(utcTime(start), utcTime(end)), subject, spki, tlv(0xa3, seq(...exts)));
  return { certPem: toPem('CERTIFICATE', signed(tbs, signer)), notBefore: start.toISOString().replace('.000', ''), notAfter: end.toISOString().replace('.000', '') };
}
