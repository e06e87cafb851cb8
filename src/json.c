/*
 * json.c - a JSON reader (RFC 8259) for the language server's messages, and
 * the UTF-8 <-> UTF-16 position arithmetic the protocol needs.
 *
 * The reader builds a tree in an arena: recursive descent with a depth
 * bound, strings decoded to UTF-8 (\u escapes, surrogate pairs; a lone
 * surrogate becomes U+FFFD), numbers by the strict grammar. Anything else is
 * an error with the offset where it was found; nothing is ever read beyond
 * the n bytes given. Writing JSON is report.h's ml_jw.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/lsp.h"

typedef struct jp {
    ml_arena *a;
    const char *s;
    size_t n, i;
    const char *err;
    unsigned depth;
} jp;

static bool fail(jp *p, const char *msg)
{
    if (!p->err)
        p->err = msg;
    return false;
}

static void skip_ws(jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool literal(jp *p, const char *word)
{
    size_t k = strlen(word);
    if (p->n - p->i < k || memcmp(p->s + p->i, word, k) != 0)
        return fail(p, "invalid literal");
    p->i += k;
    return true;
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

static bool hex4(jp *p, unsigned *out)
{
    if (p->n - p->i < 4)
        return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[p->i + (size_t)k]);
        if (h < 0)
            return fail(p, "invalid \\u escape");
        v = v * 16 + (unsigned)h;
    }
    p->i += 4;
    *out = v;
    return true;
}

static void put_utf8(ml_buf *b, unsigned cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    ml_buf_add(b, u, k);
}

/* A string starting at the opening quote, decoded into the arena. */
static bool string(jp *p, const char **out, size_t *len)
{
    p->i++; /* the quote */
    size_t start = p->i;
    /* fast path: no escapes */
    while (p->i < p->n && p->s[p->i] != '"' && p->s[p->i] != '\\' && (unsigned char)p->s[p->i] >= 0x20)
        p->i++;
    if (p->i < p->n && p->s[p->i] == '"') {
        *out = ml_strndup(p->a, p->s + start, p->i - start);
        *len = p->i - start;
        p->i++;
        return true;
    }
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_add(&b, p->s + start, p->i - start);
    bool ok = false;
    for (;;) {
        if (p->i >= p->n) {
            fail(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            ok = true;
            break;
        }
        if (c < 0x20) {
            fail(p, "control character in a string");
            break;
        }
        if (c != '\\') {
            ml_buf_putc(&b, (char)c);
            p->i++;
            continue;
        }
        if (++p->i >= p->n) {
            fail(p, "unterminated string");
            break;
        }
        char e = p->s[p->i++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char repl[] = "\"\\/\b\f\n\r\t";
            ml_buf_putc(&b, repl[simple - "\"\\/bfnrt"]);
            continue;
        }
        if (e != 'u') {
            fail(p, "invalid escape");
            break;
        }
        unsigned cp;
        if (!hex4(p, &cp))
            break;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (p->n - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u') {
                size_t save = p->i;
                p->i += 2;
                if (!hex4(p, &lo))
                    break;
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else {
                    cp = 0xFFFD;
                    p->i = save; /* the next escape stands on its own */
                }
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        put_utf8(&b, cp);
    }
    if (ok) {
        *out = ml_strndup(p->a, b.s ? b.s : "", b.n);
        *len = b.n;
    }
    ml_buf_free(&b);
    return ok;
}

static bool number(jp *p, ml_json *v)
{
    size_t start = p->i;
    if (p->i < p->n && p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->n)
        return fail(p, "invalid number");
    if (p->s[p->i] == '0')
        p->i++;
    else if (p->s[p->i] >= '1' && p->s[p->i] <= '9')
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
    else
        return fail(p, "invalid number");
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d)
            return fail(p, "invalid number");
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d)
            return fail(p, "invalid number");
    }
    char tmp[64];
    size_t k = p->i - start;
    if (k >= sizeof tmp) {
        /* a long number is still a number: strtod on an arena copy */
        char *copy = ml_strndup(p->a, p->s + start, k);
        v->num = strtod(copy, NULL);
    } else {
        memcpy(tmp, p->s + start, k);
        tmp[k] = '\0';
        v->num = strtod(tmp, NULL);
    }
    v->type = ML_JSON_NUMBER;
    return true;
}

static ml_json *value(jp *p);

static ml_json *container(jp *p, bool obj)
{
    if (++p->depth > ML_JSON_MAX_DEPTH) {
        fail(p, "nested too deeply");
        return NULL;
    }
    p->i++; /* [ or { */
    ml_json *v = ml_zalloc(p->a, sizeof *v);
    v->type = obj ? ML_JSON_OBJECT : ML_JSON_ARRAY;
    ml_vec items = {0}, keys = {0}, lens = {0};
    skip_ws(p);
    char close = obj ? '}' : ']';
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return v;
    }
    for (;;) {
        skip_ws(p);
        if (obj) {
            if (p->i >= p->n || p->s[p->i] != '"') {
                fail(p, "expected a string key");
                return NULL;
            }
            const char *k;
            size_t kl;
            if (!string(p, &k, &kl))
                return NULL;
            ml_vec_push(p->a, &keys, (void *)k);
            ml_vec_push(p->a, &lens, (void *)(uintptr_t)kl);
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                fail(p, "expected ':'");
                return NULL;
            }
            p->i++;
        }
        ml_json *item = value(p);
        if (!item)
            return NULL;
        ml_vec_push(p->a, &items, item);
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            break;
        }
        fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        return NULL;
    }
    v->n = items.n;
    v->items = (ml_json **)items.items;
    if (obj) {
        v->keys = (const char **)keys.items;
        v->key_lens = ml_alloc(p->a, (v->n ? v->n : 1) * sizeof *v->key_lens);
        for (size_t i = 0; i < v->n; i++)
            v->key_lens[i] = (size_t)(uintptr_t)lens.items[i];
    }
    p->depth--;
    return v;
}

static ml_json *value(jp *p)
{
    skip_ws(p);
    if (p->i >= p->n) {
        fail(p, "unexpected end of input");
        return NULL;
    }
    char c = p->s[p->i];
    if (c == '{' || c == '[')
        return container(p, c == '{');
    ml_json *v = ml_zalloc(p->a, sizeof *v);
    bool ok;
    switch (c) {
    case '"':
        v->type = ML_JSON_STRING;
        ok = string(p, &v->s, &v->len);
        break;
    case 't':
        v->type = ML_JSON_BOOL;
        v->b = true;
        ok = literal(p, "true");
        break;
    case 'f':
        v->type = ML_JSON_BOOL;
        ok = literal(p, "false");
        break;
    case 'n':
        v->type = ML_JSON_NULL;
        ok = literal(p, "null");
        break;
    default:
        ok = (c == '-' || (c >= '0' && c <= '9')) ? number(p, v) : fail(p, "unexpected character");
    }
    return ok ? v : NULL;
}

ml_json *ml_json_parse(ml_arena *a, const char *s, size_t n, const char **err, size_t *err_off)
{
    jp p = {.a = a, .s = s, .n = n};
    ml_json *v = value(&p);
    if (v) {
        skip_ws(&p);
        if (p.i != p.n) {
            fail(&p, "trailing characters after the value");
            v = NULL;
        }
    }
    if (!v) {
        if (err)
            *err = p.err ? p.err : "invalid JSON";
        if (err_off)
            *err_off = p.i;
    }
    return v;
}

const ml_json *ml_json_get(const ml_json *obj, const char *key)
{
    if (!obj || obj->type != ML_JSON_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    for (size_t i = obj->n; i-- > 0;)
        if (obj->key_lens[i] == kl && memcmp(obj->keys[i], key, kl) == 0)
            return obj->items[i];
    return NULL;
}

const char *ml_json_str(const ml_json *v)
{
    return v && v->type == ML_JSON_STRING ? v->s : NULL;
}

const ml_json *ml_json_path(const ml_json *v, ...)
{
    va_list ap;
    va_start(ap, v);
    const char *k;
    while (v && (k = va_arg(ap, const char *)))
        v = ml_json_get(v, k);
    va_end(ap);
    return v;
}

bool ml_json_int(const ml_json *v, long long lo, long long hi, long long *out)
{
    if (!v || v->type != ML_JSON_NUMBER)
        return false;
    double d = v->num;
    if (!(d >= (double)lo && d <= (double)hi))
        return false; /* NaN too */
    long long k = (long long)d;
    if ((double)k != d)
        return false;
    *out = k;
    return true;
}

/* ---- UTF-16 --------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t k;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        *cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        *cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        *cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return k;
}

uint32_t ml_utf16_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t units = 0;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (k == 0)
            k = 1; /* one invalid byte: one U+FFFD */
        units += k == 4 ? 2 : 1;
        i += k;
    }
    return units;
}

uint32_t ml_utf16_of_col(const char *s, size_t n, uint32_t col)
{
    /* ml_loc columns count every byte that is not a UTF-8 continuation
     * byte as the start of a code point (source.c, libyaml's marks) */
    size_t i = 0;
    for (uint32_t c = 1; c < col && i < n; c++) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return ml_utf16_len(s, i);
}

size_t ml_utf16_to_byte(const char *s, size_t n, uint32_t target)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t units = 0;
    size_t i = 0;
    while (i < n && units < target) {
        unsigned cp;
        size_t k = utf8_seq(u + i, n - i, &cp);
        if (k == 0)
            k = 1;
        uint32_t w = k == 4 ? 2 : 1;
        if (units + w > target)
            break; /* inside a surrogate pair: before the character */
        units += w;
        i += k;
    }
    return i;
}
