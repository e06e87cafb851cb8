/*
 * ML003 duplicate-resource: the same kind/namespace/name defined more than
 * once. `kubectl apply -R -f` applies files in path order, so the last
 * definition silently replaces the others. The finding sits on each replaced
 * definition, points at the one that wins, and lists what the replaced one
 * carries that the winner lacks: that is what the author loses.
 */
#include <string.h>

#include "meshlint/rule.h"

#define MAX_LISTED 6

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
            add(df, ml_printf(df->a, "%s=%s", path, lost->str));
        else
            add(df, path);
        return;
    }
    if (ml_is_map(lost) && ml_is_map(won)) {
        for (size_t i = 0; i < lost->n; i++) {
            const char *k = ml_str(lost->pairs[i].key);
            if (!k)
                continue;
            if (depth == 0 && (!strcmp(k, "apiVersion") || !strcmp(k, "kind")))
                continue;
            if (depth == 1 && !strcmp(path, "metadata") && (!strcmp(k, "name") || !strcmp(k, "namespace")))
                continue;
            compare(df, join_path(df->a, path, k), lost->pairs[i].value, ml_get(won, k), depth + 1);
        }
        return;
    }
    if (ml_is_seq(lost) && ml_is_seq(won)) {
        for (size_t i = 0; i < lost->n; i++)
            compare(df, ml_printf(df->a, "%s[%zu]", path, i), lost->items[i], i < won->n ? won->items[i] : NULL,
                    depth + 1);
        return;
    }
    if (ml_is_scalar(lost) && ml_is_scalar(won)) {
        if (strcmp(lost->str, won->str) != 0)
            add(df, ml_printf(df->a, "%s=%s (the winner has %s)", path, lost->str, won->str));
        return;
    }
    add(df, path);
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->resources) {
        if (!r->prev_def || !r->winner)
            continue;
        /* r wins; report every earlier definition */
        for (ml_resource *lost = r->prev_def; lost; lost = lost->prev_def) {
            diff df = {.a = ctx->arena};
            compare(&df, "", lost->root, r->root, 0);
            ml_buf what;
            ml_buf_init(&what);
            for (size_t i = 0; i < df.items.n; i++)
                ml_buf_printf(&what, "%s%s", i ? ", " : "", (const char *)df.items.items[i]);
            if (df.total > df.items.n)
                ml_buf_printf(&what, " and %zu more", df.total - df.items.n);
            ml_loc at = lost->name_node ? ml_node_loc(lost->name_node) : ml_res_loc(lost);
            ml_loc win = r->name_node ? ml_node_loc(r->name_node) : ml_res_loc(r);
            ml_diag *d;
            if (df.total)
                d = ml_report(ctx, ML_LEVEL_NONE, at,
                              "%s is defined again in %s:%u, which replaces this definition when applied; "
                              "lost with it: %s",
                              ml_res_display(ctx->arena, r), win.file ? win.file->path : "?", win.line, what.s);
            else
                d = ml_report(ctx, ML_LEVEL_NONE, at,
                              "%s is defined again, identically, in %s:%u", ml_res_display(ctx->arena, r),
                              win.file ? win.file->path : "?", win.line);
            ml_note(ctx, d, win, "this definition wins (last in path order, as kubectl apply -R -f applies them)");
            ml_help(ctx, d, "keep one definition of %s: merge what this one carries into the other, or rename one",
                    ml_res_display(ctx->arena, r));
            ml_buf_free(&what);
        }
    }
}

const ml_rule ml_rule_ML003 = {
    .id = "ML003",
    .name = "duplicate-resource",
    .level = ML_LEVEL_WARNING,
    .summary = "The same kind, namespace and name is defined more than once",
    .description = "Kubernetes keeps one object per kind, namespace and name. Applied with "
                   "kubectl apply -R -f, files go in path order and each definition overwrites the "
                   "previous one, so only the last survives; what the others carry (a label, a "
                   "route, an annotation) silently disappears from the cluster.\n"
                   "\n"
                   "meshlint lints every definition on its own, but where the model needs one "
                   "answer (a Namespace's injection label, which Deployment a name means) it uses "
                   "the definition that wins. This finding names what the replaced definition "
                   "carries that the winner lacks.",
    .remediation = "Keep a single definition per name: merge the two, or give one a different name "
                   "(a second VirtualService for the same host needs its own name, and see ML307).",
    .tags = "input,kubernetes",
    .precision = "very-high",
    .example_bad = "# a.yaml\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n"
                   "# b.yaml\nkind: Namespace\nmetadata: {name: shop}",
    .example_good = "# a.yaml\nkind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}",
    .check = check,
};
