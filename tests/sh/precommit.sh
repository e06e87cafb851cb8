# The pre-commit hook with the real pre-commit client (pre-commit try-repo):
# a staged VirtualService naming an undefined subset fails the hook and prints
# the finding; the fixed one passes because the hook loads the whole
# repository as context (the DestinationRule it needs is committed, not staged).
. tests/sh/lib.inc
if ! command -v pre-commit >/dev/null 2>&1; then
  echo "pre-commit is not installed (apt-get install pre-commit): skipped"
  [ "${CI:-}" = true ] && fail "pre-commit missing in CI"
  exit 0
fi
root=$(pwd)
export PRE_COMMIT_HOME="$T/cache" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com \
       GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
mkdir -p "$T/app/istio"
cd "$T/app" && git init -q . || fail "git init"
cat > istio/destination-rule.yaml <<'Y'
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
  subsets:
    - name: v1
      labels: {version: v1}
    - name: v2
      labels: {version: v2}
Y
git add istio/destination-rule.yaml && git commit -qm base || fail "commit"
cat > istio/virtual-service.yaml <<'Y'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http:
    - route:
        - destination: {host: cart, subset: v3}
Y
git add istio/virtual-service.yaml
pre-commit try-repo "$root" meshlint --verbose > "$T/run1" 2>&1 && { cat "$T/run1"; fail "hook passed a VirtualService with an undefined subset"; }
contains "$T/run1" "istio/virtual-service.yaml:8:"
contains "$T/run1" "ML301"
sed -i 's/subset: v3/subset: v2/' istio/virtual-service.yaml
git add istio/virtual-service.yaml
pre-commit try-repo "$root" meshlint --verbose > "$T/run2" 2>&1 || { cat "$T/run2"; fail "hook failed on the fixed VirtualService"; }
contains "$T/run2" "Passed"
