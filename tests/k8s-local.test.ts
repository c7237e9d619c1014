/**
 * The Kubernetes platform on the `local` stack (Pulumi.local.yaml: in-cluster MySQL, NFS), run
 * under the shared mocks: the objects it registers, read as data.
 */
import { certificateTests, k8sCertificateRun } from './helpers/certificates';
import { spawnSync } from 'child_process';
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runStack, ProgramRun, byKind, findObject, k8sObjects, stringLeaves } from './fixtures/k8s/harness';
import { DEFAULT_PORTS, NODE_TAG_KEY, SHARED_DIRECTORIES, analyticsPortRules, jdbcDriverDir, processesFor } from '../topology';
import { DEFAULTS } from '../config';
import { CHANGE_SET_SCHEMA } from '../config-templates';
import type { NodeChangeSet } from '../config-templates/types';
import { DASHBOARD_SITE_JSON, PORTAL_SITE_JSON, SHINDIG_WAR } from '../config-templates/is/proxy';
import { CHECKSUM_ANNOTATION, NAMES, podDnsName } from '../components/kubernetes/names';
import { applyScript, stageScript, nginxStartScript, driverFetchScript, keysScript, keystoresScript } from '../components/kubernetes/scripts';
import { configChecksum, sha256 } from '../components/kubernetes/checksums';
import { NAMESERVER_PLACEHOLDER, NGINX_PATHS, APPLIER_NODE_IMAGE, MOUNTS } from '../components/kubernetes/paths';
import { NGINX_MIN_VERSION_RESOLVE } from '../config-templates/nginx';
import { isSecretWrapped } from '../scripts/mocks';
import { expectWaitsVerifyLikeDbInit } from './helpers/db-wait';
import { localPodSecurityTests } from './fixtures/k8s/pod-security-local';
import { schemaTests } from './fixtures/k8s/schema-checks';
import { k8sKeysTests } from './fixtures/k8s/keys-checks';

const NS = 'wso2-is-pattern2';
/** The stock IS 5.8.0 files of the team's reference material (read for their sizes only). */
const REFERENCE_IS = path.resolve(__dirname, '../../shared/reference/wso2is-5.8.0');
let run: ProgramRun;

beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml');
});

// The certificates the program asks for (the mocks issue them), checked with openssl; nginx has one
// from the deployment CA (no tlsCertificate in this stack's config).
const HOSTNAMES = { hostname: 'is.local.example.com', mgtHostname: 'mgt.is.local.example.com', dashboardHostname: 'analytics.is.local.example.com' };
describe('certificates', () => certificateTests(() => k8sCertificateRun(run, NS, HOSTNAMES), { frontend: { dns: Object.values(HOSTNAMES) } }));

// Checks of the same run kept in their own modules: pod security, schemas, key material.
describe('pod security', () => localPodSecurityTests(() => run));
describe('schemas', () => schemaTests(() => run));
describe('key material', () => k8sKeysTests(() => run));

const sts = (name: string) => findObject(run.records, 'StatefulSet', name);
const podSpec = (w: Record<string, any>) => w.spec.template.spec;
const allContainers = (spec: Record<string, any>): Record<string, any>[] => [...(spec.initContainers ?? []), ...spec.containers];
const workloads = () => [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment'), ...byKind(run.records, 'Job')];

describe('identities', () => {
  it('runs exactly two IS pods and two analytics pods behind headless Services that publish not-ready pods', () => {
    for (const [name, headless] of [
      [NAMES.is, NAMES.isHeadless],
      [NAMES.analytics, NAMES.analyticsHeadless],
    ]) {
      const s = sts(name);
      expect(s.spec.replicas).toBe(2);
      expect(s.spec.serviceName).toBe(headless);
      const svc = findObject(run.records, 'Service', headless);
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.publishNotReadyAddresses).toBe(true);
    }
    expect(sts(NAMES.is).spec.podManagementPolicy).toBe('OrderedReady');
  });

  it('rolls both StatefulSets on a new configuration checksum, one pod at a time, and lets Pulumi await them', () => {
    for (const name of [NAMES.is, NAMES.analytics]) {
      const s = sts(name);
      // RollingUpdate over the whole set: a changed template (checksum annotation) replaces every pod.
      expect(s.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      expect(s.spec.template.metadata.annotations[CHECKSUM_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
      // Both pods of a pair become Ready, so nothing needs to skip Pulumi's readiness await.
      expect(s.metadata.annotations?.['pulumi.com/skipAwait']).toBeUndefined();
    }
  });

  it('renders the pod DNS names as node addresses (wka members, failover receiver URL)', () => {
    const cm = findObject(run.records, 'ConfigMap', 'wso2is-changes-is-1');
    const payload: string = cm.data['changes-is-1.json'];
    expect(payload).toContain(`"$schema": "${CHANGE_SET_SCHEMA}"`);
    // is-1's wka member list names is-2 by its pod DNS name; the publishers name both workers.
    expect(podDnsName('is', 1, NS)).toBe(`wso2is-1.wso2is-nodes.${NS}.svc.cluster.local`);
    expect(payload).toContain(podDnsName('is', 1, NS));
    expect(payload).toContain(podDnsName('analytics', 0, NS));
    expect(payload).toContain(podDnsName('analytics', 1, NS));
    const a2 = findObject(run.records, 'ConfigMap', 'wso2is-changes-analytics-2').data['changes-analytics-2.json'];
    expect(a2).toContain(podDnsName('analytics', 1, NS)); // advertisedHost of the event sync server
  });

  it('picks each pod\'s change set by ordinal: 0 -> <role>-1, 1 -> <role>-2, from one projected volume of both', () => {
    for (const [name, role, ids] of [
      [NAMES.is, 'is', ['is-1', 'is-2']],
      [NAMES.analytics, 'analytics', ['analytics-1', 'analytics-2']],
    ] as const) {
      const spec = podSpec(sts(name));
      const apply = spec.initContainers.find((c: any) => c.name === 'apply');
      expect(apply.command[2]).toBe(applyScript(role, SHARED_DIRECTORIES.filter((d) => d.role === role)));
      expect(apply.command[2]).toMatch(new RegExp(`0\\) node_id=${ids[0]} ;;`));
      expect(apply.command[2]).toMatch(new RegExp(`1\\) node_id=${ids[1]} ;;`));
      const changes = spec.volumes.find((v: any) => v.name === 'changes');
      expect(changes.projected.sources.map((s: any) => s.configMap.name)).toEqual(ids.map((id) => `wso2is-changes-${id}`));
      for (const id of ids) {
        const cm = findObject(run.records, 'ConfigMap', `wso2is-changes-${id}`);
        expect(cm.metadata.labels[NODE_TAG_KEY]).toBe(id);
        expect(Object.keys(cm.data)).toEqual([`changes-${id}.json`]);
        expect(JSON.parse(cm.data[`changes-${id}.json`]).nodeId).toBe(id);
      }
    }
  });
});

describe('probes, disruption, placement', () => {
  it('probes the real ports of the model', () => {
    const is = podSpec(sts(NAMES.is)).containers;
    expect(is.map((c: any) => c.name)).toEqual(['server']);
    // TCP, not the console's login page: a probe creates no Tomcat session.
    expect(is[0].readinessProbe.httpGet).toBeUndefined();
    expect(is[0].readinessProbe.tcpSocket.port).toBe(DEFAULT_PORTS.isHttps);
    expect(is[0].livenessProbe.tcpSocket.port).toBe(DEFAULT_PORTS.isHttps);
    expect(is[0].startupProbe.tcpSocket.port).toBe(DEFAULT_PORTS.isHttps);
    const an = podSpec(sts(NAMES.analytics)).containers;
    const worker = an.find((c: any) => c.name === 'worker');
    const dash = an.find((c: any) => c.name === 'dashboard');
    // Each process is probed on the model's health port for it: the worker's HTTPS admin API,
    // which the passive worker keeps open too (seed 004), the dashboard's own listener.
    for (const proc of processesFor('analytics', 'sp')) {
      const c = an.find((x: any) => x.name === proc.name);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(probe.tcpSocket.port).toBe(DEFAULT_PORTS[proc.healthPort]);
    }
    expect(worker.readinessProbe.tcpSocket.port).toBe(DEFAULT_PORTS.workerHttps);
    expect(dash.readinessProbe.tcpSocket.port).toBe(DEFAULT_PORTS.dashboard);
    // No analytics probe may depend on a port the passive node keeps closed.
    const activeOnly = analyticsPortRules(DEFAULT_PORTS, 'sp').filter((p) => p.activeOnly).map((p) => p.port);
    expect(activeOnly.length).toBeGreaterThan(0);
    for (const c of an) {
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(activeOnly).not.toContain(probe.tcpSocket.port);
    }
    // Long-running pods only (the db-init Job runs to completion).
    for (const w of workloads().filter((x) => x.kind !== 'Job')) {
      for (const c of w.spec.template.spec.containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
        const ports = (c.ports ?? []).map((p: any) => p.containerPort);
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)) {
          const port = probe.tcpSocket?.port ?? probe.httpGet?.port;
          // A probe on a port the container does not declare would probe nothing we run.
          expect(ports).toContain(port);
        }
      }
    }
    // IS boots for minutes: the startup probe must allow at least ten of them.
    const sp = is[0].startupProbe;
    expect(sp.initialDelaySeconds + sp.periodSeconds * sp.failureThreshold).toBeGreaterThanOrEqual(600);
  });

  it('has PodDisruptionBudgets of maxUnavailable 1 selecting the IS, analytics and front-end pods', () => {
    const pdbs = byKind(run.records, 'PodDisruptionBudget');
    expect(pdbs).toHaveLength(3);
    for (const name of [NAMES.is, NAMES.analytics, NAMES.nginx]) {
      const w = [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment')].find((x) => x.metadata.name === name)!;
      const pdb = pdbs.find((p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(w.spec.template.metadata.labels));
      expect(pdb).toBeDefined();
      expect(pdb!.spec.maxUnavailable).toBe(1);
    }
  });

  it('spreads IS, analytics and nginx pods over nodes and zones (preferred)', () => {
    for (const w of [sts(NAMES.is), sts(NAMES.analytics), findObject(run.records, 'Deployment', NAMES.nginx)]) {
      const terms = w.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
      expect(terms.map((t: any) => t.podAffinityTerm.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const t of terms) expect(t.podAffinityTerm.labelSelector.matchLabels).toEqual(w.spec.template.metadata.labels);
    }
  });
});

describe('JDBC driver (the WSO2 images ship none)', () => {
  it('downloads the configured driver once per pod, in the image the applier already uses, and every product process loads it', () => {
    const file = DEFAULTS.jdbcDriver.url.split('/').pop()!;
    for (const [name, role, dirs] of [
      [NAMES.is, 'is', { server: 'repository/components/lib' }],
      [NAMES.analytics, 'analytics', { worker: 'lib', dashboard: 'lib' }],
    ] as const) {
      const spec = podSpec(sts(name));
      const fetch = spec.initContainers.find((c: any) => c.name === 'fetch-jdbc-driver');
      expect(fetch.image).toBe(APPLIER_NODE_IMAGE); // no extra image to pull or pin
      expect(fetch.command).toEqual(['sh', '-c', driverFetchScript()]);
      const env = Object.fromEntries(fetch.env.map((e: any) => [e.name, e.value]));
      expect(env).toEqual({ JDBC_DRIVER_URL: DEFAULTS.jdbcDriver.url, JDBC_DRIVER_FILE: file, JDBC_DRIVER_SHA256: '' });
      const volume = (m: any) => spec.volumes.find((v: any) => v.name === m.name);
      expect(volume(fetch.volumeMounts.find((m: any) => m.mountPath === MOUNTS.jdbcDriver)).emptyDir).toBeDefined();
      expect(spec.containers.map((c: any) => c.name)).toEqual(Object.keys(dirs));
      for (const c of spec.containers) {
        const dir = (dirs as Record<string, string>)[c.name];
        expect(dir).toBe(jdbcDriverDir(role, 'sp'));
        expect(c.command[2]).toContain(`cp ${MOUNTS.jdbcDriver}/'${file}' "$home/"'${dir}'/'${file}'`);
        const mount = c.volumeMounts.find((m: any) => m.mountPath === MOUNTS.jdbcDriver);
        expect(mount).toEqual({ name: fetch.volumeMounts[0].name, mountPath: MOUNTS.jdbcDriver, readOnly: true });
        // The driver is in place before the product's start script runs.
        expect(c.command[2].indexOf(`cp ${MOUNTS.jdbcDriver}/`)).toBeLessThan(c.command[2].indexOf('sh "$home/$prog" &'));
      }
    }
  });
});

describe('front end', () => {
  it('re-resolves the pod names through the pod\'s nameserver, with an nginx that supports it', () => {
    const d = findObject(run.records, 'Deployment', NAMES.nginx);
    const c = d.spec.template.spec.containers[0];
    expect(c.command).toEqual(['sh', '-c', nginxStartScript()]);
    const [, tag] = /^nginx:(\d+\.\d+\.\d+)/.exec(c.image)!;
    const [a, b] = [tag, NGINX_MIN_VERSION_RESOLVE].map((v) => v.split('.').map(Number));
    expect(a[0] * 1e6 + a[1] * 1e3 + a[2]).toBeGreaterThanOrEqual(b[0] * 1e6 + b[1] * 1e3 + b[2]);
    const cm = findObject(run.records, 'ConfigMap', 'wso2is-frontend-conf');
    const template: string = cm.data[path.posix.basename(NGINX_PATHS.template)];
    expect(template).toMatch(new RegExp(`^resolver ${NAMESERVER_PLACEHOLDER} valid=\\d+s;$`, 'm'));
    expect(template).toContain(`server ${podDnsName('is', 0, NS)}:${DEFAULT_PORTS.isHttps} `);
    for (const line of template.split('\n').filter((l) => /^\s+server \S+:\d+ /.test(l))) expect(line).toMatch(/ resolve;$/);
    // The template is mounted where the script reads it; the script writes into an emptyDir conf.d.
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    const vols = Object.fromEntries(d.spec.template.spec.volumes.map((v: any) => [v.name, v]));
    expect(vols[mounts[path.posix.dirname(NGINX_PATHS.template)]].configMap.name).toBe('wso2is-frontend-conf');
    expect(vols[mounts[path.posix.dirname(NGINX_PATHS.conf)]].emptyDir).toBeDefined();
  });
});

describe('configuration checksum', () => {
  const cmData = (name: string) => findObject(run.records, 'ConfigMap', name).data as Record<string, string>;
  /** The Secrets' versions as the checksum takes them: name@resourceVersion, no data. */
  const secretVersions = () =>
    ['wso2is-database', 'wso2is-admin', 'wso2is-keystore', 'wso2is-applier-secrets', 'wso2is-keys', 'wso2is-analytics-vault']
      .map((n) => {
        const rec = run.records.find((r) => r.type === 'kubernetes:core/v1:Secret' && (r.inputs.metadata as any)?.name === n)!;
        return `${n}@${(rec.state.metadata as any)?.resourceVersion ?? ''}`;
      })
      .join(',');
  /** SHA-256 over a node's PUBLIC certificates (CA, no front end here, its stores' certificates). */
  const certificateDigest = (id: string, role: 'is' | 'analytics') => {
    const cert = (suffix: string) => String(run.records.find((r) => r.type.startsWith('tls:') && r.name.endsWith(suffix))!.state.certPem);
    const own = role === 'is' ? ['-primary-g1-cert', '-internal-g1-cert', `-${id}-tls-g1-cert`] : [`-${id}-tls-g1-cert`];
    return sha256([cert('-keys-ca-cert'), '', ...own.map(cert)].join('\u0000'));
  };
  /** The checksum recomputed from what the ConfigMaps and Secrets carry, not from the program. */
  function expected(role: 'is' | 'analytics', mutate?: (parts: Record<string, string>) => void): string {
    const ids = role === 'is' ? ['is-1', 'is-2'] : ['analytics-1', 'analytics-2'];
    const secrets = secretVersions();
    const dbInit = Object.values(cmData('wso2is-db-init'))[0];
    const parts: Record<string, string> = {
      applier: cmData('wso2is-applier')['applier.js'],
      secrets,
      dbInit: sha256(dbInit),
      stage: stageScript(role),
      apply: applyScript(role, SHARED_DIRECTORIES.filter((d) => d.role === role)),
      keys: keysScript(role, 'prepare') + keysScript(role, 'install') + keystoresScript(),
    };
    for (const id of ids) parts[`changes/${id}`] = cmData(`wso2is-changes-${id}`)[`changes-${id}.json`];
    for (const id of ids) parts[`certificates/${id}`] = certificateDigest(id, role);
    mutate?.(parts);
    return configChecksum(parts);
  }

  it('annotates the pod templates with a checksum of the delivered configuration', () => {
    const isSum = sts(NAMES.is).spec.template.metadata.annotations[CHECKSUM_ANNOTATION];
    const anSum = sts(NAMES.analytics).spec.template.metadata.annotations[CHECKSUM_ANNOTATION];
    expect(isSum).toMatch(/^[0-9a-f]{64}$/);
    expect(isSum).toBe(expected('is'));
    expect(anSum).toBe(expected('analytics'));
    expect(isSum).not.toBe(anSum);
    expect(findObject(run.records, 'Deployment', NAMES.nginx).spec.template.metadata.annotations[CHECKSUM_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a rendered file, the applier or a secret version changes', () => {
    const base = expected('is');
    expect(expected('is', (p) => (p['changes/is-2'] = p['changes/is-2'].replace('9443', '9444')))).not.toBe(base);
    expect(expected('is', (p) => (p.applier += '\n'))).not.toBe(base);
    expect(expected('is', (p) => (p.secrets = p.secrets.replace('wso2is-admin@', 'wso2is-admin@2')))).not.toBe(base);
  });

  it('neither contains nor hashes a secret value', () => {
    // admin, db, db master passwords and the TLS key, all generated by the mocks on this stack.
    expect(run.secretValues.length).toBeGreaterThanOrEqual(4);
    const sums = workloads()
      .map((w) => w.spec.template.metadata?.annotations?.[CHECKSUM_ANNOTATION])
      .filter(Boolean) as string[];
    expect(sums.length).toBe(3);
    for (const s of run.secretValues) {
      for (const sum of sums) {
        expect(sum).not.toContain(s);
        expect(sum).not.toBe(sha256(s));
      }
      // The secrets part of the checksum is versions only.
      expect(secretVersions()).not.toContain(s);
    }
  });
});

describe('volumes, claims, services', () => {
  it('mounts only volumes the pod defines, and they point at objects that exist', () => {
    const cms = byKind(run.records, 'ConfigMap').map((c) => c.metadata.name);
    const secrets = byKind(run.records, 'Secret');
    const pvcs = byKind(run.records, 'PersistentVolumeClaim');
    for (const w of workloads()) {
      const spec = podSpec(w);
      const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v.name, v]));
      for (const t of w.spec.volumeClaimTemplates ?? []) volumes.set(t.metadata.name, { claimTemplate: true });
      for (const c of allContainers(spec)) {
        for (const m of c.volumeMounts ?? []) expect([w.metadata.name, c.name, volumes.has(m.name)]).toEqual([w.metadata.name, c.name, true]);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const s = secrets.find((x) => x.metadata.name === ref.name);
          expect(s).toBeDefined();
          expect(Object.keys(s!.stringData)).toContain(ref.key);
        }
      }
      for (const v of volumes.values()) {
        if (v.configMap) expect(cms).toContain(v.configMap.name);
        for (const src of v.projected?.sources ?? []) expect(cms).toContain(src.configMap.name);
        if (v.secret) expect(secrets.map((s) => s.metadata.name)).toContain(v.secret.secretName);
        if (v.persistentVolumeClaim) expect(pvcs.map((p) => p.metadata.name)).toContain(v.persistentVolumeClaim.claimName);
      }
    }
  });

  it('puts the shared trees on one ReadWriteMany claim, bound to the NFS export', () => {
    const claim = findObject(run.records, 'PersistentVolumeClaim', NAMES.sharedClaim);
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    const pv = byKind(run.records, 'PersistentVolume')[0];
    expect(claim.spec.volumeName).toBe(pv.metadata.name);
    expect(pv.spec.accessModes).toEqual(['ReadWriteMany']);
    const nfsSvc = run.records.find((r) => r.type === 'kubernetes:core/v1:Service' && (r.inputs.metadata as any).name === NAMES.nfs)!;
    expect(pv.spec.nfs.server).toBe((nfsSvc.state.spec as any).clusterIP);
    // The export is the server's NFSv4 root (fsid=0), and only v4 is served: no v3 fallback.
    expect(pv.spec.nfs.path).toBe('/');
    expect(pv.spec.mountOptions).toEqual(['nfsvers=4']);
    const server = podSpec(findObject(run.records, 'Deployment', NAMES.nfs)).containers[0];
    expect(server.securityContext).toEqual({ privileged: true });
    // Its init container gives the export's top directory to the product user, who seeds it.
    const owner = podSpec(findObject(run.records, 'Deployment', NAMES.nfs)).initContainers[0];
    expect([owner.command, owner.securityContext.capabilities]).toEqual([['chown', '802:802', server.volumeMounts[0].mountPath], { drop: ['ALL'], add: ['CHOWN'] }]);
    expect(server.env).toEqual([{ name: 'SHARED_DIRECTORY', value: server.volumeMounts[0].mountPath }]);
    for (const name of [NAMES.is, NAMES.analytics]) {
      const spec = podSpec(sts(name));
      expect(spec.volumes.find((v: any) => v.name === 'shared').persistentVolumeClaim.claimName).toBe(NAMES.sharedClaim);
    }
    // Seed 000: the product paths are symlinks into the shared volume, set up by the main container.
    const start = podSpec(sts(NAMES.is)).containers[0].command[2];
    expect(start).toContain(`ln -s "$shared/"'Deployment' "$home/"'repository/deployment'`);
    expect(start).toContain(`ln -s "$shared/"'Tenants' "$home/"'repository/tenants'`);
    const worker = podSpec(sts(NAMES.analytics)).containers.find((c: any) => c.name === 'worker').command[2];
    expect(worker).toContain(`'wso2/worker/deployment/siddhi-files'`);
  });

  it('has Services whose selectors match pod template labels', () => {
    const templates = workloads().map((w) => w.spec.template.metadata.labels as Record<string, string>);
    for (const svc of byKind(run.records, 'Service')) {
      const sel = svc.spec.selector as Record<string, string>;
      expect(sel).toBeDefined();
      const match = templates.find((l) => Object.entries(sel).every(([k, v]) => l[k] === v));
      expect([svc.metadata.name, !!match]).toEqual([svc.metadata.name, true]);
    }
    // A load-balancing Service must not front a port the passive worker keeps closed (it would
    // route to a closed port); receivers are reached by pod DNS name through the headless Service.
    const activeOnly = analyticsPortRules(DEFAULT_PORTS, 'sp').filter((p) => p.activeOnly).map((p) => p.port);
    for (const svc of byKind(run.records, 'Service')) {
      if (svc.spec.clusterIP === 'None') continue;
      for (const p of svc.spec.ports) expect([svc.metadata.name, activeOnly.includes(p.targetPort)]).toEqual([svc.metadata.name, false]);
    }
    expect(byKind(run.records, 'Service').map((x) => x.metadata.name)).not.toContain('wso2is-analytics-receivers');
    const lb = findObject(run.records, 'Service', NAMES.nginx);
    expect(lb.spec.type).toBe('LoadBalancer');
    // No cloud annotations locally, and not awaited: kind and minikube give a LoadBalancer no
    // address unless a load-balancer controller (cloud-provider-kind, `minikube tunnel`) runs, and
    // Pulumi's await would fail the whole `pulumi up` after 10 minutes.
    expect(lb.metadata.annotations).toEqual({ 'pulumi.com/skipAwait': 'true' });
  });
});

describe('fits a laptop cluster', () => {
  /** CPU cores / bytes of a Kubernetes quantity (the forms this program writes). */
  const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
  const bytes = (q: string) => {
    const m = /^(\d+)(Mi|Gi)$/.exec(q);
    if (!m) throw new Error(`unexpected quantity ${q}`);
    return Number(m[1]) * (m[2] === 'Gi' ? 1024 ** 3 : 1024 ** 2);
  };
  it('requests at most 3 CPUs and 8 GiB for the whole local stack (a 4-CPU node keeps one for its control plane)', () => {
    let cpus = 0;
    let mem = 0;
    for (const w of [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment')]) {
      const spec = podSpec(w);
      // A pod's request is its containers' sum, or its largest init container if that is larger.
      const sum = (cs: Record<string, any>[], f: (q: string) => number, k: 'cpu' | 'memory') =>
        cs.reduce((a, c) => a + (c.resources?.requests?.[k] ? f(c.resources.requests[k]) : 0), 0);
      const max = (cs: Record<string, any>[], f: (q: string) => number, k: 'cpu' | 'memory') =>
        Math.max(0, ...cs.map((c) => (c.resources?.requests?.[k] ? f(c.resources.requests[k]) : 0)));
      const init = spec.initContainers ?? [];
      cpus += w.spec.replicas * Math.max(sum(spec.containers, cpu, 'cpu'), max(init, cpu, 'cpu'));
      mem += w.spec.replicas * Math.max(sum(spec.containers, bytes, 'memory'), max(init, bytes, 'memory'));
      // Every product container has a memory limit above its request (a JVM is never capped at its request).
      for (const c of spec.containers) {
        expect([w.metadata.name, c.name, !!c.resources?.limits?.memory]).toEqual([w.metadata.name, c.name, true]);
        expect(bytes(c.resources.limits.memory)).toBeGreaterThan(bytes(c.resources.requests.memory));
      }
    }
    expect(cpus).toBeGreaterThan(0);
    expect(cpus).toBeLessThanOrEqual(3);
    expect(mem).toBeLessThanOrEqual(8 * 1024 ** 3);
  });
});

describe('shared trees edited in place (init containers stage -> seed-shared -> apply)', () => {
  const changeSet = (id: string): NodeChangeSet => JSON.parse(findObject(run.records, 'ConfigMap', `wso2is-changes-${id}`).data[`changes-${id}.json`]);
  const inShared = (p: string, role: string) => SHARED_DIRECTORIES.some((d) => d.role === role && (p === d.productPath || p.startsWith(`${d.productPath}/`)));

  it('seeds the shared trees before the apply step, which mounts the same claim', () => {
    for (const name of [NAMES.is, NAMES.analytics]) {
      const spec = podSpec(sts(name));
      expect(spec.initContainers.map((c: any) => c.name)).toEqual(['fetch-jdbc-driver', 'wait-for-database', 'stage', 'seed-shared', 'apply', 'keys-prepare', 'keystores', 'keys-install']);
      const volumeAt = (container: string, mountPath: string) => {
        const c = spec.initContainers.find((x: any) => x.name === container);
        const m = c.volumeMounts.find((x: any) => x.mountPath === mountPath);
        return m && !m.readOnly ? spec.volumes.find((v: any) => v.name === m.name) : undefined;
      };
      expect(volumeAt('apply', MOUNTS.shared)?.persistentVolumeClaim?.claimName).toBe(NAMES.sharedClaim);
      expect(volumeAt('seed-shared', MOUNTS.shared)?.persistentVolumeClaim?.claimName).toBe(NAMES.sharedClaim);
      expect(volumeAt('apply', MOUNTS.stage)).toEqual(volumeAt('stage', MOUNTS.stage));
    }
  });

  it('stages node-local files only; the IS change set does edit the shared tree (shindig, site.json, publishers)', () => {
    for (const [name, role, ids] of [
      [NAMES.is, 'is', ['is-1', 'is-2']],
      [NAMES.analytics, 'analytics', ['analytics-1', 'analytics-2']],
    ] as const) {
      const edited = [...new Set(ids.flatMap((id) => changeSet(id).changes.filter((c) => c.kind !== 'file').map((c) => c.path)))].sort();
      const stage = podSpec(sts(name)).initContainers.find((c: any) => c.name === 'stage');
      expect(stage.command.slice(4)).toEqual(edited.filter((p) => !inShared(p, role)));
      if (role === 'is') {
        const shared = edited.filter((p) => inShared(p, role));
        for (const p of [SHINDIG_WAR, DASHBOARD_SITE_JSON, PORTAL_SITE_JSON]) expect(shared).toContain(p);
        expect(shared.some((p) => p.includes('/eventpublishers/'))).toBe(true);
        expect(stage.command.slice(4).some((p: string) => p.startsWith('repository/conf/'))).toBe(true);
      }
    }
  });

  it('sends both pods of a role the same changes of the shared trees (both apply them there)', () => {
    for (const [role, ids] of [
      ['is', ['is-1', 'is-2']],
      ['analytics', ['analytics-1', 'analytics-2']],
    ] as const) {
      const [a, b] = ids.map((id) => changeSet(id).changes.filter((c) => inShared(c.path, role) || (c.kind === 'explode' && inShared(c.into, role))));
      expect(a).toEqual(b);
      if (role === 'is') expect(a.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('keeps the memory stage far below its size limit: the stock files it holds (sizes from the IS 5.8.0 reference tree)', () => {
    const spec = podSpec(sts(NAMES.is));
    const vol = spec.volumes.find((v: any) => v.name === 'stage');
    expect(vol.emptyDir.medium).toBe('Memory');
    const [, n, unit] = /^(\d+)(Mi|Gi)$/.exec(vol.emptyDir.sizeLimit)!;
    const limit = Number(n) * (unit === 'Gi' ? 1024 : 1) * 1024 * 1024;
    const staged: string[] = spec.initContainers.find((c: any) => c.name === 'stage').command.slice(4);
    const measured = staged.filter((p) => fs.existsSync(path.join(REFERENCE_IS, p)));
    expect(measured.length).toBeGreaterThanOrEqual(5);
    const bytes = measured.reduce((sum, p) => sum + fs.statSync(path.join(REFERENCE_IS, p)).size, 0);
    // Before the shared tree was edited in place, the unpacked shindig.war went through here too.
    expect(bytes * (staged.length / measured.length) * 10).toBeLessThan(limit);
    // The rendered whole files the applier adds are small too.
    const whole = ['is-1', 'is-2'].flatMap((id) => changeSet(id).changes.filter((c) => c.kind === 'file').map((c) => (c as { content: string }).content.length));
    expect(whole.reduce((x, y) => x + y, 0) * 10).toBeLessThan(limit);
  });
});

describe('database TLS', () => {
  test('db-init verifies the in-cluster MySQL against the deployment CA of its own TLS Secret', () => {
    const tls = findObject(run.records, 'Secret', 'wso2is-mysql-tls');
    const spec = byKind(run.records, 'Job')[0].spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'db-ca', secret: { secretName: 'wso2is-mysql-tls', items: [{ key: 'ca.crt', path: 'ca.pem' }] } });
    const c = spec.containers[0];
    expect(c.volumeMounts).toContainEqual({ name: 'db-ca', mountPath: MOUNTS.dbCa, readOnly: true });
    expect(c.env).toContainEqual({ name: 'DB_SSL_CA', value: `${MOUNTS.dbCa}/ca.pem` });
    // The CA mounted is the one that issued the server's certificate (the mocks issue real ones).
    const ca = String(run.records.find((r) => r.type.startsWith('tls:') && r.name.endsWith('-keys-ca-cert'))!.state.certPem);
    expect(tls.stringData?.['ca.crt'] ?? tls.data?.['ca.crt']).toBeDefined();
    const caText = tls.stringData?.['ca.crt'] ?? Buffer.from(tls.data['ca.crt'], 'base64').toString();
    expect(caText).toBe(ca);
    expect(byKind(run.records, 'ConfigMap').map((m) => m.metadata.name)).not.toContain('wso2is-db-ca');
  });

  test('every product pod\'s wait-for-database verifies the server as db-init does, on a host name the server\'s certificate carries', () => {
    const host = expectWaitsVerifyLikeDbInit(run.records);
    expect(host).toBe(`${NAMES.mysql}.${NS}.svc.cluster.local`);
    // VERIFY_IDENTITY holds: the certificate the mocks issued (a real one) names the host the clients use.
    const tls = findObject(run.records, 'Secret', 'wso2is-mysql-tls');
    const cert = new X509Certificate(tls.stringData?.['tls.crt'] ?? Buffer.from(tls.data['tls.crt'], 'base64').toString());
    expect(cert.checkHost(host)).toBe(host);
    expect(cert.checkHost('mysql.example.com')).toBeUndefined();
  });
});

describe('secrets', () => {
  it('keeps every secret value out of every ConfigMap and every non-Secret object', () => {
    for (const o of k8sObjects(run.records)) {
      if (o.obj.kind === 'Secret') continue;
      const leaves = stringLeaves(o.obj);
      for (const s of run.secretValues) {
        expect([o.obj.kind, o.obj.metadata?.name, leaves.some((l) => l.includes(s))]).toEqual([o.obj.kind, o.obj.metadata?.name, false]);
      }
    }
  });

  it('passes the credentials as Pulumi secrets in Secret stringData', () => {
    const rec = run.records.find((r) => r.type === 'kubernetes:core/v1:Secret' && (r.inputs.metadata as any).name === 'wso2is-applier-secrets')!;
    const raw = rec.rawInputs.stringData as Record<string, unknown>;
    expect(isSecretWrapped(raw) || isSecretWrapped(raw['secrets.json'])).toBe(true);
    const file = JSON.parse((rec.inputs.stringData as any)['secrets.json']);
    expect(Object.keys(file).sort()).toEqual(['admin_password', 'db_password', 'internal_certificate', 'internal_keystore_password', 'keystore_password', 'primary_certificate', 'tls_keystore_password', 'truststore_password']);
    const vol = podSpec(sts(NAMES.is)).volumes.find((v: any) => v.name === 'secrets');
    expect(vol.secret.defaultMode).toBe(0o440);
  });
});

describe('a test stack leaves nothing behind', () => {
  it('creates its Namespace and protects or retains nothing', () => {
    expect(findObject(run.records, 'Namespace', NS).metadata.name).toBe(NS);
    expect(run.options.filter((o) => o.protect || o.retainOnDelete)).toEqual([]);
  });

  it('deletes the in-cluster database\'s claim with its StatefulSet', () => {
    expect(sts(NAMES.mysql).spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
  });

  it('sends client addresses through the cluster\'s default policy (no NLB here: Cluster)', () => {
    expect(findObject(run.records, 'Service', NAMES.nginx).spec.externalTrafficPolicy).toBeUndefined();
  });
});

describe('local stack', () => {
  it('creates no AWS resource at all', () => {
    expect(run.records.filter((r) => r.type.startsWith('aws:') || r.type === 'pulumi:providers:aws')).toEqual([]);
    expect(byKind(run.records, 'StatefulSet').map((s) => s.metadata.name)).toContain(NAMES.mysql);
  });

  it('runs the init and start scripts clean through shellcheck', () => {
    // Each script its own file, named by workload and container (a finding names it); one
    // shellcheck run per shell.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-local-sh-'));
    try {
      const files: Record<string, string[]> = { sh: [], bash: [] };
      for (const w of workloads()) {
        for (const c of allContainers(podSpec(w))) {
          if (!Array.isArray(c.command) || !['sh', 'bash'].includes(c.command[0])) continue;
          const f = path.join(dir, `${w.metadata.name}--${c.name}.${c.command[0]}`);
          expect(fs.existsSync(f)).toBe(false);
          fs.writeFileSync(f, c.command[2]);
          files[c.command[0]].push(f);
        }
      }
      expect(files.sh.length + files.bash.length).toBeGreaterThan(10);
      for (const [shell, list] of Object.entries(files).filter(([, l]) => l.length)) {
        const r = spawnSync('shellcheck', [`--shell=${shell}`, '--severity=warning', ...list], { encoding: 'utf8' });
        expect([shell, r.stdout, r.stderr]).toEqual([shell, '', '']);
        expect(r.status).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
