/**
 * A small, strict zip reader (a `.war` is a zip) for the `explode` change: the node-side applier
 * has no node_modules and must not depend on an `unzip` binary being installed (the Kubernetes
 * apply container is a plain Node image). Reads the central directory, supports the two methods
 * jar/war tools write (0 stored, 8 deflate, via zlib.inflateRawSync) and refuses, before anything
 * is written, whatever it cannot extract safely: zip64, encryption, multi-disk archives, symlinks,
 * absolute or `..` entry names (zip-slip), duplicates, bad sizes or CRCs.
 */
import * as zlib from 'zlib';

export interface ZipEntry {
  /** Relative path with `/` separators, no trailing slash. */
  name: string;
  dir: boolean;
  /** 0o755 for directories and executable files, else 0o644. */
  mode: number;
  /** File content (empty for directories). */
  data: Buffer;
}

/** Limit on the total uncompressed size, so a crafted archive cannot exhaust memory. */
export const MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32(buf: Buffer): number {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A safe relative entry name, or an error: the zip-slip guard. */
function safeName(raw: string): string {
  const name = raw.endsWith('/') ? raw.slice(0, -1) : raw;
  if (name === '' || name.includes('\0') || name.includes('\\')) throw new Error(`bad entry name ${JSON.stringify(raw)}`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new Error(`absolute entry name ${JSON.stringify(raw)}`);
  if (name.split('/').some((s) => s === '..' || s === '.' || s === '')) throw new Error(`entry name ${JSON.stringify(raw)} leaves the target directory or is not normalised`);
  return name;
}

/**
 * Parses a whole zip archive in memory. Every entry is checked and decompressed before the
 * function returns, so a caller that writes afterwards never writes half of a bad archive.
 * @throws Error describing the first problem (the caller prefixes the archive's path).
 */
export function readZip(buf: Buffer): ZipEntry[] {
  // End of central directory: 22 bytes plus a comment of at most 65535.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  if (eocd >= 20 && buf.readUInt32LE(eocd - 20) === 0x07064b50) throw new Error('zip64 archives are not supported');
  const disk = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new Error('zip64 archives are not supported');
  if (disk !== 0 || cdDisk !== 0 || buf.readUInt16LE(eocd + 8) !== count) throw new Error('multi-disk archives are not supported');
  if (cdOffset + cdSize > eocd) throw new Error('central directory out of bounds');

  const entries: ZipEntry[] = [];
  const seen = new Map<string, boolean>(); // name -> is a directory
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`central directory entry ${i} is corrupt`);
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const rawName = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    const what = `entry ${JSON.stringify(rawName)}`;
    const name = safeName(rawName);
    if (flags & 0x41) throw new Error(`${what} is encrypted`);
    if (csize === 0xffffffff || usize === 0xffffffff || local === 0xffffffff) throw new Error(`${what}: zip64 entries are not supported`);
    if (seen.has(name)) throw new Error(`${what} appears twice`);
    // Unix "made by": the mode is in the high half of the external attributes.
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    if ((unixMode & 0o170000) === 0o120000) throw new Error(`${what} is a symbolic link`);
    const dir = rawName.endsWith('/') || (unixMode & 0o170000) === 0o040000;
    seen.set(name, dir);

    if (local + 30 > cdOffset || buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${what}: local header is corrupt`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + csize > cdOffset) throw new Error(`${what}: data out of bounds`);
    total += usize;
    if (total > MAX_TOTAL_BYTES) throw new Error(`archive expands to more than ${MAX_TOTAL_BYTES} bytes`);
    const raw = buf.subarray(start, start + csize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(usize, 1) });
      } catch (e) {
        throw new Error(`${what}: cannot inflate: ${(e as Error).message}`);
      }
    } else throw new Error(`${what}: compression method ${method} is not supported`);
    if (data.length !== usize) throw new Error(`${what}: size ${data.length}, expected ${usize}`);
    if (crc32(data) !== crc) throw new Error(`${what}: CRC mismatch`);
    if (dir && data.length) throw new Error(`${what}: a directory with content`);
    entries.push({ name, dir, mode: dir || unixMode & 0o111 ? 0o755 : 0o644, data: dir ? Buffer.alloc(0) : data });
  }
  // A file that is also another entry's parent directory cannot be extracted.
  for (const e of entries) {
    for (let s = e.name.indexOf('/'); s > 0; s = e.name.indexOf('/', s + 1)) {
      const parent = e.name.slice(0, s);
      if (seen.get(parent) === false) throw new Error(`entry "${parent}" is a file and a directory`);
    }
  }
  return entries;
}
