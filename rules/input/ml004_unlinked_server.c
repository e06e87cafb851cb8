/*
 * ML004 unlinked-server: a Connectum server that meshlint could not tie to
 * any workload in the manifests. Every rule that crosses code and mesh skips
 * it, so the user should know, and know the one line that fixes it.
 */
#include <string.h>

#include "meshlint/rule.h"

static void check(ml_ctx *ctx)
{
    const ml_model *m = ctx->model;
    if (m->workloads.n == 0)
        return; /* code-only input: there is nothing to link to */
    ML_VEC_EACH(ml_server *, s, &m->servers) {
        if (s->links.n || s->in_test)
            continue; /* a test's server runs in the test runner */
        const char *dir = s->dir && *s->dir ? s->dir : ".";
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, s->call,
                               "this Connectum server is linked to no workload in the manifests, so the rules "
                               "that compare code and mesh (TLS, retries, probes, authorization) skip it");
        ml_help(ctx, d,
                "add the pod-template annotation `meshlint.io/source: \"%s/**\"` to the workload that runs it, "
                "or map it in .meshlint.yaml: `workloads: { <namespace>/<workload>: \"%s/**\" }`",
                dir, dir);
    }
}

const ml_rule ml_rule_ML004 = {
    .id = "ML004",
    .name = "unlinked-server",
    .level = ML_LEVEL_NOTE,
    .summary = "A Connectum server is linked to no workload",
    .description = "meshlint links each createServer call to the workloads that run it: by the "
                   "meshlint.io/source annotation or a workloads mapping in .meshlint.yaml; then by the "
                   "image a container runs, when the repository builds that image from the server's "
                   "package (a docker-compose service's build: and image:, a skaffold.yaml artifact, or "
                   "an image named after a Dockerfile's directory or package), narrowed to the containers "
                   "whose entry point (command/args, else the Dockerfile's ENTRYPOINT and CMD, npm "
                   "scripts followed) imports the server's file; then by the OpenTelemetry service name, "
                   "the package.json name, a directory name on the file's path, and finally, when there "
                   "is a single server, by its port. This server matched none of them.\n"
                   "\n"
                   "A workload whose image is built from the package but whose entry point is another "
                   "file (a worker, a migration) does not run this server and is not linked to it.\n"
                   "\n"
                   "The rules that compare code with manifests (double encryption, retry "
                   "amplification, probes, callers and policies) cannot see an unlinked server; "
                   "meshlint does not guess a link.\n"
                   "\n"
                   "A server in a test file (a name with .test., .spec. or .e2e., a __tests__ "
                   "directory, or a test, tests or e2e directory of its package) runs under the test "
                   "runner: it is never linked, and not reported.",
    .remediation = "Annotate the pod template of the workload that runs the server with "
                   "meshlint.io/source: \"<path or glob of the server's sources>\", or add "
                   "workloads: { <namespace>/<name>: <glob> } to .meshlint.yaml. Naming the "
                   "OpenTelemetry service or the package after the workload links it too.",
    .tags = "input,connectum",
    .precision = "high",
    .example_bad = "# services/billing/src/main.ts: createServer({...}); no workload named billing",
    .example_good = "template:\n  metadata:\n    annotations:\n      meshlint.io/source: \"services/billing/**\"",
    .check = check,
};
