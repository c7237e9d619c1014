/**
 * `is.nodeCount` 3 and more through the real program, by `plan` (the mock engine) on the `dev`
 * (EC2; 3 and the cap, 10) and `local` (Kubernetes; 3 and 5) stack files with the shipped IS files
 * (`--stock-is`), against the shipped two-node plans:
 * - every place that lists IS nodes lists all of them: each IS node's patched axis2.xml names every
 *   IS node as a wka member (the XML parsed), interfaces, instances, key secrets and certificates,
 *   NLB attachments (the management target group: is-1 only), a role, instance profile and inline
 *   policy per node naming that node's key secret only (each role's inline policy within IAM's
 *   limit at the cap), the cost lines (the db-init runner's apart); on Kubernetes the StatefulSet replicas,
 *   the change-set ConfigMaps and their projected volume, the pods' ordinal cases, the node
 *   certificates' pod DNS names, nginx's upstream (management: is-1 only); analytics stays two;
 * - scaling 2 -> 3 keeps every resource of the two-node graph under its logical name, with the
 *   same registered inputs except the existing IS nodes' member lists and, on Kubernetes, what
 *   lists the nodes (the IS StatefulSet and the front end's upstream), so is-1's and is-2's
 *   instances, attachments and identities (role, profile, policy) and the db-init runner are
 *   untouched; back to 3 removes only the resources of the nodes past is-3.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { create } from 'xmlbuilder2';
import { REFERENCE_IS, sharedPlans } from './fixtures/plan/run-plan';
import { DEFAULT_IS_NODE_COUNT, MAX_IS_NODE_COUNT, isNodeIds } from '../topology';
import { podDnsName } from '../components/kubernetes/names';

type Res = { type: string; name: string; urn: string; inputs: Record<string, any>; options?: Record<string, any> };
interface Plan {
  out: string;
  resources: Res[];
  outputs: Record<string, any>;
  cost: Record<string, any>;
}
const PLATFORMS = { ec2: { stack: 'dev', prefix: 'wso2is-ec2' }, kubernetes: { stack: 'local', prefix: 'wso2is-k8s' } } as const;
type Platform = keyof typeof PLATFORMS;
/**
 * The counts past the shipped two, per platform. On EC2 the larger is the cap, whose plan also
 * answers the IAM policy size question: one plan fewer than a separate 5 (a plan is seconds).
 */
const GROWN: Record<Platform, readonly [number, number]> = { ec2: [3, MAX_IS_NODE_COUNT], kubernetes: [3, 5] };
const NS = 'wso2-is-pattern2';

let tmp: string;
const plans = {} as Record<Platform, Record<number, Plan>>;
/** The counts planned per platform. */
const countsOf = (platform: Platform): number[] => [2, ...GROWN[platform]];

/**
 * Two IS nodes: the shipped stack file as it is (its count is the default, two), the plan
 * tests/plan.test.ts compares with the baseline. The larger counts with the shipped IS files. All
 * through the run's plan cache, the ones not yet made in one batch process (each plan on fresh
 * module instances: tests/fixtures/plan/batch-plan.ts).
 */
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node-count-plan-'));
  const read = (out: string): Plan => {
    const json = (f: string) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'));
    return { out, resources: json('resources.json'), outputs: json('outputs.json'), cost: json('cost.json') };
  };
  const key = 'wso2-is-pattern2:is';
  const wanted: { platform: Platform; n: number; args: string[] }[] = [];
  for (const platform of Object.keys(PLATFORMS) as Platform[]) {
    const { stack } = PLATFORMS[platform];
    plans[platform] = {};
    const doc = YAML.parse(fs.readFileSync(path.join(__dirname, '..', `Pulumi.${stack}.yaml`), 'utf8'));
    expect(doc.config[key]?.nodeCount ?? DEFAULT_IS_NODE_COUNT).toBe(2);
    wanted.push({ platform, n: 2, args: ['--stack', stack] });
    for (const n of countsOf(platform).filter((x) => x !== 2)) {
      const cfg = { config: { ...doc.config, [key]: { ...(doc.config[key] ?? {}), nodeCount: n } } };
      const file = path.join(tmp, `${stack}-${n}.yaml`);
      fs.writeFileSync(file, YAML.stringify(cfg));
      wanted.push({ platform, n, args: ['--stack', stack, '--config-file', file, '--stock-is', REFERENCE_IS] });
    }
  }
  sharedPlans(wanted.map((w) => w.args)).forEach((r, i) => {
    const { platform, n } = wanted[i];
    if (r.status !== 0) throw new Error(`plan ${PLATFORMS[platform].stack} with ${n} IS nodes failed:\n${r.stderr}`);
    plans[platform][n] = read(r.out);
  });
}, 600_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ofType = (p: Plan, type: string) => p.resources.filter((r) => r.type === type);
const named = (p: Plan, name: string) => {
  const r = p.resources.filter((x) => x.name === name);
  expect({ name, count: r.length }).toEqual({ name, count: 1 });
  return r[0];
};
/** The DOM calls used on xmlbuilder2's nodes (the project has no DOM lib types). */
interface El {
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<El>;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<El>;
}
/** The `<member>` host names and the node's own advertised host in a patched axis2.xml. */
function axis2(p: Plan, id: string): { members: string[]; local: string; scheme: string } {
  const root = create(fs.readFileSync(path.join(p.out, 'nodes', id, 'repository/conf/axis2/axis2.xml'), 'utf8')).root().node as unknown as El;
  const clustering = Array.from(root.childNodes).filter((c) => c.nodeName === 'clustering');
  expect(clustering).toHaveLength(1);
  expect(clustering[0].getAttribute('enable')).toBe('true');
  const param = (name: string) => Array.from(clustering[0].getElementsByTagName('parameter')).find((x) => x.getAttribute('name') === name)!.textContent!.trim();
  const members = Array.from(clustering[0].getElementsByTagName('member')).map((m) => m.getElementsByTagName('hostName')[0].textContent!.trim());
  return { members, local: param('localMemberHost'), scheme: param('membershipScheme') };
}
/** Each IS node's address as the model gives it. */
function isAddresses(platform: Platform, p: Plan, n: number): string[] {
  return isNodeIds(n).map((id, i) => (platform === 'ec2' ? p.outputs.nodeAddresses[id] : podDnsName('is', i, NS)));
}

describe.each(['ec2', 'kubernetes'] as Platform[])('%s', (platform) => {
  const { prefix } = PLATFORMS[platform];
  const [small, big] = GROWN[platform];

  describe.each([small, big])('%i IS nodes', (n) => {
    const p = () => plans[platform][n];

    test('each IS node gets an axis2.xml (the shipped file, patched) naming every IS node as a wka member', () => {
      const dirs = fs.readdirSync(path.join(p().out, 'nodes')).filter((d) => /^(is|analytics)-\d+$/.test(d));
      expect(dirs.sort()).toEqual([...isNodeIds(n), 'analytics-1', 'analytics-2'].sort());
      const all = isAddresses(platform, p(), n);
      expect(new Set(all).size).toBe(n);
      isNodeIds(n).forEach((id, i) => expect({ id, ...axis2(p(), id) }).toEqual({ id, members: all, local: all[i], scheme: 'wka' }));
    });

    test('key material: one TLS certificate per node, naming its address', () => {
      const csrs = ofType(p(), 'tls:index/certRequest:CertRequest').filter((r) => /-tls-g\d+-csr$/.test(r.name));
      // Besides the nodes' only the in-cluster MySQL's (Kubernetes; EC2 uses RDS), whatever the count.
      const others = platform === 'kubernetes' ? ['database'] : [];
      expect(csrs.map((r) => /-keys-(.+)-tls-g\d+-csr$/.exec(r.name)![1]).sort()).toEqual([...isNodeIds(n), 'analytics-1', 'analytics-2', ...others].sort());
      isNodeIds(n).forEach((id, i) => {
        const csr = csrs.find((r) => r.name.includes(`-keys-${id}-tls-`))!;
        const names = platform === 'ec2' ? csr.inputs.ipAddresses : csr.inputs.dnsNames;
        expect(names).toContain(isAddresses(platform, p(), n)[i]);
      });
    });

    if (platform === 'ec2') {
      test('an interface, an instance, a key secret and an identity per IS node; NLB attachments for every IS node (management: is-1); each node\'s policy names its own key secret only', () => {
        const ids = isNodeIds(n);
        const outIds = p().outputs.instanceIds as Record<string, string>;
        expect(Object.keys(outIds).sort()).toEqual([...ids, 'analytics-1', 'analytics-2'].sort());
        for (const id of ids) {
          named(p(), `${prefix}-${id}`);
          named(p(), `${prefix}-${id}-keys-secret`);
        }
        // Security groups are per role: every IS interface is in the one IS group, which no analytics node is in.
        const groups = (role: string) => ofType(p(), 'aws:ec2/networkInterface:NetworkInterface').filter((e) => e.name.startsWith(`${prefix}-${role}-`)).map((e) => e.inputs.securityGroups);
        expect(groups('is')).toHaveLength(n);
        expect(new Set(groups('is').map((g) => JSON.stringify(g)))).toEqual(new Set([JSON.stringify(groups('is')[0])]));
        expect(groups('is')[0]).toHaveLength(1);
        expect(groups('analytics').map((g) => g[0])).not.toContain(groups('is')[0][0]);
        const att = ofType(p(), 'aws:lb/targetGroupAttachment:TargetGroupAttachment');
        const targets = (tg: string) => att.filter((a) => a.name.startsWith(`${prefix}-tg-${tg}-`)).map((a) => a.inputs.targetId).sort();
        expect(targets('is-tls')).toEqual(ids.map((id) => outIds[id]).sort());
        expect(targets('mgt-tls')).toEqual([outIds['is-1']]);
        // No other target group has an IS node behind it.
        const isInstances = new Set(ids.map((id) => outIds[id]));
        expect(att.filter((a) => isInstances.has(a.inputs.targetId)).map((a) => a.name).sort()).toEqual(
          [...ids.map((id) => `${prefix}-tg-is-tls-${id}`), `${prefix}-tg-mgt-tls-is-1`].sort(),
        );
        // Analytics stays two: its target groups have two targets each.
        const anTargets = att.filter((x) => /-tg-(an|rx)-/.test(x.name));
        expect(anTargets.length).toBeGreaterThan(0);
        expect(anTargets.map((x) => x.inputs.targetId).sort()).toEqual(
          anTargets.map((x) => outIds[x.name.endsWith('-analytics-1') ? 'analytics-1' : x.name.endsWith('-analytics-2') ? 'analytics-2' : 'none']).sort(),
        );
        // No shared role or key policy: per node a role, an instance profile the instance runs with,
        // and one inline policy naming that node's key secret and no other.
        expect(p().resources.filter((r) => /-node-(keys|role|profile)/.test(r.name)).map((r) => r.name)).toEqual([]);
        const policies = ofType(p(), 'aws:iam/rolePolicy:RolePolicy');
        const keySecret = (id: string) => new RegExp(`:secret:${prefix}-${id}-keys-secret-[0-9a-f]+$`);
        for (const id of [...ids, 'analytics-1', 'analytics-2']) {
          const role = named(p(), `${prefix}-${id}-role`);
          const profile = named(p(), `${prefix}-${id}-profile`);
          expect(String(profile.inputs.role)).toMatch(new RegExp(`^${prefix}-${id}-role-`));
          expect(String(named(p(), `${prefix}-${id}`).inputs.iamInstanceProfile)).toMatch(new RegExp(`^${prefix}-${id}-profile-`));
          const access = named(p(), `${prefix}-${id}-access`);
          expect(access.inputs.role).toBe(`${role.name}-id`);
          const own = JSON.parse(access.inputs.policy).Statement.filter((x: { Sid: string }) => x.Sid === 'OwnKeyMaterial');
          expect(own).toHaveLength(1);
          expect(own[0].Resource).toHaveLength(1);
          expect(own[0].Resource[0]).toMatch(keySecret(id));
          // Only this node's policy names its key secret.
          expect(policies.filter((x) => x.inputs.policy.includes(`:secret:${prefix}-${id}-keys-secret-`)).map((x) => x.name)).toEqual([access.name]);
        }
      });

      test('IS nodes alternate between the two private subnets', () => {
        const subnets = isNodeIds(n).map((id) => named(p(), `${prefix}-${id}-eni`).inputs.subnetId);
        expect(new Set(subnets).size).toBe(2);
        subnets.forEach((s, i) => expect(s).toBe(subnets[i % 2]));
      });

      test('the cost estimate has an instance line per IS node; the db-init runner\'s line is not an IS node and does not grow', () => {
        type Line = { resource: string; unit: string; what: string; quantity: number };
        const ec2Lines = (q: Plan) => (q.cost.lines as Line[]).filter((l) => l.unit === 'instance-hour' && l.what.startsWith('EC2 '));
        const lines = ec2Lines(p());
        const nodes = [...isNodeIds(n), 'analytics-1', 'analytics-2'].map((id) => `${prefix}-${id}`);
        expect(lines.map((l) => l.resource).sort()).toEqual([...nodes, `${prefix}-db-init`].sort());
        // The nodes run the month; the runner only while db-init runs (decision 29), the same at any count.
        for (const l of lines.filter((x) => nodes.includes(x.resource))) expect(l.quantity).toBe(730);
        const runner = (q: Plan) => ec2Lines(q).find((l) => l.resource === `${prefix}-db-init`)!;
        expect(runner(p()).quantity).toBeLessThan(730);
        expect(runner(p())).toEqual(runner(plans.ec2[2]));
      });
    } else {
      test('the IS StatefulSet runs N pods under a one-at-a-time budget; every pod ordinal picks its node; a ConfigMap per node', () => {
        const sts = named(p(), `${prefix}-is`).inputs.spec;
        expect(sts.replicas).toBe(n);
        expect(sts.podManagementPolicy).toBe('OrderedReady');
        expect(sts.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
        expect(named(p(), `${prefix}-is-pdb`).inputs.spec.maxUnavailable).toBe(1);
        expect(named(p(), `${prefix}-analytics`).inputs.spec.replicas).toBe(2);
        const cases = isNodeIds(n).map((id, o) => `  ${o}) node_id=${id} ;;`);
        for (const c of sts.template.spec.initContainers.filter((x: any) => ['apply', 'keys-prepare', 'keys-install'].includes(x.name))) {
          expect(String(c.command[2]).split('\n').filter((l: string) => /^ {2}\d+\) node_id=/.test(l))).toEqual(cases);
        }
        const projected = sts.template.spec.volumes.find((v: any) => v.name === 'changes').projected.sources.map((s: any) => s.configMap.name);
        expect(projected).toEqual(isNodeIds(n).map((id) => `wso2is-changes-${id}`));
        for (const id of isNodeIds(n)) expect(Object.keys(named(p(), `${prefix}-changes-${id}`).inputs.data)).toEqual([`changes-${id}.json`]);
      });

      test('nginx balances over every IS pod; the management hostname reaches is-1 only', () => {
        const conf = String(Object.values(named(p(), `${prefix}-nginx-conf`).inputs.data)[0]);
        const servers = (u: string) => [...new RegExp(`upstream ${u} \\{([^}]*)\\}`).exec(conf)![1].matchAll(/^\s*server (\S+?):\d+/gm)].map((m) => m[1]);
        expect(servers('wso2_is_https')).toEqual(isAddresses(platform, p(), n));
        expect(servers('wso2_is_mgt')).toEqual([podDnsName('is', 0, NS)]);
      });

      test('the cost estimate counts N IS pods', () => {
        const w = (p().cost.kubernetes.workloads as { name: string; replicas: number }[]).find((x) => x.name === `${prefix}-is`)!;
        expect(w.replicas).toBe(n);
      });
    }
  });

  /** Paths where two registered values differ (arrays of different length: `[len]`). */
  function diffPaths(a: unknown, b: unknown, at = ''): string[] {
    if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length ? [`${at}[len]`] : a.flatMap((x, i) => diffPaths(x, b[i], `${at}[${i}]`));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      return keys.flatMap((k) => (k in a && k in b ? diffPaths((a as any)[k], (b as any)[k], `${at}.${k}`) : [`${at}.${k}`]));
    }
    return a === b ? [] : [at];
  }
  /** A change set with its axis2.xml member list left out. */
  function withoutMembers(payload: string): unknown {
    const cs = JSON.parse(payload);
    for (const c of cs.changes) if (c.ops) c.ops = c.ops.filter((o: any) => !(o.op === 'replace' && /\/members$/.test(o.path)));
    return cs;
  }
  const changeSetOf = (r: Res): string => (platform === 'ec2' ? r.inputs.content : String(Object.values(r.inputs.data)[0]));
  /** What may differ between the graphs of `from` and `to` IS nodes, besides new nodes' resources. */
  const ALLOWED: Record<Platform, Record<string, RegExp>> = {
    // Per-node identities: no policy lists the nodes, so nothing existing changes but the change sets.
    ec2: {},
    kubernetes: {
      [`${prefix}-is`]: /^\.(inputs\.spec\.(replicas|template\.metadata\.annotations\.wso2-pattern2\/config-checksum|template\.spec\.initContainers\[\d+\]\.command\[2\]|template\.spec\.volumes\[\d+\]\.projected\.sources\[len\])|options\.dependsOn\[len\])$/,
      [`${prefix}-nginx-conf`]: /^\.inputs\.data\./,
      [`${prefix}-frontend`]: /^\.inputs\.spec\.template\.metadata\.annotations\.wso2-pattern2\/config-checksum$/,
    },
  };

  test.each([
    [2, small],
    [small, big],
  ])('%i -> %i IS nodes: every existing resource keeps its logical name and inputs but for member lists; only the new nodes are added', (from, to) => {
    const a = plans[platform][from];
    const b = plans[platform][to];
    const after = new Map(b.resources.map((r) => [r.urn, r]));
    const newIds = isNodeIds(to).slice(from);
    const isNew = (name: string) => newIds.some((id) => new RegExp(`-${id}(-|$)`).test(name));
    // Nothing renamed or dropped; everything added belongs to a new node.
    expect(a.resources.filter((r) => !after.has(r.urn)).map((r) => r.name)).toEqual([]);
    const before = new Set(a.resources.map((r) => r.urn));
    const added = b.resources.filter((r) => !before.has(r.urn)).map((r) => r.name);
    expect(added.length).toBeGreaterThan(0);
    expect(added.filter((name) => !isNew(name))).toEqual([]);
    for (const id of newIds) expect(added.some((name) => name.endsWith(`-${id}`) || name.includes(`-${id}-`))).toBe(true);

    const changed: string[] = [];
    for (const r of a.resources) {
      const s = after.get(r.urn)!;
      const paths = diffPaths({ inputs: r.inputs, options: r.options ?? {} }, { inputs: s.inputs, options: s.options ?? {} });
      if (paths.length === 0) continue;
      changed.push(r.name);
      const existingChangeSet = isNodeIds(from).some((id) => r.name === `${prefix}-${id}-change-set` || r.name === `${prefix}-changes-${id}`);
      if (existingChangeSet) {
        // The existing IS nodes' change sets differ by their wka member lists only.
        expect(withoutMembers(changeSetOf(s))).toEqual(withoutMembers(changeSetOf(r)));
        continue;
      }
      const optionsOnly = paths.every((x) => x.startsWith('.options.dependsOn'));
      if (optionsOnly && platform === 'ec2') {
        // Instances wait for every node's key secret: a dependency, not an input (no update).
        const urnsAdded = (s.options!.dependsOn as string[]).filter((u) => !(r.options?.dependsOn ?? []).includes(u));
        expect(urnsAdded.every((u) => isNew(u.split('::').pop()!))).toBe(true);
        expect((r.options?.dependsOn ?? []).every((u: string) => s.options!.dependsOn.includes(u))).toBe(true);
        continue;
      }
      const allowed = ALLOWED[platform][r.name];
      expect({ name: r.name, unexpected: allowed ? paths.filter((x) => !allowed.test(x)) : paths }).toEqual({ name: r.name, unexpected: [] });
    }
    // is-1's and is-2's instances, interfaces, attachments, key secrets and identities and the
    // db-init runner are untouched (EC2), the analytics workload too (Kubernetes): the existing
    // nodes change by their member lists only.
    const ec2Untouched = ['is-1', 'is-2'].flatMap((id) =>
      [id, `${id}-eni`, `${id}-keys-secret`, `${id}-boot`, `${id}-role`, `${id}-profile`, `${id}-access`, `${id}-ssm`, `tg-is-tls-${id}`].map((x) => `${prefix}-${x}`),
    );
    const untouched = platform === 'ec2' ? [...ec2Untouched, `${prefix}-tg-mgt-tls-is-1`, `${prefix}-db-init`, `${prefix}-db-init-access`] : [`${prefix}-analytics`, `${prefix}-changes-analytics-1`];
    for (const name of untouched) {
      // `<name>-db-init` is both the runner instance and its script object.
      const rs = a.resources.filter((x) => x.name === name);
      expect({ name, found: rs.length > 0 }).toEqual({ name, found: true });
      for (const r of rs) expect({ name, type: r.type, inputs: after.get(r.urn)!.inputs }).toEqual({ name, type: r.type, inputs: r.inputs });
    }
    if (platform === 'ec2') {
      expect(changed.filter((x) => x.endsWith('-change-set')).sort()).toEqual(isNodeIds(from).map((id) => `${prefix}-${id}-change-set`).sort());
      // Each new node brings its own identity; no other is created.
      const identities = added.filter((name) => /-(role|profile|access|ssm)$/.test(name)).sort();
      expect(identities).toEqual(newIds.flatMap((id) => ['role', 'profile', 'access', 'ssm'].map((x) => `${prefix}-${id}-${x}`)).sort());
    }
  });

  if (platform === 'ec2') {
    test('at the cap each role\'s inline policies stay within IAM\'s 10,240 characters (whitespace not counted)', () => {
      const p = plans.ec2[MAX_IS_NODE_COUNT];
      const policies = ofType(p, 'aws:iam/rolePolicy:RolePolicy');
      // One role per node and the db-init runner's; IAM's limit is on the sum of a role's inline policies.
      const perRole = new Map<string, number>();
      for (const r of policies) perRole.set(r.inputs.role, (perRole.get(r.inputs.role) ?? 0) + JSON.stringify(JSON.parse(r.inputs.policy)).length);
      const owners = [...isNodeIds(MAX_IS_NODE_COUNT), 'analytics-1', 'analytics-2', 'db-init'];
      expect([...perRole.keys()].sort()).toEqual(owners.map((id) => `${prefix}-${id}-role-id`).sort());
      for (const [role, size] of perRole) expect({ role, size, within: size < 10_240 }).toEqual({ role, size, within: true });
      expect(named(p, `${prefix}-is-${MAX_IS_NODE_COUNT}-access`).inputs.policy).toContain(`:secret:${prefix}-is-${MAX_IS_NODE_COUNT}-keys-secret-`);
    });
  }

  test(`${big} -> ${small} IS nodes removes the resources of is-${small + 1} to is-${big} only`, () => {
    const remaining = new Set(plans[platform][small].resources.map((r) => r.urn));
    const removed = plans[platform][big].resources.filter((r) => !remaining.has(r.urn)).map((r) => r.name);
    const gone = isNodeIds(big).slice(small);
    const ofGone = (name: string) => gone.some((id) => new RegExp(`-${id}(-|$)`).test(name));
    expect(removed.filter((name) => !ofGone(name))).toEqual([]);
    // Each of them had resources to remove.
    for (const id of gone) expect({ id, removed: removed.some((name) => new RegExp(`-${id}(-|$)`).test(name)) }).toEqual({ id, removed: true });
  });
});
