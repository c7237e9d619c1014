/**
 * Pod security on the `local` stack (Pulumi.local.yaml: in-cluster MySQL, the NFS server, nginx,
 * the db-init Job, IS and analytics) under the shared mocks: every pod template but the NFS
 * server's passes a real Pod Security Standards checker (@monokle/validation, restricted, every
 * control on), which rejects a deliberately bad pod; no pod mounts a service-account token; the
 * created namespace carries the admission labels.
 */
import { runStack, ProgramRun, byKind, findObject } from './fixtures/k8s/harness';
import { PssViolation, restrictedViolations, podSpecOf } from './helpers/pss';
import { NAMES } from '../components/kubernetes/names';
import { POD_SECURITY_VERSION } from '../components/kubernetes/pod-security';
import { MYSQL_UID, NGINX_UID } from '../components/kubernetes/pod-specs';
import { WSO2_UID } from '../topology';

const NS = 'wso2-is-pattern2';
let run: ProgramRun;
/** One run of the checker (a child node loading the library) over the bad pod and every workload. */
let checked: { rules: string[]; violations: PssViolation[] };
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml');
  checked = restrictedViolations([BAD_POD, ...workloads()]);
});

const workloads = () => [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment'), ...byKind(run.records, 'Job')];
/** The violations of the named objects (the checker judges each object on its own; names are distinct, tested below). */
const violationsOf = (names: string[]) => checked.violations.filter((v) => names.includes(v.resource));
const containers = (spec: Record<string, any>): Record<string, any>[] => [...(spec.initContainers ?? []), ...spec.containers];

/** A pod that breaks one control of each kind the products could get wrong. */
const BAD_POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'bad', namespace: NS },
  spec: {
    hostNetwork: true,
    securityContext: { runAsUser: 0, sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
    initContainers: [{ name: 'root-init', image: 'x', securityContext: { runAsUser: 0, capabilities: { add: ['CHOWN'] } } }],
    containers: [{ name: 'c', image: 'x', securityContext: { privileged: true, allowPrivilegeEscalation: true, seccompProfile: { type: 'Unconfined' } } }],
    volumes: [{ name: 'host', hostPath: { path: '/var/run' } }],
  },
};

test('the checker knows every control of the Standard and rejects a deliberately bad pod on each', () => {
  const { rules } = checked;
  const violations = violationsOf([BAD_POD.metadata.name]);
  // Baseline: host process, host namespaces, privileged, capabilities, hostPath, host ports,
  // AppArmor, SELinux, /proc mount, seccomp, sysctls; restricted: volume types, privilege
  // escalation, non-root, non-root user, seccomp, capabilities.
  expect(rules.map((r) => r.split(' ')[0])).toEqual([...[101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111], ...[201, 202, 203, 204, 205, 206]].map((n) => `PSS${n}`));
  const hits = violations.map((v) => `${v.ruleId} ${v.path}`);
  for (const want of [
    'PSS102 spec.hostNetwork',
    'PSS103 spec.containers.0.securityContext.privileged',
    'PSS105 spec.volumes.0.hostPath',
    'PSS110 spec.containers.0.securityContext.seccompProfile.type',
    'PSS111 spec.securityContext.sysctls.0.name',
    'PSS201 spec.volumes.0.hostPath',
    'PSS202 spec.containers.0.securityContext.allowPrivilegeEscalation',
    'PSS203 spec.initContainers.0.securityContext.runAsNonRoot',
    'PSS204 spec.securityContext.runAsUser',
    'PSS204 spec.initContainers.0.securityContext.runAsUser',
    'PSS206 spec.initContainers.0.securityContext.capabilities.drop',
    'PSS206 spec.initContainers.0.securityContext.capabilities.add',
  ]) {
    expect(hits).toContain(want);
  }
});

test('every pod template but the NFS server\'s meets the restricted Standard, init containers included', () => {
  const pods = workloads().filter((w) => w.metadata.name !== NAMES.nfs);
  // IS, analytics, MySQL, nginx and the db-init Job: all of them checked.
  expect(pods.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual(
    [`StatefulSet/${NAMES.is}`, `StatefulSet/${NAMES.analytics}`, `StatefulSet/${NAMES.mysql}`, `Deployment/${NAMES.nginx}`, `Job/${byKind(run.records, 'Job')[0].metadata.name}`].sort(),
  );
  // Each violation names its object; the names are distinct, so none can hide behind another's.
  const names = [BAD_POD, ...workloads()].map((w) => w.metadata.name);
  expect(new Set(names).size).toBe(names.length);
  expect(violationsOf(pods.map((w) => w.metadata.name))).toEqual([]);
  // The checker sees the containers it judged: the product pods' init containers are there.
  expect(containers(podSpecOf(findObject(run.records, 'StatefulSet', NAMES.is))).map((c) => c.name)).toEqual(
    expect.arrayContaining(['seed-shared', 'apply', 'keys-prepare', 'keystores', 'keys-install', 'wait-for-database', 'fetch-jdbc-driver', 'stage']),
  );
});

test('the NFS server is the one pod outside it, and the checker says so', () => {
  const nfs = findObject(run.records, 'Deployment', NAMES.nfs);
  const rules = new Set(violationsOf([nfs.metadata.name]).map((v) => v.ruleId));
  expect(rules.has('PSS103')).toBe(true); // privileged: the kernel NFS server
});

test('no pod mounts a service-account token (none calls the Kubernetes API)', () => {
  for (const w of workloads()) expect([w.metadata.name, podSpecOf(w).automountServiceAccountToken]).toEqual([w.metadata.name, false]);
});

test('each pod runs as its image\'s own non-root user, its volumes of that user\'s group', () => {
  const ids = (w: Record<string, any>) => {
    const sc = podSpecOf(w).securityContext;
    return [sc.runAsUser, sc.runAsGroup, sc.fsGroup];
  };
  expect(ids(findObject(run.records, 'StatefulSet', NAMES.is))).toEqual([WSO2_UID, WSO2_UID, WSO2_UID]);
  expect(ids(findObject(run.records, 'StatefulSet', NAMES.analytics))).toEqual([WSO2_UID, WSO2_UID, WSO2_UID]);
  expect(ids(byKind(run.records, 'Job')[0])).toEqual([WSO2_UID, WSO2_UID, WSO2_UID]);
  expect(ids(findObject(run.records, 'StatefulSet', NAMES.mysql))).toEqual([MYSQL_UID, MYSQL_UID, MYSQL_UID]);
  expect(ids(findObject(run.records, 'Deployment', NAMES.nginx))).toEqual([NGINX_UID, NGINX_UID, NGINX_UID]);
  // No container switches back to root.
  for (const w of workloads().filter((x) => x.metadata.name !== NAMES.nfs)) {
    for (const c of containers(podSpecOf(w))) expect([w.metadata.name, c.name, c.securityContext?.runAsUser ?? 'pod']).toEqual([w.metadata.name, c.name, 'pod']);
  }
});

test('nginx binds 443 and 80 as its own user through the namespaced sysctl, the Service unchanged', () => {
  const spec = podSpecOf(findObject(run.records, 'Deployment', NAMES.nginx));
  expect(spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
  expect(spec.containers[0].ports.map((p: any) => p.containerPort)).toEqual([443, 80]);
  // The master writes its pid (/run) and temp files (/var/cache/nginx) to emptyDirs, not the image.
  expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/run', '/var/cache/nginx']));
});

test('the created namespace enforces privileged only because the NFS server runs in it; audit and warn are restricted', () => {
  const ns = findObject(run.records, 'Namespace', NS);
  expect(ns.metadata.labels).toMatchObject({
    'pod-security.kubernetes.io/enforce': 'privileged',
    'pod-security.kubernetes.io/enforce-version': POD_SECURITY_VERSION,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': POD_SECURITY_VERSION,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': POD_SECURITY_VERSION,
  });
});
