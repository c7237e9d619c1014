/**
 * A fast TypeScript loader for the plan, the bench and their tests: each .ts file is transpiled
 * on require with esbuild (already a dependency: the program bundles the applier with it), which
 * is an order of magnitude quicker than ts-node's TypeScript transpiler. Type checking is `tsc`'s
 * job (npm run build), as with `ts-node --transpile-only`.
 *
 * Transpiled code is cached under dist/ts-cache/, one file per (esbuild version, file name,
 * source) hash, so a run whose sources are unchanged never starts esbuild at all. A cache that
 * cannot be written only makes the next start slower.
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const CACHE_DIR = path.resolve(__dirname, '../../dist/ts-cache');
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };
const VERSION = require('esbuild/package.json').version;

let esbuild;

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(JSON.stringify([VERSION, OPTIONS, filename])).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // a miss: transpile below
  }
  esbuild = esbuild || require('esbuild');
  const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
  } catch {
    // read-only checkout
  }
  return code;
}

require.extensions['.ts'] = function loadTs(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
