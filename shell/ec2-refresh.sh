#!/bin/bash
# Fetches this node's current boot script from the stack bucket and runs it (every boot).
set -euo pipefail
# shellcheck source=/dev/null
. /etc/wso2-pattern2/node.env
install -d -m 0700 /var/lib/wso2-pattern2
aws s3 cp --only-show-errors --region "$PATTERN2_REGION" "s3://$PATTERN2_BUCKET/$PATTERN2_BOOT_KEY" /var/lib/wso2-pattern2/boot.sh.new
mv -f /var/lib/wso2-pattern2/boot.sh.new /var/lib/wso2-pattern2/boot.sh
exec bash /var/lib/wso2-pattern2/boot.sh
