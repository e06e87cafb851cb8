#!/bin/sh
# Golden tests: tests/golden/<name>.args holds the paths and flags of a run;
# tests/golden/<name>.<format> holds its expected output in each format.
# UPDATE=1 rewrites the expected files (read the diff before committing).
bin=$1
pass=0; fail=0
for a in tests/golden/*.args; do
  name=${a%.args}
  args=$(cat "$a")
  for fmt in text gcc json sarif github codeclimate; do
    want="$name.$fmt"
    # shellcheck disable=SC2086
    "$bin" --no-config --color never --fail-on never --format "$fmt" $args > build/golden.out 2>&1
    if [ "${UPDATE:-0}" = 1 ]; then cp build/golden.out "$want"; fi
    if [ -f "$want" ] && cmp -s build/golden.out "$want"; then
      pass=$((pass+1))
    else
      fail=$((fail+1)); echo "FAIL: golden $want"
      [ -f "$want" ] && diff -u "$want" build/golden.out | head -n 30
    fi
  done
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
