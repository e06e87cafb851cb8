/*
 * ML316 gwapi-shadowed-match: a match of an HTTPRoute or GRPCRoute that
 * Istio never selects, because a match of the same route that Istio places
 * before it takes every request it would take.
 *
 * Gateway API routes are not first-match in list order: Istio splits every
 * rule into one route per match (pilot/pkg/config/kube/gateway/
 * route_collections.go, "split the rule to make sure each rule has up to one
 * match") and sorts them with sortHTTPRoutes (conversion.go), a stable sort
 * on: path kind (getURIRank: Exact, then Prefix, then RegularExpression,
 * then none), path length, method present, number of headers, number of
 * query parameters; equal keys keep list order (rule order, then match
 * order). Envoy then takes the first route that matches. This rule rebuilds
 * that order for one route definition (whose matches keep their relative
 * order in every VirtualService Istio merges them into) and reports a match
 * B when an earlier match A covers it: A's path takes every path B takes,
 * A's method is absent or B's, and each header and query condition of A is
 * one of B's (or a RegularExpression that B's Exact value satisfies, PCRE2).
 * What is not understood (an unknown match type, an invalid regex, a value
 * that is not a string) neither shadows nor is reported.
 *
 * Across routes: Istio merges the VirtualServices of one parent and host
 * (mergeHTTPRoutes, route_collections.go: concatenated in creation-time
 * order, then sortHTTPRoutes again), so a match of another route that
 * sorts strictly before B and covers it shadows B whatever the creation
 * times; a tie is decided by them and is not judged (check_across).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meshlint/regex.h"
#include "meshlint/rule.h"
#include "gwapi_common.h"

/* More matches than this in one route are not judged (the API server caps
 * rules and matches far below it; the bound keeps the pairwise check small). */
#define MAX_MATCHES 256

enum { RANK_NOMATCH = -2, RANK_NONE = -1, RANK_REGEX = 1, RANK_PREFIX = 2, RANK_EXACT = 3 };

typedef struct cond {
    const char *name;
    bool regex;
    const char *value;
    const ml_regex *re;        /* compiled once (regex); NULL when PCRE2 cannot evaluate it */
} cond;

typedef struct gmatch {
    const ml_node *loc_node;   /* the match item, or the rule when it has none */
    size_t rule, idx;          /* rule index, match index within the rule */
    bool defaulted;            /* an HTTPRoute rule without matches: PathPrefix / */
    bool unknown;              /* not understood: never shadows, never reported */
    int rank;
    const char *uri;           /* the path Istio matches (prefix trimmed as Istio does) */
    const char *lit;           /* RegularExpression: its literal beginning (regex_literal_prefix) */
    const char *shown;         /* how the match is named in messages */
    const char *method;
    size_t nheaders, nqueries;
    cond *headers, *queries;
    size_t order;
    bool reported;             /* shadowed inside its own route (reported there) */
} gmatch;

static const char *sval(const ml_node *n)
{
    if (!n || !ml_is_scalar(n) || ml_is_null(n))
        return NULL;
    const char *s = ml_str(n);
    if (!s || strstr(s, "{{") || strstr(s, "${"))
        return NULL;
    return s;
}

/* Conditions of a headers/queryParams list; false when not understood. */
static bool read_conds(ml_arena *a, const ml_node *seq, bool fold, cond **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!seq)
        return true;
    if (!ml_is_seq(seq))
        return false;
    if (!ml_node_n(seq))
        return true;
    cond *cs = ml_zalloc(a, ml_node_n(seq) * sizeof *cs);
    for (size_t i = 0; i < ml_node_n(seq); i++) {
        const ml_node *it = &seq->elems[i];
        if (!ml_is_map(it))
            return false;
        const char *name = sval(ml_get(it, "name")), *value = sval(ml_get(it, "value"));
        const ml_node *tn = ml_get(it, "type");
        const char *type = tn ? sval(tn) : "Exact";
        if (!name || !value || !type)
            return false;
        bool regex;
        if (ml_streq(type, "Exact"))
            regex = false;
        else if (ml_streq(type, "RegularExpression"))
            regex = true;
        else
            return false;
        for (size_t j = 0; j < *nout; j++)
            if (fold ? strcasecmp(cs[j].name, name) == 0 : strcmp(cs[j].name, name) == 0)
                return false; /* the API server refuses a repeated name (listType map) */
        if (regex) {
            ml_re_error err;
            ml_regex *re = NULL;
            ml_re_status st = ml_re_compile(a, value, strlen(value), &re, &err);
            if (st == ML_RE_INVALID)
                return false;
            cs[*nout].re = st == ML_RE_OK ? re : NULL;
        }
        cs[*nout].name = name;
        cs[*nout].regex = regex;
        cs[*nout].value = value;
        (*nout)++;
    }
    *out = cs;
    return true;
}

static bool regex_ok(const char *re)
{
    ml_re_error err;
    return re && ml_re_check(re, strlen(re), &err) == ML_RE_OK;
}

static void read_http_match(ml_arena *a, gmatch *g, const ml_node *m)
{
    const ml_node *path = ml_get(m, "path");
    const char *type = "PathPrefix", *value = "/";
    if (path) {
        if (!ml_is_map(path)) {
            g->unknown = true;
            return;
        }
        const ml_node *tn = ml_get(path, "type"), *vn = ml_get(path, "value");
        if (tn)
            type = sval(tn);
        if (vn)
            value = sval(vn);
        if (!type || !value) {
            g->unknown = true;
            return;
        }
    }
    if (ml_streq(type, "PathPrefix")) {
        g->rank = RANK_PREFIX;
        size_t n = strlen(value);
        /* createURIMatch: "a trailing `/` is ignored" (strings.TrimSuffix, once) */
        g->uri = (n > 1 && value[n - 1] == '/') ? ml_strndup(a, value, n - 1) : value;
    } else if (ml_streq(type, "Exact")) {
        g->rank = RANK_EXACT;
        g->uri = value;
    } else if (ml_streq(type, "RegularExpression")) {
        g->rank = RANK_REGEX;
        g->uri = value;
        if (!regex_ok(value))
            g->unknown = true;
    } else {
        g->unknown = true;
        return;
    }
    g->shown = ml_printf(a, "%s %s", type, value);
    const ml_node *mn = ml_get(m, "method");
    if (mn) {
        g->method = sval(mn);
        if (!g->method)
            g->unknown = true;
    }
    if (!read_conds(a, ml_get(m, "headers"), true, &g->headers, &g->nheaders) ||
        !read_conds(a, ml_get(m, "queryParams"), false, &g->queries, &g->nqueries))
        g->unknown = true;
}

static void read_grpc_match(ml_arena *a, gmatch *g, const ml_node *m)
{
    const ml_node *mm = ml_get(m, "method");
    if (!read_conds(a, ml_get(m, "headers"), true, &g->headers, &g->nheaders))
        g->unknown = true;
    if (!mm) {
        g->rank = RANK_NONE; /* createGRPCURIMatch: no method, no path condition */
        g->shown = "a match without method";
        return;
    }
    if (!ml_is_map(mm)) {
        g->unknown = true;
        return;
    }
    const ml_node *tn = ml_get(mm, "type"), *sn = ml_get(mm, "service"), *fn = ml_get(mm, "method");
    const char *type = tn ? sval(tn) : "Exact";
    const char *svc = sn ? sval(sn) : NULL, *meth = fn ? sval(fn) : NULL;
    if (!type || (sn && !svc) || (fn && !meth) || (!svc && !meth)) {
        g->unknown = true;
        return;
    }
    bool exact = ml_streq(type, "Exact");
    if (!exact && !ml_streq(type, "RegularExpression")) {
        g->unknown = true;
        return;
    }
    /* createGRPCURIMatch (conversion.go): the path /<service>/<method> as a string match */
    if (exact && svc && meth) {
        g->rank = RANK_EXACT;
        g->uri = ml_printf(a, "/%s/%s", svc, meth);
    } else if (exact && svc) {
        g->rank = RANK_PREFIX;
        g->uri = ml_printf(a, "/%s/", svc);
    } else {
        g->rank = RANK_REGEX;
        if (svc && meth)
            g->uri = ml_printf(a, "/%s/%s", svc, meth);
        else if (svc)
            g->uri = ml_printf(a, "/%s/.+", svc);
        else
            g->uri = ml_printf(a, "/[^/]+/%s", meth);
        if (!regex_ok(g->uri))
            g->unknown = true;
    }
    g->shown = ml_printf(a, "%s method %s%s%s", type, svc ? svc : "*", "/", meth ? meth : "*");
}

/* sortHTTPRoutes (conversion.go) as a comparison; ties keep list order. */
/* The conditions besides the path, appended to the match's name. */
static void describe(ml_arena *a, gmatch *g)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, g->shown ? g->shown : "");
    if (g->method)
        ml_buf_printf(&b, ", method %s", g->method);
    for (size_t i = 0; i < g->nheaders; i++)
        ml_buf_printf(&b, ", header %s %s %s", g->headers[i].name, g->headers[i].regex ? "~" : "=",
                      g->headers[i].value);
    for (size_t i = 0; i < g->nqueries; i++)
        ml_buf_printf(&b, ", query %s %s %s", g->queries[i].name, g->queries[i].regex ? "~" : "=",
                      g->queries[i].value);
    g->shown = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
}

/* sortHTTPRoutes' keys without the list order: <0 when x always goes
 * first, 0 on a tie (then the list order decides). */
static int cmp_keys(const gmatch *x, const gmatch *y)
{
    bool xn = x->rank == RANK_NOMATCH, yn = y->rank == RANK_NOMATCH;
    if (xn != yn)
        return xn ? 1 : -1;
    if (!xn) {
        if (x->rank != y->rank)
            return x->rank > y->rank ? -1 : 1;
        size_t lx = x->uri ? strlen(x->uri) : 0, ly = y->uri ? strlen(y->uri) : 0;
        if (lx != ly)
            return lx > ly ? -1 : 1;
        if (!x->method != !y->method)
            return x->method ? -1 : 1;
        if (x->nheaders != y->nheaders)
            return x->nheaders > y->nheaders ? -1 : 1;
        if (x->nqueries != y->nqueries)
            return x->nqueries > y->nqueries ? -1 : 1;
    }
    return 0;
}

static int cmp_istio(const void *pa, const void *pb)
{
    const gmatch *x = *(const gmatch *const *)pa, *y = *(const gmatch *const *)pb;
    int c = cmp_keys(x, y);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
}

/* Every path that starts with s also starts with prefix p on a segment
 * boundary (true under Envoy's plain and path-separated prefix alike). */
static bool under_prefix(const char *s, const char *p)
{
    size_t n = strlen(p);
    if (strcmp(p, "/") == 0)
        return s[0] == '/';
    if (strncmp(s, p, n) != 0)
        return false;
    return p[n - 1] == '/' || s[n] == '/' || s[n] == '\0';
}

/* The literal text every full match of regex re starts with ("" when none
 * can be read): the characters before the first metacharacter, less the
 * last one when a quantifier follows it; "" when an
 * alternation outside brackets may start the match elsewhere. */
static const char *regex_literal_prefix(ml_arena *a, const char *re)
{
    int depth = 0;
    for (const char *p = re; *p; p++) {
        if (*p == '\\') {
            if (p[1])
                p++;
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '^')
                q++;
            if (*q == ']')
                q++;
            while (*q && *q != ']') {
                if (*q == '\\' && q[1])
                    q++;
                q++;
            }
            if (!*q)
                return "";
            p = q;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if (*p == '|' && depth <= 0) {
            return "";
        }
    }
    /* the leading literal atoms; "\\." and other escaped punctuation are literal */
    char *lit = ml_zalloc(a, strlen(re) + 1);
    size_t n = 0;
    const char *p = re;
    while (*p) {
        char c;
        size_t w;
        if (*p == '\\') {
            if (!p[1] || isalnum((unsigned char)p[1]))
                break; /* \d, \w, \x..., \Q...: not a plain literal */
            c = p[1];
            w = 2;
        } else if (strchr(".[](){}*+?|^$", *p) || (unsigned char)*p >= 0x80) {
            break; /* a metacharacter, or a multi-byte character a quantifier may follow */
        } else {
            c = *p;
            w = 1;
        }
        if (p[w] == '*' || p[w] == '?' || p[w] == '{')
            break; /* the atom may be absent or repeated: stop before it */
        lit[n++] = c;
        p += w;
    }
    lit[n] = '\0';
    return lit;
}

static bool conds_cover(const cond *ac, size_t an, const cond *bc, size_t bn, bool fold, ml_re_budget *budget)
{
    for (size_t i = 0; i < an; i++) {
        bool ok = false;
        for (size_t j = 0; j < bn && !ok; j++) {
            if (fold ? strcasecmp(ac[i].name, bc[j].name) != 0 : strcmp(ac[i].name, bc[j].name) != 0)
                continue;
            if (ac[i].regex == bc[j].regex) {
                ok = strcmp(ac[i].value, bc[j].value) == 0;
            } else if (ac[i].regex && !bc[j].regex && ac[i].re) {
                ok = ml_re_full_match(ac[i].re, bc[j].value, strlen(bc[j].value), budget) == ML_RE_YES;
            }
        }
        if (!ok)
            return false;
    }
    return true;
}

/* Does A take every request B would take? */
static bool covers(const gmatch *A, const gmatch *B, ml_re_budget *budget)
{
    bool path_ok = false;
    switch (A->rank) {
    case RANK_NOMATCH:
    case RANK_NONE:
        path_ok = true;
        break;
    case RANK_EXACT:
        path_ok = B->rank == RANK_EXACT && strcmp(A->uri, B->uri) == 0;
        break;
    case RANK_PREFIX:
        if (B->rank == RANK_EXACT || B->rank == RANK_PREFIX) {
            path_ok = under_prefix(B->uri, A->uri);
        } else if (B->rank == RANK_REGEX) {
            /* the regex's literal beginning must reach past A's prefix on a
             * segment boundary: "/api.*" also takes "/apix" */
            const char *lit = B->lit ? B->lit : "";
            size_t n = strlen(A->uri);
            path_ok = strcmp(A->uri, "/") == 0 ||
                      (strncmp(lit, A->uri, n) == 0 && (A->uri[n - 1] == '/' || lit[n] == '/'));
        }
        break;
    case RANK_REGEX:
        path_ok = B->rank == RANK_REGEX && strcmp(A->uri, B->uri) == 0;
        break;
    default:
        break;
    }
    if (!path_ok)
        return false;
    if (A->method && !ml_streq(A->method, B->method))
        return false;
    return conds_cover(A->headers, A->nheaders, B->headers, B->nheaders, true, budget) &&
           conds_cover(A->queries, A->nqueries, B->queries, B->nqueries, false, budget);
}

/* "match 2 of rule 1" (or "rule 3" for a rule without matches), without the route */
static const char *match_pos(ml_arena *a, const gmatch *g)
{
    if (g->defaulted || g->rank == RANK_NOMATCH)
        return ml_printf(a, "rule %zu", g->rule + 1);
    return ml_printf(a, "match %zu of rule %zu", g->idx + 1, g->rule + 1);
}

static bool same_conds(const cond *x, const cond *y, size_t n, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            found = (fold ? strcasecmp(x[i].name, y[j].name) == 0 : strcmp(x[i].name, y[j].name) == 0) &&
                    x[i].regex == y[j].regex && strcmp(x[i].value, y[j].value) == 0;
        if (!found)
            return false;
    }
    return true;
}

static bool same_conditions(const gmatch *A, const gmatch *B)
{
    return A->rank == B->rank && ml_streq(A->uri, B->uri) && ml_streq(A->method, B->method) &&
           A->nheaders == B->nheaders && A->nqueries == B->nqueries &&
           same_conds(A->headers, B->headers, A->nheaders, true) &&
           same_conds(A->queries, B->queries, A->nqueries, false);
}

/* The matches of a route in Istio's order; NULL (with *nout 0) when the
 * route has more than MAX_MATCHES. */
static gmatch **build_matches(ml_ctx *ctx, const ml_resource *r, size_t *nout)
{
    ml_arena *a = ctx->arena;
    const ml_gw_route *rt = r->u.route;
    bool grpc = r->kind == ML_K_GRPCROUTE;
    size_t total = 0;
    *nout = 0;
    for (size_t i = 0; i < rt->nrules; i++) {
        const ml_node *ms = rt->rules[i].matches;
        total += ms && ml_is_seq(ms) && ml_node_n(ms) ? ml_node_n(ms) : 1;
    }
    if (!total || total > MAX_MATCHES)
        return NULL;
    gmatch *gs = ml_zalloc(a, total * sizeof *gs);
    gmatch **order = ml_zalloc(a, total * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < rt->nrules; i++) {
        const ml_gw_rule *ru = &rt->rules[i];
        const ml_node *ms = ru->matches;
        if (!ms || !ml_is_seq(ms) || !ml_node_n(ms)) {
            gmatch *g = &gs[n];
            g->loc_node = ru->node;
            g->rule = ru->index;
            g->order = n;
            if (grpc) {
                g->rank = RANK_NOMATCH;
                g->shown = "no matches";
            } else {
                /* the CRD default of HTTPRouteRule.matches (apis/v1/httproute_types.go) */
                g->defaulted = true;
                g->rank = RANK_PREFIX;
                g->uri = "/";
                g->shown = "PathPrefix / (no matches: the API server's default)";
            }
            order[n] = g;
            n++;
            continue;
        }
        for (size_t j = 0; j < ml_node_n(ms); j++) {
            gmatch *g = &gs[n];
            g->loc_node = &ms->elems[j];
            g->rule = ru->index;
            g->idx = j;
            g->order = n;
            if (!ml_is_map(&ms->elems[j]))
                g->unknown = true;
            else if (grpc)
                read_grpc_match(a, g, &ms->elems[j]);
            else
                read_http_match(a, g, &ms->elems[j]);
            if (!g->unknown && g->rank == RANK_REGEX)
                g->lit = regex_literal_prefix(a, g->uri);
            if (!g->unknown)
                describe(a, g);
            order[n] = g;
            n++;
        }
    }
    qsort(order, n, sizeof *order, cmp_istio);
    *nout = n;
    return order;
}

static void check_route(ml_ctx *ctx, const ml_resource *r, gmatch **order, size_t n)
{
    ml_arena *a = ctx->arena;
    ml_re_budget budget = {.matches_left = 4096};
    for (size_t q = 1; q < n; q++) {
        const gmatch *B = order[q];
        if (B->unknown)
            continue;
        for (size_t p = 0; p < q; p++) {
            const gmatch *A = order[p];
            if (A->unknown || !covers(A, B, &budget))
                continue;
            order[q]->reported = true;
            const char *first = ml_printf(a, "%s (%s)", match_pos(a, A), A->shown);
            const char *why;
            if (same_conditions(A, B))
                why = ml_printf(a, "it repeats %s, which comes first in the list and so in Istio's order", first);
            else if (A->rank == RANK_PREFIX && B->rank == RANK_REGEX)
                why = ml_printf(a, "Istio places every path prefix before every regular expression (getURIRank), "
                                   "and %s takes every request it would take", first);
            else
                why = ml_printf(a, "%s comes first in Istio's order and takes every request it would take", first);
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(B->loc_node), "%s of %s (%s) is never selected: %s",
                                   match_pos(a, B), ml_res_display(a, r), B->shown, why);
            ml_note(ctx, d, ml_node_loc(A->loc_node), "%s, placed first", first);
            if (A->rank == RANK_PREFIX && B->rank == RANK_REGEX)
                ml_help(ctx, d, "express the path as PathPrefix or Exact matches, or narrow the prefix; the "
                                "Gateway API leaves the precedence of RegularExpression to the implementation, "
                                "and Istio puts it after every prefix");
            else
                ml_help(ctx, d, "remove the shadowed match, or make it more specific than %s", match_pos(a, A));
            break;
        }
    }
}

/* ---- across routes ----------------------------------------------------------
 * Istio turns each route into one VirtualService per parent and host, keyed
 * by the parent's internal Gateway name and the host (a Service parent: the
 * route's namespace, the parentRef port and the Service's host), then
 * merges the VirtualServices of one key: concatenated in creation-time order
 * and sorted again with sortHTTPRoutes (route_collections.go,
 * mergeHTTPRoutes; HTTPRoutes and GRPCRoutes each among their own kind). So
 * a match that sorts strictly before a match of another route comes first
 * whatever the creation times; only ties depend on them. */

typedef struct route_info {
    const ml_resource *r;
    gmatch **order;
    size_t n;
    size_t nkeys;
    const char **keys;         /* one per parent and host; NULL when a parent or host is not understood */
} route_info;

/* The listeners of Gateway parentRef p of route r, when the input decides
 * which of them accept the route: one Gateway definition, every candidate
 * listener (on p's port, when p has one) named and its acceptance decided
 * (gw_listener_accepts). Istio expands a parentRef without sectionName into
 * one parent per listener of the Gateway and drops those that refuse the
 * route (route_collections.go, extractParentReferenceInfo and
 * filteredReferences); each parent's internal name is the listener's.
 * false: not decided. */
static bool accepting_listeners(ml_ctx *ctx, const ml_resource *r, const ml_gw_ref *p, const char *name,
                                ml_vec *out)
{
    ml_vec gws = ml_model_view(ctx->model, r, ML_K_GW_GATEWAY, p->ns, name);
    if (gws.n != 1)
        return false;
    const ml_resource *gr = gws.items[0];
    const ml_k8s_gateway *g = gr->u.gw;
    if (!g || !g->nlisteners)
        return false;
    for (size_t i = 0; i < g->nlisteners; i++) {
        const ml_gw_listener *l = &g->listeners[i];
        if (p->port && l->port_num != p->port_num) {
            if (l->port_num < 0)
                return false;
            continue;
        }
        const char *why = NULL;
        gw_accept acc = gw_listener_accepts(ctx, gr, l, r, &why);
        if (acc == GW_ACCEPT_UNKNOWN || !sval(l->name))
            return false;
        if (acc == GW_ACCEPTS)
            ml_vec_push(ctx->arena, out, (void *)sval(l->name));
    }
    return true;
}

/* The merge keys of a route: for a Gateway parent, the listener and each
 * hostname ("*" when none); for a Service parent, its namespace/name and
 * port. A parentRef with sectionName names its listener; one without names
 * every listener that accepts the route when the input decides which
 * (accepting_listeners), else it keeps a literal key (Gateway, port,
 * hostname) that only the same literal parentRef shares: two routes of one
 * kind and one namespace with it meet the same listeners alike. */
static bool route_keys(ml_ctx *ctx, const ml_resource *r, route_info *ri)
{
    ml_arena *a = ctx->arena;
    const ml_gw_route *rt = r->u.route;
    if (!rt->nparents)
        return false;
    size_t nh = rt->nhostnames ? rt->nhostnames : 1;
    ml_vec keys = {0};
    for (size_t i = 0; i < rt->nparents; i++) {
        const ml_gw_ref *p = &rt->parents[i];
        const char *name = sval(p->name);
        if (!name || !*name || !(p->is_gateway || p->is_service) || (p->port && p->port_num < 0))
            return false;
        if (p->section_name && !sval(p->section_name))
            return false;
        const char *port = p->port ? ml_str(p->port) : "";
        if (p->is_service) {
            const char *parts[] = {"svc", p->ns, name, port};
            ml_vec_push(a, &keys, (void *)ml_key_dup(a, NULL, '\x1f', 4, parts));
            continue;
        }
        ml_vec listeners = {0};
        bool expand = false;
        if (p->section_name && !p->port) {
            ml_vec_push(a, &listeners, (void *)sval(p->section_name));
            expand = true;
        } else if (!p->section_name) {
            expand = accepting_listeners(ctx, r, p, name, &listeners);
        }
        for (size_t h = 0; h < nh; h++) {
            const char *host = rt->nhostnames ? sval(rt->hostnames[h]) : "*";
            if (!host)
                return false;
            if (!expand) {
                const char *parts[] = {"gw", p->ns, name, sval(p->section_name), port, host};
                ml_vec_push(a, &keys, (void *)ml_key_dup(a, NULL, '\x1f', 6, parts));
                continue;
            }
            ML_VEC_EACH(const char *, ln, &listeners) {
                const char *parts[] = {"listener", p->ns, name, ln, host};
                ml_vec_push(a, &keys, (void *)ml_key_dup(a, NULL, '\x1f', 5, parts));
            }
        }
    }
    if (!keys.n)
        return false; /* attached nowhere: no VirtualService holds its matches */
    ri->keys = (const char **)keys.items;
    ri->nkeys = keys.n;
    return true;
}

static bool has_key(const route_info *ri, const char *k)
{
    for (size_t i = 0; i < ri->nkeys; i++)
        if (strcmp(ri->keys[i], k) == 0)
            return true;
    return false;
}

/* Every VirtualService route y lands in also holds route x's matches. */
static bool keys_contain(const route_info *x, const route_info *y)
{
    for (size_t i = 0; i < y->nkeys; i++)
        if (!has_key(x, y->keys[i]))
            return false;
    return true;
}

/* Pairs of matches compared across routes, per kind: beyond it the rest is
 * not judged (unknown, silent). */
#define CROSS_BUDGET 1000000

static void where_merged(ml_arena *a, const ml_resource *r, ml_buf *b)
{
    const ml_gw_route *rt = r->u.route;
    const ml_gw_ref *p = &rt->parents[0];
    if (p->is_service)
        ml_buf_printf(b, "the routes of namespace %s bound to Service %s/%s", r->ns, p->ns, ml_str(p->name));
    else if (p->section_name)
        ml_buf_printf(b, "the routes of listener %s of Gateway %s/%s for host %s", sval(p->section_name), p->ns,
                      ml_str(p->name), rt->nhostnames ? sval(rt->hostnames[0]) : "*");
    else
        ml_buf_printf(b, "the routes of Gateway %s/%s for host %s", p->ns, ml_str(p->name),
                      rt->nhostnames ? sval(rt->hostnames[0]) : "*");
    (void)a;
}

static void check_across(ml_ctx *ctx, route_info *ris, size_t nr)
{
    ml_arena *a = ctx->arena;
    ml_re_budget budget = {.matches_left = 4096};
    size_t left = CROSS_BUDGET;
    const route_info **with = ml_zalloc(a, nr * sizeof *with);
    for (size_t j = 0; j < nr; j++) {
        route_info *y = &ris[j];
        if (!y->keys)
            continue;
        /* the routes merged with y in every VirtualService y lands in */
        size_t nw = 0;
        for (size_t i = 0; i < nr; i++) {
            const route_info *x = &ris[i];
            if (!left)
                return;
            left--;
            if (i == j || !x->keys || x->r->kind != y->r->kind || !ml_streq(x->r->ns, y->r->ns) ||
                !keys_contain(x, y))
                continue;
            /* applied together: the same group, or complementary groups
             * with no alternative of x's key */
            if (!ml_model_meets(ctx->model, y->r, x->r) || (x->r->group != y->r->group && x->r->nalts > 1))
                continue;
            with[nw++] = x;
        }
        for (size_t q = 0; q < y->n && nw; q++) {
            gmatch *B = y->order[q];
            if (B->unknown || B->reported)
                continue;
            const gmatch *A = NULL;
            const route_info *x = NULL;
            for (size_t i = 0; i < nw && !A; i++) {
                x = with[i];
                for (size_t p = 0; p < x->n && !A; p++) {
                    if (!left)
                        return;
                    left--;
                    const gmatch *cand = x->order[p];
                    if (!cand->unknown && cmp_keys(cand, B) < 0 && covers(cand, B, &budget))
                        A = cand;
                }
            }
            if (!A)
                continue;
            B->reported = true;
            const char *first = ml_printf(a, "%s of %s (%s)", match_pos(a, A), ml_res_display(a, x->r), A->shown);
            ml_buf wb;
            ml_buf_init(&wb);
            where_merged(a, y->r, &wb);
            const char *why;
            if (A->rank == RANK_PREFIX && B->rank == RANK_REGEX)
                why = "every path prefix goes before every regular expression (getURIRank)";
            else if (A->rank != B->rank)
                why = "an Exact path goes before a prefix (getURIRank)";
            else if (A->uri && B->uri && strlen(A->uri) != strlen(B->uri))
                why = "a longer path goes first";
            else
                why = "a match with a method, or more header or query conditions, goes first";
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(B->loc_node),
                                   "%s of %s (%s) is never selected: Istio merges %s into one list sorted by "
                                   "match (mergeHTTPRoutes, sortHTTPRoutes), where %s whatever the routes' "
                                   "creation times, and %s comes first and takes every request it would take",
                                   match_pos(a, B), ml_res_display(a, y->r), B->shown, wb.s ? wb.s : "", why, first);
            ml_buf_free(&wb);
            ml_note(ctx, d, ml_node_loc(A->loc_node), "%s, placed first", first);
            if (A->rank == RANK_PREFIX && B->rank == RANK_REGEX)
                ml_help(ctx, d, "express the path as PathPrefix or Exact matches, or narrow the prefix in %s; "
                                "Istio puts every RegularExpression after every prefix of the merged routes",
                        ml_res_display(a, x->r));
            else
                ml_help(ctx, d, "remove the shadowed match, or narrow %s", first);
        }
    }
}

static void check(ml_ctx *ctx)
{
    static const ml_kind kinds[2] = {ML_K_HTTPROUTE, ML_K_GRPCROUTE};
    for (size_t k = 0; k < 2; k++) {
        const ml_vec *v = &ctx->model->by_kind[kinds[k]];
        route_info *ris = v->n ? ml_zalloc(ctx->arena, v->n * sizeof *ris) : NULL;
        size_t nr = 0;
        ML_VEC_EACH(const ml_resource *, r, v) {
            if (!r->live || !r->u.route)
                continue;
            route_info *ri = &ris[nr];
            ri->r = r;
            ri->order = build_matches(ctx, r, &ri->n);
            if (!ri->order)
                continue;
            nr++;
            if (ri->n >= 2)
                check_route(ctx, r, ri->order, ri->n);
            if (!route_keys(ctx, r, ri))
                ri->keys = NULL;
        }
        if (nr >= 2)
            check_across(ctx, ris, nr);
    }
}

const ml_rule ml_rule_ML316 = {
    .id = "ML316",
    .name = "gwapi-shadowed-match",
    .level = ML_LEVEL_WARNING,
    .summary = "A match of an HTTPRoute or GRPCRoute that Istio never selects",
    .description =
        "Gateway API routes are not first-match in list order. The spec (HTTPRouteRule.Matches in "
        "apis/v1/httproute_types.go) orders matches by Exact path, then the longest prefix, then method, "
        "then the number of header and of query parameter matches, and leaves RegularExpression "
        "precedence to the implementation; only ties keep list order. Istio splits every rule into one "
        "route per match (pilot/pkg/config/kube/gateway/route_collections.go, HTTPRoute and GRPCRoute "
        "collections) and sorts them with sortHTTPRoutes (conversion.go): getURIRank puts Exact before "
        "Prefix before RegularExpression before no path, then path length, method, header count and query "
        "count, a stable sort; Envoy takes the first route that matches, and Istio drops every route after "
        "a catch-all (istio/istio issues 50108, 59479, 60695: a RegularExpression rule next to a "
        "PathPrefix / rule never receives traffic).\n"
        "\n"
        "The rule rebuilds that order for each HTTPRoute and GRPCRoute definition and reports a match "
        "when one placed before it takes every request it would take: the same conditions repeated "
        "later in the list, or a path prefix that contains every path a later regular expression can "
        "match (its literal beginning, read from the pattern) with no condition the regex match lacks. A "
        "rule without matches is the CRD default PathPrefix /. GRPCRoute methods become the paths "
        "createGRPCURIMatch builds (service and method: Exact /svc/method; service only: prefix /svc/; "
        "RegularExpression or method only: a regex). Header conditions compare case-insensitively by name; "
        "a RegularExpression header covers an Exact one when PCRE2 (RE2 meaning) fully matches its value. "
        "Matches whose type or value is not understood are not judged.\n"
        "\n"
        "Across routes: Istio builds one VirtualService per parent and host (a Gateway parent: the "
        "listener's internal Gateway and each hostname, \"*\" when none; a Service parent: the route's "
        "namespace, the parentRef port and the Service's host) and merges those of one key: concatenated "
        "in creation-time order, then sorted again with sortHTTPRoutes (route_collections.go, "
        "mergeHTTPRoutes; HTTPRoutes and GRPCRoutes each among their own kind). A match of another route "
        "that sorts strictly before a match and covers it (a PathPrefix before a RegularExpression, a "
        "longer path, an Exact path before a prefix) therefore shadows it whatever the creation times, and "
        "is reported. Equal sort keys are ordered by creation time, which the input does not show: not "
        "judged. Routes are compared when they are of one kind and one namespace (the listeners accept "
        "both alike), applied together (one apply unit, or files without alternatives of each other), and "
        "every VirtualService the shadowed route lands in also holds the shadowing route: the same "
        "Gateway listener and hostname, or the same Service and port. A parentRef with sectionName names "
        "its listener; one without it stands for every listener of the Gateway that accepts the route "
        "(Istio expands it into one parent per listener and drops those that refuse the route: "
        "route_collections.go, extractParentReferenceInfo and filteredReferences), which is used when "
        "the input decides acceptance for each listener (allowedRoutes namespaces Same with a known "
        "namespace or All, the route kind, the hostnames); otherwise only an identical parentRef counts "
        "as the same. Beyond 1,000,000 comparisons per kind the rest is not judged. The VirtualService "
        "counterpart is ML305.",
    .remediation = "Remove the shadowed match, or make it reachable: replace a RegularExpression path by "
                   "PathPrefix/Exact matches, or narrow the earlier match.",
    .tags = "traffic,gateway-api",
    .precision = "high",
    .example_bad = "kind: HTTPRoute\nspec:\n  rules:\n  - matches: [{path: {type: RegularExpression, value: "
                   "\"/v[0-9]+/orders/.*\"}}]\n    backendRefs: [{name: orders, port: 80}]\n"
                   "  - backendRefs: [{name: web, port: 80}]   # PathPrefix /",
    .example_good = "kind: HTTPRoute\nspec:\n  rules:\n  - matches: [{path: {type: PathPrefix, value: "
                    "/v1/orders}}, {path: {type: PathPrefix, value: /v2/orders}}]\n"
                    "    backendRefs: [{name: orders, port: 80}]\n  - backendRefs: [{name: web, port: 80}]",
    .check = check,
};
