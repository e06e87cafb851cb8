/*
 * ML602 proxy-resource-annotations: the sidecar's resources set through pod
 * annotations (sidecar.istio.io/proxyCPU, proxyCPULimit, proxyMemory,
 * proxyMemoryLimit) that cannot work: a value that is not a Kubernetes
 * quantity, a request above its limit (the API server rejects the pod, so the
 * workload gets no pods at all), annotations on the workload's own metadata
 * instead of the pod template (the injector never sees them), or annotations
 * on pods that get no sidecar.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "meshlint/rule.h"

static const char *const ANN[] = {"sidecar.istio.io/proxyCPU", "sidecar.istio.io/proxyCPULimit",
                                  "sidecar.istio.io/proxyMemory", "sidecar.istio.io/proxyMemoryLimit"};

/* A Kubernetes resource quantity in base units (cores or bytes). */
static bool quantity(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    double v = strtod(s, &end);
    /* strtod also reads hex, inf and nan, which are not quantities */
    if (end == s || v < 0 || strpbrk(s, "xXnN") || (!isdigit((unsigned char)s[0]) && s[0] != '.' && s[0] != '+'))
        return false;
    static const struct {
        const char *suffix;
        double mult;
    } SUF[] = {{"", 1},          {"m", 1e-3},        {"k", 1e3},         {"M", 1e6},       {"G", 1e9},
               {"T", 1e12},      {"P", 1e15},        {"E", 1e18},        {"Ki", 1024.0},   {"Mi", 1048576.0},
               {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
               {"Ei", 1152921504606846976.0}};
    for (size_t i = 0; i < sizeof SUF / sizeof SUF[0]; i++)
        if (!strcmp(end, SUF[i].suffix)) {
            *out = v * SUF[i].mult;
            return true;
        }
    return false;
}

static void check_pair(ml_ctx *ctx, const ml_workload *w, const ml_node *req, const ml_node *lim, const char *what)
{
    double r, l;
    if (!quantity(ml_str(req), &r) || !quantity(ml_str(lim), &l) || r <= l)
        return;
    ml_diag *d = ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(req),
                           "the istio-proxy container of %s would request %s %s but be limited to %s: the API "
                           "server rejects a pod whose request exceeds its limit, so the workload gets no pods",
                           ml_res_display(ctx->arena, w->res), ml_str(req), what, ml_str(lim));
    ml_note(ctx, d, ml_node_loc(lim), "the limit");
    ml_help(ctx, d, "raise the limit to at least %s, or lower the request", ml_str(req));
}

static void check(ml_ctx *ctx)
{
    ml_model *m = ctx->model;
    ML_VEC_EACH(ml_resource *, r, &m->resources) {
        if (!ml_kind_is_workload(r->kind) || !r->u.workload)
            continue;
        const ml_workload *w = r->u.workload;
        const ml_node *pa = w->pod_annotations;
        bool any = false;
        for (size_t i = 0; i < 4; i++) {
            const ml_node *v = ml_get(pa, ANN[i]);
            if (!v)
                continue;
            any = true;
            double q;
            if (!quantity(ml_str(v), &q))
                ml_report(ctx, ML_LEVEL_ERROR, ml_node_loc(v),
                          "%s '%s' is not a Kubernetes quantity (such as 100m, 0.5, 128Mi or 1Gi): the sidecar "
                          "injector fails on it and the pod is not created",
                          ANN[i], ml_str(v) ? ml_str(v) : "");
        }
        check_pair(ctx, w, ml_get(pa, ANN[0]), ml_get(pa, ANN[1]), "CPU");
        check_pair(ctx, w, ml_get(pa, ANN[2]), ml_get(pa, ANN[3]), "memory");
        /* on the workload's own metadata they do nothing (not for a Pod, where they are the same) */
        if (r->kind != ML_K_POD) {
            for (size_t i = 0; i < 4; i++) {
                const ml_pair *p = ml_get_pair(r->annotations, ANN[i]);
                if (!p || ml_get(pa, ANN[i]))
                    continue;
                ml_diag *d = ml_report(ctx, ML_LEVEL_WARNING, ml_node_loc(&p->key),
                                       "%s is on the metadata of %s, where the sidecar injector never reads it: "
                                       "it belongs on the pod template",
                                       ANN[i], ml_res_display(ctx->arena, r));
                ml_help(ctx, d, "move it to spec.template.metadata.annotations");
            }
        }
        if (any && r->live) {
            const ml_sidecar_fact *sf = ml_mesh_sidecar(m, w);
            if (sf && sf->known && !sf->injected) {
                const ml_pair *first = NULL;
                for (size_t i = 0; i < 4 && !first; i++)
                    first = ml_get_pair(pa, ANN[i]);
                ml_diag *d = ml_report(ctx, ML_LEVEL_NOTE, ml_node_loc(&first->key),
                                       "the sidecar resource annotations of %s have no effect: its pods get no "
                                       "Istio sidecar (%s)",
                                       ml_res_display(ctx->arena, r), sf->explain ? sf->explain : "not injected");
                if (sf->decided_by)
                    ml_note(ctx, d, ml_node_loc(sf->decided_by), "this decides that there is no sidecar");
            }
        }
    }
}

const ml_rule ml_rule_ML602 = {
    .id = "ML602",
    .name = "proxy-resource-annotations",
    .level = ML_LEVEL_ERROR,
    .summary = "Sidecar resource annotations that cannot take effect",
    .description = "The pod annotations sidecar.istio.io/proxyCPU, proxyCPULimit, proxyMemory and "
                   "proxyMemoryLimit set the requests and limits of the injected istio-proxy "
                   "container, so that the proxy cannot starve the Connectum container. They fail "
                   "when a value is not a Kubernetes quantity, or when a request exceeds its limit: "
                   "the pod is then rejected and the workload runs no pods (error).\n"
                   "\n"
                   "They do nothing on the workload's own metadata, because the injector reads the "
                   "pod's annotations (warning), and nothing on pods that get no sidecar (note).",
    .remediation = "Put the annotations under spec.template.metadata.annotations, write quantities "
                   "such as 100m or 128Mi, and keep each request at or below its limit.",
    .tags = "proxy,resources",
    .precision = "very-high",
    .example_bad = "annotations:\n  sidecar.istio.io/proxyCPU: \"600m\"\n  sidecar.istio.io/proxyCPULimit: \"500m\"",
    .example_good = "annotations:\n  sidecar.istio.io/proxyCPU: \"100m\"\n  sidecar.istio.io/proxyCPULimit: \"500m\"",
    .check = check,
};
