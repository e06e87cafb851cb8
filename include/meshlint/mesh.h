/*
 * mesh.h - facts about the mesh that several rule families share.
 *
 * Computed once per run (ml_mesh_compute) from the model: for every workload,
 * whether its pods get an Istio sidecar and why; and what inbound mTLS mode
 * applies to it (per container port too), with the PeerAuthentications that
 * decided it. Rules read these facts; none recomputes them.
 */
#ifndef MESHLINT_MESH_H
#define MESHLINT_MESH_H

#include "meshlint/model.h"

typedef enum ml_inject_reason {
    ML_INJ_NS_LABEL,        /* namespace istio-injection=enabled */
    ML_INJ_NS_REV,          /* namespace istio.io/rev=<rev> */
    ML_INJ_NS_DISABLED,     /* namespace istio-injection=disabled */
    ML_INJ_POD_OPT_OUT,     /* pod label/annotation sidecar.istio.io/inject=false */
    ML_INJ_POD_OPT_IN,      /* pod label sidecar.istio.io/inject=true, or pod label istio.io/rev */
    ML_INJ_SYSTEM_NS,       /* kube-system, or the control-plane namespace */
    ML_INJ_NO_LABEL,        /* namespace known, without injection label */
    ML_INJ_NS_UNKNOWN,      /* namespace not defined in the input: unknown */
    ML_INJ_HOST_NETWORK,    /* pod spec hostNetwork: true, which Istio never injects */
    ML_INJ_AMBIENT,         /* ambient data plane (istio.io/dataplane-mode=ambient): no sidecar, known false */
    ML_INJ_NS_ALTERNATIVES, /* Namespace alternatives (unit.h) disagree: depends on which is applied last, known false */
    ML_INJ_GATEWAY_PROXY    /* inject.istio.io/templates: gateway: a gateway proxy, not an app; known false */
} ml_inject_reason;

typedef struct ml_sidecar_fact {
    bool injected;           /* meaningful unless reason == ML_INJ_NS_UNKNOWN */
    bool known;              /* false when the namespace is not in the input and no pod opt-in/out decides */
    ml_inject_reason reason;
    const ml_node *decided_by;    /* the label/annotation node that decided, or NULL */
    const ml_resource *namespace_res; /* the Namespace definition the workload meets (unit.h), or NULL
                                       * (none, or alternatives that disagree) */
    const char *explain;     /* one sentence: "namespace connectum (k8s/namespace.yaml:3) has no istio-injection label" */
} ml_sidecar_fact;

typedef enum ml_mtls_scope { ML_SCOPE_DEFAULT, ML_SCOPE_MESH, ML_SCOPE_NAMESPACE, ML_SCOPE_WORKLOAD, ML_SCOPE_PORT } ml_mtls_scope;

typedef struct ml_mtls_fact {
    ml_mtls_mode mode;       /* effective: never UNSET (nothing => PERMISSIVE) */
    ml_mtls_scope scope;     /* where the effective mode came from */
    const ml_peerauth *decided_by; /* NULL when the default applied */
    const ml_node *mode_node;      /* the mode value that decided, or NULL */
    /* the chain that applies, narrowest first (any may be NULL) */
    const ml_peerauth *workload_pa, *namespace_pa, *mesh_pa;
} ml_mtls_fact;

typedef struct ml_mesh {
    const char *root_ns;     /* "istio-system" unless configured */
} ml_mesh;

/* ---- data plane per workload (sidecar or ambient) ----------------------
 * Istio's ambient mode (istio.io/dataplane-mode=ambient on the namespace
 * or the pod, "none" on the pod opts out) puts pods in the mesh without a
 * sidecar: ztunnel carries L4 mTLS and L4 policy; L7 (HTTP routing, L7
 * authorization) happens only in a waypoint proxy, chosen by the label
 * istio.io/use-waypoint on the pod or Service, else on its namespace
 * ("none" on the object opts out; istio.io/use-waypoint-namespace names
 * another namespace): pilot/pkg/serviceregistry/kube/controller/ambient/
 * waypoints.go, fetchWaypointForTarget. A waypoint is a Gateway API
 * Gateway of class istio-waypoint; its label istio.io/waypoint-for
 * (service by default; workload, all, none) says which traffic it takes. */
typedef enum ml_dataplane {
    ML_DP_UNKNOWN,          /* the input does not decide */
    ML_DP_SIDECAR,          /* an Istio sidecar */
    ML_DP_AMBIENT,          /* ambient, no waypoint: ztunnel only (L4) */
    ML_DP_AMBIENT_WAYPOINT, /* ambient with a waypoint for its traffic (L7 there) */
    ML_DP_NONE              /* outside the mesh */
} ml_dataplane;

typedef struct ml_dataplane_fact {
    ml_dataplane kind;
    const ml_node *decided_by;   /* the dataplane-mode or use-waypoint label, or NULL */
    const char *waypoint;        /* "ns/name" of the waypoint, or NULL */
    const ml_resource *waypoint_gw; /* its Gateway when the input holds it */
    const char *waypoint_for;    /* "service" (default), "workload", "all", "none", or NULL when unknown */
    bool waypoint_known;         /* false when the input does not decide whether a waypoint applies */
    const char *explain;         /* one sentence: why */
} ml_dataplane_fact;

const char *ml_dataplane_name(ml_dataplane d);
/* The data plane of a workload (never NULL after ml_mesh_compute). */
const ml_dataplane_fact *ml_mesh_dataplane(const ml_model *m, const ml_workload *w);
/* The waypoint that takes traffic addressed to Service svc, as Istio picks
 * it for a Service (fetchWaypointForTarget, waypoints.go): the Service's
 * istio.io/use-waypoint label (with istio.io/use-waypoint-namespace), else
 * its namespace's ("none" on the Service opts out), naming a Gateway of
 * class istio-waypoint in the input whose istio.io/waypoint-for is service
 * (the default) or all. Every definition the Service may meet of the
 * Namespace and of the waypoint must agree. NULL when there is none or the
 * input does not decide; *label receives the label that named it. */
const ml_resource *ml_mesh_service_waypoint(const ml_model *m, const ml_service *svc, const ml_node **label);

void ml_mesh_compute(ml_model *m);
const ml_sidecar_fact *ml_mesh_sidecar(const ml_model *m, const ml_workload *w);
/* Effective inbound mTLS for the workload; port < 0 means the workload level. */
ml_mtls_fact ml_mesh_mtls(const ml_model *m, const ml_workload *w, long long port);
/* Workloads (winners) a PeerAuthentication applies to, i.e. for which it is
 * the narrowest policy at its scope (a namespace-wide policy does not "apply"
 * to a workload that has its own workload policy with a non-UNSET mode). */
const ml_vec *ml_mesh_pa_workloads(const ml_model *m, const ml_peerauth *pa);
/* Workloads an AuthorizationPolicy's selector picks (root ns: every namespace). */
ml_vec ml_mesh_authz_workloads(const ml_model *m, const ml_authz *p);

#endif
