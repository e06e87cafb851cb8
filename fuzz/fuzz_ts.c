/*
 * fuzz_ts.c - libFuzzer harness: the TypeScript tokenizer, parser and
 * Connectum extraction.
 *
 * One input is one source file. It is tokenized (checking that tokens are in
 * order, inside the input, positioned as source.c would position them, and
 * that bracket matches point forward to a closer or to EOF), scanned into
 * scopes and bindings, expressions are parsed at every `=`, `(` and `:`
 * (a bounded number of them), and finally the extractor runs on it as a
 * .ts file and as a Markdown code block, followed by linking. The file has
 * a path that does not exist, so package.json and relative-import lookups
 * find nothing on disk.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "meshlint/config.h"
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"

#define MAX_PARSES 256

/* Line and column of increasing offsets, as ml_file_pos computes them but
 * in one pass over the input: calling ml_file_pos for every token costs the
 * column each time, quadratic on a long line (the harness itself timed out
 * on minified input). Offsets inside a byte-order mark ask ml_file_pos. */
typedef struct cursor {
    uint32_t off, line, col;
    bool bom;
} cursor;

static void cursor_pos(ml_file *f, cursor *c, uint32_t off, uint32_t *line, uint32_t *col)
{
    if (off > f->len)
        off = (uint32_t)f->len;
    if (c->bom && off < 3) {
        ml_file_pos(f, off, line, col);
        return;
    }
    while (c->off < off) {
        uint32_t i = c->off++;
        if (c->line < f->nlines && f->line_off[c->line] == c->off) {
            c->line++;
            c->col = 1;
        } else if (!(c->bom && i < 3) && ((unsigned char)f->data[i] & 0xC0) != 0x80) {
            c->col++;
        }
    }
    *line = c->line;
    *col = c->col;
}

static void check_lex(ml_file *f, const ml_lex *lx)
{
    FZ_ASSERT(lx->n >= 1, "no EOF token");
    FZ_ASSERT(lx->toks[lx->n - 1].kind == ML_TK_EOF, "last token is not EOF");
    uint32_t prev_end = 0;
    uint32_t line, col;
    ml_file_pos(f, 0, &line, &col); /* builds the line index */
    cursor cur = {0, 1, 1, f->len >= 3 && !memcmp(f->data, "\xEF\xBB\xBF", 3)};
    for (uint32_t i = 0; i < lx->n; i++) {
        const ml_tok *t = &lx->toks[i];
        FZ_ASSERT(t->off <= t->end && t->end <= f->len, "token outside the input");
        FZ_ASSERT(t->off >= prev_end, "tokens overlap or go backwards");
        prev_end = t->end;
        cursor_pos(f, &cur, t->off, &line, &col);
        FZ_ASSERT(line == t->line && col == t->col, "token start line/col disagree with source.c");
        cursor_pos(f, &cur, t->end, &line, &col);
        FZ_ASSERT(line == t->end_line && col == t->end_col, "token end line/col disagree with source.c");
        uint32_t m = lx->match[i];
        FZ_ASSERT(m < lx->n, "bracket match out of range");
        FZ_ASSERT(m >= i, "bracket match points backwards");
        if (t->kind == ML_TK_PUNCT && t->punct < ML_P__COUNT)
            (void)ml_punct_text((ml_punct)t->punct);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ml_arena a;
    ml_arena_init(&a);
    char *buf = ml_alloc(&a, size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ml_file f;
    memset(&f, 0, sizeof f);
    f.path = "/nonexistent/meshlint-fuzz/src/server.ts";
    f.data = buf;
    f.len = size;
    f.type = ML_FILE_TS;
    f.report = true;

    /* tokens */
    ml_lex lx;
    memset(&lx, 0, sizeof lx);
    if (ml_ts_lex(buf, 0, (uint32_t)size, 1, 1, &lx))
        check_lex(&f, &lx);
    ml_ts_lex_free(&lx);

    /* scopes, bindings, expressions */
    ml_ts_unit u;
    if (ml_ts_unit_init(&u, &a, &f, buf, 0, (uint32_t)size, 1, 1)) {
        unsigned parses = 0;
        for (uint32_t i = 0; i + 1 < u.lx.n && parses < MAX_PARSES; i++) {
            const ml_tok *t = &u.lx.toks[i];
            if (t->kind == ML_TK_IDENT) {
                (void)ml_ts_lookup(&u, buf + t->off, t->end - t->off, i);
                continue;
            }
            if (t->kind == ML_TK_STR || t->kind == ML_TK_TEMPLATE) {
                size_t len;
                const char *s = ml_tok_string(&u, i, &len);
                FZ_ASSERT(s != NULL, "string token without a value");
                continue;
            }
            if (t->kind == ML_TK_NUM) {
                (void)ml_tok_number(&u, i);
                continue;
            }
            if (t->kind != ML_TK_PUNCT ||
                !(t->punct == ML_P_ASSIGN || t->punct == ML_P_LPAREN || t->punct == ML_P_COLON))
                continue;
            parses++;
            uint32_t next = 0;
            ml_ts_node *n = ml_ts_parse_expr(&u, i + 1, &next);
            FZ_ASSERT(n != NULL, "parse returned no node");
            FZ_ASSERT(next > i && next <= u.lx.n, "parse ended outside the tokens");
            FZ_ASSERT(n->height <= ML_TS_MAX_DEPTH + 1, "expression deeper than the parser's limit");
            uint32_t skip = ml_ts_skip_expr(&u, i + 1);
            FZ_ASSERT(skip <= u.lx.n, "skip_expr ended outside the tokens");
            (void)ml_ts_skip_type(&u, i + 1);
            (void)ml_ts_loc(&u, i, next > i + 1 ? next - 1 : i);
        }
        (void)ml_ts_export(&u, "default");
        ml_ts_unit_free(&u);
    }

    /* extraction as a file, then as a Markdown block, then linking */
    ml_config cfg;
    ml_config_defaults(&cfg, &a);
    cfg.markdown = true;
    ml_model m;
    ml_model_init(&m, &a, &cfg);
    ml_vec_push(&a, &m.files, &f);
    ml_vec_push(&a, &m.ts_files, &f);
    ml_ts_extract(&m, &f);

    ml_buf md;
    ml_buf_init(&md);
    ml_buf_puts(&md, "# notes\n\n```ts\n");
    ml_buf_add(&md, (const char *)data, size);
    ml_buf_puts(&md, "\n```\n");
    ml_file mf;
    memset(&mf, 0, sizeof mf);
    mf.path = "/nonexistent/meshlint-fuzz/README.md";
    mf.data = ml_strndup(&a, md.s, md.n);
    mf.len = md.n;
    mf.type = ML_FILE_MARKDOWN;
    mf.report = true;
    mf.index = 1;
    ml_buf_free(&md);
    ml_vec_push(&a, &m.files, &mf);
    ml_md_extract(&m, &mf);

    ml_model_finish(&m);
    ml_link_servers(&m);
    ML_VEC_EACH(ml_server *, s, &m.servers) {
        FZ_ASSERT(s->file == &f || s->file == &mf, "server in another file");
        double d;
        (void)ml_val_num(&s->port, &d);
        (void)ml_val_num(&s->shutdown_timeout, &d);
        ML_VEC_EACH(ml_unknown *, un, &s->unknowns)
            FZ_ASSERT(un->what && un->why, "unknown value without what/why");
    }

    ml_model_free(&m);
    ml_map_free(&cfg.rules);
    free(f.line_off);
    free(mf.line_off);
    ml_arena_free(&a);
    return 0;
}
