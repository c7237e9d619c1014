#!/bin/bash
# WSO2 pattern 2: boot script of is-1 (rendered by the Pulumi program; edits on the node are overwritten).
# Idempotent; runs at every boot. ROOT prefixes every absolute path (sandbox tests).
set -euo pipefail
umask 022
ROOT="${ROOT:-}"
NODE_ID='is-1'
REGION='eu-west-1'
PRODUCT_HOME='/opt/wso2/is'
PACK_URL='s3://wso2-packs-example/wso2is-5.8.0.zip'
JAVA_PACKAGE='java-1.8.0-amazon-corretto-devel'
JDBC_DRIVER_URL='https://repo1.maven.org/maven2/mysql/mysql-connector-java/5.1.49/mysql-connector-java-5.1.49.jar'
JDBC_DRIVER_SHA256=''
JDBC_DRIVER_DIR='repository/components/lib'
BUCKET='wso2is-ec2-config-dae7af3'
CHANGE_SET_KEY='nodes/is-1/change-set.json'
APPLIER_KEY='nodes/is-1/applier.js'
SECRET_ARN='arn:aws:secretsmanager:eu-west-1:123456789012:secret:wso2is-ec2-secrets-secret-b0435e'
KEYS_SECRET_ARN='arn:aws:secretsmanager:eu-west-1:123456789012:secret:wso2is-ec2-is-1-keys-secret-b187f8'
KEY_MATERIAL_DIGEST='12694fb865cf5689159d26b75fd2f6011d67b24c338569ef351b647a5a8eeb59'
EFS_ID='fs-6468c6f11e4f0dcd1'
EFS_ACCESS_POINT='fsap-e005fc614f69a1187'
SHARED_MOUNT='/mnt/wso2-shared'
WSO2_UID='802'
DB_HOST='wso2is-ec2-db-instance.c46c07abe099.eu-west-1.rds.amazonaws.com'
DB_PORT='3306'
DB_USER='wso2'
DB_INIT_RECORD_TABLE='WSO2_PATTERN2_META.ec2_db_init_done'
DB_INIT_SHA256='17b50720c0e7ff532282c74c7715e8c599e0a233604011a8900dbaba52e5fba7'
DB_WAIT_TIMEOUT='1200'
DB_WAIT_INTERVAL='10'
HOME_DIR="$ROOT$PRODUCT_HOME"
SHARED="$ROOT$SHARED_MOUNT"
STATE="$ROOT/var/lib/wso2-pattern2"

# ---- external actions (one command each; tests fake them on PATH) ----
pkg_install() { dnf install -y "$@"; }
aws_s3_get() { aws s3 cp --only-show-errors --region "$REGION" "$1" "$2"; }
http_get() { curl -fsSL --retry 5 -o "$2" "$1"; }
# probe_health URL: the HTTP status a peer's health URL answers ("000": no answer). Not verified:
# the peer serves the product's own self-signed certificate, and only "is it up" is asked.
probe_health() { curl -ks -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 10 "$1"; }
read_secret() { aws secretsmanager get-secret-value --region "$REGION" --secret-id "$SECRET_ARN" --query SecretString --output text; }
read_node_keys() { aws secretsmanager get-secret-value --region "$REGION" --secret-id "$KEYS_SECRET_ARN" --query SecretString --output text; }
user_exists() { id -u "$1" >/dev/null 2>&1; }
add_user() { useradd --system --uid "$WSO2_UID" --user-group --home-dir "$2" --no-create-home --shell /sbin/nologin "$1"; }
set_owner() { chown -R "$WSO2_UID:$WSO2_UID" "$@"; }
is_mounted() { mountpoint -q "$1"; }
mount_fs() { mount "$1"; }
svc() { systemctl "$@"; }
# db_query OPTION_FILE SQL: one value, as the account of the option file (a MySQL or MariaDB client).
db_query() { if command -v mysql >/dev/null 2>&1; then mysql --defaults-extra-file="$1" --ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert --connect-timeout=5 -h "$DB_HOST" -P "$DB_PORT" -N -B -e "$2"; else mariadb --defaults-extra-file="$1" --ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert --connect-timeout=5 -h "$DB_HOST" -P "$DB_PORT" -N -B -e "$2"; fi; }

# ---- helpers ----
# The time from bash's own printf (TZ=UTC for it alone: `date -u`'s format) rather than a date
# process per line.
log() { TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T wso2-pattern2[%s]: %s\n' -1 "$NODE_ID" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# fetch URL DEST: s3:// through the instance profile, anything else over http(s).
fetch() {
  case "$1" in
    s3://*) aws_s3_get "$1" "$2" ;;
    *) http_get "$1" "$2" ;;
  esac
}

# write_if_changed FILE MODE: stdin (text) to FILE when the content differs; status 0 when written,
# 1 when unchanged; a text it cannot write ends the boot (callers read 1 as "nothing to do").
# Read and compared by bash itself, so an unchanged file (every reboot) costs no process. A read
# that stops at a NUL (status 0) met one: in the old file, not our text, so not equal; in stdin,
# bash could not keep it, so refused. The new text goes to a fresh mktemp file (0600 until
# chmod), moved into place whole.
write_if_changed() {
  local new old='' tmp
  if IFS= read -r -d '' new; then die "write_if_changed $1: the text holds a NUL byte"; fi
  if [ -f "$1" ] && ! IFS= read -r -d '' old <"$1" && [ "$new" = "$old" ]; then return 1; fi
  tmp=$(mktemp "$1.XXXXXX") || die "cannot create a temporary file beside $1"
  { printf '%s' "$new" >"$tmp" && chmod "$2" "$tmp" && mv -f "$tmp" "$1"; } || {
    rm -f "$tmp"
    die "cannot write $1"
  }
}

# seed_shared NAME PRODUCT_PATH: the shared tree NAME, seeded once from the pack, and the
# product path replaced by a symlink to it (seed 000: a symlink, not a mount, so redeploying
# the product never mounts into a missing path).
seed_shared() {
  local name="$1" target="$HOME_DIR/$2" shared="$SHARED/$1"
  # The marker is written last, under the lock: once it is there (every boot but the first of
  # the stack), there is nothing to wait for and no lock to take.
  if [ ! -e "$shared/.seeded" ]; then
    mkdir -p "$shared"
    # One node seeds; the other waits on the lock and then finds the marker. The lock is
    # flock on the shared FS (NFSv4 locks, released if the holder dies).
    (
      flock -w 600 9 || die "timed out waiting for the seed lock of $name"
      if [ ! -e "$shared/.seeded" ]; then
        if [ -z "$(ls -A "$shared")" ] && [ -d "$target" ] && [ ! -L "$target" ]; then
          log "seeding shared $name from $target"
          cp -a "$target/." "$shared/"
        else
          log "shared $name already has content or the pack has none; not seeding"
        fi
        printf '%s\n' "$NODE_ID" >"$shared/.seeded"
      fi
    ) 9>"$SHARED/.seed-$name.lock"
  fi
  if [ -L "$target" ]; then
    [ "$(readlink "$target")" = "$shared" ] && return 0
    rm -f "$target"
  elif [ -e "$target" ]; then
    # Keep the pack's own copy out of the way once, for reference; never merged back.
    rm -rf "$target.pack"
    mv "$target" "$target.pack"
  fi
  mkdir -p "${target%/*}"
  ln -s "$shared" "$target"
  log "linked $target -> $shared"
}

# java_home: JAVA_HOME_DIR set to JAVA_HOME of the installed JDK (the directory above bin/java,
# above jre/ if any); looked up once per run.
JAVA_HOME_DIR=''
java_home() {
  [ -z "$JAVA_HOME_DIR" ] || return 0
  local java dir
  java="$(command -v java)" || die "java is not installed"
  dir="$(readlink -f "$java")"
  # dirname as an expansion (readlink -f gives an absolute path; empty means /), twice, thrice above jre/.
  dir="${dir%/*}"
  dir="${dir%/*}"
  case "$dir" in */jre) dir="${dir%/jre}" ;; esac
  JAVA_HOME_DIR="${dir:-/}"
}

if [ "${PATTERN2_STUB:-0}" != 1 ] && [ "$(id -u)" != 0 ]; then die "must run as root"; fi
mkdir -p "$STATE"
chmod 0700 "$STATE"

# ---- 1. Packages: the JDK, node (runs the applier), unzip, the EFS mount helper, a MySQL client (the databases step) ----
log 'step 1: Packages: the JDK, node (runs the applier), unzip, the EFS mount helper, a MySQL client (the databases step)'
pkg_install "$JAVA_PACKAGE" nodejs unzip amazon-efs-utils mariadb105

# ---- 2. The wso2 user (fixed uid: files on the shared FS have the same owner on every node) ----
log 'step 2: The wso2 user (fixed uid: files on the shared FS have the same owner on every node)'
user_exists wso2 || add_user wso2 "$PRODUCT_HOME"

# ---- 3. The product: unpacked once from the pack (nothing to do with a pre-baked AMI) ----
log 'step 3: The product: unpacked once from the pack (nothing to do with a pre-baked AMI)'
if [ ! -e "$HOME_DIR/bin/wso2server.sh" ]; then
  [ -n "$PACK_URL" ] || die "no product at $HOME_DIR and no pack URL"
  log "installing the product from $PACK_URL"
  rm -rf "$STATE/pack.zip" "$STATE/unpack"
  fetch "$PACK_URL" "$STATE/pack.zip"
  mkdir -p "$STATE/unpack" "${HOME_DIR%/*}"
  unzip -q "$STATE/pack.zip" -d "$STATE/unpack"
  top="$(find "$STATE/unpack" -mindepth 1 -maxdepth 1)"
  if [ "$(printf '%s\n' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top" ]; then die "the pack must hold one top-level directory"; fi
  rm -rf "$HOME_DIR"
  mv "$top" "$HOME_DIR"
  rm -rf "$STATE/pack.zip" "$STATE/unpack"
fi
[ -e "$HOME_DIR/bin/wso2server.sh" ] || die "$HOME_DIR/bin/wso2server.sh is missing"

# ---- 4. The MySQL JDBC driver in the product's lib directory ----
log 'step 4: The MySQL JDBC driver in the product'\''s lib directory'
# The URL's last segment (config/schema.ts: the jar name after a slash), as basename would give it.
driver="$HOME_DIR/$JDBC_DRIVER_DIR/${JDBC_DRIVER_URL##*/}"
# sha256_ok FILE: true when no checksum is configured or FILE has it.
sha256_ok() { [ -z "$JDBC_DRIVER_SHA256" ] || sha256sum -c --status - <<<"$JDBC_DRIVER_SHA256  $1"; }
# A jar already there is kept only if it still matches: a changed checksum means another jar.
if [ ! -s "$driver" ] || ! sha256_ok "$driver"; then
  rm -f "$driver" "$driver.part"
  mkdir -p "${driver%/*}"
  fetch "$JDBC_DRIVER_URL" "$driver.part"
  if ! sha256_ok "$driver.part"; then
    rm -f "$driver.part"
    die "the SHA-256 of $JDBC_DRIVER_URL is not $JDBC_DRIVER_SHA256"
  fi
  mv -f "$driver.part" "$driver"
  log "JDBC driver installed from $JDBC_DRIVER_URL${JDBC_DRIVER_SHA256:+ (SHA-256 verified)}"
fi

# ---- 5. The shared file system: one fstab line (replaced, never duplicated), mounted ----
log 'step 5: The shared file system: one fstab line (replaced, never duplicated), mounted'
mkdir -p "$SHARED" "$ROOT/etc"
touch "$ROOT/etc/fstab"
fstab_line="$EFS_ID:/ $SHARED_MOUNT efs _netdev,noresvport,tls,accesspoint=$EFS_ACCESS_POINT 0 0"
if ! grep -qxF "$fstab_line" "$ROOT/etc/fstab"; then
  awk -v m="$SHARED_MOUNT" '$2 != m' "$ROOT/etc/fstab" >"$ROOT/etc/fstab.new"
  printf '%s\n' "$fstab_line" >>"$ROOT/etc/fstab.new"
  mv -f "$ROOT/etc/fstab.new" "$ROOT/etc/fstab"
fi
is_mounted "$SHARED" || mount_fs "$SHARED"

# ---- 6. Shared trees: seeded once from the pack, product paths symlinked to them ----
log 'step 6: Shared trees: seeded once from the pack, product paths symlinked to them'
seed_shared 'Deployment' 'repository/deployment'
seed_shared 'Tenants' 'repository/tenants'

# ---- 7. Configuration: this node's change set applied with its secrets filled in, in one pass (secrets in a 0600 temp file, removed on exit) ----
log 'step 7: Configuration: this node'\''s change set applied with its secrets filled in, in one pass (secrets in a 0600 temp file, removed on exit)'
aws_s3_get "s3://$BUCKET/$CHANGE_SET_KEY" "$STATE/change-set.json"
aws_s3_get "s3://$BUCKET/$APPLIER_KEY" "$STATE/applier.js"
secrets_file="$(umask 077 && mktemp "$STATE/secrets.XXXXXX")"
keys_file="$(umask 077 && mktemp "$STATE/keys.XXXXXX")"
trap 'rm -f "$secrets_file" "$keys_file"' EXIT
read_secret >"$secrets_file"
# The node's key material: its TLS certificate encrypts the analytics Secure Vault entries (apply),
# then the keystores step builds the stores from the same file.
read_node_keys >"$keys_file"
# Filled in memory before the comparison with the disk: a file is replaced (one rename, its
# owner kept) only when its filled content changed, so a running node next to a shared tree
# never sees a placeholder, and an unchanged reboot rewrites nothing. Every file holding a
# placeholder comes from the change set, so the one apply step fills them all.
node "$STATE/applier.js" apply --home "$HOME_DIR" --changes "$STATE/change-set.json" --secrets-file "$secrets_file" --material "$keys_file"

# ---- 8. Keystores: built from this node's key material with keytool before the product starts (material in a 0600 temp file, removed on exit) ----
log 'step 8: Keystores: built from this node'\''s key material with keytool before the product starts (material in a 0600 temp file, removed on exit)'
log "keystores: material of certificates $KEY_MATERIAL_DIGEST"
# keytool is the JDK's (JAVA_HOME); unchanged material and intact stores: nothing is written.
java_home
JAVA_HOME="$JAVA_HOME_DIR" node "$STATE/applier.js" keystores --home "$HOME_DIR" --material "$keys_file"
rm -f "$keys_file"

# ---- 9. Databases: wait until the db-init runner has initialised them for this configuration (as this node's own account) ----
log 'step 9: Databases: wait until the db-init runner has initialised them for this configuration (as this node'\''s own account)'
db_opts="$(umask 077 && mktemp "$STATE/db.XXXXXX")"
trap 'rm -f "$secrets_file" "$db_opts" "$db_opts.err"' EXIT
DB_SSL_CA="$STATE/rds-ca.pem"
# One node start: the account's option file (its password escaped as the client reads option
# values: a password may hold a backslash, a double quote or a line break) and the RDS CA bundle.
node "$STATE/applier.js" db-client --secrets-file "$secrets_file" --user "$DB_USER" --options "$db_opts" --ca rds --ca-out "$DB_SSL_CA"
rm -f "$secrets_file"
record_query="SELECT COUNT(*) FROM $DB_INIT_RECORD_TABLE WHERE script_sha256='$DB_INIT_SHA256'"
wait_start=$SECONDS
until [ "$(db_query "$db_opts" "$record_query" 2>"$db_opts.err" || true)" = 1 ]; do
  if [ $((SECONDS - wait_start)) -ge "$DB_WAIT_TIMEOUT" ]; then
    # The client's last error (a refused certificate, say) says more than the wait did.
    die "the db-init runner has not recorded script $DB_INIT_SHA256 within ${DB_WAIT_TIMEOUT}s (see its console output; last client error: $(tail -n 1 "$db_opts.err" 2>/dev/null))"
  fi
  log "databases: waiting for the db-init runner (script $DB_INIT_SHA256)"
  sleep "$DB_WAIT_INTERVAL"
done
rm -f "$db_opts" "$db_opts.err"
log "databases: initialised by the db-init runner (script $DB_INIT_SHA256)"

# ---- 10. Ownership: the product home and the shared trees belong to wso2 ----
log 'step 10: Ownership: the product home and the shared trees belong to wso2'
set_owner "$HOME_DIR/" "$SHARED/"'Deployment' "$SHARED/"'Tenants'

# ---- 11. Services: one systemd unit per product process, (re)started with the new configuration ----
log 'step 11: Services: one systemd unit per product process, (re)started with the new configuration'
java_home
mkdir -p "$ROOT/etc/systemd/system"
units_changed=0
write_if_changed "$ROOT/var/lib/wso2-pattern2/password-tmp.sh" 0700 <<'HELPER' || true
#!/bin/bash
# ExecStartPre (run as root, `+`) of the EC2 Carbon 4 product units (IS, DAS analytics): hands
# Secure Vault's keystore password to Carbon the way it expects, in $CARBON_HOME/password-tmp
# (first line), which Carbon reads at start, overwrites and deletes (kernel 4.4.20-4.4.40
# DefaultSecretCallbackHandler). Written before every start (Restart= included), from the stack
# secret; the value goes through a pipe, never the command line. Arguments: REGION SECRET_ARN
# PRODUCT_HOME SECRET_NAME (the key of the stack secret: IS keystore_password, DAS
# internal_keystore_password).
set -euo pipefail
region="$1"
secret_arn="$2"
home="$3"
secret_name="$4"
umask 077
tmp="$(mktemp "$home/.password-tmp.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
aws secretsmanager get-secret-value --region "$region" --secret-id "$secret_arn" --query SecretString --output text |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { const v = JSON.parse(s)[process.argv[1]]; if (typeof v !== "string" || !v || /[\r\n]/.test(v)) process.exit(3); process.stdout.write(v + "\n"); });' "$secret_name" >"$tmp"
chown wso2:wso2 "$tmp"
mv -f "$tmp" "$home/password-tmp"
trap - EXIT
HELPER
write_if_changed "$ROOT/etc/systemd/system/wso2-is-server.service" 0644 <<UNIT && units_changed=1
[Unit]
Description=WSO2 pattern 2 is server (is-1)
Wants=network-online.target wso2-pattern2-config.service
After=network-online.target wso2-pattern2-config.service remote-fs.target
RequiresMountsFor=$SHARED

[Service]
Type=simple
User=wso2
Group=wso2
Environment=JAVA_HOME=$JAVA_HOME_DIR
WorkingDirectory=$HOME_DIR
ExecStartPre=+/var/lib/wso2-pattern2/password-tmp.sh $REGION $SECRET_ARN $HOME_DIR keystore_password
ExecStart=$HOME_DIR/bin/wso2server.sh
Restart=on-failure
RestartSec=10
KillMode=control-group
KillSignal=SIGTERM
SuccessExitStatus=143
TimeoutStopSec=120
LimitNOFILE=65535

[Install]
WantedBy=multi-user.target
UNIT
[ "$units_changed" = 0 ] || svc daemon-reload
svc enable wso2-is-server.service
svc --no-block restart wso2-is-server.service

log "boot script finished"
