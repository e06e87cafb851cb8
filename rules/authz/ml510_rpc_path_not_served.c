/*
 * ML510 rpc-path-not-served: an AuthorizationPolicy path in gRPC form
 * (/<package>.<Service>/<Method>, or a star for every method) that names a
 * service, or a method of it, that no Connectum server behind the policy
 * mounts. Istio compares request paths as strings (exact, prefix "x*",
 * suffix "*x": security/pkg/authz/matcher/string.go via
 * pilot/pkg/security/authz/model/permission.go), and a gRPC call's path is
 * /<service type name>/<method> (the gRPC and Connect protocols). A path no
 * call has never matches: an ALLOW rule admits nothing through it, a DENY
 * rule blocks nothing.
 *
 * What a server mounts comes from the .proto files in the input and the
 * services the code mounts (proto.h, ml_server_mounts_rpc). Judged only when
 * every workload the policy selects runs a linked Connectum server in every
 * application container and each of those servers' mounts is fully known;
 * grpc.* services (health, reflection) are never judged.
 */
#include <string.h>

#include "authz_common.h"
#include "meshlint/proto.h"
#include "meshlint/ts_lex.h"

/* A protobuf identifier: a letter or _, then letters, digits or _. */
static bool ident(const char *s, size_t n)
{
    if (!n || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_'))
            return false;
    return true;
}

/* A service type name: dot-separated identifiers ("acme.orders.v1.Orders";
 * ".well-known" is none). */
static bool type_name(const char *s)
{
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        if (!ident(s, n))
            return false;
        if (!dot)
            return true;
        s = dot + 1;
    }
}

/* "/svc/method", or "/svc/" plus a star -> svc and method (NULL for the star). */
static bool split_rpc(ml_arena *a, const char *p, const char **svc, const char **method)
{
    if (p[0] != '/')
        return false;
    const char *slash = strchr(p + 1, '/');
    if (!slash || slash == p + 1 || memchr(p, '*', (size_t)(slash - p)) || !strchr(p + 1, '.'))
        return false;
    const char *m = slash + 1;
    if (strchr(m, '/') || !*m)
        return false;
    if (!strcmp(m, "*"))
        *method = NULL;
    else if (strchr(m, '*'))
        return false;
    else
        *method = m;
    if (*method && !ident(*method, strlen(*method)))
        return false;
    *svc = ml_strndup(a, p + 1, (size_t)(slash - p - 1));
    /* a package: "/orders/get" is ML507's; "/.well-known/x" is no RPC */
    return strchr(*svc, '.') != NULL && type_name(*svc);
}

/* The ports the linked Connectum servers of w listen on (the Connectum
 * default 5000 when the option is absent); false when one is not known. */
static bool server_ports(const ml_model *m, const ml_workload *w, long long *ports, size_t *n, size_t cap)
{
    *n = 0;
    ML_VEC_EACH(const ml_server *, s, &w->servers) {
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            if (l->workload != w)
                continue;
            ml_setting ps = ml_server_port(m, l);
            double d = 5000;
            if (ps.val.kind != ML_VAL_ABSENT && !(ps.val.kind == ML_VAL_NUM && (d = ps.val.num, true)))
                return false;
            if (*n == cap)
                return false;
            ports[(*n)++] = (long long)d;
        }
    }
    return *n > 0;
}

/* The operation applies to the Connectum server of every workload: no
 * `ports` (or one that lists a server's port) and no `notPorts` that lists
 * one. Istio matches ports against the destination port of the connection
 * (pilot/pkg/security/authz/model/generator.go destPortGenerator), and a
 * pod may serve other listeners beside the Connectum server (a JWKS or a
 * metrics endpoint), whose paths are no RPCs. */
static bool op_reaches_servers(const ml_model *m, const ml_node *op, const ml_vec *ws)
{
    const ml_node *ports = ml_get(op, "ports"), *not_ports = ml_get(op, "notPorts");
    if (!ports && !not_ports)
        return true;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        long long sp[16];
        size_t n;
        if (!server_ports(m, w, sp, &n, 16))
            return false;
        bool listed = !ports;
        for (size_t i = 0; ml_is_seq(ports) && i < ml_node_n(ports) && !listed; i++) {
            long long p;
            if (!ml_int(&ports->elems[i], &p))
                return false;
            for (size_t k = 0; k < n && !listed; k++)
                listed = sp[k] == p;
        }
        if (!listed || (ports && !ml_is_seq(ports)))
            return false;
        for (size_t i = 0; ml_is_seq(not_ports) && i < ml_node_n(not_ports); i++) {
            long long p;
            if (!ml_int(&not_ports->elems[i], &p))
                return false;
            for (size_t k = 0; k < n; k++)
                if (sp[k] == p)
                    return false;
        }
        if (not_ports && !ml_is_seq(not_ports))
            return false;
    }
    return true;
}

/* The closest mounted service type name (or method of svc), for "did you mean". */
static const char *closest(const ml_model *m, const ml_vec *ws, const char *svc, const char *method,
                           const ml_proto_service **mounted_svc)
{
    const char *best = NULL;
    unsigned bd = 4;
    *mounted_svc = NULL;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        ML_VEC_EACH(const ml_server *, s, &w->servers) {
            ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
                const ml_proto_service *ps = q->val.str ? ml_proto_find(m, q->val.str) : NULL;
                if (!ps)
                    continue;
                if (!strcmp(ps->type_name, svc)) {
                    *mounted_svc = ps;
                    for (size_t i = 0; method && i < ps->nmethods; i++) {
                        unsigned d = ml_edit_distance(method, ps->methods[i].name, bd);
                        if (d < bd) {
                            bd = d;
                            best = ps->methods[i].name;
                        }
                    }
                    return best;
                }
                unsigned d = ml_edit_distance(svc, ps->type_name, bd);
                if (d < bd) {
                    bd = d;
                    best = ps->type_name;
                }
            }
        }
    }
    return best;
}

static void check_list(ml_ctx *ctx, const ml_resource *r, const ml_authz *p, const ml_node *list, bool negated,
                       const ml_vec *ws)
{
    const ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list); i++) {
        const char *path = ml_str_nonnull(&list->elems[i]);
        const char *svc, *method;
        if (!path || !split_rpc(a, path, &svc, &method))
            continue;
        if (ml_workloads_mount_rpc(m, ws, svc, method) != ML_NO)
            continue;
        const ml_proto_service *ms = NULL;
        const char *near = closest(m, ws, svc, method, &ms);
        const char *where = ws->n == 1 ? ml_res_display(a, ((const ml_workload *)ws->items[0])->res)
                                       : ml_authz_workload_list(a, ws, 3);
        bool has_method = ms && !method;
        for (size_t k = 0; ms && method && k < ms->nmethods; k++)
            has_method |= !strcmp(ms->methods[k].name, method);
        const char *what =
            ms && !has_method
                ? ml_printf(a, "method %s of %s, which the Connectum servers in %s mount without such a method", method,
                            svc, where)
            : ms ? ml_printf(a, "service %s, which the Connectum servers in %s mount in code but leave out of "
                                "enabledServices",
                             svc, where)
                 : ml_printf(a, "service %s, which no Connectum server in %s mounts", svc, where);
        const char *effect = negated                         ? "excludes no call"
                             : p->action == ML_AUTHZ_ALLOW   ? "admits no call"
                             : p->action == ML_AUTHZ_DENY    ? "blocks no call"
                                                             : "matches no call";
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&list->elems[i]), "%s \"%s\" of %s names %s: it %s",
                               negated ? "notPaths entry" : "path", path, ml_res_display(a, r), what, effect);
        if (ms && !has_method)
            ml_note(ctx, d, ms->loc, "%s declares %zu method%s here", ms->type_name, ms->nmethods,
                    ms->nmethods == 1 ? "" : "s");
        if (ms && has_method)
            ml_help(ctx, d, "%s is not mounted there: list it in that workload's enabledServices, or drop the path",
                    svc);
        else if (near)
            ml_help(ctx, d, "did you mean %s?", ms ? ml_printf(a, "/%s/%s", svc, near) : ml_printf(a, "/%s/%s", near, method ? method : "*"));
    }
}

static void check_operation(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_node *paths,
                            const ml_node *not_paths, const ml_node *op, const ml_vec *ws)
{
    (void)arg;
    if (!op_reaches_servers(ctx->model, op, ws))
        return;
    check_list(ctx, r, r->u.authz, paths, false, ws);
    check_list(ctx, r, r->u.authz, not_paths, true, ws);
}

static void check(ml_ctx *ctx)
{
    if (!ctx->model->proto_services.n)
        return;
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        if (r->u.authz && r->u.authz->action != ML_AUTHZ_INVALID)
            ml_authz_each_path_operation(ctx, r, check_operation, NULL);
    }
}

const ml_rule ml_rule_ML510 = {
    .id = "ML510",
    .name = "rpc-path-not-served",
    .level = ML_LEVEL_WARNING,
    .summary = "An AuthorizationPolicy path names an RPC that no Connectum server behind it mounts",
    .description = "Reads to.operation.paths and notPaths entries of the form "
                   "/<package>.<Service>/<Method> or /<package>.<Service>/* and reports one that names a "
                   "service, or a method of a mounted service, that no Connectum server behind the policy "
                   "mounts.\n"
                   "\n"
                   "A gRPC or Connect call's HTTP path is /<service type name>/<method>, and Istio "
                   "compares it with the policy's paths as strings: exact, prefix (\"x*\") or suffix "
                   "(\"*x\") (istio security/pkg/authz/matcher and "
                   "pilot/pkg/security/authz/model/permission.go). A path that no call can have never "
                   "matches: an ALLOW rule admits no call through it, a DENY rule blocks none. A typo in "
                   "a package or service name is the usual cause, or a service renamed in its .proto. "
                   "The services a server mounts come from defineService, defineLazyService or "
                   "router.service in its package and the .proto files in the input that declare them "
                   "(see ML410). Judged only when every workload the policy selects runs a linked "
                   "Connectum server in every application container and every service those servers "
                   "mount is declared by a .proto in the input; grpc.* services (health, reflection) "
                   "are never judged, since protocols mount them. A path is read as an RPC only when its service part "
                   "is dot-separated identifiers with a package and its method an identifier "
                   "(\"/.well-known/jwks.json\" is not one). An operation with ports or notPorts is judged "
                   "only when it reaches the linked servers' ports on every workload: Istio matches them "
                   "against the connection's destination port (pilot/pkg/security/authz/model/generator.go, "
                   "destPortGenerator), and a pod may serve other listeners (a JWKS or metrics endpoint) "
                   "beside the Connectum server.",
    .remediation = "Write the path as the service's full type name from its .proto (package plus service "
                   "name) and the method's name as declared.",
    .tags = "authorization,security,connectum,grpc",
    .istio_code = NULL,
    .security_severity = 5.0,
    .precision = "high",
    .example_bad = "# orders.proto: package acme.orders.v1; service OrderService { rpc Get(...) ... }\n"
                   "to:\n"
                   "  - operation:\n"
                   "      paths: [\"/acme.orders.v1.OrdersService/Get\"]",
    .example_good = "to:\n"
                    "  - operation:\n"
                    "      paths: [\"/acme.orders.v1.OrderService/Get\"]",
    .check = check,
};
