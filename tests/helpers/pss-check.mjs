// The restricted Pod Security Standard checked by @monokle/validation's pod-security-standards
// plugin (every baseline and restricted control, offline): reads a JSON array of Kubernetes
// objects on stdin and prints a JSON array of violations, one per rule and path. An ES module
// run in its own node (the library is ESM only; jest here runs CommonJS).
import { createDefaultMonokleValidator } from '@monokle/validation';

const RULES = [
  'host-process', 'host-namespaces', 'privileged-containers', 'capabilities', 'hostPath-volumes', 'host-ports',
  'app-armor', 'selinux', 'proc-mount', 'seccomp', 'sysctls',
  'volume-types', 'privilege-escalation', 'running-as-non-root', 'running-as-non-root-user', 'seccomp-strict', 'capabilities-strict',
];

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const validator = createDefaultMonokleValidator();
// Several restricted rules are off by default in the plugin: every one is switched on, as errors.
await validator.preload({
  plugins: { 'pod-security-standards': true },
  rules: Object.fromEntries(RULES.map((r) => [`pod-security-standards/${r}`, 'err'])),
});
const resources = objects.map((o, i) => ({
  id: `r${i}`,
  fileId: `f${i}`,
  filePath: `${o.kind}-${o.metadata?.name ?? i}.yaml`,
  fileOffset: 0,
  name: o.metadata?.name ?? `r${i}`,
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata?.namespace,
  content: o,
  text: JSON.stringify(o),
}));
const response = await validator.validate({ resources });
const out = [];
for (const run of response.runs) {
  for (const r of run.results) {
    const [resource, element] = r.locations?.[1]?.logicalLocations ?? [];
    out.push({ ruleId: r.ruleId, resource: resource?.name, path: element?.fullyQualifiedName, message: r.message?.text });
  }
}
// The rules the plugin has (every one switched on above), so a caller can see what was checked.
const known = response.runs.flatMap((run) => (run.tool.extensions ?? []).flatMap((e) => (e.rules ?? []).map((x) => `${x.id} ${x.name}`)));
process.stdout.write(JSON.stringify({ rules: known, violations: out }));
