/*
 * ML603 trace-sampling: Telemetry tracing sampling rates. Istio accepts 0 to
 * 100; anything else is rejected. 100 is valid and traces every request,
 * which the guide's example does: fine for a test cluster, a large cost in
 * production, so it is a note that names the number.
 */
#include <stdlib.h>

#include "meshlint/rule.h"

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_TELEMETRY]) {
        const ml_node *tracing = ml_get(r->spec, "tracing");
        for (size_t i = 0; ml_is_seq(tracing) && i < ml_node_n(tracing); i++) {
            const ml_node *v = ml_get(&tracing->elems[i], "randomSamplingPercentage");
            if (!v)
                continue;
            const char *s = ml_str_nonnull(v);
            char *end = NULL;
            double pct = s ? strtod(s, &end) : 0;
            if (!s || end == s || *end || v->style == ML_SCALAR_QUOTED) {
                ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(v),
                          "randomSamplingPercentage of Telemetry %s/%s must be a number from 0 to 100",
                          r->ns, r->name);
            } else if (pct < 0 || pct > 100) {
                ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(v),
                          "randomSamplingPercentage %s of Telemetry %s/%s is outside 0 to 100: Istio rejects "
                          "the resource",
                          s, r->ns, r->name);
            } else if (pct >= 100) {
                ml_diag *d = ml_report(ctx, ML_LEVEL_NOTE, ml_node_loc(v),
                                       "Telemetry %s/%s traces 100%% of requests: every call through every sidecar "
                                       "in its scope produces spans, on top of the application's own",
                                       r->ns, r->name);
                ml_help(ctx, d, "sample a few percent in production (1 to 10 is common), and keep 100 for test "
                                "environments");
            }
        }
    }
}

const ml_rule ml_rule_ML603 = {
    .id = "ML603",
    .name = "trace-sampling",
    .level = ML_LEVEL_NOTE,
    .summary = "A Telemetry sampling rate that is invalid or traces every request",
    .description = "Telemetry tracing[].randomSamplingPercentage takes a number from 0 to 100. A value "
                   "outside that range, or not a number, is rejected by Istio (error).\n"
                   "\n"
                   "100 traces every request through every sidecar in the resource's scope, in "
                   "addition to the spans @connectum/otel already produces: useful in a test "
                   "environment, costly in production (note).",
    .remediation = "Use a number from 0 to 100; in production, a few percent.",
    .tags = "observability,tracing",
    .precision = "very-high",
    .example_bad = "tracing:\n  - randomSamplingPercentage: 100",
    .example_good = "tracing:\n  - randomSamplingPercentage: 5",
    .check = check,
};
