/**
 * The nginx `resolver` variant (node names re-resolved at run time) and the Kubernetes nginx
 * start script that fills in the pod's DNS server, run for real: the script with `sh` against a
 * fake resolv.conf, its output through the REAL nginx (`nginx -t`).
 *
 * `server ... resolve` in an upstream exists in open-source nginx since 1.27.3. When the local
 * nginx is at least that, the whole rendered file must pass `nginx -t`. When it is older (Debian
 * bookworm ships 1.22.1), nginx must reject exactly the first `resolve` parameter and nothing
 * before it, and the same file with only the `resolve` parameters removed (resolver, zones and all
 * else kept) must pass: every directive but `resolve` is checked by the real nginx either way.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_PORTS, NodeId, Topology } from '../topology';
import { NGINX_MIN_VERSION_RESOLVE, NGINX_UPSTREAMS, NginxDirective, NginxOptions, printNginx, renderNginxConf } from '../config-templates/nginx';
import { NAMESERVER_PLACEHOLDER, NGINX_PATHS } from '../components/kubernetes/paths';
import { nginxStartScript } from '../components/kubernetes/scripts';
import { testTopology } from './helpers/topology';
import { rsaKey } from './helpers/keymaterial';

const NGINX = '/usr/sbin/nginx';

function topology(addresses: Record<NodeId, string>): Topology {
  return testTopology({ hostname: 'is.pattern2.test', mgtHostname: 'mgt.is.pattern2.test', dashboardHostname: 'analytics.is.pattern2.test', addresses, dbHost: 'db.internal' });
}
const POD_NAMES: Record<NodeId, string> = {
  'is-1': 'wso2is-0.wso2is-nodes.ns.svc.cluster.local',
  'is-2': 'wso2is-1.wso2is-nodes.ns.svc.cluster.local',
  'analytics-1': 'wso2is-analytics-0.wso2is-analytics-nodes.ns.svc.cluster.local',
  'analytics-2': 'wso2is-analytics-1.wso2is-analytics-nodes.ns.svc.cluster.local',
};
// nginx -t resolves names without `resolve` at start; loopback keeps the test off the network.
const LOOPBACK: Record<NodeId, string> = { 'is-1': '127.0.0.1', 'is-2': '127.0.0.1', 'analytics-1': '127.0.0.1', 'analytics-2': '127.0.0.1' };

const ADMIN = { adminCidrs: ['203.0.113.0/24'], privateCidrs: ['10.0.0.0/8'] };
let dir = '';
let opts: NginxOptions;

beforeAll(() => {
  expect(fs.existsSync(NGINX)).toBe(true);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-resolver-'));
  fs.mkdirSync(path.join(dir, 'tmp'));
  // The RSA key from the test pool (tests/helpers/keymaterial.ts).
  execFileSync('openssl', ['req', '-x509', ...rsaKey(dir, path.join(dir, 'front.key')), '-days', '1', '-subj', '/CN=is.pattern2.test',
    '-out', path.join(dir, 'front.crt')], { stdio: 'pipe' });
  opts = { certificateFile: path.join(dir, 'front.crt'), certificateKeyFile: path.join(dir, 'front.key'), listenAddress: '127.0.0.1', httpPort: 18080, httpsPort: 18443, adminAccess: ADMIN };
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** `upstream <name> { ... }` bodies by name. */
function upstreams(conf: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of conf.matchAll(/^upstream (\S+) \{\n([\s\S]*?)^\}/gm)) out[m[1]] = m[2];
  return out;
}

describe('resolver option (pure)', () => {
  const t = topology(POD_NAMES);
  const base: NginxOptions = { certificateFile: '/c.pem', certificateKeyFile: '/k.pem', adminAccess: ADMIN };

  it('emits a resolver, and a zone plus `resolve` on every server of every upstream', () => {
    const conf = renderNginxConf(t, { ...base, resolver: { address: '10.96.0.10', valid: '10s', timeout: '5s' } });
    expect(conf).toMatch(/^resolver 10\.96\.0\.10 valid=10s;$/m);
    expect(conf).toMatch(/^resolver_timeout 5s;$/m);
    const ups = upstreams(conf);
    expect(Object.keys(ups).sort()).toEqual(Object.values(NGINX_UPSTREAMS).sort());
    for (const [name, body] of Object.entries(ups)) {
      expect(body).toContain(`    zone ${name} 64k;\n`);
      const servers = body.split('\n').filter((l) => l.trim().startsWith('server '));
      expect(servers.length).toBeGreaterThan(0);
      for (const s of servers) expect(s).toMatch(/ resolve;$/);
    }
    // Still the model's node names, not addresses looked up at render time.
    expect(ups[NGINX_UPSTREAMS.isHttps]).toContain(`server ${POD_NAMES['is-1']}:${DEFAULT_PORTS.isHttps} `);
    expect(ups[NGINX_UPSTREAMS.mgt]).not.toContain(POD_NAMES['is-2']);
  });

  it('emits none of it without the option, and refuses a resolver that is not one address', () => {
    const conf = renderNginxConf(t, base);
    expect(conf).not.toMatch(/resolver|\bzone\b|\bresolve\b/);
    expect(() => renderNginxConf(t, { ...base, resolver: { address: '10.0.0.1 10.0.0.2' } })).toThrow(/one address/);
  });
});

// ---------------------------------------------------------------------------------------------
// Real nginx

function nginxVersion(): string {
  const r = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  const m = /nginx\/(\d+\.\d+\.\d+)/.exec(r.stderr + r.stdout);
  if (!m) throw new Error(`cannot read the nginx version: ${r.stderr}`);
  return m[1];
}
function atLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** A whole nginx.conf around the site; everything nginx writes stays in the temp dir. */
function wrapper(include: string): string {
  const tmp = (n: string) => path.join(dir, 'tmp', n);
  const tree: NginxDirective[] = [
    { name: 'pid', args: [path.join(dir, 'nginx.pid')] },
    { name: 'error_log', args: [path.join(dir, 'error.log')] },
    { name: 'events', block: [{ name: 'worker_connections', args: [64] }] },
    {
      name: 'http',
      block: [
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => ({ name: `${k}_temp_path`, args: [tmp(k)] })),
        { name: 'include', args: [include] },
      ],
    },
  ];
  return printNginx(tree);
}

/** `nginx -t` on a site file; returns status and nginx's own words. */
function nginxTest(site: string, name: string): { status: number | null; out: string; file: string } {
  const file = path.join(dir, `${name}.conf`);
  fs.writeFileSync(file, site);
  const main = path.join(dir, `${name}-nginx.conf`);
  fs.writeFileSync(main, wrapper(file));
  const r = spawnSync(NGINX, ['-t', '-e', path.join(dir, 'error.log'), '-p', dir, '-c', main], { encoding: 'utf8' });
  return { status: r.status, out: r.stderr + r.stdout, file };
}

/** Checks a site rendered with a resolver the way the local nginx version allows (see header). */
function expectNginxAccepts(site: string, name: string): void {
  const serverLines = site.split('\n').filter((l) => /^\s+server \S+ .* resolve;$/.test(l)).length;
  expect(serverLines).toBe(5); // 2 IS HTTPS, 1 mgt, 2 dashboard (no IS HTTP: HTTPS only)
  const full = nginxTest(site, name);
  if (atLeast(nginxVersion(), NGINX_MIN_VERSION_RESOLVE)) {
    expect([full.status, full.out]).toEqual([0, expect.stringContaining('test is successful')]);
    return;
  }
  const firstResolve = site.split('\n').findIndex((l) => / resolve;$/.test(l)) + 1;
  expect(full.status).not.toBe(0);
  expect(full.out).toContain(`invalid parameter "resolve" in ${full.file}:${firstResolve}`);
  const stripped = site.replace(/ resolve;$/gm, ';');
  expect(stripped.split('\n').filter((l) => / resolve;$/.test(l))).toEqual([]);
  const rest = nginxTest(stripped, `${name}-without-resolve`);
  expect([rest.status, rest.out]).toEqual([0, expect.stringContaining('test is successful')]);
}

describe('resolver variant through the real nginx', () => {
  it(`passes nginx -t (whole file on nginx >= ${NGINX_MIN_VERSION_RESOLVE}; else all but the resolve parameter)`, () => {
    const site = renderNginxConf(topology(LOOPBACK), { ...opts, resolver: { address: '127.0.0.1', valid: '10s', timeout: '5s' } });
    expectNginxAccepts(site, 'resolver');
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes nginx start script

describe('nginx start script (Kubernetes)', () => {
  /** Runs the script with the pod paths swapped for temp paths and a stand-in `nginx` on PATH. */
  function runStart(resolvConf: string, template: string): { status: number | null; out: string; conf?: string; nginxArgs?: string } {
    const d = fs.mkdtempSync(path.join(dir, 'start-'));
    const paths = { template: path.join(d, 'template.conf'), conf: path.join(d, 'default.conf'), resolvConf: path.join(d, 'resolv.conf') };
    fs.writeFileSync(paths.template, template);
    fs.writeFileSync(paths.resolvConf, resolvConf);
    fs.mkdirSync(path.join(d, 'bin'));
    fs.writeFileSync(path.join(d, 'bin', 'nginx'), `#!/bin/sh\nprintf '%s|' "$@" > ${JSON.stringify(path.join(d, 'nginx-args'))}\n`, { mode: 0o755 });
    let script = nginxStartScript();
    for (const k of Object.keys(paths) as (keyof typeof paths)[]) script = script.split(NGINX_PATHS[k]).join(paths[k]);
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${path.join(d, 'bin')}:${process.env.PATH}` } });
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
    return { status: r.status, out: r.stdout + r.stderr, conf: read(paths.conf), nginxArgs: read(path.join(d, 'nginx-args')) };
  }

  const template = () => renderNginxConf(topology(LOOPBACK), { ...opts, resolver: { address: NAMESERVER_PLACEHOLDER, valid: '10s' } });
  // What the kubelet writes for a ClusterFirst pod.
  const KUBELET_RESOLV = 'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\nnameserver 10.96.0.11\noptions ndots:5\n';

  it('puts the first nameserver of resolv.conf in as the resolver and execs nginx in the foreground', () => {
    const r = runStart(KUBELET_RESOLV, template());
    expect(r.status).toBe(0);
    expect(r.nginxArgs).toBe('-g|daemon off;|');
    expect(r.conf).toMatch(/^resolver 10\.96\.0\.10 valid=10s;$/m);
    expect(r.conf).not.toContain(NAMESERVER_PLACEHOLDER);
    // Nothing else changed.
    expect(r.conf).toBe(template().split(NAMESERVER_PLACEHOLDER).join('10.96.0.10'));
    expectNginxAccepts(r.conf!, 'from-start-script');
  });

  it('brackets an IPv6 nameserver, as nginx wants it', () => {
    const r = runStart('nameserver fd00:10:96::a\n', template());
    expect(r.status).toBe(0);
    expect(r.conf).toMatch(/^resolver \[fd00:10:96::a\] valid=10s;$/m);
    const check = nginxTest(r.conf!.replace(/ resolve;$/gm, ';'), 'ipv6-resolver');
    expect([check.status, check.out]).toEqual([0, expect.stringContaining('test is successful')]);
  });

  it('refuses to start nginx without a usable nameserver', () => {
    for (const resolv of ['search cluster.local\n', 'nameserver fe80::1%2\n', 'nameserver 10.0.0.1/8\n', 'nameserver 10.0.0.1&\n']) {
      const r = runStart(resolv, template());
      expect([resolv, r.status]).toEqual([resolv, 1]);
      expect(r.nginxArgs).toBeUndefined();
      expect(r.out).toMatch(/nginx: (no nameserver|nameserver is not an IP address)/);
    }
  });

  it('passes shellcheck', () => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', '-'], { input: nginxStartScript(), encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([0, '']);
  });
});
