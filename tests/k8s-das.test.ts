/**
 * The Kubernetes platform with the DAS-based analytics flavour: the `local` stack
 * (Pulumi.local.yaml: in-cluster MySQL, NFS) with `analytics.flavor: das`, a supplied DAS image
 * (there is no official one) and a checksummed JDBC driver, run under the shared mocks. What the
 * analytics pods run, probe, share and admit must follow the topology model's DAS flavour, and
 * nothing of the SP flavour may be left anywhere.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runStack, ProgramRun, REPO, byKind, findObject, k8sObjects } from './fixtures/k8s/harness';
import { actualTriples, expectedTriples, workloadsOf } from './fixtures/k8s/netpol';
import { validateEach } from './fixtures/k8s/validate';
import { restrictedViolations } from './helpers/pss';
import {
  ANALYTICS_HOME_LINK,
  DEFAULT_PORTS,
  analyticsPortRules,
  isPortRules,
  jdbcDriverDir,
  processesFor,
  sharedDirectoriesFor,
} from '../topology';
import { APPLIER_NODE_IMAGE, DAS_PRODUCT_HOME, MOUNTS, SECRETS_FILE } from '../components/kubernetes/paths';
import { NAMES, portName } from '../components/kubernetes/names';
import { DAS_FILES } from '../config-templates/analytics-das';
import { FileChange, NodeChangeSet } from '../config-templates/types';
import { ConfigError, PROJECT, parseStackConfig } from '../config';
import { readStackFile } from '../scripts/lib/stack-file';

const DAS_IMAGE = 'registry.example.com/wso2/wso2is-analytics-das:5.4.0-1';
const DRIVER_URL = 'https://repo.example.com/drivers/mysql-connector-java-5.1.49.jar';
const DRIVER_SHA256 = 'ab'.repeat(32);
const OVERRIDE = {
  [`${PROJECT}:analytics`]: JSON.stringify({ flavor: 'das' }),
  [`${PROJECT}:kubernetes`]: JSON.stringify({ namespace: 'wso2-is-pattern2', images: { analyticsDas: DAS_IMAGE } }),
  [`${PROJECT}:jdbcDriver`]: JSON.stringify({ url: DRIVER_URL, sha256: DRIVER_SHA256 }),
};

let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml', OVERRIDE);
});

const sts = () => findObject(run.records, 'StatefulSet', NAMES.analytics);
const spec = () => sts().spec.template.spec;
const server = () => spec().containers[0];
const PROC = processesFor('analytics', 'das')[0];
const DAS_RULES = analyticsPortRules(DEFAULT_PORTS, 'das');
/** Ports only the SP flavour opens (SP analytics rules and the worker's HTTP API, none of IS or DAS). */
const SP_ONLY = (() => {
  const others = new Set([...DAS_RULES, ...isPortRules(DEFAULT_PORTS)].map((r) => r.port));
  const sp = [...analyticsPortRules(DEFAULT_PORTS, 'sp').map((r) => r.port), DEFAULT_PORTS.workerHttp];
  return sp.filter((p) => !others.has(p));
})();

describe('analytics pods', () => {
  it('run one Carbon server container from the supplied DAS image: wso2server.sh, the common home link first', () => {
    expect(PROC).toEqual({ name: 'server', command: 'bin/wso2server.sh', healthPort: 'dasHttps', healthPath: '/carbon/admin/login.jsp' });
    expect(spec().containers.map((c: any) => c.name)).toEqual([PROC.name]);
    const c = server();
    expect(c.image).toBe(DAS_IMAGE);
    const script: string = c.command[2];
    expect(script).toContain(`home="\${WSO2_SERVER_HOME:-${DAS_PRODUCT_HOME}}"`);
    // The product's start script runs as the start shell's child (graceful stop: k8s-stop.test.ts).
    expect(script).toContain(`prog='${PROC.command}'`);
    expect(script).toContain('sh "$home/$prog" &');
    const link = `ln -sfn "$home" '${ANALYTICS_HOME_LINK}'`;
    expect(script).toContain(link);
    expect(script.indexOf(link)).toBeLessThan(script.indexOf('sh "$home/$prog" &'));
    // The link lives in a writable emptyDir at its parent directory.
    const mount = c.volumeMounts.find((m: any) => m.mountPath === path.posix.dirname(ANALYTICS_HOME_LINK));
    expect(spec().volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
    // The stage and seed init containers read the same image's home.
    for (const name of ['stage', 'seed-shared']) {
      const init = spec().initContainers.find((x: any) => x.name === name);
      expect(init.image).toBe(DAS_IMAGE);
      expect(init.command[2]).toContain(`\${WSO2_SERVER_HOME:-${DAS_PRODUCT_HOME}}`);
    }
    // IS is untouched by the flavour.
    expect(findObject(run.records, 'StatefulSet', NAMES.is).spec.template.spec.containers[0].image).toBe('wso2/wso2is:5.8.0');
  });

  it('probe the model\'s DAS health port and declare exactly the model\'s DAS ports', () => {
    const c = server();
    const port = DEFAULT_PORTS[PROC.healthPort];
    expect(port).toBe(DEFAULT_PORTS.dasHttps);
    expect(c.startupProbe.tcpSocket.port).toBe(port);
    expect(c.livenessProbe.tcpSocket.port).toBe(port);
    // TCP, not the console's login page: a probe creates no Tomcat session.
    expect(c.readinessProbe.httpGet).toBeUndefined();
    expect(c.readinessProbe.tcpSocket.port).toBe(port);
    expect(c.ports.map((p: any) => p.containerPort).sort()).toEqual(DAS_RULES.map((r) => r.port).sort());
    expect(c.ports.map((p: any) => p.name).sort()).toEqual(DAS_RULES.map((r) => portName(r.name)).sort());
  });

  it('link the DAS shared directory (carbonapps) and seed it from the image; no siddhi-files', () => {
    const dirs = sharedDirectoriesFor('das').filter((d) => d.role === 'analytics');
    expect(dirs.map((d) => d.name)).toEqual(['carbonapps']);
    const start: string = server().command[2];
    const seed: string = spec().initContainers.find((x: any) => x.name === 'seed-shared').command[2];
    for (const d of dirs) {
      expect(start).toContain(`ln -s "$shared/"'${d.name}' "$home/"'${d.productPath}'`);
      expect(seed).toContain(`seed '${d.name}' '${d.productPath}'`);
    }
    expect(JSON.stringify(sts())).not.toContain('siddhi-files');
  });

  it('load the checksummed JDBC driver into repository/components/lib', () => {
    const fetch = spec().initContainers.find((x: any) => x.name === 'fetch-jdbc-driver');
    expect(fetch.image).toBe(APPLIER_NODE_IMAGE);
    expect(Object.fromEntries(fetch.env.map((e: any) => [e.name, e.value]))).toEqual({
      JDBC_DRIVER_URL: DRIVER_URL,
      JDBC_DRIVER_FILE: 'mysql-connector-java-5.1.49.jar',
      JDBC_DRIVER_SHA256: DRIVER_SHA256,
    });
    expect(jdbcDriverDir('analytics', 'das')).toBe('repository/components/lib');
    expect(server().command[2]).toContain(`cp ${MOUNTS.jdbcDriver}/'mysql-connector-java-5.1.49.jar' "$home/"'repository/components/lib'/'mysql-connector-java-5.1.49.jar'`);
  });
});

describe('the DAS change set', () => {
  const changeSet = (id: string): NodeChangeSet => JSON.parse(findObject(run.records, 'ConfigMap', `wso2is-changes-${id}`).data[`changes-${id}.json`]);

  it('is delivered per node and its stock files are staged, properties file included, then applied like SP', () => {
    const sets = ['analytics-1', 'analytics-2'].map(changeSet);
    const changes = sets.flatMap((cs) => cs.changes as FileChange[]);
    expect(changes.map((c) => c.path)).toContain(DAS_FILES.sparkDefaults);
    expect(changes.find((c) => c.path === DAS_FILES.sparkDefaults)!.kind).toBe('properties');
    // Every file the applier edits in place (not written whole) is staged from the image.
    const edited = [...new Set(changes.filter((c) => c.kind !== 'file').map((c) => c.path))].sort();
    expect(edited.length).toBeGreaterThanOrEqual(8);
    const stage = spec().initContainers.find((x: any) => x.name === 'stage');
    expect(stage.command.slice(4)).toEqual(edited);
    const apply = spec().initContainers.find((x: any) => x.name === 'apply');
    expect(apply.command[2]).toMatch(/0\) node_id=analytics-1 ;;/);
    // Spark finds the home by the link the start script makes.
    const spark = changes.find((c) => c.path === DAS_FILES.sparkDefaults) as Extract<FileChange, { kind: 'properties' }>;
    expect(spark.ops).toContainEqual({ op: 'set', key: 'carbon.das.symbolic.link', value: ANALYTICS_HOME_LINK });
  });

  it('the stage script really copies those files (repository/conf/..., the properties file) out of a DAS-shaped home', () => {
    const stage = spec().initContainers.find((x: any) => x.name === 'stage');
    const paths: string[] = stage.command.slice(4);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-das-stage-'));
    try {
      const home = path.join(dir, 'home');
      for (const p of paths) {
        fs.mkdirSync(path.dirname(path.join(home, p)), { recursive: true });
        fs.writeFileSync(path.join(home, p), `stock ${p}\n`);
      }
      const script = stage.command[2].split(MOUNTS.stage).join(path.join(dir, 'stage'));
      expect(stage.command.slice(0, 4)).toEqual(['sh', '-c', stage.command[2], 'stage']);
      const r = spawnSync('sh', ['-c', script, 'stage', ...paths], { encoding: 'utf8', env: { ...process.env, WSO2_SERVER_HOME: home } });
      expect([r.status, r.stderr]).toEqual([0, '']);
      for (const p of paths) expect(fs.readFileSync(path.join(dir, 'stage', p), 'utf8')).toBe(`stock ${p}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the db-init Job load the DAS pack\'s own Carbon script (its dbscripts copied from the DAS image)', () => {
    const job = byKind(run.records, 'Job')[0].spec.template.spec;
    const copy = job.initContainers.find((c: any) => c.name === 'copy-analytics-dbscripts');
    expect(copy.image).toBe(DAS_IMAGE);
    expect(copy.command[2]).toContain(`\${WSO2_SERVER_HOME:-${DAS_PRODUCT_HOME}}/dbscripts`);
    const main = job.containers[0];
    expect(main.env.find((e: any) => e.name === 'WSO2_ANALYTICS_HOME').value).toBe(MOUNTS.dbInitAnalyticsHome);
    expect(main.volumeMounts.find((m: any) => m.mountPath === MOUNTS.dbInitAnalyticsHome).name).toBe(copy.volumeMounts[0].name);
  });
});

describe('password-tmp: Secure Vault\'s keystore password (the internal store\'s) before each DAS start', () => {
  it('the apply init container writes it into the memory stage from the secrets file, as run for real (0600, one line)', () => {
    const apply = spec().initContainers.find((x: any) => x.name === 'apply');
    expect(apply.volumeMounts.find((m: any) => m.mountPath === MOUNTS.secrets).readOnly).toBe(true);
    const lines = (apply.command[2] as string).split('\n').filter((l) => l.includes('password-tmp'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${MOUNTS.secrets}/${SECRETS_FILE} internal_keystore_password >"$stage/password-tmp"`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-das-pwtmp-'));
    try {
      fs.mkdirSync(path.join(dir, 'stage'));
      fs.writeFileSync(path.join(dir, SECRETS_FILE), JSON.stringify({ keystore_password: 'PrimaryPw', internal_keystore_password: `Int&'"$pw ü` }));
      const line = lines[0].split(`${MOUNTS.secrets}/`).join(`${dir}/`);
      const r = spawnSync('sh', ['-c', `stage=${dir}/stage\n${line}`], { encoding: 'utf8' });
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(fs.readFileSync(path.join(dir, 'stage', 'password-tmp'), 'utf8')).toBe(`Int&'"$pw ü\n`);
      expect(fs.statSync(path.join(dir, 'stage', 'password-tmp')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the server container copies it into the home 0600 before the product starts', () => {
    const script: string = server().command[2];
    const copy = 'if [ -f password-tmp ]; then rm -f "$home/password-tmp"; (umask 077 && cp password-tmp "$home/password-tmp"); fi';
    expect(script).toContain(copy);
    expect(script.indexOf(copy)).toBeLessThan(script.indexOf('sh "$home/$prog" &'));
  });
});

describe('network', () => {
  it('admits exactly the model\'s DAS pairs (plus MySQL, NFS and the front end)', () => {
    const expected = expectedTriples(run.records, { flavor: 'das', ports: DEFAULT_PORTS, mysql: true, nfs: true });
    const actual = actualTriples(run.records);
    const missing = [...expected].filter((x) => !actual.has(x));
    const extra = [...actual].filter((x) => !expected.has(x));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect([...actual].some((x) => x.includes(`:${DEFAULT_PORTS.sparkMaster} `))).toBe(true);
  });

  it('has Services only for ports the model opens: the headless node Service and the dashboard on dasHttps', () => {
    const headless = findObject(run.records, 'Service', NAMES.analyticsHeadless);
    expect(headless.spec.ports.map((p: any) => p.port).sort()).toEqual(DAS_RULES.map((r) => r.port).sort());
    const dash = findObject(run.records, 'Service', NAMES.dashboard);
    expect(dash.spec.ports.map((p: any) => [p.port, p.targetPort])).toEqual(
      DAS_RULES.filter((r) => r.from.includes('frontend')).map((r) => [r.port, r.port]),
    );
    expect(dash.spec.ports[0].port).toBe(DEFAULT_PORTS.dasHttps);
  });

  it('opens, probes and serves no SP-only port anywhere', () => {
    expect(SP_ONLY.sort()).toEqual(
      [DEFAULT_PORTS.binary, DEFAULT_PORTS.binarySsl, DEFAULT_PORTS.workerHttp, DEFAULT_PORTS.workerHttps, DEFAULT_PORTS.eventSync, DEFAULT_PORTS.dashboard].sort(),
    );
    const used: [string, number][] = [];
    for (const svc of byKind(run.records, 'Service')) for (const p of svc.spec.ports) used.push([`Service ${svc.metadata.name}`, p.port], [`Service ${svc.metadata.name}`, p.targetPort]);
    for (const w of workloadsOf(run.records)) {
      for (const c of [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers]) {
        for (const p of c.ports ?? []) used.push([`${w.metadata.name}/${c.name}`, p.containerPort]);
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)) {
          used.push([`${w.metadata.name}/${c.name} probe`, probe.tcpSocket?.port ?? probe.httpGet?.port]);
        }
      }
    }
    for (const np of byKind(run.records, 'NetworkPolicy')) for (const rule of np.spec.ingress ?? []) for (const p of rule.ports) used.push([`NetworkPolicy ${np.metadata.name}`, p.port]);
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter(([, p]) => SP_ONLY.includes(p))).toEqual([]);
    expect(k8sObjects(run.records).map((o) => JSON.stringify(o.obj)).filter((j) => /wso2is-analytics-(worker|dashboard):/.test(j))).toEqual([]);
  });
});

test('every registered Kubernetes object validates against the Kubernetes schemas', () => {
  const objects = k8sObjects(run.records);
  expect(objects.length).toBeGreaterThan(25);
  validateEach(objects);
});

test('the same stack without the DAS image is rejected, naming kubernetes.images.analyticsDas', () => {
  const file = readStackFile(path.join(REPO, 'Pulumi.local.yaml'));
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...file.all, ...OVERRIDE })) if (k.startsWith(`${PROJECT}:`)) raw[k.slice(PROJECT.length + 1)] = v;
  expect(parseStackConfig(raw, 'local').kubernetes.images.analyticsDas).toBe(DAS_IMAGE);
  raw.kubernetes = JSON.stringify({ namespace: 'wso2-is-pattern2' });
  let err: unknown;
  try {
    parseStackConfig(raw, 'local');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).key).toBe('kubernetes.images.analyticsDas');
  expect((err as ConfigError).message).toMatch(new RegExp(`${PROJECT}:kubernetes\\.images\\.analyticsDas: .*DAS-based IS Analytics image`));
});

test('every pod template but the NFS server\'s meets the restricted Pod Security Standard (the DAS home link and dbscripts copy included)', () => {
  const pods = [...byKind(run.records, 'StatefulSet'), ...byKind(run.records, 'Deployment'), ...byKind(run.records, 'Job')].filter((w) => w.metadata.name !== NAMES.nfs);
  expect(pods.length).toBe(5);
  expect(restrictedViolations(pods).violations).toEqual([]);
});
