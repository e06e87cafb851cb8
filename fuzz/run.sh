#!/bin/sh
# Run the libFuzzer harnesses: fuzz/run.sh SECONDS BUILD_DIR NAME...
#
# For each harness NAME (binary BUILD_DIR/fuzz_NAME) this prepares seeds
# from testdata/ (fuzz/seeds.sh), keeps a growing corpus in
# BUILD_DIR/corpus/NAME, saves crashing inputs in BUILD_DIR/crashes/NAME/
# and runs for SECONDS. Leaks count as crashes (ASan's leak check is on).
# Exit status 1 when any harness found something.
set -u
secs=$1; build=$2; shift 2
status=0
for name in "$@"; do
  bin="$build/fuzz_$name"
  seeds="$build/seeds/$name"
  corpus="$build/corpus/$name"
  crashes="$build/crashes/$name"
  mkdir -p "$corpus" "$crashes"
  sh fuzz/seeds.sh "$name" "$seeds"
  dict=""
  [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
  log="$build/fuzz_$name.log"
  echo "== fuzz_$name: ${secs}s, $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) in corpus"
  # shellcheck disable=SC2086
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
      -print_final_stats=1 -artifact_prefix="$crashes/" $dict \
      "$corpus" "$seeds" > "$log" 2>&1
  rc=$?
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" | tr '\n' ' '; echo
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "fuzz_$name FAILED (exit $rc); inputs in $crashes/:"
    ls "$crashes"
    grep -E 'ERROR|SUMMARY|property violated|#[0-9] ' "$log" | head -n 30
  fi
done
exit $status
