/*
 * dump.c - --dump-model: the model as JSON.
 *
 * When a finding surprises, the question is "what did meshlint think the
 * input says?". This prints exactly that: every resource with where it came
 * from and whether its definition wins, the mesh facts per workload (sidecar,
 * effective mTLS and who decided), every Connectum server with its evaluated
 * options, and the links between servers and workloads with their reasons and
 * the effective settings that combine code and container environment.
 */
#include "meshlint/dump.h"
#include "meshlint/ts_lex.h"

#include "meshlint/config.h"

#include <math.h>

#include "meshlint/mesh.h"
#include "meshlint/report.h"
#include "meshlint/ts.h"

static void loc(ml_jw *w, const char *key, ml_loc l)
{
    ml_jw_key(w, key);
    if (!l.file) {
        ml_jw_null(w);
        return;
    }
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_printf(&b, "%s:%u:%u", l.file->path, l.line, l.col);
    ml_jw_string(w, b.s);
    ml_buf_free(&b);
}

static void val(ml_jw *w, const char *key, const ml_val *v)
{
    if (key)
        ml_jw_key(w, key);
    ml_jw_object(w);
    switch (v->kind) {
    case ML_VAL_ABSENT:
        ml_jw_kstring(w, "kind", "absent");
        break;
    case ML_VAL_NUM:
        ml_jw_kstring(w, "kind", "number");
        ml_jw_key(w, "value");
        if (v->num == floor(v->num) && fabs(v->num) < 1e15)
            ml_jw_int(w, (long long)v->num);
        else
            ml_jw_string(w, "non-integer");
        break;
    case ML_VAL_STR:
        ml_jw_kstring(w, "kind", "string");
        ml_jw_kstring(w, "value", v->str);
        break;
    case ML_VAL_BOOL:
        ml_jw_kstring(w, "kind", "boolean");
        ml_jw_key(w, "value");
        ml_jw_bool(w, v->b);
        break;
    case ML_VAL_ENV:
        ml_jw_kstring(w, "kind", "env");
        ml_jw_kstring(w, "env", v->env);
        if (v->env_default)
            val(w, "default", v->env_default);
        break;
    case ML_VAL_UNKNOWN:
        ml_jw_kstring(w, "kind", "unknown");
        ml_jw_kstring(w, "why", v->why);
        if (ml_val_alts(v)->n) {
            /* one of these values (call sites that differ, a run-time condition) */
            ml_jw_key(w, "oneOf");
            ml_jw_array(w);
            ML_VEC_EACH(const ml_val *, a, ml_val_alts(v)) {
                val(w, NULL, a);
            }
            ml_jw_end_array(w);
        }
        break;
    }
    if (v->kind != ML_VAL_ABSENT)
        loc(w, "at", v->loc);
    ml_jw_end_object(w);
}

static const char *tri(ml_tri t)
{
    return t == ML_YES ? "yes" : t == ML_NO ? "no" : "maybe";
}

static void interceptor(ml_jw *w, const char *key, const ml_interceptor_cfg *c, const char *a, const char *b)
{
    ml_jw_key(w, key);
    ml_jw_object(w);
    ml_jw_kstring(w, "enabled", tri(c->enabled));
    if (c->enabled != ML_NO) {
        ml_jw_key(w, "fromDefaults");
        ml_jw_bool(w, c->from_defaults);
        loc(w, "at", c->loc);
        if (a)
            val(w, a, &c->a);
        if (b)
            val(w, b, &c->b);
        if (c->method_filter)
            ml_jw_kstring(w, "methodFilter", c->method_filter);
    }
    ml_jw_end_object(w);
}

static void setting(ml_jw *w, const char *key, ml_setting s)
{
    ml_jw_key(w, key);
    ml_jw_object(w);
    val(w, "value", &s.val);
    ml_jw_kstring(w, "source", s.source);
    ml_jw_end_object(w);
}

static const char *const INJECT_REASONS[] = {
    "namespace label istio-injection=enabled", "namespace label istio.io/rev", "namespace label istio-injection=disabled",
    "pod opts out (sidecar.istio.io/inject=false)", "pod opts in (sidecar.istio.io/inject=true)",
    "system namespace", "namespace has no injection label", "namespace not in the input",
    "pod uses hostNetwork", "ambient data plane",
    "namespace alternatives disagree on injection", "gateway proxy (inject.istio.io/templates: gateway)"};
static const char *const SCOPES[] = {"default", "mesh", "namespace", "workload", "port"};

/* ---- Gateway API ---- */
static void gw_ref(ml_jw *w, const ml_gw_ref *r, bool backend)
{
    ml_jw_object(w);
    ml_jw_kstring(w, "group", r->group_s);
    ml_jw_kstring(w, "kind", r->kind_s);
    ml_jw_kstring(w, "namespace", r->ns);
    ml_jw_kstring(w, "name", ml_str(r->name));
    ml_jw_key(w, "port");
    if (r->port_num >= 0)
        ml_jw_int(w, r->port_num);
    else
        ml_jw_null(w);
    if (backend) {
        ml_jw_kint(w, "weight", r->weight_num);
    } else {
        ml_jw_kstring(w, "sectionName", ml_str(r->section_name));
    }
    ml_jw_end_object(w);
}

static void dump_gwapi(ml_jw *w, const ml_resource *r)
{
    if (r->kind == ML_K_GW_GATEWAY && r->u.gw) {
        const ml_k8s_gateway *g = r->u.gw;
        ml_jw_kstring(w, "gatewayClassName", ml_str(g->class_name));
        ml_jw_key(w, "waypoint");
        ml_jw_bool(w, g->waypoint);
        ml_jw_key(w, "listeners");
        ml_jw_array(w);
        for (size_t i = 0; i < g->nlisteners; i++) {
            const ml_gw_listener *l = &g->listeners[i];
            ml_jw_object(w);
            ml_jw_kstring(w, "name", ml_str(l->name));
            ml_jw_key(w, "port");
            if (l->port_num >= 0)
                ml_jw_int(w, l->port_num);
            else
                ml_jw_null(w);
            ml_jw_kstring(w, "protocol", ml_str(l->protocol));
            ml_jw_kstring(w, "hostname", ml_str(l->hostname));
            /* allowedRoutes.namespaces.from defaults to Same */
            ml_jw_kstring(w, "allowedNamespaces", l->allowed_from ? ml_str(l->allowed_from) : "Same");
            ml_jw_kstring(w, "tlsMode", l->tls ? (l->tls_mode ? ml_str(l->tls_mode) : "Terminate") : NULL);
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
    } else if (ml_kind_is_gw_route(r->kind) && r->u.route) {
        const ml_gw_route *rt = r->u.route;
        ml_jw_key(w, "parentRefs");
        ml_jw_array(w);
        for (size_t i = 0; i < rt->nparents; i++)
            gw_ref(w, &rt->parents[i], false);
        ml_jw_end_array(w);
        ml_jw_key(w, "hostnames");
        ml_jw_array(w);
        for (size_t i = 0; i < rt->nhostnames; i++)
            ml_jw_string(w, ml_str(rt->hostnames[i]));
        ml_jw_end_array(w);
        ml_jw_key(w, "rules");
        ml_jw_array(w);
        for (size_t i = 0; i < rt->nrules; i++) {
            const ml_gw_rule *ru = &rt->rules[i];
            ml_jw_object(w);
            ml_jw_kint(w, "index", (long long)ru->index);
            ml_jw_key(w, "backendRefs");
            ml_jw_array(w);
            for (size_t j = 0; j < ru->nbackends; j++)
                gw_ref(w, &ru->backends[j], true);
            ml_jw_end_array(w);
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
    } else if (r->kind == ML_K_REFERENCEGRANT && r->u.refgrant) {
        const ml_refgrant *g = r->u.refgrant;
        ml_jw_key(w, "from");
        ml_jw_array(w);
        for (size_t i = 0; i < g->nfrom; i++) {
            ml_jw_object(w);
            ml_jw_kstring(w, "group", g->from[i].group);
            ml_jw_kstring(w, "kind", g->from[i].kind);
            ml_jw_kstring(w, "namespace", g->from[i].ns);
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
        ml_jw_key(w, "to");
        ml_jw_array(w);
        for (size_t i = 0; i < g->nto; i++) {
            ml_jw_object(w);
            ml_jw_kstring(w, "group", g->to[i].group);
            ml_jw_kstring(w, "kind", g->to[i].kind);
            ml_jw_kstring(w, "name", g->to[i].name);
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
    }
}

static void dump_resource(ml_jw *w, const ml_model *m, const ml_resource *r)
{
    ml_jw_object(w);
    ml_jw_kstring(w, "kind", r->kind_str);
    ml_jw_kstring(w, "apiVersion", r->api_version);
    ml_jw_kstring(w, "namespace", r->ns);
    ml_jw_kstring(w, "name", r->name);
    loc(w, "at", ml_res_loc(r));
    /* "wins": live (not replaced inside its group); "alternatives": how many
     * live definitions the key has (model.h) */
    ml_jw_key(w, "wins");
    ml_jw_bool(w, r->live);
    ml_jw_kint(w, "alternatives", (long long)r->nalts);
    ml_jw_key(w, "unit");
    if (r->doc && r->doc->unit)
        ml_jw_string(w, r->doc->unit->name);
    else
        ml_jw_null(w);
    if (ml_kind_is_gwapi(r->kind))
        dump_gwapi(w, r);
    if (ml_kind_is_workload(r->kind) && r->live && r->u.workload) {
        const ml_workload *wl = r->u.workload;
        const ml_sidecar_fact *sf = ml_mesh_sidecar(m, wl);
        if (sf) {
            ml_jw_key(w, "sidecar");
            ml_jw_object(w);
            ml_jw_kstring(w, "injected", !sf->known ? "unknown" : sf->injected ? "yes" : "no");
            ml_jw_kstring(w, "reason", INJECT_REASONS[sf->reason]);
            ml_jw_kstring(w, "explain", sf->explain);
            ml_jw_end_object(w);
        }
        const ml_dataplane_fact *dp = ml_mesh_dataplane(m, wl);
        if (dp) {
            ml_jw_key(w, "dataPlane");
            ml_jw_object(w);
            ml_jw_kstring(w, "kind", ml_dataplane_name(dp->kind));
            ml_jw_kstring(w, "waypoint", dp->waypoint);
            ml_jw_kstring(w, "waypointFor", dp->waypoint_for);
            ml_jw_kstring(w, "explain", dp->explain);
            ml_jw_end_object(w);
        }
        if (m->mesh) {
            ml_mtls_fact f = ml_mesh_mtls(m, wl, -1);
            ml_jw_key(w, "mtls");
            ml_jw_object(w);
            ml_jw_kstring(w, "mode", ml_mtls_name(f.mode));
            ml_jw_kstring(w, "scope", SCOPES[f.scope]);
            ml_jw_kstring(w, "decidedBy", f.decided_by ? f.decided_by->res->name : NULL);
            ml_jw_end_object(w);
        }
        ml_jw_key(w, "servers");
        ml_jw_array(w);
        ML_VEC_EACH(const ml_server *, s, &wl->servers)
            ml_jw_string(w, s->file->path);
        ml_jw_end_array(w);
    }
    ml_jw_end_object(w);
}

static void dump_server(ml_jw *w, const ml_model *m, const ml_server *s)
{
    ml_jw_object(w);
    ml_jw_kstring(w, "file", s->file->path);
    loc(w, "at", s->call);
    ml_jw_kstring(w, "package", s->package_name);
    val(w, "port", &s->port);
    val(w, "host", &s->host);
    static const char *const TLS[] = {"absent", "present", "conditional", "unknown"};
    ml_jw_kstring(w, "tls", TLS[s->tls]);
    val(w, "allowHTTP1", &s->allow_http1);
    ml_jw_kstring(w, "healthcheck", tri(s->has_health));
    val(w, "httpHealthEnabled", &s->health_http_enabled);
    ml_jw_key(w, "httpHealthPaths");
    if (!s->health_paths_known) {
        ml_jw_string(w, "unknown");
    } else {
        ml_jw_array(w);
        if (!s->health_paths_set) {
            ml_jw_string(w, "/healthz");
            ml_jw_string(w, "/health");
            ml_jw_string(w, "/readyz");
        }
        ML_VEC_EACH(const char *, p, &s->health_paths)
            ml_jw_string(w, p);
        ml_jw_end_array(w);
    }
    ml_jw_kstring(w, "reflection", tri(s->has_reflection));
    ml_jw_key(w, "interceptorsKnown");
    ml_jw_bool(w, s->interceptors_known);
    interceptor(w, "retry", &s->retry, "maxRetries", NULL);
    interceptor(w, "timeout", &s->timeout, "duration", NULL);
    interceptor(w, "circuitBreaker", &s->circuit_breaker, "threshold", "halfOpenAfter");
    interceptor(w, "bulkhead", &s->bulkhead, "capacity", "queueSize");
    interceptor(w, "fallback", &s->fallback, NULL, NULL);
    val(w, "shutdownTimeout", &s->shutdown_timeout);
    val(w, "autoShutdown", &s->shutdown_auto);
    ml_jw_key(w, "ownSigtermHandler");
    ml_jw_bool(w, s->own_sigterm);
    ml_jw_key(w, "otel");
    ml_jw_bool(w, s->otel_used);
    val(w, "otelServiceName", &s->otel_service_name);
    if (s->otel_interceptor_loc.file)
        val(w, "otelTrustRemote", &s->otel_trust_remote);
    if (s->transport_validation.kind != ML_VAL_ABSENT)
        val(w, "transportValidation", &s->transport_validation);
    if (s->enabled_services.kind != ML_VAL_ABSENT)
        val(w, "enabledServices", &s->enabled_services);
    if (s->services.n || s->services_shared) {
        /* the services it mounts (defineService, router.service), as named in code */
        ml_jw_key(w, "mounts");
        if (s->services_shared) {
            ml_jw_string(w, "unknown: the package has several servers");
        } else {
            ml_jw_array(w);
            ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
                ml_jw_object(w);
                ml_jw_kstring(w, "service", q->val.str);
                ml_jw_kstring(w, "via", q->via);
                loc(w, "at", q->loc);
                ml_jw_end_object(w);
            }
            ml_jw_end_array(w);
        }
    }
    ml_jw_key(w, "outbound");
    ml_jw_array(w);
    ML_VEC_EACH(const ml_outbound *, o, &s->outbound) {
        ml_jw_object(w);
        ml_jw_kstring(w, "via", o->via);
        ml_jw_key(w, "grpc");
        ml_jw_bool(w, o->grpc);
        val(w, "url", &o->url);
        ml_jw_end_object(w);
    }
    ml_jw_end_array(w);
    ml_jw_key(w, "unknown");
    ml_jw_array(w);
    ML_VEC_EACH(const ml_unknown *, u, &s->unknowns) {
        ml_jw_object(w);
        ml_jw_kstring(w, "what", u->what);
        ml_jw_kstring(w, "why", u->why);
        loc(w, "at", u->loc);
        ml_jw_end_object(w);
    }
    ml_jw_end_array(w);
    ml_jw_key(w, "links");
    ml_jw_array(w);
    ML_VEC_EACH(const ml_link *, l, &s->links) {
        ml_jw_object(w);
        ml_jw_kstring(w, "workload", ml_res_display(m->arena, l->workload->res));
        ml_jw_kstring(w, "container", l->container ? ml_str(l->container->name) : NULL);
        ml_jw_kstring(w, "reason", l->reason);
        setting(w, "port", ml_server_port(m, l));
        setting(w, "httpHealth", ml_server_http_health(m, l));
        setting(w, "shutdownMs", ml_server_shutdown_ms(m, l));
        setting(w, "otelServiceName", ml_server_otel_name(m, l));
        setting(w, "autoShutdown", ml_server_auto_shutdown(m, l));
        setting(w, "host", ml_server_host(m, l));
        setting(w, "allowHTTP1", ml_server_allow_http1(m, l));
        if (s->enabled_services.kind != ML_VAL_ABSENT)
            setting(w, "enabledServices", ml_link_enabled_services(m, l));
        if (s->outbound.n) {
            /* the peers this workload calls: each baseUrl with its env */
            ml_jw_key(w, "outbound");
            ml_jw_array(w);
            ML_VEC_EACH(const ml_outbound *, o, &s->outbound) {
                ml_jw_object(w);
                ml_jw_kstring(w, "via", o->via);
                setting(w, "url", ml_link_outbound_url(m, l, o));
                ml_jw_end_object(w);
            }
            ml_jw_end_array(w);
        }
        ml_jw_end_object(w);
    }
    ml_jw_end_array(w);
    ml_jw_end_object(w);
}

void ml_dump_model(ml_buf *out, ml_model *m)
{
    ml_jw w;
    ml_jw_init(&w, out);
    ml_jw_object(&w);
    ml_jw_kint(&w, "version", 1);
    /* where manifests without metadata.namespace go: bound by -n or
     * default-namespace, else chosen at apply time (null) */
    ml_jw_key(&w, "applyTimeNamespace");
    if (m->cfg && m->cfg->default_ns && *m->cfg->default_ns)
        ml_jw_string(&w, m->cfg->default_ns);
    else
        ml_jw_null(&w);
    ml_jw_key(&w, "files");
    ml_jw_array(&w);
    ML_VEC_EACH(const ml_file *, f, &m->files)
        ml_jw_string(&w, f->path);
    ml_jw_end_array(&w);
    ml_jw_key(&w, "resources");
    ml_jw_array(&w);
    ML_VEC_EACH(const ml_resource *, r, &m->resources)
        dump_resource(&w, m, r);
    ml_jw_end_array(&w);
    ml_jw_key(&w, "servers");
    ml_jw_array(&w);
    ML_VEC_EACH(const ml_server *, s, &m->servers)
        dump_server(&w, m, s);
    ml_jw_end_array(&w);
    ml_jw_end_object(&w);
    ml_buf_putc(out, '\n');
}
