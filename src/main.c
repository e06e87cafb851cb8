/*
 * main.c - the meshlint command line.
 *
 * Parses flags, loads configuration, runs the engine and hands the findings
 * to the chosen reporter. Exit status: 0 nothing at or above --fail-on,
 * 1 findings at or above it, 2 usage, configuration or I/O error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "meshlint/dump.h"
#include "meshlint/engine.h"
#include "meshlint/explain.h"
#include "meshlint/lsp.h"
#include "meshlint/report.h"
#include "meshlint/version.h"

enum {
    OPT_COLOR = 256,
    OPT_CONFIG,
    OPT_NO_CONFIG,
    OPT_FAIL_ON,
    OPT_ASSUME_COMPLETE,
    OPT_ENABLE,
    OPT_DISABLE,
    OPT_ONLY,
    OPT_LIST_RULES,
    OPT_EXPLAIN,
    OPT_VERSION,
    OPT_STDIN_FILENAME,
    OPT_CONTEXT,
    OPT_MARKDOWN,
    OPT_DUMP_MODEL,
    OPT_BASELINE,
    OPT_WRITE_BASELINE,
    OPT_MAN_RULES,
    OPT_MIN_LEVEL,
    OPT_SARIF_SUPPRESSED,
    OPT_LSP,
    OPT_NO_IGNORE_FILES,
};

static const struct option long_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"no-ignore-files", no_argument, NULL, OPT_NO_IGNORE_FILES},
    {"assume-complete", no_argument, NULL, OPT_ASSUME_COMPLETE},
    {"enable", required_argument, NULL, OPT_ENABLE},
    {"disable", required_argument, NULL, OPT_DISABLE},
    {"only", required_argument, NULL, OPT_ONLY},
    {"namespace", required_argument, NULL, 'n'},
    {"list-rules", no_argument, NULL, OPT_LIST_RULES},
    {"explain", required_argument, NULL, OPT_EXPLAIN},
    {"quiet", no_argument, NULL, 'q'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {"stdin-filename", required_argument, NULL, OPT_STDIN_FILENAME},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"markdown", no_argument, NULL, OPT_MARKDOWN},
    {"dump-model", no_argument, NULL, OPT_DUMP_MODEL},
    {"jobs", required_argument, NULL, 'j'},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
    {"print-rules-man", no_argument, NULL, OPT_MAN_RULES}, /* build-time: writes meshlint-rules(7) */
    {"min-level", required_argument, NULL, OPT_MIN_LEVEL},
    {"sarif-suppressed", required_argument, NULL, OPT_SARIF_SUPPRESSED},
    {"lsp", no_argument, NULL, OPT_LSP},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "usage: meshlint [options] [path ...]\n"
    "\n"
    "Lint Kubernetes/Istio manifests and Connectum server code together.\n"
    "Paths are files or directories (default: .); - reads standard input.\n"
    "\n"
    "Output:\n"
    "  -f, --format FORMAT       text (default), gcc, json, sarif, github, codeclimate\n"
    "  -o, --output FILE         write the report to FILE (atomically)\n"
    "      --color WHEN          auto (default), always, never\n"
    "      --sarif-suppressed WHAT  omit (default) or keep suppressed and baselined\n"
    "                            results in SARIF\n"
    "  -q, --quiet               text: findings only, no source lines or summary\n"
    "      --fail-on LEVEL       exit 1 on findings at or above LEVEL:\n"
    "                            error, warning (default), note, never\n"
    "      --min-level LEVEL     show only findings at or above LEVEL: note (default),\n"
    "                            warning, error (the exit status still follows --fail-on)\n"
    "\n"
    "Input:\n"
    "      --context DIR         load DIR for cross-references; report only on the paths given\n"
    "      --stdin-filename NAME name standard input (-) as NAME\n"
    "      --markdown            also lint ts/yaml code blocks in .md files\n"
    "      --no-ignore-files     walk directories without .gitignore and .meshlintignore\n"
    "      --assume-complete     the input is the whole cluster: absence is a finding\n"
    "  -n, --namespace NS        manifests without metadata.namespace go to NS (as kubectl -n);\n"
    "                            without it they share one namespace chosen at apply time\n"
    "  -j, --jobs N              parallel file loading (default: online CPUs)\n"
    "\n"
    "Rules and configuration:\n"
    "      --config FILE         read FILE instead of the nearest .meshlint.yaml\n"
    "      --no-config           read no configuration file\n"
    "      --enable RULES        enable rules (ids or names, comma-separated)\n"
    "      --disable RULES       disable rules\n"
    "      --only RULES          run only these rules\n"
    "      --baseline FILE       report only findings not in FILE (a SARIF or JSON report)\n"
    "      --write-baseline FILE write all current findings to FILE as a baseline\n"
    "      --list-rules          list every rule and exit (--format json: as JSON)\n"
    "      --explain RULE        describe a rule and exit\n"
    "      --dump-model          print the model (resources, servers, links) as JSON\n"
    "      --lsp                 serve the Language Server Protocol on standard input and output\n"
    "      --version             print the version and exit\n"
    "  -h, --help                print this help and exit\n";

/* Every message to standard error goes through complain(): text that comes
 * from the input or the command line (paths found while walking a tree, keys
 * of a configuration file) is escaped, so that control characters and
 * escape sequences never reach the terminal raw. */
/* A kustomization that cannot be built (ML011 reports it). */
static bool has_build_error(const ml_model *m)
{
    ML_VEC_EACH(ml_unlinted *, u, &m->unlinted)
        if (u->error)
            return true;
    return false;
}

static void complain(const char *fmt, ...) ML_PRINTF(1, 2);
static void complain(const char *fmt, ...)
{
    ml_buf raw, safe;
    ml_buf_init(&raw);
    ml_buf_init(&safe);
    va_list ap;
    va_start(ap, fmt);
    ml_buf_vprintf(&raw, fmt, ap);
    va_end(ap);
    ml_text_escape(&safe, raw.s ? raw.s : "", raw.n);
    fputs("meshlint: ", stderr);
    if (safe.n)
        fwrite(safe.s, 1, safe.n, stderr);
    fputc('\n', stderr);
    ml_buf_free(&raw);
    ml_buf_free(&safe);
}

/* Print a usage error and release the run (so that leak checkers see a
 * clean exit on every path); the exit status is 2. */
static int usage_error(ml_run *run, const char *fmt, const char *arg)
{
    ml_run_free(run);
    ml_buf msg;
    ml_buf_init(&msg);
    ml_buf_printf(&msg, fmt, arg);
    complain("%s", msg.s ? msg.s : "");
    ml_buf_free(&msg);
    fputs("Try 'meshlint --help'.\n", stderr);
    return 2;
}

/* The temporary file of the report being written, removed if a signal
 * ends the run before the rename (the only mutable global of main.c: a
 * signal handler has no other way to know it). */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_live;

static void on_fatal_signal(int sig)
{
    if (tmp_live)
        unlink(tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void guard_signals(void (*handler)(int))
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sigemptyset(&sa.sa_mask);
        /* a file-size limit makes write() fail with EFBIG, reported below */
        if (sigs[i] == SIGXFSZ)
            sa.sa_handler = handler == SIG_DFL ? SIG_DFL : SIG_IGN;
        sigaction(sigs[i], &sa, NULL);
    }
}

static bool write_all(int fd, const ml_buf *buf, int *err)
{
    size_t off = 0;
    while (off < buf->n) {
        ssize_t w = write(fd, buf->s + off, buf->n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            return false;
        }
        off += (size_t)w;
    }
    return true;
}

/* Write in place: standard output itself, a device, a FIFO, or a regular
 * file with other hard links (a rename would split them). */
static bool write_in_place(const char *path, const ml_buf *buf, bool truncate, bool is_stdout)
{
    int err = 0;
    if (is_stdout) {
        if (fflush(stdout) != 0 || !write_all(1, buf, &err)) {
            complain("cannot write %s: %s", path, strerror(err ? err : errno));
            return false;
        }
        return true;
    }
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0));
    if (fd < 0) {
        complain("cannot write %s: %s", path, strerror(errno));
        return false;
    }
    bool ok = write_all(fd, buf, &err);
    if (close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok)
        complain("cannot write %s: %s", path, strerror(err));
    return ok;
}

/* Write buf to path. A regular file (new, or with one link) is replaced
 * through a temporary file in its own directory (a symlink's target's), so
 * a reader never sees a partial report and a full disk leaves the old one;
 * the replacement keeps the old file's mode. Standard output, devices,
 * FIFOs and files with several hard links are written in place. */
static bool write_atomic(const char *path, const ml_buf *buf)
{
    struct stat st, out;
    bool exists = stat(path, &st) == 0;
    if (exists) {
        bool is_stdout = fstat(1, &out) == 0 && out.st_dev == st.st_dev && out.st_ino == st.st_ino;
        if (is_stdout || !S_ISREG(st.st_mode) || st.st_nlink > 1)
            return write_in_place(path, buf, S_ISREG(st.st_mode) && !is_stdout, is_stdout);
    }
    /* the file the name leads to: a symlink is followed, not replaced */
    char *target = exists ? realpath(path, NULL) : NULL;
    const char *dest = target ? target : path;
    if (strlen(dest) + 16 > sizeof tmp_path) {
        complain("cannot write %s: %s", path, strerror(ENAMETOOLONG));
        free(target);
        return false;
    }
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp.XXXXXX", dest);
    guard_signals(on_fatal_signal);
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        complain("%s: %s", path, strerror(errno));
        guard_signals(SIG_DFL);
        free(target);
        return false;
    }
    tmp_live = 1;
    int saved = 0;
    bool ok = write_all(fd, buf, &saved);
    if (ok && fsync(fd) != 0) {
        ok = false;
        saved = errno;
    }
    if (ok) {
        /* mkstemp creates 0600: keep the old file's mode, or make an
         * ordinary file */
        mode_t mode;
        if (exists) {
            mode = st.st_mode & 07777;
        } else {
            mode_t um = umask(0);
            umask(um);
            mode = 0666 & ~um;
        }
        if (fchmod(fd, mode) != 0) {
            ok = false;
            saved = errno;
        }
    }
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp_path, dest) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        complain("cannot write %s: %s", path, strerror(saved));
        unlink(tmp_path);
    }
    tmp_live = 0;
    guard_signals(SIG_DFL);
    free(target);
    return ok;
}

/* meshlint never modifies what it reads: refuse an output (-o,
 * --write-baseline) that is one of the inputs, the configuration or the
 * baseline, whatever its spelling (device and inode are compared). */
static bool names_an_input(const char *out, const ml_vec *const *lists, size_t nlists,
                           const char *const *files, size_t nfiles)
{
    struct stat o, st;
    if (!out || stat(out, &o) != 0 || !S_ISREG(o.st_mode))
        return false;
    for (size_t k = 0; k < nlists; k++)
        ML_VEC_EACH(const char *, p, lists[k]) {
            if (stat(p, &st) == 0 && st.st_dev == o.st_dev && st.st_ino == o.st_ino)
                return true;
        }
    for (size_t k = 0; k < nfiles; k++)
        if (files[k] && stat(files[k], &st) == 0 && st.st_dev == o.st_dev && st.st_ino == o.st_ino)
            return true;
    return false;
}

/* True (after saying why) when -o or --write-baseline would overwrite
 * something this run reads. */
static bool refuse_overwrite(const char *output, const char *write_baseline, const char *baseline,
                             const char *config, const ml_vec *report_paths, const ml_vec *context_paths)
{
    const ml_vec *lists[] = {report_paths, context_paths};
    const char *files[] = {baseline, config};
    const char *outs[][2] = {{"-o", output}, {"--write-baseline", write_baseline}};
    for (size_t k = 0; k < 2; k++) {
        const char *flag = outs[k][0], *path = outs[k][1];
        if (!path)
            continue;
        if (names_an_input(path, lists, 2, files, 2)) {
            complain("%s %s names a file this run reads (an input, the configuration or the baseline); "
                     "meshlint never modifies what it reads",
                     flag, path);
            return true;
        }
    }
    return false;
}

/* Write buf to standard output; 2 when that fails (a full disk, a closed
 * pipe), so that --help > /dev/full is an error. */
static int emit(const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, stdout) != n)
        return 2;
    if (fflush(stdout) != 0 || ferror(stdout))
        return 2;
    return 0;
}

static int emit_buf(ml_buf *b)
{
    int st = emit(b->s, b->n);
    if (st)
        complain("cannot write standard output: %s", strerror(errno));
    ml_buf_free(b);
    return st;
}

static bool split_rules(ml_run *run, const char *arg, int mode, ml_buf *err)
{
    char *copy = ml_strdup(&run->arena, arg);
    for (char *tok = strtok(copy, ", "); tok; tok = strtok(NULL, ", ")) {
        if (mode == 2) {
            const ml_rule *r = ml_rule_find(tok);
            if (!r) {
                ml_buf_printf(err, "unknown rule '%s' (see meshlint --list-rules)", tok);
                return false;
            }
            ml_vec_push(&run->arena, &run->cfg.only, (void *)r->id);
        } else if (!ml_config_enable(&run->cfg, tok, mode == 0, err)) {
            return false;
        }
    }
    return true;
}

static void list_rules(ml_buf *out, bool json)
{
    if (json) {
        ml_jw w;
        ml_jw_init(&w, out);
        ml_jw_object(&w);
        ml_jw_kint(&w, "version", 1);
        ml_jw_key(&w, "rules");
        ml_jw_array(&w);
        for (size_t i = 0; i < ml_rules_count; i++) {
            const ml_rule *r = ml_rules[i];
            ml_jw_object(&w);
            ml_jw_kstring(&w, "id", r->id);
            ml_jw_kstring(&w, "name", r->name);
            ml_jw_kstring(&w, "level", ml_level_name(r->level));
            ml_jw_kstring(&w, "summary", r->summary);
            ml_jw_key(&w, "tags");
            ml_jw_array(&w);
            for (const char *t = r->tags; t && *t;) {
                const char *e = strchr(t, ',');
                size_t n = e ? (size_t)(e - t) : strlen(t);
                if (n)
                    ml_jw_string_n(&w, t, n);
                t = e ? e + 1 : t + n;
            }
            ml_jw_end_array(&w);
            ml_jw_kstring(&w, "istioCode", r->istio_code);
            ml_jw_kstring(&w, "precision", r->precision);
            ml_jw_end_object(&w);
        }
        ml_jw_end_array(&w);
        ml_jw_end_object(&w);
        ml_buf_putc(out, '\n');
        return;
    }
    for (size_t i = 0; i < ml_rules_count; i++) {
        const ml_rule *r = ml_rules[i];
        ml_buf_printf(out, "%-6s %-44s %-8s %s\n", r->id, r->name, ml_level_name(r->level), r->summary);
    }
}

/* The long option closest to name (its first n bytes): a prefix getopt
 * found ambiguous, or a near miss; NULL when none is close. */
static const char *closest_long(const char *name, size_t n)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return NULL;
    memcpy(buf, name, n);
    buf[n] = '\0';
    const char *best = NULL;
    unsigned best_d = 3;
    for (const struct option *o = long_opts; o->name; o++) {
        if (!strcmp(o->name, "print-rules-man"))
            continue;
        unsigned d = strncmp(o->name, buf, n) == 0 ? 0 : ml_edit_distance(buf, o->name, 2);
        if (d < best_d) {
            best_d = d;
            best = o->name;
        }
    }
    return best;
}

static int did_you_mean(ml_run *run, const char *arg, const char *dashes, const char *best)
{
    ml_buf m;
    ml_buf_init(&m);
    ml_buf_printf(&m, "unknown option '%s' (did you mean %s%s?)", arg, dashes, best);
    int r = usage_error(run, "%s", m.s);
    ml_buf_free(&m);
    return r;
}

/* An unknown option: name the closest real one ("did you mean"). For a
 * short option: the same letter in the other case (-F: -f), else a long
 * option spelled with one dash (-help: --help), else the long option the
 * letter starts when only one does (-v: --version). */
static int unknown_option(ml_run *run, const char *arg, int opt)
{
    const char *name = arg;
    while (*name == '-')
        name++;
    size_t n = strcspn(name, "=");
    if (arg[0] == '-' && arg[1] == '-') {
        const char *best = closest_long(name, n);
        if (best)
            return did_you_mean(run, arg, "--", best);
    } else if (arg[0] == '-' && opt > 0 && opt < 128) {
        static const char shorts[] = "foqhjn";
        char other = (char)(opt >= 'a' && opt <= 'z' ? opt - 32 : opt >= 'A' && opt <= 'Z' ? opt + 32 : 0);
        if (other && strchr(shorts, other)) {
            char s[2] = {other, '\0'};
            return did_you_mean(run, arg, "-", s);
        }
        const char *best = n > 2 ? closest_long(name, n) : NULL;
        if (best)
            return did_you_mean(run, arg, "--", best);
        const char *only = NULL;
        size_t count = 0;
        for (const struct option *o = long_opts; o->name; o++)
            if (o->name[0] == opt && strcmp(o->name, "print-rules-man") != 0) {
                only = o->name;
                count++;
            }
        if (count == 1)
            return did_you_mean(run, arg, "--", only);
    }
    return usage_error(run, "unknown option '%s'", arg);
}

static long online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

int main(int argc, char **argv)
{
    /* a file-size limit must turn into a write error (exit 2), not a kill */
    signal(SIGXFSZ, SIG_IGN);
    ml_run run;
    ml_run_init(&run);
    const char *format = "text", *output = NULL, *color = "auto", *config = NULL, *namespace_arg = NULL;
    const char *stdin_name = NULL, *explain = NULL, *baseline = NULL, *write_baseline = NULL;
    bool no_config = false, quiet = false, dump = false, fail_on_set = false;
    bool assume_complete = false, markdown = false, list = false, no_ignore_files = false;
    ml_level min_level = ML_LEVEL_NOTE;
    bool keep_suppressed = false, lsp = false;
    ml_level fail_on = ML_LEVEL_WARNING;
    ml_vec enables = {0}, disables = {0}, onlys = {0}, contexts = {0};
    long jobs = 0;
    int c, status = 0;
    opterr = 0;
    int prev_optind = optind;
    while ((prev_optind = optind, c = getopt_long(argc, argv, ":f:o:qhj:n:", long_opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'n':
            if (!*optarg)
                return usage_error(&run, "%s", "-n/--namespace needs a namespace name");
            namespace_arg = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h': {
            ml_buf b;
            ml_buf_init(&b);
            ml_buf_puts(&b, usage_text);
            ml_run_free(&run);
            return emit_buf(&b);
        }
        case 'j': {
            char *end;
            jobs = strtol(optarg, &end, 10);
            if (*end || jobs < 1 || jobs > 256)
                return usage_error(&run, "--jobs expects a number from 1 to 256, not '%s'", optarg);
            break;
        }
        case OPT_COLOR:
            color = optarg;
            if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))
                return usage_error(&run, "--color expects auto, always or never, not '%s'", optarg);
            break;
        case OPT_CONFIG:
            config = optarg;
            break;
        case OPT_NO_CONFIG:
            no_config = true;
            break;
        case OPT_FAIL_ON:
            if (!ml_level_parse(optarg, &fail_on))
                return usage_error(&run, "--fail-on expects error, warning, note or never, not '%s'", optarg);
            fail_on_set = true;
            break;
        case OPT_ASSUME_COMPLETE:
            assume_complete = true;
            break;
        case OPT_ENABLE:
            ml_vec_push(&run.arena, &enables, optarg);
            break;
        case OPT_DISABLE:
            ml_vec_push(&run.arena, &disables, optarg);
            break;
        case OPT_ONLY:
            ml_vec_push(&run.arena, &onlys, optarg);
            break;
        case OPT_LIST_RULES:
            list = true;
            break;
        case OPT_SARIF_SUPPRESSED:
            if (strcmp(optarg, "omit") && strcmp(optarg, "keep"))
                return usage_error(&run, "--sarif-suppressed expects omit or keep, not '%s'", optarg);
            keep_suppressed = strcmp(optarg, "keep") == 0;
            break;
        case OPT_MIN_LEVEL:
            if (!ml_level_parse(optarg, &min_level) || min_level == ML_LEVEL_NONE)
                return usage_error(&run, "--min-level expects note, warning or error, not '%s'", optarg);
            break;
        case OPT_LSP:
            lsp = true;
            break;
        case OPT_EXPLAIN:
            explain = optarg;
            break;
        case OPT_VERSION: {
            ml_buf b;
            ml_buf_init(&b);
            ml_buf_printf(&b, "meshlint %s\n", ML_VERSION);
            ml_run_free(&run);
            return emit_buf(&b);
        }
        case OPT_STDIN_FILENAME:
            stdin_name = optarg;
            break;
        case OPT_CONTEXT:
            ml_vec_push(&run.arena, &contexts, optarg);
            break;
        case OPT_MARKDOWN:
            markdown = true;
            break;
        case OPT_NO_IGNORE_FILES:
            no_ignore_files = true;
            break;
        case OPT_DUMP_MODEL:
            dump = true;
            break;
        case OPT_BASELINE:
            baseline = optarg;
            break;
        case OPT_WRITE_BASELINE:
            write_baseline = optarg;
            break;
        case OPT_MAN_RULES: {
            ml_buf b;
            ml_buf_init(&b);
            ml_explain_man(&b);
            ml_run_free(&run);
            return emit_buf(&b);
        }
        case ':':
            return usage_error(&run, "option '%s' needs a value", argv[optind - 1]);
        default:
            {
            /* inside a cluster (-qx, -version) getopt has not moved past
             * the argument yet */
            const char *cur = optind == prev_optind && optind < argc ? argv[optind] : argv[optind - 1];
            return unknown_option(&run, cur, optopt);
        }
        }
    }
    if (lsp) {
        if (optind < argc)
            return usage_error(&run, "--lsp takes no paths (the client names the workspace), not '%s'", argv[optind]);
        ml_run_free(&run);
        const char *v = getenv("MESHLINT_LSP_VERBOSE");
        return ml_lsp_serve(0, 1, stderr, v && *v && strcmp(v, "0") != 0,
                            (unsigned)(jobs ? jobs : online_cpus()));
    }
    if (explain) {
        const ml_rule *r = ml_rule_find(explain);
        if (!r)
            return usage_error(&run, "unknown rule '%s' (see meshlint --list-rules)", explain);
        ml_buf b;
        ml_buf_init(&b);
        ml_explain_text(&b, r);
        ml_run_free(&run);
        return emit_buf(&b);
    }
    static const char *const formats[] = {"text", "gcc", "json", "sarif", "github", "codeclimate", NULL};
    bool known_format = false;
    for (size_t i = 0; formats[i]; i++)
        known_format |= strcmp(format, formats[i]) == 0;
    if (!known_format)
        return usage_error(&run, "--format expects text, gcc, json, sarif, github or codeclimate, not '%s'", format);
    if (list) {
        ml_buf b;
        ml_buf_init(&b);
        list_rules(&b, strcmp(format, "json") == 0);
        ml_run_free(&run);
        return emit_buf(&b);
    }

    /* configuration: file first, then flags over it */
    ml_buf err;
    ml_buf_init(&err);
    if (config && no_config)
        return usage_error(&run, "%s", "--config and --no-config exclude each other");
    const char *config_used = NULL;
    if (!no_config) {
        const char *path = config ? config : ml_config_find(&run.arena, ".");
        config_used = path;
        if (path && !ml_config_load(&run.cfg, path, &err)) {
            complain("%s", err.s);
            ml_buf_free(&err);
            ml_run_free(&run);
            return 2;
        }
    }
    for (int pass = 0; pass < 3; pass++) {
        ml_vec *v = pass == 0 ? &enables : pass == 1 ? &disables : &onlys;
        for (size_t i = 0; i < v->n; i++)
            if (!split_rules(&run, v->items[i], pass, &err)) {
                complain("%s", err.s);
                ml_buf_free(&err);
                ml_run_free(&run);
                return 2;
            }
    }
    if (fail_on_set)
        run.cfg.fail_on = fail_on;
    if (assume_complete)
        run.cfg.assume_complete = true;
    if (namespace_arg)
        run.cfg.default_ns = namespace_arg;
    if (markdown)
        run.cfg.markdown = true;
    if (no_ignore_files)
        run.cfg.no_ignore_files = true;
    run.jobs = (unsigned)(jobs ? jobs : online_cpus());

    /* inputs */
    const char *const dot[] = {"."};
    const char *const *paths = optind < argc ? (const char *const *)argv + optind : dot;
    size_t npaths = optind < argc ? (size_t)(argc - optind) : 1;
    size_t nstdin = 0;
    for (size_t i = 0; i < npaths; i++)
        nstdin += strcmp(paths[i], "-") == 0;
    if (nstdin > 1)
        return usage_error(&run, "%s", "standard input (-) can be named only once");
    if (stdin_name && !nstdin)
        return usage_error(&run, "%s", "--stdin-filename needs - among the paths");
    ml_vec report_paths = {0}, context_paths = {0};
    bool io_ok = ml_collect(&run, paths, npaths, &report_paths);
    if (contexts.n)
        io_ok &= ml_collect(&run, (const char *const *)contexts.items, contexts.n, &context_paths);
    if (refuse_overwrite(output, write_baseline, baseline, config_used, &report_paths, &context_paths)) {
        ml_buf_free(&err);
        ml_run_free(&run);
        return 2;
    }
    io_ok &= ml_run_load(&run, &report_paths, &context_paths, stdin_name);
    ML_VEC_EACH(const char *, e, &run.io_errors)
        complain("%s", e);

    ml_buf out;
    ml_buf_init(&out);
    if (dump) {
        ml_dump_model(&out, &run.model);
    } else {
        ml_run_rules(&run);
        if (baseline && !ml_baseline_apply(&run, baseline, &err)) {
            /* an unusable baseline writes nothing: an unfiltered report
             * would pass for the filtered one */
            complain("%s", err.s);
            ml_buf_free(&out);
            ml_buf_free(&err);
            ml_run_free(&run);
            return 2;
        }
        if (write_baseline && status == 0) {
            ml_buf b;
            ml_buf_init(&b);
            ml_report_opts bo = {.tool_version = ML_VERSION};
            ml_report_json(&b, &run.diags, &bo);
            if (!write_atomic(write_baseline, &b))
                status = 2;
            ml_buf_free(&b);
        }
        bool use_color = false;
        if (!strcmp(color, "always"))
            use_color = true;
        else if (!strcmp(color, "auto") && !output && isatty(1)) {
            const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
            use_color = !(nc && *nc) && !(term && !strcmp(term, "dumb"));
        }
        ml_report_opts ro = {.color = use_color, .quiet = quiet, .keep_suppressed = keep_suppressed,
                             .tool_version = ML_VERSION};
        /* --min-level hides findings from the report, not from the exit status */
        ml_vec shown = {0};
        ML_VEC_EACH(ml_diag *, d, &run.diags)
            if (ml_report_level(d) >= min_level)
                ml_vec_push(&run.arena, &shown, d);
        if (!strcmp(format, "text"))
            ml_report_text(&out, &shown, &ro);
        else if (!strcmp(format, "gcc"))
            ml_report_gcc(&out, &shown, &ro);
        else if (!strcmp(format, "json"))
            ml_report_json(&out, &shown, &ro);
        else if (!strcmp(format, "sarif"))
            ml_report_sarif(&out, &shown, &ro);
        else if (!strcmp(format, "github"))
            ml_report_github(&out, &shown, &ro);
        else
            ml_report_codeclimate(&out, &shown, &ro);
        if (status == 0 && run.cfg.fail_on != ML_LEVEL_NONE)
            ML_VEC_EACH(ml_diag *, d, &run.diags)
                if (!d->suppressed && d->level >= run.cfg.fail_on)
                    status = 1;
    }
    if (output) {
        if (!write_atomic(output, &out))
            status = 2;
    } else if (out.n && fwrite(out.s, 1, out.n, stdout) != out.n) {
        status = 2;
    }
    if (fflush(stdout) != 0)
        status = 2;
    if (!io_ok)
        status = 2;
    if (!dump && !run.model.resources.n && !run.model.servers.n && !run.model.yaml_errors.n &&
        !has_build_error(&run.model)) {
        /* a CI gate pointed at the wrong folder must not pass green */
        ml_buf names;
        ml_buf_init(&names);
        for (size_t i = 0; i < npaths; i++)
            ml_buf_printf(&names, "%s%s", i ? ", " : "", strcmp(paths[i], "-") ? paths[i] : "standard input");
        ML_VEC_EACH(const char *, cx, &contexts)
            ml_buf_printf(&names, ", %s (context)", cx);
        size_t nun = 0;
        ML_VEC_EACH(ml_unlinted *, u, &run.model.unlinted)
            nun += !u->error;
        if (nun)
            complain("nothing linted in %s: no Kubernetes manifest and no Connectum server code; %zu input%s not "
                     "linted (templates or unrendered features: see the ML010 notes)",
                     names.s, nun, nun == 1 ? " was" : "s were");
        else
            complain("nothing linted in %s: no Kubernetes manifest and no Connectum server code found", names.s);
        ml_buf_free(&names);
        status = 2;
    }
    ml_buf_free(&out);
    ml_buf_free(&err);
    ml_run_free(&run);
    return status;
}
