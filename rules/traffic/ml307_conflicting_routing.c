/*
 * ML307 conflicting-routing: two differently named VirtualServices for the
 * same host on the mesh gateway, whose routes Istio merges in an order the
 * user does not control, or two DestinationRules for the same host in one
 * namespace, of which only one takes effect. The question is about what the
 * cluster ends up with, so only winning definitions count: several
 * definitions of one name are one object in the cluster (ML003 reports
 * those). Each host gets one pass through a local map, so the work is linear.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

#define MAX_EXPORT 256
#define MAX_SCAN 1000 /* earlier VirtualServices compared per host (bounds hostile input) */
#define MAX_NOTES 5

/* exportTo as a set: all == true means every namespace. */
typedef struct vis {
    bool all;
    size_t n;
    const char *ns[MAX_EXPORT];
} vis;

static void visibility(const ml_resource *r, const ml_node *export_to, vis *v)
{
    v->all = false;
    v->n = 0;
    if (!ml_is_seq(export_to) || export_to->n == 0 || export_to->n > MAX_EXPORT) {
        v->all = true;
        return;
    }
    for (size_t i = 0; i < export_to->n; i++) {
        const char *s = ml_str_nonnull(export_to->items[i]);
        if (!s)
            continue;
        if (strcmp(s, "*") == 0) {
            v->all = true;
            return;
        }
        v->ns[v->n++] = strcmp(s, ".") == 0 ? r->ns : s;
    }
}

static bool visible_together(const vis *a, const vis *b)
{
    if (a->all || b->all)
        return (a->all && b->all) || (a->all ? b->n : a->n) > 0;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++)
            if (ml_streq(a->ns[i], b->ns[j]))
                return true;
    return false;
}

static void check_vs(ml_ctx *ctx)
{
    ml_map by_host;
    ml_map_init(&by_host);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!r->live || !vs || !vs->mesh_gateway)
            continue;
        for (size_t i = 0; i < vs->nhosts; i++) {
            const char *h = vs->fqdns[i];
            if (!h || !*h)
                continue;
            const ml_vec *v = ml_map_vec(&by_host, h, strlen(h));
            if (v && v->n && v->items[v->n - 1] == vs)
                continue; /* the same host listed twice by one VirtualService */
            ml_map_push(&by_host, ctx->arena, h, strlen(h), (void *)vs);
        }
    }
    vis *va = ml_alloc(ctx->arena, sizeof *va), *vb = ml_alloc(ctx->arena, sizeof *vb);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!r->live || !vs || !vs->mesh_gateway)
            continue;
        visibility(r, vs->export_to, va);
        for (size_t i = 0; i < vs->nhosts; i++) {
            const char *h = vs->fqdns[i];
            const ml_vec *v = h ? ml_map_vec(&by_host, h, strlen(h)) : NULL;
            if (!v || v->n < 2)
                continue;
            /* report on every VirtualService after the first that shares the host with it */
            ml_diag *d = NULL;
            size_t noted = 0;
            /* only the VirtualServices before this one (plain loop: a break must end it) */
            for (size_t k = 0; k < v->n && k < MAX_SCAN && noted < MAX_NOTES; k++) {
                const ml_virtualservice *o = v->items[k];
                if (o == vs)
                    break;
                /* alternatives of one object replace each other; a definition
                 * of another group that r's group replaces is not applied with it */
                if (ml_streq(o->res->key, r->key) || !ml_model_meets(ctx->model, r, o->res))
                    continue;
                visibility(o->res, o->export_to, vb);
                if (!visible_together(va, vb))
                    continue;
                const ml_node *oh = NULL;
                for (size_t j = 0; j < o->nhosts && !oh; j++)
                    if (ml_streq(o->fqdns[j], h))
                        oh = o->hosts[j];
                if (!d) {
                    d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(vs->hosts[i]),
                                  "%s and %s both route host %s on the mesh gateway; Istio merges their routes in "
                                  "an order you do not control, so which route wins can change",
                                  ml_res_display(ctx->arena, r), ml_res_display(ctx->arena, o->res), h);
                    ml_help(ctx, d, "put all routes for %s into one VirtualService, in the order they should be "
                                    "tried",
                            h);
                }
                ml_note(ctx, d, ml_node_loc(oh), "%s routes the same host", ml_res_display(ctx->arena, o->res));
                noted++;
            }
        }
    }
    ml_map_free(&by_host);
}

static void check_dr(ml_ctx *ctx)
{
    ml_map by_host;
    ml_map_init(&by_host);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!r->live || !dr || !dr->fqdn || dr->workload_selector)
            continue;
        const char *key = ml_printf(ctx->arena, "%s\x1f%s", r->ns, dr->fqdn);
        ml_map_push(&by_host, ctx->arena, key, strlen(key), (void *)dr);
    }
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!r->live || !dr || !dr->fqdn || dr->workload_selector)
            continue;
        const char *key = ml_printf(ctx->arena, "%s\x1f%s", r->ns, dr->fqdn);
        const ml_vec *v = ml_map_vec(&by_host, key, strlen(key));
        if (!v || v->n < 2 || v->items[0] == dr)
            continue;
        const ml_destrule *first = NULL;
        for (size_t k = 0; k < v->n && v->items[k] != dr && !first; k++) {
            const ml_destrule *o = v->items[k];
            /* alternatives of one object replace each other (model.h) */
            if (!ml_streq(o->res->key, r->key) && ml_model_meets(ctx->model, r, o->res))
                first = o;
        }
        if (!first)
            continue;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(dr->host),
                               "%s and %s both configure host %s in namespace %s; only one DestinationRule per "
                               "host takes effect, so the settings of the other are ignored",
                               ml_res_display(ctx->arena, r), ml_res_display(ctx->arena, first->res), dr->fqdn,
                               r->ns);
        ml_note(ctx, d, ml_node_loc(first->host), "%s configures the same host",
                ml_res_display(ctx->arena, first->res));
        ml_help(ctx, d, "merge the traffic policies and subsets into one DestinationRule for %s", dr->fqdn);
    }
    ml_map_free(&by_host);
}

static void check(ml_ctx *ctx)
{
    check_vs(ctx);
    check_dr(ctx);
}

const ml_rule ml_rule_ML307 = {
    .id = "ML307",
    .name = "conflicting-routing",
    .level = ML_LEVEL_WARNING,
    .summary = "Two VirtualServices or two DestinationRules configure the same host",
    .description = "Two differently named VirtualServices that route the same host on the mesh gateway (and are "
                   "visible in a common namespace through exportTo) are merged by Istio into one route table, in "
                   "an order users do not control: a catch-all route of one can hide the canary route of the "
                   "other, and the result can change when either is re-applied.\n"
                   "\n"
                   "Two DestinationRules for the same host in the same namespace (neither with a "
                   "workloadSelector) conflict as well: only one DestinationRule per host takes effect, so the "
                   "subsets or traffic policy of the other are silently ignored.\n"
                   "\n"
                   "Several definitions of the same kind, namespace and name are one object in the cluster; "
                   "that is reported by ML003, not here.",
    .remediation = "Keep one VirtualService and one DestinationRule per host, holding all of its routes, "
                   "subsets and policies.",
    .tags = "traffic,istio",
    .precision = "high",
    .example_bad = "kind: VirtualService\nmetadata: {name: orders}\nspec: {hosts: [orders], http: [...]}\n---\n"
                   "kind: VirtualService\nmetadata: {name: orders-canary}\nspec: {hosts: [orders], http: [...]}",
    .example_good = "kind: VirtualService\nmetadata: {name: orders}\nspec: {hosts: [orders], http: [...]}",
    .check = check,
};
