" Vim compiler file for meshlint: `:compiler meshlint`, then `:make` lints the
" current directory and fills the quickfix list (`:make %` lints one file with
" the rest of the directory as context). Columns are bytes, as Vim's %c wants.
" Install: copy to ~/.vim/compiler/ (or add editors/vim to 'runtimepath').
if exists('current_compiler')
  finish
endif
let current_compiler = 'meshlint'
if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif
CompilerSet makeprg=meshlint\ --format\ gcc\ --fail-on\ never\ --context\ .\ $*
CompilerSet errorformat=%f:%l:%c:\ %trror:\ %m,%f:%l:%c:\ %tarning:\ %m,%f:%l:%c:\ %tote:\ %m
