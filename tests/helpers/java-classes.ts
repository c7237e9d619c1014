/**
 * The tests' Java probes (tests/fixtures/java and friends), compiled once per jest run instead of
 * once per test file: javac is a JVM of its own (about a CPU-second a start), and several files
 * compile the same probe. The classes go to a directory named by the SHA-256 of the sources and
 * the javac options, under this run's cache directory (PATTERN2_PLAN_CACHE, made by
 * tests/helpers/global-setup.js and removed by its teardown), so a changed probe is compiled
 * afresh and two workers compiling the same probe at once both end with complete classes (each
 * compiles into a directory of its own and renames it into place; the loser uses the winner's).
 * Without the run's directory (a file run outside jest's global setup) it compiles into `fallbackDir`.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The directory holding the classes of `sources` compiled with `options` (e.g. `--release 8`,
 * `-cp JAR`); throws with javac's output when it fails or warns.
 */
export function compiledClasses(sources: string[], options: string[], fallbackDir: string): string {
  const hash = createHash('sha256');
  for (const s of sources) hash.update(`${path.basename(s)}\0${fs.readFileSync(s, 'utf8')}\0`);
  hash.update(options.join('\0'));
  const root = process.env.PATTERN2_PLAN_CACHE;
  const dir = root && fs.existsSync(root) ? path.join(root, 'java-classes', hash.digest('hex').slice(0, 32)) : path.join(fallbackDir, 'java-classes');
  if (fs.existsSync(dir)) return dir;
  const work = `${dir}.${process.pid}.${Date.now()}`;
  fs.mkdirSync(work, { recursive: true });
  const r = spawnSync('javac', [...options, '-d', work, ...sources], { encoding: 'utf8' });
  if (r.status !== 0 || r.stderr) {
    fs.rmSync(work, { recursive: true, force: true });
    throw new Error(`javac ${sources.map((s) => path.basename(s)).join(' ')}: exit ${r.status}: ${r.stderr}${r.error ?? ''}`);
  }
  try {
    fs.renameSync(work, dir);
  } catch (e) {
    // Another worker put the same classes there first.
    fs.rmSync(work, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw e;
  }
  return dir;
}

/** The directory of tests/fixtures/java. */
export const JAVA_FIXTURES = path.join(__dirname, '..', 'fixtures', 'java');
