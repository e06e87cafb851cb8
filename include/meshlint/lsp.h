/*
 * lsp.h - `meshlint --lsp`: a Language Server Protocol server on standard
 * input and output, and the pieces it is made of (exposed for the unit
 * tests and the fuzz harness): a JSON reader, the message framing and the
 * UTF-8 <-> UTF-16 position conversion the protocol requires.
 */
#ifndef MESHLINT_LSP_H
#define MESHLINT_LSP_H

#include <stdio.h>

#include "meshlint/base.h"

/* ---- JSON values (json.c) ----------------------------------------------- */

typedef enum ml_json_type {
    ML_JSON_NULL,
    ML_JSON_BOOL,
    ML_JSON_NUMBER,
    ML_JSON_STRING,
    ML_JSON_ARRAY,
    ML_JSON_OBJECT
} ml_json_type;

typedef struct ml_json ml_json;
struct ml_json {
    ml_json_type type;
    bool b;
    double num;
    const char *s;   /* string: decoded UTF-8, NUL-terminated (may hold NUL) */
    size_t len;      /* string length in bytes */
    size_t n;        /* array / object: number of members */
    ml_json **items; /* array items, object values */
    const char **keys; /* object keys (decoded, NUL-terminated) */
    size_t *key_lens;
};

/* Nesting deeper than this is refused (a recursion bound, not a protocol
 * limit: LSP messages are about 10 deep). */
#define ML_JSON_MAX_DEPTH 128

/* Parse exactly one JSON text (RFC 8259; surrounding white space allowed)
 * into arena a. Returns NULL with *err set (a static message) and *err_off
 * the byte offset where it went wrong. */
ml_json *ml_json_parse(ml_arena *a, const char *s, size_t n, const char **err, size_t *err_off);
/* Object member by key (the last one when repeated), or NULL; NULL-safe. */
const ml_json *ml_json_get(const ml_json *obj, const char *key);
/* The string of a string value, else NULL. */
const char *ml_json_str(const ml_json *v);
/* Path of keys: ml_json_path(v, "a", "b", NULL) is v.a.b or NULL. */
const ml_json *ml_json_path(const ml_json *v, ...);
/* An integral number in range [lo, hi]: true with *out. */
bool ml_json_int(const ml_json *v, long long lo, long long hi, long long *out);

/* ---- UTF-16 positions --------------------------------------------------- */

/* UTF-16 code units in the first n bytes of s (UTF-8). A code point of four
 * bytes counts two; every byte of invalid UTF-8 counts one (an editor shows
 * it as U+FFFD). */
uint32_t ml_utf16_len(const char *s, size_t n);
/* The UTF-16 offset of code-point column col (1-based, as ml_loc counts)
 * in line s of n bytes; beyond the line: its length. */
uint32_t ml_utf16_of_col(const char *s, size_t n, uint32_t col);
/* The byte offset in line s (n bytes) of UTF-16 offset u (0-based); a
 * position inside a surrogate pair or beyond the line is clamped. */
size_t ml_utf16_to_byte(const char *s, size_t n, uint32_t u);

/* ---- message framing ---------------------------------------------------- */

/* Headers longer than this, or a body longer than ML_LSP_MAX_BODY, are
 * refused: memory stays bounded whatever arrives. */
#define ML_LSP_MAX_HEADER 8192
#define ML_LSP_MAX_BODY ((size_t)64 << 20)

typedef struct ml_lsp_reader {
    char *buf;      /* malloc'd */
    size_t n, cap;
    size_t start;   /* consumed bytes at the front of buf */
    size_t skip;    /* bytes of an oversized body still to be discarded */
} ml_lsp_reader;

void ml_lsp_reader_init(ml_lsp_reader *r);
void ml_lsp_reader_free(ml_lsp_reader *r);
/* Append bytes read from the client (those of an oversized body are
 * dropped as they come). */
void ml_lsp_feed(ml_lsp_reader *r, const char *data, size_t n);
/* The next message: 1 with *body and *len (inside the reader, valid until the
 * next call), 0 when more input is needed, -1 when a malformed header or an
 * oversized message was dropped (*err says why; call again). */
int ml_lsp_next(ml_lsp_reader *r, const char **body, size_t *len, const char **err);

/* ---- the server ---------------------------------------------------------- */

/* Serve on in_fd/out_fd until `exit` or the end of input; log to log (may
 * be NULL). Returns the process exit status: 0 after shutdown + exit, 1
 * otherwise (as the protocol says). jobs: parallel loaders per lint. */
int ml_lsp_serve(int in_fd, int out_fd, FILE *log, bool verbose, unsigned jobs);

#endif
