# shellcheck shell=sh
# Kubernetes `wait-for-database` init container (the MySQL image): polls, as the application user
# (DB_HOST, DB_PORT, DB_USER, MYSQL_PWD from the environment), for the row the db-init Job writes
# after its script succeeded, so no Kubernetes API access (RBAC) is needed. It sends the
# application password, so it verifies the server first, as the Job does: against DB_SSL_CA, host
# name included (MySQL 8 client: --ssl-mode=VERIFY_IDENTITY; a MariaDB one spells it otherwise).
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # query: generated line

set -u
#@ query: counts the db-init Job's row for this script version
if [ -z "${DB_SSL_CA:-}" ] || [ ! -f "$DB_SSL_CA" ] || [ ! -r "$DB_SSL_CA" ]; then
  echo "wait: DB_SSL_CA (${DB_SSL_CA:-unset}) is not a readable CA file to verify the database server with" >&2
  exit 1
fi
# The client options, as the positional parameters (sh has no arrays).
case "$(mysql --version 2>&1)" in
  *MariaDB*) set -- --ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert ;;
  *) set -- --ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA" ;;
esac
nl='
'
while :; do
  # The count is the last line the client prints; its messages come with it, for the log.
  if out="$(mysql "$@" --connect-timeout=5 -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -N -B -e "$query" 2>&1)" && [ "${out##*"$nl"}" = "1" ]; then
    break
  fi
  case "$out" in
    # A server that does not verify will not start to: the container fails, saying why (the
    # kubelet restarts it with a back-off, so a corrected CA or server is picked up).
    *"ERROR 2026"*)
      echo "wait: TLS to $DB_HOST:$DB_PORT failed; is the server's certificate issued by a CA in DB_SSL_CA ($DB_SSL_CA) for this host name? ${out%%"$nl"*}" >&2
      exit 1
      ;;
    *ERROR*) echo "wait: database $DB_HOST:$DB_PORT not initialised yet: ${out%%"$nl"*}" ;;
    *) echo "wait: database $DB_HOST:$DB_PORT not initialised yet" ;;
  esac
  sleep 5
done
echo "wait: database ready"
