/**
 * `npm run cost -- [--stack NAME] [--json]`
 *
 * Prints the monthly cost estimate of a stack at AWS list prices (scripts/lib/cost.ts, prices in
 * pricing/aws-list-prices.json). It reads `out/<stack>/resources.json` when that plan is newer
 * than the stack file and every source of the program; otherwise it plans the stack into a
 * temporary directory first (its own process, like `npm run baseline`), leaving out/ alone.
 * `--json` prints cost.json instead of the summary.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, planInto } from './baseline';
import { readStackFile } from './lib/stack-file';
import { CostResource, costJson, estimateCost, renderCostSummary } from './lib/cost';

/** Directories whose files are not the program's sources. */
const NOT_SOURCES = new Set(['node_modules', 'out', 'tests', 'dist', 'docs', '.git']);

/** Newest modification time (ms) of the program's sources: .ts, .js, .sh, .json outside NOT_SOURCES. */
export function newestSourceMtime(dir: string = REPO_ROOT): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || NOT_SOURCES.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (/\.(ts|js|sh|json|ya?ml)$/.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The plan's resources.json when present and newer than every source; undefined otherwise. */
export function currentResources(stack: string, outDir: string = path.join(REPO_ROOT, 'out', stack)): CostResource[] | undefined {
  const file = path.join(outDir, 'resources.json');
  if (!fs.existsSync(file)) return undefined;
  if (fs.statSync(file).mtimeMs < newestSourceMtime()) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CostResource[];
}

function resourcesOf(stack: string): CostResource[] {
  const current = currentResources(stack);
  if (current) return current;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-cost-'));
  try {
    const out = path.join(tmp, stack);
    planInto(stack, out);
    return JSON.parse(fs.readFileSync(path.join(out, 'resources.json'), 'utf8')) as CostResource[];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function main(): void {
  const args = process.argv.slice(2);
  let stack = 'dev';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--stack' && args[i + 1]) stack = args[++i];
    else if (args[i] === '--json') json = true;
    else {
      process.stderr.write('usage: npm run cost -- [--stack NAME] [--json]\n');
      process.exit(2);
    }
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    process.stderr.write(`cost: invalid stack name "${stack}"\n`);
    process.exit(2);
  }
  const stackFile = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  try {
    const region = readStackFile(stackFile).all['aws:region'];
    const report = estimateCost(resourcesOf(stack), { region });
    process.stdout.write(json ? costJson(report) : `stack ${stack}\n${renderCostSummary(report)}`);
  } catch (e) {
    process.stderr.write(`cost: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

if (require.main === module) main();
