/*
 * report_json.c - meshlint's own JSON output (--format json).
 *
 * A stable structure for scripts: keys always appear, in the order below,
 * with null where there is no value; 2-space indentation and a final
 * newline. Suppressed findings are included, with "suppressed" set, so a
 * script can see what was silenced and why. Findings come in meshlint's
 * sorted order (path, line, column, rule). Strings are valid UTF-8: bytes of
 * the input that are not become U+FFFD. A new key may be added in a later
 * release; an existing key is never renamed or given another meaning without
 * raising "version".
 *
 *   {
 *     "version": 1,                      format version of this document
 *     "tool": {"name": "meshlint", "version": "0.1.0"},
 *     "findings": [
 *       {
 *         "ruleId": "ML301",
 *         "ruleName": "unknown-subset",
 *         "level": "error",              "error" | "warning" | "note"
 *         "message": "...",
 *         "location": LOCATION or null,
 *         "related": [ {"message": "...", "location": LOCATION or null} ],
 *         "help": "..." or null,         the finding's help, else the rule's remediation
 *         "fix": null or {
 *           "description": "...",
 *           "replacements": [
 *             {"location": LOCATION + "byteOffset", "byteLength", "text": "..."}
 *           ]
 *         },
 *         "suppressed": null or {
 *           "kind": "comment" | "annotation" | "baseline",
 *           "justification": "..." or null
 *         },
 *         "fingerprint": "..." or null   stable across runs and line moves
 *         "fingerprintV2": "..." or null the same without the path (renames,
 *                                         another working directory)
 *       }
 *     ],
 *     "summary": {"error": N, "warning": N, "note": N, "suppressed": N}
 *   }
 *
 *   LOCATION = {"path": "...", "line": N, "column": N, "endLine": N, "endColumn": N}
 *
 * Lines and columns are 1-based; columns count Unicode code points and
 * endColumn is exclusive (one past the last character). In a replacement's
 * location, byteOffset/byteLength give the same range in bytes of the file.
 * The summary's error/warning/note count unsuppressed findings only;
 * "suppressed" counts the rest.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"
#include "meshlint/version.h"

/* The members of a LOCATION, into an object the caller has opened. */
static void loc_members(ml_jw *w, const ml_loc *l)
{
    ml_jw_kstring(w, "path", l->file->path ? l->file->path : "");
    ml_jw_kint(w, "line", l->line);
    ml_jw_kint(w, "column", l->col);
    ml_jw_kint(w, "endLine", l->end_line);
    ml_jw_kint(w, "endColumn", l->end_col);
}

static void put_loc(ml_jw *w, const char *key, const ml_loc *l)
{
    ml_jw_key(w, key);
    if (!l->file) {
        ml_jw_null(w);
        return;
    }
    ml_jw_object(w);
    loc_members(w, l);
    ml_jw_end_object(w);
}

static void put_fix(ml_jw *w, const ml_fix *f)
{
    ml_jw_key(w, "fix");
    if (!f) {
        ml_jw_null(w);
        return;
    }
    ml_jw_object(w);
    ml_jw_kstring(w, "description", f->description ? f->description : "");
    ml_jw_key(w, "replacements");
    ml_jw_array(w);
    for (size_t i = 0; i < f->n; i++) {
        const ml_replacement *r = &f->repl[i];
        ml_jw_object(w);
        ml_jw_key(w, "location");
        if (!r->region.file) {
            ml_jw_null(w);
        } else {
            ml_jw_object(w);
            loc_members(w, &r->region);
            ml_jw_kint(w, "byteOffset", r->region.off);
            ml_jw_kint(w, "byteLength",
                       r->region.end_off >= r->region.off ? r->region.end_off - r->region.off : 0);
            ml_jw_end_object(w);
        }
        ml_jw_kstring(w, "text", r->text ? r->text : "");
        ml_jw_end_object(w);
    }
    ml_jw_end_array(w);
    ml_jw_end_object(w);
}

void ml_report_json(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    long long counts[4] = {0, 0, 0, 0}, suppressed = 0;
    ml_jw w;
    ml_jw_init(&w, out);
    ml_jw_object(&w);
    ml_jw_kint(&w, "version", 1);
    ml_jw_key(&w, "tool");
    ml_jw_object(&w);
    ml_jw_kstring(&w, "name", "meshlint");
    ml_jw_kstring(&w, "version", o && o->tool_version ? o->tool_version : ML_VERSION);
    ml_jw_end_object(&w);

    ml_jw_key(&w, "findings");
    ml_jw_array(&w);
    ML_VEC_EACH(const ml_diag *, d, diags) {
        ml_level lv = ml_report_level(d);
        if (d->suppressed)
            suppressed++;
        else
            counts[lv]++;
        ml_jw_object(&w);
        ml_jw_kstring(&w, "ruleId", d->rule ? d->rule->id : NULL);
        ml_jw_kstring(&w, "ruleName", d->rule ? d->rule->name : NULL);
        ml_jw_kstring(&w, "level", ml_level_name(lv));
        ml_jw_kstring(&w, "message", d->message ? d->message : "");
        put_loc(&w, "location", &d->loc);
        ml_jw_key(&w, "related");
        ml_jw_array(&w);
        for (size_t k = 0; k < d->nrelated; k++) {
            ml_jw_object(&w);
            ml_jw_kstring(&w, "message", d->related[k].message ? d->related[k].message : "");
            put_loc(&w, "location", &d->related[k].loc);
            ml_jw_end_object(&w);
        }
        ml_jw_end_array(&w);
        const char *help = d->help ? d->help : d->rule ? d->rule->remediation : NULL;
        ml_jw_kstring(&w, "help", help);
        put_fix(&w, d->fix);
        ml_jw_key(&w, "suppressed");
        if (!d->suppressed) {
            ml_jw_null(&w);
        } else {
            ml_jw_object(&w);
            ml_jw_kstring(&w, "kind", d->suppressed);
            ml_jw_kstring(&w, "justification", d->suppress_reason);
            ml_jw_end_object(&w);
        }
        ml_jw_kstring(&w, "fingerprint", d->fingerprint);
        ml_jw_kstring(&w, "fingerprintV2", d->fingerprint2);
        ml_jw_end_object(&w);
    }
    ml_jw_end_array(&w);

    ml_jw_key(&w, "summary");
    ml_jw_object(&w);
    ml_jw_kint(&w, "error", counts[ML_LEVEL_ERROR]);
    ml_jw_kint(&w, "warning", counts[ML_LEVEL_WARNING]);
    ml_jw_kint(&w, "note", counts[ML_LEVEL_NOTE]);
    ml_jw_kint(&w, "suppressed", suppressed);
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);
    ml_buf_putc(out, '\n');
}
