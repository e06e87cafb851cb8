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
# the script hook said what it was doing while it built (first use)
contains "$T/run1" "meshlint: building meshlint"
contains "$T/run1" "compiling"
# the whole-repository hook runs whatever is staged: a dangling route already
# in the repository (committed without the hook) and a commit that stages no
# file the per-file hook looks at
sed -i 's/subset: v2/subset: v3/' istio/virtual-service.yaml
git commit -qam "dangling route, committed without hooks" || fail "commit"
echo "notes" > NOTES.txt && git add NOTES.txt
pre-commit try-repo "$root" meshlint --verbose > "$T/run3" 2>&1 || { cat "$T/run3"; fail "the per-file hook failed with no file to lint"; }
pre-commit try-repo "$root" meshlint-all --verbose > "$T/run4" 2>&1 && { cat "$T/run4"; fail "the whole-repository hook passed a route to an undefined subset"; }
contains "$T/run4" "istio/virtual-service.yaml:8:"
contains "$T/run4" "ML301"
# the hooks' definitions: the docker hooks exist and the whole-repository hook
# always runs without file names
python3 - "$root/.pre-commit-hooks.yaml" <<'PY' || fail ".pre-commit-hooks.yaml"
import sys, yaml
hooks = {h["id"]: h for h in yaml.safe_load(open(sys.argv[1]))}
assert hooks["meshlint-all"]["pass_filenames"] is False and hooks["meshlint-all"]["always_run"] is True
assert hooks["meshlint-docker-image"]["language"] == "docker_image"
assert hooks["meshlint-docker"]["language"] == "docker"
PY
exit 0
