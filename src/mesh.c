/*
 * mesh.c - per-workload mesh facts: sidecar injection and effective mTLS.
 *
 * Several rule families ask the same two questions about a workload: does
 * Istio put a sidecar in its pods, and which inbound mTLS mode does that
 * sidecar enforce? Both are answered once here, after the model is finished,
 * following Istio's own precedence (istio-facts.md), and every answer keeps
 * the resource and the node that decided it so findings can point there.
 *
 * PeerAuthentication precedence: port-level (on the workload policy) over the
 * workload policy over the namespace policy over the mesh policy (no selector
 * in the root namespace); UNSET inherits the next wider level; nothing at all
 * is PERMISSIVE. Istio breaks ties between several policies of one level by
 * creation time (oldest wins); a static linter has no creation time, so the
 * first definition in load order (path order, then document order) stands in
 * for the oldest. A mode that is not one of the four names is rejected by
 * Istio's validation, so it decides nothing here (ML002 reports it).
 */
#include "meshlint/mesh.h"

#include "meshlint/config.h"

#include <string.h>

static const ml_vec empty_vec;

static const char *root_ns(const ml_model *m)
{
    return m->cfg && m->cfg->root_ns && *m->cfg->root_ns ? m->cfg->root_ns : "istio-system";
}

/* "k8s/namespace.yaml:5", or "an unknown place" for a node without a file. */
static const char *where(ml_arena *a, const ml_node *n)
{
    if (!n || !ml_node_file(n))
        return "an unknown place";
    return ml_printf(a, "%s:%u", ml_node_file(n)->path ? ml_node_file(n)->path : "?", (unsigned)ml_node_loc(n).line);
}

/* ---- sidecar injection ---------------------------------------------------- */

/* The injector's reading of sidecar.istio.io/inject (injectRequired in
 * pkg/kube/inject/inject.go): the value lowercased, "y", "yes", "true" or
 * "on" asks for a sidecar, empty leaves the namespace default, anything else
 * refuses one. 1, 0, or -1 for empty/absent. */
static int inject_value(const char *s)
{
    static const char *const yes[] = {"y", "yes", "true", "on"};
    if (!s || !*s)
        return -1;
    char low[8];
    size_t n = strlen(s);
    if (n >= sizeof low)
        return 0;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    for (size_t i = 0; i < 4; i++)
        if (strcmp(low, yes[i]) == 0)
            return 1;
    return 0;
}

/* A comma-separated list of template names holds name. */
static bool template_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        if ((size_t)(t - p) == n && memcmp(p, name, n) == 0)
            return true;
        p = e;
    }
    return false;
}

static const char *ns_where(ml_arena *a, const ml_resource *nsr)
{
    const ml_node *n = nsr->name_node ? nsr->name_node : nsr->kind_node;
    return ml_printf(a, "Namespace defined %sat %s", nsr->replaced_by || nsr->prev_def ? "last " : "", where(a, n));
}

/* The last explanation that only the Namespace decided (its label, or its
 * lack of one), for the next workload of that namespace: the text is the
 * same, and the workloads of a namespace come one after another in load
 * order. variant says which sentence. */
typedef struct ns_explain {
    const ml_resource *nsr;
    int variant;
    const char *text;
} ns_explain;

static const char *ns_explained(const ns_explain *c, const ml_resource *nsr, int variant)
{
    return c && nsr && c->nsr == nsr && c->variant == variant ? c->text : NULL;
}

static const char *ns_explain_keep(ns_explain *c, const ml_resource *nsr, int variant, const char *text)
{
    if (c) {
        c->nsr = nsr;
        c->variant = variant;
        c->text = text;
    }
    return text;
}

static ml_sidecar_fact *sidecar_fact_ns(ml_model *m, const ml_workload *w, const ml_resource *nsr, ns_explain *nc)
{
    ml_arena *a = m->arena;
    ml_sidecar_fact *f = ml_zalloc(a, sizeof *f);
    const char *ns = w->res->ns ? w->res->ns : "";
    f->namespace_res = nsr;
    f->known = true;

    const ml_node *nsl = nsr ? nsr->labels : NULL;
    const ml_node *inj = ml_get(nsl, "istio-injection");
    const ml_node *rev = ml_get(nsl, "istio.io/rev");
    const char *injv = ml_str(inj), *revv = ml_str(rev);
    if (revv && !*revv)
        revv = NULL;

    /* The pod's own say. Two layers decide (istio-discovery chart,
     * templates/mutatingwebhook.yaml, and pkg/kube/inject/inject.go):
     * - the webhooks' objectSelectors read the pod LABEL only: in a
     *   namespace labelled for injection every pod whose label is not
     *   exactly "false" reaches the injector; in a namespace with neither
     *   istio-injection nor istio.io/rev, only a pod labelled exactly
     *   sidecar.istio.io/inject=true (or with an istio.io/rev label)
     *   reaches it, so the annotation alone injects nothing there;
     * - the injector then reads the label, or the annotation when there is
     *   no label, and refuses a sidecar for any value but y/yes/true/on. */
    const ml_node *plabel = ml_get(w->pod_labels, "sidecar.istio.io/inject");
    const ml_node *pannot = ml_get(w->pod_annotations, "sidecar.istio.io/inject");
    if (!ml_str(plabel))
        plabel = NULL;
    if (!ml_str(pannot))
        pannot = NULL;
    const ml_node *pod = plabel ? plabel : pannot;
    const char *what = plabel ? "label" : "annotation";
    int podv = pod ? inject_value(ml_str(pod)) : -1;
    bool label_true = plabel && ml_streq(ml_str(plabel), "true");
    const ml_node *pod_rev = ml_get(w->pod_labels, "istio.io/rev");
    if (!ml_str(pod_rev) || !*ml_str(pod_rev))
        pod_rev = NULL;

    /* The injector's first test: a pod on the host network never gets a
     * sidecar (its iptables rules would rewrite the node's routing). */
    const ml_node *hostnet = ml_get(w->pod_spec, "hostNetwork");
    bool on_host = false;
    if (hostnet && ml_bool(hostnet, &on_host) && on_host) {
        f->reason = ML_INJ_HOST_NETWORK;
        f->decided_by = hostnet;
        f->explain = ml_printf(a, "the pod uses hostNetwork: true (%s), and Istio never injects a sidecar into "
                                  "such a pod",
                               where(a, hostnet));
    } else if (strcmp(ns, "kube-system") == 0 || strcmp(ns, root_ns(m)) == 0) {
        f->reason = ML_INJ_SYSTEM_NS;
        f->explain = strcmp(ns, "kube-system") == 0
                         ? "namespace kube-system never gets sidecars"
                         : ml_printf(a, "namespace %s is the control-plane namespace, where Istio never "
                                        "injects sidecars", ns);
    } else if (ml_streq(injv, "disabled")) {
        f->reason = ML_INJ_NS_DISABLED;
        f->decided_by = inj;
        int variant = podv == 1 ? 1 : 2;
        f->explain = ns_explained(nc, nsr, variant);
        if (!f->explain)
            f->explain = ns_explain_keep(
                nc, nsr, variant,
                ml_printf(a, "namespace %s has istio-injection=disabled (%s)%s", ns, where(a, inj),
                          podv == 1 ? ", which the pod's sidecar.istio.io/inject=true does not override" : ""));
    } else if (podv == 0) {
        f->reason = ML_INJ_POD_OPT_OUT;
        f->decided_by = pod;
        f->explain = ml_printf(a, "the pod template %s sidecar.istio.io/inject is \"false\" (%s)", what,
                               where(a, pod));
    } else if (ml_streq(injv, "enabled")) {
        f->reason = ML_INJ_NS_LABEL;
        f->injected = true;
        f->decided_by = inj;
        f->explain = ns_explained(nc, nsr, 3);
        if (!f->explain)
            f->explain = ns_explain_keep(nc, nsr, 3,
                                         ml_printf(a, "namespace %s has istio-injection=enabled (%s)", ns,
                                                   where(a, inj)));
    } else if (!injv && revv) {
        f->reason = ML_INJ_NS_REV;
        f->injected = true;
        f->decided_by = rev;
        f->explain = ns_explained(nc, nsr, 4);
        if (!f->explain)
            f->explain = ns_explain_keep(nc, nsr, 4,
                                         ml_printf(a, "namespace %s has istio.io/rev=%s (%s)", ns, revv,
                                                   where(a, rev)));
    } else if (!injv && pod_rev && podv != 0) {
        f->reason = ML_INJ_POD_OPT_IN;
        f->injected = true;
        f->decided_by = pod_rev;
        f->explain = ml_printf(a, "the pod template label istio.io/rev is \"%s\" (%s)", ml_str(pod_rev),
                               where(a, pod_rev));
    } else if (!injv && label_true && podv == 1) {
        f->reason = ML_INJ_POD_OPT_IN;
        f->injected = true;
        f->decided_by = plabel;
        f->explain = ml_printf(a, "the pod template label sidecar.istio.io/inject is \"true\" (%s)",
                               where(a, plabel));
    } else if (!injv && !nsr && podv == 1) {
        /* The annotation (or a label spelled otherwise than "true") only
         * counts in a namespace labelled for injection, which is unknown. */
        f->reason = ML_INJ_NS_UNKNOWN;
        f->known = false;
        f->decided_by = pod;
        f->explain = ml_printf(a, "the pod template %s sidecar.istio.io/inject asks for a sidecar (%s), but only the "
                                  "label \"true\" reaches the injector in a namespace without an injection "
                                  "label, and namespace %s is not defined in the input",
                               what, where(a, pod), ns);
    } else if (injv) {
        /* Neither enabled nor disabled: the webhooks select on neither. */
        f->reason = ML_INJ_NO_LABEL;
        f->decided_by = inj;
        f->explain = ns_explained(nc, nsr, 5);
        if (!f->explain)
            f->explain = ns_explain_keep(
                nc, nsr, 5,
                ml_printf(a, "namespace %s has istio-injection=%s, which is neither enabled nor disabled (%s)", ns,
                          injv, where(a, inj)));
    } else if (nsr) {
        f->reason = ML_INJ_NO_LABEL;
        if (podv == 1) {
            f->decided_by = pod;
            f->explain = ml_printf(a, "namespace %s has no istio-injection label (%s), and there the webhook only "
                                      "sees pods whose label sidecar.istio.io/inject is exactly \"true\"; the pod "
                                      "template %s (%s) does not make the API server call it",
                                   ns, ns_where(a, nsr), plabel ? "label" : "annotation", where(a, pod));
        } else {
            f->explain = ns_explained(nc, nsr, 6);
            if (!f->explain)
                f->explain = ns_explain_keep(nc, nsr, 6,
                                             ml_printf(a, "namespace %s has no istio-injection label (%s)", ns,
                                                       ns_where(a, nsr)));
        }
    } else {
        f->reason = ML_INJ_NS_UNKNOWN;
        f->known = false;
        f->explain = ml_printf(a, "namespace %s is not defined in the input, so whether its pods get a "
                                  "sidecar is unknown", ns);
    }

    /* inject.istio.io/templates: gateway makes the injector render a
     * gateway proxy (the pod is an Envoy gateway, not an application with a
     * sidecar): selectTemplates in pkg/kube/inject/inject.go. The sidecar
     * rules cannot judge it as an application: unknown. */
    const char *tmpl = ml_str(ml_get(w->pod_annotations, "inject.istio.io/templates"));
    if (f->injected && tmpl && template_has(tmpl, "gateway")) {
        const ml_node *tn = ml_get(w->pod_annotations, "inject.istio.io/templates");
        f->reason = ML_INJ_GATEWAY_PROXY;
        f->known = false;
        f->injected = false;
        f->decided_by = tn;
        f->explain = ml_printf(a, "the pod template annotation inject.istio.io/templates names the gateway "
                                  "template (%s): the pod becomes an Istio gateway proxy, not an application "
                                  "with a sidecar",
                               where(a, tn));
        return f;
    }

    /* Istio's ambient data plane: no sidecar, but ztunnel (and a waypoint
     * for L7) carries mTLS and enforces policy for the pod. A sidecar, when
     * there is one, takes precedence; the pod label can opt in, or out
     * with "none". The sidecar rules cannot judge such a pod: unknown. */
    const ml_node *pod_dp = ml_get(w->pod_labels, "istio.io/dataplane-mode");
    const ml_node *ns_dp = ml_get(nsl, "istio.io/dataplane-mode");
    bool ambient = ml_streq(ml_str(pod_dp), "ambient") ||
                   (ml_streq(ml_str(ns_dp), "ambient") && !ml_streq(ml_str(pod_dp), "none"));
    if (ambient && !f->injected && f->reason != ML_INJ_HOST_NETWORK && f->reason != ML_INJ_SYSTEM_NS) {
        const ml_node *by = ml_streq(ml_str(pod_dp), "ambient") ? pod_dp : ns_dp;
        f->reason = ML_INJ_AMBIENT;
        f->known = false;
        f->decided_by = by;
        f->explain = ml_printf(a, "%s has istio.io/dataplane-mode=ambient (%s): its traffic goes through "
                                  "Istio's ambient data plane (ztunnel, and a waypoint for L7), not a "
                                  "sidecar",
                               by == pod_dp ? "the pod template" : ml_printf(a, "namespace %s", ns),
                               where(a, by));
    }
    return f;
}

/* The Namespace definitions the workload may meet (unit.h): one fact when
 * they agree on whether the pods get a sidecar; unknown when alternatives
 * disagree (which one is applied last decides). */
static ml_sidecar_fact *sidecar_fact(ml_model *m, const ml_workload *w, ns_explain *nc)
{
    const char *ns = w->res->ns ? w->res->ns : "";
    /* one definition the workload meets: the index entry is the view (read
     * only here), not a copy per workload */
    ml_vec defs = {0};
    const ml_vec *alts = ml_model_alternatives(m, ML_K_NAMESPACE, ns, ns);
    if (alts && alts->n == 1 && ml_model_meets(m, w->res, alts->items[0]))
        defs = *alts;
    else if (alts)
        defs = ml_model_view(m, w->res, ML_K_NAMESPACE, ns, ns);
    ml_sidecar_fact *first = sidecar_fact_ns(m, w, defs.n ? defs.items[0] : NULL, nc);
    for (size_t i = 1; i < defs.n; i++) {
        ml_sidecar_fact *other = sidecar_fact_ns(m, w, defs.items[i], nc);
        if (other->known == first->known && other->injected == first->injected)
            continue;
        const ml_resource *x = defs.items[0], *y = defs.items[i];
        ml_sidecar_fact *f = ml_zalloc(m->arena, sizeof *f);
        f->reason = ML_INJ_NS_ALTERNATIVES;
        f->known = false;
        f->explain = ml_printf(m->arena,
                               "namespace %s has alternative definitions that disagree on sidecar injection "
                               "(%s, %s): whether its pods get a sidecar depends on which one is applied last",
                               ns, where(m->arena, x->name_node ? x->name_node : x->kind_node),
                               where(m->arena, y->name_node ? y->name_node : y->kind_node));
        return f;
    }
    return first;
}

/* ---- data plane (sidecar or ambient): mesh.h ----------------------------- */

const char *ml_dataplane_name(ml_dataplane d)
{
    static const char *const names[] = {"unknown", "sidecar", "ambient", "ambient with waypoint", "none"};
    return (unsigned)d < sizeof names / sizeof names[0] ? names[d] : "unknown";
}

/* The istio.io/use-waypoint label of an object: *ref receives "ns/name"
 * (istio.io/use-waypoint-namespace, else dflt_ns), *none whether it opts
 * out. NULL when the object has no such label. */
static const ml_node *use_waypoint(ml_arena *a, const ml_node *labels, const char *dflt_ns, const char **ref,
                                   bool *none)
{
    const ml_node *n = ml_get(labels, "istio.io/use-waypoint");
    const char *v = ml_str(n);
    *ref = NULL;
    *none = false;
    if (!v || !*v)
        return NULL;
    if (strcmp(v, "none") == 0) {
        *none = true;
        return n;
    }
    const char *ns = ml_str(ml_get(labels, "istio.io/use-waypoint-namespace"));
    *ref = ml_printf(a, "%s/%s", ns && *ns ? ns : dflt_ns, v);
    return n;
}

/* Whether waypoint ref (ns/name) takes traffic of kind want ("service" or
 * "workload"); *gw and *wfor receive the Gateway and its istio.io/waypoint-for
 * (service when unset), NULL when the input does not hold it. */
static bool waypoint_takes(ml_model *m, const ml_workload *w, const char *ref, const char *want,
                           const ml_resource **gw, const char **wfor)
{
    const char *slash = strchr(ref, '/');
    const char *ns = ml_strndup(m->arena, ref, (size_t)(slash - ref));
    ml_vec v = ml_model_view(m, w->res, ML_K_GW_GATEWAY, ns, slash + 1);
    *gw = v.n == 1 ? v.items[0] : NULL;
    *wfor = NULL;
    if (!*gw)
        return true; /* not in the input: unknown, reported as such */
    const char *f = ml_str(ml_get((*gw)->labels, "istio.io/waypoint-for"));
    *wfor = f && *f ? f : "service";
    return strcmp(*wfor, "all") == 0 || strcmp(*wfor, want) == 0;
}

static ml_dataplane_fact *dataplane_fact(ml_model *m, const ml_workload *w)
{
    ml_arena *a = m->arena;
    const ml_sidecar_fact *sf = w->sidecar;
    ml_dataplane_fact *f = ml_zalloc(a, sizeof *f);
    f->decided_by = sf->decided_by;
    f->explain = sf->explain;
    if (sf->known && sf->injected) {
        f->kind = ML_DP_SIDECAR;
        return f;
    }
    if (sf->reason != ML_INJ_AMBIENT) {
        f->kind = sf->known ? ML_DP_NONE : ML_DP_UNKNOWN;
        return f;
    }
    f->kind = ML_DP_AMBIENT;
    const char *ns = w->res->ns;
    const ml_node *nsl = sf->namespace_res ? sf->namespace_res->labels : NULL;
    const char *ref;
    bool none;
    /* traffic addressed to a Service: the Service's label, else the namespace's */
    const char *svc_ref = NULL, *wl_ref = NULL;
    const ml_node *svc_by = NULL, *wl_by = NULL;
    bool svc_none = false;
    ML_VEC_EACH(const ml_service *, s, &w->services) {
        const ml_node *n = use_waypoint(a, s->res->labels, s->res->ns, &ref, &none);
        if (n) {
            svc_by = n;
            svc_ref = ref;
            svc_none = none;
            break;
        }
    }
    const ml_node *ns_by = use_waypoint(a, nsl, ns, &ref, &none);
    const char *ns_ref = ns_by && !none ? ref : NULL;
    if (!svc_by && ns_ref) {
        svc_by = ns_by;
        svc_ref = ns_ref;
    }
    if (svc_none)
        svc_ref = NULL;
    /* traffic addressed to the pod itself: the pod's label, else the namespace's */
    wl_by = use_waypoint(a, w->pod_labels, ns, &ref, &none);
    if (wl_by)
        wl_ref = none ? NULL : ref;
    else if (ns_ref) {
        wl_by = ns_by;
        wl_ref = ns_ref;
    }
    const ml_resource *gw = NULL;
    const char *wfor = NULL;
    const char *via = NULL;
    const ml_node *by = NULL;
    if (svc_ref && waypoint_takes(m, w, svc_ref, "service", &gw, &wfor)) {
        via = svc_ref;
        by = svc_by;
    } else if (wl_ref && waypoint_takes(m, w, wl_ref, "workload", &gw, &wfor)) {
        via = wl_ref;
        by = wl_by;
    }
    f->waypoint_known = sf->namespace_res != NULL || (svc_by && wl_by);
    if (!via) {
        f->explain = ml_printf(a, "%s; no istio.io/use-waypoint label %s a waypoint for it, so only ztunnel (L4) "
                                  "handles its traffic",
                               sf->explain, f->waypoint_known ? "gives" : "in the input gives (its namespace is "
                                                                           "not defined, so this is unknown)");
        return f;
    }
    f->kind = ML_DP_AMBIENT_WAYPOINT;
    f->waypoint = via;
    f->waypoint_gw = gw;
    f->waypoint_for = wfor;
    f->decided_by = by;
    f->waypoint_known = gw != NULL;
    f->explain = ml_printf(a, "%s; istio.io/use-waypoint (%s) names waypoint %s%s", sf->explain, where(a, by), via,
                           gw ? "" : ", which the input does not define (Istio uses no waypoint until it exists)");
    return f;
}

/* The Gateway behind a waypoint reference "ns/name" when every definition
 * the Service may meet is a waypoint (class istio-waypoint) taking service
 * traffic; NULL otherwise. */
static const ml_resource *service_waypoint_gw(const ml_model *m, const ml_service *svc, const char *ref)
{
    const char *slash = strchr(ref, '/');
    char ns[256];
    size_t n = (size_t)(slash - ref);
    if (n >= sizeof ns)
        return NULL;
    memcpy(ns, ref, n);
    ns[n] = 0;
    ml_vec v = ml_model_view(m, svc->res, ML_K_GW_GATEWAY, ns, slash + 1);
    if (!v.n)
        return NULL;
    ML_VEC_EACH(const ml_resource *, g, &v) {
        if (!g->u.gw || !g->u.gw->waypoint)
            return NULL;
        const char *f = ml_str(ml_get(g->labels, "istio.io/waypoint-for"));
        if (f && *f && strcmp(f, "service") != 0 && strcmp(f, "all") != 0)
            return NULL;
    }
    return v.items[0];
}

const ml_resource *ml_mesh_service_waypoint(const ml_model *m, const ml_service *svc, const ml_node **label)
{
    *label = NULL;
    if (!svc || !svc->res->ns)
        return NULL;
    const char *ref;
    bool none;
    const ml_node *by = use_waypoint(m->arena, svc->res->labels, svc->res->ns, &ref, &none);
    if (by) {
        if (none)
            return NULL;
        *label = by;
        return service_waypoint_gw(m, svc, ref);
    }
    /* the namespace's label: every definition the Service may meet must name
     * the same waypoint (none defined: unknown) */
    ml_vec defs = ml_model_view(m, svc->res, ML_K_NAMESPACE, svc->res->ns, svc->res->ns);
    const char *first = NULL;
    for (size_t i = 0; i < defs.n; i++) {
        const ml_resource *nsr = defs.items[i];
        const ml_node *n = use_waypoint(m->arena, nsr->labels, svc->res->ns, &ref, &none);
        if (!n || none || (first && strcmp(first, ref) != 0))
            return NULL;
        if (!first) {
            first = ref;
            by = n;
        }
    }
    if (!first)
        return NULL;
    *label = by;
    return service_waypoint_gw(m, svc, first);
}

const ml_dataplane_fact *ml_mesh_dataplane(const ml_model *m, const ml_workload *w)
{
    (void)m;
    return w ? w->dataplane : NULL;
}

/* ---- mTLS ---------------------------------------------------------------- */

static bool decides(const ml_peerauth *pa)
{
    return pa && pa->mode != ML_MTLS_UNSET && pa->mode != ML_MTLS_INVALID;
}

static void apply(ml_mtls_fact *f, const ml_peerauth *pa, ml_mtls_scope scope)
{
    f->mode = pa->mode;
    f->scope = scope;
    f->decided_by = pa;
    f->mode_node = pa->mode_node;
}

static void pa_push(ml_model *m, const ml_peerauth *pa, ml_workload *w)
{
    /* kept on the policy (a model record; the rules read it through
     * ml_mesh_pa_workloads) */
    ml_vec_push(m->arena, &((ml_peerauth *)pa)->workloads, w);
}

static ml_vec authz_select(const ml_model *m, const ml_authz *p);

void ml_mesh_compute(ml_model *m)
{
    ml_arena *a = m->arena;
    if (m->mesh) {
        ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_PEERAUTHENTICATION]) {
            if (r->u.peerauth)
                memset(&r->u.peerauth->workloads, 0, sizeof r->u.peerauth->workloads);
        }
        /* computed again: the selections kept on the records too */
        ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
            if (r->u.authz)
                r->u.authz->selected = false;
        }
        ML_VEC_EACH(ml_workload *, w, &m->workloads) {
            memset(&w->authz, 0, sizeof w->authz);
            w->mtls = NULL;
        }
    }
    ml_mesh *mesh = ml_zalloc(a, sizeof *mesh);
    mesh->root_ns = root_ns(m);
    m->mesh = mesh;

    ns_explain nc = {0};
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        w->sidecar = sidecar_fact(m, w, &nc);
    }
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        w->dataplane = dataplane_fact(m, w);
    }

    /* Selector-less policies: one per namespace (the first), and the mesh's. */
    const ml_peerauth *mesh_pa = NULL;
    ml_map ns_pa;
    ml_map_init(&ns_pa);
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!r->live || !pa || pa->selector)
            continue;
        if (strcmp(r->ns, mesh->root_ns) == 0) {
            if (!mesh_pa)
                mesh_pa = pa;
        } else {
            void **slot = ml_map_slot_for(&ns_pa, r->ns, strlen(r->ns));
            if (!*slot)
                *slot = (void *)pa;
        }
    }

    ml_mtls_fact **facts = m->workloads.n ? ml_alloc(a, m->workloads.n * sizeof *facts) : NULL;
    const char *prev_ns = NULL; /* workloads of one namespace mostly come together */
    const ml_peerauth *prev_pa = NULL;
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        ml_mtls_fact *f = ml_zalloc(a, sizeof *f);
        facts[w_i] = f;
        if (strcmp(w->res->ns, mesh->root_ns) != 0) {
            if (!prev_ns || strcmp(prev_ns, w->res->ns) != 0) {
                prev_ns = w->res->ns;
                prev_pa = ml_map_gets(&ns_pa, w->res->ns);
            }
            f->namespace_pa = prev_pa;
        }
        f->mesh_pa = mesh_pa;
        w->mtls = f; /* on the workload: rules ask per workload and port */
    }
    ml_map_free(&ns_pa);

    /* Workload policies: each workload keeps the first that selects it. A
     * selector in the root namespace picks workloads of that namespace only. */
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!r->live || !pa || !pa->selector)
            continue;
        ml_vec ws = ml_model_select(m, r->ns, pa->selector);
        ML_VEC_EACH(ml_workload *, w, &ws) {
            ml_mtls_fact *f = w->mtls;
            if (f && !f->workload_pa)
                f->workload_pa = pa;
        }
    }

    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        ml_mtls_fact *f = facts[w_i];
        if (decides(f->workload_pa)) {
            apply(f, f->workload_pa, ML_SCOPE_WORKLOAD);
        } else if (decides(f->namespace_pa)) {
            apply(f, f->namespace_pa, ML_SCOPE_NAMESPACE);
        } else if (decides(f->mesh_pa)) {
            apply(f, f->mesh_pa, ML_SCOPE_MESH);
        } else {
            f->mode = ML_MTLS_PERMISSIVE;
            f->scope = ML_SCOPE_DEFAULT;
        }

        if (f->workload_pa)
            pa_push(m, f->workload_pa, w);
        if (!decides(f->workload_pa)) {
            if (f->namespace_pa)
                pa_push(m, f->namespace_pa, w);
            if (!decides(f->namespace_pa) && f->mesh_pa)
                pa_push(m, f->mesh_pa, w);
        }
    }

    /* The workloads of every AuthorizationPolicy, once, kept on the
     * policy (all definitions: rules ask about losers too), and on each
     * workload the live policies with a valid action that select it, in
     * load order (the rules' "which policies apply here"). */
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_AUTHORIZATIONPOLICY]) {
        ml_authz *p = r->u.authz;
        if (!p || p->selected)
            continue;
        p->workloads = authz_select(m, p);
        p->selected = true;
        if (!r->live || p->action == ML_AUTHZ_INVALID)
            continue;
        ML_VEC_EACH(ml_workload *, w, &p->workloads) {
            ml_vec_push(a, &w->authz, p);
        }
    }
}

const ml_sidecar_fact *ml_mesh_sidecar(const ml_model *m, const ml_workload *w)
{
    (void)m;
    return w ? w->sidecar : NULL;
}

ml_mtls_fact ml_mesh_mtls(const ml_model *m, const ml_workload *w, long long port)
{
    ml_mtls_fact out;
    memset(&out, 0, sizeof out);
    out.mode = ML_MTLS_PERMISSIVE;
    out.scope = ML_SCOPE_DEFAULT;
    if (!m || !m->mesh || !w)
        return out;
    const ml_mtls_fact *f = w->mtls;
    if (!f)
        return out;
    out = *f;
    const ml_peerauth *wl = f->workload_pa;
    if (port < 0 || !wl)
        return out;
    /* Port-level UNSET inherits the policy's own mode, then the wider ones. */
    for (size_t i = 0; i < wl->nport_level; i++) {
        const ml_port_mtls *pm = &wl->port_level[i];
        if (pm->port != port || pm->mode == ML_MTLS_UNSET || pm->mode == ML_MTLS_INVALID)
            continue;
        out.mode = pm->mode;
        out.scope = ML_SCOPE_PORT;
        out.decided_by = wl;
        out.mode_node = pm->mode_node;
        break;
    }
    return out;
}

const ml_vec *ml_mesh_pa_workloads(const ml_model *m, const ml_peerauth *pa)
{
    if (!m || !m->mesh || !pa)
        return &empty_vec;
    return &pa->workloads;
}

static ml_vec authz_select(const ml_model *m, const ml_authz *p)
{
    ml_vec out = {0};
    if (!p || !p->res || !p->res->ns)
        return out;
    /* A policy bound by targetRefs applies to the referenced gateway or
     * service, not to the namespace's sidecars. */
    if (p->target_refs && !p->selector)
        return out;
    if (strcmp(p->res->ns, root_ns(m)) != 0)
        return ml_model_select(m, p->res->ns, p->selector);
    /* Root namespace: mesh-wide. One pass over the workloads per such policy
     * (there are few), in load order. */
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        if (!p->selector || ml_selector_matches_workload(p->selector, w))
            ml_vec_push(m->arena, &out, w);
    }
    return out;
}

/* Computed once per policy in ml_mesh_compute, since most authorization
 * rules ask it for every policy. The caller gets its own copy, as when it
 * was computed for it. */
ml_vec ml_mesh_authz_workloads(const ml_model *m, const ml_authz *p)
{
    const ml_vec *v = m && m->mesh && p && p->selected ? &p->workloads : NULL;
    if (!v)
        return authz_select(m, p);
    ml_vec out = {0};
    if (v->n) {
        out.items = ml_alloc_aligned(m->arena, v->n * sizeof *out.items, _Alignof(void *));
        memcpy(out.items, v->items, v->n * sizeof *out.items);
        out.n = out.cap = v->n;
    }
    return out;
}
