# shellcheck shell=bash
# The Kubernetes db-init Job's container (the MySQL image): runs the rendered script, then, as the
# master user (DB_HOST, DB_PORT, DB_MASTER_USER, DB_MASTER_PASSWORD from the environment), records
# that this script version succeeded and lets the application user read that record, verifying
# the server against DB_SSL_CA as the script does (MySQL 8 client; a MariaDB one spells it otherwise).
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.

set -euo pipefail
#@ run of the rendered script
case "$(mysql --version 2>&1)" in
  *MariaDB*) tls=(--ssl --ssl-ca="$DB_SSL_CA" --ssl-verify-server-cert) ;;
  *) tls=(--ssl-mode=VERIFY_IDENTITY --ssl-ca="$DB_SSL_CA") ;;
esac
export MYSQL_PWD="$DB_MASTER_PASSWORD"
mysql "${tls[@]}" --connect-timeout=10 -h "$DB_HOST" -P "$DB_PORT" -u "$DB_MASTER_USER" <<SQL
#@ the record table, this version's row, the application user's grant
SQL
echo "db-init: done"
