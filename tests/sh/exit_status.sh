# Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage/config/I-O.
. tests/sh/lib.inc
mkdir -p "$T/clean" "$T/bad"
cat > "$T/clean/ns.yaml" <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
Y
cat > "$T/bad/pa.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: shop
spec:
  mtls:
    mode: strict
Y
expect_status 0 "$MESHLINT" --no-config "$T/clean"
expect_status 1 "$MESHLINT" --no-config --only ML002 "$T/bad"
contains "$T/out" "did you mean STRICT"
expect_status 0 "$MESHLINT" --no-config --only ML002 --fail-on never "$T/bad"
expect_status 1 "$MESHLINT" --no-config --only ML002 --fail-on error "$T/bad"
expect_status 2 "$MESHLINT" --no-such-flag
expect_status 2 "$MESHLINT" --format xml .
expect_status 2 "$MESHLINT" --fail-on sometimes .
expect_status 2 "$MESHLINT" --only ML999 .
expect_status 2 "$MESHLINT" --no-config "$T/does-not-exist"
contains "$T/err" "does-not-exist"
expect_status 0 "$MESHLINT" --version
contains "$T/out" "meshlint "
expect_status 0 "$MESHLINT" --help
contains "$T/out" "usage: meshlint"
expect_status 0 "$MESHLINT" --list-rules
contains "$T/out" "ML001"
expect_status 0 "$MESHLINT" --explain duplicate-resource
contains "$T/out" "ML003 duplicate-resource"
expect_status 2 "$MESHLINT" --explain ML999
