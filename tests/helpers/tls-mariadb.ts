/**
 * A throwaway MariaDB (helpers/mariadb.ts) serving TLS on a certificate for 127.0.0.1/localhost
 * issued by a test CA, plus a second, unrelated CA: what the db-init tests verify the server with
 * (`caFile`) and what must make them fail (`otherCaFile`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MariaDb, startMariaDb } from './mariadb';
import { makeCa, makeLeaf } from './keymaterial';

export interface TlsMariaDb {
  db: MariaDb;
  /** PEM of the CA that issued the server's certificate. */
  caFile: string;
  /** PEM of a CA that issued nothing the server presents. */
  otherCaFile: string;
  /** Stops the server and removes the key material. */
  stop(): Promise<void>;
}

/**
 * @param opts rootPassword for the server; requireTls: refuse plain-text connections (as our in-cluster MySQL)
 */
export async function startTlsMariaDb(opts: { rootPassword?: string; requireTls?: boolean } = {}): Promise<TlsMariaDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-mariadb-'));
  const ca = makeCa(dir, 'db-ca', 'Test Database CA');
  const other = makeCa(dir, 'other-ca', 'Some Other CA');
  const leaf = makeLeaf(dir, ca, 'server', { cn: 'mysql.test', type: 'rsa', form: 'pkcs8', sans: ['IP:127.0.0.1', 'DNS:localhost'], serial: 7 });
  fs.writeFileSync(path.join(dir, 'server.key.pem'), leaf.keyPem, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'server.cert.pem'), leaf.certPem);
  try {
    const db = await startMariaDb({
      rootPassword: opts.rootPassword,
      serverArgs: [
        `--ssl-ca=${ca.certFile}`,
        `--ssl-cert=${path.join(dir, 'server.cert.pem')}`,
        `--ssl-key=${path.join(dir, 'server.key.pem')}`,
        ...(opts.requireTls ? ['--require-secure-transport=ON'] : []),
      ],
    });
    return {
      db,
      caFile: ca.certFile,
      otherCaFile: other.certFile,
      stop: async () => {
        await db.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
