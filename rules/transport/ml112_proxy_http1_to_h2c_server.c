/*
 * ML112 proxy-http1-to-h2c-server: a Service port declared HTTP to Istio
 * leads to a Connectum server that serves h2c only, in a pod with an Istio
 * sidecar, or behind the Service's waypoint in ambient mode. The proxy
 * forwards every request on that port to the application over HTTP/1.1,
 * which the server does not answer.
 *
 * The server: without tls, createServer with allowHTTP1: false builds a
 * node:http2 server that answers cleartext HTTP/2 only
 * (packages/core/src/TransportManager.ts).
 *
 * The sidecar: its inbound cluster for a port (cluster_builder.go,
 * buildInboundCluster -> buildCluster -> setUpstreamProtocol) takes its
 * protocol from the Service port that targets it: HTTP/2 only when the port
 * is HTTP/2, gRPC or gRPC-Web (port.Protocol.IsHTTP2()); the client's
 * protocol only when the port declares none (IsUnsupported, the sniffing
 * case) or when a connection pool with useClientProtocol applies
 * (cluster_traffic_policy.go, applyConnectionPool -> setUseDownstreamProtocol;
 * inbound, the pool comes from the DestinationRule for the host or the
 * Sidecar's inboundConnectionPool). h2UpgradePolicy does not help: Istio
 * applies it to outbound clusters only (shouldH2Upgrade returns false for
 * any other direction). So a port declared HTTP reaches the application
 * over HTTP/1.1, whatever the caller spoke: a gRPC client, another
 * sidecar, a gateway.
 *
 * Silent unless: the workload's sidecar is known to be injected and
 * intercepts the server's port (traffic.sidecar.istio.io/includeInboundPorts
 * and excludeInboundPorts); tls is absent and allowHTTP1 false for the link;
 * the server's port is known; every Service port of the workload that
 * targets it is declared HTTP (when Services disagree, Istio takes one of
 * them: "the choice of inbound cluster is arbitrary"); no DestinationRule
 * for the Service's host and no Sidecar in the input mentions
 * useClientProtocol, and no Sidecar declares ingress listeners (which may
 * set the port's protocol themselves).
 *
 * Ambient pods: see check_waypoints. Silent without a waypoint for the
 * Service in the input (ztunnel passes bytes through), when a
 * DestinationRule for the host or mesh config mentions an HTTP/2 upgrade,
 * or on a port not declared HTTP (a waypoint reuses the client's protocol
 * on an auto-detected port: setUpstreamProtocol).
 */
#include <string.h>

#include "meshlint/rule.h"
#include "../authz/authz_common.h"
#include "transport_common.h"

/* A subtree that sets useClientProtocol to anything but false. */
static bool mentions_client_protocol(const ml_node *n, int depth)
{
    if (!n || depth > 12)
        return false;
    for (size_t i = 0; ml_is_map(n) && i < ml_node_n(n); i++) {
        const ml_pair *p = &n->kvs[i];
        if (ml_streq(ml_str(&p->key), "useClientProtocol")) {
            const char *v = ml_str_nonnull(&p->value);
            if (!v || strcmp(v, "false") != 0)
                return true;
        } else if (mentions_client_protocol(&p->value, depth + 1)) {
            return true;
        }
    }
    for (size_t i = 0; ml_is_seq(n) && i < ml_node_n(n); i++)
        if (mentions_client_protocol(&n->elems[i], depth + 1))
            return true;
    return false;
}

/* A Sidecar in the input that may change how inbound ports are built. */
static const ml_resource *sidecar_override(const ml_model *m)
{
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_SIDECAR]) {
        if (ml_get(r->spec, "ingress") || mentions_client_protocol(r->spec, 0))
            return r;
    }
    return NULL;
}

static bool dr_client_protocol(const ml_model *m, const char *fqdn)
{
    ml_vec drs = ml_model_destrules_for(m, fqdn);
    ML_VEC_EACH(const ml_destrule *, dr, &drs) {
        if (mentions_client_protocol(dr->res->spec, 0))
            return true;
    }
    return false;
}


typedef struct seen_key {
    const void *port, *server;
} seen_key;

/* The Service ports of w that target port, when all are TCP and declared
 * HTTP (collected into out); false when any is not. */
static bool all_http(const ml_model *m, const ml_workload *w, long long port, ml_arena *a, ml_vec *out)
{
    ML_VEC_EACH(const ml_service *, svc, &w->services) {
        for (size_t i = 0; i < svc->nports; i++) {
            const ml_svc_port *sp = &svc->ports[i];
            const char *proto = ml_str_nonnull(sp->protocol);
            if (proto && strcmp(proto, "TCP") != 0)
                continue; /* UDP, SCTP: another listener */
            long long target = ml_transport_svc_target(w, sp);
            if (target < 0) {
                if (sp->target_port && !ml_int(sp->target_port, &target))
                    return false; /* a named target we cannot resolve may be this port */
                continue;
            }
            if (target != port)
                continue;
            const ml_node *from;
            bool by_app;
            if (ml_transport_port_class(sp, &from, &by_app) != ML_PORT_HTTP || dr_client_protocol(m, svc->fqdn))
                return false;
            ml_vec_push(a, out, (void *)sp);
            ml_vec_push(a, out, (void *)svc);
        }
    }
    return out->n > 0;
}

/* Ambient pods: traffic addressed to a Service that has a waypoint goes
 * through it, and the waypoint's cluster for the Service port
 * (cluster_waypoint.go, buildWaypointInboundVIPCluster -> buildCluster ->
 * setUpstreamProtocol) speaks HTTP/1.1 to a port declared HTTP unless an
 * h2UpgradePolicy or useClientProtocol applies. ztunnel carries the request
 * to the pod unchanged. Each Service has its own cluster, so each port is
 * judged alone. */
static void check_waypoints(ml_ctx *ctx, ml_map *seen, const ml_server *s, const ml_link *l, long long port,
                            const ml_setting *h1)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const ml_workload *w = l->workload;
    if (ml_transport_mesh_h2_upgrade(m))
        return;
    ML_VEC_EACH(const ml_service *, svc, &w->services) {
        const ml_node *label = NULL;
        const ml_resource *wp = ml_mesh_service_waypoint(m, svc, &label);
        if (!wp || ml_transport_dr_h2_upgrade(m, svc->fqdn))
            continue;
        for (size_t i = 0; i < svc->nports; i++) {
            const ml_svc_port *sp = &svc->ports[i];
            const char *proto = ml_str_nonnull(sp->protocol);
            if ((proto && strcmp(proto, "TCP") != 0) || ml_transport_svc_target(w, sp) != port)
                continue;
            const ml_node *from;
            bool by_app;
            if (ml_transport_port_class(sp, &from, &by_app) != ML_PORT_HTTP)
                continue;
            seen_key k = {sp->node, s};
            if (ml_map_get(seen, (const char *)&k, sizeof k))
                continue;
            ml_map_put(seen, (const char *)&k, sizeof k, (void *)1);
            const char *sname = ml_str_nonnull(sp->name);
            const char *port_s =
                sname ? ml_printf(a, "port %s (%lld)", sname, sp->num) : ml_printf(a, "port %lld", sp->num);
            ml_diag *d = ml_report(
                ctx, ML_LEVEL_NONE, ml_node_loc(from ? from : sp->node),
                "%s %s is declared HTTP to Istio (%s %s), so its waypoint %s/%s forwards every request addressed "
                "to the Service to the pods of %s over HTTP/1.1 (meshConfig.h2UpgradePolicy is DO_NOT_UPGRADE, "
                "Istio's default), but the Connectum server in %s serves h2c only (no tls, allowHTTP1 false, %s): "
                "every call through the waypoint fails",
                ml_res_display(a, svc->res), port_s, by_app ? "appProtocol" : "the port name", ml_str(from), wp->ns,
                wp->name, ml_res_display(a, w->res), s->file && s->file->path ? s->file->path : "?",
                ml_transport_setting_origin(a, h1));
            if (label)
                ml_note(ctx, d, ml_node_loc(label),
                        "this label sends the Service's traffic through waypoint %s/%s (a Gateway of class "
                        "istio-waypoint), which reaches a port declared HTTP over HTTP/1.1",
                        wp->ns, wp->name);
            if (h1->loc.file)
                ml_note(ctx, d, h1->loc,
                        "allowHTTP1 false here: without tls, node:http2 answers cleartext HTTP/2 only");
            ml_help(ctx, d,
                    "declare the port as HTTP/2 to Istio: `appProtocol: kubernetes.io/h2c` (or grpc) on %s port "
                    "%lld; or serve HTTP/1.1 too (allowHTTP1: true)",
                    ml_res_display(a, svc->res), sp->num);
        }
    }
}

static void check_link(ml_ctx *ctx, ml_map *seen, const ml_server *s, const ml_link *l)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const ml_workload *w = l->workload;
    if (!w)
        return;
    const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
    bool dflt;
    long long port = ml_transport_server_port(m, l, &dflt);
    if (port < 1)
        return;
    ml_setting h1 = ml_server_allow_http1(m, l);
    if (h1.val.kind != ML_VAL_BOOL || h1.val.b)
        return;
    if (dp && (dp->kind == ML_DP_AMBIENT || dp->kind == ML_DP_AMBIENT_WAYPOINT)) {
        check_waypoints(ctx, seen, s, l, port, &h1);
        return;
    }
    const ml_sidecar_fact *sf = ml_mesh_sidecar(m, w);
    if (!sf || !sf->known || !sf->injected || (dp && dp->kind != ML_DP_SIDECAR))
        return;
    if (!ml_authz_inbound_captured(w, port))
        return;
    ml_vec ports = {0};
    if (!all_http(m, w, port, a, &ports))
        return;
    for (size_t i = 0; i + 1 < ports.n; i += 2) {
        const ml_svc_port *sp = ports.items[i];
        const ml_service *svc = ports.items[i + 1];
        seen_key k = {sp->node, s};
        if (ml_map_get(seen, (const char *)&k, sizeof k))
            continue;
        ml_map_put(seen, (const char *)&k, sizeof k, (void *)1);
        const ml_node *from;
        bool by_app;
        ml_transport_port_class(sp, &from, &by_app);
        const char *sname = ml_str_nonnull(sp->name);
        const char *port_s = sname ? ml_printf(a, "port %s (%lld)", sname, sp->num) : ml_printf(a, "port %lld", sp->num);
        const char *wname = ml_res_display(a, w->res);
        ml_diag *d = ml_report(
            ctx, ML_LEVEL_NONE, ml_node_loc(from ? from : sp->node),
            "%s %s is declared HTTP to Istio (%s %s), so the sidecar of %s forwards every request it receives on "
            "port %lld to the application over HTTP/1.1, whatever the caller spoke, but the Connectum server in %s "
            "serves h2c only (no tls, allowHTTP1 false, %s): every call through the mesh to this port fails",
            ml_res_display(a, svc->res), port_s, by_app ? "appProtocol" : "the port name", ml_str(from), wname, port,
            s->file && s->file->path ? s->file->path : "?", ml_transport_setting_origin(a, &h1));
        ml_note(ctx, d, ml_res_loc(w->res),
                "Istio builds the sidecar's inbound cluster with HTTP/2 only for a port declared HTTP/2, gRPC or "
                "gRPC-Web; DestinationRule h2UpgradePolicy changes outbound clusters only");
        if (h1.loc.file)
            ml_note(ctx, d, h1.loc, "allowHTTP1 false here: without tls, node:http2 answers cleartext HTTP/2 only");
        ml_help(ctx, d,
                "declare the port as HTTP/2 to Istio: `appProtocol: kubernetes.io/h2c` (or grpc) on %s port %lld, "
                "or a port name starting with grpc or http2; or serve HTTP/1.1 too (allowHTTP1: true)",
                ml_res_display(a, svc->res), sp->num);
    }
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n || sidecar_override(m))
        return;
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (s->tls != ML_TLS_ABSENT)
            continue;
        ML_VEC_EACH(const ml_link *, l, &s->links)
            check_link(ctx, &seen, s, l);
    }
    ml_map_free(&seen);
}

const ml_rule ml_rule_ML112 = {
    .id = "ML112",
    .name = "proxy-http1-to-h2c-server",
    .level = ML_LEVEL_ERROR,
    .summary = "A Service port declared HTTP makes the Istio sidecar or waypoint speak HTTP/1.1 to a Connectum "
               "server that serves h2c only",
    .description =
        "Reports a Service port that Istio takes as HTTP (appProtocol http or kubernetes.io/ws, else a port "
        "name http or http-*) and that targets the port of a Connectum server serving h2c only, in a pod with "
        "an Istio sidecar. Without tls, createServer with allowHTTP1: false builds a node:http2 server that "
        "answers cleartext HTTP/2 only (packages/core/src/TransportManager.ts).\n"
        "\n"
        "The sidecar's inbound cluster for the port takes its protocol from the Service port "
        "(pilot/pkg/networking/core/cluster_builder.go: buildInboundCluster calls buildCluster, which calls "
        "setUpstreamProtocol): HTTP/2 for a port declared HTTP/2, gRPC or gRPC-Web, the caller's own protocol "
        "for a port that declares none (protocol sniffing) or under a connection pool with useClientProtocol "
        "(cluster_traffic_policy.go, applyConnectionPool), HTTP/1.1 otherwise. A DestinationRule's or the "
        "mesh's h2UpgradePolicy does not change it: Istio applies it to outbound clusters only "
        "(shouldH2Upgrade). So every request through the sidecar on that port, from a gRPC client, another "
        "sidecar or a gateway, reaches the server as HTTP/1.1 and gets no answer. ML111 is the same mismatch "
        "at a gateway or waypoint, ML409 for httpGet probes, ML309 the reverse.\n"
        "\n"
        "Silent unless the workload's sidecar is known to be injected (not ambient) and intercepts the port "
        "(traffic.sidecar.istio.io/includeInboundPorts and excludeInboundPorts), tls is absent, allowHTTP1 is "
        "known to be false for the workload, the server's port is known, and every Service port of the "
        "workload that targets it is declared HTTP (when Services disagree, Istio picks one of them). Silent "
        "too when a DestinationRule for the Service's host or any Sidecar in the input mentions "
        "useClientProtocol, or a Sidecar declares ingress listeners (they may set the port's protocol).\n"
        "\n"
        "In ambient mode the pods have no sidecar, and ztunnel passes bytes through; but traffic addressed to "
        "a Service with a waypoint (its istio.io/use-waypoint label, else its namespace's, naming a Gateway of "
        "class istio-waypoint in the input) goes through the waypoint, whose cluster for the Service port goes "
        "through the same setUpstreamProtocol (cluster_waypoint.go, buildWaypointInboundVIPCluster): HTTP/1.1 "
        "to a port declared HTTP, the caller's protocol on an auto-detected port. Reported for a port declared "
        "HTTP, unless a DestinationRule for the host mentions h2UpgradePolicy or useClientProtocol or mesh "
        "config in the input sets h2UpgradePolicy (the message names the default it assumes, DO_NOT_UPGRADE).",
    .remediation = "Declare the Service port as HTTP/2 (`appProtocol: kubernetes.io/h2c` or grpc, or a name "
                   "grpc-*/http2-*), so that the sidecar speaks HTTP/2 to the application; or serve HTTP/1.1 "
                   "too (allowHTTP1: true).",
    .tags = "transport,protocol,http2,connectum,istio",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# service.yaml (namespace with istio-injection: enabled, or ambient with a waypoint)\n"
                   "ports:\n"
                   "  - name: http\n"
                   "    port: 80\n"
                   "    targetPort: 5000\n"
                   "// server.ts\n"
                   "createServer({ services, port: 5000, allowHTTP1: false });",
    .example_good = "ports:\n"
                    "  - name: grpc\n"
                    "    port: 80\n"
                    "    targetPort: 5000\n"
                    "    appProtocol: kubernetes.io/h2c",
    .settings = NULL,
    .check = check,
};
