#!/bin/sh
# make valgrind: tests/valgrind.sh BIN UNIT_TEST...
#
# Runs every cmocka unit test and a set of command-line runs under Valgrind's
# memcheck with full leak checking; any memory error or definite/indirect
# leak fails. Every run uses --error-exitcode=99 rather than 1, because the
# programs' own exit statuses mean something else: meshlint's 1 is
# "findings", a cmocka binary's is the number of failed tests (and a few
# unit tests assert wall-clock budgets that valgrind's slowdown breaks;
# make check tests those). A run fails when valgrind exits 99 or the
# program ends with a signal.
# The command-line runs: the example repository in every output format, the
# model dump, configuration, baseline, -o, --write-baseline, standard input,
# --context, Markdown, every rule fixture and the vendored corpus in one run,
# usage and I/O errors, the small hostile inputs, and the regression suite
# (tests/sh/regress.sh) and the language server session (tests/sh/lsp.sh)
# with meshlint wrapped in valgrind.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
command -v valgrind > /dev/null || { echo "valgrind: not installed (Debian package valgrind)"; exit 1; }
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --num-callers=30"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL (valgrind): $*"; tail -n 40 "$T/log"; }

# ---- unit tests
for t in "$@"; do
  $VG --error-exitcode=99 "$t" > "$T/log" 2>&1
  st=$?
  if [ "$st" -lt 99 ]; then ok; else bad "$t (exit $st)"; fi
  [ "$st" -gt 0 ] && [ "$st" -lt 99 ] && echo "note: $t: $st test(s) failed under valgrind (not a memory error)"
done

# ---- command-line runs
run() { # run ARGS...: meshlint under valgrind, exit 0-2 is fine, 99 is not
  $VG --error-exitcode=99 "$bin" "$@" > "$T/out" 2> "$T/log" < "${STDIN:-/dev/null}"
  st=$?
  if [ "$st" -le 2 ]; then ok; else bad "meshlint $* (exit $st)"; fi
}
for fmt in text gcc json sarif github codeclimate; do
  run --no-config --color always -f "$fmt" testdata/examples
done
run --no-config --dump-model testdata/examples
run --no-config --markdown --assume-complete -j 3 testdata/examples
run --config fuzz/seeds/config/full.yaml testdata/examples
run --no-config -f sarif -o "$T/report.sarif" testdata/examples
run --no-config --baseline "$T/report.sarif" testdata/examples
run --no-config --write-baseline "$T/base.json" testdata/examples
run --no-config --baseline "$T/base.json" -f json testdata/examples
STDIN=testdata/examples/k8s/order-service.yaml run --no-config --stdin-filename k8s/order-service.yaml --context testdata/examples -
run --no-config --explain ML101
run --list-rules
run --no-config testdata/rules
run --no-config testdata/corpus
run --no-such-flag
run --format xml .
run --no-config does-not-exist.yaml
run --config does-not-exist.yaml .
for d in testdata/hostile/*/; do
  [ -d "$d/input" ] || continue
  run --no-config --markdown "$d/input"
done

# ---- the regression suite with meshlint under valgrind
cat > "$T/meshlint" <<EOF
#!/bin/sh
exec $VG --error-exitcode=99 "$bin" "\$@"
EOF
chmod +x "$T/meshlint"
if MESHLINT="$T/meshlint" sh tests/sh/regress.sh > "$T/log" 2>&1; then
  ok
else
  bad "tests/sh/regress.sh"
fi
# the language server's scripted session (tests/sh/lsp.sh), under valgrind:
# an error makes it exit 99, which the session's exit checks catch
if MESHLINT="$T/meshlint" sh tests/sh/lsp.sh > "$T/log" 2>&1; then
  ok
else
  bad "tests/sh/lsp.sh"
fi

echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
