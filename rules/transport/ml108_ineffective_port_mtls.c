/*
 * ML108 ineffective-port-mtls: portLevelMtls entries that Istio never
 * applies. On a policy without a selector (namespace- or mesh-wide) Istio
 * ignores portLevelMtls altogether; on a policy with a selector, an entry is
 * keyed by a workload (container) port, so a key that none of the selected
 * workloads listens on does nothing - typically the Service port written
 * where the targetPort belongs. A port counts as listened on when a
 * container declares it, a Service selecting the workload targets it, or a
 * linked Connectum server listens on it; when a container port number is
 * unknown, or the selector picks no workload of the input, nothing is said.
 */
#include "meshlint/rule.h"
#include "transport_common.h"

/* "5000, 9090" for the ports the selected workloads' containers declare. */
static const char *declared_ports(ml_arena *a, const ml_vec *ws)
{
    long long seen[8];
    size_t n = 0;
    ml_buf b;
    ml_buf_init(&b);
    ML_VEC_EACH(const ml_workload *, w, ws) {
        for (size_t i = 0; i < w->ncontainers; i++) {
            const ml_container *c = &w->containers[i];
            if (c->is_init || c->is_sidecar_proxy)
                continue;
            for (size_t j = 0; j < c->nports && n < sizeof seen / sizeof seen[0]; j++) {
                long long num = c->ports[j].num;
                bool dup = false;
                for (size_t k = 0; k < n && !dup; k++)
                    dup = seen[k] == num;
                if (dup || num < 0)
                    continue;
                seen[n] = num;
                ml_buf_printf(&b, "%s%lld", n ? ", " : "", num);
                n++;
            }
        }
    }
    const char *s = n ? ml_strdup(a, b.s) : NULL;
    ml_buf_free(&b);
    return s;
}

/* A Service of the selected workloads whose port (not targetPort) is `port`,
 * and the container port it targets: the usual mix-up. */
static bool service_port_mixup(const ml_vec *ws, long long port, const ml_service **svc_out,
                               const ml_svc_port **sp_out)
{
    ML_VEC_EACH(const ml_workload *, w, ws) {
        ML_VEC_EACH(const ml_service *, svc, &w->services) {
            for (size_t i = 0; i < svc->nports; i++) {
                if (svc->ports[i].num == port && svc->ports[i].target_port) {
                    *svc_out = svc;
                    *sp_out = &svc->ports[i];
                    return true;
                }
            }
        }
    }
    return false;
}

static void no_selector(ml_ctx *ctx, const ml_peerauth *pa)
{
    ml_arena *a = ctx->arena;
    const ml_pair *plm = ml_get_pair(pa->res->spec, "portLevelMtls");
    ml_buf ports;
    ml_buf_init(&ports);
    for (size_t i = 0; i < pa->nport_level; i++)
        ml_buf_printf(&ports, "%s%lld", i ? ", " : "", pa->port_level[i].port);
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, plm ? ml_node_loc(&plm->key) : ml_res_loc(pa->res),
                           "%s has no selector, so Istio ignores its portLevelMtls (port%s %s): port-level "
                           "settings only work on a policy that selects workloads",
                           ml_res_display(a, pa->res), pa->nport_level == 1 ? "" : "s", ports.s ? ports.s : "");
    ml_help(ctx, d,
            "move the port-level settings to a PeerAuthentication with a selector.matchLabels that picks the "
            "workloads listening on those ports");
    ml_buf_free(&ports);
}

static void with_selector(ml_ctx *ctx, const ml_peerauth *pa)
{
    ml_model *m = ctx->model;
    ml_arena *a = ctx->arena;
    ml_vec ws = ml_model_select(m, pa->res->ns, pa->selector);
    if (!ws.n)
        return;
    for (size_t i = 0; i < pa->nport_level; i++) {
        const ml_port_mtls *pm = &pa->port_level[i];
        bool unknown = false, found = false;
        ML_VEC_EACH(const ml_workload *, w, &ws) {
            if (ml_transport_has_port(m, w, pm->port, &unknown)) {
                found = true;
                break;
            }
        }
        if (found || unknown)
            continue;
        const char *have = declared_ports(a, &ws);
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(pm->key),
                               "portLevelMtls port %lld of %s matches no port of the workloads it selects (%s %s): "
                               "the setting has no effect",
                               pm->port, ml_res_display(a, pa->res), ml_transport_names(a, &ws, pa->res->ns),
                               have ? ml_printf(a, "listen%s on %s", ws.n == 1 ? "s" : "", have)
                                    : (ws.n == 1 ? "declares no port" : "declare no port"));
        const ml_service *svc;
        const ml_svc_port *sp;
        if (service_port_mixup(&ws, pm->port, &svc, &sp)) {
            ml_note(ctx, d, ml_node_loc(sp->port), "%lld is a port of %s, which forwards it to targetPort %s",
                    pm->port, ml_res_display(a, svc->res), ml_str(sp->target_port) ? ml_str(sp->target_port) : "?");
            ml_help(ctx, d,
                    "portLevelMtls is keyed by the workload's port (the Service's targetPort), not the Service "
                    "port: use the container port number");
        } else {
            ml_help(ctx, d, "key portLevelMtls by a port the selected containers listen on, or remove the entry");
        }
    }
}

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_PEERAUTHENTICATION]) {
        const ml_peerauth *pa = r->u.peerauth;
        if (!r->live || !pa || !pa->nport_level)
            continue;
        if (!pa->selector)
            no_selector(ctx, pa);
        else
            with_selector(ctx, pa);
    }
}

const ml_rule ml_rule_ML108 = {
    .id = "ML108",
    .name = "ineffective-port-mtls",
    .level = ML_LEVEL_WARNING,
    .summary = "A portLevelMtls entry that Istio never applies",
    .description =
        "PeerAuthentication's portLevelMtls sets the mTLS mode of single ports, keyed by the workload's "
        "port (the container port a Service's targetPort points to). Istio applies it only on a policy "
        "with a selector: on a namespace-wide or mesh-wide policy it is ignored. And an entry keyed by a "
        "port that none of the selected workloads listens on does nothing; the usual cause is the "
        "Service's port written where its targetPort belongs.\n"
        "\n"
        "Either way the port keeps the policy's (or the namespace's) mode, while the manifest suggests "
        "otherwise. meshlint counts a port as listened on when a container declares it, a Service "
        "selecting the workload targets it, or a linked Connectum server listens on it, and says nothing "
        "when a port number is unknown or the selector picks no workload of the input.",
    .remediation = "Move port-level settings to a policy with a selector, and key them by the container "
                   "port.",
    .tags = "security,mtls,istio",
    .istio_code = NULL,
    .security_severity = 3.7,
    .precision = "high",
    .example_bad = "kind: PeerAuthentication\n"
                   "metadata: {name: default, namespace: shop}\n"
                   "spec:\n"
                   "  mtls: {mode: STRICT}\n"
                   "  portLevelMtls:\n"
                   "    9090: {mode: PERMISSIVE}   # ignored: no selector",
    .example_good = "kind: PeerAuthentication\n"
                    "metadata: {name: metrics, namespace: shop}\n"
                    "spec:\n"
                    "  selector: {matchLabels: {app: order-service}}\n"
                    "  mtls: {mode: STRICT}\n"
                    "  portLevelMtls:\n"
                    "    9090: {mode: PERMISSIVE}",
    .check = check,
};
