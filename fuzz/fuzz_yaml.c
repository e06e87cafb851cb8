/*
 * fuzz_yaml.c - libFuzzer harness: the YAML loader and the typed model.
 *
 * One input is one manifest file. It is loaded with ml_yaml_load, every node
 * is visited through the public accessors, and the documents are typed into
 * a model (resources, winners, indexes, mesh facts), exactly as a run does;
 * the same text is also loaded as a ```yaml block of a Markdown document.
 * Besides the sanitizers, the harness checks the loader's contract: every
 * location lies inside the file and its line/column are what source.c
 * computes for its byte offsets; every scalar is NUL-terminated at its
 * length; errors carry a message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "meshlint/config.h"
#include "meshlint/mesh.h"
#include "meshlint/model.h"
#include "meshlint/ts.h"
#include "meshlint/yaml.h"

#define VISIT_BUDGET 200000 /* aliases make a DAG; visits are bounded */

static void check_loc(ml_file *f, const ml_loc *l)
{
    FZ_ASSERT(l->file == f, "location in another file");
    FZ_ASSERT(l->off <= l->end_off, "location ends before it starts");
    FZ_ASSERT(l->end_off <= f->len, "location past the end of the file");
    uint32_t line, col;
    ml_file_pos(f, l->off, &line, &col);
    FZ_ASSERT(line == l->line && col == l->col, "start line/col disagree with source.c");
    ml_file_pos(f, l->end_off, &line, &col);
    FZ_ASSERT(line == l->end_line && col == l->end_col, "end line/col disagree with source.c");
}

static void visit(ml_file *f, const ml_node *n, unsigned depth, size_t *budget)
{
    if (!n || *budget == 0)
        return;
    (*budget)--;
    FZ_ASSERT(depth <= ML_YAML_MAX_DEPTH + 1, "tree deeper than the loader's limit");
    check_loc(f, (ml_loc[1]){ml_node_loc(n)});
    switch (n->type) {
    case ML_NODE_SCALAR: {
        FZ_ASSERT(ml_node_str(n) != NULL, "scalar without a string");
        FZ_ASSERT(ml_node_str(n)[ml_node_len(n)] == '\0', "scalar not NUL-terminated at its length");
        long long v;
        bool b;
        (void)ml_int(n, &v);
        (void)ml_bool(n, &b);
        (void)ml_is_null(n);
        (void)ml_str_nonnull(n);
        break;
    }
    case ML_NODE_MAP:
        for (size_t i = 0; i < ml_node_n(n); i++) {
            FZ_ASSERT(n->kvs != NULL, "mapping without its pairs");
            const char *k = ml_str(&n->kvs[i].key);
            if (k && strlen(k) == ml_node_len(&n->kvs[i].key)) {
                /* the accessor finds this key (possibly a later duplicate) */
                const ml_pair *p = ml_get_pair(n, k);
                FZ_ASSERT(p != NULL, "ml_get_pair misses a key the mapping holds");
                FZ_ASSERT(p >= &n->kvs[i], "ml_get_pair returned an earlier duplicate");
            }
            visit(f, &n->kvs[i].key, depth + 1, budget);
            visit(f, &n->kvs[i].value, depth + 1, budget);
        }
        break;
    case ML_NODE_SEQ:
        for (size_t i = 0; i < ml_node_n(n); i++) {
            FZ_ASSERT(n->elems != NULL, "sequence without its items");
            visit(f, &n->elems[i], depth + 1, budget);
        }
        break;
    default:
        FZ_ASSERT(0, "unknown node type");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ml_arena a;
    ml_arena_init(&a);
    char *buf = ml_alloc(&a, size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ml_file f;
    memset(&f, 0, sizeof f);
    f.path = "fuzz.yaml";
    f.data = buf;
    f.len = size;
    f.type = ML_FILE_YAML;
    f.report = true;

    ml_yaml_result res;
    memset(&res, 0, sizeof res);
    ml_yaml_load(&a, &f, &res);

    size_t budget = VISIT_BUDGET;
    ML_VEC_EACH(ml_doc *, d, &res.docs) {
        FZ_ASSERT(d->file == &f, "document of another file");
        FZ_ASSERT(d->start_line <= d->end_line, "document ends before it starts");
        visit(&f, d->root, 0, &budget);
        (void)ml_path(d->root, "spec.template.spec.containers.0.ports.0.containerPort");
        (void)ml_path(d->root, "metadata.annotations");
    }
    ML_VEC_EACH(ml_yaml_error *, e, &res.errors) {
        FZ_ASSERT(e->message && *e->message, "error without a message");
        check_loc(&f, &e->loc);
    }

    /* the typed model over the same documents */
    ml_config cfg;
    ml_config_defaults(&cfg, &a);
    ml_model m;
    ml_model_init(&m, &a, &cfg);
    ml_vec_push(&a, &m.files, &f);
    ML_VEC_EACH(ml_doc *, d, &res.docs) {
        ml_vec_push(&a, &m.docs, d);
        ml_model_add_doc(&m, d);
    }
    ML_VEC_EACH(ml_yaml_error *, e, &res.errors)
        ml_vec_push(&a, &m.yaml_errors, e);
    /* the same text as a ```yaml block of a Markdown document */
    ml_buf md;
    ml_buf_init(&md);
    ml_buf_puts(&md, "# notes\n\n```yaml\n");
    ml_buf_add(&md, (const char *)data, size);
    ml_buf_puts(&md, "\n```\n");
    ml_file mf;
    memset(&mf, 0, sizeof mf);
    mf.path = "fuzz.md";
    mf.data = ml_strndup(&a, md.s, md.n);
    mf.len = md.n;
    mf.type = ML_FILE_MARKDOWN;
    mf.report = true;
    mf.index = 1;
    ml_buf_free(&md);
    ml_vec_push(&a, &m.files, &mf);
    ml_md_extract(&m, &mf);

    /* as the engine does: linking also releases what extraction of the
     * Markdown block's code kept for the run */
    ml_model_finish(&m);
    ml_link_servers(&m);
    ml_mesh_compute(&m);
    ML_VEC_EACH(ml_resource *, r, &m.resources) {
        FZ_ASSERT(r->key != NULL && r->name != NULL && r->ns != NULL, "resource without key, name or namespace");
        (void)ml_res_display(&a, r);
        (void)ml_res_loc(r);
    }
    ML_VEC_EACH(ml_shape_problem *, p, &m.shape_problems) {
        FZ_ASSERT(p->message != NULL, "shape problem without a message");
        if (p->loc.file == &f) /* not a Markdown block's view */
            check_loc(&f, &p->loc);
    }

    /* the file table's ids of this input's files (and Markdown views) */
    ML_VEC_EACH(ml_doc *, d, &m.docs)
        ml_file_release(d->file);
    ml_file_release(&f);
    ml_file_release(&mf);
    ml_model_free(&m);
    ml_map_free(&cfg.rules);
    free(f.line_off);
    free(mf.line_off);
    ml_arena_free(&a);
    return 0;
}
