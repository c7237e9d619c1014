#!/bin/bash
# EC2 product unit of an SP-based analytics node (worker or dashboard): starts the product with the
# Secure Vault master keys in its environment and nowhere else. The product's DefaultMasterKeyReader
# (carbon-secvault 5.0.13) reads the environment variables keyStorePassword and privateKeyPassword;
# both are the node's TLS store password (the vault's keystore; key password = store password),
# read here from the stack secret at every start, never written to a file, then the product's start
# script replaces this shell (exec), so no other process of the node gets them. The boot script
# installs this file; the unit passes the region and secret in PATTERN2_REGION / PATTERN2_SECRET_ARN
# (not secret) and the start script as arguments.
set -euo pipefail

[ "$#" -ge 1 ] || { echo "usage: $0 <product start script> [args]" >&2; exit 2; }
secret="$(aws secretsmanager get-secret-value --region "$PATTERN2_REGION" --secret-id "$PATTERN2_SECRET_ARN" --query SecretString --output text)"
# The JSON field through node (installed for the applier); the value travels on stdout only.
keyStorePassword="$(printf '%s' "$secret" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { const v = JSON.parse(s).tls_keystore_password; if (typeof v !== "string" || !v) process.exit(3); process.stdout.write(v); });')"
unset secret
privateKeyPassword="$keyStorePassword"
export keyStorePassword privateKeyPassword
exec "$@"
