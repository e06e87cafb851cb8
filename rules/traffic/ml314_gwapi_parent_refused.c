/*
 * ML314 gwapi-parent-refused: a Gateway API route's parentRef names a
 * Gateway that does not exist, or a Gateway none of whose listeners (the
 * one its sectionName or port selects) accepts the route: allowedRoutes
 * refuses the route's namespace or kind, or no hostname intersects. A
 * GAMMA parentRef (a Service) names a Service that does not exist.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "gwapi_common.h"

#define GW_GROUP "gateway.networking.k8s.io"

/* Whether a route hostname and a listener hostname intersect (Gateway API
 * spec, Listener.Hostname and HTTPRoute.Hostnames: a leading "*." matches
 * one or more labels). */
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

/* The kinds a listener admits when allowedRoutes.kinds is absent (Gateway
 * API spec, Listener.AllowedRoutes and ListenerStatus.SupportedKinds:
 * HTTP and HTTPS listeners take HTTPRoute and GRPCRoute, TCP TCPRoute).
 * NULL: not judged (TLS, UDP, a custom protocol). */
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

/* NULL when the listener accepts the route (or the input cannot tell),
 * else the reason it refuses. */
static const char *listener_refuses(ml_ctx *ctx, const ml_resource *gwr, const ml_gw_listener *l,
                                    const ml_resource *r)
{
    ml_arena *a = ctx->arena;
    const ml_gw_route *rt = r->u.route;
    const char *from = l->allowed_from ? ml_str(l->allowed_from) : "Same";
    if (from && strcmp(from, "Same") == 0 && !ml_ns_may_equal(ctx->model, gwr->ns, r->ns))
        return ml_printf(a, "allowedRoutes.namespaces.from is %s, and the route is in namespace %s, not %s",
                         l->allowed_from ? "Same" : "Same (the default)", r->ns, gwr->ns);
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
        if (judged && !listed)
            return ml_printf(a, "its allowedRoutes.kinds does not list %s", r->kind_str);
    } else {
        const char *kinds = protocol_kinds(ml_str(l->protocol));
        if (kinds && !word_in(kinds, r->kind_str))
            return ml_printf(a, "its protocol %s takes %s, not %s", ml_str(l->protocol), kinds, r->kind_str);
    }
    const char *lh = ml_str(l->hostname);
    if (lh && *lh && rt->nhostnames && r->kind != ML_K_TCPROUTE) {
        for (size_t i = 0; i < rt->nhostnames; i++) {
            const char *h = ml_str(rt->hostnames[i]);
            if (!h || host_meets(h, lh))
                return NULL;
        }
        return ml_printf(a, "its hostname %s matches none of the route's hostnames", lh);
    }
    return NULL;
}

/* Every Gateway definition the route may meet refuses it: the reason of
 * the first, or NULL. */
static const char *gateway_refuses(ml_ctx *ctx, const ml_vec *gws, const ml_resource *r, const ml_gw_ref *p,
                                   const ml_resource **first)
{
    const char *reason = NULL;
    *first = NULL;
    const char *section = ml_str(p->section_name);
    ML_VEC_EACH(const ml_resource *, gr, gws) {
        const ml_k8s_gateway *g = gr->u.gw;
        if (!g || !g->nlisteners)
            return NULL;
        const char *why = NULL;
        size_t ncand = 0;
        for (size_t i = 0; i < g->nlisteners; i++) {
            const ml_gw_listener *l = &g->listeners[i];
            if (section && !ml_streq(ml_str(l->name), section))
                continue;
            if (p->port_num >= 0 && l->port_num != p->port_num)
                continue;
            ncand++;
            const char *w = listener_refuses(ctx, gr, l, r);
            if (!w)
                return NULL;
            if (!why)
                why = ml_printf(ctx->arena, "listener %s refuses it: %s", ml_str_nonnull(l->name) ? ml_str(l->name) : "?", w);
        }
        if (!ncand)
            why = section ? ml_printf(ctx->arena, "it has no listener named %s%s", section,
                                      p->port_num >= 0 ? " on that port" : "")
                          : ml_printf(ctx->arena, "it has no listener on port %lld", p->port_num);
        if (!*first) {
            *first = gr;
            reason = why;
        }
    }
    return reason;
}

static bool gateway_absent(ml_ctx *ctx, const char *ns, const char *name)
{
    ml_model *m = ctx->model;
    bool holds_ns = false;
    for (int pass = 0; pass < 2; pass++)
        ML_VEC_EACH(const ml_resource *, g, &m->by_kind[pass ? ML_K_OTHER : ML_K_GW_GATEWAY]) {
            if (!g->live || !ml_streq(g->kind_str, "Gateway") || !g->api_version ||
                !ml_starts_with(g->api_version, GW_GROUP "/"))
                continue;
            if (pass && ml_ns_may_equal(m, g->ns, ns))
                return false; /* a version meshlint does not read */
            if (ml_streq(g->ns, ns))
                holds_ns = true;
            if (ml_streq(g->name, name) && ml_ns_may_equal(m, g->ns, ns))
                return false;
        }
    if (!holds_ns && !ml_assume_complete(ctx))
        return false;
    return !ml_model_unlinted_may_define(m, ns);
}

/* A parentRef port on a Service parent narrows the route to that port:
 * Istio adds it to every match of the converted route (augmentPortMatch,
 * pilot/pkg/config/kube/gateway/conversion.go), and traffic to the
 * Service's host only ever arrives on the ports the Service exposes. A port
 * that no definition of the Service exposes binds the route to nothing. */
static void check_service_port(ml_ctx *ctx, const ml_resource *r, const ml_gw_ref *p, const ml_vec *svcs)
{
    ml_arena *a = ctx->arena;
    if (!p->port || p->port_num < 0)
        return;
    const ml_service *svc = NULL;
    ML_VEC_EACH(const ml_resource *, sr, svcs) {
        const ml_service *s = sr->u.service;
        if (!s || !s->nports)
            return;
        for (size_t i = 0; i < s->nports; i++)
            if (!s->ports[i].port || s->ports[i].num <= 0 || s->ports[i].num == p->port_num)
                return;
        if (!svc)
            svc = s;
    }
    if (!svc)
        return;
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < svc->nports; i++)
        ml_buf_printf(&b, "%s%lld", i ? ", " : "", svc->ports[i].num);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->port),
                           "parentRef of %s binds it to port %lld of %s, which exposes %s: no traffic to the "
                           "Service arrives on that port, so the route applies to none",
                           ml_res_display(a, r), p->port_num, ml_res_display(a, svc->res), b.s ? b.s : "");
    ml_buf_free(&b);
    ml_note(ctx, d, ml_node_loc(ml_get(svc->res->spec, "ports")), "the ports of %s", ml_res_display(a, svc->res));
    ml_help(ctx, d, "name a port the Service exposes (the Service port, not the targetPort), or drop port to "
                    "bind the route to every port of the Service");
}

static void check_parent(ml_ctx *ctx, const ml_resource *r, const ml_gw_ref *p)
{
    ml_arena *a = ctx->arena;
    const char *name = ml_str(p->name);
    if (!name || !*name)
        return;
    if (p->is_service) {
        ml_vec svcs = ml_model_view(ctx->model, r, ML_K_SERVICE, p->ns, name);
        if (svcs.n) {
            check_service_port(ctx, r, p, &svcs);
            return;
        }
        if (!gw_service_absent(ctx, r, p->ns, name))
            return;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->name),
                               "parentRef of %s binds it to Service %s/%s (the GAMMA mesh binding), which the "
                               "input does not define: the route applies to no traffic",
                               ml_res_display(a, r), p->ns, name);
        ml_help(ctx, d, "name an existing Service, or add the Service %s/%s", p->ns, name);
        return;
    }
    if (ml_streq(p->kind_s, "Service") && ml_streq(p->group_s, GW_GROUP)) {
        /* the group of a parentRef defaults to gateway.networking.k8s.io,
         * which has no kind Service: the mesh binding needs group "" */
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->group ? p->group : p->kind),
                               "parentRef of %s names kind Service in group gateway.networking.k8s.io (%s), which "
                               "has no kind Service: current Istio releases refuse it as an unsupported parent "
                               "(older ones took it as the Service), so the route is not bound to Service %s/%s "
                               "and applies to no traffic",
                               ml_res_display(a, r), p->group ? "as written" : "the default when group is omitted",
                               p->ns, name);
        ml_help(ctx, d, "write group: \"\" (the core API group) in the parentRef to bind the route to the Service");
        return;
    }
    if (!p->is_gateway)
        return;
    ml_vec gws = ml_model_view(ctx->model, r, ML_K_GW_GATEWAY, p->ns, name);
    if (!gws.n) {
        if (!gateway_absent(ctx, p->ns, name))
            return;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->name),
                               "parentRef of %s names Gateway %s/%s (gateway.networking.k8s.io), which the input "
                               "does not define: the route is not attached and serves no traffic",
                               ml_res_display(a, r), p->ns, name);
        ml_help(ctx, d, "name an existing Gateway (with namespace: when it lives in another namespace)");
        return;
    }
    const ml_resource *gw;
    const char *why = gateway_refuses(ctx, &gws, r, p, &gw);
    if (!why)
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(p->node),
                           "parentRef of %s names %s, which does not accept the route: %s; the route is not "
                           "attached there (Accepted false)",
                           ml_res_display(a, r), ml_res_display(a, gw), why);
    ml_note(ctx, d, ml_node_loc(ml_get(gw->spec, "listeners")), "the listeners of %s", ml_res_display(a, gw));
    ml_help(ctx, d, "allow the route on a listener (allowedRoutes.namespaces.from: All or a Selector that picks "
                    "namespace %s; the route kind; a matching hostname), or attach it to another Gateway",
            r->ns);
}

static void check(ml_ctx *ctx)
{
    for (ml_kind k = ML_K_HTTPROUTE; k <= ML_K_TLSROUTE; k++)
        ML_VEC_EACH(const ml_resource *, r, &ctx->model->by_kind[k]) {
            if (!r->live || !r->u.route)
                continue;
            for (size_t i = 0; i < r->u.route->nparents; i++)
                check_parent(ctx, r, &r->u.route->parents[i]);
        }
}

const ml_rule ml_rule_ML314 = {
    .id = "ML314",
    .name = "gwapi-parent-refused",
    .level = ML_LEVEL_ERROR,
    .summary = "A Gateway API route names a parent Gateway that does not exist or does not accept it",
    .description =
        "A route attaches to a Gateway through a parentRef (group gateway.networking.k8s.io and kind Gateway "
        "by default, the route's namespace unless namespace is set; ParentReference in apis/v1/"
        "shared_types.go). It is attached only when the Gateway exists and one of its listeners, narrowed by "
        "the parentRef's sectionName (listener name) and port, accepts it (Gateway API spec, "
        "apis/v1/gateway_types.go): allowedRoutes.namespaces.from is Same by default, so a route in another "
        "namespace than the Gateway needs All or a Selector; allowedRoutes.kinds, when absent, is the kinds "
        "of the listener's protocol (HTTP and HTTPS: HTTPRoute and GRPCRoute; TCP: TCPRoute); and when both "
        "the listener and the route name hostnames, one of them must intersect (a leading *. matches one or "
        "more labels). A cross-namespace parentRef needs no ReferenceGrant: the listener's allowedRoutes "
        "decides. Istio applies the same rules when it attaches routes (pilot/pkg/config/kube/gateway/"
        "conversion.go, referenceAllowed and the route parent checks) and otherwise sets Accepted false "
        "(NotAllowedByListeners, NoMatchingListenerHostname).\n"
        "\n"
        "A parentRef to a Service (the GAMMA mesh binding, also how routes reach waypoints) whose Service "
        "does not exist binds the route to nothing. Neither does one that names kind Service without "
        "group: \"\": a parentRef's group defaults to gateway.networking.k8s.io (\"To set the core API "
        "group (such as for a Service kind referent), Group must be explicitly set to \"\"\", "
        "ParentReference in apis/v1/shared_types.go), which has no kind Service. Istio resolves a parentRef "
        "with normalizeReference and accepts only the Gateway, Service, ServiceEntry and ListenerSet kinds "
        "(toInternalParentReference in pilot/pkg/config/kube/gateway/conversion.go: unsupported parent); "
        "older releases also took kind Service in the Gateway API group (a \"TODO: gateway group is "
        "default?\" branch), which is why older copies of Istio's own samples (bookinfo "
        "route-reviews-90-10.yaml in gateway.networking.k8s.io/v1beta1) omit group: \"\" and later ones set "
        "it. A parentRef port on a "
        "Service parent narrows the route to that Service port (GEP-957; Istio adds the port to every match, "
        "augmentPortMatch in conversion.go): a port that no definition of the Service in the input exposes "
        "(a targetPort written for the port, typically) binds the route to no traffic. A missing Gateway or Service is reported with the "
        "evidence of ML306 (the input holds Gateways, or Services, of that namespace; nothing left unlinted "
        "may define it); a Selector on allowedRoutes, TLS and custom listener protocols, and Gateways of "
        "versions meshlint does not read are not judged, and a Gateway with alternatives is reported only "
        "when every alternative refuses.",
    .remediation = "Attach the route to an existing Gateway with a listener that allows its namespace, kind and "
                   "hostname.",
    .tags = "traffic,gateway-api",
    .precision = "high",
    .example_bad = "kind: Gateway\nmetadata: {name: public, namespace: ingress}\nspec:\n  listeners: [{name: "
                   "http, port: 80, protocol: HTTP}]\n---\nkind: HTTPRoute\nmetadata: {namespace: shop}\nspec:\n"
                   "  parentRefs: [{name: public, namespace: ingress}]",
    .example_good = "kind: Gateway\nmetadata: {name: public, namespace: ingress}\nspec:\n  listeners:\n  - {name: "
                    "http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}",
    .check = check,
};
