/**
 * `plan --stock-is` and the explode change: with a stock tree holding shindig.war (as a pack does)
 * the war is unpacked in plan's scratch copy and the gadget server web.xml comes out patched; with
 * a tree holding neither the war nor the directory the war is listed as missing, like any file the
 * tree lacks, and the plan succeeds (tests/plan-fixture.test.ts covers that tree).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SHINDIG_DIR, SHINDIG_WAR, SHINDIG_WEB_XML, renderShindigExplode } from '../config-templates/is/proxy';
import { IS_FIXTURE_HOME } from './fixtures/is/model';
import { zipTreeTo } from './helpers/zip';
import { FIXTURES, REFERENCE_ANALYTICS, REFERENCE_IS, readTree, runPlanCli } from './fixtures/plan/run-plan';

let tmp: string;
let tree: Map<string, Buffer>;
const text = (f: string) => {
  const b = tree.get(f);
  if (!b) throw new Error(`${f} not written`);
  return b.toString('utf8');
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'explode-plan-'));
  // The shipped files plus the gadget server as the pack ships it: a war, zipped from our fixture.
  const stock = path.join(tmp, 'stock-is');
  fs.cpSync(REFERENCE_IS, stock, { recursive: true });
  expect(fs.existsSync(path.join(stock, SHINDIG_DIR))).toBe(false);
  zipTreeTo(path.join(IS_FIXTURE_HOME, SHINDIG_DIR), path.join(stock, SHINDIG_WAR)); // fixed times: the same bytes every run
  const out = path.join(tmp, 'out');
  const r = runPlanCli([
    '--config-file', path.join(FIXTURES, 'Pulumi.nasty.yaml'),
    '--program', path.join(FIXTURES, 'program-nodes.ts'),
    '--out', out, '--stock-is', stock, '--stock-analytics', REFERENCE_ANALYTICS,
  ]);
  if (r.status !== 0) throw new Error(`plan failed (${r.status}): ${r.stderr}`);
  tree = readTree(out);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the war is unpacked in the scratch copy: the gadget server web.xml comes out patched, nothing is missing for it', () => {
  const webXml = text(`nodes/is-1/${SHINDIG_WEB_XML}`);
  expect(webXml).toMatch(/shindig\.host=\S+/);
  expect(webXml).not.toMatch(/shindig\.host=\s*\n/);
  expect(webXml).toContain('<!-- fixture: system properties comment -->');
  const plan = text('plan.txt');
  expect(plan).not.toContain(`    ${SHINDIG_WEB_XML}\n`);
  expect(plan).not.toContain(`    ${SHINDIG_WAR}\n`);
  // The change itself is written like any edit; the archive's bytes are not copied out.
  expect(JSON.parse(text(`nodes/is-1/${SHINDIG_WAR}.edits.json`))).toEqual(renderShindigExplode());
  expect(tree.has(`nodes/is-1/${SHINDIG_WAR}`)).toBe(false);
  expect(tree.has(`nodes/is-1/${renderShindigExplode().parkAs}`)).toBe(false);
});

test('the stock tree itself is left untouched', () => {
  expect(fs.existsSync(path.join(tmp, 'stock-is', SHINDIG_WAR))).toBe(true);
  expect(fs.existsSync(path.join(tmp, 'stock-is', SHINDIG_DIR))).toBe(false);
});
