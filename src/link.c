/*
 * link.c - which workloads run which Connectum server, and what the server
 * then really does once the container's environment is taken into account.
 *
 * Nothing in a manifest names the source file of the image it runs, so a
 * server is linked by the first of these that yields workloads, and the
 * reason is kept for every message that relies on it: an explicit mapping
 * (pod annotation meshlint.io/source, or `workloads:` in the configuration);
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
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"
#include "meshlint/yaml.h"

#include <stdlib.h>
#include <string.h>

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

ml_setting ml_container_env(const ml_model *m, const ml_workload *w, const ml_container *c, const char *name)
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
        const char *src = ml_printf(m->arena, "env %s in %s", name, where(m, w));
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
                        return str_setting(ml_str(v), ml_printf(m->arena, "ConfigMap %s/%s (key %s, via env %s in %s)",
                                                                w->res->ns, cm, key, name, where(m, w)),
                                           ml_node_loc(v));
                }
                return unknown_setting(ml_printf(m->arena, "%s comes from ConfigMap %s, not found in the input",
                                                 name, cm ? cm : "?"),
                                       src, ml_node_loc(hit->value_from));
            }
            return unknown_setting(ml_printf(m->arena, "%s comes from a secret or field reference", name), src,
                                   ml_node_loc(hit->value_from));
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
            return unknown_setting(ml_printf(m->arena, "envFrom ConfigMap %s/%s is not in the input",
                                             w->res->ns, cm),
                                   ml_printf(m->arena, "envFrom in %s", where(m, w)), ml_node_loc(cmn));
        const ml_node *v = ml_get(res->u.configmap->data, name);
        if (v && ml_is_scalar(v))
            return str_setting(ml_str(v) ? ml_str(v) : "",
                               ml_printf(m->arena, "ConfigMap %s/%s", w->res->ns, cm), ml_node_loc(v));
    }
    return r;
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
        if (code->alts.n) {
            /* one of a few values (the call sites of a builder differ):
             * known for this link when every one comes to the same */
            ml_setting first = effective(m, l, code->alts.items[0], w, fw_env, dnum, dbool, dstr);
            bool same = first.val.kind != ML_VAL_UNKNOWN;
            ml_buf b;
            ml_buf_init(&b);
            for (size_t k = 0; k < code->alts.n; k++) {
                ml_setting o = k ? effective(m, l, code->alts.items[k], w, fw_env, dnum, dbool, dstr) : first;
                same &= o.val.kind != ML_VAL_UNKNOWN && ml_val_same(&o.val, &first.val);
                if (k)
                    ml_buf_puts(&b, k + 1 == code->alts.n ? " or " : ", ");
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
        if (code->env_match.n) {
            /* the code tests the variable: X === "true", [...].includes(X) */
            if (e.val.kind == ML_VAL_STR) {
                bool hit = false;
                ML_VEC_EACH(const char *, s, &code->env_match) {
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

static ml_setting server_port(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->port, WANT_NUM, "PORT", 5000, false, NULL);
}

ml_setting ml_server_port(const ml_model *m, const ml_link *l)
{
    return l->memo ? l->memo[MEMO_PORT] : server_port(m, l);
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
    return l->memo ? l->memo[MEMO_HEALTH] : server_http_health(m, l);
}

static ml_setting server_shutdown_ms(const ml_model *m, const ml_link *l)
{
    /* no env variable is read for shutdown (Server.ts, envSchema.ts) */
    return effective(m, l, &l->server->shutdown_timeout, WANT_NUM, NULL, 30000, false, NULL);
}

ml_setting ml_server_shutdown_ms(const ml_model *m, const ml_link *l)
{
    return l->memo ? l->memo[MEMO_SHUTDOWN] : server_shutdown_ms(m, l);
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
    return l->memo ? l->memo[MEMO_AUTO_SHUTDOWN] : server_auto_shutdown(m, l);
}

/* host: the code's value, else env LISTEN, else 0.0.0.0
 * (core/src/TransportManager.ts). */
static ml_setting server_host(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->host, WANT_STR, "LISTEN", 0, false, "0.0.0.0");
}

ml_setting ml_server_host(const ml_model *m, const ml_link *l)
{
    return l->memo ? l->memo[MEMO_HOST] : server_host(m, l);
}

/* allowHTTP1: the code's value, else true (core/src/TransportManager.ts). */
static ml_setting server_allow_http1(const ml_model *m, const ml_link *l)
{
    return effective(m, l, &l->server->allow_http1, WANT_BOOL, NULL, 0, true, NULL);
}

ml_setting ml_server_allow_http1(const ml_model *m, const ml_link *l)
{
    return l->memo ? l->memo[MEMO_HTTP1] : server_allow_http1(m, l);
}

ml_setting ml_server_otel_name(const ml_model *m, const ml_link *l)
{
    return l->memo ? l->memo[MEMO_OTEL] : server_otel_name(m, l);
}

/* Once every link is made, work out each link's settings for the rules:
 * the same answers, computed once instead of by every rule that asks. */
static void memo_settings(ml_model *m)
{
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        ML_VEC_EACH(ml_link *, l, &s->links) {
            ml_setting *memo = ml_alloc(m->arena, MEMO__COUNT * sizeof *memo);
            memo[MEMO_PORT] = server_port(m, l);
            memo[MEMO_HEALTH] = server_http_health(m, l);
            memo[MEMO_SHUTDOWN] = server_shutdown_ms(m, l);
            memo[MEMO_OTEL] = server_otel_name(m, l);
            memo[MEMO_AUTO_SHUTDOWN] = server_auto_shutdown(m, l);
            memo[MEMO_HOST] = server_host(m, l);
            memo[MEMO_HTTP1] = server_allow_http1(m, l);
            l->memo = memo;
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
            ml_setting s = ml_container_env(m, w, c, "OTEL_SERVICE_NAME");
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

static void add_link(ml_model *m, ml_server *s, ml_workload *w, const char *reason)
{
    ML_VEC_EACH(ml_link *, l, &s->links) {
        if (l->workload == w)
            return;
    }
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
    /* counted once here: counting per server was quadratic (10 000
     * createServer calls took seconds) */
    ML_VEC_EACH(const ml_server *, o, &m->servers) {
        lk.deployable += !o->in_test;
    }
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        if (!s->file || s->in_test)
            continue; /* a test's server runs in the test runner, in no workload */
        if (by_explicit(&lk, s))
            continue;
        const char *on = otel_key(s);
        if (on && link_vec(m, s, ml_map_vec(&lk.otel, on, strlen(on)),
                           ml_printf(m->arena, "OTel service name %s", on)))
            continue;
        if (s->package_name &&
            link_vec(m, s, ml_map_vec(&lk.names, s->package_name, strlen(s->package_name)),
                     ml_printf(m->arena, "package.json name %s", s->package_name)))
            continue;
        if (by_directory(&lk, s))
            continue;
        by_only_server(&lk, s);
    }
    ml_map_free(&lk.names);
    ml_map_free(&lk.otel);
    memo_settings(m);
}
