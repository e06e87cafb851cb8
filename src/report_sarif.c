/*
 * report_sarif.c - SARIF 2.1.0, for GitHub code scanning and other viewers.
 *
 * One run. The driver lists every rule of the registry (not only those that
 * fired), so a viewer can show the rule set that was applied; each result
 * points at its rule by ruleId and by ruleIndex into that list. Rule
 * descriptors carry what GitHub reads: short/full description, help as text
 * and markdown, a default level, and properties tags, precision,
 * problem.severity and (for security rules only) security-severity as a
 * string.
 *
 * The output depends only on the findings, never on the machine: no
 * timestamps, no absolute working directory. Paths are relative URIs
 * (percent-encoded per RFC 3986) against the base id %SRCROOT%, which a
 * consumer such as GitHub resolves to the checkout; a path that is absolute
 * in the input becomes a file:// URI without a base. Columns count code
 * points, as declared by columnKind. Suppressed findings stay in the log with
 * a suppressions entry ("inSource" for a comment or annotation, "external"
 * for a baseline), so viewers show them as dismissed.
 */
#include "meshlint/report.h"
#include "meshlint/rule.h"
#include "meshlint/version.h"

#include <stdlib.h>
#include <string.h>

#define SRCROOT "%SRCROOT%"

/* ---- the rule list ---------------------------------------------------- */

typedef struct rule_list {
    const ml_rule **r;
    size_t n, cap;
} rule_list;

static void rules_add(rule_list *l, const ml_rule *r)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        const ml_rule **p = realloc(l->r, cap * sizeof *p);
        if (!p)
            abort(); /* out of memory, as ml_alloc does */
        l->r = p;
        l->cap = cap;
    }
    l->r[l->n++] = r;
}

static long rules_index(const rule_list *l, const ml_rule *r)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i] == r)
            return (long)i;
    for (size_t i = 0; i < l->n; i++)
        if (r->id && l->r[i]->id && strcmp(l->r[i]->id, r->id) == 0)
            return (long)i;
    return -1;
}

/* The registry in its order, then any rule a finding names that the
 * registry lacks (so every ruleIndex resolves). */
static void rules_collect(rule_list *l, const ml_vec *diags)
{
    for (size_t i = 0; i < ml_rules_count; i++)
        if (ml_rules[i])
            rules_add(l, ml_rules[i]);
    ML_VEC_EACH(const ml_diag *, d, diags) {
        if (d->rule && rules_index(l, d->rule) < 0)
            rules_add(l, d->rule);
    }
}

/* ---- text helpers ----------------------------------------------------- */

/* s with a final period added when it has no closing punctuation. */
static void sentence(ml_buf *b, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        n--;
    ml_buf_add(b, s, n);
    if (n > 0 && !strchr(".!?", s[n - 1]))
        ml_buf_putc(b, '.');
}

static void kstring_buf(ml_jw *w, const char *key, const ml_buf *b)
{
    ml_jw_key(w, key);
    ml_jw_string_n(w, b->s ? b->s : "", b->n);
}

/* {"text": s} with s made a sentence. */
static void message(ml_jw *w, const char *key, const char *s)
{
    ml_buf b;
    ml_buf_init(&b);
    sentence(&b, s && *s ? s : "(no message)");
    ml_jw_key(w, key);
    ml_jw_object(w);
    kstring_buf(w, "text", &b);
    ml_jw_end_object(w);
    ml_buf_free(&b);
}

static bool is_semver(const char *v)
{
    int dots = 0;
    const char *p = v;
    for (int part = 0; part < 3; part++) {
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
        if (part < 2) {
            if (*p != '.')
                return false;
            p++;
            dots++;
        }
    }
    if (*p == '\0')
        return dots == 2;
    if (*p != '-' && *p != '+')
        return false;
    for (p++; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '.' ||
              *p == '-' || *p == '+'))
            return false;
    return true;
}

/* RFC 3986: keep unreserved characters and '/', percent-encode every other
 * byte (which also keeps a ':' in a first segment from reading as a scheme). */
static void uri_path(ml_buf *b, const char *p)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || c == '/') {
            ml_buf_putc(b, (char)c);
        } else {
            ml_buf_putc(b, '%');
            ml_buf_putc(b, hex[c >> 4]);
            ml_buf_putc(b, hex[c & 15]);
        }
    }
}

static void artifact_location(ml_jw *w, const ml_file *f)
{
    const char *path = f->path ? f->path : "";
    ml_buf uri;
    ml_buf_init(&uri);
    bool absolute = path[0] == '/';
    if (absolute) {
        ml_buf_puts(&uri, "file://");
    } else {
        while (path[0] == '.' && path[1] == '/')
            for (path += 2; *path == '/'; path++)
                ;
    }
    uri_path(&uri, path);
    if (uri.n == 0)
        ml_buf_putc(&uri, '.');
    ml_jw_key(w, "artifactLocation");
    ml_jw_object(w);
    kstring_buf(w, "uri", &uri);
    if (!absolute)
        ml_jw_kstring(w, "uriBaseId", SRCROOT);
    ml_jw_end_object(w);
    ml_buf_free(&uri);
}

/* The members of a region, into an object the caller has opened. A range
 * that ends before it starts is reduced to its start. */
static void region_members(ml_jw *w, const ml_loc *l)
{
    uint32_t col = l->col > 0 ? l->col : 1;
    ml_jw_kint(w, "startLine", l->line);
    ml_jw_kint(w, "startColumn", col);
    bool sane = l->end_line > l->line || (l->end_line == l->line && l->end_col >= col);
    ml_jw_kint(w, "endLine", sane ? l->end_line : l->line);
    ml_jw_kint(w, "endColumn", sane ? (l->end_col > 0 ? l->end_col : 1) : col);
}

/* GitHub rejects a result without a location and wants a region on each,
 * so a finding about no particular file points at the root itself, and one
 * about a whole file (no line) gets its byte range or the whole file. */
static void physical_location(ml_jw *w, const ml_loc *l)
{
    ml_jw_key(w, "physicalLocation");
    ml_jw_object(w);
    if (!l->file) {
        ml_jw_key(w, "artifactLocation");
        ml_jw_object(w);
        ml_jw_kstring(w, "uri", ".");
        ml_jw_kstring(w, "uriBaseId", SRCROOT);
        ml_jw_end_object(w);
        ml_jw_key(w, "region");
        ml_jw_object(w);
        ml_jw_kint(w, "startLine", 1);
        ml_jw_end_object(w);
        ml_jw_end_object(w);
        return;
    }
    artifact_location(w, l->file);
    ml_jw_key(w, "region");
    ml_jw_object(w);
    if (l->line > 0) {
        region_members(w, l);
    } else if (l->end_off > l->off) {
        ml_jw_kint(w, "byteOffset", l->off);
        ml_jw_kint(w, "byteLength", l->end_off - l->off);
    } else {
        ml_jw_kint(w, "byteOffset", 0);
        ml_jw_kint(w, "byteLength", (long long)l->file->len);
    }
    ml_jw_end_object(w);
    ml_jw_end_object(w);
}

/* ---- rule descriptors ------------------------------------------------- */

/* A rule's help, into b (emptied first): the description, how to fix it,
 * the examples; as plain text, or as Markdown with the examples fenced. */
static void help_body(ml_buf *b, const ml_rule *r, const char *summary, bool markdown)
{
    ml_buf_reset(b);
    sentence(b, r->description && *r->description ? r->description : summary);
    if (r->remediation && *r->remediation) {
        ml_buf_puts(b, markdown ? "\n\n**How to fix:** " : "\n\nHow to fix: ");
        sentence(b, r->remediation);
    }
    if (r->example_bad && *r->example_bad)
        ml_buf_printf(b, markdown ? "\n\n**Fails:**\n\n```\n%s\n```" : "\n\nFails:\n\n%s", r->example_bad);
    if (r->example_good && *r->example_good)
        ml_buf_printf(b, markdown ? "\n\n**Passes:**\n\n```\n%s\n```" : "\n\nPasses:\n\n%s", r->example_good);
}

static void put_rule(ml_jw *w, const ml_rule *r)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_jw_object(w);
    ml_jw_kstring(w, "id", r->id ? r->id : "");
    if (r->name)
        ml_jw_kstring(w, "name", r->name);

    const char *summary = r->summary && *r->summary ? r->summary : r->name ? r->name : r->id;
    sentence(&b, summary);
    ml_jw_key(w, "shortDescription");
    ml_jw_object(w);
    kstring_buf(w, "text", &b);
    ml_jw_end_object(w);

    ml_buf_reset(&b);
    sentence(&b, r->description && *r->description ? r->description : summary);
    ml_jw_key(w, "fullDescription");
    ml_jw_object(w);
    kstring_buf(w, "text", &b);
    ml_jw_end_object(w);

    ml_jw_key(w, "help");
    ml_jw_object(w);
    help_body(&b, r, summary, false);
    kstring_buf(w, "text", &b);
    help_body(&b, r, summary, true);
    kstring_buf(w, "markdown", &b);
    ml_jw_end_object(w);

    ml_jw_key(w, "defaultConfiguration");
    ml_jw_object(w);
    ml_jw_kstring(w, "level", ml_level_name(r->level)); /* "none" for a rule off by default */
    ml_jw_end_object(w);

    ml_jw_key(w, "properties");
    ml_jw_object(w);
    ml_jw_key(w, "tags");
    ml_jw_array(w);
    for (const char *t = r->tags; t && *t;) {
        while (*t == ',' || *t == ' ')
            t++;
        const char *e = t;
        while (*e && *e != ',')
            e++;
        const char *te = e;
        while (te > t && te[-1] == ' ')
            te--;
        if (te > t)
            ml_jw_string_n(w, t, (size_t)(te - t));
        t = e;
    }
    ml_jw_end_array(w);
    if (r->precision)
        ml_jw_kstring(w, "precision", r->precision);
    ml_jw_kstring(w, "problem.severity",
                  r->level == ML_LEVEL_ERROR ? "error" : r->level == ML_LEVEL_WARNING ? "warning" : "recommendation");
    if (r->security_severity > 0) {
        char sev[32];
        snprintf(sev, sizeof sev, "%.1f", r->security_severity > 10 ? 10.0 : r->security_severity);
        ml_jw_kstring(w, "security-severity", sev);
    }
    if (r->istio_code)
        ml_jw_kstring(w, "istio-code", r->istio_code);
    ml_jw_end_object(w);
    ml_jw_end_object(w);
    ml_buf_free(&b);
}

/* ---- results ---------------------------------------------------------- */

static void put_fixes(ml_jw *w, const ml_fix *f)
{
    ml_jw_key(w, "fixes");
    ml_jw_array(w);
    ml_jw_object(w);
    message(w, "description", f->description);
    ml_jw_key(w, "artifactChanges");
    ml_jw_array(w);
    /* one artifactChange per file, in order of first appearance */
    for (size_t i = 0; i < f->n; i++) {
        const ml_file *file = f->repl[i].region.file;
        if (!file)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = f->repl[j].region.file == file;
        if (seen)
            continue;
        ml_jw_object(w);
        artifact_location(w, file);
        ml_jw_key(w, "replacements");
        ml_jw_array(w);
        for (size_t j = i; j < f->n; j++) {
            const ml_replacement *r = &f->repl[j];
            if (r->region.file != file)
                continue;
            ml_jw_object(w);
            ml_jw_key(w, "deletedRegion");
            ml_jw_object(w);
            if (r->region.line > 0) {
                region_members(w, &r->region);
            } else {
                ml_jw_kint(w, "byteOffset", r->region.off);
                ml_jw_kint(w, "byteLength",
                           r->region.end_off >= r->region.off ? r->region.end_off - r->region.off : 0);
            }
            ml_jw_end_object(w);
            ml_jw_key(w, "insertedContent");
            ml_jw_object(w);
            ml_jw_kstring(w, "text", r->text ? r->text : "");
            ml_jw_end_object(w);
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
        ml_jw_end_object(w);
    }
    ml_jw_end_array(w);
    ml_jw_end_object(w);
    ml_jw_end_array(w);
}

/* Link text of an embedded link: no brackets (they would end the link). */
static void link_text(ml_buf *b, const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && strchr(". \t\n", s[n - 1]))
        n--;
    for (size_t i = 0; i < n; i++)
        ml_buf_putc(b, s[i] == '[' ? '(' : s[i] == ']' ? ')' : s[i]);
}

/* A result's message: the finding, then its related places as embedded links
 * "[text](id)" to the relatedLocations ids (code scanning makes them
 * clickable), then the finding's own help line. */
static void result_message(ml_jw *w, const ml_diag *d)
{
    ml_buf b;
    ml_buf_init(&b);
    sentence(&b, d->message && *d->message ? d->message : "(no message)");
    bool first = true;
    for (size_t k = 0; k < d->nrelated; k++) {
        if (!d->related[k].loc.file)
            continue;
        ml_buf_puts(&b, first ? " Related: [" : "; [");
        first = false;
        link_text(&b, d->related[k].message && *d->related[k].message ? d->related[k].message : "related location");
        ml_buf_printf(&b, "](%zu)", k + 1);
    }
    if (!first)
        ml_buf_putc(&b, '.');
    if (d->help && *d->help) {
        ml_buf_puts(&b, " Help: ");
        sentence(&b, d->help);
    }
    ml_jw_key(w, "message");
    ml_jw_object(w);
    kstring_buf(w, "text", &b);
    ml_jw_end_object(w);
    ml_buf_free(&b);
}

static void put_result(ml_jw *w, const ml_diag *d, const rule_list *rules)
{
    ml_jw_object(w);
    if (d->rule) {
        ml_jw_kstring(w, "ruleId", d->rule->id ? d->rule->id : "");
        long idx = rules_index(rules, d->rule);
        if (idx >= 0)
            ml_jw_kint(w, "ruleIndex", idx);
    }
    ml_jw_kstring(w, "level", ml_level_name(ml_report_level(d)));
    result_message(w, d);
    ml_jw_key(w, "locations");
    ml_jw_array(w);
    ml_jw_object(w);
    physical_location(w, &d->loc);
    ml_jw_end_object(w);
    ml_jw_end_array(w);
    bool any_related = false;
    for (size_t k = 0; k < d->nrelated; k++)
        any_related |= d->related[k].loc.file != NULL;
    if (any_related) {
        ml_jw_key(w, "relatedLocations");
        ml_jw_array(w);
        for (size_t k = 0; k < d->nrelated; k++) {
            if (!d->related[k].loc.file)
                continue;
            ml_jw_object(w);
            ml_jw_kint(w, "id", (long long)k + 1);
            physical_location(w, &d->related[k].loc);
            message(w, "message", d->related[k].message);
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
    }
    if (d->fingerprint && *d->fingerprint) {
        ml_jw_key(w, "partialFingerprints");
        ml_jw_object(w);
        ml_jw_kstring(w, "meshlint/v1", d->fingerprint);
        if (d->fingerprint2)
            ml_jw_kstring(w, "meshlint/v2", d->fingerprint2);
        ml_jw_end_object(w);
    }
    if (d->suppressed) {
        ml_jw_key(w, "suppressions");
        ml_jw_array(w);
        ml_jw_object(w);
        ml_jw_kstring(w, "kind", strcmp(d->suppressed, "baseline") == 0 ? "external" : "inSource");
        if (d->suppress_reason && *d->suppress_reason)
            ml_jw_kstring(w, "justification", d->suppress_reason);
        ml_jw_end_object(w);
        ml_jw_end_array(w);
    }
    bool fixable = false; /* SARIF wants at least one artifactChange */
    for (size_t k = 0; d->fix && k < d->fix->n; k++)
        fixable |= d->fix->repl[k].region.file != NULL;
    if (fixable)
        put_fixes(w, d->fix);
    ml_jw_end_object(w);
}

void ml_report_sarif(ml_buf *out, const ml_vec *diags, const ml_report_opts *o)
{
    const char *version = o && o->tool_version ? o->tool_version : ML_VERSION;
    rule_list rules = {NULL, 0, 0};
    rules_collect(&rules, diags);

    ml_jw w;
    ml_jw_init(&w, out);
    ml_jw_object(&w);
    ml_jw_kstring(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    ml_jw_kstring(&w, "version", "2.1.0");
    ml_jw_key(&w, "runs");
    ml_jw_array(&w);
    ml_jw_object(&w);

    ml_jw_key(&w, "tool");
    ml_jw_object(&w);
    ml_jw_key(&w, "driver");
    ml_jw_object(&w);
    ml_jw_kstring(&w, "name", "meshlint");
    ml_jw_kstring(&w, "version", version);
    if (is_semver(version))
        ml_jw_kstring(&w, "semanticVersion", version);
    ml_jw_kstring(&w, "informationUri", ML_INFO_URI);
    ml_jw_key(&w, "rules");
    ml_jw_array(&w);
    for (size_t i = 0; i < rules.n; i++)
        put_rule(&w, rules.r[i]);
    ml_jw_end_array(&w);
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);

    /* The base of every relative uri, left for the consumer to resolve (no
     * absolute path here, so the log is the same on every machine). */
    ml_jw_key(&w, "originalUriBaseIds");
    ml_jw_object(&w);
    ml_jw_key(&w, SRCROOT);
    ml_jw_object(&w);
    message(&w, "description", "The directory meshlint was run in, normally the root of the repository");
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);

    ml_jw_kstring(&w, "columnKind", "unicodeCodePoints");
    ml_jw_key(&w, "results");
    ml_jw_array(&w);
    ML_VEC_EACH(const ml_diag *, d, diags) {
        /* code-scanning upload does not honour suppressions: a suppressed
         * or baselined result would open an alert, so by default it is left
         * out (--sarif-suppressed keep puts it in with its suppression) */
        if (d->suppressed && !(o && o->keep_suppressed))
            continue;
        put_result(&w, d, &rules);
    }
    ml_jw_end_array(&w);

    ml_jw_end_object(&w);
    ml_jw_end_array(&w);
    ml_jw_end_object(&w);
    ml_buf_putc(out, '\n');
    free(rules.r);
}
