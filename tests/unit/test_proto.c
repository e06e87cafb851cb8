/*
 * test_proto.c - services and rpc methods read from .proto text: packages,
 * streaming on either side, comments and strings that look like syntax,
 * nested messages, options blocks, and input that stops half-way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "meshlint/proto.h"

static ml_file *file_of(ml_arena *a, const char *text)
{
    ml_file *f = ml_zalloc(a, sizeof *f);
    f->path = "x.proto";
    f->data = text;
    f->len = strlen(text);
    f->type = ML_FILE_PROTO;
    return f;
}

static void test_services(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    const char *text = "syntax = \"proto3\";\n"
                       "// service Fake { rpc No(A) returns (B); }\n"
                       "/* service AlsoFake { } */\n"
                       "option go_package = \"x/{y}\";\n"
                       "message M { message N { string stream = 1; } }\n"
                       "service S1 {\n"
                       "  option deprecated = true;\n"
                       "  rpc Unary(Req) returns (Res);\n"
                       "  rpc Down(Req) returns (stream Res) { option idempotency_level = NO_SIDE_EFFECTS; }\n"
                       "  rpc Up(stream Req) returns (Res) {}\n"
                       "  rpc Both(stream a.b.Req) returns (stream .a.b.Res);\n"
                       "  rpc Named(stream.Req) returns (stream);\n"
                       "}\n"
                       "package acme.v1;\n"
                       "service S2 { rpc Broken(Req returns (Res); rpc Ok(Req) returns (Res); }\n"
                       "service Unclosed { rpc X(A) returns (B);\n";
    ml_vec out = {0};
    ml_file *f = file_of(&a, text);
    ml_proto_parse(&a, f, &out);
    assert_int_equal(out.n, 2);
    const ml_proto_service *s1 = out.items[0];
    assert_string_equal(s1->name, "S1");
    assert_string_equal(s1->type_name, "acme.v1.S1");
    assert_int_equal(s1->nmethods, 5);
    assert_string_equal(s1->methods[0].name, "Unary");
    assert_false(s1->methods[0].client_stream || s1->methods[0].server_stream);
    assert_true(!s1->methods[1].client_stream && s1->methods[1].server_stream);
    assert_true(s1->methods[2].client_stream && !s1->methods[2].server_stream);
    assert_true(s1->methods[3].client_stream && s1->methods[3].server_stream);
    /* a type named stream.Req, and a type named stream */
    assert_false(s1->methods[4].client_stream || s1->methods[4].server_stream);
    assert_int_equal(s1->methods[3].loc.line, 11);
    const ml_proto_service *s2 = out.items[1];
    assert_string_equal(s2->name, "S2");
    free(f->line_off); /* the line index is malloc'd on first use */
    ml_arena_free(&a);
}

static void test_no_package(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    ml_vec out = {0};
    ml_file *f = file_of(&a, "service Lone { rpc A(B) returns (C); }");
    ml_proto_parse(&a, f, &out);
    free(f->line_off);
    assert_int_equal(out.n, 1);
    assert_string_equal(((ml_proto_service *)out.items[0])->type_name, "Lone");
    out.n = 0;
    ml_proto_parse(&a, file_of(&a, "\"unterminated service X {"), &out);
    ml_proto_parse(&a, file_of(&a, "/* unterminated"), &out);
    ml_proto_parse(&a, file_of(&a, ""), &out);
    assert_int_equal(out.n, 0);
    ml_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_no_package),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
