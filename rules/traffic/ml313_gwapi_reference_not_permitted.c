/*
 * ML313 gwapi-reference-not-permitted: a Gateway API reference across
 * namespaces that no ReferenceGrant permits: a route backendRef to a
 * Service of another namespace, or a Gateway listener's certificateRef to
 * a Secret of another namespace.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "gwapi_common.h"

static void report(ml_ctx *ctx, const ml_node *at, const char *what, const char *from_kind, const char *from_ns,
                   const char *to_group, const char *to_kind, const char *to_ns, const char *to_name,
                   const char *effect)
{
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(at),
                           "%s refers to %s %s/%s in another namespace, and no ReferenceGrant in namespace %s "
                           "permits %s of namespace %s to refer to it: %s",
                           what, to_kind, to_ns, to_name, to_ns, from_kind, from_ns, effect);
    ml_help(ctx, d,
            "add a ReferenceGrant in namespace %s with from: [{group: gateway.networking.k8s.io, kind: %s, "
            "namespace: %s}] and to: [{group: \"%s\", kind: %s, name: %s}]",
            to_ns, from_kind, from_ns, to_group, to_kind, to_name);
}

static void check_backend(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_gw_rule *rule,
                          const ml_gw_ref *ref)
{
    (void)arg;
    const char *name = ml_str(ref->name);
    if (!ref->is_service || !name || !*name || !ref->namespace_)
        return;
    if (ml_ns_may_equal(ctx->model, ref->ns, r->ns))
        return;
    if (gw_refgrant_permits(ctx, "gateway.networking.k8s.io", r->kind_str, r->ns, "", "Service", ref->ns, name,
                            NULL) != GW_GRANT_NONE)
        return;
    report(ctx, ref->namespace_, ml_printf(ctx->arena, "a backendRef of %s", gw_rule_name(ctx->arena, r, rule)),
           r->kind_str, r->ns, "", "Service", ref->ns, name,
           "the reference is refused (ResolvedRefs false, RefNotPermitted) and requests routed to it get a 500");
}

static void check(ml_ctx *ctx)
{
    gw_each_backend(ctx, check_backend, NULL);
    ML_VEC_EACH(const ml_resource *, r, &ctx->model->by_kind[ML_K_GW_GATEWAY]) {
        if (!r->live || !r->u.gw)
            continue;
        const ml_k8s_gateway *g = r->u.gw;
        for (size_t i = 0; i < g->nlisteners; i++) {
            const ml_node *refs = g->listeners[i].cert_refs;
            for (size_t j = 0; refs && j < ml_node_n(refs); j++) {
                const ml_node *c = &refs->elems[j];
                const ml_node *nsn = ml_get(c, "namespace");
                const char *ns = ml_str_nonnull(nsn), *name = ml_str_nonnull(ml_get(c, "name"));
                const char *grp = ml_str_nonnull(ml_get(c, "group")), *kind = ml_str_nonnull(ml_get(c, "kind"));
                if (!ns || !*ns || !name || !*name || (grp && *grp) || (kind && strcmp(kind, "Secret") != 0))
                    continue;
                if (ml_ns_may_equal(ctx->model, ns, r->ns))
                    continue;
                if (gw_refgrant_permits(ctx, "gateway.networking.k8s.io", "Gateway", r->ns, "", "Secret", ns,
                                        name, NULL) != GW_GRANT_NONE)
                    continue;
                report(ctx, nsn,
                       ml_printf(ctx->arena, "certificateRef %zu of listener %s of %s", j + 1,
                                 ml_str_nonnull(g->listeners[i].name) ? ml_str_nonnull(g->listeners[i].name) : "?",
                                 ml_res_display(ctx->arena, r)),
                       "Gateway", r->ns, "", "Secret", ns, name,
                       "the listener's certificate is refused (ResolvedRefs false, RefNotPermitted) and the "
                       "listener serves no TLS");
            }
        }
    }
}

const ml_rule ml_rule_ML313 = {
    .id = "ML313",
    .name = "gwapi-reference-not-permitted",
    .level = ML_LEVEL_ERROR,
    .summary = "A Gateway API reference to another namespace has no ReferenceGrant that permits it",
    .description =
        "A route backendRef to a Service of another namespace, or a Gateway listener's tls.certificateRefs "
        "entry for a Secret of another namespace, is valid only when a ReferenceGrant in the referent's "
        "namespace permits it: its from lists the referrer's group, kind and namespace, and its to the "
        "referent's group and kind, with a name or without one for every object of the kind (Gateway API "
        "spec, apis/v1beta1/referencegrant_types.go, and BackendObjectReference / SecretObjectReference in "
        "apis/v1/object_reference_types.go). Istio checks the grant (pilot/pkg/config/kube/gateway/"
        "references_collection.go) and otherwise marks the reference RefNotPermitted: a backend refused "
        "this way answers 500, a listener without its certificate is not programmed.\n"
        "\n"
        "A cross-namespace parentRef is not governed by a ReferenceGrant but by the listener's "
        "allowedRoutes.namespaces (ML314). A reference is judged only when the namespaces certainly differ "
        "(not through the unbound apply-time namespace), and not reported when an input left unlinted may "
        "define objects of the referent's namespace or a ReferenceGrant of a version meshlint does not read "
        "is there.",
    .remediation = "Add a ReferenceGrant in the referent's namespace that permits the referrer, or move the "
                   "referent into the route's (or Gateway's) namespace.",
    .tags = "traffic,gateway-api,security",
    .precision = "high",
    .example_bad = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: "
                   "front}\nspec:\n  rules:\n  - backendRefs: [{name: orders, namespace: shop, port: 5000}]",
    .example_good = "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: "
                    "front-routes, namespace: shop}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: "
                    "HTTPRoute, namespace: front}]\n  to: [{group: \"\", kind: Service}]",
    .check = check,
};
