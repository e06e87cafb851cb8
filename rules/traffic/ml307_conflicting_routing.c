/*
 * ML307 conflicting-routing: several VirtualServices or DestinationRules for
 * one host whose combination drops configuration.
 *
 * - Mesh gateway (sidecars): VirtualServices for one host are not merged;
 *   the oldest is used and the routes of the others are dropped.
 * - Other gateways: their HTTP routes are appended in creation order, so a
 *   catch-all route in one hides the routes of those created after it.
 * - DestinationRules for one host in one namespace are merged: disjoint
 *   subsets are fine; a second top-level trafficPolicy or a repeated subset
 *   name is dropped.
 *
 * Only winning definitions count: several definitions of one name are one
 * object in the cluster (ML003 reports those). Each host gets one pass
 * through a local map, so the work is linear.
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

static void visibility(const ml_model *m, const ml_resource *r, const ml_node *export_to, vis *v)
{
    v->all = false;
    v->n = 0;
    if (!ml_is_seq(export_to) || ml_node_n(export_to) == 0) {
        /* none: the mesh default (push_context.go initDefaultExportMaps) */
        const ml_vec *def = ml_export_default(m, r);
        if (!def || def->n > MAX_EXPORT) {
            v->all = true;
            return;
        }
        ML_VEC_EACH(const char *, s, def) {
            if (strcmp(s, "*") == 0) {
                v->all = true;
                return;
            }
            v->ns[v->n++] = strcmp(s, ".") == 0 ? r->ns : s;
        }
        return;
    }
    if (ml_node_n(export_to) > MAX_EXPORT) {
        v->all = true;
        return;
    }
    for (size_t i = 0; i < ml_node_n(export_to); i++) {
        const char *s = ml_str_nonnull(&export_to->elems[i]);
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

/* True when the route matches every request: no match, or an empty match item. */
static bool catch_all(const ml_route *rt)
{
    if (rt->proto != ML_ROUTE_HTTP)
        return false;
    if (!ml_is_seq(rt->match) || ml_node_n(rt->match) == 0)
        return true;
    for (size_t i = 0; i < ml_node_n(rt->match); i++) {
        const ml_node *m = &rt->match->elems[i];
        if (ml_is_map(m) && ml_node_n(m) == 0)
            return true;
    }
    return false;
}

static const ml_route *first_catch_all(const ml_virtualservice *vs)
{
    for (size_t i = 0; i < vs->nroutes; i++)
        if (catch_all(&vs->routes[i]))
            return &vs->routes[i];
    return NULL;
}

/* The gateways of a VirtualService as written ("mesh" excluded), resolved
 * to "ns/name" as Istio does: a short name is in the VirtualService's
 * namespace. */
static const char *gw_key(ml_ctx *ctx, const ml_resource *r, const char *g)
{
    if (strchr(g, '/'))
        return g;
    return ml_printf(ctx->arena, "%s/%s", r->ns, g);
}

static const ml_node *vs_host_node(const ml_virtualservice *o, const char *h)
{
    for (size_t j = 0; j < o->nhosts; j++)
        if (ml_streq(o->fqdns[j], h))
            return o->hosts[j];
    return NULL;
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
        visibility(ctx->model, r, vs->export_to, va);
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
                visibility(ctx->model, o->res, o->export_to, vb);
                if (!visible_together(va, vb))
                    continue;
                const ml_node *oh = vs_host_node(o, h);
                if (!d) {
                    d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(vs->hosts[i]),
                                  "%s and %s both route host %s on the mesh gateway; sidecars do not merge "
                                  "them: only the oldest (by creation time, then name) is used for the host and "
                                  "the routes of the other are dropped, so which routes apply depends on the "
                                  "order the two were created",
                                  ml_res_display(ctx->arena, r), ml_res_display(ctx->arena, o->res), h);
                    ml_help(ctx, d,
                            "put all routes for %s into one VirtualService, in the order they should be "
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

/* Gateways merge: the HTTP routes of every VirtualService bound to one
 * gateway for one host are appended in creation order. A catch-all route in
 * one of them then hides every route of the VirtualServices created after
 * it; which one that is depends on creation times the input does not hold. */
/* One (VirtualService, gateway, host) binding, keyed "gateway\x1fhost". */
typedef struct gw_binding {
    const ml_virtualservice *vs;
    const char *gk, *host, *key;
} gw_binding;

static void check_gateway_vs(ml_ctx *ctx)
{
    ml_map by_key;
    ml_map_init(&by_key);
    ml_vec bindings = {0};
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!r->live || !vs || !ml_is_seq(vs->gateways))
            continue;
        for (size_t g = 0; g < ml_node_n(vs->gateways); g++) {
            const char *gn = ml_str_nonnull(&vs->gateways->elems[g]);
            if (!gn || !*gn || strcmp(gn, "mesh") == 0)
                continue;
            const char *gk = gw_key(ctx, r, gn);
            for (size_t i = 0; i < vs->nhosts; i++) {
                const char *h = vs->fqdns[i];
                if (!h || !*h)
                    continue;
                gw_binding *bd = ml_zalloc(ctx->arena, sizeof *bd);
                bd->vs = vs;
                bd->gk = gk;
                bd->host = h;
                const char *parts[] = {gk, h};
                size_t len;
                bd->key = ml_key_dup(ctx->arena, &len, '\x1f', 2, parts);
                ml_vec_push(ctx->arena, &bindings, bd);
                const ml_vec *v = ml_map_vec(&by_key, bd->key, strlen(bd->key));
                if (v && v->n && v->items[v->n - 1] == vs)
                    continue;
                ml_map_push(&by_key, ctx->arena, bd->key, strlen(bd->key), (void *)vs);
            }
        }
    }
    ML_VEC_EACH(const gw_binding *, bd, &bindings) {
        const ml_virtualservice *vs = bd->vs;
        const char *gk = bd->gk, *h = bd->host;
        const ml_vec *v = ml_map_vec(&by_key, bd->key, strlen(bd->key));
        if (!v || v->n < 2 || v->items[0] != vs)
            continue; /* one report per (gateway, host), on the first VirtualService */
        /* the VirtualServices whose catch-all route would hide the others' routes */
        for (size_t k = 0; k < v->n && k < MAX_SCAN; k++) {
            const ml_virtualservice *a = v->items[k];
            const ml_route *ca = first_catch_all(a);
            if (!ca)
                continue;
            const ml_virtualservice *b = NULL;
            for (size_t j = 0; j < v->n && j < MAX_SCAN && !b; j++)
                if (v->items[j] != a && !ml_streq(((const ml_virtualservice *)v->items[j])->res->key, a->res->key) &&
                    ml_model_meets(ctx->model, a->res, ((const ml_virtualservice *)v->items[j])->res)) {
                    /* alternatives of one object are never applied together (model.h) */
                    const ml_virtualservice *c = v->items[j];
                    for (size_t q = 0; q < c->nroutes && !b; q++)
                        if (c->routes[q].proto == ML_ROUTE_HTTP)
                            b = c;
                }
            if (!b)
                continue;
            ml_diag *d =
                ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ca->node),
                          "%s route %s matches every request for host %s on gateway %s, where Istio appends the "
                          "routes of every VirtualService for the host in creation order: if %s is created "
                          "before %s, none of the routes of %s is ever used",
                          ml_res_display(ctx->arena, a->res), tr_route_name(ctx->arena, ca), h, gk,
                          ml_res_display(ctx->arena, a->res), ml_res_display(ctx->arena, b->res),
                          ml_res_display(ctx->arena, b->res));
            ml_note(ctx, d, ml_node_loc(vs_host_node(b, h)), "%s routes the same host on the same gateway",
                    ml_res_display(ctx->arena, b->res));
            ml_help(ctx, d,
                    "give the catch-all route a match, or put the routes of both VirtualServices "
                    "for %s into one, catch-all last",
                    h);
        }
    }
    ml_map_free(&by_key);
}

/* Istio merges the DestinationRules for one host visible in a namespace
 * (pilot/pkg/model/destination_rule.go, mergeDestinationRule): the subsets
 * of later rules are appended unless their name is already taken, and a
 * later top-level trafficPolicy is used only when no earlier rule has one.
 * Rules are taken in creation order; load order stands in for it. */
/* Whether DestinationRule o is applied with r: alternatives of one object
 * (model.h) replace each other and are never merged, and a definition of
 * another group whose name r's group defines is not the one r meets. */
static bool merged_with(ml_ctx *ctx, const ml_resource *r, const ml_destrule *o)
{
    return !ml_streq(o->res->key, r->key) && ml_model_meets(ctx->model, r, o->res);
}

static void check_dr(ml_ctx *ctx)
{
    ml_map by_host;
    ml_map_init(&by_host);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!r->live || !dr || !dr->fqdn || dr->workload_selector)
            continue;
        const char *parts[] = {r->ns, dr->fqdn};
        size_t len;
        const char *key = ml_key_dup(ctx->arena, &len, '\x1f', 2, parts);
        ml_map_push(&by_host, ctx->arena, key, len, (void *)dr);
    }
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!r->live || !dr || !dr->fqdn || dr->workload_selector)
            continue;
        const char *parts[] = {r->ns, dr->fqdn};
        ml_key key;
        ml_key_join(&key, '\x1f', 2, parts);
        const ml_vec *v = ml_map_vec(&by_host, key.s, key.n);
        ml_key_done(&key);
        if (!v || v->n < 2 || v->items[0] == dr)
            continue;
        size_t self = 0;
        while (self < v->n && v->items[self] != dr)
            self++;
        if (dr->traffic_policy) {
            const ml_destrule *first = NULL;
            for (size_t k = 0; k < self && k < MAX_SCAN && !first; k++)
                if (((const ml_destrule *)v->items[k])->traffic_policy && merged_with(ctx, r, v->items[k]))
                    first = v->items[k];
            if (first) {
                const ml_pair *tp = ml_get_pair(r->spec, "trafficPolicy");
                const ml_pair *ftp = ml_get_pair(first->res->spec, "trafficPolicy");
                ml_diag *d =
                    ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(tp ? &tp->key : dr->traffic_policy),
                              "the top-level trafficPolicy of %s is ignored: Istio merges the "
                              "DestinationRules for host %s in namespace %s and keeps the first top-level "
                              "trafficPolicy, that of %s (if it is the older; meshlint takes file order)",
                              ml_res_display(ctx->arena, r), dr->fqdn, r->ns, ml_res_display(ctx->arena, first->res));
                ml_note(ctx, d, ml_node_loc(ftp ? &ftp->key : first->traffic_policy),
                        "%s sets the top-level trafficPolicy that is used", ml_res_display(ctx->arena, first->res));
                ml_help(ctx, d,
                        "keep one top-level trafficPolicy for %s: merge the two into one DestinationRule, "
                        "or move these settings into a subset or portLevelSettings",
                        dr->fqdn);
            }
        }
        for (size_t s = 0; s < dr->nsubsets; s++) {
            const char *name = ml_str_nonnull(dr->subsets[s].name);
            if (!name)
                continue;
            const ml_destrule *first = NULL;
            const ml_dr_subset *fs = NULL;
            for (size_t k = 0; k < self && k < MAX_SCAN && !first; k++) {
                const ml_destrule *o = v->items[k];
                if (!merged_with(ctx, r, o))
                    continue;
                for (size_t j = 0; j < o->nsubsets && !first; j++)
                    if (ml_streq(ml_str_nonnull(o->subsets[j].name), name)) {
                        first = o;
                        fs = &o->subsets[j];
                    }
            }
            if (!first)
                continue;
            ml_diag *d =
                ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(dr->subsets[s].name),
                          "subset %s of %s is dropped: Istio merges the DestinationRules for host %s in "
                          "namespace %s and keeps only the first subset of each name, that of %s (if it "
                          "is the older; meshlint takes file order)",
                          name, ml_res_display(ctx->arena, r), dr->fqdn, r->ns, ml_res_display(ctx->arena, first->res));
            ml_note(ctx, d, ml_node_loc(fs->name), "%s defines subset %s", ml_res_display(ctx->arena, first->res),
                    name);
            ml_help(ctx, d, "define subset %s once for %s", name, dr->fqdn);
        }
    }
    ml_map_free(&by_host);
}

static void check(ml_ctx *ctx)
{
    check_vs(ctx);
    check_gateway_vs(ctx);
    check_dr(ctx);
}

const ml_rule ml_rule_ML307 = {
    .id = "ML307",
    .name = "conflicting-routing",
    .level = ML_LEVEL_WARNING,
    .summary = "VirtualServices or DestinationRules for one host whose combination drops configuration",
    .description =
        "Mesh gateway: two differently named VirtualServices that route the same host for sidecars (and are "
        "visible in a common namespace through exportTo) are not merged. Istio sorts VirtualServices by creation "
        "time, then namespace and name (sortConfigByCreationTime, pilot/pkg/model/push_context.go), and a sidecar "
        "keeps one virtual host per host name: the routes of the other VirtualService are dropped, and which one "
        "wins depends on the order they were created. Istio's own analyzer reports the same "
        "(pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go, IST0109).\n"
        "\n"
        "Other gateways: the HTTP routes of every VirtualService bound to one gateway for one host are appended "
        "in creation order (pilot/pkg/networking/core/gateway.go, vHostDedupMap). That merge is fine unless one "
        "VirtualService has a catch-all route (no match): then every route of the VirtualServices created after "
        "it is unreachable.\n"
        "\n"
        "DestinationRules for the same host in one namespace (neither with a workloadSelector) are merged "
        "(mergeDestinationRule, pilot/pkg/model/destination_rule.go): subsets with new names are appended, so "
        "disjoint subsets are fine; a subset whose name an earlier rule already defines is dropped, and a "
        "top-level trafficPolicy is used only from the first rule that has one. Those two cases are reported. "
        "Istio takes the rules in creation order, which the input does not hold: meshlint takes file order "
        "and says so.\n"
        "\n"
        "Several definitions of the same kind, namespace and name are one object in the cluster; "
        "that is reported by ML003, not here.",
    .remediation = "Keep one VirtualService per host on the mesh gateway; on other gateways keep catch-all routes "
                   "in one VirtualService, last. Define each subset name and the top-level traffic policy of a "
                   "host once.",
    .tags = "traffic,istio",
    .istio_code = "IST0109",
    .precision = "high",
    .example_bad = "kind: VirtualService\nmetadata: {name: orders}\nspec: {hosts: [orders], http: [...]}\n---\n"
                   "kind: VirtualService\nmetadata: {name: orders-canary}\nspec: {hosts: [orders], http: [...]}",
    .example_good = "kind: VirtualService\nmetadata: {name: orders}\nspec: {hosts: [orders], http: [...]}",
    .check = check,
};
