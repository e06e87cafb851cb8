/*
 * ML204 circuit-breaker-without-outlier-detection: a Connectum server breaks
 * circuits in-process while the mesh in front of it never ejects a failing
 * pod. The guide's advice is two layers: Istio's outlierDetection takes bad
 * pods (crashed, hung, unreachable) out of the load-balancing pool, and the
 * application's breaker stops calls in-process: one breaker per interceptor
 * instance, shared by every method it wraps (interceptors/src/
 * circuit-breaker.ts), so a pod's breaker is per pod, not per method. A breaker inside a pod that
 * hangs or is gone cannot answer for it, so with only the inner layer the
 * pod keeps getting its share of requests.
 *
 * For every linked server whose circuit breaker is certainly on, the hosts
 * of its workload's Services are looked up in the DestinationRules; the
 * finding is on the DestinationRule that lacks outlierDetection (anywhere:
 * top level, port level or subset), or on the Service when no rule exists
 * and the workload is in the mesh.
 */
#include "resilience_common.h"

static bool has_outlier(const ml_destrule *dr)
{
    if (dr->outlier_detection)
        return true;
    for (size_t i = 0; i < dr->nport_settings; i++)
        if (ml_is_map(ml_get(dr->port_settings[i].node, "outlierDetection")))
            return true;
    for (size_t i = 0; i < dr->nsubsets; i++)
        if (ml_is_map(ml_get(dr->subsets[i].traffic_policy, "outlierDetection")))
            return true;
    return false;
}

static const char *breaker_words(ml_ctx *ctx, const ml_server *s, const ml_link *l)
{
    ml_arena *a = ctx->arena;
    ml_resil_num th = ml_resil_value(ctx, l, &s->circuit_breaker.a, 5);
    if (!th.known)
        return "the circuit breaker";
    return ml_printf(a, "the circuit breaker (%s)", ml_resil_num_text(a, "threshold", &th, NULL));
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    if (!m->servers.n)
        return;
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (s->circuit_breaker.enabled != ML_YES)
            continue;
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            const ml_workload *w = l->workload;
            if (!w)
                continue;
            ML_VEC_EACH(const ml_service *, svc, &w->services) {
                ml_vec drs = ml_model_destrules_for(m, svc->fqdn);
                const ml_destrule *first = NULL;
                bool covered = false;
                ML_VEC_EACH(const ml_destrule *, dr, &drs) {
                    if (!dr->res->live)
                        continue;
                    if (!first)
                        first = dr;
                    covered |= has_outlier(dr);
                }
                /* a rule whose host may be this one once the apply-time
                 * namespace is bound may be the one that applies */
                ml_vec may = ml_model_destrules_may(m, svc->fqdn);
                ML_VEC_EACH(const ml_destrule *, dr, &may) {
                    covered |= dr->res->live && has_outlier(dr);
                }
                if (covered || (!first && !ml_resil_injected(m, w)))
                    continue;
                if (!ml_resil_first_time(&seen, a, first ? (const void *)first : (const void *)svc, s, 0))
                    continue;

                const char *server = ml_printf(a, "the Connectum server of %s", ml_res_display(a, w->res));
                const char *why = "a pod that crashes, hangs or cannot be reached keeps getting its share of "
                                  "requests, since a breaker inside the pod cannot take its own pod out of "
                                  "the load-balancing pool";
                ml_diag *d;
                if (first) {
                    ml_loc at = first->traffic_policy ? ml_node_loc(first->traffic_policy) : ml_res_loc(first->res);
                    d = ml_report(ctx, ML_LEVEL_NONE, at,
                                  "%s for %s has no outlierDetection, while %s uses %s: only half of the "
                                  "guide's two layers is in place, and %s",
                                  ml_res_display(a, first->res), svc->fqdn, server, breaker_words(ctx, s, l), why);
                } else {
                    d = ml_report(ctx, ML_LEVEL_NONE, ml_res_loc(svc->res),
                                  "no DestinationRule with outlierDetection exists for %s (%s), while %s uses "
                                  "%s: only half of the guide's two layers is in place, and %s",
                                  svc->fqdn, ml_res_display(a, svc->res), server, breaker_words(ctx, s, l), why);
                }
                ml_note(ctx, d, s->circuit_breaker.loc, "%s turns on the circuit breaker",
                        ml_resil_cfg_words(a, &s->circuit_breaker, "circuitBreaker",
                                           "createCircuitBreakerInterceptor"));
                ml_help(ctx, d,
                        "add trafficPolicy.outlierDetection to %s (for example consecutive5xxErrors: 5, "
                        "interval: 30s, baseEjectionTime: 30s, maxEjectionPercent: 50), so that the mesh ejects "
                        "failing pods and the Connectum breaker handles failures inside each pod",
                        first ? ml_res_display(a, first->res)
                              : ml_printf(a, "a new DestinationRule for %s", svc->fqdn));
            }
        }
    }
    ml_map_free(&seen);
}

const ml_rule ml_rule_ML204 = {
    .id = "ML204",
    .name = "circuit-breaker-without-outlier-detection",
    .level = ML_LEVEL_NOTE,
    .summary = "A Connectum server breaks circuits but the host's DestinationRule has no outlierDetection",
    .description =
        "The Connectum guide recommends two layers of circuit breaking: Istio's outlierDetection in the "
        "DestinationRule ejects unhealthy pods from the load-balancing pool (crashed pods, network "
        "failures), and the Connectum circuit breaker interceptor stops calls inside the pod. Connectum "
        "keeps one breaker per interceptor instance, shared by every method that instance wraps (all of "
        "the server's methods, or those a createMethodFilterInterceptor pattern matches): failures of one "
        "method open it for all of them (interceptors/src/circuit-breaker.ts; threshold 5 consecutive "
        "failures, halfOpenAfter 30000 ms by default). A breaker inside a pod cannot take that pod out of "
        "the pool: when the pod hangs or is gone, callers keep sending it their share of requests until "
        "Kubernetes notices.\n"
        "\n"
        "The rule reports a server whose circuit breaker is on (createDefaultInterceptors({ circuitBreaker "
        "}), createCircuitBreakerInterceptor, or one inside createMethodFilterInterceptor({...}), "
        "interceptors/src/method-filter.ts) when no DestinationRule for a host of its workload sets "
        "outlierDetection (at the top level, per port or per subset), or when there is no DestinationRule "
        "and the workload runs in the mesh. While the apply-time namespace is unbound, a rule with "
        "outlierDetection for the same service name in a named namespace may be the one that applies (the "
        "manifests applied with -n into that namespace), and the rule stays silent.",
    .remediation = "Add trafficPolicy.outlierDetection to the host's DestinationRule (or create one), for "
                   "example consecutive5xxErrors: 5, interval: 30s, baseEjectionTime: 30s.",
    .tags = "resilience,circuit-breaking,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# server.ts: createDefaultInterceptors({ circuitBreaker: { threshold: 3 } })\n"
                   "kind: DestinationRule\n"
                   "spec:\n"
                   "  host: order-service\n"
                   "  trafficPolicy:\n"
                   "    connectionPool: { tcp: { maxConnections: 100 } }",
    .example_good = "kind: DestinationRule\n"
                    "spec:\n"
                    "  host: order-service\n"
                    "  trafficPolicy:\n"
                    "    outlierDetection:\n"
                    "      consecutive5xxErrors: 5\n"
                    "      interval: 30s\n"
                    "      baseEjectionTime: 30s",
    .settings = NULL,
    .check = check,
};
