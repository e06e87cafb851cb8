/*
 * ML410 bidi-streaming-on-http1: a Connectum server mounts a service with a
 * bidi-streaming method on plaintext HTTP/1.1, so start() throws.
 *
 * Server.start() validates the mounted user services against the effective
 * transport before it listens (core/src/Server.ts, validateTransport in
 * core/src/TransportValidation.ts): no tls and allowHTTP1 true (the
 * default) is plaintext HTTP/1.1, where a bidi-streaming method can never
 * work, and with transportValidation "error" (the default) start() throws
 * CONNECTUM_UNSUPPORTED_STREAMING_TRANSPORT. The methods come from the
 * .proto files in the input; the services a server mounts from
 * defineService / defineLazyService / router.service in its file, or in its
 * package when the package has no other server. Silent when any of that is
 * unknown: tls set or unknown, allowHTTP1 unknown or false for the
 * workload, transportValidation set to anything but "error", an
 * enabledServices that leaves the bidi services out for the workload or is
 * not known for it (parseServicesEnv(V), V.split(","), V?.split(",") and
 * const arrays are evaluated with each workload's environment,
 * ml_link_enabled_services), a service name no .proto in the input declares,
 * or two declarations of it that disagree.
 */
#include "probes_common.h"
#include "meshlint/proto.h"
#include "meshlint/ts_lex.h"

#include <string.h>

static bool bidi(const ml_proto_method *pm) { return pm->client_stream && pm->server_stream; }

/* Where the server serves plaintext HTTP/1.1: by the code alone when it is
 * linked to no workload (returns true, *where NULL), else the workloads
 * whose allowHTTP1 is known to be true (*where lists them; links where it
 * is false or unknown are left out). *shown: the setting to point at. */
static bool plaintext_http1(ml_arena *a, const ml_model *m, const ml_server *s, const ml_vec *bidi_svcs,
                            ml_setting *shown, const char **where)
{
    *where = NULL;
    memset(shown, 0, sizeof *shown);
    if (s->tls != ML_TLS_ABSENT)
        return false;
    if (!s->links.n) {
        if (s->enabled_services.kind != ML_VAL_ABSENT)
            return false; /* what is mounted depends on an environment not in the input */
        if (s->allow_http1.kind == ML_VAL_ABSENT) {
            shown->val.kind = ML_VAL_ABSENT;
            return true;
        }
        if (s->allow_http1.kind != ML_VAL_BOOL || !s->allow_http1.b)
            return false;
        shown->val = s->allow_http1;
        shown->loc = s->allow_http1.loc;
        return true;
    }
    ml_buf names;
    ml_buf_init(&names);
    unsigned n = 0;
    ML_VEC_EACH(const ml_link *, l, &s->links) {
        ml_setting h1 = ml_server_allow_http1(m, l);
        if (h1.val.kind != ML_VAL_BOOL || !h1.val.b)
            continue;
        /* with enabledServices, only where the link mounts a bidi service */
        bool mounts = false;
        ML_VEC_EACH(const ml_proto_service *, ps, bidi_svcs) {
            mounts |= ml_link_mounts_rpc(m, l, ps->type_name, NULL) == ML_YES;
        }
        if (!mounts)
            continue;
        if (!n)
            *shown = h1;
        ml_buf_printf(&names, "%s%s %s/%s", n ? ", " : "", ml_kind_name(l->workload->res->kind),
                      l->workload->res->ns, l->workload->res->name);
        n++;
    }
    if (n)
        *where = ml_strdup(a, names.s);
    ml_buf_free(&names);
    return n > 0;
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (!m->proto_services.n)
        return;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        if (!s->file || s->in_test || s->services_shared || !s->services.n)
            continue;
        const ml_val *tv = &s->transport_validation;
        if (tv->kind != ML_VAL_ABSENT && !(tv->kind == ML_VAL_STR && tv->str && !strcmp(tv->str, "error")))
            continue;
        /* the bidi methods of the mounted services */
        const ml_ts_fact *first_reg = NULL;
        const ml_proto_service *first_svc = NULL;
        const ml_proto_method *first_m = NULL;
        ml_buf list;
        ml_buf_init(&list);
        unsigned nbidi = 0;
        ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
            const ml_proto_service *ps = q->val.str ? ml_proto_find(m, q->val.str) : NULL;
            if (!ps)
                continue;
            for (size_t i = 0; i < ps->nmethods; i++) {
                if (!bidi(&ps->methods[i]))
                    continue;
                if (nbidi < 3)
                    ml_buf_printf(&list, "%s%s.%s", nbidi ? ", " : "", ps->type_name, ps->methods[i].name);
                if (!first_m) {
                    first_reg = q;
                    first_svc = ps;
                    first_m = &ps->methods[i];
                }
                nbidi++;
            }
        }
        if (!nbidi) {
            ml_buf_free(&list);
            continue;
        }
        ml_vec bidi_svcs = {0};
        ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
            const ml_proto_service *ps = q->val.str ? ml_proto_find(m, q->val.str) : NULL;
            for (size_t i = 0; ps && i < ps->nmethods; i++)
                if (bidi(&ps->methods[i])) {
                    ml_vec_push(a, &bidi_svcs, (void *)ps);
                    break;
                }
        }
        ml_setting h1;
        const char *where;
        if (!plaintext_http1(a, m, s, &bidi_svcs, &h1, &where)) {
            ml_buf_free(&list);
            continue;
        }
        if (nbidi > 3)
            ml_buf_printf(&list, " and %u more", nbidi - 3);
        bool h1_default = h1.val.kind == ML_VAL_ABSENT || (h1.source && !strncmp(h1.source, "default", 7));
        const char *h1_text = h1_default ? "allowHTTP1 unset, default true"
                              : h1.source && strcmp(h1.source, "code") != 0
                                  ? ml_printf(a, "allowHTTP1 true from %s", h1.source)
                                  : "allowHTTP1 true";
        const char *tv_text = tv->kind == ML_VAL_ABSENT ? "transportValidation unset, default \"error\""
                                                        : "transportValidation \"error\"";
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, s->call,
                               "createServer mounts bidi-streaming %s %s on plaintext HTTP/1.1 (no tls, %s): "
                               "start() throws CONNECTUM_UNSUPPORTED_STREAMING_TRANSPORT before it listens "
                               "(%s), so the server never serves%s%s",
                               nbidi == 1 ? "method" : "methods", list.s, h1_text, tv_text,
                               where ? " in " : "", where ? where : "");
        ml_buf_free(&list);
        ml_note(ctx, d, first_m->loc, "rpc %s of %s streams both ways (stream request, stream response)",
                first_m->name, first_svc->type_name);
        ml_note(ctx, d, first_reg->loc, "%s mounted here (%s)", first_svc->name, first_reg->via);
        if (h1.loc.file && !h1_default)
            ml_note(ctx, d, h1.loc, "allowHTTP1 true here: node:http without TLS speaks HTTP/1.1 only");
        ml_help(ctx, d,
                "serve h2c with `allowHTTP1: false` (cleartext HTTP/2 carries bidi streams; gRPC clients and "
                "the Istio sidecar speak HTTP/2 to it when the Service port is gRPC), or configure tls");
    }
}

const ml_rule ml_rule_ML410 = {
    .id = "ML410",
    .name = "bidi-streaming-on-http1",
    .level = ML_LEVEL_ERROR,
    .summary = "A Connectum server mounts a bidi-streaming method on plaintext HTTP/1.1: start() throws",
    .description = "Reads the rpc methods of the .proto files in the input and the services each "
                   "Connectum server mounts (defineService, defineLazyService or router.service in the "
                   "server's file, or in its package when the package has no other server), and reports "
                   "a server without tls whose allowHTTP1 is true (the default) that mounts a method "
                   "streaming both ways.\n"
                   "\n"
                   "Server.start() checks the mounted user services against the effective transport "
                   "before it listens (Connectum core/src/Server.ts, validateTransport and "
                   "resolveEffectiveTransport in core/src/TransportValidation.ts): no tls with "
                   "allowHTTP1 true is plaintext HTTP/1.1, on which a bidi-streaming call can never "
                   "work, and with transportValidation \"error\" (the default) start() throws "
                   "CONNECTUM_UNSUPPORTED_STREAMING_TRANSPORT. The server never listens: its pods "
                   "crash or never become ready. With tls and allowHTTP1 true Connectum only warns "
                   "(ALPN may still pick HTTP/1.1), and an h2c server (allowHTTP1: false) carries bidi "
                   "streams. Silent when tls is set or unknown, when allowHTTP1 is unknown or false for "
                   "some workload the server runs in, when transportValidation is \"warn\", \"off\" or "
                   "unknown, for a workload whose enabledServices leaves the bidi services out or is "
                   "unknown (parseServicesEnv(V), V.split(\",\") or V?.split(\",\") of a variable, with "
                   "entries trimmed or not, is evaluated with each workload's environment, as is a "
                   "constant array, and so is `list.length === 0 || list.includes(\"*\") ? undefined : list`, "
                   "the monolith switch of the Connectum examples' topology.ts; core/src/buildRoutes.ts "
                   "mounts only the type names the list holds, exactly, and every service when the list is "
                   "undefined), when a mounted service is declared by no .proto file in the input or by "
                   "two in different packages, and when the package has several servers.",
    .remediation = "Serve h2c (allowHTTP1: false): cleartext HTTP/2 carries bidi streams, and the sidecar "
                   "talks HTTP/2 to the application when the Service port is gRPC.",
    .tags = "lifecycle,availability,connectum,http2,streaming",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "// chat.proto: rpc Converse(stream ConverseRequest) returns (stream ConverseResponse);\n"
                   "createServer({ services: [defineService(ChatService, handlers)] });",
    .example_good = "createServer({ services: [defineService(ChatService, handlers)], allowHTTP1: false });",
    .check = check,
};
