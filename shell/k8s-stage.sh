# shellcheck shell=sh
# Kubernetes `stage` init container (the product image, as wso2carbon): copies the node-local stock
# files the change sets edit from the image's home into the stage emptyDir, keeping their relative
# paths; a stage left from an earlier run of the pod is emptied first. The paths are the
# arguments (`sh -c SCRIPT stage PATH...`).
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # home, stage: generated lines

set -eu
#@ home: the product home (WSO2_SERVER_HOME, else the image's); stage: the stage mount
mkdir -p "$stage"
find "$stage" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
for p in "$@"; do
  if [ -e "$home/$p" ]; then
    # The parent by parameter expansion and mkdir only when missing: no process per file but cp.
    case "$p" in */*) d="$stage/${p%/*}" ;; *) d="$stage" ;; esac
    [ -d "$d" ] || mkdir -p "$d"
    cp -p "$home/$p" "$stage/$p"
  else
    echo "stage: $p is not in the image; the applier will say whether it is needed" >&2
  fi
done
echo "stage: $# stock files staged"
