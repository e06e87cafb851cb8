/*
 * ML507 grpc-path-format: `to.operation.paths` (or notPaths) on a workload
 * that serves gRPC/Connect, written in a form no RPC path has. An RPC's
 * HTTP path is /<package>.<Service>/<Method>, so "/orders", "/api/v1/orders"
 * or the prefix "/orders/" never match: an ALLOW rule admits nothing, a DENY
 * rule blocks nothing.
 *
 * A workload serves gRPC/Connect when a Connectum server is linked to it or
 * a Service port in front of it says so (appProtocol grpc, or a name grpc /
 * grpc-*). A path is judged only when every workload the policy selects
 * serves gRPC on every port the operation can reach (the operation's
 * `ports`, or all the container ports when it names none): a REST port next
 * to the gRPC one makes "/api/orders" legitimate. Connectum's HTTP health
 * paths (and the configured ones of linked servers) are served on the same
 * port and are accepted.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authz_common.h"

/* ---- the path form ------------------------------------------------------ */

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Every char of s[0..n) is an identifier char or (when dots) a '.'. */
static bool all_chars(const char *s, size_t n, bool dots)
{
    for (size_t i = 0; i < n; i++)
        if (!ident_char(s[i]) && !(dots && s[i] == '.'))
            return false;
    return true;
}

/* A full service name: dotted identifiers, no empty part. With a package
 * (a dot) any case; without one, PascalCase as protobuf style has it, so that
 * "/api/orders" is not mistaken for a package-less service. */
static bool service_name(const char *s, size_t n, bool method_upper)
{
    if (n == 0 || !all_chars(s, n, true) || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 1; i < n; i++)
        if (s[i] == '.' && s[i - 1] == '.')
            return false;
    if (memchr(s, '.', n))
        return true;
    return isupper((unsigned char)s[0]) && method_upper;
}

static bool exact_rpc_path(const char *p)
{
    if (p[0] != '/')
        return false;
    const char *slash = strchr(p + 1, '/');
    if (!slash)
        return false;
    const char *method = slash + 1;
    size_t ml = strlen(method);
    if (ml == 0 || !all_chars(method, ml, false))
        return false;
    return service_name(p + 1, (size_t)(slash - p - 1), isupper((unsigned char)method[0]));
}

/* "X*": X must begin some RPC path. */
static bool prefix_ok(const char *x, size_t n)
{
    if (n == 0)
        return true;
    if (x[0] != '/')
        return false;
    const char *rest = x + 1;
    size_t rn = n - 1;
    const char *slash = memchr(rest, '/', rn);
    if (!slash)
        return all_chars(rest, rn, true);
    size_t sn = (size_t)(slash - rest), mn = rn - sn - 1;
    if (!all_chars(slash + 1, mn, false))
        return false;
    /* The method part may be empty or partial: accept either case for it. */
    return service_name(rest, sn, mn == 0 || isupper((unsigned char)slash[1]));
}

/* "*X": X must end some RPC path. */
static bool suffix_ok(const char *x, size_t n)
{
    if (n == 0)
        return true;
    const char *slash = memchr(x, '/', n);
    if (!slash)
        return all_chars(x, n, false);
    size_t before = (size_t)(slash - x), mn = n - before - 1;
    if (mn == 0 || !all_chars(slash + 1, mn, false))
        return false;
    return all_chars(x, before, true);
}

static bool rpc_form(const char *p)
{
    size_t n = strlen(p);
    if (strcmp(p, "*") == 0)
        return true;
    if (n > 1 && p[n - 1] == '*' && !memchr(p, '*', n - 1))
        return prefix_ok(p, n - 1);
    if (n > 1 && p[0] == '*' && !strchr(p + 1, '*'))
        return suffix_ok(p + 1, n - 1);
    if (strchr(p, '*'))
        return false;
    return exact_rpc_path(p);
}

/* ---- which workloads serve gRPC, on which ports ------------------------- */

typedef struct grpc_info {
    bool serves;             /* gRPC/Connect on some port */
    ml_vec ports;            /* (void*)(intptr_t) container port numbers that serve it */
    bool port_unknown;       /* a gRPC port that could not be resolved to a number */
    const char *why;         /* how we know, for the message */
    ml_loc why_loc;
    bool health_any_single;  /* a linked server's HTTP health paths are unknown */
    ml_vec health_paths;     /* const char* accepted besides RPC paths */
} grpc_info;

static void add_port(ml_arena *a, grpc_info *g, long long p)
{
    for (size_t i = 0; i < g->ports.n; i++)
        if ((intptr_t)g->ports.items[i] == (intptr_t)p)
            return;
    ml_vec_push(a, &g->ports, (void *)(intptr_t)p);
}

static bool has_port(const grpc_info *g, long long p)
{
    for (size_t i = 0; i < g->ports.n; i++)
        if ((intptr_t)g->ports.items[i] == (intptr_t)p)
            return true;
    return false;
}

static bool grpc_port_name(const char *n)
{
    return n && (strcmp(n, "grpc") == 0 || ml_starts_with(n, "grpc-"));
}

/* The container port a Service port targets on w, or -1. */
static long long target_container_port(const ml_workload *w, const ml_svc_port *sp)
{
    long long num;
    if (!sp->target_port)
        return sp->num;
    if (ml_int(sp->target_port, &num))
        return num;
    const char *name = ml_str(sp->target_port);
    for (size_t i = 0; name && i < w->ncontainers; i++)
        for (size_t j = 0; j < w->containers[i].nports; j++)
            if (ml_streq(ml_str(w->containers[i].ports[j].name), name))
                return w->containers[i].ports[j].num;
    return -1;
}

static const char *const default_health[] = {"/healthz", "/health", "/readyz", NULL};

static grpc_info *info_for(ml_ctx *ctx, ml_map *cache, const ml_workload *w)
{
    grpc_info *g = ml_map_get_ptr(cache, w);
    if (g)
        return g;
    g = ml_zalloc(ctx->arena, sizeof *g);
    ml_map_put_ptr(cache, ctx->arena, w, g);
    const ml_model *m = ctx->model;

    ML_VEC_EACH(const ml_server *, s, &w->servers) {
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            if (l->workload != w)
                continue;
            g->serves = true;
            if (!g->why) {
                g->why = ml_printf(ctx->arena, "it runs the Connectum server at %s:%u",
                                   s->call.file ? s->call.file->path : "?", (unsigned)s->call.line);
                g->why_loc = s->call;
            }
            ml_setting port = ml_server_port(m, l);
            if (port.val.kind == ML_VAL_NUM)
                add_port(ctx->arena, g, (long long)port.val.num);
            else if (port.val.kind == ML_VAL_ABSENT)
                add_port(ctx->arena, g, 5000);
            else
                g->port_unknown = true;
            if (!s->health_paths_known)
                g->health_any_single = true;
            ML_VEC_EACH(const char *, hp, &s->health_paths) {
                ml_vec_push(ctx->arena, &g->health_paths, (void *)hp);
            }
        }
    }
    ML_VEC_EACH(const ml_service *, svc, &w->services) {
        for (size_t i = 0; i < svc->nports; i++) {
            const ml_svc_port *sp = &svc->ports[i];
            bool by_proto = ml_streq(ml_str(sp->app_protocol), "grpc");
            bool by_name = grpc_port_name(ml_str(sp->name));
            if (!by_proto && !by_name)
                continue;
            g->serves = true;
            if (!g->why) {
                g->why = by_proto ? ml_printf(ctx->arena, "%s port %s has appProtocol grpc",
                                              ml_res_display(ctx->arena, svc->res),
                                              ml_str(sp->name) ? ml_str(sp->name) : ml_str(sp->port))
                                  : ml_printf(ctx->arena, "%s port %s is named for gRPC",
                                              ml_res_display(ctx->arena, svc->res), ml_str(sp->name));
                g->why_loc = by_proto ? ml_node_loc(sp->app_protocol) : ml_node_loc(sp->name);
            }
            long long cp = target_container_port(w, sp);
            if (cp >= 0)
                add_port(ctx->arena, g, cp);
            else
                g->port_unknown = true;
        }
    }
    for (size_t i = 0; default_health[i]; i++)
        ml_vec_push(ctx->arena, &g->health_paths, (void *)default_health[i]);
    return g;
}

/* Does the operation reach only gRPC ports of w? */
static bool op_grpc_only(const ml_workload *w, const grpc_info *g, const ml_node *op)
{
    if (!g->serves)
        return false;
    const ml_node *ports = ml_get(op, "ports");
    if (ml_is_seq(ports) && ml_node_n(ports)) {
        for (size_t i = 0; i < ml_node_n(ports); i++) {
            long long p;
            if (!ml_int(&ports->elems[i], &p) || !has_port(g, p))
                return false;
        }
        return true;
    }
    if (g->port_unknown)
        return false;
    bool any = false;
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init || c->is_sidecar_proxy)
            continue;
        for (size_t j = 0; j < c->nports; j++) {
            any = true;
            if (c->ports[j].num < 0 || !has_port(g, c->ports[j].num))
                return false;
        }
    }
    /* No declared port: the linked server's port is all we know of. */
    return any || g->ports.n > 0;
}

static bool health_path(const grpc_info *g, const char *p)
{
    ML_VEC_EACH(const char *, hp, &g->health_paths) {
        if (strcmp(hp, p) == 0)
            return true;
    }
    /* Unknown health paths: any single-segment path may be one. */
    return g->health_any_single && p[0] == '/' && !strchr(p + 1, '/');
}

static void check_paths(ml_ctx *ctx, const ml_resource *r, const ml_node *list, bool negated, const ml_vec *ws,
                        grpc_info *const *infos)
{
    for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list); i++) {
        const char *p = ml_str_nonnull(&list->elems[i]);
        if (!p || rpc_form(p))
            continue;
        bool health = false;
        for (size_t k = 0; k < ws->n && !health; k++)
            health = health_path(infos[k], p);
        if (health)
            continue;
        const ml_workload *w0 = ws->items[0];
        const grpc_info *g0 = infos[0];
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&list->elems[i]),
                               "%s \"%s\" of %s is not a gRPC method path (/<package>.<Service>/<Method>), but %s "
                               "serves gRPC/Connect (%s): it %s",
                               negated ? "notPaths entry" : "path", p, ml_res_display(ctx->arena, r),
                               ws->n == 1 ? ml_res_display(ctx->arena, w0->res)
                                          : ml_authz_workload_list(ctx->arena, ws, 3),
                               g0->why, negated ? "excludes no RPC" : "never matches an RPC");
        if (g0->why_loc.file)
            ml_note(ctx, d, g0->why_loc, "why %s is taken to serve gRPC/Connect",
                    ml_res_display(ctx->arena, w0->res));
        ml_help(ctx, d,
                "RPC paths look like /acme.orders.v1.OrderService/CreateOrder; use "
                "/acme.orders.v1.OrderService/* for every method of a service");
    }
}

/* Some entry of list is a string not in an RPC path's form: the only
 * entries check_paths may report. */
static bool any_non_rpc(const ml_node *list)
{
    for (size_t i = 0; ml_is_seq(list) && i < ml_node_n(list); i++) {
        const char *p = ml_str_nonnull(&list->elems[i]);
        if (p && !rpc_form(p))
            return true;
    }
    return false;
}

static void check_operation(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_node *paths,
                            const ml_node *not_paths, const ml_node *op, const ml_vec *ws)
{
    ml_map *cache = arg;
    /* most policies on gRPC workloads write RPC paths: nothing to judge,
     * and no need to work out which workloads serve gRPC where */
    if (!any_non_rpc(paths) && !any_non_rpc(not_paths))
        return;
    grpc_info **infos = ml_alloc(ctx->arena, ws->n * sizeof *infos);
    for (size_t k = 0; k < ws->n; k++)
        infos[k] = info_for(ctx, cache, ws->items[k]);
    for (size_t k = 0; k < ws->n; k++)
        if (!op_grpc_only(ws->items[k], infos[k], op))
            return;
    check_paths(ctx, r, paths, false, ws, infos);
    check_paths(ctx, r, not_paths, true, ws, infos);
}

static void check(ml_ctx *ctx)
{
    ml_map cache; /* ml_workload* -> grpc_info*, keyed by address */
    ml_map_init(&cache);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        ml_authz_each_path_operation(ctx, r, check_operation, &cache);
    }
    ml_map_free(&cache);
}

const ml_rule ml_rule_ML507 = {
    .id = "ML507",
    .name = "grpc-path-format",
    .level = ML_LEVEL_WARNING,
    .summary = "An AuthorizationPolicy path on a gRPC/Connect workload can never match an RPC",
    .description = "gRPC and Connect put the method in the HTTP path: /<package>.<Service>/<Method>, "
                   "e.g. /acme.orders.v1.OrderService/CreateOrder. An AuthorizationPolicy "
                   "to.operation.paths entry in any other form (\"/orders\", \"/api/v1/orders\", "
                   "\"/orders/*\") matches no RPC: as ALLOW it admits nothing, "
                   "as DENY it blocks nothing, and a notPaths entry excludes nothing. Istio supports "
                   "exact paths, a `*` prefix or suffix match, and `*` alone.\n"
                   "\n"
                   "A workload counts as serving gRPC/Connect when a Connectum server is linked to it or a "
                   "Service port in front of it has appProtocol grpc or a name grpc / grpc-*. Paths are "
                   "judged only when every selected workload serves gRPC on every port the operation can "
                   "reach (its `ports`, or all declared container ports), so a REST or metrics port next "
                   "to the gRPC one keeps HTTP paths legitimate. Connectum's HTTP health paths (/healthz, "
                   "/health, /readyz, or a linked server's configured ones) are served on the RPC port and "
                   "are accepted. A package-less service must be PascalCase (OrderService/Create) to "
                   "count as a service name.",
    .remediation = "Write RPC paths as /<package>.<Service>/<Method>, or /<package>.<Service>/* for a "
                   "whole service; take the names from the .proto file (package and service).",
    .tags = "security,authorization,grpc,connectum,istio",
    .istio_code = NULL,
    .security_severity = 5.3,
    .precision = "high",
    .example_bad = "to:\n- operation:\n    paths: [\"/api/orders\", \"/orders/*\"]",
    .example_good = "to:\n- operation:\n    paths: [\"/acme.orders.v1.OrderService/GetOrder\", "
                    "\"/acme.orders.v1.OrderService/*\"]",
    .check = check,
};
