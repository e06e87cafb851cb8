/*
 * ML304 route-weights: destination weights that do not do what they seem to.
 * Weights are relative shares. With several destinations, a total of 0 is
 * rejected by Istio; a destination with weight 0 (or none, next to weighted
 * ones) gets no request, which for a canary subset that no other route
 * reaches means the canary is never exercised (unless an Argo Rollouts
 * Rollout in the input manages the VirtualService's weights, and so starts
 * the canary at 0 on purpose); and weights that do not add
 * up to 100 still work, but the effective split differs from the numbers as
 * written, so the note spells out the percentages.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

#define MAX_WEIGHT 1000000000LL /* larger values are not int32 weights: leave the route alone */

static const char *dest_label(ml_arena *a, const ml_destination *d, bool same_host)
{
    const char *subset = ml_str_nonnull(d->subset);
    const char *host = ml_str(d->host);
    if (subset && same_host)
        return ml_printf(a, "subset %s", subset);
    if (subset)
        return ml_printf(a, "%s (subset %s)", host ? host : "?", subset);
    return host ? host : "?";
}

static const char *percent(ml_arena *a, long long w, long long total)
{
    long long tenths = (w * 1000 + total / 2) / total;
    if (tenths % 10 == 0)
        return ml_printf(a, "%lld%%", tenths / 10);
    return ml_printf(a, "%lld.%lld%%", tenths / 10, tenths % 10);
}

/* Does any other route or mirror send this destination's pods traffic? A
 * destination without a subset reaches every pod of its host, so it reaches
 * any subset too. */
static bool reached_elsewhere(const ml_vec *refs, const ml_destination *d)
{
    const char *subset = ml_str_nonnull(d->subset);
    if (!refs)
        return false;
    ML_VEC_EACH(const tr_ref *, ref, refs) {
        if (ref->dest == d || !ref->gets_traffic)
            continue;
        const char *other = tr_ref_subset(ref);
        if (!subset || !other || strcmp(subset, other) == 0)
            return true;
    }
    return false;
}

/* VirtualServices whose weights an Argo Rollouts Rollout sets at run time
 * (spec.strategy.canary.trafficRouting.istio.virtualService(s)): the
 * manifest holds the canary at weight 0 by design, and the controller
 * moves it. Keys "ns\x1fname". */
static void managed_build(ml_ctx *ctx, ml_map *managed)
{
    ml_map_init(managed);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_OTHER]) {
        if (!r->live || !ml_streq(r->kind_str, "Rollout") || !r->api_version ||
            strncmp(r->api_version, "argoproj.io/", 12) != 0)
            continue;
        const ml_node *istio = ml_path(r->spec, "strategy.canary.trafficRouting.istio");
        const ml_node *one = ml_get(ml_get(istio, "virtualService"), "name");
        const ml_node *many = ml_get(istio, "virtualServices");
        for (size_t i = 0; i <= (ml_is_seq(many) ? ml_node_n(many) : 0); i++) {
            const char *name = ml_str_nonnull(i == 0 ? one : ml_get(&many->elems[i - 1], "name"));
            if (!name || !*name)
                continue;
            const char *key = ml_printf(ctx->arena, "%s\x1f%s", r->ns, name);
            ml_map_put(managed, key, strlen(key), (void *)r);
        }
    }
}

/* The routes' references (tr_refs_build), indexed when a destination
 * without weight first asks (most routes weigh every destination). */
typedef struct lazy_refs {
    ml_map map;
    bool built;
} lazy_refs;

static const ml_vec *refs_for(ml_ctx *ctx, lazy_refs *lr, const char *fqdn)
{
    if (!lr->built) {
        tr_refs_build_hosts(ctx, &lr->map);
        lr->built = true;
    }
    return tr_refs_for(&lr->map, fqdn);
}

static void check_route(ml_ctx *ctx, lazy_refs *refs, const ml_resource *r, const ml_route *rt, bool managed)
{
    if (rt->ndest == 0)
        return;
    long long total = 0;
    for (size_t i = 0; i < rt->ndest; i++) {
        const ml_destination *d = &rt->dest[i];
        if (d->weight && (d->weight_num < 0 || d->weight_num > MAX_WEIGHT))
            return; /* Istio rejects a negative weight; not this rule's question */
        if (d->weight_num > 0)
            total += d->weight_num;
    }
    /* the route's and VirtualService's names are made for a finding only */
    const ml_node *route_node = ml_get(rt->node, "route");

    if (rt->ndest == 1) {
        const ml_destination *d = &rt->dest[0];
        if (d->weight && d->weight_num != 100) {
            ml_diag *diag = ml_report(ctx, ML_LEVEL_NOTE, ml_node_loc(d->weight),
                                      "%s is the only destination of %s in %s, so it gets all of the route's "
                                      "traffic: weight %lld has no effect",
                                      dest_label(ctx->arena, d, false), tr_route_name(ctx->arena, rt),
                                      ml_res_display(ctx->arena, r), d->weight_num);
            ml_help(ctx, diag, "remove the weight, or add the destination that should get the rest of the traffic");
        }
        return;
    }

    bool same_host = true;
    for (size_t i = 1; i < rt->ndest; i++)
        same_host = same_host && ml_streq(rt->dest[i].fqdn, rt->dest[0].fqdn);

    if (total == 0) {
        size_t set = 0;
        for (size_t i = 0; i < rt->ndest; i++)
            set += rt->dest[i].weight != NULL;
        ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(route_node ? route_node : rt->node),
                               "the %zu destinations of %s in %s have total weight 0%s; Istio rejects the "
                               "VirtualService (total destination weight = 0)",
                               rt->ndest, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r),
                               set == rt->ndest ? "" : set ? " (an absent weight counts as 0)" : " (none sets a weight)");
        ml_help(ctx, d, "give each destination its share, for example weight: 90 and weight: 10");
        return;
    }

    bool warned = false;
    for (size_t i = 0; i < rt->ndest; i++) {
        const ml_destination *d = &rt->dest[i];
        if (d->weight_num > 0 || managed || reached_elsewhere(refs_for(ctx, refs, d->fqdn), d))
            continue;
        const char *subset = ml_str_nonnull(d->subset);
        ml_diag *diag = ml_report(
            ctx, ML_LEVEL_WARNING, ml_node_loc(d->weight ? d->weight : d->node),
            "%s gets %s in %s of %s and no other route sends it traffic: %s receives no requests",
            dest_label(ctx->arena, d, false), d->weight ? "weight 0" : "no weight (0, next to weighted destinations)",
            tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), subset ? "the subset" : "the destination");
        ml_help(ctx, diag, "give %s a positive weight to send it a share of the traffic, or remove the destination "
                           "if it is meant to be idle",
                dest_label(ctx->arena, d, false));
        warned = true;
    }
    if (warned || total == 100)
        return;
    ml_buf split;
    ml_buf_init(&split);
    for (size_t i = 0; i < rt->ndest; i++) {
        const ml_destination *d = &rt->dest[i];
        ml_buf_printf(&split, "%s%s to %s", i ? ", " : "", percent(ctx->arena, d->weight_num > 0 ? d->weight_num : 0, total),
                      dest_label(ctx->arena, d, same_host));
    }
    ml_diag *d = ml_report(ctx, ML_LEVEL_NOTE, ml_node_loc(route_node ? route_node : rt->node),
                           "the weights of %s in %s total %lld, not 100; weights are relative, so the effective "
                           "split is %s",
                           tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), total, split.s);
    ml_help(ctx, d, "write weights that add up to 100 so that they read as the percentages they are");
    ml_buf_free(&split);
}

static void check(ml_ctx *ctx)
{
    lazy_refs refs = {.built = false};
    ml_map managed;
    managed_build(ctx, &managed);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        const char *parts[] = {r->ns, r->name};
        ml_key key;
        ml_key_join(&key, '\x1f', 2, parts);
        bool by_rollout = ml_map_get(&managed, key.s, key.n) != NULL;
        ml_key_done(&key);
        for (size_t i = 0; i < vs->nroutes; i++)
            check_route(ctx, &refs, r, &vs->routes[i], by_rollout);
    }
    if (refs.built)
        ml_map_free(&refs.map);
    ml_map_free(&managed);
}

const ml_rule ml_rule_ML304 = {
    .id = "ML304",
    .name = "route-weights",
    .level = ML_LEVEL_WARNING,
    .summary = "Route weights total 0, starve a destination, or do not add up to 100",
    .description = "Destination weights in a VirtualService route are relative shares. Three cases are "
                   "reported.\n"
                   "\n"
                   "Error: a route with several destinations whose weights total 0 (an absent weight counts "
                   "as 0). Istio's validation rejects the VirtualService with \"total destination weight = 0\".\n"
                   "\n"
                   "Warning: a destination with weight 0 (or without a weight next to weighted destinations) "
                   "whose subset no other route or mirror reaches. Envoy drops zero-weight clusters, so the "
                   "canary receives no traffic at all. A VirtualService that an Argo Rollouts Rollout in the "
                   "input names in spec.strategy.canary.trafficRouting.istio is left out: the controller "
                   "sets its weights, starting the canary at 0. Another deliberate idle canary (a rollout "
                   "that has not started) is a legitimate reason to suppress the finding.\n"
                   "\n"
                   "Note: weights that do not add up to 100. They still work, as shares of their total, and the "
                   "note gives the effective percentages; it also notes a weight on a route's only "
                   "destination, which gets all the traffic whatever its weight.",
    .remediation = "Give every destination that should receive traffic a positive weight, and write weights "
                   "that add up to 100.",
    .tags = "traffic,canary,istio",
    .precision = "very-high",
    .example_bad = "http:\n- route:\n  - destination: {host: orders, subset: stable}\n    weight: 100\n"
                   "  - destination: {host: orders, subset: canary}\n    weight: 0",
    .example_good = "http:\n- route:\n  - destination: {host: orders, subset: stable}\n    weight: 90\n"
                    "  - destination: {host: orders, subset: canary}\n    weight: 10",
    .check = check,
};
