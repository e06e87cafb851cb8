/*
 * proto.h - the services and methods of .proto files.
 *
 * Only what rules ask of a service is read: its package, its name and, for
 * each rpc, whether the request and the response are streams. Everything
 * else in the file (messages, options, imports) is skipped by brace depth.
 */
#ifndef MESHLINT_PROTO_H
#define MESHLINT_PROTO_H

#include "meshlint/base.h"
#include "meshlint/source.h"

#include <stdbool.h>

typedef struct ml_proto_method {
    const char *name;
    bool client_stream; /* rpc M (stream Req) ... */
    bool server_stream; /* ... returns (stream Res) */
    ml_loc loc;         /* the method's name */
} ml_proto_method;

typedef struct ml_proto_service {
    const char *package;  /* "" when the file declares none */
    const char *name;     /* as declared: GreeterService */
    const char *type_name; /* package + "." + name: acme.v1.GreeterService */
    ml_loc loc;           /* the service's name */
    ml_proto_method *methods;
    size_t nmethods;
} ml_proto_service;

/* Parse one .proto file; appends ml_proto_service* to *out (arena a).
 * Never fails: what it cannot read it skips. */
void ml_proto_parse(ml_arena *a, ml_file *f, ml_vec *out);

struct ml_model;
struct ml_server;

/* The one service the input's .proto files declare under this simple name
 * (declarations of it must agree on the type name), or NULL. */
const ml_proto_service *ml_proto_find(const struct ml_model *m, const char *name);

/* Does Connectum server s mount RPC `service`/`method` (full type name;
 * method NULL: any method of it)? ML_YES or ML_NO only when every service
 * the server mounts is known and declared by a .proto in the input; ML_MAYBE
 * otherwise, and always for grpc.* services (health, reflection and other
 * protocols register those). */
int ml_server_mounts_rpc(const struct ml_model *m, const struct ml_server *s, const char *service,
                         const char *method);

/* The same for one link: a service the code mounts counts only when the
 * link's enabledServices (if any) names it. */
struct ml_link;
int ml_link_mounts_rpc(const struct ml_model *m, const struct ml_link *l, const char *service, const char *method);

/* The same over workloads (ml_workload*): ML_NO when every workload runs a
 * linked Connectum server in every application container and none of
 * those servers mounts the RPC; ML_YES when one does; else ML_MAYBE. */
int ml_workloads_mount_rpc(const struct ml_model *m, const ml_vec *workloads, const char *service,
                           const char *method);

/* Every HTTP path the Connectum servers of these workloads (ml_workload*)
 * answer, appended to *out as const char* without repeats: /<type
 * name>/<method> of each service a link mounts (enabledServices applied),
 * /grpc.health.v1.Health/{Check,Watch,List} and the health httpPaths (when
 * httpEnabled) with Healthcheck(), the v1 and v1alpha ServerReflectionInfo
 * with Reflection() (core/src/buildRoutes.ts: nothing else is answered but
 * Unimplemented or 404). True only when all of it is known: every workload
 * runs a linked server in each application container, every mounted
 * service is declared by a .proto in the input, the protocols are only
 * Healthcheck and Reflection, and their settings are known. */
bool ml_workloads_served_paths(const struct ml_model *m, ml_arena *a, const ml_vec *workloads, ml_vec *out);

#endif
