# shellcheck shell=bash
# EC2 boot script, step "databases": wait until the db-init runner has recorded that it ran the
# current db-init script (DB_INIT_SHA256), as this node's own database account: the node never
# holds the master password (docs/architecture.md, decision 29). A fragment: components/ec2/
# boot-script.ts inlines the lines after the first blank line of this file. Reads STATE, DB_HOST,
# DB_PORT, DB_USER, DB_INIT_RECORD_TABLE, DB_INIT_SHA256, DB_WAIT_TIMEOUT and DB_WAIT_INTERVAL from
# the script's generated header and secrets_file from the configuration step; the account's
# password lives only in a 0600 client option file, removed on exit. The client verifies the server
# (RDS) against the RDS CA bundle the applier embeds, digest-checked on the way out.
# shellcheck disable=SC2154

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
