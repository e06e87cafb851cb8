/*
 * ML403 probe-path-not-served: an httpGet probe on the port of the Connectum
 * server in its container, asking for a path that server does not answer.
 *
 * Connectum serves HTTP health only when Healthcheck({ httpEnabled: true })
 * is registered, and then only on httpPaths (default /healthz, /health,
 * /readyz; healthcheck/src/Healthcheck.ts, httpHandler.ts). The env
 * variables HTTP_HEALTH_ENABLED and HTTP_HEALTH_PATH are read by no framework
 * code: they are fields of what parseEnvConfig() returns
 * (core/src/config/envSchema.ts) and count only where the code passes them on
 * (httpEnabled: env.HTTP_HEALTH_ENABLED). The rule follows the probe to the
 * server through the link (ts.h) and reports only what it can establish:
 * with no linked server, a probe on another port, or any of the values
 * unknown, it says nothing.
 */
#include <string.h>
#include <strings.h>

#include "probes_common.h"

static const char *const DEFAULT_PATHS[] = {"/healthz", "/health", "/readyz"};
#define NDEFAULT (sizeof DEFAULT_PATHS / sizeof DEFAULT_PATHS[0])

/* The connectum env parser's truth values. */
static bool env_true(const char *s)
{
    return s && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "yes") == 0);
}

/* Whether HTTP health is on: 1 yes, 0 no, -1 unknown. */
static int http_enabled(const ml_setting *s)
{
    switch (s->val.kind) {
    case ML_VAL_ABSENT:
        return 0;
    case ML_VAL_BOOL:
        return s->val.b;
    case ML_VAL_STR:
        return env_true(s->val.str);
    case ML_VAL_NUM:
        return s->val.num == 1;
    default:
        return -1;
    }
}

/* The probe's path without query and fragment; "/" when httpGet has no
 * path (the Kubernetes default). NULL when it cannot be read literally. */
static const char *probe_path(ml_arena *a, const ml_probe *p)
{
    if (!p->path)
        return "/";
    const char *s = ml_str_nonnull(p->path);
    if (!s || strstr(s, "{{") || strchr(s, '$'))
        return NULL;
    size_t n = strcspn(s, "?#");
    return ml_strndup(a, s, n);
}

static const char *join_paths(ml_arena *a, const char *const *paths, size_t n, const char *extra)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        ml_buf_printf(&b, "%s%s", i ? ", " : "", paths[i]);
    if (extra)
        ml_buf_printf(&b, "%s%s", n ? ", " : "", extra);
    const char *r = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return r;
}

static void check_probe(ml_ctx *ctx, const ml_workload *w, const ml_link *l, const ml_probes_sport *sp,
                        const ml_probe *p)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const ml_container *c = l->container;
    const ml_server *s = l->server;
    if (p->kind != ML_PROBE_HTTP || !p->node)
        return;
    const ml_node *hg = ml_get(p->node, "httpGet");
    if (ml_get(hg, "host"))
        return; /* probes another host, not this server */
    ml_probe_port pp = ml_probes_port(c, p);
    if (pp.num < 0 || pp.num != sp->num)
        return; /* another port: ML404's question */
    const char *path = probe_path(a, p);
    if (!path || s->has_health == ML_MAYBE)
        return;

    const char *pname = ml_probes_name(p);
    const char *cname = ml_str(c->name) ? ml_str(c->name) : "(unnamed)";
    const char *stext = ml_probes_server_text(a, s);
    const char *ptext = ml_probes_port_text(a, &pp);
    ml_loc at = p->path ? ml_node_loc(p->path) : ml_probes_handler_loc(p);
    const char *port_origin = ml_printf(a, "the server listens on %lld, %s", sp->num, ml_probes_sport_origin(a, sp));

    if (s->has_health == ML_NO) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s httpGet %s on port %s gets no answer: %s registers no Healthcheck "
                               "protocol, so nothing serves HTTP health there; %s",
                               pname, path, ptext, stext, ml_probes_consequence(p));
        ml_note(ctx, d, s->call, "createServer without Healthcheck(...) among its protocols");
        if (ml_probes_setting_has_loc(&sp->s))
            ml_note(ctx, d, sp->s.loc, "%s", port_origin);
        ml_help(ctx, d,
                "add Healthcheck({ httpEnabled: true }) to the server's protocols, or add Healthcheck() "
                "and probe over gRPC instead: `%s: { grpc: { port: %lld } }`",
                pname, sp->num);
        return;
    }

    ml_setting hh = ml_server_http_health(m, l);
    int on = http_enabled(&hh);
    if (on < 0)
        return;
    if (!on) {
        const char *var = ml_probes_env_var(&s->health_http_enabled, "HTTP_HEALTH_ENABLED");
        const char *why;
        if (!ml_probes_setting_has_loc(&hh) && s->health_http_enabled.kind == ML_VAL_ABSENT)
            why = "Healthcheck() leaves httpEnabled unset, default false; no framework code reads "
                  "HTTP_HEALTH_ENABLED from the environment";
        else if (s->health_http_enabled.kind == ML_VAL_BOOL)
            why = "Healthcheck({ httpEnabled: false })";
        else if (hh.source && (ml_starts_with(hh.source, "env ") || ml_starts_with(hh.source, "ConfigMap "))) {
            ml_setting raw = ml_container_env(m, w, c, var);
            const char *val = raw.val.kind == ML_VAL_STR && raw.val.str ? raw.val.str : "?";
            const char *in = strstr(hh.source, " in ");
            /* the framework's parser takes true, 1 or yes; code that tests the
             * variable itself (=== "true", includes(...)) decides alone */
            const char *off = "not true, 1 or yes";
            if (ml_val_env_match(&s->health_http_enabled)->n) {
                ml_buf b;
                ml_buf_init(&b);
                ML_VEC_EACH(const char *, mv, ml_val_env_match(&s->health_http_enabled)) {
                    ml_buf_printf(&b, "%s%s", b.n ? ", " : "", mv);
                }
                off = ml_printf(a, "which the code reads as off (%s %s)",
                                s->health_http_enabled.env_negate ? "off for" : "on only for", b.s ? b.s : "");
                ml_buf_free(&b);
            }
            if (ml_starts_with(hh.source, "env ") && in)
                why = ml_printf(a, "%s is \"%s\" in the env of %s, %s", var, val, in + 4, off);
            else
                why = ml_printf(a, "%s is \"%s\" in %s, %s", var, val, hh.source, off);
        }
        else
            why = ml_printf(a, "httpEnabled is false, %s", ml_probes_origin(a, &hh, var));
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s httpGet %s on port %s gets no answer: %s does not serve HTTP health "
                               "(%s); %s",
                               pname, path, ptext, stext, why, ml_probes_consequence(p));
        ml_note(ctx, d, s->health_loc.file ? s->health_loc : s->call,
                "Healthcheck registered here without httpEnabled: true; only the gRPC health protocol "
                "answers");
        if (ml_probes_setting_has_loc(&hh) && hh.loc.file != s->health_loc.file)
            ml_note(ctx, d, hh.loc, "%s set here", var);
        if (s->health_http_enabled.kind == ML_VAL_ENV)
            ml_help(ctx, d,
                    "serve HTTP health with Healthcheck({ httpEnabled: true }) (or %s: \"true\" in the "
                    "environment of container %s), or probe over gRPC instead: `%s: { grpc: { port: %lld } }`",
                    var, cname, pname, sp->num);
        else
            ml_help(ctx, d,
                    "serve HTTP health with Healthcheck({ httpEnabled: true }), or probe over gRPC instead: "
                    "`%s: { grpc: { port: %lld } }`",
                    pname, sp->num);
        return;
    }

    /* HTTP health is on: is the path among the served ones? */
    const char *const *paths = DEFAULT_PATHS;
    size_t npaths = NDEFAULT;
    const char *extra = NULL;
    if (s->health_paths_set) {
        if (!s->health_paths_known)
            return;
        paths = (const char *const *)s->health_paths.items;
        npaths = s->health_paths.n;
    }
    for (size_t i = 0; i < npaths; i++)
        if (ml_streq(paths[i], path))
            return;
    if (extra && strcmp(extra, path) == 0)
        return;
    const char *list = join_paths(a, paths, npaths, extra);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                           "%s httpGet %s%s%s is not served by %s: its HTTP health answers only %s "
                           "(%s); %s",
                           pname, p->path ? "path " : "without a path (so ", path, p->path ? "" : ")", stext, list,
                           s->health_paths_set ? "its httpPaths" : "the default httpPaths", ml_probes_consequence(p));
    ml_note(ctx, d, s->health_loc.file ? s->health_loc : s->call, "Healthcheck registered here");
    ml_help(ctx, d, "probe one of %s; or add %s to Healthcheck's httpPaths", list, path);
}

static void check(ml_ctx *ctx)
{
    ml_probes_each_server_probe(ctx, check_probe);
}

const ml_rule ml_rule_ML403 = {
    .id = "ML403",
    .name = "probe-path-not-served",
    .level = ML_LEVEL_ERROR,
    .summary = "An httpGet probe asks the Connectum server for a path it does not answer",
    .description = "Follows each httpGet probe (startup, liveness and readiness) of the container "
                   "a Connectum server runs in, when the probe targets the port the server listens "
                   "on, and reports it when the server gives no HTTP health answer on that path: "
                   "the server registers no Healthcheck protocol at all; or HTTP health is off "
                   "(Healthcheck() without httpEnabled: true; default false, healthcheck/src/Healthcheck.ts); "
                   "or the path is not one of httpPaths (default /healthz, /health and /readyz, "
                   "healthcheck/src/httpHandler.ts). HTTP_HEALTH_ENABLED and HTTP_HEALTH_PATH in the "
                   "container's env count only where the code passes them on (httpEnabled: "
                   "parseEnvConfig().HTTP_HEALTH_ENABLED, or its own process.env test): they are "
                   "fields of parseEnvConfig()'s result (core/src/config/envSchema.ts), read by no "
                   "framework code. The query string is ignored; an httpGet without a path asks for /.\n"
                   "\n"
                   "Such a probe never succeeds. A failing readiness probe keeps the pod out of "
                   "every Service and the rollout stalls; a failing liveness or startup probe makes "
                   "the kubelet restart the container over and over. The rule stays silent when no "
                   "server is linked to the workload, when the probe targets another port (ML404), "
                   "and whenever a value it needs is unknown.",
    .remediation = "Serve HTTP health with Healthcheck({ httpEnabled: true }) (or HTTP_HEALTH_ENABLED: "
                   "\"true\" in the container's environment when the code passes that variable on as "
                   "httpEnabled) and probe one of its httpPaths; or probe over gRPC (grpc: { port: <server "
                   "port> }), which the Healthcheck protocol always answers.",
    .tags = "probes,availability,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# server.ts\n"
                   "createServer({ services, protocols: [Healthcheck()] });\n"
                   "# deployment.yaml\n"
                   "readinessProbe:\n"
                   "  httpGet:\n"
                   "    path: /readyz\n"
                   "    port: 5000",
    .example_good = "# server.ts\n"
                    "createServer({ services, protocols: [Healthcheck({ httpEnabled: true })] });\n"
                    "# deployment.yaml\n"
                    "readinessProbe:\n"
                    "  httpGet:\n"
                    "    path: /readyz\n"
                    "    port: 5000",
    .settings = NULL,
    .check = check,
};
