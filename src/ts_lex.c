/*
 * ts_lex.c - tokenizer for TypeScript and JavaScript.
 *
 * One forward pass over the bytes, never backtracking more than a regular
 * expression literal: comments, strings, template literals with nested ${ }
 * (a stack on the heap counts the braces of each open substitution, so any
 * depth works), regular expressions (told from division by the previous
 * significant token), numbers, identifiers and punctuators. Line and column
 * (in code points) are counted as the bytes go by, so every token carries its
 * position without a second lookup. A second pass pairs brackets with an
 * explicit stack so that the parser can skip a bracketed region in O(1).
 * Nothing recurses; unterminated constructs stop at the end of the input.
 */
#include "meshlint/ts_lex.h"

#include <stdlib.h>
#include <string.h>

typedef struct lexer {
    const char *s;
    uint32_t p, end;
    uint32_t line, col;
    bool nl;
    ml_tok *toks;
    uint32_t n, cap;
    uint32_t *tpl; /* open template substitutions: brace depth inside each */
    uint32_t ntpl, captpl;
    bool oom;
} lexer;

static const char *const punct_text[ML_P__COUNT] = {
    [ML_P_NONE] = "", [ML_P_LBRACE] = "{", [ML_P_RBRACE] = "}", [ML_P_LPAREN] = "(",
    [ML_P_RPAREN] = ")", [ML_P_LBRACK] = "[", [ML_P_RBRACK] = "]", [ML_P_SEMI] = ";",
    [ML_P_COMMA] = ",", [ML_P_DOT] = ".", [ML_P_ELLIPSIS] = "...", [ML_P_QDOT] = "?.",
    [ML_P_QQ] = "??", [ML_P_Q] = "?", [ML_P_COLON] = ":", [ML_P_ARROW] = "=>",
    [ML_P_AT] = "@", [ML_P_HASH] = "#", [ML_P_EQEQ] = "==", [ML_P_EQEQEQ] = "===",
    [ML_P_NE] = "!=", [ML_P_NEE] = "!==", [ML_P_LT] = "<", [ML_P_GT] = ">", [ML_P_LE] = "<=",
    [ML_P_GE] = ">=", [ML_P_SHL] = "<<", [ML_P_SHR] = ">>", [ML_P_USHR] = ">>>",
    [ML_P_PLUS] = "+", [ML_P_MINUS] = "-", [ML_P_STAR] = "*", [ML_P_STARSTAR] = "**",
    [ML_P_SLASH] = "/", [ML_P_PERCENT] = "%", [ML_P_INC] = "++", [ML_P_DEC] = "--",
    [ML_P_AMP] = "&", [ML_P_PIPE] = "|", [ML_P_CARET] = "^", [ML_P_BANG] = "!",
    [ML_P_TILDE] = "~", [ML_P_ANDAND] = "&&", [ML_P_OROR] = "||", [ML_P_ASSIGN] = "=",
    [ML_P_PLUSEQ] = "+=", [ML_P_MINUSEQ] = "-=", [ML_P_STAREQ] = "*=", [ML_P_SLASHEQ] = "/=",
    [ML_P_PERCENTEQ] = "%=", [ML_P_STARSTAREQ] = "**=", [ML_P_SHLEQ] = "<<=",
    [ML_P_SHREQ] = ">>=", [ML_P_USHREQ] = ">>>=", [ML_P_AMPEQ] = "&=", [ML_P_PIPEEQ] = "|=",
    [ML_P_CARETEQ] = "^=", [ML_P_ANDANDEQ] = "&&=", [ML_P_OROREQ] = "||=", [ML_P_QQEQ] = "?\?=",
};

const char *ml_punct_text(ml_punct p)
{
    return (unsigned)p < ML_P__COUNT && punct_text[p] ? punct_text[p] : "";
}

/* Longest punctuators first so that the first prefix match is the longest. */
static const ml_punct punct_order[] = {
    ML_P_USHREQ, ML_P_ELLIPSIS, ML_P_EQEQEQ, ML_P_NEE, ML_P_STARSTAREQ, ML_P_SHLEQ, ML_P_SHREQ,
    ML_P_USHR, ML_P_ANDANDEQ, ML_P_OROREQ, ML_P_QQEQ,
    ML_P_ARROW, ML_P_EQEQ, ML_P_NE, ML_P_LE, ML_P_GE, ML_P_ANDAND, ML_P_OROR, ML_P_QQ,
    ML_P_QDOT, ML_P_INC, ML_P_DEC, ML_P_PLUSEQ, ML_P_MINUSEQ, ML_P_STAREQ, ML_P_SLASHEQ,
    ML_P_PERCENTEQ, ML_P_AMPEQ, ML_P_PIPEEQ, ML_P_CARETEQ, ML_P_STARSTAR, ML_P_SHL, ML_P_SHR,
    ML_P_LBRACE, ML_P_RBRACE, ML_P_LPAREN, ML_P_RPAREN, ML_P_LBRACK, ML_P_RBRACK, ML_P_SEMI,
    ML_P_COMMA, ML_P_DOT, ML_P_Q, ML_P_COLON, ML_P_AT, ML_P_HASH, ML_P_LT, ML_P_GT,
    ML_P_PLUS, ML_P_MINUS, ML_P_STAR, ML_P_SLASH, ML_P_PERCENT, ML_P_AMP, ML_P_PIPE,
    ML_P_CARET, ML_P_BANG, ML_P_TILDE, ML_P_ASSIGN,
};

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Move to byte q, counting lines and code points. */
static void adv_to(lexer *lx, uint32_t q)
{
    const unsigned char *s = (const unsigned char *)lx->s;
    for (uint32_t i = lx->p; i < q; i++) {
        if (s[i] == '\n') {
            lx->line++;
            lx->col = 1;
        } else if ((s[i] & 0xC0) != 0x80) {
            lx->col++;
        }
    }
    lx->p = q;
}

static ml_tok *push_tok(lexer *lx, ml_tk kind, uint32_t off, uint32_t line, uint32_t col)
{
    if (lx->n == lx->cap) {
        uint32_t cap = lx->cap ? lx->cap * 2 : 256;
        ml_tok *t = realloc(lx->toks, (size_t)cap * sizeof *t);
        if (!t) {
            lx->oom = true;
            return NULL;
        }
        lx->toks = t;
        lx->cap = cap;
    }
    ml_tok *t = &lx->toks[lx->n++];
    memset(t, 0, sizeof *t);
    t->kind = (uint8_t)kind;
    t->off = off;
    t->line = line;
    t->col = col;
    if (lx->nl)
        t->flags |= ML_TF_NL_BEFORE;
    lx->nl = false;
    return t;
}

static void finish_tok(lexer *lx, ml_tok *t)
{
    t->end = lx->p;
    t->end_line = lx->line;
    t->end_col = lx->col;
}

/* Skip whitespace and comments; notes line breaks. */
static void skip_space(lexer *lx)
{
    const char *s = lx->s;
    while (lx->p < lx->end) {
        unsigned char c = (unsigned char)s[lx->p];
        if (c == '\n') {
            lx->nl = true;
            adv_to(lx, lx->p + 1);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0) {
            lx->p++;
            if (c != 0 || true)
                lx->col++;
        } else if (c == '/' && lx->p + 1 < lx->end && s[lx->p + 1] == '/') {
            uint32_t q = lx->p + 2;
            while (q < lx->end && s[q] != '\n')
                q++;
            adv_to(lx, q);
        } else if (c == '/' && lx->p + 1 < lx->end && s[lx->p + 1] == '*') {
            uint32_t q = lx->p + 2;
            while (q < lx->end && !(s[q] == '*' && q + 1 < lx->end && s[q + 1] == '/')) {
                if (s[q] == '\n')
                    lx->nl = true;
                q++;
            }
            q = q < lx->end ? q + 2 : lx->end;
            adv_to(lx, q);
        } else if (c == 0xEF && lx->p + 2 < lx->end && (unsigned char)s[lx->p + 1] == 0xBB &&
                   (unsigned char)s[lx->p + 2] == 0xBF) {
            adv_to(lx, lx->p + 3); /* byte order mark */
        } else {
            break;
        }
    }
}

static bool is_regex_keyword(const char *s, uint32_t n)
{
    static const char *const kw[] = {"return", "typeof", "instanceof", "in",    "of",
                                     "new",    "delete", "void",       "throw", "case",
                                     "do",     "else",   "yield",      "await", NULL};
    for (int i = 0; kw[i]; i++)
        if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
            return true;
    return false;
}

/* Whether a '/' here starts a regular expression, judged by the previous
 * significant token (the classic rule; a wrong guess about a regex is
 * corrected when the literal would cross a line break). */
static bool regex_allowed(const lexer *lx)
{
    if (lx->n == 0)
        return true;
    const ml_tok *t = &lx->toks[lx->n - 1];
    switch (t->kind) {
    case ML_TK_NUM:
    case ML_TK_STR:
    case ML_TK_TEMPLATE:
    case ML_TK_TPL_TAIL:
    case ML_TK_REGEX:
    case ML_TK_PRIVATE:
        return false;
    case ML_TK_IDENT:
        return is_regex_keyword(lx->s + t->off, t->end - t->off);
    case ML_TK_PUNCT:
        return !(t->punct == ML_P_RPAREN || t->punct == ML_P_RBRACK || t->punct == ML_P_INC ||
                 t->punct == ML_P_DEC);
    default:
        return true;
    }
}

/* Scan a template chunk starting after its opening '`' or '}' at q. */
static void lex_template_chunk(lexer *lx, uint32_t start, uint32_t line, uint32_t col, bool head)
{
    const char *s = lx->s;
    uint32_t q = lx->p;
    while (q < lx->end) {
        char c = s[q];
        if (c == '\\') {
            q += 2;
            continue;
        }
        if (c == '`') {
            adv_to(lx, q + 1);
            ml_tok *t = push_tok(lx, head ? ML_TK_TEMPLATE : ML_TK_TPL_TAIL, start, line, col);
            if (t)
                finish_tok(lx, t);
            return;
        }
        if (c == '$' && q + 1 < lx->end && s[q + 1] == '{') {
            adv_to(lx, q + 2);
            ml_tok *t = push_tok(lx, head ? ML_TK_TPL_HEAD : ML_TK_TPL_MID, start, line, col);
            if (t)
                finish_tok(lx, t);
            if (lx->ntpl == lx->captpl) {
                uint32_t cap = lx->captpl ? lx->captpl * 2 : 16;
                uint32_t *nt = realloc(lx->tpl, (size_t)cap * sizeof *nt);
                if (!nt) {
                    lx->oom = true;
                    return;
                }
                lx->tpl = nt;
                lx->captpl = cap;
            }
            lx->tpl[lx->ntpl++] = 0;
            return;
        }
        q++;
    }
    if (q > lx->end)
        q = lx->end;
    adv_to(lx, q);
    ml_tok *t = push_tok(lx, head ? ML_TK_TEMPLATE : ML_TK_TPL_TAIL, start, line, col);
    if (t) {
        t->flags |= ML_TF_UNTERMINATED;
        finish_tok(lx, t);
    }
}

static void lex_one(lexer *lx)
{
    const char *s = lx->s;
    uint32_t start = lx->p, line = lx->line, col = lx->col;
    unsigned char c = (unsigned char)s[start];
    uint32_t q = start;
    ml_tok *t;

    if (is_ident_start(c) || c == '\\' ||
        (c == '#' && start + 1 < lx->end && is_ident_start((unsigned char)s[start + 1]))) {
        ml_tk kind = c == '#' ? ML_TK_PRIVATE : ML_TK_IDENT;
        q++;
        while (q < lx->end) {
            unsigned char d = (unsigned char)s[q];
            if (is_ident_char(d))
                q++;
            else if (d == '\\' && q + 1 < lx->end && s[q + 1] == 'u')
                q += 2;
            else
                break;
        }
        /* a stray backslash is a one-byte token (q is already past it) */
        adv_to(lx, q);
        if ((t = push_tok(lx, kind, start, line, col)))
            finish_tok(lx, t);
        return;
    }

    if (is_digit(c) || (c == '.' && start + 1 < lx->end && is_digit((unsigned char)s[start + 1]))) {
        if (c == '0' && q + 1 < lx->end &&
            strchr("xXoObB", s[q + 1]) != NULL && s[q + 1] != '\0') {
            q += 2;
            while (q < lx->end && (is_hex((unsigned char)s[q]) || s[q] == '_'))
                q++;
        } else {
            while (q < lx->end && (is_digit((unsigned char)s[q]) || s[q] == '_'))
                q++;
            if (q < lx->end && s[q] == '.') {
                q++;
                while (q < lx->end && (is_digit((unsigned char)s[q]) || s[q] == '_'))
                    q++;
            }
            if (q < lx->end && (s[q] == 'e' || s[q] == 'E')) {
                uint32_t r = q + 1;
                if (r < lx->end && (s[r] == '+' || s[r] == '-'))
                    r++;
                if (r < lx->end && is_digit((unsigned char)s[r])) {
                    q = r;
                    while (q < lx->end && (is_digit((unsigned char)s[q]) || s[q] == '_'))
                        q++;
                }
            }
        }
        if (q < lx->end && s[q] == 'n')
            q++; /* BigInt */
        adv_to(lx, q);
        if ((t = push_tok(lx, ML_TK_NUM, start, line, col)))
            finish_tok(lx, t);
        return;
    }

    if (c == '"' || c == '\'') {
        bool closed = false;
        q++;
        while (q < lx->end) {
            char d = s[q];
            if (d == '\\') {
                q += 2;
                continue;
            }
            if (d == (char)c) {
                q++;
                closed = true;
                break;
            }
            if (d == '\n')
                break; /* a string cannot span lines: stop here */
            q++;
        }
        if (q > lx->end)
            q = lx->end;
        adv_to(lx, q);
        if ((t = push_tok(lx, ML_TK_STR, start, line, col))) {
            if (!closed)
                t->flags |= ML_TF_UNTERMINATED;
            finish_tok(lx, t);
        }
        return;
    }

    if (c == '`') {
        adv_to(lx, q + 1);
        lex_template_chunk(lx, start, line, col, true);
        return;
    }

    if (c == '}' && lx->ntpl > 0) {
        if (lx->tpl[lx->ntpl - 1] == 0) {
            lx->ntpl--;
            adv_to(lx, q + 1);
            lex_template_chunk(lx, start, line, col, false);
            return;
        }
        lx->tpl[lx->ntpl - 1]--;
    } else if (c == '{' && lx->ntpl > 0) {
        lx->tpl[lx->ntpl - 1]++;
    }

    if (c == '/' && regex_allowed(lx)) {
        bool in_class = false, ok = false;
        q++;
        while (q < lx->end) {
            char d = s[q];
            if (d == '\n' || d == '\r')
                break;
            if (d == '\\') {
                if (q + 1 < lx->end && (s[q + 1] == '\n' || s[q + 1] == '\r'))
                    break;
                q += 2;
                continue;
            }
            if (d == '[')
                in_class = true;
            else if (d == ']')
                in_class = false;
            else if (d == '/' && !in_class) {
                ok = true;
                q++;
                break;
            }
            q++;
        }
        if (ok) {
            while (q < lx->end && is_ident_char((unsigned char)s[q]))
                q++;
            adv_to(lx, q);
            if ((t = push_tok(lx, ML_TK_REGEX, start, line, col)))
                finish_tok(lx, t);
            return;
        }
        /* not a regex after all: a division, lexed below */
    }

    for (size_t k = 0; k < sizeof punct_order / sizeof punct_order[0]; k++) {
        ml_punct p = punct_order[k];
        const char *txt = punct_text[p];
        if (txt[0] != s[start])
            continue; /* most candidates end here, before strlen and memcmp */
        size_t n = strlen(txt);
        if (start + n <= lx->end && memcmp(s + start, txt, n) == 0) {
            /* "?." followed by a digit is "?" then a number (a ? .5 : 1) */
            if (p == ML_P_QDOT && start + 2 < lx->end && is_digit((unsigned char)s[start + 2]))
                continue;
            adv_to(lx, start + (uint32_t)n);
            if ((t = push_tok(lx, ML_TK_PUNCT, start, line, col))) {
                t->punct = (uint16_t)p;
                finish_tok(lx, t);
            }
            return;
        }
    }
    /* A byte no token starts with: skip it. */
    adv_to(lx, start + 1);
}

static bool is_opener(const ml_tok *t)
{
    return t->kind == ML_TK_TPL_HEAD ||
           (t->kind == ML_TK_PUNCT &&
            (t->punct == ML_P_LPAREN || t->punct == ML_P_LBRACK || t->punct == ML_P_LBRACE));
}

/* Strength of a bracket: a closer pops weaker unclosed openers, never stronger. */
static int strength(const ml_tok *t)
{
    if (t->kind == ML_TK_TPL_HEAD || t->kind == ML_TK_TPL_MID || t->kind == ML_TK_TPL_TAIL)
        return 3;
    if (t->punct == ML_P_LBRACE || t->punct == ML_P_RBRACE)
        return 2;
    return 1;
}

static bool pairs(const ml_tok *open, const ml_tok *close)
{
    if (open->kind == ML_TK_TPL_HEAD)
        return close->kind == ML_TK_TPL_MID || close->kind == ML_TK_TPL_TAIL;
    if (close->kind != ML_TK_PUNCT)
        return false;
    return (open->punct == ML_P_LPAREN && close->punct == ML_P_RPAREN) ||
           (open->punct == ML_P_LBRACK && close->punct == ML_P_RBRACK) ||
           (open->punct == ML_P_LBRACE && close->punct == ML_P_RBRACE);
}

static bool match_brackets(ml_lex *out)
{
    uint32_t n = out->n;
    uint32_t *match = malloc((size_t)n * sizeof *match);
    uint32_t *stack = malloc((size_t)n * sizeof *stack);
    if (!match || !stack) {
        free(match);
        free(stack);
        return false;
    }
    uint32_t sp = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ml_tok *t = &out->toks[i];
        match[i] = i;
        bool closer = t->kind == ML_TK_TPL_MID || t->kind == ML_TK_TPL_TAIL ||
                      (t->kind == ML_TK_PUNCT && (t->punct == ML_P_RPAREN ||
                                                  t->punct == ML_P_RBRACK ||
                                                  t->punct == ML_P_RBRACE));
        if (closer) {
            int st = strength(t);
            /* pop weaker unclosed openers: they end just before this closer */
            while (sp > 0 && !pairs(&out->toks[stack[sp - 1]], t) &&
                   strength(&out->toks[stack[sp - 1]]) < st) {
                match[stack[sp - 1]] = i - 1;
                sp--;
            }
            if (sp > 0 && pairs(&out->toks[stack[sp - 1]], t)) {
                uint32_t o = stack[sp - 1];
                if (t->kind == ML_TK_TPL_MID) {
                    /* the head stays open until the tail */
                } else {
                    match[o] = i;
                    sp--;
                }
            }
            /* otherwise a stray closer: ignored */
        }
        if (is_opener(t))
            stack[sp++] = i;
    }
    while (sp > 0)
        match[stack[--sp]] = n - 1;
    free(stack);
    out->match = match;
    return true;
}

bool ml_ts_lex(const char *src, uint32_t start, uint32_t end, uint32_t line, uint32_t col,
               ml_lex *out)
{
    memset(out, 0, sizeof *out);
    if (end < start)
        return false;
    lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.s = src;
    lx.p = start;
    lx.end = end;
    lx.line = line ? line : 1;
    lx.col = col ? col : 1;
    /* a byte order mark opening the file takes no column (as in source.c) */
    if (start == 0 && end >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        lx.p = 3;
    /* a shebang line */
    if (lx.p + 1 < end && src[lx.p] == '#' && src[lx.p + 1] == '!') {
        uint32_t q = lx.p;
        while (q < end && src[q] != '\n')
            q++;
        adv_to(&lx, q);
    }
    for (;;) {
        skip_space(&lx);
        if (lx.p >= lx.end || lx.oom)
            break;
        lex_one(&lx);
    }
    ml_tok *eof = lx.oom ? NULL : push_tok(&lx, ML_TK_EOF, lx.end, lx.line, lx.col);
    free(lx.tpl);
    if (!eof) {
        free(lx.toks);
        return false;
    }
    finish_tok(&lx, eof);
    out->toks = lx.toks;
    out->n = lx.n;
    if (!match_brackets(out)) {
        free(out->toks);
        memset(out, 0, sizeof *out);
        return false;
    }
    return true;
}

void ml_ts_lex_free(ml_lex *lx)
{
    free(lx->toks);
    free(lx->match);
    memset(lx, 0, sizeof *lx);
}
