/*
 * ML503 unknown-principal: an AuthorizationPolicy names an identity that
 * nothing in the input carries. Three cases:
 *
 *  - a principal <trust-domain>/ns/<ns>/sa/<sa> whose namespace the input
 *    describes (it has workloads or ServiceAccounts there) but that has no
 *    ServiceAccount <sa> and no workload running as <sa>;
 *  - a `namespaces` entry naming a namespace the input does not contain,
 *    when the input does define Namespaces and the name looks like a
 *    misspelling of one of them (or with --assume-complete, any such name)
 *    (IST0101);
 *  - a principal whose trust domain is not the configured one.
 *
 * The names known per namespace are collected in one pass over the
 * ServiceAccounts, the workloads and the Gateway API Gateways Istio deploys
 * (which run as accounts Istio creates); each principal is then one lookup. The
 * `default` ServiceAccount exists in every namespace and is never unknown.
 * Patterns with `*` are checked only in their exact parts.
 */
#include <ctype.h>
#include <string.h>

#include "authz_common.h"
#include "meshlint/mesh.h"
#include "meshlint/config.h"

/* Findings that get a "did you mean" search (bounds the work on huge inputs). */
#define MAX_HINTED 64

typedef struct known {
    ml_arena *a;
    size_t hinted;
    ml_map names;  /* "ns\x1fsa" -> (void*)1 */
    ml_map typos;  /* unknown namespace -> the Namespace name it misspells (or a marker for none) */
    ml_map by_ns;  /* ns -> ml_vec of distinct const char* service account names */
} known;

static void add_name(known *k, const char *ns, const char *name)
{
    if (!ns || !name)
        return;
    /* joined, not printed: one per ServiceAccount and workload */
    const char *parts[] = {ns, name};
    ml_key probe;
    ml_key_join(&probe, '\x1f', 2, parts);
    bool seen = ml_map_get(&k->names, probe.s, probe.n) != NULL;
    ml_key_done(&probe);
    if (seen)
        return;
    size_t len;
    const char *key = ml_key_dup(k->a, &len, '\x1f', 2, parts);
    ml_map_put(&k->names, key, len, (void *)1);
    ml_map_push(&k->by_ns, k->a, ns, strlen(ns), (void *)name);
}

static bool has_name(const known *k, const char *ns, const char *sa)
{
    const char *parts[] = {ns, sa};
    ml_key key;
    ml_key_join(&key, '\x1f', 2, parts);
    bool has = ml_map_get(&k->names, key.s, key.n) != NULL;
    ml_key_done(&key);
    return has;
}

static void collect(ml_ctx *ctx, known *k)
{
    k->a = ctx->arena;
    k->hinted = 0;
    ml_map_init(&k->names);
    ml_map_init(&k->by_ns);
    ml_map_init(&k->typos);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_SERVICEACCOUNT]) {
        if (r->live)
            add_name(k, r->ns, r->name);
    }
    ML_VEC_EACH(ml_workload *, w, &ctx->model->workloads) {
        add_name(k, w->res->ns, ml_authz_service_account(w, NULL));
    }
    /* A Gateway API Gateway that Istio deploys runs as a ServiceAccount it
     * creates: the gateway.istio.io/service-account annotation, else
     * <name>-<gatewayClassName> (bookinfo-gateway-istio), or for a
     * waypoint the Gateway's own name. */
    for (int pass = 0; pass < 2; pass++) /* typed, then versions meshlint does not read */
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[pass ? ML_K_OTHER : ML_K_GW_GATEWAY]) {
        if (!r->live || !ml_streq(r->kind_str, "Gateway") || !r->api_version ||
            strncmp(r->api_version, "gateway.networking.k8s.io/", 26) != 0 || !*r->name)
            continue;
        const char *sa = ml_str_nonnull(ml_get(r->annotations, "gateway.istio.io/service-account"));
        const char *cls = ml_str_nonnull(ml_get(r->spec, "gatewayClassName"));
        if (sa && *sa) {
            add_name(k, r->ns, sa);
            continue;
        }
        add_name(k, r->ns, r->name);
        if (cls && *cls)
            add_name(k, r->ns, ml_printf(k->a, "%s-%s", r->name, cls));
    }
}

/* The closest known name (edit distance <= 2), or NULL. */
static const char *closest(const ml_vec *names, const char *sa)
{
    const char *best = NULL;
    unsigned bd = 3;
    ML_VEC_EACH(const char *, n, names) {
        unsigned d = ml_edit_distance(n, sa, 2);
        if (d < bd) {
            bd = d;
            best = n;
        }
    }
    return best;
}

/* Up to four names, for the note. */
static const char *list_names(ml_arena *a, const ml_vec *names)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < names->n && i < 4; i++)
        ml_buf_printf(&b, "%s%s", i ? ", " : "", (const char *)names->items[i]);
    if (names->n > 4)
        ml_buf_printf(&b, " and %zu more", names->n - 4);
    const char *out = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return out;
}

/* Split "td/ns/X/sa/Y" into its parts; false when it has another form. */
static bool split_principal(ml_arena *a, const char *p, const char **td, const char **ns, const char **sa)
{
    const char *seg[6];
    size_t len[6], n = 0;
    const char *s = p;
    while (n < 6) {
        const char *slash = strchr(s, '/');
        seg[n] = s;
        len[n] = slash ? (size_t)(slash - s) : strlen(s);
        n++;
        if (!slash)
            break;
        s = slash + 1;
    }
    if (n != 5 || len[1] != 2 || memcmp(seg[1], "ns", 2) != 0 || len[3] != 2 || memcmp(seg[3], "sa", 2) != 0)
        return false;
    *td = ml_strndup(a, seg[0], len[0]);
    *ns = ml_strndup(a, seg[2], len[2]);
    *sa = ml_strndup(a, seg[4], len[4]);
    return true;
}

static bool has_star(const char *s)
{
    return strchr(s, '*') != NULL;
}

static bool system_ns(const ml_ctx *ctx, const char *ns)
{
    static const char *const sys[] = {"default", "kube-system", "kube-public", "kube-node-lease", NULL};
    for (size_t i = 0; sys[i]; i++)
        if (strcmp(ns, sys[i]) == 0)
            return true;
    return ctx->model->mesh && ml_streq(ns, ctx->model->mesh->root_ns);
}

/* The trust domains a principal may name (ReplaceTrustDomainAliases,
 * pilot/pkg/security/trustdomain/bundle.go): the mesh's own, any of its
 * aliases (meshConfig.trustDomainAliases), and "cluster.local", which
 * Istio reads as a pointer to the local trust domain and its aliases. */
static bool trust_domain_accepted(const ml_ctx *ctx, const char *td, const char *want_td)
{
    if (strcmp(td, want_td) == 0 || strcmp(td, "cluster.local") == 0)
        return true;
    if (ctx->cfg)
        ML_VEC_EACH(const char *, alias, &ctx->cfg->trust_domain_aliases) {
            if (ml_streq(alias, td))
                return true;
        }
    return false;
}

static void check_principal(ml_ctx *ctx, known *k, const ml_resource *r, const ml_node *item)
{
    const char *p = ml_str_nonnull(item);
    if (!p || strcmp(p, "*") == 0)
        return;
    const char *td, *ns, *sa;
    if (!split_principal(ctx->arena, p, &td, &ns, &sa) || !*td || !*ns || !*sa)
        return; /* another form: not a Kubernetes workload identity */
    const char *want_td = ml_authz_trust_domain(ctx);
    if (!has_star(td) && !trust_domain_accepted(ctx, td, want_td)) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(item),
                               "principal \"%s\" has trust domain %s, but the mesh's trust domain is %s%s: "
                               "no workload of this mesh carries it",
                               p, td, want_td,
                               ml_streq(want_td, "cluster.local") ? " (the default)" : " (configured)");
        ml_help(ctx, d,
                "write the principal as %s/ns/%s/sa/%s, or set trust-domain (or trust-domain-aliases, for an "
                "old trust domain the mesh still accepts) in .meshlint.yaml if the mesh uses %s",
                want_td, ns, sa, td);
        return;
    }
    if (has_star(ns) || has_star(sa) || !*ns || !*sa || strcmp(sa, "default") == 0)
        return;
    const ml_vec *names = ml_map_vec(&k->by_ns, ns, strlen(ns));
    if (!names || names->n == 0)
        return; /* the input does not describe what runs in ns */
    if (has_name(k, ns, sa))
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(item),
                           "principal \"%s\" names service account %s in namespace %s, but the input has no "
                           "ServiceAccount %s there and no workload runs as it: this entry matches no caller",
                           p, sa, ns, sa);
    ml_note(ctx, d, ml_authz_res_name_loc(r), "in %s", ml_res_display(ctx->arena, r));
    const ml_vec *nsdefs = ml_model_namespace_defs(ctx->model, ns);
    const ml_resource *nsr = nsdefs && nsdefs->n ? nsdefs->items[0] : NULL;
    if (nsr)
        ml_note(ctx, d, ml_authz_res_name_loc(nsr),
                "namespace %s is part of the input; the service accounts in use there: %s", ns,
                list_names(ctx->arena, names));
    const char *near = ++k->hinted <= MAX_HINTED ? closest(names, sa) : NULL;
    if (near)
        ml_help(ctx, d, "did you mean %s/ns/%s/sa/%s? Otherwise create ServiceAccount %s in %s and run the "
                        "calling workload as it (serviceAccountName: %s)",
                td, ns, near, sa, ns, sa);
    else
        ml_help(ctx, d,
                "create ServiceAccount %s in namespace %s and run the calling workload as it "
                "(serviceAccountName: %s), or name the identity the caller really runs as",
                sa, ns, sa);
}

/* The first Namespace in load order whose name ns looks like a misspelling
 * of, or NULL. Results are cached per name; the number of searches is
 * bounded, and beyond the bound no name is taken for a misspelling. */
static const char *misspelled_ns(ml_ctx *ctx, known *k, const char *ns)
{
    static const char none = 0;
    void **slot = ml_map_slot_for(&k->typos, ns, strlen(ns));
    if (*slot)
        return *slot == &none ? NULL : *slot;
    const char *hit = NULL;
    if (++k->hinted <= MAX_HINTED) {
        hit = ml_model_ns_misspelled(ctx->model, ns);
    }
    *slot = hit ? (void *)hit : (void *)&none;
    return hit;
}

/* True when namespace name ns matches an AuthorizationPolicy pattern with
 * one leading or trailing "*" (StringMatcherWithPrefix, pilot/pkg/security/
 * authz/matcher/string.go: "*x" is a suffix, "x*" a prefix match). */
static bool ns_pattern_matches(const char *pat, size_t plen, bool suffix, const char *ns)
{
    size_t n = strlen(ns);
    if (n < plen)
        return false;
    return suffix ? memcmp(ns + n - plen, pat, plen) == 0 : memcmp(ns, pat, plen) == 0;
}

/* A namespaces pattern ("*-prod", "team-*") that matches no namespace the
 * input holds or uses, reported only when the input is declared complete
 * (--assume-complete) and defines Namespaces: only then is the set of
 * namespaces known. The number of patterns judged is bounded. */
static void check_ns_pattern(ml_ctx *ctx, known *k, const ml_resource *r, const ml_node *item, const char *ns)
{
    const ml_model *m = ctx->model;
    size_t len = strlen(ns);
    if (!ml_assume_complete(ctx) || m->namespaces.n == 0 || ml_model_has_apply_time(m) || len < 2)
        return;
    bool suffix = ns[0] == '*';
    const char *pat = suffix ? ns + 1 : ns;
    size_t plen = len - 1;
    if (memchr(pat, '*', plen) || ++k->hinted > MAX_HINTED)
        return; /* a star inside, or two: Istio matches it exactly, never a namespace */
    if (ml_model_unlinted_may_define(m, NULL))
        return;
    static const char *const sys[] = {"default", "kube-system", "kube-public", "kube-node-lease", NULL};
    for (size_t i = 0; sys[i]; i++)
        if (ns_pattern_matches(pat, plen, suffix, sys[i]))
            return;
    if (m->mesh && m->mesh->root_ns && ns_pattern_matches(pat, plen, suffix, m->mesh->root_ns))
        return;
    ML_VEC_EACH(const ml_resource *, o, &m->resources) {
        if (o->ns && ns_pattern_matches(pat, plen, suffix, o->ns))
            return;
    }
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(item),
                           "namespace pattern %s matches none of the namespaces of the input, which is declared "
                           "complete and defines %zu Namespace%s: this entry matches no caller",
                           ns, m->namespaces.n, m->namespaces.n == 1 ? "" : "s");
    ml_note(ctx, d, ml_authz_res_name_loc(r), "in %s", ml_res_display(ctx->arena, r));
    ml_help(ctx, d, "a pattern may have one \"*\", at its start (a suffix match) or its end (a prefix match); "
                    "correct it to match the callers' namespaces");
}

static void check_namespace(ml_ctx *ctx, known *k, const ml_resource *r, const ml_node *item)
{
    const ml_model *m = ctx->model;
    const char *ns = ml_str_nonnull(item);
    if (ns && *ns && strcmp(ns, "*") != 0 && has_star(ns)) {
        check_ns_pattern(ctx, k, r, item, ns);
        return;
    }
    if (!ns || !*ns || has_star(ns) || m->namespaces.n == 0)
        return;
    if (ml_model_has_ns(m, ns) || ml_model_namespace_defs(m, ns) || system_ns(ctx, ns))
        return;
    /* A repository describes the namespaces it deploys to, seldom those its
     * callers run in: an unknown name is only a finding when it looks like a
     * misspelling of a Namespace the input defines, or when the input is
     * declared complete. */
    const char *near = misspelled_ns(ctx, k, ns);
    if (!near && !ml_assume_complete(ctx))
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(item),
                           "namespace %s is not part of the input, which defines %zu Namespace%s: this entry "
                           "matches no caller",
                           ns, m->namespaces.n, m->namespaces.n == 1 ? "" : "s");
    ml_note(ctx, d, ml_authz_res_name_loc(r), "in %s", ml_res_display(ctx->arena, r));
    if (near)
        ml_help(ctx, d, "did you mean namespace %s?", near);
    else
        ml_help(ctx, d, "name a namespace the callers run in, or add its Namespace to the input");
}

static void check_list(ml_ctx *ctx, known *k, const ml_resource *r, const ml_node *list, bool principals)
{
    if (!ml_is_seq(list))
        return;
    for (size_t i = 0; i < ml_node_n(list); i++) {
        if (principals)
            check_principal(ctx, k, r, &list->elems[i]);
        else
            check_namespace(ctx, k, r, &list->elems[i]);
    }
}

static void check_policy(ml_ctx *ctx, known *k, const ml_resource *r)
{
    const ml_node *rules = r->u.authz ? r->u.authz->rules : NULL;
    if (!ml_is_seq(rules))
        return;
    for (size_t i = 0; i < ml_node_n(rules); i++) {
        const ml_node *rule = &rules->elems[i];
        const ml_node *from = ml_get(rule, "from");
        for (size_t j = 0; ml_is_seq(from) && j < ml_node_n(from); j++) {
            const ml_node *src = ml_get(&from->elems[j], "source");
            check_list(ctx, k, r, ml_get(src, "principals"), true);
            check_list(ctx, k, r, ml_get(src, "notPrincipals"), true);
            check_list(ctx, k, r, ml_get(src, "namespaces"), false);
            check_list(ctx, k, r, ml_get(src, "notNamespaces"), false);
        }
        const ml_node *when = ml_get(rule, "when");
        for (size_t j = 0; ml_is_seq(when) && j < ml_node_n(when); j++) {
            const char *key = ml_str(ml_get(&when->elems[j], "key"));
            bool pr = ml_streq(key, "source.principal"), nsk = ml_streq(key, "source.namespace");
            if (!pr && !nsk)
                continue;
            check_list(ctx, k, r, ml_get(&when->elems[j], "values"), pr);
            check_list(ctx, k, r, ml_get(&when->elems[j], "notValues"), pr);
        }
    }
}

static void check(ml_ctx *ctx)
{
    known k;
    collect(ctx, &k);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        check_policy(ctx, &k, r);
    }
    ml_map_free(&k.names);
    ml_map_free(&k.by_ns);
    ml_map_free(&k.typos);
}

const ml_rule ml_rule_ML503 = {
    .id = "ML503",
    .name = "unknown-principal",
    .level = ML_LEVEL_WARNING,
    .summary = "An AuthorizationPolicy names an identity that nothing in the input carries",
    .description = "A source principal is the caller's SPIFFE identity without the spiffe:// prefix: "
                   "<trust-domain>/ns/<namespace>/sa/<service-account>. A principal whose namespace is "
                   "part of the input (it has workloads or ServiceAccounts there) but that has no "
                   "ServiceAccount of that name, and no workload running as it, matches no caller: an "
                   "ALLOW rule built on it admits nobody, a DENY rule built on it denies nobody. The same "
                   "holds for a principal in another trust domain than the mesh's (cluster.local unless "
                   "configured with trust-domain) and its aliases (trust-domain-aliases, Istio's "
                   "meshConfig.trustDomainAliases): Istio rewrites a principal in the trust domain, an alias, "
                   "or cluster.local (which it reads as the local trust domain) to every one of them and keeps "
                   "any other as written, which no workload carries (ReplaceTrustDomainAliases, "
                   "pilot/pkg/security/trustdomain/bundle.go), and for a `namespaces` entry naming a namespace the "
                   "input does not contain while it does define Namespaces, when the name is one or two "
                   "edits away from a defined Namespace (a misspelling; sibling names such as team-a and "
                   "team-b do not count), or with --assume-complete whatever the name: a repository seldom "
                   "defines the namespaces its callers run in.\n"
                   "\n"
                   "The ServiceAccount `default` exists in every namespace and is never reported, nor "
                   "are the accounts Istio creates for the Gateway API Gateways of the input (<name>-<class>, "
                   "the waypoint's own name, or the gateway.istio.io/service-account annotation). "
                   "Namespaces the input does not describe are not judged, and principal patterns with `*` are "
                   "checked only in their exact parts. A namespace pattern with one leading or trailing `*` "
                   "(\"*-prod\" a suffix, \"team-*\" a prefix match: StringMatcherWithPrefix in "
                   "pilot/pkg/security/authz/matcher/string.go) is reported when it matches no namespace the "
                   "input holds or uses, only with --assume-complete and when the input defines Namespaces "
                   "and no input was left unlinted: only then is the set of namespaces known. Entries of `when` conditions on source.principal "
                   "and source.namespace are checked too.",
    .remediation = "Name the service account the caller really runs as (its serviceAccountName), or "
                   "create the ServiceAccount and run the caller as it; fix the namespace's spelling.",
    .tags = "security,authorization,istio",
    .istio_code = "IST0101",
    .security_severity = 4.3,
    .precision = "high",
    .example_bad = "kind: AuthorizationPolicy\nmetadata: {name: orders, namespace: shop}\nspec:\n  rules:\n"
                   "  - from: [{source: {principals: [cluster.local/ns/shop/sa/gateway]}}]\n"
                   "# no ServiceAccount gateway in shop, no workload with serviceAccountName: gateway",
    .example_good = "kind: ServiceAccount\nmetadata: {name: gateway, namespace: shop}\n---\n"
                    "kind: AuthorizationPolicy\nmetadata: {name: orders, namespace: shop}\nspec:\n  rules:\n"
                    "  - from: [{source: {principals: [cluster.local/ns/shop/sa/gateway]}}]",
    .check = check,
};
