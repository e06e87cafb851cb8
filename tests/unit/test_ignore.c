/*
 * test_ignore.c - gitignore(5) patterns: parsing (comments, escapes,
 * negation, trailing slash, anchoring), the matcher ("*", "?", classes,
 * "**" in its three places, escapes), and precedence between frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "meshlint/ignore.h"

/* Does the single pattern line `line` ignore `path`? */
static bool one(const char *line, const char *path, bool is_dir)
{
    ml_arena a;
    ml_arena_init(&a);
    ml_ignore ig;
    memset(&ig, 0, sizeof ig);
    ml_ignore_push(&a, &ig, "", "t", line, strlen(line));
    bool r = ml_ignore_check(&ig, path, is_dir);
    ml_arena_free(&a);
    return r;
}

static void test_parse(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    ml_ignore_pat *p = NULL;
    const char *text = "# comment\n\n  \n\\#hash\n!keep.yaml\n\\!bang\nbuild/\n/root.yaml\ndocs/gen\ntrail \\ \r\n/\n";
    size_t n = ml_ignore_parse(&a, text, strlen(text), &p);
    assert_int_equal(n, 7);
    assert_string_equal(p[0].pat, "#hash");
    assert_string_equal(p[1].pat, "keep.yaml");
    assert_true(p[1].negate);
    assert_string_equal(p[2].pat, "!bang");
    assert_false(p[2].negate);
    assert_string_equal(p[3].pat, "build");
    assert_true(p[3].dir_only);
    assert_false(p[3].anchored);
    assert_string_equal(p[4].pat, "root.yaml");
    assert_true(p[4].anchored);
    assert_true(p[5].anchored);
    assert_string_equal(p[6].pat, "trail \\ ");
    ml_arena_free(&a);
}

static void test_match(void **state)
{
    (void)state;
    /* no slash: a name at any depth */
    assert_true(one("*.gen.yaml", "a/b/x.gen.yaml", false));
    assert_true(one("vendor", "deep/vendor", true));
    assert_false(one("*.gen.yaml", "a/b/x.yaml", false));
    /* a slash in the middle or at the start: relative to the file's directory */
    assert_true(one("k8s/gen", "k8s/gen", true));
    assert_false(one("k8s/gen", "x/k8s/gen", true));
    assert_true(one("/top.yaml", "top.yaml", false));
    assert_false(one("/top.yaml", "sub/top.yaml", false));
    /* "*" and "?" stop at "/" */
    assert_false(one("a/*.yaml", "a/b/c.yaml", false));
    assert_true(one("a/?.yaml", "a/c.yaml", false));
    assert_false(one("a?b", "a/b", false));
    /* directories only */
    assert_true(one("charts/", "x/charts", true));
    assert_false(one("charts/", "x/charts", false));
    /* "**" leading, trailing and in the middle */
    assert_true(one("**/gen", "gen", true));
    assert_true(one("**/gen", "a/b/gen", true));
    assert_true(one("out/**", "out/a/b.yaml", false));
    assert_false(one("out/**", "out", true));
    assert_true(one("a/**/b.yaml", "a/b.yaml", false));
    assert_true(one("a/**/b.yaml", "a/x/y/b.yaml", false));
    assert_false(one("a/**/b.yaml", "a/x/yb.yaml", false));
    /* "**" not between slashes is one star */
    assert_true(one("a**z", "abcz", false));
    assert_false(one("x/a**z", "x/ab/cz", false));
    /* classes, ranges, negated classes, an unclosed "[" is literal */
    assert_true(one("v[0-9].yaml", "v3.yaml", false));
    assert_false(one("v[!0-9].yaml", "v3.yaml", false));
    assert_true(one("v[^0-9].yaml", "vx.yaml", false));
    assert_true(one("[]]x", "]x", false));
    assert_true(one("a[b", "a[b", false));
    /* escapes */
    assert_true(one("\\*.yaml", "*.yaml", false));
    assert_false(one("\\*.yaml", "x.yaml", false));
    /* a pathological pattern ends within the budget (no match) */
    assert_false(one("*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false));
}

static void test_precedence(void **state)
{
    (void)state;
    ml_arena a;
    ml_arena_init(&a);
    ml_ignore ig;
    memset(&ig, 0, sizeof ig);
    const char *top = "*.yaml\n!keep.yaml\n";
    const char *sub = "keep.yaml\n!again.yaml\n";
    assert_true(ml_ignore_push(&a, &ig, "", "top", top, strlen(top)));
    /* the last matching line of a file wins */
    assert_true(ml_ignore_check(&ig, "x.yaml", false));
    assert_false(ml_ignore_check(&ig, "keep.yaml", false));
    assert_false(ml_ignore_check(&ig, "x.ts", false));
    /* a deeper file overrides, only below its directory */
    assert_true(ml_ignore_push(&a, &ig, "sub", "sub", sub, strlen(sub)));
    assert_true(ml_ignore_check(&ig, "sub/keep.yaml", false));
    assert_false(ml_ignore_check(&ig, "sub/again.yaml", false));
    assert_false(ml_ignore_check(&ig, "keep.yaml", false));
    assert_false(ml_ignore_check(&ig, "subway/keep.yaml", false));
    ml_ignore_pop(&ig);
    assert_false(ml_ignore_check(&ig, "sub/keep.yaml", false));
    /* a file of comments only pushes nothing */
    assert_false(ml_ignore_push(&a, &ig, "x", "c", "# only\n", 7));
    assert_int_equal(ig.frames.n, 1);
    ml_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
