# shellcheck shell=sh
# Kubernetes `keystores` init container (the product image, which has keytool but no Node): runs
# the keytool steps the applier prepared in the private memory volume (`applier keystores
# --prepare DIR`), one `keystores.sh` call per step, passwords read from the 0600 files named by
# the step into the environment (never into a command line). Nothing prepared: nothing to do.
# The directory is the first argument (`sh -c SCRIPT keystores DIR`).

set -eu
dir=$1
if [ ! -f "$dir/steps" ]; then
  echo "keystores: stores unchanged, nothing to build"
  exit 0
fi
n=0
while read -r step source alias dest src_pass store_pass key_pass; do
  KS_STORE_PASS="$(cat "$dir/$store_pass")"
  KS_SRC_PASS="$(cat "$dir/$src_pass")"
  KS_KEY_PASS="$(cat "$dir/$key_pass")"
  export KS_STORE_PASS KS_SRC_PASS KS_KEY_PASS
  sh "$dir/keystores.sh" "$step" "$dir/$source" "$alias" "$dir/$dest" </dev/null
  n=$((n + 1))
done <"$dir/steps"
echo "keystores: $n keytool steps run"
