/**
 * `npm run plan` on the real program: every shipped stack file plans to exactly its stored
 * baseline (scripts/baseline.ts; a change meant to alter the plan updates the baseline with
 * `npm run baseline -- --update` in the same commit); resource options reach resources.json and
 * plan.txt; no secret (config or mock-generated) reaches out/; the shared mocks handle only types
 * a shipped stack registers; bad config fails before anything is written; with the reference
 * product trees the nodes' files come out patched.
 *
 * Determinism: the baseline was written by another process, earlier, so a plan equal to it is
 * byte-stable in every file it keeps (resources.json, outputs.json, nodes/). The two files it
 * leaves out are checked to be exactly what the plan's own renderers make of those files
 * (cost.json and plan.txt, rebuilt here), so they are byte-stable too; the key order inside
 * object-valued outputs in plan.txt, which no other file records, is covered by the
 * two-process comparison in tests/is-keystores-plan.test.ts. Each stack is planned once, through
 * the run's plan cache (tests/node-count-plan.test.ts reads the same dev and local plans), the
 * missing ones in one process (tests/fixtures/plan/batch-plan.ts): the baseline, written by fresh
 * processes, is what shows a plan made after others in one process is the same plan.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BASELINE_DIR, baselineView, compareWithBaseline, shippedStacks } from '../scripts/baseline';
import { handledResourceTypes, pattern2Mocks } from '../scripts/mocks';
import { readStackFile, standIn } from '../scripts/lib/stack-file';
import { costJson, estimateCost, renderCostSummary } from '../scripts/lib/cost';
import { findChangeSets } from '../scripts/lib/nodes';
import { renderSummary } from '../scripts/lib/summary';
import { ConfigError, PROJECT, parseStackConfig } from '../config';
import { runPlan } from '../scripts/plan';
import type { RecordedResource } from '../scripts/mocks';
import { FIXTURES, REFERENCE_ANALYTICS, REFERENCE_IS, REPO, findLeaks, readTree, runPlanCli, sharedPlan, sharedPlans } from './fixtures/plan/run-plan';

const STACKS = fs
  .readdirSync(REPO)
  .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
  .sort();

interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  inputs: Record<string, unknown>;
  options?: { protect?: true; dependsOn?: string[]; deleteBeforeReplace?: true };
}

/** The plan of dev with the reference product trees (the one tests/is-keystores-plan.test.ts reads too). */
const DEV_WITH_STOCK = ['--stack', 'dev', '--stock-is', REFERENCE_IS, '--stock-analytics', REFERENCE_ANALYTICS];
/** The plan of the stack file whose secrets break every escaping (plain, and a stand-in for secure:). */
const NASTY = ['--config-file', path.join(FIXTURES, 'Pulumi.nasty.yaml')];
const stackOf = (file: string) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)![1];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-test-'));
  // Every plan this file reads, the ones the run's cache lacks made in one process; the tests
  // below take theirs from the cache.
  sharedPlans([...STACKS.map((f) => ['--stack', stackOf(f)]), DEV_WITH_STOCK, NASTY]);
}, 600_000);
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The secrets the mocks generate for the random/tls resources a plan registered. */
function generatedSecrets(outDir: string): Record<string, string> {
  const resources = JSON.parse(fs.readFileSync(path.join(outDir, 'resources.json'), 'utf8')) as { type: string; name: string }[];
  const mocks = pattern2Mocks();
  const out: Record<string, string> = {};
  for (const r of resources) {
    if (!/^(random|tls):/.test(r.type)) continue;
    const before = mocks.recorder.generatedSecrets.length;
    mocks.newResource({ type: r.type, name: r.name, inputs: {}, custom: true });
    mocks.recorder.generatedSecrets.slice(before).forEach((v, i) => (out[`${r.type} ${r.name} #${i}`] = v));
  }
  return out;
}

/** A JSON value with object keys sorted at every level. */
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;
/** plan.txt with its JSON-valued output lines' object keys sorted, as outputs.json has them. */
const sortedOutputJson = (planTxt: string) => planTxt.replace(/^( {2}\w+ = )([[{].*)$/gm, (_, k: string, v: string) => k + JSON.stringify(sortKeys(JSON.parse(v))));

/**
 * cost.json and plan.txt as the plan's renderers make them from the run's other files (a plan
 * without stock trees): the resource tree and options from resources.json (components are this
 * project's `wso2:pattern2:` types), the outputs from outputs.json, the node files and where each
 * change set came from from nodes/ and resources.json, the cost from resources.json and the region.
 */
function rebuiltFromFiles(stack: string, tree: Map<string, Buffer>): { planTxt: string; costJson: string } {
  const file = `Pulumi.${stack}.yaml`;
  const stackFile = readStackFile(path.join(REPO, file));
  const resources = JSON.parse(tree.get('resources.json')!.toString('utf8')) as PlannedResource[];
  const records = resources.map((r) => ({ ...r, parent: r.parent ?? undefined, custom: !r.type.startsWith('wso2:pattern2:'), rawInputs: r.inputs, state: {} }));
  const nodeFiles = new Map<string, Map<string, Buffer>>();
  for (const [f, b] of tree) {
    const m = /^nodes\/([^/]+)\/(.+)$/.exec(f);
    if (!m) continue;
    if (!nodeFiles.has(m[1])) nodeFiles.set(m[1], new Map());
    nodeFiles.get(m[1])!.set(m[2], b);
  }
  const summary = renderSummary({
    project: PROJECT,
    stack,
    configFile: file,
    platform: parseStackConfig(stackFile.raw, stack).platform,
    resources: records,
    outputs: JSON.parse(tree.get('outputs.json')!.toString('utf8')),
    nodeFiles,
    changeSetSources: new Map(findChangeSets(records as RecordedResource[]).map((c) => [c.nodeId, c.sources])),
    notPatched: new Map(),
    stock: {},
  });
  const report = estimateCost(resources, { region: stackFile.all['aws:region'] });
  return { planTxt: `${summary}\n${renderCostSummary(report)}`, costJson: costJson(report) };
}

describe('shipped stacks', () => {
  test('there is at least one shipped stack file', () => {
    expect(STACKS).toContain('Pulumi.dev.yaml');
  });

  test.each(STACKS)('%s plans as its baseline, plan.txt and cost.json as rebuilt from its files, with its options and no mock secret in the output', (file) => {
    const stack = stackOf(file);
    const r1 = sharedPlan(['--stack', stack]);
    expect(r1.stderr).not.toMatch(/^plan: /m);
    expect(r1.status).toBe(0);
    const a = r1.out;

    const ta = readTree(a);
    for (const f of ['plan.txt', 'resources.json', 'outputs.json', 'cost.json']) expect(ta.has(f)).toBe(true);
    // The files the baseline leaves out are functions of those it keeps (so they are as stable).
    const rebuilt = rebuiltFromFiles(stack, ta);
    expect(ta.get('cost.json')!.toString('utf8')).toBe(rebuilt.costJson);
    expect(sortedOutputJson(ta.get('plan.txt')!.toString('utf8'))).toBe(sortedOutputJson(rebuilt.planTxt));

    const resources = JSON.parse(ta.get('resources.json')!.toString('utf8')) as PlannedResource[];
    expect(resources.find((r) => r.type === 'wso2:pattern2:Pattern2')).toBeDefined();
    const planTxt = ta.get('plan.txt')!.toString('utf8');
    expect(planTxt).toContain(`stack "${stack}"`);

    // Options: only those set are recorded; dependsOn names registered resources; protected ones are marked.
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources.filter((x) => x.options)) {
      expect(Object.keys(r.options!).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(r.options!)) expect({ k, v: v === true || (Array.isArray(v) && v.length > 0) }).toEqual({ k, v: true });
      for (const d of r.options!.dependsOn ?? []) expect(urns.has(d)).toBe(true);
      if (r.options!.protect) expect(planTxt).toContain(`${r.type}  ${r.name}`);
    }
    const protectedCount = resources.filter((r) => r.options?.protect).length;
    expect(planTxt.split('\n').filter((l) => l.includes('[protected]')).length).toBe(protectedCount);
    if (stack === 'prod') {
      expect(resources.find((r) => r.type === 'aws:rds/instance:Instance')!.options).toMatchObject({ protect: true });
    }
    if (stack === 'dev') {
      const node = resources.find((r) => r.type === 'aws:ec2/instance:Instance')!;
      expect(node.options).toMatchObject({ deleteBeforeReplace: true });
      expect(node.options!.dependsOn!.length).toBeGreaterThan(0);
      expect(protectedCount).toBe(0);
    }

    // The baseline: byte-identical, and the comparison sees a one-byte change, a new file and a missing one.
    const view = baselineView(a);
    expect(compareWithBaseline(stack, view)).toEqual([]);
    const touched = new Map(view);
    const first = [...touched.keys()].find((p) => p.endsWith('.json'))!;
    touched.set(first, Buffer.concat([touched.get(first)!, Buffer.from(' ')]));
    touched.set('nodes/extra', Buffer.from('x'));
    touched.delete('outputs.json');
    expect(compareWithBaseline(stack, touched).sort()).toEqual([`${stack}/${first}: differs`, `${stack}/nodes/extra: new`, `${stack}/outputs.json: gone`].sort());

    const secrets = generatedSecrets(a);
    // Stacks without passwords in config get random ones: they must exist and must not leak.
    expect(Object.keys(secrets).length).toBeGreaterThan(0);
    expect(findLeaks(ta, secrets)).toEqual([]);
  });
});

describe('the shared mocks', () => {
  test('every resource type scripts/mocks.ts handles is registered by a shipped stack', () => {
    // The baselines are what the shipped stacks register (the test above proves each plan equals its baseline).
    const registered = new Set<string>();
    for (const stack of shippedStacks()) {
      const resources = JSON.parse(fs.readFileSync(path.join(BASELINE_DIR, stack, 'resources.json'), 'utf8')) as PlannedResource[];
      for (const r of resources) registered.add(r.type);
    }
    // The handled types: the id prefixes and the state builders.
    const handled = handledResourceTypes();
    expect(handled.length).toBeGreaterThan(15);
    expect([...handled].filter((t) => !registered.has(t)).sort()).toEqual([]);
  });
});

describe('secrets from the stack file', () => {
  test('none of the nasty config secrets (plain or stand-in for secure:) appears in out/', () => {
    const r = sharedPlan(NASTY);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const out = r.out;
    const tree = readTree(out);
    const secrets = {
      adminPassword: 'Adm1nNasty9&<>"\'$`\\:#{}%',
      dbPassword: 'Db9Nasty7Pw]]>&amp;\'"$(id)`',
      dbMasterPassword: standIn('wso2-is-pattern2:dbMasterPassword'),
    };
    expect(tree.size).toBeGreaterThanOrEqual(3);
    expect(findLeaks(tree, secrets)).toEqual([]);
    expect(findLeaks(tree, generatedSecrets(out))).toEqual([]);
  });
});

describe('invalid config', () => {
  /** A plan directory holding a stale resources.json, as a previous run leaves it. */
  const staleOut = (key: string) => {
    const out = path.join(tmp, `bad-${key}`);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'resources.json'), '[]\n');
    return out;
  };

  test('the CLI: exit 1, the key on stderr, no resources.json (a stale one is removed)', () => {
    const out = staleOut('platform');
    const r = runPlanCli(['--config-file', path.join(FIXTURES, 'Pulumi.bad-platform.yaml'), '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('plan: Invalid stack configuration: wso2-is-pattern2:platform:');
    expect(fs.existsSync(path.join(out, 'resources.json'))).toBe(false);
  });

  // The same path in this process (a ConfigError is what the CLI turns into exit 1 and its message
  // on stderr, above): thrown before the program runs, so this process can still plan afterwards.
  test.each([
    ['Pulumi.bad-platform.yaml', 'platform'],
    ['Pulumi.bad-key.yaml', 'frobnicate'],
    ['Pulumi.bad-cidr.yaml', 'network.vpcCidr'],
  ])('%s: a config error naming the key, no resources.json (a stale one is removed)', async (file, key) => {
    const out = staleOut(`${key}-inprocess`);
    const failure = await runPlan({ configFile: path.join(FIXTURES, file), outDir: out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toContain(`wso2-is-pattern2:${key}:`);
    expect(fs.existsSync(path.join(out, 'resources.json'))).toBe(false);
  });
});

describe('--stock-is / --stock-analytics with the reference product trees', () => {
  // Depends on the platforms shipping change sets (conventions in the team brief). The same
  // plan tests/is-keystores-plan.test.ts reads (the run's plan cache).
  test('is-1 gets a patched axis2.xml with WKA clustering', () => {
    const r = sharedPlan(DEV_WITH_STOCK);
    expect(r.stderr).not.toMatch(/^plan: /m);
    expect(r.status).toBe(0);
    const axis2 = path.join(r.out, 'nodes/is-1/repository/conf/axis2/axis2.xml');
    expect(fs.existsSync(axis2)).toBe(true);
    const text = fs.readFileSync(axis2, 'utf8');
    expect(text).toMatch(/<parameter name="membershipScheme">wka<\/parameter>/);
    // A patched copy of the stock file, not just the edit list.
    expect(text).toContain('<axisconfig');
  });
});
