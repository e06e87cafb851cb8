#!/bin/sh
# The static binary (make static): no dynamic dependency, and it lints the
# bundled example exactly as the regular build's golden output says.
set -u
bin=$1
out=$(ldd "$bin" 2>&1)
case $out in
  *"not a dynamic executable"*|*"statically linked"*) ;;
  *) echo "static: $bin is dynamic:"; echo "$out"; exit 1 ;;
esac
golden=tests/golden/examples.gcc
if [ -f "$golden" ]; then
  "$bin" --no-config --color never --fail-on never --format gcc $(cat tests/golden/examples.args) | cmp -s - "$golden" ||
    { echo "static: $bin lints testdata/examples differently from $golden"; exit 1; }
fi
"$bin" --version >/dev/null || exit 1
echo "static: $bin is statically linked ($(du -k "$bin" | cut -f1) KiB) and passes"
