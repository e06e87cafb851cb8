/*
 * ML406 probe-rewrite-disabled: sidecar.istio.io/rewriteAppHTTPProbers
 * "false" on a workload whose sidecar accepts only mTLS on a probed port.
 *
 * Istio normally rewrites httpGet and grpc probes so the kubelet, which has
 * no mesh certificate, reaches them through the sidecar's plaintext health
 * port. With the rewrite off the kubelet connects straight to the app port;
 * the sidecar intercepts the connection and, under STRICT, rejects it. The
 * rule asks mesh.c for the sidecar and the effective mode of each probed
 * port (port-level mTLS included), skips ports the sidecar does not
 * intercept (excludeInboundPorts / includeInboundPorts annotations) and
 * tcpSocket probes (the sidecar completes the TCP handshake, so they pass),
 * and stays silent when the sidecar or the port is unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "probes_common.h"

#define REWRITE "sidecar.istio.io/rewriteAppHTTPProbers"

/* Go's strconv.ParseBool false values, which Istio applies to the annotation. */
static bool go_false(const char *s)
{
    static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; s && i < sizeof no / sizeof no[0]; i++)
        if (strcmp(s, no[i]) == 0)
            return true;
    return false;
}

/* Whether port is among a comma-separated list of ports ("*" matches all). */
static bool in_port_list(const char *list, long long port)
{
    const char *s = list;
    while (s && *s) {
        while (*s == ' ' || *s == ',')
            s++;
        if (*s == '*')
            return true;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s)
            break;
        if (v == port)
            return true;
        s = end;
    }
    return false;
}

/* The sidecar intercepts inbound traffic to this port. */
static bool intercepted(const ml_workload *w, long long port)
{
    const char *ex = ml_str_nonnull(ml_get(w->pod_annotations, "traffic.sidecar.istio.io/excludeInboundPorts"));
    if (ex && in_port_list(ex, port))
        return false;
    const ml_node *inc = ml_get(w->pod_annotations, "traffic.sidecar.istio.io/includeInboundPorts");
    if (inc) {
        const char *s = ml_str(inc);
        if (!s || !in_port_list(s, port))
            return false;
    }
    return true;
}

static const char *kind_text(const ml_probe *p)
{
    return p->kind == ML_PROBE_GRPC ? "grpc" : "httpGet";
}

/* A probe the kubelet sends in plaintext to a STRICT port. */
typedef struct hit {
    const ml_container *c;
    const ml_probe *p;
    long long port;
    ml_mtls_fact f;
} hit;

static void collect(ml_ctx *ctx, const ml_workload *w, ml_vec *hits)
{
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (!ml_probes_app_container(c))
            continue;
        const ml_probe *ps[] = {&c->startup, &c->liveness, &c->readiness};
        for (size_t j = 0; j < 3; j++) {
            const ml_probe *p = ps[j];
            if (!p->node || (p->kind != ML_PROBE_HTTP && p->kind != ML_PROBE_GRPC))
                continue;
            ml_probe_port pp = ml_probes_port(c, p);
            if (pp.num < 0 || !intercepted(w, pp.num))
                continue;
            ml_mtls_fact f = ml_mesh_mtls(ctx->model, w, pp.num);
            if (f.mode != ML_MTLS_STRICT)
                continue;
            hit *h = ml_zalloc(ctx->arena, sizeof *h);
            h->c = c;
            h->p = p;
            h->port = pp.num;
            h->f = f;
            ml_vec_push(ctx->arena, hits, h);
        }
    }
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(const ml_workload *, w, &m->workloads) {
        const ml_node *v = ml_get(w->pod_annotations, REWRITE);
        if (!v || !go_false(ml_str_nonnull(v)))
            continue;
        const ml_sidecar_fact *sc = ml_mesh_sidecar(m, w);
        if (!sc || !sc->known || !sc->injected)
            continue;
        ml_vec hits = {0};
        collect(ctx, w, &hits);
        if (!hits.n)
            continue;
        ml_buf list;
        ml_buf_init(&list);
        ML_VEC_EACH(const hit *, h, &hits) {
            ml_buf_printf(&list, "%s%s %s of container %s on port %lld", h_i ? ", " : "", ml_probes_name(h->p),
                          kind_text(h->p), ml_str(h->c->name) ? ml_str(h->c->name) : "(unnamed)", h->port);
        }
        const hit *h0 = hits.items[0];
        const char *by = h0->f.decided_by && h0->f.decided_by->res
                             ? ml_printf(a, ", set by %s", ml_res_display(a, h0->f.decided_by->res))
                             : "";
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(v),
                               REWRITE " \"%s\" on %s turns off Istio's probe rewriting, and its sidecar "
                               "accepts only mTLS (STRICT%s): the kubelet's plaintext probes are rejected "
                               "(%s), so they never succeed",
                               ml_str(v), ml_res_display(a, w->res), by, list.s);
        ml_buf_free(&list);
        if (h0->f.mode_node)
            ml_note(ctx, d, ml_node_loc(h0->f.mode_node), "STRICT mTLS for port %lld", h0->port);
        if (sc->decided_by)
            ml_note(ctx, d, ml_node_loc(sc->decided_by), "the pods get a sidecar: %s",
                    sc->explain ? sc->explain : "injection is enabled");
        ML_VEC_EACH(const hit *, h, &hits) {
            ml_note(ctx, d, ml_probes_handler_loc(h->p), "%s: %s", ml_probes_name(h->p),
                    ml_probes_consequence(h->p));
        }
        ml_help(ctx, d, "remove the annotation (or set it to \"true\") so that Istio rewrites the probes "
                        "through the sidecar");
        if (ml_node_file(v) && v->end_off > v->off && v->off < ml_node_file(v)->len) {
            char q = ml_node_file(v)->data[v->off];
            const char *text = q == '"' ? "\"true\"" : q == '\'' ? "'true'"
                               : v->style == ML_SCALAR_QUOTED ? "true" : "\"true\"";
            ml_add_fix(ctx, d, "set " REWRITE " to \"true\"", ml_node_loc(v), text);
        }
    }
}

const ml_rule ml_rule_ML406 = {
    .id = "ML406",
    .name = "probe-rewrite-disabled",
    .level = ML_LEVEL_ERROR,
    .summary = "Probe rewriting is off on a STRICT mTLS workload with httpGet or grpc probes",
    .description = "Reports the pod template annotation sidecar.istio.io/rewriteAppHTTPProbers: "
                   "\"false\" on a workload whose pods get an Istio sidecar, when an httpGet or grpc "
                   "probe of an application container targets a port on which the effective "
                   "PeerAuthentication mode is STRICT (port-level settings included). Ambient "
                   "workloads (istio.io/dataplane-mode: ambient) are not reported: they have no sidecar "
                   "whose probe rewrite could be turned off, and istio-cni lets the kubelet's probes "
                   "past ztunnel by their SNAT source address (cni/pkg/iptables, "
                   "HostProbeSNATAddress 169.254.7.127).\n"
                   "\n"
                   "Istio rewrites httpGet and grpc probes so that the kubelet, which holds no mesh "
                   "certificate, reaches them through the sidecar. The annotation turns that off; "
                   "the kubelet's plaintext connection then meets a sidecar that accepts only mTLS, "
                   "and the probe fails every time: the pods never become ready, or restart over and "
                   "over. tcpSocket and exec probes are not affected, nor are ports the sidecar does "
                   "not intercept (traffic.sidecar.istio.io/excludeInboundPorts, "
                   "includeInboundPorts). The rule stays silent when it cannot tell whether the pods "
                   "get a sidecar.",
    .remediation = "Remove the annotation (Istio rewrites probes by default) or set it to \"true\"; "
                   "if the probes must bypass the sidecar, exclude their port from interception or "
                   "use PERMISSIVE for that port.",
    .tags = "probes,istio,mtls,availability",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "template:\n"
                   "  metadata:\n"
                   "    annotations:\n"
                   "      sidecar.istio.io/rewriteAppHTTPProbers: \"false\"\n"
                   "# with a STRICT PeerAuthentication and\n"
                   "readinessProbe:\n"
                   "  httpGet:\n"
                   "    path: /readyz\n"
                   "    port: 5000",
    .example_good = "template:\n"
                    "  metadata:\n"
                    "    annotations: {}\n"
                    "# Istio rewrites the probe through the sidecar\n"
                    "readinessProbe:\n"
                    "  httpGet:\n"
                    "    path: /readyz\n"
                    "    port: 5000",
    .settings = NULL,
    .check = check,
};
