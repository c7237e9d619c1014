/**
 * The dev EC2 stack with the legacy DAS analytics flavour (`analytics.flavor: das`): the same
 * platform checks as every EC2 stack, and the DAS ports (Hazelcast, CEP event sync/management/
 * presentation, Spark) reach the graph while the Stream-Processor-only ports do not.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { runEc2Stack, Ec2Run, objectText, ofType, registeredRules, T } from './fixtures/ec2/harness';
import { ec2StackTests } from './fixtures/ec2/common';
import { CHANGE_SET_SCHEMA } from '../config-templates/types';
import { PASSWORD_TMP_HELPER } from '../components/ec2/boot-script';
import { ANALYTICS_HOME_LINK, DEFAULT_PORTS, PortName, analyticsPortRules } from '../topology';

const DAS_ANALYTICS = {
  flavor: 'das',
  instanceType: 'm5.large',
  packUrl: 's3://wso2-packs-example/wso2is-analytics-5.4.0.zip',
};

let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.dev.yaml', { override: { 'wso2-is-pattern2:analytics': JSON.stringify(DAS_ANALYTICS) } });
});

ec2StackTests(() => run);

const SP_ONLY: PortName[] = ['binary', 'binarySsl', 'workerHttp', 'workerHttps', 'eventSync', 'dashboard'];

/** Ports the analytics security group admits, as `port` numbers. */
function analyticsIngressPorts(r: Ec2Run): Set<number> {
  const ports = new Set<number>();
  for (const rule of registeredRules(r)) {
    const m = /^ingress analytics <- \S+ tcp\/(\d+)-(\d+)$/.exec(rule);
    if (m) for (let p = Number(m[1]); p <= Number(m[2]); p++) ports.add(p);
  }
  return ports;
}

test('the config really is the DAS flavour', () => {
  expect(run.config.analytics.flavor).toBe('das');
});

test('analytics nodes admit every DAS port of the model and none of the SP-only ports', () => {
  const admitted = analyticsIngressPorts(run);
  const das = analyticsPortRules(run.config.ports, 'das');
  for (const p of das) expect([p.name, admitted.has(p.port)]).toEqual([p.name, true]);
  expect([...admitted].sort((a, b) => a - b)).toEqual([...new Set(das.map((p) => p.port))].sort((a, b) => a - b));
  for (const name of SP_ONLY) {
    if (das.some((p) => p.port === DEFAULT_PORTS[name])) continue; // shared number, e.g. none today
    expect([name, admitted.has(DEFAULT_PORTS[name])]).toEqual([name, false]);
  }
});

test('the internal receiver NLB listens on the DAS receivers only (Thrift), the dashboard NLB forwards to DAS HTTPS', () => {
  const listenerPorts = ofType(run, T.listener).map((l) => Number(l.inputs.port));
  expect(listenerPorts).toContain(DEFAULT_PORTS.thrift);
  expect(listenerPorts).toContain(DEFAULT_PORTS.thriftSsl);
  expect(listenerPorts).not.toContain(DEFAULT_PORTS.binary);
  expect(listenerPorts).not.toContain(DEFAULT_PORTS.binarySsl);
  const tgPorts = ofType(run, T.tg).map((t) => Number(t.inputs.port));
  expect(tgPorts).toContain(DEFAULT_PORTS.dasHttps);
  expect(tgPorts).not.toContain(DEFAULT_PORTS.dashboard);
});

/** Each analytics node's change set as shipped in its S3 object. */
function shippedChangeSets(r: Ec2Run): { nodeId: string; changes: { path: string; kind: string }[] }[] {
  const out = [];
  for (const o of ofType(r, T.object)) {
    const content = objectText(r, o);
    if (!content || !content.startsWith('{') || !content.includes(CHANGE_SET_SCHEMA)) continue;
    const cs = JSON.parse(content);
    if (String(cs.nodeId).startsWith('analytics-')) out.push(cs);
  }
  return out;
}

test('both analytics nodes are sent the DAS change set (event processor HA, Spark, record stores)', () => {
  const sets = shippedChangeSets(run);
  expect(sets.map((s) => s.nodeId).sort()).toEqual(['analytics-1', 'analytics-2']);
  for (const cs of sets) {
    const paths = cs.changes.map((c) => c.path);
    expect(paths).toContain('repository/conf/event-processor.xml');
    expect(paths).toContain('repository/conf/analytics/spark/spark-defaults.conf');
    expect(paths).toContain('repository/conf/analytics/analytics-conf.xml');
    expect(paths).not.toContain('conf/worker/deployment.yaml');
  }
});

/** The boot scripts of the analytics nodes, as delivered. */
function analyticsBoots(r: Ec2Run): string[] {
  const boots = ofType(r, T.object).filter((o) => String(o.inputs.key).endsWith('boot.sh') && String(o.inputs.key).includes('analytics-'));
  return boots.map((b) => {
    const script = String(b.inputs.content ?? '');
    return script || gunzipSync(Buffer.from(String(b.inputs.contentBase64 ?? ''), 'base64')).toString();
  });
}

test('the analytics boot script runs the DAS server and creates the common home link', () => {
  const boots = analyticsBoots(run);
  expect(boots).toHaveLength(2);
  for (const script of boots) {
    expect(script).toContain('bin/wso2server.sh');
    expect(script).not.toContain('bin/worker.sh');
    expect(script).toContain(ANALYTICS_HOME_LINK);
    expect(script).toContain('carbonapps');
  }
});

describe('password-tmp: Secure Vault\'s keystore password (the internal store\'s) before each DAS start', () => {
  test('the DAS unit runs the root-only helper before every start, with the internal store\'s secret', () => {
    for (const script of analyticsBoots(run)) {
      expect(script).toContain(`ExecStartPre=+${PASSWORD_TMP_HELPER} $REGION $SECRET_ARN $HOME_DIR internal_keystore_password`);
      expect(script).toContain(`write_if_changed "$ROOT${PASSWORD_TMP_HELPER}" 0700 <<'HELPER'`);
    }
  });

  test('the helper as delivered writes the internal store password (one line, 0600) into the product home', () => {
    const script = analyticsBoots(run)[0];
    const start = script.indexOf(`${PASSWORD_TMP_HELPER}" 0700 <<'HELPER'`);
    expect(start).toBeGreaterThan(0);
    const body = script.slice(script.indexOf('\n', start) + 1, script.indexOf('\nHELPER\n', start));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ec2-das-pwtmp-'));
    try {
      const bin = path.join(tmp, 'bin');
      const home = path.join(tmp, 'home');
      fs.mkdirSync(bin);
      fs.mkdirSync(home);
      fs.writeFileSync(path.join(tmp, 'helper.sh'), body, { mode: 0o700 });
      // Stand-ins: the stack secret as Secrets Manager returns it (SecretString), ownership a no-op.
      const secret = JSON.stringify({ keystore_password: 'PrimaryPw', internal_keystore_password: `Int&'"$pw ü` });
      fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\ncat <<'EOF'\n${secret}\nEOF\n`, { mode: 0o755 });
      fs.writeFileSync(path.join(bin, 'chown'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const r = spawnSync('bash', [path.join(tmp, 'helper.sh'), 'eu-west-1', 'arn:secret', home, 'internal_keystore_password'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
      expect([r.status, r.stderr]).toEqual([0, '']);
      expect(fs.readFileSync(path.join(home, 'password-tmp'), 'utf8')).toBe(`Int&'"$pw ü\n`);
      expect(fs.statSync(path.join(home, 'password-tmp')).mode & 0o777).toBe(0o600);
      expect(fs.readdirSync(home)).toEqual(['password-tmp']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
