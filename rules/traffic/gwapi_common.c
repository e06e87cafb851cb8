/*
 * gwapi_common.c - helpers shared by the Gateway API rules (gwapi_common.h).
 */
#include "gwapi_common.h"
#include "meshlint/mesh.h"

#include <string.h>

void gw_each_backend(ml_ctx *ctx, gw_backend_fn fn, void *arg)
{
    for (ml_kind k = ML_K_HTTPROUTE; k <= ML_K_TLSROUTE; k++)
        ML_VEC_EACH(const ml_resource *, r, &ctx->model->by_kind[k]) {
            if (!r->live || !r->u.route)
                continue;
            const ml_gw_route *rt = r->u.route;
            for (size_t i = 0; i < rt->nrules; i++)
                for (size_t j = 0; j < rt->rules[i].nbackends; j++)
                    fn(ctx, arg, r, &rt->rules[i], &rt->rules[i].backends[j]);
        }
}

void gw_each_rule(ml_ctx *ctx, void (*fn)(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule))
{
    for (ml_kind k = ML_K_HTTPROUTE; k <= ML_K_TLSROUTE; k++)
        ML_VEC_EACH(const ml_resource *, r, &ctx->model->by_kind[k]) {
            if (!r->live || !r->u.route)
                continue;
            for (size_t i = 0; i < r->u.route->nrules; i++)
                fn(ctx, r, &r->u.route->rules[i]);
        }
}

bool gw_service_absent(ml_ctx *ctx, const ml_resource *from, const char *ns, const char *name)
{
    ml_model *m = ctx->model;
    if (!ns || !name || !*name)
        return false;
    if (ml_model_alternatives(m, ML_K_SERVICE, ns, name))
        return false;
    bool holds_ns = false;
    ML_VEC_EACH(const ml_resource *, s, &m->by_kind[ML_K_SERVICE]) {
        if (!s->live)
            continue;
        if (ml_streq(s->ns, ns))
            holds_ns = true;
        /* the unbound apply-time namespace may make another Service this one */
        if (ml_streq(s->name, name) && ml_ns_may_equal(m, ns, s->ns))
            return false;
    }
    if (!holds_ns && !ml_assume_complete(ctx))
        return false;
    if (ml_model_unlinted_may_define(m, ns))
        return false;
    (void)from;
    return true;
}

static bool word_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

gw_grant gw_refgrant_permits(ml_ctx *ctx, const char *from_group, const char *from_kind, const char *from_ns,
                             const char *to_group, const char *to_kind, const char *to_ns, const char *to_name,
                             const ml_resource **grant)
{
    ml_model *m = ctx->model;
    if (grant)
        *grant = NULL;
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_REFERENCEGRANT]) {
        if (!r->live || !r->u.refgrant || !ml_ns_may_equal(m, r->ns, to_ns))
            continue;
        const ml_refgrant *g = r->u.refgrant;
        bool from_ok = false, to_ok = false;
        for (size_t i = 0; i < g->nfrom && !from_ok; i++)
            from_ok = word_eq(g->from[i].group, from_group) && word_eq(g->from[i].kind, from_kind) &&
                      ml_ns_may_equal(m, g->from[i].ns, from_ns);
        for (size_t i = 0; i < g->nto && !to_ok; i++)
            to_ok = word_eq(g->to[i].group, to_group) && word_eq(g->to[i].kind, to_kind) &&
                    (!g->to[i].name || word_eq(g->to[i].name, to_name));
        if (from_ok && to_ok) {
            if (grant)
                *grant = r;
            return GW_GRANT_PERMITTED;
        }
    }
    if (ml_model_unlinted_may_define(m, to_ns))
        return GW_GRANT_UNKNOWN;
    /* a ReferenceGrant in a version meshlint does not read */
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_OTHER]) {
        if (r->live && ml_streq(r->kind_str, "ReferenceGrant") && r->api_version &&
            ml_starts_with(r->api_version, "gateway.networking.k8s.io/") && ml_ns_may_equal(m, r->ns, to_ns))
            return GW_GRANT_UNKNOWN;
    }
    return GW_GRANT_NONE;
}

const char *gw_rule_name(ml_arena *a, const ml_resource *route, const ml_gw_rule *rule)
{
    return ml_printf(a, "rule %zu of %s", rule->index + 1, ml_res_display(a, route));
}

void gw_each_http_route(ml_ctx *ctx, void (*fn)(ml_ctx *ctx, const ml_resource *route))
{
    static const ml_kind kinds[2] = {ML_K_HTTPROUTE, ML_K_GRPCROUTE};
    for (size_t k = 0; k < 2; k++)
        ML_VEC_EACH(const ml_resource *, r, &ctx->model->by_kind[kinds[k]]) {
            if (r->live && r->u.route)
                fn(ctx, r);
        }
}

bool gw_backend_permitted(ml_ctx *ctx, const ml_resource *route, const ml_gw_ref *ref)
{
    const char *name = ml_str(ref->name);
    if (!ref->is_service || !name || !*name || !ref->namespace_ || ml_ns_may_equal(ctx->model, ref->ns, route->ns))
        return true;
    return gw_refgrant_permits(ctx, "gateway.networking.k8s.io", route->kind_str, route->ns, "", "Service", ref->ns,
                               name, NULL) != GW_GRANT_NONE;
}

void gw_each_backend_server(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule,
                            void (*fn)(ml_ctx *, const ml_server *, const ml_workload *, void *), void *arg)
{
    for (size_t b = 0; b < rule->nbackends; b++) {
        const ml_gw_ref *ref = &rule->backends[b];
        const char *name = ml_str_nonnull(ref->name);
        if (!ref->is_service || !name || !*name || ref->weight_num == 0 || !gw_backend_permitted(ctx, route, ref))
            continue; /* no traffic, or refused (ML313) */
        ml_vec svcs = ml_model_view(ctx->model, route, ML_K_SERVICE, ref->ns, name);
        ML_VEC_EACH(const ml_resource *, sr, &svcs) {
            if (!sr->u.service)
                continue;
            ML_VEC_EACH(const ml_workload *, w, &sr->u.service->workloads) {
                ML_VEC_EACH(const ml_server *, s, &w->servers)
                    fn(ctx, s, w, arg);
            }
        }
    }
}

/* Whether a route hostname and a listener hostname intersect. */
static bool host_meets(const char *h, const char *l)
{
    if (strcmp(h, l) == 0)
        return true;
    if (l[0] == '*' && l[1] == '.') {
        size_t hn = strlen(h), sn = strlen(l + 1);
        if (hn > sn && strcmp(h + hn - sn, l + 1) == 0)
            return true;
    }
    if (h[0] == '*' && h[1] == '.') {
        size_t ln = strlen(l), sn = strlen(h + 1);
        if (ln > sn && strcmp(l + ln - sn, h + 1) == 0)
            return true;
    }
    return false;
}

/* The kinds a listener admits when allowedRoutes.kinds is absent; NULL:
 * not judged (TLS, UDP, a custom protocol). */
static const char *protocol_kinds(const char *proto)
{
    if (!proto)
        return NULL;
    if (strcmp(proto, "HTTP") == 0 || strcmp(proto, "HTTPS") == 0)
        return "HTTPRoute GRPCRoute";
    if (strcmp(proto, "TCP") == 0)
        return "TCPRoute";
    return NULL;
}

static bool word_in(const char *words, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = words; (p = strstr(p, w)); p += n)
        if ((p == words || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return true;
    return false;
}

gw_accept gw_listener_accepts(ml_ctx *ctx, const ml_resource *gwr, const ml_gw_listener *l, const ml_resource *r,
                              const char **why)
{
    ml_arena *a = ctx->arena;
    const ml_gw_route *rt = r->u.route;
    gw_accept res = GW_ACCEPTS;
    const char *from = l->allowed_from ? ml_str(l->allowed_from) : "Same";
    if (from && strcmp(from, "Same") == 0) {
        if (!ml_ns_may_equal(ctx->model, gwr->ns, r->ns)) {
            *why = ml_printf(a, "allowedRoutes.namespaces.from is %s, and the route is in namespace %s, not %s",
                             l->allowed_from ? "Same" : "Same (the default)", r->ns, gwr->ns);
            return GW_REFUSES;
        }
        if (!ml_streq(gwr->ns, r->ns) || ml_ns_is_apply_time(r->ns))
            res = GW_ACCEPT_UNKNOWN;
    } else if (!from || strcmp(from, "All") != 0) {
        res = GW_ACCEPT_UNKNOWN;
    }
    if (l->allowed_kinds) {
        bool listed = false, judged = true;
        for (size_t i = 0; i < ml_node_n(l->allowed_kinds) && !listed; i++) {
            const ml_node *k = &l->allowed_kinds->elems[i];
            const char *kind = ml_str_nonnull(ml_get(k, "kind"));
            const char *grp = ml_str_nonnull(ml_get(k, "group"));
            if (!kind) {
                judged = false;
                continue;
            }
            listed = strcmp(kind, r->kind_str) == 0 && (!grp || strcmp(grp, GW_GROUP) == 0);
        }
        if (judged && !listed) {
            *why = ml_printf(a, "its allowedRoutes.kinds does not list %s", r->kind_str);
            return GW_REFUSES;
        }
        if (!listed)
            res = GW_ACCEPT_UNKNOWN;
    } else {
        const char *kinds = protocol_kinds(ml_str(l->protocol));
        if (kinds && !word_in(kinds, r->kind_str)) {
            *why = ml_printf(a, "its protocol %s takes %s, not %s", ml_str(l->protocol), kinds, r->kind_str);
            return GW_REFUSES;
        }
        if (!kinds)
            res = GW_ACCEPT_UNKNOWN;
    }
    const char *lh = ml_str(l->hostname);
    if (lh && *lh && rt->nhostnames && r->kind != ML_K_TCPROUTE) {
        bool unknown = false;
        for (size_t i = 0; i < rt->nhostnames; i++) {
            const char *h = ml_str(rt->hostnames[i]);
            if (!h)
                unknown = true;
            else if (host_meets(h, lh))
                return res;
        }
        if (unknown)
            return GW_ACCEPT_UNKNOWN;
        *why = ml_printf(a, "its hostname %s matches none of the route's hostnames", lh);
        return GW_REFUSES;
    }
    if (l->hostname && !lh)
        res = GW_ACCEPT_UNKNOWN;
    return res;
}

bool gw_route_waypoint(const ml_model *m, const ml_resource *route, const ml_gw_ref *p, gw_route_via *out)
{
    const char *name = ml_str_nonnull(p->name);
    if (!p->is_service || !name || !*name)
        return false;
    ml_vec svcs = ml_model_view(m, route, ML_K_SERVICE, p->ns, name);
    if (!svcs.n)
        return false;
    const ml_resource *wp = NULL;
    const ml_node *label = NULL;
    ML_VEC_EACH(const ml_resource *, sr, &svcs) {
        const ml_service *svc = sr->u.service;
        const ml_node *by;
        const ml_resource *g = svc ? ml_mesh_service_waypoint(m, svc, &by) : NULL;
        if (!g || (wp && g != wp) || !svc->workloads.n)
            return false;
        ML_VEC_EACH(const ml_workload *, w, &svc->workloads) {
            const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
            if (!dp || (dp->kind != ML_DP_AMBIENT && dp->kind != ML_DP_AMBIENT_WAYPOINT))
                return false;
        }
        wp = g;
        label = by;
    }
    if (!ml_streq(route->ns, p->ns) && !ml_streq(route->ns, wp->ns))
        return false;
    out->gw = wp;
    out->parent_svc = svcs.items[0];
    out->label = label;
    return true;
}
