/*
 * ML302 subset-selects-no-pods: a DestinationRule subset whose labels match
 * no pod template among the workloads behind the host's Service. Traffic sent
 * to it finds no healthy upstream. The finding names the nearest miss (the
 * workload that carries most of the subset's labels) and what it lacks,
 * because the usual cause is a Deployment that was never given the label the
 * subset keys on. The finding is an error when some VirtualService definition
 * sends the subset traffic (each such definition gets a note), a warning
 * otherwise.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

/* "Deployment ns/x has app=x but no version label" for the nearest miss. */
static const char *describe_miss(ml_arena *a, const ml_workload *w, const ml_node *want, const ml_service *svc)
{
    ml_buf has, conf, lack;
    ml_buf_init(&has);
    ml_buf_init(&conf);
    ml_buf_init(&lack);
    size_t nhas = 0, nconf = 0, nlack = 0;
    for (size_t i = 0; i < ml_node_n(want); i++) {
        const char *k = ml_str(&want->kvs[i].key);
        const char *v = ml_str(&want->kvs[i].value);
        if (!k || !v || tr_topology_label(k))
            continue; /* a Node's label, not the pod template's */
        const char *h = ml_label(w->pod_labels, k);
        if (h && strcmp(h, v) == 0)
            ml_buf_printf(&has, "%s%s=%s", nhas++ ? ", " : "", k, v);
        else if (h)
            ml_buf_printf(&conf, "%s%s=%s (not %s)", nconf++ ? ", " : "", k, h, v);
        else
            ml_buf_printf(&lack, "%s%s", nlack++ ? ", " : "", k);
    }
    if (!nhas && svc && ml_is_map(svc->selector) && ml_node_n(svc->selector)) {
        const char *sel = tr_labels_text(a, svc->selector, ", ");
        if (*sel) {
            ml_buf_puts(&has, sel);
            nhas = 1;
        }
    }
    ml_buf out;
    ml_buf_init(&out);
    ml_buf_printf(&out, "%s has ", ml_res_display(a, w->res));
    if (nhas)
        ml_buf_printf(&out, "%s but ", has.s);
    if (nconf)
        ml_buf_puts(&out, conf.s);
    if (nconf && nlack)
        ml_buf_puts(&out, " and ");
    if (nlack)
        ml_buf_printf(&out, "no %s label%s", lack.s, nlack > 1 ? "s" : "");
    /* the wanted value under another key is the usual slip (track: canary for version: canary) */
    for (size_t i = 0; nlack && i < ml_node_n(want); i++) {
        const char *k = ml_str(&want->kvs[i].key);
        const char *v = ml_str(&want->kvs[i].value);
        if (!k || !v || ml_label(w->pod_labels, k))
            continue;
        for (size_t j = 0; ml_is_map(w->pod_labels) && j < ml_node_n(w->pod_labels); j++) {
            const char *hk = ml_str(&w->pod_labels->kvs[j].key);
            if (hk && ml_streq(ml_str(&w->pod_labels->kvs[j].value), v)) {
                ml_buf_printf(&out, " (it has %s=%s)", hk, v);
                i = ml_node_n(want); /* one hint is enough */
                break;
            }
        }
    }
    const char *s = ml_strdup(a, out.s);
    ml_buf_free(&has);
    ml_buf_free(&conf);
    ml_buf_free(&lack);
    ml_buf_free(&out);
    return s;
}

/* "version: v2, track: green": the subset labels w lacks, as YAML. */
static const char *missing_yaml(ml_arena *a, const ml_workload *w, const ml_node *want)
{
    ml_buf b;
    ml_buf_init(&b);
    for (size_t i = 0; i < ml_node_n(want); i++) {
        const char *k = ml_str(&want->kvs[i].key);
        const char *v = ml_str(&want->kvs[i].value);
        if (k && v && !ml_label(w->pod_labels, k))
            ml_buf_printf(&b, "%s%s: %s", b.n ? ", " : "", k, v);
    }
    const char *s = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return s;
}

static bool only_missing(const ml_workload *w, const ml_node *want)
{
    for (size_t i = 0; i < ml_node_n(want); i++) {
        const char *k = ml_str(&want->kvs[i].key);
        if (k && ml_label(w->pod_labels, k) && !ml_streq(ml_label(w->pod_labels, k), ml_str(&want->kvs[i].value)))
            return false;
    }
    return true;
}

/* Where a workload kind keeps its pods' labels. */
static const char *labels_path(ml_kind k)
{
    switch (k) {
    case ML_K_POD: return "metadata.labels";
    case ML_K_CRONJOB: return "spec.jobTemplate.spec.template.metadata.labels";
    default: return "spec.template.metadata.labels";
    }
}

static void check_subset(ml_ctx *ctx, const ml_map *refs, const ml_resource *r, const ml_destrule *dr,
                         const ml_dr_subset *s, const char *name, const tr_subset_eval *ev)
{
    const ml_vec *rv = tr_refs_for_subset(ctx, refs, dr->fqdn, name);
    const ml_workload *near = tr_subset_closest(ctx, dr, s, ev);
    bool routed = tr_subset_has_traffic(rv, name);
    const char *want = tr_labels_text(ctx->arena, s->labels, " and ");
    const char *dr_name = ml_res_display(ctx->arena, r);
    size_t nc = ev->candidates ? ev->candidates->n : 0;

    ml_buf where;
    ml_buf_init(&where);
    if (ev->svc && nc > 1)
        ml_buf_printf(&where, "among the %zu workloads behind %s (none has %s)", nc,
                      ml_res_display(ctx->arena, ev->svc->res), want);
    else if (ev->svc && nc == 1)
        ml_buf_printf(&where, "behind %s", ml_res_display(ctx->arena, ev->svc->res));
    else if (ev->svc)
        ml_buf_printf(&where, "(%s selects no workload in the input, which --assume-complete takes as all there is)",
                      ml_res_display(ctx->arena, ev->svc->res));
    else if (nc > 1)
        ml_buf_printf(&where, "among the %zu workloads of namespace %s (none has %s; the host's Service is not in "
                              "the input)",
                      nc, ev->ns, want);
    else if (nc == 1)
        ml_buf_printf(&where, "in namespace %s (the host's Service is not in the input)", ev->ns);
    else
        ml_buf_printf(&where, "(the input has no workload in namespace %s, which --assume-complete takes as all "
                              "there is)",
                      ev->ns);

    ml_diag *d;
    if (near)
        d = ml_report(ctx, routed ? ML_LEVEL_ERROR : ML_LEVEL_WARNING, ml_node_loc(s->name),
                      "subset %s of %s selects no pod %s: %s", name, dr_name, where.s,
                      describe_miss(ctx->arena, near, s->labels, ev->svc));
    else
        d = ml_report(ctx, routed ? ML_LEVEL_ERROR : ML_LEVEL_WARNING, ml_node_loc(s->name),
                      "subset %s of %s selects no pod %s", name, dr_name, where.s);
    ml_buf_free(&where);

    ml_note(ctx, d, ml_node_loc(s->labels), "the subset selects pods labelled %s", want);
    tr_note_subset_routes(ctx, d, rv, name);
    if (near)
        ml_note(ctx, d, near->pod_labels ? ml_node_loc(near->pod_labels) : ml_res_loc(near->res),
                "pod template labels of %s", ml_res_display(ctx->arena, near->res));

    const char *consequence = routed ? "; until then requests routed to it fail (no healthy upstream)" : "";
    if (near && only_missing(near, s->labels))
        ml_help(ctx, d,
                "add %s to the pod labels (%s) of %s, or change the subset's labels to ones its pods carry%s",
                missing_yaml(ctx->arena, near, s->labels), labels_path(near->res->kind),
                ml_res_display(ctx->arena, near->res), consequence);
    else if (near)
        ml_help(ctx, d, "make the subset's labels and the pod labels of the intended workload agree%s", consequence);
    else
        ml_help(ctx, d, "deploy a workload whose pod labels include %s, or remove the subset%s",
                tr_labels_fmt(ctx->arena, s->labels, ": ", ", "), consequence);
}

static void check(ml_ctx *ctx)
{
    tr_each_subset_judged(ctx, TR_SUB_NO_PODS, check_subset);
}

const ml_rule ml_rule_ML302 = {
    .id = "ML302",
    .name = "subset-selects-no-pods",
    .level = ML_LEVEL_ERROR,
    .summary = "A DestinationRule subset's labels match no pod behind the host's Service",
    .description = "A subset picks pods by labels among the endpoints of the host's Service. When no pod "
                   "template of the workloads behind that Service carries all of the subset's labels, the "
                   "subset is empty: requests routed to it find no healthy upstream and fail with HTTP 503. "
                   "The typical case is a canary setup where the canary Deployment is labelled version: canary "
                   "but the stable Deployment was never labelled version: stable.\n"
                   "\n"
                   "The message names the nearest miss (the workload that carries most of the subset's labels, "
                   "preferring one that lacks a label over one labelled for another subset) and the label it "
                   "lacks. The finding is an error when a VirtualService definition sends the subset traffic "
                   "(each such definition is noted), and a warning when nothing routes to it yet.\n"
                   "\n"
                   "When the host's Service is not in the input, the workloads of the host's namespace stand in "
                   "for its endpoints. When the input has no workload in that namespace, or the Service selects "
                   "none of the input's workloads, the rule stays silent (the workloads may live elsewhere) "
                   "unless --assume-complete is given. Istio's analyzer reports the same problem as IST0173 "
                   "(DestinationRuleSubsetNotSelectPods).\n"
                   "\n"
                   "Istio adds the locality of each pod's Node to its endpoint labels "
                   "(topology.kubernetes.io/region, topology.kubernetes.io/zone, topology.istio.io/subzone; "
                   "AugmentLabels in pilot/pkg/serviceregistry/util/label/label.go): a subset selecting them is "
                   "judged on its other labels, and stays silent unless a Node in the input carries the values. "
                   "A namespace with a workload in an apiVersion meshlint does not read (removed, ML002) is not "
                   "judged.",
    .remediation = "Add the subset's labels to the pod template of the workload that should serve the subset "
                   "(spec.template.metadata.labels), or change the subset's labels to ones those pods carry.",
    .tags = "traffic,canary,istio",
    .istio_code = "IST0173",
    .precision = "high",
    .example_bad = "kind: Deployment\nmetadata: {name: orders}\nspec:\n  template:\n    metadata:\n"
                   "      labels: {app: orders}          # no version label\n---\nkind: DestinationRule\n"
                   "spec:\n  host: orders\n  subsets:\n  - name: stable\n    labels: {version: stable}",
    .example_good = "kind: Deployment\nmetadata: {name: orders}\nspec:\n  template:\n    metadata:\n"
                    "      labels: {app: orders, version: stable}\n---\nkind: DestinationRule\nspec:\n"
                    "  host: orders\n  subsets:\n  - name: stable\n    labels: {version: stable}",
    .check = check,
};
