/*
 * report_text.c - the default, human-readable output.
 *
 * Modelled on clang and rustc: a header line `file:line:col: level: message
 * [ID name]`, the source line with a caret range under the exact columns,
 * `note:` lines for the other places involved, then `help:` and `fix:`.
 *
 * The one idea: the source line is rendered unit by unit, where a unit is
 * what source.c counts as one column (a non-continuation byte and the
 * continuation bytes after it), and the display width of each unit is
 * recorded as it is written. Tabs expand to the next multiple of 8, control
 * characters and broken UTF-8 become visible escapes, wide characters take
 * two cells, and the caret lands under the same cells whatever the line held.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"

#include <string.h>

#define TABSTOP 8
#define MAX_SHOWN_UNITS 400 /* columns of one source line shown at most */
#define LEAD_CONTEXT 60     /* columns kept before the caret when a long line is cut */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN "\033[1;36m"
#define C_GREEN "\033[1;32m"

static const char *level_color(ml_level l)
{
    return l == ML_LEVEL_ERROR ? C_RED : l == ML_LEVEL_WARNING ? C_MAGENTA : C_CYAN;
}

static void on(ml_buf *out, const ml_report_opts *o, const char *c)
{
    if (o->color)
        ml_buf_puts(out, c);
}

static void off(ml_buf *out, const ml_report_opts *o)
{
    if (o->color)
        ml_buf_puts(out, C_RESET);
}

/* `file:line:col:` (what is known of it), bold when coloured. */
static void put_where(ml_buf *out, const ml_loc *l, const ml_report_opts *o)
{
    on(out, o, C_BOLD);
    ml_report_put_where(out, l);
    ml_buf_putc(out, ':');
    off(out, o);
}

/* ---- display width ---------------------------------------------------- */

/* Terminal cells of a code point: 0 for combining marks, 2 for the East
 * Asian wide and emoji blocks, 1 otherwise. Approximate, as terminals are. */
static unsigned cp_width(uint32_t c)
{
    if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200D) || (c >= 0xFE00 && c <= 0xFE0F))
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
        (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
        (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

/* Width of text that ml_text_escape produced (valid UTF-8, no controls). */
static unsigned text_width(const char *s, size_t n)
{
    unsigned w = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t k;
        if (c < 0x80) {
            cp = c;
            k = 1;
        } else if (c >= 0xF0) {
            cp = c & 0x07;
            k = 4;
        } else if (c >= 0xE0) {
            cp = c & 0x0F;
            k = 3;
        } else {
            cp = c & 0x1F;
            k = 2;
        }
        for (size_t j = 1; j < k && i + j < n; j++)
            cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
        w += cp_width(cp);
        i += k;
    }
    return w;
}

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Print `  NNNN | <line>` and `       | ^~~~` for columns [c0, c1) of a line. */
static void put_source(ml_buf *out, const ml_loc *l, const ml_report_opts *o)
{
    if (!l->file || l->line == 0)
        return;
    size_t len = 0;
    const char *s = ml_file_line((ml_file *)l->file, l->line, &len);
    if (!s)
        return;

    uint32_t c0 = l->col > 0 ? l->col : 1;
    uint32_t c1 = (l->end_line == l->line && l->end_col > c0) ? l->end_col : 0; /* 0: end of line */
    if (l->end_line == l->line && l->end_col <= c0)
        c1 = c0 + 1;

    /* A start past the end of the line is shown at its end. */
    uint32_t ncols = 0;
    for (size_t i = 0; i < len; i++)
        if (!is_cont((unsigned char)s[i]))
            ncols++;
    if (c0 > ncols + 1) {
        c0 = ncols + 1;
        c1 = 0;
    }

    /* A long line is cut to a window that keeps the caret in view. */
    uint32_t first = 1;
    if (c0 > LEAD_CONTEXT + MAX_SHOWN_UNITS / 2)
        first = c0 - LEAD_CONTEXT;

    ml_buf line;
    ml_buf_init(&line);
    unsigned width = 0, caret0 = 0, caret1 = 0;
    bool have0 = false, have1 = false, cut = false;
    if (first > 1) {
        ml_buf_puts(&line, "...");
        width = 3;
    }

    uint32_t col = 1;
    size_t i = 0;
    while (i < len && is_cont((unsigned char)s[i]))
        i++; /* continuation bytes before any lead: source.c counts no column for them */
    while (i < len) {
        size_t j = i + 1;
        while (j < len && is_cont((unsigned char)s[j]))
            j++;
        if (col >= first) {
            if (col - first >= MAX_SHOWN_UNITS) {
                cut = true;
                break;
            }
            if (col == c0) {
                caret0 = width;
                have0 = true;
            }
            if (col == c1) {
                caret1 = width;
                have1 = true;
            }
            if (s[i] == '\t') {
                unsigned to = (width / TABSTOP + 1) * TABSTOP;
                for (; width < to; width++)
                    ml_buf_putc(&line, ' ');
            } else {
                size_t before = line.n;
                ml_text_escape(&line, s + i, j - i);
                width += text_width(line.s + before, line.n - before);
            }
        }
        i = j;
        col++;
    }
    if (cut) {
        ml_buf_puts(&line, "...");
    }
    if (!have0)
        caret0 = width; /* at (or past) the end of the line */
    if (!have1 || caret1 <= caret0)
        caret1 = have1 ? caret0 + 1 : (width > caret0 ? width : caret0 + 1);

    ml_buf_printf(out, "%5u | ", (unsigned)l->line);
    ml_buf_add(out, line.s ? line.s : "", line.n);
    ml_buf_puts(out, "\n      | ");
    for (unsigned k = 0; k < caret0; k++)
        ml_buf_putc(out, ' ');
    on(out, o, C_GREEN);
    ml_buf_putc(out, '^');
    for (unsigned k = caret0 + 1; k < caret1; k++)
        ml_buf_putc(out, '~');
    off(out, o);
    ml_buf_putc(out, '\n');
    ml_buf_free(&line);
}

/* `  help: text`, with the text's own line breaks kept as indented lines. */
static void put_block(ml_buf *out, const char *label, const char *text, const ml_report_opts *o)
{
    ml_buf_puts(out, "  ");
    on(out, o, C_BOLD);
    ml_buf_puts(out, label);
    off(out, o);
    ml_buf_putc(out, ' ');
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t start = out->n;
        ml_text_escape(out, p, n);
        for (size_t i = start; i < out->n; i++)
            if (out->s[i] == '\t')
                out->s[i] = ' ';
        ml_buf_putc(out, '\n');
        if (!nl)
            break;
        p = nl + 1;
        if (*p == '\0')
            break;
        ml_buf_puts(out, "        ");
    }
}

static void put_count(ml_buf *out, bool *first, size_t n, const char *word)
{
    if (n == 0)
        return;
    ml_buf_printf(out, "%s%zu %s%s", *first ? "" : ", ", n, word, n == 1 ? "" : "s");
    *first = false;
}

void ml_report_text(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    size_t counts[4] = {0, 0, 0, 0}, suppressed = 0;
    ML_VEC_EACH(const ml_diag *, d, diags) {
        if (d->suppressed) {
            suppressed++;
            continue;
        }
        ml_level lv = ml_report_level(d);
        counts[lv]++;

        put_where(out, &d->loc, o);
        ml_buf_putc(out, ' ');
        on(out, o, level_color(lv));
        ml_buf_printf(out, "%s:", ml_level_name(lv));
        off(out, o);
        ml_buf_putc(out, ' ');
        ml_text_escape_line(out, d->message);
        if (d->rule) {
            ml_buf_puts(out, " [");
            ml_text_escape_line(out, d->rule->id);
            if (d->rule->name) {
                ml_buf_putc(out, ' ');
                ml_text_escape_line(out, d->rule->name);
            }
            ml_buf_putc(out, ']');
        }
        ml_buf_putc(out, '\n');
        if (!o->quiet)
            put_source(out, &d->loc, o);

        for (size_t k = 0; k < d->nrelated; k++) {
            const ml_related *r = &d->related[k];
            ml_buf_puts(out, "  ");
            put_where(out, &r->loc, o);
            ml_buf_putc(out, ' ');
            on(out, o, C_CYAN);
            ml_buf_puts(out, "note:");
            off(out, o);
            ml_buf_putc(out, ' ');
            ml_text_escape_line(out, r->message);
            ml_buf_putc(out, '\n');
        }
        if (o->quiet)
            continue; /* -q: no help or fix lines (man meshlint) */
        const char *help = d->help ? d->help : d->rule ? d->rule->remediation : NULL;
        if (help && *help)
            put_block(out, "help:", help, o);
        if (d->fix && d->fix->description && *d->fix->description)
            put_block(out, "fix:", d->fix->description, o);
    }
    if (o->quiet)
        return;
    bool first = true;
    put_count(out, &first, counts[ML_LEVEL_ERROR], "error");
    put_count(out, &first, counts[ML_LEVEL_WARNING], "warning");
    put_count(out, &first, counts[ML_LEVEL_NOTE], "note");
    if (first)
        ml_buf_puts(out, "no findings");
    if (suppressed)
        ml_buf_printf(out, " (%zu suppressed)", suppressed);
    ml_buf_putc(out, '\n');
}
