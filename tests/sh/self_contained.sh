# The suite needs nothing outside the repository: no tracked file other than
# Markdown names the shared folder beside the project (dot-dot, slash,
# "shared"), the licences are in place, and (with
# SELF_CONTAINED_CLONE=1, as .ci/run sets) a git clone made in an empty
# temporary directory builds and passes the whole suite.
. tests/sh/lib.inc
if [ -d .git ] || git rev-parse --git-dir > /dev/null 2>&1; then
  hits=$(git grep -n -e '\.\.[/]shared' -- . ':!*.md' || true)
  [ -z "$hits" ] || { echo "$hits"; fail "tracked files read outside the repository"; }
else
  hits=$(grep -rn -e '\.\.[/]shared' --include='*.c' --include='*.sh' --include='*.args' --include='Makefile' . || true)
  [ -z "$hits" ] || { echo "$hits"; fail "files read outside the repository"; }
fi
for f in LICENSE testdata/corpus/README.md testdata/corpus/connectum-production-ready.LICENSE; do
  [ -s "$f" ] || fail "$f is missing"
done
grep -q 'LICENSE' README.md || fail "README.md does not name the licence"
[ "${SELF_CONTAINED_CLONE:-0}" = 1 ] || exit 0
command -v git > /dev/null || fail "git is needed for SELF_CONTAINED_CLONE=1"
git clone -q . "$T/m" || fail "git clone failed"
# a clone sees only committed files: this checks what lands, not the work tree
( cd "$T/m" && make --no-print-directory all > "$T/build.log" 2>&1 ) || { tail -30 "$T/build.log"; fail "build in a bare clone failed"; }
( cd "$T/m" && env -u SELF_CONTAINED_CLONE make --no-print-directory test ) > "$T/test.log" 2>&1 || { tail -40 "$T/test.log"; fail "make test in a bare clone failed"; }
grep -E '^(unit|fixtures|golden|cli): [0-9]+ passed, 0 failed' "$T/test.log"
