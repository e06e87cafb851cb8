/*
 * ML003 duplicate-resource: the same kind/namespace/name defined more than
 * once where the definitions certainly meet, or where alternatives disagree
 * on what decides security.
 *
 * Definitions meet for certain inside one meeting group (model.h, unit.h):
 * the same file, the same kustomize build, the same apply set. There the
 * last one replaces the others when applied: the finding sits on each
 * replaced definition, points at the one that replaces it, and lists what
 * the replaced one carries that the other lacks. Definitions in different
 * groups are alternatives (rollout stages, tutorial steps, environments):
 * they are reported only when they disagree on sidecar injection, mTLS mode
 * or authorization, since then the result depends on which is applied last.
 */
#include <string.h>

#include "meshlint/rule.h"

#define MAX_LISTED 6
/* Values quoted in a message are cut to this many characters. */
#define MAX_QUOTED 40

/* A value as quoted in a one-line message: its first line, cut short. */
static const char *quote(ml_arena *a, const char *v)
{
    size_t n = strcspn(v, "\r\n");
    if (n <= MAX_QUOTED && !v[n])
        return v;
    if (n > MAX_QUOTED - 3)
        n = MAX_QUOTED - 3;
    return ml_printf(a, "%.*s...", (int)n, v);
}

typedef struct diff {
    ml_arena *a;
    ml_vec items; /* const char* */
    size_t total;
} diff;

static void add(diff *df, const char *s)
{
    df->total++;
    if (df->items.n < MAX_LISTED)
        ml_vec_push(df->a, &df->items, (void *)s);
}

static const char *join_path(ml_arena *a, const char *path, const char *key)
{
    return *path ? ml_printf(a, "%s.%s", path, key) : key;
}

/* Record what `lost` has that `won` lacks or holds differently. */
static void compare(diff *df, const char *path, const ml_node *lost, const ml_node *won, unsigned depth)
{
    if (!lost || depth > 12)
        return;
    if (!won) {
        if (ml_is_scalar(lost) && !ml_is_null(lost))
            add(df, ml_printf(df->a, "%s=%s", path, quote(df->a, ml_node_str(lost))));
        else
            add(df, path);
        return;
    }
    if (ml_is_map(lost) && ml_is_map(won)) {
        for (size_t i = 0; i < ml_node_n(lost); i++) {
            const char *k = ml_str(&lost->kvs[i].key);
            if (!k)
                continue;
            if (depth == 0 && (!strcmp(k, "apiVersion") || !strcmp(k, "kind")))
                continue;
            if (depth == 1 && !strcmp(path, "metadata") && (!strcmp(k, "name") || !strcmp(k, "namespace")))
                continue;
            compare(df, join_path(df->a, path, k), &lost->kvs[i].value, ml_get(won, k), depth + 1);
        }
        return;
    }
    if (ml_is_seq(lost) && ml_is_seq(won)) {
        for (size_t i = 0; i < ml_node_n(lost); i++)
            compare(df, ml_printf(df->a, "%s[%zu]", path, i), &lost->elems[i], i < ml_node_n(won) ? &won->elems[i] : NULL,
                    depth + 1);
        return;
    }
    if (ml_is_scalar(lost) && ml_is_scalar(won)) {
        if (strcmp(ml_node_str(lost), ml_node_str(won)) != 0)
            add(df, ml_printf(df->a, "%s=%s (the later one has %s)", path, quote(df->a, ml_node_str(lost)),
                              quote(df->a, ml_node_str(won))));
        return;
    }
    add(df, path);
}

static bool node_equal(const ml_node *x, const ml_node *y, unsigned depth)
{
    if (!x || !y)
        return !x && !y;
    if (depth > 32)
        return true;
    if (ml_is_scalar(x) || ml_is_scalar(y))
        return ml_is_scalar(x) && ml_is_scalar(y) && ml_node_len(x) == ml_node_len(y) && memcmp(ml_node_str(x), ml_node_str(y), ml_node_len(x)) == 0;
    if (x->type != y->type || ml_node_n(x) != ml_node_n(y))
        return false;
    if (ml_is_seq(x)) {
        for (size_t i = 0; i < ml_node_n(x); i++)
            if (!node_equal(&x->elems[i], &y->elems[i], depth + 1))
                return false;
        return true;
    }
    for (size_t i = 0; i < ml_node_n(x); i++) {
        const char *k = ml_str(&x->kvs[i].key);
        if (!k || !node_equal(&x->kvs[i].value, ml_get(y, k), depth + 1))
            return false;
    }
    return true;
}

static const char *group_text(ml_arena *a, const ml_resource *r)
{
    const ml_unit *u = r->doc ? r->doc->unit : NULL;
    if (!u)
        return "later in the same file";
    if (u->kind == ML_UNIT_APPLYSET)
        return ml_printf(a, "later in apply set %s of .meshlint.yaml", u->name);
    return ml_printf(a, "later in the kustomize build of %s", u->name);
}

static void report_replaced(ml_ctx *ctx, ml_resource *lost, const ml_resource *r)
{
    diff df = {.a = ctx->arena}, gained = {.a = ctx->arena};
    compare(&df, "", lost->root, r->root, 0);
    compare(&gained, "", r->root, lost->root, 0);
    ml_buf what;
    ml_buf_init(&what);
    for (size_t i = 0; i < df.items.n; i++)
        ml_buf_printf(&what, "%s%s", i ? ", " : "", (const char *)df.items.items[i]);
    if (df.total > df.items.n)
        ml_buf_printf(&what, " and %zu more", df.total - df.items.n);
    ml_loc at = lost->name_node ? ml_node_loc(lost->name_node) : ml_res_loc(lost);
    ml_loc win = r->name_node ? ml_node_loc(r->name_node) : ml_res_loc(r);
    const char *wpath = win.file ? win.file->path : "?";
    ml_diag *d;
    if (df.total)
        d = ml_report(ctx, ML_LEVEL_NONE, at,
                      "%s is defined again in %s:%u, which replaces this definition when applied; lost with it: %s",
                      ml_res_display(ctx->arena, r), wpath, win.line, what.s);
    else if (gained.total)
        d = ml_report(ctx, ML_LEVEL_NONE, at,
                      "%s is defined again in %s:%u, which replaces this definition when applied and only adds "
                      "to it",
                      ml_res_display(ctx->arena, r), wpath, win.line);
    else
        d = ml_report(ctx, ML_LEVEL_NONE, at, "%s is defined again, identically, in %s:%u",
                      ml_res_display(ctx->arena, r), wpath, win.line);
    ml_note(ctx, d, win, "this definition replaces it (%s, applied after it)", group_text(ctx->arena, r));
    ml_help(ctx, d, "keep one definition of %s: merge what this one carries into the other, or rename one",
            ml_res_display(ctx->arena, r));
    ml_buf_free(&what);
}

/* ---- alternatives: what decides security ------------------------------- */

typedef struct sec_field {
    const char *what; /* as named in the message */
    const ml_node *x, *y;
} sec_field;

static const ml_node *spec_path(const ml_resource *r, const char *p)
{
    return r->spec ? ml_path(r->spec, p) : NULL;
}

/* The first field deciding injection, mTLS or authorization on which the
 * two definitions differ, or false. */
static bool security_diff(const ml_resource *x, const ml_resource *y, sec_field *out)
{
    sec_field f[8];
    size_t n = 0;
    switch (x->kind) {
    case ML_K_NAMESPACE:
        f[n++] = (sec_field){"label istio-injection", ml_get(x->labels, "istio-injection"),
                             ml_get(y->labels, "istio-injection")};
        f[n++] = (sec_field){"label istio.io/rev", ml_get(x->labels, "istio.io/rev"), ml_get(y->labels, "istio.io/rev")};
        f[n++] = (sec_field){"label istio.io/dataplane-mode", ml_get(x->labels, "istio.io/dataplane-mode"),
                             ml_get(y->labels, "istio.io/dataplane-mode")};
        break;
    case ML_K_PEERAUTHENTICATION:
        f[n++] = (sec_field){"mtls.mode", spec_path(x, "mtls.mode"), spec_path(y, "mtls.mode")};
        f[n++] = (sec_field){"portLevelMtls", spec_path(x, "portLevelMtls"), spec_path(y, "portLevelMtls")};
        f[n++] = (sec_field){"selector", spec_path(x, "selector"), spec_path(y, "selector")};
        break;
    case ML_K_AUTHORIZATIONPOLICY:
        f[n++] = (sec_field){"action", spec_path(x, "action"), spec_path(y, "action")};
        f[n++] = (sec_field){"rules", spec_path(x, "rules"), spec_path(y, "rules")};
        f[n++] = (sec_field){"selector", spec_path(x, "selector"), spec_path(y, "selector")};
        f[n++] = (sec_field){"provider", spec_path(x, "provider"), spec_path(y, "provider")};
        break;
    default:
        if (ml_kind_is_workload(x->kind) && x->u.workload && y->u.workload) {
            const ml_workload *a = x->u.workload, *b = y->u.workload;
            f[n++] = (sec_field){"pod label sidecar.istio.io/inject", ml_get(a->pod_labels, "sidecar.istio.io/inject"),
                                 ml_get(b->pod_labels, "sidecar.istio.io/inject")};
            f[n++] = (sec_field){"pod annotation sidecar.istio.io/inject",
                                 ml_get(a->pod_annotations, "sidecar.istio.io/inject"),
                                 ml_get(b->pod_annotations, "sidecar.istio.io/inject")};
        }
        break;
    }
    for (size_t i = 0; i < n; i++)
        if (!node_equal(f[i].x, f[i].y, 0)) {
            *out = f[i];
            return true;
        }
    return false;
}

static const char *field_value(ml_arena *a, const ml_node *v)
{
    if (!v)
        return "absent";
    if (ml_is_scalar(v))
        return ml_printf(a, "\"%s\"", quote(a, ml_node_str(v) ? ml_node_str(v) : ""));
    return ml_printf(a, "%s", ml_is_seq(v) ? "a list" : "a mapping");
}

static void report_alternative(ml_ctx *ctx, const ml_resource *r, const ml_resource *other, const sec_field *f)
{
    ml_loc at = r->name_node ? ml_node_loc(r->name_node) : ml_res_loc(r);
    ml_loc ol = other->name_node ? ml_node_loc(other->name_node) : ml_res_loc(other);
    bool both_scalar = (!f->x || ml_is_scalar(f->x)) && (!f->y || ml_is_scalar(f->y));
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                           "%s is also defined in %s:%u, and the two disagree on %s%s%s%s%s: the result depends "
                           "on which one is applied last",
                           ml_res_display(ctx->arena, r), ol.file ? ol.file->path : "?", ol.line, f->what,
                           both_scalar ? " (" : "", both_scalar ? field_value(ctx->arena, f->y) : "",
                           both_scalar ? " here, " : "",
                           both_scalar ? ml_printf(ctx->arena, "%s there)", field_value(ctx->arena, f->x)) : "");
    ml_note(ctx, d, f->x ? ml_node_loc(f->x) : ol, "the other definition%s",
            f->x ? "" : ml_printf(ctx->arena, " (without %s)", f->what));
    ml_help(ctx, d,
            "if both files are applied to one cluster, keep one definition of %s; if they are alternatives "
            "(stages, environments), give them the same %s, or declare in .meshlint.yaml which files are "
            "applied together (apply-sets)",
            ml_res_display(ctx->arena, r), f->what);
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->resources) {
        if (r->replaced_by)
            report_replaced(ctx, r, r->replaced_by);
    }
    ML_VEC_EACH(ml_resource *, r, &ctx->model->resources) {
        if (!r->live || r->nalts < 2)
            continue;
        for (const ml_resource *p = r->prev_def; p; p = p->prev_def) {
            sec_field f;
            if (p->live && security_diff(p, r, &f)) {
                report_alternative(ctx, r, p, &f);
                break;
            }
        }
    }
}

const ml_rule ml_rule_ML003 = {
    .id = "ML003",
    .name = "duplicate-resource",
    .level = ML_LEVEL_WARNING,
    .summary = "The same kind, namespace and name is defined twice where both are applied, or alternatives "
               "disagree on security",
    .description = "Kubernetes keeps one object per kind, namespace and name: a later apply of the same "
                   "object replaces the earlier one, and what the earlier carries (a label, a route, an "
                   "annotation) disappears from the cluster.\n"
                   "\n"
                   "Definitions certainly meet when they are applied together: in the same file, in the same "
                   "kustomize build, or in the same apply set declared in .meshlint.yaml (apply-sets). There the "
                   "last one replaces the others, and this finding sits on each replaced definition and names "
                   "what it carries that the later one lacks (\"identically\" only when the two are equal).\n"
                   "\n"
                   "Definitions in different files outside such a group are alternatives: rollout stages, "
                   "tutorial steps, per-environment or per-cluster copies, with/without variants. Repositories "
                   "hold them on purpose, and meshlint lints each alternative and reports a cross-object defect "
                   "only when it holds for every alternative. Alternatives are reported only when they disagree "
                   "on what decides security: sidecar injection (the Namespace labels istio-injection, "
                   "istio.io/rev, istio.io/dataplane-mode; the pod's sidecar.istio.io/inject), the mTLS mode "
                   "(PeerAuthentication mtls and portLevelMtls) or authorization "
                   "(AuthorizationPolicy action, rules, selector, provider); then the protection depends on "
                   "which one is applied last, which the input does not decide. Other differences between "
                   "alternatives are not reported, not even as a note: each alternative is a complete, intended "
                   "state, and a note per pair would bury the findings of a repository of tutorial steps. A "
                   "DestinationRule's client tls mode is not among the deciding fields: with Istio's automatic "
                   "mTLS (on by default) a sidecar client sends mutual TLS to a sidecar server whatever the "
                   "DestinationRule says when it sets no tls (EnableAutoMtls defaults to true in DefaultMeshConfig, "
                   "istio/istio pkg/config/mesh/mesh.go), so the with/without-mTLS variants of sample "
                   "repositories protect the same way.",
    .remediation = "Where both definitions are applied: keep a single definition per name (merge the two, or "
                   "give one a different name; a second VirtualService for the same host needs its own name, and "
                   "see ML307). Where they are alternatives that disagree on security: make them agree, or "
                   "declare which files are applied together with apply-sets in .meshlint.yaml.",
    .tags = "input,kubernetes",
    .precision = "very-high",
    .example_bad = "# a.yaml\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n"
                   "# b.yaml: the injection label differs\nkind: Namespace\nmetadata: {name: shop}",
    .example_good = "# a.yaml\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}",
    .check = check,
};
