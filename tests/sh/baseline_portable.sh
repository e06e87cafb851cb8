#!/bin/sh
# A baseline matches from any working directory and after a file is renamed
# (the path-free fingerprint, JSON fingerprintV2 and SARIF meshlint/v2: the
# rule, the message that names the resource, the text of the line); a new
# finding still fails; a baseline written before v2 (v1 only) still matches
# from the directory it was written in.
. tests/sh/lib.inc
R="$T/repo"
mkdir -p "$R/.git"
cp testdata/rules/ML301/fire-typo-subset/*.yaml "$R/"
( cd "$R" && "$MESHLINT" --no-config --only ML301 --fail-on never --write-baseline "$T/base.json" . > /dev/null ) \
  || fail "write the baseline"
( cd "$R" && "$MESHLINT" --no-config --only ML301 --fail-on never -f sarif -o "$T/base.sarif" --sarif-suppressed keep . ) \
  || fail "write the SARIF baseline"
grep -q '"fingerprintV2"' "$T/base.json" || fail "no fingerprintV2 in the JSON report"
grep -q '"meshlint/v2"' "$T/base.sarif" || fail "no meshlint/v2 in the SARIF report"
# the same tree from its parent directory: paths are repo/..., still baselined
for b in base.json base.sarif; do
  ( cd "$T" && expect_status 0 "$MESHLINT" --no-config --only ML301 --baseline "$T/$b" repo ) || exit 1
  ( cd "$R/.." && expect_status 0 "$MESHLINT" --no-config --only ML301 --baseline "$T/$b" "$R" ) || exit 1
done
# renamed and moved: still the same finding about VirtualService shop/orders
mkdir -p "$R/mesh"
mv "$R/istio.yaml" "$R/mesh/routes.yaml"
( cd "$R" && expect_status 0 "$MESHLINT" --no-config --only ML301 --baseline "$T/base.json" . ) || exit 1
# a new finding is reported, the old one is not
sed -i 's/subset: stable/subset: stabel/' "$R/mesh/routes.yaml"
( cd "$R" && expect_status 1 "$MESHLINT" --no-config --only ML301 -f gcc --baseline "$T/base.json" . ) || exit 1
( cd "$R" && "$MESHLINT" --no-config --only ML301 -f gcc --baseline "$T/base.json" . ) > "$T/out"
contains "$T/out" "names subset stabel"
lacks "$T/out" "names subset canry"
[ "$(wc -l < "$T/out")" = 1 ] || { cat "$T/out"; fail "one new finding"; }
# an old baseline (v1 fingerprints only) matches where it was written
sed -i 's/subset: stabel/subset: stable/' "$R/mesh/routes.yaml"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    del f["fingerprintV2"]
json.dump(d, open(sys.argv[2], "w"))' "$T/base.json" "$T/old.json" || fail "strip v2"
grep -q '"fingerprint"' "$T/old.json" || fail "the v1 fingerprint went too"
grep -q 'fingerprintV2' "$T/old.json" && fail "v2 still there"
mv "$R/mesh/routes.yaml" "$R/istio.yaml"
( cd "$R" && expect_status 0 "$MESHLINT" --no-config --only ML301 --baseline "$T/old.json" . ) || exit 1
( cd "$T" && expect_status 1 "$MESHLINT" --no-config --only ML301 --baseline "$T/old.json" repo ) || exit 1
echo "baseline_portable: ok"
