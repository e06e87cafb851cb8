/*
 * config.h - run configuration: .meshlint.yaml merged with command-line flags.
 *
 * The configuration file is parsed with the same YAML loader as manifests, so
 * its mistakes carry file:line:col. Command-line flags win over the file.
 */
#ifndef MESHLINT_CONFIG_H
#define MESHLINT_CONFIG_H

#include "meshlint/base.h"
#include "meshlint/diag.h"
#include "meshlint/yaml.h"

typedef struct ml_rule_cfg {
    const char *rule_id;       /* resolved id ("ML301") */
    ml_level level;            /* ML_LEVEL_NONE: not overridden */
    bool disabled;
    bool enabled;              /* explicitly enabled */
    const ml_node *settings;   /* mapping of rule settings, or NULL */
} ml_rule_cfg;

typedef struct ml_workload_map {
    const char *workload;      /* "name" or "ns/name" */
    const char *source_glob;
} ml_workload_map;

/* An apply set (.meshlint.yaml `apply-sets:`): files applied together, in
 * the order of its globs (path order within one glob); inside it the last
 * definition of an object replaces the earlier ones. */
typedef struct ml_apply_set {
    const char *name;
    ml_vec globs;              /* const char*, in apply order */
} ml_apply_set;

typedef struct ml_config {
    ml_arena *arena;
    const char *path;          /* the file read, or NULL */
    const char *base_dir;      /* directory of the config file (globs are relative to it) */
    ml_map rules;              /* id -> ml_rule_cfg* */
    ml_vec ignore_globs;       /* const char* */
    ml_vec only;               /* const char* ids: when non-empty, run only these */
    ml_vec workloads;          /* ml_workload_map* */
    bool no_ignore_files;      /* --no-ignore-files: .gitignore and .meshlintignore not read */
    const char *default_ns;    /* the apply-time namespace when bound (-n, default-namespace), else NULL */
    ml_vec apply_sets;         /* ml_apply_set* */
    const char *root_ns;       /* "istio-system" */
    const char *trust_domain;  /* "cluster.local" */
    ml_vec trust_domain_aliases; /* const char*: meshConfig.trustDomainAliases (older trust domains still accepted) */
    const char *cluster_domain;/* "cluster.local" */
    /* meshConfig.defaultServiceExportTo (Services and ServiceEntries),
     * defaultVirtualServiceExportTo, defaultDestinationRuleExportTo: the
     * exportTo of an object that sets none (const char*; empty: "*") */
    ml_vec default_export_service, default_export_vs, default_export_dr;
    bool assume_complete;
    bool markdown;
    ml_level fail_on;          /* ML_LEVEL_NONE = never */
} ml_config;

void ml_config_defaults(ml_config *c, ml_arena *a);
/* Load a config file; on error writes "file:line:col: message" into err and
 * returns false. */
bool ml_config_load(ml_config *c, const char *path, ml_buf *err);
/* Find .meshlint.yaml upward from dir; returns an arena path or NULL. */
const char *ml_config_find(ml_arena *a, const char *dir);
/* Apply --enable/--disable (ids or names); false with err for an unknown rule. */
bool ml_config_enable(ml_config *c, const char *id_or_name, bool enable, ml_buf *err);
/* Effective level of a rule under this configuration (NONE = disabled). */
ml_level ml_config_rule_level(const ml_config *c, const struct ml_rule *r);
const ml_node *ml_config_rule_settings(const ml_config *c, const struct ml_rule *r);
/* Every key the config parser accepts (for the man page test). */
extern const char *const ml_config_keys[];

#endif
