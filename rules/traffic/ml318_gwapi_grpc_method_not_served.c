/*
 * ML318 gwapi-grpc-method-not-served: a GRPCRoute method match (type
 * Exact) naming a service, or a method of it, that no Connectum server
 * behind the rule's backends mounts. Requests that match reach backends
 * that answer Unimplemented; more often the name has a typo and the calls
 * meant for the rule fall through to another rule or to none.
 *
 * Istio turns a GRPCRoute method match into an exact (or prefix, for a
 * service alone) URI match on /<service>/<method>
 * (pilot/pkg/config/kube/gateway/conversion.go, createGRPCURIMatch). What a
 * server mounts comes from the .proto files in the input and the services
 * the code mounts (proto.h, ml_workloads_mount_rpc): judged only when every
 * workload behind every backend Service runs a linked Connectum server in
 * each application container and all their mounts are known.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "meshlint/proto.h"
#include "gwapi_common.h"

/* The workloads behind every backendRef of the rule, or false when one
 * backend is not a Service the route can see. */
static bool rule_workloads(const ml_model *m, const ml_resource *r, const ml_gw_rule *rule, ml_arena *a, ml_vec *ws)
{
    if (!rule->nbackends)
        return false;
    for (size_t b = 0; b < rule->nbackends; b++) {
        const ml_gw_ref *ref = &rule->backends[b];
        const char *name = ref->name ? ml_str(ref->name) : NULL;
        if (!ref->is_service || !name || !*name)
            return false;
        ml_vec svcs = ml_model_view(m, r, ML_K_SERVICE, ref->ns, name);
        if (!svcs.n)
            return false;
        ML_VEC_EACH(const ml_resource *, sr, &svcs) {
            const ml_service *svc = sr->u.service;
            if (!svc || !svc->workloads.n)
                return false;
            ML_VEC_EACH(ml_workload *, w, &svc->workloads) {
                ml_vec_push(a, ws, w);
            }
        }
    }
    return ws->n > 0;
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (!m->proto_services.n)
        return;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_GRPCROUTE]) {
        const ml_gw_route *rt = r->u.route;
        if (!r->live || !rt)
            continue;
        for (size_t i = 0; i < rt->nrules; i++) {
            const ml_gw_rule *rule = &rt->rules[i];
            if (!ml_is_seq(rule->matches))
                continue;
            ml_vec ws = {0};
            bool have = false, tried = false;
            for (size_t k = 0; k < ml_node_n(rule->matches); k++) {
                const ml_node *meth = ml_get(&rule->matches->elems[k], "method");
                const char *type = ml_str_nonnull(ml_get(meth, "type"));
                if (!meth || (type && strcmp(type, "Exact") != 0))
                    continue;
                const ml_node *sn = ml_get(meth, "service"), *mn = ml_get(meth, "method");
                const char *svc = ml_str_nonnull(sn), *method = ml_str_nonnull(mn);
                if (!svc || !*svc || (mn && (!method || !*method)))
                    continue;
                if (!tried) {
                    tried = true;
                    have = rule_workloads(m, r, rule, a, &ws);
                }
                if (!have || ml_workloads_mount_rpc(m, &ws, svc, method) != ML_NO)
                    continue;
                const ml_proto_service *ps = NULL;
                const char *dot = strrchr(svc, '.');
                ps = ml_proto_find(m, dot ? dot + 1 : svc);
                bool svc_mounted = ps && !strcmp(ps->type_name, svc) && method;
                bool has_method = false;
                for (size_t q = 0; svc_mounted && q < ps->nmethods; q++)
                    has_method |= !strcmp(ps->methods[q].name, method);
                if (has_method)
                    svc_mounted = false; /* the method exists: the service is left out of enabledServices */
                const char *where = ml_res_display(a, ((const ml_workload *)ws.items[0])->res);
                ml_diag *d = ml_report(
                    ctx, ML_LEVEL_NONE, ml_node_loc(svc_mounted ? mn : sn),
                    "%s matches %s, which no Connectum server behind it (%s%s) mounts%s: matching calls get "
                    "Unimplemented",
                    gw_rule_name(a, r, rule),
                    method ? ml_printf(a, "method %s/%s", svc, method) : ml_printf(a, "service %s", svc), where,
                    ws.n > 1 ? ml_printf(a, " and %zu more", ws.n - 1) : "",
                    svc_mounted ? ml_printf(a, " (%s is mounted, without that method)", svc) : "");
                if (svc_mounted)
                    ml_note(ctx, d, ps->loc, "%s declares its methods here", ps->type_name);
                ml_help(ctx, d, "name the service by its full type name from the .proto (package plus service) "
                                "and the method as declared there");
            }
        }
    }
}

const ml_rule ml_rule_ML318 = {
    .id = "ML318",
    .name = "gwapi-grpc-method-not-served",
    .level = ML_LEVEL_WARNING,
    .summary = "A GRPCRoute method match names an RPC that no Connectum server behind it mounts",
    .description = "Reads each GRPCRoute rule's method matches of type Exact and reports one whose "
                   "service, or method of a mounted service, no Connectum server behind the rule's backend "
                   "Services mounts.\n"
                   "\n"
                   "Istio turns a GRPCRoute method match into a URI match on /<service>/<method> (exact, "
                   "or a prefix for a service alone: pilot/pkg/config/kube/gateway/conversion.go, "
                   "createGRPCURIMatch), and a gRPC call's path is its service's full type name and the "
                   "method's name. A match naming an RPC the backends do not serve sends what it matches "
                   "to servers that answer Unimplemented; usually the name has a typo, so the calls meant "
                   "for the rule fall through to another rule or to none. What a server mounts comes from "
                   "defineService, defineLazyService or router.service in its package and the .proto "
                   "files in the input (see ML410). Silent unless every workload behind every backend "
                   "Service runs a linked Connectum server in each application container and every "
                   "service those servers mount is declared by a .proto in the input; grpc.* services "
                   "and RegularExpression matches are not judged.",
    .remediation = "Name the service by its full type name from the .proto (package plus service name) and "
                   "the method as declared.",
    .tags = "traffic,gateway-api,grpc,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "matches:\n"
                   "  - method: { service: acme.orders.v1.OrdersService, method: Get }",
    .example_good = "matches:\n"
                    "  - method: { service: acme.orders.v1.OrderService, method: Get }",
    .check = check,
};
