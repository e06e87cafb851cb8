/*
 * ML601 otel-service-name-mismatch: the OpenTelemetry service name a
 * Connectum server reports under differs from the name Istio gives the same
 * workload in its own telemetry (the canonical service). Traces from the
 * sidecar and from the application then appear under two services, and
 * joining mesh metrics with application spans needs manual mapping.
 */
#include <string.h>

#include "meshlint/rule.h"

/* Istio's canonical service name of a pod: the canonical-name label, else
 * app.kubernetes.io/name, else app, else the workload's own name. */
static const char *canonical(const ml_workload *w, const ml_node **label)
{
    static const char *const keys[] = {"service.istio.io/canonical-name", "app.kubernetes.io/name", "app"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const ml_pair *p = ml_get_pair(w->pod_labels, keys[i]);
        if (p && ml_str_nonnull(&p->value)) {
            *label = &p->key;
            return ml_str(&p->value);
        }
    }
    *label = w->res->name_node;
    return w->res->name;
}

static const ml_container *serving_container(const ml_workload *w)
{
    for (size_t i = 0; i < w->ncontainers; i++)
        if (!w->containers[i].is_init && !w->containers[i].is_sidecar_proxy)
            return &w->containers[i];
    return NULL;
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ML_VEC_EACH(ml_workload *, w, &m->workloads) {
        const ml_sidecar_fact *sf = ml_mesh_sidecar(m, w);
        if (!sf || !sf->known || !sf->injected)
            continue; /* no mesh telemetry to line up with */
        ml_setting name = {0};
        const char *what = NULL;
        if (w->servers.n) {
            const ml_server *s = w->servers.items[0];
            ML_VEC_EACH(const ml_link *, l, &s->links) {
                if (l->workload == w) {
                    name = ml_server_otel_name(m, l);
                    what = "the Connectum server's OpenTelemetry service name";
                    break;
                }
            }
        }
        if (!what) {
            const ml_container *c = serving_container(w);
            if (!c)
                continue;
            name = ml_container_env(m, w, c, "OTEL_SERVICE_NAME");
            what = "OTEL_SERVICE_NAME";
        }
        if (name.val.kind != ML_VAL_STR || !name.val.str || !*name.val.str)
            continue; /* absent or unknown: nothing to compare */
        const ml_node *label = NULL;
        const char *canon = canonical(w, &label);
        if (!canon || !strcmp(canon, name.val.str))
            continue;
        ml_loc at = name.loc.file ? name.loc : name.val.loc;
        if (!at.file)
            continue;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, at,
                               "%s is '%s' (from %s), but Istio reports %s as service '%s': application traces "
                               "and mesh telemetry for the same pods appear under two service names",
                               what, name.val.str, name.source ? name.source : "the code",
                               ml_res_display(ctx->arena, w->res), canon);
        if (label)
            ml_note(ctx, d, ml_node_loc(label), "Istio's canonical service name comes from here");
        ml_help(ctx, d, "name the OpenTelemetry service '%s', or set the pod label service.istio.io/canonical-name: %s",
                canon, name.val.str);
    }
}

const ml_rule ml_rule_ML601 = {
    .id = "ML601",
    .name = "otel-service-name-mismatch",
    .level = ML_LEVEL_WARNING,
    .summary = "The OpenTelemetry service name differs from the workload's service name in the mesh",
    .description = "Istio's sidecar reports metrics, traces and access logs under the workload's "
                   "canonical service name: the pod label service.istio.io/canonical-name, else "
                   "app.kubernetes.io/name, else app, else the workload's name. Connectum's "
                   "@connectum/otel reports application spans under the serviceName given to "
                   "initProvider, else OTEL_SERVICE_NAME || npm_package_name || \"unknown-service\" "
                   "(otel/src/config.ts getServiceMetadata, otel/src/provider.ts). npm_package_name exists "
                   "only when npm starts the process, which the manifests do not show, so without "
                   "serviceName and OTEL_SERVICE_NAME the name is unknown and the rule says nothing; a "
                   "service.name in the container's OTEL_RESOURCE_ATTRIBUTES that differs from that "
                   "name leaves it unknown as well.\n"
                   "\n"
                   "When the two differ, one request shows up under two services in the tracing "
                   "backend, and dashboards that join mesh and application telemetry by service "
                   "miss each other. The guide asks for the same name in both layers.",
    .remediation = "Use the canonical service name as the OpenTelemetry service name (initProvider "
                   "serviceName or OTEL_SERVICE_NAME), or label the pods with "
                   "service.istio.io/canonical-name.",
    .tags = "observability,otel",
    .precision = "high",
    .example_bad = "labels: {app.kubernetes.io/name: orders}\nenv: [{name: OTEL_SERVICE_NAME, value: order-svc}]",
    .example_good = "labels: {app.kubernetes.io/name: orders}\nenv: [{name: OTEL_SERVICE_NAME, value: orders}]",
    .check = check,
};
