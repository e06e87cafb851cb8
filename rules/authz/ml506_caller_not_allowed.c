/*
 * ML506 caller-not-allowed: a Connectum service calls another service whose
 * ALLOW policies admit neither the caller's service account nor its
 * namespace. The call is refused by the callee's sidecar ("RBAC: access
 * denied", PermissionDenied to the client) although code and manifests each
 * look fine on their own.
 *
 * The path from code to policy: the server's outbound targets (a baseUrl
 * literal, or an env var resolved in the caller's container), the URL's host
 * resolved to a Service fqdn as Kubernetes DNS does from the caller's
 * namespace, the Service's workloads, the ALLOW policies that apply to them.
 * Each policy rule is evaluated against the only request facts known
 * statically, the caller's identity; every other condition (paths, ports,
 * JWTs, IP blocks) is assumed satisfiable, so a finding means no request
 * from this caller can be admitted. Callers and callees whose sidecar is
 * not known to exist are skipped: identities need mTLS on both ends.
 */
#include <string.h>

#include "authz_common.h"

#include "meshlint/config.h"

typedef struct caller {
    const char *principal; /* td/ns/<ns>/sa/<sa> */
    const char *ns;
    bool sa_default;       /* no serviceAccountName: "default" */
} caller;

static bool any_match(const ml_node *list, const char *value)
{
    for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list); i++)
        if (ml_authz_str_match(ml_str_nonnull(&list->elems[i]), value))
            return true;
    return false;
}

/* May a `from[].source` match the caller? Identity fields decide; any other
 * field is unknown statically and so may match. */
static bool source_may_match(const ml_node *src, const caller *c)
{
    if (!ml_is_map(src))
        return true;
    const ml_node *n;
    if (ml_is_seq(n = ml_get(src, "principals")) && ml_node_n(n) && !any_match(n, c->principal))
        return false;
    if (ml_is_seq(n = ml_get(src, "notPrincipals")) && any_match(n, c->principal))
        return false;
    if (ml_is_seq(n = ml_get(src, "namespaces")) && ml_node_n(n) && !any_match(n, c->ns))
        return false;
    if (ml_is_seq(n = ml_get(src, "notNamespaces")) && any_match(n, c->ns))
        return false;
    return true;
}

static bool rule_may_admit(const ml_node *rule, const caller *c)
{
    if (!ml_is_map(rule))
        return true; /* not understood: assume it may */
    const ml_node *from = ml_get(rule, "from");
    if (ml_is_seq(from) && ml_node_n(from)) {
        bool any = false;
        for (size_t i = 0; i < ml_node_n(from) && !any; i++)
            any = source_may_match(ml_get(&from->elems[i], "source"), c);
        if (!any)
            return false;
    }
    const ml_node *when = ml_get(rule, "when");
    for (size_t i = 0; ml_is_seq(when) && i < ml_node_n(when); i++) {
        const ml_node *cond = &when->elems[i];
        const char *key = ml_str(ml_get(cond, "key"));
        const char *val = ml_streq(key, "source.principal") ? c->principal
                          : ml_streq(key, "source.namespace") ? c->ns
                                                              : NULL;
        if (!val)
            continue;
        const ml_node *vals = ml_get(cond, "values"), *nots = ml_get(cond, "notValues");
        if (ml_is_seq(vals) && ml_node_n(vals) && !any_match(vals, val))
            return false;
        if (ml_is_seq(nots) && any_match(nots, val))
            return false;
    }
    return true;
}

static bool policy_may_admit(const ml_authz *p, const caller *c)
{
    const ml_node *rules = p->rules;
    if (rules && !ml_is_seq(rules))
        return true;
    for (size_t i = 0; rules && i < ml_node_n(rules); i++)
        if (rule_may_admit(&rules->elems[i], c))
            return true;
    return false;
}

/* The host of a URL: scheme, userinfo, port, path and query stripped.
 * NULL when there is none or it is an IPv6 literal. */
static const char *url_host(ml_arena *a, const char *url)
{
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    const char *at = strpbrk(s, "@/");
    if (at && *at == '@')
        s = at + 1;
    if (*s == '[')
        return NULL;
    size_t n = strcspn(s, ":/?#");
    if (n == 0)
        return NULL;
    return ml_strndup(a, s, n);
}

static const char *cluster_domain(const ml_ctx *ctx)
{
    const char *d = ctx->cfg ? ctx->cfg->cluster_domain : NULL;
    return d && *d ? d : "cluster.local";
}

/* The URL an outbound call uses from this caller, and where it came from.
 * NULL when it is not statically known. */
static const char *outbound_url(ml_ctx *ctx, const ml_link *l, const ml_outbound *o, const char **origin,
                                ml_loc *origin_loc)
{
    *origin = NULL;
    if (o->url.kind == ML_VAL_STR) {
        *origin = "the code";
        *origin_loc = o->url.loc;
        return o->url.str;
    }
    /* the link's own resolution (ml_link_outbound_url: env chains,
     * builder alternatives), as every rule resolves a peer */
    ml_setting s = ml_link_outbound_url(ctx->model, l, o);
    if (s.val.kind != ML_VAL_STR || !s.val.str)
        return NULL;
    *origin_loc = s.loc;
    if (o->url.kind == ML_VAL_ENV && o->url.env && o->url.env_default && o->url.env_default->kind == ML_VAL_STR &&
        ml_starts_with(s.source ? s.source : "", "default in code"))
        *origin = ml_printf(ctx->arena, "the code's default for env %s, which the container does not set",
                            o->url.env);
    else if (o->url.kind == ML_VAL_ENV && o->url.env && !s.source)
        *origin = ml_printf(ctx->arena, "env %s", o->url.env);
    else
        *origin = s.source ? s.source : "the code";
    return s.val.str;
}

typedef struct refusal {
    const ml_workload *callee;
    ml_vec policies; /* const ml_authz* (ALLOW) */
} refusal;

/* One caller (the link's workload, which has a sidecar), one call. */
static void check_call(ml_ctx *ctx, const ml_authz_index *ix, const ml_link *l, caller *cp,
                       const ml_outbound *o)
{
    const ml_model *m = ctx->model;
    const ml_workload *w = l->workload;
    const char *origin;
    ml_loc origin_loc;
    memset(&origin_loc, 0, sizeof origin_loc);
    const char *url = outbound_url(ctx, l, o, &origin, &origin_loc);
    if (!url)
        return;
    const char *host = url_host(ctx->arena, url);
    if (!host)
        return;
    const char *fqdn = ml_ends_with(host, ".svc")
                           ? ml_printf(ctx->arena, "%s.%s", host, cluster_domain(ctx))
                           : ml_resolve_dns_name(ctx->model, host, w->res->ns);
    const ml_vec *svcs = ml_model_services_for(m, fqdn);
    if (!svcs || svcs->n == 0)
        return;
    if (!cp->principal) {
        const char *sa = ml_authz_service_account(w, &cp->sa_default);
        cp->principal = ml_printf(ctx->arena, "%s/ns/%s/sa/%s", ml_authz_trust_domain(ctx), w->res->ns, sa);
    }
    const caller c = *cp;

    ml_vec refused = {0}; /* refusal* */
    const ml_service *svc0 = svcs->items[0];
    ML_VEC_EACH(const ml_service *, svc, svcs) {
        ML_VEC_EACH(const ml_workload *, cw, &svc->workloads) {
            if (!ml_authz_has_sidecar(m, cw))
                continue;
            refusal *rf = NULL;
            bool admitted = false;
            ML_VEC_EACH(const ml_authz *, p, ml_authz_index_get(ix, cw)) {
                if (p->action != ML_AUTHZ_ALLOW)
                    continue;
                if (policy_may_admit(p, &c)) {
                    admitted = true;
                    break;
                }
                if (!rf)
                    rf = ml_zalloc(ctx->arena, sizeof *rf);
                ml_vec_push(ctx->arena, &rf->policies, (void *)p);
            }
            if (admitted || !rf)
                continue;
            bool dup = false;
            ML_VEC_EACH(const refusal *, x, &refused) {
                dup |= x->callee == cw;
            }
            if (dup)
                continue;
            rf->callee = cw;
            ml_vec_push(ctx->arena, &refused, rf);
        }
    }
    if (refused.n == 0)
        return;

    const refusal *r0 = refused.items[0];
    ml_vec callees = {0};
    ML_VEC_EACH(const refusal *, x, &refused) {
        ml_vec_push(ctx->arena, &callees, (void *)x->callee);
    }
    const ml_authz *p0 = r0->policies.items[0];
    const char *policies = r0->policies.n == 1
                               ? ml_res_display(ctx->arena, p0->res)
                               : ml_printf(ctx->arena, "%s and %zu more", ml_res_display(ctx->arena, p0->res),
                                           r0->policies.n - 1);
    ml_diag *d = ml_report(
        ctx, ML_LEVEL_NONE, o->loc,
        "this call to %s (\"%s\", from %s) is made by %s as %s%s, and no ALLOW policy on %s admits that "
        "principal or namespace %s (%s): the call will fail with \"RBAC: access denied\"",
        fqdn, url, origin, ml_res_display(ctx->arena, w->res), c.principal,
        c.sa_default ? " (service account default: no serviceAccountName)" : "",
        ml_authz_workload_list(ctx->arena, &callees, 3), w->res->ns, policies);
    if (origin_loc.file && o->url.kind == ML_VAL_ENV)
        ml_note(ctx, d, origin_loc, "the URL is set here");
    ml_note(ctx, d, w->service_account ? ml_node_loc(w->service_account) : ml_authz_res_name_loc(w->res),
            "the caller runs as %s", c.principal);
    ml_note(ctx, d, ml_authz_res_name_loc(svc0->res), "%s resolves to %s", host,
            ml_res_display(ctx->arena, svc0->res));
    size_t shown = 0;
    ML_VEC_EACH(const refusal *, x, &refused) {
        ML_VEC_EACH(const ml_authz *, p, &x->policies) {
            if (shown++ >= 4)
                break;
            ml_note(ctx, d, ml_authz_res_name_loc(p->res), "%s applies to %s and admits neither %s nor namespace %s",
                    ml_res_display(ctx->arena, p->res), ml_res_display(ctx->arena, x->callee->res), c.principal,
                    c.ns);
        }
    }
    ml_help(ctx, d, "add a rule to %s: - from: [{source: {principals: [\"%s\"]}}]",
            ml_res_display(ctx->arena, p0->res), c.principal);
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (m->servers.n == 0 || m->by_kind[ML_K_AUTHORIZATIONPOLICY].n == 0)
        return;
    ml_authz_index ix;
    ml_authz_index_build(ctx, &ix);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            /* the caller's identity, once per link (it needs a sidecar);
             * its principal is made when a call first reaches a Service */
            const ml_workload *w = l->workload;
            if (!s->outbound.n || !w || !ml_authz_has_sidecar(m, w))
                continue;
            caller c = {.principal = NULL, .ns = w->res->ns, .sa_default = false};
            ML_VEC_EACH(const ml_outbound *, o, &s->outbound) {
                check_call(ctx, &ix, l, &c, o);
            }
        }
    }
    ml_authz_index_free(&ix);
}

const ml_rule ml_rule_ML506 = {
    .id = "ML506",
    .name = "caller-not-allowed",
    .level = ML_LEVEL_ERROR,
    .summary = "A Connectum service calls a service whose ALLOW policies do not admit it",
    .description = "When any ALLOW AuthorizationPolicy applies to a workload, its sidecar refuses every "
                   "request that matches none of them. meshlint follows each outbound call a Connectum "
                   "server's code makes (the baseUrl of createConnectTransport and similar, a literal or an "
                   "environment variable resolved in the caller's container), resolves the URL's host to a "
                   "Service as Kubernetes DNS does from the caller's namespace, and checks the ALLOW "
                   "policies of the Service's workloads against the caller's identity: its service account "
                   "(serviceAccountName, `default` when unset) and its namespace. When no rule can admit "
                   "that identity, every such call fails at run time with \"RBAC: access denied\" "
                   "(PermissionDenied to a Connect client), and neither the code nor the manifests alone "
                   "show it.\n"
                   "\n"
                   "Only the identity is known statically; any other condition in a rule (paths, methods, "
                   "ports, JWT principals, IP blocks, other `when` keys) is assumed to be satisfiable, so a "
                   "finding means no call from this caller can get through. Calls whose URL is not "
                   "statically known, and callers or callees without a known sidecar, are skipped.",
    .remediation = "Add a rule to one of the callee's ALLOW policies whose source names the caller's "
                   "principal (<trust-domain>/ns/<namespace>/sa/<service-account>) or namespace, or run the "
                   "caller as a service account the policy already admits.",
    .tags = "security,authorization,connectum,istio",
    .istio_code = NULL,
    .security_severity = 3.1,
    .precision = "high",
    .example_bad = "// web/src/server.ts: createConnectTransport({ baseUrl: \"http://orders.shop:5000\" })\n"
                   "# orders' only ALLOW policy: principals [cluster.local/ns/shop/sa/checkout]\n"
                   "# web runs as service account web",
    .example_good = "rules:\n- from: [{source: {principals: [cluster.local/ns/shop/sa/checkout, "
                    "cluster.local/ns/shop/sa/web]}}]",
    .check = check,
};
