/*
 * ML401 missing-readiness-probe: a container that serves traffic without a
 * readinessProbe. Without one the kubelet reports the pod ready the moment
 * the process starts, so a Service (and a canary route) sends it requests
 * before the server listens. The work is shared with ML402 in
 * probes_common.c; this file holds the rule's documentation.
 */
#include "probes_common.h"

static void check(ml_ctx *ctx)
{
    ml_probes_check_missing(ctx, true);
}

const ml_rule ml_rule_ML401 = {
    .id = "ML401",
    .name = "missing-readiness-probe",
    .level = ML_LEVEL_WARNING,
    .summary = "A container that serves traffic has no readinessProbe",
    .description = "Reports an application container of a long-running workload (not a Job or "
                   "CronJob; init containers and istio-proxy are skipped) that serves traffic but "
                   "declares no readinessProbe. A container serves traffic when a Connectum server "
                   "found in the code is linked to it, when it declares a container port, or when "
                   "it is the only application container of pods that a Service selects. A helper "
                   "container (an exporter, a database proxy) without a linked server, next to a "
                   "container that has the probe, is reported only when a Service in the input targets "
                   "one of its ports: otherwise the probed container already decides the pod's "
                   "readiness.\n"
                   "\n"
                   "Without a readiness probe Kubernetes counts the pod as ready as soon as its "
                   "containers start, so the Service, the mesh and a rolling update treat it as able "
                   "to serve while the server is still loading. A canary without one gets its share "
                   "of traffic before it can answer, and the errors land on real users.\n"
                   "\n"
                   "A container whose command only idles (sleep, sleep infinity, sleep 3650d, pause, tail -f "
                   "/dev/null, or a shell running one of those or `while true; do sleep N; done`) is a client "
                   "or debugging pod (the Istio samples' sleep and curl pods, load generators waiting for "
                   "kubectl exec): it serves nothing whatever ports it declares, and is not reported unless a "
                   "Connectum server is linked to it.",
    .remediation = "Add a readinessProbe that asks the server itself: a grpc probe on the server's "
                   "port when the server registers Healthcheck(), or an httpGet probe on /readyz "
                   "when it registers Healthcheck({ httpEnabled: true }).",
    .tags = "probes,availability,canary",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "containers:\n"
                   "  - name: order-service\n"
                   "    ports:\n"
                   "      - name: grpc\n"
                   "        containerPort: 5000",
    .example_good = "containers:\n"
                    "  - name: order-service\n"
                    "    ports:\n"
                    "      - name: grpc\n"
                    "        containerPort: 5000\n"
                    "    readinessProbe:\n"
                    "      grpc:\n"
                    "        port: 5000",
    .settings = NULL,
    .check = check,
};
