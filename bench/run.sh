#!/bin/sh
# bench/run.sh - the benchmark behind `make bench`.
#
#   sh bench/run.sh MESHLINT BENCHBIN RUNS N...
#
# For each N: bench/gen writes N services into bench/out/nN (reused when it
# is already there for the same seed, rate and bench/gen.c), then meshlint -j1, meshlint
# -j<online CPUs> and bench/floor each run RUNS times as whole processes
# under /usr/bin/time; the table shows medians of wall time, and of CPU time
# (user + sys), which a busy shared machine disturbs less. meshlint's findings per rule
# must equal the seeded-defect counts gen printed, or the benchmark fails:
# that is the only thing it asserts. yamllint (default configuration) runs
# at the smallest N only, where it takes seconds rather than minutes. The
# table goes to standard output and to bench/out/results.md, followed by every
# run with the CPU seconds other processes used during it (/proc/stat).
set -u
ML=$1 BB=$2 RUNS=$3
shift 3
SEED=${BENCH_SEED:-1}
RATE=${BENCH_RATE:-50}
OUT=bench/out
JOBS=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RES="$OUT/results.md"
: > "$OUT/runs.log"
fail=0

die() { echo "bench: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: apt-get install time)"

# median of the numbers on standard input
median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# CPU seconds all processes of the machine have used so far (user, nice,
# system, irq, softirq from /proc/stat; empty where there is no /proc)
busy() { awk -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8)/hz}' /proc/stat 2>/dev/null; }

# measure NAME CMD...: run CMD $RUNS times; leaves medians in $NAME.wall/.cpu/.rss
# and one line per run in $OUT/runs.log: wall, cpu, RSS and the CPU seconds
# other processes used during the run (how busy the machine was)
measure() {
  name=$1; shift
  : > "$TMP/$name.w"; : > "$TMP/$name.c"; : > "$TMP/$name.m"
  i=0
  while [ $i -lt "$RUNS" ]; do
    b0=$(busy)
    /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$@" > "$TMP/$name.out" 2> "$TMP/$name.err"
    b1=$(busy)
    tail -n 1 "$TMP/t" | awk -v w="$TMP/$name.w" -v c="$TMP/$name.c" -v m="$TMP/$name.m" \
      '{print $1 >> w; print $2 + $3 >> c; print $4 >> m}'
    tail -n 1 "$TMP/t" | awk -v n="$name" -v b0="$b0" -v b1="$b1" -v la="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)" \
      '{cpu = $2 + $3; o = (b0 != "" && b1 != "") ? sprintf("%.2f", b1 - b0 - cpu) : "?";
        printf "%s wall %.2f cpu %.2f rss %.0fMB others-cpu %s load %s\n", n, $1, cpu, $4 / 1024, o, la}' >> "$OUT/runs.log"
    i=$((i+1))
  done
  median < "$TMP/$name.w" > "$TMP/$name.wall"
  median < "$TMP/$name.c" > "$TMP/$name.cpu"
  median < "$TMP/$name.m" > "$TMP/$name.rss"
}
val() { cat "$TMP/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }

{
  echo "# meshlint benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src include rules 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "- machine: $JOBS online CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo 2>/dev/null)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  echo "- $RUNS runs each, medians; wall seconds; cpu = user + sys seconds; RSS = peak resident set (/usr/bin/time)"
  echo "- gen seed $SEED, defect rate $RATE per mille"
  echo
  echo "| N | files | MB | resources | floor s | -j1 s | -j1/floor | -j$JOBS s | -j$JOBS/floor | -j1 MB/s | -j1 res/s | floor cpu s | -j1 cpu s | cpu ratio | RSS MB | RSS/input | defects |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$RES"
cat "$RES"

first_n= first_t= last_n= last_t=
for N in "$@"; do
  DIR="$OUT/n$N"
  STAMP="$DIR/.gen"
  KEY="seed $SEED rate $RATE gen $(cksum < bench/gen.c | cut -d' ' -f1)"
  if [ ! -f "$STAMP" ] || [ "$(sed -n 1p "$STAMP")" != "$KEY" ]; then
    # ~28 KB of disk per service (small files round up to blocks); keep a margin
    need=$((N * 40))
    avail=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
    if [ "$avail" -lt "$need" ]; then
      echo "| $N | skipped: needs about $((need / 1024)) MB of disk, $((avail / 1024)) MB free | | | | | | | | | | | | | | | |" | tee -a "$RES"
      continue
    fi
    rm -rf "$DIR"
    "$BB/gen" -n "$N" -s "$SEED" -r "$RATE" "$DIR" > "$TMP/gen" || die "gen failed"
    { echo "$KEY"; cat "$TMP/gen"; } > "$STAMP"
  fi
  files=$(awk '$1=="files" {print $2}' "$STAMP")
  bytes=$(awk '$1=="bytes" {print $2}' "$STAMP")
  resources=$(awk '$1=="resources" {print $2}' "$STAMP")
  # warm the page cache, then measure
  "$BB/floor" "$DIR" > /dev/null
  echo "N=$N $(date -u '+%H:%M:%S')" >> "$OUT/runs.log"
  measure floor "$BB/floor" "$DIR"
  measure j1 "$ML" --no-config --format gcc --fail-on never -j1 "$DIR"
  measure jn "$ML" --no-config --format gcc --fail-on never -j"$JOBS" "$DIR"

  # correctness: findings per rule == seeded defects per rule
  sed -n 's/.*\[\(ML[0-9][0-9][0-9]\)\]$/\1/p' "$TMP/j1.out" | sort | uniq -c | awk '{print $2, $1}' > "$TMP/got"
  awk '$1=="expect" && $2!="total" && $3>0 {print $2, $3}' "$STAMP" | sort > "$TMP/want"
  if cmp -s "$TMP/got" "$TMP/want" && cmp -s "$TMP/j1.out" "$TMP/jn.out"; then
    defects="ok $(awk '{s+=$2} END {print s+0}' "$TMP/want")"
  else
    defects="MISMATCH"
    fail=1
    echo "bench: N=$N: findings per rule differ from the seeded defects (or -j1 and -j$JOBS differ):" >&2
    diff "$TMP/want" "$TMP/got" >&2
  fi
  fl=$(val floor.wall) j1=$(val j1.wall) jn=$(val jn.wall)
  awk -v n="$N" -v files="$files" -v bytes="$bytes" -v res="$resources" -v fl="$fl" -v j1="$j1" -v jn="$jn" \
      -v fcpu="$(val floor.cpu)" -v cpu="$(val j1.cpu)" -v rss="$(val j1.rss)" -v rssn="$(val jn.rss)" -v jobs="$JOBS" -v d="$defects" 'BEGIN {
    rmax = rss > rssn ? rss : rssn
    printf "| %d | %d | %.1f | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.0f | %.2f | %.2f | %.2f | %.0f | %.2f | %s |\n",
      n, files, bytes / 1e6, res, fl, j1, j1 / fl, jn, jn / fl, bytes / 1e6 / j1, res / j1, fcpu, cpu,
      (fcpu > 0 ? cpu / fcpu : 0), rmax / 1024, rmax * 1024 / bytes, d
  }' | tee -a "$RES"
  [ -z "$first_n" ] && first_n=$N first_t=$j1 first_c=$(val j1.cpu)
  last_n=$N last_t=$j1 last_c=$(val j1.cpu)
done

{
  echo
  if [ -n "$first_n" ] && [ "$first_n" != "$last_n" ]; then
    echo "- linearity: time(N=$last_n) / time(N=$first_n) = $(ratio "$last_t" "$first_t") wall, $(ratio "$last_c" "$first_c") cpu (linear: $((last_n / first_n)))"
  fi
  # the bundled example: 50 runs, mean wall per run
  if [ -d testdata/examples ]; then
    s=$(date +%s%N)
    i=0
    while [ $i -lt 50 ]; do "$ML" --no-config --fail-on never testdata/examples > /dev/null 2>&1; i=$((i+1)); done
    e=$(date +%s%N)
    echo "- bundled example (testdata/examples): $(awk -v d=$((e - s)) 'BEGIN {printf "%.1f", d / 50 / 1e6}') ms wall per run (mean of 50)"
  fi
  # yamllint, default configuration, on the manifests of the smallest N
  small=$(echo "$@" | tr ' ' '\n' | sort -n | head -n 1)
  if command -v yamllint > /dev/null 2>&1 && [ -d "$OUT/n$small" ]; then
    runs_saved=$RUNS
    RUNS=1
    measure yl yamllint -f parsable "$OUT/n$small"
    measure flsmall "$BB/floor" "$OUT/n$small"
    measure mlsmall "$ML" --no-config --format gcc --fail-on never -j1 "$OUT/n$small"
    RUNS=$runs_saved
    echo "- yamllint $(yamllint --version 2>/dev/null | sed 's/yamllint //') (default configuration) on N=$small: $(val yl.wall) s wall, $(val yl.rss | awk '{printf "%.0f", $1/1024}') MB peak RSS, $(wc -l < "$TMP/yl.out") problems reported; meshlint -j1 $(val mlsmall.wall) s, so yamllint takes $(ratio "$(val yl.wall)" "$(val mlsmall.wall)")x meshlint and $(ratio "$(val yl.wall)" "$(val flsmall.wall)")x the floor (one run each; yamllint is timed at N=$small only)"
  else
    echo "- yamllint: not installed (Debian: apt-get install yamllint), not timed"
  fi
  echo
  echo "Each run (others-cpu: CPU seconds other processes used during the run, from /proc/stat):"
  echo
  sed 's/^/    /' "$OUT/runs.log"
} | tee -a "$RES"
exit $fail
