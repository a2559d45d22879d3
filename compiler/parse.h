/* parse.h - entry point of the flex/bison front end: source text to AST. */
#ifndef FEATC_PARSE_H
#define FEATC_PARSE_H

#include "ast.h"
#include "diag.h"

/* Parses src (src_len bytes, need not be NUL-terminated, may hold any bytes) into a tree
 * allocated in mem. Every lexical and syntax error is recorded in d (with recovery, so
 * later errors are found too). Returns a tree (possibly partial) even when errors were
 * recorded; never NULL. */
ast_file *parse_source(arena *mem, diag_ctx *d, const char *src, size_t src_len);

#endif
