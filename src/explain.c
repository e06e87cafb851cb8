/*
 * explain.c - rule documentation from rule metadata.
 *
 * --explain prints it as plain text; --print-rules-man prints it as roff for
 * man/meshlint-rules.7 (regenerated with `make man`, and a test fails when
 * the committed page differs). One source, so the two cannot drift apart.
 */
#include "meshlint/explain.h"

#include <string.h>

#include "meshlint/version.h"

static void indent_block(ml_buf *out, const char *text, const char *prefix)
{
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n)
            ml_buf_puts(out, prefix);
        ml_buf_add(out, p, n);
        ml_buf_putc(out, '\n');
        if (!e)
            break;
        p = e + 1;
    }
}

void ml_explain_text(ml_buf *out, const ml_rule *r)
{
    ml_buf_printf(out, "%s %s\n", r->id, r->name);
    ml_buf_printf(out, "Level: %s\n", ml_level_name(r->level));
    if (r->tags && *r->tags)
        ml_buf_printf(out, "Tags: %s\n", r->tags);
    if (r->istio_code)
        ml_buf_printf(out, "Istio analyzer: %s\n", r->istio_code);
    if (r->security_severity > 0)
        ml_buf_printf(out, "Security severity: %.1f\n", r->security_severity);
    if (r->settings)
        ml_buf_printf(out, "Settings: %s\n", r->settings);
    ml_buf_printf(out, "\n%s.\n\n", r->summary);
    ml_buf_printf(out, "%s\n", r->description);
    ml_buf_printf(out, "\nFix:\n");
    indent_block(out, r->remediation, "    ");
    if (r->example_bad) {
        ml_buf_puts(out, "\nFails:\n");
        indent_block(out, r->example_bad, "    ");
    }
    if (r->example_good) {
        ml_buf_puts(out, "\nPasses:\n");
        indent_block(out, r->example_good, "    ");
    }
}

/* One roff word: backslashes escaped (and hyphens in literal text). */
static void roff_word(ml_buf *out, const char *p, size_t n, bool literal)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0xC2 && c <= 0xF4) {
            /* non-ASCII as a roff character escape: the page stays ASCII,
             * and line lengths are what mandoc measures */
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
            bool ok = i + len <= n;
            for (size_t k = 1; ok && k < len; k++) {
                unsigned char cc = (unsigned char)p[i + k];
                ok = (cc & 0xC0) == 0x80;
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (ok) {
                ml_buf_printf(out, "\\[u%04X]", (unsigned)cp);
                i += len - 1;
                continue;
            }
        }
        if (p[i] == '\\')
            ml_buf_puts(out, "\\e");
        else if (p[i] == '-' && literal)
            ml_buf_puts(out, "\\-");
        else
            ml_buf_putc(out, p[i]);
    }
}

/* A paragraph's line of filled text: one sentence per input line (the roff
 * convention, so that sentences get their spacing) and no line longer than
 * 80 bytes where a space allows a break (mandoc -Tlint). No output line
 * starts with a control character. */
#define ROFF_WIDTH 80
static void roff_fill(ml_buf *out, const char *p, size_t n)
{
    size_t col = 0, i = 0;
    while (i < n) {
        while (i < n && p[i] == ' ')
            i++;
        size_t s = i;
        while (i < n && p[i] != ' ')
            i++;
        if (i == s)
            break;
        ml_buf word;
        ml_buf_init(&word);
        roff_word(&word, p + s, i - s, false);
        size_t w = word.n;
        if (col && col + 1 + w > ROFF_WIDTH) {
            ml_buf_putc(out, '\n');
            col = 0;
        }
        if (col) {
            ml_buf_putc(out, ' ');
            col++;
        }
        if (col == 0 && (p[s] == '.' || p[s] == '\''))
            ml_buf_puts(out, "\\&");
        ml_buf_add(out, word.s, w);
        ml_buf_free(&word);
        col += w;
        /* a sentence ends here when the next word starts one */
        char last = p[i - 1];
        size_t j = i;
        while (j < n && p[j] == ' ')
            j++;
        if ((last == '.' || last == '?' || last == '!' || last == ':') && j < n &&
            ((p[j] >= 'A' && p[j] <= 'Z') || (p[j] >= '0' && p[j] <= '9')) && w > 2) {
            ml_buf_putc(out, '\n');
            col = 0;
        }
    }
    if (col)
        ml_buf_putc(out, '\n');
}

/* roff-safe text: backslashes escaped, no line may start with a control
 * character; filled text is wrapped (roff_fill), literal text kept as is. */
static void roff_text(ml_buf *out, const char *text, bool literal)
{
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 && !literal) {
            ml_buf_puts(out, ".PP\n");
        } else if (!literal) {
            roff_fill(out, p, n);
        } else {
            if (n && (p[0] == '.' || p[0] == '\''))
                ml_buf_puts(out, "\\&");
            roff_word(out, p, n, true);
            ml_buf_putc(out, '\n');
        }
        if (!e)
            break;
        p = e + 1;
    }
}

static void roff_example(ml_buf *out, const char *title, const char *text)
{
    ml_buf_printf(out, ".PP\n.B %s\n.RS\n.nf\n", title);
    roff_text(out, text, true);
    ml_buf_puts(out, ".fi\n.RE\n");
}

void ml_explain_man(ml_buf *out)
{
    ml_buf_puts(out, ".\\\" Generated by meshlint --print-rules-man (make man): do not edit.\n");
    ml_buf_printf(out, ".TH MESHLINT-RULES 7 2026-11-26 \"meshlint %s\" \"Miscellaneous Information Manual\"\n", ML_VERSION);
    ml_buf_puts(out, ".SH NAME\nmeshlint-rules \\- the checks of meshlint\n");
    ml_buf_puts(out, ".SH DESCRIPTION\n");
    roff_text(out,
              "Every rule has an id (ML followed by three digits) and a kebab-case name; "
              "either selects it in meshlint(1) flags and in meshlint.yaml(5). "
              "Ids never change meaning once released. "
              "Families: 0xx input and model, 1xx transport security, 2xx resilience, "
              "3xx traffic and canary, 4xx probes and lifecycle, 5xx authorization, "
              "6xx observability and proxy resources.",
              false);
    ml_buf_puts(out, ".PP\nThe text of each entry is also printed by\n.B meshlint \\-\\-explain\n.IR ID .\n"
                     ".SH RULES\n");
    for (size_t i = 0; i < ml_rules_count; i++) {
        const ml_rule *r = ml_rules[i];
        ml_buf_printf(out, ".SS %s %s\n", r->id, r->name);
        ml_buf head;
        ml_buf_init(&head);
        ml_buf_printf(&head, "Level: %s.", ml_level_name(r->level));
        if (r->tags && *r->tags)
            ml_buf_printf(&head, " Tags: %s.", r->tags);
        if (r->istio_code)
            ml_buf_printf(&head, " Istio analyzer: %s.", r->istio_code);
        if (r->security_severity > 0)
            ml_buf_printf(&head, " Security severity: %.1f.", r->security_severity);
        if (r->settings)
            ml_buf_printf(&head, " Settings: %s.", r->settings);
        roff_fill(out, head.s, head.n);
        ml_buf_free(&head);
        ml_buf_puts(out, ".PP\n");
        ml_buf_printf(&head, "%s.", r->summary);
        roff_fill(out, head.s, head.n);
        ml_buf_free(&head);
        ml_buf_puts(out, ".PP\n");
        roff_text(out, r->description, false);
        ml_buf_puts(out, ".PP\n.B Fix:\n");
        roff_text(out, r->remediation, false);
        if (r->example_bad)
            roff_example(out, "Fails:", r->example_bad);
        if (r->example_good)
            roff_example(out, "Passes:", r->example_good);
    }
    ml_buf_puts(out, ".SH SEE ALSO\n.BR meshlint (1),\n.BR meshlint.yaml (5)\n");
}
