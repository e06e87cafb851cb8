/*
 * ML408 no-graceful-shutdown: a long-running workload runs a Connectum server
 * that installs no SIGTERM handler, and nothing else in its package does.
 *
 * createServer installs its signal handlers only with
 * shutdown: { autoShutdown: true }; the default is false
 * (core/src/Server.ts). Without a handler, Node's default action for SIGTERM
 * ends the process at once: every rollout and scale-down fails the calls in
 * flight, whatever the grace period. The rule fires only when autoShutdown is
 * known to be off (absent, or false) and no file of the server's package calls
 * process.on/once/addListener("SIGTERM", ...): an unknown autoShutdown, or
 * an own handler (which may well drain), keeps it silent.
 */
#include "probes_common.h"

static void check_link(ml_ctx *ctx, const ml_workload *w, const ml_link *l)
{
    const ml_server *s = l->server;
    if (s->own_sigterm)
        return;
    ml_setting as = ml_server_auto_shutdown(ctx->model, l);
    if (as.val.kind != ML_VAL_BOOL || as.val.b)
        return;
    ml_arena *a = ctx->arena;
    bool absent = s->shutdown_auto.kind == ML_VAL_ABSENT;
    const char *how = absent ? "shutdown.autoShutdown is not set, default false"
                             : ml_printf(a, "shutdown.autoShutdown is false, %s", ml_probes_origin(a, &as, NULL));
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, s->call,
                           "%s installs no SIGTERM handler (%s) and its package has no "
                           "process.on(\"SIGTERM\", ...) of its own: when the pods of %s stop, SIGTERM ends "
                           "Node at once and the calls in flight fail on every rollout and scale-down",
                           ml_probes_server_text(a, s), how, ml_res_display(a, w->res));
    if (!absent && ml_probes_setting_has_loc(&as))
        ml_note(ctx, d, as.loc, "autoShutdown set here");
    else if (s->shutdown_loc.file && s->shutdown_loc.off != s->call.off)
        ml_note(ctx, d, s->shutdown_loc, "shutdown options without autoShutdown: true");
    ml_note(ctx, d, ml_res_loc(w->res), "%s runs this server (linked by %s)", ml_res_display(a, w->res),
            l->reason ? l->reason : "?");
    ml_help(ctx, d, "create the server with shutdown: { autoShutdown: true } (it drains for shutdown.timeout, "
                    "30000 ms by default), and keep terminationGracePeriodSeconds above that");
}

static void check(ml_ctx *ctx)
{
    ml_probes_each_app_link(ctx, check_link);
}

const ml_rule ml_rule_ML408 = {
    .id = "ML408",
    .name = "no-graceful-shutdown",
    .level = ML_LEVEL_WARNING,
    .summary = "The Connectum server installs no SIGTERM handler: stopping a pod drops its calls",
    .description = "For a long-running workload linked to a Connectum server, reports the server "
                   "when it is created without shutdown: { autoShutdown: true } and no file of its "
                   "package installs a SIGTERM handler of its own (process.on, once, addListener or "
                   "prependListener with \"SIGTERM\").\n"
                   "\n"
                   "Connectum installs its signal handlers only when shutdown.autoShutdown is true; "
                   "the default is false (core/src/Server.ts, _setupAutoShutdown: "
                   "no autoShutdown, no process.on(signal)). No environment variable turns it on: "
                   "GRACEFUL_SHUTDOWN_ENABLED is only a field of parseEnvConfig()'s result "
                   "(core/src/config/envSchema.ts). Without a handler, Node's default action for "
                   "SIGTERM ends the process at once, so the pod stops without draining: calls in "
                   "flight fail on every rollout, scale-down and node drain, whatever "
                   "terminationGracePeriodSeconds says. The rule stays silent when autoShutdown is "
                   "unknown, or when the package handles SIGTERM itself (that handler may drain).",
    .remediation = "Create the server with shutdown: { autoShutdown: true } (and a timeout that fits "
                   "the grace period, ML407), or handle SIGTERM and call server.stop() yourself.",
    .tags = "lifecycle,availability,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "const server = createServer({ services: [routes], port: 5000 });\n"
                   "await server.start();",
    .example_good = "const server = createServer({\n"
                    "  services: [routes],\n"
                    "  port: 5000,\n"
                    "  shutdown: { autoShutdown: true, timeout: 20_000 },\n"
                    "});\n"
                    "await server.start();",
    .settings = NULL,
    .check = check,
};
