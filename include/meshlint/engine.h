/*
 * engine.h - a whole run: inputs to sorted, suppressed findings.
 */
#ifndef MESHLINT_ENGINE_H
#define MESHLINT_ENGINE_H

#include "meshlint/config.h"
#include "meshlint/diag.h"
#include "meshlint/model.h"
#include "meshlint/rule.h"

/* Where file contents come from instead of the disk (the language server's
 * open buffers and its cache of the workspace). get returns true with the
 * contents (NUL-terminated, alive for the run) of path, or false to read
 * the disk. Called from loader threads: it must not modify shared state. */
typedef struct ml_file_source {
    void *ud;
    bool (*get)(void *ud, const char *path, const char **data, size_t *len);
} ml_file_source;

typedef struct ml_run {
    ml_arena arena;
    ml_config cfg;
    ml_model model;
    ml_vec diags;        /* ml_diag*, sorted; suppressed ones included (d->suppressed) */
    ml_vec io_errors;    /* const char*: "path: reason" for unreadable inputs */
    ml_vec charts;       /* const char*: directories holding a Helm chart (Chart.yaml), found by ml_collect */
    unsigned jobs;       /* parallel loaders */
    ml_arena *load_arenas; /* one per loader thread (malloc'd), alive for the run */
    unsigned nload_arenas;
    const ml_file_source *source; /* NULL: every file from the disk */
} ml_run;

void ml_run_init(ml_run *run);
void ml_run_free(ml_run *run);
/* Read and load every path (already collected, any order: they are sorted
 * here). `report` paths are reported on; context paths are loaded only.
 * stdin_name: display name for "-" (a file of that name on disk is then
 * replaced by standard input). Returns false on an I/O error (recorded in
 * io_errors); the run can still go on with what was read. */
bool ml_run_load(ml_run *run, ml_vec *report_paths, ml_vec *context_paths, const char *stdin_name);
/* Read a file whole into the run's arena. Returns NULL and sets *err. */
ml_file *ml_read_file(ml_run *run, const char *path, const char *display, const char **err);
/* Collect input files from paths (files or directories). */
bool ml_collect(ml_run *run, const char *const *paths, size_t n, ml_vec *out_paths);
/* Run every enabled rule, then apply suppressions, dedupe and sort. */
void ml_run_rules(ml_run *run);
/* Mark findings whose fingerprint is in a baseline (a previous SARIF or JSON
 * report) as suppressed "baseline". false with err when FILE is unreadable
 * or not such a report. */
bool ml_baseline_apply(ml_run *run, const char *path, ml_buf *err);
/* Stable fingerprint of a finding (rule, file, resource, message without numbers of lines).
 * with_path false: the same without the file's path (fingerprint2), so that
 * a baseline matches from any working directory and after a rename: the
 * message names the resource (kind, namespace, name). */
const char *ml_fingerprint(ml_arena *a, const ml_diag *d, bool with_path);

#endif
