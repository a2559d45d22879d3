/* parser.y - bison grammar of the feature language: tokens to AST, with error recovery. */
%require "3.8"
%define api.pure full
%define api.prefix {parser_}
%define api.token.prefix {TOK_}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner} {parse_ctx *pc}

%code requires {
#include "arena.h"
#include "ast.h"
#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

typedef struct parse_ctx parse_ctx;

/* Locations are byte ranges; line and column are derived later from the offsets. */
typedef src_span PARSER_LTYPE;
#define PARSER_LTYPE_IS_DECLARED 1

/* Token text handed from the lexer: arena-owned, NUL-terminated, len bytes. */
typedef struct lex_str {
    const char *s;
    size_t len;
} lex_str;

/* An expression with the depth of its tree, so that over-deep trees are refused. */
typedef struct pexpr {
    ast_expr *e;
    int depth;
} pexpr;

/* A list of expressions and the depth of its deepest item. */
typedef struct plist {
    ptrvec v;
    int depth;
} plist;

typedef struct over_clause {
    ast_expr *over;
    ast_expr *hop;
} over_clause;

typedef struct key_list {
    ptrvec names;
    bool written;
} key_list;

typedef enum src_member_kind {
    SM_FIELD, SM_TIME, SM_SEQ, SM_LATENESS, SM_EXPECT, SM_TABLE, SM_ARRIVAL, SM_MAX_AHEAD, SM_UNIQUE
} src_member_kind;

/* One member line of a stream/table/request block. */
typedef struct src_member {
    src_member_kind kind;
    ast_field *field;
    ast_name *name;
    ast_expr *expr;
} src_member;
}

%union {
    lex_str str;
    int64_t ival;
    double fval;
    ast_name name;
    pexpr ex;
    plist list;
    ptrvec vec;
    ast_expr *node;
    ast_op op;
    ast_field *field;
    src_member smem;
    ast_source *source;
    ast_source_kind skind;
    ast_view_member *vmem;
    ast_feature *feat;
    ast_service_item *item;
    over_clause over;
    key_list keys;
}

%code provides {
#define YYSTYPE PARSER_STYPE
#define YYLTYPE PARSER_LTYPE

enum {
    PARSE_NEST_MAX = 1000,   /* nested '(' / case / prefix operators the lexer lets through */
    PARSE_DEPTH_MAX = 1000,  /* depth of an expression tree */
    PARSE_ERRORS_MAX = 100,  /* errors reported before giving up on a file */
    PARSE_LEX_QUEUE = 6,
};

/* A token with its value and span, as queued between the scanner and the parser. */
typedef struct lex_tok {
    int kind;
    PARSER_STYPE val;
    src_span loc;
    bool nl_before; /* a newline came before it */
} lex_tok;

/* State shared by the scanner, the token filter in front of the parser and the actions. */
struct parse_ctx {
    arena *mem;
    diag_ctx *d;
    const char *src;
    size_t src_len;
    ast_file *file;

    /* scanner */
    size_t off;           /* byte offset of the next unread byte */
    bool eof;

    /* token filter (lexer.l): nesting that decides where a newline ends a member */
    int brace, paren, cased, prefix_run;
    src_span brace_span;  /* the '{' of the open block */
    int q_last;           /* kind of the last token queued for the parser */
    bool saw_nl;          /* a newline came after the last queued token */
    bool nest_reported;
    lex_tok raw[PARSE_LEX_QUEUE]; /* tokens read ahead, a stack */
    int nraw;
    lex_tok ready[PARSE_LEX_QUEUE]; /* tokens for the parser, a FIFO */
    int ready_head, nready;
    int tok_last, tok_prev; /* the last two tokens the parser received */
    bool tok_nl_before;     /* a newline came before the last one */
    src_span tok_last_loc, tok_prev_loc; /* where they were */
    src_span open_at;       /* the outermost open '(' or 'case' */

    /* parser */
    bool in_feature;      /* inside `NAME = ...` of a features block, up to its newline */
    bool brace_reported;  /* an error was reported at the open block's '{' */
    bool deep_reported;
    int nerrors;
    bool stop;            /* too many errors: the filter returns end of file */
    size_t last_err_begin;
    const char *last_err_msg;
};

/* Records an error at `at` (hint may be NULL); drops exact repeats and stops after
 * PARSE_ERRORS_MAX errors. */
void parse_report(parse_ctx *pc, src_span at, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Decodes one UTF-8 character of s (n bytes available) into *cp; returns its length in
 * bytes, or 0 when s does not start with a valid, shortest-form, non-surrogate sequence. */
int parse_utf8(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes the source text of `at` into out (n >= 16 bytes) for a message: at most 40
 * characters (then "..."), bytes that are not printable UTF-8 written as \xNN. */
void parse_excerpt(const parse_ctx *pc, src_span at, char *out, size_t n);

/* The token filter between the flex scanner and the parser (lexer.l). */
int parser_lex(PARSER_STYPE *lval, PARSER_LTYPE *lloc, yyscan_t scanner, parse_ctx *pc);
}

%code {
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).begin = YYRHSLOC(Rhs, 1).begin;                    \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;          \
        }                                                            \
    } while (0)

static void parser_error(PARSER_LTYPE *loc, yyscan_t scanner, parse_ctx *pc, const char *msg);
static ast_expr *new_expr(parse_ctx *pc, ast_expr_kind kind, src_span span);
static pexpr capped(parse_ctx *pc, ast_expr *e, int depth, src_span at);
static pexpr leaf(parse_ctx *pc, ast_expr_kind kind, src_span span);
static pexpr unary(parse_ctx *pc, ast_op op, pexpr a, src_span span, src_span at);
static pexpr binary(parse_ctx *pc, ast_op op, pexpr a, pexpr b, src_span span, src_span at);
static ast_name *name_copy(parse_ctx *pc, ast_name n);
static void add_decl(parse_ctx *pc, ast_decl_kind kind, void *node);
static void list_add(parse_ctx *pc, plist *l, pexpr x);
}

%initial-action {
    @$.begin = @$.end = 0;
}

%token <str> IDENT "name"
%token <str> STRING "string"
%token <ival> INT "number"
%token <ival> INT_MIN_ABS "9223372036854775808"
%token <fval> FLOAT "float number"
%token <ival> DURATION "duration"
%token NEWLINE "end of line"
%token ENTITY "'entity'" STREAM "'stream'" TABLE "'table'" REQUEST "'request'"
%token FEATURES "'features'" ON_DEMAND "'on_demand'" SERVICE "'service'"
%token TABLE_M "'table' "
%token ON "'on'" BY "'by'" LET "'let'" OVER "'over'" HOP "'hop'" WHERE "'where'"
%token TTL "'ttl'" DEFAULT "'default'" TIME "'time'" SEQ "'seq'" LATENESS "'lateness'"
%token EXPECT "'expect'" AND "'and'" OR "'or'" NOT "'not'" NOTIN "'not in'" IS "'is'"
%token NULL "'null'" IN "'in'" CASE "'case'" WHEN "'when'" THEN "'then'" ELSE "'else'"
%token END "'end'" TRUE "'true'" FALSE "'false'"
%token ARRIVAL "'arrival'" MAX_AHEAD "'max_ahead'" UNIQUE "'unique'" NONE "'none'" SESSION "'session'"
%token NE "'!='" LE "'<='" GE "'>='" CONCAT "'||'"

%nterm <name> name
%nterm <ex> expr or_expr and_expr not_expr cmp_expr add_expr mul_expr unary primary
%nterm <ex> case_expr literal
%nterm <list> expr_list when_list
%nterm <node> duration opt_where opt_ttl opt_default
%nterm <op> cmp_op
%nterm <vec> key_fields name_list opt_name_list view_members od_members service_items
%nterm <field> field
%nterm <smem> source_member
%nterm <source> source_members
%nterm <skind> source_kw
%nterm <vmem> view_member
%nterm <feat> feature
%nterm <item> service_item
%nterm <over> opt_over
%nterm <keys> opt_keys
%nterm <name> opt_request
%nterm <ival> opt_not_null

%%

/* Recovery at declaration level: skip to the next declaration keyword or to the '}'
 * that closes the broken declaration's block. */
file:
    %empty
  | file decl
  | file error
  | file error '}' { yyerrok; }
  ;

decl:
    entity_decl
  | source_decl
  | view_decl
  | on_demand_decl
  | service_decl
  ;

name:
    IDENT { $$ = (ast_name){$1.s, @1}; }
  ;

/* ---- entity ---- */

entity_kw: ENTITY { yyerrok; } ;

entity_decl:
    entity_kw name '(' key_fields ')'
      {
          ast_entity *e = arena_alloc(pc->mem, sizeof *e);
          e->name = $2;
          e->keys = $4;
          e->span = @$;
          add_decl(pc, AST_DECL_ENTITY, e);
      }
  ;

key_fields:
    field { $$ = (ptrvec){0}; ptrvec_push(pc->mem, &$$, $1); }
  | key_fields ',' field { $$ = $1; ptrvec_push(pc->mem, &$$, $3); }
  ;

field:
    name ':' name opt_not_null
      {
          $$ = arena_alloc(pc->mem, sizeof *$$);
          $$->name = $1;
          $$->type_name = $3;
          $$->not_null = $4 != 0;
          $$->span = @$;
      }
  ;

opt_not_null:
    %empty { $$ = 0; }
  | NOT NULL { $$ = 1; }
  ;

/* ---- stream / table / request ---- */

source_kw:
    STREAM { yyerrok; $$ = AST_STREAM; }
  | TABLE { yyerrok; $$ = AST_TABLE; }
  | REQUEST { yyerrok; $$ = AST_REQUEST; }
  ;

source_decl:
    source_kw name '{' source_members '}'
      {
          ast_source *s = $4;
          s->kind = $1;
          s->name = $2;
          s->span = @$;
          add_decl(pc, AST_DECL_SOURCE, s);
      }
  ;

source_members:
    %empty { $$ = arena_alloc(pc->mem, sizeof *$$); }
  | source_members source_member NEWLINE
      {
          ast_source *s = $$ = $1;
          switch ($2.kind) {
          case SM_FIELD: ptrvec_push(pc->mem, &s->fields, $2.field); break;
          case SM_TIME: ptrvec_push(pc->mem, &s->times, $2.name); break;
          case SM_SEQ: ptrvec_push(pc->mem, &s->seqs, $2.name); break;
          case SM_LATENESS: ptrvec_push(pc->mem, &s->latenesses, $2.expr); break;
          case SM_EXPECT: ptrvec_push(pc->mem, &s->expects, $2.expr); break;
          case SM_TABLE: ptrvec_push(pc->mem, &s->tables, $2.expr); break;
          case SM_ARRIVAL: ptrvec_push(pc->mem, &s->arrivals, $2.name); break;
          case SM_MAX_AHEAD: ptrvec_push(pc->mem, &s->max_aheads, $2.expr); break;
          case SM_UNIQUE: ptrvec_push(pc->mem, &s->uniques, $2.name); break;
          }
      }
  | source_members error NEWLINE { $$ = $1; yyerrok; }
  ;

source_member:
    field { $$ = (src_member){.kind = SM_FIELD, .field = $1}; }
  | TIME name { $$ = (src_member){.kind = SM_TIME, .name = name_copy(pc, $2)}; }
  | SEQ name { $$ = (src_member){.kind = SM_SEQ, .name = name_copy(pc, $2)}; }
  | LATENESS duration { $$ = (src_member){.kind = SM_LATENESS, .expr = $2}; }
  | ARRIVAL name { $$ = (src_member){.kind = SM_ARRIVAL, .name = name_copy(pc, $2)}; }
  | MAX_AHEAD duration { $$ = (src_member){.kind = SM_MAX_AHEAD, .expr = $2}; }
  | MAX_AHEAD NONE { $$ = (src_member){.kind = SM_MAX_AHEAD, .expr = new_expr(pc, AST_NULL, @2)}; }
  | UNIQUE name { $$ = (src_member){.kind = SM_UNIQUE, .name = name_copy(pc, $2)}; }
  | EXPECT expr { $$ = (src_member){.kind = SM_EXPECT, .expr = $2.e}; }
  | TABLE_M STRING
      {
          ast_expr *e = new_expr(pc, AST_STRING, @2);
          e->str = $2.s;
          e->str_len = $2.len;
          $$ = (src_member){.kind = SM_TABLE, .expr = e};
      }
  ;

duration:
    DURATION
      {
          $$ = new_expr(pc, AST_DURATION, @1);
          $$->int_value = $1;
      }
  ;

/* ---- features ---- */

features_kw: FEATURES { yyerrok; } ;

view_decl:
    features_kw name ON name BY name opt_keys '{' view_members '}'
      {
          ast_view *v = arena_alloc(pc->mem, sizeof *v);
          v->name = $2;
          v->source = $4;
          v->entity = $6;
          v->key_fields = $7.names;
          v->has_key_list = $7.written;
          v->members = $9;
          v->span = @$;
          add_decl(pc, AST_DECL_VIEW, v);
      }
  ;

opt_keys:
    %empty { $$ = (key_list){{0}, false}; }
  | '(' ')' { $$ = (key_list){{0}, true}; }
  | '(' name_list ')' { $$ = (key_list){$2, true}; }
  ;

name_list:
    name { $$ = (ptrvec){0}; ptrvec_push(pc->mem, &$$, name_copy(pc, $1)); }
  | name_list ',' name { $$ = $1; ptrvec_push(pc->mem, &$$, name_copy(pc, $3)); }
  ;

view_members:
    %empty { $$ = (ptrvec){0}; }
  | view_members view_member NEWLINE
      {
          $$ = $1;
          ptrvec_push(pc->mem, &$$, $2);
          pc->in_feature = false;
      }
  | view_members error NEWLINE { $$ = $1; pc->in_feature = false; yyerrok; }
  ;

view_member:
    WHERE expr
      {
          $$ = arena_alloc(pc->mem, sizeof *$$);
          $$->kind = AST_MEMBER_WHERE;
          $$->where = $2.e;
      }
  | LET name '=' expr
      {
          ast_let *l = arena_alloc(pc->mem, sizeof *l);
          l->name = $2;
          l->value = $4.e;
          l->span = @$;
          $$ = arena_alloc(pc->mem, sizeof *$$);
          $$->kind = AST_MEMBER_LET;
          $$->let = l;
      }
  | feature
      {
          $$ = arena_alloc(pc->mem, sizeof *$$);
          $$->kind = AST_MEMBER_FEATURE;
          $$->feature = $1;
      }
  ;

feature:
    name '=' { pc->in_feature = true; } expr opt_over opt_where opt_ttl opt_default
      {
          ast_feature *f = $$ = arena_alloc(pc->mem, sizeof *$$);
          f->name = $1;
          f->value = $4.e;
          f->over = $5.over;
          f->hop = $5.hop;
          f->where = $6;
          f->ttl = $7;
          f->dflt = $8;
          f->span = @$;
      }
  ;

opt_over:
    %empty { $$ = (over_clause){NULL, NULL}; }
  | OVER duration { $$ = (over_clause){$2, NULL}; }
  | OVER duration HOP duration { $$ = (over_clause){$2, $4}; }
  ;

opt_where:
    %empty { $$ = NULL; }
  | WHERE expr { $$ = $2.e; }
  ;

opt_ttl:
    %empty { $$ = NULL; }
  | TTL duration { $$ = $2; }
  ;

opt_default:
    %empty { $$ = NULL; }
  | DEFAULT literal { $$ = $2.e; }
  ;

/* A default value: a literal, numbers possibly negated (folded into the literal). */
literal:
    INT { $$ = leaf(pc, AST_INT, @1); $$.e->int_value = $1; }
  | '-' INT { $$ = leaf(pc, AST_INT, @$); $$.e->int_value = -$2; }
  | '-' INT_MIN_ABS { $$ = leaf(pc, AST_INT, @$); $$.e->int_value = INT64_MIN; }
  | FLOAT { $$ = leaf(pc, AST_FLOAT, @1); $$.e->float_value = $1; }
  | '-' FLOAT { $$ = leaf(pc, AST_FLOAT, @$); $$.e->float_value = -$2; }
  | STRING { $$ = leaf(pc, AST_STRING, @1); $$.e->str = $1.s; $$.e->str_len = $1.len; }
  | TRUE { $$ = leaf(pc, AST_BOOL, @1); $$.e->bool_value = true; }
  | FALSE { $$ = leaf(pc, AST_BOOL, @1); }
  | NULL { $$ = leaf(pc, AST_NULL, @1); }
  ;

/* ---- on_demand ---- */

on_demand_kw: ON_DEMAND { yyerrok; } ;

on_demand_decl:
    on_demand_kw name '(' opt_name_list ')' '{' od_members '}'
      {
          ast_on_demand *o = arena_alloc(pc->mem, sizeof *o);
          o->name = $2;
          o->inputs = $4;
          o->features = $7;
          o->span = @$;
          add_decl(pc, AST_DECL_ON_DEMAND, o);
      }
  ;

opt_name_list:
    %empty { $$ = (ptrvec){0}; }
  | name_list { $$ = $1; }
  ;

od_members:
    %empty { $$ = (ptrvec){0}; }
  | od_members name '=' expr NEWLINE
      {
          ast_let *l = arena_alloc(pc->mem, sizeof *l);
          l->name = $2;
          l->value = $4.e;
          l->span = (src_span){@2.begin, @4.end};
          $$ = $1;
          ptrvec_push(pc->mem, &$$, l);
      }
  | od_members error NEWLINE { $$ = $1; yyerrok; }
  ;

/* ---- service ---- */

service_kw: SERVICE { yyerrok; } ;

service_decl:
    service_kw name opt_request '{' service_items '}'
      {
          ast_service *s = arena_alloc(pc->mem, sizeof *s);
          s->name = $2;
          s->request = $3;
          s->items = $5;
          s->span = @$;
          add_decl(pc, AST_DECL_SERVICE, s);
      }
  ;

opt_request:
    %empty { $$ = (ast_name){NULL, @$}; }
  | '(' name ')' { $$ = $2; }
  ;

service_items:
    %empty { $$ = (ptrvec){0}; }
  | service_items service_item NEWLINE { $$ = $1; ptrvec_push(pc->mem, &$$, $2); }
  | service_items error NEWLINE { $$ = $1; yyerrok; }
  ;

service_item:
    name '.' name
      {
          $$ = arena_alloc(pc->mem, sizeof *$$);
          $$->block = $1;
          $$->feature = $3;
          $$->span = @$;
      }
  | name '.' '*'
      {
          $$ = arena_alloc(pc->mem, sizeof *$$);
          $$->block = $1;
          $$->feature = (ast_name){"*", @3};
          $$->star = true;
          $$->span = @$;
      }
  ;

/* ---- expressions, lowest precedence first ---- */

expr: or_expr { $$ = $1; } ;

or_expr:
    and_expr { $$ = $1; }
  | or_expr OR and_expr { $$ = binary(pc, AST_OP_OR, $1, $3, @$, @2); }
  ;

and_expr:
    not_expr { $$ = $1; }
  | and_expr AND not_expr { $$ = binary(pc, AST_OP_AND, $1, $3, @$, @2); }
  ;

not_expr:
    cmp_expr { $$ = $1; }
  | NOT not_expr { $$ = unary(pc, AST_OP_NOT, $2, @$, @1); }
  ;

/* Comparisons do not chain: each side is an additive expression. */
cmp_expr:
    add_expr { $$ = $1; }
  | add_expr cmp_op add_expr { $$ = binary(pc, $2, $1, $3, @$, @2); }
  | add_expr IS NULL
      {
          ast_expr *e = new_expr(pc, AST_IS_NULL, @$);
          e->lhs = $1.e;
          $$ = capped(pc, e, $1.depth + 1, @2);
      }
  | add_expr IS NOT NULL
      {
          ast_expr *e = new_expr(pc, AST_IS_NULL, @$);
          e->lhs = $1.e;
          e->negated = true;
          $$ = capped(pc, e, $1.depth + 1, @2);
      }
  | add_expr IN '(' expr_list ')'
      {
          ast_expr *e = new_expr(pc, AST_IN, @$);
          e->lhs = $1.e;
          e->args = $4.v;
          $$ = capped(pc, e, 1 + ($1.depth > $4.depth ? $1.depth : $4.depth), @2);
      }
  | add_expr NOTIN '(' expr_list ')'
      {
          ast_expr *e = new_expr(pc, AST_IN, @$);
          e->lhs = $1.e;
          e->args = $4.v;
          e->negated = true;
          $$ = capped(pc, e, 1 + ($1.depth > $4.depth ? $1.depth : $4.depth), @2);
      }
  ;

cmp_op:
    '=' { $$ = AST_OP_EQ; }
  | NE { $$ = AST_OP_NE; }
  | '<' { $$ = AST_OP_LT; }
  | LE { $$ = AST_OP_LE; }
  | '>' { $$ = AST_OP_GT; }
  | GE { $$ = AST_OP_GE; }
  ;

add_expr:
    mul_expr { $$ = $1; }
  | add_expr '+' mul_expr { $$ = binary(pc, AST_OP_ADD, $1, $3, @$, @2); }
  | add_expr '-' mul_expr { $$ = binary(pc, AST_OP_SUB, $1, $3, @$, @2); }
  | add_expr CONCAT mul_expr { $$ = binary(pc, AST_OP_CONCAT, $1, $3, @$, @2); }
  ;

mul_expr:
    unary { $$ = $1; }
  | mul_expr '*' unary { $$ = binary(pc, AST_OP_MUL, $1, $3, @$, @2); }
  | mul_expr '/' unary { $$ = binary(pc, AST_OP_DIV, $1, $3, @$, @2); }
  | mul_expr '%' unary { $$ = binary(pc, AST_OP_MOD, $1, $3, @$, @2); }
  ;

unary:
    primary { $$ = $1; }
  | '-' unary { $$ = unary(pc, AST_OP_NEG, $2, @$, @1); }
  | '-' INT_MIN_ABS { $$ = leaf(pc, AST_INT, @$); $$.e->int_value = INT64_MIN; }
  ;

primary:
    INT { $$ = leaf(pc, AST_INT, @1); $$.e->int_value = $1; }
  | FLOAT { $$ = leaf(pc, AST_FLOAT, @1); $$.e->float_value = $1; }
  | STRING { $$ = leaf(pc, AST_STRING, @1); $$.e->str = $1.s; $$.e->str_len = $1.len; }
  | TRUE { $$ = leaf(pc, AST_BOOL, @1); $$.e->bool_value = true; }
  | FALSE { $$ = leaf(pc, AST_BOOL, @1); }
  | NULL { $$ = leaf(pc, AST_NULL, @1); }
  | DURATION { $$ = leaf(pc, AST_DURATION, @1); $$.e->int_value = $1; }
  | name { $$ = leaf(pc, AST_NAME, @1); $$.e->name = $1; }
  | name '.' name
      {
          $$ = leaf(pc, AST_DOT, @$);
          $$.e->qualifier = $1;
          $$.e->name = $3;
      }
  | name '(' ')' { $$ = leaf(pc, AST_CALL, @$); $$.e->name = $1; }
  | name '(' expr_list ')'
      {
          ast_expr *e = new_expr(pc, AST_CALL, @$);
          e->name = $1;
          e->args = $3.v;
          $$ = capped(pc, e, $3.depth + 1, @1);
      }
  | '(' expr ')'
      {
          $$ = $2;
          $$.e->parenthesized = true;
          $$.e->span = @$;
      }
  | case_expr { $$ = $1; }
  ;

case_expr:
    CASE when_list END
      {
          ast_expr *e = new_expr(pc, AST_CASE, @$);
          e->args = $2.v;
          $$ = capped(pc, e, $2.depth + 1, @1);
      }
  | CASE when_list ELSE expr END
      {
          ast_expr *e = new_expr(pc, AST_CASE, @$);
          e->args = $2.v;
          e->rhs = $4.e;
          $$ = capped(pc, e, 1 + ($2.depth > $4.depth ? $2.depth : $4.depth), @1);
      }
  ;

when_list:
    WHEN expr THEN expr
      {
          $$ = (plist){{0}, 0};
          list_add(pc, &$$, $2);
          list_add(pc, &$$, $4);
      }
  | when_list WHEN expr THEN expr
      {
          $$ = $1;
          list_add(pc, &$$, $3);
          list_add(pc, &$$, $5);
      }
  ;

expr_list:
    expr { $$ = (plist){{0}, 0}; list_add(pc, &$$, $1); }
  | expr_list ',' expr { $$ = $1; list_add(pc, &$$, $3); }
  ;

%%


/* ---- node construction ---- */

static ast_expr *new_expr(parse_ctx *pc, ast_expr_kind kind, src_span span)
{
    ast_expr *e = arena_alloc(pc->mem, sizeof *e);
    e->kind = kind;
    e->span = span;
    return e;
}

static pexpr leaf(parse_ctx *pc, ast_expr_kind kind, src_span span)
{
    return (pexpr){new_expr(pc, kind, span), 1};
}

/* Returns e with its tree depth; when that exceeds PARSE_DEPTH_MAX, reports it (once per
 * member) and returns a null leaf instead, so that no later pass recurses too deep. */
static pexpr capped(parse_ctx *pc, ast_expr *e, int depth, src_span at)
{
    if (depth <= PARSE_DEPTH_MAX)
        return (pexpr){e, depth};
    if (!pc->deep_reported) {
        pc->deep_reported = true;
        parse_report(pc, at, NULL, "expression nested too deeply (more than %d levels)",
                     PARSE_DEPTH_MAX);
    }
    return leaf(pc, AST_NULL, e->span);
}

static pexpr unary(parse_ctx *pc, ast_op op, pexpr a, src_span span, src_span at)
{
    ast_expr *e = new_expr(pc, AST_UNARY, span);
    e->op = op;
    e->lhs = a.e;
    return capped(pc, e, a.depth + 1, at);
}

static pexpr binary(parse_ctx *pc, ast_op op, pexpr a, pexpr b, src_span span, src_span at)
{
    ast_expr *e = new_expr(pc, AST_BINARY, span);
    e->op = op;
    e->lhs = a.e;
    e->rhs = b.e;
    return capped(pc, e, 1 + (a.depth > b.depth ? a.depth : b.depth), at);
}

static void list_add(parse_ctx *pc, plist *l, pexpr x)
{
    ptrvec_push(pc->mem, &l->v, x.e);
    if (x.depth > l->depth)
        l->depth = x.depth;
}

static ast_name *name_copy(parse_ctx *pc, ast_name n)
{
    ast_name *p = arena_alloc(pc->mem, sizeof *p);
    *p = n;
    return p;
}

static void add_decl(parse_ctx *pc, ast_decl_kind kind, void *node)
{
    ast_decl *d = arena_alloc(pc->mem, sizeof *d);
    d->kind = kind;
    switch (kind) {
    case AST_DECL_ENTITY: d->entity = node; break;
    case AST_DECL_SOURCE: d->source = node; break;
    case AST_DECL_VIEW: d->view = node; break;
    case AST_DECL_ON_DEMAND: d->on_demand = node; break;
    case AST_DECL_SERVICE: d->service = node; break;
    }
    ptrvec_push(pc->mem, &pc->file->decls, d);
}

/* ---- errors ---- */

void parse_report(parse_ctx *pc, src_span at, const char *hint, const char *fmt, ...)
{
    if (pc->stop)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (pc->last_err_msg && pc->last_err_begin == at.begin && strcmp(pc->last_err_msg, buf) == 0)
        return;
    if (pc->nerrors >= PARSE_ERRORS_MAX) {
        diag_error(pc->d, at, "too many errors; giving up on this file");
        pc->stop = true;
        return;
    }
    pc->nerrors++;
    if (pc->brace > 0 && at.begin == pc->brace_span.begin)
        pc->brace_reported = true;
    pc->last_err_begin = at.begin;
    pc->last_err_msg = arena_strdup(pc->mem, buf);
    if (hint)
        diag_error_hint(pc->d, at, hint, "%s", buf);
    else
        diag_error(pc->d, at, "%s", buf);
}

int parse_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        *cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        *cp = c & 0x0f;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        *cp = c & 0x07;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f; /* at most U+10FFFF */
    } else {
        return 0;
    }
    if (n < (size_t)len)
        return 0;
    for (int i = 1; i < len; i++) {
        unsigned b = s[i];
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
            return 0;
        *cp = (*cp << 6) | (b & 0x3f);
    }
    return len;
}

void parse_excerpt(const parse_ctx *pc, src_span at, char *out, size_t n)
{
    assert(n >= 16);
    enum { MAX_SHOWN = 40 };
    size_t o = 0, shown = 0;
    size_t i = at.begin, end = at.end <= pc->src_len ? at.end : pc->src_len;
    while (i < end) {
        if (shown == MAX_SHOWN) {
            if (o + 4 <= n) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        const unsigned char *p = (const unsigned char *)pc->src + i;
        uint32_t cp = 0;
        int k = parse_utf8(p, end - i, &cp);
        char tmp[8];
        size_t tl;
        if (k == 1 && cp >= 0x20 && cp < 0x7f) {
            tmp[0] = (char)cp;
            tl = 1;
        } else if (k > 1 && cp >= 0xa0) {
            memcpy(tmp, p, (size_t)k);
            tl = (size_t)k;
        } else {
            k = 1;
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", p[0]);
        }
        if (o + tl + 1 > n)
            break;
        memcpy(out + o, tmp, tl);
        o += tl;
        i += (size_t)k;
        shown++;
    }
    out[o] = '\0';
}

/* Bison reports running out of stack this way; anything else is unexpected. */
static void parser_error(PARSER_LTYPE *loc, yyscan_t scanner, parse_ctx *pc, const char *msg)
{
    (void)scanner;
    if (strstr(msg, "exhausted"))
        parse_report(pc, *loc, NULL, "input nested too deeply to parse");
    else
        parse_report(pc, *loc, NULL, "%s", msg);
}

/* How a token the parser did not expect is named: by its text when it has one. */
static void describe_unexpected(const parse_ctx *pc, yysymbol_kind_t tok, src_span at,
                                char *out, size_t n)
{
    char text[200];
    parse_excerpt(pc, at, text, sizeof text);
    switch (tok) {
    case YYSYMBOL_YYEOF:
        snprintf(out, n, "end of file");
        return;
    case YYSYMBOL_NEWLINE:
        /* An empty span marks a newline the filter inserted before '}' or at the end. */
        if (at.begin == at.end && at.begin >= pc->src_len)
            snprintf(out, n, "end of file");
        else if (at.begin == at.end && pc->src[at.begin] == '}')
            snprintf(out, n, "'}'");
        else
            snprintf(out, n, "end of line");
        return;
    case YYSYMBOL_IDENT:
        if (text[0] == '`')
            snprintf(out, n, "name %s", text);
        else
            snprintf(out, n, "name '%s'", text);
        return;
    case YYSYMBOL_STRING:
        snprintf(out, n, "string %s", text);
        return;
    case YYSYMBOL_INT:
    case YYSYMBOL_INT_MIN_ABS:
    case YYSYMBOL_FLOAT:
        snprintf(out, n, "number %s", text);
        return;
    case YYSYMBOL_DURATION:
        snprintf(out, n, "duration %s", text);
        return;
    case YYSYMBOL_TABLE_M:
        snprintf(out, n, "'table'");
        return;
    default:
        snprintf(out, n, "%s", yysymbol_name(tok));
        return;
    }
}

/* How an expected token is named in "expected ..." lists; NULL to leave it out. */
static const char *describe_expected(yysymbol_kind_t kind)
{
    switch (kind) {
    case YYSYMBOL_IDENT: return "a name";
    case YYSYMBOL_STRING: return "a string";
    case YYSYMBOL_INT:
    case YYSYMBOL_FLOAT: return "a number";
    case YYSYMBOL_DURATION: return "a duration";
    case YYSYMBOL_TABLE_M: return "'table'";
    case YYSYMBOL_INT_MIN_ABS:
    case YYSYMBOL_YYerror:
    case YYSYMBOL_YYUNDEF:
    case YYSYMBOL_YYEMPTY: return NULL;
    default: return yysymbol_name(kind);
    }
}

static bool is_keyword(yysymbol_kind_t kind)
{
    const char *s = yysymbol_name(kind);
    return s[0] == '\'' && s[1] >= 'a' && s[1] <= 'z';
}

/* Marks every kind of `kinds` as used. */
static void mark_all(bool *used, const yysymbol_kind_t *kinds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        used[kinds[i]] = true;
}

static bool any_of(const bool *has, const yysymbol_kind_t *kinds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (has[kinds[i]])
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The syntax error message: "unexpected X, expected A, B or C", with expected tokens
 * grouped ("an expression", "an operator", "a declaration"), plus hints for common
 * mistakes (chained comparisons, clause order, reserved words used as names). */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, parse_ctx *pc)
{
    (void)scanner;
    yysymbol_kind_t tok = yypcontext_token(ctx);
    src_span at = *yypcontext_location(ctx);
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    bool has[YYNTOKENS] = {0}, used[YYNTOKENS] = {0};
    for (int i = 0; i < n; i++)
        has[exp[i]] = true;

    const yysymbol_kind_t expr_start[] = {
        YYSYMBOL_IDENT, YYSYMBOL_STRING, YYSYMBOL_INT, YYSYMBOL_INT_MIN_ABS, YYSYMBOL_FLOAT,
        YYSYMBOL_DURATION, YYSYMBOL_NOT, YYSYMBOL_NULL, YYSYMBOL_CASE, YYSYMBOL_TRUE,
        YYSYMBOL_FALSE, YYTRANSLATE('('), YYTRANSLATE('-')};
    const yysymbol_kind_t compare[] = {
        YYTRANSLATE('='), YYSYMBOL_NE, YYTRANSLATE('<'), YYSYMBOL_LE, YYTRANSLATE('>'),
        YYSYMBOL_GE, YYSYMBOL_IS, YYSYMBOL_IN, YYSYMBOL_NOTIN};
    const yysymbol_kind_t operators[] = {
        YYTRANSLATE('+'), YYTRANSLATE('-'), YYTRANSLATE('*'), YYTRANSLATE('/'),
        YYTRANSLATE('%'), YYSYMBOL_CONCAT, YYSYMBOL_AND, YYSYMBOL_OR};
    const yysymbol_kind_t decl_start[] = {
        YYSYMBOL_ENTITY, YYSYMBOL_STREAM, YYSYMBOL_TABLE, YYSYMBOL_REQUEST,
        YYSYMBOL_FEATURES, YYSYMBOL_ON_DEMAND, YYSYMBOL_SERVICE};
    const yysymbol_kind_t clauses[] = {
        YYSYMBOL_OVER, YYSYMBOL_HOP, YYSYMBOL_WHERE, YYSYMBOL_TTL, YYSYMBOL_DEFAULT};

    char what[256];
    describe_unexpected(pc, tok, at, what, sizeof what);

    if (tok == YYSYMBOL_INT_MIN_ABS) {
        parse_report(pc, at, NULL,
                     "integer 9223372036854775808 is out of range for int (only "
                     "-9223372036854775808 is allowed)");
        return 0;
    }
    bool is_compare = false;
    for (size_t i = 0; i < COUNT(compare); i++)
        is_compare |= tok == compare[i];
    if (is_compare && has[YYSYMBOL_AND] && !any_of(has, compare, COUNT(compare))) {
        parse_report(pc, at, "combine comparisons with 'and', or put one of them in parentheses",
                     "unexpected %s after a comparison: comparisons do not chain", what);
        return 0;
    }

    const char *items[YYNTOKENS + 3];
    int k = 0;
    if (has[YYSYMBOL_IDENT] && has[YYSYMBOL_INT] && has[YYTRANSLATE('(')]) {
        items[k++] = "an expression";
        mark_all(used, expr_start, COUNT(expr_start));
    }
    if (has[YYTRANSLATE('+')] && has[YYTRANSLATE('*')]) {
        items[k++] = "an operator";
        mark_all(used, operators, COUNT(operators));
        mark_all(used, compare, COUNT(compare));
        used[YYTRANSLATE('(')] = used[YYTRANSLATE('.')] = true; /* after a name */
    }
    const yysymbol_kind_t literals[] = {
        YYSYMBOL_STRING, YYSYMBOL_INT, YYSYMBOL_INT_MIN_ABS, YYSYMBOL_FLOAT, YYSYMBOL_NULL,
        YYSYMBOL_TRUE, YYSYMBOL_FALSE, YYTRANSLATE('-')};
    bool literal_group = false;
    if (!has[YYSYMBOL_IDENT] && has[YYSYMBOL_STRING] && has[YYSYMBOL_INT] && has[YYSYMBOL_TRUE]) {
        items[k++] = "a literal";
        mark_all(used, literals, COUNT(literals));
        literal_group = true;
    }
    if (has[YYSYMBOL_ENTITY] && has[YYSYMBOL_SERVICE]) {
        items[k++] = "a declaration";
        mark_all(used, decl_start, COUNT(decl_start));
    }
    used[YYSYMBOL_NEWLINE] = used[YYSYMBOL_YYEOF] = true;
    for (int kind = 0; kind < YYNTOKENS; kind++) {
        if (!has[kind] || used[kind])
            continue;
        const char *d = describe_expected((yysymbol_kind_t)kind);
        bool dup = d == NULL;
        for (int j = 0; j < k && !dup; j++)
            dup = strcmp(items[j], d) == 0;
        if (!dup)
            items[k++] = d;
    }
    if (has[YYSYMBOL_NEWLINE])
        items[k++] = "end of line";
    if (has[YYSYMBOL_YYEOF])
        items[k++] = "end of file";

    char list[512] = "";
    if (k > 0 && k <= 8) {
        size_t o = 0;
        for (int j = 0; j < k; j++) {
            const char *sep = j == 0 ? ", expected " : j == k - 1 ? " or " : ", ";
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", sep, items[j]);
        }
    }

    /* Hints for the usual mistakes. */
    const char *hint = NULL;
    char hint_buf[160];
    yysymbol_kind_t prev = YYTRANSLATE(pc->tok_prev);
    bool clause = false;
    for (size_t i = 0; i < COUNT(clauses); i++)
        clause |= tok == clauses[i];
    yysymbol_kind_t reserved = YYSYMBOL_YYEMPTY;
    if (has[YYSYMBOL_IDENT] && is_keyword(tok))
        reserved = tok;
    else if (is_keyword(prev) && (tok == YYTRANSLATE(':') ||
                                  (has[YYSYMBOL_IDENT] && tok == YYTRANSLATE('='))))
        reserved = prev;
    bool expr_expected = has[YYSYMBOL_IDENT] && has[YYSYMBOL_INT] && has[YYTRANSLATE('(')];
    if ((pc->paren > 0 || pc->cased > 0) && pc->brace > 0 && (pc->tok_nl_before || clause)) {
        /* A member that runs on into the next line: most likely a '(' or a case left
         * open. Forget the nesting so that recovery ends with this line. */
        int line, col;
        diag_line_col(pc->d, pc->open_at.begin, &line, &col);
        snprintf(hint_buf, sizeof hint_buf,
                 pc->src[pc->open_at.begin] == '(' ? "the '(' on line %d is not closed"
                                                   : "the 'case' on line %d has no 'end'",
                 line);
        hint = hint_buf;
        pc->paren = pc->cased = pc->prefix_run = 0;
    } else if (clause && pc->in_feature) {
        hint = "a feature's clauses come in this order: over D [hop H], where C, ttl D, default V";
    } else if (reserved != YYSYMBOL_YYEMPTY) {
        const char *w = yysymbol_name(reserved) + 1; /* 'word' */
        int wl = (int)strcspn(w, "'");
        snprintf(hint_buf, sizeof hint_buf,
                 "'%.*s' is a reserved word; write `%.*s` to use it as a name", wl, w, wl, w);
        hint = hint_buf;
    } else if (n == 1 && has[YYSYMBOL_DURATION] &&
               (tok == YYSYMBOL_INT || tok == YYSYMBOL_FLOAT)) {
        hint = "a duration is a whole number followed by ms, s, m, h, d or w, as in 10m";
    } else if (tok == YYTRANSLATE('*') && prev == YYTRANSLATE('(')) {
        hint = "write count() to count rows";
    } else if (literal_group) {
        hint = "a default value is a literal: a number, a string, true, false or null";
    } else if (tok == YYSYMBOL_NEWLINE && at.begin < pc->src_len && pc->src[at.begin] == '\n' &&
               expr_expected) {
        hint = "a member ends at the end of its line; to go on, wrap the expression in parentheses";
    } else if (prev == YYSYMBOL_STRING && pc->tok_prev_loc.end - pc->tok_prev_loc.begin >= 3 &&
               pc->src[pc->tok_prev_loc.end - 2] == '\\') {
        hint = "a quote inside a string is written '' (a backslash does not escape it)";
    }
    parse_report(pc, at, hint, "unexpected %s%s", what, list);
    return 0;
}
