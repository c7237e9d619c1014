/**
 * Line-based `key<separator>value` files (spark-defaults.conf, Java .properties): the
 * `properties` change kind of config-templates/types.ts.
 *
 * Only the line of a key we set is touched; every other byte (comments, blank lines, other keys,
 * line endings) is kept. Both Spark and Java read these files with `java.util.Properties.load`, so
 * keys are matched the way it reads them: leading blanks skipped, the key ends at the first blank,
 * `=` or `:`; `#`/`!` lines are comments; a line ending in an odd number of backslashes continues
 * onto the next one (which is then no key line of its own).
 */

export interface PropertiesSetOp {
  op: 'set';
  key: string;
  value: string;
}

interface Line {
  /** The line without its end-of-line characters. */
  text: string;
  /** '\n', '\r\n' or '' (last line without one). */
  eol: string;
  /** True when the previous line continued onto this one. */
  continuation: boolean;
}

const BLANK = '[ \\t\\f]';

function splitLines(src: string): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\n|\r/g;
  let last = 0;
  let continues = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const text = src.slice(last, m.index);
    lines.push({ text, eol: m[0], continuation: continues });
    continues = continuesOnto(text, continues);
    last = m.index + m[0].length;
  }
  if (last < src.length) lines.push({ text: src.slice(last), eol: '', continuation: continues });
  return lines;
}

/** Whether a line continues onto the next one (Properties.load: odd count of trailing backslashes). */
function continuesOnto(text: string, isContinuation: boolean): boolean {
  const trimmed = text.replace(/^[ \t\f]+/, '');
  if (!isContinuation && (trimmed.startsWith('#') || trimmed.startsWith('!'))) return false;
  const m = /\\+$/.exec(text);
  return !!m && m[0].length % 2 === 1;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function checkKey(key: string): void {
  if (!key || /[\s=:#!\\]/.test(key)) throw new Error(`bad properties key ${JSON.stringify(key)}`);
}

/** The value as Properties.load reads it back: backslashes doubled, no line breaks allowed. */
function encodeValue(key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`value of ${key} has a line break`);
  // Leading blanks of a value are dropped by Properties.load; escape the first so it survives.
  return value
    .replace(/\\/g, '\\\\')
    .replace(/^[ \t\f]/, (c) => '\\' + c)
    // The file is ISO-8859-1; anything outside printable ASCII travels as a \uXXXX escape.
    .replace(/[^\x20-\x7e]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Applies `set` ops to the text of a properties file and returns the new text.
 * `set` replaces the active `key` line; when there is none, it uncomments the first commented-out
 * `#key` / `# key` line; when there is none of those either, it appends `key<separator>value`.
 * Idempotent and deterministic.
 * @throws when a key is malformed, a value has a line break, or the key is active on more than
 *   one line (Properties.load keeps the last one, so setting the first would silently not take).
 */
export function applyProperties(text: string, ops: readonly PropertiesSetOp[], separator: ' ' | '='): string {
  if (separator !== ' ' && separator !== '=') throw new Error(`bad properties separator ${JSON.stringify(separator)}`);
  let lines = splitLines(text);
  for (const op of ops) {
    if (op.op !== 'set') throw new Error(`unknown properties op ${JSON.stringify((op as { op: unknown }).op)}`);
    checkKey(op.key);
    const wanted = `${op.key}${separator}${encodeValue(op.key, op.value)}`;
    const k = escapeRe(op.key);
    const active = new RegExp(`^${BLANK}*${k}(?:[ \\t\\f=:]|$)`);
    const commented = new RegExp(`^${BLANK}*#${BLANK}*${k}(?:[ \\t\\f=:]|$)`);
    const hits = lines.flatMap((l, i) => (!l.continuation && active.test(l.text) ? [i] : []));
    if (hits.length > 1) {
      throw new Error(`key ${op.key} is set on ${hits.length} lines (${hits.map((i) => i + 1).join(', ')}); refusing to guess which one counts`);
    }
    let at = hits[0];
    if (at === undefined) at = lines.findIndex((l) => !l.continuation && commented.test(l.text));
    if (at !== undefined && at >= 0) {
      if (continuesOnto(lines[at].text, false) && active.test(lines[at].text)) {
        throw new Error(`key ${op.key} continues onto the next line; not replacing a multi-line value`);
      }
      lines = lines.map((l, i) => (i === at ? { ...l, text: wanted } : l));
    } else {
      const eol = lines.find((l) => l.eol)?.eol ?? '\n';
      const last = lines[lines.length - 1];
      if (last && continuesOnto(last.text, last.continuation)) {
        throw new Error(`the last line continues onto the next one; cannot append ${op.key}`);
      }
      if (last && last.eol === '') lines = [...lines.slice(0, -1), { ...last, eol }];
      lines = [...lines, { text: wanted, eol, continuation: false }];
    }
  }
  return lines.map((l) => l.text + l.eol).join('');
}
