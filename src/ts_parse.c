/*
 * ts_parse.c - scopes, bindings and expressions over a TypeScript token
 * stream.
 *
 * The extractor does not need a whole TypeScript parser: it needs to know
 * which declaration an identifier refers to, and the shape of the few
 * expressions that configure a server. So this module makes one linear pass
 * over the tokens that records block scopes (every { } pair, plus function
 * parameter lists with their bodies) as token intervals, and records every
 * const/let/var declarator, import, function parameter and destructuring
 * name in its scope. A lookup then walks the declarations of a name backwards
 * from the use and takes the first whose scope interval encloses the use,
 * which is the nearest enclosing declaration preceding it.
 *
 * Expressions are parsed on demand, from a given token, by a recursive
 * descent parser whose nesting is capped (ML_TS_MAX_DEPTH); anything deeper,
 * and every region the parser skips (function bodies, types), is jumped over
 * with the bracket table the tokenizer built, so no input can exhaust the C
 * stack.
 */
#include "meshlint/ts_lex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- token helpers ------------------------------------------------------ */

static const ml_tok *tk(const ml_ts_unit *u, uint32_t i)
{
    return &u->lx.toks[i < u->lx.n ? i : u->lx.n - 1];
}

static uint32_t tmatch(const ml_ts_unit *u, uint32_t i)
{
    return i < u->lx.n ? u->lx.match[i] : u->lx.n - 1;
}

bool ml_tok_is(const ml_ts_unit *u, uint32_t i, const char *word)
{
    const ml_tok *t = tk(u, i);
    if (t->kind != ML_TK_IDENT || u->src[t->off] != word[0])
        return false; /* most calls end here, before strlen and memcmp */
    size_t n = strlen(word);
    return t->end - t->off == n && memcmp(u->src + t->off, word, n) == 0;
}

bool ml_tok_p(const ml_ts_unit *u, uint32_t i, ml_punct p)
{
    const ml_tok *t = tk(u, i);
    return t->kind == ML_TK_PUNCT && t->punct == p;
}

static bool is_ident(const ml_ts_unit *u, uint32_t i) { return tk(u, i)->kind == ML_TK_IDENT; }

static bool word_in(const ml_ts_unit *u, uint32_t i, const char *const *list)
{
    if (!is_ident(u, i))
        return false;
    for (; *list; list++)
        if (ml_tok_is(u, i, *list))
            return true;
    return false;
}

/* Whether the member chain after the identifier at i changes what the
 * identifier holds: name.push(...) (or another array mutator) or an
 * assignment to a member, name.x = ... / name[k] += .... */
static bool mutates(const ml_ts_unit *u, uint32_t i)
{
    static const char *const mutators[] = {"push", "unshift", "splice", "pop", "shift", "fill",
                                           "copyWithin", "set", "delete", "clear", "add", NULL};
    uint32_t j = i + 1;
    for (int steps = 0; steps < 64; steps++) {
        if ((ml_tok_p(u, j, ML_P_DOT) || ml_tok_p(u, j, ML_P_QDOT)) && is_ident(u, j + 1)) {
            if (ml_tok_p(u, j + 2, ML_P_LPAREN))
                return word_in(u, j + 1, mutators);
            j += 2;
        } else if (ml_tok_p(u, j, ML_P_LBRACK)) {
            j = tmatch(u, j) + 1;
        } else {
            break;
        }
    }
    const ml_tok *t = tk(u, j);
    return j > i + 1 && t->kind == ML_TK_PUNCT &&
           (ml_punct_is_assign(t->punct) || t->punct == ML_P_INC || t->punct == ML_P_DEC);
}


static bool is_eof(const ml_ts_unit *u, uint32_t i) { return tk(u, i)->kind == ML_TK_EOF; }

ml_loc ml_ts_loc(const ml_ts_unit *u, uint32_t first, uint32_t last)
{
    ml_loc l;
    memset(&l, 0, sizeof l);
    if (!u->lx.n)
        return l;
    if (last < first)
        last = first;
    const ml_tok *a = tk(u, first), *b = tk(u, last);
    l.file = u->file;
    l.line = a->line;
    l.col = a->col;
    l.off = a->off;
    l.end_line = b->end_line;
    l.end_col = b->end_col;
    l.end_off = b->end;
    if (l.end_off < l.off) {
        l.end_off = l.off;
        l.end_line = l.line;
        l.end_col = l.col;
    }
    return l;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(ml_buf *b, unsigned long cp)
{
    if (cp < 0x80) {
        ml_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        ml_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        ml_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        ml_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        ml_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        ml_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        if (cp > 0x10FFFF)
            cp = 0xFFFD;
        ml_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        ml_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        ml_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        ml_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

const char *ml_tok_string(const ml_ts_unit *u, uint32_t i, size_t *len)
{
    const ml_tok *t = tk(u, i);
    uint32_t s = t->off, e = t->end;
    const char *src = u->src;
    switch (t->kind) {
    case ML_TK_STR:
        s++;
        if (!(t->flags & ML_TF_UNTERMINATED) && e > s)
            e--;
        break;
    case ML_TK_TEMPLATE:
    case ML_TK_TPL_TAIL:
        s++;
        if (!(t->flags & ML_TF_UNTERMINATED) && e > s)
            e--;
        break;
    case ML_TK_TPL_HEAD:
    case ML_TK_TPL_MID:
        s++;
        if (e >= s + 2)
            e -= 2;
        break;
    default:
        break;
    }
    if (e < s)
        e = s;
    ml_buf b;
    ml_buf_init(&b);
    for (uint32_t k = s; k < e; k++) {
        char c = src[k];
        if (c != '\\' || k + 1 >= e) {
            if (c == '\r' && (t->kind != ML_TK_STR)) {
                /* template literals normalise CRLF to LF */
                if (k + 1 < e && src[k + 1] == '\n')
                    continue;
                c = '\n';
            }
            ml_buf_putc(&b, c);
            continue;
        }
        char d = src[++k];
        switch (d) {
        case 'n': ml_buf_putc(&b, '\n'); break;
        case 't': ml_buf_putc(&b, '\t'); break;
        case 'r': ml_buf_putc(&b, '\r'); break;
        case 'b': ml_buf_putc(&b, '\b'); break;
        case 'f': ml_buf_putc(&b, '\f'); break;
        case 'v': ml_buf_putc(&b, '\v'); break;
        case '0': ml_buf_putc(&b, '\0'); break;
        case '\r':
            if (k + 1 < e && src[k + 1] == '\n')
                k++;
            break; /* line continuation */
        case '\n': break;
        case 'x':
            if (k + 2 < e && hexval(src[k + 1]) >= 0 && hexval(src[k + 2]) >= 0) {
                put_utf8(&b, (unsigned long)(hexval(src[k + 1]) * 16 + hexval(src[k + 2])));
                k += 2;
            } else {
                ml_buf_putc(&b, 'x');
            }
            break;
        case 'u': {
            unsigned long cp = 0;
            if (k + 1 < e && src[k + 1] == '{') {
                uint32_t q = k + 2;
                int digits = 0;
                while (q < e && hexval(src[q]) >= 0 && digits < 8) {
                    cp = cp * 16 + (unsigned long)hexval(src[q]);
                    q++;
                    digits++;
                }
                if (q < e && src[q] == '}' && digits) {
                    put_utf8(&b, cp);
                    k = q;
                } else {
                    ml_buf_putc(&b, 'u');
                }
            } else if (k + 4 < e && hexval(src[k + 1]) >= 0 && hexval(src[k + 2]) >= 0 &&
                       hexval(src[k + 3]) >= 0 && hexval(src[k + 4]) >= 0) {
                for (int q = 1; q <= 4; q++)
                    cp = cp * 16 + (unsigned long)hexval(src[k + q]);
                put_utf8(&b, cp);
                k += 4;
            } else {
                ml_buf_putc(&b, 'u');
            }
            break;
        }
        default: ml_buf_putc(&b, d); break;
        }
    }
    const char *r = ml_strndup(u->arena, b.s ? b.s : "", b.n);
    if (len)
        *len = b.n;
    ml_buf_free(&b);
    return r;
}

double ml_tok_number(const ml_ts_unit *u, uint32_t i)
{
    const ml_tok *t = tk(u, i);
    char buf[128];
    size_t n = 0;
    for (uint32_t k = t->off; k < t->end && n + 1 < sizeof buf; k++)
        if (u->src[k] != '_' && u->src[k] != 'n')
            buf[n++] = u->src[k];
    buf[n] = '\0';
    if (n >= 2 && buf[0] == '0' && buf[1] != '.' && buf[1] != 'e' && buf[1] != 'E') {
        int base = 0;
        switch (buf[1]) {
        case 'x': case 'X': base = 16; break;
        case 'o': case 'O': base = 8; break;
        case 'b': case 'B': base = 2; break;
        default: break;
        }
        if (base) {
            double v = 0;
            for (size_t k = 2; k < n; k++) {
                int d = hexval(buf[k]);
                if (d < 0 || d >= base)
                    break;
                v = v * base + d;
            }
            return v;
        }
    }
    return strtod(buf, NULL);
}

/* ---- skipping expressions and types -------------------------------------- */

static const char *const op_words[] = {"in", "instanceof", "typeof", "new", "delete", "void",
                                       "await", "yield", "as", "satisfies", "of", "return",
                                       "extends", "keyof", NULL};

static bool ends_expr(const ml_ts_unit *u, uint32_t i)
{
    const ml_tok *t = tk(u, i);
    switch (t->kind) {
    case ML_TK_IDENT:
        return !word_in(u, i, op_words);
    case ML_TK_NUM:
    case ML_TK_STR:
    case ML_TK_TEMPLATE:
    case ML_TK_TPL_TAIL:
    case ML_TK_REGEX:
    case ML_TK_PRIVATE:
        return true;
    case ML_TK_PUNCT:
        return t->punct == ML_P_RPAREN || t->punct == ML_P_RBRACK || t->punct == ML_P_RBRACE ||
               t->punct == ML_P_INC || t->punct == ML_P_DEC;
    default:
        return false;
    }
}

static bool starts_stmt(const ml_ts_unit *u, uint32_t i)
{
    static const char *const cont[] = {"as", "satisfies", "in", "instanceof", "of", NULL};
    const ml_tok *t = tk(u, i);
    switch (t->kind) {
    case ML_TK_IDENT:
        return !word_in(u, i, cont);
    case ML_TK_NUM:
    case ML_TK_STR:
    case ML_TK_PRIVATE:
        return true;
    case ML_TK_PUNCT:
        return t->punct == ML_P_INC || t->punct == ML_P_DEC || t->punct == ML_P_AT;
    default:
        return false;
    }
}

/* A line break between i-1 and i ends the statement (automatic semicolon). */
static bool asi_break(const ml_ts_unit *u, uint32_t i)
{
    return i > 0 && (tk(u, i)->flags & ML_TF_NL_BEFORE) && ends_expr(u, i - 1) && starts_stmt(u, i);
}

static bool is_closer_or_end(const ml_ts_unit *u, uint32_t i)
{
    const ml_tok *t = tk(u, i);
    if (t->kind == ML_TK_EOF || t->kind == ML_TK_TPL_MID || t->kind == ML_TK_TPL_TAIL)
        return true;
    return t->kind == ML_TK_PUNCT &&
           (t->punct == ML_P_RPAREN || t->punct == ML_P_RBRACK || t->punct == ML_P_RBRACE ||
            t->punct == ML_P_COMMA || t->punct == ML_P_SEMI);
}

static bool is_opener_tok(const ml_ts_unit *u, uint32_t i)
{
    const ml_tok *t = tk(u, i);
    return t->kind == ML_TK_TPL_HEAD ||
           (t->kind == ML_TK_PUNCT &&
            (t->punct == ML_P_LPAREN || t->punct == ML_P_LBRACK || t->punct == ML_P_LBRACE));
}

/* The first index j >= i at i's bracket level that ends an expression (a
 * closer, or a statement break), for every i, computed right to left in one
 * pass: skipping an expression must not be linear in what follows, since a
 * chain of arrows or nested calls skips from every one of its tokens. */
static uint32_t *expr_stops(const ml_ts_unit *u)
{
    uint32_t n = u->lx.n;
    uint32_t *stop = malloc(((size_t)n + 1) * sizeof *stop);
    if (!stop)
        return NULL;
    stop[n] = n - 1;
    for (uint32_t j = n; j-- > 0;) {
        if (is_closer_or_end(u, j) || asi_break(u, j)) {
            stop[j] = j;
        } else if (is_opener_tok(u, j)) {
            uint32_t m = tmatch(u, j);
            stop[j] = m > j && m < n ? stop[m + 1] : stop[j + 1];
        } else {
            stop[j] = stop[j + 1];
        }
    }
    return stop;
}

uint32_t ml_ts_skip_expr(const ml_ts_unit *u, uint32_t i)
{
    if (u->expr_stop) {
        if (i >= u->lx.n)
            return u->lx.n - 1;
        if (is_closer_or_end(u, i))
            return i;
        uint32_t m = tmatch(u, i);
        uint32_t next = is_opener_tok(u, i) && m > i ? m + 1 : i + 1;
        return next < u->lx.n ? u->expr_stop[next] : u->lx.n - 1;
    }
    uint32_t start = i;
    while (i < u->lx.n) {
        if (is_closer_or_end(u, i))
            return i;
        if (i > start && asi_break(u, i))
            return i;
        if (is_opener_tok(u, i)) {
            uint32_t m = tmatch(u, i);
            i = m > i ? m + 1 : i + 1;
            continue;
        }
        i++;
    }
    return u->lx.n - 1;
}

/* Skip a <...> list of type arguments at i. Returns the index after it, or
 * 0 when the tokens cannot be type arguments (then '<' is less-than). */
static uint32_t skip_angles(const ml_ts_unit *u, uint32_t i)
{
    if (!ml_tok_p(u, i, ML_P_LT))
        return 0;
    int depth = 0;
    for (uint32_t j = i; j < u->lx.n; j++) {
        const ml_tok *t = tk(u, j);
        if (t->kind == ML_TK_EOF)
            return 0;
        if (t->kind == ML_TK_TPL_HEAD) {
            j = tmatch(u, j);
            continue;
        }
        if (t->kind != ML_TK_PUNCT)
            continue;
        switch (t->punct) {
        case ML_P_LT: depth++; break;
        case ML_P_GT: depth--; break;
        case ML_P_SHR: depth -= 2; break;
        case ML_P_USHR: depth -= 3; break;
        case ML_P_LPAREN:
        case ML_P_LBRACK:
        case ML_P_LBRACE: {
            uint32_t m = tmatch(u, j);
            if (m <= j)
                return 0;
            j = m;
            break;
        }
        case ML_P_DOT: case ML_P_COMMA: case ML_P_PIPE: case ML_P_AMP: case ML_P_Q:
        case ML_P_COLON: case ML_P_ARROW: case ML_P_ASSIGN: case ML_P_MINUS: case ML_P_ELLIPSIS:
        case ML_P_SEMI: case ML_P_STAR:
            break;
        default:
            return 0;
        }
        if (depth <= 0)
            return depth == 0 ? j + 1 : 0;
    }
    return 0;
}

uint32_t ml_ts_skip_type(const ml_ts_unit *u, uint32_t i)
{
    static const char *const prefix[] = {"keyof", "typeof", "readonly", "unique", "infer",
                                         "asserts", "abstract", "new", NULL};
    uint32_t guard = 0;
    for (;;) {
        if (++guard > u->lx.n)
            return i;
        while (ml_tok_p(u, i, ML_P_PIPE) || ml_tok_p(u, i, ML_P_AMP))
            i++;
        while (word_in(u, i, prefix) && !ml_tok_p(u, i + 1, ML_P_COMMA) &&
               !ml_tok_p(u, i + 1, ML_P_RPAREN))
            i++;
        const ml_tok *t = tk(u, i);
        if (ml_tok_p(u, i, ML_P_LPAREN)) {
            uint32_t m = tmatch(u, i);
            i = (m > i ? m : i) + 1;
            if (ml_tok_p(u, i, ML_P_ARROW)) {
                i++;
                continue;
            }
        } else if (ml_tok_p(u, i, ML_P_LBRACK) || ml_tok_p(u, i, ML_P_LBRACE) ||
                   t->kind == ML_TK_TPL_HEAD) {
            uint32_t m = tmatch(u, i);
            i = (m > i ? m : i) + 1;
        } else if (ml_tok_p(u, i, ML_P_LT)) {
            uint32_t j = skip_angles(u, i);
            if (!j)
                return i;
            i = j;
            continue;
        } else if (t->kind == ML_TK_IDENT) {
            i++;
            while (ml_tok_p(u, i, ML_P_DOT) && is_ident(u, i + 1))
                i += 2;
            if (ml_tok_is(u, i, "is") && !(tk(u, i)->flags & ML_TF_NL_BEFORE)) {
                i++;
                continue; /* x is T */
            }
        } else if (t->kind == ML_TK_STR || t->kind == ML_TK_NUM || t->kind == ML_TK_TEMPLATE) {
            i++;
        } else if (ml_tok_p(u, i, ML_P_MINUS) && tk(u, i + 1)->kind == ML_TK_NUM) {
            i += 2;
        } else {
            return i;
        }
        for (;;) {
            if (ml_tok_p(u, i, ML_P_LT) && !(tk(u, i)->flags & ML_TF_NL_BEFORE)) {
                uint32_t j = skip_angles(u, i);
                if (!j)
                    break;
                i = j;
            } else if (ml_tok_p(u, i, ML_P_LBRACK) && !(tk(u, i)->flags & ML_TF_NL_BEFORE)) {
                uint32_t m = tmatch(u, i);
                i = (m > i ? m : i) + 1;
            } else {
                break;
            }
        }
        if (ml_tok_p(u, i, ML_P_PIPE) || ml_tok_p(u, i, ML_P_AMP)) {
            i++;
            continue;
        }
        return i;
    }
}

/* ---- scopes and bindings ------------------------------------------------ */

typedef struct scanner {
    ml_ts_unit *u;
    uint32_t *stack;
    uint32_t sp;
    uint8_t *decl_name; /* per token: this identifier is being declared */
} scanner;

static uint32_t new_scope(ml_ts_unit *u, uint32_t open, uint32_t close, uint32_t parent)
{
    if (u->nscopes == u->capscopes) {
        uint32_t cap = u->capscopes ? u->capscopes * 2 : 64;
        ml_ts_scope *s = realloc(u->scopes, (size_t)cap * sizeof *s);
        if (!s)
            return parent; /* out of memory: fold into the parent */
        u->scopes = s;
        u->capscopes = cap;
    }
    if (u->nscopes > 0 && close > u->scopes[parent].close)
        close = u->scopes[parent].close;
    if (close < open)
        close = open;
    ml_ts_scope *s = &u->scopes[u->nscopes];
    s->open = open;
    s->close = close;
    s->parent = parent;
    return u->nscopes++;
}

static void push_scope(scanner *sc, uint32_t open, uint32_t close)
{
    uint32_t parent = sc->stack[sc->sp - 1];
    uint32_t id = new_scope(sc->u, open, close, parent);
    if (id != parent)
        sc->stack[sc->sp++] = id;
}

static const char *tok_text(const ml_ts_unit *u, uint32_t i)
{
    const ml_tok *t = tk(u, i);
    return ml_strndup(u->arena, u->src + t->off, t->end - t->off);
}

static ml_ts_binding *add_binding(scanner *sc, ml_bind_kind kind, uint32_t name_tok, uint32_t scope)
{
    ml_ts_unit *u = sc->u;
    if (!is_ident(u, name_tok))
        return NULL;
    ml_ts_binding *b = ml_zalloc(u->arena, sizeof *b);
    b->kind = (uint8_t)kind;
    b->tok = name_tok;
    b->scope = scope;
    b->init = UINT32_MAX;
    b->dflt = UINT32_MAX;
    b->name = tok_text(u, name_tok);
    const ml_tok *t = tk(u, name_tok);
    ml_map_push(&u->bindings, u->arena, u->src + t->off, t->end - t->off, b);
    if (name_tok < u->lx.n)
        sc->decl_name[name_tok] = 1;
    return b;
}

static bool module_is_connectum(const char *m) { return ml_starts_with(m, "@connectum/"); }

/* Bind every identifier in binding position inside a pattern or parameter
 * list spanning tokens (open, close). Default values and type annotations
 * are skipped. */
static void bind_names(scanner *sc, uint32_t open, uint32_t close, uint32_t scope, ml_bind_kind kind)
{
    ml_ts_unit *u = sc->u;
    static const char *const modifiers[] = {"public", "private", "protected", "readonly",
                                            "override", NULL};
    int depth = 0;
    for (uint32_t p = open + 1; p < close && p < u->lx.n;) {
        const ml_tok *t = tk(u, p);
        if (t->kind == ML_TK_PUNCT) {
            switch (t->punct) {
            case ML_P_LBRACE:
            case ML_P_LBRACK:
                depth++;
                p++;
                continue;
            case ML_P_RBRACE:
            case ML_P_RBRACK:
                depth--;
                p++;
                continue;
            case ML_P_LPAREN: {
                uint32_t m = tmatch(u, p);
                p = m > p ? m + 1 : p + 1;
                continue;
            }
            case ML_P_ASSIGN: {
                uint32_t q = ml_ts_skip_expr(u, p + 1);
                p = q > p ? q : p + 1;
                continue;
            }
            case ML_P_COLON:
                if (depth == 0) {
                    uint32_t q = ml_ts_skip_type(u, p + 1);
                    p = q > p ? q : p + 1;
                    continue;
                }
                break;
            default:
                break;
            }
            p++;
            continue;
        }
        if (t->kind == ML_TK_TPL_HEAD) {
            p = tmatch(u, p) + 1;
            continue;
        }
        if (t->kind == ML_TK_IDENT && !word_in(u, p, modifiers)) {
            const ml_tok *nx = tk(u, p + 1);
            bool follows = nx->kind == ML_TK_PUNCT &&
                           (nx->punct == ML_P_COMMA || nx->punct == ML_P_RPAREN ||
                            nx->punct == ML_P_RBRACE || nx->punct == ML_P_RBRACK ||
                            nx->punct == ML_P_ASSIGN ||
                            (depth == 0 && (nx->punct == ML_P_COLON || nx->punct == ML_P_Q)));
            if (p + 1 == close)
                follows = true;
            if (follows && !ml_tok_p(u, p - 1, ML_P_DOT))
                add_binding(sc, kind, p, scope);
        }
        p++;
    }
}

/* const { a, b: c = 1, ...rest } = init: one level of object pattern. */
static void bind_object_pattern(scanner *sc, uint32_t open, uint32_t close, uint32_t init,
                                uint32_t scope, const char *module)
{
    ml_ts_unit *u = sc->u;
    uint32_t p = open + 1;
    while (p < close) {
        uint32_t end = ml_ts_skip_expr(u, p); /* the element ends at , or } */
        if (end <= p)
            end = p + 1;
        if (ml_tok_p(u, p, ML_P_ELLIPSIS)) {
            add_binding(sc, ML_B_PATTERN, p + 1, scope);
        } else if ((is_ident(u, p) || tk(u, p)->kind == ML_TK_STR) && ml_tok_p(u, p + 1, ML_P_COLON)) {
            const char *key = is_ident(u, p) ? tok_text(u, p) : ml_tok_string(u, p, NULL);
            if (is_ident(u, p + 2) &&
                (p + 3 >= end || ml_tok_p(u, p + 3, ML_P_ASSIGN))) {
                ml_ts_binding *b = add_binding(sc, module ? ML_B_IMPORT : ML_B_DESTRUCT, p + 2, scope);
                if (b) {
                    b->key = key;
                    b->init = init;
                    b->module = module;
                    if (ml_tok_p(u, p + 3, ML_P_ASSIGN))
                        b->dflt = p + 4;
                }
            } else {
                bind_names(sc, p + 1, end, scope, ML_B_PATTERN);
            }
        } else if (is_ident(u, p) && (p + 1 >= end || ml_tok_p(u, p + 1, ML_P_ASSIGN))) {
            ml_ts_binding *b = add_binding(sc, module ? ML_B_IMPORT : ML_B_DESTRUCT, p, scope);
            if (b) {
                b->key = b->name;
                b->init = init;
                b->module = module;
                if (ml_tok_p(u, p + 1, ML_P_ASSIGN))
                    b->dflt = p + 2;
            }
        } else {
            bind_names(sc, p - 1, end, scope, ML_B_PATTERN);
        }
        p = end;
        if (ml_tok_p(u, p, ML_P_COMMA))
            p++;
        else
            break;
    }
}

/* `require("m")` starting at i: the module name, or NULL. */
static const char *require_module(const ml_ts_unit *u, uint32_t i)
{
    if (i == UINT32_MAX || !ml_tok_is(u, i, "require") || !ml_tok_p(u, i + 1, ML_P_LPAREN) ||
        tk(u, i + 2)->kind != ML_TK_STR || !ml_tok_p(u, i + 3, ML_P_RPAREN))
        return NULL;
    return ml_tok_string(u, i + 2, NULL);
}

static void scan_declaration(scanner *sc, uint32_t i, ml_bind_kind kind, uint32_t scope)
{
    ml_ts_unit *u = sc->u;
    bool exported = i > 0 && ml_tok_is(u, i - 1, "export");
    uint32_t j = i + 1;
    for (int guard = 0; guard < 100000; guard++) {
        uint32_t e;
        if (is_ident(u, j)) {
            uint32_t name = j++;
            if (ml_tok_p(u, j, ML_P_BANG))
                j++;
            if (ml_tok_p(u, j, ML_P_COLON))
                j = ml_ts_skip_type(u, j + 1);
            uint32_t init = ml_tok_p(u, j, ML_P_ASSIGN) ? j + 1 : UINT32_MAX;
            const char *mod = require_module(u, init);
            ml_ts_binding *b = add_binding(sc, mod ? ML_B_IMPORT_NS : kind, name, scope);
            if (b) {
                b->init = init;
                b->exported = exported;
                b->module = mod;
                if (mod && module_is_connectum(mod))
                    u->has_connectum = true;
            }
            e = init != UINT32_MAX ? ml_ts_skip_expr(u, init) : j;
        } else if (ml_tok_p(u, j, ML_P_LBRACE) || ml_tok_p(u, j, ML_P_LBRACK)) {
            uint32_t open = j, close = tmatch(u, j);
            if (close <= open)
                return;
            j = close + 1;
            if (ml_tok_p(u, j, ML_P_COLON))
                j = ml_ts_skip_type(u, j + 1);
            uint32_t init = ml_tok_p(u, j, ML_P_ASSIGN) ? j + 1 : UINT32_MAX;
            if (ml_tok_p(u, open, ML_P_LBRACE) && init != UINT32_MAX) {
                const char *mod = require_module(u, init);
                if (mod && module_is_connectum(mod))
                    u->has_connectum = true;
                bind_object_pattern(sc, open, close, init, scope, mod);
            } else {
                bind_names(sc, open - 1, close + 1, scope, ML_B_PATTERN);
            }
            e = init != UINT32_MAX ? ml_ts_skip_expr(u, init) : j;
        } else {
            return;
        }
        if (!ml_tok_p(u, e, ML_P_COMMA))
            return;
        j = e + 1;
    }
}

static void scan_import(scanner *sc, uint32_t i)
{
    ml_ts_unit *u = sc->u;
    uint32_t j = i + 1;
    if (ml_tok_p(u, j, ML_P_LPAREN) || ml_tok_p(u, j, ML_P_DOT))
        return; /* import(...) / import.meta */
    if (ml_tok_is(u, j, "type") && !ml_tok_p(u, j + 1, ML_P_COMMA) && !ml_tok_is(u, j + 1, "from"))
        return; /* type-only */
    uint32_t dflt = UINT32_MAX, ns = UINT32_MAX, lbrace = UINT32_MAX;
    if (tk(u, j)->kind == ML_TK_STR) {
        const char *mod = ml_tok_string(u, j, NULL);
        if (module_is_connectum(mod))
            u->has_connectum = true;
        return;
    }
    if (is_ident(u, j) && !ml_tok_is(u, j, "from")) {
        dflt = j++;
        if (ml_tok_p(u, j, ML_P_ASSIGN)) { /* import x = require("m") */
            const char *mod = require_module(u, j + 1);
            if (mod) {
                ml_ts_binding *b = add_binding(sc, ML_B_IMPORT_NS, dflt, 0);
                if (b)
                    b->module = mod;
                if (module_is_connectum(mod))
                    u->has_connectum = true;
            }
            return;
        }
        if (ml_tok_p(u, j, ML_P_COMMA))
            j++;
    } else if (ml_tok_is(u, j, "from") && ml_tok_is(u, j + 1, "from")) {
        dflt = j++;
    }
    if (ml_tok_p(u, j, ML_P_STAR) && ml_tok_is(u, j + 1, "as") && is_ident(u, j + 2)) {
        ns = j + 2;
        j += 3;
    } else if (ml_tok_p(u, j, ML_P_LBRACE)) {
        lbrace = j;
        uint32_t m = tmatch(u, j);
        j = m > j ? m + 1 : j + 1;
    }
    if (!ml_tok_is(u, j, "from") || tk(u, j + 1)->kind != ML_TK_STR)
        return;
    const char *mod = ml_tok_string(u, j + 1, NULL);
    if (module_is_connectum(mod))
        u->has_connectum = true;
    if (dflt != UINT32_MAX) {
        ml_ts_binding *b = add_binding(sc, ML_B_IMPORT_DEFAULT, dflt, 0);
        if (b) {
            b->module = mod;
            b->key = "default";
        }
    }
    if (ns != UINT32_MAX) {
        ml_ts_binding *b = add_binding(sc, ML_B_IMPORT_NS, ns, 0);
        if (b)
            b->module = mod;
    }
    if (lbrace != UINT32_MAX) {
        uint32_t close = tmatch(u, lbrace);
        uint32_t p = lbrace + 1;
        while (p < close) {
            if (ml_tok_is(u, p, "type") && (is_ident(u, p + 1) || tk(u, p + 1)->kind == ML_TK_STR) &&
                !ml_tok_is(u, p + 1, "as")) {
                /* import { type X }: no value */
                while (p < close && !ml_tok_p(u, p, ML_P_COMMA))
                    p++;
                p++;
                continue;
            }
            uint32_t key = p, local = p;
            if (ml_tok_is(u, p + 1, "as")) {
                local = p + 2;
                p += 3;
            } else {
                p++;
            }
            const char *keyname = tk(u, key)->kind == ML_TK_STR ? ml_tok_string(u, key, NULL)
                                                               : tok_text(u, key);
            ml_ts_binding *b = add_binding(sc, ML_B_IMPORT, local, 0);
            if (b) {
                b->module = mod;
                b->key = keyname;
            }
            while (p < close && !ml_tok_p(u, p, ML_P_COMMA))
                p++;
            p++;
        }
    }
}

/* export { a, b as c }; (without from): remember the names for a second pass */
static void scan_export_list(scanner *sc, uint32_t i, ml_vec *pending)
{
    ml_ts_unit *u = sc->u;
    uint32_t open = i + 1, close = tmatch(u, open);
    if (close <= open || ml_tok_is(u, close + 1, "from"))
        return;
    for (uint32_t p = open + 1; p < close;) {
        if (is_ident(u, p)) {
            uint32_t local = p, exported = p;
            if (ml_tok_is(u, p + 1, "as") && p + 2 < close) {
                exported = p + 2;
                p += 3;
            } else {
                p++;
            }
            ml_vec_push(u->arena, pending, (void *)(uintptr_t)local);
            ml_vec_push(u->arena, pending, (void *)(uintptr_t)exported);
        }
        while (p < close && !ml_tok_p(u, p, ML_P_COMMA))
            p++;
        p++;
    }
}

static const char *const control_words[] = {"if", "while", "switch", "with", "for", "return",
                                            "typeof", "await", "yield", "new", "in", "of",
                                            "instanceof", "delete", "void", "case", "else",
                                            "do", "throw", NULL};

/* A '(' at i: parameter lists of functions, methods, arrows and catch
 * clauses get a scope from the '(' to the end of the body; a for(...)
 * head gets a scope spanning the loop. */
static void scan_paren(scanner *sc, uint32_t i)
{
    ml_ts_unit *u = sc->u;
    uint32_t j = tmatch(u, i);
    if (j <= i)
        return;
    uint32_t prev = i > 0 ? i - 1 : UINT32_MAX;
    if (prev != UINT32_MAX && ml_tok_is(u, prev, "for")) {
        uint32_t end = ml_tok_p(u, j + 1, ML_P_LBRACE) ? tmatch(u, j + 1) : j;
        push_scope(sc, i, end);
        return;
    }
    if (prev != UINT32_MAX && ml_tok_is(u, prev, "catch")) {
        if (ml_tok_p(u, j + 1, ML_P_LBRACE)) {
            push_scope(sc, i, tmatch(u, j + 1));
            bind_names(sc, i, j, sc->stack[sc->sp - 1], ML_B_PARAM);
        }
        return;
    }
    uint32_t k = j + 1;
    if (ml_tok_p(u, k, ML_P_COLON))
        k = ml_ts_skip_type(u, k + 1);
    bool fn_kw = false;
    if (prev != UINT32_MAX) {
        if (ml_tok_is(u, prev, "function"))
            fn_kw = true;
        else if (prev >= 1 && (is_ident(u, prev) || ml_tok_p(u, prev, ML_P_STAR)) &&
                 ml_tok_is(u, prev - 1, "function"))
            fn_kw = true;
        else if (prev >= 2 && is_ident(u, prev) && ml_tok_p(u, prev - 1, ML_P_STAR) &&
                 ml_tok_is(u, prev - 2, "function"))
            fn_kw = true;
        else if (ml_tok_p(u, prev, ML_P_GT)) {
            /* function f<T>( / method<T>( : find the '<' */
            uint32_t q = prev;
            int d = 0, steps = 0;
            while (q > 0 && steps++ < 256) {
                if (ml_tok_p(u, q, ML_P_GT))
                    d++;
                else if (ml_tok_p(u, q, ML_P_LT) && --d == 0)
                    break;
                q--;
            }
            if (d == 0 && q >= 1 && is_ident(u, q - 1))
                prev = q - 1;
        }
    }
    uint32_t end = UINT32_MAX;
    if (ml_tok_p(u, k, ML_P_ARROW)) {
        if (ml_tok_p(u, k + 1, ML_P_LBRACE))
            end = tmatch(u, k + 1);
        else {
            uint32_t e = ml_ts_skip_expr(u, k + 1);
            end = e > k + 1 ? e - 1 : k + 1;
        }
    } else if (ml_tok_p(u, k, ML_P_LBRACE)) {
        bool method = prev != UINT32_MAX && is_ident(u, prev) && !word_in(u, prev, control_words) &&
                      !(prev > 0 && (ml_tok_p(u, prev - 1, ML_P_DOT) || ml_tok_p(u, prev - 1, ML_P_QDOT)));
        if (fn_kw || method || (prev != UINT32_MAX && ml_tok_p(u, prev, ML_P_RBRACK)))
            end = tmatch(u, k);
    }
    if (end == UINT32_MAX)
        return;
    push_scope(sc, i, end);
    bind_names(sc, i, j, sc->stack[sc->sp - 1], ML_B_PARAM);
}

static int cmp_binding(const void *a, const void *b)
{
    const ml_ts_binding *x = *(ml_ts_binding *const *)a, *y = *(ml_ts_binding *const *)b;
    return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static void scan(ml_ts_unit *u)
{
    uint32_t n = u->lx.n;
    scanner sc;
    sc.u = u;
    sc.stack = malloc(((size_t)n + 2) * sizeof *sc.stack);
    sc.decl_name = calloc((size_t)n + 1, 1);
    u->tok_scope = malloc(((size_t)n + 1) * sizeof *u->tok_scope);
    if (!sc.stack || !sc.decl_name || !u->tok_scope) {
        free(sc.stack);
        free(sc.decl_name);
        free(u->tok_scope);
        u->tok_scope = NULL;
        return;
    }
    sc.sp = 0;
    sc.stack[sc.sp++] = new_scope(u, 0, n - 1, 0);
    ml_vec pending_exports = {0};

    for (uint32_t i = 0; i < n; i++) {
        while (sc.sp > 1 && u->scopes[sc.stack[sc.sp - 1]].close < i)
            sc.sp--;
        const ml_tok *t = &u->lx.toks[i];
        if (t->kind == ML_TK_PUNCT && t->punct == ML_P_LBRACE)
            push_scope(&sc, i, tmatch(u, i));
        uint32_t cur = sc.stack[sc.sp - 1];
        u->tok_scope[i] = cur;
        if (t->kind == ML_TK_PUNCT) {
            if (t->punct == ML_P_LPAREN)
                scan_paren(&sc, i);
            else if ((t->punct == ML_P_INC || t->punct == ML_P_DEC) && is_ident(u, i + 1) &&
                     !ml_tok_p(u, i - 1, ML_P_DOT))
                ml_map_put(&u->reassigned, u->src + tk(u, i + 1)->off,
                           tk(u, i + 1)->end - tk(u, i + 1)->off, (void *)1);
            continue;
        }
        if (t->kind != ML_TK_IDENT)
            continue;
        bool after_dot = i > 0 && (ml_tok_p(u, i - 1, ML_P_DOT) || ml_tok_p(u, i - 1, ML_P_QDOT));
        if (after_dot)
            continue;
        if (ml_tok_p(u, i + 1, ML_P_COLON) && !ml_tok_is(u, i, "case"))
            continue; /* an object key or a label */
        const ml_tok *nx = tk(u, i + 1);
        if (ml_tok_is(u, i, "const") || ml_tok_is(u, i, "let") || ml_tok_is(u, i, "var")) {
            if (nx->kind == ML_TK_IDENT || ml_tok_p(u, i + 1, ML_P_LBRACE) ||
                ml_tok_p(u, i + 1, ML_P_LBRACK)) {
                ml_bind_kind k = ml_tok_is(u, i, "const") ? ML_B_CONST
                                 : ml_tok_is(u, i, "let") ? ML_B_LET : ML_B_VAR;
                scan_declaration(&sc, i, k, cur);
            }
            continue;
        }
        if (ml_tok_is(u, i, "function")) {
            uint32_t j = i + 1;
            if (ml_tok_p(u, j, ML_P_STAR))
                j++;
            /* a declaration binds its name in the enclosing scope */
            if (is_ident(u, j) && !sc.decl_name[j]) {
                ml_ts_binding *b = add_binding(&sc, ML_B_FUNC, j, cur);
                if (b && ml_tok_is(u, i - 1, "export"))
                    b->exported = true;
            }
            continue;
        }
        if (ml_tok_is(u, i, "class")) {
            if (is_ident(u, i + 1) && !ml_tok_is(u, i + 1, "extends") && !ml_tok_is(u, i + 1, "implements"))
                add_binding(&sc, ML_B_CLASS, i + 1, cur);
            continue;
        }
        if (ml_tok_is(u, i, "import")) {
            scan_import(&sc, i);
            continue;
        }
        if (ml_tok_is(u, i, "export") && ml_tok_p(u, i + 1, ML_P_LBRACE) && cur == 0) {
            scan_export_list(&sc, i, &pending_exports);
            continue;
        }
        if (nx->kind == ML_TK_PUNCT && nx->punct == ML_P_ARROW && !sc.decl_name[i]) {
            /* x => body */
            uint32_t end;
            if (ml_tok_p(u, i + 2, ML_P_LBRACE))
                end = tmatch(u, i + 2);
            else {
                uint32_t e = ml_ts_skip_expr(u, i + 2);
                end = e > i + 2 ? e - 1 : i + 2;
            }
            push_scope(&sc, i, end);
            add_binding(&sc, ML_B_PARAM, i, sc.stack[sc.sp - 1]);
            u->tok_scope[i] = sc.stack[sc.sp - 1];
            continue;
        }
        if (!sc.decl_name[i] && nx->kind == ML_TK_PUNCT &&
            ((ml_punct_is_assign(nx->punct)) || nx->punct == ML_P_INC || nx->punct == ML_P_DEC))
            ml_map_put(&u->reassigned, u->src + t->off, t->end - t->off, (void *)1);
        if (!sc.decl_name[i] && nx->kind == ML_TK_PUNCT &&
            (nx->punct == ML_P_DOT || nx->punct == ML_P_QDOT || nx->punct == ML_P_LBRACK) && mutates(u, i))
            ml_map_put(&u->mutated, u->src + t->off, t->end - t->off, (void *)1);
        if (ml_tok_is(u, i, "Object") && ml_tok_p(u, i + 1, ML_P_DOT) && ml_tok_is(u, i + 2, "assign") &&
            ml_tok_p(u, i + 3, ML_P_LPAREN) && is_ident(u, i + 4) &&
            (ml_tok_p(u, i + 5, ML_P_COMMA) || ml_tok_p(u, i + 5, ML_P_RPAREN)))
            ml_map_put(&u->mutated, u->src + tk(u, i + 4)->off, tk(u, i + 4)->end - tk(u, i + 4)->off, (void *)1);
    }

    /* lookups walk each name's declarations in token order */
    for (size_t s = 0; s < u->bindings.cap; s++)
        if (u->bindings.slots[s].key)
            ml_vec_sort((ml_vec *)u->bindings.slots[s].value, cmp_binding);

    /* exports */
    for (size_t s = 0; s < u->bindings.cap; s++) {
        if (!u->bindings.slots[s].key)
            continue;
        ML_VEC_EACH(ml_ts_binding *, b, (ml_vec *)u->bindings.slots[s].value) {
            if (b->exported && b->scope == 0)
                ml_map_put(&u->exports, b->name, strlen(b->name), b);
        }
    }
    for (size_t k = 0; k + 1 < pending_exports.n; k += 2) {
        uint32_t local = (uint32_t)(uintptr_t)pending_exports.items[k];
        uint32_t exported = (uint32_t)(uintptr_t)pending_exports.items[k + 1];
        const ml_tok *lt = tk(u, local);
        ml_ts_binding *b = ml_ts_lookup(u, u->src + lt->off, lt->end - lt->off, local);
        if (b) {
            const char *name = tok_text(u, exported);
            ml_map_put(&u->exports, name, strlen(name), b);
        }
    }
    free(sc.stack);
    free(sc.decl_name);
}

bool ml_ts_unit_init(ml_ts_unit *u, ml_arena *a, ml_file *f, const char *src, uint32_t start,
                     uint32_t end, uint32_t line, uint32_t col)
{
    memset(u, 0, sizeof *u);
    u->file = f;
    u->src = src;
    u->arena = a;
    ml_map_init(&u->bindings);
    ml_map_init(&u->reassigned);
    ml_map_init(&u->mutated);
    ml_map_init(&u->exports);
    if (!ml_ts_lex(src, start, end, line, col, &u->lx))
        return false;
    u->expr_stop = expr_stops(u);
    u->parse_left = ML_TS_PARSE_BUDGET(u->lx.n);
    scan(u);
    if (!u->tok_scope || !u->expr_stop) {
        ml_ts_unit_free(u);
        return false;
    }
    return true;
}

void ml_ts_unit_free(ml_ts_unit *u)
{
    ml_ts_lex_free(&u->lx);
    free(u->tok_scope);
    free(u->expr_stop);
    free(u->scopes);
    ml_map_free(&u->bindings);
    ml_map_free(&u->reassigned);
    ml_map_free(&u->mutated);
    ml_map_free(&u->exports);
    u->tok_scope = NULL;
    u->expr_stop = NULL;
    u->scopes = NULL;
    u->nscopes = u->capscopes = 0;
}

static bool encloses(const ml_ts_unit *u, uint32_t scope, uint32_t use)
{
    const ml_ts_scope *s = &u->scopes[scope];
    return s->open <= use && use <= s->close;
}

ml_ts_binding *ml_ts_lookup(const ml_ts_unit *u, const char *name, size_t len, uint32_t use)
{
    const ml_vec *v = ml_map_vec(&u->bindings, name, len);
    if (!v || !v->n)
        return NULL;
    /* the last declaration at or before the use */
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (((ml_ts_binding *)v->items[mid])->tok <= use)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k-- > 0;) {
        ml_ts_binding *b = v->items[k];
        if (encloses(u, b->scope, use))
            return b;
    }
    /* declared later in an enclosing scope (a function body referring to a
     * module-level const declared below it) */
    for (size_t k = lo; k < v->n; k++) {
        ml_ts_binding *b = v->items[k];
        if (encloses(u, b->scope, use) && b->scope != u->tok_scope[use < u->lx.n ? use : u->lx.n - 1])
            return b;
    }
    return NULL;
}

ml_ts_binding *ml_ts_export(const ml_ts_unit *u, const char *name)
{
    return ml_map_gets(&u->exports, name);
}

/* ---- expression parser -------------------------------------------------- */

typedef struct parser {
    ml_ts_unit *u;
    uint32_t i;
    unsigned depth;
} parser;

static ml_ts_node *mk(parser *p, ml_nk kind, uint32_t first)
{
    if (first >= p->u->lx.n)
        first = p->u->lx.n - 1; /* one past EOF: the EOF token */
    ml_ts_node *n = ml_zalloc(p->u->arena, sizeof *n);
    if (p->u->parse_left)
        p->u->parse_left--;
    n->kind = (uint8_t)kind;
    n->first = first;
    n->last = first;
    n->height = 1;
    return n;
}

static ml_ts_node *unknown(parser *p, uint32_t first, uint32_t last, const char *why)
{
    ml_ts_node *n = mk(p, ML_N_UNKNOWN, first);
    n->last = last < n->first ? n->first : last;
    if (n->last >= p->u->lx.n)
        n->last = p->u->lx.n - 1;
    n->why = why;
    return n;
}

static uint16_t hmax(uint16_t a, const ml_ts_node *n) { return n && n->height > a ? n->height : a; }

/* A child too tall to keep: a property or spread keeps its place (and its
 * key) and only its value becomes unknown; anything else is replaced. */
static ml_ts_node *shrink(parser *p, ml_ts_node *c)
{
    if ((c->kind == ML_N_PROP || c->kind == ML_N_SPREAD) && c->a) {
        c->a = unknown(p, c->a->first, c->a->last, "expression nested too deeply");
        c->height = 2;
        return c;
    }
    return unknown(p, c->first, c->last, "expression nested too deeply");
}

static uint16_t child_height(const ml_ts_node *n)
{
    uint16_t h = 0;
    h = hmax(h, n->a);
    h = hmax(h, n->b2);
    h = hmax(h, n->c);
    for (uint32_t k = 0; k < n->nkids; k++)
        h = hmax(h, n->kids[k]);
    return h;
}

/* Set the height from the children. Children that would make the node
 * taller than the cap are cut (become unknown), so that the evaluator's
 * recursion stays bounded while the node itself, and its other children,
 * keep their meaning. */
static ml_ts_node *fin(parser *p, ml_ts_node *n)
{
    uint16_t h = child_height(n);
    if (h >= ML_TS_MAX_DEPTH - 1) {
        const uint16_t cut = ML_TS_MAX_DEPTH - 2;
        if (n->a && n->a->height >= cut)
            n->a = shrink(p, n->a);
        if (n->b2 && n->b2->height >= cut)
            n->b2 = shrink(p, n->b2);
        if (n->c && n->c->height >= cut)
            n->c = shrink(p, n->c);
        for (uint32_t k = 0; k < n->nkids; k++)
            if (n->kids[k] && n->kids[k]->height >= cut)
                n->kids[k] = shrink(p, n->kids[k]);
        h = child_height(n);
    }
    n->height = (uint16_t)(h + 1);
    if (n->last >= p->u->lx.n)
        n->last = p->u->lx.n - 1;
    if (n->last < n->first)
        n->last = n->first;
    return n;
}

typedef struct kidlist {
    ml_ts_node **items;
    uint32_t n, cap;
} kidlist;

static void kid_push(parser *p, kidlist *k, ml_ts_node *n)
{
    if (k->n == k->cap) {
        uint32_t cap = k->cap ? k->cap * 2 : 8;
        ml_ts_node **items = ml_alloc(p->u->arena, (size_t)cap * sizeof *items);
        if (k->n)
            memcpy(items, k->items, (size_t)k->n * sizeof *items);
        k->items = items;
        k->cap = cap;
    }
    k->items[k->n++] = n;
}

static ml_ts_node *parse_assign(parser *p);
static ml_ts_node *parse_unary(parser *p);

static bool at_p(parser *p, ml_punct q) { return ml_tok_p(p->u, p->i, q); }

/* Resynchronise after a bracketed region that started at open. */
static void resync(parser *p, uint32_t open)
{
    uint32_t m = tmatch(p->u, open);
    p->i = m > open ? m + 1 : open + 1;
    if (p->i > p->u->lx.n)
        p->i = p->u->lx.n; /* one past EOF at most */
}

static ml_ts_node *skip_func_body_from(parser *p, uint32_t first, uint32_t k)
{
    /* k: first token after the parameter list */
    ml_ts_unit *u = p->u;
    if (ml_tok_p(u, k, ML_P_COLON))
        k = ml_ts_skip_type(u, k + 1);
    ml_ts_node *n = mk(p, ML_N_FUNC, first);
    if (ml_tok_p(u, k, ML_P_ARROW)) {
        k++;
        if (ml_tok_p(u, k, ML_P_LBRACE)) {
            p->i = k;
            resync(p, k);
        } else {
            p->i = k;
            (void)parse_assign(p); /* parsed for its extent only */
        }
    } else if (ml_tok_p(u, k, ML_P_LBRACE)) {
        p->i = k;
        resync(p, k);
    } else {
        p->i = k;
    }
    n->last = p->i > first ? p->i - 1 : first;
    return fin(p, n);
}

/* Arrow function at p->i? ( ... ) [: T] =>, x =>, async x =>, async ( ... ) => */
static bool arrow_ahead(parser *p)
{
    ml_ts_unit *u = p->u;
    uint32_t i = p->i;
    if (ml_tok_is(u, i, "async") && !(tk(u, i + 1)->flags & ML_TF_NL_BEFORE) &&
        (is_ident(u, i + 1) || ml_tok_p(u, i + 1, ML_P_LPAREN) || ml_tok_p(u, i + 1, ML_P_LT)))
        i++;
    if (ml_tok_p(u, i, ML_P_LT)) {
        uint32_t j = skip_angles(u, i);
        if (!j)
            return false;
        i = j;
    }
    if (is_ident(u, i))
        return ml_tok_p(u, i + 1, ML_P_ARROW);
    if (!ml_tok_p(u, i, ML_P_LPAREN))
        return false;
    uint32_t j = tmatch(u, i);
    if (j <= i)
        return false;
    if (ml_tok_p(u, j + 1, ML_P_ARROW))
        return true;
    if (ml_tok_p(u, j + 1, ML_P_COLON)) {
        uint32_t k = ml_ts_skip_type(u, j + 2);
        return ml_tok_p(u, k, ML_P_ARROW);
    }
    return false;
}

static ml_ts_node *parse_arrow(parser *p)
{
    ml_ts_unit *u = p->u;
    uint32_t first = p->i;
    uint32_t i = first;
    if (ml_tok_is(u, i, "async") && !ml_tok_p(u, i + 1, ML_P_ARROW))
        i++;
    if (ml_tok_p(u, i, ML_P_LT)) {
        uint32_t j = skip_angles(u, i);
        i = j ? j : i + 1;
    }
    uint32_t k;
    if (is_ident(u, i))
        k = i + 1;
    else
        k = tmatch(u, i) + 1;
    return skip_func_body_from(p, first, k);
}

static ml_ts_node *parse_function(parser *p)
{
    ml_ts_unit *u = p->u;
    uint32_t first = p->i, i = p->i + 1;
    if (ml_tok_p(u, i, ML_P_STAR))
        i++;
    if (is_ident(u, i))
        i++;
    if (ml_tok_p(u, i, ML_P_LT)) {
        uint32_t j = skip_angles(u, i);
        i = j ? j : i + 1;
    }
    if (!ml_tok_p(u, i, ML_P_LPAREN)) {
        p->i = i;
        return unknown(p, first, i, "function expression");
    }
    return skip_func_body_from(p, first, tmatch(u, i) + 1);
}

static ml_ts_node *parse_class(parser *p)
{
    ml_ts_unit *u = p->u;
    uint32_t first = p->i, i = p->i + 1;
    while (i < u->lx.n && !ml_tok_p(u, i, ML_P_LBRACE) && !is_eof(u, i) && !ml_tok_p(u, i, ML_P_SEMI)) {
        if (is_opener_tok(u, i))
            i = tmatch(u, i);
        i++;
    }
    p->i = i;
    if (ml_tok_p(u, i, ML_P_LBRACE))
        resync(p, i);
    ml_ts_node *n = mk(p, ML_N_CLASS, first);
    n->last = p->i > first ? p->i - 1 : first;
    return fin(p, n);
}

/* Arguments of a call or elements of an array: ( ... ) or [ ... ] at p->i. */
static void parse_list(parser *p, kidlist *k, bool holes)
{
    ml_ts_unit *u = p->u;
    uint32_t open = p->i, close = tmatch(u, open);
    p->i = open + 1;
    while (p->i < close && !is_eof(u, p->i)) {
        if (at_p(p, ML_P_COMMA)) {
            if (holes)
                kid_push(p, k, NULL);
            p->i++;
            continue;
        }
        uint32_t start = p->i;
        ml_ts_node *e;
        if (at_p(p, ML_P_ELLIPSIS)) {
            p->i++;
            ml_ts_node *arg = parse_assign(p);
            e = mk(p, ML_N_SPREAD, start);
            e->a = arg;
            e->last = arg->last;
            e = fin(p, e);
        } else {
            e = parse_assign(p);
        }
        kid_push(p, k, e);
        if (at_p(p, ML_P_COMMA)) {
            p->i++;
        } else if (p->i != close) {
            /* something the parser did not understand: skip to the next element */
            uint32_t q = ml_ts_skip_expr(u, p->i);
            if (q <= start)
                q = start + 1;
            p->i = q;
            if (at_p(p, ML_P_COMMA))
                p->i++;
            else if (p->i < close && !ml_tok_p(u, p->i, ML_P_COMMA))
                p->i++;
        }
    }
    p->i = close > open ? close + 1 : open + 1;
}

static ml_ts_node *parse_object(parser *p)
{
    ml_ts_unit *u = p->u;
    static const char *const mods[] = {"get", "set", "async", "static", NULL};
    uint32_t open = p->i, close = tmatch(u, open);
    ml_ts_node *obj = mk(p, ML_N_OBJECT, open);
    kidlist kids = {0};
    p->i = open + 1;
    while (p->i < close && !is_eof(u, p->i)) {
        uint32_t start = p->i;
        if (at_p(p, ML_P_COMMA)) {
            p->i++;
            continue;
        }
        ml_ts_node *prop = mk(p, ML_N_PROP, start);
        if (at_p(p, ML_P_ELLIPSIS)) {
            p->i++;
            prop->flags |= ML_NF_SPREAD;
            prop->a = parse_assign(p);
        } else {
            bool method = false;
            if (word_in(u, p->i, mods)) {
                const ml_tok *nx = tk(u, p->i + 1);
                if (nx->kind == ML_TK_IDENT || nx->kind == ML_TK_STR || nx->kind == ML_TK_NUM ||
                    ml_tok_p(u, p->i + 1, ML_P_LBRACK) || ml_tok_p(u, p->i + 1, ML_P_STAR)) {
                    method = true;
                    p->i++;
                }
            }
            if (at_p(p, ML_P_STAR)) {
                method = true;
                p->i++;
            }
            uint32_t key = p->i;
            const ml_tok *kt = tk(u, key);
            if (kt->kind == ML_TK_IDENT || kt->kind == ML_TK_PRIVATE) {
                prop->str = tok_text(u, key);
                p->i++;
            } else if (kt->kind == ML_TK_STR || kt->kind == ML_TK_TEMPLATE) {
                prop->str = ml_tok_string(u, key, NULL);
                p->i++;
            } else if (kt->kind == ML_TK_NUM) {
                double v = ml_tok_number(u, key);
                prop->str = (v == floor(v) && fabs(v) < 1e15) ? ml_printf(u->arena, "%.0f", v)
                                                              : ml_printf(u->arena, "%g", v);
                p->i++;
            } else if (ml_tok_p(u, key, ML_P_LBRACK)) {
                prop->str = NULL; /* computed: [expr], kept in b2 when it parses whole */
                uint32_t kclose = tmatch(u, key);
                if (kclose > key + 1) {
                    p->i = key + 1;
                    prop->b2 = parse_assign(p);
                    if (p->i != kclose)
                        prop->b2 = NULL;
                }
                resync(p, key);
            } else {
                /* not a property: skip to the next comma */
                uint32_t q = ml_ts_skip_expr(u, p->i);
                p->i = q > start ? q : start + 1;
                if (at_p(p, ML_P_COMMA))
                    p->i++;
                continue;
            }
            if (at_p(p, ML_P_Q) || at_p(p, ML_P_BANG))
                p->i++; /* optional / definite markers in object types */
            if (at_p(p, ML_P_COLON) && !method) {
                p->i++;
                prop->a = parse_assign(p);
            } else if (at_p(p, ML_P_LPAREN) || at_p(p, ML_P_LT)) {
                uint32_t q = p->i;
                if (ml_tok_p(u, q, ML_P_LT)) {
                    uint32_t j = skip_angles(u, q);
                    q = j ? j : q + 1;
                }
                prop->flags |= ML_NF_METHOD;
                prop->a = skip_func_body_from(p, key, tmatch(u, q) + 1);
            } else if ((at_p(p, ML_P_COMMA) || p->i == close || at_p(p, ML_P_ASSIGN)) &&
                       kt->kind == ML_TK_IDENT) {
                prop->flags |= ML_NF_SHORTHAND;
                ml_ts_node *id = mk(p, ML_N_IDENT, key);
                id->str = prop->str;
                id->len = strlen(prop->str);
                prop->a = id;
                if (at_p(p, ML_P_ASSIGN)) {
                    uint32_t q = ml_ts_skip_expr(u, p->i + 1);
                    p->i = q > p->i ? q : p->i + 1;
                }
            } else {
                prop->a = unknown(p, key, key, "property without a value");
            }
        }
        prop->last = p->i > start ? p->i - 1 : start;
        if (prop->a && prop->a->last > prop->last)
            prop->last = prop->a->last;
        prop = fin(p, prop);
        kid_push(p, &kids, prop);
        if (at_p(p, ML_P_COMMA)) {
            p->i++;
        } else if (p->i < close) {
            uint32_t q = ml_ts_skip_expr(u, p->i);
            p->i = q > p->i ? q : p->i + 1;
            if (at_p(p, ML_P_COMMA))
                p->i++;
        }
    }
    p->i = close > open ? close + 1 : open + 1;
    obj->kids = kids.items;
    obj->nkids = kids.n;
    obj->last = close > open ? close : open;
    return fin(p, obj);
}

static ml_ts_node *parse_template(parser *p)
{
    ml_ts_unit *u = p->u;
    uint32_t head = p->i, end = tmatch(u, head);
    ml_ts_node *n = mk(p, ML_N_TEMPLATE, head);
    kidlist kids = {0};
    ml_ts_node *s = mk(p, ML_N_STR, head);
    s->str = ml_tok_string(u, head, &s->len);
    kid_push(p, &kids, s);
    p->i = head + 1;
    while (p->i <= end && !is_eof(u, p->i)) {
        ml_ts_node *e = parse_assign(p);
        kid_push(p, &kids, e);
        /* find the next template part at this level */
        while (p->i < end && tk(u, p->i)->kind != ML_TK_TPL_MID && tk(u, p->i)->kind != ML_TK_TPL_TAIL) {
            uint32_t q = ml_ts_skip_expr(u, p->i);
            p->i = q > p->i ? q : p->i + 1;
        }
        const ml_tok *t = tk(u, p->i);
        ml_ts_node *part = mk(p, ML_N_STR, p->i);
        part->str = ml_tok_string(u, p->i, &part->len);
        kid_push(p, &kids, part);
        if (t->kind != ML_TK_TPL_MID)
            break;
        p->i++;
    }
    p->i = end > head ? end + 1 : head + 1;
    n->kids = kids.items;
    n->nkids = kids.n;
    n->last = end > head ? end : head;
    return fin(p, n);
}

static ml_ts_node *parse_new(parser *p)
{
    ml_ts_unit *u = p->u;
    uint32_t first = p->i;
    p->i++;
    if (at_p(p, ML_P_DOT)) {
        p->i += 2;
        return unknown(p, first, p->i - 1, "new.target");
    }
    ml_ts_node *callee;
    if (is_ident(u, p->i)) {
        callee = mk(p, ML_N_IDENT, p->i);
        callee->str = tok_text(u, p->i);
        callee->len = strlen(callee->str);
        p->i++;
        while (at_p(p, ML_P_DOT) && (is_ident(u, p->i + 1) || tk(u, p->i + 1)->kind == ML_TK_PRIVATE)) {
            ml_ts_node *m = mk(p, ML_N_MEMBER, callee->first);
            m->a = callee;
            m->str = tok_text(u, p->i + 1);
            m->last = p->i + 1;
            callee = fin(p, m);
            p->i += 2;
        }
    } else if (p->depth >= ML_TS_MAX_DEPTH) {
        uint32_t q = ml_ts_skip_expr(u, p->i);
        p->i = q > p->i ? q : p->i + 1;
        return unknown(p, first, p->i - 1, "expression nested too deeply");
    } else {
        p->depth++;
        callee = parse_unary(p);
        p->depth--;
    }
    if (at_p(p, ML_P_LT)) {
        uint32_t j = skip_angles(u, p->i);
        if (j)
            p->i = j;
    }
    ml_ts_node *n = mk(p, ML_N_NEW, first);
    n->a = callee;
    n->last = callee->last;
    if (at_p(p, ML_P_LPAREN)) {
        kidlist args = {0};
        parse_list(p, &args, false);
        n->kids = args.items;
        n->nkids = args.n;
        n->last = p->i - 1;
    }
    return fin(p, n);
}

static ml_ts_node *parse_primary(parser *p)
{
    ml_ts_unit *u = p->u;
    /* decorators before a class expression: @name.x(...) */
    while (at_p(p, ML_P_AT)) {
        p->i++;
        if (is_ident(u, p->i))
            p->i++;
        while (at_p(p, ML_P_DOT) && is_ident(u, p->i + 1))
            p->i += 2;
        if (at_p(p, ML_P_LPAREN))
            resync(p, p->i);
    }
    uint32_t i = p->i;
    const ml_tok *t = tk(u, i);
    ml_ts_node *n;
    switch (t->kind) {
    case ML_TK_NUM:
        n = mk(p, ML_N_NUM, i);
        n->num = ml_tok_number(u, i);
        p->i++;
        return n;
    case ML_TK_STR:
    case ML_TK_TEMPLATE:
        n = mk(p, ML_N_STR, i);
        n->str = ml_tok_string(u, i, &n->len);
        p->i++;
        return n;
    case ML_TK_TPL_HEAD:
        return parse_template(p);
    case ML_TK_REGEX:
        n = mk(p, ML_N_REGEX, i);
        p->i++;
        return n;
    case ML_TK_PRIVATE:
        p->i++;
        return unknown(p, i, i, "private name");
    case ML_TK_IDENT:
        if (ml_tok_is(u, i, "true") || ml_tok_is(u, i, "false")) {
            n = mk(p, ML_N_BOOL, i);
            n->b = ml_tok_is(u, i, "true");
            p->i++;
            return n;
        }
        if (ml_tok_is(u, i, "null")) {
            p->i++;
            return mk(p, ML_N_NULL, i);
        }
        if (ml_tok_is(u, i, "this")) {
            p->i++;
            return mk(p, ML_N_THIS, i);
        }
        if (ml_tok_is(u, i, "function") ||
            (ml_tok_is(u, i, "async") && ml_tok_is(u, i + 1, "function"))) {
            if (ml_tok_is(u, i, "async"))
                p->i++;
            ml_ts_node *f = parse_function(p);
            f->first = i;
            return f;
        }
        if (ml_tok_is(u, i, "class"))
            return parse_class(p);
        if (ml_tok_is(u, i, "new"))
            return parse_new(p);
        n = mk(p, ML_N_IDENT, i);
        n->str = tok_text(u, i);
        n->len = t->end - t->off;
        p->i++;
        return n;
    case ML_TK_PUNCT:
        switch (t->punct) {
        case ML_P_LPAREN: {
            uint32_t close = tmatch(u, i);
            p->i = i + 1;
            ml_ts_node *e = parse_assign(p);
            while (at_p(p, ML_P_COMMA) && p->i < close) {
                p->i++;
                e = parse_assign(p); /* a sequence: the last value */
            }
            p->i = close > i ? close + 1 : i + 1;
            e->flags |= ML_NF_PAREN;
            return e;
        }
        case ML_P_LBRACK: {
            n = mk(p, ML_N_ARRAY, i);
            kidlist k = {0};
            parse_list(p, &k, true);
            n->kids = k.items;
            n->nkids = k.n;
            n->last = p->i - 1;
            return fin(p, n);
        }
        case ML_P_LBRACE:
            return parse_object(p);
        case ML_P_LT: {
            /* <T>expr: an old-style type assertion */
            uint32_t j = skip_angles(u, i);
            if (j) {
                if (p->depth >= ML_TS_MAX_DEPTH) {
                    uint32_t q = ml_ts_skip_expr(u, j);
                    p->i = q > j ? q : j;
                    return unknown(p, i, p->i - 1, "expression nested too deeply");
                }
                p->i = j;
                p->depth++;
                ml_ts_node *e = parse_unary(p);
                p->depth--;
                return e;
            }
            break;
        }
        default:
            break;
        }
        break;
    default:
        break;
    }
    /* Not an expression start: consume it unless it closes something. */
    if (!is_closer_or_end(u, i))
        p->i++;
    return unknown(p, i, i, "not an expression");
}

static ml_ts_node *parse_postfix(parser *p)
{
    ml_ts_unit *u = p->u;
    ml_ts_node *e = parse_primary(p);
    uint32_t first = e->first;
    for (;;) {
        const ml_tok *t = tk(u, p->i);
        if (t->kind == ML_TK_PUNCT) {
            uint16_t q = t->punct;
            if (q == ML_P_DOT || q == ML_P_QDOT) {
                uint32_t nm = p->i + 1;
                if (q == ML_P_QDOT && (ml_tok_p(u, nm, ML_P_LPAREN) || ml_tok_p(u, nm, ML_P_LBRACK))) {
                    p->i++;
                    continue; /* a?.(...) / a?.[...]: handled as call / index below */
                }
                const ml_tok *nt = tk(u, nm);
                if (nt->kind != ML_TK_IDENT && nt->kind != ML_TK_PRIVATE)
                    break;
                ml_ts_node *m = mk(p, ML_N_MEMBER, first);
                m->a = e;
                m->str = tok_text(u, nm);
                m->len = nt->end - nt->off;
                m->last = nm;
                if (q == ML_P_QDOT)
                    m->flags |= ML_NF_OPTIONAL;
                p->i = nm + 1;
                e = fin(p, m);
                continue;
            }
            if (q == ML_P_LBRACK) {
                uint32_t open = p->i;
                ml_ts_node *m = mk(p, ML_N_INDEX, first);
                m->a = e;
                p->i = open + 1;
                m->b2 = parse_assign(p);
                resync(p, open);
                m->last = p->i - 1;
                e = fin(p, m);
                continue;
            }
            if (q == ML_P_LPAREN) {
                ml_ts_node *c = mk(p, ML_N_CALL, first);
                c->a = e;
                kidlist args = {0};
                parse_list(p, &args, false);
                c->kids = args.items;
                c->nkids = args.n;
                c->last = p->i - 1;
                e = fin(p, c);
                continue;
            }
            if (q == ML_P_LT) {
                uint32_t j = skip_angles(u, p->i);
                if (j && (ml_tok_p(u, j, ML_P_LPAREN) || tk(u, j)->kind == ML_TK_TEMPLATE)) {
                    p->i = j;
                    continue;
                }
                break;
            }
            if (q == ML_P_BANG && !(t->flags & ML_TF_NL_BEFORE)) {
                /* non-null assertion x! (a prefix ! cannot follow an operand) */
                e->last = p->i;
                p->i++;
                continue;
            }
            if ((q == ML_P_INC || q == ML_P_DEC) && !(t->flags & ML_TF_NL_BEFORE)) {
                p->i++;
                e = unknown(p, first, p->i - 1, "update expression");
                continue;
            }
            break;
        }
        if (t->kind == ML_TK_IDENT && !(t->flags & ML_TF_NL_BEFORE) &&
            (ml_tok_is(u, p->i, "as") || ml_tok_is(u, p->i, "satisfies"))) {
            uint32_t j = ml_ts_skip_type(u, p->i + 1);
            p->i = j > p->i + 1 ? j : p->i + 1;
            continue; /* the type does not change the value */
        }
        if (t->kind == ML_TK_TEMPLATE || t->kind == ML_TK_TPL_HEAD) {
            uint32_t end = t->kind == ML_TK_TPL_HEAD ? tmatch(u, p->i) : p->i;
            p->i = end + 1;
            e = unknown(p, first, end, "tagged template");
            continue;
        }
        break;
    }
    return e;
}

static ml_ts_node *parse_unary(parser *p)
{
    ml_ts_unit *u = p->u;
    static const char *const kw[] = {"typeof", "void", "delete", "await", NULL};
    /* Prefix operators are collected in a loop (a chain of 100,000 '!' must
     * not recurse); the nodes are linked through their operand slot. */
    ml_ts_node *root = NULL, **hole = &root;
    unsigned count = 0;
    uint32_t first = p->i;
    for (;;) {
        const ml_tok *t = tk(u, p->i);
        bool is_op = t->kind == ML_TK_PUNCT &&
                     (t->punct == ML_P_BANG || t->punct == ML_P_MINUS || t->punct == ML_P_PLUS ||
                      t->punct == ML_P_TILDE || t->punct == ML_P_INC || t->punct == ML_P_DEC);
        bool is_kw = word_in(u, p->i, kw) && !is_closer_or_end(u, p->i + 1) &&
                     !ml_tok_p(u, p->i + 1, ML_P_DOT) && !ml_tok_p(u, p->i + 1, ML_P_ARROW) &&
                     !ml_punct_is_assign(tk(u, p->i + 1)->punct);
        if (!is_op && !is_kw)
            break;
        if (count < ML_TS_MAX_DEPTH) {
            ml_ts_node *n = mk(p, ML_N_UNARY, p->i);
            n->op = is_op ? t->punct : ML_P_NONE;
            if (is_kw)
                n->str = tok_text(u, p->i);
            *hole = n;
            hole = &n->a;
        }
        count++;
        p->i++;
    }
    ml_ts_node *operand = parse_postfix(p);
    if (count == 0)
        return operand;
    if (count + operand->height >= ML_TS_MAX_DEPTH)
        return unknown(p, first, operand->last, "expression nested too deeply");
    *hole = operand;
    unsigned k = 0;
    for (ml_ts_node *n = root; n != operand; n = n->a, k++) {
        n->last = operand->last;
        n->height = (uint16_t)(operand->height + (count - k));
    }
    return root;
}

static int binprec(parser *p)
{
    ml_ts_unit *u = p->u;
    const ml_tok *t = tk(u, p->i);
    if (t->kind == ML_TK_IDENT) {
        if (ml_tok_is(u, p->i, "instanceof") || ml_tok_is(u, p->i, "in"))
            return 7;
        return 0;
    }
    if (t->kind != ML_TK_PUNCT)
        return 0;
    switch (t->punct) {
    case ML_P_QQ:
    case ML_P_OROR: return 1;
    case ML_P_ANDAND: return 2;
    case ML_P_PIPE: return 3;
    case ML_P_CARET: return 4;
    case ML_P_AMP: return 5;
    case ML_P_EQEQ: case ML_P_NE: case ML_P_EQEQEQ: case ML_P_NEE: return 6;
    case ML_P_LT: case ML_P_GT: case ML_P_LE: case ML_P_GE: return 7;
    case ML_P_SHL: case ML_P_SHR: case ML_P_USHR: return 8;
    case ML_P_PLUS: case ML_P_MINUS: return 9;
    case ML_P_STAR: case ML_P_SLASH: case ML_P_PERCENT: return 10;
    case ML_P_STARSTAR: return 11;
    default: return 0;
    }
}

static ml_ts_node *parse_binary(parser *p, int minprec)
{
    ml_ts_node *left = parse_unary(p);
    for (;;) {
        int prec = binprec(p);
        if (!prec || prec < minprec)
            return left;
        uint32_t opi = p->i;
        const ml_tok *t = tk(p->u, opi);
        p->i++;
        /* every operator, ** included, is parsed left-associative: right
         * recursion on a long chain would be unbounded, and the value of
         * a ** chain never configures a server */
        ml_ts_node *right = parse_binary(p, prec + 1);
        ml_ts_node *n = mk(p, ML_N_BINARY, left->first);
        n->op = t->kind == ML_TK_PUNCT ? t->punct : ML_P_NONE;
        if (t->kind == ML_TK_IDENT)
            n->str = tok_text(p->u, opi);
        n->a = left;
        n->b2 = right;
        n->last = right->last;
        left = fin(p, n);
    }
}

static ml_ts_node *parse_assign(parser *p)
{
    ml_ts_unit *u = p->u;
    if (p->depth >= ML_TS_MAX_DEPTH || u->parse_left == 0) {
        uint32_t start = p->i;
        uint32_t q = ml_ts_skip_expr(u, p->i);
        p->i = q;
        return unknown(p, start, q > start ? q - 1 : start,
                       u->parse_left ? "expression nested too deeply" : ML_TS_PARSE_BUDGET_WHY);
    }
    p->depth++;
    ml_ts_node *r;
    if (arrow_ahead(p)) {
        r = parse_arrow(p);
    } else {
        ml_ts_node *test = parse_binary(p, 1);
        if (at_p(p, ML_P_Q)) {
            p->i++;
            ml_ts_node *n = mk(p, ML_N_COND, test->first);
            n->a = test;
            n->b2 = parse_assign(p);
            if (at_p(p, ML_P_COLON)) {
                p->i++;
                n->c = parse_assign(p);
            } else {
                n->c = unknown(p, p->i, p->i, "incomplete conditional");
            }
            n->last = n->c->last > n->b2->last ? n->c->last : n->b2->last;
            r = fin(p, n);
        } else if (tk(u, p->i)->kind == ML_TK_PUNCT && ml_punct_is_assign(tk(u, p->i)->punct)) {
            ml_ts_node *n = mk(p, ML_N_ASSIGN, test->first);
            n->op = tk(u, p->i)->punct;
            p->i++;
            n->a = test;
            n->b2 = parse_assign(p);
            n->last = n->b2->last;
            r = fin(p, n);
        } else {
            r = test;
        }
    }
    p->depth--;
    return r;
}

ml_ts_node *ml_ts_parse_expr(ml_ts_unit *u, uint32_t i, uint32_t *next)
{
    parser p;
    p.u = u;
    p.i = i;
    p.depth = 0;
    ml_ts_node *n = parse_assign(&p);
    if (next)
        *next = p.i;
    return n;
}
