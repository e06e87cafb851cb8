/*
 * fuzz_suppress.c - libFuzzer harness: suppression comments and the
 * meshlint.io/ignore annotation, through the whole pipeline on one file.
 *
 * The suppression scanner runs over a file only when some finding lands in
 * it, so the harness makes sure one does: the fuzz input is placed before or
 * after a fixed snippet that always produces findings (a PeerAuthentication
 * with an invalid mode for YAML, a createServer call that links to nothing
 * for TypeScript). The first input byte picks the language and the side;
 * the rest is the fuzzed text, in which the scanner finds (or not) its
 * `# meshlint-disable-next-line ML002 -- reason` directives. Checks: the run
 * is clean under the sanitizers, every suppressed finding says how, and a
 * whole-file directive in the fixed part (mode 4) suppresses everything.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_util.h"
#include "meshlint/engine.h"

static const char yaml_fixed[] =
    "apiVersion: security.istio.io/v1\n"
    "kind: PeerAuthentication\n"
    "metadata:\n"
    "  name: fixed\n"
    "  namespace: shop\n"
    "  annotations:\n"
    "    meshlint.io/ignore: \"ML101, ML999, unlinked-server\"\n"
    "spec:\n"
    "  mtls:\n"
    "    mode: strictt\n"
    "  portLevelMtls:\n"
    "    8080:\n"
    "      mode: permissve # meshlint-disable-line ML002 -- fixed reason\n";

static const char ts_fixed[] =
    "import { createServer } from '@connectum/core';\n"
    "// meshlint-disable-next-line ML005\n"
    "const server = createServer({ port: Number(process.env.PORT), services: [] });\n"
    "await server.start();\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0] % 5;
    data++, size--;
    const char *scratch = fz_scratch();
    char dir[4200], path[4400];
    snprintf(dir, sizeof dir, "%s/repo", scratch);
    fz_clear_dir(scratch);

    bool ts = mode == 2 || mode == 3;
    const char *fixed = ts ? ts_fixed : yaml_fixed;
    ml_buf b;
    ml_buf_init(&b);
    if (mode == 4)
        ml_buf_puts(&b, "# meshlint-disable-file -- everything in this file\n");
    if (mode == 0 || mode == 2 || mode == 4) {
        ml_buf_puts(&b, fixed);
        ml_buf_puts(&b, ts ? "\n" : "---\n");
        ml_buf_add(&b, (const char *)data, size);
    } else {
        ml_buf_add(&b, (const char *)data, size);
        ml_buf_puts(&b, ts ? "\n" : "\n---\n");
        ml_buf_puts(&b, fixed);
    }
    snprintf(path, sizeof path, "%s/%s", dir, ts ? "src/server.ts" : "policy.yaml");
    fz_write_file(path, b.s, b.n);
    ml_buf_free(&b);

    ml_run run;
    ml_run_init(&run);
    const char *paths[] = {dir};
    ml_vec report_paths = {0};
    ml_collect(&run, paths, 1, &report_paths);
    ml_run_load(&run, &report_paths, NULL, NULL);
    ml_run_rules(&run);
    ML_VEC_EACH(ml_diag *, d, &run.diags) {
        if (d->suppressed)
            FZ_ASSERT(!strcmp(d->suppressed, "comment") || !strcmp(d->suppressed, "annotation"),
                      "a finding suppressed by something other than a comment or annotation");
        else
            FZ_ASSERT(mode != 4 || !d->loc.file, "a whole-file directive left a finding in its file");
    }
    ml_run_free(&run);
    return 0;
}
