/*
 * ML324 destination-rule-unknown-host: a DestinationRule whose host is no
 * Service and no ServiceEntry. Its policies and subsets then configure
 * nothing. A repository seldom holds every Service its rules name, so the
 * rule speaks only when the input is declared complete (--assume-complete).
 */
#include <string.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

/* A ServiceEntry host equal to the host (as written or resolved) or a
 * wildcard ServiceEntry host covering it, whatever its exportTo. */
static bool declared_by_serviceentry(const ml_model *m, ml_arena *a, const char *written, const char *fqdn)
{
    if (ml_map_gets(&m->se_by_host, written) || ml_map_gets(&m->se_by_host, fqdn) ||
        ml_map_gets(&m->se_by_host, "*"))
        return true;
    for (const char *p = strchr(fqdn, '.'); p; p = strchr(p + 1, '.'))
        if (ml_map_gets(&m->se_by_host, ml_printf(a, "*%s", p)))
            return true;
    return false;
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (!ml_assume_complete(ctx) || ml_model_has_apply_time(m))
        return;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!r->live || !dr || !dr->fqdn || !*dr->fqdn || strchr(dr->fqdn, '*'))
            continue;
        const char *written = ml_str(dr->host);
        if (!written)
            continue;
        const ml_vec *svcs = ml_model_services_for(m, dr->fqdn);
        if (svcs && svcs->n)
            continue;
        if (declared_by_serviceentry(m, ctx->arena, written, dr->fqdn) || tr_is_control_plane_host(ctx, dr->fqdn))
            continue;
        const char *ns = tr_fqdn_ns(ctx, dr->fqdn);
        if (ml_model_unlinted_may_define(m, ns))
            continue;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(dr->host),
                               "%s is for host %s (%s), which no Service or ServiceEntry of the input declares "
                               "(--assume-complete): its traffic policy and subsets apply to no destination",
                               ml_res_display(ctx->arena, r), written, dr->fqdn);
        ml_help(ctx, d, "correct the host to the Service it is meant for, or remove the DestinationRule");
    }
}

const ml_rule ml_rule_ML324 = {
    .id = "ML324",
    .name = "destination-rule-unknown-host",
    .level = ML_LEVEL_WARNING,
    .summary = "A DestinationRule's host is no Service or ServiceEntry (with --assume-complete)",
    .description = "A DestinationRule applies to the service whose hostname its host matches: Istio resolves a "
                   "short host in the rule's namespace (ResolveShortnameToFQDN, pkg/config/model.go) and picks "
                   "the rule for a service by host (PushContext.destinationRule with MostSpecificHostMatch, "
                   "pilot/pkg/model/push_context.go). A rule whose host is no Kubernetes Service and no "
                   "ServiceEntry host configures no cluster: its load balancing, connection pool, TLS and "
                   "subsets take effect nowhere, usually because of a typo or a Service renamed or removed.\n"
                   "\n"
                   "Services are often deployed from other repositories, so the rule reports only when the "
                   "input is declared complete with --assume-complete (and the namespace of manifests without "
                   "one is bound, and no input was left unlinted that may define the Service). Wildcard hosts, "
                   "Istio's own control-plane Services, and hosts a ServiceEntry declares (exactly or through a "
                   "wildcard host) are never reported.",
    .remediation = "Point the host at an existing Service or ServiceEntry host, or delete the DestinationRule.",
    .tags = "traffic,destinationrule,istio",
    .precision = "high",
    .example_bad = "kind: Service\nmetadata: {name: orders, namespace: shop}\n---\nkind: DestinationRule\n"
                   "metadata: {name: orders, namespace: shop}\nspec:\n  host: order\n"
                   "  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}",
    .example_good = "kind: Service\nmetadata: {name: orders, namespace: shop}\n---\nkind: DestinationRule\n"
                    "metadata: {name: orders, namespace: shop}\nspec:\n  host: orders\n"
                    "  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}",
    .check = check,
};
