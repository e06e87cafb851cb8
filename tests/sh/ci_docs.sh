# The CI examples in docs/ci parse as YAML and every meshlint flag they use
# exists (meshlint itself parses them: it reads YAML, and --help lists flags).
. tests/sh/lib.inc
for f in docs/ci/*.yml; do
  # a non-Kubernetes YAML document is no manifest (meshlint says it linted
  # nothing and exits 2); a syntax error would be ML001
  "$MESHLINT" --no-config --only ML001 --format gcc "$f" > "$T/out" 2>&1
  st=$?
  { [ $st = 2 ] && grep -q "nothing linted in $f" "$T/out" && ! grep -q ML001 "$T/out"; } || { cat "$T/out"; fail "$f does not parse as YAML (status $st)"; }
  "$MESHLINT" --help > "$T/help"
  for flag in $(grep -o 'meshlint[^|;]*' "$f" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$flag" "$T/help" || fail "$f uses $flag, which meshlint does not have"
  done
done
grep -q 'github/codeql-action/upload-sarif' docs/ci/github-actions.yml || fail "the workflow does not upload SARIF"
grep -q 'codequality:' docs/ci/gitlab-ci.yml || fail "the GitLab job does not publish Code Quality"
# the commands the workflows run really work: SARIF to a file, github annotations, codeclimate
"$MESHLINT" --no-config --format sarif --output "$T/m.sarif" --fail-on never testdata/examples || fail "sarif run"
[ -s "$T/m.sarif" ] || fail "no SARIF written"
"$MESHLINT" --no-config --format github --fail-on error testdata/examples > "$T/gh"; st=$?
[ "$st" = 1 ] || fail "the example has errors: --fail-on error should exit 1, got $st"
grep -q '^::error file=' "$T/gh" || fail "no ::error annotation"
"$MESHLINT" --no-config --format codeclimate --fail-on never testdata/examples > "$T/cc.json" || fail "codeclimate run"
grep -q '"fingerprint"' "$T/cc.json" || fail "codeclimate lacks fingerprints"
# action.yml: a composite action that parses, whose inputs are what the README
# promises, that uploads SARIF, and whose meshlint commands use real flags
python3 - action.yml <<'PY' || fail "action.yml"
import sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
assert a["runs"]["using"] == "composite"
for i in ("paths", "fail-on", "args"):
    assert i in a["inputs"], i
steps = a["runs"]["steps"]
assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
for s in steps:
    if "run" in s:
        assert s.get("shell"), "a composite step needs a shell"
PY
"$MESHLINT" --help > "$T/help"
for flag in $(grep -o 'meshlint [^|;]*' action.yml | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  grep -q -- "$flag" "$T/help" || fail "action.yml uses $flag, which meshlint does not have"
done
# the gate step as the runner would run it, with the default inputs
MESHLINT_FAIL_ON=error
"$MESHLINT" --no-config --format github --fail-on "$MESHLINT_FAIL_ON" testdata/examples > /dev/null; [ $? = 1 ] || fail "the action's gate did not fail on the example's errors"
# the Dockerfile: instructions only, a build stage and a final stage that
# copies the static binary into an empty image
awk '/^#/ || /^$/ {next} prev ~ /\\$/ {prev=$0; next} {prev=$0; print $1}' Dockerfile | sort -u > "$T/instr"
while read -r i; do
  case $i in FROM|RUN|COPY|WORKDIR|ENTRYPOINT|ENV|ARG|LABEL) ;; *) fail "Dockerfile: unknown instruction $i";; esac
done < "$T/instr"
grep -q '^FROM .* AS build$' Dockerfile || fail "Dockerfile: no build stage"
[ "$(grep '^FROM ' Dockerfile | tail -1)" = "FROM scratch" ] || fail "Dockerfile: the final image is not empty"
grep -q '^COPY --from=build .*/meshlint /meshlint$' Dockerfile || fail "Dockerfile: the binary is not copied"
# every pinned release named in the docs (pre-commit rev, action ref, image
# tag) is this version's tag, v$VERSION (created by make tag; the tag is what
# pre-commit and the action fetch)
v=$(sed -n 's/^#define ML_VERSION "\(.*\)"/\1/p' include/meshlint/version.h)
[ -n "$v" ] || fail "no ML_VERSION"
for f in README.md man/meshlint.1 action.yml; do
  grep -o 'rev: v[0-9][0-9.]*\|meshlint/meshlint@v[0-9][0-9.]*' "$f" | grep -o 'v[0-9][0-9.]*$' | while read -r r; do
    [ "$r" = "v$v" ] || fail "$f names $r, the version is v$v"
  done || exit 1
done
grep -o 'ghcr.io/meshlint/meshlint:[0-9][0-9.]*' .pre-commit-hooks.yaml | while read -r img; do
  [ "${img##*:}" = "$v" ] || fail ".pre-commit-hooks.yaml pins image $img, the version is $v"
done || exit 1
