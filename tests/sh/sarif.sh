# SARIF output passes the OASIS schema and Microsoft's multitool with the
# GitHub rules, with no errors and no warnings, on the bundled example and on
# the real corpus (suppressions and fixes included).
. tests/sh/lib.inc
if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed: skipped"
  [ "${CI:-}" = true ] && fail "node missing in CI"
  exit 0
fi
"$MESHLINT" --no-config --format sarif --fail-on never testdata/examples > "$T/examples.sarif"
sh tests/sarif_validate.sh "$T/examples.sarif" || fail "examples SARIF invalid"
"$MESHLINT" --no-config --format sarif --fail-on never testdata/corpus/connectum-production-ready > "$T/corpus.sarif"
sh tests/sarif_validate.sh "$T/corpus.sarif" || fail "corpus SARIF invalid"
# a suppressed finding stays in SARIF with a suppressions entry
mkdir -p "$T/s"
printf 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: a, namespace: b}\nspec:\n  mtls:\n    mode: strict  # meshlint-disable-line ML002 -- known\n' > "$T/s/pa.yaml"
"$MESHLINT" --no-config --format sarif --fail-on never "$T/s" > "$T/s.sarif"
contains "$T/s.sarif" '"suppressions"'
sh tests/sarif_validate.sh "$T/s.sarif" || fail "suppressed SARIF invalid"
