# .meshlint.yaml: found upward, every key checked, mistakes are exit 2 with file:line:col.
. tests/sh/lib.inc
mkdir -p "$T/repo/sub"
cat > "$T/repo/pa.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: strict}}
Y
cat > "$T/repo/.meshlint.yaml" <<'Y'
rules:
  invalid-value: off
Y
(cd "$T/repo/sub" && expect_status 0 "$MESHLINT" --only ML002 ..) || exit 1
cat > "$T/repo/.meshlint.yaml" <<'Y'
rules:
  ML002:
    level: note
Y
(cd "$T/repo" && expect_status 0 "$MESHLINT" --only ML002 --format gcc . && contains "$T/out" "note:") || exit 1
(cd "$T/repo" && expect_status 1 "$MESHLINT" --only ML002 --fail-on note .) || exit 1
cat > "$T/repo/.meshlint.yaml" <<'Y'
rules:
  ML002: off
ignroe:
  - vendor/**
Y
(cd "$T/repo" && expect_status 2 "$MESHLINT" . && contains "$T/err" ".meshlint.yaml:3:1: unknown key 'ignroe'") || exit 1
cat > "$T/repo/.meshlint.yaml" <<'Y'
rules:
  ML002: sometimes
Y
(cd "$T/repo" && expect_status 2 "$MESHLINT" . && contains "$T/err" ".meshlint.yaml:2:10: expected a level") || exit 1
cat > "$T/repo/.meshlint.yaml" <<'Y'
rules:
  no-such-rule: off
Y
(cd "$T/repo" && expect_status 2 "$MESHLINT" . && contains "$T/err" "unknown rule 'no-such-rule'") || exit 1
cat > "$T/repo/.meshlint.yaml" <<'Y'
ignore: ["*.yaml"]
Y
# every manifest ignored: nothing is linted, and meshlint says so (status 2)
(cd "$T/repo" && expect_status 2 "$MESHLINT" --only ML002 . && contains "$T/err" "nothing linted in .") || exit 1
(cd "$T/repo" && expect_status 1 "$MESHLINT" --no-config --only ML002 .) || exit 1
(cd "$T/repo" && expect_status 2 "$MESHLINT" --config missing.yaml .) || exit 1
