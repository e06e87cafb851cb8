/*
 * ML105 destination-tls-conflict: the client-side TLS a DestinationRule asks
 * for (trafficPolicy.tls, a port-level setting, or a subset's) contradicts
 * what the destination accepts or leaves the server unverified:
 *
 *   DISABLE towards workloads whose sidecars enforce STRICT: every
 *   connection fails (error);
 *   SIMPLE/MUTUAL towards workloads with sidecars: the client sidecar uses
 *   this TLS instead of Istio mTLS, bypassing mesh identity (warning);
 *   SIMPLE/MUTUAL with insecureSkipVerify: true: the server's certificate
 *   is not verified (warning). Without caCertificates or credentialName the
 *   sidecar verifies against the OS trust store since Istio 1.21
 *   (VERIFY_CERTIFICATE_AT_CLIENT on by default, later always on), so that
 *   alone is no finding, whatever Istio's older analyzer (IST0128/IST0129)
 *   still says.
 *
 * The destination's workloads are found through the host's Services (one
 * index probe), narrowed by the subset's labels; the DestinationRule port is
 * a Service port, mapped to the workload's target port before asking
 * src/mesh.c for the effective mode on it.
 */
#include <string.h>

#include "meshlint/mesh.h"
#include "meshlint/rule.h"
#include "meshlint/sidecar.h"
#include "transport_common.h"

typedef struct tls_site {
    const ml_node *tls;      /* the tls mapping */
    const ml_node *mode;     /* tls.mode */
    long long port;          /* Service port, -1 for every port */
    const ml_node *labels;   /* subset labels, NULL for the whole host */
    const char *where;       /* "", " on port 8080", " for subset canary" */
} tls_site;

/* The container port a Service port reaches on workload w: its numeric
 * targetPort, or the container port named by it, or the port itself. */
static long long target_port(const ml_svc_port *sp, const ml_workload *w)
{
    if (!sp->target_port)
        return sp->num;
    long long n;
    if (ml_int(sp->target_port, &n))
        return n;
    const char *name = ml_str(sp->target_port);
    for (size_t i = 0; name && i < w->ncontainers; i++) {
        const ml_container *c = &w->containers[i];
        for (size_t j = 0; j < c->nports; j++)
            if (ml_streq(ml_str(c->ports[j].name), name))
                return c->ports[j].num;
    }
    return -1;
}

/* True when w is STRICT on one of the ports the site reaches through svc;
 * *out receives the deciding fact. */
static bool strict_on_site(const ml_model *m, const ml_service *svc, const ml_workload *w, const tls_site *s,
                           ml_mtls_fact *out)
{
    for (size_t i = 0; i < svc->nports; i++) {
        const ml_svc_port *sp = &svc->ports[i];
        if (s->port >= 0 && sp->num != s->port)
            continue;
        ml_mtls_fact f = ml_mesh_mtls(m, w, target_port(sp, w));
        if (f.mode == ML_MTLS_STRICT) {
            *out = f;
            return true;
        }
    }
    return false;
}

/* Does the site reach any port of svc at all? */
static bool site_reaches(const ml_service *svc, const tls_site *s)
{
    if (s->port < 0)
        return true;
    for (size_t i = 0; i < svc->nports; i++)
        if (svc->ports[i].num == s->port)
            return true;
    return false;
}

/* Which client namespaces' sidecars apply dr at all (sidecar.go
 * ConvertToSidecarScope: a SidecarScope keeps a DestinationRule only for
 * the Services its egress hosts import). Asked when the input has Sidecars
 * and the host is a Service of the input. */
typedef struct dr_scope {
    bool asked, none, gateways;
    ml_sc_scope sc;
    const char *words; /* for the message: "" when every client applies it */
} dr_scope;

static dr_scope scope_of(ml_ctx *ctx, const ml_destrule *dr, const ml_vec *svcs)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    dr_scope out = {.words = ""};
    if (!m->by_kind[ML_K_SIDECAR].n || !svcs || !svcs->n || !dr->fqdn)
        return out;
    const ml_service *svc = svcs->items[0];
    ml_sc_host h = {.svc_ns = svc->res->ns, .fqdn = dr->fqdn};
    if (!ml_sidecar_scope_of(m, a, dr->res, ml_assume_complete(ctx), ml_sc_judge_host, &h, &out.sc))
        return out;
    out.asked = true;
    out.gateways = m->by_kind[ML_K_GATEWAY].n || m->by_kind[ML_K_GW_GATEWAY].n;
    const ml_sc_scope *sc = &out.sc;
    bool out_no = sc->elsewhere_asked && sc->elsewhere == ML_SC_NO;
    if (ml_sc_scope_none(sc)) {
        out.none = true;
        out.words = ml_printf(a, " (no client namespace's Sidecar imports host %s, so of all proxies only "
                                 "gateways routing to it apply this rule)", dr->fqdn);
    } else if (sc->no.n || out_no) {
        const char *in = sc->yes.n ? ml_printf(a, "namespace%s %s", sc->yes.n > 1 ? "s" : "",
                                               ml_sc_ns_list(a, &sc->yes))
                                   : NULL;
        const char *also = sc->elsewhere_asked && sc->elsewhere == ML_SC_YES ? "namespaces outside the input" : NULL;
        const char *applied = in && also ? ml_printf(a, "%s and %s", in, also) : in ? in : also;
        out.words = ml_printf(a, " (for clients in %s only: the Sidecar egress hosts of %s leave host %s out, so "
                                 "their sidecars do not apply this rule)",
                              applied ? applied : "namespaces whose import is not known",
                              sc->no.n ? ml_printf(a, "namespace%s %s%s", sc->no.n > 1 ? "s" : "",
                                                   ml_sc_ns_list(a, &sc->no), out_no ? " and outside the input" : "")
                                       : "the namespaces outside the input",
                              dr->fqdn);
    }
    return out;
}

static void scope_note(ml_ctx *ctx, ml_diag *d, const ml_destrule *dr, const dr_scope *ds)
{
    if (!*ds->words || !ds->sc.decider)
        return;
    const ml_resource *sc = ds->sc.decider;
    const ml_node *eg = ml_get(sc->spec, "egress");
    ml_note(ctx, d, ml_node_loc(eg ? eg : sc->name_node),
            "%s imports %s, not host %s (sidecar.go ConvertToSidecarScope keeps DestinationRules only for the "
            "Services its egress hosts import)",
            ml_res_display(ctx->arena, sc), ml_sidecar_hosts_text(ctx->arena, sc), dr->fqdn);
}

static void check_site(ml_ctx *ctx, const ml_destrule *dr, const tls_site *s)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    const char *mode = ml_str(s->mode);
    if (!mode)
        return;
    bool disable = strcmp(mode, "DISABLE") == 0;
    bool originate = strcmp(mode, "SIMPLE") == 0 || strcmp(mode, "MUTUAL") == 0;
    if (!disable && !originate)
        return;
    const char *drname = ml_res_display(a, dr->res);
    const char *host = dr->fqdn ? dr->fqdn : ml_str(dr->host);

    /* The destination's workloads with a sidecar, and those enforcing STRICT. */
    ml_vec meshed = {0}, strict = {0};
    ml_mtls_fact strict_fact;
    memset(&strict_fact, 0, sizeof strict_fact);
    static const ml_vec no_services;
    const ml_vec *svcs = ml_model_services_for(m, dr->fqdn);
    ML_VEC_EACH(const ml_service *, svc, svcs ? svcs : &no_services) {
        if (!site_reaches(svc, s))
            continue;
        ML_VEC_EACH(ml_workload *, w, &svc->workloads) {
            if (s->labels && !ml_selector_matches_workload(s->labels, w))
                continue;
            if (ml_transport_sidecar_of(m, w) != ML_TRANSPORT_SIDECAR_YES)
                continue;
            bool dup = false;
            for (size_t i = 0; i < meshed.n && !dup; i++)
                dup = meshed.items[i] == w;
            if (dup)
                continue;
            ml_vec_push(a, &meshed, w);
            ml_mtls_fact f;
            if (strict_on_site(m, svc, w, s, &f)) {
                if (!strict.n)
                    strict_fact = f;
                ml_vec_push(a, &strict, w);
            }
        }
    }

    dr_scope ds = {.words = ""};
    if (meshed.n || strict.n)
        ds = scope_of(ctx, dr, svcs);
    if (ds.none && !ds.gateways)
        return; /* no sidecar applies the rule, and the input has no gateway */
    if (disable) {
        if (!strict.n)
            return;
        bool one = strict.n == 1;
        ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(s->mode),
                               "%s sends plaintext (tls.mode DISABLE)%s to %s, but the sidecar%s of %s "
                               "enforce%s STRICT mTLS: every connection fails%s",
                               drname, s->where, host, one ? "" : "s", ml_transport_names(a, &strict, dr->res->ns),
                               one ? "s" : "", ds.words);
        scope_note(ctx, d, dr, &ds);
        if (strict_fact.decided_by)
            ml_note(ctx, d,
                    strict_fact.mode_node ? ml_node_loc(strict_fact.mode_node)
                                          : ml_res_loc(strict_fact.decided_by->res),
                    "%s requires STRICT mTLS", ml_res_display(a, strict_fact.decided_by->res));
        ml_transport_sidecar_notes(ctx, d, &strict);
        ml_help(ctx, d,
                "remove tls.mode: DISABLE (auto mTLS then sends mTLS to sidecars) or set it to ISTIO_MUTUAL");
        return;
    }

    /* Without caCertificates or credentialName the sidecar verifies the
     * server against the OS trust store (Istio 1.21 and later): only
     * insecureSkipVerify: true leaves the server unverified. */
    bool skip = false;
    ml_bool(ml_get(s->tls, "insecureSkipVerify"), &skip);
    const char *unverified = "insecureSkipVerify: true turns verification of the server's certificate off, so "
                             "whoever intercepts the connection can impersonate the server";
    if (meshed.n) {
        bool one = meshed.n == 1;
        ml_diag *d = ml_report(ctx, ML_LEVEL_WARNING, ml_node_loc(s->mode),
                               "%s originates its own TLS (tls.mode %s)%s to %s, whose workload%s %s %s an "
                               "Istio sidecar: the client sidecar uses this TLS instead of Istio mTLS, "
                               "bypassing mesh identity%s%s%s",
                               drname, mode, s->where, host, one ? "" : "s", ml_transport_names(a, &meshed, dr->res->ns),
                               one ? "has" : "have", skip ? "; also, " : "", skip ? unverified : "", ds.words);
        scope_note(ctx, d, dr, &ds);
        ml_transport_sidecar_notes(ctx, d, &meshed);
        ml_help(ctx, d, "set tls.mode: ISTIO_MUTUAL, or remove the tls block so that auto mTLS applies");
        return;
    }
    if (!skip)
        return;
    const ml_pair *sp = ml_get_pair(s->tls, "insecureSkipVerify");
    ml_diag *d = ml_report(ctx, ML_LEVEL_WARNING, ml_node_loc(sp ? &sp->key : s->mode),
                           "%s sets tls.mode %s%s for %s, but %s", drname, mode, s->where, host, unverified);
    ml_help(ctx, d,
            "remove insecureSkipVerify; if the server's CA is not one the OS trusts, set caCertificates (a CA "
            "bundle file) or credentialName (a Secret holding ca.crt) next to tls.mode %s",
            mode);
}

/* ---- wildcard hosts ------------------------------------------------------
 * A DestinationRule for "*.local", "*.shop.svc.cluster.local" or "*" applies
 * to a Service only where no closer rule wins. Istio's lookup
 * (PushContext.destinationRule, pilot/pkg/model/push_context.go) takes, for
 * a client in namespace C: the rules of C, else those the Service's
 * namespace exports to C, else those the root namespace exports to C; in
 * each step the most specific host wins (MostSpecificHostMatch: an exact
 * host before any wildcard, then the longest wildcard). So a wildcard rule
 * W of namespace N is the one used for Service S by
 *   - the clients in N, when no rule of N for S's host is more specific;
 *   - when N is the root namespace and W is exported, the clients of every
 *     namespace that has no rule of its own for S, provided S's namespace
 *     holds no rule for S's host at all.
 * The rule reports W only in those cases (conservatively: a rule with an
 * equal host in N, which Istio would merge, or any rule for S in S's
 * namespace, keeps it silent). */

static bool host_matches(const char *pattern, const char *fqdn)
{
    if (!pattern || !fqdn)
        return false;
    if (pattern[0] != '*')
        return strcmp(pattern, fqdn) == 0;
    size_t pl = strlen(pattern + 1), fl = strlen(fqdn);
    return fl > pl && strcmp(fqdn + fl - pl, pattern + 1) == 0;
}

/* True when W is the rule clients of its own namespace (or, from the root
 * namespace, clients elsewhere) use for Service svc. */
static bool wildcard_wins(ml_ctx *ctx, const ml_destrule *w, const ml_service *svc, const char *root)
{
    const char *wn = w->res->ns;
    size_t wl = strlen(w->fqdn);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *o = r->u.destrule;
        if (!r->live || !o || o == w || !o->fqdn || !host_matches(o->fqdn, svc->fqdn))
            continue;
        if (ml_ns_may_equal(ctx->model, r->ns, wn) && (o->fqdn[0] != '*' || strlen(o->fqdn) >= wl))
            return false; /* as specific or more, in W's own lookup step */
        if (strcmp(wn, root) == 0 && ml_ns_may_equal(ctx->model, r->ns, svc->res->ns))
            return false; /* the Service's namespace comes before the root namespace */
    }
    return true;
}

/* The clients W is meant for import svc's host through their Sidecar
 * (sidecar.go ConvertToSidecarScope keeps a DestinationRule only for the
 * Services the egress hosts import; a client whose Sidecar leaves the host
 * out never applies W to it). From W's own namespace: its sidecars
 * certainly import the host. From the root namespace: some client
 * namespace certainly does. Without Sidecars in the input every client
 * imports every host (the default scope). */
static bool clients_import(ml_ctx *ctx, const ml_destrule *w, const ml_service *svc, bool from_root)
{
    ml_model *m = ctx->model;
    if (!m->by_kind[ML_K_SIDECAR].n)
        return true;
    if (!from_root)
        return ml_sidecar_ns_imports_host(m, w->res->ns, svc->res->ns, svc->fqdn, NULL) == ML_SC_YES;
    ml_sc_host h = {.svc_ns = svc->res->ns, .fqdn = svc->fqdn};
    ml_sc_scope sc;
    if (!ml_sidecar_scope_of(m, ctx->arena, w->res, ml_assume_complete(ctx), ml_sc_judge_host, &h, &sc))
        return false;
    return sc.yes.n || (sc.elsewhere_asked && sc.elsewhere == ML_SC_YES);
}

static void check_wildcard(ml_ctx *ctx, const ml_destrule *w, const tls_site *s)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    if (!ml_streq(ml_str(s->mode), "DISABLE") || w->workload_selector || ml_ns_is_apply_time(w->res->ns))
        return;
    const char *root = m->mesh && m->mesh->root_ns ? m->mesh->root_ns : "istio-system";
    bool from_root = strcmp(w->res->ns, root) == 0;
    if (from_root) {
        /* exported beyond the root namespace: no exportTo (and the mesh
         * default "*"), or "*" */
        if (ml_export_visible(m, w->res, "\x01other") != ML_EXPORT_YES)
            return;
    } else if (ml_export_visible(m, w->res, w->res->ns) != ML_EXPORT_YES) {
        return;
    }
    ml_vec strict = {0};
    const ml_service *first_svc = NULL;
    ml_mtls_fact strict_fact;
    memset(&strict_fact, 0, sizeof strict_fact);
    ML_VEC_EACH(ml_resource *, r, &m->by_kind[ML_K_SERVICE]) {
        const ml_service *svc = r->u.service;
        if (!r->live || !svc || !host_matches(w->fqdn, svc->fqdn) || !site_reaches(svc, s))
            continue;
        if (!wildcard_wins(ctx, w, svc, root) || !clients_import(ctx, w, svc, from_root))
            continue;
        ML_VEC_EACH(ml_workload *, wl, &svc->workloads) {
            if (ml_transport_sidecar_of(m, wl) != ML_TRANSPORT_SIDECAR_YES)
                continue;
            bool dup = false;
            for (size_t i = 0; i < strict.n && !dup; i++)
                dup = strict.items[i] == wl;
            ml_mtls_fact f;
            if (dup || !strict_on_site(m, svc, wl, s, &f))
                continue;
            if (!strict.n) {
                strict_fact = f;
                first_svc = svc;
            }
            ml_vec_push(a, &strict, wl);
        }
    }
    if (!strict.n)
        return;
    bool one = strict.n == 1;
    const char *clients = from_root ? "sidecars in namespaces without a DestinationRule of their own for those hosts"
                                    : ml_printf(a, "sidecars in namespace %s", w->res->ns);
    ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(s->mode),
                           "%s sends plaintext (tls.mode DISABLE)%s to every host matching %s, and no more "
                           "specific DestinationRule in the input takes over for %s: the sidecar%s of %s "
                           "enforce%s STRICT mTLS, so connections from %s fail",
                           ml_res_display(a, w->res), s->where, ml_str(w->host),
                           ml_res_display(a, first_svc->res), one ? "" : "s",
                           ml_transport_names(a, &strict, w->res->ns), one ? "s" : "", clients);
    if (strict_fact.decided_by)
        ml_note(ctx, d,
                strict_fact.mode_node ? ml_node_loc(strict_fact.mode_node) : ml_res_loc(strict_fact.decided_by->res),
                "%s requires STRICT mTLS", ml_res_display(a, strict_fact.decided_by->res));
    ml_transport_sidecar_notes(ctx, d, &strict);
    ml_help(ctx, d,
            "narrow the host of %s to the plaintext destinations it is meant for, or add a DestinationRule "
            "with the exact host and tls.mode ISTIO_MUTUAL for the STRICT services",
            ml_res_display(a, w->res));
}

/* A subset's own portLevelSettings (the model keeps the subset's top-level
 * tls only). */
static void subset_ports(ml_ctx *ctx, const ml_destrule *dr, const ml_dr_subset *sub, const char *sname)
{
    const ml_node *pls = ml_get(sub->traffic_policy, "portLevelSettings");
    for (size_t i = 0; ml_is_seq(pls) && i < ml_node_n(pls); i++) {
        const ml_node *tls = ml_get(&pls->elems[i], "tls");
        long long port = -1;
        if (!ml_int(ml_get(ml_get(&pls->elems[i], "port"), "number"), &port) || port < 0)
            continue;
        tls_site s = {.tls = tls,
                      .mode = ml_get(tls, "mode"),
                      .port = port,
                      .labels = sub->labels,
                      .where = ml_printf(ctx->arena, " for subset %s on port %lld", sname, port)};
        if (ml_is_scalar(s.mode))
            check_site(ctx, dr, &s);
    }
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_DESTINATIONRULE]) {
        const ml_destrule *dr = r->u.destrule;
        if (!r->live || !dr)
            continue;
        if (dr->fqdn && strchr(dr->fqdn, '*')) {
            if (dr->tls_mode) {
                tls_site s = {.tls = dr->tls, .mode = dr->tls_mode, .port = -1, .labels = NULL, .where = ""};
                check_wildcard(ctx, dr, &s);
            }
            for (size_t i = 0; i < dr->nport_settings; i++) {
                const ml_dr_port_setting *ps = &dr->port_settings[i];
                if (!ps->tls_mode || ps->port < 0)
                    continue;
                tls_site s = {.tls = ps->tls,
                              .mode = ps->tls_mode,
                              .port = ps->port,
                              .labels = NULL,
                              .where = ml_printf(ctx->arena, " on port %lld", ps->port)};
                check_wildcard(ctx, dr, &s);
            }
            continue;
        }
        if (dr->tls_mode) {
            tls_site s = {.tls = dr->tls, .mode = dr->tls_mode, .port = -1, .labels = NULL, .where = ""};
            check_site(ctx, dr, &s);
        }
        for (size_t i = 0; i < dr->nport_settings; i++) {
            const ml_dr_port_setting *ps = &dr->port_settings[i];
            if (!ps->tls_mode || ps->port < 0)
                continue;
            tls_site s = {.tls = ps->tls,
                          .mode = ps->tls_mode,
                          .port = ps->port,
                          .labels = NULL,
                          .where = ml_printf(ctx->arena, " on port %lld", ps->port)};
            check_site(ctx, dr, &s);
        }
        for (size_t i = 0; i < dr->nsubsets; i++) {
            const ml_dr_subset *sub = &dr->subsets[i];
            const char *sname = ml_str_nonnull(sub->name) ? ml_str(sub->name) : "(unnamed)";
            if (sub->tls_mode) {
                tls_site s = {.tls = ml_get(sub->traffic_policy, "tls"),
                              .mode = sub->tls_mode,
                              .port = -1,
                              .labels = sub->labels,
                              .where = ml_printf(ctx->arena, " for subset %s", sname)};
                check_site(ctx, dr, &s);
            }
            subset_ports(ctx, dr, sub, sname);
        }
    }
}

const ml_rule ml_rule_ML105 = {
    .id = "ML105",
    .name = "destination-tls-conflict",
    .level = ML_LEVEL_ERROR,
    .summary = "A DestinationRule's TLS mode contradicts the destination's mTLS or leaves the server unverified",
    .description =
        "A DestinationRule's trafficPolicy.tls (at the top, per port, or per subset) sets how client "
        "sidecars connect to the host. Three settings go wrong:\n"
        "\n"
        "tls.mode DISABLE towards workloads whose sidecars enforce STRICT mTLS: the client sends "
        "plaintext, the server accepts only mTLS, and every connection fails (error).\n"
        "\n"
        "tls.mode SIMPLE or MUTUAL towards workloads that have sidecars: the client sidecar originates "
        "its own TLS instead of Istio mTLS, so the call carries no mesh identity and bypasses what the "
        "mesh guarantees (warning).\n"
        "\n"
        "tls.mode SIMPLE or MUTUAL with insecureSkipVerify: true: the server's certificate is not "
        "verified, so a man in the middle goes unnoticed (warning). Leaving out caCertificates and "
        "credentialName is not reported: since Istio 1.21 the sidecar then verifies the server against "
        "the operating system's trust store (Istio's analyzer still reports it as IST0128/IST0129).\n"
        "\n"
        "A DestinationRule with a wildcard host (*.local, *.shop.svc.cluster.local, *) and tls.mode DISABLE "
        "(at the top or per port) is judged against the Services its host matches, only where it is the "
        "rule Istio picks. PushContext.destinationRule (pilot/pkg/model/push_context.go) looks a client's "
        "rule up in the client's own namespace, then among the rules the Service's namespace exports to "
        "it, then among those the root namespace exports to it, and in each step takes the most specific "
        "host (MostSpecificHostMatch: an exact host before any wildcard, a longer wildcard before a "
        "shorter one). So the wildcard rule is reported for the clients of its own namespace when no rule "
        "of that namespace is as specific for the Service, and, from the root namespace and exported "
        "beyond it, for clients without a rule of their own when the Service's namespace holds no rule "
        "for it at all; a rule with a workloadSelector is not judged.\n"
        "\n"
        "A sidecar applies a DestinationRule only to the Services its Sidecar resource imports: "
        "ConvertToSidecarScope (pilot/pkg/model/sidecar.go) keeps a rule per imported Service, and "
        "selectServices imports a Service through the egress hosts listed for its namespace, else those "
        "for \"*\" (and through the VirtualServices the egress hosts import). When the input has Sidecars, "
        "the rule asks this for every namespace the DestinationRule is exported to (src/sidecar.c): when "
        "none imports the host and the input has no gateway, the rule is applied by no proxy and nothing "
        "is reported; when some namespaces leave the host out, the message says for which clients it "
        "holds and a note names the Sidecar. A wildcard rule is judged per Service the same way: from its "
        "own namespace, only for Services that namespace's Sidecar certainly imports; from the root "
        "namespace, only for Services some client namespace certainly imports.",
    .remediation = "Towards workloads in the mesh, remove the tls block (auto mTLS applies) or set "
                   "tls.mode: ISTIO_MUTUAL. Towards external TLS servers, remove insecureSkipVerify, and "
                   "set caCertificates or credentialName when the server's CA is not a public one.",
    .tags = "security,mtls,istio,destinationrule",
    .istio_code = NULL,
    .security_severity = 6.5,
    .precision = "high",
    .example_bad = "apiVersion: networking.istio.io/v1\n"
                   "kind: DestinationRule\n"
                   "metadata: {name: order-service, namespace: shop}\n"
                   "spec:\n"
                   "  host: order-service   # its namespace is STRICT\n"
                   "  trafficPolicy:\n"
                   "    tls: {mode: DISABLE}",
    .example_good = "apiVersion: networking.istio.io/v1\n"
                    "kind: DestinationRule\n"
                    "metadata: {name: order-service, namespace: shop}\n"
                    "spec:\n"
                    "  host: order-service\n"
                    "  trafficPolicy:\n"
                    "    tls: {mode: ISTIO_MUTUAL}",
    .check = check,
};
