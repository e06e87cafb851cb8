/*
 * diag.h - findings.
 *
 * A diagnostic is what a rule reports: the rule, a level, a message, a primary
 * location, related locations each with its own message, an optional help
 * line and an optional fix (a set of text replacements). Messages are plain
 * UTF-8 text owned by the run's arena; reporters escape them for their format.
 */
#ifndef MESHLINT_DIAG_H
#define MESHLINT_DIAG_H

#include "meshlint/base.h"
#include "meshlint/source.h"

typedef enum ml_level {
    ML_LEVEL_NONE = 0, /* "off" in configuration; "use the rule's default" in ml_report */
    ML_LEVEL_NOTE = 1,
    ML_LEVEL_WARNING = 2,
    ML_LEVEL_ERROR = 3
} ml_level;

const char *ml_level_name(ml_level l); /* "note", "warning", "error" */
/* Parse "error|warning|note|off|none"; returns false when not one of them. */
bool ml_level_parse(const char *s, ml_level *out);

typedef struct ml_related {
    ml_loc loc;
    const char *message;
} ml_related;

typedef struct ml_replacement {
    ml_loc region;        /* the bytes to replace (off .. end_off) */
    const char *text;     /* inserted text ("" deletes) */
} ml_replacement;

typedef struct ml_fix {
    const char *description;
    size_t n;
    ml_replacement *repl;
} ml_fix;

typedef struct ml_rule ml_rule;

typedef struct ml_diag {
    const ml_rule *rule;
    ml_level level;
    const char *message;
    ml_loc loc;
    size_t nrelated;
    ml_related *related;
    const char *help;      /* NULL: the rule's remediation is shown instead */
    ml_fix *fix;           /* NULL: no mechanical fix */
    const char *suppressed; /* NULL, or how it was suppressed ("comment", "annotation", "baseline") */
    const char *suppress_reason; /* the text after "--" in a suppression comment */
    const char *fingerprint;     /* filled by the engine */
    const char *fingerprint2;    /* the same without the path: survives a rename and another working directory */
} ml_diag;

#endif
