/* parse.c - runs the flex scanner and the bison parser over one source buffer. */
#include "parse.h"

#include "parser.h"
#include "lexer.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* flex takes the buffer length as an int (and adds two bytes). */
#define PARSE_SRC_MAX ((size_t)INT_MAX - 16)

ast_file *parse_source(arena *mem, diag_ctx *d, const char *src, size_t src_len)
{
    ast_file *file = arena_alloc(mem, sizeof *file);
    if (src_len > PARSE_SRC_MAX) {
        diag_error(d, (src_span){0, 0}, "file too large (%zu bytes)", src_len);
        return file;
    }
    parse_ctx pc = {
        .mem = mem,
        .d = d,
        .src = src,
        .src_len = src_len,
        .file = file,
        .tok_last = -1,
        .tok_prev = -1,
    };
    yyscan_t scanner;
    if (lexer_lex_init_extra(&pc, &scanner) != 0) {
        fputs("featc: out of memory\n", stderr);
        abort();
    }
    lexer__scan_bytes(src ? src : "", (int)src_len, scanner);
    parser_parse(scanner, &pc);
    lexer_lex_destroy(scanner);
    return file;
}
