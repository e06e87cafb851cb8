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
"$MESHLINT" --no-config --format sarif --fail-on never --sarif-suppressed keep "$T/s" > "$T/s.sarif"
contains "$T/s.sarif" '"suppressions"'
# by default (a CI gate uploading to code scanning, which does not honour
# suppressions) the suppressed result is left out
"$MESHLINT" --no-config --format sarif --fail-on never "$T/s" > "$T/s2.sarif"
lacks "$T/s2.sarif" '"suppressions"'
lacks "$T/s2.sarif" '"ruleId": "ML002"'
sh tests/sarif_validate.sh "$T/s2.sarif" || fail "SARIF without suppressed results invalid"
# related locations are linked from the message by id, and the finding's own
# help line is in it
python3 - "$T/examples.sarif" <<'PY' || fail "SARIF message links"
import json, re, sys
runs = json.load(open(sys.argv[1]))["runs"]
linked = 0
for r in runs[0]["results"]:
    ids = {str(l["id"]) for l in r.get("relatedLocations", [])}
    links = set(re.findall(r"\]\((\d+)\)", r["message"]["text"]))
    assert links == ids, (links, ids, r["message"]["text"])
    linked += bool(ids)
assert linked > 0
assert any(" Help: " in r["message"]["text"] for r in runs[0]["results"])
PY
sh tests/sarif_validate.sh "$T/s.sarif" || fail "suppressed SARIF invalid"
