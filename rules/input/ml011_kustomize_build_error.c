/*
 * ML011 kustomize-build-error: a kustomization that `kustomize build` would
 * refuse (a missing resource or patch file, a cycle, a patch whose target
 * does not exist, invalid YAML). Nothing of that build is linted, since
 * nothing of it can be applied.
 */
#include "meshlint/rule.h"

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_unlinted *, u, &ctx->model->unlinted) {
        if (!u->error)
            continue;
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, u->loc, "kustomization %s cannot be built: %s", u->path, u->what);
        if (u->how)
            ml_help(ctx, d, "%s", u->how);
    }
}

const ml_rule ml_rule_ML011 = {
    .id = "ML011",
    .name = "kustomize-build-error",
    .level = ML_LEVEL_ERROR,
    .summary = "A kustomization cannot be built",
    .description = "meshlint builds each root kustomization (one that no other kustomization in the "
                   "input includes) as `kustomize build` does, for the common subset of its fields. "
                   "This finding is a build that kustomize itself would refuse: a resource, patch "
                   "or generator file that does not exist, a directory resource without a "
                   "kustomization, a kustomization that includes itself, a component listed as a "
                   "resource, a strategic merge patch whose object is not in the build, a JSON 6902 "
                   "operation on a path that does not exist, or a file that is not valid YAML.\n"
                   "\n"
                   "Nothing of the build is linted: `kubectl apply -k` would apply nothing of it "
                   "either.",
    .remediation = "Fix the kustomization at the reported place; `kustomize build DIR` shows the "
                   "same failure.",
    .tags = "input,kustomize",
    .precision = "high",
    .example_bad = "# overlays/prod/kustomization.yaml\nresources: [../../base]\npatches:\n  - path: missing.yaml",
    .example_good = "# overlays/prod/kustomization.yaml\nresources: [../../base]\npatches:\n  - path: replicas.yaml",
    .check = check,
};
