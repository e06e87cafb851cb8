#!/bin/sh
# Runs every cmocka unit-test binary given as arguments from the repository
# root (tests read testdata/ relative to it).
pass=0; fail=0
for t in "$@"; do
  if "$t" >"$t.log" 2>&1; then
    pass=$((pass+1))
  else
    fail=$((fail+1)); echo "FAIL: $t"; tail -n 30 "$t.log"
  fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
