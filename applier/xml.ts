/**
 * Lossless XML editing for the applier.
 *
 * Why not round-trip through a DOM serialiser: xmlbuilder2 (and @xmldom/xmldom alike) re-serialise
 * the whole document, which drops the newlines between the prolog and the root element, rewrites
 * the one-attribute-per-line layout of catalina-server.xml's Connectors onto one line, collapses
 * `<a></a>` into `<a/>`, changes the quotes of the XML declaration and adds one where the stock
 * file had none. Operators diff these files against the stock ones, so we keep every byte we do
 * not mean to change: the document is scanned into a tree of source spans, each op splices the
 * source text, and the result is scanned again (which also checks it is well-formed; xmlbuilder2's
 * parser is lenient and accepts e.g. `<a><b></a>`). Inserted fragments (rendered by xmlbuilder2)
 * are laid out by the same scanner. Not pulling xmlbuilder2 (and its DOM, ~650 KB) into the
 * bundle also keeps the applier small enough for a ConfigMap.
 */

export interface XAttr {
  /** Qualified name as written. */
  name: string;
  local: string;
  /** Decoded value. */
  value: string;
  /** Span of the raw value, quotes excluded. */
  valueStart: number;
  valueEnd: number;
  /** Span of the whole `name="value"`. */
  start: number;
  end: number;
  /** Whitespace before the attribute, as written. */
  leading: string;
}

export interface XElement {
  name: string;
  local: string;
  prefix: string | undefined;
  attrs: XAttr[];
  /** `<` of the start tag. */
  start: number;
  /** Just after the `>` of the start tag. */
  startTagEnd: number;
  /** Start of the end tag (equals `end` for a self-closing element). */
  contentEnd: number;
  /** Just after the element. */
  end: number;
  selfClosing: boolean;
  children: XElement[];
  parent: XElement | undefined;
}

/** A run of character data the secrets filler may rewrite. */
export interface XText {
  kind: 'text' | 'cdata' | 'comment' | 'pi';
  start: number;
  end: number;
}

export interface XDoc {
  src: string;
  root: XElement;
  texts: XText[];
}

const NAME_RE = /^[A-Za-z_:\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function fail(msg: string, src: string, pos: number): never {
  const line = src.slice(0, pos).split('\n').length;
  throw new Error(`${msg} (line ${line})`);
}

/** Decodes the predefined entities and character references; rejects anything else. */
export function decodeXml(raw: string, src = raw, at = 0): string {
  return raw.replace(/&([^;&<]*);|&/g, (m, ref: string | undefined, off: number) => {
    if (ref === undefined) fail('bare "&" in character data', src, at + off);
    if (ref.startsWith('#x')) {
      const cp = parseInt(ref.slice(2), 16);
      if (!/^#x[0-9a-fA-F]+$/.test(ref) || cp > 0x10ffff) fail(`bad character reference &${ref};`, src, at + off);
      return String.fromCodePoint(cp);
    }
    if (ref.startsWith('#')) {
      const cp = parseInt(ref.slice(1), 10);
      if (!/^#[0-9]+$/.test(ref) || cp > 0x10ffff) fail(`bad character reference &${ref};`, src, at + off);
      return String.fromCodePoint(cp);
    }
    if (!(ref in PREDEFINED)) fail(`undeclared entity &${ref};`, src, at + off);
    return PREDEFINED[ref];
  });
}

/** Escapes character data: the five XML specials, and CR so it survives end-of-line handling. */
export function escapeText(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => ESC[c]);
}
/** Escapes an attribute value: as text, plus TAB and LF which attribute normalisation would turn into spaces. */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"'\r\n\t]/g, (c) => ESC[c]);
}
const ESC: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;',
};

function splitName(name: string): { local: string; prefix: string | undefined } {
  const i = name.indexOf(':');
  return i < 0 ? { local: name, prefix: undefined } : { local: name.slice(i + 1), prefix: name.slice(0, i) };
}

/** Where the DOCTYPE declaration at `pos` ends (past its `>`), skipping a quoted or bracketed internal subset. */
function doctypeEnd(src: string, pos: number): number {
  const n = src.length;
  let i = pos + 9;
  let depth = 0;
  let quote = '';
  for (; i < n; i++) {
    const c = src[i];
    if (quote) { if (c === quote) quote = ''; }
    else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth === 0) break;
  }
  if (i >= n) fail('unterminated DOCTYPE', src, pos);
  return i + 1;
}

/** Reads the start tag at `pos`: its name and attributes, where it ends (past `>` or `/>`) and whether it closes itself. */
function parseStartTag(src: string, pos: number): { name: string; attrs: XAttr[]; end: number; selfClosing: boolean } {
  const m = NAME_RE.exec(src.slice(pos + 1));
  if (!m) fail('malformed start tag', src, pos);
  const name = m[0];
  let i = pos + 1 + name.length;
  const attrs: XAttr[] = [];
  for (;;) {
    const ws = /^\s*/.exec(src.slice(i))![0];
    const after = i + ws.length;
    if (src.startsWith('/>', after)) return { name, attrs, end: after + 2, selfClosing: true };
    if (src[after] === '>') return { name, attrs, end: after + 1, selfClosing: false };
    if (!ws) fail(`expected whitespace before attribute in <${name}>`, src, after);
    const am = /^([A-Za-z_:][\w.\-:]*)\s*=\s*(["'])/.exec(src.slice(after));
    if (!am) fail(`malformed attribute in <${name}>`, src, after);
    const valueStart = after + am[0].length;
    const valueEnd = src.indexOf(am[2], valueStart);
    if (valueEnd < 0) fail(`unterminated attribute value in <${name}>`, src, after);
    const raw = src.slice(valueStart, valueEnd);
    if (raw.includes('<')) fail(`"<" in attribute value in <${name}>`, src, valueStart);
    if (attrs.some((a) => a.name === am[1])) fail(`duplicate attribute ${am[1]} in <${name}>`, src, after);
    // Attribute-value normalisation: literal whitespace characters read as spaces.
    const value = decodeXml(raw.replace(/[\t\n\r]/g, ' '), src, valueStart);
    attrs.push({
      name: am[1], local: splitName(am[1]).local, value, valueStart, valueEnd,
      start: after, end: valueEnd + 1, leading: ws,
    });
    i = valueEnd + 1;
  }
}

/**
 * Scans `src` into element spans, checking well-formedness on the way: balanced tags, quoted
 * and unique attributes, known entities, one root element, nothing but markup and whitespace
 * outside it. (No DTD processing: WSO2 configuration files have none.)
 */
export function parseXml(src: string): XDoc {
  let pos = src.startsWith('\uFEFF') ? 1 : 0;
  const stack: XElement[] = [];
  const texts: XText[] = [];
  let root: XElement | undefined;
  const n = src.length;
  while (pos < n) {
    const lt = src.indexOf('<', pos);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > pos) {
      const raw = src.slice(pos, textEnd);
      if (stack.length === 0) {
        if (!/^\s*$/.test(raw)) fail('text outside the root element', src, pos);
      } else {
        if (raw.includes(']]>')) fail('"]]>" in character data', src, pos);
        decodeXml(raw, src, pos);
        texts.push({ kind: 'text', start: pos, end: textEnd });
      }
      pos = textEnd;
      continue;
    }
    if (src.startsWith('<?', pos)) {
      const end = src.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction', src, pos);
      const target = (NAME_RE.exec(src.slice(pos + 2)) ?? [''])[0];
      if (!target) fail('processing instruction without target', src, pos);
      if (target.toLowerCase() === 'xml' && pos > (src.startsWith('\uFEFF') ? 1 : 0)) {
        fail('XML declaration not at the start of the document', src, pos);
      }
      texts.push({ kind: 'pi', start: pos, end: end + 2 });
      pos = end + 2;
    } else if (src.startsWith('<!--', pos)) {
      const end = src.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment', src, pos);
      if (src.slice(pos + 4, end).includes('--') || src[end - 1] === '-') fail('"--" inside a comment', src, pos);
      texts.push({ kind: 'comment', start: pos, end: end + 3 });
      pos = end + 3;
    } else if (src.startsWith('<![CDATA[', pos)) {
      if (stack.length === 0) fail('CDATA outside the root element', src, pos);
      const end = src.indexOf(']]>', pos + 9);
      if (end < 0) fail('unterminated CDATA section', src, pos);
      texts.push({ kind: 'cdata', start: pos, end: end + 3 });
      pos = end + 3;
    } else if (src.startsWith('<!DOCTYPE', pos)) {
      if (root) fail('DOCTYPE after the root element', src, pos);
      pos = doctypeEnd(src, pos);
    } else if (src.startsWith('</', pos)) {
      const m = NAME_RE.exec(src.slice(pos + 2));
      const name = m ? m[0] : '';
      const close = /^\s*>/.exec(src.slice(pos + 2 + name.length));
      if (!name || !close) fail('malformed end tag', src, pos);
      const el = stack.pop();
      if (!el || el.name !== name) fail(`end tag </${name}> does not match <${el ? el.name : ''}>`, src, pos);
      el.contentEnd = pos;
      el.end = pos + 2 + name.length + close[0].length;
      pos = el.end;
    } else {
      const { name, attrs, end: i, selfClosing } = parseStartTag(src, pos);
      const parent = stack[stack.length - 1];
      if (!parent && root) fail('more than one root element', src, pos);
      const el: XElement = {
        name, ...splitName(name), attrs, start: pos, startTagEnd: i,
        contentEnd: i, end: i, selfClosing, children: [], parent,
      };
      if (parent) parent.children.push(el);
      else root = el;
      if (!selfClosing) stack.push(el);
      pos = i;
    }
  }
  if (stack.length) fail(`unclosed element <${stack[stack.length - 1].name}>`, src, stack[stack.length - 1].start);
  if (!root) fail('no root element', src, 0);
  return { src, root, texts };
}

// ---------------------------------------------------------------------------------------------
// Paths

export interface Step {
  local: string;
  /** `[@attr='v']` (attribute value) or `[child='v']` (a child element's trimmed text content). */
  preds: { kind: 'attr' | 'child'; name: string; value: string }[];
}

/** Parses one step, e.g. `parameter[@name='membershipScheme'][@locked="false"]` or `context-param[param-name='x']`. */
export function parseStep(step: string): Step {
  const m = /^([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)/.exec(step);
  if (!m) throw new Error(`bad XmlPath step "${step}"`);
  const local = splitName(m[1]).local;
  const preds: Step['preds'] = [];
  let rest = step.slice(m[0].length);
  const PRED = /^\[\s*(@?)([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)\s*=\s*(?:'([^']*)'|"([^"]*)")\s*\]/;
  while (rest) {
    const p = PRED.exec(rest);
    if (!p) throw new Error(`bad XmlPath step "${step}" (only [@attr='value'] and [child='value'] predicates are supported)`);
    preds.push({ kind: p[1] ? 'attr' : 'child', name: splitName(p[2]).local, value: p[3] ?? p[4] });
    rest = rest.slice(p[0].length);
  }
  return { local, preds };
}

/** Splits an absolute path on the `/` that are outside predicates and quotes. */
export function parsePath(path: string): Step[] {
  if (!path.startsWith('/')) throw new Error(`XmlPath "${path}" must be absolute`);
  const steps: string[] = [];
  let cur = '';
  let quote = '';
  let depth = 0;
  for (const c of path.slice(1)) {
    if (quote) { if (c === quote) quote = ''; }
    else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '/' && depth === 0) { steps.push(cur); cur = ''; continue; }
    cur += c;
  }
  steps.push(cur);
  if (steps.some((s) => !s)) throw new Error(`XmlPath "${path}" has an empty step`);
  return steps.map(parseStep);
}

/** The element's text content: its descendant text and CDATA, decoded, in document order. */
export function textContent(doc: XDoc, el: XElement): string {
  let out = '';
  for (const t of doc.texts) {
    if (t.start < el.startTagEnd || t.end > el.contentEnd) continue;
    if (t.kind === 'text') out += decodeXml(doc.src.slice(t.start, t.end));
    else if (t.kind === 'cdata') out += doc.src.slice(t.start + 9, t.end - 3);
  }
  return out;
}

export function stepMatches(doc: XDoc, el: XElement, step: Step): boolean {
  return (
    el.local === step.local &&
    step.preds.every((p) =>
      p.kind === 'attr'
        ? el.attrs.some((a) => a.local === p.name && a.value === p.value)
        : el.children.some((c) => c.local === p.name && textContent(doc, c).trim() === p.value),
    )
  );
}

/** Every element the absolute path matches, in document order. */
export function select(doc: XDoc, path: string): XElement[] {
  const steps = parsePath(path);
  let cur = stepMatches(doc, doc.root, steps[0]) ? [doc.root] : [];
  for (const step of steps.slice(1)) cur = cur.flatMap((el) => el.children.filter((c) => stepMatches(doc, c, step)));
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Layout helpers

/** Whitespace between the start of the line and `pos`, when only whitespace precedes it on its line. */
function lineIndent(src: string, pos: number): string | undefined {
  const nl = src.lastIndexOf('\n', pos - 1);
  const before = src.slice(nl + 1, pos);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The file's indentation unit: tabs if most tag lines use them, else the smallest space step (4 by default). */
export function indentUnit(src: string): string {
  const tabs = (src.match(/\n\t+</g) ?? []).length;
  const spaced = [...src.matchAll(/\n( +)</g)].map((m) => m[1].length);
  if (tabs > spaced.length) return '\t';
  const best = spaced.length ? Math.min(...spaced) : 0;
  return best >= 2 && best <= 8 ? ' '.repeat(best) : '    ';
}

function childIndent(doc: XDoc, parent: XElement): string {
  for (const c of parent.children) {
    const ind = lineIndent(doc.src, c.start);
    if (ind !== undefined) return ind;
  }
  const own = lineIndent(doc.src, parent.start) ?? '';
  // One level deeper than the parent, using the step between the parent and its own parent.
  const up = parent.parent ? lineIndent(doc.src, parent.parent.start) : undefined;
  if (up !== undefined && own.length > up.length && own.startsWith(up)) return own + own.slice(up.length);
  return own + indentUnit(doc.src);
}

/**
 * Normalises a fragment (one element) for insertion: checks it is well-formed, drops any XML
 * declaration, and lays it out one element per line with the file's indentation unit, starting at
 * `indent`. Elements holding text (or CDATA) are copied verbatim, so no real text is ever touched.
 */
export function normaliseFragment(xml: string, indent: string, unit: string): { text: string; doc: XDoc } {
  const body = xml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '').trim();
  const doc = parseXml(body); // throws when not well-formed or not a single element
  const src = doc.src;
  const inside = (el: XElement) => (t: { start: number; end: number }) => t.start >= el.startTagEnd && t.end <= el.contentEnd;
  const layout = (el: XElement, ind: string): string => {
    if (el.selfClosing) return src.slice(el.start, el.end);
    const own = doc.texts.filter(inside(el)).filter((t) => !el.children.some((c) => t.start >= c.start && t.end <= c.end));
    if (own.some((t) => t.kind === 'cdata' || (t.kind === 'text' && !/^\s*$/.test(src.slice(t.start, t.end))))) {
      return src.slice(el.start, el.end);
    }
    const nodes = [
      ...own.filter((t) => t.kind === 'comment' || t.kind === 'pi').map((t) => ({ start: t.start, text: src.slice(t.start, t.end) })),
      ...el.children.map((c) => ({ start: c.start, text: layout(c, ind + unit) })),
    ].sort((x, y) => x.start - y.start);
    const open = src.slice(el.start, el.startTagEnd);
    const close = src.slice(el.contentEnd, el.end);
    if (!nodes.length) return open + close;
    return `${open}${nodes.map((n) => `\n${ind}${unit}${n.text}`).join('')}\n${ind}${close}`;
  };
  const text = layout(doc.root, indent);
  return { text, doc: parseXml(text) };
}

// ---------------------------------------------------------------------------------------------
// Ops (each returns the new source)

function splice(src: string, start: number, end: number, text: string): string {
  return src.slice(0, start) + text + src.slice(end);
}

export function setText(doc: XDoc, el: XElement, value: string): string {
  const text = escapeText(value);
  if (el.selfClosing) {
    const open = doc.src.slice(el.start, el.startTagEnd).replace(/\s*\/>$/, '>');
    return splice(doc.src, el.start, el.end, `${open}${text}</${el.name}>`);
  }
  return splice(doc.src, el.startTagEnd, el.contentEnd, text);
}

export function setAttr(doc: XDoc, el: XElement, name: string, value: string): string {
  const local = splitName(name).local;
  const existing = el.attrs.filter((a) => a.name === name || (a.local === local && !name.includes(':')));
  if (existing.length > 1) throw new Error(`attribute "${name}" is ambiguous on <${el.name}>`);
  if (existing.length === 1) return splice(doc.src, existing[0].valueStart, existing[0].valueEnd, escapeAttr(value));
  const last = el.attrs[el.attrs.length - 1];
  // Follow a one-attribute-per-line layout (catalina-server.xml Connectors) when the tag uses it.
  const sep = last && last.leading.includes('\n') ? '\n' + last.leading.slice(last.leading.lastIndexOf('\n') + 1) : ' ';
  const at = last ? last.end : el.start + 1 + el.name.length;
  return splice(doc.src, at, at, `${sep}${name}="${escapeAttr(value)}"`);
}

/** Removes the attribute `name` (as written, with the blank before it) from `el`; nothing when absent. */
export function removeAttr(doc: XDoc, el: XElement, name: string): string {
  const a = el.attrs.find((x) => x.name === name);
  return a ? splice(doc.src, a.start - a.leading.length, a.end, '') : doc.src;
}

/** Replaces `el` (with its position and indentation) by `xml`. */
export function replaceElement(doc: XDoc, el: XElement, xml: string): { src: string; inserted: XDoc } {
  const indent = lineIndent(doc.src, el.start) ?? '';
  const frag = normaliseFragment(xml, indent, indentUnit(doc.src));
  return { src: splice(doc.src, el.start, el.end, frag.text), inserted: frag.doc };
}

/** Inserts `xml` as the last child of `parent`, or just before `before` when given. */
export function insertChild(doc: XDoc, parent: XElement, xml: string, before?: XElement): { src: string; inserted: XDoc } {
  if (parent.prefix !== undefined) {
    // Unprefixed children of a prefixed parent would land in the default namespace, not the parent's.
    throw new Error(`cannot insert into prefixed element <${parent.name}>`);
  }
  const indent = childIndent(doc, parent);
  const frag = normaliseFragment(xml, indent, indentUnit(doc.src));
  const src = doc.src;
  if (before) {
    const ind = lineIndent(src, before.start);
    const glue = ind !== undefined ? '\n' + ind : '';
    return { src: splice(src, before.start, before.start, frag.text + glue), inserted: frag.doc };
  }
  const parentIndent = lineIndent(src, parent.start) ?? '';
  if (parent.selfClosing) {
    const open = src.slice(parent.start, parent.startTagEnd).replace(/\s*\/>$/, '>');
    return {
      src: splice(src, parent.start, parent.end, `${open}\n${indent}${frag.text}\n${parentIndent}</${parent.name}>`),
      inserted: frag.doc,
    };
  }
  // After the last non-whitespace content, before the whitespace that leads to the end tag.
  const content = src.slice(parent.startTagEnd, parent.contentEnd);
  const trailing = /\s*$/.exec(content)![0];
  const at = parent.contentEnd - trailing.length;
  const tail = trailing.includes('\n') ? '' : `\n${parentIndent}`;
  return { src: splice(src, at, at, `\n${indent}${frag.text}${tail}`), inserted: frag.doc };
}

/** Removes `el` and, when it sits alone on its line, that line. */
export function removeElement(doc: XDoc, el: XElement): string {
  const src = doc.src;
  const ind = lineIndent(src, el.start);
  let start = el.start;
  let end = el.end;
  const restOfLine = /^[ \t]*(\r?\n|$)/.exec(src.slice(end));
  if (ind !== undefined && restOfLine) {
    start = el.start - ind.length;
    end = el.end + restOfLine[0].length;
  }
  return splice(src, start, end, '');
}
