# Suppression comments and the meshlint.io/ignore annotation.
. tests/sh/lib.inc
mkdir -p "$T/r"
cat > "$T/r/pa.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a, namespace: shop}
spec:
  mtls:
    # meshlint-disable-next-line ML002 -- migrating next sprint
    mode: strict
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b, namespace: shop}
spec:
  mtls:
    mode: permissve  # meshlint-disable-line invalid-value
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: c
  namespace: shop
  annotations:
    meshlint.io/ignore: "ML002"
spec:
  mtls:
    mode: strictt
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: d, namespace: shop}
spec:
  mtls:
    # meshlint-disable-next-line ML003 -- wrong rule: does not suppress ML002
    mode: Strict
Y
expect_status 1 "$MESHLINT" --no-config --only ML002 --color never "$T/r"
contains "$T/out" "'Strict'"
lacks "$T/out" "'strict'"
lacks "$T/out" "'permissve'"
lacks "$T/out" "'strictt'"
contains "$T/out" "3 suppressed"
"$MESHLINT" --no-config --only ML002 --format sarif --sarif-suppressed keep "$T/r" > "$T/s.sarif"
contains "$T/s.sarif" "migrating next sprint"
contains "$T/s.sarif" '"inSource"'
printf '# meshlint-disable-file\n' | cat - "$T/r/pa.yaml" > "$T/r/pa2.yaml" && rm "$T/r/pa.yaml"
expect_status 0 "$MESHLINT" --no-config --only ML002 "$T/r"
