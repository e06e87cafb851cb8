/*
 * input_regex.c - ML002: VirtualService regex match strings Istio rejects.
 *
 * Istio's validation (pkg/config/validation/virtualservice.go
 * validateHTTPRouteMatchRequest) checks the StringMatch of uri, scheme,
 * method, authority, every headers and queryParams value, and every
 * withoutHeaders value except the regex "*" (turned into a presence match);
 * pkg/config/validation/validation.go validateStringRegexp rejects an empty
 * regex, one over 1024 bytes, and what Go's regexp.Compile rejects; the same
 * function checks corsPolicy.allowOrigins and rewrite.uriRegexRewrite.match.
 * regex.c follows Go's parser; the finding points at the offending byte.
 */
#include <string.h>

#include "input_regex.h"
#include "meshlint/regex.h"

static void check_regex_node(ml_ctx *ctx, const ml_resource *r, const ml_node *rx, const char *where)
{
    if (!ml_is_scalar(rx) || (rx->style == ML_SCALAR_PLAIN && ml_is_null(rx)))
        return;
    ml_re_error err;
    if (ml_re_check(ml_node_str(rx), ml_node_len(rx), &err) != ML_RE_INVALID)
        return;
    ml_loc at = ml_scalar_byte_loc(rx, err.offset);
    const char *shown = ml_node_len(rx) > 80 ? ml_printf(ctx->arena, "%.77s...", ml_node_str(rx)) : ml_node_str(rx);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at, "%s regex \"%s\" of %s is not valid RE2: %s (at byte %zu)", where,
                           shown, ml_res_display(ctx->arena, r), err.message, err.offset);
    ml_help(ctx, d, "Istio's validation compiles the regex with Go's regexp (RE2 syntax, "
                    "https://github.com/google/re2/wiki/Syntax) and rejects the VirtualService; rewrite it "
                    "without the construct (RE2 has no back-references, look-around, atomic groups or "
                    "possessive quantifiers)");
}

/* A StringMatch mapping: its regex, if any. */
static void check_string_match(ml_ctx *ctx, const ml_resource *r, const ml_node *sm, const char *where,
                               bool star_is_presence)
{
    const ml_node *rx = ml_get(sm, "regex");
    if (!rx)
        return;
    if (star_is_presence && ml_is_scalar(rx) && ml_node_len(rx) == 1 && ml_node_str(rx)[0] == '*')
        return;
    check_regex_node(ctx, r, rx, where);
}

static void check_string_map(ml_ctx *ctx, const ml_resource *r, const ml_node *m, const char *where,
                             bool star_is_presence)
{
    if (!ml_is_map(m))
        return;
    for (size_t i = 0; i < ml_node_n(m); i++) {
        const char *k = ml_str(&m->kvs[i].key);
        check_string_match(ctx, r, &m->kvs[i].value, ml_printf(ctx->arena, "%s.%s", where, k ? k : "?"),
                           star_is_presence);
    }
}

static void check_http_route(ml_ctx *ctx, const ml_resource *r, const ml_route *rt)
{
    const char *base = ml_printf(ctx->arena, "http[%zu]", rt->index);
    if (ml_is_seq(rt->match)) {
        for (size_t j = 0; j < ml_node_n(rt->match); j++) {
            const ml_node *item = &rt->match->elems[j];
            if (!ml_is_map(item))
                continue;
            const char *mw = ml_printf(ctx->arena, "%s.match[%zu]", base, j);
            static const char *const FIELDS[] = {"uri", "scheme", "method", "authority", NULL};
            for (size_t f = 0; FIELDS[f]; f++)
                check_string_match(ctx, r, ml_get(item, FIELDS[f]), ml_printf(ctx->arena, "%s.%s", mw, FIELDS[f]),
                                   false);
            check_string_map(ctx, r, ml_get(item, "headers"), ml_printf(ctx->arena, "%s.headers", mw), false);
            check_string_map(ctx, r, ml_get(item, "queryParams"), ml_printf(ctx->arena, "%s.queryParams", mw),
                             false);
            check_string_map(ctx, r, ml_get(item, "withoutHeaders"),
                             ml_printf(ctx->arena, "%s.withoutHeaders", mw), true);
        }
    }
    const ml_node *origins = ml_path(rt->node, "corsPolicy.allowOrigins");
    if (ml_is_seq(origins))
        for (size_t j = 0; j < ml_node_n(origins); j++)
            check_string_match(ctx, r, &origins->elems[j],
                               ml_printf(ctx->arena, "%s.corsPolicy.allowOrigins[%zu]", base, j), false);
    const ml_node *rw = ml_path(rt->node, "rewrite.uriRegexRewrite.match");
    if (rw)
        check_regex_node(ctx, r, rw, ml_printf(ctx->arena, "%s.rewrite.uriRegexRewrite.match", base));
}

void ml002_check_regexes(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++)
            if (vs->routes[i].proto == ML_ROUTE_HTTP)
                check_http_route(ctx, r, &vs->routes[i]);
    }
}
