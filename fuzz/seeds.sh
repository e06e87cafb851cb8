#!/bin/sh
# Seed inputs for one harness, from testdata/: fuzz/seeds.sh NAME DIR
#
#   yaml      every manifest (*.yaml *.yml *.json) and the YAML regressions
#   ts        every *.ts / *.js source and the TypeScript regressions
#   config    every .meshlint.yaml, fuzz/seeds/config/*, config regressions
#   suppress  manifests and sources that carry meshlint-disable directives,
#             each prefixed with the harness's mode byte
#   pipeline  each fixture case and the example repository as one bundle
#             ("==> path <==" before each file), fuzz/seeds/pipeline/*,
#             pipeline and Markdown regressions
#   lsp       fuzz/seeds/lsp/* (client messages)
#   ignore    fuzz/seeds/ignore/* (an ignore file, NUL, paths) and every
#             .gitignore / .meshlintignore of the repository, alone
#
# Small hostile inputs (testdata/hostile/*/input/*) join the matching sets.
set -u
name=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
n=0
add() { # add FILE: copy one file as a seed
  n=$((n+1)); cp "$1" "$out/seed$n"
}
pick() { # pick REGEX DIR...: files up to 256 KiB under DIRs whose path matches
  re=$1; shift
  find "$@" -type f -size -257k 2>/dev/null | grep -E "$re" | LC_ALL=C sort
}
case "$name" in
yaml)
  for f in $(pick '\.(yaml|yml|json)$' testdata); do add "$f"; done ;;
ts)
  for f in $(pick '\.(ts|js|mts|cts|mjs)$' testdata); do add "$f"; done ;;
config)
  for f in $(pick '(^fuzz/seeds/config/|meshlint\.yaml$)' testdata fuzz/seeds/config); do add "$f"; done ;;
suppress)
  for f in $(grep -rlI 'meshlint-disable' testdata fuzz/seeds 2>/dev/null | LC_ALL=C sort); do
    n=$((n+1))
    case "$f" in
      *.ts|*.js) { printf '\002'; cat "$f"; } > "$out/seed$n"
                 n=$((n+1)); { printf '\003'; cat "$f"; } > "$out/seed$n" ;;
      *)         { printf '\000'; cat "$f"; } > "$out/seed$n"
                 n=$((n+1)); { printf '\001'; cat "$f"; } > "$out/seed$n" ;;
    esac
  done
  for f in $(pick . testdata/regress/engine); do add "$f"; done ;;
pipeline)
  # one bundle per fixture case directory and one for the examples
  for d in $(find testdata/rules -mindepth 2 -maxdepth 2 -type d 2>/dev/null | LC_ALL=C sort) testdata/examples; do
    n=$((n+1))
    (cd "$d" && find . -type f ! -name expected ! -name args | LC_ALL=C sort | while read -r f; do
       printf '==> %s <==\n' "${f#./}"; cat "$f"; printf '\n'
     done) > "$out/seed$n"
  done
  for f in $(pick . fuzz/seeds/pipeline testdata/regress/pipeline); do add "$f"; done
  # Markdown regressions, as bundles
  for f in $(pick '\.md$' testdata/regress); do
    n=$((n+1)); { printf '==> README.md <==\n'; cat "$f"; } > "$out/seed$n"
  done ;;
lsp)
  # framed client messages, each prefixed with the harness's piece-size byte
  for f in $(pick . fuzz/seeds/lsp); do add "$f"; done ;;
ignore)
  for f in $(pick . fuzz/seeds/ignore); do add "$f"; done
  for f in $(find . -name .gitignore -o -name .meshlintignore 2>/dev/null | grep -v '^./build' | LC_ALL=C sort); do add "$f"; done ;;
*)
  echo "seeds.sh: unknown harness $name" >&2; exit 2 ;;
esac
# regressions of the harness's own module(s)
case "$name" in
  yaml) for f in $(pick . testdata/regress/yaml testdata/regress/model); do add "$f"; done ;;
  ts) for f in $(pick . testdata/regress/ts testdata/regress/link); do add "$f"; done ;;
  config) for f in $(pick . testdata/regress/config); do add "$f"; done ;;
esac
exit 0
