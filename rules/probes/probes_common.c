/*
 * probes_common.c - helpers shared by the probe and lifecycle rules (ML4xx).
 *
 * The idea: a probe is only meaningful relative to its own container (a
 * named probe port resolves through that container's ports, as the kubelet
 * does) and to the Connectum server running there (the port it listens on,
 * the health endpoints it serves). These helpers answer those questions once,
 * and answer "unknown" rather than guess when the input does not say.
 */
#include "probes_common.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool ml_probes_app_container(const ml_container *c)
{
    return c && !c->is_init && !c->is_sidecar_proxy;
}

const char *ml_probes_name(const ml_probe *p)
{
    const char *k = p ? ml_str(p->key) : NULL;
    return k ? k : "probe";
}

ml_loc ml_probes_handler_loc(const ml_probe *p)
{
    static const char *const keys[] = {"httpGet", "grpc", "tcpSocket", "exec"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const ml_pair *pr = ml_get_pair(p->node, keys[i]);
        if (pr)
            return ml_node_loc(&pr->key);
    }
    return ml_node_loc(p->key);
}

const char *ml_probes_consequence(const ml_probe *p)
{
    const char *k = ml_probes_name(p);
    if (strcmp(k, "readinessProbe") == 0)
        return "the pod never becomes ready and never receives traffic";
    if (strcmp(k, "livenessProbe") == 0)
        return "the kubelet restarts the container over and over";
    if (strcmp(k, "startupProbe") == 0)
        return "the container never finishes starting and the kubelet restarts it over and over";
    return "the probe always fails";
}

/* Digits only (a quoted "5000" is a number to the kubelet too: it falls back
 * to parsing a port string that names no port). */
static bool digits(const char *s, long long *out)
{
    if (!s || !*s)
        return false;
    long long v = 0;
    for (const char *q = s; *q; q++) {
        if (!isdigit((unsigned char)*q) || v > 100000)
            return false;
        v = v * 10 + (*q - '0');
    }
    *out = v;
    return true;
}

const ml_port *ml_probes_find_port_num(const ml_container *c, long long num)
{
    for (size_t i = 0; c && i < c->nports; i++)
        if (c->ports[i].num >= 0 && c->ports[i].num == num)
            return &c->ports[i];
    return NULL;
}

ml_probe_port ml_probes_port(const ml_container *c, const ml_probe *p)
{
    ml_probe_port r;
    memset(&r, 0, sizeof r);
    r.num = -1;
    const char *s = ml_str_nonnull(p->port);
    if (!s)
        return r;
    r.present = true;
    r.text = s;
    /* The kubelet first looks the string up among the container's port
     * names, then falls back to reading it as a number. */
    for (size_t i = 0; i < c->nports; i++) {
        const ml_port *cp = &c->ports[i];
        if (ml_streq(ml_str(cp->name), s)) {
            r.is_name = true;
            r.decl = cp;
            r.num = cp->num; /* -1 when the port has no usable number */
            return r;
        }
    }
    long long v;
    if (digits(s, &v)) {
        r.num = v;
        r.decl = ml_probes_find_port_num(c, v);
        return r;
    }
    r.is_name = true; /* a name that matches no port of the container */
    return r;
}

const char *ml_probes_port_text(ml_arena *a, const ml_probe_port *pp)
{
    if (pp->is_name && pp->num >= 0)
        return ml_printf(a, "%s (%lld)", pp->text, pp->num);
    if (pp->num >= 0)
        return ml_printf(a, "%lld", pp->num);
    return ml_printf(a, "%s", pp->text ? pp->text : "(none)");
}

static const ml_link *link_for(const ml_server *s, const ml_workload *w, size_t *from)
{
    for (size_t i = *from; i < s->links.n; i++) {
        const ml_link *l = s->links.items[i];
        if (l && l->workload == w) {
            *from = i + 1;
            return l;
        }
    }
    *from = s->links.n;
    return NULL;
}

ml_vec ml_probes_links(ml_arena *a, const ml_workload *w)
{
    ml_vec out = {0};
    ML_VEC_EACH(const ml_server *, s, &w->servers) {
        /* the same server may appear twice in w->servers; take its links once */
        bool seen = false;
        for (size_t j = 0; j < s_i && !seen; j++)
            seen = w->servers.items[j] == s;
        if (seen)
            continue;
        size_t from = 0;
        const ml_link *l;
        while ((l = link_for(s, w, &from)) != NULL)
            ml_vec_push(a, &out, (void *)l);
    }
    return out;
}

const ml_link *ml_probes_container_link(const ml_workload *w, const ml_container *c)
{
    ML_VEC_EACH(const ml_server *, s, &w->servers) {
        size_t from = 0;
        const ml_link *l;
        while ((l = link_for(s, w, &from)) != NULL)
            if (l->container == c)
                return l;
    }
    return NULL;
}

const char *ml_probes_server_text(ml_arena *a, const ml_server *s)
{
    const char *path = s && s->file && s->file->path ? s->file->path : "?";
    return ml_printf(a, "the Connectum server in %s", path);
}

bool ml_probes_setting_num(const ml_setting *s, double *out)
{
    switch (s->val.kind) {
    case ML_VAL_NUM:
        *out = s->val.num;
        return true;
    case ML_VAL_STR: {
        const char *t = s->val.str;
        if (!t || !*t)
            return false;
        char *end = NULL;
        double v = strtod(t, &end);
        if (!end || *end || v != v)
            return false;
        *out = v;
        return true;
    }
    default:
        return false;
    }
}

static bool is_default(const ml_setting *s)
{
    return s->val.kind == ML_VAL_ABSENT || !s->source || strcmp(s->source, "default") == 0 ||
           strcmp(s->source, "no Healthcheck protocol") == 0;
}

const char *ml_probes_origin(ml_arena *a, const ml_setting *s, const char *var)
{
    if (is_default(s))
        return "the Connectum default";
    if (strcmp(s->source, "code") == 0)
        return "set in the code";
    if (ml_starts_with(s->source, "default in code"))
        return s->source;
    if (var && ml_starts_with(s->source, "ConfigMap "))
        return ml_printf(a, "%s from %s", var, s->source);
    return ml_printf(a, "from %s", s->source);
}

const char *ml_probes_env_var(const ml_val *code, const char *framework_var)
{
    return code && code->kind == ML_VAL_ENV && code->env ? code->env : framework_var;
}

bool ml_probes_setting_has_loc(const ml_setting *s)
{
    return !is_default(s) && s->loc.file != NULL;
}

ml_probes_sport ml_probes_server_port(ml_arena *a, const ml_model *m, const ml_link *l)
{
    ml_probes_sport r;
    memset(&r, 0, sizeof r);
    r.num = -1;
    r.s = ml_server_port(m, l);
    double v;
    if (r.s.val.kind == ML_VAL_ABSENT) {
        r.known = true;
        r.num = 5000;
    } else if (ml_probes_setting_num(&r.s, &v) && v >= 0 && v <= 65535 && v == (double)(long long)v) {
        r.known = true;
        r.num = (long long)v;
    }
    r.var = ml_probes_env_var(&l->server->port, "PORT");
    return r;
}

const char *ml_probes_sport_origin(ml_arena *a, const ml_probes_sport *sp)
{
    return ml_probes_origin(a, &sp->s, sp->var);
}

/* ---- the probes of containers that run a server ------------------------- */

void ml_probes_each_server_probe(ml_ctx *ctx, ml_probes_server_probe_fn fn)
{
    ml_model *m = ctx->model;
    ML_VEC_EACH(const ml_workload *, w, &m->workloads) {
        if (!w->servers.n)
            continue;
        ml_vec links = ml_probes_links(ctx->arena, w);
        ML_VEC_EACH(const ml_link *, l, &links) {
            if (!l->server || !l->container || !ml_probes_app_container(l->container))
                continue;
            ml_probes_sport sp = ml_probes_server_port(ctx->arena, m, l);
            if (!sp.known)
                continue;
            fn(ctx, w, l, &sp, &l->container->startup);
            fn(ctx, w, l, &sp, &l->container->liveness);
            fn(ctx, w, l, &sp, &l->container->readiness);
        }
    }
}

/* ---- ML401/ML402: a serving container without a probe --------------------- */

/* Why container c of w serves traffic, with the place that shows it; NULL
 * when nothing says it does (a worker that only makes outbound calls). */
static const char *serving_reason(ml_ctx *ctx, const ml_workload *w, const ml_container *c, ml_loc *where)
{
    ml_arena *a = ctx->arena;
    const ml_link *l = ml_probes_container_link(w, c);
    if (l) {
        *where = l->server->call;
        return ml_printf(a, "runs %s", ml_probes_server_text(a, l->server));
    }
    for (size_t i = 0; i < c->nports; i++) {
        const ml_port *p = &c->ports[i];
        if (!p->node)
            continue;
        *where = ml_node_loc(p->number ? p->number : p->node);
        if (p->num >= 0)
            return ml_printf(a, "declares port %s%s%lld", p->name ? ml_str(p->name) : "",
                             p->name ? " " : "", p->num);
        return ml_printf(a, "declares port %s", p->name ? ml_str(p->name) : "");
    }
    /* A Service sends traffic to the pods: the serving container is the one
     * application container (with several and no ports, which one serves is
     * unknown, so none is reported). The Service named is the first in load
     * order; a Service without a selector selects nothing (its endpoints are
     * managed by hand), and w->services leaves it out. */
    if (!w->services.n)
        return NULL;
    const ml_service *s = w->services.items[0];
    size_t napp = 0;
    for (size_t i = 0; i < w->ncontainers; i++)
        napp += ml_probes_app_container(&w->containers[i]);
    if (napp != 1)
        return NULL;
    *where = ml_node_loc(s->res->name_node ? s->res->name_node : s->res->kind_node);
    return ml_printf(a, "receives traffic from %s", ml_res_display(a, s->res));
}

/* Does some other application container of w have the probe? */
static bool sibling_has_probe(const ml_workload *w, const ml_container *c, bool readiness)
{
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *o = &w->containers[i];
        if (o != c && ml_probes_app_container(o) && (readiness ? o->readiness.node : o->liveness.node))
            return true;
    }
    return false;
}

/* A Service of the input sends traffic to one of c's ports (its targetPort,
 * or its port when no targetPort is given, names or numbers one of them). */
static const ml_service *service_targeting(const ml_workload *w, const ml_container *c)
{
    ML_VEC_EACH(const ml_service *, s, &w->services) {
        for (size_t i = 0; i < s->nports; i++) {
            const ml_svc_port *sp = &s->ports[i];
            long long num = sp->num;
            const char *name = NULL;
            if (sp->target_port && !ml_int(sp->target_port, &num))
                name = ml_str(sp->target_port);
            for (size_t j = 0; j < c->nports; j++) {
                const ml_port *p = &c->ports[j];
                if (name ? ml_streq(ml_str(p->name), name) : (p->num >= 0 && p->num == num))
                    return s;
            }
        }
    }
    return NULL;
}

void ml_probes_check_missing(ml_ctx *ctx, bool readiness)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const char *want = readiness ? "readinessProbe" : "livenessProbe";
    ML_VEC_EACH(const ml_workload *, w, &m->workloads) {
        if (!w->long_running)
            continue;
        for (size_t i = 0; i < w->ncontainers; i++) {
            const ml_container *c = &w->containers[i];
            if (!ml_probes_app_container(c))
                continue;
            const ml_probe *p = readiness ? &c->readiness : &c->liveness;
            if (p->node)
                continue;
            /* A client pod (sleep, tail -f /dev/null, pause...) serves
             * nothing, unless a Connectum server is linked to it. */
            if (c->idle && !ml_probes_container_link(w, c))
                continue;
            ml_loc where;
            const char *why = serving_reason(ctx, w, c, &where);
            if (!why)
                continue;
            /* A helper container beside one that has the probe (a metrics
             * exporter, a database proxy): the pod's readiness and restarts
             * already follow the probed container, and the helper's ports
             * matter only when a Service sends traffic to them. */
            if (!ml_probes_container_link(w, c) && sibling_has_probe(w, c, readiness) &&
                !service_targeting(w, c))
                continue;
            const char *cname = ml_str(c->name) ? ml_str(c->name) : "(unnamed)";
            const char *wname = ml_res_display(a, w->res);
            ml_diag *d;
            if (readiness)
                d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(c->name ? c->name : c->node),
                              "container %s of %s serves traffic but has no readinessProbe: its pods "
                              "count as ready and receive requests as soon as the process starts, "
                              "before the server can answer them",
                              cname, wname);
            else
                d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(c->name ? c->name : c->node),
                              "container %s of %s serves traffic but has no livenessProbe: a server "
                              "that hangs without exiting keeps its pod and its share of traffic "
                              "until someone restarts it by hand",
                              cname, wname);
            ml_note(ctx, d, where, "the container %s", why);
            /* Suggest a probe that fits the server when it is known. */
            const ml_link *l = ml_probes_container_link(w, c);
            ml_probes_sport sp = {0};
            if (l)
                sp = ml_probes_server_port(a, m, l);
            if (l && sp.known && l->server->has_health == ML_YES)
                ml_help(ctx, d,
                        "add `%s: { grpc: { port: %lld } }` to container %s: the server registers "
                        "Healthcheck, which answers grpc.health.v1.Health on its port %lld (%s)",
                        want, sp.num, cname, sp.num, ml_probes_sport_origin(a, &sp));
            else if (!l)
                ml_help(ctx, d,
                        "add a %s to container %s that asks the application itself whether it can serve "
                        "(httpGet, grpc or tcpSocket on the port it listens on); no Connectum server in the "
                        "input is linked to it (if it runs one, Healthcheck() answers `grpc: { port: <server "
                        "port> }` and Healthcheck({ httpEnabled: true }) `httpGet: { path: %s }`)",
                        want, cname, readiness ? "/readyz" : "/healthz");
            else
                ml_help(ctx, d,
                        "add a %s to container %s: with Healthcheck() among the server's protocols, "
                        "`grpc: { port: <server port> }`; with Healthcheck({ httpEnabled: true }), "
                        "`httpGet: { path: %s, port: <server port> }`",
                        want, cname, readiness ? "/readyz" : "/healthz");
        }
    }
}

void ml_probes_each_app_link(ml_ctx *ctx, ml_probes_link_fn fn)
{
    ML_VEC_EACH(const ml_workload *, w, &ctx->model->workloads) {
        if (!w->servers.n || !w->long_running)
            continue;
        ml_vec links = ml_probes_links(ctx->arena, w);
        ML_VEC_EACH(const ml_link *, l, &links) {
            if (l->server && l->container && ml_probes_app_container(l->container))
                fn(ctx, w, l);
        }
    }
}
