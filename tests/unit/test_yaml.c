/*
 * test_yaml.c - the YAML loader: positions, documents, aliases, merge keys,
 * limits against hostile input, errors, and the accessors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meshlint/yaml.h"

static ml_arena A;
static ml_file F;
static ml_yaml_result R;

static int setup(void **state)
{
    (void)state;
    ml_arena_init(&A);
    memset(&F, 0, sizeof F);
    memset(&R, 0, sizeof R);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(F.line_off);
    memset(&F, 0, sizeof F);
    ml_arena_free(&A);
    return 0;
}

/* Load len bytes of text (which may hold NUL bytes) as one file. */
static ml_yaml_result *load_n(const char *text, size_t len)
{
    free(F.line_off);
    memset(&F, 0, sizeof F);
    memset(&R, 0, sizeof R);
    F.path = "test.yaml";
    F.data = ml_strndup(&A, text, len);
    F.len = len;
    ml_yaml_load(&A, &F, &R);
    return &R;
}

static ml_yaml_result *load(const char *text)
{
    return load_n(text, strlen(text));
}

static ml_doc *doc(size_t i)
{
    assert_true(i < R.docs.n);
    return R.docs.items[i];
}

static ml_node *root(void)
{
    assert_int_equal(R.errors.n, 0);
    assert_int_equal(R.docs.n, 1);
    assert_non_null(doc(0)->root);
    return doc(0)->root;
}

static const ml_yaml_error *err(size_t i)
{
    assert_true(i < R.errors.n);
    return R.errors.items[i];
}

static double seconds_since(clock_t t0)
{
    return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

static void assert_loc(const ml_loc *l, uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col)
{
    assert_ptr_equal(l->file, &F);
    assert_int_equal(l->line, line);
    assert_int_equal(l->col, col);
    assert_int_equal(l->end_line, end_line);
    assert_int_equal(l->end_col, end_col);
}

/* The bytes a node's offsets cover are exactly `text`. */
static void assert_text(const ml_node *n, const char *text)
{
    assert_non_null(n);
    size_t len = strlen(text);
    assert_int_equal(n->end_off - n->off, len);
    assert_memory_equal(F.data + n->off, text, len);
}

/* Every loc in the tree agrees with the position arithmetic of source.c. */
static void check_locs(const ml_node *n, unsigned depth)
{
    if (!n || depth > 600)
        return;
    ml_loc want = ml_loc_from_offsets(&F, n->off, n->end_off);
    assert_int_equal(ml_node_loc(n).line, want.line);
    assert_int_equal(ml_node_loc(n).col, want.col);
    assert_int_equal(ml_node_loc(n).end_line, want.end_line);
    assert_int_equal(ml_node_loc(n).end_col, want.end_col);
    for (size_t i = 0; i < ml_node_n(n); i++) {
        if (n->type == ML_NODE_MAP) {
            check_locs(&n->kvs[i].key, depth + 1);
            check_locs(&n->kvs[i].value, depth + 1);
        } else if (n->type == ML_NODE_SEQ) {
            check_locs(&n->elems[i], depth + 1);
        }
    }
}

static void check_all_locs(void)
{
    for (size_t i = 0; i < R.docs.n; i++)
        check_locs(doc(i)->root, 0);
}

/* ---- positions --------------------------------------------------------- */

static void test_positions(void **state)
{
    (void)state;
    load("apiVersion: v1\n"
         "kind: Service\n"
         "metadata:\n"
         "  name: web\n"
         "  labels: {app: web, tier: 'front'}\n"
         "ports: [80, 443]\n");
    ml_node *r = root();
    assert_true(ml_is_map(r));
    assert_int_equal(ml_node_n(r), 4);
    assert_loc((ml_loc[1]){ml_node_loc(r)}, 1, 1, 6, 17);

    const ml_pair *kind = ml_get_pair(r, "kind");
    assert_non_null(kind);
    assert_loc((ml_loc[1]){ml_node_loc(&kind->key)}, 2, 1, 2, 5);
    assert_int_equal(kind->key.off, 15);
    assert_int_equal(kind->key.end_off, 19);
    assert_loc((ml_loc[1]){ml_node_loc(&kind->value)}, 2, 7, 2, 14);
    assert_text(&kind->value, "Service");

    ml_node *name = ml_path(r, "metadata.name");
    assert_loc((ml_loc[1]){ml_node_loc(name)}, 4, 9, 4, 12);
    assert_text(name, "web");

    /* A block mapping ends at its last value, not at the next token. */
    ml_node *md = ml_get(r, "metadata");
    assert_loc((ml_loc[1]){ml_node_loc(md)}, 4, 3, 5, 36);
    assert_text(md, "name: web\n  labels: {app: web, tier: 'front'}");

    ml_node *labels = ml_path(r, "metadata.labels");
    assert_text(labels, "{app: web, tier: 'front'}");
    ml_node *tier = ml_get(labels, "tier");
    assert_text(tier, "'front'");
    assert_string_equal(ml_node_str(tier), "front");
    assert_int_equal(tier->style, ML_SCALAR_QUOTED);

    ml_node *ports = ml_get(r, "ports");
    assert_true(ml_is_seq(ports));
    assert_text(ports, "[80, 443]");
    assert_text(&ports->elems[1], "443");
    assert_loc((ml_loc[1]){ml_node_loc(&ports->elems[1])}, 6, 13, 6, 16);
    check_all_locs();
}

static void test_positions_utf8(void **state)
{
    (void)state;
    /* Columns count code points; offsets count bytes. */
    load("a: é€x\n"
         "name: \"日本\" # ü\n"
         "b: c\n");
    ml_node *r = root();
    ml_node *a = ml_get(r, "a");
    assert_string_equal(ml_node_str(a), "é€x");
    assert_loc((ml_loc[1]){ml_node_loc(a)}, 1, 4, 1, 7);
    assert_int_equal(a->off, 3);
    assert_int_equal(a->end_off, 9);

    const ml_pair *name = ml_get_pair(r, "name");
    assert_loc((ml_loc[1]){ml_node_loc(&name->key)}, 2, 1, 2, 5);
    assert_int_equal(name->key.off, 10);
    assert_loc((ml_loc[1]){ml_node_loc(&name->value)}, 2, 7, 2, 11);
    assert_text(&name->value, "\"日本\"");

    const ml_pair *b = ml_get_pair(r, "b");
    assert_loc((ml_loc[1]){ml_node_loc(&b->key)}, 3, 1, 3, 2);
    assert_text(&b->key, "b");
    assert_text(&b->value, "c");
    check_all_locs();
}

static void test_positions_long_line(void **state)
{
    (void)state;
    /* A long non-ASCII line crosses several cursor checkpoints. */
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, "k: [");
    for (int i = 0; i < 5000; i++)
        ml_buf_puts(&b, i ? ", ü€" : "ü€");
    ml_buf_puts(&b, "]\nlast: x\n");
    load_n(b.s, b.n);
    ml_node *r = root();
    ml_node *k = ml_get(r, "k");
    assert_int_equal(ml_node_n(k), 5000);
    ml_node *e = &k->elems[4999];
    assert_text(e, "ü€");
    assert_int_equal(ml_node_loc(e).line, 1);
    assert_int_equal(ml_node_loc(e).col, 5 + 4999 * 4);
    ml_node *last = ml_get(r, "last");
    assert_loc((ml_loc[1]){ml_node_loc(last)}, 2, 7, 2, 8);
    assert_text(last, "x");
    check_all_locs();
    ml_buf_free(&b);
}

static void test_positions_crlf(void **state)
{
    (void)state;
    load("a: b\r\n"
         "key: value\r\n"
         "list:\r\n"
         "  - x\r\n");
    ml_node *r = root();
    const ml_pair *k = ml_get_pair(r, "key");
    assert_loc((ml_loc[1]){ml_node_loc(&k->key)}, 2, 1, 2, 4);
    assert_int_equal(k->key.off, 6);
    assert_loc((ml_loc[1]){ml_node_loc(&k->value)}, 2, 6, 2, 11);
    assert_text(&k->value, "value");
    assert_string_equal(ml_node_str(&k->value), "value");
    ml_node *x = ml_path(r, "list.0");
    assert_loc((ml_loc[1]){ml_node_loc(x)}, 4, 5, 4, 6);
    assert_text(x, "x");
    check_all_locs();

    /* CRLF together with non-ASCII text (the converting path). */
    load("é: 1\r\nb: two\r\n");
    r = root();
    ml_node *two = ml_get(r, "b");
    assert_loc((ml_loc[1]){ml_node_loc(two)}, 2, 4, 2, 7);
    assert_text(two, "two");
    check_all_locs();
}

static void test_utf8_bom(void **state)
{
    (void)state;
    load("\xEF\xBB\xBF"
         "a: b\nc: d\n");
    ml_node *r = root();
    const ml_pair *a = ml_get_pair(r, "a");
    assert_int_equal(a->key.off, 3);
    assert_text(&a->key, "a");
    assert_text(&a->value, "b");
    assert_loc((ml_loc[1]){ml_node_loc(&a->key)}, 1, 1, 1, 2); /* the BOM is not a column */
    ml_node *d = ml_get(r, "c");
    assert_loc((ml_loc[1]){ml_node_loc(d)}, 2, 4, 2, 5);
    assert_text(d, "d");
    check_all_locs();
}

/* A lone CR, NEL, LS and PS are line breaks to libyaml but not to source.c
 * (only LF ends a line; a code point is one column): a node's position,
 * computed from its offsets (ml_node_loc), counts them the source.c way, as
 * the loader's own positions did before nodes stopped storing them. */
static void test_positions_other_breaks(void **state)
{
    (void)state;
    static const char *const seps[] = {"\r", "\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9"};
    for (size_t i = 0; i < sizeof seps / sizeof *seps; i++) {
        ml_buf b;
        ml_buf_init(&b);
        ml_buf_puts(&b, "k: [x,");
        ml_buf_puts(&b, seps[i]);
        ml_buf_puts(&b, "yy]\nz: 1\n");
        load_n(b.s, b.n);
        ml_buf_free(&b);
        ml_node *r = root();
        ml_node *yy = ml_path(r, "k.1");
        assert_text(yy, "yy");
        assert_loc((ml_loc[1]){ml_node_loc(yy)}, 1, 8, 1, 10);
        assert_loc((ml_loc[1]){ml_node_loc(ml_get(r, "z"))}, 2, 4, 2, 5);
        assert_ptr_equal(ml_node_file(yy), &F);
        check_all_locs();
    }
}

/* ---- documents ---------------------------------------------------------- */

static void test_multi_doc(void **state)
{
    (void)state;
    load("a: 1\n"
         "---\n"
         "---\n"
         "# only a comment\n"
         "...\n"
         "--- x\n"
         "---\n"
         "b: 2\n");
    assert_int_equal(R.errors.n, 0);
    assert_int_equal(R.docs.n, 5);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(doc(i)->index, i);
        assert_ptr_equal(doc(i)->file, &F);
    }
    assert_string_equal(ml_str(ml_get(doc(0)->root, "a")), "1");
    assert_int_equal(doc(0)->start_line, 1);
    assert_int_equal(doc(0)->end_line, 1);
    assert_null(doc(1)->root);
    assert_int_equal(doc(1)->start_line, 2);
    assert_int_equal(doc(1)->end_line, 2);
    assert_null(doc(2)->root);
    assert_int_equal(doc(2)->start_line, 3);
    assert_int_equal(doc(2)->end_line, 5);
    assert_string_equal(ml_str(doc(3)->root), "x");
    assert_int_equal(doc(3)->start_line, 6);
    assert_int_equal(doc(3)->end_line, 6);
    assert_string_equal(ml_str(ml_get(doc(4)->root, "b")), "2");
    assert_int_equal(doc(4)->start_line, 7);
    assert_int_equal(doc(4)->end_line, 8);

    /* An explicit empty quoted scalar is a value, not an empty document. */
    load("--- ''\n");
    assert_int_equal(R.docs.n, 1);
    assert_non_null(doc(0)->root);
    assert_string_equal(ml_node_str(doc(0)->root), "");

    load("");
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 0);
    load("# nothing but a comment\n");
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 0);
}

/* ---- anchors, aliases, merge keys -------------------------------------- */

/* An alias is a copy of the anchored node's header (yaml.h): the same
 * position, kind and entry count, and the same children array or string. */
static void assert_alias_of(const ml_node *alias, const ml_node *anchored)
{
    assert_non_null(alias);
    assert_non_null(anchored);
    assert_int_equal(alias->type, anchored->type);
    assert_int_equal(alias->file, anchored->file);
    assert_int_equal(alias->off, anchored->off);
    assert_int_equal(alias->end_off, anchored->end_off);
    assert_int_equal(ml_node_n(alias), ml_node_n(anchored));
    if (alias->type == ML_NODE_MAP)
        assert_ptr_equal(alias->kvs, anchored->kvs);
    else if (alias->type == ML_NODE_SEQ)
        assert_ptr_equal(alias->elems, anchored->elems);
    else
        assert_ptr_equal(ml_node_str(alias), ml_node_str(anchored));
}

static void test_aliases_shared(void **state)
{
    (void)state;
    load("base: &b {x: 1, y: [1, 2]}\n"
         "use1: *b\n"
         "use2: *b\n"
         "s: &s hello\n"
         "t: *s\n"
         "r: &r 1\n"
         "r2: &r 2\n"
         "u: *r\n");
    ml_node *r = root();
    ml_node *base = ml_get(r, "base");
    assert_true(ml_is_map(base));
    assert_alias_of(ml_get(r, "use1"), base);
    assert_alias_of(ml_get(r, "use2"), base);
    assert_alias_of(ml_get(r, "t"), ml_get(r, "s"));
    assert_string_equal(ml_str(ml_get(r, "t")), "hello");
    /* A redefined anchor: the alias takes the most recent definition. */
    assert_alias_of(ml_get(r, "u"), ml_get(r, "r2"));
    /* The mapping ends where the last alias occurrence ends. */
    assert_int_equal(ml_node_loc(r).end_line, 8);
    assert_int_equal(ml_node_loc(r).end_col, 6);

    /* Anchors do not cross documents. */
    load("a: &x 1\n---\nb: *x\n");
    assert_int_equal(R.docs.n, 1);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "unknown alias *x");
}

static void test_unknown_alias(void **state)
{
    (void)state;
    load("kind: A\n---\na: 1\nb: *nope\n");
    assert_int_equal(R.docs.n, 1); /* the completed document is kept */
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "unknown alias *nope");
    assert_int_equal(err(0)->loc.line, 4);
    assert_int_equal(err(0)->loc.col, 4);
    assert_int_equal(err(0)->loc.end_col, 9);
}

static void test_recursive_alias(void **state)
{
    (void)state;
    load("a: &r [1, *r]\n");
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 1);
    assert_non_null(strstr(err(0)->message, "recursive"));
    assert_int_equal(err(0)->loc.line, 1);
    assert_int_equal(err(0)->loc.col, 11);
}

static void test_alias_bomb(void **state)
{
    (void)state;
    const char *bomb = "ok: 1\n"
                       "---\n"
                       "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                       "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                       "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    clock_t t0 = clock();
    load(bomb);
    assert_true(seconds_since(t0) < 1.0);
    assert_int_equal(R.docs.n, 1);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "alias expansion exceeds 1000000 nodes in this file (possible billion-laughs input)");
    /* Sizes grow ninefold per level: the first *f use (on line g) brings
     * the total past 1000000. */
    assert_int_equal(err(0)->loc.line, 9);
    assert_int_equal(err(0)->loc.col, 8);
    assert_true(A.total < 1024 * 1024);

    /* Moderate reuse stays well within the limit. */
    load("a: &a [1, 2, 3]\nb: [*a, *a, *a]\nc: [*a, *a]\n");
    ml_node *r = root();
    assert_alias_of(ml_path(r, "c.1"), ml_get(r, "a"));
}

/* The expansion budget is the file's, not each document's: 40 documents
 * that each expand 100,100 nodes stop at the tenth. */
static void test_alias_budget_per_file(void **state)
{
    (void)state;
    ml_buf b;
    ml_buf_init(&b);
    for (int d = 0; d < 40; d++) {
        ml_buf_puts(&b, "---\na: &a [");
        for (int i = 0; i < 999; i++)
            ml_buf_puts(&b, "1, ");
        ml_buf_puts(&b, "1]\nb: [");
        for (int i = 0; i < 100; i++)
            ml_buf_puts(&b, i ? ", *a" : "*a");
        ml_buf_puts(&b, "]\n");
    }
    load(b.s);
    ml_buf_free(&b);
    assert_int_equal(R.errors.n, 1);
    assert_non_null(strstr(err(0)->message, "alias expansion exceeds 1000000 nodes in this file"));
    assert_int_equal(err(0)->loc.line, 10 * 3); /* line b: of the tenth document */
    assert_true(R.docs.n < 10);
}

static void test_merge_keys(void **state)
{
    (void)state;
    load("base: &base {a: 1, b: 2}\n"
         "other: &other {b: 20, c: 30, d: 40}\n"
         "single:\n"
         "  <<: *base\n"
         "  b: 3\n"
         "list:\n"
         "  c: 4\n"
         "  <<: [*base, *other]\n"
         "inline: {<<: {z: 9}, y: 8}\n"
         "notmerge: {'<<': 1, x: 2}\n"
         "scalarmerge: {<<: 5}\n");
    ml_node *r = root();
    ml_node *single = ml_get(r, "single");
    assert_int_equal(ml_node_n(single), 2);
    assert_null(ml_get(single, "<<"));
    assert_string_equal(ml_str(ml_get(single, "a")), "1");
    assert_string_equal(ml_str(ml_get(single, "b")), "3"); /* explicit wins */
    /* Merged pairs are copies of the source's own nodes. */
    assert_alias_of(ml_get(single, "a"), ml_get(ml_get(r, "base"), "a"));

    ml_node *list = ml_get(r, "list");
    assert_int_equal(ml_node_n(list), 4);
    assert_null(ml_get(list, "<<"));
    assert_string_equal(ml_str(ml_get(list, "a")), "1");
    assert_string_equal(ml_str(ml_get(list, "b")), "2");  /* earlier map wins */
    assert_string_equal(ml_str(ml_get(list, "c")), "4");  /* explicit wins, though written first */
    assert_string_equal(ml_str(ml_get(list, "d")), "40");
    /* Each key occurs once. */
    int nb = 0;
    for (size_t i = 0; i < ml_node_n(list); i++)
        nb += ml_streq(ml_str(&list->kvs[i].key), "b");
    assert_int_equal(nb, 1);

    ml_node *in = ml_get(r, "inline");
    assert_int_equal(ml_node_n(in), 2);
    assert_string_equal(ml_str(ml_get(in, "z")), "9");
    assert_string_equal(ml_str(ml_get(in, "y")), "8");

    /* A quoted "<<" is an ordinary key; so is << with a scalar value. */
    assert_string_equal(ml_str(ml_get(ml_get(r, "notmerge"), "<<")), "1");
    assert_string_equal(ml_str(ml_get(ml_get(r, "scalarmerge"), "<<")), "5");

    /* A duplicated key inside one merge source: its last value counts. */
    load("src: &s {k: 1, k: 2}\nm: {<<: *s}\n");
    r = root();
    ml_node *m = ml_get(r, "m");
    assert_int_equal(ml_node_n(m), 1);
    assert_string_equal(ml_str(ml_get(m, "k")), "2");
}

static void test_merge_many_keys(void **state)
{
    (void)state;
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, "base: &b {");
    for (int i = 0; i < 50000; i++)
        ml_buf_printf(&b, "%sk%d: %d", i ? ", " : "", i, i);
    ml_buf_puts(&b, "}\nm: {k7: seven, <<: *b, k49999: last}\n");
    clock_t t0 = clock();
    load_n(b.s, b.n);
    assert_true(seconds_since(t0) < 2.0);
    ml_node *m = ml_get(root(), "m");
    assert_int_equal(ml_node_n(m), 50000);
    assert_string_equal(ml_str(ml_get(m, "k7")), "seven");
    assert_string_equal(ml_str(ml_get(m, "k123")), "123");
    assert_string_equal(ml_str(ml_get(m, "k49999")), "last");
    ml_buf_free(&b);
}

/* ---- errors and limits ------------------------------------------------- */

static void test_syntax_error(void **state)
{
    (void)state;
    load("a:\n  b: c\n d: e\n");
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "while parsing a block mapping: did not find expected key");
    assert_int_equal(err(0)->loc.line, 3);
    assert_int_equal(err(0)->loc.col, 2);
    assert_int_equal(err(0)->loc.off, 11);

    /* Documents before the error are kept. */
    load("k: v\n---\nk: w\n---\na: b\n  c: d\n");
    assert_int_equal(R.docs.n, 2);
    assert_string_equal(ml_str(ml_get(doc(1)->root, "k")), "w");
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "mapping values are not allowed in this context");
    assert_int_equal(err(0)->loc.line, 6);
    assert_int_equal(err(0)->loc.col, 4);

    load("k: \"unterminated\n");
    assert_int_equal(R.errors.n, 1);
    assert_non_null(strstr(err(0)->message, "while scanning a quoted scalar"));
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t n = 1000000;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, '[', n);
    s[n] = '\0';
    clock_t t0 = clock();
    load_n(s, n);
    assert_true(seconds_since(t0) < 2.0);
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "nesting deeper than 512 levels");
    assert_int_equal(err(0)->loc.line, 1);
    assert_int_equal(err(0)->loc.col, 513);
    assert_true(A.total < 8 * n); /* mostly the copy of the input */
    free(s);

    /* Block nesting hits the same limit. */
    ml_buf b;
    ml_buf_init(&b);
    for (int i = 0; i < 600; i++)
        ml_buf_puts(&b, "- ");
    ml_buf_puts(&b, "x\n");
    load_n(b.s, b.n);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "nesting deeper than 512 levels");

    /* Exactly the limit is fine. */
    ml_buf_reset(&b);
    for (int i = 0; i < ML_YAML_MAX_DEPTH; i++)
        ml_buf_putc(&b, '[');
    for (int i = 0; i < ML_YAML_MAX_DEPTH; i++)
        ml_buf_putc(&b, ']');
    load_n(b.s, b.n);
    ml_node *r = root();
    int depth = 0;
    for (const ml_node *x = r; ml_is_seq(x); x = ml_node_n(x) ? &x->elems[0] : NULL)
        depth++;
    assert_int_equal(depth, ML_YAML_MAX_DEPTH);
    ml_buf_free(&b);
}

static void test_foreign_encodings(void **state)
{
    (void)state;
    load_n("\xFF\xFE" "a\0:\0 \0b\0\n\0", 12);
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "file is UTF-16; meshlint reads UTF-8 only");
    assert_int_equal(err(0)->loc.line, 1);
    assert_int_equal(err(0)->loc.col, 1);

    load_n("\xFE\xFF\0a\0:\0 \0b", 10);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "file is UTF-16; meshlint reads UTF-8 only");

    load_n("\xFF\xFE\0\0" "a\0\0\0", 8);
    assert_int_equal(R.errors.n, 1);
    assert_string_equal(err(0)->message, "file is UTF-32; meshlint reads UTF-8 only");
}

static void test_nul_byte(void **state)
{
    (void)state;
    load_n("a: b\0c\n", 7);
    assert_int_equal(R.docs.n, 0);
    assert_int_equal(R.errors.n, 1);
    assert_non_null(strstr(err(0)->message, "control characters are not allowed"));
    assert_int_equal(err(0)->loc.line, 1);
    assert_int_equal(err(0)->loc.col, 5);
    assert_int_equal(err(0)->loc.off, 4);

    /* A NUL far into the file: earlier documents survive. */
    ml_buf b;
    ml_buf_init(&b);
    for (int i = 0; i < 20000; i++)
        ml_buf_printf(&b, "k: v%d\n---\n", i);
    size_t at = b.n + 4;
    ml_buf_add(&b, "x: y\0z\n", 7);
    load_n(b.s, b.n);
    assert_int_equal(R.errors.n, 1);
    assert_int_equal(err(0)->loc.off, at);
    assert_int_equal(err(0)->loc.line, 40001);
    assert_true(R.docs.n > 19000 && R.docs.n <= 20000);
    assert_string_equal(ml_str(ml_get(doc(0)->root, "k")), "v0");
    ml_buf_free(&b);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    load("a: b\nc: \xff\n");
    assert_int_equal(R.errors.n, 1);
    assert_non_null(strstr(err(0)->message, "invalid leading UTF-8 octet"));
    assert_int_equal(err(0)->loc.line, 2);
    assert_int_equal(err(0)->loc.col, 4);

    load("a: \xe2\x82\n");
    assert_int_equal(R.errors.n, 1);
    assert_non_null(strstr(err(0)->message, "UTF-8"));
}

/* ---- JSON, duplicate and complex keys ----------------------------------- */

static void test_json(void **state)
{
    (void)state;
    load("{\"apiVersion\": \"v1\", \"items\": [1, 2, {\"k\": null}],\n"
         " \"ok\": true, \"n\": -12}\n");
    ml_node *r = root();
    assert_int_equal(ml_node_n(r), 4);
    assert_string_equal(ml_str(ml_get(r, "apiVersion")), "v1");
    const ml_pair *items = ml_get_pair(r, "items");
    assert_text(&items->key, "\"items\"");
    assert_int_equal(items->key.style, ML_SCALAR_QUOTED);
    assert_int_equal(ml_node_loc(&items->key).col, 22);
    assert_text(&items->value, "[1, 2, {\"k\": null}]");
    assert_int_equal(ml_node_n(&items->value), 3);
    assert_true(ml_is_null(ml_path(r, "items.2.k")));
    bool v = false;
    assert_true(ml_bool(ml_get(r, "ok"), &v));
    assert_true(v);
    long long n = 0;
    assert_true(ml_int(ml_get(r, "n"), &n));
    assert_int_equal(n, -12);
    assert_int_equal(ml_node_loc(ml_get(r, "n")).line, 2);
    assert_text(r, "{\"apiVersion\": \"v1\", \"items\": [1, 2, {\"k\": null}],\n \"ok\": true, \"n\": -12}");
    check_all_locs();
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    load("a: 1\nb: 2\na: 3\n");
    ml_node *r = root(); /* no error */
    assert_int_equal(ml_node_n(r), 3);
    assert_string_equal(ml_str(ml_get(r, "a")), "3");
    assert_int_equal(ml_node_loc(&ml_get_pair(r, "a")->key).line, 3);
    assert_string_equal(ml_str(&r->kvs[0].value), "1");
}

static void test_complex_keys(void **state)
{
    (void)state;
    load("? [x, y]\n: 1\nz: 2\n");
    ml_node *r = root();
    assert_int_equal(ml_node_n(r), 2);
    assert_true(ml_is_seq(&r->kvs[0].key));
    assert_string_equal(ml_str(&r->kvs[0].value), "1");
    assert_null(ml_get(r, "x"));
    assert_null(ml_get(r, "[x, y]"));
    assert_string_equal(ml_str(ml_get(r, "z")), "2");
}

/* ---- scalars and accessors ---------------------------------------------- */

static void test_scalar_styles(void **state)
{
    (void)state;
    load("p: plain\nq: \"dq\\tx\"\nsq: 'it''s'\nb: |\n  line1\n  line2\nf: >\n  a\n  b\nt: !!str x\nn:\n"
         "e: ! 12\no: !!int 12\nnl: !!str null\non: !custom null\n");
    ml_node *r = root();
    assert_int_equal(ml_get(r, "p")->style, ML_SCALAR_PLAIN);
    assert_int_equal(ml_get(r, "p")->tag, ML_TAG_NONE);
    assert_int_equal(ml_get(r, "q")->style, ML_SCALAR_QUOTED);
    assert_string_equal(ml_str(ml_get(r, "q")), "dq\tx");
    assert_string_equal(ml_str(ml_get(r, "sq")), "it's");
    ml_node *b = ml_get(r, "b");
    assert_int_equal(b->style, ML_SCALAR_BLOCK);
    assert_string_equal(ml_node_str(b), "line1\nline2\n");
    assert_int_equal(ml_node_len(b), 12);
    assert_string_equal(ml_str(ml_get(r, "f")), "a b\n");
    /* only what the accessors need of a tag is kept: !!str and ! make a
     * plain scalar a string, any other tag does not */
    assert_int_equal(ml_get(r, "t")->tag, ML_TAG_STR);
    assert_int_equal(ml_get(r, "e")->tag, ML_TAG_STR);
    assert_int_equal(ml_get(r, "o")->tag, ML_TAG_OTHER);
    assert_false(ml_is_null(ml_get(r, "nl")));
    assert_true(ml_is_null(ml_get(r, "on")));
    ml_node *n = ml_get(r, "n");
    assert_non_null(n);
    assert_true(ml_is_null(n));
    assert_int_equal(ml_node_len(n), 0);
    assert_int_equal(ml_node_loc(n).line, 11);

    load("s: \"a\\0b\"\n");
    ml_node *s = ml_get(root(), "s");
    assert_int_equal(ml_node_len(s), 3);
    assert_memory_equal(ml_node_str(s), "a\0b", 4);
}

static void test_int_bool_null(void **state)
{
    (void)state;
    load("i1: 42\ni2: \"42\"\ni3: -7\ni4: +3\ni5: 007\ni6: 123456789012345678\n"
         "i7: 1234567890123456789\ni8: 4.5\ni9: ''\ni10: 0x1F\ni11: 1_000\ni12: |\n  5\ni13: \"-\"\n"
         "b1: true\nb2: True\nb3: TRUE\nb4: false\nb5: False\nb6: FALSE\n"
         "b7: tRuE\nb8: yes\nb9: \"true\"\nb10: !!str true\nb11: on\n"
         "n1:\nn2: ~\nn3: null\nn4: Null\nn5: NULL\nn6: \"null\"\nn7: ''\nn8: nil\nn9: !!str ~\n"
         "m: {}\n");
    ml_node *r = root();
    long long v = 0;
    assert_true(ml_int(ml_get(r, "i1"), &v));
    assert_int_equal(v, 42);
    assert_true(ml_int(ml_get(r, "i2"), &v));
    assert_int_equal(v, 42);
    assert_true(ml_int(ml_get(r, "i3"), &v));
    assert_int_equal(v, -7);
    assert_true(ml_int(ml_get(r, "i4"), &v));
    assert_int_equal(v, 3);
    assert_true(ml_int(ml_get(r, "i5"), &v));
    assert_int_equal(v, 7);
    assert_true(ml_int(ml_get(r, "i6"), &v));
    assert_true(v == 123456789012345678LL);
    v = 99;
    assert_false(ml_int(ml_get(r, "i7"), &v));
    assert_int_equal(v, 99); /* untouched on failure */
    assert_false(ml_int(ml_get(r, "i8"), &v));
    assert_false(ml_int(ml_get(r, "i9"), &v));
    assert_false(ml_int(ml_get(r, "i10"), &v));
    assert_false(ml_int(ml_get(r, "i11"), &v));
    assert_false(ml_int(ml_get(r, "i12"), &v));
    assert_false(ml_int(ml_get(r, "i13"), &v));
    assert_false(ml_int(ml_get(r, "m"), &v));
    assert_false(ml_int(NULL, &v));

    const char *yes[] = {"b1", "b2", "b3"}, *no[] = {"b4", "b5", "b6"};
    for (int i = 0; i < 3; i++) {
        bool b = false;
        assert_true(ml_bool(ml_get(r, yes[i]), &b));
        assert_true(b);
        assert_true(ml_bool(ml_get(r, no[i]), &b));
        assert_false(b);
    }
    const char *notbool[] = {"b7", "b8", "b9", "b10", "b11", "i1", "m"};
    for (size_t i = 0; i < sizeof notbool / sizeof *notbool; i++) {
        bool b = true;
        assert_false(ml_bool(ml_get(r, notbool[i]), &b));
        assert_true(b);
    }
    assert_false(ml_bool(NULL, NULL));

    const char *nulls[] = {"n1", "n2", "n3", "n4", "n5"};
    for (int i = 0; i < 5; i++) {
        assert_true(ml_is_null(ml_get(r, nulls[i])));
        assert_null(ml_str_nonnull(ml_get(r, nulls[i])));
        assert_non_null(ml_str(ml_get(r, nulls[i])));
    }
    const char *notnull[] = {"n6", "n7", "n8", "n9", "i1", "m"};
    for (size_t i = 0; i < sizeof notnull / sizeof *notnull; i++)
        assert_false(ml_is_null(ml_get(r, notnull[i])));
    assert_false(ml_is_null(NULL));
    assert_string_equal(ml_str_nonnull(ml_get(r, "n6")), "null");
    assert_string_equal(ml_str_nonnull(ml_get(r, "n7")), "");
    assert_null(ml_str_nonnull(ml_get(r, "m")));
    assert_null(ml_str(ml_get(r, "m")));
    assert_true(ml_is_map(ml_get(r, "m")));
    assert_false(ml_is_seq(ml_get(r, "m")));
    assert_false(ml_is_scalar(ml_get(r, "m")));
    assert_true(ml_is_scalar(ml_get(r, "i1")));
    assert_false(ml_is_map(NULL));
    assert_false(ml_is_seq(NULL));
    assert_false(ml_is_scalar(NULL));
    assert_null(ml_str(NULL));
    assert_null(ml_str_nonnull(NULL));
}

/* The inline ml_get/ml_get_pair (literal keys measured at compile time),
 * their out-of-line twins and ml_get_pair_n agree; composite keys join the
 * same way on the stack and in the arena, short or long. */
static void test_get_forms_and_keys(void **state)
{
    (void)state;
    load("a: 1\nab: 2\na: 3\n\"\": 4\n");
    ml_node *r = root();
    const char *dyn = "ab";
    assert_string_equal(ml_str(ml_get(r, "a")), "3"); /* the last duplicate wins */
    assert_ptr_equal(ml_get(r, dyn), &ml_get_pair_n(r, "abc", 2)->value);
    assert_ptr_equal((ml_get)(r, "a"), ml_get(r, "a"));
    assert_ptr_equal((ml_get_pair)(r, "ab"), ml_get_pair(r, "ab"));
    assert_string_equal(ml_str(ml_get(r, "")), "4");
    const char *none = NULL;
    assert_null(ml_get(r, none));
    assert_null((ml_get_pair)(r, none));
    assert_null(ml_get(NULL, "a"));

    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *parts[][3] = {{"ns", "app", "web"}, {"", NULL, "v"}, {big, "k", big}};
    const char *want[] = {"ns\x1f" "app\x1f" "web", "\x1f\x1fv", NULL};
    for (size_t i = 0; i < 3; i++) {
        ml_key k;
        ml_key_join(&k, '\x1f', 3, parts[i]);
        size_t n;
        char *d = ml_key_dup(&A, &n, '\x1f', 3, parts[i]);
        assert_int_equal(k.n, n);
        assert_int_equal(strlen(k.s), n);
        assert_memory_equal(k.s, d, n + 1);
        if (want[i])
            assert_string_equal(k.s, want[i]);
        else
            assert_int_equal(n, 2 * strlen(big) + 3);
        ml_key_done(&k);
    }
}

static void test_path_and_get(void **state)
{
    (void)state;
    load("spec:\n"
         "  template:\n"
         "    metadata:\n"
         "      labels: {app: web, app.kubernetes.io/name: x}\n"
         "  containers:\n"
         "    - name: a\n"
         "    - name: b\n");
    ml_node *r = root();
    assert_string_equal(ml_str(ml_path(r, "spec.template.metadata.labels.app")), "web");
    assert_ptr_equal(ml_path(r, "spec.template"), ml_get(ml_get(r, "spec"), "template"));
    assert_string_equal(ml_str(ml_path(r, "spec.containers.1.name")), "b");
    assert_string_equal(ml_str(ml_path(r, "spec.containers.0.name")), "a");
    assert_null(ml_path(r, "spec.containers.2.name"));
    assert_null(ml_path(r, "spec.containers.x"));
    assert_null(ml_path(r, "spec.missing.x"));
    assert_null(ml_path(r, "spec.template.metadata.labels.app.more"));
    assert_null(ml_path(r, "spec..template"));
    assert_null(ml_path(NULL, "spec"));
    assert_null(ml_path(r, NULL));
    assert_ptr_equal(ml_path(r, ""), r);
    /* A key with a dot is reached with ml_get. */
    assert_string_equal(ml_str(ml_get(ml_path(r, "spec.template.metadata.labels"), "app.kubernetes.io/name")),
                        "x");

    assert_null(ml_get(NULL, "spec"));
    assert_null(ml_get(r, NULL));
    assert_null(ml_get(ml_path(r, "spec.containers"), "0"));
    assert_null(ml_get(ml_path(r, "spec.containers.0.name"), "a"));
    assert_null(ml_get_pair(r, "nope"));
    assert_null(ml_get(r, "spe"));
    const ml_pair *p = ml_get_pair(r, "spec");
    assert_non_null(p);
    assert_int_equal(ml_node_loc(&p->key).line, 1);
}

static void test_memory_bounded(void **state)
{
    (void)state;
    /* A manifest-like stream: the tree stays a small multiple of the input. */
    ml_buf b;
    ml_buf_init(&b);
    for (int i = 0; i < 2000; i++)
        ml_buf_printf(&b,
                      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\n"
                      "  namespace: prod\n  labels:\n    app: app-%d\nspec:\n  replicas: 3\n"
                      "  template:\n    spec:\n      containers:\n        - name: main\n"
                      "          image: registry.example.com/app:%d\n          ports:\n"
                      "            - containerPort: 8080\n---\n",
                      i, i, i);
    size_t before = A.total;
    load_n(b.s, b.n);
    assert_int_equal(R.errors.n, 0);
    assert_int_equal(R.docs.n, 2001); /* the final "---" opens an empty one */
    assert_null(doc(2000)->root);
    assert_true(A.total - before < 16 * b.n);
    assert_string_equal(ml_str(ml_path(doc(1999)->root, "metadata.name")), "app-1999");
    /* 17 lines per document; each after the first starts at its "---". */
    assert_int_equal(doc(0)->start_line, 1);
    assert_int_equal(doc(0)->end_line, 16);
    assert_int_equal(doc(1999)->start_line, 1999 * 17);
    assert_int_equal(doc(1999)->end_line, 1999 * 17 + 16);
    ml_buf_free(&b);
}

/* Short scalars are interned (yaml.h): equal strings share one copy, within
 * a file and, through a table, between the files of one arena; different
 * strings (NUL bytes included) never do, and every value reads as loaded. */
static void test_interned_strings(void **state)
{
    (void)state;
    static const char text[] = "a: apps/v1\nb: apps/v1\nc: 'apps/v1'\nd: \"x\\0y\"\ne: \"x\\0z\"\n"
                               "f: apps/v1x\napps/v1: a\n";
    load_n(text, sizeof text - 1);
    ml_node *r = root();
    const char *a = ml_str(ml_get(r, "a"));
    assert_string_equal(a, "apps/v1");
    assert_ptr_equal(ml_str(ml_get(r, "b")), a);
    assert_ptr_equal(ml_str(ml_get(r, "c")), a); /* the style is the node's, the text is shared */
    assert_int_equal(ml_get(r, "c")->style, ML_SCALAR_QUOTED);
    assert_int_equal(ml_get(r, "a")->style, ML_SCALAR_PLAIN);
    assert_ptr_equal(ml_node_str(&r->kvs[6].key), a); /* keys and values alike */
    assert_ptr_equal(ml_node_str(&r->kvs[1].value), ml_node_str(&r->kvs[0].value));
    const ml_node *d = ml_get(r, "d"), *e = ml_get(r, "e");
    assert_int_equal(ml_node_len(d), 3);
    assert_int_equal(ml_node_len(e), 3);
    assert_ptr_not_equal(ml_node_str(d), ml_node_str(e));
    assert_memory_equal(ml_node_str(d), "x\0y", 4);
    assert_memory_equal(ml_node_str(e), "x\0z", 4);
    assert_string_equal(ml_str(ml_get(r, "f")), "apps/v1x");

    /* many distinct strings: the table grows and keeps every one apart */
    ml_buf b;
    ml_buf_init(&b);
    for (int i = 0; i < 3000; i++)
        ml_buf_printf(&b, "k%d: v%d\n", i, i % 700);
    load_n(b.s, b.n);
    r = root();
    assert_int_equal(ml_node_n(r), 3000);
    for (int i = 0; i < 3000; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "v%d", i % 700);
        assert_string_equal(ml_node_str(&r->kvs[i].key), k);
        assert_string_equal(ml_node_str(&r->kvs[i].value), v);
        if (i >= 700)
            assert_ptr_equal(ml_node_str(&r->kvs[i].value), ml_node_str(&r->kvs[i - 700].value));
    }
    ml_buf_free(&b);

    /* between files, through a table of the arena's */
    ml_file f1, f2, f3;
    ml_yaml_result r1, r2, r3;
    memset(&f1, 0, sizeof f1);
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    memset(&r3, 0, sizeof r3);
    f1.path = "one.yaml";
    f1.data = "kind: Deployment\n";
    f1.len = strlen(f1.data);
    f2 = f1;
    f2.path = "two.yaml";
    f3 = f1;
    f3.path = "three.yaml";
    ml_yaml_strings *t = ml_yaml_strings_new(&A);
    ml_yaml_load_shared(&A, t, &f1, &r1);
    ml_yaml_load_shared(&A, t, &f2, &r2);
    const ml_node *k1 = ml_get(((ml_doc *)r1.docs.items[0])->root, "kind");
    const ml_node *k2 = ml_get(((ml_doc *)r2.docs.items[0])->root, "kind");
    assert_string_equal(ml_str(k1), "Deployment");
    assert_ptr_equal(ml_str(k1), ml_str(k2));
    /* a table of another arena is not used: its strings are not A's */
    ml_arena other;
    ml_arena_init(&other);
    ml_yaml_strings *t2 = ml_yaml_strings_new(&other);
    ml_yaml_load_shared(&other, t2, &f3, &r3);
    const ml_node *k3 = ml_get(((ml_doc *)r3.docs.items[0])->root, "kind");
    memset(&r3, 0, sizeof r3);
    ml_yaml_load_shared(&A, t2, &f3, &r3);
    const ml_node *k4 = ml_get(((ml_doc *)r3.docs.items[0])->root, "kind");
    assert_string_equal(ml_str(k4), "Deployment");
    assert_ptr_not_equal(ml_str(k4), ml_str(k3));
    assert_ptr_not_equal(ml_str(k4), ml_str(k1));
    ml_yaml_strings_free(t2);
    ml_yaml_strings_free(t);
    ml_yaml_strings_free(NULL);
    ml_arena_free(&other);
    free(f1.line_off);
    free(f2.line_off);
    free(f3.line_off);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positions_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positions_long_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positions_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_bom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_positions_other_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_doc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aliases_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recursive_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alias_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alias_budget_per_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_many_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complex_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_styles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_bool_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_forms_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interned_strings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
