/*
 * ML325 virtualservice-not-imported: a VirtualService bound only to the
 * mesh gateway that the Sidecar resources of every namespace it is exported
 * to leave out of their egress hosts. No sidecar loads it, so its routes,
 * retries, timeouts and subsets apply nowhere. Reported only when every
 * answer is a certain "no" (sidecar.h), no namespace is left open (the
 * unbound apply-time namespace), and every host's pods are sidecar pods
 * (an ambient waypoint applies VirtualServices without a Sidecar).
 */
#include <stdint.h>
#include <string.h>

/* namespaces x Sidecars judged per VirtualService, at most */
#define MAX_WORK 100000u

#include "meshlint/mesh.h"
#include "meshlint/rule.h"
#include "meshlint/sidecar.h"

static bool only_mesh(const ml_virtualservice *vs)
{
    if (!vs->mesh_gateway)
        return false;
    for (size_t i = 0; ml_is_seq(vs->gateways) && i < ml_node_n(vs->gateways); i++)
        if (!ml_streq(ml_str_nonnull(vs->gateways->items[i]), "mesh"))
            return false;
    return true;
}

/* Every host a Service of the input whose pods all run a sidecar (or are
 * outside the mesh): no waypoint may apply the VirtualService instead. */
static bool hosts_sidecar_only(ml_ctx *ctx, const ml_virtualservice *vs)
{
    for (size_t i = 0; i < vs->nhosts; i++) {
        const ml_vec *svcs = vs->fqdns[i] ? ml_model_services_for(ctx->model, vs->fqdns[i]) : NULL;
        if (!svcs || !svcs->n)
            return false;
        ML_VEC_EACH(const ml_service *, svc, svcs) {
            if (!svc->workloads.n)
                return false;
            ML_VEC_EACH(const ml_workload *, w, &svc->workloads) {
                const ml_dataplane_fact *f = ml_mesh_dataplane(ctx->model, w);
                if (!f || (f->kind != ML_DP_SIDECAR && f->kind != ML_DP_NONE))
                    return false;
            }
        }
    }
    return true;
}

typedef struct exp_scan {
    const ml_model *m;
    bool elsewhere; /* exported to some namespace the input lacks */
} exp_scan;

static void exp_one(void *arg, const ml_resource *r, const char *e, const ml_node *node)
{
    exp_scan *x = arg;
    (void)r;
    (void)node;
    if (!e || strcmp(e, "*") == 0 || (strcmp(e, ".") != 0 && strcmp(e, "~") != 0 && !ml_model_has_ns(x->m, e)))
        x->elsewhere = true;
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->by_kind[ML_K_SIDECAR].n || ml_model_has_apply_time(m))
        return;
    /* every namespace of the input, in load order */
    ml_vec nss = {0};
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_resource *, r, &m->resources) {
        if (r->ns && *r->ns && !ml_map_gets(&seen, r->ns)) {
            ml_map_put(&seen, r->ns, strlen(r->ns), (void *)1);
            ml_vec_push(ctx->arena, &nss, (void *)r->ns);
        }
    }
    ml_map_free(&seen);
    /* each answer reads every Sidecar: bound the work per VirtualService
     * (namespaces x Sidecars); beyond it the rule stays silent */
    if ((uint64_t)nss.n * m->by_kind[ML_K_SIDECAR].n > MAX_WORK)
        return;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!r->live || !vs || !vs->nhosts || !only_mesh(vs) || !hosts_sidecar_only(ctx, vs))
            continue;
        const ml_resource *decider = NULL, *d0 = NULL;
        bool no = true;
        size_t judged = 0;
        for (size_t i = 0; i < nss.n && no; i++) {
            const char *ns = nss.items[i];
            ml_export_answer ex = ml_export_visible(m, r, ns);
            if (ex == ML_EXPORT_NO)
                continue;
            /* a namespace without workloads has no sidecars, when the input
             * is declared complete (else its pods may live elsewhere) */
            const ml_vec *ws = ml_model_ns_workloads(m, ns);
            if ((!ws || !ws->n) && ml_assume_complete(ctx) && !ml_model_unlinted_may_define(m, ns))
                continue;
            no = ex == ML_EXPORT_YES && ml_sidecar_ns_imports_vs(m, ns, r, &decider) == ML_SC_NO;
            if (no && !d0)
                d0 = decider;
            judged++;
        }
        exp_scan x = {.m = m};
        if (ml_export_to_node(r))
            ml_export_each(ctx->arena, r, exp_one, &x);
        else
            x.elsewhere = true; /* the mesh default: every namespace, or one the configuration names */
        if (no && x.elsewhere) {
            no = ml_sidecar_ns_imports_vs(m, NULL, r, &decider) == ML_SC_NO;
            if (no && !d0)
                d0 = decider;
            judged++;
        }
        if (!no || !judged || !d0)
            continue;
        const char *host = ml_str_nonnull(vs->hosts[0]);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(r->name_node),
                               "%s binds only the mesh gateway, so only sidecars apply it, but the Sidecar egress "
                               "hosts of every namespace it is exported to leave it out (%s imports %s): no proxy "
                               "loads its routes, and their retries, timeouts and subsets apply nowhere",
                               ml_res_display(ctx->arena, r), ml_res_display(ctx->arena, d0),
                               ml_sidecar_hosts_text(ctx->arena, d0));
        const ml_node *eg = ml_get(d0->spec, "egress");
        ml_note(ctx, d, ml_node_loc(eg ? eg : d0->name_node), "the egress hosts of %s%s",
                ml_res_display(ctx->arena, d0),
                strcmp(d0->ns, m->mesh && m->mesh->root_ns ? m->mesh->root_ns : "istio-system") == 0
                    ? " (the root namespace's Sidecar: the default of every namespace without its own)"
                    : "");
        ml_help(ctx, d, "add \"%s/%s\" to the egress hosts of the Sidecar of the namespaces that call %s, or "
                        "move the VirtualService into the namespace of its callers",
                r->ns, host ? host : "*", host ? host : "the host");
    }
}

const ml_rule ml_rule_ML325 = {
    .id = "ML325",
    .name = "virtualservice-not-imported",
    .level = ML_LEVEL_WARNING,
    .summary = "No sidecar's Sidecar resource imports this VirtualService, so it applies nowhere",
    .description = "A VirtualService bound only to the mesh gateway is applied by the sidecars of the "
                   "namespaces it is exported to, and a sidecar loads it only when its Sidecar resource's egress "
                   "hosts import it: a Sidecar's egress listeners list \"namespace/dnsName\" entries (\".\" the "
                   "proxy's namespace, \"*\" any, \"~\" none) and a VirtualService of namespace N is loaded when "
                   "one of its hosts matches a dnsName listed for N or for \"*\" (pilot/pkg/model/sidecar.go "
                   "ConvertToSidecarScope and convertIstioListenerToWrapper, pilot/pkg/model/virtualservice.go "
                   "SelectVirtualServices). A proxy uses the Sidecar of its namespace that selects its labels, "
                   "else its namespace's Sidecar without a selector, else the root namespace's, else a default "
                   "that imports everything (pilot/pkg/model/push_context.go doGetSidecarScope). A common "
                   "shape: a root-namespace Sidecar with egress hosts [\"./*\", \"istio-system/*\"] and "
                   "VirtualServices kept in a configuration-only namespace. Then no proxy loads the "
                   "VirtualService and its routes, retries, timeouts, fault injection and subsets do nothing.\n"
                   "\n"
                   "The rule reports only when the answer is a certain no for every namespace of the input the "
                   "VirtualService is exported to and, when it is exported to namespaces the input lacks, for "
                   "the root namespace's Sidecar too; when a Sidecar that may apply is undecided (a selector "
                   "Sidecar, egress listeners on ports that disagree, an entry that is not \"ns/host\", an "
                   "input not linted), when the namespace of some manifests is bound only at apply time, or "
                   "when a host's pods are not all sidecar pods of the input (an ambient waypoint applies "
                   "VirtualServices without any Sidecar), it stays silent. A namespace the VirtualService is "
                   "exported to that holds no workloads in the input (its own configuration-only namespace, "
                   "whose \"./*\" imports it) counts as having no sidecars only with --assume-complete. "
                   "VirtualServices bound to gateways are not judged: gateway proxies never use a Sidecar "
                   "(DefaultSidecarScopeForGateway).",
    .remediation = "Add the VirtualService's namespace and host to the egress hosts of its callers' Sidecar, "
                   "or move the VirtualService into the namespace of its callers.",
    .tags = "traffic,visibility,istio",
    .precision = "high",
    .example_bad = "kind: Sidecar\nmetadata: {name: default, namespace: istio-system}\nspec:\n  egress:\n"
                   "  - hosts: [\"./*\", \"istio-system/*\"]\n---\nkind: VirtualService\n"
                   "metadata: {name: orders, namespace: routing}\nspec:\n  hosts: [orders.shop.svc.cluster.local]",
    .example_good = "kind: Sidecar\nmetadata: {name: default, namespace: istio-system}\nspec:\n  egress:\n"
                    "  - hosts: [\"./*\", \"routing/*\", \"istio-system/*\"]\n---\nkind: VirtualService\n"
                    "metadata: {name: orders, namespace: routing}\nspec:\n  hosts: [orders.shop.svc.cluster.local]",
    .check = check,
};
