# shellcheck shell=bash
# EC2 boot script, external actions: one command each, so a sandbox test fakes them on PATH.
# A fragment: components/ec2/boot-script.ts inlines the lines after the first blank line of this
# file. Reads REGION, SECRET_ARN, KEYS_SECRET_ARN, WSO2_UID, DB_HOST and DB_PORT from the script's
# generated header.

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
