/**
 * The plan baseline (scripts/baseline.ts): every shipped stack plans to exactly the stored
 * tests/baseline/<stack>/ tree. A change meant to alter the plan updates the baseline
 * (`npm run baseline -- --update`) in the same commit and says why in its message.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { baselineView, compareWithBaseline, planInto, shippedStacks } from '../scripts/baseline';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-baseline-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.each(shippedStacks())('stack %s plans byte-identically to its baseline', (stack) => {
  const out = path.join(tmp, stack);
  planInto(stack, out);
  const view = baselineView(out);
  expect(compareWithBaseline(stack, view)).toEqual([]);

  // The comparison sees a one-byte change, a new file and a missing one.
  const touched = new Map(view);
  const first = [...touched.keys()].find((p) => p.endsWith('.json'))!;
  touched.set(first, Buffer.concat([touched.get(first)!, Buffer.from(' ')]));
  touched.set('nodes/extra', Buffer.from('x'));
  touched.delete('outputs.json');
  expect(compareWithBaseline(stack, touched).sort()).toEqual([`${stack}/${first}: differs`, `${stack}/nodes/extra: new`, `${stack}/outputs.json: gone`].sort());
});
