/**
 * Builds the applier as ONE self-contained CommonJS file that a node runs with plain `node`
 * (no node_modules there): `node applier.js apply --home ... --changes ... --secrets-file ...`.
 * The Pulumi program calls this at deploy time to ship the applier in user data / a ConfigMap,
 * so the output must be deterministic (same bytes each call) and free of this machine's paths.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';

/** Repository root: this file lives in `<root>/applier/`. */
const ROOT = path.resolve(__dirname, '..');

let cached: string | undefined;

/**
 * The bundled applier (applier/cli.ts and everything it imports), as JavaScript source.
 * Computed once per process. Target: Node 18+, CommonJS, minified (~145 KB instead of ~310 KB, it
 * travels in a ConfigMap or object store; error messages are kept verbatim), no source map, no
 * absolute paths (esbuild names modules relative to `absWorkingDir`).
 */
export function applierBundle(): string {
  if (cached === undefined) cached = buildApplierBundle();
  return cached;
}

/** Builds the bundle afresh, bypassing the cache (`applierBundle()` is what callers want). */
export function buildApplierBundle(): string {
  const result = buildSync({
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
    // The fixed shell body the keystores command runs (applier/keystores.ts): a node has no shell/ directory.
    define: { __APPLIER_SHELL_KEYSTORES__: JSON.stringify(fs.readFileSync(path.join(ROOT, 'shell', 'keystores.sh'), 'utf8')) },
    // Lets a node run it as `./applier.js`; cli.ts runs main() when the bundle is the main module.
    banner: { js: '#!/usr/bin/env node\n"use strict";' },
  });
  if (result.errors.length) throw new Error(`applier bundle failed: ${result.errors[0].text}`);
  const out = result.outputFiles[0].text;
  if (out.includes(ROOT)) throw new Error('applier bundle contains an absolute path of this machine');
  return out;
}

// `npm run build:applier`: write dist/applier.js.
if (require.main === module) {
  const out = path.join(ROOT, 'dist', 'applier.js');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, applierBundle(), { mode: 0o755 });
  console.log(`wrote ${path.relative(ROOT, out)} (${applierBundle().length} bytes)`);
}
