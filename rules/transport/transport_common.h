/*
 * transport_common.h - helpers shared by the transport-security rules (ML1xx).
 *
 * The family reads two facts that src/mesh.c computes (does a workload get a
 * sidecar, which inbound mTLS mode applies) and asks the same few follow-up
 * questions: is a sidecar known to be there or known to be absent, which
 * workloads lie within a PeerAuthentication's scope, does a workload listen
 * on a given port, and how to show the places that decided the sidecar
 * question as notes. Nothing here recomputes a mesh fact.
 */
#ifndef MESHLINT_RULES_TRANSPORT_COMMON_H
#define MESHLINT_RULES_TRANSPORT_COMMON_H

#include "meshlint/rule.h"

typedef enum ml_transport_sidecar {
    ML_TRANSPORT_SIDECAR_UNKNOWN, /* the namespace is not in the input */
    ML_TRANSPORT_SIDECAR_YES,
    ML_TRANSPORT_SIDECAR_NO
} ml_transport_sidecar;

ml_transport_sidecar ml_transport_sidecar_of(const ml_model *m, const ml_workload *w);

/* The mode a PeerAuthentication decides with: not UNSET and valid. */
bool ml_transport_pa_decides(const ml_peerauth *pa);

/* Every workload (winners) within the policy's scope, whatever narrower
 * policies override: mesh-wide -> all workloads; namespace-wide -> the
 * namespace's workloads; with a selector -> the workloads it selects. */
ml_vec ml_transport_pa_scope(const ml_model *m, const ml_peerauth *pa);

/* "namespace shop", "the mesh" or "PeerAuthentication shop/x's selector":
 * the words for the scope of a policy, for messages. */
const char *ml_transport_scope_words(ml_arena *a, const ml_peerauth *pa);

/* The location of the policy's mode (or of the policy when the mode is absent). */
ml_loc ml_transport_pa_loc(const ml_peerauth *pa);

/* "Deployment a, Deployment b and 3 more" (kind and name; the namespace is
 * added when it differs from ns, which may be NULL). */
const char *ml_transport_names(ml_arena *a, const ml_vec *workloads, const char *ns);

/* The port a linked server listens on: the code's value, the container's
 * env when the code reads it, or 5000 (the Connectum default, *is_default
 * set). -1 when unknown. */
long long ml_transport_server_port(const ml_model *m, const ml_link *l, bool *is_default);

/* True when the workload listens on port: a container declares it, a Service
 * selecting the workload (w->services) targets it by number, or a linked
 * Connectum server is known to listen on it. *unknown is set when some
 * container port number is not known (then a miss proves nothing). */
bool ml_transport_has_port(const ml_model *m, const ml_workload *w, long long port, bool *unknown);

/* Notes at the places that decided the sidecar question for these workloads,
 * one note per distinct reason ("Deployment a, Deployment b get no sidecar:
 * namespace shop has no istio-injection label (...)"). When a replaced
 * Namespace definition carried an injection label the winner lacks, a note
 * points at it too. */
void ml_transport_sidecar_notes(ml_ctx *ctx, ml_diag *d, const ml_vec *workloads);

/* A help sentence saying how to give these workloads a sidecar, from the
 * reason the first of them has none. */
const char *ml_transport_injection_help(ml_arena *a, const ml_workload *w);

/* ML102 and ML103: report every PeerAuthentication (policy mode or
 * port-level entry) that sets `mode` (PERMISSIVE or DISABLE) and applies to
 * at least one workload that has, or may have, a sidecar; a workload known
 * to get no sidecar accepts plaintext whatever the policy says, so the
 * policy changes nothing for it. With always_mesh_wide, a mesh-wide policy is
 * reported even when it applies to no workload of the input. */
void ml_transport_weak_mode(ml_ctx *ctx, ml_mtls_mode mode, bool always_mesh_wide);

/* Istio's protocol for a Service port, as its sidecars and gateways build
 * clusters from it (pilot/pkg/serviceregistry/kube/conversion.go takes
 * appProtocol when set, else the port name's prefix; protocol.Parse): HTTP/2
 * (http2, grpc, grpc-web, kubernetes.io/h2c), HTTP (http, http_proxy,
 * kubernetes.io/ws), or anything else (TCP, TLS, unnamed: sniffed). *from
 * receives the node that decided (NULL: neither is set), *by_app whether it
 * was appProtocol. */
typedef enum ml_port_class { ML_PORT_H2, ML_PORT_HTTP, ML_PORT_OTHER } ml_port_class;
ml_port_class ml_transport_port_class(const ml_svc_port *sp, const ml_node **from, bool *by_app);

/* The pod port a Service port sends to in workload w (targetPort by number,
 * or by a name every app container that declares it agrees on), or -1. */
long long ml_transport_svc_target(const ml_workload *w, const ml_svc_port *sp);

/* What makes an outbound (gateway, waypoint) cluster speak HTTP/2 to a port
 * not declared HTTP/2 (cluster_traffic_policy.go, shouldH2Upgrade,
 * applyConnectionPool): a DestinationRule for fqdn that mentions
 * h2UpgradePolicy (other than DO_NOT_UPGRADE) or useClientProtocol
 * (returned), and mesh config in the input (ConfigMap istio data.mesh,
 * IstioOperator spec.meshConfig) that sets h2UpgradePolicy to anything but
 * DO_NOT_UPGRADE (returned). */
const ml_resource *ml_transport_dr_h2_upgrade(const ml_model *m, const char *fqdn);
const ml_resource *ml_transport_mesh_h2_upgrade(const ml_model *m);
/* Where a server setting came from, for messages: "set in the code", the
 * code's default as ml_setting names it, or "from <source>". */
const char *ml_transport_setting_origin(ml_arena *a, const ml_setting *s);
#endif
