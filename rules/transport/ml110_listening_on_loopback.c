/*
 * ML110 listening-on-loopback: a Connectum server linked to a workload that
 * receives traffic binds to a loopback address, so nothing outside its own
 * pod reaches it.
 *
 * createServer listens on options.host, else env LISTEN, else 0.0.0.0
 * (core/src/TransportManager.ts). Since Istio 1.10 the sidecar forwards
 * inbound requests to the pod's own IP rather than to localhost (release
 * note inbound-passthrough; istioctl analyze IST0143 LocalhostListener), the
 * kubelet probes the pod IP too: a server bound to 127.0.0.1, ::1 or
 * localhost answers neither. The rule fires when the effective host of a
 * link is such an address and the workload is selected by a Service or
 * probes a port of the container; an unknown host keeps it silent.
 */
#include <string.h>

#include "meshlint/rule.h"

static bool loopback(const char *h)
{
    if (!h)
        return false;
    return strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0 || strcmp(h, "[::1]") == 0 ||
           strncmp(h, "127.", 4) == 0 || strcmp(h, "ip6-localhost") == 0;
}

static const ml_probe *some_probe(const ml_container *c)
{
    const ml_probe *ps[3] = {&c->readiness, &c->liveness, &c->startup};
    for (int i = 0; i < 3; i++)
        if (ps[i]->kind == ML_PROBE_HTTP || ps[i]->kind == ML_PROBE_GRPC || ps[i]->kind == ML_PROBE_TCP)
            return ps[i];
    return NULL;
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            const ml_workload *w = l->workload;
            if (!w || !l->container || !w->long_running)
                continue;
            ml_setting h = ml_server_host(m, l);
            if (h.val.kind != ML_VAL_STR || !loopback(h.val.str))
                continue;
            const ml_probe *p = some_probe(l->container);
            const ml_service *svc = w->services.n ? w->services.items[0] : NULL;
            if (!p && !svc)
                continue; /* nothing calls it from outside the pod */
            const ml_sidecar_fact *sf = ml_mesh_sidecar(m, w);
            bool sidecar = sf && sf->known && sf->injected;
            const char *from = ml_streq(h.source, "code")
                                   ? "set in the code"
                                   : ml_printf(a, "from %s", h.source ? h.source : "the environment");
            ml_loc at = h.loc.file ? h.loc : s->call;
            ml_diag *d = ml_report(
                ctx, ML_LEVEL_NONE, at,
                "the Connectum server run by %s listens on %s (%s): only its own pod can reach that address, "
                "so %s%s get no answer",
                ml_res_display(a, w->res), h.val.str, from,
                svc ? ml_printf(a, "calls through %s", ml_res_display(a, svc->res)) : "",
                p ? (svc ? " and the kubelet's probes" : "the kubelet's probes") : "");
            if (at.file != s->call.file || at.off != s->call.off)
                ml_note(ctx, d, s->call, "the server is created here");
            if (sidecar)
                ml_note(ctx, d, ml_res_loc(w->res),
                        "the Istio sidecar of %s forwards inbound requests to the pod's IP, not to localhost "
                        "(Istio 1.10 and later)",
                        ml_res_display(a, w->res));
            if (p && p->key)
                ml_note(ctx, d, ml_node_loc(p->key), "the kubelet sends this probe to the pod's IP");
            ml_help(ctx, d, "listen on all interfaces: drop host (and LISTEN) so the default 0.0.0.0 applies, "
                            "or set host: \"0.0.0.0\"");
        }
    }
}

const ml_rule ml_rule_ML110 = {
    .id = "ML110",
    .name = "listening-on-loopback",
    .level = ML_LEVEL_ERROR,
    .summary = "A Connectum server that receives traffic listens on a loopback address",
    .description = "A Connectum server listens on createServer's host option, else the env variable "
                   "LISTEN, else 0.0.0.0 (core/src/TransportManager.ts). The rule reports a linked "
                   "server whose address, worked out per workload from the code and the container's "
                   "env, is 127.0.0.1 (any 127.x address), ::1 or localhost, when a Service selects the "
                   "workload or its container has an httpGet, grpc or tcpSocket probe.\n"
                   "\n"
                   "Only the pod itself can reach a loopback address. The kubelet probes the pod's IP, "
                   "and since Istio 1.10 the sidecar forwards inbound requests to the pod's IP too, no "
                   "longer to localhost (Istio release note inbound-passthrough; istioctl analyze "
                   "reports the same as IST0143 LocalhostListener): probes fail and every call through "
                   "the Service gets connection refused. An unknown host keeps the rule silent.",
    .remediation = "Listen on all interfaces: leave host and LISTEN unset (the default is 0.0.0.0) or set "
                   "host: \"0.0.0.0\".",
    .tags = "transport,availability,connectum",
    .istio_code = "IST0143",
    .security_severity = 0,
    .precision = "very-high",
    .example_bad = "createServer({ services: [routes], port: 5000, host: \"127.0.0.1\" });",
    .example_good = "createServer({ services: [routes], port: 5000 }); // listens on 0.0.0.0",
    .settings = NULL,
    .check = check,
};
