/*
 * ML320 route-without-destination: an entry of a route list (http, tcp or
 * tls `route:`) with no destination, or a destination with no host. Istio's
 * validation rejects the whole VirtualService ("destination is required",
 * pkg/config/validation/validation.go validateHTTPRouteDestinations and
 * validateRouteDestinations; an empty host fails validateDestination). The
 * model drops such entries, so this rule reads the route list itself.
 */
#include "meshlint/rule.h"
#include "traffic_common.h"

static void check_route(ml_ctx *ctx, const ml_resource *r, const ml_route *rt)
{
    const ml_node *rs = ml_get(rt->node, "route");
    if (!ml_is_seq(rs))
        return;
    for (size_t i = 0; i < ml_node_n(rs); i++) {
        const ml_node *it = &rs->elems[i];
        const char *problem = NULL;
        const ml_node *at = it;
        if (ml_is_null(it)) {
            problem = "is empty";
        } else if (ml_is_map(it)) {
            const ml_node *d = ml_get(it, "destination");
            if (!d || ml_is_null(d)) {
                problem = "has no destination";
            } else if (ml_is_map(d)) {
                const ml_node *h = ml_get(d, "host");
                const char *hs = ml_str_nonnull(h);
                if (!h || ml_is_null(h) || (hs && !*hs)) {
                    problem = "has a destination without a host";
                    at = d;
                }
            }
        }
        if (!problem)
            continue;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(at),
                               "route[%zu] of %s in %s %s: Istio's validation rejects the VirtualService (%s)",
                               i, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), problem,
                               at == it ? "\"destination is required\"" : "an empty destination host is not a valid domain");
        ml_help(ctx, d, "give the entry a destination with a host (destination: {host: NAME}), or delete it");
    }
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++)
            check_route(ctx, r, &vs->routes[i]);
    }
}

const ml_rule ml_rule_ML320 = {
    .id = "ML320",
    .name = "route-without-destination",
    .level = ML_LEVEL_ERROR,
    .summary = "A route entry has no destination, or a destination without a host",
    .description = "Each entry of a VirtualService route list (http, tcp and tls) must name a destination "
                   "with a host. An entry such as `- {}` (often left by a template whose value was empty, or "
                   "by deleting the destination but not its list item), or a destination without host, makes "
                   "Istio's validation reject the whole VirtualService: \"destination is required\" "
                   "(pkg/config/validation/validation.go validateHTTPRouteDestinations and "
                   "validateRouteDestinations; validateDestination rejects an empty host). With validation "
                   "off, Envoy gets no cluster for the entry's share of the traffic.",
    .remediation = "Give every route entry a destination with a host, or remove the entry.",
    .tags = "traffic,validation,istio",
    .precision = "very-high",
    .example_bad = "http:\n- route:\n  - destination: {host: orders}\n    weight: 90\n  - {}",
    .example_good = "http:\n- route:\n  - destination: {host: orders}",
    .check = check,
};
