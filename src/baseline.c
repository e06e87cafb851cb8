/*
 * baseline.c - adopt meshlint on a legacy repository.
 *
 * A baseline is any earlier meshlint report in SARIF or JSON. Its findings'
 * fingerprints (which ignore line numbers) are collected; current findings
 * with a fingerprint in the set are marked suppressed "baseline", so only new
 * findings fail the gate. Both formats are JSON, which the YAML loader reads.
 */
#include <stdlib.h>
#include <string.h>

#include "meshlint/engine.h"

static void add_fp(ml_map *set, const ml_node *fp)
{
    const char *s = ml_str_nonnull(fp);
    if (s)
        ml_map_put(set, s, strlen(s), (void *)1);
}

/* A finding is in the baseline when its path-free fingerprint (v2) is, so
 * that the baseline matches from any working directory and after a file is
 * renamed; a baseline written before v2 existed matches by v1 (the path as
 * shown, so only from the directory it was written in). */
static bool in_baseline(const ml_map *v1, const ml_map *v2, const ml_diag *d)
{
    return (d->fingerprint2 && ml_map_gets(v2, d->fingerprint2)) || (d->fingerprint && ml_map_gets(v1, d->fingerprint));
}

bool ml_baseline_apply(ml_run *run, const char *path, ml_buf *err)
{
    const char *e = NULL;
    ml_file *f = ml_read_file(run, path, path, &e);
    if (!f) {
        ml_buf_printf(err, "baseline %s: %s", path, e);
        return false;
    }
    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(&run->arena, f, &res);
    /* not one of the run's inputs: release the line index loading built
     * (ml_run_free releases only the inputs') and the file's id (no
     * position of its nodes is asked for) */
    free(f->line_off);
    f->line_off = NULL;
    ml_file_release(f);
    const ml_node *root = res.docs.n ? ((ml_doc *)res.docs.items[0])->root : NULL;
    if (res.errors.n || !ml_is_map(root)) {
        ml_buf_printf(err, "baseline %s: not a meshlint SARIF or JSON report", path);
        return false;
    }
    ml_map set, set2;
    ml_map_init(&set);
    ml_map_init(&set2);
    const ml_node *runs = ml_get(root, "runs"), *findings = ml_get(root, "findings");
    if (ml_is_seq(runs)) {
        for (size_t i = 0; i < ml_node_n(runs); i++) {
            const ml_node *results = ml_get(&runs->elems[i], "results");
            for (size_t j = 0; ml_is_seq(results) && j < ml_node_n(results); j++) {
                const ml_node *pf = ml_get(&results->elems[j], "partialFingerprints");
                add_fp(&set, ml_get(pf, "meshlint/v1"));
                add_fp(&set2, ml_get(pf, "meshlint/v2"));
            }
        }
    } else if (ml_is_seq(findings)) {
        for (size_t i = 0; i < ml_node_n(findings); i++) {
            add_fp(&set, ml_get(&findings->elems[i], "fingerprint"));
            add_fp(&set2, ml_get(&findings->elems[i], "fingerprintV2"));
        }
    } else {
        ml_map_free(&set);
        ml_map_free(&set2);
        ml_buf_printf(err, "baseline %s: no SARIF runs or JSON findings in it", path);
        return false;
    }
    ML_VEC_EACH(ml_diag *, d, &run->diags) {
        if (!d->suppressed && in_baseline(&set, &set2, d)) {
            d->suppressed = "baseline";
            d->suppress_reason = ml_printf(&run->arena, "in baseline %s", path);
        }
    }
    ml_map_free(&set);
    ml_map_free(&set2);
    return true;
}
