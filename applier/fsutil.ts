/** File helpers shared by the applier and the secrets filler. */
import * as fs from 'fs';
import * as path from 'path';

/** Resolves `rel` under `home`, refusing absolute paths and paths that climb out of it. */
export function resolveUnder(home: string, rel: string): string {
  if (!rel || path.isAbsolute(rel)) throw new Error(`${rel || '(empty)'}: path must be relative to the product home`);
  const root = path.resolve(home);
  const abs = path.resolve(root, rel);
  if (abs !== root && !abs.startsWith(root + path.sep)) throw new Error(`${rel}: path escapes the product home`);
  return abs;
}

/**
 * Writes `data` to `file` atomically: a temp file in the same directory, fsync, rename. A crash
 * leaves either the old or the new file, never half of one. The mode is `mode` when given, else
 * the existing file's mode, else 0644.
 */
export function writeFileAtomic(file: string, data: Buffer, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let finalMode = mode;
  if (finalMode === undefined) {
    try {
      finalMode = fs.statSync(file).mode & 0o7777;
    } catch {
      finalMode = 0o644;
    }
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', finalMode);
  try {
    fs.writeSync(fd, data);
    fs.fchmodSync(fd, finalMode); // the umask may have narrowed the mode given to open
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The encoding an XML file declares; only ISO-8859-1 (registry.xml, carbon.xml) and UTF-8 occur in the products. */
export function xmlEncoding(head: Buffer): 'latin1' | 'utf8' {
  const m = /^\uFEFF?<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(head.subarray(0, 200).toString('latin1'));
  const enc = m ? m[1].toLowerCase() : 'utf-8';
  if (enc === 'iso-8859-1' || enc === 'latin1' || enc === 'iso8859-1') return 'latin1';
  if (enc === 'utf-8' || enc === 'utf8') return 'utf8';
  throw new Error(`unsupported XML encoding "${m ? m[1] : ''}"`);
}

/**
 * Encodes XML text for writing: in a Latin-1 file, characters beyond U+00FF (only ever in
 * content we inserted, the rest was decoded from Latin-1) become character references.
 */
export function encodeXml(text: string, enc: 'latin1' | 'utf8'): Buffer {
  if (enc === 'utf8') return Buffer.from(text, 'utf8');
  return Buffer.from(text.replace(/[^\u0000-\u00ff]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16).toUpperCase()};`), 'latin1');
}
