/**
 * Fills `@@SECRET:name@@` / `@@SECRET:name|base64@@` placeholders (topology.ts `secretPlaceholder`)
 * in files under a product home, at boot, with escaping right for each file type. Rendered files,
 * user data and ConfigMaps only ever carry the placeholders.
 *
 * Secret values never appear in errors or logs: errors name the file and the placeholder only,
 * and parse errors of a filled file are reported without the parser's message (it may quote the line).
 */
import * as fs from 'fs';
import type { CST } from 'yaml';
import { yaml } from './yaml-lazy';
import { NODE_INTERNAL_CERTIFICATE, SECRET_NAMES, SECRET_PLACEHOLDER_RE, SecretName, SecretValues, VAULT_VALUES } from '../secret-names';
import { cryptoUtilEncrypt, secureVaultEncrypt } from './vault-crypto';
import { encodeXml, resolveUnder, writeFileAtomic, xmlEncoding } from './fsutil';
import { escapeAttr, escapeText, parseXml } from './xml';
import { ANALYTICS_VAULT_FILTERS } from './analytics-vault';

export type { SecretName, SecretValues } from '../secret-names';

/** File types `fillSecrets` knows how to escape for, by extension. */
export const SECRET_FILE_EXTENSIONS = ['.xml', '.yaml', '.yml', '.json', '.sql', '.properties'] as const;

/** What `fillSecrets` did to one file. */
export interface FilledFile {
  /** Path relative to the product home. */
  path: string;
  /** Names of the secrets filled in, sorted, without duplicates (never the values). */
  secrets: SecretName[];
}

export interface FillReport {
  /** Files that contained placeholders and were rewritten (mode 0600); files without any are skipped. */
  files: FilledFile[];
}

interface Hit {
  name: SecretName;
  /** The text replacing the placeholder, before file-type escaping. */
  value: string;
  start: number;
  end: number;
}

/** Certificates (public) and seeds the encrypting filters read from the values, besides the secret itself. */
type Values = Partial<Record<string, string>>;

function needValue(file: string, values: Values, key: string, filter: string): string {
  const v = values[key];
  if (typeof v !== 'string' || !v) throw new Error(`${file}: the ${filter} filter needs "${key}" in the secret values`);
  return v;
}

/**
 * The placeholder filters. `vault`: a Carbon 4 Secure Vault ciphertext under the primary
 * certificate (cipher-text.properties); `cryptoutil`: a CryptoUtil self-contained ciphertext under
 * the internal certificate (event publishers' `encrypted="true"` values); `vaultinternal`: as
 * `vault`, under the node's own internal certificate (DAS, from `apply --material`). All pad
 * deterministically, seeded with that keystore's store password (applier/vault-crypto.ts), so an
 * unchanged node gets the same bytes at every apply.
 */
const FILTERS: Record<string, (v: string, file: string, values: Values) => string> = {
  base64: (v) => Buffer.from(v, 'utf8').toString('base64'),
  vault: (v, file, values) =>
    secureVaultEncrypt(needValue(file, values, VAULT_VALUES.primaryCertificate, 'vault'), v, needValue(file, values, 'keystore_password', 'vault')),
  vaultinternal: (v, file, values) =>
    secureVaultEncrypt(needValue(file, values, NODE_INTERNAL_CERTIFICATE, 'vaultinternal'), v, needValue(file, values, 'internal_keystore_password', 'vaultinternal')),
  cryptoutil: (v, file, values) =>
    cryptoUtilEncrypt(
      needValue(file, values, VAULT_VALUES.internalCertificate, 'cryptoutil'),
      v,
      needValue(file, values, 'internal_keystore_password', 'cryptoutil'),
    ),
  // SP analytics Secure Vault: ciphertext under the node's TLS certificate (applier/analytics-vault.ts).
  ...ANALYTICS_VAULT_FILTERS,
};

function findPlaceholders(file: string, text: string, values: Partial<Record<string, string>>): Hit[] {
  const hits: Hit[] = [];
  for (const m of text.matchAll(new RegExp(SECRET_PLACEHOLDER_RE.source, 'g'))) {
    const [whole, name, filter] = m;
    if (!(SECRET_NAMES as readonly string[]).includes(name)) throw new Error(`${file}: unknown secret placeholder "${name}"`);
    const raw = values[name];
    if (typeof raw !== 'string') throw new Error(`${file}: no value given for secret "${name}"`);
    let value = raw;
    if (filter !== undefined) {
      const f = FILTERS[filter];
      if (!f) throw new Error(`${file}: unknown filter "${filter}" on secret "${name}"`);
      value = f(raw, file, values);
    }
    hits.push({ name: name as SecretName, value, start: m.index!, end: m.index! + whole.length });
  }
  return hits;
}

/** Replaces, inside `raw` (a span of the file starting at `offset`), the hits it contains. */
function replaceIn(raw: string, offset: number, hits: Hit[], escape: (v: string) => string, used: Set<Hit>): string {
  let out = '';
  let last = 0;
  for (const h of hits) {
    if (h.start < offset || h.end > offset + raw.length) continue;
    out += raw.slice(last, h.start - offset) + escape(h.value);
    last = h.end - offset;
    used.add(h);
  }
  return out + raw.slice(last);
}

function unsupported(file: string, hits: Hit[], used: Set<Hit>, where: string): void {
  const left = hits.find((h) => !used.has(h));
  if (left) throw new Error(`${file}: placeholder for secret "${left.name}" is ${where}`);
}

type Edit = { start: number; end: number; text: string };
function applyEdits(src: string, edits: Edit[]): string {
  let out = src;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** XML: placeholders in text, CDATA and attribute values; each escaped for where it lands. */
function fillXml(file: string, src: string, hits: Hit[], latin1: boolean): string {
  let doc;
  try {
    doc = parseXml(src);
  } catch (e) {
    throw new Error(`${file}: not well-formed XML: ${(e as Error).message}`);
  }
  const used = new Set<Hit>();
  const edits: Edit[] = [];
  const spans: { start: number; end: number; escape: (v: string) => string }[] = [];
  for (const t of doc.texts) {
    if (t.kind === 'text') spans.push({ start: t.start, end: t.end, escape: escapeText });
    if (t.kind === 'cdata') {
      spans.push({
        start: t.start + 9,
        end: t.end - 3,
        escape: (v) => {
          // No escaping inside CDATA: split it around any "]]>"; character references are not read there.
          if (latin1 && /[^\u0000-\u00ff]/u.test(v)) throw new Error(`${file}: secret cannot be written into CDATA of an ISO-8859-1 file`);
          return v.replace(/]]>/g, ']]]]><![CDATA[>');
        },
      });
    }
  }
  const walk = (el: typeof doc.root) => {
    for (const a of el.attrs) spans.push({ start: a.valueStart, end: a.valueEnd, escape: escapeAttr });
    el.children.forEach(walk);
  };
  walk(doc.root);
  for (const s of spans) {
    if (!hits.some((h) => h.start >= s.start && h.end <= s.end)) continue;
    edits.push({ start: s.start, end: s.end, text: replaceIn(src.slice(s.start, s.end), s.start, hits, s.escape, used) });
  }
  unsupported(file, hits, used, 'not inside XML text or an attribute value (comment or processing instruction?)');
  const out = applyEdits(src, edits);
  try {
    parseXml(out);
  } catch {
    throw new Error(`${file}: XML no longer well-formed after filling secrets`);
  }
  return out;
}

/**
 * YAML: placeholders inside scalar values, rewritten as double-quoted scalars (any content is
 * representable there and nothing is read as a number or a boolean). Done on the `yaml`
 * package's CST (rather than a Document round trip) so every other byte of the file is kept.
 */
function fillYaml(file: string, src: string, hits: Hit[]): string {
  const { CST: cst, Parser } = yaml();
  const used = new Set<Hit>();
  const tokens = [...new Parser().parse(src)];
  const checks: { token: CST.Token; want: string }[] = [];
  const visitScalar = (token: CST.Token | undefined, isKey: boolean) => {
    if (!token || !cst.isScalar(token)) return;
    const start = token.offset;
    const end = 'source' in token ? token.offset + token.source.length : start;
    const inside = hits.filter((h) => h.start >= start && h.end <= (token.type === 'block-scalar' ? src.length : end));
    if (!inside.length || isKey) return;
    const resolved = cst.resolveAsScalar(token, true);
    if (!resolved || resolved.value === undefined) return;
    const matches = [...resolved.value.matchAll(new RegExp(SECRET_PLACEHOLDER_RE.source, 'g'))];
    if (!matches.length) return;
    // Replace within the resolved value, mapping each placeholder occurrence to its hit in order.
    let i = 0;
    const ordered = inside.filter((h) => !used.has(h));
    const want = resolved.value.replace(new RegExp(SECRET_PLACEHOLDER_RE.source, 'g'), () => {
      const h = ordered[i++];
      if (!h) throw new Error(`${file}: could not locate a secret placeholder in a YAML scalar`);
      used.add(h);
      return h.value;
    });
    const type = token.type === 'block-scalar' ? undefined : 'QUOTE_DOUBLE';
    cst.setScalarValue(token, want, type ? { type } : {});
    checks.push({ token, want });
  };
  for (const doc of tokens) {
    if (doc.type !== 'document') continue;
    if (doc.value && cst.isScalar(doc.value)) visitScalar(doc.value, false);
    if (!doc.value) continue;
    cst.visit(doc, (item) => {
      visitScalar(item.key ?? undefined, true);
      visitScalar(item.value ?? undefined, false);
    });
  }
  unsupported(file, hits, used, 'not inside a YAML scalar value (a key or a comment?)');
  const out = tokens.map((t) => cst.stringify(t)).join('');
  for (const c of checks) {
    const r = cst.resolveAsScalar(c.token, true);
    if (!r || r.value !== c.want) throw new Error(`${file}: YAML scalar does not read back as the secret after filling`);
  }
  let errors = 0;
  for (const t of new Parser().parse(out)) if (t.type === 'error') errors++;
  if (errors) throw new Error(`${file}: YAML no longer parses after filling secrets`);
  return out;
}

/** JSON: placeholders inside string literals, JSON-escaped; every other byte kept. */
function fillJson(file: string, src: string, hits: Hit[]): string {
  const used = new Set<Hit>();
  const edits: Edit[] = [];
  for (const m of src.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    const start = m.index! + 1;
    const raw = m[0].slice(1, -1);
    if (!hits.some((h) => h.start >= start && h.end <= start + raw.length)) continue;
    edits.push({ start, end: start + raw.length, text: replaceIn(raw, start, hits, (v) => JSON.stringify(v).slice(1, -1), used) });
  }
  unsupported(file, hits, used, 'not inside a JSON string');
  const out = applyEdits(src, edits);
  try {
    JSON.parse(out);
  } catch {
    throw new Error(`${file}: JSON no longer parses after filling secrets`);
  }
  return out;
}

/**
 * SQL (MySQL/MariaDB): placeholders inside single-quoted string literals only. Escapes `\` as
 * `\\`, `'` as `''` and NUL as `\0`, which assumes the server's default sql_mode (backslash
 * escapes on, i.e. no NO_BACKSLASH_ESCAPES) — true for the database init scripts we ship.
 */
export function escapeSqlLiteral(v: string): string {
  return v.replace(/[\\'\0]/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "''" : '\\0'));
}

/** Spans of the contents of single-quoted literals, skipping comments, "..." and `...`. */
function sqlLiterals(file: string, src: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    // MySQL line comments: "#", and "--" followed by whitespace.
    if (c === '#' || (c === '-' && /^--(\s|$)/.test(src.slice(i, i + 3)))) {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl + 1;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`${file}: unterminated SQL comment`);
      i = end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === '\\' && c !== '`') { j++; continue; }
        if (src[j] === c) {
          if (src[j + 1] === c) { j++; continue; }
          break;
        }
      }
      if (j >= src.length) throw new Error(`${file}: unterminated SQL quoted string`);
      if (c === "'") spans.push({ start: i + 1, end: j });
      i = j + 1;
    } else {
      i++;
    }
  }
  return spans;
}

function fillSql(file: string, src: string, hits: Hit[]): string {
  const used = new Set<Hit>();
  const edits: Edit[] = [];
  for (const s of sqlLiterals(file, src)) {
    if (!hits.some((h) => h.start >= s.start && h.end <= s.end)) continue;
    edits.push({ start: s.start, end: s.end, text: replaceIn(src.slice(s.start, s.end), s.start, hits, escapeSqlLiteral, used) });
  }
  unsupported(file, hits, used, "not inside a single-quoted SQL string literal");
  const out = applyEdits(src, edits);
  sqlLiterals(file, out); // still balanced
  return out;
}

/**
 * A secret in a Java .properties value, escaped so `Properties.load` reads it back exactly: `\\`
 * doubled, line breaks, tab and form feed as `\n \r \t \f`, everything outside printable ASCII as
 * `\uXXXX` (the file is ISO-8859-1), and a blank that would start the value escaped.
 */
export function escapePropertiesValue(v: string, atValueStart = false): string {
  const named: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f' };
  const out = v.replace(/[\\\n\r\t\f]|[^\x20-\x7e]/g, (c) => named[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return atValueStart ? out.replace(/^ /, '\\ ') : out;
}

/**
 * .properties: placeholders only in the value of a `key=value` / `key:value` line (not in a key,
 * a comment or a continued line), escaped with `escapePropertiesValue`.
 */
function fillProperties(file: string, src: string, hits: Hit[]): string {
  const used = new Set<Hit>();
  const edits: Edit[] = [];
  let continued = false;
  for (const m of src.matchAll(/[^\r\n]*(?:\r\n|\r|\n|$)/g)) {
    if (m[0] === '') break; // the empty match at the end of the text
    const line = m[0].replace(/[\r\n]+$/, '');
    const lineStart = m.index!;
    const wasContinued: boolean = continued;
    const comment: boolean = !wasContinued && /^[ \t\f]*[#!]/.test(line);
    continued = !comment && /(?:^|[^\\])(?:\\\\)*\\$/.test(line);
    const sep = /^[ \t\f]*(?:[^\s=:\\]|\\.)+[ \t\f]*[=:][ \t\f]*/.exec(line);
    if (comment || wasContinued || continued || !sep) continue;
    const start = lineStart + sep[0].length;
    const end = lineStart + line.length;
    if (!hits.some((h) => h.start >= start && h.end <= end)) continue;
    const text = replaceIn(src.slice(start, end), start, hits, (v) => escapePropertiesValue(v, false), used);
    // A blank the secret puts at the very start of the value would be skipped by Properties.load.
    edits.push({ start, end, text: hits.some((h) => h.start === start) ? text.replace(/^ /, '\\ ') : text });
  }
  unsupported(file, hits, used, 'not in the value of a single-line key=value properties entry');
  return applyEdits(src, edits);
}

/** The result of filling one text: the filled text and the names of the secrets put in. */
export interface FilledText {
  text: string;
  /** Names of the secrets filled in, sorted, without duplicates (never the values); empty when none. */
  secrets: SecretName[];
}

function secretNames(hits: Hit[]): SecretName[] {
  return [...new Set(hits.map((h) => h.name))].sort();
}

/** The declared encoding of XML text decoded from a file (the declaration itself is ASCII). */
function declaredLatin1(file: string, text: string): boolean {
  return xmlEncodingOf(file, Buffer.from(text.slice(0, 200), 'latin1')) === 'latin1';
}

/**
 * Fills the placeholders of one file's text, in memory: the single filler behind both
 * `fillSecrets` (files on disk) and the applier's one-pass `apply` with secrets (applier/apply.ts),
 * so the two give the same bytes. Pure: no I/O.
 *
 * Escaping is chosen by the extension of `file`: `.xml` (text, CDATA and attribute values, escaped
 * as XML), `.yaml`/`.yml` (scalar values, re-quoted by the yaml library), `.json` (string values),
 * `.sql` (single-quoted literals, default sql_mode). Any other extension holding a placeholder is
 * refused. A text without placeholders comes back as it is, whatever its type.
 *
 * @param file path relative to the product home; names the file in errors and picks the escaping.
 * @param text the file's content, decoded (XML: from the encoding it declares; anything else UTF-8).
 * @param values secret values by name; the base64 filter encodes the UTF-8 bytes of the value.
 * @throws Error naming the file (and the placeholder, never the value) for an unknown placeholder
 *   name, a missing value, a placeholder in a position that cannot be escaped, or an unsupported type.
 */
export function fillText(file: string, text: string, values: SecretValues): FilledText {
  const hits = findPlaceholders(file, text, values as Record<string, string>);
  if (!hits.length) return { text, secrets: [] };
  const ext = extensionOf(file);
  let out: string;
  if (ext === '.xml') out = fillXml(file, text, hits, declaredLatin1(file, text));
  else if (ext === '.yaml' || ext === '.yml') out = fillYaml(file, text, hits);
  else if (ext === '.json') out = fillJson(file, text, hits);
  else if (ext === '.sql') out = fillSql(file, text, hits);
  else if (ext === '.properties') out = fillProperties(file, text, hits);
  else throw new Error(`${file}: cannot fill secrets in this file type (supported: ${SECRET_FILE_EXTENSIONS.join(' ')})`);
  return { text: out, secrets: secretNames(hits) };
}

/**
 * `fillText` on a file's bytes: decoded as `fillSecrets` reads them (an XML file in the encoding
 * it declares, anything else UTF-8) and encoded back the same way. Pure.
 * @returns the filled bytes and the secret names; `buf` itself (and no names) when it holds no placeholder.
 */
export function fillBuffer(file: string, buf: Buffer, values: SecretValues): { data: Buffer; secrets: SecretName[] } {
  const xml = extensionOf(file) === '.xml';
  const enc = xml && xmlEncodingOf(file, buf) === 'latin1' ? 'latin1' : 'utf8';
  const r = fillText(file, buf.toString(enc), values);
  if (!r.secrets.length) return { data: buf, secrets: [] };
  return { data: xml ? encodeXml(r.text, enc) : Buffer.from(r.text, 'utf8'), secrets: r.secrets };
}

function extensionOf(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot).toLowerCase();
}

/**
 * Fills the secret placeholders in `files` (paths relative to `home`), in place, with `fillText`.
 *
 * Files without placeholders are left untouched; filled files are written atomically with mode
 * 0600, keeping their owner (applier/fsutil.ts `writeFileAtomic`). All files are checked before
 * any is written. The applier's `apply` with secrets does the same for the files a change set
 * touches, in one pass; this remains for files it does not touch.
 *
 * @param values secret values by name; the base64 filter encodes the UTF-8 bytes of the value.
 * @throws Error as `fillText`, or naming a file that cannot be read.
 */
export function fillSecrets(home: string, files: string[], values: SecretValues): FillReport {
  const results: { abs: string; rel: string; data: Buffer; secrets: SecretName[] }[] = [];
  for (const rel of [...new Set(files)]) {
    const abs = resolveUnder(home, rel);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(abs);
    } catch (e) {
      throw new Error(`${rel}: cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const r = fillBuffer(rel, buf, values);
    if (r.secrets.length) results.push({ abs, rel, data: r.data, secrets: r.secrets });
  }
  for (const r of results) writeFileAtomic(r.abs, r.data, 0o600);
  return { files: results.map((r) => ({ path: r.rel, secrets: r.secrets })) };
}

function xmlEncodingOf(rel: string, buf: Buffer): 'latin1' | 'utf8' {
  try {
    return xmlEncoding(buf);
  } catch (e) {
    throw new Error(`${rel}: ${(e as Error).message}`);
  }
}
