# shellcheck shell=sh
# Kubernetes `seed-shared` init container (the product image, as the product user): each shared directory that
# is missing or empty on the ReadWriteMany volume is filled from the image's own tree, copied aside
# and then renamed into place, so two pods racing cannot interleave and a filled directory is
# never clobbered. The product user owns the volume's top directory (the NFS server's export-owner
# init container; an EFS access point maps every file to its own uid), so no chown is needed.
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # home, shared: generated lines

set -eu
#@ home: the product home (WSO2_SERVER_HOME, else the image's); shared: the shared mount
seed() {
  name="$1"; src="$home/$2"; dst="$shared/$name"
  if [ -d "$dst" ] && [ -n "$(ls -A "$dst")" ]; then echo "seed: $name already has content"; return 0; fi
  tmp="$shared/.seed-$name-$POD_NAME"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # No ownership kept (not `cp -a`): the copy is the product user's, as is the image's tree.
  if [ -d "$src" ]; then cp -R "$src/." "$tmp/"; fi
  if [ -d "$dst" ]; then rmdir "$dst" 2>/dev/null || true; fi
  if mv -T "$tmp" "$dst" 2>/dev/null; then echo "seed: $name seeded from the image"; else rm -rf "$tmp"; echo "seed: $name was seeded by another pod"; fi
}
#@ one `seed NAME PRODUCT_PATH` per shared directory of the role
