/*
 * ML202 retry-exceeds-timeout: an HTTP route's timeout is shorter than the
 * tries its retry policy allows. The route's `timeout` bounds the whole
 * request, retries included, while `perTryTimeout` bounds each try; with
 * `attempts: a` a request may need (a + 1) × perTryTimeout, and whatever
 * does not fit in `timeout` never runs. The configuration promises retries
 * that, in exactly the case they exist for (tries that hang), cannot
 * happen.
 *
 * HTTPRoute rules with a retry block get the same check, with the fields
 * Istio maps (conversion.go, convertHTTPRoute): timeouts.request is the
 * timeout, timeouts.backendRequest the perTryTimeout, retry.attempts the
 * attempts (2 when absent, counted only on an Istio Gateway).
 *
 * Every VirtualService definition is checked on its own: the contradiction
 * is inside one route, whichever definition wins. Durations are read as
 * Istio reads them (Go duration strings); one that cannot be read keeps the
 * rule silent (ML002 is the rule for invalid values).
 */
#include <string.h>

#include "resilience_common.h"

/* The fields of one route as the message names them. */
typedef struct tries_in {
    const char *words;           /* "HTTP route http[0] of VirtualService a/b" */
    const ml_node *t_node, *per_node, *att_node;
    const char *t_name, *per_name, *att_name; /* "timeout", "perTryTimeout", "attempts" */
    const char *att_text;        /* "attempts: 3" or "retry.attempts absent: 2, Istio's default" */
    int64_t t, per;
    long long attempts;
} tries_in;

static void judge(ml_ctx *ctx, const tries_in *in);

/* Do 1 + attempts tries of up to per each need more than t? */
static bool tries_exceed(int64_t t, int64_t per, long long attempts)
{
    long long tries = attempts + 1;
    if (per <= t / tries)
        return false; /* tries × per <= t: every try fits (t / tries rounds down) */
    int64_t need = per > INT64_MAX / tries ? INT64_MAX : per * tries;
    return need > t;
}

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
    if (!tries_exceed(t, p.per_try_ns, p.attempts))
        return; /* judged before the texts are made: most routes fit */
    tries_in in = {ml_resil_route_words(a, ref), tn, p.per_try_node, p.attempts_node,
                   "timeout", "perTryTimeout", "attempts",
                   ml_printf(a, "attempts: %lld", p.attempts), t, p.per_try_ns, p.attempts};
    judge(ctx, &in);
}

/* An HTTPRoute rule with a retry block: Istio makes timeouts.request the
 * route's timeout and timeouts.backendRequest its perTryTimeout. */
static void check_gw_rule(ml_ctx *ctx, const ml_resource *r, const ml_gw_rule *rule)
{
    ml_arena *a = ctx->arena;
    ml_resil_gw g = ml_resil_gw_rule(ctx->model, r, rule);
    if (!g.known || !g.has_retry || g.attempts <= 0 || g.timeout_ns <= 0 || g.per_try_ns <= 0)
        return;
    if (g.attempts_default && !g.gateway)
        return; /* attempts absent is implementation-specific: only Istio's choice is known */
    tries_in in = {ml_resil_gw_words(a, &g), g.timeout_node, g.per_try_node,
                   g.attempts_default ? rule->retry : rule->retry_attempts,
                   "timeouts.request", "timeouts.backendRequest", "retry.attempts",
                   g.attempts_default
                       ? ml_printf(a, "retry.attempts absent: %lld, Istio's default for HTTPRoute", g.attempts)
                       : ml_printf(a, "retry.attempts: %lld", g.attempts),
                   g.timeout_ns, g.per_try_ns, g.attempts};
    judge(ctx, &in);
}

static void judge(ml_ctx *ctx, const tries_in *in)
{
    ml_arena *a = ctx->arena;
    int64_t t = in->t, per = in->per;
    long long tries = in->attempts + 1;
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

    const char *per_s = ml_str(in->per_node), *t_s = ml_str(in->t_node);
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

    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(in->t_node),
                           "%s %s of %s is shorter than its retries can use: 1 try + %lld retr%s "
                           "(%s) of up to %s %s each take %s%s, so when tries run up to "
                           "their %s %s",
                           in->t_name, t_s, in->words, in->attempts, in->attempts == 1 ? "y" : "ies",
                           in->att_text, in->per_name, per_s, overflow ? "more than " : "",
                           overflow ? ml_resil_fmt_ns(a, INT64_MAX) : ml_resil_fmt_ns(a, need), in->per_name,
                           outcome);
    ml_note(ctx, d, ml_node_loc(in->att_node), "%s allows %lld tries", in->att_text, tries);
    ml_note(ctx, d, ml_node_loc(in->per_node), "%s %s bounds each try%s", in->per_name, per_s,
            strcmp(in->per_name, "perTryTimeout") == 0
                ? ""
                : " (Istio makes it the route's perTryTimeout when a retry block is set)");

    int64_t fit_per = t / tries;
    if (fit_per >= 1000000)
        fit_per -= fit_per % 1000000; /* whole milliseconds: Istio's finest useful unit */
    long long full = (long long)(t / per); /* tries that get their whole perTryTimeout */
    ml_buf b;
    ml_buf_init(&b);
    if (!overflow)
        ml_buf_printf(&b, "raise %s to %s or more", in->t_name, ml_resil_fmt_ns(a, need));
    if (fit_per > 0)
        ml_buf_printf(&b, "%slower %s to %s or less", b.n ? ", or " : "", in->per_name,
                      ml_resil_fmt_ns(a, fit_per));
    if (full >= 2)
        ml_buf_printf(&b, "%slower %s to %lld", b.n ? ", or " : "", in->att_name, full - 1);
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
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_HTTPROUTE]) {
        if (!r->u.route)
            continue;
        for (size_t i = 0; i < r->u.route->nrules; i++)
            check_gw_rule(ctx, r, &r->u.route->rules[i]);
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
        "\"500ms\", \"1.5s\", \"1m\"); a route whose values cannot be read is left to ML002.\n"
        "\n"
        "Gateway API HTTPRoute rules are checked the same way. By the spec (HTTPRouteTimeouts), "
        "timeouts.request covers the whole client transaction, retries included, and "
        "timeouts.backendRequest each call to the backend; Istio turns a rule with a retry block into a "
        "route with timeout = request, retries.perTryTimeout = backendRequest and attempts = retry.attempts, "
        "2 when absent (pilot/pkg/config/kube/gateway/conversion.go, convertHTTPRoute). A rule without a "
        "retry block, or with attempts: 0, has no per-try timeout and is not reported. An absent attempts "
        "is counted as 2 only for routes on an Istio Gateway (gatewayClassName istio): the spec leaves it "
        "to the implementation.",
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
