# shellcheck shell=bash
# EC2 boot script, step "the shared file system": one fstab line (replaced, never duplicated),
# mounted. A fragment: components/ec2/boot-script.ts inlines the lines after the first blank line
# of this file. Reads ROOT, SHARED, SHARED_MOUNT, EFS_ID and EFS_ACCESS_POINT from the script's
# generated header; is_mounted and mount_fs are actions of the script.

mkdir -p "$SHARED" "$ROOT/etc"
touch "$ROOT/etc/fstab"
fstab_line="$EFS_ID:/ $SHARED_MOUNT efs _netdev,noresvport,tls,accesspoint=$EFS_ACCESS_POINT 0 0"
if ! grep -qxF "$fstab_line" "$ROOT/etc/fstab"; then
  awk -v m="$SHARED_MOUNT" '$2 != m' "$ROOT/etc/fstab" >"$ROOT/etc/fstab.new"
  printf '%s\n' "$fstab_line" >>"$ROOT/etc/fstab.new"
  mv -f "$ROOT/etc/fstab.new" "$ROOT/etc/fstab"
fi
is_mounted "$SHARED" || mount_fs "$SHARED"
