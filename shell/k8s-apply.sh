# shellcheck shell=sh
# Kubernetes `apply` init container (the Node image, as the product user): picks this pod's change set by its
# ordinal and runs the applier on the stage, with the shared trees linked in (see applyScript in
# components/kubernetes/scripts.ts, which emits the lines below this comment, each `#@` line
# replaced by the generated lines it describes).
# shellcheck disable=SC2154 # stage, node_id: generated lines
# shellcheck disable=SC2317 # reachable: the pods' own case branches are generated lines

set -eu
ordinal="${POD_NAME##*-}"
case "$ordinal" in
#@ the node id of pod ordinals 0 and 1
  *) echo "apply: no pattern-2 node for pod $POD_NAME" >&2; exit 1 ;;
esac
#@ stage; shared trees: their mount, the link function (k8s-apply-link.sh) and one link each; the applier run; shared trees: the links removed
# The staged files for the product user alone (the volume's own top directory is root's).
find "$stage" -mindepth 1 -exec chmod go-rwx {} +
echo "apply: $node_id configured"
