# shellcheck shell=bash
# The EC2 db-init runner (components/ec2/db-init-runner.ts): the only machine whose role may read
# the database master password. At every boot of its instance it fetches the db-init script (checked
# against the digest it was made for), takes the stock schema scripts from the product pack (or the
# pre-baked image), reads the master and application passwords into a 0600 file, runs db-init, then
# records, as the master user, that this script version succeeded and lets the application accounts
# read that record (the nodes wait for it). The systemd unit powers the instance off afterwards.
# Reads from the generated header: REGION, BUCKET, DB_INIT_KEY, DB_INIT_SHA256, RDS_CA_KEY,
# RDS_CA_SHA256 (the RDS CA bundle db-init and the record verify the server with), DB_SECRET_ARN,
# DB_MASTER_USER, DB_HOST, DB_PORT, IS_PACK_URL, IS_HOME_ON_IMAGE, ANALYTICS_PACK_URL,
# ANALYTICS_HOME_ON_IMAGE (empty: no analytics schemas), RECORD_TABLE, APP_USERS, ATTEMPTS,
# RETRY_SECONDS, SECRET_VERSION. Secrets only in $WORK (0700, removed on exit) and the environment of db-init.
# shellcheck disable=SC2154

ROOT="${ROOT:-}"
WORK="$ROOT/var/lib/wso2-pattern2-db-init"
# The UTC time stamp from bash's own strftime, as db-init's: no `date` process per line.
log() {
  local ts
  TZ=UTC0 printf -v ts '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  printf '%s db-init-runner: %s\n' "$ts" "$*" >&2
}
# sha256_is FILE DIGEST: true when FILE has that SHA-256.
sha256_is() {
  local sum
  sum="$(sha256sum "$1")"
  [ "${sum%% *}" = "$2" ]
}
die() { log "ERROR: $*"; exit 1; }

# ---- external actions (one command each; tests fake them on PATH) ----
pkg_install() { dnf install -y "$@"; }
aws_s3_get() { aws s3 cp --only-show-errors --region "$REGION" "$1" "$2"; }
http_get() { curl -fsSL --retry 5 -o "$2" "$1"; }
read_db_secret() { aws secretsmanager get-secret-value --region "$REGION" --secret-id "$DB_SECRET_ARN" --query SecretString --output text; }
# json_fields FILE KEY...: string fields of a JSON file, each ended by a NUL (none may hold one) and
# without trailing line feeds (as a command substitution would read them), from one interpreter.
json_fields() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); v = [d[k] for k in sys.argv[2:]]; assert all(isinstance(x, str) and "\0" not in x for x in v); sys.stdout.write("".join(x.rstrip("\n") + "\0" for x in v))' "$@"; }
db_client() { if command -v mysql >/dev/null 2>&1; then mysql "$@"; else mariadb "$@"; fi; }

fetch() {
  case "$1" in
    s3://*) aws_s3_get "$1" "$2" ;;
    http://*|https://*) http_get "$1" "$2" ;;
    *) die "unsupported URL: $1" ;;
  esac
}

# schema_home PACK_URL HOME_ON_IMAGE DIR: a product home holding dbscripts/ (the image's, else the
# pack's dbscripts/ only, unpacked under DIR); its path on stdout.
schema_home() {
  if [ -d "$ROOT$2/dbscripts" ]; then printf '%s' "$ROOT$2"; return; fi
  [ -n "$1" ] || die "no dbscripts under $2 and no pack URL"
  rm -rf "$3" && mkdir -p "$3"
  fetch "$1" "$WORK/pack.zip"
  unzip -q "$WORK/pack.zip" '*/dbscripts/*' -d "$3" || die "no dbscripts in $1"
  rm -f "$WORK/pack.zip"
  local top
  top="$(find "$3" -mindepth 1 -maxdepth 1 -type d)"
  if [ "$(printf '%s\n' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top/dbscripts" ]; then die "the pack must hold one top-level directory with dbscripts/"; fi
  printf '%s' "$top"
}

# option_value V: V as a client option file value (double-quoted, with the escapes the client
# understands; as db-init-prelude.sh's, line breaks included).
option_value() {
  local v="$1" bs=$'\\' dq='"' nl=$'\n' cr=$'\r'
  v="${v//"$bs"/"$bs$bs"}"
  v="${v//"$dq"/"$bs$dq"}"
  v="${v//"$nl"/"${bs}n"}"
  v="${v//"$cr"/"${bs}r"}"
  printf '"%s"' "$v"
}

run_once() {
  rm -rf "$WORK"
  mkdir -p "$WORK"
  chmod 0700 "$WORK"
  aws_s3_get "s3://$BUCKET/$DB_INIT_KEY" "$WORK/db-init.sh"
  sha256_is "$WORK/db-init.sh" "$DB_INIT_SHA256" || die "the db-init script in the bucket is not the one this runner was made for"
  aws_s3_get "s3://$BUCKET/$RDS_CA_KEY" "$WORK/rds-ca.pem"
  sha256_is "$WORK/rds-ca.pem" "$RDS_CA_SHA256" || die "the RDS CA bundle in the bucket is not the one this runner was made for"
  DB_SSL_CA="$WORK/rds-ca.pem"
  local is_home analytics_home=""
  is_home="$(schema_home "$IS_PACK_URL" "$IS_HOME_ON_IMAGE" "$WORK/is")"
  if [ -n "$ANALYTICS_HOME_ON_IMAGE" ]; then analytics_home="$(schema_home "$ANALYTICS_PACK_URL" "$ANALYTICS_HOME_ON_IMAGE" "$WORK/analytics")"; fi
  (umask 077 && read_db_secret >"$WORK/secret.json")
  (
    # Both read, or the attempt stops at the first read (errexit): an interpreter that fails writes nothing.
    { IFS= read -r -d '' DB_MASTER_PASSWORD; IFS= read -r -d '' DB_APP_PASSWORD; } < <(json_fields "$WORK/secret.json" db_master_password db_password)
    export DB_MASTER_USER DB_MASTER_PASSWORD DB_APP_PASSWORD DB_HOST DB_PORT DB_SSL_CA
    if [ -n "$analytics_home" ]; then export WSO2_ANALYTICS_HOME="$analytics_home"; fi
    WSO2_IS_HOME="$is_home" bash "$WORK/db-init.sh"
    (
      umask 077
      printf '[client]\nuser=%s\npassword=%s\n' "$(option_value "$DB_MASTER_USER")" "$(option_value "$DB_MASTER_PASSWORD")" >"$WORK/master.cnf"
    )
    {
      printf 'CREATE TABLE IF NOT EXISTS %s (script_sha256 CHAR(64) PRIMARY KEY, done_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);\n' "$RECORD_TABLE"
      printf "INSERT IGNORE INTO %s (script_sha256) VALUES ('%s');\n" "$RECORD_TABLE" "$DB_INIT_SHA256"
      for u in $APP_USERS; do printf "GRANT SELECT ON %s TO '%s'@'%%';\n" "$RECORD_TABLE" "$u"; done
    } | db_client --defaults-extra-file="$WORK/master.cnf" --ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert --connect-timeout=10 -h "$DB_HOST" -P "$DB_PORT"
  )
}

if [ "${PATTERN2_STUB:-0}" != 1 ] && [ "$(id -u)" != 0 ]; then die "must run as root"; fi
trap 'rm -rf "$WORK"' EXIT
pkg_install mariadb105 unzip python3
# Each attempt in a subshell with errexit on (it would be off inside an `if`/`until` test).
attempt=1
while :; do
  set +e
  (
    set -e
    run_once
  )
  rc=$?
  set -e
  [ "$rc" != 0 ] || break
  [ "$attempt" -lt "$ATTEMPTS" ] || die "db-init failed $attempt times"
  log "attempt $attempt failed; retrying in ${RETRY_SECONDS}s"
  attempt=$((attempt + 1))
  sleep "$RETRY_SECONDS"
done
log "db-init done: script $DB_INIT_SHA256 (passwords version $SECRET_VERSION) recorded in $RECORD_TABLE"
