/**
 * runPlan in-process (the CLI is a thin wrapper around it): its result describes exactly the
 * tree it wrote, and a second run in the same process is refused (the Pulumi runtime is global).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PlanError, runPlan } from '../scripts/plan';
import { readTree } from './fixtures/plan/run-plan';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-inprocess-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('runPlan returns what it wrote; a second run in one process is refused', async () => {
  const out = path.join(tmp, 'dev');
  const result = await runPlan({ stack: 'dev', outDir: out });
  expect(result.stack).toBe('dev');
  expect(result.outDir).toBe(out);
  expect(result.files).toEqual([...readTree(out).keys()].sort());
  const resources = JSON.parse(fs.readFileSync(path.join(out, 'resources.json'), 'utf8')) as unknown[];
  expect(result.resources).toBe(resources.length);
  for (const [id, files] of Object.entries(result.nodes)) {
    for (const f of files) expect(fs.existsSync(path.join(out, 'nodes', id, f))).toBe(true);
  }
  await expect(runPlan({ stack: 'dev', outDir: path.join(tmp, 'again') })).rejects.toThrow(PlanError);
  expect(fs.existsSync(path.join(tmp, 'again'))).toBe(false);
});
