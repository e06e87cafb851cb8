# -o writes atomically; a failed write leaves the previous file; inputs are
# never modified; output is identical across runs, -j values and locales.
. tests/sh/lib.inc
cp -r testdata/examples "$T/ex"
before=$(find "$T/ex" -type f -exec sha256sum {} + | sort)
"$MESHLINT" --no-config --format sarif -o "$T/report.sarif" "$T/ex"; st=$?
[ "$st" -le 1 ] || fail "exit $st"
[ -s "$T/report.sarif" ] || fail "no report written"
ls "$T" | grep -q 'tmp' && fail "temporary file left behind"
after=$(find "$T/ex" -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "inputs changed"
cp "$T/report.sarif" "$T/old.sarif"
# a file-size limit makes the write fail: exit 2, old report intact
( ulimit -f 1; "$MESHLINT" --no-config --format sarif -o "$T/report.sarif" "$T/ex" ) 2> "$T/err"; st=$?
[ "$st" = 2 ] || fail "write failure exited $st"
cmp -s "$T/report.sarif" "$T/old.sarif" || fail "partial report replaced the old one"
ls "$T" | grep -q 'tmp' && fail "temporary file left behind after failure"
for fmt in text gcc json sarif github codeclimate; do
  "$MESHLINT" --no-config --color never -f $fmt "$T/ex" > "$T/a.$fmt"
  "$MESHLINT" --no-config --color never -f $fmt -j 1 "$T/ex" > "$T/b.$fmt"
  LC_ALL=C "$MESHLINT" --no-config --color never -f $fmt -j 2 "$T/ex" > "$T/c.$fmt"
  LC_ALL=C.UTF-8 "$MESHLINT" --no-config --color never -f $fmt -j 3 "$T/ex" > "$T/d.$fmt"
  cmp -s "$T/a.$fmt" "$T/b.$fmt" && cmp -s "$T/a.$fmt" "$T/c.$fmt" && cmp -s "$T/a.$fmt" "$T/d.$fmt" \
    || fail "$fmt output differs between runs"
done
# naming the files in another order changes nothing
files=$(cd "$T/ex" && find . -name '*.yaml' -o -name '*.ts' | sort -r)
(cd "$T/ex" && "$MESHLINT" --no-config -f gcc $files) > "$T/r1"
(cd "$T/ex" && "$MESHLINT" --no-config -f gcc $(echo "$files" | sort)) > "$T/r2"
cmp -s "$T/r1" "$T/r2" || fail "file order changes output"
