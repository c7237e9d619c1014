/**
 * Plan checks shared by the Kubernetes stack tests: every product pod's `wait-for-database` init
 * container verifies the database server exactly as the db-init Job does (the same CA volume
 * source, mount, DB_SSL_CA and DB_HOST, and a script that asks the client for verification).
 */
import { RecordedResource } from '../../scripts/mocks';
import { byKind } from '../fixtures/k8s/harness';
import { MOUNTS } from '../../components/kubernetes/paths';
import { STATEFULSET_OF } from '../../components/kubernetes/names';

/**
 * Asserts the wait containers of the IS and analytics StatefulSets against the Job's container.
 * @param records the recorded resources of a stack run
 * @returns the database host the Job and the waits connect to (checked equal)
 */
export function expectWaitsVerifyLikeDbInit(records: readonly RecordedResource[]): string {
  const jobSpec = byKind(records, 'Job')[0].spec.template.spec;
  const job = jobSpec.containers[0];
  const jobMount = job.volumeMounts.find((m: any) => m.mountPath === MOUNTS.dbCa);
  const jobVolume = jobSpec.volumes.find((v: any) => v.name === jobMount.name);
  const env = (c: any, name: string) => c.env.find((e: any) => e.name === name)?.value;
  expect(jobVolume.secret ?? jobVolume.configMap).toBeDefined();
  const names = Object.values(STATEFULSET_OF).map((x) => x.sts);
  const sets = byKind(records, 'StatefulSet').filter((s) => names.includes(s.metadata.name));
  expect(sets.map((s) => s.metadata.name).sort()).toEqual([...names].sort());
  for (const s of sets) {
    const spec = s.spec.template.spec;
    const wait = spec.initContainers.find((c: any) => c.name === 'wait-for-database');
    const mount = wait.volumeMounts.find((m: any) => m.mountPath === MOUNTS.dbCa);
    expect([s.metadata.name, mount]).toEqual([s.metadata.name, jobMount]);
    expect([s.metadata.name, spec.volumes.find((v: any) => v.name === mount.name)]).toEqual([s.metadata.name, jobVolume]);
    for (const name of ['DB_SSL_CA', 'DB_HOST', 'DB_PORT']) expect([s.metadata.name, name, env(wait, name)]).toEqual([s.metadata.name, name, env(job, name)]);
    // The MySQL image's client (MySQL 8) verifies the CA and the host name, as the Job's does.
    expect(wait.command[2]).toContain('--ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA"');
    expect(job.command[2]).toContain('--ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA"');
  }
  return env(job, 'DB_HOST');
}
