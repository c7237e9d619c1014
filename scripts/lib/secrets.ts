/**
 * Redaction and leak scanning for `plan` output. A secret may reach a file escaped (JSON, XML,
 * URL, shell) or encoded (base64), so every known secret is searched in all those forms, plus
 * its long alphanumeric runs, which survive any escaping scheme.
 */
import { isAscii } from 'buffer';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isSecretWrapped } from '../mocks';

export const REDACTED = '[secret]';

/** A secret value and a label that may be printed (never the value). */
export interface KnownSecret {
  label: string;
  value: string;
}

/** The armour of a PEM private key (PKCS#8, PKCS#1, SEC1, encrypted). */
export const PEM_PRIVATE_KEY_RE = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Fragments shorter than this are too likely to occur by chance to be searched alone. */
const MIN_FRAGMENT = 8;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Every form of `secret` we search for, longest first. */
export function needlesOf(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
    xmlEscape(secret),
    encodeURIComponent(secret),
    secret.replace(/'/g, `'\\''`),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  ]);
  if (PEM_PRIVATE_KEY_RE.test(secret)) {
    // A PEM private key also holds its public key, which certificates (public) repeat: its short
    // alphanumeric runs would match them. Its whole base64 lines are searched instead (and the
    // plan refuses any private key armour at all: scanForLeaks).
    for (const line of secret.split(/\r?\n/)) if (/^[A-Za-z0-9+/=]{40,}$/.test(line)) forms.add(line);
    return [...forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }
  // Only runs mixing letters and digits: a plain word such as "password" occurs in files legitimately.
  for (const run of secret.match(/[A-Za-z0-9]+/g) ?? []) {
    if (run.length >= MIN_FRAGMENT && /[0-9]/.test(run) && /[A-Za-z]/.test(run)) forms.add(run);
  }
  return [...forms].filter((f) => f.length >= Math.min(MIN_FRAGMENT, secret.length) && f.length > 0).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** Secrets too short to search for safely; the plan refuses them rather than pretend. */
export function tooShort(secrets: readonly KnownSecret[]): KnownSecret[] {
  return secrets.filter((s) => s.value.length < 6);
}

/** Every form of every secret, longest first; computed once per secrets list (a plan redacts thousands of strings). */
const allNeedles = new WeakMap<readonly KnownSecret[], string[]>();
function needlesOfAll(secrets: readonly KnownSecret[]): string[] {
  let all = allNeedles.get(secrets);
  if (!all) {
    all = secrets.flatMap((k) => needlesOf(k.value)).sort((a, b) => b.length - a.length);
    allNeedles.set(secrets, all);
  }
  return all;
}

/** Replaces every form of every secret inside `s` with `[secret]`. */
export function redactString(s: string, secrets: readonly KnownSecret[]): string {
  let out = s;
  for (const n of needlesOfAll(secrets)) if (out.includes(n)) out = out.split(n).join(REDACTED);
  return out;
}

/**
 * Deep copy of `v` with values Pulumi marks secret replaced by `[secret]` and every known secret
 * replaced inside strings.
 */
export function redact(v: unknown, secrets: readonly KnownSecret[]): unknown {
  if (isSecretWrapped(v)) return REDACTED;
  if (typeof v === 'string') return redactString(v, secrets);
  if (Array.isArray(v)) return v.map((x) => redact(x, secrets));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redact(x, secrets);
    return out;
  }
  return v;
}

/** A secret found in a file. */
export interface Leak {
  file: string;
  label: string;
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}

/** Length of the window a form is indexed by (its first characters); shorter forms are searched whole. */
const WINDOW = 6;
const BUCKETS = 1 << 16;
/** 31^(WINDOW-1): the weight of the character leaving the window. */
const LEAVING = 31 ** (WINDOW - 1);

/** The polynomial hash (mod 2^32) of the WINDOW characters of `s` from `at`. */
function windowHash(s: string, at: number): number {
  let h = 0;
  for (let i = 0; i < WINDOW; i++) h = (Math.imul(h, 31) + s.charCodeAt(at + i)) | 0;
  return h;
}

/**
 * Every form of every secret, indexed for one pass over a text instead of one search per form
 * (a plan scans megabytes against hundreds of forms): a form occurs where it starts, so at each
 * position the hash of the next WINDOW characters (rolled along) picks the few forms that could
 * start there, and each is compared in full. Finds exactly the forms `text.includes` would.
 */
class FormIndex {
  private readonly buckets: ({ needle: number; form: string }[] | undefined)[] = new Array(BUCKETS);
  private readonly short: { needle: number; form: string }[] = [];

  constructor(needles: readonly { forms: string[] }[]) {
    needles.forEach((n, needle) => {
      for (const form of n.forms) {
        if (form.length < WINDOW) this.short.push({ needle, form });
        else (this.buckets[windowHash(form, 0) & (BUCKETS - 1)] ??= []).push({ needle, form });
      }
    });
  }

  /** Adds to `hits` the index of every needle a form of which occurs in `text`. */
  search(text: string, hits: Set<number>): void {
    for (const s of this.short) if (text.includes(s.form)) hits.add(s.needle);
    if (text.length < WINDOW) return;
    let h = windowHash(text, 0);
    for (let i = 0; ; i++) {
      const bucket = this.buckets[h & (BUCKETS - 1)];
      if (bucket) for (const b of bucket) if (!hits.has(b.needle) && text.startsWith(b.form, i)) hits.add(b.needle);
      if (i + WINDOW >= text.length) return;
      h = (Math.imul((h - Math.imul(text.charCodeAt(i), LEAVING)) | 0, 31) + text.charCodeAt(i + WINDOW)) | 0;
    }
  }
}

/** What one file's bytes leak: the labels of the secrets found, in `needles` order. */
function leaksIn(bytes: Buffer, needles: readonly { label: string; forms: string[] }[], index: FormIndex): string[] {
  const text = bytes.toString('latin1');
  // ASCII bytes read the same in latin1 and UTF-8: one text to search, not two.
  const texts = isAscii(bytes) ? [text] : [text, bytes.toString('utf8')];
  const hits = new Set<number>();
  for (const t of texts) index.search(t, hits);
  const found = needles.filter((_, i) => hits.has(i)).map((n) => n.label);
  // Any private key, known or not (a key from config, one a renderer inlined), and in its
  // escaped JSON form too: nothing plan writes may carry one.
  if (texts.some((t) => PEM_PRIVATE_KEY_RE.test(t))) found.push('a PEM private key');
  return found;
}

/**
 * Scans every file under `dir` for every form of every secret. Equal contents (the applier
 * bundle every node receives, say) are searched once.
 */
export function scanForSecrets(dir: string, secrets: readonly KnownSecret[]): Leak[] {
  const leaks: Leak[] = [];
  const needles = secrets.map((s) => ({ label: s.label, forms: needlesOf(s.value) }));
  const index = new FormIndex(needles);
  const byContent = new Map<string, string[]>();
  for (const file of listFiles(dir)) {
    const bytes = fs.readFileSync(path.join(dir, file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    let found = byContent.get(digest);
    if (!found) byContent.set(digest, (found = leaksIn(bytes, needles, index)));
    for (const label of found) leaks.push({ file, label });
  }
  return leaks;
}
