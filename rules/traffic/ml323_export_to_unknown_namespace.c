/*
 * ML323 export-to-unknown-namespace: the exportTo of a VirtualService,
 * DestinationRule or ServiceEntry (or the networking.istio.io/exportTo
 * annotation of a Service) names a namespace that does not exist, so the
 * object is not visible where its author meant it to be.
 *
 * Absence of a namespace is concluded only as ML503 does: the input defines
 * Namespaces, nothing in the input lives in the named one, no input left
 * unlinted may define it, and either the name is a likely misspelling of a
 * Namespace the input defines or the input is declared complete
 * (--assume-complete).
 */
#include <string.h>

#include "meshlint/mesh.h"
#include "meshlint/rule.h"

/* Names looked up for a misspelling (bounds the work on hostile input). */
#define MAX_LOOKUPS 64

typedef struct state {
    ml_ctx *ctx;
    size_t lookups;
    ml_map seen; /* namespace name -> the misspelt Namespace, or &none */
} state;

static const char none = 0;

static bool system_ns(const ml_ctx *ctx, const char *ns)
{
    static const char *const sys[] = {"default", "kube-system", "kube-public", "kube-node-lease", NULL};
    for (size_t i = 0; sys[i]; i++)
        if (strcmp(ns, sys[i]) == 0)
            return true;
    return ctx->model->mesh && ml_streq(ns, ctx->model->mesh->root_ns);
}

static const char *near_of(state *st, const char *ns)
{
    void **slot = ml_map_slot_for(&st->seen, ns, strlen(ns));
    if (*slot)
        return *slot == &none ? NULL : *slot;
    const char *hit = ++st->lookups <= MAX_LOOKUPS ? ml_model_ns_misspelled(st->ctx->model, ns) : NULL;
    *slot = hit ? (void *)hit : (void *)&none;
    return hit;
}

static void check_entry(void *arg, const ml_resource *r, const char *e, const ml_node *node)
{
    state *st = arg;
    ml_ctx *ctx = st->ctx;
    const ml_model *m = ctx->model;
    if (!e || !*e || strcmp(e, ".") == 0 || strcmp(e, "*") == 0 || strcmp(e, "~") == 0)
        return;
    if (ml_model_has_ns(m, e) || ml_model_namespace_defs(m, e) || system_ns(ctx, e) ||
        ml_model_unlinted_may_define(m, e))
        return;
    const char *near = near_of(st, e);
    if (!near && !ml_assume_complete(ctx))
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(node),
                           "the exportTo of %s names namespace %s, which the input does not contain (it defines "
                           "%zu Namespace%s): this entry makes the %s visible to no proxy, and the namespace "
                           "it was meant for does not see it",
                           ml_res_display(ctx->arena, r), e, m->namespaces.n, m->namespaces.n == 1 ? "" : "s",
                           r->kind == ML_K_SERVICE ? "Service" : ml_kind_name(r->kind));
    if (near) {
        ml_help(ctx, d, "did you mean namespace %s?", near);
        if (node->style == ML_SCALAR_PLAIN && ml_is_seq(ml_export_to_node(r)))
            ml_add_fix(ctx, d, ml_printf(ctx->arena, "export to %s", near), ml_node_loc(node), near);
    } else {
        ml_help(ctx, d, "name a namespace that exists, or add its Namespace to the input");
    }
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (m->namespaces.n == 0 || ml_model_has_apply_time(m))
        return;
    state st = {.ctx = ctx};
    ml_map_init(&st.seen);
    static const ml_kind kinds[] = {ML_K_VIRTUALSERVICE, ML_K_DESTINATIONRULE, ML_K_SERVICEENTRY, ML_K_SERVICE};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        ML_VEC_EACH(ml_resource *, r, &m->by_kind[kinds[k]]) {
            if (r->live)
                ml_export_each(ctx->arena, r, check_entry, &st);
        }
    }
    ml_map_free(&st.seen);
}

const ml_rule ml_rule_ML323 = {
    .id = "ML323",
    .name = "export-to-unknown-namespace",
    .level = ML_LEVEL_WARNING,
    .summary = "exportTo names a namespace that does not exist",
    .description = "exportTo (on a VirtualService, DestinationRule or ServiceEntry, and the Service annotation "
                   "networking.istio.io/exportTo) lists the namespaces whose proxies see the object: \".\" is "
                   "its own namespace, \"*\" every namespace, \"~\" none, and any other entry one namespace by "
                   "name (pilot/pkg/model/push_context.go: initServiceRegistry, setDestinationRules and "
                   "getExportedDestinationRuleFromNamespace compare the entry with the client proxy's namespace "
                   "as written; pilot/pkg/serviceregistry/kube/conversion.go ConvertService splits the "
                   "annotation at commas). A name that matches no namespace exports the object to nobody, and "
                   "the namespace the author meant, usually through a typo, does not see it: its routes, "
                   "subsets and traffic policies do not apply there.\n"
                   "\n"
                   "A repository seldom holds every namespace of the cluster, so the rule reports a name only "
                   "when the input defines Namespaces, holds nothing in the named one, no input meshlint did "
                   "not lint may define it, the namespace of manifests without one is bound, and the name is "
                   "one or two edits away from a Namespace the input defines (sibling names such as team-a "
                   "and team-b excepted), or the input is declared complete with --assume-complete.",
    .remediation = "Correct the namespace name, or add the Namespace to the input.",
    .tags = "traffic,visibility,istio",
    .precision = "high",
    .example_bad = "kind: Namespace\nmetadata: {name: storefront}\n---\nkind: DestinationRule\n"
                   "metadata: {name: payments, namespace: payments}\nspec:\n  host: payments\n"
                   "  exportTo: [\".\", storefornt]",
    .example_good = "kind: Namespace\nmetadata: {name: storefront}\n---\nkind: DestinationRule\n"
                    "metadata: {name: payments, namespace: payments}\nspec:\n  host: payments\n"
                    "  exportTo: [\".\", storefront]",
    .check = check,
};
