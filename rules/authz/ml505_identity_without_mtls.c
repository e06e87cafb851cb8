/*
 * ML505 identity-without-mtls: a policy matches on the caller's identity
 * (principals, namespaces, their not- forms, or `when` on source.principal /
 * source.namespace) on workloads that accept plaintext. Those values come
 * from the mTLS peer certificate; a plaintext request has none, and Istio
 * compares the fields with an empty value (ISTIO-SECURITY-2021-004):
 *
 *  - a positive field (principals, namespaces) never matches plaintext: a
 *    DENY or CUSTOM policy is walked past, an ALLOW rule refuses the caller;
 *  - a negative field (notPrincipals, notNamespaces) always matches
 *    plaintext: an ALLOW rule admits a caller from the excluded identity (a
 *    DENY rule denies plaintext callers, usually the point: not reported).
 *
 * The cases that let plaintext callers through are errors. An ALLOW rule
 * that refuses them is a warning, reported only when a PeerAuthentication
 * chose PERMISSIVE or DISABLE (the mesh default PERMISSIVE expresses no
 * intent to admit plaintext). A negated list of only "*" is the idiom for
 * "no identity" and is not counted. Only workloads known to get a sidecar count, and the
 * effective mode comes from the shared mesh facts (per container port where
 * port-level mTLS applies).
 */
#include <string.h>

#include "authz_common.h"

typedef struct use {
    const ml_node *key; /* first place a field of this polarity is used */
    const char *field;  /* its name */
} use;

static void note_use(use *u, const ml_node *key, const char *field)
{
    if (!u->key) {
        u->key = key;
        u->field = field;
    }
}

/* A list with an entry other than "*". notPrincipals: ["*"] is the idiom
 * for "no identity", whose plaintext behaviour is the intended one. */
static bool names_someone(const ml_node *list)
{
    for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list); i++)
        if (!ml_streq(ml_str(&list->elems[i]), "*"))
            return true;
    return false;
}

static void scan_list_field(const ml_node *map, const char *field, use *u)
{
    const ml_pair *pr = ml_get_pair(map, field);
    if (pr && names_someone(&pr->value))
        note_use(u, &pr->key, field);
}

static void scan(const ml_node *rules, use *pos, use *neg)
{
    for (size_t i = 0; ml_is_seq(rules) && i < ml_node_n(rules); i++) {
        const ml_node *rule = &rules->elems[i];
        const ml_node *from = ml_get(rule, "from");
        for (size_t j = 0; ml_is_seq(from) && j < ml_node_n(from); j++) {
            const ml_node *src = ml_get(&from->elems[j], "source");
            scan_list_field(src, "principals", pos);
            scan_list_field(src, "namespaces", pos);
            scan_list_field(src, "notPrincipals", neg);
            scan_list_field(src, "notNamespaces", neg);
        }
        const ml_node *when = ml_get(rule, "when");
        for (size_t j = 0; ml_is_seq(when) && j < ml_node_n(when); j++) {
            const ml_node *c = &when->elems[j];
            const ml_pair *kp = ml_get_pair(c, "key");
            const char *k = kp ? ml_str(&kp->value) : NULL;
            if (!ml_streq(k, "source.principal") && !ml_streq(k, "source.namespace"))
                continue;
            bool pr = ml_streq(k, "source.principal");
            if (ml_is_seq(ml_get(c, "values")) && ml_node_n(ml_get(c, "values")))
                note_use(pos, &kp->key, pr ? "a source.principal condition" : "a source.namespace condition");
            if (names_someone(ml_get(c, "notValues")))
                note_use(neg, &kp->key,
                         pr ? "a source.principal notValues condition" : "a source.namespace notValues condition");
        }
    }
}

/* The first mTLS fact under which w accepts plaintext, if any: per declared
 * application port, or at the workload level when it declares none. */
static bool plaintext_fact(const ml_model *m, const ml_workload *w, ml_mtls_fact *out, long long *port)
{
    *port = -1;
    bool any_port = false;
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init || c->is_sidecar_proxy)
            continue;
        for (size_t j = 0; j < c->nports; j++) {
            if (c->ports[j].num < 0)
                continue;
            any_port = true;
            ml_mtls_fact f = ml_mesh_mtls(m, w, c->ports[j].num);
            if (f.mode == ML_MTLS_PERMISSIVE || f.mode == ML_MTLS_DISABLE) {
                *out = f;
                *port = c->ports[j].num;
                return true;
            }
        }
    }
    if (any_port)
        return false;
    ml_mtls_fact f = ml_mesh_mtls(m, w, -1);
    if (f.mode == ML_MTLS_PERMISSIVE || f.mode == ML_MTLS_DISABLE) {
        *out = f;
        return true;
    }
    return false;
}

static const char *mode_phrase(ml_arena *a, const ml_mtls_fact *f, long long port)
{
    if (!f->decided_by)
        return ml_printf(a, "mTLS %s, Istio's default with no PeerAuthentication", ml_mtls_name(f->mode));
    return ml_printf(a, "mTLS %s%s from %s", ml_mtls_name(f->mode),
                     f->scope == ML_SCOPE_PORT ? ml_printf(a, " on port %lld", port) : "",
                     ml_res_display(a, f->decided_by->res));
}

typedef struct plain {
    ml_mtls_fact f;
    long long port; /* the container port, -1 at the workload level */
} plain;

typedef struct affected {
    ml_vec ws;              /* ml_workload* */
    ml_vec facts;           /* plain* parallel to ws */
    bool any_explicit;      /* some mode was set by a PeerAuthentication */
    bool any_disable;
} affected;

static void add_notes(ml_ctx *ctx, ml_diag *d, const affected *af)
{
    const ml_peerauth *seen[4] = {0};
    size_t nseen = 0;
    for (size_t i = 0; i < af->facts.n && nseen < 4; i++) {
        const ml_mtls_fact *f = &((const plain *)af->facts.items[i])->f;
        if (!f->decided_by)
            continue;
        bool dup = false;
        for (size_t j = 0; j < nseen && !dup; j++)
            dup = seen[j] == f->decided_by;
        if (dup)
            continue;
        seen[nseen++] = f->decided_by;
        ml_note(ctx, d, f->mode_node ? ml_node_loc(f->mode_node) : ml_authz_res_name_loc(f->decided_by->res),
                "%s sets mTLS %s here, so %s accepts plaintext", ml_res_display(ctx->arena, f->decided_by->res),
                ml_mtls_name(f->mode), ml_res_display(ctx->arena, ((ml_workload *)af->ws.items[i])->res));
        /* A wider STRICT policy this one overrides is worth showing: it is
         * what the author probably relies on. */
        const ml_peerauth *wider = f->scope == ML_SCOPE_WORKLOAD || f->scope == ML_SCOPE_PORT
                                       ? (f->namespace_pa ? f->namespace_pa : f->mesh_pa)
                                       : f->scope == ML_SCOPE_NAMESPACE ? f->mesh_pa : NULL;
        if (wider && wider->mode == ML_MTLS_STRICT && f->mode != ML_MTLS_STRICT)
            ml_note(ctx, d, wider->mode_node ? ml_node_loc(wider->mode_node) : ml_authz_res_name_loc(wider->res),
                    "%s sets STRICT, but the narrower %s overrides it", ml_res_display(ctx->arena, wider->res),
                    ml_res_display(ctx->arena, f->decided_by->res));
    }
}

static void check_policy(ml_ctx *ctx, const ml_resource *r)
{
    const ml_model *m = ctx->model;
    const ml_authz *p = r->u.authz;
    use pos = {0}, neg = {0};
    scan(p->rules, &pos, &neg);
    if (!pos.key && !neg.key)
        return;

    affected af = {0};
    ml_vec ws = ml_mesh_authz_workloads(m, p);
    ML_VEC_EACH(ml_workload *, w, &ws) {
        ml_mtls_fact f;
        long long port;
        if (!ml_authz_has_sidecar(m, w) || !plaintext_fact(m, w, &f, &port))
            continue;
        plain *fp = ml_alloc(ctx->arena, sizeof *fp);
        fp->f = f;
        fp->port = port;
        ml_vec_push(ctx->arena, &af.ws, w);
        ml_vec_push(ctx->arena, &af.facts, fp);
        af.any_explicit |= f.decided_by != NULL;
        af.any_disable |= f.mode == ML_MTLS_DISABLE;
    }
    if (af.ws.n == 0)
        return;

    const char *name = ml_res_display(ctx->arena, r);
    const plain *p0 = af.facts.items[0];
    const ml_mtls_fact *f0 = &p0->f;
    const char *who = af.ws.n == 1
                          ? ml_printf(ctx->arena, "%s accepts plaintext (%s)",
                                      ml_res_display(ctx->arena, ((ml_workload *)af.ws.items[0])->res),
                                      mode_phrase(ctx->arena, f0, p0->port))
                          : ml_printf(ctx->arena, "%s accept plaintext (%s, ...)",
                                      ml_authz_workload_list(ctx->arena, &af.ws, 3), mode_phrase(ctx->arena, f0, p0->port));
    bool lets_through_action = p->action == ML_AUTHZ_DENY || p->action == ML_AUTHZ_CUSTOM;
    const char *act = p->action == ML_AUTHZ_DENY ? "DENY" : p->action == ML_AUTHZ_CUSTOM ? "CUSTOM" : "ALLOW";
    const char *strict_help = "make mTLS STRICT for these workloads (PeerAuthentication mode STRICT), or reject "
                              "plaintext explicitly with a DENY policy whose source is notPrincipals: [\"*\"]";

    /* Positive fields: DENY/CUSTOM walked past (error), ALLOW refuses. */
    if (pos.key && lets_through_action) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(pos.key),
                               "%s (%s) matches callers by %s, which only mTLS carries, but %s: a plaintext "
                               "caller never matches, so it walks past the %s",
                               name, act, pos.field, who,
                               p->action == ML_AUTHZ_DENY ? "DENY" : "external authorizer");
        add_notes(ctx, d, &af);
        ml_help(ctx, d, "%s", strict_help);
    } else if (pos.key && p->action == ML_AUTHZ_ALLOW && (af.any_explicit || af.any_disable)) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_WARNING, ml_node_loc(pos.key),
                               "%s (ALLOW) admits callers by %s, which only mTLS carries, but %s: %s",
                               name, pos.field, who,
                               f0->mode == ML_MTLS_DISABLE
                                   ? "under DISABLE every caller is plaintext, so these rules admit nobody"
                                   : "plaintext callers never match these rules and are refused, which the "
                                     "PERMISSIVE mode was presumably meant to admit");
        add_notes(ctx, d, &af);
        ml_help(ctx, d,
                "if every caller has a sidecar, make mTLS STRICT for these workloads; if plaintext callers must "
                "get in, add an ALLOW rule that does not depend on identity for them");
    }

    /* Negative fields: ALLOW lets the excluded identity through (error). On
     * DENY/CUSTOM they catch plaintext callers, the fail-closed side that such
     * policies are usually written for: not reported. */
    if (neg.key && p->action == ML_AUTHZ_ALLOW) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(neg.key),
                               "%s (ALLOW) excludes callers with %s, which only mTLS carries, but %s: a "
                               "plaintext caller has no identity to exclude, so it is allowed even from the "
                               "excluded identity",
                               name, neg.field, who);
        add_notes(ctx, d, &af);
        ml_help(ctx, d, "%s", strict_help);
    }
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        const ml_authz *p = r->u.authz;
        if (!r->live || !p || p->action == ML_AUTHZ_AUDIT || p->action == ML_AUTHZ_INVALID)
            continue;
        check_policy(ctx, r);
    }
}

const ml_rule ml_rule_ML505 = {
    .id = "ML505",
    .name = "identity-without-mtls",
    .level = ML_LEVEL_ERROR,
    .summary = "An AuthorizationPolicy matches on caller identity for workloads that accept plaintext",
    .description = "The source fields principals, notPrincipals, namespaces and notNamespaces (and `when` "
                   "conditions on source.principal and source.namespace) are read from the caller's mTLS "
                   "certificate. Under PERMISSIVE or DISABLE mTLS a workload also accepts plaintext "
                   "requests, which carry no identity; Istio compares the fields with an empty value "
                   "(ISTIO-SECURITY-2021-004). So a DENY (or CUSTOM) rule on principals or namespaces never "
                   "matches a plaintext caller, which walks past it; an ALLOW rule on notPrincipals or "
                   "notNamespaces admits a plaintext caller from the very identity it excludes. Both let "
                   "traffic through that the policy was written to stop, and are errors.\n"
                   "\n"
                   "The reverse case is a warning: an ALLOW rule on principals or namespaces refuses "
                   "every plaintext caller, which the PERMISSIVE mode was presumably set to admit. It is "
                   "reported only when a PeerAuthentication set the mode, since the mesh default "
                   "PERMISSIVE says nothing about plaintext callers. A DENY rule on notPrincipals or "
                   "notNamespaces denies plaintext callers, which is usually its purpose, and the idiom "
                   "notPrincipals: [\"*\"] (no identity at all) is never reported.\n"
                   "\n"
                   "Only workloads known to get a sidecar are considered; the effective mode is Istio's "
                   "(workload over namespace over mesh, port-level where it applies), with the "
                   "PeerAuthentication that decided it shown as a note.",
    .remediation = "Make mTLS STRICT for the workloads the policy protects, or reject plaintext explicitly "
                   "with a DENY policy whose source is notPrincipals: [\"*\"].",
    .tags = "security,authorization,mtls,istio",
    .istio_code = NULL,
    .security_severity = 8.1,
    .precision = "high",
    .example_bad = "kind: PeerAuthentication\nspec: {selector: {matchLabels: {app: orders}}, mtls: {mode: PERMISSIVE}}\n"
                   "---\nkind: AuthorizationPolicy\nspec:\n  selector: {matchLabels: {app: orders}}\n"
                   "  action: DENY\n  rules:\n  - from: [{source: {namespaces: [untrusted]}}]",
    .example_good = "kind: PeerAuthentication\nspec: {selector: {matchLabels: {app: orders}}, mtls: {mode: STRICT}}",
    .check = check,
};
