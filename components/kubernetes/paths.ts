/**
 * Paths of the Kubernetes platform: product homes in the images, mount points in the pods, the
 * files the init containers exchange, and the checks every path spliced into a script passes.
 * Pure (no Pulumi import).
 */
import { AnalyticsFlavor, Role, SHARED_MOUNT, SharedDirectory } from '../../topology';
import { FileChange, NodeChangeSet } from '../../config-templates/types';

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

/**
 * The product home the scripts default to for a role's image.
 * @param role the image's role
 * @param flavor the analytics flavour (DAS images have another home)
 */
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
  shared: SHARED_MOUNT,
  /** db-init Job: the stock dbscripts of the IS image, copied here. */
  dbInitIsHome: '/opt/pattern2/is-home',
  /** db-init Job: the stock dbscripts of the DAS analytics image (DAS flavour), copied here. */
  dbInitAnalyticsHome: '/opt/pattern2/analytics-home',
  /** db-init Job: the rendered script. */
  dbInit: '/opt/pattern2/db-init',
  /** db-init Job and the pods' wait-for-database: the CA file (DB_CA_FILE) the database server's certificate verifies against. */
  dbCa: '/opt/pattern2/db-ca',
  /** emptyDir holding the downloaded JDBC driver (the product images do not ship one). */
  jdbcDriver: '/opt/pattern2/jdbc-driver',
  /** The keys Secret: every node's keystore material (mode 0400, read by root init containers). */
  keys: '/opt/pattern2/keys',
  /** emptyDir (memory) where the keytool steps are prepared and run (private keys: never on disk). */
  keystoreWork: '/opt/pattern2/keystores',
  /** SP analytics product containers: the Secure Vault master key Secret (VAULT_KEY_FILE), group-readable by the product user. */
  vault: '/opt/pattern2/vault',
} as const;

/** The file of the vault Secret holding the SP analytics Secure Vault master key (the TLS store password). */
export const VAULT_KEY_FILE = 'master-key';

export const APPLIER_FILE = 'applier.js';
export const SECRETS_FILE = 'secrets.json';

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
 * True when the product path `p` is a shared directory's product path or inside one.
 * @param p a product path
 * @param shared the shared directories
 */
export function inSharedTree(p: string, shared: readonly SharedDirectory[]): boolean {
  return shared.some((d) => p === d.productPath || p.startsWith(`${d.productPath}/`));
}

/**
 * Product paths the change sets edit in place, for the stage step to copy from the image. Paths in
 * a shared tree (`shared`: the role's `sharedDirectories`) are left out: the apply step edits those
 * on the shared volume itself, where both pods of the role see them.
 * @param changeSets the change sets of the role's nodes
 * @param shared the role's shared directories
 */
export function editedPaths(changeSets: readonly NodeChangeSet[], shared: readonly SharedDirectory[] = []): string[] {
  const out = new Set<string>();
  for (const cs of changeSets) {
    for (const c of cs.changes as FileChange[]) if (c.kind !== 'file' && !inSharedTree(c.path, shared)) out.add(c.path);
  }
  return [...out].sort();
}

/**
 * A safe relative path inside a product home: no `..`, not absolute, no shell-significant newline.
 * @param p the path, returned when safe
 */
export function assertRelativePath(p: string): string {
  if (p.startsWith('/') || p.split('/').includes('..') || /[\n\r\0]/.test(p) || p === '') {
    throw new Error(`not a relative product path: ${JSON.stringify(p)}`);
  }
  return p;
}

/**
 * The jar's file name: the last segment of its URL, a plain name (config.ts accepts no other).
 * @param url the driver's download URL
 */
export function jdbcDriverFileName(url: string): string {
  const name = url.split('/').pop() ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*\.jar$/.test(name)) throw new Error(`not a plain jar file name at the end of ${JSON.stringify(url)}`);
  return name;
}
