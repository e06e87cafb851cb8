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
    const char *kx = ml_str(x->key), *ky = ml_str(y->key);
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
        ml_buf_printf(b, "%zu:", (size_t)n->len);
        ml_buf_add(b, n->str, n->len);
        return;
    }
    if (n->type == ML_NODE_SEQ) {
        ml_buf_putc(b, '[');
        for (size_t i = 0; i < n->n; i++) {
            canon(a, b, n->items[i], depth + 1);
            ml_buf_putc(b, ',');
        }
        ml_buf_putc(b, ']');
        return;
    }
    /* mapping: sorted by key; "name" only labels the match and is not a condition */
    ml_vec pairs = {0};
    for (size_t i = 0; i < n->n; i++) {
        const char *k = ml_str(n->pairs[i].key);
        if (depth == 0 && ml_streq(k, "name"))
            continue;
        ml_vec_push(a, &pairs, &n->pairs[i]);
    }
    ml_vec_sort(&pairs, cmp_pairs);
    ml_buf_putc(b, '{');
    ML_VEC_EACH(const ml_pair *, p, &pairs) {
        canon(a, b, p->key, depth + 1);
        ml_buf_putc(b, '=');
        canon(a, b, p->value, depth + 1);
        ml_buf_putc(b, ';');
    }
    ml_buf_putc(b, '}');
}

/* A match item with no condition (`{}` or only a name) matches everything. */
static bool item_matches_all(const ml_node *item)
{
    if (!ml_is_map(item))
        return ml_is_null(item);
    for (size_t i = 0; i < item->n; i++)
        if (!ml_streq(ml_str(item->pairs[i].key), "name"))
            return false;
    return true;
}

static bool route_matches_all(const ml_route *rt)
{
    if (!rt->match)
        return ml_is_null(ml_get(rt->node, "match")) || !ml_get(rt->node, "match");
    if (rt->match->n == 0)
        return true;
    for (size_t i = 0; i < rt->match->n; i++)
        if (item_matches_all(rt->match->items[i]))
            return true;
    return false;
}

static void check_vs(ml_ctx *ctx, const ml_resource *r, const ml_virtualservice *vs)
{
    const char *vsname = ml_res_display(ctx->arena, r);
    const ml_route *catch_all = NULL;
    ml_map seen;
    ml_map_init(&seen);
    for (size_t i = 0; i < vs->nroutes; i++) {
        const ml_route *rt = &vs->routes[i];
        if (rt->proto != ML_ROUTE_HTTP)
            continue;
        const char *rname = tr_route_name(ctx->arena, rt);
        if (catch_all) {
            const char *cname = tr_route_name(ctx->arena, catch_all);
            ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(rt->node),
                                   "%s of %s never runs: %s before it has no match condition and takes every "
                                   "request (routes are tried in order)",
                                   rname, vsname, cname);
            ml_note(ctx, d, ml_node_loc(catch_all->node), "%s matches every request", cname);
            if (route_matches_all(rt))
                /* both take every request: moving one above the other only
                 * swaps which one is dead (e.g. a fault-injection route) */
                ml_help(ctx, d, "%s also matches every request, so no order makes both run: delete %s, or merge "
                                "what it does (fault, retries, headers) into %s",
                        rname, rname, cname);
            else
                ml_help(ctx, d, "move %s above %s, so that the catch-all route comes last", rname, cname);
            continue;
        }
        if (route_matches_all(rt)) {
            catch_all = rt;
            continue;
        }
        if (!rt->match)
            continue; /* a match of the wrong type (ML002): unknown */
        size_t dups = 0, n = rt->match->n;
        const seen_match *first_dup = NULL;
        for (size_t j = 0; j < n; j++) {
            const ml_node *item = rt->match->items[j];
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
        if (dups == 0)
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
            const ml_node *item = rt->match->items[j];
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

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        if (r->u.vs)
            check_vs(ctx, r, r->u.vs);
    }
}

const ml_rule ml_rule_ML305 = {
    .id = "ML305",
    .name = "unreachable-route",
    .level = ML_LEVEL_WARNING,
    .summary = "An HTTP route comes after a catch-all route, or only repeats earlier matches",
    .description = "Istio tries the HTTP routes of a VirtualService in order and the first that matches wins. "
                   "A route without match conditions (no match, or a match item {} with no condition) takes "
                   "every request, so every route after it never runs: a header-based canary route placed "
                   "after the catch-all route silently sends nobody to the canary. Istio's analyzer reports this "
                   "as IST0130 (VirtualServiceUnreachableRule).\n"
                   "\n"
                   "A match item identical to one of an earlier route (compared field by field, in any key "
                   "order) never wins either; when every match item of a route is such a copy, the whole route "
                   "never runs. Istio reports that as IST0131 (VirtualServiceIneffectiveMatch).",
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
