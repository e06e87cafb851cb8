/*
 * ML509 l7-policy-at-ztunnel: an ALLOW AuthorizationPolicy attached by
 * selector (or namespace-wide) with L7 fields applies to ambient workloads:
 * ztunnel enforces it and cannot evaluate HTTP attributes, so it drops the
 * connections the policy was meant to allow.
 */
#include <string.h>

#include "authz_common.h"
#include "meshlint/mesh.h"

/* The first field of the policy's rules that needs HTTP (L7) processing. */
static const ml_node *first_l7(const ml_node *rules, const char **what)
{
    static const char *const op_keys[] = {"hosts", "notHosts", "methods", "notMethods", "paths", "notPaths", NULL};
    static const char *const src_keys[] = {"requestPrincipals", "notRequestPrincipals", "remoteIpBlocks",
                                           "notRemoteIpBlocks", NULL};
    for (size_t i = 0; ml_is_seq(rules) && i < ml_node_n(rules); i++) {
        const ml_node *rule = &rules->elems[i];
        const ml_node *to = ml_get(rule, "to"), *from = ml_get(rule, "from"), *when = ml_get(rule, "when");
        for (size_t j = 0; ml_is_seq(to) && j < ml_node_n(to); j++) {
            const ml_node *op = ml_get(&to->elems[j], "operation");
            for (size_t k = 0; op_keys[k]; k++) {
                const ml_pair *p = ml_get_pair(op, op_keys[k]);
                if (p) {
                    *what = op_keys[k];
                    return &p->key;
                }
            }
        }
        for (size_t j = 0; ml_is_seq(from) && j < ml_node_n(from); j++) {
            const ml_node *src = ml_get(&from->elems[j], "source");
            for (size_t k = 0; src_keys[k]; k++) {
                const ml_pair *p = ml_get_pair(src, src_keys[k]);
                if (p) {
                    *what = src_keys[k];
                    return &p->key;
                }
            }
        }
        for (size_t j = 0; ml_is_seq(when) && j < ml_node_n(when); j++) {
            const ml_node *key = ml_get(&when->elems[j], "key");
            const char *k = ml_str(key);
            if (k && (ml_starts_with(k, "request.") || ml_starts_with(k, "remote.ip") ||
                      ml_starts_with(k, "experimental."))) {
                *what = k;
                return key;
            }
        }
    }
    return NULL;
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        const ml_authz *p = r->u.authz;
        if (!r->live || !p || p->action != ML_AUTHZ_ALLOW || p->target_refs)
            continue;
        const char *what = NULL;
        const ml_node *at = first_l7(p->rules, &what);
        if (!at)
            continue;
        ml_vec ws = ml_mesh_authz_workloads(m, p);
        ml_vec ambient = {0};
        bool with_waypoint = false;
        ML_VEC_EACH(ml_workload *, w, &ws) {
            const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
            if (!dp || (dp->kind != ML_DP_AMBIENT && dp->kind != ML_DP_AMBIENT_WAYPOINT))
                continue;
            with_waypoint |= dp->kind == ML_DP_AMBIENT_WAYPOINT;
            ml_vec_push(a, &ambient, w);
        }
        if (!ambient.n)
            continue;
        const ml_workload *w0 = ambient.items[0];
        const ml_dataplane_fact *dp0 = ml_mesh_dataplane(m, w0);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(at),
                               "%s applies by %s to %s, which run%s in Istio's ambient mode: ztunnel enforces a "
                               "%s policy at L4 and cannot evaluate %s, so it denies the connections this ALLOW "
                               "policy was meant to admit%s",
                               ml_res_display(a, r), p->selector ? "selector" : "namespace", 
                               ml_authz_workload_list(a, &ambient, 3), ambient.n == 1 ? "s" : "",
                               p->selector ? "selector-based" : "namespace-wide", what,
                               with_waypoint ? " (a waypoint does not change that: only a policy with targetRefs "
                                               "is enforced by the waypoint)"
                                             : "");
        ml_note(ctx, d, ml_node_loc(dp0->decided_by), "%s", dp0->explain);
        ml_help(ctx, d, "attach the L7 policy to the waypoint with targetRefs (kind: Service or kind: Gateway) "
                        "and deploy a waypoint for the workload (istio.io/use-waypoint), or keep only L4 fields "
                        "(principals, namespaces, ipBlocks, ports) in a selector policy");
    }
}

const ml_rule ml_rule_ML509 = {
    .id = "ML509",
    .name = "l7-policy-at-ztunnel",
    .level = ML_LEVEL_ERROR,
    .summary = "An ALLOW AuthorizationPolicy with L7 fields is enforced by ztunnel on ambient workloads",
    .description =
        "In Istio's ambient mode (istio.io/dataplane-mode=ambient on the namespace or pod; the data plane of "
        "each workload is shown by --dump-model) an AuthorizationPolicy attached by selector, or one without "
        "selector and targetRefs (namespace-wide), is enforced by the destination's ztunnel, which handles L4 "
        "only; with a waypoint in the path it is still ztunnel that enforces it, and only a policy with "
        "targetRefs (a Service or the waypoint Gateway) is enforced by the waypoint (Istio documentation, "
        "docs/ambient/usage/l4-policy, \"Authorization policy attachment\"). A policy that needs processing "
        "beyond L4 (operation hosts, methods, paths; source requestPrincipals, remoteIpBlocks; when keys "
        "request.*, remote.ip) cannot be evaluated by ztunnel, which then drops the traffic as a defensive "
        "move (same page, \"Layer 7 authorization policies without waypoints installed\"): an ALLOW policy "
        "written to admit GET requests refuses every connection. Only ALLOW policies are reported; DENY and "
        "CUSTOM are not judged. Workloads whose data plane is unknown (their namespace is not in the input, "
        "or alternatives disagree) are not counted.",
    .remediation = "Use targetRefs to attach the L7 policy to the Service or waypoint, with a waypoint deployed "
                   "(istio.io/use-waypoint), or keep only L4 fields in the selector policy.",
    .tags = "authz,ambient,security",
    .security_severity = 6.5,
    .precision = "high",
    .example_bad = "kind: AuthorizationPolicy\nspec:\n  selector: {matchLabels: {app: orders}}\n  rules:\n"
                   "  - to: [{operation: {methods: [GET]}}]",
    .example_good = "kind: AuthorizationPolicy\nspec:\n  targetRefs: [{kind: Service, group: \"\", name: orders}]\n"
                    "  rules:\n  - to: [{operation: {methods: [GET]}}]",
    .check = check,
};
