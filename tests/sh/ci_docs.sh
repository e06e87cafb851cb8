# The CI examples in docs/ci parse as YAML and every meshlint flag they use
# exists (meshlint itself parses them: it reads YAML, and --help lists flags).
. tests/sh/lib.inc
for f in docs/ci/*.yml; do
  # a non-Kubernetes YAML document is no manifest (meshlint says it linted
  # nothing and exits 2); a syntax error would be ML001
  "$MESHLINT" --no-config --only ML001 --format gcc "$f" > "$T/out" 2>&1
  st=$?
  { [ $st = 2 ] && grep -q "nothing linted in $f" "$T/out" && ! grep -q ML001 "$T/out"; } || { cat "$T/out"; fail "$f does not parse as YAML (status $st)"; }
  "$MESHLINT" --help > "$T/help"
  for flag in $(grep -o 'meshlint[^|;]*' "$f" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$flag" "$T/help" || fail "$f uses $flag, which meshlint does not have"
  done
done
grep -q 'github/codeql-action/upload-sarif' docs/ci/github-actions.yml || fail "the workflow does not upload SARIF"
grep -q 'codequality:' docs/ci/gitlab-ci.yml || fail "the GitLab job does not publish Code Quality"
# the commands the workflows run really work: SARIF to a file, github annotations, codeclimate
"$MESHLINT" --no-config --format sarif --output "$T/m.sarif" --fail-on never testdata/examples || fail "sarif run"
[ -s "$T/m.sarif" ] || fail "no SARIF written"
"$MESHLINT" --no-config --format github --fail-on error testdata/examples > "$T/gh"; st=$?
[ "$st" = 1 ] || fail "the example has errors: --fail-on error should exit 1, got $st"
grep -q '^::error file=' "$T/gh" || fail "no ::error annotation"
"$MESHLINT" --no-config --format codeclimate --fail-on never testdata/examples > "$T/cc.json" || fail "codeclimate run"
grep -q '"fingerprint"' "$T/cc.json" || fail "codeclimate lacks fingerprints"
