# shellcheck shell=bash
# EC2 boot script, step "keystores": this node's keystores and truststore built from its key
# material, before the product (re)starts. A fragment: components/ec2/boot-script.ts inlines the
# lines after the first blank line of this file. Reads STATE, HOME_DIR and KEY_MATERIAL_DIGEST
# from the script's generated header and secrets_file and keys_file (read by the configuration
# step; its trap removes both on exit, failure included): the material (private keys) lives only in
# that 0600 temp file.
# shellcheck disable=SC2154

log "keystores: material of certificates $KEY_MATERIAL_DIGEST"
# keytool is the JDK's (JAVA_HOME); unchanged material and intact stores: nothing is written.
java_home
JAVA_HOME="$JAVA_HOME_DIR" node "$STATE/applier.js" keystores --home "$HOME_DIR" --material "$keys_file"
rm -f "$keys_file"
