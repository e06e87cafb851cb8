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
};

static const struct option long_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"color", required_argument, NULL, OPT_COLOR},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
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
    "  -q, --quiet               text: findings only, no source lines or summary\n"
    "      --fail-on LEVEL       exit 1 on findings at or above LEVEL:\n"
    "                            error, warning (default), note, never\n"
    "\n"
    "Input:\n"
    "      --context DIR         load DIR for cross-references; report only on the paths given\n"
    "      --stdin-filename NAME name standard input (-) as NAME\n"
    "      --markdown            also lint ts/yaml code blocks in .md files\n"
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
    "      --list-rules          list every rule and exit\n"
    "      --explain RULE        describe a rule and exit\n"
    "      --dump-model          print the model (resources, servers, links) as JSON\n"
    "      --version             print the version and exit\n"
    "  -h, --help                print this help and exit\n";

/* Every message to standard error goes through complain(): text that comes
 * from the input or the command line (paths found while walking a tree, keys
 * of a configuration file) is escaped, so that control characters and
 * escape sequences never reach the terminal raw. */
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

/* Write buf to path through a temporary file in the same directory, so a
 * reader never sees a partial report (and a full disk leaves the old one). */
static bool write_atomic(const char *path, const ml_buf *buf)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return false;
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        complain("%s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    size_t off = 0;
    bool ok = true;
    while (off < buf->n) {
        ssize_t w = write(fd, buf->s + off, buf->n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            ok = false;
            break;
        }
        off += (size_t)w;
    }
    if (ok && fsync(fd) != 0)
        ok = false;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok) {
        /* mkstemp creates 0600; a report is an ordinary file */
        mode_t um = umask(0);
        umask(um);
        chmod(tmp, 0666 & ~um);
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        complain("cannot write %s: %s", path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return ok;
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

static void list_rules(ml_buf *out)
{
    for (size_t i = 0; i < ml_rules_count; i++) {
        const ml_rule *r = ml_rules[i];
        ml_buf_printf(out, "%-6s %-44s %-8s %s\n", r->id, r->name, ml_level_name(r->level), r->summary);
    }
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
    bool assume_complete = false, markdown = false;
    ml_level fail_on = ML_LEVEL_WARNING;
    ml_vec enables = {0}, disables = {0}, onlys = {0}, contexts = {0};
    long jobs = 0;
    int c, status = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qhj:n:", long_opts, NULL)) != -1) {
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
        case 'h':
            fputs(usage_text, stdout);
            ml_run_free(&run);
            return 0;
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
        case OPT_LIST_RULES: {
            ml_buf b;
            ml_buf_init(&b);
            list_rules(&b);
            fwrite(b.s, 1, b.n, stdout);
            ml_buf_free(&b);
            ml_run_free(&run);
            return 0;
        }
        case OPT_EXPLAIN:
            explain = optarg;
            break;
        case OPT_VERSION:
            printf("meshlint %s\n", ML_VERSION);
            ml_run_free(&run);
            return 0;
        case OPT_STDIN_FILENAME:
            stdin_name = optarg;
            break;
        case OPT_CONTEXT:
            ml_vec_push(&run.arena, &contexts, optarg);
            break;
        case OPT_MARKDOWN:
            markdown = true;
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
            fwrite(b.s, 1, b.n, stdout);
            ml_buf_free(&b);
            ml_run_free(&run);
            return 0;
        }
        case ':':
            return usage_error(&run, "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error(&run, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (explain) {
        const ml_rule *r = ml_rule_find(explain);
        if (!r)
            return usage_error(&run, "unknown rule '%s' (see meshlint --list-rules)", explain);
        ml_buf b;
        ml_buf_init(&b);
        ml_explain_text(&b, r);
        fwrite(b.s, 1, b.n, stdout);
        ml_buf_free(&b);
        ml_run_free(&run);
        return 0;
    }
    static const char *const formats[] = {"text", "gcc", "json", "sarif", "github", "codeclimate", NULL};
    bool known_format = false;
    for (size_t i = 0; formats[i]; i++)
        known_format |= strcmp(format, formats[i]) == 0;
    if (!known_format)
        return usage_error(&run, "--format expects text, gcc, json, sarif, github or codeclimate, not '%s'", format);

    /* configuration: file first, then flags over it */
    ml_buf err;
    ml_buf_init(&err);
    if (config && no_config)
        return usage_error(&run, "%s", "--config and --no-config exclude each other");
    if (!no_config) {
        const char *path = config ? config : ml_config_find(&run.arena, ".");
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
            complain("%s", err.s);
            status = 2;
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
        ml_report_opts ro = {.color = use_color, .quiet = quiet, .tool_version = ML_VERSION};
        if (!strcmp(format, "text"))
            ml_report_text(&out, &run.diags, &ro);
        else if (!strcmp(format, "gcc"))
            ml_report_gcc(&out, &run.diags, &ro);
        else if (!strcmp(format, "json"))
            ml_report_json(&out, &run.diags, &ro);
        else if (!strcmp(format, "sarif"))
            ml_report_sarif(&out, &run.diags, &ro);
        else if (!strcmp(format, "github"))
            ml_report_github(&out, &run.diags, &ro);
        else
            ml_report_codeclimate(&out, &run.diags, &ro);
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
    ml_buf_free(&out);
    ml_buf_free(&err);
    ml_run_free(&run);
    return status;
}
