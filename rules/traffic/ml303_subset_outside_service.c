/*
 * ML303 subset-outside-service: the pods a subset selects exist, but the
 * host's Service does not select them, so the subset has no endpoints behind
 * that host. The classic cause is a Service selector that pins one version
 * (version: stable): the canary pods carry the app label and the subset's
 * label, but not the selector's version, and the canary never sees a request.
 * Only pods that share at least one selector label with the Service count as
 * "the host's own pods"; a subset whose labels merely occur on some other
 * app's pods is ML302's business.
 */
#include <string.h>

#include "meshlint/rule.h"
#include "traffic_common.h"

/* "version=canary where the selector wants version=stable" for one workload. */
static const char *selector_miss(ml_arena *a, const ml_node *sel, const ml_node *labels)
{
    ml_buf b;
    ml_buf_init(&b);
    size_t n = 0;
    for (size_t i = 0; i < ml_node_n(sel); i++) {
        const char *k = ml_str(&sel->kvs[i].key);
        const char *v = ml_str(&sel->kvs[i].value);
        if (!k || !v)
            continue;
        const char *h = ml_label(labels, k);
        if (h && strcmp(h, v) == 0)
            continue;
        if (h)
            ml_buf_printf(&b, "%s%s=%s where the selector wants %s=%s", n++ ? ", " : "", k, h, k, v);
        else
            ml_buf_printf(&b, "%sno %s label where the selector wants %s=%s", n++ ? ", " : "", k, k, v);
    }
    const char *s = ml_strdup(a, b.s ? b.s : "");
    ml_buf_free(&b);
    return s;
}

static void check_subset(ml_ctx *ctx, const ml_map *refs, const ml_resource *r, const ml_destrule *dr,
                         const ml_dr_subset *s, const char *name, const tr_subset_eval *ev)
{
    const ml_workload *w = ev->outside.items[0];
    const char *svc = ml_res_display(ctx->arena, ev->svc->res);
    ml_buf others;
    ml_buf_init(&others);
    if (ev->outside.n > 1)
        ml_buf_printf(&others, " (and %zu more workload%s)", ev->outside.n - 1, ev->outside.n == 2 ? "" : "s");
    ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, ml_node_loc(s->name),
                           "subset %s of %s selects %s%s, which %s does not select: its pods have %s, so the "
                           "subset has no endpoints behind host %s",
                           name, ml_res_display(ctx->arena, r), ml_res_display(ctx->arena, w->res),
                           others.s ? others.s : "", svc,
                           selector_miss(ctx->arena, ev->svc->selector, w->pod_labels), dr->fqdn);
    ml_buf_free(&others);
    ml_note(ctx, d, ml_node_loc(ev->svc->selector), "the selector of %s", svc);
    ML_VEC_EACH(const ml_workload *, o, &ev->outside) {
        ml_note(ctx, d, o->pod_labels ? ml_node_loc(o->pod_labels) : ml_res_loc(o->res),
                "pod template labels of %s: selected by the subset, not by the Service",
                ml_res_display(ctx->arena, o->res));
    }
    tr_note_subset_routes(ctx, d, tr_refs_for_subset(ctx, refs, dr->fqdn, name), name);
    /* the selector labels the subset's pods do not satisfy */
    ml_buf keys, add;
    ml_buf_init(&keys);
    ml_buf_init(&add);
    bool conflict = false;
    for (size_t i = 0; i < ml_node_n(ev->svc->selector); i++) {
        const char *k = ml_str(&ev->svc->selector->kvs[i].key);
        const char *v = ml_str(&ev->svc->selector->kvs[i].value);
        if (!k || !v || ml_streq(ml_label(w->pod_labels, k), v))
            continue;
        ml_buf_printf(&keys, "%s%s", keys.n ? ", " : "", k);
        if (ml_label(w->pod_labels, k))
            conflict = true;
        else
            ml_buf_printf(&add, "%s%s: %s", add.n ? ", " : "", k, v);
    }
    if (conflict || !add.n)
        ml_help(ctx, d,
                "remove %s from the selector of %s so that it selects every version of the app, and let the "
                "DestinationRule subsets split them",
                keys.s ? keys.s : "the differing labels", svc);
    else
        ml_help(ctx, d, "add %s to the pod template labels of %s, or remove %s from the selector of %s", add.s,
                ml_res_display(ctx->arena, w->res), keys.s, svc);
    ml_buf_free(&keys);
    ml_buf_free(&add);
}

static void check(ml_ctx *ctx)
{
    tr_each_subset_judged(ctx, TR_SUB_OUTSIDE, check_subset);
}

const ml_rule ml_rule_ML303 = {
    .id = "ML303",
    .name = "subset-outside-service",
    .level = ML_LEVEL_ERROR,
    .summary = "The pods a subset selects are not selected by the host's Service",
    .description = "Istio builds a subset's endpoints from the endpoints of the host's Service, filtered by the "
                   "subset's labels. When the pods that carry the subset's labels are not selected by that "
                   "Service, the subset is empty even though the pods run: a canary Deployment labelled "
                   "version: canary behind a Service whose selector includes version: stable never receives a "
                   "request, and everything routed to the canary subset fails with HTTP 503.\n"
                   "\n"
                   "The rule reports a subset that matches no workload behind the Service while matching "
                   "workloads in the Service's namespace that share at least one selector label with the "
                   "Service (the host's own pods, left out by a selector label). Pods of unrelated apps that "
                   "happen to carry the subset's labels do not count; a subset that selects nothing at all is "
                   "reported by ML302.",
    .remediation = "Remove the labels that differ between versions (such as version) from the Service "
                   "selector, so that the Service selects every version and the DestinationRule subsets split "
                   "them.",
    .tags = "traffic,canary,istio,kubernetes",
    .precision = "high",
    .example_bad = "kind: Service\nmetadata: {name: orders}\nspec:\n  selector: {app: orders, version: stable}\n"
                   "---\nkind: DestinationRule\nspec:\n  host: orders\n  subsets:\n  - name: canary\n"
                   "    labels: {version: canary}",
    .example_good = "kind: Service\nmetadata: {name: orders}\nspec:\n  selector: {app: orders}\n---\n"
                    "kind: DestinationRule\nspec:\n  host: orders\n  subsets:\n  - name: canary\n"
                    "    labels: {version: canary}",
    .check = check,
};
