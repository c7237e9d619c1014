/**
 * The database initialisation script: a pure, deterministic function of the topology model.
 *
 * One bash script, run at boot by every node that needs the databases (both IS nodes may run
 * it at the same time) or once as a Kubernetes Job. It
 *  1. waits (bounded) until the database answers,
 *  2. creates every database of the chosen analytics flavour with the model's character set,
 *  3. creates the application account of each role and (re)sets its password, so a rotated
 *     secret converges; grants each exactly the model's privileges on exactly its databases and
 *     revokes whatever else it holds (global, other databases, GRANT OPTION, the ALL PRIVILEGES of
 *     older stacks), so a re-run converges an existing stack to the model,
 *  4. loads each stock schema script present in the product homes exactly once ever, as the
 *     master user: the application accounts never hold the DDL the stock scripts need.
 *
 * The stock scripts are not idempotent (plain CREATE TABLE), so step 4 is guarded by a claim row
 * per (script, database) in a bookkeeping database: the node whose INSERT wins the primary key
 * loads and marks it done; the others wait until it is done (bounded), and may take over a claim
 * older than the stale limit (a node that died mid-load).
 *
 * Layout: a generated header (the environment contract, the model's endpoint, account and claim
 * table as read-only variables), the fixed body `shell/db-init-prelude.sh`, then the generated
 * SQL of the model's databases, grants and schema loads.
 *
 * Secrets: the script holds none. The master credentials come from an option file the caller
 * wrote (`DB_DEFAULTS_FILE`, mode 0600) or from `DB_MASTER_USER`/`DB_MASTER_PASSWORD`, which the
 * script writes to its own 0600 option file; the application password from `DB_APP_PASSWORD` or
 * `DB_APP_PASSWORD_FILE`, escaped by the script into an SQL string literal and sent on the
 * client's stdin. No secret is ever a command-line argument or a log line. (We do not use
 * `secretPlaceholder` here: the script must work unchanged as a Kubernetes Job, where no applier
 * runs, and the values are better kept out of any file at all.)
 */
import { DB_INIT_META_DATABASE, DbAccount, SchemaLoad, Topology, schemaLoadsFor } from '../topology';
import { shellAssignments, shellFile, shellQuote } from './shell';

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
  DB_SSL_CA: 'CA file (PEM) the database server\'s certificate must verify against, host name included (required)',
  DB_APP_PASSWORD: 'password of the application accounts (one per role); or:',
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
const PRIVILEGE_RE = /^[A-Z]+( [A-Z]+)*$/;
const LOAD_ID_RE = /^[A-Za-z0-9_./:@-]+$/;
const SCRIPT_PATH_RE = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const HEREDOC_END = '__DB_INIT_SQL__';

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

/** Checks that every name the script carries is safe; returns the schema loads with their claim ids. */
function checkedSchemaLoads(t: Topology): DbInitSchemaLoad[] {
  const { db } = t;
  check(COLLATIONS[db.characterSet] !== undefined, `unsupported character set ${db.characterSet} (${Object.keys(COLLATIONS).join(', ')})`);
  const accounts = Object.values(db.accounts);
  for (const a of accounts) {
    check(SAFE_NAME_RE.test(a.user), `unsafe database user name ${JSON.stringify(a.user)}`);
    check(a.databases.length > 0 && a.privileges.length > 0, `account ${a.user} is granted nothing`);
    for (const p of a.privileges) check(PRIVILEGE_RE.test(p) && p !== 'GRANT OPTION' && !p.startsWith('ALL'), `privilege ${p} cannot be granted`);
    for (const d of a.databases) check(db.databases.includes(d), `account ${a.user} is granted ${d}, which the model does not create`);
  }
  check(new Set(accounts.map((a) => a.user)).size === accounts.length, 'two roles share a database account');
  const granted = accounts.flatMap((a) => a.databases);
  check(new Set(granted).size === granted.length, 'a database is granted to two accounts');
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
  return schemaLoads;
}

/** What the generated parts of the script say about the model's databases. */
interface Names {
  db: Topology['db'];
  /** The application accounts, IS first. */
  accounts: DbAccount[];
  /** The claim table. Names are checked against SAFE_NAME_RE, so it needs no backticks. */
  claims: string;
}

/** `'user'@'%'`: an account in SQL (and as information_schema's GRANTEE shows it). */
function accountSql(a: DbAccount): string {
  return `${sqlString(a.user)}@'%'`;
}

// Three words below are written in double quotes, as this script has always been rendered (a byte
// change would deliver a new script to every node): they hold single quotes around names checked
// against SAFE_NAME_RE, the character set (a COLLATIONS key) and numbers, nothing double quotes expand.

/** Shebang, the environment contract, strict mode and the deployment data as read-only variables. */
function headerLines({ db, claims }: Names): string[] {
  const envWidth = Math.max(...Object.keys(DB_INIT_ENV).map((k) => k.length));
  const readonly = (vars: Record<string, string | number>) => shellAssignments(vars).map((a) => `readonly ${a}`);
  return [
    '#!/usr/bin/env bash',
    '# wso2-is-pattern2 database initialisation. Generated from the topology model; do not edit.',
    '# Creates the product databases and the application accounts with their grants, then loads each stock schema',
    '# script found in the product homes exactly once, even when several nodes run this at once.',
    '#',
    '# Usage: db-init.sh [--is-home DIR] [--analytics-home DIR]',
    '# Environment:',
    ...Object.entries(DB_INIT_ENV).map(([k, v]) => `#   ${k.padEnd(envWidth)}  ${v}`),
    'set -Eeuo pipefail',
    'umask 077',
    '',
    ...readonly({ DEFAULT_DB_HOST: db.host, DEFAULT_DB_PORT: db.port }),
    ...readonly({ CLAIMS: claims }),
  ];
}

/** The fixed body (shell/db-init-prelude.sh) without its leading comment lines, which are notes for readers of the file. */
function preludeLines(): string[] {
  return shellFile('db-init-prelude.sh').replace(/^(#.*\n)+/, '').split('\n');
}

/** The SQL creating the databases and the claim table. */
function databaseSql({ db, claims }: Names): string[] {
  const charset = `CHARACTER SET ${db.characterSet} COLLATE ${COLLATIONS[db.characterSet]}`;
  return [
    ...[DB_INIT_META_DATABASE, ...db.databases].map((name) => `CREATE DATABASE IF NOT EXISTS ${sqlIdent(name)} ${charset};`),
    `CREATE TABLE IF NOT EXISTS ${claims} (`,
    '  LOAD_ID VARCHAR(190) NOT NULL PRIMARY KEY,',
    "  STATE VARCHAR(16) NOT NULL,",
    '  OWNER VARCHAR(190) NOT NULL,',
    '  CLAIMED_AT DATETIME NOT NULL,',
    '  DONE_AT DATETIME NULL',
    ') ENGINE=InnoDB;',
  ];
}

/**
 * One query printing a REVOKE for every privilege an application account holds beyond the model:
 * global ones, GRANT OPTION, and database-level ones on another database or of another kind
 * (e.g. the ALL PRIVILEGES older versions of this script granted). Table-, column- and
 * routine-level grants are not this script's (it never makes any) and stay as they are.
 * Needs a session with backslash escapes on (sql_mode '').
 */
function excessPrivilegesQuery(accounts: DbAccount[]): string[] {
  const grantees = accounts.map((a) => sqlString(accountSql(a))).join(', ');
  const allowed = accounts.map(
    (a) =>
      `(GRANTEE = ${sqlString(accountSql(a))} AND TABLE_SCHEMA IN (${a.databases.map((d) => sqlString(d.replace(/([_%\\])/g, '\\$1'))).join(', ')})` +
      ` AND PRIVILEGE_TYPE IN (${a.privileges.map(sqlString).join(', ')}))`,
  );
  const onSchema = "CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.*')";
  return [
    `SELECT CONCAT('REVOKE ', PRIVILEGE_TYPE, ' ON *.* FROM ', GRANTEE, ';') FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN (${grantees}) AND PRIVILEGE_TYPE <> 'USAGE'`,
    `UNION ALL SELECT DISTINCT CONCAT('REVOKE GRANT OPTION ON *.* FROM ', GRANTEE, ';') FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN (${grantees}) AND IS_GRANTABLE = 'YES'`,
    `UNION ALL SELECT CONCAT('REVOKE ', PRIVILEGE_TYPE, ' ON ', ${onSchema}, ' FROM ', GRANTEE, ';') FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (${grantees}) AND NOT (${allowed.join(' OR ')})`,
    `UNION ALL SELECT DISTINCT CONCAT('REVOKE GRANT OPTION ON ', ${onSchema}, ' FROM ', GRANTEE, ';') FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (${grantees}) AND IS_GRANTABLE = 'YES';`,
  ];
}

/**
 * One client call (a client start costs more than the statements): creates the databases and the
 * claim table, creates each application account, (re)sets its password from the environment and
 * grants it the model's privileges, then asks for what the script acts on next: an existing
 * database with another character set (kept: changing it under loaded tables would mix
 * collations; a warning), the privileges beyond the model (REVOKE lines, after the grants so that
 * a running node never loses one it needs) and the claims already done (`done<TAB>id`).
 */
function setupLines({ db, accounts, claims }: Names): string[] {
  const summary = accounts.map((a) => `${a.user}: ${a.privileges.join(', ')} on ${a.databases.length} databases`).join('; ');
  const wrongCharset =
    `SELECT 'charset', SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (` +
    `${db.databases.map(sqlString).join(', ')}) AND DEFAULT_CHARACTER_SET_NAME <> ${sqlString(db.characterSet)};`;
  return [
    `log ${shellQuote(`ensuring ${db.databases.length} databases (${db.characterSet}) and ${DB_INIT_META_DATABASE}`)}`,
    `log ${shellQuote(`ensuring the application accounts (${summary})`)}`,
    'facts="$(',
    '  {',
    `    printf '%s\\n' "SET SESSION sql_mode = '';"`,
    ...sqlHeredoc('    cat', databaseSql({ db, accounts, claims })),
    '    pw="$(sql_literal "$APP_PASSWORD")"',
    ...accounts.flatMap((a) => [
      `    printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\\n' ${shellQuote(accountSql(a))} "$pw"`,
      `    printf 'ALTER USER %s IDENTIFIED BY %s;\\n' ${shellQuote(accountSql(a))} "$pw"`,
    ]),
    ...sqlHeredoc('    cat', [
      ...accounts.flatMap((a) => a.databases.map((d) => `GRANT ${a.privileges.join(', ')} ON ${grantDatabase(d)}.* TO ${accountSql(a)};`)),
      wrongCharset,
      ...excessPrivilegesQuery(accounts),
      `SELECT 'done', LOAD_ID FROM ${claims} WHERE STATE = 'done';`,
    ]),
    '  } | sql --raw',
    ')"',
    'excess=""',
    'revokes=0',
    'while IFS= read -r line; do',
    '  case "$line" in',
    '    "") ;;',
    `    REVOKE\\ *) excess+="$line"$'\\n'; revokes=$((revokes + 1)) ;;`,
    `    charset$'\\t'*)`,
    `      IFS=$'\\t' read -r _ name charset <<<"$line"`,
    `      log "WARNING: database $name already exists with character set $charset, not ${db.characterSet}"`,
    '      ;;',
    "    done$'\\t'*) DONE_LOADS+=\"${line#done$'\\t'} \" ;;",
    '    *) die "unexpected answer from the database: $line" ;;',
    '  esac',
    'done <<<"$facts"',
  ];
}

/**
 * Revokes what the set-up call found beyond the model. Another node may revoke the same at once
 * (`--force` lets those REVOKEs fail); a second look must then find nothing left.
 */
function revokeLines({ accounts }: Names): string[] {
  return [
    'if [ -n "$excess" ]; then',
    '  log "revoking $revokes privileges beyond the model\'s"',
    `  printf '%s' "$excess" | sql --force >/dev/null 2>&1 || true`,
    ...sqlHeredoc('  left="$(sql --raw', ["SET SESSION sql_mode = '';", ...excessPrivilegesQuery(accounts)]),
    '  )"',
    '  [ -z "$left" ] || die "could not revoke: $left"',
    'fi',
  ];
}

/**
 * Renders the initialisation script for the model's databases, user and schema loads.
 * Throws when the model holds a name this script cannot carry safely.
 */
export function renderDbInit(t: Topology): DbInit {
  const schemaLoads = checkedSchemaLoads(t);
  const names: Names = { db: t.db, accounts: [t.db.accounts.is, t.db.accounts.analytics], claims: `${DB_INIT_META_DATABASE}.SCHEMA_LOAD` };
  const lines: string[] = [
    ...headerLines(names),
    ...preludeLines(),
    'wait_for_database',
    '',
    ...setupLines(names),
    ...revokeLines(names),
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
