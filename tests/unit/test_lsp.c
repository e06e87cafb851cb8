/*
 * test_lsp.c - the language server's parts: the JSON reader, UTF-8 <->
 * UTF-16 positions, and the message framing (bad headers, split and
 * oversized messages, bounded memory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/lsp.h"

static ml_json *parse(ml_arena *a, const char *s)
{
    return ml_json_parse(a, s, strlen(s), NULL, NULL);
}

static void test_json_values(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    ml_json *v = parse(&a, " {\"id\": 7, \"method\": \"textDocument/didOpen\", \"params\": {\"a\": [1, -2.5e1, true, "
                           "false, null, \"x\"], \"b\": {}}, \"id\": 8} ");
    assert_non_null(v);
    assert_int_equal(v->type, ML_JSON_OBJECT);
    long long id;
    assert_true(ml_json_int(ml_json_get(v, "id"), 0, 100, &id));
    assert_int_equal(id, 8); /* the last of a repeated key */
    assert_string_equal(ml_json_str(ml_json_get(v, "method")), "textDocument/didOpen");
    const ml_json *arr = ml_json_path(v, "params", "a", NULL);
    assert_non_null(arr);
    assert_int_equal(arr->type, ML_JSON_ARRAY);
    assert_int_equal(arr->n, 6);
    assert_true(arr->items[1]->num == -25.0);
    assert_false(ml_json_int(arr->items[1], -100, 100, &id) && id != -25);
    assert_int_equal(arr->items[2]->type, ML_JSON_BOOL);
    assert_true(arr->items[2]->b);
    assert_false(arr->items[3]->b);
    assert_int_equal(arr->items[4]->type, ML_JSON_NULL);
    assert_string_equal(arr->items[5]->s, "x");
    assert_int_equal(ml_json_path(v, "params", "b", NULL)->n, 0);
    assert_null(ml_json_path(v, "params", "missing", NULL));
    assert_null(ml_json_get(arr, "a")); /* not an object */
    assert_null(ml_json_str(arr));
    /* 1.5 is not an integer; 1e3 is */
    assert_false(ml_json_int(parse(&a, "1.5"), 0, 10, &id));
    assert_true(ml_json_int(parse(&a, "1e3"), 0, 1000, &id));
    assert_int_equal(id, 1000);
    assert_false(ml_json_int(parse(&a, "1e3"), 0, 999, &id));
    ml_arena_free(&a);
}

static void test_json_strings(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    ml_json *v = parse(&a, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"");
    assert_non_null(v);
    assert_string_equal(v->s, "a\"b\\c/d\b\f\n\r\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    /* a lone surrogate becomes U+FFFD; the escape after it stands alone */
    v = parse(&a, "\"\\ud83dx\\udc00\\ud83d\\u0041\"");
    assert_non_null(v);
    assert_string_equal(v->s, "\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD" "A");
    /* \u0000 is kept, with the length telling */
    v = parse(&a, "\"a\\u0000b\"");
    assert_non_null(v);
    assert_int_equal(v->len, 3);
    assert_memory_equal(v->s, "a\0b", 3);
    /* raw UTF-8 passes through */
    v = parse(&a, "\"\xF0\x9F\x98\x80\"");
    assert_non_null(v);
    assert_int_equal(v->len, 4);
    ml_arena_free(&a);
}

static void test_json_errors(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    static const char *const bad[] = {
        "", " ", "{", "[1,", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[1,]", "01", "-", "1.",
        "1e", "+1", ".5", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"a\nb\"", "{} {}",
        "[] x", "NaN", "Infinity", "'a'", "\"\\",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *err = NULL;
        size_t off = 999;
        ml_json *v = ml_json_parse(&a, bad[i], strlen(bad[i]), &err, &off);
        if (v)
            fail_msg("accepted invalid JSON: '%s'", bad[i]);
        assert_non_null(err);
        assert_true(off <= strlen(bad[i]));
    }
    /* the length is the bound, not a NUL */
    assert_null(ml_json_parse(&a, "[1, 2]", 4, NULL, NULL));
    assert_non_null(ml_json_parse(&a, "[1, 2] trailing", 6, NULL, NULL));
    /* depth */
    char deep[2 * ML_JSON_MAX_DEPTH + 8];
    size_t k = 0;
    for (int i = 0; i < ML_JSON_MAX_DEPTH; i++)
        deep[k++] = '[';
    for (int i = 0; i < ML_JSON_MAX_DEPTH; i++)
        deep[k++] = ']';
    assert_non_null(ml_json_parse(&a, deep, k, NULL, NULL));
    memmove(deep + 1, deep, k);
    deep[0] = '[';
    deep[k + 1] = ']';
    const char *err = NULL;
    assert_null(ml_json_parse(&a, deep, k + 2, &err, NULL));
    assert_string_equal(err, "nested too deeply");
    ml_arena_free(&a);
}

static void test_utf16(void **state)
{
    (void)state;
    /* "aé€😀b": 1 + 2 + 3 + 4 + 1 bytes; 1 + 1 + 1 + 2 + 1 UTF-16 units */
    const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" "b";
    size_t n = strlen(s);
    assert_int_equal(ml_utf16_len(s, n), 6);
    assert_int_equal(ml_utf16_len(s, 3), 2);
    /* code-point column -> UTF-16 offset */
    assert_int_equal(ml_utf16_of_col(s, n, 1), 0);
    assert_int_equal(ml_utf16_of_col(s, n, 2), 1);
    assert_int_equal(ml_utf16_of_col(s, n, 3), 2);
    assert_int_equal(ml_utf16_of_col(s, n, 4), 3);
    assert_int_equal(ml_utf16_of_col(s, n, 5), 5); /* after the astral character */
    assert_int_equal(ml_utf16_of_col(s, n, 6), 6);
    assert_int_equal(ml_utf16_of_col(s, n, 60), 6); /* beyond the line */
    /* UTF-16 offset -> byte */
    assert_int_equal(ml_utf16_to_byte(s, n, 0), 0);
    assert_int_equal(ml_utf16_to_byte(s, n, 1), 1);
    assert_int_equal(ml_utf16_to_byte(s, n, 2), 3);
    assert_int_equal(ml_utf16_to_byte(s, n, 3), 6);
    assert_int_equal(ml_utf16_to_byte(s, n, 4), 6); /* inside the surrogate pair: before it */
    assert_int_equal(ml_utf16_to_byte(s, n, 5), 10);
    assert_int_equal(ml_utf16_to_byte(s, n, 6), 11);
    assert_int_equal(ml_utf16_to_byte(s, n, 100), 11);
    /* invalid UTF-8: each bad byte is one unit; a truncated sequence too */
    const char *bad = "\xFF" "a\xE2\x82" "b\xF0\x9F";
    assert_int_equal(ml_utf16_len(bad, strlen(bad)), 7);
    assert_int_equal(ml_utf16_to_byte(bad, strlen(bad), 2), 2);
    /* overlong and surrogate encodings are invalid, one unit a byte */
    assert_int_equal(ml_utf16_len("\xC0\x80", 2), 2);
    assert_int_equal(ml_utf16_len("\xED\xA0\x80", 3), 3);
    /* round trip over every column of the valid line */
    for (uint32_t col = 1; col <= 6; col++) {
        uint32_t u = ml_utf16_of_col(s, n, col);
        size_t b = ml_utf16_to_byte(s, n, u);
        assert_int_equal(ml_utf16_len(s, b), u);
    }
}

static const char *next_body(ml_lsp_reader *r, int want, size_t *len)
{
    const char *body = NULL, *err = NULL;
    int got = ml_lsp_next(r, &body, len, &err);
    if (got != want)
        fail_msg("ml_lsp_next gave %d, expected %d (%s)", got, want, err ? err : "");
    if (got < 0)
        assert_non_null(err);
    return body;
}

static void test_framing(void **state)
{
    (void)state;
    ml_lsp_reader r;
    ml_lsp_reader_init(&r);
    size_t len;
    /* nothing fed yet (no buffer): nothing to frame, and an empty feed
     * changes nothing */
    next_body(&r, 0, &len);
    ml_lsp_feed(&r, "", 0);
    next_body(&r, 0, &len);
    assert_null(r.buf);
    /* two messages in one read, the second split across reads */
    const char *in = "Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}"
                     "content-length:3\r\n\r\n[1]";
    ml_lsp_feed(&r, in, strlen(in) - 2);
    const char *b = next_body(&r, 1, &len);
    assert_int_equal(len, 2);
    assert_memory_equal(b, "{}", 2);
    next_body(&r, 0, &len);
    ml_lsp_feed(&r, in + strlen(in) - 2, 2);
    b = next_body(&r, 1, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(b, "[1]", 3);
    next_body(&r, 0, &len);
    /* bare newlines are accepted */
    ml_lsp_feed(&r, "Content-Length: 1\n\n1", 20);
    b = next_body(&r, 1, &len);
    assert_memory_equal(b, "1", 1);
    /* bad headers are dropped, and the next message still arrives */
    const char *bad = "Content-Length: x1\r\n\r\n"
                      "Content-Length: 99999999999999999999999\r\n\r\n"
                      "Content-Length: -1\r\n\r\n"
                      "Content-Length: 2\r\nContent-Length: 3\r\n\r\n"
                      "X-Other: 1\r\n\r\n"
                      "Content-Length: 2\r\n\r\nok";
    ml_lsp_feed(&r, bad, strlen(bad));
    for (int i = 0; i < 5; i++)
        next_body(&r, -1, &len);
    b = next_body(&r, 1, &len);
    assert_memory_equal(b, "ok", 2);
    /* an oversized body is discarded as it arrives, then framing resumes */
    char head[64];
    size_t big = ML_LSP_MAX_BODY + 10;
    snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", big);
    ml_lsp_feed(&r, head, strlen(head));
    next_body(&r, -1, &len);
    char *chunk = calloc(1, 1 << 20);
    assert_non_null(chunk);
    size_t left = big;
    while (left) {
        size_t k = left < (1 << 20) ? left : (1 << 20);
        ml_lsp_feed(&r, chunk, k);
        left -= k;
        assert_true(r.cap <= 2 * ML_LSP_MAX_HEADER + 65536 * 2);
    }
    free(chunk);
    ml_lsp_feed(&r, "Content-Length: 2\r\n\r\nhi", 23);
    b = next_body(&r, 1, &len);
    assert_memory_equal(b, "hi", 2);
    /* a header that never ends is dropped at 8 KiB */
    char *junk = malloc(ML_LSP_MAX_HEADER + 1);
    assert_non_null(junk);
    memset(junk, 'x', ML_LSP_MAX_HEADER + 1);
    ml_lsp_feed(&r, junk, ML_LSP_MAX_HEADER + 1);
    free(junk);
    next_body(&r, -1, &len);
    ml_lsp_feed(&r, "Content-Length: 2\r\n\r\nok", 23);
    b = next_body(&r, 1, &len);
    assert_memory_equal(b, "ok", 2);
    ml_lsp_reader_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_values),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_framing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
