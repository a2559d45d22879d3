/* diag.h - collects errors with source spans and prints them with the line and a caret. */
#ifndef FEATC_DIAG_H
#define FEATC_DIAG_H

#include "arena.h"
#include "types.h"

#include <stdio.h>

typedef struct diag_item {
    src_span span;
    const char *message;
    const char *hint; /* NULL or e.g. "did you mean 'amount'?" */
    int order;        /* report order, to keep sorting stable */
} diag_item;

typedef struct diag_ctx {
    arena *mem;
    const char *file_name;
    const char *src;
    size_t src_len;
    ptrvec items; /* of diag_item* */
    int limit;    /* stop collecting after this many (0 = no limit) */
} diag_ctx;

void diag_init(diag_ctx *d, arena *mem, const char *file_name, const char *src, size_t src_len);
/* Records an error at span. The message is printf-formatted into the arena. */
void diag_error(diag_ctx *d, src_span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records an error with a hint line printed after the caret. */
void diag_error_hint(diag_ctx *d, src_span span, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int diag_count(const diag_ctx *d);
/* Prints every error sorted by position: FILE:LINE:COL: error: MSG, the line, a caret line. */
void diag_print(diag_ctx *d, FILE *out);
/* How diagnostics are written: for people (the default), as one JSON document, or as
 * GitHub Actions workflow commands (annotations). */
typedef enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_GITHUB } diag_format;

/* Parses "text", "json" or "github"; false for anything else. */
bool diag_format_parse(const char *name, diag_format *out);

/* Prints every error sorted by position in format f. DIAG_TEXT is diag_print; DIAG_JSON
 * writes {"diagnostics": [{"file", "line", "column", "end_line", "end_column", "severity",
 * "message", "hint"}], "truncated": B} (hint null when none; end is the position just after
 * the span, in the same units as line and column); DIAG_GITHUB writes one
 * "::error file=F,line=L,col=C,endLine=L2,endColumn=C2::MESSAGE" line per error, the hint
 * on a line of its own within the message, everything escaped as GitHub requires. */
void diag_print_as(diag_ctx *d, diag_format f, FILE *out);

/* 1-based line and column (in code points) of a byte offset. */
void diag_line_col(const diag_ctx *d, size_t offset, int *line, int *col);

/* Among candidates (NULL-terminated is not required; n given), the closest to name by edit
 * distance when close enough to be a likely misspelling, else NULL. */
const char *diag_suggest(const char *name, const char *const *candidates, int n);

#endif
