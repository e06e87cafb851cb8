/*
 * ML502 allow-all-policy: an ALLOW policy with a rule that admits every
 * request. Rules are OR'ed, so one such rule makes the whole policy admit
 * everything, whatever the other rules say. A rule admits everything when
 * each of its parts is absent, empty or wildcard-only: `{}`, `to` with
 * `paths: ["*"]`, sources that are only `principals: ["*"]`. Wildcard
 * sources still require an mTLS identity, which the message says.
 *
 * Separately, an ALLOW policy whose `rules` key is written but empty denies
 * everything to its workloads, which reads like a list never filled in; a
 * note says so. Istio's documented deny-all idioms (`spec: {}`, and
 * `action: ALLOW` with no `rules` key) are left alone.
 */
#include <string.h>

#include "authz_common.h"

/* How much a rule part constrains. */
typedef enum open_kind {
    OPEN_NO = 0,       /* constrains something */
    OPEN_ALL,          /* admits every request */
    OPEN_AUTHENTICATED /* admits every caller with an mTLS identity */
} open_kind;

static bool absent(const ml_node *n)
{
    return !n || ml_is_null(n) || ((ml_is_seq(n) || ml_is_map(n)) && ml_node_n(n) == 0);
}

/* A list of patterns that is only "*". */
static bool only_star(const ml_node *list)
{
    if (!ml_is_seq(list) || ml_node_n(list) == 0)
        return false;
    for (size_t i = 0; i < ml_node_n(list); i++)
        if (!ml_streq(ml_str(&list->elems[i]), "*"))
            return false;
    return true;
}

/* A mapping whose every present key is in `wild` with a "*"-only list; keys
 * listed in `auth` make the result OPEN_AUTHENTICATED. Any other key (or a
 * negated one) constrains. */
static open_kind open_fields(const ml_node *m, const char *const *wild, const char *const *auth)
{
    if (!ml_is_map(m))
        return OPEN_NO;
    open_kind k = OPEN_ALL;
    bool any = false;
    for (size_t i = 0; i < ml_node_n(m); i++) {
        const char *key = ml_str(&m->kvs[i].key);
        const ml_node *v = &m->kvs[i].value;
        if (!key)
            return OPEN_NO;
        if (absent(v))
            continue;
        bool found = false;
        for (size_t j = 0; wild[j] && !found; j++)
            found = strcmp(key, wild[j]) == 0;
        bool is_auth = false;
        for (size_t j = 0; auth[j] && !is_auth; j++)
            is_auth = strcmp(key, auth[j]) == 0;
        if ((!found && !is_auth) || !only_star(v))
            return OPEN_NO;
        if (is_auth)
            k = OPEN_AUTHENTICATED;
        any = true;
    }
    /* An empty source or operation is rejected by Istio's validation. */
    return any ? k : OPEN_NO;
}

static const char *const src_wild[] = {NULL};
static const char *const src_auth[] = {"principals", "namespaces", NULL};
static const char *const op_wild[] = {"hosts", "methods", "paths", NULL};
static const char *const none[] = {NULL};

/* A list of {source|operation: {...}} items is open when it is absent or when
 * one of its items is open (items are OR'ed); the least restrictive item
 * decides. */
static open_kind open_list(const ml_node *list, const char *inner, const char *const *wild,
                           const char *const *auth)
{
    if (absent(list))
        return OPEN_ALL;
    if (!ml_is_seq(list))
        return OPEN_NO;
    open_kind best = OPEN_NO;
    for (size_t i = 0; i < ml_node_n(list); i++) {
        const ml_node *item = &list->elems[i];
        if (!ml_is_map(item) || ml_node_n(item) != 1 || !ml_get(item, inner))
            continue;
        open_kind k = open_fields(ml_get(item, inner), wild, auth);
        if (k == OPEN_ALL)
            return OPEN_ALL;
        if (k == OPEN_AUTHENTICATED)
            best = OPEN_AUTHENTICATED;
    }
    return best;
}

static open_kind open_rule(const ml_node *rule)
{
    if (ml_is_null(rule))
        return OPEN_NO; /* a null rule is rejected by Istio's validation */
    if (!ml_is_map(rule))
        return OPEN_NO;
    for (size_t i = 0; i < ml_node_n(rule); i++) {
        const char *key = ml_str(&rule->kvs[i].key);
        if (!key || (strcmp(key, "from") != 0 && strcmp(key, "to") != 0 && strcmp(key, "when") != 0))
            return OPEN_NO;
    }
    if (!absent(ml_get(rule, "when")))
        return OPEN_NO;
    open_kind to = open_list(ml_get(rule, "to"), "operation", op_wild, none);
    if (to == OPEN_NO)
        return OPEN_NO;
    return open_list(ml_get(rule, "from"), "source", src_wild, src_auth);
}

static const char *workloads_phrase(ml_ctx *ctx, const ml_authz *p)
{
    ml_vec ws = ml_mesh_authz_workloads(ctx->model, p);
    if (ws.n == 0)
        return "its workloads";
    return ml_authz_workload_list(ctx->arena, &ws, 3);
}

static void check_policy(ml_ctx *ctx, const ml_resource *r)
{
    const ml_authz *p = r->u.authz;
    const ml_pair *rules_pair = ml_get_pair(r->spec, "rules");
    const ml_node *rules = rules_pair ? &rules_pair->value : NULL;

    if (absent(rules)) {
        /* No rules: deny-all. Silent for Istio's idioms `spec: {}` and
         * `action: ALLOW` without rules; a note when `rules` was written but
         * left empty, which reads like a list never filled in. */
        if (!rules_pair)
            return;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NOTE, ml_node_loc(&rules_pair->key),
                               "%s (ALLOW) has an empty rules list, so it matches nothing and denies every request "
                               "to %s",
                               ml_res_display(ctx->arena, r), workloads_phrase(ctx, p));
        ml_help(ctx, d,
                "if denying everything is the intent, drop the empty `rules` (the deny-all idiom is "
                "`spec: {}`); otherwise list the rules that name the callers to allow");
        return;
    }
    if (!ml_is_seq(rules))
        return; /* ML002 reports the shape */
    for (size_t i = 0; i < ml_node_n(rules); i++) {
        const ml_node *rule = &rules->elems[i];
        open_kind k = open_rule(rule);
        if (k == OPEN_NO)
            continue;
        const char *what;
        if (ml_is_map(rule) && ml_node_n(rule) == 0)
            what = "is {}";
        else if (k == OPEN_ALL)
            what = "constrains nothing (its from and to are empty or wildcards only)";
        else
            what = "only requires a wildcard principal or namespace, which any mTLS caller has";
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(rule),
                               "rule %zu of %s (ALLOW) %s: the policy admits %s to %s", i + 1,
                               ml_res_display(ctx->arena, r), what,
                               k == OPEN_ALL ? "every request" : "every caller with a mesh identity",
                               workloads_phrase(ctx, p));
        if (p->selector)
            ml_note(ctx, d, ml_node_loc(p->selector), "the workloads it applies to");
        ml_help(ctx, d,
                "name the callers in from.source.principals or namespaces (and the methods in "
                "to.operation.paths), or delete the rule");
    }
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        const ml_authz *p = r->u.authz;
        if (!p || p->action != ML_AUTHZ_ALLOW)
            continue;
        check_policy(ctx, r);
    }
}

const ml_rule ml_rule_ML502 = {
    .id = "ML502",
    .name = "allow-all-policy",
    .level = ML_LEVEL_ERROR,
    .summary = "An ALLOW AuthorizationPolicy has a rule that matches every request",
    .description = "The rules of an AuthorizationPolicy are alternatives: a request that matches any one "
                   "of them is allowed. A rule `{}`, a rule whose `to` lists only wildcards "
                   "(`paths: [\"*\"]`, `methods: [\"*\"]`) and has no `from` or `when`, or whose sources are "
                   "only wildcards (`principals: [\"*\"]`, `namespaces: [\"*\"]`), therefore makes the "
                   "whole policy admit everything (with wildcard sources: every caller with a mesh "
                   "identity). It looks like access control and is none.\n"
                   "\n"
                   "An empty or null source or operation is not treated as a wildcard: Istio's "
                   "validation rejects it.\n"
                   "\n"
                   "A note is also given for an ALLOW policy whose `rules` key is written but empty "
                   "(`rules: []`): it matches nothing and so denies every request to its workloads, "
                   "which is rarely what a half-written policy meant. Istio's documented deny-all "
                   "idioms, `spec: {}` and `action: ALLOW` with no `rules` key, are not reported.",
    .remediation = "Name the callers (from.source.principals or namespaces) and the methods "
                   "(to.operation.paths) each rule admits, or delete the catch-all rule.",
    .tags = "security,authorization,istio",
    .istio_code = NULL,
    .security_severity = 7.5,
    .precision = "very-high",
    .example_bad = "kind: AuthorizationPolicy\nspec:\n  action: ALLOW\n  rules:\n  - {}",
    .example_good = "kind: AuthorizationPolicy\nspec:\n  action: ALLOW\n  rules:\n"
                    "  - from: [{source: {principals: [cluster.local/ns/shop/sa/checkout]}}]",
    .check = check,
};
