/*
 * unit.h - apply units and inputs that were not linted.
 *
 * A repository is not one cluster state. What certainly gets applied
 * together is an apply unit: one `kustomize build` of a root kustomization
 * (a kustomization that no other kustomization in the input includes), or an
 * apply set declared in .meshlint.yaml. Inside a unit a later definition of
 * the same object replaces an earlier one (as kubectl apply does); outside
 * units, definitions of the same object in different files are alternatives
 * (rollout stages, per-environment copies, tutorial steps), and a rule
 * reports a defect only when it holds for every alternative it depends on.
 *
 * Inputs meshlint reads but does not lint (Helm chart templates, Jinja and
 * placeholder templates, kustomize features it does not render) are recorded
 * as ml_unlinted entries: rule ML010 reports each, and rules never conclude
 * that an object is missing while such an entry could define it.
 */
#ifndef MESHLINT_UNIT_H
#define MESHLINT_UNIT_H

#include "meshlint/base.h"
#include "meshlint/source.h"

typedef enum ml_unit_kind {
    ML_UNIT_KUSTOMIZE, /* the output of one root kustomization, rendered by meshlint */
    ML_UNIT_APPLYSET   /* files matching an apply set of .meshlint.yaml, in its order */
} ml_unit_kind;

typedef struct ml_unit {
    ml_unit_kind kind;
    unsigned id;          /* 1, 2, ... in path order of the unit's first file */
    const char *name;     /* the kustomization's directory as displayed, or the apply set's name */
    const ml_file *file;  /* the kustomization file; NULL for an apply set */
    const char *ns;       /* the namespace the unit sets on every object (kustomize `namespace:`), or NULL */
} ml_unit;

typedef enum ml_unlinted_kind {
    ML_UNLINTED_HELM_CHART,     /* a chart's templates/ (Chart.yaml beside it) */
    ML_UNLINTED_TEMPLATE,       /* Jinja/Ansible, *.template.yaml, *.tmpl, *-tpl.yaml */
    ML_UNLINTED_KUSTOMIZE,      /* a kustomization feature meshlint does not render */
    ML_UNLINTED_OTHER
} ml_unlinted_kind;

/* Something in the input that meshlint did not lint, and how to lint it. */
typedef struct ml_unlinted {
    ml_unlinted_kind kind;
    ml_loc loc;           /* the file (line 1) or the field that was not rendered */
    const char *path;     /* the file or directory not linted, as displayed */
    const char *what;     /* "Helm chart templates", "remote kustomize resource", ... */
    const char *how;      /* how to lint it: "helm template ... | meshlint --stdin-filename ... -" */
    const char *ns;       /* namespace its objects would land in when known, else NULL (any) */
    bool error;           /* the input cannot be built at all (a kustomization kustomize build
                           * would refuse): ML011 reports it as an error, ML010 skips it */
} ml_unlinted;

#endif
