/**
 * The JVM TLS floor the analytics nodes load (conf/pattern2-java.security, through
 * -Djava.security.properties in the start scripts), against a real JVM: a TLS server on the JVM's
 * default protocols and suites (as the msf4j HTTPS listeners run) refuses TLS 1.1 and CBC suites
 * and completes TLS 1.2 with an ECDHE AES-GCM suite, checked with openssl s_client. Without the
 * file the same server accepts a CBC suite (the check can fail). Runs on this machine's JDK (17);
 * the nodes run Java 8, whose algorithm decomposition has the same names (not run here).
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderJavaSecurity } from '../config-templates/analytics-keystores';
import { probeClasses } from './helpers/java-classes';
import { rsaKey } from './helpers/keymaterial';

let tmp: string;
let classes: string;
const children: ChildProcess[] = [];
/** The ports of the server with our floor and of the same server without it, both started at once. */
let ports: Promise<[number, number]>;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-floor-'));
  // The server's RSA key and self-signed certificate in a PKCS#12 (openssl: no JVM to start for it).
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: 'pipe' });
  // The RSA key from the test pool (tests/helpers/keymaterial.ts).
  openssl(['req', '-x509', ...rsaKey(tmp, path.join(tmp, 'tls.key')), '-out', 'tls.pem', '-days', '2', '-subj', '/CN=localhost']);
  openssl(['pkcs12', '-export', '-in', 'tls.pem', '-inkey', 'tls.key', '-name', 'tls', '-out', 'tls.p12', '-passout', 'pass:test-store-pass']);
  fs.writeFileSync(path.join(tmp, 'java.security'), renderJavaSecurity().content);
  classes = probeClasses(tmp);
  ports = Promise.all([startServer(true), startServer(false)]);
  ports.catch(() => undefined); // awaited by the tests
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Starts the server (with or without our file) and resolves its port. */
function startServer(withFloor: boolean): Promise<number> {
  const args = [...(withFloor ? [`-Djava.security.properties=${path.join(tmp, 'java.security')}`] : []), '-cp', classes, 'TlsFloorServer', path.join(tmp, 'tls.p12'), 'test-store-pass'];
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

/** The protocol and suite openssl agreed, or undefined when the handshake failed. */
function handshake(port: number, ...args: string[]): string | undefined {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], {
    input: '', encoding: 'utf8', timeout: 20_000,
  });
  const m = /New, (TLSv[\d.]+), Cipher is (\S+)/.exec(r.stdout);
  return m && m[2] !== '(NONE)' ? `${m[1]} ${m[2]}` : undefined;
}

test('with our floor: TLS 1.1 and CBC suites refused, TLS 1.2 ECDHE AES-GCM accepted', async () => {
  const port = (await ports)[0];
  expect(handshake(port, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0')).toBeUndefined();
  expect(handshake(port, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256')).toBeUndefined();
  expect(handshake(port, '-tls1_2', '-cipher', 'ECDHE-RSA-AES256-SHA')).toBeUndefined();
  expect(handshake(port, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256')).toBe('TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256');
  expect(handshake(port, '-tls1_2')).toMatch(/^TLSv1\.2 ECDHE-RSA-AES(128|256)-GCM-SHA(256|384)$/);
}, 60_000);

test('without it the same server accepts a CBC suite (the check can fail)', async () => {
  const port = (await ports)[1];
  expect(handshake(port, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256')).toBe('TLSv1.2 ECDHE-RSA-AES128-SHA256');
}, 60_000);
