/*
 * ML402 missing-liveness-probe: a container that serves traffic without a
 * livenessProbe. A server that deadlocks or stops answering without exiting
 * is never restarted. The work is shared with ML401 in probes_common.c; this
 * file holds the rule's documentation.
 */
#include "probes_common.h"

static void check(ml_ctx *ctx)
{
    ml_probes_check_missing(ctx, false);
}

const ml_rule ml_rule_ML402 = {
    .id = "ML402",
    .name = "missing-liveness-probe",
    .level = ML_LEVEL_WARNING,
    .summary = "A container that serves traffic has no livenessProbe",
    .description = "Reports an application container of a long-running workload (not a Job or "
                   "CronJob; init containers and istio-proxy are skipped) that serves traffic but "
                   "declares no livenessProbe. A container serves traffic when a Connectum server "
                   "found in the code is linked to it, when it declares a container port, or when "
                   "it is the only application container of pods that a Service selects. A helper "
                   "container without a linked server, next to a container that has the probe, is "
                   "reported only when a Service in the input targets one of its ports. A "
                   "startupProbe does not count: it only runs until the container has started.\n"
                   "\n"
                   "Without a liveness probe the kubelet restarts a container only when its process "
                   "exits. A server stuck in a deadlock, an exhausted event loop or a wedged "
                   "connection pool keeps its pod, and the pod keeps receiving its share of "
                   "requests, until someone notices and restarts it by hand.\n"
                   "\n"
                   "A container whose command only idles (sleep, sleep infinity, sleep 3650d, pause, tail -f "
                   "/dev/null, or a shell running one of those or `while true; do sleep N; done`) is a client "
                   "or debugging pod (the Istio samples' sleep and curl pods, load generators waiting for "
                   "kubectl exec): it serves nothing whatever ports it declares, and is not reported unless a "
                   "Connectum server is linked to it.",
    .remediation = "Add a livenessProbe that asks the server itself: a grpc probe on the server's "
                   "port when the server registers Healthcheck(), or an httpGet probe on /healthz "
                   "when it registers Healthcheck({ httpEnabled: true }).",
    .tags = "probes,availability",
    .istio_code = NULL,
    .security_severity = 0,
    .precision = "high",
    .example_bad = "containers:\n"
                   "  - name: order-service\n"
                   "    ports:\n"
                   "      - name: grpc\n"
                   "        containerPort: 5000\n"
                   "    readinessProbe:\n"
                   "      grpc:\n"
                   "        port: 5000",
    .example_good = "containers:\n"
                    "  - name: order-service\n"
                    "    ports:\n"
                    "      - name: grpc\n"
                    "        containerPort: 5000\n"
                    "    readinessProbe:\n"
                    "      grpc:\n"
                    "        port: 5000\n"
                    "    livenessProbe:\n"
                    "      grpc:\n"
                    "        port: 5000",
    .settings = NULL,
    .check = check,
};
