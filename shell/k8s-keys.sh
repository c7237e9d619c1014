# shellcheck shell=sh
# Kubernetes `keys-prepare` and `keys-install` init containers (the Node image, as the product
# user, who reads the key material through the pod's fsGroup): pick this pod's node by its ordinal and run one phase of the applier's
# keystores command on the stage (see keysScript in components/kubernetes/scripts.ts, which emits
# the lines below this comment, each `#@` line replaced by the generated lines it describes).
# Between the two, the product image runs the keytool steps (k8s-keystores.sh).
# shellcheck disable=SC2154 # node_id: generated lines
# shellcheck disable=SC2317 # reachable: the pods' own case branches are generated lines

set -eu
ordinal="${POD_NAME##*-}"
case "$ordinal" in
#@ the node id of pod ordinals 0 and 1
  *) echo "keys: no pattern-2 node for pod $POD_NAME" >&2; exit 1 ;;
esac
#@ the applier's keystores phase for this node
