/**
 * The database initialisation script: a pure, deterministic function of the topology model.
 *
 * One bash script, run at boot by every node that needs the databases (both IS nodes may run
 * it at the same time) or once as a Kubernetes Job. It
 *  1. waits (bounded) until the database answers,
 *  2. creates every database of the chosen analytics flavour with the model's character set,
 *  3. creates the single application user and (re)sets its password, so a rotated secret
 *     converges, and grants it all privileges on exactly those databases,
 *  4. loads each stock schema script present in the product homes exactly once ever.
 *
 * The stock scripts are not idempotent (plain CREATE TABLE), so step 4 is guarded by a claim row
 * per (script, database) in a bookkeeping database: the node whose INSERT wins the primary key
 * loads and marks it done; the others wait until it is done (bounded), and may take over a claim
 * older than the stale limit (a node that died mid-load).
 *
 * Secrets: the script holds none. The master credentials come from an option file the caller
 * wrote (`DB_DEFAULTS_FILE`, mode 0600) or from `DB_MASTER_USER`/`DB_MASTER_PASSWORD`, which the
 * script writes to its own 0600 option file; the application password from `DB_APP_PASSWORD` or
 * `DB_APP_PASSWORD_FILE`, escaped by the script into an SQL string literal and sent on the
 * client's stdin. No secret is ever a command-line argument or a log line. (We do not use
 * `secretPlaceholder` here: the script must work unchanged as a Kubernetes Job, where no applier
 * runs, and the values are better kept out of any file at all.)
 */
import { DB_INIT_META_DATABASE, SchemaLoad, Topology, schemaLoadsFor } from '../topology';

/** A schema load with the id its claim row carries. */
export interface DbInitSchemaLoad extends SchemaLoad {
  /** Primary key of the claim row, e.g. `is:dbscripts/mysql.sql@WSO2UMDB`. */
  id: string;
}

export interface DbInit {
  /** Bash script run on a node (or in a Job) that initialises the databases exactly once. */
  script: string;
  /** File name platforms install the script as. */
  fileName: string;
  /** Which stock script goes into which database, in load order. */
  schemaLoads: DbInitSchemaLoad[];
  /** Bookkeeping database the script creates for the claim rows (no application grants). */
  metaDatabase: string;
  /** The environment the script reads: variable name to meaning (also in the script header). */
  env: Record<string, string>;
}

/** The environment contract of the script; rendered into its header and exported for callers. */
export const DB_INIT_ENV: Readonly<Record<string, string>> = {
  DB_HOST: 'database host (default: the model endpoint)',
  DB_PORT: 'database port (default: the model port)',
  DB_DEFAULTS_FILE: 'client option file with [client] user/password of the master user (mode 0600); or:',
  DB_MASTER_USER: 'master user name (with DB_MASTER_PASSWORD, when no DB_DEFAULTS_FILE)',
  DB_MASTER_PASSWORD: 'master password (never logged, never on a command line)',
  DB_APP_PASSWORD: 'application user password; or:',
  DB_APP_PASSWORD_FILE: 'file holding it (trailing newlines dropped)',
  WSO2_IS_HOME: 'IS product home holding dbscripts/ (or --is-home DIR); absent: no IS schemas loaded',
  WSO2_ANALYTICS_HOME: 'analytics product home holding dbscripts/ (or --analytics-home DIR)',
  DB_INIT_CONNECT_TIMEOUT_SECONDS: 'how long to wait for the database to answer (default 300)',
  DB_INIT_RETRY_SECONDS: 'pause between connection attempts (default 5)',
  DB_INIT_WAIT_SECONDS: 'how long to wait for another node loading a schema (default 900)',
  DB_INIT_STALE_SECONDS: 'age after which another node\'s unfinished claim is taken over (default 600)',
  DB_INIT_POLL_SECONDS: 'pause between looks at another node\'s claim (default 2)',
  DB_CLIENT: 'client program (default: mysql, else mariadb)',
};

/** The collation each supported character set is created with (its default collation). */
const COLLATIONS: Readonly<Record<string, string>> = {
  latin1: 'latin1_swedish_ci',
  utf8: 'utf8_general_ci',
  utf8mb3: 'utf8mb3_general_ci',
  utf8mb4: 'utf8mb4_general_ci',
};

const SAFE_NAME_RE = /^[A-Za-z0-9_]+$/;
const LOAD_ID_RE = /^[A-Za-z0-9_./:@-]+$/;
const SCRIPT_PATH_RE = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const HEREDOC_END = '__DB_INIT_SQL__';

/** Quotes a value as one bash word: single quotes, or double quotes when it holds a `'` but nothing double quotes expand. */
export function shellQuote(s: string): string {
  if (s.includes("'") && !/[$`"\\!]/.test(s)) return `"${s}"`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A MySQL identifier in backticks. */
export function sqlIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** A MySQL string literal (the script's sessions run with backslash escapes enabled). */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * A database name as a GRANT pattern: `_` and `%` are wildcards there, so they are escaped to
 * make the grant cover exactly this database (WSO2_IDENTITY_DB must not also match WSO2xIDENTITYxDB).
 */
export function grantDatabase(name: string): string {
  return sqlIdent(name.replace(/([_%\\])/g, '\\$1'));
}

function loadId(l: SchemaLoad): string {
  return `${l.product}:${l.script}@${l.database}`;
}

function check(cond: boolean, message: string): void {
  if (!cond) throw new Error(`db-init: ${message}`);
}

/** Lines of a quoted heredoc feeding `command` (nothing in it is expanded by the shell). */
function sqlHeredoc(command: string, statements: string[]): string[] {
  for (const s of statements) check(!s.includes(HEREDOC_END), 'SQL text contains the heredoc terminator');
  return [`${command} <<'${HEREDOC_END}'`, ...statements, HEREDOC_END];
}

/** The fixed part of the script: argument and environment handling, helpers, claim protocol. */
const PRELUDE = String.raw`
log() { printf '%s db-init[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
trap 'log "ERROR: command failed at line $LINENO"' ERR

IS_HOME="${'$'}{WSO2_IS_HOME:-}"
ANALYTICS_HOME="${'$'}{WSO2_ANALYTICS_HOME:-}"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --is-home) [ "$#" -ge 2 ] || die "--is-home needs a directory"; IS_HOME="$2"; shift 2 ;;
    --analytics-home) [ "$#" -ge 2 ] || die "--analytics-home needs a directory"; ANALYTICS_HOME="$2"; shift 2 ;;
    *) die "unknown argument: $1 (usage: db-init.sh [--is-home DIR] [--analytics-home DIR])" ;;
  esac
done

DB_HOST="${'$'}{DB_HOST:-$DEFAULT_DB_HOST}"
DB_PORT="${'$'}{DB_PORT:-$DEFAULT_DB_PORT}"
CONNECT_TIMEOUT="${'$'}{DB_INIT_CONNECT_TIMEOUT_SECONDS:-300}"
RETRY_SECONDS="${'$'}{DB_INIT_RETRY_SECONDS:-5}"
WAIT_SECONDS="${'$'}{DB_INIT_WAIT_SECONDS:-900}"
STALE_SECONDS="${'$'}{DB_INIT_STALE_SECONDS:-600}"
POLL_SECONDS="${'$'}{DB_INIT_POLL_SECONDS:-2}"
for n in "$DB_PORT" "$CONNECT_TIMEOUT" "$WAIT_SECONDS" "$STALE_SECONDS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
for n in "$RETRY_SECONDS" "$POLL_SECONDS"; do
  [[ "$n" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "not a number of seconds: $n"
done

if [ -n "${'$'}{DB_CLIENT:-}" ]; then
  CLIENT="$DB_CLIENT"
elif command -v mysql >/dev/null 2>&1; then
  CLIENT=mysql
elif command -v mariadb >/dev/null 2>&1; then
  CLIENT=mariadb
else
  die "no mysql or mariadb client installed"
fi

WORK_DIR="$(mktemp -d "${'$'}{TMPDIR:-/tmp}/db-init.XXXXXX")"
trap 'rm -rf -- "$WORK_DIR"' EXIT

# A value for a client option file: double-quoted, with the escapes the client understands.
option_value() {
  local v="$1" bs=$'\\' dq='"' nl=$'\n' cr=$'\r'
  v="${'$'}{v//"$bs"/"$bs$bs"}"
  v="${'$'}{v//"$dq"/"$bs$dq"}"
  v="${'$'}{v//"$nl"/"${'$'}{bs}n"}"
  v="${'$'}{v//"$cr"/"${'$'}{bs}r"}"
  printf '"%s"' "$v"
}

# An SQL string literal; our sessions run with backslash escapes on (sql_mode set below).
sql_literal() {
  local v="$1" bs=$'\\' sq="'"
  v="${'$'}{v//"$bs"/"$bs$bs"}"
  v="${'$'}{v//"$sq"/"$sq$sq"}"
  printf "'%s'" "$v"
}

if [ -n "${'$'}{DB_DEFAULTS_FILE:-}" ]; then
  [ -r "$DB_DEFAULTS_FILE" ] || die "DB_DEFAULTS_FILE is not a readable file"
  DEFAULTS_FILE="$DB_DEFAULTS_FILE"
elif [ -n "${'$'}{DB_MASTER_USER:-}" ] && [ -n "${'$'}{DB_MASTER_PASSWORD+set}" ]; then
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

if [ -n "${'$'}{DB_APP_PASSWORD_FILE:-}" ]; then
  [ -r "$DB_APP_PASSWORD_FILE" ] || die "DB_APP_PASSWORD_FILE is not a readable file"
  APP_PASSWORD="$(<"$DB_APP_PASSWORD_FILE")"
else
  APP_PASSWORD="${'$'}{DB_APP_PASSWORD:-}"
fi
unset DB_APP_PASSWORD
[ -n "$APP_PASSWORD" ] || die "set DB_APP_PASSWORD or DB_APP_PASSWORD_FILE (non-empty)"

# Every statement goes through here: credentials from the option file, SQL on stdin or -e.
sql() {
  "$CLIENT" --defaults-extra-file="$DEFAULTS_FILE" --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" \
    --connect-timeout=10 --batch --skip-column-names "$@"
}

wait_for_database() {
  local deadline=$((SECONDS + CONNECT_TIMEOUT)) err
  while :; do
    if err="$(sql -e 'SELECT 1' 2>&1 >/dev/null)"; then
      log "database $DB_HOST:$DB_PORT answers"
      return 0
    fi
    err="${'$'}{err%%$'\n'*}"
    case "$err" in
      *"ERROR 1045"*) die "the database refused the master credentials: $err" ;;
    esac
    [ "$SECONDS" -lt "$deadline" ] || die "database $DB_HOST:$DB_PORT did not answer within ${'$'}{CONNECT_TIMEOUT}s: $err"
    log "waiting for database $DB_HOST:$DB_PORT: $err"
    sleep "$RETRY_SECONDS"
  done
}

# Who holds a claim: host, process and a random part, reduced to characters safe inside SQL quotes.
OWNER="${'$'}{HOSTNAME:-host}:$$:$RANDOM$RANDOM"
OWNER="${'$'}{OWNER//[!A-Za-z0-9._:-]/_}"
OWNER="${'$'}{OWNER:0:120}"
LOADED=0
ALREADY=0
SKIPPED=0

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
  local product="$1" script="$2" db="$3" id="$4" home file="" candidate row state owner age started=$SECONDS
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
  while :; do
    if claim_won "INSERT IGNORE INTO $CLAIMS (LOAD_ID, STATE, OWNER, CLAIMED_AT) VALUES ('$id', 'claimed', '$OWNER', NOW());"; then
      run_load "$file" "$db" "$id"
      return 0
    fi
    row="$(meta_sql "SELECT STATE, OWNER, TIMESTAMPDIFF(SECOND, CLAIMED_AT, NOW()) FROM $CLAIMS WHERE LOAD_ID = '$id';")"
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
        log "WARNING: took over a stale claim on $script -> $db (${'$'}{age}s old, by $owner)"
        run_load "$file" "$db" "$id"
        return 0
      fi
      [ $((SECONDS - started)) -lt "$WAIT_SECONDS" ] ||
        die "gave up after ${'$'}{WAIT_SECONDS}s waiting for $owner to load $script into $db"
      log "waiting: $owner is loading $script -> $db (claimed ${'$'}{age}s ago)"
    fi
    sleep "$POLL_SECONDS"
  done
}
`;

/**
 * Renders the initialisation script for the model's databases, user and schema loads.
 * Throws when the model holds a name this script cannot carry safely.
 */
export function renderDbInit(t: Topology): DbInit {
  const { db } = t;
  const collation = COLLATIONS[db.characterSet];
  check(collation !== undefined, `unsupported character set ${db.characterSet} (${Object.keys(COLLATIONS).join(', ')})`);
  check(SAFE_NAME_RE.test(db.user), `unsafe database user name ${JSON.stringify(db.user)}`);
  for (const name of [...db.databases, DB_INIT_META_DATABASE]) {
    check(SAFE_NAME_RE.test(name), `unsafe database name ${JSON.stringify(name)}`);
  }
  check(!db.databases.includes(DB_INIT_META_DATABASE), `${DB_INIT_META_DATABASE} is reserved for db-init`);
  check(Number.isInteger(db.port) && db.port > 0 && db.port < 65536, `bad database port ${db.port}`);

  const schemaLoads: DbInitSchemaLoad[] = schemaLoadsFor(t.analyticsFlavor).map((l) => ({ ...l, id: loadId(l) }));
  for (const l of schemaLoads) {
    check(db.databases.includes(l.database), `schema ${l.script} targets ${l.database}, which the model does not create`);
    check(LOAD_ID_RE.test(l.id) && l.id.length <= 190, `unsafe schema load id ${l.id}`);
    for (const p of [l.script, ...(l.preferred ?? [])]) check(SCRIPT_PATH_RE.test(p), `unsafe schema script path ${p}`);
  }

  const charset = `CHARACTER SET ${db.characterSet} COLLATE ${collation}`;
  const account = `${sqlString(db.user)}@'%'`;
  // Names are checked against SAFE_NAME_RE, so the claim table needs no backticks (keeps the shell quoting plain).
  const claims = `${DB_INIT_META_DATABASE}.SCHEMA_LOAD`;
  const envWidth = Math.max(...Object.keys(DB_INIT_ENV).map((k) => k.length));

  const lines: string[] = [
    '#!/usr/bin/env bash',
    '# wso2-is-pattern2 database initialisation. Generated from the topology model; do not edit.',
    '# Creates the product databases and the application user, then loads each stock schema',
    '# script found in the product homes exactly once, even when several nodes run this at once.',
    '#',
    '# Usage: db-init.sh [--is-home DIR] [--analytics-home DIR]',
    '# Environment:',
    ...Object.entries(DB_INIT_ENV).map(([k, v]) => `#   ${k.padEnd(envWidth)}  ${v}`),
    'set -Eeuo pipefail',
    'umask 077',
    '',
    `readonly DEFAULT_DB_HOST=${shellQuote(db.host)}`,
    `readonly DEFAULT_DB_PORT=${shellQuote(String(db.port))}`,
    `readonly APP_ACCOUNT=${shellQuote(account)}`,
    `readonly CLAIMS=${shellQuote(claims)}`,
    ...PRELUDE.split('\n'),
    'wait_for_database',
    '',
    `log ${shellQuote(`ensuring ${db.databases.length} databases (${db.characterSet}) and ${DB_INIT_META_DATABASE}`)}`,
    ...sqlHeredoc('sql', [
      ...[DB_INIT_META_DATABASE, ...db.databases].map((name) => `CREATE DATABASE IF NOT EXISTS ${sqlIdent(name)} ${charset};`),
      `CREATE TABLE IF NOT EXISTS ${claims} (`,
      '  LOAD_ID VARCHAR(190) NOT NULL PRIMARY KEY,',
      "  STATE VARCHAR(16) NOT NULL,",
      '  OWNER VARCHAR(190) NOT NULL,',
      '  CLAIMED_AT DATETIME NOT NULL,',
      '  DONE_AT DATETIME NULL',
      ') ENGINE=InnoDB;',
    ]),
    // An existing database keeps its character set: changing it under loaded tables would mix collations.
    'while IFS=$\'\\t\' read -r name charset; do',
    `  log "WARNING: database $name already exists with character set $charset, not ${db.characterSet}"`,
    `done < <(sql -e ${shellQuote(
      `SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${db.databases
        .map(sqlString)
        .join(', ')}) AND DEFAULT_CHARACTER_SET_NAME <> ${sqlString(db.characterSet)};`,
    )})`,
    '',
    `log ${shellQuote(`ensuring user ${account} with all privileges on its ${db.databases.length} databases only`)}`,
    '{',
    `  printf '%s\\n' "SET SESSION sql_mode = '';"`,
    '  pw="$(sql_literal "$APP_PASSWORD")"',
    `  printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\\n' "$APP_ACCOUNT" "$pw"`,
    `  printf 'ALTER USER %s IDENTIFIED BY %s;\\n' "$APP_ACCOUNT" "$pw"`,
    ...sqlHeredoc(
      '  cat',
      db.databases.map((name) => `GRANT ALL PRIVILEGES ON ${grantDatabase(name)}.* TO ${account};`),
    ),
    '} | sql',
    '',
    ...schemaLoads.map(
      (l) => `load_schema ${[l.product, l.script, l.database, l.id, ...(l.preferred ?? [])].map(shellQuote).join(' ')}`,
    ),
    '',
    'log "done: $LOADED schema scripts loaded here, $ALREADY already loaded, $SKIPPED not present"',
    '',
  ];
  return {
    script: lines.join('\n'),
    fileName: 'db-init.sh',
    schemaLoads,
    metaDatabase: DB_INIT_META_DATABASE,
    env: { ...DB_INIT_ENV },
  };
}
