/*
 * regex.h - Istio `regex` match strings, checked and evaluated with PCRE2.
 *
 * Istio's `StringMatch.regex` (VirtualService uri, authority, scheme, method,
 * headers, withoutHeaders, queryParams; corsPolicy.allowOrigins;
 * rewrite.uriRegexRewrite.match) is RE2 syntax. Istio's validation compiles
 * it with Go's regexp package (pkg/config/validation/virtualservice.go
 * validateHTTPRouteMatchRequest, pkg/config/validation/validation.go
 * validateStringRegexp: empty is rejected, more than 1024 bytes is rejected,
 * then regexp.Compile), and Envoy evaluates it with RE2 as a
 * `safe_regex` RegexMatcher (pilot/pkg/networking/core/route/route.go
 * TranslateRouteMatch): "The regex is matched against the full string, not
 * as a partial match" (envoy api type/matcher/v3/regex.proto).
 *
 * ml_re_compile first parses the pattern as Go's regexp/syntax does in Perl
 * mode and rejects what it rejects, with the byte offset of the offending
 * construct: back-references (\1, (?P=name)), look-around ((?=, (?!, (?<=,
 * (?<!), atomic groups (?>, recursion and subroutine calls ((?R), (?1)),
 * conditionals (?(, comments (?#, possessive quantifiers (a*+, which Go and
 * RE2 reject as a nested repetition), \C, \G, \K, \Z, \X, \R and every other
 * escape RE2 does not define, repeat counts above 1000, unbalanced
 * parentheses and brackets, bad classes and ranges.
 *
 * A pattern that passes is translated to PCRE2 with RE2's meaning (a literal
 * `{` is escaped; octal escapes become \x{..} so that PCRE2 does not read a
 * back-reference; \v is the vertical tab, \s is [\t\n\f\r ] as in RE2;
 * `$` matches only at the end unless (?m), PCRE2_DOLLAR_ENDONLY) and
 * compiled in UTF mode. What meshlint cannot evaluate with RE2's meaning
 * (PCRE2 refuses it, or nested counted repetitions whose product exceeds
 * ML_RE_MAX_REPEAT_PRODUCT) is ML_RE_UNSUPPORTED: valid for all meshlint
 * knows, never evaluated.
 *
 * Matching is a full match (PCRE2_ANCHORED | PCRE2_ENDANCHORED). Its cost is
 * bounded: each match runs under PCRE2's match limit ML_RE_MATCH_LIMIT,
 * depth limit ML_RE_DEPTH_LIMIT and heap limit ML_RE_HEAP_LIMIT_KIB, and an
 * optional ml_re_budget caps the number of matches one caller runs; a
 * subject longer than ML_RE_MAX_SUBJECT is not tried. Any of these turns
 * the answer into ML_RE_UNKNOWN, never into a guess.
 *
 * The compiled code lives in the arena given to ml_re_compile (PCRE2's
 * allocations for the code go through it); a match allocates its match data
 * with malloc and frees it before returning, so nothing needs freeing.
 */
#ifndef MESHLINT_REGEX_H
#define MESHLINT_REGEX_H

#include "meshlint/base.h"
#include "meshlint/yaml.h"

#define ML_RE_MAX_LEN 1024              /* Istio validateStringRegexp: longer is rejected */
#define ML_RE_MAX_REPEAT 1000           /* Go regexp/syntax: larger counts are rejected */
#define ML_RE_MAX_REPEAT_PRODUCT 100000 /* nested {n,m} maxima multiplied: beyond, unsupported */
#define ML_RE_MATCH_LIMIT 100000        /* pcre2_set_match_limit per match */
#define ML_RE_DEPTH_LIMIT 2000          /* pcre2_set_depth_limit per match */
#define ML_RE_HEAP_LIMIT_KIB 1024       /* pcre2_set_heap_limit per match */
#define ML_RE_MAX_SUBJECT 8192          /* longer subjects are not tried: unknown */

typedef enum ml_re_status {
    ML_RE_OK,          /* valid and compiled */
    ML_RE_INVALID,     /* Istio's validation rejects it: err says where and why */
    ML_RE_UNSUPPORTED  /* valid as far as meshlint knows, but not evaluated */
} ml_re_status;

typedef struct ml_re_error {
    size_t offset;       /* byte offset in the pattern of the offending construct */
    const char *message; /* static text or arena text, e.g. "back-references are not supported by RE2" */
} ml_re_error;

typedef enum ml_re_answer { ML_RE_NO = 0, ML_RE_YES = 1, ML_RE_UNKNOWN = 2 } ml_re_answer;

typedef struct ml_regex ml_regex;

/* A count of matches a caller may still run; NULL means no cap beyond the
 * per-match limits. Each ml_re_full_match decrements it; at 0 the answer is
 * ML_RE_UNKNOWN. */
typedef struct ml_re_budget {
    unsigned long matches_left;
} ml_re_budget;

/* Check only (no PCRE2): ML_RE_OK or ML_RE_INVALID with err filled. */
ml_re_status ml_re_check(const char *pat, size_t len, ml_re_error *err);

/* Check and compile. *out is set only for ML_RE_OK. err is filled for
 * ML_RE_INVALID and ML_RE_UNSUPPORTED (the reason). */
ml_re_status ml_re_compile(ml_arena *a, const char *pat, size_t len, ml_regex **out, ml_re_error *err);

/* Does re match the whole of s[0..n)? */
ml_re_answer ml_re_full_match(const ml_regex *re, const char *s, size_t n, ml_re_budget *budget);

/* Does re match every string that starts with prefix (for paths: no
 * newline, any byte after the prefix)? Decided only for the shapes
 * LITERAL.* and LITERAL.+ with no flags (YES or NO by the literal),
 * otherwise ML_RE_NO when re does not even match some extension, else
 * ML_RE_UNKNOWN. */
ml_re_answer ml_re_covers_prefix(const ml_regex *re, const char *prefix, ml_re_budget *budget);

/* The pattern as written (NUL-terminated, in the arena). */
const char *ml_re_pattern(const ml_regex *re);

/* JavaScript's String.prototype.split with a regex literal ("/pat/flags",
 * as the code writes it), for enabledServices lists: ECMA-262
 * RegExp.prototype[@@split]. From p = q = 0, the separator is tried
 * anchored at q (the spec's sticky splitter); no match, or an empty match
 * ending at p, moves q on by one; a match ending at e pushes S[p, q) and
 * continues at p = q = e; the rest S[p, size) is pushed last. An empty S
 * gives [] when the separator matches it, else [""]. The pattern is
 * compiled by PCRE2 with JavaScript's escapes (PCRE2_ALT_BSUX) and
 * `$` only at the end; flags g, y and d change nothing for split, i, m, s
 * and u map to PCRE2's options, any other flag is unsupported, and so is
 * a capturing group (split would put the captured text into the list).
 * ml_re_js_split_check returns NULL when the literal is usable, else why;
 * ml_re_js_split fills out (const char* entries in the arena) under the
 * same limits as ml_re_full_match, ML_RE_UNKNOWN past them. */
const char *ml_re_js_split_check(const char *literal);
ml_re_answer ml_re_js_split(ml_arena *a, const char *literal, const char *s, ml_vec *out);

/* The location of byte `off` of scalar n's value in its file: exact when the
 * scalar is written on one line without escapes (plain, or quoted without
 * escape sequences), else the scalar's own location. */
ml_loc ml_scalar_byte_loc(const ml_node *n, size_t off);

#endif
