/**
 * A minimal PKCS#12 (RFC 7292) writer: one private key with its certificate chain, in the legacy
 * algorithms every Java 8 keytool reads — the key in a pkcs8ShroudedKeyBag encrypted with
 * pbeWithSHAAnd3-KeyTripleDES-CBC, the certificates in plain certBags, a SHA-1 HMAC over the
 * whole. Why here: Node has no PKCS#12 writer and keytool cannot import a PEM private key; keytool
 * turns this file into the JKS the products read (applier/keystores.ts). The file only ever lives
 * in a private temp directory for the seconds that takes, under a random one-off password.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'crypto';

// ---- DER, just what PKCS#12 needs -------------------------------------------------------------

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER TLV. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
/** SET OF, its elements sorted by their encoding as DER requires. */
export const setOf = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat([...items].sort(Buffer.compare)));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const explicit0 = (inner: Buffer): Buffer => tlv(0xa0, inner);
export const derNull = (): Buffer => Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER. */
export function derInt(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`DER INTEGER out of range: ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const body: number[] = [arcs[0] * 40 + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    body.push(...chunk);
  }
  return tlv(0x06, Buffer.from(body));
}

/** BMPString (UTF-16BE), the type of PKCS#9 friendlyName. */
function bmpString(s: string): Buffer {
  return tlv(0x1e, Buffer.from(s, 'utf16le').swap16());
}

// ---- OIDs ----------------------------------------------------------------------------------------

const OID = {
  data: '1.2.840.113549.1.7.1',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha1: '1.3.14.3.2.26',
};

// ---- RFC 7292 Appendix B key derivation -----------------------------------------------------------

/** The password as PKCS#12 hashes it: BMPString bytes plus two zero bytes. */
function pkcs12Password(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
}

/** Repeats `b` to fill a multiple of `v` bytes (empty stays empty). */
function fill(b: Buffer, v: number): Buffer {
  const len = v * Math.ceil(b.length / v);
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) out[i] = b[i % b.length];
  return out;
}

/**
 * RFC 7292 B.2 with SHA-1 (u = 20, v = 64): `id` 1 = cipher key, 2 = IV, 3 = MAC key.
 * Exported for the known-answer test.
 */
export function pkcs12Kdf(password: string, salt: Buffer, iterations: number, id: 1 | 2 | 3, n: number): Buffer {
  const u = 20;
  const v = 64;
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt, v), fill(pkcs12Password(password), v)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let A = createHash('sha1').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha1').update(A).digest();
    out.push(A);
    if (produced + u >= n) break;
    // I_j := (I_j + B + 1) mod 2^(8v) for each v-byte block, B = A repeated to v bytes.
    const B = fill(A, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

// ---- the file ------------------------------------------------------------------------------------

/** What goes into one PKCS#12 file. */
export interface Pkcs12Input {
  /** PKCS#8 PrivateKeyInfo, DER. */
  privateKeyPkcs8: Buffer;
  /** Certificates, DER, leaf first. */
  certificates: Buffer[];
  /** friendlyName of the key and its leaf certificate: the alias keytool gives the entry. */
  alias: string;
  /** Password of the MAC and of the key bag. */
  password: string;
  /** PBE and MAC iteration count (default 2048). */
  iterations?: number;
}

function shroudKey(pkcs8: Buffer, password: string, iterations: number): Buffer {
  const salt = randomBytes(8);
  const key = pkcs12Kdf(password, salt, iterations, 1, 24);
  const iv = pkcs12Kdf(password, salt, iterations, 2, 8);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  return seq(seq(oid(OID.pbeWithSHAAnd3KeyTripleDESCBC), seq(octets(salt), derInt(iterations))), octets(encrypted));
}

/** ContentInfo of type data around `inner`. */
const dataContent = (inner: Buffer): Buffer => seq(oid(OID.data), explicit0(octets(inner)));

/**
 * The PKCS#12 file (DER). The key bag and the leaf's certBag carry friendlyName = alias and the
 * same localKeyId (how readers pair them); the other certificates carry no attribute, so readers
 * use them only to build the chain and make no entry of them.
 */
export function buildPkcs12(input: Pkcs12Input): Buffer {
  const iterations = input.iterations ?? 2048;
  if (input.certificates.length === 0) throw new Error('PKCS#12: a key needs its certificate');
  const keyId = createHash('sha1').update(input.certificates[0]).digest();
  const attrs = setOf(
    seq(oid(OID.friendlyName), setOf(bmpString(input.alias))),
    seq(oid(OID.localKeyId), setOf(octets(keyId))),
  );
  const certBags = input.certificates.map((der, i) => {
    const bag = [oid(OID.certBag), explicit0(seq(oid(OID.x509Certificate), explicit0(octets(der))))];
    return seq(...bag, ...(i === 0 ? [attrs] : []));
  });
  const keyBag = seq(oid(OID.pkcs8ShroudedKeyBag), explicit0(shroudKey(input.privateKeyPkcs8, input.password, iterations)), attrs);
  const authSafe = seq(dataContent(seq(...certBags)), dataContent(seq(keyBag)));

  const macSalt = randomBytes(20);
  const macKey = pkcs12Kdf(input.password, macSalt, iterations, 3, 20);
  const mac = createHmac('sha1', macKey).update(authSafe).digest();
  const macData = seq(seq(seq(oid(OID.sha1), derNull()), octets(mac)), octets(macSalt), derInt(iterations));
  return seq(derInt(3), dataContent(authSafe), macData);
}
