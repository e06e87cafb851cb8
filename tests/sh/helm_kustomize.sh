# Kustomizations are built (kustomize.c) and linted as apply units; the files
# a build uses are not linted alone. A Helm chart's templates/, Jinja and
# placeholder templates are not parsed as manifests: each is an ML010 note.
. tests/sh/lib.inc
mkdir -p "$T/base" "$T/overlays/prod" "$T/chart/templates"
printf 'resources: [deploy.yaml]\n' > "$T/base/kustomization.yaml"
cat > "$T/base/deploy.yaml" <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x}]}
Y
cat > "$T/overlays/prod/kustomization.yaml" <<'Y'
resources: [../../base]
patches:
  - path: replicas.yaml
  - patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
    target: {kind: Deployment, name: web}
patchesStrategicMerge:
  - memory.yaml
Y
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 5}\n' > "$T/overlays/prod/replicas.yaml"
cp "$T/overlays/prod/replicas.yaml" "$T/overlays/prod/memory.yaml"
printf 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: a, namespace: shop}\nspec: {mtls: {mode: strct}}\n' > "$T/overlays/prod/extra.yaml"
printf 'apiVersion: v2\nname: c\nversion: 1.0.0\n' > "$T/chart/Chart.yaml"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {a: b}\n{{- end }}\n' > "$T/chart/templates/svc.yaml"
expect_status 1 "$MESHLINT" --no-config --format gcc --only ML001,ML002,ML003,ML010,ML011 "$T"
lacks "$T/out" "templates/svc.yaml"
lacks "$T/out" "ML003"
lacks "$T/out" "ML011"
contains "$T/out" "overlays/prod/extra.yaml:4:"
contains "$T/out" "chart/Chart.yaml:1:1: note: $T/chart/templates not linted"
"$MESHLINT" --no-config --only ML010 "$T" > "$T/text"
contains "$T/text" "help: render the chart and lint the output: \`helm template RELEASE $T/chart | meshlint --stdin-filename $T/chart/rendered.yaml -\`"
# the rendered build: the JSON 6902 replace (a later transformer) wins
"$MESHLINT" --no-config --dump-model "$T" > "$T/dump"
contains "$T/dump" "\"at\": \"$T/base/deploy.yaml:2:7\""
# named explicitly, a template is still not parsed as a manifest: it is a note
expect_status 2 "$MESHLINT" --no-config --format gcc "$T/chart/templates/svc.yaml"
contains "$T/out" "svc.yaml:4:9: note:"
contains "$T/out" "ML010"
contains "$T/err" "nothing linted in $T/chart/templates/svc.yaml"
# a kustomization that cannot be built is an error at its line, nothing of it is linted
printf 'resources: [deploy.yaml, missing.yaml]\n' > "$T/base/kustomization.yaml"
expect_status 1 "$MESHLINT" --no-config --format gcc --only ML011,ML003 "$T/overlays/prod"
contains "$T/out" "base/kustomization.yaml:1:26: error: kustomization $T/overlays/prod cannot be built: resource missing.yaml: no such file or directory [ML011]"
lacks "$T/out" "ML003"
# a chart beside the routes that use its Services: the routes are linted, the chart is a note
mkdir -p "$T/app/chart/templates" "$T/app/istio"
printf 'apiVersion: v2\nname: reviews\nversion: 1.0.0\n' > "$T/app/chart/Chart.yaml"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: {{ .Release.Name }}}\n' > "$T/app/chart/templates/svc.yaml"
printf 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: shop}\nspec:\n  hosts: [reviews]\n  http:\n    - route:\n        - destination: {host: reviews}\n' > "$T/app/istio/vs.yaml"
expect_status 0 "$MESHLINT" --no-config --format gcc --only ML010,ML001,ML002 "$T/app"
contains "$T/out" "app/chart/Chart.yaml:1:1: note:"
lacks "$T/out" "app/istio"
# a defect in a base reached through two overlays: reported once, a note names each build
d=testdata/rules/ML301/fire-kustomize-base-broken-in-two-overlays
(cd "$d" && "$MESHLINT" --no-config --only ML301 .) > "$T/two" 2>&1
[ "$(grep -c 'error: the destination' "$T/two")" = 1 ] || { cat "$T/two"; fail "the base's finding is not reported once"; }
contains "$T/two" "overlays/canary/kustomization.yaml:1:1: note: holds in the kustomize build of overlays/canary (one of the 2 builds that include this file; reported once)"
contains "$T/two" "overlays/prod/kustomization.yaml:1:1: note: holds in the kustomize build of overlays/prod"
# only the overlay whose patch breaks the route is reported, at the patch's line
d=testdata/rules/ML301/fire-kustomize-overlay-breaks-subset
(cd "$d" && "$MESHLINT" --no-config --only ML301 --format gcc .) > "$T/one" 2>&1
[ "$(wc -l < "$T/one")" = 1 ] || { cat "$T/one"; fail "expected one finding"; }
contains "$T/one" "overlays/canary/vs-canary.yaml:8:48: error:"
# the same base through overlays that set different namespaces: one finding,
# the first build's, and a note for each build it holds in with its namespace
d=testdata/rules/ML301/fire-kustomize-base-in-overlays-per-namespace
(cd "$d" && "$MESHLINT" --no-config --only ML301 .) > "$T/ns" 2>&1
[ "$(grep -c 'error: the destination' "$T/ns")" = 1 ] || { cat "$T/ns"; fail "the base's finding is not reported once across namespaces"; }
contains "$T/ns" "overlays/canary/kustomization.yaml:1:1: note: holds in the kustomize build of overlays/canary (namespace shop-canary), whose objects this message names"
contains "$T/ns" "overlays/prod/kustomization.yaml:1:1: note: holds in the kustomize build of overlays/prod (namespace shop-prod)"
# a finding in one namespaced overlay only is not merged with another's different finding
cp -r "$d" "$T/nsdiff"
printf 'namespace: shop-prod\nresources:\n  - ../../base\npatches:\n  - patch: |-\n      - op: replace\n        path: /spec/http/0/route/0/destination/subset\n        value: v1\n    target: {kind: VirtualService, name: reviews}\n' > "$T/nsdiff/overlays/prod/kustomization.yaml"
(cd "$T/nsdiff" && "$MESHLINT" --no-config --only ML301 .) > "$T/ns2" 2>&1
[ "$(grep -c 'error: the destination' "$T/ns2")" = 1 ] || { cat "$T/ns2"; fail "expected the canary finding only"; }
contains "$T/ns2" "VirtualService shop-canary/reviews"
lacks "$T/ns2" "holds in the kustomize build"
