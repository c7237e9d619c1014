/**
 * `npm run bench -- [--repeat N]`: how long `plan` takes per shipped stack file, against the
 * floor (scripts/bench-floor.ts: what an EC2 program cannot avoid loading, one resource). Every
 * run is a fresh child process, as a user would run it; runs of plan and floor alternate so a
 * busy machine slows both alike; the table shows medians. The goal is dev <= 1.5x the floor.
 * A second floor per stack registers as many empty buckets as the stack's plan registers
 * resources: what the SDK costs for that many resources alone, so the last column is what the
 * program itself adds (its modules, renderers, the plan's writing).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

/** What scripts/bench-floor.ts loads and does: keep in step with it. */
export const FLOOR_LOADS =
  'node with the TypeScript loader (scripts/lib/register-ts.js), @pulumi/pulumi, the shared mocks ' +
  '(scripts/mocks.ts, with topology.ts), @pulumi/aws, @pulumi/random, @pulumi/tls; registers one aws.s3.Bucket ' +
  'under the mocks and waits for the engine';

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

/** How many resources a plan registered (its resources.json). */
function resourceCount(outDir: string): number {
  const list = JSON.parse(fs.readFileSync(path.join(outDir, 'resources.json'), 'utf8')) as unknown;
  if (!Array.isArray(list)) throw new Error(`${outDir}/resources.json is not a list of resources`);
  return list.length;
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
    // One warm-up of each (fills the loader's and the applier bundle's caches, as any second run has them).
    const names = stacks.map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)![1]);
    const planOf = (stack: string) => timeRun('scripts/plan.ts', ['--stack', stack, '--out', path.join(tmp, stack)]);
    const floorOf = (count: number) => timeRun('scripts/bench-floor.ts', ['--resources', String(count)]);
    floorOf(1);
    for (const stack of names) planOf(stack);
    const counts = new Map(names.map((stack) => [stack, resourceCount(path.join(tmp, stack))]));
    const floors: number[] = [];
    const plans = new Map<string, number[]>(names.map((s) => [s, []]));
    const sameCount = new Map<string, number[]>(names.map((s) => [s, []]));
    for (let i = 0; i < repeat; i++) {
      floors.push(floorOf(1));
      for (const stack of names) {
        plans.get(stack)!.push(planOf(stack));
        sameCount.get(stack)!.push(floorOf(counts.get(stack)!));
      }
    }
    const floor = median(floors);
    const rows: string[][] = [['stack', 'plan median ms', 'floor median ms', 'ratio', 'resources', 'same-count floor ms', 'plan / same-count']];
    for (const stack of names) {
      const plan = median(plans.get(stack)!);
      const same = median(sameCount.get(stack)!);
      rows.push([stack, plan.toFixed(0), floor.toFixed(0), (plan / floor).toFixed(2), String(counts.get(stack)), same.toFixed(0), (plan / same).toFixed(2)]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
    process.stdout.write(
      `${repeat} runs each after one warm-up, medians; node ${process.version}\nfloor: ${FLOOR_LOADS}\n` +
        'same-count floor: the floor registering as many empty aws.s3.Bucket resources as the stack registers\n',
    );
    process.stdout.write([line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
