#!/bin/sh
# Entry point of the `meshlint` pre-commit hook (language: script). pre-commit
# runs it from the user's repository with the staged files as arguments; the
# binary is built inside pre-commit's own clone of meshlint on first use.
here=$(cd "$(dirname "$0")/.." && pwd)
# a make that runs this hook (a test suite, say) must not pass its variables
# (another BUILD or BIN) to the build of the hook's own binary
# (make exports command-line variables to the environment: name ours here)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
if ! make -s -C "$here" BUILD=build BIN=meshlint SAN= OPT="-O2 -g" all >&2; then
  echo "meshlint: build failed in $here (needs: libyaml-dev libpcre2-dev pkg-config; run make deps there)" >&2
  exit 2
fi
exec "$here/meshlint" --context . "$@"
