# shellcheck shell=bash
# EC2 boot script, step "the MySQL JDBC driver in the product's lib directory".
# A fragment: components/ec2/boot-script.ts inlines the lines after the first blank line of this
# file. Reads HOME_DIR, JDBC_DRIVER_DIR, JDBC_DRIVER_URL and JDBC_DRIVER_SHA256 from the
# script's generated header; fetch, die and log are helpers of the script.

# The URL's last segment (config/schema.ts: the jar name after a slash), as basename would give it.
driver="$HOME_DIR/$JDBC_DRIVER_DIR/${JDBC_DRIVER_URL##*/}"
# sha256_ok FILE: true when no checksum is configured or FILE has it.
sha256_ok() { [ -z "$JDBC_DRIVER_SHA256" ] || sha256sum -c --status - <<<"$JDBC_DRIVER_SHA256  $1"; }
# A jar already there is kept only if it still matches: a changed checksum means another jar.
if [ ! -s "$driver" ] || ! sha256_ok "$driver"; then
  rm -f "$driver" "$driver.part"
  mkdir -p "${driver%/*}"
  fetch "$JDBC_DRIVER_URL" "$driver.part"
  if ! sha256_ok "$driver.part"; then
    rm -f "$driver.part"
    die "the SHA-256 of $JDBC_DRIVER_URL is not $JDBC_DRIVER_SHA256"
  fi
  mv -f "$driver.part" "$driver"
  log "JDBC driver installed from $JDBC_DRIVER_URL${JDBC_DRIVER_SHA256:+ (SHA-256 verified)}"
fi
