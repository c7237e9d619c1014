/**
 * The nginx front end, rendered from the model and run by the REAL nginx (/usr/sbin/nginx):
 * `nginx -t` accepts it, and a live nginx on 127.0.0.1 in front of stand-in IS nodes (Node
 * HTTPS/HTTP servers on free loopback ports) terminates TLS, keeps a client on one node,
 * fails over without a failed request, forwards the X-Forwarded-* headers and sends the
 * management hostname to is-1 only; the admin surfaces answer only the admin CIDRs (the client
 * binds 127.0.0.1, outside them, or 127.0.0.2, inside), application paths answer everyone, and
 * plain HTTP only redirects to HTTPS.
 */
import { execFileSync, spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { NodeId, Topology } from '../topology';
import { NGINX_ADMIN_PATH_REGEX, NginxDirective, NginxOptions, adminAccessDirectives, nginxArg, printNginx, renderNginxConf } from '../config-templates/nginx';
import { testTopology } from './helpers/topology';
import { ConfigError, parseStackConfig } from '../config';
import { privateNetworkCidrs } from '../components/kubernetes/frontend';
import { rsaKey } from './helpers/keymaterial';

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
  const opts: NginxOptions = {
    certificateFile: '/etc/nginx/ssl/tls.crt',
    certificateKeyFile: '/etc/nginx/ssl/tls.key',
    adminAccess: { adminCidrs: ['203.0.113.0/24'], privateCidrs: ['10.40.0.0/16', '127.0.0.1/32'] },
  };

  it('is deterministic', () => {
    const again = topology({ 'is-1': '10.0.1.10', 'is-2': '10.0.2.10', 'analytics-1': '10.0.1.20', 'analytics-2': '10.0.2.20' });
    expect(renderNginxConf(t, opts)).toBe(renderNginxConf(again, { ...opts }));
  });

  it('takes node addresses and ports from the model; the mgt upstream has is-1 only', () => {
    const conf = renderNginxConf(t, opts);
    const block = (name: string) => conf.match(new RegExp(`upstream ${name} \\{([^}]*)\\}`))![1];
    expect(block('wso2_is_https')).toMatch(/ip_hash;[\s\S]*server 10\.0\.1\.10:9443 [^;]*;\s*server 10\.0\.2\.10:9443 /);
    // HTTPS only: nothing is proxied to IS's HTTP connector.
    expect(conf).not.toContain('9763');
    expect(conf).not.toContain('upstream wso2_is_http ');
    expect(block('wso2_is_mgt').match(/server /g)).toHaveLength(1);
    expect(block('wso2_is_mgt')).toContain('server 10.0.1.10:9443 ');
    expect(block('wso2_analytics_dashboard')).toMatch(/ip_hash;[\s\S]*10\.0\.1\.20:9643[\s\S]*10\.0\.2\.20:9643/);
    const custom = renderNginxConf(topology(LOOPBACK_NODES), { ...opts, httpsPort: 8443, dashboard: false });
    expect(custom).toContain('listen 8443 ssl;');
    expect(custom).not.toContain('wso2_analytics_dashboard');
  });

  it('answers port 80 with a redirect only, and closes the admin surfaces to all but the allowed sources', () => {
    const conf = renderNginxConf(t, opts);
    const http = conf.match(/^server \{\n    listen 80;\n([\s\S]*?)^\}/m)![1];
    expect(http.trim().split('\n').map((l) => l.trim())).toEqual([
      `server_name ${HOST} ${MGT} ${DASH};`,
      'return 301 https://$host$request_uri;',
    ]);
    expect(renderNginxConf(t, { ...opts, httpsPort: 8443 })).toContain('return 301 https://$host:8443$request_uri;');
    const rules = 'allow 10.40.0.0/16;\n        allow 127.0.0.1/32;\n        allow 203.0.113.0/24;\n        deny all;';
    const serverOf = (name: string) => conf.match(new RegExp(`^server \\{\\n    listen 443 ssl;\\n    server_name ${name.replace(/\./g, '\\.')};\\n([\\s\\S]*?)^\\}`, 'm'))![1];
    // The management and dashboard hosts as a whole; on the public host the admin location only.
    expect(serverOf(MGT)).toContain(`    ${rules.replace(/\n {8}/g, '\n    ')}`);
    expect(serverOf(DASH)).toContain(`    ${rules.replace(/\n {8}/g, '\n    ')}`);
    const pub = serverOf(HOST);
    expect(pub).toContain(`location ~* '${NGINX_ADMIN_PATH_REGEX}' {`);
    expect(pub.split('location ~*')[0]).not.toMatch(/allow|deny/);
    expect(pub.split('location ~*')[1]).toContain(`        ${rules}`);
    // A duplicate CIDR is listed once; anything but an IPv4 CIDR is refused.
    expect(adminAccessDirectives({ adminCidrs: ['10.0.0.0/8'], privateCidrs: ['10.0.0.0/8'] }).map((d) => d.args)).toEqual([['10.0.0.0/8'], ['all']]);
    for (const bad of ['10.0.0.1', 'all', '10.0.0.0/33', '256.0.0.0/8', '::1/128']) {
      expect(() => renderNginxConf(t, { ...opts, adminAccess: { adminCidrs: [bad], privateCidrs: [] } })).toThrow(/not an IPv4 CIDR/);
    }
  });

  it('matches the admin contexts, tenant forms and Tomcat path tricks, and no application endpoint', () => {
    const re = new RegExp(NGINX_ADMIN_PATH_REGEX, 'i');
    const admin = ['/carbon', '/carbon/', '/carbon/admin/login.jsp', '/services/', '/services/UserAdmin?wsdl', '/CARBON/', '/Services/x',
      '/carbon;jsessionid=1/admin/', '/;x/carbon/', '/a/..;/carbon/', '/t/example.com/carbon/', '/t/example.com/services/RemoteUserStoreManagerService'];
    const app = ['/oauth2/token', '/oauth2/authorize', '/oidc/logout', '/samlsso', '/commonauth', '/authenticationendpoint/login.do',
      '/accountrecoveryendpoint/recoverpassword.do', '/api/identity/recovery/v0.9/recover-password', '/scim2/Users', '/wso2/scim/Users',
      '/dashboard/index.jag', '/.well-known/openid-configuration', '/t/example.com/oauth2/token', '/carbonara', '/my-services/x', '/logincontext'];
    for (const p of admin) expect([p, re.test(p)]).toEqual([p, true]);
    for (const p of app) expect([p, re.test(p)]).toEqual([p, false]);
  });

  it('reads network.adminCidrs (unset: none) and takes the private network from the platform', () => {
    const k8s = { hostname: HOST, platform: 'kubernetes', database: 'in-cluster', sharedStorage: 'nfs' };
    const parse = (network?: object) => parseStackConfig(network ? { ...k8s, network: JSON.stringify(network) } : k8s, 'test').network;
    expect(parse().adminCidrs).toBeUndefined();
    expect(parse({ adminCidrs: ['203.0.113.0/24', '198.51.100.7/32'] }).adminCidrs).toEqual(['203.0.113.0/24', '198.51.100.7/32']);
    for (const bad of [['203.0.113.7'], ['203.0.113.1/24'], [], '203.0.113.0/24']) {
      expect(() => parse({ adminCidrs: bad })).toThrow(ConfigError);
      expect(() => parse({ adminCidrs: bad })).toThrow(/network\.adminCidrs/);
    }
    // EKS: the cluster VPC (VPC CNI pod and node addresses); local: RFC 1918. Both: port-forward.
    expect(privateNetworkCidrs(true, '10.50.0.0/16')).toEqual(['10.50.0.0/16', '127.0.0.1/32']);
    expect(privateNetworkCidrs(false, '10.40.0.0/16')).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.1/32']);
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
  body: { node: string; scheme: string; url: string; headers: Record<string, string> } | null;
  peerCN?: string;
  location?: string;
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
    res.end(JSON.stringify({ node, scheme, url: req.url, headers: req.headers }));
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

/** A client outside the admin CIDRs, and one inside (127/8 is all loopback on Linux). */
const OUTSIDER = '127.0.0.1';
const ADMIN_SOURCE = '127.0.0.2';

function request(scheme: 'http' | 'https', host: string, localAddress = OUTSIDER, reqPath = '/oauth2/token'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: '127.0.0.1',
      port: scheme === 'https' ? httpsPort : httpPort,
      path: reqPath,
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
        resolve({ status: res.statusCode ?? 0, body, peerCN, location: res.headers.location });
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
  let httpBackends: Backend[] = [];
  let httpHits = 0;

  beforeAll(async () => {
    expect(fs.existsSync(NGINX)).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-test-'));
    fs.mkdirSync(path.join(dir, 'tmp'));
    // The front-end certificate covers all three public names; the nodes have their own.
    // RSA keys from the test pool (tests/helpers/keymaterial.ts): two different ones.
    openssl(['req', '-x509', ...rsaKey(dir, path.join(dir, 'front.key')), '-days', '1', '-subj', `/CN=${HOST}`,
      '-addext', `subjectAltName=DNS:${HOST},DNS:${MGT},DNS:${DASH}`, '-out', path.join(dir, 'front.crt')]);
    openssl(['req', '-x509', ...rsaKey(dir, path.join(dir, 'node.key')), '-days', '1', '-subj', '/CN=stock-node-cert',
      '-out', path.join(dir, 'node.crt')]);
    frontCert = fs.readFileSync(path.join(dir, 'front.crt'), 'utf8');
    const nodeTls = { key: fs.readFileSync(path.join(dir, 'node.key')), cert: fs.readFileSync(path.join(dir, 'node.crt')) };

    is1 = await startBackend('is-1', 'https', nodeTls);
    is2 = await startBackend('is-2', 'https', nodeTls);
    // Plain HTTP stand-ins of the nodes' 9763 connector: nginx must never reach them.
    const is1Http = await startBackend('is-1-http', 'http');
    const is2Http = await startBackend('is-2-http', 'http');
    httpBackends = [is1Http, is2Http];
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
      // 127.0.0.2 and, for the ip_hash search below, 127.0.64.0/18; the "private network" is a
      // non-loopback range here, so 127.0.0.1 stands for the internet.
      adminAccess: { adminCidrs: ['127.0.0.2/32', '127.0.64.0/18'], privateCidrs: ['10.0.0.0/8'] },
      nodePorts: {
        'is-1': { https: is1.port },
        'is-2': { https: is2.port },
        'analytics-1': { dashboard: a1.port },
        'analytics-2': { dashboard: a2.port },
      },
    });
    for (const b of httpBackends) b.server.on('request', () => httpHits++);
    // Nothing admits 127.0.0.1 (the outsider): only these three sources are allowed anywhere.
    expect([...new Set(confText.match(/allow \S+;/g))]).toEqual(['allow 10.0.0.0/8;', 'allow 127.0.0.2/32;', 'allow 127.0.64.0/18;']);
    expect(confText).not.toContain(`:${is1Http.port}`);
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
    // Find an admin source /24 that ip_hash maps to is-2 (bounded search), then show that
    // the management hostname still goes to is-1 from there.
    let is2Source: string | undefined;
    for (let i = 64; i < 80 && !is2Source; i++) {
      const src = `127.0.${i}.1`;
      if ((await request('https', HOST, src)).body!.node === 'is-2') is2Source = src;
    }
    expect(is2Source).toBeDefined();
    for (const src of [ADMIN_SOURCE, is2Source!]) {
      for (let i = 0; i < 4; i++) {
        const r = await request('https', MGT, src);
        expect(r.status).toBe(200);
        expect(r.peerCN).toBe(HOST); // same certificate, SAN covers the mgt name
        expect(r.body!.node).toBe('is-1');
        expect(r.body!.headers['x-forwarded-host']).toBe(MGT);
      }
    }
  });

  it('answers the management and dashboard hosts, /carbon and /services only from the admin CIDRs (403 otherwise)', async () => {
    const adminPaths = ['/carbon/', '/carbon/admin/login.jsp', '/services/', '/services/UserAdmin?wsdl', '/carbon', '/CARBON/',
      '//carbon/', '/x/../carbon/', '/%63arbon/', '/carbon;jsessionid=1/admin/', '/;x/carbon/', '/a/..;/carbon/', '/t/example.com/carbon/'];
    for (const p of adminPaths) {
      expect([p, (await request('https', HOST, OUTSIDER, p)).status]).toEqual([p, 403]);
      const inside = await request('https', HOST, ADMIN_SOURCE, p);
      expect([p, inside.status, inside.body!.url]).toEqual([p, 200, p]); // passed on unchanged
      expect(['is-1', 'is-2']).toContain(inside.body!.node);
    }
    for (const p of ['/', '/carbon/']) {
      expect((await request('https', MGT, OUTSIDER, p)).status).toBe(403);
      expect((await request('https', DASH, OUTSIDER, p)).status).toBe(403);
      expect((await request('https', MGT, ADMIN_SOURCE, p)).body!.node).toBe('is-1');
      expect(['analytics-1', 'analytics-2']).toContain((await request('https', DASH, ADMIN_SOURCE, p)).body!.node);
    }
  });

  it('keeps the application endpoints public: they reach the IS nodes from anywhere', async () => {
    const appPaths = ['/oauth2/authorize?response_type=code', '/oauth2/token', '/oauth2/jwks', '/oidc/logout', '/samlsso', '/commonauth',
      '/authenticationendpoint/login.do', '/accountrecoveryendpoint/recoverpassword.do', '/api/identity/recovery/v0.9/claims',
      '/api/identity/user/v1.0/me', '/scim2/Users', '/wso2/scim/Users', '/dashboard/', '/logincontext', '/.well-known/openid-configuration',
      '/t/example.com/oauth2/token', '/t/example.com/samlsso'];
    for (const p of appPaths) {
      const r = await request('https', HOST, OUTSIDER, p);
      expect([p, r.status, r.body!.url]).toEqual([p, 200, p]);
      expect(['is-1', 'is-2']).toContain(r.body!.node);
    }
  });

  it('answers plain HTTP with a redirect to HTTPS only, for every name, never proxying to the HTTP connector', async () => {
    for (const host of [HOST, MGT, DASH]) {
      for (const src of [OUTSIDER, ADMIN_SOURCE]) {
        const r = await request('http', host, src, '/oauth2/token?x=1');
        expect(r.status).toBe(301);
        expect(r.location).toBe(`https://${host}:${httpsPort}/oauth2/token?x=1`);
        expect(r.body).toBeNull();
      }
    }
    expect((await request('http', HOST, OUTSIDER, '/carbon/')).status).toBe(301);
    expect(httpHits).toBe(0);
  });

  it('sends the dashboard hostname to the analytics nodes', async () => {
    const r = await request('https', DASH, ADMIN_SOURCE);
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
    expect((await request('https', MGT, ADMIN_SOURCE)).status).toBe(502);
  });
});
