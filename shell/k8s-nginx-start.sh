# shellcheck shell=sh
# Kubernetes nginx container: the first nameserver of resolv.conf (checked to be an IP address,
# IPv6 bracketed as nginx wants it) replaces the resolver placeholder of the rendered site, then
# nginx runs in the foreground as the image's own command does.
# components/kubernetes/scripts.ts emits the lines below this comment, each `#@` line replaced
# by the generated lines it describes.
# shellcheck disable=SC2154 # resolv: generated line

set -eu
#@ resolv: the resolv.conf path
ns=''
while read -r key value _; do
  if [ "$key" = nameserver ]; then ns="$value"; break; fi
done < "$resolv"
case "$ns" in
  '') echo "nginx: no nameserver in $resolv" >&2; exit 1 ;;
  *[!0-9A-Fa-f.:]*) echo "nginx: nameserver is not an IP address: $ns" >&2; exit 1 ;;
  *:*) ns="[$ns]" ;;
esac
#@ the site written from its template, the placeholder replaced by "$ns"
echo "nginx: upstream names resolved through $ns"
exec nginx -g 'daemon off;'
