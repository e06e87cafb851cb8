# Nothing is skipped silently: a configuration with a second document or a
# rule setting of the wrong type stops the run; ".//x" is the relative x; an
# ignore glob that starts with / works on absolute paths; Markdown blocks
# after a byte-order mark or inside a > quote are read as written.
. tests/sh/lib.inc
cp -r testdata/examples "$T/ex"
# ---- .meshlint.yaml ------------------------------------------------------
printf 'fail-on: never\n---\nrules:\n  ML001: off\n' > "$T/two-docs.yaml"
expect_status 2 "$MESHLINT" --config "$T/two-docs.yaml" "$T/ex"
contains "$T/err" "two-docs.yaml:2:1: a second YAML document"
printf 'rules:\n  ML201:\n    max-mesh-retries-with-app-retries: many\n' > "$T/bad-type.yaml"
expect_status 2 "$MESHLINT" --config "$T/bad-type.yaml" "$T/ex"
contains "$T/err" "bad-type.yaml:3:40: rule ML201 setting 'max-mesh-retries-with-app-retries' expects a whole number"
printf 'rules:\n  ML201:\n    max-mesh-retries-with-app-retries: -1\n' > "$T/negative.yaml"
expect_status 2 "$MESHLINT" --config "$T/negative.yaml" "$T/ex"
printf 'rules:\n  ML201:\n    max-mesh-retries-with-app-retries: 2\n' > "$T/good.yaml"
"$MESHLINT" --config "$T/good.yaml" "$T/ex" > /dev/null 2>&1; st=$?
[ "$st" -le 1 ] || fail "a valid setting was refused ($st)"
# ---- paths ---------------------------------------------------------------
(cd "$T/ex" && "$MESHLINT" --no-config -f gcc --fail-on never .//k8s) > "$T/out" 2> "$T/err"; st=$?
[ "$st" = 0 ] || { cat "$T/err"; fail ".//k8s exited $st"; }
[ -s "$T/out" ] || fail ".//k8s found nothing"
grep -q '^/k8s' "$T/out" && fail ".//k8s was read as /k8s"
contains "$T/out" "k8s/"
# an ignore glob starting with / against absolute paths (read one byte
# before the pattern once: make sanitize catches that)
printf 'ignore:\n  - "/**/istio/*.yaml"\n  - "/"\n' > "$T/ignore.yaml"
"$MESHLINT" --config "$T/ignore.yaml" -f gcc --fail-on never "$T/ex" > "$T/out" 2> "$T/err"; st=$?
[ "$st" = 0 ] || { cat "$T/err"; fail "ignore glob run exited $st"; }
lacks "$T/out" "/istio/"
# ---- Markdown --------------------------------------------------------------
mkdir -p "$T/md"
printf '\357\273\277```yaml\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  mtls:\n    mode: strict\n```\n' > "$T/md/bom.md"
expect_status 1 "$MESHLINT" --no-config --markdown -f gcc --only ML002 "$T/md/bom.md"
contains "$T/out" "bom.md:9:11: error: mtls.mode 'strict'"
printf 'Note:\n\n> ```yaml\n> apiVersion: v1\n> kind: Service\n> metadata:\n>   name: web\n>   namespace: shop\n> spec:\n>   ports:\n>     - port: 80\n> ```\n' > "$T/md/quote.md"
expect_status 0 "$MESHLINT" --no-config --markdown -f gcc --only ML001 "$T/md/quote.md"
printf '> ```yaml\n> apiVersion: security.istio.io/v1\n> kind: PeerAuthentication\n> metadata:\n>   name: p\n> spec:\n>   mtls:\n>     mode: strict\n> ```\n' > "$T/md/quote2.md"
expect_status 1 "$MESHLINT" --no-config --markdown -f gcc --only ML002 "$T/md/quote2.md"
contains "$T/out" "quote2.md:8:13: error: mtls.mode 'strict'"
true
