/**
 * The nginx front end of the IS cluster (seed 000, "Fronting with a load balancer (Nginx)").
 *
 * Output is an `http {}`-context include, not a whole nginx.conf: both Debian's nginx
 * (`/etc/nginx/conf.d/*.conf` is included inside `http {}`) and the official nginx container
 * (`/etc/nginx/conf.d/default.conf`, replace that file so its stock port-80 server goes away)
 * load it without touching their own main configuration (user, workers, logs, mime types).
 *
 * The text is printed from a small directive tree (`NginxDirective`), never concatenated ad hoc,
 * so quoting is uniform and two renders of one model are byte-identical.
 *
 * Edge policy: HTTPS only (port 80 answers every request with a 301 to HTTPS, nothing is proxied
 * to IS's HTTP connector), and the admin surfaces (the management and dashboard hostnames, and
 * `/carbon` and `/services` on the public hostname, as WSO2's production guidelines advise) answer
 * only the private network and `network.adminCidrs` (`allow`/`deny`, 403 otherwise).
 */
import { NodeId, Topology, node, nodesOf } from '../topology';

export interface NginxOptions {
  /** Port nginx listens on for HTTP (default 80). */
  httpPort?: number;
  /** Port nginx listens on for HTTPS (default 443). */
  httpsPort?: number;
  /**
   * Path of the PEM certificate and key inside the nginx host or container. One certificate
   * serves all three server names, so it must cover hostname, mgtHostname and dashboardHostname.
   */
  certificateFile: string;
  certificateKeyFile: string;
  /** Address nginx binds its listeners to (default: every interface). Tests bind 127.0.0.1. */
  listenAddress?: string;
  /**
   * Per-node upstream port overrides. The model gives every node of a role the same ports,
   * which is right on separate hosts; this exists for running several stand-in nodes on one
   * host (tests). Unset fields fall back to the model's ports.
   */
  nodePorts?: Partial<Record<NodeId, { https?: number; dashboard?: number }>>;
  /** Failed attempts before an upstream node is skipped for `failTimeout` (default 3). */
  maxFails?: number;
  /** How long a failed node is skipped, nginx time syntax (default '30s'). */
  failTimeout?: string;
  /**
   * Connect timeout to a node (default '5s'): a node that is down without refusing
   * (blackholed address) costs this long before the request fails over, not the 60s default.
   */
  connectTimeout?: string;
  /** Emit the analytics dashboard server block (default true). */
  dashboard?: boolean;
  /**
   * Re-resolve the node names at run time instead of once at start: emits `resolver` and gives
   * every upstream a shared-memory `zone` and its servers the `resolve` parameter, so a node that
   * comes back with a new address (a recreated pod) is reached without restarting nginx.
   * Needs open-source nginx >= 1.27.3 (`NGINX_MIN_VERSION_RESOLVE`); older nginx rejects `resolve`.
   */
  resolver?: NginxResolver;
  /** Who reaches the admin surfaces; required, so no caller can leave them open by omission. */
  adminAccess: NginxAdminAccess;
}

/**
 * The sources the admin surfaces answer (nginx `allow`, matched against the TCP peer address
 * `$remote_addr`, never a forwarded header); every other source gets 403.
 */
export interface NginxAdminAccess {
  /** `network.adminCidrs`: the operators' networks. */
  adminCidrs: readonly string[];
  /**
   * The private network the caller trusts as internal (e.g. the cluster's VPC, RFC 1918 ranges,
   * loopback for `kubectl port-forward`): decided by the platform, not here.
   */
  privateCidrs: readonly string[];
}

export interface NginxResolver {
  /** DNS server nginx queries: an IP (IPv6 in brackets), optionally `:port`, or a name resolvable at start. */
  address: string;
  /** Overrides the record TTL (nginx time syntax, e.g. '10s'): how soon a new node address is seen. */
  valid?: string;
  /** Resolution timeout (nginx default 30s). */
  timeout?: string;
}

/** First open-source nginx release whose upstream `server` accepts `resolve` (CHANGES, 1.27.3). */
export const NGINX_MIN_VERSION_RESOLVE = '1.27.3';
/** Shared memory per upstream zone; two or four servers need a fraction of it. */
const UPSTREAM_ZONE_SIZE = '64k';

/** One nginx directive: `name args;` or `name args { block }`, with an optional comment above. */
export interface NginxDirective {
  name: string;
  args?: readonly (string | number)[];
  block?: readonly NginxDirective[];
  comment?: string;
}

/** Upstream names; prefixed so they cannot collide with anything else in the http context. */
export const NGINX_UPSTREAMS = {
  isHttps: 'wso2_is_https',
  mgt: 'wso2_is_mgt',
  dashboard: 'wso2_analytics_dashboard',
} as const;
const CONNECTION_UPGRADE_VAR = '$wso2_connection_upgrade';

/**
 * The admin contexts on the public hostname: any path with a segment `carbon` or `services`
 * (optionally with Tomcat path parameters, `;...`), case-insensitively. Any segment, not only the
 * first: that also covers the tenant forms (`/t/<domain>/carbon/`) and what Tomcat normalizes to
 * `/carbon` but nginx does not (`/;x/carbon/`, `/a/..;/carbon/`; nginx has already decoded `%XX`
 * and merged slashes in the URI it matches). No application endpoint has such a segment.
 */
export const NGINX_ADMIN_PATH_REGEX = '(^|/)(carbon|services)(;[^/]*)?(/|$)';
const IPV4_CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

const SAFE_ARG = /^[A-Za-z0-9_$.:/=\-+*@~%,[\]^|!?()<>]+$/;

/** Quotes an argument when nginx would otherwise split or misread it. */
export function nginxArg(a: string | number): string {
  const s = String(a);
  if (/[\r\n]/.test(s)) throw new Error(`nginx argument contains a line break: ${JSON.stringify(s)}`);
  if (s !== '' && SAFE_ARG.test(s)) return s;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Prints a directive tree as nginx configuration text, four spaces per level. */
export function printNginx(directives: readonly NginxDirective[], depth = 0): string {
  const pad = '    '.repeat(depth);
  const lines: string[] = [];
  directives.forEach((d, i) => {
    // '' is the empty-string key of a map block; anything else must be a plain directive name.
    if (d.name !== '' && !/^[a-z_][a-z0-9_]*$/.test(d.name)) throw new Error(`not an nginx directive name: ${d.name}`);
    if (d.comment !== undefined) {
      // A commented block gets a blank line before it, for readability.
      if (i > 0 && d.block) lines.push('');
      for (const c of d.comment.split('\n')) lines.push(`${pad}# ${c}`.trimEnd());
    } else if (i > 0 && d.block && directives[i - 1].block) {
      lines.push('');
    }
    const head = [d.name === '' ? "''" : d.name, ...(d.args ?? []).map(nginxArg)].join(' ');
    if (d.block) {
      lines.push(`${pad}${head} {`);
      const inner = printNginx(d.block, depth + 1);
      if (inner) lines.push(inner.replace(/\n$/, ''));
      lines.push(`${pad}}`);
    } else {
      lines.push(`${pad}${head};`);
    }
  });
  return lines.length ? lines.join('\n') + '\n' : '';
}

const dir = (name: string, ...args: (string | number)[]): NginxDirective => ({ name, args });

function upstream(
  name: string,
  servers: { address: string; port: number }[],
  opts: { ipHash: boolean; maxFails: number; failTimeout: string; resolve: boolean },
  comment: string,
): NginxDirective {
  const block: NginxDirective[] = [];
  // `resolve` keeps the peers in shared memory, so the group needs a zone of its own.
  if (opts.resolve) block.push(dir('zone', name, UPSTREAM_ZONE_SIZE));
  if (opts.ipHash) block.push(dir('ip_hash'));
  for (const s of servers) {
    const args = [`${s.address}:${s.port}`, `max_fails=${opts.maxFails}`, `fail_timeout=${opts.failTimeout}`];
    block.push(dir('server', ...args, ...(opts.resolve ? ['resolve'] : [])));
  }
  return { name: 'upstream', args: [name], block, comment };
}

/** Proxy settings every location shares (seed 000), plus failover and websocket upgrade. */
function proxyDirectives(upstreamName: string, connectTimeout: string): NginxDirective[] {
  return [
    dir('proxy_set_header', 'X-Forwarded-Host', '$host'),
    dir('proxy_set_header', 'X-Forwarded-Server', '$host'),
    dir('proxy_set_header', 'X-Forwarded-For', '$proxy_add_x_forwarded_for'),
    dir('proxy_set_header', 'X-Forwarded-Proto', '$scheme'),
    dir('proxy_set_header', 'Host', '$http_host'),
    dir('proxy_read_timeout', '5m'),
    dir('proxy_send_timeout', '5m'),
    dir('proxy_connect_timeout', connectTimeout),
    {
      ...dir('proxy_http_version', '1.1'),
      comment: 'Websocket upgrade passes through; other requests get Connection: close.',
    },
    dir('proxy_set_header', 'Upgrade', '$http_upgrade'),
    dir('proxy_set_header', 'Connection', CONNECTION_UPGRADE_VAR),
    {
      ...dir('proxy_next_upstream', 'error', 'timeout', 'http_502', 'http_503'),
      comment: 'A node that is down or restarting: retry the request on the other node.',
    },
    dir('proxy_next_upstream_tries', 2),
    {
      ...dir('proxy_ssl_verify', 'off'),
      comment:
        'The nodes serve the products\' stock self-signed certificate on the private network;\n' +
        'clients trust this front end\'s certificate, not the nodes\'.',
    },
    dir('proxy_pass', `https://${upstreamName}`),
  ];
}

/**
 * `allow` for each private and admin CIDR, then `deny all` (403). Only IPv4 CIDRs are accepted:
 * anything else is a caller's bug, and nginx would read a bare address as a single host.
 */
export function adminAccessDirectives(a: NginxAdminAccess): NginxDirective[] {
  const cidrs = [...new Set([...a.privateCidrs, ...a.adminCidrs])];
  for (const c of cidrs) {
    const m = IPV4_CIDR_RE.exec(c);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) throw new Error(`not an IPv4 CIDR: ${JSON.stringify(c)}`);
  }
  const rules = [...cidrs.map((c) => dir('allow', c)), dir('deny', 'all')];
  rules[0] = { ...rules[0], comment: 'Admin surface: the private network and network.adminCidrs only; anyone else gets 403.' };
  return rules;
}

/** The port node `id` serves `kind` on: the options' override, else the model's. */
function nodePort(t: Topology, opts: NginxOptions, id: NodeId, kind: 'https' | 'dashboard'): number {
  const o = opts.nodePorts?.[id]?.[kind];
  if (o !== undefined) return o;
  if (kind === 'https') return t.ports.isHttps;
  // The SP dashboard has its own listener; the DAS portal is served by the DAS HTTPS transport.
  return t.analyticsFlavor === 'sp' ? t.ports.dashboard : t.ports.dasHttps;
}

/** `resolver` (and its timeout) when node names are looked up while running; nothing otherwise. */
function resolverDirectives(r: NginxResolver | undefined): NginxDirective[] {
  if (!r) return [];
  if (!/^\S+$/.test(r.address)) throw new Error(`nginx resolver address must be one address: ${JSON.stringify(r.address)}`);
  return [
    {
      ...dir('resolver', r.address, ...(r.valid ? [`valid=${r.valid}`] : [])),
      comment: 'Node names are looked up again while running (upstream servers marked resolve).',
    },
    ...(r.timeout ? [dir('resolver_timeout', r.timeout)] : []),
  ];
}

/** The Connection-header map and one upstream per service: IS HTTPS, management console, dashboard (no IS HTTP: HTTPS only). */
function upstreamDirectives(t: Topology, opts: NginxOptions, withDashboard: boolean): NginxDirective[] {
  const up = { maxFails: opts.maxFails ?? 3, failTimeout: opts.failTimeout ?? '30s', resolve: opts.resolver !== undefined };
  const servers = (role: 'is' | 'analytics', kind: 'https' | 'dashboard') =>
    nodesOf(t, role).map((n) => ({ address: n.address, port: nodePort(t, opts, n.id, kind) }));
  const isNodes = nodesOf(t, 'is').length;
  return [
    {
      name: 'map',
      args: ['$http_upgrade', CONNECTION_UPGRADE_VAR],
      block: [dir('default', 'upgrade'), dir('', 'close')],
      comment: 'Connection header toward the nodes: "upgrade" for websocket requests, "close" otherwise.',
    },
    upstream(
      NGINX_UPSTREAMS.isHttps,
      servers('is', 'https'),
      { ipHash: true, ...up },
      `IS HTTPS on ${isNodes === 2 ? 'both nodes' : `all ${isNodes} IS nodes`}; ip_hash keeps a client on one node (sessions are per node).`,
    ),
    upstream(
      NGINX_UPSTREAMS.mgt,
      [{ address: node(t, 'is-1').address, port: nodePort(t, opts, 'is-1', 'https') }],
      { ipHash: false, ...up },
      'Management console: is-1 only.',
    ),
    ...(withDashboard
      ? [
          upstream(
            NGINX_UPSTREAMS.dashboard,
            servers('analytics', 'dashboard'),
            { ipHash: true, ...up },
            'Analytics dashboard on both analytics nodes (they share the dashboard database).',
          ),
        ]
      : []),
  ];
}

/**
 * Port 80 for every name: a redirect to HTTPS and nothing else (no application content over
 * plain HTTP). The target is nginx's HTTPS port, which is the public one (the Service and the
 * tests expose nginx's ports unchanged); 443 is left out of the URL.
 */
function redirectServer(names: string[], listen: string, httpsPort: number): NginxDirective {
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  return {
    name: 'server',
    comment: `http://: redirect to https:// only`,
    block: [dir('listen', listen), dir('server_name', ...names), dir('return', 301, `https://$host${port}$request_uri`)],
  };
}

/** The HTTPS server per host name; the management and dashboard ones are admin surfaces as a whole. */
function serverDirectives(t: Topology, opts: NginxOptions, withDashboard: boolean): NginxDirective[] {
  const httpsPort = opts.httpsPort ?? 443;
  const connectTimeout = opts.connectTimeout ?? '5s';
  const listen = (port: number) => (opts.listenAddress ? `${opts.listenAddress}:${port}` : String(port));
  const admin = adminAccessDirectives(opts.adminAccess);
  const proxyTo = (upstreamName: string) => proxyDirectives(upstreamName, connectTimeout);
  const server = (name: string, body: NginxDirective[], comment: string): NginxDirective => ({
    name: 'server',
    comment,
    block: [
      dir('listen', listen(httpsPort), 'ssl'),
      dir('server_name', name),
      dir('ssl_certificate', opts.certificateFile),
      dir('ssl_certificate_key', opts.certificateKeyFile),
      dir('ssl_protocols', 'TLSv1.2', 'TLSv1.3'),
      ...body,
    ],
  });
  const names = [t.hostname, t.mgtHostname, ...(withDashboard ? [t.dashboardHostname] : [])];
  const servers = [
    redirectServer(names, listen(opts.httpPort ?? 80), httpsPort),
    server(
      t.hostname,
      [
        { name: 'location', args: ['/'], block: proxyTo(NGINX_UPSTREAMS.isHttps) },
        {
          name: 'location',
          args: ['~*', NGINX_ADMIN_PATH_REGEX],
          block: [...admin, ...proxyTo(NGINX_UPSTREAMS.isHttps)],
          comment: 'Management console (/carbon) and admin services (/services), also per tenant (/t/<domain>/...).',
        },
      ],
      `https://${t.hostname}`,
    ),
    server(t.mgtHostname, [...admin, { name: 'location', args: ['/'], block: proxyTo(NGINX_UPSTREAMS.mgt) }], `https://${t.mgtHostname} (management console)`),
  ];
  if (withDashboard) {
    servers.push(
      server(
        t.dashboardHostname,
        [...admin, { name: 'location', args: ['/'], block: proxyTo(NGINX_UPSTREAMS.dashboard) }],
        `https://${t.dashboardHostname} (analytics dashboard)`,
      ),
    );
  }
  return servers;
}

export function renderNginxConf(t: Topology, opts: NginxOptions): string {
  const withDashboard = opts.dashboard ?? true;
  const tree: NginxDirective[] = [
    ...resolverDirectives(opts.resolver),
    ...upstreamDirectives(t, opts, withDashboard),
    ...serverDirectives(t, opts, withDashboard),
  ];
  const header =
    '# WSO2 IS pattern 2 front end. Rendered from the topology model; include in the http {} context\n' +
    '# (Debian: /etc/nginx/conf.d/wso2-is.conf; official image: /etc/nginx/conf.d/default.conf).\n\n';
  return header + printNginx(tree);
}
