/**
 * XPath expectations evaluated by the real xmllint, batched: recorded first, then `run()` asks
 * one xmllint per file all of that file's queries (joined in one concat(), answers split on a
 * separator no value holds) and compares every answer with its expectation at once, so a
 * mismatch names its file and query. Saves one xmllint process per query.
 */
import { execFileSync } from 'child_process';

/** Joins the answers of one xmllint run. */
const SEP = '@@xpath-checks@@';

interface Check {
  file: string;
  expr: string;
  want: unknown;
  as: (v: string) => unknown;
}

export class XPathChecks {
  private readonly checks: Check[] = [];

  /** string(expr) in `file`, trimmed, is `want` (or `as` of it is). */
  str(file: string, expr: string, want: unknown, as: (v: string) => unknown = (v) => v): void {
    this.checks.push({ file, expr: `string(${expr})`, want, as });
  }

  /** count(expr) in `file` is `want`. */
  count(file: string, expr: string, want: number): void {
    this.checks.push({ file, expr: `count(${expr})`, want, as: Number });
  }

  /** Evaluates every recorded query (one xmllint per file) and expects each answer. */
  run(): void {
    const got = new Map<Check, unknown>();
    for (const file of new Set(this.checks.map((c) => c.file))) {
      const mine = this.checks.filter((c) => c.file === file);
      const xpath = `concat(${mine.map((c) => c.expr).join(`,'${SEP}',`)},'')`;
      const out = execFileSync('xmllint', ['--xpath', xpath, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split(SEP);
      expect([file, out.length]).toEqual([file, mine.length]);
      mine.forEach((c, i) => got.set(c, c.as(out[i].trim())));
    }
    expect(this.checks.map((c) => [c.file, c.expr, got.get(c)])).toEqual(this.checks.map((c) => [c.file, c.expr, c.want]));
  }
}

/** The real xmllint --noout over all `files` in one run; throws when any is malformed. */
export function xmllintWellFormed(files: readonly string[]): void {
  execFileSync('xmllint', ['--noout', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
}
