# shellcheck shell=sh
# Kubernetes `fetch-jdbc-driver` init container (the pinned Node image: busybox wget and
# sha256sum): downloads the MySQL driver the WSO2 images lack and checks its SHA-256 when one is
# configured. URL, file name and checksum arrive as environment variables (JDBC_DRIVER_URL,
# JDBC_DRIVER_FILE, JDBC_DRIVER_SHA256, empty when unset). Only a verified download takes the
# final name, so a restarted container never trusts a partial or wrong file.
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # out: generated line

set -eu
#@ out: the driver's path in the driver mount
if [ -s "$out" ]; then echo "jdbc-driver: $JDBC_DRIVER_FILE already fetched"; exit 0; fi
tries=0
until wget -q -T 60 -O "$out.part" "$JDBC_DRIVER_URL"; do
  tries=$((tries + 1))
  rm -f "$out.part"
  if [ "$tries" -ge 5 ]; then echo "jdbc-driver: cannot download $JDBC_DRIVER_URL" >&2; exit 1; fi
  sleep 5
done
if [ -n "${JDBC_DRIVER_SHA256:-}" ]; then
  if ! echo "$JDBC_DRIVER_SHA256  $out.part" | sha256sum -c - >/dev/null 2>&1; then
    rm -f "$out.part"
    echo "jdbc-driver: SHA-256 of $JDBC_DRIVER_URL is not $JDBC_DRIVER_SHA256" >&2
    exit 1
  fi
  echo "jdbc-driver: SHA-256 verified"
fi
mv "$out.part" "$out"
echo "jdbc-driver: fetched $JDBC_DRIVER_FILE"
