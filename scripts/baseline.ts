/**
 * `npm run baseline -- [--update] [--stack NAME ...]`
 *
 * The plan baseline: `resources.json`, `outputs.json` and `nodes/` of every shipped stack, as
 * `npm run plan` writes them, kept under tests/baseline/<stack>/. Without `--update` it plans each
 * stack into a temporary directory and compares byte for byte with the baseline (exit 1 and the
 * differing paths on a difference); with `--update` it rewrites the baseline.
 *
 * Why: a refactor must not change what a user sees. A change that is meant to change the plan
 * updates the baseline in the same commit, and the commit message says why; `git diff` of
 * tests/baseline/ is then exactly what a `pulumi preview` would show differently.
 *
 * The applier bundle (`applier.js`, 150 kB, identical on every node) is kept as its SHA-256 only;
 * plan.txt and cost.json are left out (summaries of resources.json and the node files, and the
 * cost estimate changes with the price table, not with the program).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const BASELINE_DIR = path.join(REPO_ROOT, 'tests', 'baseline');

/** The shipped stacks: every `Pulumi.<stack>.yaml` in the repository root. */
export function shippedStacks(): string[] {
  return fs
    .readdirSync(REPO_ROOT)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/** Files of a plan directory as the baseline keeps them: relative path -> bytes, sorted. */
export function baselineView(planDir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(planDir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (r === 'plan.txt' || r === 'cost.json') continue;
      else if (path.basename(r) === 'applier.js') {
        const digest = createHash('sha256').update(fs.readFileSync(path.join(planDir, r))).digest('hex');
        out.set(`${r}.sha256`, Buffer.from(`${digest}\n`));
      } else out.set(r, fs.readFileSync(path.join(planDir, r)));
    }
  };
  walk('');
  return out;
}

/** Runs `npm run plan` for one stack into `outDir` (its own process: the Pulumi runtime is global). */
export function planInto(stack: string, outDir: string): void {
  const r = spawnSync(process.execPath, ['-r', path.join(REPO_ROOT, 'scripts/lib/register-ts.js'), path.join(REPO_ROOT, 'scripts/plan.ts'), '--stack', stack, '--out', outDir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`plan of stack ${stack} failed (exit ${r.status}):\n${r.stderr}`);
}

/** Differences between a plan view and the stored baseline of one stack (empty when identical). */
export function compareWithBaseline(stack: string, view: Map<string, Buffer>): string[] {
  const dir = path.join(BASELINE_DIR, stack);
  if (!fs.existsSync(dir)) return [`${stack}: no baseline (run npm run baseline -- --update)`];
  const stored = baselineView(dir);
  const diffs: string[] = [];
  for (const [p, content] of view) {
    const s = stored.get(p);
    if (!s) diffs.push(`${stack}/${p}: new`);
    else if (!s.equals(content)) diffs.push(`${stack}/${p}: differs`);
  }
  for (const p of stored.keys()) if (!view.has(p)) diffs.push(`${stack}/${p}: gone`);
  return diffs;
}

function writeBaseline(stack: string, view: Map<string, Buffer>): void {
  const dir = path.join(BASELINE_DIR, stack);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [p, content] of view) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const update = args.includes('--update');
  const stacks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--update') continue;
    if (args[i] === '--stack' && args[i + 1]) stacks.push(args[++i]);
    else {
      process.stderr.write('usage: npm run baseline -- [--update] [--stack NAME ...]\n');
      process.exit(2);
    }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-baseline-'));
  let failed = false;
  try {
    for (const stack of stacks.length ? stacks : shippedStacks()) {
      const out = path.join(tmp, stack);
      planInto(stack, out);
      const view = baselineView(out);
      if (update) {
        writeBaseline(stack, view);
        process.stdout.write(`baseline: ${stack}: ${view.size} files written\n`);
        continue;
      }
      const diffs = compareWithBaseline(stack, view);
      if (diffs.length) failed = true;
      process.stdout.write(diffs.length ? diffs.map((d) => `baseline: ${d}\n`).join('') : `baseline: ${stack}: identical (${view.size} files)\n`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

if (require.main === module) main();
