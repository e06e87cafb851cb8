/*
 * ML010 not-linted: input meshlint read but did not lint (unit.h). A Helm
 * chart, a Jinja or placeholder template, or a kustomize feature meshlint
 * does not render is never a silent green: each is a note saying what was
 * left out and how to lint it.
 */
#include "meshlint/rule.h"

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_unlinted *, u, &ctx->model->unlinted) {
        if (u->error)
            continue; /* ML011 */
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, u->loc, "%s not linted: %s", u->path, u->what);
        if (u->how)
            ml_help(ctx, d, "%s", u->how);
    }
}

const ml_rule ml_rule_ML010 = {
    .id = "ML010",
    .name = "not-linted",
    .level = ML_LEVEL_NOTE,
    .summary = "Part of the input was read but not linted",
    .description = "meshlint lints manifests as they are applied. Some input is not a manifest "
                   "until a tool renders it, and meshlint does not guess what the tool would make:\n"
                   "\n"
                   "- a Helm chart (Chart.yaml beside templates/): its templates are Go templates;\n"
                   "- a Jinja or Ansible template (a YAML file holding {{ or {%) and placeholder "
                   "files (*.template.yaml, *.tmpl, *-tpl.yaml): they hold values filled in later;\n"
                   "- a kustomize feature meshlint does not render natively (remote resources, "
                   "helmCharts, replacements, vars, plugins, a custom OpenAPI schema): the objects "
                   "it would add or change are unknown;\n"
                   "- a kustomize Component (kind: Component) that no kustomization in the input "
                   "includes: an optional piece switched on by listing it under components, so its "
                   "patches are not applied anywhere (its resource files are linted as plain files).\n"
                   "\n"
                   "Each is reported once, with the command that lints it. Objects such input may "
                   "define are unknown, not missing: rules do not conclude that a Service or "
                   "subset is absent while a template could define it.",
    .remediation = "Render the input and lint the output: `helm template RELEASE CHART | meshlint "
                   "--stdin-filename CHART/rendered.yaml -`, or `kustomize build DIR | meshlint "
                   "--stdin-filename DIR/rendered.yaml -`. Exclude a path that holds no manifests "
                   "with `ignore:` in .meshlint.yaml.",
    .tags = "input,helm,kustomize,templates",
    .precision = "very-high",
    .example_bad = "# chart/Chart.yaml\napiVersion: v2\nname: shop\n# chart/templates/svc.yaml\n"
                   "metadata: {name: {{ .Release.Name }}}",
    .example_good = "# rendered.yaml (helm template shop chart)\nkind: Service\nmetadata: {name: shop}",
    .check = check,
};
