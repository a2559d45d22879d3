/* fmt.h - the canonical layout of a feature file (`featc fmt`), comments kept. */
#ifndef FEATC_FMT_H
#define FEATC_FMT_H

#include "ast.h"
#include "strbuf.h"

/* Writes the canonical text of file (parsed from src[0..len) without syntax errors) to out:
 * declarations in source order, one blank line between them; fields of a source with their
 * names padded to one column, then its clauses in the contract's order (time, seq, lateness,
 * arrival, max_ahead, unique, expect, table); members of a view, on_demand block or service
 * in source order (a blank line kept where the source had one), `=` aligned within a block;
 * one space around binary operators; expressions on one line, parentheses kept where they
 * were written and added where precedence needs them; literals spelled as written. Every
 * comment is kept: on its own line before the member or declaration that follows it, or at
 * the end of the line of the member it trailed. */
void fmt_file(const ast_file *file, const char *src, size_t len, strbuf *out);

#endif
