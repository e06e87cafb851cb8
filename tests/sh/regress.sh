# Regression inputs (testdata/regress/<module>/): every input that once
# crashed, hung, leaked or printed something unsafe, found by the fuzzers or
# by hand. Each is linted in text, JSON and SARIF; the run must end with
# status 0, 1 or 2 (never a signal, which is how ASan and UBSan report under
# `make sanitize`), print no raw control character, and produce valid JSON.
# How an input is used depends on its name:
#
#   *.meshlint.yaml   --config FILE over testdata/examples
#   *.baseline.json   --baseline FILE over testdata/examples
#   *.bundle          unpacked (a "==> path <==" line before each file, as
#                     the pipeline fuzzer reads it) and linted as a
#                     directory; parts named .meshlint.yaml and .baseline are
#                     used as --config and --baseline
#   *.raw             a fuzzer input kept for the seed corpus only
#   anything else     linted as a file, with --markdown
. tests/sh/lib.inc
raw_controls() {
  LC_ALL=C tr -d '\n\t' < "$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}
json_ok() {
  if command -v python3 > /dev/null; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"
  elif command -v node > /dev/null; then
    node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$1"
  fi
}
unbundle() { # unbundle FILE DIR
  awk -v dir="$2" '
    /^==> .* <==$/ {
      name = substr($0, 5, length($0) - 8)
      gsub(/[^A-Za-z0-9._\/-]/, "", name); gsub(/\.\.+/, ".", name); sub(/^\/+/, "", name)
      if (name == "") name = "part" NR ".yaml"
      if (out != "") close(out)
      out = dir "/" name
      d = out; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\"")
      printf "" > out
      next
    }
    out != "" { print >> out }
  ' "$1"
}
n=0
for f in $(find testdata/regress -type f 2>/dev/null | LC_ALL=C sort); do
  case "$f" in
    *.raw|*/README*) continue ;;
    *.meshlint.yaml) set -- --config "$f" testdata/examples ;;
    *.baseline.json) set -- --no-config --baseline "$f" testdata/examples ;;
    *.bundle)
      D="$T/bundle$n"; mkdir -p "$D/repo"; unbundle "$f" "$D/repo"
      set -- --no-config
      if [ -f "$D/repo/.meshlint.yaml" ]; then mv "$D/repo/.meshlint.yaml" "$D/config.yaml"; set -- --config "$D/config.yaml"; fi
      if [ -f "$D/repo/.baseline" ]; then mv "$D/repo/.baseline" "$D/baseline.json"; set -- "$@" --baseline "$D/baseline.json"; fi
      set -- "$@" --markdown "$D/repo" ;;
    *) set -- --no-config --markdown "$f" ;;
  esac
  for fmt in text json sarif; do
    timeout -s KILL 60 "$MESHLINT" --color never -f "$fmt" "$@" > "$T/out" 2> "$T/err"
    st=$?
    [ "$st" -le 2 ] || { tail -n 20 "$T/err"; fail "$f (-f $fmt): exit status $st"; }
    raw_controls "$T/err" && fail "$f (-f $fmt): a raw control character on standard error"
    case "$fmt" in
      text) raw_controls "$T/out" && fail "$f: a raw control character in text output" ;;
      *) # a refused configuration (exit 2) produces no report at all
         [ "$st" = 2 ] && [ ! -s "$T/out" ] && continue
         json_ok "$T/out" || fail "$f: -f $fmt output is not valid JSON" ;;
    esac
  done
  n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no regression input found under testdata/regress"
echo "regress: $n inputs"
