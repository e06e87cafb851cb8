/*
 * ML317 gwapi-route-and-virtualservice: a VirtualService for the mesh and a
 * Gateway API HTTPRoute or GRPCRoute bound to a Service (GAMMA) route the
 * same host for sidecars. Istio turns the route into a VirtualService of its
 * own (pilot/pkg/config/kube/gateway/route_collections.go: host
 * <service>.<ns>.svc.<domain>, gateways [mesh], the route's namespace, no
 * exportTo) and does not merge it with the user's: a sidecar keeps one
 * virtual host per host name, the first VirtualService that selects it
 * (pilot/pkg/model/virtualservice.go SelectVirtualServices; ML307). In each
 * visibility bucket the Gateway API routes of the client's own namespace
 * come first (features.UnifiedSidecarScoping, on by default), so clients in
 * the route's namespace use the route and lose the VirtualService; clients
 * elsewhere get the older one.
 *
 * Judged only when the VirtualService is in the route's namespace and has
 * no exportTo: then both are visible there whatever the mesh's default
 * exportTo, and the answer for that namespace does not depend on creation
 * time. The VirtualService must name the Service's host exactly (after
 * Istio's short-name resolution) and bind the mesh gateway.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "gwapi_common.h"

static void check_route(ml_ctx *ctx, const ml_resource *r)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const ml_gw_route *rt = r->u.route;
    for (size_t i = 0; i < rt->nparents; i++) {
        const ml_gw_ref *p = &rt->parents[i];
        if (!p->is_service || !p->name)
            continue;
        const char *svc = ml_str(p->name);
        if (!svc || !*svc || strstr(svc, "{{") || strstr(svc, "${"))
            continue;
        /* an earlier parentRef to the same Service already reported */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = rt->parents[j].is_service && ml_streq(ml_str(rt->parents[j].name), svc) &&
                   ml_streq(rt->parents[j].ns, p->ns);
        if (seen)
            continue;
        const char *fqdn = ml_resolve_host(m, svc, p->ns);
        ml_vec vss = ml_model_vs_for(m, fqdn);
        for (size_t vi = 0; vi < vss.n; vi++) {
            const ml_virtualservice *vs = vss.items[vi];
            const ml_resource *vr = vs->res;
            bool dup = false; /* listed once per host it names */
            for (size_t vj = 0; vj < vi && !dup; vj++)
                dup = vss.items[vj] == vs;
            if (dup)
                continue;
            if (!vr->live || !vs->mesh_gateway || vs->export_to || !ml_streq(vr->ns, r->ns) ||
                ml_export_visible(ctx->model, vr, vr->ns) != ML_EXPORT_YES)
                continue;
            if (!ml_model_meets(m, r, vr) || !ml_model_meets(m, vr, r))
                continue;
            /* the exact host, not a wildcard that also covers it */
            const ml_node *hnode = NULL;
            for (size_t h = 0; h < vs->nhosts && !hnode; h++)
                if (ml_streq(vs->fqdns[h], fqdn))
                    hnode = vs->hosts[h];
            if (!hnode)
                continue;
            bool http = false;
            for (size_t q = 0; q < vs->nroutes && !http; q++)
                http = vs->routes[q].proto == ML_ROUTE_HTTP;
            if (!http)
                continue;
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(hnode),
                                   "%s and %s both route %s for sidecars; Istio does not merge them: clients in "
                                   "namespace %s use the %s (Gateway API routes of the client's namespace come "
                                   "first) and lose every route of the VirtualService; clients in other "
                                   "namespaces that see both get whichever was created first",
                                   ml_res_display(a, vr), ml_res_display(a, r), fqdn, r->ns, r->kind_str);
            ml_note(ctx, d, ml_node_loc(p->node), "the %s's parentRef to Service %s/%s", r->kind_str, p->ns, svc);
            ml_help(ctx, d, "route %s with one of them: move the VirtualService's routes (retries, timeouts, "
                            "fault injection) into the %s, or remove the parentRef",
                    fqdn, r->kind_str);
        }
    }
}

static void check(ml_ctx *ctx)
{
    gw_each_http_route(ctx, check_route);
}

const ml_rule ml_rule_ML317 = {
    .id = "ML317",
    .name = "gwapi-route-and-virtualservice",
    .level = ML_LEVEL_WARNING,
    .summary = "A mesh VirtualService and a Gateway API route bound to a Service route the same host",
    .description =
        "An HTTPRoute or GRPCRoute whose parentRef is a Service (the GAMMA mesh binding) becomes, inside "
        "Istio, a VirtualService of the route's namespace for the host <service>.<namespace>.svc.<domain> on "
        "the mesh gateway, without exportTo (pilot/pkg/config/kube/gateway/route_collections.go, "
        "HTTPRouteCollection and GRPCRouteCollection). It is not merged with a VirtualService the user wrote "
        "for the same host: a sidecar keeps one virtual host per host name, from the first VirtualService that "
        "selects it (see ML307). SelectVirtualServices (pilot/pkg/model/virtualservice.go) walks the private, "
        "then exported-to-namespace, then public VirtualServices and, with PILOT_UNIFIED_SIDECAR_SCOPE (on by "
        "default, pilot/pkg/features/pilot.go), takes the Gateway API routes of the client's own namespace "
        "first in each group. So clients in the route's namespace use the route and none of the "
        "VirtualService's retries, timeouts, fault injection or subsets; clients in other namespaces get "
        "whichever object was created first, which the input does not show. Istio's own guide to moving to "
        "ambient mode says the same of waypoints: one workload routed by both a VirtualService and an "
        "HTTPRoute is unsupported and its behaviour undefined (istio.io, ambient, Migrate policies).\n"
        "\n"
        "Reported only when the VirtualService is in the route's namespace, has no exportTo (both are then "
        "visible there whatever the mesh's default exportTo), binds the mesh gateway, has HTTP routes and names "
        "the Service's host exactly. Both objects must be able to be applied together (unit.h).",
    .remediation = "Route a Service host with one API: move the VirtualService's routes into the route, or "
                   "remove the Service parentRef and keep the VirtualService.",
    .tags = "traffic,gateway-api,istio",
    .precision = "high",
    .example_bad = "kind: VirtualService\nmetadata: {name: orders, namespace: shop}\nspec:\n  hosts: [orders]\n"
                   "  http:\n  - retries: {attempts: 3}\n    route: [{destination: {host: orders}}]\n---\n"
                   "kind: HTTPRoute\nmetadata: {name: orders, namespace: shop}\nspec:\n"
                   "  parentRefs: [{group: \"\", kind: Service, name: orders, port: 8080}]\n"
                   "  rules: [{backendRefs: [{name: orders, port: 8080}]}]",
    .example_good = "kind: HTTPRoute\nmetadata: {name: orders, namespace: shop}\nspec:\n"
                    "  parentRefs: [{group: \"\", kind: Service, name: orders, port: 8080}]\n"
                    "  rules:\n  - backendRefs: [{name: orders, port: 8080}]\n    retry: {attempts: 3}",
    .check = check,
};
