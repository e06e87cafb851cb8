/*
 * kustomize.h - `kustomize build`, natively, for the common subset.
 *
 * A kustomization directory is rendered into documents whose nodes are the
 * nodes of the files they came from (a base, a patch), so that a finding
 * points at the line a user wrote; only values kustomize invents (a prefixed
 * name, an added label, a namespace) are new nodes, placed at the
 * kustomization field that caused them. Features meshlint does not render
 * become ml_unlinted entries (unit.h); a build kustomize itself would refuse
 * (a missing file, a cycle, a patch whose target is absent) becomes an
 * ml_unlinted entry with `error` set and yields no documents.
 *
 * Files are read through a callback, so that the engine reads them as it
 * reads every input and the unit tests can serve them from memory.
 */
#ifndef MESHLINT_KUSTOMIZE_H
#define MESHLINT_KUSTOMIZE_H

#include "meshlint/base.h"
#include "meshlint/source.h"
#include "meshlint/unit.h"
#include "meshlint/yaml.h"

/* What a path is: ML_KPATH_NONE (absent or unreadable), a regular file, a directory. */
typedef enum ml_kpath { ML_KPATH_NONE, ML_KPATH_FILE, ML_KPATH_DIR } ml_kpath;

typedef struct ml_kust_io {
    void *ud;
    /* Read a whole file (NULL with *err set when it cannot be read). */
    ml_file *(*read)(void *ud, const char *path, const char **err);
    ml_kpath (*kind)(void *ud, const char *path);
} ml_kust_io;

/* Shared by every build of a run: files are read and parsed once. */
typedef struct ml_kust {
    ml_arena *arena;
    ml_kust_io io;
    ml_map files;     /* normalized path -> internal record */
    ml_vec read;      /* ml_file* every file read, in read order */
    ml_vec yaml_errors; /* ml_yaml_error* of the files read (ML001) */
    ml_map owned;     /* nodes a build created (internal) */
} ml_kust;

typedef struct ml_kust_result {
    const char *dir;        /* the kustomization's directory (normalized) */
    ml_file *kfile;         /* its kustomization file */
    const char *ns;         /* its `namespace:` or NULL */
    bool ok;                /* false: kustomize build would fail; docs is empty */
    bool component;         /* a Component on its own: not built, not an apply unit */
    ml_vec docs;            /* ml_doc*, in kustomize's output order; doc->unit unset */
    ml_vec unlinted;        /* ml_unlinted*: features not rendered, and the failure */
    ml_map included;        /* normalized path -> (void*)1: every file and directory the build used */
    ml_vec included_v;      /* the same paths, in the order they were used */
} ml_kust_result;

void ml_kust_init(ml_kust *k, ml_arena *a, ml_kust_io io);
void ml_kust_free(ml_kust *k); /* the maps (the arena holds the rest) */
/* The kustomization file name in dir ("kustomization.yaml", ".yml",
 * "Kustomization"), or NULL. */
const char *ml_kust_file_in(ml_kust *k, const char *dir);
/* True when the last path component is a kustomization file name. */
bool ml_kust_is_kfile(const char *path);
/* Build the kustomization in dir. */
void ml_kust_build(ml_kust *k, const char *dir, ml_kust_result *out);
void ml_kust_result_free(ml_kust_result *r);
/* a/./b/../c -> a/c; leading ../ kept; "" -> "." (arena string). */
const char *ml_path_clean(ml_arena *a, const char *p);
/* The same into out, which has room for strlen(p) + 2 bytes (the result is
 * never longer than p but for "" -> "."); returns its length. Nothing is
 * allocated. */
size_t ml_path_clean_to(char *out, const char *p);
/* kustomize's name suffix for generated ConfigMaps and Secrets
 * (api/hasher/hasher.go): the first 10 hex digits of the SHA-256 of the
 * object's JSON encoding, with 0 1 3 a e replaced by g h k m t. */
const char *ml_kust_hash(ml_arena *a, const char *kind, const char *name, const char *type, const ml_node *data);

#endif
