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

# ---- hostile names and values reach every output escaped ------------------
json_ok() {
  if command -v python3 > /dev/null; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"
  else
    node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$1" &&
      iconv -f UTF-8 -t UTF-8 "$1" > /dev/null
  fi
}
raw_controls() { LC_ALL=C tr -d '\n\t' < "$1" | LC_ALL=C grep -q '[[:cntrl:]]'; }
mkdir -p "$T/hostile"
# a resource named "\e[31mred" (YAML's \e escape is a real ESC) with a
# finding that names it, a bidi override in a namespace, and a file whose
# name holds an ESC and a byte that is not UTF-8
cat > "$T/hostile/pa.yaml" <<'Y'
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: "\e[31mred"
  namespace: "shop\u202egnp.exe\u0085\u009b31m"
spec:
  mtls:
    mode: strict
Y
evil=$(printf 'evil\033[2J\377name.yaml')
cp "$T/hostile/pa.yaml" "$T/hostile/$evil"
printf "import { createServer } from '@connectum/core';\nconst s = createServer({ port: 5000, host: 'h\377\376\033[0m' });\n" > "$T/hostile/server.ts"
for fmt in text gcc github; do
  for color in never always; do
    "$MESHLINT" --no-config --color $color -f $fmt "$T/hostile" > "$T/h.out" 2> "$T/h.err"
    st=$?
    [ "$st" = 1 ] || fail "hostile names: -f $fmt exited $st"
    [ "$color" = always ] && [ "$fmt" = text ] && continue # its own colour codes
    raw_controls "$T/h.out" && { od -c "$T/h.out" | head; fail "-f $fmt --color $color: raw control character in the output"; }
  done
done
"$MESHLINT" --no-config --color never "$T/hostile" > "$T/h.out"
contains "$T/h.out" 'shop\u{202e}gnp.exe\u{0085}\u{009b}31m/\x1b[31mred'
contains "$T/h.out" 'evil\x1b[2J\xffname.yaml'
# with colour on, the name's escape sequence still never reaches the terminal
"$MESHLINT" --no-config --color always "$T/hostile" > "$T/h.out"
lacks "$T/h.out" "$(printf '\033[31mred')"
lacks "$T/h.out" "$(printf '\033[2J')"
for fmt in json sarif codeclimate; do
  "$MESHLINT" --no-config -f $fmt "$T/hostile" > "$T/h.$fmt"
  json_ok "$T/h.$fmt" || fail "-f $fmt is not valid UTF-8 JSON with hostile names"
done
"$MESHLINT" --no-config --dump-model "$T/hostile" > "$T/h.dump"
json_ok "$T/h.dump" || fail "--dump-model is not valid UTF-8 JSON with hostile values"
# messages on standard error escape what they quote (a path from the command line)
"$MESHLINT" --no-config "$T/$(printf '\033[31m')missing.yaml" > /dev/null 2> "$T/h.err"
raw_controls "$T/h.err" && fail "raw control character on standard error"
contains "$T/h.err" '\x1b[31mmissing.yaml'

# ---- no writes to inputs, whatever the run ----------------------------------
before=$(find "$T/hostile" -type f -exec sha256sum {} + | sort)
"$MESHLINT" --no-config --write-baseline "$T/base.json" "$T/hostile" > /dev/null
"$MESHLINT" --no-config --baseline "$T/base.json" -o "$T/h2.out" "$T/hostile"
after=$(find "$T/hostile" -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] || fail "a run changed its inputs"

# ---- determinism over many files: -j, locales, order of the paths --------------
big="$T/ex testdata/rules"
big="$big testdata/corpus"
# shellcheck disable=SC2086
"$MESHLINT" --no-config --color never -f json -j 1 $big > "$T/j1" 2>&1
for j in 2 7; do
  # shellcheck disable=SC2086
  LC_ALL=C "$MESHLINT" --no-config --color never -f json -j $j $big > "$T/jn" 2>&1
  cmp -s "$T/j1" "$T/jn" || fail "-j $j (LC_ALL=C) changes the output over many files"
done
# shellcheck disable=SC2086
LC_ALL=C.UTF-8 LANG=C.UTF-8 "$MESHLINT" --no-config --color never -f json $(echo $big | tr ' ' '\n' | sort -r) > "$T/jn" 2>&1
cmp -s "$T/j1" "$T/jn" || fail "a UTF-8 locale or the order of the paths changes the output"

# ---- -o that cannot be written: exit 2, nothing left behind ------------------
mkdir -p "$T/out-dir/isdir"
expect_status 2 "$MESHLINT" --no-config -o "$T/out-dir/missing/report.sarif" "$T/ex"
expect_status 2 "$MESHLINT" --no-config -o "$T/out-dir/isdir" "$T/ex"
contains "$T/err" "cannot write"
[ -z "$(ls "$T/out-dir/isdir")" ] || fail "-o onto a directory left something in it"
[ "$(ls "$T/out-dir")" = isdir ] || fail "-o onto a directory left a temporary file"

# ---- a full disk: a 64 KiB tmpfs, where a mount namespace is allowed ----------
if command -v unshare > /dev/null && unshare -m true 2> /dev/null; then
  mkdir -p "$T/full"
  unshare -m sh -c '
    mount -t tmpfs -o size=64k tmpfs "$1" 2> /dev/null || exit 77
    printf "old report\n" > "$1/report.sarif"
    "$2" --no-config -f sarif -o "$1/report.sarif" "$3" 2> /dev/null; st=$?
    [ "$st" = 2 ] || { echo "full disk: exit status $st, expected 2"; exit 1; }
    [ "$(cat "$1/report.sarif")" = "old report" ] || { echo "full disk: the old report was replaced"; exit 1; }
    [ "$(ls "$1")" = report.sarif ] || { echo "full disk: a temporary file was left:"; ls "$1"; exit 1; }
  ' sh "$T/full" "$MESHLINT" "$T/ex"
  st=$?
  [ "$st" = 77 ] && echo "output_safety: no tmpfs can be mounted here; full-disk test skipped"
  [ "$st" = 0 ] || [ "$st" = 77 ] || fail "-o on a full disk"
else
  echo "output_safety: no mount namespace here; full-disk test skipped"
fi
