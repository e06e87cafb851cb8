/*
 * source.h - input files and positions.
 *
 * Every file meshlint reads is held whole in memory for the run; positions
 * point into it. Lines and columns are 1-based; columns count Unicode code
 * points (SARIF columnKind "unicodeCodePoints"), as libyaml's marks do.
 */
#ifndef MESHLINT_SOURCE_H
#define MESHLINT_SOURCE_H

#include "meshlint/base.h"

typedef enum ml_file_type {
    ML_FILE_YAML,     /* .yaml .yml */
    ML_FILE_JSON,     /* .json (parsed by the YAML loader) */
    ML_FILE_TS,       /* .ts .mts .cts .tsx .js .mjs .cjs */
    ML_FILE_MARKDOWN, /* .md, only with --markdown */
    ML_FILE_PROTO,    /* .proto: services and their methods (proto.c) */
    ML_FILE_DOCKERFILE, /* Dockerfile, *.Dockerfile, Dockerfile.*: build evidence for linking (link.c), never linted */
    ML_FILE_OTHER
} ml_file_type;

typedef struct ml_file {
    const char *path;    /* as displayed and as in SARIF (relative when possible) */
    const char *data;    /* whole contents, NUL-terminated (NUL bytes may occur inside) */
    size_t len;
    ml_file_type type;
    bool report;         /* findings in this file are reported (see --context) */
    uint32_t *line_off;  /* lazily built: byte offset of each line start */
    uint32_t nlines;
    unsigned index;      /* position in path order (for "last definition wins") */
    uint32_t id;         /* in the file table (ml_file_id); 0: not registered */
} ml_file;

typedef struct ml_loc {
    const ml_file *file; /* NULL: no location */
    uint32_t line, col;         /* start, 1-based */
    uint32_t end_line, end_col; /* end, exclusive column; may equal start */
    uint32_t off, end_off;      /* byte offsets into file->data */
} ml_loc;

/* Text of line `line` (1-based) without its terminator; *len receives the
 * length. Returns NULL when out of range. Builds the line index on first use
 * (not thread-safe: call from the main thread). */
const char *ml_file_line(ml_file *f, uint32_t line, size_t *len);

/* Compute line/col of a byte offset. */
void ml_file_pos(ml_file *f, uint32_t off, uint32_t *line, uint32_t *col);
ml_loc ml_loc_from_offsets(ml_file *f, uint32_t off, uint32_t end_off);
/* The start column of l counted in bytes (1-based), as editors' quickfix
 * lists expect; the code-point column when the byte offset is not known. */
uint32_t ml_loc_byte_col(const ml_loc *l);

/* The file table: a YAML node names its file by a 24-bit id (yaml.h), so
 * that it need not hold a pointer. ml_file_id registers f on first use
 * (thread-safe; the thread that owns f calls it, normally ml_yaml_load),
 * builds f's line index there so that positions computed later on any
 * thread only read it, and returns the id; 0 when ML_FILE_MAX_IDS files
 * are registered at once (the caller diagnoses it). ml_file_by_id is a
 * lock-free read: the table is a fixed array of chunks that never move.
 * ml_file_release returns the id for reuse once no node of f is read any
 * more (ml_run_free does it for the run's files). A struct copy of an
 * ml_file copies its id: reset it (f->id = 0) when the copy is another
 * file. */
#define ML_FILE_MAX_IDS ((1u << 24) - 1)
uint32_t ml_file_id(ml_file *f);
const ml_file *ml_file_by_id(uint32_t id);
void ml_file_release(ml_file *f);
/* Build f's line index now (ml_file_pos would build it on first use). */
void ml_file_index(ml_file *f);

#endif
