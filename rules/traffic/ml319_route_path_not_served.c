/*
 * ML319 route-path-not-served: an HTTP route of a VirtualService whose uri
 * matches (exact, prefix, regex) match none of the paths the Connectum
 * servers behind its destinations answer. Every request the route takes
 * then gets Unimplemented (an RPC path nobody mounts) or 404; usually the
 * match has a typo in a package, service or method name, and the calls it
 * was written for fall through to a later route or to none.
 *
 * A gRPC or Connect call's path is /<service type name>/<method>. What a
 * server answers comes from the model (proto.h, ml_workloads_served_paths):
 * the methods of the services it mounts, from .proto files in the input,
 * plus what the Healthcheck and Reflection protocols register. Judged only
 * when all of that is known for every workload behind every destination;
 * anything unknown keeps the rule silent. HTTPRoute rules get the same test
 * through their path matches (check_gw_rule).
 */
#include <string.h>
#include <strings.h>

#include "meshlint/proto.h"
#include "meshlint/regex.h"
#include "meshlint/rule.h"
#include "gwapi_common.h"
#include "traffic_common.h"

/* Regex matches one route may run against served paths; beyond, unknown. */
#define ROUTE_MATCH_BUDGET 20000

typedef struct uri_match {
    const ml_node *item;
    const ml_node *value;
    const char *text;    /* what is compared: the value, or for a Gateway API
                          * PathPrefix the value without its trailing '/' */
    size_t len;
    const char *type;    /* as the message names it: "prefix", "PathPrefix", ... */
    tr_uri_kind kind;
    bool nocase;
    ml_regex *re;
} uri_match;

/* What the Connectum servers behind one host answer. */
typedef struct host_paths {
    bool known;
    ml_vec paths;        /* const char* */
    const char *where;   /* "Deployment shop/orders" (and how many more) */
    ml_loc server;       /* the createServer call of the first linked server */
} host_paths;

static const host_paths UNKNOWN_PATHS = {.known = false};

static const host_paths *paths_for(ml_ctx *ctx, ml_map *cache, const char *fqdn)
{
    const ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    void **slot = ml_map_slot_for(cache, fqdn, strlen(fqdn));
    if (*slot)
        return *slot;
    *slot = (void *)&UNKNOWN_PATHS;
    const ml_vec *svcs = ml_model_services_for(m, fqdn);
    if (!svcs || !svcs->n)
        return *slot; /* a ServiceEntry, a host outside the input: ML306's question */
    if (ml_map_vec(&m->se_by_host, fqdn, strlen(fqdn)))
        return *slot; /* a ServiceEntry for the same host adds endpoints */
    ml_vec ws = {0};
    ML_VEC_EACH(const ml_service *, svc, svcs) {
        /* no selector (endpoints managed elsewhere), no pods in the input,
         * or pods an unlinted chart may add to the selection: unknown */
        if (!svc->selector || !svc->workloads.n || ml_model_unlinted_may_define(m, svc->res->ns))
            return *slot;
        ML_VEC_EACH(ml_workload *, w, &svc->workloads) {
            ml_vec_push(a, &ws, w);
        }
    }
    host_paths *hp = ml_zalloc(a, sizeof *hp);
    if (!ml_workloads_served_paths(m, a, &ws, &hp->paths) || !hp->paths.n)
        return *slot;
    hp->known = true;
    const char *first = ml_res_display(a, ((const ml_workload *)ws.items[0])->res);
    hp->where = ws.n > 1 ? ml_printf(a, "%s and %zu more", first, ws.n - 1) : first;
    const ml_workload *w0 = ws.items[0];
    if (w0->servers.n)
        hp->server = ((const ml_server *)w0->servers.items[0])->call;
    *slot = hp;
    return hp;
}

/* The uri condition of a match item; false when it has none, or one this
 * rule does not evaluate. */
static bool item_uri(ml_ctx *ctx, const ml_node *item, uri_match *out)
{
    memset(out, 0, sizeof *out);
    const ml_node *v;
    if (!tr_item_uri(item, &out->kind, &v))
        return false;
    const ml_node *ic = ml_get(item, "ignoreUriCase");
    if (ic && !ml_bool(ic, &out->nocase))
        return false;
    out->item = item;
    out->value = v;
    out->text = ml_node_str(v);
    out->len = ml_node_len(v);
    out->type = tr_uri_kind_name(out->kind);
    if (out->kind == TR_URI_REGEX) {
        ml_re_error err;
        /* Envoy ignores case_sensitive for safe_regex: leave that pairing alone */
        if (out->nocase || ml_re_compile(ctx->arena, ml_node_str(v), ml_node_len(v), &out->re, &err) != ML_RE_OK)
            return false;
    }
    return true;
}

/* Does the match take path? YES, NO or UNKNOWN (a regex out of budget). */
static ml_re_answer matches(const uri_match *u, const char *path, ml_re_budget *budget)
{
    const char *v = u->text;
    size_t n = u->len;
    switch (u->kind) {
    case TR_URI_EXACT:
        return (u->nocase ? strcasecmp(path, v) : strcmp(path, v)) == 0 ? ML_RE_YES : ML_RE_NO;
    case TR_URI_PREFIX:
        return (u->nocase ? strncasecmp(path, v, n) : strncmp(path, v, n)) == 0 ? ML_RE_YES : ML_RE_NO;
    case TR_URI_REGEX:
        return ml_re_full_match(u->re, path, strlen(path), budget);
    }
    return ML_RE_UNKNOWN;
}

static const char *uri_text(ml_arena *a, const uri_match *u)
{
    return ml_printf(a, "%s \"%s\"", u->type, ml_node_str(u->value));
}

/* The served path (or service prefix "/<type name>/") nearest to an exact
 * or prefix value, at most three edits away; NULL when none. */
static const char *nearest(ml_arena *a, const uri_match *u, const host_paths *const *hps, size_t nh)
{
    if (u->kind == TR_URI_REGEX)
        return NULL;
    const char *best = NULL;
    unsigned bd = 4;
    for (size_t h = 0; h < nh; h++) {
        ML_VEC_EACH(const char *, p, &hps[h]->paths) {
            const char *cand = p;
            if (u->kind == TR_URI_PREFIX) {
                const char *slash = p[0] == '/' ? strchr(p + 1, '/') : NULL;
                if (!slash)
                    continue;
                cand = ml_strndup(a, p, (size_t)(slash - p + 1));
            }
            unsigned d = ml_edit_distance(u->text, cand, bd);
            if (d < bd) {
                bd = d;
                best = cand;
            }
        }
    }
    return best;
}

/* Add what the servers behind fqdn answer to hps (once per host); false
 * when that is not known. */
static bool add_host(ml_ctx *ctx, ml_map *cache, const char *fqdn, const host_paths **hps, size_t *nh)
{
    const host_paths *hp = paths_for(ctx, cache, fqdn);
    if (!hp->known)
        return false;
    for (size_t k = 0; k < *nh; k++)
        if (hps[k] == hp)
            return true;
    hps[(*nh)++] = hp;
    return true;
}

/* True when no match of ms takes any path of hps (all known); *npaths
 * receives how many paths were compared. */
static bool none_served(const uri_match *ms, size_t n, const host_paths *const *hps, size_t nh, size_t *npaths)
{
    ml_re_budget budget = {.matches_left = ROUTE_MATCH_BUDGET};
    *npaths = 0;
    for (size_t h = 0; h < nh; h++) {
        *npaths += hps[h]->paths.n;
        for (size_t j = 0; j < n; j++) {
            ML_VEC_EACH(const char *, p, &hps[h]->paths) {
                if (matches(&ms[j], p, &budget) != ML_RE_NO)
                    return false; /* serves something, or not known */
            }
        }
    }
    return true;
}

/* Report the route or rule `what` whose n matches take none of the npaths
 * served behind `behind` (and its other `others`); `item` names a match in
 * the notes ("match", "matches"), `unit` the thing to send elsewhere. */
static void report_unserved(ml_ctx *ctx, const char *what, const char *behind, const char *others,
                            const char *item, const char *unit, const uri_match *ms, size_t n,
                            const host_paths *const *hps, size_t nh, size_t npaths)
{
    ml_arena *a = ctx->arena;
    ml_buf b;
    ml_buf_init(&b);
    for (size_t j = 0; j < n; j++)
        ml_buf_printf(&b, "%s%s", j ? ", " : "", uri_text(a, &ms[j]));
    const char *uris = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(ms[0].value),
                           "%s matches no path the Connectum servers behind %s%s%s (%s) answer: %s match%s none of "
                           "their %zu RPC and health paths, so every request it takes gets Unimplemented or 404",
                           what, behind, nh > 1 ? " and its other " : "", nh > 1 ? others : "", hps[0]->where, uris,
                           n == 1 ? "es" : "", npaths);
    for (size_t j = 1; j < n; j++)
        ml_note(ctx, d, ml_node_loc(ms[j].value), "%s[%zu] (%s) matches none of them either", item, j,
                uri_text(a, &ms[j]));
    if (hps[0]->server.file)
        ml_note(ctx, d, hps[0]->server, "the server behind %s: it answers the services it mounts (those "
                                        "enabledServices keeps for the workload) and its protocols",
                hps[0]->where);
    const char *near = nearest(a, &ms[0], hps, nh);
    if (near)
        ml_help(ctx, d, "did you mean %s \"%s\"? A gRPC path is /<package>.<Service>/<Method> as the .proto "
                        "declares them",
                ms[0].type, near);
    else
        ml_help(ctx, d, "match the paths the servers answer (/<package>.<Service>/<Method>, e.g. %s), or send "
                        "this %s to the service that serves these paths",
                (const char *)hps[0]->paths.items[0], unit);
}

static void check_route(ml_ctx *ctx, ml_map *cache, const ml_resource *r, const ml_route *rt)
{
    ml_arena *a = ctx->arena;
    if (!rt->ndest || rt->delegate || rt->redirect || rt->direct_response)
        return;
    const ml_node *rw = ml_get(rt->node, "rewrite");
    if (ml_get(rw, "uri") || ml_get(rw, "uriRegexRewrite"))
        return; /* the server sees the rewritten path, not the matched one */
    if (!ml_is_seq(rt->match) || !ml_node_n(rt->match))
        return;
    size_t n = ml_node_n(rt->match);
    uri_match *ms = ml_zalloc(a, n * sizeof *ms);
    for (size_t j = 0; j < n; j++)
        if (!item_uri(ctx, &rt->match->elems[j], &ms[j]))
            return; /* an item without a uri condition takes any path */
    const host_paths **hps = ml_zalloc(a, rt->ndest * sizeof *hps);
    size_t nh = 0;
    for (size_t i = 0; i < rt->ndest; i++) {
        const char *fqdn = rt->dest[i].fqdn;
        if (!fqdn)
            return;
        if (!add_host(ctx, cache, fqdn, hps, &nh))
            return;
    }
    size_t npaths;
    if (!none_served(ms, n, hps, nh, &npaths))
        return;
    const char *vsname = ml_res_display(a, r);
    const char *rname = tr_route_name(a, rt);
    const ml_destination *d0 = &rt->dest[0];
    const char *host = ml_str_nonnull(d0->host) ? ml_str_nonnull(d0->host) : d0->fqdn;
    report_unserved(ctx, ml_printf(a, "%s of %s", rname, vsname), host, "destinations", "match", "route", ms, n,
                    hps, nh, npaths);
}

/* ---- HTTPRoute (Gateway API) ---------------------------------------------
 * Istio turns an HTTPRoute match's path into a VirtualService uri match
 * (pilot/pkg/config/kube/gateway/conversion.go, createURIMatch): PathPrefix
 * (the default, value "/" when absent) a prefix without its trailing "/",
 * which Envoy matches element-wise (path_separated_prefix); Exact an exact
 * match; RegularExpression a full-match regex. A plain prefix test of the
 * trimmed value takes every path the element-wise one takes, so "matches no
 * served path" under it holds under both. */

static bool gw_item_path(ml_ctx *ctx, const ml_node *item, uri_match *out)
{
    memset(out, 0, sizeof *out);
    const ml_node *path = ml_get(item, "path");
    const ml_node *v = ml_get(path, "value");
    const char *type = ml_str_nonnull(ml_get(path, "type"));
    if (!path || !v || !ml_str_nonnull(v) || ml_node_len(v) == 0 || ml_node_str(v)[0] != '/')
        return false; /* no path: PathPrefix "/", which takes everything */
    out->item = item;
    out->value = v;
    out->text = ml_node_str(v);
    out->len = ml_node_len(v);
    if (!type || strcmp(type, "PathPrefix") == 0) {
        out->kind = TR_URI_PREFIX;
        out->type = "PathPrefix";
        while (out->len > 1 && out->text[out->len - 1] == '/')
            out->len--;
        if (out->len == 1)
            return false; /* "/" takes everything */
        return true;
    }
    if (strcmp(type, "Exact") == 0) {
        out->kind = TR_URI_EXACT;
        out->type = "Exact";
        return true;
    }
    if (strcmp(type, "RegularExpression") == 0) {
        out->kind = TR_URI_REGEX;
        out->type = "RegularExpression";
        ml_re_error err;
        return ml_re_compile(ctx->arena, out->text, out->len, &out->re, &err) == ML_RE_OK;
    }
    return false; /* an implementation-specific type */
}

/* Filters after which the backend does not see the matched path, or no
 * backend is reached. */
static bool gw_changes_path(const ml_gw_rule *rule)
{
    for (size_t i = 0; ml_is_seq(rule->filters) && i < ml_node_n(rule->filters); i++) {
        const char *t = ml_str_nonnull(ml_get(&rule->filters->elems[i], "type"));
        if (!t || strcmp(t, "URLRewrite") == 0 || strcmp(t, "RequestRedirect") == 0 ||
            strcmp(t, "ExtensionRef") == 0)
            return true;
    }
    return false;
}

static void check_gw_rule(ml_ctx *ctx, ml_map *cache, const ml_resource *r, const ml_gw_rule *rule)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    if (!rule->nbackends || gw_changes_path(rule) || !ml_is_seq(rule->matches) || !ml_node_n(rule->matches))
        return;
    size_t n = ml_node_n(rule->matches);
    uri_match *ms = ml_zalloc(a, n * sizeof *ms);
    for (size_t j = 0; j < n; j++)
        if (!gw_item_path(ctx, &rule->matches->elems[j], &ms[j]))
            return;
    const host_paths **hps = ml_zalloc(a, rule->nbackends * sizeof *hps);
    const ml_resource *svc0 = NULL;
    size_t nh = 0;
    for (size_t i = 0; i < rule->nbackends; i++) {
        const ml_gw_ref *b = &rule->backends[i];
        const char *name = ml_str_nonnull(b->name);
        if (!b->is_service || !name || !*name)
            return;
        ml_vec svcs = ml_model_view(m, r, ML_K_SERVICE, b->ns, name);
        if (!svcs.n)
            return;
        const ml_resource *sr = svcs.items[0];
        if (!sr->u.service || !sr->u.service->fqdn)
            return;
        if (!add_host(ctx, cache, sr->u.service->fqdn, hps, &nh))
            return;
        if (!svc0)
            svc0 = sr;
    }
    size_t npaths;
    if (!none_served(ms, n, hps, nh, &npaths))
        return;
    report_unserved(ctx, gw_rule_name(a, r, rule), ml_res_display(a, svc0), "backends", "matches", "rule", ms, n,
                    hps, nh, npaths);
}

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (!m->proto_services.n)
        return;
    ml_map cache;
    ml_map_init(&cache);
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!r->live || !vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++)
            if (vs->routes[i].proto == ML_ROUTE_HTTP)
                check_route(ctx, &cache, r, &vs->routes[i]);
    }
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_HTTPROUTE]) {
        const ml_gw_route *rt = r->u.route;
        if (!r->live || !rt)
            continue;
        for (size_t i = 0; i < rt->nrules; i++)
            check_gw_rule(ctx, &cache, r, &rt->rules[i]);
    }
    ml_map_free(&cache);
}

const ml_rule ml_rule_ML319 = {
    .id = "ML319",
    .name = "route-path-not-served",
    .level = ML_LEVEL_WARNING,
    .summary = "A VirtualService route's uri matches or an HTTPRoute rule's path matches take no path the "
               "Connectum servers behind it answer",
    .description =
        "Reads each HTTP route of a VirtualService whose every match item has a uri condition (exact, prefix "
        "or regex) and reports the route when none of those conditions matches any path the Connectum "
        "servers behind its destinations answer.\n"
        "\n"
        "Istio turns uri.exact into Envoy's path match, uri.prefix into a prefix match and uri.regex into a "
        "safe_regex matched against the whole path (pilot/pkg/networking/core/route/route.go, "
        "TranslateRouteMatch; ignoreUriCase sets case_sensitive false). A gRPC or Connect call's path is "
        "/<service type name>/<method>, and a Connectum server answers only the methods of the services it "
        "mounts (defineService, defineLazyService or router.service in its package, the methods read from "
        "the .proto files in the input, enabledServices applied per workload), /grpc.health.v1.Health/Check, "
        "Watch and List when Healthcheck() is registered, its httpPaths (default /healthz, /health, /readyz) "
        "when httpEnabled is true, and the v1 and v1alpha ServerReflectionInfo with Reflection(); everything "
        "else gets Unimplemented or 404 (core/src/buildRoutes.ts, fallback; healthcheck/src/Healthcheck.ts; "
        "reflection/src/serverReflection.ts). A route no served path can match sends the requests it takes "
        "only to failures; usually a package, service or method name has a typo, and the calls it was meant "
        "for fall through to a later route. The route's other conditions (headers, ports) only narrow what "
        "it takes, so they do not change the answer.\n"
        "\n"
        "Silent unless everything is known: every destination host is a Service of the input with a "
        "selector and pods (no ServiceEntry for the same host, no unlinted chart that may add pods to its "
        "namespace), every workload behind it runs a linked Connectum server in each application container, "
        "every service those servers mount is declared by a .proto in the input, their protocols are only "
        "Healthcheck and Reflection with known settings, and every regex can be evaluated (RE2 syntax, "
        "evaluated with PCRE2 under match limits). Routes that rewrite the uri, redirect, answer directly "
        "or delegate are not judged, nor a regex with ignoreUriCase (Envoy ignores case_sensitive for "
        "safe_regex). ML305 judges the routes of one VirtualService against each other; this rule judges "
        "them against the code behind them.\n"
        "\n"
        "HTTPRoute (Gateway API): Istio turns each match's path into a uri match of the VirtualService it "
        "generates (pilot/pkg/config/kube/gateway/conversion.go, createURIMatch): PathPrefix (the default; "
        "\"/\" when no path is given, which takes everything) becomes a prefix without its trailing \"/\", "
        "matched element-wise; Exact an exact match; RegularExpression a full-match regex. A rule is judged "
        "when every match has a path and every backendRef is a Service of the input, under the same evidence "
        "as above; a prefix is tested as a plain string prefix of the trimmed value, which takes every path "
        "the element-wise match takes. Rules with a URLRewrite, RequestRedirect or ExtensionRef filter, and "
        "implementation-specific path types, are not judged. GRPCRoute method matches are ML318's.",
    .remediation = "Match the paths the servers answer: /<package>.<Service>/<Method> with the full type name "
                   "from the .proto, or a prefix /<package>.<Service>/ for every method of a service.",
    .tags = "traffic,grpc,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "# orders.proto: package acme.orders.v1; service OrderService { ... }\n"
                   "http:\n"
                   "- match:\n"
                   "  - uri: {prefix: /acme.orders.v1.OrdersService/}\n"
                   "  route:\n"
                   "  - destination: {host: orders}",
    .example_good = "http:\n"
                    "- match:\n"
                    "  - uri: {prefix: /acme.orders.v1.OrderService/}\n"
                    "  route:\n"
                    "  - destination: {host: orders}",
    .check = check,
};
