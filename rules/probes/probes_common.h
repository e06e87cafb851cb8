/*
 * probes_common.h - helpers shared by the probe and lifecycle rules (ML4xx).
 *
 * Every rule of the family asks the same questions: which containers are the
 * application's, which port a probe really hits (a number, or the name of a
 * port of that container), which Connectum server runs in the container and
 * on which port it listens, and how a setting's origin reads in a message.
 */
#ifndef MESHLINT_RULES_PROBES_COMMON_H
#define MESHLINT_RULES_PROBES_COMMON_H

#include "meshlint/rule.h"

/* Not an init container and not the injected istio-proxy. */
bool ml_probes_app_container(const ml_container *c);

/* "livenessProbe", "readinessProbe" or "startupProbe". */
const char *ml_probes_name(const ml_probe *p);

/* The probe's handler key ("httpGet", "grpc", "tcpSocket"), for locations;
 * falls back to the probe's own key. */
ml_loc ml_probes_handler_loc(const ml_probe *p);

/* What a failing probe does to the pod, as the end of a sentence. */
const char *ml_probes_consequence(const ml_probe *p);

/* The port a probe hits, resolved in its own container. */
typedef struct ml_probe_port {
    bool present;          /* the probe names a port at all */
    bool is_name;          /* given as a name (not digits) */
    const char *text;      /* as written */
    long long num;         /* resolved number, -1 when unknown */
    const ml_port *decl;   /* the container port it matched, or NULL */
} ml_probe_port;

ml_probe_port ml_probes_port(const ml_container *c, const ml_probe *p);
/* "grpc (5000)" or "5000", for messages. */
const char *ml_probes_port_text(ml_arena *a, const ml_probe_port *pp);
/* The container declares a port with this number. */
const ml_port *ml_probes_find_port_num(const ml_container *c, long long num);

/* The links between w and the servers running in it, in order (arena vec). */
ml_vec ml_probes_links(ml_arena *a, const ml_workload *w);
/* The first link whose serving container is c, or NULL. */
const ml_link *ml_probes_container_link(const ml_workload *w, const ml_container *c);

/* "the Connectum server in src/server.ts" */
const char *ml_probes_server_text(ml_arena *a, const ml_server *s);

/* The port the linked server listens on. known is false when the code or
 * the environment leaves it unknown; otherwise num is the port (5000, the
 * Connectum default, when nothing sets it); ml_probes_sport_origin says
 * where it came from ("the Connectum default", or the setting's source),
 * made only for a message (every linked probe asks for the port). */
typedef struct ml_probes_sport {
    bool known;
    long long num;
    const char *var; /* the variable the port is read from (ml_probes_env_var) */
    ml_setting s;
} ml_probes_sport;
ml_probes_sport ml_probes_server_port(ml_arena *a, const ml_model *m, const ml_link *l);
const char *ml_probes_sport_origin(ml_arena *a, const ml_probes_sport *sp);

/* A numeric value of a setting (NUM, or a STR of digits). */
bool ml_probes_setting_num(const ml_setting *s, double *out);
/* Where a setting came from, for messages: "the Connectum default", "set in
 * the code", "PORT from ConfigMap ns/x" (var names the variable the value
 * was read from, or NULL), "from env PORT in Deployment ns/x". */
const char *ml_probes_origin(ml_arena *a, const ml_setting *s, const char *var);
/* The environment variable a setting is read from: the one the code names
 * (process.env.X), else the framework's own. */
const char *ml_probes_env_var(const ml_val *code, const char *framework_var);
/* The setting came from somewhere worth a note (not a default). */
bool ml_probes_setting_has_loc(const ml_setting *s);

/* ML403 and ML405: call fn on the startup, liveness and readiness probe, in
 * that order, of every application container a linked Connectum server runs
 * in, when the port that server listens on is known (sp); workloads in load
 * order, links in ml_probes_links order. */
typedef void (*ml_probes_server_probe_fn)(ml_ctx *ctx, const ml_workload *w, const ml_link *l,
                                          const ml_probes_sport *sp, const ml_probe *p);
void ml_probes_each_server_probe(ml_ctx *ctx, ml_probes_server_probe_fn fn);

/* ML407 and ML408: call fn on every link of a long-running workload whose
 * serving container is an application container; workloads in load order,
 * links in ml_probes_links order. */
typedef void (*ml_probes_link_fn)(ml_ctx *ctx, const ml_workload *w, const ml_link *l);
void ml_probes_each_app_link(ml_ctx *ctx, ml_probes_link_fn fn);

/* ML401 (readiness true) and ML402 (liveness): report every application
 * container of a long-running workload that serves traffic (it runs a linked
 * Connectum server, declares a port, or is the only application container of
 * pods a Service selects) and lacks the probe. A container without a server
 * beside another that has the probe is reported only when a Service of the
 * input targets one of its ports. */
void ml_probes_check_missing(ml_ctx *ctx, bool readiness);

#endif
