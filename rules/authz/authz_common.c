/*
 * authz_common.c - helpers the authorization rules (ML5xx) share.
 *
 * The one idea: the answers come from the shared model and mesh facts
 * (ml_mesh_authz_workloads, ml_mesh_sidecar); this file only indexes them the
 * other way round (workload -> policies) so that a rule asking "which
 * policies apply here" makes one lookup instead of a pass over every policy.
 */
#include "authz_common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/config.h"

static const ml_vec empty_vec;

void ml_authz_index_build(ml_ctx *ctx, ml_authz_index *ix)
{
    /* built once for the run by ml_mesh_compute (w->authz: the live
     * policies with a valid action whose selection holds w, load order) */
    ix->model = ctx->model;
}

const ml_vec *ml_authz_index_get(const ml_authz_index *ix, const ml_workload *w)
{
    (void)ix;
    return w ? &w->authz : &empty_vec;
}

void ml_authz_index_free(ml_authz_index *ix)
{
    ix->model = NULL;
}

bool ml_authz_has_sidecar(const ml_model *m, const ml_workload *w)
{
    const ml_sidecar_fact *f = ml_mesh_sidecar(m, w);
    return f && f->known && f->injected;
}

bool ml_authz_lacks_sidecar(const ml_model *m, const ml_workload *w)
{
    const ml_sidecar_fact *f = ml_mesh_sidecar(m, w);
    return f && f->known && !f->injected;
}

/* Is port in the comma-separated port list s? "*" is every port. */
static bool port_listed(const char *s, long long port)
{
    while (s && *s) {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (*s == '*')
            return true;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) { /* not a number: skip the entry */
            while (*s && *s != ',')
                s++;
            continue;
        }
        if (v == port)
            return true;
        s = end;
    }
    return false;
}

/* Does the sidecar intercept inbound traffic to port (port < 0: unknown, any
 * interception counts)? */
bool ml_authz_inbound_captured(const ml_workload *w, long long port)
{
    const char *inc = ml_str(ml_get(w->pod_annotations, "traffic.sidecar.istio.io/includeInboundPorts"));
    const char *exc = ml_str(ml_get(w->pod_annotations, "traffic.sidecar.istio.io/excludeInboundPorts"));
    if (!inc)
        inc = "*";
    bool any = false;
    for (const char *c = inc; *c; c++)
        if (!isspace((unsigned char)*c) && *c != ',')
            any = true;
    if (!any)
        return false; /* "": no inbound port is redirected to the sidecar */
    if (port < 0)
        return true;
    return port_listed(inc, port) && !port_listed(exc, port);
}

bool ml_authz_serves_traffic(const ml_workload *w)
{
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init || c->is_sidecar_proxy)
            continue;
        for (size_t j = 0; j < c->nports; j++)
            if (ml_authz_inbound_captured(w, c->ports[j].num))
                return true;
    }
    return w->servers.n && ml_authz_inbound_captured(w, -1);
}

const char *ml_authz_service_account(const ml_workload *w, bool *is_default)
{
    const char *sa = ml_str_nonnull(w->service_account);
    if (is_default)
        *is_default = !sa || !*sa;
    return sa && *sa ? sa : "default";
}

const char *ml_authz_trust_domain(const ml_ctx *ctx)
{
    const char *td = ctx->cfg ? ctx->cfg->trust_domain : NULL;
    return td && *td ? td : "cluster.local";
}

bool ml_authz_str_match(const char *pattern, const char *value)
{
    if (!pattern || !value)
        return false;
    size_t pl = strlen(pattern), vl = strlen(value);
    if (strcmp(pattern, "*") == 0)
        return vl > 0;
    if (pl > 0 && pattern[pl - 1] == '*')
        return vl >= pl - 1 && memcmp(value, pattern, pl - 1) == 0;
    if (pattern[0] == '*')
        return vl >= pl - 1 && memcmp(value + vl - (pl - 1), pattern + 1, pl - 1) == 0;
    return strcmp(pattern, value) == 0;
}

const char *ml_authz_workload_list(ml_arena *a, const ml_vec *ws, size_t max)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < ws->n && i < max; i++) {
        const ml_workload *w = ws->items[i];
        if (i)
            ml_buf_puts(&b, i + 1 == ws->n ? " and " : ", ");
        ml_buf_puts(&b, ml_res_display(a, w->res));
    }
    if (ws->n > max)
        ml_buf_printf(&b, " and %zu more", ws->n - max);
    const char *out = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return out;
}

ml_loc ml_authz_res_name_loc(const ml_resource *r)
{
    return r->name_node ? ml_node_loc(r->name_node) : ml_res_loc(r);
}

void ml_authz_each_path_operation(ml_ctx *ctx, const ml_resource *r, ml_authz_paths_fn fn, void *arg)
{
    const ml_authz *p = r->u.authz;
    if (!r->live || !p || !ml_is_seq(p->rules))
        return;
    ml_vec ws = {0};
    bool loaded = false;
    for (size_t i = 0; i < ml_node_n(p->rules); i++) {
        const ml_node *to = ml_get(&p->rules->elems[i], "to");
        for (size_t j = 0; ml_is_seq(to) && j < ml_node_n(to); j++) {
            const ml_node *op = ml_get(&to->elems[j], "operation");
            const ml_node *paths = ml_get(op, "paths"), *not_paths = ml_get(op, "notPaths");
            if (!ml_is_seq(paths) && !ml_is_seq(not_paths))
                continue;
            if (!loaded) {
                loaded = true;
                ws = ml_mesh_authz_workloads(ctx->model, p);
            }
            if (ws.n)
                fn(ctx, arg, r, paths, not_paths, op, &ws);
        }
    }
}
