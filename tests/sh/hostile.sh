# Hostile inputs (testdata/hostile/<case>/): each case runs under a time and a
# memory limit and must exit with its expected status, print its expected
# diagnostics, stay under its time and peak-memory budget, leave its inputs
# untouched, and print nothing raw to the terminal (no control characters;
# JSON output valid). A case directory holds:
#
#   args     the command-line arguments (shell words), run inside the case's
#            work directory
#   status   the expected exit status
#   expect   substrings that must appear in standard output + error, one a line
#   input/   committed input files (copied into the work directory), and/or
#   gen      a script run as `sh gen DIR` that creates inputs in DIR at test
#            time (big files, FIFOs, symlink loops are never committed)
#   limits   optional: "SECONDS MEGABYTES" (default "2 256"); MEGABYTES may be
#            "Nx" for N times the size of the generated input; a third word
#            "heavy" skips the case under the sanitizer build
#
# Two times are measured. The processor time the run used (user + system)
# depends less on what else the machine is doing: make hostile holds it to
# the budget, make check to twice the budget. The wall-clock time is held to the budget by make
# hostile (HOSTILE_STRICT=1); make check fails it only beyond five times
# the budget, so that a loaded machine does not make the suite flaky (a run
# that blocks uses no processor time: it is killed and fails on its status).
# Under the sanitizer build, budgets are ten times larger and memory is not
# measured.
#
# HOSTILE_ONLY=<case> runs one case; HOSTILE_VERBOSE=1 prints every measure.
. tests/sh/lib.inc
command -v /usr/bin/time > /dev/null || fail "GNU time (/usr/bin/time) is needed (Debian package time)"
san=0
grep -q __asan_init "$MESHLINT" 2>/dev/null && san=1
json_ok() {
  if command -v python3 > /dev/null; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"
  elif command -v node > /dev/null; then
    node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$1" &&
      iconv -f UTF-8 -t UTF-8 "$1" > /dev/null
  else
    return 0
  fi
}
raw_controls() { # true when FILE holds a control character other than \n and \t
  LC_ALL=C tr -d '\n\t' < "$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}
hash_inputs() {
  (cd "$1" && find . -type f -readable -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort)
}
ran=0
report=""
for dir in testdata/hostile/*/; do
  case=$(basename "$dir")
  [ -n "${HOSTILE_ONLY:-}" ] && [ "$case" != "$HOSTILE_ONLY" ] && continue
  secs=2; mem=256; heavy=""
  [ -f "$dir/limits" ] && read -r secs mem heavy < "$dir/limits"
  if [ "$san" = 1 ] && [ "$heavy" = heavy ]; then
    echo "hostile: $case skipped under the sanitizer build"; continue
  fi
  W="$T/$case"; mkdir -p "$W"
  [ -d "$dir/input" ] && cp -R "$dir/input/." "$W/"
  if [ -f "$dir/gen" ]; then
    sh "$dir/gen" "$W" || fail "$case: gen failed"
  fi
  case "$mem" in
    *x) size_kb=$(du -sk "$W" | cut -f1); mem=$(( ${mem%x} * size_kb / 1024 )) ;;
  esac
  eval "set -- $(cat "$dir/args")"
  before=$(hash_inputs "$W")
  limit_s=$secs
  [ "$san" = 1 ] && limit_s=$((secs * 10))
  kill_after=$((limit_s * 3 + 5))
  (
    cd "$W" || exit 125
    # a hard cap on address space so that a runaway cannot take the machine
    # (ASan reserves terabytes of address space: no cap there)
    [ "$san" = 1 ] || ulimit -v $(( (mem * 4 + 1024) * 1024 ))
    exec /usr/bin/time -f '%e %U %S %M' -o "$T/time" timeout -s KILL "$kill_after" "$MESHLINT" "$@"
  ) > "$T/out" 2> "$T/err"
  got=$?
  cat "$T/out" "$T/err" > "$T/all"
  want=$(cat "$dir/status")
  [ "$got" = "$want" ] || { head -c 3000 "$T/all"; fail "$case: exit status $got, expected $want"; }
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    grep -qF -- "$line" "$T/all" || { head -c 3000 "$T/all"; fail "$case: output lacks: $line"; }
  done < "$dir/expect"
  raw_controls "$T/all" && { head -c 3000 "$T/all" | od -c | head -20; fail "$case: a raw control character reached the terminal"; }
  # GNU time writes "Command exited with non-zero status N" before the measures
  read -r elapsed user sys rss_kb <<EOF
$(tail -n 1 "$T/time")
EOF
  rss_mb=$((rss_kb / 1024))
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  # Processor time still grows on a machine whose two cores run many jobs
  # (shared caches, clock): make check fails it beyond twice the budget (a
  # pathology), make hostile (HOSTILE_STRICT=1) at the budget itself.
  cpu_cap=$limit_s
  [ "${HOSTILE_STRICT:-0}" = 1 ] || cpu_cap=$(awk -v l="$limit_s" 'BEGIN { print 2 * l }')
  awk -v c="$cpu" -v l="$cpu_cap" 'BEGIN { exit !(c < l) }' ||
    fail "$case: used ${cpu}s of processor time, limit ${cpu_cap}s (budget ${limit_s}s)"
  awk -v c="$cpu" -v l="$limit_s" 'BEGIN { exit !(c < l) }' ||
    echo "hostile: $case used ${cpu}s of processor time, over its ${limit_s}s budget (enforced by make hostile)"
  # Time budgets are measured, not asserted, in make check: a loaded CI
  # machine must not turn a budget into a flaky failure. Over five times
  # the budget is a hang or a pathology and fails; HOSTILE_STRICT=1 (make
  # hostile) enforces the budget itself.
  if ! awk -v e="$elapsed" -v l="$limit_s" 'BEGIN { exit !(e < l) }'; then
    if [ "${HOSTILE_STRICT:-0}" = 1 ] || ! awk -v e="$elapsed" -v l="$limit_s" 'BEGIN { exit !(e < 5 * l) }'; then
      fail "$case: took ${elapsed}s, limit ${limit_s}s"
    fi
    echo "hostile: $case took ${elapsed}s, over its ${limit_s}s budget (enforced by make hostile)"
  fi
  if [ "$san" = 0 ]; then
    [ "$rss_mb" -lt "$mem" ] || fail "$case: peak memory ${rss_mb} MB, limit ${mem} MB"
  fi
  # JSON and SARIF of the same run are valid UTF-8 JSON
  if [ "$heavy" != heavy ]; then
    for fmt in json sarif; do
      (cd "$W" && timeout -s KILL "$kill_after" "$MESHLINT" "$@" -f "$fmt" > "$T/out.$fmt" 2> /dev/null)
      st=$?
      [ "$st" -le 2 ] || fail "$case: -f $fmt ended with a signal"
      # a refused configuration (exit 2) produces no report at all
      [ "$st" = 2 ] && [ ! -s "$T/out.$fmt" ] && continue
      json_ok "$T/out.$fmt" 2> /dev/null || fail "$case: -f $fmt output is not valid UTF-8 JSON"
    done
  fi
  after=$(hash_inputs "$W")
  [ "$before" = "$after" ] || fail "$case: an input file changed"
  rm -rf "$W"
  ran=$((ran + 1))
  report="$report$(printf '%-28s exit %s  cpu %6ss  wall %6ss  %5s MB' "$case" "$got" "$cpu" "$elapsed" "$rss_mb")
"
done
[ "${HOSTILE_VERBOSE:-0}" = 1 ] && printf '%s' "$report"
[ "$ran" -gt 0 ] || fail "no hostile case ran"
echo "hostile: $ran cases passed"
