# Details tools rely on: gcc columns in bytes, -q without help and fix lines,
# --min-level hiding findings but not changing the exit status, --list-rules
# as JSON, "did you mean" for a mistyped flag, an unreadable baseline writing
# nothing.
. tests/sh/lib.inc
mkdir -p "$T/r"
# two-byte characters before the value: byte column 30, code-point column 29
printf 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: a, namespace: shop}\nspec: {mtls: {"\303\251": 1, mode: "\303\251\303\251"}}\n' > "$T/r/u.yaml"
expect_status 1 "$MESHLINT" --no-config --only ML002 --format gcc "$T/r/u.yaml"
contains "$T/out" "u.yaml:4:30: error"
expect_status 1 "$MESHLINT" --no-config --only ML002 --format json "$T/r/u.yaml"
contains "$T/out" '"column": 29'
# -q: the finding and its notes, no source, help, fix or summary
expect_status 1 "$MESHLINT" --no-config -q testdata/examples
contains "$T/out" "[ML309 http2-not-served]"
lacks "$T/out" "help:"
lacks "$T/out" "fix:"
expect_status 1 "$MESHLINT" --no-config testdata/examples
contains "$T/out" "help:"
contains "$T/out" "fix:"
# --min-level: notes hidden, the exit status still follows --fail-on
n=testdata/rules/ML308/fire-leftover-subset
expect_status 1 "$MESHLINT" --no-config --only ML308 --format gcc --fail-on note $n
contains "$T/out" ": note: "
expect_status 1 "$MESHLINT" --no-config --only ML308 --format gcc --min-level warning --fail-on note $n
[ -s "$T/out" ] && fail "--min-level warning printed a note"
expect_status 0 "$MESHLINT" --no-config --only ML308 --format gcc --min-level warning --fail-on warning $n
expect_status 1 "$MESHLINT" --no-config --format gcc --min-level error --fail-on warning testdata/examples
lacks "$T/out" ": warning: "
contains "$T/out" ": error: "
expect_status 2 "$MESHLINT" --min-level never .
# --list-rules --format json is JSON with every rule
expect_status 0 "$MESHLINT" --list-rules --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"]==1; assert any(r["id"]=="ML301" and r["name"]=="unknown-subset" for r in d["rules"])' "$T/out" || fail "--list-rules --format json"
n=$("$MESHLINT" --list-rules | wc -l)
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rules"]))' "$T/out")" = "$n" ] || fail "json rule count"
expect_status 0 "$MESHLINT" --format json --list-rules
contains "$T/out" '"rules"'
# did you mean
expect_status 2 "$MESHLINT" --formt gcc .
contains "$T/err" "did you mean --format?"
expect_status 2 "$MESHLINT" --fail-onn=error .
contains "$T/err" "did you mean --fail-on?"
expect_status 2 "$MESHLINT" --zzzzzzzz .
lacks "$T/err" "did you mean"
# short flags: the other case, a long option with one dash, the only long
# option of that letter; nothing for a letter that starts none or several
expect_status 2 "$MESHLINT" -F gcc .
contains "$T/err" "unknown option '-F' (did you mean -f?)"
expect_status 2 "$MESHLINT" -version
contains "$T/err" "did you mean --version?"
expect_status 2 "$MESHLINT" -v
contains "$T/err" "did you mean --version?"
expect_status 2 "$MESHLINT" -markdwn .
contains "$T/err" "did you mean --markdown?"
expect_status 2 "$MESHLINT" -x .
lacks "$T/err" "did you mean"
expect_status 2 "$MESHLINT" -c .
lacks "$T/err" "did you mean"
# an unreadable baseline: exit 2 and no report at all (neither -o nor stdout)
expect_status 2 "$MESHLINT" --no-config --baseline "$T/missing.json" -o "$T/report.sarif" --format sarif testdata/examples
[ -e "$T/report.sarif" ] && fail "report written with an unreadable baseline"
contains "$T/err" "missing.json"
expect_status 2 "$MESHLINT" --no-config --baseline "$T/missing.json" testdata/examples
[ -s "$T/out" ] && fail "report printed with an unreadable baseline"
# --help names every long option the parser accepts (but the build-time one)
expect_status 0 "$MESHLINT" --help
for opt in $(sed -n 's/^    {"\([a-z-]*\)", [a-z_]*_argument.*/\1/p' src/main.c); do
  [ "$opt" = print-rules-man ] && continue
  contains "$T/out" "--$opt"
done
exit 0
