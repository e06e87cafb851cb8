/*
 * ML101 double-encryption: a Connectum server terminates TLS itself (its
 * createServer options carry `tls`) while the Istio sidecar in front of it
 * already speaks mTLS. Each call is then encrypted twice, and the sidecar only
 * ever sees TLS bytes, so every HTTP-level mesh feature for the host (routing,
 * retries, header matches, AuthorizationPolicy HTTP fields) silently stops
 * working. The finding sits on the `tls` property and shows the policy, the
 * injection decision and the HTTP routes and policy fields that go dead.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "transport_common.h"

#define MAX_ROUTE_NOTES 8

/* An AuthorizationPolicy rule field that needs to read HTTP. */
static const ml_node *http_field(const ml_authz *p)
{
    static const char *const op_keys[] = {"paths", "notPaths", "methods", "notMethods", "hosts", "notHosts"};
    static const char *const src_keys[] = {"requestPrincipals", "notRequestPrincipals"};
    if (!ml_is_seq(p->rules))
        return NULL;
    for (size_t i = 0; i < ml_node_n(p->rules); i++) {
        const ml_node *rule = &p->rules->elems[i];
        const ml_node *to = ml_get(rule, "to");
        for (size_t j = 0; ml_is_seq(to) && j < ml_node_n(to); j++) {
            const ml_node *op = ml_get(&to->elems[j], "operation");
            for (size_t k = 0; k < sizeof op_keys / sizeof op_keys[0]; k++) {
                const ml_pair *pr = ml_get_pair(op, op_keys[k]);
                if (pr)
                    return &pr->key;
            }
        }
        const ml_node *from = ml_get(rule, "from");
        for (size_t j = 0; ml_is_seq(from) && j < ml_node_n(from); j++) {
            const ml_node *src = ml_get(&from->elems[j], "source");
            for (size_t k = 0; k < sizeof src_keys / sizeof src_keys[0]; k++) {
                const ml_pair *pr = ml_get_pair(src, src_keys[k]);
                if (pr)
                    return &pr->key;
            }
        }
        const ml_node *when = ml_get(rule, "when");
        for (size_t j = 0; ml_is_seq(when) && j < ml_node_n(when); j++) {
            const char *key = ml_str(ml_get(&when->elems[j], "key"));
            if (key && ml_starts_with(key, "request."))
                return ml_get(&when->elems[j], "key");
        }
    }
    return NULL;
}

static const char *route_label(ml_arena *a, const ml_route *rt)
{
    const char *name = ml_str_nonnull(rt->name);
    return name ? ml_printf(a, "HTTP route http[%zu] (%s)", rt->index, name)
                : ml_printf(a, "HTTP route http[%zu]", rt->index);
}

static bool contains(const ml_vec *v, const void *p)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i] == p)
            return true;
    return false;
}

/* Workload -> the winning AuthorizationPolicies with an HTTP field that
 * select it, built on the first finding so that the notes cost a lookup per
 * workload instead of a pass over every policy per finding. */
typedef struct http_policy {
    size_t order; /* position in by_kind[AUTHORIZATIONPOLICY]: notes keep load order */
    const ml_resource *res;
    const ml_node *field;
} http_policy;

typedef struct http_index {
    bool built;
    ml_map by_workload; /* workload pointer bytes -> ml_vec of http_policy* */
} http_index;

static void http_index_build(ml_ctx *ctx, http_index *hx)
{
    ml_model *m = ctx->model;
    hx->built = true;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        if (!r->live || !r->u.authz)
            continue;
        const ml_node *field = http_field(r->u.authz);
        if (!field)
            continue;
        http_policy *hp = ml_alloc(ctx->arena, sizeof *hp);
        hp->order = r_i;
        hp->res = r;
        hp->field = field;
        ml_vec selected = ml_mesh_authz_workloads(m, r->u.authz);
        ML_VEC_EACH(const ml_workload *, w, &selected) {
            const ml_vec *v = ml_map_get_ptr(&hx->by_workload, w);
            if (v && v->n && v->items[v->n - 1] == hp)
                continue; /* selected twice */
            ml_map_push_ptr(&hx->by_workload, ctx->arena, w, hp);
        }
    }
}

static int http_policy_cmp(const void *x, const void *y)
{
    const http_policy *a = *(const http_policy *const *)x, *b = *(const http_policy *const *)y;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Notes on every HTTP route of a VirtualService for a host of these
 * workloads' Services, and on AuthorizationPolicies that read HTTP. */
static void dead_http_notes(ml_ctx *ctx, ml_diag *d, http_index *hx, const ml_vec *ws, const char *proxy)
{
    ml_model *m = ctx->model;
    ml_vec seen_vs = {0};
    size_t notes = 0;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        ML_VEC_EACH(const ml_service *, svc, &w->services) {
            ml_vec vss = ml_model_vs_for(m, svc->fqdn);
            ML_VEC_EACH(const ml_virtualservice *, vs, &vss) {
                if (contains(&seen_vs, vs))
                    continue;
                ml_vec_push(ctx->arena, &seen_vs, (void *)vs);
                for (size_t i = 0; i < vs->nroutes && notes < MAX_ROUTE_NOTES; i++) {
                    const ml_route *rt = &vs->routes[i];
                    if (rt->proto != ML_ROUTE_HTTP)
                        continue;
                    notes++;
                    ml_loc at = rt->name ? ml_node_loc(rt->name) : ml_node_loc(rt->node);
                    ml_note(ctx, d, at,
                            "%s of %s for %s stops applying: %s cannot read HTTP inside the "
                            "server's TLS",
                            route_label(ctx->arena, rt), ml_res_display(ctx->arena, vs->res), svc->fqdn, proxy);
                }
            }
        }
    }

    if (!hx->built)
        http_index_build(ctx, hx);
    ml_vec hits = {0};
    ML_VEC_EACH(const ml_workload *, w, ws) {
        const ml_vec *v = ml_map_get_ptr(&hx->by_workload, w);
        if (!v)
            continue;
        ML_VEC_EACH(http_policy *, hp, v) {
            if (!contains(&hits, hp))
                ml_vec_push(ctx->arena, &hits, hp);
        }
    }
    ml_vec_sort(&hits, http_policy_cmp);
    ML_VEC_EACH(const http_policy *, hp, &hits) {
        ml_note(ctx, d, ml_node_loc(hp->field),
                "%s matches on %s, an HTTP field %s cannot read inside the server's TLS",
                ml_res_display(ctx->arena, hp->res), ml_str(hp->field), proxy);
    }
}

/* One finding per server: the workloads it runs in whose sidecar speaks
 * mTLS to it, with the policy that decided each one's mode. */
static void check_server(ml_ctx *ctx, http_index *hx, ml_server *s)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ml_vec ws = {0}, facts = {0};
    long long port = -2; /* -2: none yet; -1: unknown or differing */
    bool port_default = false;
    ml_vec amb = {0}; /* the ambient ones among ws */
    bool waypoint = false;
    ML_VEC_EACH(ml_link *, l, &s->links) {
        ml_workload *w = l->workload;
        if (!w || contains(&ws, w))
            continue;
        const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
        bool ambient = dp && (dp->kind == ML_DP_AMBIENT || dp->kind == ML_DP_AMBIENT_WAYPOINT);
        if (!ambient && ml_transport_sidecar_of(m, w) != ML_TRANSPORT_SIDECAR_YES)
            continue;
        bool dflt;
        long long p = ml_transport_server_port(m, l, &dflt);
        ml_mtls_fact *f = ml_alloc(a, sizeof *f);
        *f = ml_mesh_mtls(m, w, p);
        if (f->mode != ML_MTLS_STRICT && f->mode != ML_MTLS_PERMISSIVE)
            continue;
        ml_vec_push(a, &ws, w);
        ml_vec_push(a, &facts, f);
        if (ambient) {
            ml_vec_push(a, &amb, w);
            waypoint = waypoint || dp->kind == ML_DP_AMBIENT_WAYPOINT;
        }
        if (port == -2) {
            port = p;
            port_default = dflt;
        } else if (port != p) {
            port = -1;
        }
    }
    if (!ws.n)
        return;

    /* Every workload's mode with the same origin: name it; else the notes do. */
    const ml_mtls_fact *f0 = facts.items[0];
    bool same = true;
    ML_VEC_EACH(const ml_mtls_fact *, f, &facts) {
        same = same && f->mode == f0->mode && f->decided_by == f0->decided_by;
    }
    const char *mode = ml_mtls_name(f0->mode);
    const char *origin = !same            ? "mTLS (STRICT or PERMISSIVE, see the notes)"
                         : f0->decided_by ? ml_printf(a, "%s mTLS from %s", mode, ml_res_display(a, f0->decided_by->res))
                                          : ml_printf(a, "%s mTLS, Istio's default with no PeerAuthentication", mode);
    const char *port_words = port < 0       ? ""
                             : port_default ? " on port 5000 (the Connectum default)"
                                            : ml_printf(a, " on port %lld", port);
    bool one = ws.n == 1;
    ml_vec side = {0};
    ML_VEC_EACH(ml_workload *, w, &ws) {
        if (!contains(&amb, w))
            ml_vec_push(a, &side, w);
    }
    /* ztunnel carries ambient pods' traffic in its HBONE tunnel, mTLS to
     * port 15008 (HBoneInboundListenPort) */
    const char *ztunnel = ml_printf(a, "ztunnel (Istio's ambient data plane, which tunnels the calls of the mesh "
                                       "in mTLS) for the pods of %s",
                                    ml_transport_names(a, &amb, NULL));
    const char *sidecars =
        !amb.n    ? ml_printf(a, "the Istio sidecar%s of %s already provide%s %s", one ? "" : "s",
                              ml_transport_names(a, &ws, NULL), one ? "s" : "", origin)
        : !side.n ? ml_printf(a, "%s already provides %s", ztunnel, origin)
                  : ml_printf(a, "the Istio sidecar%s of %s and %s already provide %s", side.n == 1 ? "" : "s",
                              ml_transport_names(a, &side, NULL), ztunnel, origin);
    const char *proxy = side.n ? (waypoint ? "the sidecar or waypoint" : "the sidecar") : "the waypoint";
    const char *cost =
        !side.n && !waypoint
            ? "every call from the mesh pays two TLS handshakes and two encryptions"
        : side.n
            ? ml_printf(a,
                        "every call pays two TLS handshakes and two encryptions, and %s sees only "
                        "TLS bytes%s, so the VirtualService's HTTP routing, retries and header matches and "
                        "the AuthorizationPolicy HTTP fields for this host stop applying",
                        proxy, port_words)
            : ml_printf(a,
                        "every call pays two TLS handshakes and two encryptions, and the waypoint sees only "
                        "TLS bytes%s, so the HTTP routing, retries and header matches it applies for this host "
                        "and the AuthorizationPolicy HTTP fields it enforces stop applying",
                        port_words);
    ml_diag *d;
    if (s->tls == ML_TLS_PRESENT)
        d = ml_report(ctx, ML_LEVEL_NONE, s->tls_loc, "createServer terminates TLS itself while %s: %s", sidecars,
                      cost);
    else
        d = ml_report(ctx, ML_LEVEL_NOTE, s->tls_loc,
                      "createServer sets tls conditionally; when it is set, the server terminates TLS itself while "
                      "%s: %s",
                      sidecars, cost);

    ml_vec noted = {0};
    ML_VEC_EACH(const ml_mtls_fact *, f, &facts) {
        if (!f->decided_by || contains(&noted, f->mode_node ? (const void *)f->mode_node : f->decided_by))
            continue;
        ml_vec_push(a, &noted, f->mode_node ? (void *)f->mode_node : (void *)f->decided_by);
        ml_vec for_it = {0};
        ML_VEC_EACH(const ml_mtls_fact *, g, &facts) {
            if (g->decided_by == f->decided_by && g->mode_node == f->mode_node)
                ml_vec_push(a, &for_it, ws.items[g_i]);
        }
        ml_note(ctx, d, f->mode_node ? ml_node_loc(f->mode_node) : ml_res_loc(f->decided_by->res),
                "%s sets %s mTLS for %s%s", ml_res_display(a, f->decided_by->res), ml_mtls_name(f->mode),
                ml_transport_names(a, &for_it, NULL), f->scope == ML_SCOPE_PORT ? " on this port" : "");
    }
    ml_transport_sidecar_notes(ctx, d, &side);
    ML_VEC_EACH(const ml_workload *, w, &amb) {
        const ml_dataplane_fact *dp = ml_mesh_dataplane(m, w);
        if (dp->explain)
            ml_note(ctx, d, dp->decided_by ? ml_node_loc(dp->decided_by) : ml_res_loc(w->res), "%s: %s",
                    ml_res_display(a, w->res), dp->explain);
    }
    if (side.n || waypoint)
        dead_http_notes(ctx, d, hx, &ws, proxy);
    const char *who = side.n ? "the sidecar" : "ztunnel";
    if (s->tls == ML_TLS_PRESENT) {
        ml_help(ctx, d,
                "delete the tls property from createServer: %s already encrypts and authenticates every "
                "call with mTLS", who);
        ml_add_fix(ctx, d, side.n ? "delete the tls property (the Istio sidecar provides mTLS)"
                                  : "delete the tls property (ztunnel provides mTLS)",
                   s->tls_delete, "");
    } else {
        ml_help(ctx, d,
                "do not set tls when the server runs behind an Istio %s: %s already encrypts and "
                "authenticates every call with mTLS", side.n ? "sidecar" : "ambient data plane", who);
    }
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    if (!m->servers.n)
        return;
    http_index hx = {0};
    ml_map_init(&hx.by_workload);
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        if (s->tls == ML_TLS_PRESENT || s->tls == ML_TLS_CONDITIONAL)
            check_server(ctx, &hx, s);
    }
    ml_map_free(&hx.by_workload);
}

const ml_rule ml_rule_ML101 = {
    .id = "ML101",
    .name = "double-encryption",
    .level = ML_LEVEL_WARNING,
    .summary = "A Connectum server terminates TLS itself behind an Istio sidecar or ztunnel that already provides mTLS",
    .description =
        "createServer({ tls }) makes the Connectum server terminate TLS itself. When its pod also gets an "
        "Istio sidecar whose inbound mTLS mode is STRICT or PERMISSIVE, every call is encrypted twice: "
        "two handshakes and two encryptions per connection, for no added protection.\n"
        "\n"
        "Worse, the sidecar only ever sees TLS bytes. On an HTTP or gRPC port it can no longer read "
        "requests, so the VirtualService's HTTP routing, retries, timeouts and header matches for the "
        "host, and the HTTP fields of AuthorizationPolicies (paths, methods, request headers), silently "
        "stop applying. The Connectum guide says to remove the tls option when adding Istio.\n"
        "\n"
        "A tls option that is set only under a condition is reported as a note.\n"
        "\n"
        "Pods in Istio's ambient mode (istio.io/dataplane-mode: ambient) have no sidecar, but ztunnel "
        "carries every call between meshed workloads in its HBONE tunnel, mTLS to port 15008 "
        "(HBoneInboundListenPort, pilot/pkg/networking/core constants), so a server that adds its own TLS "
        "encrypts twice as well; behind a waypoint, the waypoint sees only TLS bytes and its HTTP routes "
        "and the HTTP fields of the policies it enforces stop applying, as for a sidecar. The same mTLS "
        "modes (STRICT, PERMISSIVE) are required.",
    .remediation = "Delete the tls property from the createServer options and let the sidecar provide mTLS "
                   "(the finding carries this edit as a fix, in the JSON and SARIF output).",
    .tags = "security,mtls,connectum,performance",
    .istio_code = NULL,
    .security_severity = 4.0,
    .precision = "high",
    .example_bad = "# namespace shop: istio-injection: enabled, PeerAuthentication STRICT\n"
                   "const server = createServer({\n"
                   "  services: [routes],\n"
                   "  port: 5000,\n"
                   "  tls: { dirPath: '/etc/tls' },\n"
                   "});",
    .example_good = "const server = createServer({\n"
                    "  services: [routes],\n"
                    "  port: 5000,\n"
                    "  // no tls: the Istio sidecar handles mTLS\n"
                    "});",
    .check = check,
};
