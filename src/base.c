/*
 * base.c - arena, vector, hash map and string buffer.
 *
 * The arena hands out memory from large blocks and frees them all at once:
 * the model is built once per run and dropped at exit, so per-object frees
 * would be wasted work. The hash map uses open addressing with linear probing
 * and keeps the full hash in each slot so that growing never rehashes keys.
 */
#include "meshlint/base.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Under AddressSanitizer the memory of a reset arena is poisoned until it
 * is handed out again, so that a pointer kept past ml_arena_reset is caught
 * (make sanitize) although the block itself stays allocated. */
#if defined(__SANITIZE_ADDRESS__)
#define ML_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ML_ASAN 1
#endif
#endif
#ifdef ML_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/*
 * Blocks grow with the arena: a chain starts with 64 KiB blocks and doubles
 * the size of each new one up to 2 MiB. A block of 2 MiB is mapped from the
 * kernel at a 2 MiB boundary and marked for transparent huge pages, so a
 * large model costs one page fault per 2 MiB instead of one per 4 KiB (page
 * faults were a fifth of a run's time on large inputs); its memory is zero
 * when mapped, so ml_zalloc need not clear what such a block hands out. A
 * small arena never leaves the 64 KiB malloc blocks. ml_arena_reset keeps
 * the blocks on a spare list from which new blocks are taken first (the
 * smallest that fits); a reused block is no longer zero (`clean` false).
 */
#define ARENA_BLOCK (64 * 1024)
#define ARENA_HUGE (2 * 1024 * 1024)

struct ml_arena_block {
    ml_arena_block *next;
    size_t used, cap;
    size_t mapped;  /* bytes mapped with mmap (the block included); 0: malloc */
    bool big;       /* one request's own block, outside the chain's growth */
    bool clean;     /* the bytes from `used` on are still zero: mapped and never
                     * handed out (a block reused after ml_arena_reset is not) */
    _Alignas(16) unsigned char data[];
};

static void oom(void)
{
    fputs("meshlint: out of memory\n", stderr);
    abort();
}

void ml_arena_init(ml_arena *a)
{
    a->head = NULL;
    a->str_head = NULL;
    a->spare = NULL;
    a->total = 0;
}

static void free_blocks(ml_arena_block *b)
{
    while (b) {
        ml_arena_block *next = b->next;
        UNPOISON(b->data, b->cap);
        if (b->mapped)
            munmap(b, b->mapped);
        else
            free(b);
        b = next;
    }
}

/* A block of ARENA_HUGE bytes (header included) at an ARENA_HUGE boundary,
 * zero-filled by the kernel; NULL when mmap fails (the caller then uses
 * malloc). */
static ml_arena_block *map_huge_block(void)
{
    size_t len = 2 * (size_t)ARENA_HUGE;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)p + ARENA_HUGE - 1) & ~(uintptr_t)(ARENA_HUGE - 1);
    unsigned char *al = (unsigned char *)start;
    if (al > p)
        munmap(p, (size_t)(al - p));
    size_t tail = (size_t)((p + len) - (al + ARENA_HUGE));
    if (tail)
        munmap(al + ARENA_HUGE, tail);
#ifdef MADV_HUGEPAGE
    madvise(al, ARENA_HUGE, MADV_HUGEPAGE); /* advice: failure changes nothing */
#endif
    ml_arena_block *b = (ml_arena_block *)al;
    b->mapped = ARENA_HUGE;
    b->cap = ARENA_HUGE - offsetof(ml_arena_block, data);
    b->clean = true;
    return b;
}

void ml_arena_free(ml_arena *a)
{
    free_blocks(a->head);
    free_blocks(a->str_head);
    free_blocks(a->spare);
    a->head = NULL;
    a->str_head = NULL;
    a->spare = NULL;
    a->total = 0;
}

static void to_spare(ml_arena_block **spare, ml_arena_block *b)
{
    while (b) {
        ml_arena_block *next = b->next;
        b->used = 0;
        b->clean = false; /* what was handed out is not zero any more */
        POISON(b->data, b->cap);
        b->next = *spare;
        *spare = b;
        b = next;
    }
}

void ml_arena_reset(ml_arena *a)
{
    to_spare(&a->spare, a->head);
    to_spare(&a->spare, a->str_head);
    a->head = NULL;
    a->str_head = NULL;
    a->total = 0;
}

/* The smallest kept block with room for need bytes, taken off the list;
 * NULL when none has. */
static ml_arena_block *take_spare(ml_arena_block **spare, size_t need)
{
    ml_arena_block **best = NULL;
    for (ml_arena_block **pp = spare; *pp; pp = &(*pp)->next)
        if ((*pp)->cap >= need && (!best || (*pp)->cap < (*best)->cap))
            best = pp;
    if (!best)
        return NULL;
    ml_arena_block *b = *best;
    *best = b->next;
    return b;
}

/* size bytes from the chain *head, at a multiple of align (a power of two
 * up to 16); a new block comes from the kept ones (*spare) when one is
 * large enough. */
static void *chain_alloc(ml_arena_block **head, ml_arena_block **spare, size_t size, size_t align, bool *zero)
{
    if (size == 0)
        size = 1;
    ml_arena_block *b = *head;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (!b || at > b->cap || b->cap - at < size) {
        /* A large request gets a block of its own, placed behind the current
         * head so the head's free space is not wasted. */
        /* the next size of this chain: double the head's, 64 KiB to 2 MiB */
        size_t grow = ARENA_BLOCK;
        if (b && !b->big)
            grow = b->mapped ? ARENA_HUGE : 2 * (b->cap + offsetof(ml_arena_block, data));
        if (grow > ARENA_HUGE)
            grow = ARENA_HUGE; /* a reused or malloc'd block may be larger */
        bool big = size > grow / 4;
        ml_arena_block *nb = NULL;
        if (*spare)
            nb = take_spare(spare, big ? size : grow - offsetof(ml_arena_block, data));
        if (!nb && !big && grow >= ARENA_HUGE)
            nb = map_huge_block();
        if (!nb) {
            size_t cap = big ? size : grow - offsetof(ml_arena_block, data);
            if (!big && grow >= ARENA_HUGE)
                cap = ARENA_HUGE - offsetof(ml_arena_block, data);
            nb = malloc(offsetof(ml_arena_block, data) + cap);
            if (!nb)
                oom();
            nb->cap = cap;
            nb->mapped = 0;
            nb->clean = false;
        }
        nb->used = 0;
        nb->big = big;
        if (b && big) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            *head = nb;
        }
        b = nb;
        at = 0;
    }
    void *p = b->data + at;
    b->used = at + size;
    UNPOISON(p, size);
    if (zero)
        *zero = b->clean; /* never handed out before: still the kernel's zeros */
    return p;
}

void *ml_alloc(ml_arena *a, size_t size)
{
    a->total += size;
    return chain_alloc(&a->head, &a->spare, size, 16, NULL);
}

void *ml_alloc_aligned(ml_arena *a, size_t size, size_t align)
{
    a->total += size;
    return chain_alloc(&a->head, &a->spare, size, align, NULL);
}

/* Strings come from a chain of their own and need no alignment, so that the
 * millions of short scalars of a large input are packed end to end instead
 * of each being rounded up to 16 bytes between other objects. */
static char *str_alloc(ml_arena *a, size_t size)
{
    a->total += size;
    return chain_alloc(&a->str_head, &a->spare, size, 1, NULL);
}

void *ml_zalloc(ml_arena *a, size_t size)
{
    bool zero = false;
    a->total += size;
    void *p = chain_alloc(&a->head, &a->spare, size, 16, &zero);
    if (!zero)
        memset(p, 0, size);
    return p;
}

char *ml_strndup(ml_arena *a, const char *s, size_t n)
{
    char *p = str_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void ml_key_join(ml_key *k, char sep, size_t nparts, const char *const *parts)
{
    size_t lens[8];
    size_t need = nparts ? nparts - 1 : 0;
    if (nparts > 8)
        abort();
    for (size_t i = 0; i < nparts; i++) {
        lens[i] = parts[i] ? strlen(parts[i]) : 0;
        need += lens[i];
    }
    k->s = need < sizeof k->small ? k->small : malloc(need + 1);
    if (!k->s)
        oom();
    char *p = k->s;
    for (size_t i = 0; i < nparts; i++) {
        if (i)
            *p++ = sep;
        if (lens[i])
            memcpy(p, parts[i], lens[i]);
        p += lens[i];
    }
    *p = '\0';
    k->n = need;
}

void ml_key_done(ml_key *k)
{
    if (k->s != k->small)
        free(k->s);
    k->s = NULL;
}

char *ml_key_dup(ml_arena *a, size_t *len, char sep, size_t nparts, const char *const *parts)
{
    ml_key k;
    ml_key_join(&k, sep, nparts, parts);
    char *s = ml_strndup(a, k.s, k.n);
    if (len)
        *len = k.n;
    ml_key_done(&k);
    return s;
}

char *ml_strdup(ml_arena *a, const char *s)
{
    return ml_strndup(a, s, strlen(s));
}

char *ml_vprintf(ml_arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        n = 0;
    char *p = str_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *ml_printf(ml_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ml_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- vector ------------------------------------------------------------ */

/* A vector grows by doubling into a new array, and the old one stays
 * behind in the arena (readers may hold it), except when the array is the
 * last thing the arena handed out and its block has room: then it grows in
 * place (the same pointer, so nothing held goes stale). At N = 10,000 that
 * is 9 of the 15 MB the old arrays took. */
void ml_vec_push(ml_arena *a, ml_vec *v, void *item)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 4;
        ml_arena_block *b = a->head;
        size_t old = v->cap * sizeof *v->items, add = (cap - v->cap) * sizeof *v->items;
        if (v->cap && b && (unsigned char *)v->items + old == b->data + b->used && b->cap - b->used >= add) {
            UNPOISON(b->data + b->used, add);
            b->used += add;
            a->total += add;
            v->cap = cap;
            v->items[v->n++] = item;
            return;
        }
        void **items = ml_alloc(a, cap * sizeof *items);
        if (v->n)
            memcpy(items, v->items, v->n * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = item;
}

void ml_vec_sort(ml_vec *v, int (*cmp)(const void *a, const void *b))
{
    if (v->n > 1)
        qsort(v->items, v->n, sizeof *v->items, cmp);
}

/* ---- hash map ---------------------------------------------------------- */

uint64_t ml_hash(const char *s, size_t n)
{
    /* FNV-1a, 64-bit, with a final avalanche so linear probing spreads. */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void ml_map_init(ml_map *m)
{
    m->slots = NULL;
    m->cap = m->n = 0;
}

void ml_map_free(ml_map *m)
{
    free(m->slots);
    ml_map_init(m);
}

static ml_map_slot *map_find(const ml_map *m, const char *key, size_t len, uint64_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        ml_map_slot *s = &m->slots[i];
        if (!s->key)
            return s;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static void map_grow(ml_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    ml_map_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        oom();
    for (size_t i = 0; i < m->cap; i++) {
        ml_map_slot *s = &m->slots[i];
        if (!s->key)
            continue;
        size_t j = s->hash & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void *ml_map_get(const ml_map *m, const char *key, size_t len)
{
    ml_map_slot *s = map_find(m, key, len, ml_hash(key, len));
    return s && s->key ? s->value : NULL;
}

void *ml_map_gets(const ml_map *m, const char *key)
{
    return key ? ml_map_get(m, key, strlen(key)) : NULL;
}

void **ml_map_slot_for(ml_map *m, const char *key, size_t len)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        map_grow(m);
    uint64_t h = ml_hash(key, len);
    ml_map_slot *s = map_find(m, key, len, h);
    if (!s->key) {
        /* An empty key still needs a non-NULL pointer to mark the slot used. */
        s->key = key ? key : "";
        s->len = len;
        s->hash = h;
        s->value = NULL;
        m->n++;
    }
    return &s->value;
}

void ml_map_put(ml_map *m, const char *key, size_t len, void *value)
{
    *ml_map_slot_for(m, key, len) = value;
}

/* Push item onto the ml_vec held in a slot, creating the vector. */
static void slot_push(ml_arena *a, void **slot, void *item)
{
    if (!*slot)
        *slot = ml_zalloc(a, sizeof(ml_vec));
    ml_vec_push(a, (ml_vec *)*slot, item);
}

void ml_map_push(ml_map *m, ml_arena *a, const char *key, size_t len, void *item)
{
    slot_push(a, ml_map_slot_for(m, key, len), item);
}

const ml_vec *ml_map_vec(const ml_map *m, const char *key, size_t len)
{
    return ml_map_get(m, key, len);
}

static const char *ptr_bytes(ml_arena *a, const void *p)
{
    char *k = ml_alloc(a, sizeof p);
    memcpy(k, &p, sizeof p);
    return k;
}

void *ml_map_get_ptr(const ml_map *m, const void *p)
{
    return ml_map_get(m, (const char *)&p, sizeof p);
}

void **ml_map_slot_ptr(ml_map *m, ml_arena *a, const void *p)
{
    /* look up with the stack copy; store an arena copy only when inserting */
    if (m->cap) {
        uint64_t h = ml_hash((const char *)&p, sizeof p);
        ml_map_slot *f = map_find(m, (const char *)&p, sizeof p, h);
        if (f && f->key)
            return &f->value;
    }
    return ml_map_slot_for(m, ptr_bytes(a, p), sizeof p);
}

void ml_map_put_ptr(ml_map *m, ml_arena *a, const void *p, void *value)
{
    *ml_map_slot_ptr(m, a, p) = value;
}

void ml_map_push_ptr(ml_map *m, ml_arena *a, const void *p, void *item)
{
    slot_push(a, ml_map_slot_ptr(m, a, p), item);
}

/* ---- string buffer ----------------------------------------------------- */

void ml_buf_init(ml_buf *b)
{
    b->s = NULL;
    b->n = b->cap = 0;
}

void ml_buf_free(ml_buf *b)
{
    free(b->s);
    ml_buf_init(b);
}

static void buf_reserve(ml_buf *b, size_t extra)
{
    if (b->n + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s)
        oom();
    b->s = s;
    b->cap = cap;
}

void ml_buf_add(ml_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void ml_buf_puts(ml_buf *b, const char *s)
{
    ml_buf_add(b, s, strlen(s));
}

void ml_buf_putc(ml_buf *b, char c)
{
    ml_buf_add(b, &c, 1);
}

void ml_buf_vprintf(ml_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
    b->n += (size_t)n;
}

void ml_buf_printf(ml_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ml_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ml_buf_reset(ml_buf *b)
{
    b->n = 0;
    if (b->s)
        b->s[0] = '\0';
}

/* ---- string helpers ---------------------------------------------------- */

bool ml_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool ml_starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ml_ends_with(const char *s, const char *suffix)
{
    if (!s)
        return false;
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

unsigned ml_edit_distance(const char *a, const char *b, unsigned max)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return max + 1;
    if ((n > m ? n - m : m - n) > max)
        return max + 1;
    unsigned prev[65], cur[65];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        unsigned best = cur[0];
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
        memcpy(prev, cur, (m + 1) * sizeof *prev);
    }
    return prev[m] > max ? max + 1 : prev[m];
}

bool ml_glob_match(const char *p, const char *s)
{
    /* Iterative matcher with one backtrack point per star kind, so a
     * pathological pattern cannot take exponential time. */
    const char *const p0 = p;
    const char *star_p = NULL, *star_s = NULL;
    bool star_deep = false;
    while (*s) {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/')
                p++;
            star_p = p;
            star_s = s;
            star_deep = true;
            continue;
        }
        if (*p == '*') {
            p++;
            star_p = p;
            star_s = s;
            star_deep = false;
            continue;
        }
        if (*p == '?' ? *s != '/' : *p == *s) {
            p++;
            s++;
            continue;
        }
        if (star_p && (star_deep || *star_s != '/')) {
            p = star_p;
            s = ++star_s;
            continue;
        }
        return false;
    }
    while (*p == '*' || (*p == '/' && p > p0 && p[-1] == '*'))
        p++;
    return *p == '\0';
}
