# Realistic, correct repositories (testdata/realistic/*) must lint clean:
# exit 0 and no warning or error. A finding here is a false positive, and
# false positives are what make people turn a linter off.
. tests/sh/lib.inc
n=0
for d in testdata/realistic/*/; do
  d=${d%/}
  [ -d "$d" ] || continue
  n=$((n+1))
  "$MESHLINT" --no-config --fail-on warning --color never "$d" > "$T/out" 2> "$T/err"; rc=$?
  if [ "$rc" != 0 ] || grep -qE ': (warning|error): ' "$T/out"; then
    cat "$T/out" "$T/err"
    fail "$d: exit $rc, expected 0 and no warnings or errors"
  fi
done
[ "$n" -ge 5 ] || fail "expected at least 5 repositories in testdata/realistic, found $n"
echo "realistic: $n repositories clean"
