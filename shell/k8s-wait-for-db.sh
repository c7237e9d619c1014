# shellcheck shell=sh
# Kubernetes `wait-for-database` init container (the MySQL image): polls, as the application user
# (DB_HOST, DB_PORT, DB_USER, MYSQL_PWD from the environment), for the row the db-init Job writes
# after its script succeeded, so no Kubernetes API access (RBAC) is needed.
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # query: generated line

set -u
#@ query: counts the db-init Job's row for this script version
until [ "$(mysql --connect-timeout=5 -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" -N -B -e "$query" 2>/dev/null)" = "1" ]; do
  echo "wait: database $DB_HOST:$DB_PORT not initialised yet"
  sleep 5
done
echo "wait: database ready"
