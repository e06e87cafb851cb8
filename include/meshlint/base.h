/*
 * base.h - the few data structures every module shares.
 *
 * One arena allocator (everything the model holds lives in an arena and is
 * freed at once), one growable pointer vector, one string-keyed hash map and
 * one string buffer. No module defines a second copy of any of them.
 */
#ifndef MESHLINT_BASE_H
#define MESHLINT_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define ML_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ML_PRINTF(a, b)
#endif

/* ---- arena ------------------------------------------------------------ */

typedef struct ml_arena_block ml_arena_block;
typedef struct ml_arena {
    ml_arena_block *head;
    size_t total; /* bytes handed out, for memory accounting */
    ml_arena_block *str_head; /* strings, packed without alignment (NULL at first) */
    ml_arena_block *spare; /* blocks kept by ml_arena_reset for reuse */
} ml_arena;

void ml_arena_init(ml_arena *a);
void ml_arena_free(ml_arena *a);
/* Forget everything handed out but keep the blocks for what comes next:
 * scratch work done over and over (the rules, one after another) touches
 * its pages once instead of mapping fresh zeroed ones each time. Every
 * pointer into the arena dangles afterwards. */
void ml_arena_reset(ml_arena *a);
/* Aligned to 16 bytes; never returns NULL (aborts on out-of-memory). */
void *ml_alloc(ml_arena *a, size_t size);
void *ml_zalloc(ml_arena *a, size_t size);
/* Aligned to align (a power of two up to 16) only: for small objects
 * allocated by the million, which ml_alloc's 16 would pad. */
void *ml_alloc_aligned(ml_arena *a, size_t size, size_t align);
char *ml_strndup(ml_arena *a, const char *s, size_t n);
char *ml_strdup(ml_arena *a, const char *s);
char *ml_printf(ml_arena *a, const char *fmt, ...) ML_PRINTF(2, 3);
char *ml_vprintf(ml_arena *a, const char *fmt, va_list ap);

/* ---- vector of pointers (storage in an arena) ------------------------- */

typedef struct ml_vec {
    void **items;
    size_t n, cap;
} ml_vec;

void ml_vec_push(ml_arena *a, ml_vec *v, void *item);
/* Each non-NULL item of vec, in order. vec is evaluated once (it may be a
 * call or have side effects); `break` leaves the whole loop and `continue`
 * goes to the next item, as in a plain for loop. */
#define ML_VEC_EACH(type, var, vec)                                                        \
    for (const ml_vec *var##_v = (vec); var##_v; var##_v = NULL)                           \
        for (size_t var##_i = 0, var##_go = 1; var##_go && var##_i < var##_v->n;           \
             var##_go = !var##_go, var##_i++)                                              \
            for (type var = (type)var##_v->items[var##_i];                                 \
                 var##_go && (var || (var##_go = 0)); var##_go = !var##_go)
/* Sort with qsort semantics on the element pointers. */
void ml_vec_sort(ml_vec *v, int (*cmp)(const void *a, const void *b));

/* ---- hash map: byte-string key -> pointer ----------------------------- */

typedef struct ml_map_slot {
    const char *key; /* not copied: must outlive the map (use the arena) */
    size_t len;
    uint64_t hash;
    void *value;
} ml_map_slot;

typedef struct ml_map {
    ml_map_slot *slots; /* malloc'd; ml_map_free releases it */
    size_t cap, n;
} ml_map;

void ml_map_init(ml_map *m);
void ml_map_free(ml_map *m);
uint64_t ml_hash(const char *s, size_t n);
void *ml_map_get(const ml_map *m, const char *key, size_t len);
void *ml_map_gets(const ml_map *m, const char *key); /* NUL-terminated key */
/* Returns the value slot for key, inserting a NULL value when absent.
 * The key pointer is stored as given. */
void **ml_map_slot_for(ml_map *m, const char *key, size_t len);
void ml_map_put(ml_map *m, const char *key, size_t len, void *value);
/* Push item onto the ml_vec stored under key (created in arena a). */
void ml_map_push(ml_map *m, ml_arena *a, const char *key, size_t len, void *item);
/* The ml_vec stored under key, or NULL. */
const ml_vec *ml_map_vec(const ml_map *m, const char *key, size_t len);

/* Maps keyed by an object's address (the pointer value is the key; the
 * bytes are copied into arena a, so any pointer may be passed). */
void *ml_map_get_ptr(const ml_map *m, const void *p);
void **ml_map_slot_ptr(ml_map *m, ml_arena *a, const void *p);
void ml_map_put_ptr(ml_map *m, ml_arena *a, const void *p, void *value);
void ml_map_push_ptr(ml_map *m, ml_arena *a, const void *p, void *item);

/* ---- growable string buffer (malloc'd) -------------------------------- */

typedef struct ml_buf {
    char *s;
    size_t n, cap;
} ml_buf;

void ml_buf_init(ml_buf *b);
void ml_buf_free(ml_buf *b);
void ml_buf_add(ml_buf *b, const char *s, size_t n);
void ml_buf_puts(ml_buf *b, const char *s);
void ml_buf_putc(ml_buf *b, char c);
void ml_buf_printf(ml_buf *b, const char *fmt, ...) ML_PRINTF(2, 3);
void ml_buf_vprintf(ml_buf *b, const char *fmt, va_list ap);
void ml_buf_reset(ml_buf *b);

/* ---- composite keys without printf ------------------------------------ */

/* A key joined from parts with a one-byte separator, built with memcpy (the
 * model's indexes and the rules build millions of these; printf was the
 * dearest part of a lookup). Short keys live in `small`, longer ones in
 * malloc'd memory: call ml_key_done. A NULL part joins as empty. */
typedef struct ml_key {
    char *s;
    size_t n;
    char small[200];
} ml_key;
void ml_key_join(ml_key *k, char sep, size_t nparts, const char *const *parts);
void ml_key_done(ml_key *k);
/* The same joined key copied into arena a (NUL-terminated; *len its length). */
char *ml_key_dup(ml_arena *a, size_t *len, char sep, size_t nparts, const char *const *parts);

/* ---- small string helpers --------------------------------------------- */

bool ml_streq(const char *a, const char *b); /* NULL-safe */
bool ml_starts_with(const char *s, const char *prefix);
bool ml_ends_with(const char *s, const char *suffix);
/* Levenshtein distance, capped at max+1 (cheap "did you mean"). */
unsigned ml_edit_distance(const char *a, const char *b, unsigned max);
/* Glob match with '*', '**' (crosses '/'), '?'. */
bool ml_glob_match(const char *pattern, const char *path);

#endif
