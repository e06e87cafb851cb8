/*
 * ML103 mtls-disabled: a PeerAuthentication in DISABLE mode that applies to
 * workloads with a sidecar, or that is mesh-wide. Their sidecars then accept
 * only plaintext: no encryption, and no peer identity for authorization.
 * Workloads known to get no sidecar are left out, as in ML102: the policy
 * changes nothing for them. A mesh-wide DISABLE is reported even when no
 * workload of the input falls under it, since it reaches every namespace of
 * the cluster that has no policy of its own.
 */
#include "meshlint/rule.h"
#include "transport_common.h"

static void check(ml_ctx *ctx)
{
    ml_transport_weak_mode(ctx, ML_MTLS_DISABLE, true);
}

const ml_rule ml_rule_ML103 = {
    .id = "ML103",
    .name = "mtls-disabled",
    .level = ML_LEVEL_ERROR,
    .summary = "A PeerAuthentication in DISABLE mode turns mTLS off",
    .description =
        "In DISABLE mode a workload's sidecar accepts only plaintext: calls to it are unencrypted, carry "
        "no peer certificate, and so AuthorizationPolicies that match principals or namespaces can never "
        "allow them (and DENY rules on those fields never match them).\n"
        "\n"
        "meshlint reports a DISABLE policy (namespace-wide, with a selector, or a portLevelMtls entry) "
        "that applies to at least one workload with a sidecar, and any mesh-wide DISABLE policy (no "
        "selector in the root namespace), which reaches every namespace without a policy of its own.",
    .remediation = "Set mtls.mode: STRICT (or PERMISSIVE for the duration of a migration). A workload that "
                   "really cannot speak mTLS belongs outside the mesh or behind a gateway.",
    .tags = "security,mtls,istio",
    .istio_code = NULL,
    .security_severity = 7.4,
    .precision = "high",
    .example_bad = "apiVersion: security.istio.io/v1\n"
                   "kind: PeerAuthentication\n"
                   "metadata: {name: default, namespace: istio-system}\n"
                   "spec:\n"
                   "  mtls: {mode: DISABLE}",
    .example_good = "apiVersion: security.istio.io/v1\n"
                    "kind: PeerAuthentication\n"
                    "metadata: {name: default, namespace: istio-system}\n"
                    "spec:\n"
                    "  mtls: {mode: STRICT}",
    .check = check,
};
