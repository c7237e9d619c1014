/**
 * Test-only: defers three parts of @pulumi/pulumi that its index loads eagerly and the mock engine
 * never uses, until something touches them: the TypeScript compiler (closure serialization, 9 MB
 * of JavaScript), the automation API and npm's Arborist (which pull in npm's libraries). Loading
 * `@pulumi/pulumi` drops from about 0.9 s to 0.25 s; the suite loads it in most test files and in
 * every plan it spawns. Nothing else changes: a property read on a deferred module loads the real
 * one and answers from it, so a test that did use closure serialization would still work.
 *
 * Two ways in:
 * - `node -r tests/helpers/lazy-pulumi-preload.js ...` (the plan processes of
 *   tests/fixtures/plan/run-plan.ts) patches Node's module loader;
 * - jest's own module registry does not use Node's loader: tests/helpers/jest-resolver.js sends
 *   the same three requests to tests/helpers/lazy/*.js, which build the proxy with `lazyModule`.
 *
 * `npm run bench` and `npm run plan` never load this file: the product is measured as it is.
 */
'use strict';
const { createRequire } = require('module');
const path = require('path');

/**
 * [directory of the requiring file (relative to @pulumi/pulumi), request, stand-in under
 * tests/helpers/lazy/]. Matched by directory because jest's resolver is only told that.
 */
const DEFERRED = [
  ['runtime/closure', '../../typescript-shim', 'typescript-shim.js'],
  ['', './automation', 'automation.js'],
  ['runtime/closure', '@npmcli/arborist', 'arborist.js'],
];

const PULUMI_DIR = path.dirname(require.resolve('@pulumi/pulumi/package.json'));

/** The deferral for `request` made from a file in `fromDir`, if any. */
function deferredFor(fromDir, request) {
  return DEFERRED.find(([dir, req]) => req === request && path.resolve(fromDir) === path.join(PULUMI_DIR, dir));
}

/**
 * Where `request`, made from @pulumi/pulumi's `dir`, really resolves: by Node's resolution, which
 * jest's resolver (tests/helpers/jest-resolver.js) would send back to the stand-in.
 */
function realPath(dir, request) {
  return createRequire(path.join(PULUMI_DIR, dir, 'index.js')).resolve(request);
}

/**
 * A stand-in for a module's exports that loads the module on first use. `__esModule` is answered
 * without loading, so TypeScript's `__importStar` passes the proxy through instead of copying
 * (and so loading) every export.
 */
function lazyModule(load) {
  let real;
  const target = () => (real === undefined ? (real = load()) : real);
  return new Proxy(
    {},
    {
      get: (_, key) => (key === '__esModule' ? true : target()[key]),
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
      set: (_, key, value) => Reflect.set(target(), key, value),
    },
  );
}

module.exports = { DEFERRED, deferredFor, lazyModule, realPath };

