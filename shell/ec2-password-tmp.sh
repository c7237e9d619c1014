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
