/**
 * `npm run plan` on the real program: every shipped stack file plans, twice byte-identically;
 * no secret (config or mock-generated) reaches out/; bad config fails before anything is written;
 * with the reference product trees the nodes' files come out patched.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pattern2Mocks } from '../scripts/mocks';
import { standIn } from '../scripts/lib/stack-file';
import { FIXTURES, REFERENCE_ANALYTICS, REFERENCE_IS, REPO, findLeaks, readTree, runPlanCli } from './fixtures/plan/run-plan';

const STACKS = fs
  .readdirSync(REPO)
  .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
  .sort();

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

  test.each(STACKS)('%s plans, twice byte-identically, with no mock secret in the output', (file) => {
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

    const resources = JSON.parse(ta.get('resources.json')!.toString('utf8')) as { type: string; name: string; parent: string | null }[];
    expect(resources.find((r) => r.type === 'wso2:pattern2:Pattern2')).toBeDefined();
    expect(ta.get('plan.txt')!.toString('utf8')).toContain(`stack "${stack}"`);

    const secrets = generatedSecrets(a);
    // Stacks without passwords in config get random ones: they must exist and must not leak.
    expect(Object.keys(secrets).length).toBeGreaterThan(0);
    expect(findLeaks(ta, secrets)).toEqual([]);
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
