/*
 * engine.c - one run from paths to a sorted list of findings.
 *
 * Collect the input files in a fixed (path) order, read each whole, load
 * manifests and extract servers into the model, run every enabled rule, then
 * post-process: configured levels, report-only-these-files, suppression
 * comments and annotations, duplicates, order, fingerprints. Rules never see
 * configuration beyond their settings, and never sort.
 */
#include "meshlint/engine.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshlint/ignore.h"
#include "meshlint/kustomize.h"
#include "meshlint/mesh.h"
#include "meshlint/proto.h"
#include "meshlint/ts.h"

#define ML_MAX_FILE_BYTES ((size_t)1 << 30)

/* Dockerfile, Dockerfile.prod, api.Dockerfile (any case of the D). */
static bool dockerfile_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (ml_ends_with(base, ".dockerignore"))
        return false;
    if (!strcmp(base, "Dockerfile") || !strcmp(base, "dockerfile") ||
        ((!strncmp(base, "Dockerfile.", 11) || !strncmp(base, "dockerfile.", 11)) && base[11]))
        return true;
    size_t n = strlen(base);
    return n > 11 && (!strcmp(base + n - 11, ".Dockerfile") || !strcmp(base + n - 11, ".dockerfile"));
}

static ml_file_type type_of(const char *path)
{
    if (dockerfile_name(path))
        return ML_FILE_DOCKERFILE;
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return ML_FILE_OTHER;
    if (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml"))
        return ML_FILE_YAML;
    if (!strcmp(dot, ".json"))
        return ML_FILE_JSON;
    if (!strcmp(dot, ".md") || !strcmp(dot, ".markdown"))
        return ML_FILE_MARKDOWN;
    if (!strcmp(dot, ".proto"))
        return ML_FILE_PROTO;
    static const char *const ts[] = {".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs"};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
        if (!strcmp(dot, ts[i]))
            return ml_ends_with(path, ".d.ts") || ml_ends_with(path, ".d.mts") ||
                           ml_ends_with(path, ".d.cts")
                       ? ML_FILE_OTHER
                       : ML_FILE_TS;
    return ML_FILE_OTHER;
}

static ml_file *make_file(ml_arena *a, const char *display, char *data, size_t len)
{
    ml_file *f = ml_zalloc(a, sizeof *f);
    f->path = display;
    f->data = data;
    f->len = len;
    f->type = type_of(display);
    f->report = true;
    return f;
}

/* Why a read failed: an errno value (turned into words on the main thread,
 * since strerror is not thread-safe) or a fixed message. */
typedef struct read_err {
    int no;
    const char *msg;
} read_err;

static const char *read_err_str(read_err e)
{
    return e.msg ? e.msg : strerror(e.no);
}

static ssize_t read_some(int fd, char *buf, size_t n)
{
    for (;;) {
        ssize_t got = read(fd, buf, n);
        if (got >= 0 || errno != EINTR)
            return got;
    }
}

/* Read all of fd into an arena buffer (NUL-terminated). hint is the size
 * fstat reported: a regular file is read straight into a buffer of that
 * size, and only a file that grows meanwhile (or standard input) takes the
 * path that doubles a malloc'd buffer. */
static char *slurp(ml_arena *a, int fd, size_t hint, size_t *len, read_err *err)
{
    size_t n = 0;
    char *buf = NULL;
    size_t cap = 65536;
    if (hint) {
        char *data = ml_alloc(a, hint + 1);
        while (n < hint) {
            ssize_t got = read_some(fd, data + n, hint - n);
            if (got < 0) {
                err->no = errno;
                return NULL;
            }
            if (got == 0)
                break;
            n += (size_t)got;
        }
        char probe;
        ssize_t got = n < hint ? 0 : read_some(fd, &probe, 1);
        if (got < 0) {
            err->no = errno;
            return NULL;
        }
        if (got == 0) {
            data[n] = '\0';
            *len = n;
            return data;
        }
        /* the file grew while being read: go on with a growing buffer */
        cap = 2 * (hint + 1);
        buf = malloc(cap);
        if (!buf) {
            err->msg = "out of memory";
            return NULL;
        }
        memcpy(buf, data, n);
        buf[n++] = probe;
    } else {
        buf = malloc(cap);
        if (!buf) {
            err->msg = "out of memory";
            return NULL;
        }
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= ML_MAX_FILE_BYTES) {
                free(buf);
                err->msg = "file larger than 1 GiB";
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                err->msg = "out of memory";
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read_some(fd, buf + n, cap - n - 1);
        if (got < 0) {
            free(buf);
            err->no = errno;
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    char *data = ml_alloc(a, n + 1);
    memcpy(data, buf, n);
    data[n] = '\0';
    free(buf);
    *len = n;
    return data;
}

/* Read one file whole into arena a (any thread may call this); src, when
 * set, is asked first (its contents are used in place, not copied). */
static ml_file *read_file_in(ml_arena *a, const ml_file_source *src, const char *path, const char *display,
                             read_err *err)
{
    size_t len = 0;
    char *data;
    const char *given;
    if (src && strcmp(path, "-") != 0 && src->get(src->ud, path, &given, &len))
        return make_file(a, display, (char *)given, len);
    if (strcmp(path, "-") == 0) {
        data = slurp(a, 0, 0, &len, err);
    } else {
        /* O_NONBLOCK so that a FIFO without a writer cannot hang the run;
         * anything but a regular file is refused after fstat. */
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            err->no = errno;
            return NULL;
        }
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            err->msg = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
            return NULL;
        }
        if ((size_t)st.st_size > ML_MAX_FILE_BYTES) {
            close(fd);
            err->msg = "file larger than 1 GiB";
            return NULL;
        }
        int flags = fcntl(fd, F_GETFL);
        if (flags >= 0)
            fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        data = slurp(a, fd, (size_t)st.st_size, &len, err);
        close(fd);
    }
    if (!data)
        return NULL;
    return make_file(a, display, data, len);
}

ml_file *ml_read_file(ml_run *run, const char *path, const char *display, const char **err)
{
    read_err e = {0, NULL};
    ml_file *f = read_file_in(&run->arena, run->source, path, display, &e);
    if (!f)
        *err = read_err_str(e);
    return f;
}

/* ---- collecting input paths -------------------------------------------- */

static const char *join(ml_arena *a, const char *dir, const char *name)
{
    if (strcmp(dir, ".") == 0)
        return ml_strdup(a, name);
    size_t n = strlen(dir);
    return ml_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static bool ignored(const ml_run *run, const char *path)
{
    for (size_t i = 0; i < run->cfg.ignore_globs.n; i++) {
        const char *g = run->cfg.ignore_globs.items[i];
        if (ml_glob_match(g, path))
            return true;
        /* a glob naming a directory ignores what is below it */
        const char *p = path;
        while ((p = strchr(p, '/'))) {
            char *prefix = ml_strndup((ml_arena *)&run->arena, path, (size_t)(p - path));
            if (ml_glob_match(g, prefix))
                return true;
            p++;
        }
    }
    return false;
}

/* Placeholder manifests, filled in by some tool before they are applied:
 * *.template.yaml, *-template.yaml, *.tmpl.yaml, *-tpl.yaml, *.tpl.yaml
 * (YAML by their extension), and *.yaml.tmpl, *.yml.j2, *.tmpl, ... */
static bool placeholder_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    static const char *const yaml_like[] = {".template.yaml", ".template.yml", "-template.yaml", "-template.yml",
                                            ".tmpl.yaml",     ".tmpl.yml",     "-tpl.yaml",      "-tpl.yml",
                                            ".tpl.yaml",      ".tpl.yml"};
    for (size_t i = 0; i < sizeof yaml_like / sizeof yaml_like[0]; i++)
        if (ml_ends_with(base, yaml_like[i]))
            return true;
    static const char *const tmpl_ext[] = {".tmpl", ".tpl", ".j2", ".jinja", ".jinja2"};
    for (size_t i = 0; i < sizeof tmpl_ext / sizeof tmpl_ext[0]; i++)
        if (ml_ends_with(base, tmpl_ext[i]))
            return true;
    return false;
}

static bool wanted(const ml_run *run, const char *path)
{
    if (placeholder_name(path))
        return true; /* read, to tell whether it is a manifest template (ML010) */
    ml_file_type t = type_of(path);
    if (t == ML_FILE_OTHER)
        return false;
    if (t == ML_FILE_MARKDOWN && !run->cfg.markdown)
        return false;
    if (t == ML_FILE_TS) {
        /* build output and bundles are not source */
        for (const char *p = path; p; p = strchr(p, '/')) {
            if (*p == '/')
                p++;
            if (!strncmp(p, "dist/", 5) || !strncmp(p, "build/", 6))
                return false;
        }
    }
    return true;
}

/* Directory entries are kept as one string: a kind byte, then the name.
 * The kind comes from readdir's d_type, so that a large tree is walked
 * without an lstat per entry; only a file system that does not fill d_type
 * ('?') costs the lstat. */
static int cmp_entry(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a + 1, *(const char *const *)b + 1);
}

static char entry_kind(const struct dirent *e)
{
#ifdef DT_UNKNOWN
    switch (e->d_type) {
    case DT_DIR:
        return 'd';
    case DT_REG:
        return 'f';
    case DT_UNKNOWN:
        return '?';
    default:
        return 'o'; /* a symbolic link, FIFO, socket or device: never read */
    }
#else
    (void)e;
    return '?';
#endif
}

static const char *normalize(ml_arena *a, const char *p);

/* What a walk carries down: the ignore frames met so far and whether the
 * tree is a git work tree (only then does .gitignore count). */
typedef struct walker {
    ml_ignore ig;
    bool git;
} walker;

#define IGNORE_FILE_MAX (1u << 20) /* a larger ignore file is not read */

/* Read an ignore file (through run->source, so an unsaved editor buffer
 * counts) and push its patterns for directory rel. Returns whether a frame
 * was pushed. An unreadable or oversized file is passed over: it can only
 * make meshlint read more, never less. */
static bool push_ignore_file(ml_run *run, walker *wk, const char *path, const char *rel)
{
    read_err e = {0, NULL};
    ml_file *f = read_file_in(&run->arena, run->source, path, path, &e);
    if (!f || f->len > IGNORE_FILE_MAX)
        return false;
    return ml_ignore_push(&run->arena, &wk->ig, rel, f->path, f->data, f->len);
}

static const char *rel_join(ml_arena *a, const char *rel, const char *name)
{
    return *rel ? ml_printf(a, "%s/%s", rel, name) : ml_strdup(a, name);
}

static void walk(ml_run *run, walker *wk, const char *dir, const char *rel, ml_vec *out, unsigned depth)
{
    if (depth > 64) {
        /* deeper than any real repository: say so rather than skip it silently */
        ml_vec_push(&run->arena, &run->io_errors,
                    ml_printf(&run->arena, "%s: directories nested deeper than 64 levels; not read", dir));
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        ml_vec_push(&run->arena, &run->io_errors, ml_printf(&run->arena, "%s: %s", dir, strerror(errno)));
        return;
    }
    ml_vec names = {0};
    struct dirent *e;
    bool has_gitignore = false, has_meshlintignore = false;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') {
            has_gitignore |= !strcmp(e->d_name, ".gitignore");
            has_meshlintignore |= !strcmp(e->d_name, ".meshlintignore");
            continue; /* ., .., .git and every hidden entry */
        }
        if (!strcmp(e->d_name, "node_modules"))
            continue;
        size_t len = strlen(e->d_name);
        char *entry = ml_alloc(&run->arena, len + 2);
        entry[0] = entry_kind(e);
        memcpy(entry + 1, e->d_name, len + 1);
        ml_vec_push(&run->arena, &names, entry);
    }
    closedir(d);
    ml_vec_sort(&names, cmp_entry);
    /* A Helm chart's templates/ hold Go templates, not manifests (render
     * them with helm template and lint the output). A kustomization file is
     * collected like any input: ml_run_load builds it, and the files it
     * includes are then not loaded alone. */
    bool chart = false;
    ML_VEC_EACH(const char *, entry, &names) {
        const char *n = entry + 1;
        if (!strcmp(n, "Chart.yaml"))
            chart = true;
    }
    if (chart)
        ml_vec_push(&run->arena, &run->charts, (void *)dir);
    /* this directory's ignore files apply below it; .meshlintignore after
     * .gitignore, so that it can re-include what git leaves out */
    unsigned pushed = 0;
    if (!run->cfg.no_ignore_files) {
        if (has_gitignore && wk->git)
            pushed += push_ignore_file(run, wk, join(&run->arena, dir, ".gitignore"), rel);
        if (has_meshlintignore)
            pushed += push_ignore_file(run, wk, join(&run->arena, dir, ".meshlintignore"), rel);
    }
    for (size_t i = 0; i < names.n; i++) {
        const char *entry = names.items[i];
        char kind = entry[0];
        if (chart && !strcmp(entry + 1, "templates"))
            continue;
        const char *path = join(&run->arena, dir, entry + 1);
        if (kind == '?') {
            struct stat st;
            if (lstat(path, &st) != 0)
                continue;
            kind = S_ISLNK(st.st_mode) ? 'o' : S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : 'o';
        }
        if (kind == 'o')
            continue; /* symbolic links are not followed: no loops, no escaping the tree */
        if (ignored(run, path))
            continue;
        const char *child = NULL;
        if (wk->ig.frames.n) {
            child = rel_join(&run->arena, rel, entry + 1);
            if (ml_ignore_check(&wk->ig, child, kind == 'd'))
                continue;
        }
        if (kind == 'd')
            walk(run, wk, path, child ? child : rel_join(&run->arena, rel, entry + 1), out, depth + 1);
        else if (wanted(run, path) || ml_kust_is_kfile(path))
            ml_vec_push(&run->arena, out, (void *)path);
    }
    while (pushed--)
        ml_ignore_pop(&wk->ig);
}

/* The root of the git work tree holding directory p (a ".git" directory or
 * file at p or above it), as an absolute path, and p relative to it; NULL
 * when p is in no work tree. */
static const char *git_root(ml_arena *a, const char *p, const char **rel)
{
    char *abs = realpath(p, NULL);
    if (!abs)
        return NULL;
    size_t n = strlen(abs);
    const char *found = NULL;
    for (;;) {
        struct stat st;
        const char *probe = ml_printf(a, "%.*s/.git", (int)n, abs);
        if (stat(probe, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
            found = n ? ml_strndup(a, abs, n) : "/";
            const char *tail = abs + n;
            while (*tail == '/')
                tail++;
            *rel = ml_strdup(a, tail);
            break;
        }
        if (n == 0)
            break;
        while (n > 0 && abs[n - 1] != '/')
            n--;
        if (n > 0)
            n--; /* "/a" -> "" : the file system root is tried last */
    }
    free(abs);
    return found;
}

/* Walk directory p, honouring the ignore files of the git work tree from
 * its root down to p (and .git/info/exclude), then those met below. */
static void walk_root(ml_run *run, const char *p, ml_vec *out)
{
    walker wk;
    memset(&wk, 0, sizeof wk);
    const char *rel = "";
    const char *root = run->cfg.no_ignore_files ? NULL : git_root(&run->arena, p, &rel);
    if (root) {
        wk.git = true;
        const char *base = strcmp(root, "/") ? root : "";
        push_ignore_file(run, &wk, ml_printf(&run->arena, "%s/.git/info/exclude", base), "");
        /* the directories from the work tree's root down to p's parent (p's
         * own ignore files are read by walk) */
        if (*rel)
            push_ignore_file(run, &wk, ml_printf(&run->arena, "%s/.gitignore", base), "");
        for (const char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
            const char *dir = ml_strndup(&run->arena, rel, (size_t)(slash - rel));
            push_ignore_file(run, &wk, ml_printf(&run->arena, "%s/%s/.gitignore", base, dir), dir);
        }
    }
    walk(run, &wk, p, rel, out, 0);
    if (wk.ig.exhausted)
        fprintf(stderr, "meshlint: %s: the ignore files' patterns took too long to match; "
                        "part of the walk read every file\n", p);
}

static const char *normalize(ml_arena *a, const char *p)
{
    /* "./x", ".//x" and "././x" are the relative "x" (never "/x"); "//x"
     * is the absolute "/x" */
    bool rel = false;
    while (p[0] == '.' && p[1] == '/') {
        rel = true;
        p += 2;
        while (*p == '/')
            p++;
    }
    if (rel && !*p)
        return ml_strdup(a, ".");
    while (!rel && *p == '/' && p[1] == '/')
        p++;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        n--;
    return ml_strndup(a, p, n);
}

bool ml_collect(ml_run *run, const char *const *paths, size_t n, ml_vec *out)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(paths[i], "-") == 0) {
            ml_vec_push(&run->arena, out, (void *)"-");
            continue;
        }
        const char *p = normalize(&run->arena, paths[i]);
        struct stat st;
        if (stat(p, &st) != 0) {
            ml_vec_push(&run->arena, &run->io_errors, ml_printf(&run->arena, "%s: %s", p, strerror(errno)));
            ok = false;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            /* a directory that cannot be listed, or one nested too deep, is
             * an I/O error like a file that cannot be read */
            size_t errors = run->io_errors.n;
            walk_root(run, p, out);
            if (run->io_errors.n > errors)
                ok = false;
        } else
            ml_vec_push(&run->arena, out, (void *)p); /* named explicitly: read whatever it is */
    }
    return ok;
}

/* ---- running rules ------------------------------------------------------ */

typedef struct suppress {
    uint32_t line;   /* 0: whole file */
    const char *rules; /* NULL: every rule */
    const char *reason;
    const char *how;
} suppress;

static bool rule_listed(const char *list, const ml_rule *r)
{
    if (!list)
        return true;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *s = p;
        while (*p && *p != ' ' && *p != ',' && *p != '\t')
            p++;
        if (p > s) {
            char tmp[64];
            size_t len = (size_t)(p - s) < sizeof tmp - 1 ? (size_t)(p - s) : sizeof tmp - 1;
            memcpy(tmp, s, len);
            tmp[len] = '\0';
            if (ml_rule_find(tmp) == r)
                return true;
        }
    }
    return false;
}

/* Parse the text after "meshlint-disable..." into (rules, reason). */
static void parse_directive(ml_arena *a, const char *s, size_t n, const char **rules, const char **reason)
{
    *rules = NULL;
    *reason = NULL;
    const char *dash = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '-' && s[i + 1] == '-') {
            dash = s + i;
            break;
        }
    size_t rl = dash ? (size_t)(dash - s) : n;
    /* a block comment's closing marker is not part of the directive */
    for (size_t i = 0; i + 1 < rl; i++)
        if (s[i] == '*' && s[i + 1] == '/')
            rl = i;
    while (rl && (s[rl - 1] == ' ' || s[rl - 1] == '\t' || s[rl - 1] == '\r'))
        rl--;
    size_t b = 0;
    while (b < rl && (s[b] == ' ' || s[b] == '\t'))
        b++;
    if (rl > b)
        *rules = ml_strndup(a, s + b, rl - b);
    if (dash) {
        const char *r = dash + 2;
        size_t left = n - (size_t)(r - s);
        while (left && (*r == ' ' || *r == '\t'))
            r++, left--;
        while (left && (r[left - 1] == ' ' || r[left - 1] == '\r' || r[left - 1] == '\t'))
            left--;
        if (left > 1 && r[left - 2] == '*' && r[left - 1] == '/')
            left -= 2;
        *reason = ml_strndup(a, r, left);
    }
}

/* Suppression comments of one file. A directive is recognised only right
 * after a comment marker ("#", "//" or slash-star) and optional blanks. */
static ml_vec *file_suppressions(ml_run *run, ml_map *cache, ml_file *f)
{
    void **slot = ml_map_slot_ptr(cache, &run->arena, f);
    if (*slot)
        return *slot;
    ml_vec *v = ml_zalloc(&run->arena, sizeof *v);
    *slot = v;
    const char *key = "meshlint-disable";
    if (!memmem(f->data, f->len, key, strlen(key)))
        return v;
    for (uint32_t line = 1;; line++) {
        size_t len;
        const char *s = ml_file_line(f, line, &len);
        if (!s)
            break;
        const char *hit = memmem(s, len, key, strlen(key));
        if (!hit)
            continue;
        const char *m = hit;
        while (m > s && (m[-1] == ' ' || m[-1] == '\t'))
            m--;
        bool marker = (m > s && m[-1] == '#') || (m - s >= 2 && m[-2] == '/' && (m[-1] == '/' || m[-1] == '*'));
        if (!marker)
            continue;
        const char *rest = hit + strlen(key);
        size_t rest_len = len - (size_t)(rest - s);
        suppress *sp = ml_zalloc(&run->arena, sizeof *sp);
        size_t skip;
        if (rest_len >= 10 && !strncmp(rest, "-next-line", 10)) {
            sp->line = line + 1;
            skip = 10;
        } else if (rest_len >= 5 && !strncmp(rest, "-line", 5)) {
            sp->line = line;
            skip = 5;
        } else if (rest_len >= 5 && !strncmp(rest, "-file", 5)) {
            sp->line = 0;
            skip = 5;
        } else {
            continue;
        }
        if (rest_len > skip && rest[skip] != ' ' && rest[skip] != '\t' && rest[skip] != '\r')
            continue;
        parse_directive(&run->arena, rest + skip, rest_len - skip, &sp->rules, &sp->reason);
        sp->how = "comment";
        ml_vec_push(&run->arena, v, sp);
    }
    return v;
}

static void apply_suppressions(ml_run *run)
{
    ml_map cache;
    ml_map_init(&cache);
    /* resource annotations: meshlint.io/ignore: "ML301,ML302" over the document's lines */
    ml_map ann;
    ml_map_init(&ann);
    ML_VEC_EACH(ml_resource *, r, &run->model.resources) {
        const char *list = ml_str_nonnull(ml_get(r->annotations, "meshlint.io/ignore"));
        if (!list || !r->doc)
            continue;
        suppress *sp = ml_zalloc(&run->arena, sizeof *sp);
        sp->line = r->doc->start_line;
        sp->rules = ml_streq(list, "*") || ml_streq(list, "all") ? NULL : list;
        sp->how = "annotation";
        sp->reason = ml_printf(&run->arena, "annotation meshlint.io/ignore on %s %s", r->kind_str, r->name);
        /* keep end line in 'reason'-independent field: reuse a pair */
        suppress *end = ml_zalloc(&run->arena, sizeof *end);
        end->line = r->doc->end_line;
        ml_map_push_ptr(&ann, &run->arena, r->doc->file, sp);
        ml_map_push_ptr(&ann, &run->arena, r->doc->file, end);
    }
    ML_VEC_EACH(ml_diag *, d, &run->diags) {
        ml_file *f = (ml_file *)d->loc.file;
        if (!f)
            continue;
        ml_vec *v = file_suppressions(run, &cache, f);
        for (size_t i = 0; i < v->n && !d->suppressed; i++) {
            suppress *sp = v->items[i];
            if ((sp->line == 0 || sp->line == d->loc.line) && rule_listed(sp->rules, d->rule)) {
                d->suppressed = sp->how;
                d->suppress_reason = sp->reason;
            }
        }
        const ml_vec *av = ml_map_get_ptr(&ann, f);
        for (size_t i = 0; av && i + 1 < av->n && !d->suppressed; i += 2) {
            suppress *sp = av->items[i], *end = av->items[i + 1];
            if (d->loc.line >= sp->line && d->loc.line <= end->line && rule_listed(sp->rules, d->rule)) {
                d->suppressed = sp->how;
                d->suppress_reason = sp->reason;
            }
        }
    }
    ml_map_free(&cache);
    ml_map_free(&ann);
}

static int loc_cmp(const ml_loc *a, const ml_loc *b)
{
    const char *pa = a->file ? a->file->path : "", *pb = b->file ? b->file->path : "";
    int c = strcmp(pa, pb);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

static int diag_cmp(const void *x, const void *y)
{
    const ml_diag *a = *(const ml_diag *const *)x, *b = *(const ml_diag *const *)y;
    int c = loc_cmp(&a->loc, &b->loc);
    if (c)
        return c;
    c = strcmp(a->rule->id, b->rule->id);
    if (c)
        return c;
    c = strcmp(a->message, b->message);
    if (c)
        return c;
    if (a->nrelated != b->nrelated)
        return a->nrelated < b->nrelated ? -1 : 1;
    for (size_t i = 0; i < a->nrelated; i++) {
        c = loc_cmp(&a->related[i].loc, &b->related[i].loc);
        if (c)
            return c;
        c = strcmp(a->related[i].message, b->related[i].message);
        if (c)
            return c;
    }
    return 0;
}

static bool same_finding(const ml_diag *a, const ml_diag *b)
{
    return a->rule == b->rule && loc_cmp(&a->loc, &b->loc) == 0 && strcmp(a->message, b->message) == 0;
}

const char *ml_fingerprint(ml_arena *a, const ml_diag *d, bool with_path)
{
    /* What identifies a finding across commits: the rule, the file, the
     * message with every number removed (line numbers of related places
     * move), and the text of the primary line without indentation. */
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, d->rule->id);
    ml_buf_putc(&b, '\x1f');
    if (with_path) {
        ml_buf_puts(&b, d->loc.file ? d->loc.file->path : "");
        ml_buf_putc(&b, '\x1f');
    } else {
        ml_buf_puts(&b, "v2\x1f");
    }
    for (const char *p = d->message; *p; p++)
        if (*p < '0' || *p > '9')
            ml_buf_putc(&b, *p);
    ml_buf_putc(&b, '\x1f');
    if (d->loc.file) {
        size_t len;
        const char *s = ml_file_line((ml_file *)d->loc.file, d->loc.line, &len);
        while (s && len && (*s == ' ' || *s == '\t'))
            s++, len--;
        if (s)
            ml_buf_add(&b, s, len);
    }
    uint64_t h1 = ml_hash(b.s, b.n);
    ml_buf_putc(&b, '#');
    uint64_t h2 = ml_hash(b.s, b.n);
    ml_buf_free(&b);
    return ml_printf(a, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

/* ---- running rules in parallel --------------------------------------------
 *
 * Rules only read the model, so with -j N they run on N threads, each rule
 * whole on one thread. What a rule allocates (its findings, and what the
 * model's lookups hand back) goes to a scratch arena of the thread: the rule
 * sees a copy of the model struct whose arena is that scratch, sharing
 * everything else. When the rule returns, its findings are copied whole
 * (keep_diag) into the thread's own arena, which lives as long as the run,
 * and the scratch is reset for the next rule: its blocks are kept, so the
 * rules together touch the pages of the largest one instead of the sum of
 * them all (91 MB at N = 10,000). Nothing a rule allocates may outlive it
 * but its findings: rules keep no state of their own (no statics), and the
 * model copy, with anything a lookup might remember in it, is made afresh
 * for each rule. Findings are collected per rule and joined in registry
 * order, so the list the engine sorts is the same as with one thread.
 */

typedef struct rule_job {
    const ml_rule *rule;
    ml_vec out; /* ml_diag*, in the order the rule reported them */
} rule_job;

typedef struct rule_pool {
    ml_run *run;
    rule_job *jobs;
    size_t n, next;
    pthread_mutex_t mu;
} rule_pool;

typedef struct rule_worker {
    rule_pool *pool;
    ml_arena *arena;  /* the findings, for the run */
    ml_arena scratch; /* everything else, reset after each rule */
} rule_worker;

static const char *keep_str(ml_arena *a, const char *s)
{
    return s ? ml_strdup(a, s) : NULL;
}

/* A copy of finding d in arena a, with everything it points at: its
 * messages, related locations, help, fix and replacements (diag.h; locations
 * point at files, which the model holds for the run). A new pointer field in
 * ml_diag, ml_related, ml_fix or ml_replacement must be copied here. */
static ml_diag *keep_diag(ml_arena *a, const ml_diag *d)
{
    ml_diag *k = ml_alloc(a, sizeof *k);
    *k = *d;
    k->message = keep_str(a, d->message);
    if (d->nrelated) {
        ml_related *r = ml_alloc(a, d->nrelated * sizeof *r);
        for (size_t i = 0; i < d->nrelated; i++) {
            r[i] = d->related[i];
            r[i].message = keep_str(a, d->related[i].message);
        }
        k->related = r;
    } else {
        k->related = NULL;
    }
    k->help = keep_str(a, d->help);
    if (d->fix) {
        ml_fix *f = ml_alloc(a, sizeof *f);
        *f = *d->fix;
        f->description = keep_str(a, d->fix->description);
        f->repl = NULL;
        if (f->n) {
            f->repl = ml_alloc(a, f->n * sizeof *f->repl);
            for (size_t i = 0; i < f->n; i++) {
                f->repl[i] = d->fix->repl[i];
                f->repl[i].text = keep_str(a, d->fix->repl[i].text);
            }
        }
        k->fix = f;
    }
    k->suppressed = keep_str(a, d->suppressed);
    k->suppress_reason = keep_str(a, d->suppress_reason);
    k->fingerprint = keep_str(a, d->fingerprint);
    k->fingerprint2 = keep_str(a, d->fingerprint2);
    return k;
}

/* Run one rule in scratch, keep its findings in a, reset scratch. */
static void run_rule(ml_run *run, ml_arena *a, ml_arena *scratch, rule_job *j)
{
    ml_model m = run->model;
    m.arena = scratch;
    ml_vec out = {0};
    ml_ctx ctx = {.model = &m, .cfg = &run->cfg, .rule = j->rule, .arena = scratch, .out = &out};
    j->rule->check(&ctx);
    if (out.n) {
        j->out.items = ml_alloc(a, out.n * sizeof *j->out.items);
        j->out.cap = out.n;
        for (size_t i = 0; i < out.n; i++)
            j->out.items[j->out.n++] = out.items[i] ? keep_diag(a, out.items[i]) : NULL;
    }
    ml_arena_reset(scratch);
}

static rule_job *claim_rule(rule_pool *p)
{
    pthread_mutex_lock(&p->mu);
    rule_job *j = p->next < p->n ? &p->jobs[p->next++] : NULL;
    pthread_mutex_unlock(&p->mu);
    return j;
}

/* Servers and facts of every TypeScript file of m, in load order. */
static void *ts_extract_main(void *arg)
{
    ml_model *m = arg;
    ML_VEC_EACH(ml_file *, f, &m->ts_files)
        ml_ts_extract(m, f);
    return NULL;
}

static void *rule_worker_main(void *arg)
{
    rule_worker *w = arg;
    rule_job *j;
    while ((j = claim_rule(w->pool)))
        run_rule(w->pool->run, w->arena, &w->scratch, j);
    return NULL;
}

static void run_rule_jobs(ml_run *run, rule_job *jobs, size_t n)
{
    rule_pool pool = {.run = run, .jobs = jobs, .n = n, .next = 0};
    pthread_mutex_init(&pool.mu, NULL);
    size_t nthreads = run->jobs > 1 ? run->jobs - 1 : 0; /* the main thread is one more */
    if (nthreads > n / 2)
        nthreads = n / 2;
    pthread_t *tids = NULL;
    rule_worker *workers = NULL;
    size_t started = 0;
    if (nthreads) {
        tids = calloc(nthreads, sizeof *tids);
        workers = calloc(nthreads, sizeof *workers);
        ml_arena *arenas = realloc(run->load_arenas, (run->nload_arenas + nthreads) * sizeof *arenas);
        if (arenas)
            run->load_arenas = arenas;
        if (tids && workers && arenas) {
            for (size_t t = 0; t < nthreads; t++) {
                ml_arena *a = &run->load_arenas[run->nload_arenas];
                ml_arena_init(a);
                workers[t].pool = &pool;
                workers[t].arena = a;
                ml_arena_init(&workers[t].scratch);
                if (pthread_create(&tids[started], NULL, rule_worker_main, &workers[t]) != 0)
                    break; /* fewer threads: the main thread does the rest */
                run->nload_arenas++;
                started++;
            }
        }
    }
    ml_arena scratch;
    ml_arena_init(&scratch);
    rule_job *j;
    while ((j = claim_rule(&pool)))
        run_rule(run, &run->arena, &scratch, j);
    ml_arena_free(&scratch);
    for (size_t t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
        ml_arena_free(&workers[t].scratch);
    }
    free(tids);
    free(workers);
    pthread_mutex_destroy(&pool.mu);
}

/* The kustomize builds (units) each file's objects are part of, by the
 * file the object's document starts in. */
static void units_by_file(ml_run *run, ml_map *out)
{
    ML_VEC_EACH(ml_doc *, doc, &run->model.docs) {
        if (!doc->unit || !doc->file)
            continue;
        ml_vec *v = (ml_vec *)ml_map_get_ptr(out, doc->file);
        if (!v) {
            v = ml_zalloc(&run->arena, sizeof *v);
            ml_map_put_ptr(out, &run->arena, doc->file, v);
        }
        if (!v->n || v->items[v->n - 1] != doc->unit) {
            bool seen = false;
            ML_VEC_EACH(const ml_unit *, u, v)
                seen |= u == doc->unit;
            if (!seen)
                ml_vec_push(&run->arena, v, (void *)doc->unit);
        }
    }
}

/* Whether message b is message a with namespace from written as to: each
 * occurrence of from that stands alone (not inside a longer DNS label or
 * word) replaced, the rest byte for byte the same. */
static bool same_but_namespace(const char *a, const char *b, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to);
    bool replaced = false;
#define NS_CHAR(c) (isalnum((unsigned char)(c)) || (c) == '-' || (c) == '_')
    const char *start = a;
    while (*a) {
        if (!strncmp(a, from, nf) && (a == start || !NS_CHAR(a[-1])) && !NS_CHAR(a[nf]) &&
            !strncmp(b, to, nt)) {
            a += nf;
            b += nt;
            replaced = true;
            continue;
        }
        if (*a != *b)
            return false;
        a++;
        b++;
    }
#undef NS_CHAR
    return replaced && !*b;
}

/* The kustomize builds (units) of a finding's file that the finding group
 * holds in, as far as the messages tell. */
typedef struct unit_group {
    const ml_vec *units;  /* the builds that include the finding's file */
    const ml_unit *first; /* the build of the group's first finding, once a
                           * namespace difference tells it */
    ml_vec hit;           /* builds the group's findings are known to come from */
    size_t count;         /* findings in the group */
    bool renamed;         /* some finding differs from the first by namespace */
} unit_group;

static void group_hit(ml_run *run, unit_group *g, const ml_unit *u)
{
    ML_VEC_EACH(const ml_unit *, h, &g->hit)
        if (h == u)
            return;
    ml_vec_push(&run->arena, &g->hit, (void *)u);
}

/* The same finding as the group's first in another kustomize build: the
 * same rule at the same place, its message the same but for the namespace
 * each build sets (`namespace:` of one overlay against another's). */
static bool same_in_other_unit(ml_run *run, unit_group *g, const ml_diag *a, const ml_diag *b)
{
    if (a->rule != b->rule || loc_cmp(&a->loc, &b->loc) != 0 || !g->units || g->units->n < 2)
        return false;
    for (size_t i = 0; i < g->units->n; i++) {
        const ml_unit *u1 = g->units->items[i];
        if (!u1->ns || (g->first && g->first != u1))
            continue;
        for (size_t j = 0; j < g->units->n; j++) {
            const ml_unit *u2 = g->units->items[j];
            if (j == i || !u2->ns || !strcmp(u1->ns, u2->ns) ||
                !same_but_namespace(a->message, b->message, u1->ns, u2->ns))
                continue;
            g->first = u1;
            group_hit(run, g, u1);
            group_hit(run, g, u2);
            g->renamed = true;
            return true;
        }
    }
    return false;
}

static void add_related(ml_run *run, ml_diag *d, const ml_unit *u, const char *msg)
{
    ml_related *r = ml_alloc(&run->arena, (d->nrelated + 1) * sizeof *r);
    if (d->nrelated)
        memcpy(r, d->related, d->nrelated * sizeof *r);
    memset(&r[d->nrelated], 0, sizeof r[d->nrelated]);
    if (u->file) {
        r[d->nrelated].loc.file = u->file;
        r[d->nrelated].loc.line = r[d->nrelated].loc.end_line = 1;
        r[d->nrelated].loc.col = r[d->nrelated].loc.end_col = 1;
    }
    r[d->nrelated].message = msg;
    d->related = r;
    d->nrelated++;
}

/* A finding in a base reached through several kustomize builds is reported
 * once. When it held in every build that includes its file, a note names
 * each of them (at its kustomization); when the builds set different
 * namespaces, the finding is the first build's and a note names each build
 * it holds in with its namespace. */
static void note_units(ml_run *run, ml_diag *d, const unit_group *g)
{
    if (!d->loc.file || !g->units || g->units->n < 2)
        return;
    const ml_vec *v = g->units;
    if (g->renamed) {
        ML_VEC_EACH(const ml_unit *, u, &g->hit)
            add_related(run, d, u,
                        ml_printf(&run->arena, "holds in the kustomize build of %s (namespace %s)%s", u->name,
                                  u->ns, u == g->first ? ", whose objects this message names" : ""));
        /* a build that is not named may still have given a finding whose
         * message is the first's word for word: say nothing of it then */
        if (g->hit.n == v->n || g->hit.n != g->count)
            return;
        ML_VEC_EACH(const ml_unit *, u, v) {
            bool hit = false;
            ML_VEC_EACH(const ml_unit *, h, &g->hit)
                hit |= h == u;
            if (!hit)
                add_related(run, d, u,
                            ml_printf(&run->arena, "the kustomize build of %s also includes this file; "
                                                   "the finding was not found there",
                                      u->name));
        }
        return;
    }
    if (v->n != g->count)
        return;
    ML_VEC_EACH(const ml_unit *, u, v)
        add_related(run, d, u,
                    ml_printf(&run->arena, "holds in the kustomize build of %s (one of the %zu builds that "
                                           "include this file; reported once)",
                              u->name, v->n));
}

void ml_run_rules(ml_run *run)
{
    rule_job *jobs = ml_zalloc(&run->arena, (ml_rules_count ? ml_rules_count : 1) * sizeof *jobs);
    size_t njobs = 0;
    for (size_t i = 0; i < ml_rules_count; i++) {
        const ml_rule *r = ml_rules[i];
        if (ml_config_rule_level(&run->cfg, r) != ML_LEVEL_NONE)
            jobs[njobs++].rule = r;
    }
    run_rule_jobs(run, jobs, njobs);
    ml_vec raw = {0};
    for (size_t i = 0; i < njobs; i++) {
        const ml_rule_cfg *rc = ml_map_gets(&run->cfg.rules, jobs[i].rule->id);
        ML_VEC_EACH(ml_diag *, d, &jobs[i].out) {
            if (rc && rc->level != ML_LEVEL_NONE)
                d->level = rc->level;
            ml_vec_push(&run->arena, &raw, d);
        }
    }
    /* report only on the files asked about (--context loads the rest): a
     * finding is kept when its primary location or one of its related
     * locations is in such a file, so that a change is checked against the
     * files it did not touch (a staged VirtualService that routes to a subset
     * selecting no pod is reported although the subset is elsewhere) */
    ml_vec kept = {0};
    ML_VEC_EACH(ml_diag *, d, &raw) {
        bool keep = !d->loc.file || d->loc.file->report;
        for (size_t i = 0; !keep && i < d->nrelated; i++)
            keep = d->related[i].loc.file && d->related[i].loc.file->report;
        if (keep)
            ml_vec_push(&run->arena, &kept, d);
    }
    ml_vec_sort(&kept, diag_cmp);
    run->diags.n = 0;
    ml_map units_of;
    ml_map_init(&units_of);
    units_by_file(run, &units_of);
    unit_group g;
    memset(&g, 0, sizeof g);
    ML_VEC_EACH(ml_diag *, d, &kept) {
        ml_diag *prev = run->diags.n ? run->diags.items[run->diags.n - 1] : NULL;
        if (prev && (same_finding(prev, d) || same_in_other_unit(run, &g, prev, d))) {
            g.count++;
            continue;
        }
        if (prev && g.count > 1)
            note_units(run, prev, &g);
        memset(&g, 0, sizeof g);
        g.count = 1;
        g.units = d->loc.file ? ml_map_get_ptr(&units_of, d->loc.file) : NULL;
        ml_vec_push(&run->arena, &run->diags, d);
    }
    if (run->diags.n && g.count > 1)
        note_units(run, run->diags.items[run->diags.n - 1], &g);
    ml_map_free(&units_of);
    apply_suppressions(run);
    /* fingerprints, made unique in output order */
    ml_map seen, seen2;
    ml_map_init(&seen);
    ml_map_init(&seen2);
    ML_VEC_EACH(ml_diag *, d, &run->diags) {
        for (int k = 0; k < 2; k++) {
            const char *fp = ml_fingerprint(&run->arena, d, k == 0);
            void **slot = ml_map_slot_for(k == 0 ? &seen : &seen2, fp, strlen(fp));
            uintptr_t count = (uintptr_t)*slot + 1;
            *slot = (void *)count;
            const char *u = count == 1 ? fp : ml_printf(&run->arena, "%s:%lu", fp, (unsigned long)count);
            if (k == 0)
                d->fingerprint = u;
            else
                d->fingerprint2 = u;
        }
    }
    ml_map_free(&seen);
    ml_map_free(&seen2);
}

/* ---- loading ------------------------------------------------------------ */

void ml_run_init(ml_run *run)
{
    memset(run, 0, sizeof *run);
    ml_arena_init(&run->arena);
    ml_config_defaults(&run->cfg, &run->arena);
    run->jobs = 1;
}

void ml_run_free(ml_run *run)
{
    /* the file table's ids of every file a document came from (inputs,
     * Markdown views, kustomize sources) */
    ML_VEC_EACH(ml_doc *, d, &run->model.docs)
        ml_file_release(d->file);
    ml_model_free(&run->model);
    ML_VEC_EACH(ml_file *, f, &run->model.files) {
        free(f->line_off);
        f->line_off = NULL;
        ml_file_release(f);
    }
    ml_map_free(&run->cfg.rules);
    for (unsigned i = 0; i < run->nload_arenas; i++)
        ml_arena_free(&run->load_arenas[i]);
    free(run->load_arenas);
    run->load_arenas = NULL;
    run->nload_arenas = 0;
    ml_arena_free(&run->arena);
}

typedef struct input {
    const char *path;   /* on disk, or "-" */
    const char *display;
    bool report;
} input;

static int input_cmp(const void *x, const void *y)
{
    const input *a = *(const input *const *)x, *b = *(const input *const *)y;
    int c = strcmp(a->display, b->display);
    if (c)
        return c;
    /* the report copy first, so de-duplication keeps it */
    return (int)b->report - (int)a->report;
}

/* ---- parallel reading and parsing ----------------------------------------
 *
 * Reading a file and parsing its YAML touch nothing but the file and an
 * arena, so worker threads do both, each into an arena of its own that lives
 * as long as the run. Everything that builds the model (documents, resources,
 * TypeScript and Markdown) happens on the main thread in path order, so the
 * model, and so the output, is the same for any number of jobs. The main
 * thread parses too, and adds each file the moment it and all files before
 * it are ready; with one job it simply reads, parses and adds in turn.
 */

/* Where a YAML file shows that it is a template rather than a manifest, as
 * a byte offset, or -1. Jinja and Ansible block tags ({% ... %}) are never
 * YAML; a {{ ... }} expression is a template when it stands at the start of
 * a line or as a plain (unquoted) value, or in a field that names an object
 * (name, namespace, kind, apiVersion) - in any other quoted string it is data
 * (a Prometheus alert text, an Argo Workflows parameter). */
static long template_marker(const char *d, size_t n)
{
    const char *end = d + n;
    for (const char *line = d; line < end;) {
        const char *le = memchr(line, '\n', (size_t)(end - line));
        if (!le)
            le = end;
        const char *p = line;
        while (p < le && (*p == ' ' || *p == '\t'))
            p++;
        if (p < le && *p != '#') {
            const char *pct = NULL, *brace = NULL;
            for (const char *q = p; q + 1 < le && !pct; q++) {
                q = memchr(q, '{', (size_t)(le - q - 1));
                if (!q)
                    break;
                if (q[1] == '%')
                    pct = q;
                if (q[1] == '{' && !brace)
                    brace = q;
            }
            if (pct)
                return pct - d;
            if (brace) {
                const char *t = p;
                if (t + 1 < le && t[0] == '-' && t[1] == ' ')
                    t += 2;
                if (brace == t)
                    return brace - d; /* {{ ... }} where a key or an item starts */
                const char *colon = memchr(t, ':', (size_t)(brace - t));
                if (colon) {
                    const char *v = colon + 1;
                    while (v < brace && *v == ' ')
                        v++;
                    if (v == brace)
                        return brace - d; /* key: {{ x }} unquoted: a flow mapping to YAML, a value to Jinja */
                    size_t kl = (size_t)(colon - t);
                    static const char *const ident[] = {"name", "namespace", "kind", "apiVersion"};
                    for (size_t i = 0; i < 4; i++)
                        if (kl == strlen(ident[i]) && !strncmp(t, ident[i], kl))
                            return brace - d;
                }
            }
        }
        line = le + 1;
    }
    return -1;
}

typedef struct load_job {
    input *in;
    const ml_file_source *src;
    int tpl;          /* 0, 1 placeholder file, 2 Jinja/Ansible template */
    long tpl_off;     /* where it shows (2) */
    ml_file *f;       /* NULL when reading failed */
    read_err err;
    ml_yaml_result res;
    bool done;        /* under pool.mu */
} load_job;

typedef struct load_pool {
    load_job *jobs;
    size_t n;
    size_t next;      /* next job to claim, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} load_pool;

typedef struct load_worker {
    load_pool *pool;
    ml_arena *arena;
} load_worker;

static void do_job(ml_arena *a, ml_yaml_strings *strs, load_job *j)
{
    input *in = j->in;
    j->f = read_file_in(a, j->src, in->path, in->display, &j->err);
    if (!j->f)
        return;
    if (j->f->type == ML_FILE_OTHER && strcmp(in->path, "-") == 0)
        j->f->type = ML_FILE_YAML; /* standard input without a telling name */
    if (strcmp(in->path, "-") != 0 && placeholder_name(in->display)) {
        /* a placeholder with another extension is ours only when it looks
         * like a manifest */
        bool yaml = j->f->type == ML_FILE_YAML;
        if (yaml || (memmem(j->f->data, j->f->len, "apiVersion", 10) && memmem(j->f->data, j->f->len, "kind", 4)))
            j->tpl = 1;
        j->f->type = ML_FILE_OTHER;
        return;
    }
    if (j->f->type == ML_FILE_JSON &&
        !(memmem(j->f->data, j->f->len, "\"apiVersion\"", 12) && memmem(j->f->data, j->f->len, "\"kind\"", 6))) {
        /* JSON without apiVersion and kind is data (seed data, a package
         * manifest), not a Kubernetes object */
        j->f->type = ML_FILE_OTHER;
        return;
    }
    if (j->f->type == ML_FILE_YAML && (j->tpl_off = template_marker(j->f->data, j->f->len)) >= 0) {
        j->tpl = 2;
        return;
    }
    if (j->f->type == ML_FILE_YAML || j->f->type == ML_FILE_JSON)
        ml_yaml_load_shared(a, strs, j->f, &j->res);
}

/* The next unclaimed job, or NULL. */
static load_job *claim(load_pool *p)
{
    pthread_mutex_lock(&p->mu);
    load_job *j = p->next < p->n ? &p->jobs[p->next++] : NULL;
    pthread_mutex_unlock(&p->mu);
    return j;
}

static void finish(load_pool *p, load_job *j)
{
    pthread_mutex_lock(&p->mu);
    j->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
    load_worker *w = arg;
    load_job *j;
    /* the thread's files share their short scalars (yaml.h) */
    ml_yaml_strings *strs = ml_yaml_strings_new(w->arena);
    while ((j = claim(w->pool))) {
        do_job(w->arena, strs, j);
        finish(w->pool, j);
    }
    ml_yaml_strings_free(strs);
    return NULL;
}

static bool is_done(load_pool *p, load_job *j)
{
    pthread_mutex_lock(&p->mu);
    bool d = j->done;
    pthread_mutex_unlock(&p->mu);
    return d;
}

/* Add a read (and parsed) file to the model: main thread, path order. */
static void add_file(ml_run *run, load_job *j, unsigned *index, bool *ok)
{
    ml_model *m = &run->model;
    ml_file *f = j->f;
    if (!f) {
        ml_vec_push(&run->arena, &run->io_errors,
                    ml_printf(&run->arena, "%s: %s", j->in->display, read_err_str(j->err)));
        *ok = false;
        return;
    }
    f->report = j->in->report;
    f->index = (*index)++;
    ml_vec_push(&run->arena, &m->files, f);
    if (j->tpl) {
        ml_unlinted *u = ml_zalloc(&run->arena, sizeof *u);
        u->kind = ML_UNLINTED_TEMPLATE;
        u->path = f->path;
        if (j->tpl == 2) {
            u->loc = ml_loc_from_offsets(f, (uint32_t)j->tpl_off, (uint32_t)j->tpl_off + 2);
            u->what = "a Jinja/Ansible template (its {{ }} or {% %} are filled in before it is applied)";
        } else {
            u->loc = ml_loc_from_offsets(f, 0, 0);
            u->what = "a placeholder manifest (a template file, filled in before it is applied)";
        }
        u->how = ml_printf(&run->arena,
                           "render it as it is deployed and lint the output: `RENDER %s | meshlint --stdin-filename %s "
                           "-`; or exclude it with `ignore:` in .meshlint.yaml",
                           f->path, f->path);
        ml_vec_push(&run->arena, &m->unlinted, u);
        return;
    }
    if (f->type == ML_FILE_YAML || f->type == ML_FILE_JSON) {
        ML_VEC_EACH(ml_doc *, doc, &j->res.docs) {
            ml_vec_push(&run->arena, &m->docs, doc);
            ml_model_add_doc(m, doc);
        }
        ML_VEC_EACH(ml_yaml_error *, e, &j->res.errors)
            ml_vec_push(&run->arena, &m->yaml_errors, e);
    } else if (f->type == ML_FILE_TS) {
        ml_vec_push(&run->arena, &m->ts_files, f);
    } else if (f->type == ML_FILE_MARKDOWN) {
        ml_md_extract(m, f);
    } else if (f->type == ML_FILE_PROTO) {
        size_t before = m->proto_services.n;
        ml_proto_parse(m->arena, f, &m->proto_services);
        for (size_t i = before; i < m->proto_services.n; i++) {
            ml_proto_service *ps = m->proto_services.items[i];
            ml_map_push(&m->proto_by_name, m->arena, ps->name, strlen(ps->name), ps);
        }
    }
}

static bool load_all(ml_run *run, load_job *jobs, size_t n)
{
    load_pool pool;
    memset(&pool, 0, sizeof pool);
    pool.jobs = jobs;
    pool.n = n;
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.cv, NULL);

    size_t nthreads = run->jobs > 1 ? run->jobs - 1 : 0; /* the main thread is one more */
    if (nthreads > n / 2)
        nthreads = n / 2; /* a worker for fewer than two files is not worth a thread */
    pthread_t *tids = NULL;
    load_worker *workers = NULL;
    size_t started = 0;
    if (nthreads) {
        tids = calloc(nthreads, sizeof *tids);
        workers = calloc(nthreads, sizeof *workers);
        ml_arena *arenas = realloc(run->load_arenas, (run->nload_arenas + nthreads) * sizeof *arenas);
        if (tids && workers && arenas) {
            run->load_arenas = arenas;
            for (size_t t = 0; t < nthreads; t++) {
                ml_arena *a = &run->load_arenas[run->nload_arenas];
                ml_arena_init(a);
                workers[t].pool = &pool;
                workers[t].arena = a;
                if (pthread_create(&tids[started], NULL, worker_main, &workers[t]) != 0)
                    break; /* fewer threads: the main thread does the rest */
                run->nload_arenas++;
                started++;
            }
        } else if (arenas) {
            run->load_arenas = arenas;
        }
    }

    bool ok = true;
    unsigned index = 0;
    ml_yaml_strings *strs = ml_yaml_strings_new(&run->arena);
    for (size_t next_add = 0; next_add < n;) {
        load_job *j = &jobs[next_add];
        if (is_done(&pool, j)) {
            add_file(run, j, &index, &ok);
            next_add++;
            continue;
        }
        load_job *mine = claim(&pool);
        if (mine) {
            do_job(&run->arena, strs, mine);
            finish(&pool, mine);
            continue;
        }
        pthread_mutex_lock(&pool.mu);
        while (!j->done)
            pthread_cond_wait(&pool.cv, &pool.mu);
        pthread_mutex_unlock(&pool.mu);
    }
    ml_yaml_strings_free(strs);
    for (size_t t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    free(workers);
    pthread_cond_destroy(&pool.cv);
    pthread_mutex_destroy(&pool.mu);
    return ok;
}

/* Is path the file st describes? Compared by last component first (cheap),
 * then by device and inode. */
static bool same_file(const char *path, const char *base, const struct stat *st)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    if (strcmp(b, base) != 0)
        return false;
    struct stat pst;
    return stat(path, &pst) == 0 && pst.st_dev == st->st_dev && pst.st_ino == st->st_ino;
}

/* ---- kustomize units -------------------------------------------------------
 *
 * Every kustomization among the inputs is built (kustomize.c); one that no
 * other includes is a root, an apply unit of its own. The files a build uses
 * (bases, patches, generator sources, nested kustomizations) are not loaded
 * as loose files: they are linted as the units render them. */

static ml_file *kust_read(void *ud, const char *path, const char **err)
{
    ml_run *run = ud;
    read_err e = {0, NULL};
    ml_file *f = read_file_in(&run->arena, run->source, path, path, &e);
    if (!f)
        *err = read_err_str(e);
    return f;
}

static ml_kpath kust_kind(void *ud, const char *path)
{
    (void)ud;
    struct stat st;
    if (stat(path, &st) != 0)
        return ML_KPATH_NONE;
    return S_ISDIR(st.st_mode) ? ML_KPATH_DIR : S_ISREG(st.st_mode) ? ML_KPATH_FILE : ML_KPATH_NONE;
}

/* p, or the end of the run when malloc failed (as the arena does) */
static void *must(void *p)
{
    if (!p) {
        fputs("meshlint: out of memory\n", stderr);
        abort();
    }
    return p;
}

typedef struct kust_state {
    ml_kust k;
    ml_vec roots;    /* ml_kust_result* that no other build includes, path order */
    ml_vec results;  /* every ml_kust_result* */
    ml_map used;     /* path -> (void*)1: used by some build */
    ml_map report;   /* path -> (void*)1: to be reported on */
} kust_state;

static const char *kust_dir(ml_arena *a, const char *kfile)
{
    const char *s = strrchr(kfile, '/');
    return s ? ml_strndup(a, kfile, (size_t)(s - kfile)) : ".";
}

static void kust_build_all(ml_run *run, ml_vec *all, kust_state *ks)
{
    ml_kust_init(&ks->k, &run->arena, (ml_kust_io){.ud = run, .read = kust_read, .kind = kust_kind});
    ml_map_init(&ks->used);
    ml_map_init(&ks->report);
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(input *, in, all) {
        if (!strcmp(in->path, "-") || !ml_kust_is_kfile(in->path))
            continue;
        const char *dir = ml_path_clean(&run->arena, kust_dir(&run->arena, in->path));
        ml_kust_result *r = ml_map_gets(&seen, dir);
        if (!r) {
            r = ml_zalloc(&run->arena, sizeof *r);
            ml_kust_build(&ks->k, dir, r);
            ml_map_put(&seen, dir, strlen(dir), r);
            ml_vec_push(&run->arena, &ks->results, r);
        }
        if (in->report)
            ml_map_put(&ks->report, r->dir, strlen(r->dir), (void *)1);
    }
    ml_map_free(&seen);
    ML_VEC_EACH(ml_kust_result *, r, &ks->results) {
        bool included = false;
        ML_VEC_EACH(ml_kust_result *, o, &ks->results)
            if (o != r && ml_map_gets(&o->included, r->dir))
                included = true;
        if (!included)
            ml_vec_push(&run->arena, &ks->roots, r);
        ML_VEC_EACH(const char *, p, &r->included_v)
            ml_map_put(&ks->used, p, strlen(p), (void *)1);
    }
    /* a root asked about reports on everything it uses */
    ML_VEC_EACH(ml_kust_result *, r, &ks->roots)
        if (ml_map_gets(&ks->report, r->dir))
            ML_VEC_EACH(const char *, p, &r->included_v)
                ml_map_put(&ks->report, p, strlen(p), (void *)1);
}

static bool same_unlinted(const ml_unlinted *a, const ml_unlinted *b)
{
    return a->loc.file == b->loc.file && a->loc.off == b->loc.off && a->error == b->error &&
           strcmp(a->what, b->what) == 0;
}

static void kust_add_units(ml_run *run, kust_state *ks, unsigned *index)
{
    ml_model *m = &run->model;
    ML_VEC_EACH(ml_file *, f, &ks->k.read) {
        f->report = ml_map_gets(&ks->report, f->path) != NULL;
        f->index = (*index)++;
        ml_vec_push(&run->arena, &m->files, f);
    }
    ML_VEC_EACH(ml_yaml_error *, e, &ks->k.yaml_errors)
        ml_vec_push(&run->arena, &m->yaml_errors, e);
    unsigned id = 0;
    ML_VEC_EACH(ml_kust_result *, r, &ks->roots) {
        if (r->component) { /* not an apply unit: only its note */
            ML_VEC_EACH(ml_unlinted *, e, &r->unlinted)
                ml_vec_push(&run->arena, &m->unlinted, e);
            continue;
        }
        ml_unit *u = ml_zalloc(&run->arena, sizeof *u);
        u->kind = ML_UNIT_KUSTOMIZE;
        u->id = ++id;
        u->name = r->dir;
        u->file = r->kfile;
        u->ns = r->ns;
        ml_vec_push(&run->arena, &m->units, u);
        ML_VEC_EACH(ml_doc *, d, &r->docs) {
            d->unit = u;
            ml_vec_push(&run->arena, &m->docs, d);
            ml_model_add_doc(m, d);
        }
        ML_VEC_EACH(ml_unlinted *, e, &r->unlinted) {
            bool dup = false;
            ML_VEC_EACH(ml_unlinted *, o, &m->unlinted)
                dup |= same_unlinted(e, o);
            if (!dup)
                ml_vec_push(&run->arena, &m->unlinted, e);
        }
    }
}

static void kust_free(kust_state *ks)
{
    ML_VEC_EACH(ml_kust_result *, r, &ks->results)
        ml_kust_result_free(r);
    ml_map_free(&ks->used);
    ml_map_free(&ks->report);
    ml_kust_free(&ks->k);
}

/* A Helm chart's templates are not linted (walk skips templates/): say so
 * once per chart, at its Chart.yaml. */
static void add_charts(ml_run *run, unsigned *index)
{
    ml_model *m = &run->model;
    ML_VEC_EACH(const char *, dir, &run->charts) {
        const char *cy = join(&run->arena, dir, "Chart.yaml");
        ml_file *f = NULL;
        ML_VEC_EACH(ml_file *, g, &m->files)
            if (!strcmp(g->path, cy))
                f = g;
        if (!f) {
            const char *err = NULL;
            f = ml_read_file(run, cy, cy, &err);
            if (!f)
                continue;
            f->index = (*index)++;
            ml_vec_push(&run->arena, &m->files, f);
        }
        ml_unlinted *u = ml_zalloc(&run->arena, sizeof *u);
        u->kind = ML_UNLINTED_HELM_CHART;
        u->loc = ml_loc_from_offsets(f, 0, 0);
        u->path = ml_printf(&run->arena, "%s/templates", dir);
        u->what = "the templates of a Helm chart (Go templates, rendered by helm)";
        u->how = ml_printf(&run->arena, "render the chart and lint the output: `helm template RELEASE %s | meshlint "
                                        "--stdin-filename %s/rendered.yaml -`",
                           dir, dir);
        ml_vec_push(&run->arena, &m->unlinted, u);
    }
}

bool ml_run_load(ml_run *run, ml_vec *report_paths, ml_vec *context_paths, const char *stdin_name)
{
    ml_vec all = {0};
    const char *stdin_display = stdin_name ? normalize(&run->arena, stdin_name) : "<stdin>";
    for (int pass = 0; pass < 2; pass++) {
        ml_vec *v = pass == 0 ? report_paths : context_paths;
        for (size_t i = 0; v && i < v->n; i++) {
            input *in = ml_zalloc(&run->arena, sizeof *in);
            in->path = v->items[i];
            in->display = strcmp(in->path, "-") == 0 ? stdin_display : in->path;
            in->report = pass == 0;
            ml_vec_push(&run->arena, &all, in);
        }
    }
    ml_vec_sort(&all, input_cmp);
    ml_model_init(&run->model, &run->arena, &run->cfg);
    bool has_stdin = false;
    ML_VEC_EACH(input *, in, &all)
        has_stdin |= strcmp(in->path, "-") == 0;
    /* The file standard input stands in for is found by identity (device and
     * inode), so /abs/dir/f.yaml and ./f.yaml are one file; only inputs with
     * the same last path component are stat'ed. */
    struct stat stdin_st;
    bool stdin_on_disk = has_stdin && stdin_name && stat(stdin_name, &stdin_st) == 0;
    const char *stdin_base = stdin_name ? strrchr(stdin_display, '/') : NULL;
    stdin_base = stdin_base ? stdin_base + 1 : stdin_display;
    kust_state ks;
    memset(&ks, 0, sizeof ks);
    kust_build_all(run, &all, &ks);
    /* the jobs are done with when load_all returns (add_file copies what
     * it keeps): malloc'd, not in the run's arena */
    load_job *jobs = must(calloc(all.n ? all.n : 1, sizeof *jobs));
    size_t njobs = 0;
    const char *last = NULL;
    char small[512];
    for (size_t i = 0; i < all.n; i++) {
        input *in = all.items[i];
        /* a file a kustomization uses is linted as its build renders it;
         * the cleaned path is a temporary (one per input: 30,500 at N =
         * 10,000), kept only when the report map needs it */
        if (strcmp(in->path, "-") != 0) {
            size_t n = strlen(in->path);
            char *clean = n + 2 <= sizeof small ? small : must(malloc(n + 2));
            size_t clen = ml_path_clean_to(clean, in->path);
            bool used = ml_map_get(&ks.used, clean, clen) || ml_kust_is_kfile(clean);
            if (used && in->report)
                ml_map_put(&ks.report, ml_strndup(&run->arena, clean, clen), clen, (void *)1);
            if (clean != small)
                free(clean);
            if (used)
                continue;
        }
        /* when stdin stands in for a file, its copy on disk is not read */
        if (has_stdin && strcmp(in->path, "-") != 0) {
            if (strcmp(in->display, stdin_display) == 0)
                continue;
            if (stdin_on_disk && same_file(in->path, stdin_base, &stdin_st))
                continue;
        }
        if (last && strcmp(last, in->display) == 0)
            continue; /* named twice (the report copy sorts first) */
        last = in->display;
        jobs[njobs].src = run->source;
        jobs[njobs++].in = in;
    }
    bool ok = load_all(run, jobs, njobs);
    free(jobs);
    unsigned index = (unsigned)run->model.files.n;
    kust_add_units(run, &ks, &index);
    kust_free(&ks);
    add_charts(run, &index);
    /* With -j2 and more, TypeScript extraction runs on a thread of its own
     * while this one finishes the model: the two share no mutable state.
     * Extraction works on a copy of the model struct whose arena is its
     * own (alive for the run, with the loaders' arenas): it reads the
     * files, which nothing changes any more, and writes only the servers,
     * the TypeScript memo and import cache (ts.h) and that arena;
     * ml_model_finish writes the indexes and never reads those. The copy's
     * servers, memo and cache are taken back after the join. It is the
     * same sequential extraction, file by file in load order, so what it
     * finds does not depend on -j. */
    ml_model tsm;
    pthread_t ts_tid;
    bool ts_thread = false;
    if (run->jobs > 1 && run->model.ts_files.n) {
        ml_arena *arenas = realloc(run->load_arenas, (run->nload_arenas + 1) * sizeof *arenas);
        if (arenas) {
            run->load_arenas = arenas;
            ml_arena_init(&arenas[run->nload_arenas]);
            tsm = run->model;
            tsm.arena = &arenas[run->nload_arenas];
            if (pthread_create(&ts_tid, NULL, ts_extract_main, &tsm) == 0) {
                ts_thread = true;
                run->nload_arenas++;
            }
        }
    }
    if (!ts_thread)
        ts_extract_main(&run->model);
    ml_model_finish(&run->model);
    if (ts_thread) {
        pthread_join(ts_tid, NULL);
        run->model.servers = tsm.servers;
        run->model.ts_memo = tsm.ts_memo;
        run->model.ts_imports = tsm.ts_imports;
    }
    ml_link_servers(&run->model);
    ml_mesh_compute(&run->model);
    return ok;
}
