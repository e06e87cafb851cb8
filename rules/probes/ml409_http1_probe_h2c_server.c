/*
 * ML409 http1-probe-h2c-server: an httpGet probe (HTTP/1.1) against a
 * Connectum server that serves h2c only.
 *
 * Without tls, createServer with allowHTTP1: false builds a node:http2
 * server that speaks cleartext HTTP/2 only (core/src/TransportManager.ts):
 * an HTTP/1.1 request gets no answer. The kubelet's httpGet probes speak
 * HTTP/1.1, and so does Istio's rewritten probe for the http scheme: the
 * sidecar agent sends the probe on with a plain http:// request
 * (pilot/cmd/pilot-agent/status/server.go, handleAppProbeHTTPGet). The probe
 * never succeeds. The reverse direction (HTTP/2 against an HTTP/1.1-only
 * server) is ML309. Silent when tls is set or unknown, when allowHTTP1 is not
 * known to be false for the link, or when the probe names another host or
 * port or the https scheme.
 */
#include "probes_common.h"

static void check_probe(ml_ctx *ctx, const ml_workload *w, const ml_link *l, const ml_probes_sport *sp,
                        const ml_probe *p)
{
    ml_arena *a = ctx->arena;
    const ml_server *s = l->server;
    if (p->kind != ML_PROBE_HTTP || !p->node || s->tls != ML_TLS_ABSENT)
        return;
    const ml_node *hg = ml_get(p->node, "httpGet");
    if (ml_get(hg, "host"))
        return;
    const char *scheme = ml_str_nonnull(ml_get(hg, "scheme"));
    if (scheme && !ml_streq(scheme, "HTTP"))
        return;
    ml_probe_port pp = ml_probes_port(l->container, p);
    if (pp.num < 0 || pp.num != sp->num)
        return;
    ml_setting h1 = ml_server_allow_http1(ctx->model, l);
    if (h1.val.kind != ML_VAL_BOOL || h1.val.b)
        return;
    const char *pname = ml_probes_name(p);
    const char *origin = ml_probes_origin(a, &h1, ml_probes_env_var(&s->allow_http1, NULL));
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_probes_handler_loc(p),
                           "%s httpGet on port %s speaks HTTP/1.1, but %s serves h2c only (no tls, allowHTTP1 "
                           "false, %s): the request gets no answer and %s",
                           pname, ml_probes_port_text(a, &pp), ml_probes_server_text(a, s), origin,
                           ml_probes_consequence(p));
    if (ml_probes_setting_has_loc(&h1))
        ml_note(ctx, d, h1.loc, "allowHTTP1 false here: node:http2 without TLS answers HTTP/2 only");
    const ml_sidecar_fact *sf = ml_mesh_sidecar(ctx->model, w);
    if (sf && sf->known && sf->injected)
        ml_note(ctx, d, ml_res_loc(w->res),
                "Istio's rewritten probe for the http scheme reaches the application over HTTP/1.1 as well");
    ml_help(ctx, d, "probe over gRPC instead (`%s: { grpc: { port: %lld } }`, answered by Healthcheck()), or "
                    "serve HTTP/1.1 too (allowHTTP1: true, which gives up h2c without TLS)",
            pname, sp->num);
}

static void check(ml_ctx *ctx)
{
    ml_probes_each_server_probe(ctx, check_probe);
}

const ml_rule ml_rule_ML409 = {
    .id = "ML409",
    .name = "http1-probe-h2c-server",
    .level = ML_LEVEL_ERROR,
    .summary = "An httpGet probe (HTTP/1.1) against a Connectum server that serves h2c only",
    .description = "Follows each httpGet probe (startup, liveness, readiness) of the container a "
                   "Connectum server runs in, on the port the server listens on, and reports it when "
                   "the server has no tls and allowHTTP1 is false for that workload.\n"
                   "\n"
                   "Without TLS, createServer with allowHTTP1: false builds a node:http2 server that "
                   "speaks cleartext HTTP/2 (h2c) only; with allowHTTP1 true (the default) it builds an "
                   "HTTP/1.1-only server instead (core/src/TransportManager.ts). The kubelet's httpGet "
                   "probes speak HTTP/1.1, and so does Istio's rewritten probe for the http scheme: the "
                   "sidecar agent forwards it with a plain http:// request "
                   "(pilot/cmd/pilot-agent/status/server.go, handleAppProbeHTTPGet). The probe gets no "
                   "answer, so the pod never becomes ready, or the kubelet restarts it over and over. "
                   "The reverse mismatch, HTTP/2 against an HTTP/1.1-only server, is ML309. Silent when "
                   "tls is set or unknown, allowHTTP1 is unknown, or the probe names another host, the "
                   "https scheme or another port.",
    .remediation = "Probe over gRPC (grpc: { port: <server port> }), which Healthcheck() answers on an h2c "
                   "server, or serve HTTP/1.1 (allowHTTP1: true).",
    .tags = "probes,availability,connectum,http2",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "very-high",
    .example_bad = "# server.ts: createServer({ ..., allowHTTP1: false, protocols: [Healthcheck({ httpEnabled: true })] })\n"
                   "readinessProbe:\n"
                   "  httpGet: { path: /readyz, port: 5000 }",
    .example_good = "# server.ts: createServer({ ..., allowHTTP1: false, protocols: [Healthcheck()] })\n"
                    "readinessProbe:\n"
                    "  grpc: { port: 5000 }",
    .settings = NULL,
    .check = check,
};
