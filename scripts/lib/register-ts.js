/**
 * A fast TypeScript loader for the plan, the bench and their tests: each .ts file is transpiled
 * on require with esbuild (already a dependency: the program bundles the applier with it), which
 * is an order of magnitude quicker than ts-node's TypeScript transpiler. Type checking is `tsc`'s
 * job (npm run build), as with `ts-node --transpile-only`.
 */
'use strict';
const fs = require('fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = function loadTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
