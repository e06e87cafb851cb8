/*
 * ML312 gwapi-unknown-backend: a Gateway API route backendRef to a Service
 * that does not exist, or to a port the Service does not expose. The same
 * evidence as ML306: a missing Service is reported only when the input
 * holds Services of its namespace (or --assume-complete), no unlinted input
 * may define it, and the apply-time namespace cannot make another Service
 * the one meant; a port only when no definition the route may meet
 * exposes it.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "gwapi_common.h"

static const char *ports_text(ml_arena *a, const ml_service *svc)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < svc->nports; i++)
        if (svc->ports[i].num >= 0)
            ml_buf_printf(&b, "%s%lld", b.n ? ", " : "", svc->ports[i].num);
    const char *s = ml_strdup(a, b.s ? b.s : "none");
    ml_buf_free(&b);
    return s;
}

static void check_backend(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_gw_rule *rule,
                          const ml_gw_ref *ref)
{
    (void)arg;
    if (!ref->is_service || !ref->name)
        return;
    const char *name = ml_str(ref->name);
    if (!name || !*name || strstr(name, "{{") || strstr(name, "${"))
        return;
    ml_arena *a = ctx->arena;
    ml_vec svcs = ml_model_view(ctx->model, r, ML_K_SERVICE, ref->ns, name);
    if (!svcs.n) {
        if (!gw_service_absent(ctx, r, ref->ns, name))
            return;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ref->name),
                               "backendRef of %s names Service %s/%s, which the input does not define; "
                               "requests routed to it get a 500",
                               gw_rule_name(a, r, rule), ref->ns, name);
        ml_help(ctx, d, "route to an existing Service, or add the Service %s/%s", ref->ns, name);
        return;
    }
    if (ref->port_num < 0) {
        if (!ref->port) {
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ref->node),
                                   "backendRef of %s names Service %s/%s without a port: the Gateway API "
                                   "requires port when the backend is a Service, so the reference is invalid "
                                   "(ResolvedRefs false) and gets no traffic",
                                   gw_rule_name(a, r, rule), ref->ns, name);
            ml_help(ctx, d, "add port: N with the Service port (%s)",
                    ports_text(a, ((ml_resource *)svcs.items[0])->u.service));
        }
        return;
    }
    const ml_service *first = NULL;
    ML_VEC_EACH(const ml_resource *, sr, &svcs) {
        const ml_service *svc = sr->u.service;
        if (!svc || !svc->nports)
            return; /* a Service without ports in the input: unknown */
        for (size_t i = 0; i < svc->nports; i++)
            if (svc->ports[i].num == ref->port_num)
                return;
        if (!first)
            first = svc;
    }
    if (!first)
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ref->port),
                           "backendRef of %s sends requests to port %lld of Service %s/%s, which exposes %s: no "
                           "such port, so the requests fail",
                           gw_rule_name(a, r, rule), ref->port_num, ref->ns, name, ports_text(a, first));
    ml_note(ctx, d, ml_node_loc(ml_get(first->res->spec, "ports")), "the ports of %s",
            ml_res_display(a, first->res));
    ml_help(ctx, d, "use a port %s exposes (the Service port, not the container port)",
            ml_res_display(a, first->res));
}

static void check(ml_ctx *ctx)
{
    gw_each_backend(ctx, check_backend, NULL);
}

const ml_rule ml_rule_ML312 = {
    .id = "ML312",
    .name = "gwapi-unknown-backend",
    .level = ML_LEVEL_ERROR,
    .summary = "A Gateway API route backendRef names a Service or port that does not exist",
    .description =
        "A backendRef of an HTTPRoute, GRPCRoute, TCPRoute or TLSRoute (gateway.networking.k8s.io) names a "
        "Service that the input does not define, a port that Service does not expose, or a Service without a "
        "port. A backendRef defaults to group \"\" and kind Service, and to the route's namespace (Gateway API "
        "spec, BackendObjectReference in apis/v1/object_reference_types.go); its port is required for a "
        "Service (the CRD's validation: \"Must have port for Service reference\"). The Gateway API "
        "requires that requests routed to an invalid backend get a 500 (HTTPRouteRule.BackendRefs in "
        "apis/v1/httproute_types.go); Istio sets ResolvedRefs false with reason BackendNotFound and answers "
        "500 (Istio release note \"Gateway API: update handling of various invalid HTTPRoute/TLSRoute "
        "scenarios\"; the conversion is pilot/pkg/config/kube/gateway/conversion.go).\n"
        "\n"
        "The evidence is that of ML306: a missing Service is reported only when the input holds Services of "
        "its namespace (or with --assume-complete), when no input left unlinted may define it, and when the "
        "unbound apply-time namespace cannot make a Service of that name the one meant; a port only when no "
        "definition of the Service the route may meet (unit.h) exposes it. backendRefs of other kinds "
        "(ServiceEntry hostnames, InferencePools) are not judged.",
    .remediation = "Route to an existing Service and one of its Service ports (not the container port).",
    .tags = "traffic,gateway-api",
    .precision = "high",
    .example_bad = "kind: Service\nmetadata: {name: orders}\nspec:\n  ports: [{port: 5000, targetPort: 8080}]\n---\n"
                   "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nspec:\n  rules:\n"
                   "  - backendRefs: [{name: orders, port: 8080}]",
    .example_good = "kind: Service\nmetadata: {name: orders}\nspec:\n  ports: [{port: 5000, targetPort: 8080}]\n---\n"
                    "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nspec:\n  rules:\n"
                    "  - backendRefs: [{name: orders, port: 5000}]",
    .check = check,
};
