/**
 * The restricted Pod Security Standard, checked by a real checker: @monokle/validation's
 * pod-security-standards plugin (tests/helpers/pss-check.mjs, run in a child node because the
 * library is an ES module). Every baseline and restricted control is on.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export interface PssViolation {
  /** The plugin's rule id (PSS1xx baseline, PSS2xx restricted). */
  ruleId: string;
  /** The object's name. */
  resource: string;
  /** The offending field, e.g. `spec.template.spec.initContainers.3.securityContext.runAsUser`. */
  path: string;
  message: string;
}

/**
 * Every violation of the restricted profile in `objects` (workloads: Deployment, StatefulSet,
 * Job, Pod; other kinds are passed over by the checker).
 * @param objects Kubernetes objects with apiVersion and kind
 */
export function restrictedViolations(objects: readonly Record<string, unknown>[]): { rules: string[]; violations: PssViolation[] } {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'pss-check.mjs')], { input: JSON.stringify(objects), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`pss-check exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** The pod spec of a workload object (Deployment, StatefulSet, Job) or a Pod. */
export function podSpecOf(o: Record<string, any>): Record<string, any> {
  return o.kind === 'Pod' ? o.spec : o.spec.template.spec;
}
