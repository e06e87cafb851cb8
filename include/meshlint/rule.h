/*
 * rule.h - what a rule is and how it reports.
 *
 * A rule is one file under rules/<family>/ that defines one `const ml_rule`
 * named ml_rule_<ID> (e.g. ml_rule_ML301) with its metadata and its check.
 * The build collects every such definition into the registry, so adding a
 * rule touches one file. The same metadata feeds --list-rules, --explain, the
 * SARIF rule descriptors and man/meshlint-rules.7.
 */
#ifndef MESHLINT_RULE_H
#define MESHLINT_RULE_H

#include "meshlint/diag.h"
#include "meshlint/mesh.h"
#include "meshlint/model.h"
#include "meshlint/ts.h"

typedef struct ml_ctx ml_ctx;

struct ml_rule {
    const char *id;           /* "ML301" */
    const char *name;         /* "unknown-subset" */
    ml_level level;           /* default level */
    const char *summary;      /* one line, no final period */
    const char *description;  /* what it detects and why it matters (paragraphs separated by blank lines) */
    const char *remediation;  /* how to fix */
    const char *tags;         /* comma-separated: "security,mtls" */
    const char *istio_code;   /* "IST0101" or NULL */
    double security_severity; /* 0: not a security rule; else CVSS-like 0.1..10 */
    const char *precision;    /* SARIF precision: "very-high", "high", "medium", "low" */
    const char *example_bad;  /* short failing example (man page, --explain) */
    const char *example_good; /* short passing example */
    const char *settings;     /* comma-separated setting names the rule reads, or NULL */
    const char *setting_types; /* the type of each setting, in the same order: "uint"
                                  (an integer >= 0), "int", "bool" or "string";
                                  NULL or missing: "string" (any scalar) */
    void (*check)(ml_ctx *ctx);
};

/* The registry (generated at build time from rules/ * / *.c), sorted by id. */
extern const ml_rule *const ml_rules[];
extern const size_t ml_rules_count;
const ml_rule *ml_rule_find(const char *id_or_name);

struct ml_config;

struct ml_ctx {
    ml_model *model;
    const struct ml_config *cfg;
    const ml_rule *rule;      /* the rule being run */
    ml_arena *arena;
    ml_vec *out;              /* ml_diag* */
};

/* Report a finding of the current rule. level ML_LEVEL_NONE = the rule's
 * default. The message is printf-formatted. Returns the diagnostic so that
 * notes, help and a fix can be added. */
ml_diag *ml_report(ml_ctx *ctx, ml_level level, ml_loc loc, const char *fmt, ...) ML_PRINTF(4, 5);
void ml_note(ml_ctx *ctx, ml_diag *d, ml_loc loc, const char *fmt, ...) ML_PRINTF(4, 5);
void ml_help(ml_ctx *ctx, ml_diag *d, const char *fmt, ...) ML_PRINTF(3, 4);
/* Add a fix made of one replacement (text "" deletes the region). */
void ml_add_fix(ml_ctx *ctx, ml_diag *d, const char *description, ml_loc region, const char *text);

/* Rule settings from configuration (rules: <id or name>: { key: value }). */
long long ml_setting_int(const ml_ctx *ctx, const char *key, long long dflt);
const char *ml_setting_str(const ml_ctx *ctx, const char *key, const char *dflt);
bool ml_assume_complete(const ml_ctx *ctx);

#endif
