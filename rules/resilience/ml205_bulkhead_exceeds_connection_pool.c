/*
 * ML205 bulkhead-exceeds-connection-pool: the DestinationRule's connection
 * pool lets fewer requests through than the Connectum bulkheads behind the
 * host would admit. Envoy's http2MaxRequests caps the requests a calling
 * sidecar keeps open to the host (for HTTP/1.1 and HTTP/2 alike) and
 * answers 503 to the rest at once, so the application's bulkhead, with its
 * queue and its own rejection, never gets to work for that caller.
 *
 * What the bulkheads admit is, per workload behind the Service,
 * (capacity + queueSize) per pod × the pods: spec.replicas (1 when absent,
 * the Kubernetes default), or the minReplicas of a HorizontalPodAutoscaler
 * that scales the workload. Every workload behind the Service must have a
 * known bulkhead for the total to be exact; otherwise the rule stays
 * silent. A DestinationRule with connection pools per port or per subset is
 * skipped: which pool a request meets is then not one number.
 */
#include <string.h>

#include "resilience_common.h"

#define MAX_ADMIT 1e15

typedef struct pod_note {
    const ml_node *node;
    const char *msg;
} pod_note;

typedef struct admit {
    bool known;
    double total;
    ml_buf words;              /* "Deployment a: (capacity 10 + queueSize 10) × 3 replicas = 60; ..." */
    ml_vec servers;            /* ml_server* (distinct), for notes */
    ml_vec replica_locs;       /* pod_note*: the replicas or minReplicas that count the pods */
} admit;

static const ml_resource *hpa_for(const ml_map *hpas, ml_arena *a, const ml_workload *w)
{
    (void)a;
    if (!hpas->n)
        return NULL; /* no HorizontalPodAutoscaler in the input */
    const char *parts[] = {w->res->ns, w->res->kind_str, w->res->name};
    ml_key key;
    ml_key_join(&key, '/', 3, parts);
    const ml_resource *hpa = ml_map_get(hpas, key.s, key.n);
    ml_key_done(&key);
    return hpa;
}

/* Pods of w: false when not known. *node is the field that says so. */
static bool pods_of(const ml_map *hpas, ml_arena *a, const ml_workload *w, long long *n, const char **how,
                    const ml_node **node)
{
    *node = NULL;
    const ml_resource *hpa = hpa_for(hpas, a, w);
    if (hpa) {
        const ml_node *mn = ml_get(hpa->spec, "minReplicas");
        if (mn && !ml_is_null(mn)) {
            if (!ml_int(mn, n) || *n < 1)
                return false;
            *how = ml_printf(a, "the minReplicas of %s", ml_res_display(a, hpa));
            *node = mn;
        } else {
            *n = 1;
            *how = ml_printf(a, "%s sets no minReplicas, so 1", ml_res_display(a, hpa));
            *node = hpa->kind_node;
        }
        return true;
    }
    switch (w->res->kind) {
    case ML_K_POD:
        *n = 1;
        *how = NULL;
        return true;
    case ML_K_DEPLOYMENT:
    case ML_K_STATEFULSET:
    case ML_K_REPLICASET:
        if (!w->replicas || ml_is_null(w->replicas)) {
            *n = 1;
            *how = "spec.replicas is not set, the Kubernetes default";
            return true;
        }
        *node = w->replicas;
        *how = NULL;
        return ml_int(w->replicas, n) && *n >= 0;
    default:
        return false; /* DaemonSet: one per node; Job: not serving */
    }
}

static bool bulkhead_of(ml_ctx *ctx, const ml_server *s, const ml_link *l, ml_resil_num *cap, ml_resil_num *q)
{
    if (s->bulkhead.enabled != ML_YES)
        return false;
    *cap = ml_resil_value(ctx, l, &s->bulkhead.a, 10);
    *q = ml_resil_value(ctx, l, &s->bulkhead.b, 10);
    return cap->known && q->known && cap->num >= 0 && q->num >= 0 && cap->num < MAX_ADMIT && q->num < MAX_ADMIT;
}

static void admit_of(ml_ctx *ctx, const ml_map *hpas, const ml_service *svc, admit *ad)
{
    ml_arena *a = ctx->arena;
    ad->known = false;
    ad->total = 0;
    if (!svc->workloads.n)
        return;
    ML_VEC_EACH(const ml_workload *, w, &svc->workloads) {
        const ml_server *s = NULL;
        const ml_link *l = NULL;
        size_t bulkheads = 0;
        ML_VEC_EACH(const ml_server *, ws, &w->servers) {
            ML_VEC_EACH(const ml_link *, wl, &ws->links) {
                if (wl->workload == w) {
                    s = ws;
                    l = wl;
                    bulkheads++;
                }
            }
        }
        ml_resil_num cap, q;
        if (bulkheads != 1 || !bulkhead_of(ctx, s, l, &cap, &q))
            return; /* no server, several, or no known bulkhead: the total is not known */
        long long pods;
        const char *how;
        const ml_node *pn;
        if (!pods_of(hpas, a, w, &pods, &how, &pn))
            return;
        double per = cap.num + q.num, sub = per * (double)pods;
        if (sub >= MAX_ADMIT)
            return;
        ad->total += sub;
        const char *dflt = cap.is_default && q.is_default ? ", the Connectum defaults"
                           : cap.is_default             ? ", capacity the Connectum default"
                           : q.is_default               ? ", queueSize the Connectum default"
                                                        : "";
        ml_buf_printf(&ad->words, "%s%s: (capacity %s + queueSize %s%s) \xc3\x97 %lld pod%s%s%s%s = %s",
                      ad->words.n ? "; " : "", ml_res_display(a, w->res), ml_printf(a, "%.0f", cap.num),
                      ml_printf(a, "%.0f", q.num), dflt, pods, pods == 1 ? "" : "s", how ? " (" : "",
                      how ? how : "", how ? ")" : "", ml_printf(a, "%.0f", sub));
        bool dup = false;
        for (size_t i = 0; i < ad->servers.n && !dup; i++)
            dup = ad->servers.items[i] == s;
        if (!dup)
            ml_vec_push(a, &ad->servers, (void *)s);
        if (pn) {
            pod_note *pnote = ml_zalloc(a, sizeof *pnote);
            pnote->node = pn;
            const ml_resource *hpa = hpa_for(hpas, a, w);
            pnote->msg = hpa ? ml_printf(a, "%s keeps %s at %lld pod%s or more", ml_res_display(a, hpa),
                                         ml_res_display(a, w->res), pods, pods == 1 ? "" : "s")
                             : ml_printf(a, "%s runs %lld pod%s", ml_res_display(a, w->res), pods,
                                         pods == 1 ? "" : "s");
            ml_vec_push(a, &ad->replica_locs, pnote);
        }
    }
    ad->known = true;
}

static bool pools_split(const ml_destrule *dr)
{
    for (size_t i = 0; i < dr->nport_settings; i++)
        if (ml_get(dr->port_settings[i].node, "connectionPool"))
            return true;
    for (size_t i = 0; i < dr->nsubsets; i++)
        if (ml_get(dr->subsets[i].traffic_policy, "connectionPool"))
            return true;
    return false;
}

static void check_service(ml_ctx *ctx, const ml_map *hpas, ml_map *seen, const ml_service *svc)
{
    ml_arena *a = ctx->arena;
    ml_model *m = ctx->model;
    if (ml_map_gets(seen, svc->fqdn))
        return;
    ml_map_put(seen, svc->fqdn, strlen(svc->fqdn), (void *)1);
    ml_vec drs = ml_model_destrules_for(m, svc->fqdn);
    admit ad;
    memset(&ad, 0, sizeof ad);
    ml_buf_init(&ad.words);
    bool computed = false;
    ML_VEC_EACH(const ml_destrule *, dr, &drs) {
        const ml_node *limit_node = ml_get(ml_get(dr->connection_pool, "http"), "http2MaxRequests");
        long long limit;
        if (!limit_node || !ml_int(limit_node, &limit) || limit < 1 || pools_split(dr))
            continue;
        if (!computed) {
            admit_of(ctx, hpas, svc, &ad);
            computed = true;
        }
        if (!ad.known || (double)limit >= ad.total)
            continue;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(limit_node),
                               "http2MaxRequests %lld of %s lets a calling sidecar keep at most %lld requests "
                               "open to %s and answer 503 to any more at once, while the Connectum bulkheads "
                               "behind it admit %.0f (%s): for a single caller the mesh rejects before the "
                               "application's bulkhead ever engages",
                               limit, ml_res_display(a, dr->res), limit, svc->fqdn, ad.total, ad.words.s);
        ML_VEC_EACH(const ml_server *, s, &ad.servers)
            ml_note(ctx, d, s->bulkhead.loc, "%s turns on the bulkhead",
                    ml_resil_cfg_words(a, &s->bulkhead, "bulkhead", "createBulkheadInterceptor"));
        ML_VEC_EACH(const pod_note *, pnote, &ad.replica_locs)
            ml_note(ctx, d, ml_node_loc(pnote->node), "%s", pnote->msg);
        ml_help(ctx, d,
                "raise http2MaxRequests to at least %.0f, or lower the bulkhead's capacity and queueSize so "
                "that the mesh limit stays the outer one by design",
                ad.total);
    }
    ml_buf_free(&ad.words);
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n)
        return;
    ml_arena *a = ctx->arena;
    /* HorizontalPodAutoscalers by target, one pass. */
    ml_map hpas;
    ml_map_init(&hpas);
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_OTHER]) {
        if (!r->live || !ml_streq(r->kind_str, "HorizontalPodAutoscaler"))
            continue;
        const ml_node *ref = ml_get(r->spec, "scaleTargetRef");
        const char *kind = ml_str_nonnull(ml_get(ref, "kind")), *name = ml_str_nonnull(ml_get(ref, "name"));
        if (!kind || !name)
            continue;
        const char *key = ml_printf(a, "%s/%s/%s", r->ns, kind, name);
        ml_map_put(&hpas, key, strlen(key), r);
    }
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (s->bulkhead.enabled != ML_YES)
            continue;
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            if (!l->workload)
                continue;
            ML_VEC_EACH(const ml_service *, svc, &l->workload->services)
                check_service(ctx, &hpas, &seen, svc);
        }
    }
    ml_map_free(&seen);
    ml_map_free(&hpas);
}

const ml_rule ml_rule_ML205 = {
    .id = "ML205",
    .name = "bulkhead-exceeds-connection-pool",
    .level = ML_LEVEL_NOTE,
    .summary = "The DestinationRule's http2MaxRequests is below what the Connectum bulkheads admit",
    .description =
        "The Connectum bulkhead interceptor (createDefaultInterceptors({ bulkhead }) or "
        "createBulkheadInterceptor) admits capacity concurrent calls per pod and queues queueSize more "
        "(10 and 10 by default) before it rejects. The DestinationRule's "
        "connectionPool.http.http2MaxRequests caps the requests a calling sidecar keeps open to the host, "
        "for HTTP/1.1 and HTTP/2 alike, and answers 503 to any more at once.\n"
        "\n"
        "When that cap is below what the bulkheads behind the host admit, (capacity + queueSize) per pod "
        "times the pods of every workload behind the Service, the mesh rejects a busy caller's requests "
        "before any bulkhead fills: the application's queueing and its own rejection never engage, and "
        "the 503s come from the proxy. The pods are spec.replicas (1 when absent), or the minReplicas of "
        "a HorizontalPodAutoscaler scaling the workload.\n"
        "\n"
        "The limit is per calling sidecar, so several callers together can still fill the bulkheads; the "
        "finding is a note. http1MaxPendingRequests bounds only the requests waiting for a connection, "
        "which depends on connection counts, so it is not compared.",
    .remediation = "Raise http2MaxRequests to at least what the bulkheads admit, or size the bulkhead "
                   "smaller so that the two limits are layered on purpose.",
    .tags = "resilience,bulkhead,connection-pool,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "medium",
    .example_bad = "# 3 replicas with createDefaultInterceptors({ bulkhead: { capacity: 20, queueSize: 10 } })\n"
                   "trafficPolicy:\n"
                   "  connectionPool:\n"
                   "    http:\n"
                   "      http2MaxRequests: 50   # the bulkheads admit 90",
    .example_good = "trafficPolicy:\n"
                    "  connectionPool:\n"
                    "    http:\n"
                    "      http2MaxRequests: 100",
    .settings = NULL,
    .check = check,
};
