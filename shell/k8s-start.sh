# shellcheck shell=sh
# Kubernetes product container: links the shared trees, puts the JDBC driver in place, copies the
# node-local staged files over the product home (never into a shared tree: the apply step edited
# those in place) and runs the product's start script. That script runs java in a loop without
# exec, so it is run as a child and this shell stays the container's PID 1: it turns the
# kubelet's SIGTERM (a PID 1 without a handler ignores it) into the product's own `stop` command,
# which sends TERM to the JVM through the pid file the JVM writes; the JVM's shutdown hooks run
# (Carbon's graceful shutdown), the script's loop ends with it, and so does this shell.
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# The password-tmp copy below serves every Carbon 4 node (IS and DAS analytics; its comment names
# IS only, and stays so: a changed line would roll the SP analytics pods for nothing).
# shellcheck disable=SC2154 # home, prog, vault_key_file: generated lines

set -eu
#@ home; shared trees: their mount and one symlink each; the JDBC driver copied in; the home link; cd to the stage
find . -type f | while IFS= read -r f; do
#@ files of the shared trees skipped
  # find's paths all start with ./: the parent by parameter expansion, mkdir only when missing.
  d="$home/${f%/*}"
  [ -d "$d" ] || mkdir -p "$d"
  cp "$f" "$home/$f"
done
# IS: Secure Vault's keystore password (from the apply step), 0600 for Carbon to read and wipe.
if [ -f password-tmp ]; then rm -f "$home/password-tmp"; (umask 077 && cp password-tmp "$home/password-tmp"); fi
cd "$home"
#@ prog: the process's start script, relative to the product home
#@ vault_key_file: SP analytics, the Secure Vault master key file (no line otherwise)
stopping=
# shellcheck disable=SC2317 # invoked by the trap
stop_product() {
  if [ -z "$stopping" ]; then
    stopping=1
    echo "start: stopping $prog" >&2
    sh "$home/$prog" stop || true
  fi
}
trap stop_product TERM INT
if [ -n "${vault_key_file:-}" ]; then
  # The Secure Vault master keys (carbon-secvault reads environment variables of exactly these
  # names) in the product's environment only: not this shell's, not the stop command's.
  master_key="$(cat "$vault_key_file")"
  keyStorePassword="$master_key" privateKeyPassword="$master_key" sh "$home/$prog" &
  product=$!
  unset master_key
else
  sh "$home/$prog" &
  product=$!
fi
status=0
while :; do
  if wait "$product"; then status=0; else status=$?; fi
  # A trapped signal ends `wait` early (status > 128): wait again until the product has ended.
  if ! kill -0 "$product" 2>/dev/null; then break; fi
done
exit "$status"
