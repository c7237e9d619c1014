/**
 * A measuring aid, off unless TEST_CPU_LOG names a file: jest's node environment that appends,
 * per test file, the CPU seconds its worker spent on it, its own and that of the child processes
 * it started and waited for (nginx, MariaDB, java, shell, ...), read from /proc/self/stat (Linux).
 * On a shared machine, wall times say more about the neighbours than about the tests; CPU time
 * does not. `TEST_CPU_LOG=/tmp/cpu.jsonl npm test`, then
 * `node tests/helpers/cpu-report.js /tmp/cpu.jsonl` prints the files by CPU.
 */
'use strict';
const fs = require('fs');
const TestEnvironment = require('./node-environment');

const TICKS = 100; // USER_HZ on Linux

/** [own user+sys, children user+sys] in seconds. */
function cpu() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return [(Number(f[11]) + Number(f[12])) / TICKS, (Number(f[13]) + Number(f[14])) / TICKS];
}

class CpuEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.start = cpu();
    this.wallStart = Date.now();
  }

  async teardown() {
    await super.teardown();
    const end = cpu();
    const line = {
      file: this.testPath,
      own: +(end[0] - this.start[0]).toFixed(2),
      children: +(end[1] - this.start[1]).toFixed(2),
      wall: (Date.now() - this.wallStart) / 1000,
      start: this.wallStart,
      pid: process.pid,
    };
    fs.appendFileSync(process.env.TEST_CPU_LOG, JSON.stringify(line) + '\n');
  }
}

module.exports = CpuEnvironment;
