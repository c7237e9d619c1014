/**
 * The two RSA encryptions WSO2 Carbon 4 (IS 5.8, kernel 4.4.40) decrypts, done in Node with no
 * dependency, so the applier can write product files that already hold ciphertext:
 *
 * - `secureVaultEncrypt`: a Secure Vault value of `cipher-text.properties`, as the cipher tool
 *   (1.0.0-wso2v8, `CipherTool.doEncryption`) writes it: `Cipher.getInstance("RSA")` (SunJCE:
 *   RSA/ECB/PKCS1Padding) with the primary certificate, then base64 (`printBase64Binary`: standard
 *   alphabet, padded, one line). Secure Vault (`FileBaseSecretRepository`) decrypts with "RSA".
 * - `cryptoUtilEncrypt`: a `CryptoUtil.encryptAndBase64Encode` value (event publishers'
 *   `encrypted="true"` properties). carbon.properties sets `org.wso2.CipherTransformation=
 *   RSA/ECB/OAEPwithSHA1andMGF1Padding`, so CryptoUtil (kernel 4.4.40 `CryptoUtil.encrypt` and
 *   `createSelfContainedCiphertext`) writes a self-contained ciphertext: the Gson JSON of
 *   `CipherHolder` (fields in declaration order `c`, `t`, `tp`, `tpd`; `new Gson()` escapes `=` as
 *   `\u003d`), `c` = axiom Base64 of the OAEP ciphertext, `tp` = uppercase hex SHA-1 of the DER
 *   certificate (`calculateThumbprint`), `tpd` = "SHA-1"; the JSON bytes are base64'd again.
 *
 * Deterministic padding. Both paddings are randomized by design; here the random bytes come from
 * HMAC-SHA256 keyed with `seedKey` (a secret: the store password of the key's keystore) over a
 * context (padding kind, modulus) and the plaintext. So the same certificate, plaintext and seed
 * give the same bytes, and an apply on an unchanged node writes nothing (a fresh random padding
 * would rewrite every vaulted file at every boot, and the shared event publishers would be
 * redeployed by the other node). What this gives away: that two ciphertexts under the same key
 * and seed hide equal plaintexts (visible anyway to whoever can read both files); without the seed
 * the padding is as unpredictable as a random one, and the decryptor cannot tell the difference.
 * The RSA operation itself is Node's (`publicEncrypt`, RSA_NO_PADDING) on the padded block.
 */
import { constants, createHash, createHmac, publicEncrypt, X509Certificate } from 'crypto';

/** The transformation IS 5.8 configures for CryptoUtil (kernel carbon.properties), as CryptoUtil records it. */
export const CRYPTO_UTIL_TRANSFORMATION = 'RSA/ECB/OAEPwithSHA1andMGF1Padding';

interface RsaCert {
  der: Buffer;
  modulus: Buffer;
  /** Modulus length in bytes (k). */
  k: number;
  pem: string;
}

function rsaCertificate(certificatePem: string): RsaCert {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new Error('vault-crypto: not a PEM certificate');
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`vault-crypto: the certificate's key is ${key.asymmetricKeyType}, not RSA (WSO2 Secure Vault and CryptoUtil need RSA)`);
  const jwk = key.export({ format: 'jwk' }) as { n: string };
  let modulus = Buffer.from(jwk.n, 'base64url');
  while (modulus.length > 1 && modulus[0] === 0) modulus = modulus.subarray(1);
  return { der: cert.raw, modulus, k: modulus.length, pem: key.export({ format: 'pem', type: 'spki' }) as string };
}

/** `n` pseudo-random bytes from HMAC-SHA256(seedKey, context || 0x00 || counter || plaintext), counter mode. */
function derivedBytes(seedKey: string, context: string, plaintext: Buffer, n: number, counterStart = 0): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (let i = counterStart; have < n; i++) {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(i);
    const block = createHmac('sha256', Buffer.from(seedKey, 'utf8'))
      .update(Buffer.from(context, 'utf8'))
      .update(Buffer.from([0]))
      .update(ctr)
      .update(plaintext)
      .digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, n);
}

function rawRsa(cert: RsaCert, em: Buffer): Buffer {
  return publicEncrypt({ key: cert.pem, padding: constants.RSA_NO_PADDING }, em);
}

function checkSeed(seedKey: string): void {
  if (typeof seedKey !== 'string' || seedKey.length === 0) throw new Error('vault-crypto: an empty seed key would make the padding predictable');
}

/** EME-PKCS1-v1_5 (RFC 8017 7.2.1): 0x00 0x02 PS 0x00 M, PS >= 8 nonzero bytes. */
function pkcs1v15Pad(cert: RsaCert, m: Buffer, seedKey: string): Buffer {
  const psLen = cert.k - m.length - 3;
  if (psLen < 8) throw new Error(`vault-crypto: plaintext too long for RSA PKCS#1 v1.5 with a ${cert.k * 8}-bit key`);
  const context = `pkcs1v15|${cert.modulus.toString('hex')}`;
  const ps = Buffer.alloc(psLen);
  let filled = 0;
  // Draw more bytes than needed and skip zeros (about 1 in 256); continue the counter if short.
  for (let counter = 0; filled < psLen; counter += 1024) {
    const pool = derivedBytes(seedKey, context, m, psLen + 64, counter);
    for (const b of pool) {
      if (b !== 0 && filled < psLen) ps[filled++] = b;
    }
  }
  return Buffer.concat([Buffer.from([0x00, 0x02]), ps, Buffer.from([0x00]), m]);
}

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** MGF1 with SHA-1 (RFC 8017 B.2.1). */
function mgf1Sha1(seed: Buffer, len: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 20 < len; i++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    out.push(sha1(seed, c));
  }
  return Buffer.concat(out).subarray(0, len);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** EME-OAEP (RFC 8017 7.1.1) with SHA-1, MGF1-SHA-1 and the empty label: what Java's OAEPWithSHA1AndMGF1Padding decodes. */
function oaepSha1Pad(cert: RsaCert, m: Buffer, seedKey: string): Buffer {
  const hLen = 20;
  if (m.length > cert.k - 2 * hLen - 2) throw new Error(`vault-crypto: plaintext too long for RSA OAEP-SHA1 with a ${cert.k * 8}-bit key`);
  const lHash = sha1(Buffer.alloc(0));
  const ps = Buffer.alloc(cert.k - m.length - 2 * hLen - 2);
  const db = Buffer.concat([lHash, ps, Buffer.from([0x01]), m]);
  const seed = derivedBytes(seedKey, `oaep-sha1|${cert.modulus.toString('hex')}`, m, hLen);
  const maskedDb = xor(db, mgf1Sha1(seed, db.length));
  const maskedSeed = xor(seed, mgf1Sha1(maskedDb, hLen));
  return Buffer.concat([Buffer.from([0x00]), maskedSeed, maskedDb]);
}

/**
 * A Secure Vault ciphertext (cipher-text.properties value): RSA/ECB/PKCS1Padding under the
 * certificate's public key, base64 (standard alphabet, padded).
 * @param certificatePem the PEM certificate of the key Secure Vault decrypts with (`keystore.identity.alias`).
 * @param plaintext the secret; encrypted as its UTF-8 bytes (as the cipher tool's `getBytes("UTF-8")`).
 * @param seedKey a secret seeding the deterministic padding (e.g. that keystore's store password); non-empty.
 */
export function secureVaultEncrypt(certificatePem: string, plaintext: string, seedKey: string): string {
  checkSeed(seedKey);
  const cert = rsaCertificate(certificatePem);
  return rawRsa(cert, pkcs1v15Pad(cert, Buffer.from(plaintext, 'utf8'), seedKey)).toString('base64');
}

/** Gson's default (HTML-safe) escaping of a string made of base64, hex and transformation characters. */
function gsonString(s: string): string {
  return `"${s.replace(/[<>&='"\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
}

/**
 * A CryptoUtil self-contained ciphertext as IS 5.8 writes it for an `encrypted="true"` property:
 * base64 of `{"c":"<base64 OAEP-SHA1 ciphertext>","t":"RSA/ECB/OAEPwithSHA1andMGF1Padding","tp":"<SHA-1 HEX>","tpd":"SHA-1"}`.
 * @param certificatePem the PEM certificate of the InternalKeyStore key (CryptoUtil's key).
 * @param plaintext the secret; encrypted as its UTF-8 bytes (the publisher deployer's `getBytes()` on a UTF-8 JVM).
 * @param seedKey a secret seeding the deterministic padding (e.g. the internal keystore's store password); non-empty.
 */
export function cryptoUtilEncrypt(certificatePem: string, plaintext: string, seedKey: string): string {
  checkSeed(seedKey);
  const cert = rsaCertificate(certificatePem);
  const c = rawRsa(cert, oaepSha1Pad(cert, Buffer.from(plaintext, 'utf8'), seedKey)).toString('base64');
  const tp = createHash('sha1').update(cert.der).digest('hex').toUpperCase();
  const json = `{"c":${gsonString(c)},"t":${gsonString(CRYPTO_UTIL_TRANSFORMATION)},"tp":${gsonString(tp)},"tpd":${gsonString('SHA-1')}}`;
  return Buffer.from(json, 'utf8').toString('base64');
}
