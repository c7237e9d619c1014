/**
 * The database server verification our JDBC URLs ask for, against a real server (system tier:
 * MariaDB, openssl). A MariaDB on 127.0.0.1 (helpers/tls-mariadb.ts) serves TLS on a certificate
 * from a test CA and requires secure transport; a client configured as each of our URLs is
 * connects when its truststore holds that CA and is refused when it holds another.
 *
 * No Connector/J runs here (no jar on this machine): its 5.1.49 semantics (research notes F.1)
 * are mirrored with the mariadb client, parameter by parameter, and a URL parameter the mirror
 * does not know fails the test, so the URLs cannot change without this test following.
 * `useSSL=true` -> `--ssl`; `requireSSL=true` -> no plain fallback (the verifying client never
 * falls back); `verifyServerCertificate=true` -> `--ssl-verify-server-cert` (which also checks
 * the host name, stricter than Connector/J 5.1; the test certificate names 127.0.0.1);
 * `enabledTLSProtocols` -> `--tls-version`; the truststore (Carbon's `javax.net.ssl.trustStore`
 * on IS, `trustCertificateKeyStoreUrl` on analytics) -> `--ssl-ca` with the CA it holds.
 */
import { execFile } from 'child_process';
import { jdbcUrl } from '../topology';
import { MARIADB_CLIENT, MariaDb } from './helpers/mariadb';
import { TlsMariaDb, startTlsMariaDb } from './helpers/tls-mariadb';
import { testTopology } from './helpers/topology';

jest.setTimeout(120_000);

const APP = { user: 'wso2', password: 'App-Pw-1' };
let tls: TlsMariaDb;
let db: MariaDb;

beforeAll(async () => {
  // As our in-cluster MySQL runs: no plain-text connection at all.
  tls = await startTlsMariaDb({ requireTls: true });
  db = tls.db;
  await db.query(`CREATE DATABASE WSO2_IDENTITY_DB; CREATE USER '${APP.user}'@'127.0.0.1' IDENTIFIED BY '${APP.password}'; GRANT ALL ON WSO2_IDENTITY_DB.* TO '${APP.user}'@'127.0.0.1';`);
});
afterAll(async () => {
  await tls?.stop();
});

/** The mariadb client options that behave as Connector/J 5.1.49 with this URL and a truststore holding the CA in `trustedCaFile`. */
function mirror(url: string, trustedCaFile: string): { host: string; port: string; database: string; args: string[] } {
  const m = /^jdbc:mysql:\/\/([^:/]+):(\d+)\/([A-Za-z0-9_]+)\?(.*)$/.exec(url);
  if (!m) throw new Error(`not a Connector/J MySQL URL: ${url}`);
  const params = new Map(m[4].split('&').map((p) => p.split('=', 2) as [string, string]));
  const args: string[] = [];
  for (const [k, v] of params) {
    if (k === 'autoReconnect') continue;
    else if (k === 'useSSL' && v === 'true') args.push('--ssl');
    else if (k === 'requireSSL' && v === 'true') continue;
    else if (k === 'verifyServerCertificate') args.push(v === 'true' ? '--ssl-verify-server-cert' : '--disable-ssl-verify-server-cert');
    else if (k === 'enabledTLSProtocols') args.push(`--tls-version=${v}`);
    else if (k === 'trustCertificateKeyStoreUrl' && v.startsWith('file:')) continue;
    else if (k === 'trustCertificateKeyStoreType' && v === 'JKS') continue;
    else if (k === 'trustCertificateKeyStorePassword') continue;
    else throw new Error(`the mirror does not know ${k}=${v}`);
  }
  // The truststore: Carbon's JVM truststore (IS) or the one the URL names (analytics) holds
  // `trusted`; Connector/J without verification consults no truststore at all.
  if (params.get('verifyServerCertificate') === 'true') args.push(`--ssl-ca=${trustedCaFile}`);
  return { host: m[1], port: m[2], database: m[3], args };
}

function connect(url: string, trustedCaFile: string): Promise<{ ok: boolean; out: string }> {
  const c = mirror(url, trustedCaFile);
  const argv = ['--no-defaults', '--protocol=TCP', `--host=${c.host}`, `--port=${c.port}`, `--user=${APP.user}`, `--database=${c.database}`, '--batch', '--skip-column-names', ...c.args,
    '-e', "SHOW SESSION STATUS LIKE 'Ssl_version'"];
  return new Promise((resolve) => {
    execFile(MARIADB_CLIENT, argv, { env: { ...process.env, MYSQL_PWD: APP.password } }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}` }));
  });
}

const urls = () => {
  const t = testTopology({ dbHost: '127.0.0.1', dbPort: db.port });
  return { is: jdbcUrl(t, 'WSO2_IDENTITY_DB', 'is'), analytics: jdbcUrl(t, 'WSO2_IDENTITY_DB', 'analytics') };
};

test.each(['is', 'analytics'] as const)('%s URL: connects over TLS 1.2 when its truststore holds the server\'s CA', async (role) => {
  const r = await connect(urls()[role], tls.caFile);
  expect(r.out).toBe('Ssl_version\tTLSv1.2\n');
  expect(r.ok).toBe(true);
});

test.each(['is', 'analytics'] as const)('%s URL: refused when its truststore holds another CA', async (role) => {
  const r = await connect(urls()[role], tls.otherCaFile);
  expect(r.ok).toBe(false);
  expect(r.out).toMatch(/certificate verify failed|self[- ]signed|unable to get (local )?issuer/i);
});

test('the old URL (verifyServerCertificate=false) would have talked to a server of any CA: what the verifying URL prevents', async () => {
  const old = urls().is.replace('verifyServerCertificate=true', 'verifyServerCertificate=false');
  expect((await connect(old, tls.otherCaFile)).ok).toBe(true);
});
