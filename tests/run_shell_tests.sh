#!/bin/sh
# Command-line behaviour tests: every tests/sh/*.sh runs with MESHLINT set to
# the binary under test and the repository root as working directory.
MESHLINT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export MESHLINT
pass=0; fail=0
for t in tests/sh/*.sh; do
  [ -f "$t" ] || continue
  if sh "$t" > build/sh.log 2>&1; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL: $t"; tail -n 30 build/sh.log
  fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
