/*
 * ts_lex.h - private to the TypeScript extractor (ts_lex.c, ts_parse.c,
 * ts_extract.c, link.c): tokens, per-file scopes and bindings, and the
 * expression tree the evaluator walks.
 *
 * Nothing here is part of the model; rules read ts.h only.
 */
#ifndef MESHLINT_TS_LEX_H
#define MESHLINT_TS_LEX_H

#include "meshlint/base.h"
#include "meshlint/source.h"
#include "meshlint/ts.h"

/* ---- tokens ----------------------------------------------------------- */

typedef enum ml_tk {
    ML_TK_EOF,
    ML_TK_IDENT,    /* identifiers and keywords */
    ML_TK_PRIVATE,  /* #name */
    ML_TK_NUM,
    ML_TK_STR,      /* '...' or "..." */
    ML_TK_TEMPLATE, /* `...` without substitutions */
    ML_TK_TPL_HEAD, /* `...${ */
    ML_TK_TPL_MID,  /* }...${ */
    ML_TK_TPL_TAIL, /* }...` */
    ML_TK_REGEX,
    ML_TK_PUNCT
} ml_tk;

enum {
    ML_TF_NL_BEFORE = 1,    /* a line break precedes the token */
    ML_TF_UNTERMINATED = 2  /* string, template, regex or comment ran into EOF */
};

typedef enum ml_punct {
    ML_P_NONE,
    ML_P_LBRACE, ML_P_RBRACE, ML_P_LPAREN, ML_P_RPAREN, ML_P_LBRACK, ML_P_RBRACK,
    ML_P_SEMI, ML_P_COMMA, ML_P_DOT, ML_P_ELLIPSIS, ML_P_QDOT, ML_P_QQ, ML_P_Q,
    ML_P_COLON, ML_P_ARROW, ML_P_AT, ML_P_HASH,
    ML_P_EQEQ, ML_P_EQEQEQ, ML_P_NE, ML_P_NEE, ML_P_LT, ML_P_GT, ML_P_LE, ML_P_GE,
    ML_P_SHL, ML_P_SHR, ML_P_USHR, ML_P_PLUS, ML_P_MINUS, ML_P_STAR, ML_P_STARSTAR,
    ML_P_SLASH, ML_P_PERCENT, ML_P_INC, ML_P_DEC, ML_P_AMP, ML_P_PIPE, ML_P_CARET,
    ML_P_BANG, ML_P_TILDE, ML_P_ANDAND, ML_P_OROR,
    /* assignment operators: ML_P_ASSIGN .. ML_P_QQEQ */
    ML_P_ASSIGN, ML_P_PLUSEQ, ML_P_MINUSEQ, ML_P_STAREQ, ML_P_SLASHEQ, ML_P_PERCENTEQ,
    ML_P_STARSTAREQ, ML_P_SHLEQ, ML_P_SHREQ, ML_P_USHREQ, ML_P_AMPEQ, ML_P_PIPEEQ,
    ML_P_CARETEQ, ML_P_ANDANDEQ, ML_P_OROREQ, ML_P_QQEQ,
    ML_P__COUNT
} ml_punct;

typedef struct ml_tok {
    uint8_t kind;    /* ml_tk */
    uint8_t flags;   /* ML_TF_* */
    uint16_t punct;  /* ml_punct for ML_TK_PUNCT */
    uint32_t off, end;          /* byte offsets [off, end) */
    uint32_t line, col;         /* start, 1-based, code points */
    uint32_t end_line, end_col; /* end (exclusive column) */
} ml_tok;

typedef struct ml_lex {
    ml_tok *toks;    /* malloc'd; toks[n-1] is ML_TK_EOF */
    uint32_t n;
    uint32_t *match; /* malloc'd, per token: for an opener ( [ { `${ the index
                        of its closer (or of the EOF token when unclosed);
                        otherwise the token's own index */
} ml_lex;

/* Tokenize src[start, end) whose first byte is at line/col. Offsets in the
 * tokens are absolute (into src). Never fails on bad input: unterminated
 * constructs end at `end` with ML_TF_UNTERMINATED. Returns false only when
 * memory runs out or the input is larger than 4 GiB. */
bool ml_ts_lex(const char *src, uint32_t start, uint32_t end, uint32_t line, uint32_t col,
               ml_lex *out);
void ml_ts_lex_free(ml_lex *lx);
const char *ml_punct_text(ml_punct p);
static inline bool ml_punct_is_assign(unsigned p) { return p >= ML_P_ASSIGN && p <= ML_P_QQEQ; }

/* ---- a parsed file: scopes and bindings -------------------------------- */

typedef struct ml_ts_scope {
    uint32_t open, close; /* token indexes, inclusive */
    uint32_t parent;
} ml_ts_scope;

typedef enum ml_bind_kind {
    ML_B_VAR, ML_B_LET, ML_B_CONST,
    ML_B_PARAM,     /* function or catch parameter */
    ML_B_FUNC, ML_B_CLASS,
    ML_B_IMPORT,    /* import { key as name } from module (or require destructuring) */
    ML_B_IMPORT_NS, /* import * as name from module / const name = require(module) */
    ML_B_IMPORT_DEFAULT,
    ML_B_DESTRUCT,  /* const { key: name = dflt } = init */
    ML_B_PATTERN    /* any other binding pattern: value unknown */
} ml_bind_kind;

struct ml_ts_node;

typedef struct ml_ts_binding {
    uint8_t kind;
    bool exported;
    uint32_t tok;    /* the name token */
    uint32_t scope;
    uint32_t init;   /* first token of the initializer, or UINT32_MAX */
    uint32_t dflt;   /* ML_B_DESTRUCT: default's first token, or UINT32_MAX */
    const char *key; /* ML_B_DESTRUCT / ML_B_IMPORT: property or imported name (arena) */
    const char *module; /* imports: the module specifier (arena) */
    const char *name;   /* arena copy of the bound name */
    struct ml_ts_node *ast; /* parsed initializer (cache) */
    bool busy;       /* being evaluated (cycle guard) */
    void *cache;     /* the evaluator's value for the current server ... */
    unsigned cache_gen; /* ... when this equals the evaluator's generation */
    void *calls;     /* ML_B_FUNC / a const function: its call sites in the
                        package, found once (ts_extract.c) */
    void *shape;     /* the same: where its single return is (ts_extract.c) */
} ml_ts_binding;

typedef struct ml_ts_unit {
    ml_file *file;   /* locations point into it */
    const char *src; /* file->data, or a view with the same offsets */
    ml_arena *arena;
    ml_lex lx;
    uint32_t *tok_scope;  /* malloc'd: innermost scope of each token */
    uint32_t *expr_stop;  /* malloc'd: per token, where ml_ts_skip_expr resumes
                             looking (the first closer or statement break at
                             its bracket level), so that skipping is O(1) */
    ml_ts_scope *scopes;  /* malloc'd */
    uint32_t nscopes, capscopes;
    ml_map bindings;      /* name -> ml_vec of ml_ts_binding*, in token order */
    ml_map reassigned;    /* name -> (void*)1 when some `name = ...` / name++ exists */
    ml_map mutated;       /* name -> (void*)1 when its contents change after the declaration:
                             name.push(...) and the other array mutators, name.x = ...,
                             name[k] = ..., Object.assign(name, ...) */
    ml_map exports;       /* exported name -> ml_ts_binding* (export const, export { a as b }) */
    bool has_connectum;   /* imports something from @connectum/... */
    bool markdown;        /* a Markdown snippet: known names need no import */
    unsigned import_depth; /* 0: an input file; n: read through n relative imports */
    size_t parse_left;    /* expression nodes the parser may still make (ML_TS_PARSE_BUDGET) */
} ml_ts_unit;

/* Token i, or the EOF token when i is past the end (never out of bounds). */
static inline const ml_tok *ml_ts_tok(const ml_ts_unit *u, uint32_t i)
{
    return &u->lx.toks[i < u->lx.n ? i : u->lx.n - 1];
}
/* The bracket partner of token i (see ml_lex.match), clamped likewise. */
static inline uint32_t ml_ts_match(const ml_ts_unit *u, uint32_t i)
{
    return i < u->lx.n ? u->lx.match[i] : u->lx.n - 1;
}

/* Tokenize src[start,end) of file f and find scopes, bindings and imports.
 * src is usually f->data. Returns false when tokenizing failed (memory). */
bool ml_ts_unit_init(ml_ts_unit *u, ml_arena *a, ml_file *f, const char *src, uint32_t start,
                     uint32_t end, uint32_t line, uint32_t col);
void ml_ts_unit_free(ml_ts_unit *u);
/* The binding that identifier token `use` (named name/len) refers to, or NULL. */
ml_ts_binding *ml_ts_lookup(const ml_ts_unit *u, const char *name, size_t len, uint32_t use);
/* The exported top-level const/let/var named name, or NULL. */
ml_ts_binding *ml_ts_export(const ml_ts_unit *u, const char *name);

/* Token helpers. */
bool ml_tok_is(const ml_ts_unit *u, uint32_t i, const char *word); /* IDENT equal to word */
bool ml_tok_p(const ml_ts_unit *u, uint32_t i, ml_punct p);
/* Cooked value of a string or template token (escapes decoded), in the arena. */
const char *ml_tok_string(const ml_ts_unit *u, uint32_t i, size_t *len);
double ml_tok_number(const ml_ts_unit *u, uint32_t i);
ml_loc ml_ts_loc(const ml_ts_unit *u, uint32_t first, uint32_t last);
/* Index of the first token after the expression starting at i: stops at
 * , ; ) ] } at bracket depth 0, or where automatic semicolon insertion ends
 * a statement. Iterative. */
uint32_t ml_ts_skip_expr(const ml_ts_unit *u, uint32_t i);
/* Index of the first token after a type starting at i (iterative). */
uint32_t ml_ts_skip_type(const ml_ts_unit *u, uint32_t i);

/* ---- expressions ------------------------------------------------------ */

typedef enum ml_nk {
    ML_N_UNKNOWN,  /* could not be parsed, or too deep: why */
    ML_N_NUM, ML_N_STR, ML_N_TEMPLATE, ML_N_BOOL, ML_N_NULL, ML_N_UNDEF,
    ML_N_IDENT, ML_N_THIS, ML_N_REGEX,
    ML_N_MEMBER,   /* a.name / a?.name: a, str = name */
    ML_N_INDEX,    /* a[b] */
    ML_N_CALL,     /* a(kids) */
    ML_N_NEW,      /* new a(kids) */
    ML_N_OBJECT,   /* kids: ML_N_PROP */
    ML_N_PROP,     /* str = key (NULL when computed; b2 = the key's expression), a = value;
                      spread: a = argument */
    ML_N_ARRAY,    /* kids: elements (ML_N_SPREAD or expressions; NULL = hole) */
    ML_N_SPREAD,   /* ...a */
    ML_N_UNARY,    /* op a */
    ML_N_BINARY,   /* a op b (including ?? || &&) */
    ML_N_COND,     /* a ? b : c */
    ML_N_ASSIGN,   /* a op= b */
    ML_N_FUNC,     /* arrow function, function expression, method */
    ML_N_CLASS
} ml_nk;

enum { ML_NF_OPTIONAL = 1, ML_NF_SHORTHAND = 2, ML_NF_SPREAD = 4, ML_NF_METHOD = 8, ML_NF_PAREN = 16 };

typedef struct ml_ts_node {
    uint8_t kind;
    uint8_t flags;
    uint16_t height;      /* 1 + the tallest child: the evaluator's recursion bound */
    uint16_t op;          /* ml_punct, or for unary keywords: ML_P_NONE with str = keyword */
    uint32_t first, last; /* token range, inclusive */
    double num;
    bool b;
    const char *str;      /* literal value, identifier/member/key name (arena, NUL-terminated) */
    size_t len;
    struct ml_ts_node *a, *b2, *c;
    struct ml_ts_node **kids;
    uint32_t nkids;
    const char *why;      /* ML_N_UNKNOWN */
} ml_ts_node;

#define ML_TS_MAX_DEPTH 200
/* Expression nodes the parser makes for one unit, at most: a fixed amount
 * plus a few per token. Nested calls that are each parsed on their own
 * (createServer(createServer(...))) would otherwise cost (depth) x (size);
 * past the budget an expression is ML_N_UNKNOWN with ML_TS_PARSE_BUDGET_WHY. */
#define ML_TS_PARSE_BUDGET(ntok) ((size_t)(ntok) * 4 + 65536)
#define ML_TS_PARSE_BUDGET_WHY "the file's expressions are too complex to parse (budget of 4 expression nodes per token)"

/* Parse one assignment expression starting at token i; *next receives the
 * index after it. Never recurses deeper than ML_TS_MAX_DEPTH levels of
 * nesting: deeper parts become ML_N_UNKNOWN. */
ml_ts_node *ml_ts_parse_expr(ml_ts_unit *u, uint32_t i, uint32_t *next);

/* ---- shared between ts_extract.c, md_extract.c and link.c -------------- */

/* ML_FACT_SIGTERM: process.on("SIGTERM", ...) (or once/addListener): the
 * package handles the signal itself. */
/* ML_FACT_SERVICE: a service mounted by name: defineService(X, ...),
 * defineLazyService(X, ...) or router.service(X, ...); val.str is X's last
 * name segment (pb.ChatService -> ChatService). */
typedef enum ml_fact_kind { ML_FACT_OTEL_NAME, ML_FACT_OUTBOUND, ML_FACT_SIGTERM, ML_FACT_SERVICE } ml_fact_kind;

/* Something a file says about its package rather than about one server:
 * initProvider({ serviceName }) or a client transport's baseUrl. */
typedef struct ml_ts_fact {
    ml_fact_kind kind;
    ml_file *file;
    const char *pkg;   /* package key (ml_ts_package) */
    ml_val val;        /* serviceName / baseUrl */
    ml_loc loc;        /* the call */
    const char *via;   /* "initProvider", "createConnectTransport", ... */
    bool grpc;         /* ML_FACT_OUTBOUND: a gRPC (HTTP/2) transport */
    bool conditional;  /* the call runs only under a condition (if/else/switch/catch, &&, ||, ??, ?:) */
} ml_ts_fact;

/* Servers and facts of one tokenized unit. New servers are appended to
 * m->servers and to *servers; facts to *facts. pkg/pkg_name: the unit's
 * package when the caller already knows it (ml_ts_package), else NULL.
 * u->arena is the evaluator's scratch: the servers and facts, and all they
 * point at, are in m->arena when this returns, so the caller may free
 * u->arena once u is freed. */
void ml_ts_extract_unit(ml_model *m, ml_ts_unit *u, const char *pkg, const char *pkg_name,
                        ml_vec *servers, ml_vec *facts);
/* Give one server one fact (otel name, outbound target, SIGTERM handler);
 * an outbound target already recorded is not added again. */
void ml_ts_apply_fact(ml_model *m, ml_server *s, const ml_ts_fact *fa);
/* Give servers the facts of their own file (otel name, outbound targets). */
void ml_ts_apply_file_facts(ml_model *m, ml_vec *servers, ml_vec *facts);
/* Facts of a TypeScript file, for the package-wide pass (link.c). */
void ml_ts_file_facts(ml_model *m, ml_file *f, ml_vec *facts);
/* Package key of a source path: the directory holding the nearest
 * package.json (walking up from the file's directory), or the file's own
 * directory when there is none. *name receives the package "name" with any
 * @scope/ stripped (NULL when none). Strings in the arena. */
const char *ml_ts_package(ml_arena *a, const char *path, const char **name);
/* The same answer, remembered per directory for the run (m->ts_memo), so
 * that a tree of many services looks for each package.json once. */
const char *ml_ts_package_m(ml_model *m, const char *path, const char **name);
/* Release what extraction keeps for the whole run (files read through
 * relative imports, the package and facts memo); ml_link_servers calls it.
 * Safe to call twice. */
void ml_ts_release(ml_model *m);
/* The command of script `script` in the package.json of pkg_dir
 * ("scripts": {"start": "node dist/main.js"}), or NULL. */
const char *ml_ts_package_script(ml_arena *a, const char *pkg_dir, const char *script);
/* The relative target a package.json "imports" entry gives a #subpath
 * specifier (relative to pkg_dir), or NULL. */
const char *ml_ts_subpath_target(ml_arena *a, const char *pkg_dir, const char *spec);
/* dir joined with rel and normalised ("a/./b/../c" -> "a/c"), in the arena. */
const char *ml_ts_path_join(ml_arena *a, const char *dir, const char *rel);
/* Directory part of a path ("." when it has none), in the arena. */
const char *ml_ts_dirname(ml_arena *a, const char *path);

#endif
