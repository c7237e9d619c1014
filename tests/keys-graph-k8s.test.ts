/**
 * Key material on Kubernetes under the mock engine (`local` stack): each node's certificate names
 * its pod DNS name and headless Service, the keys Secret holds one key per node, the pods build
 * their keystores in init containers before the product (prepare in the Node image, keytool in
 * the product image, install in the Node image), the store passwords reach the applier's secrets
 * file, the checksum covers public certificates only, and nothing secret is in a ConfigMap or output.
 */
import { NODE_IDS, ROLE_NODE_IDS, Role, roleOfNode } from '../topology';
import { parseKeystoreMaterial } from '../applier/keystore-material';
import { CHECKSUM_ANNOTATION, NAMES, SECRET_NAMES_K8S, STATEFULSET_OF, keyMaterialFileName, podDnsName, serviceDnsName } from '../components/kubernetes/names';
import { MOUNTS } from '../components/kubernetes/paths';
import { ProgramRun, byKind, findObject, runStack } from './fixtures/k8s/harness';

const NS = 'wso2-is-pattern2';
let run: ProgramRun;
beforeAll(async () => {
  run = await runStack('Pulumi.local.yaml');
}, 120_000);

test('each node certificate names its pod DNS name, its headless Service, localhost and the hostnames it serves', () => {
  for (const id of NODE_IDS) {
    const role = roleOfNode(id);
    const csr = run.records.find((r) => r.type === 'tls:index/certRequest:CertRequest' && r.name.endsWith(`-keys-${id}-tls-g1-csr`))!;
    const headless = STATEFULSET_OF[role].headless;
    const dns = csr.inputs.dnsNames as string[];
    expect(dns.slice(0, 3)).toEqual([podDnsName(role, ROLE_NODE_IDS[role].indexOf(id), NS), headless, `${headless}.${NS}.svc.cluster.local`]);
    expect(dns).toContain('localhost');
    expect(csr.inputs.ipAddresses).toEqual(['127.0.0.1']);
  }
});

test('the keys Secret holds one material document per node; the applier secrets file has the four store passwords', () => {
  const keys = run.records.find((r) => r.type === 'kubernetes:core/v1:Secret' && (r.inputs.metadata as any).name === SECRET_NAMES_K8S.keys)!;
  const data = keys.inputs.stringData as Record<string, string>;
  expect(Object.keys(data).sort()).toEqual(NODE_IDS.map(keyMaterialFileName).sort());
  for (const id of NODE_IDS) expect(() => parseKeystoreMaterial(JSON.parse(data[keyMaterialFileName(id)]))).not.toThrow();
  const applier = findObject(run.records, 'Secret', SECRET_NAMES_K8S.applier);
  const file = JSON.parse(String(Object.values(applier.stringData)[0]));
  expect(Object.keys(file).sort()).toEqual(['admin_password', 'db_password', 'internal_certificate', 'internal_keystore_password', 'keystore_password', 'primary_certificate', 'tls_keystore_password', 'truststore_password']);
});

test.each(['is', 'analytics'] as Role[])('%s pods build their keystores in init containers after apply, before the product', (role) => {
  const sts = findObject(run.records, 'StatefulSet', role === 'is' ? NAMES.is : NAMES.analytics);
  const spec = sts.spec.template.spec;
  const names = spec.initContainers.map((c: any) => c.name);
  expect(names.slice(names.indexOf('apply'))).toEqual(['apply', 'keys-prepare', 'keystores', 'keys-install']);
  const byName = (n: string) => spec.initContainers.find((c: any) => c.name === n);
  expect(byName('keys-prepare').image).toMatch(/^node:/);
  expect(byName('keys-install').image).toMatch(/^node:/);
  expect(byName('keystores').image).toBe(spec.containers[0].image);
  expect(byName('keys-prepare').command[2]).toContain(`--prepare ${MOUNTS.keystoreWork}`);
  expect(byName('keys-install').command[2]).toContain(`--install ${MOUNTS.keystoreWork}`);
  expect(spec.securityContext.runAsUser).not.toBe(0);
  for (const c of spec.initContainers) expect([c.name, c.securityContext.runAsUser]).toEqual([c.name, undefined]);
  const vols = Object.fromEntries(spec.volumes.map((v: any) => [v.name, v]));
  expect(vols.keys.secret).toEqual({ secretName: SECRET_NAMES_K8S.keys, defaultMode: 0o440 });
  expect(vols['keystore-work'].emptyDir.medium).toBe('Memory');
  // Only the Node steps see the material; the product container never mounts it.
  for (const c of spec.containers) expect(c.volumeMounts.map((m: any) => m.name)).not.toContain('keys');
  expect(sts.spec.template.metadata.annotations[CHECKSUM_ANNOTATION]).toMatch(/^[0-9a-f]{64}$/);
});

test('no private key or store password in a ConfigMap or an output; the CA certificate is an output', () => {
  const cms = JSON.stringify(byKind(run.records, 'ConfigMap'));
  expect(cms).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  for (const s of run.secretValues) {
    expect(cms.includes(s)).toBe(false);
    expect(JSON.stringify(run.outputs).includes(s)).toBe(false);
  }
  const ca = run.records.find((r) => r.type === 'tls:index/selfSignedCert:SelfSignedCert' && r.name.endsWith('-keys-ca-cert'))!;
  expect(run.outputs.deploymentCaCertificate).toBe(ca.state.certPem);
});

test('the in-cluster MySQL serves TLS on a certificate of the deployment CA for its Service names; the nodes trust that CA, no RDS bundle', () => {
  const csr = run.records.find((r) => r.type === 'tls:index/certRequest:CertRequest' && r.name.endsWith('-keys-database-tls-g1-csr'))!;
  expect((csr.inputs.dnsNames as string[])[0]).toBe(serviceDnsName(NAMES.mysql, NS));
  const cert = run.records.find((r) => r.type === 'tls:index/locallySignedCert:LocallySignedCert' && r.name.endsWith('-keys-database-tls-g1-cert'))!;
  expect(cert.inputs.allowedUses).toContain('server_auth');
  const ca = run.records.find((r) => r.type === 'tls:index/selfSignedCert:SelfSignedCert' && r.name.endsWith('-keys-ca-cert'))!;
  expect(cert.inputs.caCertPem).toBe(ca.state.certPem);
  const tls = findObject(run.records, 'Secret', 'wso2is-mysql-tls');
  expect(Object.keys(tls.stringData).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  expect(tls.stringData['ca.crt']).toBe(ca.state.certPem);
  const mysql = findObject(run.records, 'StatefulSet', NAMES.mysql);
  expect(mysql.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'wso2is-mysql-tls', defaultMode: 0o440 } });
  expect(mysql.spec.template.spec.containers[0].args).toContain('--require-secure-transport=ON');
  const keys = run.records.find((r) => r.type === 'kubernetes:core/v1:Secret' && (r.inputs.metadata as any).name === SECRET_NAMES_K8S.keys)!;
  for (const doc of Object.values(keys.inputs.stringData as Record<string, string>)) expect(JSON.parse(doc).trustedBundles).toBeUndefined();
});
