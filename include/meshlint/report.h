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
/* Terminal-safe text: control characters (and ESC) become \xNN or ^X;
 * invalid UTF-8 bytes become \xNN. */
void ml_text_escape(ml_buf *out, const char *s, size_t n);

#endif
