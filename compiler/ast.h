/* ast.h - the syntax tree the parser builds: names unresolved, spans kept for diagnostics. */
#ifndef FEATC_AST_H
#define FEATC_AST_H

#include "arena.h"
#include "types.h"

#include <stdio.h>

/* An identifier as written (backticks removed) and where it was written. */
typedef struct ast_name {
    const char *text;
    src_span span;
} ast_name;

typedef enum ast_expr_kind {
    AST_INT,      /* int_value */
    AST_FLOAT,    /* float_value */
    AST_STRING,   /* str, str_len (quotes removed, '' unescaped) */
    AST_BOOL,     /* bool_value */
    AST_NULL,
    AST_DURATION, /* int_value: microseconds */
    AST_NAME,     /* name */
    AST_DOT,      /* qualifier.name, or qualifier.* is never an expression */
    AST_UNARY,    /* op (AST_OP_NEG | AST_OP_NOT), lhs */
    AST_BINARY,   /* op, lhs, rhs */
    AST_IS_NULL,  /* lhs; negated for `is not null` */
    AST_IN,       /* lhs, args (the list); negated for `not in` */
    AST_CASE,     /* args: when0, then0, when1, then1, ...; rhs: else or NULL */
    AST_CALL,     /* name (function), args; star_arg when written f(*) */
} ast_expr_kind;

typedef enum ast_op {
    AST_OP_NONE = 0,
    AST_OP_OR,
    AST_OP_AND,
    AST_OP_NOT,
    AST_OP_EQ,
    AST_OP_NE,
    AST_OP_LT,
    AST_OP_LE,
    AST_OP_GT,
    AST_OP_GE,
    AST_OP_ADD,
    AST_OP_SUB,
    AST_OP_CONCAT,
    AST_OP_MUL,
    AST_OP_DIV,
    AST_OP_MOD,
    AST_OP_NEG,
} ast_op;

/* Whether s is a reserved word of the language (then a name spelled s needs backticks). */
bool ast_is_reserved(const char *s);

/* Spelling of an operator ("+", "and", ...). */
const char *ast_op_text(ast_op op);

typedef struct ast_expr ast_expr;
struct ast_expr {
    ast_expr_kind kind;
    src_span span;
    ast_op op;
    bool negated;
    bool bool_value;
    bool parenthesized; /* written inside ( ) — lets the checker reject a = b = c */
    int64_t int_value;
    double float_value;
    const char *str;
    size_t str_len;
    ast_name qualifier; /* AST_DOT */
    ast_name name;      /* AST_NAME, AST_DOT, AST_CALL */
    ast_expr *lhs;
    ast_expr *rhs;
    ptrvec args; /* of ast_expr* */
};

/* `name : type [not null]` in a source or entity. */
typedef struct ast_field {
    ast_name name;
    ast_name type_name;
    bool not_null;
    src_span span;
} ast_field;

typedef struct ast_entity {
    ast_name name;
    ptrvec keys; /* of ast_field* */
    src_span span;
} ast_entity;

typedef enum ast_source_kind { AST_STREAM, AST_TABLE, AST_REQUEST } ast_source_kind;

typedef struct ast_source {
    ast_source_kind kind;
    ast_name name;
    ptrvec fields;    /* of ast_field* */
    ptrvec times;     /* of ast_name*: every `time X` written (checker wants exactly one) */
    ptrvec seqs;      /* of ast_name*: every `seq X` */
    ptrvec latenesses;/* of ast_expr* (AST_DURATION) */
    ptrvec expects;   /* of ast_expr* */
    ptrvec tables;    /* of ast_expr* (AST_STRING) */
    ptrvec arrivals;  /* of ast_name*: every `arrival X` */
    ptrvec max_aheads;/* of ast_expr*: AST_DURATION, or AST_NULL for `max_ahead none` */
    ptrvec uniques;   /* of ast_name*: every `unique X` */
    src_span span;
} ast_source;

/* One clause-laden aggregation: NAME = AGG(x) [over D [hop H]] [where C] [ttl D] [default V]. */
typedef struct ast_feature {
    ast_name name;
    ast_expr *value;   /* the aggregation call as written */
    ast_expr *over;    /* AST_DURATION or NULL */
    ast_expr *hop;     /* AST_DURATION or NULL */
    ast_expr *where;   /* or NULL */
    ast_expr *ttl;     /* AST_DURATION or NULL */
    ast_expr *dflt;    /* literal (possibly a negated number) or NULL */
    src_span span;
} ast_feature;

typedef struct ast_let {
    ast_name name;
    ast_expr *value;
    src_span span;
} ast_let;

typedef enum ast_member_kind { AST_MEMBER_WHERE, AST_MEMBER_LET, AST_MEMBER_FEATURE } ast_member_kind;

/* A member of a `features` block, in source order. */
typedef struct ast_view_member {
    ast_member_kind kind;
    ast_expr *where;      /* AST_MEMBER_WHERE */
    ast_let *let;         /* AST_MEMBER_LET */
    ast_feature *feature; /* AST_MEMBER_FEATURE */
} ast_view_member;

typedef struct ast_view {
    ast_name name;
    ast_name source;
    ast_name entity;
    ptrvec key_fields; /* of ast_name*: `by card(payer_id)`; empty when not written */
    bool has_key_list; /* `by card()` written with parentheses */
    ptrvec members;    /* of ast_view_member* */
    src_span span;
} ast_view;

typedef struct ast_on_demand {
    ast_name name;
    ptrvec inputs;   /* of ast_name* */
    ptrvec features; /* of ast_let* (NAME = expr) */
    src_span span;
} ast_on_demand;

/* `view.feature` or `view.*` in a service. */
typedef struct ast_service_item {
    ast_name block;
    ast_name feature; /* text "*" for view.* */
    bool star;
    src_span span;
} ast_service_item;

typedef struct ast_service {
    ast_name name;
    ast_name request; /* text NULL when no (REQUEST) */
    ptrvec items;     /* of ast_service_item* */
    src_span span;
} ast_service;

typedef enum ast_decl_kind { AST_DECL_ENTITY, AST_DECL_SOURCE, AST_DECL_VIEW, AST_DECL_ON_DEMAND, AST_DECL_SERVICE } ast_decl_kind;

typedef struct ast_decl {
    ast_decl_kind kind;
    ast_entity *entity;
    ast_source *source;
    ast_view *view;
    ast_on_demand *on_demand;
    ast_service *service;
} ast_decl;

typedef struct ast_file {
    ptrvec decls; /* of ast_decl*, in source order */
} ast_file;

/* Prints the tree readably, one node per line, indented (featc check --dump=ast). */
void ast_dump(const ast_file *file, FILE *out);

#endif
