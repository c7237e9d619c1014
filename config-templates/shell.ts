/**
 * Shell: the one quoting function, and the fixed script bodies kept as real `.sh` files under
 * `shell/` (shellchecked as files). Deployment data reaches a body through a generated header of
 * assignments, the environment or arguments, never by editing the body.
 */
import * as fs from 'fs';
import * as path from 'path';

/** `s` as one POSIX shell word: single quotes, an embedded `'` as `'\''`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The directory holding the fixed script bodies. */
export const SHELL_DIR = path.resolve(__dirname, '..', 'shell');

const bodies = new Map<string, string>();

/** The text of `shell/<name>`, read once. */
export function shellFile(name: string): string {
  let text = bodies.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(SHELL_DIR, name), 'utf8');
    bodies.set(name, text);
  }
  return text;
}

/** `NAME='value'` lines for a generated header, in the order given. */
export function shellAssignments(vars: Readonly<Record<string, string | number>>): string[] {
  return Object.entries(vars).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not a shell variable name: ${k}`);
    return `${k}=${shellQuote(String(v))}`;
  });
}
