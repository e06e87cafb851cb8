/*
 * proto.c - services and rpc methods of .proto files (proto2 and proto3).
 *
 * A small tokenizer (identifiers with dots, strings, punctuation; // and
 * block comments skipped) and a scan that tracks brace depth: `package X;`
 * and `service S { ... }` at depth 0, `rpc M ( [stream] T ) returns (
 * [stream] U )` directly inside a service. One pass, linear in the file.
 */
#include "meshlint/proto.h"
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"

#include <string.h>
#include <strings.h>

typedef struct tok {
    const char *s;
    uint32_t len, off;
    char kind; /* 'i' identifier, 's' string, 'p' punctuation, 0 end */
} tok;

typedef struct lexer {
    const char *d;
    uint32_t n, i;
} lexer;

static bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }

static tok next(lexer *L)
{
    tok t = {NULL, 0, 0, 0};
    while (L->i < L->n) {
        char c = L->d[L->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            L->i++;
        } else if (c == '/' && L->i + 1 < L->n && L->d[L->i + 1] == '/') {
            while (L->i < L->n && L->d[L->i] != '\n')
                L->i++;
        } else if (c == '/' && L->i + 1 < L->n && L->d[L->i + 1] == '*') {
            L->i += 2;
            while (L->i + 1 < L->n && !(L->d[L->i] == '*' && L->d[L->i + 1] == '/'))
                L->i++;
            L->i = L->i + 2 <= L->n ? L->i + 2 : L->n;
        } else
            break;
    }
    if (L->i >= L->n)
        return t;
    t.off = L->i;
    t.s = L->d + L->i;
    char c = L->d[L->i];
    /* a fully-qualified type name starts with a dot: .acme.v1.Req */
    bool dotted = c == '.' && L->i + 1 < L->n && ident_start(L->d[L->i + 1]);
    if (ident_start(c) || dotted) {
        L->i++;
        while (L->i < L->n && ident_char(L->d[L->i]))
            L->i++;
        t.kind = 'i';
    } else if (c == '"' || c == '\'') {
        L->i++;
        while (L->i < L->n && L->d[L->i] != c && L->d[L->i] != '\n')
            L->i += L->d[L->i] == '\\' && L->i + 1 < L->n ? 2 : 1;
        if (L->i < L->n && L->d[L->i] == c)
            L->i++;
        t.kind = 's';
    } else {
        L->i++;
        t.kind = 'p';
    }
    t.len = L->i - t.off;
    return t;
}

static bool is(const tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind && t->len == n && memcmp(t->s, w, n) == 0;
}

static bool punct(const tok *t, char c) { return t->kind == 'p' && t->s[0] == c; }

/* After "rpc": Name ( [stream] Type ) returns ( [stream] Type ). Returns
 * false when the shape does not hold (the method is then not recorded). */
static bool read_rpc(lexer *L, tok *name, bool *cs, bool *ss)
{
    *name = next(L);
    if (name->kind != 'i')
        return false;
    tok t = next(L);
    if (!punct(&t, '('))
        return false;
    t = next(L);
    *cs = is(&t, "stream");
    if (*cs) {
        tok u = next(L);
        if (u.kind != 'i') /* "stream" was the type's name */
            *cs = false, t = u;
        else
            t = next(L);
    } else
        t = next(L);
    if (!punct(&t, ')'))
        return false;
    t = next(L);
    if (!is(&t, "returns"))
        return false;
    t = next(L);
    if (!punct(&t, '('))
        return false;
    t = next(L);
    *ss = is(&t, "stream");
    if (*ss) {
        tok u = next(L);
        if (u.kind != 'i')
            *ss = false, t = u;
        else
            t = next(L);
    } else
        t = next(L);
    return punct(&t, ')');
}

void ml_proto_parse(ml_arena *a, ml_file *f, ml_vec *out)
{
    if (!f || !f->data || f->len >= UINT32_MAX)
        return;
    lexer L = {f->data, (uint32_t)f->len, 0};
    const char *package = "";
    ml_vec services = {0};
    ml_proto_service *svc = NULL; /* the service being read */
    ml_vec methods = {0};
    unsigned depth = 0;
    for (tok t = next(&L); t.kind; t = next(&L)) {
        if (punct(&t, '{')) {
            depth++;
            continue;
        }
        if (punct(&t, '}')) {
            if (depth)
                depth--;
            if (svc && depth == 0) {
                svc->nmethods = methods.n;
                svc->methods = ml_alloc(a, (methods.n ? methods.n : 1) * sizeof *svc->methods);
                for (size_t i = 0; i < methods.n; i++)
                    svc->methods[i] = *(ml_proto_method *)methods.items[i];
                ml_vec_push(a, &services, svc);
                svc = NULL;
                methods.n = 0;
            }
            continue;
        }
        if (depth == 0 && is(&t, "package")) {
            tok p = next(&L);
            if (p.kind == 'i')
                package = ml_strndup(a, p.s, p.len);
            continue;
        }
        if (depth == 0 && is(&t, "service")) {
            tok n = next(&L);
            tok b = next(&L);
            if (n.kind != 'i' || !punct(&b, '{'))
                continue;
            depth++;
            svc = ml_zalloc(a, sizeof *svc);
            svc->name = ml_strndup(a, n.s, n.len);
            svc->loc = ml_loc_from_offsets(f, n.off, n.off + n.len);
            continue;
        }
        if (svc && depth == 1 && is(&t, "rpc")) {
            tok name;
            bool cs = false, ss = false;
            if (!read_rpc(&L, &name, &cs, &ss))
                continue;
            ml_proto_method *m = ml_zalloc(a, sizeof *m);
            m->name = ml_strndup(a, name.s, name.len);
            m->client_stream = cs;
            m->server_stream = ss;
            m->loc = ml_loc_from_offsets(f, name.off, name.off + name.len);
            ml_vec_push(a, &methods, m);
        }
    }
    /* the package statement may follow a service: name them at the end */
    ML_VEC_EACH(ml_proto_service *, s, &services) {
        s->package = package;
        s->type_name = *package ? ml_printf(a, "%s.%s", package, s->name) : s->name;
        ml_vec_push(a, out, s);
    }
}

const ml_proto_service *ml_proto_find(const ml_model *m, const char *name)
{
    const ml_proto_service *hit = NULL;
    const ml_vec *v = ml_map_vec(&m->proto_by_name, name, strlen(name));
    if (!v)
        return NULL;
    ML_VEC_EACH(const ml_proto_service *, p, v) {
        if (hit && strcmp(hit->type_name, p->type_name) != 0)
            return NULL; /* two services of that name in different packages */
        if (!hit)
            hit = p;
    }
    return hit;
}

int ml_server_mounts_rpc(const ml_model *m, const ml_server *s, const char *service, const char *method)
{
    if (!strncmp(service, "grpc.", 5))
        return ML_MAYBE; /* Healthcheck(), Reflection() and other protocols mount these */
    if (s->services_shared || !s->services.n)
        return ML_MAYBE;
    bool all_known = true;
    ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
        const ml_proto_service *ps = q->val.str ? ml_proto_find(m, q->val.str) : NULL;
        if (!ps) {
            all_known = false;
            continue;
        }
        if (strcmp(ps->type_name, service) != 0)
            continue;
        if (!method)
            return ML_YES;
        for (size_t i = 0; i < ps->nmethods; i++)
            if (!strcmp(ps->methods[i].name, method))
                return ML_YES;
        return ML_NO; /* the service is mounted, and has no such method */
    }
    return all_known ? ML_NO : ML_MAYBE;
}

/* Every application container of w runs a linked server. */
static bool fully_linked(const ml_workload *w)
{
    if (!w->servers.n)
        return false;
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init || c->is_sidecar_proxy)
            continue;
        bool served = false;
        ML_VEC_EACH(const ml_server *, s, &w->servers) {
            ML_VEC_EACH(const ml_link *, l, &s->links) {
                served |= l->workload == w && l->container == c;
            }
        }
        if (!served)
            return false;
    }
    return true;
}

int ml_link_mounts_rpc(const ml_model *m, const ml_link *l, const char *service, const char *method)
{
    int r = ml_server_mounts_rpc(m, l->server, service, method);
    if (r != ML_YES)
        return r;
    /* mounted in code; with enabledServices only where the link's list
     * names it (core/src/buildRoutes.ts: enabledServices.includes(typeName)) */
    ml_setting es = ml_link_enabled_services(m, l);
    if (es.val.kind == ML_VAL_ABSENT)
        return ML_YES;
    if (es.val.kind != ML_VAL_STR || !es.val.str)
        return ML_MAYBE;
    return ml_enabled_list_has(es.val.str, service) ? ML_YES : ML_NO;
}

int ml_workloads_mount_rpc(const ml_model *m, const ml_vec *workloads, const char *service, const char *method)
{
    if (!workloads->n)
        return ML_MAYBE;
    ML_VEC_EACH(const ml_workload *, w, workloads) {
        if (!fully_linked(w))
            return ML_MAYBE;
        ML_VEC_EACH(const ml_server *, s, &w->servers) {
            ML_VEC_EACH(const ml_link *, l, &s->links) {
                if (l->workload != w)
                    continue;
                int r = ml_link_mounts_rpc(m, l, service, method);
                if (r != ML_NO)
                    return r;
            }
        }
    }
    return ML_NO;
}

/* ---- the paths a set of workloads serves (ML319) ------------------------- */

static void add_path(ml_arena *a, ml_map *seen, ml_vec *out, const char *path)
{
    void **slot = ml_map_slot_for(seen, path, strlen(path));
    if (*slot)
        return;
    *slot = (void *)path;
    ml_vec_push(a, out, (void *)path);
}

static void add_service_paths(ml_arena *a, ml_map *seen, ml_vec *out, const char *type_name,
                              const char *const *methods, size_t n)
{
    for (size_t i = 0; i < n; i++)
        add_path(a, seen, out, ml_printf(a, "/%s/%s", type_name, methods[i]));
}

/* HTTP health on for the link: 1 yes, 0 no, -1 unknown (parseEnvConfig's
 * truth values, core/src/config/envSchema.ts; as ML403 reads them). */
static int health_http_on(const ml_model *m, const ml_link *l)
{
    ml_setting hh = ml_server_http_health(m, l);
    switch (hh.val.kind) {
    case ML_VAL_ABSENT:
        return 0;
    case ML_VAL_BOOL:
        return hh.val.b;
    case ML_VAL_STR: {
        const char *s = hh.val.str ? hh.val.str : "";
        return !strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes");
    }
    case ML_VAL_NUM:
        return hh.val.num == 1;
    default:
        return -1;
    }
}

/* The paths one link serves; false when not all of them are known. */
static bool link_paths(const ml_model *m, ml_arena *a, const ml_link *l, ml_map *seen, ml_vec *out)
{
    const ml_server *s = l->server;
    if (s->services_shared || !s->services.n || s->protocols_other)
        return false;
    if (s->has_health == ML_MAYBE || s->has_reflection == ML_MAYBE)
        return false;
    ml_setting es = ml_link_enabled_services(m, l);
    if (es.val.kind != ML_VAL_ABSENT && (es.val.kind != ML_VAL_STR || !es.val.str))
        return false;
    ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
        const ml_proto_service *ps = q->val.str ? ml_proto_find(m, q->val.str) : NULL;
        if (!ps)
            return false;
        if (es.val.kind == ML_VAL_STR && !ml_enabled_list_has(es.val.str, ps->type_name))
            continue; /* buildRoutes.ts: not in enabledServices, not mounted */
        for (size_t i = 0; i < ps->nmethods; i++)
            add_path(a, seen, out, ml_printf(a, "/%s/%s", ps->type_name, ps->methods[i].name));
    }
    if (s->has_health == ML_YES) {
        /* healthcheck/src/Healthcheck.ts registers grpc.health.v1.Health with
         * list, check and watch; httpHandler.ts answers httpPaths when
         * httpEnabled (default /healthz, /health, /readyz) */
        static const char *const health[] = {"Check", "Watch", "List"};
        add_service_paths(a, seen, out, "grpc.health.v1.Health", health, 3);
        int on = health_http_on(m, l);
        if (on < 0)
            return false;
        if (on) {
            if (s->health_paths_set && !s->health_paths_known)
                return false;
            if (s->health_paths_set) {
                ML_VEC_EACH(const char *, p, &s->health_paths) {
                    add_path(a, seen, out, p);
                }
            } else {
                add_path(a, seen, out, "/healthz");
                add_path(a, seen, out, "/health");
                add_path(a, seen, out, "/readyz");
            }
        }
    }
    if (s->has_reflection == ML_YES) {
        /* reflection/src/serverReflection.ts: v1 and v1alpha */
        static const char *const info[] = {"ServerReflectionInfo"};
        add_service_paths(a, seen, out, "grpc.reflection.v1.ServerReflection", info, 1);
        add_service_paths(a, seen, out, "grpc.reflection.v1alpha.ServerReflection", info, 1);
    }
    return true;
}

bool ml_workloads_served_paths(const ml_model *m, ml_arena *a, const ml_vec *workloads, ml_vec *out)
{
    if (!workloads->n)
        return false;
    ml_map seen;
    ml_map_init(&seen);
    bool known = true;
    ML_VEC_EACH(const ml_workload *, w, workloads) {
        if (!known)
            break;
        if (!fully_linked(w)) {
            known = false;
            break;
        }
        ML_VEC_EACH(const ml_server *, s, &w->servers) {
            ML_VEC_EACH(const ml_link *, l, &s->links) {
                if (known && l->workload == w)
                    known = link_paths(m, a, l, &seen, out);
            }
        }
    }
    ml_map_free(&seen);
    return known;
}
