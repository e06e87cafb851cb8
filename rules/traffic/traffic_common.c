/*
 * traffic_common.c - what the traffic rules (ML301-ML308) share.
 *
 * Two questions recur across the family. "Who routes to this host and
 * subset?" is answered by one pass over every VirtualService definition,
 * indexing each destination and mirror by its resolved host, so a rule asks
 * the index instead of looping over pairs of resources. "Which pods does this
 * subset get?" is answered from the host's Service and the model's label
 * index: a subset picks pods among the Service's endpoints, so the Service's
 * workloads are the candidates; when the Service is not in the input the
 * namespace's workloads stand in, and when the namespace has no workloads in
 * the input the answer is unknown (unless --assume-complete).
 */
#include "traffic_common.h"

#include <stdlib.h>
#include <string.h>

#include "meshlint/config.h"

#define MAX_LABELS_TEXT 16

/* ---- small text helpers ------------------------------------------------ */

const char *tr_route_name(ml_arena *a, const ml_route *rt)
{
    static const char *const kinds[] = {"http", "tcp", "tls"};
    const char *k = (unsigned)rt->proto < 3 ? kinds[rt->proto] : "route";
    const char *name = ml_str_nonnull(rt->name);
    if (name && *name)
        return ml_printf(a, "%s[%zu] (%s)", k, rt->index, name);
    return ml_printf(a, "%s[%zu]", k, rt->index);
}

const char *tr_labels_text(ml_arena *a, const ml_node *labels, const char *sep)
{
    return tr_labels_fmt(a, labels, "=", sep);
}

const char *tr_labels_fmt(ml_arena *a, const ml_node *labels, const char *eq, const char *sep)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t shown = 0;
    for (size_t i = 0; ml_is_map(labels) && i < ml_node_n(labels); i++) {
        const char *k = ml_str(&labels->kvs[i].key);
        const char *v = ml_str(&labels->kvs[i].value);
        if (!k || !v)
            continue;
        if (shown == MAX_LABELS_TEXT) {
            ml_buf_printf(&b, "%s...", sep);
            break;
        }
        ml_buf_printf(&b, "%s%s%s%s", shown ? sep : "", k, eq, v);
        shown++;
    }
    const char *out = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return out;
}

const char *tr_fqdn_ns(ml_ctx *ctx, const char *fqdn)
{
    if (!fqdn)
        return NULL;
    const char *domain = ctx->cfg && ctx->cfg->cluster_domain && *ctx->cfg->cluster_domain
                             ? ctx->cfg->cluster_domain
                             : "cluster.local";
    /* fqdn ends with ".svc." + domain (measured, not printed: asked per
     * destination and per subset) */
    size_t n = strlen(fqdn), dn = strlen(domain);
    if (n < dn + 5 || memcmp(fqdn + n - dn, domain, dn) != 0 || memcmp(fqdn + n - dn - 5, ".svc.", 5) != 0)
        return NULL;
    size_t len = n - dn - 5;
    const char *dot = memchr(fqdn, '.', len);
    if (!dot || dot == fqdn || memchr(dot + 1, '.', len - (size_t)(dot + 1 - fqdn)) || dot + 1 == fqdn + len)
        return NULL;
    return ml_strndup(ctx->arena, dot + 1, len - (size_t)(dot + 1 - fqdn));
}

const char *tr_where(ml_arena *a, ml_loc l)
{
    return ml_printf(a, "%s:%u", l.file && l.file->path ? l.file->path : "?", (unsigned)l.line);
}

const ml_resource *tr_replaced_by(const ml_ctx *ctx, const ml_resource *r)
{
    (void)ctx;
    return r->live ? NULL : r->replaced_by;
}

/* ---- who routes where --------------------------------------------------- */

bool tr_dest_gets_traffic(const ml_route *rt, const ml_destination *d, bool mirror)
{
    if (mirror) {
        const char *pct = ml_str_nonnull(ml_path(rt->node, "mirrorPercentage.value"));
        if (!pct)
            pct = ml_str_nonnull(ml_get(rt->node, "mirrorPercent"));
        if (pct) {
            char *end;
            double v = strtod(pct, &end);
            if (end != pct && *end == '\0' && v == 0)
                return false;
        }
        return true;
    }
    if (rt->ndest <= 1)
        return true; /* a single destination gets every request, whatever its weight */
    long long total = 0;
    for (size_t i = 0; i < rt->ndest; i++)
        if (rt->dest[i].weight_num > 0 && total < (1LL << 40))
            total += rt->dest[i].weight_num;
    return total > 0 && d->weight_num > 0;
}

void tr_each_dest(ml_ctx *ctx, tr_dest_fn fn, void *arg)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *vs = r->u.vs;
        if (!vs)
            continue;
        for (size_t i = 0; i < vs->nroutes; i++) {
            const ml_route *rt = &vs->routes[i];
            for (size_t j = 0; j < rt->ndest; j++)
                fn(ctx, arg, r, rt, &rt->dest[j], false);
            if (rt->mirror)
                fn(ctx, arg, r, rt, rt->mirror, true);
        }
    }
}

static void add_ref_to(ml_ctx *ctx, ml_map *out, bool subsets, const ml_resource *r, const ml_route *rt,
                       const ml_destination *d, bool mirror)
{
    if (!d->fqdn)
        return;
    tr_ref *ref = ml_zalloc(ctx->arena, sizeof *ref);
    ref->vs = r;
    ref->route = rt;
    ref->dest = d;
    ref->mirror = mirror;
    ref->gets_traffic = tr_dest_gets_traffic(rt, d, mirror);
    ml_map_push(out, ctx->arena, d->fqdn, strlen(d->fqdn), ref);
    const char *subset = subsets ? ml_str_nonnull(d->subset) : NULL;
    if (subset) {
        /* "\x1f" cannot occur in a host name, so the two kinds of keys never collide */
        const char *parts[] = {d->fqdn, subset};
        size_t len;
        const char *key = ml_key_dup(ctx->arena, &len, '\x1f', 2, parts);
        ml_map_push(out, ctx->arena, key, len, ref);
    }
}

static void add_ref(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                    bool mirror)
{
    add_ref_to(ctx, arg, true, r, rt, d, mirror);
}

static void add_host_ref(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                         bool mirror)
{
    add_ref_to(ctx, arg, false, r, rt, d, mirror);
}

void tr_refs_build(ml_ctx *ctx, ml_map *out)
{
    ml_map_init(out);
    tr_each_dest(ctx, add_ref, out);
}

void tr_refs_build_hosts(ml_ctx *ctx, ml_map *out)
{
    ml_map_init(out);
    tr_each_dest(ctx, add_host_ref, out);
}

const ml_vec *tr_refs_for(const ml_map *refs, const char *fqdn)
{
    static const ml_vec none = {0};
    const ml_vec *v = fqdn ? ml_map_vec(refs, fqdn, strlen(fqdn)) : NULL;
    return v ? v : &none;
}

const ml_vec *tr_refs_for_subset(ml_ctx *ctx, const ml_map *refs, const char *fqdn, const char *subset)
{
    if (!fqdn || !subset)
        return tr_refs_for(refs, NULL);
    const char *parts[] = {fqdn, subset};
    ml_key key;
    ml_key_join(&key, '\x1f', 2, parts);
    const ml_vec *v = ml_map_vec(refs, key.s, key.n);
    ml_key_done(&key);
    (void)ctx;
    return v ? v : tr_refs_for(refs, NULL);
}

const char *tr_ref_subset(const tr_ref *ref)
{
    return ml_str_nonnull(ref->dest->subset);
}

bool tr_subset_has_traffic(const ml_vec *refs, const char *subset)
{
    if (!refs)
        return false;
    ML_VEC_EACH(const tr_ref *, ref, refs) {
        if (ref->gets_traffic && ml_streq(tr_ref_subset(ref), subset))
            return true;
    }
    return false;
}

static const char *ref_how(ml_arena *a, const tr_ref *ref, const char *subset)
{
    if (ref->mirror)
        return ml_printf(a, "mirrors traffic to subset %s here", subset);
    if (ref->route->ndest > 1) {
        if (!ref->gets_traffic)
            return ml_printf(a, "routes to subset %s here, with weight 0 (no traffic)", subset);
        return ml_printf(a, "routes to subset %s here (weight %lld)", subset, ref->dest->weight_num);
    }
    return ml_printf(a, "routes to subset %s here", subset);
}

size_t tr_note_subset_routes(ml_ctx *ctx, ml_diag *d, const ml_vec *refs, const char *subset)
{
    size_t defs = 0;
    /* refs of one definition are contiguous (built in load order) */
    for (size_t i = 0; refs && i < refs->n;) {
        const tr_ref *first = refs->items[i];
        const tr_ref *hit = NULL;
        size_t more = 0, j = i;
        for (; j < refs->n && ((const tr_ref *)refs->items[j])->vs == first->vs; j++) {
            const tr_ref *ref = refs->items[j];
            if (!ml_streq(tr_ref_subset(ref), subset))
                continue;
            if (!hit)
                hit = ref;
            else
                more++;
        }
        i = j;
        if (!hit)
            continue;
        defs++;
        ml_buf b;
        ml_buf_init(&b);
        ml_buf_printf(&b, "%s %s", ml_res_display(ctx->arena, hit->vs), ref_how(ctx->arena, hit, subset));
        if (more)
            ml_buf_printf(&b, " and in %zu more route%s", more, more == 1 ? "" : "s");
        const ml_resource *w = tr_replaced_by(ctx, hit->vs);
        if (w)
            ml_buf_printf(&b, "; this definition is replaced by the one at %s (see ML003)",
                          tr_where(ctx->arena, ml_node_loc(w->name_node ? w->name_node : w->kind_node)));
        ml_note(ctx, d, ml_node_loc(hit->dest->subset), "%s", b.s);
        ml_buf_free(&b);
    }
    return defs;
}

/* ---- which pods a subset gets ------------------------------------------- */

/* A workload belongs to the host when its name or a label value is the
 * host's short name: the only reason to name it when no Service says so. */
static bool related_to_host(const ml_workload *w, const char *short_name)
{
    if (ml_streq(w->res->name, short_name))
        return true;
    for (size_t i = 0; ml_is_map(w->pod_labels) && i < ml_node_n(w->pod_labels); i++)
        if (ml_streq(ml_str(&w->pod_labels->kvs[i].value), short_name))
            return true;
    return false;
}

static void count_labels(const ml_node *want, const ml_node *have, size_t *matched, size_t *conflicts)
{
    *matched = *conflicts = 0;
    for (size_t i = 0; ml_is_map(want) && i < ml_node_n(want); i++) {
        const char *k = ml_str(&want->kvs[i].key);
        const char *v = ml_str(&want->kvs[i].value);
        if (!k || !v)
            continue;
        const char *h = ml_label(have, k);
        if (!h)
            continue;
        if (strcmp(h, v) == 0)
            (*matched)++;
        else
            (*conflicts)++;
    }
}

/* The nearest miss: most subset labels matched, then fewest labels with a
 * different value (a pod missing the label is more likely the intended one
 * than a pod labelled for another subset), then load order. */
static const ml_workload *closest(const ml_vec *cands, const ml_node *labels, const char *short_name,
                                  bool need_relation)
{
    const ml_workload *best = NULL;
    size_t bm = 0, bc = 0;
    int br = 0;
    ML_VEC_EACH(const ml_workload *, w, cands) {
        size_t m, c;
        count_labels(labels, w->pod_labels, &m, &c);
        int rel = related_to_host(w, short_name) ? 1 : 0;
        if (need_relation && !rel && m == 0)
            continue;
        if (!best || rel > br || (rel == br && (m > bm || (m == bm && c < bc)))) {
            best = w;
            bm = m;
            bc = c;
            br = rel;
        }
    }
    return best;
}

/* The Service selector and the workload share at least one key=value: the
 * workload is one of the host's own pods that the selector leaves out. */
static bool shares_selector_label(const ml_node *sel, const ml_node *labels)
{
    for (size_t i = 0; ml_is_map(sel) && i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key);
        const char *v = ml_str(&sel->kvs[i].value);
        if (k && v && ml_streq(ml_label(labels, k), v))
            return true;
    }
    return false;
}

static tr_sub_verdict evaluate_plain(ml_ctx *ctx, const ml_destrule *dr, const ml_dr_subset *s, tr_subset_eval *out)
{
    const ml_model *m = ctx->model;
    memset(out, 0, sizeof *out);
    if (!dr->fqdn || strchr(dr->fqdn, '*') || !ml_is_map(s->labels) || ml_node_n(s->labels) == 0)
        return TR_SUB_SKIP; /* no labels: the subset is every pod of the host */
    const char *ns = tr_fqdn_ns(ctx, dr->fqdn);
    if (!ns)
        return TR_SUB_SKIP; /* a ServiceEntry or external host: no pod templates to compare */
    out->ns = ns;

    const ml_vec *svcs = ml_model_services_for(m, dr->fqdn);
    if (svcs && svcs->n) {
        const ml_service *svc = svcs->items[0];
        out->svc = svc;
        if (!ml_is_map(svc->selector) || ml_node_n(svc->selector) == 0)
            return TR_SUB_SKIP; /* endpoints managed outside Kubernetes' selector */
        out->candidates = &svc->workloads;
        /* The usual answer first: a workload the Service selects
         * (svc->workloads: live, in its namespace, matching its selector)
         * whose pods carry the subset's labels is one the label index
         * below gives and the Service selects. */
        ML_VEC_EACH(const ml_workload *, w, &svc->workloads) {
            if (ml_selector_matches_workload(s->labels, w))
                return TR_SUB_OK;
        }
        /* the label index gives the subset's pods; the Service must select one of them */
        ml_vec sel = ml_model_select(m, svc->res->ns, s->labels);
        ML_VEC_EACH(ml_workload *, w, &sel) {
            if (ml_selector_matches_workload(svc->selector, w))
                return TR_SUB_OK;
        }
        ML_VEC_EACH(ml_workload *, w, &sel) {
            if (shares_selector_label(svc->selector, w->pod_labels))
                ml_vec_push(ctx->arena, &out->outside, w);
        }
        if (out->outside.n)
            return TR_SUB_OUTSIDE;
        if (svc->workloads.n == 0)
            /* the Service's own workloads are not in the input */
            return ml_assume_complete(ctx) ? TR_SUB_NO_PODS : TR_SUB_SKIP;
        return TR_SUB_NO_PODS;
    }

    const ml_vec *ws = ml_model_ns_workloads(m, ns);
    if (!ws || ws->n == 0)
        return ml_assume_complete(ctx) ? TR_SUB_NO_PODS : TR_SUB_SKIP;
    out->ns_fallback = true;
    out->candidates = ws;
    ml_vec sel = ml_model_select(m, ns, s->labels);
    if (sel.n)
        return TR_SUB_OK;
    return TR_SUB_NO_PODS;
}

/* Labels Istio adds to every endpoint from the locality of the pod's Node,
 * so that a subset may select them (AugmentLabels in
 * pilot/pkg/serviceregistry/util/label/label.go: region, zone, subzone). */
static bool topology_key(const char *k);

bool tr_topology_label(const char *k)
{
    return topology_key(k);
}

static bool topology_key(const char *k)
{
    return ml_streq(k, "topology.kubernetes.io/region") || ml_streq(k, "topology.kubernetes.io/zone") ||
           ml_streq(k, "topology.istio.io/subzone");
}

/* A copy of the mapping sel without its topology labels (sel itself when
 * it has none). */
static const ml_node *without_topology(ml_arena *a, const ml_node *sel)
{
    if (!ml_is_map(sel))
        return sel;
    size_t ntopo = 0;
    for (size_t i = 0; i < ml_node_n(sel); i++)
        ntopo += topology_key(ml_str(&sel->kvs[i].key));
    if (!ntopo)
        return sel;
    ml_node *rest = ml_alloc(a, sizeof *rest);
    *rest = *sel;
    rest->n_ = 0;
    rest->kvs = ml_alloc(a, ml_node_n(sel) * sizeof *rest->kvs);
    for (size_t i = 0; i < ml_node_n(sel); i++)
        if (!topology_key(ml_str(&sel->kvs[i].key)))
            rest->kvs[rest->n_++] = sel->kvs[i];
    return rest;
}

/* Some Node of the input carries every topology label of sel. */
static bool node_carries(const ml_model *m, const ml_node *sel)
{
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_OTHER]) {
        if (!ml_streq(r->kind_str, "Node") || !ml_streq(r->api_version, "v1"))
            continue;
        bool all = true;
        for (size_t i = 0; i < ml_node_n(sel) && all; i++) {
            const char *k = ml_str(&sel->kvs[i].key);
            if (topology_key(k) && !ml_streq(ml_label(r->labels, k), ml_str(&sel->kvs[i].value)))
                all = false;
        }
        if (all)
            return true;
    }
    return false;
}

tr_sub_verdict tr_subset_evaluate(ml_ctx *ctx, const ml_destrule *dr, const ml_dr_subset *s, tr_subset_eval *out)
{
    const ml_model *m = ctx->model;
    size_t ntopo = 0;
    if (ml_is_map(s->labels))
        for (size_t i = 0; i < ml_node_n(s->labels); i++)
            ntopo += topology_key(ml_str(&s->labels->kvs[i].key));
    tr_sub_verdict v;
    if (ntopo) {
        /* judge the pod labels alone; the topology labels come from Nodes */
        ml_dr_subset copy = *s;
        copy.labels = without_topology(ctx->arena, s->labels);
        v = evaluate_plain(ctx, dr, &copy, out);
        if (v == TR_SUB_OK && !node_carries(m, s->labels))
            v = TR_SUB_SKIP; /* which Nodes the pods land on is not in the input */
    } else {
        v = evaluate_plain(ctx, dr, s, out);
    }
    /* a workload of the namespace is written in an API version meshlint
     * does not read (ML002): the pods of the namespace are not all known */
    if ((v == TR_SUB_NO_PODS || v == TR_SUB_OUTSIDE) && out->ns &&
        ml_map_gets(&m->unread_workload_ns, out->ns))
        v = TR_SUB_SKIP;
    return v;
}

const ml_workload *tr_subset_closest(ml_ctx *ctx, const ml_destrule *dr, const ml_dr_subset *s,
                                     const tr_subset_eval *ev)
{
    if (!ev->candidates || !ev->candidates->n || !dr->fqdn)
        return NULL;
    const char *dot = strchr(dr->fqdn, '.');
    const char *short_name = ml_strndup(ctx->arena, dr->fqdn, dot ? (size_t)(dot - dr->fqdn) : strlen(dr->fqdn));
    return closest(ev->candidates, without_topology(ctx->arena, s->labels), short_name, ev->ns_fallback);
}

/* A subset judged `verdict`, waiting for the references to its host. */
typedef struct judged_subset {
    const ml_resource *r;
    const ml_destrule *dr;
    const ml_dr_subset *s;
    const char *name;
    tr_subset_eval ev;
} judged_subset;

/* tr_refs_build's index restricted to the hosts in `want`. */
typedef struct wanted_refs {
    ml_map *out;
    const ml_map *want;
} wanted_refs;

static void add_wanted_ref(ml_ctx *ctx, void *arg, const ml_resource *r, const ml_route *rt, const ml_destination *d,
                           bool mirror)
{
    wanted_refs *w = arg;
    if (d->fqdn && ml_map_get(w->want, d->fqdn, strlen(d->fqdn)))
        add_ref(ctx, w->out, r, rt, d, mirror);
}

void tr_each_subset_judged(ml_ctx *ctx, tr_sub_verdict verdict, tr_subset_fn fn)
{
    /* Judge every subset first; the routes' references are indexed only
     * for the hosts of the subsets judged so (most subsets are fine), in
     * one walk of the routes: the entries of those hosts are the ones a
     * full index holds, in the same order, and fn asks for no other. */
    ml_vec todo = {0}; /* judged_subset* */
    ml_map want;       /* dr->fqdn -> (void*)1 */
    ml_map_init(&want);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!dr)
            continue;
        for (size_t i = 0; i < dr->nsubsets; i++) {
            const ml_dr_subset *s = &dr->subsets[i];
            const char *name = ml_str_nonnull(s->name);
            tr_subset_eval ev;
            if (!name || tr_subset_evaluate(ctx, dr, s, &ev) != verdict)
                continue;
            judged_subset *j = ml_alloc(ctx->arena, sizeof *j);
            j->r = r;
            j->dr = dr;
            j->s = s;
            j->name = name;
            j->ev = ev;
            ml_vec_push(ctx->arena, &todo, j);
            if (dr->fqdn)
                ml_map_put(&want, dr->fqdn, strlen(dr->fqdn), (void *)1);
        }
    }
    if (todo.n) {
        ml_map refs;
        ml_map_init(&refs);
        wanted_refs w = {.out = &refs, .want = &want};
        tr_each_dest(ctx, add_wanted_ref, &w);
        ML_VEC_EACH(const judged_subset *, j, &todo) {
            fn(ctx, &refs, j->r, j->dr, j->s, j->name, &j->ev);
        }
        ml_map_free(&refs);
    }
    ml_map_free(&want);
}

bool tr_is_control_plane_host(ml_ctx *ctx, const char *fqdn)
{
    const char *ns = tr_fqdn_ns(ctx, fqdn);
    const char *root = ctx->cfg && ctx->cfg->root_ns && *ctx->cfg->root_ns ? ctx->cfg->root_ns : "istio-system";
    if (!ns || strcmp(ns, root) != 0)
        return false;
    static const char *const names[] = {"istiod", "istio-ingressgateway", "istio-egressgateway",
                                        "istio-eastwestgateway"};
    size_t n = (size_t)(strchr(fqdn, '.') - fqdn);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(fqdn, names[i], n) == 0)
            return true;
    return n > 7 && memcmp(fqdn, "istiod-", 7) == 0;
}

const char *tr_vs_client_ns(const ml_ctx *ctx, const ml_resource *r)
{
    const ml_virtualservice *vs = r ? r->u.vs : NULL;
    if (!vs || r->kind != ML_K_VIRTUALSERVICE || !vs->mesh_gateway || ml_ns_is_apply_time(r->ns))
        return NULL;
    return ml_export_visible(ctx->model, r, r->ns) == ML_EXPORT_YES ? r->ns : NULL;
}

/* ---- the DestinationRules that apply to one client namespace ------------ */

const char *tr_root_ns(const ml_ctx *ctx)
{
    return ctx->cfg && ctx->cfg->root_ns && *ctx->cfg->root_ns ? ctx->cfg->root_ns : "istio-system";
}

typedef struct dr_export_scan {
    size_t n;
    bool dot, own, other, bad;
} dr_export_scan;

static void dr_export_one(void *arg, const ml_resource *r, const char *e, const ml_node *node)
{
    dr_export_scan *x = arg;
    (void)node;
    x->n++;
    if (!e)
        x->bad = true;
    else if (strcmp(e, ".") == 0)
        x->dot = true;
    else if (strcmp(e, r->ns) == 0)
        x->own = true;
    else
        x->other = true;
}

/* setDestinationRules (push_context.go): a rule is in its namespace's local
 * index when its exportTo is empty or holds "*", "." or the namespace, and
 * "private only" (not exported at all) when it has a workloadSelector, when
 * its exportTo is empty and the mesh default holds ".", or when its
 * exportTo, as a set, is exactly "." or exactly its own namespace. */
static void dr_export_kind(const ml_ctx *ctx, const ml_destrule *dr, bool *local, bool *private_only, bool *bad)
{
    dr_export_scan x = {0};
    ml_export_each(ctx->arena, dr->res, dr_export_one, &x);
    *bad = x.bad || (dr->export_to && !ml_is_seq(dr->export_to));
    if (dr->workload_selector) {
        *local = *private_only = true;
        return;
    }
    if (x.n == 0) {
        const ml_vec *def = ctx->cfg ? &ctx->cfg->default_export_dr : NULL;
        bool def_private = false;
        for (size_t i = 0; def && i < def->n; i++)
            def_private |= ml_streq(def->items[i], ".");
        *local = true;
        *private_only = def_private;
        return;
    }
    *local = x.dot || x.own || ml_export_visible(ctx->model, dr->res, dr->res->ns) == ML_EXPORT_YES;
    *private_only = !x.other && (x.dot != x.own);
}

/* MostSpecificHostMatch (pilot/pkg/model/config.go) over the rules of in:
 * those for exactly fqdn, else those of the longest wildcard host that
 * matches (ml_model_destrules_for already matched the wildcards). */
static void most_specific(ml_arena *a, const ml_vec *in, const char *fqdn, ml_vec *out)
{
    const char *best = NULL;
    ML_VEC_EACH(const ml_destrule *, dr, in) {
        if (ml_streq(dr->fqdn, fqdn)) {
            best = fqdn;
            break;
        }
        if (dr->fqdn && (!best || strlen(dr->fqdn) > strlen(best)))
            best = dr->fqdn;
    }
    ML_VEC_EACH(const ml_destrule *, dr, in) {
        if (best && ml_streq(dr->fqdn, best))
            ml_vec_push(a, out, (void *)dr);
    }
}

/* The namespace of the Service a client in namespace client sees for a
 * ServiceEntry host: the namespace of the ServiceEntry that declares it
 * (serviceentry/conversion.go convertServices: Attributes.Namespace is the
 * ServiceEntry's), among those exported to the client; one in the client's
 * own namespace is preferred (sidecar.go selectServices: "pick the one in
 * the configNamespace"), else Istio picks one of several namespaces
 * arbitrarily. *ns receives NULL when no ServiceEntry visible to the client
 * declares the host. False when the input does not decide: a ServiceEntry
 * whose visibility is unknown, several namespaces to pick from, one in the
 * apply-time namespace. */
static bool se_host_ns(ml_ctx *ctx, const char *fqdn, const char *client, const char **ns)
{
    ml_model *m = ctx->model;
    *ns = NULL;
    const ml_vec *ses = ml_map_gets(&m->se_by_host, fqdn);
    const char *pick = NULL;
    bool several = false;
    ML_VEC_EACH(const ml_serviceentry *, se, ses) {
        const ml_resource *r = se->res;
        if (!r->live)
            continue;
        if (ml_ns_is_apply_time(r->ns))
            return false;
        ml_export_answer ans = ml_export_visible(m, r, client);
        if (ans == ML_EXPORT_UNKNOWN)
            return false;
        if (ans == ML_EXPORT_NO)
            continue;
        if (strcmp(r->ns, client) == 0) {
            *ns = r->ns;
            return true;
        }
        several |= pick && strcmp(pick, r->ns) != 0;
        pick = r->ns;
    }
    if (several)
        return false;
    *ns = pick;
    return true;
}

bool tr_client_destrules(ml_ctx *ctx, const ml_resource *from, const char *fqdn, const char *client,
                         tr_client_drs *out)
{
    ml_model *m = ctx->model;
    memset(out, 0, sizeof *out);
    if (!client || !fqdn || ml_ns_is_apply_time(client))
        return false;
    const char *root = tr_root_ns(ctx);
    const char *host_ns = tr_fqdn_ns(ctx, fqdn);
    /* a host outside the cluster domain: the ServiceEntry's namespace
     * stands for the Service's (push_context.go destinationRule, step 3) */
    if (!host_ns && !se_host_ns(ctx, fqdn, client, &host_ns))
        return false;
    if (ml_model_unlinted_may_define(m, client) || ml_model_unlinted_may_define(m, root) ||
        (host_ns && ml_model_unlinted_may_define(m, host_ns)))
        return false;
    const ml_vec all = ml_model_destrules_for(m, fqdn);
    const ml_vec seen = ml_model_seen_by(m, from, &all);
    ml_vec local = {0}, host_exp = {0}, root_exp = {0};
    ML_VEC_EACH(const ml_destrule *, dr, &seen) {
        const ml_resource *r = dr->res;
        /* several alternatives of one rule that from may all meet: which
         * one is applied decides it */
        if ((r->nalts > 1 && (!from || r->group != from->group)) || ml_ns_is_apply_time(r->ns))
            return false;
        bool is_local, private_only, bad;
        dr_export_kind(ctx, dr, &is_local, &private_only, &bad);
        if (bad)
            return false;
        bool in_client = strcmp(r->ns, client) == 0;
        bool client_root = strcmp(client, root) == 0;
        if (in_client && (client_root ? private_only : is_local)) {
            if (dr->workload_selector)
                return false; /* applies to the workloads it selects only */
            ml_vec_push(ctx->arena, &local, (void *)dr); /* namespaceLocal, rootNamespaceLocal */
        }
        if (private_only)
            continue;
        if (host_ns && strcmp(r->ns, host_ns) == 0)
            ml_vec_push(ctx->arena, &host_exp, (void *)dr);
        if (strcmp(r->ns, root) == 0)
            ml_vec_push(ctx->arena, &root_exp, (void *)dr);
    }
    if (local.n) {
        out->stage = TR_DR_CLIENT_NS;
        most_specific(ctx->arena, &local, fqdn, &out->drs);
        return true;
    }
    if (!host_ns) {
        /* no ServiceEntry visible to the client declares the host: which
         * Service Istio uses is not decided; only when no rule may apply */
        ML_VEC_EACH(const ml_destrule *, dr, &seen) {
            if (ml_export_visible(m, dr->res, client) != ML_EXPORT_NO)
                return false;
        }
        return true;
    }
    const ml_vec *steps[2] = {&host_exp, &root_exp};
    for (int i = 0; i < 2; i++) {
        ml_vec best = {0};
        most_specific(ctx->arena, steps[i], fqdn, &best);
        ML_VEC_EACH(const ml_destrule *, dr, &best) {
            ml_export_answer ans = ml_export_visible(m, dr->res, client);
            if (ans == ML_EXPORT_UNKNOWN)
                return false;
            if (ans == ML_EXPORT_YES)
                ml_vec_push(ctx->arena, &out->drs, (void *)dr);
        }
        if (out->drs.n) {
            out->stage = i == 0 ? TR_DR_HOST_NS : TR_DR_ROOT_NS;
            return true;
        }
    }
    return true;
}

bool tr_item_uri(const ml_node *item, tr_uri_kind *kind, const ml_node **val)
{
    const ml_node *uri = ml_get(item, "uri");
    if (!ml_is_map(uri) || ml_node_n(uri) != 1)
        return false;
    const char *k = ml_str(&uri->kvs[0].key);
    const ml_node *v = &uri->kvs[0].value;
    if (!ml_is_scalar(v) || ml_is_null(v))
        return false;
    if (ml_streq(k, "exact"))
        *kind = TR_URI_EXACT;
    else if (ml_streq(k, "prefix"))
        *kind = TR_URI_PREFIX;
    else if (ml_streq(k, "regex"))
        *kind = TR_URI_REGEX;
    else
        return false;
    *val = v;
    return true;
}

const char *tr_uri_kind_name(tr_uri_kind k)
{
    return k == TR_URI_EXACT ? "exact" : k == TR_URI_PREFIX ? "prefix" : "regex";
}
