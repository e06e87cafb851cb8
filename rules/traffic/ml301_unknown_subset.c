/*
 * ML301 unknown-subset: a route destination or mirror names a subset that no
 * DestinationRule for its host defines. Envoy has no cluster for it, so every
 * request the route sends there fails with HTTP 503. Each VirtualService
 * definition is checked on its own, against the DestinationRules it may
 * meet (model.h: every live alternative, or its own group's definition):
 * the subset is known when any of them defines it.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "meshlint/sidecar.h"
#include "traffic_common.h"

#define NEAR_MAX 2

/* A namespace whose proxies use the route: sidecars, or gateway proxies. */
typedef struct client_ns {
    const char *ns;
    const char *proxies; /* "sidecars" or "gateway proxies" */
} client_ns;

/* Subset names of a DestinationRule as "a, b, c" (or "none"). */
static const char *subset_list(ml_arena *a, const ml_destrule *dr)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t shown = 0;
    for (size_t i = 0; i < dr->nsubsets; i++) {
        const char *n = ml_str_nonnull(dr->subsets[i].name);
        if (n)
            ml_buf_printf(&b, "%s%s", shown++ ? ", " : "", n);
    }
    const char *out = shown ? ml_strdup(a, b.s) : "no subsets";
    ml_buf_free(&b);
    return out;
}

static bool dr_has_selector(const ml_resource *r)
{
    return r->kind == ML_K_DESTINATIONRULE && r->u.destrule && r->u.destrule->workload_selector;
}

static const ml_dr_subset *find_subset(const ml_destrule *dr, const char *name)
{
    for (size_t i = 0; dr && i < dr->nsubsets; i++)
        if (ml_streq(ml_str_nonnull(dr->subsets[i].name), name))
            return &dr->subsets[i];
    return NULL;
}

/* The client namespaces of one VirtualService definition for one host and
 * the DestinationRules that apply in each: the same for every subset of the
 * host that its routes name (client_namespaces, tr_client_destrules). */
typedef struct client_judged {
    const struct client_ns *cl;
    bool known;             /* tr_client_destrules answered */
    tr_client_drs cd;
} client_judged;

/* Per host, once: the DestinationRules that apply, so that each destination
 * costs one lookup however many rules a host has; and the clients of the
 * last VirtualService and host judged (its destinations come one after
 * another: stable and canary subsets of one host). */
typedef struct host_cache {
    ml_map drs;     /* fqdn -> ml_vec* of ml_destrule* */
    const ml_resource *cl_vs;
    const char *cl_fqdn;
    size_t ncl;
    client_judged *cl;
} host_cache;

static const ml_vec *host_drs(ml_ctx *ctx, host_cache *hc, const char *fqdn)
{
    void **slot = ml_map_slot_for(&hc->drs, fqdn, strlen(fqdn));
    if (*slot)
        return *slot;
    ml_vec *v = ml_zalloc(ctx->arena, sizeof *v);
    *v = ml_model_destrules_for(ctx->model, fqdn);
    *slot = v;
    return v;
}

static const char *export_text(ml_arena *a, const ml_model *m, const ml_resource *r)
{
    const ml_node *n = ml_export_to_node(r);
    if (!n && !dr_has_selector(r))
        return ml_export_default(m, r) ? ml_export_default_text(a, m, r) : "every namespace";
    if (dr_has_selector(r))
        return "its own namespace (it has a workloadSelector)";
    ml_buf b;
    ml_buf_init(&b);
    if (ml_is_seq(n)) {
        for (size_t i = 0; i < ml_node_n(n); i++) {
            const char *s = ml_str_nonnull(&n->elems[i]);
            ml_buf_printf(&b, "%s\"%s\"", i ? ", " : "", s ? s : "?");
        }
    }
    const char *out = ml_printf(a, "[%s]", b.s ? b.s : "");
    ml_buf_free(&b);
    return out;
}

/* "the destination" / "a destination" / "the mirror" of a route, and what
 * its callers see when the subset is missing for them. */
static const char *dest_what(const ml_route *rt, bool mirror)
{
    return mirror ? "the mirror" : rt->ndest == 1 ? "the destination" : "a destination";
}

static const char *dest_fails(const ml_route *rt, bool mirror)
{
    return mirror                       ? "their mirrored copies go nowhere"
           : rt->proto == ML_ROUTE_HTTP ? "their requests fail (HTTP 503)"
                                        : "their connections fail";
}

static void report_not_exported(ml_ctx *ctx, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                                 bool mirror, const ml_destrule *dr, const char *subset, const client_ns *cl)
{
    const char *client = cl->ns;
    const char *what = dest_what(rt, mirror), *fails = dest_fails(rt, mirror);
    if (ml_export_visible(ctx->model, dr->res, client) == ML_EXPORT_YES) {
        /* exported to the client, but from a namespace the lookup never
         * visits (push_context.go destinationRule: the client's, the
         * Service's, the root namespace) */
        ml_diag *diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->subset),
                                  "%s of %s in %s names subset %s, which %s defines, but Istio looks the "
                                  "DestinationRule of the %s of %s up only in namespace %s, the host's namespace "
                                  "(for a ServiceEntry host, the ServiceEntry's) and the root namespace %s, and "
                                  "finds none there: namespace %s is none of them, so they see no subset %s and %s",
                                  what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), subset,
                                  ml_res_display(ctx->arena, dr->res), cl->proxies, client, client, tr_root_ns(ctx),
                                  dr->res->ns, subset, fails);
        ml_note(ctx, diag, ml_res_loc(dr->res), "%s is in namespace %s", ml_res_display(ctx->arena, dr->res),
                dr->res->ns);
        ml_help(ctx, diag, "move the DestinationRule into the host's namespace (exported to %s) or into namespace %s",
                client, client);
        return;
    }
    ml_diag *diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->subset),
                              "%s of %s in %s names subset %s, which %s defines, but its exportTo %s does "
                              "not include namespace %s: the %s of %s use this route but see no subset %s, "
                              "so %s",
                              what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), subset,
                              ml_res_display(ctx->arena, dr->res), export_text(ctx->arena, ctx->model, dr->res), client,
                              cl->proxies, client, subset, fails);
    const ml_node *ex = ml_export_to_node(dr->res);
    ml_note(ctx, diag, ml_node_loc(ex ? ex : dr->res->name_node), "the exportTo of %s",
            ml_res_display(ctx->arena, dr->res));
    ml_help(ctx, diag, "add namespace %s (or \"*\") to the exportTo of %s, or define the subset in a "
                       "DestinationRule of namespace %s",
            client, ml_res_display(ctx->arena, dr->res), client);
}

static const char *const stage_text[] = {
    [TR_DR_NONE] = "",
    [TR_DR_CLIENT_NS] = "a client namespace's own DestinationRule for a host comes first",
    [TR_DR_HOST_NS] = "it has none of its own, so the one the host's namespace exports applies",
    [TR_DR_ROOT_NS] = "it has none of its own and the host's namespace exports none, so the root namespace's applies",
};

/* The DestinationRules that apply to the clients of namespace client lack
 * the subset, which another rule (def) defines. */
static void report_shadowed(ml_ctx *ctx, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                            bool mirror, const tr_client_drs *cd, const ml_destrule *def, const char *subset,
                            const client_ns *cl)
{
    const char *client = cl->ns;
    const ml_destrule *app = cd->drs.items[0];
    const char *what = dest_what(rt, mirror), *fails = dest_fails(rt, mirror);
    ml_diag *diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->subset),
                              "%s of %s in %s names subset %s, but for the %s of namespace %s Istio applies "
                              "%s%s to host %s (%s), which does not define it (it defines %s); %s defines subset "
                              "%s but does not apply there, so %s",
                              what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), subset, cl->proxies,
                              client, ml_res_display(ctx->arena, app->res), cd->drs.n > 1 ? " and the rules merged with it" : "",
                              d->fqdn, stage_text[cd->stage], subset_list(ctx->arena, app),
                              ml_res_display(ctx->arena, def->res), subset, fails);
    ML_VEC_EACH(const ml_destrule *, dr, &cd->drs) {
        ml_note(ctx, diag, ml_node_loc(dr->host ? dr->host : dr->res->name_node),
                "%s (host %s) applies to the %s of namespace %s and defines %s",
                ml_res_display(ctx->arena, dr->res), ml_str_nonnull(dr->host) ? ml_str_nonnull(dr->host) : "?",
                cl->proxies, client, subset_list(ctx->arena, dr));
    }
    const ml_dr_subset *s = find_subset(def, subset);
    ml_note(ctx, diag, ml_node_loc(s ? s->name : def->res->name_node),
            "%s defines subset %s; Istio does not merge DestinationRules of different namespaces",
            ml_res_display(ctx->arena, def->res), subset);
    ml_help(ctx, diag, "add subset %s (with the same labels) to %s, or route the clients of namespace %s "
                       "without a subset",
            subset, ml_res_display(ctx->arena, app->res), client);
}

static void add_client_ns(ml_ctx *ctx, const ml_resource *r, ml_vec *out, const char *ns, bool gateway)
{
    bool dup = ml_ns_is_apply_time(ns);
    for (size_t i = 0; i < out->n && !dup; i++)
        dup = strcmp(((const client_ns *)out->items[i])->ns, ns) == 0;
    if (dup || ml_export_visible(ctx->model, r, ns) != ML_EXPORT_YES)
        return;
    /* sidecars use r only when their Sidecar's egress hosts import it
     * (sidecar.h); gateway proxies have no Sidecar */
    if (!gateway && ml_sidecar_ns_imports_vs(ctx->model, ns, r, NULL) != ML_SC_YES)
        return;
    client_ns *c = ml_zalloc(ctx->arena, sizeof *c);
    c->ns = ns;
    c->proxies = gateway ? "gateway proxies" : "sidecars";
    ml_vec_push(ctx->arena, out, c);
}

/* The namespaces of the gateway proxies in the input that serve r: for each
 * Gateway r binds ("ns/name", or "name" in r's namespace), the one
 * definition r meets, and the workloads of any namespace whose pod labels
 * its spec.selector matches (Istio's default: a Gateway selects proxies in
 * every namespace). A gateway proxy looks DestinationRules up by its own
 * namespace like a sidecar (PushContext.destinationRule with the proxy's
 * ConfigNamespace) and sees r only when r is exported there
 * (VirtualServicesForGateway). Proxies outside the input are not judged. */
static void gateway_client_namespaces(ml_ctx *ctx, const ml_resource *r, ml_vec *out)
{
    const ml_node *gws = r->u.vs->gateways;
    for (size_t i = 0; ml_is_seq(gws) && i < ml_node_n(gws); i++) {
        const char *g = ml_str_nonnull(&gws->elems[i]);
        if (!g || strcmp(g, "mesh") == 0)
            continue;
        const char *slash = strchr(g, '/');
        const char *ns = slash ? ml_strndup(ctx->arena, g, (size_t)(slash - g)) : r->ns;
        const char *name = slash ? slash + 1 : g;
        if (strcmp(ns, ".") == 0)
            ns = r->ns;
        ml_vec seen = ml_model_view(ctx->model, r, ML_K_GATEWAY, ns, name);
        if (seen.n != 1)
            continue;
        const ml_resource *gw = seen.items[0];
        const ml_node *sel = ml_get(gw->spec, "selector");
        if (!ml_is_map(sel) || ml_node_n(sel) == 0)
            continue;
        ML_VEC_EACH(const ml_workload *, w, &ctx->model->workloads) {
            if (ml_selector_matches_workload(sel, w))
                add_client_ns(ctx, r, out, w->res->ns, true);
        }
    }
}

/* The namespaces whose sidecars certainly use r for this destination's
 * host: its own (tr_vs_client_ns) and, for a VirtualService on the mesh
 * gateway, every namespace holding a DestinationRule for the host that r is
 * exported to (those are the namespaces where a rule of their own may
 * shadow the host's), and the namespaces of its gateway proxies in the
 * input. Deterministic order, no repeats. */
static ml_vec client_namespaces(ml_ctx *ctx, const ml_resource *r, const ml_vec *dv)
{
    ml_vec out = {0};
    const char *own = tr_vs_client_ns(ctx, r);
    if (own)
        add_client_ns(ctx, r, &out, own, false);
    if (r->u.vs->mesh_gateway) {
        ML_VEC_EACH(const ml_destrule *, dr, dv) {
            if (ml_model_meets(ctx->model, r, dr->res))
                add_client_ns(ctx, r, &out, dr->res->ns, false);
        }
    }
    gateway_client_namespaces(ctx, r, &out);
    return out;
}

/* A subset some DestinationRule defines: judge it per client namespace
 * against the rules that apply there. True when reported. */
/* The clients of r for host d->fqdn, each with the rules that apply there
 * (kept in hc for the next destination of the same definition and host). */
static const client_judged *judged_clients(ml_ctx *ctx, host_cache *hc, const ml_resource *r,
                                           const ml_destination *d, const ml_vec *dv, size_t *n)
{
    if (hc->cl_vs != r || !hc->cl_fqdn || strcmp(hc->cl_fqdn, d->fqdn) != 0) {
        ml_vec clients = client_namespaces(ctx, r, dv);
        hc->cl_vs = r;
        hc->cl_fqdn = d->fqdn;
        hc->ncl = clients.n;
        hc->cl = clients.n ? ml_alloc(ctx->arena, clients.n * sizeof *hc->cl) : NULL;
        ML_VEC_EACH(const client_ns *, cl, &clients) {
            client_judged *j = &hc->cl[cl_i];
            j->cl = cl;
            j->known = tr_client_destrules(ctx, r, d->fqdn, cl->ns, &j->cd);
        }
    }
    *n = hc->ncl;
    return hc->cl;
}

static bool check_clients(ml_ctx *ctx, host_cache *hc, const ml_resource *r, const ml_route *rt,
                          const ml_destination *d, bool mirror, const ml_vec *dv, const char *subset)
{
    const ml_destrule *def = NULL;
    ML_VEC_EACH(const ml_destrule *, dr, dv) {
        if (ml_model_meets(ctx->model, r, dr->res) && find_subset(dr, subset)) {
            def = dr;
            break;
        }
    }
    if (!def)
        return false;
    bool reported = false;
    size_t ncl;
    const client_judged *judged = judged_clients(ctx, hc, r, d, dv, &ncl);
    for (size_t k = 0; k < ncl; k++) {
        const client_ns *cl = judged[k].cl;
        const tr_client_drs *cd = &judged[k].cd;
        if (!judged[k].known)
            continue;
        bool has = false;
        ML_VEC_EACH(const ml_destrule *, dr, &cd->drs) {
            has |= find_subset(dr, subset) != NULL;
        }
        if (has)
            continue;
        if (cd->stage == TR_DR_NONE) {
            report_not_exported(ctx, r, rt, d, mirror, def, subset, cl);
        } else {
            /* prefer, as the defining rule, one that does not reach c at
             * all when no rule of c's own is in the way */
            report_shadowed(ctx, r, rt, d, mirror, cd, def, subset, cl);
        }
        reported = true;
    }
    return reported;
}

static void check_dest(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                       bool mirror)
{
    host_cache *hc = arg;
    const char *subset = ml_str_nonnull(d->subset);
    if (!subset || !d->fqdn || !*subset || strchr(d->fqdn, '*'))
        return; /* a wildcard destination host is invalid on its own */
    const ml_vec *dv = host_drs(ctx, hc, d->fqdn);
    bool defined = false; /* by some rule for the host */
    ML_VEC_EACH(const ml_destrule *, dr, dv) {
        defined |= find_subset(dr, subset) != NULL;
    }
    if (defined) {
        /* Some definition defines it: is it one r may meet, and does it
         * apply to the sidecars that use r? */
        if (!check_clients(ctx, hc, r, rt, d, mirror, dv, subset)) {
            ML_VEC_EACH(const ml_destrule *, dr, dv) {
                if (ml_model_meets(ctx->model, r, dr->res) && find_subset(dr, subset))
                    return;
            }
        } else {
            return;
        }
    }
    /* While the apply-time namespace is unbound, a rule for the same
     * service name in a namespace it may turn out to be (the route's
     * manifests applied with -n into the rule's namespace) may be the one
     * that applies: the subset is then not known to be missing. */
    const ml_vec may = ml_model_destrules_may(ctx->model, d->fqdn);
    ML_VEC_EACH(const ml_destrule *, dr, &may) {
        if (ml_model_meets(ctx->model, r, dr->res) && find_subset(dr, subset))
            return;
    }
    const ml_vec drs = ml_model_seen_by(ctx->model, r, dv);
    const char *host = ml_str(d->host);
    const char *what = mirror ? "the mirror" : rt->ndest == 1 ? "the destination" : "a destination";
    const char *fails = mirror                       ? "the mirrored copies go nowhere"
                        : rt->proto == ML_ROUTE_HTTP ? "requests sent there fail (HTTP 503)"
                                                     : "connections sent there fail";
    ml_diag *diag;
    if (drs.n == 0) {
        /* Without a DestinationRule for the host in the input, it may live
         * elsewhere; say so only when the host's own manifests are here. */
        const ml_vec *svcs = ml_model_services_for(ctx->model, d->fqdn);
        if (!ml_assume_complete(ctx) && !(svcs && svcs->n))
            return;
        diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->subset),
                         "%s of %s in %s names subset %s of host %s, but no DestinationRule for %s is in the "
                         "input, so no subset %s exists and %s",
                         what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), subset, host,
                         d->fqdn, subset, fails);
        if (svcs && svcs->n) {
            const ml_service *svc = svcs->items[0];
            ml_note(ctx, diag, ml_node_loc(svc->res->name_node), "the host is %s",
                    ml_res_display(ctx->arena, svc->res));
        }
        ML_VEC_EACH(const ml_destrule *, dr, &may) {
            ml_note(ctx, diag, ml_node_loc(dr->host ? dr->host : dr->res->name_node),
                    "%s (host %s) may apply once the apply-time namespace is bound; it defines %s",
                    ml_res_display(ctx->arena, dr->res), dr->fqdn, subset_list(ctx->arena, dr));
        }
        ml_help(ctx, diag,
                "add a DestinationRule with host %s and a subset named %s whose labels select its pods, or "
                "remove the subset from %s",
                host, subset, what);
        return;
    }

    const ml_destrule *dr0 = drs.items[0];
    const char *near = NULL;
    unsigned near_d = NEAR_MAX + 1;
    bool near_unique = false;
    ML_VEC_EACH(const ml_destrule *, dr, &drs) {
        for (size_t i = 0; i < dr->nsubsets; i++) {
            const char *n = ml_str_nonnull(dr->subsets[i].name);
            if (!n)
                continue;
            unsigned dist = ml_edit_distance(subset, n, NEAR_MAX);
            if (dist >= strlen(subset) || dist > NEAR_MAX)
                continue;
            if (dist < near_d) {
                near = n;
                near_d = dist;
                near_unique = true;
            } else if (dist == near_d && !ml_streq(near, n)) {
                near_unique = false;
            }
        }
    }
    diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->subset),
                     "%s of %s in %s names subset %s, which %s (host %s) does not define (it defines %s); "
                     "%s%s%s%s",
                     what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), subset,
                     ml_res_display(ctx->arena, dr0->res), d->fqdn, subset_list(ctx->arena, dr0), fails,
                     near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
    ML_VEC_EACH(const ml_destrule *, dr, &drs) {
        ml_note(ctx, diag, ml_node_loc(dr->res->name_node), "%s applies to this host and defines %s",
                ml_res_display(ctx->arena, dr->res), subset_list(ctx->arena, dr));
        /* an earlier, replaced definition that had the subset explains the surprise */
        for (const ml_resource *p = dr->res->prev_def; p; p = p->prev_def) {
            const ml_dr_subset *s =
                p->u.destrule && p->replaced_by == dr->res ? find_subset(p->u.destrule, subset) : NULL;
            if (s) {
                ml_note(ctx, diag, ml_node_loc(s->name),
                        "an earlier definition of %s defines subset %s, but the definition at %s replaces it "
                        "when applied (later in the same group; see ML003)",
                        ml_res_display(ctx->arena, p), subset,
                        tr_where(ctx->arena, ml_node_loc(dr->res->name_node)));
                break;
            }
        }
    }
    if (near && near_unique) {
        ml_help(ctx, diag, "write subset: %s, or add a subset %s to %s", near, subset,
                ml_res_display(ctx->arena, dr0->res));
        if (d->subset->style == ML_SCALAR_PLAIN)
            ml_add_fix(ctx, diag, ml_printf(ctx->arena, "rename the subset reference to %s", near),
                       ml_node_loc(d->subset), near);
    } else {
        ml_help(ctx, diag, "add a subset named %s (with labels that select its pods) to %s, or route to one of "
                           "the subsets it defines",
                subset, ml_res_display(ctx->arena, dr0->res));
    }
}

static void check(ml_ctx *ctx)
{
    host_cache hc;
    memset(&hc, 0, sizeof hc);
    ml_map_init(&hc.drs);
    tr_each_dest(ctx, check_dest, &hc);
    ml_map_free(&hc.drs);
}

const ml_rule ml_rule_ML301 = {
    .id = "ML301",
    .name = "unknown-subset",
    .level = ML_LEVEL_ERROR,
    .summary = "A route sends traffic to a subset that no DestinationRule for its host defines",
    .description = "A VirtualService destination or mirror (in an http, tcp or tls route) names a subset, and "
                   "none of the DestinationRules for the destination's host (resolved the way Istio resolves "
                   "short names) defines a subset of that name. Envoy then has no cluster for the "
                   "destination: every request the route sends there fails with HTTP 503 (no route or no "
                   "healthy upstream), and a mirror silently mirrors nothing. The usual causes are a typo, a "
                   "subset renamed in the DestinationRule but not in the VirtualService, or a DestinationRule "
                   "that is missing altogether.\n"
                   "\n"
                   "Every VirtualService definition is checked against the DestinationRules it may meet: "
                   "definitions of one object in different files (rollout stages, tutorial steps, "
                   "per-environment copies) are alternatives, and the subset exists when any alternative "
                   "defines it; a DestinationRule defined in the VirtualService's own file, kustomize build or "
                   "apply set is the only one it meets of that name. When no DestinationRule for the host is in the input at "
                   "all, the rule reports only if the host's Service is in the input (or with "
                   "--assume-complete), since the DestinationRule may live in another repository. Istio's "
                   "analyzer reports the same problem as IST0101 (ReferencedResourceNotFound).\n"
                   "\n"
                   "Which DestinationRule applies depends on the client. A sidecar looks DestinationRules up by "
                   "its own namespace (PushContext.destinationRule in pilot/pkg/model/push_context.go): first "
                   "the rules of its own namespace (namespaceLocal: every rule there whose exportTo is empty, "
                   "\"*\", \".\" or the namespace), then those the host's Service namespace exports to it "
                   "(exportedByNamespace, getExportedDestinationRuleFromNamespace), then those the root "
                   "namespace exports to it. For a ServiceEntry host the Service's namespace is the ServiceEntry's "
                   "(serviceentry/conversion.go convertServices sets Attributes.Namespace from it): the one "
                   "exported to the client, the client's own namespace's first when several are (sidecar.go "
                   "selectServices); with several other namespaces to pick from the rule stays silent. A rule in "
                   "any other namespace is never used, even when exported to the client. Each step takes the most specific host (MostSpecificHostMatch in "
                   "pilot/pkg/model/config.go: the exact host, else the longest matching wildcard) and the first "
                   "step with a match wins. Rules of one namespace for one host merge (mergeDestinationRule in "
                   "pilot/pkg/model/destination_rule.go: their subsets add up); rules of different namespaces "
                   "never do. setDestinationRules keeps a rule with exportTo \".\" or a workloadSelector private "
                   "to its namespace. So the rule judges the subset, for every namespace whose sidecars certainly "
                   "use the route, against the rules that apply there: the VirtualService's own namespace (when "
                   "it binds the mesh gateway and is visible there), each namespace of the input that holds "
                   "a DestinationRule for the host and sees the VirtualService, and the namespaces of the gateway "
                   "proxies in the input that a Gateway it binds selects (a gateway proxy looks rules up by its "
                   "own namespace too). A namespace counts for the sidecars only when its Sidecar resource "
                   "imports the VirtualService (egress hosts \"ns/host\"; pilot/pkg/model/sidecar.go "
                   "ConvertToSidecarScope, virtualservice.go SelectVirtualServices; the root namespace's Sidecar "
                   "is the default of namespaces without one), and never when that is undecided. A client namespace's own rule "
                   "without the subset (a client-side connectionPool rule, a namespace-wide \"*.local\" TLS "
                   "rule) hides the host namespace's subsets from its sidecars, and a rule not exported to the "
                   "client defines nothing for it; both are reported, naming the namespace and the rules. A "
                   "namespace not in the input is never judged this way, and the answer is unknown (silent) "
                   "when a workloadSelector rule, alternatives of a rule, an unbound apply-time namespace or an "
                   "input not linted leave the applying rule open. While the apply-time namespace is unbound (manifests "
                   "without metadata.namespace and no -n), a route whose host resolves into it is not judged "
                   "missing a subset that a rule for the same service name in a named namespace defines: applied "
                   "with -n into that namespace, the two hosts are one. A missing exportTo is the mesh's "
                   "defaultDestinationRuleExportTo (push_context.go initDefaultExportMaps): \"*\" unless "
                   "default-destination-rule-export-to in the configuration names it; a VirtualService without "
                   "exportTo likewise follows default-virtual-service-export-to. A VirtualService used only by "
                   "gateways is judged only against every rule it may meet.",
    .remediation = "Name a subset the DestinationRule defines, or add the subset (with labels that select the "
                   "intended pods) to the DestinationRule for the host.",
    .tags = "traffic,canary,istio",
    .istio_code = "IST0101",
    .precision = "very-high",
    .example_bad = "kind: DestinationRule\nspec:\n  host: orders\n  subsets:\n  - name: stable\n"
                   "    labels: {version: stable}\n---\nkind: VirtualService\nspec:\n  hosts: [orders]\n  http:\n"
                   "  - route:\n    - destination: {host: orders, subset: canary}",
    .example_good = "kind: DestinationRule\nspec:\n  host: orders\n  subsets:\n  - name: stable\n"
                    "    labels: {version: stable}\n  - name: canary\n    labels: {version: canary}\n---\n"
                    "kind: VirtualService\nspec:\n  hosts: [orders]\n  http:\n  - route:\n"
                    "    - destination: {host: orders, subset: canary}",
    .check = check,
};
