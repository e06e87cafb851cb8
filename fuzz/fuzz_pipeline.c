/*
 * fuzz_pipeline.c - libFuzzer harness: the whole pipeline.
 *
 * One input is a bundle (fuzz_util.h): one file, or several files each
 * introduced by a `==> name <==` line, so that manifests, server code,
 * package.json, Markdown, a .meshlint.yaml and a baseline report can meet in
 * one repository and the cross-layer rules have something to link. The
 * bundle is written into a scratch directory and linted as the command line
 * lints a directory; every output format is produced and checked (valid
 * JSON, terminal-safe text). The run is done twice and the outputs must be
 * byte-identical: nothing may depend on addresses, hash order or leftovers
 * of the previous run.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *scratch = fz_scratch();
    char dir[4200], path[4400], config[4200], baseline[4200];
    snprintf(dir, sizeof dir, "%s/repo", scratch);
    snprintf(config, sizeof config, "%s/meshlint.yaml", scratch);
    snprintf(baseline, sizeof baseline, "%s/baseline.json", scratch);
    fz_clear_dir(scratch);

    fz_part parts[FZ_MAX_PARTS];
    size_t np = fz_split_bundle(data, size, "input.yaml", parts);
    bool has_config = false, has_baseline = false;
    for (size_t i = 0; i < np; i++) {
        const char *target = path;
        if (strcmp(parts[i].name, ".meshlint.yaml") == 0) {
            target = config;
            has_config = true;
        } else if (strcmp(parts[i].name, ".baseline") == 0) {
            target = baseline;
            has_baseline = true;
        } else {
            snprintf(path, sizeof path, "%s/%s", dir, parts[i].name);
        }
        fz_write_file(target, parts[i].data, parts[i].len);
    }

    ml_buf first, second;
    ml_buf_init(&first);
    ml_buf_init(&second);
    /* SARIF (slow: it carries every rule) for one input in four */
    long n1 = fz_lint(dir, has_config ? config : NULL, has_baseline ? baseline : NULL,
                      size % 4 == 0 ? FZ_ALL : FZ_MOST, &first);
    long n2 = fz_lint(dir, has_config ? config : NULL, has_baseline ? baseline : NULL, FZ_BASIC, &second);
    FZ_ASSERT(n1 == n2, "the number of findings differs between two runs");
    FZ_ASSERT(first.n == second.n && (first.n == 0 || memcmp(first.s, second.s, first.n) == 0),
              "output differs between two runs over the same input");
    ml_buf_free(&first);
    ml_buf_free(&second);
    return 0;
}
