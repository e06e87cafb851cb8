/*
 * ML501 no-authorization-policy: a workload whose sidecar would enforce
 * authorization, that serves traffic, and that no ALLOW, DENY or CUSTOM
 * policy applies to. Istio then admits every caller. Only workloads that are
 * known to get a sidecar count: without one, no policy could be enforced, so
 * its absence says nothing (ML508 and the transport rules speak about that).
 * Nor do workloads whose sidecar intercepts none of their ports (a
 * Prometheus that runs a sidecar only for its certificates sets
 * includeInboundPorts to ""): no policy could see their traffic.
 */
#include "authz_common.h"

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (!m->is_mesh_repo)
        return;
    /* mesh-wide policies live in the root namespace, often configured
     * outside an application's repository (see ML104) */
    const char *root = m->mesh && m->mesh->root_ns ? m->mesh->root_ns : "istio-system";
    bool root_known = ml_assume_complete(ctx) || ml_model_has_ns(m, root);
    ml_authz_index ix;
    ml_authz_index_build(ctx, &ix);
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        if (!ml_authz_has_sidecar(m, w) || !ml_authz_serves_traffic(w))
            continue;
        bool covered = false;
        ML_VEC_EACH(const ml_authz *, p, ml_authz_index_get(&ix, w)) {
            if (p->action == ML_AUTHZ_ALLOW || p->action == ML_AUTHZ_DENY || p->action == ML_AUTHZ_CUSTOM)
                covered = true;
        }
        if (covered)
            continue;
        const ml_sidecar_fact *sf = ml_mesh_sidecar(m, w);
        ml_diag *d;
        if (root_known)
            d = ml_report(ctx, ML_LEVEL_NONE, ml_authz_res_name_loc(w->res),
                          "%s has a sidecar and serves traffic, but no ALLOW, DENY or CUSTOM AuthorizationPolicy "
                          "in the input applies to it (by selector, namespace-wide in %s or mesh-wide in %s): "
                          "every mesh identity may call every method",
                          ml_res_display(ctx->arena, w->res), w->res->ns, root);
        else
            d = ml_report(ctx, ML_LEVEL_NOTE, ml_authz_res_name_loc(w->res),
                          "%s has a sidecar and serves traffic, but no ALLOW, DENY or CUSTOM AuthorizationPolicy "
                          "in the input applies to it (by selector or namespace-wide in %s), and the input holds "
                          "nothing of the root namespace %s: unless a mesh-wide policy outside the input applies, "
                          "every mesh identity may call every method",
                          ml_res_display(ctx->arena, w->res), w->res->ns, root);
        if (sf && sf->decided_by)
            ml_note(ctx, d, ml_node_loc(sf->decided_by), "it gets a sidecar because %s", sf->explain);
        ml_help(ctx, d,
                "add an ALLOW AuthorizationPolicy in namespace %s whose selector matches the pod labels of "
                "%s and whose rules name the callers (principals or namespaces) that may reach it",
                w->res->ns, ml_res_display(ctx->arena, w->res));
    }
    ml_authz_index_free(&ix);
}

const ml_rule ml_rule_ML501 = {
    .id = "ML501",
    .name = "no-authorization-policy",
    .level = ML_LEVEL_WARNING,
    .summary = "A workload with a sidecar serves traffic with no authorization policy",
    .description = "Istio allows every request to a workload that no AuthorizationPolicy applies to. "
                   "A workload with a sidecar that declares a container port (or runs a Connectum server) "
                   "and that no ALLOW, DENY or CUSTOM policy reaches (by workload selector, namespace-wide "
                   "in its namespace, or mesh-wide in the root namespace) accepts calls from every "
                   "identity in the mesh to every method: one compromised pod can call anything.\n"
                   "\n"
                   "Only workloads that are known to get a sidecar are reported (a policy could not be "
                   "enforced on the others), and only when the sidecar intercepts one of their ports: the "
                   "pod annotations traffic.sidecar.istio.io/includeInboundPorts (\"\" for none) and "
                   "excludeInboundPorts let traffic bypass it. AUDIT policies do not count (they decide "
                   "nothing), and the "
                   "rule runs only on mesh repositories (with Istio resources or an injected namespace). "
                   "A policy kept in another repository (a mesh-wide one in istio-system, say) is not "
                   "visible to meshlint: lint the two together, or disable the rule. When the input holds "
                   "no resource of the root namespace (and --assume-complete is not given), a mesh-wide "
                   "policy is unknown and the finding is a note that says so.",
    .remediation = "Add an ALLOW AuthorizationPolicy that selects the workload and lists the callers "
                   "that may reach it, or a namespace-wide deny-by-default policy (spec: {}) with "
                   "narrower ALLOW policies on top.",
    .tags = "security,authorization,istio",
    .istio_code = NULL,
    .security_severity = 5.3,
    .precision = "medium",
    .example_bad = "kind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n---\n"
                   "kind: Deployment\nmetadata: {name: orders, namespace: shop}\n"
                   "# ... containerPort: 5000, and no AuthorizationPolicy in shop or istio-system",
    .example_good = "kind: AuthorizationPolicy\nmetadata: {name: orders, namespace: shop}\n"
                    "spec:\n  selector: {matchLabels: {app: orders}}\n  action: ALLOW\n  rules:\n"
                    "  - from: [{source: {principals: [cluster.local/ns/shop/sa/checkout]}}]",
    .check = check,
};
