/*
 * ML104 mtls-not-enforced: a namespace whose workloads get sidecars, but no
 * PeerAuthentication sets a mode for them, so Istio's default, PERMISSIVE,
 * applies and their sidecars accept plaintext. The question is asked per
 * workload through src/mesh.c (the effective mode came from the default) and
 * answered per namespace, so that one finding names the namespace and the
 * workloads. Only a repository that uses the mesh is asked: elsewhere the
 * absence of policies means nothing.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "transport_common.h"

/* Where a namespace's injection was decided: its label when it has one. */
static ml_loc ns_loc(const ml_vec *ws)
{
    ML_VEC_EACH(const ml_workload *, w, ws) {
        const ml_sidecar_fact *f = w->sidecar;
        if (f && f->decided_by && (f->reason == ML_INJ_NS_LABEL || f->reason == ML_INJ_NS_REV))
            return ml_node_loc(f->decided_by);
    }
    const ml_workload *first = ws->items[0];
    const ml_sidecar_fact *f = first->sidecar;
    if (f && f->namespace_res)
        return f->namespace_res->name_node ? ml_node_loc(f->namespace_res->name_node)
                                           : ml_res_loc(f->namespace_res);
    if (f && f->decided_by)
        return ml_node_loc(f->decided_by);
    return first->res->name_node ? ml_node_loc(first->res->name_node) : ml_res_loc(first->res);
}

static void unset_note(ml_ctx *ctx, ml_diag *d, const ml_peerauth *pa)
{
    if (!pa)
        return;
    ml_note(ctx, d, ml_transport_pa_loc(pa), "%s %s, so it decides nothing", ml_res_display(ctx->arena, pa->res),
            pa->mode == ML_MTLS_INVALID ? "has a mode Istio rejects" : "leaves mtls.mode unset");
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    if (!m->is_mesh_repo)
        return;
    ml_map by_ns;
    ml_map_init(&by_ns);
    ml_vec order = {0};
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        if (ml_transport_sidecar_of(m, w) != ML_TRANSPORT_SIDECAR_YES)
            continue;
        if (ml_mesh_mtls(m, w, -1).scope != ML_SCOPE_DEFAULT)
            continue;
        if (!ml_map_vec(&by_ns, w->res->ns, strlen(w->res->ns)))
            ml_vec_push(a, &order, (void *)w->res->ns);
        ml_map_push(&by_ns, a, w->res->ns, strlen(w->res->ns), w);
    }
    const char *root = m->mesh && m->mesh->root_ns ? m->mesh->root_ns : "istio-system";
    /* The mesh-wide policy lives in the root namespace, which a platform
     * team usually configures outside an application's repository: only
     * an input that holds something of it (or --assume-complete) shows
     * that there is none. Otherwise the finding is a note saying so. */
    bool root_known = ml_assume_complete(ctx) || ml_model_has_ns(m, root);
    ML_VEC_EACH(const char *, ns, &order) {
        const ml_vec *ws = ml_map_vec(&by_ns, ns, strlen(ns));
        const ml_workload *first = ws->items[0];
        bool one = ws->n == 1;
        ml_diag *d;
        if (root_known)
            d = ml_report(ctx, ML_LEVEL_NONE, ns_loc(ws),
                          "in namespace %s, %s %s an Istio sidecar but no PeerAuthentication in namespace "
                          "%s or in the root namespace %s sets an mTLS mode for %s, so Istio's default "
                          "PERMISSIVE accepts plaintext calls",
                          ns, ml_transport_names(a, ws, ns), one ? "gets" : "get", ns, root, one ? "it" : "them");
        else
            d = ml_report(ctx, ML_LEVEL_NOTE, ns_loc(ws),
                          "in namespace %s, %s %s an Istio sidecar but no PeerAuthentication in namespace %s "
                          "sets an mTLS mode for %s, and the input holds nothing of the root namespace %s: "
                          "unless a mesh-wide PeerAuthentication outside the input sets one, Istio's default "
                          "PERMISSIVE accepts plaintext calls",
                          ns, ml_transport_names(a, ws, ns), one ? "gets" : "get", ns, one ? "it" : "them", root);
        ml_mtls_fact f = ml_mesh_mtls(m, first, -1);
        unset_note(ctx, d, f.workload_pa);
        unset_note(ctx, d, f.namespace_pa);
        unset_note(ctx, d, f.mesh_pa);
        /* The namespace label is the primary location already; show the
         * pods that opted in on their own. */
        ml_vec opted_in = {0};
        ML_VEC_EACH(ml_workload *, w, ws) {
            if (w->sidecar && w->sidecar->reason == ML_INJ_POD_OPT_IN)
                ml_vec_push(a, &opted_in, w);
        }
        ml_transport_sidecar_notes(ctx, d, &opted_in);
        ml_help(ctx, d,
                "add a PeerAuthentication without a selector and with mtls.mode: STRICT to namespace %s (or "
                "one in %s for the whole mesh)",
                ns, root);
    }
    ml_map_free(&by_ns);
}

const ml_rule ml_rule_ML104 = {
    .id = "ML104",
    .name = "mtls-not-enforced",
    .level = ML_LEVEL_WARNING,
    .summary = "Workloads get sidecars but no PeerAuthentication sets an mTLS mode for them",
    .description =
        "With no PeerAuthentication at all, Istio's effective mode is PERMISSIVE: sidecars accept mTLS "
        "from other sidecars but also plaintext from anything that can reach the pod. A namespace that "
        "joins the mesh (its workloads get sidecars) without a namespace policy, in a mesh without a "
        "mesh-wide policy, therefore does not enforce mTLS.\n"
        "\n"
        "meshlint reports each such namespace once, naming the workloads that fall back to the default. "
        "Workloads that have a policy of their own are not counted. It only runs on a repository that "
        "uses the mesh (it contains Istio resources or a namespace with injection enabled). The mesh-wide "
        "policy lives in the root namespace (istio-system unless the configuration's root-namespace says "
        "otherwise), which a platform team often manages outside the application's repository: when the "
        "input holds no resource of the root namespace (and --assume-complete is not given), the finding "
        "is a note that says the answer depends on a mesh-wide policy outside the input.",
    .remediation = "Add a PeerAuthentication named default, without a selector and with mtls.mode: STRICT, "
                   "to the namespace, or one to the root namespace (istio-system) for the whole mesh.",
    .tags = "security,mtls,istio",
    .istio_code = NULL,
    .security_severity = 5.3,
    .precision = "high",
    .example_bad = "apiVersion: v1\n"
                   "kind: Namespace\n"
                   "metadata: {name: shop, labels: {istio-injection: enabled}}\n"
                   "# and no PeerAuthentication anywhere",
    .example_good = "apiVersion: security.istio.io/v1\n"
                    "kind: PeerAuthentication\n"
                    "metadata: {name: default, namespace: shop}\n"
                    "spec:\n"
                    "  mtls: {mode: STRICT}",
    .check = check,
};
