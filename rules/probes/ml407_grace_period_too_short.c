/*
 * ML407 grace-period-too-short: terminationGracePeriodSeconds shorter than
 * the preStop delay plus the Connectum server's graceful shutdown.
 *
 * When a pod is deleted the grace period starts; the preStop hook runs
 * first, then SIGTERM reaches the server, which drains for up to its
 * shutdown timeout; at the end of the grace period the kubelet kills
 * whatever is left. So the period must cover preStop + shutdown. The three
 * numbers each come from somewhere the message names: the manifest or the
 * Kubernetes default 30 s; shutdown.timeout or the Connectum default
 * 30000 ms; an exec `sleep N` or preStop.sleep.seconds. The drain exists only
 * with shutdown.autoShutdown: true (default false: no signal handler, and
 * SIGTERM ends Node at once, core/src/Server.ts): a server without it is
 * ML408's, and an unknown autoShutdown keeps this rule silent.
 * A preStop hook whose duration cannot be read counts as 0 s (a lower bound,
 * so the rule can only miss, never invent, a finding); an unknown shutdown
 * timeout or grace period keeps the rule silent.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes_common.h"

typedef struct prestop {
    double secs;     /* known delay, or the lower bound */
    bool present;    /* a preStop hook exists */
    bool exact;      /* secs is the hook's whole duration */
    const char *how; /* "exec sleep 5" ... (only when described) */
    const ml_node *at; /* where the delay is set: its location is made only for a finding */
} prestop;

/* "5", "5s", "1.5", "2m", "1h" -> seconds; false otherwise. */
static bool sleep_arg(const char *s, size_t n, double *out)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (!isdigit((unsigned char)buf[0]) && buf[0] != '.')
        return false;
    char *end;
    double v = strtod(buf, &end);
    double mul = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        mul = 60, end++;
    else if (*end == 'h')
        mul = 3600, end++;
    else if (*end == 'd')
        mul = 86400, end++;
    if (*end || !(v >= 0) || v > 1e7)
        return false;
    *out = v * mul;
    return true;
}

static bool is_word(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    return n == k && memcmp(s, w, k) == 0;
}

/* A shell script that starts with `sleep N`: exact when that is all of it,
 * a lower bound when `;`, `&&` or a newline follows. */
static bool script_sleep(const char *s, double *secs, bool *exact)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    const char *w = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    size_t wn = (size_t)(s - w);
    if (!is_word(w, wn, "sleep") && !is_word(w, wn, "/bin/sleep") && !is_word(w, wn, "/usr/bin/sleep"))
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    const char *arg = s;
    while (*s && !isspace((unsigned char)*s) && *s != ';' && *s != '&')
        s++;
    if (!sleep_arg(arg, (size_t)(s - arg), secs))
        return false;
    bool sep = false; /* a `;` or a newline ends the sleep command */
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == ';') {
        sep = sep || *s == ';' || *s == '\n';
        s++;
    }
    if (!*s) {
        *exact = true;
        return true;
    }
    *exact = false;
    return sep || ml_starts_with(s, "&&");
}

static const char *base_name(const char *s)
{
    const char *b = strrchr(s, '/');
    return b ? b + 1 : s;
}

/* The preStop delay of c; described: with its text (how), else the
 * numbers alone (every linked container is read, few are reported). */
static prestop read_prestop(ml_arena *a, const ml_container *c, bool described)
{
    prestop r;
    memset(&r, 0, sizeof r);
    if (!c->pre_stop)
        return r;
    r.present = true;
    r.at = c->pre_stop;
    r.how = "a preStop hook whose duration is unknown, counted as 0 s";
    const ml_node *sl = ml_path(c->pre_stop, "sleep.seconds");
    long long n;
    if (sl && ml_int(sl, &n) && n >= 0) {
        r.secs = (double)n;
        r.exact = true;
        r.at = sl;
        r.how = described ? ml_printf(a, "preStop.sleep.seconds %lld", n) : NULL;
        return r;
    }
    const ml_node *cmd = ml_path(c->pre_stop, "exec.command");
    if (!ml_is_seq(cmd) || ml_node_n(cmd) == 0)
        return r;
    const char *a0 = ml_str_nonnull(&cmd->elems[0]);
    if (!a0)
        return r;
    double secs;
    bool exact = false;
    const char *b0 = base_name(a0);
    if (strcmp(b0, "sleep") == 0 && ml_node_n(cmd) == 2) {
        const char *a1 = ml_str_nonnull(&cmd->elems[1]);
        if (a1 && sleep_arg(a1, strlen(a1), &secs)) {
            r.secs = secs;
            r.exact = true;
            r.at = cmd;
            r.how = described ? ml_printf(a, "preStop exec sleep %s", a1) : NULL;
        }
        return r;
    }
    static const char *const shells[] = {"sh", "bash", "ash", "dash", "zsh"};
    bool shell = false;
    for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
        shell = shell || strcmp(b0, shells[i]) == 0;
    if (!shell || ml_node_n(cmd) != 3)
        return r;
    const char *flag = ml_str_nonnull(&cmd->elems[1]);
    const char *script = ml_str_nonnull(&cmd->elems[2]);
    if (!flag || flag[0] != '-' || !strchr(flag, 'c') || !script)
        return r;
    if (script_sleep(script, &secs, &exact)) {
        r.secs = secs;
        r.exact = exact;
        r.at = cmd;
        r.how = !described ? NULL
                : exact    ? ml_printf(a, "preStop exec \"%s\"", script)
                           : ml_printf(a, "at least %g s of preStop exec \"%s\"", secs, script);
    }
    return r;
}

static void check_link(ml_ctx *ctx, const ml_workload *w, const ml_link *l)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    long long grace = 30;
    const char *grace_origin = "the Kubernetes default";
    /* The raw field too: a value the model could not read as an integer
     * (a template, say) is unknown, not absent. */
    const ml_node *gp = w->grace_period ? w->grace_period : ml_get(w->pod_spec, "terminationGracePeriodSeconds");
    if (gp && !ml_is_null(gp)) {
        if (!ml_int(gp, &grace) || grace < 0)
            return;
        grace_origin = NULL;
    }
    ml_setting as = ml_server_auto_shutdown(m, l);
    if (as.val.kind != ML_VAL_BOOL || !as.val.b)
        return; /* no Connectum drain (ML408), or not known */
    ml_setting sd = ml_server_shutdown_ms(m, l);
    double ms;
    if (sd.val.kind == ML_VAL_ABSENT)
        ms = 30000;
    else if (!ml_probes_setting_num(&sd, &ms) || ms < 0)
        return;
    prestop ps = read_prestop(a, l->container, false);
    double need = ps.secs + ms / 1000.0;
    if ((double)grace >= need)
        return;
    ps = read_prestop(a, l->container, true);
    const char *sd_origin =
        ml_probes_origin(a, &sd, ml_probes_env_var(&l->server->shutdown_timeout, "GRACEFUL_SHUTDOWN_TIMEOUT_MS"));

    const char *cname = ml_str(l->container->name) ? ml_str(l->container->name) : "(unnamed)";
    const char *pre = ps.present ? ml_printf(a, "preStop %g s (%s, container %s)", ps.secs, ps.how, cname)
                                 : "preStop 0 s (no preStop hook)";
    ml_loc at = w->grace_period ? ml_node_loc(w->grace_period) : ml_res_loc(w->res);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                           "terminationGracePeriodSeconds %lld%s%s%s of %s is shorter than the %g s its "
                           "pods need to stop: %s + graceful shutdown %g s (%s, %g ms); Kubernetes kills "
                           "the server mid-drain and in-flight requests fail",
                           grace, grace_origin ? " (" : "", grace_origin ? grace_origin : "",
                           grace_origin ? ")" : "", ml_res_display(a, w->res), need, pre, ms / 1000.0,
                           sd_origin, ms);
    if (ml_probes_setting_has_loc(&sd))
        ml_note(ctx, d, sd.loc, "graceful shutdown timeout %g ms (%s)", ms, sd_origin);
    else
        ml_note(ctx, d, l->server->call, "%s, shutting down gracefully for up to %g ms (%s)",
                ml_probes_server_text(a, l->server), ms, sd_origin);
    if (ps.present)
        ml_note(ctx, d, ml_node_loc(ps.at), "the preStop hook runs before SIGTERM and counts against the grace period");
    long long want = (long long)ceil(need);
    ml_help(ctx, d, "set terminationGracePeriodSeconds to at least %lld, or shorten the server's shutdown "
                    "timeout",
            want);
    if (w->grace_period && w->grace_period->style == ML_SCALAR_PLAIN && ml_node_file(w->grace_period) &&
        w->grace_period->end_off > w->grace_period->off)
        ml_add_fix(ctx, d, ml_printf(a, "set terminationGracePeriodSeconds to %lld", want),
                   ml_node_loc(w->grace_period), ml_printf(a, "%lld", want));
}

static void check(ml_ctx *ctx)
{
    ml_probes_each_app_link(ctx, check_link);
}

const ml_rule ml_rule_ML407 = {
    .id = "ML407",
    .name = "grace-period-too-short",
    .level = ML_LEVEL_WARNING,
    .summary = "terminationGracePeriodSeconds is shorter than preStop plus the server's graceful shutdown",
    .description = "For a workload linked to a Connectum server, compares the pod's "
                   "terminationGracePeriodSeconds (30 when absent, the Kubernetes default) with the "
                   "time the serving container needs to stop: its preStop delay (an exec hook whose "
                   "command is `sleep N` or a shell running `sleep N`, or preStop.sleep.seconds) plus "
                   "the server's graceful shutdown timeout (shutdown.timeout in the code, else "
                   "30000 ms, the Connectum default; core/src/Server.ts). No environment variable "
                   "sets it: GRACEFUL_SHUTDOWN_TIMEOUT_MS counts only where the code passes "
                   "parseEnvConfig()'s field on (core/src/config/envSchema.ts). The rule applies "
                   "only to servers created with shutdown: { autoShutdown: true }: without it "
                   "Connectum installs no signal handler and there is no drain at all (ML408). The "
                   "message gives all three numbers and where each came from.\n"
                   "\n"
                   "The grace period starts when the pod is deleted; the preStop hook runs first, "
                   "then SIGTERM reaches the server, which stops accepting calls and waits for "
                   "in-flight ones. When the period ends the kubelet kills the container, so a "
                   "period shorter than preStop plus shutdown cuts the drain short and fails the "
                   "requests still in flight on every rollout and scale-down. A preStop hook whose "
                   "duration cannot be read counts as 0 s; an unknown shutdown timeout, "
                   "autoShutdown or grace period keeps the rule silent.",
    .remediation = "Raise terminationGracePeriodSeconds to at least preStop + shutdown timeout (the "
                   "fix sets it to that sum), or shorten the server's shutdown timeout.",
    .tags = "lifecycle,availability,connectum",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "spec:\n"
                   "  terminationGracePeriodSeconds: 30\n"
                   "  containers:\n"
                   "    - name: order-service\n"
                   "      lifecycle:\n"
                   "        preStop:\n"
                   "          exec:\n"
                   "            command: [\"sh\", \"-c\", \"sleep 5\"]\n"
                   "# server.ts: shutdown: { autoShutdown: true } (timeout left at 30000 ms)",
    .example_good = "spec:\n"
                    "  terminationGracePeriodSeconds: 35\n"
                    "  containers:\n"
                    "    - name: order-service\n"
                    "      lifecycle:\n"
                    "        preStop:\n"
                    "          exec:\n"
                    "            command: [\"sh\", \"-c\", \"sleep 5\"]\n"
                    "# server.ts: shutdown: { autoShutdown: true } (timeout left at 30000 ms)",
    .settings = NULL,
    .check = check,
};
