# --format gcc in a real Vim quickfix list, with the errorformat that
# man/meshlint.1 documents: every entry has the file, line, column, type and
# message of its output line.
. tests/sh/lib.inc
command -v vim >/dev/null 2>&1 || { echo "vim not installed: skipped"; [ "${CI:-}" = true ] && fail "vim missing in CI"; exit 0; }
"$MESHLINT" --no-config --format gcc --fail-on never testdata/examples > "$T/out.txt"
[ -s "$T/out.txt" ] || fail "no findings to load"
# the errorformat exactly as the man page gives it (roff escapes undone)
# (roff: \e\<space> is the backslash-escaped space of Vim's :set)
efm=$(sed -n 's/^set errorformat=//p' man/meshlint.1 | sed 's/\\e\\ / /g')
[ -n "$efm" ] || fail "no errorformat in man/meshlint.1"
cat > "$T/qf.vim" <<V
set nocompatible
let &errorformat = '$efm'
cgetfile $T/out.txt
let lines = []
for e in getqflist()
  call add(lines, printf('%s|%d|%d|%s|%s', bufname(e.bufnr), e.lnum, e.col, e.type, e.text))
endfor
call writefile(lines, '$T/qf.txt')
qall!
V
vim -es -u NONE -N -S "$T/qf.vim" < /dev/null || true
[ -s "$T/qf.txt" ] || fail "vim produced no quickfix entries"
# what each output line should become
sed -E 's/^([^:]+):([0-9]+):([0-9]+): (error|warning|note): (.*)$/\1|\2|\3|\4|\5/' "$T/out.txt" |
  awk -F'|' 'BEGIN{OFS="|"} {$4=substr($4,1,1); print}' > "$T/want.txt"
[ "$(wc -l < "$T/qf.txt")" = "$(wc -l < "$T/out.txt")" ] || fail "quickfix has $(wc -l < "$T/qf.txt") entries for $(wc -l < "$T/out.txt") lines"
cmp -s "$T/qf.txt" "$T/want.txt" || { diff "$T/want.txt" "$T/qf.txt" | cut -c1-150 | head -30; fail "quickfix entries differ from the output"; }
# the shipped compiler file: :compiler meshlint, :make fills the quickfix list
cat > "$T/make.vim" <<V
set nocompatible
let &runtimepath = '$(pwd)/editors/vim,' . &runtimepath
compiler meshlint
let &makeprg = '$MESHLINT --no-config --format gcc --fail-on never testdata/examples'
silent make!
call writefile([len(getqflist()), &errorformat], '$T/make.txt')
qall!
V
vim -es -u NONE -N -S "$T/make.vim" < /dev/null || true
[ "$(head -1 "$T/make.txt")" = "$(wc -l < "$T/out.txt")" ] || fail "the compiler file's :make gives $(head -1 "$T/make.txt") entries for $(wc -l < "$T/out.txt") lines"
