/*
 * yaml.h - the YAML node tree.
 *
 * The loader drives libyaml's event API and builds, per document, a tree of
 * nodes in an arena. Every node (so every key and every value) keeps its
 * position (byte offsets and its file's id; ml_node_loc).
 *
 * Children are stored inline: a map's pairs are one array of ml_pair whose
 * key and value are nodes (not pointers), a sequence's items one array of
 * ml_node. A pointer to a child (&m->kvs[i].value, &s->elems[i], what ml_get
 * returns) points into its parent's array: it stays good as long as the
 * tree does, since loaded trees are never changed (kustomize changes only
 * arrays it copied; see kustomize.c). Storing a node somewhere copies its
 * 24-byte header; its children array is shared, not copied.
 * An alias is such a copy of the anchored node's header (same offsets, same
 * children array): it is a node of its own, at its own address, so node
 * pointers are equal only for the same occurrence. The total amount of alias
 * expansion a document may cause is bounded so that a "billion laughs"
 * input is rejected in linear time.
 * Merge keys (<<) are resolved at load time into the mapping that holds them.
 */
#ifndef MESHLINT_YAML_H
#define MESHLINT_YAML_H

#include "meshlint/base.h"
#include "meshlint/source.h"

typedef enum ml_node_type { ML_NODE_SCALAR, ML_NODE_MAP, ML_NODE_SEQ } ml_node_type;

typedef enum ml_scalar_style {
    ML_SCALAR_PLAIN,  /* unquoted: may be null/bool/number */
    ML_SCALAR_QUOTED, /* single or double quoted: always a string */
    ML_SCALAR_BLOCK   /* | or > */
} ml_scalar_style;

typedef struct ml_node ml_node;
typedef struct ml_pair ml_pair;

/*
 * A node is 24 bytes (it was 80, then 56): the tree of a large repository
 * holds millions of them, and every byte is memory the kernel must hand over.
 *   off, end_off  8  byte offsets of the whole node in its file (for a
 *                    scalar, its text)
 *   str_/kvs/elems 8  one pointer: scalar: NUL-terminated value (may
 *                    contain NUL; see len_); map: its pairs (ml_pair, 48
 *                    bytes: key and value nodes inline); seq: its items
 *                    (ml_node, 24 bytes each)
 *   len_/n_       4  one u32: scalar: bytes in str_; map/seq: entries
 *   file:24, type:2, style:2, tag:2   4  file: id in the file table
 *                    (source.h, ml_file_by_id); 0: no location
 * Reading the shared fields: ml_node_str, ml_node_len, ml_node_n (or the
 * NULL-safe ml_str etc.) give NULL/0 for the other kind, as separate fields
 * did; str_, len_ and n_ are written only by code that made the node and
 * knows its kind (the loader, kustomize). kvs/elems are read only by
 * index below ml_node_n, or after testing the type: never test the pointer.
 * So a map entry costs 48 bytes and a sequence item 24 (they were 64 and 32
 * with a node pointer per child and a pointer per item or two per pair).
 * Line and column are not stored: ml_node_loc computes them from the offsets
 * through the file's line index, which ml_file_id builds when the loader
 * registers the file (on the thread that loads it), so a position computed
 * later, on any thread, only reads it. A node made outside the loader gets
 * its place with ml_node_set_loc (a loc whose line/col are those of its
 * offsets, as every node's and ml_loc_from_offsets' are). Code that reads a
 * node's position in a loop (sorting, dedupe) computes the loc once.
 * Limits the loader enforces with a diagnostic (ML001 at the node or the
 * file): a scalar of 4 GiB or more, a collection of ML_YAML_MAX_CHILDREN
 * children or more, and more than ML_FILE_MAX_IDS files registered at once
 * are refused. `tag` is only what the accessors need to know about an
 * explicit tag (ML_TAG_*): the tag's text is not kept.
 * The file, type, style and tag bit-fields read as the enums below; their
 * addresses cannot be taken.
 */
typedef enum ml_node_tag {
    ML_TAG_NONE,  /* no explicit tag */
    ML_TAG_STR,   /* !!str or the non-specific "!": a plain scalar is a string */
    ML_TAG_OTHER  /* any other explicit tag */
} ml_node_tag;

#define ML_YAML_MAX_CHILDREN ((1u << 26) - 1) /* pairs or items per collection */

struct ml_node {
    uint32_t off, end_off; /* byte offsets of the node in its file: ml_node_loc */
    union {
        const char *str_; /* scalar: NUL-terminated value (may contain NUL); read ml_node_str */
        ml_pair *kvs;     /* map: kvs[0..ml_node_n), the pairs themselves */
        ml_node *elems;   /* seq: elems[0..ml_node_n), the items themselves */
    };
    union {
        uint32_t len_;    /* scalar: bytes in str_; read ml_node_len */
        uint32_t n_;      /* map: pairs; seq: items; read ml_node_n */
    };
    uint32_t file : 24;   /* ml_file_by_id; 0: no location */
    unsigned type : 2;    /* ml_node_type */
    unsigned style : 2;   /* ml_scalar_style */
    unsigned tag : 2;     /* ml_node_tag */
};

/* A map entry: its key and value nodes themselves (48 bytes), not pointers
 * to them. */
struct ml_pair {
    ml_node key;
    ml_node value;
};

/* The shared fields read as they did when each kind had its own: a
 * collection has no string and length 0, a scalar has no entries. Not
 * NULL-safe (a field read was not either); ml_str() etc. are. */
static inline uint32_t ml_node_n(const ml_node *x)
{
    return x->type != ML_NODE_SCALAR ? x->n_ : 0;
}
static inline uint32_t ml_node_len(const ml_node *x)
{
    return x->type == ML_NODE_SCALAR ? x->len_ : 0;
}
static inline const char *ml_node_str(const ml_node *x)
{
    return x->type == ML_NODE_SCALAR ? x->str_ : NULL;
}

/* The node's location, computed from its offsets through its file's line
 * index (a zero loc for NULL or a node without a file). */
ml_loc ml_node_loc(const ml_node *n);
/* The node's file (NULL for NULL or a node without a location). */
static inline const ml_file *ml_node_file(const ml_node *n)
{
    return n ? ml_file_by_id(n->file) : NULL;
}
/* Place a node made outside the loader at loc (its file and offsets). */
void ml_node_set_loc(ml_node *n, ml_loc loc);

struct ml_unit;

typedef struct ml_doc {
    ml_file *file;
    const struct ml_unit *unit; /* apply unit (unit.h); NULL for a loose file */
    ml_node *root;        /* NULL for an empty document */
    unsigned index;       /* document number within the file, from 0 */
    uint32_t start_line, end_line; /* lines the document spans */
} ml_doc;

typedef struct ml_yaml_error {
    ml_loc loc;
    const char *message; /* libyaml's own words, or the loader's limit */
} ml_yaml_error;

typedef struct ml_yaml_result {
    ml_vec docs;   /* ml_doc*, in order */
    ml_vec errors; /* ml_yaml_error*: syntax errors and limits hit */
} ml_yaml_result;

/* Limits that keep hostile input bounded. */
#define ML_YAML_MAX_DEPTH 512               /* nesting depth */
#define ML_YAML_MAX_ALIAS_EXPANSION 1000000 /* nodes reachable through aliases per file */

/* Parse every document of f into the arena. Never fails hard: errors are
 * recorded and the documents before the error are kept. A leading BOM, CRLF
 * line ends and JSON input are handled. */
void ml_yaml_load(ml_arena *a, ml_file *f, ml_yaml_result *out);

/* Interned scalars. A scalar's string is read-only once loaded, so equal
 * short strings (up to 64 bytes: keys, kinds, names repeated in every
 * document) can share one copy: never write through ml_node_str, and never
 * take two nodes for one because their strings are the same pointer.
 * ml_yaml_load shares them within the file; a caller that loads many files
 * into one arena shares them between files with a table of its own:
 * ml_yaml_strings_new(a) (the strings live in a; the table's slots are
 * malloc'd), ml_yaml_load_shared(a, t, f, out) for each file, and
 * ml_yaml_strings_free(t) when done (the strings stay in a). A table is for
 * one thread and one arena (with another arena, the load uses a table of
 * its own); free it before or with its arena. */
typedef struct ml_yaml_strings ml_yaml_strings;
ml_yaml_strings *ml_yaml_strings_new(ml_arena *a);
void ml_yaml_strings_free(ml_yaml_strings *t);
void ml_yaml_load_shared(ml_arena *a, ml_yaml_strings *t, ml_file *f, ml_yaml_result *out);

/* ---- accessors (all NULL-safe) ---------------------------------------- */

/* Value for key in a mapping, or NULL (also NULL when m is not a map). */
ml_node *ml_get(const ml_node *m, const char *key);
/* Same, returning the pair (for the key's own location). */
const ml_pair *ml_get_pair(const ml_node *m, const char *key);
/* The same with the key's length given (key need not be NUL-terminated). */
const ml_pair *ml_get_pair_n(const ml_node *m, const char *key, size_t len);

/* Nearly every call passes a string literal: measure it where the compiler
 * can (strlen of a literal is a constant), not on every call. The functions
 * above stay for callers that take their address. */
static inline const ml_pair *ml_get_pair_inline_(const ml_node *m, const char *key)
{
    return key ? ml_get_pair_n(m, key, __builtin_strlen(key)) : NULL;
}
static inline ml_node *ml_get_inline_(const ml_node *m, const char *key)
{
    const ml_pair *p = ml_get_pair_inline_(m, key);
    /* the pairs are not const (m's const does not reach them): a writable
     * node, as when the pair held a pointer to it */
    return p ? (ml_node *)&p->value : NULL;
}
#define ml_get_pair(m, key) ml_get_pair_inline_((m), (key))
#define ml_get(m, key) ml_get_inline_((m), (key))
/* Follow a dotted path of keys: ml_path(root, "spec.template.metadata"). */
ml_node *ml_path(const ml_node *m, const char *dotted);
/* The scalar's string, or NULL when n is not a scalar. */
const char *ml_str(const ml_node *n);
/* The scalar's string when it is a non-null scalar, or NULL. */
const char *ml_str_nonnull(const ml_node *n);
bool ml_is_map(const ml_node *n);
bool ml_is_seq(const ml_node *n);
bool ml_is_scalar(const ml_node *n);
/* YAML 1.1/1.2 core null: plain "", "~", "null", "Null", "NULL". */
bool ml_is_null(const ml_node *n);
/* Integer value of a scalar (plain or quoted digits). false if not an int. */
bool ml_int(const ml_node *n, long long *out);
/* True when v, written as a plain scalar, reads back as the same string
 * (not a number, boolean or null, no special characters). */
bool ml_yaml_plain_safe(const char *v);
/* Boolean of a plain scalar true/false (any case); false if not a bool. */
bool ml_bool(const ml_node *n, bool *out);

#endif
