/*
 * ML604 otel-exporter-rejected: a container running a Connectum server that
 * uses @connectum/otel sets OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER or
 * OTEL_LOGS_EXPORTER to a value the package does not accept, so the process
 * throws while it starts.
 *
 * @connectum/otel reads the three variables with env-var's asEnum over
 * console, otlp/http, otlp/grpc and none (otel/src/config.ts,
 * getOTLPSettings), every time a provider is made (initProvider, or lazily on
 * first use; otel/src/provider.ts), before options.settings are applied. The
 * OpenTelemetry specification's own values (otlp, zipkin, jaeger,
 * prometheus) are not among them. The value is read per link from the
 * container's env and envFrom ConfigMaps; an empty or unreadable value says
 * nothing.
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

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ml_map seen; /* one finding per env value, however many servers share the container */
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (!s->otel_used)
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
                const char *hint = strcmp(e.val.str, "otlp") == 0 ? " (the OpenTelemetry default \"otlp\" is not "
                                                                   "accepted: write otlp/http or otlp/grpc)"
                                                                 : "";
                ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, e.loc,
                                       "%s is \"%s\" (%s), which @connectum/otel rejects: it accepts only "
                                       "console, otlp/http, otlp/grpc or none, and throws when the provider "
                                       "is created, so the server in %s exits before it serves%s",
                                       VARS[i], e.val.str, e.source ? e.source : "container env",
                                       s->file ? s->file->path : "?", hint);
                ml_note(ctx, d, s->otel_used_loc.file ? s->otel_used_loc : s->call,
                        "@connectum/otel is used here; it reads %s at start-up", VARS[i]);
                ml_help(ctx, d, "set %s to otlp/grpc or otlp/http (or console, none)", VARS[i]);
            }
        }
    }
    ml_map_free(&seen);
}

const ml_rule ml_rule_ML604 = {
    .id = "ML604",
    .name = "otel-exporter-rejected",
    .level = ML_LEVEL_ERROR,
    .summary = "An OTEL_*_EXPORTER value that @connectum/otel rejects at start-up",
    .description = "For a Connectum server whose package uses @connectum/otel (initProvider or "
                   "createOtelInterceptor), reads OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER and "
                   "OTEL_LOGS_EXPORTER in the env and envFrom ConfigMaps of each container that runs "
                   "it, and reports a value outside console, otlp/http, otlp/grpc and none.\n"
                   "\n"
                   "@connectum/otel reads the three variables with env-var's asEnum over exactly those "
                   "four values (otel/src/config.ts, getOTLPSettings) whenever it creates its provider "
                   "(initProvider, or lazily on first use; otel/src/provider.ts), before any "
                   "settings passed in code apply. Any other value throws, so the process exits "
                   "before it serves and the pod crash-loops. The OpenTelemetry specification's values "
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
