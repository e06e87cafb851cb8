/*
 * ML001 yaml-syntax: a file the YAML parser rejects. The loader keeps the
 * documents before the error and stops that file; every other file is still
 * linted, so one broken manifest does not hide the rest.
 */
#include "meshlint/rule.h"

static void check(ml_ctx *ctx)
{
    ML_VEC_EACH(ml_yaml_error *, e, &ctx->model->yaml_errors) {
        ml_diag *d = ml_report(ctx, ML_LEVEL_NONE, e->loc, "%s", e->message);
        ml_help(ctx, d, "fix the syntax here; documents after this point in the file were not linted");
    }
}

const ml_rule ml_rule_ML001 = {
    .id = "ML001",
    .name = "yaml-syntax",
    .level = ML_LEVEL_ERROR,
    .summary = "A manifest is not valid YAML",
    .description = "The YAML parser (libyaml) rejected the file at this position; the message is the "
                   "parser's own. kubectl would refuse the file too. The documents before the error "
                   "are still linted; the rest of the file is not.\n"
                   "\n"
                   "The same rule reports input that meshlint refuses to expand because it would "
                   "take unbounded time or memory: nesting deeper than 512 levels, alias expansion "
                   "beyond a million nodes, and files that are not UTF-8.",
    .remediation = "Correct the syntax at the reported position (indentation, an unclosed quote or "
                   "bracket, a tab used for indentation).",
    .tags = "input,yaml",
    .precision = "very-high",
    .example_bad = "metadata:\n  name: a\n   namespace: b   # bad indentation",
    .example_good = "metadata:\n  name: a\n  namespace: b",
    .check = check,
};
