/**
 * The jest transform of the tests: each .ts file is transpiled with esbuild (already a dependency:
 * the program bundles the applier and scripts/lib/register-ts.js loads the plan with it), an order
 * of magnitude quicker than ts-jest. Type checking is `npm run build`'s job (tsc over tests/ too).
 * No test uses jest.mock, so nothing needs babel's hoisting of it.
 */
'use strict';
const crypto = require('crypto');
const { transformSync, version } = require('esbuild');

const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline' };

module.exports = {
  process(source, filename) {
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(version).update(JSON.stringify(OPTIONS)).update(filename).update('\0').update(source).digest('hex');
  },
};
