/*
 * ML102 permissive-mtls: a PeerAuthentication in PERMISSIVE mode (at any
 * scope, or as a port-level entry) that applies to workloads with a sidecar.
 * PERMISSIVE is a migration mode: the sidecar accepts plaintext next to
 * mTLS, so anyone who reaches the pod can skip mesh authentication. The
 * workloads a policy applies to come from src/mesh.c (narrowest policy
 * wins). A workload known to get no sidecar is left out: it accepts
 * plaintext whatever the policy says, and ML106/ML109 report that.
 */
#include "meshlint/rule.h"
#include "transport_common.h"

static void check(ml_ctx *ctx)
{
    ml_transport_weak_mode(ctx, ML_MTLS_PERMISSIVE, false);
}

const ml_rule ml_rule_ML102 = {
    .id = "ML102",
    .name = "permissive-mtls",
    .level = ML_LEVEL_WARNING,
    .summary = "A PeerAuthentication in PERMISSIVE mode lets workloads accept plaintext",
    .description =
        "In PERMISSIVE mode a workload's sidecar accepts mTLS and plaintext connections alike. It exists "
        "to migrate a namespace onto the mesh; left in place, any pod or node that can reach the workload "
        "can call it without a mesh identity, and AuthorizationPolicies that match principals or "
        "namespaces never see an identity on those calls.\n"
        "\n"
        "meshlint reports a PERMISSIVE policy (mesh-wide, namespace-wide, with a selector, or a "
        "portLevelMtls entry) that applies to at least one workload with a sidecar, and names those "
        "workloads. A policy with a selector that overrides a STRICT namespace or mesh policy is said to "
        "weaken it. Workloads without a sidecar are left out: they accept plaintext whatever the policy "
        "says (see ML106 and ML109).",
    .remediation = "Set mtls.mode: STRICT, or delete the policy so that a STRICT namespace or mesh policy "
                   "applies. Bring calls from outside the mesh in through an ingress gateway.",
    .tags = "security,mtls,istio",
    .istio_code = NULL,
    .security_severity = 5.3,
    .precision = "high",
    .example_bad = "apiVersion: security.istio.io/v1\n"
                   "kind: PeerAuthentication\n"
                   "metadata: {name: order-service-permissive, namespace: shop}\n"
                   "spec:\n"
                   "  selector: {matchLabels: {app: order-service}}\n"
                   "  mtls: {mode: PERMISSIVE}",
    .example_good = "apiVersion: security.istio.io/v1\n"
                    "kind: PeerAuthentication\n"
                    "metadata: {name: default, namespace: shop}\n"
                    "spec:\n"
                    "  mtls: {mode: STRICT}",
    .check = check,
};
