/**
 * `text` changes (config-templates/types.ts `TextEdit`): exact-text replacements on a file's bytes,
 * for files that have no structure the other kinds edit (the analytics start scripts). Loud on
 * purpose: the stock text must be there exactly once, or our replacement exactly once (applied
 * before), and nothing else.
 */
import type { TextOp } from '../config-templates/types';

/** Number of non-overlapping occurrences of `needle` in `hay`. */
function count(hay: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

function checkOp(where: string, op: TextOp): { find: Buffer; replace: Buffer } {
  if (op.op !== 'replace') throw new Error(`${where}: unknown text op ${JSON.stringify((op as { op: unknown }).op)}`);
  if (typeof op.find !== 'string' || typeof op.replace !== 'string' || !op.find || !op.replace) {
    throw new Error(`${where}: find and replace must be non-empty strings`);
  }
  // Otherwise a file holding one could be read as holding the other: two states must stay two.
  if (op.find.includes(op.replace) || op.replace.includes(op.find)) {
    throw new Error(`${where}: find and replace must not contain one another`);
  }
  return { find: Buffer.from(op.find, 'utf8'), replace: Buffer.from(op.replace, 'utf8') };
}

/** A short, one-line view of an op's text for errors (start scripts hold no secrets). */
function shown(s: string): string {
  const line = s.trim().split('\n')[0];
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line);
}

/**
 * Applies text ops in order to a file's bytes.
 * @throws Error naming the file and the op when `find` is neither present exactly once nor already
 *   replaced (absent, with `replace` present exactly once).
 */
export function applyTextOps(file: string, data: Buffer, ops: TextOp[]): Buffer {
  let out = data;
  ops.forEach((op, i) => {
    const where = `${file}: text op ${i} (${shown(op.find)})`;
    const { find, replace } = checkOp(where, op);
    const finds = count(out, find);
    if (finds === 1) {
      const at = out.indexOf(find);
      const next = Buffer.concat([out.subarray(0, at), replace, out.subarray(at + find.length)]);
      // The surrounding bytes could complete another copy of either text: then a rerun would differ.
      if (count(next, find) !== 0 || count(next, replace) !== 1) throw new Error(`${where}: the replacement is not idempotent in this file`);
      out = next;
      return;
    }
    if (finds === 0 && count(out, replace) === 1) return;
    throw new Error(
      finds > 1
        ? `${where}: the text occurs ${finds} times, expected once`
        : `${where}: neither the text nor its replacement occurs exactly once (not the stock file this edit was written for)`,
    );
  });
  return out;
}
