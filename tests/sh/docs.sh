# The man pages document every flag, rule and configuration key, are lint
# clean, and meshlint-rules(7) is what the rule metadata generates.
. tests/sh/lib.inc
"$MESHLINT" --print-rules-man > "$T/rules.7"
cmp -s "$T/rules.7" man/meshlint-rules.7 || { diff -u man/meshlint-rules.7 "$T/rules.7" | head -20; fail "man/meshlint-rules.7 is stale: run make man"; }
if command -v mandoc >/dev/null 2>&1; then
  mandoc -Tlint -W warning man/meshlint.1 man/meshlint.yaml.5 man/meshlint-rules.7 || fail "mandoc -Tlint"
  # every page is clean down to style messages (line length included)
  for page in man/meshlint.1 man/meshlint.yaml.5 man/meshlint-rules.7; do
    [ -z "$(mandoc -Tlint -W style "$page")" ] || { mandoc -Tlint -W style "$page" | head; fail "mandoc -Tlint -W style $page"; }
  done
fi
sed 's/\\-/-/g' man/meshlint.1 > "$T/man1.txt"   # roff \- is a plain hyphen here
for flag in $("$MESHLINT" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
  grep -q -- "$flag\b" "$T/man1.txt" || fail "flag $flag is not in man/meshlint.1"
done
# filled text is wrapped: compare with the lines joined
tr '\n' ' ' < man/meshlint-rules.7 > "$T/rules-joined.txt"
for id in $("$MESHLINT" --list-rules | awk '{print $1}'); do
  name=$("$MESHLINT" --list-rules | awk -v id="$id" '$1 == id {print $2}')
  grep -q "^\.SS $id $name\$" man/meshlint-rules.7 || fail "rule $id $name is not in man/meshlint-rules.7"
  # --explain prints the text the man page has: the summary line is in both
  summary=$("$MESHLINT" --explain "$id" | sed -n '/^$/{n;p;q}')
  grep -qF -- "$summary" "$T/rules-joined.txt" || fail "$id: explain summary '$summary' not in the man page"
done
for key in $(sed -n '/^const char \*const ml_config_keys/,/NULL/p' src/config.c | grep -o '"[a-z-]*"' | tr -d '"'); do
  grep -q "^\.B $key\$" man/meshlint.yaml.5 || fail "config key $key is not in man/meshlint.yaml.5"
done
# the version lives in include/meshlint/version.h; everything else says the same
v=$(sed -n 's/^#define ML_VERSION "\(.*\)"/\1/p' include/meshlint/version.h)
[ "$("$MESHLINT" --version)" = "meshlint $v" ] || fail "--version is not $v"
for m in man/meshlint.1 man/meshlint.yaml.5 man/meshlint-rules.7; do
  grep -q "^\.TH .*\"meshlint $v\"" "$m" || fail "$m does not name version $v"
done
[ "$(sed -n '1s/^meshlint (\([^)]*\)).*/\1/p' debian/changelog)" = "$v" ] || fail "debian/changelog is not at $v"
grep -q "rev: v$v\$" man/meshlint.1 || fail "the man page's pre-commit rev is not v$v"
