/**
 * Zip archives for tests, written in code so that the same input always gives the same bytes:
 * every entry carries one fixed time (a zip stores each entry's modification time, to the
 * second: two archives of one tree zipped in different seconds differ) and a tree's entries come
 * in sorted order. Also makes the malformed archives the zip tool will not write.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** The fixed entry time, MS-DOS format: 1980-01-01 00:00:00 (the format's first day). */
export const ZIP_DOS_DATE = (0 << 9) | (1 << 5) | 1;
export const ZIP_DOS_TIME = 0;
/** The fixed time for fixture files handed to a real archiver (`touch -d`, `fs.utimesSync`). */
export const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export interface RawEntry {
  name: string;
  data?: string | Buffer;
  /** 0 stored, 8 deflated (default). */
  method?: number;
  /** Full st_mode (type and permission bits); when set, "made by" says Unix. */
  unixMode?: number;
  flags?: number;
  crc?: number;
  /** Sizes and CRC after the data (flag bit 3), zero in the local header, as `jar` streams them. */
  descriptor?: boolean;
}

/** A zip of exactly these entries, in this order (nothing checked: bad entries are the point). */
export function makeZip(entries: RawEntry[], opts: { zip64Locator?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const method = e.method ?? 8;
    const comp = method === 8 ? zlib.deflateRawSync(data) : data;
    const name = Buffer.from(e.name, 'utf8');
    const crc = e.crc ?? zlib.crc32(data);
    const flags = (e.flags ?? 0) | 0x800 | (e.descriptor ? 0x8 : 0);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(ZIP_DOS_TIME, 10);
    lh.writeUInt16LE(ZIP_DOS_DATE, 12);
    if (!e.descriptor) {
      lh.writeUInt32LE(crc, 14);
      lh.writeUInt32LE(comp.length, 18);
      lh.writeUInt32LE(data.length, 22);
    }
    lh.writeUInt16LE(name.length, 26);
    const dd = Buffer.alloc(e.descriptor ? 16 : 0);
    if (e.descriptor) {
      dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(crc, 4);
      dd.writeUInt32LE(comp.length, 8);
      dd.writeUInt32LE(data.length, 12);
    }
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(e.unixMode !== undefined ? 0x0314 : 20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(ZIP_DOS_TIME, 12);
    ch.writeUInt16LE(ZIP_DOS_DATE, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(e.unixMode !== undefined ? (e.unixMode * 0x10000) >>> 0 : 0, 38);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, comp, dd);
    central.push(ch, name);
    offset += 30 + name.length + comp.length + dd.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (opts.zip64Locator) {
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    tail.push(loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}

/**
 * The tree under `dir` as a zip, as `zip -r` run inside it would hold it (names relative to
 * `dir`, directories as `name/` entries, files deflated with their permission bits) but in sorted
 * order and at the fixed time: the same tree always gives the same bytes. Files under `top`
 * (a relative prefix) when given, as `zip -r out top` run in `dir`.
 */
export function zipTree(dir: string, top = ''): Buffer {
  const entries: RawEntry[] = [];
  const walk = (rel: string) => {
    const names = fs.readdirSync(path.join(dir, rel)).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const st = fs.statSync(path.join(dir, r));
      if (st.isDirectory()) {
        entries.push({ name: `${r}/`, method: 0, unixMode: 0o040000 | (st.mode & 0o777) });
        walk(r);
      } else entries.push({ name: r, data: fs.readFileSync(path.join(dir, r)), unixMode: 0o100000 | (st.mode & 0o777) });
    }
  };
  if (top) entries.push({ name: `${top}/`, method: 0, unixMode: 0o040755 });
  walk(top);
  return makeZip(entries);
}

/** zipTree(dir, top) written to `out` (its directory created). */
export function zipTreeTo(dir: string, out: string, top = ''): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, zipTree(dir, top));
}

/** Sets every file and directory under `dir` (and `dir`) to FIXED_MTIME, for a real archiver. */
export function touchTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) touchTree(p);
    else fs.utimesSync(p, FIXED_MTIME, FIXED_MTIME);
  }
  fs.utimesSync(dir, FIXED_MTIME, FIXED_MTIME);
}
