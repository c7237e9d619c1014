# shellcheck shell=sh
# Kubernetes product container: links the shared trees, puts the JDBC driver in place, copies the
# node-local staged files over the product home (never into a shared tree: the apply step edited
# those in place) and execs the product's start script in the foreground, so the JVM gets the signals.
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # home: generated lines

set -eu
#@ home; shared trees: their mount and one symlink each; the JDBC driver copied in; the home link; cd to the stage
find . -type f | while IFS= read -r f; do
#@ files of the shared trees skipped
  mkdir -p "$home/$(dirname "$f")"
  cp "$f" "$home/$f"
done
cd "$home"
#@ exec of the process's start script
