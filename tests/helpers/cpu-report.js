#!/usr/bin/env node
/**
 * `node tests/helpers/cpu-report.js LOG...`: the per-file CPU log of tests/helpers/cpu-environment.js
 * as a table, most CPU first, with the totals. Given two logs (before, after), a column per log.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const logs = process.argv.slice(2);
if (!logs.length) {
  process.stderr.write('usage: cpu-report.js LOG [LOG2]\n');
  process.exit(2);
}
const tables = logs.map((log) => {
  const m = new Map();
  for (const line of fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    m.set(path.basename(r.file), r);
  }
  return m;
});
const names = [...new Set(tables.flatMap((t) => [...t.keys()]))];
const total = (r) => (r ? r.own + r.children : 0);
names.sort((a, b) => total(tables[0].get(b)) - total(tables[0].get(a)));
const cell = (r) => (r ? `${total(r).toFixed(1).padStart(6)} (${r.own.toFixed(1)}+${r.children.toFixed(1)})`.padEnd(20) : '-'.padEnd(20));
const rows = names.map((n) => `${n.padEnd(34)} ${tables.map((t) => cell(t.get(n))).join(' ')}`);
const sums = tables.map((t) => [...t.values()].reduce((s, r) => s + total(r), 0).toFixed(1).padStart(6).padEnd(20));
process.stdout.write(`${'file'.padEnd(34)} ${logs.map(() => 'cpu s (own+children)'.padEnd(20)).join(' ')}\n${rows.join('\n')}\n${'total'.padEnd(34)} ${sums.join(' ')}\n`);
