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
 *
 * Run as root (the Kubernetes apply container, the EC2 boot script), the new file keeps the owner
 * of the file it replaces, or, when there is none, takes the owner of its directory: the rename is
 * the one moment the file changes, so a product running as another user next to it (the other
 * node of a shared tree) never sees it root's. Not root, a process can only create its own files.
 * Where the file system itself sets the owner (an EFS access point) the temp file already has it.
 */
export function writeFileAtomic(file: string, data: Buffer, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let finalMode = mode;
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (finalMode === undefined) finalMode = existing ? existing.mode & 0o7777 : 0o644;
  const owner = process.getuid?.() === 0 ? (existing ?? fs.statSync(path.dirname(file))) : undefined;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', finalMode);
  try {
    fs.writeSync(fd, data);
    if (owner) keepOwner(fd, owner);
    fs.fchmodSync(fd, finalMode); // the umask may have narrowed the mode given to open; chown may clear set-id bits
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

/** Gives the open temp file `want`'s owner, when it differs; a file system refusing (EPERM) keeps its own. */
function keepOwner(fd: number, want: fs.Stats): void {
  const st = fs.fstatSync(fd);
  if (st.uid === want.uid && st.gid === want.gid) return;
  try {
    fs.fchownSync(fd, want.uid, want.gid);
  } catch (e) {
    // EFS access points and root-squashed NFS refuse chown; the owner there is theirs to choose.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
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
