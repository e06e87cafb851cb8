#!/bin/sh
# Rule fixtures: testdata/rules/<ID>/<case>/ with an `expected` file.
# fire-* cases must produce findings, silent-* cases must produce none, and
# the output must equal `expected` byte for byte.
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(pwd)
pass=0; fail=0
for dir in testdata/rules/*/*/; do
  dir=${dir%/}
  id=$(basename "$(dirname "$dir")")
  case_name=$(basename "$dir")
  [ -f "$dir/expected" ] || { echo "FAIL: $dir has no expected file"; fail=$((fail+1)); continue; }
  extra=""
  [ -f "$dir/args" ] && extra=$(cat "$dir/args")
  # shellcheck disable=SC2086
  cfg="--no-config"
  [ -f "$dir/config.yaml" ] && cfg="--config config.yaml"
  # shellcheck disable=SC2086
  out=$(cd "$dir" && "$bin" $cfg --only "$id" --format gcc --fail-on never $extra . 2>&1; echo "exit=$?")
  want=$(cat "$dir/expected"; echo "exit=0")
  ok=1
  [ "$out" = "$want" ] || ok=0
  case "$case_name" in
    fire-*) [ -s "$dir/expected" ] || { echo "FAIL: $dir: a fire- case needs findings in expected"; ok=0; } ;;
    silent-*) [ -s "$dir/expected" ] && { echo "FAIL: $dir: a silent- case must expect nothing"; ok=0; } ;;
    *) echo "FAIL: $dir: case names start with fire- or silent-"; ok=0 ;;
  esac
  if [ $ok = 1 ]; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "FAIL: $dir"
    printf '%s\n' "$out" > "$root/build/fixture.out"
    printf '%s\n' "$want" | diff -u - "$root/build/fixture.out" | head -n 40
  fi
done
echo "fixtures: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
