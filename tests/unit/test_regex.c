/*
 * test_regex.c - RE2-syntax checking and PCRE2 full matching (regex.c).
 *
 * What Go's regexp (Istio's validation) rejects is ML_RE_INVALID with the
 * byte offset of the construct; what it accepts compiles and matches with
 * RE2's meaning, anchored at both ends as Envoy's safe_regex does; the
 * limits turn excess work into ML_RE_UNKNOWN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "meshlint/regex.h"

static ml_arena A;

static int setup(void **state)
{
    (void)state;
    ml_arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ml_arena_free(&A);
    return 0;
}

static ml_regex *ok(const char *pat)
{
    ml_regex *re = NULL;
    ml_re_error err;
    ml_re_status st = ml_re_compile(&A, pat, strlen(pat), &re, &err);
    if (st != ML_RE_OK)
        fail_msg("'%s' should compile, got %d: %s at %zu", pat, (int)st, err.message ? err.message : "", err.offset);
    assert_non_null(re);
    assert_string_equal(ml_re_pattern(re), pat);
    return re;
}

static void bad(const char *pat, size_t off, const char *words)
{
    ml_regex *re = NULL;
    ml_re_error err;
    ml_re_status st = ml_re_compile(&A, pat, strlen(pat), &re, &err);
    if (st != ML_RE_INVALID)
        fail_msg("'%s' should be invalid, got %d", pat, (int)st);
    assert_null(re);
    assert_non_null(err.message);
    if (err.offset != off)
        fail_msg("'%s': offset %zu, expected %zu (%s)", pat, err.offset, off, err.message);
    if (words && !strstr(err.message, words))
        fail_msg("'%s': message '%s' lacks '%s'", pat, err.message, words);
    /* the checker alone agrees */
    assert_int_equal(ml_re_check(pat, strlen(pat), &err), ML_RE_INVALID);
    assert_int_equal(err.offset, off);
}

static ml_re_answer m(const ml_regex *re, const char *s)
{
    return ml_re_full_match(re, s, strlen(s), NULL);
}

static void test_accepts_re2(void **state)
{
    (void)state;
    const char *good[] = {
        "/api/.*", "^/v[0-9]+/.*$", "(?i)/Orders", "(?i:a)b", "(?s).", "(?U)a+", "(?im-s:x)",
        "(?P<svc>[a-z]+)/(?<m>[A-Z][a-zA-Z]*)", "[[:alpha:]]+", "[[:^digit:]]", "\\pL+", "\\p{Greek}",
        "\\PN", "a{2,3}?", "a{2,}", "a{0}", "\\Q.*+?\\E", "[]a]", "[^]a]", "[a-]", "[-a]", "[\\d-z]",
        "\\x41\\x{1F600}", "\\101\\0", "a{", "a{,5}", "x{2}y", "a|", "()", "\\.\\*\\{", "\\A\\z", "\\bword\\B",
        "/package\\.Service/[A-Z]\\w*", "a{1000}", "[\\x{100}-\\x{200}]", "é+", "[à-ÿ]",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ok(good[i]);
    /* Go accepts ^* (a repeated assertion); PCRE2 refuses it: valid for all
     * meshlint knows, so unsupported (never evaluated), not invalid */
    ml_regex *re = NULL;
    ml_re_error err;
    assert_int_equal(ml_re_compile(&A, "^*", 2, &re, &err), ML_RE_UNSUPPORTED);
    assert_null(re);
    assert_int_equal(ml_re_check("^*", 2, &err), ML_RE_OK);
}

static void test_rejects_what_re2_rejects(void **state)
{
    (void)state;
    bad("(a)\\1", 3, "back-reference");
    bad("(?P<n>a)(?P=n)", 8, "back-reference");
    bad("a\\k<n>", 1, "back-reference");
    bad("(?=a)b", 0, "look-ahead");
    bad("x(?!b)", 1, "negative look-ahead");
    bad("(?<=a)b", 0, "look-behind");
    bad("(?<!a)b", 0, "look-behind");
    bad("/api(?>/v1)", 4, "atomic");
    bad("a*+", 2, "nested repetition");
    bad("/x/a++", 5, "nested repetition");
    bad("a{2}+", 4, "nested repetition");
    bad("a**", 2, "nested repetition");
    bad("a{2}{3}", 4, "nested repetition");
    bad("ab\\C", 2, "\\C");
    bad("(?R)", 0, "recursion");
    bad("(a)(?1)", 3, "recursion");
    bad("(?(1)a|b)", 0, "conditional");
    bad("(?#note)a", 0, "comments");
    bad("(?|a)", 0, "branch reset");
    bad("*a", 0, "missing argument");
    bad("(*)", 1, "missing argument");
    bad("a|*", 2, "missing argument");
    bad("(a", 0, "missing closing )");
    bad("a(b(c)", 1, "missing closing )");
    bad("a)", 1, "unexpected )");
    bad("[a", 0, "missing closing ]");
    bad("x[z-a]", 2, "range");
    bad("[[:foo:]]", 1, "POSIX");
    bad("a{1001}", 1, "repeat count");
    bad("a{3,2}", 1, "repeat count");
    bad("\\8", 0, "invalid escape");
    bad("ab\\Z", 2, "\\Z");
    bad("\\Gx", 0, "\\G");
    bad("a\\Kb", 1, "\\K");
    bad("[\\b]", 1, "inside a character class");
    bad("\\e", 0, "invalid escape");
    bad("\\x4", 0, "hex");
    bad("\\x{110000}", 0, "0x10FFFF");
    bad("abc\\", 3, "trailing backslash");
    bad("(?P<a>x)(?P<a>y)", 8, "duplicate");
    bad("(?P<a-b>x)", 0, "named capture");
    bad("(?-)a", 0, "Perl syntax");
    bad("(?x)a", 0, "Perl syntax");
    bad("", 0, "empty");
    char big[ML_RE_MAX_LEN + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    bad(big, ML_RE_MAX_LEN, "1024");
    memset(big, 'a', ML_RE_MAX_LEN);
    big[ML_RE_MAX_LEN] = '\0';
    ok(big); /* exactly 1024 bytes is allowed */
}

static void test_full_match(void **state)
{
    (void)state;
    ml_regex *re = ok("/api/.*");
    assert_int_equal(m(re, "/api/x"), ML_RE_YES);
    assert_int_equal(m(re, "/api/"), ML_RE_YES);
    assert_int_equal(m(re, "/v1/api/x"), ML_RE_NO); /* anchored at the start */
    re = ok("abc");
    assert_int_equal(m(re, "abc"), ML_RE_YES);
    assert_int_equal(m(re, "abcd"), ML_RE_NO); /* anchored at the end: Envoy's full match */
    assert_int_equal(m(re, "xabc"), ML_RE_NO);
    re = ok("\\d{3}");
    assert_int_equal(m(re, "123"), ML_RE_YES);
    assert_int_equal(m(re, "1234"), ML_RE_NO);
    re = ok("a|ab");
    assert_int_equal(m(re, "ab"), ML_RE_YES); /* a full match tries every alternative */
    re = ok("a$");
    assert_int_equal(m(re, "a\n"), ML_RE_NO); /* RE2's $ is the end of text */
    re = ok("(?i)/Orders/.*");
    assert_int_equal(m(re, "/orders/Get"), ML_RE_YES);
    re = ok("\\v");
    assert_int_equal(m(re, "\v"), ML_RE_YES);
    assert_int_equal(m(re, "\n"), ML_RE_NO); /* PCRE2's \v would match a newline */
    re = ok("\\s");
    assert_int_equal(m(re, " "), ML_RE_YES);
    assert_int_equal(m(re, "\v"), ML_RE_NO); /* RE2's \s has no vertical tab */
    re = ok("a\\12");
    assert_int_equal(m(re, "a\n"), ML_RE_YES); /* octal, not a back-reference */
    re = ok("a{,5}");
    assert_int_equal(m(re, "a{,5}"), ML_RE_YES); /* not a repetition in RE2 */
    assert_int_equal(m(re, "aaa"), ML_RE_NO);
    re = ok("[]a]+");
    assert_int_equal(m(re, "]a]"), ML_RE_YES);
    re = ok("[\\d-z]+");
    assert_int_equal(m(re, "1-z"), ML_RE_YES);
    assert_int_equal(m(re, "y"), ML_RE_NO); /* '-' after a class is a literal, not a range */
    re = ok("\\Q/a.b\\E");
    assert_int_equal(m(re, "/a.b"), ML_RE_YES);
    assert_int_equal(m(re, "/axb"), ML_RE_NO);
    re = ok("/grpc\\.health\\.v1\\.Health/(Check|Watch)");
    assert_int_equal(m(re, "/grpc.health.v1.Health/Check"), ML_RE_YES);
    assert_int_equal(m(re, "/grpc.health.v1.Health/List"), ML_RE_NO);
    re = ok("[à-ÿ]+");
    assert_int_equal(m(re, "é"), ML_RE_YES);
}

static void test_limits(void **state)
{
    (void)state;
    /* catastrophic backtracking hits the match limit: unknown, not "no" */
    ml_regex *re = ok("(a+)+[bc]");
    char subj[64];
    memset(subj, 'a', 40);
    subj[40] = '\0';
    assert_int_equal(m(re, subj), ML_RE_UNKNOWN);
    /* a budget caps the number of matches */
    re = ok("x");
    ml_re_budget b = {.matches_left = 1};
    assert_int_equal(ml_re_full_match(re, "x", 1, &b), ML_RE_YES);
    assert_int_equal(ml_re_full_match(re, "x", 1, &b), ML_RE_UNKNOWN);
    /* subjects beyond the bound are not tried */
    re = ok(".*");
    char *big = calloc(ML_RE_MAX_SUBJECT + 2, 1);
    assert_non_null(big);
    memset(big, 'a', ML_RE_MAX_SUBJECT + 1);
    assert_int_equal(ml_re_full_match(re, big, ML_RE_MAX_SUBJECT + 1, NULL), ML_RE_UNKNOWN);
    assert_int_equal(ml_re_full_match(re, big, ML_RE_MAX_SUBJECT, NULL), ML_RE_YES);
    free(big);
    /* nested counted repetitions beyond the product bound: not evaluated */
    ml_regex *out = NULL;
    ml_re_error err;
    assert_int_equal(ml_re_compile(&A, "((a{1000}){1000})", 17, &out, &err), ML_RE_UNSUPPORTED);
    assert_null(out);
    assert_non_null(err.message);
}

static void test_covers_prefix(void **state)
{
    (void)state;
    ml_regex *re = ok("/api/.*");
    assert_int_equal(ml_re_covers_prefix(re, "/api/v1", NULL), ML_RE_YES);
    assert_int_equal(ml_re_covers_prefix(re, "/api/", NULL), ML_RE_YES);
    assert_int_equal(ml_re_covers_prefix(re, "/ap", NULL), ML_RE_NO);
    assert_int_equal(ml_re_covers_prefix(re, "/other", NULL), ML_RE_NO);
    re = ok("/pkg\\.Svc/.+");
    assert_int_equal(ml_re_covers_prefix(re, "/pkg.Svc/", NULL), ML_RE_NO);
    assert_int_equal(ml_re_covers_prefix(re, "/pkg.Svc/Get", NULL), ML_RE_YES);
    re = ok("/api/[a-z]+");
    assert_int_equal(ml_re_covers_prefix(re, "/api/x", NULL), ML_RE_UNKNOWN);
    assert_int_equal(ml_re_covers_prefix(re, "/other", NULL), ML_RE_NO);
    re = ok("(?i)/api/.*"); /* flags: not the literal shape */
    assert_int_equal(ml_re_covers_prefix(re, "/api/x", NULL), ML_RE_UNKNOWN);
}

static void test_scalar_byte_loc(void **state)
{
    (void)state;
    static const char text[] = "uri:\n  regex: \"/a(?=b)\"\n  plain: /x(?=y)\n  esc: \"/\\u00e9(?=b)\"\n";
    ml_file f;
    memset(&f, 0, sizeof f);
    f.path = "t.yaml";
    f.data = text;
    f.len = strlen(text);
    ml_yaml_result r;
    memset(&r, 0, sizeof r);
    ml_yaml_load(&A, &f, &r);
    assert_int_equal(r.errors.n, 0);
    ml_doc *d = r.docs.items[0];
    const ml_node *uri = ml_get(d->root, "uri");
    const ml_node *q = ml_get(uri, "regex");
    ml_loc l = ml_scalar_byte_loc(q, 2); /* the '(' */
    assert_int_equal(l.line, 2);
    assert_int_equal(l.col, 13); /* 9 for '"', then "/a" */
    assert_int_equal(text[l.off], '(');
    const ml_node *p = ml_get(uri, "plain");
    l = ml_scalar_byte_loc(p, 2);
    assert_int_equal(l.line, 3);
    assert_int_equal(l.col, 12);
    assert_int_equal(text[l.off], '(');
    /* an escape in the source: the scalar's own position */
    const ml_node *e = ml_get(uri, "esc");
    l = ml_scalar_byte_loc(e, 3);
    assert_int_equal(l.col, ml_node_loc(e).col);
    free(f.line_off);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accepts_re2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_what_re2_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_covers_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_byte_loc, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
