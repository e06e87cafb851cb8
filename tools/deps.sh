#!/bin/sh
# Installs the Debian packages the build needs when they are missing, if we
# are root and have apt-get; otherwise prints the exact command to run.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "meshlint: installing$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || {
    echo "meshlint: apt-get failed; run: sudo apt-get install$missing" >&2; exit 1; }
else
  echo "meshlint: missing packages; run: sudo apt-get install$missing" >&2
  exit 1
fi
