#!/usr/bin/env bash
# wso2-is-pattern2 database initialisation. Generated from the topology model; do not edit.
# Creates the product databases and the application accounts with their grants, then loads each stock schema
# script found in the product homes exactly once, even when several nodes run this at once.
#
# Usage: db-init.sh [--is-home DIR] [--analytics-home DIR]
# Environment:
#   DB_HOST                          database host (default: the model endpoint)
#   DB_PORT                          database port (default: the model port)
#   DB_DEFAULTS_FILE                 client option file with [client] user/password of the master user (mode 0600); or:
#   DB_MASTER_USER                   master user name (with DB_MASTER_PASSWORD, when no DB_DEFAULTS_FILE)
#   DB_MASTER_PASSWORD               master password (never logged, never on a command line)
#   DB_SSL_CA                        CA file (PEM) the database server's certificate must verify against, host name included (required)
#   DB_APP_PASSWORD                  password of the application accounts (one per role); or:
#   DB_APP_PASSWORD_FILE             file holding it (trailing newlines dropped)
#   WSO2_IS_HOME                     IS product home holding dbscripts/ (or --is-home DIR); absent: no IS schemas loaded
#   WSO2_ANALYTICS_HOME              analytics product home holding dbscripts/ (or --analytics-home DIR)
#   DB_INIT_CONNECT_TIMEOUT_SECONDS  how long to wait for the database to answer (default 300)
#   DB_INIT_RETRY_SECONDS            pause between connection attempts (default 5)
#   DB_INIT_WAIT_SECONDS             how long to wait for another node loading a schema (default 900)
#   DB_INIT_STALE_SECONDS            age after which another node's unfinished claim is taken over (default 600)
#   DB_INIT_POLL_SECONDS             pause between looks at another node's claim (default 2)
#   DB_CLIENT                        client program (default: mysql, else mariadb)
set -Eeuo pipefail
umask 077

readonly DEFAULT_DB_HOST='wso2is-mysql.wso2-is-pattern2.svc.cluster.local'
readonly DEFAULT_DB_PORT='3306'
readonly CLAIMS='WSO2_PATTERN2_META.SCHEMA_LOAD'

# The time stamp from bash's own strftime: no `date` process per line.
log() {
  local ts
  TZ=UTC0 printf -v ts '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  printf '%s db-init[%s]: %s\n' "$ts" "$$" "$*" >&2
}
die() { log "ERROR: $*"; exit 1; }
trap 'log "ERROR: command failed at line $LINENO"' ERR

IS_HOME="${WSO2_IS_HOME:-}"
ANALYTICS_HOME="${WSO2_ANALYTICS_HOME:-}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --is-home) [ "$#" -ge 2 ] || die "--is-home needs a directory"; IS_HOME="$2"; shift 2 ;;
    --analytics-home) [ "$#" -ge 2 ] || die "--analytics-home needs a directory"; ANALYTICS_HOME="$2"; shift 2 ;;
    *) die "unknown argument: $1 (usage: db-init.sh [--is-home DIR] [--analytics-home DIR])" ;;
  esac
done

DB_HOST="${DB_HOST:-$DEFAULT_DB_HOST}"
DB_PORT="${DB_PORT:-$DEFAULT_DB_PORT}"
CONNECT_TIMEOUT="${DB_INIT_CONNECT_TIMEOUT_SECONDS:-300}"
RETRY_SECONDS="${DB_INIT_RETRY_SECONDS:-5}"
WAIT_SECONDS="${DB_INIT_WAIT_SECONDS:-900}"
STALE_SECONDS="${DB_INIT_STALE_SECONDS:-600}"
POLL_SECONDS="${DB_INIT_POLL_SECONDS:-2}"
for n in "$DB_PORT" "$CONNECT_TIMEOUT" "$WAIT_SECONDS" "$STALE_SECONDS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
for n in "$RETRY_SECONDS" "$POLL_SECONDS"; do
  [[ "$n" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "not a number of seconds: $n"
done

if [ -n "${DB_CLIENT:-}" ]; then
  CLIENT="$DB_CLIENT"
elif command -v mysql >/dev/null 2>&1; then
  CLIENT=mysql
elif command -v mariadb >/dev/null 2>&1; then
  CLIENT=mariadb
else
  die "no mysql or mariadb client installed"
fi

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/db-init.XXXXXX")"
trap 'rm -rf -- "$WORK_DIR"' EXIT

# A value for a client option file: double-quoted, with the escapes the client understands.
option_value() {
  local v="$1" bs=$'\\' dq='"' nl=$'\n' cr=$'\r'
  v="${v//"$bs"/"$bs$bs"}"
  v="${v//"$dq"/"$bs$dq"}"
  v="${v//"$nl"/"${bs}n"}"
  v="${v//"$cr"/"${bs}r"}"
  printf '"%s"' "$v"
}

# An SQL string literal; our sessions run with backslash escapes on (sql_mode set below).
sql_literal() {
  local v="$1" bs=$'\\' sq="'"
  v="${v//"$bs"/"$bs$bs"}"
  v="${v//"$sq"/"$sq$sq"}"
  printf "'%s'" "$v"
}

if [ -n "${DB_DEFAULTS_FILE:-}" ]; then
  [ -r "$DB_DEFAULTS_FILE" ] || die "DB_DEFAULTS_FILE is not a readable file"
  DEFAULTS_FILE="$DB_DEFAULTS_FILE"
elif [ -n "${DB_MASTER_USER:-}" ] && [ -n "${DB_MASTER_PASSWORD+set}" ]; then
  DEFAULTS_FILE="$WORK_DIR/master.cnf"
  {
    printf '[client]\n'
    printf 'user=%s\n' "$(option_value "$DB_MASTER_USER")"
    printf 'password=%s\n' "$(option_value "$DB_MASTER_PASSWORD")"
  } >"$DEFAULTS_FILE"
else
  die "set DB_DEFAULTS_FILE, or DB_MASTER_USER and DB_MASTER_PASSWORD"
fi
unset DB_MASTER_PASSWORD

if [ -n "${DB_APP_PASSWORD_FILE:-}" ]; then
  [ -r "$DB_APP_PASSWORD_FILE" ] || die "DB_APP_PASSWORD_FILE is not a readable file"
  APP_PASSWORD="$(<"$DB_APP_PASSWORD_FILE")"
else
  APP_PASSWORD="${DB_APP_PASSWORD:-}"
fi
unset DB_APP_PASSWORD
[ -n "$APP_PASSWORD" ] || die "set DB_APP_PASSWORD or DB_APP_PASSWORD_FILE (non-empty)"

# The server is always verified: against DB_SSL_CA (the RDS bundle, or the deployment CA that
# signed the in-cluster MySQL's certificate), host name included. The two clients spell it
# differently: MariaDB's (the EC2 hosts' mariadb105) --ssl-verify-server-cert, MySQL 8's (the
# Kubernetes Job's MySQL image) --ssl-mode=VERIFY_IDENTITY. Asked after the secrets left the
# environment, as every client call.
[ -n "${DB_SSL_CA:-}" ] || die "set DB_SSL_CA to the CA file that verifies the database server's certificate"
if [ ! -f "$DB_SSL_CA" ] || [ ! -r "$DB_SSL_CA" ]; then die "DB_SSL_CA ($DB_SSL_CA) is not a readable file"; fi
case "$("$CLIENT" --version 2>&1)" in
  *MariaDB*) TLS_OPTS=(--ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert) ;;
  *) TLS_OPTS=(--ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA") ;;
esac

# Every statement goes through here: credentials from the option file, SQL on stdin or -e.
sql() {
  "$CLIENT" --defaults-extra-file="$DEFAULTS_FILE" --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" \
    "${TLS_OPTS[@]}" --connect-timeout=10 --batch --skip-column-names "$@"
}

wait_for_database() {
  local deadline=$((SECONDS + CONNECT_TIMEOUT)) err
  while :; do
    if err="$(sql -e 'SELECT 1' 2>&1 >/dev/null)"; then
      log "database $DB_HOST:$DB_PORT answers"
      return 0
    fi
    err="${err%%$'\n'*}"
    case "$err" in
      *"ERROR 1045"*) die "the database refused the master credentials: $err" ;;
      # A server that does not verify will not start to: stop at once, saying why.
      *"ERROR 2026"*) die "TLS to $DB_HOST:$DB_PORT failed; is the server's certificate issued by a CA in DB_SSL_CA ($DB_SSL_CA) for this host name? $err" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || die "database $DB_HOST:$DB_PORT did not answer within ${CONNECT_TIMEOUT}s: $err"
    log "waiting for database $DB_HOST:$DB_PORT: $err"
    sleep "$RETRY_SECONDS"
  done
}

# Who holds a claim: host, process and a random part, reduced to characters safe inside SQL quotes.
OWNER="${HOSTNAME:-host}:$$:$RANDOM$RANDOM"
OWNER="${OWNER//[!A-Za-z0-9._:-]/_}"
OWNER="${OWNER:0:120}"
LOADED=0
ALREADY=0
SKIPPED=0
# The claim ids already done, space-separated, as the generated set-up call read them: a load
# found there needs no client call at all (a done claim never goes back).
DONE_LOADS=" "

# Runs a claim-table statement and prints its result (load ids and owners are [A-Za-z0-9_./:@-]).
meta_sql() {
  sql -e "$1"
}

claim_won() {
  [ "$(meta_sql "$1 SELECT ROW_COUNT();")" = 1 ]
}

run_load() {
  local file="$1" db="$2" id="$3"
  log "loading $file into $db"
  if ! sql --database="$db" <"$file" >/dev/null; then
    meta_sql "DELETE FROM $CLAIMS WHERE LOAD_ID = '$id' AND OWNER = '$OWNER' AND STATE = 'claimed';" || true
    die "loading $file into $db failed; any tables it created must be dropped before running again"
  fi
  claim_won "UPDATE $CLAIMS SET STATE = 'done', DONE_AT = NOW() WHERE LOAD_ID = '$id' AND OWNER = '$OWNER';" ||
    die "loaded $file into $db, but another node took the claim over meanwhile (raise DB_INIT_STALE_SECONDS)"
  log "loaded $file into $db"
  LOADED=$((LOADED + 1))
}

# Loads one stock script into one database exactly once across all nodes and runs.
# Arguments after the claim id are preferred variants of the script (the first present wins).
load_schema() {
  local product="$1" script="$2" db="$3" id="$4" home file="" candidate reply row state owner age started=""
  shift 4
  if [ "$product" = is ]; then home="$IS_HOME"; else home="$ANALYTICS_HOME"; fi
  if [ -z "$home" ]; then
    log "skipping $script -> $db: no $product product home given"
    SKIPPED=$((SKIPPED + 1))
    return 0
  fi
  for candidate in "$@" "$script"; do
    if [ -f "$home/$candidate" ]; then
      file="$home/$candidate"
      break
    fi
  done
  if [ -z "$file" ]; then
    log "skipping $script -> $db: $home/$script is not present"
    SKIPPED=$((SKIPPED + 1))
    return 0
  fi
  if [[ "$DONE_LOADS" == *" $id "* ]]; then
    log "already loaded: $script -> $db"
    ALREADY=$((ALREADY + 1))
    return 0
  fi
  while :; do
    # One call: the claim attempt, whether it won, and the claim row as it is now.
    reply="$(meta_sql "INSERT IGNORE INTO $CLAIMS (LOAD_ID, STATE, OWNER, CLAIMED_AT) VALUES ('$id', 'claimed', '$OWNER', NOW()); SELECT ROW_COUNT(); SELECT STATE, OWNER, TIMESTAMPDIFF(SECOND, CLAIMED_AT, NOW()) FROM $CLAIMS WHERE LOAD_ID = '$id';")"
    if [ "${reply%%$'\n'*}" = 1 ]; then
      run_load "$file" "$db" "$id"
      return 0
    fi
    row=""
    if [[ "$reply" == *$'\n'* ]]; then row="${reply#*$'\n'}"; fi
    if [ -n "$row" ]; then
      IFS=$'\t' read -r state owner age <<<"$row"
      if [ "$state" = "done" ]; then
        log "already loaded: $script -> $db"
        ALREADY=$((ALREADY + 1))
        return 0
      fi
      [[ "$owner" =~ ^[A-Za-z0-9._:-]+$ ]] || die "unexpected claim owner on $id; fix $CLAIMS by hand"
      if [ "$age" -ge "$STALE_SECONDS" ] &&
        claim_won "UPDATE $CLAIMS SET OWNER = '$OWNER', CLAIMED_AT = NOW() WHERE LOAD_ID = '$id' AND STATE = 'claimed' AND OWNER = '$owner';"; then
        log "WARNING: took over a stale claim on $script -> $db (${age}s old, by $owner)"
        run_load "$file" "$db" "$id"
        return 0
      fi
      # The bounded wait starts at the first sight of the other node's claim: the database calls
      # before it take as long as the machine makes them, so every run waits (and says so) once.
      [ -n "$started" ] || started=$SECONDS
      [ $((SECONDS - started)) -lt "$WAIT_SECONDS" ] ||
        die "gave up after ${WAIT_SECONDS}s waiting for $owner to load $script into $db"
      log "waiting: $owner is loading $script -> $db (claimed ${age}s ago)"
    fi
    sleep "$POLL_SECONDS"
  done
}

wait_for_database

log 'ensuring 7 databases (latin1) and WSO2_PATTERN2_META'
log 'ensuring the application accounts (wso2: SELECT, INSERT, UPDATE, DELETE on 2 databases; wso2_analytics: SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP on 5 databases)'
facts="$(
  {
    printf '%s\n' "SET SESSION sql_mode = '';"
    cat <<'__DB_INIT_SQL__'
CREATE DATABASE IF NOT EXISTS `WSO2_PATTERN2_META` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `WSO2UMDB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `WSO2_IDENTITY_DB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `WSO2_CLUSTER_DB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `WSO2_PERSISTENCE_DB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `IS_ANALYTICS_DB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `WSO2_DASHBOARD_DB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE DATABASE IF NOT EXISTS `WSO2_PERMISSIONS_DB` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
CREATE TABLE IF NOT EXISTS WSO2_PATTERN2_META.SCHEMA_LOAD (
  LOAD_ID VARCHAR(190) NOT NULL PRIMARY KEY,
  STATE VARCHAR(16) NOT NULL,
  OWNER VARCHAR(190) NOT NULL,
  CLAIMED_AT DATETIME NOT NULL,
  DONE_AT DATETIME NULL
) ENGINE=InnoDB;
__DB_INIT_SQL__
    pw="$(sql_literal "$APP_PASSWORD")"
    printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\n' ''\''wso2'\''@'\''%'\''' "$pw"
    printf 'ALTER USER %s IDENTIFIED BY %s;\n' ''\''wso2'\''@'\''%'\''' "$pw"
    printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\n' ''\''wso2_analytics'\''@'\''%'\''' "$pw"
    printf 'ALTER USER %s IDENTIFIED BY %s;\n' ''\''wso2_analytics'\''@'\''%'\''' "$pw"
    cat <<'__DB_INIT_SQL__'
GRANT SELECT, INSERT, UPDATE, DELETE ON `WSO2UMDB`.* TO 'wso2'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON `WSO2\_IDENTITY\_DB`.* TO 'wso2'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON `WSO2\_CLUSTER\_DB`.* TO 'wso2_analytics'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON `WSO2\_PERSISTENCE\_DB`.* TO 'wso2_analytics'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON `IS\_ANALYTICS\_DB`.* TO 'wso2_analytics'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON `WSO2\_DASHBOARD\_DB`.* TO 'wso2_analytics'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON `WSO2\_PERMISSIONS\_DB`.* TO 'wso2_analytics'@'%';
SELECT 'charset', SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('WSO2UMDB', 'WSO2_IDENTITY_DB', 'WSO2_CLUSTER_DB', 'WSO2_PERSISTENCE_DB', 'IS_ANALYTICS_DB', 'WSO2_DASHBOARD_DB', 'WSO2_PERMISSIONS_DB') AND DEFAULT_CHARACTER_SET_NAME <> 'latin1';
SELECT CONCAT('REVOKE ', PRIVILEGE_TYPE, ' ON *.* FROM ', GRANTEE, ';') FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND PRIVILEGE_TYPE <> 'USAGE'
UNION ALL SELECT DISTINCT CONCAT('REVOKE GRANT OPTION ON *.* FROM ', GRANTEE, ';') FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND IS_GRANTABLE = 'YES'
UNION ALL SELECT CONCAT('REVOKE ', PRIVILEGE_TYPE, ' ON ', CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.*'), ' FROM ', GRANTEE, ';') FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND NOT ((GRANTEE = '''wso2''@''%''' AND TABLE_SCHEMA IN ('WSO2UMDB', 'WSO2\\_IDENTITY\\_DB') AND PRIVILEGE_TYPE IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')) OR (GRANTEE = '''wso2_analytics''@''%''' AND TABLE_SCHEMA IN ('WSO2\\_CLUSTER\\_DB', 'WSO2\\_PERSISTENCE\\_DB', 'IS\\_ANALYTICS\\_DB', 'WSO2\\_DASHBOARD\\_DB', 'WSO2\\_PERMISSIONS\\_DB') AND PRIVILEGE_TYPE IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'DROP')))
UNION ALL SELECT DISTINCT CONCAT('REVOKE GRANT OPTION ON ', CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.*'), ' FROM ', GRANTEE, ';') FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND IS_GRANTABLE = 'YES';
SELECT 'done', LOAD_ID FROM WSO2_PATTERN2_META.SCHEMA_LOAD WHERE STATE = 'done';
__DB_INIT_SQL__
  } | sql --raw
)"
excess=""
revokes=0
while IFS= read -r line; do
  case "$line" in
    "") ;;
    REVOKE\ *) excess+="$line"$'\n'; revokes=$((revokes + 1)) ;;
    charset$'\t'*)
      IFS=$'\t' read -r _ name charset <<<"$line"
      log "WARNING: database $name already exists with character set $charset, not latin1"
      ;;
    done$'\t'*) DONE_LOADS+="${line#done$'\t'} " ;;
    *) die "unexpected answer from the database: $line" ;;
  esac
done <<<"$facts"
if [ -n "$excess" ]; then
  log "revoking $revokes privileges beyond the model's"
  printf '%s' "$excess" | sql --force >/dev/null 2>&1 || true
  left="$(sql --raw <<'__DB_INIT_SQL__'
SET SESSION sql_mode = '';
SELECT CONCAT('REVOKE ', PRIVILEGE_TYPE, ' ON *.* FROM ', GRANTEE, ';') FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND PRIVILEGE_TYPE <> 'USAGE'
UNION ALL SELECT DISTINCT CONCAT('REVOKE GRANT OPTION ON *.* FROM ', GRANTEE, ';') FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND IS_GRANTABLE = 'YES'
UNION ALL SELECT CONCAT('REVOKE ', PRIVILEGE_TYPE, ' ON ', CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.*'), ' FROM ', GRANTEE, ';') FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND NOT ((GRANTEE = '''wso2''@''%''' AND TABLE_SCHEMA IN ('WSO2UMDB', 'WSO2\\_IDENTITY\\_DB') AND PRIVILEGE_TYPE IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')) OR (GRANTEE = '''wso2_analytics''@''%''' AND TABLE_SCHEMA IN ('WSO2\\_CLUSTER\\_DB', 'WSO2\\_PERSISTENCE\\_DB', 'IS\\_ANALYTICS\\_DB', 'WSO2\\_DASHBOARD\\_DB', 'WSO2\\_PERMISSIONS\\_DB') AND PRIVILEGE_TYPE IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'DROP')))
UNION ALL SELECT DISTINCT CONCAT('REVOKE GRANT OPTION ON ', CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.*'), ' FROM ', GRANTEE, ';') FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN ('''wso2''@''%''', '''wso2_analytics''@''%''') AND IS_GRANTABLE = 'YES';
__DB_INIT_SQL__
  )"
  [ -z "$left" ] || die "could not revoke: $left"
fi

load_schema 'is' 'dbscripts/mysql.sql' 'WSO2UMDB' 'is:dbscripts/mysql.sql@WSO2UMDB' 'dbscripts/mysql5.7.sql'
load_schema 'is' 'dbscripts/mysql.sql' 'WSO2_IDENTITY_DB' 'is:dbscripts/mysql.sql@WSO2_IDENTITY_DB' 'dbscripts/mysql5.7.sql'
load_schema 'is' 'dbscripts/identity/mysql.sql' 'WSO2_IDENTITY_DB' 'is:dbscripts/identity/mysql.sql@WSO2_IDENTITY_DB' 'dbscripts/identity/mysql-5.7.sql'
load_schema 'is' 'dbscripts/identity/uma/mysql.sql' 'WSO2_IDENTITY_DB' 'is:dbscripts/identity/uma/mysql.sql@WSO2_IDENTITY_DB'
load_schema 'is' 'dbscripts/consent/mysql.sql' 'WSO2_IDENTITY_DB' 'is:dbscripts/consent/mysql.sql@WSO2_IDENTITY_DB'
load_schema 'is' 'dbscripts/bps/bpel/create/mysql.sql' 'WSO2_IDENTITY_DB' 'is:dbscripts/bps/bpel/create/mysql.sql@WSO2_IDENTITY_DB'

log "done: $LOADED schema scripts loaded here, $ALREADY already loaded, $SKIPPED not present"
