/*
 * ts.h - Connectum server records extracted from TypeScript/JavaScript.
 *
 * The extractor finds createServer({...}) calls (and the interceptor, health
 * and transport calls around them), evaluates their options as far as the
 * source allows and records each value with its location. A value the code
 * does not fix statically is ML_VAL_UNKNOWN with the location and the reason;
 * a value read from the environment is ML_VAL_ENV with the variable's name
 * and its default, if any. Nothing is guessed.
 */
#ifndef MESHLINT_TS_H
#define MESHLINT_TS_H

#include "meshlint/base.h"
#include "meshlint/model.h"
#include "meshlint/source.h"

typedef enum ml_val_kind {
    ML_VAL_ABSENT = 0,  /* option not given: the framework default applies */
    ML_VAL_NUM,
    ML_VAL_STR,
    ML_VAL_BOOL,
    ML_VAL_ENV,         /* process.env.NAME, maybe with a default */
    ML_VAL_UNKNOWN
} ml_val_kind;

/* The lists of an ml_val, rarely set (a few values of a run have them):
 * kept out of line so that the thirty-odd values of an ml_server do not
 * carry two empty vectors each (48 bytes). Read through ml_val_env_match
 * and ml_val_alts. */
typedef struct ml_val_lists {
    /* ML_VAL_ENV used as a test (`process.env.X === "true"`,
     * `["true", "1"].includes(process.env.X ?? "")`): the value is a boolean,
     * true exactly when the variable is set to one of these strings (false
     * instead when env_negate); env_default then holds the boolean for an
     * unset variable. Empty: the variable's own value. */
    ml_vec env_match;      /* const char* */
    /* ML_VAL_UNKNOWN that is one of a few values the code does fix (the
     * call sites of a builder function pass different ones, or a condition
     * known only at run time picks one): ml_val* alternatives, each NUM,
     * STR, BOOL, ENV or ABSENT; empty otherwise. */
    ml_vec alts;
} ml_val_lists;

typedef struct ml_val {
    ml_val_kind kind;
    bool b;
    bool env_negate;       /* see ml_val_lists.env_match */
    double num;
    const char *str;
    const char *env;       /* ML_VAL_ENV: variable name */
    struct ml_val *env_default; /* ML_VAL_ENV: the default, or NULL */
    const char *why;       /* ML_VAL_UNKNOWN: what could not be evaluated */
    ml_loc loc;            /* the value expression (or the call when absent) */
    /* env_match and alts, or NULL when both are empty (an ml_server holds
     * about thirty values: 88 bytes each, not 128) */
    const ml_val_lists *lists;
} ml_val;

/* A value's env_match / alts (see ml_val_lists); an empty vector when it
 * has none. */
static inline const ml_vec *ml_val_env_match(const ml_val *v)
{
    static const ml_vec none;
    return v->lists ? &v->lists->env_match : &none;
}
static inline const ml_vec *ml_val_alts(const ml_val *v)
{
    static const ml_vec none;
    return v->lists ? &v->lists->alts : &none;
}

typedef enum ml_tri { ML_NO = 0, ML_YES = 1, ML_MAYBE = 2 } ml_tri;

typedef struct ml_interceptor_cfg {
    ml_tri enabled;        /* ML_MAYBE: conditional or unknown */
    bool from_defaults;    /* configured through createDefaultInterceptors */
    bool codes_known;      /* false when retryableCodes is not a literal list */
    ml_loc loc;            /* where it is configured (the option or the create*Interceptor call) */
    ml_val a, b;           /* retry: maxRetries, (unused)
                              timeout: duration
                              circuitBreaker: threshold, halfOpenAfter
                              bulkhead: capacity, queueSize */
    ml_vec codes;          /* retry: retryableCodes as const char* ("Unavailable"...) ; empty = defaults */
    const char *method_filter; /* inside createMethodFilterInterceptor({pattern: [...]}): the pattern
                                  ("*" for every method); on only for the methods it matches */
} ml_interceptor_cfg;

typedef struct ml_outbound {
    ml_loc loc;
    ml_val url;            /* baseUrl value: literal string or env */
    const char *via;       /* "createConnectTransport", "remoteResolver", "perServiceEnvResolver", "dnsResolver" */
    bool grpc;             /* a gRPC (HTTP/2) transport: createGrpcTransport, or a perServiceEnvResolver /
                              dnsResolver without createTransport (their default, remoteResolver.ts) */
} ml_outbound;

/* enabledServices of a string V that is not set (undefined): parseServicesEnv
 * gives [] (nothing mounted, core/src/enabledServices.ts), V?.split(",")
 * gives undefined (every service mounted, core/src/buildRoutes.ts), and
 * V.split(",") throws a TypeError before the server is built. */
enum { ML_ES_UNSET_NONE, ML_ES_UNSET_ALL, ML_ES_UNSET_THROWS };
/* When the code passes undefined instead of the list (every service
 * mounted): the list is empty, or one of its entries is "*" (the Connectum
 * examples' `isMonolith ? undefined : parsed`). */
enum { ML_ES_ALL_EMPTY = 1, ML_ES_ALL_STAR = 2 };

typedef enum ml_tls_state { ML_TLS_ABSENT, ML_TLS_PRESENT, ML_TLS_CONDITIONAL, ML_TLS_UNKNOWN } ml_tls_state;

typedef struct ml_unknown {
    const char *what;      /* "port", "interceptors", ... */
    const char *why;
    ml_loc loc;
} ml_unknown;

/* Extraction evaluates in a scratch arena reset after each file; every
 * pointer in these records (ml_server, ml_interceptor_cfg, ml_outbound,
 * ml_unknown, ml_val, ml_val_lists) is copied into the model's arena by
 * keep_server() in ts_extract.c (package_name and dir are made there
 * already). A new pointer field must be copied there too. */
typedef struct ml_server {
    ml_file *file;
    ml_loc call;           /* the createServer call (callee name) */
    ml_loc options;        /* the options object literal, when there is one */
    const char *package_name;  /* nearest package.json "name", scope stripped, or NULL */
    const char *dir;       /* directory of file->path */

    /* The small fields are kept together (no padding between them: an
     * ml_server is made per createServer call). */
    ml_tls_state tls;
    ml_tri has_health;     /* Healthcheck(...) among protocols */
    ml_tri has_reflection;
    bool in_test;          /* in a test file (link.c): runs under a test runner, linked to nothing */
    bool health_paths_set;
    bool health_paths_known;
    bool protocols_other;  /* a protocols entry other than Healthcheck/Reflection (a protocol of another
                            * package, an inline registration, or one not understood): it may serve
                            * HTTP paths and services of its own (core/src/buildRoutes.ts: httpHandler) */
    bool interceptors_known;   /* false: some element could not be evaluated */
    bool own_sigterm;          /* the package installs its own process.on("SIGTERM", ...) */
    bool otel_used;            /* initProvider or createOtelInterceptor in the package */
    bool otel_no_tracing;      /* createOtelInterceptor({ withoutTracing: true }): metrics only */
    bool otel_no_metrics;      /* createOtelInterceptor({ withoutMetrics: true }) */
    bool otel_interceptor_maybe; /* the createOtelInterceptor element may be left out at run time */
    uint8_t otel_init;         /* initProvider in the package: 0 none, 1 called unconditionally,
                                * 2 only under a condition (ml_ts_fact.conditional) */
    bool services_shared;  /* the package mounts services in other files and has several servers */
    bool enabled_from_env;       /* enabledServices is a list of a string V: parseServicesEnv(V),
                                    V.split(",") (maybe with .map(trim), .filter(non-empty)), or a
                                    const array of strings (V: its entries joined with commas) */
    bool enabled_trim;           /* entries are trimmed; otherwise one with blanks around it names no
                                    service (core/src/buildRoutes.ts: enabledServices.includes) */
    uint8_t enabled_unset;       /* what an unset V gives: ML_ES_UNSET_* */
    uint8_t enabled_all_when;    /* ML_ES_ALL_* mask: when the code mounts every service instead */

    ml_val port;           /* ABSENT => 5000 */
    ml_val host;           /* ABSENT => 0.0.0.0 */
    ml_loc tls_loc;        /* the `tls: ...` property */
    ml_loc tls_delete;     /* the bytes a fix deletes (property, comma and line when alone) */
    ml_val allow_http1;    /* ABSENT => true */

    ml_loc health_loc;
    ml_val health_http_enabled;  /* ABSENT => false */
    ml_vec health_paths;   /* const char*; empty and !health_paths_set => defaults */

    ml_interceptor_cfg retry, timeout, circuit_breaker, bulkhead, fallback;

    ml_val shutdown_timeout;   /* ABSENT => 30000 (no env variable is read for it) */
    ml_loc shutdown_loc;
    ml_val shutdown_auto;      /* shutdown.autoShutdown; ABSENT => false: no signal handler (Server.ts) */
    ml_loc sigterm_loc;
    ml_val otel_service_name;  /* from initProvider({serviceName}) in the same package */
    ml_loc otel_loc;
    ml_loc otel_used_loc;
    ml_val otel_trust_remote;  /* createOtelInterceptor({trustRemote}); ABSENT => false */
    ml_loc otel_init_loc;
    ml_loc otel_interceptor_loc; /* the createOtelInterceptor call, when among the interceptors */

    ml_vec outbound;       /* ml_outbound* */
    ml_vec services;       /* const ml_ts_fact* ML_FACT_SERVICE: services mounted in its file, or in its
                            * package when the package has no other server (link.c) */
    ml_val transport_validation; /* "error" | "warn" | "off"; ABSENT => "error" (Server.ts start()) */
    ml_val enabled_services;     /* ABSENT => every service is mounted */
    ml_val enabled_list;         /* that V: comma-separated service type names (often an env variable) */
    const char *enabled_sep;     /* V.split(/re/): the literal "/re/flags" (regex.h ml_re_js_split);
                                    NULL: split at "," */
    ml_vec env_names;      /* const char*: every process.env.X the server's options read */
    ml_vec unknowns;       /* ml_unknown* */

    ml_vec links;          /* ml_link* (link.c) */
} ml_server;

typedef struct ml_link {
    ml_server *server;
    ml_workload *workload;
    const ml_container *container; /* the serving container (first app container, or the one whose port matches) */
    const char *reason;    /* "annotation meshlint.io/source", "OTel service name", ... */
    /* internal to link.c: the port, HTTP health, shutdown, OTel name, host
     * and allowHTTP1 settings that depend on the link's container
     * (memo_mask), worked out once when linking is done (NULL until then, or
     * when none does), since the rules ask for them over and over; links
     * with equal settings share one array */
    const struct ml_setting *memo;
} ml_link;

/* Where an effective runtime setting came from. */
typedef struct ml_setting {
    ml_val val;            /* the value (NUM/STR/BOOL), or UNKNOWN, or ABSENT => default */
    const char *source;    /* "code", "env ... in Deployment x", "ConfigMap y", "default" */
    ml_loc loc;
} ml_setting;

/* Tokenize and extract servers from one file; appends to m->servers. */
void ml_ts_extract(ml_model *m, ml_file *f);
/* Extract ```ts / ```yaml blocks from Markdown (with --markdown): YAML blocks
 * become documents, TS blocks are extracted; positions map into the .md. */
void ml_md_extract(ml_model *m, ml_file *f);
/* Link every server to workloads (after ml_model_finish); fills
 * server->links and workload->servers. */
void ml_link_servers(ml_model *m);
/* A test file, not deployable code: a name with .test., .spec. or .e2e. in
 * it, a __tests__ or __mocks__ directory on the path, or a test, tests or
 * e2e directory below the file's package.json. */
bool ml_ts_is_test_file(ml_arena *a, const char *path);

/* Effective settings of a linked server, taking the container's env/envFrom
 * into account where the code reads the environment. */
ml_setting ml_server_port(const ml_model *m, const ml_link *l);
ml_setting ml_server_http_health(const ml_model *m, const ml_link *l);
ml_setting ml_server_shutdown_ms(const ml_model *m, const ml_link *l);
ml_setting ml_server_otel_name(const ml_model *m, const ml_link *l);
/* shutdown.autoShutdown (BOOL; default false: no signal handler), host (STR;
 * code, else env LISTEN, else 0.0.0.0) and allowHTTP1 (BOOL; default true). */
ml_setting ml_server_auto_shutdown(const ml_model *m, const ml_link *l);
ml_setting ml_server_host(const ml_model *m, const ml_link *l);
ml_setting ml_server_allow_http1(const ml_model *m, const ml_link *l);
/* The link's enabledServices as the comma-separated text parseServicesEnv
 * splits (STR), ABSENT when the server mounts every service, UNKNOWN
 * otherwise (enabledServices not a parseServicesEnv call, or its value not
 * known for the link). */
ml_setting ml_link_enabled_services(const ml_model *m, const ml_link *l);
/* The baseUrl outbound call o of the link's server uses from that link
 * (STR), evaluated with the link's container env; UNKNOWN with the reason. */
ml_setting ml_link_outbound_url(const ml_model *m, const ml_link *l, const ml_outbound *o);
/* Is the service type name in that comma-separated list (entries trimmed)? */
bool ml_enabled_list_has(const char *list, const char *type_name);
/* The value of env var name in container c (env first, then envFrom
 * ConfigMaps); ABSENT when not set. */
ml_setting ml_container_env(const ml_model *m, const ml_workload *w, const ml_container *c, const char *name);

/* Equal values (kind, value, env name and default). */
bool ml_val_same(const ml_val *a, const ml_val *b);
/* A value as text for messages: 5000, "x", env PORT (default 5000), or its
 * alternatives ("5000 or 6000"); in the arena. */
const char *ml_val_text(ml_arena *a, const ml_val *v);

/* Evaluate a value to a number when it is NUM or ENV with a numeric default
 * or env resolved; false when unknown. */
bool ml_val_num(const ml_val *v, double *out);

#endif
