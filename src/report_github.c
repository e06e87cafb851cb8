/*
 * report_github.c - GitHub Actions workflow commands.
 *
 * Each unsuppressed finding becomes `::error file=..,line=..,col=..,
 * endLine=..,endColumn=..,title=ID name::message`, which the runner turns
 * into an annotation on the pull request. The runner parses the line itself,
 * so values are escaped its way: in properties %, CR, LF, ':' and ',' become
 * %25 %0D %0A %3A %2C; in the message %, CR and LF. Every other control
 * character goes through ml_text_escape, so the log never receives one raw.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"

#include <string.h>

/* GitHub's escaping of one value; `property` adds ':' and ','. Line
 * breaks are kept as %0D/%0A (the runner turns them back into breaks in the
 * annotation); every other control is made visible by ml_text_escape. */
static void gh_escape(ml_buf *out, const char *s, bool property)
{
    if (!s)
        return;
    ml_buf safe;
    ml_buf_init(&safe);
    for (;;) {
        size_t seg = strcspn(s, "\r\n");
        ml_buf_reset(&safe);
        ml_text_escape(&safe, s, seg);
        for (size_t i = 0; i < safe.n; i++) {
            char c = safe.s[i];
            if (c == '%')
                ml_buf_puts(out, "%25");
            else if (property && c == ':')
                ml_buf_puts(out, "%3A");
            else if (property && c == ',')
                ml_buf_puts(out, "%2C");
            else if (c == '\t')
                ml_buf_putc(out, ' ');
            else
                ml_buf_putc(out, c);
        }
        s += seg;
        if (*s == '\0')
            break;
        ml_buf_puts(out, *s == '\r' ? "%0D" : "%0A");
        s++;
    }
    ml_buf_free(&safe);
}

void ml_report_github(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    (void)o;
    ML_VEC_EACH(const ml_diag *, d, diags) {
        if (d->suppressed)
            continue;
        ml_level lv = ml_report_level(d);
        ml_buf_puts(out, lv == ML_LEVEL_ERROR ? "::error" : lv == ML_LEVEL_WARNING ? "::warning" : "::notice");
        const ml_loc *l = &d->loc;
        char sep = ' ';
        if (l->file && l->file->path) {
            ml_buf_puts(out, " file=");
            gh_escape(out, l->file->path, true);
            sep = ',';
            if (l->line > 0) {
                ml_buf_printf(out, ",line=%u", (unsigned)l->line);
                if (l->col > 0)
                    ml_buf_printf(out, ",col=%u", (unsigned)l->col);
                if (l->end_line >= l->line) {
                    ml_buf_printf(out, ",endLine=%u", (unsigned)l->end_line);
                    /* GitHub uses the columns only for a one-line range */
                    if (l->end_line == l->line && l->col > 0 && l->end_col > l->col)
                        ml_buf_printf(out, ",endColumn=%u", (unsigned)l->end_col);
                }
            }
        }
        if (d->rule && d->rule->id) {
            ml_buf_putc(out, sep);
            ml_buf_puts(out, "title=");
            gh_escape(out, d->rule->id, true);
            if (d->rule->name) {
                ml_buf_putc(out, ' ');
                gh_escape(out, d->rule->name, true);
            }
        }
        ml_buf_puts(out, "::");
        gh_escape(out, d->message, false);
        if (d->help && *d->help) {
            /* the finding's own help line, on a line of its own */
            gh_escape(out, "\nhelp: ", false);
            gh_escape(out, d->help, false);
        }
        ml_buf_putc(out, '\n');
    }
}
