/*
 * fuzz_lsp.c - libFuzzer harness: the language server's message reader.
 *
 * The input is a byte stream as a client would send it (Content-Length
 * headers and bodies). The first byte picks the size of the pieces it is fed
 * in (1 to 256 bytes: split headers, split bodies); ml_lsp_next frames it,
 * each body goes through ml_json_parse, and every string of the tree (the
 * text of a didOpen) through the UTF-16 position functions. Checks: a body
 * lies inside what was fed; a refusal says why; a parsed string is
 * NUL-terminated at its length; a UTF-16 offset converts to a byte offset on
 * a character boundary within the string and back to at most itself; the
 * reader's buffer never exceeds a header plus a body plus one piece.
 */
#include <string.h>

#include "fuzz_util.h"
#include "meshlint/lsp.h"

static void walk(const ml_json *v, unsigned depth)
{
    FZ_ASSERT(depth <= ML_JSON_MAX_DEPTH + 1, "tree deeper than the bound");
    if (v->type == ML_JSON_STRING) {
        FZ_ASSERT(v->s[v->len] == '\0', "string not NUL-terminated at its length");
        uint32_t units = ml_utf16_len(v->s, v->len);
        FZ_ASSERT(units <= v->len, "more UTF-16 units than bytes");
        for (uint32_t u = 0; u <= units + 1 && u < 64; u++) {
            size_t b = ml_utf16_to_byte(v->s, v->len, u);
            FZ_ASSERT(b <= v->len, "byte offset beyond the string");
            FZ_ASSERT(ml_utf16_len(v->s, b) <= u, "round trip grew");
        }
        for (uint32_t col = 1; col < 16; col++)
            FZ_ASSERT(ml_utf16_of_col(v->s, v->len, col) <= units, "column beyond the line");
    }
    if (v->type == ML_JSON_ARRAY || v->type == ML_JSON_OBJECT)
        for (size_t i = 0; i < v->n; i++) {
            if (v->type == ML_JSON_OBJECT)
                FZ_ASSERT(v->keys[i][v->key_lens[i]] == '\0', "key not NUL-terminated");
            walk(v->items[i], depth + 1);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)data[0] + 1;
    data++, size--;
    ml_lsp_reader r;
    ml_lsp_reader_init(&r);
    for (size_t off = 0; off < size || off == 0;) {
        size_t k = size - off < piece ? size - off : piece;
        ml_lsp_feed(&r, (const char *)data + off, k);
        off += k;
        FZ_ASSERT(r.cap <= 2 * (ML_LSP_MAX_HEADER + ML_LSP_MAX_BODY + piece) + 65536, "reader buffer unbounded");
        for (;;) {
            const char *body = NULL, *err = NULL;
            size_t len = 0;
            int got = ml_lsp_next(&r, &body, &len, &err);
            if (got == 0)
                break;
            if (got < 0) {
                FZ_ASSERT(err && *err, "a refusal without a reason");
                continue;
            }
            FZ_ASSERT(body >= r.buf && body + len <= r.buf + r.n, "body outside the buffer");
            ml_arena a;
            ml_arena_init(&a);
            const char *perr = NULL;
            size_t at = 0;
            ml_json *v = ml_json_parse(&a, body, len, &perr, &at);
            if (v)
                walk(v, 0);
            else
                FZ_ASSERT(perr && at <= len, "a parse error without a reason or inside the body");
            ml_arena_free(&a);
        }
        if (size == 0)
            break;
    }
    ml_lsp_reader_free(&r);
    return 0;
}
