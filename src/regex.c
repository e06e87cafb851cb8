/*
 * regex.c - RE2-syntax checking and PCRE2 evaluation of Istio regex matches.
 *
 * The checker follows Go's regexp/syntax parser in Perl mode (the parser
 * Istio's validation runs: pkg/config/validation/validation.go
 * validateStringRegexp -> regexp.Compile) construct by construct and writes
 * a PCRE2 pattern with RE2's meaning as it goes. See regex.h for the
 * contract and the limits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/regex.h"

struct ml_regex {
    const char *pattern;   /* as written */
    size_t len;
    pcre2_code *code;
    /* LITERAL.* or LITERAL.+ with nothing else: the literal (decoded), else NULL */
    const char *lit;
    size_t lit_len;
    bool lit_plus;         /* .+ rather than .* */
};

/* ---- the checker ------------------------------------------------------ */

#define MAX_GROUPS 600 /* a 1024-byte pattern opens at most 512 */

typedef struct rp {
    const char *p;
    size_t n, i;
    ml_buf out;
    ml_re_error *err;
    bool failed;
    const char *unsupported; /* reason, when the pattern is valid but not evaluated */
    size_t unsupported_off;
    /* what the next repetition operator applies to */
    bool has_atom;           /* an operand precedes (Go: the stack top is not a pseudo-op) */
    bool after_repeat;       /* the previous token was a repetition (Go: lastRepeat) */
    double atom_weight;      /* expansion factor of the preceding operand */
    double weight[MAX_GROUPS + 1]; /* per open group: the largest weight inside it */
    size_t group_off[MAX_GROUPS + 1];
    unsigned depth;
    ml_vec names;            /* capture names seen (pointers into p) */
    ml_vec name_lens;
    ml_arena scratch;
} rp;

static void fail(rp *r, size_t off, const char *msg)
{
    if (r->failed)
        return;
    r->failed = true;
    r->err->offset = off;
    r->err->message = msg;
}

static void unsupported(rp *r, size_t off, const char *why)
{
    if (!r->unsupported) {
        r->unsupported = why;
        r->unsupported_off = off;
    }
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_octal(char c) { return c >= '0' && c <= '7'; }
static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Length of the UTF-8 sequence starting at p[i] (1 for invalid bytes). */
static size_t u8len(const rp *r, size_t i)
{
    unsigned char c = (unsigned char)r->p[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > r->n)
        n = 1;
    return n;
}

static void note_atom(rp *r, double w)
{
    r->has_atom = true;
    r->after_repeat = false;
    r->atom_weight = w;
    if (r->weight[r->depth] < w)
        r->weight[r->depth] = w;
}

/* Emit code point cp as a PCRE2 literal. */
static void emit_cp(rp *r, unsigned long cp) { ml_buf_printf(&r->out, "\\x{%lx}", cp); }

/* The escape at p[i] == '\\'. Outside a class it may be an assertion, \Q,
 * a Unicode or Perl class; inside only characters and classes. On success
 * advances r->i past it. *cp receives the character for a single-character
 * escape (for ranges), or -1 when the escape is a class or an assertion. */
static void parse_escape(rp *r, bool in_class, long *cp)
{
    size_t start = r->i;
    *cp = -1;
    if (r->i + 1 >= r->n) {
        fail(r, start, "trailing backslash at end of expression");
        return;
    }
    char c = r->p[r->i + 1];
    r->i += 2;
    if (!in_class) {
        switch (c) {
        case 'A':
            ml_buf_puts(&r->out, "\\A");
            return;
        case 'z':
            ml_buf_puts(&r->out, "\\z");
            return;
        case 'b':
            ml_buf_puts(&r->out, "\\b");
            return;
        case 'B':
            ml_buf_puts(&r->out, "\\B");
            return;
        case 'C':
            fail(r, start, "invalid escape sequence \\C (any byte): Go's regexp, which Istio's validation uses, "
                           "rejects it");
            return;
        default:
            break;
        }
    }
    switch (c) {
    case 'd': case 'D': case 'w': case 'W':
        ml_buf_putc(&r->out, '\\');
        ml_buf_putc(&r->out, c);
        return;
    case 's':
        ml_buf_puts(&r->out, in_class ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]");
        return;
    case 'S':
        ml_buf_puts(&r->out, in_class ? "\\S" : "[^\\t\\n\\f\\r ]");
        return;
    case 'p': case 'P': {
        if (r->i >= r->n) {
            fail(r, start, "invalid character class range");
            return;
        }
        size_t nb = r->i;
        if (r->p[r->i] == '{') {
            size_t j = r->i + 1;
            while (j < r->n && r->p[j] != '}')
                j++;
            if (j >= r->n || j == r->i + 1) {
                fail(r, start, "invalid character class range");
                return;
            }
            r->i = j + 1;
        } else {
            r->i += u8len(r, r->i);
        }
        ml_buf_putc(&r->out, '\\');
        ml_buf_putc(&r->out, c);
        ml_buf_add(&r->out, r->p + nb, r->i - nb);
        return;
    }
    case 'a': *cp = 7; break;
    case 'f': *cp = 12; break;
    case 't': *cp = 9; break;
    case 'n': *cp = 10; break;
    case 'r': *cp = 13; break;
    case 'v': *cp = 11; break; /* RE2: the vertical tab; PCRE2's \v is a class */
    case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        if (r->i >= r->n || !is_octal(r->p[r->i])) {
            fail(r, start, "invalid escape sequence: a back-reference; RE2 has none");
            return;
        }
        /* fallthrough */
    case '0': {
        long v = c - '0';
        for (int k = 1; k < 3 && r->i < r->n && is_octal(r->p[r->i]); k++)
            v = v * 8 + (r->p[r->i++] - '0');
        *cp = v;
        break;
    }
    case 'x': {
        if (r->i < r->n && r->p[r->i] == '{') {
            size_t j = r->i + 1;
            long v = 0;
            int nd = 0;
            while (j < r->n && hexval(r->p[j]) >= 0) {
                v = v * 16 + hexval(r->p[j]);
                if (v > 0x10FFFF) {
                    fail(r, start, "invalid escape sequence: code point above 0x10FFFF");
                    return;
                }
                j++;
                nd++;
            }
            if (nd == 0 || j >= r->n || r->p[j] != '}') {
                fail(r, start, "invalid escape sequence: \\x{ needs hex digits and }");
                return;
            }
            r->i = j + 1;
            *cp = v;
            break;
        }
        if (r->i + 2 > r->n || hexval(r->p[r->i]) < 0 || hexval(r->p[r->i + 1]) < 0) {
            fail(r, start, "invalid escape sequence: \\x needs two hex digits");
            return;
        }
        *cp = hexval(r->p[r->i]) * 16 + hexval(r->p[r->i + 1]);
        r->i += 2;
        break;
    }
    default:
        if ((unsigned char)c < 0x80 && !is_alnum(c)) {
            *cp = (unsigned char)c; /* escaped punctuation */
            break;
        }
        switch (c) {
        case 'G':
            fail(r, start, "invalid escape sequence \\G: RE2 has no match-start anchor");
            break;
        case 'K':
            fail(r, start, "invalid escape sequence \\K: RE2 has no match reset");
            break;
        case 'Z':
            fail(r, start, "invalid escape sequence \\Z: RE2 has no \\Z (use \\z or $)");
            break;
        case 'X': case 'R':
            fail(r, start, "invalid escape sequence: RE2 has no \\X or \\R");
            break;
        case 'k': case 'g':
            fail(r, start, "invalid escape sequence: a back-reference; RE2 has none");
            break;
        case 'b': case 'B': case 'A': case 'z': case 'Q':
            fail(r, start, "invalid escape sequence inside a character class");
            break;
        default:
            fail(r, start, "invalid escape sequence");
            break;
        }
        return;
    }
    emit_cp(r, (unsigned long)*cp);
}

static const char *const POSIX_CLASSES[] = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
                                            "lower", "print", "punct", "space", "upper", "word", "xdigit", NULL};

/* A class [...] starting at p[i] == '['. */
static void parse_class(rp *r)
{
    size_t start = r->i;
    r->i++;
    ml_buf_putc(&r->out, '[');
    if (r->i < r->n && r->p[r->i] == '^') {
        ml_buf_putc(&r->out, '^');
        r->i++;
    }
    bool first = true;
    while (!r->failed) {
        if (r->i >= r->n) {
            fail(r, start, "missing closing ]");
            return;
        }
        char c = r->p[r->i];
        if (c == ']' && !first)
            break;
        first = false;
        /* POSIX [:name:] (Go looks for the closing ":]" anywhere after) */
        if (c == '[' && r->i + 2 < r->n && r->p[r->i + 1] == ':') {
            const char *close = NULL;
            for (size_t j = r->i + 2; j + 1 < r->n; j++)
                if (r->p[j] == ':' && r->p[j + 1] == ']') {
                    close = r->p + j;
                    break;
                }
            if (close) {
                const char *nm = r->p + r->i + 2;
                size_t nl = (size_t)(close - nm);
                bool neg = nl > 0 && nm[0] == '^';
                bool known = false;
                for (size_t k = 0; POSIX_CLASSES[k]; k++)
                    if (strlen(POSIX_CLASSES[k]) == nl - neg && !strncmp(POSIX_CLASSES[k], nm + neg, nl - neg))
                        known = true;
                if (!known) {
                    fail(r, r->i, "invalid character class range: unknown POSIX class");
                    return;
                }
                ml_buf_add(&r->out, r->p + r->i, (size_t)(close + 2 - (r->p + r->i)));
                r->i = (size_t)(close + 2 - r->p);
                continue;
            }
        }
        /* one character, a class escape, or a range */
        size_t item = r->i;
        long lo = -1;
        size_t mark = r->out.n;
        if (c == '\\') {
            parse_escape(r, true, &lo);
            if (r->failed)
                return;
            if (lo < 0)
                continue; /* \d, \pL...: Go takes the next '-' literally */
        } else {
            size_t l = u8len(r, r->i);
            if (l == 1) {
                lo = (unsigned char)c;
            } else {
                /* decode for range comparison */
                unsigned long v = (unsigned char)c & (0xFF >> (l + 1));
                for (size_t k = 1; k < l; k++)
                    v = (v << 6) | ((unsigned char)r->p[r->i + k] & 0x3F);
                lo = (long)v;
            }
            r->i += l;
            r->out.n = mark;
            emit_cp(r, (unsigned long)lo);
        }
        /* [a-] means a or -: a range needs a character after '-' other than ']' */
        if (r->i + 1 < r->n && r->p[r->i] == '-' && r->p[r->i + 1] != ']') {
            r->i++;
            long hi = -1;
            ml_buf_putc(&r->out, '-');
            if (r->p[r->i] == '\\') {
                parse_escape(r, true, &hi);
                if (r->failed)
                    return;
                if (hi < 0) {
                    fail(r, item, "invalid character class range");
                    return;
                }
            } else {
                size_t l = u8len(r, r->i);
                unsigned long v = l == 1 ? (unsigned char)r->p[r->i] : ((unsigned char)r->p[r->i] & (0xFF >> (l + 1)));
                for (size_t k = 1; k < l; k++)
                    v = (v << 6) | ((unsigned char)r->p[r->i + k] & 0x3F);
                hi = (long)v;
                r->i += l;
                emit_cp(r, v);
            }
            if (hi < lo) {
                fail(r, item, "invalid character class range: the end is below the start");
                return;
            }
        }
    }
    r->i++; /* ']' */
    ml_buf_putc(&r->out, ']');
}

/* A counted repetition {n}, {n,}, {n,m} at p[i] == '{'. Returns false when
 * the text is not a repetition (then '{' is a literal). */
static bool parse_count(const rp *r, size_t i, long *min, long *max, size_t *end)
{
    size_t j = i + 1;
    if (j >= r->n || !is_digit(r->p[j]))
        return false;
    long a = 0;
    while (j < r->n && is_digit(r->p[j])) {
        if (a < 100000)
            a = a * 10 + (r->p[j] - '0');
        j++;
    }
    long b = a;
    if (j < r->n && r->p[j] == ',') {
        j++;
        if (j < r->n && is_digit(r->p[j])) {
            b = 0;
            while (j < r->n && is_digit(r->p[j])) {
                if (b < 100000)
                    b = b * 10 + (r->p[j] - '0');
                j++;
            }
        } else {
            b = -1;
        }
    }
    if (j >= r->n || r->p[j] != '}')
        return false;
    *min = a;
    *max = b;
    *end = j + 1;
    return true;
}

static void repetition(rp *r, size_t op_off, size_t op_end, double factor)
{
    if (r->after_repeat) {
        fail(r, op_off, "invalid nested repetition operator (a possessive or doubled quantifier; RE2 has neither)");
        return;
    }
    if (!r->has_atom) {
        fail(r, op_off, "missing argument to repetition operator");
        return;
    }
    ml_buf_add(&r->out, r->p + op_off, op_end - op_off);
    r->i = op_end;
    if (r->i < r->n && r->p[r->i] == '?') {
        ml_buf_putc(&r->out, '?');
        r->i++;
    }
    double w = r->atom_weight * factor;
    if (w > ML_RE_MAX_REPEAT_PRODUCT)
        unsupported(r, op_off, "nested counted repetitions too large to evaluate");
    if (r->weight[r->depth] < w)
        r->weight[r->depth] = w;
    r->after_repeat = true;
}

/* (? ... at p[i]: flags, non-capturing, named groups; everything else is
 * Perl syntax RE2 rejects. Returns true when a group was opened. */
static bool parse_perl_group(rp *r, bool *opened)
{
    size_t start = r->i;
    const char *t = r->p + r->i + 2;
    size_t left = r->n - r->i - 2;
    *opened = false;
    if (left == 0) {
        fail(r, start, "missing argument to repetition operator");
        return false;
    }
    /* named capture (?P<name>re) or (?<name>re) */
    if ((left >= 2 && t[0] == 'P' && t[1] == '<') || (t[0] == '<' && left >= 2 && t[1] != '=' && t[1] != '!')) {
        size_t b = t[0] == 'P' ? 2 : 1;
        size_t e = b;
        while (e < left && t[e] != '>')
            e++;
        if (e >= left || e == b) {
            fail(r, start, "invalid named capture");
            return false;
        }
        for (size_t k = b; k < e; k++)
            if (!is_alnum(t[k]) && t[k] != '_') {
                fail(r, start, "invalid named capture");
                return false;
            }
        ML_VEC_EACH(const char *, nm, &r->names) {
            size_t nl = (size_t)(uintptr_t)r->name_lens.items[nm_i];
            if (nl == e - b && !memcmp(nm, t + b, nl)) {
                fail(r, start, "duplicate capture group name");
                return false;
            }
        }
        ml_vec_push(&r->scratch, &r->names, (void *)(t + b));
        ml_vec_push(&r->scratch, &r->name_lens, (void *)(uintptr_t)(e - b));
        ml_buf_puts(&r->out, "(?<");
        ml_buf_add(&r->out, t + b, e - b);
        ml_buf_putc(&r->out, '>');
        r->i += 2 + e + 1;
        *opened = true;
        return true;
    }
    switch (t[0]) {
    case '=':
        fail(r, start, "invalid or unsupported Perl syntax: look-ahead (?=...) is not supported by RE2");
        return false;
    case '!':
        fail(r, start, "invalid or unsupported Perl syntax: negative look-ahead (?!...) is not supported by RE2");
        return false;
    case '<':
        fail(r, start, "invalid or unsupported Perl syntax: look-behind (?<=...) / (?<!...) is not supported by RE2");
        return false;
    case '>':
        fail(r, start, "invalid or unsupported Perl syntax: atomic groups (?>...) are not supported by RE2");
        return false;
    case '(':
        fail(r, start, "invalid or unsupported Perl syntax: conditionals (?(...)...) are not supported by RE2");
        return false;
    case '#':
        fail(r, start, "invalid or unsupported Perl syntax: comments (?#...) are not supported by RE2");
        return false;
    case '|':
        fail(r, start, "invalid or unsupported Perl syntax: branch reset (?|...) is not supported by RE2");
        return false;
    case 'R': case '&': case '+':
        fail(r, start, "invalid or unsupported Perl syntax: recursion and subroutine calls are not supported by RE2");
        return false;
    case 'P':
        fail(r, start, (left >= 2 && (t[1] == '=' || t[1] == '>'))
                           ? "invalid named capture: a back-reference or subroutine call; RE2 has neither"
                           : "invalid named capture");
        return false;
    default:
        break;
    }
    if (is_digit(t[0]) || (t[0] == '-' && left >= 2 && is_digit(t[1]))) {
        fail(r, start, "invalid or unsupported Perl syntax: recursion and subroutine calls are not supported by RE2");
        return false;
    }
    /* flags: [imsU]* (- [imsU]+)? then ':' or ')' */
    bool neg = false, saw = false;
    for (size_t k = 0; k < left; k++) {
        char c = t[k];
        if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
            saw = true;
            continue;
        }
        if (c == '-' && !neg) {
            neg = true;
            saw = false;
            continue;
        }
        if (c == ':' || c == ')') {
            if (neg && !saw)
                break;
            ml_buf_puts(&r->out, "(?");
            ml_buf_add(&r->out, t, k + 1);
            r->i += 2 + k + 1;
            if (c == ':') {
                *opened = true;
                return true;
            }
            return false; /* (?flags) */
        }
        break;
    }
    fail(r, start, "invalid or unsupported Perl syntax");
    return false;
}

static void parse(rp *r)
{
    r->has_atom = false;
    r->after_repeat = false;
    r->depth = 0;
    r->weight[0] = 1;
    while (r->i < r->n && !r->failed) {
        size_t at = r->i;
        char c = r->p[r->i];
        switch (c) {
        case '(': {
            bool opened = false;
            if (r->i + 1 < r->n && r->p[r->i + 1] == '?') {
                parse_perl_group(r, &opened);
                if (r->failed)
                    return;
                if (!opened) {
                    /* (?flags) pushes no operand; it ends a repetition run */
                    r->after_repeat = false;
                    continue;
                }
            } else {
                ml_buf_putc(&r->out, '(');
                r->i++;
                opened = true;
            }
            if (r->depth >= MAX_GROUPS) {
                fail(r, at, "expression nests too deeply");
                return;
            }
            r->depth++;
            r->group_off[r->depth] = at;
            r->weight[r->depth] = 1;
            r->has_atom = false;
            r->after_repeat = false;
            break;
        }
        case ')': {
            if (r->depth == 0) {
                fail(r, at, "unexpected )");
                return;
            }
            double w = r->weight[r->depth];
            r->depth--;
            ml_buf_putc(&r->out, ')');
            r->i++;
            note_atom(r, w);
            break;
        }
        case '|':
            ml_buf_putc(&r->out, '|');
            r->i++;
            r->has_atom = false;
            r->after_repeat = false;
            break;
        case '*': case '+': case '?':
            repetition(r, at, at + 1, 1);
            break;
        case '{': {
            long mn, mx;
            size_t end;
            if (parse_count(r, at, &mn, &mx, &end)) {
                if (mn > ML_RE_MAX_REPEAT || mx > ML_RE_MAX_REPEAT || (mx >= 0 && mn > mx)) {
                    if (r->after_repeat)
                        fail(r, at, "invalid nested repetition operator");
                    else
                        fail(r, at, "invalid repeat count (RE2 allows at most 1000, and min <= max)");
                    return;
                }
                repetition(r, at, end, (double)(mx >= 0 ? (mx > 0 ? mx : 1) : (mn > 0 ? mn : 1)));
                break;
            }
            ml_buf_puts(&r->out, "\\{");
            r->i++;
            note_atom(r, 1);
            break;
        }
        case '[':
            parse_class(r);
            note_atom(r, 1);
            break;
        case '\\': {
            if (r->i + 1 < r->n && r->p[r->i + 1] == 'Q') {
                r->i += 2;
                bool any = false;
                while (r->i < r->n) {
                    if (r->p[r->i] == '\\' && r->i + 1 < r->n && r->p[r->i + 1] == 'E') {
                        r->i += 2;
                        break;
                    }
                    size_t l = u8len(r, r->i);
                    if (l == 1 && !is_alnum(r->p[r->i]))
                        ml_buf_putc(&r->out, '\\');
                    ml_buf_add(&r->out, r->p + r->i, l);
                    r->i += l;
                    any = true;
                }
                if (any)
                    note_atom(r, 1);
                break;
            }
            long cp;
            parse_escape(r, false, &cp);
            if (r->failed)
                return;
            note_atom(r, 1);
            break;
        }
        case '.': case '^': case '$':
            ml_buf_putc(&r->out, c);
            r->i++;
            note_atom(r, 1);
            break;
        case '}': case ']':
            ml_buf_putc(&r->out, '\\');
            ml_buf_putc(&r->out, c);
            r->i++;
            note_atom(r, 1);
            break;
        default: {
            size_t l = u8len(r, r->i);
            if (l == 1 && c == '#') /* harmless, but keep PCRE2 from any extended-mode reading */
                ml_buf_puts(&r->out, "\\#");
            else
                ml_buf_add(&r->out, r->p + r->i, l);
            r->i += l;
            note_atom(r, 1);
            break;
        }
        }
    }
    if (!r->failed && r->depth > 0)
        fail(r, r->group_off[r->depth], "missing closing )");
}

static void rp_init(rp *r, const char *pat, size_t len, ml_re_error *err)
{
    memset(r, 0, sizeof *r);
    r->p = pat;
    r->n = len;
    r->err = err;
    ml_buf_init(&r->out);
    ml_arena_init(&r->scratch);
    err->offset = 0;
    err->message = NULL;
}

static void rp_free(rp *r)
{
    ml_buf_free(&r->out);
    ml_arena_free(&r->scratch);
}

static ml_re_status precheck(const char *pat, size_t len, ml_re_error *err)
{
    if (len == 0) {
        err->offset = 0;
        err->message = "regex string match should not be empty";
        return ML_RE_INVALID;
    }
    if (len > ML_RE_MAX_LEN) {
        err->offset = ML_RE_MAX_LEN;
        err->message = "regex is too large, max length allowed is 1024";
        return ML_RE_INVALID;
    }
    if (memchr(pat, '\0', len)) {
        err->offset = (size_t)((const char *)memchr(pat, '\0', len) - pat);
        err->message = "NUL byte in the regex";
        return ML_RE_INVALID;
    }
    return ML_RE_OK;
}

ml_re_status ml_re_check(const char *pat, size_t len, ml_re_error *err)
{
    ml_re_status st = precheck(pat, len, err);
    if (st != ML_RE_OK)
        return st;
    rp r;
    rp_init(&r, pat, len, err);
    parse(&r);
    st = r.failed ? ML_RE_INVALID : ML_RE_OK;
    rp_free(&r);
    return st;
}

static void literal_shape(ml_arena *a, ml_regex *re);

/* ---- PCRE2 with the arena --------------------------------------------- */

static void *arena_malloc(size_t size, void *data) { return ml_alloc((ml_arena *)data, size ? size : 1); }
static void arena_free(void *p, void *data)
{
    (void)p;
    (void)data;
}

ml_re_status ml_re_compile(ml_arena *a, const char *pat, size_t len, ml_regex **out, ml_re_error *err)
{
    *out = NULL;
    ml_re_status st = precheck(pat, len, err);
    if (st != ML_RE_OK)
        return st;
    rp r;
    rp_init(&r, pat, len, err);
    parse(&r);
    if (r.failed) {
        rp_free(&r);
        return ML_RE_INVALID;
    }
    if (r.unsupported) {
        err->offset = r.unsupported_off;
        err->message = r.unsupported;
        rp_free(&r);
        return ML_RE_UNSUPPORTED;
    }
    pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_free, a);
    pcre2_compile_context *cc = gc ? pcre2_compile_context_create(gc) : NULL;
    int ec = 0;
    PCRE2_SIZE eo = 0;
    pcre2_code *code = NULL;
    if (cc)
        code = pcre2_compile((PCRE2_SPTR)(r.out.s ? r.out.s : ""), r.out.n,
                             PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_DOLLAR_ENDONLY, &ec, &eo, cc);
    if (!code) {
        /* Go accepted it (as far as the checker follows Go) but PCRE2 does
         * not: never call that invalid */
        err->offset = 0;
        err->message = "PCRE2 cannot evaluate this pattern with RE2's meaning";
        rp_free(&r);
        return ML_RE_UNSUPPORTED;
    }
    ml_regex *re = ml_zalloc(a, sizeof *re);
    re->pattern = ml_strndup(a, pat, len);
    re->len = len;
    re->code = code;
    literal_shape(a, re);
    rp_free(&r);
    *out = re;
    return ML_RE_OK;
}

/* LITERAL.* or LITERAL.+: LITERAL made of characters that are not
 * metacharacters and of escaped punctuation, nothing else. */
static void literal_shape(ml_arena *a, ml_regex *re)
{
    const char *p = re->pattern;
    size_t n = re->len;
    if (n < 2 || p[n - 2] != '.' || (p[n - 1] != '*' && p[n - 1] != '+'))
        return;
    ml_buf lit;
    ml_buf_init(&lit);
    size_t i = 0, end = n - 2;
    while (i < end) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 >= end || (unsigned char)p[i + 1] >= 0x80 || is_alnum(p[i + 1]))
                break;
            ml_buf_putc(&lit, p[i + 1]);
            i += 2;
            continue;
        }
        if (strchr(".[](){}*+?|^$", c))
            break;
        ml_buf_putc(&lit, c);
        i++;
    }
    if (i == end) {
        re->lit = ml_strndup(a, lit.s ? lit.s : "", lit.n);
        re->lit_len = lit.n;
        re->lit_plus = p[n - 1] == '+';
    }
    ml_buf_free(&lit);
}

const char *ml_re_pattern(const ml_regex *re) { return re ? re->pattern : NULL; }

ml_re_answer ml_re_full_match(const ml_regex *re, const char *s, size_t n, ml_re_budget *budget)
{
    if (!re || !re->code)
        return ML_RE_UNKNOWN;
    if (n > ML_RE_MAX_SUBJECT)
        return ML_RE_UNKNOWN;
    if (budget) {
        if (budget->matches_left == 0)
            return ML_RE_UNKNOWN;
        budget->matches_left--;
    }
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    ml_re_answer ans = ML_RE_UNKNOWN;
    if (mc && md) {
        pcre2_set_match_limit(mc, ML_RE_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, ML_RE_DEPTH_LIMIT);
        pcre2_set_heap_limit(mc, ML_RE_HEAP_LIMIT_KIB);
        /* subjects come from YAML scalars or code strings; check UTF-8 */
        int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, mc);
        if (rc >= 0)
            ans = ML_RE_YES;
        else if (rc == PCRE2_ERROR_NOMATCH)
            ans = ML_RE_NO;
        else
            ans = ML_RE_UNKNOWN; /* a limit, bad UTF-8 */
    }
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return ans;
}

ml_re_answer ml_re_covers_prefix(const ml_regex *re, const char *prefix, ml_re_budget *budget)
{
    if (!re || !prefix)
        return ML_RE_UNKNOWN;
    size_t pl = strlen(prefix);
    if (re->lit) {
        if (pl < re->lit_len || memcmp(prefix, re->lit, re->lit_len) != 0)
            return ML_RE_NO; /* the prefix itself (or a sibling) is not matched */
        if (memchr(prefix, '\n', pl))
            return ML_RE_NO;
        if (!re->lit_plus || pl > re->lit_len)
            return ML_RE_YES;
        return ML_RE_NO; /* LITERAL.+ does not match the prefix LITERAL itself */
    }
    /* not decidable in general; a counterexample settles NO */
    ml_re_answer a = ml_re_full_match(re, prefix, pl, budget);
    return a == ML_RE_NO ? ML_RE_NO : ML_RE_UNKNOWN;
}

/* ---- positions inside a scalar ---------------------------------------- */

ml_loc ml_scalar_byte_loc(const ml_node *n, size_t off)
{
    ml_loc l = n ? ml_node_loc(n) : (ml_loc){0};
    if (!n || n->type != ML_NODE_SCALAR || !l.file || off > ml_node_len(n) || l.line != l.end_line)
        return l;
    const ml_file *f = l.file;
    size_t q = 0;
    if (n->style == ML_SCALAR_QUOTED)
        q = 1;
    else if (n->style != ML_SCALAR_PLAIN)
        return l;
    if ((size_t)l.off + q + ml_node_len(n) > f->len || (size_t)l.off + q + ml_node_len(n) > l.end_off)
        return l;
    /* the source text must be the value byte for byte (no escapes) */
    if (memcmp(f->data + l.off + q, ml_node_str(n), ml_node_len(n)) != 0)
        return l;
    uint32_t col = l.col + (uint32_t)q;
    for (size_t i = 0; i < off; i++)
        if (((unsigned char)ml_node_str(n)[i] & 0xC0) != 0x80)
            col++;
    ml_loc r = l;
    r.off = l.off + (uint32_t)(q + off);
    r.col = col;
    r.end_off = r.off;
    r.end_col = col;
    r.end_line = r.line;
    if (off < ml_node_len(n)) {
        r.end_off = r.off + 1;
        r.end_col = col + 1;
    }
    return r;
}

/* ---- JavaScript split ------------------------------------------------- */

/* Compile "/pat/flags" with malloc'd PCRE2 memory; *why for a refusal. */
static pcre2_code *js_compile(const char *lit, const char **why)
{
    const char *end = lit ? strrchr(lit, '/') : NULL;
    if (!lit || lit[0] != '/' || !end || end == lit) {
        *why = "not a regular expression literal";
        return NULL;
    }
    uint32_t opts = PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX;
    for (const char *f = end + 1; *f; f++) {
        switch (*f) {
        case 'g': case 'y': case 'd': break;
        case 'i': opts |= PCRE2_CASELESS; break;
        case 'm': opts |= PCRE2_MULTILINE; opts &= ~(uint32_t)PCRE2_DOLLAR_ENDONLY; break;
        case 's': opts |= PCRE2_DOTALL; break;
        case 'u': opts |= PCRE2_UTF; break;
        default:
            *why = "a regular expression flag meshlint does not evaluate";
            return NULL;
        }
    }
    int err = 0;
    PCRE2_SIZE eoff = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)(lit + 1), (PCRE2_SIZE)(end - lit - 1), opts, &err, &eoff, NULL);
    if (!code) {
        *why = "a regular expression PCRE2 does not compile";
        return NULL;
    }
    uint32_t caps = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &caps);
    if (caps) {
        pcre2_code_free(code);
        *why = "a separator with a capturing group (split puts the captured text into the list)";
        return NULL;
    }
    *why = NULL;
    return code;
}

/* The end of a match anchored at q, or -1 (none), -2 (a limit, or an
 * offset inside a UTF-8 character). */
static long js_match_end(const pcre2_code *code, const char *s, size_t size, size_t q, pcre2_match_data *md,
                         pcre2_match_context *mc)
{
    int rc = pcre2_match(code, (PCRE2_SPTR)s, size, q, PCRE2_ANCHORED, md, mc);
    if (rc >= 0)
        return (long)pcre2_get_ovector_pointer(md)[1];
    return rc == PCRE2_ERROR_NOMATCH ? -1 : -2;
}

const char *ml_re_js_split_check(const char *literal)
{
    const char *why = NULL;
    pcre2_code *code = js_compile(literal, &why);
    pcre2_code_free(code);
    return why;
}

ml_re_answer ml_re_js_split(ml_arena *a, const char *literal, const char *s, ml_vec *out)
{
    const char *why = NULL;
    pcre2_code *code = js_compile(literal, &why);
    size_t size = s ? strlen(s) : 0;
    if (!code || !s || size > ML_RE_MAX_SUBJECT) {
        pcre2_code_free(code);
        return ML_RE_UNKNOWN;
    }
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    ml_re_answer ans = mc && md ? ML_RE_YES : ML_RE_UNKNOWN;
    if (mc) {
        pcre2_set_match_limit(mc, ML_RE_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, ML_RE_DEPTH_LIMIT);
        pcre2_set_heap_limit(mc, ML_RE_HEAP_LIMIT_KIB);
    }
    if (ans == ML_RE_YES && size == 0) {
        long e = js_match_end(code, s, size, 0, md, mc);
        if (e == -2)
            ans = ML_RE_UNKNOWN;
        else if (e < 0)
            ml_vec_push(a, out, (void *)"");
    } else if (ans == ML_RE_YES) {
        size_t p = 0, q = 0;
        while (q < size) {
            long e = js_match_end(code, s, size, q, md, mc);
            if (e == -2) {
                ans = ML_RE_UNKNOWN;
                break;
            }
            if (e < 0 || (size_t)e == p) {
                q++;
                continue;
            }
            ml_vec_push(a, out, ml_strndup(a, s + p, q - p));
            p = q = (size_t)e;
        }
        if (ans == ML_RE_YES)
            ml_vec_push(a, out, ml_strndup(a, s + p, size - p));
    }
        pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    pcre2_code_free(code);
    return ans;
}
