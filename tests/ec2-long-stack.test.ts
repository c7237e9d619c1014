/**
 * A 60-character stack name: every explicitly named resource (load balancers, target groups,
 * final snapshot) stays within AWS's limits and distinct; nothing else carries the stack name
 * in a physical name (auto-naming from short logical names).
 */
import { runEc2Stack, Ec2Run, ofType, T } from './fixtures/ec2/harness';

const STACK = 'feature-very-long-branch-name-for-identity-server-pattern-2x';
let run: Ec2Run;
beforeAll(async () => {
  expect(STACK).toHaveLength(60);
  run = await runEc2Stack('Pulumi.dev.yaml', { stack: STACK });
});

test('load balancer and target group names are within 32 characters, valid and distinct', () => {
  const named = [...ofType(run, T.lb), ...ofType(run, T.tg)];
  expect(named.length).toBeGreaterThanOrEqual(3 + 7);
  const names = named.map((r) => String(r.inputs.name));
  for (const n of names) {
    expect(n.length).toBeLessThanOrEqual(32);
    expect(n).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(n.startsWith('internal-')).toBe(false);
  }
  expect(new Set(names).size).toBe(names.length);
});

test('no physical name other than those carries the (long) stack name', () => {
  for (const r of run.records) {
    if (r.type === T.lb || r.type === T.tg) continue;
    for (const k of ['name', 'identifier', 'bucket', 'namePrefix']) {
      const v = r.inputs[k];
      if (typeof v === 'string') expect(v.includes(STACK)).toBe(false);
    }
  }
});
