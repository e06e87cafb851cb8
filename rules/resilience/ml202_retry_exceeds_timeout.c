/*
 * ML202 retry-exceeds-timeout: an HTTP route's timeout is shorter than the
 * tries its retry policy allows. The route's `timeout` bounds the whole
 * request, retries included, while `perTryTimeout` bounds each try; with
 * `attempts: a` a request may need (a + 1) × perTryTimeout, and whatever
 * does not fit in `timeout` never runs. The configuration promises retries
 * that, in exactly the case they exist for (tries that hang), cannot
 * happen.
 *
 * Every VirtualService definition is checked on its own: the contradiction
 * is inside one route, whichever definition wins. Durations are read as
 * Istio reads them (Go duration strings); one that cannot be read keeps the
 * rule silent (ML002 is the rule for invalid values).
 */
#include <string.h>

#include "resilience_common.h"

static void check_route(ml_ctx *ctx, const ml_resil_route_ref *ref)
{
    ml_arena *a = ctx->arena;
    ml_resil_retry p = ml_resil_route_retry(a, ref->rt);
    if (p.kind != ML_RESIL_RETRY_EXPLICIT || !p.per_try_known || p.per_try_ns <= 0)
        return;
    const ml_node *tn = ml_get(ref->rt->node, "timeout");
    int64_t t;
    if (!ml_resil_duration_node(tn, &t) || t <= 0)
        return; /* no timeout, 0 (off), or unreadable */
    int64_t per = p.per_try_ns;
    long long tries = p.attempts + 1;
    if (per <= t / tries)
        return; /* tries × per <= t: every try fits (t / tries rounds down) */
    bool overflow = per > INT64_MAX / tries;
    int64_t need = overflow ? INT64_MAX : per * tries;
    if (need <= t)
        return;

    /* Try k starts at (k - 1) × per at the earliest (back-off only delays
     * it), so it starts when (k - 1) × per < t. */
    long long starts = (long long)((t - 1) / per) + 1;
    if (starts > tries)
        starts = tries;
    long long never = tries - starts;
    int64_t last = t - (int64_t)(starts - 1) * per; /* time left for the last try that starts */
    bool partial = last < per;

    const char *per_s = ml_str(p.per_try_node), *t_s = ml_str(tn);
    const char *outcome;
    const char *lost = never == 1 ? "the last retry never runs"
                                  : ml_printf(a, "the last %lld retries never run", never);
    if (starts == 1)
        outcome = partial ? ml_printf(a, "only the first try runs, cut off after %s of its %s, and no retry ever "
                                         "starts",
                                      ml_resil_fmt_ns(a, last), per_s)
                          : "only the first try fits and no retry ever starts";
    else if (never > 0 && !partial)
        outcome = ml_printf(a, "only %lld %s fit and %s", starts, starts == 1 ? "try" : "tries", lost);
    else if (never > 0)
        outcome = ml_printf(a, "only %lld %s start, the last with %s of its %s, and %s", starts,
                            starts == 1 ? "try" : "tries", ml_resil_fmt_ns(a, last), per_s, lost);
    else
        outcome = ml_printf(a, "the last try gets only %s of its %s", ml_resil_fmt_ns(a, last), per_s);

    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(tn),
                           "timeout %s of %s is shorter than its retries can use: 1 try + %lld retr%s "
                           "(attempts: %lld) of up to perTryTimeout %s each take %s%s, so when tries run up to "
                           "their perTryTimeout %s",
                           t_s, ml_resil_route_words(a, ref), p.attempts, p.attempts == 1 ? "y" : "ies",
                           p.attempts, per_s, overflow ? "more than " : "",
                           overflow ? ml_resil_fmt_ns(a, INT64_MAX) : ml_resil_fmt_ns(a, need), outcome);
    ml_note(ctx, d, ml_node_loc(p.attempts_node), "attempts: %lld allows %lld tries", p.attempts, tries);
    ml_note(ctx, d, ml_node_loc(p.per_try_node), "perTryTimeout %s bounds each try", per_s);

    int64_t fit_per = t / tries;
    if (fit_per >= 1000000)
        fit_per -= fit_per % 1000000; /* whole milliseconds: Istio's finest useful unit */
    long long full = (long long)(t / per); /* tries that get their whole perTryTimeout */
    ml_buf b;
    ml_buf_init(&b);
    if (!overflow)
        ml_buf_printf(&b, "raise timeout to %s or more", ml_resil_fmt_ns(a, need));
    if (fit_per > 0)
        ml_buf_printf(&b, "%slower perTryTimeout to %s or less", b.n ? ", or " : "", ml_resil_fmt_ns(a, fit_per));
    if (full >= 2)
        ml_buf_printf(&b, "%slower attempts to %lld", b.n ? ", or " : "", full - 1);
    if (b.n)
        ml_help(ctx, d, "%s, so that every try fits in the timeout", b.s);
    ml_buf_free(&b);
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++) {
            if (vs->routes[i].proto != ML_ROUTE_HTTP)
                continue;
            ml_resil_route_ref ref = {vs, &vs->routes[i]};
            check_route(ctx, &ref);
        }
    }
}

const ml_rule ml_rule_ML202 = {
    .id = "ML202",
    .name = "retry-exceeds-timeout",
    .level = ML_LEVEL_WARNING,
    .summary = "A route's timeout ends the request before the tries its retries allow can run",
    .description =
        "On a VirtualService HTTP route, retries.perTryTimeout bounds each try and timeout bounds the whole "
        "request, retries included. With attempts: a the request may need (a + 1) \xc3\x97 perTryTimeout. "
        "When that is longer than timeout, slow tries use up the request's time and the later retries "
        "never run: timeout: 30s with attempts: 3 and perTryTimeout: 10s leaves room for 3 of the 4 tries. "
        "The configuration promises resilience it cannot deliver, and hides which of the two numbers is "
        "the real limit. (Whether a try cut off by perTryTimeout is retried at all depends on retryOn: 5xx, "
        "gateway-error and reset retry it, gRPC conditions retry only a status the server returned; a slow "
        "try that ends in a retriable failure uses up the time just the same.)\n"
        "\n"
        "The message says how many tries fit. Envoy also waits a short back-off between tries (25 ms at "
        "first), so the real count can only be lower. Durations are read as Istio reads them (\"10s\", "
        "\"500ms\", \"1.5s\", \"1m\"); a route whose values cannot be read is left to ML002.",
    .remediation = "Make timeout at least (attempts + 1) \xc3\x97 perTryTimeout, or lower attempts or "
                   "perTryTimeout until every try fits.",
    .tags = "resilience,retries,timeouts",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "very-high",
    .example_bad = "http:\n"
                   "  - timeout: 30s\n"
                   "    retries:\n"
                   "      attempts: 3\n"
                   "      perTryTimeout: 10s   # 4 tries need 40s\n",
    .example_good = "http:\n"
                    "  - timeout: 40s\n"
                    "    retries:\n"
                    "      attempts: 3\n"
                    "      perTryTimeout: 10s\n",
    .settings = NULL,
    .check = check,
};
