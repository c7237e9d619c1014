/**
 * The boot script of an EC2 node: bash rendered from a structured list of steps.
 *
 * Runs as root at every boot (from the `wso2-pattern2-config` oneshot the user-data installs), so
 * every step is idempotent: a reboot or a re-run converges to the same tree. It can also run in a
 * SANDBOX: every absolute path is under `$ROOT` (default empty), and every external action
 * (package install, aws cli, curl, mount, user creation, ownership, systemctl) goes through one
 * small function calling one command, so a test puts logging fakes first on PATH, sets
 * `ROOT=<tmp>` and `PATTERN2_STUB=1` (skips the root check), and runs the script for real.
 *
 * The fixed parts (the actions, the helpers, the JDBC driver, shared file system and
 * configuration steps) are real files, `shell/ec2-boot-*.sh`, shellchecked on their own; the
 * deployment data reaches them through the generated header of `NAME='value'` lines.
 *
 * Pure: no Pulumi import; the platform renders it inside an apply over resolved values.
 */
import { AnalyticsFlavor, NodeId, ProductProcess, Role, SharedDirectory, Topology, node, nodesOf, processesFor, roleOfNode } from '../../topology';
import { shellAssignments, shellFile, shellQuote } from '../../config-templates/shell';
import type { DbWait } from './db-init-runner-script';
import { execStart, usesVaultStart, vaultStartInstallLines } from './vault-start';
import { passwordTmpSecret } from '../../config-templates/das-vault';

export interface BootScriptParams {
  /** The node the script is for. */
  nodeId: NodeId;
  /** The node's role (which product it runs). */
  role: Role;
  /** The analytics product of the stack (its processes, homes and shared trees). */
  flavor: AnalyticsFlavor;
  /** Product home on the node, e.g. `/opt/wso2/is`. */
  productHome: string;
  /** Product zip to install when the home is absent; unset with a pre-baked AMI. */
  packUrl?: string;
  /** dnf package of the JDK. */
  javaPackage: string;
  /** MySQL Connector/J jar URL (https or s3). */
  jdbcDriverUrl: string;
  /** SHA-256 of the jar (64 hex digits); when set, a download (or a jar already there) must match it. */
  jdbcDriverSha256?: string;
  /** Directory of the product home the JDBC driver goes into. */
  jdbcDriverDir: string;
  /** AWS region of the stack's bucket and secret. */
  region: string;
  /** Bucket of this node's delivered files. */
  bucket: string;
  /** Keys of this node's delivered files in the bucket. */
  keys: { changeSet: string; applier: string };
  /** ARN of the Secrets Manager secret (JSON in the applier's secrets-file format). */
  secretArn: string;
  /** ARN of this node's own key material secret (applier/keystore-material.ts document). */
  keysSecretArn: string;
  /** SHA-256 of the node's public certificates: changes the script (and so rolls the node) when its material is renewed. */
  keyMaterialDigest: string;
  /** EFS file system and this role's access point. */
  efs: { fileSystemId: string; accessPointId: string };
  /** Where the shared file system is mounted. */
  sharedMount: string;
  /** Shared trees of this node's role (topology `sharedDirectoriesFor`). */
  sharedDirectories: readonly SharedDirectory[];
  /** Processes to run as systemd units (topology `processesFor`). */
  processes: readonly ProductProcess[];
  /** Fixed uid/gid of the `wso2` user, equal on every node so files on the shared FS agree. */
  uid: number;
  /** What the databases step waits for: the db-init runner's record, read as this node's account. */
  dbWait: DbWait;
  /** Extra symlink to the product home (DAS: `ANALYTICS_HOME_LINK`). */
  homeLink?: string;
  /** Nodes 2 ... N of a role: what to wait for before the first start (`firstStartWait`); unset on node 1. */
  firstStart?: FirstStartWait;
}

/** How nodes 2 ... N of a role wait, on a fresh stack, for node 1's first start (shell/ec2-boot-first-start.sh). */
export interface FirstStartWait {
  /** The node waited for (node 1 of the role). */
  peer: NodeId;
  /** Its health URL: HTTPS on its first process's health port and path. */
  url: string;
  /** True when the process has no health path: any HTTP answer means up; else only 200. */
  anyStatus: boolean;
  /** Longest wait before starting anyway. */
  timeoutSeconds: number;
  /** Pause between two probes. */
  intervalSeconds: number;
}

/**
 * The bound of the first-start wait: node 1's first boot installs packages, downloads the pack,
 * runs db-init and then the product's first start against an empty database (minutes); the
 * config unit running the script allows an hour (user-data.ts), so 20 minutes leave room for the
 * rest of the script and a retry.
 */
export const FIRST_START_TIMEOUT_SECONDS = 1200;
export const FIRST_START_INTERVAL_SECONDS = 10;

/**
 * What node `id` waits for before its product's first start: nothing for node 1 of a role; for
 * any other node, node 1's first process (IS: Carbon's health path on the HTTPS port; SP analytics: the
 * worker's HTTPS port, any answer; DAS: Carbon's health path) at node 1's address in the model.
 */
export function firstStartWait(
  t: Topology,
  id: NodeId,
  flavor: AnalyticsFlavor,
  timing: Pick<FirstStartWait, 'timeoutSeconds' | 'intervalSeconds'> = { timeoutSeconds: FIRST_START_TIMEOUT_SECONDS, intervalSeconds: FIRST_START_INTERVAL_SECONDS },
): FirstStartWait | undefined {
  const role = roleOfNode(id);
  const peer = nodesOf(t, role)[0].id;
  if (peer === id) return undefined;
  const proc = processesFor(role, flavor)[0];
  const url = `https://${node(t, peer).address}:${t.ports[proc.healthPort]}${proc.healthPath ?? '/'}`;
  return { peer, url, anyStatus: proc.healthPath === undefined, ...timing };
}

/** The state directory of the boot script on the node (under ROOT). */
export const STATE_DIR = '/var/lib/wso2-pattern2';
/** Root-only helper writing a Carbon 4 node's password-tmp before each product start (shell/ec2-password-tmp.sh). */
export const PASSWORD_TMP_HELPER = `${STATE_DIR}/password-tmp.sh`;
/** Product homes on the nodes. */
export const PRODUCT_HOMES: Readonly<Record<Role, string>> = { is: '/opt/wso2/is', analytics: '/opt/wso2/analytics' };
/** systemd unit name of one product process. */
export function unitName(role: Role, p: ProductProcess): string {
  return `wso2-${role}-${p.name}.service`;
}

interface Step {
  title: string;
  lines: string[];
}

/**
 * The body of a boot-script fragment `shell/<name>`, as lines: everything after the file's first
 * blank line. The lines above it are the file's own header (what it reads, the shellcheck
 * directives that let it be checked on its own) and never reach the node.
 */
export function fragmentLines(name: string): string[] {
  const text = shellFile(name);
  const cut = text.indexOf('\n\n');
  const header = cut < 0 ? [] : text.slice(0, cut).split('\n');
  if (cut < 0 || header.some((l) => !l.startsWith('#')) || !text.endsWith('\n')) {
    throw new Error(`shell/${name}: a comment header, one blank line, then the body (ending in a newline) expected`);
  }
  return text.slice(cut + 2, -1).split('\n');
}

function unitFile(p: BootScriptParams, proc: ProductProcess): string[] {
  const vaultSecret = passwordTmpSecret(p.role, p.flavor);
  return [
    '[Unit]',
    `Description=WSO2 pattern 2 ${p.role} ${proc.name} (${p.nodeId})`,
    'Wants=network-online.target wso2-pattern2-config.service',
    'After=network-online.target wso2-pattern2-config.service remote-fs.target',
    // The shared trees are symlinks into the EFS mount: without it the product would deploy
    // into the empty mount point on the root disk, hidden once EFS mounts over it.
    'RequiresMountsFor=$SHARED',
    '',
    '[Service]',
    'Type=simple',
    'User=wso2',
    'Group=wso2',
    'Environment=JAVA_HOME=$JAVA_HOME_DIR',
    'WorkingDirectory=$HOME_DIR',
    // Carbon 4 (IS, DAS): Secure Vault's keystore password in $HOME_DIR/password-tmp before each start (Carbon wipes it).
    ...(vaultSecret ? [`ExecStartPre=+${PASSWORD_TMP_HELPER} $REGION $SECRET_ARN $HOME_DIR ${vaultSecret}`] : []),
    ...execStart(p.role, p.flavor, proc),
    'Restart=on-failure',
    'RestartSec=10',
    // Stop: SIGTERM to every process of the unit at once (control-group, systemd's default, made
    // explicit). The start scripts run java as a child of a loop, without exec: with `mixed` or
    // `process` only that shell would be signalled and the JVM killed at the timeout. SIGTERM runs
    // the JVM's shutdown hooks, Carbon's graceful shutdown among them: transports stopped, up to
    // 60 s for requests in flight, then the OSGi framework; 120 s leaves it as long again.
    'KillMode=control-group',
    'KillSignal=SIGTERM',
    'SuccessExitStatus=143',
    'TimeoutStopSec=120',
    'LimitNOFILE=65535',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
}

/** The services step: unit files written when changed, enabled, (re)started. */
function serviceLines(p: BootScriptParams): string[] {
  const unitLines: string[] = ['java_home', 'mkdir -p "$ROOT/etc/systemd/system"', 'units_changed=0', ...(usesVaultStart(p.role, p.flavor) ? vaultStartInstallLines() : [])];
  if (passwordTmpSecret(p.role, p.flavor)) {
    // The helper the Carbon 4 units run before each start (shell/ec2-password-tmp.sh), root-only.
    unitLines.push(`write_if_changed "$ROOT${PASSWORD_TMP_HELPER}" 0700 <<'HELPER' || true`, ...shellFile('ec2-password-tmp.sh').replace(/\n$/, '').split('\n'), 'HELPER');
  }
  for (const proc of p.processes) {
    const u = unitName(p.role, proc);
    unitLines.push(
      `write_if_changed "$ROOT/etc/systemd/system/${u}" 0644 <<UNIT && units_changed=1`,
      ...unitFile(p, proc),
      'UNIT',
    );
  }
  unitLines.push('[ "$units_changed" = 0 ] || svc daemon-reload');
  for (const proc of p.processes) {
    const u = unitName(p.role, proc);
    // --no-block: this script runs inside a unit the product units are ordered after.
    unitLines.push(`svc enable ${u}`, `svc --no-block restart ${u}`);
  }
  return unitLines;
}

function steps(p: BootScriptParams): Step[] {
  const out: Step[] = [];
  out.push({
    title: 'Packages: the JDK, node (runs the applier), unzip, the EFS mount helper, a MySQL client (the databases step)',
    lines: ['pkg_install "$JAVA_PACKAGE" nodejs unzip amazon-efs-utils mariadb105'],
  });
  out.push({
    title: 'The wso2 user (fixed uid: files on the shared FS have the same owner on every node)',
    lines: ['user_exists wso2 || add_user wso2 "$PRODUCT_HOME"'],
  });
  const firstCommand = p.processes[0].command;
  out.push({
    title: 'The product: unpacked once from the pack (nothing to do with a pre-baked AMI)',
    lines: [
      `if [ ! -e "$HOME_DIR/${firstCommand}" ]; then`,
      '  [ -n "$PACK_URL" ] || die "no product at $HOME_DIR and no pack URL"',
      '  log "installing the product from $PACK_URL"',
      '  rm -rf "$STATE/pack.zip" "$STATE/unpack"',
      '  fetch "$PACK_URL" "$STATE/pack.zip"',
      '  mkdir -p "$STATE/unpack" "${HOME_DIR%/*}"',
      '  unzip -q "$STATE/pack.zip" -d "$STATE/unpack"',
      '  top="$(find "$STATE/unpack" -mindepth 1 -maxdepth 1)"',
      '  if [ "$(printf \'%s\\n\' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top" ]; then die "the pack must hold one top-level directory"; fi',
      '  rm -rf "$HOME_DIR"',
      '  mv "$top" "$HOME_DIR"',
      '  rm -rf "$STATE/pack.zip" "$STATE/unpack"',
      'fi',
      `[ -e "$HOME_DIR/${firstCommand}" ] || die "$HOME_DIR/${firstCommand} is missing"`,
      ...(p.homeLink ? ['mkdir -p "${HOME_LINK%/*}"', '[ "$(readlink "$HOME_LINK" 2>/dev/null || true)" = "$HOME_DIR" ] || ln -sfn "$HOME_DIR" "$HOME_LINK"'] : []),
    ],
  });
  out.push({
    title: 'The MySQL JDBC driver in the product\'s lib directory',
    lines: fragmentLines('ec2-boot-jdbc-driver.sh'),
  });
  out.push({
    title: 'The shared file system: one fstab line (replaced, never duplicated), mounted',
    lines: fragmentLines('ec2-boot-shared-fs.sh'),
  });
  out.push({
    title: 'Shared trees: seeded once from the pack, product paths symlinked to them',
    lines: p.sharedDirectories.map((d) => `seed_shared ${shellQuote(d.name)} ${shellQuote(d.productPath)}`),
  });
  out.push({
    title: 'Configuration: this node\'s change set applied with its secrets filled in, in one pass (secrets in a 0600 temp file, removed on exit)',
    lines: fragmentLines('ec2-boot-configuration.sh'),
  });
  out.push({
    title: 'Keystores: built from this node\'s key material with keytool before the product starts (material in a 0600 temp file, removed on exit)',
    lines: fragmentLines('ec2-boot-keystores.sh'),
  });
  out.push({
    title: 'Databases: wait until the db-init runner has initialised them for this configuration (as this node\'s own account)',
    lines: fragmentLines('ec2-boot-db-wait.sh'),
  });
  out.push({
    title: 'Ownership: the product home and the shared trees belong to wso2',
    lines: ['set_owner "$HOME_DIR/" ' + p.sharedDirectories.map((d) => `"$SHARED/"${shellQuote(d.name)}`).join(' ')],
  });
  if (p.firstStart) {
    out.push({ title: `First start: on a fresh stack, wait for ${p.firstStart.peer} to finish its first start`, lines: fragmentLines('ec2-boot-first-start.sh') });
  }
  out.push({ title: 'Services: one systemd unit per product process, (re)started with the new configuration', lines: serviceLines(p) });
  return out;
}

/** The complete script for one node. */
export function renderBootScript(p: BootScriptParams): string {
  if (p.jdbcDriverSha256 !== undefined && !/^[0-9a-f]{64}$/.test(p.jdbcDriverSha256)) throw new Error('jdbcDriverSha256: 64 lower-case hex digits expected');
  if (!/^[0-9a-f]{64}$/.test(p.keyMaterialDigest)) throw new Error('keyMaterialDigest: 64 lower-case hex digits expected');
  if (!/^[0-9a-f]{64}$/.test(p.dbWait.scriptSha256)) throw new Error('dbWait.scriptSha256: 64 lower-case hex digits expected');
  if (!/^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(p.dbWait.recordTable) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(p.dbWait.user)) throw new Error('dbWait: bad table or user name');
  // The generated header: the deployment data the fixed fragments read.
  const header: Record<string, string> = {
    NODE_ID: p.nodeId,
    REGION: p.region,
    PRODUCT_HOME: p.productHome,
    PACK_URL: p.packUrl ?? '',
    JAVA_PACKAGE: p.javaPackage,
    JDBC_DRIVER_URL: p.jdbcDriverUrl,
    JDBC_DRIVER_SHA256: p.jdbcDriverSha256 ?? '',
    JDBC_DRIVER_DIR: p.jdbcDriverDir,
    BUCKET: p.bucket,
    CHANGE_SET_KEY: p.keys.changeSet,
    APPLIER_KEY: p.keys.applier,
    SECRET_ARN: p.secretArn,
    KEYS_SECRET_ARN: p.keysSecretArn,
    KEY_MATERIAL_DIGEST: p.keyMaterialDigest,
    EFS_ID: p.efs.fileSystemId,
    EFS_ACCESS_POINT: p.efs.accessPointId,
    SHARED_MOUNT: p.sharedMount,
    WSO2_UID: String(p.uid),
    DB_HOST: p.dbWait.host,
    DB_PORT: String(p.dbWait.port),
    DB_USER: p.dbWait.user,
    DB_INIT_RECORD_TABLE: p.dbWait.recordTable,
    DB_INIT_SHA256: p.dbWait.scriptSha256,
    DB_WAIT_TIMEOUT: String(p.dbWait.timeoutSeconds),
    DB_WAIT_INTERVAL: String(p.dbWait.intervalSeconds),
  };
  if (p.homeLink) header.HOME_LINK_PATH = p.homeLink;
  if (p.firstStart) {
    const w = p.firstStart;
    if (!Number.isInteger(w.timeoutSeconds) || w.timeoutSeconds < 0 || !Number.isInteger(w.intervalSeconds) || w.intervalSeconds < 1) {
      throw new Error('firstStart: whole seconds expected (timeout >= 0, interval >= 1)');
    }
    Object.assign(header, {
      PEER_NODE_ID: w.peer,
      PEER_HEALTH_URL: w.url,
      PEER_HEALTH_ANY: w.anyStatus ? '1' : '0',
      FIRST_START_TIMEOUT: String(w.timeoutSeconds),
      FIRST_START_INTERVAL: String(w.intervalSeconds),
    });
  }
  const lines: string[] = [
    '#!/bin/bash',
    `# WSO2 pattern 2: boot script of ${p.nodeId} (rendered by the Pulumi program; edits on the node are overwritten).`,
    '# Idempotent; runs at every boot. ROOT prefixes every absolute path (sandbox tests).',
    'set -euo pipefail',
    'umask 022',
    'ROOT="${ROOT:-}"',
    ...shellAssignments(header),
    `HOME_DIR="$ROOT$PRODUCT_HOME"`,
    'SHARED="$ROOT$SHARED_MOUNT"',
    `STATE="$ROOT${STATE_DIR}"`,
    ...(p.homeLink ? ['HOME_LINK="$ROOT$HOME_LINK_PATH"'] : []),
    '',
    '# ---- external actions (one command each; tests fake them on PATH) ----',
    ...fragmentLines('ec2-boot-actions.sh'),
    '',
    '# ---- helpers ----',
    ...fragmentLines('ec2-boot-helpers.sh'),
    '',
    'if [ "${PATTERN2_STUB:-0}" != 1 ] && [ "$(id -u)" != 0 ]; then die "must run as root"; fi',
    'mkdir -p "$STATE"',
    'chmod 0700 "$STATE"',
  ];
  steps(p).forEach((s, i) => {
    lines.push('', `# ---- ${i + 1}. ${s.title} ----`, `log ${shellQuote(`step ${i + 1}: ${s.title}`)}`, ...s.lines);
  });
  lines.push('', 'log "boot script finished"', '');
  return lines.join('\n');
}
