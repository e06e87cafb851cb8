/*
 * link.c - which workloads run which Connectum server, and what the server
 * then really does once the container's environment is taken into account.
 *
 * Nothing in a manifest names the source file of the image it runs, so a
 * server is linked by the first of these that yields workloads, and the
 * reason is kept for every message that relies on it: an explicit mapping
 * (pod annotation meshlint.io/source, or `workloads:` in the configuration);
 * the image the container runs, when the repository builds it from the
 * server's package (Dockerfile, docker-compose build:, skaffold artifacts),
 * narrowed by the entry point each container starts and its imports;
 * the OTel service name; the nearest package.json name; a directory name in
 * the file's path; and, when the input has exactly one server, the
 * workloads whose container port equals its port. Names are looked up in an
 * index built once (workload name, app.kubernetes.io/name, app), so linking
 * is linear in servers plus workloads.
 *
 * A server in a test file (server.test.ts, __tests__/, a test directory of
 * the package) runs under a test runner: it is linked to nothing.
 *
 * The effective settings (port, HTTP health, shutdown timeout, OTel name)
 * combine what the code fixes with what the container's env/envFrom provide,
 * as Kubernetes resolves them: env beats envFrom, a later envFrom ConfigMap
 * beats an earlier one.
 */
#include "meshlint/config.h"
#include "meshlint/lsp.h"
#include "meshlint/model.h"
#include "meshlint/regex.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"
#include "meshlint/yaml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define SOURCE_ANNOTATION "meshlint.io/source"

/* ---- container environment ------------------------------------------------- */

static const char *where(const ml_model *m, const ml_workload *w)
{
    return ml_printf(m->arena, "%s %s/%s", ml_kind_name(w->res->kind), w->res->ns, w->res->name);
}

/* A setting of this kind from source, set at loc (the value's place too). */
static ml_setting setting_at(ml_val_kind kind, const char *source, ml_loc loc)
{
    ml_setting s;
    memset(&s, 0, sizeof s);
    s.val.kind = kind;
    s.val.loc = loc;
    s.source = source;
    s.loc = loc;
    return s;
}

static ml_setting unknown_setting(const char *why, const char *source, ml_loc loc)
{
    ml_setting s = setting_at(ML_VAL_UNKNOWN, source, loc);
    s.val.why = why;
    return s;
}

static ml_setting str_setting(const char *str, const char *source, ml_loc loc)
{
    ml_setting s = setting_at(ML_VAL_STR, source, loc);
    s.val.str = str;
    return s;
}

/* The value of env var name in container c; described: with its source and
 * reasons, else the value alone (kind and string; no text is made). */
static ml_setting container_env(const ml_model *m, const ml_workload *w, const ml_container *c, const char *name,
                                bool described)
{
    ml_setting r;
    memset(&r, 0, sizeof r);
    r.val.kind = ML_VAL_ABSENT;
    if (!w || !c || !name)
        return r;
    /* env: the last entry of a name wins, and env beats envFrom */
    const ml_env *hit = NULL;
    for (size_t i = 0; i < c->nenv; i++)
        if (ml_streq(ml_str(c->env[i].name), name))
            hit = &c->env[i];
    if (hit) {
        /* where() inside the one string */
        const char *src = !described ? NULL
                                     : ml_printf(m->arena, "env %s in %s %s/%s", name, ml_kind_name(w->res->kind),
                                                 w->res->ns, w->res->name);
        if (hit->value)
            return str_setting(ml_str(hit->value) ? ml_str(hit->value) : "", src, ml_node_loc(hit->value));
        if (hit->value_from) {
            const ml_node *cmr = ml_get(hit->value_from, "configMapKeyRef");
            if (cmr) {
                const char *cm = ml_str_nonnull(ml_get(cmr, "name"));
                const char *key = ml_str_nonnull(ml_get(cmr, "key"));
                ml_resource *res = cm ? ml_model_find(m, ML_K_CONFIGMAP, w->res->ns, cm) : NULL;
                if (res && res->u.configmap && key) {
                    const ml_node *v = ml_get(res->u.configmap->data, key);
                    if (v && ml_is_scalar(v))
                        return str_setting(
                            ml_str(v),
                            !described ? NULL
                                       : ml_printf(m->arena, "ConfigMap %s/%s (key %s, via env %s in %s %s/%s)",
                                                   w->res->ns, cm, key, name, ml_kind_name(w->res->kind), w->res->ns,
                                                   w->res->name),
                            ml_node_loc(v));
                }
                return unknown_setting(!described ? NULL
                                                  : ml_printf(m->arena, "%s comes from ConfigMap %s, not found in the "
                                                                        "input", name, cm ? cm : "?"),
                                       src, ml_node_loc(hit->value_from));
            }
            return unknown_setting(!described ? NULL
                                              : ml_printf(m->arena, "%s comes from a secret or field reference", name),
                                   src, ml_node_loc(hit->value_from));
        }
        return str_setting("", src, ml_node_loc(hit->name));
    }
    /* envFrom: the last ConfigMap that has the key wins */
    for (size_t k = c->env_from_configmaps.n; k-- > 0;) {
        const ml_node *cmn = c->env_from_configmaps.items[k];
        const char *cm = ml_str_nonnull(cmn);
        if (!cm)
            continue;
        ml_resource *res = ml_model_find(m, ML_K_CONFIGMAP, w->res->ns, cm);
        if (!res || !res->u.configmap)
            return described ? unknown_setting(ml_printf(m->arena, "envFrom ConfigMap %s/%s is not in the input",
                                                         w->res->ns, cm),
                                               ml_printf(m->arena, "envFrom in %s", where(m, w)), ml_node_loc(cmn))
                             : unknown_setting(NULL, NULL, ml_node_loc(cmn));
        const ml_node *v = ml_get(res->u.configmap->data, name);
        if (v && ml_is_scalar(v))
            return str_setting(ml_str(v) ? ml_str(v) : "",
                               !described ? NULL : ml_printf(m->arena, "ConfigMap %s/%s", w->res->ns, cm),
                               ml_node_loc(v));
    }
    return r;
}

ml_setting ml_container_env(const ml_model *m, const ml_workload *w, const ml_container *c, const char *name)
{
    return container_env(m, w, c, name, true);
}

/* ---- effective settings ------------------------------------------------------ */

typedef enum want { WANT_NUM, WANT_BOOL, WANT_STR } want;

static bool parse_num(const char *s, double *out)
{
    ml_val v;
    memset(&v, 0, sizeof v);
    v.kind = ML_VAL_STR;
    v.str = s;
    return ml_val_num(&v, out);
}

static bool parse_bool(const char *s, bool *out)
{
    if (!s)
        return false;
    static const char *const yes[] = {"true", "1", "yes", "TRUE", "True", "YES", "Yes", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
    *out = false;
    return true; /* the framework treats anything else as false */
}

/* Convert a string setting to the wanted kind. */
static ml_setting convert(const ml_model *m, ml_setting s, want w, const char *var)
{
    if (s.val.kind != ML_VAL_STR)
        return s;
    if (w == WANT_NUM) {
        double d;
        if (!parse_num(s.val.str, &d))
            return unknown_setting(ml_printf(m->arena, "%s=\"%s\" is not a number", var ? var : "value", s.val.str),
                                   s.source, s.loc);
        s.val.kind = ML_VAL_NUM;
        s.val.num = d;
    } else if (w == WANT_BOOL) {
        bool b = false;
        parse_bool(s.val.str, &b);
        s.val.kind = ML_VAL_BOOL;
        s.val.b = b;
    }
    return s;
}

static ml_setting code_setting(const ml_val *v, const char *source)
{
    ml_setting s;
    memset(&s, 0, sizeof s);
    s.val = *v;
    s.source = source;
    s.loc = v->loc;
    return s;
}

static ml_setting default_setting(want w, double num, bool b, const char *str, ml_loc loc)
{
    ml_setting s = setting_at(ML_VAL_ABSENT, "default", loc);
    if (w == WANT_NUM) {
        s.val.kind = ML_VAL_NUM;
        s.val.num = num;
    } else if (w == WANT_BOOL) {
        s.val.kind = ML_VAL_BOOL;
        s.val.b = b;
    } else if (str) {
        s.val.kind = ML_VAL_STR;
        s.val.str = str;
    }
    return s;
}

/* A value the code fixes, possibly through the environment. fw_env: the
 * variable the framework's env parser reads when the code is silent. */
static ml_setting effective(const ml_model *m, const ml_link *l, const ml_val *code, want w,
                            const char *fw_env, double dnum, bool dbool, const char *dstr)
{
    ml_loc at = l->server->call;
    switch (code->kind) {
    case ML_VAL_NUM:
    case ML_VAL_BOOL:
    case ML_VAL_STR:
        return convert(m, code_setting(code, "code"), w, NULL);
    case ML_VAL_UNKNOWN:
        if (ml_val_alts(code)->n) {
            /* one of a few values (the call sites of a builder differ):
             * known for this link when every one comes to the same */
            const ml_vec *alts = ml_val_alts(code);
            ml_setting first = effective(m, l, alts->items[0], w, fw_env, dnum, dbool, dstr);
            bool same = first.val.kind != ML_VAL_UNKNOWN;
            ml_buf b;
            ml_buf_init(&b);
            for (size_t k = 0; k < alts->n; k++) {
                ml_setting o = k ? effective(m, l, alts->items[k], w, fw_env, dnum, dbool, dstr) : first;
                same &= o.val.kind != ML_VAL_UNKNOWN && ml_val_same(&o.val, &first.val);
                if (k)
                    ml_buf_puts(&b, k + 1 == alts->n ? " or " : ", ");
                ml_buf_puts(&b, ml_val_text(m->arena, &o.val));
            }
            const char *list = ml_strndup(m->arena, b.s ? b.s : "", b.n);
            ml_buf_free(&b);
            if (same) {
                first.source = ml_printf(m->arena, "every alternative in code (%s)", first.source);
                return first;
            }
            return unknown_setting(ml_printf(m->arena, "one of %s in %s (%s)", list, where(m, l->workload),
                                             code->why ? code->why : "alternatives in code"),
                                   "code", code->loc);
        }
        return unknown_setting(code->why ? code->why : "not known statically", "code", code->loc);
    case ML_VAL_ENV: {
        ml_setting e = ml_container_env(m, l->workload, l->container, code->env);
        if (ml_val_env_match(code)->n) {
            /* the code tests the variable: X === "true", [...].includes(X) */
            if (e.val.kind == ML_VAL_STR) {
                bool hit = false;
                ML_VEC_EACH(const char *, s, ml_val_env_match(code)) {
                    hit |= strcmp(s, e.val.str ? e.val.str : "") == 0;
                }
                e.val.kind = ML_VAL_BOOL;
                e.val.b = hit != code->env_negate;
                return e;
            }
            if (e.val.kind != ML_VAL_ABSENT)
                return e;
            if (code->env_default)
                return code_setting(code->env_default,
                                    ml_printf(m->arena, "default in code (%s is not set)", code->env));
            return unknown_setting(ml_printf(m->arena, "%s is tested but its outcome when unset is unknown",
                                             code->env),
                                   "code", code->loc);
        }
        if (e.val.kind != ML_VAL_ABSENT)
            return convert(m, e, w, code->env);
        if (code->env_default) {
            const ml_val *d = code->env_default;
            if (d->kind == ML_VAL_ENV)
                return effective(m, l, d, w, NULL, dnum, dbool, dstr);
            ml_setting s = convert(m, code_setting(d, ml_printf(m->arena, "default in code (%s is not set)", code->env)), w, NULL);
            return s;
        }
        return unknown_setting(ml_printf(m->arena, "%s is not set in the container and the code has no default",
                                         code->env),
                               "code", code->loc);
    }
    case ML_VAL_ABSENT:
    default:
        if (fw_env) {
            ml_setting e = ml_container_env(m, l->workload, l->container, fw_env);
            if (e.val.kind != ML_VAL_ABSENT)
                return convert(m, e, w, fw_env);
        }
        return default_setting(w, dnum, dbool, dstr, code->loc.file ? code->loc : at);
    }
}

enum { MEMO_PORT, MEMO_HEALTH, MEMO_SHUTDOWN, MEMO_OTEL, MEMO_AUTO_SHUTDOWN, MEMO_HOST, MEMO_HTTP1, MEMO__COUNT };

/* Whether effective() of code (with fw_env) reads the link's container
 * env or names its workload: an env read, a framework env variable when the
 * code is silent, alternatives (their message names the workload). Else
 * the setting is the server's own, the same for every link. */
static bool link_dependent(const ml_val *code, const char *fw_env)
{
    switch (code->kind) {
    case ML_VAL_NUM:
    case ML_VAL_BOOL:
    case ML_VAL_STR:
        return false;
    case ML_VAL_UNKNOWN:
        return ml_val_alts(code)->n > 0;
    case ML_VAL_ENV:
        return true;
    case ML_VAL_ABSENT:
    default:
        return fw_env != NULL;
    }
}

/* The settings of server s that differ by link (bit MEMO_x), mirroring
 * server_port ... server_allow_http1 below. Only these are memoized per
 * link: the others cost a struct copy to work out (and allocate nothing but
 * the message of a code string that is not a number), so a per-link copy
 * of them (184 bytes each) bought nothing but memory. */
static unsigned memo_mask(const ml_server *s)
{
    unsigned mask = 0;
    mask |= (unsigned)link_dependent(&s->port, "PORT") << MEMO_PORT;
    if (s->has_health != ML_NO &&
        !(s->has_health == ML_MAYBE && s->health_http_enabled.kind == ML_VAL_UNKNOWN))
        mask |= (unsigned)link_dependent(&s->health_http_enabled, NULL) << MEMO_HEALTH;
    mask |= (unsigned)link_dependent(&s->shutdown_timeout, NULL) << MEMO_SHUTDOWN;
    mask |= (unsigned)(s->otel_used || link_dependent(&s->otel_service_name, "OTEL_SERVICE_NAME")) << MEMO_OTEL;
    mask |= (unsigned)link_dependent(&s->shutdown_auto, NULL) << MEMO_AUTO_SHUTDOWN;
    mask |= (unsigned)link_dependent(&s->host, "LISTEN") << MEMO_HOST;
    mask |= (unsigned)link_dependent(&s->allow_http1, NULL) << MEMO_HTTP1;
    return mask;
}

/* The memoized setting k of link l, or NULL: not memoized (before
 * memo_settings, or the same for every link of the server), so worked out
 * on demand, which gives the same value. l->memo holds the link-dependent
 * settings in MEMO_x order. */
static const ml_setting *memo_of(const ml_link *l, unsigned k)
{
    if (!l->memo)
        return NULL;
    unsigned mask = memo_mask(l->server);
    if (!(mask & (1u << k)))
        return NULL;
    unsigned rank = 0;
    for (unsigned i = 0; i < k; i++)
        rank += (mask >> i) & 1u;
    return &l->memo[rank];
}

static ml_setting server_port(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->port, WANT_NUM, "PORT", 5000, false, NULL);
}

ml_setting ml_server_port(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_PORT);
    return k ? *k : server_port(m, l);
}

static ml_setting server_http_health(const ml_model *m, const ml_link *l)
{
    const ml_server *s = l->server;
    if (s->has_health == ML_NO) {
        ml_setting d = default_setting(WANT_BOOL, 0, false, NULL, s->options.file ? s->options : s->call);
        d.source = "no Healthcheck protocol";
        return d;
    }
    if (s->has_health == ML_MAYBE && s->health_http_enabled.kind == ML_VAL_UNKNOWN)
        return unknown_setting(s->health_http_enabled.why, "code", s->health_http_enabled.loc);
    /* no framework code reads HTTP_HEALTH_ENABLED: it takes effect only
     * where the code passes parseEnvConfig()'s field on (envSchema.ts) */
    return effective(m, l, &s->health_http_enabled, WANT_BOOL, NULL, 0, false, NULL);
}

ml_setting ml_server_http_health(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_HEALTH);
    return k ? *k : server_http_health(m, l);
}

static ml_setting server_shutdown_ms(const ml_model *m, const ml_link *l)
{
    /* no env variable is read for shutdown (Server.ts, envSchema.ts) */
    return effective(m, l, &l->server->shutdown_timeout, WANT_NUM, NULL, 30000, false, NULL);
}

ml_setting ml_server_shutdown_ms(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_SHUTDOWN);
    return k ? *k : server_shutdown_ms(m, l);
}

/* service.name=... in OTEL_RESOURCE_ATTRIBUTES, or NULL. */
static const char *resource_service_name(const ml_model *m, const char *attrs)
{
    for (const char *p = attrs; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > 13 && strncmp(p, "service.name=", 13) == 0)
            return ml_strndup(m->arena, p + 13, n - 13);
        p = e;
    }
    return NULL;
}

/* The name @connectum/otel reports under: initProvider's serviceName, else
 * OTEL_SERVICE_NAME || npm_package_name || "unknown-service"
 * (otel/src/config.ts getServiceMetadata, provider.ts). npm_package_name
 * exists only when npm starts the process, which the manifests do not say:
 * unknown unless the container sets it. A service.name in
 * OTEL_RESOURCE_ATTRIBUTES that differs leaves the name unknown. */
static ml_setting server_otel_name(const ml_model *m, const ml_link *l)
{
    const ml_server *s = l->server;
    ml_setting r = effective(m, l, &s->otel_service_name, WANT_STR, "OTEL_SERVICE_NAME", 0, false, NULL);
    if (s->otel_used && s->otel_service_name.kind == ML_VAL_ABSENT &&
        (r.val.kind == ML_VAL_ABSENT || (r.val.kind == ML_VAL_STR && r.val.str && !*r.val.str))) {
        ml_setting npm = ml_container_env(m, l->workload, l->container, "npm_package_name");
        if (npm.val.kind == ML_VAL_STR && npm.val.str && *npm.val.str)
            r = npm;
        else
            r = unknown_setting("OTEL_SERVICE_NAME is not set: the name is npm_package_name when npm starts "
                                "the process, else \"unknown-service\" (the @connectum/otel fallbacks)",
                                "default", s->otel_used_loc.file ? s->otel_used_loc : s->call);
    }
    if (s->otel_used) {
        ml_setting ra = ml_container_env(m, l->workload, l->container, "OTEL_RESOURCE_ATTRIBUTES");
        const char *rn = ra.val.kind == ML_VAL_STR ? resource_service_name(m, ra.val.str) : NULL;
        if (rn && !(r.val.kind == ML_VAL_STR && r.val.str && strcmp(r.val.str, rn) == 0))
            r = unknown_setting(ml_printf(m->arena, "OTEL_RESOURCE_ATTRIBUTES sets service.name=%s", rn),
                                ra.source, ra.loc);
    }
    return r;
}

/* shutdown.autoShutdown: without it no signal handler is installed
 * (core/src/Server.ts); ABSENT means false. */
static ml_setting server_auto_shutdown(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->shutdown_auto, WANT_BOOL, NULL, 0, false, NULL);
}

ml_setting ml_server_auto_shutdown(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_AUTO_SHUTDOWN);
    return k ? *k : server_auto_shutdown(m, l);
}

/* host: the code's value, else env LISTEN, else 0.0.0.0
 * (core/src/TransportManager.ts). */
static ml_setting server_host(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->host, WANT_STR, "LISTEN", 0, false, "0.0.0.0");
}

ml_setting ml_server_host(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_HOST);
    return k ? *k : server_host(m, l);
}

/* allowHTTP1: the code's value, else true (core/src/TransportManager.ts). */
static ml_setting server_allow_http1(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->allow_http1, WANT_BOOL, NULL, 0, true, NULL);
}

ml_setting ml_server_allow_http1(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_HTTP1);
    return k ? *k : server_allow_http1(m, l);
}

/* The entries of a comma-separated list that an exact comparison can
 * match: those without blanks around them (an untrimmed " b" equals no
 * type name). */
static ml_setting exact_entries(const ml_model *m, ml_setting r)
{
    if (r.val.kind != ML_VAL_STR || !r.val.str)
        return r;
    ml_buf b;
    ml_buf_init(&b);
    size_t dropped = 0;
    for (const char *p = r.val.str; p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool blank = n && (strchr(" \t\r\n", p[0]) || strchr(" \t\r\n", p[n - 1]));
        if (blank) {
            dropped++;
        } else if (n) {
            if (b.n)
                ml_buf_puts(&b, ",");
            ml_buf_add(&b, p, n);
        }
        p = e ? e + 1 : NULL;
    }
    if (dropped) {
        r.val.str = ml_strndup(m->arena, b.s ? b.s : "", b.n);
        r.source = ml_printf(m->arena, "%s; %zu entr%s with blanks around %s dropped: the entries are not trimmed "
                             "and enabledServices.includes() compares them exactly (core/src/buildRoutes.ts)",
                             r.source, dropped, dropped == 1 ? "y" : "ies", dropped == 1 ? "it" : "them");
    }
    ml_buf_free(&b);
    return r;
}

/* V.split(/re/) of the link's string: the entries JavaScript's split gives
 * (regex.h ml_re_js_split), joined with commas as the rest expects; an
 * entry with a comma in it names no service and is left out. */
static ml_setting regex_entries(const ml_model *m, const ml_server *s, ml_setting r)
{
    ml_vec parts = {0};
    if (ml_re_js_split(m->arena, s->enabled_sep, r.val.str, &parts) != ML_RE_YES)
        return unknown_setting(ml_printf(m->arena, "splitting \"%s\" at %s was not evaluated (a match limit, or "
                                                   "a value too long)", r.val.str, s->enabled_sep),
                               r.source, r.loc);
    ml_buf b;
    ml_buf_init(&b);
    ML_VEC_EACH(const char *, e, &parts) {
        if (strchr(e, ','))
            continue;
        if (b.n || e != parts.items[0])
            ml_buf_puts(&b, ",");
        ml_buf_puts(&b, e);
    }
    r.val.str = ml_strndup(m->arena, b.s ? b.s : "", b.n);
    r.source = ml_printf(m->arena, "%s, split at %s", r.source, s->enabled_sep);
    ml_buf_free(&b);
    return r;
}

/* The list r of server s, or every service (ABSENT) when the code passes
 * undefined for it (ml_server.enabled_all_when): the list is empty, or an
 * entry is "*" (parseServicesEnv trims entries and drops empty ones,
 * core/src/enabledServices.ts; an untrimmed split keeps them as written). */
static ml_setting all_when(const ml_model *m, const ml_server *s, ml_setting r)
{
    if (!s->enabled_all_when || r.val.kind != ML_VAL_STR || !r.val.str)
        return r;
    size_t entries = 0;
    bool star = false;
    for (const char *p = r.val.str; p;) {
        const char *e = strchr(p, ',');
        const char *end = e ? e : p + strlen(p), *b = p;
        if (s->enabled_trim) {
            while (b < end && strchr(" \t\r\n", *b))
                b++;
            while (end > b && strchr(" \t\r\n", end[-1]))
                end--;
        }
        if (end > b) {
            entries++;
            star |= end - b == 1 && *b == '*';
        }
        p = e ? e + 1 : NULL;
    }
    const char *why = NULL;
    if (star && (s->enabled_all_when & ML_ES_ALL_STAR))
        why = "names \"*\"";
    else if (!entries && (s->enabled_all_when & ML_ES_ALL_EMPTY))
        why = "is empty";
    if (!why)
        return r;
    return setting_at(ML_VAL_ABSENT,
                      ml_printf(m->arena, "%s; the list %s, so the code passes enabledServices: undefined and "
                                          "every service is mounted (core/src/buildRoutes.ts)",
                                r.source, why),
                      r.loc.file ? r.loc : s->enabled_services.loc);
}

/* The link's enabledServices: the list the code builds from a string V (see
 * ml_server.enabled_from_env), V taken from the container's env where the
 * code reads it. */
static ml_setting link_enabled_list(const ml_model *m, const ml_link *l);

ml_setting ml_link_enabled_services(const ml_model *m, const ml_link *l)
{
    return all_when(m, l->server, link_enabled_list(m, l));
}

static ml_setting link_enabled_list(const ml_model *m, const ml_link *l)
{
    const ml_server *s = l->server;
    if (s->enabled_services.kind == ML_VAL_ABSENT)
        return setting_at(ML_VAL_ABSENT, "code", s->call);
    if (!s->enabled_from_env)
        return unknown_setting(ml_printf(m->arena, "enabledServices is %s, not a list meshlint evaluates",
                                         s->enabled_services.why ? s->enabled_services.why : "not a literal"),
                               "code", s->enabled_services.loc);
    const ml_val *v = &s->enabled_list;
    if (v->kind == ML_VAL_ENV && !v->env_default && !ml_val_env_match(v)->n) {
        ml_setting e = ml_container_env(m, l->workload, l->container, v->env);
        if (e.val.kind == ML_VAL_ABSENT) {
            const char *src = ml_printf(m->arena, "%s is not set in %s", v->env, where(m, l->workload));
            switch (s->enabled_unset) {
            case ML_ES_UNSET_ALL: /* undefined?.split(): undefined mounts every service (buildRoutes.ts) */
                return setting_at(ML_VAL_ABSENT,
                                  ml_printf(m->arena, "%s: %s?.split() is undefined, so every service is mounted",
                                            src, v->env),
                                  v->loc);
            case ML_ES_UNSET_THROWS:
                return unknown_setting(ml_printf(m->arena, "%s is not set, so %s.split() throws before the server "
                                                 "is built", v->env, v->env),
                                       src, v->loc);
            default: /* parseServicesEnv(undefined): [] (enabledServices.ts) */
                return str_setting("", src, v->loc);
            }
        }
    }
    if (v->kind == ML_VAL_ABSENT)
        return str_setting("", "code", s->enabled_services.loc); /* parseServicesEnv() of nothing: [] */
    ml_setting r = effective(m, l, v, WANT_STR, NULL, 0, false, NULL);
    if (s->enabled_sep && r.val.kind == ML_VAL_STR && r.val.str)
        r = regex_entries(m, s, r);
    if (r.val.kind != ML_VAL_STR)
        return r;
    return s->enabled_trim ? r : exact_entries(m, r);
}

/* The baseUrl one outbound call uses from this link: the code's string, or
 * the env variable it reads as the link's container sets it, else the
 * code's default (nested defaults followed; one of several values when they
 * all agree); unknown otherwise, with the reason. */
ml_setting ml_link_outbound_url(const ml_model *m, const ml_link *l, const ml_outbound *o)
{
    if (o->url.kind == ML_VAL_ABSENT)
        return unknown_setting("the transport has no baseUrl meshlint can read", "code", o->loc);
    return effective(m, l, &o->url, WANT_STR, NULL, 0, false, NULL);
}

bool ml_enabled_list_has(const char *list, const char *type_name)
{
    size_t n = strlen(type_name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        const char *end = e ? e : p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        const char *q = end;
        while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
            q--;
        if ((size_t)(q - p) == n && !memcmp(p, type_name, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

ml_setting ml_server_otel_name(const ml_model *m, const ml_link *l)
{
    const ml_setting *k = memo_of(l, MEMO_OTEL);
    return k ? *k : server_otel_name(m, l);
}

static bool str_same(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static bool loc_same(const ml_loc *a, const ml_loc *b)
{
    return a->file == b->file && a->line == b->line && a->col == b->col && a->end_line == b->end_line &&
           a->end_col == b->end_col && a->off == b->off && a->end_off == b->end_off;
}

/* Settings no reader can tell apart: every field of ml_setting and its
 * ml_val equal, strings by content, the code's own values and lists (env
 * default, env_match, alternatives) by identity. A field added to either
 * struct must be compared here (the sizes below say so on LP64). */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(ml_val) == 88 && sizeof(ml_setting) == 128 && sizeof(ml_loc) == 32,
               "setting_same compares every field of ml_setting, ml_val and ml_loc: update it");
#endif
static bool setting_same(const ml_setting *a, const ml_setting *b)
{
    const ml_val *x = &a->val, *y = &b->val;
    const ml_vec *xm = ml_val_env_match(x), *ym = ml_val_env_match(y), *xa = ml_val_alts(x), *ya = ml_val_alts(y);
    return x->kind == y->kind && memcmp(&x->num, &y->num, sizeof x->num) == 0 && str_same(x->str, y->str) &&
           x->b == y->b && str_same(x->env, y->env) && x->env_default == y->env_default &&
           str_same(x->why, y->why) && loc_same(&x->loc, &y->loc) && xm->n == ym->n &&
           (!xm->n || xm->items == ym->items) && x->env_negate == y->env_negate &&
           xa->n == ya->n && (!xa->n || xa->items == ya->items) &&
           str_same(a->source, b->source) && loc_same(&a->loc, &b->loc);
}

enum { MEMO_SHARE_MAX = 8 }; /* distinct memos per server compared against */

/* Once every link is made, work out each link's settings that depend on
 * its container (memo_mask) for the rules: the same answers, computed once
 * instead of by every rule that asks. */
static void memo_settings(ml_model *m)
{
    static ml_setting (*const fn[MEMO__COUNT])(const ml_model *, const ml_link *) = {
        [MEMO_PORT] = server_port,
        [MEMO_HEALTH] = server_http_health,
        [MEMO_SHUTDOWN] = server_shutdown_ms,
        [MEMO_OTEL] = server_otel_name,
        [MEMO_AUTO_SHUTDOWN] = server_auto_shutdown,
        [MEMO_HOST] = server_host,
        [MEMO_HTTP1] = server_allow_http1,
    };
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        unsigned mask = memo_mask(s), n = 0;
        for (unsigned k = 0; k < MEMO__COUNT; k++)
            n += (mask >> k) & 1u;
        if (!n)
            continue; /* nothing differs by link: every accessor works it out */
        /* links whose settings come out the same (a stable and a canary
         * Deployment reading one ConfigMap) share one copy */
        const ml_setting *seen[MEMO_SHARE_MAX];
        size_t nseen = 0;
        ML_VEC_EACH(ml_link *, l, &s->links) {
            ml_setting memo[MEMO__COUNT];
            unsigned i = 0;
            for (unsigned k = 0; k < MEMO__COUNT; k++)
                if (mask & (1u << k))
                    memo[i++] = fn[k](m, l);
            const ml_setting *hit = NULL;
            for (size_t j = 0; j < nseen && !hit; j++) {
                bool same = true;
                for (unsigned k = 0; k < n && same; k++)
                    same = setting_same(&seen[j][k], &memo[k]);
                if (same)
                    hit = seen[j];
            }
            if (!hit) {
                ml_setting *copy = ml_alloc(m->arena, n * sizeof *copy);
                memcpy(copy, memo, n * sizeof *copy);
                hit = copy;
                if (nseen < MEMO_SHARE_MAX)
                    seen[nseen++] = copy;
            }
            l->memo = hit;
        }
    }
}

/* ---- test files ------------------------------------------------------------------ */

static bool is_component(const char *p, size_t n, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == n && memcmp(p, names[i], n) == 0)
            return true;
    return false;
}

/* Whether path is a test file; m, when given, remembers package lookups. */
static bool test_file(ml_model *m, ml_arena *a, const char *path)
{
    static const char *const anywhere[] = {"__tests__", "__mocks__", NULL};
    static const char *const in_package[] = {"test", "tests", "e2e", "__tests__", "__mocks__", NULL};
    if (!path)
        return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strstr(base, ".test.") || strstr(base, ".spec.") || strstr(base, ".e2e."))
        return true;
    /* Directory names: __tests__ anywhere; test, tests and e2e only inside
     * the package, since the path above it (a CI checkout under /builds/test,
     * say) says nothing about the file. */
    const char *pkg = m ? ml_ts_package_m(m, path, NULL) : ml_ts_package(a, path, NULL);
    size_t skip = 0;
    if (pkg && strcmp(pkg, ".") != 0 && strncmp(path, pkg, strlen(pkg)) == 0)
        skip = strlen(pkg);
    bool no_package = pkg && strcmp(pkg, ml_ts_dirname(a, path)) == 0;
    for (const char *p = path; p < base;) {
        const char *slash = strchr(p, '/');
        if (!slash || slash >= base)
            break;
        size_t n = (size_t)(slash - p);
        bool inside = (size_t)(p - path) >= skip && !no_package;
        if (is_component(p, n, inside ? in_package : anywhere))
            return true;
        p = slash + 1;
    }
    return false;
}

bool ml_ts_is_test_file(ml_arena *a, const char *path)
{
    return test_file(NULL, a, path);
}

/* ---- package-wide facts -------------------------------------------------------- */

/* initProvider and client transports in other files of the server's package. */
static void package_facts(ml_model *m)
{
    if (!m->servers.n)
        return;
    ml_vec facts = {0};
    ML_VEC_EACH(ml_file *, f, &m->files) {
        if (f->type == ML_FILE_TS)
            ml_ts_file_facts(m, f, &facts);
    }
    if (!facts.n)
        return;
    ml_map pkg_of_dir;
    ml_map_init(&pkg_of_dir);
    ml_map by_pkg; /* pkg -> ml_vec of facts */
    ml_map_init(&by_pkg);
    ML_VEC_EACH(ml_ts_fact *, fa, &facts) {
        /* what a test sets up (its own initProvider, its clients) is not
         * the deployed server's */
        if (fa->file && test_file(m, m->arena, fa->file->path))
            continue;
        ml_map_push(&by_pkg, m->arena, fa->pkg, strlen(fa->pkg), fa);
    }
    /* the package of every server, and the deployable servers of each package */
    ml_map servers_of_pkg; /* pkg -> ml_vec of ml_server* outside tests */
    ml_map_init(&servers_of_pkg);
    const char **pkg_of = ml_alloc(m->arena, (m->servers.n ? m->servers.n : 1) * sizeof *pkg_of);
    for (size_t i = 0; i < m->servers.n; i++) {
        ml_server *s = m->servers.items[i];
        pkg_of[i] = NULL;
        if (!s->file)
            continue;
        const char *dir = ml_ts_dirname(m->arena, s->file->path);
        const char *pkg = ml_map_gets(&pkg_of_dir, dir);
        if (!pkg) {
            pkg = ml_ts_package_m(m, s->file->path, NULL);
            ml_map_put(&pkg_of_dir, dir, strlen(dir), (void *)pkg);
        }
        pkg_of[i] = pkg;
        if (!s->in_test)
            ml_map_push(&servers_of_pkg, m->arena, pkg, strlen(pkg), s);
    }
    for (size_t i = 0; i < m->servers.n; i++) {
        ml_server *s = m->servers.items[i];
        const char *pkg = pkg_of[i];
        if (!pkg)
            continue;
        const ml_vec *v = ml_map_vec(&by_pkg, pkg, strlen(pkg));
        if (!v)
            continue;
        /* services mounted in other files belong to this server only when
         * the package has no other deployable server to mount them on */
        const ml_vec *peers = ml_map_vec(&servers_of_pkg, pkg, strlen(pkg));
        bool others = peers && peers->n > 1;
        if (others)
            s->services_shared = true; /* even its own file's: which server mounts what is not known */
        ML_VEC_EACH(ml_ts_fact *, fa, v) {
            if (fa->file == s->file)
                continue; /* the file's own facts were applied at extraction */
            if (fa->kind == ML_FACT_SERVICE && others) {
                s->services_shared = true;
                continue;
            }
            ml_ts_apply_fact(m, s, fa);
        }
    }
    ml_map_free(&pkg_of_dir);
    ml_map_free(&by_pkg);
    ml_map_free(&servers_of_pkg);
}

/* ---- linking ----------------------------------------------------------------------- */

static bool has_glob(const char *p) { return strpbrk(p, "*?[") != NULL; }

static const char *strip_dot(const char *p)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return p;
}

/* A source pattern against a server's path: a glob, or a path that names the
 * file itself or a directory above it. */
static bool source_matches(const char *pattern, const char *path)
{
    pattern = strip_dot(pattern);
    path = strip_dot(path);
    if (!*pattern)
        return false;
    if (has_glob(pattern))
        return ml_glob_match(pattern, path);
    size_t n = strlen(pattern);
    while (n > 1 && pattern[n - 1] == '/')
        n--;
    if (strncmp(pattern, path, n) != 0)
        return false;
    return path[n] == '\0' || path[n] == '/';
}

/* Config globs are relative to the configuration file's directory. */
static bool config_matches(const ml_config *cfg, const char *glob, const char *path)
{
    if (source_matches(glob, path))
        return true;
    const char *base = cfg && cfg->base_dir ? strip_dot(cfg->base_dir) : "";
    size_t n = strlen(base);
    path = strip_dot(path);
    if (n && strcmp(base, ".") != 0 && strncmp(path, base, n) == 0 && path[n] == '/')
        return source_matches(glob, path + n + 1);
    return false;
}

typedef struct linker {
    ml_model *m;
    ml_map names;  /* workload name / app.kubernetes.io/name / app -> ml_vec of ml_workload* */
    ml_map otel;   /* names plus OTEL_SERVICE_NAME env values */
    ml_vec annotated; /* workloads with meshlint.io/source */
    size_t deployable; /* servers outside test files */
    ml_map files;  /* normalised path -> ml_file* of the TypeScript/JavaScript inputs */
    ml_map hits;   /* build key (package or directory) -> ml_vec of image_hit* */
    ml_vec scope_hits; /* image_hit* whose build key is a directory, not a package */
    ml_map reach;  /* entry file path -> reach_set* */
    ml_vec reach_sets; /* reach_set*, to free their maps */
    ml_map edges;  /* file path -> file_edges* */
    ml_map tsc;    /* package directory -> tsc_out* (its tsconfig's outDir and rootDir) */
} linker;

static void index_push(ml_model *m, ml_map *idx, const char *key, ml_workload *w)
{
    if (!key || !*key)
        return;
    const ml_vec *v = ml_map_vec(idx, key, strlen(key));
    if (v && v->n && v->items[v->n - 1] == w)
        return; /* name equal to a label: once */
    ml_map_push(idx, m->arena, key, strlen(key), w);
}

static const ml_container *first_app_container(const ml_workload *w)
{
    for (size_t i = 0; i < w->ncontainers; i++)
        if (!w->containers[i].is_init && !w->containers[i].is_sidecar_proxy)
            return &w->containers[i];
    return NULL;
}

static void build_indexes(linker *lk)
{
    ml_model *m = lk->m;
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        const char *keys[3] = {w->res->name, ml_label(w->pod_labels, "app.kubernetes.io/name"),
                               ml_label(w->pod_labels, "app")};
        for (int k = 0; k < 3; k++) {
            index_push(m, &lk->names, keys[k], w);
            index_push(m, &lk->otel, keys[k], w);
        }
        for (size_t i = 0; i < w->ncontainers; i++) {
            const ml_container *c = &w->containers[i];
            if (c->is_init || c->is_sidecar_proxy)
                continue;
            ml_setting s = container_env(m, w, c, "OTEL_SERVICE_NAME", false); /* only the value counts here */
            if (s.val.kind == ML_VAL_STR)
                index_push(m, &lk->otel, s.val.str, w);
        }
        if (ml_label(w->pod_annotations, SOURCE_ANNOTATION))
            ml_vec_push(m->arena, &lk->annotated, w);
    }
}

static bool port_of(const ml_server *s, double *port)
{
    if (s->port.kind == ML_VAL_ABSENT) {
        *port = 5000;
        return true;
    }
    return ml_val_num(&s->port, port);
}

static const ml_container *serving_container(const ml_server *s, const ml_workload *w)
{
    double port;
    if (port_of(s, &port)) {
        for (size_t i = 0; i < w->ncontainers; i++) {
            const ml_container *c = &w->containers[i];
            if (c->is_init || c->is_sidecar_proxy)
                continue;
            for (size_t k = 0; k < c->nports; k++)
                if (c->ports[k].num >= 0 && (double)c->ports[k].num == port)
                    return c;
        }
    }
    const ml_container *c = first_app_container(w);
    return c ? c : (w->ncontainers ? &w->containers[0] : NULL);
}

static bool has_link(const ml_server *s, const ml_workload *w)
{
    ML_VEC_EACH(const ml_link *, l, &s->links) {
        if (l->workload == w)
            return true;
    }
    return false;
}

static void add_link(ml_model *m, ml_server *s, ml_workload *w, const char *reason)
{
    if (has_link(s, w))
        return;
    ml_link *l = ml_zalloc(m->arena, sizeof *l);
    l->server = s;
    l->workload = w;
    l->container = serving_container(s, w);
    l->reason = reason;
    ml_vec_push(m->arena, &s->links, l);
    ml_vec_push(m->arena, &w->servers, s);
}

static bool link_vec(ml_model *m, ml_server *s, const ml_vec *v, const char *reason)
{
    if (!v || !v->n)
        return false;
    ML_VEC_EACH(ml_workload *, w, v) {
        add_link(m, s, w, reason);
    }
    return true;
}

/* link_vec with the reason "<what> <name>", made only when v links */
static bool link_named(ml_model *m, ml_server *s, const ml_vec *v, const char *what, const char *name)
{
    if (!v || !v->n)
        return false;
    return link_vec(m, s, v, ml_printf(m->arena, "%s %s", what, name));
}

/* Two command or args fields that start the same process: both absent, or
 * the same list of strings. */
static bool same_argv(const ml_node *a, const ml_node *b)
{
    if (!a || ml_is_null(a) || !b || ml_is_null(b))
        return (!a || ml_is_null(a)) && (!b || ml_is_null(b));
    if (!ml_is_seq(a) || !ml_is_seq(b) || ml_node_n(a) != ml_node_n(b))
        return false;
    for (uint32_t i = 0; i < ml_node_n(a); i++) {
        const char *x = ml_is_scalar(&a->elems[i]) ? ml_str(&a->elems[i]) : NULL;
        const char *y = ml_is_scalar(&b->elems[i]) ? ml_str(&b->elems[i]) : NULL;
        if (!x || !y || strcmp(x, y) != 0)
            return false;
    }
    return true;
}

/* A server linked by a name (OTel service name, package name, directory)
 * runs wherever the same program runs: every workload with a container of
 * the very same image reference (repository and tag or digest), named
 * after the package, the linked workload or the OTel name, started with
 * the same command and args as a linked container. One image, many
 * roles: a Deployment named after the package and its siblings that run
 * the image with other env. From the links made since index from on. */
static size_t image_repo_n(const char *img);
static const char *otel_key(const ml_server *s);

/* The n bytes at p are the string name. */
static bool span_is(const char *p, size_t n, const char *name)
{
    return name && strlen(name) == n && memcmp(p, name, n) == 0;
}

/* App containers by image reference, for extend_same_image. */
typedef struct img_use {
    ml_workload *w;
    const ml_container *c;
} img_use;
typedef struct img_index {
    ml_map map; /* image -> img_use* */
    bool built;
} img_index;

static void extend_same_image(ml_model *m, img_index *ix, ml_server *s, size_t from)
{
    size_t n = s->links.n;
    for (size_t i = from; i < n; i++) {
        const ml_link *l = s->links.items[i];
        const ml_container *c = l->container;
        const char *img = c ? ml_str_nonnull(ml_get(c->node, "image")) : NULL;
        if (!img || !*img)
            continue;
        /* only an image named after the program: the package, the workload
         * it was linked to or its OTel name (a shared placeholder image such
         * as nginx or example/app says nothing) */
        size_t rn = image_repo_n(img); /* the repository: img[0, rn) */
        if (!rn)
            continue;
        const char *slash = memrchr(img, '/', rn);
        const char *base = slash ? slash + 1 : img;
        size_t bn = rn - (size_t)(base - img);
        if (!span_is(base, bn, s->package_name) && !span_is(base, bn, l->workload->res->name) &&
            !span_is(base, bn, otel_key(s)))
            continue;
        const ml_node *cmd = ml_get(c->node, "command"), *args = ml_get(c->node, "args");
        /* the app containers running img, in workload then container order
         * (an index built once per run: scanning every workload per link
         * made linking servers x workloads) */
        if (!ix->built) {
            ML_VEC_EACH(ml_workload *, w, &m->workloads) {
                for (size_t k = 0; k < w->ncontainers; k++) {
                    const ml_container *o = &w->containers[k];
                    const char *oi = ml_str_nonnull(ml_get(o->node, "image"));
                    if (o->is_init || o->is_sidecar_proxy || o->idle || !oi)
                        continue;
                    img_use *u = ml_alloc(m->arena, sizeof *u);
                    u->w = w;
                    u->c = o;
                    ml_map_push(&ix->map, m->arena, oi, strlen(oi), u);
                }
            }
            ix->built = true;
        }
        const ml_vec *uses = ml_map_vec(&ix->map, img, strlen(img));
        const ml_workload *done = NULL;
        for (size_t k = 0; uses && k < uses->n; k++) {
            const img_use *u = uses->items[k];
            if (u->w == done || !same_argv(cmd, ml_get(u->c->node, "command")) ||
                !same_argv(args, ml_get(u->c->node, "args")))
                continue;
            if (!has_link(s, u->w)) /* the reason only for a new link */
                add_link(m, s, u->w, ml_printf(m->arena, "runs image %s as %s does (%s)", img,
                                               ml_res_display(m->arena, l->workload->res), l->reason));
            done = u->w; /* one link per workload */
        }
    }
}

/* ---- image <-> build context ------------------------------------------------------ */

/* What the repository says about how an image is built: a Dockerfile (its
 * directory is the usual build context; it names no image), a
 * docker-compose service with build: and image:, or a skaffold artifact. */
typedef struct build_ev {
    const char *image;      /* repository without tag or digest; NULL for a Dockerfile alone */
    const char *context;    /* build context directory, normalised */
    const char *dockerfile; /* the Dockerfile the build uses, normalised */
    const char *key;        /* what it builds: a package directory, or a directory (scope) */
    bool by_pkg;            /* key is a package directory (package.json inside the context) */
    const char *what;       /* "docker-compose.yaml services.shop" */
    const ml_file *df;      /* the Dockerfile when it is among the inputs */
} build_ev;

/* An app container whose image one build produces (unambiguously). */
typedef struct image_hit {
    ml_workload *w;
    const ml_container *c;
    const build_ev *ev;
    const char *repo;
    bool weak;              /* by name only: the image's last path component */
} image_hit;

static const char *norm(ml_arena *a, const char *p) { return ml_ts_path_join(a, NULL, p); }

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* inner is dir or below it */
static bool path_inside(const char *inner, const char *dir)
{
    if (!strcmp(dir, "."))
        return inner[0] != '/' && strncmp(inner, "../", 3) != 0 && strcmp(inner, "..") != 0;
    size_t n = strlen(dir);
    return strncmp(inner, dir, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

/* registry/path/name:tag@digest -> registry/path/name; NULL when the text
 * is not a literal image (a ${VAR} or {{ }} left in it). */
static size_t image_repo_n(const char *img)
{
    if (!img || !*img || strpbrk(img, "${} \t"))
        return 0;
    size_t n = strcspn(img, "@");
    const char *slash = memrchr(img, '/', n);
    const char *colon = memrchr(slash ? slash : img, ':', n - (size_t)((slash ? slash : img) - img));
    if (colon)
        n = (size_t)(colon - img);
    return n;
}

static const char *image_repo(ml_arena *a, const char *img)
{
    size_t n = image_repo_n(img);
    return n ? ml_strndup(a, img, n) : NULL;
}

static bool compose_name(const char *path)
{
    const char *b = basename_of(path);
    if (strncmp(b, "docker-compose", 14) != 0 && strncmp(b, "compose", 7) != 0)
        return false;
    return ml_ends_with(b, ".yaml") || ml_ends_with(b, ".yml");
}

/* Fill key/by_pkg: the package the build produces is the nearest
 * package.json of the Dockerfile's directory when the Dockerfile is inside
 * the context (a monorepo building services/x/Dockerfile from the root),
 * else of the context; it must lie inside the context, or the build cannot
 * copy it, and then the directory itself is the scope. */
static void ev_scope(ml_model *m, build_ev *ev)
{
    const char *dfdir = ev->dockerfile ? ml_ts_dirname(m->arena, ev->dockerfile) : ev->context;
    const char *dir = path_inside(dfdir, ev->context) ? dfdir : ev->context;
    const char *pkg = norm(m->arena, ml_ts_package_m(m, ml_printf(m->arena, "%s/Dockerfile", dir), NULL));
    ev->by_pkg = path_inside(pkg, ev->context);
    ev->key = ev->by_pkg ? pkg : dir;
}

static const ml_file *file_at(const ml_map *files, const char *path)
{
    return path ? ml_map_gets(files, path) : NULL;
}

static build_ev *new_ev(ml_model *m, const ml_map *files, const char *image, const char *context,
                        const char *dockerfile, const char *what)
{
    build_ev *ev = ml_zalloc(m->arena, sizeof *ev);
    ev->image = image;
    ev->context = norm(m->arena, context);
    ev->dockerfile = norm(m->arena, dockerfile ? dockerfile : ml_printf(m->arena, "%s/Dockerfile", ev->context));
    ev->what = what;
    ev->df = file_at(files, ev->dockerfile);
    ev_scope(m, ev);
    return ev;
}

static bool remote_context(const char *c)
{
    return strstr(c, "://") || !strncmp(c, "git@", 4) || strpbrk(c, "${}");
}

static void collect_builds(ml_model *m, ml_vec *out)
{
    ml_map dfs; /* normalised path -> Dockerfile among the inputs */
    ml_map_init(&dfs);
    ml_map *files = &dfs;
    ML_VEC_EACH(ml_file *, f, &m->files) {
        if (f->type != ML_FILE_DOCKERFILE)
            continue;
        const char *p = norm(m->arena, f->path);
        ml_map_put(&dfs, p, strlen(p), f);
    }
    ML_VEC_EACH(ml_file *, f, &m->files) {
        if (f->type != ML_FILE_DOCKERFILE)
            continue;
        const char *p = norm(m->arena, f->path);
        ml_vec_push(m->arena, out, new_ev(m, files, NULL, ml_ts_dirname(m->arena, p), p, f->path));
    }
    ML_VEC_EACH(ml_doc *, d, &m->docs) {
        if (!d->file || !ml_is_map(d->root))
            continue;
        /* the document's directory, worked out only for a build file: per
         * document it cost two path copies for each of 100,000 manifests */
        const char *fdir;
        const ml_node *api = ml_get(d->root, "apiVersion");
        if (compose_name(d->file->path) && !api) {
            /* docker-compose: services.X.build (a path, or context + dockerfile) and image */
            const ml_node *svcs = ml_get(d->root, "services");
            if (!ml_is_map(svcs))
                continue;
            fdir = ml_ts_dirname(m->arena, norm(m->arena, d->file->path));
            for (uint32_t i = 0; i < ml_node_n(svcs); i++) {
                const ml_node *svc = &svcs->kvs[i].value;
                const char *name = ml_str_nonnull(&svcs->kvs[i].key);
                const ml_node *build = ml_get(svc, "build");
                const char *repo = image_repo(m->arena, ml_str_nonnull(ml_get(svc, "image")));
                if (!build || !repo || !name || !(ml_is_scalar(build) || ml_is_map(build)))
                    continue; /* pulled, not built here; or built under a name compose makes up */
                const char *ctx = ml_is_scalar(build) ? ml_str_nonnull(build) : ml_str_nonnull(ml_get(build, "context"));
                const char *df = ml_is_map(build) ? ml_str_nonnull(ml_get(build, "dockerfile")) : NULL;
                if (!ctx)
                    ctx = ".";
                if (remote_context(ctx) || (df && strpbrk(df, "${}")))
                    continue;
                const char *cdir = ml_ts_path_join(m->arena, fdir, ctx);
                ml_vec_push(m->arena, out,
                            new_ev(m, files, repo, cdir, df ? ml_ts_path_join(m->arena, cdir, df) : NULL,
                                   ml_printf(m->arena, "%s services.%s", d->file->path, name)));
            }
        } else if (api && ml_str(api) && !strncmp(ml_str(api), "skaffold/", 9)) {
            const ml_node *arts = ml_path(d->root, "build.artifacts");
            if (!ml_is_seq(arts))
                continue;
            fdir = ml_ts_dirname(m->arena, norm(m->arena, d->file->path));
            for (uint32_t i = 0; i < ml_node_n(arts); i++) {
                const ml_node *a = &arts->elems[i];
                const char *repo = image_repo(m->arena, ml_str_nonnull(ml_get(a, "image")));
                if (!repo)
                    continue;
                const char *ctx = ml_str_nonnull(ml_get(a, "context"));
                const char *df = ml_str_nonnull(ml_path(a, "docker.dockerfile"));
                if (!ctx)
                    ctx = ".";
                if (remote_context(ctx) || (df && strpbrk(df, "${}")))
                    continue;
                const char *cdir = ml_ts_path_join(m->arena, fdir, ctx);
                ml_vec_push(m->arena, out,
                            new_ev(m, files, repo, cdir, df ? ml_ts_path_join(m->arena, cdir, df) : NULL,
                                   ml_printf(m->arena, "%s build.artifacts[%u]", d->file->path, i)));
            }
        }
    }
    ml_map_free(&dfs);
}

/* ---- entry point --------------------------------------------------------------------- */

#define MAX_ARGV 64

typedef struct argv_t {
    const char *v[MAX_ARGV];
    int n;
    bool known;
} argv_t;

static void argv_push(argv_t *a, const char *s)
{
    if (a->n < MAX_ARGV)
        a->v[a->n++] = s;
}

/* Shell words of s[0, n): whitespace-separated, with '...' and "..." quotes
 * (no expansion). */
static void shell_words(ml_arena *ar, const char *s, size_t n, argv_t *out)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            i++;
        if (i >= n)
            break;
        ml_buf b;
        ml_buf_init(&b);
        while (i < n && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            if (s[i] == '"' || s[i] == '\'') {
                char q = s[i++];
                while (i < n && s[i] != q) {
                    if (q == '"' && s[i] == '\\' && i + 1 < n)
                        i++;
                    ml_buf_putc(&b, s[i++]);
                }
                i++;
            } else {
                ml_buf_putc(&b, s[i++]);
            }
        }
        argv_push(out, ml_strndup(ar, b.s ? b.s : "", b.n));
        ml_buf_free(&b);
    }
}

/* A JSON array of strings (Dockerfile exec form); false when s is not one. */
static bool exec_form(ml_arena *ar, const char *s, size_t n, argv_t *out)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i >= n || s[i] != '[')
        return false;
    i++;
    argv_t tmp;
    memset(&tmp, 0, sizeof tmp);
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
            i++;
        if (i < n && s[i] == ']')
            break;
        if (i >= n || s[i] != '"')
            return false;
        i++;
        ml_buf b;
        ml_buf_init(&b);
        while (i < n && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < n)
                i++;
            ml_buf_putc(&b, s[i++]);
        }
        if (i >= n) {
            ml_buf_free(&b);
            return false;
        }
        i++;
        argv_push(&tmp, ml_strndup(ar, b.s ? b.s : "", b.n));
        ml_buf_free(&b);
    }
    *out = tmp;
    out->known = true;
    return true;
}

/* A Dockerfile instruction's argument as argv: exec form as it is, shell
 * form as /bin/sh -c "text". */
static void instr_argv(ml_arena *ar, const char *s, size_t n, argv_t *out)
{
    memset(out, 0, sizeof *out);
    if (exec_form(ar, s, n, out))
        return;
    argv_push(out, "/bin/sh");
    argv_push(out, "-c");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    argv_push(out, ml_strndup(ar, s, n));
    out->known = true;
}

typedef struct image_cmd {
    argv_t entrypoint, cmd; /* of the final stage; known false when not set there */
    bool shell_entry;       /* ENTRYPOINT in shell form: CMD is ignored */
} image_cmd;

#define MAX_STAGES 64

/* A named stage of the Dockerfile, as a later FROM may name it. */
typedef struct df_stage {
    const char *name; /* lower case, as BuildKit keeps it */
    image_cmd ic;
} df_stage;

/* The stage a FROM line starts from: the earlier stage it names, or NULL
 * for an image (whose defaults the input does not show). *name receives the
 * new stage's AS name, lower-cased. BuildKit (moby/buildkit
 * frontend/dockerfile/instructions/parse.go parseBuildStageName) lower-cases
 * the AS name; dockerfile2llb/convert.go dispatchStates.addState looks the
 * FROM argument up as written among those names, so `FROM build` names
 * `AS Build`, while `FROM Build` names no stage (and is no valid image
 * either); dispatchState.init then copies the base stage's image config,
 * ENTRYPOINT and CMD included. Flags (--platform=...) are skipped; a FROM
 * with a variable names no stage meshlint knows. */
static const df_stage *from_stage(ml_arena *ar, const char *l, size_t n, df_stage *const *st, int nst,
                                  const char **name)
{
    argv_t w;
    memset(&w, 0, sizeof w);
    shell_words(ar, l, n, &w);
    int i = 0;
    while (i < w.n && w.v[i][0] == '-' && w.v[i][1] == '-')
        i++;
    *name = NULL;
    if (i >= w.n)
        return NULL;
    const char *base = w.v[i];
    if (i + 2 < w.n && !strcasecmp(w.v[i + 1], "as")) {
        char *lc = ml_strndup(ar, w.v[i + 2], strlen(w.v[i + 2]));
        for (char *c = lc; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        *name = lc;
    }
    for (int k = nst; k-- > 0;)
        if (!strcmp(st[k]->name, base))
            return st[k];
    return NULL;
}

/* ENTRYPOINT and CMD of the last stage (Dockerfile reference: the last of
 * each counts). FROM starts a stage whose defaults come from its base: an
 * earlier stage of this Dockerfile (from_stage), or an image the input
 * does not show. Continuation lines are joined. */
static void dockerfile_cmd(ml_arena *ar, const ml_file *f, image_cmd *out)
{
    memset(out, 0, sizeof *out);
    df_stage *st[MAX_STAGES]; /* the named stages so far */
    int nst = 0;
    const char *cur_name = NULL;
    bool in_stage = false, cmd_here = false;
    const char *s = f->data, *end = f->data + f->len;
    while (s < end) {
        /* one logical line */
        ml_buf line;
        ml_buf_init(&line);
        for (;;) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            const char *e = nl ? nl : end;
            const char *t = e;
            while (t > s && (t[-1] == '\r' || t[-1] == ' ' || t[-1] == '\t'))
                t--;
            const char *ls = s;
            while (ls < t && (*ls == ' ' || *ls == '\t'))
                ls++;
            bool comment = ls < t && *ls == '#';
            bool cont = !comment && t > s && t[-1] == '\\';
            if (!comment)
                ml_buf_add(&line, s, (size_t)((cont ? t - 1 : t) - s));
            s = nl ? nl + 1 : end;
            if (!(cont || (comment && line.n)) || s >= end)
                break;
            if (cont)
                ml_buf_putc(&line, ' ');
        }
        const char *l = line.s ? line.s : "";
        size_t n = line.n, i = 0;
        while (i < n && (l[i] == ' ' || l[i] == '\t'))
            i++;
        size_t kw = i;
        while (i < n && l[i] != ' ' && l[i] != '\t')
            i++;
        size_t kwn = i - kw;
        if (kwn == 4 && !strncasecmp(l + kw, "FROM", 4)) {
            if (in_stage && cur_name && nst < MAX_STAGES) {
                st[nst] = ml_alloc(ar, sizeof *st[nst]);
                st[nst]->name = cur_name;
                st[nst]->ic = *out;
                nst++;
            }
            const df_stage *base = from_stage(ar, l + i, n - i, st, nst, &cur_name);
            if (base)
                *out = base->ic;
            else
                memset(out, 0, sizeof *out);
            in_stage = true;
            cmd_here = false;
        } else if (kwn == 10 && !strncasecmp(l + kw, "ENTRYPOINT", 10)) {
            /* ENTRYPOINT drops a CMD inherited from the base; a CMD of
             * this stage stays (Dockerfile reference, moby
             * docs/reference/builder.md, "ENTRYPOINT"; buildkit
             * dockerfile2llb/convert.go dispatchEntrypoint) */
            argv_t probe;
            out->shell_entry = !exec_form(ar, l + i, n - i, &probe);
            instr_argv(ar, l + i, n - i, &out->entrypoint);
            if (!cmd_here)
                memset(&out->cmd, 0, sizeof out->cmd);
        } else if (kwn == 3 && !strncasecmp(l + kw, "CMD", 3)) {
            instr_argv(ar, l + i, n - i, &out->cmd);
            cmd_here = true;
        }
        ml_buf_free(&line);
    }
}

/* command/args of a container; false when present but not a list of
 * strings (then the process is unknown). */
static bool yaml_argv(const ml_node *seq, argv_t *out)
{
    memset(out, 0, sizeof *out);
    if (!seq || ml_is_null(seq))
        return true;
    if (!ml_is_seq(seq))
        return false;
    for (uint32_t i = 0; i < ml_node_n(seq); i++) {
        const char *s = ml_is_scalar(&seq->elems[i]) ? ml_str(&seq->elems[i]) : NULL;
        if (!s)
            return false;
        argv_push(out, s);
    }
    out->known = true;
    return true;
}

/* The process a container starts, as Kubernetes composes it: command
 * replaces ENTRYPOINT (and drops CMD), args replace CMD. *how says where it
 * came from. Returns false when unknown. */
static bool container_argv(ml_arena *ar, const ml_container *c, const build_ev *ev, argv_t *out, const char **how)
{
    argv_t cmd, args;
    *how = NULL;
    if (!yaml_argv(ml_get(c->node, "command"), &cmd) || !yaml_argv(ml_get(c->node, "args"), &args))
        return false;
    image_cmd ic;
    memset(&ic, 0, sizeof ic);
    bool have_df = ev && ev->df;
    if (have_df)
        dockerfile_cmd(ar, ev->df, &ic);
    memset(out, 0, sizeof *out);
    argv_t e, a;
    if (cmd.known) {
        e = cmd;
        memset(&a, 0, sizeof a);
        a.known = true;
        if (args.known)
            a = args;
        *how = "container command";
    } else {
        if (!have_df)
            return false;
        e = ic.entrypoint;
        if (args.known) {
            a = args;
            *how = ic.entrypoint.known ? ml_printf(ar, "%s ENTRYPOINT, container args", ev->dockerfile)
                                       : "container args";
        } else {
            a = ic.shell_entry ? (argv_t){.known = true} : ic.cmd;
            *how = ic.entrypoint.known && ic.cmd.known ? ml_printf(ar, "%s ENTRYPOINT and CMD", ev->dockerfile)
                   : ic.entrypoint.known              ? ml_printf(ar, "%s ENTRYPOINT", ev->dockerfile)
                                                      : ml_printf(ar, "%s CMD", ev->dockerfile);
        }
        if (!e.known && !a.known) {
            *how = NULL;
            return false; /* the base image's defaults */
        }
    }
    for (int k = 0; k < e.n; k++)
        argv_push(out, e.v[k]);
    for (int k = 0; k < a.n; k++)
        argv_push(out, a.v[k]);
    out->known = out->n > 0;
    return out->known;
}

static bool has_ext(const char *s, const char *const *exts)
{
    for (int i = 0; exts[i]; i++)
        if (ml_ends_with(s, exts[i]))
            return true;
    return false;
}

static const char *const SCRIPT_EXTS[] = {".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", NULL};

/* The script a command line runs (node dist/main.js, npx tsx src/main.ts,
 * npm start through package.json scripts, sh -c "..."), or NULL when it is
 * not one meshlint can read. */
static const char *script_of(ml_arena *ar, const argv_t *av, const char *pkg, int depth)
{
    if (depth > 4)
        return NULL;
    int i = 0;
    while (i < av->n) {
        const char *w = av->v[i];
        const char *b = basename_of(w);
        if (strchr(w, '=') && w[0] != '-' && i + 1 < av->n) {
            i++; /* VAR=value before the command */
            continue;
        }
        if (!strcmp(b, "exec") || !strcmp(b, "env") || !strcmp(b, "tini") || !strcmp(b, "dumb-init") ||
            !strcmp(w, "--") || !strcmp(b, "npx") || (!strcmp(b, "pnpm") && i + 1 < av->n && !strcmp(av->v[i + 1], "exec"))) {
            i += !strcmp(b, "pnpm") ? 2 : 1;
            continue;
        }
        break;
    }
    if (i >= av->n)
        return NULL;
    const char *b = basename_of(av->v[i]);
    if ((!strcmp(b, "sh") || !strcmp(b, "bash") || !strcmp(b, "ash")) && i + 2 < av->n && !strcmp(av->v[i + 1], "-c")) {
        /* the last command of the line is the one that stays */
        const char *t = av->v[i + 2];
        const char *last = t;
        for (const char *p = t; *p; p++)
            if (*p == ';' || (p[0] == '&' && p[1] == '&') || (p[0] == '|' && p[1] == '|'))
                last = p + 1 + (p[0] != ';');
        argv_t sub;
        memset(&sub, 0, sizeof sub);
        shell_words(ar, last, strlen(last), &sub);
        return script_of(ar, &sub, pkg, depth + 1);
    }
    if (!strcmp(b, "npm") || !strcmp(b, "pnpm") || !strcmp(b, "yarn")) {
        const char *name = NULL;
        if (i + 1 < av->n && !strcmp(av->v[i + 1], "start"))
            name = "start";
        else if (i + 2 < av->n && (!strcmp(av->v[i + 1], "run") || !strcmp(av->v[i + 1], "run-script")))
            name = av->v[i + 2];
        else if (i + 1 < av->n && strcmp(b, "npm") != 0 && av->v[i + 1][0] != '-')
            name = av->v[i + 1]; /* pnpm X, yarn X */
        const char *script = name ? ml_ts_package_script(ar, pkg, name) : NULL;
        if (!script)
            return NULL;
        argv_t sub;
        memset(&sub, 0, sizeof sub);
        argv_push(&sub, "/bin/sh");
        argv_push(&sub, "-c");
        argv_push(&sub, script);
        return script_of(ar, &sub, pkg, depth + 1);
    }
    static const char *const runners[] = {"node", "nodejs", "bun", "tsx", "ts-node", "ts-node-esm", "deno", NULL};
    bool runner = false;
    for (int k = 0; runners[k]; k++)
        runner |= !strcmp(b, runners[k]);
    if (!runner)
        return has_ext(av->v[i], SCRIPT_EXTS) ? av->v[i] : NULL;
    for (i++; i < av->n; i++) {
        const char *w = av->v[i];
        if (!strcmp(w, "run") || !strcmp(w, "watch"))
            continue; /* deno run, tsx watch */
        if (w[0] == '-') {
            static const char *const with_value[] = {"-r", "--require", "--import", "--loader",
                                                     "--experimental-loader", "--env-file", "-e", "--eval", NULL};
            for (int k = 0; with_value[k]; k++)
                if (!strcmp(w, with_value[k])) {
                    if (!strcmp(w, "-e") || !strcmp(w, "--eval"))
                        return NULL;
                    i++;
                    break;
                }
            continue;
        }
        return has_ext(w, SCRIPT_EXTS) ? w : NULL;
    }
    return NULL;
}

/* ---- tsconfig.json: where tsc writes each source file ------------------------- */

/* A tsconfig's compilerOptions.outDir and rootDir, as normalised paths
 * (each resolved against the directory of the file that sets it); NULL
 * when not set, or set in a file meshlint cannot read. */
typedef struct tsc_out {
    const char *out_dir, *root_dir;
} tsc_out;

#define TSCONFIG_MAX_BYTES (1u << 20)
#define TSCONFIG_MAX_EXTENDS 3 /* files followed through "extends" */

static char *read_small(ml_arena *a, const char *path, size_t *len)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > TSCONFIG_MAX_BYTES)
        return NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = ml_alloc(a, (size_t)st.st_size + 1);
    size_t n = fread(buf, 1, (size_t)st.st_size, fp);
    fclose(fp);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* JSON with comments and trailing commas (what tsc accepts) as JSON:
 * comments become blanks, a comma before a closing bracket is dropped.
 * Strings are copied as they are. */
static char *jsonc_to_json(ml_arena *a, const char *s, size_t n)
{
    char *o = ml_alloc(a, n + 1);
    size_t k = 0, last_comma = (size_t)-1;
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '"') {
            o[k++] = s[i++];
            while (i < n && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < n)
                    o[k++] = s[i++];
                o[k++] = s[i++];
            }
            if (i < n)
                o[k++] = s[i++];
            last_comma = (size_t)-1;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            i += 2;
            while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            i = i + 2 < n ? i + 2 : n;
            o[k++] = ' ';
        } else if (c == ',') {
            last_comma = k;
            o[k++] = s[i++];
        } else if (c == '}' || c == ']') {
            if (last_comma != (size_t)-1)
                o[last_comma] = ' ';
            last_comma = (size_t)-1;
            o[k++] = s[i++];
        } else {
            if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r'))
                last_comma = (size_t)-1;
            o[k++] = s[i++];
        }
    }
    o[k] = 0;
    return o;
}

/* Read the tsconfig at path into *o: first the files it extends (in order,
 * later ones winning), then its own compilerOptions. "Properties with
 * relative paths found in the configuration file ... will be resolved
 * relative to the configuration file they originated in"
 * (typescriptlang.org/tsconfig/extends.html). An extends of a package
 * (node_modules) is not in the input and is skipped. False when the file
 * cannot be read or parsed. */
static bool tsconfig_read(ml_arena *a, const char *path, unsigned depth, tsc_out *o)
{
    size_t n = 0;
    char *raw = read_small(a, path, &n);
    if (!raw)
        return false;
    const char *err = NULL;
    size_t err_off = 0;
    char *js = jsonc_to_json(a, raw, n);
    ml_json *root = ml_json_parse(a, js, strlen(js), &err, &err_off);
    if (!root || root->type != ML_JSON_OBJECT)
        return false;
    const char *dir = ml_ts_dirname(a, path);
    const ml_json *ext = ml_json_get(root, "extends");
    const ml_json *one[1] = {ext};
    const ml_json *const *bases = one;
    size_t nb = ext && ext->type == ML_JSON_STRING ? 1 : 0;
    if (ext && ext->type == ML_JSON_ARRAY) {
        bases = (const ml_json *const *)ext->items;
        nb = ext->n;
    }
    for (size_t k = 0; k < nb && depth < TSCONFIG_MAX_EXTENDS; k++) {
        const char *spec = ml_json_str(bases[k]);
        if (!spec || !(spec[0] == '.' || spec[0] == '/'))
            continue;
        const char *bp = ml_ts_path_join(a, dir, spec);
        if (!tsconfig_read(a, bp, depth + 1, o) && !ml_ends_with(bp, ".json"))
            (void)tsconfig_read(a, ml_printf(a, "%s.json", bp), depth + 1, o);
    }
    const ml_json *co = ml_json_get(root, "compilerOptions");
    const char *od = ml_json_str(ml_json_get(co, "outDir"));
    const char *rd = ml_json_str(ml_json_get(co, "rootDir"));
    if (od && *od)
        o->out_dir = ml_ts_path_join(a, dir, od);
    if (rd && *rd)
        o->root_dir = ml_ts_path_join(a, dir, rd);
    return true;
}

/* The tsconfig that builds package pkg: the one package.json's build script
 * names (tsc -p X, --project X, -b X), else pkg/tsconfig.json. Cached per
 * package; NULL when there is none meshlint can read. */
static const tsc_out *package_tsc(ml_model *m, ml_map *cache, const char *pkg)
{
    ml_arena *a = m->arena;
    const char *key = pkg ? pkg : ".";
    void **slot = ml_map_slot_for(cache, key, strlen(key));
    if (*slot)
        return *slot == (void *)cache ? NULL : *slot;
    const char *cfg = NULL;
    const char *build = ml_ts_package_script(a, pkg, "build");
    if (build) {
        argv_t w;
        memset(&w, 0, sizeof w);
        shell_words(a, build, strlen(build), &w);
        for (int i = 0; i + 2 < w.n && !cfg; i++)
            if (!strcmp(basename_of(w.v[i]), "tsc"))
                for (int k = i + 1; k + 1 < w.n && !cfg; k++) {
                    if (!strcmp(w.v[k], "&&") || !strcmp(w.v[k], ";"))
                        break;
                    if (!strcmp(w.v[k], "-p") || !strcmp(w.v[k], "--project") || !strcmp(w.v[k], "-b") ||
                        !strcmp(w.v[k], "--build"))
                        cfg = ml_ts_path_join(a, pkg, w.v[k + 1]);
                }
    }
    if (cfg && !ml_ends_with(cfg, ".json"))
        cfg = ml_ts_path_join(a, cfg, "tsconfig.json");
    if (!cfg)
        cfg = ml_ts_path_join(a, pkg, "tsconfig.json");
    tsc_out *o = ml_zalloc(a, sizeof *o);
    if (!tsconfig_read(a, cfg, 0, o) || !o->out_dir) {
        *slot = (void *)cache; /* looked up: none */
        return NULL;
    }
    *slot = o;
    return o;
}

/* The source of a build output path under the package's tsconfig: outDir
 * X/rest comes from rootDir/rest with .js -> .ts (.mjs -> .mts, .cjs ->
 * .cts, or .tsx). Without rootDir (tsc then takes the common directory of
 * the inputs) rest is looked up under src/ and the package directory. */
static const ml_file *tsc_source(ml_arena *a, const ml_map *files, const tsc_out *t, const char *pkg,
                                 const char *rel)
{
    const char *full = ml_ts_path_join(a, pkg, rel);
    size_t on = strlen(t->out_dir);
    if (strncmp(full, t->out_dir, on) != 0 || full[on] != '/')
        return NULL;
    const char *rest = full + on + 1;
    const char *roots[2] = {t->root_dir, NULL};
    if (!t->root_dir) {
        roots[0] = ml_ts_path_join(a, pkg, "src");
        roots[1] = pkg ? pkg : ".";
    }
    static const struct {
        const char *js, *ts;
    } ext[] = {{".js", ".ts"}, {".js", ".tsx"}, {".mjs", ".mts"}, {".cjs", ".cts"}, {".jsx", ".tsx"}};
    for (int r = 0; r < 2 && roots[r]; r++) {
        const char *src = ml_ts_path_join(a, roots[r], rest);
        for (size_t k = 0; k < sizeof ext / sizeof ext[0]; k++) {
            size_t n = strlen(src), en = strlen(ext[k].js);
            if (n <= en || strcmp(src + n - en, ext[k].js) != 0)
                continue;
            const ml_file *f = file_at(files, ml_printf(a, "%.*s%s", (int)(n - en), src, ext[k].ts));
            if (f)
                return f;
        }
    }
    return NULL;
}

/* The source file a script path stands for, among the inputs of package
 * pkg: the path itself (tsx src/main.ts), its .ts twin, the source that
 * the package's tsconfig (outDir, rootDir) compiles to it, build output
 * (dist/, build/, out/, lib/) mapped back to src/, or else the one file of
 * the package with the same stem. NULL when none or several. */
static const ml_file *script_source(ml_model *m, const ml_map *files, ml_map *tsc, const char *pkg,
                                    const char *script)
{
    ml_arena *a = m->arena;
    /* an absolute path inside the image (/app/dist/main.js): try each suffix */
    const char *tails[16];
    int nt = 0;
    const char *p = script;
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    if (p[0] != '/')
        tails[nt++] = p;
    for (const char *q = strchr(p, '/'); q && nt < 16; q = strchr(q + 1, '/'))
        if (q[1])
            tails[nt++] = q + 1;
    static const char *const js[] = {".js", ".mjs", ".cjs", NULL};
    static const char *const ts[] = {".ts", ".mts", ".cts", ".tsx", NULL};
    static const char *const outdirs[] = {"dist/", "build/", "out/", "lib/", NULL};
    const tsc_out *tc = NULL;
    for (int t = 0; t < nt; t++) {
        const ml_file *f = file_at(files, ml_ts_path_join(a, pkg, tails[t]));
        if (f)
            return f;
        if (!tc && !(tc = package_tsc(m, tsc, pkg)))
            break;
        if ((f = tsc_source(a, files, tc, pkg, tails[t])))
            return f;
    }
    for (int t = 0; t < nt; t++) {
        const char *rel = tails[t];
        const char *stems[3] = {rel, NULL, NULL};
        for (int k = 0; outdirs[k]; k++)
            if (!strncmp(rel, outdirs[k], strlen(outdirs[k]))) {
                stems[1] = ml_printf(a, "src/%s", rel + strlen(outdirs[k]));
                stems[2] = rel + strlen(outdirs[k]);
            }
        for (int sidx = 0; sidx < 3 && stems[sidx]; sidx++) {
            const char *path = ml_ts_path_join(a, pkg, stems[sidx]);
            const ml_file *f = file_at(files, path);
            if (f)
                return f;
            for (int k = 0; js[k]; k++)
                if (ml_ends_with(path, js[k])) {
                    size_t n = strlen(path) - strlen(js[k]);
                    for (int e = 0; ts[e]; e++)
                        if ((f = file_at(files, ml_printf(a, "%.*s%s", (int)n, path, ts[e]))))
                            return f;
                }
        }
    }
    /* same stem, once in the package */
    const char *b = basename_of(script);
    size_t stem = strcspn(b, ".");
    const ml_file *only = NULL;
    int count = 0;
    ML_VEC_EACH(ml_file *, f, &m->ts_files) {
        const char *fp = norm(a, f->path);
        const char *fb = basename_of(fp);
        if (strcspn(fb, ".") != stem || strncmp(fb, b, stem) != 0 || !path_inside(fp, pkg) ||
            test_file(m, a, f->path))
            continue;
        only = f;
        count++;
    }
    return count == 1 ? only : NULL;
}

static bool relative_spec(const char *s) { return s[0] == '.' || s[0] == '/'; }

/* The input file a relative import names, as TypeScript and Node look. */
static const ml_file *import_target(ml_arena *a, const ml_map *files, const char *from, const char *spec)
{
    const char *base = ml_ts_path_join(a, ml_ts_dirname(a, from), spec);
    static const char *const strip[] = {".js", ".mjs", ".cjs", ".jsx", NULL};
    static const char *const exts[] = {"", ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs",
                                       "/index.ts", "/index.tsx", "/index.js", "/index.mjs", NULL};
    const char *stems[2] = {base, NULL};
    for (int k = 0; strip[k]; k++)
        if (ml_ends_with(base, strip[k])) {
            stems[1] = ml_strndup(a, base, strlen(base) - strlen(strip[k]));
            break;
        }
    for (int s = 0; s < 2 && stems[s]; s++)
        for (int e = 0; exts[e]; e++) {
            const ml_file *f = file_at(files, ml_printf(a, "%s%s", stems[s], exts[e]));
            if (f)
                return f;
        }
    return NULL;
}

#define REACH_MAX_FILES 4096

/* Files reachable from entry through static and dynamic imports and
 * require() of relative paths (tokens, so comments and strings do not
 * count). complete is false when an import could not be followed (a
 * #subpath, a file not among the inputs, the budget). */
typedef struct reach_set {
    ml_map files; /* normalised path -> file */
    bool complete;
} reach_set;

static const reach_set *reach_from(linker *lk, const ml_file *entry);

static bool tok_is(const ml_file *f, const ml_tok *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == ML_TK_IDENT && t->end - t->off == n && !memcmp(f->data + t->off, word, n);
}

/* The input files f imports (relative and #subpath specifiers), found once
 * per file for the run: every entry point's walk reuses them. */
typedef struct file_edges {
    ml_vec targets; /* const ml_file* */
    bool complete;  /* every import was followed */
} file_edges;

static const file_edges *edges_of(linker *lk, const ml_file *f, const char *fp)
{
    ml_model *m = lk->m;
    file_edges *fe = ml_map_gets(&lk->edges, fp);
    if (fe)
        return fe;
    fe = ml_zalloc(m->arena, sizeof *fe);
    fe->complete = true;
    ml_map_put(&lk->edges, fp, strlen(fp), fe);
    ml_lex lx;
    if (f->len >= UINT32_MAX - 1 || !ml_ts_lex(f->data, 0, (uint32_t)f->len, 1, 1, &lx)) {
        fe->complete = false;
        return fe;
    }
    for (uint32_t i = 0; i + 1 < lx.n; i++) {
        const ml_tok *t = &lx.toks[i];
        const ml_tok *s = NULL;
        if ((tok_is(f, t, "from") || tok_is(f, t, "import")) && lx.toks[i + 1].kind == ML_TK_STR)
            s = &lx.toks[i + 1];
        else if ((tok_is(f, t, "import") || tok_is(f, t, "require")) && i + 2 < lx.n &&
                 lx.toks[i + 1].kind == ML_TK_PUNCT && lx.toks[i + 1].punct == ML_P_LPAREN) {
            if (lx.toks[i + 2].kind == ML_TK_STR)
                s = &lx.toks[i + 2];
            else if (tok_is(f, t, "import"))
                fe->complete = false; /* import(expr): not followed */
        }
        if (!s || s->end - s->off < 2)
            continue;
        const char *spec = ml_strndup(m->arena, f->data + s->off + 1, s->end - s->off - 2);
        const char *from = fp;
        if (spec[0] == '#') {
            /* a subpath import: the "imports" of the file's package.json */
            const char *pkg = ml_ts_package_m(m, f->path, NULL);
            const char *target = ml_ts_subpath_target(m->arena, pkg, spec);
            if (!target) {
                fe->complete = false;
                continue;
            }
            from = ml_ts_path_join(m->arena, pkg, "package.json");
            spec = target;
        } else if (!relative_spec(spec)) {
            continue; /* another package */
        }
        const ml_file *g = import_target(m->arena, &lk->files, from, spec);
        if (!g) {
            fe->complete = false;
            continue;
        }
        ml_vec_push(m->arena, &fe->targets, (void *)g);
    }
    ml_ts_lex_free(&lx);
    return fe;
}

static const reach_set *reach_from(linker *lk, const ml_file *entry)
{
    ml_model *m = lk->m;
    const char *ep = norm(m->arena, entry->path);
    reach_set *rs = ml_map_gets(&lk->reach, ep);
    if (rs)
        return rs;
    rs = ml_zalloc(m->arena, sizeof *rs);
    ml_map_init(&rs->files);
    rs->complete = true;
    ml_map_put(&lk->reach, ep, strlen(ep), rs);
    ml_vec_push(m->arena, &lk->reach_sets, rs);
    ml_vec queue = {0};
    ml_map_put(&rs->files, ep, strlen(ep), (void *)entry);
    ml_vec_push(m->arena, &queue, (void *)entry);
    for (size_t qi = 0; qi < queue.n; qi++) {
        const ml_file *f = queue.items[qi];
        const file_edges *fe = edges_of(lk, f, norm(m->arena, f->path));
        rs->complete &= fe->complete;
        ML_VEC_EACH(const ml_file *, g, &fe->targets) {
            const char *gp = norm(m->arena, g->path);
            if (ml_map_gets(&rs->files, gp))
                continue;
            if (rs->files.n >= REACH_MAX_FILES) {
                rs->complete = false;
                break;
            }
            ml_map_put(&rs->files, gp, strlen(gp), (void *)g);
            ml_vec_push(m->arena, &queue, (void *)g);
        }
    }
    return rs;
}

static const char *container_image(const ml_container *c) { return ml_str_nonnull(ml_get(c->node, "image")); }

/* Index the build evidence and find, for each app container, the build its
 * image comes from (when exactly one package claims it). */
static void build_image_hits(linker *lk)
{
    ml_model *m = lk->m;
    ml_vec builds = {0};
    collect_builds(m, &builds);
    if (!builds.n)
        return;
    /* the files by path, for entry points and imports (only by_image asks) */
    ML_VEC_EACH(ml_file *, f, &m->ts_files) {
        const char *p = norm(m->arena, f->path);
        ml_map_put(&lk->files, p, strlen(p), f);
    }
    ml_map strong, weak; /* image repo / name -> ml_vec of build_ev */
    ml_map_init(&strong);
    ml_map_init(&weak);
    ML_VEC_EACH(build_ev *, ev, &builds) {
        if (ev->image) {
            ml_map_push(&strong, m->arena, ev->image, strlen(ev->image), ev);
            continue;
        }
        /* a Dockerfile alone: its context's directory name and its package's name */
        const char *names[2] = {basename_of(ev->context), NULL};
        if (ev->by_pkg)
            ml_ts_package_m(m, ml_printf(m->arena, "%s/package.json", ev->key), &names[1]);
        for (int k = 0; k < 2; k++)
            if (names[k] && *names[k] && strcmp(names[k], ".") != 0 && strcmp(names[k], "..") != 0 &&
                !(k == 1 && names[0] && !strcmp(names[0], names[1])))
                ml_map_push(&weak, m->arena, names[k], strlen(names[k]), ev);
    }
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        for (size_t i = 0; i < w->ncontainers; i++) {
            const ml_container *c = &w->containers[i];
            if (c->is_init || c->is_sidecar_proxy)
                continue;
            const char *repo = image_repo(m->arena, container_image(c));
            if (!repo)
                continue;
            const ml_vec *v = ml_map_vec(&strong, repo, strlen(repo));
            bool is_weak = false;
            if (!v || !v->n) {
                v = ml_map_vec(&weak, basename_of(repo), strlen(basename_of(repo)));
                is_weak = true;
            }
            if (!v || !v->n)
                continue;
            /* every claim must name the same package (or directory) */
            const build_ev *first = v->items[0];
            bool same = true;
            ML_VEC_EACH(const build_ev *, ev, v) {
                same &= ev->by_pkg == first->by_pkg && !strcmp(ev->key, first->key);
            }
            if (!same)
                continue;
            /* of several agreeing claims, the one whose Dockerfile is read tells the entry point */
            const build_ev *best = first;
            ML_VEC_EACH(const build_ev *, ev, v) {
                if (!best->df && ev->df)
                    best = ev;
            }
            image_hit *h = ml_zalloc(m->arena, sizeof *h);
            h->w = w;
            h->c = c;
            h->ev = best;
            h->repo = repo;
            h->weak = is_weak;
            ml_map_push(&lk->hits, m->arena, best->key, strlen(best->key), h);
            if (!best->by_pkg)
                ml_vec_push(m->arena, &lk->scope_hits, h);
        }
    }
    ml_map_free(&strong);
    ml_map_free(&weak);
}

static void add_link_c(ml_model *m, ml_server *s, ml_workload *w, const ml_container *c, const char *reason);

/* Link s to the workloads whose image is built from its package. Returns
 * true when the image evidence covers the package (even when the entry
 * points leave s out): the fallbacks by name must then not link it to the
 * same workloads. */
static bool by_image(linker *lk, ml_server *s)
{
    ml_model *m = lk->m;
    if (!lk->hits.n)
        return false;
    const char *pkg = norm(m->arena, ml_ts_package_m(m, s->file->path, NULL));
    const char *sp = norm(m->arena, s->file->path);
    ml_vec cands = {0};
    const ml_vec *v = ml_map_vec(&lk->hits, pkg, strlen(pkg));
    if (v)
        ML_VEC_EACH(image_hit *, h, v) {
            if (h->ev->by_pkg)
                ml_vec_push(m->arena, &cands, h);
        }
    ML_VEC_EACH(image_hit *, h, &lk->scope_hits) {
        if (path_inside(sp, h->ev->key))
            ml_vec_push(m->arena, &cands, h);
    }
    if (!cands.n)
        return false;
    ML_VEC_EACH(image_hit *, h, &cands) {
        const build_ev *ev = h->ev;
        const char *built = ev->image
                                ? ml_printf(m->arena, "image %s built from %s (%s)", h->repo, ev->context, ev->what)
                                : ml_printf(m->arena, "image %s named after the build context %s (%s)", h->repo,
                                            ev->context, ev->what);
        argv_t av;
        const char *how = NULL;
        const char *script = NULL;
        if (container_argv(m->arena, h->c, ev, &av, &how))
            script = script_of(m->arena, &av, ev->by_pkg ? ev->key : pkg, 0);
        if (!script) {
            add_link_c(m, s, h->w, h->c,
                       ml_printf(m->arena, "%s; entry point unknown%s, so every server of the package", built,
                                 how ? ml_printf(m->arena, " (%s)", how) : ""));
            continue;
        }
        const ml_file *entry = script_source(m, &lk->files, &lk->tsc, ev->by_pkg ? ev->key : pkg, script);
        if (!entry)
            continue; /* it runs a file that is not among the inputs: not this server, as far as we know */
        const reach_set *rs = reach_from(lk, entry);
        if (ml_map_gets(&rs->files, sp))
            add_link_c(m, s, h->w, h->c,
                       ml_printf(m->arena, "%s; entry point %s (%s: %s) reaches it", built, entry->path, how, script));
        /* not reached: that container runs another entry point (a worker) */
    }
    return true;
}

static void add_link_c(ml_model *m, ml_server *s, ml_workload *w, const ml_container *c, const char *reason)
{
    ML_VEC_EACH(ml_link *, l, &s->links) {
        if (l->workload == w)
            return;
    }
    ml_link *l = ml_zalloc(m->arena, sizeof *l);
    l->server = s;
    l->workload = w;
    l->container = c;
    l->reason = reason;
    ml_vec_push(m->arena, &s->links, l);
    ml_vec_push(m->arena, &w->servers, s);
}

static bool by_explicit(linker *lk, ml_server *s)
{
    ml_model *m = lk->m;
    const char *path = s->file->path;
    bool any = false;
    ML_VEC_EACH(ml_workload *, w, &lk->annotated) {
        const char *val = ml_label(w->pod_annotations, SOURCE_ANNOTATION);
        /* a comma-separated list of paths or globs */
        const char *p = val;
        while (p && *p) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            while (n && (*p == ' ' || *p == '\t')) {
                p++;
                n--;
            }
            while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (n) {
                char *pat = ml_strndup(m->arena, p, n);
                if (source_matches(pat, path)) {
                    add_link(m, s, w, "annotation " SOURCE_ANNOTATION);
                    any = true;
                    break;
                }
            }
            p = e ? e + 1 : NULL;
        }
    }
    if (any)
        return true;
    const ml_config *cfg = m->cfg;
    if (!cfg)
        return false;
    ML_VEC_EACH(ml_workload_map *, wm, &cfg->workloads) {
        if (!wm->workload || !wm->source_glob || !config_matches(cfg, wm->source_glob, path))
            continue;
        const char *slash = strchr(wm->workload, '/');
        const char *name = slash ? slash + 1 : wm->workload;
        const ml_vec *v = ml_map_vec(&lk->names, name, strlen(name));
        if (!v)
            continue;
        ML_VEC_EACH(ml_workload *, w, v) {
            if (strcmp(w->res->name, name) != 0)
                continue; /* the mapping names workloads, not labels */
            if (slash && (strlen(w->res->ns) != (size_t)(slash - wm->workload) ||
                          strncmp(w->res->ns, wm->workload, (size_t)(slash - wm->workload)) != 0))
                continue;
            add_link(m, s, w, "configuration workloads");
            any = true;
        }
    }
    return any;
}

static const char *otel_key(const ml_server *s)
{
    const ml_val *v = &s->otel_service_name;
    for (int guard = 0; v && guard < 8; guard++) {
        if (v->kind == ML_VAL_STR)
            return v->str;
        if (v->kind != ML_VAL_ENV)
            return NULL;
        v = v->env_default;
    }
    return NULL;
}

static bool by_directory(linker *lk, ml_server *s)
{
    const char *path = strip_dot(s->file->path);
    const char *end = strrchr(path, '/');
    if (!end)
        return false;
    /* deepest directory first: the one closest to the file is the most specific */
    while (end > path) {
        const char *start = end;
        while (start > path && start[-1] != '/')
            start--;
        size_t n = (size_t)(end - start);
        if (n && !(n == 1 && start[0] == '.') && !(n == 2 && start[0] == '.' && start[1] == '.')) {
            const ml_vec *v = ml_map_vec(&lk->names, start, n);
            if (v && v->n) {
                const char *reason = ml_printf(lk->m->arena, "directory name %.*s", (int)n, start);
                return link_vec(lk->m, s, v, reason);
            }
        }
        end = start > path ? start - 1 : path;
    }
    return false;
}

static bool by_only_server(linker *lk, ml_server *s)
{
    ml_model *m = lk->m;
    if (lk->deployable != 1)
        return false;
    double port;
    if (!port_of(s, &port))
        return false;
    bool any = false;
    const char *reason = ml_printf(m->arena, "only server in the input; container port %.0f", port);
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        bool match = false;
        for (size_t i = 0; i < w->ncontainers && !match; i++) {
            const ml_container *c = &w->containers[i];
            if (c->is_init || c->is_sidecar_proxy)
                continue;
            for (size_t k = 0; k < c->nports; k++)
                if (c->ports[k].num >= 0 && (double)c->ports[k].num == port)
                    match = true;
        }
        if (match) {
            add_link(m, s, w, reason);
            any = true;
        }
    }
    return any;
}

void ml_link_servers(ml_model *m)
{
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        w->servers.n = 0;
    }
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        s->links.n = 0;
        s->in_test = s->file && test_file(m, m->arena, s->file->path);
    }
    package_facts(m);
    /* extraction is over, and so is the package-wide pass that reuses what
     * it found: what they shared between files can go */
    ml_ts_release(m);
    linker lk;
    memset(&lk, 0, sizeof lk);
    lk.m = m;
    ml_map_init(&lk.names);
    ml_map_init(&lk.otel);
    build_indexes(&lk);
    ml_map_init(&lk.files);
    ml_map_init(&lk.hits);
    ml_map_init(&lk.reach);
    ml_map_init(&lk.edges);
    ml_map_init(&lk.tsc);
    build_image_hits(&lk);
    /* counted once here: counting per server was quadratic (10 000
     * createServer calls took seconds) */
    ML_VEC_EACH(const ml_server *, o, &m->servers) {
        lk.deployable += !o->in_test;
    }
    img_index imgix = {.built = false};
    ml_map_init(&imgix.map);
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        if (!s->file || s->in_test)
            continue; /* a test's server runs in the test runner, in no workload */
        if (by_explicit(&lk, s))
            continue;
        if (by_image(&lk, s))
            continue;
        const char *on = otel_key(s);
        size_t before = s->links.n;
        if ((on && link_named(m, s, ml_map_vec(&lk.otel, on, strlen(on)), "OTel service name", on)) ||
            (s->package_name && link_named(m, s, ml_map_vec(&lk.names, s->package_name, strlen(s->package_name)),
                                           "package.json name", s->package_name)) ||
            by_directory(&lk, s)) {
            extend_same_image(m, &imgix, s, before);
            continue;
        }
        by_only_server(&lk, s);
    }
    ml_map_free(&imgix.map);
    ml_map_free(&lk.names);
    ml_map_free(&lk.otel);
    ml_map_free(&lk.files);
    ml_map_free(&lk.hits);
    ML_VEC_EACH(reach_set *, rs, &lk.reach_sets) {
        ml_map_free(&rs->files);
    }
    ml_map_free(&lk.reach);
    ml_map_free(&lk.edges);
    ml_map_free(&lk.tsc);
    ml_ts_release(m); /* the package memo the image links filled again */
    memo_settings(m);
}
