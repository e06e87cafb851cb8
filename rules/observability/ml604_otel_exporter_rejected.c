/*
 * ML604 otel-exporter-rejected: a container running a Connectum server that
 * uses @connectum/otel sets OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER or
 * OTEL_LOGS_EXPORTER to a value the package does not accept, and the
 * package reads it: the provider throws when it is created.
 *
 * @connectum/otel reads the three variables with env-var's asEnum over
 * console, otlp/http, otlp/grpc and none (otel/src/config.ts,
 * getOTLPSettings) only in the OtelProvider constructor (otel/src/
 * provider.ts), before options.settings are applied: initProvider() runs it
 * (at start-up: the process exits), and so does getProvider() on first use,
 * which createOtelInterceptor calls per instrumented RPC (interceptor.ts
 * getTracer/getMeter; the constructor throws each time, so every
 * instrumented RPC fails). OTEL_SDK_DISABLED is not read by the package. An
 * initProvider under a condition (ml_ts_fact.conditional) or an interceptor
 * that may be left out is unknown: a note says so. The OpenTelemetry
 * specification's own values (otlp, zipkin, jaeger, prometheus) are not
 * among the accepted ones. The value is read per link from the container's
 * env and envFrom ConfigMaps; an empty or unreadable value says nothing.
 */
#include <string.h>

#include "meshlint/rule.h"

static const char *const VARS[] = {"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER"};
static const char *const OK[] = {"console", "otlp/http", "otlp/grpc", "none"};

static bool accepted(const char *v)
{
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++)
        if (strcmp(v, OK[i]) == 0)
            return true;
    return false;
}

/* When the process reads the variables: @connectum/otel reads them only
 * in the OtelProvider constructor (provider.ts), which initProvider() runs,
 * or getProvider() on first use: the server interceptor asks for it per
 * instrumented RPC (interceptor.ts: getTracer, getMeter; tracer.ts). */
typedef enum read_when {
    READ_NEVER,     /* nothing the input shows creates the provider */
    READ_STARTUP,   /* initProvider(), called unconditionally */
    READ_FIRST_RPC, /* only createOtelInterceptor: lazily, per instrumented RPC */
    READ_UNKNOWN    /* initProvider under a condition, or an interceptor that may be left out */
} read_when;

static read_when when_read(const ml_server *s)
{
    if (s->otel_init == 1)
        return READ_STARTUP;
    bool icpt = s->otel_interceptor_loc.file && !(s->otel_no_tracing && s->otel_no_metrics);
    if (icpt && !s->otel_interceptor_maybe)
        return READ_FIRST_RPC;
    if (s->otel_init == 2 || icpt)
        return READ_UNKNOWN;
    return READ_NEVER;
}

/* The exporter the endpoint's port asks for: the OTLP default ports are
 * 4317 for gRPC and 4318 for HTTP (the OpenTelemetry specification's
 * exporter defaults); NULL for any other or an unknown endpoint. */
static const char *exporter_for_endpoint(const char *ep)
{
    const char *colon = ep ? strrchr(ep, ':') : NULL;
    if (!colon)
        return NULL;
    if (strncmp(colon, ":4317", 5) == 0 && (!colon[5] || colon[5] == '/'))
        return "otlp/grpc";
    if (strncmp(colon, ":4318", 5) == 0 && (!colon[5] || colon[5] == '/'))
        return "otlp/http";
    return NULL;
}

static void report(ml_ctx *ctx, const ml_server *s, read_when when, const char *var, const ml_setting *e,
                   const char *endpoint)
{
    const char *hint = strcmp(e->val.str, "otlp") == 0 ? " (the OpenTelemetry default \"otlp\" is not "
                                                         "accepted: write otlp/http or otlp/grpc)"
                                                       : "";
    const char *src = e->source ? e->source : "container env";
    const char *file = s->file ? s->file->path : "?";
    ml_diag *d;
    if (when == READ_STARTUP) {
        d = ml_report(ctx, ML_LEVEL_NONE, e->loc,
                      "%s is \"%s\" (%s), which @connectum/otel rejects: it accepts only console, otlp/http, "
                      "otlp/grpc or none, and throws when the provider is created, so the server in %s exits "
                      "before it serves%s",
                      var, e->val.str, src, file, hint);
        ml_note(ctx, d, s->otel_init_loc, "initProvider creates the provider here, at start-up, and reads %s "
                                          "before any settings passed to it apply", var);
    } else if (when == READ_FIRST_RPC) {
        d = ml_report(ctx, ML_LEVEL_NONE, e->loc,
                      "%s is \"%s\" (%s), which @connectum/otel rejects: it accepts only console, otlp/http, "
                      "otlp/grpc or none. Nothing calls initProvider, so the provider is created on the first RPC "
                      "the OTel interceptor instruments, and that throws on every such RPC: the server in %s "
                      "starts, but the RPCs it instruments fail%s",
                      var, e->val.str, src, file, hint);
        ml_note(ctx, d, s->otel_interceptor_loc, "createOtelInterceptor asks for the provider on each RPC it "
                                                 "instruments (getTracer/getMeter create it on first use)");
        if (s->otel_init == 2)
            ml_note(ctx, d, s->otel_init_loc, "initProvider, called here under a condition, would create it at "
                                              "start-up instead, and the process would exit");
    } else {
        d = ml_report(ctx, ML_LEVEL_NOTE, e->loc,
                      "%s is \"%s\" (%s), which @connectum/otel rejects (it accepts only console, otlp/http, "
                      "otlp/grpc or none); whether the server in %s reads it is unknown: %s%s",
                      var, e->val.str, src, file,
                      s->otel_init == 2 ? "initProvider is called only under a condition the input does not decide"
                                        : "the OTel interceptor may be left out of the interceptors at run time",
                      hint);
        ml_note(ctx, d, s->otel_init == 2 ? s->otel_init_loc : s->otel_interceptor_loc,
                "if this runs, the provider is created and %s is read", var);
    }
    const char *want = exporter_for_endpoint(endpoint);
    if (want)
        ml_help(ctx, d, "set %s to %s: OTEL_EXPORTER_OTLP_ENDPOINT %s is the OTLP %s port", var, want, endpoint,
                strcmp(want, "otlp/grpc") == 0 ? "gRPC" : "HTTP");
    else
        ml_help(ctx, d, "set %s to otlp/grpc or otlp/http (or console, none)", var);
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ml_map seen; /* one finding per env value, however many servers share the container */
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        read_when when = s->otel_used ? when_read(s) : READ_NEVER;
        if (when == READ_NEVER)
            continue;
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            if (!l->workload || !l->container)
                continue;
            for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) {
                ml_setting e = ml_container_env(m, l->workload, l->container, VARS[i]);
                if (e.val.kind != ML_VAL_STR || !e.val.str || !*e.val.str || accepted(e.val.str) || !e.loc.file)
                    continue;
                const char *key = ml_printf(a, "%p|%u", (const void *)e.loc.file, e.loc.off);
                if (ml_map_get(&seen, key, strlen(key)))
                    continue;
                ml_map_put(&seen, key, strlen(key), (void *)1);
                ml_setting ep = ml_container_env(m, l->workload, l->container, "OTEL_EXPORTER_OTLP_ENDPOINT");
                report(ctx, s, when, VARS[i], &e, ep.val.kind == ML_VAL_STR ? ep.val.str : NULL);
            }
        }
    }
    ml_map_free(&seen);
}

const ml_rule ml_rule_ML604 = {
    .id = "ML604",
    .name = "otel-exporter-rejected",
    .level = ML_LEVEL_ERROR,
    .summary = "An OTEL_*_EXPORTER value that @connectum/otel rejects when it creates its provider",
    .description = "For a Connectum server whose package uses @connectum/otel (initProvider or "
                   "createOtelInterceptor), reads OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER and "
                   "OTEL_LOGS_EXPORTER in the env and envFrom ConfigMaps of each container that runs "
                   "it, and reports a value outside console, otlp/http, otlp/grpc and none.\n"
                   "\n"
                   "@connectum/otel reads the three variables with env-var's asEnum over exactly those "
                   "four values (otel/src/config.ts, getOTLPSettings) only when it creates its provider: in "
                   "the OtelProvider constructor (otel/src/provider.ts), before any settings passed in code "
                   "apply. initProvider() runs it; so does getProvider() on first use, which the server "
                   "interceptor calls per instrumented RPC (otel/src/interceptor.ts through getTracer and "
                   "getMeter, otel/src/tracer.ts). Any other value throws. With initProvider() called "
                   "unconditionally, the process exits before it serves and the pod crash-loops (error). "
                   "With only createOtelInterceptor (and not both withoutTracing and withoutMetrics), the "
                   "process starts and every RPC the interceptor instruments fails, as the provider is "
                   "created again on each one (error). An initProvider() inside if/else/switch/catch, or "
                   "after &&, ||, ?? or ?:, or an interceptor that may be left out, makes it unknown whether "
                   "the value is read: a note says so. Nothing else creates the provider at start-up, and "
                   "the package reads no OTEL_SDK_DISABLED (config.ts, provider.ts): it does not prevent the "
                   "throw. The OpenTelemetry specification's values "
                   "otlp, zipkin, jaeger and prometheus are among the rejected ones. An empty value or "
                   "one that cannot be read (a Secret, a ConfigMap not in the input) says nothing.",
    .remediation = "Use otlp/grpc or otlp/http (with OTEL_EXPORTER_OTLP_ENDPOINT), console, or none.",
    .tags = "observability,otel,availability,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "very-high",
    .example_bad = "env:\n  - name: OTEL_TRACES_EXPORTER\n    value: otlp",
    .example_good = "env:\n  - name: OTEL_TRACES_EXPORTER\n    value: otlp/grpc",
    .settings = NULL,
    .check = check,
};
