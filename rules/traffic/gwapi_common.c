/*
 * gwapi_common.c - helpers shared by the Gateway API rules (gwapi_common.h).
 */
#include "gwapi_common.h"

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
