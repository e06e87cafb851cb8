/*
 * lsp.c - `meshlint --lsp`: a Language Server Protocol server.
 *
 * The client sends JSON-RPC messages framed by a Content-Length header on
 * standard input; answers and notifications go to standard output the same
 * way. What the server does:
 *
 *   initialize      the workspace root (rootUri, rootPath or the first of
 *                   workspaceFolders; else the working directory) becomes
 *                   the working directory, so paths are the ones the command
 *                   line shows and .meshlint.yaml is found as it finds it.
 *   didOpen/didChange/didSave/didClose
 *                   an open buffer replaces its file on disk (a buffer of a
 *                   file not yet saved is linted too); full-text sync (a
 *                   ranged change is applied as well).
 *   publishDiagnostics
 *                   after changes, once the input pauses, the whole workspace
 *                   is linted and the findings in open documents are sent
 *                   (the rest of the workspace is context): severity, code
 *                   (the rule id), source "meshlint", related information,
 *                   the help line in the message; positions in UTF-16 code
 *                   units, as the protocol requires.
 *   codeAction      the fixes meshlint computes (SARIF's fixes), as quick
 *                   fixes with a WorkspaceEdit.
 *   shutdown/exit   exit status 0 after shutdown, 1 without.
 *
 * The workspace is read from disk once: every file's contents stay cached
 * with its device, inode, size and modification time, and a re-lint stats
 * each file and reads only those that changed (or open buffers, which are in
 * memory). The directory walk (readdir) is repeated, so new and deleted
 * files are seen. Malformed input (a bad header, invalid JSON, a message of
 * the wrong shape) is answered with a JSON-RPC error or logged, never a
 * crash; a message larger than ML_LSP_MAX_BODY is discarded unread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "meshlint/engine.h"
#include "meshlint/lsp.h"
#include "meshlint/report.h"
#include "meshlint/version.h"

/* ---- framing --------------------------------------------------------------- */

void ml_lsp_reader_init(ml_lsp_reader *r)
{
    memset(r, 0, sizeof *r);
}

void ml_lsp_reader_free(ml_lsp_reader *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

void ml_lsp_feed(ml_lsp_reader *r, const char *data, size_t n)
{
    if (r->skip) {
        size_t k = n < r->skip ? n : r->skip;
        r->skip -= k;
        data += k;
        n -= k;
    }
    if (!n)
        return;
    if (r->start) {
        memmove(r->buf, r->buf + r->start, r->n - r->start);
        r->n -= r->start;
        r->start = 0;
    }
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 65536;
        while (cap < r->n + n)
            cap *= 2;
        char *nb = realloc(r->buf, cap);
        if (!nb)
            return; /* dropped: the framing error that follows is reported */
        r->buf = nb;
        r->cap = cap;
    }
    memcpy(r->buf + r->n, data, n);
    r->n += n;
}

static bool header_is(const char *line, size_t n, const char *name, const char **value, size_t *vlen)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return false;
    const char *v = line + k + 1;
    const char *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    *value = v;
    *vlen = (size_t)(e - v);
    return true;
}

int ml_lsp_next(ml_lsp_reader *r, const char **body, size_t *len, const char **err)
{
    size_t avail = r->n - r->start;
    if (r->skip || avail == 0 || !r->buf)
        return 0; /* nothing buffered (no buffer at all before the first feed) */
    const char *p = r->buf + r->start;
    /* the header ends at the first empty line ("\r\n\r\n", or "\n\n" from
     * clients that send bare newlines) */
    size_t hend = 0, bstart = 0;
    size_t lim = avail < ML_LSP_MAX_HEADER ? avail : ML_LSP_MAX_HEADER;
    for (size_t i = 0; i < lim; i++) {
        if (p[i] != '\n')
            continue;
        size_t j = i + 1;
        if (j < avail && p[j] == '\r')
            j++;
        if (j < avail && p[j] == '\n') {
            hend = i;
            bstart = j + 1;
            break;
        }
    }
    if (!bstart) {
        if (avail >= ML_LSP_MAX_HEADER) {
            r->start = r->n; /* no header ends: drop it all */
            *err = "a header longer than 8 KiB; input dropped";
            return -1;
        }
        return 0;
    }
    bool have = false, bad = false;
    size_t clen = 0;
    for (size_t ls = 0; ls < hend;) {
        const char *nl = memchr(p + ls, '\n', hend - ls);
        size_t le = nl ? (size_t)(nl - p) : hend;
        const char *v;
        size_t vl;
        if (header_is(p + ls, le - ls, "Content-Length", &v, &vl)) {
            size_t x = 0;
            bool ok = vl > 0 && vl <= 20;
            for (size_t i = 0; ok && i < vl; i++) {
                if (v[i] < '0' || v[i] > '9' || x > (SIZE_MAX - 9) / 10)
                    ok = false;
                else
                    x = x * 10 + (size_t)(v[i] - '0');
            }
            if (!ok || (have && x != clen))
                bad = true;
            have = true;
            clen = x;
        }
        ls = le + 1;
    }
    if (!have || bad) {
        r->start += bstart;
        *err = have ? "an invalid Content-Length header; message dropped" : "a header without Content-Length; dropped";
        return -1;
    }
    if (clen > ML_LSP_MAX_BODY) {
        size_t here = avail - bstart;
        size_t k = here < clen ? here : clen;
        r->start += bstart + k;
        r->skip = clen - k;
        *err = "a message larger than 64 MiB; discarded";
        return -1;
    }
    if (avail - bstart < clen)
        return 0;
    *body = p + bstart;
    *len = clen;
    r->start += bstart + clen;
    return 1;
}

/* ---- state -------------------------------------------------------------- */

typedef struct doc {
    char *uri;     /* as the client spelled it */
    char *path;    /* relative to the root when inside it */
    char *text;    /* NUL-terminated */
    size_t len;
    bool published; /* diagnostics sent (an empty list is due on close) */
} doc;

typedef struct cached {
    char *data; /* malloc'd, NUL-terminated; NULL: not read */
    size_t len;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    unsigned gen; /* the lint that last saw it */
} cached;

typedef struct server {
    int out_fd;
    FILE *log;
    bool verbose;
    unsigned jobs;
    char *root;
    bool initialized, shutdown, exit;
    doc **docs;
    size_t ndocs;
    ml_arena keep;  /* cache keys and entries: one per workspace path */
    ml_map cache;   /* path -> cached* */
    ml_vec cached_v; /* cached*, to free */
    unsigned gen;
    ml_run *run;    /* the last lint; NULL once anything it read changed */
    bool dirty;
    ml_file_source src;
    bool write_failed;
    /* statistics of the last lint (MESHLINT_LSP_VERBOSE) */
    size_t nfiles, nread;
} server;

static void logf_(server *s, const char *fmt, ...) ML_PRINTF(2, 3);
static void logf_(server *s, const char *fmt, ...)
{
    if (!s->log)
        return;
    ml_buf raw, safe;
    ml_buf_init(&raw);
    ml_buf_init(&safe);
    va_list ap;
    va_start(ap, fmt);
    ml_buf_vprintf(&raw, fmt, ap);
    va_end(ap);
    ml_text_escape(&safe, raw.s ? raw.s : "", raw.n);
    fprintf(s->log, "meshlint --lsp: %.*s\n", (int)safe.n, safe.s ? safe.s : "");
    fflush(s->log);
    ml_buf_free(&raw);
    ml_buf_free(&safe);
}

static void drop_run(server *s)
{
    if (s->run) {
        ml_run_free(s->run);
        free(s->run);
        s->run = NULL;
    }
}

/* ---- output ---------------------------------------------------------------- */

static void send_body(server *s, const ml_buf *b)
{
    if (s->write_failed)
        return;
    char head[64];
    int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", b->n);
    const char *parts[2] = {head, b->s};
    size_t lens[2] = {(size_t)hn, b->n};
    for (int k = 0; k < 2; k++) {
        size_t off = 0;
        while (off < lens[k]) {
            ssize_t w = write(s->out_fd, parts[k] + off, lens[k] - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                s->write_failed = true;
                logf_(s, "cannot write to the client: %s", strerror(errno));
                return;
            }
            off += (size_t)w;
        }
    }
}

static void put_id(ml_jw *w, const ml_json *id)
{
    long long k;
    ml_jw_key(w, "id");
    if (id && id->type == ML_JSON_STRING)
        ml_jw_string_n(w, id->s, id->len);
    else if (ml_json_int(id, -(1LL << 53), 1LL << 53, &k))
        ml_jw_int(w, k);
    else
        ml_jw_null(w);
}

static void send_error(server *s, const ml_json *id, int code, const char *msg)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_jw w;
    ml_jw_init(&w, &b);
    ml_jw_object(&w);
    ml_jw_kstring(&w, "jsonrpc", "2.0");
    put_id(&w, id);
    ml_jw_key(&w, "error");
    ml_jw_object(&w);
    ml_jw_kint(&w, "code", code);
    ml_jw_kstring(&w, "message", msg);
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);
    send_body(s, &b);
    ml_buf_free(&b);
}

/* Start a response or notification: the caller writes the value of
 * "result" or "params" and calls finish(). */
static void begin(ml_jw *w, ml_buf *b, const ml_json *id, const char *method)
{
    ml_buf_init(b);
    ml_jw_init(w, b);
    ml_jw_object(w);
    ml_jw_kstring(w, "jsonrpc", "2.0");
    if (method) {
        ml_jw_kstring(w, "method", method);
        ml_jw_key(w, "params");
    } else {
        put_id(w, id);
        ml_jw_key(w, "result");
    }
}

static void finish(server *s, ml_jw *w, ml_buf *b)
{
    ml_jw_end_object(w);
    send_body(s, b);
    ml_buf_free(b);
}

/* ---- URIs and paths --------------------------------------------------------- */

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* file:///a/b%20c -> /a/b c (malloc'd), or NULL for another scheme or a
 * path with a NUL byte. */
static char *uri_to_path(const char *uri)
{
    if (!uri || strncasecmp(uri, "file://", 7) != 0)
        return NULL;
    const char *p = uri + 7;
    const char *slash = strchr(p, '/'); /* skip an authority ("localhost") */
    if (!slash)
        return NULL;
    p = slash;
    size_t n = strlen(p);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%' && i + 2 < n && hexv(p[i + 1]) >= 0 && hexv(p[i + 2]) >= 0) {
            char c = (char)(hexv(p[i + 1]) * 16 + hexv(p[i + 2]));
            if (c == '\0') {
                free(out);
                return NULL;
            }
            out[k++] = c;
            i += 2;
        } else if (p[i] == '?' || p[i] == '#') {
            break;
        } else {
            out[k++] = p[i];
        }
    }
    out[k] = '\0';
    return out;
}

static void put_uri_of_abs(ml_buf *b, const char *path)
{
    ml_buf_puts(b, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/-._~", *p))
            ml_buf_putc(b, (char)*p);
        else
            ml_buf_printf(b, "%%%02X", *p);
    }
}

static doc *doc_by_path(const server *s, const char *path)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i]->path, path) == 0)
            return s->docs[i];
    return NULL;
}

static doc *doc_by_uri(const server *s, const char *uri)
{
    for (size_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i]->uri, uri) == 0)
            return s->docs[i];
    return NULL;
}

/* The URI of a path as the run shows it: an open document's own URI, else
 * file:// + the absolute path. */
static const char *uri_of(server *s, ml_arena *a, const char *path)
{
    doc *d = doc_by_path(s, path);
    if (d)
        return d->uri;
    ml_buf b;
    ml_buf_init(&b);
    if (path[0] == '/') {
        put_uri_of_abs(&b, path);
    } else {
        char *abs = ml_printf(a, "%s/%s", s->root, path);
        put_uri_of_abs(&b, abs);
    }
    const char *u = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    return u;
}

/* The path a document's URI names, as the run spells it: relative to the
 * root when inside it (symbolic links resolved as far as they exist). */
static char *doc_path(server *s, const char *uri)
{
    char *p = uri_to_path(uri);
    if (!p)
        return NULL;
    char *real = realpath(p, NULL);
    if (!real) {
        /* an unsaved new file: resolve its directory */
        char *slash = strrchr(p, '/');
        if (slash && slash != p) {
            *slash = '\0';
            char *dir = realpath(p, NULL);
            *slash = '/';
            if (dir) {
                size_t n = strlen(dir) + strlen(slash) + 1;
                real = malloc(n);
                if (real)
                    snprintf(real, n, "%s%s", dir, slash);
                free(dir);
            }
        }
    }
    if (real) {
        free(p);
        p = real;
    }
    size_t rl = strlen(s->root);
    if (strncmp(p, s->root, rl) == 0 && p[rl] == '/' && p[rl + 1]) {
        char *rel = strdup(p + rl + 1);
        free(p);
        return rel;
    }
    return p;
}

/* ---- the workspace cache ---------------------------------------------------- */

static bool source_get(void *ud, const char *path, const char **data, size_t *len)
{
    server *s = ud;
    doc *d = doc_by_path(s, path);
    if (d) {
        *data = d->text;
        *len = d->len;
        return true;
    }
    cached *c = ml_map_gets(&s->cache, path);
    if (c && c->data && c->gen == s->gen) {
        *data = c->data;
        *len = c->len;
        return true;
    }
    return false;
}

static bool same_stat(const cached *c, const struct stat *st)
{
    return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
           c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Bring the cached copy of path up to date: a stat, and a read only when
 * the file is new or changed. A file that cannot be read is left to the
 * engine, which reports why. */
static void refresh(server *s, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size >= (1ULL << 30))
        return;
    cached *c = ml_map_gets(&s->cache, path);
    if (c && c->data && same_stat(c, &st)) {
        c->gen = s->gen;
        return;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat fst;
    if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) || (unsigned long long)fst.st_size >= (1ULL << 30)) {
        close(fd);
        return;
    }
    size_t want = (size_t)fst.st_size, n = 0;
    char *data = malloc(want + 1);
    if (!data) {
        close(fd);
        return;
    }
    while (n < want) {
        ssize_t got = read(fd, data + n, want - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (n != want) {
        free(data); /* changed while being read: the engine reads it */
        return;
    }
    data[n] = '\0';
    if (!c) {
        c = ml_zalloc(&s->keep, sizeof *c);
        const char *key = ml_strdup(&s->keep, path);
        ml_map_put(&s->cache, key, strlen(key), c);
        ml_vec_push(&s->keep, &s->cached_v, c);
    }
    free(c->data);
    c->data = data;
    c->len = n;
    c->dev = fst.st_dev;
    c->ino = fst.st_ino;
    c->size = fst.st_size;
    c->mtime = fst.st_mtim;
    c->gen = s->gen;
    s->nread++;
}

/* ---- linting ---------------------------------------------------------------- */

static bool lintable_name(const ml_run *run, const char *path)
{
    static const char *const ext[] = {".yaml", ".yml", ".json", ".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ml_ends_with(path, ext[i]))
            return true;
    return run->cfg.markdown && ml_ends_with(path, ".md");
}

static void publish(server *s, doc *d);

static void lint(server *s)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    drop_run(s);
    ml_run *run = calloc(1, sizeof *run);
    if (!run)
        return;
    ml_run_init(run);
    run->jobs = s->jobs;
    ml_buf err;
    ml_buf_init(&err);
    const char *cfg = ml_config_find(&run->arena, ".");
    if (cfg && !ml_config_load(&run->cfg, cfg, &err)) {
        logf_(s, "%s (linting with the defaults)", err.s ? err.s : cfg);
        ml_map_free(&run->cfg.rules);
        ml_config_defaults(&run->cfg, &run->arena);
    }
    ml_buf_free(&err);
    s->gen++;
    s->nread = 0;
    const char *dot[] = {"."};
    ml_vec paths = {0};
    ml_collect(run, dot, 1, &paths);
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const char *, p, &paths) {
        ml_map_put(&seen, p, strlen(p), (void *)1);
        if (!doc_by_path(s, p))
            refresh(s, p);
    }
    /* open buffers the walk does not find (not saved yet, outside the root) */
    for (size_t i = 0; i < s->ndocs; i++)
        if (!ml_map_gets(&seen, s->docs[i]->path) && lintable_name(run, s->docs[i]->path))
            ml_vec_push(&run->arena, &paths, ml_strdup(&run->arena, s->docs[i]->path));
    ml_map_free(&seen);
    /* the walk's errors (unreadable directories) are the workspace's, not a
     * document's: log them */
    ML_VEC_EACH(const char *, e, &run->io_errors)
        logf_(s, "%s", e);
    run->io_errors.n = 0;
    /* stale entries: free their contents */
    ML_VEC_EACH(cached *, c, &s->cached_v)
        if (c->gen != s->gen && c->data) {
            free(c->data);
            c->data = NULL;
        }
    run->source = &s->src;
    ml_run_load(run, &paths, NULL, NULL);
    ML_VEC_EACH(const char *, e, &run->io_errors)
        logf_(s, "%s", e);
    ml_run_rules(run);
    s->run = run;
    s->dirty = false;
    s->nfiles = paths.n;
    for (size_t i = 0; i < s->ndocs; i++)
        publish(s, s->docs[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (s->verbose)
        logf_(s, "linted %zu files (%zu read from disk, %zu open buffers): %zu findings in %.1f ms", s->nfiles,
              s->nread, s->ndocs, run->diags.n,
              (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

/* ---- diagnostics ------------------------------------------------------------- */

static void put_pos(ml_jw *w, const char *key, ml_file *f, uint32_t line, uint32_t col)
{
    ml_jw_key(w, key);
    ml_jw_object(w);
    uint32_t character = 0;
    if (line == 0) {
        line = 1;
    } else {
        size_t n;
        const char *text = ml_file_line(f, line, &n);
        if (text)
            character = ml_utf16_of_col(text, n, col ? col : 1);
    }
    ml_jw_kint(w, "line", line - 1);
    ml_jw_kint(w, "character", character);
    ml_jw_end_object(w);
}

static void put_range(ml_jw *w, const ml_loc *l)
{
    ml_file *f = (ml_file *)l->file;
    ml_jw_key(w, "range");
    ml_jw_object(w);
    put_pos(w, "start", f, l->line, l->col);
    if (l->end_line)
        put_pos(w, "end", f, l->end_line, l->end_col);
    else
        put_pos(w, "end", f, l->line, l->col);
    ml_jw_end_object(w);
}

/* A byte-offset range (a fix's region, which may carry no line). */
static void put_range_off(ml_jw *w, ml_file *f, uint32_t off, uint32_t end_off)
{
    uint32_t l0, c0, l1, c1;
    if (off > f->len)
        off = (uint32_t)f->len;
    if (end_off < off)
        end_off = off;
    if (end_off > f->len)
        end_off = (uint32_t)f->len;
    ml_file_pos(f, off, &l0, &c0);
    ml_file_pos(f, end_off, &l1, &c1);
    ml_jw_key(w, "range");
    ml_jw_object(w);
    put_pos(w, "start", f, l0, c0);
    put_pos(w, "end", f, l1, c1);
    ml_jw_end_object(w);
}

static void put_diag(server *s, ml_jw *w, ml_arena *a, const ml_diag *d)
{
    ml_jw_object(w);
    put_range(w, &d->loc);
    ml_level lv = ml_report_level(d);
    ml_jw_kint(w, "severity", lv == ML_LEVEL_ERROR ? 1 : lv == ML_LEVEL_WARNING ? 2 : 3);
    if (d->rule && d->rule->id)
        ml_jw_kstring(w, "code", d->rule->id);
    ml_jw_kstring(w, "source", "meshlint");
    ml_buf m;
    ml_buf_init(&m);
    ml_buf_puts(&m, d->message ? d->message : "");
    if (d->rule && d->rule->name)
        ml_buf_printf(&m, " [%s]", d->rule->name);
    const char *help = d->help ? d->help : d->rule ? d->rule->remediation : NULL;
    if (help && *help)
        ml_buf_printf(&m, "\nhelp: %s", help);
    if (d->fix && d->fix->description)
        ml_buf_printf(&m, "\nfix: %s", d->fix->description);
    ml_jw_kstring(w, "message", m.s ? m.s : "");
    ml_buf_free(&m);
    size_t nrel = 0;
    for (size_t i = 0; i < d->nrelated; i++)
        nrel += d->related[i].loc.file != NULL;
    if (nrel) {
        ml_jw_key(w, "relatedInformation");
        ml_jw_array(w);
        for (size_t i = 0; i < d->nrelated; i++) {
            const ml_related *r = &d->related[i];
            if (!r->loc.file)
                continue;
            ml_jw_object(w);
            ml_jw_key(w, "location");
            ml_jw_object(w);
            ml_jw_kstring(w, "uri", uri_of(s, a, r->loc.file->path));
            put_range(w, &r->loc);
            ml_jw_end_object(w);
            ml_jw_kstring(w, "message", r->message ? r->message : "");
            ml_jw_end_object(w);
        }
        ml_jw_end_array(w);
    }
    if (d->fingerprint) {
        ml_jw_key(w, "data");
        ml_jw_object(w);
        ml_jw_kstring(w, "fingerprint", d->fingerprint);
        ml_jw_end_object(w);
    }
    ml_jw_end_object(w);
}

static bool diag_in(const ml_diag *d, const char *path)
{
    return !d->suppressed && d->loc.file && strcmp(d->loc.file->path, path) == 0;
}

static void publish(server *s, doc *dc)
{
    ml_arena a;
    ml_arena_init(&a);
    ml_jw w;
    ml_buf b;
    begin(&w, &b, NULL, "textDocument/publishDiagnostics");
    ml_jw_object(&w);
    ml_jw_kstring(&w, "uri", dc->uri);
    ml_jw_key(&w, "diagnostics");
    ml_jw_array(&w);
    size_t n = 0;
    if (s->run)
        ML_VEC_EACH(const ml_diag *, d, &s->run->diags)
            if (diag_in(d, dc->path)) {
                put_diag(s, &w, &a, d);
                n++;
            }
    ml_jw_end_array(&w);
    ml_jw_end_object(&w);
    if (n || dc->published)
        finish(s, &w, &b);
    else
        ml_buf_free(&b); /* nothing found and nothing to clear */
    dc->published = n > 0;
    ml_arena_free(&a);
}

/* ---- requests ------------------------------------------------------------------ */

static void initialize(server *s, const ml_json *id, const ml_json *params)
{
    const char *uri = ml_json_str(ml_json_get(params, "rootUri"));
    char *root = uri ? uri_to_path(uri) : NULL;
    if (!root) {
        const char *rp = ml_json_str(ml_json_get(params, "rootPath"));
        if (rp && *rp)
            root = strdup(rp);
    }
    const ml_json *wf = ml_json_get(params, "workspaceFolders");
    if (!root && wf && wf->type == ML_JSON_ARRAY && wf->n)
        root = uri_to_path(ml_json_str(ml_json_get(wf->items[0], "uri")));
    if (root) {
        if (chdir(root) != 0)
            logf_(s, "cannot use the workspace root %s: %s; linting %s instead", root, strerror(errno), ".");
        free(root);
    }
    char *cwd = getcwd(NULL, 0);
    free(s->root);
    s->root = cwd ? cwd : strdup("/");
    s->initialized = true;
    if (s->verbose)
        logf_(s, "workspace root %s", s->root);

    ml_jw w;
    ml_buf b;
    begin(&w, &b, id, NULL);
    ml_jw_object(&w);
    ml_jw_key(&w, "capabilities");
    ml_jw_object(&w);
    ml_jw_kstring(&w, "positionEncoding", "utf-16");
    ml_jw_key(&w, "textDocumentSync");
    ml_jw_object(&w);
    ml_jw_key(&w, "openClose");
    ml_jw_bool(&w, true);
    ml_jw_kint(&w, "change", 1); /* full text */
    ml_jw_key(&w, "save");
    ml_jw_object(&w);
    ml_jw_key(&w, "includeText");
    ml_jw_bool(&w, false);
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);
    ml_jw_key(&w, "codeActionProvider");
    ml_jw_object(&w);
    ml_jw_key(&w, "codeActionKinds");
    ml_jw_array(&w);
    ml_jw_string(&w, "quickfix");
    ml_jw_end_array(&w);
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);
    ml_jw_key(&w, "serverInfo");
    ml_jw_object(&w);
    ml_jw_kstring(&w, "name", "meshlint");
    ml_jw_kstring(&w, "version", ML_VERSION);
    ml_jw_end_object(&w);
    ml_jw_end_object(&w);
    finish(s, &w, &b);
}

static void set_text(doc *d, const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (!t)
        return;
    memcpy(t, text, len);
    t[len] = '\0';
    free(d->text);
    d->text = t;
    d->len = len;
}

static void doc_free(doc *d)
{
    free(d->uri);
    free(d->path);
    free(d->text);
    free(d);
}

static void did_open(server *s, const ml_json *params)
{
    const ml_json *td = ml_json_get(params, "textDocument");
    const char *uri = ml_json_str(ml_json_get(td, "uri"));
    const ml_json *text = ml_json_get(td, "text");
    if (!uri || !text || text->type != ML_JSON_STRING) {
        logf_(s, "didOpen without textDocument.uri and text; ignored");
        return;
    }
    drop_run(s); /* it may point into the text replaced here */
    doc *d = doc_by_uri(s, uri);
    if (!d) {
        char *path = doc_path(s, uri);
        if (!path) {
            logf_(s, "%s: not a file: URI; not linted", uri);
            return;
        }
        doc **nd = realloc(s->docs, (s->ndocs + 1) * sizeof *nd);
        d = calloc(1, sizeof *d);
        if (!nd || !d) {
            free(path);
            free(d);
            if (nd)
                s->docs = nd;
            return;
        }
        s->docs = nd;
        d->uri = strdup(uri);
        d->path = path;
        s->docs[s->ndocs++] = d;
    }
    set_text(d, text->s, text->len);
    s->dirty = true;
}

/* Apply one content change: the whole text, or a range (UTF-16 positions)
 * replaced. */
static bool apply_change(doc *d, const ml_json *ch)
{
    const ml_json *text = ml_json_get(ch, "text");
    if (!text || text->type != ML_JSON_STRING)
        return false;
    const ml_json *range = ml_json_get(ch, "range");
    if (!range) {
        set_text(d, text->s, text->len);
        return true;
    }
    size_t off[2];
    const char *keys[2] = {"start", "end"};
    for (int k = 0; k < 2; k++) {
        long long line, character;
        const ml_json *pos = ml_json_get(range, keys[k]);
        if (!ml_json_int(ml_json_get(pos, "line"), 0, UINT32_MAX, &line) ||
            !ml_json_int(ml_json_get(pos, "character"), 0, UINT32_MAX, &character))
            return false;
        size_t o = 0;
        for (long long l = 0; l < line && o < d->len; l++) {
            const char *nl = memchr(d->text + o, '\n', d->len - o);
            o = nl ? (size_t)(nl - d->text) + 1 : d->len;
        }
        const char *nl = memchr(d->text + o, '\n', d->len - o);
        size_t le = nl ? (size_t)(nl - d->text) : d->len;
        off[k] = o + ml_utf16_to_byte(d->text + o, le - o, (uint32_t)character);
    }
    if (off[1] < off[0])
        return false;
    size_t n = d->len - (off[1] - off[0]) + text->len;
    char *t = malloc(n + 1);
    if (!t)
        return false;
    memcpy(t, d->text, off[0]);
    memcpy(t + off[0], text->s, text->len);
    memcpy(t + off[0] + text->len, d->text + off[1], d->len - off[1]);
    t[n] = '\0';
    free(d->text);
    d->text = t;
    d->len = n;
    return true;
}

static void did_change(server *s, const ml_json *params)
{
    const char *uri = ml_json_str(ml_json_path(params, "textDocument", "uri", NULL));
    doc *d = uri ? doc_by_uri(s, uri) : NULL;
    const ml_json *changes = ml_json_get(params, "contentChanges");
    if (!d || !changes || changes->type != ML_JSON_ARRAY) {
        logf_(s, "didChange of a document not open, or without contentChanges; ignored");
        return;
    }
    drop_run(s);
    for (size_t i = 0; i < changes->n; i++)
        if (!apply_change(d, changes->items[i]))
            logf_(s, "%s: a content change that does not apply; ignored", uri);
    s->dirty = true;
}

static void did_close(server *s, const ml_json *params)
{
    const char *uri = ml_json_str(ml_json_path(params, "textDocument", "uri", NULL));
    for (size_t i = 0; uri && i < s->ndocs; i++) {
        doc *d = s->docs[i];
        if (strcmp(d->uri, uri) != 0)
            continue;
        drop_run(s);
        if (d->published) {
            /* clear what the editor shows */
            ml_jw w;
            ml_buf b;
            begin(&w, &b, NULL, "textDocument/publishDiagnostics");
            ml_jw_object(&w);
            ml_jw_kstring(&w, "uri", d->uri);
            ml_jw_key(&w, "diagnostics");
            ml_jw_array(&w);
            ml_jw_end_array(&w);
            ml_jw_end_object(&w);
            finish(s, &w, &b);
        }
        doc_free(d);
        memmove(&s->docs[i], &s->docs[i + 1], (s->ndocs - i - 1) * sizeof *s->docs);
        s->ndocs--;
        s->dirty = true;
        return;
    }
}

/* A UTF-16 position of the file to a byte offset. */
static bool pos_off(ml_file *f, const ml_json *pos, uint32_t *out)
{
    long long line, character;
    if (!ml_json_int(ml_json_get(pos, "line"), 0, UINT32_MAX - 1, &line) ||
        !ml_json_int(ml_json_get(pos, "character"), 0, UINT32_MAX, &character))
        return false;
    size_t n;
    const char *text = ml_file_line(f, (uint32_t)line + 1, &n);
    if (!text) {
        *out = (uint32_t)f->len;
        return true;
    }
    *out = (uint32_t)((size_t)(text - f->data) + ml_utf16_to_byte(text, n, (uint32_t)character));
    return true;
}

static void code_action(server *s, const ml_json *id, const ml_json *params)
{
    const char *uri = ml_json_str(ml_json_path(params, "textDocument", "uri", NULL));
    const ml_json *range = ml_json_get(params, "range");
    if (!uri || !range) {
        send_error(s, id, -32602, "codeAction needs textDocument.uri and range");
        return;
    }
    if (s->dirty || !s->run)
        lint(s);
    doc *dc = doc_by_uri(s, uri);
    char *owned = dc ? NULL : doc_path(s, uri);
    const char *path = dc ? dc->path : owned;
    ml_file *f = NULL;
    if (path && s->run)
        ML_VEC_EACH(ml_file *, g, &s->run->model.files)
            if (strcmp(g->path, path) == 0) {
                f = g;
                break;
            }
    uint32_t r0 = 0, r1 = 0;
    bool ok = f && pos_off(f, ml_json_get(range, "start"), &r0) && pos_off(f, ml_json_get(range, "end"), &r1);
    ml_arena a;
    ml_arena_init(&a);
    ml_jw w;
    ml_buf b;
    begin(&w, &b, id, NULL);
    ml_jw_array(&w);
    if (ok)
        ML_VEC_EACH(const ml_diag *, d, &s->run->diags) {
            if (!diag_in(d, path) || !d->fix || !d->fix->n)
                continue;
            if (d->loc.off > r1 || d->loc.end_off < r0)
                continue; /* the request's range does not touch it */
            bool any = false;
            for (size_t i = 0; i < d->fix->n; i++)
                any |= d->fix->repl[i].region.file != NULL;
            if (!any)
                continue;
            ml_jw_object(&w);
            ml_jw_kstring(&w, "title", d->fix->description ? d->fix->description : "apply meshlint's fix");
            ml_jw_kstring(&w, "kind", "quickfix");
            ml_jw_key(&w, "diagnostics");
            ml_jw_array(&w);
            put_diag(s, &w, &a, d);
            ml_jw_end_array(&w);
            ml_jw_key(&w, "isPreferred");
            ml_jw_bool(&w, true);
            ml_jw_key(&w, "edit");
            ml_jw_object(&w);
            ml_jw_key(&w, "changes");
            ml_jw_object(&w);
            /* one list of edits per file, in order of first appearance */
            for (size_t i = 0; i < d->fix->n; i++) {
                const ml_file *ff = d->fix->repl[i].region.file;
                bool seen = !ff;
                for (size_t j = 0; j < i && !seen; j++)
                    seen = d->fix->repl[j].region.file == ff;
                if (seen)
                    continue;
                ml_jw_key(&w, uri_of(s, &a, ff->path));
                ml_jw_array(&w);
                for (size_t j = i; j < d->fix->n; j++) {
                    const ml_replacement *r = &d->fix->repl[j];
                    if (r->region.file != ff)
                        continue;
                    ml_jw_object(&w);
                    put_range_off(&w, (ml_file *)ff, r->region.off, r->region.end_off);
                    ml_jw_kstring(&w, "newText", r->text ? r->text : "");
                    ml_jw_end_object(&w);
                }
                ml_jw_end_array(&w);
            }
            ml_jw_end_object(&w);
            ml_jw_end_object(&w);
            ml_jw_end_object(&w);
        }
    ml_jw_end_array(&w);
    finish(s, &w, &b);
    ml_arena_free(&a);
    free(owned);
}

static void handle(server *s, const char *body, size_t len)
{
    ml_arena a;
    ml_arena_init(&a);
    const char *err = NULL;
    size_t at = 0;
    ml_json *msg = ml_json_parse(&a, body, len, &err, &at);
    if (!msg) {
        char m[160];
        snprintf(m, sizeof m, "parse error at byte %zu: %s", at, err);
        logf_(s, "%s", m);
        send_error(s, NULL, -32700, m);
        ml_arena_free(&a);
        return;
    }
    const ml_json *id = ml_json_get(msg, "id");
    const ml_json *mj = ml_json_get(msg, "method");
    const char *method = ml_json_str(mj);
    const ml_json *params = ml_json_get(msg, "params");
    bool request = id && (id->type == ML_JSON_STRING || id->type == ML_JSON_NUMBER);
    if (msg->type != ML_JSON_OBJECT || !method) {
        if (mj || !id) /* a response to us has an id and no method: nothing to do */
            send_error(s, request ? id : NULL, -32600, "not a JSON-RPC request or notification");
        ml_arena_free(&a);
        return;
    }
    if (!strcmp(method, "exit")) {
        s->exit = true;
    } else if (!s->initialized && strcmp(method, "initialize") != 0) {
        if (request)
            send_error(s, id, -32002, "the server is not initialized");
    } else if (s->shutdown && request) {
        send_error(s, id, -32600, "the server is shut down");
    } else if (!strcmp(method, "initialize")) {
        if (s->initialized && request)
            send_error(s, id, -32600, "initialize sent twice");
        else if (request)
            initialize(s, id, params);
    } else if (!strcmp(method, "shutdown")) {
        s->shutdown = true;
        drop_run(s);
        if (request) {
            ml_jw w;
            ml_buf b;
            begin(&w, &b, id, NULL);
            ml_jw_null(&w);
            finish(s, &w, &b);
        }
    } else if (!strcmp(method, "textDocument/didOpen")) {
        did_open(s, params);
    } else if (!strcmp(method, "textDocument/didChange")) {
        did_change(s, params);
    } else if (!strcmp(method, "textDocument/didSave")) {
        const char *uri = ml_json_str(ml_json_path(params, "textDocument", "uri", NULL));
        const ml_json *text = ml_json_get(params, "text");
        doc *d = uri ? doc_by_uri(s, uri) : NULL;
        drop_run(s);
        if (d && text && text->type == ML_JSON_STRING)
            set_text(d, text->s, text->len);
        s->dirty = true;
    } else if (!strcmp(method, "textDocument/didClose")) {
        did_close(s, params);
    } else if (!strcmp(method, "workspace/didChangeWatchedFiles") ||
               !strcmp(method, "workspace/didChangeConfiguration")) {
        drop_run(s);
        s->dirty = true; /* files are stat'ed again on the next lint */
    } else if (!strcmp(method, "textDocument/codeAction")) {
        if (request)
            code_action(s, id, params);
    } else if (request) {
        send_error(s, id, -32601, "method not supported by meshlint");
    }
    /* other notifications (initialized, $/cancelRequest, $/setTrace) need nothing */
    ml_arena_free(&a);
}

static bool input_waiting(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

int ml_lsp_serve(int in_fd, int out_fd, FILE *log, bool verbose, unsigned jobs)
{
    signal(SIGPIPE, SIG_IGN); /* a client gone is a write error, not a kill */
    server s;
    memset(&s, 0, sizeof s);
    s.out_fd = out_fd;
    s.log = log;
    s.verbose = verbose;
    s.jobs = jobs ? jobs : 1;
    ml_arena_init(&s.keep);
    ml_map_init(&s.cache);
    s.src.ud = &s;
    s.src.get = source_get;
    char *cwd = getcwd(NULL, 0);
    s.root = cwd ? cwd : strdup("/");
    ml_lsp_reader rd;
    ml_lsp_reader_init(&rd);
    char *chunk = malloc(65536);
    while (chunk && !s.exit && !s.write_failed) {
        const char *body, *err;
        size_t len;
        int r;
        while (!s.exit && (r = ml_lsp_next(&rd, &body, &len, &err)) != 0) {
            if (r < 0)
                logf_(&s, "%s", err);
            else
                handle(&s, body, len);
        }
        if (s.exit)
            break;
        /* lint once the client pauses: a burst of changes costs one lint */
        if (s.dirty && s.initialized && !s.shutdown && !input_waiting(in_fd))
            lint(&s);
        ssize_t got = read(in_fd, chunk, 65536);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* the end of input without exit */
        ml_lsp_feed(&rd, chunk, (size_t)got);
    }
    int status = s.exit && s.shutdown ? 0 : 1;
    free(chunk);
    ml_lsp_reader_free(&rd);
    drop_run(&s);
    for (size_t i = 0; i < s.ndocs; i++)
        doc_free(s.docs[i]);
    free(s.docs);
    ML_VEC_EACH(cached *, c, &s.cached_v)
        free(c->data);
    ml_map_free(&s.cache);
    ml_arena_free(&s.keep);
    free(s.root);
    return status;
}
