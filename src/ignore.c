/*
 * ignore.c - gitignore(5) patterns, matched without running git.
 *
 * One idea: a walk keeps a stack of frames, one per ignore file met on the
 * way down, and a path is judged by the deepest frame that has a matching
 * pattern (git's precedence: a file in a lower directory overrides a higher
 * one; within a file the last matching line wins). A directory found ignored
 * is not entered, which is also why git cannot re-include a file below an
 * excluded directory.
 *
 * The matcher is git's wildmatch with WM_PATHNAME in spirit (written from
 * the gitignore(5) description): "*" and "?" stop at "/", "**" between
 * slashes or at an end spans directories, "[...]" classes with "!" or "^"
 * negation and ranges, "\" escapes. Backtracking is bounded by a step
 * budget; a pattern that exceeds it does not match.
 */
#include "meshlint/ignore.h"

#include <string.h>

#define MATCH_BUDGET 20000

typedef struct matcher {
    long steps;
} matcher;

/* Does pattern p match rel, and how many steps did it take? */
static bool pat_match(const ml_ignore_pat *p, const char *rel, bool is_dir, long *steps);

/* A bracket expression at p (just after "["), against c. Sets *end past
 * the closing "]"; returns -1 when the class is not closed (then "[" is a
 * literal). */
static int match_class(const char *p, const char *pe, char c, const char **end)
{
    bool neg = false;
    if (p < pe && (*p == '!' || *p == '^')) {
        neg = true;
        p++;
    }
    bool hit = false;
    bool first = true;
    while (p < pe && (*p != ']' || first)) {
        first = false;
        char lo = *p;
        if (lo == '\\' && p + 1 < pe)
            lo = *++p;
        p++;
        if (p + 1 < pe && *p == '-' && p[1] != ']') {
            char hi = p[1];
            p += 2;
            if (hi == '\\' && p < pe)
                hi = *p++;
            if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
                hit = true;
        } else if (c == lo)
            hit = true;
    }
    if (p >= pe)
        return -1;
    *end = p + 1;
    return hit != neg;
}

static bool wm(matcher *m, const char *p, const char *pe, const char *s, const char *se, bool at_start)
{
    while (p < pe) {
        if (++m->steps > MATCH_BUDGET)
            return false;
        char pc = *p;
        if (pc == '*') {
            bool dbl = p + 1 < pe && p[1] == '*';
            if (dbl) {
                bool left = at_start || p[-1] == '/';
                const char *after = p + 2;
                while (after < pe && *after == '*')
                    after++;
                bool right = after == pe || *after == '/';
                if (left && right) {
                    if (after == pe)
                        return true; /* "**" at the end: everything below */
                    /* "**" + "/": zero or more whole directories */
                    const char *rest = after + 1;
                    for (const char *t = s;; t++) {
                        if ((t == s || t[-1] == '/') && wm(m, rest, pe, t, se, true))
                            return true;
                        if (t >= se)
                            return false;
                    }
                }
                /* any other run of stars is one star */
                p = after - 1;
            }
            p++;
            for (const char *t = s;; t++) {
                if (wm(m, p, pe, t, se, false))
                    return true;
                if (t >= se || *t == '/')
                    return false;
            }
        }
        if (s >= se)
            return false;
        if (pc == '?') {
            if (*s == '/')
                return false;
            p++;
            s++;
        } else if (pc == '[') {
            const char *end = NULL;
            int r = *s == '/' ? 0 : match_class(p + 1, pe, *s, &end);
            if (r < 0) {
                if (*s != '[')
                    return false;
                p++;
                s++;
                continue;
            }
            if (*s == '/' || !r)
                return false;
            p = end;
            s++;
        } else {
            if (pc == '\\' && p + 1 < pe)
                pc = *++p;
            if (pc != *s)
                return false;
            p++;
            s++;
        }
        at_start = false;
    }
    return s == se;
}

size_t ml_ignore_parse(ml_arena *a, const char *text, size_t len, ml_ignore_pat **out)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    ml_ignore_pat *pats = ml_alloc(a, lines * sizeof *pats);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const char *l = text + i;
        const char *nl = memchr(l, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - l) : len - i;
        i += ll + (nl ? 1 : 0);
        if (ll && l[ll - 1] == '\r')
            ll--;
        /* trailing spaces go unless the last one is escaped */
        while (ll && l[ll - 1] == ' ' && !(ll >= 2 && l[ll - 2] == '\\'))
            ll--;
        if (!ll || l[0] == '#')
            continue;
        ml_ignore_pat p;
        memset(&p, 0, sizeof p);
        if (l[0] == '!') {
            p.negate = true;
            l++;
            ll--;
        } else if (ll >= 2 && l[0] == '\\' && (l[1] == '!' || l[1] == '#')) {
            l++;
            ll--;
        }
        if (ll && l[ll - 1] == '/' && !(ll >= 2 && l[ll - 2] == '\\')) {
            p.dir_only = true;
            ll--;
        }
        if (!ll)
            continue;
        p.anchored = memchr(l, '/', ll) != NULL;
        if (l[0] == '/') {
            l++;
            ll--;
            if (!ll)
                continue; /* "/" alone names nothing */
        }
        p.pat = ml_strndup(a, l, ll);
        p.len = ll;
        pats[n++] = p;
    }
    *out = pats;
    return n;
}

bool ml_ignore_pat_match(const ml_ignore_pat *p, const char *rel, bool is_dir)
{
    long steps = 0;
    return pat_match(p, rel, is_dir, &steps);
}

static bool pat_match(const ml_ignore_pat *p, const char *rel, bool is_dir, long *steps)
{
    if (p->dir_only && !is_dir)
        return false;
    const char *s = rel;
    if (!p->anchored) {
        const char *slash = strrchr(rel, '/');
        if (slash)
            s = slash + 1;
    }
    matcher m = {0};
    bool r = wm(&m, p->pat, p->pat + p->len, s, s + strlen(s), true);
    *steps += m.steps;
    return r;
}

bool ml_ignore_push(ml_arena *a, ml_ignore *ig, const char *dir, const char *origin, const char *text, size_t len)
{
    ml_ignore_pat *pats = NULL;
    size_t n = ml_ignore_parse(a, text, len, &pats);
    if (!n)
        return false;
    ml_ignore_frame *f = ml_zalloc(a, sizeof *f);
    f->dir = ml_strdup(a, dir);
    f->dir_len = strlen(dir);
    f->origin = origin;
    f->pats = pats;
    f->n = n;
    ml_vec_push(a, &ig->frames, f);
    return true;
}

void ml_ignore_pop(ml_ignore *ig)
{
    if (ig->frames.n)
        ig->frames.n--;
}

bool ml_ignore_check(ml_ignore *ig, const char *path, bool is_dir)
{
    ig->allowed += ML_IGNORE_STEPS_PER_PATH;
    if (ig->exhausted || ig->spent > ML_IGNORE_BASE_STEPS + ig->allowed) {
        ig->exhausted = true;
        return false;
    }
    for (size_t k = ig->frames.n; k-- > 0;) {
        const ml_ignore_frame *f = ig->frames.items[k];
        const char *rel = path;
        if (f->dir_len) {
            if (strncmp(path, f->dir, f->dir_len) != 0 || path[f->dir_len] != '/')
                continue;
            rel = path + f->dir_len + 1;
        }
        for (size_t i = f->n; i-- > 0;) {
            if (++ig->spent > ML_IGNORE_BASE_STEPS + ig->allowed) {
                ig->exhausted = true;
                return false;
            }
            if (pat_match(&f->pats[i], rel, is_dir, &ig->spent))
                return !f->pats[i].negate;
        }
    }
    return false;
}
