/**
 * The node's keystores and truststore, built from the key material (applier/keystore-material.ts)
 * with the JDK's keytool, in the JKS format Java 8 reads:
 *
 * - each key entry goes into a PKCS#12 written here (applier/pkcs12.ts: keytool cannot import a PEM
 *   key) under a random one-off password, in a private temp directory (0700, removed on the way
 *   out, failure included), and `keytool -importkeystore` copies it into a new JKS in that
 *   directory with the store and key passwords of the material; the truststore's entries (the CA,
 *   the trusted certificates, the shipped CA bundles) are written here in the same format
 *   (applier/jks.ts), no JVM needed. The keytool command line is the fixed body
 *   shell/keystores.sh; passwords travel in its environment, never in argv.
 * - every store is built from scratch, so nothing of the product's stock stores survives; only
 *   when all are built and read back as expected are the targets replaced (atomic rename, mode
 *   0600, owner kept: applier/fsutil.ts `writeFileAtomic`).
 * - a marker next to the truststore records the digest of the material the stores were built
 *   from; unchanged material and stores that open as expected => nothing is written (a JKS built
 *   twice differs in its entries' dates, so comparing bytes cannot tell).
 */
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { shellFile } from '../config-templates/shell';
import { resolveUnder, writeFileAtomic } from './fsutil';
import { readJks, writeTrustedJks } from './jks';
import { materialDigest, ParsedMaterial, ParsedStore } from './keystore-material';
import { buildPkcs12 } from './pkcs12';

/**
 * The marker file, in the truststore's directory. Safe to keep: it holds a SHA-256 over material
 * that includes private keys and passwords, which reveals nothing of them (no short secret is
 * hashed alone: the digest covers whole keys too), and it sits with mode 0600 in the directory of
 * the stores, whose readers could open the keys themselves anyway.
 */
export const MARKER_NAME = '.keystores.sha256';

/** What one run did, for the log: file names and aliases, never a secret. */
export interface KeystoresReport {
  changed: boolean;
  /** Why the stores were (re)built, when they were. */
  reason?: string;
  stores: { file: string; kind: 'keystore' | 'truststore'; aliases: string[] }[];
}

// In the bundle (applier/bundle.ts) esbuild puts the text of shell/keystores.sh here: a node has no shell/ directory.
declare const __APPLIER_SHELL_KEYSTORES__: string | undefined;

function keystoresScript(): string {
  return typeof __APPLIER_SHELL_KEYSTORES__ === 'string' ? __APPLIER_SHELL_KEYSTORES__ : shellFile('keystores.sh');
}

/** What a store must hold: alias -> DER certificates (chain or the one trusted certificate). */
function expected(store: ParsedStore): Map<string, { kind: 'key' | 'trusted'; certs: Buffer[] }> {
  const m = new Map<string, { kind: 'key' | 'trusted'; certs: Buffer[] }>();
  for (const k of store.keys) m.set(k.alias, { kind: 'key', certs: k.chain });
  for (const t of store.trusted) m.set(t.alias, { kind: 'trusted', certs: [t.der] });
  return m;
}

/** Why `data` is not the store the material asks for, or undefined when it is. */
function storeMismatch(data: Buffer, store: ParsedStore): string | undefined {
  let entries;
  try {
    entries = readJks(data, store.storePassword);
  } catch (e) {
    return `does not open (${(e as Error).message})`;
  }
  const want = expected(store);
  if (entries.length !== want.size) return `has ${entries.length} entries, ${want.size} expected`;
  for (const e of entries) {
    const w = want.get(e.alias);
    if (!w || w.kind !== e.kind) return `has an unexpected entry "${e.alias}"`;
    if (w.certs.length !== e.certificates.length || w.certs.some((c, i) => !c.equals(e.certificates[i]))) {
      return `entry "${e.alias}" holds other certificates`;
    }
  }
  return undefined;
}

/** Why the stores on disk must be rebuilt, or undefined when they match the material. */
function staleReason(home: string, m: ParsedMaterial, digest: string, marker: string): string | undefined {
  let recorded = '';
  try {
    recorded = fs.readFileSync(marker, 'utf8').trim();
  } catch {
    return 'no record of a previous build';
  }
  if (recorded !== digest) return 'material changed';
  for (const s of m.stores) {
    let data: Buffer;
    try {
      data = fs.readFileSync(resolveUnder(home, s.file));
    } catch (e) {
      return `${s.file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    const why = storeMismatch(data, s);
    if (why) return `${s.file} ${why}`;
  }
  return undefined;
}

/** Every password of the material, to scrub from tool output before it reaches a message. */
function secretsOf(m: ParsedMaterial): string[] {
  return m.stores.flatMap((s) => [s.storePassword, ...s.keys.map((k) => k.keyPassword)]);
}

/** Runs one step of shell/keystores.sh; throws with keytool's last line, passwords scrubbed. */
function keytoolStep(tmp: string, args: string[], env: Record<string, string>, what: string, secrets: string[]): void {
  const r = spawnSync('/bin/sh', [path.join(tmp, 'keystores.sh'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status === 0) return;
  let detail = `${r.stderr ?? ''}\n${r.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /error|not found|usage|unknown/i.test(l))[0] ?? (r.error ? r.error.message : `exit ${r.status ?? r.signal}`);
  for (const s of [...secrets, ...Object.values(env)]) detail = detail.split(s).join('***');
  throw new Error(`${what}: keytool failed: ${detail}`);
}

/**
 * The keytool steps of one store, prepared in `dir`: each key entry as a PKCS#12 under a one-off
 * password, the passwords in 0600 files (never in a step line). A step line is
 * `STEP SOURCE ALIAS DEST SRC_PASS_FILE STORE_PASS_FILE KEY_PASS_FILE`, file names relative to
 * `dir`; shell/keystores.sh runs one step. The trusted certificates (the deployment CA, the
 * material's trusted certificates, the shipped CA bundles) are written here, as the store the key
 * steps then add to: a trusted entry is public data a JKS carries in the clear, and each keytool
 * start is a JVM (seconds on a small node; minutes for the RDS bundle). Phase 3 checks the result
 * entry by entry.
 */
function prepareStore(dir: string, index: number, store: ParsedStore): string[] {
  const dest = `store-${index}.jks`;
  const secretFile = (n: string, v: string) => (fs.writeFileSync(path.join(dir, n), v, { mode: 0o600 }), n);
  const storePass = secretFile(`store-${index}.pass`, store.storePassword);
  const steps: string[] = [];
  if (store.trusted.length > 0) fs.writeFileSync(path.join(dir, dest), writeTrustedJks(store.trusted, store.storePassword), { mode: 0o600 });
  store.keys.forEach((k, j) => {
    const oneOff = randomBytes(18).toString('hex');
    const p12 = `entry-${index}-${j}.p12`;
    fs.writeFileSync(path.join(dir, p12), buildPkcs12({ privateKeyPkcs8: k.keyPkcs8, certificates: k.chain, alias: k.alias, password: oneOff }), { mode: 0o600 });
    steps.push(['import-key', p12, k.alias, dest, secretFile(`${p12}.pass`, oneOff), storePass, secretFile(`entry-${index}-${j}.keypass`, k.keyPassword)].join(' '));
  });
  return steps;
}

/** The file listing the prepared steps, one per line (see {@link prepareStore}). */
export const STEPS_FILE = 'steps';

/**
 * Phase 1 (node): checks the stores of `home` against the material and, when they must be
 * rebuilt, prepares every keytool step in `dir` (an empty private directory: a memory volume on
 * Kubernetes) with shell/keystores.sh next to them. Returns why they must be rebuilt, or
 * undefined (then `dir` is left empty: nothing to build).
 */
export function prepareKeystores(home: string, m: ParsedMaterial, dir: string): string | undefined {
  const truststore = m.stores.find((s) => s.kind === 'truststore')!;
  const marker = path.join(path.dirname(resolveUnder(home, truststore.file)), MARKER_NAME);
  const reason = staleReason(home, m, materialDigest(m), marker);
  if (!reason) return undefined;
  fs.writeFileSync(path.join(dir, 'keystores.sh'), keystoresScript(), { mode: 0o600 });
  const steps = m.stores.flatMap((s, i) => prepareStore(dir, i, s));
  fs.writeFileSync(path.join(dir, STEPS_FILE), `${steps.join('\n')}\n`, { mode: 0o600 });
  return reason;
}

/** Phase 2 in-process (EC2): runs the prepared steps with shell/keystores.sh, passwords in the environment. */
function runSteps(dir: string, m: ParsedMaterial): void {
  const secrets = secretsOf(m);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  for (const line of fs.readFileSync(path.join(dir, STEPS_FILE), 'utf8').split('\n').filter(Boolean)) {
    const [step, source, alias, dest, srcPass, storePass, keyPass] = line.split(' ');
    const env: Record<string, string> = { KS_STORE_PASS: read(storePass), KS_SRC_PASS: read(srcPass), KS_KEY_PASS: read(keyPass) };
    const store = m.stores[Number(/^store-(\d+)\.jks$/.exec(dest)?.[1])]?.file ?? dest;
    const what = `${store} entry "${alias}"`;
    keytoolStep(dir, [step, path.join(dir, source), alias, path.join(dir, dest)], env, what, secrets);
  }
}

/**
 * Phase 3 (node): reads the stores phase 2 built in `dir`, checks each against the material, and
 * only then replaces the targets in `home` (atomic, 0600, owner kept) and records the marker.
 */
export function installKeystores(home: string, m: ParsedMaterial, dir: string): void {
  const truststore = m.stores.find((s) => s.kind === 'truststore')!;
  const marker = path.join(path.dirname(resolveUnder(home, truststore.file)), MARKER_NAME);
  const built = m.stores.map((s, i) => {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.join(dir, `store-${i}.jks`));
    } catch {
      throw new Error(`${s.file}: keytool built no store`);
    }
    const why = storeMismatch(data, s);
    if (why) throw new Error(`${s.file}: the store keytool built ${why}`);
    return data;
  });
  // The marker goes first: a crash between two renames leaves no record, so the next run rebuilds.
  fs.rmSync(marker, { force: true });
  m.stores.forEach((s, i) => writeFileAtomic(resolveUnder(home, s.file), built[i], 0o600));
  writeFileAtomic(marker, Buffer.from(`${materialDigest(m)}\n`), 0o600);
}

/** The report of a run, without a secret. */
export function keystoresReport(m: ParsedMaterial, reason: string | undefined): KeystoresReport {
  const stores = m.stores.map((s) => ({ file: s.file, kind: s.kind, aliases: [...expected(s).keys()] }));
  return reason ? { changed: true, reason, stores } : { changed: false, stores };
}

/**
 * Makes the stores of `home` those of the material `m`, or leaves them alone when they already
 * are: the three phases in one process (node and keytool both at hand, as on EC2). Nothing on
 * disk changes unless every store was built and checked.
 */
export function buildKeystores(home: string, m: ParsedMaterial): KeystoresReport {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-keystores-'));
  try {
    fs.chmodSync(tmp, 0o700);
    const reason = prepareKeystores(home, m, tmp);
    if (reason) {
      runSteps(tmp, m);
      installKeystores(home, m, tmp);
    }
    return keystoresReport(m, reason);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
