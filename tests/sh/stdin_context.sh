# - with --stdin-filename lints a buffer as if it were that file; --context
# loads a directory for cross-references but reports only on named files.
. tests/sh/lib.inc
mkdir -p "$T/r"
cat > "$T/r/a.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a, namespace: shop}
spec: {mtls: {mode: STRICT}}
Y
cat > "$T/r/b.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b, namespace: shop}
spec: {mtls: {mode: nope}}
Y
cd "$T/r"
expect_status 1 "$MESHLINT" --no-config --only ML002 --format gcc .
contains "$T/out" "b.yaml:4:"
# only a.yaml is reported on; b.yaml is context
expect_status 0 "$MESHLINT" --no-config --only ML002 --format gcc --context . a.yaml
# the unsaved buffer replaces the file on disk
sed 's/STRICT/strictly/' a.yaml | expect_status 1 "$MESHLINT" --no-config --only ML002 --format gcc --context . --stdin-filename a.yaml - || exit 1
contains "$T/out" "a.yaml:4:"
lacks "$T/out" "b.yaml"
# ML003 sees the context: the same name defined in the buffer and on disk
sed 's/name: a/name: b/' a.yaml | expect_status 1 "$MESHLINT" --no-config --only ML003 --format gcc --context . --stdin-filename new.yaml - || exit 1
contains "$T/out" "new.yaml"
expect_status 2 "$MESHLINT" --stdin-filename x.yaml .
# the buffer stands in for the file on disk however either is spelled: an
# absolute --stdin-filename with --context . (and the reverse) loads one copy
sed 's/STRICT/strictly/' a.yaml | expect_status 1 "$MESHLINT" --no-config --format gcc --context . --stdin-filename "$T/r/a.yaml" - || exit 1
contains "$T/out" "a.yaml:4:"
lacks "$T/out" "ML003"
sed 's/STRICT/strictly/' a.yaml | expect_status 1 "$MESHLINT" --no-config --format gcc --context "$T/r" --stdin-filename a.yaml - || exit 1
contains "$T/out" "a.yaml:4:"
lacks "$T/out" "ML003"
