/*
 * ML309 http2-not-served: something speaks HTTP/2 to a Connectum server
 * that serves only HTTP/1.1.
 *
 * Without tls, createServer gives an HTTP/1.1-only server unless allowHTTP1
 * is false (then it speaks h2c, cleartext HTTP/2); allowHTTP1 defaults to
 * true. The guide's advice behind an Istio sidecar is no application TLS, so
 * a server that keeps the default cannot answer anything that needs HTTP/2:
 *
 *   (a) a grpc: probe on the server's port (the kubelet's gRPC health check,
 *       and the sidecar agent that runs it after Istio's probe rewrite, both
 *       speak HTTP/2);
 *   (b) a Service port reaching the server's port that Istio's protocol
 *       selection makes gRPC, gRPC-Web or HTTP/2 (appProtocol first, else the
 *       port name's prefix): Envoy's inbound cluster then talks HTTP/2 to the
 *       application;
 *   (c) a createGrpcTransport client in the input whose URL reaches the
 *       server (gRPC needs HTTP/2), or a remoteResolver built with
 *       perServiceEnvResolver or dnsResolver without createTransport, which
 *       make gRPC transports by default (core/src/remoteResolver.ts).
 *
 * One finding per consumer, on the probe, the Service port or the client
 * call, with notes on the createServer options. Every link in the chain must
 * be known: tls absent, allowHTTP1 true (the default, a literal, or an
 * environment variable resolved in the container), the server's port, the
 * probe's or the Service's target port; anything unknown keeps the rule
 * silent.
 */
#include <string.h>

#include "meshlint/config.h"
#include "meshlint/rule.h"

/* ---- the server: HTTP/1.1 only? -------------------------------------------- */

/* Why a linked server serves HTTP/1.1 only, for messages and notes. */
typedef struct h1_only {
    const char *why;      /* "allowHTTP1 is true, the Connectum default" */
    ml_loc value_loc;     /* the allowHTTP1 value in the code (file NULL when absent) */
    ml_loc env_loc;       /* where the environment sets it (file NULL when not from there) */
    const char *env_note; /* the note at env_loc */
    bool absent;          /* not in the options: the default applies */
    bool literal_true;    /* `allowHTTP1: true` written in the options */
} h1_only;

static const char *where_text(ml_arena *a, ml_loc l)
{
    return l.file ? ml_printf(a, "%s:%u", l.file->path, l.line) : "?";
}

/* A boolean from a value read through the environment; false when the
 * outcome is not known. */
static bool env_bool(ml_ctx *ctx, const ml_link *l, const ml_val *v, bool *out, h1_only *h)
{
    ml_arena *a = ctx->arena;
    ml_setting e = ml_container_env(ctx->model, l->workload, l->container, v->env);
    if (e.val.kind == ML_VAL_STR && ml_val_env_match(v)->n) {
        bool hit = false;
        ML_VEC_EACH(const char *, s, ml_val_env_match(v)) {
            hit |= strcmp(s, e.val.str ? e.val.str : "") == 0;
        }
        *out = hit != v->env_negate;
        h->why = ml_printf(a, "allowHTTP1 is %s, from %s=\"%s\" (%s)", *out ? "true" : "false", v->env,
                           e.val.str ? e.val.str : "", e.source ? e.source : "the container");
        h->env_loc = e.loc;
        h->env_note = ml_printf(a, "%s=\"%s\" here makes allowHTTP1 %s", v->env, e.val.str ? e.val.str : "",
                                *out ? "true" : "false");
        return true;
    }
    if (e.val.kind != ML_VAL_ABSENT)
        return false; /* a raw string (truthiness is the framework's business) or unknown */
    const ml_val *d = v->env_default;
    if (!d || d->kind != ML_VAL_BOOL)
        return false;
    *out = d->b;
    h->why = ml_printf(a, "allowHTTP1 is %s, the code's default, as the container does not set %s",
                       d->b ? "true" : "false", v->env);
    return true;
}

static bool server_h1_only(ml_ctx *ctx, const ml_link *l, h1_only *h)
{
    const ml_server *s = l->server;
    memset(h, 0, sizeof *h);
    if (s->tls != ML_TLS_ABSENT)
        return false;
    const ml_val *v = &s->allow_http1;
    switch (v->kind) {
    case ML_VAL_ABSENT:
        h->why = "allowHTTP1 is true, the Connectum default";
        h->absent = true;
        return true;
    case ML_VAL_BOOL:
        if (!v->b)
            return false;
        h->why = ml_printf(ctx->arena, "allowHTTP1 is set to true at %s", where_text(ctx->arena, v->loc));
        h->value_loc = v->loc;
        h->literal_true = true;
        return true;
    case ML_VAL_ENV: {
        bool b = false;
        if (!v->env || !env_bool(ctx, l, v, &b, h) || !b)
            return false;
        h->value_loc = v->loc;
        return true;
    }
    default:
        return false; /* unknown, or a value that is not a boolean */
    }
}

/* The port the server listens on, or -1 when unknown. */
static long long server_port(const ml_model *m, const ml_link *l, bool *is_default)
{
    ml_setting ps = ml_server_port(m, l);
    *is_default = false;
    if (ps.val.kind == ML_VAL_ABSENT) {
        *is_default = true;
        return 5000;
    }
    double d;
    if (ps.val.kind == ML_VAL_NUM)
        d = ps.val.num;
    else if (ps.val.kind == ML_VAL_STR && ml_val_num(&ps.val, &d))
        ;
    else
        return -1;
    if (!(d >= 1 && d <= 65535) || d != (double)(long long)d)
        return -1;
    *is_default = ps.source && strcmp(ps.source, "default") == 0;
    return (long long)d;
}

/* ---- the fix: insert `allowHTTP1: false,` --------------------------------------- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* The options object as written: `port: <value>,` alone on its line inside
 * it (or the shorthand `port,`; a line comment may follow) gets a sibling
 * line after it with the same indentation. Anything else, no fix. */
static bool insert_after_port(ml_ctx *ctx, const ml_server *s, ml_loc *region, const char **text)
{
    const ml_val *pv = &s->port;
    const ml_file *f = s->file;
    if (!f || pv->kind == ML_VAL_ABSENT || pv->loc.file != f || s->options.file != f)
        return false;
    uint32_t off = pv->loc.off, end = pv->loc.end_off;
    if (end <= off || off <= s->options.off || end >= s->options.end_off || end > f->len)
        return false;
    const char *d = f->data;
    uint32_t ls = off;
    while (ls > 0 && d[ls - 1] != '\n')
        ls--;
    uint32_t k = ls;
    while (k < off && is_blank(d[k]))
        k++;
    uint32_t indent_end = k;
    if (indent_end <= ls || !(indent_end - ls < 64))
        return false;
    static const char key[] = "port";
    if (f->len - k < sizeof key - 1 || memcmp(d + k, key, sizeof key - 1) != 0)
        return false;
    k += sizeof key - 1;
    if (k != end || off != indent_end) { /* not the shorthand: `port: value` */
        while (k < off && is_blank(d[k]))
            k++;
        if (k >= off || d[k] != ':')
            return false;
        k++;
        while (k < off && is_blank(d[k]))
            k++;
        if (k != off)
            return false;
    }
    for (uint32_t i = off; i < end; i++)
        if (d[i] == '\n' || d[i] == '\r')
            return false;
    k = end;
    while (k < f->len && is_blank(d[k]))
        k++;
    if (k >= f->len || d[k] != ',')
        return false;
    k++;
    while (k < f->len && is_blank(d[k]))
        k++;
    if (k + 1 < f->len && d[k] == '/' && d[k + 1] == '/') /* a line comment after the comma */
        while (k < f->len && d[k] != '\n' && d[k] != '\r')
            k++;
    bool crlf = k + 1 < f->len && d[k] == '\r' && d[k + 1] == '\n';
    if (!crlf && (k >= f->len || d[k] != '\n'))
        return false;
    uint32_t at = k + (crlf ? 2 : 1);
    if (at >= s->options.end_off)
        return false;
    /* the start of the next line; positions computed here, not through the
     * file's line index, which rules running on several threads must not build */
    memset(region, 0, sizeof *region);
    region->file = f;
    region->off = region->end_off = at;
    region->line = region->end_line = pv->loc.line + 1;
    region->col = region->end_col = 1;
    *text = ml_printf(ctx->arena, "%.*sallowHTTP1: false,%s", (int)(indent_end - ls), d + ls, crlf ? "\r\n" : "\n");
    return true;
}

/* `allowHTTP1: true` in the options themselves: replace the literal. */
static bool replace_true(const ml_server *s, const h1_only *h, ml_loc *region)
{
    const ml_loc *v = &h->value_loc;
    if (!h->literal_true || !v->file || v->file != s->file || s->options.file != s->file)
        return false;
    if (v->off <= s->options.off || v->end_off >= s->options.end_off || v->end_off - v->off != 4 ||
        v->end_off > v->file->len || memcmp(v->file->data + v->off, "true", 4) != 0)
        return false;
    *region = *v;
    return true;
}

/* ---- shared parts of every finding ------------------------------------------ */

static const char *server_text(ml_arena *a, const ml_server *s)
{
    return ml_printf(a, "the Connectum server in %s", s->file && s->file->path ? s->file->path : "?");
}

/* The probe of the serving container that hits this port over HTTP/1.1. */
static const ml_probe *http_probe_on(const ml_link *l, long long port);

static void add_server_parts(ml_ctx *ctx, ml_diag *d, const ml_link *l, const h1_only *h, long long port)
{
    const ml_server *s = l->server;
    if (h->literal_true)
        ml_note(ctx, d, h->value_loc, "allowHTTP1: true without tls: the server speaks HTTP/1.1 only");
    else if (h->value_loc.file)
        ml_note(ctx, d, h->value_loc, "allowHTTP1 comes from the environment (%s)", s->allow_http1.env);
    else
        ml_note(ctx, d, s->call,
                "createServer without tls and without allowHTTP1: false serves HTTP/1.1 only (allowHTTP1 "
                "defaults to true)");
    if (h->env_loc.file && h->env_note)
        ml_note(ctx, d, h->env_loc, "%s", h->env_note);

    const ml_probe *hp = http_probe_on(l, port);
    if (hp) {
        ml_help(ctx, d,
                "serve h2c: `createServer({ ..., allowHTTP1: false })` (Connect, gRPC and gRPC-Web all work over "
                "it), and turn the %s httpGet on port %lld into a grpc probe: the kubelet's httpGet speaks "
                "HTTP/1.1 only",
                ml_str(hp->key) ? ml_str(hp->key) : "probe", port);
        return; /* the edit alone would break that probe: no fix */
    }
    if (s->allow_http1.kind == ML_VAL_ENV)
        ml_help(ctx, d,
                "serve h2c, cleartext HTTP/2: `createServer({ ..., allowHTTP1: false })`, or set %s so that the "
                "code makes allowHTTP1 false; Connect, gRPC and gRPC-Web all work over h2c",
                s->allow_http1.env);
    else
        ml_help(ctx, d,
                "serve h2c, cleartext HTTP/2: `createServer({ ..., allowHTTP1: false })`; Connect, gRPC and "
                "gRPC-Web all work over it");
    ml_loc region;
    const char *text;
    if (h->absent && insert_after_port(ctx, s, &region, &text))
        ml_add_fix(ctx, d, "set allowHTTP1: false (serve h2c)", region, text);
    else if (replace_true(s, h, &region))
        ml_add_fix(ctx, d, "set allowHTTP1: false (serve h2c)", region, "false");
}

/* ---- ports ------------------------------------------------------------------ */

static bool digits_only(const char *s, long long *out)
{
    if (!s || !*s)
        return false;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 1000000)
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

/* A probe's port in its own container: a name of one of its ports, else a
 * number. -1 when unknown. */
static long long probe_port(const ml_container *c, const ml_probe *p)
{
    const char *s = ml_str_nonnull(p->port);
    if (!s)
        return -1;
    for (size_t i = 0; i < c->nports; i++)
        if (ml_streq(ml_str(c->ports[i].name), s))
            return c->ports[i].num;
    long long v;
    return digits_only(s, &v) ? v : -1;
}

static const ml_probe *http_probe_on(const ml_link *l, long long port)
{
    const ml_container *c = l->container;
    if (!c)
        return NULL;
    const ml_probe *ps[] = {&c->startup, &c->readiness, &c->liveness};
    for (size_t i = 0; i < 3; i++)
        if (ps[i]->node && ps[i]->kind == ML_PROBE_HTTP && probe_port(c, ps[i]) == port)
            return ps[i];
    return NULL;
}

/* The pod port a Service port sends to: targetPort as a number, or the
 * name of a port of one of the pod's containers, or the port itself. */
static long long svc_target(const ml_workload *w, const ml_svc_port *sp, const ml_port **decl)
{
    *decl = NULL;
    if (!sp->target_port)
        return sp->num;
    long long t;
    if (ml_int(sp->target_port, &t))
        return t;
    const char *name = ml_str_nonnull(sp->target_port);
    if (!name)
        return -1;
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init)
            continue;
        for (size_t j = 0; j < c->nports; j++)
            if (ml_streq(ml_str(c->ports[j].name), name)) {
                *decl = &c->ports[j];
                return c->ports[j].num;
            }
    }
    return -1;
}

/* ---- Istio's protocol for a Service port --------------------------------------- */

typedef enum proto_class {
    PROTO_OPAQUE, /* tcp, tls, https..., or unnamed/unrecognised: bytes or the client's own protocol */
    PROTO_HTTP1,  /* http, http_proxy, kubernetes.io/ws: Envoy talks HTTP/1.1 to the application */
    PROTO_HTTP2,  /* grpc, grpc-web, http2, kubernetes.io/h2c: Envoy talks HTTP/2 to the application */
    PROTO_UDP
} proto_class;

typedef struct svc_proto {
    proto_class cls;
    const char *label;   /* "gRPC", "gRPC-Web", "HTTP/2" */
    const ml_node *from; /* the appProtocol or name node that decided */
    bool by_app_protocol;
} svc_proto;

static bool ieq_n(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
        if (!x)
            return true;
    }
    return true;
}

/* Istio's protocol selection: appProtocol when set (then the name is not
 * read), else the name; "grpc-web" as a prefix, else the part before the
 * first '-', case-insensitively. */
static svc_proto port_proto(const ml_svc_port *sp)
{
    svc_proto r = {PROTO_OPAQUE, NULL, NULL, false};
    const char *proto = ml_str_nonnull(sp->protocol);
    if (proto && strcmp(proto, "UDP") == 0) {
        r.cls = PROTO_UDP;
        return r;
    }
    const char *name = ml_str_nonnull(sp->app_protocol);
    r.from = sp->app_protocol;
    r.by_app_protocol = name != NULL;
    if (name) {
        if (strcmp(name, "kubernetes.io/h2c") == 0) {
            r.cls = PROTO_HTTP2;
            r.label = "HTTP/2";
            return r;
        }
        if (strcmp(name, "kubernetes.io/ws") == 0) {
            r.cls = PROTO_HTTP1;
            return r;
        }
    } else {
        name = ml_str_nonnull(sp->name);
        r.from = sp->name;
    }
    if (!name)
        return r;
    size_t n = strlen(name);
    if (n >= 8 && ieq_n(name, "grpc-web", 8)) {
        r.cls = PROTO_HTTP2;
        r.label = "gRPC-Web";
        return r;
    }
    const char *dash = strchr(name, '-');
    size_t pn = dash ? (size_t)(dash - name) : n;
    if (pn == 4 && ieq_n(name, "grpc", 4)) {
        r.cls = PROTO_HTTP2;
        r.label = "gRPC";
    } else if (pn == 5 && ieq_n(name, "http2", 5)) {
        r.cls = PROTO_HTTP2;
        r.label = "HTTP/2";
    } else if ((pn == 4 && ieq_n(name, "http", 4)) || (pn == 10 && ieq_n(name, "http_proxy", 10))) {
        r.cls = PROTO_HTTP1;
    }
    return r;
}

/* An opaque declaration Istio knows (tcp, tls, https, mongo, mysql, redis,
 * kubernetes.io/wss), as opposed to no usable declaration at all. */
static bool port_known_opaque(const svc_proto *p)
{
    static const char *const known[] = {"tcp", "tls", "https", "mongo", "mysql", "redis"};
    const char *name = ml_str_nonnull(p->from);
    if (!name)
        return false;
    if (p->by_app_protocol && strcmp(name, "kubernetes.io/wss") == 0)
        return true;
    const char *dash = strchr(name, '-');
    size_t pn = dash ? (size_t)(dash - name) : strlen(name);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i]) == pn && ieq_n(name, known[i], pn))
            return true;
    return false;
}

static const char *svc_port_text(ml_arena *a, const ml_svc_port *sp, long long target)
{
    const char *name = ml_str_nonnull(sp->name);
    const char *tp = ml_str_nonnull(sp->target_port);
    long long t;
    const char *to = NULL;
    if (sp->target_port && ml_int(sp->target_port, &t)) {
        if (t != sp->num)
            to = ml_printf(a, "targetPort %lld", target);
    } else if (sp->target_port) {
        to = ml_printf(a, "targetPort %s = %lld", tp ? tp : "?", target);
    }
    if (name)
        return to ? ml_printf(a, "port %s (%lld, %s)", name, sp->num, to) : ml_printf(a, "port %s (%lld)", name, sp->num);
    return to ? ml_printf(a, "port %lld (%s)", sp->num, to) : ml_printf(a, "port %lld", sp->num);
}

static const char *proto_reason(ml_arena *a, const svc_proto *p)
{
    return p->by_app_protocol ? ml_printf(a, "appProtocol %s", ml_str(p->from))
                              : ml_printf(a, "the port name %s", ml_str(p->from));
}

/* ---- deduplication ------------------------------------------------------------ */

/* A finding is one consumer and one server: the same pair seen through
 * another link (or another copy of a client call) is not reported twice. */
static bool first_time(ml_ctx *ctx, ml_map *seen, ml_loc at, const ml_server *s)
{
    const char *key = ml_printf(ctx->arena, "%p|%u|%p", (const void *)at.file, at.off, (const void *)s);
    size_t n = strlen(key);
    if (ml_map_get(seen, key, n))
        return false;
    ml_map_put(seen, key, n, (void *)1);
    return true;
}

/* ---- (a) grpc probes ------------------------------------------------------------ */

static const char *probe_consequence(const ml_probe *p)
{
    const char *k = ml_str(p->key);
    if (ml_streq(k, "readinessProbe"))
        return "the pod never becomes ready and never receives traffic";
    if (ml_streq(k, "livenessProbe"))
        return "the kubelet restarts the container over and over";
    if (ml_streq(k, "startupProbe"))
        return "the container never finishes starting and the kubelet restarts it over and over";
    return "the probe always fails";
}

static ml_loc probe_loc(const ml_probe *p)
{
    const ml_pair *pr = ml_get_pair(p->node, "grpc");
    return pr ? ml_node_loc(&pr->key) : ml_node_loc(p->key);
}

static void check_probes(ml_ctx *ctx, ml_map *seen, const ml_link *l, const h1_only *h, long long port,
                         bool port_default)
{
    ml_arena *a = ctx->arena;
    const ml_container *c = l->container;
    if (!c || c->is_init || c->is_sidecar_proxy)
        return;
    const ml_probe *ps[] = {&c->startup, &c->readiness, &c->liveness};
    for (size_t i = 0; i < 3; i++) {
        const ml_probe *p = ps[i];
        if (!p->node || p->kind != ML_PROBE_GRPC || probe_port(c, p) != port)
            continue;
        ml_loc at = probe_loc(p);
        if (!first_time(ctx, seen, at, l->server))
            continue;
        const ml_sidecar_fact *sf = ml_mesh_sidecar(ctx->model, l->workload);
        bool sidecar = sf && sf->known && sf->injected;
        ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, at,
                               "%s grpc on port %lld speaks HTTP/2%s, but %s%s serves HTTP/1.1 only (no tls, and "
                               "%s): the probe always fails and %s",
                               ml_str(p->key) ? ml_str(p->key) : "probe", port,
                               sidecar ? " (Istio's probe rewrite does not change that)" : "",
                               server_text(a, l->server),
                               port_default ? ", which listens there by default," : "", h->why,
                               probe_consequence(p));
        add_server_parts(ctx, d, l, h, port);
    }
}

/* ---- (b) Service ports ------------------------------------------------------------ */

static void check_services(ml_ctx *ctx, ml_map *seen, const ml_link *l, const h1_only *h, long long port)
{
    ml_arena *a = ctx->arena;
    const ml_workload *w = l->workload;
    const ml_sidecar_fact *sf = ml_mesh_sidecar(ctx->model, w);
    ML_VEC_EACH(const ml_service *, svc, &w->services) {
        for (size_t i = 0; i < svc->nports; i++) {
            const ml_svc_port *sp = &svc->ports[i];
            svc_proto pr = port_proto(sp);
            if (pr.cls != PROTO_HTTP2 || !pr.from)
                continue;
            const ml_port *decl;
            long long target = svc_target(w, sp, &decl);
            if (target < 0 || target != port)
                continue;
            ml_loc at = ml_node_loc(pr.from);
            if (!first_time(ctx, seen, at, l->server))
                continue;
            const char *svcname = ml_res_display(a, svc->res);
            const char *wname = ml_res_display(a, w->res);
            ml_diag *d;
            if (sf && sf->known && sf->injected) {
                d = ml_report(ctx, ML_LEVEL_ERROR, at,
                              "%s %s is %s to Istio (%s), so the sidecar of %s forwards its requests to the "
                              "application over HTTP/2, but %s serves HTTP/1.1 only (no tls, and %s): every call "
                              "through the mesh fails with 503",
                              svcname, svc_port_text(a, sp, target), pr.label, proto_reason(a, &pr), wname,
                              server_text(a, l->server), h->why);
            } else {
                const char *mesh = !sf || !sf->known
                                       ? "whether its pods get a sidecar is unknown"
                                       : ml_printf(a, "%s has no sidecar", wname);
                d = ml_report(ctx, ML_LEVEL_WARNING, at,
                              "%s %s is %s to Istio (%s), but %s serves HTTP/1.1 only (no tls, and %s): callers "
                              "that speak HTTP/2 as declared (gRPC clients, the sidecars of meshed callers, "
                              "gateways) fail; %s",
                              svcname, svc_port_text(a, sp, target), pr.label, proto_reason(a, &pr),
                              server_text(a, l->server), h->why, mesh);
            }
            if (decl && decl->node)
                ml_note(ctx, d, ml_node_loc(decl->name ? decl->name : decl->node),
                        "targetPort %s is container port %lld of %s", ml_str(sp->target_port), target, wname);
            if (sf && sf->explain)
                ml_note(ctx, d,
                        sf->decided_by      ? ml_node_loc(sf->decided_by)
                        : sf->namespace_res ? ml_res_loc(sf->namespace_res)
                                            : ml_res_loc(w->res),
                        "%s", sf->explain);
            add_server_parts(ctx, d, l, h, port);
        }
    }
}

/* ---- (c) gRPC clients ------------------------------------------------------------- */

typedef struct url_parts {
    const char *host;
    long long port;
} url_parts;

/* http://host[:port][/...]; https and anything unusual: false. */
static bool parse_url(ml_arena *a, const char *url, url_parts *out)
{
    const char *s = url;
    if (ml_starts_with(s, "http://"))
        s += 7;
    else if (strstr(s, "://"))
        return false;
    size_t auth = strcspn(s, "/?#");
    const char *at = memchr(s, '@', auth);
    if (at) {
        auth -= (size_t)(at + 1 - s);
        s = at + 1;
    }
    if (*s == '[')
        return false;
    size_t hn = strcspn(s, ":/?#");
    if (hn == 0 || hn > auth)
        return false;
    char *host = ml_strndup(a, s, hn);
    for (char *c = host; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    out->host = host;
    out->port = 80;
    if (s[hn] == ':') {
        const char *p = s + hn + 1;
        size_t pn = strcspn(p, "/?#");
        if (pn == 0 || pn > 5)
            return false;
        char *ps = ml_strndup(a, p, pn);
        if (!digits_only(ps, &out->port) || out->port < 1 || out->port > 65535)
            return false;
    }
    bool ipv4 = true;
    for (const char *c = host; *c && ipv4; c++)
        ipv4 = (*c >= '0' && *c <= '9') || *c == '.';
    return !ipv4;
}

typedef struct caller {
    const ml_link *link;     /* NULL: the calling server is not linked to a workload */
    const char *url;
    const char *origin;      /* "the code", "env X in Deployment ...", ... */
    ml_loc origin_loc;
} caller;

static bool caller_url(ml_ctx *ctx, const ml_link *l, const ml_outbound *o, caller *c)
{
    memset(c, 0, sizeof *c);
    c->link = l;
    if (o->url.kind == ML_VAL_STR && o->url.str) {
        c->url = o->url.str;
        c->origin = "the code";
        return true;
    }
    bool one_default = o->url.kind == ML_VAL_ENV && o->url.env && o->url.env_default &&
                       o->url.env_default->kind == ML_VAL_STR && o->url.env_default->str;
    if (!l) {
        /* an unlinked caller: only the code's own default says anything */
        if (!one_default)
            return false;
        c->url = o->url.env_default->str;
        c->origin = ml_printf(ctx->arena, "the code's default for %s", o->url.env);
        return true;
    }
    /* the link's own resolution (ml_link_outbound_url: env chains,
     * builder alternatives), as every rule resolves a peer */
    ml_setting s = ml_link_outbound_url(ctx->model, l, o);
    if (s.val.kind != ML_VAL_STR || !s.val.str)
        return false;
    c->url = s.val.str;
    if (one_default && ml_starts_with(s.source ? s.source : "", "default in code")) {
        c->origin = ml_printf(ctx->arena, "the code's default, as the container does not set %s", o->url.env);
    } else {
        c->origin = s.source ? s.source : o->url.env ? ml_printf(ctx->arena, "env %s", o->url.env) : "the code";
        c->origin_loc = s.loc;
    }
    return true;
}

static const char *host_fqdn(ml_ctx *ctx, const char *host, const caller *c)
{
    if (ml_ends_with(host, ".svc")) {
        const char *dom = ctx->cfg && ctx->cfg->cluster_domain && *ctx->cfg->cluster_domain
                              ? ctx->cfg->cluster_domain
                              : "cluster.local";
        return ml_printf(ctx->arena, "%s.%s", host, dom);
    }
    if (!c->link && !strchr(host, '.'))
        return NULL; /* a short name, from a caller whose namespace is unknown */
    return ml_resolve_dns_name(ctx->model, host, c->link ? c->link->workload->res->ns : NULL);
}

static int sidecar_state(const ml_model *m, const ml_workload *w)
{
    const ml_sidecar_fact *sf = w ? ml_mesh_sidecar(m, w) : NULL;
    if (!sf || !sf->known)
        return -1;
    return sf->injected ? 1 : 0;
}

static void report_call(ml_ctx *ctx, const ml_outbound *o, const caller *c, const url_parts *u,
                        const char *fqdn, const ml_service *svc, const ml_svc_port *sp, const ml_link *l,
                        const h1_only *h, long long port)
{
    ml_arena *a = ctx->arena;
    ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, o->loc,
                           "this %s calls %s:%lld (\"%s\", from %s) with gRPC, which "
                           "needs HTTP/2, but %s behind %s %s serves HTTP/1.1 only (no tls, and %s): every call "
                           "fails",
                           ml_streq(o->via, "createGrpcTransport")
                               ? "createGrpcTransport client"
                               : ml_printf(a, "%s entry (a gRPC transport by default)", o->via),
                           fqdn, u->port, c->url, c->origin, server_text(a, l->server), ml_res_display(a, svc->res),
                           svc_port_text(a, sp, port), h->why);
    if (c->origin_loc.file)
        ml_note(ctx, d, c->origin_loc, "the URL is set here");
    svc_proto pr = port_proto(sp);
    const char *how;
    if (pr.cls == PROTO_HTTP2)
        how = ml_printf(a, "it is %s to Istio (%s), so every sidecar on the way speaks HTTP/2 too", pr.label,
                        proto_reason(a, &pr));
    else if (pr.cls == PROTO_HTTP1)
        how = "no sidecar on either end, so the client's HTTP/2 reaches the server as it is";
    else if (pr.from && port_known_opaque(&pr))
        how = ml_printf(a, "it is opaque TCP to Istio (%s), so the client's HTTP/2 passes through unchanged",
                        proto_reason(a, &pr));
    else
        how = "it declares no protocol Istio knows, so a sidecar on the way detects and keeps the client's HTTP/2";
    ml_note(ctx, d, ml_node_loc(pr.from ? pr.from : sp->node), "%s %s reaches %s, where the server listens; %s",
            ml_res_display(a, svc->res), svc_port_text(a, sp, port), ml_res_display(a, l->workload->res), how);
    add_server_parts(ctx, d, l, h, port);
}

/* The servers behind one Service port that serve HTTP/1.1 only on its
 * target port; each gets a finding when the call surely reaches it over
 * HTTP/2. */
static void check_call_target(ml_ctx *ctx, ml_map *seen, const ml_outbound *o, const caller *c,
                              const url_parts *u, const char *fqdn, const ml_service *svc, const ml_svc_port *sp)
{
    const ml_model *m = ctx->model;
    svc_proto pr = port_proto(sp);
    if (pr.cls == PROTO_UDP)
        return;
    int caller_sc = c->link ? sidecar_state(m, c->link->workload) : -1;
    ML_VEC_EACH(const ml_workload *, w, &svc->workloads) {
        const ml_port *decl;
        long long target = svc_target(w, sp, &decl);
        if (target < 0)
            continue;
        /* Envoy downgrades to HTTP/1.1 towards an `http` port: whether gRPC
         * then works is not this rule's question. Any other declaration
         * (HTTP/2, opaque TCP, or protocol sniffing, which keeps the
         * client's HTTP/2) delivers HTTP/2 to the server, and so does a path
         * with no sidecar on either end. */
        if (pr.cls == PROTO_HTTP1 && !(caller_sc == 0 && sidecar_state(m, w) == 0))
            continue;
        ML_VEC_EACH(const ml_server *, s, &w->servers) {
            ML_VEC_EACH(const ml_link *, l, &s->links) {
                if (l->workload != w)
                    continue;
                bool dflt;
                long long port = server_port(m, l, &dflt);
                h1_only h;
                if (port != target || !server_h1_only(ctx, l, &h))
                    continue;
                if (!first_time(ctx, seen, o->loc, s))
                    continue;
                report_call(ctx, o, c, u, fqdn, svc, sp, l, &h, port);
            }
        }
    }
}

static void check_call(ml_ctx *ctx, ml_map *seen, const ml_link *l, const ml_outbound *o)
{
    caller c;
    url_parts u;
    if (!caller_url(ctx, l, o, &c) || !parse_url(ctx->arena, c.url, &u))
        return;
    const char *fqdn = host_fqdn(ctx, u.host, &c);
    const ml_vec *svcs = fqdn ? ml_model_services_for(ctx->model, fqdn) : NULL;
    if (!svcs)
        return;
    ML_VEC_EACH(const ml_service *, svc, svcs) {
        for (size_t i = 0; i < svc->nports; i++)
            if (svc->ports[i].num == u.port)
                check_call_target(ctx, seen, o, &c, &u, fqdn, svc, &svc->ports[i]);
    }
}

static void check_clients(ml_ctx *ctx, ml_map *seen)
{
    ML_VEC_EACH(const ml_server *, s, &ctx->model->servers) {
        if (s->in_test)
            continue;
        ML_VEC_EACH(const ml_outbound *, o, &s->outbound) {
            if (!o->grpc)
                continue; /* createGrpcTransport, or a resolver's default gRPC transport */
            if (!s->links.n)
                check_call(ctx, seen, NULL, o);
            ML_VEC_EACH(const ml_link *, l, &s->links) {
                check_call(ctx, seen, l, o);
            }
        }
    }
}

/* ---- the rule -------------------------------------------------------------------- */

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n)
        return;
    ml_map seen;
    ml_map_init(&seen);
    /* A gRPC client can only be reported against an HTTP/1.1-only server
     * behind a Service (check_call_target walks svc->workloads, their
     * servers and links): without one, no client's URL is worth resolving. */
    bool h1_behind_service = false;
    ML_VEC_EACH(const ml_server *, s, &m->servers) {
        ML_VEC_EACH(const ml_link *, l, &s->links) {
            if (!l->workload)
                continue;
            h1_only h;
            bool dflt;
            if (!server_h1_only(ctx, l, &h))
                continue;
            h1_behind_service |= l->workload->services.n > 0;
            long long port = server_port(m, l, &dflt);
            if (port < 0)
                continue;
            check_probes(ctx, &seen, l, &h, port, dflt);
            check_services(ctx, &seen, l, &h, port);
        }
    }
    if (h1_behind_service)
        check_clients(ctx, &seen);
    ml_map_free(&seen);
}

const ml_rule ml_rule_ML309 = {
    .id = "ML309",
    .name = "http2-not-served",
    .level = ML_LEVEL_ERROR,
    .summary = "A grpc probe, a gRPC or HTTP/2 Service port, or a gRPC client needs HTTP/2 from a Connectum "
               "server that serves HTTP/1.1 only",
    .description =
        "Without tls, Connectum's createServer gives an HTTP/1.1-only server unless allowHTTP1 is false (then "
        "it serves h2c, cleartext HTTP/2), and allowHTTP1 defaults to true. Behind an Istio sidecar the "
        "server should not terminate TLS, so a server that keeps the default cannot answer anything that "
        "speaks HTTP/2, and nothing in the code or the manifests alone shows it.\n"
        "\n"
        "The rule reports, for a server linked to a workload: a grpc: probe on the server's port (the "
        "kubelet's gRPC health check, and the sidecar agent that runs it after Istio's probe rewrite, speak "
        "HTTP/2: the probe always fails, so the pod never becomes ready or is restarted over and over); a "
        "Service port that reaches the server's port and that Istio's protocol selection makes gRPC, "
        "gRPC-Web or HTTP/2 (appProtocol grpc, grpc-web, http2 or kubernetes.io/h2c; without appProtocol, a "
        "port name grpc, grpc-*, grpc-web*, http2 or http2-*), for which the sidecar forwards requests to "
        "the application over HTTP/2, so every call through the mesh fails with 503 (a warning when the pod "
        "has no sidecar or that is unknown: then only callers that speak HTTP/2 as declared fail); and a "
        "createGrpcTransport client in the input whose URL reaches the server, since gRPC needs HTTP/2 "
        "(a createServer remoteResolver built with perServiceEnvResolver or dnsResolver counts too: "
        "without createTransport both build gRPC transports, core/src/remoteResolver.ts) (skipped when an `http` Service port makes a sidecar on the way downgrade the call to HTTP/1.1). "
        "Connect clients are not followed: createConnectTransport speaks HTTP/1.1 or HTTP/2 as its "
        "httpVersion says.\n"
        "\n"
        "The rule stays silent when tls is set, conditional or unknown, when allowHTTP1 is false or not "
        "known (a value from the environment is resolved in the container's env and envFrom, or the code's "
        "default when the container does not set it), when no server is linked, and when the server's port "
        "or the target port is unknown.",
    .remediation = "Set allowHTTP1: false in createServer so that the server speaks h2c; Connect, gRPC and "
                   "gRPC-Web all work over it (the finding carries this edit as a fix where it can be made "
                   "safely). HTTP/1.1-only callers then need HTTP/2: turn httpGet probes on that port into grpc "
                   "probes.",
    .tags = "traffic,protocol,http2,grpc,probes,connectum,istio",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "// server.ts (no tls: the sidecar provides mTLS)\n"
                   "createServer({ services, port: 5000, protocols: [Healthcheck()] });\n"
                   "# deployment.yaml\n"
                   "readinessProbe:\n"
                   "  grpc:\n"
                   "    port: 5000\n"
                   "# service.yaml\n"
                   "ports:\n"
                   "  - name: grpc\n"
                   "    port: 5000\n"
                   "    appProtocol: grpc",
    .example_good = "createServer({ services, port: 5000, allowHTTP1: false, protocols: [Healthcheck()] });",
    .settings = NULL,
    .check = check,
};
