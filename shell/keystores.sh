#!/bin/sh
# Fixed body run by the applier's `keystores` command (applier/keystores.ts), one keytool step per
# call, on files in the applier's private temp directory (trusted certificates the applier writes
# itself: applier/jks.ts):
#
#   sh keystores.sh import-key SOURCE.p12 ALIAS DEST.jks   # the key entry ALIAS of a PKCS#12 into a JKS
#
# Passwords come in the environment (KS_SRC_PASS: the PKCS#12's one-off password; KS_STORE_PASS;
# KS_KEY_PASS) and reach keytool as `-...pass:env NAME`: a command line (`ps`, /proc/PID/cmdline)
# names the variable, never the value. DEST.jks is created by the first call unless the applier
# wrote trusted entries into it. keytool is the JDK's: $JAVA_HOME/bin/keytool, else the one on PATH.
set -eu

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then
  keytool=$JAVA_HOME/bin/keytool
elif command -v keytool >/dev/null 2>&1; then
  keytool=keytool
else
  echo "keytool not found: set JAVA_HOME or put the JDK's bin on PATH" >&2
  exit 127
fi

[ "$#" -eq 4 ] || { echo "usage: keystores.sh import-key SOURCE ALIAS DEST" >&2; exit 2; }
step=$1 source=$2 alias=$3 dest=$4

case "$step" in
  import-key)
    # -destkeypass: the entry's own key password, which may differ from the store's (JKS allows it).
    "$keytool" -importkeystore -noprompt \
      -srckeystore "$source" -srcstoretype PKCS12 -srcstorepass:env KS_SRC_PASS -srcalias "$alias" \
      -destkeystore "$dest" -deststoretype JKS -deststorepass:env KS_STORE_PASS \
      -destalias "$alias" -destkeypass:env KS_KEY_PASS
    ;;
  *)
    echo "unknown step: $step" >&2
    exit 2
    ;;
esac
