/*
 * traffic_common.h - helpers shared by the traffic rules (ML301-ML308).
 *
 * Several traffic rules ask the same two questions: which VirtualService
 * definitions send traffic to a host and subset, and which pods a
 * DestinationRule subset ends up with. Both are answered here once, from the
 * model's indexes, so that each rule stays a short description of its check.
 */
#ifndef MESHLINT_TRAFFIC_COMMON_H
#define MESHLINT_TRAFFIC_COMMON_H

#include "meshlint/rule.h"

/* One route destination or mirror of one VirtualService definition. */
typedef struct tr_ref {
    const ml_resource *vs;       /* the VirtualService definition (any, not only the winner) */
    const ml_route *route;
    const ml_destination *dest;
    bool mirror;
    bool gets_traffic;           /* a positive share of the route's requests reaches it */
} tr_ref;

/* Call fn on every destination and then the mirror of every route of every
 * VirtualService definition (not only the winners), in load order. */
typedef void (*tr_dest_fn)(ml_ctx *ctx, void *arg, const ml_resource *vs, const ml_route *rt,
                           const ml_destination *d, bool mirror);
void tr_each_dest(ml_ctx *ctx, tr_dest_fn fn, void *arg);

/* Index the destinations and mirrors of every VirtualService definition by
 * resolved host: fqdn -> ml_vec of tr_ref*. Free with ml_map_free. */
void tr_refs_build(ml_ctx *ctx, ml_map *out);
/* The same index by host alone: ask it with tr_refs_for only (a rule that
 * looks for a subset scans the host's references). */
void tr_refs_build_hosts(ml_ctx *ctx, ml_map *out);
/* Never NULL: an empty vector when nothing routes to fqdn. */
const ml_vec *tr_refs_for(const ml_map *refs, const char *fqdn);
/* The references that name subset of fqdn (never NULL). */
const ml_vec *tr_refs_for_subset(ml_ctx *ctx, const ml_map *refs, const char *fqdn, const char *subset);
/* The subset a reference names, or NULL. */
const char *tr_ref_subset(const tr_ref *ref);

/* True when this destination of rt receives a positive share of its
 * requests (a mirror: unless mirrorPercentage is 0). */
bool tr_dest_gets_traffic(const ml_route *rt, const ml_destination *d, bool mirror);

/* "http[1]" or "http[1] (canary)" for a route. */
const char *tr_route_name(ml_arena *a, const ml_route *rt);
/* "k=v, k2=v2" for a mapping of labels (sep between pairs). */
const char *tr_labels_text(ml_arena *a, const ml_node *labels, const char *sep);
/* The same with another separator between key and value ("version: stable"). */
const char *tr_labels_fmt(ml_arena *a, const ml_node *labels, const char *eq, const char *sep);
/* Namespace of a cluster-local host "name.ns.svc.<domain>", else NULL. */
const char *tr_fqdn_ns(ml_ctx *ctx, const char *fqdn);
/* True when fqdn is one of Istio's own control-plane Services (istiod,
 * istiod-<revision>, istio-ingressgateway, istio-egressgateway,
 * istio-eastwestgateway) in the root namespace (configurable, istio-system
 * by default): they exist in every mesh though an app repository never
 * holds them (manifests/charts/istio-control, manifests/charts/gateways). */
bool tr_is_control_plane_host(ml_ctx *ctx, const char *fqdn);
/* A label Istio copies from the pod's Node onto its endpoints
 * (topology.kubernetes.io/region, /zone, topology.istio.io/subzone): a
 * subset may select it though no pod template carries it. */
bool tr_topology_label(const char *key);
/* The namespace whose sidecars certainly use VirtualService r: its own,
 * when r binds the mesh gateway and its exportTo includes its own
 * namespace; else NULL (its users are gateways or other namespaces). The
 * exportTo of what r routes to is judged from there (ml_export_visible). */
const char *tr_vs_client_ns(const ml_ctx *ctx, const ml_resource *r);
/* The DestinationRules Istio applies to host fqdn for the proxies of
 * namespace client (PushContext.destinationRule, pilot/pkg/model/
 * push_context.go): first the rules of the client's own namespace
 * (namespaceLocal: every rule there whose exportTo is empty, "*", "." or
 * the namespace; for the root namespace only its private ones,
 * rootNamespaceLocal), then the rules the host's Service namespace exports
 * (exportedByNamespace) that reach the client, then those of the root
 * namespace. Each step takes the most specific host match
 * (MostSpecificHostMatch, pilot/pkg/model/config.go: the exact host, else
 * the longest wildcard) and stops at the first step that has one; the rules
 * it yields for one host are merged (mergeDestinationRule), so a subset
 * exists for the client when any of them defines it. Only definitions
 * `from` may meet count. Unknown (false) when the input does not decide it:
 * an unbound apply-time namespace, an exportTo that is not a list of names,
 * a rule with a workloadSelector in the client's namespace (it applies to
 * some workloads only), alternatives of one rule, an input not linted that
 * may define rules in a namespace asked, or a host whose namespace is not
 * cluster-local when the client's own namespace has no rule for it. */
typedef enum tr_dr_stage {
    TR_DR_NONE = 0,   /* no DestinationRule applies */
    TR_DR_CLIENT_NS,  /* the client namespace's own */
    TR_DR_HOST_NS,    /* exported by the host's namespace */
    TR_DR_ROOT_NS     /* exported by the root namespace */
} tr_dr_stage;
typedef struct tr_client_drs {
    tr_dr_stage stage;
    ml_vec drs;       /* ml_destrule*, load order */
} tr_client_drs;
bool tr_client_destrules(ml_ctx *ctx, const ml_resource *from, const char *fqdn, const char *client,
                         tr_client_drs *out);
/* The configured root namespace ("istio-system" unless set). */
const char *tr_root_ns(const ml_ctx *ctx);
/* "file:line" of a location (for messages that point elsewhere). */
const char *tr_where(ml_arena *a, ml_loc l);
/* The definition of r's group that replaces r when applied, or NULL when r
 * is live (one of its key's alternatives). */
const ml_resource *tr_replaced_by(const ml_ctx *ctx, const ml_resource *r);

/* What the pods behind a DestinationRule subset are. */
typedef enum tr_sub_verdict {
    TR_SUB_SKIP,     /* not knowable from the input: stay silent */
    TR_SUB_OK,       /* at least one workload matches */
    TR_SUB_NO_PODS,  /* ML302: no workload where the subset looks matches */
    TR_SUB_OUTSIDE   /* ML303: matching workloads exist, but the Service excludes them */
} tr_sub_verdict;

typedef struct tr_subset_eval {
    const ml_service *svc;       /* the host's Service, or NULL */
    const char *ns;              /* namespace of the host */
    const ml_vec *candidates;    /* the workloads the subset was matched against (may be NULL) */
    bool ns_fallback;            /* candidates are the namespace's workloads (no Service in the input) */
    ml_vec outside;              /* TR_SUB_OUTSIDE: ml_workload* the subset selects but the Service does not */
} tr_subset_eval;

tr_sub_verdict tr_subset_evaluate(ml_ctx *ctx, const ml_destrule *dr, const ml_dr_subset *s,
                                  tr_subset_eval *out);
/* ML302 and ML303: call fn on every named subset of every DestinationRule
 * definition, in load order, that tr_subset_evaluate judges `verdict`, with
 * the references to the subset's host and name (refs indexes only the
 * hosts of the subsets judged so: ask it for dr->fqdn alone). */
typedef void (*tr_subset_fn)(ml_ctx *ctx, const ml_map *refs, const ml_resource *r, const ml_destrule *dr,
                             const ml_dr_subset *s, const char *name, const tr_subset_eval *ev);
void tr_each_subset_judged(ml_ctx *ctx, tr_sub_verdict verdict, tr_subset_fn fn);
/* For TR_SUB_NO_PODS: the nearest miss among the candidates (most subset
 * labels matched, then fewest labels with another value), or NULL. */
const ml_workload *tr_subset_closest(ml_ctx *ctx, const ml_destrule *dr, const ml_dr_subset *s,
                                     const tr_subset_eval *ev);

/* True when any reference in refs to subset receives traffic. */
bool tr_subset_has_traffic(const ml_vec *refs, const char *subset);
/* Add one note per VirtualService definition in refs that routes (or
 * mirrors) to subset; returns how many definitions that is. */
size_t tr_note_subset_routes(ml_ctx *ctx, ml_diag *d, const ml_vec *refs, const char *subset);

/* A VirtualService match item's uri condition (HTTPMatchRequest.uri, a
 * StringMatch of exactly one of exact, prefix or regex). */
typedef enum tr_uri_kind { TR_URI_EXACT, TR_URI_PREFIX, TR_URI_REGEX } tr_uri_kind;
/* false when the item has no uri, or it is not a single exact/prefix/regex
 * string; else *kind and *val (the scalar). */
bool tr_item_uri(const ml_node *item, tr_uri_kind *kind, const ml_node **val);
/* "exact", "prefix" or "regex" */
const char *tr_uri_kind_name(tr_uri_kind k);

#endif
