/*
 * sidecar.c - which VirtualServices the sidecar proxies of a namespace or a
 * workload import through Istio Sidecar resources (sidecar.h has the
 * semantics and where they are in Istio's source).
 */
#include "meshlint/sidecar.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "meshlint/config.h"

static const char *root_ns(const ml_model *m)
{
    return m->cfg && m->cfg->root_ns && *m->cfg->root_ns ? m->cfg->root_ns : "istio-system";
}

static const ml_node *sc_selector(const ml_resource *sc)
{
    const ml_node *ws = ml_get(sc->spec, "workloadSelector");
    return ws ? ml_get(ws, "labels") : NULL;
}

/* Does the egress dnsName pattern import VirtualService host vh (resolved)?
 * "*" imports every host, "*.suffix" the hosts under suffix, anything else
 * the host itself (host.Name matching, pkg/config/host/name.go). A
 * wildcard VirtualService host, or a pattern without a dot (Istio expects
 * FQDNs here), is not decided. */
static ml_sc_answer host_match(const char *vh, const char *pat)
{
    if (strcmp(pat, "*") == 0 || strcasecmp(vh, pat) == 0)
        return ML_SC_YES;
    if (strchr(vh, '*') || !strchr(pat, '.'))
        return ML_SC_UNKNOWN;
    if (pat[0] == '*' && pat[1] == '.') {
        size_t vl = strlen(vh), sl = strlen(pat + 1);
        return vl > sl && strcasecmp(vh + vl - sl, pat + 1) == 0 ? ML_SC_YES : ML_SC_NO;
    }
    return ML_SC_NO;
}

/* One egress listener's hosts (convertIstioListenerToWrapper: "ns/host",
 * "." is the proxy's namespace cns; SelectVirtualServices: a
 * VirtualService of namespace N matches the hosts listed for N and for "*"). */
static ml_sc_answer listener_imports(const ml_node *hosts, const char *cns, const ml_resource *vs)
{
    const ml_virtualservice *v = vs->u.vs;
    bool unknown = false;
    for (size_t i = 0; i < ml_node_n(hosts); i++) {
        const char *s = ml_str_nonnull(&hosts->elems[i]);
        const char *slash = s ? strchr(s, '/') : NULL;
        if (!slash)
            return ML_SC_UNKNOWN; /* not "ns/host": validation rejects the Sidecar */
        size_t nl = (size_t)(slash - s);
        const char *hp = slash + 1;
        bool ns_ok;
        if (nl == 1 && s[0] == '*')
            ns_ok = true;
        else if (nl == 1 && s[0] == '~')
            ns_ok = false;
        else if (nl == 1 && s[0] == '.')
            ns_ok = cns && strcmp(cns, vs->ns) == 0;
        else
            ns_ok = strlen(vs->ns) == nl && memcmp(s, vs->ns, nl) == 0;
        if (!ns_ok)
            continue;
        for (size_t h = 0; h < v->nhosts; h++) {
            const char *vh = v->fqdns[h];
            if (!vh)
                continue;
            ml_sc_answer a = host_match(vh, hp);
            if (a == ML_SC_YES)
                return ML_SC_YES;
            unknown |= a == ML_SC_UNKNOWN;
        }
    }
    return unknown ? ML_SC_UNKNOWN : ML_SC_NO;
}

/* Does one egress listener import the Service of namespace sns with host
 * fqdn? convertIstioListenerToWrapper / selectServices: the hosts listed
 * for sns (after "." became cns) decide alone when there are any, else those
 * listed for "*"; matchingService compares with Hostname.SubsetOf (the
 * same matching as host_match). ConvertToSidecarScope also adds the
 * destination hosts of the VirtualServices the listener imports: a
 * VirtualService routing to fqdn that the listener imports (or may)
 * imports the Service too. */
static ml_sc_answer listener_imports_host(const ml_model *m, const ml_node *hosts, const char *cns, const char *sns,
                                          const char *fqdn)
{
    bool own = false, unknown = false, yes = false;
    for (size_t i = 0; i < ml_node_n(hosts); i++) {
        const char *s = ml_str_nonnull(&hosts->elems[i]);
        const char *slash = s ? strchr(s, '/') : NULL;
        if (!slash)
            return ML_SC_UNKNOWN;
        size_t nl = (size_t)(slash - s);
        const char *ns = nl == 1 && s[0] == '.' ? cns : NULL;
        own |= ns ? ml_streq(ns, sns) : strlen(sns) == nl && memcmp(s, sns, nl) == 0;
    }
    for (size_t i = 0; i < ml_node_n(hosts) && !yes; i++) {
        const char *s = ml_str_nonnull(&hosts->elems[i]);
        const char *slash = strchr(s, '/');
        size_t nl = (size_t)(slash - s);
        bool listed;
        if (own)
            listed = nl == 1 && s[0] == '.' ? ml_streq(cns, sns) : strlen(sns) == nl && memcmp(s, sns, nl) == 0;
        else
            listed = nl == 1 && s[0] == '*';
        if (!listed)
            continue;
        ml_sc_answer a = host_match(fqdn, slash + 1);
        yes |= a == ML_SC_YES;
        unknown |= a == ML_SC_UNKNOWN;
    }
    if (yes)
        return ML_SC_YES;
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_VIRTUALSERVICE]) {
        const ml_virtualservice *v = r->u.vs;
        if (!r->live || !v || !v->mesh_gateway)
            continue;
        bool routes = false;
        for (size_t i = 0; i < v->nroutes && !routes; i++)
            for (size_t k = 0; k < v->routes[i].ndest && !routes; k++)
                routes = ml_streq(v->routes[i].dest[k].fqdn, fqdn);
        if (!routes)
            continue;
        ml_sc_answer a = listener_imports(hosts, cns, r);
        if (a == ML_SC_YES)
            return ML_SC_YES;
        unknown |= a == ML_SC_UNKNOWN;
    }
    return unknown ? ML_SC_UNKNOWN : ML_SC_NO;
}

/* What a Sidecar imports: a VirtualService, or the Service (sns, fqdn). */
typedef struct sc_what {
    const ml_resource *vs;
    const char *sns, *fqdn;
} sc_what;

static ml_sc_answer one_listener(const ml_model *m, const ml_node *hosts, const char *cns, const sc_what *w)
{
    return w->vs ? listener_imports(hosts, cns, w->vs) : listener_imports_host(m, hosts, cns, w->sns, w->fqdn);
}

/* One Sidecar's scope for proxies of namespace cns (ConvertToSidecarScope:
 * no egress is one listener "*" / "*"). Listeners bound to a port take the
 * traffic of that port (GetEgressListenerForRDS), so when the listeners
 * disagree the answer depends on the port: unknown. */
static ml_sc_answer scope_imports(const ml_model *m, const ml_resource *sc, const char *cns, const sc_what *what)
{
    const ml_node *egress = ml_get(sc->spec, "egress");
    if (!egress || (ml_is_seq(egress) && ml_node_n(egress) == 0))
        return ML_SC_YES;
    if (!ml_is_seq(egress))
        return ML_SC_UNKNOWN;
    bool yes = false, no = false;
    for (size_t i = 0; i < ml_node_n(egress); i++) {
        const ml_node *hosts = ml_get(&egress->elems[i], "hosts");
        if (!ml_is_seq(hosts))
            return ML_SC_UNKNOWN;
        ml_sc_answer a = one_listener(m, hosts, cns, what);
        if (a == ML_SC_UNKNOWN)
            return ML_SC_UNKNOWN;
        yes |= a == ML_SC_YES;
        no |= a == ML_SC_NO;
    }
    return yes && no ? ML_SC_UNKNOWN : yes ? ML_SC_YES : ML_SC_NO;
}

typedef struct combine {
    bool yes, no, unknown;
    const ml_resource *decider;
} combine;

static void add_answer(combine *c, ml_sc_answer a, const ml_resource *sc)
{
    c->yes |= a == ML_SC_YES;
    c->unknown |= a == ML_SC_UNKNOWN;
    if (a == ML_SC_NO) {
        c->no = true;
        if (!c->decider)
            c->decider = sc;
    }
}

static ml_sc_answer result(const combine *c, const ml_resource **decider)
{
    if (decider)
        *decider = NULL;
    if (c->unknown || (c->yes && c->no))
        return ML_SC_UNKNOWN;
    if (c->no) {
        if (decider)
            *decider = c->decider;
        return ML_SC_NO;
    }
    return ML_SC_YES;
}

/* Which Sidecars may apply in namespace cns (NULL: a namespace the input
 * lacks). w: only the selector Sidecars that select w (NULL: every one).
 * Returns false when a Sidecar may apply there without being known. */
static bool gather(const ml_model *m, const char *cns, const ml_workload *w, ml_vec *sel, ml_vec *nsw,
                   ml_vec *rootw)
{
    const char *root = root_ns(m);
    if ((cns && ml_model_unlinted_may_define(m, cns)) || ml_model_unlinted_may_define(m, root))
        return false;
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_SIDECAR]) {
        if (!r->live)
            continue;
        if (ml_ns_is_apply_time(r->ns))
            return false; /* may be in cns or the root namespace */
        const ml_node *s = sc_selector(r);
        bool here = cns && strcmp(r->ns, cns) == 0;
        if (here && s) {
            if (!w || ml_selector_matches_workload(s, w))
                ml_vec_push(m->arena, sel, r);
        } else if (here) {
            ml_vec_push(m->arena, nsw, r);
        } else if (!s && strcmp(r->ns, root) == 0) {
            ml_vec_push(m->arena, rootw, r);
        }
    }
    return true;
}

static ml_sc_answer answer(const ml_model *m, const char *cns, const ml_workload *w, const sc_what *what,
                           const ml_resource **decider)
{
    if (decider)
        *decider = NULL;
    if (cns && ml_ns_is_apply_time(cns))
        return ML_SC_UNKNOWN;
    ml_vec sel = {0}, nsw = {0}, rootw = {0};
    if (!gather(m, cns, w, &sel, &nsw, &rootw))
        return ML_SC_UNKNOWN;
    combine c = {0};
    ML_VEC_EACH(const ml_resource *, sc, &sel) {
        add_answer(&c, scope_imports(m, sc, cns, what), sc);
    }
    /* a workload some selector Sidecar selects uses that one only */
    if (!w || !sel.n) {
        const ml_vec *fallback = nsw.n ? &nsw : &rootw;
        ML_VEC_EACH(const ml_resource *, sc, fallback) {
            add_answer(&c, scope_imports(m, sc, cns, what), sc);
        }
        if (!fallback->n)
            add_answer(&c, ML_SC_YES, NULL); /* DefaultSidecarScopeForNamespace: "*" / "*" */
    }
    return result(&c, decider);
}

bool ml_sidecar_vs_only_mesh(const ml_virtualservice *vs)
{
    if (!vs->mesh_gateway)
        return false;
    for (size_t i = 0; ml_is_seq(vs->gateways) && i < ml_node_n(vs->gateways); i++)
        if (!ml_streq(ml_str_nonnull(&vs->gateways->elems[i]), "mesh"))
            return false;
    return true;
}

static bool is_vs(const ml_resource *vs)
{
    return vs && vs->kind == ML_K_VIRTUALSERVICE && vs->u.vs;
}

ml_sc_answer ml_sidecar_ns_imports_vs(const ml_model *m, const char *ns, const ml_resource *vs,
                                      const ml_resource **decider)
{
    if (decider)
        *decider = NULL;
    sc_what what = {.vs = vs};
    return is_vs(vs) ? answer(m, ns, NULL, &what, decider) : ML_SC_UNKNOWN;
}

ml_sc_answer ml_sidecar_workload_imports_vs(const ml_model *m, const ml_workload *w, const ml_resource *vs,
                                            const ml_resource **decider)
{
    if (decider)
        *decider = NULL;
    if (!w || !w->res || !is_vs(vs))
        return ML_SC_UNKNOWN;
    sc_what what = {.vs = vs};
    return answer(m, w->res->ns, w, &what, decider);
}

ml_sc_answer ml_sidecar_ns_imports_host(const ml_model *m, const char *ns, const char *svc_ns, const char *fqdn,
                                        const ml_resource **decider)
{
    if (decider)
        *decider = NULL;
    if (!svc_ns || !fqdn || ml_ns_is_apply_time(svc_ns))
        return ML_SC_UNKNOWN;
    sc_what what = {.sns = svc_ns, .fqdn = fqdn};
    return answer(m, ns, NULL, &what, decider);
}

ml_sc_answer ml_sc_judge_vs(const ml_model *m, const char *ns, const void *vs, const ml_resource **decider)
{
    return ml_sidecar_ns_imports_vs(m, ns, vs, decider);
}

ml_sc_answer ml_sc_judge_host(const ml_model *m, const char *ns, const void *host, const ml_resource **decider)
{
    const ml_sc_host *h = host;
    return ml_sidecar_ns_imports_host(m, ns, h->svc_ns, h->fqdn, decider);
}

/* The namespaces of the input, in load order (arena strings). */
static void input_namespaces(const ml_model *m, ml_arena *a, ml_vec *out)
{
    ml_map seen;
    ml_map_init(&seen);
    ML_VEC_EACH(const ml_resource *, r, &m->resources) {
        if (r->ns && *r->ns && !ml_map_gets(&seen, r->ns)) {
            ml_map_put(&seen, r->ns, strlen(r->ns), (void *)1);
            ml_vec_push(a, out, (void *)r->ns);
        }
    }
    ml_map_free(&seen);
}

typedef struct exp_scan {
    const ml_model *m;
    bool elsewhere;
} exp_scan;

static void exp_one(void *arg, const ml_resource *r, const char *e, const ml_node *node)
{
    exp_scan *x = arg;
    (void)r;
    (void)node;
    if (!e || strcmp(e, "*") == 0 || (strcmp(e, ".") != 0 && strcmp(e, "~") != 0 && !ml_model_has_ns(x->m, e)))
        x->elsewhere = true;
}

/* namespaces x Sidecars judged per question, at most */
#define MAX_WORK 100000u

bool ml_sidecar_scope_of(const ml_model *m, ml_arena *a, const ml_resource *r, bool skip_empty, ml_sc_judge judge,
                         const void *arg, ml_sc_scope *out)
{
    memset(out, 0, sizeof *out);
    if (ml_model_has_apply_time(m))
        return false;
    ml_vec nss = {0};
    input_namespaces(m, a, &nss);
    if ((uint64_t)(nss.n + 1) * (m->by_kind[ML_K_SIDECAR].n + 1) > MAX_WORK)
        return false;
    ML_VEC_EACH(const char *, ns, &nss) {
        ml_export_answer ex = ml_export_visible(m, r, ns);
        if (ex == ML_EXPORT_NO)
            continue;
        const ml_vec *ws = ml_model_ns_workloads(m, ns);
        if ((!ws || !ws->n) && skip_empty && !ml_model_unlinted_may_define(m, ns))
            continue;
        const ml_resource *decider = NULL;
        ml_sc_answer ans = ex == ML_EXPORT_YES ? judge(m, ns, arg, &decider) : ML_SC_UNKNOWN;
        ml_vec_push(a, ans == ML_SC_YES ? &out->yes : ans == ML_SC_NO ? &out->no : &out->unknown, (void *)ns);
        if (ans == ML_SC_NO && !out->decider)
            out->decider = decider;
    }
    exp_scan x = {.m = m};
    if (ml_export_to_node(r))
        ml_export_each(a, r, exp_one, &x);
    else
        x.elsewhere = true; /* the mesh default: every namespace, or one the configuration names */
    out->elsewhere = ML_SC_NO;
    if (x.elsewhere) {
        const ml_resource *decider = NULL;
        out->elsewhere = judge(m, NULL, arg, &decider);
        out->elsewhere_asked = true;
        if (out->elsewhere == ML_SC_NO && !out->decider)
            out->decider = decider;
    }
    return true;
}

bool ml_sc_scope_none(const ml_sc_scope *s)
{
    return !s->yes.n && !s->unknown.n && s->elsewhere == ML_SC_NO && (s->no.n || s->elsewhere_asked) &&
           s->decider;
}

const char *ml_sc_ns_list(ml_arena *a, const ml_vec *nss)
{
    ml_buf b;
    ml_buf_init(&b);
    ML_VEC_EACH(const char *, ns, nss) {
        ml_buf_printf(&b, "%s%s", b.n ? ", " : "", ns);
    }
    const char *out = ml_strdup(a, b.n ? b.s : "");
    ml_buf_free(&b);
    return out;
}

const char *ml_sidecar_hosts_text(ml_arena *a, const ml_resource *sc)
{
    const ml_node *egress = sc ? ml_get(sc->spec, "egress") : NULL;
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; ml_is_seq(egress) && i < ml_node_n(egress); i++) {
        const ml_node *hosts = ml_get(&egress->elems[i], "hosts");
        for (size_t k = 0; ml_is_seq(hosts) && k < ml_node_n(hosts); k++) {
            const char *s = ml_str_nonnull(&hosts->elems[k]);
            ml_buf_printf(&b, "%s\"%s\"", b.n ? ", " : "", s ? s : "?");
        }
    }
    const char *out = b.n ? ml_strdup(a, b.s) : "\"*/*\" (no egress)";
    ml_buf_free(&b);
    return out;
}
