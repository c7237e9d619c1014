/**
 * Builds the applier as ONE self-contained CommonJS file that a node runs with plain `node`
 * (no node_modules there): `node applier.js apply --home ... --changes ... --secrets-file ...`.
 * The Pulumi program calls this at deploy time to ship the applier in user data / a ConfigMap,
 * so the output must be deterministic (same bytes each call) and free of this machine's paths.
 *
 * Every program run (preview, up, plan) needs the bundle, but its sources rarely change: the
 * bundle is kept in a content-validated cache (dist/applier-cache.json, next to what
 * `npm run build:applier` writes; dist/ is not committed)
 * with the SHA-256 of every file esbuild read for it, and rebuilt only when one of them (or
 * esbuild's version, or the build options) differs. A file whose size and modification time are
 * those it had when hashed is not read again. A hit costs a stat per input, not a build (nor
 * loading esbuild).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { BuildOptions } from 'esbuild';
import { caBundleTexts } from './ca-bundles';

/** Repository root: this file lives in `<root>/applier/`. */
const ROOT = path.resolve(__dirname, '..');

/** Where the bundle is cached: the project's own build output directory (git-ignored). */
export const BUNDLE_CACHE_FILE = path.join(ROOT, 'dist', 'applier-cache.json');

/**
 * Target: Node 18+, CommonJS, minified (~145 KB instead of ~310 KB, plus ~175 KB of CA bundles;
 * it travels in a ConfigMap or object store; error messages are kept verbatim), no source map, no
 * absolute paths (esbuild names modules relative to `absWorkingDir`).
 */
/**
 * The build options. The fixed shell body the keystores command runs (applier/keystores.ts) is
 * embedded with `define` (a node has no shell/ directory); being part of the options, its text is
 * part of the cache key too, so an edit of shell/keystores.sh rebuilds the bundle.
 */
const options = (): BuildOptions => ({
  absWorkingDir: ROOT,
  entryPoints: ['applier/cli.ts'],
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  write: false,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'silent',
  // The fixed shell body the keystores command runs (applier/keystores.ts): a node has no shell/
  // directory. Part of the options, so the cache key changes when the script does.
  // The shipped CA bundles likewise (applier/ca-bundles.ts; the applier checks their pinned digests).
  define: {
    __APPLIER_SHELL_KEYSTORES__: JSON.stringify(fs.readFileSync(path.join(ROOT, 'shell', 'keystores.sh'), 'utf8')),
    // A string (JSON inside): an object define would become a virtual module esbuild lists as an input.
    __APPLIER_CA_BUNDLES__: JSON.stringify(JSON.stringify(caBundleTexts(ROOT))),
  },
  // Lets a node run it as `./applier.js`; cli.ts runs main() when the bundle is the main module.
  banner: { js: '#!/usr/bin/env node\n"use strict";' },
});

/** The cache file: what the bundle was built from, and the bundle. */
interface CacheEntry {
  /** Hash of esbuild's version and the build options. */
  key: string;
  /** Every input file esbuild read (relative to the root) -> SHA-256 of its content. */
  inputs: Record<string, string>;
  /** Input -> `size:mtimeMs` when hashed: an unchanged stat skips reading the file again. */
  stats?: Record<string, string>;
  bundle: string;
}

let cached: string | undefined;

/** The bundled applier (applier/cli.ts and everything it imports), as JavaScript source. */
export function applierBundle(): string {
  if (cached === undefined) cached = cachedApplierBundle(BUNDLE_CACHE_FILE).bundle;
  return cached;
}

/**
 * The bundle as a file, for a program that ships it as a file asset: `dist/applier/applier-<sha>.js`,
 * named by its content, so concurrent runs never write different bytes to one name, and written
 * (atomically) only when absent. Absolute path.
 */
export function applierBundleFile(): string {
  const bundle = applierBundle();
  const file = path.join(ROOT, 'dist', 'applier', `applier-${sha256(bundle).slice(0, 16)}.js`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bundle, { mode: 0o644 });
    fs.renameSync(tmp, file);
  }
  return file;
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function statKey(file: string): string {
  const st = fs.statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}

function buildKey(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { version } = require('esbuild/package.json') as { version: string };
  return sha256(JSON.stringify({ version, OPTIONS: { ...options(), absWorkingDir: undefined } }));
}

/** The cache entry when it is valid for the sources as they are now, else undefined. */
function validEntry(cacheFile: string, key: string): CacheEntry | undefined {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (entry.key !== key || typeof entry.bundle !== 'string' || !entry.inputs || !Object.keys(entry.inputs).length) return undefined;
  const stats: Record<string, string> = {};
  let restated = false;
  for (const [rel, digest] of Object.entries(entry.inputs)) {
    try {
      stats[rel] = statKey(path.join(ROOT, rel));
      if (entry.stats?.[rel] === stats[rel]) continue;
      if (sha256(fs.readFileSync(path.join(ROOT, rel))) !== digest) return undefined;
      restated = true;
    } catch {
      return undefined;
    }
  }
  // Same content under a new time (a fresh checkout, a touch): remember it, to skip hashing next time.
  if (restated) writeEntry(cacheFile, { ...entry, stats });
  return entry;
}

/**
 * The bundle from `cacheFile` when every input is unchanged, else built afresh and written there
 * (atomically; a cache that cannot be written is only a slower start). `built` says which.
 */
export function cachedApplierBundle(cacheFile: string): { bundle: string; built: boolean } {
  const key = buildKey();
  const hit = validEntry(cacheFile, key);
  if (hit) return { bundle: hit.bundle, built: false };
  const { bundle, inputs } = build();
  const entry: CacheEntry = {
    key,
    inputs: Object.fromEntries(inputs.map((rel) => [rel, sha256(fs.readFileSync(path.join(ROOT, rel)))])),
    stats: Object.fromEntries(inputs.map((rel) => [rel, statKey(path.join(ROOT, rel))])),
    bundle,
  };
  writeEntry(cacheFile, entry);
  return { bundle, built: true };
}

/** Writes the cache atomically; a cache that cannot be written (read-only checkout) is skipped. */
function writeEntry(cacheFile: string, entry: CacheEntry): void {
  try {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entry));
    fs.renameSync(tmp, cacheFile);
  } catch {
    // every run builds, as before the cache
  }
}

/** Builds the bundle afresh, bypassing every cache (`applierBundle()` is what callers want). */
export function buildApplierBundle(): string {
  return build().bundle;
}

function build(): { bundle: string; inputs: string[] } {
  // Loaded only on a cache miss: a program run with an unchanged applier never starts esbuild.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const result = buildSync({ ...options(), metafile: true });
  if (result.errors.length) throw new Error(`applier bundle failed: ${result.errors[0].text}`);
  const out = result.outputFiles![0].text;
  if (out.includes(ROOT)) throw new Error('applier bundle contains an absolute path of this machine');
  return { bundle: out, inputs: Object.keys(result.metafile!.inputs).sort() };
}

// `npm run build:applier`: write dist/applier.js.
if (require.main === module) {
  const out = path.join(ROOT, 'dist', 'applier.js');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, applierBundle(), { mode: 0o755 });
  console.log(`wrote ${path.relative(ROOT, out)} (${applierBundle().length} bytes)`);
}
