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
 * Pure: no Pulumi import; the platform renders it inside an apply over resolved values.
 */
import { AnalyticsFlavor, NodeId, ProductProcess, Role, SharedDirectory } from '../../topology';

export interface BootScriptParams {
  nodeId: NodeId;
  role: Role;
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
  region: string;
  /** Bucket and keys of this node's delivered files. */
  bucket: string;
  keys: { changeSet: string; applier: string; dbInit: string };
  /** ARN of the Secrets Manager secret (JSON in the applier's secrets-file format). */
  secretArn: string;
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
  /** Database master user (its password comes from the secret). */
  dbMasterUser: string;
  /** Extra symlink to the product home (DAS: `ANALYTICS_HOME_LINK`). */
  homeLink?: string;
}

/** The state directory of the boot script on the node (under ROOT). */
export const STATE_DIR = '/var/lib/wso2-pattern2';
/** systemd unit name of one product process. */
export function unitName(role: Role, p: ProductProcess): string {
  return `wso2-${role}-${p.name}.service`;
}

/** Single-quotes a value for bash. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface Step {
  title: string;
  lines: string[];
}

/** External actions: one command each, so a test can fake them on PATH. */
const ACTIONS: string[] = [
  'pkg_install() { dnf install -y "$@"; }',
  'aws_s3_get() { aws s3 cp --only-show-errors --region "$REGION" "$1" "$2"; }',
  'http_get() { curl -fsSL --retry 5 -o "$2" "$1"; }',
  'read_secret() { aws secretsmanager get-secret-value --region "$REGION" --secret-id "$SECRET_ARN" --query SecretString --output text; }',
  'user_exists() { id -u "$1" >/dev/null 2>&1; }',
  'add_user() { useradd --system --uid "$WSO2_UID" --user-group --home-dir "$2" --no-create-home --shell /sbin/nologin "$1"; }',
  'set_owner() { chown -R "$WSO2_UID:$WSO2_UID" "$@"; }',
  'is_mounted() { mountpoint -q "$1"; }',
  'mount_fs() { mount "$1"; }',
  'svc() { systemctl "$@"; }',
];

/** Shell helpers built on the actions; no external effects of their own beyond the file tree. */
const HELPERS: string[] = [
  `log() { printf '%s wso2-pattern2[%s]: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NODE_ID" "$*" >&2; }`,
  'die() { log "ERROR: $*"; exit 1; }',
  '',
  '# fetch URL DEST: s3:// through the instance profile, anything else over http(s).',
  'fetch() {',
  '  case "$1" in',
  '    s3://*) aws_s3_get "$1" "$2" ;;',
  '    *) http_get "$1" "$2" ;;',
  '  esac',
  '}',
  '',
  '# write_if_changed FILE MODE: stdin to FILE when the content differs; status 0 when written.',
  'write_if_changed() {',
  '  local tmp',
  '  tmp="$(mktemp "$1.XXXXXX")"',
  '  cat >"$tmp"',
  '  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi',
  '  chmod "$2" "$tmp"',
  '  mv -f "$tmp" "$1"',
  '}',
  '',
  '# json_field FILE KEY: one string field of a JSON file on stdout (the secrets file).',
  'json_field() {',
  `  node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]; if (typeof v !== "string") process.exit(3); process.stdout.write(v);' "$1" "$2"`,
  '}',
  '',
  '# seed_shared NAME PRODUCT_PATH: the shared tree NAME, seeded once from the pack, and the',
  '# product path replaced by a symlink to it (seed 000: a symlink, not a mount, so redeploying',
  '# the product never mounts into a missing path).',
  'seed_shared() {',
  '  local name="$1" target="$HOME_DIR/$2" shared="$SHARED/$1"',
  '  mkdir -p "$shared"',
  '  # One node seeds; the other waits on the lock and then finds the marker. The lock is',
  '  # flock on the shared FS (NFSv4 locks, released if the holder dies).',
  '  (',
  '    flock -w 600 9 || die "timed out waiting for the seed lock of $name"',
  '    if [ ! -e "$shared/.seeded" ]; then',
  '      if [ -z "$(ls -A "$shared")" ] && [ -d "$target" ] && [ ! -L "$target" ]; then',
  '        log "seeding shared $name from $target"',
  '        cp -a "$target/." "$shared/"',
  '      else',
  '        log "shared $name already has content or the pack has none; not seeding"',
  '      fi',
  '      printf \'%s\\n\' "$NODE_ID" >"$shared/.seeded"',
  '    fi',
  '  ) 9>"$SHARED/.seed-$name.lock"',
  '  if [ -L "$target" ]; then',
  '    [ "$(readlink "$target")" = "$shared" ] && return 0',
  '    rm -f "$target"',
  '  elif [ -e "$target" ]; then',
  '    # Keep the pack\'s own copy out of the way once, for reference; never merged back.',
  '    rm -rf "$target.pack"',
  '    mv "$target" "$target.pack"',
  '  fi',
  '  mkdir -p "$(dirname "$target")"',
  '  ln -s "$shared" "$target"',
  '  log "linked $target -> $shared"',
  '}',
  '',
  '# java_home: JAVA_HOME of the installed JDK (the directory above bin/java, above jre/ if any).',
  'java_home() {',
  '  local java dir',
  '  java="$(command -v java)" || die "java is not installed"',
  '  dir="$(dirname "$(dirname "$(readlink -f "$java")")")"',
  '  case "$dir" in */jre) dir="$(dirname "$dir")" ;; esac',
  '  printf \'%s\\n\' "$dir"',
  '}',
];

function unitFile(p: BootScriptParams, proc: ProductProcess): string[] {
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
    `ExecStart=$HOME_DIR/${proc.command}`,
    'Restart=on-failure',
    'RestartSec=10',
    'SuccessExitStatus=143',
    'TimeoutStopSec=120',
    'LimitNOFILE=65535',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
}

function steps(p: BootScriptParams): Step[] {
  const out: Step[] = [];
  out.push({
    title: 'Packages: the JDK, node (runs the applier), unzip, the EFS mount helper, a MySQL client (db-init), cmp (unit files)',
    // diffutils: write_if_changed compares with cmp, which an AL2023 image need not carry.
    lines: ['pkg_install "$JAVA_PACKAGE" nodejs unzip amazon-efs-utils mariadb105 diffutils'],
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
      '  mkdir -p "$STATE/unpack" "$(dirname "$HOME_DIR")"',
      '  unzip -q "$STATE/pack.zip" -d "$STATE/unpack"',
      '  top="$(find "$STATE/unpack" -mindepth 1 -maxdepth 1)"',
      '  if [ "$(printf \'%s\\n\' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top" ]; then die "the pack must hold one top-level directory"; fi',
      '  rm -rf "$HOME_DIR"',
      '  mv "$top" "$HOME_DIR"',
      '  rm -rf "$STATE/pack.zip" "$STATE/unpack"',
      'fi',
      `[ -e "$HOME_DIR/${firstCommand}" ] || die "$HOME_DIR/${firstCommand} is missing"`,
      ...(p.homeLink ? ['mkdir -p "$(dirname "$HOME_LINK")"', '[ "$(readlink "$HOME_LINK" 2>/dev/null || true)" = "$HOME_DIR" ] || ln -sfn "$HOME_DIR" "$HOME_LINK"'] : []),
    ],
  });
  out.push({
    title: 'The MySQL JDBC driver in the product\'s lib directory',
    lines: [
      'driver="$HOME_DIR/$JDBC_DRIVER_DIR/$(basename "$JDBC_DRIVER_URL")"',
      '# sha256_ok FILE: true when no checksum is configured or FILE has it.',
      'sha256_ok() { [ -z "$JDBC_DRIVER_SHA256" ] || printf \'%s  %s\\n\' "$JDBC_DRIVER_SHA256" "$1" | sha256sum -c --status -; }',
      '# A jar already there is kept only if it still matches: a changed checksum means another jar.',
      'if [ ! -s "$driver" ] || ! sha256_ok "$driver"; then',
      '  rm -f "$driver" "$driver.part"',
      '  mkdir -p "$(dirname "$driver")"',
      '  fetch "$JDBC_DRIVER_URL" "$driver.part"',
      '  if ! sha256_ok "$driver.part"; then',
      '    rm -f "$driver.part"',
      '    die "the SHA-256 of $JDBC_DRIVER_URL is not $JDBC_DRIVER_SHA256"',
      '  fi',
      '  mv -f "$driver.part" "$driver"',
      '  log "JDBC driver installed from $JDBC_DRIVER_URL${JDBC_DRIVER_SHA256:+ (SHA-256 verified)}"',
      'fi',
    ],
  });
  out.push({
    title: 'The shared file system: one fstab line (replaced, never duplicated), mounted',
    lines: [
      'mkdir -p "$SHARED" "$ROOT/etc"',
      'touch "$ROOT/etc/fstab"',
      'fstab_line="$EFS_ID:/ $SHARED_MOUNT efs _netdev,noresvport,tls,accesspoint=$EFS_ACCESS_POINT 0 0"',
      'if ! grep -qxF "$fstab_line" "$ROOT/etc/fstab"; then',
      '  awk -v m="$SHARED_MOUNT" \'$2 != m\' "$ROOT/etc/fstab" >"$ROOT/etc/fstab.new"',
      '  printf \'%s\\n\' "$fstab_line" >>"$ROOT/etc/fstab.new"',
      '  mv -f "$ROOT/etc/fstab.new" "$ROOT/etc/fstab"',
      'fi',
      'is_mounted "$SHARED" || mount_fs "$SHARED"',
    ],
  });
  out.push({
    title: 'Shared trees: seeded once from the pack, product paths symlinked to them',
    lines: p.sharedDirectories.map((d) => `seed_shared ${sq(d.name)} ${sq(d.productPath)}`),
  });
  out.push({
    title: 'Configuration: this node\'s change set applied with its secrets filled in, in one pass (secrets in a 0600 temp file, removed on exit)',
    lines: [
      'aws_s3_get "s3://$BUCKET/$CHANGE_SET_KEY" "$STATE/change-set.json"',
      'aws_s3_get "s3://$BUCKET/$APPLIER_KEY" "$STATE/applier.js"',
      'aws_s3_get "s3://$BUCKET/$DB_INIT_KEY" "$STATE/db-init.sh"',
      'secrets_file="$(umask 077 && mktemp "$STATE/secrets.XXXXXX")"',
      'trap \'rm -f "$secrets_file"\' EXIT',
      'read_secret >"$secrets_file"',
      '# Filled in memory before the comparison with the disk: a file is replaced (one rename, its',
      '# owner kept) only when its filled content changed, so a running node next to a shared tree',
      '# never sees a placeholder, and an unchanged reboot rewrites nothing. Every file holding a',
      '# placeholder comes from the change set, so the one apply step fills them all.',
      'node "$STATE/applier.js" apply --home "$HOME_DIR" --changes "$STATE/change-set.json" --secrets-file "$secrets_file"',
    ],
  });
  const homeVar = p.role === 'is' ? 'WSO2_IS_HOME' : 'WSO2_ANALYTICS_HOME';
  out.push({
    title: 'Databases: db-init on every node at every boot (idempotent and concurrency-safe; converges a rotated password)',
    lines: [
      '(',
      '  DB_MASTER_PASSWORD="$(json_field "$secrets_file" db_master_password)"',
      '  DB_APP_PASSWORD="$(json_field "$secrets_file" db_password)"',
      `  ${homeVar}="$HOME_DIR"`,
      `  export DB_MASTER_USER DB_MASTER_PASSWORD DB_APP_PASSWORD ${homeVar}`,
      '  bash "$STATE/db-init.sh"',
      ')',
      'rm -f "$secrets_file"',
    ],
  });
  out.push({
    title: 'Ownership: the product home and the shared trees belong to wso2',
    lines: ['set_owner "$HOME_DIR/" ' + p.sharedDirectories.map((d) => `"$SHARED/"${sq(d.name)}`).join(' ')],
  });
  const unitLines: string[] = ['JAVA_HOME_DIR="$(java_home)"', 'mkdir -p "$ROOT/etc/systemd/system"', 'units_changed=0'];
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
  out.push({ title: 'Services: one systemd unit per product process, (re)started with the new configuration', lines: unitLines });
  return out;
}

/** The complete script for one node. */
export function renderBootScript(p: BootScriptParams): string {
  if (p.jdbcDriverSha256 !== undefined && !/^[0-9a-f]{64}$/.test(p.jdbcDriverSha256)) throw new Error('jdbcDriverSha256: 64 lower-case hex digits expected');
  const vars: [string, string][] = [
    ['NODE_ID', p.nodeId],
    ['REGION', p.region],
    ['PRODUCT_HOME', p.productHome],
    ['PACK_URL', p.packUrl ?? ''],
    ['JAVA_PACKAGE', p.javaPackage],
    ['JDBC_DRIVER_URL', p.jdbcDriverUrl],
    ['JDBC_DRIVER_SHA256', p.jdbcDriverSha256 ?? ''],
    ['JDBC_DRIVER_DIR', p.jdbcDriverDir],
    ['BUCKET', p.bucket],
    ['CHANGE_SET_KEY', p.keys.changeSet],
    ['APPLIER_KEY', p.keys.applier],
    ['DB_INIT_KEY', p.keys.dbInit],
    ['SECRET_ARN', p.secretArn],
    ['EFS_ID', p.efs.fileSystemId],
    ['EFS_ACCESS_POINT', p.efs.accessPointId],
    ['SHARED_MOUNT', p.sharedMount],
    ['WSO2_UID', String(p.uid)],
    ['DB_MASTER_USER', p.dbMasterUser],
  ];
  if (p.homeLink) vars.push(['HOME_LINK_PATH', p.homeLink]);
  const lines: string[] = [
    '#!/bin/bash',
    `# WSO2 pattern 2: boot script of ${p.nodeId} (rendered by the Pulumi program; edits on the node are overwritten).`,
    '# Idempotent; runs at every boot. ROOT prefixes every absolute path (sandbox tests).',
    'set -euo pipefail',
    'umask 022',
    'ROOT="${ROOT:-}"',
    ...vars.map(([k, v]) => `${k}=${sq(v)}`),
    `HOME_DIR="$ROOT$PRODUCT_HOME"`,
    'SHARED="$ROOT$SHARED_MOUNT"',
    `STATE="$ROOT${STATE_DIR}"`,
    ...(p.homeLink ? ['HOME_LINK="$ROOT$HOME_LINK_PATH"'] : []),
    '',
    '# ---- external actions (one command each; tests fake them on PATH) ----',
    ...ACTIONS,
    '',
    '# ---- helpers ----',
    ...HELPERS,
    '',
    'if [ "${PATTERN2_STUB:-0}" != 1 ] && [ "$(id -u)" != 0 ]; then die "must run as root"; fi',
    'mkdir -p "$STATE"',
    'chmod 0700 "$STATE"',
  ];
  steps(p).forEach((s, i) => {
    lines.push('', `# ---- ${i + 1}. ${s.title} ----`, `log ${sq(`step ${i + 1}: ${s.title}`)}`, ...s.lines);
  });
  lines.push('', 'log "boot script finished"', '');
  return lines.join('\n');
}
