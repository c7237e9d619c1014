/**
 * The pod specs are pure: plain data in, pod spec out, no Pulumi runtime or resources.
 */
import { DEFAULTS, parseStackConfig } from '../config';
import { MIN_K8S } from './helpers/stack-config';
import { buildTopology, MYSQL_PORT, NFS_PORT, WSO2_UID } from '../topology';
import { topologyInput } from '../config';
import { nodeAddresses } from '../components/kubernetes/names';
import { MOUNTS } from '../components/kubernetes/paths';
import { dbInitPodSpec, dbWaitInit, mysqlPodSpec, nfsServerPodSpec, nginxPodSpec } from '../components/kubernetes/pod-specs';
import { analyticsPodSpec, isPodSpec, stageCommand } from '../components/kubernetes/product-pod-specs';
import { waitForDbScript } from '../components/kubernetes/scripts';

const cfg = parseStackConfig({ ...MIN_K8S }, 'unit');
const t = buildTopology(topologyInput(cfg, nodeAddresses('ns'), 'db.example'));
const db = { image: 'mysql:8', host: 'db.example', secret: 'db-secret', ca: { configMap: { name: 'db-ca-cm' } } };
const product = {
  cfg,
  t,
  changeSetConfigMaps: ['cs-1', 'cs-2'],
  applierConfigMap: 'applier-cm',
  applierSecret: 'applier-secret',
    keysSecret: 'wso2is-keys',
  sharedClaim: 'shared-claim',
  stageCommand: stageCommand('is', t, ['repository/conf/carbon.xml']),
  dbWait: dbWaitInit(db, 'wso2', 'true'),
};

test('an IS pod names the objects it was given and runs as the product user', () => {
  const spec = isPodSpec(product);
  const volumes = Object.fromEntries((spec.volumes as any[]).map((v) => [v.name, v]));
  expect(volumes.changes.projected.sources).toEqual([{ configMap: { name: 'cs-1' } }, { configMap: { name: 'cs-2' } }]);
  expect(volumes.applier.configMap.name).toBe('applier-cm');
  expect(volumes.secrets.secret).toEqual({ secretName: 'applier-secret', defaultMode: 0o440 });
  expect(volumes.shared.persistentVolumeClaim.claimName).toBe('shared-claim');
  expect((spec.initContainers as any[]).map((c) => c.name)).toEqual(['fetch-jdbc-driver', 'wait-for-database', 'stage', 'seed-shared', 'apply', 'keys-prepare', 'keystores', 'keys-install']);
  expect((spec.initContainers as any[])[2].command).toEqual(product.stageCommand);
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: WSO2_UID, runAsGroup: WSO2_UID, fsGroup: WSO2_UID });
  // Every container, the Node and MySQL ones included, runs as the pod's user: none sets another.
  for (const c of [...(spec.initContainers as any[]), ...(spec.containers as any[])]) expect([c.name, c.securityContext.runAsUser]).toEqual([c.name, undefined]);
});

test('an analytics pod (SP) runs the worker and the dashboard; only the worker mounts the shared volume', () => {
  const spec = analyticsPodSpec(product);
  const containers = spec.containers as any[];
  expect(containers.map((c) => c.name).sort()).toEqual(['dashboard', 'worker']);
  for (const c of containers) {
    const shared = (c.volumeMounts as any[]).some((m) => m.mountPath === MOUNTS.shared);
    expect([c.name, shared]).toEqual([c.name, c.name !== 'dashboard']);
  }
});

test('SP analytics containers, and only they, read the Secure Vault master key Secret (read-only, 0440 for the product user\'s group)', () => {
  const withVault = { ...product, analyticsVaultSecret: 'wso2is-analytics-vault' };
  const spec = analyticsPodSpec(withVault);
  expect((spec.volumes as any[]).find((v) => v.name === 'vault').secret).toEqual({ secretName: 'wso2is-analytics-vault', defaultMode: 0o440 });
  for (const c of spec.containers as any[]) {
    expect((c.volumeMounts as any[]).find((m) => m.name === 'vault')).toEqual({ name: 'vault', mountPath: MOUNTS.vault, readOnly: true });
    expect(c.command[2]).toContain(`vault_key_file='${MOUNTS.vault}/master-key'`);
    expect(JSON.stringify(c.env ?? [])).not.toMatch(/keyStorePassword/);
  }
  for (const c of spec.initContainers as any[]) expect(((c.volumeMounts ?? []) as any[]).some((m) => m.name === 'vault')).toBe(false);
  const is = isPodSpec(withVault);
  expect((is.volumes as any[]).some((v) => v.name === 'vault')).toBe(false);
  expect((is.containers as any[])[0].command[2]).not.toContain('vault_key_file=');
});

test('the support pods take their images, ports and object names as given', () => {
  const mysql = mysqlPodSpec('mysql:8', 'latin1', 'db-secret', 'db-tls');
  const m = (mysql.containers as any[])[0];
  expect(m.args[0]).toBe('--character-set-server=latin1');
  // TLS only, on the mounted key pair signed by the deployment CA; the key readable by mysql's group only.
  expect(m.args).toEqual(expect.arrayContaining(['--ssl-ca=/etc/mysql/tls/ca.crt', '--ssl-cert=/etc/mysql/tls/tls.crt', '--ssl-key=/etc/mysql/tls/tls.key', '--require-secure-transport=ON']));
  expect(m.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/mysql/tls', readOnly: true });
  expect(mysql.volumes).toEqual([{ name: 'tls', secret: { secretName: 'db-tls', defaultMode: 0o440 } }]);
  expect(mysql.securityContext).toMatchObject({ fsGroup: 999, runAsUser: 999, runAsNonRoot: true });
  expect(m.ports).toEqual([{ name: 'mysql', containerPort: MYSQL_PORT }]);
  expect(m.env[0].valueFrom.secretKeyRef).toEqual({ name: 'db-secret', key: 'master-password' });

  const nfs = nfsServerPodSpec('nfs:1', NFS_PORT, 'nfs-data');
  expect((nfs.containers as any[])[0].ports).toEqual([{ name: 'nfs', containerPort: NFS_PORT }]);
  expect((nfs.volumes as any[])[0].persistentVolumeClaim.claimName).toBe('nfs-data');

  const job = dbInitPodSpec({ images: DEFAULTS.kubernetes.images, flavor: 'sp', db, masterUser: 'root', script: 'true', scriptConfigMap: 'db-init-cm' });
  expect((job.initContainers as any[]).map((c) => c.name)).toEqual(['copy-dbscripts']);
  expect((job.volumes as any[]).find((v) => v.name === 'db-init').configMap.name).toBe('db-init-cm');
  // db-init verifies the server against the CA file of the given volume, mounted read-only.
  expect((job.volumes as any[]).find((v) => v.name === 'db-ca')).toEqual({ name: 'db-ca', configMap: { name: 'db-ca-cm' } });
  const init = (job.containers as any[])[0];
  expect(init.volumeMounts).toContainEqual({ name: 'db-ca', mountPath: '/opt/pattern2/db-ca', readOnly: true });
  expect(init.env).toContainEqual({ name: 'DB_SSL_CA', value: '/opt/pattern2/db-ca/ca.pem' });

  const nginx = nginxPodSpec({ image: 'nginx:1', start: 'exec nginx', ports: { https: 8443, http: 8080 }, templateConfigMap: 'conf-cm', tlsSecret: 'tls-secret', tlsDir: '/tls', labels: { app: 'x' } });
  expect((nginx.containers as any[])[0].ports.map((p: any) => p.containerPort)).toEqual([8443, 8080]);
  expect((nginx.volumes as any[]).map((v) => v.configMap?.name ?? v.secret?.secretName ?? v.name)).toEqual(['conf-cm', 'conf', 'tls-secret', 'cache', 'run']);
});

test('the wait-for-database container of every product pod verifies the server against the db-init Job\'s CA volume, mounted the same way', () => {
  const job = dbInitPodSpec({ images: DEFAULTS.kubernetes.images, flavor: 'sp', db, masterUser: 'root', script: 'true', scriptConfigMap: 'db-init-cm' });
  const jobCa = (job.volumes as any[]).find((v) => v.name === 'db-ca');
  const jobC = (job.containers as any[])[0];
  for (const spec of [isPodSpec(product), analyticsPodSpec(product)]) {
    const wait = (spec.initContainers as any[]).find((c) => c.name === 'wait-for-database');
    const mount = (wait.volumeMounts as any[]).find((m) => m.mountPath === MOUNTS.dbCa);
    // The same mount and DB_SSL_CA as the Job, on a pod volume of the same source.
    expect(mount).toEqual(jobC.volumeMounts.find((m: any) => m.mountPath === MOUNTS.dbCa));
    expect((spec.volumes as any[]).find((v) => v.name === mount.name)).toEqual(jobCa);
    expect(wait.env).toContainEqual(jobC.env.find((e: any) => e.name === 'DB_SSL_CA'));
    // Only the wait reads the CA (the products verify through their truststores).
    for (const c of [...(spec.initContainers as any[]), ...(spec.containers as any[])]) {
      if (c !== wait) expect([c.name, ((c.volumeMounts ?? []) as any[]).some((m) => m.name === mount.name)]).toEqual([c.name, false]);
    }
  }
  // The script the wait runs asks the client for verification (shell/k8s-wait-for-db.sh).
  const wait = dbWaitInit(db, 'wso2', waitForDbScript('WSO2_META', 'a'.repeat(64))).container as any;
  expect(wait.command[2]).toContain('--ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA"');
  expect(wait.command[2]).toContain('--ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert');
  expect(wait.command[2]).toMatch(/mysql "\$@" --connect-timeout=5 /);
});
