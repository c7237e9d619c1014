/**
 * The plan's output directory is replaced wholesale on every run. Deleting a directory the user
 * named is dangerous, so only directories that are empty or look like a previous plan are removed.
 */
import * as fs from 'fs';
import * as path from 'path';

const PLAN_MARKERS = ['plan.txt', 'resources.json', 'outputs.json', 'nodes'];

export function looksLikePlanDir(dir: string): boolean {
  if (!fs.existsSync(dir)) return false;
  const entries = fs.readdirSync(dir);
  return entries.length === 0 || entries.some((e) => PLAN_MARKERS.includes(e));
}

/**
 * Removes a previous plan in `dir`.
 * @throws when `dir` is a file, the file system root, an ancestor of `protect`, or a non-empty
 *   directory that is not a plan.
 */
export function removePlanDir(dir: string, protect: string): void {
  const abs = path.resolve(dir);
  const rel = path.relative(abs, path.resolve(protect));
  if (abs === path.parse(abs).root || rel === '' || !rel.startsWith('..')) {
    throw new Error(`refusing to use ${dir} as the plan output directory: it contains the project`);
  }
  if (!fs.existsSync(abs)) return;
  if (!fs.statSync(abs).isDirectory()) throw new Error(`plan output ${dir} exists and is not a directory`);
  if (!looksLikePlanDir(abs)) throw new Error(`refusing to replace ${dir}: it is not empty and holds no previous plan`);
  fs.rmSync(abs, { recursive: true, force: true });
}
