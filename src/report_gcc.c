/*
 * report_gcc.c - one line per finding, in the format compilers use.
 *
 * `file:line:col: level: message [ID]` is what editors' quickfix lists,
 * `grep` and the rule fixtures read, so the one guarantee that matters is
 * exactly one line per (unsuppressed) finding, and columns count bytes (what
 * Vim's %c and Emacs' compilation mode expect), unlike SARIF's code points: everything taken from the
 * input goes through ml_text_escape, which turns newlines and every other
 * control character into visible escapes, and tabs become spaces.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"

void ml_report_gcc(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    (void)o;
    ML_VEC_EACH(const ml_diag *, d, diags) {
        if (d->suppressed)
            continue;
        ml_report_put_where_bytes(out, &d->loc);
        ml_buf_printf(out, ": %s: ", ml_level_name(ml_report_level(d)));
        ml_text_escape_line(out, d->message);
        if (d->rule && d->rule->id) {
            ml_buf_puts(out, " [");
            ml_text_escape_line(out, d->rule->id);
            ml_buf_putc(out, ']');
        }
        ml_buf_putc(out, '\n');
    }
}
