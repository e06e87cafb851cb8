/*
 * ML305 unreachable-route: HTTP routes are tried in order and the first
 * match wins. A route without `match` takes every request, so every route
 * after it is dead (IST0130); a match item identical to one of an earlier
 * route never wins (IST0131), and a route all of whose match items are such
 * copies never runs. Match items are compared structurally (key order does
 * not matter) through a canonical text form, kept in a map per
 * VirtualService definition, so the check is linear in the routes.
 */
#include <string.h>

#include "meshlint/regex.h"
#include "meshlint/rule.h"
#include "traffic_common.h"

#define CANON_MAX_DEPTH 32

typedef struct seen_match {
    const ml_route *route;
    const ml_node *item;
    size_t index;
} seen_match;

static int cmp_pairs(const void *a, const void *b)
{
    const ml_pair *x = *(const ml_pair *const *)a, *y = *(const ml_pair *const *)b;
    const char *kx = ml_str(&x->key), *ky = ml_str(&y->key);
    return strcmp(kx ? kx : "", ky ? ky : "");
}

static void canon(ml_arena *a, ml_buf *b, const ml_node *n, unsigned depth)
{
    if (!n || depth > CANON_MAX_DEPTH) {
        ml_buf_puts(b, "~");
        return;
    }
    if (n->type == ML_NODE_SCALAR) {
        if (ml_is_null(n)) {
            ml_buf_puts(b, "~");
            return;
        }
        ml_buf_printf(b, "%zu:", (size_t)ml_node_len(n));
        ml_buf_add(b, ml_node_str(n), ml_node_len(n));
        return;
    }
    if (n->type == ML_NODE_SEQ) {
        ml_buf_putc(b, '[');
        for (size_t i = 0; i < ml_node_n(n); i++) {
            canon(a, b, &n->elems[i], depth + 1);
            ml_buf_putc(b, ',');
        }
        ml_buf_putc(b, ']');
        return;
    }
    /* mapping: sorted by key; "name" only labels the match and is not a condition */
    ml_vec pairs = {0};
    for (size_t i = 0; i < ml_node_n(n); i++) {
        const char *k = ml_str(&n->kvs[i].key);
        if (depth == 0 && ml_streq(k, "name"))
            continue;
        ml_vec_push(a, &pairs, &n->kvs[i]);
    }
    ml_vec_sort(&pairs, cmp_pairs);
    ml_buf_putc(b, '{');
    ML_VEC_EACH(const ml_pair *, p, &pairs) {
        canon(a, b, &p->key, depth + 1);
        ml_buf_putc(b, '=');
        canon(a, b, &p->value, depth + 1);
        ml_buf_putc(b, ';');
    }
    ml_buf_putc(b, '}');
}

/* A match item with no condition (`{}` or only a name) matches everything. */
static bool item_matches_all(const ml_node *item)
{
    if (!ml_is_map(item))
        return ml_is_null(item);
    for (size_t i = 0; i < ml_node_n(item); i++)
        if (!ml_streq(ml_str(&item->kvs[i].key), "name"))
            return false;
    return true;
}

static bool route_matches_all(const ml_route *rt)
{
    if (!rt->match)
        return ml_is_null(ml_get(rt->node, "match")) || !ml_get(rt->node, "match");
    if (ml_node_n(rt->match) == 0)
        return true;
    for (size_t i = 0; i < ml_node_n(rt->match); i++)
        if (item_matches_all(&rt->match->elems[i]))
            return true;
    return false;
}

/* ---- coverage by a broader earlier match (HTTP) ------------------------ */

typedef struct cover_item {
    const ml_route *route;
    const ml_node *item;
    size_t index;
    tr_uri_kind kind;
    const char *value;
    const ml_regex *re;   /* TR_URI_REGEX, compiled; NULL when not evaluable */
} cover_item;

/* An earlier item that can cover later ones: its only condition is uri
 * (and a name), so it matches every request whose path it matches. */
static cover_item *make_cover(ml_ctx *ctx, const ml_route *rt, const ml_node *item, size_t j)
{
    if (!ml_is_map(item))
        return NULL;
    for (size_t i = 0; i < ml_node_n(item); i++) {
        const char *k = ml_str(&item->kvs[i].key);
        if (!ml_streq(k, "name") && !ml_streq(k, "uri") && !ml_streq(k, "ignoreUriCase"))
            return NULL;
    }
    tr_uri_kind kind;
    const ml_node *v;
    if (!tr_item_uri(item, &kind, &v))
        return NULL;
    cover_item *ci = ml_zalloc(ctx->arena, sizeof *ci);
    ci->route = rt;
    ci->item = item;
    ci->index = j;
    ci->kind = kind;
    ci->value = ml_node_str(v);
    bool nocase = false;
    if (ml_bool(ml_get(item, "ignoreUriCase"), &nocase) && nocase && kind != TR_URI_REGEX)
        return NULL; /* case-insensitive exact/prefix: keep it simple, never claim coverage */
    if (kind == TR_URI_REGEX) {
        if (nocase)
            return NULL;
        ml_regex *re = NULL;
        ml_re_error err;
        if (ml_re_compile(ctx->arena, ml_node_str(v), ml_node_len(v), &re, &err) != ML_RE_OK)
            return NULL;
        ci->re = re;
    }
    return ci;
}

/* Does earlier item c match every request later item `item` matches? Only
 * the later item's uri is compared; its other conditions only narrow it.
 * A later item with ignoreUriCase matches more than its uri says: never. */
static bool covers(ml_ctx *ctx, const cover_item *c, const ml_node *item, ml_re_budget *budget)
{
    tr_uri_kind k;
    const ml_node *v;
    if (!ml_is_map(item) || !tr_item_uri(item, &k, &v))
        return false;
    bool nocase = false;
    if (ml_bool(ml_get(item, "ignoreUriCase"), &nocase) && nocase)
        return false;
    const char *s = ml_node_str(v);
    switch (c->kind) {
    case TR_URI_PREFIX:
        /* Envoy's prefix match is a plain string prefix (route.go TranslateRouteMatch) */
        return (k == TR_URI_EXACT || k == TR_URI_PREFIX) && ml_starts_with(s, c->value);
    case TR_URI_EXACT:
        return k == TR_URI_EXACT && strcmp(s, c->value) == 0;
    case TR_URI_REGEX:
        if (!c->re)
            return false;
        if (k == TR_URI_EXACT)
            return ml_re_full_match(c->re, s, ml_node_len(v), budget) == ML_RE_YES;
        if (k == TR_URI_PREFIX)
            return ml_re_covers_prefix(c->re, s, budget) == ML_RE_YES;
        return false;
    }
    return false;
}

static const cover_item *find_cover(ml_ctx *ctx, const ml_vec *cv, const ml_node *item)
{
    ml_re_budget budget = {.matches_left = 10000};
    ML_VEC_EACH(const cover_item *, c, cv) {
        if (c->item == item)
            continue;
        /* an identical item is ML305's duplicate case, not coverage */
        if (covers(ctx, c, item, &budget))
            return c;
    }
    return NULL;
}

static const char *uri_text(ml_arena *a, const ml_node *item)
{
    tr_uri_kind k;
    const ml_node *v;
    if (!tr_item_uri(item, &k, &v))
        return "?";
    return ml_printf(a, "%s \"%s\"", tr_uri_kind_name(k), ml_node_str(v));
}

static bool is_dup_item(ml_ctx *ctx, const ml_map *seen, const ml_route *rt, const ml_node *item);

/* route.go IsCatchAllRoute: prefix "/" or regex ".*" and nothing else */
static bool cover_is_catch_all(const cover_item *c)
{
    return (c->kind == TR_URI_PREFIX && strcmp(c->value, "/") == 0) || (c->kind == TR_URI_REGEX && strcmp(c->value, ".*") == 0);
}

static bool route_is_catch_all_uri(const ml_route *rt)
{
    if (!ml_is_seq(rt->match))
        return false;
    for (size_t j = 0; j < ml_node_n(rt->match); j++) {
        cover_item tmp;
        tr_uri_kind k;
        const ml_node *v;
        const ml_node *item = &rt->match->elems[j];
        if (!ml_is_map(item) || !tr_item_uri(item, &k, &v))
            continue;
        bool only = true;
        for (size_t i = 0; i < ml_node_n(item); i++) {
            const char *key = ml_str(&item->kvs[i].key);
            if (!ml_streq(key, "name") && !ml_streq(key, "uri"))
                only = false;
        }
        tmp.kind = k;
        tmp.value = ml_node_str(v);
        if (only && cover_is_catch_all(&tmp))
            return true;
    }
    return false;
}

static void report_covered(ml_ctx *ctx, const ml_route *rt, const char *vsname, const cover_item **covered, size_t n,
                           size_t ncovered, size_t dups)
{
    const char *rname = tr_route_name(ctx->arena, rt);
    if (ncovered + dups >= n) {
        const cover_item *c = NULL;
        const ml_node *first = NULL;
        for (size_t j = 0; j < n && !c; j++) {
            c = covered[j];
            first = &rt->match->elems[j];
        }
        const char *cname = tr_route_name(ctx->arena, c->route);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(rt->node),
                               "%s of %s never runs: every request it matches is taken first by an earlier, broader "
                               "match (%s of %s covers %s)",
                               rname, vsname, uri_text(ctx->arena, c->item), cname, uri_text(ctx->arena, first));
        for (size_t j = 0; j < n; j++)
            if (covered[j])
                ml_note(ctx, d, ml_node_loc(covered[j]->item), "%s, tried first, matches every path of match[%zu]",
                        tr_route_name(ctx->arena, covered[j]->route), j);
        ml_help(ctx, d, "move %s above %s (most specific first), or remove it", rname, cname);
        return;
    }
    for (size_t j = 0; j < n; j++) {
        const cover_item *c = covered[j];
        if (!c)
            continue;
        const char *cname = tr_route_name(ctx->arena, c->route);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(&rt->match->elems[j]),
                               "match[%zu] of %s in %s never applies: %s of %s, tried first, matches every path "
                               "its %s matches",
                               j, rname, vsname, uri_text(ctx->arena, c->item), cname,
                               uri_text(ctx->arena, &rt->match->elems[j]));
        ml_note(ctx, d, ml_node_loc(c->item), "the broader match in %s", cname);
        ml_help(ctx, d, "move %s above %s, or remove this match item", rname, cname);
    }
}

static void check_vs(ml_ctx *ctx, const ml_resource *r, const ml_virtualservice *vs, ml_route_proto proto)
{
    const char *vsname = ml_res_display(ctx->arena, r);
    const char *what = proto == ML_ROUTE_HTTP ? "request" : "connection";
    const ml_route *catch_all = NULL;
    ml_map seen;
    ml_map_init(&seen);
    ml_vec covers = {0}; /* cover_item*: earlier HTTP match items with only a uri condition */
    for (size_t i = 0; i < vs->nroutes; i++) {
        const ml_route *rt = &vs->routes[i];
        if (rt->proto != proto)
            continue;
        const char *rname = tr_route_name(ctx->arena, rt);
        /* On a gateway Istio moves catch-all routes (prefix "/", regex ".*"
         * or no match, without other conditions) to the end of the virtual
         * host, keeping their order (route.go SortVHostRoutes, called by
         * gateway.go): a VirtualService bound only to gateways loses only
         * the later catch-alls. */
        bool sorted = proto == ML_ROUTE_HTTP && !vs->mesh_gateway;
        if (catch_all && sorted && !route_matches_all(rt) && !route_is_catch_all_uri(rt)) {
            /* runs: the catch-all is moved after it */
        } else if (catch_all) {
            const char *cname = tr_route_name(ctx->arena, catch_all);
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(rt->node),
                                   "%s of %s never runs: %s before it has no match condition and takes every "
                                   "%s (routes are tried in order)",
                                   rname, vsname, cname, what);
            ml_note(ctx, d, ml_node_loc(catch_all->node), "%s matches every %s", cname, what);
            if (route_matches_all(rt))
                /* both take every request: moving one above the other only
                 * swaps which one is dead (e.g. a fault-injection route) */
                ml_help(ctx, d, "%s also matches every %s, so no order makes both run: delete %s, or merge "
                                "what it does (fault, retries, headers) into %s",
                        rname, what, rname, cname);
            else
                ml_help(ctx, d, "move %s above %s, so that the catch-all route comes last", rname, cname);
            continue;
        }
        if (catch_all)
            ; /* (sorted gateway routes) */
        else if (route_matches_all(rt)) {
            catch_all = rt;
            continue;
        }
        if (!rt->match)
            continue; /* a match of the wrong type (ML002): unknown */
        size_t dups = 0, n = ml_node_n(rt->match);
        const seen_match *first_dup = NULL;
        /* items covered by an earlier broader match (HTTP uri only) */
        const cover_item **covered = ml_zalloc(ctx->arena, (n ? n : 1) * sizeof *covered);
        size_t ncovered = 0;
        for (size_t j = 0; j < n; j++) {
            const ml_node *item = &rt->match->elems[j];
            ml_buf b;
            ml_buf_init(&b);
            canon(ctx->arena, &b, item, 0);
            const char *key = ml_strndup(ctx->arena, b.s ? b.s : "", b.n);
            size_t klen = b.n;
            ml_buf_free(&b);
            void **slot = ml_map_slot_for(&seen, key, klen);
            const seen_match *prev = *slot;
            if (!prev) {
                seen_match *sm = ml_zalloc(ctx->arena, sizeof *sm);
                sm->route = rt;
                sm->item = item;
                sm->index = j;
                *slot = sm;
                continue;
            }
            if (prev->route == rt)
                continue; /* repeated within one route: harmless */
            dups++;
            if (!first_dup)
                first_dup = prev;
        }
        if (proto == ML_ROUTE_HTTP) {
            for (size_t j = 0; j < n; j++) {
                const ml_node *item = &rt->match->elems[j];
                if (is_dup_item(ctx, &seen, rt, item))
                    continue;
                covered[j] = find_cover(ctx, &covers, item);
                if (covered[j])
                    ncovered++;
            }
            for (size_t j = 0; j < n; j++) {
                cover_item *ci = make_cover(ctx, rt, &rt->match->elems[j], j);
                if (ci && sorted && cover_is_catch_all(ci))
                    ci = NULL; /* moved last on the gateway: covers nothing */
                if (ci)
                    ml_vec_push(ctx->arena, &covers, ci);
            }
        }
        if (ncovered)
            report_covered(ctx, rt, vsname, covered, n, ncovered, dups);
        if (dups == 0 || ncovered)
            continue;
        if (dups == n) {
            const char *pname = tr_route_name(ctx->arena, first_dup->route);
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(rt->node),
                                   "%s of %s never runs: %s already used by an earlier route (%s wins)", rname,
                                   vsname, n == 1 ? "its match is" : "each of its matches is", pname);
            ml_note(ctx, d, ml_node_loc(first_dup->item), "the same match in %s, which is tried first", pname);
            ml_help(ctx, d, "remove %s, or give it a match the earlier routes do not have", rname);
            continue;
        }
        /* some items are copies: report each copy */
        for (size_t j = 0; j < n; j++) {
            const ml_node *item = &rt->match->elems[j];
            ml_buf b;
            ml_buf_init(&b);
            canon(ctx->arena, &b, item, 0);
            const seen_match *prev = ml_map_get(&seen, b.s ? b.s : "", b.n);
            ml_buf_free(&b);
            if (!prev || prev->route == rt)
                continue;
            const char *pname = tr_route_name(ctx->arena, prev->route);
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(item),
                                   "match[%zu] of %s in %s never applies: %s has the same match (match[%zu]) and "
                                   "is tried first",
                                   j, rname, vsname, pname, prev->index);
            ml_note(ctx, d, ml_node_loc(prev->item), "the same match in %s", pname);
            ml_help(ctx, d, "remove this match item, or change it");
        }
    }
    ml_map_free(&seen);
}

static bool is_dup_item(ml_ctx *ctx, const ml_map *seen, const ml_route *rt, const ml_node *item)
{
    ml_buf b;
    ml_buf_init(&b);
    canon(ctx->arena, &b, item, 0);
    const seen_match *prev = ml_map_get(seen, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return prev && prev->route != rt;
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        if (!r->u.vs)
            continue;
        check_vs(ctx, r, r->u.vs, ML_ROUTE_HTTP);
        check_vs(ctx, r, r->u.vs, ML_ROUTE_TCP);
        check_vs(ctx, r, r->u.vs, ML_ROUTE_TLS);
    }
}

const ml_rule ml_rule_ML305 = {
    .id = "ML305",
    .name = "unreachable-route",
    .level = ML_LEVEL_WARNING,
    .summary = "A route comes after a catch-all route, or only repeats or narrows earlier matches",
    .description = "Istio tries the HTTP routes of a VirtualService in order and the first that matches wins. "
                   "A route without match conditions (no match, or a match item {} with no condition) takes "
                   "every request, so every route after it never runs: a header-based canary route placed "
                   "after the catch-all route silently sends nobody to the canary. Istio's analyzer reports this "
                   "as IST0130 (VirtualServiceUnreachableRule).\n"
                   "\n"
                   "A match item identical to one of an earlier route (compared field by field, in any key "
                   "order) never wins either; when every match item of a route is such a copy, the whole route "
                   "never runs. Istio reports that as IST0131 (VirtualServiceIneffectiveMatch).\n"
                   "\n"
                   "A match item is also dead when an earlier item whose only condition is its uri matches every "
                   "path it matches: a prefix covers a longer prefix or an exact path that starts with it, and a "
                   "regex (RE2, matched in full as Envoy's safe_regex does: pilot/pkg/networking/core/route/route.go "
                   "TranslateRouteMatch) covers an exact path it matches, or a prefix when the regex is a literal "
                   "followed by .* (other regexes are not decided). The later item's headers or other conditions "
                   "only narrow it, so it stays covered; an item with ignoreUriCase is never judged covered. "
                   "Istio's validation warns about prefix overlaps the same way (pkg/config/validation/validation.go "
                   "analyzeUnreachableHTTPRules, coveredValidation).\n"
                   "\n"
                   "On a gateway, Istio moves catch-all routes (no match, prefix \"/\" or regex \".*\" with no other "
                   "condition) after the others of the virtual host, keeping their order (route.go "
                   "SortVHostRoutes, called when building gateway routes), so in a VirtualService bound only to "
                   "gateways a catch-all route hides only later catch-alls.\n"
                   "\n"
                   "The same order rules apply to tcp and tls routes (analyzeUnreachableTCPRules and "
                   "analyzeUnreachableTLSRules in pkg/config/validation/validation.go): a route without match "
                   "takes every connection, and a match repeated from an earlier route never wins.",
    .remediation = "Order routes from the most specific to the least specific and keep a single catch-all route, "
                   "last; remove or change match items that repeat an earlier route's.",
    .tags = "traffic,canary,istio",
    .istio_code = "IST0130",
    .precision = "very-high",
    .example_bad = "http:\n- route:\n  - destination: {host: orders, subset: stable}\n- match:\n"
                   "  - headers: {x-canary: {exact: \"true\"}}\n  route:\n"
                   "  - destination: {host: orders, subset: canary}",
    .example_good = "http:\n- match:\n  - headers: {x-canary: {exact: \"true\"}}\n  route:\n"
                    "  - destination: {host: orders, subset: canary}\n- route:\n"
                    "  - destination: {host: orders, subset: stable}",
    .check = check,
};
