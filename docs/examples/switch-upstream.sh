#!/bin/sh
# Blue/green with nginx: point SERVICE's upstream at the colour that runs VERSION, check, reload.
#   switch-upstream.sh UPSTREAM_DIR SERVICE VERSION
# UPSTREAM_DIR holds SERVICE-blue.conf and SERVICE-green.conf, each the upstream of one colour with
# a line "# version X.Y.Z" naming what it runs, and SERVICE.conf, a symlink to the live one that
# nginx.conf includes. Safe to run twice: the colour running VERSION stays live.
set -eu
dir=$1 service=$2 version=$3

target=
for colour in blue green; do
  if grep -qx "# version $version" "$dir/$service-$colour.conf" 2>/dev/null; then
    target=$service-$colour.conf
  fi
done
if [ -z "$target" ]; then
  echo "switch-upstream: no colour of $service runs $version in $dir" >&2
  exit 3
fi

previous=$(readlink "$dir/$service.conf" || true)
# A new link renamed over the old one: nginx never sees the file missing.
ln -sfn "$target" "$dir/.$service.conf.new"
mv -f "$dir/.$service.conf.new" "$dir/$service.conf"
if ! nginx -t; then
  echo "switch-upstream: nginx -t failed; $service.conf restored to $previous" >&2
  [ -n "$previous" ] && ln -sfn "$previous" "$dir/.$service.conf.new" && mv -f "$dir/.$service.conf.new" "$dir/$service.conf"
  exit 4
fi
nginx -s reload
echo "switch-upstream: $service now served by $target ($version)"
