/*
 * ML106 plaintext-service: traffic that stays plaintext in a repository that
 * uses Istio. Two cases, one finding per workload:
 *
 *   a Connectum server without `tls` whose workload gets no sidecar: nothing
 *   encrypts its traffic (the finding sits on createServer);
 *   a workload without a sidecar under a STRICT policy that sidecars
 *   elsewhere in the policy's scope do enforce: this one is left out of it
 *   (Istio's IST0102/IST0103 for the static case). As in Istio's analyzer,
 *   a workload kept out on purpose (istio-injection=disabled, a pod's
 *   sidecar.istio.io/inject=false, a system namespace, hostNetwork) is not
 *   reported: the author decided it.
 *
 * A STRICT policy that no sidecar in its scope enforces at all is ML109's
 * finding, not this one: reporting it per workload again would only repeat
 * it. Workloads whose sidecar state is unknown are never reported.
 */
#include "meshlint/rule.h"
#include "transport_common.h"

typedef struct state {
    ml_ctx *ctx;
    ml_map scopes;    /* ml_peerauth* -> scope_info* (keyed by address) */
    ml_map reported;  /* ml_workload* -> (void*)1 (keyed by address) */
    bool strict_peer_done;
    const ml_workload *strict_peer; /* first workload with a sidecar enforcing STRICT */
} state;

/* What the workloads within a policy's scope say about it, computed once
 * per policy: is it enforced by some sidecar, and which sidecar enforces
 * STRICT (for the message). */
typedef struct scope_info {
    bool enforced;
    const ml_workload *strict_peer;
} scope_info;

static const ml_workload *strict_among(const ml_model *m, const ml_vec *candidates);

static const scope_info *scope_of(state *st, const ml_peerauth *pa)
{
    ml_model *m = st->ctx->model;
    void **slot = ml_map_slot_ptr(&st->scopes, m->arena, pa);
    if (!*slot) {
        scope_info *si = ml_zalloc(m->arena, sizeof *si);
        ml_vec scope = ml_transport_pa_scope(m, pa);
        ML_VEC_EACH(const ml_workload *, w, &scope) {
            if (ml_transport_sidecar_of(m, w) == ML_TRANSPORT_SIDECAR_YES) {
                si->enforced = true;
                break;
            }
        }
        si->strict_peer = si->enforced ? strict_among(m, &scope) : NULL;
        *slot = si;
    }
    return *slot;
}

/* First workload in candidates with a sidecar that enforces STRICT. */
static const ml_workload *strict_among(const ml_model *m, const ml_vec *candidates)
{
    ML_VEC_EACH(const ml_workload *, w, candidates) {
        if (ml_transport_sidecar_of(m, w) == ML_TRANSPORT_SIDECAR_YES && ml_mesh_mtls(m, w, -1).mode == ML_MTLS_STRICT)
            return w;
    }
    return NULL;
}

static const char *reject_clause(ml_arena *a, const ml_workload *peer)
{
    if (!peer)
        return "";
    return ml_printf(a, "; sidecars that enforce STRICT mTLS, such as the one of %s, reject its plaintext calls",
                     ml_res_display(a, peer->res));
}

static void policy_note(ml_ctx *ctx, ml_diag *d, const ml_mtls_fact *f, const ml_workload *w)
{
    if (f->mode != ML_MTLS_STRICT || !f->decided_by)
        return;
    ml_note(ctx, d, f->mode_node ? ml_node_loc(f->mode_node) : ml_res_loc(f->decided_by->res),
            "%s requires STRICT mTLS for %s, but without a sidecar nothing enforces it there",
            ml_res_display(ctx->arena, f->decided_by->res), ml_res_display(ctx->arena, w->res));
}

/* One finding per server: the workloads it runs in that get no sidecar. */
static void server_case(state *st, const ml_server *s)
{
    ml_ctx *ctx = st->ctx;
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ml_vec ws = {0};
    ML_VEC_EACH(const ml_link *, l, &s->links) {
        ml_workload *w = l->workload;
        if (!w || ml_transport_sidecar_of(m, w) != ML_TRANSPORT_SIDECAR_NO)
            continue;
        if (ml_map_get_ptr(&st->reported, w))
            continue;
        ml_map_put_ptr(&st->reported, a, w, (void *)1);
        ml_vec_push(a, &ws, w);
    }
    if (!ws.n)
        return;
    if (!st->strict_peer_done) {
        st->strict_peer = strict_among(m, &m->workloads);
        st->strict_peer_done = true;
    }
    bool one = ws.n == 1;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, s->call,
                           "createServer serves plaintext: it has no tls option and %s %s no Istio sidecar, in a "
                           "repository that uses Istio, so its traffic is unencrypted%s",
                           ml_transport_names(a, &ws, NULL), one ? "gets" : "get", reject_clause(a, st->strict_peer));
    ml_transport_sidecar_notes(ctx, d, &ws);
    const ml_peerauth *noted = NULL;
    ML_VEC_EACH(const ml_workload *, w, &ws) {
        ml_mtls_fact f = ml_mesh_mtls(m, w, -1);
        if (f.decided_by && f.decided_by != noted) {
            policy_note(ctx, d, &f, w);
            noted = f.decided_by;
        }
    }
    const ml_workload *first = ws.items[0];
    ml_help(ctx, d, "%s so that a sidecar provides mTLS (or, for a service kept outside the mesh, set tls in "
                    "createServer)",
            ml_transport_injection_help(a, first));
}

/* Left out of the mesh on purpose: Istio's analyzer, too, skips a namespace
 * whose istio-injection label says anything but enabled and a pod that opts
 * out, and neither the system namespaces nor the host network ever get a
 * sidecar. */
static bool deliberately_outside(const ml_workload *w)
{
    const ml_sidecar_fact *f = w->sidecar;
    return f && (f->reason == ML_INJ_POD_OPT_OUT || f->reason == ML_INJ_NS_DISABLED ||
                 f->reason == ML_INJ_SYSTEM_NS || f->reason == ML_INJ_HOST_NETWORK);
}

static void workload_case(state *st, const ml_workload *w)
{
    ml_ctx *ctx = st->ctx;
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    if (deliberately_outside(w))
        return;
    ml_mtls_fact f = ml_mesh_mtls(m, w, -1);
    if (f.mode != ML_MTLS_STRICT || !f.decided_by)
        return;
    const scope_info *si = scope_of(st, f.decided_by);
    if (!si->enforced)
        return;
    ml_loc at = w->res->name_node ? ml_node_loc(w->res->name_node) : ml_res_loc(w->res);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                           "%s gets no Istio sidecar although %s requires STRICT mTLS for %s: its traffic is "
                           "plaintext%s",
                           ml_res_display(a, w->res), ml_res_display(a, f.decided_by->res),
                           ml_transport_scope_words(a, f.decided_by), reject_clause(a, si->strict_peer));
    policy_note(ctx, d, &f, w);
    ml_vec one = {0};
    ml_vec_push(a, &one, (void *)w);
    ml_transport_sidecar_notes(ctx, d, &one);
    ml_help(ctx, d, "%s", ml_transport_injection_help(a, w));
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    state st = {.ctx = ctx};
    ml_map_init(&st.scopes);
    ml_map_init(&st.reported);
    if (m->is_mesh_repo) {
        ML_VEC_EACH(const ml_server *, s, &m->servers) {
            if (s->tls != ML_TLS_ABSENT)
                continue;
            server_case(&st, s);
        }
    }
    ML_VEC_EACH(const ml_workload *, w, &m->workloads) {
        if (ml_transport_sidecar_of(m, w) != ML_TRANSPORT_SIDECAR_NO)
            continue;
        if (ml_map_get_ptr(&st.reported, w))
            continue;
        workload_case(&st, w);
    }
    ml_map_free(&st.scopes);
    ml_map_free(&st.reported);
}

const ml_rule ml_rule_ML106 = {
    .id = "ML106",
    .name = "plaintext-service",
    .level = ML_LEVEL_WARNING,
    .summary = "A service's traffic stays plaintext in a repository that uses Istio",
    .description =
        "A Connectum server without the tls option relies on its sidecar for encryption. When its "
        "workload gets no sidecar (the namespace is not injected, or the pod opts out), its traffic is "
        "plaintext, although the repository uses Istio and its author most likely expects mTLS. Sidecars "
        "that enforce STRICT mTLS reject its plaintext calls.\n"
        "\n"
        "The same holds for any workload without a sidecar that falls under a STRICT PeerAuthentication "
        "that sidecars elsewhere in the policy's scope do enforce: the workload is outside that "
        "protection (Istio's analyzer reports the cluster-side cases as IST0102 NamespaceNotInjected and "
        "IST0103 PodMissingProxy). Like Istio's analyzer, this case leaves out workloads kept outside the "
        "mesh on purpose: a namespace labelled istio-injection=disabled, a pod with "
        "sidecar.istio.io/inject: \"false\", a system namespace, a pod on the host network. A STRICT "
        "policy that no sidecar enforces at all is reported once, by ML109.",
    .remediation = "Give the workload a sidecar: label its namespace istio-injection: enabled, or remove "
                   "the pod's sidecar.istio.io/inject: \"false\". A service deliberately kept outside the "
                   "mesh should terminate TLS itself (createServer tls).",
    .tags = "security,mtls,istio,connectum",
    .istio_code = "IST0102, IST0103",
    .security_severity = 5.9,
    .precision = "high",
    .example_bad = "# namespace shop has no istio-injection label\n"
                   "const server = createServer({ services: [routes], port: 5000 });",
    .example_good = "apiVersion: v1\n"
                    "kind: Namespace\n"
                    "metadata: {name: shop, labels: {istio-injection: enabled}}",
    .check = check,
};
