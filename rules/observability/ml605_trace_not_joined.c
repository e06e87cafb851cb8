/*
 * ML605 trace-not-joined: a Connectum server behind an Istio sidecar traces
 * its calls with createOtelInterceptor() but without trustRemote: true, so
 * its spans start a new trace instead of continuing the caller's.
 *
 * The interceptor extracts the incoming trace context and, unless
 * trustRemote is true (default false), starts the server span as a root span
 * with only a link to the remote one (otel/src/interceptor.ts). The sidecar
 * forwards the trace headers it received, so the mesh's spans and the
 * caller's trace stop at the hop into this server: the guide's one trace
 * across mesh and application needs trustRemote: true. A note, since the
 * link still relates the traces and not trusting the caller can be a choice
 * at a trust boundary; silent when the option is unknown or tracing is off.
 */
#include "meshlint/rule.h"

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (!s->otel_interceptor_loc.file || s->otel_no_tracing)
            continue;
        const ml_val *t = &s->otel_trust_remote;
        if (!(t->kind == ML_VAL_ABSENT || (t->kind == ML_VAL_BOOL && !t->b)))
            continue;
        const ml_workload *meshed = NULL;
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            const ml_sidecar_fact *sf = l->workload ? ml_mesh_sidecar(m, l->workload) : NULL;
            if (sf && sf->known && sf->injected) {
                meshed = l->workload;
                break;
            }
        }
        if (!meshed)
            continue;
        ml_loc at = t->kind == ML_VAL_BOOL && t->loc.file ? t->loc : s->otel_interceptor_loc;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "createOtelInterceptor %s: each call to the server run by %s starts a new "
                               "trace, linked to the caller's but not part of it, so the trace the sidecar "
                               "and the caller carry does not continue into the application",
                               t->kind == ML_VAL_ABSENT ? "leaves trustRemote unset (default false)"
                                                        : "sets trustRemote: false",
                               ml_res_display(a, meshed->res));
        ml_note(ctx, d, s->call, "the server the interceptor is given to");
        ml_help(ctx, d, "createOtelInterceptor({ trustRemote: true }) makes the server span a child of the "
                        "incoming trace context; keep it false only where callers are not trusted");
    }
}

const ml_rule ml_rule_ML605 = {
    .id = "ML605",
    .name = "trace-not-joined",
    .level = ML_LEVEL_NOTE,
    .summary = "createOtelInterceptor without trustRemote: traces do not continue across the mesh hop",
    .description = "For a Connectum server linked to a workload with an Istio sidecar, reports a "
                   "createOtelInterceptor among its interceptors whose trustRemote is unset or false.\n"
                   "\n"
                   "The interceptor extracts the caller's trace context from the request headers, but "
                   "unless trustRemote is true (the default is false) it starts the server span as the "
                   "root of a new trace, with only a span link to the caller's span "
                   "(otel/src/interceptor.ts). The sidecar propagates the trace headers, so the caller's "
                   "and the mesh's spans end at this hop and the application's spans form a separate "
                   "trace: the one trace across mesh and application that the guide promises needs "
                   "trustRemote: true. Not trusting remote context can be deliberate at a trust "
                   "boundary, hence a note. Silent when trustRemote is unknown or withoutTracing is true.",
    .remediation = "Pass createOtelInterceptor({ trustRemote: true }) on servers whose callers are inside "
                   "the mesh.",
    .tags = "observability,otel,tracing,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "interceptors: [createOtelInterceptor()]",
    .example_good = "interceptors: [createOtelInterceptor({ trustRemote: true })]",
    .settings = NULL,
    .check = check,
};
