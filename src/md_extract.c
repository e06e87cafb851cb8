/*
 * md_extract.c - fenced code blocks of Markdown documents (with --markdown).
 *
 * Documentation shows manifests and server code in ```yaml and ```ts blocks;
 * with --markdown they are linted like files. Positions must point into the
 * .md itself, so nothing is copied out: a TypeScript block is tokenized in
 * place (the tokenizer takes a byte range and the line it starts on), and a
 * YAML block is loaded from a copy of the document in which every byte
 * outside the block is a space (newlines kept), so that lines, columns and
 * byte offsets of the copy are those of the .md. Snippets rarely carry their
 * imports, so in Markdown Connectum's functions are recognised by name.
 */
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/ts_lex.h"
#include "meshlint/yaml.h"

#include <string.h>

/* Total bytes of blanked copies one .md may cost, so that a document with
 * very many blocks stays linear. A YAML block past it is not checked, and
 * says so (an error at the block: never a silent skip). */
#define MD_COPY_BUDGET (64u << 20)

typedef enum block_lang { LANG_OTHER, LANG_TS, LANG_YAML } block_lang;

static block_lang lang_of(const char *s, size_t n)
{
    static const char *const ts[] = {"ts", "typescript", "tsx", "js", "javascript", "jsx",
                                     "mjs", "cjs", "mts", "cts", NULL};
    static const char *const yaml[] = {"yaml", "yml", NULL};
    char w[16];
    size_t k = 0;
    while (k < n && k + 1 < sizeof w && s[k] != ' ' && s[k] != '\t' && s[k] != '{' && s[k] != ',') {
        char c = s[k];
        w[k] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        k++;
    }
    if (k == n || (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '{' || s[k] == ','))) {
        w[k] = '\0';
        for (int i = 0; ts[i]; i++)
            if (strcmp(w, ts[i]) == 0)
                return LANG_TS;
        for (int i = 0; yaml[i]; i++)
            if (strcmp(w, yaml[i]) == 0)
                return LANG_YAML;
    }
    return LANG_OTHER;
}

typedef struct block {
    block_lang lang;
    uint32_t start, end; /* content bytes [start, end) */
    uint32_t line;       /* line of the first content byte */
    uint32_t quote;      /* '>' markers before the fence: the block is in a quote */
} block;

static void ts_block(ml_model *m, ml_file *f, const block *b, const char *pkg, const char *pkg_name,
                     ml_vec *servers, ml_vec *facts)
{
    /* the evaluator's memory lasts for this block only: what the servers
     * and facts keep is copied into the model's arena (ml_ts_extract_unit) */
    ml_arena scratch;
    ml_arena_init(&scratch);
    ml_ts_unit u;
    if (!ml_ts_unit_init(&u, &scratch, f, f->data, b->start, b->end, b->line, 1)) {
        ml_arena_free(&scratch);
        return;
    }
    u.markdown = true;
    ml_ts_extract_unit(m, &u, pkg, pkg_name, servers, facts);
    ml_ts_unit_free(&u);
    ml_arena_free(&scratch);
}

static void yaml_block(ml_model *m, ml_file *f, const block *b)
{
    char *copy = ml_alloc(m->arena, (size_t)b->end + 1);
    for (uint32_t i = 0; i < b->start; i++)
        copy[i] = f->data[i] == '\n' ? '\n' : ' ';
    memcpy(copy + b->start, f->data + b->start, b->end - b->start);
    copy[b->end] = '\0';
    if (b->quote) {
        /* a block inside a > quote: each line's markers are not YAML (they
         * become blanks, so columns stay those of the .md) */
        for (uint32_t i = b->start; i < b->end;) {
            uint32_t markers = 0;
            while (i < b->end && markers < b->quote && (copy[i] == ' ' || copy[i] == '\t' || copy[i] == '>')) {
                if (copy[i] == '>')
                    markers++;
                copy[i++] = ' ';
            }
            while (i < b->end && copy[i] != '\n')
                i++;
            i++;
        }
    }
    ml_file *view = ml_zalloc(m->arena, sizeof *view);
    view->path = f->path;
    view->data = copy;
    view->len = b->end;
    view->type = ML_FILE_YAML;
    view->report = f->report;
    view->index = f->index;
    /* The view's newlines are the document's, so it shares the document's
     * line index instead of building its own: only the files in m->files
     * have their index released, and a view's would leak. */
    size_t len;
    (void)ml_file_line(f, 1, &len);
    view->line_off = f->line_off;
    view->nlines = f->nlines;
    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(m->arena, view, &res);
    /* Every position is computed. From now on the view shows the document's
     * own bytes (the same ones at the same offsets inside the block), so
     * source lines, fingerprints and fixes quote the .md as written. */
    view->data = f->data;
    view->len = f->len;
    ML_VEC_EACH(ml_doc *, doc, &res.docs) {
        ml_vec_push(m->arena, &m->docs, doc);
        ml_model_add_doc(m, doc);
    }
    ML_VEC_EACH(ml_yaml_error *, e, &res.errors) {
        ml_vec_push(m->arena, &m->yaml_errors, e);
    }
}

/* A YAML block the copy budget leaves unchecked: an error at its first
 * line, so that what is not linted is never mistaken for clean. */
static void over_budget(ml_model *m, ml_file *f, const block *b)
{
    uint32_t eol = b->start;
    while (eol < b->end && f->data[eol] != '\n' && f->data[eol] != '\r')
        eol++;
    ml_yaml_error *e = ml_zalloc(m->arena, sizeof *e);
    e->loc = ml_loc_from_offsets(f, b->start, eol);
    e->message = "YAML block not checked: the YAML blocks of this Markdown document exceed meshlint's "
                 "budget (64 MiB of blanked copies, counted as each block's end offset)";
    ml_vec_push(m->arena, &m->yaml_errors, e);
}

void ml_md_extract(ml_model *m, ml_file *f)
{
    if (!f || !f->data || f->len >= UINT32_MAX - 1)
        return;
    const char *s = f->data;
    uint32_t len = (uint32_t)f->len;
    uint32_t p = 0, line = 1;
    bool in_block = false;
    char fence_ch = 0;
    uint32_t fence_len = 0;
    block cur;
    memset(&cur, 0, sizeof cur);
    ml_vec servers = {0}, facts = {0};
    const char *pkg = NULL, *pkg_name = NULL;
    bool pkg_done = false;
    size_t copied = 0;

    while (p < len) {
        uint32_t ls = p, le = p;
        while (le < len && s[le] != '\n')
            le++;
        uint32_t next = le < len ? le + 1 : le;
        /* the line without leading blanks (and a byte-order mark) */
        uint32_t q = ls, quote = 0;
        if (ls == 0 && len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            q = 3;
        while (q < le && (s[q] == ' ' || s[q] == '\t' || s[q] == '>'))
            quote += s[q++] == '>';
        uint32_t run = 0;
        char ch = q < le ? s[q] : 0;
        if (ch == '`' || ch == '~')
            while (q + run < le && s[q + run] == ch)
                run++;
        if (!in_block) {
            if (run >= 3) {
                uint32_t info = q + run;
                while (info < le && (s[info] == ' ' || s[info] == '\t'))
                    info++;
                uint32_t info_end = le;
                while (info_end > info && (s[info_end - 1] == '\r' || s[info_end - 1] == ' '))
                    info_end--;
                /* a backtick fence's info string cannot contain a backtick */
                if (!(ch == '`' && memchr(s + info, '`', info_end - info))) {
                    in_block = true;
                    fence_ch = ch;
                    fence_len = run;
                    cur.lang = lang_of(s + info, info_end - info);
                    cur.start = next;
                    cur.line = line + 1;
                    cur.quote = quote;
                }
            }
        } else if (ch == fence_ch && run >= fence_len) {
            uint32_t r = q + run;
            while (r < le && (s[r] == ' ' || s[r] == '\t' || s[r] == '\r'))
                r++;
            if (r == le) {
                in_block = false;
                cur.end = ls;
                if (cur.end > cur.start && cur.lang == LANG_TS) {
                    if (!pkg_done) {
                        pkg = ml_ts_package_m(m, f->path, &pkg_name);
                        pkg_done = true;
                    }
                    ts_block(m, f, &cur, pkg, pkg_name, &servers, &facts);
                } else if (cur.end > cur.start && cur.lang == LANG_YAML && copied + cur.end <= MD_COPY_BUDGET) {
                    copied += cur.end;
                    yaml_block(m, f, &cur);
                } else if (cur.end > cur.start && cur.lang == LANG_YAML) {
                    over_budget(m, f, &cur);
                }
            }
        }
        if (le < len)
            line++;
        p = next;
        if (next == le)
            break;
    }
    if (in_block) {
        /* an unclosed fence runs to the end of the document */
        cur.end = len;
        if (cur.end > cur.start && cur.lang == LANG_TS) {
            if (!pkg_done)
                pkg = ml_ts_package_m(m, f->path, &pkg_name);
            ts_block(m, f, &cur, pkg, pkg_name, &servers, &facts);
        } else if (cur.end > cur.start && cur.lang == LANG_YAML && copied + cur.end <= MD_COPY_BUDGET) {
            yaml_block(m, f, &cur);
        } else if (cur.end > cur.start && cur.lang == LANG_YAML) {
            over_budget(m, f, &cur);
        }
    }
    /* the blocks of one document describe one service */
    ml_ts_apply_file_facts(m, &servers, &facts);
}
