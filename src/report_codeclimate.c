/*
 * report_codeclimate.c - GitLab Code Quality (Code Climate) JSON.
 *
 * GitLab's merge-request widget reads a JSON array of issues, each with a
 * description, a check name, a fingerprint that must be unique and stable
 * across runs (it is how GitLab tells new issues from old ones), a severity
 * and a path with a line range. The engine's fingerprint already has those
 * properties; a finding without one gets a hash of what identifies it.
 * Suppressed findings are left out, as they are from the terminal formats.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"

#include <string.h>

static const char *severity(ml_level l)
{
    return l == ML_LEVEL_ERROR ? "major" : l == ML_LEVEL_WARNING ? "minor" : "info";
}

void ml_report_codeclimate(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    (void)o;
    ml_jw w;
    ml_jw_init(&w, out);
    ml_jw_array(&w);
    ML_VEC_EACH(const ml_diag *, d, diags) {
        if (d->suppressed)
            continue;
        const ml_rule *r = d->rule;
        const char *path = d->loc.file && d->loc.file->path ? d->loc.file->path : ".";
        unsigned begin = d->loc.line > 0 ? d->loc.line : 1;
        unsigned end = d->loc.end_line >= begin ? d->loc.end_line : begin;

        ml_jw_object(&w);
        ml_jw_kstring(&w, "type", "issue");
        ml_jw_kstring(&w, "description", d->message ? d->message : "");
        ml_buf name;
        ml_buf_init(&name);
        ml_buf_printf(&name, "%s%s%s", r && r->id ? r->id : "meshlint", r && r->name ? " " : "",
                      r && r->name ? r->name : "");
        ml_jw_key(&w, "check_name");
        ml_jw_string_n(&w, name.s, name.n);
        ml_buf_free(&name);
        ml_jw_key(&w, "categories");
        ml_jw_array(&w);
        ml_jw_string(&w, r && r->security_severity > 0 ? "Security" : "Bug Risk");
        ml_jw_end_array(&w);
        if (d->fingerprint && *d->fingerprint) {
            ml_jw_kstring(&w, "fingerprint", d->fingerprint);
        } else {
            ml_buf key;
            ml_buf_init(&key);
            ml_buf_printf(&key, "%s|%s|%u|%u|%s", r && r->id ? r->id : "", path, (unsigned)d->loc.line,
                          (unsigned)d->loc.col, d->message ? d->message : "");
            char hex[17];
            snprintf(hex, sizeof hex, "%016llx", (unsigned long long)ml_hash(key.s, key.n));
            ml_buf_free(&key);
            ml_jw_kstring(&w, "fingerprint", hex);
        }
        ml_jw_kstring(&w, "severity", severity(ml_report_level(d)));
        ml_jw_key(&w, "location");
        ml_jw_object(&w);
        ml_jw_kstring(&w, "path", path);
        ml_jw_key(&w, "lines");
        ml_jw_object(&w);
        ml_jw_kint(&w, "begin", begin);
        ml_jw_kint(&w, "end", end);
        ml_jw_end_object(&w);
        ml_jw_end_object(&w);
        ml_jw_end_object(&w);
    }
    ml_jw_end_array(&w);
    ml_buf_putc(out, '\n');
}
