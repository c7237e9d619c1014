/**
 * Several keytool commands in one JVM (tests/fixtures/java/KeytoolBatch.java runs the JDK's own
 * keytool class once per command, compiled once per jest run): a test that opens several stores
 * with keytool pays one JVM start instead of one per store. Each answer is what `keytool ARGS`
 * would give: its exit code (0, or 1 on a keytool error) and everything it printed.
 */
import { spawnSync } from 'child_process';
import { probeClasses } from './java-classes';

export interface KeytoolResult {
  code: number;
  out: string;
}

/** Java 17's warning when KeytoolBatch installs its exit trap (a security manager): not keytool's. */
const SECURITY_MANAGER_WARNING =
  /^WARNING: A terminally deprecated method in java\.lang\.System has been called\nWARNING: System::setSecurityManager has been called by KeytoolBatch \([^)\n]*\)\nWARNING: Please consider reporting this to the maintainers of KeytoolBatch\nWARNING: System::setSecurityManager will be removed in a future release\n/;

/**
 * Runs each of `commands` (keytool's arguments, passwords only as `-...:env NAME`) with `env`
 * added to this process's environment, in one JVM: a failing command's exit is trapped and
 * answered like any other (should one still end the JVM, the commands after it go to a new one).
 * `tmp` is where to compile when the run has no cache directory.
 */
export function keytoolBatch(commands: string[][], env: Record<string, string>, tmp: string): KeytoolResult[] {
  for (const c of commands) if (c.some((a) => /[\t\n]/.test(a))) throw new Error(`keytoolBatch: an argument holds a TAB or a newline: ${c.join(' ')}`);
  const classes = probeClasses(tmp);
  const results: KeytoolResult[] = [];
  while (results.length < commands.length) {
    const rest = commands.slice(results.length);
    const r = spawnSync('java', ['--add-opens', 'java.base/sun.security.tools.keytool=ALL-UNNAMED', '-cp', classes, 'KeytoolBatch'], {
      input: rest.map((c) => c.join('\t')).join('\n') + '\n',
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    const stderr = r.stderr.replace(SECURITY_MANAGER_WARNING, '');
    // out0, code0, out1, code1, ..., the output after the last trailer
    const parts = r.stdout.split(/^\u0001 exit (\d+)\n/m);
    const done = (parts.length - 1) / 2;
    for (let i = 0; i < done; i++) results.push({ out: parts[2 * i], code: Number(parts[2 * i + 1]) });
    const tail = parts[parts.length - 1];
    if (done === rest.length && r.status === 0 && tail === '' && !stderr) break;
    // keytool ended the JVM on the next command: that command's answer is its output and exit code.
    if (done >= rest.length || !r.status || r.signal || stderr) {
      throw new Error(`KeytoolBatch: exit ${r.status ?? r.signal}, ${rest.length} commands, ${done} answers: ${r.stdout}${r.stderr}${r.error ?? ''}`);
    }
    results.push({ out: tail, code: r.status });
  }
  return results;
}
