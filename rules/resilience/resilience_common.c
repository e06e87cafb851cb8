/*
 * resilience_common.c - what the resilience rules (ML2xx) share: Istio
 * duration strings, the effective retry policy of an HTTP route, which
 * application failures a retryOn condition retries, Connectum option values
 * resolved for one linked workload, and an index from hosts to the routes
 * that reach them.
 *
 * The idea behind the retryOn table: a Connectum server answers an error
 * with a status code, and what a sidecar sees of it depends on the protocol
 * of the caller. Under gRPC the code travels as grpc-status (HTTP 200), which
 * Envoy's gRPC conditions (unavailable, resource-exhausted, ...) read; under
 * the Connect protocol a unary error is an HTTP status (Unavailable is 503,
 * ResourceExhausted 429), which 5xx, gateway-error, retriable-4xx and
 * retriable-status-codes read. A ConnectRPC server accepts both, so a
 * condition retries an application code when either path leads to it.
 * Conditions such as connect-failure and refused-stream fire before the
 * handler ever runs, so they cannot re-run it.
 */
#include "resilience_common.h"
#include "../traffic/gwapi_common.h"

#include "meshlint/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Istio durations ---------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int64_t unit_ns(const char *u, size_t n)
{
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
        {"\xce\xbcs", 1000}, /* U+03BC Greek mu */
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", INT64_C(60000000000)},
        {"h", INT64_C(3600000000000)},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].ns;
    return 0;
}

bool ml_resil_duration(const char *s, int64_t *ns)
{
    if (!s)
        return false;
    if (*s == '+')
        s++;
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return true;
    }
    if (!*s)
        return false;
    uint64_t total = 0;
    while (*s) {
        uint64_t whole = 0, frac = 0;
        double scale = 1;
        bool pre = false, post = false;
        while (is_digit(*s)) {
            if (whole > (UINT64_C(1) << 62) / 10)
                return false;
            whole = whole * 10 + (uint64_t)(*s - '0');
            pre = true;
            s++;
        }
        if (*s == '.') {
            s++;
            bool overflow = false;
            while (is_digit(*s)) {
                /* Like Go: digits past what fits are dropped. */
                if (!overflow && frac <= (UINT64_C(1) << 62) / 10) {
                    frac = frac * 10 + (uint64_t)(*s - '0');
                    scale *= 10;
                } else {
                    overflow = true;
                }
                post = true;
                s++;
            }
        }
        if (!pre && !post)
            return false;
        const char *u = s;
        while (*s && *s != '.' && !is_digit(*s))
            s++;
        int64_t unit = unit_ns(u, (size_t)(s - u));
        if (!unit)
            return false; /* missing or unknown unit */
        if (whole > (uint64_t)INT64_MAX / (uint64_t)unit)
            return false;
        uint64_t v = whole * (uint64_t)unit;
        if (frac) {
            double f = (double)frac * ((double)unit / scale);
            if (f >= 9.2e18)
                return false;
            v += (uint64_t)f;
        }
        total += v;
        if (total > (uint64_t)INT64_MAX)
            return false;
    }
    *ns = (int64_t)total;
    return true;
}

bool ml_resil_duration_node(const ml_node *n, int64_t *ns)
{
    const char *s = ml_str_nonnull(n);
    if (!s || strlen(s) != ml_node_len(n) || !ml_resil_duration(s, ns))
        return false;
    /* Istio's validation rejects durations under 1ms or finer than 1ms, so
     * such a route never reaches a proxy: not a value to reason about. */
    return *ns >= 1000000 && *ns % 1000000 == 0;
}

/* "12.5" from whole and a fraction of `digits` digits, zeros trimmed. */
static const char *decimal(ml_arena *a, int64_t whole, int64_t frac, int digits, const char *unit)
{
    if (!frac)
        return ml_printf(a, "%lld%s", (long long)whole, unit);
    char buf[32];
    snprintf(buf, sizeof buf, "%0*lld", digits, (long long)frac);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '0')
        buf[--n] = '\0';
    return ml_printf(a, "%lld.%s%s", (long long)whole, buf, unit);
}

const char *ml_resil_fmt_ns(ml_arena *a, int64_t ns)
{
    const int64_t us = 1000, ms = 1000000, sec = 1000000000, min = 60 * sec, hour = 60 * min;
    if (ns <= 0)
        return "0s";
    if (ns % hour == 0)
        return ml_printf(a, "%lldh", (long long)(ns / hour));
    if (ns % min == 0)
        return ml_printf(a, "%lldm", (long long)(ns / min));
    if (ns >= sec)
        return decimal(a, ns / sec, ns % sec, 9, "s");
    if (ns >= ms)
        return decimal(a, ns / ms, ns % ms, 6, "ms");
    if (ns >= us)
        return decimal(a, ns / us, ns % us, 3, "us");
    return ml_printf(a, "%lldns", (long long)ns);
}

static const char *fmt_num(ml_arena *a, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        return ml_printf(a, "%.0f", v);
    return ml_printf(a, "%g", v);
}

const char *ml_resil_fmt_ms(ml_arena *a, double ms)
{
    return ml_printf(a, "%s ms", fmt_num(a, ms));
}

/* ---- application status codes -------------------------------------------- */

static const char *const code_names[17] = {
    "OK",        "Canceled",          "Unknown",            "InvalidArgument", "DeadlineExceeded",
    "NotFound",  "AlreadyExists",     "PermissionDenied",   "ResourceExhausted", "FailedPrecondition",
    "Aborted",   "OutOfRange",        "Unimplemented",      "Internal",        "Unavailable",
    "DataLoss",  "Unauthenticated",
};

/* The order codes are listed in: the two retried by default first, as the
 * Connectum documentation lists them, then by number. */
static const int code_order[16] = {ML_RESIL_UNAVAILABLE, ML_RESIL_RESOURCE_EXHAUSTED, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 15, 16};

const char *ml_resil_codes_text(ml_arena *a, ml_resil_codes c)
{
    ml_buf b;
    ml_buf_init(&b);
    for (int k = 0; k < 16; k++) {
        int i = code_order[k];
        if (!(c & ML_RESIL_CODE(i)))
            continue;
        if (b.n)
            ml_buf_puts(&b, ", ");
        ml_buf_puts(&b, code_names[i]);
    }
    const char *out = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return out;
}

/* A code as the extraction records it: "Unavailable", "Code.Unavailable",
 * "RESOURCE_EXHAUSTED", "resource-exhausted", "14". 0 when not a code. */
static int code_of(const char *s)
{
    if (!s)
        return 0;
    const char *dot = strrchr(s, '.');
    if (dot)
        s = dot + 1;
    char norm[32];
    size_t n = 0;
    bool digits = *s != '\0';
    for (; *s; s++) {
        if (*s == '_' || *s == '-')
            continue;
        if (n + 1 >= sizeof norm)
            return 0;
        char c = *s;
        if (!is_digit(c))
            digits = false;
        norm[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    norm[n] = '\0';
    if (digits) {
        int v = atoi(norm);
        return n <= 2 && v >= 1 && v <= 16 ? v : 0;
    }
    if (strcmp(norm, "cancelled") == 0)
        return ML_RESIL_CANCELED;
    for (int i = 1; i <= 16; i++) {
        const char *name = code_names[i];
        size_t k = 0;
        bool eq = true;
        for (; name[k] && eq; k++) {
            char c = name[k];
            eq = k < n && norm[k] == (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        if (eq && k == n)
            return i;
    }
    return 0;
}

/* Application codes a Connect-protocol unary error turns into this HTTP
 * status (the Connect protocol's code-to-status table). */
static ml_resil_codes codes_for_status(long long st)
{
    switch (st) {
    case 400: return ML_RESIL_CODE(3) | ML_RESIL_CODE(9) | ML_RESIL_CODE(11);
    case 401: return ML_RESIL_CODE(16);
    case 403: return ML_RESIL_CODE(7);
    case 404: return ML_RESIL_CODE(5);
    case 409: return ML_RESIL_CODE(ML_RESIL_ALREADY_EXISTS) | ML_RESIL_CODE(ML_RESIL_ABORTED);
    case 429: return ML_RESIL_CODE(ML_RESIL_RESOURCE_EXHAUSTED);
    case 499: return ML_RESIL_CODE(ML_RESIL_CANCELED);
    case 500: return ML_RESIL_CODE(2) | ML_RESIL_CODE(ML_RESIL_INTERNAL) | ML_RESIL_CODE(15);
    case 501: return ML_RESIL_CODE(12);
    case 503: return ML_RESIL_CODE(ML_RESIL_UNAVAILABLE);
    case 504: return ML_RESIL_CODE(ML_RESIL_DEADLINE_EXCEEDED);
    default: return 0;
    }
}

/* The HTTP status codes Istio takes from retryOn as status codes: those Go's
 * net/http names (http.StatusText non-empty). Any other number is passed on
 * as a condition, which validation then rejects. */
static bool known_status(long long st)
{
    static const short list[] = {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                                 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405,
                                 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
                                 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504,
                                 505, 506, 507, 508, 510, 511};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (list[i] == st)
            return true;
    return false;
}

/* ---- the mesh's retry policy on a route ----------------------------------- */

typedef struct cond_info {
    const char *name;
    bool handler_ran;    /* a response after the handler ran may trigger it */
    int grpc_code;       /* gRPC status condition: the code */
    ml_resil_codes connect; /* HTTP status condition: codes under the Connect protocol */
    bool status_list;    /* retriable-status-codes: the listed statuses */
} cond_info;

static const cond_info *cond_find(const char *name, size_t n)
{
    static const cond_info conds[] = {
        {"5xx", true, 0,
         ML_RESIL_CODE(2) | ML_RESIL_CODE(ML_RESIL_DEADLINE_EXCEEDED) | ML_RESIL_CODE(12) |
             ML_RESIL_CODE(ML_RESIL_INTERNAL) | ML_RESIL_CODE(ML_RESIL_UNAVAILABLE) | ML_RESIL_CODE(15),
         false},
        {"gateway-error", true, 0,
         ML_RESIL_CODE(ML_RESIL_UNAVAILABLE) | ML_RESIL_CODE(ML_RESIL_DEADLINE_EXCEEDED), false},
        {"reset", true, 0, 0, false},
        {"reset-before-request", false, 0, 0, false},
        {"connect-failure", false, 0, 0, false},
        {"envoy-ratelimited", false, 0, 0, false},
        {"retriable-4xx", true, 0, ML_RESIL_CODE(ML_RESIL_ALREADY_EXISTS) | ML_RESIL_CODE(ML_RESIL_ABORTED), false},
        {"refused-stream", false, 0, 0, false},
        {"retriable-status-codes", true, 0, 0, true},
        {"retriable-headers", true, 0, 0, false},
        {"http3-post-connect-failure", false, 0, 0, false},
        {"cancelled", true, ML_RESIL_CANCELED, 0, false},
        {"deadline-exceeded", true, ML_RESIL_DEADLINE_EXCEEDED, 0, false},
        {"internal", true, ML_RESIL_INTERNAL, 0, false},
        {"resource-exhausted", true, ML_RESIL_RESOURCE_EXHAUSTED, 0, false},
        {"unavailable", true, ML_RESIL_UNAVAILABLE, 0, false},
    };
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++)
        if (strlen(conds[i].name) == n && memcmp(conds[i].name, name, n) == 0)
            return &conds[i];
    return NULL;
}

/* Classify the conditions of a retryOn string the way Istio splits it:
 * comma-separated and trimmed; a number that is an HTTP status becomes a
 * retriable status code (and implies retriable-status-codes). */
static void classify_retry_on(ml_arena *a, ml_resil_retry *p, const char *s, bool is_default)
{
    p->retry_on_known = true;
    p->handler_ran = false;
    p->grpc = p->connect = 0;
    ml_resil_codes status_codes = 0;
    bool any_status = false, has_rsc = false;
    if (is_default) {
        status_codes = codes_for_status(503); /* the default's retriable status code */
        any_status = true;
    }
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *start = s;
        while (*s && *s != ',')
            s++;
        const char *end = s;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        size_t n = (size_t)(end - start);
        if (!n)
            continue;
        bool digits = n <= 3;
        for (size_t i = 0; i < n && digits; i++)
            digits = is_digit(start[i]);
        if (digits) {
            long long st = strtoll(start, NULL, 10);
            if (known_status(st)) {
                status_codes |= codes_for_status(st);
                any_status = true;
                continue;
            }
        }
        const cond_info *c = cond_find(start, n);
        if (!c) {
            p->retry_on_known = false;
            p->unknown_cond = ml_strndup(a, start, n);
            return;
        }
        p->handler_ran |= c->handler_ran;
        if (c->grpc_code)
            p->grpc |= ML_RESIL_CODE(c->grpc_code);
        p->connect |= c->connect;
        has_rsc |= c->status_list;
    }
    if (any_status)
        has_rsc = true; /* Istio appends retriable-status-codes */
    if (has_rsc && any_status) {
        p->handler_ran = true;
        p->connect |= status_codes;
    }
}

ml_resil_retry ml_resil_default_retry(ml_arena *a, ml_resil_retry_kind kind)
{
    ml_resil_retry p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    p.attempts = ML_RESIL_DEFAULT_ATTEMPTS;
    p.retry_on = ML_RESIL_DEFAULT_RETRY_ON;
    p.per_try_known = true;
    classify_retry_on(a, &p, ML_RESIL_DEFAULT_RETRY_ON, true);
    return p;
}

ml_resil_retry ml_resil_route_retry(ml_arena *a, const ml_route *rt)
{
    ml_resil_retry p;
    memset(&p, 0, sizeof p);
    /* Read the raw nodes: the model drops a field of the wrong shape, which
     * must not look like an absent one here. */
    const ml_node *retries = ml_get(rt->node, "retries");
    if (!retries || ml_is_null(retries))
        return ml_resil_default_retry(a, ML_RESIL_RETRY_ROUTE_DEFAULT);
    if (!ml_is_map(retries)) {
        p.kind = ML_RESIL_RETRY_UNKNOWN;
        return p;
    }
    /* As Istio converts it: attempts <= 0 (absent: 0) turns retries off;
     * otherwise the default policy with attempts, retryOn and perTryTimeout
     * overridden where given. */
    const ml_node *an = ml_get(retries, "attempts");
    long long att = 0;
    if ((an && !ml_is_null(an) && !ml_int(an, &att)) || att > INT32_MAX) {
        /* not an integer, or beyond Istio's int32: invalid (ML002's), so unknown here */
        p.kind = ML_RESIL_RETRY_UNKNOWN;
        return p;
    }
    if (att <= 0) {
        p.kind = ML_RESIL_RETRY_OFF;
        p.attempts_node = an;
        return p;
    }
    p = ml_resil_default_retry(a, ML_RESIL_RETRY_EXPLICIT);
    p.attempts = att;
    p.attempts_node = an;
    const ml_node *ron = ml_get(retries, "retryOn");
    if (ron && !ml_is_null(ron)) {
        p.retry_on_node = ron;
        const char *s = ml_str(ron);
        if (!s || strlen(s) != ml_node_len(ron)) {
            p.retry_on_known = false;
            p.retry_on = NULL;
        } else if (*s) { /* "" keeps the default, as in Istio */
            p.retry_on = s;
            classify_retry_on(a, &p, s, false);
        }
    }
    const ml_node *ptn = ml_get(retries, "perTryTimeout");
    if (ptn && !ml_is_null(ptn)) {
        p.per_try_node = ptn;
        p.per_try_known = ml_resil_duration_node(ptn, &p.per_try_ns);
        if (!p.per_try_known)
            p.per_try_ns = 0;
    }
    return p;
}

long long ml_resil_retry_count(const ml_resil_retry *p)
{
    switch (p->kind) {
    case ML_RESIL_RETRY_OFF: return 0;
    case ML_RESIL_RETRY_UNKNOWN: return -1;
    default: return p->attempts;
    }
}

ml_resil_overlap_info ml_resil_overlap_of(const ml_resil_retry *p, ml_resil_codes app, bool app_known)
{
    ml_resil_overlap_info o;
    memset(&o, 0, sizeof o);
    if (!p->retry_on_known) {
        o.kind = ML_RESIL_OVERLAP_UNKNOWN;
        return o;
    }
    if (!p->handler_ran) {
        o.kind = ML_RESIL_BEFORE_HANDLER;
        return o;
    }
    if (!app_known) {
        o.kind = ML_RESIL_OVERLAP_UNKNOWN;
        return o;
    }
    ml_resil_codes g = p->grpc & app, c = p->connect & app;
    o.both = g | c;
    o.grpc_only = g & ~c;
    o.connect_only = c & ~g;
    o.kind = o.both ? ML_RESIL_OVERLAP : ML_RESIL_DISJOINT;
    return o;
}

const char *ml_resil_overlap_text(ml_arena *a, const ml_resil_overlap_info *o)
{
    ml_buf b;
    ml_buf_init(&b);
    for (int k = 0; k < 16; k++) {
        int i = code_order[k];
        if (!(o->both & ML_RESIL_CODE(i)))
            continue;
        if (b.n)
            ml_buf_puts(&b, ", ");
        ml_buf_puts(&b, code_names[i]);
        if (o->connect_only & ML_RESIL_CODE(i))
            ml_buf_puts(&b, " (an HTTP status under the Connect protocol)");
    }
    const char *out = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return out;
}

/* ---- numbers of a Connectum option for one linked workload ---------------- */

/* A whole string that is a finite decimal number, as JavaScript's Number()
 * reads an env value (blank strings excluded: they would read as 0). */
static bool parse_num(const char *s, double *out)
{
    if (!s)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return false;
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || !isfinite(v) || end == s)
        return false;
    for (const char *c = s; *c; c++)
        if (*c == 'x' || *c == 'X' || *c == 'n' || *c == 'N' || *c == 'i' || *c == 'I')
            return false; /* hex, nan, inf: not what a setting means */
    *out = v;
    return true;
}

static bool val_num(const ml_val *v, double *out)
{
    if (!v)
        return false;
    if (v->kind == ML_VAL_NUM) {
        *out = v->num;
        return isfinite(v->num);
    }
    if (v->kind == ML_VAL_STR)
        return parse_num(v->str, out);
    return false;
}

ml_resil_num ml_resil_value(const ml_ctx *ctx, const ml_link *l, const ml_val *v, double dflt)
{
    ml_resil_num r;
    memset(&r, 0, sizeof r);
    switch (v->kind) {
    case ML_VAL_ABSENT:
        r.known = true;
        r.num = dflt;
        r.is_default = true;
        r.origin = "the Connectum default";
        return r;
    case ML_VAL_NUM:
        r.known = isfinite(v->num);
        r.num = v->num;
        r.loc = v->loc;
        return r;
    case ML_VAL_ENV: {
        if (!v->env || !l || !l->workload)
            return r;
        const char *wname = ml_res_display(ctx->arena, l->workload->res);
        ml_setting s = ml_container_env(ctx->model, l->workload, l->container, v->env);
        if (s.val.kind == ML_VAL_NUM || s.val.kind == ML_VAL_STR) {
            r.known = val_num(&s.val, &r.num);
            r.origin = s.source ? s.source : ml_printf(ctx->arena, "env %s in %s", v->env, wname);
            r.loc = s.loc;
            return r;
        }
        if (s.val.kind == ML_VAL_ABSENT && v->env_default) {
            r.known = val_num(v->env_default, &r.num);
            r.origin = ml_printf(ctx->arena, "the code's default for env %s, which %s does not set", v->env,
                                 wname);
            r.loc = v->env_default->loc;
        }
        return r;
    }
    default:
        return r;
    }
}

const char *ml_resil_num_text(ml_arena *a, const char *name, const ml_resil_num *n, const char *unit)
{
    const char *num = fmt_num(a, n->num);
    const char *u = unit ? unit : "";
    if (!n->origin)
        return ml_printf(a, "%s %s%s", name, num, u);
    return ml_printf(a, "%s %s%s, %s", name, num, u, n->origin);
}

bool ml_resil_app_retry_of(const ml_ctx *ctx, const ml_server *s, const ml_link *l, ml_resil_app_retry *out)
{
    memset(out, 0, sizeof *out);
    const ml_interceptor_cfg *c = &s->retry;
    if (c->enabled != ML_YES)
        return false;
    out->max = ml_resil_value(ctx, l, &c->a, 3);
    double r = out->max.num;
    if (!out->max.known || r < 0 || r != floor(r) || r > 1e9)
        return false;
    out->retries = (long long)r;
    out->codes_known = c->codes_known;
    if (!c->codes_known)
        return true;
    if (c->codes.n == 0) {
        out->codes_default = true;
        out->codes = ML_RESIL_CODE(ML_RESIL_UNAVAILABLE) | ML_RESIL_CODE(ML_RESIL_RESOURCE_EXHAUSTED);
        return true;
    }
    ML_VEC_EACH(const char *, name, &c->codes) {
        int code = code_of(name);
        if (!code) {
            out->codes_known = false;
            out->codes = 0;
            return true;
        }
        out->codes |= ML_RESIL_CODE(code);
    }
    return true;
}

const char *ml_resil_app_codes_text(ml_arena *a, const ml_resil_app_retry *r)
{
    if (!r->codes_known)
        return "on retryableCodes that are not known statically";
    if (r->codes_default)
        return ml_printf(a, "on %s (the Connectum default)", ml_resil_codes_text(a, r->codes));
    return ml_printf(a, "on %s", ml_resil_codes_text(a, r->codes));
}

const char *ml_resil_cfg_words(ml_arena *a, const ml_interceptor_cfg *c, const char *option, const char *factory)
{
    if (c->method_filter)
        return ml_printf(a, "%s inside createMethodFilterInterceptor (for the methods matching \"%s\")",
                         factory, c->method_filter);
    return c->from_defaults ? ml_printf(a, "createDefaultInterceptors({ %s })", option) : factory;
}

/* ---- where routes and Services meet workloads ------------------------------ */

void ml_resil_index_build(ml_resil_index *ix, ml_ctx *ctx)
{
    ml_map_init(&ix->routes_by_dest);
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_VIRTUALSERVICE]) {
        if (!r->live || !r->u.vs)
            continue;
        const ml_virtualservice *vs = r->u.vs;
        for (size_t i = 0; i < vs->nroutes; i++) {
            const ml_route *rt = &vs->routes[i];
            if (rt->proto != ML_ROUTE_HTTP)
                continue;
            for (size_t j = 0; j < rt->ndest; j++) {
                const char *fqdn = rt->dest[j].fqdn;
                if (!fqdn)
                    continue;
                /* Routes are pushed one after another, so a route with two
                 * destinations on one host is the last entry. */
                const ml_vec *have = ml_map_vec(&ix->routes_by_dest, fqdn, strlen(fqdn));
                if (have && have->n && ((ml_resil_route_ref *)have->items[have->n - 1])->rt == rt)
                    continue;
                ml_resil_route_ref *ref = ml_zalloc(a, sizeof *ref);
                ref->vs = vs;
                ref->rt = rt;
                ml_map_push(&ix->routes_by_dest, a, fqdn, strlen(fqdn), ref);
            }
        }
    }
}

void ml_resil_index_free(ml_resil_index *ix)
{
    ml_map_free(&ix->routes_by_dest);
}

static const ml_vec empty_vec;

const ml_vec *ml_resil_vec(const ml_vec *v)
{
    return v ? v : &empty_vec;
}

const ml_vec *ml_resil_routes_to(const ml_resil_index *ix, const char *fqdn)
{
    return ml_resil_vec(fqdn ? ml_map_vec(&ix->routes_by_dest, fqdn, strlen(fqdn)) : NULL);
}

bool ml_resil_mesh_vs_exists(const ml_model *m, const char *fqdn)
{
    ml_vec vss = ml_model_vs_for(m, fqdn);
    ML_VEC_EACH(const ml_virtualservice *, vs, &vss)
        if (vs->mesh_gateway)
            return true;
    return false;
}

const ml_resource *ml_resil_mesh_service(const ml_model *m, const ml_resource *route)
{
    const ml_gw_route *rt = route->u.route;
    for (size_t p = 0; rt && p < rt->nparents; p++) {
        const ml_gw_ref *ref = &rt->parents[p];
        const char *name = ml_str_nonnull(ref->name);
        if (!ref->is_service || !name || !*name || !ref->ns || !route->ns || strcmp(ref->ns, route->ns) != 0)
            continue;
        ml_vec svcs = ml_model_view(m, route, ML_K_SERVICE, ref->ns, name);
        if (svcs.n == 1 && ((const ml_resource *)svcs.items[0])->u.service)
            return svcs.items[0];
    }
    return NULL;
}

const ml_resource *ml_resil_consumer_service(const ml_model *m, const ml_resource *route)
{
    const ml_gw_route *rt = route->u.route;
    for (size_t p = 0; rt && p < rt->nparents; p++) {
        const ml_gw_ref *ref = &rt->parents[p];
        const char *name = ml_str_nonnull(ref->name);
        if (!ref->is_service || !name || !*name || !ref->ns || !route->ns || ml_ns_may_equal(m, ref->ns, route->ns))
            continue;
        ml_vec svcs = ml_model_view(m, route, ML_K_SERVICE, ref->ns, name);
        if (svcs.n == 1 && ((const ml_resource *)svcs.items[0])->u.service)
            return svcs.items[0];
    }
    return NULL;
}

/* Live HTTPRoutes not on an Istio Gateway that attach to the Service named
 * fqdn: producer routes (ns NULL), or the consumer routes of namespace ns. */
static ml_vec routes_for(const ml_model *m, const char *fqdn, const char *ns)
{
    ml_vec out = {0};
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_HTTPROUTE]) {
        if (!r->live || !r->u.route || (ns && !ml_streq(r->ns, ns)) || ml_resil_istio_gateway(m, r))
            continue;
        const ml_resource *producer = ml_resil_mesh_service(m, r);
        const ml_resource *svc = ns ? (producer ? NULL : ml_resil_consumer_service(m, r)) : producer;
        if (svc && ml_streq(svc->u.service->fqdn, fqdn))
            ml_vec_push(m->arena, &out, (void *)r);
    }
    return out;
}

ml_vec ml_resil_consumer_routes(const ml_model *m, const char *fqdn, const char *ns)
{
    return ns ? routes_for(m, fqdn, ns) : (ml_vec){0};
}

ml_vec ml_resil_mesh_routes(const ml_model *m, const char *fqdn)
{
    return routes_for(m, fqdn, NULL);
}

bool ml_resil_mesh_route_exists(const ml_model *m, const char *fqdn)
{
    return ml_resil_mesh_vs_exists(m, fqdn) || ml_resil_mesh_routes(m, fqdn).n > 0;
}

bool ml_resil_injected(const ml_model *m, const ml_workload *w)
{
    const ml_sidecar_fact *f = ml_mesh_sidecar(m, w);
    return f && f->known && f->injected;
}

const char *ml_resil_route_words(ml_arena *a, const ml_resil_route_ref *ref)
{
    const char *name = ml_str_nonnull(ref->rt->name);
    const char *vs = ml_res_display(a, ref->vs->res);
    return name ? ml_printf(a, "HTTP route http[%zu] (%s) of %s", ref->rt->index, name, vs)
                : ml_printf(a, "HTTP route http[%zu] of %s", ref->rt->index, vs);
}

static bool is_ipv4(const char *h)
{
    for (; *h; h++)
        if (!is_digit(*h) && *h != '.')
            return false;
    return true;
}

const char *ml_resil_url_fqdn(const ml_ctx *ctx, const char *url, const char *ns)
{
    if (!url)
        return NULL;
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    size_t auth = strcspn(s, "/?#");
    const char *at = memchr(s, '@', auth);
    if (at)
        s = at + 1;
    if (*s == '[')
        return NULL; /* IPv6 literal */
    size_t n = strcspn(s, ":/?#");
    if (n == 0)
        return NULL;
    char *host = ml_strndup(ctx->arena, s, n);
    for (char *c = host; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (is_ipv4(host))
        return NULL;
    if (ml_ends_with(host, ".svc")) {
        const char *d = ctx->cfg && ctx->cfg->cluster_domain && *ctx->cfg->cluster_domain
                            ? ctx->cfg->cluster_domain
                            : "cluster.local";
        return ml_printf(ctx->arena, "%s.%s", host, d);
    }
    return ml_resolve_dns_name(ctx->model, host, ns);
}

const char *ml_resil_outbound_url(const ml_ctx *ctx, const ml_link *l, const ml_outbound *o)
{
    if (o->url.kind == ML_VAL_STR)
        return o->url.str;
    if (!l || !l->workload)
        return NULL;
    /* the link's own resolution (env chains, builder alternatives) */
    ml_setting s = ml_link_outbound_url(ctx->model, l, o);
    return s.val.kind == ML_VAL_STR ? s.val.str : NULL;
}

/* The key of ml_resil_first_time: its bytes are the map key (no printf:
 * the rules ask once per route and link). */
typedef struct first_key {
    const void *p1, *p2;
    double n;
} first_key;

bool ml_resil_first_time(ml_map *seen, ml_arena *a, const void *p1, const void *p2, double n)
{
    first_key k;
    memset(&k, 0, sizeof k);
    k.p1 = p1;
    k.p2 = p2;
    /* equal numbers are one key: 0 and -0 stay apart (as their text did),
     * every NaN of a sign is one */
    k.n = isnan(n) ? (signbit(n) ? -NAN : NAN) : n;
    if (ml_map_get(seen, (const char *)&k, sizeof k))
        return false;
    first_key *kept = ml_alloc(a, sizeof *kept);
    *kept = k;
    ml_map_put(seen, (const char *)kept, sizeof *kept, (void *)1);
    return true;
}

/* ---- Gateway API routes as Istio converts them ------------------------------ */

const ml_resource *ml_resil_istio_gateway(const ml_model *m, const ml_resource *route)
{
    const ml_gw_route *rt = route->u.route;
    for (size_t p = 0; rt && p < rt->nparents; p++) {
        const ml_gw_ref *ref = &rt->parents[p];
        const char *name = ml_str_nonnull(ref->name);
        if (!ref->is_gateway || !name || !*name)
            continue;
        ml_vec gws = ml_model_view(m, route, ML_K_GW_GATEWAY, ref->ns, name);
        bool all = gws.n > 0;
        ML_VEC_EACH(const ml_resource *, g, &gws) {
            const ml_k8s_gateway *gw = g->u.gw;
            if (!gw || gw->waypoint || !ml_streq(ml_str_nonnull(gw->class_name), "istio"))
                all = false;
        }
        if (all)
            return gws.items[0];
    }
    return NULL;
}

/* A Gateway API duration as Istio reads it (time.ParseDuration); *ns 0 for
 * absent. false when present and unreadable. */
static bool gw_duration(const ml_node *n, int64_t *ns)
{
    *ns = 0;
    if (!n)
        return true;
    const char *s = ml_str_nonnull(n);
    return s && ml_resil_duration(s, ns);
}

ml_resil_gw ml_resil_gw_rule(const ml_model *m, const ml_resource *route, const ml_gw_rule *rule)
{
    ml_resil_gw g;
    memset(&g, 0, sizeof g);
    g.route = route;
    g.rule = rule;
    g.gateway = ml_resil_istio_gateway(m, route);
    if (!g.gateway)
        g.mesh_service = ml_resil_mesh_service(m, route);
    if (!g.gateway && !g.mesh_service)
        g.consumer_service = ml_resil_consumer_service(m, route);
    if (g.mesh_service || g.consumer_service) {
        const ml_gw_route *rt = route->u.route;
        for (size_t p = 0; p < rt->nparents && !g.waypoint; p++) {
            gw_route_via via = {0};
            if (gw_route_waypoint(m, route, &rt->parents[p], &via))
                g.waypoint = via.gw;
        }
    }
    g.known = true;
    int64_t req = 0, backend = 0;
    if (!gw_duration(rule->timeout_request, &req) || !gw_duration(rule->timeout_backend, &backend))
        g.known = false;
    g.has_retry = rule->retry != NULL;
    if (g.has_retry) {
        long long v;
        if (!rule->retry_attempts) {
            g.attempts = ML_RESIL_DEFAULT_ATTEMPTS;
            g.attempts_default = true;
        } else if (ml_int(rule->retry_attempts, &v) && v >= 0) {
            g.attempts = v;
        } else {
            g.attempts = -1;
            g.known = false;
        }
        if (req > 0) {
            g.timeout_ns = req;
            g.timeout_node = rule->timeout_request;
        }
        if (backend > 0 && g.attempts != 0) {
            g.per_try_ns = backend;
            g.per_try_node = rule->timeout_backend;
        }
    } else if (backend > 0) {
        g.timeout_ns = backend;
        g.timeout_node = rule->timeout_backend;
    } else if (req > 0) {
        g.timeout_ns = req;
        g.timeout_node = rule->timeout_request;
    }
    return g;
}

const char *ml_resil_gw_words(ml_arena *a, const ml_resil_gw *g)
{
    return ml_printf(a, "rule %zu of %s", g->rule->index + 1, ml_res_display(a, g->route));
}

void ml_resil_each_gw_rule(ml_ctx *ctx, ml_resil_gw_rule_fn fn, void *arg)
{
    const ml_model *m = ctx->model;
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_HTTPROUTE]) {
        const ml_gw_route *rt = r->u.route;
        if (!r->live || !rt)
            continue;
        for (size_t i = 0; i < rt->nrules; i++) {
            ml_resil_gw g = ml_resil_gw_rule(m, r, &rt->rules[i]);
            if (g.gateway || g.mesh_service || g.consumer_service)
                fn(ctx, r, &rt->rules[i], &g, arg);
        }
    }
}

typedef struct gw_servers_ctx {
    const ml_resil_gw *g;
    void (*fn)(ml_ctx *, const ml_server *, const ml_workload *, void *);
    void *arg;
} gw_servers_ctx;

static void gw_server_filter(ml_ctx *ctx, const ml_server *s, const ml_workload *w, void *arg)
{
    const gw_servers_ctx *c = arg;
    if ((c->g->mesh_service || c->g->consumer_service) && !c->g->waypoint && !ml_resil_injected(ctx->model, w))
        return;
    c->fn(ctx, s, w, c->arg);
}

void ml_resil_gw_servers(ml_ctx *ctx, const ml_resource *route, const ml_gw_rule *rule, const ml_resil_gw *g,
                         void (*fn)(ml_ctx *, const ml_server *, const ml_workload *, void *), void *arg)
{
    gw_servers_ctx c = {g, fn, arg};
    gw_each_backend_server(ctx, route, rule, gw_server_filter, &c);
}

const char *ml_resil_gw_proxy(ml_arena *a, const ml_resil_gw *g)
{
    if (g->gateway)
        return ml_res_display(a, g->gateway);
    if (g->waypoint)
        return ml_printf(a, "waypoint %s (it takes the traffic of %s, which the route is attached to)",
                         ml_res_display(a, g->waypoint),
                         ml_res_display(a, g->mesh_service ? g->mesh_service : g->consumer_service));
    if (g->mesh_service)
        return ml_printf(a, "callers' sidecars (the route is attached to %s, a mesh route)",
                         ml_res_display(a, g->mesh_service));
    if (g->consumer_service)
        return ml_printf(a, "the sidecars of callers in namespace %s (the route is attached to %s of another "
                            "namespace, a consumer mesh route, which takes precedence for the calls of its own "
                            "namespace)",
                         g->route->ns, ml_res_display(a, g->consumer_service));
    return "the proxy";
}

ml_resil_retry ml_resil_gw_retry(ml_arena *a, const ml_resil_gw *g)
{
    ml_resil_retry p;
    memset(&p, 0, sizeof p);
    if (!g->has_retry)
        return ml_resil_default_retry(a, ML_RESIL_RETRY_ROUTE_DEFAULT);
    if (g->attempts < 0 || g->attempts > INT32_MAX) {
        p.kind = ML_RESIL_RETRY_UNKNOWN;
        return p;
    }
    if (g->attempts == 0) {
        p.kind = ML_RESIL_RETRY_OFF;
        p.attempts_node = g->rule->retry_attempts;
        return p;
    }
    p = ml_resil_default_retry(a, ML_RESIL_RETRY_EXPLICIT);
    p.attempts = g->attempts;
    p.attempts_node = g->rule->retry_attempts ? g->rule->retry_attempts : g->rule->retry;
    ml_buf b;
    ml_buf_init(&b);
    ml_buf_puts(&b, "connect-failure,refused-stream,unavailable,cancelled");
    const ml_node *codes = ml_get(g->rule->retry, "codes");
    if (codes && !ml_is_null(codes)) {
        if (!ml_is_seq(codes)) {
            ml_buf_free(&b);
            p.kind = ML_RESIL_RETRY_UNKNOWN;
            return p;
        }
        for (size_t i = 0; i < ml_node_n(codes); i++) {
            long long c;
            if (!ml_int(&codes->elems[i], &c) || c < 100 || c > 599) {
                ml_buf_free(&b);
                p.kind = ML_RESIL_RETRY_UNKNOWN;
                return p;
            }
            ml_buf_printf(&b, ",%lld", c);
        }
        p.retry_on_node = codes;
    }
    p.retry_on = ml_strndup(a, b.s, b.n);
    ml_buf_free(&b);
    classify_retry_on(a, &p, p.retry_on, false);
    p.per_try_known = true;
    p.per_try_ns = g->per_try_ns;
    p.per_try_node = g->per_try_node;
    return p;
}
