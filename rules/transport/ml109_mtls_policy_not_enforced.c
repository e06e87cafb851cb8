/*
 * ML109 mtls-policy-not-enforced: a STRICT PeerAuthentication that no
 * sidecar enforces. Only a sidecar enforces a PeerAuthentication; when none
 * of the workloads within the policy's scope gets one, the policy is inert
 * and their traffic is plaintext, while the manifests read as if mTLS were
 * required. The scope is taken before narrower policies override it: an
 * override changes which mode a sidecar would enforce, not whether there is
 * a sidecar to enforce anything. The notes show what decided that there is
 * no sidecar (typically the Namespace definition that won, see ML003).
 * Workloads whose sidecar state is unknown keep the rule silent.
 */
#include "meshlint/rule.h"
#include "transport_common.h"

/* The STRICT mode node of a policy: its own mode, or else the first STRICT
 * port-level entry (those count only with a selector). */
static const ml_node *strict_node(const ml_peerauth *pa, long long *port)
{
    *port = -1;
    if (pa->mode == ML_MTLS_STRICT)
        return pa->mode_node;
    if (!pa->selector)
        return NULL;
    for (size_t i = 0; i < pa->nport_level; i++)
        if (pa->port_level[i].mode == ML_MTLS_STRICT) {
            *port = pa->port_level[i].port;
            return pa->port_level[i].mode_node;
        }
    return NULL;
}

/* Notes on the narrower policies that override pa for some of the
 * workloads: they do not change the finding (no sidecar enforces either),
 * but a reader should not have to find them. */
static void override_notes(ml_ctx *ctx, ml_diag *d, const ml_peerauth *pa, const ml_vec *scope)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ml_vec seen = {0};
    ML_VEC_EACH(const ml_workload *, w, scope) {
        ml_mtls_fact f = ml_mesh_mtls(m, w, -1);
        const ml_peerauth *over = NULL;
        if (f.decided_by && f.decided_by != pa && f.scope != ML_SCOPE_DEFAULT &&
            (pa->mesh_wide ? f.scope != ML_SCOPE_MESH : !pa->selector && f.scope == ML_SCOPE_WORKLOAD))
            over = f.decided_by;
        bool dup = false;
        for (size_t i = 0; over && i < seen.n && !dup; i++)
            dup = seen.items[i] == over;
        if (!over || dup)
            continue;
        ml_vec_push(a, &seen, (void *)over);
        ml_vec which = {0};
        ML_VEC_EACH(const ml_workload *, o, scope) {
            if (ml_mesh_mtls(m, o, -1).decided_by == over)
                ml_vec_push(a, &which, (void *)o);
        }
        ml_note(ctx, d, ml_transport_pa_loc(over), "%s overrides it with %s for %s, which no sidecar enforces either",
                ml_res_display(a, over->res), ml_mtls_name(over->mode), ml_transport_names(a, &which, pa->res->ns));
    }
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!r->live || !pa)
            continue;
        long long port;
        const ml_node *strict = strict_node(pa, &port);
        if (!strict)
            continue;
        ml_vec scope = ml_transport_pa_scope(m, pa);
        if (!scope.n)
            continue;
        bool none = true;
        ML_VEC_EACH(const ml_workload *, w, &scope) {
            if (ml_transport_sidecar_of(m, w) != ML_TRANSPORT_SIDECAR_NO) {
                none = false;
                break;
            }
        }
        if (!none)
            continue;
        const char *in = pa->mesh_wide  ? "in the mesh"
                         : pa->selector ? "it selects"
                                        : ml_printf(a, "in namespace %s", r->ns);
        const char *what = port >= 0 ? ml_printf(a, "STRICT mTLS on port %lld", port) : "STRICT mTLS";
        const char *names = ml_transport_names(a, &scope, pa->mesh_wide ? NULL : r->ns);
        ml_diag *d;
        if (scope.n == 1)
            d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(strict),
                          "%s requires %s, but the only workload %s, %s, gets no Istio sidecar: nothing "
                          "enforces the policy and its traffic is plaintext",
                          ml_res_display(a, r), what, in, names);
        else
            d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(strict),
                          "%s requires %s, but none of the %zu workloads %s gets an Istio sidecar (%s): "
                          "nothing enforces the policy and their traffic is plaintext",
                          ml_res_display(a, r), what, scope.n, in, names);
        ml_transport_sidecar_notes(ctx, d, &scope);
        override_notes(ctx, d, pa, &scope);
        ml_help(ctx, d, "%s; until then the policy protects nothing",
                ml_transport_injection_help(a, scope.items[0]));
    }
}

const ml_rule ml_rule_ML109 = {
    .id = "ML109",
    .name = "mtls-policy-not-enforced",
    .level = ML_LEVEL_ERROR,
    .summary = "A STRICT PeerAuthentication covers only workloads that get no sidecar, so nothing enforces it",
    .description =
        "A PeerAuthentication is enforced by the sidecars of the workloads it covers; the application "
        "itself knows nothing of it. When none of the workloads within a STRICT policy's scope gets a "
        "sidecar (the namespace has no injection label, injection is disabled, or the pods opt out), "
        "nothing enforces the policy: calls to those workloads are plaintext and unauthenticated, while "
        "the repository reads as if mTLS were required.\n"
        "\n"
        "A common cause is a Namespace defined twice, where the definition that wins (the last one "
        "applied) lacks the istio-injection label the other has (see ML003). The finding's notes show "
        "what decided that there is no sidecar. meshlint stays silent when it cannot tell whether a "
        "workload gets a sidecar (its namespace is not in the input).",
    .remediation = "Turn sidecar injection on for the workloads (label the namespace istio-injection: "
                   "enabled in the definition that wins, or remove sidecar.istio.io/inject: \"false\"), or "
                   "delete the policy if the workloads are meant to stay outside the mesh.",
    .tags = "security,mtls,istio",
    .istio_code = NULL,
    .security_severity = 7.5,
    .precision = "high",
    .example_bad = "apiVersion: v1\n"
                   "kind: Namespace\n"
                   "metadata: {name: shop}          # no istio-injection label\n"
                   "---\n"
                   "apiVersion: security.istio.io/v1\n"
                   "kind: PeerAuthentication\n"
                   "metadata: {name: default, namespace: shop}\n"
                   "spec: {mtls: {mode: STRICT}}",
    .example_good = "apiVersion: v1\n"
                    "kind: Namespace\n"
                    "metadata: {name: shop, labels: {istio-injection: enabled}}\n"
                    "---\n"
                    "apiVersion: security.istio.io/v1\n"
                    "kind: PeerAuthentication\n"
                    "metadata: {name: default, namespace: shop}\n"
                    "spec: {mtls: {mode: STRICT}}",
    .check = check,
};
