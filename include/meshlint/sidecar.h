/*
 * sidecar.h - Istio Sidecar resources (networking.istio.io Sidecar): which
 * VirtualServices the sidecar proxies of a namespace or a workload import
 * through the Sidecar's egress hosts.
 *
 * Istio's semantics (pilot/pkg/model/push_context.go getSidecarScope /
 * doGetSidecarScope, initSidecarScopes; pilot/pkg/model/sidecar.go
 * ConvertToSidecarScope, DefaultSidecarScopeForNamespace,
 * convertIstioListenerToWrapper; pilot/pkg/model/virtualservice.go
 * SelectVirtualServices):
 *
 * - A sidecar proxy in namespace C gets the first Sidecar of C whose
 *   workloadSelector matches its pod labels (selectors first, then by
 *   creation time), else the Sidecar of C without a selector, else the
 *   root namespace's Sidecar without a selector (converted for C: "." in
 *   its hosts is C), else the default scope, which imports everything
 *   ("*" / "*": every VirtualService exported to C).
 * - A Sidecar without egress has one egress listener with hosts "*" / "*".
 * - Each egress host is "namespace/dnsName": namespace "*" (any), "." (the
 *   proxy's namespace), "~" (none) or a name; dnsName "*", "*.suffix" or a
 *   FQDN. A VirtualService of namespace N is imported by a listener when
 *   one of its hosts matches a dnsName listed for N or for "*".
 * - Gateways and waypoints never use a Sidecar (DefaultSidecarScopeForGateway).
 *
 * Answers are yes/no/unknown: unknown when the input does not decide
 * (several Sidecars that may apply and disagree, egress listeners bound to
 * ports that disagree, an entry that is not "ns/host", an unbound
 * apply-time namespace, an input not linted that may define a Sidecar). A
 * namespace or root namespace without a Sidecar in the input gets the
 * default scope, as everywhere meshlint assumes the input is what is
 * applied. exportTo is separate (ml_export_visible).
 */
#ifndef MESHLINT_SIDECAR_H
#define MESHLINT_SIDECAR_H

#include "meshlint/model.h"

typedef enum ml_sc_answer { ML_SC_NO, ML_SC_YES, ML_SC_UNKNOWN } ml_sc_answer;

/* Do the sidecar proxies of namespace ns import VirtualService vs? YES
 * when every Sidecar scope that may apply to a workload of ns (each
 * selector Sidecar there, and the namespace-wide one or the root
 * namespace's or the default) imports it, NO when none does. *decider (may
 * be NULL) receives the Sidecar that decided a NO (the namespace's own or
 * the root namespace's), or NULL. ns NULL: a namespace the input does not
 * have (only the root namespace's Sidecar applies there). */
ml_sc_answer ml_sidecar_ns_imports_vs(const ml_model *m, const char *ns, const ml_resource *vs,
                                      const ml_resource **decider);
/* The same for the sidecar of one workload (the Sidecar its pod labels
 * select, else its namespace's, else the root namespace's). */
ml_sc_answer ml_sidecar_workload_imports_vs(const ml_model *m, const ml_workload *w, const ml_resource *vs,
                                            const ml_resource **decider);
/* The same for the Service of namespace svc_ns with host fqdn: do the
 * sidecar proxies of namespace ns import it (and so the DestinationRule
 * Istio keeps for it)? sidecar.go ConvertToSidecarScope: only imported
 * Services get a destinationRules entry; selectServices matches the hosts
 * listed for the Service's namespace, else those for "*"; the destination
 * hosts of imported VirtualServices are imported too. */
ml_sc_answer ml_sidecar_ns_imports_host(const ml_model *m, const char *ns, const char *svc_ns, const char *fqdn,
                                        const ml_resource **decider);

/* One answer per client namespace: fn is ml_sidecar_ns_imports_vs or
 * ml_sidecar_ns_imports_host with its arguments bound (ns NULL: a
 * namespace the input lacks). */
typedef ml_sc_answer (*ml_sc_judge)(const ml_model *m, const char *ns, const void *arg,
                                    const ml_resource **decider);
/* True when vs binds the mesh gateway only (no gateway, or just "mesh"):
 * only sidecars (and waypoints) apply it. */
bool ml_sidecar_vs_only_mesh(const ml_virtualservice *vs);
/* The judges: arg is the VirtualService's ml_resource, or an ml_sc_host. */
typedef struct ml_sc_host {
    const char *svc_ns, *fqdn;
} ml_sc_host;
ml_sc_answer ml_sc_judge_vs(const ml_model *m, const char *ns, const void *vs, const ml_resource **decider);
ml_sc_answer ml_sc_judge_host(const ml_model *m, const char *ns, const void *host, const ml_resource **decider);
/* The client namespaces of config r (exportTo, ml_export_visible), sorted
 * by judge's answer: the input's namespaces r is visible in (skip_empty:
 * those without workloads are left out, for --assume-complete), and
 * elsewhere for the namespaces the input lacks when r is exported beyond
 * it (elsewhere_asked). decider: the Sidecar of the first NO. False when
 * the input does not decide which namespaces exist (an apply-time
 * namespace) or the work would be too large. */
typedef struct ml_sc_scope {
    ml_vec yes, no, unknown;       /* const char* namespaces, load order */
    ml_sc_answer elsewhere;        /* ML_SC_NO when not asked */
    bool elsewhere_asked;
    const ml_resource *decider;
} ml_sc_scope;
bool ml_sidecar_scope_of(const ml_model *m, ml_arena *a, const ml_resource *r, bool skip_empty, ml_sc_judge judge,
                         const void *arg, ml_sc_scope *out);
/* True when no client namespace's sidecars import it, and some was asked. */
bool ml_sc_scope_none(const ml_sc_scope *s);
/* "a, b, c" of a vector of namespace names. */
const char *ml_sc_ns_list(ml_arena *a, const ml_vec *nss);
/* The egress hosts of a Sidecar as written, quoted and comma-separated
 * (for messages); for a Sidecar without egress, the default host and the
 * words "(no egress)". */
const char *ml_sidecar_hosts_text(ml_arena *a, const ml_resource *sc);

#endif
