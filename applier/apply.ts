/**
 * The applier: applies a rendered change set (config-templates/types.ts) to a WSO2 product home.
 *
 * The same code runs in-process during `npm run plan` and, bundled into one file
 * (applier/bundle.ts), on each node at boot. It is strict on purpose: every anchor a change
 * relies on (the file, the element a path names, a YAML/JSON parent) must exist, or the whole
 * change set is refused before anything is written, with an error naming the file, op and path.
 */
import * as fs from 'fs';
import type { FileChange, NodeChangeSet, XmlOp } from '../config-templates/types';
import { Explosion, isUnder, materialise, planExplode } from './explode';
import { applyJsonOps, applyYamlOps } from './doc';
import { encodeXml, resolveUnder, writeFileAtomic, xmlEncoding } from './fsutil';
import { applyProperties } from './properties';
import { applyTextOps } from './text';
import { fillBuffer, SecretName, SecretValues } from './secrets';
import {
  insertChild, parseStep, parseXml, removeAttr, removeElement, replaceElement, select, setAttr, setText, stepMatches,
  XDoc, XElement,
} from './xml';

export type { FileChange, NodeChangeSet } from '../config-templates/types';

/** What one `applyChangeSet` call did to one file (or, for `explode`, to one directory). */
export interface AppliedFile {
  /** Path relative to the product home; an explode's `into`. */
  path: string;
  kind: FileChange['kind'];
  /** Number of ops applied (1 for a whole file). */
  ops: number;
  /** False when the file already had exactly this content (and mode); for explode, when `into` existed. */
  changed: boolean;
  /** With `secrets`: names of the secrets filled into this file (never the values); absent when none. */
  secrets?: SecretName[];
}

/** The result of `applyChangeSet`: one entry per explode, then one per distinct file, each in first-touched order. */
export interface ApplyReport {
  files: AppliedFile[];
}

/** Options of `applyChangeSet`. */
export interface ApplyOptions {
  /** Compute the result without writing anything (the report still says what would change). */
  dryRun?: boolean;
  /**
   * Secret values by name. When given, each file the change set touches has its placeholders
   * filled in memory (applier/secrets.ts `fillText`, as `fillSecrets` would on disk) before it is
   * compared with the file on disk: a file holding a placeholder is written, mode 0600, only when
   * its filled content differs, so a placeholder never reaches the disk. Without it, placeholders
   * are written as rendered (for `plan`, or a separate `fillSecrets`).
   */
  secrets?: SecretValues;
}

interface Pending {
  abs: string;
  rel: string;
  kind: FileChange['kind'];
  original: Buffer | undefined;
  data: Buffer;
  mode: number | undefined;
  ops: number;
  secrets?: SecretName[];
}

function describeXmlOp(op: XmlOp): string {
  return op.op === 'upsertChild' ? `upsertChild ${op.parent} ${op.match}` : `${op.op} ${op.path}`;
}

function exactlyOne(doc: XDoc, path: string, what: string): XElement {
  const hits = select(doc, path);
  if (hits.length !== 1) throw new Error(`${what}: ${hits.length === 0 ? 'no element matches' : `${hits.length} elements match`} ${path}`);
  return hits[0];
}

/** Applies XML ops to source text (decoded). Exported for tests and for `plan` previews. */
export function applyXmlOps(file: string, src: string, ops: XmlOp[]): string {
  let doc: XDoc;
  try {
    doc = parseXml(src);
  } catch (e) {
    throw new Error(`${file}: not well-formed XML: ${(e as Error).message}`);
  }
  for (const op of ops) {
    const where = `${file}: ${describeXmlOp(op)}`;
    let out: string;
    try {
      switch (op.op) {
        case 'setText':
          out = setText(doc, exactlyOne(doc, op.path, where), op.value);
          break;
        case 'setAttr':
          out = setAttr(doc, exactlyOne(doc, op.path, where), op.name, op.value);
          break;
        case 'upsertChild': {
          const parent = exactlyOne(doc, op.parent, where);
          const match = parseStep(op.match);
          const existing = parent.children.filter((c) => stepMatches(doc, c, match));
          if (existing.length > 1) throw new Error(`${where}: ${existing.length} children match ${op.match}`);
          let r: { src: string; inserted: XDoc };
          if (existing.length === 1) {
            r = replaceElement(doc, existing[0], op.xml);
          } else {
            let before: XElement | undefined;
            if (op.before !== undefined) {
              const b = parseStep(op.before);
              before = parent.children.find((c) => stepMatches(doc, c, b));
              if (!before) throw new Error(`${where}: no child matches before=${op.before}`);
            }
            r = insertChild(doc, parent, op.xml, before);
          }
          // Otherwise the next run would append a second copy.
          if (!stepMatches(r.inserted, r.inserted.root, match)) throw new Error(`${where}: the fragment does not match ${op.match}, so the op is not idempotent`);
          out = r.src;
          break;
        }
        case 'replace': {
          let hits = select(doc, op.path);
          let used = op.path;
          if (hits.length === 0 && op.orMatch !== undefined) {
            hits = select(doc, op.orMatch);
            used = op.orMatch;
          }
          if (hits.length !== 1) {
            throw new Error(`${where}: ${hits.length === 0 ? 'no element matches' : `${hits.length} elements match`} ${used}`);
          }
          const r = replaceElement(doc, hits[0], op.xml);
          const next = parseXml(r.src);
          const again = select(next, op.path).length + (op.orMatch !== undefined ? select(next, op.orMatch).length : 0);
          if (again === 0) throw new Error(`${where}: the new element matches neither path nor orMatch, so the op is not idempotent`);
          out = r.src;
          break;
        }
        case 'removeAttr':
          out = removeAttr(doc, exactlyOne(doc, op.path, where), op.name);
          break;
        case 'remove': {
          const hits = select(doc, op.path);
          if (hits.length === 0 && !op.optional) throw new Error(`${where}: no element matches ${op.path}`);
          out = doc.src;
          // Back to front, so earlier spans stay valid.
          for (const el of [...hits].reverse()) out = removeElement({ ...doc, src: out }, el);
          break;
        }
        default:
          throw new Error(`${file}: unknown XML op ${JSON.stringify((op as { op: unknown }).op)}`);
      }
      // An op that changed nothing (every op of an unchanged reboot) leaves the parse as it is.
      if (out !== doc.src) doc = parseXml(out);
    } catch (e) {
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(file + ':') ? msg : `${where}: ${msg}`);
    }
  }
  return doc.src;
}

function applyOne(change: FileChange, current: Buffer | undefined): { data: Buffer; mode?: number; ops: number } {
  const file = change.path;
  if (change.kind === 'file') {
    let mode: number | undefined;
    if (change.mode !== undefined) {
      if (!/^0?[0-7]{3,4}$/.test(change.mode)) throw new Error(`${file}: bad mode "${change.mode}"`);
      mode = parseInt(change.mode, 8);
    }
    return { data: Buffer.from(change.content, 'utf8'), mode, ops: 1 };
  }
  // An optional file the product does not ship: created from nothing, only where the change says so.
  if (current === undefined && change.kind === 'properties' && change.create === true) current = Buffer.alloc(0);
  if (current === undefined) throw new Error(`${file}: ${change.kind} edit: file does not exist`);
  if (change.kind === 'xml') {
    let enc: 'latin1' | 'utf8';
    try {
      enc = xmlEncoding(current);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    const out = applyXmlOps(file, current.toString(enc), change.ops);
    return { data: encodeXml(out, enc), ops: change.ops.length };
  }
  if (change.kind === 'yaml') {
    return { data: Buffer.from(applyYamlOps(file, current.toString('utf8'), change.ops), 'utf8'), ops: change.ops.length };
  }
  if (change.kind === 'json') {
    return { data: Buffer.from(applyJsonOps(file, current.toString('utf8'), change.ops), 'utf8'), ops: change.ops.length };
  }
  if (change.kind === 'properties') {
    // latin1 both ways: Properties.load reads ISO-8859-1, and every byte we do not set is kept as is.
    let out: string;
    try {
      out = applyProperties(current.toString('latin1'), change.ops, change.separator);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    return { data: Buffer.from(out, 'latin1'), ops: change.ops.length };
  }
  if (change.kind === 'text') return { data: applyTextOps(file, current, change.ops), ops: change.ops.length };
  throw new Error(`${(change as { path?: string }).path ?? '?'}: unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}`);
}

/**
 * Applies every change to the files under `home`, in order (several changes may touch one file).
 *
 * All results are computed in memory first; only when every change succeeded are the files
 * written, each atomically (temp file + rename), and only those whose bytes or mode differ.
 * Applying the same change set twice leaves the files byte-identical to applying it once.
 *
 * With `opts.secrets` the placeholders of the touched files are filled in that same in-memory
 * pass, before the comparison (one step instead of `apply` then `fillSecrets`, with the same
 * bytes and mode as those two give): re-applying an unchanged change set to a filled home then
 * writes nothing, and no file ever holds a placeholder on disk, not even for a moment.
 *
 * `explode` changes take part in that: the archive is read and checked in memory, the files of
 * later changes under its `into` are read from the archive's entries, and at the end, before any
 * other file is written, the directory appears with those changes already in it (applier/explode.ts).
 * A failing change therefore leaves no half-done unpack behind, and a dry run writes nothing. An
 * explode must come before every change of a file under its `into` (checked, not re-sorted: the
 * order of a change set is its meaning, and a renderer emitting it wrong is a bug to surface).
 *
 * @param home product home, e.g. `/opt/wso2is-5.8.0`; change paths are relative to it.
 * @param cs a node's change set, or just its list of changes.
 * @throws Error naming the file, the op and the path when an anchor is missing (file, element,
 *   parent mapping), a path is ambiguous, a fragment is not well-formed, a path leaves `home`, an
 *   archive to explode is missing or unsafe, or an explode comes after a change inside its `into`.
 */
export function applyChangeSet(home: string, cs: NodeChangeSet | FileChange[], opts: ApplyOptions = {}): ApplyReport {
  const changes = Array.isArray(cs) ? cs : cs.changes;
  if (!Array.isArray(changes)) throw new Error('change set has no "changes" list');
  // Order first, so a misordered set gets this error rather than an edit's missing file.
  changes.forEach((c, i) => {
    if (c.kind !== 'explode') return;
    const into = resolveUnder(home, c.into);
    const early = changes.slice(0, i).find((e) => e.kind !== 'explode' && isUnder(resolveUnder(home, e.path), into));
    if (early) throw new Error(`${c.into}: explode must come before the change of ${early.path}, a file inside it`);
  });
  const pending = new Map<string, Pending>();
  const explosions: Explosion[] = [];
  const files: AppliedFile[] = [];
  for (const change of changes) {
    if (change.kind === 'explode') {
      const x = planExplode(home, change);
      const clash = explosions.find((o) => isUnder(o.absInto, x.absInto) || isUnder(x.absInto, o.absInto));
      if (clash) throw new Error(`${change.into}: overlaps the explode into ${clash.change.into}`);
      explosions.push(x);
      files.push({ path: change.into, kind: 'explode', ops: 1, changed: x.entries !== undefined });
      continue;
    }
    const abs = resolveUnder(home, change.path);
    let p = pending.get(abs);
    if (!p) {
      let original: Buffer | undefined;
      const from = explosions.find((x) => x.entries && isUnder(abs, x.absInto));
      if (from) original = from.files.get(abs);
      else {
        try {
          original = fs.readFileSync(abs);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${change.path}: ${(e as Error).message}`);
        }
      }
      p = { abs, rel: change.path, kind: change.kind, original, data: original ?? Buffer.alloc(0), mode: undefined, ops: 0 };
      pending.set(abs, p);
    }
    const current = p.original === undefined && p.ops === 0 ? undefined : p.data;
    const r = applyOne(change, current);
    p.data = r.data;
    if (r.mode !== undefined) p.mode = r.mode;
    p.ops += r.ops;
    if (change.kind === 'file') p.kind = 'file';
  }
  // Fill before comparing: an unchanged change set on a filled home then compares equal and writes
  // nothing, and a changed file goes from its old content to its filled one in one rename. Every
  // file is filled before any is written, so a bad placeholder also leaves everything as it was.
  if (opts.secrets) {
    for (const p of pending.values()) {
      const r = fillBuffer(p.rel, p.data, opts.secrets);
      if (!r.secrets.length) continue;
      p.data = r.data;
      p.mode = 0o600; // as fillSecrets: the product user's alone
      p.secrets = r.secrets;
    }
  }
  const writes: { p: Pending; changed: boolean }[] = [];
  for (const p of pending.values()) {
    const inExplosion = explosions.some((x) => x.entries && isUnder(p.abs, x.absInto));
    let modeDiffers = false;
    if (p.mode !== undefined && p.original !== undefined && !inExplosion) modeDiffers = (fs.statSync(p.abs).mode & 0o7777) !== p.mode;
    const changed = p.original === undefined || !p.original.equals(p.data) || modeDiffers;
    files.push({ path: p.rel, kind: p.kind, ops: p.ops, changed, ...(p.secrets ? { secrets: p.secrets } : {}) });
    writes.push({ p, changed });
  }
  if (opts.dryRun) return { files };
  // Unpacks first, with the edited files of each `into` written into it before it appears.
  const settled = new Set<string>();
  for (const x of explosions) {
    if (!x.entries) continue;
    const inside = writes.filter((w) => isUnder(w.p.abs, x.absInto)).map((w) => ({ abs: w.p.abs, data: w.p.data, mode: w.p.mode }));
    if (materialise(x, inside)) for (const f of inside) settled.add(f.abs);
  }
  for (const { p, changed } of writes) {
    if (settled.has(p.abs)) continue;
    // Inside an `into` another process unpacked first: that tree is on disk now, compare with it.
    if (explosions.some((x) => x.entries && isUnder(p.abs, x.absInto))) writeIfDifferent(p.abs, p.data, p.mode);
    else if (changed) writeFileAtomic(p.abs, p.data, p.mode);
  }
  return { files };
}

/** Atomic write unless the file already holds exactly these bytes (and mode). */
function writeIfDifferent(abs: string, data: Buffer, mode: number | undefined): void {
  try {
    const st = fs.statSync(abs);
    if ((mode === undefined || (st.mode & 0o7777) === mode) && fs.readFileSync(abs).equals(data)) return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  writeFileAtomic(abs, data, mode);
}
