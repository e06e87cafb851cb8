/*
 * test_ts.c - the TypeScript tokenizer (ts_lex.c), scopes and expressions
 * (ts_parse.c), server extraction (ts_extract.c) and Markdown blocks
 * (md_extract.c).
 *
 * Sources are written inline; the guide's snippets and the "real code"
 * shape of connectum-facts.md are reproduced as the documents show them.
 * Generated hostile inputs (deep nesting, many calls, a large file) must be
 * handled quickly and without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "meshlint/config.h"
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"

/* ---- fixtures ----------------------------------------------------------- */

#define IMP "import { createServer } from '@connectum/core';\n"

typedef struct fx {
    ml_arena arena;
    ml_config cfg;
    ml_model model;
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ml_arena_init(&f->arena);
    f->cfg.arena = &f->arena;
    f->cfg.default_ns = "default";
    f->cfg.root_ns = "istio-system";
    f->cfg.trust_domain = "cluster.local";
    f->cfg.cluster_domain = "cluster.local";
    ml_map_init(&f->cfg.rules);
    ml_model_init(&f->model, &f->arena, &f->cfg);
    return f;
}

static void fx_free(fx *f)
{
    ml_ts_release(&f->model);
    ML_VEC_EACH(ml_file *, file, &f->model.files) {
        free(file->line_off);
    }
    ml_model_free(&f->model);
    ml_map_free(&f->cfg.rules);
    ml_arena_free(&f->arena);
    free(f);
}

static ml_file *add_file(fx *f, const char *path, const char *text, size_t len, ml_file_type type)
{
    ml_file *file = ml_zalloc(&f->arena, sizeof *file);
    file->path = ml_strdup(&f->arena, path);
    file->data = ml_strndup(&f->arena, text, len);
    file->len = len;
    file->type = type;
    file->report = true;
    file->index = (unsigned)f->model.files.n;
    ml_vec_push(&f->arena, &f->model.files, file);
    return file;
}

/* Extract the servers of one TypeScript source. */
static size_t extract(fx *f, const char *path, const char *text)
{
    size_t before = f->model.servers.n;
    ml_file *file = add_file(f, path, text, strlen(text), ML_FILE_TS);
    ml_ts_extract(&f->model, file);
    return f->model.servers.n - before;
}

static ml_server *server(fx *f, size_t i)
{
    assert_true(i < f->model.servers.n);
    return f->model.servers.items[i];
}

/* The source text a location covers. */
static char *loc_text(const ml_loc *l)
{
    static char buf[512];
    assert_non_null(l->file);
    size_t n = l->end_off - l->off;
    assert_true(n < sizeof buf);
    memcpy(buf, l->file->data + l->off, n);
    buf[n] = '\0';
    return buf;
}

/* Apply a deletion to the file's text. */
static char *apply_delete(const ml_loc *l)
{
    const ml_file *file = l->file;
    char *out = malloc(file->len + 1);
    assert_non_null(out);
    memcpy(out, file->data, l->off);
    memcpy(out + l->off, file->data + l->end_off, file->len - l->end_off);
    out[file->len - (l->end_off - l->off)] = '\0';
    return out;
}

/* ---- tokenizer ------------------------------------------------------------ */

typedef struct lexed {
    ml_lex lx;
    const char *src;
} lexed;

static lexed lex(const char *src)
{
    lexed l;
    l.src = src;
    assert_true(ml_ts_lex(src, 0, (uint32_t)strlen(src), 1, 1, &l.lx));
    return l;
}

static bool tok_text_is(const lexed *l, uint32_t i, const char *text)
{
    const ml_tok *t = &l->lx.toks[i];
    return t->end - t->off == strlen(text) && memcmp(l->src + t->off, text, t->end - t->off) == 0;
}

static void test_lex_strings_and_comments(void **state)
{
    (void)state;
    lexed l = lex("const s = \"createServer(\" + 'it\\'s' // createServer({ port: 1 })\n"
                  "/* createServer( */ x");
    /* const s = STR + STR x EOF */
    assert_int_equal(l.lx.n, 8);
    assert_int_equal(l.lx.toks[3].kind, ML_TK_STR);
    assert_true(tok_text_is(&l, 3, "\"createServer(\""));
    assert_int_equal(l.lx.toks[5].kind, ML_TK_STR);
    assert_true(tok_text_is(&l, 5, "'it\\'s'"));
    assert_int_equal(l.lx.toks[6].kind, ML_TK_IDENT);
    assert_int_equal(l.lx.toks[6].line, 2);
    assert_int_equal(l.lx.toks[6].col, 21);
    assert_true(l.lx.toks[6].flags & ML_TF_NL_BEFORE);
    ml_ts_lex_free(&l.lx);

    /* nothing in strings or comments is a call */
    fx *f = fx_new();
    assert_int_equal(extract(f, "a.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "const s = \"createServer({ port: 1 })\";\n"
                             "// createServer({ port: 2 })\n"
                             "/* createServer({ port: 3 }) */\n"
                             "const t = `createServer({ port: 4 })`;\n"),
                     0);
    /* comments around options do not disturb them */
    assert_int_equal(extract(f, "b.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "createServer(/* opts */ { // the port\n"
                             "  port: /* inline */ 7000, // trailing\n"
                             "  /* tls: {} */\n"
                             "});\n"),
                     1);
    assert_int_equal(server(f, 0)->port.kind, ML_VAL_NUM);
    assert_true(server(f, 0)->port.num == 7000);
    assert_int_equal(server(f, 0)->tls, ML_TLS_ABSENT);
    fx_free(f);
}

static void test_lex_regex_and_division(void **state)
{
    (void)state;
    lexed l = lex("x = /a\\/b[/]c/g; f(/y/i); a / b / c; (d) / 2");
    /* 0 x, 1 =, 2 REGEX, 3 ;, 4 f, 5 (, 6 REGEX, 7 ), 8 ;, 9 a, 10 /, 11 b, 12 /, 13 c,
     * 14 ;, 15 (, 16 d, 17 ), 18 /, 19 2, 20 EOF */
    assert_int_equal(l.lx.n, 21);
    assert_int_equal(l.lx.toks[2].kind, ML_TK_REGEX);
    assert_true(tok_text_is(&l, 2, "/a\\/b[/]c/g"));
    assert_int_equal(l.lx.toks[6].kind, ML_TK_REGEX);
    assert_true(tok_text_is(&l, 6, "/y/i"));
    assert_int_equal(l.lx.toks[10].kind, ML_TK_PUNCT);
    assert_int_equal(l.lx.toks[10].punct, ML_P_SLASH);
    assert_int_equal(l.lx.toks[12].punct, ML_P_SLASH);
    assert_int_equal(l.lx.toks[18].punct, ML_P_SLASH);
    assert_int_equal(l.lx.toks[19].kind, ML_TK_NUM);
    ml_ts_lex_free(&l.lx);

    /* a regex after return, and one containing quotes and braces */
    l = lex("return /'{\"/.test(s)");
    assert_int_equal(l.lx.toks[1].kind, ML_TK_REGEX);
    assert_int_equal(l.lx.toks[2].punct, ML_P_DOT);
    ml_ts_lex_free(&l.lx);

    /* a '/' that would make a regex across a line break is a division */
    l = lex("a = b\n/ c / d");
    assert_int_equal(l.lx.toks[3].punct, ML_P_SLASH);
    assert_int_equal(l.lx.toks[5].punct, ML_P_SLASH);
    ml_ts_lex_free(&l.lx);
}

static void test_lex_templates(void **state)
{
    (void)state;
    lexed l = lex("t = `a${`${x}`}b${ {k: 1}.k }c`; y");
    /* 0 t, 1 =, 2 HEAD(`a${), 3 HEAD(`${), 4 x, 5 TAIL(}`), 6 MID(}b${), 7 {, 8 k, 9 :,
     * 10 1, 11 }, 12 ., 13 k, 14 TAIL(}c`), 15 ;, 16 y, 17 EOF */
    assert_int_equal(l.lx.n, 18);
    assert_int_equal(l.lx.toks[2].kind, ML_TK_TPL_HEAD);
    assert_int_equal(l.lx.toks[3].kind, ML_TK_TPL_HEAD);
    assert_int_equal(l.lx.toks[4].kind, ML_TK_IDENT);
    assert_int_equal(l.lx.toks[5].kind, ML_TK_TPL_TAIL);
    assert_int_equal(l.lx.toks[6].kind, ML_TK_TPL_MID);
    assert_true(tok_text_is(&l, 6, "}b${"));
    assert_int_equal(l.lx.toks[7].punct, ML_P_LBRACE);
    assert_int_equal(l.lx.toks[14].kind, ML_TK_TPL_TAIL);
    assert_true(tok_text_is(&l, 14, "}c`"));
    assert_int_equal(l.lx.match[2], 14);
    assert_int_equal(l.lx.match[3], 5);
    assert_int_equal(l.lx.match[7], 11);
    assert_true(tok_text_is(&l, 16, "y"));
    ml_ts_lex_free(&l.lx);

    /* deeply nested templates: any depth, no recursion */
    ml_buf b;
    ml_buf_init(&b);
    for (int i = 0; i < 5000; i++)
        ml_buf_puts(&b, "`${");
    ml_buf_puts(&b, "x");
    for (int i = 0; i < 5000; i++)
        ml_buf_puts(&b, "}`");
    l = lex(b.s);
    assert_int_equal(l.lx.n, 10002);
    assert_int_equal(l.lx.toks[5000].kind, ML_TK_IDENT);
    assert_int_equal(l.lx.match[0], 10000);
    ml_ts_lex_free(&l.lx);
    ml_buf_free(&b);

    /* a template literal without substitutions is a string value */
    fx *f = fx_new();
    assert_int_equal(extract(f, "t.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "createServer({ host: `0.0.0.0`, port: Number(`5001`) });\n"),
                     1);
    assert_int_equal(server(f, 0)->host.kind, ML_VAL_STR);
    assert_string_equal(server(f, 0)->host.str, "0.0.0.0");
    assert_true(server(f, 0)->port.num == 5001);
    fx_free(f);
}

static void test_lex_numbers(void **state)
{
    (void)state;
    fx *f = fx_new();
    ml_file *file = add_file(f, "n.ts", "10_000 0x1F 1e3 0b101 0o17 .5 1_0.2_5e-1 12n 0", strlen("10_000 0x1F 1e3 0b101 0o17 .5 1_0.2_5e-1 12n 0"), ML_FILE_TS);
    ml_ts_unit u;
    assert_true(ml_ts_unit_init(&u, &f->arena, file, file->data, 0, (uint32_t)file->len, 1, 1));
    const double want[] = {10000, 31, 1000, 5, 15, 0.5, 1.025, 12, 0};
    for (uint32_t i = 0; i < 9; i++) {
        assert_int_equal(u.lx.toks[i].kind, ML_TK_NUM);
        assert_true(fabs(ml_tok_number(&u, i) - want[i]) < 1e-9);
    }
    assert_int_equal(u.lx.toks[9].kind, ML_TK_EOF);
    ml_ts_unit_free(&u);
    fx_free(f);
}

static void test_lex_punctuators(void **state)
{
    (void)state;
    lexed l = lex("a?.b ?? c ?\?= d; ...e => f >>>= g; h ? .5 : 1; i!; j === k !== l");
    static const ml_punct want[][2] = {{1, ML_P_QDOT}, {3, ML_P_QQ}, {5, ML_P_QQEQ}, {8, ML_P_ELLIPSIS},
                                       {10, ML_P_ARROW}, {12, ML_P_USHREQ}, {16, ML_P_Q},
                                       {18, ML_P_COLON}, {22, ML_P_BANG}, {25, ML_P_EQEQEQ},
                                       {27, ML_P_NEE}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        assert_int_equal(l.lx.toks[want[k][0]].kind, ML_TK_PUNCT);
        assert_int_equal(l.lx.toks[want[k][0]].punct, want[k][1]);
    }
    assert_int_equal(l.lx.toks[17].kind, ML_TK_NUM);
    ml_ts_lex_free(&l.lx);
}

static void test_lex_unterminated(void **state)
{
    (void)state;
    lexed l = lex("x = \"abc");
    assert_int_equal(l.lx.n, 4);
    assert_int_equal(l.lx.toks[2].kind, ML_TK_STR);
    assert_true(l.lx.toks[2].flags & ML_TF_UNTERMINATED);
    assert_int_equal(l.lx.toks[3].kind, ML_TK_EOF);
    ml_ts_lex_free(&l.lx);

    l = lex("x = `abc ${ y");
    assert_int_equal(l.lx.toks[2].kind, ML_TK_TPL_HEAD);
    assert_int_equal(l.lx.toks[l.lx.n - 1].kind, ML_TK_EOF);
    assert_int_equal(l.lx.match[2], l.lx.n - 1);
    ml_ts_lex_free(&l.lx);

    l = lex("x = `abc");
    assert_true(l.lx.toks[2].flags & ML_TF_UNTERMINATED);
    ml_ts_lex_free(&l.lx);

    l = lex("x /* never closed createServer({");
    assert_int_equal(l.lx.n, 2);
    ml_ts_lex_free(&l.lx);

    /* a stray backslash at the very end stays inside the input */
    l = lex("il\\");
    assert_int_equal(l.lx.n, 3);
    assert_int_equal(l.lx.toks[0].end, 2);
    assert_int_equal(l.lx.toks[1].end, 3);
    ml_ts_lex_free(&l.lx);
    l = lex("a \\");
    assert_int_equal(l.lx.n, 3);
    assert_int_equal(l.lx.toks[1].off, 2);
    assert_int_equal(l.lx.toks[1].end, 3);
    ml_ts_lex_free(&l.lx);

    l = lex("x = 'line\nbreak'");
    assert_true(l.lx.toks[2].flags & ML_TF_UNTERMINATED);
    ml_ts_lex_free(&l.lx);

    /* and extraction of such files ends quietly */
    fx *f = fx_new();
    assert_int_equal(extract(f, "u1.ts", "import { createServer } from '@connectum/core';\ncreateServer({ port: \"50"), 1);
    assert_int_equal(server(f, 0)->port.kind, ML_VAL_STR);
    extract(f, "u2.ts", "import { createServer } from '@connectum/core';\ncreateServer({ port: `${");
    extract(f, "u3.ts", "import { createServer } from '@connectum/core';\ncreateServer({ port: 1, /* ");
    extract(f, "u4.ts", "import { createServer } from '@connectum/core';\ncreateServer(");
    assert_int_equal(f->model.servers.n, 4);
    assert_int_equal(server(f, 2)->port.kind, ML_VAL_NUM);
    fx_free(f);
}

static void test_lex_positions_utf8(void **state)
{
    (void)state;
    lexed l = lex("const é = \"ü€\"; \n\t  x\r\ny");
    assert_int_equal(l.lx.toks[2].col, 9); /* '=' after "const é " (é is one column) */
    assert_int_equal(l.lx.toks[3].col, 11);
    assert_int_equal(l.lx.toks[3].end_col, 15);
    assert_int_equal(l.lx.toks[4].col, 15);
    assert_int_equal(l.lx.toks[5].line, 2);
    assert_int_equal(l.lx.toks[5].col, 4);
    assert_int_equal(l.lx.toks[6].line, 3);
    assert_int_equal(l.lx.toks[6].col, 1);
    ml_ts_lex_free(&l.lx);

    /* a byte order mark opening the file takes no column, as in source.c;
     * a shebang line is skipped */
    l = lex("\xEF\xBB\xBF#!/usr/bin/env node\nx");
    assert_int_equal(l.lx.n, 2);
    assert_int_equal(l.lx.toks[0].line, 2);
    assert_int_equal(l.lx.toks[0].col, 1);
    ml_ts_lex_free(&l.lx);
    l = lex("\xEF\xBB\xBFx");
    assert_int_equal(l.lx.toks[0].col, 1);
    ml_file f;
    memset(&f, 0, sizeof f);
    f.data = l.src;
    f.len = strlen(l.src);
    uint32_t line, col;
    ml_file_pos(&f, l.lx.toks[0].off, &line, &col);
    assert_int_equal(col, l.lx.toks[0].col);
    free(f.line_off);
    ml_ts_lex_free(&l.lx);
}

/* ---- the guide's snippets ---------------------------------------------------- */

static const char guide_tls[] =
    "import { createServer } from '@connectum/core';\n"
    "\n"
    "// Before Istio (application-level TLS)\n"
    "const server = createServer({\n"
    "  services: [routes],\n"
    "  port: 5000,\n"
    "  tls: { dirPath: '/etc/tls' },  // Remove this\n"
    "  // ...\n"
    "});\n";

static const char guide_tls_fixed[] =
    "import { createServer } from '@connectum/core';\n"
    "\n"
    "// Before Istio (application-level TLS)\n"
    "const server = createServer({\n"
    "  services: [routes],\n"
    "  port: 5000,\n"
    "  // ...\n"
    "});\n";

static void test_guide_tls_dirpath(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "src/server.ts", guide_tls), 1);
    ml_server *s = server(f, 0);
    assert_int_equal(s->tls, ML_TLS_PRESENT);
    assert_string_equal(loc_text(&s->tls_loc), "tls: { dirPath: '/etc/tls' }");
    assert_int_equal(s->tls_loc.line, 7);
    assert_int_equal(s->tls_loc.col, 3);
    assert_int_equal(s->tls_delete.line, 7);
    assert_int_equal(s->tls_delete.col, 1);
    assert_int_equal(s->tls_delete.end_line, 8);
    assert_int_equal(s->tls_delete.end_col, 1);
    char *fixed = apply_delete(&s->tls_delete);
    assert_string_equal(fixed, guide_tls_fixed);
    free(fixed);
    assert_int_equal(s->port.kind, ML_VAL_NUM);
    assert_true(s->port.num == 5000);
    assert_int_equal(s->call.line, 4);
    assert_int_equal(s->call.col, 16);
    assert_string_equal(loc_text(&s->call), "createServer");
    assert_string_equal(s->dir, "src");
    fx_free(f);
}

static void test_guide_interceptors(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "g.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "import { createDefaultInterceptors } from '@connectum/interceptors';\n"
                             "\n"
                             "// Connectum: application-level resilience\n"
                             "const server = createServer({\n"
                             "  services: [routes],\n"
                             "  port: 5000,\n"
                             "  interceptors: createDefaultInterceptors({\n"
                             "    circuitBreaker: { threshold: 3 },\n"
                             "    timeout: { duration: 10_000 },\n"
                             "    retry: { maxRetries: 2 },\n"
                             "    bulkhead: { capacity: 20, queueSize: 10 },\n"
                             "  }),\n"
                             "});\n"),
                     1);
    ml_server *s = server(f, 0);
    assert_true(s->interceptors_known);
    assert_int_equal(s->retry.enabled, ML_YES);
    assert_true(s->retry.from_defaults);
    assert_int_equal(s->retry.a.kind, ML_VAL_NUM);
    assert_true(s->retry.a.num == 2);
    assert_string_equal(loc_text(&s->retry.loc), "retry: { maxRetries: 2 }");
    assert_true(s->retry.codes_known);
    assert_int_equal(s->retry.codes.n, 0);
    assert_int_equal(s->timeout.enabled, ML_YES);
    assert_true(s->timeout.a.num == 10000);
    assert_int_equal(s->circuit_breaker.enabled, ML_YES);
    assert_true(s->circuit_breaker.a.num == 3);
    assert_int_equal(s->circuit_breaker.b.kind, ML_VAL_ABSENT);
    assert_int_equal(s->bulkhead.enabled, ML_YES);
    assert_true(s->bulkhead.a.num == 20);
    assert_true(s->bulkhead.b.num == 10);
    assert_int_equal(s->fallback.enabled, ML_NO);
    assert_int_equal(s->unknowns.n, 0);
    fx_free(f);
}

static void test_guide_health_reflection_otel(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "h.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "import { Healthcheck } from '@connectum/healthcheck';\n"
                             "import { Reflection } from '@connectum/reflection';\n"
                             "import { initProvider } from '@connectum/otel';\n"
                             "\n"
                             "// Initialize OTel before creating the server\n"
                             "initProvider({\n"
                             "  serviceName: 'order-service',\n"
                             "  serviceVersion: '1.0.0',\n"
                             "});\n"
                             "const server = createServer({\n"
                             "  services: [routes],\n"
                             "  port: 5000,\n"
                             "  // No tls configuration needed -- Istio handles it\n"
                             "  protocols: [Healthcheck({ httpEnabled: true }), Reflection()],\n"
                             "});\n"),
                     1);
    ml_server *s = server(f, 0);
    assert_int_equal(s->has_health, ML_YES);
    assert_string_equal(loc_text(&s->health_loc), "Healthcheck({ httpEnabled: true })");
    assert_int_equal(s->health_http_enabled.kind, ML_VAL_BOOL);
    assert_true(s->health_http_enabled.b);
    assert_false(s->health_paths_set);
    assert_true(s->health_paths_known);
    assert_int_equal(s->has_reflection, ML_YES);
    assert_int_equal(s->tls, ML_TLS_ABSENT);
    assert_int_equal(s->otel_service_name.kind, ML_VAL_STR);
    assert_string_equal(s->otel_service_name.str, "order-service");
    assert_string_equal(loc_text(&s->otel_loc), "initProvider");
    assert_int_equal(s->shutdown_timeout.kind, ML_VAL_ABSENT);
    fx_free(f);
}

/* ---- real code ------------------------------------------------------------------ */

static void test_real_code_shape(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(
        extract(f, "services/order/src/server.ts",
                "import { createServer, type Interceptor } from \"@connectum/core\";\n"
                "import { Healthcheck } from \"@connectum/healthcheck\";\n"
                "import { Reflection } from \"@connectum/reflection\";\n"
                "import { createDefaultInterceptors, createErrorHandlerInterceptor } from \"@connectum/interceptors\";\n"
                "\n"
                "export function start(options: StartOptions, cfg: Config, otel?: Interceptor) {\n"
                "  const port = options.port ?? Number(process.env.PORT ?? 5000);\n"
                "  const allowHTTP1 = false;\n"
                "  const interceptors: Interceptor[] = [\n"
                "    createErrorHandlerInterceptor(),\n"
                "    ...buildAuthInterceptors(cfg),\n"
                "    ...(otel ? [otel] : []),\n"
                "    ...createDefaultInterceptors({ errorHandler: false }),\n"
                "  ];\n"
                "  return createServer({ services: [a, b], port, host: \"0.0.0.0\", allowHTTP1,\n"
                "    protocols: [Healthcheck({ httpEnabled: true }), Reflection()], interceptors,\n"
                "    shutdown: { autoShutdown: true, timeout: 10_000 } });\n"
                "}\n"),
        1);
    ml_server *s = server(f, 0);
    /* options.port may win: unknown, with the parameter named */
    assert_int_equal(s->port.kind, ML_VAL_UNKNOWN);
    assert_string_equal(s->port.why,
                        "value of parameter options: start is exported and no call of it was found in its package");
    assert_int_equal(s->port.loc.line, 7);
    assert_string_equal(s->host.str, "0.0.0.0");
    assert_int_equal(s->allow_http1.kind, ML_VAL_BOOL);
    assert_false(s->allow_http1.b);
    assert_int_equal(s->has_health, ML_YES);
    assert_true(s->health_http_enabled.b);
    assert_int_equal(s->has_reflection, ML_YES);
    assert_int_equal(s->shutdown_timeout.kind, ML_VAL_NUM);
    assert_true(s->shutdown_timeout.num == 10000);
    assert_string_equal(loc_text(&s->shutdown_loc), "timeout: 10_000");
    /* buildAuthInterceptors(cfg) and otel could be anything */
    assert_false(s->interceptors_known);
    assert_int_equal(s->retry.enabled, ML_MAYBE);
    assert_int_equal(s->env_names.n, 1);
    assert_string_equal((const char *)s->env_names.items[0], "PORT");
    /* the unknowns name what and why */
    bool port_unknown = false, auth_unknown = false, otel_unknown = false;
    ML_VEC_EACH(ml_unknown *, u, &s->unknowns) {
        if (strcmp(u->what, "port") == 0)
            port_unknown = true;
        if (strcmp(u->what, "interceptors") == 0 && strcmp(u->why, "call to buildAuthInterceptors()") == 0) {
            auth_unknown = true;
            assert_int_equal(u->loc.line, 11);
        }
        if (strcmp(u->what, "interceptors") == 0 && strstr(u->why, "value of parameter otel: start is exported"))
            otel_unknown = true;
    }
    assert_true(port_unknown);
    assert_true(auth_unknown);
    assert_true(otel_unknown);
    fx_free(f);

    /* the same chain with the known parts only: defaults with errorHandler off */
    f = fx_new();
    assert_int_equal(extract(f, "k.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "import { createDefaultInterceptors, createErrorHandlerInterceptor } from '@connectum/interceptors';\n"
                             "const extra = process.env.RETRY === 'on';\n"
                             "const interceptors = [\n"
                             "  createErrorHandlerInterceptor(),\n"
                             "  ...createDefaultInterceptors({ errorHandler: false, retry: true }),\n"
                             "  ...(extra ? createDefaultInterceptors({ timeout: { duration: 5000 } }) : []),\n"
                             "];\n"
                             "createServer({ interceptors });\n"),
                     1);
    s = server(f, 0);
    assert_true(s->interceptors_known);
    assert_int_equal(s->retry.enabled, ML_YES);
    assert_int_equal(s->retry.a.kind, ML_VAL_ABSENT);
    assert_int_equal(s->timeout.enabled, ML_MAYBE);
    assert_true(s->timeout.a.num == 5000);
    assert_int_equal(s->bulkhead.enabled, ML_NO);
    assert_int_equal(s->port.kind, ML_VAL_ABSENT);
    fx_free(f);
}

static void test_env_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        const char *env;
        double dflt; /* NAN: no default */
    } cases[] = {
        {"process.env.PORT", "PORT", NAN},
        {"process.env.PORT ?? 5000", "PORT", 5000},
        {"process.env.PORT || 5000", "PORT", 5000},
        {"Number(process.env.PORT ?? 5000)", "PORT", 5000},
        {"parseInt(process.env.PORT ?? \"5000\", 10)", "PORT", 5000},
        {"Number(process.env.PORT) || 5000", "PORT", 5000},
        {"Number(process.env[\"APP_PORT\"] ?? '7000')", "APP_PORT", 7000},
        {"+process.env.PORT! || 8080", "PORT", 8080},
        {"(process.env.PORT as string | undefined) ?? 5000", "PORT", 5000},
        {"env.PORT ?? 9000", "PORT", 9000},
        {"PORT", "PORT", 5001},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fx *f = fx_new();
        char *src = ml_printf(&f->arena,
                              "import { createServer } from '@connectum/core';\n"
                              "const env = process.env;\n"
                              "const { PORT = '5001' } = process.env;\n"
                              "createServer({ port: %s });\n",
                              cases[k].expr);
        assert_int_equal(extract(f, "e.ts", src), 1);
        ml_server *s = server(f, 0);
        assert_int_equal(s->port.kind, ML_VAL_ENV);
        assert_string_equal(s->port.env, cases[k].env);
        if (isnan(cases[k].dflt)) {
            assert_null(s->port.env_default);
        } else {
            double d;
            assert_non_null(s->port.env_default);
            assert_true(ml_val_num(&s->port, &d));
            assert_true(d == cases[k].dflt);
        }
        bool recorded = false;
        ML_VEC_EACH(const char *, e, &s->env_names) {
            recorded |= strcmp(e, cases[k].env) == 0;
        }
        assert_true(recorded);
        fx_free(f);
    }
}

static void test_env_tests(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        const char *env;
        const char *match[3];
        bool negate;
        bool unset; /* the value when the variable is not set */
    } cases[] = {
        {"process.env.HTTP_HEALTH_ENABLED === 'true'", "HTTP_HEALTH_ENABLED", {"true"}, false, false},
        {"'yes' == process.env.H", "H", {"yes"}, false, false},
        {"['true', '1', 'yes'].includes(env.H ?? '')", "H", {"true", "1", "yes"}, false, false},
        {"process.env.HEALTH_OFF !== '1'", "HEALTH_OFF", {"1"}, true, true},
        {"!(process.env.X === 'yes')", "X", {"yes"}, true, true},
        {"(process.env.Y ?? 'on') === 'on'", "Y", {"on"}, false, true},
        {"Boolean(process.env.Z === 'on') || false", "Z", {"on"}, false, false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fx *f = fx_new();
        char *src = ml_printf(&f->arena,
                              IMP "import { Healthcheck } from '@connectum/healthcheck';\n"
                                  "const env = process.env;\n"
                                  "createServer({ protocols: [Healthcheck({ httpEnabled: %s })] });\n",
                              cases[k].expr);
        assert_int_equal(extract(f, "t.ts", src), 1);
        ml_val *v = &server(f, 0)->health_http_enabled;
        assert_int_equal(v->kind, ML_VAL_ENV);
        assert_string_equal(v->env, cases[k].env);
        size_t n = 0;
        while (n < 3 && cases[k].match[n])
            n++;
        assert_int_equal(ml_val_env_match(v)->n, n);
        for (size_t i = 0; i < n; i++)
            assert_string_equal((const char *)ml_val_env_match(v)->items[i], cases[k].match[i]);
        assert_int_equal(v->env_negate, cases[k].negate);
        assert_non_null(v->env_default);
        assert_int_equal(v->env_default->kind, ML_VAL_BOOL);
        assert_int_equal(v->env_default->b, cases[k].unset);
        assert_int_equal(server(f, 0)->unknowns.n, 0);
        fx_free(f);
    }
    /* a test the evaluator cannot follow is unknown, and ML005 hears of it */
    fx *f = fx_new();
    assert_int_equal(extract(f, "u.ts",
                             IMP "import { Healthcheck } from '@connectum/healthcheck';\n"
                                 "createServer({ protocols: [Healthcheck({ httpEnabled: flags.health })] });\n"),
                     1);
    assert_int_equal(server(f, 0)->health_http_enabled.kind, ML_VAL_UNKNOWN);
    assert_int_equal(server(f, 0)->unknowns.n, 1);
    assert_string_equal(((ml_unknown *)server(f, 0)->unknowns.items[0])->what, "protocols");
    assert_string_equal(((ml_unknown *)server(f, 0)->unknowns.items[0])->why, "flags is not defined in this file");
    fx_free(f);
}

static void test_aliases_and_namespaces(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "alias.ts",
                             "import { createServer as mk } from '@connectum/core';\n"
                             "import { Healthcheck as HC } from '@connectum/healthcheck';\n"
                             "mk({ port: 6001, protocols: [HC({ httpEnabled: false })] });\n"),
                     1);
    assert_true(server(f, 0)->port.num == 6001);
    assert_int_equal(server(f, 0)->has_health, ML_YES);
    assert_false(server(f, 0)->health_http_enabled.b);
    assert_int_equal(server(f, 0)->health_http_enabled.kind, ML_VAL_BOOL);

    assert_int_equal(extract(f, "ns.ts",
                             "import * as core from '@connectum/core';\n"
                             "import * as ic from '@connectum/interceptors';\n"
                             "core.createServer({ port: 6002, interceptors: [ic.createRetryInterceptor({ maxRetries: 4 })] });\n"
                             "other.createServer({ port: 1 });\n"),
                     1);
    assert_true(server(f, 1)->port.num == 6002);
    assert_int_equal(server(f, 1)->retry.enabled, ML_YES);
    assert_false(server(f, 1)->retry.from_defaults);
    assert_true(server(f, 1)->retry.a.num == 4);

    assert_int_equal(extract(f, "req.js",
                             "const { createServer } = require('@connectum/core');\n"
                             "const core = require('@connectum/core');\n"
                             "createServer({ port: 6003 });\n"
                             "core.createServer({ port: 6004 });\n"),
                     2);
    assert_true(server(f, 2)->port.num == 6003);
    assert_true(server(f, 3)->port.num == 6004);

    /* generic type arguments on the call */
    assert_int_equal(extract(f, "gen.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "createServer<Routes, Map<string, number>>({ port: 6005 });\n"),
                     1);
    assert_true(server(f, 4)->port.num == 6005);
    fx_free(f);
}

static void test_foreign_create_server_ignored(void **state)
{
    (void)state;
    fx *f = fx_new();
    /* node's createServer, and a file that imports nothing from Connectum */
    assert_int_equal(extract(f, "http.ts",
                             "import { createServer } from 'node:http';\n"
                             "import { Healthcheck } from '@connectum/healthcheck';\n"
                             "createServer({ port: 80 });\n"),
                     0);
    assert_int_equal(extract(f, "plain.ts", "function go() { return createServer({ port: 81 }); }\n"), 0);
    assert_int_equal(extract(f, "http2.js", "const http = require('http');\nhttp.createServer({ port: 82 });\n"), 0);
    /* a local definition shadows the import */
    assert_int_equal(extract(f, "shadow.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "function f(createServer) { createServer({ port: 83 }); }\n"
                             "class X { createServer(o) { return o; } }\n"),
                     0);
    /* a bare name in a file that imports Connectum is Connectum's */
    assert_int_equal(extract(f, "bare.ts",
                             "import { Reflection } from '@connectum/reflection';\n"
                             "createServer({ port: 84, protocols: [Reflection()] });\n"),
                     1);
    assert_int_equal(server(f, 0)->has_reflection, ML_YES);
    fx_free(f);
}

static void test_conditional_tls(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "c.ts",
                             "import { createServer } from '@connectum/core';\n"
                             "const useTls = process.env.USE_TLS === 'true';\n"
                             "const tls = { dirPath: '/etc/tls' };\n"
                             "createServer({ tls: useTls ? { dirPath: '/etc/tls' } : undefined });\n"
                             "createServer({ ...(useTls ? { tls } : {}) });\n"
                             "createServer({ ...(useTls && { tls }) });\n"
                             "createServer({ tls: loadTls() });\n"
                             "createServer({ tls: undefined });\n"
                             "createServer({ tls: true ? tls : undefined });\n"
                             "createServer({ ...base });\n"),
                     7);
    assert_int_equal(server(f, 0)->tls, ML_TLS_CONDITIONAL);
    assert_string_equal(loc_text(&server(f, 0)->tls_loc), "tls: useTls ? { dirPath: '/etc/tls' } : undefined");
    assert_non_null(server(f, 0)->tls_delete.file);
    assert_int_equal(server(f, 1)->tls, ML_TLS_CONDITIONAL);
    assert_string_equal(loc_text(&server(f, 1)->tls_loc), "tls");
    assert_null(server(f, 1)->tls_delete.file);
    assert_int_equal(server(f, 2)->tls, ML_TLS_CONDITIONAL);
    assert_int_equal(server(f, 3)->tls, ML_TLS_UNKNOWN);
    assert_true(server(f, 3)->unknowns.n >= 1);
    assert_string_equal(((ml_unknown *)server(f, 3)->unknowns.items[0])->what, "tls");
    assert_string_equal(((ml_unknown *)server(f, 3)->unknowns.items[0])->why, "call to loadTls()");
    assert_int_equal(server(f, 4)->tls, ML_TLS_ABSENT);
    assert_int_equal(server(f, 5)->tls, ML_TLS_PRESENT);
    assert_int_equal(server(f, 6)->tls, ML_TLS_UNKNOWN);
    assert_int_equal(server(f, 6)->port.kind, ML_VAL_UNKNOWN);
    assert_string_equal(server(f, 6)->port.why, "base is not defined in this file");
    fx_free(f);
}

static void check_delete(const char *src, const char *want)
{
    fx *f = fx_new();
    assert_int_equal(extract(f, "d.ts", src), 1);
    ml_server *s = server(f, 0);
    assert_int_equal(s->tls, ML_TLS_PRESENT);
    char *got = apply_delete(&s->tls_delete);
    assert_string_equal(got, want);
    /* the end position agrees with the text */
    uint32_t line = 1, col = 1;
    for (uint32_t i = 0; i < s->tls_delete.end_off; i++) {
        if (src[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)src[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    assert_int_equal(s->tls_delete.end_line, line);
    assert_int_equal(s->tls_delete.end_col, col);
    free(got);
    fx_free(f);
}

static void test_tls_delete_region(void **state)
{
    (void)state;
    /* inline, in the middle */
    check_delete(IMP "createServer({ port: 1, tls: { dirPath: '/x' }, host: 'h' });\n",
                 IMP "createServer({ port: 1, host: 'h' });\n");
    /* inline, last without a comma */
    check_delete(IMP "createServer({ port: 1, tls: {} });\n", IMP "createServer({ port: 1 });\n");
    /* on its own lines, spanning several */
    check_delete(IMP "createServer({\n  port: 1,\n  tls: {\n    dirPath: '/x',\n  },\n  host: 'h',\n});\n",
                 IMP "createServer({\n  port: 1,\n  host: 'h',\n});\n");
    /* the last property on its own line, no trailing comma, CRLF */
    check_delete(IMP "createServer({\r\n  port: 1,\r\n  tls: { keyPath: k, certPath: c }\r\n});\r\n",
                 IMP "createServer({\r\n  port: 1,\r\n});\r\n");
    /* shares its line with another property: only the property goes */
    check_delete(IMP "createServer({\n  port: 1, tls: {},\n  host: 'h',\n});\n",
                 IMP "createServer({\n  port: 1, \n  host: 'h',\n});\n");
    /* the only property */
    check_delete(IMP "createServer({ tls: {} });\n", IMP "createServer({  });\n");
    /* options in a variable */
    check_delete(IMP "const opts = {\n\tport: 1,\n\ttls: { dirPath: '/x' }, // é\n};\ncreateServer(opts);\n",
                 IMP "const opts = {\n\tport: 1,\n};\ncreateServer(opts);\n");
}

static void test_scoping(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "s.ts",
                             IMP
                             "const port = 1;\n"
                             "function inner() {\n"
                             "  const port = 2;\n"
                             "  if (x) { const port = 3; }\n"
                             "  return createServer({ port });\n"
                             "}\n"
                             "{ const port = 4; }\n"
                             "createServer({ port });\n"
                             "function param(port: number) { return createServer({ port }); }\n"
                             "const arrow = (port) => createServer({ port });\n"
                             "const later = () => createServer({ port: shutdownMs });\n"
                             "const shutdownMs = 9;\n"
                             "let mutable = 5;\n"
                             "mutable = 6;\n"
                             "createServer({ port: mutable });\n"
                             "for (const port of ports) { createServer({ port }); }\n"
                             "try { } catch (port) { createServer({ port }); }\n"),
                     8);
    assert_true(server(f, 0)->port.num == 2);
    assert_true(server(f, 1)->port.num == 1);
    assert_int_equal(server(f, 2)->port.kind, ML_VAL_UNKNOWN);
    assert_string_equal(server(f, 2)->port.why, "value of parameter port: no call of param was found");
    assert_string_equal(server(f, 3)->port.why, "value of parameter port: no call of arrow was found");
    assert_true(server(f, 4)->port.num == 9);
    assert_int_equal(server(f, 5)->port.kind, ML_VAL_UNKNOWN);
    assert_string_equal(server(f, 5)->port.why, "mutable is reassigned");
    assert_int_equal(server(f, 6)->port.kind, ML_VAL_UNKNOWN);
    assert_string_equal(server(f, 6)->port.why, "port has no initializer");
    assert_string_equal(server(f, 7)->port.why, "value of parameter port");
    fx_free(f);
}

static void test_unknown_reasons(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "r.ts",
                             IMP
                             "createServer(loadConfig());\n"
                             "export function make(options: Opts) { return createServer(options); }\n"
                             "createServer({ ...defaults, port: 1 });\n"
                             "createServer({ port: cfg.port, shutdown: getShutdown(), interceptors: list, protocols: protos });\n"),
                     4);
    ml_server *s = server(f, 0);
    assert_int_equal(s->unknowns.n, 5);
    static const char *const what[] = {"port", "tls", "protocols", "interceptors", "shutdown"};
    for (size_t k = 0; k < 5; k++) {
        ml_unknown *u = s->unknowns.items[k];
        assert_string_equal(u->what, what[k]);
        assert_string_equal(u->why, "call to loadConfig()");
        assert_int_equal(u->loc.line, 2);
    }
    assert_int_equal(s->tls, ML_TLS_UNKNOWN);
    assert_int_equal(s->has_health, ML_MAYBE);
    assert_false(s->interceptors_known);
    assert_string_equal(((ml_unknown *)server(f, 1)->unknowns.items[0])->why,
                        "value of parameter options: make is exported and no call of it was found in its package");
    /* a known property after an unknown spread is known */
    assert_true(server(f, 2)->port.num == 1);
    assert_int_equal(server(f, 2)->tls, ML_TLS_UNKNOWN);
    s = server(f, 3);
    assert_string_equal(s->port.why, "cfg is not defined in this file");
    assert_string_equal(s->shutdown_timeout.why, "call to getShutdown()");
    assert_int_equal(s->tls, ML_TLS_ABSENT);
    bool saw[4] = {false, false, false, false};
    ML_VEC_EACH(ml_unknown *, u, &s->unknowns) {
        saw[0] |= strcmp(u->what, "port") == 0;
        saw[1] |= strcmp(u->what, "shutdown") == 0;
        saw[2] |= strcmp(u->what, "interceptors") == 0;
        saw[3] |= strcmp(u->what, "protocols") == 0;
    }
    assert_true(saw[0] && saw[1] && saw[2] && saw[3]);
    fx_free(f);
}

static void test_individual_interceptors_and_health_paths(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "i.ts",
                             IMP
                             "import { Code } from '@connectrpc/connect';\n"
                             "import { Healthcheck } from '@connectum/healthcheck';\n"
                             "import { createRetryInterceptor, createTimeoutInterceptor, createCircuitBreakerInterceptor,\n"
                             "  createBulkheadInterceptor, createFallbackInterceptor } from '@connectum/interceptors';\n"
                             "const retry = createRetryInterceptor({ maxRetries: 5, retryableCodes: [Code.Unavailable, 'DeadlineExceeded', 8] });\n"
                             "createServer({\n"
                             "  interceptors: [retry, createTimeoutInterceptor({ duration: 2 * 1000 }),\n"
                             "    createCircuitBreakerInterceptor({ threshold: 10, halfOpenAfter: 60_000 }),\n"
                             "    createBulkheadInterceptor(), createFallbackInterceptor({ handler: () => null })],\n"
                             "  protocols: [Healthcheck({ httpEnabled: true, httpPaths: ['/live', '/ready'] })],\n"
                             "});\n"),
                     1);
    ml_server *s = server(f, 0);
    assert_true(s->interceptors_known);
    assert_int_equal(s->retry.enabled, ML_YES);
    assert_true(s->retry.a.num == 5);
    assert_true(s->retry.codes_known);
    assert_int_equal(s->retry.codes.n, 3);
    assert_string_equal((const char *)s->retry.codes.items[0], "Unavailable");
    assert_string_equal((const char *)s->retry.codes.items[1], "DeadlineExceeded");
    assert_string_equal((const char *)s->retry.codes.items[2], "ResourceExhausted");
    assert_string_equal(loc_text(&s->retry.loc),
                        "createRetryInterceptor({ maxRetries: 5, retryableCodes: [Code.Unavailable, 'DeadlineExceeded', 8] })");
    assert_true(s->timeout.a.num == 2000);
    assert_true(s->circuit_breaker.a.num == 10);
    assert_true(s->circuit_breaker.b.num == 60000);
    assert_int_equal(s->bulkhead.enabled, ML_YES);
    assert_int_equal(s->bulkhead.a.kind, ML_VAL_ABSENT);
    assert_int_equal(s->fallback.enabled, ML_YES);
    assert_true(s->health_paths_set);
    assert_true(s->health_paths_known);
    assert_int_equal(s->health_paths.n, 2);
    assert_string_equal((const char *)s->health_paths.items[1], "/ready");
    fx_free(f);
}

static void test_outbound(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "o.ts",
                             IMP
                             "import { createConnectTransport } from '@connectrpc/connect-node';\n"
                             "import { createGrpcTransport as grpc } from '@connectrpc/connect-node';\n"
                             "const inventory = createConnectTransport({ baseUrl: 'http://inventory-service.connectum:5000', httpVersion: '2' });\n"
                             "const pay = grpc({ baseUrl: process.env.PAYMENTS_URL ?? 'http://payments:5000' });\n"
                             "createServer({ remoteResolver: (name) => process.env[`${name}_ADDR`] ?? process.env.FALLBACK_ADDR });\n"),
                     1);
    ml_server *s = server(f, 0);
    bool lit = false, env = false, rr = false;
    ML_VEC_EACH(ml_outbound *, o, &s->outbound) {
        if (strcmp(o->via, "createConnectTransport") == 0 && o->url.kind == ML_VAL_STR &&
            strcmp(o->url.str, "http://inventory-service.connectum:5000") == 0)
            lit = true;
        if (strcmp(o->via, "createGrpcTransport") == 0 && o->url.kind == ML_VAL_ENV &&
            strcmp(o->url.env, "PAYMENTS_URL") == 0 && o->url.env_default &&
            strcmp(o->url.env_default->str, "http://payments:5000") == 0)
            env = true;
        if (strcmp(o->via, "remoteResolver") == 0 && o->url.kind == ML_VAL_ENV &&
            strcmp(o->url.env, "FALLBACK_ADDR") == 0)
            rr = true;
    }
    assert_true(lit);
    assert_true(env);
    assert_true(rr);
    bool noted = false;
    ML_VEC_EACH(const char *, e, &s->env_names) {
        noted |= strcmp(e, "FALLBACK_ADDR") == 0;
    }
    assert_true(noted);
    fx_free(f);
}

/* ---- relative imports ---------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_relative_import(void **state)
{
    (void)state;
    char dir[] = "/tmp/meshlint-ts-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[512];
    snprintf(p, sizeof p, "%s/src", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/src/config.ts", dir);
    write_file(p, "export const serverConfig = {\n"
                  "  port: Number(process.env.PORT ?? 5050),\n"
                  "  tls: { dirPath: '/etc/tls' },\n"
                  "};\n"
                  "const shutdown = { timeout: 15_000 };\n"
                  "export { shutdown as shutdownConfig };\n"
                  "export const fromElsewhere = other;\n");
    snprintf(p, sizeof p, "%s/src/lib", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/src/lib/index.ts", dir);
    write_file(p, "export const HEALTH = true;\n");
    snprintf(p, sizeof p, "%s/package.json", dir);
    write_file(p, "{ \"dependencies\": { \"name\": \"x\" }, \"name\": \"@acme/order-service\" }\n");

    fx *f = fx_new();
    snprintf(p, sizeof p, "%s/src/server.ts", dir);
    assert_int_equal(extract(f, p,
                             "import { createServer } from '@connectum/core';\n"
                             "import { Healthcheck } from '@connectum/healthcheck';\n"
                             "import { serverConfig, shutdownConfig } from './config.js';\n"
                             "import * as lib from './lib';\n"
                             "import { fromElsewhere } from './config';\n"
                             "createServer({ ...serverConfig, shutdown: shutdownConfig,\n"
                             "  protocols: [Healthcheck({ httpEnabled: lib.HEALTH })], host: fromElsewhere });\n"),
                     1);
    ml_server *s = server(f, 0);
    assert_int_equal(s->port.kind, ML_VAL_ENV);
    assert_string_equal(s->port.env, "PORT");
    assert_true(s->port.env_default->num == 5050);
    assert_int_equal(s->port.loc.line, 2);
    assert_true(ml_ends_with(s->port.loc.file->path, "src/config.ts"));
    assert_int_equal(s->tls, ML_TLS_PRESENT);
    assert_true(ml_ends_with(s->tls_loc.file->path, "src/config.ts"));
    assert_string_equal(loc_text(&s->tls_loc), "tls: { dirPath: '/etc/tls' }");
    assert_true(s->shutdown_timeout.num == 15000);
    assert_true(s->health_http_enabled.b);
    assert_int_equal(s->host.kind, ML_VAL_UNKNOWN);
    assert_string_equal(s->host.why, "other is not defined in this file");
    assert_string_equal(s->package_name, "order-service");

    /* a second importer shares the tokenized config, and its server still
     * records the environment it reads */
    snprintf(p, sizeof p, "%s/src/second.ts", dir);
    assert_int_equal(extract(f, p,
                             "import { createServer } from '@connectum/core';\n"
                             "import { serverConfig } from './config';\n"
                             "createServer(serverConfig);\n"),
                     1);
    assert_int_equal(server(f, 1)->port.kind, ML_VAL_ENV);
    assert_int_equal(server(f, 1)->env_names.n, 1);
    assert_string_equal((const char *)server(f, 1)->env_names.items[0], "PORT");
    assert_ptr_equal(server(f, 1)->tls_loc.file, s->tls_loc.file);

    /* an import the file system cannot satisfy stays unknown */
    snprintf(p, sizeof p, "%s/src/other.ts", dir);
    assert_int_equal(extract(f, p,
                             "import { createServer } from '@connectum/core';\n"
                             "import { nothing } from './missing';\n"
                             "createServer({ port: nothing });\n"),
                     1);
    assert_string_equal(server(f, 2)->port.why, "nothing imported from './missing', which could not be read");
    fx_free(f);

    snprintf(p, sizeof p, "rm -rf '%s'", dir);
    assert_int_equal(system(p), 0);
}

/* ---- hostile input ------------------------------------------------------------------ */

static void test_deep_nesting(void **state)
{
    (void)state;
    const int depth = 100000;
    static const char *const open[] = {"{", "[", "(", "{a:", "!", "-", "a.b", "`${"};
    static const char *const close[] = {"}", "]", ")", "}", "", "", "", "}`"};
    for (size_t k = 0; k < sizeof open / sizeof open[0]; k++) {
        ml_buf b;
        ml_buf_init(&b);
        ml_buf_puts(&b, IMP "createServer({ port: ");
        for (int i = 0; i < depth; i++)
            ml_buf_puts(&b, open[k]);
        ml_buf_puts(&b, "1");
        for (int i = 0; i < depth; i++)
            ml_buf_puts(&b, close[k]);
        ml_buf_puts(&b, ", host: 'h' });\n");
        fx *f = fx_new();
        assert_int_equal(extract(f, "deep.ts", b.s), 1);
        ml_server *s = server(f, 0);
        assert_true(s->port.kind == ML_VAL_UNKNOWN || s->port.kind == ML_VAL_BOOL ||
                    s->port.kind == ML_VAL_NUM);
        assert_int_equal(s->host.kind, ML_VAL_STR);
        fx_free(f);
        ml_buf_free(&b);
    }
    /* unbalanced: 100,000 opening braces and nothing else */
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, IMP "createServer(");
    for (int i = 0; i < depth; i++)
        ml_buf_puts(&b, "{ x: ");
    fx *f = fx_new();
    assert_int_equal(extract(f, "open.ts", b.s), 1);
    fx_free(f);
    ml_buf_free(&b);
    /* and as many closers */
    ml_buf_init(&b);
    ml_buf_puts(&b, IMP);
    for (int i = 0; i < depth; i++)
        ml_buf_puts(&b, "})]");
    ml_buf_puts(&b, "createServer({ port: 2 })");
    f = fx_new();
    assert_int_equal(extract(f, "close.ts", b.s), 1);
    assert_true(server(f, 0)->port.num == 2);
    fx_free(f);
    ml_buf_free(&b);
}

static void test_many_servers(void **state)
{
    (void)state;
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, IMP "const port = 5000;\n");
    for (int i = 0; i < 10000; i++)
        ml_buf_printf(&b, "function s%d(o) { const port = %d; return createServer({ port, host: o.h, tls: {} }); }\n",
                      i, i);
    fx *f = fx_new();
    assert_int_equal(extract(f, "many.ts", b.s), 10000);
    assert_true(server(f, 9999)->port.num == 9999);
    assert_int_equal(server(f, 5)->host.kind, ML_VAL_UNKNOWN);
    fx_free(f);
    ml_buf_free(&b);
}

static void test_large_file(void **state)
{
    (void)state;
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, IMP);
    int i = 0;
    while (b.n < 5u * 1024 * 1024)
        ml_buf_printf(&b,
                      "export const v%d = { a: [1, 2, 3], b: `t${%d}`, c: /re[/]x/g.test('s') ? 1 / 2 : 3 }; // c\n"
                      "function f%d(x: number): string { if (x > 1) { return String(x); } return 'createServer'; }\n",
                      i, i, i);
    ml_buf_puts(&b, "createServer({ port: 4242 });\n");
    i++;
    fx *f = fx_new();
    assert_int_equal(extract(f, "big.ts", b.s), 1);
    assert_true(server(f, 0)->port.num == 4242);
    fx_free(f);
    ml_buf_free(&b);
}

static void test_cycles_and_budget(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "cy.ts",
                             IMP
                             "const a = b;\n"
                             "const b = a;\n"
                             "const o = { ...o, port: 1 };\n"
                             "createServer({ port: a, host: o.port });\n"),
                     1);
    assert_int_equal(server(f, 0)->port.kind, ML_VAL_UNKNOWN);
    /* exponential sharing stays bounded */
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, IMP "const x0 = [1, 2];\n");
    for (int i = 1; i < 60; i++)
        ml_buf_printf(&b, "const x%d = [...x%d, ...x%d];\n", i, i - 1, i - 1);
    ml_buf_puts(&b, "createServer({ interceptors: x59, port: 3 });\n");
    assert_int_equal(extract(f, "exp.ts", b.s), 1);
    assert_true(server(f, 1)->port.num == 3);
    ml_buf_free(&b);
    fx_free(f);
}

static bool has_env(const ml_server *s, const char *name)
{
    ML_VEC_EACH(const char *, e, &s->env_names) {
        if (strcmp(e, name) == 0)
            return true;
    }
    return false;
}

/* A binding's value is computed once and shared by every server that uses
 * it; each server still records the variables the shared value reads. */
static void test_shared_bindings(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "sh.ts",
                             IMP
                             "const base = process.env.BASE_PORT ?? \"80\";\n"
                             "const cfg = { port: Number(base), host: process.env.HOST };\n"
                             "const other = { ...cfg };\n"
                             "createServer({ ...cfg });\n"
                             "createServer({ ...other, allowHTTP1: process.env.H1 === \"true\" });\n"
                             "createServer({ ...other });\n"),
                     3);
    for (size_t i = 0; i < 3; i++) {
        ml_server *s = server(f, i);
        assert_true(has_env(s, "BASE_PORT"));
        assert_true(has_env(s, "HOST"));
        assert_int_equal(s->env_names.n, i == 1 ? 3 : 2);
        assert_int_equal(s->port.kind, ML_VAL_ENV);
    }
    assert_true(has_env(server(f, 1), "H1"));
    fx_free(f);
}

/* Concatenated strings are bounded: the excess is unknown, with the reason. */
static void test_string_bound(void **state)
{
    (void)state;
    fx *f = fx_new();
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, IMP "const a0 = 'abcdefgh';\nconst b0 = a0;\n");
    for (int i = 1; i < 44; i++)
        ml_buf_printf(&b, "const a%d = `${a%d}${a%d}`;\nconst b%d = b%d + b%d;\n", i, i - 1, i - 1, i,
                      i - 1, i - 1);
    ml_buf_puts(&b, "createServer({ host: a43, port: 1 });\ncreateServer({ host: b43 });\n"
                    "createServer({ host: a9 + b9 });\n");
    assert_int_equal(extract(f, "dbl.ts", b.s), 3);
    ml_buf_free(&b);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(server(f, i)->host.kind, ML_VAL_UNKNOWN);
        assert_non_null(strstr(server(f, i)->host.why, "longer than 8192 bytes"));
    }
    /* 8 KiB exactly is still a value */
    assert_int_equal(server(f, 2)->host.kind, ML_VAL_STR);
    assert_int_equal(strlen(server(f, 2)->host.str), 8192);
    fx_free(f);
}

/* ---- Markdown ----------------------------------------------------------------------- */

static const char markdown_doc[] =
    "# Guide\n"
    "\n"
    "Text with `createServer({ port: 1 })` inline.\n"
    "\n"
    "```typescript\n"
    "import { initProvider } from '@connectum/otel';\n"
    "\n"
    "initProvider({\n"
    "  serviceName: 'order-service',\n"
    "});\n"
    "```\n"
    "\n"
    "```ts\n"
    "const server = createServer({\n"
    "  services: [routes],\n"
    "  port: 5000,\n"
    "  tls: { dirPath: '/etc/tls' },  // Remove this\n"
    "  protocols: [Healthcheck({ httpEnabled: true }), Reflection()],\n"
    "});\n"
    "```\n"
    "\n"
    "```bash\n"
    "createServer({ port: 9 })\n"
    "```\n"
    "\n"
    "```yaml\n"
    "apiVersion: v1\n"
    "kind: ConfigMap\n"
    "metadata:\n"
    "  name: order-service-config\n"
    "  namespace: connectum\n"
    "data:\n"
    "  PORT: \"5000\"\n"
    "```\n"
    "~~~yml\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: { name: order-service, namespace: connectum }\n"
    "~~~\n";

static void test_markdown(void **state)
{
    (void)state;
    fx *f = fx_new();
    ml_file *md = add_file(f, "docs/guide.md", markdown_doc, strlen(markdown_doc), ML_FILE_MARKDOWN);
    ml_md_extract(&f->model, md);
    ml_model_finish(&f->model);
    assert_int_equal(f->model.servers.n, 1);
    ml_server *s = server(f, 0);
    assert_ptr_equal(s->file, md);
    assert_int_equal(s->call.line, 14);
    assert_int_equal(s->call.col, 16);
    assert_string_equal(loc_text(&s->call), "createServer");
    assert_true(s->port.num == 5000);
    assert_int_equal(s->tls, ML_TLS_PRESENT);
    assert_int_equal(s->tls_loc.line, 17);
    char *fixed = apply_delete(&s->tls_delete);
    assert_non_null(strstr(fixed, "  port: 5000,\n  protocols:"));
    free(fixed);
    assert_int_equal(s->has_health, ML_YES);
    assert_int_equal(s->has_reflection, ML_YES);
    /* initProvider in another block of the same document */
    assert_int_equal(s->otel_service_name.kind, ML_VAL_STR);
    assert_string_equal(s->otel_service_name.str, "order-service");
    /* YAML blocks became documents with positions in the .md */
    ml_resource *cm = ml_model_find(&f->model, ML_K_CONFIGMAP, "connectum", "order-service-config");
    assert_non_null(cm);
    assert_int_equal(ml_node_loc(cm->kind_node).line, 28);
    assert_string_equal(cm->doc->file->path, "docs/guide.md");
    ml_resource *dep = ml_model_find(&f->model, ML_K_DEPLOYMENT, "connectum", "order-service");
    assert_non_null(dep);
    assert_int_equal(ml_node_loc(dep->name_node).line, 38);
    fx_free(f);
}

static void test_val_num(void **state)
{
    (void)state;
    ml_val d;
    memset(&d, 0, sizeof d);
    d.kind = ML_VAL_STR;
    d.str = "5000";
    ml_val v;
    memset(&v, 0, sizeof v);
    v.kind = ML_VAL_ENV;
    v.env = "PORT";
    double out = 0;
    assert_false(ml_val_num(&v, &out));
    v.env_default = &d;
    assert_true(ml_val_num(&v, &out));
    assert_true(out == 5000);
    d.str = "50x";
    assert_false(ml_val_num(&v, &out));
    d.kind = ML_VAL_NUM;
    d.num = 7;
    assert_true(ml_val_num(&d, &out));
    assert_true(out == 7);
    d.kind = ML_VAL_UNKNOWN;
    assert_false(ml_val_num(&d, &out));
}


/* Builder functions: a parameter is what the call sites pass, through its
 * default; call sites that differ leave "one of" the values. */
static void test_builder_parameters(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "a/server.ts",
                             IMP "interface Opts { port?: number }\n"
                                 "export function buildServer(options: Opts = {}, env: NodeJS.ProcessEnv = process.env) {\n"
                                 "  const port = options.port ?? Number(env.APP_PORT ?? 5000);\n"
                                 "  return createServer({ port, host: env.LISTEN_ON ?? '0.0.0.0' });\n"
                                 "}\n"
                                 "buildServer();\n"),
                     1);
    ml_server *s = server(f, 0);
    assert_int_equal(s->port.kind, ML_VAL_ENV);
    assert_string_equal(s->port.env, "APP_PORT");
    double d;
    assert_true(ml_val_num(&s->port, &d) && d == 5000);
    assert_int_equal(s->host.kind, ML_VAL_ENV);
    assert_string_equal(s->host.env, "LISTEN_ON");
    fx_free(f);

    /* a destructured parameter with its own default; an arrow function */
    f = fx_new();
    assert_int_equal(extract(f, "b/server.ts",
                             IMP "export const build = ({ port = 7000, host: h }: O = {}) =>\n"
                                 "  createServer({ port, host: h });\n"
                                 "build({ host: '0.0.0.0' });\n"),
                     1);
    s = server(f, 0);
    assert_int_equal(s->port.kind, ML_VAL_NUM);
    assert_true(s->port.num == 7000);
    assert_int_equal(s->host.kind, ML_VAL_STR);
    assert_string_equal(s->host.str, "0.0.0.0");
    fx_free(f);

    /* call sites in other files of the package; positional arguments */
    f = fx_new();
    add_file(f, "c/main.ts", "import { buildServer } from './server.js';\n"
                             "await buildServer(Number(process.env.PORT ?? 5000), true).start();\n",
             strlen("import { buildServer } from './server.js';\n"
                    "await buildServer(Number(process.env.PORT ?? 5000), true).start();\n"),
             ML_FILE_TS);
    const char *other = "import { buildServer as b } from './server';\nb(6000, false);\n";
    add_file(f, "c/other.ts", other, strlen(other), ML_FILE_TS);
    assert_int_equal(extract(f, "c/server.ts",
                             IMP "export function buildServer(port: number, http1 = true) {\n"
                                 "  return createServer({ port, allowHTTP1: http1 });\n"
                                 "}\n"),
                     1);
    s = server(f, 0);
    assert_int_equal(s->port.kind, ML_VAL_UNKNOWN);
    assert_int_equal(ml_val_alts(&s->port)->n, 2);
    assert_non_null(strstr(s->port.why, "one of env PORT (default 5000) or 6000"));
    assert_non_null(strstr(s->port.why, "call sites of buildServer"));
    assert_int_equal(s->allow_http1.kind, ML_VAL_UNKNOWN);
    assert_int_equal(ml_val_alts(&s->allow_http1)->n, 2);
    bool recorded = false;
    ML_VEC_EACH(const char *, e, &s->env_names) {
        recorded |= strcmp(e, "PORT") == 0;
    }
    assert_true(recorded);
    fx_free(f);

    /* what cannot be followed stays unknown, with the reason */
    static const struct {
        const char *src;
        const char *why;
    } cases[] = {
        {"function b(p) { return createServer({ port: p }); }\n", "no call of b was found"},
        {"export function b(p) { return createServer({ port: p }); }\n", "exported and no call"},
        {"function b(p) { return createServer({ port: p }); }\nb(1);\nregister(b);\n", "used as a value"},
        {"function b(p) { createServer({ port: p }); b(p); }\nb(1);\n", "depends on itself"},
        {"function b(...p) { return createServer({ port: p }); }\nb(1);\n", "rest parameter"},
        {"class K { m(p) { return createServer({ port: p }); } }\n", "value of parameter p"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        f = fx_new();
        char *src = ml_printf(&f->arena, IMP "%s", cases[k].src);
        assert_int_equal(extract(f, "d/s.ts", src), 1);
        s = server(f, 0);
        assert_int_equal(s->port.kind, ML_VAL_UNKNOWN);
        if (!strstr(s->port.why, cases[k].why))
            fail_msg("case %zu: %s", k, s->port.why);
        fx_free(f);
    }
}


/* Local helper functions: the value of their single return, with their
 * parameters bound to each call's arguments. */
static void test_helper_functions(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(
        extract(f, "h/server.ts",
                IMP "import { createRetryInterceptor } from '@connectum/interceptors';\n"
                    "import { createJwtAuthInterceptor } from '@connectum/auth';\n"
                    "import { initProvider } from '@connectum/otel';\n"
                    "function buildAuth() {\n"
                    "  const secret = process.env.JWT_SECRET;\n"
                    "  return [createJwtAuthInterceptor({ secret })];\n"
                    "}\n"
                    "const serviceName = () => process.env.OTEL_SERVICE_NAME ?? 'orders';\n"
                    "function withOtel(otel?: Interceptor) { return otel ? [otel] : []; }\n"
                    "const host = () => { const f = () => { return 1; }; return '0.0.0.0'; };\n"
                    "const twice = (n: number) => { const d = n * 2; return d; };\n"
                    "function two(a) { if (a) return 1; return 2; }\n"
                    "initProvider({ serviceName: serviceName() });\n"
                    "createServer({ host: host(), port: twice(3000),\n"
                    "  interceptors: [...buildAuth(), ...withOtel(undefined), createRetryInterceptor()] });\n"
                    "createServer({ port: twice(4000) });\n"
                    "createServer({ port: two(1) });\n"),
        3);
    ml_server *s = server(f, 0);
    assert_int_equal(s->host.kind, ML_VAL_STR);
    assert_string_equal(s->host.str, "0.0.0.0");
    assert_true(s->port.kind == ML_VAL_NUM && s->port.num == 6000);
    assert_true(s->interceptors_known);
    assert_int_equal(s->retry.enabled, ML_YES);
    assert_int_equal(s->timeout.enabled, ML_NO);
    assert_int_equal(s->circuit_breaker.enabled, ML_NO);
    assert_int_equal(s->otel_service_name.kind, ML_VAL_ENV);
    assert_string_equal(s->otel_service_name.env, "OTEL_SERVICE_NAME");
    assert_non_null(s->otel_service_name.env_default);
    assert_string_equal(s->otel_service_name.env_default->str, "orders");
    /* the same helper at another call: its own argument */
    assert_true(server(f, 1)->port.kind == ML_VAL_NUM && server(f, 1)->port.num == 8000);
    assert_int_equal(server(f, 2)->port.kind, ML_VAL_UNKNOWN);
    /* several returns: one of what they return */
    assert_non_null(strstr(server(f, 2)->port.why, "which return statement of two() runs"));
    assert_int_equal(ml_val_alts(&server(f, 2)->port)->n, 2);
    fx_free(f);

    /* an array changed after its declaration is not its literal; a call
     * into @connectrpc/ returns no Connectum resilience interceptor; an
     * interceptor in every return of a helper is on */
    f = fx_new();
    assert_int_equal(
        extract(f, "p.ts",
                IMP "import { createValidateInterceptor } from '@connectrpc/validate';\n"
                    "const list = [createErrorHandlerInterceptor()];\n"
                    "list.push(createRetryInterceptor());\n"
                    "function res() { const t = createTimeoutInterceptor();\n"
                    "  if (process.env.X) return [t]; return [createRetryInterceptor(), t]; }\n"
                    "createServer({ interceptors: list });\n"
                    "createServer({ interceptors: [createValidateInterceptor(), ...res()] });\n"),
        2);
    assert_false(server(f, 0)->interceptors_known);
    assert_int_equal(server(f, 0)->retry.enabled, ML_MAYBE);
    assert_true(server(f, 1)->interceptors_known);
    assert_int_equal(server(f, 1)->timeout.enabled, ML_YES);
    assert_int_equal(server(f, 1)->retry.enabled, ML_MAYBE);
    assert_int_equal(server(f, 1)->bulkhead.enabled, ML_NO);
    fx_free(f);

    /* recursion ends in an unknown, not a hang */
    f = fx_new();
    assert_int_equal(extract(f, "r.ts", IMP "function r(p) { return r(p); }\ncreateServer({ port: r(1) });\n"), 1);
    assert_int_equal(server(f, 0)->port.kind, ML_VAL_UNKNOWN);
    fx_free(f);
}


/* [a, b].map((opts) => createServer(opts)): one server per element. */
static void test_map_over_options(void **state)
{
    (void)state;
    fx *f = fx_new();
    assert_int_equal(extract(f, "m.ts",
                             IMP "const a = { port: 5001 };\n"
                                 "const b = { port: Number(process.env.B_PORT ?? 5002), allowHTTP1: false };\n"
                                 "const servers = [a, b].map((opts) => createServer(opts));\n"
                                 "const list = [{ port: 6001 }, { port: 6002 }, { port: 6003 }];\n"
                                 "list.forEach(o => { createServer({ ...o, host: '0.0.0.0' }); });\n"
                                 "items.map((opts) => createServer(opts));\n"),
                     6);
    assert_true(server(f, 0)->port.kind == ML_VAL_NUM && server(f, 0)->port.num == 5001);
    assert_int_equal(server(f, 1)->port.kind, ML_VAL_ENV);
    assert_string_equal(server(f, 1)->port.env, "B_PORT");
    assert_false(server(f, 1)->allow_http1.b);
    for (int k = 0; k < 3; k++) {
        assert_true(server(f, 2 + k)->port.kind == ML_VAL_NUM && server(f, 2 + k)->port.num == 6001 + k);
        assert_string_equal(server(f, 2 + k)->host.str, "0.0.0.0");
    }
    /* an array this tool cannot see: one server, unknown */
    assert_int_equal(server(f, 5)->port.kind, ML_VAL_UNKNOWN);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex_strings_and_comments),
        cmocka_unit_test(test_lex_regex_and_division),
        cmocka_unit_test(test_lex_templates),
        cmocka_unit_test(test_lex_numbers),
        cmocka_unit_test(test_lex_punctuators),
        cmocka_unit_test(test_lex_unterminated),
        cmocka_unit_test(test_lex_positions_utf8),
        cmocka_unit_test(test_guide_tls_dirpath),
        cmocka_unit_test(test_guide_interceptors),
        cmocka_unit_test(test_guide_health_reflection_otel),
        cmocka_unit_test(test_real_code_shape),
        cmocka_unit_test(test_env_defaults),
        cmocka_unit_test(test_env_tests),
        cmocka_unit_test(test_aliases_and_namespaces),
        cmocka_unit_test(test_foreign_create_server_ignored),
        cmocka_unit_test(test_conditional_tls),
        cmocka_unit_test(test_tls_delete_region),
        cmocka_unit_test(test_scoping),
        cmocka_unit_test(test_unknown_reasons),
        cmocka_unit_test(test_individual_interceptors_and_health_paths),
        cmocka_unit_test(test_outbound),
        cmocka_unit_test(test_relative_import),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_many_servers),
        cmocka_unit_test(test_large_file),
        cmocka_unit_test(test_cycles_and_budget),
        cmocka_unit_test(test_shared_bindings),
        cmocka_unit_test(test_string_bound),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_val_num),
        cmocka_unit_test(test_builder_parameters),
        cmocka_unit_test(test_helper_functions),
        cmocka_unit_test(test_map_over_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
