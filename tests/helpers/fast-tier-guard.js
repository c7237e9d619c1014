/**
 * setupFiles of both tiers: in a fast-tier test file, starting a child process (other than
 * xmllint, the XML oracle) fails at once, naming the command, instead of slowing the tier down
 * unnoticed. Such a test belongs to the system tier (tests/helpers/tiers.js).
 *
 * Node's built-in modules are not sandboxed per test file: a jest worker hands every file it runs,
 * of either tier, the same `child_process` object. So the wrappers are installed on it once per
 * worker and consult a switch on that object, which every test file sets as it starts (through
 * this file, with the tier from jest.config.js's `globals.testTier`): a system file that follows a
 * fast one in the same worker starts processes freely.
 */
'use strict';
const childProcess = require('child_process');

const SWITCH = Symbol.for('wso2-pattern2.fastTierGuard');
const ALLOWED = new Set(['xmllint']);

if (!(SWITCH in childProcess)) {
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    const original = childProcess[name];
    childProcess[name] = function guarded(command, ...rest) {
      const exe = String(command).split('/').pop();
      if (childProcess[SWITCH] && (name === 'exec' || name === 'execSync' || name === 'fork' || !ALLOWED.has(exe))) {
        throw new Error(`fast tier: ${name}(${JSON.stringify(String(command))}) starts a process; move this test file to the system tier (tests/helpers/tiers.js)`);
      }
      return original.call(this, command, ...rest);
    };
  }
}
childProcess[SWITCH] = globalThis.testTier === 'fast';
