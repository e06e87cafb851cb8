/*
 * ML111 gateway-http1-to-h2c-server: an HTTPRoute or GRPCRoute attached to
 * an Istio Gateway (Gateway API) sends its requests to a Service port that
 * Istio's gateway reaches over HTTP/1.1, and the Connectum server behind it
 * serves h2c only. Every request through the route fails.
 *
 * The server: without tls, createServer with allowHTTP1: false builds a
 * node:http2 server that answers cleartext HTTP/2 only
 * (packages/core/src/TransportManager.ts); an HTTP/1.1 request gets no
 * answer (ML409 is the same fact for httpGet probes).
 *
 * The gateway: Istio builds the upstream cluster of a Service port with
 * HTTP/2 only when the port's protocol is HTTP/2, gRPC or gRPC-Web
 * (pilot/pkg/networking/core/cluster_builder.go, setUpstreamProtocol:
 * port.Protocol.IsHTTP2()); the client's protocol is reused only by
 * sidecars on sniffed ports ("use_downstream_protocol should be disabled
 * for gateway"). Otherwise the cluster is HTTP/1.1 unless a DestinationRule
 * sets connectionPool.http.h2UpgradePolicy UPGRADE or useClientProtocol, or
 * the mesh-wide h2UpgradePolicy is UPGRADE for a port declared HTTP
 * (cluster_traffic_policy.go, shouldH2Upgrade, applyConnectionPool). The
 * Service port's protocol is appProtocol when set, else the port name's
 * prefix (as ML309 reads it; kubernetes.io/h2c is HTTP/2). Behind the
 * gateway, the workload's sidecar forwards an HTTP/1.1 request on such a
 * port as HTTP/1.1 (its inbound cluster reuses the downstream protocol or
 * follows the port), ztunnel passes bytes unchanged, and a pod outside the
 * mesh receives it as sent. A waypoint on the way is not judged.
 *
 * Through a waypoint: a route bound to a Service (GAMMA) whose traffic an
 * ambient waypoint takes is applied by that waypoint (it reads the routes
 * of the Service's namespace and its own: listener_waypoint.go,
 * getVirtualServiceForWaypoint). The waypoint is a router proxy, not a
 * sidecar: its cluster to a backend Service port, whether the inbound VIP
 * cluster of a Service it serves (cluster_waypoint.go,
 * buildWaypointInboundVIPCluster, which calls buildCluster and
 * applyH2Upgrade) or an outbound one, goes through the same
 * setUpstreamProtocol, so it speaks HTTP/1.1 to a port declared HTTP. On a
 * port without a declared protocol it reuses the client's protocol
 * (setUpstreamProtocol: "cb.sidecarProxy() || cb.proxyType ==
 * model.Waypoint" with an auto-detected port sets use_downstream_protocol),
 * and a TCP port's bytes pass through: only ports declared HTTP are
 * reported through a waypoint. The pods behind receive that HTTP/1.1
 * request through ztunnel unchanged. So such a route fails the same way; the waypoint follows the Service's istio.io/use-waypoint
 * label, else its namespace's (ml_mesh_service_waypoint), and the pods
 * the Service selects must be ambient.
 *
 * Silent unless: the route's parent is a Gateway in the input whose every
 * definition has gatewayClassName istio, or a Service with a waypoint as
 * above (the route in the Service's or the waypoint's namespace); the
 * backendRef names a Service
 * port; every link in the chain is known (tls absent, allowHTTP1 false for
 * the link, the server's port equal to the target port); no
 * DestinationRule for the host touches h2UpgradePolicy or
 * useClientProtocol; and no mesh config in the input (ConfigMap istio,
 * IstioOperator meshConfig) sets h2UpgradePolicy other than
 * DO_NOT_UPGRADE. The MeshConfig default DO_NOT_UPGRADE is named in the
 * message when the port is declared HTTP.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "../traffic/gwapi_common.h"
#include "transport_common.h"

/* ---- the Gateway the route attaches to ------------------------------------ */

/* The parentRef's Gateway when every definition the route may meet is an
 * Istio Gateway (class istio, not a waypoint); NULL otherwise. */
static const ml_resource *istio_gateway(const ml_model *m, const ml_resource *route, const ml_gw_ref *p)
{
    const char *name = ml_str_nonnull(p->name);
    if (!p->is_gateway || !name || !*name)
        return NULL;
    ml_vec gws = ml_model_view(m, route, ML_K_GW_GATEWAY, p->ns, name);
    if (!gws.n)
        return NULL;
    ML_VEC_EACH(const ml_resource *, g, &gws) {
        const ml_k8s_gateway *gw = g->u.gw;
        if (!gw || gw->waypoint || !ml_streq(ml_str_nonnull(gw->class_name), "istio"))
            return NULL;
    }
    return gws.items[0];
}

/* How the route's requests reach their backends: an Istio Gateway, or the
 * waypoint of the Service the route binds to (gw_route_waypoint). */
typedef gw_route_via route_via;

/* ---- the server ----------------------------------------------------------- */

static long long server_port(const ml_model *m, const ml_link *l)
{
    ml_setting ps = ml_server_port(m, l);
    if (ps.val.kind == ML_VAL_ABSENT)
        return 5000;
    double d;
    if (ps.val.kind == ML_VAL_NUM)
        d = ps.val.num;
    else if (!(ps.val.kind == ML_VAL_STR && ml_val_num(&ps.val, &d)))
        return -1;
    if (!(d >= 1 && d <= 65535) || d != (double)(long long)d)
        return -1;
    return (long long)d;
}


/* ---- the rule -------------------------------------------------------------- */

typedef struct seen_key {
    const void *backend, *server, *workload;
} seen_key;

static void check_backend(ml_ctx *ctx, ml_map *seen, const ml_resource *route, const ml_gw_rule *rule,
                          const ml_gw_ref *b, const route_via *via, const ml_resource *mesh)
{
    const ml_resource *gw = via->gw;
    bool wpt = via->parent_svc != NULL;
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const char *name = ml_str_nonnull(b->name);
    if (!b->is_service || !name || !*name || b->port_num < 0)
        return;
    if (b->weight_num == 0)
        return; /* receives no traffic (ML315) */
    if (!gw_backend_permitted(ctx, route, b))
        return; /* refused: a 500 from the gateway (ML313) */
    ml_vec svcs = ml_model_view(m, route, ML_K_SERVICE, b->ns, name);
    ML_VEC_EACH(const ml_resource *, sr, &svcs) {
        const ml_service *svc = sr->u.service;
        if (!svc)
            continue;
        const ml_svc_port *sp = NULL;
        for (size_t i = 0; i < svc->nports; i++)
            if (svc->ports[i].num == b->port_num)
                sp = &svc->ports[i];
        if (!sp)
            continue;
        const char *proto = ml_str_nonnull(sp->protocol);
        if (proto && strcmp(proto, "TCP") != 0)
            continue; /* UDP, SCTP */
        const ml_node *from;
        bool by_app;
        ml_port_class pc = ml_transport_port_class(sp, &from, &by_app);
        if (pc == ML_PORT_H2 || ml_transport_dr_h2_upgrade(m, svc->fqdn))
            continue;
        if (pc == ML_PORT_HTTP && mesh)
            continue; /* the mesh-wide h2UpgradePolicy upgrades ports declared HTTP */
        if (wpt && pc != ML_PORT_HTTP)
            continue; /* a waypoint reuses the client's protocol on a sniffed port, passes TCP through */
        ML_VEC_EACH(const ml_workload *, w, &svc->workloads) {
            const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
            if (!dp || (!wpt && dp->kind == ML_DP_AMBIENT_WAYPOINT))
                continue; /* through a gateway, a waypoint on the way is not judged */
            long long target = ml_transport_svc_target(w, sp);
            if (target < 0)
                continue;
            ML_VEC_EACH(const ml_server *, s, &w->servers) {
                if (s->tls != ML_TLS_ABSENT)
                    continue;
                ML_VEC_EACH(const ml_link *, l, &s->links) {
                    if (l->workload != w || server_port(m, l) != target)
                        continue;
                    ml_setting h1 = ml_server_allow_http1(m, l);
                    if (h1.val.kind != ML_VAL_BOOL || h1.val.b)
                        continue;
                    seen_key k = {b->node, s, w};
                    if (ml_map_get(seen, (const char *)&k, sizeof k))
                        continue;
                    ml_map_put(seen, (const char *)&k, sizeof k, (void *)1);

                    const char *why;
                    if (pc == ML_PORT_HTTP)
                        why = ml_printf(a, "declared HTTP by %s %s, and meshConfig.h2UpgradePolicy is "
                                           "DO_NOT_UPGRADE, Istio's default",
                                        by_app ? "appProtocol" : "the port name", ml_str(from));
                    else if (from)
                        why = ml_printf(a, "%s %s is not HTTP/2, gRPC or gRPC-Web to Istio",
                                        by_app ? "appProtocol" : "the port name", ml_str(from));
                    else
                        why = "the port declares no protocol, and an Istio gateway does not reuse the client's "
                              "protocol upstream";
                    const char *sname = ml_str_nonnull(sp->name);
                    const char *port_s =
                        sname ? ml_printf(a, "port %s (%lld)", sname, sp->num) : ml_printf(a, "port %lld", sp->num);
                    const char *file_s = s->file && s->file->path ? s->file->path : "?";
                    ml_diag *d;
                    if (wpt)
                        d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(b->name ? b->name : b->node),
                                      "rule %zu of %s is bound to %s, whose waypoint %s/%s applies it and sends "
                                      "its requests to %s %s over HTTP/1.1 (%s), but the Connectum server in %s "
                                      "behind it (%s) serves h2c only (no tls, allowHTTP1 false, %s): every "
                                      "request through the route fails",
                                      rule->index + 1, ml_res_display(a, route), ml_res_display(a, via->parent_svc),
                                      gw->ns, gw->name, ml_res_display(a, sr), port_s, why, file_s,
                                      ml_res_display(a, w->res), ml_transport_setting_origin(a, &h1));
                    else
                        d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(b->name ? b->name : b->node),
                                      "rule %zu of %s sends requests through Gateway %s/%s to %s %s, which "
                                      "Istio's gateway reaches over HTTP/1.1 (%s), but the Connectum server in %s "
                                      "behind it (%s) serves h2c only (no tls, allowHTTP1 false, %s): every "
                                      "request through the route fails",
                                      rule->index + 1, ml_res_display(a, route), gw->ns, gw->name,
                                      ml_res_display(a, sr), port_s, why, file_s, ml_res_display(a, w->res),
                                      ml_transport_setting_origin(a, &h1));
                    if (wpt)
                        ml_note(ctx, d, ml_node_loc(via->label),
                                "this label sends the traffic of %s through waypoint %s/%s (a Gateway of class "
                                "istio-waypoint), which applies the routes bound to the Service",
                                ml_res_display(a, via->parent_svc), gw->ns, gw->name);
                    ml_note(ctx, d, ml_node_loc(from ? from : sp->node),
                            wpt ? "a waypoint, like Istio's gateway, uses HTTP/2 upstream only for a port it takes "
                                  "as HTTP/2, gRPC or gRPC-Web (appProtocol, else the port name)"
                                : "Istio's gateway uses HTTP/2 upstream only for a port it takes as HTTP/2, gRPC or "
                                  "gRPC-Web (appProtocol, else the port name)");
                    if (h1.loc.file)
                        ml_note(ctx, d, h1.loc, "allowHTTP1 false here: without tls, node:http2 answers "
                                                "cleartext HTTP/2 only");
                    ml_help(ctx, d,
                            "declare the port as HTTP/2 so that the %s speaks it upstream: `appProtocol: "
                            "kubernetes.io/h2c` (or grpc) on %s port %lld; or serve HTTP/1.1 too (allowHTTP1: "
                            "true)",
                            wpt ? "waypoint" : "gateway", ml_res_display(a, sr), sp->num);
                }
            }
        }
    }
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n || !m->by_kind[ML_K_GW_GATEWAY].n)
        return;
    const ml_resource *mesh = ml_transport_mesh_h2_upgrade(m);
    ml_map seen;
    ml_map_init(&seen);
    static const ml_kind kinds[2] = {ML_K_HTTPROUTE, ML_K_GRPCROUTE};
    for (size_t k = 0; k < 2; k++) {
        ML_VEC_EACH(const ml_resource *, r, &m->by_kind[kinds[k]]) {
            const ml_gw_route *rt = r->u.route;
            if (!r->live || !rt)
                continue;
            route_via via = {0};
            for (size_t p = 0; p < rt->nparents && !via.gw; p++)
                via.gw = istio_gateway(m, r, &rt->parents[p]);
            /* else a Service parent whose waypoint applies the route */
            for (size_t p = 0; p < rt->nparents && !via.gw; p++)
                if (!gw_route_waypoint(m, r, &rt->parents[p], &via))
                    via = (route_via){0};
            if (!via.gw)
                continue;
            for (size_t i = 0; i < rt->nrules; i++)
                for (size_t j = 0; j < rt->rules[i].nbackends; j++)
                    check_backend(ctx, &seen, r, &rt->rules[i], &rt->rules[i].backends[j], &via, mesh);
        }
    }
    ml_map_free(&seen);
}

const ml_rule ml_rule_ML111 = {
    .id = "ML111",
    .name = "gateway-http1-to-h2c-server",
    .level = ML_LEVEL_ERROR,
    .summary = "An HTTPRoute or GRPCRoute on an Istio Gateway or a waypoint reaches a Connectum server that "
               "serves h2c only over HTTP/1.1",
    .description =
        "Reports a backendRef of an HTTPRoute or GRPCRoute attached to an Istio Gateway (Gateway API, "
        "gatewayClassName istio) whose Service port Istio's gateway reaches over HTTP/1.1, when the Connectum "
        "server behind it serves h2c only: without tls, createServer with allowHTTP1: false builds a "
        "node:http2 server that answers cleartext HTTP/2 only (packages/core/src/TransportManager.ts), so "
        "every request through the route fails.\n"
        "\n"
        "Istio builds a gateway's upstream cluster with HTTP/2 only when the Service port is HTTP/2, gRPC or "
        "gRPC-Web to it (appProtocol, else the port name's prefix; kubernetes.io/h2c is HTTP/2): "
        "pilot/pkg/networking/core/cluster_builder.go, setUpstreamProtocol. Only sidecars reuse the client's "
        "protocol on ports without a declared protocol; a gateway does not. A DestinationRule's "
        "connectionPool.http.h2UpgradePolicy UPGRADE or useClientProtocol, or the mesh-wide h2UpgradePolicy "
        "UPGRADE for ports declared HTTP, changes that (cluster_traffic_policy.go, shouldH2Upgrade, "
        "applyConnectionPool): the rule is silent when a DestinationRule for the host mentions either field, "
        "or when mesh config in the input (ConfigMap istio data.mesh, IstioOperator spec.meshConfig) sets "
        "h2UpgradePolicy; otherwise the message names the default it assumes (DO_NOT_UPGRADE). The "
        "workload's sidecar, ztunnel, or no proxy at all deliver that HTTP/1.1 request as it is (a sidecar "
        "speaks HTTP/1.1 to the application on a port declared HTTP even when the gateway upgraded: ML112); "
        "behind a gateway, a workload that has its own waypoint is not judged. This is the Gateway API counterpart of "
        "ML409 (httpGet probes), and the reverse of ML309.\n"
        "\n"
        "The same holds for a route bound to a Service (GAMMA) in ambient mode: the Service's waypoint (its "
        "istio.io/use-waypoint label, else its namespace's, naming a Gateway of class istio-waypoint whose "
        "istio.io/waypoint-for is service or all) applies the routes of the Service's namespace and of its own "
        "(pilot/pkg/networking/core/listener_waypoint.go, getVirtualServiceForWaypoint). A waypoint is a "
        "router proxy, not a sidecar: its cluster to a backend Service port goes through the same "
        "setUpstreamProtocol and applyH2Upgrade (cluster_waypoint.go, buildWaypointInboundVIPCluster), so it "
        "speaks HTTP/1.1 to a port declared HTTP. Unlike a gateway, a waypoint reuses the client's protocol on "
        "a port without a declared protocol (setUpstreamProtocol: sidecars and waypoints on an auto-detected "
        "port use the downstream protocol) and passes a TCP port's bytes through, so only ports declared HTTP "
        "are reported through a waypoint. ztunnel then carries the request to the pod unchanged. Reported when every "
        "definition of the Service names the same waypoint, the waypoint is in the input, the pods the "
        "Service selects are all ambient, and the route is in the Service's or the waypoint's namespace (a "
        "route elsewhere is a consumer route, which only the callers' sidecars apply).\n"
        "\n"
        "Silent unless the parent Gateway is in the input with class istio (or the waypoint as above), the "
        "backendRef names a Service "
        "port and is not refused (a Service in another namespace needs a ReferenceGrant: ML313), and tls, "
        "allowHTTP1 and the server's port are known for the linked workload.",
    .remediation = "Declare the Service port as HTTP/2 to Istio (`appProtocol: kubernetes.io/h2c`, or grpc), "
                   "so that the gateway speaks HTTP/2 upstream; or serve HTTP/1.1 too (allowHTTP1: true).",
    .tags = "transport,protocol,http2,gateway-api,connectum,istio",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# service.yaml\n"
                   "ports:\n"
                   "  - name: http\n"
                   "    port: 8080\n"
                   "    targetPort: 5000\n"
                   "// server.ts\n"
                   "createServer({ services, port: 5000, allowHTTP1: false });",
    .example_good = "ports:\n"
                    "  - name: http\n"
                    "    port: 8080\n"
                    "    targetPort: 5000\n"
                    "    appProtocol: kubernetes.io/h2c",
    .settings = NULL,
    .check = check,
};
