/*
 * ML315 gwapi-zero-weights: a Gateway API route rule whose backendRefs all
 * have weight 0: the rule takes the requests (or connections) it matches
 * and sends them nowhere.
 */
#include "meshlint/rule.h"
#include "gwapi_common.h"

static void check(ml_ctx *ctx)
{
    for (ml_kind k = ML_K_HTTPROUTE; k <= ML_K_TLSROUTE; k++)
        ML_VEC_EACH(const ml_resource *, r, &ctx->model->by_kind[k]) {
            if (!r->live || !r->u.route)
                continue;
            const ml_gw_route *rt = r->u.route;
            for (size_t i = 0; i < rt->nrules; i++) {
                const ml_gw_rule *ru = &rt->rules[i];
                if (!ru->nbackends)
                    continue;
                bool all_zero = true;
                for (size_t j = 0; j < ru->nbackends && all_zero; j++)
                    all_zero = ru->backends[j].weight_num == 0;
                if (!all_zero)
                    continue;
                bool http = k == ML_K_HTTPROUTE || k == ML_K_GRPCROUTE;
                ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ru->backends[0].weight),
                                       "every backendRef of %s has weight 0 (%zu backendRef%s): %s",
                                       gw_rule_name(ctx->arena, r, ru), ru->nbackends, ru->nbackends == 1 ? "" : "s",
                                       http ? "the requests the rule matches get a 500"
                                            : "the connections the rule matches are refused");
                ml_help(ctx, d, "give at least one backendRef a positive weight (weight defaults to 1 when "
                                "omitted), or remove the rule");
            }
        }
}

const ml_rule ml_rule_ML315 = {
    .id = "ML315",
    .name = "gwapi-zero-weights",
    .level = ML_LEVEL_ERROR,
    .summary = "Every backendRef of a Gateway API route rule has weight 0",
    .description =
        "A backendRef's weight defaults to 1 (BackendRef.Weight in apis/v1/httproute_types.go); a rule whose "
        "backendRefs all set weight 0 matches requests and sends them to no backend. The Gateway API requires "
        "a 500 for such HTTP requests and that connections be rejected for TCPRoute and TLSRoute "
        "(HTTPRouteRule.BackendRefs, apis/v1/httproute_types.go); Istio drops zero-weight backends and, "
        "when the weights sum to 0, rejects the traffic (pilot/pkg/config/kube/gateway/conversion.go, "
        "weightSum / tcpWeightSum and the \"zero-weight\" destination). The VirtualService counterpart is "
        "ML304.",
    .remediation = "Give at least one backendRef a positive weight, or remove the rule.",
    .tags = "traffic,gateway-api,canary",
    .precision = "very-high",
    .example_bad = "kind: HTTPRoute\nspec:\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: 0}\n"
                   "    - {name: web-v2, port: 80, weight: 0}",
    .example_good = "kind: HTTPRoute\nspec:\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: 90}\n"
                    "    - {name: web-v2, port: 80, weight: 10}",
    .check = check,
};
