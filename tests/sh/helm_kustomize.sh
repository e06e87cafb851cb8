# A Helm chart's templates/ (Go templates, not YAML) and the patch files of a
# kustomization (fragments of resources defined elsewhere) are not linted as
# manifests; everything else in those trees is.
. tests/sh/lib.inc
mkdir -p "$T/base" "$T/overlays/prod" "$T/chart/templates"
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
printf 'apiVersion: v1\nkind: PeerAuthentication\n' > /dev/null
printf 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: a, namespace: shop}\nspec: {mtls: {mode: strct}}\n' > "$T/overlays/prod/extra.yaml"
printf 'apiVersion: v2\nname: c\nversion: 1.0.0\n' > "$T/chart/Chart.yaml"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {a: b}\n{{- end }}\n' > "$T/chart/templates/svc.yaml"
expect_status 1 "$MESHLINT" --no-config --format gcc --only ML001,ML002,ML003 "$T"
lacks "$T/out" "templates/svc.yaml"
lacks "$T/out" "ML003"
contains "$T/out" "overlays/prod/extra.yaml:4:"
# named explicitly, a template is linted (the user asked for it)
expect_status 1 "$MESHLINT" --no-config --format gcc --only ML001 "$T/chart/templates/svc.yaml"
