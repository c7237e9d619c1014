/**
 * `npm run plan` on the real program: every shipped stack file plans, twice byte-identically, and
 * to exactly its stored baseline (scripts/baseline.ts; a change meant to alter the plan updates
 * the baseline with `npm run baseline -- --update` in the same commit); resource options reach
 * resources.json and plan.txt; no secret (config or mock-generated) reaches out/; the shared
 * mocks handle only types a shipped stack registers; bad config fails before anything is
 * written; with the reference product trees the nodes' files come out patched.
 * Each stack is planned twice here and nowhere else (a plan is a few seconds of CPU).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BASELINE_DIR, baselineView, compareWithBaseline, shippedStacks } from '../scripts/baseline';
import { handledResourceTypes, pattern2Mocks } from '../scripts/mocks';
import { standIn } from '../scripts/lib/stack-file';
import { FIXTURES, REFERENCE_ANALYTICS, REFERENCE_IS, REPO, findLeaks, readTree, runPlanCli } from './fixtures/plan/run-plan';

const STACKS = fs
  .readdirSync(REPO)
  .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
  .sort();

interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  options?: { protect?: true; dependsOn?: string[]; deleteBeforeReplace?: true };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-test-'));
});
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

describe('shipped stacks', () => {
  test('there is at least one shipped stack file', () => {
    expect(STACKS).toContain('Pulumi.dev.yaml');
  });

  test.each(STACKS)('%s plans, twice byte-identically and as its baseline, with its options and no mock secret in the output', (file) => {
    const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(file)![1];
    const a = path.join(tmp, `${stack}-a`);
    const b = path.join(tmp, `${stack}-b`);
    const r1 = runPlanCli(['--stack', stack, '--out', a]);
    expect(r1.stderr).not.toMatch(/^plan: /m);
    expect(r1.status).toBe(0);
    const r2 = runPlanCli(['--stack', stack, '--out', b]);
    expect(r2.status).toBe(0);

    const ta = readTree(a);
    const tb = readTree(b);
    for (const f of ['plan.txt', 'resources.json', 'outputs.json']) expect(ta.has(f)).toBe(true);
    expect([...tb.keys()]).toEqual([...ta.keys()]);
    for (const [f, content] of ta) expect({ f, same: content.equals(tb.get(f)!) }).toEqual({ f, same: true });

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
    const out = path.join(tmp, 'nasty');
    const r = runPlanCli(['--config-file', path.join(FIXTURES, 'Pulumi.nasty.yaml'), '--out', out]);
    expect(r.stderr).not.toMatch(/^plan: /m);
    expect(r.status).toBe(0);
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
  test.each([
    ['Pulumi.bad-platform.yaml', 'platform'],
    ['Pulumi.bad-key.yaml', 'frobnicate'],
    ['Pulumi.bad-cidr.yaml', 'network.vpcCidr'],
  ])('%s: exit 1, the key on stderr, no resources.json (a stale one is removed)', (file, key) => {
    const out = path.join(tmp, `bad-${key}`);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'resources.json'), '[]\n');
    const r = runPlanCli(['--config-file', path.join(FIXTURES, file), '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`wso2-is-pattern2:${key}:`);
    expect(fs.existsSync(path.join(out, 'resources.json'))).toBe(false);
  });
});

describe('--stock-is / --stock-analytics with the reference product trees', () => {
  // Depends on the platforms shipping change sets (conventions in the team brief).
  test('is-1 gets a patched axis2.xml with WKA clustering', () => {
    const out = path.join(tmp, 'stock');
    const r = runPlanCli(['--stack', 'dev', '--out', out, '--stock-is', REFERENCE_IS, '--stock-analytics', REFERENCE_ANALYTICS]);
    expect(r.stderr).not.toMatch(/^plan: /m);
    expect(r.status).toBe(0);
    const axis2 = path.join(out, 'nodes/is-1/repository/conf/axis2/axis2.xml');
    expect(fs.existsSync(axis2)).toBe(true);
    const text = fs.readFileSync(axis2, 'utf8');
    expect(text).toMatch(/<parameter name="membershipScheme">wka<\/parameter>/);
    // A patched copy of the stock file, not just the edit list.
    expect(text).toContain('<axisconfig');
  });
});
