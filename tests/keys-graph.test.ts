/**
 * Key material on EC2 under the mock engine (`dev` stack with keys.generation 2): the tls resources
 * and each node's SANs, a Secrets Manager secret per node readable only by that node's role,
 * the boot script's keystores step before the product starts, the CA output; and against the
 * committed generation-1 baseline, that raising the generation renames the node material but not
 * the CA. Nothing secret in user-data, S3 objects or outputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { NODE_IDS, roleOfNode } from '../topology';
import { parseKeystoreMaterial } from '../applier/keystore-material';
import { caBundleCertificates } from '../applier/ca-bundles';
import { Ec2Run, T, objectText, ofType, runEc2Stack } from './fixtures/ec2/harness';

const TLS = {
  key: 'tls:index/privateKey:PrivateKey',
  selfSigned: 'tls:index/selfSignedCert:SelfSignedCert',
  csr: 'tls:index/certRequest:CertRequest',
  cert: 'tls:index/locallySignedCert:LocallySignedCert',
};
let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.dev.yaml', { override: { 'wso2-is-pattern2:keys': JSON.stringify({ generation: 2 }) } });
}, 120_000);

const named = (type: string, suffix: string) => {
  const r = ofType(run, type).filter((x) => x.name.endsWith(suffix));
  expect(r).toHaveLength(1);
  return r[0];
};

test('a deployment CA (RSA 3072, CA certificate, cert signing) and generation-2 primary, internal and per-node keys signed by it', () => {
  expect(named(TLS.key, '-keys-ca-key').inputs).toMatchObject({ algorithm: 'RSA', rsaBits: 3072 });
  const ca = named(TLS.selfSigned, '-keys-ca-cert').inputs;
  expect(ca).toMatchObject({ isCaCertificate: true });
  expect(ca.allowedUses).toContain('cert_signing');
  const signed = ofType(run, TLS.cert).map((c) => c.name.replace(/^.*-keys-/, '')).sort();
  expect(signed).toEqual(['analytics-1-tls-g2-cert', 'analytics-2-tls-g2-cert', 'frontend-g2-cert', 'internal-g2-cert', 'is-1-tls-g2-cert', 'is-2-tls-g2-cert', 'primary-g2-cert'].sort());
  for (const c of ofType(run, TLS.cert)) expect(c.inputs.caCertPem).toBe(ofType(run, TLS.selfSigned)[0].state.certPem);
  for (const k of ofType(run, TLS.key).filter((x) => !x.name.endsWith('-ca-key'))) expect(k.inputs).toMatchObject({ algorithm: 'RSA', rsaBits: 2048 });
  expect(named(TLS.csr, '-primary-g2-csr').inputs).toMatchObject({ subject: expect.objectContaining({ commonName: run.config.hostname }), dnsNames: [run.config.hostname] });
});

test('each node certificate names its private IP, localhost, 127.0.0.1 and the hostnames it serves; server and client auth', () => {
  const ips = run.outputs.nodeAddresses as Record<string, string>;
  for (const id of NODE_IDS) {
    const csr = named(TLS.csr, `-keys-${id}-tls-g2-csr`).inputs;
    expect(csr.ipAddresses).toEqual([ips[id], '127.0.0.1']);
    const served = roleOfNode(id) === 'is' ? [run.config.hostname, run.config.mgtHostname] : [run.config.dashboardHostname];
    expect(csr.dnsNames).toEqual([...served, 'localhost']);
    expect(named(TLS.cert, `-keys-${id}-tls-g2-cert`).inputs.allowedUses).toEqual(expect.arrayContaining(['server_auth', 'client_auth']));
  }
});

test('four alphanumeric 32-character store passwords, in the stack secret', () => {
  const pw = ofType(run, 'random:index/randomPassword:RandomPassword').filter((r) => r.name.includes('-keys-'));
  expect(pw.map((r) => r.name.replace(/^.*-keys-/, '')).sort()).toEqual(['internal-password', 'primary-password', 'tls-password', 'truststore-password']);
  for (const r of pw) expect(r.inputs).toMatchObject({ length: 32, special: false });
});

test('one secret per node holding its material (a Pulumi secret the applier accepts), readable only by that node\'s role', () => {
  const policies = ofType(run, T.rolePolicy);
  for (const id of NODE_IDS) {
    const secret = named(T.secret, `-${id}-keys-secret`);
    const version = named(T.secretVersion, `-${id}-keys-value`);
    expect(JSON.stringify(version.rawInputs.secretString)).toContain('1b47061264138c4ac30d75fd1eb44270');
    const m = parseKeystoreMaterial(JSON.parse(String(version.inputs.secretString)));
    expect(m.stores.map((s) => s.kind)).toEqual(roleOfNode(id) === 'is' ? ['keystore', 'keystore', 'keystore', 'truststore'] : ['keystore', 'truststore']);
    // The database is RDS: the truststore also holds every RDS CA (named, not copied: the secret stays small).
    expect(JSON.parse(String(version.inputs.secretString)).trustedBundles).toEqual(['rds']);
    const rds = caBundleCertificates('rds');
    expect(rds).toHaveLength(115);
    const trustedAliases = m.stores.find((s) => s.kind === 'truststore')!.trusted.map((t) => t.alias);
    expect(trustedAliases.filter((a) => rds.some((c) => c.alias === a))).toEqual(rds.map((c) => c.alias));
    expect(String(version.inputs.secretString).length).toBeLessThan(32 * 1024);
    // Named by exactly one policy, the node's own (its role's); the instance runs with that role's profile.
    const naming = policies.filter((p) => String(p.inputs.policy).includes(String(secret.state.arn)));
    expect(naming.map((p) => p.name)).toEqual([named(T.rolePolicy, `-${id}-access`).name]);
    const statement = JSON.parse(String(naming[0].inputs.policy)).Statement.find((s: any) => s.Resource.includes(secret.state.arn));
    expect(statement).toEqual({ Sid: 'OwnKeyMaterial', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secret.state.arn] });
    const role = named('aws:iam/role:Role', `-${id}-role`);
    expect(naming[0].inputs.role).toBe(role.id);
    const profile = named('aws:iam/instanceProfile:InstanceProfile', `-${id}-profile`);
    expect(ofType(run, T.instance).find((i) => i.name.endsWith(`-${id}`))!.inputs.iamInstanceProfile).toBe(profile.state.name);
  }
});

test('the boot script fetches the node\'s own material and builds the keystores before the databases step and the product units', () => {
  for (const id of NODE_IDS) {
    const boot = String(ofType(run, T.object).find((o) => o.name.endsWith(`-${id}-boot`))!.inputs.content);
    const arn = String(named(T.secret, `-${id}-keys-secret`).state.arn);
    expect(boot).toContain(`KEYS_SECRET_ARN='${arn}'`);
    expect(boot).toMatch(/^KEY_MATERIAL_DIGEST='[0-9a-f]{64}'$/m);
    const keystores = boot.indexOf('keystores --home "$HOME_DIR" --material "$keys_file"');
    expect(keystores).toBeGreaterThan(boot.indexOf('apply --home "$HOME_DIR"'));
    expect(keystores).toBeLessThan(boot.indexOf('record_query='));
    expect(keystores).toBeLessThan(boot.indexOf('svc --no-block restart'));
    expect(boot).toContain(`trap 'rm -f "$secrets_file" "$keys_file"' EXIT`);
  }
});

test('no private key, password or key material in user-data, S3 objects, tags or outputs; the CA certificate is an output', () => {
  const haystack: string[] = [JSON.stringify(run.outputs)];
  for (const r of run.records) {
    if (r.type === T.instance) haystack.push(String(r.inputs.userData));
    if (r.type === T.object) haystack.push(objectText(run, r));
    haystack.push(JSON.stringify(r.inputs.tags ?? {}));
  }
  const joined = haystack.join('\n');
  // The applier bundle names PEM labels in its parser; no PEM private key may appear.
  expect(joined).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  for (const s of run.secretValues) expect(joined.includes(s)).toBe(false);
  expect(String(run.outputs.deploymentCaCertificate)).toBe(ofType(run, TLS.selfSigned)[0].state.certPem);
  expect(String(run.outputs.deploymentCaCertificate)).toMatch(/^-----BEGIN CERTIFICATE-----/);
});

test('raising keys.generation renames the node material (new keys) but not the CA (against the generation-1 baseline)', () => {
  const baseline = JSON.parse(fs.readFileSync(path.join(__dirname, 'baseline', 'dev', 'resources.json'), 'utf8')) as { type: string; name: string }[];
  const tlsNames = (rs: { type: string; name: string }[]) => rs.filter((r) => r.type.startsWith('tls:')).map((r) => r.name).sort();
  const g1 = tlsNames(baseline);
  const g2 = tlsNames(run.records);
  expect(g1.filter((n) => n.includes('-ca-'))).toEqual(g2.filter((n) => n.includes('-ca-')));
  expect(g1.filter((n) => !n.includes('-ca-')).every((n) => /-g1-/.test(n))).toBe(true);
  expect(g2.filter((n) => !n.includes('-ca-'))).toEqual(g1.filter((n) => !n.includes('-ca-')).map((n) => n.replace('-g1-', '-g2-')).sort());
  // The secrets holding the material keep their names: a new version, read at the node's next run.
  expect(baseline.filter((r) => r.type === T.secret).map((r) => r.name).sort()).toEqual(ofType(run, T.secret).map((r) => r.name).sort());
});
