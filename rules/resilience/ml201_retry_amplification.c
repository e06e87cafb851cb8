/*
 * ML201 retry-amplification: the mesh retries calls to a host and the
 * Connectum server behind it retries its handler too. Each mesh try runs the
 * handler up to 1 + maxRetries times, so one client request runs it up to
 * (1 + attempts) × (1 + maxRetries) times, and every downstream call the
 * handler makes with it.
 *
 * For every linked server with the retry interceptor on, the rule looks at
 * each HTTP route that reaches a host of the server's workload and takes the
 * retry policy Istio really applies there: the route's own retries block, or
 * Istio's default (2 retries) when the route has none or when no
 * VirtualService routes the host at all. It reports when the mesh's retries
 * exceed the configured limit (the guide advises 0 or 1). Whether both
 * layers retry the same failures decides the level: a warning when they do
 * (or when that cannot be known), a note when they do not. When the server
 * calls another host whose own layers amplify too, a note multiplies the
 * factors along the chain, walking the outbound calls with a bound on depth
 * and work and never through a server twice. HTTPRoute rules on an Istio
 * Gateway that reach the server are judged with the retry policy Istio
 * gives the route it builds from them (ml_resil_gw_retry).
 */
#include <string.h>

#include "meshlint/sidecar.h"
#include "resilience_common.h"
#include "../traffic/gwapi_common.h"

#define CHAIN_MAX_DEPTH 6
#define CHAIN_MAX_STEPS 256
#define CHAIN_MAX_NOTES 8
#define MAX_ATTEMPTS 2147483647LL /* Istio's attempts is an int32 */

typedef struct chain_walk {
    ml_ctx *ctx;
    const ml_resil_index *ix;
    ml_diag *d;
    const ml_server *path[CHAIN_MAX_DEPTH + 1];
    const char *names[CHAIN_MAX_DEPTH + 1];
    uint64_t factors[CHAIN_MAX_DEPTH + 1];
    const ml_outbound *first_call;
    size_t steps, notes;
} chain_walk;

static bool mul_ok(uint64_t x, uint64_t y, uint64_t *out)
{
    if (x && y > UINT64_MAX / x)
        return false;
    *out = x * y;
    return true;
}

static const ml_link *link_to(const ml_server *s, const ml_workload *w)
{
    ML_VEC_EACH(const ml_link *, l, &s->links)
        if (l->workload == w)
            return l;
    return NULL;
}

/* The largest retry count among the rules of mesh route r whose conditions
 * may retry the server's failures; -1 when a count is unknown or too large. */
static long long gamma_max(ml_ctx *ctx, const ml_resource *r, const ml_resil_app_retry *app)
{
    long long amax = 0;
    for (size_t i = 0; i < r->u.route->nrules; i++) {
        ml_resil_gw g = ml_resil_gw_rule(ctx->model, r, &r->u.route->rules[i]);
        ml_resil_retry p = ml_resil_gw_retry(ctx->arena, &g);
        long long a = ml_resil_retry_count(&p);
        if (a < 0 || a > MAX_ATTEMPTS)
            return -1;
        ml_resil_overlap_info o = ml_resil_overlap_of(&p, app->codes, app->codes_known);
        if ((o.kind == ML_RESIL_OVERLAP || o.kind == ML_RESIL_OVERLAP_UNKNOWN) && a > amax)
            amax = a;
    }
    return amax;
}

/* (1 + a) × (1 + r) for calls from a caller to fqdn served by s through l:
 * a is the largest mesh retry count among the mesh routes to the host whose
 * conditions may retry the server's failures. 0 when this hop does not
 * amplify on both layers or a number it needs is unknown. */
static uint64_t hop_factor(chain_walk *cw, const ml_workload *caller, const ml_server *s, const ml_link *l,
                           const char *fqdn)
{
    ml_ctx *ctx = cw->ctx;
    ml_resil_app_retry app;
    if (!ml_resil_app_retry_of(ctx, s, l, &app) || app.retries < 1)
        return 0;
    long long amax = 0;
    /* a consumer mesh route of the caller's namespace comes before every
     * other route for the host in its sidecar (ml_resil_consumer_service) */
    ml_vec consumer = ml_resil_injected(ctx->model, caller)
                          ? ml_resil_consumer_routes(ctx->model, fqdn, caller->res->ns)
                          : (ml_vec){0};
    if (consumer.n) {
        ML_VEC_EACH(const ml_resource *, r, &consumer) {
            /* a backendRef Istio refuses (no ReferenceGrant: ML313) gets a
             * 500, and the server is not reached through this route */
            const ml_gw_route *rt = r->u.route;
            for (size_t i = 0; i < rt->nrules; i++)
                for (size_t j = 0; j < rt->rules[i].nbackends; j++)
                    if (!gw_backend_permitted(ctx, r, &rt->rules[i].backends[j]))
                        return 0;
            long long a = gamma_max(ctx, r, &app);
            if (a < 0)
                return 0;
            if (a > amax)
                amax = a;
        }
        return amax < 1 ? 0 : (uint64_t)(1 + amax) * (uint64_t)(1 + app.retries);
    }
    ML_VEC_EACH(const ml_resil_route_ref *, ref, ml_resil_routes_to(cw->ix, fqdn)) {
        if (!ref->vs->mesh_gateway)
            continue;
        /* a route the caller's Sidecar does not import is not applied by
         * its sidecar (sidecar.h: SelectVirtualServices) */
        if (ml_sidecar_workload_imports_vs(ctx->model, caller, ref->vs->res, NULL) == ML_SC_NO)
            continue;
        ml_resil_retry p = ml_resil_route_retry(ctx->arena, ref->rt);
        long long a = ml_resil_retry_count(&p);
        if (a < 0 || a > MAX_ATTEMPTS)
            return 0;
        ml_resil_overlap_info o = ml_resil_overlap_of(&p, app.codes, app.codes_known);
        if ((o.kind == ML_RESIL_OVERLAP || o.kind == ML_RESIL_OVERLAP_UNKNOWN) && a > amax)
            amax = a;
    }
    /* producer mesh routes (GAMMA) retry as their rules say */
    ml_vec gamma = ml_resil_mesh_routes(ctx->model, fqdn);
    ML_VEC_EACH(const ml_resource *, r, &gamma) {
        if (!ml_resil_injected(ctx->model, caller))
            break;
        long long a = gamma_max(ctx, r, &app);
        if (a < 0)
            return 0;
        if (a > amax)
            amax = a;
    }
    if (!ml_resil_mesh_vs_exists(ctx->model, fqdn) && !gamma.n && ml_resil_injected(ctx->model, caller)) {
        ml_resil_retry p = ml_resil_default_retry(ctx->arena, ML_RESIL_RETRY_NO_VS);
        ml_resil_overlap_info o = ml_resil_overlap_of(&p, app.codes, app.codes_known);
        if ((o.kind == ML_RESIL_OVERLAP || o.kind == ML_RESIL_OVERLAP_UNKNOWN) && p.attempts > amax)
            amax = p.attempts;
    }
    if (amax < 1)
        return 0;
    return (uint64_t)(1 + amax) * (uint64_t)(1 + app.retries);
}

static void chain_note(chain_walk *cw, size_t depth)
{
    ml_buf path, prod;
    ml_buf_init(&path);
    ml_buf_init(&prod);
    uint64_t total = 1;
    for (size_t i = 0; i <= depth; i++) {
        if (i) {
            ml_buf_puts(&path, " -> ");
            ml_buf_puts(&prod, " \xc3\x97 ");
        }
        ml_buf_puts(&path, cw->names[i]);
        ml_buf_printf(&prod, "%llu", (unsigned long long)cw->factors[i]);
        total *= cw->factors[i]; /* checked by the walk */
    }
    ml_note(cw->ctx, cw->d, cw->first_call->loc,
            "this call reaches a service whose mesh and Connectum retries amplify too: along %s the worst "
            "cases multiply, %s = %llu runs of %s's handler for one client request",
            path.s, prod.s, (unsigned long long)total, cw->names[depth]);
    cw->notes++;
    ml_buf_free(&path);
    ml_buf_free(&prod);
}

/* Depth-first along outbound calls; a note for every chain that cannot be
 * extended further (so A -> B -> C says it all, without a second note for
 * A -> B). */
static bool walk(chain_walk *cw, const ml_server *s, const ml_link *l, uint64_t total, size_t depth)
{
    ml_ctx *ctx = cw->ctx;
    bool extended = false;
    if (depth >= CHAIN_MAX_DEPTH)
        return false;
    ML_VEC_EACH(const ml_outbound *, o, &s->outbound) {
        const char *url = ml_resil_outbound_url(ctx, l, o);
        const char *fqdn = url ? ml_resil_url_fqdn(ctx, url, l->workload->res->ns) : NULL;
        ML_VEC_EACH(const ml_service *, svc, ml_resil_vec(ml_model_services_for(ctx->model, fqdn))) {
            ML_VEC_EACH(const ml_workload *, w2, &svc->workloads) {
                ML_VEC_EACH(const ml_server *, s2, &w2->servers) {
                    if (cw->steps++ >= CHAIN_MAX_STEPS || cw->notes >= CHAIN_MAX_NOTES)
                        return true;
                    bool cycle = false;
                    for (size_t i = 0; i <= depth && !cycle; i++)
                        cycle = cw->path[i] == s2;
                    const ml_link *l2 = link_to(s2, w2);
                    if (cycle || !l2)
                        continue;
                    uint64_t f = hop_factor(cw, l->workload, s2, l2, svc->fqdn), next;
                    if (!f || !mul_ok(total, f, &next))
                        continue;
                    if (depth == 0)
                        cw->first_call = o;
                    cw->path[depth + 1] = s2;
                    cw->names[depth + 1] = w2->res->name;
                    cw->factors[depth + 1] = f;
                    extended = true;
                    if (!walk(cw, s2, l2, next, depth + 1))
                        chain_note(cw, depth + 1);
                }
            }
        }
    }
    return extended;
}

/* The mesh side of the message. */
static const char *mesh_words(ml_arena *a, const ml_resil_retry *p, const ml_resil_route_ref *ref,
                              const ml_service *svc)
{
    switch (p->kind) {
    case ML_RESIL_RETRY_EXPLICIT: {
        const char *on = !p->retry_on_known ? (p->unknown_cond ? ml_printf(a, "retryOn %s", p->retry_on)
                                                               : "a retryOn that is not a plain string")
                         : p->retry_on_node ? ml_printf(a, "retryOn %s", p->retry_on)
                                            : ml_printf(a, "retryOn unset, so Istio's default %s",
                                                        ML_RESIL_DEFAULT_RETRY_ON);
        return ml_printf(a, "%s retries calls to %s up to %lld time%s (attempts: %lld, %s)",
                         ml_resil_route_words(a, ref), svc->fqdn, p->attempts, p->attempts == 1 ? "" : "s",
                         p->attempts, on);
    }
    case ML_RESIL_RETRY_ROUTE_DEFAULT:
        return ml_printf(a,
                         "%s has no retries block, so calls to %s get the Istio default of %d retries on %s",
                         ml_resil_route_words(a, ref), svc->fqdn, ML_RESIL_DEFAULT_ATTEMPTS,
                         ML_RESIL_DEFAULT_RETRY_ON);
    default:
        return ml_printf(a,
                         "no VirtualService routes %s (%s), so calls to it get the Istio default of %d "
                         "retries on %s",
                         svc->fqdn, ml_res_display(a, svc->res), ML_RESIL_DEFAULT_ATTEMPTS,
                         ML_RESIL_DEFAULT_RETRY_ON);
    }
}

/* The end of the message: what the two layers' conditions do together;
 * *level becomes a note when they do not retry the same failures. */
static const char *tail_words(ml_arena *a, const ml_resil_retry *p, const ml_resil_overlap_info *o,
                              const char *product, ml_level *level)
{
    const char *tail;
    switch (o->kind) {
    case ML_RESIL_OVERLAP:
        tail = ml_printf(a,
                         "both layers retry %s, so one client request can run the handler up to %s times, and "
                         "every downstream call with it",
                         ml_resil_overlap_text(a, o), product);
        break;
    case ML_RESIL_OVERLAP_UNKNOWN:
        tail = ml_printf(a,
                         "%s, so the layers may retry the same failures, and then one client request runs "
                         "the handler up to %s times, and every downstream call with it",
                         !p->retry_on_known
                             ? (p->unknown_cond
                                    ? ml_printf(a, "meshlint does not know the retryOn condition %s",
                                                p->unknown_cond)
                                    : "the retryOn conditions are not known statically")
                             : "the server's retryableCodes are not known statically",
                         product);
        break;
    case ML_RESIL_DISJOINT:
        *level = ML_LEVEL_NOTE;
        tail = ml_printf(a,
                         "the conditions do not overlap, so the layers multiply only when a request fails "
                         "in both ways in turn, and then the handler runs up to %s times",
                         product);
        break;
    default:
        *level = ML_LEVEL_NOTE;
        tail = ml_printf(a,
                         "the mesh retries only failures that happen before the handler runs, so the layers "
                         "do not multiply yet; a retryOn condition that the handler's failures trigger "
                         "(such as unavailable) would let one client request run it up to %s times",
                         product);
        break;
    }
    return tail;
}

static void report(ml_ctx *ctx, const ml_resil_index *ix, ml_map *seen, long long limit, const ml_server *s,
                   const ml_link *l, const ml_resil_app_retry *app, const ml_service *svc,
                   const ml_resil_route_ref *ref, const ml_resil_retry *p)
{
    ml_arena *a = ctx->arena;
    if (!ml_resil_first_time(seen, a, ref ? (const void *)ref->rt : (const void *)svc, s, (double)app->retries))
        return;

    long long at = p->attempts, r = app->retries;
    unsigned long long total = (unsigned long long)(1 + at) * (unsigned long long)(1 + r);
    ml_resil_overlap_info o = ml_resil_overlap_of(p, app->codes, app->codes_known);
    const char *server = ml_printf(a, "the Connectum server of %s", ml_res_display(a, l->workload->res));
    const char *app_words = ml_printf(a, "%s retries its handler up to %lld time%s (%s) %s", server, r, r == 1 ? "" : "s",
                                      ml_resil_num_text(a, "maxRetries", &app->max, NULL),
                                      ml_resil_app_codes_text(a, app));
    const char *product = ml_printf(a, "(1 + %lld) \xc3\x97 (1 + %lld) = %llu", at, r, total);
    ml_level level = ML_LEVEL_NONE;
    const char *tail = tail_words(a, p, &o, product, &level);

    ml_loc loc = p->kind == ML_RESIL_RETRY_EXPLICIT      ? ml_node_loc(p->attempts_node)
                 : p->kind == ML_RESIL_RETRY_ROUTE_DEFAULT ? ml_node_loc(ref->rt->node)
                                                          : ml_res_loc(svc->res);
    ml_diag *d = ml_report(ctx, level, loc, "%s, and %s: %s", mesh_words(a, p, ref, svc), app_words, tail);

    ml_note(ctx, d, s->retry.loc, "%s turns on the retry interceptor: %s", ml_resil_cfg_words(a, &s->retry, "retry", "createRetryInterceptor"),
            ml_resil_num_text(a, "maxRetries", &app->max, NULL));
    if (app->max.origin && !app->max.is_default && app->max.loc.file)
        ml_note(ctx, d, app->max.loc, "maxRetries %lld for %s comes from here", r,
                ml_res_display(a, l->workload->res));
    /* ambient without a waypoint: no proxy on the server's side applies a
     * VirtualService; only callers with a sidecar (and gateways) do */
    const ml_dataplane_fact *dp = ml_mesh_dataplane(ctx->model, l->workload);
    if (ref && dp && dp->kind == ML_DP_AMBIENT && dp->waypoint_known)
        ml_note(ctx, d, dp->decided_by ? ml_node_loc(dp->decided_by) : ml_res_loc(l->workload->res),
                "the pods of %s are in ambient mode without a waypoint: ztunnel carries their traffic at L4 and "
                "applies no VirtualService, so these retries run only in callers that have a sidecar; calls from "
                "ambient workloads get the Connectum retries alone",
                ml_res_display(a, l->workload->res));
    if (p->kind == ML_RESIL_RETRY_EXPLICIT && p->retry_on_node &&
        (o.kind == ML_RESIL_DISJOINT || o.kind == ML_RESIL_BEFORE_HANDLER))
        ml_note(ctx, d, ml_node_loc(p->retry_on_node),
                "retryOn %s keeps the mesh off the failures the server retries; adding one of them would "
                "make this a warning",
                p->retry_on);

    chain_walk cw;
    memset(&cw, 0, sizeof cw);
    cw.ctx = ctx;
    cw.ix = ix;
    cw.d = d;
    cw.path[0] = s;
    cw.names[0] = l->workload->res->name;
    cw.factors[0] = total;
    walk(&cw, s, l, total, 0);

    const char *advice = ml_printf(a, "%lld", limit);
    if (p->kind == ML_RESIL_RETRY_EXPLICIT) {
        ml_help(ctx, d,
                "with Connectum retrying, keep the mesh at %s retr%s or fewer (the guide says 0 or 1): set "
                "retries.attempts to %s, or lower maxRetries or turn the Connectum retry off",
                advice, limit == 1 ? "y" : "ies", advice);
        if (o.kind == ML_RESIL_OVERLAP)
            ml_add_fix(ctx, d, ml_printf(a, "set attempts to %lld", limit), ml_node_loc(p->attempts_node),
                       advice);
    } else {
        ml_help(ctx, d,
                "give %s a VirtualService route with retries: { attempts: %s } (the guide says 0 or 1 "
                "when Connectum retries), or lower maxRetries or turn the Connectum retry off",
                svc->fqdn, advice);
    }
}

/* An HTTPRoute rule on an Istio Gateway whose backends reach the server:
 * the gateway retries with the policy of the route Istio builds from the
 * rule (ml_resil_gw_retry), once per client request. */
static void report_gw(ml_ctx *ctx, ml_map *seen, long long limit, const ml_server *s, const ml_link *l,
                      const ml_resil_app_retry *app, const ml_resil_gw *g, const ml_resil_retry *p)
{
    ml_arena *a = ctx->arena;
    if (!ml_resil_first_time(seen, a, g->rule, s, (double)app->retries))
        return;
    long long at = p->attempts, r = app->retries;
    unsigned long long total = (unsigned long long)(1 + at) * (unsigned long long)(1 + r);
    ml_resil_overlap_info o = ml_resil_overlap_of(p, app->codes, app->codes_known);
    const char *product = ml_printf(a, "(1 + %lld) \xc3\x97 (1 + %lld) = %llu", at, r, total);
    ml_level level = ML_LEVEL_NONE;
    const char *tail = tail_words(a, p, &o, product, &level);
    const char *mesh;
    if (p->kind == ML_RESIL_RETRY_EXPLICIT)
        mesh = ml_printf(a, "%s has %s retry each request up to %lld time%s (%s, retryOn %s as Istio "
                            "converts it)",
                         ml_resil_gw_words(a, g), ml_resil_gw_proxy(a, g), at, at == 1 ? "" : "s",
                         g->attempts_default ? ml_printf(a, "retry.attempts absent: %lld, Istio's default", at)
                                             : ml_printf(a, "retry.attempts: %lld", at),
                         p->retry_on);
    else
        mesh = ml_printf(a, "%s has no retry block, so %s applies Istio's default of %lld retries on %s",
                         ml_resil_gw_words(a, g), ml_resil_gw_proxy(a, g), at, ML_RESIL_DEFAULT_RETRY_ON);
    const char *app_words = ml_printf(a, "the Connectum server of %s retries its handler up to %lld time%s (%s) %s",
                                      ml_res_display(a, l->workload->res), r, r == 1 ? "" : "s",
                                      ml_resil_num_text(a, "maxRetries", &app->max, NULL),
                                      ml_resil_app_codes_text(a, app));
    ml_loc loc = p->kind == ML_RESIL_RETRY_EXPLICIT ? ml_node_loc(p->attempts_node) : ml_node_loc(g->rule->node);
    ml_diag *d = ml_report(ctx, level, loc, "%s, and %s: %s", mesh, app_words, tail);
    ml_note(ctx, d, s->retry.loc, "%s turns on the retry interceptor: %s",
            ml_resil_cfg_words(a, &s->retry, "retry", "createRetryInterceptor"),
            ml_resil_num_text(a, "maxRetries", &app->max, NULL));
    if (app->max.origin && !app->max.is_default && app->max.loc.file)
        ml_note(ctx, d, app->max.loc, "maxRetries %lld for %s comes from here", r,
                ml_res_display(a, l->workload->res));
    const char *advice = ml_printf(a, "%lld", limit);
    ml_help(ctx, d,
            "with Connectum retrying, keep the %s at %s retr%s or fewer (the guide says 0 or 1): %s, or "
            "lower maxRetries or turn the Connectum retry off",
            g->gateway ? "gateway" : "route", advice, limit == 1 ? "y" : "ies",
            p->kind == ML_RESIL_RETRY_EXPLICIT ? ml_printf(a, "set retry.attempts to %s", advice)
                                               : ml_printf(a, "give the rule `retry: { attempts: %s }`", advice));
    if (p->kind == ML_RESIL_RETRY_EXPLICIT && g->rule->retry_attempts && o.kind == ML_RESIL_OVERLAP)
        ml_add_fix(ctx, d, ml_printf(a, "set retry.attempts to %lld", limit), ml_node_loc(g->rule->retry_attempts),
                   advice);
}

typedef struct gw_backend_ctx {
    ml_map *seen;
    long long limit;
    const ml_resil_gw *g;
    const ml_resil_retry *p;
} gw_backend_ctx;

static void gw_backend_server(ml_ctx *ctx, const ml_server *s, const ml_workload *w, void *arg)
{
    const gw_backend_ctx *bc = arg;
    const ml_link *l = link_to(s, w);
    ml_resil_app_retry app;
    if (!l || !ml_resil_app_retry_of(ctx, s, l, &app) || app.retries < 1)
        return;
    report_gw(ctx, bc->seen, bc->limit, s, l, &app, bc->g, bc->p);
}

typedef struct gw_rule_ctx {
    ml_map *seen;
    long long limit;
} gw_rule_ctx;

static void gw_rule(ml_ctx *ctx, const ml_resource *r, const ml_gw_rule *rule, const ml_resil_gw *g, void *arg)
{
    gw_rule_ctx *rc = arg;
    ml_resil_retry p = ml_resil_gw_retry(ctx->arena, g);
    long long n = ml_resil_retry_count(&p);
    if (n <= rc->limit || n > MAX_ATTEMPTS)
        return;
    gw_backend_ctx bc = {rc->seen, rc->limit, g, &p};
    ml_resil_gw_servers(ctx, r, rule, g, gw_backend_server, &bc);
}

static void check_gw_routes(ml_ctx *ctx, ml_map *seen, long long limit)
{
    gw_rule_ctx rc = {seen, limit};
    ml_resil_each_gw_rule(ctx, gw_rule, &rc);
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n)
        return;
    long long limit = ml_setting_int(ctx, "max-mesh-retries-with-app-retries", 1);
    if (limit < 0)
        limit = 0;
    ml_resil_index ix;
    ml_resil_index_build(&ix, ctx);
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            const ml_workload *w = l->workload;
            ml_resil_app_retry app;
            if (!w || !ml_resil_app_retry_of(ctx, s, l, &app) || app.retries < 1)
                continue;
            ML_VEC_EACH(const ml_service *, svc, &w->services) {
                ML_VEC_EACH(const ml_resil_route_ref *, ref, ml_resil_routes_to(&ix, svc->fqdn)) {
                    ml_resil_retry p = ml_resil_route_retry(ctx->arena, ref->rt);
                    long long n = ml_resil_retry_count(&p);
                    if (n > limit && n <= MAX_ATTEMPTS)
                        report(ctx, &ix, &seen, limit, s, l, &app, svc, ref, &p);
                }
                if (!ml_resil_mesh_route_exists(m, svc->fqdn) && ml_resil_injected(m, w)) {
                    ml_resil_retry p = ml_resil_default_retry(ctx->arena, ML_RESIL_RETRY_NO_VS);
                    if (p.attempts > limit)
                        report(ctx, &ix, &seen, limit, s, l, &app, svc, NULL, &p);
                }
            }
        }
    }
    check_gw_routes(ctx, &seen, limit);
    ml_map_free(&seen);
    ml_resil_index_free(&ix);
}

const ml_rule ml_rule_ML201 = {
    .id = "ML201",
    .name = "retry-amplification",
    .level = ML_LEVEL_WARNING,
    .summary = "Mesh retries in front of a Connectum server that retries its handler multiply",
    .description =
        "A Connectum server with the retry interceptor (createDefaultInterceptors({ retry }) or "
        "createRetryInterceptor) re-runs its handler up to 1 + maxRetries times (maxRetries defaults to 3). "
        "When the Istio route in front of it retries too, every mesh try does that again: one client "
        "request runs the handler up to (1 + attempts) \xc3\x97 (1 + maxRetries) times, and every call the "
        "handler makes downstream with it. The guide's own pair, attempts: 3 with maxRetries: 2, gives 12. "
        "Under load this turns a brief failure into a retry storm.\n"
        "\n"
        "The mesh retries even when nobody asked it to: an HTTP route without a retries block, and a host "
        "with no VirtualService at all, get Istio's default of 2 retries on "
        "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes. attempts: 0 turns "
        "retries off.\n"
        "\n"
        "In ambient mode the same product holds where a proxy applies the route. A VirtualService for the "
        "mesh is applied by callers' sidecars (SelectVirtualServices, pilot/pkg/model/virtualservice.go) "
        "and by waypoints; ztunnel works at L4 and applies none (Istio documentation, ambient waypoint "
        "usage). When the server's pods are ambient without a waypoint (the data plane of src/mesh.c) the "
        "finding carries a note: only callers that have a sidecar retry, ambient callers do not. Along a "
        "chain of calls, a hop counts a route's retries only when the calling workload's Sidecar resource "
        "imports its VirtualService (egress hosts; pilot/pkg/model/sidecar.go ConvertToSidecarScope, "
        "virtualservice.go SelectVirtualServices); a Sidecar that certainly leaves it out ends the chain "
        "there.\n"
        "\n"
        "An HTTPRoute rule attached to an Istio Gateway (gatewayClassName istio) whose backendRefs (permitted ones: ML313) reach the "
        "server counts as a route too: the gateway retries with the policy Istio gives the route it builds "
        "from the rule (pilot/pkg/config/kube/gateway/conversion.go, convertHTTPRoute): with a retry block, "
        "attempts (2 when absent) on connect-failure, refused-stream, unavailable and cancelled plus the "
        "listed HTTP codes; attempts: 0 turns retries off; without a retry block, Istio's default policy "
        "(route/retry/retry.go, ConvertPolicy).\n"
        "\n"
        "An HTTPRoute whose parentRef is a Service in its own namespace (a producer mesh route, GAMMA) is "
        "turned by Istio into a VirtualService bound to the mesh gateway for that Service's host "
        "(conversion.go, buildHTTPVirtualServices: one VirtualService per namespace and host for mesh "
        "routes), so callers' sidecars apply its rules with the same retry policy as above, and the host "
        "no longer gets the no-VirtualService default. A consumer route (its parent Service in another "
        "namespace) becomes a VirtualService of the route's namespace, and a sidecar imports the Gateway "
        "API VirtualServices of its own namespace before any other (pilot/pkg/model/virtualservice.go, "
        "SelectVirtualServices; the first virtual host for a domain wins): its rules govern the calls of "
        "the route's namespace (the consumer override of Gateway API GEP-1426), and the finding says so; "
        "along a chain of calls, a hop from a caller of that namespace counts the consumer route in place "
        "of the others. Mesh routes are counted for servers whose pods have a sidecar (the callers' "
        "sidecars apply them), and for a Service whose waypoint takes its traffic: the waypoint applies "
        "the routes of the Service's and of its own namespace (pilot/pkg/networking/core/"
        "listener_waypoint.go, getVirtualServiceForWaypoint) and retries whatever the callers run; "
        "ambient pods without a waypoint get them only from callers that have a sidecar.\n"
        "\n"
        "The rule reports when the mesh retries more often than the setting "
        "max-mesh-retries-with-app-retries allows (1 by default, the guide's advice) while the server "
        "retries at least once. It is a warning when both layers retry the same failures: the gRPC "
        "conditions (unavailable, resource-exhausted, ...) read the status a server returns to gRPC "
        "callers, and 5xx, gateway-error, retriable-4xx and retriable status codes read the HTTP status a "
        "Connect-protocol caller gets (Unavailable is 503, ResourceExhausted 429). When retryOn or the "
        "retryable codes are not known, it is a warning too. When the conditions do not overlap (for "
        "example the mesh retries only connect-failure, which happens before the handler runs) it is a "
        "note.\n"
        "\n"
        "When the server's code calls another host whose layers amplify as well, a note shows the product "
        "along the chain of calls.",
    .remediation = "Retry in one layer only. With Connectum retrying, set retries.attempts to 0 or 1 on "
                   "every route to the host (add a VirtualService with retries: { attempts: 0 } when "
                   "there is none), or lower maxRetries or turn the Connectum retry off.",
    .tags = "resilience,retries,connectum,performance",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# VirtualService order-service\n"
                   "http:\n"
                   "  - retries:\n"
                   "      attempts: 3\n"
                   "    route:\n"
                   "      - destination: { host: order-service }\n"
                   "// server.ts\n"
                   "interceptors: createDefaultInterceptors({ retry: { maxRetries: 2 } }),\n"
                   "// one request runs the handler up to (1 + 3) x (1 + 2) = 12 times",
    .example_good = "http:\n"
                    "  - retries:\n"
                    "      attempts: 0   # Connectum retries with backoff\n"
                    "    route:\n"
                    "      - destination: { host: order-service }",
    .settings = "max-mesh-retries-with-app-retries",
    .setting_types = "uint",
    .check = check,
};
