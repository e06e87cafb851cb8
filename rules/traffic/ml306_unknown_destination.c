/*
 * ML306 unknown-destination: a route destination (or mirror) whose host or
 * port does not exist. A cluster-local host that matches no Service or
 * ServiceEntry is reported only when the input holds the Services of that
 * namespace (otherwise the Service may simply live in another repository),
 * an external host only with --assume-complete. Ports are checked against
 * the Service's ports: a port.number the Service does not expose sends
 * requests nowhere, and a missing port is ambiguous when the Service has
 * several (Istio's analyzer reports the latter as IST0112; inside the mesh
 * the request keeps its own port, so there it is a warning, while a gateway
 * route has no port to fall back on).
 */
#include <string.h>

#include "meshlint/config.h"
#include "meshlint/rule.h"
#include "traffic_common.h"

typedef struct state {
    ml_map svc_ns;   /* namespace -> ml_vec of ml_service* (winners), for "the input holds its Services" */
    ml_map svc_name; /* name -> ml_vec of ml_service* (winners), for a Service of that name elsewhere */
} state;

static const char *ports_text(ml_arena *a, const ml_service *svc)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < svc->nports; i++) {
        const ml_svc_port *p = &svc->ports[i];
        const char *name = ml_str_nonnull(p->name);
        if (p->num < 0)
            continue;
        ml_buf_printf(&b, "%s%lld%s%s", b.n ? ", " : "", p->num, name ? " " : "", name ? name : "");
    }
    const char *s = ml_strdup(a, b.s ? b.s : "none");
    ml_buf_free(&b);
    return s;
}

static bool has_gateway_besides_mesh(const ml_virtualservice *vs)
{
    for (size_t i = 0; vs->gateways && i < ml_node_n(vs->gateways); i++) {
        const char *g = ml_str_nonnull(&vs->gateways->elems[i]);
        if (g && strcmp(g, "mesh") != 0)
            return true;
    }
    return false;
}

/* A ServiceEntry host equal to the host as written or resolved, or a
 * wildcard ServiceEntry host covering it, that the sidecars using the
 * VirtualService see: a ServiceEntry not exported to client_ns (the
 * VirtualService's namespace, tr_vs_client_ns; NULL: not judged) declares
 * nothing there, and *hidden receives the first such one. */
static bool se_visible_in(const ml_model *m, const ml_vec *v, const char *client_ns, const ml_serviceentry **hidden)
{
    ML_VEC_EACH(const ml_serviceentry *, se, v) {
        if (!client_ns || ml_export_visible(m, se->res, client_ns) != ML_EXPORT_NO)
            return true;
        if (!*hidden)
            *hidden = se;
    }
    return false;
}

static bool serviceentry_for(const ml_model *m, ml_arena *a, const char *written, const char *fqdn,
                             const char *client_ns, const ml_serviceentry **hidden)
{
    *hidden = NULL;
    const char *keys[3] = {written, fqdn, "*"};
    for (int i = 0; i < 3; i++) {
        const ml_vec *v = keys[i] ? ml_map_vec(&m->se_by_host, keys[i], strlen(keys[i])) : NULL;
        if (v && se_visible_in(m, v, client_ns, hidden))
            return true;
    }
    for (const char *p = strchr(fqdn, '.'); p; p = strchr(p + 1, '.')) {
        const char *k = ml_printf(a, "*%s", p);
        const ml_vec *v = ml_map_vec(&m->se_by_host, k, strlen(k));
        if (v && se_visible_in(m, v, client_ns, hidden))
            return true;
    }
    return false;
}

static void note_hidden(ml_ctx *ctx, ml_diag *diag, const ml_serviceentry *se, const char *ns)
{
    if (!se)
        return;
    const ml_node *ex = se->export_to;
    ml_note(ctx, diag, ml_node_loc(ex ? ex : se->res->name_node),
            "%s declares this host, but its exportTo does not include namespace %s, so the sidecars there do "
            "not see it",
            ml_res_display(ctx->arena, se->res), ns);
}

static void check_port(ml_ctx *ctx, const ml_resource *r, const ml_virtualservice *vs, const ml_route *rt,
                       const ml_destination *d, const ml_service *svc, const char *what)
{
    if (svc->nports == 0)
        return;
    /* the names are made for a finding only: every destination comes here */
    const char *svcname, *rname;
    if (d->port) {
        if (d->port_num < 0)
            return;
        for (size_t i = 0; i < svc->nports; i++)
            if (svc->ports[i].num == d->port_num)
                return;
        /* a container port written where the Service port belongs */
        const ml_svc_port *by_target = NULL;
        size_t ntarget = 0;
        for (size_t i = 0; i < svc->nports; i++) {
            long long t;
            if (svc->ports[i].target_port && ml_int(svc->ports[i].target_port, &t) && t == d->port_num &&
                svc->ports[i].num >= 0) {
                by_target = &svc->ports[i];
                ntarget++;
            }
        }
        svcname = ml_res_display(ctx->arena, svc->res);
        rname = tr_route_name(ctx->arena, rt);
        ml_diag *diag = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(d->port),
                                  "%s of %s in %s sends requests to port %lld of %s, which exposes %s: no such "
                                  "port, so %s",
                                  what, rname, ml_res_display(ctx->arena, r), d->port_num, svcname,
                                  ports_text(ctx->arena, svc),
                                  strcmp(what, "the mirror") == 0 ? "the mirrored copies go nowhere"
                                                                  : "the requests fail");
        ml_note(ctx, diag, ml_node_loc(ml_get(svc->res->spec, "ports")), "the ports of %s", svcname);
        if (by_target && ntarget == 1) {
            ml_help(ctx, diag, "%lld is the container port (targetPort) behind Service port %lld; a destination "
                               "names the Service port",
                    d->port_num, by_target->num);
            if (d->port->style == ML_SCALAR_PLAIN)
                ml_add_fix(ctx, diag, ml_printf(ctx->arena, "use Service port %lld", by_target->num),
                           ml_node_loc(d->port), ml_printf(ctx->arena, "%lld", by_target->num));
        } else {
            ml_help(ctx, diag, "use one of the ports %s exposes (%s)", svcname, ports_text(ctx->arena, svc));
        }
        return;
    }
    size_t nvalid = 0;
    for (size_t i = 0; i < svc->nports; i++)
        nvalid += svc->ports[i].num >= 0;
    if (nvalid < 2)
        return;
    /* Istio picks the destination port of a multi-port Service from the
     * listener the request arrived on: in the mesh that is the Service port
     * itself, so the route works on each port (a note: it also governs the
     * ports it may not have been written for); at a gateway it is the
     * gateway's own port, which the Service usually lacks. */
    bool gw = has_gateway_besides_mesh(vs);
    svcname = ml_res_display(ctx->arena, svc->res);
    rname = tr_route_name(ctx->arena, rt);
    ml_diag *diag = ml_report(
        ctx, gw ? ML_LEVEL_ERROR : ML_LEVEL_NOTE, ml_node_loc(d->host),
        "%s of %s in %s names no port, and %s exposes %zu ports (%s)%s", what, rname, ml_res_display(ctx->arena, r),
        svcname, nvalid, ports_text(ctx->arena, svc),
        gw ? ": traffic from the gateway has no port to go to"
           : ": inside the mesh each request keeps the port it came on, so the route applies to every one of "
             "them");
    ml_note(ctx, diag, ml_node_loc(ml_get(svc->res->spec, "ports")), "the ports of %s", svcname);
    ml_help(ctx, diag, "add port: {number: N} to %s, with the Service port it is meant for", what);
}

/* "orders.shop" written for the Service orders of namespace shop: Istio
 * expands only a host without a dot (ResolveShortnameToFQDN, pkg/config/
 * model.go), so it looks for a service named "orders.shop", which no
 * registry holds: the route fails although DNS would resolve the name. */
static bool dotted_service_name(ml_ctx *ctx, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                                const char *written, const char *what)
{
    const char *dot = written ? strchr(written, '.') : NULL;
    if (!dot || strchr(dot + 1, '.') || dot == written || !dot[1])
        return false;
    const char *domain = ctx->cfg && ctx->cfg->cluster_domain && *ctx->cfg->cluster_domain
                             ? ctx->cfg->cluster_domain
                             : "cluster.local";
    const char *full = ml_printf(ctx->arena, "%s.svc.%s", written, domain);
    const ml_vec *svcs = ml_model_services_for(ctx->model, full);
    if (!svcs || !svcs->n)
        return false;
    const ml_service *svc = svcs->items[0];
    ml_diag *diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->host),
                              "%s of %s in %s goes to host %s, which Istio takes as written: only a host without "
                              "a dot is expanded to <name>.<namespace>.svc.%s, so this is not %s and matches no "
                              "Service or ServiceEntry",
                              what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r), written, domain,
                              ml_res_display(ctx->arena, svc->res));
    ml_note(ctx, diag, ml_node_loc(svc->res->name_node), "%s has host %s", ml_res_display(ctx->arena, svc->res),
            full);
    ml_help(ctx, diag, "write host: %s", full);
    if (d->host->style == ML_SCALAR_PLAIN)
        ml_add_fix(ctx, diag, ml_printf(ctx->arena, "route to %s", full), ml_node_loc(d->host), full);
    return true;
}

static void check_dest(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                       bool mirror)
{
    state *st = arg;
    const ml_virtualservice *vs = r->u.vs;
    if (!d->fqdn || !*d->fqdn || strchr(d->fqdn, '*'))
        return;
    const char *what = mirror ? "the mirror" : rt->ndest == 1 ? "the destination" : "a destination";
    const ml_vec *svcs = ml_model_services_for(ctx->model, d->fqdn);
    if (svcs && svcs->n) {
        const char *cns = tr_vs_client_ns(ctx, r);
        const ml_service *hidden = NULL;
        ML_VEC_EACH(const ml_service *, s, svcs) {
            if (!cns || ml_export_visible(ctx->model, s->res, cns) != ML_EXPORT_NO) {
                hidden = NULL;
                break;
            }
            if (!hidden)
                hidden = s;
        }
        if (hidden) {
            ml_diag *diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->host),
                                      "%s of %s in %s goes to %s, %s does not include namespace %s: the sidecars "
                                      "there do not know the "
                                      "host and do not apply this route (their requests bypass it or fail, as the "
                                      "mesh's outboundTrafficPolicy decides)",
                                      what, tr_route_name(ctx->arena, rt), ml_res_display(ctx->arena, r),
                                      ml_res_display(ctx->arena, hidden->res),
                                      hidden->export_to
                                          ? ml_printf(ctx->arena, "whose annotation networking.istio.io/exportTo \"%s\"",
                                                      ml_str_nonnull(hidden->export_to)
                                                          ? ml_str_nonnull(hidden->export_to)
                                                          : "?")
                                          : ml_printf(ctx->arena, "which has no exportTo annotation, so its exportTo %s",
                                                      ml_export_default_text(ctx->arena, ctx->model, hidden->res)),
                                      cns);
            ml_note(ctx, diag, ml_node_loc(hidden->export_to ? hidden->export_to : hidden->res->name_node),
                    "the exportTo of %s",
                    ml_res_display(ctx->arena, hidden->res));
            ml_help(ctx, diag, "add %s to the Service's exportTo annotation, or route from a namespace it is "
                               "exported to",
                    cns);
            return;
        }
        check_port(ctx, r, vs, rt, d, svcs->items[0], what);
        return;
    }
    const char *written = ml_str(d->host);
    const ml_serviceentry *hidden_se;
    if (serviceentry_for(ctx->model, ctx->arena, written, d->fqdn, tr_vs_client_ns(ctx, r), &hidden_se))
        return;
    if (dotted_service_name(ctx, r, rt, d, written, what))
        return;
    if (tr_is_control_plane_host(ctx, d->fqdn))
        return;
    const char *ns = tr_fqdn_ns(ctx, d->fqdn);
    const ml_vec *in_ns = ns ? ml_map_vec(&st->svc_ns, ns, strlen(ns)) : NULL;
    if (!ml_assume_complete(ctx) && !(in_ns && in_ns->n))
        return;
    /* Evidence of absence (model.h): an input not linted (a chart, a
     * template) may define the Service; and while the apply-time namespace
     * is unbound, a Service of that name in a namespace that may turn out
     * to be the same one is the destination. */
    if (ns && ml_model_unlinted_may_define(ctx->model, ns))
        return;
    if (ns && ml_model_has_apply_time(ctx->model)) {
        const char *sdot = strchr(d->fqdn, '.');
        const char *sname = ml_strndup(ctx->arena, d->fqdn, (size_t)(sdot - d->fqdn));
        const ml_vec *named = ml_map_vec(&st->svc_name, sname, strlen(sname));
        static const ml_vec nothing = {0};
        ML_VEC_EACH(const ml_service *, s, named ? named : &nothing)
            if (ml_ns_may_equal(ctx->model, ns, s->res->ns))
                return;
    }
    const char *rname = tr_route_name(ctx->arena, rt);
    if (!ns) {
        ml_diag *diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->host),
                                  "%s of %s in %s goes to host %s, which no ServiceEntry in the input declares "
                                  "(--assume-complete); Istio does not know the host",
                                  what, rname, ml_res_display(ctx->arena, r), written);
        note_hidden(ctx, diag, hidden_se, r->ns);
        ml_help(ctx, diag, "declare the external host with a ServiceEntry (hosts: [%s]) or fix the host name",
                written);
        return;
    }
    /* did you mean: a Service of that namespace with a near name */
    const char *dot = strchr(d->fqdn, '.');
    const char *short_name = ml_strndup(ctx->arena, d->fqdn, (size_t)(dot - d->fqdn));
    const ml_service *near = NULL;
    unsigned best = 3;
    bool unique = false;
    static const ml_vec none = {0};
    ML_VEC_EACH(const ml_service *, s, in_ns ? in_ns : &none) {
        unsigned dist = ml_edit_distance(short_name, s->res->name, 2);
        if (dist > 2 || dist >= strlen(short_name))
            continue;
        if (dist < best) {
            best = dist;
            near = s;
            unique = true;
        } else if (dist == best) {
            unique = false;
        }
    }
    size_t nsvc = in_ns ? in_ns->n : 0;
    ml_diag *diag;
    if (nsvc)
        diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->host),
                         "%s of %s in %s goes to host %s (%s), which matches no Service or ServiceEntry; the input "
                         "holds %zu Service%s of namespace %s, none named %s%s%s%s",
                         what, rname, ml_res_display(ctx->arena, r), written, d->fqdn, nsvc, nsvc == 1 ? "" : "s",
                         ns, short_name, near && unique ? "; did you mean " : "",
                         near && unique ? near->res->name : "", near && unique ? "?" : "");
    else
        diag = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(d->host),
                         "%s of %s in %s goes to host %s (%s), which matches no Service or ServiceEntry in the "
                         "input (--assume-complete)",
                         what, rname, ml_res_display(ctx->arena, r), written, d->fqdn);
    note_hidden(ctx, diag, hidden_se, r->ns);
    /* the same name in other namespaces: the short name resolved in the wrong one */
    const ml_vec *same = ml_map_vec(&st->svc_name, short_name, strlen(short_name));
    const ml_service *elsewhere = same && same->n == 1 ? same->items[0] : NULL;
    if (elsewhere && !(near && unique)) {
        ml_note(ctx, diag, ml_node_loc(elsewhere->res->name_node), "%s is in namespace %s; a short host name "
                                                                   "resolves in the VirtualService's namespace",
                ml_res_display(ctx->arena, elsewhere->res), elsewhere->res->ns);
        ml_help(ctx, diag, "write host: %s", elsewhere->fqdn);
        if (d->host->style == ML_SCALAR_PLAIN && ml_streq(written, short_name))
            ml_add_fix(ctx, diag, ml_printf(ctx->arena, "route to %s", elsewhere->fqdn), ml_node_loc(d->host),
                       elsewhere->fqdn);
    } else if (near && unique) {
        ml_note(ctx, diag, ml_node_loc(near->res->name_node), "%s", ml_res_display(ctx->arena, near->res));
        ml_help(ctx, diag, "write host: %s", near->res->name);
        if (d->host->style == ML_SCALAR_PLAIN && ml_streq(written, short_name))
            ml_add_fix(ctx, diag, ml_printf(ctx->arena, "route to %s", near->res->name), ml_node_loc(d->host),
                       near->res->name);
    } else {
        ml_help(ctx, diag, "route to an existing Service, or add the Service (or a ServiceEntry) for %s", written);
    }
}

static void check(ml_ctx *ctx)
{
    state st;
    ml_map_init(&st.svc_ns);
    ml_map_init(&st.svc_name);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_SERVICE]) {
        if (!r->live || !r->u.service || !r->ns)
            continue;
        ml_map_push(&st.svc_ns, ctx->arena, r->ns, strlen(r->ns), r->u.service);
        ml_map_push(&st.svc_name, ctx->arena, r->name, strlen(r->name), r->u.service);
    }
    tr_each_dest(ctx, check_dest, &st);
    ml_map_free(&st.svc_ns);
    ml_map_free(&st.svc_name);
}

const ml_rule ml_rule_ML306 = {
    .id = "ML306",
    .name = "unknown-destination",
    .level = ML_LEVEL_ERROR,
    .summary = "A route destination names a host or port that does not exist",
    .description = "A VirtualService destination or mirror names a host that resolves to no Service and no "
                   "ServiceEntry, or a port.number the destination Service does not expose; requests sent there "
                   "fail. A short host name resolves in the VirtualService's namespace (orders means "
                   "orders.<namespace>.svc.cluster.local), so a destination written for another namespace "
                   "without its namespace part is a common cause. Istio's analyzer reports these as IST0101 "
                   "(ReferencedResourceNotFound).\n"
                   "\n"
                   "Istio expands only a host without a dot (ResolveShortnameToFQDN in pkg/config/model.go, "
                   "formerly pilot/pkg/model/config.go): orders.shop is taken as written, not as "
                   "orders.shop.svc.cluster.local, so it matches no Service although the pod's DNS would "
                   "resolve it; that is reported when the Service orders of namespace shop is in the input. "
                   "Istio's own control-plane Services (istiod, istiod-<revision>, istio-ingressgateway, "
                   "istio-egressgateway, istio-eastwestgateway in the root namespace, root_namespace in the "
                   "configuration) exist in every mesh and are never reported.\n"
                   "\n"
                   "A missing host is reported only when the input holds Services of the host's namespace "
                   "(otherwise the Service may be deployed from elsewhere), and an external host without a "
                   "ServiceEntry only with --assume-complete.\n"
                   "\n"
                   "A ServiceEntry declares its hosts only to the namespaces in its exportTo (when absent, the "
                   "mesh's defaultServiceExportTo: \"*\" unless default-service-export-to in the configuration "
                   "names it, push_context.go initDefaultExportMaps; \".\" is its own namespace, \"~\" none: initServiceRegistry in "
                   "pilot/pkg/model/push_context.go files each service as public, private to its namespace, or "
                   "exported to named namespaces, and a sidecar sees only those). So for a VirtualService that "
                   "binds the mesh gateway and is visible in its own namespace, a ServiceEntry (a wildcard one "
                   "included) not exported to that namespace does not make the host known, and the finding "
                   "names it. The same holds for a Service whose annotation networking.istio.io/exportTo "
                   "(comma-separated, read by ConvertService in pilot/pkg/serviceregistry/kube/conversion.go) "
                   "leaves that namespace out.\n"
                   "\n"
                   "A destination without port.number is ambiguous when the Service exposes several ports "
                   "(IST0112). Through a gateway that is an error; inside the mesh Istio sends the request to "
                   "the Service port it arrived on, so the route works on every port and is only noted.",
    .remediation = "Route to an existing Service (with its namespace when it lives elsewhere) or declare the "
                   "host with a ServiceEntry; use a port the Service exposes (the Service port, not the "
                   "container port), and name the port when the Service has several.",
    .tags = "traffic,istio",
    .istio_code = "IST0101",
    .precision = "high",
    .example_bad = "kind: Service\nmetadata: {name: orders}\nspec:\n  ports: [{name: grpc, port: 5000, "
                   "targetPort: 8080}]\n---\nkind: VirtualService\nspec:\n  http:\n  - route:\n"
                   "    - destination: {host: orders, port: {number: 8080}}",
    .example_good = "kind: Service\nmetadata: {name: orders}\nspec:\n  ports: [{name: grpc, port: 5000, "
                    "targetPort: 8080}]\n---\nkind: VirtualService\nspec:\n  http:\n  - route:\n"
                    "    - destination: {host: orders, port: {number: 5000}}",
    .check = check,
};
