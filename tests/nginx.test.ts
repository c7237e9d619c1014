/**
 * The nginx front end, rendered from the model and run by the REAL nginx (/usr/sbin/nginx):
 * `nginx -t` accepts it, and a live nginx on 127.0.0.1 in front of stand-in IS nodes (Node
 * HTTPS/HTTP servers on free loopback ports) terminates TLS, keeps a client on one node,
 * fails over without a failed request, forwards the X-Forwarded-* headers and sends the
 * management hostname to is-1 only.
 */
import { execFileSync, spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { NodeId, Topology } from '../topology';
import { NginxDirective, NginxOptions, nginxArg, printNginx, renderNginxConf } from '../config-templates/nginx';
import { testTopology } from './helpers/topology';

const NGINX = '/usr/sbin/nginx';
const HOST = 'is.pattern2.test';
const MGT = 'mgt.is.pattern2.test';
const DASH = 'analytics.is.pattern2.test';

function topology(addresses: Record<NodeId, string>): Topology {
  return testTopology({ hostname: HOST, mgtHostname: MGT, dashboardHostname: DASH, addresses, dbHost: 'db.internal' });
}
const LOOPBACK_NODES: Record<NodeId, string> = {
  'is-1': '127.0.0.1',
  'is-2': '127.0.0.1',
  'analytics-1': '127.0.0.1',
  'analytics-2': '127.0.0.1',
};

describe('nginx renderer (pure)', () => {
  const t = topology({ 'is-1': '10.0.1.10', 'is-2': '10.0.2.10', 'analytics-1': '10.0.1.20', 'analytics-2': '10.0.2.20' });
  const opts: NginxOptions = { certificateFile: '/etc/nginx/ssl/tls.crt', certificateKeyFile: '/etc/nginx/ssl/tls.key' };

  it('is deterministic', () => {
    const again = topology({ 'is-1': '10.0.1.10', 'is-2': '10.0.2.10', 'analytics-1': '10.0.1.20', 'analytics-2': '10.0.2.20' });
    expect(renderNginxConf(t, opts)).toBe(renderNginxConf(again, { ...opts }));
  });

  it('takes node addresses and ports from the model; the mgt upstream has is-1 only', () => {
    const conf = renderNginxConf(t, opts);
    const block = (name: string) => conf.match(new RegExp(`upstream ${name} \\{([^}]*)\\}`))![1];
    expect(block('wso2_is_https')).toMatch(/ip_hash;[\s\S]*server 10\.0\.1\.10:9443 [^;]*;\s*server 10\.0\.2\.10:9443 /);
    expect(block('wso2_is_http')).toMatch(/server 10\.0\.1\.10:9763 [\s\S]*server 10\.0\.2\.10:9763 /);
    expect(block('wso2_is_mgt').match(/server /g)).toHaveLength(1);
    expect(block('wso2_is_mgt')).toContain('server 10.0.1.10:9443 ');
    expect(block('wso2_analytics_dashboard')).toMatch(/ip_hash;[\s\S]*10\.0\.1\.20:9643[\s\S]*10\.0\.2\.20:9643/);
    const custom = renderNginxConf(topology(LOOPBACK_NODES), { ...opts, httpsPort: 8443, dashboard: false });
    expect(custom).toContain('listen 8443 ssl;');
    expect(custom).not.toContain('wso2_analytics_dashboard');
  });

  it('quotes arguments nginx would split and rejects line breaks', () => {
    expect(nginxArg('/a b/c.pem')).toBe("'/a b/c.pem'");
    expect(nginxArg("it's;")).toBe("'it\\'s;'");
    expect(nginxArg('')).toBe("''");
    expect(nginxArg('$http_upgrade')).toBe('$http_upgrade');
    expect(() => nginxArg('a\nb')).toThrow(/line break/);
    const tree: NginxDirective[] = [{ name: 'server', block: [{ name: 'listen', args: [80] }] }];
    expect(printNginx(tree)).toBe('server {\n    listen 80;\n}\n');
    expect(() => printNginx([{ name: 'bad name' }])).toThrow(/directive name/);
  });
});

// ---------------------------------------------------------------------------------------------
// Live nginx

interface Backend {
  node: string;
  port: number;
  server: http.Server | https.Server;
}
interface Reply {
  status: number;
  body: { node: string; scheme: string; headers: Record<string, string> } | null;
  peerCN?: string;
}

let dir = '';
let nginx: ChildProcess | undefined;
let nginxStderr = '';
const backends: Backend[] = [];
let frontCert = '';
let httpPort = 0;
let httpsPort = 0;
let confText = '';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function startBackend(node: string, scheme: 'http' | 'https', tls?: { key: Buffer; cert: Buffer }): Promise<Backend> {
  const handler: http.RequestListener = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ node, scheme, headers: req.headers }));
  };
  const server = scheme === 'https' ? https.createServer({ key: tls!.key, cert: tls!.cert }, handler) : http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const b = { node, port: (server.address() as net.AddressInfo).port, server };
      backends.push(b);
      resolve(b);
    });
  });
}

function stopBackend(b: Backend): Promise<void> {
  return new Promise((resolve) => {
    if (!b.server.listening) return resolve();
    b.server.close(() => resolve());
    b.server.closeAllConnections();
  });
}

function request(scheme: 'http' | 'https', host: string, localAddress = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: '127.0.0.1',
      port: scheme === 'https' ? httpsPort : httpPort,
      path: '/oauth2/token',
      headers: { Host: host },
      agent: false as const,
      localAddress,
      timeout: 5000,
    };
    const onRes = (res: http.IncomingMessage) => {
      let data = '';
      const peerCN =
        scheme === 'https' ? ((res.socket as import('tls').TLSSocket).getPeerCertificate().subject?.CN as string | undefined) : undefined;
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => {
        let body: Reply['body'] = null;
        try {
          body = JSON.parse(data);
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, body, peerCN });
      });
    };
    // TLS to nginx with SNI = the requested hostname, trusting only the front-end certificate.
    const req =
      scheme === 'https'
        ? https.request({ ...common, servername: host, ca: frontCert }, onRes)
        : http.request(common, onRes);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (nginx?.exitCode !== null && nginx?.exitCode !== undefined) throw new Error(`nginx exited: ${nginxStderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${nginxStderr}`);
}

/** A whole nginx.conf for the test: everything nginx writes stays in the temp dir. */
function wrapperConf(include: string): string {
  const tmp = (n: string) => path.join(dir, 'tmp', n);
  const tree: NginxDirective[] = [
    // The master must not switch to an unprivileged user that cannot use the 0700 temp dir.
    ...(process.getuid?.() === 0 ? [{ name: 'user', args: ['root'] }] : []),
    { name: 'worker_processes', args: [1] },
    { name: 'pid', args: [path.join(dir, 'nginx.pid')] },
    { name: 'error_log', args: [path.join(dir, 'error.log'), 'info'] },
    { name: 'events', block: [{ name: 'worker_connections', args: [128] }] },
    {
      name: 'http',
      block: [
        { name: 'access_log', args: ['off'] },
        { name: 'client_body_temp_path', args: [tmp('body')] },
        { name: 'proxy_temp_path', args: [tmp('proxy')] },
        { name: 'fastcgi_temp_path', args: [tmp('fastcgi')] },
        { name: 'uwsgi_temp_path', args: [tmp('uwsgi')] },
        { name: 'scgi_temp_path', args: [tmp('scgi')] },
        { name: 'include', args: [include] },
      ],
    },
  ];
  return printNginx(tree);
}

describe('nginx front end (real nginx on 127.0.0.1)', () => {
  let is1: Backend;
  let is2: Backend;

  beforeAll(async () => {
    expect(fs.existsSync(NGINX)).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-test-'));
    fs.mkdirSync(path.join(dir, 'tmp'));
    // The front-end certificate covers all three public names; the nodes have their own.
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${HOST}`,
      '-addext', `subjectAltName=DNS:${HOST},DNS:${MGT},DNS:${DASH}`,
      '-keyout', path.join(dir, 'front.key'), '-out', path.join(dir, 'front.crt')]);
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=stock-node-cert',
      '-keyout', path.join(dir, 'node.key'), '-out', path.join(dir, 'node.crt')]);
    frontCert = fs.readFileSync(path.join(dir, 'front.crt'), 'utf8');
    const nodeTls = { key: fs.readFileSync(path.join(dir, 'node.key')), cert: fs.readFileSync(path.join(dir, 'node.crt')) };

    is1 = await startBackend('is-1', 'https', nodeTls);
    is2 = await startBackend('is-2', 'https', nodeTls);
    const is1Http = await startBackend('is-1', 'http');
    const is2Http = await startBackend('is-2', 'http');
    const a1 = await startBackend('analytics-1', 'https', nodeTls);
    const a2 = await startBackend('analytics-2', 'https', nodeTls);
    httpPort = await freePort();
    httpsPort = await freePort();

    confText = renderNginxConf(topology(LOOPBACK_NODES), {
      httpPort,
      httpsPort,
      listenAddress: '127.0.0.1',
      certificateFile: path.join(dir, 'front.crt'),
      certificateKeyFile: path.join(dir, 'front.key'),
      nodePorts: {
        'is-1': { https: is1.port, http: is1Http.port },
        'is-2': { https: is2.port, http: is2Http.port },
        'analytics-1': { dashboard: a1.port },
        'analytics-2': { dashboard: a2.port },
      },
    });
    fs.writeFileSync(path.join(dir, 'wso2-is.conf'), confText);
    fs.writeFileSync(path.join(dir, 'nginx.conf'), wrapperConf(path.join(dir, 'wso2-is.conf')));

    nginx = spawn(NGINX, ['-e', path.join(dir, 'error.log'), '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    nginx.stderr!.on('data', (c) => (nginxStderr += c));
    await waitForPort(httpsPort);
    await waitForPort(httpPort);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    await Promise.all(backends.map(stopBackend));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes nginx -t', () => {
    const out = execFileSync(NGINX, ['-t', '-e', path.join(dir, 'error.log'), '-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      stdio: 'pipe',
    });
    void out;
  });

  it('terminates TLS with the front-end certificate and forwards the X-Forwarded-* headers', async () => {
    const r = await request('https', HOST);
    expect(r.status).toBe(200);
    expect(r.peerCN).toBe(HOST);
    expect(r.body!.scheme).toBe('https');
    const h = r.body!.headers;
    expect(h['host']).toBe(HOST);
    expect(h['x-forwarded-host']).toBe(HOST);
    expect(h['x-forwarded-server']).toBe(HOST);
    expect(h['x-forwarded-proto']).toBe('https');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['connection']).toBe('close');
  });

  it('keeps a client on one node (ip_hash)', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push((await request('https', HOST)).body!.node);
    expect(new Set(seen).size).toBe(1);
    expect(['is-1', 'is-2']).toContain(seen[0]);
  });

  it('sends the management hostname to is-1 only, whatever node the client sticks to', async () => {
    // Find a loopback source /24 that ip_hash maps to is-2 (bounded search), then show that
    // the management hostname still goes to is-1 from there.
    let is2Source: string | undefined;
    for (let i = 1; i <= 16 && !is2Source; i++) {
      const src = `127.0.${i}.1`;
      if ((await request('https', HOST, src)).body!.node === 'is-2') is2Source = src;
    }
    expect(is2Source).toBeDefined();
    for (const src of ['127.0.0.1', is2Source!]) {
      for (let i = 0; i < 4; i++) {
        const r = await request('https', MGT, src);
        expect(r.status).toBe(200);
        expect(r.peerCN).toBe(HOST); // same certificate, SAN covers the mgt name
        expect(r.body!.node).toBe('is-1');
        expect(r.body!.headers['x-forwarded-host']).toBe(MGT);
      }
    }
  });

  it('proxies plain HTTP to the HTTP upstream', async () => {
    const r = await request('http', HOST);
    expect(r.status).toBe(200);
    expect(r.body!.scheme).toBe('http');
    expect(['is-1', 'is-2']).toContain(r.body!.node);
    expect(r.body!.headers['x-forwarded-proto']).toBe('http');
    expect(r.body!.headers['host']).toBe(HOST);
  });

  it('sends the dashboard hostname to the analytics nodes', async () => {
    const r = await request('https', DASH);
    expect(r.status).toBe(200);
    expect(['analytics-1', 'analytics-2']).toContain(r.body!.node);
  });

  it('fails over to the other node with no failed request when the sticky node stops', async () => {
    const first = await request('https', HOST);
    const sticky = first.body!.node === 'is-1' ? is1 : is2;
    const other = sticky === is1 ? 'is-2' : 'is-1';
    const results: Reply[] = [];
    for (let i = 0; i < 12; i++) {
      if (i === 4) await stopBackend(sticky);
      results.push(await request('https', HOST));
    }
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(results.slice(0, 4).map((r) => r.body!.node)).toEqual(Array(4).fill(sticky.node));
    expect(results.slice(4).map((r) => r.body!.node)).toEqual(Array(8).fill(other));
    // With is-1 down the management hostname must not fall back to is-2.
    await stopBackend(is1);
    expect((await request('https', HOST)).body!.node).toBe('is-2');
    expect((await request('https', MGT)).status).toBe(502);
  });
});
