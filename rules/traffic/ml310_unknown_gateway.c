/*
 * ML310 unknown-gateway: a VirtualService bound to a Gateway that does not
 * exist (Istio's IST0101), or to a Gateway none of whose servers accepts any
 * of its hosts (IST0132). Either way the routes never reach the gateway, and
 * requests that arrive there for these hosts do not get them.
 *
 * Gateway references are resolved as Istio resolves them: "name" is in the
 * VirtualService's namespace, "ns/name" (and "./name") names the namespace,
 * and the legacy "name.ns.svc.cluster.local" form means ns/name; "mesh" is
 * the sidecars, not a Gateway. A missing Gateway is reported only when the
 * input holds Istio Gateways of that namespace (the Gateway may live in the
 * platform's repository otherwise), or with --assume-complete. Server hosts
 * are read as Istio reads them for a VirtualService of namespace N: "host"
 * and "* /host" accept any namespace, "N/host" (or "./host" in the Gateway's
 * own namespace N) only N, and wildcards overlap in both directions.
 */
#include <string.h>
#include <strings.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

#define NEAR_MAX 2
#define MAX_LISTED 6

typedef struct gw_index {
    ml_map by_ns;      /* namespace -> ml_vec of winning Istio Gateway ml_resource* */
    ml_map by_name;    /* name -> ml_vec of winning Istio Gateway ml_resource* */
    ml_map api_by_key; /* "ns/name" -> Gateway API (gateway.networking.k8s.io) Gateway */
} gw_index;

static void index_build(ml_ctx *ctx, gw_index *ix)
{
    ml_map_init(&ix->by_ns);
    ml_map_init(&ix->by_name);
    ml_map_init(&ix->api_by_key);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_GATEWAY]) {
        if (!r->live)
            continue;
        ml_map_push(&ix->by_ns, ctx->arena, r->ns, strlen(r->ns), r);
        ml_map_push(&ix->by_name, ctx->arena, r->name, strlen(r->name), r);
    }
    for (int pass = 0; pass < 2; pass++) /* typed, then versions meshlint does not read */
        ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[pass ? ML_K_OTHER : ML_K_GW_GATEWAY]) {
            if (!r->live || !ml_streq(r->kind_str, "Gateway") || !r->api_version ||
                !ml_starts_with(r->api_version, "gateway.networking.k8s.io/"))
                continue;
            const char *key = ml_printf(ctx->arena, "%s/%s", r->ns, r->name);
            ml_map_put(&ix->api_by_key, key, strlen(key), r);
        }
}

static void index_free(gw_index *ix)
{
    ml_map_free(&ix->by_ns);
    ml_map_free(&ix->by_name);
    ml_map_free(&ix->api_by_key);
}

static bool templated(const char *s)
{
    return s && (strstr(s, "{{") || strstr(s, "${"));
}

/* A gateway reference resolved to namespace and name, Istio's way. */
typedef struct gw_ref {
    const char *ns, *name;
    bool qualified; /* written with its namespace */
} gw_ref;

static bool resolve_ref(ml_arena *a, const char *g, const char *vs_ns, gw_ref *out)
{
    const char *slash = strchr(g, '/');
    *out = (gw_ref){0};
    if (slash) {
        if (slash == g || !slash[1] || strchr(slash + 1, '/'))
            return false;
        out->ns = ml_strndup(a, g, (size_t)(slash - g));
        out->name = slash + 1;
        out->qualified = true;
        if (!strcmp(out->ns, "."))
            out->ns = vs_ns;
        return strcmp(out->ns, "*") != 0;
    }
    const char *dot = strchr(g, '.');
    if (!dot) {
        out->ns = vs_ns;
        out->name = g;
        return true;
    }
    /* legacy FQDN: name.ns[.svc.cluster.local] */
    const char *end = strchr(dot + 1, '.');
    size_t nslen = end ? (size_t)(end - dot - 1) : strlen(dot + 1);
    if (dot == g || nslen == 0)
        return false;
    out->name = ml_strndup(a, g, (size_t)(dot - g));
    out->ns = ml_strndup(a, dot + 1, nslen);
    out->qualified = true; /* a suggestion must name the namespace too */
    return true;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return m <= n && strcasecmp(s + n - m, suffix) == 0;
}

/* Istio's host.Name.Matches: equal, or one a wildcard that covers the other. */
static bool hosts_overlap(const char *n, const char *o)
{
    bool nw = n[0] == '*', ow = o[0] == '*';
    if (nw && ow)
        return strlen(n) < strlen(o) ? ends_with_ci(o + 1, n + 1) : ends_with_ci(n + 1, o + 1);
    if (nw)
        return ends_with_ci(o, n + 1);
    if (ow)
        return ends_with_ci(n, o + 1);
    return strcasecmp(n, o) == 0;
}

/* The hosts a Gateway's servers accept. For each: the host part and the
 * namespace it is restricted to (NULL: any). */
typedef struct gw_host {
    const ml_node *node;
    const char *host;
    const char *only_ns;
} gw_host;

/* False when a host is not knowable (templated, not a string). */
static bool gateway_hosts(ml_ctx *ctx, const ml_resource *gw, ml_vec *out)
{
    const ml_node *servers = ml_get(gw->spec, "servers");
    for (size_t i = 0; ml_is_seq(servers) && i < ml_node_n(servers); i++) {
        const ml_node *hosts = ml_get(&servers->elems[i], "hosts");
        for (size_t j = 0; ml_is_seq(hosts) && j < ml_node_n(hosts); j++) {
            const char *h = ml_str_nonnull(&hosts->elems[j]);
            if (!h || !*h || templated(h))
                return false;
            gw_host *gh = ml_zalloc(ctx->arena, sizeof *gh);
            gh->node = &hosts->elems[j];
            const char *slash = strchr(h, '/');
            if (slash) {
                const char *ns = ml_strndup(ctx->arena, h, (size_t)(slash - h));
                gh->host = slash + 1;
                gh->only_ns = !strcmp(ns, "*") ? NULL : !strcmp(ns, ".") ? gw->ns : ns;
            } else {
                gh->host = h;
            }
            if (!*gh->host)
                return false;
            ml_vec_push(ctx->arena, out, gh);
        }
    }
    return true;
}

/* "a, b, c" of server hosts as written, with any namespace prefix. */
static const char *hosts_list(ml_arena *a, const ml_vec *hosts)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t n = hosts->n < MAX_LISTED ? hosts->n : MAX_LISTED;
    for (size_t i = 0; i < n; i++) {
        const gw_host *gh = hosts->items[i];
        ml_buf_printf(&b, "%s%s", i ? ", " : "", ml_str(gh->node));
    }
    if (hosts->n > n)
        ml_buf_printf(&b, " and %zu more", hosts->n - n);
    const char *s = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return s;
}

static const char *vs_hosts_list(ml_arena *a, const ml_virtualservice *vs)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t n = vs->nhosts < MAX_LISTED ? vs->nhosts : MAX_LISTED;
    for (size_t i = 0; i < n; i++)
        ml_buf_printf(&b, "%s%s", i ? ", " : "", ml_str(vs->hosts[i]) ? ml_str(vs->hosts[i]) : "?");
    if (vs->nhosts > n)
        ml_buf_printf(&b, " and %zu more", vs->nhosts - n);
    const char *s = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return s;
}

/* IST0132 for one definition of the Gateway: 1 when a server accepts a host
 * of the VirtualService, 0 when none does (hosts and elsewhere filled), -1
 * when that is not knowable. */
static int gateway_serves(ml_ctx *ctx, const ml_resource *r, const ml_virtualservice *vs, const ml_resource *gw,
                          ml_vec *hosts, ml_vec *elsewhere)
{
    if (!gateway_hosts(ctx, gw, hosts) || hosts->n == 0)
        return -1;
    for (size_t k = 0; k < hosts->n; k++) {
        const gw_host *gh = hosts->items[k];
        bool for_us = !gh->only_ns || !strcmp(gh->only_ns, r->ns);
        for (size_t i = 0; i < vs->nhosts; i++) {
            const char *written = ml_str(vs->hosts[i]);
            const char *fqdn = vs->fqdns ? vs->fqdns[i] : NULL;
            bool match = hosts_overlap(gh->host, written) || (fqdn && hosts_overlap(gh->host, fqdn));
            if (match && for_us)
                return 1; /* served */
            if (match) {
                ml_vec_push(ctx->arena, elsewhere, (void *)gh);
                break;
            }
        }
    }
    return 0;
}

/* IST0132: the Gateway exists; does any server accept any host of the
 * VirtualService? gws holds the definitions of the Gateway the
 * VirtualService may meet (alternatives: different files applied one or
 * the other); the defect is reported only when it holds for every one. */
static void check_hosts(ml_ctx *ctx, const ml_resource *r, const ml_virtualservice *vs, const ml_node *item,
                        const ml_vec *gws)
{
    ml_arena *a = ctx->arena;
    if (vs->nhosts == 0 || gws->n == 0)
        return;
    for (size_t i = 0; i < vs->nhosts; i++)
        if (!ml_str_nonnull(vs->hosts[i]) || templated(ml_str(vs->hosts[i])))
            return;
    const ml_resource *gw = NULL;
    ml_vec hosts = {0};
    ml_vec elsewhere = {0}; /* server hosts that match, but for another namespace */
    for (size_t g = 0; g < gws->n; g++) {
        ml_vec h = {0}, e = {0};
        if (gateway_serves(ctx, r, vs, gws->items[g], &h, &e) != 0)
            return; /* served, or unknown, by one of the definitions it may meet */
        if (!gw) {
            gw = gws->items[g];
            hosts = h;
            elsewhere = e;
        }
    }
    const char *gwname = ml_res_display(a, gw);
    ml_diag *d = ml_report(ctx, ML_LEVEL_WARNING, ml_node_loc(item),
                           "%s binds %s, but no server of that Gateway accepts any of its hosts (%s): the servers "
                           "accept %s, so the gateway never applies these routes (Istio reports IST0132)",
                           ml_res_display(a, r), gwname, vs_hosts_list(a, vs), hosts_list(a, &hosts));
    const ml_node *servers = ml_get(gw->spec, "servers");
    ml_note(ctx, d, ml_node_loc(servers ? servers : gw->name_node), "the servers of %s", gwname);
    for (size_t g = 1; g < gws->n; g++) {
        const ml_resource *alt = gws->items[g];
        ml_note(ctx, d, ml_node_loc(alt->name_node), "another definition of %s, which accepts none of them either",
                gwname);
    }
    if (elsewhere.n) {
        const gw_host *gh = elsewhere.items[0];
        ml_note(ctx, d, ml_node_loc(gh->node),
                "this server host matches, but its namespace prefix restricts it to VirtualServices in namespace %s",
                gh->only_ns);
        ml_help(ctx, d, "write the server host as %s/%s (or */%s) in %s, or move the VirtualService to namespace %s",
                r->ns, gh->host, gh->host, gwname, gh->only_ns);
    } else {
        ml_help(ctx, d, "add the VirtualService's host to a server of %s, or correct the hosts of %s", gwname,
                ml_res_display(a, r));
    }
}

/* Nearest Gateway name in ns (edit distance), unique, or NULL. */
static const ml_resource *near_gateway(const gw_index *ix, const char *ns, const char *name)
{
    const ml_vec *v = ml_map_vec(&ix->by_ns, ns, strlen(ns));
    const ml_resource *best = NULL;
    unsigned best_d = NEAR_MAX + 1;
    bool unique = false;
    if (!v)
        return NULL;
    ML_VEC_EACH(const ml_resource *, g, v) {
        unsigned dist = ml_edit_distance(name, g->name, NEAR_MAX);
        if (dist > NEAR_MAX || dist >= strlen(name))
            continue;
        if (dist < best_d) {
            best = g;
            best_d = dist;
            unique = true;
        } else if (dist == best_d) {
            unique = false;
        }
    }
    return unique ? best : NULL;
}

static const char *names_in(ml_arena *a, const ml_vec *v)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t n = v->n < MAX_LISTED ? v->n : MAX_LISTED;
    for (size_t i = 0; i < n; i++)
        ml_buf_printf(&b, "%s%s", i ? ", " : "", ((const ml_resource *)v->items[i])->name);
    if (v->n > n)
        ml_buf_printf(&b, " and %zu more", v->n - n);
    const char *s = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return s;
}

/* IST0101: the Gateway is not in the input. */
static void report_missing(ml_ctx *ctx, const gw_index *ix, const ml_resource *r, const ml_node *item,
                           const char *written, const gw_ref *ref, bool in_match)
{
    ml_arena *a = ctx->arena;
    const ml_vec *in_ns = ml_map_vec(&ix->by_ns, ref->ns, strlen(ref->ns));
    const char *key = ml_printf(a, "%s/%s", ref->ns, ref->name);
    const ml_resource *api = ml_map_gets(&ix->api_by_key, key);
    bool complete = ml_assume_complete(ctx);
    if (!(in_ns && in_ns->n) && !api && !complete)
        return; /* the Gateways of that namespace live elsewhere */

    const ml_resource *near = near_gateway(ix, ref->ns, ref->name);
    /* the same name in exactly one other namespace */
    const ml_vec *same = ml_map_vec(&ix->by_name, ref->name, strlen(ref->name));
    const ml_resource *other = same && same->n == 1 ? same->items[0] : NULL;
    const char *suggest = near ? (ref->qualified ? ml_printf(a, "%s/%s", ref->ns, near->name) : near->name)
                          : other ? ml_printf(a, "%s/%s", other->ns, other->name)
                                  : NULL;
    ml_diag *d = ml_report(
        ctx, ML_LEVEL_NONE, ml_node_loc(item),
        "%s %s gateway %s, but no Gateway %s is in the input (%s): Istio applies %s to no "
        "gateway%s%s%s",
        ml_res_display(a, r), in_match ? "matches on" : "binds", written, key,
        in_ns && in_ns->n ? ml_printf(a, "namespace %s has %s", ref->ns, names_in(a, in_ns))
        : api             ? "only a Gateway API Gateway of that name"
                          : "--assume-complete: the input is the whole configuration",
        in_match ? "this match" : "its routes", suggest ? "; did you mean " : "", suggest ? suggest : "", suggest ? "?" : "");
    if (api) {
        ml_note(ctx, d, ml_node_loc(api->name_node),
                "%s is a Gateway API Gateway (gateway.networking.k8s.io); a VirtualService binds Istio Gateways "
                "(networking.istio.io) only",
                ml_res_display(a, api));
        ml_help(ctx, d, "route through %s with an HTTPRoute whose parentRefs names it, or create an Istio Gateway "
                        "and bind the VirtualService to that",
                ml_res_display(a, api));
        return;
    }
    if (near)
        ml_note(ctx, d, ml_node_loc(near->name_node), "%s", ml_res_display(a, near));
    else if (other)
        ml_note(ctx, d, ml_node_loc(other->name_node), "a Gateway of that name in namespace %s", other->ns);
    if (suggest) {
        ml_help(ctx, d, "bind the VirtualService to %s, or create the Gateway %s", suggest, key);
        if (ml_is_scalar(item) && item->style == ML_SCALAR_PLAIN)
            ml_add_fix(ctx, d, ml_printf(a, "bind gateway %s", suggest), ml_node_loc(item), suggest);
    } else {
        ml_help(ctx, d, "create the Gateway %s, or bind the VirtualService to one that exists", key);
    }
}

/* Gateways named in http/tcp/tls match items: the route applies only on
 * those gateways (route.go sourceMatchHTTP compares them with the proxy's
 * gateway names, resolved like spec.gateways: pilot/pkg/model/
 * virtualservice.go resolveVirtualServiceShortnames). One that does not
 * exist is reported as for spec.gateways. */
static void check_match_gateways(ml_ctx *ctx, const gw_index *ix, const ml_resource *r, const ml_virtualservice *vs)
{
    for (size_t i = 0; i < vs->nroutes; i++) {
        const ml_route *rt = &vs->routes[i];
        if (!ml_is_seq(rt->match))
            continue;
        for (size_t j = 0; j < ml_node_n(rt->match); j++) {
            const ml_node *gws = ml_get(&rt->match->elems[j], "gateways");
            if (!ml_is_seq(gws))
                continue;
            for (size_t k = 0; k < ml_node_n(gws); k++) {
                const ml_node *item = &gws->elems[k];
                const char *g = ml_str_nonnull(item);
                gw_ref ref;
                if (!g || !*g || !strcmp(g, "mesh") || templated(g) || !resolve_ref(ctx->arena, g, r->ns, &ref))
                    continue;
                if (strstr(ref.name, "istio-autogenerated-k8s-gateway"))
                    continue;
                const ml_vec *alts = ml_model_alternatives(ctx->model, ML_K_GATEWAY, ref.ns, ref.name);
                if (alts && alts->n)
                    continue;
                report_missing(ctx, ix, r, item, g, &ref, true);
            }
        }
    }
}

static void check(ml_ctx *ctx)
{
    gw_index ix;
    index_build(ctx, &ix);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs || !ml_is_seq(vs->gateways))
            continue;
        for (size_t i = 0; i < ml_node_n(vs->gateways); i++) {
            const ml_node *item = &vs->gateways->elems[i];
            const char *g = ml_str_nonnull(item);
            gw_ref ref;
            if (!g || !*g || !strcmp(g, "mesh") || templated(g) || !resolve_ref(ctx->arena, g, r->ns, &ref))
                continue;
            /* Istio's internal Gateways made from Gateway API resources are
             * in no input (Istio warns about referring to them: IST0165). */
            if (strstr(ref.name, "istio-autogenerated-k8s-gateway"))
                continue;
            /* Every definition of the Gateway this VirtualService may meet:
             * its own group's, else all alternatives. Missing only when
             * there is none. */
            ml_vec seen = ml_model_view(ctx->model, r, ML_K_GATEWAY, ref.ns, ref.name);
            if (seen.n)
                check_hosts(ctx, r, vs, item, &seen);
            else
                report_missing(ctx, &ix, r, item, g, &ref, false);
        }
    }
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        if (r->u.vs)
            check_match_gateways(ctx, &ix, r, r->u.vs);
    }
    index_free(&ix);
}

const ml_rule ml_rule_ML310 = {
    .id = "ML310",
    .name = "unknown-gateway",
    .level = ML_LEVEL_ERROR,
    .summary = "A VirtualService is bound to a Gateway that does not exist or does not accept its hosts",
    .description = "A VirtualService's gateways list says where its routes apply: mesh for the sidecars, and "
                   "otherwise Istio Gateways, written as name (in the VirtualService's namespace), "
                   "namespace/name, or in the legacy form name.namespace.svc.cluster.local. Two mistakes leave the routes applied "
                   "at no gateway, so requests that reach the gateway for the VirtualService's hosts do not get "
                   "them (without another route, Envoy answers HTTP 404):\n"
                   "\n"
                   "The named Gateway does not exist (error; Istio's analyzer reports IST0101, "
                   "ReferencedResourceNotFound). This is judged only when the input contains Istio Gateways of "
                   "the namespace the reference points to, since the Gateway may otherwise be defined in the "
                   "platform's repository, or always with --assume-complete. A near name or the same name in "
                   "another namespace is suggested. A Gateway API Gateway (gateway.networking.k8s.io) of that "
                   "name does not count: a VirtualService binds Istio Gateways only.\n"
                   "\n"
                   "The Gateway exists, but none of its servers accepts any host of the VirtualService (warning; "
                   "Istio reports IST0132, VirtualServiceHostNotFoundInGateway). Server hosts are matched as "
                   "Istio matches them: wildcards (*, *.example.com) overlap in either direction, and a "
                   "namespace prefix (ns/host, ./host) accepts VirtualServices of that namespace only, while */host "
                   "or a bare host accepts all.\n"
                   "\n"
                   "Definitions of one Gateway in different files that are not applied together (per-cluster or "
                   "per-environment copies: alternatives) are each a possible Gateway: the reference is satisfied "
                   "when any of them exists, and a host is reported as refused only when every definition the "
                   "VirtualService may meet refuses it.\n"
                   "\n"
                   "References to the Gateways Istio generates internally from Gateway API resources (names "
                   "containing istio-autogenerated-k8s-gateway) are not judged.\n"
                   "\n"
                   "Gateways named in a match item (http, tcp or tls match[].gateways) restrict the match to "
                   "those gateways; Istio resolves them as it resolves spec.gateways (pilot/pkg/model/"
                   "virtualservice.go resolveVirtualServiceShortnames) and compares them with the proxy's "
                   "gateway names (pilot/pkg/networking/core/route/route.go sourceMatchHTTP). One that does "
                   "not exist, under the same conditions as above, makes the match apply nowhere.",
    .remediation = "Bind the VirtualService to a Gateway that exists (namespace/name for a Gateway in another "
                   "namespace), or create it; make a server of the Gateway accept the VirtualService's host "
                   "(with a namespace prefix that includes the VirtualService's namespace), or correct the "
                   "host.",
    .tags = "traffic,ingress,istio",
    .istio_code = "IST0101, IST0132",
    .precision = "very-high",
    .example_bad = "kind: Gateway\nmetadata: {name: public, namespace: istio-ingress}\nspec:\n  servers:\n"
                   "  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [\"shop/shop.example.com\"]\n"
                   "---\nkind: VirtualService\nmetadata: {name: shop, namespace: shop}\nspec:\n"
                   "  hosts: [shop.example.com]\n  gateways: [istio-ingress/publik]",
    .example_good = "kind: VirtualService\nmetadata: {name: shop, namespace: shop}\nspec:\n"
                    "  hosts: [shop.example.com]\n  gateways: [istio-ingress/public]",
    .check = check,
};
