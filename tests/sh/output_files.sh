# -o and --write-baseline write through symlinks and special files, keep
# the mode and hard links of the file they replace, never overwrite what
# the run reads, and clean up after a signal; the informational options
# fail when standard output cannot be written.
. tests/sh/lib.inc
cp -r testdata/examples "$T/ex"
# a symlink stays a symlink, its target gets the report
echo old > "$T/target.txt"
ln -s target.txt "$T/link.txt"
"$MESHLINT" --no-config -f gcc -o "$T/link.txt" "$T/ex"; st=$?
[ "$st" -le 1 ] || fail "-o symlink exited $st"
[ -L "$T/link.txt" ] || fail "the symlink was replaced by a file"
grep -q ML "$T/target.txt" || fail "the symlink's target did not get the report"
ls -a "$T" | grep -q 'tmp' && fail "temporary file left behind (symlink)"
# the mode of the replaced file is kept
echo old > "$T/private.txt"; chmod 600 "$T/private.txt"
"$MESHLINT" --no-config -f gcc -o "$T/private.txt" "$T/ex"
[ "$(stat -c %a "$T/private.txt")" = 600 ] || fail "mode widened to $(stat -c %a "$T/private.txt")"
# hard links stay one file
echo old > "$T/h1"; ln "$T/h1" "$T/h2"
"$MESHLINT" --no-config -f gcc --write-baseline "$T/h1" "$T/ex" > /dev/null
[ "$(stat -c %h "$T/h1")" = 2 ] || fail "hard link split"
cmp -s "$T/h1" "$T/h2" || fail "hard links differ"
grep -q '"ruleId"\|"rule"' "$T/h2" || fail "baseline not written through the hard link"
# standard output and devices are written, not replaced
"$MESHLINT" --no-config -f gcc -o /dev/stdout "$T/ex" > "$T/via-stdout"; st=$?
[ "$st" -le 1 ] || fail "-o /dev/stdout exited $st"
grep -q ML "$T/via-stdout" || fail "-o /dev/stdout wrote nothing"
"$MESHLINT" --no-config -f gcc -o /dev/stdout "$T/ex" | grep -q ML || fail "-o /dev/stdout into a pipe"
"$MESHLINT" --no-config -f gcc -o /dev/null "$T/ex"; st=$?
[ "$st" -le 1 ] || fail "-o /dev/null exited $st"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
if command -v mkfifo > /dev/null; then
  mkfifo "$T/fifo"
  cat "$T/fifo" > "$T/from-fifo" &
  "$MESHLINT" --no-config -f gcc -o "$T/fifo" "$T/ex"; st=$?
  wait
  [ "$st" -le 1 ] || fail "-o FIFO exited $st"
  [ -p "$T/fifo" ] || fail "the FIFO was replaced"
  grep -q ML "$T/from-fifo" || fail "nothing came through the FIFO"
fi
# an output that is one of the inputs (any spelling), the baseline or the
# configuration is refused with exit 2 and left untouched
before=$(sha256sum "$T/ex/k8s/"*.yaml | head -n 1)
one=$(ls "$T/ex/k8s/"*.yaml | head -n 1)
expect_status 2 "$MESHLINT" --no-config -o "$one" "$T/ex"
contains "$T/err" "never modifies what it reads"
expect_status 2 "$MESHLINT" --no-config -o "$T/ex/./k8s/../k8s/$(basename "$one")" "$T/ex"
ln -s "$one" "$T/alias.yaml"
expect_status 2 "$MESHLINT" --no-config --write-baseline "$T/alias.yaml" "$T/ex"
[ "$(sha256sum "$T/ex/k8s/"*.yaml | head -n 1)" = "$before" ] || fail "an input was modified"
"$MESHLINT" --no-config --write-baseline "$T/base.json" "$T/ex" > /dev/null
cp "$T/base.json" "$T/base.before"
expect_status 2 "$MESHLINT" --no-config --baseline "$T/base.json" --write-baseline "$T/base.json" "$T/ex"
expect_status 2 "$MESHLINT" --no-config --baseline "$T/base.json" -o "$T/base.json" "$T/ex"
cmp -s "$T/base.json" "$T/base.before" || fail "the baseline being read was overwritten"
printf 'fail-on: never\n' > "$T/cfg.yaml"
expect_status 2 "$MESHLINT" --config "$T/cfg.yaml" -o "$T/cfg.yaml" "$T/ex"
# informational options fail when standard output cannot be written
if [ -w /dev/full ]; then
  for opt in --version --help --list-rules "--explain ML001"; do
    # shellcheck disable=SC2086
    "$MESHLINT" $opt > /dev/full 2> /dev/null && fail "$opt > /dev/full exited 0"
  done
  "$MESHLINT" --no-config -f gcc "$T/ex" > /dev/full 2> /dev/null; st=$?
  [ "$st" = 2 ] || fail "a report to /dev/full exited $st"
fi
true
