/**
 * setupFiles of the fast tier: a test there that starts a child process (other than xmllint, the
 * XML oracle) fails at once, naming the command, instead of slowing the tier down unnoticed.
 * Such a test belongs to the system tier (tests/helpers/tiers.js).
 */
'use strict';
const childProcess = require('child_process');

const ALLOWED = new Set(['xmllint']);
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = childProcess[name];
  childProcess[name] = function guarded(command, ...rest) {
    const exe = String(command).split('/').pop();
    if ((name === 'exec' || name === 'execSync' || name === 'fork') || !ALLOWED.has(exe)) {
      throw new Error(`fast tier: ${name}(${JSON.stringify(String(command))}) starts a process; move this test file to the system tier (tests/helpers/tiers.js)`);
    }
    return original.call(this, command, ...rest);
  };
}
