/**
 * The tests' Java probes (tests/fixtures/java, tests/fixtures/analytics-tls), compiled once per
 * jest run, all in one javac, instead of once per test file: javac is a JVM of its own (about a
 * CPU-second a start), and several files use the same probe. The classes go to a directory named
 * by the SHA-256 of the sources and the javac options, under this run's cache directory
 * (PATTERN2_PLAN_CACHE, made by tests/helpers/global-setup.js and removed by its teardown), so a
 * changed probe is compiled afresh. Two workers asking at once: the first takes a lock (a
 * directory made atomically) and compiles, the other waits for its classes; each compiles into
 * a directory of its own and renames it into place, so nobody sees half a set. Without the run's
 * directory (a file run outside jest's global setup) it compiles into `fallbackDir`.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** The directory of tests/fixtures/java. */
export const JAVA_FIXTURES = path.join(__dirname, '..', 'fixtures', 'java');

/** SnakeYAML, for AnalyticsVaultProbe (carbon-config's YAML library). */
export const SNAKEYAML = '/root/.m2/repository/org/yaml/snakeyaml/2.2/snakeyaml-2.2.jar';

/** How long a worker waits for another's javac before compiling itself. */
const LOCK_WAIT_MS = 90_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function compile(sources: string[], options: string[], dir: string): void {
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
}

/**
 * The directory holding the classes of `sources` compiled with `options` (e.g. `--release 8`,
 * `-cp JAR`); throws with javac's output when it fails or warns.
 */
export function compiledClasses(sources: string[], options: string[], fallbackDir: string): string {
  const hash = createHash('sha256');
  for (const s of sources) hash.update(`${path.basename(s)}\0${fs.readFileSync(s, 'utf8')}\0`);
  hash.update(options.join('\0'));
  const root = process.env.PATTERN2_PLAN_CACHE;
  if (!root || !fs.existsSync(root)) {
    const dir = path.join(fallbackDir, 'java-classes');
    if (!fs.existsSync(dir)) compile(sources, options, dir);
    return dir;
  }
  const dir = path.join(root, 'java-classes', hash.digest('hex').slice(0, 32));
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  let locked = false;
  try {
    fs.mkdirSync(lock);
    locked = true;
  } catch {
    // Another worker compiles these: wait for its classes (or, if it takes too long, compile too).
    for (const end = Date.now() + LOCK_WAIT_MS; Date.now() < end && fs.existsSync(lock) && !fs.existsSync(dir); ) sleep(100);
    if (fs.existsSync(dir)) return dir;
  }
  try {
    compile(sources, options, dir);
  } finally {
    if (locked) fs.rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Every probe of tests/fixtures/java and the TLS floor server, compiled together (Java 8 target,
 * SnakeYAML on the class path when it is here): one javac per run for all the files that use them.
 */
export function probeClasses(fallbackDir: string): string {
  const yaml = fs.existsSync(SNAKEYAML);
  const sources = fs
    .readdirSync(JAVA_FIXTURES)
    .filter((f) => f.endsWith('.java') && (yaml || f !== 'AnalyticsVaultProbe.java'))
    .sort()
    .map((f) => path.join(JAVA_FIXTURES, f));
  sources.push(path.join(__dirname, '..', 'fixtures', 'analytics-tls', 'TlsFloorServer.java'));
  return compiledClasses(sources, ['--release', '8', ...(yaml ? ['-cp', SNAKEYAML] : [])], fallbackDir);
}
