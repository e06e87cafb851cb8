/*
 * ML322 gateway-without-servers: an Istio Gateway with no servers (the key
 * missing, null or an empty list). Istio's validation rejects it
 * ("gateway must have at least one server", pkg/config/validation/
 * validation.go ValidateGateway); without validation it opens no port, so
 * every VirtualService bound to it routes nothing.
 */
#include "meshlint/rule.h"
#include "traffic_common.h"

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_GATEWAY]) {
        if (!ml_is_map(r->spec))
            continue; /* no spec at all: another rule's business (shape) */
        const ml_pair *p = ml_get_pair(r->spec, "servers");
        const ml_node *servers = p ? &p->value : NULL;
        if (servers && !ml_is_null(servers) && !(ml_is_seq(servers) && ml_node_n(servers) == 0))
            continue; /* servers present (a wrong type is ML002's) */
        ml_loc at = p ? ml_node_loc(&p->key) : ml_node_loc(r->name_node ? r->name_node : r->root);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s has no servers: Istio's validation rejects it (\"gateway must have at least one "
                               "server\"), and it would open no port for the VirtualServices bound to it",
                               ml_res_display(ctx->arena, r));
        ml_help(ctx, d, "add a server (port, hosts), or delete the Gateway and the bindings to it");
    }
}

const ml_rule ml_rule_ML322 = {
    .id = "ML322",
    .name = "gateway-without-servers",
    .level = ML_LEVEL_ERROR,
    .summary = "An Istio Gateway has no servers",
    .description = "A Gateway's servers are the ports, protocols and hosts it opens on the gateway proxies "
                   "its selector picks. A Gateway without servers (the key missing, null, or an empty list: "
                   "often a values file or overlay that emptied the list) is rejected by Istio's validation "
                   "with \"gateway must have at least one server\" (pkg/config/validation/validation.go "
                   "ValidateGateway); where validation does not run it opens nothing, so every VirtualService "
                   "bound to it routes no request.",
    .remediation = "Give the Gateway at least one server with a port and hosts, or remove it.",
    .tags = "traffic,gateway,validation,istio",
    .precision = "very-high",
    .example_bad = "kind: Gateway\nspec:\n  selector: {istio: ingressgateway}\n  servers: []",
    .example_good = "kind: Gateway\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n"
                    "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [\"shop.example.com\"]",
    .check = check,
};
