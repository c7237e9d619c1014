/**
 * `plan` on a small fixture program that uses every delivery route of the conventions, so the
 * node-file extraction, redaction and leak refusal are tested independently of the platforms.
 *
 * `plan --stock-is` and the explode change: with a stock tree holding shindig.war (as a pack does)
 * the war is unpacked in plan's scratch copy and the gadget server web.xml comes out patched; with
 * a tree holding neither the war nor the directory (the shared reference tree) the war is listed
 * as missing, like any file the tree lacks, and the plan succeeds. The two plans run in one process
 * (tests/fixtures/plan/run-plan.ts `sharedPlans`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CHANGE_SET_SCHEMA } from '../config-templates';
import { SHINDIG_DIR, SHINDIG_WAR, SHINDIG_WEB_XML, renderShindigExplode } from '../config-templates/is/proxy';
import { mockPassword } from '../scripts/mocks';
import { IS_FIXTURE_HOME } from './fixtures/is/model';
import { zipTreeTo } from './helpers/zip';
import { FIXTURES, REFERENCE_ANALYTICS, REFERENCE_IS, findLeaks, readTree, runPlanCli, sharedPlans } from './fixtures/plan/run-plan';
import type { SharedPlan } from './fixtures/plan/run-plan';

const PROGRAM = path.join(FIXTURES, 'program-nodes.ts');
const CONFIG = path.join(FIXTURES, 'Pulumi.nasty.yaml');
const ADMIN = 'Adm1nNasty9&<>"\'$`\\:#{}%';

let tmp: string;
let tree: Map<string, Buffer>;
/** The plan with the war in the stock tree. */
let warTree: Map<string, Buffer>;
/** The plan whose program leaks a secret into a node file. */
let leak: SharedPlan;
/** The plan whose program throws under the mock engine. */
let throws: SharedPlan;
const text = (f: string, t = tree) => {
  const b = t.get(f);
  if (!b) throw new Error(`${f} not written; have: ${[...t.keys()].join(', ')}`);
  return b.toString('utf8');
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-fixture-'));
  // The shipped files plus the gadget server as the pack ships it: a war, zipped from our fixture.
  const warStock = path.join(tmp, 'stock-is');
  fs.cpSync(REFERENCE_IS, warStock, { recursive: true });
  expect(fs.existsSync(path.join(warStock, SHINDIG_DIR))).toBe(false);
  zipTreeTo(path.join(IS_FIXTURE_HOME, SHINDIG_DIR), path.join(warStock, SHINDIG_WAR)); // fixed times: the same bytes every run
  const plan = ['--config-file', CONFIG, '--program', PROGRAM, '--stock-analytics', REFERENCE_ANALYTICS];
  const [r, w, l, t] = sharedPlans([
    [...plan, '--stock-is', REFERENCE_IS],
    [...plan, '--stock-is', warStock],
    // Last, the plans that fail: the program ships the admin password in a node file; a program that throws.
    { args: ['--config-file', CONFIG, '--program', PROGRAM], env: { PLAN_FIXTURE_LEAK: '1' } },
    ['--config-file', CONFIG, '--program', path.join(FIXTURES, 'program-throws.ts')],
  ]);
  for (const x of [r, w]) if (x.status !== 0) throw new Error(`plan failed (${x.status}): ${x.stderr}`);
  [leak, throws] = [l, t];
  tree = readTree(r.out);
  warTree = readTree(w.out);
}, 300_000);
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a change set in a tagged S3 object lands in nodes/is-1 verbatim, with its files and edits', () => {
  const payload = text('nodes/is-1/changes.json');
  const cs = JSON.parse(payload);
  expect(cs.$schema).toBe(CHANGE_SET_SCHEMA);
  expect(cs.nodeId).toBe('is-1');
  for (const c of cs.changes as { kind: string; path: string; content?: string }[]) {
    if (c.kind === 'file') expect(text(`nodes/is-1/${c.path}`)).toBe(c.content);
    else expect(JSON.parse(text(`nodes/is-1/${c.path}.edits.json`))).toEqual(c);
  }
});

test('a change set inside gzip+base64 user data is found; the user data is written decoded', () => {
  const ud = text('nodes/analytics-1/user-data');
  expect(ud.startsWith('#!/bin/bash\n')).toBe(true);
  const cs = JSON.parse(text('nodes/analytics-1/changes.json'));
  expect(cs.nodeId).toBe('analytics-1');
  expect(ud).toContain(text('nodes/analytics-1/changes.json'));
});

test('stock trees: edited files come out patched; files the tree lacks are listed, not invented', () => {
  const axis2 = text('nodes/is-1/repository/conf/axis2/axis2.xml');
  expect(axis2).toContain('<axisconfig');
  expect(axis2).toMatch(/<parameter name="membershipScheme">wka<\/parameter>/);
  expect(text('nodes/analytics-1/conf/worker/deployment.yaml')).toMatch(/wso2\.carbon:/);
  const changes = Object.values(JSON.parse(text('nodes/is-1/changes.json')).changes as { kind: string; path: string; create?: boolean }[]);
  const creates = (c: { kind: string; create?: boolean }) => c.kind === 'properties' && c.create === true;
  const missing = changes.filter((c) => c.kind !== 'file' && !creates(c) && !fs.existsSync(path.join(REFERENCE_IS, c.path))).map((c) => c.path);
  // A properties edit that creates its optional file needs no stock file: it comes out whole.
  const created = changes.filter((c) => creates(c) && !fs.existsSync(path.join(REFERENCE_IS, c.path))).map((c) => c.path);
  expect(created).toEqual(['repository/conf/hazelcast.properties']);
  expect(text('nodes/is-1/repository/conf/hazelcast.properties')).toBe('hazelcast.shutdownhook.enabled=false\nhazelcast.logging.type=log4j\n');
  expect(text('plan.txt')).not.toContain('    repository/conf/hazelcast.properties\n');
  expect(missing).toContain('repository/conf/identity/identity-event.properties');
  for (const p of missing) {
    expect(tree.has(`nodes/is-1/${p}`)).toBe(false);
    expect(text('plan.txt')).toContain(`    ${p}\n`);
  }
});

test('ConfigMaps become files; Secrets are never written', () => {
  expect(text('nodes/frontend/nginx.conf')).toContain('listen 443;');
  expect([...tree.keys()].some((f) => f.startsWith('nodes/database/'))).toBe(false);
});

test('secrets are redacted in resources.json and outputs.json, also inside longer strings', () => {
  const outputs = JSON.parse(text('outputs.json'));
  expect(outputs.adminPassword).toBe('[secret]');
  expect(outputs.connectionString).toBe('mysql://wso2:[secret]@db.internal.example.com:3306/WSO2UMDB');
  const resources = JSON.parse(text('resources.json')) as { type: string; inputs: Record<string, unknown> }[];
  expect(resources.find((r) => r.type === 'aws:secretsmanager/secretVersion:SecretVersion')!.inputs.secretString).toBe('[secret]');
  expect(findLeaks(tree, { admin: ADMIN, random: mockPassword('fixture-db') })).toEqual([]);
});

test('a secret in a node file fails the plan loudly (exit 2, the file and key named, never the value) and writes nothing', () => {
  expect(leak.status).toBe(2);
  expect(leak.stderr).toMatch(/^plan: secret values would be written by the plan \(nothing was written\):$/m);
  expect(leak.stderr).toContain('nodes/analytics-1/user-data: config wso2-is-pattern2:adminPassword');
  expect(leak.stderr).not.toContain('Adm1nNasty9');
  expect(fs.existsSync(leak.out)).toBe(false);
  // Nor a partial directory beside it.
  expect(fs.readdirSync(path.dirname(leak.out)).filter((f) => f.startsWith('out'))).toEqual([]);
});

test('a program whose output never settles fails the plan with a reason (not a silent exit) and writes nothing', () => {
  const out = path.join(tmp, 'stalls');
  const r = runPlanCli(['--config-file', CONFIG, '--program', path.join(FIXTURES, 'program-stalls.ts'), '--out', out]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('plan: the program never settled: an output stayed unknown');
  expect(fs.existsSync(out)).toBe(false);
});

// The CLI's exit statuses are those planCli returns (exit 1: plan.test; a stall's exit 2: above).
test('a program that fails under the mock engine fails the plan with its error (exit 2) and writes nothing', () => {
  expect(throws.status).toBe(2);
  expect(throws.stderr).toMatch(/^plan: the program failed under the mock engine/m);
  expect(throws.stderr).toContain('fixture failure while naming fixture');
  expect(fs.existsSync(throws.out)).toBe(false);
});

describe('a stock tree holding shindig.war', () => {
  test('the war is unpacked in the scratch copy: the gadget server web.xml comes out patched, nothing is missing for it', () => {
    const webXml = text(`nodes/is-1/${SHINDIG_WEB_XML}`, warTree);
    expect(webXml).toMatch(/shindig\.host=\S+/);
    expect(webXml).not.toMatch(/shindig\.host=\s*\n/);
    expect(webXml).toContain('<!-- fixture: system properties comment -->');
    const plan = text('plan.txt', warTree);
    expect(plan).not.toContain(`    ${SHINDIG_WEB_XML}\n`);
    expect(plan).not.toContain(`    ${SHINDIG_WAR}\n`);
    // The change itself is written like any edit; the archive's bytes are not copied out.
    expect(JSON.parse(text(`nodes/is-1/${SHINDIG_WAR}.edits.json`, warTree))).toEqual(renderShindigExplode());
    expect(warTree.has(`nodes/is-1/${SHINDIG_WAR}`)).toBe(false);
    expect(warTree.has(`nodes/is-1/${renderShindigExplode().parkAs}`)).toBe(false);
  });

  test('the stock tree itself is left untouched', () => {
    expect(fs.existsSync(path.join(tmp, 'stock-is', SHINDIG_WAR))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'stock-is', SHINDIG_DIR))).toBe(false);
  });
});
