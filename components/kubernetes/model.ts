/**
 * Pure building blocks of the Kubernetes platform: object names, the stable DNS names the
 * topology uses as node addresses, the pod-ordinal -> node-id mapping, the shell scripts the
 * init and main containers run, and the configuration checksum. No Pulumi import, so every rule
 * here is unit-testable (and the scripts are checked with shellcheck).
 */
import * as crypto from 'crypto';
import * as path from 'path';
import { AnalyticsFlavor, NodeId, Peer, PortName, Role, SharedDirectory, nodesOf, Topology, ProductProcess, ingressPairs } from '../../topology';
import { FileChange, NodeChangeSet } from '../../config-templates/types';

/** uid/gid of the `wso2carbon` user in the official WSO2 images (their Dockerfiles: USER_ID=802). */
export const WSO2_UID = 802;

/**
 * Product homes inside the official 5.8.0 images; the images also export `WSO2_SERVER_HOME`,
 * which the scripts prefer, so a rebuilt image with another layout still works.
 */
export const PRODUCT_HOMES: Record<Role, string> = {
  is: '/home/wso2carbon/wso2is-5.8.0',
  analytics: '/home/wso2carbon/wso2is-analytics-5.8.0',
};
/**
 * Product home in the DAS-based IS Analytics image the stack supplies (`kubernetes.images.analyticsDas`;
 * there is no official one). ASSUMED to follow WSO2's Dockerfiles for the last DAS-based release
 * (5.4.0: user wso2carbon, uid 802, home under /home/wso2carbon); an image that exports
 * `WSO2_SERVER_HOME` overrides it, as with the official images.
 */
export const DAS_PRODUCT_HOME = '/home/wso2carbon/wso2is-analytics-5.4.0';

/** The product home the scripts default to for a role's image. */
export function productHome(role: Role, flavor: AnalyticsFlavor): string {
  return role === 'analytics' && flavor === 'das' ? DAS_PRODUCT_HOME : PRODUCT_HOMES[role];
}

/**
 * The applier runs on Node; the WSO2 images have only Java. A pinned official Node image runs it
 * in an init container on a shared emptyDir copy of the files the change set touches.
 */
export const APPLIER_NODE_IMAGE = 'node:20.18.1-alpine';

/** Where things are mounted in the pods. */
export const MOUNTS = {
  /** emptyDir (memory) holding the node's patched files, relative to the product home. */
  stage: '/opt/pattern2/stage',
  /** The node's change sets (one file per node of the role). */
  changes: '/opt/pattern2/changes',
  /** The applier bundle. */
  applier: '/opt/pattern2/applier',
  /** The secrets file of the applier (mode 0400). */
  secrets: '/opt/pattern2/secrets',
  /** The ReadWriteMany volume holding the shared directories (Deployment, Tenants, siddhi-files). */
  shared: '/mnt/wso2-shared',
  /** db-init Job: the stock dbscripts of the IS image, copied here. */
  dbInitIsHome: '/opt/pattern2/is-home',
  /** db-init Job: the stock dbscripts of the DAS analytics image (DAS flavour), copied here. */
  dbInitAnalyticsHome: '/opt/pattern2/analytics-home',
  /** db-init Job: the rendered script. */
  dbInit: '/opt/pattern2/db-init',
  /** emptyDir holding the downloaded JDBC driver (the product images do not ship one). */
  jdbcDriver: '/opt/pattern2/jdbc-driver',
} as const;

export const APPLIER_FILE = 'applier.js';
export const SECRETS_FILE = 'secrets.json';
/** Pod template annotation carrying the configuration checksum. */
export const CHECKSUM_ANNOTATION = 'wso2-pattern2/config-checksum';
/** Label plan uses to file what a ConfigMap delivers (conventions in the team brief). */
export const NODE_LABEL = 'wso2-pattern2/node';
/** Table the db-init Job fills when the script succeeded; IS and analytics pods wait on it. */
export const DB_INIT_DONE_TABLE = 'k8s_db_init_done';

/** Names of the workloads and their Services (explicit, so the DNS names are known up front). */
export const NAMES = {
  is: 'wso2is',
  isHeadless: 'wso2is-nodes',
  analytics: 'wso2is-analytics',
  analyticsHeadless: 'wso2is-analytics-nodes',
  dashboard: 'wso2is-analytics-dashboard',
  nginx: 'wso2is-frontend',
  mysql: 'wso2is-mysql',
  nfs: 'wso2is-nfs',
  sharedClaim: 'wso2is-shared',
  dbInit: 'wso2is-db-init',
} as const;

/** Labels of a workload's pods; Services, PDBs and NetworkPolicies select on these. */
export function appLabels(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'wso2-is-pattern2' };
}

export const STATEFULSET_OF: Record<Role, { sts: string; headless: string }> = {
  is: { sts: NAMES.is, headless: NAMES.isHeadless },
  analytics: { sts: NAMES.analytics, headless: NAMES.analyticsHeadless },
};

/** Kubernetes cluster DNS domain; the default of kubeadm, kind and EKS. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** `<sts>-<ordinal>.<headless svc>.<ns>.svc.cluster.local`: a StatefulSet pod's stable DNS name. */
export function podDnsName(role: Role, podOrdinal: number, namespace: string): string {
  const s = STATEFULSET_OF[role];
  return `${s.sts}-${podOrdinal}.${s.headless}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

export function serviceDnsName(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** Pod ordinal 0 runs `<role>-1`, ordinal 1 runs `<role>-2`. */
export function nodeIdForOrdinal(role: Role, podOrdinal: number): NodeId {
  if (podOrdinal !== 0 && podOrdinal !== 1) throw new Error(`pattern 2 has two ${role} pods; no node for ordinal ${podOrdinal}`);
  return `${role}-${podOrdinal + 1}` as NodeId;
}

/** Every node address, as the topology wants it. */
export function nodeAddresses(namespace: string): Record<NodeId, string> {
  return {
    'is-1': podDnsName('is', 0, namespace),
    'is-2': podDnsName('is', 1, namespace),
    'analytics-1': podDnsName('analytics', 0, namespace),
    'analytics-2': podDnsName('analytics', 1, namespace),
  };
}

/** A container port name (IANA_SVC_NAME: at most 15 lower-case alphanumerics and hyphens). */
export function portName(name: PortName | string): string {
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return kebab.length <= 15 ? kebab : kebab.slice(0, 15).replace(/-+$/, '');
}

/** File name of a node's change set in the ConfigMap and in the pod. */
export function changeSetFileName(id: NodeId | string): string {
  return `changes-${id}.json`;
}

/** True when the product path `p` is a shared directory's product path or inside one. */
export function inSharedTree(p: string, shared: readonly SharedDirectory[]): boolean {
  return shared.some((d) => p === d.productPath || p.startsWith(`${d.productPath}/`));
}

/**
 * Product paths the change sets edit in place, for the stage step to copy from the image. Paths in
 * a shared tree (`shared`: the role's `sharedDirectories`) are left out: the apply step edits those
 * on the shared volume itself, where both pods of the role see them.
 */
export function editedPaths(changeSets: readonly NodeChangeSet[], shared: readonly SharedDirectory[] = []): string[] {
  const out = new Set<string>();
  for (const cs of changeSets) {
    for (const c of cs.changes as FileChange[]) if (c.kind !== 'file' && !inSharedTree(c.path, shared)) out.add(c.path);
  }
  return [...out].sort();
}

/** A role's shared directories, checked for what the scripts rely on: safe paths, none inside another. */
function linkable(dirs: readonly SharedDirectory[]): readonly SharedDirectory[] {
  for (const d of dirs) {
    assertRelativePath(d.productPath);
    const other = dirs.find((o) => o !== d && inSharedTree(d.productPath, [o]));
    if (other) throw new Error(`shared directory ${d.name} (${d.productPath}) is inside ${other.name} (${other.productPath})`);
  }
  return dirs;
}

/** A safe relative path inside a product home: no `..`, not absolute, no shell-significant newline. */
export function assertRelativePath(p: string): string {
  if (p.startsWith('/') || p.split('/').includes('..') || /[\n\r\0]/.test(p) || p === '') {
    throw new Error(`not a relative product path: ${JSON.stringify(p)}`);
  }
  return p;
}

const HOME_VAR = (role: Role, flavor: AnalyticsFlavor) => `home="\${WSO2_SERVER_HOME:-${productHome(role, flavor)}}"`;

/**
 * Stage: runs in the product image (as wso2carbon), copies the node-local stock files the change
 * sets edit (`editedPaths`: none in a shared tree) from the image's own home into the stage
 * emptyDir, keeping their relative paths; a stage left from an earlier run of the pod is emptied
 * first. Paths are passed as arguments (`sh -c SCRIPT stage PATH...`), never spliced into the script text.
 */
export function stageScript(role: Role, flavor: AnalyticsFlavor = 'sp'): string {
  return [
    'set -eu',
    HOME_VAR(role, flavor),
    `stage=${MOUNTS.stage}`,
    'mkdir -p "$stage"',
    'find "$stage" -mindepth 1 -maxdepth 1 -exec rm -rf {} +',
    'for p in "$@"; do',
    '  if [ -e "$home/$p" ]; then',
    '    mkdir -p "$stage/$(dirname "$p")"',
    '    cp -p "$home/$p" "$stage/$p"',
    '  else',
    '    echo "stage: $p is not in the image; the applier will say whether it is needed" >&2',
    '  fi',
    'done',
    'echo "stage: $# stock files staged"',
    '',
  ].join('\n');
}

/**
 * Apply: runs in the Node image (as root, to read the 0400 secrets file), picks this pod's change
 * set by its ordinal and applies it with the stage as the product home, in which each shared
 * directory's product path is, for the run, a symlink to the seeded tree on the shared volume
 * (`links`: the role's `sharedDirectories`). So a change of a shared file (site.json, event
 * publishers, the shindig explode) happens in place on the shared volume, as on EC2: atomic
 * writes, an explode safe when both pods race, and both pods of a role apply the same content
 * there. The secret placeholders are filled in the same pass (`apply --secrets-file`): each file is
 * filled in memory and replaced only when its filled content differs from the disk, 0600 and
 * keeping its owner, so a second pod, or a restarted one, rewrites none of the shared files the
 * other pod's product is running on, and no placeholder or root-owned copy is ever there to be hot
 * deployed. Every placeholder comes from the change set, so the one apply step fills them all.
 * Then it removes the links (the stage holds node-local files only) and gives the product user
 * what it made: the staged files, and whatever this root container still created as root in the
 * shared trees (the explode's unpacked tree, new directories).
 */
export function applyScript(role: Role, links: readonly SharedDirectory[] = []): string {
  const dirs = linkable(links);
  const lines = [
    'set -eu',
    'ordinal="${POD_NAME##*-}"',
    'case "$ordinal" in',
    `  0) node_id=${nodeIdForOrdinal(role, 0)} ;;`,
    `  1) node_id=${nodeIdForOrdinal(role, 1)} ;;`,
    '  *) echo "apply: no pattern-2 node for pod $POD_NAME" >&2; exit 1 ;;',
    'esac',
    `stage=${MOUNTS.stage}`,
  ];
  if (dirs.length) {
    lines.push(
      `shared=${MOUNTS.shared}`,
      '# link PRODUCT_PATH NAME: the stage path a symlink to the seeded shared tree.',
      'link() {',
      '  if [ ! -d "$shared/$2" ]; then echo "apply: shared $2 is not seeded" >&2; exit 1; fi',
      '  rm -rf "${stage:?}/$1"',
      '  mkdir -p "$(dirname "$stage/$1")"',
      '  ln -s "$shared/$2" "$stage/$1"',
      '}',
      ...dirs.map((d) => `link ${shQuote(d.productPath)} ${shQuote(d.name)}`),
    );
  }
  lines.push(
    `node ${MOUNTS.applier}/${APPLIER_FILE} apply --home "$stage" --changes "${MOUNTS.changes}/changes-$node_id.json" --secrets-file ${MOUNTS.secrets}/${SECRETS_FILE}`,
  );
  if (dirs.length) {
    lines.push(
      ...dirs.map((d) => `rm -f "$stage/"${shQuote(d.productPath)}`),
      // Owned by root only what this container wrote (the seed gave the rest to the product user;
      // on an EFS access point nothing is root's, the access point's user owns every file).
      // A file the other pod's applier renames away meanwhile is no failure; any other refusal is.
      `find ${dirs.map((d) => `"$shared/"${shQuote(d.name)}`).join(' ')} -user 0 | while IFS= read -r f; do`,
      `  if ! chown -h ${WSO2_UID}:${WSO2_UID} "$f" 2>/dev/null && { [ -e "$f" ] || [ -L "$f" ]; }; then echo "apply: cannot give $f to uid ${WSO2_UID}" >&2; exit 1; fi`,
      'done',
    );
  }
  lines.push(
    `chown -R ${WSO2_UID}:${WSO2_UID} "$stage"`,
    'chmod -R go-rwx "$stage"',
    'echo "apply: $node_id configured"',
    '',
  );
  return lines.join('\n');
}

/**
 * Seed: runs in the product image as root. Each shared directory that is missing or empty on the
 * RWX volume is filled from the image's own tree (copied aside, then renamed into place, so two
 * pods racing cannot interleave and a filled directory is never clobbered).
 */
export function seedScript(role: Role, dirs: readonly SharedDirectory[], flavor: AnalyticsFlavor = 'sp'): string {
  const lines = [
    'set -eu',
    HOME_VAR(role, flavor),
    `shared=${MOUNTS.shared}`,
    'seed() {',
    '  name="$1"; src="$home/$2"; dst="$shared/$name"',
    '  if [ -d "$dst" ] && [ -n "$(ls -A "$dst")" ]; then echo "seed: $name already has content"; return 0; fi',
    '  tmp="$shared/.seed-$name-$POD_NAME"',
    '  rm -rf "$tmp"',
    '  mkdir -p "$tmp"',
    '  if [ -d "$src" ]; then cp -a "$src/." "$tmp/"; fi',
    // EFS access points fix ownership themselves and refuse chown; NFS needs it.
    `  chown -R ${WSO2_UID}:${WSO2_UID} "$tmp" 2>/dev/null || echo "seed: chown refused (access point owns the files)"`,
    '  if [ -d "$dst" ]; then rmdir "$dst" 2>/dev/null || true; fi',
    '  if mv -T "$tmp" "$dst" 2>/dev/null; then echo "seed: $name seeded from the image"; else rm -rf "$tmp"; echo "seed: $name was seeded by another pod"; fi',
    '}',
  ];
  for (const d of dirs) {
    if (d.role !== role) continue;
    lines.push(`seed ${shQuote(d.name)} ${shQuote(assertRelativePath(d.productPath))}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** What the main container sets up besides the shared links and the staged files. */
export interface StartOptions {
  /** The image's product; selects the default product home. */
  flavor?: AnalyticsFlavor;
  /** The downloaded driver (file name in MOUNTS.jdbcDriver) and the product directory it goes into. */
  jdbcDriver?: { file: string; dir: string };
  /** An absolute symlink to the product home (DAS: ANALYTICS_HOME_LINK), in a writable mount. */
  homeLink?: string;
}

/**
 * Main container: replaces the product paths of the shared directories with symlinks into the
 * RWX volume (seed 000: symlinked, not mounted), puts the JDBC driver into the product's driver
 * directory, links the common home path, copies the node-local staged files over the product home
 * (never into a shared tree: the apply step edited those in place) and execs the product's start script in the
 * foreground, so the JVM is PID 1's child-free successor and gets the signals.
 */
export function startScript(role: Role, process: ProductProcess, links: readonly SharedDirectory[], opts: StartOptions = {}): string {
  const lines = ['set -eu', HOME_VAR(role, opts.flavor ?? 'sp')];
  if (links.length) lines.push(`shared=${MOUNTS.shared}`);
  for (const d of links) {
    const p = shQuote(assertRelativePath(d.productPath));
    lines.push(
      `if [ ! -L "$home/"${p} ]; then rm -rf "$home/"${p}; mkdir -p "$(dirname "$home/"${p})"; ln -s "$shared/"${shQuote(d.name)} "$home/"${p}; fi`,
    );
  }
  if (opts.jdbcDriver) {
    const dir = shQuote(assertRelativePath(opts.jdbcDriver.dir));
    const file = shQuote(jdbcDriverFileName(opts.jdbcDriver.file));
    lines.push(`mkdir -p "$home/"${dir}`, `cp ${MOUNTS.jdbcDriver}/${file} "$home/"${dir}/${file}`);
  }
  if (opts.homeLink) {
    if (!path.posix.isAbsolute(opts.homeLink) || /[\n\r\0]/.test(opts.homeLink)) throw new Error(`not an absolute link path: ${JSON.stringify(opts.homeLink)}`);
    // Spark names the home by this path on both nodes (carbon.das.symbolic.link).
    lines.push(`ln -sfn "$home" ${shQuote(opts.homeLink)}`);
  }
  // Node-local files only: the shared trees were edited in place by the apply step.
  const skip = links.map((d) => `./${shQuote(assertRelativePath(d.productPath))}/*`);
  lines.push(
    `cd ${MOUNTS.stage}`,
    'find . -type f | while IFS= read -r f; do',
    ...(skip.length ? [`  case "$f" in ${skip.join('|')}) continue ;; esac`] : []),
    '  mkdir -p "$home/$(dirname "$f")"',
    '  cp "$f" "$home/$f"',
    'done',
    'cd "$home"',
    `exec sh "$home/"${shQuote(assertRelativePath(process.command))}`,
    '',
  );
  return lines.join('\n');
}

/** The jar's file name: the last segment of its URL, a plain name (config.ts accepts no other). */
export function jdbcDriverFileName(url: string): string {
  const name = url.split('/').pop() ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*\.jar$/.test(name)) throw new Error(`not a plain jar file name at the end of ${JSON.stringify(url)}`);
  return name;
}

/**
 * Fetch: runs in the pinned Node image (busybox wget and sha256sum), downloads the MySQL driver
 * the WSO2 images lack into the driver emptyDir, and checks its SHA-256 when one is configured.
 * URL, file name and checksum arrive as environment variables (JDBC_DRIVER_URL, JDBC_DRIVER_FILE,
 * JDBC_DRIVER_SHA256, empty when unset), never spliced into the script. Only a verified download
 * takes the final name, so a restarted container never trusts a partial or wrong file.
 */
export function driverFetchScript(): string {
  return [
    'set -eu',
    `out="${MOUNTS.jdbcDriver}/$JDBC_DRIVER_FILE"`,
    'if [ -s "$out" ]; then echo "jdbc-driver: $JDBC_DRIVER_FILE already fetched"; exit 0; fi',
    'tries=0',
    'until wget -q -T 60 -O "$out.part" "$JDBC_DRIVER_URL"; do',
    '  tries=$((tries + 1))',
    '  rm -f "$out.part"',
    '  if [ "$tries" -ge 5 ]; then echo "jdbc-driver: cannot download $JDBC_DRIVER_URL" >&2; exit 1; fi',
    '  sleep 5',
    'done',
    'if [ -n "${JDBC_DRIVER_SHA256:-}" ]; then',
    '  if ! echo "$JDBC_DRIVER_SHA256  $out.part" | sha256sum -c - >/dev/null 2>&1; then',
    '    rm -f "$out.part"',
    '    echo "jdbc-driver: SHA-256 of $JDBC_DRIVER_URL is not $JDBC_DRIVER_SHA256" >&2',
    '    exit 1',
    '  fi',
    '  echo "jdbc-driver: SHA-256 verified"',
    'fi',
    'mv "$out.part" "$out"',
    'echo "jdbc-driver: fetched $JDBC_DRIVER_FILE"',
    '',
  ].join('\n');
}

/**
 * Wait: runs in the MySQL image; polls, as the application user, for the row the db-init Job
 * writes after the script it ran succeeded, so no Kubernetes API access (RBAC) is needed.
 */
export function waitForDbScript(metaDatabase: string, scriptSha256: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(metaDatabase) || !/^[0-9a-f]{64}$/.test(scriptSha256)) throw new Error('bad db wait parameters');
  return [
    'set -u',
    `query="SELECT COUNT(*) FROM ${metaDatabase}.${DB_INIT_DONE_TABLE} WHERE script_sha256='${scriptSha256}'"`,
    'until [ "$(mysql --connect-timeout=5 -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -N -B -e "$query" 2>/dev/null)" = "1" ]; do',
    '  echo "wait: database $DB_HOST:$DB_PORT not initialised yet"',
    '  sleep 5',
    'done',
    'echo "wait: database ready"',
    '',
  ].join('\n');
}

/**
 * The db-init Job's container (MySQL image, bash): runs the rendered script, then records that
 * this script version succeeded and lets the application user read that record.
 */
export function dbInitJobScript(scriptFile: string, metaDatabase: string, scriptSha256: string, appUser: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(metaDatabase) || !/^[0-9a-f]{64}$/.test(scriptSha256) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(appUser)) {
    throw new Error('bad db-init parameters');
  }
  return [
    'set -euo pipefail',
    `bash ${MOUNTS.dbInit}/${shQuote(scriptFile)}`,
    'export MYSQL_PWD="$DB_MASTER_PASSWORD"',
    'mysql --connect-timeout=10 -h "$DB_HOST" -P "$DB_PORT" -u "$DB_MASTER_USER" <<SQL',
    `CREATE TABLE IF NOT EXISTS ${metaDatabase}.${DB_INIT_DONE_TABLE} (script_sha256 CHAR(64) PRIMARY KEY, done_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);`,
    `INSERT IGNORE INTO ${metaDatabase}.${DB_INIT_DONE_TABLE} (script_sha256) VALUES ('${scriptSha256}');`,
    `GRANT SELECT ON ${metaDatabase}.${DB_INIT_DONE_TABLE} TO '${appUser}'@'%';`,
    'SQL',
    'echo "db-init: done"',
    '',
  ].join('\n');
}

/**
 * nginx on Kubernetes: the site is rendered with this token as its `resolver` address, and the
 * container's start script puts the pod's own DNS server there (the first `nameserver` of
 * /etc/resolv.conf, which the kubelet writes: the cluster DNS Service IP, or a node-local cache).
 * nginx's resolver takes no search domains; the node addresses are fully qualified names.
 */
export const NAMESERVER_PLACEHOLDER = '@@NAMESERVER@@';
export const NGINX_PATHS = {
  /** The rendered site with the placeholder (ConfigMap). */
  template: '/etc/nginx/pattern2/default.conf.template',
  /** Where the official image's nginx.conf includes it from (an emptyDir, so the stock default.conf is gone). */
  conf: '/etc/nginx/conf.d/default.conf',
  resolvConf: '/etc/resolv.conf',
} as const;

/**
 * nginx container start: the first nameserver of resolv.conf (checked to be an IP address, IPv6
 * bracketed as nginx wants it) replaces the placeholder, then nginx runs in the foreground as the
 * image's own command does.
 */
export function nginxStartScript(): string {
  return [
    'set -eu',
    `resolv=${NGINX_PATHS.resolvConf}`,
    "ns=''",
    'while read -r key value _; do',
    '  if [ "$key" = nameserver ]; then ns="$value"; break; fi',
    'done < "$resolv"',
    'case "$ns" in',
    `  '') echo "nginx: no nameserver in $resolv" >&2; exit 1 ;;`,
    '  *[!0-9A-Fa-f.:]*) echo "nginx: nameserver is not an IP address: $ns" >&2; exit 1 ;;',
    '  *:*) ns="[$ns]" ;;',
    'esac',
    `sed "s/${NAMESERVER_PLACEHOLDER}/$ns/g" ${NGINX_PATHS.template} > ${NGINX_PATHS.conf}`,
    'echo "nginx: upstream names resolved through $ns"',
    "exec nginx -g 'daemon off;'",
    '',
  ].join('\n');
}

/** Single-quotes a value as one POSIX shell word. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/**
 * The checksum a pod template is annotated with: sha256 over named parts (rendered change sets,
 * the applier bundle, scripts, and secret *versions* such as a Secret's resourceVersion — never a
 * secret value). Parts are sorted by name and NUL-separated, so order and concatenation cannot
 * alias two different configurations.
 */
export function configChecksum(parts: Record<string, string>): string {
  const h = crypto.createHash('sha256');
  for (const k of Object.keys(parts).sort()) h.update(k).update('\u0000').update(parts[k]).update('\u0000');
  return h.digest('hex');
}

/** The nodes of a role, in pod-ordinal order. */
export function nodeIdsOf(t: Topology, role: Role): NodeId[] {
  return nodesOf(t, role)
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((n) => n.id);
}

/**
 * Which pods stand for a peer of the model. There is no internal load balancer on Kubernetes: the
 * receivers' only clients are the IS publishers, which reach the workers by pod DNS name.
 */
export const PEER_APPS: Record<Peer, readonly string[]> = {
  is: [NAMES.is],
  analytics: [NAMES.analytics],
  frontend: [NAMES.nginx],
  'internal-lb': [NAMES.is],
};
export const ROLE_APPS: Record<Role, string> = { is: NAMES.is, analytics: NAMES.analytics };
/** NFSv4 needs only this port (the in-cluster server image serves NFSv4 only: no rpcbind, no mountd). */
export const NFS_PORT = 2049;

/** One ingress allowance: TCP `ports` of the `app` pods, from the `fromApps` pods or from anywhere. */
export interface IngressAllowance {
  /** NetworkPolicy name. */
  name: string;
  app: string;
  ports: readonly number[];
  /** App names of the allowed client pods (same namespace); `'anywhere'` = no source restriction. */
  from: readonly string[] | 'anywhere';
  /** Why, for the policy's annotation. */
  description: string;
}

/**
 * What the namespace admits beyond its default deny: one allowance per (role, port) of the model's
 * `ingressPairs`, MySQL from the pods that use it (in-cluster database only), NFS from anywhere
 * (the node's kubelet mounts it, from the node's address, not the pods'), and nginx from anywhere.
 */
export function ingressAllowances(t: Topology, o: { mysqlPort?: number; nfsServer: boolean }): IngressAllowance[] {
  const byPort = new Map<string, IngressAllowance & { from: string[] }>();
  for (const pair of ingressPairs(t)) {
    const key = `${pair.to}/${pair.port.name}`;
    let a = byPort.get(key);
    if (!a) {
      a = { name: `wso2is-allow-${pair.to}-${portName(pair.port.name)}`, app: ROLE_APPS[pair.to], ports: [pair.port.port], from: [], description: pair.port.description };
      byPort.set(key, a);
    }
    for (const app of PEER_APPS[pair.from]) if (!a.from.includes(app)) a.from.push(app);
  }
  const out: IngressAllowance[] = [...byPort.values()];
  if (o.mysqlPort !== undefined) {
    out.push({ name: 'wso2is-allow-mysql', app: NAMES.mysql, ports: [o.mysqlPort], from: [NAMES.is, NAMES.analytics, NAMES.dbInit], description: 'MySQL from the products and the db-init Job' });
  }
  if (o.nfsServer) {
    out.push({ name: 'wso2is-allow-nfs', app: NAMES.nfs, ports: [NFS_PORT], from: 'anywhere', description: 'NFS: mounted by the kubelet of each node, from the node address' });
  }
  out.push({ name: 'wso2is-allow-frontend', app: NAMES.nginx, ports: [t.frontendPorts.https, t.frontendPorts.http], from: 'anywhere', description: 'The public front end (LoadBalancer Service)' });
  return out;
}
