/**
 * A throwaway MariaDB (helpers/mariadb.ts) serving TLS on a certificate for 127.0.0.1/localhost
 * issued by a test CA, plus a second, unrelated CA: what the db-init tests verify the server with
 * (`caFile`) and what must make them fail (`otherCaFile`). The material is made once per machine
 * and kept (see `material`); each server gets its own copy.
 */
import * as crypto from 'crypto';
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
  /** Stops the server and removes its copy of the key material. */
  stop(): Promise<void>;
}

/**
 * What the material is made of; its digest, with the sources of the code that makes it (this file
 * and keymaterial.ts), names the kept copy, so a change to either makes a new one.
 */
const MATERIAL_SPEC = JSON.stringify({ ca: ['db-ca', 'Test Database CA'], other: ['other-ca', 'Some Other CA'], leaf: { cn: 'mysql.test', type: 'rsa', form: 'pkcs8', sans: ['IP:127.0.0.1', 'DNS:localhost'], serial: 7 } });
const MATERIAL_FILES = ['db-ca.pem', 'other-ca.pem', 'server.cert.pem', 'server.key.pem'];

/** True when `dir` holds the material with a server certificate valid for at least another day. */
function materialReady(dir: string): boolean {
  if (!MATERIAL_FILES.every((f) => fs.existsSync(path.join(dir, f)))) return false;
  const cert = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'server.cert.pem')));
  return Date.parse(cert.validTo) > Date.now() + 86400000;
}

/**
 * The test CA, the other CA and the server's key and certificate, made once per machine with the
 * real openssl (three RSA 2048 keys: most of a server start's CPU) and kept in the temp directory,
 * as the MariaDB template datadir is; made under a private name and renamed into place, so racing
 * workers never see half of it.
 */
function material(): string {
  const hash = crypto.createHash('sha256').update(MATERIAL_SPEC);
  for (const source of [__filename, path.join(__dirname, 'keymaterial.ts')]) hash.update('\0').update(fs.readFileSync(source));
  const key = hash.digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `pattern2-tls-mariadb-${key}`);
  if (materialReady(dir)) return dir;
  const making = `${dir}.making-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.mkdirSync(making);
  try {
    const spec = JSON.parse(MATERIAL_SPEC) as { ca: [string, string]; other: [string, string]; leaf: Parameters<typeof makeLeaf>[3] };
    const ca = makeCa(making, ...spec.ca);
    makeCa(making, ...spec.other);
    const leaf = makeLeaf(making, ca, 'server', spec.leaf);
    fs.writeFileSync(path.join(making, 'server.key.pem'), leaf.keyPem, { mode: 0o600 });
    fs.writeFileSync(path.join(making, 'server.cert.pem'), leaf.certPem);
    // An expired copy (a temp directory kept for years) is replaced.
    if (fs.existsSync(dir) && !materialReady(dir)) fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(making, dir);
  } catch (e) {
    // Another worker's copy landed first: theirs is as good.
    if (!materialReady(dir)) throw e;
  } finally {
    fs.rmSync(making, { recursive: true, force: true });
  }
  return dir;
}

/**
 * The kept test CA's certificate and the server's key (RSA 2048, PKCS#8) and certificate it issued:
 * for a test that needs some CA and a leaf of it, without making keys of its own (openssl) per run.
 */
export function keptCaAndLeaf(): { caPem: string; leaf: { keyPem: string; certPem: string } } {
  const dir = material();
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { caPem: read('db-ca.pem'), leaf: { keyPem: read('server.key.pem'), certPem: read('server.cert.pem') } };
}

/**
 * @param opts rootPassword for the server; requireTls: refuse plain-text connections (as our in-cluster MySQL)
 */
export async function startTlsMariaDb(opts: { rootPassword?: string; requireTls?: boolean } = {}): Promise<TlsMariaDb> {
  // This server's own copy of the kept material (the key file 0600, as the server wants it).
  const kept = material();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-mariadb-'));
  for (const f of MATERIAL_FILES) fs.copyFileSync(path.join(kept, f), path.join(dir, f));
  fs.chmodSync(path.join(dir, 'server.key.pem'), 0o600);
  const ca = { certFile: path.join(dir, 'db-ca.pem') };
  const other = { certFile: path.join(dir, 'other-ca.pem') };
  try {
    const db = await startMariaDb({
      rootPassword: opts.rootPassword,
      serverArgs: [
        `--ssl-ca=${ca.certFile}`,
        `--ssl-cert=${path.join(dir, 'server.cert.pem')}`,
        `--ssl-key=${path.join(dir, 'server.key.pem')}`,
        ...(opts.requireTls ? ['--require-secure-transport=ON'] : []),
      ],
      // queryAs verifies the server against the test CA (a client without a CA file would load
      // the system's CA store on every start).
      tcpClientArgs: ['--ssl', `--ssl-ca=${ca.certFile}`, '--ssl-verify-server-cert'],
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
