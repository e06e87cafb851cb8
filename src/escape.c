/*
 * escape.c - making input text safe for each destination, and a JSON writer.
 *
 * Everything a finding says may quote the user's files, and those files may
 * hold anything: escape sequences that repaint a terminal, bidirectional
 * overrides, NUL bytes, broken UTF-8. The idea is one strict UTF-8 decoder
 * (Unicode's table of well-formed byte sequences, so overlongs, surrogates,
 * values past U+10FFFF and truncated sequences are all invalid) under two
 * encoders: JSON, where invalid input becomes U+FFFD so the output is always
 * valid UTF-8, and terminal text, where every unprintable byte is shown as an
 * escape and never written raw.
 *
 * The JSON writer below keeps the json, sarif and codeclimate reporters to
 * one layout: 2-space indentation, keys in the order written. The helpers
 * at the end (a finding's level, one-line text and its position) are the
 * rest of what the reporters share.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"

#include <string.h>

#define BAD_CP 0xFFFFFFFFu

/* Decode one code point from s[0..n). Returns the number of bytes used
 * (at least 1). On ill-formed input *cp is BAD_CP and the count is the
 * "maximal subpart": the lead byte plus the continuation bytes that were
 * still acceptable, so one replacement stands for one broken sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* accepted range of the 2nd byte */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* no overlongs */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        *cp = BAD_CP; /* stray continuation byte, C0/C1 overlong lead, F5..FF */
        return 1;
    }
    size_t i;
    for (i = 1; i <= need; i++) {
        if (i >= n) {
            *cp = BAD_CP;
            return i;
        }
        unsigned char b = s[i];
        unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            *cp = BAD_CP;
            return i;
        }
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return i;
}

/* The loop both encoders share: a run of bytes that `plain` passes through
 * is copied at once; anything else is decoded one code point (or one broken
 * sequence, cp == BAD_CP, of k bytes) at a time and handed to `one`. */
static inline void escape_each(ml_buf *out, const char *s, size_t n, bool (*plain)(unsigned char c),
                               void (*one)(ml_buf *out, const unsigned char *raw, size_t k, uint32_t cp))
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && plain(p[j]))
            j++;
        if (j > i) {
            ml_buf_add(out, s + i, j - i);
            i = j;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        one(out, p + i, k, cp);
        i += k;
    }
}

/* ---- JSON ------------------------------------------------------------- */

/* Plain printable ASCII goes through as it is. */
static bool json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

static void json_one(ml_buf *out, const unsigned char *raw, size_t k, uint32_t cp)
{
    switch (cp) {
    case '"': ml_buf_puts(out, "\\\""); break;
    case '\\': ml_buf_puts(out, "\\\\"); break;
    case '\b': ml_buf_puts(out, "\\b"); break;
    case '\f': ml_buf_puts(out, "\\f"); break;
    case '\n': ml_buf_puts(out, "\\n"); break;
    case '\r': ml_buf_puts(out, "\\r"); break;
    case '\t': ml_buf_puts(out, "\\t"); break;
    default:
        if (cp == BAD_CP)
            ml_buf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD */
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
            /* controls, DEL, C1; and the two line separators that
             * JavaScript string literals do not accept raw */
            ml_buf_printf(out, "\\u%04x", (unsigned)cp);
        else
            ml_buf_add(out, (const char *)raw, k);
    }
}

void ml_json_escape(ml_buf *out, const char *s, size_t n)
{
    escape_each(out, s, n, json_plain, json_one);
}

/* ---- terminal text ---------------------------------------------------- */

/* Characters that change how the rest of a line is displayed without being
 * visible themselves (the "Trojan Source" set), plus the Unicode line and
 * paragraph separators. */
static bool invisible_format(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F || cp == 0x061C || cp == 0x2028 || cp == 0x2029;
}

/* Printable ASCII and tab go through as they are. */
static bool text_plain(unsigned char c)
{
    return (c >= 0x20 && c < 0x7F) || c == '\t';
}

static void text_one(ml_buf *out, const unsigned char *raw, size_t k, uint32_t cp)
{
    if (cp == BAD_CP) {
        for (size_t b = 0; b < k; b++)
            ml_buf_printf(out, "\\x%02x", raw[b]);
    } else if (cp < 0x20 || cp == 0x7F) {
        ml_buf_printf(out, "\\x%02x", (unsigned)cp);
    } else if ((cp >= 0x80 && cp <= 0x9F) || invisible_format(cp)) {
        ml_buf_printf(out, "\\u{%04x}", (unsigned)cp);
    } else {
        ml_buf_add(out, (const char *)raw, k);
    }
}

void ml_text_escape(ml_buf *out, const char *s, size_t n)
{
    escape_each(out, s, n, text_plain, text_one);
}

/* ---- JSON writer ------------------------------------------------------ */

void ml_jw_init(ml_jw *w, ml_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* Past the supported depth the layout degrades (commas stay right only
 * within the last tracked level) but nothing is written out of bounds. */
static bool *jw_nonempty(ml_jw *w)
{
    return &w->nonempty[w->depth < ML_JW_MAX_DEPTH ? w->depth : ML_JW_MAX_DEPTH - 1];
}

static void jw_indent(ml_jw *w)
{
    ml_buf_putc(w->out, '\n');
    for (unsigned d = 0; d < w->depth; d++)
        ml_buf_puts(w->out, "  ");
}

/* Separator and indentation before a value (or a key) in the current
 * container; nothing when the value follows its key. */
static void jw_before_item(ml_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (*jw_nonempty(w))
        ml_buf_putc(w->out, ',');
    *jw_nonempty(w) = true;
    jw_indent(w);
}

static void jw_open(ml_jw *w, char c)
{
    jw_before_item(w);
    ml_buf_putc(w->out, c);
    w->depth++;
    *jw_nonempty(w) = false;
}

static void jw_close(ml_jw *w, char c)
{
    bool had = *jw_nonempty(w);
    if (w->depth > 0)
        w->depth--;
    if (had)
        jw_indent(w);
    ml_buf_putc(w->out, c);
}

void ml_jw_object(ml_jw *w) { jw_open(w, '{'); }
void ml_jw_array(ml_jw *w) { jw_open(w, '['); }
void ml_jw_end_object(ml_jw *w) { jw_close(w, '}'); }
void ml_jw_end_array(ml_jw *w) { jw_close(w, ']'); }

void ml_jw_key(ml_jw *w, const char *key)
{
    jw_before_item(w);
    ml_buf_putc(w->out, '"');
    ml_json_escape(w->out, key, strlen(key));
    ml_buf_puts(w->out, "\": ");
    w->after_key = true;
}

void ml_jw_string_n(ml_jw *w, const char *s, size_t n)
{
    jw_before_item(w);
    ml_buf_putc(w->out, '"');
    ml_json_escape(w->out, s, n);
    ml_buf_putc(w->out, '"');
}

void ml_jw_string(ml_jw *w, const char *s)
{
    if (!s)
        ml_jw_null(w);
    else
        ml_jw_string_n(w, s, strlen(s));
}

void ml_jw_int(ml_jw *w, long long v)
{
    jw_before_item(w);
    ml_buf_printf(w->out, "%lld", v);
}

void ml_jw_bool(ml_jw *w, bool v)
{
    jw_before_item(w);
    ml_buf_puts(w->out, v ? "true" : "false");
}

void ml_jw_null(ml_jw *w)
{
    jw_before_item(w);
    ml_buf_puts(w->out, "null");
}

void ml_jw_kstring(ml_jw *w, const char *key, const char *s)
{
    ml_jw_key(w, key);
    ml_jw_string(w, s);
}

void ml_jw_kint(ml_jw *w, const char *key, long long v)
{
    ml_jw_key(w, key);
    ml_jw_int(w, v);
}

/* ---- shared by the reporters ------------------------------------------ */

ml_level ml_report_level(const ml_diag *d)
{
    ml_level l = d->level;
    if ((l < ML_LEVEL_NOTE || l > ML_LEVEL_ERROR) && d->rule)
        l = d->rule->level;
    if (l < ML_LEVEL_NOTE || l > ML_LEVEL_ERROR)
        l = ML_LEVEL_WARNING;
    return l;
}

void ml_text_escape_line(ml_buf *out, const char *s)
{
    if (!s)
        return;
    size_t start = out->n;
    ml_text_escape(out, s, strlen(s));
    for (size_t i = start; i < out->n; i++)
        if (out->s[i] == '\t')
            out->s[i] = ' ';
}

void ml_report_put_where_bytes(ml_buf *out, const ml_loc *l)
{
    ml_loc b = *l;
    b.col = ml_loc_byte_col(l);
    ml_report_put_where(out, &b);
}

void ml_report_put_where(ml_buf *out, const ml_loc *l)
{
    if (l->file && l->file->path) {
        ml_text_escape_line(out, l->file->path);
        if (l->line > 0) {
            ml_buf_printf(out, ":%u", (unsigned)l->line);
            if (l->col > 0)
                ml_buf_printf(out, ":%u", (unsigned)l->col);
        }
    } else {
        ml_buf_puts(out, "meshlint");
    }
}
