/*
 * ML311 service-target-port: a Service whose traffic has nowhere to go.
 *
 * Kubernetes builds a Service's endpoints from the pods its selector picks,
 * port by port. A targetPort written as a name is looked up, by name and
 * protocol, among each pod's container ports; a pod without that port is
 * left out of the port's endpoints, so when no selected pod declares the
 * name the port has no endpoint at all and every connection to it fails
 * (error). A numeric targetPort is used as it is: containerPort is
 * informational, so a number no container declares may still be served by
 * a process that listens on it, and that is only a note. A selector that
 * picks no pod at all leaves the whole Service without endpoints (warning;
 * kube-linter calls it a dangling Service).
 *
 * Silent where the input cannot tell: a Service without a selector (its
 * endpoints are managed by hand) or of type ExternalName (the selector is
 * ignored), a headless Service's ports (Kubernetes ignores targetPort for
 * clusterIP: None), workloads whose containers declare no ports at all
 * (their manifests may be completed elsewhere), a namespace with no
 * workload in the input (unless --assume-complete), and pods meshlint does
 * not model that the selector may pick: another kind's pod template (an
 * Argo Rollouts Rollout), or the pods an operator makes for a custom
 * resource whose labels or name the selector names.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

#define NEAR_MAX 2
#define MAX_HINTED 64 /* dangling Services that get a "did you mean" search */
#define MAX_LISTED 6
#define MAX_NOTES 3

static bool templated(const char *s)
{
    return s && (strstr(s, "{{") || strstr(s, "${"));
}

/* Resources that may make pods meshlint cannot see, by namespace: any
 * resource of another kind with a pod template (spec.template.metadata.labels:
 * an Argo Rollouts Rollout, an OpenKruise CloneSet), and the custom
 * resources an operator turns into pods (a Prometheus, a Strimzi Kafka, a
 * Gateway API Gateway that Istio deploys). */
typedef struct unmodeled {
    ml_map templates; /* ns -> ml_vec of ml_resource* with a pod template */
    ml_map customs;   /* ns -> ml_vec of ml_resource* of a custom API group */
} unmodeled;

/* An API group that holds custom resources (a dotted group other than the
 * built-in ones that never make pods). */
static bool custom_group(const char *api_version)
{
    static const char *const builtin[] = {"networking.k8s.io/", "rbac.authorization.k8s.io/",
                                          "admissionregistration.k8s.io/", "apiextensions.k8s.io/",
                                          "storage.k8s.io/", "scheduling.k8s.io/", "coordination.k8s.io/",
                                          "node.k8s.io/", "discovery.k8s.io/", "certificates.k8s.io/",
                                          "flowcontrol.apiserver.k8s.io/", "apiregistration.k8s.io/", NULL};
    const char *slash = api_version ? strchr(api_version, '/') : NULL;
    if (!slash || !memchr(api_version, '.', (size_t)(slash - api_version)))
        return false; /* v1, apps/v1, autoscaling/v2, policy/v1... */
    for (size_t i = 0; builtin[i]; i++)
        if (ml_starts_with(api_version, builtin[i]))
            return false;
    return true;
}

static void unmodeled_build(ml_ctx *ctx, unmodeled *u)
{
    ml_map_init(&u->templates);
    ml_map_init(&u->customs);
    /* a Gateway API Gateway that Istio deploys makes pods */
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_GW_GATEWAY])
        if (r->live)
            ml_map_push(&u->customs, ctx->arena, r->ns, strlen(r->ns), r);
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_OTHER]) {
        if (!r->live)
            continue;
        if (ml_is_map(ml_path(r->spec, "template.metadata.labels")))
            ml_map_push(&u->templates, ctx->arena, r->ns, strlen(r->ns), r);
        else if (custom_group(r->api_version))
            ml_map_push(&u->customs, ctx->arena, r->ns, strlen(r->ns), r);
    }
}

static void unmodeled_free(unmodeled *u)
{
    ml_map_free(&u->templates);
    ml_map_free(&u->customs);
}

/* May pods the model does not hold carry the selector's labels: a pod
 * template of an unmodeled kind that matches, or a custom resource whose own
 * labels match the selector or whose name is one of the selector's values
 * (operators label their pods with the resource's labels or name)? */
static bool unmodeled_match(const unmodeled *u, const char *ns, const ml_node *sel)
{
    const ml_vec *v = ml_map_vec(&u->templates, ns, strlen(ns));
    for (size_t i = 0; v && i < v->n; i++) {
        const ml_resource *r = v->items[i];
        if (ml_selector_matches(sel, ml_path(r->spec, "template.metadata.labels")))
            return true;
    }
    v = ml_map_vec(&u->customs, ns, strlen(ns));
    for (size_t i = 0; v && i < v->n; i++) {
        const ml_resource *r = v->items[i];
        if (ml_is_map(r->labels) && ml_selector_matches(sel, r->labels))
            return true;
        for (size_t k = 0; k < ml_node_n(sel); k++)
            if (ml_streq(ml_str(&sel->kvs[k].value), r->name))
                return true;
    }
    return false;
}

/* A selector of string keys and values only (anything else is ML002's). */
static bool plain_selector(const ml_node *sel)
{
    for (size_t i = 0; i < ml_node_n(sel); i++) {
        const char *k = ml_str_nonnull(&sel->kvs[i].key), *v = ml_str(&sel->kvs[i].value);
        if (!k || !v || !ml_is_scalar(&sel->kvs[i].value) || templated(k) || templated(v))
            return false;
    }
    return true;
}

static const char *proto_of(const ml_node *n)
{
    const char *p = ml_str_nonnull(n);
    return p ? p : "TCP";
}

/* "Deployment shop/orders" or "the 3 workloads it selects". */
static const char *workloads_text(ml_arena *a, const ml_vec *ws)
{
    if (ws->n == 1)
        return ml_res_display(a, ((const ml_workload *)ws->items[0])->res);
    return ml_printf(a, "the %zu workloads it selects", ws->n);
}

/* "http 8080, metrics 9090" of the ports the workloads declare (each
 * name and number once: versions of one app declare the same ports). */
static const char *declared_text(ml_arena *a, const ml_vec *ws)
{
    ml_buf b;
    ml_buf_init(&b);
    ml_map seen;
    ml_map_init(&seen);
    size_t shown = 0, more = 0;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        for (size_t c = 0; c < w->ncontainers; c++) {
            const ml_container *ct = &w->containers[c];
            for (size_t p = 0; p < ct->nports; p++) {
                const char *name = ml_str_nonnull(ct->ports[p].name);
                if (ct->ports[p].num < 0)
                    continue;
                const char *item = name ? ml_printf(a, "%s %lld", name, ct->ports[p].num)
                                        : ml_printf(a, "%lld", ct->ports[p].num);
                void **slot = ml_map_slot_for(&seen, item, strlen(item));
                if (*slot)
                    continue;
                *slot = (void *)1;
                if (shown < MAX_LISTED)
                    ml_buf_printf(&b, "%s%s", shown++ ? ", " : "", item);
                else
                    more++;
            }
        }
    }
    if (more)
        ml_buf_printf(&b, " and %zu more", more);
    const char *s = ml_strndup(a, b.s ? b.s : "", b.n);
    ml_buf_free(&b);
    ml_map_free(&seen);
    return s;
}

/* Note where each of the first few workloads declares its ports. */
static void note_ports(ml_ctx *ctx, ml_diag *d, const ml_vec *ws)
{
    size_t n = 0;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        for (size_t c = 0; c < w->ncontainers && n < MAX_NOTES; c++) {
            const ml_container *ct = &w->containers[c];
            if (!ct->nports || ct->is_sidecar_proxy)
                continue;
            ml_note(ctx, d, ml_node_loc(ml_get(ct->node, "ports")), "the ports of container %s of %s",
                    ml_str(ct->name) ? ml_str(ct->name) : "?", ml_res_display(ctx->arena, w->res));
            n++;
            break;
        }
    }
}

/* Does any container of the workloads (besides an istio-proxy written into
 * the manifest) declare a port? Without one, nothing can be said. */
static bool declares_ports(const ml_vec *ws)
{
    ML_VEC_EACH(const ml_workload *, w, ws) {
        for (size_t c = 0; c < w->ncontainers; c++)
            if (w->containers[c].nports && !w->containers[c].is_sidecar_proxy)
                return true;
    }
    return false;
}

/* May the pods of one of the workloads get an Istio sidecar? */
static bool maybe_injected(const ml_model *m, const ml_vec *ws)
{
    ML_VEC_EACH(const ml_workload *, w, ws) {
        const ml_sidecar_fact *f = m->mesh ? ml_mesh_sidecar(m, w) : NULL;
        if (f && (!f->known || f->injected))
            return true;
    }
    return false;
}

/* A port the injected istio-proxy container serves though no manifest
 * shows it: Istio's injection template declares http-envoy-prom (15090/TCP),
 * and the proxy also listens on 15020 (merged metrics) and 15021 (health). */
static bool proxy_port_name(const char *name, const char *proto)
{
    return !strcmp(name, "http-envoy-prom") && !strcmp(proto, "TCP");
}

static bool proxy_port_number(long long n)
{
    return n == 15090 || n == 15020 || n == 15021;
}

/* "port 80 (http)" naming a Service port for messages. */
static const char *svc_port_text(ml_arena *a, const ml_svc_port *sp)
{
    const char *name = ml_str_nonnull(sp->name);
    if (sp->num >= 0)
        return name ? ml_printf(a, "port %lld (%s)", sp->num, name) : ml_printf(a, "port %lld", sp->num);
    return name ? ml_printf(a, "port %s", name) : "a port";
}

static void check_named(ml_ctx *ctx, const ml_service *svc, const ml_svc_port *sp, const char *target,
                        const ml_vec *ws)
{
    ml_arena *a = ctx->arena;
    const char *proto = proto_of(sp->protocol);
    if (proxy_port_name(target, proto) && maybe_injected(ctx->model, ws))
        return;
    const ml_port *other_proto = NULL;
    const ml_workload *other_w = NULL;
    const char *near = NULL;
    unsigned near_d = NEAR_MAX + 1;
    bool near_unique = false;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        for (size_t c = 0; c < w->ncontainers; c++) {
            const ml_container *ct = &w->containers[c];
            for (size_t p = 0; p < ct->nports; p++) {
                const char *name = ml_str_nonnull(ct->ports[p].name);
                if (!name)
                    continue;
                const char *pp = proto_of(ml_get(ct->ports[p].node, "protocol"));
                if (templated(name) || templated(pp))
                    return; /* unknown */
                if (!strcmp(name, target)) {
                    if (!strcmp(pp, proto))
                        return; /* found: this pod gets an endpoint */
                    if (!other_proto) {
                        other_proto = &ct->ports[p];
                        other_w = w;
                    }
                    continue;
                }
                if (strcmp(pp, proto) != 0)
                    continue;
                unsigned dist = ml_edit_distance(target, name, NEAR_MAX);
                if (dist > NEAR_MAX || dist >= strlen(target))
                    continue;
                if (dist < near_d) {
                    near = name;
                    near_d = dist;
                    near_unique = true;
                } else if (dist == near_d && strcmp(near, name) != 0) {
                    near_unique = false;
                }
            }
        }
    }
    const char *svcname = ml_res_display(a, svc->res);
    const char *port = svc_port_text(a, sp);
    const char *short_name = svc->res->name;
    ml_diag *d;
    if (other_proto) {
        d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(sp->target_port),
                      "%s of %s targets the container port named %s, which %s declares with protocol %s while "
                      "the Service port is %s%s: Kubernetes looks a named port up by name and protocol, so it "
                      "adds no endpoint for this port and connections to %s fail",
                      port, svcname, target, ml_res_display(a, other_w->res),
                      proto_of(ml_get(other_proto->node, "protocol")), proto, sp->protocol ? "" : " (the default)",
                      sp->num >= 0 ? ml_printf(a, "%s:%lld", short_name, sp->num) : "it");
        ml_note(ctx, d, ml_node_loc(other_proto->node), "the container port %s of %s", target,
                ml_res_display(a, other_w->res));
        ml_help(ctx, d, "give the Service port and the container port the same protocol");
        return;
    }
    d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(sp->target_port),
                  "%s of %s targets the container port named %s, which no container of %s declares (they declare "
                  "%s): Kubernetes adds no endpoint for this port, so connections to %s fail%s%s%s",
                  port, svcname, target, workloads_text(a, ws), declared_text(a, ws),
                  sp->num >= 0 ? ml_printf(a, "%s:%lld", short_name, sp->num) : "it",
                  near && near_unique ? "; did you mean " : "", near && near_unique ? near : "",
                  near && near_unique ? "?" : "");
    note_ports(ctx, d, ws);
    if (near && near_unique) {
        ml_help(ctx, d, "write targetPort: %s, or name the container port %s", near, target);
        if (sp->target_port->style == ML_SCALAR_PLAIN)
            ml_add_fix(ctx, d, ml_printf(a, "target the container port %s", near), ml_node_loc(sp->target_port),
                       near);
    } else {
        ml_help(ctx, d, "name a container port %s (ports[].name), or set targetPort to a port name or number the "
                        "containers declare",
                target);
    }
}

static void check_numbered(ml_ctx *ctx, const ml_service *svc, const ml_svc_port *sp, long long target,
                           const ml_vec *ws)
{
    if (proxy_port_number(target) && maybe_injected(ctx->model, ws))
        return;
    ML_VEC_EACH(const ml_workload *, w, ws) {
        for (size_t c = 0; c < w->ncontainers; c++)
            for (size_t p = 0; p < w->containers[c].nports; p++)
                if (w->containers[c].ports[p].num == target)
                    return;
    }
    ml_arena *a = ctx->arena;
    ml_diag *d = ml_report(
        ctx, ML_LEVEL_NOTE, ml_node_loc(sp->target_port ? sp->target_port : sp->port),
        "%s of %s sends to container port %lld (%s), which no container of %s declares (they declare %s): "
        "containerPort is informational, so this works only if the process listens on %lld anyway",
        svc_port_text(a, sp), ml_res_display(a, svc->res), target,
        sp->target_port ? "its targetPort" : "no targetPort, so the Service port itself", workloads_text(a, ws),
        declared_text(a, ws), target);
    note_ports(ctx, d, ws);
    ml_help(ctx, d, "check the number: set targetPort to the port the container listens on, or declare "
                    "containerPort %lld",
            target);
}



static void check_dangling(ml_ctx *ctx, const ml_service *svc, size_t *hinted)
{
    ml_arena *a = ctx->arena;
    const ml_model *m = ctx->model;
    const ml_resource *r = svc->res;
    const ml_vec *nsw = ml_model_ns_workloads(m, r->ns);
    size_t nw = nsw ? nsw->n : 0;
    if (nw == 0 && !ml_assume_complete(ctx))
        return; /* the workloads of this namespace are not in the input */
    const ml_pair *selp = ml_get_pair(r->spec, "selector");
    const char *sel = tr_labels_text(a, svc->selector, ", ");
    ml_diag *d = ml_report(
        ctx, ML_LEVEL_WARNING, ml_node_loc(selp ? &selp->key : svc->selector),
        "%s selects pods labelled %s, but no workload in namespace %s has them (%s): the Service has no "
        "endpoints, so connections to it fail",
        ml_res_display(a, r), sel, r->ns,
        nw ? ml_printf(a, "the input has %zu workload%s there", nw, nw == 1 ? "" : "s")
           : "the input has none there, and --assume-complete says it is the whole configuration");

    /* The likely target: a workload of the namespace one label value away,
     * else the same labels in another namespace. */
    const ml_workload *near = NULL, *elsewhere = NULL;
    const char *near_key = NULL, *near_have = NULL;
    if (++*hinted <= MAX_HINTED) {
        ML_VEC_EACH(ml_workload *, w, &m->workloads) {
            bool same_ns = strcmp(w->res->ns, r->ns) == 0;
            if (same_ns && !near && ml_selector_one_value_off(svc->selector, w->pod_labels, NEAR_MAX, &near_key, &near_have))
                near = w;
            if (!same_ns && !elsewhere && ml_selector_matches_workload(svc->selector, w))
                elsewhere = w;
        }
    }
    if (near) {
        ml_note(ctx, d, ml_node_loc(ml_get(near->pod_labels, near_key)), "the pods of %s have %s=%s",
                ml_res_display(a, near->res), near_key, near_have);
        ml_help(ctx, d, "did you mean %s=%s?", near_key, near_have);
        const ml_node *v = ml_get(svc->selector, near_key);
        if (v && v->style == ML_SCALAR_PLAIN && ml_yaml_plain_safe(near_have))
            ml_add_fix(ctx, d, ml_printf(a, "select %s=%s", near_key, near_have), ml_node_loc(v), near_have);
    } else if (elsewhere) {
        ml_note(ctx, d, ml_node_loc(elsewhere->res->name_node),
                "%s has these labels, but a Service selects pods in its own namespace (%s) only",
                ml_res_display(a, elsewhere->res), r->ns);
        ml_help(ctx, d, "move the Service to namespace %s, or the workload to %s", elsewhere->res->ns, r->ns);
    } else {
        ml_help(ctx, d, "make the selector equal to labels of the pod template of the workload to serve (or "
                        "remove the selector and manage the endpoints yourself)");
    }
}

static bool headless(const ml_service *svc)
{
    const char *ip = ml_str_nonnull(ml_get(svc->res->spec, "clusterIP"));
    return ip && strcasecmp(ip, "None") == 0;
}

static void check(ml_ctx *ctx)
{
    unmodeled u;
    unmodeled_build(ctx, &u);
    size_t hinted = 0;
    ML_VEC_EACH(ml_resource *, r, &ctx->model->by_kind[ML_K_SERVICE]) {
        const ml_service *svc = r->u.service;
        if (!r->live || !svc || !ml_is_map(svc->selector) || ml_node_n(svc->selector) == 0)
            continue; /* no selector: endpoints are managed by hand */
        if (ml_streq(ml_str(svc->type), "ExternalName") || !plain_selector(svc->selector))
            continue;
        if (unmodeled_match(&u, r->ns, svc->selector))
            continue; /* pods of a kind meshlint does not read */
        const ml_vec *ws = &svc->workloads;
        if (ws->n == 0) {
            check_dangling(ctx, svc, &hinted);
            continue;
        }
        if (headless(svc) || !declares_ports(ws))
            continue;
        for (size_t i = 0; i < svc->nports; i++) {
            const ml_svc_port *sp = &svc->ports[i];
            long long num;
            if (sp->target_port && ml_int(sp->target_port, &num)) {
                check_numbered(ctx, svc, sp, num, ws);
            } else if (sp->target_port) {
                const char *name = ml_str_nonnull(sp->target_port);
                if (name && *name && !templated(name))
                    check_named(ctx, svc, sp, name, ws);
            } else if (sp->num >= 0) {
                check_numbered(ctx, svc, sp, sp->num, ws);
            }
        }
    }
    unmodeled_free(&u);
}

const ml_rule ml_rule_ML311 = {
    .id = "ML311",
    .name = "service-target-port",
    .level = ML_LEVEL_ERROR,
    .summary = "A Service port targets a container port its pods do not have, or the Service selects no pods",
    .description = "Kubernetes gives a Service endpoints from the pods its selector picks, port by port. A "
                   "targetPort written as a name is looked up among each pod's container ports by name and "
                   "protocol; a pod that lacks it is left out of that port's endpoints. When no container of the "
                   "selected workloads declares the name, the port has no endpoint at all and every connection "
                   "to it fails (error). A typo in the name, a container port renamed, or a UDP port behind a "
                   "TCP Service port are the usual causes.\n"
                   "\n"
                   "A numeric targetPort (or none: the Service port itself) is used as it is. containerPort is "
                   "informational and a process may listen on a port it does not declare, so a number no "
                   "container declares, while they declare others, is only a note: check that the number is "
                   "the one the process listens on.\n"
                   "\n"
                   "A Service whose selector matches no workload of its namespace has no endpoints at all "
                   "(warning; kube-linter calls it a dangling Service). This is judged only when the input "
                   "holds workloads of that namespace, or with --assume-complete. Pods meshlint does not model "
                   "count as selected: those of any other kind with a pod template (spec.template.metadata."
                   "labels, an Argo Rollouts Rollout say), and those an operator makes for a custom resource of "
                   "the namespace whose labels match the selector or whose name is one of its values (a "
                   "Prometheus, a Strimzi Kafka, a Gateway API Gateway).\n"
                   "\n"
                   "Not judged: Services without a selector (their endpoints are managed by hand), ExternalName "
                   "Services, the ports of headless Services (clusterIP: None; Kubernetes ignores targetPort "
                   "there), workloads whose containers declare no ports at all, and the ports of the Istio "
                   "sidecar that injection adds (http-envoy-prom 15090, 15020, 15021) on workloads that may get "
                   "one.",
    .remediation = "Set targetPort to a port name (or number) the selected containers declare, or name the "
                   "container port accordingly, with the same protocol; make the selector equal to labels of "
                   "the pod template of the workload the Service is for.",
    .tags = "traffic,kubernetes",
    .istio_code = NULL,
    .precision = "high",
    .example_bad = "kind: Service\nspec:\n  selector: {app: orders}\n  ports:\n  - port: 80\n    targetPort: grpc\n"
                   "---\nkind: Deployment\nspec:\n  template:\n    metadata: {labels: {app: orders}}\n    spec:\n"
                   "      containers:\n      - name: orders\n        ports:\n"
                   "        - {name: http, containerPort: 8080}",
    .example_good = "kind: Service\nspec:\n  selector: {app: orders}\n  ports:\n  - port: 80\n    targetPort: http",
    .check = check,
};
