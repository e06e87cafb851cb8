/*
 * ML315 gwapi-zero-weights: a Gateway API route rule whose backendRefs all
 * have weight 0: the rule takes the requests (or connections) it matches
 * and sends them nowhere.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "gwapi_common.h"

/* A rule of an HTTPRoute or GRPCRoute without backendRefs whose filters
 * Istio converts and none of which answers by itself: Istio gives it a
 * direct response 500 (convertHTTPRoute / convertGRPCRoute: weightSum 0 and
 * no redirect). NULL when the rule is fine or not judged (a filter type
 * Istio does not convert, such as ExtensionRef, fails the route instead). */
static const char *no_backend_words(const ml_resource *r, const ml_gw_rule *ru)
{
    static const char *const known[] = {"RequestHeaderModifier", "ResponseHeaderModifier", "RequestMirror",
                                        "URLRewrite", "CORS"};
    const ml_node *b = ml_get(ru->node, "backendRefs");
    if (ru->nbackends || (b && !ml_is_null(b) && !ml_is_seq(b)))
        return NULL;
    bool grpc = r->kind == ML_K_GRPCROUTE;
    size_t nf = ml_is_seq(ru->filters) ? ml_node_n(ru->filters) : 0;
    if (ru->filters && !ml_is_null(ru->filters) && !ml_is_seq(ru->filters))
        return NULL;
    for (size_t i = 0; i < nf; i++) {
        const char *type = ml_str_nonnull(ml_get(&ru->filters->elems[i], "type"));
        if (!type || strcmp(type, "RequestRedirect") == 0)
            return NULL;
        bool ok = false;
        for (size_t k = 0; k < (grpc ? 3 : sizeof known / sizeof known[0]) && !ok; k++)
            ok = strcmp(type, known[k]) == 0;
        if (!ok)
            return NULL;
    }
    return nf ? "has no backendRefs, and none of its filters answers by itself (no RequestRedirect)"
              : "has no backendRefs and no filters";
}

static void check_rule(ml_ctx *ctx, const ml_resource *r, const ml_gw_rule *ru)
{
    ml_kind k = r->kind;
    if (!ru->nbackends) {
        const char *why = k == ML_K_HTTPROUTE || k == ML_K_GRPCROUTE ? no_backend_words(r, ru) : NULL;
        if (!why)
            return;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ru->node),
                               "%s %s: Istio answers every request it matches with a 500 (a rule whose backend "
                               "weights sum to 0 and that does not redirect gets a direct response 500)",
                               gw_rule_name(ctx->arena, r, ru), why);
        ml_help(ctx, d, "add the backendRefs the rule should send to, or a RequestRedirect filter, or remove the "
                        "rule");
        return;
    }
    bool all_zero = true;
    for (size_t j = 0; j < ru->nbackends && all_zero; j++)
        all_zero = ru->backends[j].weight_num == 0;
    if (!all_zero)
        return;
    bool http = k == ML_K_HTTPROUTE || k == ML_K_GRPCROUTE;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ru->backends[0].weight),
                           "every backendRef of %s has weight 0 (%zu backendRef%s): %s",
                           gw_rule_name(ctx->arena, r, ru), ru->nbackends, ru->nbackends == 1 ? "" : "s",
                           http ? "the requests the rule matches get a 500"
                                : "the connections the rule matches are refused");
    ml_help(ctx, d, "give at least one backendRef a positive weight (weight defaults to 1 when omitted), or remove "
                    "the rule");
}

static void check(ml_ctx *ctx)
{
    gw_each_rule(ctx, check_rule);
}

const ml_rule ml_rule_ML315 = {
    .id = "ML315",
    .name = "gwapi-zero-weights",
    .level = ML_LEVEL_ERROR,
    .summary = "A Gateway API route rule sends to no backend: every backendRef has weight 0, or it has none and "
               "does not redirect",
    .description =
        "A backendRef's weight defaults to 1 (BackendRef.Weight in apis/v1/httproute_types.go); a rule whose "
        "backendRefs all set weight 0 matches requests and sends them to no backend. The Gateway API requires "
        "a 500 for such HTTP requests and that connections be rejected for TCPRoute and TLSRoute "
        "(HTTPRouteRule.BackendRefs, apis/v1/httproute_types.go); Istio drops zero-weight backends and, "
        "when the weights sum to 0, rejects the traffic (pilot/pkg/config/kube/gateway/conversion.go, "
        "weightSum / tcpWeightSum and the \"zero-weight\" destination). The VirtualService counterpart is "
        "ML304.\n"
        "\n"
        "The same holds for an HTTPRoute or GRPCRoute rule with no backendRefs at all: convertHTTPRoute and "
        "convertGRPCRoute give a rule whose weights sum to 0 and that has no RequestRedirect filter a direct "
        "response 500. Reported when every filter of the rule is one Istio converts (RequestHeaderModifier, "
        "ResponseHeaderModifier, RequestMirror, and for HTTPRoute URLRewrite and CORS) and none is a "
        "RequestRedirect; a rule with another filter type (ExtensionRef, an implementation's own) is not "
        "judged.",
    .remediation = "Give at least one backendRef a positive weight, or remove the rule.",
    .tags = "traffic,gateway-api,canary",
    .precision = "very-high",
    .example_bad = "kind: HTTPRoute\nspec:\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: 0}\n"
                   "    - {name: web-v2, port: 80, weight: 0}",
    .example_good = "kind: HTTPRoute\nspec:\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: 90}\n"
                    "    - {name: web-v2, port: 80, weight: 10}",
    .check = check,
};
