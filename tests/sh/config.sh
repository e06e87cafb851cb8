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
# trust-domain-aliases: principals of an old trust domain stay valid (ML503),
# cluster.local always stands for the local trust domain, others do not.
mkdir -p "$T/td"
cat > "$T/td/policy.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: orders, namespace: shop}
spec:
  selector: {matchLabels: {app: orders}}
  rules:
    - from:
        - source:
            principals:
              - new.example.com/ns/shop/sa/web
              - old.example.com/ns/shop/sa/web
              - cluster.local/ns/shop/sa/web
              - other.example.com/ns/shop/sa/web
Y
cat > "$T/td/.meshlint.yaml" <<'Y'
trust-domain: new.example.com
trust-domain-aliases: [old.example.com]
Y
(cd "$T/td" && expect_status 0 "$MESHLINT" --only ML503 --format gcc --fail-on never . &&
  contains "$T/out" 'principal "other.example.com/ns/shop/sa/web" has trust domain other.example.com' &&
  lacks "$T/out" 'old.example.com/ns' && lacks "$T/out" '"cluster.local/ns' && lacks "$T/out" '"new.example.com/ns') || exit 1
cat > "$T/td/.meshlint.yaml" <<'Y'
trust-domain: new.example.com
Y
(cd "$T/td" && expect_status 0 "$MESHLINT" --only ML503 --format gcc --fail-on never . &&
  contains "$T/out" 'principal "old.example.com/ns/shop/sa/web"') || exit 1
cat > "$T/td/.meshlint.yaml" <<'Y'
trust-domain-aliases: old.example.com
Y
(cd "$T/td" && expect_status 2 "$MESHLINT" . && contains "$T/err" "'trust-domain-aliases' expects a list") || exit 1
echo "config: trust-domain-aliases ok"
