/*
 * fuzz_util.c - scratch files, bundles and output checks for the harnesses.
 *
 * The output checks are deliberately independent re-implementations (a
 * UTF-8 decoder, a JSON recogniser) rather than calls into meshlint's own
 * escaping code: they are the oracle the escaping code is tested against.
 */
#include "fuzz_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshlint/dump.h"
#include "meshlint/engine.h"
#include "meshlint/report.h"

void fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "fuzz property violated at %s:%d: %s\n", file, line, what);
    __builtin_trap();
}

/* ---- scratch directory ---------------------------------------------------- */

static char scratch_dir[4096];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

void fz_clear_dir(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_scratch(void)
{
    if (scratch_dir[0]) {
        fz_clear_dir(scratch_dir);
        rmdir(scratch_dir);
    }
}

const char *fz_scratch(void)
{
    if (scratch_dir[0])
        return scratch_dir;
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                           ? "/dev/shm"
                           : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(scratch_dir, sizeof scratch_dir, "%s/meshlint-fuzz.XXXXXX", base);
    if (!mkdtemp(scratch_dir)) {
        perror("mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    return scratch_dir;
}

static void make_parents(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
}

bool fz_write_file(const char *path, const void *data, size_t n)
{
    make_parents(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return close(fd) == 0;
}

/* ---- bundles ---------------------------------------------------------------- */

/* Header "==> NAME <==" at data[i..]; returns the offset after its line end,
 * or 0 when there is none. */
static size_t header_at(const uint8_t *data, size_t size, size_t i, const uint8_t **name, size_t *nlen)
{
    if (size - i < 8 || memcmp(data + i, "==> ", 4) != 0)
        return 0;
    const uint8_t *nl = memchr(data + i, '\n', size - i);
    size_t end = nl ? (size_t)(nl - data) : size;
    if (end - i < 8 || memcmp(data + end - 4, " <==", 4) != 0)
        return 0;
    *name = data + i + 4;
    *nlen = end - i - 8;
    return nl ? end + 1 : size;
}

static void sanitise(char *out, size_t cap, const uint8_t *s, size_t n, size_t index)
{
    size_t o = 0, levels = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        uint8_t c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-' || c == '/';
        if (!ok)
            continue;
        if (c == '/') {
            if (o == 0 || out[o - 1] == '/' || ++levels > 3)
                continue;
        }
        if (c == '.' && o > 0 && out[o - 1] == '.')
            continue; /* no ".." */
        out[o++] = (char)c;
    }
    while (o && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    if (o == 0 || out[0] == '.' || strstr(out, "/.") != NULL) {
        /* hidden names are allowed only for the configuration file */
        if (strcmp(out, ".meshlint.yaml") != 0 && strcmp(out, ".baseline") != 0)
            snprintf(out, cap, "part%zu.yaml", index);
    }
}

size_t fz_split_bundle(const uint8_t *data, size_t size, const char *default_name, fz_part *parts)
{
    const uint8_t *name;
    size_t nlen;
    size_t body = header_at(data, size, 0, &name, &nlen);
    if (!body) {
        snprintf(parts[0].name, sizeof parts[0].name, "%s", default_name);
        parts[0].data = data;
        parts[0].len = size;
        return 1;
    }
    size_t np = 0;
    while (body && np < FZ_MAX_PARTS) {
        fz_part *p = &parts[np];
        sanitise(p->name, sizeof p->name, name, nlen, np);
        /* the part runs to the next header at a line start */
        size_t i = body, next = 0;
        const uint8_t *nname = NULL;
        size_t nnlen = 0;
        while (i < size) {
            next = header_at(data, size, i, &nname, &nnlen);
            if (next)
                break;
            const uint8_t *nl = memchr(data + i, '\n', size - i);
            i = nl ? (size_t)(nl - data) + 1 : size;
        }
        p->data = data + body;
        p->len = i - body;
        /* a name used twice: the later part replaces the earlier */
        size_t j;
        for (j = 0; j < np && strcmp(parts[j].name, p->name) != 0; j++)
            ;
        if (j < np) {
            parts[j].data = p->data;
            parts[j].len = p->len;
        } else {
            np++;
        }
        body = next;
        name = nname;
        nlen = nnlen;
    }
    return np;
}

/* ---- output checks ------------------------------------------------------------- */

/* Decode one UTF-8 sequence at s[i..n): returns its length (0 when invalid)
 * and the code point in *cp. Overlongs, surrogates and > U+10FFFF are invalid. */
static size_t utf8_next(const unsigned char *s, size_t i, size_t n, uint32_t *cp)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n - i < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i + k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool fz_valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(u, i, n, &cp);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

bool fz_terminal_safe(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(u, i, n, &cp);
        if (!k)
            return false;
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029)
            return false;
        i += k;
    }
    return true;
}

/* A small recursive JSON recogniser; nesting is bounded. */
typedef struct jp {
    const unsigned char *s;
    size_t n, i;
} jp;

static void jws(jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static bool jlit(jp *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
        return false;
    p->i += l;
    return true;
}

static bool jhex4(jp *p)
{
    for (int k = 0; k < 4; k++, p->i++) {
        if (p->i >= p->n)
            return false;
        unsigned char c = p->s[p->i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

static bool jstring(jp *p)
{
    if (p->i >= p->n || p->s[p->i] != '"')
        return false;
    p->i++;
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c == '"') {
            p->i++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c == '\\') {
            p->i++;
            if (p->i >= p->n)
                return false;
            c = p->s[p->i++];
            if (c == 'u') {
                if (!jhex4(p))
                    return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
                return false;
            }
            continue;
        }
        uint32_t cp;
        size_t k = utf8_next(p->s, p->i, p->n, &cp);
        if (!k)
            return false;
        p->i += k;
    }
    return false;
}

static bool jnumber(jp *p)
{
    size_t st = p->i;
    if (p->i < p->n && p->s[p->i] == '-')
        p->i++;
    if (p->i >= p->n)
        return false;
    if (p->s[p->i] == '0') {
        p->i++;
    } else if (p->s[p->i] >= '1' && p->s[p->i] <= '9') {
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
    } else {
        return false;
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d)
            return false;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d)
            return false;
    }
    return p->i > st;
}

static bool jvalue(jp *p, int depth)
{
    if (depth > 64)
        return false;
    jws(p);
    if (p->i >= p->n)
        return false;
    unsigned char c = p->s[p->i];
    if (c == '{' || c == '[') {
        unsigned char close = c == '{' ? '}' : ']';
        p->i++;
        jws(p);
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return true;
        }
        for (;;) {
            if (c == '{') {
                jws(p);
                if (!jstring(p))
                    return false;
                jws(p);
                if (p->i >= p->n || p->s[p->i] != ':')
                    return false;
                p->i++;
            }
            if (!jvalue(p, depth + 1))
                return false;
            jws(p);
            if (p->i >= p->n)
                return false;
            if (p->s[p->i] == ',') {
                p->i++;
                continue;
            }
            if (p->s[p->i] == close) {
                p->i++;
                return true;
            }
            return false;
        }
    }
    if (c == '"')
        return jstring(p);
    if (c == 't')
        return jlit(p, "true");
    if (c == 'f')
        return jlit(p, "false");
    if (c == 'n')
        return jlit(p, "null");
    return jnumber(p);
}

bool fz_valid_json(const char *s, size_t n)
{
    jp p = {(const unsigned char *)s, n, 0};
    if (!jvalue(&p, 0))
        return false;
    jws(&p);
    return p.i == n;
}

/* ---- one whole run ------------------------------------------------------------ */

static void check_terminal(const ml_buf *b, const char *what)
{
    if (!fz_terminal_safe(b->s ? b->s : "", b->n)) {
        fprintf(stderr, "%s output:\n%.*s\n", what, (int)(b->n < 4000 ? b->n : 4000), b->s);
        fz_fail(__FILE__, __LINE__, what);
    }
}

/* A message the command line prints to standard error, as main.c prints
 * it: through ml_text_escape. */
static void check_message(const ml_buf *msg, const char *what)
{
    ml_buf safe;
    ml_buf_init(&safe);
    ml_text_escape(&safe, msg->s ? msg->s : "", msg->n);
    FZ_ASSERT(memchr(safe.s ? safe.s : "", '\n', safe.n) == NULL, "escaped message spans lines");
    check_terminal(&safe, what);
    ml_buf_free(&safe);
}

static void check_json(const ml_buf *b, const char *what)
{
    if (!fz_valid_json(b->s ? b->s : "", b->n)) {
        fprintf(stderr, "%s output:\n%.*s\n", what, (int)(b->n < 4000 ? b->n : 4000), b->s);
        fz_fail(__FILE__, __LINE__, what);
    }
}

long fz_lint(const char *dir, const char *config, const char *baseline, int formats, ml_buf *all)
{
    ml_run run;
    ml_run_init(&run);
    run.cfg.markdown = true;
    run.cfg.fail_on = ML_LEVEL_NOTE;
    if (config) {
        ml_buf err;
        ml_buf_init(&err);
        bool ok = ml_config_load(&run.cfg, config, &err);
        if (!ok) {
            FZ_ASSERT(err.n > 0, "configuration refused without a message");
            check_message(&err, "configuration error message");
        }
        ml_buf_free(&err);
        if (!ok) {
            ml_run_free(&run);
            return -1;
        }
    }
    const char *paths[] = {dir};
    ml_vec report_paths = {0};
    ml_collect(&run, paths, 1, &report_paths);
    ml_run_load(&run, &report_paths, NULL, NULL);
    ml_buf b;
    ml_buf_init(&b);
    ML_VEC_EACH(const char *, e, &run.io_errors) {
        ml_buf_reset(&b);
        ml_buf_puts(&b, e);
        check_message(&b, "I/O error message");
    }
    ml_buf_reset(&b);

    ml_dump_model(&b, &run.model);
    check_json(&b, "--dump-model");
    if (all)
        ml_buf_add(all, b.s, b.n);
    ml_buf_reset(&b);

    ml_run_rules(&run);
    if (baseline) {
        ml_buf err;
        ml_buf_init(&err);
        if (!ml_baseline_apply(&run, baseline, &err))
            check_message(&err, "baseline error message");
        ml_buf_free(&err);
    }
    long n = (long)run.diags.n;
    ML_VEC_EACH(ml_diag *, d, &run.diags) {
        FZ_ASSERT(d->rule && d->message && d->fingerprint, "finding without rule, message or fingerprint");
        FZ_ASSERT(d->level >= ML_LEVEL_NONE && d->level <= ML_LEVEL_ERROR, "finding with a bad level");
    }

    static const struct {
        void (*fn)(ml_buf *, const ml_vec *, const ml_report_opts *);
        const char *name;
        bool json;
        bool color;
        int set;
    } fmts[] = {
        {ml_report_text, "text", false, false, FZ_BASIC},
        {ml_report_text, "text (colour)", false, true, FZ_MOST},
        {ml_report_gcc, "gcc", false, false, FZ_MOST},
        {ml_report_json, "json", true, false, FZ_BASIC},
        {ml_report_sarif, "sarif", true, false, FZ_ALL},
        {ml_report_github, "github", false, false, FZ_MOST},
        {ml_report_codeclimate, "codeclimate", true, false, FZ_MOST},
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        if (fmts[i].set > formats)
            continue;
        ml_report_opts o = {.color = fmts[i].color, .quiet = false, .tool_version = "fuzz"};
        ml_buf_reset(&b);
        fmts[i].fn(&b, &run.diags, &o);
        if (fmts[i].json)
            check_json(&b, fmts[i].name);
        else if (!fmts[i].color)
            check_terminal(&b, fmts[i].name);
        else
            FZ_ASSERT(fz_valid_utf8(b.s ? b.s : "", b.n), "coloured text is not valid UTF-8");
        if (all && fmts[i].set == FZ_BASIC)
            ml_buf_add(all, b.s, b.n);
    }
    ml_buf_free(&b);
    ml_run_free(&run);
    return n;
}
