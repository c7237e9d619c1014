# shellcheck shell=sh
# Part of the Kubernetes `apply` init container (k8s-apply.sh), when the role has shared trees:
# the function that makes a stage path a symlink to its seeded tree on the shared volume, so the
# applier edits that tree in place.
# shellcheck disable=SC2154 # shared, stage: generated lines of the apply script

# link PRODUCT_PATH NAME: the stage path a symlink to the seeded shared tree.
link() {
  if [ ! -d "$shared/$2" ]; then echo "apply: shared $2 is not seeded" >&2; exit 1; fi
  rm -rf "${stage:?}/$1"
  l="$stage/$1"
  [ -d "${l%/*}" ] || mkdir -p "${l%/*}"
  ln -s "$shared/$2" "$stage/$1"
}
