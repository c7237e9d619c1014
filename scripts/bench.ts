/**
 * `npm run bench -- [--repeat N]`: how long `plan` takes per shipped stack file, against the
 * floor (scripts/bench-floor.ts: same SDKs and mock engine, one resource). Every run is a fresh
 * child process, as a user would run it; the table shows medians. Informational, no thresholds.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

function timeRun(script: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts/lib/register-ts.js'), path.join(ROOT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return ms;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main(): void {
  const i = process.argv.indexOf('--repeat');
  const repeat = i >= 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat needs a positive integer');
  const stacks = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f)).sort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-bench-'));
  try {
    const floor = median(Array.from({ length: repeat }, () => timeRun('scripts/bench-floor.ts', [])));
    const rows: string[][] = [['stack', 'plan median ms', 'floor median ms', 'ratio']];
    for (const file of stacks) {
      const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(file)![1];
      const out = path.join(tmp, stack);
      const plan = median(Array.from({ length: repeat }, () => timeRun('scripts/plan.ts', ['--stack', stack, '--out', out])));
      rows.push([stack, plan.toFixed(0), floor.toFixed(0), (plan / floor).toFixed(2)]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
    process.stdout.write(`${repeat} runs each, medians; node ${process.version}\n`);
    process.stdout.write([line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
