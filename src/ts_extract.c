/*
 * ts_extract.c - Connectum server records from TypeScript/JavaScript.
 *
 * A cheap scan for the names first decides whether a file can hold a server at all;
 * only then is it tokenized (ts_lex.c) and its scopes and bindings recorded
 * (ts_parse.c). Each call that the file's imports identify as Connectum's
 * createServer (also under an alias or through a namespace import) has its
 * options evaluated by a small abstract interpreter: literals are values,
 * identifiers follow their nearest const/let declaration (and one level of
 * relative import), process.env.X becomes an environment read with its
 * default, arrays and objects are assembled through spreads, conditional
 * spreads make their elements "maybe", and everything else becomes unknown
 * with its location and the reason. The interpreter never guesses; its
 * recursion depth and total work are capped per server.
 */
#include "meshlint/lsp.h"
#include "meshlint/regex.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EVAL_MAX_DEPTH 256
#define EVAL_BUDGET 1000000
#define MAX_ELEMS 10000 /* elements or properties one literal may assemble */
/* The longest string the evaluator builds by concatenation (`a + b`,
 * template literals): options are short, and a chain of doubling bindings
 * must not take the machine. A longer string is unknown, with this reason. */
#define MAX_STR 8192
#define MAX_STR_WHY "string longer than 8192 bytes (meshlint evaluates concatenated strings up to 8 KiB)"
#define IMPORT_MAX_BYTES (8u << 20)
#define MAX_IMPORT_DEPTH 8 /* relative imports followed from the file with the server */

/* ---- the functions we recognise ----------------------------------------- */

typedef enum fn_id {
    FN_NONE,
    FN_CREATE_SERVER,
    FN_DEFAULTS,
    FN_RETRY,
    FN_TIMEOUT,
    FN_CIRCUIT_BREAKER,
    FN_BULKHEAD,
    FN_FALLBACK,
    FN_HEALTH,
    FN_REFLECTION,
    FN_INIT_PROVIDER,
    FN_CONNECT_TRANSPORT,
    FN_GRPC_TRANSPORT,
    FN_GRPCWEB_TRANSPORT,
    FN_METHOD_FILTER,
    FN_OTEL_INTERCEPTOR,
    FN_PARSE_ENV_CONFIG,
    FN_PER_SERVICE_ENV_RESOLVER,
    FN_DNS_RESOLVER,
    FN_PARSE_SERVICES_ENV,
    FN_SPLIT_LIST, /* not a Connectum function: S.split(",") (with .map(trim) and
                      .filter of empty entries), which enabledServices may be;
                      args[0] is S, b: entries trimmed, num: what an undefined S
                      gives (ML_ES_UNSET_*) */
    FN_LIST_LEN,   /* L.length of such a list (args[0] is L) */
    FN_LIST_TEST,  /* a test of such a list (args[0] is L): true when L is one of
                      the LT_* of num (empty, names "*"); negate: the opposite */
    FN_ALL_WHEN,   /* `test ? undefined : L`: L, except that when the LT_* of num
                      hold the value is undefined (every service mounted) */
    FN_OTHER /* some other function imported from @connectum/... (or from a package
                that cannot return a Connectum interceptor, foreign_module()):
                known, not configurable here */
} fn_id;

static const struct {
    const char *name;
    fn_id id;
    const char *scope; /* module prefix it must come from */
} fn_table[] = {
    {"createServer", FN_CREATE_SERVER, "@connectum/"},
    {"createDefaultInterceptors", FN_DEFAULTS, "@connectum/"},
    {"createRetryInterceptor", FN_RETRY, "@connectum/"},
    {"createTimeoutInterceptor", FN_TIMEOUT, "@connectum/"},
    {"createCircuitBreakerInterceptor", FN_CIRCUIT_BREAKER, "@connectum/"},
    {"createBulkheadInterceptor", FN_BULKHEAD, "@connectum/"},
    {"createFallbackInterceptor", FN_FALLBACK, "@connectum/"},
    {"Healthcheck", FN_HEALTH, "@connectum/"},
    {"Reflection", FN_REFLECTION, "@connectum/"},
    {"initProvider", FN_INIT_PROVIDER, "@connectum/"},
    {"createConnectTransport", FN_CONNECT_TRANSPORT, "@connectrpc/"},
    {"createGrpcTransport", FN_GRPC_TRANSPORT, "@connectrpc/"},
    {"createGrpcWebTransport", FN_GRPCWEB_TRANSPORT, "@connectrpc/"},
    {"createMethodFilterInterceptor", FN_METHOD_FILTER, "@connectum/"},
    {"createOtelInterceptor", FN_OTEL_INTERCEPTOR, "@connectum/"},
    {"parseEnvConfig", FN_PARSE_ENV_CONFIG, "@connectum/"},
    {"perServiceEnvResolver", FN_PER_SERVICE_ENV_RESOLVER, "@connectum/"},
    {"dnsResolver", FN_DNS_RESOLVER, "@connectum/"},
    {"parseServicesEnv", FN_PARSE_SERVICES_ENV, "@connectum/"},
};

/* Packages whose functions cannot return one of Connectum's resilience
 * interceptors: only @connectum/interceptors exports them
 * (interceptors/src/index.ts), and no other Connectum package depends on it
 * (the dependencies of core, auth, otel, events and testing in their
 * package.json; their functions are FN_OTHER through the @connectum/ scope).
 * These scopes are below Connectum: @connectrpc (ConnectRPC, a peer
 * dependency of @connectum/core), @bufbuild (Protobuf-ES, the same) and
 * @opentelemetry (a dependency of @connectum/otel); they do not know
 * Connectum. A call into them (createValidateInterceptor() of
 * @connectrpc/validate, ...) is an interceptor list entry that is none of
 * retry, timeout, circuit breaker, bulkhead or fallback. */
static bool foreign_module(const char *module)
{
    return module && (ml_starts_with(module, "@connectrpc/") || ml_starts_with(module, "@bufbuild/") ||
                      ml_starts_with(module, "@opentelemetry/"));
}

static fn_id fn_by_name(const char *name, const char *module)
{
    for (size_t k = 0; k < sizeof fn_table / sizeof fn_table[0]; k++)
        if (strcmp(fn_table[k].name, name) == 0) {
            if (module && !ml_starts_with(module, fn_table[k].scope))
                return foreign_module(module) ? FN_OTHER : FN_NONE;
            return fn_table[k].id;
        }
    return module && (ml_starts_with(module, "@connectum/") || foreign_module(module)) ? FN_OTHER : FN_NONE;
}

static bool fn_is_transport(fn_id f)
{
    return f == FN_CONNECT_TRANSPORT || f == FN_GRPC_TRANSPORT || f == FN_GRPCWEB_TRANSPORT;
}

/* ---- values --------------------------------------------------------------- */

typedef enum vk {
    V_UNKNOWN,
    V_UNDEF,
    V_NULL,
    V_NUM,
    V_STR,
    V_BOOL,
    V_ENV,
    V_ENVOBJ,  /* process.env */
    V_PROCESS, /* process */
    V_OBJ,
    V_ARR,
    V_COND,    /* a condition the code decides at run time: a or b */
    V_CALL,    /* a recognised Connectum call */
    V_FUNC,
    V_NS       /* a namespace import */
} vk;

typedef struct val val;

typedef struct prop {
    const char *key;
    val *v;
    bool maybe;         /* from a conditional spread */
    bool from_spread;
    uint32_t order;
    ml_ts_unit *u;      /* where the property is written */
    uint32_t first, last;
    ml_loc span;
} prop;

typedef struct elem {
    val *v;
    bool maybe;
} elem;

struct val {
    /* 248 bytes on LP64 (304 before): small fields first, so that no padding
     * is left between them, and what only a V_CALL, V_FUNC or V_NS value
     * uses shares one union (each is read only after its kind is checked) */
    vk k;
    int open_after;     /* V_OBJ: order of the last unknown spread, -1 none; V_ARR: 1 when open */
    fn_id fn;           /* V_CALL */
    bool b;
    bool negate;
    double num;
    const char *str;
    const char *env;
    val *dflt;          /* V_ENV: the default; with match: the boolean for an unset variable */
    ml_vec match;       /* V_ENV used as a test: true when the value is one of these */
    const char *why;
    ml_loc loc;
    val *a, *b2;        /* V_COND */
    ml_vec props;       /* V_OBJ: prop* in source order */
    ml_vec elems;       /* V_ARR: elem* */
    const char *open_why;
    ml_loc open_loc;
    const char *alt_of; /* V_COND: the alternatives are what the call sites of
                           this function pass (not a run-time condition) */
    union {
        ml_vec args;        /* V_CALL: val* */
        struct {            /* V_FUNC of a named function: where it is */
            ml_ts_unit *fn_unit;
            struct ml_ts_binding *fn_bind;
        };
        struct {            /* V_NS */
            const char *module;
            ml_ts_unit *ns_unit; /* of a relative import */
        };
    };
};

/* What every file's extraction shares (m->ts_imports): the files that
 * relative imports name, each read once per run (in the model's arena, since
 * extracted values point at them), and their tokenized units, made once per
 * extraction: a unit, its bindings, expression trees and cached values live
 * in the evaluator's scratch arena and go with it (drop_units). */
typedef struct import_cache {
    ml_map files;  /* normalised path -> ml_file* (the model's, or read here); NOT_READABLE */
    ml_map units;  /* normalised path -> ml_ts_unit* (scratch) */
    ml_vec owned;  /* those units, to free (scratch) */
    bool indexed;  /* the model's files are in `files` */
    unsigned gen;  /* evaluation generations, unique for the run */
} import_cache;

/* What linking reuses (m->ts_memo): the package of each directory, and the
 * facts each extracted file yielded. */
typedef struct ts_memo {
    ml_map packages; /* directory -> pkg_hit* */
    ml_map facts_of; /* ml_file* -> ml_vec* of the ml_ts_fact* its extraction found */
    /* the evaluator's scratch for one file (ml_ts_extract, ml_ts_file_facts):
     * reset after each, so its blocks serve the next file instead of being
     * mapped and cleared again; freed by ml_ts_release */
    ml_arena scratch;
} ts_memo;

/* the cache's mark for a path that could not be read (compared, never used) */
static const char not_readable_mark;
#define NOT_READABLE ((ml_file *)(uintptr_t)&not_readable_mark)

/* A local helper function being called (call_local): its parameters are
 * this call's arguments. */
struct frame {
    ml_ts_unit *fu;       /* the function's unit */
    uint32_t open, end;   /* its parameters' '(' and the end of its body */
    ml_ts_unit *cu;       /* the call */
    struct ml_ts_node *call;
};

typedef struct xctx {
    struct frame frames[8];
    unsigned nframes;
    ml_model *m;
    ml_arena *a;          /* scratch: values, expression nodes, imported units (freed after the unit) */
    ml_arena *out;        /* the model's: servers, facts and what they point at (keep_server) */
    ml_server *srv;       /* env reads are recorded here */
    unsigned depth;
    unsigned long budget; /* evaluation steps and copied elements left */
    unsigned gen;         /* binding values are cached per generation (one per call evaluated) */
    import_cache *ic;
    struct bind_memo *rec; /* the binding being evaluated: its env reads are recorded there */
    unsigned long cuts;   /* values cut by the depth or step budget (they depend on the context) */
    ml_map env_seen;      /* the server's env_names, to keep them unique in linear time */
    void **stack;         /* malloc'd: replaying env reads (bind_memo*) */
    size_t nstack, capstack;
} xctx;

/* A binding's value (ml_ts_binding.cache): computed once and shared by
 * every evaluation, so that memory does not grow with (size of a value) x
 * (number of calls that use it). Each server records the environment
 * variables its options read: a memo keeps the names its own expression
 * read and the memos it used, and a later use walks that graph once per
 * server (seen_gen). */
typedef struct bind_memo {
    val *v;
    ml_vec env;        /* const char*: read by the binding's own expression */
    ml_vec used;       /* bind_memo*: bindings its evaluation used */
    bool any_gen;      /* valid in every generation; otherwise only in cache_gen */
    unsigned seen_gen; /* replayed into this generation's server already */
} bind_memo;

static val *mkv(xctx *x, vk k, ml_loc loc)
{
    val *v = ml_zalloc(x->a, sizeof *v);
    v->k = k;
    v->loc = loc;
    v->open_after = -1;
    return v;
}

static val *unk(xctx *x, ml_loc loc, const char *why)
{
    val *v = mkv(x, V_UNKNOWN, loc);
    v->why = why;
    return v;
}

static ml_loc nloc(const ml_ts_unit *u, const ml_ts_node *n)
{
    return ml_ts_loc(u, n->first, n->last);
}

static void note_env_srv(xctx *x, const char *name)
{
    if (!x->srv)
        return;
    void **slot = ml_map_slot_for(&x->env_seen, name, strlen(name));
    if (*slot)
        return;
    *slot = (void *)1;
    ml_vec_push(x->a, &x->srv->env_names, (void *)name);
}

static void note_env(xctx *x, const char *name)
{
    if (!name)
        return;
    if (x->rec)
        ml_vec_push(x->a, &x->rec->env, (void *)name);
    note_env_srv(x, name);
}

/* A memoized binding is used: its env reads (and those of the bindings it
 * used, each once per generation) go to the server, and the binding being
 * evaluated records the use. */
static void replay_memo(xctx *x, bind_memo *bm)
{
    if (x->rec && x->rec != bm)
        ml_vec_push(x->a, &x->rec->used, bm);
    if (!x->srv || bm->seen_gen == x->gen)
        return;
    bm->seen_gen = x->gen;
    x->nstack = 0;
    for (;;) {
        ML_VEC_EACH(const char *, e, &bm->env) {
            note_env_srv(x, e);
        }
        ML_VEC_EACH(bind_memo *, k, &bm->used) {
            if (k->seen_gen == x->gen)
                continue;
            k->seen_gen = x->gen;
            if (x->nstack == x->capstack) {
                size_t cap = x->capstack ? x->capstack * 2 : 64;
                void **st = realloc(x->stack, cap * sizeof *st);
                if (!st)
                    continue; /* out of memory: ml_alloc would abort soon anyway */
                x->stack = st;
                x->capstack = cap;
            }
            x->stack[x->nstack++] = k;
        }
        if (!x->nstack)
            break;
        bm = x->stack[--x->nstack];
    }
}

static val *env_val(xctx *x, ml_loc loc, const char *name)
{
    val *v = mkv(x, V_ENV, loc);
    v->env = name;
    note_env(x, name);
    return v;
}

/* Source text of a node, shortened, for messages ("call to loadConfig()"). */
static const char *node_text(xctx *x, const ml_ts_unit *u, const ml_ts_node *n)
{
    ml_loc l = nloc(u, n);
    size_t len = l.end_off - l.off;
    const char *s = u->src + l.off;
    ml_buf b;
    ml_buf_init(&b);
    bool space = false;
    for (size_t k = 0; k < len && k < 4096 && b.n < 48; k++) {
        char c = s[k];
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && b.n)
            ml_buf_putc(&b, ' ');
        space = false;
        ml_buf_putc(&b, c);
    }
    if (b.n >= 48)
        ml_buf_puts(&b, "...");
    const char *r = ml_strndup(x->a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return r;
}

/* Truthiness: 1 true, 0 false, -1 unknown. */
static int truthy(const val *v)
{
    if (v->k == V_CALL && (v->fn == FN_LIST_LEN || v->fn == FN_LIST_TEST))
        return -1; /* decided per link, from the container's env */
    switch (v->k) {
    case V_UNDEF:
    case V_NULL: return 0;
    case V_NUM: return v->num != 0 && !isnan(v->num);
    case V_STR: return v->str && v->str[0] ? 1 : 0;
    case V_BOOL: return v->b;
    case V_OBJ:
    case V_ARR:
    case V_FUNC:
    case V_CALL:
    case V_ENVOBJ:
    case V_PROCESS:
    case V_NS: return 1;
    default: return -1;
    }
}

static bool is_nullish(const val *v) { return v->k == V_UNDEF || v->k == V_NULL; }

/* parseServicesEnv(S) or S.split(",") (enabledServices' list forms) */
static bool is_service_list(const val *v)
{
    return v->k == V_CALL && (v->fn == FN_PARSE_SERVICES_ENV || v->fn == FN_SPLIT_LIST);
}

static bool parse_number_str(const char *s, double *out)
{
    if (!s)
        return false;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (!*s) {
        *out = 0; /* Number("") is 0 */
        return true;
    }
    char *end;
    double d = strtod(s, &end);
    if (end == s)
        return false;
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    if (*end)
        return false;
    *out = d;
    return true;
}

/* Number(v): keeps environment reads (with their default converted). */
static val *to_number(xctx *x, val *v, ml_loc loc, bool parse_int)
{
    switch (v->k) {
    case V_NUM: {
        val *r = mkv(x, V_NUM, loc);
        r->num = parse_int ? trunc(v->num) : v->num;
        return r;
    }
    case V_STR: {
        double d;
        bool ok = false;
        if (parse_int) {
            char *end;
            d = (double)strtoll(v->str, &end, 10);
            ok = end != v->str;
        } else {
            ok = parse_number_str(v->str, &d);
        }
        if (!ok)
            return unk(x, loc, ml_printf(x->a, "\"%s\" is not a number", v->str));
        val *r = mkv(x, V_NUM, loc);
        r->num = d;
        return r;
    }
    case V_BOOL: {
        val *r = mkv(x, V_NUM, loc);
        r->num = v->b;
        return r;
    }
    case V_ENV: {
        if (v->match.n)
            return unk(x, loc, ml_printf(x->a, "number of a test on %s", v->env));
        val *r = mkv(x, V_ENV, loc);
        r->env = v->env;
        if (v->dflt)
            r->dflt = to_number(x, v->dflt, v->dflt->loc, parse_int);
        return r;
    }
    case V_COND: {
        val *r = mkv(x, V_COND, loc);
        r->a = to_number(x, v->a, v->a->loc, parse_int);
        r->b2 = to_number(x, v->b2, v->b2->loc, parse_int);
        return r;
    }
    case V_UNKNOWN: return unk(x, loc, v->why);
    default: return unk(x, loc, "not a number");
    }
}

/* ---- objects ---------------------------------------------------------------- */

typedef struct lookup {
    val *v;     /* NULL: absent */
    prop *p;    /* the deciding property, or NULL */
    bool unknown;
    const char *why;
    ml_loc loc;
} lookup;

static lookup obj_get(xctx *x, val *obj, const char *key)
{
    lookup r;
    memset(&r, 0, sizeof r);
    if (obj->k != V_OBJ) {
        r.unknown = true;
        r.why = obj->k == V_UNKNOWN ? obj->why : "not an object literal";
        r.loc = obj->loc;
        return r;
    }
    prop *last = NULL;
    val *acc = NULL; /* the value with conditional properties folded in */
    ML_VEC_EACH(prop *, p, &obj->props) {
        if (!p->key || strcmp(p->key, key) != 0)
            continue;
        if (p->maybe) {
            val *c = mkv(x, V_COND, p->v->loc);
            c->a = p->v;
            c->b2 = acc ? acc : mkv(x, V_UNDEF, p->v->loc);
            acc = c;
        } else {
            acc = p->v;
        }
        last = p;
    }
    if (obj->open_after >= 0 && (!last || (int)last->order < obj->open_after)) {
        r.unknown = true;
        r.why = obj->open_why;
        r.loc = obj->open_loc;
        r.p = last;
        return r;
    }
    r.v = acc;
    r.p = last;
    return r;
}

static void obj_open(val *obj, const char *why, ml_loc loc);

static void obj_add(xctx *x, val *obj, prop *p)
{
    if (obj->props.n >= MAX_ELEMS || x->budget == 0) {
        if (x->budget == 0)
            x->cuts++;
        obj_open(obj, "object too large to evaluate", p->span);
        return;
    }
    x->budget--;
    p->order = (uint32_t)obj->props.n;
    ml_vec_push(x->a, &obj->props, p);
}

static void obj_open(val *obj, const char *why, ml_loc loc)
{
    obj->open_after = (int)obj->props.n;
    obj->open_why = why;
    obj->open_loc = loc;
}

/* Merge the properties of a spread value into obj. */
static void obj_spread(xctx *x, val *obj, val *src, bool maybe, ml_loc loc, unsigned depth)
{
    if (depth > 16) {
        obj_open(obj, "spread nested too deeply", loc);
        return;
    }
    switch (src->k) {
    case V_OBJ:
        ML_VEC_EACH(prop *, p, &src->props) {
            prop *q = ml_alloc(x->a, sizeof *q);
            *q = *p;
            q->maybe = p->maybe || maybe;
            q->from_spread = true;
            obj_add(x, obj, q);
        }
        if (src->open_after >= 0)
            obj_open(obj, src->open_why, src->open_loc);
        break;
    case V_UNDEF:
    case V_NULL:
    case V_BOOL:
    case V_NUM:
        break; /* spreading these adds nothing */
    case V_COND:
        obj_spread(x, obj, src->a, true, loc, depth + 1);
        obj_spread(x, obj, src->b2, true, loc, depth + 1);
        break;
    default:
        obj_open(obj, src->k == V_UNKNOWN && src->why ? src->why : "spread of a value that is not an object literal", loc);
        break;
    }
}

static void arr_push(xctx *x, val *arr, val *v, bool maybe)
{
    if (arr->elems.n >= MAX_ELEMS || x->budget == 0) {
        if (x->budget == 0)
            x->cuts++;
        if (arr->open_after < 0) {
            arr->open_after = 1;
            v = unk(x, v->loc, "array too large to evaluate");
            maybe = false;
        } else {
            return;
        }
    } else {
        x->budget--;
    }
    elem *e = ml_alloc(x->a, sizeof *e);
    e->v = v;
    e->maybe = maybe;
    ml_vec_push(x->a, &arr->elems, e);
}

/* Two elements that are one value: the same val, or calls of the same
 * function at the same place (a helper's local evaluated once per return). */
static bool same_elem(const val *a, const val *b)
{
    if (a == b)
        return true;
    return a->k == V_CALL && b->k == V_CALL && a->fn == b->fn && a->fn != FN_NONE && a->loc.file &&
           a->loc.file == b->loc.file && a->loc.off == b->loc.off && a->loc.end_off == b->loc.end_off;
}

/* The elements of a value that is one of a few arrays (V_COND of V_ARR,
 * undefined or null): an element present in every alternative keeps its own
 * maybe, the others are maybe. NULL when an alternative is something else.
 * Bounded by depth and by the elements of the alternatives. */
static val *cond_elems(xctx *x, val *v, unsigned depth)
{
    if (depth > 16 || x->budget == 0) {
        if (x->budget == 0)
            x->cuts++;
        return NULL;
    }
    x->budget--;
    if (v->k == V_ARR)
        return v->open_after < 0 ? v : NULL;
    if (v->k == V_UNDEF || v->k == V_NULL) {
        val *r = mkv(x, V_ARR, v->loc);
        r->open_after = -1;
        return r;
    }
    if (v->k != V_COND)
        return NULL;
    val *a = cond_elems(x, v->a, depth + 1), *b = cond_elems(x, v->b2, depth + 1);
    if (!a || !b || a->elems.n > 256 || b->elems.n > 256)
        return NULL;
    val *r = mkv(x, V_ARR, v->loc);
    r->open_after = -1;
    bool used[256] = {false};
    ML_VEC_EACH(elem *, ea, &a->elems) {
        bool both = false;
        for (size_t k = 0; k < b->elems.n && !both; k++) {
            elem *eb = b->elems.items[k];
            if (!used[k] && same_elem(ea->v, eb->v)) {
                used[k] = true;
                both = true;
                arr_push(x, r, ea->v, ea->maybe || eb->maybe);
            }
        }
        if (!both)
            arr_push(x, r, ea->v, true);
    }
    for (size_t k = 0; k < b->elems.n; k++)
        if (!used[k])
            arr_push(x, r, ((elem *)b->elems.items[k])->v, true);
    return r;
}

static void arr_spread(xctx *x, val *arr, val *src, bool maybe, unsigned depth)
{
    if (depth > 16) {
        arr_push(x, arr, unk(x, src->loc, "spread nested too deeply"), maybe);
        return;
    }
    switch (src->k) {
    case V_ARR:
        ML_VEC_EACH(elem *, e, &src->elems) {
            arr_push(x, arr, e->v, e->maybe || maybe);
        }
        break;
    case V_COND: {
        val *common = cond_elems(x, src, 0);
        if (common) {
            ML_VEC_EACH(elem *, e, &common->elems) {
                arr_push(x, arr, e->v, e->maybe || maybe);
            }
            break;
        }
        arr_spread(x, arr, src->a, true, depth + 1);
        arr_spread(x, arr, src->b2, true, depth + 1);
        break;
    }
    case V_UNDEF:
    case V_NULL:
        break;
    default:
        /* ...createDefaultInterceptors() and unknown spreads stay elements */
        arr_push(x, arr, src, maybe);
        break;
    }
}

/* ---- evaluation ------------------------------------------------------------ */

static val *ev(xctx *x, ml_ts_unit *u, ml_ts_node *n);
static val *env_test(xctx *x, val *e, const ml_vec *list, bool negate, ml_loc loc);
static ml_ts_unit *load_relative(xctx *x, ml_ts_unit *from, const char *spec);

static bool is_relative(const char *m) { return m && (ml_starts_with(m, "./") || ml_starts_with(m, "../")); }
/* A specifier this tool follows into the package's own files: relative, or
 * a "#subpath" of package.json "imports". */
static bool is_local(const char *m) { return is_relative(m) || (m && m[0] == '#' && m[1]); }

/* ---- parameters: what every call site of the function passes ---------------- */

static ml_ts_node *call_node(ml_ts_unit *u, uint32_t c, uint32_t name_tok, uint32_t lp);
static bool mentions(const ml_file *f, const char *const *names);
static ml_file *resolve_relative(xctx *x, ml_ts_unit *from, const char *spec);
static ml_ts_unit *unit_of(xctx *x, ml_file *f, unsigned depth);
static val *val_member(xctx *x, val *obj, const char *name, ml_loc loc, bool optional, unsigned depth);

#define MAX_CALL_SITES 32

typedef struct call_site {
    ml_ts_unit *u;
    ml_ts_node *call;
} call_site;

typedef struct fn_calls {
    ml_vec sites;     /* call_site* */
    const char *why;  /* some use cannot be followed (a value reference, too many calls) */
    ml_loc why_loc;
    bool exported;
} fn_calls;

/* Where a parameter sits in its function's parameter list. */
typedef struct param_pos {
    uint32_t index;
    uint32_t dflt;       /* the parameter's default, or UINT32_MAX */
    const char *key;     /* destructured { key: name }: the property, else NULL */
    uint32_t inner_dflt; /* the pattern element's default, or UINT32_MAX */
    const char *why;
} param_pos;

static bool find_param(ml_ts_unit *u, const ml_ts_binding *b, uint32_t open, param_pos *pp)
{
    static const char *const modifiers[] = {"public", "private", "protected", "readonly", "override", NULL};
    memset(pp, 0, sizeof *pp);
    pp->dflt = pp->inner_dflt = UINT32_MAX;
    if (!ml_tok_p(u, open, ML_P_LPAREN))
        return open == b->tok; /* x => ...: the only parameter */
    uint32_t close = ml_ts_match(u, open);
    uint32_t p = open + 1, idx = 0;
    for (int guard = 0; p < close && guard < 4096; guard++) {
        while (ml_ts_tok(u, p)->kind == ML_TK_IDENT && ml_ts_tok(u, p + 1)->kind == ML_TK_IDENT) {
            bool mod = false;
            for (int k = 0; modifiers[k]; k++)
                mod |= ml_tok_is(u, p, modifiers[k]);
            if (!mod)
                break;
            p++;
        }
        bool rest = ml_tok_p(u, p, ML_P_ELLIPSIS);
        if (rest)
            p++;
        uint32_t first = p, last;
        if (ml_ts_tok(u, p)->kind == ML_TK_IDENT)
            last = p;
        else if (ml_tok_p(u, p, ML_P_LBRACE) || ml_tok_p(u, p, ML_P_LBRACK))
            last = ml_ts_match(u, p);
        else
            return false;
        if (last < first || last >= close)
            return false;
        p = last + 1;
        if (ml_tok_p(u, p, ML_P_Q))
            p++;
        if (ml_tok_p(u, p, ML_P_COLON))
            p = ml_ts_skip_type(u, p + 1);
        uint32_t dflt = UINT32_MAX;
        if (ml_tok_p(u, p, ML_P_ASSIGN)) {
            dflt = p + 1;
            p = ml_ts_skip_expr(u, p + 1);
        }
        if (b->tok >= first && b->tok <= last) {
            if (rest) {
                pp->why = "a rest parameter";
                return false;
            }
            pp->index = idx;
            pp->dflt = dflt;
            if (first == b->tok)
                return true;
            if (!ml_tok_p(u, first, ML_P_LBRACE)) {
                pp->why = "an array pattern";
                return false;
            }
            uint32_t q = first + 1;
            for (int g2 = 0; q < last && g2 < 4096; g2++) {
                uint32_t qe = ml_ts_skip_expr(u, q);
                if (qe <= q)
                    qe = q + 1;
                if (q == b->tok) {
                    pp->key = b->name;
                    if (ml_tok_p(u, q + 1, ML_P_ASSIGN))
                        pp->inner_dflt = q + 2;
                    return true;
                }
                const ml_tok *kt = ml_ts_tok(u, q);
                if ((kt->kind == ML_TK_IDENT || kt->kind == ML_TK_STR) && ml_tok_p(u, q + 1, ML_P_COLON) &&
                    q + 2 == b->tok && (q + 3 == qe || ml_tok_p(u, q + 3, ML_P_ASSIGN))) {
                    pp->key = kt->kind == ML_TK_STR ? ml_tok_string(u, q, NULL)
                                                    : ml_strndup(u->arena, u->src + kt->off, kt->end - kt->off);
                    if (ml_tok_p(u, q + 3, ML_P_ASSIGN))
                        pp->inner_dflt = q + 4;
                    return true;
                }
                q = qe;
                if (!ml_tok_p(u, q, ML_P_COMMA))
                    break;
                q++;
            }
            pp->why = "a nested destructuring pattern";
            return false;
        }
        idx++;
        if (!ml_tok_p(u, p, ML_P_COMMA))
            break;
        p++;
    }
    return false;
}

/* The named function whose parameters start at token open (function f(,
 * const f = (, const f = async function (, const f = x =>), or NULL. */
static ml_ts_binding *function_at(ml_ts_unit *u, uint32_t open)
{
    if (open == 0)
        return NULL;
    uint32_t p = open - 1;
    if (ml_tok_p(u, open, ML_P_LPAREN) && ml_ts_tok(u, p)->kind == ML_TK_IDENT && !ml_tok_is(u, p, "function") &&
        !ml_tok_is(u, p, "async")) {
        if (p == 0 || !ml_tok_is(u, p - 1, "function"))
            return NULL; /* a method, or a call */
        const ml_tok *t = ml_ts_tok(u, p);
        ml_ts_binding *b = ml_ts_lookup(u, u->src + t->off, t->end - t->off, p);
        if (b && b->tok == p && b->kind == ML_B_FUNC)
            return b;
        p--; /* const f = function g( */
        if (p == 0)
            return NULL;
        p--;
    }
    if (ml_tok_is(u, p, "function") && p > 0)
        p--;
    if (ml_tok_is(u, p, "async") && p > 0)
        p--;
    if (!ml_tok_p(u, p, ML_P_ASSIGN) || p < 2 || ml_ts_tok(u, p - 1)->kind != ML_TK_IDENT ||
        !(ml_tok_is(u, p - 2, "const") || ml_tok_is(u, p - 2, "let") || ml_tok_is(u, p - 2, "var")))
        return NULL;
    const ml_tok *t = ml_ts_tok(u, p - 1);
    ml_ts_binding *b = ml_ts_lookup(u, u->src + t->off, t->end - t->off, p - 1);
    if (!b || b->tok != p - 1 || (b->kind != ML_B_CONST && ml_map_gets(&u->reassigned, b->name)))
        return NULL;
    return b;
}

/* Inside `export { a, b as c }`: not a use that calls. */
static bool in_export_list(const ml_ts_unit *u, uint32_t i)
{
    for (uint32_t q = i, steps = 0; q > 0 && steps < 256; q--, steps++) {
        const ml_tok *t = ml_ts_tok(u, q - 1);
        if (ml_tok_p(u, q - 1, ML_P_LBRACE))
            return q >= 2 && ml_tok_is(u, q - 2, "export");
        if (t->kind != ML_TK_IDENT && !ml_tok_p(u, q - 1, ML_P_COMMA))
            return false;
    }
    return false;
}

/* The calls of target (a binding of cu named name) in cu. */
static void calls_in(xctx *x, ml_ts_unit *cu, const ml_ts_binding *target, fn_calls *fc)
{
    size_t len = strlen(target->name);
    for (uint32_t i = 0; i + 1 < cu->lx.n; i++) {
        const ml_tok *t = ml_ts_tok(cu, i);
        if (t->kind != ML_TK_IDENT || t->end - t->off != len || memcmp(cu->src + t->off, target->name, len) != 0 ||
            i == target->tok)
            continue;
        if (i > 0 && (ml_tok_p(cu, i - 1, ML_P_DOT) || ml_tok_p(cu, i - 1, ML_P_QDOT) ||
                      ml_tok_is(cu, i - 1, "function") || ml_tok_is(cu, i - 1, "typeof")))
            continue;
        if (ml_tok_p(cu, i + 1, ML_P_COLON) && !ml_tok_p(cu, i - 1, ML_P_Q))
            continue; /* an object key */
        if (ml_ts_lookup(cu, target->name, len, i) != target)
            continue;
        if (!ml_tok_p(cu, i + 1, ML_P_LPAREN)) {
            if (in_export_list(cu, i) || (i > 0 && ml_tok_is(cu, i - 1, "default")) ||
                (i > 0 && ml_tok_is(cu, i - 1, "import")))
                continue;
            if (!fc->why) {
                fc->why = ml_printf(x->a, "%s is used as a value, so it may be called with other arguments", target->name);
                fc->why_loc = ml_ts_loc(cu, i, i);
            }
            continue;
        }
        if (fc->sites.n >= MAX_CALL_SITES) {
            if (!fc->why) {
                fc->why = ml_printf(x->a, "%s has more than %d call sites", target->name, MAX_CALL_SITES);
                fc->why_loc = ml_ts_loc(cu, i, i);
            }
            return;
        }
        call_site *cs = ml_zalloc(x->a, sizeof *cs);
        cs->u = cu;
        cs->call = call_node(cu, i, i, i + 1);
        ml_vec_push(x->a, &fc->sites, cs);
    }
}

/* Every call of fb: in its own file, and, when it is exported, in the other
 * files of its package that import it (tests excluded: they do not run in a
 * deployment). Found once per function. */
static fn_calls *calls_of(xctx *x, ml_ts_unit *u, ml_ts_binding *fb)
{
    if (fb->calls)
        return fb->calls;
    fn_calls *fc = ml_zalloc(x->a, sizeof *fc);
    fb->calls = fc;
    calls_in(x, u, fb, fc);
    const char *names[8];
    size_t nn = 0;
    for (size_t s = 0; s < u->exports.cap && nn < 7; s++)
        if (u->exports.slots[s].key && u->exports.slots[s].value == fb)
            names[nn++] = u->exports.slots[s].key;
    names[nn] = NULL;
    if (!nn)
        return fc;
    fc->exported = true;
    const char *pkg = ml_ts_package_m(x->m, u->file->path, NULL);
    ML_VEC_EACH(ml_file *, f, &x->m->files) {
        if (f->type != ML_FILE_TS || f == u->file || !f->data || !mentions(f, names) ||
            ml_ts_is_test_file(x->a, f->path) ||
            strcmp(ml_ts_package_m(x->m, f->path, NULL), pkg) != 0)
            continue;
        ml_ts_unit *cu = unit_of(x, f, 1);
        if (!cu)
            continue;
        for (size_t s = 0; s < cu->bindings.cap; s++) {
            if (!cu->bindings.slots[s].key)
                continue;
            ML_VEC_EACH(ml_ts_binding *, ib, (ml_vec *)cu->bindings.slots[s].value) {
                if ((ib->kind != ML_B_IMPORT && ib->kind != ML_B_IMPORT_NS) || !ib->module)
                    continue;
                bool named = false;
                for (size_t k = 0; k < nn; k++)
                    named |= ib->kind == ML_B_IMPORT && ib->key && strcmp(ib->key, names[k]) == 0;
                if (ib->kind == ML_B_IMPORT && !named)
                    continue;
                if (resolve_relative(x, cu, ib->module) != u->file)
                    continue;
                if (ib->kind == ML_B_IMPORT_NS) {
                    if (!fc->why) {
                        fc->why = ml_printf(x->a, "%s is imported as a namespace (%s)", u->file->path, ib->name);
                        fc->why_loc = ml_ts_loc(cu, ib->tok, ib->tok);
                    }
                    continue;
                }
                calls_in(x, cu, ib, fc);
            }
        }
    }
    return fc;
}

/* What one call passes for the parameter (its default when it passes
 * nothing or undefined). */
static val *param_at_call(xctx *x, ml_ts_unit *fu, const param_pos *pp, const call_site *cs, ml_loc use)
{
    ml_ts_node *call = cs->call;
    val *v = NULL;
    for (uint32_t k = 0; k < call->nkids && k <= pp->index; k++)
        if (call->kids[k]->kind == ML_N_SPREAD)
            v = unk(x, nloc(cs->u, call->kids[k]), "spread argument");
    if (!v)
        v = pp->index < call->nkids ? ev(x, cs->u, call->kids[pp->index]) : mkv(x, V_UNDEF, nloc(cs->u, call));
    if (v->k == V_UNDEF && pp->dflt != UINT32_MAX)
        v = ev(x, fu, ml_ts_parse_expr(fu, pp->dflt, NULL));
    if (pp->key) {
        v = v->k == V_ENVOBJ ? env_val(x, use, pp->key) : val_member(x, v, pp->key, use, false, 0);
        if (v->k == V_UNDEF && pp->inner_dflt != UINT32_MAX)
            v = ev(x, fu, ml_ts_parse_expr(fu, pp->inner_dflt, NULL));
    }
    return v;
}

/* A parameter of a named function: one of the values its call sites pass. */
static val *eval_param(xctx *x, ml_ts_unit *u, ml_ts_binding *b, ml_loc use)
{
    const char *plain = ml_printf(x->a, "value of parameter %s", b->name);
    if (b->scope >= u->nscopes)
        return unk(x, use, plain);
    uint32_t open = u->scopes[b->scope].open;
    param_pos pp;
    if (!find_param(u, b, open, &pp))
        return unk(x, use, pp.why ? ml_printf(x->a, "parameter %s is %s", b->name, pp.why) : plain);
    for (unsigned k = x->nframes; k-- > 0;) {
        if (x->frames[k].fu != u || x->frames[k].open != open)
            continue;
        /* a call being evaluated: its arguments, in the caller's context */
        struct frame fr = x->frames[k];
        unsigned saved = x->nframes;
        x->nframes = k;
        call_site cs = {fr.cu, fr.call};
        val *v = param_at_call(x, u, &pp, &cs, use);
        x->nframes = saved;
        return v;
    }
    ml_ts_binding *fb = function_at(u, open);
    if (!fb)
        return unk(x, use, plain);
    if (b->busy)
        return unk(x, use, ml_printf(x->a, "parameter %s depends on itself", b->name));
    /* one value for every use, as a const's (bind_memo) */
    bind_memo *bm = b->cache;
    if (!x->nframes && bm && (bm->any_gen || b->cache_gen == x->gen)) {
        replay_memo(x, bm);
        return bm->v;
    }
    fn_calls *fc = calls_of(x, u, fb);
    if (!fc->sites.n)
        return unk(x, use, fc->why ? fc->why
                           : fc->exported ? ml_printf(x->a, "value of parameter %s: %s is exported and no call of it was found in its package", b->name, fb->name)
                                          : ml_printf(x->a, "value of parameter %s: no call of %s was found", b->name, fb->name));
    b->busy = true;
    bm = NULL;
    bind_memo *outer = x->rec;
    unsigned long cuts = x->cuts;
    if (!x->nframes) {
        bm = ml_zalloc(x->a, sizeof *bm);
        x->rec = bm;
    }
    val *acc = NULL;
    for (size_t k = fc->sites.n; k-- > 0;) {
        val *v = param_at_call(x, u, &pp, fc->sites.items[k], use);
        if (!acc) {
            acc = v;
            continue;
        }
        val *c = mkv(x, V_COND, use);
        c->a = v;
        c->b2 = acc;
        c->alt_of = fb->name;
        acc = c;
    }
    if (fc->why) {
        val *c = mkv(x, V_COND, use);
        c->a = unk(x, fc->why_loc, fc->why);
        c->b2 = acc;
        c->alt_of = fb->name;
        acc = c;
    }
    b->busy = false;
    if (bm) {
        x->rec = outer;
        bm->seen_gen = x->gen;
        if (outer)
            ml_vec_push(x->a, &outer->used, bm);
        bm->v = acc;
        bm->any_gen = x->cuts == cuts;
        b->cache = bm;
        b->cache_gen = x->gen;
    }
    return acc;
}

/* ---- local helper functions: the value of their single return ------------------ */

#define MAX_FRAMES 8

/* Where a named function's parameters open and what it returns: the token
 * of its only `return` expression (or of its expression body), or of each
 * of a few return statements, found once. */
#define MAX_RETURNS 8
typedef struct fn_shape {
    bool done, ok;
    uint32_t open;   /* '(' of the parameters, or the single parameter */
    uint32_t ret;    /* first token of the returned expression; UINT32_MAX: returns undefined */
    const char *why;
    /* several return statements: the first token of each returned
     * expression (UINT32_MAX for a bare `return;`), and whether the end of
     * the body can be reached (no return at the body's own level), which
     * returns undefined */
    uint32_t rets[MAX_RETURNS];
    unsigned nrets;
    bool falls_off;
} fn_shape;

static bool owns_return(const ml_ts_unit *u, uint32_t r, uint32_t open)
{
    uint32_t s = r < u->lx.n ? u->tok_scope[r] : 0;
    for (int steps = 0; steps < 4096; steps++) {
        const ml_ts_scope *sc = &u->scopes[s];
        if (sc->open == open)
            return true;
        if (s == 0)
            return false;
        const ml_tok *t = ml_ts_tok(u, sc->open);
        if (t->kind == ML_TK_IDENT)
            return false; /* x => ...: another function */
        if (ml_tok_p(u, sc->open, ML_P_LPAREN) &&
            !(sc->open > 0 && (ml_tok_is(u, sc->open - 1, "for") || ml_tok_is(u, sc->open - 1, "catch"))))
            return false; /* another function's parameters */
        s = sc->parent;
    }
    return false;
}

static const fn_shape *shape_of(xctx *x, ml_ts_unit *u, ml_ts_binding *fb)
{
    fn_shape *sh = fb->shape;
    if (sh)
        return sh;
    sh = ml_zalloc(x->a, sizeof *sh);
    fb->shape = sh;
    sh->done = true;
    sh->ret = UINT32_MAX;
    uint32_t p, body = UINT32_MAX;
    bool expr_body = false;
    if (fb->kind == ML_B_FUNC) {
        p = fb->tok + 1;
    } else if (fb->init != UINT32_MAX) {
        p = fb->init;
        if (ml_tok_is(u, p, "async"))
            p++;
        if (ml_tok_is(u, p, "function")) {
            p++;
            if (ml_ts_tok(u, p)->kind == ML_TK_IDENT)
                p++;
        } else if (ml_ts_tok(u, p)->kind == ML_TK_IDENT && ml_tok_p(u, p + 1, ML_P_ARROW)) {
            sh->open = p;
            body = p + 2;
            expr_body = !ml_tok_p(u, body, ML_P_LBRACE);
            p = UINT32_MAX;
        }
    } else {
        sh->why = "not a function";
        return sh;
    }
    if (p != UINT32_MAX) {
        if (!ml_tok_p(u, p, ML_P_LPAREN)) {
            sh->why = "not a function this tool reads";
            return sh;
        }
        sh->open = p;
        uint32_t k = ml_ts_match(u, p) + 1;
        if (ml_tok_p(u, k, ML_P_COLON))
            k = ml_ts_skip_type(u, k + 1);
        if (fb->kind != ML_B_FUNC && ml_tok_p(u, k, ML_P_ARROW)) {
            body = k + 1;
            expr_body = !ml_tok_p(u, body, ML_P_LBRACE);
        } else if (ml_tok_p(u, k, ML_P_LBRACE)) {
            body = k;
        }
    }
    if (body == UINT32_MAX) {
        sh->why = "not a function this tool reads";
        return sh;
    }
    if (expr_body) {
        sh->ok = true;
        sh->ret = body;
        return sh;
    }
    uint32_t close = ml_ts_match(u, body), nret = 0;
    sh->falls_off = true;
    for (uint32_t r = body + 1; r < close; r++) {
        if (!ml_tok_is(u, r, "return") || ml_tok_p(u, r - 1, ML_P_DOT) || !owns_return(u, r, sh->open))
            continue;
        nret++;
        const ml_tok *nt = ml_ts_tok(u, r + 1);
        bool empty = ml_tok_p(u, r + 1, ML_P_SEMI) || ml_tok_p(u, r + 1, ML_P_RBRACE) || (nt->flags & ML_TF_NL_BEFORE);
        sh->ret = empty ? UINT32_MAX : r + 1;
        if (sh->nrets < MAX_RETURNS)
            sh->rets[sh->nrets++] = sh->ret;
        /* a return at the body's own level: control never passes it */
        if (u->scopes[u->tok_scope[r]].open == body)
            sh->falls_off = false;
    }
    if (nret > MAX_RETURNS) {
        sh->why = ml_printf(x->a, "%s() has %u return statements (meshlint follows at most %d)", fb->name, nret,
                            MAX_RETURNS);
        return sh;
    }
    if (nret == 0)
        sh->falls_off = false; /* returns undefined: sh->ret says so */
    sh->ok = true;
    return sh;
}

/* Whether token tok of u lies inside a function being called (its
 * bindings then depend on the call's arguments: not memoized). */
static bool in_frame(const xctx *x, const ml_ts_unit *u, uint32_t tok)
{
    for (unsigned k = 0; k < x->nframes; k++)
        if (x->frames[k].fu == u && tok >= x->frames[k].open && tok <= x->frames[k].end)
            return true;
    return false;
}

/* f(args) of a local (or relatively imported) named function: what its
 * single return gives, with its parameters bound to these arguments. */
static val *call_local(xctx *x, ml_ts_unit *cu, ml_ts_node *call, val *fn, ml_loc loc)
{
    ml_ts_unit *fu = fn->fn_unit;
    ml_ts_binding *fb = fn->fn_bind;
    const fn_shape *sh = shape_of(x, fu, fb);
    if (!sh->ok)
        return unk(x, loc, ml_printf(x->a, "call to %s(): %s", fb->name, sh->why));
    if (x->nframes >= MAX_FRAMES)
        return unk(x, loc, ml_printf(x->a, "call to %s(): helper functions nested too deeply", fb->name));
    if (sh->nrets <= 1 && !sh->falls_off && sh->ret == UINT32_MAX)
        return mkv(x, V_UNDEF, loc);
    uint32_t first = sh->nrets ? sh->rets[0] : sh->ret;
    uint32_t fs = fu->tok_scope[ml_tok_p(fu, sh->open, ML_P_LPAREN) ? sh->open + 1 : sh->open];
    uint32_t end = fu->scopes[fs].open == sh->open ? fu->scopes[fs].close : ml_ts_skip_expr(fu, first);
    struct frame *fr = &x->frames[x->nframes++];
    fr->fu = fu;
    fr->open = sh->open;
    fr->end = end;
    fr->cu = cu;
    fr->call = call;
    val *v = NULL;
    if (sh->nrets <= 1 && !sh->falls_off) {
        v = ev(x, fu, ml_ts_parse_expr(fu, sh->ret, NULL));
    } else {
        /* several returns (or one that may be skipped): the value is one of
         * what they return, which one known only at run time */
        const char *why = ml_printf(x->a, "which return statement of %s() runs is known only at run time", fb->name);
        for (unsigned k = sh->nrets + (sh->falls_off ? 1 : 0); k-- > 0;) {
            val *r = k >= sh->nrets || sh->rets[k] == UINT32_MAX ? mkv(x, V_UNDEF, loc)
                                                                 : ev(x, fu, ml_ts_parse_expr(fu, sh->rets[k], NULL));
            if (!v) {
                v = r;
                continue;
            }
            val *c = mkv(x, V_COND, loc);
            c->a = r;
            c->b2 = v;
            c->why = why;
            v = c;
        }
    }
    x->nframes--;
    return v;
}

static val *eval_binding(xctx *x, ml_ts_unit *u, ml_ts_binding *b, ml_loc use)
{
    switch ((ml_bind_kind)b->kind) {
    case ML_B_CONST:
    case ML_B_LET:
    case ML_B_VAR: {
        if (b->kind != ML_B_CONST && ml_map_gets(&u->reassigned, b->name))
            return unk(x, use, ml_printf(x->a, "%s is reassigned", b->name));
        if (ml_map_gets(&u->mutated, b->name))
            return unk(x, use, ml_printf(x->a, "%s is changed after its declaration (%s.push(...) or an assignment to a member)", b->name, b->name));
        if (b->init == UINT32_MAX)
            return unk(x, use, ml_printf(x->a, "%s has no initializer", b->name));
        if (b->busy)
            return unk(x, use, ml_printf(x->a, "%s refers to itself", b->name));
        /* a binding has one value: computing it once keeps shared
         * subexpressions (x1 = [...x0, ...x0], ...) linear, and sharing it
         * between calls keeps memory independent of how many calls use it */
        if (!b->ast)
            b->ast = ml_ts_parse_expr(u, b->init, NULL);
        if (x->nframes && in_frame(x, u, b->tok)) {
            /* inside a helper being called: depends on its arguments */
            b->busy = true;
            val *fv = ev(x, u, b->ast);
            b->busy = false;
            return fv;
        }
        bind_memo *bm = b->cache;
        if (bm && (bm->any_gen || b->cache_gen == x->gen)) {
            replay_memo(x, bm);
            return bm->v;
        }
        if (!b->ast)
            b->ast = ml_ts_parse_expr(u, b->init, NULL);
        bm = ml_zalloc(x->a, sizeof *bm);
        bind_memo *outer = x->rec;
        unsigned long cuts = x->cuts;
        x->rec = bm;
        b->busy = true;
        val *v = ev(x, u, b->ast);
        b->busy = false;
        x->rec = outer;
        bm->seen_gen = x->gen; /* its reads went to the server as they happened */
        if (outer)
            ml_vec_push(x->a, &outer->used, bm);
        if (v->k == V_FUNC && !v->fn_bind && b->kind == ML_B_CONST && b->ast->kind == ML_N_FUNC) {
            v->fn_unit = u;
            v->fn_bind = b;
        }
        bm->v = v;
        /* a value cut short by this call's depth or step budget may be
         * whole elsewhere: keep it for this call only */
        bm->any_gen = x->cuts == cuts;
        b->cache = bm;
        b->cache_gen = x->gen;
        return v;
    }
    case ML_B_DESTRUCT: {
        if (b->busy)
            return unk(x, use, ml_printf(x->a, "%s refers to itself", b->name));
        if (!b->ast)
            b->ast = ml_ts_parse_expr(u, b->init, NULL);
        b->busy = true;
        val *src = ev(x, u, b->ast);
        val *v;
        if (src->k == V_ENVOBJ) {
            v = env_val(x, use, b->key);
        } else {
            lookup r = obj_get(x, src, b->key);
            if (r.unknown)
                v = unk(x, use, r.why ? r.why : ml_printf(x->a, "destructured %s", b->name));
            else
                v = r.v ? r.v : mkv(x, V_UNDEF, use);
        }
        if (b->dflt != UINT32_MAX && (v->k == V_UNDEF || (v->k == V_ENV && !v->dflt))) {
            ml_ts_node *d = ml_ts_parse_expr(u, b->dflt, NULL);
            val *dv = ev(x, u, d);
            if (v->k == V_ENV) {
                val *c = mkv(x, V_ENV, v->loc);
                *c = *v;
                c->dflt = dv;
                v = c;
            } else {
                v = dv;
            }
        }
        b->busy = false;
        return v;
    }
    case ML_B_PARAM:
        return eval_param(x, u, b, use);
    case ML_B_FUNC: {
        val *v = mkv(x, V_FUNC, use);
        v->why = ml_printf(x->a, "function %s", b->name);
        v->fn_unit = u;
        v->fn_bind = b;
        return v;
    }
    case ML_B_CLASS:
        return unk(x, use, ml_printf(x->a, "class %s", b->name));
    case ML_B_IMPORT:
        if (is_local(b->module)) {
            if (u->import_depth >= MAX_IMPORT_DEPTH)
                return unk(x, use, ml_printf(x->a, "%s is imported from '%s' through more than %d imports",
                                             b->name, b->module, MAX_IMPORT_DEPTH));
            ml_ts_unit *iu = load_relative(x, u, b->module);
            if (!iu)
                return unk(x, use, ml_printf(x->a, "%s imported from '%s', which could not be read",
                                             b->name, b->module));
            ml_ts_binding *eb = ml_ts_export(iu, b->key);
            if (!eb || eb->kind == ML_B_IMPORT || eb->kind == ML_B_IMPORT_NS)
                return unk(x, use, ml_printf(x->a, "%s is not an exported const of '%s'", b->key, b->module));
            return eval_binding(x, iu, eb, use);
        }
        return unk(x, use, ml_printf(x->a, "%s imported from '%s'", b->name, b->module ? b->module : "?"));
    case ML_B_IMPORT_NS: {
        val *v = mkv(x, V_NS, use);
        v->module = b->module;
        if (is_local(b->module) && u->import_depth < MAX_IMPORT_DEPTH)
            v->ns_unit = load_relative(x, u, b->module);
        return v;
    }
    case ML_B_IMPORT_DEFAULT:
        return unk(x, use, ml_printf(x->a, "default import %s from '%s'", b->name, b->module ? b->module : "?"));
    case ML_B_PATTERN:
    default:
        return unk(x, use, ml_printf(x->a, "destructured %s", b->name));
    }
}

static val *eval_ident(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    ml_loc loc = nloc(u, n);
    ml_ts_binding *b = ml_ts_lookup(u, n->str, n->len, n->first);
    if (b)
        return eval_binding(x, u, b, loc);
    if (strcmp(n->str, "undefined") == 0)
        return mkv(x, V_UNDEF, loc);
    if (strcmp(n->str, "process") == 0)
        return mkv(x, V_PROCESS, loc);
    if (strcmp(n->str, "NaN") == 0 || strcmp(n->str, "Infinity") == 0) {
        val *v = mkv(x, V_NUM, loc);
        v->num = n->str[0] == 'N' ? NAN : INFINITY;
        return v;
    }
    return unk(x, loc, ml_printf(x->a, "%s is not defined in this file", n->str));
}

/* The Connectum function a callee names, following imports. */
static fn_id recognize(xctx *x, ml_ts_unit *u, const ml_ts_node *callee)
{
    (void)x;
    if (callee->kind == ML_N_IDENT) {
        ml_ts_binding *b = ml_ts_lookup(u, callee->str, callee->len, callee->first);
        if (b) {
            if (b->kind == ML_B_IMPORT && b->module && b->key &&
                (ml_starts_with(b->module, "@connectum/") || foreign_module(b->module)))
                return fn_by_name(b->key, b->module);
            return FN_NONE;
        }
        fn_id f = fn_by_name(callee->str, NULL);
        if (f == FN_NONE || f == FN_OTHER)
            return FN_NONE;
        if (u->markdown)
            return f;
        /* a bare name in a file that imports Connectum: trust it for
         * Connectum's own functions, never for transports */
        return u->has_connectum && !fn_is_transport(f) ? f : FN_NONE;
    }
    if (callee->kind == ML_N_MEMBER && callee->a && callee->a->kind == ML_N_IDENT) {
        ml_ts_binding *b = ml_ts_lookup(u, callee->a->str, callee->a->len, callee->a->first);
        if (b && (b->kind == ML_B_IMPORT_NS || b->kind == ML_B_IMPORT_DEFAULT) && b->module &&
            (ml_starts_with(b->module, "@connectum/") || foreign_module(b->module)))
            return fn_by_name(callee->str, b->module);
    }
    return FN_NONE;
}

static const char *const grpc_codes[] = {"OK", "Canceled", "Unknown", "InvalidArgument",
                                         "DeadlineExceeded", "NotFound", "AlreadyExists",
                                         "PermissionDenied", "ResourceExhausted",
                                         "FailedPrecondition", "Aborted", "OutOfRange",
                                         "Unimplemented", "Internal", "Unavailable", "DataLoss",
                                         "Unauthenticated"};

/* A field of what parseEnvConfig() (of process.env) returns: the variable
 * of that name with the schema's default and, for its booleans, the
 * strings that mean true (core/src/config/envSchema.ts). */
static val *env_config_member(xctx *x, ml_loc loc, const char *name)
{
    static const struct {
        const char *name;
        char type; /* n number, s string, b boolean, - no default */
        double num;
        const char *str;
        bool b;
    } schema[] = {
        {"PORT", 'n', 5000, NULL, false},
        {"LISTEN", 's', 0, "0.0.0.0", false},
        {"HTTP_HEALTH_ENABLED", 'b', 0, NULL, false},
        {"HTTP_HEALTH_PATH", 's', 0, "/healthz", false},
        {"GRACEFUL_SHUTDOWN_ENABLED", 'b', 0, NULL, true},
        {"GRACEFUL_SHUTDOWN_TIMEOUT_MS", 'n', 30000, NULL, false},
        {"LOG_LEVEL", 's', 0, "info", false},
        {"LOG_FORMAT", 's', 0, "json", false},
        {"LOG_BACKEND", 's', 0, "otel", false},
        {"NODE_ENV", 's', 0, "development", false},
        {"OTEL_SERVICE_NAME", '-', 0, NULL, false},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", '-', 0, NULL, false},
    };
    for (size_t i = 0; i < sizeof schema / sizeof schema[0]; i++) {
        if (strcmp(schema[i].name, name) != 0)
            continue;
        val *e = env_val(x, loc, name);
        switch (schema[i].type) {
        case 'n':
            e->dflt = mkv(x, V_NUM, loc);
            e->dflt->num = schema[i].num;
            return e;
        case 's':
            e->dflt = mkv(x, V_STR, loc);
            e->dflt->str = schema[i].str;
            return e;
        case 'b': {
            ml_vec yes = {0};
            ml_vec_push(x->a, &yes, (void *)"true");
            ml_vec_push(x->a, &yes, (void *)"1");
            ml_vec_push(x->a, &yes, (void *)"yes");
            val *t = env_test(x, e, &yes, false, loc);
            t->dflt->b = schema[i].b;
            return t;
        }
        default:
            return e;
        }
    }
    return unk(x, loc, ml_printf(x->a, "%s is not a field of parseEnvConfig() (ConnectumEnvSchema in "
                                       "core/src/config/envSchema.ts has none)", name));
}

/* obj.name (optional: obj?.name). A member of a value that is one of a
 * few (V_COND) is one of their members. */
static val *val_member(xctx *x, val *obj, const char *name, ml_loc loc, bool optional, unsigned depth)
{
    switch (obj->k) {
    case V_PROCESS:
        if (strcmp(name, "env") == 0)
            return mkv(x, V_ENVOBJ, loc);
        return unk(x, loc, ml_printf(x->a, "process.%s", name));
    case V_ENVOBJ:
        return env_val(x, loc, name);
    case V_OBJ: {
        lookup r = obj_get(x, obj, name);
        if (r.unknown)
            return unk(x, loc, r.why);
        return r.v ? r.v : mkv(x, V_UNDEF, loc);
    }
    case V_NS:
        if (obj->ns_unit) {
            ml_ts_binding *eb = ml_ts_export(obj->ns_unit, name);
            if (eb && eb->kind != ML_B_IMPORT && eb->kind != ML_B_IMPORT_NS)
                return eval_binding(x, obj->ns_unit, eb, loc);
            return unk(x, loc, ml_printf(x->a, "%s is not an exported const of '%s'", name, obj->module));
        }
        return unk(x, loc, ml_printf(x->a, "%s imported from '%s'", name, obj->module ? obj->module : "?"));
    case V_UNDEF:
    case V_NULL:
        if (optional)
            return mkv(x, V_UNDEF, loc);
        return unk(x, loc, "member of undefined");
    case V_UNKNOWN:
        return unk(x, loc, obj->why);
    case V_CALL:
        if (obj->fn == FN_PARSE_ENV_CONFIG &&
            (!obj->args.n || ((val *)obj->args.items[0])->k == V_ENVOBJ))
            return env_config_member(x, loc, name);
        return unk(x, loc, ml_printf(x->a, "member %s of a call's result", name));
    case V_ARR:
        if (strcmp(name, "length") == 0 && obj->open_after < 0) {
            bool exact = true;
            ML_VEC_EACH(elem *, e, &obj->elems) {
                if (e->maybe || e->v->k == V_CALL)
                    exact = false;
            }
            if (exact) {
                val *v = mkv(x, V_NUM, loc);
                v->num = (double)obj->elems.n;
                return v;
            }
        }
        return unk(x, loc, ml_printf(x->a, "%s of an array", name));
    case V_COND: {
        if (depth > 16 || x->budget == 0) {
            x->cuts++;
            return unk(x, loc, "member of a value with too many alternatives");
        }
        x->budget--;
        val *c = mkv(x, V_COND, loc);
        *c = *obj;
        c->loc = loc;
        c->a = val_member(x, obj->a, name, loc, optional, depth + 1);
        c->b2 = val_member(x, obj->b2, name, loc, optional, depth + 1);
        return c;
    }
    default:
        return unk(x, loc, ml_printf(x->a, "member %s of a value that is not an object literal", name));
    }
}

static val *eval_member(xctx *x, ml_ts_unit *u, ml_ts_node *n, val *obj, const char *name)
{
    if (is_service_list(obj) && strcmp(name, "length") == 0) {
        val *v = mkv(x, V_CALL, nloc(u, n));
        v->fn = FN_LIST_LEN;
        ml_vec_push(x->a, &v->args, obj);
        return v;
    }
    return val_member(x, obj, name, nloc(u, n), (n->flags & ML_NF_OPTIONAL) != 0, 0);
}

/* ---- tests of a service list (the examples' topology) ---------------------- */

static bool same_simple(const val *a, const val *b);

/* The Connectum examples (car-sharing and hris topology.ts) mount every
 * service when SERVICES is unset or names "*":
 *     const parsed = parseServicesEnv(servicesEnv);
 *     const isMonolith = parsed.length === 0 || parsed.includes("*");
 *     const enabledServices = isMonolith ? undefined : parsed;
 * since buildRoutes.ts mounts all for undefined and compares entries
 * exactly (["*"] would mount none). A test of such a list is decided per
 * link; `test ? undefined : list` becomes FN_ALL_WHEN. */
enum { LT_EMPTY = 1, LT_STAR = 2 };

static val *list_test(xctx *x, val *list, unsigned mask, bool negate, ml_loc loc)
{
    val *v = mkv(x, V_CALL, loc);
    v->fn = FN_LIST_TEST;
    v->num = mask;
    v->negate = negate;
    ml_vec_push(x->a, &v->args, list);
    return v;
}

static bool is_list_test(const val *v) { return v->k == V_CALL && v->fn == FN_LIST_TEST; }

/* The same list: the same call on the same string (an env variable, with
 * the same default, or a constant). */
static bool same_list(const val *a, const val *b)
{
    if (a == b)
        return true;
    if (!is_service_list(a) || !is_service_list(b) || a->fn != b->fn || a->num != b->num || a->b != b->b ||
        a->args.n != b->args.n)
        return false;
    if (!a->args.n)
        return true;
    const val *sa = a->args.items[0], *sb = b->args.items[0];
    if (sa->k != sb->k)
        return false;
    if (sa->k == V_STR)
        return strcmp(sa->str, sb->str) == 0;
    if (sa->k == V_ENV)
        return strcmp(sa->env, sb->env) == 0 && !sa->match.n && !sb->match.n &&
               (sa->dflt == sb->dflt || (sa->dflt && sb->dflt && same_simple(sa->dflt, sb->dflt)));
    return false;
}

/* L.length compared with a number: a test that L is empty (or is not). */
static val *length_compare(xctx *x, val *l, val *r, unsigned op, ml_loc loc)
{
    bool len_left = l->k == V_CALL && l->fn == FN_LIST_LEN;
    val *len = len_left ? l : r, *o = len_left ? r : l;
    if (o->k != V_NUM)
        return NULL;
    if (!len_left) { /* 0 < L.length is L.length > 0 */
        if (op == ML_P_LT)
            op = ML_P_GT;
        else if (op == ML_P_GT)
            op = ML_P_LT;
        else if (op == ML_P_LE)
            op = ML_P_GE;
        else if (op == ML_P_GE)
            op = ML_P_LE;
    }
    double k = o->num;
    int empty = -1; /* 1: true exactly when L is empty; 0: exactly when it is not */
    if ((op == ML_P_EQEQEQ || op == ML_P_EQEQ) && k == 0)
        empty = 1;
    else if ((op == ML_P_NEE || op == ML_P_NE) && k == 0)
        empty = 0;
    else if ((op == ML_P_LT && k == 1) || (op == ML_P_LE && k == 0))
        empty = 1;
    else if ((op == ML_P_GT && k == 0) || (op == ML_P_GE && k == 1))
        empty = 0;
    if (empty < 0)
        return NULL;
    return list_test(x, len->args.items[0], LT_EMPTY, empty == 0, loc);
}

/* test ? a : b where the test is one of a service list: the list itself
 * when the other branch is undefined (the examples' monolith switch). */
static val *list_cond(xctx *x, val *t, val *a, val *b, ml_loc loc)
{
    val *list = t->args.items[0];
    val *when_true = t->negate ? b : a, *when_false = t->negate ? a : b;
    if (!is_nullish(when_true) || !same_list(when_false, list))
        return NULL;
    val *v = mkv(x, V_CALL, loc);
    v->fn = FN_ALL_WHEN;
    v->num = t->num;
    ml_vec_push(x->a, &v->args, list);
    return v;
}

/* ---- a list split from a string (enabledServices) ------------------------ */

/* What a .map(...) or .filter(...) callback does to a list entry, read from
 * its tokens: CB_TRIM for (s) => s.trim(); CB_NONEMPTY for a predicate that
 * drops at most the empty and blank entries (Boolean, (s) => s.length > 0,
 * (s) => s !== "", ...), which name no service anyway; CB_OTHER else. */
typedef enum cb_kind { CB_OTHER, CB_TRIM, CB_NONEMPTY } cb_kind;

static cb_kind callback_kind(const ml_ts_unit *u, const ml_ts_node *f)
{
    if (f->kind == ML_N_IDENT)
        return strcmp(f->str, "Boolean") == 0 && !ml_ts_lookup(u, "Boolean", 7, f->first) ? CB_NONEMPTY : CB_OTHER;
    if (f->kind != ML_N_FUNC)
        return CB_OTHER;
    uint32_t i = f->first, end = f->last, param;
    bool is_function = ml_tok_is(u, i, "function");
    if (is_function) {
        i++;
        if (ml_ts_tok(u, i)->kind == ML_TK_IDENT && !ml_tok_p(u, i, ML_P_LPAREN))
            i++; /* function name */
    }
    if (ml_tok_p(u, i, ML_P_LPAREN)) {
        uint32_t close = ml_ts_match(u, i);
        param = i + 1;
        if (ml_ts_tok(u, param)->kind != ML_TK_IDENT ||
            !(param + 1 == close || (ml_tok_p(u, param + 1, ML_P_COLON) &&
                                     ml_ts_skip_type(u, param + 2) == close)))
            return CB_OTHER;
        i = close + 1;
    } else if (!is_function && ml_ts_tok(u, i)->kind == ML_TK_IDENT) {
        param = i++;
    } else {
        return CB_OTHER;
    }
    if (ml_tok_p(u, i, ML_P_COLON))
        i = ml_ts_skip_type(u, i + 1);
    if (!is_function) {
        if (!ml_tok_p(u, i, ML_P_ARROW))
            return CB_OTHER;
        i++;
    }
    if (ml_tok_p(u, i, ML_P_LBRACE)) {
        /* { return <expr>; } */
        if (ml_ts_match(u, i) != end || !ml_tok_is(u, i + 1, "return"))
            return CB_OTHER;
        i += 2;
        end--;
        if (ml_tok_p(u, end, ML_P_SEMI))
            end--;
    } else if (is_function) {
        return CB_OTHER;
    }
    /* the body's tokens without spaces, the parameter written _ and an
     * empty string literal written "" */
    const ml_tok *pt = ml_ts_tok(u, param);
    size_t plen = pt->end - pt->off;
    char text[64];
    size_t n = 0;
    for (uint32_t k = i; k <= end && k < u->lx.n; k++) {
        const ml_tok *t = ml_ts_tok(u, k);
        const char *s = u->src + t->off;
        size_t len = t->end - t->off;
        if (t->kind == ML_TK_IDENT && len == plen && memcmp(s, u->src + pt->off, plen) == 0) {
            s = "_";
            len = 1;
        } else if (t->kind == ML_TK_STR && len == 2) {
            s = "\"\"";
        }
        if (n + len >= sizeof text)
            return CB_OTHER;
        memcpy(text + n, s, len);
        n += len;
    }
    text[n] = 0;
    if (strcmp(text, "_.trim()") == 0)
        return CB_TRIM;
    static const char *const nonempty[] = {
        "_", "!!_", "Boolean(_)", "_.length", "_.length>0", "_.length!==0", "_.length!=0", "_.length>=1",
        "_!==\"\"", "_!=\"\"", "\"\"!==_", "\"\"!=_", "_.trim()", "_.trim().length", "_.trim().length>0",
        "_.trim()!==\"\"", "_.trim()!=\"\"", NULL};
    for (size_t k = 0; nonempty[k]; k++)
        if (strcmp(text, nonempty[k]) == 0)
            return CB_NONEMPTY;
    return CB_OTHER;
}

/* S.split(","), S?.split(","), and such a list through .map((s) => s.trim())
 * or a .filter that drops empty entries: the list enabledServices may be
 * (matched with enabledServices.includes(typeName), core/src/buildRoutes.ts
 * buildRoutes: exact strings, so untrimmed entries with blanks match
 * nothing). Anything else is unknown, with what it was. */
static val *eval_split_list(xctx *x, ml_ts_unit *u, ml_ts_node *n, ml_loc loc)
{
    ml_ts_node *callee = n->a;
    bool optional = (callee->flags & ML_NF_OPTIONAL) != 0;
    val *obj = ev(x, u, callee->a);
    if (strcmp(callee->str, "split") == 0) {
        /* a regex literal separator: split as JavaScript does, per link
         * (regex.h ml_re_js_split), when PCRE2 compiles it */
        const char *re = NULL;
        if (n->kids[0]->kind == ML_N_REGEX) {
            const ml_tok *t = ml_ts_tok(u, n->kids[0]->first);
            re = ml_strndup(x->a, u->src + t->off, t->end - t->off);
            const char *why = ml_re_js_split_check(re);
            if (why)
                return unk(x, loc, ml_printf(x->a, "call to %s() at %s: %s", node_text(x, u, callee), re, why));
        } else {
            val *sep = ev(x, u, n->kids[0]);
            if (sep->k != V_STR || strcmp(sep->str, ",") != 0)
                return unk(x, loc, ml_printf(x->a, "call to %s() with a separator other than \",\" or a regular "
                                                   "expression literal", node_text(x, u, callee)));
        }
        if (is_nullish(obj))
            return optional ? mkv(x, V_UNDEF, loc) : unk(x, loc, "split() of undefined throws");
        if (obj->k != V_ENV && obj->k != V_STR && obj->k != V_COND)
            return unk(x, loc, obj->k == V_UNKNOWN && obj->why ? obj->why
                                   : ml_printf(x->a, "call to %s() of a value that is not a string",
                                               node_text(x, u, callee)));
        if (obj->k == V_ENV && obj->match.n)
            return unk(x, loc, ml_printf(x->a, "split() of a test of %s", obj->env));
        val *v = mkv(x, V_CALL, loc);
        v->fn = FN_SPLIT_LIST;
        v->b = false;
        v->str = re; /* NULL: split at "," */
        v->num = optional ? ML_ES_UNSET_ALL : ML_ES_UNSET_THROWS;
        ml_vec_push(x->a, &v->args, obj);
        return v;
    }
    if (obj->k == V_UNDEF && optional)
        return obj;
    if (obj->k != V_CALL || obj->fn != FN_SPLIT_LIST)
        return unk(x, loc, obj->k == V_UNKNOWN && obj->why ? obj->why
                               : ml_printf(x->a, "call to %s()", node_text(x, u, callee)));
    cb_kind ck = callback_kind(u, n->kids[0]);
    bool is_map = strcmp(callee->str, "map") == 0;
    if ((is_map && ck != CB_TRIM) || (!is_map && ck != CB_NONEMPTY))
        return unk(x, loc, ml_printf(x->a, "%s() of a split list with a callback meshlint does not evaluate",
                                     callee->str));
    if (!is_map)
        return obj;
    val *v = mkv(x, V_CALL, loc);
    *v = *obj;
    v->loc = loc;
    v->b = true;
    return v;
}

static val *eval_call(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    ml_loc loc = nloc(u, n);
    ml_ts_node *callee = n->a;
    fn_id f = recognize(x, u, callee);
    if (f != FN_NONE) {
        val *v = mkv(x, V_CALL, loc);
        v->fn = f;
        for (uint32_t k = 0; k < n->nkids; k++) {
            ml_ts_node *arg = n->kids[k];
            val *av = arg->kind == ML_N_SPREAD ? unk(x, nloc(u, arg), "spread argument") : ev(x, u, arg);
            ml_vec_push(x->a, &v->args, av);
        }
        return v;
    }
    if (callee->kind == ML_N_IDENT && !ml_ts_lookup(u, callee->str, callee->len, callee->first)) {
        const char *name = callee->str;
        bool is_num = strcmp(name, "Number") == 0, is_int = strcmp(name, "parseInt") == 0,
             is_float = strcmp(name, "parseFloat") == 0;
        if ((is_num || is_int || is_float) && n->nkids >= 1)
            return to_number(x, ev(x, u, n->kids[0]), loc, is_int);
        if (strcmp(name, "String") == 0 && n->nkids == 1) {
            val *a = ev(x, u, n->kids[0]);
            if (a->k == V_NUM) {
                val *v = mkv(x, V_STR, loc);
                v->str = a->num == floor(a->num) && fabs(a->num) < 1e15 ? ml_printf(x->a, "%.0f", a->num)
                                                                       : ml_printf(x->a, "%g", a->num);
                return v;
            }
            if (a->k == V_STR || a->k == V_ENV)
                return a;
            return unk(x, loc, a->k == V_UNKNOWN ? a->why : "String() of a non-literal");
        }
        if (strcmp(name, "Boolean") == 0 && n->nkids == 1) {
            val *a = ev(x, u, n->kids[0]);
            if (a->k == V_ENV && a->match.n)
                return a;
            int t = truthy(a);
            if (t < 0)
                return unk(x, loc, a->k == V_UNKNOWN ? a->why : "Boolean() of a value known only at run time");
            val *v = mkv(x, V_BOOL, loc);
            v->b = t;
            return v;
        }
    }
    if (callee->kind == ML_N_MEMBER && callee->a && strcmp(callee->str, "includes") == 0 && n->nkids == 1) {
        /* ["true", "1"].includes(process.env.X ?? "") */
        val *arr = ev(x, u, callee->a);
        val *arg = ev(x, u, n->kids[0]);
        if (is_service_list(arr)) {
            if (arg->k == V_STR && strcmp(arg->str, "*") == 0)
                return list_test(x, arr, LT_STAR, false, loc);
            return unk(x, loc, "includes() of a service list with a value other than \"*\"");
        }
        bool strings = arr->k == V_ARR && arr->open_after < 0;
        if (strings) {
            ML_VEC_EACH(elem *, e, &arr->elems) {
                strings &= e->v->k == V_STR && !e->maybe;
            }
        }
        if (strings && arg->k == V_ENV && !arg->match.n) {
            ml_vec list = {0};
            ML_VEC_EACH(elem *, e, &arr->elems) {
                ml_vec_push(x->a, &list, (void *)e->v->str);
            }
            return env_test(x, arg, &list, false, loc);
        }
        return unk(x, loc, ml_printf(x->a, "call to %s()", node_text(x, u, callee)));
    }
    if (callee->kind == ML_N_MEMBER && callee->a) {
        /* Object.freeze(x) is x; [..].filter(Boolean) drops falsy elements */
        if (callee->a->kind == ML_N_IDENT && strcmp(callee->a->str, "Object") == 0 &&
            strcmp(callee->str, "freeze") == 0 && n->nkids == 1 &&
            !ml_ts_lookup(u, "Object", 6, callee->a->first))
            return ev(x, u, n->kids[0]);
        if (strcmp(callee->str, "filter") == 0 && n->nkids == 1 && n->kids[0]->kind == ML_N_IDENT &&
            strcmp(n->kids[0]->str, "Boolean") == 0) {
            val *arr = ev(x, u, callee->a);
            if (arr->k == V_CALL && arr->fn == FN_SPLIT_LIST)
                return arr; /* drops empty entries, which name no service */
            if (arr->k == V_ARR) {
                val *r = mkv(x, V_ARR, loc);
                r->open_after = arr->open_after;
                ML_VEC_EACH(elem *, e, &arr->elems) {
                    val *ev2 = e->v;
                    bool maybe = e->maybe;
                    if (ev2->k == V_COND) {
                        int ta = truthy(ev2->a), tb = truthy(ev2->b2);
                        if (ta == 0 && tb == 0)
                            continue;
                        if (ta == 0) {
                            ev2 = ev2->b2;
                            maybe = true;
                        } else if (tb == 0) {
                            ev2 = ev2->a;
                            maybe = true;
                        }
                    } else if (truthy(ev2) == 0) {
                        continue;
                    }
                    arr_push(x, r, ev2, maybe);
                }
                return r;
            }
        }
    }
    if (callee->kind == ML_N_MEMBER && callee->a && n->nkids == 1 &&
        (strcmp(callee->str, "split") == 0 ||
         ((strcmp(callee->str, "map") == 0 || strcmp(callee->str, "filter") == 0) &&
          n->kids[0]->kind == ML_N_FUNC)))
        return eval_split_list(x, u, n, loc);
    if (callee->kind == ML_N_IDENT) {
        ml_ts_binding *cb = ml_ts_lookup(u, callee->str, callee->len, callee->first);
        if (cb && (cb->kind == ML_B_FUNC || cb->kind == ML_B_CONST || cb->kind == ML_B_IMPORT)) {
            val *fv = ev(x, u, callee);
            if (fv->k == V_FUNC && fv->fn_bind)
                return call_local(x, u, n, fv, loc);
        }
    }
    return unk(x, loc, ml_printf(x->a, "call to %s()", node_text(x, u, callee)));
}

static val *eval_object(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    val *obj = mkv(x, V_OBJ, nloc(u, n));
    for (uint32_t k = 0; k < n->nkids; k++) {
        ml_ts_node *pn = n->kids[k];
        if (pn->kind != ML_N_PROP) {
            obj_open(obj, "unrecognised property", nloc(u, pn));
            continue;
        }
        if (pn->flags & ML_NF_SPREAD) {
            val *sv = pn->a ? ev(x, u, pn->a) : unk(x, nloc(u, pn), "empty spread");
            obj_spread(x, obj, sv, false, nloc(u, pn), 0);
            continue;
        }
        const char *key = pn->str;
        if (!key && pn->b2) {
            /* [K]: value with K a constant string ({ [TYPE_NAMES.fleet]: "FLEET_ADDR" }) */
            val *kv = ev(x, u, pn->b2);
            if (kv->k == V_STR)
                key = kv->str;
            else if (kv->k == V_NUM && kv->num == floor(kv->num) && fabs(kv->num) < 1e15)
                key = ml_printf(x->a, "%.0f", kv->num);
        }
        if (!key) {
            obj_open(obj, "computed property name", nloc(u, pn));
            continue;
        }
        prop *p = ml_zalloc(x->a, sizeof *p);
        p->key = key;
        p->v = pn->a ? ev(x, u, pn->a) : unk(x, nloc(u, pn), "property without a value");
        p->u = u;
        p->first = pn->first;
        p->last = pn->last;
        p->span = nloc(u, pn);
        obj_add(x, obj, p);
    }
    return obj;
}

static val *eval_array(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    val *arr = mkv(x, V_ARR, nloc(u, n));
    for (uint32_t k = 0; k < n->nkids; k++) {
        ml_ts_node *e = n->kids[k];
        if (!e) {
            arr_push(x, arr, mkv(x, V_UNDEF, arr->loc), false);
            continue;
        }
        if (e->kind == ML_N_SPREAD) {
            val *sv = e->a ? ev(x, u, e->a) : unk(x, nloc(u, e), "empty spread");
            arr_spread(x, arr, sv, false, 0);
            continue;
        }
        arr_push(x, arr, ev(x, u, e), false);
    }
    return arr;
}

static bool same_simple(const val *a, const val *b)
{
    if (a->k != b->k)
        return false;
    switch (a->k) {
    case V_NUM: return a->num == b->num;
    case V_STR: return strcmp(a->str, b->str) == 0;
    case V_BOOL: return a->b == b->b;
    case V_UNDEF:
    case V_NULL: return true;
    default: return false;
    }
}

/* process.env.X compared with strings: a boolean that depends on X. The
 * default becomes the boolean an unset X gives. */
static val *env_test(xctx *x, val *e, const ml_vec *list, bool negate, ml_loc loc)
{
    bool unset_match = false;
    if (e->dflt && e->dflt->k == V_STR) {
        ML_VEC_EACH(const char *, m, list) {
            unset_match |= strcmp(m, e->dflt->str) == 0;
        }
    } else if (e->dflt && !is_nullish(e->dflt)) {
        return unk(x, loc, ml_printf(x->a, "comparison of %s with a default that is not a string", e->env));
    }
    val *v = mkv(x, V_ENV, loc);
    v->env = e->env;
    v->match = *list;
    v->negate = negate;
    v->dflt = mkv(x, V_BOOL, e->dflt ? e->dflt->loc : loc);
    v->dflt->b = unset_match != negate;
    return v;
}

/* process.env.A ?? r: r is A's default. With a default already, r goes to
 * the innermost variable that has none (process.env.A ?? process.env.B ??
 * "x": "x" when neither is set); else the first default decides
 * (process.env.A ?? 1 ?? 2). */
static val *env_or(xctx *x, val *l, val *r, ml_loc loc, unsigned depth)
{
    if (!l->dflt) {
        val *v = mkv(x, V_ENV, loc);
        v->env = l->env;
        v->dflt = r;
        return v;
    }
    if (l->dflt->k == V_ENV && !l->dflt->match.n && depth < 8) {
        val *v = mkv(x, V_ENV, loc);
        *v = *l;
        v->loc = loc;
        v->dflt = env_or(x, l->dflt, r, l->dflt->loc, depth + 1);
        return v;
    }
    return l;
}

/* Two tests of one variable joined: X === "a" || X === "b" is X in {a, b}
 * (negated: X !== "a" && X !== "b" is X in neither). NULL when they are not
 * tests of the same variable with the same sense. */
static val *env_tests_join(xctx *x, val *l, val *r, bool negated, ml_loc loc)
{
    if (l->k != V_ENV || r->k != V_ENV || !l->match.n || !r->match.n || l->negate != negated ||
        r->negate != negated || strcmp(l->env, r->env) != 0)
        return NULL;
    val *v = mkv(x, V_ENV, loc);
    *v = *l;
    v->loc = loc;
    memset(&v->match, 0, sizeof v->match);
    ML_VEC_EACH(const char *, m, &l->match)
        ml_vec_push(x->a, &v->match, (void *)m);
    ML_VEC_EACH(const char *, m, &r->match)
        ml_vec_push(x->a, &v->match, (void *)m);
    /* an unset variable: each test's own answer, joined the same way */
    v->dflt = mkv(x, V_BOOL, loc);
    bool a = l->dflt && l->dflt->k == V_BOOL && l->dflt->b, b = r->dflt && r->dflt->k == V_BOOL && r->dflt->b;
    v->dflt->b = negated ? (a && b) : (a || b);
    return v;
}

/* l ?? r (qq) or l || r with r already evaluated; a value that is one of a
 * few (V_COND) gives one of their results. */
static val *or_cond(xctx *x, val *l, val *r, bool qq, ml_loc loc, unsigned depth)
{
    if (l->k == V_COND) {
        if (depth > 16 || x->budget == 0) {
            x->cuts++;
            return unk(x, loc, "value with too many alternatives");
        }
        x->budget--;
        val *c = mkv(x, V_COND, loc);
        *c = *l;
        c->loc = loc;
        c->a = or_cond(x, l->a, r, qq, loc, depth + 1);
        c->b2 = or_cond(x, l->b2, r, qq, loc, depth + 1);
        return c;
    }
    if (l->k == V_ENV && l->match.n) {
        if (qq || (r->k == V_BOOL && !r->b))
            return l;
        return unk(x, loc, ml_printf(x->a, "depends on %s", l->env));
    }
    if (l->k == V_ENV)
        return env_or(x, l, r, loc, 0);
    int t = qq ? (is_nullish(l) ? 0 : (l->k == V_UNKNOWN ? -1 : 1)) : truthy(l);
    if (t == 1)
        return l;
    if (t == 0)
        return r;
    return unk(x, loc, l->k == V_UNKNOWN && l->why ? l->why : "depends on a value known only at run time");
}

static val *eval_binary(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    ml_loc loc = nloc(u, n);
    unsigned op = n->op;
    val *l = ev(x, u, n->a);
    if ((op == ML_P_OROR && is_list_test(l) && !l->negate) || (op == ML_P_ANDAND && is_list_test(l) && l->negate)) {
        /* a || b of two tests of one list: true when either holds; !a && !b
         * its negation */
        val *r = ev(x, u, n->b2);
        if (is_list_test(r) && r->negate == l->negate && same_list(l->args.items[0], r->args.items[0]))
            return list_test(x, l->args.items[0], (unsigned)l->num | (unsigned)r->num, l->negate, loc);
        return unk(x, loc, "a test of a service list combined with another value");
    }
    if ((op == ML_P_QQ || op == ML_P_OROR) && l->k == V_COND)
        return or_cond(x, l, ev(x, u, n->b2), op == ML_P_QQ, loc, 0);
    if (op == ML_P_QQ || op == ML_P_OROR) {
        bool qq = op == ML_P_QQ;
        if (l->k == V_ENV && l->match.n) {
            /* a test is a boolean: never nullish; `|| false` changes nothing */
            val *r = ev(x, u, n->b2);
            if (qq || (r->k == V_BOOL && !r->b))
                return l;
            val *both = env_tests_join(x, l, r, false, loc);
            if (both)
                return both;
            return unk(x, loc, ml_printf(x->a, "depends on %s", l->env));
        }
        if (l->k == V_ENV)
            return env_or(x, l, ev(x, u, n->b2), loc, 0);
        int t = qq ? (is_nullish(l) ? 0 : (l->k == V_UNKNOWN || l->k == V_COND ? -1 : 1)) : truthy(l);
        if (t == 1)
            return l;
        if (t == 0)
            return ev(x, u, n->b2);
        (void)ev(x, u, n->b2); /* still record its env reads */
        return unk(x, loc, l->k == V_UNKNOWN && l->why ? l->why : "depends on a value known only at run time");
    }
    if (op == ML_P_ANDAND && l->k == V_ENV && l->match.n && l->negate) {
        /* X !== "a" && X !== "b": X is neither */
        val *r = ev(x, u, n->b2);
        val *both = env_tests_join(x, l, r, true, loc);
        if (both)
            return both;
        if (r->k == V_BOOL)
            return r->b ? l : r;
        val *c = mkv(x, V_COND, loc);
        c->a = r;
        c->b2 = mkv(x, V_BOOL, l->loc);
        return c;
    }
    if (op == ML_P_ANDAND) {
        int t = truthy(l);
        if (t == 0)
            return l;
        val *r = ev(x, u, n->b2);
        if (t == 1)
            return r;
        /* cond && value: either the value or something falsy */
        val *c = mkv(x, V_COND, loc);
        c->a = r;
        c->b2 = mkv(x, V_UNDEF, l->loc);
        return c;
    }
    val *r = ev(x, u, n->b2);
    if ((l->k == V_CALL && l->fn == FN_LIST_LEN) || (r->k == V_CALL && r->fn == FN_LIST_LEN)) {
        val *t = length_compare(x, l, r, op, loc);
        return t ? t : unk(x, loc, "a comparison of a service list's length");
    }
    if (op == ML_P_EQEQEQ || op == ML_P_NEE || op == ML_P_EQEQ || op == ML_P_NE) {
        val *e = l->k == V_ENV ? l : r->k == V_ENV ? r : NULL;
        val *o = e == l ? r : l;
        if (e && !e->match.n && o->k == V_STR) {
            ml_vec list = {0};
            ml_vec_push(x->a, &list, (void *)o->str);
            return env_test(x, e, &list, op == ML_P_NEE || op == ML_P_NE, loc);
        }
    }
    if (l->k == V_NUM && r->k == V_NUM) {
        double a = l->num, b = r->num, v;
        bool num = true;
        switch (op) {
        case ML_P_PLUS: v = a + b; break;
        case ML_P_MINUS: v = a - b; break;
        case ML_P_STAR: v = a * b; break;
        case ML_P_SLASH: v = a / b; break;
        case ML_P_PERCENT: v = b != 0 ? fmod(a, b) : NAN; break;
        case ML_P_STARSTAR: v = pow(a, b); break;
        default: num = false; v = 0; break;
        }
        if (num) {
            val *res = mkv(x, V_NUM, loc);
            res->num = v;
            return res;
        }
        int cmp = -2;
        switch (op) {
        case ML_P_LT: cmp = a < b; break;
        case ML_P_GT: cmp = a > b; break;
        case ML_P_LE: cmp = a <= b; break;
        case ML_P_GE: cmp = a >= b; break;
        default: break;
        }
        if (cmp != -2) {
            val *res = mkv(x, V_BOOL, loc);
            res->b = cmp;
            return res;
        }
    }
    if (op == ML_P_PLUS && (l->k == V_STR || r->k == V_STR) &&
        (l->k == V_STR || l->k == V_NUM) && (r->k == V_STR || r->k == V_NUM)) {
        const char *ls = l->k == V_STR ? l->str : ml_printf(x->a, "%g", l->num);
        const char *rs = r->k == V_STR ? r->str : ml_printf(x->a, "%g", r->num);
        if (strlen(ls) + strlen(rs) > MAX_STR)
            return unk(x, loc, MAX_STR_WHY);
        val *res = mkv(x, V_STR, loc);
        res->str = ml_printf(x->a, "%s%s", ls, rs);
        return res;
    }
    if ((op == ML_P_EQEQEQ || op == ML_P_NEE || op == ML_P_EQEQ || op == ML_P_NE)) {
        bool known = (l->k == V_NUM || l->k == V_STR || l->k == V_BOOL || is_nullish(l)) &&
                     (r->k == V_NUM || r->k == V_STR || r->k == V_BOOL || is_nullish(r));
        if (known) {
            bool eq = same_simple(l, r);
            if ((op == ML_P_EQEQ || op == ML_P_NE) && is_nullish(l) && is_nullish(r))
                eq = true;
            val *res = mkv(x, V_BOOL, loc);
            res->b = (op == ML_P_EQEQEQ || op == ML_P_EQEQ) ? eq : !eq;
            return res;
        }
    }
    if (l->k == V_UNKNOWN)
        return unk(x, loc, l->why);
    if (r->k == V_UNKNOWN)
        return unk(x, loc, r->why);
    return unk(x, loc, "depends on a value known only at run time");
}

static val *eval_unary(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    ml_loc loc = nloc(u, n);
    val *a = ev(x, u, n->a);
    if (n->str) {
        if (strcmp(n->str, "await") == 0)
            return a;
        if (strcmp(n->str, "void") == 0)
            return mkv(x, V_UNDEF, loc);
        return unk(x, loc, ml_printf(x->a, "%s expression", n->str));
    }
    switch (n->op) {
    case ML_P_BANG: {
        if (a->k == V_CALL && a->fn == FN_LIST_LEN) /* !L.length: L is empty */
            return list_test(x, a->args.items[0], LT_EMPTY, false, loc);
        if (is_list_test(a))
            return list_test(x, a->args.items[0], (unsigned)a->num, !a->negate, loc);
        if (a->k == V_ENV && a->match.n) {
            val *v = mkv(x, V_ENV, loc);
            *v = *a;
            v->loc = loc;
            v->negate = !a->negate;
            v->dflt = mkv(x, V_BOOL, a->dflt->loc);
            v->dflt->b = !a->dflt->b;
            return v;
        }
        int t = truthy(a);
        if (t < 0)
            return unk(x, loc, a->k == V_UNKNOWN ? a->why : "depends on a value known only at run time");
        val *v = mkv(x, V_BOOL, loc);
        v->b = !t;
        return v;
    }
    case ML_P_MINUS:
        if (a->k == V_NUM) {
            val *v = mkv(x, V_NUM, loc);
            v->num = -a->num;
            return v;
        }
        break;
    case ML_P_PLUS:
        return to_number(x, a, loc, false);
    default:
        break;
    }
    return unk(x, loc, a->k == V_UNKNOWN ? a->why : "unary expression");
}

static val *eval_template(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    ml_buf b;
    ml_buf_init(&b);
    const char *why = NULL;
    for (uint32_t k = 0; k < n->nkids; k++) {
        ml_ts_node *kid = n->kids[k];
        if (k % 2 == 0) {
            if (b.n + kid->len > MAX_STR && !why)
                why = MAX_STR_WHY;
            if (!why)
                ml_buf_add(&b, kid->str, kid->len);
            continue;
        }
        val *v = ev(x, u, kid);
        if (v->k == V_STR) {
            size_t len = strlen(v->str);
            if (b.n + len > MAX_STR && !why)
                why = MAX_STR_WHY;
            if (!why)
                ml_buf_add(&b, v->str, len);
        } else if (v->k == V_NUM)
            ml_buf_printf(&b, "%g", v->num);
        else if (!why)
            why = v->k == V_UNKNOWN ? v->why : "template literal with a value known only at run time";
    }
    val *r;
    if (why) {
        r = unk(x, nloc(u, n), why);
    } else {
        r = mkv(x, V_STR, nloc(u, n));
        r->str = ml_strndup(x->a, b.s ? b.s : "", b.n);
    }
    ml_buf_free(&b);
    return r;
}

static val *ev(xctx *x, ml_ts_unit *u, ml_ts_node *n)
{
    ml_loc loc = nloc(u, n);
    if (x->depth >= EVAL_MAX_DEPTH || x->budget == 0) {
        x->cuts++;
        return unk(x, loc, x->budget == 0 ? "expression too complex to evaluate"
                                          : "expression nested too deeply");
    }
    x->budget--;
    x->depth++;
    val *v;
    switch ((ml_nk)n->kind) {
    case ML_N_NUM:
        v = mkv(x, V_NUM, loc);
        v->num = n->num;
        break;
    case ML_N_STR:
        v = mkv(x, V_STR, loc);
        v->str = n->str;
        break;
    case ML_N_BOOL:
        v = mkv(x, V_BOOL, loc);
        v->b = n->b;
        break;
    case ML_N_NULL: v = mkv(x, V_NULL, loc); break;
    case ML_N_UNDEF: v = mkv(x, V_UNDEF, loc); break;
    case ML_N_TEMPLATE: v = eval_template(x, u, n); break;
    case ML_N_IDENT: v = eval_ident(x, u, n); break;
    case ML_N_THIS: v = unk(x, loc, "value of this"); break;
    case ML_N_REGEX: v = unk(x, loc, "regular expression"); break;
    case ML_N_MEMBER: {
        /* Code.Unavailable from @connectrpc/connect: the code's name */
        if (n->a->kind == ML_N_IDENT) {
            ml_ts_binding *b = ml_ts_lookup(u, n->a->str, n->a->len, n->a->first);
            if (b && b->kind == ML_B_IMPORT && b->module && ml_starts_with(b->module, "@connectrpc/") &&
                b->key && strcmp(b->key, "Code") == 0) {
                v = mkv(x, V_STR, loc);
                v->str = n->str;
                break;
            }
        }
        v = eval_member(x, u, n, ev(x, u, n->a), n->str);
        break;
    }
    case ML_N_INDEX: {
        val *obj = ev(x, u, n->a);
        val *key = n->b2 ? ev(x, u, n->b2) : unk(x, loc, "empty index");
        if (key->k == V_STR)
            v = eval_member(x, u, n, obj, key->str);
        else if (key->k == V_NUM && obj->k == V_ARR && obj->open_after < 0 && key->num >= 0 &&
                 key->num < (double)obj->elems.n) {
            elem *e = obj->elems.items[(size_t)key->num];
            v = e->maybe ? unk(x, loc, "element of a conditional array") : e->v;
        } else
            v = unk(x, loc, "computed member");
        break;
    }
    case ML_N_CALL: v = eval_call(x, u, n); break;
    case ML_N_NEW:
        v = unk(x, loc, ml_printf(x->a, "new %s()", n->a ? node_text(x, u, n->a) : "?"));
        break;
    case ML_N_OBJECT: v = eval_object(x, u, n); break;
    case ML_N_ARRAY: v = eval_array(x, u, n); break;
    case ML_N_SPREAD: v = unk(x, loc, "spread"); break;
    case ML_N_UNARY: v = eval_unary(x, u, n); break;
    case ML_N_BINARY: v = eval_binary(x, u, n); break;
    case ML_N_COND: {
        val *t = ev(x, u, n->a);
        int tv = truthy(t);
        if (is_list_test(t)) {
            val *a = ev(x, u, n->b2), *b = ev(x, u, n->c);
            v = list_cond(x, t, a, b, loc);
            if (!v) {
                v = mkv(x, V_COND, loc);
                v->a = a;
                v->b2 = b;
                v->why = "depends on a test of a service list";
            }
            break;
        }
        if (tv == 1)
            v = ev(x, u, n->b2);
        else if (tv == 0)
            v = ev(x, u, n->c);
        else {
            v = mkv(x, V_COND, loc);
            v->a = ev(x, u, n->b2);
            v->b2 = ev(x, u, n->c);
            v->why = t->k == V_UNKNOWN ? t->why : NULL;
        }
        break;
    }
    case ML_N_ASSIGN:
        v = n->op == ML_P_ASSIGN ? ev(x, u, n->b2) : unk(x, loc, "compound assignment");
        break;
    case ML_N_FUNC:
        v = mkv(x, V_FUNC, loc);
        v->why = "a function";
        break;
    case ML_N_CLASS: v = unk(x, loc, "class expression"); break;
    case ML_N_PROP:
    case ML_N_UNKNOWN:
    default:
        v = unk(x, loc, n->why ? n->why : "expression not understood");
        break;
    }
    x->depth--;
    return v;
}

/* ---- files read through relative imports ---------------------------------- */

const char *ml_ts_dirname(ml_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    if (slash == path)
        return "/";
    return ml_strndup(a, path, (size_t)(slash - path));
}

/* Join and normalise: "src/a/../b/./c" -> "src/b/c". Leading ".." stay. */
static const char *normalize_path(ml_arena *a, const char *dir, const char *rel)
{
    ml_buf in;
    ml_buf_init(&in);
    if (dir && *dir && strcmp(dir, ".") != 0 && rel[0] != '/') {
        ml_buf_puts(&in, dir);
        ml_buf_putc(&in, '/');
    }
    ml_buf_puts(&in, rel);
    ml_buf_putc(&in, '\0');
    bool abs = in.s[0] == '/';
    /* split into components */
    const char *comp[512];
    size_t clen[512];
    size_t nc = 0;
    const char *s = in.s;
    while (*s) {
        while (*s == '/')
            s++;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - s);
        if (len == 1 && s[0] == '.') {
            /* skip */
        } else if (len == 2 && s[0] == '.' && s[1] == '.' && nc > 0 &&
                   !(clen[nc - 1] == 2 && comp[nc - 1][0] == '.' && comp[nc - 1][1] == '.')) {
            nc--;
        } else if (nc < 512) {
            comp[nc] = s;
            clen[nc] = len;
            nc++;
        }
        s = e;
    }
    ml_buf out;
    ml_buf_init(&out);
    if (abs)
        ml_buf_putc(&out, '/');
    for (size_t k = 0; k < nc; k++) {
        if (k)
            ml_buf_putc(&out, '/');
        ml_buf_add(&out, comp[k], clen[k]);
    }
    if (!out.n)
        ml_buf_putc(&out, '.');
    const char *r = ml_strndup(a, out.s, out.n);
    ml_buf_free(&in);
    ml_buf_free(&out);
    return r;
}

/* Read a whole file (up to max bytes) into the arena; NULL when unreadable. */
static char *read_bounded(ml_arena *a, const char *path, size_t max, size_t *len)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
        return NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    ml_buf b;
    ml_buf_init(&b);
    char chunk[65536];
    size_t got;
    bool too_big = false;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.n + got > max) {
            too_big = true;
            break;
        }
        ml_buf_add(&b, chunk, got);
    }
    fclose(fp);
    if (too_big) {
        ml_buf_free(&b);
        return NULL;
    }
    char *r = ml_alloc(a, b.n + 1);
    if (b.n)
        memcpy(r, b.s, b.n);
    r[b.n] = '\0';
    *len = b.n;
    ml_buf_free(&b);
    return r;
}

static import_cache *cache_of(xctx *x)
{
    if (!x->ic) {
        if (!x->m->ts_imports) {
            import_cache *ic = ml_zalloc(x->out, sizeof *ic);
            ml_map_init(&ic->files);
            ml_map_init(&ic->units);
            x->m->ts_imports = ic;
        }
        x->ic = x->m->ts_imports;
    }
    return x->ic;
}

/* The units imported during one extraction: freed before its scratch arena. */
static void drop_units(ml_model *m)
{
    import_cache *ic = m->ts_imports;
    if (!ic)
        return;
    ML_VEC_EACH(ml_ts_unit *, u, &ic->owned) {
        ml_ts_unit_free(u);
    }
    memset(&ic->owned, 0, sizeof ic->owned);
    ml_map_free(&ic->units);
    ml_map_init(&ic->units);
}

void ml_ts_release(ml_model *m)
{
    ts_memo *t = m->ts_memo;
    if (t) {
        ml_map_free(&t->packages);
        ml_map_free(&t->facts_of);
        ml_arena_free(&t->scratch);
        m->ts_memo = NULL;
    }
    import_cache *ic = m->ts_imports;
    if (!ic)
        return;
    drop_units(m);
    ml_map_free(&ic->files);
    ml_map_free(&ic->units);
    m->ts_imports = NULL;
}

/* A line index in the arena, so that a file read here never needs the
 * malloc'd one source.c would build (the engine frees only its own). */
static void arena_line_index(ml_arena *a, ml_file *f)
{
    uint32_t n = 1;
    for (size_t i = 0; i < f->len; i++)
        if (f->data[i] == '\n')
            n++;
    uint32_t *off = ml_alloc(a, ((size_t)n + 1) * sizeof *off);
    uint32_t k = 0;
    off[k++] = 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->data[i] == '\n')
            off[k++] = (uint32_t)(i + 1);
    off[k] = (uint32_t)f->len + 1;
    f->line_off = off;
    f->nlines = n;
}

static ml_file *find_or_read(xctx *x, const char *path, const ml_file *like)
{
    import_cache *ic = cache_of(x);
    if (!ic->indexed) {
        ic->indexed = true;
        ML_VEC_EACH(ml_file *, f, &x->m->files) {
            const char *np = normalize_path(x->out, NULL, f->path);
            ml_map_put(&ic->files, np, strlen(np), f);
        }
    }
    ml_file *f = ml_map_gets(&ic->files, path);
    if (f)
        return f == NOT_READABLE ? NULL : f;
    /* the key and the file outlive this extraction (locations point here) */
    path = ml_strdup(x->out, path);
    size_t len = 0;
    char *data = read_bounded(x->out, path, IMPORT_MAX_BYTES, &len);
    if (!data) {
        ml_map_put(&ic->files, path, strlen(path), NOT_READABLE);
        return NULL;
    }
    f = ml_zalloc(x->out, sizeof *f);
    f->path = path;
    f->data = data;
    f->len = len;
    f->type = ML_FILE_TS;
    f->report = like ? like->report : false;
    f->index = like ? like->index : 0;
    arena_line_index(x->out, f);
    ml_map_put(&ic->files, path, strlen(path), f);
    return f;
}

/* ---- package.json "imports": #subpath specifiers ------------------------------ */

/* Skip a JSON value starting at s[i] (string, number, literal, object,
 * array); the index after it. Iterative. */
static size_t json_skip(const char *s, size_t n, size_t i)
{
    int depth = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
        } else if (c == '{' || c == '[') {
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
            i++;
        } else if (c == ',' && depth == 0) {
            return i;
        } else {
            i++;
        }
        if (depth == 0 && i < n && (s[i] == ',' || s[i] == '}' || s[i] == ']'))
            return i;
    }
    return n;
}

static size_t json_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    return i;
}

/* A JSON string at s[i] (no escapes decoded beyond \" and \\), in the arena. */
static const char *json_str(ml_arena *a, const char *s, size_t n, size_t *i)
{
    if (*i >= n || s[*i] != '"')
        return NULL;
    ml_buf b;
    ml_buf_init(&b);
    size_t k = *i + 1;
    for (; k < n && s[k] != '"'; k++) {
        if (s[k] == '\\' && k + 1 < n)
            k++;
        ml_buf_putc(&b, s[k]);
    }
    *i = k + 1;
    const char *r = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return r;
}

/* The target a package.json "imports" map gives spec: an exact key, else
 * the longest "prefix*suffix" pattern, its "*" replaced (Node's
 * PACKAGE_IMPORTS_RESOLVE). A conditional target takes "import", "node" or
 * "default". NULL when there is none. */
static const char *imports_target(ml_arena *a, const char *s, size_t n, const char *spec)
{
    size_t i = json_ws(s, n, 0);
    if (i >= n || s[i] != '{')
        return NULL;
    i++;
    const char *best = NULL;
    size_t best_len = 0;
    for (int guard = 0; i < n && guard < 100000; guard++) {
        i = json_ws(s, n, i);
        const char *key = json_str(a, s, n, &i);
        if (!key)
            return best;
        i = json_ws(s, n, i);
        if (i >= n || s[i] != ':')
            return best;
        i = json_ws(s, n, i + 1);
        if (strcmp(key, "imports") == 0 && i < n && s[i] == '{') {
            i++;
            for (int g2 = 0; i < n && g2 < 10000; g2++) {
                i = json_ws(s, n, i);
                const char *k = json_str(a, s, n, &i);
                if (!k)
                    return best;
                i = json_ws(s, n, i);
                if (i >= n || s[i] != ':')
                    return best;
                i = json_ws(s, n, i + 1);
                const char *target = NULL;
                if (i < n && s[i] == '"') {
                    target = json_str(a, s, n, &i);
                } else if (i < n && s[i] == '{') {
                    size_t j = i + 1;
                    for (int g3 = 0; j < n && g3 < 64; g3++) {
                        j = json_ws(s, n, j);
                        const char *cond = json_str(a, s, n, &j);
                        if (!cond)
                            break;
                        j = json_ws(s, n, j);
                        if (j >= n || s[j] != ':')
                            break;
                        j = json_ws(s, n, j + 1);
                        if (j < n && s[j] == '"') {
                            const char *t = json_str(a, s, n, &j);
                            if (!target && (strcmp(cond, "import") == 0 || strcmp(cond, "node") == 0 ||
                                            strcmp(cond, "default") == 0))
                                target = t;
                        } else {
                            j = json_skip(s, n, j);
                        }
                        j = json_ws(s, n, j);
                        if (j < n && s[j] == ',')
                            j++;
                        else
                            break;
                    }
                    i = json_skip(s, n, i);
                } else {
                    i = json_skip(s, n, i);
                }
                if (target) {
                    const char *star = strchr(k, '*');
                    if (!star && strcmp(k, spec) == 0)
                        return target;
                    if (star) {
                        size_t pre = (size_t)(star - k), suf = strlen(star + 1), sl = strlen(spec);
                        if (sl >= pre + suf && strncmp(spec, k, pre) == 0 &&
                            strcmp(spec + sl - suf, star + 1) == 0 && pre >= best_len) {
                            const char *ts = strchr(target, '*');
                            const char *mid = ml_strndup(a, spec + pre, sl - pre - suf);
                            best = ts ? ml_printf(a, "%.*s%s%s", (int)(ts - target), target, mid, ts + 1) : target;
                            best_len = pre;
                        }
                    }
                }
                i = json_ws(s, n, i);
                if (i < n && s[i] == ',')
                    i++;
                else
                    return best;
            }
            return best;
        }
        i = json_skip(s, n, i);
        i = json_ws(s, n, i);
        if (i < n && s[i] == ',')
            i++;
        else
            return best;
    }
    return best;
}

/* The string value of key inside the top-level object member obj of a
 * package.json text ("scripts" -> "start"), or NULL (json.c's reader). */
static const char *json_member_str(ml_arena *a, const char *s, size_t n, const char *obj, const char *key)
{
    const ml_json *root = ml_json_parse(a, s, n, NULL, NULL);
    return ml_json_str(ml_json_get(ml_json_get(root, obj), key));
}

const char *ml_ts_package_script(ml_arena *a, const char *pkg_dir, const char *script)
{
    const char *pj = !pkg_dir || strcmp(pkg_dir, ".") == 0 ? "package.json" : ml_printf(a, "%s/package.json", pkg_dir);
    size_t len = 0;
    char *data = read_bounded(a, pj, 1u << 20, &len);
    return data ? json_member_str(a, data, len, "scripts", script) : NULL;
}

const char *ml_ts_subpath_target(ml_arena *a, const char *pkg_dir, const char *spec)
{
    const char *pj = !pkg_dir || strcmp(pkg_dir, ".") == 0 ? "package.json" : ml_printf(a, "%s/package.json", pkg_dir);
    size_t len = 0;
    char *data = read_bounded(a, pj, 1u << 20, &len);
    const char *target = data ? imports_target(a, data, len, spec) : NULL;
    return target && is_relative(target) ? target : NULL;
}

const char *ml_ts_path_join(ml_arena *a, const char *dir, const char *rel)
{
    return normalize_path(a, dir, rel);
}

/* The file a relative specifier names (the candidates TypeScript and Node
 * try, in order), or NULL; *cand receives its normalised path. */
static ml_file *resolve_path(xctx *x, ml_ts_unit *from, const char *spec, const char **cand_out)
{
    const char *dir = ml_ts_dirname(x->a, from->file->path);
    if (spec[0] == '#') {
        /* a subpath import: the "imports" of the nearest package.json */
        const char *pkg = ml_ts_package_m(x->m, from->file->path, NULL);
        const char *pj = strcmp(pkg, ".") == 0 ? "package.json" : ml_printf(x->a, "%s/package.json", pkg);
        size_t len = 0;
        char *data = read_bounded(x->a, pj, 1u << 20, &len);
        const char *target = data ? imports_target(x->a, data, len, spec) : NULL;
        if (!target || !is_relative(target))
            return NULL; /* another package, or no mapping */
        dir = pkg;
        spec = target;
    }
    const char *base = normalize_path(x->a, dir, spec);
    static const char *const strip[] = {".js", ".mjs", ".cjs", ".jsx", NULL};
    static const char *const exts[] = {"", ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs",
                                       "/index.ts", "/index.tsx", "/index.js", "/index.mjs", NULL};
    const char *stems[2] = {base, NULL};
    for (int k = 0; strip[k]; k++) {
        if (ml_ends_with(base, strip[k])) {
            stems[1] = ml_strndup(x->a, base, strlen(base) - strlen(strip[k]));
            break;
        }
    }
    for (int s = 0; s < 2 && stems[s]; s++) {
        for (int e = 0; exts[e]; e++) {
            if (s == 1 && e == 0)
                continue;
            const char *cand = ml_printf(x->a, "%s%s", stems[s], exts[e]);
            ml_file *f = find_or_read(x, cand, from->file);
            if (!f || f->len >= UINT32_MAX - 1)
                continue;
            *cand_out = cand;
            return f;
        }
    }
    return NULL;
}

static ml_file *resolve_relative(xctx *x, ml_ts_unit *from, const char *spec)
{
    const char *cand = NULL;
    return is_local(spec) ? resolve_path(x, from, spec, &cand) : NULL;
}

/* The run's tokenized unit of a file (made once). */
static ml_ts_unit *unit_at(xctx *x, ml_file *f, const char *path, unsigned depth)
{
    import_cache *ic = cache_of(x);
    ml_ts_unit *cached = ml_map_gets(&ic->units, path);
    if (cached)
        return cached;
    ml_ts_unit *iu = ml_zalloc(x->a, sizeof *iu);
    if (!ml_ts_unit_init(iu, x->a, f, f->data, 0, (uint32_t)f->len, 1, 1))
        return NULL;
    iu->import_depth = depth;
    ml_map_put(&ic->units, path, strlen(path), iu);
    ml_vec_push(x->a, &ic->owned, iu);
    return iu;
}

static ml_ts_unit *unit_of(xctx *x, ml_file *f, unsigned depth)
{
    if (f->len >= UINT32_MAX - 1)
        return NULL;
    return unit_at(x, f, normalize_path(x->a, NULL, f->path), depth);
}

static ml_ts_unit *load_relative(xctx *x, ml_ts_unit *from, const char *spec)
{
    const char *cand = NULL;
    ml_file *f = resolve_path(x, from, spec, &cand);
    return f ? unit_at(x, f, cand, from->import_depth + 1) : NULL;
}

/* ---- package.json -------------------------------------------------------------- */

/* The top-level "name" of a package.json text, or NULL. */
static const char *package_name(ml_arena *a, const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == '"') {
            size_t start = ++i;
            while (i < n && s[i] != '"') {
                if (s[i] == '\\')
                    i++;
                i++;
            }
            if (i >= n)
                return NULL;
            size_t end = i;
            if (depth != 1 || end - start != 4 || memcmp(s + start, "name", 4) != 0)
                continue;
            size_t j = end + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
                j++;
            if (j >= n || s[j] != ':')
                continue;
            j++;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
                j++;
            if (j >= n || s[j] != '"')
                return NULL;
            size_t vs = ++j;
            while (j < n && s[j] != '"' && s[j] != '\\')
                j++;
            if (j >= n || s[j] != '"')
                return NULL;
            const char *name = ml_strndup(a, s + vs, j - vs);
            if (name[0] == '@') {
                const char *slash = strchr(name, '/');
                if (slash && slash[1])
                    name = slash + 1;
            }
            return name[0] ? name : NULL;
        }
    }
    return NULL;
}

const char *ml_ts_package(ml_arena *a, const char *path, const char **name)
{
    const char *dir = ml_ts_dirname(a, path);
    const char *d = dir;
    if (name)
        *name = NULL;
    for (int guard = 0; guard < 64; guard++) {
        const char *pj = strcmp(d, ".") == 0 ? "package.json"
                         : strcmp(d, "/") == 0 ? "/package.json"
                                               : ml_printf(a, "%s/package.json", d);
        size_t len = 0;
        char *data = read_bounded(a, pj, 1u << 20, &len);
        if (data) {
            if (name)
                *name = package_name(a, data, len);
            return d;
        }
        if (strcmp(d, ".") == 0 || strcmp(d, "/") == 0)
            break;
        const char *up = ml_ts_dirname(a, d);
        /* "a/.." style paths would not shrink: stop at a parent reference */
        if (ml_ends_with(d, "..") || strcmp(up, d) == 0)
            break;
        d = up;
    }
    return dir;
}

/* ---- the run's memo: packages per directory, facts per extracted file ------------- */

/* What walking up from a directory finds: the package directory and name,
 * and how many levels up it is; pkg NULL when the walk ends at the top
 * without a package.json. The entry's key is the directory (dkey, dlen: a
 * prefix of a copy the memo owns, not NUL-terminated below the first
 * level); dir is that directory as a string, made when first asked for. */
typedef struct pkg_hit {
    const char *pkg, *name;
    int steps;
    uint32_t dlen;
    const char *dkey;
    const char *dir;
} pkg_hit;

#define PKG_MAX_LEVELS 64 /* as ml_ts_package */

static ts_memo *memo_of(ml_model *m)
{
    if (!m->ts_memo) {
        ts_memo *t = ml_zalloc(m->arena, sizeof *t);
        ml_map_init(&t->packages);
        ml_map_init(&t->facts_of);
        ml_arena_init(&t->scratch);
        m->ts_memo = t;
    }
    return m->ts_memo;
}

/* The directory of the first len bytes of d as ml_ts_dirname gives it: "."
 * without a slash, "/" for a slash in front, else a prefix of d (*out_len
 * bytes, no copy). */
static const char *dir_part(const char *d, size_t len, size_t *out_len)
{
    const char *slash = len ? memrchr(d, '/', len) : NULL;
    *out_len = 1;
    if (!slash)
        return ".";
    if (slash == d)
        return "/";
    *out_len = (size_t)(slash - d);
    return d;
}

static bool key_is(const char *d, size_t len, const char *s)
{
    return len == strlen(s) && memcmp(d, s, len) == 0;
}

/* ml_ts_package_m, and the directory of path (*dir_out: the memo's own
 * string, or a copy in the run's arena when the walk was not remembered).
 * A directory seen before costs one lookup and no allocation: the memo
 * keys are prefixes of one copy of the first directory a walk starts from,
 * and package.json paths are made in a buffer. */
static const char *package_walk(ml_model *m, const char *path, const char **name, const char **dir_out)
{
    ml_arena *a = m->arena;
    ts_memo *t = memo_of(m);
    size_t dlen0;
    const char *d0 = dir_part(path, strlen(path), &dlen0);
    pkg_hit *hit = ml_map_get(&t->packages, d0, dlen0);
    int hit_at = 0; /* the level at which hit was reached */
    const char *dir;
    if (hit) {
        if (!hit->dir)
            hit->dir = hit->dkey[hit->dlen] == '\0' ? hit->dkey : ml_strndup(a, hit->dkey, hit->dlen);
        dir = hit->dir;
    } else {
        dir = d0 == path ? ml_strndup(a, d0, dlen0) : d0;
        const char *seen[PKG_MAX_LEVELS];
        size_t seen_len[PKG_MAX_LEVELS];
        int nseen = 0;
        bool ended = false;
        const char *d = dir;
        size_t dl = dlen0;
        char small[512];
        for (int level = 0; level < PKG_MAX_LEVELS; level++) {
            pkg_hit *h = level ? ml_map_get(&t->packages, d, dl) : NULL;
            if (h) {
                hit = h;
                hit_at = level;
                ended = true;
                break;
            }
            seen[nseen] = d;
            seen_len[nseen++] = dl;
            bool dot = key_is(d, dl, "."), root = key_is(d, dl, "/");
            /* d + "/package.json" (the path is read, not kept) */
            size_t need = dl + sizeof "/package.json";
            char *pj = need <= sizeof small ? small : malloc(need);
            if (!pj) {
                fputs("meshlint: out of memory\n", stderr);
                abort();
            }
            if (dot)
                memcpy(pj, "package.json", sizeof "package.json");
            else if (root)
                memcpy(pj, "/package.json", sizeof "/package.json");
            else {
                memcpy(pj, d, dl);
                memcpy(pj + dl, "/package.json", sizeof "/package.json");
            }
            size_t len = 0;
            char *data = read_bounded(a, pj, 1u << 20, &len);
            if (pj != small)
                free(pj);
            if (data) {
                pkg_hit *nh = ml_zalloc(a, sizeof *nh);
                nh->pkg = d[dl] == '\0' ? d : ml_strndup(a, d, dl);
                nh->name = package_name(a, data, len);
                hit = nh;
                hit_at = level;
                ended = true;
                break;
            }
            if (dot || root) {
                ended = true;
                break;
            }
            size_t ul;
            const char *up = dir_part(d, dl, &ul);
            if ((dl >= 2 && memcmp(d + dl - 2, "..", 2) == 0) || (ul == dl && memcmp(up, d, dl) == 0)) {
                ended = true;
                break;
            }
            d = up;
            dl = ul;
        }
        if (ended) {
            /* remember every directory passed, each with its own distance */
            for (int i = 0; i < nseen; i++) {
                pkg_hit *e = ml_zalloc(a, sizeof *e);
                if (hit && hit->pkg) {
                    e->pkg = hit->pkg;
                    e->name = hit->name;
                    e->steps = hit_at - i + hit->steps;
                }
                e->dkey = seen[i];
                e->dlen = (uint32_t)seen_len[i];
                if (i == 0)
                    e->dir = dir;
                ml_map_put(&t->packages, seen[i], seen_len[i], e);
            }
        }
    }
    bool found = hit && hit->pkg && hit_at + hit->steps < PKG_MAX_LEVELS;
    if (name)
        *name = found ? hit->name : NULL;
    if (dir_out)
        *dir_out = dir;
    return found ? hit->pkg : dir;
}

/* ml_ts_package's walk, with every directory it passes remembered: a
 * sibling directory then costs one look for package.json, not one per
 * level up to the root. The answer is exactly ml_ts_package's, including
 * its limit of PKG_MAX_LEVELS levels. */
const char *ml_ts_package_m(ml_model *m, const char *path, const char **name)
{
    return package_walk(m, path, name, NULL);
}

/* ---- converting to ml_val --------------------------------------------------------- */

/* The alternatives of a value that is one of a few (V_COND), at most max. */
static bool cond_leaves(val *v, val **out, size_t *n, size_t max, unsigned depth)
{
    if (v->k == V_COND)
        return depth <= 16 && cond_leaves(v->a, out, n, max, depth + 1) &&
               cond_leaves(v->b2, out, n, max, depth + 1);
    if (*n >= max)
        return false;
    out[(*n)++] = v;
    return true;
}

bool ml_val_same(const ml_val *a, const ml_val *b)
{
    for (int guard = 0; guard < 16; guard++) {
        if (!a || !b)
            return a == b;
        if (a->kind != b->kind)
            return false;
        switch (a->kind) {
        case ML_VAL_ABSENT: return true;
        case ML_VAL_NUM: return a->num == b->num;
        case ML_VAL_STR: return strcmp(a->str, b->str) == 0;
        case ML_VAL_BOOL: return a->b == b->b;
        case ML_VAL_ENV:
            if (strcmp(a->env, b->env) != 0 || ml_val_env_match(a)->n || ml_val_env_match(b)->n ||
                a->env_negate != b->env_negate)
                return false;
            a = a->env_default;
            b = b->env_default;
            continue;
        default: return false;
        }
    }
    return false;
}

static void val_text(ml_buf *b, const ml_val *v, unsigned depth)
{
    switch (v->kind) {
    case ML_VAL_ABSENT: ml_buf_puts(b, "not set (the framework default)"); break;
    case ML_VAL_NUM: ml_buf_printf(b, "%g", v->num); break;
    case ML_VAL_STR: ml_buf_printf(b, "\"%.64s\"", v->str); break;
    case ML_VAL_BOOL: ml_buf_puts(b, v->b ? "true" : "false"); break;
    case ML_VAL_ENV:
        ml_buf_printf(b, "env %s", v->env);
        if (ml_val_env_match(v)->n)
            ml_buf_puts(b, " (tested)");
        else if (v->env_default && depth < 4) {
            ml_buf_puts(b, " (default ");
            val_text(b, v->env_default, depth + 1);
            ml_buf_putc(b, ')');
        }
        break;
    default:
        if (ml_val_alts(v)->n && depth < 4) {
            const ml_vec *alts = ml_val_alts(v);
            for (size_t k = 0; k < alts->n; k++) {
                if (k)
                    ml_buf_puts(b, k + 1 == alts->n ? " or " : ", ");
                val_text(b, alts->items[k], depth + 1);
            }
        } else {
            ml_buf_puts(b, "unknown");
        }
        break;
    }
}

const char *ml_val_text(ml_arena *a, const ml_val *v)
{
    ml_buf b;
    ml_buf_init(&b);
    val_text(&b, v, 0);
    const char *r = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    return r;
}

static ml_val to_mlval(xctx *x, val *v, unsigned depth)
{
    ml_val r;
    memset(&r, 0, sizeof r);
    r.loc = v->loc;
    switch (v->k) {
    case V_NUM:
        r.kind = ML_VAL_NUM;
        r.num = v->num;
        break;
    case V_STR:
        r.kind = ML_VAL_STR;
        r.str = v->str;
        break;
    case V_BOOL:
        r.kind = ML_VAL_BOOL;
        r.b = v->b;
        break;
    case V_ENV:
        r.kind = ML_VAL_ENV;
        r.env = v->env;
        if (v->match.n) {
            ml_val_lists *l = ml_zalloc(x->a, sizeof *l);
            l->env_match = v->match;
            r.lists = l;
        }
        r.env_negate = v->negate;
        if (v->dflt && depth < 8) {
            ml_val d = to_mlval(x, v->dflt, depth + 1);
            if (d.kind != ML_VAL_ABSENT) {
                r.env_default = ml_alloc(x->a, sizeof *r.env_default);
                *r.env_default = d;
            }
        }
        break;
    case V_UNDEF:
    case V_NULL:
        r.kind = ML_VAL_ABSENT;
        break;
    case V_COND: {
        if (same_simple(v->a, v->b2))
            return to_mlval(x, v->a, depth + 1);
        r.kind = ML_VAL_UNKNOWN;
        r.why = v->why ? ml_printf(x->a, "depends on a condition (%s)", v->why)
                       : "depends on a condition evaluated at run time";
        /* one of a few values the code fixes: keep them */
        val *leaves[16];
        size_t nl = 0;
        bool ok = depth < 8 && cond_leaves(v, leaves, &nl, 16, 0);
        ml_vec alts = {0};
        for (size_t k = 0; ok && k < nl; k++) {
            ml_val a = to_mlval(x, leaves[k], depth + 1);
            if (a.kind == ML_VAL_UNKNOWN) {
                ok = false;
                break;
            }
            bool dup = false;
            ML_VEC_EACH(ml_val *, o, &alts) {
                dup |= ml_val_same(o, &a);
            }
            if (!dup) {
                ml_val *c = ml_alloc(x->a, sizeof *c);
                *c = a;
                ml_vec_push(x->a, &alts, c);
            }
        }
        if (ok && alts.n == 1)
            return *(ml_val *)alts.items[0];
        if (ok) {
            if (alts.n) {
                ml_val_lists *l = ml_zalloc(x->a, sizeof *l);
                l->alts = alts;
                r.lists = l;
            }
            if (v->alt_of)
                r.why = ml_printf(x->a, "one of %s: the call sites of %s pass different values",
                                  ml_val_text(x->a, &r), v->alt_of);
        } else if (v->alt_of) {
            const char *why = NULL;
            for (size_t k = 0; k < nl && !why; k++)
                if (leaves[k]->k == V_UNKNOWN)
                    why = leaves[k]->why;
            r.why = why ? ml_printf(x->a, "differs between the call sites of %s, and one is not known: %s", v->alt_of, why)
                        : ml_printf(x->a, "differs between the call sites of %s, and not every one is known", v->alt_of);
        }
        break;
    }
    case V_UNKNOWN:
        r.kind = ML_VAL_UNKNOWN;
        r.why = v->why ? v->why : "not a literal";
        break;
    case V_OBJ: r.kind = ML_VAL_UNKNOWN; r.why = "an object, not a scalar"; break;
    case V_ARR: r.kind = ML_VAL_UNKNOWN; r.why = "an array, not a scalar"; break;
    case V_FUNC: r.kind = ML_VAL_UNKNOWN; r.why = "a function"; break;
    default: r.kind = ML_VAL_UNKNOWN; r.why = "not a literal"; break;
    }
    return r;
}

static void push_unknown(xctx *x, ml_server *s, const char *what, const char *why, ml_loc loc)
{
    ml_unknown *k = ml_zalloc(x->a, sizeof *k);
    k->what = what;
    k->why = why ? why : "not a literal";
    k->loc = loc;
    ml_vec_push(x->a, &s->unknowns, k);
}

/* An option of the server's options object, as an ml_val. */
static ml_val option_val(xctx *x, ml_server *s, val *opts, const char *key, ml_loc dflt_loc,
                         bool record, lookup *out)
{
    ml_val r;
    memset(&r, 0, sizeof r);
    lookup l = obj_get(x, opts, key);
    if (out)
        *out = l;
    if (l.unknown) {
        r.kind = ML_VAL_UNKNOWN;
        r.why = l.why ? l.why : "not a literal";
        r.loc = l.loc.file ? l.loc : dflt_loc;
    } else if (!l.v) {
        r.kind = ML_VAL_ABSENT;
        r.loc = dflt_loc;
    } else {
        r = to_mlval(x, l.v, 0);
    }
    if (record && r.kind == ML_VAL_UNKNOWN)
        push_unknown(x, s, key, r.why, r.loc);
    return r;
}

/* ---- server options ---------------------------------------------------------------- */

static ml_tls_state tls_state(const val *v, unsigned depth)
{
    if (depth > 16)
        return ML_TLS_UNKNOWN;
    switch (v->k) {
    case V_UNDEF:
    case V_NULL: return ML_TLS_ABSENT;
    case V_BOOL: return v->b ? ML_TLS_PRESENT : ML_TLS_ABSENT;
    case V_OBJ: return ML_TLS_PRESENT;
    case V_COND: {
        ml_tls_state a = tls_state(v->a, depth + 1), b = tls_state(v->b2, depth + 1);
        if (a == b)
            return a;
        if (a == ML_TLS_UNKNOWN || b == ML_TLS_UNKNOWN)
            return ML_TLS_UNKNOWN;
        return ML_TLS_CONDITIONAL;
    }
    default: return ML_TLS_UNKNOWN;
    }
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static ml_loc region(const ml_ts_unit *u, uint32_t off, uint32_t line, uint32_t col, uint32_t end_off,
                     uint32_t end_line, uint32_t end_col)
{
    ml_loc l;
    memset(&l, 0, sizeof l);
    l.file = u->file;
    l.off = off;
    l.line = line;
    l.col = col;
    l.end_off = end_off;
    l.end_line = end_line;
    l.end_col = end_col;
    return l;
}

/* The bytes a fix removes for the property spanning tokens first..last:
 * the property, its trailing comma and, when it stands alone on its lines,
 * the whole lines (with a trailing // comment) including the newline.
 * Positions come from the tokens (blanks are one byte, one column each), so
 * no line index of the file is needed. */
static ml_loc delete_region(const ml_ts_unit *u, uint32_t first, uint32_t last)
{
    const char *src = u->src;
    size_t len = u->file->len;
    const ml_tok *ft = ml_ts_tok(u, first);
    const ml_tok *lt = ml_ts_tok(u, last);
    bool comma = ml_tok_p(u, last + 1, ML_P_COMMA);
    if (comma)
        lt = ml_ts_tok(u, last + 1);
    uint32_t start = ft->off, end = lt->end;
    uint32_t ls = start;
    while (ls > 0 && is_blank(src[ls - 1]))
        ls--;
    bool alone_before = ls == 0 || src[ls - 1] == '\n';
    uint32_t le = end;
    while (le < len && (is_blank(src[le]) || src[le] == '\r'))
        le++;
    if (le + 1 < len && src[le] == '/' && src[le + 1] == '/')
        while (le < len && src[le] != '\n')
            le++;
    bool alone_after = le >= len || src[le] == '\n';
    if (alone_before && alone_after) {
        /* the lines are the property's own when no other token shares them */
        uint32_t after = (uint32_t)(lt - u->lx.toks) + 1;
        bool own = (first == 0 || ml_ts_tok(u, first - 1)->end_line < ft->line) &&
                   (after >= u->lx.n || ml_ts_tok(u, after)->kind == ML_TK_EOF ||
                    ml_ts_tok(u, after)->line > lt->end_line);
        if (own) {
            if (le < len)
                return region(u, ls, ft->line, 1, le + 1, lt->end_line + 1, 1);
            return region(u, ls, ft->line, 1, le, lt->end_line, lt->end_col + (le - end));
        }
    }
    if (comma) {
        uint32_t e = end;
        while (e < len && is_blank(src[e]))
            e++;
        return region(u, start, ft->line, ft->col, e, lt->end_line, lt->end_col + (e - end));
    }
    if (first > 0 && ml_tok_p(u, first - 1, ML_P_COMMA)) {
        const ml_tok *ct = ml_ts_tok(u, first - 1);
        return region(u, ct->off, ct->line, ct->col, end, lt->end_line, lt->end_col);
    }
    return region(u, start, ft->line, ft->col, end, lt->end_line, lt->end_col);
}

static ml_tri tri_max(ml_tri a, ml_tri b)
{
    int ra = a == ML_YES ? 2 : a == ML_MAYBE ? 1 : 0, rb = b == ML_YES ? 2 : b == ML_MAYBE ? 1 : 0;
    return ra >= rb ? a : b;
}

/* Flatten an array-like value into elements; false when it is not one. */
static bool elements_of(xctx *x, val *v, bool maybe, ml_vec *out, unsigned depth)
{
    if (depth > 16)
        return false;
    switch (v->k) {
    case V_ARR:
        ML_VEC_EACH(elem *, e, &v->elems) {
            elem *c = ml_alloc(x->a, sizeof *c);
            c->v = e->v;
            c->maybe = e->maybe || maybe;
            ml_vec_push(x->a, out, c);
        }
        return true;
    case V_COND: {
        val *common = cond_elems(x, v, 0);
        if (common)
            return elements_of(x, common, maybe, out, depth + 1);
        return elements_of(x, v->a, true, out, depth + 1) && elements_of(x, v->b2, true, out, depth + 1);
    }
    case V_UNDEF:
    case V_NULL:
        return true;
    case V_CALL: {
        /* interceptors: createDefaultInterceptors(...) is itself an array */
        elem *c = ml_alloc(x->a, sizeof *c);
        c->v = v;
        c->maybe = maybe;
        ml_vec_push(x->a, out, c);
        return true;
    }
    default:
        return false;
    }
}

static void do_protocols(xctx *x, ml_server *s, val *opts)
{
    lookup l;
    s->health_paths_known = true;
    ml_val pv = option_val(x, s, opts, "protocols", s->call, false, &l);
    if (pv.kind == ML_VAL_ABSENT && !l.v) {
        s->has_health = ML_NO;
        s->has_reflection = ML_NO;
        return;
    }
    ml_vec els = {0};
    if (l.unknown || !l.v || !elements_of(x, l.v, false, &els, 0)) {
        const char *why = l.unknown ? l.why : (l.v && l.v->k == V_UNKNOWN ? l.v->why : "protocols is not an array literal");
        s->has_health = ML_MAYBE;
        s->has_reflection = ML_MAYBE;
        s->health_paths_known = false;
        s->protocols_other = true;
        s->health_http_enabled.kind = ML_VAL_UNKNOWN;
        s->health_http_enabled.why = why;
        s->health_http_enabled.loc = pv.loc;
        push_unknown(x, s, "protocols", why, l.v ? l.v->loc : pv.loc);
        return;
    }
    bool open = false;
    const char *open_why = NULL;
    ml_loc open_loc = {0};
    ML_VEC_EACH(elem *, e, &els) {
        val *v = e->v;
        if (v->k == V_CALL && v->fn == FN_HEALTH) {
            ml_tri t = e->maybe ? ML_MAYBE : ML_YES;
            if (s->has_health == ML_NO || (s->has_health == ML_MAYBE && t == ML_YES)) {
                s->has_health = t;
                s->health_loc = v->loc;
                val *hopts = v->args.n ? v->args.items[0] : NULL;
                memset(&s->health_http_enabled, 0, sizeof s->health_http_enabled);
                s->health_http_enabled.loc = v->loc;
                s->health_paths.n = 0;
                s->health_paths_set = false;
                s->health_paths_known = true;
                if (hopts && hopts->k == V_OBJ) {
                    lookup hl;
                    s->health_http_enabled = option_val(x, s, hopts, "httpEnabled", v->loc, false, &hl);
                    lookup pl = obj_get(x, hopts, "httpPaths");
                    if (pl.unknown) {
                        s->health_paths_set = true;
                        s->health_paths_known = false;
                    } else if (pl.v) {
                        s->health_paths_set = true;
                        if (pl.v->k == V_ARR && pl.v->open_after < 0) {
                            ML_VEC_EACH(elem *, pe, &pl.v->elems) {
                                if (pe->v->k == V_STR && !pe->maybe)
                                    ml_vec_push(x->a, &s->health_paths, (void *)pe->v->str);
                                else
                                    s->health_paths_known = false;
                            }
                        } else if (!is_nullish(pl.v)) {
                            s->health_paths_known = false;
                        } else {
                            s->health_paths_set = false;
                        }
                    }
                } else if (hopts && !is_nullish(hopts)) {
                    s->health_http_enabled.kind = ML_VAL_UNKNOWN;
                    s->health_http_enabled.why = hopts->k == V_UNKNOWN ? hopts->why : "Healthcheck options are not an object literal";
                    s->health_http_enabled.loc = hopts->loc;
                    s->health_paths_known = false;
                }
            }
        } else if (v->k == V_CALL && v->fn == FN_REFLECTION) {
            s->has_reflection = tri_max(s->has_reflection, e->maybe ? ML_MAYBE : ML_YES);
        } else if (v->k == V_CALL || v->k == V_FUNC || v->k == V_OBJ) {
            /* another known protocol, or an inline registration */
            s->protocols_other = true;
        } else if (!is_nullish(v)) {
            open = true;
            s->protocols_other = true;
            if (!open_why) {
                open_why = v->k == V_UNKNOWN ? v->why : "protocol entry not understood";
                open_loc = v->loc;
            }
        }
    }
    if (s->has_health != ML_NO && !open) {
        if (s->health_http_enabled.kind == ML_VAL_UNKNOWN)
            push_unknown(x, s, "protocols", s->health_http_enabled.why, s->health_http_enabled.loc);
        else if (!s->health_paths_known)
            push_unknown(x, s, "protocols", "httpPaths is not a list of string literals", s->health_loc);
    }
    if (open) {
        if (s->has_health == ML_NO) {
            s->has_health = ML_MAYBE;
            s->health_http_enabled.kind = ML_VAL_UNKNOWN;
            s->health_http_enabled.why = open_why;
            s->health_http_enabled.loc = open_loc;
            s->health_paths_known = false;
        }
        if (s->has_reflection == ML_NO)
            s->has_reflection = ML_MAYBE;
        push_unknown(x, s, "protocols", open_why, open_loc);
    }
}

static const char *const interceptor_keys[5] = {"retry", "timeout", "circuitBreaker", "bulkhead", "fallback"};

static ml_interceptor_cfg *cfg_slot(ml_server *s, int k)
{
    switch (k) {
    case 0: return &s->retry;
    case 1: return &s->timeout;
    case 2: return &s->circuit_breaker;
    case 3: return &s->bulkhead;
    default: return &s->fallback;
    }
}

static int slot_of_fn(fn_id f)
{
    switch (f) {
    case FN_RETRY: return 0;
    case FN_TIMEOUT: return 1;
    case FN_CIRCUIT_BREAKER: return 2;
    case FN_BULKHEAD: return 3;
    case FN_FALLBACK: return 4;
    default: return -1;
    }
}

/* Fill a/b/codes of an interceptor configuration from its options value. */
static void cfg_options(xctx *x, ml_server *s, int k, ml_interceptor_cfg *c, val *o, ml_loc at)
{
    static const char *const a_key[5] = {"maxRetries", "duration", "threshold", "capacity", NULL};
    static const char *const b_key[5] = {NULL, NULL, "halfOpenAfter", "queueSize", NULL};
    c->codes_known = true;
    if (!o || o->k != V_OBJ) {
        if (o && o->k != V_BOOL && !is_nullish(o)) {
            /* options known only at run time */
            if (a_key[k]) {
                c->a.kind = ML_VAL_UNKNOWN;
                c->a.why = o->k == V_UNKNOWN ? o->why : "options are not an object literal";
                c->a.loc = o->loc;
            }
            if (b_key[k]) {
                c->b = c->a;
                c->b.kind = ML_VAL_UNKNOWN;
                c->b.why = o->k == V_UNKNOWN ? o->why : "options are not an object literal";
                c->b.loc = o->loc;
            }
            c->codes_known = k != 0;
        }
        return;
    }
    if (a_key[k])
        c->a = option_val(x, s, o, a_key[k], at, false, NULL);
    if (b_key[k])
        c->b = option_val(x, s, o, b_key[k], at, false, NULL);
    if (k == 0) {
        lookup l = obj_get(x, o, "retryableCodes");
        if (l.unknown) {
            c->codes_known = false;
        } else if (l.v && l.v->k == V_ARR && l.v->open_after < 0) {
            ML_VEC_EACH(elem *, e, &l.v->elems) {
                if (e->v->k == V_STR && !e->maybe)
                    ml_vec_push(x->a, &c->codes, (void *)e->v->str);
                else if (e->v->k == V_NUM && e->v->num >= 0 && e->v->num <= 16 && !e->maybe &&
                         e->v->num == floor(e->v->num))
                    ml_vec_push(x->a, &c->codes, (void *)grpc_codes[(int)e->v->num]);
                else
                    c->codes_known = false;
            }
        } else if (l.v && !is_nullish(l.v)) {
            c->codes_known = false;
        }
    }
}

static void set_cfg(ml_server *s, int k, const ml_interceptor_cfg *n)
{
    ml_interceptor_cfg *c = cfg_slot(s, k);
    bool empty = c->enabled == ML_NO && !c->loc.file;
    if (empty || tri_max(c->enabled, n->enabled) != c->enabled)
        *c = *n;
}

static void do_defaults(xctx *x, ml_server *s, val *call, bool maybe)
{
    val *o = call->args.n ? call->args.items[0] : NULL;
    for (int k = 0; k < 5; k++) {
        ml_interceptor_cfg c;
        memset(&c, 0, sizeof c);
        c.from_defaults = true;
        c.loc = call->loc;
        c.codes_known = true;
        if (o && o->k == V_OBJ) {
            lookup l = obj_get(x, o, interceptor_keys[k]);
            if (l.p)
                c.loc = l.p->span;
            if (l.unknown) {
                c.enabled = ML_MAYBE;
                c.codes_known = false;
            } else if (!l.v || is_nullish(l.v) || (l.v->k == V_BOOL && !l.v->b)) {
                c.enabled = ML_NO;
            } else if (k == 4 && l.v->k == V_BOOL) {
                /* fallback needs its handler: only an options object adds it
                 * (interceptors/src/defaults.ts) */
                c.enabled = ML_NO;
            } else if (k == 4 && l.v->k == V_COND && l.v->a->k != V_OBJ && l.v->b2->k != V_OBJ &&
                       l.v->a->k != V_UNKNOWN && l.v->b2->k != V_UNKNOWN) {
                c.enabled = ML_NO;
            } else if (l.v->k == V_BOOL || l.v->k == V_OBJ) {
                c.enabled = ML_YES;
                cfg_options(x, s, k, &c, l.v, c.loc);
            } else if (l.v->k == V_COND) {
                c.enabled = ML_MAYBE;
                val *obj = l.v->a->k == V_OBJ ? l.v->a : l.v->b2->k == V_OBJ ? l.v->b2 : NULL;
                cfg_options(x, s, k, &c, obj, c.loc);
            } else {
                c.enabled = ML_MAYBE;
                cfg_options(x, s, k, &c, l.v, c.loc);
            }
        } else if (o && !is_nullish(o)) {
            c.enabled = ML_MAYBE; /* options known only at run time */
            c.codes_known = false;
        } else {
            c.enabled = ML_NO;
        }
        if (maybe && c.enabled == ML_YES)
            c.enabled = ML_MAYBE;
        set_cfg(s, k, &c);
    }
}

/* createMethodFilterInterceptor({ "pattern": [interceptors] }): the ones
 * inside are on, for the methods the pattern matches
 * (interceptors/src/method-filter.ts). False when the argument cannot be
 * read. */
static bool do_method_filter(xctx *x, ml_server *s, val *call, bool maybe)
{
    val *o = call->args.n ? call->args.items[0] : NULL;
    if (!o || o->k != V_OBJ || o->open_after >= 0)
        return false;
    bool ok = true;
    ML_VEC_EACH(prop *, p, &o->props) {
        ml_vec els = {0};
        if (!p->key || !elements_of(x, p->v, maybe || p->maybe, &els, 0)) {
            ok = false;
            continue;
        }
        ML_VEC_EACH(elem *, e, &els) {
            val *v = e->v;
            int k = v->k == V_CALL ? slot_of_fn(v->fn) : -1;
            if (k < 0) {
                if (!(v->k == V_CALL || v->k == V_FUNC || is_nullish(v) || (v->k == V_BOOL && !v->b)))
                    ok = false;
                continue;
            }
            ml_interceptor_cfg c;
            memset(&c, 0, sizeof c);
            c.enabled = e->maybe ? ML_MAYBE : ML_YES;
            c.loc = v->loc;
            c.method_filter = p->key;
            cfg_options(x, s, k, &c, v->args.n ? v->args.items[0] : NULL, v->loc);
            set_cfg(s, k, &c);
        }
    }
    return ok;
}

/* createOtelInterceptor({ trustRemote }): OTel is on, and the server span
 * joins the caller's trace only with trustRemote: true
 * (otel/src/interceptor.ts). */
static void do_otel_interceptor(xctx *x, ml_server *s, val *call, bool maybe)
{
    s->otel_used = true;
    s->otel_used_loc = call->loc;
    s->otel_interceptor_loc = call->loc;
    s->otel_interceptor_maybe = maybe;
    val *o = call->args.n ? call->args.items[0] : NULL;
    if (!o || is_nullish(o)) {
        s->otel_trust_remote.kind = ML_VAL_ABSENT;
        s->otel_trust_remote.loc = call->loc;
    } else if (o->k == V_OBJ) {
        s->otel_trust_remote = option_val(x, s, o, "trustRemote", call->loc, false, NULL);
        lookup wt = obj_get(x, o, "withoutTracing");
        s->otel_no_tracing = !wt.unknown && wt.v && wt.v->k == V_BOOL && wt.v->b;
        lookup wm = obj_get(x, o, "withoutMetrics");
        s->otel_no_metrics = !wm.unknown && wm.v && wm.v->k == V_BOOL && wm.v->b;
    } else {
        s->otel_trust_remote.kind = ML_VAL_UNKNOWN;
        s->otel_trust_remote.why = o->k == V_UNKNOWN ? o->why : "options are not an object literal";
        s->otel_trust_remote.loc = o->loc;
    }
}

static void do_interceptors(xctx *x, ml_server *s, val *opts)
{
    lookup l;
    s->interceptors_known = true;
    ml_val iv = option_val(x, s, opts, "interceptors", s->call, false, &l);
    if (iv.kind == ML_VAL_ABSENT && !l.v)
        return;
    ml_vec els = {0};
    if (l.unknown || !l.v || !elements_of(x, l.v, false, &els, 0)) {
        const char *why = l.unknown ? l.why : (l.v && l.v->k == V_UNKNOWN ? l.v->why : "interceptors is not an array literal");
        s->interceptors_known = false;
        for (int k = 0; k < 5; k++) {
            ml_interceptor_cfg *c = cfg_slot(s, k);
            c->enabled = ML_MAYBE;
            c->loc = l.v ? l.v->loc : iv.loc;
        }
        push_unknown(x, s, "interceptors", why, l.v ? l.v->loc : iv.loc);
        return;
    }
    ML_VEC_EACH(elem *, e, &els) {
        val *v = e->v;
        if (v->k == V_CALL && v->fn == FN_DEFAULTS) {
            do_defaults(x, s, v, e->maybe);
            continue;
        }
        int k = v->k == V_CALL ? slot_of_fn(v->fn) : -1;
        if (k >= 0) {
            ml_interceptor_cfg c;
            memset(&c, 0, sizeof c);
            c.enabled = e->maybe ? ML_MAYBE : ML_YES;
            c.loc = v->loc;
            cfg_options(x, s, k, &c, v->args.n ? v->args.items[0] : NULL, v->loc);
            set_cfg(s, k, &c);
            continue;
        }
        if (v->k == V_CALL && v->fn == FN_METHOD_FILTER) {
            if (!do_method_filter(x, s, v, e->maybe)) {
                s->interceptors_known = false;
                push_unknown(x, s, "interceptors", "createMethodFilterInterceptor's patterns are not an object literal of interceptor lists", v->loc);
            }
            continue;
        }
        if (v->k == V_CALL && v->fn == FN_OTEL_INTERCEPTOR) {
            do_otel_interceptor(x, s, v, e->maybe);
            continue;
        }
        if (v->k == V_CALL || v->k == V_FUNC || is_nullish(v) || (v->k == V_BOOL && !v->b))
            continue; /* another Connectum interceptor, an inline one, or a filtered-out entry */
        if (v->k == V_COND) {
            /* cond ? createRetryInterceptor() : x inside an array */
            ml_vec sub = {0};
            if (elements_of(x, v, e->maybe, &sub, 0)) {
                bool any_unknown = false;
                ML_VEC_EACH(elem *, se, &sub) {
                    if (se->v->k == V_COND || !(se->v->k == V_CALL || se->v->k == V_FUNC ||
                                                 is_nullish(se->v) || se->v->k == V_BOOL))
                        any_unknown = true;
                }
                if (!any_unknown) {
                    ML_VEC_EACH(elem *, se, &sub) {
                        int sk = se->v->k == V_CALL ? slot_of_fn(se->v->fn) : -1;
                        if (se->v->k == V_CALL && se->v->fn == FN_DEFAULTS) {
                            do_defaults(x, s, se->v, true);
                        } else if (sk >= 0) {
                            ml_interceptor_cfg c;
                            memset(&c, 0, sizeof c);
                            c.enabled = ML_MAYBE;
                            c.loc = se->v->loc;
                            cfg_options(x, s, sk, &c, se->v->args.n ? se->v->args.items[0] : NULL, se->v->loc);
                            set_cfg(s, sk, &c);
                        }
                    }
                    continue;
                }
            }
        }
        s->interceptors_known = false;
        push_unknown(x, s, "interceptors", v->k == V_UNKNOWN ? v->why : "interceptor entry not understood", v->loc);
    }
    if (!s->interceptors_known) {
        /* an unknown entry could be any of them */
        for (int k = 0; k < 5; k++) {
            ml_interceptor_cfg *c = cfg_slot(s, k);
            if (c->enabled == ML_NO)
                c->enabled = ML_MAYBE;
        }
    }
}

static void do_shutdown(xctx *x, ml_server *s, val *opts)
{
    lookup l;
    ml_val sv = option_val(x, s, opts, "shutdown", s->call, false, &l);
    s->shutdown_loc = l.p ? l.p->span : s->call;
    if (sv.kind == ML_VAL_ABSENT) {
        s->shutdown_timeout.kind = ML_VAL_ABSENT;
        s->shutdown_timeout.loc = s->call;
        s->shutdown_auto = s->shutdown_timeout;
        return;
    }
    if (!l.unknown && l.v && l.v->k == V_OBJ) {
        lookup tl;
        s->shutdown_auto = option_val(x, s, l.v, "autoShutdown", l.v->loc, false, NULL);
        s->shutdown_timeout = option_val(x, s, l.v, "timeout", l.v->loc, false, &tl);
        if (tl.p)
            s->shutdown_loc = tl.p->span;
        if (s->shutdown_timeout.kind == ML_VAL_UNKNOWN)
            push_unknown(x, s, "shutdown", s->shutdown_timeout.why, s->shutdown_timeout.loc);
        return;
    }
    s->shutdown_timeout.kind = ML_VAL_UNKNOWN;
    s->shutdown_timeout.why = l.unknown ? l.why : (l.v && l.v->k == V_UNKNOWN ? l.v->why : "shutdown is not an object literal");
    s->shutdown_timeout.loc = l.v ? l.v->loc : sv.loc;
    s->shutdown_auto = s->shutdown_timeout;
    push_unknown(x, s, "shutdown", s->shutdown_timeout.why, s->shutdown_timeout.loc);
}

static void scan_resolver_tokens(xctx *x, ml_server *s, prop *lp);

static void add_outbound(xctx *x, ml_server *s, ml_val url, ml_loc loc, const char *via)
{
    ml_outbound *o = ml_zalloc(x->a, sizeof *o);
    o->loc = loc;
    o->url = url;
    o->via = via;
    o->grpc = via && strcmp(via, "createGrpcTransport") == 0;
    ml_vec_push(x->a, &s->outbound, o);
}

/* perServiceEnvResolver(map, options) and dnsResolver(options), wherever
 * the value was built: both make gRPC (HTTP/2) transports unless
 * options.createTransport says otherwise (core/src/remoteResolver.ts).
 * perServiceEnvResolver's map values are the names of the env variables
 * holding each service's base URL. False when v is neither. */
static bool known_resolver(xctx *x, ml_server *s, val *v)
{
    if (v->k != V_CALL || (v->fn != FN_PER_SERVICE_ENV_RESOLVER && v->fn != FN_DNS_RESOLVER))
        return false;
    const char *via = v->fn == FN_DNS_RESOLVER ? "dnsResolver" : "perServiceEnvResolver";
    val *opts = v->args.n > (v->fn == FN_DNS_RESOLVER ? 0u : 1u)
                    ? v->args.items[v->fn == FN_DNS_RESOLVER ? 0 : 1] : NULL;
    bool grpc = true;
    if (opts && opts->k == V_OBJ) {
        lookup ct = obj_get(x, opts, "createTransport");
        grpc = !ct.unknown && (!ct.v || is_nullish(ct.v));
    } else if (opts && !is_nullish(opts)) {
        grpc = false; /* options known only at run time: the transport is unknown */
    }
    size_t before = s->outbound.n;
    if (v->fn == FN_DNS_RESOLVER) {
        ml_val u;
        memset(&u, 0, sizeof u);
        u.kind = ML_VAL_UNKNOWN;
        u.loc = opts ? opts->loc : v->loc;
        lookup t = opts && opts->k == V_OBJ ? obj_get(x, opts, "template") : (lookup){0};
        u.why = t.v && t.v->k == V_STR
                    ? ml_printf(x->a, "dnsResolver template %s: one URL per remote service", t.v->str)
                    : "dnsResolver template not known statically";
        add_outbound(x, s, u, u.loc, via);
    } else {
        val *map = v->args.n ? v->args.items[0] : NULL;
        if (map && map->k == V_OBJ) {
            ML_VEC_EACH(prop *, p, &map->props) {
                ml_val e;
                memset(&e, 0, sizeof e);
                e.loc = p->v->loc;
                if (p->v->k == V_STR) {
                    e.kind = ML_VAL_ENV;
                    e.env = p->v->str;
                    note_env(x, e.env);
                } else {
                    e.kind = ML_VAL_UNKNOWN;
                    e.why = "the env variable's name is not a string literal";
                }
                add_outbound(x, s, e, e.loc, via);
            }
        }
        if (!map || map->k != V_OBJ || map->open_after >= 0) {
            ml_val e;
            memset(&e, 0, sizeof e);
            e.kind = ML_VAL_UNKNOWN;
            e.why = "perServiceEnvResolver's map is not an object literal";
            e.loc = map ? map->loc : v->loc;
            add_outbound(x, s, e, e.loc, via);
        }
    }
    for (size_t i = before; i < s->outbound.n; i++)
        ((ml_outbound *)s->outbound.items[i])->grpc = grpc;
    return true;
}

/* remoteResolver: a perServiceEnvResolver or dnsResolver call, else every
 * process.env.X and every URL-looking string written in it. When neither
 * says where the remote services are, that is recorded as unknown. */
static void do_remote_resolver(xctx *x, ml_server *s, lookup *l)
{
    if (l->v && known_resolver(x, s, l->v))
        return;
    size_t before = s->outbound.n;
    if (l->p && l->p->u)
        scan_resolver_tokens(x, s, l->p);
    if (s->outbound.n == before && l->v && !is_nullish(l->v))
        push_unknown(x, s, "remoteResolver",
                     l->v->k == V_UNKNOWN && l->v->why
                         ? ml_printf(x->a, "the remote services' addresses are not visible (%s)", l->v->why)
                         : "the remote services' addresses are not visible in the resolver",
                     l->v->loc);
}

static void scan_resolver_tokens(xctx *x, ml_server *s, prop *lp)
{
    ml_ts_unit *u = lp->u;
    for (uint32_t i = lp->first; i <= lp->last && i < u->lx.n; i++) {
        if (ml_tok_is(u, i, "process") && ml_tok_p(u, i + 1, ML_P_DOT) && ml_tok_is(u, i + 2, "env")) {
            uint32_t nm = UINT32_MAX;
            if (ml_tok_p(u, i + 3, ML_P_DOT) && ml_ts_tok(u, i + 4)->kind == ML_TK_IDENT)
                nm = i + 4;
            else if (ml_tok_p(u, i + 3, ML_P_LBRACK) && ml_ts_tok(u, i + 4)->kind == ML_TK_STR)
                nm = i + 4;
            if (nm == UINT32_MAX)
                continue;
            const ml_tok *t = ml_ts_tok(u, nm);
            const char *name = t->kind == ML_TK_STR ? ml_tok_string(u, nm, NULL)
                                                    : ml_strndup(x->a, u->src + t->off, t->end - t->off);
            ml_val v;
            memset(&v, 0, sizeof v);
            v.kind = ML_VAL_ENV;
            v.env = name;
            v.loc = ml_ts_loc(u, i, nm);
            note_env(x, name);
            add_outbound(x, s, v, v.loc, "remoteResolver");
            i = nm;
        } else if (ml_ts_tok(u, i)->kind == ML_TK_STR || ml_ts_tok(u, i)->kind == ML_TK_TEMPLATE) {
            const char *str = ml_tok_string(u, i, NULL);
            if (strstr(str, "://")) {
                ml_val v;
                memset(&v, 0, sizeof v);
                v.kind = ML_VAL_STR;
                v.str = str;
                v.loc = ml_ts_loc(u, i, i);
                add_outbound(x, s, v, v.loc, "remoteResolver");
            }
        }
    }
}

/* The forms of enabledServices whose list each link can work out from its
 * container's env; the others stay unknown, saying what they are. */
static void enabled_form(xctx *x, ml_server *s, val *v)
{
    ml_val *es = &s->enabled_services;
    if (v->k == V_CALL && v->fn == FN_ALL_WHEN) {
        /* test ? undefined : list: every service when the test holds */
        s->enabled_all_when = (uint8_t)(((unsigned)v->num & LT_EMPTY ? ML_ES_ALL_EMPTY : 0) |
                                        ((unsigned)v->num & LT_STAR ? ML_ES_ALL_STAR : 0));
        v = v->args.items[0];
    }
    if (v->k == V_CALL && (v->fn == FN_PARSE_SERVICES_ENV || v->fn == FN_SPLIT_LIST)) {
        s->enabled_from_env = true;
        if (v->fn == FN_PARSE_SERVICES_ENV) {
            /* parseServicesEnv(V) (core/src/enabledServices.ts): V split at
             * commas, trimmed, empty entries dropped; undefined gives [] */
            s->enabled_trim = true;
            s->enabled_unset = ML_ES_UNSET_NONE;
            es->why = "parseServicesEnv(...): the list is worked out per link";
        } else {
            s->enabled_trim = v->b;
            s->enabled_unset = (uint8_t)v->num;
            s->enabled_sep = v->str;
            es->why = v->str ? ml_printf(x->a, "a string split at a regular expression (%s.split(%s)%s): the list "
                                               "is worked out per link",
                                         s->enabled_unset == ML_ES_UNSET_ALL ? "?" : "", v->str,
                                         s->enabled_trim ? ", entries trimmed" : "")
                             : ml_printf(x->a, "a string split at commas (%s.split(\",\")%s): the list is worked out per link",
                                s->enabled_unset == ML_ES_UNSET_ALL ? "?" : "",
                                s->enabled_trim ? ", entries trimmed" : ", entries not trimmed");
        }
        if (s->enabled_all_when)
            es->why = ml_printf(x->a, "%s (every service when it %s)", es->why,
                                s->enabled_all_when == (ML_ES_ALL_EMPTY | ML_ES_ALL_STAR)
                                    ? "is empty or names \"*\""
                                    : s->enabled_all_when == ML_ES_ALL_EMPTY ? "is empty" : "names \"*\"");
        if (v->args.n)
            s->enabled_list = to_mlval(x, v->args.items[0], 0);
        else
            s->enabled_list.kind = ML_VAL_ABSENT;
        return;
    }
    if (v->k == V_ARR) {
        bool strings = v->open_after < 0;
        ml_buf b;
        ml_buf_init(&b);
        ML_VEC_EACH(elem *, e, &v->elems) {
            strings &= !e->maybe && e->v->k == V_STR;
            if (!strings)
                break;
            if (strchr(e->v->str, ','))
                continue; /* names no service, and must not split */
            if (b.n)
                ml_buf_puts(&b, ",");
            ml_buf_puts(&b, e->v->str);
        }
        if (strings) {
            s->enabled_from_env = true;
            s->enabled_trim = false; /* includes() compares exactly */
            s->enabled_list.kind = ML_VAL_STR;
            s->enabled_list.str = ml_strndup(x->a, b.s ? b.s : "", b.n);
            s->enabled_list.loc = v->loc;
            es->why = "an array of service type names";
        } else {
            es->why = "an array whose entries are not all constant strings";
        }
        ml_buf_free(&b);
        return;
    }
    if (v->k == V_CALL)
        es->why = "the result of a call meshlint does not evaluate";
    else if (v->k == V_OBJ)
        es->why = "an object, not a list";
}

static void fill_server(xctx *x, ml_server *s, val *opts)
{
    s->interceptors_known = true;
    s->health_paths_known = true;
    s->retry.codes_known = true;
    if (!opts || is_nullish(opts)) {
        s->port.kind = ML_VAL_ABSENT;
        s->port.loc = s->call;
        s->host = s->port;
        s->allow_http1 = s->port;
        s->shutdown_timeout = s->port;
        s->shutdown_auto = s->port;
        s->shutdown_loc = s->call;
        s->tls = ML_TLS_ABSENT;
        s->has_health = ML_NO;
        s->has_reflection = ML_NO;
        return;
    }
    if (opts->k != V_OBJ) {
        const char *why = opts->k == V_UNKNOWN && opts->why ? opts->why : "the options are not an object literal";
        ml_val u;
        memset(&u, 0, sizeof u);
        u.kind = ML_VAL_UNKNOWN;
        u.why = why;
        u.loc = opts->loc;
        s->port = s->host = s->allow_http1 = s->shutdown_timeout = s->health_http_enabled = u;
        s->shutdown_auto = u;
        s->shutdown_loc = opts->loc;
        s->tls = ML_TLS_UNKNOWN;
        s->tls_loc = opts->loc;
        s->has_health = s->has_reflection = ML_MAYBE;
        s->health_paths_known = false;
        s->interceptors_known = false;
        s->protocols_other = true;
        for (int k = 0; k < 5; k++) {
            cfg_slot(s, k)->enabled = ML_MAYBE;
            cfg_slot(s, k)->loc = opts->loc;
        }
        static const char *const what[] = {"port", "tls", "protocols", "interceptors", "shutdown"};
        for (int k = 0; k < 5; k++)
            push_unknown(x, s, what[k], why, opts->loc);
        return;
    }
    s->options = opts->loc;
    s->port = option_val(x, s, opts, "port", s->call, true, NULL);
    s->host = option_val(x, s, opts, "host", s->call, false, NULL);
    s->allow_http1 = option_val(x, s, opts, "allowHTTP1", s->call, false, NULL);
    s->transport_validation = option_val(x, s, opts, "transportValidation", s->call, false, NULL);
    lookup el;
    s->enabled_services = option_val(x, s, opts, "enabledServices", s->call, false, &el);
    if (!el.unknown && el.v)
        enabled_form(x, s, el.v);

    lookup tl = obj_get(x, opts, "tls");
    if (tl.unknown) {
        s->tls = ML_TLS_UNKNOWN;
        s->tls_loc = tl.loc.file ? tl.loc : opts->loc;
        push_unknown(x, s, "tls", tl.why, s->tls_loc);
    } else if (!tl.v) {
        s->tls = ML_TLS_ABSENT;
    } else {
        s->tls = tls_state(tl.v, 0);
        if (tl.p)
            s->tls_loc = tl.p->span;
        if (tl.p && !tl.p->from_spread && tl.p->u)
            s->tls_delete = delete_region(tl.p->u, tl.p->first, tl.p->last);
        if (tl.p && tl.p->from_spread && s->tls == ML_TLS_PRESENT && tl.p->maybe)
            s->tls = ML_TLS_CONDITIONAL;
        if (s->tls == ML_TLS_UNKNOWN)
            push_unknown(x, s, "tls", tl.v->k == V_UNKNOWN ? tl.v->why : "tls value known only at run time", s->tls_loc);
    }
    do_protocols(x, s, opts);
    do_interceptors(x, s, opts);
    do_shutdown(x, s, opts);
    lookup rl = obj_get(x, opts, "remoteResolver");
    if (!rl.unknown && rl.v)
        do_remote_resolver(x, s, &rl);
}

/* ---- finding the calls ------------------------------------------------------------- */

static void xctx_init(xctx *x, ml_model *m, ml_arena *scratch)
{
    memset(x, 0, sizeof *x);
    x->m = m;
    x->a = scratch;
    x->out = m->arena;
    ml_map_init(&x->env_seen);
}

static void xctx_free(xctx *x)
{
    /* imported units live in the run's cache */
    ml_map_free(&x->env_seen);
    free(x->stack);
    x->stack = NULL;
}

/* A new evaluation generation: cached binding values of earlier ones
 * (possibly of another file's extraction, through a shared imported unit)
 * do not apply. */
static void next_gen(xctx *x)
{
    import_cache *ic = cache_of(x);
    x->gen = ++ic->gen;
}

/* Parse the call whose callee starts at token c and whose '(' is at lp. */
static ml_ts_node *call_node(ml_ts_unit *u, uint32_t c, uint32_t name_tok, uint32_t lp)
{
    /* Build the callee (ident or ns.ident) and the arguments by hand so that
     * the rest of the expression (.then(...), etc.) is not evaluated. */
    ml_ts_node *callee = ml_zalloc(u->arena, sizeof *callee);
    const ml_tok *nt = ml_ts_tok(u, name_tok);
    if (c == name_tok) {
        callee->kind = ML_N_IDENT;
        callee->str = ml_strndup(u->arena, u->src + nt->off, nt->end - nt->off);
        callee->len = nt->end - nt->off;
    } else {
        ml_ts_node *ns = ml_zalloc(u->arena, sizeof *ns);
        const ml_tok *st = ml_ts_tok(u, c);
        ns->kind = ML_N_IDENT;
        ns->str = ml_strndup(u->arena, u->src + st->off, st->end - st->off);
        ns->len = st->end - st->off;
        ns->first = ns->last = c;
        ns->height = 1;
        callee->kind = ML_N_MEMBER;
        callee->a = ns;
        callee->str = ml_strndup(u->arena, u->src + nt->off, nt->end - nt->off);
        callee->len = nt->end - nt->off;
    }
    callee->first = c;
    callee->last = name_tok;
    callee->height = 2;
    ml_ts_node *call = ml_zalloc(u->arena, sizeof *call);
    call->kind = ML_N_CALL;
    call->a = callee;
    call->first = c;
    uint32_t close = ml_ts_match(u, lp);
    call->last = close > lp ? close : lp;
    call->height = 3;
    /* arguments */
    ml_vec args = {0};
    uint32_t i = lp + 1;
    while (i < close && i < u->lx.n) {
        if (ml_tok_p(u, i, ML_P_COMMA)) {
            i++;
            continue;
        }
        uint32_t next;
        ml_ts_node *arg;
        if (ml_tok_p(u, i, ML_P_ELLIPSIS)) {
            arg = ml_zalloc(u->arena, sizeof *arg);
            arg->kind = ML_N_SPREAD;
            arg->first = i;
            arg->a = ml_ts_parse_expr(u, i + 1, &next);
            arg->last = arg->a->last;
            arg->height = (uint16_t)(arg->a->height + 1);
        } else {
            arg = ml_ts_parse_expr(u, i, &next);
        }
        ml_vec_push(u->arena, &args, arg);
        if (next <= i)
            next = i + 1;
        i = next;
        if (!ml_tok_p(u, i, ML_P_COMMA))
            break;
    }
    call->kids = (ml_ts_node **)args.items;
    call->nkids = (uint32_t)args.n;
    return call;
}

typedef void (*call_fn)(xctx *x, ml_ts_unit *u, ml_ts_node *call, fn_id f, void *ctx);

/* Visit every call of a recognised function in the unit. */
static void each_call(xctx *x, ml_ts_unit *u, bool servers, bool facts, call_fn cb, void *ctx)
{
    for (uint32_t i = 0; i + 1 < u->lx.n; i++) {
        const ml_tok *t = ml_ts_tok(u, i);
        if (t->kind != ML_TK_IDENT)
            continue;
        uint32_t lp = i + 1;
        if (ml_tok_p(u, lp, ML_P_LT)) {
            /* createServer<T>(...) */
            uint32_t q = lp;
            int d = 0;
            for (; q < u->lx.n && q < lp + 64; q++) {
                if (ml_tok_p(u, q, ML_P_LT))
                    d++;
                else if (ml_tok_p(u, q, ML_P_GT))
                    d--;
                else if (ml_tok_p(u, q, ML_P_SHR))
                    d -= 2;
                if (d <= 0)
                    break;
            }
            lp = q + 1;
        }
        if (!ml_tok_p(u, lp, ML_P_LPAREN))
            continue;
        size_t len = t->end - t->off;
        const char *name = u->src + t->off;
        /* cheap name filter before any lookup */
        bool candidate = false;
        char buf[40];
        if (len < sizeof buf) {
            memcpy(buf, name, len);
            buf[len] = '\0';
            fn_id byname = fn_by_name(buf, NULL);
            candidate = byname != FN_NONE && byname != FN_OTHER;
        }
        if (!candidate) {
            ml_ts_binding *b = ml_ts_lookup(u, name, len, i);
            candidate = b && b->kind == ML_B_IMPORT && b->module &&
                        (ml_starts_with(b->module, "@connectum/") || ml_starts_with(b->module, "@connectrpc/"));
        }
        if (!candidate)
            continue;
        /* a definition, not a call: function createServer(...) / method() { } */
        if (i > 0 && ml_tok_is(u, i - 1, "function"))
            continue;
        uint32_t close = ml_ts_match(u, lp);
        uint32_t k = close + 1;
        if (ml_tok_p(u, k, ML_P_COLON))
            k = ml_ts_skip_type(u, k + 1);
        if (ml_tok_p(u, k, ML_P_LBRACE) && close > lp)
            continue;
        uint32_t start = i;
        if (i >= 2 && (ml_tok_p(u, i - 1, ML_P_DOT) || ml_tok_p(u, i - 1, ML_P_QDOT))) {
            if (ml_ts_tok(u, i - 2)->kind != ML_TK_IDENT || (i >= 3 && ml_tok_p(u, i - 3, ML_P_DOT)))
                continue;
            start = i - 2;
        }
        ml_ts_node *call = call_node(u, start, i, lp);
        fn_id f = recognize(x, u, call->a);
        if (f == FN_NONE || f == FN_OTHER)
            continue;
        bool want = f == FN_CREATE_SERVER ? servers
                                          : (f == FN_INIT_PROVIDER || fn_is_transport(f)) ? facts : false;
        if (want)
            cb(x, u, call, f, ctx);
    }
}

typedef struct extract_ctx {
    ml_vec *servers;
    ml_vec *facts;
    bool pkg_done;
    const char *pkg, *pkg_name, *dir;
    unsigned cond_checks; /* call_conditional scans in this file (each is linear in its tokens) */
} extract_ctx;

/* The package is looked up once per file, and only when a call needs it. */
static void ensure_pkg(xctx *x, extract_ctx *c, const ml_ts_unit *u)
{
    if (c->pkg_done)
        return;
    c->pkg_done = true;
    c->pkg = package_walk(x->m, u->file->path, &c->pkg_name, &c->dir);
}

static void one_server(xctx *x, extract_ctx *c, ml_ts_unit *u, ml_ts_node *call)
{
    ml_server *s = ml_zalloc(x->out, sizeof *s);
    s->file = u->file;
    s->call = ml_ts_loc(u, call->a->last, call->a->last);
    s->package_name = c->pkg_name;
    s->dir = c->dir;
    x->srv = s;
    x->depth = 0;
    x->budget = EVAL_BUDGET;
    ml_map_free(&x->env_seen);
    ml_map_init(&x->env_seen);
    next_gen(x);
    val *opts = NULL;
    if (call->nkids > 0)
        opts = call->kids[0]->kind == ML_N_SPREAD ? unk(x, nloc(u, call->kids[0]), "spread argument")
                                                  : ev(x, u, call->kids[0]);
    fill_server(x, s, opts);
    x->srv = NULL;
    ml_vec_push(x->out, &x->m->servers, s);
    ml_vec_push(x->out, c->servers, s);
}

#define MAX_MAP_ELEMS 16

/* createServer inside `[a, b].map((opts) => ...)` (or forEach, or over a
 * const array): the parameter's '(' (or the single parameter) and the
 * array literal's elements, so that each element makes its own server. */
static bool map_callback(ml_ts_unit *u, uint32_t at, uint32_t *open, uint32_t *end, ml_ts_node **arr)
{
    if (at >= u->lx.n)
        return false;
    uint32_t sc = u->tok_scope[at];
    for (int steps = 0; steps < 4096 && sc != 0; steps++) {
        uint32_t o = u->scopes[sc].open;
        const ml_tok *t = ml_ts_tok(u, o);
        bool fn = t->kind == ML_TK_IDENT ||
                  (ml_tok_p(u, o, ML_P_LPAREN) &&
                   !(o > 0 && (ml_tok_is(u, o - 1, "for") || ml_tok_is(u, o - 1, "catch"))));
        if (!fn) {
            sc = u->scopes[sc].parent;
            continue;
        }
        /* the innermost function: is it the callback of .map( / .forEach( ? */
        if (o < 4 || !ml_tok_p(u, o - 1, ML_P_LPAREN) ||
            !(ml_tok_is(u, o - 2, "map") || ml_tok_is(u, o - 2, "forEach")) || !ml_tok_p(u, o - 3, ML_P_DOT))
            return false;
        uint32_t r = o - 4, first;
        if (ml_tok_p(u, r, ML_P_RBRACK)) {
            /* the '[' whose partner is r (an array of a few option
             * objects: looked for within 4096 tokens) */
            first = UINT32_MAX;
            for (uint32_t q = r; q-- > 0 && r - q < 4096;)
                if (ml_tok_p(u, q, ML_P_LBRACK) && ml_ts_match(u, q) == r) {
                    first = q;
                    break;
                }
            if (first == UINT32_MAX)
                return false;
            /* the elements only (parsing from '[' would take the whole
             * [..].map(...) call) */
            ml_ts_node *an = ml_zalloc(u->arena, sizeof *an);
            an->kind = ML_N_ARRAY;
            an->first = first;
            an->last = r;
            ml_vec kids = {0};
            for (uint32_t q = first + 1; q < r && kids.n <= MAX_MAP_ELEMS;) {
                uint32_t next = q;
                ml_ts_node *e = ml_tok_p(u, q, ML_P_ELLIPSIS) ? NULL : ml_ts_parse_expr(u, q, &next);
                if (!e || next <= q)
                    return false;
                ml_vec_push(u->arena, &kids, e);
                q = next;
                if (!ml_tok_p(u, q, ML_P_COMMA))
                    break;
                q++;
            }
            an->kids = (ml_ts_node **)kids.items;
            an->nkids = (uint32_t)kids.n;
            *arr = an;
        } else if (ml_ts_tok(u, r)->kind == ML_TK_IDENT && !ml_tok_p(u, r - 1, ML_P_DOT)) {
            const ml_tok *it = ml_ts_tok(u, r);
            ml_ts_binding *b = ml_ts_lookup(u, u->src + it->off, it->end - it->off, r);
            if (!b || b->kind != ML_B_CONST || b->init == UINT32_MAX)
                return false;
            if (!b->ast)
                b->ast = ml_ts_parse_expr(u, b->init, NULL);
            *arr = b->ast;
        } else {
            return false;
        }
        if (!*arr || (*arr)->kind != ML_N_ARRAY || (*arr)->nkids < 1 || (*arr)->nkids > MAX_MAP_ELEMS)
            return false;
        for (uint32_t k = 0; k < (*arr)->nkids; k++)
            if (!(*arr)->kids[k] || (*arr)->kids[k]->kind == ML_N_SPREAD)
                return false;
        *open = o;
        *end = u->scopes[sc].close;
        return true;
    }
    return false;
}

static void on_server(xctx *x, ml_ts_unit *u, ml_ts_node *call, fn_id f, void *vctx)
{
    extract_ctx *c = vctx;
    (void)f;
    ensure_pkg(x, c, u);
    uint32_t open = 0, end = 0;
    ml_ts_node *arr = NULL;
    if (x->nframes == 0 && map_callback(u, call->first, &open, &end, &arr)) {
        /* one server per element: the callback's parameter is that element */
        for (uint32_t k = 0; k < arr->nkids; k++) {
            ml_ts_node *site = ml_zalloc(x->a, sizeof *site);
            site->kind = ML_N_CALL;
            site->first = arr->kids[k]->first;
            site->last = arr->kids[k]->last;
            site->kids = &arr->kids[k];
            site->nkids = 1;
            struct frame *fr = &x->frames[x->nframes++];
            fr->fu = u;
            fr->open = open;
            fr->end = end;
            fr->cu = u;
            fr->call = site;
            one_server(x, c, u, call);
            x->nframes--;
        }
        return;
    }
    one_server(x, c, u, call);
}

#define MAX_COND_CHECKS 64

/* Is the ( that close (a ")") closes preceded by a control word whose body
 * runs only sometimes? */
static bool control_paren(const ml_ts_unit *u, uint32_t close)
{
    static const char *const words[] = {"if", "while", "for", "switch", "catch", NULL};
    for (uint32_t j = 0; j + 1 <= close; j++) {
        if (!ml_tok_p(u, j, ML_P_LPAREN) || ml_ts_match(u, j) != close)
            continue;
        for (int k = 0; j > 0 && words[k]; k++)
            if (ml_tok_is(u, j - 1, words[k]))
                return true;
        return false;
    }
    return false;
}

/* Does the call starting at token first run only under a condition? By the
 * tokens around it: an operand of &&, ||, ?? or ?:, the statement of an
 * if/else/loop/switch case/catch, or inside a block that is one (any
 * enclosing block counts: a function declared there exists only then).
 * Whether a function holding the call is called is not judged. */
static bool call_conditional(const ml_ts_unit *u, uint32_t first)
{
    uint32_t t = first;
    if (t > 0 && (ml_tok_is(u, t - 1, "await") || ml_tok_is(u, t - 1, "void")))
        t--;
    if (t > 0) {
        uint32_t p = t - 1;
        if (ml_tok_p(u, p, ML_P_ANDAND) || ml_tok_p(u, p, ML_P_OROR) || ml_tok_p(u, p, ML_P_QQ) ||
            ml_tok_p(u, p, ML_P_Q) || ml_tok_p(u, p, ML_P_COLON) || ml_tok_is(u, p, "else") ||
            (ml_tok_p(u, p, ML_P_RPAREN) && control_paren(u, p)))
            return true;
    }
    for (uint32_t i = 1; i < first; i++) {
        if (!ml_tok_p(u, i, ML_P_LBRACE) || ml_ts_match(u, i) <= first)
            continue;
        if (ml_tok_is(u, i - 1, "else") || ml_tok_p(u, i - 1, ML_P_COLON) ||
            (ml_tok_p(u, i - 1, ML_P_RPAREN) && control_paren(u, i - 1)))
            return true;
    }
    return false;
}

static void on_fact(xctx *x, ml_ts_unit *u, ml_ts_node *call, fn_id f, void *vctx)
{
    extract_ctx *c = vctx;
    ensure_pkg(x, c, u);
    x->srv = NULL;
    x->depth = 0;
    x->budget = EVAL_BUDGET;
    next_gen(x);
    val *o = call->nkids > 0 && call->kids[0]->kind != ML_N_SPREAD ? ev(x, u, call->kids[0]) : NULL;
    ml_ts_fact *fa = ml_zalloc(x->out, sizeof *fa);
    fa->file = u->file;
    fa->pkg = c->pkg;
    fa->loc = ml_ts_loc(u, call->a->last, call->a->last);
    const char *key;
    if (f == FN_INIT_PROVIDER) {
        fa->kind = ML_FACT_OTEL_NAME;
        fa->via = "initProvider";
        /* each scan is linear in the file: past MAX_COND_CHECKS calls in
         * one file the answer is "under a condition" (unknown), never a guess */
        fa->conditional = c->cond_checks++ >= MAX_COND_CHECKS || call_conditional(u, call->first);
        key = "serviceName";
    } else {
        fa->kind = ML_FACT_OUTBOUND;
        fa->via = f == FN_CONNECT_TRANSPORT ? "createConnectTransport"
                  : f == FN_GRPC_TRANSPORT  ? "createGrpcTransport"
                                            : "createGrpcWebTransport";
        fa->grpc = f == FN_GRPC_TRANSPORT;
        key = "baseUrl";
    }
    if (o && o->k == V_OBJ) {
        lookup l = obj_get(x, o, key);
        if (l.unknown) {
            fa->val.kind = ML_VAL_UNKNOWN;
            fa->val.why = l.why;
            fa->val.loc = l.loc;
        } else if (l.v) {
            fa->val = to_mlval(x, l.v, 0);
        } else {
            fa->val.kind = ML_VAL_ABSENT;
            fa->val.loc = fa->loc;
        }
    } else if (f == FN_INIT_PROVIDER && (call->nkids == 0 || (o && is_nullish(o)))) {
        fa->val.kind = ML_VAL_ABSENT; /* initProvider(): the env fallbacks decide */
        fa->val.loc = fa->loc;
    } else {
        fa->val.kind = ML_VAL_UNKNOWN;
        fa->val.why = o && o->k == V_UNKNOWN ? o->why : "options are not an object literal";
        fa->val.loc = o ? o->loc : fa->loc;
    }
    ml_vec_push(x->out, c->facts, fa);
}

static void on_any(xctx *x, ml_ts_unit *u, ml_ts_node *call, fn_id f, void *vctx)
{
    if (f == FN_CREATE_SERVER)
        on_server(x, u, call, f, vctx);
    else
        on_fact(x, u, call, f, vctx);
}

/* process.on("SIGTERM", ...) (once, addListener, prependListener): the
 * package handles the signal itself. */
static void sigterm_facts(xctx *x, extract_ctx *c, ml_ts_unit *u)
{
    static const char *const methods[] = {"on", "once", "addListener", "prependListener", NULL};
    for (uint32_t i = 0; i + 4 < u->lx.n; i++) {
        if (!ml_tok_is(u, i, "process") || !ml_tok_p(u, i + 1, ML_P_DOT) || !ml_tok_p(u, i + 3, ML_P_LPAREN) ||
            ml_ts_tok(u, i + 4)->kind != ML_TK_STR)
            continue;
        bool m = false;
        for (int k = 0; methods[k]; k++)
            m |= ml_tok_is(u, i + 2, methods[k]);
        const char *sig = m ? ml_tok_string(u, i + 4, NULL) : NULL;
        if (!sig || strcmp(sig, "SIGTERM") != 0)
            continue;
        ensure_pkg(x, c, u);
        ml_ts_fact *fa = ml_zalloc(x->out, sizeof *fa);
        fa->kind = ML_FACT_SIGTERM;
        fa->file = u->file;
        fa->pkg = c->pkg;
        fa->loc = ml_ts_loc(u, i, i + 4);
        fa->via = "process.on";
        fa->val.kind = ML_VAL_BOOL;
        fa->val.b = true;
        fa->val.loc = fa->loc;
        ml_vec_push(x->out, c->facts, fa);
    }
}

/* The services a file mounts: defineService(X, ...), defineLazyService(X,
 * ...) (Connectum core/src/defineService.ts) and router.service(X, ...)
 * (ConnectRouter), X an identifier or a dotted name followed by a comma. */
static void service_facts(xctx *x, extract_ctx *c, ml_ts_unit *u)
{
    for (uint32_t i = 0; i + 3 < u->lx.n; i++) {
        uint32_t arg;
        const char *via;
        if ((ml_tok_is(u, i, "defineService") || ml_tok_is(u, i, "defineLazyService")) &&
            ml_tok_p(u, i + 1, ML_P_LPAREN)) {
            arg = i + 2;
            via = ml_tok_is(u, i, "defineService") ? "defineService" : "defineLazyService";
        } else if (ml_tok_p(u, i, ML_P_DOT) && ml_tok_is(u, i + 1, "service") && ml_tok_p(u, i + 2, ML_P_LPAREN)) {
            arg = i + 3;
            via = "router.service";
        } else
            continue;
        /* X or a.b.X, then a comma */
        uint32_t k = arg;
        if (ml_ts_tok(u, k)->kind != ML_TK_IDENT)
            continue;
        while (ml_tok_p(u, k + 1, ML_P_DOT) && ml_ts_tok(u, k + 2)->kind == ML_TK_IDENT)
            k += 2;
        if (!ml_tok_p(u, k + 1, ML_P_COMMA))
            continue;
        const ml_tok *t = ml_ts_tok(u, k);
        ensure_pkg(x, c, u);
        ml_ts_fact *fa = ml_zalloc(x->out, sizeof *fa);
        fa->kind = ML_FACT_SERVICE;
        fa->file = u->file;
        fa->pkg = c->pkg;
        fa->loc = ml_ts_loc(u, arg, k);
        fa->via = via;
        fa->val.kind = ML_VAL_STR;
        fa->val.str = ml_strndup(x->a, u->src + t->off, t->end - t->off);
        fa->val.loc = fa->loc;
        ml_vec_push(x->out, c->facts, fa);
        i = k;
    }
}

/* ---- keeping what extraction found --------------------------------------------- */

/* The evaluator works in a scratch arena (its values, expression nodes,
 * scopes and imported units), reset after each file (the memo's) or freed
 * after each Markdown block. The servers and facts are allocated in the
 * model's arena, and once a unit is extracted every pointer they hold is
 * replaced by a copy there: strings, vector storage, ml_val trees and
 * lists, outbound and unknown records. Locations need nothing: their files
 * are the model's, or read into its arena (find_or_read). A pointer field
 * added to ml_server, ml_interceptor_cfg, ml_outbound, ml_unknown, ml_val,
 * ml_val_lists or ml_ts_fact (ts.h, ts_lex.h) must be copied here, or it
 * dangles once the scratch arena is reset. */
static const char *keep_str(ml_arena *to, const char *s)
{
    return s ? ml_strdup(to, s) : NULL;
}

/* A vector's storage (and, with strs, its strings) copied into to. */
static void keep_vec(ml_arena *to, ml_vec *v, bool strs)
{
    if (!v->n) {
        memset(v, 0, sizeof *v);
        return;
    }
    void **items = ml_alloc(to, v->n * sizeof *items);
    for (size_t i = 0; i < v->n; i++)
        items[i] = strs ? (void *)keep_str(to, v->items[i]) : v->items[i];
    v->items = items;
    v->cap = v->n;
}

static void keep_val(ml_arena *to, ml_val *v)
{
    v->str = keep_str(to, v->str);
    v->env = keep_str(to, v->env);
    v->why = keep_str(to, v->why);
    if (v->env_default) {
        ml_val *d = ml_alloc(to, sizeof *d);
        *d = *v->env_default;
        keep_val(to, d);
        v->env_default = d;
    }
    if (v->lists) {
        ml_val_lists *l = ml_alloc(to, sizeof *l);
        *l = *v->lists;
        keep_vec(to, &l->env_match, true);
        keep_vec(to, &l->alts, false);
        for (size_t i = 0; i < l->alts.n; i++) {
            ml_val *c = ml_alloc(to, sizeof *c);
            *c = *(ml_val *)l->alts.items[i];
            keep_val(to, c);
            l->alts.items[i] = c;
        }
        v->lists = l;
    }
}

static void keep_cfg(ml_arena *to, ml_interceptor_cfg *c)
{
    keep_val(to, &c->a);
    keep_val(to, &c->b);
    keep_vec(to, &c->codes, true);
    c->method_filter = keep_str(to, c->method_filter);
}

static void keep_server(ml_arena *to, ml_server *s)
{
    /* package_name and dir are the model's already (package_walk and
     * ml_ts_package_m keep their strings in the run's arena) */
    s->enabled_sep = keep_str(to, s->enabled_sep);
    ml_val *vals[] = {&s->port, &s->host, &s->allow_http1, &s->health_http_enabled, &s->shutdown_timeout,
                      &s->shutdown_auto, &s->otel_service_name, &s->otel_trust_remote,
                      &s->transport_validation, &s->enabled_services, &s->enabled_list};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        keep_val(to, vals[i]);
    keep_vec(to, &s->health_paths, true);
    keep_cfg(to, &s->retry);
    keep_cfg(to, &s->timeout);
    keep_cfg(to, &s->circuit_breaker);
    keep_cfg(to, &s->bulkhead);
    keep_cfg(to, &s->fallback);
    keep_vec(to, &s->outbound, false);
    for (size_t i = 0; i < s->outbound.n; i++) {
        ml_outbound *o = ml_alloc(to, sizeof *o);
        *o = *(ml_outbound *)s->outbound.items[i];
        keep_val(to, &o->url);
        o->via = keep_str(to, o->via);
        s->outbound.items[i] = o;
    }
    keep_vec(to, &s->services, false); /* the facts: the model's already */
    keep_vec(to, &s->env_names, true);
    keep_vec(to, &s->unknowns, false);
    for (size_t i = 0; i < s->unknowns.n; i++) {
        ml_unknown *k = ml_alloc(to, sizeof *k);
        *k = *(ml_unknown *)s->unknowns.items[i];
        k->what = keep_str(to, k->what);
        k->why = keep_str(to, k->why);
        s->unknowns.items[i] = k;
    }
    keep_vec(to, &s->links, false);
}

static void keep_fact(ml_arena *to, ml_ts_fact *fa)
{
    fa->pkg = keep_str(to, fa->pkg);
    fa->via = keep_str(to, fa->via);
    keep_val(to, &fa->val);
}

/* After a unit: what servers[s0..] and facts[f0..] hold, into the model's
 * arena, and the imported units freed (the caller then frees the scratch). */
static void keep_extracted(ml_model *m, ml_vec *servers, size_t s0, ml_vec *facts, size_t f0)
{
    for (size_t i = s0; i < servers->n; i++)
        keep_server(m->arena, servers->items[i]);
    for (size_t i = f0; i < facts->n; i++)
        keep_fact(m->arena, facts->items[i]);
    drop_units(m);
}

void ml_ts_extract_unit(ml_model *m, ml_ts_unit *u, const char *pkg, const char *pkg_name,
                        ml_vec *servers, ml_vec *facts)
{
    xctx x;
    xctx_init(&x, m, u->arena);
    size_t s0 = servers->n, f0 = facts->n;
    extract_ctx c;
    memset(&c, 0, sizeof c);
    c.servers = servers;
    c.facts = facts;
    if (pkg) {
        c.pkg_done = true;
        c.pkg = pkg;
        c.pkg_name = pkg_name;
        c.dir = ml_ts_dirname(m->arena, u->file->path);
    }
    each_call(&x, u, true, true, on_any, &c);
    sigterm_facts(&x, &c, u);
    service_facts(&x, &c, u);
    xctx_free(&x);
    keep_extracted(m, servers, s0, facts, f0);
}

void ml_ts_apply_fact(ml_model *m, ml_server *s, const ml_ts_fact *fa)
{
    if (fa->kind == ML_FACT_SIGTERM) {
        if (!s->own_sigterm) {
            s->own_sigterm = true;
            s->sigterm_loc = fa->loc;
        }
    } else if (fa->kind == ML_FACT_SERVICE) {
        ML_VEC_EACH(const ml_ts_fact *, q, &s->services) {
            if (q == fa)
                return; /* linking again adds nothing twice */
        }
        ml_vec_push(m->arena, &s->services, (void *)fa);
    } else if (fa->kind == ML_FACT_OTEL_NAME) {
        if (!s->otel_used) {
            s->otel_used = true;
            s->otel_used_loc = fa->loc;
        }
        if (s->otel_init != 1 && (!fa->conditional || !s->otel_init)) {
            s->otel_init = fa->conditional ? 2 : 1;
            s->otel_init_loc = fa->loc;
        }
        if (s->otel_service_name.kind == ML_VAL_ABSENT && fa->val.kind != ML_VAL_ABSENT) {
            s->otel_service_name = fa->val;
            s->otel_loc = fa->loc;
        }
    } else if (fa->val.kind != ML_VAL_ABSENT) {
        bool seen = false; /* linking again adds nothing twice */
        ML_VEC_EACH(ml_outbound *, q, &s->outbound) {
            seen |= q->loc.file == fa->loc.file && q->loc.off == fa->loc.off;
        }
        if (seen)
            return;
        ml_outbound *o = ml_zalloc(m->arena, sizeof *o);
        o->loc = fa->loc;
        o->url = fa->val;
        o->via = fa->via;
        o->grpc = fa->grpc;
        ml_vec_push(m->arena, &s->outbound, o);
    }
}

void ml_ts_apply_file_facts(ml_model *m, ml_vec *servers, ml_vec *facts)
{
    ML_VEC_EACH(ml_server *, s, servers) {
        ML_VEC_EACH(ml_ts_fact *, fa, facts) {
            if (fa->file != s->file)
                continue;
            ml_ts_apply_fact(m, s, fa);
        }
    }
}

/* Whether the file mentions any of the names as a whole word (what the
 * regular expression \b(?:name|...)\b finds: no letter, digit or underscore
 * on either side). A plain scan: no pattern to compile per file. */
static bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool mentions(const ml_file *f, const char *const *names)
{
    const char *d = f->data, *end = f->data + f->len;
    for (; *names; names++) {
        size_t n = strlen(*names);
        for (const char *p = d; (size_t)(end - p) >= n;) {
            const char *hit = memmem(p, (size_t)(end - p), *names, n);
            if (!hit)
                break;
            if ((hit == d || !word_char((unsigned char)hit[-1])) &&
                (hit + n == end || !word_char((unsigned char)hit[n])))
                return true;
            p = hit + 1;
        }
    }
    return false;
}

static const char *const server_names[] = {"createServer", NULL};
static const char *const fact_names[] = {"initProvider",  "createConnectTransport", "createGrpcTransport",
                                         "createGrpcWebTransport", "SIGTERM", "defineService",
                                         "defineLazyService", NULL};

void ml_ts_extract(ml_model *m, ml_file *f)
{
    if (!f || !f->data || f->len >= UINT32_MAX - 1)
        return;
    if (!mentions(f, server_names))
        return;
    /* the evaluator's memory lasts for this file only (keep_extracted) */
    ml_arena *scratch = &memo_of(m)->scratch;
    ml_ts_unit u;
    if (!ml_ts_unit_init(&u, scratch, f, f->data, 0, (uint32_t)f->len, 1, 1)) {
        ml_arena_reset(scratch);
        return;
    }
    ml_vec servers = {0}, facts = {0};
    ml_ts_extract_unit(m, &u, NULL, NULL, &servers, &facts);
    ml_ts_apply_file_facts(m, &servers, &facts);
    /* linking asks for this file's facts again: keep them */
    ml_vec *kept = ml_alloc(m->arena, sizeof *kept);
    *kept = facts;
    ml_map_put_ptr(&memo_of(m)->facts_of, m->arena, f, kept);
    ml_ts_unit_free(&u);
    ml_arena_reset(scratch);
}

void ml_ts_file_facts(ml_model *m, ml_file *f, ml_vec *facts)
{
    if (!f || !f->data || f->len >= UINT32_MAX - 1 ||
        !(mentions(f, fact_names) || memmem(f->data, f->len, ".service(", 9)))
        return;
    const ml_vec *kept = m->ts_memo ? ml_map_get_ptr(&((ts_memo *)m->ts_memo)->facts_of, f) : NULL;
    if (kept) {
        /* the file was extracted: the same evaluation found these */
        ML_VEC_EACH(ml_ts_fact *, fa, kept) {
            ml_vec_push(m->arena, facts, fa);
        }
        return;
    }
    ml_arena *scratch = &memo_of(m)->scratch;
    ml_ts_unit u;
    if (!ml_ts_unit_init(&u, scratch, f, f->data, 0, (uint32_t)f->len, 1, 1)) {
        ml_arena_reset(scratch);
        return;
    }
    xctx x;
    xctx_init(&x, m, scratch);
    extract_ctx c;
    memset(&c, 0, sizeof c);
    ml_vec none = {0};
    c.servers = &none;
    c.facts = facts;
    size_t f0 = facts->n;
    each_call(&x, &u, false, true, on_any, &c);
    sigterm_facts(&x, &c, &u);
    service_facts(&x, &c, &u);
    xctx_free(&x);
    keep_extracted(m, &none, 0, facts, f0);
    ml_ts_unit_free(&u);
    ml_arena_reset(scratch);
}

/* ---- values for rules --------------------------------------------------------------- */

bool ml_val_num(const ml_val *v, double *out)
{
    for (int guard = 0; v && guard < 16; guard++) {
        switch (v->kind) {
        case ML_VAL_NUM:
            *out = v->num;
            return true;
        case ML_VAL_STR:
            return parse_number_str(v->str, out) && v->str && v->str[0];
        case ML_VAL_ENV:
            v = v->env_default;
            continue;
        default:
            return false;
        }
    }
    return false;
}
