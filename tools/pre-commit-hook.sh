#!/bin/sh
# Entry point of the `meshlint` and `meshlint-all` pre-commit hooks (language:
# script). pre-commit runs it from the user's repository with the staged files
# as arguments (meshlint), or with --whole-repository alone (meshlint-all);
# the binary is built inside pre-commit's own clone of meshlint on first use,
# saying so, since that takes a while.
here=$(cd "$(dirname "$0")/.." && pwd)
# a make that runs this hook (a test suite, say) must not pass its variables
# (another BUILD or BIN) to the build of the hook's own binary
# (make exports command-line variables to the environment: name ours here)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
build() { make -C "$here" --no-print-directory BUILD=build BIN=meshlint SAN= OPT="-O2 -g" "$@"; }
if ! build -q all >/dev/null 2>&1; then
  echo "meshlint: building meshlint in $here (first use, or the hook was updated; about 30 s)" >&2
  start=$(date +%s)
  n=0
  if ! build -j2 all 2>&1 | while IFS= read -r line; do
         # one progress line per compiled file, not the whole command
         case $line in
           *" -c -o "*) n=$((n + 1)); f=${line##* }; echo "meshlint: [$n] compiling $f" >&2 ;;
           *error*|*warning*|*Error*) echo "$line" >&2 ;;
         esac
       done; then
    :
  fi
  if ! [ -x "$here/meshlint" ] || ! build -q all >/dev/null 2>&1; then
    echo "meshlint: build failed in $here (needs: a C compiler, libyaml-dev libpcre2-dev pkg-config; run make deps there)" >&2
    exit 2
  fi
  echo "meshlint: built in $(( $(date +%s) - start )) s" >&2
fi
if [ "${1:-}" = "--whole-repository" ]; then
  shift
  exec "$here/meshlint" "$@" .
fi
exec "$here/meshlint" --context . "$@"
