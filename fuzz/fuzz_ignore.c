/*
 * fuzz_ignore.c - libFuzzer harness: .gitignore patterns and their matcher.
 *
 * The input is an ignore file, a NUL byte, then paths one a line (the last
 * byte of a path line "/" marks a directory). Checks: parsing never yields
 * an empty pattern or one holding a newline; a pattern never matches a
 * non-directory when it is directory-only; a negated pattern alone never
 * ignores; two frames over the same text give the same verdict as one
 * frame (the deeper one decides with the same lines); and the step budget
 * bounds the work (libFuzzer's -timeout catches a matcher that runs away).
 */
#include <string.h>

#include "fuzz_util.h"
#include "meshlint/ignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nul = memchr(in, '\0', size);
    size_t tlen = nul ? (size_t)(nul - in) : size;
    const char *paths = nul ? nul + 1 : in + size;
    size_t plen = nul ? size - tlen - 1 : 0;
    ml_arena a;
    ml_arena_init(&a);
    ml_ignore_pat *pats = NULL;
    size_t n = ml_ignore_parse(&a, in, tlen, &pats);
    for (size_t i = 0; i < n; i++) {
        FZ_ASSERT(pats[i].len > 0, "an empty pattern");
        FZ_ASSERT(!memchr(pats[i].pat, '\n', pats[i].len), "a pattern spans lines");
        FZ_ASSERT(strlen(pats[i].pat) <= pats[i].len, "pattern length wrong");
    }
    ml_ignore one, two;
    memset(&one, 0, sizeof one);
    memset(&two, 0, sizeof two);
    bool pushed = ml_ignore_push(&a, &one, "", "one", in, tlen);
    FZ_ASSERT(pushed == (n > 0), "a frame pushed without patterns");
    ml_ignore_push(&a, &two, "", "top", in, tlen);
    ml_ignore_push(&a, &two, "", "again", in, tlen);
    unsigned checked = 0;
    for (size_t i = 0; i < plen && checked < 64;) {
        const char *l = paths + i;
        const char *nl = memchr(l, '\n', plen - i);
        size_t ll = nl ? (size_t)(nl - l) : plen - i;
        i += ll + 1;
        bool is_dir = ll > 0 && l[ll - 1] == '/';
        if (is_dir)
            ll--;
        char *p = ml_strndup(&a, l, ll);
        if (strlen(p) != ll)
            continue; /* a NUL inside: not a path */
        checked++;
        bool r1 = ml_ignore_check(&one, p, is_dir);
        bool r2 = ml_ignore_check(&two, p, is_dir);
        if (!one.exhausted && !two.exhausted)
            FZ_ASSERT(r1 == r2, "the same lines in a deeper frame decide differently");
        for (size_t k = 0; k < n; k++) {
            if (pats[k].dir_only && !is_dir)
                FZ_ASSERT(!ml_ignore_pat_match(&pats[k], p, false), "a directory-only pattern matched a file");
        }
        if (n == 1 && pats[0].negate)
            FZ_ASSERT(!r1, "a lone negated pattern ignored a path");
    }
    ml_arena_free(&a);
    return 0;
}
