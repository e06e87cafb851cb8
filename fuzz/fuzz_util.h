/*
 * fuzz_util.h - shared by the libFuzzer harnesses in fuzz/.
 *
 * The harnesses drive meshlint's own library code; these helpers only set up
 * inputs (a private scratch directory, a "bundle" of several files in one
 * fuzz input) and check the properties every output must have whatever the
 * input: valid UTF-8, no raw control characters on a terminal, valid JSON.
 * A violated property is a crash (__builtin_trap), so libFuzzer saves the
 * input.
 */
#ifndef MESHLINT_FUZZ_UTIL_H
#define MESHLINT_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meshlint/base.h"

/* Abort the run (libFuzzer records the input) with a message. */
#define FZ_ASSERT(cond, what)                                                  \
    do {                                                                       \
        if (!(cond))                                                           \
            fz_fail(__FILE__, __LINE__, (what));                               \
    } while (0)
void fz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* A private directory for this process, created on first use (under
 * /dev/shm when it exists, else $TMPDIR or /tmp) and removed at exit. */
const char *fz_scratch(void);
/* Remove everything below dir (not dir itself). */
void fz_clear_dir(const char *dir);
/* Write n bytes to path (creating parent directories). false on error. */
bool fz_write_file(const char *path, const void *data, size_t n);

/*
 * A bundle is one fuzz input holding several files, each introduced by a
 * header line as `head` prints it:
 *
 *     ==> k8s/app.yaml <==
 *     ...contents...
 *     ==> src/server.ts <==
 *     ...
 *
 * Input that does not start with a header is one file named default_name.
 * Names are sanitised (letters, digits, . _ - /, no "..", at most 3 levels);
 * at most FZ_MAX_PARTS parts are kept.
 */
#define FZ_MAX_PARTS 16
typedef struct fz_part {
    char name[80];
    const uint8_t *data;
    size_t len;
} fz_part;
size_t fz_split_bundle(const uint8_t *data, size_t size, const char *default_name, fz_part *parts);

/* Output properties. */
bool fz_valid_utf8(const char *s, size_t n);
/* Valid UTF-8 without C0 controls (other than newline and tab), DEL, C1 controls,
 * bidirectional overrides/isolates or line/paragraph separators. */
bool fz_terminal_safe(const char *s, size_t n);
/* One complete JSON value (RFC 8259) followed by optional whitespace, in
 * valid UTF-8. */
bool fz_valid_json(const char *s, size_t n);

/*
 * Lint the directory `dir` as the command line does: optional configuration
 * file, collect, load, --dump-model, rules, optional baseline, then the
 * output formats: FZ_BASIC is text and json, FZ_MOST adds colour text, gcc,
 * github and codeclimate, FZ_ALL adds SARIF (which carries the metadata of
 * every rule, so it is the slowest).
 * Every output and every message meant for a terminal is checked with the
 * functions above. `all` (when not NULL) receives the model dump and the
 * text and json outputs, for comparisons between runs. Returns the number
 * of findings (suppressed ones included), or -1 when the configuration was
 * refused.
 */
enum { FZ_BASIC, FZ_MOST, FZ_ALL };
long fz_lint(const char *dir, const char *config, const char *baseline, int formats, ml_buf *all);

#endif
