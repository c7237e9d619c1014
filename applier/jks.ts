/**
 * A JKS reader, enough to tell without starting a JVM whether a store on disk opens with its
 * password and holds what it should (applier/keystores.ts decides from it whether to rebuild).
 * Layout (Sun JavaKeyStore, version 2): magic FEEDFEED, version, count; per entry a tag (1 = key,
 * 2 = trusted certificate), the alias (Java modified UTF-8), a date, the protected key and the
 * chain or the certificate; last a SHA-1 over password (UTF-16BE) + "Mighty Aphrodite" + all of
 * the above. The private keys stay sealed: nothing here reads them.
 */
import { createHash, timingSafeEqual } from 'crypto';

/** One entry as the store holds it. */
export interface JksEntry {
  alias: string;
  kind: 'key' | 'trusted';
  /** DER certificates: the chain (leaf first) of a key entry, the one certificate of a trusted entry. */
  certificates: Buffer[];
}

class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.b.length) throw new Error('truncated');
  }
  u16(): number {
    this.need(2);
    return this.b.readUInt16BE((this.pos += 2) - 2);
  }
  u32(): number {
    this.need(4);
    return this.b.readUInt32BE((this.pos += 4) - 4);
  }
  bytes(n: number): Buffer {
    this.need(n);
    return this.b.subarray(this.pos, (this.pos += n));
  }
  /** DataInput.readUTF; the aliases and type names we meet are ASCII. */
  utf(): string {
    return this.bytes(this.u16()).toString('utf8');
  }
  cert(): Buffer {
    const type = this.utf();
    if (type !== 'X.509') throw new Error(`certificate type ${type}`);
    return Buffer.from(this.bytes(this.u32()));
  }
}

/**
 * The entries of a JKS store, after checking its integrity digest with `password`. Throws
 * "not a JKS store", "wrong password or damaged" or a format error; never with the password.
 */
export function readJks(data: Buffer, password: string): JksEntry[] {
  if (data.length < 12 + 20 || data.readUInt32BE(0) !== 0xfeedfeed) throw new Error('not a JKS store');
  const body = data.subarray(0, data.length - 20);
  const pw = Buffer.from(password, 'utf16le').swap16();
  const digest = createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(body).digest();
  if (!timingSafeEqual(digest, data.subarray(data.length - 20))) throw new Error('wrong password or damaged');
  const r = new Reader(body);
  r.pos = 4;
  if (r.u32() !== 2) throw new Error('JKS version other than 2');
  const count = r.u32();
  const entries: JksEntry[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.u32();
    const alias = r.utf();
    r.bytes(8); // creation date
    if (tag === 1) {
      r.bytes(r.u32()); // the protected key
      const n = r.u32();
      const certificates: Buffer[] = [];
      for (let j = 0; j < n; j++) certificates.push(r.cert());
      entries.push({ alias, kind: 'key', certificates });
    } else if (tag === 2) {
      entries.push({ alias, kind: 'trusted', certificates: [r.cert()] });
    } else throw new Error(`entry tag ${tag}`);
  }
  if (r.pos !== body.length) throw new Error('trailing bytes');
  return entries;
}

/**
 * A JKS store of trusted certificates only (tag 2 entries), sealed with `password`: the layout
 * readJks reads, as keytool writes it. Used for the shipped CA bundles, whose hundred-odd
 * certificates would each cost keytool a JVM start.
 * @param entries Alias (ASCII, as JKS stores it lowercased) and DER certificate, in order.
 * @param password The store password (its integrity digest).
 * @param date The entries' creation date (ms since the epoch).
 */
export function writeTrustedJks(entries: { alias: string; der: Buffer }[], password: string, date = Date.now()): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    parts.push(b);
  };
  const utf = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const l = Buffer.alloc(2);
    l.writeUInt16BE(b.length);
    parts.push(l, b);
  };
  u32(0xfeedfeed);
  u32(2);
  u32(entries.length);
  for (const e of entries) {
    if (!/^[\x21-\x7e]{1,255}$/.test(e.alias) || e.alias !== e.alias.toLowerCase()) throw new Error(`JKS alias "${e.alias}" must be lowercase printable ASCII`);
    u32(2);
    utf(e.alias);
    const d = Buffer.alloc(8);
    d.writeBigUInt64BE(BigInt(date));
    parts.push(d);
    utf('X.509');
    u32(e.der.length);
    parts.push(e.der);
  }
  const body = Buffer.concat(parts);
  const pw = Buffer.from(password, 'utf16le').swap16();
  const digest = createHash('sha1').update(pw).update('Mighty Aphrodite', 'utf8').update(body).digest();
  return Buffer.concat([body, digest]);
}
