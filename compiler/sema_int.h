/* sema_int.h - shared state of the type checker's files (not used outside compiler/sema*.c). */
#ifndef FEATC_SEMA_INT_H
#define FEATC_SEMA_INT_H

#include "sema.h"
#include "symtab.h"

/* What a global name refers to. */
typedef enum sema_sym_kind { SYM_ENTITY, SYM_SOURCE, SYM_VIEW, SYM_BLOCK, SYM_SERVICE } sema_sym_kind;

typedef struct sema_sym {
    sema_sym_kind kind;
    int index;      /* into the plan's array of that kind */
    src_span span;  /* where it was declared */
    const void *ast;
} sema_sym;

/* Stored in a scope's column table for a let whose definition had an error: uses of it
 * are silently NULL, so one mistake is reported once. */
#define SEMA_BROKEN_COLUMN (-1)

/* Where an expression is evaluated, which decides the names it may use. */
typedef enum sema_scope_kind {
    SCOPE_SOURCE_ROW, /* expect rules: the source's fields */
    SCOPE_VIEW_ROW,   /* view where/let/feature: source fields and earlier lets */
    SCOPE_ON_DEMAND,  /* on_demand: qualified names of its inputs and now() */
} sema_scope_kind;

typedef struct sema_scope {
    sema_scope_kind kind;
    /* SCOPE_SOURCE_ROW and SCOPE_VIEW_ROW: row columns by name -> (index + 1) */
    symtab *columns;
    const ftype *column_types;
    /* SCOPE_ON_DEMAND */
    int block;          /* index of the block being checked */
    symtab *inputs;     /* input name -> sema_sym* */
} sema_scope;

typedef struct sema {
    arena *mem;
    diag_ctx *d;
    plan *p;
    symtab globals; /* name -> sema_sym* */
    /* per view / block: feature name -> (index + 1) */
    symtab *view_features;
    symtab *block_features;
    const char *current; /* name of the declaration being checked, for messages */
} sema;

/* Types an expression for scope and lowers it; returns NULL after reporting an error. */
plan_expr *sema_expr(sema *s, const sema_scope *scope, const ast_expr *e);
/* Like sema_expr but requires a bool (or null) result; what names the role ("where"). */
plan_expr *sema_condition(sema *s, const sema_scope *scope, const ast_expr *e, const char *what);
/* Converts a typed expression to want (int -> float promotion, typed null); NULL and an error
 * at span when it cannot. */
plan_expr *sema_coerce(sema *s, plan_expr *x, ftype want, src_span span, const char *what);
/* A constant node. */
plan_expr *sema_const(sema *s, plan_value v);
/* Evaluates a literal (possibly negated number) to a value; false after an error. */
bool sema_literal(sema *s, const ast_expr *e, plan_value *out);

/* Reports a duplicate or case-clashing name in t; returns true when name is free. */
bool sema_check_new_name(sema *s, symtab *t, const ast_name *name, const char *what);
/* "did you mean" hint for name among t's names, or NULL. */
const char *sema_hint(sema *s, const symtab *t, const char *name);

void sema_entities_and_sources(sema *s, const ast_file *f);
void sema_views(sema *s, const ast_file *f);
void sema_blocks(sema *s, const ast_file *f);
void sema_services(sema *s, const ast_file *f);

#endif
