/*
 * ignore.h - .gitignore and .meshlintignore while walking a directory.
 *
 * The patterns follow gitignore(5): blank lines and "#" comments are
 * skipped, "!" re-includes, a trailing "/" matches directories only, a
 * pattern with a "/" at its start or in its middle is relative to the
 * directory of its file, any other pattern matches a name at any depth below
 * it; "*", "?" and "[...]" do not match "/", and "**" spans directories when
 * it stands between slashes or at either end. A deeper file overrides a
 * higher one, and a later line overrides an earlier one. No git is run.
 *
 * Paths handed to ml_ignore_check are relative to one base directory (the
 * root of the git work tree, or the directory walked) and use "/"; each
 * frame names its directory relative to the same base ("" for the base).
 */
#ifndef MESHLINT_IGNORE_H
#define MESHLINT_IGNORE_H

#include "meshlint/base.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ml_ignore_pat {
    const char *pat; /* without "!", a leading "/" and a trailing "/" */
    size_t len;
    bool negate;   /* "!pattern": re-include */
    bool dir_only; /* "pattern/": directories only */
    bool anchored; /* held a "/" before its end: matched against the whole relative path */
} ml_ignore_pat;

typedef struct ml_ignore_frame {
    const char *dir; /* relative to the base, "" for the base itself */
    size_t dir_len;
    const char *origin; /* the file the patterns came from, for --dump and messages */
    ml_ignore_pat *pats;
    size_t n;
} ml_ignore_frame;

/* Matching steps one walk may spend on ignore patterns: a base plus an
 * allowance per path checked (a few hundred patterns of a real .gitignore
 * cost a few thousand steps per path). Past it no more paths are ignored
 * (reading more is the safe side) and `exhausted` is set, so that a hostile
 * ignore file cannot stall the walk. */
#define ML_IGNORE_BASE_STEPS 10000000L
#define ML_IGNORE_STEPS_PER_PATH 20000L

typedef struct ml_ignore {
    ml_vec frames; /* ml_ignore_frame*, shallowest first */
    long spent;    /* matching steps so far */
    long allowed;  /* the allowance of the paths checked so far */
    bool exhausted;
} ml_ignore;

/* Parse the text of an ignore file into patterns (in the arena). */
size_t ml_ignore_parse(ml_arena *a, const char *text, size_t len, ml_ignore_pat **out);
/* Does one pattern match `rel` (relative to the pattern file's directory)? */
bool ml_ignore_pat_match(const ml_ignore_pat *p, const char *rel, bool is_dir);
/* Push the patterns of `text` as a frame for directory `dir` (relative to
 * the base). Returns false (and pushes nothing) when the text holds no
 * pattern. */
bool ml_ignore_push(ml_arena *a, ml_ignore *ig, const char *dir, const char *origin, const char *text, size_t len);
void ml_ignore_pop(ml_ignore *ig);
/* Is `path` (relative to the base) ignored? The deepest frame with a
 * matching pattern decides, and in it the last matching pattern. */
bool ml_ignore_check(ml_ignore *ig, const char *path, bool is_dir);

#endif
