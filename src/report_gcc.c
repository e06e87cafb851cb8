/*
 * report_gcc.c - one line per finding, in the format compilers use.
 *
 * `file:line:col: level: message [ID]` is what editors' quickfix lists,
 * `grep` and the rule fixtures read, so the one guarantee that matters is
 * exactly one line per (unsuppressed) finding: everything taken from the
 * input goes through ml_text_escape, which turns newlines and every other
 * control character into visible escapes, and tabs become spaces.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"

#include <string.h>

static void put_line_text(ml_buf *out, const char *s)
{
    if (!s)
        return;
    size_t start = out->n;
    ml_text_escape(out, s, strlen(s));
    for (size_t i = start; i < out->n; i++)
        if (out->s[i] == '\t')
            out->s[i] = ' ';
}

void ml_report_gcc(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    (void)o;
    ML_VEC_EACH(const ml_diag *, d, diags) {
        if (d->suppressed)
            continue;
        const ml_loc *l = &d->loc;
        if (l->file && l->file->path) {
            put_line_text(out, l->file->path);
            if (l->line > 0) {
                ml_buf_printf(out, ":%u", (unsigned)l->line);
                if (l->col > 0)
                    ml_buf_printf(out, ":%u", (unsigned)l->col);
            }
        } else {
            ml_buf_puts(out, "meshlint");
        }
        ml_level lv = ml_report_level(d);
        ml_buf_printf(out, ": %s: ",
                      lv == ML_LEVEL_ERROR ? "error" : lv == ML_LEVEL_WARNING ? "warning" : "note");
        put_line_text(out, d->message);
        if (d->rule && d->rule->id) {
            ml_buf_puts(out, " [");
            put_line_text(out, d->rule->id);
            ml_buf_putc(out, ']');
        }
        ml_buf_putc(out, '\n');
    }
}
