/*
 * ML002 invalid-value: an enum field with a value Istio does not accept, or
 * a field of the wrong YAML type. The enum sets are Istio's API values; the
 * message lists them and names the nearest one, because the usual cause is a
 * typo or the wrong case ("strict" for STRICT).
 */
#include <ctype.h>
#include <string.h>

#include "input_regex.h"
#include "meshlint/rule.h"
#include "../resilience/resilience_common.h"

static const char *const MTLS[] = {"UNSET", "DISABLE", "PERMISSIVE", "STRICT", NULL};
static const char *const ACTIONS[] = {"ALLOW", "DENY", "AUDIT", "CUSTOM", NULL};
static const char *const DR_TLS[] = {"DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL", NULL};
static const char *const LB[] = {"UNSPECIFIED", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST", "LEAST_CONN", NULL};
static const char *const H2[] = {"DEFAULT", "DO_NOT_UPGRADE", "UPGRADE", NULL};

/* Case-insensitive nearest value, for "did you mean". */
static const char *nearest(const char *v, const char *const *set)
{
    char up[64];
    size_t n = strlen(v);
    if (n >= sizeof up)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)v[i]);
    const char *best = NULL;
    unsigned best_d = 4;
    for (size_t i = 0; set[i]; i++) {
        unsigned d = ml_edit_distance(up, set[i], 3);
        if (d < best_d) {
            best_d = d;
            best = set[i];
        }
    }
    return best;
}

static void check_enum(ml_ctx *ctx, const ml_resource *r, const ml_node *v, const char *field,
                       const char *const *set)
{
    if (!v)
        return;
    const char *s = ml_str_nonnull(v);
    if (s)
        for (size_t i = 0; set[i]; i++)
            if (strcmp(s, set[i]) == 0)
                return;
    ml_buf list;
    ml_buf_init(&list);
    for (size_t i = 0; set[i]; i++)
        ml_buf_printf(&list, "%s%s", i ? ", " : "", set[i]);
    const char *near = s ? nearest(s, set) : NULL;
    ml_diag *d;
    if (s)
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(v), "%s '%s' of %s is not a valid value; expected one of %s%s%s%s",
                      field, s, ml_res_display(ctx->arena, r), list.s, near ? " (did you mean " : "",
                      near ? near : "", near ? "?)" : "");
    else
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(v), "%s of %s should be one of %s, not a %s", field,
                      ml_res_display(ctx->arena, r), list.s, ml_is_map(v) ? "mapping" : ml_is_seq(v) ? "list" : "null");
    if (near)
        ml_help(ctx, d, "write %s (values are upper case and exact)", near);
    ml_buf_free(&list);
}

/* A protobuf Duration field. Istio reads it in Go's syntax (a number and a
 * unit, "1.5s", "500ms", "1m30s"); "PT5S" (ISO 8601) and "-5s" never become
 * a duration Istio accepts: agent.ValidateDuration
 * (pkg/config/validation/agent/validation.go) rejects anything under 1ms or
 * finer than a millisecond. */
static void check_duration(ml_ctx *ctx, const ml_resource *r, const ml_node *v, const char *field)
{
    if (!v || ml_is_null(v))
        return;
    const char *s = ml_str(v);
    if (!s)
        return; /* the wrong YAML type: a shape problem, reported above */
    int64_t ns;
    bool parsed = strlen(s) == ml_node_len(v) && ml_resil_duration(s, &ns);
    if (parsed && ns >= 1000000 && ns % 1000000 == 0)
        return;
    ml_diag *d;
    if (!parsed)
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(v), "%s '%s' of %s is not a duration Istio reads", field, s,
                      ml_res_display(ctx->arena, r));
    else
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(v),
                      "%s '%s' of %s is under 1ms or not a whole number of milliseconds; Istio's validation "
                      "rejects it",
                      field, s, ml_res_display(ctx->arena, r));
    ml_help(ctx, d, "write a positive number with a unit, to the millisecond: 250ms, 5s, 1m30s");
}

static void check_durations(ml_ctx *ctx, const ml_model *m)
{
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++) {
            check_duration(ctx, r, vs->routes[i].timeout, "timeout");
            check_duration(ctx, r, vs->routes[i].per_try_timeout, "retries.perTryTimeout");
        }
    }
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!dr)
            continue;
        check_duration(ctx, r, ml_path(dr->connection_pool, "tcp.connectTimeout"),
                       "connectionPool.tcp.connectTimeout");
        check_duration(ctx, r, ml_path(dr->connection_pool, "http.idleTimeout"), "connectionPool.http.idleTimeout");
        check_duration(ctx, r, ml_get(dr->outlier_detection, "interval"), "outlierDetection.interval");
        check_duration(ctx, r, ml_get(dr->outlier_detection, "baseEjectionTime"),
                       "outlierDetection.baseEjectionTime");
    }
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    ML_VEC_EACH(ml_shape_problem *, p, &m->shape_problems) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, p->loc, "%s", p->message);
        ml_help(ctx, d, "meshlint treats this field as absent; Kubernetes would reject the manifest");
    }
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!pa)
            continue;
        check_enum(ctx, r, pa->mode_node, "mtls.mode", MTLS);
        for (size_t i = 0; i < pa->nport_level; i++)
            check_enum(ctx, r, pa->port_level[i].mode_node, "portLevelMtls mode", MTLS);
    }
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        if (r->u.authz)
            check_enum(ctx, r, r->u.authz->action_node, "action", ACTIONS);
    }
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!dr)
            continue;
        check_enum(ctx, r, dr->tls_mode, "trafficPolicy.tls.mode", DR_TLS);
        check_enum(ctx, r, dr->lb_simple, "trafficPolicy.loadBalancer.simple", LB);
        check_enum(ctx, r, dr->h2_upgrade, "connectionPool.http.h2UpgradePolicy", H2);
        for (size_t i = 0; i < dr->nport_settings; i++)
            check_enum(ctx, r, dr->port_settings[i].tls_mode, "portLevelSettings tls.mode", DR_TLS);
        for (size_t i = 0; i < dr->nsubsets; i++) {
            const ml_dr_subset *s = &dr->subsets[i];
            check_enum(ctx, r, s->tls_mode, "subset trafficPolicy.tls.mode", DR_TLS);
            check_enum(ctx, r, ml_path(s->traffic_policy, "loadBalancer.simple"), "subset trafficPolicy.loadBalancer.simple", LB);
            check_enum(ctx, r, ml_path(s->traffic_policy, "connectionPool.http.h2UpgradePolicy"),
                       "subset connectionPool.http.h2UpgradePolicy", H2);
        }
    }
    check_durations(ctx, m);
    ml002_check_regexes(ctx);
}

const ml_rule ml_rule_ML002 = {
    .id = "ML002",
    .name = "invalid-value",
    .level = ML_LEVEL_ERROR,
    .summary = "A field has a value or a type the API does not accept",
    .description = "An enum field the rules depend on holds a value outside its set: PeerAuthentication "
                   "mtls.mode (also per port), AuthorizationPolicy action, DestinationRule tls.mode, "
                   "loadBalancer.simple and h2UpgradePolicy (also per port and per subset). Istio's "
                   "validation rejects such a resource, or, where validation is off, the field is "
                   "ignored and a default applies that the author did not choose.\n"
                   "\n"
                   "The rule also reports fields of the wrong YAML type, such as hosts: 5 or "
                   "subsets: {}. meshlint treats such a field as absent, so other rules may stay "
                   "silent about it.\n"
                   "\n"
                   "An apiVersion the API server no longer serves is reported too, instead of the resource "
                   "being dropped silently: the beta workload APIs Kubernetes 1.16 removed "
                   "(extensions/v1beta1 and apps/v1beta1, apps/v1beta2 Deployments, DaemonSets, ReplicaSets), "
                   "and Istio's removed APIs (networking.istio.io/v1alpha2, config.istio.io/v1alpha2 of Mixer, "
                   "authentication.istio.io/v1alpha1 and rbac.istio.io/v1alpha1, removed in Istio 1.6 for "
                   "security.istio.io). Such a resource is never applied and meshlint does not read it. So is an object without "
                   "metadata.name (or generateName), and a PeerAuthentication portLevelMtls key outside 1-65535 "
                   "applies to no port. An empty portLevelMtls mapping ({}) is rejected by Istio's "
                   "ValidatePeerAuthentication (pkg/config/validation/validation.go: \"port level mTLS, if "
                   "defined, must have at least one element\"); a null one is the same as none.\n"
                   "\n"
                   "Numbers the API server refuses are reported too: port numbers outside 1-65535 (containerPort, "
                   "Service port and numeric targetPort, probe ports: IsValidPortNum in Kubernetes' "
                   "apimachinery/pkg/util/validation; VirtualService and DestinationRule port numbers: "
                   "agent.ValidatePort in Istio's pkg/config/validation/agent/validation.go), negative route "
                   "weights and retry attempts (validateWeight and validateHTTPRetry in "
                   "pkg/config/validation/validation.go; both are 32-bit integers, so larger values cannot be "
                   "decoded at all), and durations Istio does not accept: timeout, retries.perTryTimeout, "
                   "connectTimeout, idleTimeout, outlierDetection interval and baseEjectionTime must read as a Go "
                   "duration (a number and a unit: 250ms, 5s, 1m30s; not \"PT5S\" or \"-5s\") of at least 1ms "
                   "and a whole number of milliseconds (agent.ValidateDuration). A port out of range is treated as "
                   "absent by the other rules.\n"
                   "\n"
                   "A VirtualService regex match (uri, scheme, method, authority, headers, withoutHeaders, "
                   "queryParams, corsPolicy.allowOrigins, rewrite.uriRegexRewrite.match) that Istio's validation "
                   "rejects is reported at the offending character: Istio compiles it with Go's regexp, RE2 "
                   "syntax (pkg/config/validation/virtualservice.go validateHTTPRouteMatchRequest, "
                   "pkg/config/validation/validation.go validateStringRegexp), so back-references, look-around, "
                   "atomic groups, possessive quantifiers, recursion, conditionals, \\C and unknown escapes, "
                   "repeat counts over 1000, an empty regex and one over 1024 bytes are errors. A withoutHeaders "
                   "regex \"*\" is a presence match, not a regex.",
    .remediation = "Use one of the listed values, spelled exactly (they are upper case), give the "
                   "field the type the API expects, and keep numbers and durations in the ranges above.",
    .tags = "input,validation",
    .precision = "very-high",
    .example_bad = "kind: PeerAuthentication\nspec:\n  mtls:\n    mode: strict",
    .example_good = "kind: PeerAuthentication\nspec:\n  mtls:\n    mode: STRICT",
    .check = check,
};
