/**
 * The shell scripts the Kubernetes init and main containers run. Their fixed text lives in
 * `shell/k8s-*.sh` (shellchecked as files); this module emits each script: the file's body with
 * every `#@` line replaced by the generated lines the marker describes (mount paths, node ids,
 * the product uid, shared directories). Values a pod knows only at run time arrive as environment
 * or arguments. Pure (no Pulumi import).
 */
import * as path from 'path';
import { AnalyticsFlavor, DEFAULT_IS_NODE_COUNT, ProductProcess, Role, SharedDirectory, roleNodeIds } from '../../topology';
import { shellFile, shellQuote } from '../../config-templates/shell';
import { APPLIER_FILE, MOUNTS, NAMESERVER_PLACEHOLDER, NGINX_PATHS, SECRETS_FILE, assertRelativePath, inSharedTree, jdbcDriverFileName, productHome } from './paths';
import { DB_INIT_DONE_TABLE, keyMaterialFileName, nodeIdForOrdinal } from './names';
import { passwordTmpSecret } from '../../config-templates/das-vault';

/**
 * The script of `shell/<file>`: its body (what follows the opening comment block and the blank
 * line ending it) with the i-th `#@` marker line replaced by `slots[i]`.
 * @param file the file's name under shell/
 * @param slots the generated lines, one list per marker, in order
 */
export function assembleScript(file: string, slots: readonly (readonly string[])[]): string {
  const text = shellFile(file);
  const start = text.indexOf('\n\n');
  if (start < 0 || !text.endsWith('\n')) throw new Error(`shell/${file}: no opening comment block, or no final newline`);
  const out: string[] = [];
  let i = 0;
  for (const line of text.slice(start + 2, -1).split('\n')) {
    if (!line.startsWith('#@')) out.push(line);
    else if (i < slots.length) out.push(...slots[i++]);
    else throw new Error(`shell/${file}: more markers than generated parts`);
  }
  if (i !== slots.length) throw new Error(`shell/${file}: ${slots.length} generated parts for ${i} markers`);
  return `${out.join('\n')}\n`;
}

/**
 * A role's shared directories, checked for what the scripts rely on: safe paths, none inside another.
 * @param dirs the role's shared directories, returned when fine
 */
function linkable(dirs: readonly SharedDirectory[]): readonly SharedDirectory[] {
  for (const d of dirs) {
    assertRelativePath(d.productPath);
    const other = dirs.find((o) => o !== d && inSharedTree(d.productPath, [o]));
    if (other) throw new Error(`shared directory ${d.name} (${d.productPath}) is inside ${other.name} (${other.productPath})`);
  }
  return dirs;
}

const HOME_VAR = (role: Role, flavor: AnalyticsFlavor) => `home="\${WSO2_SERVER_HOME:-${productHome(role, flavor)}}"`;

/**
 * Stage: runs in the product image (as wso2carbon), copies the node-local stock files the change
 * sets edit (`editedPaths`: none in a shared tree) from the image's own home into the stage
 * emptyDir, keeping their relative paths; a stage left from an earlier run of the pod is emptied
 * first. Paths are passed as arguments (`sh -c SCRIPT stage PATH...`), never spliced into the script text.
 * @param role the role whose image runs it (selects the default product home)
 * @param flavor the analytics flavour (DAS images have another home)
 */
export function stageScript(role: Role, flavor: AnalyticsFlavor = 'sp'): string {
  return assembleScript('k8s-stage.sh', [[HOME_VAR(role, flavor), `stage=${MOUNTS.stage}`]]);
}

/** Prints secret argv[2] of a secrets file (argv[1]) and a newline; fails on none or a line break. */
const PASSWORD_TMP_JS =
  'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]; if (typeof v !== "string" || !v || /[\\r\\n]/.test(v)) process.exit(3); process.stdout.write(v + "\\n");';

/**
 * The `case "$ordinal"` branches that give each pod of the role its node id (one per node).
 * @param role the role of the pods
 * @param isNodeCount the stack's `is.nodeCount`
 */
function ordinalCases(role: Role, isNodeCount: number): string[] {
  return roleNodeIds(isNodeCount)[role].map((_, o) => `  ${o}) node_id=${nodeIdForOrdinal(role, o)} ;;`);
}

/**
 * Apply: runs in the Node image as the product user (the secrets file is readable through the
 * pod's fsGroup), picks this pod's change
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
 * Then it removes the links (the stage holds node-local files only) and closes the staged files
 * to the group and others. Everything it writes is the product user's already: no chown.
 * @param role the role whose change sets the pods apply
 * @param links the role's shared directories
 * @param isNodeCount the stack's `is.nodeCount` (how many IS pods pick a node)
 * @param flavor the analytics flavour (DAS nodes have Carbon 4's Secure Vault, so a password-tmp)
 */
export function applyScript(role: Role, links: readonly SharedDirectory[] = [], isNodeCount: number = DEFAULT_IS_NODE_COUNT, flavor: AnalyticsFlavor = 'sp'): string {
  const dirs = linkable(links);
  const run: string[] = [`stage=${MOUNTS.stage}`];
  if (dirs.length) {
    run.push(
      `shared=${MOUNTS.shared}`,
      ...assembleScript('k8s-apply-link.sh', []).slice(0, -1).split('\n'),
      ...dirs.map((d) => `link ${shellQuote(d.productPath)} ${shellQuote(d.name)}`),
    );
  }
  run.push(
    `node ${MOUNTS.applier}/${APPLIER_FILE} apply --home "$stage" --changes "${MOUNTS.changes}/changes-$node_id.json" --secrets-file ${MOUNTS.secrets}/${SECRETS_FILE} --material "${MOUNTS.keys}/${keyMaterialFileName('$node_id')}"`,
  );
  run.push(...dirs.map((d) => `rm -f "$stage/"${shellQuote(d.productPath)}`));
  const vaultSecret = passwordTmpSecret(role, flavor);
  if (vaultSecret) {
    // Carbon 4 (IS, DAS): Secure Vault's keystore password where Carbon reads it at start (and
    // then wipes it): password-tmp, from the secrets file, through the start script (shell/k8s-start.sh).
    run.push(
      `(umask 077 && node -e ${shellQuote(PASSWORD_TMP_JS)} ${MOUNTS.secrets}/${SECRETS_FILE} ${vaultSecret} >"$stage/password-tmp")`,
    );
  }
  const ordinals = ordinalCases(role, isNodeCount);
  return assembleScript('k8s-apply.sh', [ordinals, run]);
}

/**
 * Keys: one phase of the applier's `keystores` command for this pod's node (picked by ordinal, as
 * in apply), in the Node image as the product user (the key material is readable through the
 * pod's fsGroup): `prepare` writes the keytool steps into the memory work volume, which the same
 * user runs in the product image ({@link keystoresScript}); `install` checks the stores keytool built, puts them
 * in the stage (the start script copies them into the home) and empties the work volume.
 * @param role the role whose nodes the pods run
 * @param phase which phase
 * @param isNodeCount the stack's `is.nodeCount` (how many IS pods pick a node)
 */
export function keysScript(role: Role, phase: 'prepare' | 'install', isNodeCount: number = DEFAULT_IS_NODE_COUNT): string {
  const ordinals = ordinalCases(role, isNodeCount);
  const material = `"${MOUNTS.keys}/${keyMaterialFileName('$node_id')}"`;
  const run = [`node ${MOUNTS.applier}/${APPLIER_FILE} keystores --home ${MOUNTS.stage} --material ${material} --${phase} ${MOUNTS.keystoreWork}`];
  return assembleScript('k8s-keys.sh', [ordinals, run]);
}

/**
 * Keystores: runs in the product image (keytool, no Node) as the product user: the keytool steps
 * `keysScript('prepare')` wrote in the work volume (`sh -c SCRIPT keystores DIR`).
 */
export function keystoresScript(): string {
  return assembleScript('k8s-keystores.sh', []);
}

/**
 * Seed: runs in the product image as the product user, the owner of the shared volume. Each shared directory that is missing or empty on the
 * RWX volume is filled from the image's own tree (copied aside, then renamed into place, so two
 * pods racing cannot interleave and a filled directory is never clobbered).
 * @param role the role whose image runs it; only its directories are seeded
 * @param dirs the shared directories of the model (every role's)
 * @param flavor the analytics flavour (DAS images have another home)
 */
export function seedScript(role: Role, dirs: readonly SharedDirectory[], flavor: AnalyticsFlavor = 'sp'): string {
  return assembleScript('k8s-seed.sh', [
    [HOME_VAR(role, flavor), `shared=${MOUNTS.shared}`],
    dirs.filter((d) => d.role === role).map((d) => `seed ${shellQuote(d.name)} ${shellQuote(assertRelativePath(d.productPath))}`),
  ]);
}

/** What the main container sets up besides the shared links and the staged files. */
export interface StartOptions {
  /** The image's product; selects the default product home. */
  flavor?: AnalyticsFlavor;
  /** The downloaded driver (file name in MOUNTS.jdbcDriver) and the product directory it goes into. */
  jdbcDriver?: { file: string; dir: string };
  /** An absolute symlink to the product home (DAS: ANALYTICS_HOME_LINK), in a writable mount. */
  homeLink?: string;
  /** SP analytics: the file holding the Secure Vault master key, passed to the product process only as keyStorePassword / privateKeyPassword. */
  vaultKeyFile?: string;
}

/**
 * Main container: replaces the product paths of the shared directories with symlinks into the
 * RWX volume (seed 000: symlinked, not mounted), puts the JDBC driver into the product's driver
 * directory, links the common home path, copies the node-local staged files over the product home
 * (never into a shared tree: the apply step edited those in place) and runs the product's start script as
 * its child, staying PID 1: a SIGTERM becomes the product's own `stop` command (TERM to the JVM
 * through the JVM's pid file), and the container ends when the product has stopped (see
 * shell/k8s-start.sh; the product scripts run java in a loop without exec, so an exec'd script as
 * PID 1 ignored the kubelet's SIGTERM and every stop ended in SIGKILL).
 * @param role the role whose image runs it
 * @param process the product process the container runs
 * @param links the shared directories the process sees (none for the dashboard)
 * @param opts driver, home link and flavour
 */
export function startScript(role: Role, process: ProductProcess, links: readonly SharedDirectory[], opts: StartOptions = {}): string {
  const setup = [HOME_VAR(role, opts.flavor ?? 'sp')];
  if (links.length) setup.push(`shared=${MOUNTS.shared}`);
  for (const d of links) {
    const p = shellQuote(assertRelativePath(d.productPath));
    setup.push(
      `if [ ! -L "$home/"${p} ]; then rm -rf "$home/"${p}; mkdir -p "$(dirname "$home/"${p})"; ln -s "$shared/"${shellQuote(d.name)} "$home/"${p}; fi`,
    );
  }
  if (opts.jdbcDriver) {
    const dir = shellQuote(assertRelativePath(opts.jdbcDriver.dir));
    const file = shellQuote(jdbcDriverFileName(opts.jdbcDriver.file));
    setup.push(`mkdir -p "$home/"${dir}`, `cp ${MOUNTS.jdbcDriver}/${file} "$home/"${dir}/${file}`);
  }
  if (opts.homeLink) {
    if (!path.posix.isAbsolute(opts.homeLink) || /[\n\r\0]/.test(opts.homeLink)) throw new Error(`not an absolute link path: ${JSON.stringify(opts.homeLink)}`);
    // Spark names the home by this path on both nodes (carbon.das.symbolic.link).
    setup.push(`ln -sfn "$home" ${shellQuote(opts.homeLink)}`);
  }
  setup.push(`cd ${MOUNTS.stage}`);
  // Node-local files only: the shared trees were edited in place by the apply step.
  const skip = links.map((d) => `./${shellQuote(assertRelativePath(d.productPath))}/*`);
  return assembleScript('k8s-start.sh', [
    setup,
    skip.length ? [`  case "$f" in ${skip.join('|')}) continue ;; esac`] : [],
    [`prog=${shellQuote(assertRelativePath(process.command))}`],
    opts.vaultKeyFile ? [`vault_key_file=${shellQuote(opts.vaultKeyFile)}`] : [],
  ]);
}

/**
 * Fetch: runs in the pinned Node image (busybox wget and sha256sum), downloads the MySQL driver
 * the WSO2 images lack into the driver emptyDir, and checks its SHA-256 when one is configured.
 * URL, file name and checksum arrive as environment variables (JDBC_DRIVER_URL, JDBC_DRIVER_FILE,
 * JDBC_DRIVER_SHA256, empty when unset), never spliced into the script. Only a verified download
 * takes the final name, so a restarted container never trusts a partial or wrong file.
 */
export function driverFetchScript(): string {
  return assembleScript('k8s-fetch-jdbc-driver.sh', [[`out="${MOUNTS.jdbcDriver}/$JDBC_DRIVER_FILE"`]]);
}

/**
 * Wait: runs in the MySQL image; polls, as the application user, for the row the db-init Job
 * writes after the script it ran succeeded, so no Kubernetes API access (RBAC) is needed.
 * @param metaDatabase the database holding the record table
 * @param scriptSha256 the SHA-256 of the db-init script whose success the pods wait for
 */
export function waitForDbScript(metaDatabase: string, scriptSha256: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(metaDatabase) || !/^[0-9a-f]{64}$/.test(scriptSha256)) throw new Error('bad db wait parameters');
  return assembleScript('k8s-wait-for-db.sh', [
    [`query="SELECT COUNT(*) FROM ${metaDatabase}.${DB_INIT_DONE_TABLE} WHERE script_sha256='${scriptSha256}'"`],
  ]);
}

/**
 * The db-init Job's container (MySQL image, bash): runs the rendered script, then records that
 * this script version succeeded and lets the application user read that record.
 * @param scriptFile the rendered script's file name in the db-init mount
 * @param metaDatabase the database holding the record table
 * @param scriptSha256 the script's SHA-256, the record's key
 * @param appUser the application user, granted read access to the record
 */
export function dbInitJobScript(scriptFile: string, metaDatabase: string, scriptSha256: string, appUser: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(metaDatabase) || !/^[0-9a-f]{64}$/.test(scriptSha256) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(appUser)) {
    throw new Error('bad db-init parameters');
  }
  const table = `${metaDatabase}.${DB_INIT_DONE_TABLE}`;
  return assembleScript('k8s-db-init-job.sh', [
    [`bash ${MOUNTS.dbInit}/${shellQuote(scriptFile)}`],
    [
      `CREATE TABLE IF NOT EXISTS ${table} (script_sha256 CHAR(64) PRIMARY KEY, done_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);`,
      `INSERT IGNORE INTO ${table} (script_sha256) VALUES ('${scriptSha256}');`,
      `GRANT SELECT ON ${table} TO '${appUser}'@'%';`,
    ],
  ]);
}

/**
 * nginx container start: the first nameserver of resolv.conf (checked to be an IP address, IPv6
 * bracketed as nginx wants it) replaces the placeholder, then nginx runs in the foreground as the
 * image's own command does.
 */
export function nginxStartScript(): string {
  return assembleScript('k8s-nginx-start.sh', [
    [`resolv=${NGINX_PATHS.resolvConf}`],
    [`sed "s/${NAMESERVER_PLACEHOLDER}/$ns/g" ${NGINX_PATHS.template} > ${NGINX_PATHS.conf}`],
  ]);
}

/**
 * A db-init Job init container's command: copies an image's stock dbscripts into `target`.
 * @param role the image's role
 * @param flavor the analytics flavour (DAS images have another home)
 * @param target the directory (an emptyDir shared with the Job's container)
 */
export function copyDbScriptsScript(role: Role, flavor: AnalyticsFlavor, target: string): string {
  return `set -eu\ncp -R "\${WSO2_SERVER_HOME:-${productHome(role, flavor)}}/dbscripts" ${target}/`;
}
