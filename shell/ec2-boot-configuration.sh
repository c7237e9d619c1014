# shellcheck shell=bash
# EC2 boot script, step "configuration": this node's change set applied with its secrets filled
# in, in one pass. A fragment: components/ec2/boot-script.ts inlines the lines after the first
# blank line of this file. Reads BUCKET, CHANGE_SET_KEY, APPLIER_KEY, STATE and HOME_DIR from the
# script's generated header; leaves secrets_file (databases step) and keys_file (keystores) set.

aws_s3_get "s3://$BUCKET/$CHANGE_SET_KEY" "$STATE/change-set.json"
aws_s3_get "s3://$BUCKET/$APPLIER_KEY" "$STATE/applier.js"
secrets_file="$(umask 077 && mktemp "$STATE/secrets.XXXXXX")"
keys_file="$(umask 077 && mktemp "$STATE/keys.XXXXXX")"
trap 'rm -f "$secrets_file" "$keys_file"' EXIT
read_secret >"$secrets_file"
# The node's key material: its TLS certificate encrypts the analytics Secure Vault entries (apply),
# then the keystores step builds the stores from the same file.
read_node_keys >"$keys_file"
# Filled in memory before the comparison with the disk: a file is replaced (one rename, its
# owner kept) only when its filled content changed, so a running node next to a shared tree
# never sees a placeholder, and an unchanged reboot rewrites nothing. Every file holding a
# placeholder comes from the change set, so the one apply step fills them all.
node "$STATE/applier.js" apply --home "$HOME_DIR" --changes "$STATE/change-set.json" --secrets-file "$secrets_file" --material "$keys_file"
