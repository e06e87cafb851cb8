/*
 * report.h - the output formats.
 *
 * Every reporter prints the same sorted list of findings; suppressed findings
 * are counted in text output and carried with a suppressions entry in SARIF
 * and JSON. Text from the input is escaped for the destination: control
 * characters never reach a terminal raw, and JSON/SARIF are valid UTF-8.
 */
#ifndef MESHLINT_REPORT_H
#define MESHLINT_REPORT_H

#include <stdio.h>

#include "meshlint/base.h"
#include "meshlint/diag.h"

typedef struct ml_report_opts {
    bool color;
    bool quiet;          /* text: no summary, no source lines */
    const char *tool_version;
} ml_report_opts;

void ml_report_text(ml_buf *out, const ml_vec *diags, const ml_report_opts *o);
void ml_report_gcc(ml_buf *out, const ml_vec *diags, const ml_report_opts *o);
void ml_report_json(ml_buf *out, const ml_vec *diags, const ml_report_opts *o);
void ml_report_sarif(ml_buf *out, const ml_vec *diags, const ml_report_opts *o);
void ml_report_github(ml_buf *out, const ml_vec *diags, const ml_report_opts *o);
void ml_report_codeclimate(ml_buf *out, const ml_vec *diags, const ml_report_opts *o);

/* Escaping used by every reporter (exposed for the unit tests). */
/* JSON string body: escapes quotes, backslash, controls; invalid UTF-8 -> U+FFFD. */
void ml_json_escape(ml_buf *out, const char *s, size_t n);
/* Terminal-safe text: C0 controls other than tab (ESC included) and DEL
 * become \xNN, as does every byte of invalid UTF-8; C1 controls and the
 * invisible bidirectional-override and line-separator characters become
 * \u{NNNN}. Tab is kept (callers expand or replace it). */
void ml_text_escape(ml_buf *out, const char *s, size_t n);

/* The level a finding is reported at: its own, else its rule's default,
 * else warning (never ML_LEVEL_NONE). */
ml_level ml_report_level(const ml_diag *d);
/* ml_text_escape of a NUL-terminated string (NULL writes nothing) with tabs
 * turned into spaces, so that the text stays on one line: gcc and text. */
void ml_text_escape_line(ml_buf *out, const char *s);
/* `path:line:col` as far as it is known (the path escaped), or `meshlint`
 * for a finding without a file: gcc and text. */
void ml_report_put_where(ml_buf *out, const ml_loc *l);
/* The same with the column counted in bytes (gcc format: Vim's %c, Emacs). */
void ml_report_put_where_bytes(ml_buf *out, const ml_loc *l);

/* A small JSON writer shared by the json, sarif and codeclimate reporters:
 * 2-space indentation, keys in the order written, strings through
 * ml_json_escape. Nesting deeper than ML_JW_MAX_DEPTH is not supported (the
 * reporters' structures are fixed and shallow). */
#define ML_JW_MAX_DEPTH 24
typedef struct ml_jw {
    ml_buf *out;
    unsigned depth;
    bool after_key;                 /* a key was written, its value comes next */
    bool nonempty[ML_JW_MAX_DEPTH]; /* the container at this depth has items */
} ml_jw;

void ml_jw_init(ml_jw *w, ml_buf *out);
void ml_jw_object(ml_jw *w);
void ml_jw_array(ml_jw *w);
void ml_jw_end_object(ml_jw *w);
void ml_jw_end_array(ml_jw *w);
void ml_jw_key(ml_jw *w, const char *key);
void ml_jw_string(ml_jw *w, const char *s); /* NULL writes null */
void ml_jw_string_n(ml_jw *w, const char *s, size_t n);
void ml_jw_int(ml_jw *w, long long v);
void ml_jw_bool(ml_jw *w, bool v);
void ml_jw_null(ml_jw *w);
/* key + value in one call */
void ml_jw_kstring(ml_jw *w, const char *key, const char *s);
void ml_jw_kint(ml_jw *w, const char *key, long long v);

#endif
