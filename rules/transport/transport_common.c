/*
 * transport_common.c - helpers shared by the transport-security rules (ML1xx).
 *
 * The rules of this family all stand on the two mesh facts of src/mesh.c
 * (sidecar, effective mTLS). What they add on top is small and repeated: a
 * three-way view of the sidecar fact (yes, no, unknown: a rule may only
 * speak about the first two), the scope of a policy before narrower policies
 * override it, whether a workload listens on a port, and notes that point at
 * the place that decided the sidecar question. Keeping these here means every
 * rule of the family words and locates them the same way.
 */
#include "transport_common.h"

#include <string.h>

#define MAX_NAMES 5

ml_transport_sidecar ml_transport_sidecar_of(const ml_model *m, const ml_workload *w)
{
    const ml_sidecar_fact *f = ml_mesh_sidecar(m, w);
    if (!f || !f->known)
        return ML_TRANSPORT_SIDECAR_UNKNOWN;
    return f->injected ? ML_TRANSPORT_SIDECAR_YES : ML_TRANSPORT_SIDECAR_NO;
}

bool ml_transport_pa_decides(const ml_peerauth *pa)
{
    return pa && pa->mode != ML_MTLS_UNSET && pa->mode != ML_MTLS_INVALID;
}

ml_vec ml_transport_pa_scope(const ml_model *m, const ml_peerauth *pa)
{
    ml_vec out = {0};
    if (!pa || !pa->res)
        return out;
    if (pa->mesh_wide) {
        ML_VEC_EACH(ml_workload *, w, &m->workloads) {
            ml_vec_push(m->arena, &out, w);
        }
        return out;
    }
    return ml_model_select(m, pa->res->ns, pa->selector);
}

const char *ml_transport_scope_words(ml_arena *a, const ml_peerauth *pa)
{
    if (pa->mesh_wide)
        return "the mesh";
    if (!pa->selector)
        return ml_printf(a, "namespace %s", pa->res->ns);
    return "its selector";
}

ml_loc ml_transport_pa_loc(const ml_peerauth *pa)
{
    return pa->mode_node ? ml_node_loc(pa->mode_node) : ml_res_loc(pa->res);
}

const char *ml_transport_names(ml_arena *a, const ml_vec *workloads, const char *ns)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t shown = workloads->n > MAX_NAMES ? MAX_NAMES - 1 : workloads->n;
    for (size_t i = 0; i < shown; i++) {
        const ml_workload *w = workloads->items[i];
        const ml_resource *r = w->res;
        const char *name = r->name && *r->name ? r->name : "(unnamed)";
        if (i)
            ml_buf_puts(&b, i + 1 == shown && shown == workloads->n ? " and " : ", ");
        if (ns && ml_streq(ns, r->ns))
            ml_buf_printf(&b, "%s %s", r->kind_str, name);
        else
            ml_buf_printf(&b, "%s %s/%s", r->kind_str, r->ns, name);
    }
    if (shown < workloads->n)
        ml_buf_printf(&b, " and %zu more", workloads->n - shown);
    const char *s = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return s;
}

/* ---- services and ports ------------------------------------------------- */

long long ml_transport_server_port(const ml_model *m, const ml_link *l, bool *is_default)
{
    *is_default = false;
    ml_setting s = ml_server_port(m, l);
    if (s.val.kind == ML_VAL_ABSENT) {
        *is_default = true;
        return 5000;
    }
    double d;
    if (ml_val_num(&s.val, &d) && d >= 0 && d <= 65535 && d == (double)(long long)d)
        return (long long)d;
    return -1;
}

bool ml_transport_has_port(const ml_model *m, const ml_workload *w, long long port, bool *unknown)
{
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init || c->is_sidecar_proxy)
            continue;
        for (size_t j = 0; j < c->nports; j++) {
            if (c->ports[j].num == port)
                return true;
            if (c->ports[j].num < 0)
                *unknown = true;
        }
    }
    /* A Service's numeric targetPort (or its port, with no targetPort) is a
     * port the workload serves even when no container declares it. */
    ML_VEC_EACH(const ml_service *, svc, &w->services) {
        for (size_t i = 0; i < svc->nports; i++) {
            const ml_svc_port *sp = &svc->ports[i];
            long long t;
            if (!sp->target_port) {
                if (sp->num == port)
                    return true;
            } else if (ml_int(sp->target_port, &t) && t == port) {
                return true;
            }
        }
    }
    ML_VEC_EACH(const ml_server *, srv, &w->servers) {
        ML_VEC_EACH(const ml_link *, l, &srv->links) {
            bool dflt;
            if (l->workload == w && ml_transport_server_port(m, l, &dflt) == port)
                return true;
        }
    }
    return false;
}

/* ---- sidecar notes ------------------------------------------------------ */

typedef struct reason_group {
    const ml_sidecar_fact *fact;
    const ml_workload *first;
    ml_vec workloads;
} reason_group;

static ml_loc fact_loc(const ml_sidecar_fact *f, const ml_workload *w)
{
    if (f->decided_by)
        return ml_node_loc(f->decided_by);
    if (f->namespace_res)
        return f->namespace_res->name_node ? ml_node_loc(f->namespace_res->name_node)
                                           : ml_res_loc(f->namespace_res);
    if (w->res->ns_node)
        return ml_node_loc(w->res->ns_node);
    return w->res->name_node ? ml_node_loc(w->res->name_node) : ml_res_loc(w->res);
}

/* The injection label of a Namespace definition, when it turns injection on. */
static const ml_node *injecting_label(const ml_resource *nsr)
{
    const ml_node *inj = ml_get(nsr->labels, "istio-injection");
    if (ml_streq(ml_str(inj), "enabled"))
        return inj;
    const ml_node *rev = ml_get(nsr->labels, "istio.io/rev");
    if (!inj && ml_str(rev) && *ml_str(rev))
        return rev;
    return NULL;
}

void ml_transport_sidecar_notes(ml_ctx *ctx, ml_diag *d, const ml_vec *workloads)
{
    ml_arena *a = ctx->arena;
    ml_vec groups = {0};
    ML_VEC_EACH(const ml_workload *, w, workloads) {
        const ml_sidecar_fact *f = ml_mesh_sidecar(ctx->model, w);
        if (!f || !f->explain)
            continue;
        reason_group *g = NULL;
        for (size_t i = 0; i < groups.n && !g; i++) {
            reason_group *o = groups.items[i];
            if (o->fact->injected == f->injected && o->fact->known == f->known &&
                strcmp(o->fact->explain, f->explain) == 0)
                g = o;
        }
        if (!g) {
            g = ml_zalloc(a, sizeof *g);
            g->fact = f;
            g->first = w;
            ml_vec_push(a, &groups, g);
        }
        ml_vec_push(a, &g->workloads, (void *)w);
    }
    ML_VEC_EACH(reason_group *, g, &groups) {
        const ml_sidecar_fact *f = g->fact;
        const char *names = ml_transport_names(a, &g->workloads, g->first->res->ns);
        bool one = g->workloads.n == 1;
        if (!f->known)
            ml_note(ctx, d, fact_loc(f, g->first), "%s: %s", names, f->explain);
        else
            ml_note(ctx, d, fact_loc(f, g->first), "%s %s %s: %s", names, one ? "gets" : "get",
                    f->injected ? "an Istio sidecar" : "no Istio sidecar", f->explain);
        /* A replaced Namespace definition that did turn injection on is
         * what the author most likely meant: show it. */
        if (f->known && !f->injected && f->reason == ML_INJ_NO_LABEL && f->namespace_res) {
            const ml_resource *win = f->namespace_res;
            for (const ml_resource *p = win->prev_def; p; p = p->prev_def) {
                const ml_node *lab = p->replaced_by == win ? injecting_label(p) : NULL;
                if (!lab)
                    continue;
                ml_loc wl = win->name_node ? ml_node_loc(win->name_node) : ml_res_loc(win);
                ml_note(ctx, d, ml_node_loc(lab),
                        "this earlier definition of namespace %s turns injection on, but the definition "
                        "at %s:%u replaces it when applied (later in the same group; see ML003)",
                        win->name, wl.file && wl.file->path ? wl.file->path : "?", (unsigned)wl.line);
                break;
            }
        }
    }
}

const char *ml_transport_injection_help(ml_arena *a, const ml_workload *w)
{
    const ml_sidecar_fact *f = w->sidecar;
    const char *ns = w->res->ns;
    if (!f)
        return ml_printf(a, "label namespace %s with istio-injection: enabled", ns);
    switch (f->reason) {
    case ML_INJ_POD_OPT_OUT:
        return ml_printf(a, "remove sidecar.istio.io/inject: \"false\" from the pod template of %s %s",
                         w->res->kind_str, w->res->name);
    case ML_INJ_NS_DISABLED:
        return ml_printf(a, "change namespace %s's label istio-injection: disabled to enabled", ns);
    case ML_INJ_SYSTEM_NS:
        return ml_printf(a, "run the workloads outside namespace %s, where Istio never injects sidecars", ns);
    case ML_INJ_HOST_NETWORK:
        return ml_printf(a, "drop hostNetwork: true from the pod template of %s %s if it can run on the pod "
                            "network, so that it can get a sidecar",
                         w->res->kind_str, w->res->name);
    case ML_INJ_NO_LABEL:
        if (f->namespace_res && f->namespace_res->prev_def)
            return ml_printf(a, "add istio-injection: enabled to the definition of namespace %s that wins, and "
                                "keep a single definition of it",
                             ns);
        return ml_printf(a, "add the label istio-injection: enabled to namespace %s", ns);
    default:
        return ml_printf(a, "label namespace %s with istio-injection: enabled", ns);
    }
}

/* ---- ML102 / ML103: weak modes ------------------------------------------ */

/* The policy a workload governed by pa would get without pa: the next wider
 * one that decides a mode. */
static const ml_peerauth *wider_policy(const ml_model *m, const ml_peerauth *pa, const ml_workload *w)
{
    ml_mtls_fact f = ml_mesh_mtls(m, w, -1);
    if (pa->selector && ml_transport_pa_decides(f.namespace_pa))
        return f.namespace_pa;
    if (!pa->mesh_wide && ml_transport_pa_decides(f.mesh_pa) && f.mesh_pa != pa)
        return f.mesh_pa;
    return NULL;
}

/* What the mode does to the listed workloads, as the end of a sentence. */
static const char *effect(ml_mtls_mode mode, bool one, bool all_injected)
{
    if (mode == ML_MTLS_DISABLE)
        return one ? "accepts only plaintext, unencrypted and without peer identity"
                   : "accept only plaintext, unencrypted and without peer identity";
    if (all_injected)
        return one ? "accepts plaintext connections as well as mTLS" : "accept plaintext connections as well as mTLS";
    return one ? "accepts plaintext connections" : "accept plaintext connections";
}

/* The workloads pa governs (on port pm only, when pm is given: those whose
 * mode on that port pm decides and that listen on it) that have or may have
 * a sidecar; *all_injected says whether each is known to have one. */
static ml_vec weakened_workloads(ml_ctx *ctx, const ml_peerauth *pa, const ml_port_mtls *pm, bool *all_injected)
{
    ml_model *m = ctx->model;
    ml_vec kept = {0};
    *all_injected = true;
    ML_VEC_EACH(ml_workload *, w, ml_mesh_pa_workloads(m, pa)) {
        ml_transport_sidecar sc = ml_transport_sidecar_of(m, w);
        if (sc == ML_TRANSPORT_SIDECAR_NO)
            continue;
        if (pm) {
            ml_mtls_fact f = ml_mesh_mtls(m, w, pm->port);
            bool unknown = false;
            if (f.mode_node != pm->mode_node || !ml_transport_has_port(m, w, pm->port, &unknown))
                continue;
        }
        *all_injected = *all_injected && sc == ML_TRANSPORT_SIDECAR_YES;
        ml_vec_push(ctx->arena, &kept, w);
    }
    return kept;
}

static void weak_policy(ml_ctx *ctx, const ml_peerauth *pa, ml_mtls_mode mode, bool always_mesh_wide)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    bool all_injected;
    ml_vec kept = weakened_workloads(ctx, pa, NULL, &all_injected);
    const char *pname = ml_res_display(a, pa->res);
    const char *mname = ml_mtls_name(mode);
    if (!kept.n) {
        if (!(always_mesh_wide && pa->mesh_wide))
            return;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_transport_pa_loc(pa),
                               "%s sets mTLS mode %s mesh-wide: every workload without a narrower policy "
                               "%s",
                               pname, mname, effect(mode, true, false));
        ml_help(ctx, d, "set mtls.mode: STRICT in the mesh-wide policy, and give a workload that must accept "
                        "plaintext its own policy with a selector");
        return;
    }
    const ml_workload *first = kept.items[0];
    const ml_peerauth *wider = wider_policy(m, pa, first);
    bool weakens = wider && wider->mode == ML_MTLS_STRICT;
    const char *names = ml_transport_names(a, &kept, pa->res->ns);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_transport_pa_loc(pa), "%s sets mTLS mode %s%s: %s %s%s%s",
                           pname, mname, pa->mesh_wide ? " mesh-wide" : "", names,
                           effect(mode, kept.n == 1, all_injected),
                           weakens ? "; this weakens the STRICT policy " : "",
                           weakens ? ml_res_display(a, wider->res) : "");
    if (weakens)
        ml_note(ctx, d, ml_transport_pa_loc(wider), "%s requires STRICT mTLS for %s, which %s overrides",
                ml_res_display(a, wider->res), ml_transport_scope_words(a, wider), pname);
    if (weakens)
        ml_help(ctx, d,
                "delete %s so that the STRICT policy applies, or set mtls.mode: STRICT; to accept calls from "
                "outside the mesh, bring them in through an ingress gateway",
                pname);
    else
        ml_help(ctx, d,
                "set mtls.mode: STRICT; to accept calls from outside the mesh, bring them in through an "
                "ingress gateway instead of opening the workload to plaintext");
}

static void weak_port(ml_ctx *ctx, const ml_peerauth *pa, const ml_port_mtls *pm)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    bool all_injected;
    ml_vec kept = weakened_workloads(ctx, pa, pm, &all_injected);
    if (!kept.n)
        return;
    const ml_workload *first = kept.items[0];
    ml_mtls_fact base = ml_mesh_mtls(m, first, -1);
    bool weakens = base.mode == ML_MTLS_STRICT && base.decided_by;
    const char *pname = ml_res_display(a, pa->res);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(pm->mode_node ? pm->mode_node : pm->key),
                           "portLevelMtls of %s sets port %lld to %s: on port %lld, %s %s%s%s", pname, pm->port,
                           ml_mtls_name(pm->mode), pm->port, ml_transport_names(a, &kept, pa->res->ns),
                           effect(pm->mode, kept.n == 1, all_injected),
                           weakens ? "; this weakens the STRICT mode of " : "",
                           weakens ? ml_res_display(a, base.decided_by->res) : "");
    if (weakens)
        ml_note(ctx, d, base.mode_node ? ml_node_loc(base.mode_node) : ml_res_loc(base.decided_by->res),
                "%s requires STRICT mTLS on the other ports", ml_res_display(a, base.decided_by->res));
    ml_help(ctx, d, "remove port %lld from portLevelMtls or set its mode to STRICT", pm->port);
}

void ml_transport_weak_mode(ml_ctx *ctx, ml_mtls_mode mode, bool always_mesh_wide)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!r->live || !pa)
            continue;
        if (pa->mode == mode)
            weak_policy(ctx, pa, mode, always_mesh_wide);
        /* portLevelMtls works only on a policy with a selector (ML108). */
        if (!pa->selector)
            continue;
        for (size_t i = 0; i < pa->nport_level; i++) {
            if (pa->port_level[i].mode == mode)
                weak_port(ctx, pa, &pa->port_level[i]);
        }
    }
}

/* ---- Service ports -------------------------------------------------------- */

static bool ieq_word(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n != k)
        return false;
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return false;
    }
    return true;
}

/* appProtocol when set (the name is then not read), else the name; for a
 * name, "grpc-web" as a prefix, else the part before the first '-'. */
ml_port_class ml_transport_port_class(const ml_svc_port *sp, const ml_node **from, bool *by_app)
{
    const char *v = ml_str_nonnull(sp->app_protocol);
    *by_app = v != NULL;
    *from = v ? sp->app_protocol : sp->name;
    if (v) {
        if (strcmp(v, "kubernetes.io/h2c") == 0)
            return ML_PORT_H2;
        if (strcmp(v, "kubernetes.io/ws") == 0)
            return ML_PORT_HTTP;
    } else {
        v = ml_str_nonnull(sp->name);
    }
    if (!v)
        return ML_PORT_OTHER;
    size_t n = strlen(v);
    if (n >= 8 && ieq_word(v, 8, "grpc-web"))
        return ML_PORT_H2;
    const char *dash = strchr(v, '-');
    size_t pn = dash ? (size_t)(dash - v) : n;
    if (ieq_word(v, pn, "grpc") || ieq_word(v, pn, "http2"))
        return ML_PORT_H2;
    if (ieq_word(v, pn, "http") || ieq_word(v, pn, "http_proxy"))
        return ML_PORT_HTTP;
    return ML_PORT_OTHER;
}

long long ml_transport_svc_target(const ml_workload *w, const ml_svc_port *sp)
{
    if (!sp->target_port)
        return sp->num;
    long long t;
    if (ml_int(sp->target_port, &t))
        return t;
    const char *name = ml_str_nonnull(sp->target_port);
    if (!name)
        return -1;
    long long found = -1;
    for (size_t i = 0; i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        if (c->is_init)
            continue;
        for (size_t j = 0; j < c->nports; j++)
            if (ml_streq(ml_str(c->ports[j].name), name)) {
                if (found >= 0 && found != c->ports[j].num)
                    return -1;
                found = c->ports[j].num;
            }
    }
    return found;
}

/* ---- what could make a proxy speak HTTP/2 upstream anyway --------------------- */

/* A DestinationRule subtree that mentions h2UpgradePolicy (other than
 * DO_NOT_UPGRADE) or useClientProtocol (other than false), at any depth
 * (trafficPolicy, portLevelSettings, subsets). */
static bool mentions_upgrade(const ml_node *n, int depth)
{
    if (!n || depth > 12)
        return false;
    if (ml_is_map(n)) {
        for (size_t i = 0; i < ml_node_n(n); i++) {
            const ml_pair *p = &n->kvs[i];
            const char *k = ml_str(&p->key);
            if (k && strcmp(k, "h2UpgradePolicy") == 0) {
                const char *v = ml_str_nonnull(&p->value);
                if (!v || strcmp(v, "DO_NOT_UPGRADE") != 0)
                    return true;
            } else if (k && strcmp(k, "useClientProtocol") == 0) {
                const char *v = ml_str_nonnull(&p->value);
                if (!v || strcmp(v, "false") != 0)
                    return true;
            } else if (mentions_upgrade(&p->value, depth + 1)) {
                return true;
            }
        }
    } else if (ml_is_seq(n)) {
        for (size_t i = 0; i < ml_node_n(n); i++)
            if (mentions_upgrade(&n->elems[i], depth + 1))
                return true;
    }
    return false;
}

const ml_resource *ml_transport_dr_h2_upgrade(const ml_model *m, const char *fqdn)
{
    ml_vec drs = ml_model_destrules_for(m, fqdn);
    ML_VEC_EACH(const ml_destrule *, dr, &drs) {
        if (mentions_upgrade(dr->res->spec, 0))
            return dr->res;
    }
    return NULL;
}

/* Mesh config in the input that sets h2UpgradePolicy to anything but
 * DO_NOT_UPGRADE: the istio ConfigMap's data.mesh text, or an
 * IstioOperator's spec.meshConfig. */
const ml_resource *ml_transport_mesh_h2_upgrade(const ml_model *m)
{
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_CONFIGMAP]) {
        if (!r->name || strncmp(r->name, "istio", 5) != 0)
            continue;
        const char *mesh = ml_str(ml_path(r->root, "data.mesh"));
        const char *at = mesh ? strstr(mesh, "h2UpgradePolicy") : NULL;
        if (at && !strstr(at, "DO_NOT_UPGRADE"))
            return r;
    }
    ML_VEC_EACH(const ml_resource *, r, &m->by_kind[ML_K_OTHER]) {
        if (!r->kind_str || strcmp(r->kind_str, "IstioOperator") != 0)
            continue;
        const ml_node *h = ml_path(r->spec, "meshConfig.h2UpgradePolicy");
        const char *v = ml_str_nonnull(h);
        if (h && (!v || strcmp(v, "DO_NOT_UPGRADE") != 0))
            return r;
    }
    return NULL;
}


const char *ml_transport_setting_origin(ml_arena *a, const ml_setting *s)
{
    if (!s->source || strcmp(s->source, "code") == 0)
        return "set in the code";
    if (ml_starts_with(s->source, "default in code"))
        return s->source;
    return ml_printf(a, "from %s", s->source);
}
