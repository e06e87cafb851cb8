/*
 * yaml_load.c - libyaml events -> a node tree with positions.
 *
 * One pass over libyaml's event stream builds, per document, a tree of
 * ml_node in the caller's arena. Collections under construction live on a
 * small frame stack; their children go onto one reused scratch stack and are
 * copied into the arena with exact size when the collection ends, so nothing
 * is reallocated per node and nothing is freed one by one.
 *
 * Positions: libyaml's mark.index counts characters (after a UTF-8 BOM,
 * which it drops), not bytes, but fixes delete byte ranges. So a cursor
 * walks the buffer alongside the parser and turns each mark into a byte
 * offset; the same walk counts lines and code-point columns exactly as
 * source.c does, so every loc equals ml_loc_from_offsets() of its offsets. Marks arrive in (almost always)
 * increasing order, so the walk is linear; checkpoints every few kilobytes
 * keep the rare backward step cheap. Up to the first non-ASCII byte or lone
 * CR the marks need no conversion at all, which covers most manifests.
 *
 * Children are stored inline (yaml.h): the scratch stack holds the nodes
 * themselves, and a collection's end copies them into one array of its own.
 * An alias is a copy of the anchored node's header (the tree's arrays form a
 * DAG; an anchor keeps a copy of its node's header). Each anchor
 * remembers the size of its subtree, counting what aliases inside it expand
 * to, and every alias use adds that size to a total for the whole file (not
 * per document: many documents, each under the bound, would otherwise cost
 * documents x bound); a "billion laughs" input hits
 * ML_YAML_MAX_ALIAS_EXPANSION after a handful of events. An anchor becomes usable only once its node is complete, so an
 * alias can never point at one of its own ancestors.
 *
 * Merge keys (<<) are resolved when their mapping ends: explicit keys win,
 * then earlier merge sources, and the << pair itself is dropped.
 *
 * Short scalars are interned: a string the tree reads is never written after
 * loading, so equal keys and values (apiVersion, kind, metadata, name, a
 * service's name in each of its documents) share one copy in the arena. The
 * table (ml_yaml_strings) lives as long as its caller wants: the engine keeps
 * one per loading thread for the whole load, ml_yaml_load one per file.
 */
#include "meshlint/yaml.h"

#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CHECKPOINT_EVERY 4096
#define INTERN_MAX_LEN 64          /* longer scalars are rarely repeated: copy them */
#define INTERN_MAX_ENTRIES (1u << 18) /* a full table stops taking strings (8 MiB of slots) */
#define INTERN_MAX_PROBE 32        /* a longer probe copies the string: colliding input stays linear */
#define INTERN_FRONT 1024          /* recently used strings, checked before the table */
#define SIZE_CAP ((uint64_t)1 << 40) /* saturation point for subtree sizes */

typedef struct pos {
    uint32_t off, line, col;
} pos;

/* A position both as libyaml counts it (characters) and as we do. */
typedef struct cursor {
    size_t ch;
    pos p;
} cursor;

typedef struct anchor_rec {
    ml_node node;  /* a copy of the anchored node's header (its children are shared) */
    bool done;     /* false while the anchored collection is still open */
    uint64_t size; /* nodes in the subtree, aliases expanded */
} anchor_rec;

typedef struct frame {
    pos start, last_end;
    unsigned tag; /* ml_node_tag */
    anchor_rec *anchor;
    size_t base; /* first child on the scratch stack */
    uint64_t size;
    bool is_map;
} frame;

typedef struct intern_slot {
    const char *s; /* NULL: free */
    uint32_t len, hash;
} intern_slot;

struct ml_yaml_strings {
    ml_arena *a;         /* where its strings are */
    intern_slot *slots;  /* malloc'd; cap a power of two, at most half full */
    size_t cap, n;
    /* the last string found or added under each of 1024 hashes: the keys
     * and common values of a manifest are found here, in 16 KiB that stay
     * in cache, instead of in a table of megabytes on a large input */
    intern_slot front[INTERN_FRONT];
};

typedef struct loader {
    ml_arena *a;
    ml_yaml_strings *strs; /* the strings interned so far (ml_yaml_strings) */
    ml_file *f;
    uint32_t fid; /* ml_file_id(f) */
    ml_yaml_result *out;
    yaml_parser_t parser;

    cursor cur;
    cursor *cps; /* checkpoints, increasing */
    size_t ncps, capcps;
    size_t next_cp; /* byte offset at which to record the next checkpoint */
    size_t plain;   /* marks below this index need no conversion */

    frame *frames; /* ML_YAML_MAX_DEPTH of them */
    size_t depth;
    ml_node *scratch; /* the children of the open collections, in order */
    size_t nscratch, capscratch;

    ml_map anchors; /* name -> anchor_rec*, reset per document */
    uint64_t expanded; /* alias expansion in the file so far */

    ml_doc *doc; /* the document being built */
    unsigned ndocs;
    bool failed;
} loader;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fputs("meshlint: out of memory\n", stderr);
        abort();
    }
    return q;
}

/* ---- positions --------------------------------------------------------- */

static void cursor_checkpoint(loader *l)
{
    if (l->ncps == l->capcps) {
        l->capcps = l->capcps ? l->capcps * 2 : 64;
        l->cps = xrealloc(l->cps, l->capcps * sizeof *l->cps);
    }
    l->cps[l->ncps++] = l->cur;
    l->next_cp = l->cur.p.off + CHECKPOINT_EVERY;
}

/* Length of the leading part of f where libyaml's marks are already what we
 * want: ASCII only and no lone CR (which libyaml counts as a line break and
 * source.c does not). Below it, index = byte offset and line/column agree. */
static size_t plain_prefix(const ml_file *f)
{
    const unsigned char *d = (const unsigned char *)f->data;
    size_t i = 0, len = f->len;
    for (;;) {
        while (i + 8 <= len) {
            uint64_t w, x;
            memcpy(&w, d + i, 8);
            x = w ^ 0x0D0D0D0D0D0D0D0DULL; /* a zero byte where there is a CR */
            if ((w | ((x - 0x0101010101010101ULL) & ~x)) & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            return len;
        if (d[i] >= 0x80 || (d[i] == '\r' && (i + 1 >= len || d[i + 1] != '\n')))
            return i;
        i++;
    }
}

/* Move the cursor to character index ch, counting as source.c does. */
static pos walk_to(loader *l, size_t ch)
{
    if (ch < l->cur.ch) {
        /* Backward: restart from the last checkpoint at or before ch. */
        size_t lo = 0, hi = l->ncps;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (l->cps[mid].ch <= ch)
                lo = mid;
            else
                hi = mid;
        }
        l->cur = l->cps[lo];
    }
    const unsigned char *d = (const unsigned char *)l->f->data;
    size_t len = l->f->len;
    size_t b = l->cur.p.off;
    uint32_t line = l->cur.p.line, col = l->cur.p.col;
    size_t c = l->cur.ch;
    while (c < ch && b < len) {
        /* A run of ASCII: one byte per character. */
        size_t stop = b + (ch - c) < len ? b + (ch - c) : len;
        size_t run = b, nl = SIZE_MAX;
        for (;;) {
            /* Eight bytes at a time while there is no newline and no
             * non-ASCII byte among them. */
            while (b + 8 <= stop) {
                uint64_t w, x;
                memcpy(&w, d + b, 8);
                x = w ^ 0x0A0A0A0A0A0A0A0AULL;
                if ((w | ((x - 0x0101010101010101ULL) & ~x)) & 0x8080808080808080ULL)
                    break;
                b += 8;
            }
            if (b >= stop || d[b] >= 0x80)
                break;
            if (d[b] == '\n') {
                line++;
                nl = b;
            }
            b++;
        }
        c += b - run;
        col = nl != SIZE_MAX ? (uint32_t)(b - nl) : col + (uint32_t)(b - run);
        if (c < ch && b < len && d[b] >= 0x80) {
            /* One multi-byte character (libyaml has validated the UTF-8). */
            b++;
            while (b < len && (d[b] & 0xC0) == 0x80)
                b++;
            c++;
            col++;
        }
        if (b >= l->next_cp) {
            l->cur = (cursor){c, {(uint32_t)b, line, col}};
            cursor_checkpoint(l);
        }
    }
    l->cur = (cursor){c, {(uint32_t)b, line, col}};
    return l->cur.p;
}

/* The position of a libyaml mark. */
static inline pos mark_pos(loader *l, const yaml_mark_t *m)
{
    if (m->index < l->plain) {
        pos p = {(uint32_t)m->index, (uint32_t)m->line + 1, (uint32_t)m->column + 1};
        return p;
    }
    return walk_to(l, m->index);
}

static ml_loc make_loc(const loader *l, pos s, pos e)
{
    ml_loc loc;
    loc.file = l->f;
    loc.line = s.line;
    loc.col = s.col;
    loc.off = s.off;
    if (e.off < s.off)
        e = s;
    loc.end_line = e.line;
    loc.end_col = e.col;
    loc.end_off = e.off;
    return loc;
}

/* A node keeps its file's id and its offsets; line and column are computed
 * when asked (ml_node_loc) and equal make_loc's. */
static inline void set_pos(const loader *l, ml_node *n, pos s, pos e)
{
    n->file = l->fid;
    n->off = s.off;
    n->end_off = e.off < s.off ? s.off : e.off;
}

/* ---- errors ------------------------------------------------------------ */

static void error_at(loader *l, ml_loc loc, const char *msg)
{
    ml_yaml_error *e = ml_alloc(l->a, sizeof *e);
    e->loc = loc;
    e->message = msg;
    ml_vec_push(l->a, &l->out->errors, e);
    l->failed = true;
}

static void error_pos(loader *l, pos p, const char *msg)
{
    error_at(l, make_loc(l, p, p), msg);
}

static void libyaml_error(loader *l)
{
    yaml_parser_t *p = &l->parser;
    const char *problem = p->problem ? p->problem : "cannot parse YAML";
    if (p->error == YAML_MEMORY_ERROR) {
        error_pos(l, l->cur.p, "libyaml ran out of memory");
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset into the raw input. */
        uint32_t off = p->problem_offset < l->f->len ? (uint32_t)p->problem_offset : (uint32_t)l->f->len;
        const char *msg = p->problem_value >= 0
                              ? ml_printf(l->a, "%s (#x%02X)", problem, (unsigned)p->problem_value)
                              : ml_strdup(l->a, problem);
        error_at(l, ml_loc_from_offsets(l->f, off, off), msg);
        return;
    }
    const char *msg = p->context ? ml_printf(l->a, "%s: %s", p->context, problem) : ml_strdup(l->a, problem);
    error_pos(l, mark_pos(l, &p->problem_mark), msg);
}

/* ---- tree building ----------------------------------------------------- */

static uint64_t add_size(uint64_t a, uint64_t b)
{
    return a + b > SIZE_CAP ? SIZE_CAP : a + b;
}

static void scratch_push(loader *l, const ml_node *n)
{
    if (l->nscratch == l->capscratch) {
        l->capscratch = l->capscratch ? l->capscratch * 2 : 256;
        l->scratch = xrealloc(l->scratch, l->capscratch * sizeof *l->scratch);
    }
    l->scratch[l->nscratch++] = *n;
}

/* Attach a finished node (or an alias target) to whatever is open: a copy
 * of it goes onto the scratch stack (or into the arena, for a document's
 * root). `end` is where this occurrence ends, which for an alias is not the
 * node's own end. */
static void attach(loader *l, const ml_node *n, uint64_t size, pos end)
{
    if (!l->depth) {
        if (l->doc) {
            ml_node *r = ml_alloc_aligned(l->a, sizeof *r, _Alignof(ml_node));
            *r = *n;
            l->doc->root = r;
        }
        return;
    }
    frame *fr = &l->frames[l->depth - 1];
    scratch_push(l, n);
    fr->size = add_size(fr->size, size);
    fr->last_end = end;
}

/* ---- interned strings ------------------------------------------------- */

ml_yaml_strings *ml_yaml_strings_new(ml_arena *a)
{
    ml_yaml_strings *t = xrealloc(NULL, sizeof *t);
    memset(t->front, 0, sizeof t->front);
    t->a = a;
    t->cap = 256;
    t->n = 0;
    t->slots = xrealloc(NULL, t->cap * sizeof *t->slots);
    memset(t->slots, 0, t->cap * sizeof *t->slots);
    return t;
}

void ml_yaml_strings_free(ml_yaml_strings *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t);
}

/* A 32-bit hash of a short string, eight bytes at a time. */
static uint32_t str_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    if (n) {
        w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    }
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static void intern_grow(ml_yaml_strings *t)
{
    size_t cap = t->cap * 2;
    intern_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return; /* stays as it is: strings beyond it are copied */
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].s)
            continue;
        size_t j = t->slots[i].hash & (cap - 1);
        while (slots[j].s)
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
}

/* The scalar's string: the table's copy of an equal string, else a new copy
 * in the arena (which the table remembers while it has room). */
static const char *scalar_str(loader *l, const char *s, size_t len)
{
    ml_yaml_strings *t = l->strs;
    if (len > INTERN_MAX_LEN)
        return ml_strndup(l->a, s, len);
    uint32_t h = str_hash(s, len);
    intern_slot *fc = &t->front[h & (INTERN_FRONT - 1)];
    if (fc->s && fc->hash == h && fc->len == len && memcmp(fc->s, s, len) == 0)
        return fc->s;
    size_t mask = t->cap - 1, i = h & mask;
    for (unsigned probe = 0; probe < INTERN_MAX_PROBE; probe++, i = (i + 1) & mask) {
        intern_slot *sl = &t->slots[i];
        if (!sl->s) {
            const char *c = ml_strndup(l->a, s, len);
            if (t->n < INTERN_MAX_ENTRIES) {
                sl->s = c;
                sl->len = (uint32_t)len;
                sl->hash = h;
                *fc = *sl;
                if (++t->n * 2 > t->cap)
                    intern_grow(t);
            }
            return c;
        }
        if (sl->hash == h && sl->len == len && memcmp(sl->s, s, len) == 0) {
            *fc = *sl;
            return sl->s;
        }
    }
    return ml_strndup(l->a, s, len);
}

/* What the accessors need of an explicit tag: whether it makes a plain
 * scalar a string. The tag's text is not kept. */
static unsigned tag_kind(const yaml_char_t *s)
{
    if (!s)
        return ML_TAG_NONE;
    if (strcmp((const char *)s, "tag:yaml.org,2002:str") == 0 || strcmp((const char *)s, "!") == 0)
        return ML_TAG_STR;
    return ML_TAG_OTHER;
}

static anchor_rec *define_anchor(loader *l, const yaml_char_t *name)
{
    if (!name)
        return NULL;
    const char *k = ml_strdup(l->a, (const char *)name);
    anchor_rec *r = ml_zalloc(l->a, sizeof *r);
    ml_map_put(&l->anchors, k, strlen(k), r);
    return r;
}

static void on_scalar(loader *l, const yaml_event_t *ev, pos s, pos e)
{
    if (ev->data.scalar.length >= UINT32_MAX) {
        error_at(l, make_loc(l, s, e), "scalar of 4 GiB or more");
        return;
    }
    ml_node node, *n = &node;
    memset(n, 0, sizeof *n);
    n->type = ML_NODE_SCALAR;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = ML_SCALAR_QUOTED;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = ML_SCALAR_BLOCK;
        break;
    default:
        n->style = ML_SCALAR_PLAIN;
        break;
    }
    set_pos(l, n, s, e);
    n->tag = tag_kind(ev->data.scalar.tag);
    n->len_ = (uint32_t)ev->data.scalar.length;
    n->str_ = ml_node_len(n) ? scalar_str(l, (const char *)ev->data.scalar.value, ml_node_len(n)) : "";
    anchor_rec *r = define_anchor(l, ev->data.scalar.anchor);
    if (r) {
        r->node = *n;
        r->done = true;
        r->size = 1;
    }
    attach(l, n, 1, e);
}

static void on_alias(loader *l, const yaml_event_t *ev, pos s, pos e)
{
    const char *name = (const char *)ev->data.alias.anchor;
    anchor_rec *r = ml_map_gets(&l->anchors, name);
    if (!r) {
        error_at(l, make_loc(l, s, e), ml_printf(l->a, "unknown alias *%s", name));
        return;
    }
    if (!r->done) {
        error_at(l, make_loc(l, s, e),
                 ml_printf(l->a, "alias *%s refers to a node that contains it (recursive structure)", name));
        return;
    }
    l->expanded = add_size(l->expanded, r->size);
    if (l->expanded > ML_YAML_MAX_ALIAS_EXPANSION) {
        error_at(l, make_loc(l, s, e),
                 ml_printf(l->a, "alias expansion exceeds %d nodes in this file (possible billion-laughs input)",
                           ML_YAML_MAX_ALIAS_EXPANSION));
        return;
    }
    attach(l, &r->node, r->size, e);
}

static void on_start(loader *l, const yaml_event_t *ev, bool is_map, pos s, pos e)
{
    if (l->depth >= ML_YAML_MAX_DEPTH) {
        error_pos(l, s, ml_printf(l->a, "nesting deeper than %d levels", ML_YAML_MAX_DEPTH));
        return;
    }
    frame *fr = &l->frames[l->depth++];
    fr->start = s;
    fr->last_end = e;
    fr->base = l->nscratch;
    fr->size = 1;
    fr->is_map = is_map;
    if (is_map) {
        fr->tag = tag_kind(ev->data.mapping_start.tag);
        fr->anchor = define_anchor(l, ev->data.mapping_start.anchor);
    } else {
        fr->tag = tag_kind(ev->data.sequence_start.tag);
        fr->anchor = define_anchor(l, ev->data.sequence_start.anchor);
    }
}

static bool is_merge_key(const ml_node *k)
{
    return k->type == ML_NODE_SCALAR && k->style == ML_SCALAR_PLAIN && k->tag == ML_TAG_NONE && ml_node_len(k) == 2 &&
           ml_node_str(k)[0] == '<' && ml_node_str(k)[1] == '<';
}

/* A << value that can be merged: a mapping or a sequence of mappings. */
static bool mergeable(const ml_node *v)
{
    if (v->type == ML_NODE_MAP)
        return true;
    if (v->type != ML_NODE_SEQ)
        return false;
    for (size_t i = 0; i < ml_node_n(v); i++)
        if (v->elems[i].type != ML_NODE_MAP)
            return false;
    return true;
}

#define EXPLICIT ((void *)1)

/* Merge source map src (the `srcno`-th source) into out[*n]. seen maps a key
 * to EXPLICIT or to 2 + its index in out; owner[i] is the source of out[i]. */
static void merge_from(const ml_node *src, unsigned srcno, ml_map *seen, ml_pair *out, unsigned *owner,
                       size_t *n)
{
    for (size_t i = 0; i < ml_node_n(src); i++) {
        const ml_pair *p = &src->kvs[i];
        if (p->key.type != ML_NODE_SCALAR) {
            owner[*n] = srcno;
            out[(*n)++] = *p;
            continue;
        }
        void **slot = ml_map_slot_for(seen, ml_node_str(&p->key), ml_node_len(&p->key));
        if (!*slot) {
            *slot = (void *)(uintptr_t)(*n + 2);
            owner[*n] = srcno;
            out[(*n)++] = *p;
        } else if (*slot != EXPLICIT) {
            size_t at = (uintptr_t)*slot - 2;
            if (owner[at] == srcno)
                out[at] = *p; /* a duplicate within one source: its last wins */
        }
    }
}

/* Build the pairs of a mapping whose pairs[0..np) contain mergeable << pairs.
 * Returns the number of pairs (the caller checks it against the limit). */
static size_t resolve_merges(loader *l, ml_node *m, const ml_pair *in, size_t np)
{
    size_t cap = 0;
    for (size_t i = 0; i < np; i++) {
        if (is_merge_key(&in[i].key) && mergeable(&in[i].value)) {
            const ml_node *v = &in[i].value;
            if (v->type == ML_NODE_MAP)
                cap += ml_node_n(v);
            else
                for (size_t j = 0; j < ml_node_n(v); j++)
                    cap += ml_node_n(&v->elems[j]);
        } else {
            cap++;
        }
    }
    ml_map seen;
    ml_map_init(&seen);
    for (size_t i = 0; i < np; i++)
        if (!(is_merge_key(&in[i].key) && mergeable(&in[i].value)) && in[i].key.type == ML_NODE_SCALAR)
            ml_map_put(&seen, ml_node_str(&in[i].key), ml_node_len(&in[i].key), EXPLICIT);
    ml_pair *out = ml_alloc(l->a, (cap ? cap : 1) * sizeof *out);
    unsigned *owner = xrealloc(NULL, (cap ? cap : 1) * sizeof *owner);
    size_t n = 0;
    unsigned srcno = 0;
    for (size_t i = 0; i < np; i++) {
        const ml_node *v = &in[i].value;
        if (!(is_merge_key(&in[i].key) && mergeable(v))) {
            owner[n] = 0;
            out[n++] = in[i];
        } else if (v->type == ML_NODE_MAP) {
            merge_from(v, ++srcno, &seen, out, owner, &n);
        } else {
            for (size_t j = 0; j < ml_node_n(v); j++)
                merge_from(&v->elems[j], ++srcno, &seen, out, owner, &n);
        }
    }
    free(owner);
    ml_map_free(&seen);
    m->kvs = out;
    return n;
}

static void on_end(loader *l, pos s, pos e)
{
    frame *fr = &l->frames[--l->depth];
    ml_node node, *n = &node;
    memset(n, 0, sizeof *n);
    n->type = fr->is_map ? ML_NODE_MAP : ML_NODE_SEQ;
    n->tag = fr->tag;
    /* A closing bracket ends a flow collection. Otherwise the end event is
     * empty and sits at the next token, past comments and the next line's
     * indentation (or past a space before ','): end at the last child. */
    pos end = e.off > s.off ? e : fr->last_end;
    set_pos(l, n, fr->start, end);
    size_t nk = l->nscratch - fr->base;
    const ml_node *kids = nk ? l->scratch + fr->base : NULL;
    size_t count = fr->is_map ? nk / 2 : nk;
    if (count > ML_YAML_MAX_CHILDREN) {
        error_at(l, make_loc(l, fr->start, end),
                 ml_printf(l->a, "a collection of more than %u entries", (unsigned)ML_YAML_MAX_CHILDREN));
        return;
    }
    if (fr->is_map) {
        size_t np = nk / 2;
        bool merges = false;
        ml_pair *pairs = ml_alloc(l->a, (np ? np : 1) * sizeof *pairs);
        for (size_t i = 0; i < np; i++) {
            pairs[i].key = kids[2 * i];
            pairs[i].value = kids[2 * i + 1];
            if (is_merge_key(&pairs[i].key) && mergeable(&pairs[i].value))
                merges = true;
        }
        n->kvs = pairs;
        if (merges)
            np = resolve_merges(l, n, pairs, np);
        if (np > ML_YAML_MAX_CHILDREN) {
            error_at(l, make_loc(l, fr->start, end),
                     ml_printf(l->a, "a collection of more than %u entries after merging <<",
                               (unsigned)ML_YAML_MAX_CHILDREN));
            return;
        }
        n->n_ = (uint32_t)np;
    } else {
        n->elems = ml_alloc_aligned(l->a, (nk ? nk : 1) * sizeof *n->elems, _Alignof(ml_node));
        if (nk)
            memcpy(n->elems, kids, nk * sizeof *kids);
        n->n_ = (uint32_t)nk;
    }
    l->nscratch = fr->base;
    if (fr->anchor) {
        fr->anchor->node = *n;
        fr->anchor->done = true;
        fr->anchor->size = fr->size;
    }
    attach(l, n, fr->size, end);
}

static void on_doc_start(loader *l, pos s)
{
    l->doc = ml_zalloc(l->a, sizeof *l->doc);
    l->doc->file = l->f;
    l->doc->index = l->ndocs++;
    l->doc->start_line = s.line;
    l->depth = 0;
    l->nscratch = 0;
    ml_map_free(&l->anchors);
}

static void on_doc_end(loader *l, pos e, uint32_t start_off)
{
    ml_doc *d = l->doc;
    if (!d)
        return;
    /* An implicit end sits at the start of the next line: the document
     * ended on the line before. */
    uint32_t end_line = e.line;
    if (e.off > start_off && l->f->data[e.off - 1] == '\n' && end_line > 1)
        end_line--;
    d->end_line = end_line < d->start_line ? d->start_line : end_line;
    /* libyaml reports an explicit document without content as an empty
     * plain scalar. */
    ml_node *r = d->root;
    if (r && r->type == ML_NODE_SCALAR && r->style == ML_SCALAR_PLAIN && r->tag == ML_TAG_NONE && ml_node_len(r) == 0)
        d->root = NULL;
    ml_vec_push(l->a, &l->out->docs, d);
    l->doc = NULL;
}

/* A BOM for an encoding other than UTF-8: name it, or NULL. */
static const char *foreign_bom(const ml_file *f)
{
    const unsigned char *d = (const unsigned char *)f->data;
    if (f->len >= 4 && ((d[0] == 0 && d[1] == 0 && d[2] == 0xFE && d[3] == 0xFF) ||
                        (d[0] == 0xFF && d[1] == 0xFE && d[2] == 0 && d[3] == 0)))
        return "UTF-32";
    if (f->len >= 2 && ((d[0] == 0xFE && d[1] == 0xFF) || (d[0] == 0xFF && d[1] == 0xFE)))
        return "UTF-16";
    return NULL;
}

void ml_yaml_load_shared(ml_arena *a, ml_yaml_strings *strs, ml_file *f, ml_yaml_result *out)
{
    loader l;
    memset(&l, 0, sizeof l);
    l.a = a;
    l.f = f;
    l.out = out;
    l.cur.p.line = l.cur.p.col = 1;

    const char *enc = foreign_bom(f);
    if (enc) {
        error_at(&l, ml_loc_from_offsets(f, 0, 0), ml_printf(a, "file is %s; meshlint reads UTF-8 only", enc));
        return;
    }
    if (f->len >= UINT32_MAX) {
        error_at(&l, ml_loc_from_offsets(f, 0, 0), "file too large (4 GiB or more)");
        return;
    }
    if (f->len >= 3 && memcmp(f->data, "\xEF\xBB\xBF", 3) == 0) {
        /* libyaml drops a UTF-8 BOM before it starts counting characters,
         * and source.c does not count it as a column either. */
        l.cur.p.off = 3;
        l.cur.p.col = 1;
    }
    /* the file's id for its nodes; this also builds its line index here, on
     * the thread that owns the file, so that positions computed later only
     * read it */
    l.fid = ml_file_id(f);
    if (!l.fid) {
        error_at(&l, ml_loc_from_offsets(f, 0, 0),
                 ml_printf(a, "more than %u files in one run; not parsed", (unsigned)ML_FILE_MAX_IDS));
        return;
    }
    if (!yaml_parser_initialize(&l.parser)) {
        error_at(&l, ml_loc_from_offsets(f, 0, 0), "libyaml ran out of memory");
        return;
    }
    yaml_parser_set_input_string(&l.parser, (const unsigned char *)f->data, f->len);
    /* without a table, or with one whose strings are in another arena (it
     * would hand out strings that arena owns), the file gets its own */
    ml_yaml_strings *own = strs && strs->a == a ? NULL : ml_yaml_strings_new(a);
    l.strs = own ? own : strs;
    l.frames = xrealloc(NULL, ML_YAML_MAX_DEPTH * sizeof *l.frames);
    ml_map_init(&l.anchors);
    cursor_checkpoint(&l);
    l.plain = plain_prefix(f);

    uint32_t doc_start_off = 0;
    bool done = false;
    while (!done && !l.failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&l.parser, &ev)) {
            libyaml_error(&l);
            break;
        }
        pos s = mark_pos(&l, &ev.start_mark);
        pos e = mark_pos(&l, &ev.end_mark);
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            on_doc_start(&l, s);
            doc_start_off = s.off;
            break;
        case YAML_DOCUMENT_END_EVENT:
            on_doc_end(&l, e, doc_start_off);
            break;
        case YAML_SCALAR_EVENT:
            on_scalar(&l, &ev, s, e);
            break;
        case YAML_ALIAS_EVENT:
            on_alias(&l, &ev, s, e);
            break;
        case YAML_SEQUENCE_START_EVENT:
            on_start(&l, &ev, false, s, e);
            break;
        case YAML_MAPPING_START_EVENT:
            on_start(&l, &ev, true, s, e);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            on_end(&l, s, e);
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }

    yaml_parser_delete(&l.parser);
    ml_map_free(&l.anchors);
    free(l.frames);
    free(l.scratch);
    free(l.cps);
    ml_yaml_strings_free(own);
}

void ml_yaml_load(ml_arena *a, ml_file *f, ml_yaml_result *out)
{
    ml_yaml_load_shared(a, NULL, f, out);
}

/* ---- accessors --------------------------------------------------------- */

ml_loc ml_node_loc(const ml_node *n)
{
    const ml_file *f = ml_node_file(n);
    if (!f) {
        ml_loc l;
        memset(&l, 0, sizeof l);
        return l;
    }
    /* the line index was built when the file got its id (ml_file_id), so
     * this only reads f */
    return ml_loc_from_offsets((ml_file *)f, n->off, n->end_off);
}

void ml_node_set_loc(ml_node *n, ml_loc loc)
{
    n->file = loc.file ? ml_file_id((ml_file *)loc.file) : 0;
    n->off = loc.off;
    n->end_off = loc.end_off;
}

static bool key_is(const ml_node *k, const char *key, size_t len)
{
    /* the first byte before memcmp: most keys of a mapping differ there */
    return k && k->type == ML_NODE_SCALAR && ml_node_len(k) == len && (len == 0 || ml_node_str(k)[0] == key[0]) &&
           memcmp(ml_node_str(k), key, len) == 0;
}

static const ml_pair *get_pair(const ml_node *m, const char *key, size_t len)
{
    if (!m || m->type != ML_NODE_MAP || !key)
        return NULL;
    /* The last occurrence of a duplicated key wins, as with kubectl. */
    for (size_t i = ml_node_n(m); i-- > 0;)
        if (key_is(&m->kvs[i].key, key, len))
            return &m->kvs[i];
    return NULL;
}

const ml_pair *ml_get_pair_n(const ml_node *m, const char *key, size_t len)
{
    return get_pair(m, key, len);
}

/* The out-of-line versions (yaml.h maps the names to inline functions). */
#undef ml_get_pair
#undef ml_get
const ml_pair *ml_get_pair(const ml_node *m, const char *key)
{
    return key ? get_pair(m, key, strlen(key)) : NULL;
}

ml_node *ml_get(const ml_node *m, const char *key)
{
    const ml_pair *p = ml_get_pair(m, key);
    return p ? (ml_node *)&p->value : NULL;
}

/* Segments are keys; on a sequence a segment of digits is an index. */
ml_node *ml_path(const ml_node *m, const char *dotted)
{
    if (!m || !dotted)
        return NULL;
    const ml_node *n = m;
    const char *s = dotted;
    while (n && *s) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        if (n->type == ML_NODE_SEQ) {
            size_t idx = 0, i = 0;
            for (; i < len && s[i] >= '0' && s[i] <= '9' && i < 10; i++)
                idx = idx * 10 + (size_t)(s[i] - '0');
            n = (len && i == len && idx < ml_node_n(n)) ? &n->elems[idx] : NULL;
        } else {
            const ml_pair *p = get_pair(n, s, len);
            n = p ? &p->value : NULL;
        }
        if (!dot)
            break;
        s = dot + 1;
    }
    return (ml_node *)n;
}

const char *ml_str(const ml_node *n)
{
    return n && n->type == ML_NODE_SCALAR ? ml_node_str(n) : NULL;
}

bool ml_is_map(const ml_node *n)
{
    return n && n->type == ML_NODE_MAP;
}

bool ml_is_seq(const ml_node *n)
{
    return n && n->type == ML_NODE_SEQ;
}

bool ml_is_scalar(const ml_node *n)
{
    return n && n->type == ML_NODE_SCALAR;
}

/* A plain scalar whose type the YAML core schema resolves from its text
 * (an explicit !!str or ! tag makes it a string). */
static bool plain_untyped(const ml_node *n)
{
    return n && n->type == ML_NODE_SCALAR && n->style == ML_SCALAR_PLAIN && n->tag != ML_TAG_STR;
}

/* A missing node (NULL) is not a null scalar. */
bool ml_is_null(const ml_node *n)
{
    if (!plain_untyped(n))
        return false;
    /* by length first: this runs for nearly every value a rule reads (a
     * plain scalar holds no NUL byte, so len is its strlen) */
    const char *s = ml_node_str(n);
    switch (ml_node_len(n)) {
    case 0:
        return true;
    case 1:
        return s[0] == '~';
    case 4:
        return memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0;
    default:
        return false;
    }
}

const char *ml_str_nonnull(const ml_node *n)
{
    return ml_is_scalar(n) && !ml_is_null(n) ? ml_node_str(n) : NULL;
}

bool ml_int(const ml_node *n, long long *out)
{
    if (!n || n->type != ML_NODE_SCALAR || n->style == ML_SCALAR_BLOCK)
        return false;
    const char *s = ml_node_str(n);
    size_t len = ml_node_len(n), i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t digits = len - i;
    if (digits == 0 || digits > 18)
        return false;
    long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (out)
        *out = neg ? -v : v;
    return true;
}

bool ml_bool(const ml_node *n, bool *out)
{
    if (!plain_untyped(n))
        return false;
    const char *s = ml_node_str(n);
    bool v;
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
        v = true;
    else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
        v = false;
    else
        return false;
    if (out)
        *out = v;
    return true;
}

bool ml_yaml_plain_safe(const char *v)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", NULL};
    if (!v || !isalpha((unsigned char)v[0]))
        return false;
    for (const char *c = v; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
            return false;
    for (size_t i = 0; words[i]; i++)
        if (strcasecmp(v, words[i]) == 0)
            return false;
    return true;
}

/* yaml.h documents the node's layout; keep it honest on LP64 targets. */
_Static_assert(sizeof(void *) != 8 || sizeof(ml_node) == 24, "ml_node is 24 bytes on LP64 (see yaml.h)");
_Static_assert(sizeof(ml_pair) == 2 * sizeof(ml_node), "ml_pair is two nodes, inline (see yaml.h)");
