/*
 * sidecar.c - which VirtualServices the sidecar proxies of a namespace or a
 * workload import through Istio Sidecar resources (sidecar.h has the
 * semantics and where they are in Istio's source).
 */
#include "meshlint/sidecar.h"

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
        const char *s = ml_str_nonnull(hosts->items[i]);
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

/* One Sidecar's scope for proxies of namespace cns (ConvertToSidecarScope:
 * no egress is one listener "*" / "*"). Listeners bound to a port take the
 * traffic of that port (GetEgressListenerForRDS), so when the listeners
 * disagree the answer depends on the port: unknown. */
static ml_sc_answer scope_imports(const ml_resource *sc, const char *cns, const ml_resource *vs)
{
    const ml_node *egress = ml_get(sc->spec, "egress");
    if (!egress || (ml_is_seq(egress) && ml_node_n(egress) == 0))
        return ML_SC_YES;
    if (!ml_is_seq(egress))
        return ML_SC_UNKNOWN;
    bool yes = false, no = false;
    for (size_t i = 0; i < ml_node_n(egress); i++) {
        const ml_node *hosts = ml_get(egress->items[i], "hosts");
        if (!ml_is_seq(hosts))
            return ML_SC_UNKNOWN;
        ml_sc_answer a = listener_imports(hosts, cns, vs);
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

static ml_sc_answer answer(const ml_model *m, const char *cns, const ml_workload *w, const ml_resource *vs,
                           const ml_resource **decider)
{
    if (decider)
        *decider = NULL;
    if (!vs || vs->kind != ML_K_VIRTUALSERVICE || !vs->u.vs || (cns && ml_ns_is_apply_time(cns)))
        return ML_SC_UNKNOWN;
    ml_vec sel = {0}, nsw = {0}, rootw = {0};
    if (!gather(m, cns, w, &sel, &nsw, &rootw))
        return ML_SC_UNKNOWN;
    combine c = {0};
    ML_VEC_EACH(const ml_resource *, sc, &sel) {
        add_answer(&c, scope_imports(sc, cns, vs), sc);
    }
    /* a workload some selector Sidecar selects uses that one only */
    if (!w || !sel.n) {
        const ml_vec *fallback = nsw.n ? &nsw : &rootw;
        ML_VEC_EACH(const ml_resource *, sc, fallback) {
            add_answer(&c, scope_imports(sc, cns, vs), sc);
        }
        if (!fallback->n)
            add_answer(&c, ML_SC_YES, NULL); /* DefaultSidecarScopeForNamespace: "*" / "*" */
    }
    return result(&c, decider);
}

ml_sc_answer ml_sidecar_ns_imports_vs(const ml_model *m, const char *ns, const ml_resource *vs,
                                      const ml_resource **decider)
{
    return answer(m, ns, NULL, vs, decider);
}

ml_sc_answer ml_sidecar_workload_imports_vs(const ml_model *m, const ml_workload *w, const ml_resource *vs,
                                            const ml_resource **decider)
{
    if (!w || !w->res)
        return ML_SC_UNKNOWN;
    return answer(m, w->res->ns, w, vs, decider);
}

const char *ml_sidecar_hosts_text(ml_arena *a, const ml_resource *sc)
{
    const ml_node *egress = sc ? ml_get(sc->spec, "egress") : NULL;
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; ml_is_seq(egress) && i < ml_node_n(egress); i++) {
        const ml_node *hosts = ml_get(egress->items[i], "hosts");
        for (size_t k = 0; ml_is_seq(hosts) && k < ml_node_n(hosts); k++) {
            const char *s = ml_str_nonnull(hosts->items[k]);
            ml_buf_printf(&b, "%s\"%s\"", b.n ? ", " : "", s ? s : "?");
        }
    }
    const char *out = b.n ? ml_strdup(a, b.s) : "\"*/*\" (no egress)";
    ml_buf_free(&b);
    return out;
}
