/*
 * ML405 grpc-probe-without-health-service: a grpc: probe on the port of a
 * Connectum server that registers no Healthcheck protocol.
 *
 * The kubelet's gRPC probe calls grpc.health.v1.Health/Check; Connectum
 * serves that service only when Healthcheck(...) is among the server's
 * protocols. The rule needs a linked server, a known server port equal to
 * the probe's, and a server whose protocols are known to lack Healthcheck;
 * protocols that could not be evaluated leave it silent.
 */
#include "probes_common.h"

static void check_probe(ml_ctx *ctx, const ml_workload *w, const ml_link *l, const ml_probes_sport *sp,
                        const ml_probe *p)
{
    ml_arena *a = ctx->arena;
    if (l->server->has_health != ML_NO || p->kind != ML_PROBE_GRPC || !p->node)
        return;
    ml_probe_port pp = ml_probes_port(l->container, p);
    if (pp.num < 0 || pp.num != sp->num)
        return;
    const char *pname = ml_probes_name(p);
    const char *stext = ml_probes_server_text(a, l->server);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_probes_handler_loc(p),
                           "%s grpc on port %lld calls grpc.health.v1.Health, but %s registers no "
                           "Healthcheck protocol, so the call fails with Unimplemented; %s",
                           pname, pp.num, stext, ml_probes_consequence(p));
    ml_note(ctx, d, l->server->call, "createServer without Healthcheck(...) among its protocols");
    ml_help(ctx, d,
            "add Healthcheck() (from @connectum/healthcheck) to the server's protocols: "
            "`protocols: [Healthcheck()]`");
}

static void check(ml_ctx *ctx)
{
    ml_probes_each_server_probe(ctx, check_probe);
}

const ml_rule ml_rule_ML405 = {
    .id = "ML405",
    .name = "grpc-probe-without-health-service",
    .level = ML_LEVEL_ERROR,
    .summary = "A grpc probe targets a Connectum server that registers no Healthcheck protocol",
    .description = "Reports a grpc: probe (startup, liveness or readiness) on the port a linked "
                   "Connectum server listens on, when that server's protocols are known and do not "
                   "include Healthcheck(...). The kubelet's gRPC probe calls the standard "
                   "grpc.health.v1.Health/Check method, which Connectum serves only through the "
                   "Healthcheck protocol; without it the call fails with Unimplemented and the probe "
                   "never succeeds.\n"
                   "\n"
                   "A readiness probe that never succeeds keeps the pod out of every Service; a "
                   "liveness or startup probe makes the kubelet restart the container over and "
                   "over. The rule stays silent when no server is linked, when the probe targets "
                   "another port (ML404), and when the server's protocols could not be evaluated.",
    .remediation = "Register Healthcheck() among the server's protocols (it always serves "
                   "grpc.health.v1.Health), or change the probe.",
    .tags = "probes,availability,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# server.ts\n"
                   "createServer({ services, protocols: [Reflection()] });\n"
                   "# deployment.yaml\n"
                   "readinessProbe:\n"
                   "  grpc:\n"
                   "    port: 5000",
    .example_good = "# server.ts\n"
                    "createServer({ services, protocols: [Healthcheck(), Reflection()] });\n"
                    "# deployment.yaml\n"
                    "readinessProbe:\n"
                    "  grpc:\n"
                    "    port: 5000",
    .settings = NULL,
    .check = check,
};
