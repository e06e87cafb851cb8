/*
 * ML203 app-timeout-exceeds-mesh-timeout: the Connectum timeout interceptor
 * lets a handler run longer than the mesh waits for it. The route's
 * perTryTimeout (or timeout) fires first: the caller gets a 504 while the
 * handler goes on working, and its downstream calls with it, for a request
 * nobody waits for; with per-try timeouts the mesh's next try may run next
 * to the still-running first one. The application's deadline is meant to be
 * the inner one.
 *
 * For each linked server whose timeout interceptor is certainly on, the
 * duration is resolved for the workload (code, container env, or the
 * Connectum default of 30000 ms) and compared with every HTTP route that
 * reaches a host of that workload. Istio's implicit default has no timeout,
 * so only routes that set one are compared. HTTPRoute rules on an Istio
 * Gateway whose backendRefs reach the workload are compared through the
 * timeouts Istio gives the route it builds (ml_resil_gw_rule).
 */
#include "resilience_common.h"
#include "../traffic/gwapi_common.h"
#include "meshlint/sidecar.h"

/* Which callers' sidecars apply the route (sidecar.h; sidecar.go
 * ConvertToSidecarScope keeps only the VirtualServices a Sidecar's egress
 * hosts import). Asked only when the model has Sidecars, the route binds
 * the mesh gateway alone, and the server's pods have no waypoint that
 * would apply it whatever the callers import. */
static bool route_scope(ml_ctx *ctx, const ml_resil_route_ref *ref, const ml_workload *w, ml_sc_scope *sc)
{
    const ml_model *m = ctx->model;
    if (!m->by_kind[ML_K_SIDECAR].n || !ml_sidecar_vs_only_mesh(ref->vs))
        return false;
    const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
    if (!dp || (dp->kind != ML_DP_SIDECAR && dp->kind != ML_DP_NONE && dp->kind != ML_DP_AMBIENT))
        return false;
    return ml_sidecar_scope_of(m, ctx->arena, ref->vs->res, ml_assume_complete(ctx), ml_sc_judge_vs,
                               ref->vs->res, sc);
}

/* The callers a partly imported route binds, for the message: "" when
 * every caller namespace imports it (or the scope was not asked). */
static const char *scope_words(ml_ctx *ctx, bool scoped, const ml_sc_scope *sc)
{
    ml_arena *a = ctx->arena;
    bool out_no = scoped && sc->elsewhere_asked && sc->elsewhere == ML_SC_NO;
    if (!scoped || (!sc->no.n && !out_no))
        return "";
    const char *in = sc->yes.n ? ml_printf(a, "namespace%s %s", sc->yes.n > 1 ? "s" : "", ml_sc_ns_list(a, &sc->yes))
                               : NULL;
    const char *also = sc->elsewhere_asked && sc->elsewhere == ML_SC_YES ? "namespaces outside the input" : NULL;
    const char *applied = in && also ? ml_printf(a, "%s and %s", in, also) : in ? in : also;
    const char *not_in = sc->no.n ? ml_printf(a, "namespace%s %s%s", sc->no.n > 1 ? "s" : "",
                                              ml_sc_ns_list(a, &sc->no), out_no ? " and outside the input" : "")
                                  : "the namespaces outside the input";
    return ml_printf(a, " (for callers in %s only: the Sidecar egress hosts of %s leave the VirtualService out, so "
                        "calls from there are not cut by it)",
                     applied ? applied : "namespaces whose import is not known", not_in);
}

static void scope_note(ml_ctx *ctx, ml_diag *d, const ml_resil_route_ref *ref, const ml_sc_scope *sc)
{
    ml_arena *a = ctx->arena;
    if (!sc->decider)
        return;
    const ml_node *eg = ml_get(sc->decider->spec, "egress");
    ml_note(ctx, d, ml_node_loc(eg ? eg : sc->decider->name_node), "%s imports %s, not %s (sidecar.go "
            "ConvertToSidecarScope keeps only the VirtualServices its egress hosts import)",
            ml_res_display(a, sc->decider), ml_sidecar_hosts_text(a, sc->decider), ml_res_display(a, ref->vs->res));
}

static void check_route(ml_ctx *ctx, ml_map *seen, const ml_server *s, const ml_link *l, const ml_resil_num *dur,
                        const ml_resil_route_ref *ref)
{
    ml_arena *a = ctx->arena;
    /* once per route, server and duration (the stable and canary links of
     * one server meet the same routes): the retry policy is read after */
    if (!ml_resil_first_time(seen, a, ref->rt, s, dur->num))
        return;
    ml_resil_retry p = ml_resil_route_retry(a, ref->rt);
    double d_ns = dur->num * 1e6;
    bool per_applies = p.kind == ML_RESIL_RETRY_EXPLICIT && p.per_try_known && p.per_try_ns > 0;
    bool per_short = per_applies && d_ns > (double)p.per_try_ns;
    const ml_node *tn = ml_get(ref->rt->node, "timeout");
    int64_t t = 0;
    bool t_short = ml_resil_duration_node(tn, &t) && t > 0 && d_ns > (double)t;
    if (!per_short && !t_short)
        return;
    /* the callers' scope only for a route that is shorter */
    ml_sc_scope sc;
    bool scoped = route_scope(ctx, ref, l->workload, &sc);
    if (scoped && ml_sc_scope_none(&sc))
        return; /* no caller's sidecar loads the route (ML325) */
    const char *who = scope_words(ctx, scoped, &sc);

    const char *server = ml_printf(a, "the Connectum timeout interceptor of %s (%s)",
                                   ml_res_display(a, l->workload->res),
                                   ml_resil_num_text(a, "duration", dur, " ms"));
    const char *dtext = ml_resil_fmt_ms(a, dur->num);
    ml_diag *d;
    if (per_short) {
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p.per_try_node),
                      "perTryTimeout %s of %s gives up on each try before %s does: the handler keeps working "
                      "for up to %s on a try nobody waits for, and a mesh retry (attempts: %lld) may start "
                      "while it still runs%s",
                      ml_str(p.per_try_node), ml_resil_route_words(a, ref), server, dtext, p.attempts, who);
        if (t_short)
            ml_note(ctx, d, ml_node_loc(tn), "timeout %s also ends the whole request before the handler's %s",
                    ml_str(tn), dtext);
    } else {
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(tn),
                      "timeout %s of %s gives up on the request before %s does: the handler keeps working for "
                      "up to %s on a request nobody waits for, and every downstream call with it%s",
                      ml_str(tn), ml_resil_route_words(a, ref), server, dtext, who);
    }
    ml_note(ctx, d, s->timeout.loc, "%s sets the handler's deadline: %s",
            ml_resil_cfg_words(a, &s->timeout, "timeout", "createTimeoutInterceptor"),
            ml_resil_num_text(a, "duration", dur, " ms"));
    if (dur->origin && !dur->is_default && dur->loc.file)
        ml_note(ctx, d, dur->loc, "the duration for %s comes from here", ml_res_display(a, l->workload->res));
    if (*who)
        scope_note(ctx, d, ref, &sc);
    /* ambient without a waypoint: the server's side has no proxy that
     * applies a VirtualService; callers with a sidecar (and gateways) do */
    const ml_dataplane_fact *dp = ml_mesh_dataplane(ctx->model, l->workload);
    if (dp && dp->kind == ML_DP_AMBIENT && dp->waypoint_known)
        ml_note(ctx, d, dp->decided_by ? ml_node_loc(dp->decided_by) : ml_res_loc(l->workload->res),
                "the pods of %s are in ambient mode without a waypoint: ztunnel works at L4 and applies no "
                "VirtualService timeout, so this deadline holds only for callers that have a sidecar (or a "
                "gateway the route is bound to)",
                ml_res_display(a, l->workload->res));
    int64_t mesh = per_short ? p.per_try_ns : t;
    ml_help(ctx, d,
            "make the Connectum timeout the inner deadline: a duration below %s, leaving time for the reply, "
            "or raise the route's %s above %s",
            ml_resil_fmt_ms(a, (double)mesh / 1e6), per_short ? "perTryTimeout" : "timeout", dtext);
}

/* An HTTPRoute rule on an Istio Gateway, with the timeouts Istio gives the
 * route it builds from it (ml_resil_gw_rule). */
static void check_gw(ml_ctx *ctx, ml_map *seen, const ml_server *s, const ml_link *l, const ml_resil_num *dur,
                     const ml_resil_gw *g)
{
    ml_arena *a = ctx->arena;
    if (!ml_resil_first_time(seen, a, g->rule, s, dur->num))
        return;
    double d_ns = dur->num * 1e6;
    bool per_short = g->has_retry && g->attempts > 0 && g->per_try_ns > 0 && d_ns > (double)g->per_try_ns;
    bool t_short = g->timeout_ns > 0 && d_ns > (double)g->timeout_ns;
    if (!per_short && !t_short)
        return;
    const char *server = ml_printf(a, "the Connectum timeout interceptor of %s (%s)",
                                   ml_res_display(a, l->workload->res),
                                   ml_resil_num_text(a, "duration", dur, " ms"));
    const char *dtext = ml_resil_fmt_ms(a, dur->num);
    const ml_node *tn = g->timeout_node, *pn = g->per_try_node;
    const char *tname = tn == g->rule->timeout_backend ? "timeouts.backendRequest" : "timeouts.request";
    ml_diag *d;
    if (per_short) {
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(pn),
                      "timeouts.backendRequest %s of %s (the perTryTimeout of the route Istio builds, as the rule "
                      "has a retry block) gives up on each try before %s does: the handler keeps working for up "
                      "to %s on a try nobody waits for, and a retry (up to %lld) may start while it still runs",
                      ml_str(pn), ml_resil_gw_words(a, g), server, dtext, g->attempts);
        if (t_short)
            ml_note(ctx, d, ml_node_loc(tn), "timeouts.request %s also ends the whole request before the "
                                             "handler's %s", ml_str(tn), dtext);
    } else {
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(tn),
                      "%s %s of %s (the timeout of the route Istio builds%s) gives up on the request before %s "
                      "does: the handler keeps working for up to %s on a request nobody waits for, and every "
                      "downstream call with it",
                      tname, ml_str(tn), ml_resil_gw_words(a, g),
                      tn == g->rule->timeout_backend && !g->has_retry
                          ? ", in place of timeouts.request, as the rule has no retry block"
                          : "",
                      server, dtext);
    }
    if (g->gateway)
        ml_note(ctx, d, ml_res_loc(g->gateway), "%s (class istio) applies the route",
                ml_res_display(a, g->gateway));
    else if (g->waypoint)
        ml_note(ctx, d, ml_res_loc(g->waypoint),
                "%s, the waypoint of %s, applies the route to the Service's traffic (listener_waypoint.go, "
                "getVirtualServiceForWaypoint)",
                ml_res_display(a, g->waypoint),
                ml_res_display(a, g->mesh_service ? g->mesh_service : g->consumer_service));
    else if (g->mesh_service)
        ml_note(ctx, d, ml_res_loc(g->mesh_service),
                "the route's parentRef is %s in the route's own namespace (a mesh route): callers' sidecars "
                "apply it to every call to that Service",
                ml_res_display(a, g->mesh_service));
    else
        ml_note(ctx, d, ml_res_loc(g->consumer_service),
                "the route's parentRef is %s of another namespace (a consumer mesh route): the sidecars of "
                "callers in namespace %s apply it to their calls to that Service, before any other route for it",
                ml_res_display(a, g->consumer_service), g->route->ns);
    ml_note(ctx, d, s->timeout.loc, "%s sets the handler's deadline: %s",
            ml_resil_cfg_words(a, &s->timeout, "timeout", "createTimeoutInterceptor"),
            ml_resil_num_text(a, "duration", dur, " ms"));
    if (dur->origin && !dur->is_default && dur->loc.file)
        ml_note(ctx, d, dur->loc, "the duration for %s comes from here", ml_res_display(a, l->workload->res));
    ml_help(ctx, d,
            "make the Connectum timeout the inner deadline: a duration below %s, leaving time for the reply, "
            "or raise the rule's %s above %s",
            ml_resil_fmt_ms(a, (double)(per_short ? g->per_try_ns : g->timeout_ns) / 1e6),
            per_short ? "timeouts.backendRequest" : tname, dtext);
}

typedef struct gw_backend_ctx {
    ml_map *seen;
    const ml_resil_gw *g;
} gw_backend_ctx;

static void gw_backend_server(ml_ctx *ctx, const ml_server *s, const ml_workload *w, void *arg)
{
    const gw_backend_ctx *bc = arg;
    if (s->timeout.enabled != ML_YES)
        return;
    ML_VEC_EACH(const ml_link *, l, &s->links) {
        if (l->workload != w)
            continue;
        ml_resil_num dur = ml_resil_value(ctx, l, &s->timeout.a, 30000);
        if (dur.known && dur.num > 0)
            check_gw(ctx, bc->seen, s, l, &dur, bc->g);
    }
}

static void gw_rule(ml_ctx *ctx, const ml_resource *r, const ml_gw_rule *rule, const ml_resil_gw *g, void *arg)
{
    if (!g->known || (g->timeout_ns <= 0 && g->per_try_ns <= 0))
        return;
    gw_backend_ctx bc = {arg, g};
    ml_resil_gw_servers(ctx, r, rule, g, gw_backend_server, &bc);
}

static void check_gw_routes(ml_ctx *ctx, ml_map *seen)
{
    ml_resil_each_gw_rule(ctx, gw_rule, seen);
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n)
        return;
    ml_resil_index ix;
    ml_resil_index_build(&ix, ctx);
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (s->timeout.enabled != ML_YES)
            continue;
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            if (!l->workload)
                continue;
            ml_resil_num dur = ml_resil_value(ctx, l, &s->timeout.a, 30000);
            if (!dur.known || dur.num <= 0)
                continue;
            ML_VEC_EACH(const ml_service *, svc, &l->workload->services)
                ML_VEC_EACH(const ml_resil_route_ref *, ref, ml_resil_routes_to(&ix, svc->fqdn))
                    check_route(ctx, &seen, s, l, &dur, ref);
        }
    }
    check_gw_routes(ctx, &seen);
    ml_map_free(&seen);
    ml_resil_index_free(&ix);
}

const ml_rule ml_rule_ML203 = {
    .id = "ML203",
    .name = "app-timeout-exceeds-mesh-timeout",
    .level = ML_LEVEL_WARNING,
    .summary = "The Connectum timeout interceptor outlasts the route's timeout or perTryTimeout",
    .description =
        "The Connectum timeout interceptor (createDefaultInterceptors({ timeout }) or "
        "createTimeoutInterceptor; duration 30000 ms by default) bounds how long a handler may run. When "
        "the VirtualService route in front of the server gives up sooner (its perTryTimeout, or its "
        "timeout), the mesh answers the caller with a 504 while the handler keeps working, and keeps "
        "calling downstream services, for a request nobody waits for. With perTryTimeout the mesh may "
        "start its next try while the first handler still runs, so the server does the work twice.\n"
        "\n"
        "The application's deadline should be the inner one: shorter than every mesh timeout in front of "
        "it. The rule compares the duration (from the code, the container's env, or the Connectum "
        "default) with every HTTP route that reaches a host of the server's workload. Istio's default "
        "route has no timeout, so only routes that set one are compared. When the server's pods are in "
        "ambient mode without a waypoint (src/mesh.c), ztunnel applies no VirtualService; the finding then "
        "carries a note that only callers with a sidecar (and gateways the route is bound to) apply the "
        "timeout.\n"
        "\n"
        "A VirtualService bound only to the mesh gateway is applied by the callers' sidecars, and only by "
        "those whose Sidecar resource imports it through its egress hosts (pilot/pkg/model/sidecar.go "
        "ConvertToSidecarScope with virtualservice.go SelectVirtualServices; src/sidecar.c). When the input "
        "has Sidecars, the rule asks for every namespace the VirtualService is exported to: when none "
        "imports it (ML325), it stays silent; when some do not, the message says for which callers the "
        "timeout holds and a note names the Sidecar that leaves it out. Behind a waypoint this does not "
        "apply (the waypoint applies the route whatever the callers import).\n"
        "\n"
        "HTTPRoute rules attached to an Istio Gateway (gatewayClassName istio) whose backendRefs (permitted ones: ML313) reach the "
        "workload are compared with the route Istio builds from them (pilot/pkg/config/kube/gateway/"
        "conversion.go, convertHTTPRoute): with a retry block, timeouts.backendRequest becomes the "
        "perTryTimeout and timeouts.request the timeout; without one, timeouts.backendRequest becomes the "
        "route's whole timeout in place of timeouts.request; with retry.attempts: 0 backendRequest is "
        "dropped. A zero duration sets nothing. The same holds for an HTTPRoute whose parentRef is a Service "
        "in its own namespace (a producer mesh route, GAMMA): Istio builds a VirtualService bound to the "
        "mesh gateway for that Service's host (conversion.go, buildHTTPVirtualServices), which callers' "
        "sidecars apply; it is compared for servers whose pods have a sidecar, and for a Service whose "
        "waypoint takes its traffic (the waypoint applies the routes of the Service's and of its own "
        "namespace: listener_waypoint.go, getVirtualServiceForWaypoint). A consumer route (parent "
        "Service in another namespace) becomes a VirtualService of its own namespace that the sidecars "
        "there import before any other (pilot/pkg/model/virtualservice.go, SelectVirtualServices): it "
        "is compared too, and the finding says it holds for the calls of that namespace (GEP-1426).",
    .remediation = "Lower the Connectum timeout duration below the route's perTryTimeout and timeout, or "
                   "raise those above the application's deadline.",
    .tags = "resilience,timeouts,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# VirtualService: retries: { attempts: 2, perTryTimeout: 5s }\n"
                   "interceptors: createDefaultInterceptors({ timeout: { duration: 10_000 } }),",
    .example_good = "# VirtualService: retries: { attempts: 2, perTryTimeout: 5s }\n"
                    "interceptors: createDefaultInterceptors({ timeout: { duration: 4_000 } }),",
    .settings = NULL,
    .check = check,
};
