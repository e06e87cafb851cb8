/*
 * ML504 policy-selects-nothing: an AuthorizationPolicy whose selector
 * matches no workload: in its own namespace, or in any namespace when it
 * lives in the root namespace (IST0127). The policy protects nothing, and the
 * workload it was written for is left as open as before.
 *
 * Only namespaces whose workloads the input contains are judged (a policy
 * repository without the Deployments cannot tell), and a selector that
 * matches the pod template of a kind meshlint does not model (an Argo
 * Rollouts Rollout, say: any resource with spec.template.metadata.labels)
 * selects those pods. When the selector fails,
 * one pass over the workloads finds the likely intended target: the same
 * labels in another namespace, or a label value one or two edits away.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "authz_common.h"

/* Policies that get a "did you mean" search (bounds the work on huge inputs). */
#define MAX_HINTED 64

static const char *selector_text(ml_arena *a, const ml_node *sel)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; ml_is_map(sel) && i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key), *v = ml_str(&sel->kvs[i].value);
        ml_buf_printf(&b, "%s%s=%s", i ? "," : "", k ? k : "?", v ? v : "?");
    }
    const char *out = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return out;
}



/* Replace the selector's label value with the one the workload has, keeping
 * the original quoting style. Label values never contain quotes. */
static void add_value_fix(ml_ctx *ctx, ml_diag *d, const ml_node *v, const char *key, const char *want)
{
    if (!v || !ml_node_file(v) || v->end_off <= v->off || v->off >= ml_node_file(v)->len)
        return;
    if (strchr(want, '"') || strchr(want, '\\') || strchr(want, '\''))
        return;
    char q = ml_node_file(v)->data[v->off];
    const char *text = q == '"' || q == '\'' ? ml_printf(ctx->arena, "%c%s%c", q, want, q)
                       : ml_yaml_plain_safe(want)     ? want
                                              : ml_printf(ctx->arena, "\"%s\"", want);
    ml_add_fix(ctx, d, ml_printf(ctx->arena, "select %s=%s", key, want), ml_node_loc(v), text);
}

/* Pod templates of kinds meshlint does not model as workloads (an Argo
 * Rollouts Rollout, an OpenKruise CloneSet...): any resource with
 * spec.template.metadata.labels. Indexed by namespace, once. */
static void unmodeled_build(ml_ctx *ctx, ml_map *by_ns, ml_vec *all)
{
    ml_map_init(by_ns);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_OTHER]) {
        const ml_node *labels = ml_path(r->spec, "template.metadata.labels");
        if (!r->live || !ml_is_map(labels))
            continue;
        ml_map_push(by_ns, ctx->arena, r->ns, strlen(r->ns), (void *)r);
        ml_vec_push(ctx->arena, all, (void *)r);
    }
}

/* An unmodeled pod template in scope whose labels the selector matches. */
static const ml_resource *unmodeled_match(const ml_map *by_ns, const ml_vec *all, const char *ns, bool mesh_wide,
                                          const ml_node *sel)
{
    const ml_vec *v = mesh_wide ? all : ml_map_vec(by_ns, ns, strlen(ns));
    if (!v)
        return NULL;
    ML_VEC_EACH(const ml_resource *, r, v) {
        if (ml_selector_matches(sel, ml_path(r->spec, "template.metadata.labels")))
            return r;
    }
    return NULL;
}

/* True when sel names a label Istio puts on gateway pods it installs or
 * deploys: istio=ingressgateway|egressgateway|eastwestgateway (the
 * istioctl profiles and the gateway Helm chart's defaults),
 * app=istio-ingressgateway|istio-egressgateway, or
 * gateway.networking.k8s.io/gateway-name (istio pkg/config/constants
 * GatewayLabel, "on any k8s GW API gateway": the pods Istio deploys for a
 * Gateway API Gateway carry it). */
static bool selects_istio_gateway(const ml_model *m, const ml_node *sel)
{
    (void)m;
    static const char *const vals[][2] = {
        {"istio", "ingressgateway"}, {"istio", "egressgateway"}, {"istio", "eastwestgateway"},
        {"app", "istio-ingressgateway"}, {"app", "istio-egressgateway"},
    };
    for (size_t i = 0; ml_is_map(sel) && i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key), *v = ml_str(&sel->kvs[i].value);
        if (!k || !v)
            continue;
        if (strcmp(k, "gateway.networking.k8s.io/gateway-name") == 0)
            return true;
        for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++)
            if (strcmp(k, vals[j][0]) == 0 && strcmp(v, vals[j][1]) == 0)
                return true;
    }
    return false;
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    const char *root = m->mesh ? m->mesh->root_ns : "istio-system";
    size_t hinted = 0;
    ml_map unmodeled;
    ml_vec unmodeled_all = {0};
    unmodeled_build(ctx, &unmodeled, &unmodeled_all);
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        const ml_authz *p = r->u.authz;
        if (!r->live || !p || !ml_is_map(p->selector) || ml_node_n(p->selector) == 0 || p->target_refs)
            continue;
        bool scalars = true; /* a non-string label value is ML002's finding */
        for (size_t i = 0; i < ml_node_n(p->selector); i++)
            scalars &= ml_str_nonnull(&p->selector->kvs[i].key) && ml_str_nonnull(&p->selector->kvs[i].value);
        if (!scalars)
            continue;
        bool mesh_wide = strcmp(r->ns, root) == 0;
        const ml_vec *nsw = ml_model_ns_workloads(m, r->ns);
        size_t pool = mesh_wide ? m->workloads.n : (nsw ? nsw->n : 0);
        if (pool == 0)
            continue; /* the input does not contain the workloads this could select */
        ml_vec ws = ml_mesh_authz_workloads(m, p);
        if (ws.n || unmodeled_match(&unmodeled, &unmodeled_all, r->ns, mesh_wide, p->selector))
            continue;
        /* Manifests without a namespace land in the one chosen at apply
         * time, which may be this policy's (model.h): until -n binds it,
         * a workload there may be the one the policy selects. */
        if (ml_model_select_may(m, r->ns, p->selector).n)
            continue;
        /* Istio's own gateways (installed by istioctl or the Helm charts,
         * or deployed by Istio for a Gateway API Gateway) are seldom in an
         * application's manifests: a selector for them proves nothing
         * missing. Neither does a root-namespace selector, which looks in
         * every namespace, namespaces the input may not hold, unless a
         * workload of the input is one label value off (a typo). */
        const ml_workload *typo = NULL;
        if (!ml_assume_complete(ctx)) {
            if (selects_istio_gateway(m, p->selector))
                continue;
            if (mesh_wide) {
                const char *k, *h;
                ML_VEC_EACH(ml_workload *, w, &m->workloads) {
                    if (ml_selector_one_value_off(p->selector, w->pod_labels, 2, &k, &h)) {
                        typo = w;
                        break;
                    }
                }
                if (!typo)
                    continue;
            }
        }
        const char *sel = selector_text(ctx->arena, p->selector);
        ml_diag *d;
        if (mesh_wide)
            d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->selector),
                          "selector %s of %s (in the root namespace, so it looks in every namespace) matches "
                          "no workload in the input (it has %s): the policy protects nothing",
                          sel, ml_res_display(ctx->arena, r), ml_authz_workload_list(ctx->arena, &m->workloads, 3));
        else
            d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->selector),
                          "selector %s of %s matches no workload in namespace %s (it has %s): the policy "
                          "protects nothing",
                          sel, ml_res_display(ctx->arena, r), r->ns, ml_authz_workload_list(ctx->arena, nsw, 3));

        /* The likely target: the same labels in another namespace, else a
         * workload of the namespace one label value away. One pass over the
         * workloads per failing policy, for the first few such policies. */
        const ml_workload *elsewhere = NULL, *near = NULL;
        const char *near_key = NULL, *near_have = NULL;
        static const ml_vec none;
        ML_VEC_EACH(ml_workload *, w, ++hinted <= MAX_HINTED ? &m->workloads : &none) {
            bool same_ns = strcmp(w->res->ns, r->ns) == 0;
            if (!same_ns && !mesh_wide && !elsewhere && ml_selector_matches_workload(p->selector, w))
                elsewhere = w;
            if ((same_ns || mesh_wide) && !near && ml_selector_one_value_off(p->selector, w->pod_labels, 2, &near_key, &near_have))
                near = w;
        }
        if (near) {
            ml_note(ctx, d, ml_authz_res_name_loc(near->res), "%s has %s=%s",
                    ml_res_display(ctx->arena, near->res), near_key, near_have);
            ml_help(ctx, d, "did you mean %s=%s?", near_key, near_have);
            add_value_fix(ctx, d, ml_get(p->selector, near_key), near_key, near_have);
        } else if (elsewhere) {
            ml_note(ctx, d, ml_authz_res_name_loc(elsewhere->res),
                    "%s matches it, but a selector only picks workloads in the policy's own namespace (%s)",
                    ml_res_display(ctx->arena, elsewhere->res), r->ns);
            ml_help(ctx, d, "move the policy to namespace %s", elsewhere->res->ns);
        } else {
            ml_help(ctx, d, "make selector.matchLabels equal to the pod template labels of the workload to "
                            "protect, or delete the policy");
        }
    }
    ml_map_free(&unmodeled);
}

const ml_rule ml_rule_ML504 = {
    .id = "ML504",
    .name = "policy-selects-nothing",
    .level = ML_LEVEL_WARNING,
    .summary = "An AuthorizationPolicy's selector matches no workload",
    .description = "An AuthorizationPolicy with selector.matchLabels applies to the pods of its namespace "
                   "whose labels include every one of them (every namespace, for a policy in the root "
                   "namespace). When no workload matches, the policy is enforced nowhere: the workload it "
                   "was written for stays open, and the manifest suggests otherwise. Typical causes are "
                   "a misspelt label value, the Deployment's metadata labels copied instead of its pod "
                   "template labels, and a policy created in the wrong namespace.\n"
                   "\n"
                   "Two selectors are not judged without --assume-complete, because an application's "
                   "manifests seldom hold what they select: one naming a gateway Istio installs or deploys "
                   "(istio=ingressgateway, egressgateway or eastwestgateway, app=istio-ingressgateway or "
                   "istio-egressgateway, the istioctl profiles' and gateway chart's labels; "
                   "gateway.networking.k8s.io/gateway-name, which istio's pkg/config/constants GatewayLabel "
                   "puts on every Gateway API gateway's pods), and one of a policy in the root namespace, "
                   "which looks in every namespace, unless a workload of the input is one label value away "
                   "from it (a typo).\n"
                   "\n"
                   "Manifests without metadata.namespace are applied to a namespace chosen at apply time "
                   "(kubectl -n): until -n/--namespace or default-namespace binds it, their workloads may "
                   "be in the policy's namespace, and a policy that matches one of them is not reported. "
                   "The rule judges only namespaces whose workloads are part of the input, and only the "
                   "definition that wins when one is defined twice. Policies bound by targetRefs are "
                   "not selector-based and are skipped. Pods of other controllers count too: a selector "
                   "that matches the spec.template.metadata.labels of any other resource (an Argo "
                   "Rollouts Rollout, an OpenKruise CloneSet) is not reported.",
    .remediation = "Make selector.matchLabels a subset of the target's pod template labels, create the "
                   "policy in the target's namespace, or delete it.",
    .tags = "security,authorization,istio",
    .istio_code = "IST0127",
    .security_severity = 4.3,
    .precision = "high",
    .example_bad = "kind: AuthorizationPolicy\nmetadata: {name: orders, namespace: shop}\n"
                   "spec:\n  selector: {matchLabels: {app: order}}   # pods are labelled app: orders",
    .example_good = "kind: AuthorizationPolicy\nmetadata: {name: orders, namespace: shop}\n"
                    "spec:\n  selector: {matchLabels: {app: orders}}",
    .check = check,
};
