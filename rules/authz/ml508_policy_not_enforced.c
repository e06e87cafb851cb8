/*
 * ML508 policy-not-enforced: an AuthorizationPolicy applies to workloads
 * that get no Istio sidecar. Authorization is enforced by the sidecar; where
 * there is none, the policy is configuration that nothing reads, and the
 * workload accepts every request while the manifests say otherwise.
 *
 * The sidecar facts are the shared ones (mesh.h): the finding repeats their
 * explanation and points at what decided (the namespace definition that
 * wins, or the pod's opt-out), and at an earlier definition of the namespace
 * that did enable injection when a later one replaced it. A workload whose
 * injection is unknown (namespace not in the input) is never counted. A
 * mesh-wide policy is reported only when no workload at all gets a sidecar;
 * a namespace-wide one with no workload in the input is judged from its
 * Namespace's labels. A namespace- or mesh-wide policy does not count the
 * workloads without a sidecar that serve nothing (no container port, no
 * server), for there are no requests to them for it to decide, nor those on
 * the host network, which can never get a sidecar.
 */
#include <string.h>

#include "authz_common.h"

static const char *where(ml_arena *a, const ml_resource *r)
{
    ml_loc l = ml_authz_res_name_loc(r);
    return ml_printf(a, "%s:%u", l.file && l.file->path ? l.file->path : "?", (unsigned)l.line);
}

/* A note on an earlier definition of the namespace that enabled injection. */
static void note_replaced_ns(ml_ctx *ctx, ml_diag *d, const ml_resource *nsr)
{
    for (const ml_resource *prev = nsr ? nsr->prev_def : NULL; prev; prev = prev->prev_def) {
        if (prev->replaced_by != nsr)
            continue; /* an alternative, not a definition nsr replaces */
        const char *inj = ml_label(prev->labels, "istio-injection");
        const char *rev = ml_label(prev->labels, "istio.io/rev");
        if (ml_streq(inj, "enabled") || (!inj && rev && *rev)) {
            ml_note(ctx, d, ml_authz_res_name_loc(prev),
                    "this earlier definition of Namespace %s enables injection, but the one at %s replaces it "
                    "when applied (later in the same group, see ML003)",
                    nsr->name, where(ctx->arena, nsr));
            return;
        }
    }
}

static void note_reasons(ml_ctx *ctx, ml_diag *d, const ml_vec *lacking)
{
    const void *seen[4] = {0};
    size_t nseen = 0;
    ML_VEC_EACH(const ml_workload *, w, lacking) {
        const ml_sidecar_fact *f = ml_mesh_sidecar(ctx->model, w);
        const void *key = f->decided_by ? (const void *)f->decided_by : (const void *)f->namespace_res;
        bool dup = false;
        for (size_t j = 0; j < nseen && !dup; j++)
            dup = seen[j] == key;
        if (dup || nseen == 4)
            continue;
        seen[nseen++] = key;
        ml_loc at = f->decided_by ? ml_node_loc(f->decided_by)
                    : f->namespace_res ? ml_authz_res_name_loc(f->namespace_res)
                                       : ml_authz_res_name_loc(w->res);
        if (w_i == 0) /* its explanation is already in the message */
            ml_note(ctx, d, at, "this decides that there is no sidecar");
        else
            ml_note(ctx, d, at, "no sidecar for %s: %s", ml_res_display(ctx->arena, w->res), f->explain);
        if (f->reason == ML_INJ_NO_LABEL && !f->decided_by)
            note_replaced_ns(ctx, d, f->namespace_res);
    }
}

static void report_workloads(ml_ctx *ctx, const ml_resource *r, const ml_vec *all, bool selectorless, bool mesh_wide)
{
    const ml_model *m = ctx->model;
    ml_vec lacking = {0}, kept = {0};
    const ml_vec *ws = all;
    size_t with = 0;
    if (selectorless) {
        /* A namespace- or mesh-wide policy covers whatever runs there; a
         * workload without a sidecar that serves nothing (a batch Job that
         * opts out, say) has no requests for it to decide, and one on the
         * host network can never get a sidecar: neither is a gap in it. */
        ML_VEC_EACH(ml_workload *, w, all) {
            if (!ml_authz_lacks_sidecar(m, w) ||
                (ml_authz_serves_traffic(w) && ml_mesh_sidecar(m, w)->reason != ML_INJ_HOST_NETWORK))
                ml_vec_push(ctx->arena, &kept, w);
        }
        ws = &kept;
    }
    ML_VEC_EACH(ml_workload *, w, ws) {
        if (ml_authz_lacks_sidecar(m, w))
            ml_vec_push(ctx->arena, &lacking, w);
        else if (ml_authz_has_sidecar(m, w))
            with++;
    }
    if (lacking.n == 0 || (mesh_wide && lacking.n != ws->n))
        return;
    const ml_workload *w0 = lacking.items[0];
    const ml_sidecar_fact *f0 = ml_mesh_sidecar(m, w0);
    const char *name = ml_res_display(ctx->arena, r);
    ml_diag *d;
    if (lacking.n == ws->n)
        d = ml_report(ctx, ML_LEVEL_NONE, ml_authz_res_name_loc(r),
                      "%s applies to %s, and %s: nothing enforces it, because %s",
                      name, ml_authz_workload_list(ctx->arena, &lacking, 3),
                      lacking.n == 1 ? "it gets no Istio sidecar" : "none of them gets an Istio sidecar",
                      f0->explain);
    else
        d = ml_report(ctx, ML_LEVEL_NONE, ml_authz_res_name_loc(r),
                      "%s is not enforced on %s, which %s no Istio sidecar (%zu of the %zu workloads it applies to "
                      "%s one), because %s",
                      name, ml_authz_workload_list(ctx->arena, &lacking, 3), lacking.n == 1 ? "gets" : "get",
                      with, ws->n, with == 1 ? "has" : "have", f0->explain);
    note_reasons(ctx, d, &lacking);
    if (f0->reason == ML_INJ_NO_LABEL || f0->reason == ML_INJ_NS_DISABLED)
        ml_help(ctx, d, "label namespace %s istio-injection: enabled (in the definition that wins) and restart "
                        "its pods, or delete the policy if the namespace is meant to stay outside the mesh",
                w0->res->ns);
    else if (f0->reason == ML_INJ_POD_OPT_OUT)
        ml_help(ctx, d, "remove sidecar.istio.io/inject: \"false\" from the pod template of %s, or enforce the "
                        "access rule elsewhere",
                ml_res_display(ctx->arena, w0->res));
    else
        ml_help(ctx, d, "run the workloads in a namespace with sidecar injection, or enforce the access rule "
                        "elsewhere");
}

/* A namespace-wide policy in a namespace the input has no workload in: the
 * Namespace's own labels are all there is to judge. */
static void report_empty_namespace(ml_ctx *ctx, const ml_resource *r)
{
    /* Every Namespace definition the policy may meet must leave it
     * unenforced (alternatives, unit.h); the first one is reported. */
    ml_vec defs = ml_model_view(ctx->model, r, ML_K_NAMESPACE, r->ns, r->ns);
    if (!defs.n)
        return;
    for (size_t i = 1; i < defs.n; i++) {
        const ml_resource *alt = defs.items[i];
        const char *ainj = ml_label(alt->labels, "istio-injection");
        const char *arev = ml_label(alt->labels, "istio.io/rev");
        if (ml_streq(ainj, "enabled") || (!ainj && arev && *arev))
            return;
    }
    const ml_resource *nsr = defs.items[0];
    const ml_pair *inj = ml_get_pair(nsr->labels, "istio-injection");
    const char *injv = inj ? ml_str(&inj->value) : NULL;
    const char *rev = ml_label(nsr->labels, "istio.io/rev");
    bool enabled = ml_streq(injv, "enabled") || (!injv && rev && *rev);
    if (enabled)
        return;
    const char *why = ml_streq(injv, "disabled")
                          ? ml_printf(ctx->arena, "namespace %s has istio-injection=disabled", r->ns)
                          : ml_printf(ctx->arena, "namespace %s (%s) has no istio-injection or istio.io/rev label",
                                      r->ns, where(ctx->arena, nsr));
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_authz_res_name_loc(r),
                           "%s is namespace-wide, but %s: its pods get no Istio sidecar%s, so nothing enforces it",
                           ml_res_display(ctx->arena, r), why,
                           ml_streq(injv, "disabled") ? "" : " unless each opts in");
    ml_note(ctx, d, inj ? ml_node_loc(&inj->key) : ml_authz_res_name_loc(nsr), "Namespace %s is defined here",
            r->ns);
    if (!inj)
        note_replaced_ns(ctx, d, nsr);
    ml_help(ctx, d, "label namespace %s istio-injection: enabled, or delete the policy", r->ns);
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    const char *root = m->mesh ? m->mesh->root_ns : "istio-system";
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        const ml_authz *p = r->u.authz;
        if (!r->live || !p || p->action == ML_AUTHZ_INVALID || (p->target_refs && !p->selector))
            continue;
        bool mesh_wide = !p->selector && strcmp(r->ns, root) == 0;
        ml_vec ws = ml_mesh_authz_workloads(m, p);
        if (ws.n)
            report_workloads(ctx, r, &ws, !p->selector, mesh_wide);
        else if (!p->selector && !mesh_wide)
            report_empty_namespace(ctx, r);
    }
}

const ml_rule ml_rule_ML508 = {
    .id = "ML508",
    .name = "policy-not-enforced",
    .level = ML_LEVEL_ERROR,
    .summary = "An AuthorizationPolicy applies to workloads that get no sidecar to enforce it",
    .description = "Istio enforces AuthorizationPolicies in the workload's sidecar (or a waypoint). A "
                   "policy whose workloads get no sidecar (their namespace has no istio-injection=enabled "
                   "or istio.io/rev label, or injection is disabled, or the pod opts out) is read by "
                   "nothing: the workload accepts every request, while the manifests promise access "
                   "control. A classic cause is a Namespace defined twice, the definition that wins "
                   "lacking the injection label (see ML003).\n"
                   "\n"
                   "The finding says what decided that there is no sidecar and points at it. Workloads "
                   "whose injection is unknown (their namespace is not in the input) are not counted. A "
                   "mesh-wide policy (root namespace, no selector) is reported only when no workload at "
                   "all gets a sidecar; a namespace-wide policy in a namespace without workloads in the "
                   "input is judged from the Namespace's labels. A policy without a selector does not "
                   "count workloads that get no sidecar and serve nothing (no container port and no "
                   "Connectum server), such as a batch Job that opts out of injection, nor pods on the host "
                   "network, which Istio never injects.",
    .remediation = "Enable injection for the namespace (istio-injection: enabled, in the definition that "
                   "wins) and restart its pods, remove the pod's opt-out, or enforce the rule elsewhere.",
    .tags = "security,authorization,injection,istio",
    .istio_code = NULL,
    .security_severity = 7.5,
    .precision = "very-high",
    .example_bad = "kind: Namespace\nmetadata: {name: shop}   # no istio-injection label\n---\n"
                   "kind: AuthorizationPolicy\nmetadata: {name: orders, namespace: shop}\n"
                   "spec: {selector: {matchLabels: {app: orders}}, rules: [...]}",
    .example_good = "kind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}",
    .check = check,
};
