/*
 * resilience_common.h - helpers shared by the resilience rules (ML2xx).
 *
 * The family compares two layers that both try to make calls survive
 * failures: the mesh (a VirtualService route's retries and timeouts, a
 * DestinationRule's outlier detection and connection pool) and the Connectum
 * interceptors of the server behind the host (retry, timeout, circuit
 * breaker, bulkhead). Every rule asks the same questions: which HTTP routes
 * reach the hosts of a linked server's workload, what retry policy each of
 * them really applies (the route's own block or Istio's implicit default),
 * which application failures a retryOn condition retries, what an Istio
 * duration string means, and what number a Connectum option has for one
 * linked workload (code, container env, or the framework default).
 */
#ifndef MESHLINT_RULES_RESILIENCE_COMMON_H
#define MESHLINT_RULES_RESILIENCE_COMMON_H

#include "meshlint/rule.h"

/* ---- Istio durations ---------------------------------------------------- */

/* Parse a duration the way Istio does (Go's time.ParseDuration): one or more
 * decimal numbers, each with an optional fraction and a unit among ns, us
 * (or µs), ms, s, m, h: "10s", "1.5s", "500ms", "1h30m". false for anything
 * else, a negative value or an overflow. */
bool ml_resil_duration(const char *s, int64_t *ns);
/* The duration of a YAML scalar node as Istio accepts it (at least 1ms, in
 * whole milliseconds); false when absent, not a duration, or rejected. */
bool ml_resil_duration_node(const ml_node *n, int64_t *ns);
/* "40s", "1.5s", "250ms", "2m": a compact form of a computed duration. */
const char *ml_resil_fmt_ns(ml_arena *a, int64_t ns);
/* "30000 ms" or "1500.5 ms" for a Connectum duration in milliseconds. */
const char *ml_resil_fmt_ms(ml_arena *a, double ms);

/* ---- application status codes -------------------------------------------- */

/* Bit (1u << code) for the gRPC/Connect codes 1 (Canceled) .. 16
 * (Unauthenticated). */
typedef uint32_t ml_resil_codes;
#define ML_RESIL_CODE(c) ((ml_resil_codes)1u << (c))
enum {
    ML_RESIL_CANCELED = 1,
    ML_RESIL_DEADLINE_EXCEEDED = 4,
    ML_RESIL_ALREADY_EXISTS = 6,
    ML_RESIL_RESOURCE_EXHAUSTED = 8,
    ML_RESIL_ABORTED = 10,
    ML_RESIL_INTERNAL = 13,
    ML_RESIL_UNAVAILABLE = 14
};
/* "Unavailable, ResourceExhausted" in code order. */
const char *ml_resil_codes_text(ml_arena *a, ml_resil_codes c);

/* ---- the mesh's retry policy on a route ----------------------------------- */

typedef enum ml_resil_retry_kind {
    ML_RESIL_RETRY_EXPLICIT,   /* the route's retries block with attempts >= 1 */
    ML_RESIL_RETRY_OFF,        /* retries block with attempts <= 0 (absent attempts count as 0) */
    ML_RESIL_RETRY_ROUTE_DEFAULT, /* an HTTP route without a retries block: Istio's default */
    ML_RESIL_RETRY_NO_VS,      /* no VirtualService for the host: Istio's default */
    ML_RESIL_RETRY_UNKNOWN     /* attempts or the retries block cannot be read */
} ml_resil_retry_kind;

#define ML_RESIL_DEFAULT_ATTEMPTS 2
#define ML_RESIL_DEFAULT_RETRY_ON "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"

typedef struct ml_resil_retry {
    ml_resil_retry_kind kind;
    long long attempts;        /* retries after the first try */
    const ml_node *attempts_node;
    const char *retry_on;      /* the conditions, as written or the default's */
    const ml_node *retry_on_node;
    bool retry_on_known;       /* false: not a string, or a condition meshlint does not know */
    const char *unknown_cond;  /* the condition not known, when retry_on_known is false */
    bool handler_ran;          /* some condition retries a response the handler produced */
    ml_resil_codes grpc;       /* application codes retried when the caller speaks gRPC (grpc-status) */
    ml_resil_codes connect;    /* application codes retried when it speaks the Connect protocol (HTTP status) */
    const ml_node *per_try_node;
    int64_t per_try_ns;        /* 0: none or unknown */
    bool per_try_known;        /* absent counts as known (no per-try timeout) */
} ml_resil_retry;

ml_resil_retry ml_resil_route_retry(ml_arena *a, const ml_route *rt);
ml_resil_retry ml_resil_default_retry(ml_arena *a, ml_resil_retry_kind kind);
/* The retries the policy makes (0 for OFF); -1 for UNKNOWN. */
long long ml_resil_retry_count(const ml_resil_retry *p);

/* How the mesh's conditions meet the application's retryable codes. */
typedef enum ml_resil_overlap {
    ML_RESIL_OVERLAP,          /* the mesh retries failures the application also retries */
    ML_RESIL_OVERLAP_UNKNOWN,  /* retryOn or the application's codes are not known */
    ML_RESIL_DISJOINT,         /* both retry after the handler ran, but not the same codes */
    ML_RESIL_BEFORE_HANDLER    /* the mesh retries only failures before the handler runs */
} ml_resil_overlap;

typedef struct ml_resil_overlap_info {
    ml_resil_overlap kind;
    ml_resil_codes both;       /* app codes the mesh retries too (either protocol) */
    ml_resil_codes grpc_only;  /* of those, only through gRPC status conditions */
    ml_resil_codes connect_only; /* only through HTTP status conditions (Connect protocol) */
} ml_resil_overlap_info;

ml_resil_overlap_info ml_resil_overlap_of(const ml_resil_retry *p, ml_resil_codes app, bool app_known);
/* "Unavailable" or "Unavailable (as HTTP 503 under the Connect protocol)":
 * the codes both layers retry, for messages. */
const char *ml_resil_overlap_text(ml_arena *a, const ml_resil_overlap_info *o);

/* ---- numbers of a Connectum option for one linked workload ---------------- */

typedef struct ml_resil_num {
    bool known;
    double num;
    bool is_default;           /* the Connectum default (option absent) */
    const char *origin;        /* NULL: written in the code; else where it came from */
    ml_loc loc;                /* the value in code or manifest; file NULL for a default */
} ml_resil_num;

/* The value of v for the workload of link l: a number in the code, the
 * container's env (or the code's default for it), or dflt when the option
 * is absent. known is false when it cannot be told. */
ml_resil_num ml_resil_value(const ml_ctx *ctx, const ml_link *l, const ml_val *v, double dflt);
/* "maxRetries 2", "maxRetries 3, the Connectum default", "maxRetries 4 from
 * env MAX_RETRIES (Deployment a/b)" */
const char *ml_resil_num_text(ml_arena *a, const char *name, const ml_resil_num *n, const char *unit);

/* The server's retry interceptor as it runs in the workload of link l. */
typedef struct ml_resil_app_retry {
    long long retries;         /* maxRetries */
    ml_resil_num max;
    ml_resil_codes codes;
    bool codes_known;
    bool codes_default;        /* [Unavailable, ResourceExhausted], the Connectum default */
} ml_resil_app_retry;

/* true when the retry interceptor is certainly on and maxRetries is a known
 * whole number (which may be 0). */
bool ml_resil_app_retry_of(const ml_ctx *ctx, const ml_server *s, const ml_link *l, ml_resil_app_retry *out);
/* "retries on Unavailable, ResourceExhausted (the Connectum default)" */
const char *ml_resil_app_codes_text(ml_arena *a, const ml_resil_app_retry *r);
/* "createDefaultInterceptors({ retry })" or "createRetryInterceptor" */
const char *ml_resil_cfg_words(ml_arena *a, const ml_interceptor_cfg *c, const char *option, const char *factory);

/* ---- where routes and Services meet workloads ------------------------------ */

typedef struct ml_resil_route_ref {
    const ml_virtualservice *vs;
    const ml_route *rt;
} ml_resil_route_ref;

/* The Services selecting a workload are the model's w->services. */
typedef struct ml_resil_index {
    ml_map routes_by_dest;     /* destination fqdn -> ml_vec of ml_resil_route_ref* (HTTP, winners) */
} ml_resil_index;

/* One pass over the winning VirtualServices. */
void ml_resil_index_build(ml_resil_index *ix, ml_ctx *ctx);
void ml_resil_index_free(ml_resil_index *ix);
/* v, or an empty vector when v is NULL (so ML_VEC_EACH can walk it). */
const ml_vec *ml_resil_vec(const ml_vec *v);
/* HTTP routes with a destination on fqdn, in load order, each once (never NULL). */
const ml_vec *ml_resil_routes_to(const ml_resil_index *ix, const char *fqdn);
/* A winning VirtualService bound to the mesh gateway lists the host. */
bool ml_resil_mesh_vs_exists(const ml_model *m, const char *fqdn);
/* Live HTTPRoutes that are producer mesh routes (GAMMA) of the Service
 * whose name is fqdn: a parentRef of kind Service in the route's own
 * namespace (ml_resil_mesh_service). Istio turns each into a VirtualService
 * bound to the mesh gateway for that host (conversion.go,
 * buildHTTPVirtualServices: "for mesh routes, build one VS per
 * namespace+host"). */
ml_vec ml_resil_mesh_routes(const ml_model *m, const char *fqdn);
/* Some mesh route governs calls to fqdn: a VirtualService bound to the
 * mesh gateway, or a producer mesh HTTPRoute. Without one, callers' sidecars
 * apply Istio's default retry policy. */
bool ml_resil_mesh_route_exists(const ml_model *m, const char *fqdn);
/* The workload certainly gets an Istio sidecar. */
bool ml_resil_injected(const ml_model *m, const ml_workload *w);

/* "HTTP route http[0] of VirtualService ns/name" (with the route's name when it has one). */
const char *ml_resil_route_words(ml_arena *a, const ml_resil_route_ref *ref);

/* The Service fqdn a URL's host names when called from namespace ns, or
 * NULL (no host, an IP literal). */
const char *ml_resil_url_fqdn(const ml_ctx *ctx, const char *url, const char *ns);
/* The URL an outbound call uses from the workload of link l, or NULL. */
const char *ml_resil_outbound_url(const ml_ctx *ctx, const ml_link *l, const ml_outbound *o);

/* One finding per pair: true the first time (p1, p2, n) is seen, and
 * remembers it in `seen` (keys in arena a). */
bool ml_resil_first_time(ml_map *seen, ml_arena *a, const void *p1, const void *p2, double n);

/* ---- Gateway API routes as Istio converts them ------------------------------ */

/* One HTTPRoute rule with the timeouts and retries Istio gives the route it
 * builds from it (pilot/pkg/config/kube/gateway/conversion.go,
 * convertHTTPRoute): with a retry block, attempts (2 when absent, Istio's
 * choice for the spec's "implementation-specific"), perTryTimeout =
 * timeouts.backendRequest and timeout = timeouts.request; without one, no
 * retries block (so Istio's default retry policy, route/retry/retry.go
 * ConvertPolicy) and timeout = backendRequest when set, else request. A
 * duration of zero sets nothing. */
typedef struct ml_resil_gw {
    const ml_resource *route;
    const ml_gw_rule *rule;
    const ml_resource *gateway;  /* the Istio Gateway (class istio) it attaches to; NULL: none certain */
    const ml_resource *mesh_service; /* without gateway: the Service of a producer mesh route
                                      * (GAMMA) it attaches to, applied by callers' sidecars */
    const ml_resource *consumer_service; /* without gateway or mesh_service: the Service of another
                                          * namespace a consumer mesh route attaches to, applied by
                                          * the sidecars of callers in the route's namespace only */
    const ml_resource *waypoint; /* a mesh route the Service's waypoint applies (gw_route_waypoint):
                                  * its Gateway; the waypoint retries and times out whatever the
                                  * callers and the backends run */
    bool has_retry;
    long long attempts;          /* with has_retry: retries after the first try; -1 unknown */
    bool attempts_default;       /* retry.attempts absent: 2 */
    int64_t timeout_ns;          /* Istio's route timeout; 0: none */
    const ml_node *timeout_node; /* the field it comes from */
    int64_t per_try_ns;          /* with has_retry: backendRequest; 0: none */
    const ml_node *per_try_node;
    bool known;                  /* false: a duration cannot be read */
} ml_resil_gw;

/* The Gateway the route attaches to when every definition the route may
 * meet is an Istio Gateway (gatewayClassName istio, not a waypoint). */
const ml_resource *ml_resil_istio_gateway(const ml_model *m, const ml_resource *route);
ml_resil_gw ml_resil_gw_rule(const ml_model *m, const ml_resource *route, const ml_gw_rule *rule);
/* The retry policy of the route Istio builds from the rule: without a
 * retry block Istio's default (kind ML_RESIL_RETRY_ROUTE_DEFAULT); with
 * attempts 0 none (OFF); else attempts with retryOn
 * "connect-failure,refused-stream,unavailable,cancelled" plus retry.codes
 * (conversion.go, convertHTTPRoute). Unknown when a value cannot be read. */
ml_resil_retry ml_resil_gw_retry(ml_arena *a, const ml_resil_gw *g);
/* fn for each rule of each live HTTPRoute that an Istio Gateway or, for a
 * mesh route, callers' sidecars apply (g.gateway, g.mesh_service or
 * g.consumer_service set). */
typedef void (*ml_resil_gw_rule_fn)(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule,
                                    const ml_resil_gw *g, void *arg);
void ml_resil_each_gw_rule(ml_ctx *ctx, ml_resil_gw_rule_fn fn, void *arg);
/* The servers behind the rule's backends (gw_each_backend_server) that the
 * rule's proxy reaches: for a mesh route without a waypoint only those
 * whose workload has a sidecar (ambient callers apply it only through a
 * waypoint). */
void ml_resil_gw_servers(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule, const ml_resil_gw *g,
                         void (*fn)(ml_ctx *, const ml_server *, const ml_workload *, void *), void *arg);
/* The Service of another namespace a consumer mesh route attaches to: a
 * parentRef of group "" and kind Service whose namespace certainly differs
 * from the route's, when every definition of it the route may meet is one
 * Service; NULL otherwise. Istio turns it into a VirtualService of the
 * route's namespace for the Service's host (route_collections.go, HTTPRoute
 * collection: "for mesh routes, build one VS per namespace/port->host"),
 * and a sidecar imports the VirtualServices with Gateway API semantics of
 * its own namespace before any other (virtualservice.go,
 * SelectVirtualServices: gwExact first; the first virtual host for a domain
 * wins), so the route governs the calls of the route's namespace to the
 * Service (the consumer override of Gateway API GEP-1426). */
const ml_resource *ml_resil_consumer_service(const ml_model *m, const ml_resource *route);
/* Live consumer mesh HTTPRoutes of namespace ns for the Service whose name
 * is fqdn (ml_resil_consumer_service). */
ml_vec ml_resil_consumer_routes(const ml_model *m, const char *fqdn, const char *ns);
/* "rule 2 of HTTPRoute shop/orders" */
const char *ml_resil_gw_words(ml_arena *a, const ml_resil_gw *g);
/* Who applies the rule: "Gateway istio-system/edge", or for a mesh route
 * the Service's waypoint, or "callers' sidecars (the route is attached to
 * Service shop/orders)", or for a consumer route the sidecars of callers in
 * the route's namespace. */
const char *ml_resil_gw_proxy(ml_arena *a, const ml_resil_gw *g);
/* The Service a producer mesh route attaches to: a parentRef of group ""
 * and kind Service in the route's namespace, when every definition of it
 * the route may meet is one Service; NULL otherwise. A consumer route (its
 * parent Service in another namespace) applies only to callers in the
 * route's namespace (Gateway API GEP-1426) and is not one. */
const ml_resource *ml_resil_mesh_service(const ml_model *m, const ml_resource *route);

#endif
