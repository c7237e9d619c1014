# shellcheck shell=bash
# EC2 boot script, step "first start" (node 2 of a role only): on a fresh stack, wait until node 1
# has finished its first start, so the two nodes never both initialise an empty database (IS: the
# admin user, claims, registry content) and analytics-1 becomes the active node. A fragment:
# components/ec2/boot-script.ts inlines the lines after the first blank line of this file. Reads
# NODE_ID, STATE, SHARED, PEER_NODE_ID, PEER_HEALTH_URL, PEER_HEALTH_ANY, FIRST_START_TIMEOUT and
# FIRST_START_INTERVAL from the script's generated header; probe_health is an action, log a helper.
# No wait when this node started before (its state dir says so: a reboot) or when a first start
# of the role is recorded on the shared file system (a replaced node: the database is initialised,
# whether or not node 1 is up now). Bounded: after FIRST_START_TIMEOUT seconds it starts anyway.

first_start_local="$STATE/first-start.done"
first_start_shared="$SHARED/.first-start.done"
if [ -e "$first_start_local" ]; then
  log "this node started its product before; not waiting for $PEER_NODE_ID"
elif [ -e "$first_start_shared" ]; then
  log "a first start of this role is recorded on the shared file system; not waiting for $PEER_NODE_ID"
else
  log "waiting up to ${FIRST_START_TIMEOUT}s for $PEER_NODE_ID to finish its first start ($PEER_HEALTH_URL)"
  wait_start=$SECONDS
  while :; do
    code="$(probe_health "$PEER_HEALTH_URL" || true)"
    if [ "$code" = 200 ] || { [ "$PEER_HEALTH_ANY" = 1 ] && [ -n "$code" ] && [ "$code" != 000 ]; }; then
      log "$PEER_NODE_ID answered $code after $((SECONDS - wait_start))s; starting"
      TZ=UTC printf '%s saw %s up at %(%Y-%m-%dT%H:%M:%SZ)T\n' "$NODE_ID" "$PEER_NODE_ID" -1 >"$first_start_shared.tmp"
      mv -f "$first_start_shared.tmp" "$first_start_shared"
      break
    fi
    if [ $((SECONDS - wait_start)) -ge "$FIRST_START_TIMEOUT" ]; then
      log "WARNING: $PEER_NODE_ID did not finish its first start within ${FIRST_START_TIMEOUT}s (last answer: ${code:-none}); starting anyway"
      break
    fi
    sleep "$FIRST_START_INTERVAL"
  done
fi
printf '%s\n' "$NODE_ID" >"$first_start_local"
