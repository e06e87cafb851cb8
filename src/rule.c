/*
 * rule.c - the reporting API rules use, and registry lookups.
 *
 * Rules only describe what they found; the engine decides later whether a
 * finding is disabled, re-levelled, suppressed or a duplicate.
 */
#include "meshlint/rule.h"

#include <stdio.h>
#include <string.h>

#include "meshlint/config.h"

const char *ml_level_name(ml_level l)
{
    switch (l) {
    case ML_LEVEL_ERROR:
        return "error";
    case ML_LEVEL_WARNING:
        return "warning";
    case ML_LEVEL_NOTE:
        return "note";
    default:
        return "none";
    }
}

bool ml_level_parse(const char *s, ml_level *out)
{
    static const struct {
        const char *name;
        ml_level level;
    } names[] = {{"error", ML_LEVEL_ERROR}, {"warning", ML_LEVEL_WARNING}, {"note", ML_LEVEL_NOTE},
                 {"off", ML_LEVEL_NONE},    {"none", ML_LEVEL_NONE},       {"never", ML_LEVEL_NONE}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].level;
            return true;
        }
    return false;
}

const ml_rule *ml_rule_find(const char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < ml_rules_count; i++) {
        const ml_rule *r = ml_rules[i];
        if (strcmp(r->id, s) == 0 || strcmp(r->name, s) == 0)
            return r;
        /* ids are accepted in lower case too ("ml301") */
        if (strlen(s) == 5 && (s[0] == 'm' || s[0] == 'M') && (s[1] == 'l' || s[1] == 'L') &&
            strcmp(r->id + 2, s + 2) == 0)
            return r;
    }
    return NULL;
}

/* A finding's text is bounded: a rule that quotes a 50 MB value from the
 * input must not make a 50 MB message (repeated in every output format).
 * Longer text is cut before a UTF-8 sequence that would not fit and marked. */
#define ML_MESSAGE_MAX 4096

static char *bounded_vprintf(ml_arena *a, const char *fmt, va_list ap)
{
    static const char mark[] = " [...]";
    char buf[ML_MESSAGE_MAX + sizeof mark];
    int n = vsnprintf(buf, ML_MESSAGE_MAX + 1, fmt, ap); /* one pass, whatever the length */
    if (n < 0)
        return ml_strdup(a, "");
    if ((size_t)n <= ML_MESSAGE_MAX)
        return ml_strndup(a, buf, (size_t)n);
    size_t cut = ML_MESSAGE_MAX;
    /* drop the last character if it is multi-byte: it may be incomplete */
    while (cut > 0 && ((unsigned char)buf[cut - 1] & 0x80)) {
        cut--;
        if (((unsigned char)buf[cut] & 0xC0) != 0x80)
            break;
    }
    memcpy(buf + cut, mark, sizeof mark);
    return ml_strndup(a, buf, cut + sizeof mark - 1);
}

ml_diag *ml_report(ml_ctx *ctx, ml_level level, ml_loc loc, const char *fmt, ...)
{
    ml_diag *d = ml_zalloc(ctx->arena, sizeof *d);
    d->rule = ctx->rule;
    d->level = level == ML_LEVEL_NONE ? ctx->rule->level : level;
    va_list ap;
    va_start(ap, fmt);
    d->message = bounded_vprintf(ctx->arena, fmt, ap);
    va_end(ap);
    d->loc = loc;
    ml_vec_push(ctx->arena, ctx->out, d);
    return d;
}

void ml_note(ml_ctx *ctx, ml_diag *d, ml_loc loc, const char *fmt, ...)
{
    ml_related *rel = ml_alloc(ctx->arena, (d->nrelated + 1) * sizeof *rel);
    if (d->nrelated)
        memcpy(rel, d->related, d->nrelated * sizeof *rel);
    va_list ap;
    va_start(ap, fmt);
    rel[d->nrelated].message = bounded_vprintf(ctx->arena, fmt, ap);
    va_end(ap);
    rel[d->nrelated].loc = loc;
    d->related = rel;
    d->nrelated++;
}

void ml_help(ml_ctx *ctx, ml_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->help = bounded_vprintf(ctx->arena, fmt, ap);
    va_end(ap);
}

void ml_add_fix(ml_ctx *ctx, ml_diag *d, const char *description, ml_loc region, const char *text)
{
    ml_fix *f = d->fix;
    if (!f) {
        f = ml_zalloc(ctx->arena, sizeof *f);
        f->description = ml_strdup(ctx->arena, description);
        d->fix = f;
    }
    ml_replacement *r = ml_alloc(ctx->arena, (f->n + 1) * sizeof *r);
    if (f->n)
        memcpy(r, f->repl, f->n * sizeof *r);
    r[f->n].region = region;
    r[f->n].text = ml_strdup(ctx->arena, text);
    f->repl = r;
    f->n++;
}

static const ml_node *setting(const ml_ctx *ctx, const char *key)
{
    return ml_get(ml_config_rule_settings(ctx->cfg, ctx->rule), key);
}

long long ml_setting_int(const ml_ctx *ctx, const char *key, long long dflt)
{
    long long v;
    return ml_int(setting(ctx, key), &v) ? v : dflt;
}

const char *ml_setting_str(const ml_ctx *ctx, const char *key, const char *dflt)
{
    const char *s = ml_str_nonnull(setting(ctx, key));
    return s ? s : dflt;
}

bool ml_assume_complete(const ml_ctx *ctx)
{
    return ctx->cfg && ctx->cfg->assume_complete;
}
