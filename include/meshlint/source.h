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

#endif
