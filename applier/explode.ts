/**
 * The `explode` change (config-templates/types.ts `ExplodeArchive`) in two halves, so it fits the
 * applier's compute-then-write shape: `planExplode` decides and reads (nothing written; a bad
 * archive fails here), `materialise` writes, after every change of the set has succeeded.
 *
 * The temp directory lives next to `parkAs`, not next to `into`: a crash mid-extraction then
 * leaves debris where nothing is deployed from, never a half app in `webapps/` that Tomcat might
 * pick up. It must be on the file system of `into` for the final rename to be atomic, which the
 * renderer guarantees by keeping both in the product's (shared) deployment tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ExplodeArchive } from '../config-templates/types';
import { resolveUnder } from './fsutil';
import { readZip, ZipEntry } from './zip';

export interface Explosion {
  change: ExplodeArchive;
  absArchive: string;
  absInto: string;
  absPark: string;
  /** The archive's entries when it is to be unpacked; undefined when `into` already exists. */
  entries?: ZipEntry[];
  /** The file the entries were read from: the archive, or its parked copy (then nothing moves). */
  source?: string;
  /** Absolute target path -> content, for every file entry (the later edits read these). */
  files: Map<string, Buffer>;
}

/** True when `abs` is `dir` or inside it. */
export function isUnder(abs: string, dir: string): boolean {
  return abs === dir || abs.startsWith(dir + path.sep);
}

function kindOf(p: string): 'dir' | 'other' | 'none' {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
}

/** Checks the change and reads the archive if `into` is missing. Writes nothing. */
export function planExplode(home: string, c: ExplodeArchive): Explosion {
  for (const k of ['archive', 'into', 'parkAs'] as const) {
    if (typeof c[k] !== 'string') throw new Error(`explode: "${k}" must be a path`);
  }
  if (c.path !== c.archive) throw new Error(`${c.archive}: explode: "path" must equal "archive" (got ${JSON.stringify(c.path)})`);
  const x: Explosion = { change: c, absArchive: resolveUnder(home, c.archive), absInto: resolveUnder(home, c.into), absPark: resolveUnder(home, c.parkAs), files: new Map() };
  const where = `${c.archive}: explode into ${c.into}`;
  if (isUnder(x.absArchive, x.absInto) || isUnder(x.absPark, x.absInto) || isUnder(x.absInto, x.absArchive) || x.absArchive === x.absPark) {
    throw new Error(`${where}: archive, into and parkAs must be distinct and not inside each other`);
  }
  // Parked next to the archive, Tomcat would deploy it again.
  if (path.dirname(x.absPark) === path.dirname(x.absArchive)) throw new Error(`${where}: parkAs ${c.parkAs} is in the archive's own directory`);

  const into = kindOf(x.absInto);
  if (into === 'dir') return x;
  if (into === 'other') throw new Error(`${where}: ${c.into} exists and is not a directory`);
  for (const src of [x.absArchive, x.absPark]) {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(src);
    } catch (e) {
      // Moved by another node between our checks: try the parked copy.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    const rel = src === x.absArchive ? c.archive : c.parkAs;
    try {
      x.entries = readZip(buf);
    } catch (e) {
      throw new Error(`${rel}: ${(e as Error).message}; nothing was written`);
    }
    x.source = src;
    for (const e of x.entries) if (!e.dir) x.files.set(path.join(x.absInto, ...e.name.split('/')), e.data);
    return x;
  }
  // Another node may have finished the whole explode while we looked.
  if (kindOf(x.absInto) === 'dir') return x;
  throw new Error(`${where}: neither the archive nor the directory exists (nor a parked copy at ${c.parkAs})`);
}

function writeDurably(file: string, data: Buffer, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const fd = fs.openSync(file, 'w', mode);
  try {
    fs.writeSync(fd, data);
    fs.fchmodSync(fd, mode); // past the umask
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Unpacks into a fresh temp directory, writes `inside` (the change set's results for files under
 * `into`) over the entries, parks the archive, then renames the directory to `into`.
 * @returns true when this call put `into` in place; false when another process did first (its
 *   tree stays; the caller then applies its own results to it like any existing files).
 */
export function materialise(x: Explosion, inside: { abs: string; data: Buffer; mode?: number }[]): boolean {
  const parkDir = path.dirname(x.absPark);
  fs.mkdirSync(parkDir, { recursive: true, mode: 0o755 });
  const tmp = path.join(parkDir, `.${path.basename(x.absInto)}.${process.pid}.${Date.now()}.unpacking`);
  try {
    fs.mkdirSync(tmp, { mode: 0o755 });
    const modes = new Map<string, number>();
    for (const e of x.entries!) {
      const target = path.join(tmp, ...e.name.split('/'));
      if (e.dir) fs.mkdirSync(target, { recursive: true, mode: 0o755 });
      else writeDurably(target, e.data, e.mode);
      modes.set(path.join(x.absInto, ...e.name.split('/')), e.mode);
    }
    for (const f of inside) writeDurably(path.join(tmp, path.relative(x.absInto, f.abs)), f.data, f.mode ?? modes.get(f.abs) ?? 0o644);
    fs.chmodSync(tmp, 0o755);
    if (x.source === x.absArchive) {
      try {
        fs.renameSync(x.absArchive, x.absPark);
      } catch (e) {
        // Another node parked it first; its copy and ours are the same archive.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    fs.mkdirSync(path.dirname(x.absInto), { recursive: true, mode: 0o755 });
    try {
      fs.renameSync(tmp, x.absInto);
      return true;
    } catch (e) {
      // A non-empty `into` now exists: another node won the race. Anything else is a failure.
      if (kindOf(x.absInto) !== 'dir') throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
      return false;
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`${x.change.archive}: explode into ${x.change.into}: ${(e as Error).message}`);
  }
}
