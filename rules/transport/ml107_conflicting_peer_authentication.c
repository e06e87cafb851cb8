/*
 * ML107 conflicting-peer-authentication: two PeerAuthentications without a
 * selector in one namespace, or two mesh-wide ones. Istio keeps only the
 * oldest of them, and the age of an object is not in the repository, so
 * which mode applies depends on the order the cluster happened to see them.
 * One pass over the policies with a map from namespace to the first
 * selector-less policy seen; every later one is reported against it.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "transport_common.h"

static const char *mode_words(ml_mtls_mode m)
{
    return m == ML_MTLS_UNSET ? "UNSET (inherit)" : ml_mtls_name(m);
}

static void check(ml_ctx *ctx)
{
    ml_arena *a = ctx->arena;
    ml_map first;
    ml_map_init(&first);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!r->live || !pa || pa->selector)
            continue;
        /* An earlier one that is applied with it: alternatives of the same
         * object (model.h) replace each other and never compete. */
        const ml_vec *prev = ml_map_vec(&first, r->ns, strlen(r->ns));
        const ml_peerauth *old = NULL;
        for (size_t i = 0; prev && i < prev->n && !old; i++) {
            const ml_peerauth *o = prev->items[i];
            if (!ml_streq(o->res->key, r->key) && ml_model_meets(ctx->model, r, o->res))
                old = o;
        }
        ml_map_push(&first, a, r->ns, strlen(r->ns), (void *)pa);
        if (!old)
            continue;
        const char *here = ml_res_display(a, r), *there = ml_res_display(a, old->res);
        const char *where = pa->mesh_wide ? "are both mesh-wide (no selector in the root namespace)"
                                          : ml_printf(a, "both have no selector in namespace %s", r->ns);
        const char *modes;
        if (pa->mode == old->mode)
            modes = ml_printf(a, "both set %s today, but an edit to the one Istio ignores will silently have no "
                                 "effect",
                              mode_words(pa->mode));
        else
            modes = ml_printf(a, "the effective mode is %s or %s depending on which the cluster created first",
                              mode_words(pa->mode), mode_words(old->mode));
        ml_loc at = r->name_node ? ml_node_loc(r->name_node) : ml_res_loc(r);
        ml_loc oat = old->res->name_node ? ml_node_loc(old->res->name_node) : ml_res_loc(old->res);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s and %s %s: Istio applies only the older one, which the repository cannot "
                               "tell; %s",
                               here, there, where, modes);
        ml_note(ctx, d, oat, "%s, the other %s policy (meshlint assumes it is the older, being first in path order)",
                there, pa->mesh_wide ? "mesh-wide" : "namespace-wide");
        ml_help(ctx, d, "keep one PeerAuthentication without a selector in %s (by convention named default) and "
                        "merge the other into it",
                pa->mesh_wide ? "the root namespace" : ml_printf(a, "namespace %s", r->ns));
    }
    ml_map_free(&first);
}

const ml_rule ml_rule_ML107 = {
    .id = "ML107",
    .name = "conflicting-peer-authentication",
    .level = ML_LEVEL_WARNING,
    .summary = "Two PeerAuthentications without a selector compete for the same namespace or the mesh",
    .description =
        "A namespace has at most one namespace-wide PeerAuthentication (no selector), and the mesh at most "
        "one mesh-wide policy (no selector in the root namespace). When there are two, Istio applies the "
        "oldest and ignores the others. The age of an object is not in the repository: which mode the "
        "namespace gets depends on the order in which the cluster first saw them, and a re-created "
        "cluster may get the other one.\n"
        "\n"
        "meshlint reports every such policy after the first in path order (which its own analysis "
        "treats as the oldest), also when both set the same mode: an edit to the ignored one then has no "
        "effect.",
    .remediation = "Keep a single selector-less PeerAuthentication per namespace (conventionally named "
                   "default) and one in the root namespace for the mesh; use selectors for anything narrower.",
    .tags = "security,mtls,istio",
    .istio_code = NULL,
    .security_severity = 4.3,
    .precision = "very-high",
    .example_bad = "kind: PeerAuthentication\n"
                   "metadata: {name: default, namespace: shop}\n"
                   "spec: {mtls: {mode: STRICT}}\n"
                   "---\n"
                   "kind: PeerAuthentication\n"
                   "metadata: {name: relaxed, namespace: shop}\n"
                   "spec: {mtls: {mode: PERMISSIVE}}",
    .example_good = "kind: PeerAuthentication\n"
                    "metadata: {name: default, namespace: shop}\n"
                    "spec: {mtls: {mode: STRICT}}\n"
                    "---\n"
                    "kind: PeerAuthentication\n"
                    "metadata: {name: relaxed, namespace: shop}\n"
                    "spec:\n"
                    "  selector: {matchLabels: {app: legacy}}\n"
                    "  mtls: {mode: PERMISSIVE}",
    .check = check,
};
