# The benchmark's tools at a tiny size, so that they cannot rot between runs
# of `make bench`: bench/gen is deterministic, meshlint finds exactly the
# defects gen seeded (per rule), the output is the same for -j1 and -j4, and
# bench/floor reads the same files and bytes gen wrote.
. tests/sh/lib.inc
CC=${CC:-cc}
$CC -std=c11 -O2 -Wall -Wextra -Werror -o "$T/gen" bench/gen.c || fail "bench/gen.c does not build"
$CC -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE $(pkg-config --cflags yaml-0.1) -o "$T/floor" bench/floor.c \
  $(pkg-config --libs yaml-0.1) || fail "bench/floor.c does not build"

# a defect rate high enough that every kind shows up among 20 services
"$T/gen" -n 20 -s 3 -r 400 "$T/repo" > "$T/gen.out" || fail "gen failed"
"$T/gen" -n 20 -s 3 -r 400 "$T/again" > "$T/gen2.out" || fail "gen failed"
cmp "$T/gen.out" "$T/gen2.out" || fail "gen reports differ for the same seed"
diff -r "$T/repo" "$T/again" > /dev/null || fail "gen wrote different trees for the same seed"
contains "$T/gen.out" "services 20"
total=$(awk '$1=="expect" && $2=="total" {print $3}' "$T/gen.out")
[ "$total" -gt 0 ] || fail "no defects seeded"

expect_status 0 "$MESHLINT" --no-config --format gcc --fail-on never -j1 "$T/repo"
cp "$T/out" "$T/j1"
sed -n 's/.*\[\(ML[0-9][0-9][0-9]\)\]$/\1/p' "$T/j1" | sort | uniq -c | awk '{print $2, $1}' > "$T/got"
awk '$1=="expect" && $2!="total" && $3>0 {print $2, $3}' "$T/gen.out" | sort > "$T/want"
diff "$T/want" "$T/got" || fail "meshlint's findings per rule differ from the seeded defects"
[ "$(wc -l < "$T/j1")" -eq "$total" ] || fail "meshlint reported other findings than the seeded ones"

expect_status 0 "$MESHLINT" --no-config --format gcc --fail-on never -j4 "$T/repo"
cmp "$T/j1" "$T/out" || fail "-j4 output differs from -j1"

# a clean repository draws no finding at all
"$T/gen" -n 20 -s 3 -r 0 "$T/clean" > "$T/clean.out" || fail "gen failed"
contains "$T/clean.out" "expect total 0"
expect_status 0 "$MESHLINT" --no-config --fail-on note "$T/clean"

"$T/floor" "$T/repo" > "$T/floor.out" || fail "floor failed"
for k in files bytes; do
  [ "$(awk -v k=$k '$1==k {print $2}' "$T/floor.out")" = "$(awk -v k=$k '$1==k {print $2}' "$T/gen.out")" ] ||
    fail "floor and gen disagree on $k"
done
echo "bench smoke: ok ($total seeded defects found)"
