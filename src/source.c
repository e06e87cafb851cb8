/*
 * source.c - line index and position arithmetic over whole input files.
 *
 * Columns count code points, so a UTF-8 continuation byte does not advance
 * the column. This matches libyaml's marks and SARIF "unicodeCodePoints".
 */
#include "meshlint/source.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void build_index(ml_file *f)
{
    if (f->line_off)
        return;
    /* two passes with memchr (count, then fill): a byte-at-a-time loop was
     * most of the index's cost on large inputs */
    const char *d = f->data, *end = f->len ? d + f->len : d, *p;
    uint32_t n = 1;
    for (p = d; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    f->line_off = malloc((size_t)(n + 1) * sizeof *f->line_off);
    if (!f->line_off)
        abort();
    uint32_t k = 0;
    f->line_off[k++] = 0;
    for (p = d; p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
        f->line_off[k++] = (uint32_t)(p - d + 1);
    f->line_off[k] = (uint32_t)f->len + 1;
    f->nlines = n;
}

const char *ml_file_line(ml_file *f, uint32_t line, size_t *len)
{
    build_index(f);
    if (line < 1 || line > f->nlines)
        return NULL;
    uint32_t s = f->line_off[line - 1];
    uint32_t e = line < f->nlines ? f->line_off[line] - 1 : (uint32_t)f->len;
    if (e > s && f->data[e - 1] == '\r')
        e--;
    *len = e - s;
    return f->data + s;
}

void ml_file_pos(ml_file *f, uint32_t off, uint32_t *line, uint32_t *col)
{
    build_index(f);
    if (off > f->len)
        off = (uint32_t)f->len;
    /* binary search for the last line start <= off */
    uint32_t lo = 0, hi = f->nlines - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (f->line_off[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    uint32_t c = 1;
    uint32_t start = f->line_off[lo];
    /* a UTF-8 byte-order mark is not a character of the first line */
    if (lo == 0 && f->len >= 3 && !memcmp(f->data, "\xEF\xBB\xBF", 3) && off >= 3)
        start = 3;
    for (uint32_t i = start; i < off; i++)
        if (((unsigned char)f->data[i] & 0xC0) != 0x80)
            c++;
    *line = lo + 1;
    *col = c;
}

ml_loc ml_loc_from_offsets(ml_file *f, uint32_t off, uint32_t end_off)
{
    ml_loc l;
    memset(&l, 0, sizeof l);
    l.file = f;
    l.off = off;
    l.end_off = end_off;
    ml_file_pos(f, off, &l.line, &l.col);
    ml_file_pos(f, end_off, &l.end_line, &l.end_col);
    return l;
}

uint32_t ml_loc_byte_col(const ml_loc *l)
{
    const ml_file *f = l->file;
    if (!f || l->col == 0 || l->off > f->len)
        return l->col;
    uint32_t start = l->off;
    while (start > 0 && f->data[start - 1] != '\n')
        start--;
    /* a UTF-8 byte-order mark is not part of the first line (Vim drops it) */
    if (start == 0 && f->len >= 3 && !memcmp(f->data, "\xEF\xBB\xBF", 3) && l->off >= 3)
        start = 3;
    /* the offset must be the same place as the column (some locations carry
     * a line and column only): count code points to check */
    uint32_t c = 1;
    for (uint32_t i = start; i < l->off; i++)
        if (((unsigned char)f->data[i] & 0xC0) != 0x80)
            c++;
    return c == l->col ? l->off - start + 1 : l->col;
}

void ml_file_index(ml_file *f)
{
    build_index(f);
}

/* ---- the file table -------------------------------------------------------
 * Ids 1..ML_FILE_MAX_IDS in chunks of 2^12 slots; a chunk is allocated under
 * the lock when the first id in it is handed out and never moves or goes
 * away, so a reader needs no lock (the id it holds was published to it with
 * the node, after the slot was written). Released ids are reused, the most
 * recently released first. */
#define FT_CHUNK_BITS 12
#define FT_CHUNK (1u << FT_CHUNK_BITS)
static const ml_file **ft_chunks[(ML_FILE_MAX_IDS >> FT_CHUNK_BITS) + 1];
static uint32_t ft_next = 1; /* next never used id */
static uint32_t *ft_free;    /* released ids */
static size_t ft_nfree, ft_capfree;
static pthread_mutex_t ft_mu = PTHREAD_MUTEX_INITIALIZER;

uint32_t ml_file_id(ml_file *f)
{
    if (!f)
        return 0;
    if (f->id)
        return f->id;
    build_index(f);
    uint32_t id = 0;
    pthread_mutex_lock(&ft_mu);
    if (ft_nfree) {
        id = ft_free[--ft_nfree];
    } else if (ft_next <= ML_FILE_MAX_IDS) {
        const ml_file ***c = &ft_chunks[ft_next >> FT_CHUNK_BITS];
        if (!*c) {
            *c = calloc(FT_CHUNK, sizeof **c);
            if (!*c)
                abort();
        }
        id = ft_next++;
    }
    if (id)
        ft_chunks[id >> FT_CHUNK_BITS][id & (FT_CHUNK - 1)] = f;
    pthread_mutex_unlock(&ft_mu);
    f->id = id;
    return id;
}

const ml_file *ml_file_by_id(uint32_t id)
{
    const ml_file **c = id && id <= ML_FILE_MAX_IDS ? ft_chunks[id >> FT_CHUNK_BITS] : NULL;
    return c ? c[id & (FT_CHUNK - 1)] : NULL;
}

void ml_file_release(ml_file *f)
{
    if (!f || !f->id)
        return;
    pthread_mutex_lock(&ft_mu);
    if (ml_file_by_id(f->id) == f) {
        ft_chunks[f->id >> FT_CHUNK_BITS][f->id & (FT_CHUNK - 1)] = NULL;
        if (ft_nfree == ft_capfree) {
            size_t cap = ft_capfree ? 2 * ft_capfree : 256;
            uint32_t *p = realloc(ft_free, cap * sizeof *p);
            if (!p)
                abort();
            ft_free = p;
            ft_capfree = cap;
        }
        ft_free[ft_nfree++] = f->id;
    }
    pthread_mutex_unlock(&ft_mu);
    f->id = 0;
}
