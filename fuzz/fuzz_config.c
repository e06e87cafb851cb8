/*
 * fuzz_config.c - libFuzzer harness: the .meshlint.yaml parser and what the
 * rules do with the settings it accepts.
 *
 * One input is one configuration file. It is loaded with ml_config_load; a
 * refused file must come with a terminal-safe "file:line:col: message". An
 * accepted one configures a full run over the bundled example repository
 * (testdata/examples, or $MESHLINT_FUZZ_EXAMPLES), so rule settings, levels,
 * ignore globs and workload mappings taken from the fuzzed file reach the
 * code that uses them; every output is checked as in the pipeline harness.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "meshlint/config.h"
#include "meshlint/rule.h"

static char examples[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("MESHLINT_FUZZ_EXAMPLES");
    if (!realpath(dir ? dir : "testdata/examples", examples)) {
        fprintf(stderr, "fuzz_config: %s not found; linting an empty directory\n",
                dir ? dir : "testdata/examples");
        snprintf(examples, sizeof examples, "%s/empty", fz_scratch());
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *scratch = fz_scratch();
    char path[4200];
    snprintf(path, sizeof path, "%s/meshlint.yaml", scratch);
    fz_write_file(path, data, size);

    /* the parser alone, and the effective level of every rule */
    ml_arena a;
    ml_arena_init(&a);
    ml_config c;
    ml_config_defaults(&c, &a);
    ml_buf err;
    ml_buf_init(&err);
    bool ok = ml_config_load(&c, path, &err);
    FZ_ASSERT(ok || err.n > 0, "configuration refused without a message");
    if (ok) {
        for (size_t i = 0; i < ml_rules_count; i++) {
            ml_level l = ml_config_rule_level(&c, ml_rules[i]);
            FZ_ASSERT(l >= ML_LEVEL_NONE && l <= ML_LEVEL_ERROR, "bad effective level");
            (void)ml_config_rule_settings(&c, ml_rules[i]);
        }
    }
    ml_buf_free(&err);
    ml_map_free(&c.rules);
    ml_arena_free(&a);

    /* a whole run under it */
    /* SARIF (slow: it carries every rule) for one input in eight */
    fz_lint(examples, path, NULL, size % 8 == 0 ? FZ_ALL : FZ_MOST, NULL);
    return 0;
}
