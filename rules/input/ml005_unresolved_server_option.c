/*
 * ML005 unresolved-server-option: an option of createServer (or of its
 * interceptors) whose value the static evaluator could not determine. It is
 * reported, not guessed, and the message names the rules it leaves blind.
 */
#include <string.h>

#include "meshlint/rule.h"

static const struct {
    const char *what;
    const char *rules;
} BLINDS[] = {
    {"port", "ML404 probe-port-mismatch, ML403 probe-path-not-served and linking by port"},
    {"tls", "ML101 double-encryption and ML106 plaintext-service"},
    {"protocols", "ML403 probe-path-not-served and ML405 grpc-probe-without-health-service"},
    {"interceptors", "ML201 retry-amplification, ML203, ML204 and ML205"},
    {"shutdown", "ML407 grace-period-too-short"},
};

static const char *blinded(const char *what)
{
    for (size_t i = 0; i < sizeof BLINDS / sizeof BLINDS[0]; i++)
        if (what && !strncmp(what, BLINDS[i].what, strlen(BLINDS[i].what)))
            return BLINDS[i].rules;
    return NULL;
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_server *, s, &ctx->model->servers) {
        if (s->in_test)
            continue; /* what a test's server cannot be evaluated blinds no rule */
        ML_VEC_EACH(ml_unknown *, u, &s->unknowns) {
            const char *rules = blinded(u->what);
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, u->loc.file ? u->loc : s->call,
                                   "the value of server option '%s' cannot be known statically (%s)%s%s",
                                   u->what, u->why ? u->why : "not a literal", rules ? "; this blinds " : "",
                                   rules ? rules : "");
            ml_help(ctx, d,
                    "use a literal, a same-file const, or process.env.NAME with a default; or accept that "
                    "meshlint cannot check what depends on it");
        }
    }
}

const ml_rule ml_rule_ML005 = {
    .id = "ML005",
    .name = "unresolved-server-option",
    .level = ML_LEVEL_NOTE,
    .summary = "A createServer option cannot be evaluated statically",
    .description = "meshlint evaluates createServer options through literals, same-file const and let "
                   "bindings, spreads, one level of relative imports and process.env reads with "
                   "defaults. A value computed at run time (a function's parameter, a call into "
                   "configuration code) stays unknown: meshlint never guesses it. A helper function "
                   "with a few return statements is one of what they return. An array or object "
                   "changed after its declaration (push, an assignment to a member) is unknown, not "
                   "its literal.\n"
                   "\n"
                   "In an interceptors list, a call into a package that cannot return a Connectum "
                   "resilience interceptor is not unknown: only @connectum/interceptors exports "
                   "createRetryInterceptor, createTimeoutInterceptor, createCircuitBreakerInterceptor, "
                   "createBulkheadInterceptor and createFallbackInterceptor "
                   "(Connectum-Framework/connectum packages/interceptors/src/index.ts), no other "
                   "@connectum package depends on it (the dependencies in packages/core, auth, otel, "
                   "events and testing package.json), and @connectrpc, @bufbuild and @opentelemetry "
                   "packages sit below Connectum. A call into any other package stays unknown.\n"
                   "\n"
                   "This note names the option and the rules that cannot check it, so that silence "
                   "from those rules is not mistaken for a clean bill of health.",
    .remediation = "Where the value is really fixed, write it where meshlint can read it: a literal, "
                   "a const in the same file, or process.env.NAME ?? default. Otherwise disable this "
                   "note for the line.",
    .tags = "input,connectum",
    .precision = "high",
    .example_bad = "createServer({ services, port: loadConfig().port })",
    .example_good = "createServer({ services, port: Number(process.env.PORT ?? 5000) })",
    .check = check,
};
