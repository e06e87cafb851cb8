/*
 * test_report.c - the output formats and the escaping under them.
 *
 * Fake rules and hand-built findings (no engine): escaping of hostile text,
 * the one-line guarantee of gcc output, caret placement in text output with
 * tabs and multi-byte characters, suppressed findings, the JSON and SARIF
 * structures, GitHub's escaping and Code Climate fields. The SARIF of the
 * sample findings is also written to build/test-sample.sarif (or
 * $ML_SARIF_SAMPLE) so tests/sarif_validate.sh can check it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/report.h"
#include "meshlint/rule.h"

/* ---- fake registry ---------------------------------------------------- */

static const ml_rule rule_a = {
    .id = "ML901", .name = "fake-subset", .level = ML_LEVEL_ERROR,
    .summary = "A route names a subset that no destination rule defines",
    .description = "Traffic sent to an undefined subset is dropped with 503.",
    .remediation = "Define the subset in the DestinationRule or fix the route",
    .tags = "traffic, canary", .istio_code = "IST0101", .precision = "very-high",
    .example_bad = "subset: v3", .example_good = "subset: v1",
};
static const ml_rule rule_b = {
    .id = "ML902", .name = "fake-mtls", .level = ML_LEVEL_WARNING,
    .summary = "Plain text between sidecars",
    .description = "Peer authentication allows plain text.",
    .remediation = "Set mtls.mode STRICT.",
    .tags = "security,mtls", .security_severity = 7.5, .precision = "high",
};
static const ml_rule rule_c = {
    .id = "ML903", .name = "fake-probe", .level = ML_LEVEL_NOTE,
    .summary = "A probe could be better",
    .description = "Probes should use the health endpoint.",
    .remediation = "Point the probe at /healthz.",
    .tags = "probes", .precision = "medium",
};
/* a rule the registry lacks: SARIF must still give it a descriptor */
static const ml_rule rule_x = {
    .id = "ML999", .name = "unregistered", .level = ML_LEVEL_WARNING,
    .summary = "Not in the registry", .description = "Only for the test.",
    .remediation = "None.", .tags = "", .precision = "low",
};

const ml_rule *const ml_rules[] = {&rule_a, &rule_b, &rule_c, NULL};
const size_t ml_rules_count = 3;

/* ---- helpers ---------------------------------------------------------- */

static char *esc_json(const char *s, size_t n)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_json_escape(&b, s, n);
    ml_buf_putc(&b, '\0');
    return b.s;
}

static char *esc_text(const char *s, size_t n)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_text_escape(&b, s, n);
    ml_buf_putc(&b, '\0');
    return b.s;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static bool valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + k > n)
            return false;
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k;
    }
    return true;
}

/* No raw C0 control other than newline, no DEL, no ESC anywhere. */
static bool terminal_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7F)
            return false;
    return true;
}

/* ---- fixture: files and findings -------------------------------------- */

typedef struct world {
    ml_file yaml, ts, odd, abs;
    ml_diag d[6];
    ml_related rel[2];
    ml_replacement repl[1];
    ml_fix fix;
    ml_vec diags;
    void *items[6];
} world;

static const char YAML[] =
    "apiVersion: networking.istio.io/v1\n"
    "kind: VirtualService\n"
    "spec:\n"
    "\tsubset: \xc3\xb1""ame-v3 # tab-indented, n-tilde\n"
    "  mode: PERMISSIVE\n";

static const char TS[] = "const server = createServer({ port: 5000 });\n";

static uint32_t off_of(const char *data, const char *needle)
{
    const char *p = strstr(data, needle);
    assert_non_null(p);
    return (uint32_t)(p - data);
}

static void world_init(world *w)
{
    memset(w, 0, sizeof *w);
    w->yaml = (ml_file){.path = "deploy/vs.yaml", .data = YAML, .len = sizeof YAML - 1, .report = true};
    w->ts = (ml_file){.path = "src/server.ts", .data = TS, .len = sizeof TS - 1, .report = true};
    w->odd = (ml_file){.path = "odd dir/a,b:c%.yaml", .data = YAML, .len = sizeof YAML - 1, .report = true};
    w->abs = (ml_file){.path = "/abs/k8s.yaml", .data = YAML, .len = sizeof YAML - 1, .report = true};

    /* 0: error on "ñame-v3" (after a tab and a two-byte character) */
    uint32_t s0 = off_of(YAML, "\xc3\xb1" "ame");
    w->d[0].rule = &rule_a;
    w->d[0].level = ML_LEVEL_ERROR;
    w->d[0].message = "subset \"\xc3\xb1" "ame-v3\" is not defined by any DestinationRule";
    w->d[0].loc = ml_loc_from_offsets(&w->yaml, s0, s0 + 8); /* 7 code points, 8 bytes */
    w->rel[0].loc = ml_loc_from_offsets(&w->yaml, 0, 10);
    w->rel[0].message = "the DestinationRule for this host";
    w->d[0].nrelated = 1;
    w->d[0].related = &w->rel[0];
    w->d[0].fingerprint = "0123456789abcdef";
    w->repl[0].region = ml_loc_from_offsets(&w->yaml, s0, s0 + 8);
    w->repl[0].text = "v1";
    w->fix = (ml_fix){.description = "route to subset v1", .n = 1, .repl = w->repl};
    w->d[0].fix = &w->fix;

    /* 1: warning with hostile text: newline, ESC, invalid UTF-8, percent */
    uint32_t s1 = off_of(YAML, "PERMISSIVE");
    w->d[1].rule = &rule_b;
    w->d[1].level = ML_LEVEL_WARNING;
    w->d[1].message = "mode PERMISSIVE\nallows \x1b[31mplain\x1b[0m text \xff 100%";
    w->d[1].loc = ml_loc_from_offsets(&w->odd, s1, s1 + 10);
    w->d[1].help = "set mode: STRICT";
    w->d[1].fingerprint = "fedcba9876543210";

    /* 2: note in TypeScript */
    uint32_t s2 = off_of(TS, "port");
    w->d[2].rule = &rule_c;
    w->d[2].level = ML_LEVEL_NOTE;
    w->d[2].message = "port 5000 is not the probe port";
    w->d[2].loc = ml_loc_from_offsets(&w->ts, s2, s2 + 10);
    w->d[2].fingerprint = "00000000000000aa";

    /* 3: suppressed by a comment */
    w->d[3].rule = &rule_a;
    w->d[3].level = ML_LEVEL_ERROR;
    w->d[3].message = "SUPPRESSED-FINDING";
    w->d[3].loc = ml_loc_from_offsets(&w->yaml, 0, 10);
    w->d[3].suppressed = "comment";
    w->d[3].suppress_reason = "canary is rolled out by hand";
    w->d[3].fingerprint = "00000000000000bb";

    /* 4: a rule outside the registry, absolute path, no fingerprint */
    w->d[4].rule = &rule_x;
    w->d[4].level = ML_LEVEL_WARNING;
    w->d[4].message = "from an unregistered rule";
    w->d[4].loc = ml_loc_from_offsets(&w->abs, 0, 10);

    /* 5: suppressed by a baseline */
    w->d[5].rule = &rule_b;
    w->d[5].level = ML_LEVEL_WARNING;
    w->d[5].message = "old finding";
    w->d[5].loc = ml_loc_from_offsets(&w->yaml, 0, 10);
    w->d[5].suppressed = "baseline";
    w->d[5].fingerprint = "00000000000000cc";

    for (int i = 0; i < 6; i++)
        w->items[i] = &w->d[i];
    w->diags = (ml_vec){.items = w->items, .n = 6, .cap = 6};
}

static void world_free(world *w)
{
    free(w->yaml.line_off);
    free(w->ts.line_off);
    free(w->odd.line_off);
    free(w->abs.line_off);
}

typedef void (*reporter)(ml_buf *, const ml_vec *, const ml_report_opts *);

static char *render(reporter fn, const ml_vec *v, bool color, bool quiet)
{
    /* SARIF: suppressed results kept (the tests check their suppressions) */
    ml_report_opts o = {.color = color, .quiet = quiet, .keep_suppressed = true, .tool_version = "0.1.0"};
    ml_buf b;
    ml_buf_init(&b);
    fn(&b, v, &o);
    ml_buf_putc(&b, '\0');
    return b.s;
}

/* ---- escaping --------------------------------------------------------- */

static void test_json_escape_basic(void **state)
{
    (void)state;
    char *s = esc_json("a\"b\\c\n\t\x01\x1b\x7f", 10);
    assert_string_equal(s, "a\\\"b\\\\c\\n\\t\\u0001\\u001b\\u007f");
    free(s);
    /* C1 control as UTF-8 (U+0085) is escaped; NUL inside the data too */
    s = esc_json("x\xc2\x85y\0z", 6);
    assert_string_equal(s, "x\\u0085y\\u0000z");
    free(s);
}

static void test_json_escape_invalid_utf8(void **state)
{
    (void)state;
    const char *R = "\xef\xbf\xbd"; /* U+FFFD */
    char want[64];
    /* stray continuation and bytes that never start a sequence */
    char *s = esc_json("a\x80" "b\xff", 4);
    snprintf(want, sizeof want, "a%sb%s", R, R);
    assert_string_equal(s, want);
    free(s);
    /* overlong '/' (C0 AF) and overlong 3-byte (E0 80 AF) */
    s = esc_json("\xc0\xaf", 2);
    snprintf(want, sizeof want, "%s%s", R, R);
    assert_string_equal(s, want);
    free(s);
    s = esc_json("\xe0\x80\xaf", 3);
    snprintf(want, sizeof want, "%s%s%s", R, R, R);
    assert_string_equal(s, want);
    free(s);
    /* UTF-8-encoded surrogate U+D800 */
    s = esc_json("\xed\xa0\x80", 3);
    snprintf(want, sizeof want, "%s%s%s", R, R, R);
    assert_string_equal(s, want);
    free(s);
    /* beyond U+10FFFF */
    s = esc_json("\xf4\x90\x80\x80", 4);
    snprintf(want, sizeof want, "%s%s%s%s", R, R, R, R);
    assert_string_equal(s, want);
    free(s);
    /* truncated 3-byte sequence: one replacement for the broken part */
    s = esc_json("\xe2\x82x", 3);
    snprintf(want, sizeof want, "%sx", R);
    assert_string_equal(s, want);
    free(s);
    s = esc_json("end\xe2", 4);
    snprintf(want, sizeof want, "end%s", R);
    assert_string_equal(s, want);
    free(s);
    /* valid 2-, 3- and 4-byte characters are kept as they are */
    s = esc_json("\xc3\xb1\xe2\x82\xac\xf0\x9f\x98\x80", 9);
    assert_string_equal(s, "\xc3\xb1\xe2\x82\xac\xf0\x9f\x98\x80");
    free(s);
}

static void test_json_escape_always_valid(void **state)
{
    (void)state;
    /* every byte value, and every pair, gives valid UTF-8 with no raw control */
    char in[512];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    for (int i = 0; i < 256; i++)
        in[256 + i] = (char)(255 - i);
    char *s = esc_json(in, sizeof in);
    assert_true(valid_utf8(s, strlen(s)));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        assert_true(*p >= 0x20 && *p != 0x7F);
    free(s);
}

static void test_text_escape(void **state)
{
    (void)state;
    char *s = esc_text("a\x1b[2Jb\tc\nd\x7f", 11);
    assert_string_equal(s, "a\\x1b[2Jb\tc\\x0ad\\x7f");
    free(s);
    s = esc_text("\xc2\x9b" "31m", 5); /* C1 CSI */
    assert_string_equal(s, "\\u{009b}31m");
    free(s);
    s = esc_text("x\xff\xc0\xafy", 5);
    assert_string_equal(s, "x\\xff\\xc0\\xafy");
    free(s);
    s = esc_text("abc\xe2\x80\xae" "def", 9); /* right-to-left override */
    assert_string_equal(s, "abc\\u{202e}def");
    free(s);
    s = esc_text("\xc3\xa9\xf0\x9f\x98\x80", 6);
    assert_string_equal(s, "\xc3\xa9\xf0\x9f\x98\x80");
    free(s);
    s = esc_text("a\0b", 3);
    assert_string_equal(s, "a\\x00b");
    free(s);
}

/* ---- gcc -------------------------------------------------------------- */

static void test_gcc_one_line_per_finding(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_gcc, &w.diags, false, false);
    /* six findings, two suppressed: four lines, newline in a message or not */
    assert_int_equal(count(s, "\n"), 4);
    assert_true(terminal_safe(s));
    assert_non_null(strstr(s, "deploy/vs.yaml:4:10: error: subset \"\xc3\xb1" "ame-v3\" is not defined by any "
                              "DestinationRule [ML901]\n"));
    assert_non_null(strstr(s, "odd dir/a,b:c%.yaml:5:9: warning: mode PERMISSIVE\\x0aallows \\x1b[31mplain"));
    assert_non_null(strstr(s, "src/server.ts:1:31: note: port 5000 is not the probe port [ML903]\n"));
    assert_null(strstr(s, "SUPPRESSED-FINDING"));
    free(s);
    world_free(&w);
}

/* ---- text ------------------------------------------------------------- */

static void test_text_caret_tab_multibyte(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_text, &w.diags, false, false);
    /* the tab expands to 8 cells, "subset: " is 8 more: caret at cell 16,
     * seven code points wide (ñ is one column, two bytes) */
    const char *want = "deploy/vs.yaml:4:10: error: subset \"\xc3\xb1" "ame-v3\" is not defined by any "
                       "DestinationRule [ML901 fake-subset]\n"
                       "    4 |         subset: \xc3\xb1" "ame-v3 # tab-indented, n-tilde\n"
                       "      |                 ^~~~~~~\n"
                       "  deploy/vs.yaml:1:1: note: the DestinationRule for this host\n"
                       "  help: Define the subset in the DestinationRule or fix the route\n"
                       "  fix: route to subset v1\n";
    assert_non_null(strstr(s, want));
    /* the finding's own help wins over the rule's remediation */
    assert_non_null(strstr(s, "  help: set mode: STRICT\n"));
    assert_true(terminal_safe(s));
    free(s);
    world_free(&w);
}

static void test_text_wide_and_escaped_columns(void **state)
{
    (void)state;
    /* a wide CJK character takes two cells, an escaped control four */
    static const char data[] = "a\xe4\xb8\xad\x01z = 1\n";
    ml_file f = {.path = "w.yaml", .data = data, .len = sizeof data - 1};
    ml_diag d = {.rule = &rule_c, .level = ML_LEVEL_NOTE, .message = "m"};
    d.loc = ml_loc_from_offsets(&f, off_of(data, "z"), off_of(data, "z") + 1);
    void *items[1] = {&d};
    ml_vec v = {.items = items, .n = 1, .cap = 1};
    char *s = render(ml_report_text, &v, false, false);
    assert_non_null(strstr(s, "    1 | a\xe4\xb8\xad\\x01z = 1\n"
                              "      |        ^\n"));
    free(s);
    free(f.line_off);
}

static void test_text_multiline_range_and_eol(void **state)
{
    (void)state;
    static const char data[] = "key: value\nnext: x\n";
    ml_file f = {.path = "m.yaml", .data = data, .len = sizeof data - 1};
    ml_diag d = {.rule = &rule_c, .level = ML_LEVEL_NOTE, .message = "m"};
    /* from "value" into the next line: caret runs to the end of line 1 */
    d.loc = ml_loc_from_offsets(&f, 5, 14);
    void *items[1] = {&d};
    ml_vec v = {.items = items, .n = 1, .cap = 1};
    char *s = render(ml_report_text, &v, false, false);
    assert_non_null(strstr(s, "    1 | key: value\n      |      ^~~~~\n"));
    free(s);
    /* an empty range still gets one caret */
    d.loc = ml_loc_from_offsets(&f, 5, 5);
    s = render(ml_report_text, &v, false, false);
    assert_non_null(strstr(s, "      |      ^\n"));
    free(s);
    free(f.line_off);
}

static void test_text_long_line_and_bad_positions(void **state)
{
    (void)state;
    /* a 100000-column line: a window around the caret is shown, not all */
    size_t n = 100000;
    char *data = malloc(n + 2);
    assert_non_null(data);
    memset(data, 'a', n);
    data[50000] = 'X';
    data[n] = '\n';
    data[n + 1] = '\0';
    ml_file f = {.path = "long.yaml", .data = data, .len = n + 1};
    ml_diag d = {.rule = &rule_c, .level = ML_LEVEL_NOTE, .message = "m"};
    d.loc = ml_loc_from_offsets(&f, 50000, 50001);
    void *items[1] = {&d};
    ml_vec v = {.items = items, .n = 1, .cap = 1};
    char *s = render(ml_report_text, &v, false, true);
    assert_null(strstr(s, "    1 | ")); /* quiet: no source */
    free(s);
    s = render(ml_report_text, &v, false, false);
    assert_true(strlen(s) < 1200);
    const char *src = strstr(s, "    1 | ...");
    const char *car = strstr(s, "      | ");
    assert_non_null(src);
    assert_non_null(car);
    const char *x = strchr(src, 'X');
    const char *caret = strchr(car, '^');
    assert_non_null(x);
    assert_non_null(caret);
    assert_int_equal(x - src, caret - car);
    free(s);

    /* positions past the end of the line or of the file do no harm */
    d.loc.col = 200000;
    d.loc.end_col = 200005;
    s = render(ml_report_text, &v, false, false);
    assert_non_null(strstr(s, "long.yaml:1:200000: note: m"));
    /* the end of the line is shown, the caret just past it */
    src = strstr(s, "    1 | ...");
    assert_non_null(src);
    assert_non_null(strstr(src, "aaaa\n      | "));
    car = strstr(src, "\n      | ") + 1;
    assert_int_equal(strchr(car, '^') - car, strchr(src, '\n') - src);
    free(s);
    d.loc.line = 99;
    d.loc.end_line = 99;
    s = render(ml_report_text, &v, false, false);
    assert_null(strstr(s, "   99 | "));
    free(s);
    free(f.line_off);
    free(data);
}

static void test_text_suppressed_and_summary(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_text, &w.diags, false, false);
    assert_null(strstr(s, "SUPPRESSED-FINDING"));
    assert_null(strstr(s, "old finding"));
    assert_non_null(strstr(s, "\n1 error, 2 warnings, 1 note (2 suppressed)\n"));
    free(s);

    /* quiet: no source lines, no summary */
    s = render(ml_report_text, &w.diags, false, true);
    assert_null(strstr(s, "    4 | "));
    assert_null(strstr(s, "suppressed"));
    assert_non_null(strstr(s, "[ML901 fake-subset]\n"));
    free(s);

    ml_vec empty = {0};
    s = render(ml_report_text, &empty, false, false);
    assert_string_equal(s, "no findings\n");
    free(s);
    world_free(&w);
}

static void test_text_color(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *plain = render(ml_report_text, &w.diags, false, false);
    assert_null(strchr(plain, '\x1b'));
    char *col = render(ml_report_text, &w.diags, true, false);
    assert_non_null(strstr(col, "\x1b[1;31merror:\x1b[0m"));
    assert_non_null(strstr(col, "\x1b[1;35mwarning:\x1b[0m"));
    assert_non_null(strstr(col, "\x1b[1;32m^~~~~~~\x1b[0m"));
    /* the ESC from the message is still escaped under colour */
    assert_non_null(strstr(col, "\\x1b[31mplain"));
    free(plain);
    free(col);
    world_free(&w);
}

/* ---- json ------------------------------------------------------------- */

static void test_json_structure(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_json, &w.diags, false, false);
    assert_true(valid_utf8(s, strlen(s)));
    assert_true(strncmp(s, "{\n  \"version\": 1,\n  \"tool\": {\n    \"name\": \"meshlint\",\n"
                           "    \"version\": \"0.1.0\"\n  },\n  \"findings\": [\n    {\n"
                           "      \"ruleId\": \"ML901\",\n      \"ruleName\": \"fake-subset\",\n"
                           "      \"level\": \"error\",\n",
                        180) == 0);
    assert_non_null(strstr(s, "      \"location\": {\n        \"path\": \"deploy/vs.yaml\",\n"
                              "        \"line\": 4,\n        \"column\": 10,\n        \"endLine\": 4,\n"
                              "        \"endColumn\": 17\n      },\n"));
    assert_non_null(strstr(s, "\"related\": [\n        {\n          \"message\": \"the DestinationRule"));
    assert_non_null(strstr(s, "\"byteOffset\": "));
    assert_non_null(strstr(s, "\"byteLength\": 8"));
    assert_non_null(strstr(s, "\"text\": \"v1\""));
    assert_non_null(strstr(s, "\"suppressed\": {\n        \"kind\": \"comment\",\n"
                              "        \"justification\": \"canary is rolled out by hand\"\n      }"));
    assert_non_null(strstr(s, "\"fix\": null"));
    assert_non_null(strstr(s, "\"suppressed\": null"));
    assert_non_null(strstr(s, "\"fingerprint\": \"0123456789abcdef\""));
    assert_non_null(strstr(s, "\"fingerprint\": null"));
    assert_non_null(strstr(s, "\\n" "allows \\u001b[31mplain"));
    assert_non_null(strstr(s, "  \"summary\": {\n    \"error\": 1,\n    \"warning\": 2,\n    \"note\": 1,\n"
                              "    \"suppressed\": 2\n  }\n}\n"));
    /* every finding has every key */
    assert_int_equal(count(s, "\"ruleId\""), 6);
    assert_int_equal(count(s, "\"help\""), 6);
    assert_int_equal(count(s, "\"fix\""), 6);
    assert_int_equal(count(s, "\"suppressed\": "), 7); /* 6 + summary */
    free(s);

    ml_vec empty = {0};
    s = render(ml_report_json, &empty, false, false);
    assert_non_null(strstr(s, "  \"findings\": [],\n"));
    free(s);
    world_free(&w);
}

/* ---- github ----------------------------------------------------------- */

static void test_github(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_github, &w.diags, false, false);
    assert_int_equal(count(s, "\n"), 4);
    assert_non_null(strstr(s, "::error file=deploy/vs.yaml,line=4,col=10,endLine=4,endColumn=17,"
                              "title=ML901 fake-subset::subset"));
    /* properties escape ',' ':' '%'; data escapes '%' and line breaks */
    assert_non_null(strstr(s, "::warning file=odd dir/a%2Cb%3Ac%25.yaml,line=5,col=9,"));
    /* the finding's own help follows its message on a line of its own */
    assert_non_null(strstr(s, "::mode PERMISSIVE%0Aallows \\x1b[31mplain\\x1b[0m text \\xff 100%25"
                              "%0Ahelp: set mode: STRICT\n"));
    assert_non_null(strstr(s, "::notice file=src/server.ts,"));
    assert_null(strstr(s, "SUPPRESSED-FINDING"));
    assert_true(terminal_safe(s));
    free(s);
    world_free(&w);
}

/* ---- codeclimate ------------------------------------------------------ */

static void test_codeclimate(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_codeclimate, &w.diags, false, false);
    assert_true(s[0] == '[');
    assert_int_equal(count(s, "\"check_name\""), 4);
    assert_non_null(strstr(s, "\"check_name\": \"ML901 fake-subset\""));
    assert_non_null(strstr(s, "\"fingerprint\": \"0123456789abcdef\""));
    assert_non_null(strstr(s, "\"severity\": \"major\""));
    assert_non_null(strstr(s, "\"severity\": \"minor\""));
    assert_non_null(strstr(s, "\"severity\": \"info\""));
    assert_non_null(strstr(s, "\"categories\": [\n      \"Security\"\n    ]"));
    assert_non_null(strstr(s, "\"location\": {\n      \"path\": \"deploy/vs.yaml\",\n      \"lines\": {\n"
                              "        \"begin\": 4,\n        \"end\": 4\n      }\n    }"));
    /* no engine fingerprint: a 16-hex-digit hash stands in */
    const char *fp = strstr(strstr(s, "unregistered"), "\"fingerprint\": \"");
    assert_non_null(fp);
    fp += strlen("\"fingerprint\": \"");
    for (int i = 0; i < 16; i++)
        assert_non_null(strchr("0123456789abcdef", fp[i]));
    assert_int_equal(fp[16], '"');
    assert_null(strstr(s, "SUPPRESSED-FINDING"));
    free(s);
    ml_vec empty = {0};
    s = render(ml_report_codeclimate, &empty, false, false);
    assert_string_equal(s, "[]\n");
    free(s);
    world_free(&w);
}

/* ---- sarif ------------------------------------------------------------ */

static void write_sample(const char *s)
{
    const char *path = getenv("ML_SARIF_SAMPLE");
    if (!path)
        path = "build/test-sample.sarif";
    FILE *f = fopen(path, "w");
    if (!f)
        return; /* no build/ here: the sample is a by-product, not the test */
    fputs(s, f);
    fclose(f);
}

static void test_sarif(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    char *s = render(ml_report_sarif, &w.diags, false, false);
    assert_true(valid_utf8(s, strlen(s)));
    assert_non_null(strstr(s, "\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\""));
    assert_non_null(strstr(s, "\"version\": \"2.1.0\""));
    assert_non_null(strstr(s, "\"semanticVersion\": \"0.1.0\""));
    assert_non_null(strstr(s, "\"columnKind\": \"unicodeCodePoints\""));

    /* every registry rule is described, in order, then the stray one */
    const char *ra = strstr(s, "\"id\": \"ML901\"");
    const char *rb = strstr(s, "\"id\": \"ML902\"");
    const char *rc = strstr(s, "\"id\": \"ML903\"");
    const char *rx = strstr(s, "\"id\": \"ML999\"");
    assert_true(ra && rb && rc && rx && ra < rb && rb < rc && rc < rx);
    const char *results = strstr(s, "\"results\": [");
    assert_non_null(results);
    assert_true(rx < results);

    /* ruleIndex agrees with the position in the rules array */
    assert_non_null(strstr(results, "\"ruleId\": \"ML901\",\n          \"ruleIndex\": 0,"));
    assert_non_null(strstr(results, "\"ruleId\": \"ML902\",\n          \"ruleIndex\": 1,"));
    assert_non_null(strstr(results, "\"ruleId\": \"ML903\",\n          \"ruleIndex\": 2,"));
    assert_non_null(strstr(results, "\"ruleId\": \"ML999\",\n          \"ruleIndex\": 3,"));

    /* security-severity is a string, on the security rule only */
    assert_int_equal(count(s, "\"security-severity\""), 1);
    assert_non_null(strstr(rb, "\"security-severity\": \"7.5\""));
    assert_true(strstr(rb, "\"security-severity\"") < rc);
    assert_non_null(strstr(ra, "\"tags\": [\n                  \"traffic\",\n                  \"canary\"\n"));
    assert_non_null(strstr(ra, "\"problem.severity\": \"error\""));
    assert_non_null(strstr(ra, "\"precision\": \"very-high\""));

    /* locations: relative, percent-encoded, against %SRCROOT%; absolute
     * paths as file:// URIs without a base */
    assert_non_null(strstr(results, "\"uri\": \"deploy/vs.yaml\",\n                  \"uriBaseId\": \"%SRCROOT%\""));
    assert_non_null(strstr(results, "\"uri\": \"odd%20dir/a%2Cb%3Ac%25.yaml\""));
    assert_non_null(strstr(results, "\"uri\": \"file:///abs/k8s.yaml\"\n"));
    assert_non_null(strstr(results, "\"startLine\": 4,\n                  \"startColumn\": 10,\n"
                                    "                  \"endLine\": 4,\n                  \"endColumn\": 17\n"));
    assert_null(strstr(s, "\"uri\": \"/"));

    assert_non_null(strstr(results, "\"partialFingerprints\": {\n            \"meshlint/v1\": \"0123456789abcdef\""));
    assert_non_null(strstr(results, "\"kind\": \"inSource\",\n              \"justification\": \"canary"));
    assert_non_null(strstr(results, "\"kind\": \"external\"\n"));
    assert_non_null(strstr(results, "\"relatedLocations\": ["));
    assert_non_null(strstr(results, "\"insertedContent\": {\n                        \"text\": \"v1\""));
    assert_non_null(strstr(results, "\"text\": \"mode PERMISSIVE\\nallows \\u001b[31mplain\\u001b[0m text "
                                    "\xef\xbf\xbd 100%. Help: set mode: STRICT.\""));
    /* the suppressed findings are results too */
    assert_int_equal(count(results, "\"ruleId\""), 6);
    free(s);

    /* deterministic */
    char *again = render(ml_report_sarif, &w.diags, false, false);
    char *first = render(ml_report_sarif, &w.diags, false, false);
    assert_string_equal(again, first);
    free(again);
    free(first);
    world_free(&w);
}

/* Findings without a file or without a line: every format copes, and SARIF
 * still gives each result a location with a region (GitHub requires one). */
static void test_no_file_no_line(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    ml_diag nofile = {.rule = &rule_b, .level = ML_LEVEL_WARNING, .message = "cluster-wide problem",
                      .fingerprint = "00000000000000dd"};
    ml_diag wholefile = {.rule = &rule_c, .level = ML_LEVEL_NOTE, .message = "about the whole file",
                         .fingerprint = "00000000000000ee"};
    wholefile.loc.file = &w.ts;
    void *items[8];
    memcpy(items, w.items, sizeof w.items);
    items[6] = &nofile;
    items[7] = &wholefile;
    ml_vec v = {.items = items, .n = 8, .cap = 8};

    char *s = render(ml_report_gcc, &v, false, false);
    assert_non_null(strstr(s, "\nmeshlint: warning: cluster-wide problem [ML902]\n"));
    assert_non_null(strstr(s, "\nsrc/server.ts: note: about the whole file [ML903]\n"));
    free(s);
    s = render(ml_report_text, &v, false, false);
    assert_non_null(strstr(s, "\nmeshlint: warning: cluster-wide problem [ML902 fake-mtls]\n  help:"));
    free(s);
    s = render(ml_report_github, &v, false, false);
    assert_non_null(strstr(s, "\n::warning title=ML902 fake-mtls::cluster-wide problem\n"));
    assert_non_null(strstr(s, "\n::notice file=src/server.ts,title=ML903 fake-probe::about the whole file\n"));
    free(s);
    s = render(ml_report_json, &v, false, false);
    assert_non_null(strstr(s, "\"message\": \"cluster-wide problem\",\n      \"location\": null,"));
    free(s);

    s = render(ml_report_sarif, &v, false, false);
    assert_int_equal(count(s, "\"locations\": ["), 8);
    assert_non_null(strstr(s, "\"uri\": \".\",\n                  \"uriBaseId\": \"%SRCROOT%\"\n"
                              "                },\n                \"region\": {\n"
                              "                  \"startLine\": 1\n"));
    char want[160];
    snprintf(want, sizeof want, "\"byteOffset\": 0,\n                  \"byteLength\": %zu\n", sizeof TS - 1);
    assert_non_null(strstr(s, want));
    write_sample(s);
    free(s);
    world_free(&w);
}

static void test_json_writer_empty_and_nested(void **state)
{
    (void)state;
    ml_buf b;
    ml_buf_init(&b);
    ml_jw w;
    ml_jw_init(&w, &b);
    ml_jw_object(&w);
    ml_jw_key(&w, "a");
    ml_jw_array(&w);
    ml_jw_end_array(&w);
    ml_jw_key(&w, "o");
    ml_jw_object(&w);
    ml_jw_end_object(&w);
    ml_jw_key(&w, "l");
    ml_jw_array(&w);
    ml_jw_int(&w, -3);
    ml_jw_bool(&w, true);
    ml_jw_null(&w);
    ml_jw_string(&w, NULL);
    ml_jw_end_array(&w);
    ml_jw_end_object(&w);
    ml_buf_putc(&b, '\0');
    assert_string_equal(b.s, "{\n  \"a\": [],\n  \"o\": {},\n  \"l\": [\n    -3,\n    true,\n    null,\n"
                             "    null\n  ]\n}");
    ml_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escape_basic),
        cmocka_unit_test(test_json_escape_invalid_utf8),
        cmocka_unit_test(test_json_escape_always_valid),
        cmocka_unit_test(test_text_escape),
        cmocka_unit_test(test_gcc_one_line_per_finding),
        cmocka_unit_test(test_text_caret_tab_multibyte),
        cmocka_unit_test(test_text_wide_and_escaped_columns),
        cmocka_unit_test(test_text_multiline_range_and_eol),
        cmocka_unit_test(test_text_long_line_and_bad_positions),
        cmocka_unit_test(test_text_suppressed_and_summary),
        cmocka_unit_test(test_text_color),
        cmocka_unit_test(test_json_structure),
        cmocka_unit_test(test_github),
        cmocka_unit_test(test_codeclimate),
        cmocka_unit_test(test_sarif),
        cmocka_unit_test(test_no_file_no_line),
        cmocka_unit_test(test_json_writer_empty_and_nested),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
