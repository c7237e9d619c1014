# shellcheck shell=bash
# EC2 boot script, helpers built on the actions: no external effects beyond the file tree.
# A fragment: components/ec2/boot-script.ts inlines the lines after the first blank line of this
# file. Reads NODE_ID, HOME_DIR and SHARED from the script's generated header (SHARED, the
# shared mount, is no misspelling of seed_shared's local 'shared'):
# shellcheck disable=SC2153

# The time from bash's own printf (TZ=UTC for it alone: `date -u`'s format) rather than a date
# process per line.
log() { TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T wso2-pattern2[%s]: %s\n' -1 "$NODE_ID" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# fetch URL DEST: s3:// through the instance profile, anything else over http(s).
fetch() {
  case "$1" in
    s3://*) aws_s3_get "$1" "$2" ;;
    *) http_get "$1" "$2" ;;
  esac
}

# write_if_changed FILE MODE: stdin (text) to FILE when the content differs; status 0 when written,
# 1 when unchanged; a text it cannot write ends the boot (callers read 1 as "nothing to do").
# Read and compared by bash itself, so an unchanged file (every reboot) costs no process. A read
# that stops at a NUL (status 0) met one: in the old file, not our text, so not equal; in stdin,
# bash could not keep it, so refused. The new text goes to a fresh mktemp file (0600 until
# chmod), moved into place whole.
write_if_changed() {
  local new old='' tmp
  if IFS= read -r -d '' new; then die "write_if_changed $1: the text holds a NUL byte"; fi
  if [ -f "$1" ] && ! IFS= read -r -d '' old <"$1" && [ "$new" = "$old" ]; then return 1; fi
  tmp=$(mktemp "$1.XXXXXX") || die "cannot create a temporary file beside $1"
  { printf '%s' "$new" >"$tmp" && chmod "$2" "$tmp" && mv -f "$tmp" "$1"; } || {
    rm -f "$tmp"
    die "cannot write $1"
  }
}

# seed_shared NAME PRODUCT_PATH: the shared tree NAME, seeded once from the pack, and the
# product path replaced by a symlink to it (seed 000: a symlink, not a mount, so redeploying
# the product never mounts into a missing path).
seed_shared() {
  local name="$1" target="$HOME_DIR/$2" shared="$SHARED/$1"
  # The marker is written last, under the lock: once it is there (every boot but the first of
  # the stack), there is nothing to wait for and no lock to take.
  if [ ! -e "$shared/.seeded" ]; then
    mkdir -p "$shared"
    # One node seeds; the other waits on the lock and then finds the marker. The lock is
    # flock on the shared FS (NFSv4 locks, released if the holder dies).
    (
      flock -w 600 9 || die "timed out waiting for the seed lock of $name"
      if [ ! -e "$shared/.seeded" ]; then
        if [ -z "$(ls -A "$shared")" ] && [ -d "$target" ] && [ ! -L "$target" ]; then
          log "seeding shared $name from $target"
          cp -a "$target/." "$shared/"
        else
          log "shared $name already has content or the pack has none; not seeding"
        fi
        printf '%s\n' "$NODE_ID" >"$shared/.seeded"
      fi
    ) 9>"$SHARED/.seed-$name.lock"
  fi
  if [ -L "$target" ]; then
    [ "$(readlink "$target")" = "$shared" ] && return 0
    rm -f "$target"
  elif [ -e "$target" ]; then
    # Keep the pack's own copy out of the way once, for reference; never merged back.
    rm -rf "$target.pack"
    mv "$target" "$target.pack"
  fi
  mkdir -p "${target%/*}"
  ln -s "$shared" "$target"
  log "linked $target -> $shared"
}

# java_home: JAVA_HOME_DIR set to JAVA_HOME of the installed JDK (the directory above bin/java,
# above jre/ if any); looked up once per run.
JAVA_HOME_DIR=''
java_home() {
  [ -z "$JAVA_HOME_DIR" ] || return 0
  local java dir
  java="$(command -v java)" || die "java is not installed"
  dir="$(readlink -f "$java")"
  # dirname as an expansion (readlink -f gives an absolute path; empty means /), twice, thrice above jre/.
  dir="${dir%/*}"
  dir="${dir%/*}"
  case "$dir" in */jre) dir="${dir%/jre}" ;; esac
  JAVA_HOME_DIR="${dir:-/}"
}
