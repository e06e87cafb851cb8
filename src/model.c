/*
 * model.c - YAML documents become typed Kubernetes/Istio resources and indexes.
 *
 * Each document is typed once, in load order: the fields rules read are kept
 * as the nodes they came from (value and position together), and a field of
 * the wrong YAML type is recorded as a shape problem (for ML002) and then
 * treated as absent, so no later code ever has to re-check a type. After the
 * last document, ml_model_finish puts each definition in its meeting group
 * (its apply unit, or its file when loose: unit.h), lets the last definition
 * of a "Kind/ns/name" in a group replace the earlier ones there, keeps the
 * survivors of every group live as alternatives, and builds hash indexes
 * over the live definitions (label -> workloads, host -> services, DRs,
 * VSs), so every cross-resource question is a lookup, never a scan over
 * pairs of resources.
 */
#include "meshlint/model.h"

#include "meshlint/config.h"
#include "meshlint/mesh.h"

#include <stdio.h>
#include <ctype.h>
#include <string.h>

/* Lists read into typed arrays stop here; with YAML aliases a small file can
 * name one container a million times. */
#define MAX_ITEMS 10000
/* Shape problems kept per resource (the rest add nothing a user can act on). */
#define MAX_SHAPE_PER_RES 100
/* kind: List inside kind: List (aliases can even make it a cycle). */
#define MAX_LIST_DEPTH 4

/* ---- configuration defaults ------------------------------------------- */

static const char *cfg_default_ns(const ml_model *m)
{
    return m->cfg && m->cfg->default_ns && *m->cfg->default_ns ? m->cfg->default_ns : ML_NS_APPLY_TIME;
}

static const char *cfg_root_ns(const ml_model *m)
{
    return m->cfg && m->cfg->root_ns && *m->cfg->root_ns ? m->cfg->root_ns : "istio-system";
}

static const char *cfg_domain(const ml_model *m)
{
    return m->cfg && m->cfg->cluster_domain && *m->cfg->cluster_domain ? m->cfg->cluster_domain
                                                                        : "cluster.local";
}

/* ---- kinds ------------------------------------------------------------ */

static const char *const kind_names[ML_K__COUNT] = {
    [ML_K_NAMESPACE] = "Namespace",
    [ML_K_DEPLOYMENT] = "Deployment",
    [ML_K_STATEFULSET] = "StatefulSet",
    [ML_K_DAEMONSET] = "DaemonSet",
    [ML_K_REPLICASET] = "ReplicaSet",
    [ML_K_JOB] = "Job",
    [ML_K_CRONJOB] = "CronJob",
    [ML_K_POD] = "Pod",
    [ML_K_SERVICE] = "Service",
    [ML_K_SERVICEACCOUNT] = "ServiceAccount",
    [ML_K_CONFIGMAP] = "ConfigMap",
    [ML_K_SECRET] = "Secret",
    [ML_K_PEERAUTHENTICATION] = "PeerAuthentication",
    [ML_K_REQUESTAUTHENTICATION] = "RequestAuthentication",
    [ML_K_AUTHORIZATIONPOLICY] = "AuthorizationPolicy",
    [ML_K_DESTINATIONRULE] = "DestinationRule",
    [ML_K_VIRTUALSERVICE] = "VirtualService",
    [ML_K_GATEWAY] = "Gateway",
    [ML_K_SERVICEENTRY] = "ServiceEntry",
    [ML_K_SIDECAR] = "Sidecar",
    [ML_K_TELEMETRY] = "Telemetry",
    [ML_K_GW_GATEWAY] = "Gateway",
    [ML_K_HTTPROUTE] = "HTTPRoute",
    [ML_K_GRPCROUTE] = "GRPCRoute",
    [ML_K_TCPROUTE] = "TCPRoute",
    [ML_K_TLSROUTE] = "TLSRoute",
    [ML_K_REFERENCEGRANT] = "ReferenceGrant",
    [ML_K_OTHER] = "Other",
};

const char *ml_kind_name(ml_kind k)
{
    return (unsigned)k < ML_K__COUNT ? kind_names[k] : "Other";
}

bool ml_kind_is_workload(ml_kind k)
{
    return k == ML_K_DEPLOYMENT || k == ML_K_STATEFULSET || k == ML_K_DAEMONSET ||
           k == ML_K_REPLICASET || k == ML_K_JOB || k == ML_K_CRONJOB || k == ML_K_POD;
}

bool ml_kind_is_istio(ml_kind k)
{
    return k >= ML_K_PEERAUTHENTICATION && k <= ML_K_TELEMETRY;
}

bool ml_kind_is_gwapi(ml_kind k)
{
    return k >= ML_K_GW_GATEWAY && k <= ML_K_REFERENCEGRANT;
}

bool ml_kind_is_gw_route(ml_kind k)
{
    return k >= ML_K_HTTPROUTE && k <= ML_K_TLSROUTE;
}

/* The kind part of a resource key: the kind name, qualified by the API
 * group where two APIs share a kind name (the Gateway API's Gateway). */
static const char *key_kind(ml_kind k)
{
    return k == ML_K_GW_GATEWAY ? "Gateway.gateway.networking.k8s.io" : kind_names[k];
}

typedef struct kind_def {
    ml_kind kind;
    const char *group;    /* "" = core */
    const char *versions; /* space separated */
} kind_def;

static const kind_def kind_defs[] = {
    {ML_K_NAMESPACE, "", "v1"},
    {ML_K_POD, "", "v1"},
    {ML_K_SERVICE, "", "v1"},
    {ML_K_SERVICEACCOUNT, "", "v1"},
    {ML_K_CONFIGMAP, "", "v1"},
    {ML_K_SECRET, "", "v1"},
    {ML_K_DEPLOYMENT, "apps", "v1"},
    {ML_K_STATEFULSET, "apps", "v1"},
    {ML_K_DAEMONSET, "apps", "v1"},
    {ML_K_REPLICASET, "apps", "v1"},
    {ML_K_JOB, "batch", "v1"},
    {ML_K_CRONJOB, "batch", "v1 v1beta1"},
    {ML_K_VIRTUALSERVICE, "networking.istio.io", "v1 v1beta1 v1alpha3"},
    {ML_K_DESTINATIONRULE, "networking.istio.io", "v1 v1beta1 v1alpha3"},
    {ML_K_GATEWAY, "networking.istio.io", "v1 v1beta1 v1alpha3"},
    {ML_K_SERVICEENTRY, "networking.istio.io", "v1 v1beta1 v1alpha3"},
    {ML_K_SIDECAR, "networking.istio.io", "v1 v1beta1 v1alpha3"},
    {ML_K_PEERAUTHENTICATION, "security.istio.io", "v1 v1beta1"},
    {ML_K_AUTHORIZATIONPOLICY, "security.istio.io", "v1 v1beta1"},
    {ML_K_REQUESTAUTHENTICATION, "security.istio.io", "v1 v1beta1"},
    {ML_K_TELEMETRY, "telemetry.istio.io", "v1 v1alpha1"},
    /* Gateway API: the versions Istio reads (pkg/config/schema/gvk/resources.gen.go) */
    {ML_K_GW_GATEWAY, "gateway.networking.k8s.io", "v1 v1beta1 v1alpha2"},
    {ML_K_HTTPROUTE, "gateway.networking.k8s.io", "v1 v1beta1 v1alpha2"},
    {ML_K_GRPCROUTE, "gateway.networking.k8s.io", "v1 v1alpha2"},
    {ML_K_TCPROUTE, "gateway.networking.k8s.io", "v1alpha2"},
    {ML_K_TLSROUTE, "gateway.networking.k8s.io", "v1alpha2"},
    {ML_K_REFERENCEGRANT, "gateway.networking.k8s.io", "v1beta1 v1alpha2"},
};

static bool word_in(const char *words, const char *w, size_t wlen)
{
    for (const char *p = words; *p;) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == wlen && memcmp(p, w, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

/* The typed kind of (apiVersion, kind), or ML_K_OTHER. *def receives the
 * definition whose kind name matches when only the apiVersion does not: for
 * the same API group that is an unknown or removed version (worth telling),
 * for another group it is a different API (the Gateway API's Gateway). */
static ml_kind classify(const char *api, const char *kind, const kind_def **def, bool *same_group)
{
    const char *slash = strchr(api, '/');
    const char *group = slash ? api : "";
    size_t glen = slash ? (size_t)(slash - api) : 0;
    const char *ver = slash ? slash + 1 : api;
    *def = NULL;
    *same_group = false;
    for (size_t i = 0; i < sizeof kind_defs / sizeof kind_defs[0]; i++) {
        const kind_def *d = &kind_defs[i];
        if (strcmp(kind, kind_names[d->kind]) != 0)
            continue;
        bool group_ok = strlen(d->group) == glen && memcmp(d->group, group, glen) == 0;
        if (group_ok && word_in(d->versions, ver, strlen(ver))) {
            *def = NULL;
            *same_group = false;
            return d->kind;
        }
        if (*def && *same_group)
            continue; /* keep the definition of the same group */
        *def = d;
        *same_group = group_ok;
    }
    return ML_K_OTHER;
}

/* API versions the API server no longer serves. Kubernetes removed the
 * beta workload APIs in 1.16 (extensions/v1beta1 and apps/v1beta1/v1beta2
 * Deployment, DaemonSet, ReplicaSet, StatefulSet) and batch/v2alpha1
 * CronJob; Istio removed its pre-1.0 routing API (networking.istio.io/
 * v1alpha2), the Mixer adapters (config.istio.io/v1alpha2), the 1.4-era
 * authentication policy (authentication.istio.io/v1alpha1) and RBAC
 * (rbac.istio.io/v1alpha1). A resource written this way is never applied;
 * it is reported (ML002) instead of being dropped silently. The workload
 * kinds are recorded (m->unread_workload_ns) so that rules about which pods
 * a namespace runs stay silent there. */
typedef struct removed_api {
    const char *api;   /* apiVersion */
    const char *kinds; /* space separated; "" = every kind of the group */
    const char *what;  /* "Kubernetes 1.16" */
} removed_api;

static const removed_api removed_apis[] = {
    {"extensions/v1beta1", "Deployment DaemonSet ReplicaSet", "Kubernetes 1.16 (use apps/v1)"},
    {"networking.istio.io/v1alpha2", "", "Istio 0.8 (use networking.istio.io/v1)"},
    {"config.istio.io/v1alpha2", "", "Istio 1.8 with Mixer"},
    {"authentication.istio.io/v1alpha1", "", "Istio 1.6 (use security.istio.io/v1 PeerAuthentication and "
                                             "RequestAuthentication)"},
    {"rbac.istio.io/v1alpha1", "", "Istio 1.6 (use security.istio.io/v1 AuthorizationPolicy)"},
};

static const removed_api *find_removed_api(const char *api, const char *kind)
{
    for (size_t i = 0; i < sizeof removed_apis / sizeof removed_apis[0]; i++) {
        const removed_api *ra = &removed_apis[i];
        if (strcmp(api, ra->api) != 0)
            continue;
        if (!*ra->kinds || word_in(ra->kinds, kind, strlen(kind)))
            return ra;
    }
    return NULL;
}

/* Kinds that have no namespace: they do not make a namespace "present". */
static bool cluster_scoped(const char *kind)
{
    static const char *const names[] = {
        "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
        "StorageClass", "PriorityClass", "IngressClass", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "APIService", "Node", "ClusterIssuer",
        "GatewayClass", "RuntimeClass", "CSIDriver", "VolumeSnapshotClass",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(kind, names[i]) == 0)
            return true;
    return false;
}

const char *ml_mtls_name(ml_mtls_mode m)
{
    switch (m) {
    case ML_MTLS_UNSET: return "UNSET";
    case ML_MTLS_DISABLE: return "DISABLE";
    case ML_MTLS_PERMISSIVE: return "PERMISSIVE";
    case ML_MTLS_STRICT: return "STRICT";
    case ML_MTLS_INVALID: break;
    }
    return "INVALID";
}

/* ---- shape checking ----------------------------------------------------- */

/* A field path built on the stack as the typing code descends; it is only
 * turned into text when a problem is reported. */
typedef struct path {
    const struct path *up;
    const char *key; /* NULL: an index */
    long idx;
} path;

#define PK(up_, key_) (&(path){.up = (up_), .key = (key_), .idx = -1})
#define PI(up_, i_) (&(path){.up = (up_), .key = NULL, .idx = (long)(i_)})

typedef struct tctx {
    ml_model *m;
    ml_resource *r;
    unsigned nproblems;
} tctx;

static void path_fmt(ml_buf *b, const path *p, int depth)
{
    if (!p || depth > 64)
        return;
    path_fmt(b, p->up, depth + 1);
    if (p->key) {
        if (b->n)
            ml_buf_putc(b, '.');
        ml_buf_puts(b, p->key);
    } else {
        ml_buf_printf(b, "[%ld]", p->idx);
    }
}

/* True for a plain scalar YAML reads as a number (ints, floats, .inf, .nan). */
static bool plain_number(const ml_node *n)
{
    long long v;
    if (ml_int(n, &v))
        return true;
    const char *s = ml_node_str(n);
    if (!s || !*s)
        return false;
    if (*s == '+' || *s == '-')
        s++;
    if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 || strcmp(s, ".INF") == 0)
        return true;
    if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
        return true;
    bool digits = false;
    while (*s >= '0' && *s <= '9')
        s++, digits = true;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9')
            s++, digits = true;
    }
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* What a node is, for "should be X, not Y". */
static void describe(ml_buf *b, const ml_node *n, bool scalar_expected)
{
    if (n->type == ML_NODE_MAP) {
        ml_buf_puts(b, "a mapping");
        return;
    }
    if (n->type == ML_NODE_SEQ) {
        ml_buf_puts(b, "a list");
        return;
    }
    if (!scalar_expected) {
        ml_buf_puts(b, "a scalar");
        return;
    }
    bool b_val;
    const char *quote = "\"";
    if (n->style == ML_SCALAR_PLAIN && ml_bool(n, &b_val)) {
        ml_buf_puts(b, "the boolean ");
        quote = "";
    } else if (n->style == ML_SCALAR_PLAIN && plain_number(n)) {
        ml_buf_puts(b, "the number ");
        quote = "";
    } else {
        ml_buf_puts(b, "the string ");
    }
    ml_buf_puts(b, quote);
    const char *s = ml_node_str(n) ? ml_node_str(n) : "";
    size_t len = strnlen(s, ml_node_len(n));
    if (len > 40) {
        size_t cut = 37;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--; /* not inside a UTF-8 sequence */
        ml_buf_add(b, s, cut);
        ml_buf_puts(b, "...");
    } else {
        ml_buf_add(b, s, len);
    }
    ml_buf_puts(b, quote);
}

static void shape_msg(tctx *t, const ml_node *n, const char *msg)
{
    if (t->nproblems >= MAX_SHAPE_PER_RES)
        return;
    t->nproblems++;
    /* Keys and values quoted from the input must not break line-based
     * output formats. */
    char *clean = ml_strdup(t->m->arena, msg);
    for (char *c = clean; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    ml_shape_problem *sp = ml_zalloc(t->m->arena, sizeof *sp);
    sp->loc = n ? ml_node_loc(n) : ml_res_loc(t->r);
    sp->message = clean;
    sp->res = t->r;
    ml_vec_push(t->m->arena, &t->m->shape_problems, sp);
}

/* "<path> should be <expected>, not <what n is>" */
static void shape(tctx *t, const ml_node *n, const path *p, const char *expected, bool scalar_expected)
{
    if (t->nproblems >= MAX_SHAPE_PER_RES)
        return;
    ml_buf b;
    ml_buf_init(&b);
    path_fmt(&b, p, 0);
    ml_buf_printf(&b, " should be %s, not ", expected);
    describe(&b, n, scalar_expected);
    if (scalar_expected && n->type == ML_NODE_SCALAR && strcmp(expected, "a string") == 0)
        ml_buf_puts(&b, " (quote it)");
    shape_msg(t, n, ml_strndup(t->m->arena, b.s, b.n));
    ml_buf_free(&b);
}

static bool absent(const ml_node *n)
{
    return !n || ml_is_null(n);
}

static const ml_node *get_map(tctx *t, const ml_node *parent, const char *key, const path *pp)
{
    const ml_node *n = ml_get(parent, key);
    if (absent(n))
        return NULL;
    if (!ml_is_map(n)) {
        shape(t, n, PK(pp, key), "a mapping", false);
        return NULL;
    }
    return n;
}

/* Item i of a list whose items must be mappings, at path ip: the item, or
 * NULL when it is not a mapping (reported unless it is null). */
static const ml_node *map_item(tctx *t, const ml_node *seq, size_t i, const path *ip, const char *expected)
{
    const ml_node *it = &seq->elems[i];
    if (ml_is_map(it))
        return it;
    if (!absent(it))
        shape(t, it, ip, expected, false);
    return NULL;
}

static const ml_node *get_seq(tctx *t, const ml_node *parent, const char *key, const path *pp,
                              const char *expected)
{
    const ml_node *n = ml_get(parent, key);
    if (absent(n))
        return NULL;
    if (!ml_is_seq(n)) {
        shape(t, n, PK(pp, key), expected, false);
        return NULL;
    }
    return n;
}

/* A scalar of any kind (string, number, name). */
static const ml_node *check_scalar(tctx *t, const ml_node *n, const path *p, const char *expected)
{
    if (absent(n))
        return NULL;
    if (!ml_is_scalar(n)) {
        shape(t, n, p, expected, false);
        return NULL;
    }
    return n;
}

static const ml_node *get_scalar(tctx *t, const ml_node *parent, const char *key, const path *pp,
                                 const char *expected)
{
    return check_scalar(t, ml_get(parent, key), PK(pp, key), expected);
}

/* A Kubernetes string field: an unquoted number or boolean is rejected by
 * the API server ("cannot unmarshal number into ... of type string"). */
static const ml_node *check_string(tctx *t, const ml_node *n, const path *p)
{
    if (absent(n))
        return NULL;
    bool bv;
    if (!ml_is_scalar(n) ||
        (n->style == ML_SCALAR_PLAIN && (ml_bool(n, &bv) || plain_number(n)))) {
        shape(t, n, p, "a string", true);
        return ml_is_scalar(n) ? n : NULL;
    }
    return n;
}

static const ml_node *get_string(tctx *t, const ml_node *parent, const char *key, const path *pp)
{
    return check_string(t, ml_get(parent, key), PK(pp, key));
}

static const ml_node *check_int(tctx *t, const ml_node *n, const path *p, long long *out)
{
    if (out)
        *out = -1;
    if (absent(n))
        return NULL;
    long long v;
    if (!ml_is_scalar(n) || !ml_int(n, &v)) {
        shape(t, n, p, "an integer", true);
        return NULL;
    }
    if (out)
        *out = v;
    return n;
}

static const ml_node *get_int(tctx *t, const ml_node *parent, const char *key, const path *pp,
                              long long *out)
{
    return check_int(t, ml_get(parent, key), PK(pp, key), out);
}

/* An integer the API server refuses although it is one: Kubernetes port
 * numbers (IsValidPortNum in k8s.io/apimachinery/pkg/util/validation: 1 to
 * 65535), Istio port selectors (agent.ValidatePort in
 * pkg/config/validation/agent/validation.go), route weights and retry
 * attempts (int32 fields; validateWeight and validateHTTPRetry in
 * pkg/config/validation/validation.go reject negative ones). The value is
 * reported (ML002); with `drop` it is then treated as absent, so that a
 * port 0 matches nothing instead of standing for a port. */
static const ml_node *check_range(tctx *t, const ml_node *n, const path *p, long long *v, long long lo,
                                  long long hi, const char *what, bool drop)
{
    if (!n || (*v >= lo && *v <= hi))
        return n;
    if (t->nproblems < MAX_SHAPE_PER_RES) {
        ml_buf b;
        ml_buf_init(&b);
        path_fmt(&b, p, 0);
        ml_buf_printf(&b, " is %lld; %s must be %lld to %lld", *v, what, lo, hi);
        if (*v > 2147483647LL || *v < -2147483648LL)
            ml_buf_puts(&b, " (the field is a 32-bit integer: the API server cannot even decode it)");
        shape_msg(t, n, ml_strndup(t->m->arena, b.s, b.n));
        ml_buf_free(&b);
    }
    if (!drop)
        return n;
    *v = -1;
    return NULL;
}

/* A port number (1-65535), or NULL when absent, not an integer or out of range. */
static const ml_node *get_port(tctx *t, const ml_node *parent, const char *key, const path *pp, long long *out)
{
    long long v;
    const ml_node *n = check_range(t, get_int(t, parent, key, pp, &v), PK(pp, key), &v, 1, 65535,
                                   "a port number", true);
    if (out)
        *out = v;
    return n;
}

/* A port given by number or by name (targetPort, probe ports): a number
 * must be a valid port; a name is left to the rules. */
static const ml_node *get_port_or_name(tctx *t, const ml_node *parent, const char *key, const path *pp)
{
    const ml_node *n = get_scalar(t, parent, key, pp, "a port number or name");
    long long v;
    if (n && n->style == ML_SCALAR_PLAIN && ml_int(n, &v))
        return check_range(t, n, PK(pp, key), &v, 1, 65535, "a port number", true);
    return n;
}

/* A mapping of string to string (labels, selectors, ConfigMap data). A bad
 * entry is reported; the mapping is kept and lookups skip the entry. */
static const ml_node *get_strmap(tctx *t, const ml_node *parent, const char *key, const path *pp)
{
    const ml_node *n = ml_get(parent, key);
    if (absent(n))
        return NULL;
    if (!ml_is_map(n)) {
        shape(t, n, PK(pp, key), "a mapping of strings", false);
        return NULL;
    }
    const path *me = PK(pp, key);
    for (size_t i = 0; i < ml_node_n(n) && i < MAX_ITEMS; i++) {
        const ml_pair *pr = &n->kvs[i];
        const char *k = ml_str(&pr->key);
        if (!k) {
            shape(t, &pr->key, me, "keyed by strings", false);
            continue;
        }
        check_string(t, &pr->value, PK(me, k));
    }
    return n;
}

static size_t capped(tctx *t, const ml_node *seq, const path *p)
{
    if (!seq)
        return 0;
    if (ml_node_n(seq) > MAX_ITEMS) {
        ml_buf b;
        ml_buf_init(&b);
        path_fmt(&b, p, 0);
        ml_buf_printf(&b, " has %zu items; meshlint reads the first %d", (size_t)ml_node_n(seq), MAX_ITEMS);
        shape_msg(t, seq, ml_strndup(t->m->arena, b.s, b.n));
        ml_buf_free(&b);
        return MAX_ITEMS;
    }
    return ml_node_n(seq);
}

/* ---- workloads -------------------------------------------------------- */

static void parse_probe(tctx *t, const ml_node *c, const char *key, const path *cp, ml_probe *p)
{
    const ml_pair *pr = ml_get_pair(c, key);
    memset(p, 0, sizeof *p);
    if (!pr || absent(&pr->value))
        return;
    const path *pp = PK(cp, key);
    if (!ml_is_map(&pr->value)) {
        shape(t, &pr->value, pp, "a mapping", false);
        return;
    }
    p->node = &pr->value;
    p->key = &pr->key;
    const ml_node *h = get_map(t, p->node, "httpGet", pp);
    const ml_node *g = get_map(t, p->node, "grpc", pp);
    const ml_node *tc = get_map(t, p->node, "tcpSocket", pp);
    const ml_node *ex = get_map(t, p->node, "exec", pp);
    if (h) {
        p->kind = ML_PROBE_HTTP;
        p->path = get_scalar(t, h, "path", PK(pp, "httpGet"), "a string");
        p->port = get_port_or_name(t, h, "port", PK(pp, "httpGet"));
    } else if (g) {
        p->kind = ML_PROBE_GRPC;
        p->port = get_port(t, g, "port", PK(pp, "grpc"), NULL);
        p->service = get_scalar(t, g, "service", PK(pp, "grpc"), "a string");
    } else if (tc) {
        p->kind = ML_PROBE_TCP;
        p->port = get_port_or_name(t, tc, "port", PK(pp, "tcpSocket"));
    } else if (ex) {
        p->kind = ML_PROBE_EXEC;
    }
}

/* ---- idle containers: clients, not servers ---------------------------- */

static const char *base_name(const char *s)
{
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

/* A shell script that only waits: "sleep X", "exec sleep X", "tail -f
 * /dev/null", or "while true; do sleep X; done" (":" for true). Words are
 * compared after collapsing blanks. */
static bool idle_script(const char *s)
{
    char w[8][32];
    size_t n = 0;
    while (*s && n < 8) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (!*s)
            break;
        size_t len = 0;
        while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != ';') {
            if (len < sizeof w[0] - 1)
                w[n][len++] = *s;
            s++;
        }
        if (*s == ';' && len == 0) {
            w[n][len++] = ';';
            s++;
        }
        w[n][len] = '\0';
        n++;
        if (*s == ';') {
            if (n < 8) {
                strcpy(w[n], ";");
                n++;
            }
            s++;
        }
    }
    if (*s)
        return false; /* longer than any idle loop */
    size_t i = 0;
    if (n && strcmp(w[0], "exec") == 0)
        i = 1;
    if (n - i == 2 && strcmp(w[i], "sleep") == 0)
        return true;
    if (n - i == 3 && strcmp(w[i], "tail") == 0 && (!strcmp(w[i + 1], "-f") || !strcmp(w[i + 1], "-F")) &&
        strcmp(w[i + 2], "/dev/null") == 0)
        return true;
    /* while true ; do sleep X ; done */
    return n == 8 && strcmp(w[0], "while") == 0 && (!strcmp(w[1], "true") || !strcmp(w[1], ":")) &&
           !strcmp(w[2], ";") && !strcmp(w[3], "do") && !strcmp(w[4], "sleep") && !strcmp(w[6], ";") &&
           !strcmp(w[7], "done");
}

/* The command line of a container (command, then args) when it only idles,
 * else NULL: sleep (any duration, infinity), pause, tail -f /dev/null, or a
 * shell running such a script. No command at all: the image decides, unknown. */
static const ml_node *idle_command(const ml_node *item)
{
    const ml_node *cmd = ml_get(item, "command"), *args = ml_get(item, "args");
    const ml_node *words[4];
    size_t n = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        const ml_node *seq = pass ? args : cmd;
        if (!ml_is_seq(seq))
            continue;
        for (size_t i = 0; i < ml_node_n(seq); i++) {
            if (!ml_is_scalar(&seq->elems[i]) || !ml_node_str(&seq->elems[i]))
                return NULL;
            if (n == 4)
                return NULL;
            words[n++] = &seq->elems[i];
        }
    }
    if (!n || !ml_is_seq(cmd))
        return NULL; /* args alone run under the image's entrypoint */
    const char *w0 = base_name(ml_node_str(words[0]));
    if (!strcmp(w0, "sleep") && n == 2)
        return words[0];
    if (!strcmp(w0, "pause") && n == 1)
        return words[0];
    if (!strcmp(w0, "tail") && n == 3 && (!strcmp(ml_node_str(words[1]), "-f") || !strcmp(ml_node_str(words[1]), "-F")) &&
        !strcmp(ml_node_str(words[2]), "/dev/null"))
        return words[0];
    if ((!strcmp(w0, "sh") || !strcmp(w0, "bash") || !strcmp(w0, "ash") || !strcmp(w0, "dash")) && n == 3 &&
        !strcmp(ml_node_str(words[1]), "-c") && idle_script(ml_node_str(words[2])))
        return words[0];
    return NULL;
}

static void parse_container(tctx *t, const ml_node *item, const path *cp, bool is_init, ml_container *c)
{
    ml_model *m = t->m;
    c->node = item;
    c->is_init = is_init;
    c->name = get_scalar(t, item, "name", cp, "a string");
    c->is_sidecar_proxy = ml_streq(ml_str(c->name), "istio-proxy");
    c->idle = idle_command(item);

    const ml_node *ports = get_seq(t, item, "ports", cp, "a list of ports");
    size_t n = capped(t, ports, PK(cp, "ports"));
    if (n) {
        c->ports = ml_zalloc(m->arena, n * sizeof *c->ports);
        for (size_t i = 0; i < n; i++) {
            const path *ip = PI(PK(cp, "ports"), i);
            const ml_node *pi = map_item(t, ports, i, ip, "a port mapping");
            if (!pi)
                continue;
            ml_port *p = &c->ports[c->nports++];
            p->node = pi;
            p->name = get_scalar(t, pi, "name", ip, "a string");
            p->number = get_port(t, pi, "containerPort", ip, &p->num);
        }
    }

    const ml_node *env = get_seq(t, item, "env", cp, "a list of variables");
    n = capped(t, env, PK(cp, "env"));
    if (n) {
        c->env = ml_zalloc(m->arena, n * sizeof *c->env);
        for (size_t i = 0; i < n; i++) {
            const path *ip = PI(PK(cp, "env"), i);
            const ml_node *ei = map_item(t, env, i, ip, "a mapping with name and value");
            if (!ei)
                continue;
            ml_env *e = &c->env[c->nenv++];
            e->name = get_scalar(t, ei, "name", ip, "a string");
            e->value_from = get_map(t, ei, "valueFrom", ip);
            e->value = get_string(t, ei, "value", ip);
        }
    }

    const ml_node *ef = get_seq(t, item, "envFrom", cp, "a list of sources");
    n = capped(t, ef, PK(cp, "envFrom"));
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(PK(cp, "envFrom"), i);
        const ml_node *fi = map_item(t, ef, i, ip, "a mapping");
        if (!fi)
            continue;
        const ml_node *cmr = get_map(t, fi, "configMapRef", ip);
        const ml_node *nm = get_scalar(t, cmr, "name", PK(ip, "configMapRef"), "a string");
        if (nm)
            ml_vec_push(m->arena, &c->env_from_configmaps, (void *)nm);
    }

    parse_probe(t, item, "livenessProbe", cp, &c->liveness);
    parse_probe(t, item, "readinessProbe", cp, &c->readiness);
    parse_probe(t, item, "startupProbe", cp, &c->startup);
    c->lifecycle = get_map(t, item, "lifecycle", cp);
    c->pre_stop = get_map(t, c->lifecycle, "preStop", PK(cp, "lifecycle"));
}

static void parse_containers(tctx *t, ml_workload *w, const path *sp)
{
    const ml_node *cs = get_seq(t, w->pod_spec, "containers", sp, "a list of containers");
    const ml_node *ics = get_seq(t, w->pod_spec, "initContainers", sp, "a list of containers");
    size_t nc = capped(t, cs, PK(sp, "containers"));
    size_t ni = capped(t, ics, PK(sp, "initContainers"));
    if (nc + ni == 0)
        return;
    w->containers = ml_zalloc(t->m->arena, (nc + ni) * sizeof *w->containers);
    for (size_t pass = 0; pass < 2; pass++) {
        const ml_node *seq = pass ? ics : cs;
        size_t n = pass ? ni : nc;
        const path *lp = PK(sp, pass ? "initContainers" : "containers");
        for (size_t i = 0; i < n; i++) {
            const path *ip = PI(lp, i);
            const ml_node *item = map_item(t, seq, i, ip, "a container mapping");
            if (!item)
                continue;
            parse_container(t, item, ip, pass == 1, &w->containers[w->ncontainers++]);
        }
    }
}

static void parse_workload(tctx *t)
{
    ml_resource *r = t->r;
    ml_workload *w = ml_zalloc(t->m->arena, sizeof *w);
    w->res = r;
    r->u.workload = w;
    w->long_running = r->kind != ML_K_JOB && r->kind != ML_K_CRONJOB;

    /* Paths live for the whole function (compound literals in an inner
     * block would not). */
    path specp = {NULL, "spec", -1};
    path jtp = {&specp, "jobTemplate", -1};
    path jsp = {&jtp, "spec", -1};
    const path *ownerp = r->kind == ML_K_CRONJOB ? &jsp : &specp;
    path tp = {ownerp, "template", -1};
    path mp = {&tp, "metadata", -1};
    path tsp = {&tp, "spec", -1};
    const path *sp = &tsp; /* path of the PodSpec */

    if (r->kind == ML_K_POD) {
        w->pod_spec = r->spec;
        w->pod_meta = r->metadata;
        w->pod_labels = r->labels;
        w->pod_annotations = r->annotations;
        sp = &specp;
        const ml_node *rp = get_scalar(t, r->spec, "restartPolicy", &specp, "a string");
        if (rp && !ml_streq(ml_str(rp), "Always"))
            w->long_running = false;
    } else {
        const ml_node *owner = r->spec; /* the spec that holds selector/template */
        if (r->kind == ML_K_CRONJOB) {
            const ml_node *jt = get_map(t, r->spec, "jobTemplate", &specp);
            owner = get_map(t, jt, "spec", &jtp);
        }
        const ml_node *tmpl = get_map(t, owner, "template", ownerp);
        w->pod_meta = get_map(t, tmpl, "metadata", &tp);
        w->pod_labels = get_strmap(t, w->pod_meta, "labels", &mp);
        w->pod_annotations = get_strmap(t, w->pod_meta, "annotations", &mp);
        w->pod_spec = get_map(t, tmpl, "spec", &tp);

        const ml_node *sel = get_map(t, owner, "selector", ownerp);
        w->selector = get_strmap(t, sel, "matchLabels", PK(ownerp, "selector"));
        if (r->kind == ML_K_DEPLOYMENT || r->kind == ML_K_STATEFULSET || r->kind == ML_K_REPLICASET)
            w->replicas = get_int(t, r->spec, "replicas", &specp, NULL);
    }

    w->service_account = get_scalar(t, w->pod_spec, "serviceAccountName", sp, "a string");
    if (!w->service_account)
        w->service_account = get_scalar(t, w->pod_spec, "serviceAccount", sp, "a string");
    w->grace_period = get_int(t, w->pod_spec, "terminationGracePeriodSeconds", sp, NULL);
    parse_containers(t, w, sp);
}

/* ---- Service, ConfigMap ----------------------------------------------- */

static void parse_service(tctx *t)
{
    ml_resource *r = t->r;
    ml_service *s = ml_zalloc(t->m->arena, sizeof *s);
    s->res = r;
    r->u.service = s;
    const path *specp = PK(NULL, "spec");
    s->selector = get_strmap(t, r->spec, "selector", specp);
    s->type = get_scalar(t, r->spec, "type", specp, "a string");
    const ml_node *ports = get_seq(t, r->spec, "ports", specp, "a list of ports");
    size_t n = capped(t, ports, PK(specp, "ports"));
    if (n)
        s->ports = ml_zalloc(t->m->arena, n * sizeof *s->ports);
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(PK(specp, "ports"), i);
        const ml_node *pi = map_item(t, ports, i, ip, "a port mapping");
        if (!pi)
            continue;
        ml_svc_port *p = &s->ports[s->nports++];
        p->node = pi;
        p->name = get_scalar(t, pi, "name", ip, "a string");
        p->port = get_port(t, pi, "port", ip, &p->num);
        p->target_port = get_port_or_name(t, pi, "targetPort", ip);
        p->app_protocol = get_scalar(t, pi, "appProtocol", ip, "a string");
        p->protocol = get_scalar(t, pi, "protocol", ip, "a string");
    }
    s->fqdn = ml_printf(t->m->arena, "%s.%s.svc.%s", r->name, r->ns, cfg_domain(t->m));
    const ml_node *ex = ml_get(r->annotations, "networking.istio.io/exportTo");
    s->export_to = ml_is_scalar(ex) ? ex : NULL;
}

static void parse_configmap(tctx *t)
{
    ml_configmap *c = ml_zalloc(t->m->arena, sizeof *c);
    c->res = t->r;
    t->r->u.configmap = c;
    c->data = get_strmap(t, t->r->root, "data", NULL);
}

/* ---- Istio -------------------------------------------------------------- */

static ml_mtls_mode parse_mtls(const ml_node *n)
{
    const char *s = ml_str(n);
    if (!s)
        return ML_MTLS_UNSET;
    if (strcmp(s, "UNSET") == 0)
        return ML_MTLS_UNSET;
    if (strcmp(s, "DISABLE") == 0)
        return ML_MTLS_DISABLE;
    if (strcmp(s, "PERMISSIVE") == 0)
        return ML_MTLS_PERMISSIVE;
    if (strcmp(s, "STRICT") == 0)
        return ML_MTLS_STRICT;
    return ML_MTLS_INVALID;
}

/* spec.selector.matchLabels; an empty matchLabels selects like no selector. */
static const ml_node *istio_selector(tctx *t, const path *specp)
{
    const ml_node *sel = get_map(t, t->r->spec, "selector", specp);
    const ml_node *ml = get_strmap(t, sel, "matchLabels", PK(specp, "selector"));
    return ml && ml_node_n(ml) ? ml : NULL;
}

static void parse_peerauth(tctx *t)
{
    ml_resource *r = t->r;
    ml_peerauth *pa = ml_zalloc(t->m->arena, sizeof *pa);
    pa->res = r;
    r->u.peerauth = pa;
    const path *specp = PK(NULL, "spec");
    pa->selector = istio_selector(t, specp);
    const ml_node *mtls = get_map(t, r->spec, "mtls", specp);
    pa->mode_node = get_scalar(t, mtls, "mode", PK(specp, "mtls"), "a mode name");
    pa->mode = parse_mtls(pa->mode_node);

    const ml_node *plm = get_map(t, r->spec, "portLevelMtls", specp);
    const path *plp = PK(specp, "portLevelMtls");
    /* ValidatePeerAuthentication (pkg/config/validation/validation.go):
     * "port level mTLS, if defined, must have at least one element" */
    if (plm && ml_node_n(plm) == 0)
        shape_msg(t, plm, "spec.portLevelMtls is an empty mapping: Istio's validation rejects it (port level "
                          "mTLS, if defined, must have at least one element); remove it or list ports");
    size_t n = plm ? (ml_node_n(plm) > MAX_ITEMS ? MAX_ITEMS : ml_node_n(plm)) : 0;
    if (n)
        pa->port_level = ml_zalloc(t->m->arena, n * sizeof *pa->port_level);
    for (size_t i = 0; i < n; i++) {
        const ml_pair *pr = &plm->kvs[i];
        long long port;
        if (!ml_is_scalar(&pr->key) || !ml_int(&pr->key, &port)) {
            shape(t, &pr->key, plp, "keyed by port numbers", true);
            continue;
        }
        if (port < 1 || port > 65535) {
            shape_msg(t, &pr->key, ml_printf(t->m->arena, "spec.portLevelMtls key %lld should be a port "
                                                         "number (1-65535): the setting applies to no port",
                                            port));
            continue;
        }
        const path *ep = PK(plp, ml_str(&pr->key));
        if (absent(&pr->value))
            continue;
        if (!ml_is_map(&pr->value)) {
            shape(t, &pr->value, ep, "a mapping with mode", false);
            continue;
        }
        ml_port_mtls *pm = &pa->port_level[pa->nport_level++];
        pm->key = &pr->key;
        pm->port = port;
        pm->mode_node = get_scalar(t, &pr->value, "mode", ep, "a mode name");
        pm->mode = parse_mtls(pm->mode_node);
    }
    pa->mesh_wide = !pa->selector && strcmp(r->ns, cfg_root_ns(t->m)) == 0;
}

static void parse_tls_block(tctx *t, const ml_node *parent, const path *pp, const ml_node **tls,
                            const ml_node **mode)
{
    *tls = get_map(t, parent, "tls", pp);
    *mode = get_scalar(t, *tls, "mode", PK(pp, "tls"), "a mode name");
}

static void parse_destrule(tctx *t)
{
    ml_model *m = t->m;
    ml_resource *r = t->r;
    ml_destrule *dr = ml_zalloc(m->arena, sizeof *dr);
    dr->res = r;
    r->u.destrule = dr;
    const path *specp = PK(NULL, "spec");
    dr->host = get_scalar(t, r->spec, "host", specp, "a host name");
    dr->fqdn = dr->host ? ml_resolve_host(m, ml_str(dr->host), r->ns) : NULL;

    const path *tpp = PK(specp, "trafficPolicy");
    dr->traffic_policy = get_map(t, r->spec, "trafficPolicy", specp);
    parse_tls_block(t, dr->traffic_policy, tpp, &dr->tls, &dr->tls_mode);
    dr->connection_pool = get_map(t, dr->traffic_policy, "connectionPool", tpp);
    dr->outlier_detection = get_map(t, dr->traffic_policy, "outlierDetection", tpp);
    const ml_node *lb = get_map(t, dr->traffic_policy, "loadBalancer", tpp);
    dr->lb_simple = get_scalar(t, lb, "simple", PK(tpp, "loadBalancer"), "a policy name");
    const ml_node *cph = get_map(t, dr->connection_pool, "http", PK(tpp, "connectionPool"));
    dr->h2_upgrade = get_scalar(t, cph, "h2UpgradePolicy", PK(PK(tpp, "connectionPool"), "http"),
                                "a policy name");

    const ml_node *pls = get_seq(t, dr->traffic_policy, "portLevelSettings", tpp, "a list of port settings");
    const path *plp = PK(tpp, "portLevelSettings");
    size_t n = capped(t, pls, plp);
    if (n)
        dr->port_settings = ml_zalloc(m->arena, n * sizeof *dr->port_settings);
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(plp, i);
        const ml_node *it = map_item(t, pls, i, ip, "a mapping");
        if (!it)
            continue;
        ml_dr_port_setting *ps = &dr->port_settings[dr->nport_settings++];
        ps->node = it;
        const ml_node *port = get_map(t, it, "port", ip);
        get_port(t, port, "number", PK(ip, "port"), &ps->port);
        parse_tls_block(t, it, ip, &ps->tls, &ps->tls_mode);
    }

    const ml_node *subs = get_seq(t, r->spec, "subsets", specp, "a list of subsets");
    const path *ssp = PK(specp, "subsets");
    n = capped(t, subs, ssp);
    if (n)
        dr->subsets = ml_zalloc(m->arena, n * sizeof *dr->subsets);
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(ssp, i);
        const ml_node *it = map_item(t, subs, i, ip, "a subset mapping");
        if (!it)
            continue;
        ml_dr_subset *s = &dr->subsets[dr->nsubsets++];
        s->node = it;
        s->name = get_scalar(t, it, "name", ip, "a string");
        s->labels = get_strmap(t, it, "labels", ip);
        s->traffic_policy = get_map(t, it, "trafficPolicy", ip);
        const ml_node *tls;
        parse_tls_block(t, s->traffic_policy, PK(ip, "trafficPolicy"), &tls, &s->tls_mode);
    }
    dr->export_to = get_seq(t, r->spec, "exportTo", specp, "a list of namespaces");
    dr->workload_selector = get_map(t, r->spec, "workloadSelector", specp);
}

/* A list of host names (VirtualService, ServiceEntry); bad items are skipped. */
static size_t parse_hosts(tctx *t, const path *specp, const ml_node ***out)
{
    const ml_node *hosts = get_seq(t, t->r->spec, "hosts", specp, "a list of host names");
    const path *hp = PK(specp, "hosts");
    size_t n = capped(t, hosts, hp), k = 0;
    *out = NULL;
    if (!n)
        return 0;
    *out = ml_zalloc(t->m->arena, n * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        const ml_node *h = check_scalar(t, &hosts->elems[i], PI(hp, i), "a host name");
        if (h)
            (*out)[k++] = h;
    }
    return k;
}

static void parse_dest(tctx *t, const ml_node *d, const path *dp, ml_destination *out)
{
    out->node = d;
    out->host = get_scalar(t, d, "host", dp, "a host name");
    out->fqdn = out->host ? ml_resolve_host(t->m, ml_str(out->host), t->r->ns) : NULL;
    out->subset = get_scalar(t, d, "subset", dp, "a subset name");
    const ml_node *port = get_map(t, d, "port", dp);
    out->port = get_port(t, port, "number", PK(dp, "port"), &out->port_num);
    out->weight = NULL;
    out->weight_num = -1;
}

static void parse_route(tctx *t, ml_route *rt, ml_route_proto proto, const ml_node *it, size_t idx,
                        const path *ip)
{
    rt->proto = proto;
    rt->node = it;
    rt->index = idx;
    rt->name = get_scalar(t, it, "name", ip, "a string");
    rt->match = get_seq(t, it, "match", ip, "a list of match conditions");

    const ml_node *rs = get_seq(t, it, "route", ip, "a list of destinations");
    const path *rp = PK(ip, "route");
    size_t n = capped(t, rs, rp);
    if (n)
        rt->dest = ml_zalloc(t->m->arena, n * sizeof *rt->dest);
    for (size_t i = 0; i < n; i++) {
        const path *rip = PI(rp, i);
        const ml_node *ri = map_item(t, rs, i, rip, "a mapping with a destination");
        if (!ri)
            continue;
        const ml_node *d = get_map(t, ri, "destination", rip);
        long long w;
        const ml_node *wn = get_int(t, ri, "weight", rip, &w);
        check_range(t, wn, PK(rip, "weight"), &w, 0, 2147483647LL, "a weight", false);
        if (!d)
            continue;
        ml_destination *dst = &rt->dest[rt->ndest++];
        parse_dest(t, d, PK(rip, "destination"), dst);
        dst->weight = wn;
        dst->weight_num = w;
    }
    if (proto != ML_ROUTE_HTTP)
        return;
    const ml_node *mirror = get_map(t, it, "mirror", ip);
    if (mirror) {
        rt->mirror = ml_zalloc(t->m->arena, sizeof *rt->mirror);
        parse_dest(t, mirror, PK(ip, "mirror"), rt->mirror);
    }
    rt->retries = get_map(t, it, "retries", ip);
    const path *rtp = PK(ip, "retries");
    long long at;
    rt->attempts = get_int(t, rt->retries, "attempts", rtp, &at);
    check_range(t, rt->attempts, PK(rtp, "attempts"), &at, 0, 2147483647LL, "retries.attempts", false);
    rt->per_try_timeout = get_scalar(t, rt->retries, "perTryTimeout", rtp, "a duration");
    rt->retry_on = get_scalar(t, rt->retries, "retryOn", rtp, "a string");
    rt->timeout = get_scalar(t, it, "timeout", ip, "a duration");
    rt->redirect = get_map(t, it, "redirect", ip);
    rt->direct_response = get_map(t, it, "directResponse", ip);
    rt->delegate = get_map(t, it, "delegate", ip);
}

static void parse_vs(tctx *t)
{
    ml_model *m = t->m;
    ml_resource *r = t->r;
    ml_virtualservice *vs = ml_zalloc(m->arena, sizeof *vs);
    vs->res = r;
    r->u.vs = vs;
    const path *specp = PK(NULL, "spec");
    vs->nhosts = parse_hosts(t, specp, &vs->hosts);
    if (vs->nhosts) {
        vs->fqdns = ml_alloc(m->arena, vs->nhosts * sizeof *vs->fqdns);
        for (size_t i = 0; i < vs->nhosts; i++)
            vs->fqdns[i] = ml_resolve_host(m, ml_str(vs->hosts[i]), r->ns);
    }
    vs->gateways = get_seq(t, r->spec, "gateways", specp, "a list of gateway names");
    vs->mesh_gateway = !vs->gateways || ml_node_n(vs->gateways) == 0;
    for (size_t i = 0; vs->gateways && i < ml_node_n(vs->gateways); i++) {
        const ml_node *g = check_scalar(t, &vs->gateways->elems[i], PI(PK(specp, "gateways"), i),
                                        "a gateway name");
        if (g && ml_streq(ml_str(g), "mesh"))
            vs->mesh_gateway = true;
    }

    static const char *const keys[3] = {"http", "tcp", "tls"};
    static const ml_route_proto protos[3] = {ML_ROUTE_HTTP, ML_ROUTE_TCP, ML_ROUTE_TLS};
    const ml_node *lists[3];
    size_t counts[3], total = 0;
    for (int k = 0; k < 3; k++) {
        lists[k] = get_seq(t, r->spec, keys[k], specp, "a list of routes");
        counts[k] = capped(t, lists[k], PK(specp, keys[k]));
        total += counts[k];
    }
    if (total)
        vs->routes = ml_zalloc(m->arena, total * sizeof *vs->routes);
    for (int k = 0; k < 3; k++) {
        const path *lp = PK(specp, keys[k]);
        for (size_t i = 0; i < counts[k]; i++) {
            const path *ip = PI(lp, i);
            const ml_node *it = map_item(t, lists[k], i, ip, "a route mapping");
            if (!it)
                continue;
            parse_route(t, &vs->routes[vs->nroutes++], protos[k], it, i, ip);
        }
    }
    vs->export_to = get_seq(t, r->spec, "exportTo", specp, "a list of namespaces");
}

static void parse_authz(tctx *t)
{
    ml_resource *r = t->r;
    ml_authz *p = ml_zalloc(t->m->arena, sizeof *p);
    p->res = r;
    r->u.authz = p;
    const path *specp = PK(NULL, "spec");
    p->selector = istio_selector(t, specp);
    p->action_node = get_scalar(t, r->spec, "action", specp, "an action name");
    const char *a = ml_str(p->action_node);
    if (!a || strcmp(a, "ALLOW") == 0)
        p->action = ML_AUTHZ_ALLOW;
    else if (strcmp(a, "DENY") == 0)
        p->action = ML_AUTHZ_DENY;
    else if (strcmp(a, "AUDIT") == 0)
        p->action = ML_AUTHZ_AUDIT;
    else if (strcmp(a, "CUSTOM") == 0)
        p->action = ML_AUTHZ_CUSTOM;
    else
        p->action = ML_AUTHZ_INVALID;
    p->rules = get_seq(t, r->spec, "rules", specp, "a list of rules");
    p->target_refs = get_seq(t, r->spec, "targetRefs", specp, "a list of references");
    if (!p->target_refs)
        p->target_refs = get_map(t, r->spec, "targetRef", specp);
}

static void parse_se(tctx *t)
{
    ml_serviceentry *se = ml_zalloc(t->m->arena, sizeof *se);
    se->res = t->r;
    t->r->u.se = se;
    se->nhosts = parse_hosts(t, PK(NULL, "spec"), &se->hosts);
    se->export_to = get_seq(t, t->r->spec, "exportTo", PK(NULL, "spec"), "a list of namespaces");
}

/* ---- Gateway API (gateway.networking.k8s.io) ---------------------------
 * Defaults from the Gateway API types (sigs.k8s.io/gateway-api apis/v1
 * shared_types.go ParentReference, httproute_types.go BackendRef). */

#define GW_GROUP "gateway.networking.k8s.io"

static const char *str_or(const ml_node *n, const char *dflt)
{
    const char *s = ml_str(n);
    return s ? s : dflt;
}

static void parse_gw_ref(tctx *t, const ml_node *it, const path *ip, bool backend, ml_gw_ref *out)
{
    out->node = it;
    out->group = get_string(t, it, "group", ip);
    out->kind = get_string(t, it, "kind", ip);
    out->name = get_string(t, it, "name", ip);
    out->namespace_ = get_string(t, it, "namespace", ip);
    out->port = get_int(t, it, "port", ip, &out->port_num);
    out->section_name = backend ? NULL : get_string(t, it, "sectionName", ip);
    out->group_s = str_or(out->group, backend ? "" : GW_GROUP);
    out->kind_s = str_or(out->kind, backend ? "Service" : "Gateway");
    const char *ns = ml_str(out->namespace_);
    out->ns = ns && *ns ? ns : t->r->ns;
    out->is_service = strcmp(out->group_s, "") == 0 && strcmp(out->kind_s, "Service") == 0;
    out->is_gateway = strcmp(out->group_s, GW_GROUP) == 0 && strcmp(out->kind_s, "Gateway") == 0;
    out->weight_num = -1;
    if (backend) {
        out->weight = get_int(t, it, "weight", ip, &out->weight_num);
        if (!out->weight && !ml_get(it, "weight"))
            out->weight_num = 1; /* BackendRef.Weight defaults to 1 */
    }
}

static size_t parse_gw_refs(tctx *t, const ml_node *parent, const char *key, const path *pp, bool backend,
                            ml_gw_ref **out)
{
    const ml_node *seq = get_seq(t, parent, key, pp, "a list of references");
    const path *sp = PK(pp, key);
    size_t n = capped(t, seq, sp), k = 0;
    *out = NULL;
    if (!n)
        return 0;
    *out = ml_zalloc(t->m->arena, n * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(sp, i);
        const ml_node *it = map_item(t, seq, i, ip, "a reference mapping");
        if (it)
            parse_gw_ref(t, it, ip, backend, &(*out)[k++]);
    }
    return k;
}

static void parse_k8s_gateway(tctx *t)
{
    ml_resource *r = t->r;
    ml_k8s_gateway *g = ml_zalloc(t->m->arena, sizeof *g);
    g->res = r;
    r->u.gw = g;
    const path *specp = PK(NULL, "spec");
    g->class_name = get_string(t, r->spec, "gatewayClassName", specp);
    g->waypoint = ml_streq(ml_str(g->class_name), "istio-waypoint");
    const ml_node *ls = get_seq(t, r->spec, "listeners", specp, "a list of listeners");
    const path *lp = PK(specp, "listeners");
    size_t n = capped(t, ls, lp);
    if (n)
        g->listeners = ml_zalloc(t->m->arena, n * sizeof *g->listeners);
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(lp, i);
        const ml_node *it = map_item(t, ls, i, ip, "a listener mapping");
        if (!it)
            continue;
        ml_gw_listener *l = &g->listeners[g->nlisteners++];
        l->node = it;
        l->name = get_string(t, it, "name", ip);
        l->port = get_int(t, it, "port", ip, &l->port_num);
        l->protocol = get_string(t, it, "protocol", ip);
        l->hostname = get_string(t, it, "hostname", ip);
        const ml_node *ar = get_map(t, it, "allowedRoutes", ip);
        const path *arp = PK(ip, "allowedRoutes");
        const ml_node *ans = get_map(t, ar, "namespaces", arp);
        l->allowed_from = get_string(t, ans, "from", PK(arp, "namespaces"));
        l->allowed_selector = get_map(t, ans, "selector", PK(arp, "namespaces"));
        l->allowed_kinds = get_seq(t, ar, "kinds", arp, "a list of route kinds");
        l->tls = get_map(t, it, "tls", ip);
        l->tls_mode = get_string(t, l->tls, "mode", PK(ip, "tls"));
        l->cert_refs = get_seq(t, l->tls, "certificateRefs", PK(ip, "tls"), "a list of references");
    }
}

static void parse_gw_route(tctx *t)
{
    ml_resource *r = t->r;
    ml_gw_route *rt = ml_zalloc(t->m->arena, sizeof *rt);
    rt->res = r;
    r->u.route = rt;
    const path *specp = PK(NULL, "spec");
    rt->nparents = parse_gw_refs(t, r->spec, "parentRefs", specp, false, &rt->parents);
    if (r->kind != ML_K_TCPROUTE) {
        const ml_node *hs = get_seq(t, r->spec, "hostnames", specp, "a list of host names");
        const path *hp = PK(specp, "hostnames");
        size_t n = capped(t, hs, hp);
        if (n)
            rt->hostnames = ml_zalloc(t->m->arena, n * sizeof *rt->hostnames);
        for (size_t i = 0; i < n; i++) {
            const ml_node *h = check_string(t, &hs->elems[i], PI(hp, i));
            if (h)
                rt->hostnames[rt->nhostnames++] = h;
        }
    }
    const ml_node *rules = get_seq(t, r->spec, "rules", specp, "a list of rules");
    const path *rp = PK(specp, "rules");
    size_t n = capped(t, rules, rp);
    if (n)
        rt->rules = ml_zalloc(t->m->arena, n * sizeof *rt->rules);
    for (size_t i = 0; i < n; i++) {
        const path *ip = PI(rp, i);
        const ml_node *it = map_item(t, rules, i, ip, "a rule mapping");
        if (!it)
            continue;
        ml_gw_rule *ru = &rt->rules[rt->nrules++];
        ru->node = it;
        ru->index = i;
        if (r->kind == ML_K_HTTPROUTE || r->kind == ML_K_GRPCROUTE) {
            ru->matches = get_seq(t, it, "matches", ip, "a list of matches");
            ru->filters = get_seq(t, it, "filters", ip, "a list of filters");
        }
        if (r->kind == ML_K_HTTPROUTE) {
            ru->timeouts = get_map(t, it, "timeouts", ip);
            ru->timeout_request = get_string(t, ru->timeouts, "request", PK(ip, "timeouts"));
            ru->timeout_backend = get_string(t, ru->timeouts, "backendRequest", PK(ip, "timeouts"));
            ru->retry = get_map(t, it, "retry", ip);
            ru->retry_attempts = get_int(t, ru->retry, "attempts", PK(ip, "retry"), NULL);
        }
        ru->nbackends = parse_gw_refs(t, it, "backendRefs", ip, true, &ru->backends);
    }
}

static void parse_refgrant(tctx *t)
{
    ml_resource *r = t->r;
    ml_refgrant *g = ml_zalloc(t->m->arena, sizeof *g);
    g->res = r;
    r->u.refgrant = g;
    const path *specp = PK(NULL, "spec");
    const ml_node *from = get_seq(t, r->spec, "from", specp, "a list of references");
    const ml_node *to = get_seq(t, r->spec, "to", specp, "a list of references");
    size_t nf = capped(t, from, PK(specp, "from")), nt = capped(t, to, PK(specp, "to"));
    if (nf)
        g->from = ml_zalloc(t->m->arena, nf * sizeof *g->from);
    if (nt)
        g->to = ml_zalloc(t->m->arena, nt * sizeof *g->to);
    for (size_t i = 0; i < nf; i++) {
        const path *ip = PI(PK(specp, "from"), i);
        const ml_node *it = map_item(t, from, i, ip, "a reference mapping");
        if (!it)
            continue;
        ml_refgrant_from *f = &g->from[g->nfrom++];
        f->node = it;
        f->group = str_or(get_string(t, it, "group", ip), "");
        f->kind = str_or(get_string(t, it, "kind", ip), "");
        f->ns = str_or(get_string(t, it, "namespace", ip), "");
    }
    for (size_t i = 0; i < nt; i++) {
        const path *ip = PI(PK(specp, "to"), i);
        const ml_node *it = map_item(t, to, i, ip, "a reference mapping");
        if (!it)
            continue;
        ml_refgrant_to *o = &g->to[g->nto++];
        o->node = it;
        o->group = str_or(get_string(t, it, "group", ip), "");
        o->kind = str_or(get_string(t, it, "kind", ip), "");
        const char *nm = ml_str(get_string(t, it, "name", ip));
        o->name = nm && *nm ? nm : NULL;
    }
}

/* ---- end of Gateway API ------------------------------------------------- */

/* ---- documents -------------------------------------------------------- */

void ml_model_init(ml_model *m, ml_arena *a, const struct ml_config *cfg)
{
    memset(m, 0, sizeof *m);
    m->arena = a;
    m->cfg = cfg;
    ml_map_init(&m->by_key);
    ml_map_init(&m->ns_workloads);
    ml_map_init(&m->label_index);
    ml_map_init(&m->proto_by_name);
    ml_map_init(&m->svc_by_host);
    ml_map_init(&m->dr_by_host);
    ml_map_init(&m->vs_by_host);
    ml_map_init(&m->se_by_host);
    ml_map_init(&m->namespaces);
    ml_map_init(&m->ns_present);
    ml_map_init(&m->unread_workload_ns);
}

static void add_resource(ml_model *m, ml_doc *doc, const ml_node *root, int depth)
{
    if (!ml_is_map(root))
        return;
    const ml_node *av = ml_get(root, "apiVersion"), *kn = ml_get(root, "kind");
    if (!ml_is_scalar(av) || !ml_is_scalar(kn) || ml_is_null(av) || ml_is_null(kn))
        return;
    const char *api = ml_str(av), *kind = ml_str(kn);

    ml_resource *r = ml_zalloc(m->arena, sizeof *r);
    tctx t = {m, r, 0};
    r->api_version = api;
    r->kind_str = kind;
    r->doc = doc;
    r->root = root;
    r->kind_node = kn;

    if (strcmp(kind, "List") == 0 && strcmp(api, "v1") == 0) {
        /* Not a resource itself; r only carries its shape problems. */
        r->kind = ML_K_OTHER;
        r->name = r->ns = "";
        r->key = "List//";
        const ml_node *items = get_seq(&t, root, "items", NULL, "a list of resources");
        size_t n = capped(&t, items, PK(NULL, "items"));
        for (size_t i = 0; i < n && depth < MAX_LIST_DEPTH; i++)
            add_resource(m, doc, &items->elems[i], depth + 1);
        return;
    }

    const kind_def *near;
    bool same_group;
    r->kind = classify(api, kind, &near, &same_group);
    /* The Gateway API adds versions faster than Istio reads them (a
     * TLSRoute v1alpha3 is served by newer CRDs): such a resource is kept
     * untyped without calling its version wrong; rules treat it as unknown. */
    if (near && same_group && !ml_kind_is_gwapi(near->kind)) {
        ml_buf b;
        ml_buf_init(&b);
        ml_buf_printf(&b, "apiVersion should be ");
        for (const char *v = near->versions; *v;) {
            const char *e = strchr(v, ' ');
            int n = e ? (int)(e - v) : (int)strlen(v);
            ml_buf_printf(&b, "%s%s%s%.*s", v == near->versions ? "" : e ? ", " : " or ", near->group,
                          *near->group ? "/" : "", n, v);
            v = e ? e + 1 : v + n;
        }
        ml_buf_printf(&b, " for kind %s, not \"%s\"; meshlint does not read this resource", kind, api);
        shape_msg(&t, av, ml_strndup(m->arena, b.s, b.n));
        ml_buf_free(&b);
    }
    const removed_api *gone = r->kind == ML_K_OTHER && !(near && same_group) ? find_removed_api(api, kind) : NULL;
    if (gone)
        shape_msg(&t, av, ml_printf(m->arena, "apiVersion \"%s\" for kind %s was removed in %s: the API server "
                                              "rejects it, so this resource is never applied; meshlint does not "
                                              "read it",
                                    api, kind, gone->what));
    const path *mp = PK(NULL, "metadata");
    r->metadata = get_map(&t, root, "metadata", NULL);
    r->name_node = get_string(&t, r->metadata, "name", mp);
    r->ns_node = get_string(&t, r->metadata, "namespace", mp);
    r->labels = get_strmap(&t, r->metadata, "labels", mp);
    r->annotations = get_strmap(&t, r->metadata, "annotations", mp);
    r->name = r->name_node ? ml_str(r->name_node) : "";
    if (r->kind != ML_K_OTHER && (!r->name_node || !*r->name) && !ml_get(r->metadata, "generateName"))
        shape_msg(&t, r->metadata ? (const ml_node *)r->metadata : kn,
                  ml_printf(m->arena, "metadata.name should be set: the API server rejects a %s without a name "
                                      "(or generateName), so it is never applied",
                            kind));
    const char *ns = ml_str(r->ns_node);
    if (r->kind == ML_K_NAMESPACE) {
        r->ns = r->name;
        r->ns_explicit = true;
    } else if (ns && *ns) {
        r->ns = ns;
        r->ns_explicit = true;
    } else if (r->kind == ML_K_OTHER && cluster_scoped(kind)) {
        r->ns = "";
    } else {
        r->ns = cfg_default_ns(m);
    }
    /* A kind of ours under another API group (the Gateway API's Gateway) or
     * version is not the object we type: keep its key apart from ours. */
    const char *kind_key = r->kind != ML_K_OTHER ? key_kind(r->kind) : kind;
    if (near) {
        const char *slash = strchr(api, '/');
        kind_key = slash ? ml_printf(m->arena, "%s.%.*s", kind, (int)(slash - api), api)
                         : ml_printf(m->arena, "%s.core", kind);
    }
    /* Objects without a name are not definitions of one object. */
    if (r->name_node && *r->name) {
        const char *parts[] = {kind_key, r->ns, r->name}; /* joined: one per resource */
        r->key = ml_key_dup(m->arena, NULL, '/', 3, parts);
    } else {
        r->key = ml_printf(m->arena, "%s/%s/(unnamed #%zu)", kind_key, r->ns, m->resources.n);
    }

    if (r->kind == ML_K_OTHER) {
        const ml_node *spec = ml_get(root, "spec");
        r->spec = ml_is_map(spec) ? spec : NULL;
    } else {
        r->spec = get_map(&t, root, "spec", NULL);
    }

    /* a workload kind in a version that is not read (removed, or unknown) */
    if (r->kind == ML_K_OTHER && ((near && same_group) || gone)) {
        const ml_kind wk = near ? near->kind : ML_K_OTHER;
        if ((near && ml_kind_is_workload(wk)) || (!near && gone && strcmp(gone->api, "extensions/v1beta1") == 0) ||
            (!near && gone && strcmp(kind, "CronJob") == 0))
            ml_map_put(&m->unread_workload_ns, r->ns, strlen(r->ns), (void *)1);
    }

    switch (r->kind) {
    case ML_K_DEPLOYMENT:
    case ML_K_STATEFULSET:
    case ML_K_DAEMONSET:
    case ML_K_REPLICASET:
    case ML_K_JOB:
    case ML_K_CRONJOB:
    case ML_K_POD: parse_workload(&t); break;
    case ML_K_SERVICE: parse_service(&t); break;
    case ML_K_CONFIGMAP: parse_configmap(&t); break;
    case ML_K_PEERAUTHENTICATION: parse_peerauth(&t); break;
    case ML_K_DESTINATIONRULE: parse_destrule(&t); break;
    case ML_K_VIRTUALSERVICE: parse_vs(&t); break;
    case ML_K_AUTHORIZATIONPOLICY: parse_authz(&t); break;
    case ML_K_SERVICEENTRY: parse_se(&t); break;
    case ML_K_GW_GATEWAY: parse_k8s_gateway(&t); break;
    case ML_K_HTTPROUTE:
    case ML_K_GRPCROUTE:
    case ML_K_TCPROUTE:
    case ML_K_TLSROUTE: parse_gw_route(&t); break;
    case ML_K_REFERENCEGRANT: parse_refgrant(&t); break;
    default: break;
    }

    r->order = (unsigned)m->resources.n;
    r->group = doc->unit ? (const void *)doc->unit : (const void *)doc->file;
    r->rank = m->doc_rank;
    ml_vec_push(m->arena, &m->resources, r);
    ml_vec_push(m->arena, &m->by_kind[r->kind], r);
}

/* A glob of an apply set takes a path when it matches the path, one of its
 * directories, or the path without a leading "./". */
static bool set_glob_takes(const char *g, const char *fpath)
{
    if (!fpath)
        return false;
    if (fpath[0] == '.' && fpath[1] == '/')
        fpath += 2;
    if (ml_glob_match(g, fpath))
        return true;
    for (const char *p = fpath; (p = strchr(p, '/')); p++) {
        char buf[4096];
        size_t n = (size_t)(p - fpath);
        if (n >= sizeof buf)
            break;
        memcpy(buf, fpath, n);
        buf[n] = '\0';
        if (ml_glob_match(g, buf))
            return true;
    }
    return false;
}

/* The apply set of .meshlint.yaml that takes a loose file (the first set
 * whose glob matches), as an ml_unit created on first use; *rank receives
 * the index of the glob (apply order inside the set). */
static const ml_unit *apply_set_unit(ml_model *m, const ml_file *f, unsigned *rank)
{
    if (!m->cfg || !f)
        return NULL;
    for (size_t i = 0; i < m->cfg->apply_sets.n; i++) {
        const ml_apply_set *set = m->cfg->apply_sets.items[i];
        for (size_t g = 0; g < set->globs.n; g++) {
            if (!set_glob_takes(set->globs.items[g], f->path))
                continue;
            *rank = (unsigned)g;
            ML_VEC_EACH(ml_unit *, u, &m->units)
                if (u->kind == ML_UNIT_APPLYSET && ml_streq(u->name, set->name))
                    return u;
            ml_unit *u = ml_zalloc(m->arena, sizeof *u);
            u->kind = ML_UNIT_APPLYSET;
            u->id = (unsigned)m->units.n + 1;
            u->name = set->name;
            ml_vec_push(m->arena, &m->units, u);
            return u;
        }
    }
    return NULL;
}

void ml_model_add_doc(ml_model *m, ml_doc *doc)
{
    /* m->docs and m->files are the loader's (the engine pushes them). */
    if (!doc)
        return;
    m->doc_rank = 0;
    if (!doc->unit)
        doc->unit = apply_set_unit(m, doc->file, &m->doc_rank);
    add_resource(m, doc, doc->root, 0);
}

/* ---- finish: winners and indexes ------------------------------------- */

/* Push item under key unless it is already the last item there (the same
 * object listing one key twice). */
/* ml_map_push for an index whose entries mostly hold one item (a key's
 * definitions, a host's Service, a label's workloads): a new entry is its
 * vector and that item in one 32-byte block, where ml_map_push takes a
 * vector and room for four (64 bytes); it grows as any vector from there. */
static void index_push(ml_arena *a, ml_map *map, const char *key, size_t len, void *item)
{
    void **slot = ml_map_slot_for(map, key, len);
    if (*slot) {
        ml_vec_push(a, *slot, item);
        return;
    }
    struct one {
        ml_vec v;
        void *item[1];
    } *e = ml_alloc(a, sizeof *e);
    e->v.items = e->item;
    e->v.n = e->v.cap = 1;
    e->item[0] = item;
    *slot = &e->v;
}

/* An entry of by_key: the vector of a key's alternatives, with room for
 * the one most keys have (index_push's block). */
typedef struct key_entry {
    ml_vec v;
    void *item[1];
} key_entry;

static void push_once_n(ml_model *m, ml_map *map, const char *key, size_t len, void *item)
{
    const ml_vec *v = ml_map_vec(map, key, len);
    if (v && v->n && v->items[v->n - 1] == item)
        return;
    index_push(m->arena, map, key, len, item);
}

static void push_once(ml_model *m, ml_map *map, const char *key, void *item)
{
    push_once_n(m, map, key, strlen(key), item);
}

/* The group's address in hex, as a key part: it only keys a hash lookup
 * and never reaches the output. buf holds 2 * sizeof(void *) + 1 bytes. */
static const char *group_hex(char *buf, const void *group)
{
    uintptr_t v = (uintptr_t)group;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < 2 * sizeof v; i++)
        buf[i] = hex[(v >> (4 * (2 * sizeof v - 1 - i))) & 15];
    buf[2 * sizeof v] = '\0';
    return buf;
}

static char *group_key(ml_arena *a, const void *group, const char *key, size_t *len)
{
    char hx[2 * sizeof(void *) + 1];
    const char *parts[] = {group_hex(hx, group), key};
    return ml_key_dup(a, len, '\x1f', 2, parts);
}

typedef struct wild_entry {
    const char *pattern; /* "*" or "*.suffix" */
    void *obj;           /* ml_destrule* or ml_virtualservice* */
    unsigned order;
} wild_entry;

static void add_wild(ml_model *m, ml_vec *v, const char *pattern, void *obj, unsigned order)
{
    wild_entry *e = ml_alloc(m->arena, sizeof *e);
    e->pattern = pattern;
    e->obj = obj;
    e->order = order;
    ml_vec_push(m->arena, v, e);
}

static void index_label(ml_model *m, ml_workload *w)
{
    const ml_node *labels = w->pod_labels;
    for (size_t i = 0; labels && i < ml_node_n(labels); i++) {
        const char *k = ml_str(&labels->kvs[i].key);
        const char *v = ml_str(&labels->kvs[i].value);
        if (!k || !v)
            continue;
        const char *parts[] = {w->res->ns, k, v};
        /* a label many workloads of a namespace share (version=stable)
         * has one key: copied into the arena only when new */
        ml_key probe;
        ml_key_join(&probe, '\x1f', 3, parts);
        ml_vec *have = ml_map_get(&m->label_index, probe.s, probe.n);
        if (have && have->n) {
            if (have->items[have->n - 1] != w)
                ml_vec_push(m->arena, have, w);
            ml_key_done(&probe);
            continue;
        }
        ml_key_done(&probe);
        size_t len;
        char *key = ml_key_dup(m->arena, &len, '\x1f', 3, parts);
        push_once_n(m, &m->label_index, key, len, w);
    }
}

void ml_model_finish(ml_model *m)
{
    ml_arena *a = m->arena;

    /* Working memory of the passes over groups, gone at the end of them. */
    ml_arena scratch;
    ml_arena_init(&scratch);
    size_t nres = m->resources.n;
    bool *has_next = ml_zalloc(&scratch, (nres ? nres : 1) * sizeof *has_next);
    /* Every definition chains to the previous one of its key (any group).
     * The key's entry in by_key is made here, once: it becomes the
     * vector of the key's alternatives below, and each resource keeps its
     * entry (key_of, by position in m->resources) so that no key is hashed
     * again. While chaining, the entry's inline item is the key's last
     * definition so far (cap 0: no alternative pushed yet). */
    key_entry **key_of = ml_alloc(&scratch, (nres ? nres : 1) * sizeof *key_of);
    ML_VEC_EACH(ml_resource *, r, &m->resources) {
        void **slot = ml_map_slot_for(&m->by_key, r->key, strlen(r->key));
        key_entry *e = *slot;
        if (!e) {
            e = ml_alloc(a, sizeof *e);
            e->v.items = e->item;
            e->v.n = e->v.cap = 0;
            e->item[0] = NULL;
            *slot = e;
        }
        key_of[r_i] = e;
        ml_resource *prev = e->item[0];
        r->prev_def = prev;
        if (prev && prev->order < nres && m->resources.items[prev->order] == prev)
            has_next[prev->order] = true;
        e->item[0] = r;
    }
    /* Inside a meeting group the definition applied last (apply-set rank,
     * then load order) replaces the others; the survivors of all groups are
     * the key's alternatives. A key's only definition survives as it is:
     * the group and key of the others alone are indexed, for this pass
     * (ml_model_group_def finds a group's survivor among the alternatives). */
    ml_map group_defs; /* group pointer + key -> the group's definition so far */
    ml_map_init(&group_defs);
    ML_VEC_EACH(ml_resource *, r, &m->resources) {
        bool indexed = r->order < nres && m->resources.items[r->order] == r;
        if (!r->prev_def && indexed && !has_next[r->order])
            continue;
        size_t gklen;
        char *gk = group_key(&scratch, r->group, r->key, &gklen);
        void **slot = ml_map_slot_for(&group_defs, gk, gklen);
        ml_resource *prev = *slot;
        if (!prev) {
            *slot = r;
        } else if (r->rank >= prev->rank) {
            prev->replaced_by = r;
            *slot = r;
        } else {
            r->replaced_by = prev;
        }
    }
    ml_map_free(&group_defs);
    /* One replaced later in its group by a definition that was itself
     * replaced: point at the survivor. The live ones, in load order, are
     * the key's alternatives (every key has one: each group keeps one). */
    ML_VEC_EACH(ml_resource *, r, &m->resources) {
        while (r->replaced_by && r->replaced_by->replaced_by)
            r->replaced_by = r->replaced_by->replaced_by;
        r->live = r->replaced_by == NULL;
        if (!r->live)
            continue;
        key_entry *e = key_of[r_i];
        if (!e->v.cap) {
            e->v.cap = 1;
            e->v.n = 0;
        }
        ml_vec_push(a, &e->v, r);
    }
    ML_VEC_EACH(ml_resource *, r, &m->resources) {
        r->nalts = (unsigned)key_of[r_i]->v.n;
    }
    ml_arena_free(&scratch);
    const char *prev_ns = NULL; /* resources of one file mostly share a namespace */
    ML_VEC_EACH(ml_resource *, r, &m->resources) {
        if (r->ns && *r->ns && !(prev_ns && strcmp(prev_ns, r->ns) == 0)) {
            ml_map_put(&m->ns_present, r->ns, strlen(r->ns), (void *)1);
            prev_ns = r->ns;
        }
        if (ml_kind_is_istio(r->kind))
            m->is_mesh_repo = true;
        if (r->kind == ML_K_NAMESPACE) {
            const char *inj = ml_label(r->labels, "istio-injection");
            const char *rev = ml_label(r->labels, "istio.io/rev");
            if (ml_streq(inj, "enabled") || (rev && *rev))
                m->is_mesh_repo = true;
        }
        if (!r->live)
            continue;
        switch (r->kind) {
        case ML_K_NAMESPACE:
            index_push(a, &m->namespaces, r->name, strlen(r->name), r);
            break;
        case ML_K_SERVICE:
            push_once(m, &m->svc_by_host, r->u.service->fqdn, r->u.service);
            break;
        case ML_K_DESTINATIONRULE: {
            ml_destrule *dr = r->u.destrule;
            if (!dr->fqdn)
                break;
            push_once(m, &m->dr_by_host, dr->fqdn, dr);
            if (dr->fqdn[0] == '*')
                add_wild(m, &m->dr_wildcards, dr->fqdn, dr, r->order);
            break;
        }
        case ML_K_VIRTUALSERVICE: {
            ml_virtualservice *vs = r->u.vs;
            for (size_t i = 0; i < vs->nhosts; i++) {
                push_once(m, &m->vs_by_host, vs->fqdns[i], vs);
                if (vs->fqdns[i][0] == '*')
                    add_wild(m, &m->vs_wildcards, vs->fqdns[i], vs, r->order);
            }
            break;
        }
        case ML_K_SERVICEENTRY: {
            ml_serviceentry *se = r->u.se;
            for (size_t i = 0; i < se->nhosts; i++)
                push_once(m, &m->se_by_host, ml_str(se->hosts[i]), se);
            break;
        }
        default:
            if (ml_kind_is_workload(r->kind) && r->u.workload) {
                ml_workload *w = r->u.workload;
                ml_vec_push(a, &m->workloads, w);
                ml_map_push(&m->ns_workloads, a, r->ns, strlen(r->ns), w);
                index_label(m, w);
            }
            break;
        }
    }

    /* Services -> the workloads their selector picks (after the label index). */
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_SERVICE]) {
        ml_service *s = r->u.service;
        if (!r->live || !s->selector || ml_node_n(s->selector) == 0)
            continue;
        ml_vec sel = ml_model_select(m, r->ns, s->selector);
        /* the selection is a fresh vector: kept as it is when the Service
         * meets every workload in it (the usual case), not copied */
        bool all = true;
        ML_VEC_EACH(ml_workload *, w, &sel) {
            all &= ml_model_meets(m, r, w->res);
        }
        s->workloads = all ? sel : ml_model_seen_by(m, r, &sel);
        ML_VEC_EACH(ml_workload *, w, &s->workloads)
            ml_vec_push(a, &w->services, s);
    }
}

void ml_model_free(ml_model *m)
{
    ml_map_free(&m->by_key);
    ml_map_free(&m->proto_by_name);
    ml_map_free(&m->ns_workloads);
    ml_map_free(&m->label_index);
    ml_map_free(&m->svc_by_host);
    ml_map_free(&m->dr_by_host);
    ml_map_free(&m->vs_by_host);
    ml_map_free(&m->se_by_host);
    ml_map_free(&m->namespaces);
    ml_map_free(&m->ns_present);
    ml_map_free(&m->unread_workload_ns);
    if (m->mesh) {
        m->mesh = NULL;
    }
}

/* ---- lookups ---------------------------------------------------------- */

ml_resource *ml_model_group_def(const ml_model *m, const void *group, const char *key)
{
    if (!group || !key)
        return NULL;
    /* the group's surviving definition is live, so one of the key's
     * alternatives (one per group that defines the key): no index of its
     * own, which cost a key and a map slot per resource */
    const ml_vec *v = ml_map_vec(&m->by_key, key, strlen(key));
    ML_VEC_EACH(ml_resource *, r, v ? v : &(const ml_vec){0}) {
        if (r->group == group)
            return r;
    }
    return NULL;
}

bool ml_model_meets(const ml_model *m, const ml_resource *from, const ml_resource *to)
{
    if (!to || !to->live)
        return false;
    if (!from || from->group == to->group || to->nalts <= 1)
        return true; /* a single live definition is in no group of from's */
    return ml_model_group_def(m, from->group, to->key) == NULL;
}

static const ml_vec *alts_of(const ml_model *m, ml_kind k, const char *ns, const char *name)
{
    if (!name || (unsigned)k >= ML_K_OTHER)
        return NULL;
    if (k == ML_K_NAMESPACE)
        ns = name;
    if (!ns)
        return NULL;
    const char *parts[] = {key_kind(k), ns, name};
    ml_key key;
    ml_key_join(&key, '/', 3, parts);
    const ml_vec *v = ml_map_vec(&m->by_key, key.s, key.n);
    ml_key_done(&key);
    if (!v || !v->n || ((ml_resource *)v->items[0])->kind != k)
        return NULL;
    return v;
}

const ml_vec *ml_model_alternatives(const ml_model *m, ml_kind k, const char *ns, const char *name)
{
    return alts_of(m, k, ns, name);
}

/* A vector with room for exactly n items (8-aligned: lookups made by the
 * rules, often of one item, each took 32 bytes); pushing more grows it. */
static ml_vec vec_exact(ml_arena *a, size_t n)
{
    ml_vec v = {0};
    if (n) {
        v.items = ml_alloc_aligned(a, n * sizeof *v.items, _Alignof(void *));
        v.cap = n;
    }
    return v;
}

/* The items of v for which keep[i] is set, in order, in a vector of their
 * exact size; n: how many are set. */
static ml_vec vec_kept(ml_arena *a, const ml_vec *v, const bool *keep, size_t n)
{
    ml_vec out = vec_exact(a, n);
    for (size_t i = 0; i < v->n && out.n < n; i++)
        if (keep[i])
            out.items[out.n++] = v->items[i];
    return out;
}

enum { KEEP_STACK = 256 }; /* candidates judged on the stack before building a result */

ml_vec ml_model_view(const ml_model *m, const ml_resource *from, ml_kind k, const char *ns, const char *name)
{
    ml_vec out = {0};
    const ml_vec *v = alts_of(m, k, ns, name);
    if (!v)
        return out;
    if (v->n <= KEEP_STACK) {
        bool keep[KEEP_STACK];
        size_t n = 0;
        for (size_t i = 0; i < v->n; i++)
            n += keep[i] = ml_model_meets(m, from, v->items[i]);
        return vec_kept(m->arena, v, keep, n);
    }
    ML_VEC_EACH(ml_resource *, r, v)
        if (ml_model_meets(m, from, r))
            ml_vec_push(m->arena, &out, r);
    return out;
}

ml_vec ml_model_seen_by(const ml_model *m, const ml_resource *from, const ml_vec *typed)
{
    ml_vec out = {0};
    if (!typed)
        return out;
    if (typed->n <= KEEP_STACK) {
        bool keep[KEEP_STACK];
        size_t n = 0;
        for (size_t i = 0; i < typed->n; i++) {
            ml_resource *const *res = typed->items[i]; /* every typed record starts with its ml_resource *res */
            n += keep[i] = ml_model_meets(m, from, *res);
        }
        return vec_kept(m->arena, typed, keep, n);
    }
    for (size_t i = 0; i < typed->n; i++) {
        ml_resource *const *res = typed->items[i]; /* every typed record starts with its ml_resource *res */
        if (ml_model_meets(m, from, *res))
            ml_vec_push(m->arena, &out, typed->items[i]);
    }
    return out;
}

ml_resource *ml_model_find_for(const ml_model *m, const ml_resource *from, ml_kind k, const char *ns,
                               const char *name)
{
    /* ml_model_view's answer when it has one entry, without building it:
     * finds run per env lookup and per rule, and each view cost a vector */
    const ml_vec *v = alts_of(m, k, ns, name);
    ml_resource *hit = NULL;
    if (!v)
        return NULL;
    ML_VEC_EACH(ml_resource *, r, v) {
        if (!ml_model_meets(m, from, r))
            continue;
        if (hit)
            return NULL;
        hit = r;
    }
    return hit;
}

ml_resource *ml_model_find(const ml_model *m, ml_kind k, const char *ns, const char *name)
{
    return ml_model_find_for(m, NULL, k, ns, name);
}

bool ml_ns_is_apply_time(const char *ns)
{
    return ns && strcmp(ns, ML_NS_APPLY_TIME) == 0;
}

bool ml_ns_may_equal(const ml_model *m, const char *a, const char *b)
{
    (void)m;
    if (!a || !b)
        return false;
    return strcmp(a, b) == 0 || ml_ns_is_apply_time(a) || ml_ns_is_apply_time(b);
}

bool ml_model_unlinted_may_define(const ml_model *m, const char *ns)
{
    ML_VEC_EACH(const ml_unlinted *, u, &m->unlinted)
        if (!u->ns || !ns || ml_ns_may_equal(m, ns, u->ns))
            return true;
    return false;
}

bool ml_model_has_apply_time(const ml_model *m)
{
    return ml_map_gets(&m->ns_present, ML_NS_APPLY_TIME) != NULL;
}

ml_vec ml_model_select_may(const ml_model *m, const char *ns, const ml_node *sel)
{
    if (!ml_model_has_apply_time(m))
        return ml_model_select(m, ns, sel);
    ml_vec out = {0};
    if (ml_ns_is_apply_time(ns)) {
        /* bound to any namespace at apply time: every workload may be its neighbour */
        ML_VEC_EACH(ml_workload *, w, &m->workloads)
            if (ml_selector_matches_workload(sel, w))
                ml_vec_push(m->arena, &out, w);
        return out;
    }
    out = ml_model_select(m, ns, sel);
    ml_vec more = ml_model_select(m, ML_NS_APPLY_TIME, sel);
    ML_VEC_EACH(ml_workload *, w, &more)
        ml_vec_push(m->arena, &out, w);
    return out;
}

const ml_vec *ml_model_namespace_defs(const ml_model *m, const char *ns)
{
    return ns ? ml_map_vec(&m->namespaces, ns, strlen(ns)) : NULL;
}

const ml_vec *ml_model_ns_workloads(const ml_model *m, const char *ns)
{
    return ns ? ml_map_vec(&m->ns_workloads, ns, strlen(ns)) : NULL;
}

const char *ml_label(const ml_node *labels, const char *key)
{
    return ml_str(ml_get(labels, key));
}

bool ml_selector_matches(const ml_node *sel, const ml_node *labels)
{
    if (!ml_is_map(sel))
        return true;
    for (size_t i = 0; i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key);
        const char *v = ml_str(&sel->kvs[i].value);
        if (!k || !v)
            return false;
        const char *have = ml_label(labels, k);
        if (!have || strcmp(have, v) != 0)
            return false;
    }
    return true;
}

/* ---- labels the controller adds to the pods it creates ---------------------- */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* "<name>-<digits>": the pod of a StatefulSet with that ordinal. */
static bool ordinal_of(const char *v, const char *name)
{
    size_t n = strlen(name);
    return strncmp(v, name, n) == 0 && v[n] == '-' && all_digits(v + n + 1);
}

/* A key that some controller sets on its pods. */
static bool controller_key(const char *k)
{
    static const char *const keys[] = {"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
                                       "controller-revision-hash", "pod-template-hash", "pod-template-generation",
                                       "job-name", "batch.kubernetes.io/job-name", "controller-uid",
                                       "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index",
                                       NULL};
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(k, keys[i]) == 0)
            return true;
    return false;
}

/* Do the pods w's controller creates carry k=v although the template does
 * not say so? Values that are hashes or uids, unknown before the cluster
 * makes them, are taken as matching: absence of a match is never claimed
 * on a guess. */
static bool controller_label(const ml_workload *w, const char *k, const char *v)
{
    const char *name = w->res->name;
    switch (w->res->kind) {
    case ML_K_STATEFULSET:
        if (strcmp(k, "statefulset.kubernetes.io/pod-name") == 0)
            return ordinal_of(v, name);
        if (strcmp(k, "apps.kubernetes.io/pod-index") == 0)
            return all_digits(v);
        return strcmp(k, "controller-revision-hash") == 0;
    case ML_K_DEPLOYMENT:
    case ML_K_REPLICASET:
        return strcmp(k, "pod-template-hash") == 0;
    case ML_K_DAEMONSET:
        return strcmp(k, "controller-revision-hash") == 0 || strcmp(k, "pod-template-generation") == 0;
    case ML_K_JOB:
        if (strcmp(k, "job-name") == 0 || strcmp(k, "batch.kubernetes.io/job-name") == 0)
            return strcmp(v, name) == 0;
        if (strcmp(k, "batch.kubernetes.io/job-completion-index") == 0)
            return all_digits(v);
        return strcmp(k, "controller-uid") == 0 || strcmp(k, "batch.kubernetes.io/controller-uid") == 0;
    case ML_K_CRONJOB: /* its Jobs are named <cronjob>-<scheduled time> */
        if (strcmp(k, "job-name") == 0 || strcmp(k, "batch.kubernetes.io/job-name") == 0)
            return strncmp(v, name, strlen(name)) == 0 && v[strlen(name)] == '-';
        return strcmp(k, "controller-uid") == 0 || strcmp(k, "batch.kubernetes.io/controller-uid") == 0;
    default:
        return false;
    }
}

bool ml_selector_matches_workload(const ml_node *sel, const ml_workload *w)
{
    if (!ml_is_map(sel))
        return true;
    for (size_t i = 0; i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key);
        const char *v = ml_str(&sel->kvs[i].value);
        if (!k || !v)
            return false;
        const char *have = ml_label(w->pod_labels, k);
        if (have ? strcmp(have, v) != 0 : !controller_label(w, k, v))
            return false;
    }
    return true;
}

static const ml_vec *label_candidates(const ml_model *m, const char *ns, const char *k, const char *v)
{
    const char *parts[] = {ns, k, v};
    ml_key key;
    ml_key_join(&key, '\x1f', 3, parts);
    const ml_vec *r = ml_map_vec(&m->label_index, key.s, key.n);
    ml_key_done(&key);
    return r;
}

ml_vec ml_model_select(const ml_model *m, const char *ns, const ml_node *sel)
{
    ml_vec out = {0};
    if (!ns)
        return out;
    if (!ml_is_map(sel) || ml_node_n(sel) == 0) {
        const ml_vec *all = ml_model_ns_workloads(m, ns);
        if (all) {
            out = vec_exact(m->arena, all->n);
            ML_VEC_EACH(ml_workload *, w, all) {
                out.items[out.n++] = w;
            }
        }
        return out;
    }
    /* Candidates from the index entry of the rarest selector label; every
     * label must match, so any one entry holds all the answers. A label
     * that controllers add is in no template, so not in the index: it
     * narrows nothing there, and is checked on each candidate. */
    const ml_vec *best = NULL;
    for (size_t i = 0; i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key);
        const char *v = ml_str(&sel->kvs[i].value);
        if (!k || !v)
            return out; /* a non-string selector entry matches nothing */
        if (controller_key(k))
            continue;
        const ml_vec *c = label_candidates(m, ns, k, v);
        if (!c)
            return out;
        if (!best || c->n < best->n)
            best = c;
    }
    if (!best)
        best = ml_model_ns_workloads(m, ns);
    if (best && best->n <= KEEP_STACK) {
        bool keep[KEEP_STACK];
        size_t n = 0;
        for (size_t i = 0; i < best->n; i++)
            n += keep[i] = ml_selector_matches_workload(sel, best->items[i]);
        return vec_kept(m->arena, best, keep, n);
    }
    ML_VEC_EACH(ml_workload *, w, best ? best : &out) {
        if (ml_selector_matches_workload(sel, w))
            ml_vec_push(m->arena, &out, w);
    }
    return out;
}

const char *ml_resolve_host(ml_model *m, const char *host, const char *ns)
{
    if (!host)
        return NULL;
    if (!*host || strcmp(host, "*") == 0 || strchr(host, ':') || ml_ends_with(host, "."))
        return ml_strdup(m->arena, host);
    size_t dots = 0;
    for (const char *p = host; *p; p++)
        dots += *p == '.';
    /* Istio's ResolveShortnameToFQDN (pkg/config/model.go, formerly
     * pilot/pkg/model/config.go): only a name without any dot is expanded;
     * "reviews.bar" and "google.com" are taken as written. */
    if (dots == 0) {
        /* "host.ns.svc.domain", joined: one per Service, route and lookup */
        const char *parts[] = {host, ns ? ns : cfg_default_ns(m), "svc", cfg_domain(m)};
        return ml_key_dup(m->arena, NULL, '.', 4, parts);
    }
    return ml_strdup(m->arena, host);
}

const char *ml_resolve_dns_name(ml_model *m, const char *host, const char *ns)
{
    /* A pod's DNS search path also completes "name.namespace"; every other
     * spelling resolves as Istio resolves a host. */
    if (host && *host && !strchr(host, ':') && !ml_ends_with(host, ".")) {
        const char *dot = strchr(host, '.');
        if (dot && !strchr(dot + 1, '.')) {
            const char *parts[] = {host, "svc", cfg_domain(m)};
            return ml_key_dup(m->arena, NULL, '.', 3, parts);
        }
    }
    return ml_resolve_host(m, host, ns);
}

const ml_vec *ml_model_services_for(const ml_model *m, const char *fqdn)
{
    return fqdn ? ml_map_vec(&m->svc_by_host, fqdn, strlen(fqdn)) : NULL;
}

/* "*" matches every host; "*.example.com" matches any name ending in
 * ".example.com" (one label or more), not "example.com" itself. */
static bool wild_match(const char *pattern, const char *host)
{
    if (strcmp(pattern, "*") == 0)
        return true;
    if (pattern[0] != '*')
        return false;
    const char *suffix = pattern + 1;
    size_t hl = strlen(host), sl = strlen(suffix);
    return hl > sl && memcmp(host + hl - sl, suffix, sl) == 0;
}

static int cmp_res_order(const void *x, const void *y)
{
    /* ml_destrule and ml_virtualservice both start with ml_resource *res. */
    const ml_resource *a = **(ml_resource *const *const *)x;
    const ml_resource *b = **(ml_resource *const *const *)y;
    return a->order < b->order ? -1 : a->order > b->order;
}

static ml_vec host_lookup(const ml_model *m, const ml_map *map, const ml_vec *wild, const char *fqdn)
{
    ml_vec out = {0};
    if (!fqdn)
        return out;
    const ml_vec *exact = ml_map_vec(map, fqdn, strlen(fqdn));
    if (exact && exact->n) {
        /* a vector of its exact size: the rules look hosts up per route */
        out = vec_exact(m->arena, exact->n);
        memcpy(out.items, exact->items, exact->n * sizeof *out.items);
        out.n = exact->n;
    }
    bool added = false;
    ML_VEC_EACH(const wild_entry *, e, wild) {
        if (strcmp(e->pattern, fqdn) == 0 || !wild_match(e->pattern, fqdn))
            continue;
        bool dup = false;
        for (size_t i = 0; i < out.n && !dup; i++)
            dup = out.items[i] == e->obj;
        if (!dup) {
            ml_vec_push(m->arena, &out, e->obj);
            added = true;
        }
    }
    if (added)
        ml_vec_sort(&out, cmp_res_order);
    return out;
}

ml_vec ml_model_destrules_for(const ml_model *m, const char *fqdn)
{
    return host_lookup(m, &m->dr_by_host, &m->dr_wildcards, fqdn);
}

/* "name.ns.rest": the name and the rest must match, the namespaces may. */
bool ml_fqdn_may_equal(const ml_model *m, const char *a, const char *b)
{
    if (!a || !b)
        return false;
    if (strcmp(a, b) == 0)
        return true;
    const char *a1 = strchr(a, '.'), *b1 = strchr(b, '.');
    if (!a1 || !b1 || a1 - a != b1 - b || memcmp(a, b, (size_t)(a1 - a)) != 0)
        return false;
    const char *a2 = strchr(a1 + 1, '.'), *b2 = strchr(b1 + 1, '.');
    if (!a2 || !b2 || strcmp(a2, b2) != 0 || strncmp(a2, ".svc.", 5) != 0)
        return false;
    char nsa[256], nsb[256];
    size_t la = (size_t)(a2 - a1 - 1), lb = (size_t)(b2 - b1 - 1);
    if (la >= sizeof nsa || lb >= sizeof nsb)
        return false;
    memcpy(nsa, a1 + 1, la);
    nsa[la] = '\0';
    memcpy(nsb, b1 + 1, lb);
    nsb[lb] = '\0';
    return ml_ns_may_equal(m, nsa, nsb);
}

ml_vec ml_model_destrules_may(const ml_model *m, const char *fqdn)
{
    ml_vec out = {0};
    if (!fqdn || !ml_model_has_apply_time(m))
        return out;
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (dr && dr->fqdn && strcmp(dr->fqdn, fqdn) != 0 && ml_fqdn_may_equal(m, dr->fqdn, fqdn))
            ml_vec_push(m->arena, &out, (void *)dr);
    }
    return out;
}

ml_vec ml_model_vs_for(const ml_model *m, const char *fqdn)
{
    return host_lookup(m, &m->vs_by_host, &m->vs_wildcards, fqdn);
}

bool ml_model_has_ns(const ml_model *m, const char *ns)
{
    return ns && ml_map_gets(&m->ns_present, ns) != NULL;
}

const char *ml_res_display(ml_arena *a, const ml_resource *r)
{
    const char *name = r->name && *r->name ? r->name : "(unnamed)";
    if (r->kind == ML_K_NAMESPACE || !r->ns || !*r->ns)
        return ml_printf(a, "%s %s", r->kind_str, name);
    return ml_printf(a, "%s %s/%s", r->kind_str, r->ns, name);
}

ml_loc ml_res_loc(const ml_resource *r)
{
    if (r && r->kind_node)
        return ml_node_loc(r->kind_node);
    ml_loc l;
    memset(&l, 0, sizeof l);
    if (r && r->doc) {
        l.file = r->doc->file;
        l.line = l.end_line = r->doc->start_line;
        l.col = l.end_col = 1;
    }
    return l;
}

bool ml_selector_one_value_off(const ml_node *sel, const ml_node *labels, unsigned max_edits, const char **key,
                               const char **have)
{
    size_t diffs = 0;
    for (size_t i = 0; ml_is_map(sel) && i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key), *v = ml_str(&sel->kvs[i].value);
        const char *got = k ? ml_label(labels, k) : NULL;
        if (!got || !v)
            return false;
        if (strcmp(got, v) != 0) {
            if (++diffs > 1 || ml_edit_distance(got, v, max_edits) > max_edits)
                return false;
            *key = k;
            *have = got;
        }
    }
    return diffs == 1;
}

/* ---- exportTo (model.h) ------------------------------------------------ */

const ml_node *ml_export_to_node(const ml_resource *r)
{
    if (!r || !r->u.typed)
        return NULL;
    switch (r->kind) {
    case ML_K_VIRTUALSERVICE: return r->u.vs->export_to;
    case ML_K_DESTINATIONRULE: return r->u.destrule->export_to;
    case ML_K_SERVICEENTRY: return r->u.se->export_to;
    case ML_K_SERVICE: return r->u.service->export_to;
    default: return NULL;
    }
}

void ml_export_each(ml_arena *a, const ml_resource *r, ml_export_fn fn, void *arg)
{
    const ml_node *n = ml_export_to_node(r);
    if (!n)
        return;
    if (ml_is_seq(n)) {
        for (size_t i = 0; i < ml_node_n(n); i++) {
            const char *s = ml_str_nonnull(&n->elems[i]);
            fn(arg, r, s, &n->elems[i]);
        }
        return;
    }
    /* the Service annotation: "a, b" split at commas, each part trimmed
     * (ConvertService, pilot/pkg/serviceregistry/kube/conversion.go) */
    const char *s = ml_str_nonnull(n);
    if (!s || !*s)
        return;
    for (const char *p = s;;) {
        const char *e = strchr(p, ',');
        const char *end = e ? e : p + strlen(p);
        const char *b = p;
        while (b < end && (*b == ' ' || *b == '\t'))
            b++;
        const char *z = end;
        while (z > b && (z[-1] == ' ' || z[-1] == '\t'))
            z--;
        fn(arg, r, ml_strndup(a, b, (size_t)(z - b)), n);
        if (!e)
            break;
        p = e + 1;
    }
}

typedef struct export_scan {
    const ml_model *m;
    const char *ns;
    bool any, star, tilde, yes, maybe, bad;
} export_scan;

static void export_scan_one(void *arg, const ml_resource *r, const char *e, const ml_node *node)
{
    export_scan *x = arg;
    (void)node;
    x->any = true;
    if (!e) {
        x->bad = true;
        return;
    }
    if (strcmp(e, "*") == 0) {
        x->star = true;
        return;
    }
    if (strcmp(e, "~") == 0) {
        x->tilde = true;
        return;
    }
    const char *target = strcmp(e, ".") == 0 ? r->ns : e;
    if (strcmp(target, x->ns) == 0)
        x->yes = true;
    else if (ml_ns_may_equal(x->m, target, x->ns))
        x->maybe = true;
}

const ml_vec *ml_export_default(const ml_model *m, const ml_resource *r)
{
    const ml_vec *v = NULL;
    if (!m->cfg)
        return NULL;
    switch (r->kind) {
    case ML_K_SERVICE:
    case ML_K_SERVICEENTRY: v = &m->cfg->default_export_service; break;
    case ML_K_VIRTUALSERVICE: v = &m->cfg->default_export_vs; break;
    case ML_K_DESTINATIONRULE: v = &m->cfg->default_export_dr; break;
    default: return NULL;
    }
    return v->n ? v : NULL;
}

const char *ml_export_default_text(ml_arena *a, const ml_model *m, const ml_resource *r)
{
    const ml_vec *def = ml_export_default(m, r);
    if (!def)
        return NULL;
    const char *key = r->kind == ML_K_VIRTUALSERVICE     ? "default-virtual-service-export-to"
                      : r->kind == ML_K_DESTINATIONRULE ? "default-destination-rule-export-to"
                                                        : "default-service-export-to";
    ml_buf b;
    ml_buf_init(&b);
    ML_VEC_EACH(const char *, e, def) {
        ml_buf_printf(&b, "%s\"%s\"", b.n ? ", " : "", e);
    }
    const char *out = ml_printf(a, "[%s] (the mesh default: %s in the configuration)", b.s ? b.s : "", key);
    ml_buf_free(&b);
    return out;
}

ml_export_answer ml_export_visible(const ml_model *m, const ml_resource *r, const char *ns)
{
    if (!r || !ns)
        return ML_EXPORT_UNKNOWN;
    if (r->kind == ML_K_DESTINATIONRULE && r->u.destrule && r->u.destrule->workload_selector) {
        /* setDestinationRules: a rule with a workloadSelector is private */
        if (strcmp(r->ns, ns) == 0)
            return ML_EXPORT_YES;
        return ml_ns_may_equal(m, r->ns, ns) ? ML_EXPORT_UNKNOWN : ML_EXPORT_NO;
    }
    const ml_node *n = ml_export_to_node(r);
    if (n && !ml_is_seq(n) && !ml_is_scalar(n))
        return ML_EXPORT_UNKNOWN;
    export_scan x = {.m = m, .ns = ns};
    ml_arena *a = m->arena;
    if (n)
        ml_export_each(a, r, export_scan_one, &x);
    if (!x.any) {
        /* none, an empty list or annotation: the MeshConfig default, "*"
         * unless the configuration names it (push_context.go
         * initDefaultExportMaps; initServiceRegistry, setDestinationRules and
         * initVirtualServices read it as the object's exportTo) */
        const ml_vec *def = ml_export_default(m, r);
        if (!def)
            return ML_EXPORT_YES;
        ML_VEC_EACH(const char *, e, def) {
            export_scan_one(&x, r, e, NULL);
        }
    }
    if (x.star)
        return ML_EXPORT_YES;
    if (x.tilde && (r->kind == ML_K_SERVICE || r->kind == ML_K_SERVICEENTRY))
        return ML_EXPORT_NO; /* initServiceRegistry: "~" without "*" hides the service */
    if (x.yes)
        return ML_EXPORT_YES;
    if (x.maybe || x.bad)
        return ML_EXPORT_UNKNOWN;
    return ML_EXPORT_NO;
}

/* Two names that differ only in their last dash-separated part (team-a and
 * team-b, shop-dev and shop-qa) or only in their digits (ns1, ns2) are
 * siblings that both exist, not a misspelling of one another. */
static bool ns_siblings(const char *a, const char *b)
{
    const char *da = strrchr(a, '-'), *db = strrchr(b, '-');
    if (da && db && da - a == db - b && da != a && memcmp(a, b, (size_t)(da - a)) == 0)
        return true;
    for (;;) {
        while (isdigit((unsigned char)*a))
            a++;
        while (isdigit((unsigned char)*b))
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
        a++;
        b++;
    }
}

const char *ml_model_ns_misspelled(const ml_model *m, const char *ns)
{
    ML_VEC_EACH(ml_resource *, nr, &m->by_kind[ML_K_NAMESPACE]) {
        if (nr->live && strlen(nr->name) >= 4 && ml_edit_distance(nr->name, ns, 2) <= 2 &&
            !ns_siblings(nr->name, ns))
            return nr->name;
    }
    return NULL;
}
