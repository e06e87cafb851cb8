/*
 * ML321 repeated-route-destination: one route lists the same host, subset
 * and port twice, both with a positive weight. Istio turns each such
 * entry into its own weighted cluster (pilot/pkg/networking/core/route/
 * route.go applyHTTPRouteDestination), so the destination's share
 * is the sum of both weights and the split differs from what either entry
 * says; usually one entry was meant to name another subset (a canary
 * copy-pasted from stable). Kiali reports it as KIA1105.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "traffic_common.h"
#include "gwapi_common.h"

static bool same_dest(const ml_destination *a, const ml_destination *b)
{
    const char *ha = a->fqdn ? a->fqdn : ml_str(a->host);
    const char *hb = b->fqdn ? b->fqdn : ml_str(b->host);
    if (!ha || !hb || strcmp(ha, hb) != 0)
        return false;
    const char *sa = ml_str_nonnull(a->subset), *sb = ml_str_nonnull(b->subset);
    if (!ml_streq(sa ? sa : "", sb ? sb : ""))
        return false;
    return a->port_num == b->port_num;
}

/* Two backendRefs of one Gateway API rule naming the same object and port.
 * Istio builds one weighted destination per backendRef of positive weight
 * (conversion.go, buildHTTPDestination and its GRPC/TCP/TLS siblings), so
 * the same arithmetic holds. Backends with filters of their own are
 * different on purpose (a header set on one share) and are not compared. */
static bool same_backend(const ml_gw_ref *a, const ml_gw_ref *b)
{
    const char *na = ml_str_nonnull(a->name), *nb = ml_str_nonnull(b->name);
    if (!na || !nb || strcmp(na, nb) != 0 || !ml_streq(a->ns, b->ns) || !ml_streq(a->kind_s, b->kind_s) ||
        !ml_streq(a->group_s, b->group_s) || a->port_num != b->port_num)
        return false;
    return !ml_get(a->node, "filters") && !ml_get(b->node, "filters");
}

static void check_gw_rule(ml_ctx *ctx, const ml_resource *r, const ml_gw_rule *ru)
{
    for (size_t b = 1; b < ru->nbackends; b++)
        for (size_t a = 0; a < b; a++) {
            const ml_gw_ref *x = &ru->backends[a], *y = &ru->backends[b];
            if (x->weight_num <= 0 || y->weight_num <= 0 || !same_backend(x, y))
                continue;
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(y->node),
                                   "rule %zu of %s sends to %s %s/%s%s twice: the two backendRefs' weights add "
                                   "up, so the split is not what either entry says",
                                   ru->index + 1, ml_res_display(ctx->arena, r), y->kind_s, y->ns, ml_str(y->name),
                                   y->port_num >= 0 ? ml_printf(ctx->arena, " port %lld", y->port_num) : "");
            ml_note(ctx, d, ml_node_loc(x->node), "the same backend earlier in the rule");
            ml_help(ctx, d, "merge the two backendRefs into one (sum the weights), or point one of them at the "
                            "Service it was meant for");
            break;
        }
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++) {
            const ml_route *rt = &vs->routes[i];
            for (size_t b = 1; b < rt->ndest; b++) {
                for (size_t a = 0; a < b; a++) {
                    /* a weight 0 (or none, next to others) entry is skipped
                     * (route.go applyHTTPRouteDestination): no effect */
                    if (rt->dest[a].weight_num <= 0 || rt->dest[b].weight_num <= 0)
                        continue;
                    if (!same_dest(&rt->dest[a], &rt->dest[b]))
                        continue;
                    const char *subset = ml_str_nonnull(rt->dest[b].subset);
                    const char *host = ml_str(rt->dest[b].host);
                    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(rt->dest[b].node),
                                           "%s of %s sends to %s%s%s twice: the two entries' weights add up, so "
                                           "the split is not what either entry says",
                                           tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r),
                                           host ? host : "?", subset ? " subset " : "", subset ? subset : "");
                    ml_note(ctx, d, ml_node_loc(rt->dest[a].node), "the same destination earlier in the route");
                    ml_help(ctx, d, "merge the two entries into one (sum the weights), or point one of them at "
                                    "the subset it was meant for");
                    break;
                }
            }
        }
    }
    gw_each_rule(ctx, check_gw_rule);
}

const ml_rule ml_rule_ML321 = {
    .id = "ML321",
    .name = "repeated-route-destination",
    .level = ML_LEVEL_WARNING,
    .summary = "One route lists the same destination (host, subset, port) or backendRef twice",
    .description = "Within one http, tcp or tls route, two entries with the same host (as resolved), subset "
                   "and port, both with a positive weight, are two weighted clusters for the same pods "
                   "(pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination builds one weighted "
                   "cluster per destination and skips those of weight 0; pkg/config/validation/"
                   "validation.go validateHTTPRouteDestinations only checks the total weight). The "
                   "destination receives the sum of both weights, which is rarely what the author meant: "
                   "typically a canary entry copied from the stable one still names the stable subset, so the "
                   "canary gets nothing. Kiali reports this as KIA1105.\n"
                   "\n"
                   "The same holds for a Gateway API route rule whose backendRefs name the same object and "
                   "port twice with positive weights: Istio builds one weighted destination per backendRef "
                   "(pilot/pkg/config/kube/gateway/conversion.go, buildHTTPDestination, "
                   "buildGRPCDestination, buildTCPDestination). BackendRefs with filters of their own are "
                   "not compared.",
    .remediation = "List each destination once per route, or correct the subset of the copied entry.",
    .tags = "traffic,canary",
    .precision = "high",
    .example_bad = "route:\n- destination: {host: orders, subset: stable}\n  weight: 90\n"
                   "- destination: {host: orders, subset: stable}\n  weight: 10",
    .example_good = "route:\n- destination: {host: orders, subset: stable}\n  weight: 90\n"
                    "- destination: {host: orders, subset: canary}\n  weight: 10",
    .check = check,
};
