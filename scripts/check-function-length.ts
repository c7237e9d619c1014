/**
 * Size limits of the source: no function outside the tests over MAX_FUNCTION_LINES lines, no file
 * in components/ over MAX_COMPONENT_FILE_LINES lines. Functions are found with the TypeScript
 * compiler's parser (declarations, methods, constructors, accessors, function expressions and
 * arrows); a function's length is the span from its first token to its closing brace, so a long
 * callback counts against the function around it as well.
 *
 * Usage: node -r ./scripts/lib/register-ts.js scripts/check-function-length.ts
 * (prints the offenders; exit status 1 when there are any). tests/function-length.test.ts runs it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const MAX_FUNCTION_LINES = 100;
export const MAX_COMPONENT_FILE_LINES = 350;

/** A function or file over its limit. `key` names it stably for an allowlist: `file:function` or `file`. */
export interface LengthOffence {
  key: string;
  /** Repository-relative path with `/` separators. */
  file: string;
  /** 1-based line where the function (or file) starts. */
  line: number;
  lines: number;
  limit: number;
}

/** Directories never scanned: dependencies, build output, the tests (their functions are exempt). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out', 'coverage', 'tests']);

/** Every non-test TypeScript source under `root`, repository-relative, sorted. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name)) walk(child);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) {
        found.push(child);
      }
    }
  };
  walk('');
  return found.sort();
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction;

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

function nameText(name: ts.Node | undefined, sf: ts.SourceFile): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText(sf);
}

/** The name a reader looks for: `f`, `Class.method`, `Class.constructor`, the variable or property an expression is assigned to. */
function functionName(node: FunctionNode, sf: ts.SourceFile): string | undefined {
  const owner = ts.isClassLike(node.parent) ? `${nameText(node.parent.name, sf) ?? '<class>'}.` : '';
  if (ts.isConstructorDeclaration(node)) return `${owner}constructor`;
  const own = nameText(node.name, sf);
  if (own) return `${owner}${own}`;
  const p = node.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return nameText(p.name, sf);
  return undefined;
}

/** Every function of one source text with its name (`outer>` prefixes for nesting; `<anonymous>` for a callback) and length. */
export function functionLengths(file: string, text: string): { name: string; line: number; lines: number }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: { name: string; line: number; lines: number }[] = [];
  const visit = (node: ts.Node, outer: string): void => {
    let inner = outer;
    if (isFunction(node)) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = `${outer}${functionName(node, sf) ?? '<anonymous>'}`;
      out.push({ name, line: start + 1, lines: end - start + 1 });
      inner = `${name}>`;
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(sf, '');
  return out;
}

/** Every function and component file of the repository at `root` over its limit, in file order. */
export function lengthOffences(root: string): LengthOffence[] {
  const offences: LengthOffence[] = [];
  for (const file of sourceFiles(root)) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const fileLines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (file.startsWith('components/') && fileLines > MAX_COMPONENT_FILE_LINES) {
      offences.push({ key: file, file, line: 1, lines: fileLines, limit: MAX_COMPONENT_FILE_LINES });
    }
    const seen = new Map<string, number>();
    for (const f of functionLengths(file, text)) {
      // Two anonymous callbacks in one function get distinct keys: `#2` for the second.
      const n = (seen.get(f.name) ?? 0) + 1;
      seen.set(f.name, n);
      if (f.lines > MAX_FUNCTION_LINES) {
        offences.push({ key: `${file}:${f.name}${n > 1 ? `#${n}` : ''}`, file, line: f.line, lines: f.lines, limit: MAX_FUNCTION_LINES });
      }
    }
  }
  return offences;
}

/** One line per offence, as the CLI and the test print them. */
export function describeOffence(o: LengthOffence): string {
  return `${o.key} (${o.file}:${o.line}): ${o.lines} lines, limit ${o.limit}`;
}

if (require.main === module) {
  const offences = lengthOffences(path.resolve(__dirname, '..'));
  for (const o of offences) console.log(describeOffence(o));
  console.log(
    offences.length === 0
      ? `check-function-length: no function over ${MAX_FUNCTION_LINES} lines, no components/ file over ${MAX_COMPONENT_FILE_LINES}`
      : `check-function-length: ${offences.length} over the limit`,
  );
  process.exitCode = offences.length === 0 ? 0 : 1;
}
