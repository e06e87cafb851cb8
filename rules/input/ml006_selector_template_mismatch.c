/*
 * ML006 selector-template-mismatch: a controller whose label selector the
 * API server refuses, so the object is never created and none of its pods
 * run. The check replays the API server's own validation on the manifest:
 *
 *   - apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet: spec.selector
 *     is required, may not be empty, and must match the pod template's
 *     labels (matchLabels and matchExpressions alike);
 *   - Job: without manualSelector: true Kubernetes generates the selector
 *     and refuses one written by hand; with it, the selector is required and
 *     must match the template;
 *   - CronJob: the jobTemplate may carry neither a selector nor
 *     manualSelector: true (the selector of each Job is generated).
 *
 * Selectors and labels are compared as the API server compares them: on the
 * template's own labels, before any controller adds pod-template-hash and
 * the like. A selector the analysis cannot evaluate (an unknown operator, a
 * templated value) is left alone.
 */
#include <string.h>

#include "meshlint/rule.h"

#define NEAR_MAX 2
#define MAX_LISTED 4

static bool templated(const char *s)
{
    return s && (strstr(s, "{{") || strstr(s, "${"));
}

/* True when a node or any scalar below it looks like an unrendered
 * template: the real values are not known. */
static bool has_template(const ml_node *n, unsigned depth)
{
    if (!n || depth > 8)
        return false;
    if (ml_is_scalar(n))
        return templated(ml_node_str(n));
    for (size_t i = 0; i < ml_node_n(n); i++) {
        if (n->type == ML_NODE_MAP) {
            if (has_template(&n->kvs[i].key, depth + 1) || has_template(&n->kvs[i].value, depth + 1))
                return true;
        } else if (has_template(&n->elems[i], depth + 1)) {
            return true;
        }
    }
    return false;
}

/* A pod template with containers. Without them the document is a fragment
 * (an overlay of one annotation, a documentation snippet) that the API
 * server would refuse for that reason first; it is not judged. */
static bool full_template(const ml_node *tmpl)
{
    const ml_node *cs = ml_path(tmpl, "spec.containers");
    return ml_is_map(tmpl) && ml_is_seq(cs) && ml_node_n(cs) > 0;
}

/* Present and not null: a `selector:` with no value is no selector. */
static bool given(const ml_node *n)
{
    return n && !ml_is_null(n);
}

/* What a failed requirement asked and what the template has instead. */
typedef struct failure {
    const ml_node *at;   /* the selector entry */
    const char *wanted;  /* "app=orders", "tier in (a,b)" */
    const char *have;    /* "app=order", "no tier label" */
} failure;

typedef struct eval {
    ml_arena *a;
    const ml_node *labels; /* the template's labels (a mapping or NULL) */
    ml_vec failures;       /* failure* */
} eval;

/* What the template says about key: "key=value", or "no key label" with a
 * near key when there is one (a typo in either place). */
static const char *have_text(ml_arena *a, const ml_node *labels, const char *key)
{
    const char *v = ml_label(labels, key);
    if (v)
        return ml_printf(a, "%s=%s", key, v);
    const char *near = NULL;
    unsigned best = NEAR_MAX + 1;
    for (size_t i = 0; labels && ml_is_map(labels) && i < ml_node_n(labels); i++) {
        const char *k = ml_str(&labels->kvs[i].key);
        if (!k)
            continue;
        unsigned d = ml_edit_distance(key, k, NEAR_MAX);
        if (d < best && d < strlen(key)) {
            best = d;
            near = k;
        }
    }
    if (near)
        return ml_printf(a, "no %s label (it has %s=%s)", key, near,
                         ml_label(labels, near) ? ml_label(labels, near) : "");
    return ml_printf(a, "no %s label", key);
}

static void fail(eval *ev, const ml_node *at, const char *wanted, const char *key)
{
    failure *f = ml_zalloc(ev->a, sizeof *f);
    f->at = at;
    f->wanted = wanted;
    f->have = have_text(ev->a, ev->labels, key);
    ml_vec_push(ev->a, &ev->failures, f);
}

static void eval_match_labels(eval *ev, const ml_node *ml)
{
    for (size_t i = 0; ml_is_map(ml) && i < ml_node_n(ml); i++) {
        const char *k = ml_str_nonnull(&ml->kvs[i].key);
        const char *v = ml_str(&ml->kvs[i].value);
        if (!k || !v || !ml_is_scalar(&ml->kvs[i].value))
            continue; /* a non-string value is ML002's finding */
        const char *have = ml_label(ev->labels, k);
        if (!have || strcmp(have, v) != 0)
            fail(ev, &ml->kvs[i].value, ml_printf(ev->a, "%s=%s", k, v), k);
    }
}

/* "(a,b)" for the values of an expression, or NULL when one is no scalar. */
static const char *values_text(ml_arena *a, const ml_node *vals)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_putc(&b, '(');
    for (size_t i = 0; i < ml_node_n(vals); i++) {
        const char *s = ml_str_nonnull(&vals->elems[i]);
        if (!s) {
            ml_buf_free(&b);
            return NULL;
        }
        ml_buf_printf(&b, "%s%s", i ? "," : "", s);
    }
    ml_buf_putc(&b, ')');
    const char *out = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return out;
}

static bool in_values(const ml_node *vals, const char *v)
{
    for (size_t i = 0; v && i < ml_node_n(vals); i++)
        if (ml_streq(ml_str_nonnull(&vals->elems[i]), v))
            return true;
    return false;
}

/* One matchExpressions requirement against the template's labels, with the
 * semantics of metav1.LabelSelector. A requirement the API server would
 * refuse on its own (In without values, an unknown operator) is not
 * judged: that is another error, not this one. */
static void eval_expression(eval *ev, const ml_node *e)
{
    const char *key = ml_str_nonnull(ml_get(e, "key"));
    const char *op = ml_str_nonnull(ml_get(e, "operator"));
    const ml_node *vals = ml_get(e, "values");
    if (!ml_is_map(e) || !key || !op || (given(vals) && !ml_is_seq(vals)))
        return;
    size_t nvals = ml_is_seq(vals) ? ml_node_n(vals) : 0;
    const char *have = ml_label(ev->labels, key);
    bool in = !strcmp(op, "In"), notin = !strcmp(op, "NotIn");
    if (in || notin) {
        const char *vt = nvals ? values_text(ev->a, vals) : NULL;
        if (!vt)
            return;
        bool member = have && in_values(vals, have);
        if (in ? member : !member)
            return;
        fail(ev, e, ml_printf(ev->a, "%s %s %s", key, in ? "in" : "notin", vt), key);
        return;
    }
    bool exists = !strcmp(op, "Exists"), absent = !strcmp(op, "DoesNotExist");
    if ((!exists && !absent) || nvals)
        return;
    if (exists == (have != NULL))
        return;
    fail(ev, e, ml_printf(ev->a, exists ? "a %s label" : "no %s label", key), key);
}

/* Unknown requirements are skipped: the others still decide. */
static void eval_expressions(eval *ev, const ml_node *exprs)
{
    for (size_t i = 0; ml_is_seq(exprs) && i < ml_node_n(exprs); i++)
        eval_expression(ev, &exprs->elems[i]);
}

/* "a, b and c" of the failures' wanted (or have) texts. */
static const char *join_failures(ml_arena *a, const ml_vec *fs, bool have)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t n = fs->n < MAX_LISTED ? fs->n : MAX_LISTED;
    for (size_t i = 0; i < n; i++) {
        const failure *f = fs->items[i];
        const char *sep = i == 0 ? "" : (i + 1 == n && fs->n <= MAX_LISTED) ? " and " : ", ";
        ml_buf_printf(&b, "%s%s", sep, have ? f->have : f->wanted);
    }
    if (fs->n > MAX_LISTED)
        ml_buf_printf(&b, " and %zu more", fs->n - MAX_LISTED);
    const char *out = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return out;
}

/* The API server's own word for the kind (ReplicaSet reuses Deployment's). */
static const char *lower_kind(const ml_resource *r)
{
    switch (r->kind) {
    case ML_K_STATEFULSET:
        return "statefulset";
    case ML_K_DAEMONSET:
        return "daemonset";
    default:
        return "deployment";
    }
}

/* The selector of an apps/v1 controller (or a Job with manualSelector)
 * against its template. sel is a mapping. */
static void check_match(ml_ctx *ctx, const ml_resource *r, const ml_pair *selp, const ml_node *tmpl, bool job)
{
    ml_arena *a = ctx->arena;
    const ml_node *sel = &selp->value;
    const ml_node *ml = ml_get(sel, "matchLabels");
    const ml_node *exprs = ml_get(sel, "matchExpressions");
    if ((given(ml) && !ml_is_map(ml)) || (given(exprs) && !ml_is_seq(exprs)))
        return; /* a shape problem: ML002 */
    const ml_node *meta = ml_get(tmpl, "metadata");
    const ml_node *labels = ml_get(meta, "labels");
    if (given(labels) && !ml_is_map(labels))
        return;
    if (has_template(sel, 0) || has_template(labels, 0))
        return;
    size_t nreq = (ml_is_map(ml) ? ml_node_n(ml) : 0) + (ml_is_seq(exprs) ? ml_node_n(exprs) : 0);
    const char *what; /* the name, made for a finding only */
    if (nreq == 0) {
        if (job)
            return; /* an empty manual selector matches every pod, the template's too */
        what = ml_res_display(a, r);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&selp->key),
                               "the selector of %s has no matchLabels and no matchExpressions: the API server "
                               "rejects it (empty selector is invalid for %s), so none of its pods are created",
                               what, lower_kind(r));
        if (ml_is_map(labels) && ml_node_n(labels))
            ml_note(ctx, d, ml_node_loc(labels), "the pod template's labels");
        ml_help(ctx, d, "select the pods by labels the template carries, e.g. selector.matchLabels.app");
        return;
    }

    eval ev = {.a = a, .labels = ml_is_map(labels) ? labels : NULL};
    eval_match_labels(&ev, ml);
    eval_expressions(&ev, exprs);
    if (ev.failures.n == 0)
        return;
    what = ml_res_display(a, r);
    const failure *first = ev.failures.items[0];
    bool has_labels = ev.labels && ml_node_n(ev.labels);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(first->at),
                           "the selector of %s requires %s, but its pod template has %s: the API server rejects "
                           "the %s (`selector` does not match template `labels`), so none of its pods are created",
                           what, join_failures(a, &ev.failures, false),
                           has_labels ? join_failures(a, &ev.failures, true) : "no labels", r->kind_str);
    if (has_labels) {
        ml_note(ctx, d, ml_node_loc(ev.labels), "the pod template's labels");
    } else {
        const ml_pair *mp = ml_get_pair(tmpl, "metadata");
        ml_note(ctx, d, ml_node_loc(mp ? &mp->key : &ml_get_pair(r->spec, "template")->key), "the pod template");
    }
    ml_help(ctx, d,
            "make the template's labels a superset of the selector (add or correct the label%s in "
            "spec.template.metadata.labels), or change the selector%s",
            ev.failures.n == 1 ? "" : "s",
            " (a selector cannot be changed once the object exists: delete and recreate it)");
}

/* The labels a missing selector should select: the conventional identity
 * labels when the template has them (a version label in an immutable
 * selector would block every later upgrade), else all of them. */
static bool identity_key(const char *k)
{
    static const char *const keys[] = {"app", "app.kubernetes.io/name", "app.kubernetes.io/instance",
                                       "k8s-app", "name", NULL};
    for (size_t i = 0; keys[i]; i++)
        if (!strcmp(k, keys[i]))
            return true;
    return false;
}

/* Source text of a one-line scalar, or NULL. */
static const char *scalar_src(ml_arena *a, const ml_node *n)
{
    if (!ml_is_scalar(n) || n->style == ML_SCALAR_BLOCK || !ml_node_file(n) || n->end_off <= n->off ||
        n->end_off > ml_node_file(n)->len || ml_node_loc(n).line != ml_node_loc(n).end_line)
        return NULL;
    const char *s = ml_node_file(n)->data + n->off;
    size_t len = n->end_off - n->off;
    if (memchr(s, '\n', len) || memchr(s, '\0', len))
        return NULL;
    return ml_strndup(a, s, len);
}

/* Insert "selector: matchLabels: ..." before the template key, as block
 * YAML at the template's own indentation. Only for a plain block-style key
 * in a YAML file, with labels that are one-line scalars. */
static void add_selector_fix(ml_ctx *ctx, ml_diag *d, const ml_pair *tp, const ml_node *labels)
{
    ml_arena *a = ctx->arena;
    const ml_node *key = &tp->key;
    const ml_file *f = key ? ml_node_file(key) : NULL;
    if (!f || f->type != ML_FILE_YAML || key->style != ML_SCALAR_PLAIN || !ml_is_map(labels) || !ml_node_n(labels))
        return;
    uint32_t off = key->off, bol = off;
    while (bol > 0 && f->data[bol - 1] == ' ')
        bol--;
    if (bol > 0 && f->data[bol - 1] != '\n')
        return; /* not the first thing on its line (a flow mapping, "- template:") */
    size_t indent = off - bol;
    bool any_identity = false;
    for (size_t i = 0; i < ml_node_n(labels); i++)
        any_identity |= ml_str(&labels->kvs[i].key) && identity_key(ml_str(&labels->kvs[i].key));
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_printf(&b, "selector:\n%*smatchLabels:\n", (int)indent + 2, "");
    size_t n = 0;
    for (size_t i = 0; i < ml_node_n(labels); i++) {
        const char *k = ml_str(&labels->kvs[i].key);
        if (!k || (any_identity && !identity_key(k)))
            continue;
        const char *ks = scalar_src(a, &labels->kvs[i].key), *vs = scalar_src(a, &labels->kvs[i].value);
        if (!ks || !vs) {
            ml_buf_free(&b);
            return;
        }
        ml_buf_printf(&b, "%*s%s: %s\n", (int)indent + 4, "", ks, vs);
        n++;
    }
    ml_buf_printf(&b, "%*s", (int)indent, "");
    ml_loc at = ml_node_loc(key);
    at.end_off = at.off;
    at.end_line = at.line;
    at.end_col = at.col;
    if (n)
        ml_add_fix(ctx, d, "add spec.selector.matchLabels with the template's labels", at,
                   ml_strndup(a, b.s, b.n));
    ml_buf_free(&b);
}

static void check_apps(ml_ctx *ctx, const ml_resource *r)
{
    const ml_pair *tp = ml_get_pair(r->spec, "template");
    if (!tp || !full_template(&tp->value))
        return; /* a fragment, or another error */
    const ml_pair *selp = ml_get_pair(r->spec, "selector");
    if (selp && given(&selp->value)) {
        if (ml_is_map(&selp->value))
            check_match(ctx, r, selp, &tp->value, false);
        return;
    }
    const ml_node *labels = ml_path(&tp->value, "metadata.labels");
    const ml_pair *specp = ml_get_pair(r->root, "spec");
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(selp ? &selp->key : specp ? &specp->key : NULL),
                           "%s has no spec.selector, which %s requires (it is not taken from the template's "
                           "labels): the API server rejects the %s (spec.selector: Required value), so none of "
                           "its pods are created",
                           ml_res_display(ctx->arena, r), r->api_version ? r->api_version : "apps/v1", r->kind_str);
    if (ml_is_map(labels) && ml_node_n(labels))
        ml_note(ctx, d, ml_node_loc(labels), "the pod template's labels, which the selector should match");
    ml_help(ctx, d, "add spec.selector.matchLabels with the labels that identify the pods (e.g. app), all of "
                    "which the template carries");
    if (!selp && ml_is_map(labels) && !has_template(labels, 0))
        add_selector_fix(ctx, d, tp, labels); /* with a `selector:` key, a second one would be a duplicate */
}

/* The selector keys Kubernetes generates for a Job (a selector that names
 * only these, with the Job's own name, is accepted without manualSelector). */
static bool generated_only(const ml_node *sel, const char *name)
{
    const ml_node *ml = ml_get(sel, "matchLabels");
    const ml_node *ex = ml_get(sel, "matchExpressions");
    if (ml_is_seq(ex) && ml_node_n(ex))
        return false;
    for (size_t i = 0; ml_is_map(ml) && i < ml_node_n(ml); i++) {
        const char *k = ml_str(&ml->kvs[i].key), *v = ml_str(&ml->kvs[i].value);
        if (!k || !v)
            return true; /* unknown: stay silent */
        if (!strcmp(k, "controller-uid") || !strcmp(k, "batch.kubernetes.io/controller-uid"))
            continue;
        if ((!strcmp(k, "job-name") || !strcmp(k, "batch.kubernetes.io/job-name")) && !strcmp(v, name))
            continue;
        return false;
    }
    return true;
}

static void check_job(ml_ctx *ctx, const ml_resource *r)
{
    const ml_pair *tp = ml_get_pair(r->spec, "template");
    if (!tp || !full_template(&tp->value))
        return;
    const ml_pair *mp = ml_get_pair(r->spec, "manualSelector");
    bool manual = false;
    if (mp && given(&mp->value) && !ml_bool(&mp->value, &manual))
        return; /* not a boolean: ML002's business */
    const ml_pair *selp = ml_get_pair(r->spec, "selector");
    const char *what = ml_res_display(ctx->arena, r);
    if (!selp || !given(&selp->value)) {
        if (!manual)
            return; /* the usual case: Kubernetes generates the selector */
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&mp->key),
                               "%s sets manualSelector: true but has no spec.selector: the API server rejects the "
                               "Job (spec.selector: Required value), so it never runs",
                               what);
        ml_help(ctx, d, "remove manualSelector (Kubernetes then generates a selector for the Job's own pods), or "
                        "add a selector that the template's labels match");
        return;
    }
    if (!ml_is_map(&selp->value) || has_template(&selp->value, 0))
        return;
    if (manual) {
        check_match(ctx, r, selp, &tp->value, true);
        return;
    }
    if (generated_only(&selp->value, r->name))
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&selp->key),
                           "%s sets spec.selector without manualSelector: true: Kubernetes generates the selector "
                           "of a Job and rejects one written by hand (`selector` not auto-generated), so the Job "
                           "never runs",
                           what);
    ml_help(ctx, d, "remove spec.selector (the generated one selects exactly this Job's pods), or, to adopt "
                    "existing pods, set manualSelector: true and make the template's labels match the selector");
}

static void check_cronjob(ml_ctx *ctx, const ml_resource *r)
{
    const ml_node *js = ml_path(r->spec, "jobTemplate.spec");
    if (!ml_is_map(js) || !full_template(ml_get(js, "template")))
        return;
    const char *what = ml_res_display(ctx->arena, r);
    const ml_pair *selp = ml_get_pair(js, "selector");
    if (selp && given(&selp->value)) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&selp->key),
                               "%s sets spec.jobTemplate.spec.selector: the selector of every Job a CronJob "
                               "creates is generated, and the API server rejects the CronJob (`selector` will be "
                               "auto-generated), so it never schedules a Job",
                               what);
        ml_help(ctx, d, "remove spec.jobTemplate.spec.selector");
    }
    const ml_pair *mp = ml_get_pair(js, "manualSelector");
    bool manual = false;
    if (mp && ml_bool(&mp->value, &manual) && manual) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&mp->key),
                               "%s sets spec.jobTemplate.spec.manualSelector: true, which the API server does not "
                               "accept in a CronJob (supported values: nil, false), so it never schedules a Job",
                               what);
        ml_help(ctx, d, "remove manualSelector from the jobTemplate");
    }
}

static void check(ml_ctx *ctx)
{
    static const ml_kind kinds[] = {ML_K_DEPLOYMENT, ML_K_STATEFULSET, ML_K_DAEMONSET, ML_K_REPLICASET,
                                    ML_K_JOB, ML_K_CRONJOB};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[kinds[k]]) {
            if (!ml_is_map(r->spec))
                continue;
            if (r->kind == ML_K_JOB)
                check_job(ctx, r);
            else if (r->kind == ML_K_CRONJOB)
                check_cronjob(ctx, r);
            else
                check_apps(ctx, r);
        }
    }
}

const ml_rule ml_rule_ML006 = {
    .id = "ML006",
    .name = "selector-template-mismatch",
    .level = ML_LEVEL_ERROR,
    .summary = "A controller's selector is one the API server rejects, so the object is never created",
    .description = "Every controller finds its pods by a label selector, and the API server checks that "
                   "selector when the object is applied. In apps/v1 a Deployment, StatefulSet, DaemonSet or "
                   "ReplicaSet must have spec.selector (it is no longer taken from the template), the selector "
                   "may not be empty, and it must match the labels of its own pod template, matchLabels and "
                   "matchExpressions alike. A Job's selector is generated by Kubernetes: one written by hand is "
                   "refused unless manualSelector is true, and then it must match the template. A CronJob's "
                   "jobTemplate may carry neither a selector nor manualSelector: true.\n"
                   "\n"
                   "When any of these fails, kubectl apply reports an error such as \"`selector` does not match "
                   "template `labels`\" and the object is not created (or not updated): none of its pods run, "
                   "and every Service, route and policy written for them points at nothing. The usual cause is "
                   "a label renamed in one place only, or a typo.\n"
                   "\n"
                   "The comparison is made on the template's own labels, as the API server makes it; labels a "
                   "controller adds later (pod-template-hash) do not count. A selector with a templated value "
                   "or an operator Kubernetes does not know is not judged, nor is a fragment whose pod "
                   "template has no containers (an overlay that only adds an annotation, say). Pods and Jobs "
                   "without a selector are fine and not reported.",
    .remediation = "Make the pod template's labels a superset of the selector (add or correct the label in "
                   "spec.template.metadata.labels), or change the selector. In apps/v1 add the missing "
                   "spec.selector. Remove a selector from a Job (unless manualSelector: true) or from a "
                   "CronJob's jobTemplate.",
    .tags = "input,kubernetes",
    .istio_code = NULL,
    .precision = "very-high",
    .example_bad = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  selector:\n    matchLabels: {app: orders}\n"
                   "  template:\n    metadata:\n      labels: {app: order}",
    .example_good = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  selector:\n    matchLabels: {app: orders}\n"
                    "  template:\n    metadata:\n      labels: {app: orders, version: v2}",
    .check = check,
};
