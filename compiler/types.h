/* types.h - the value types of the feature language and their names. */
#ifndef FEATC_TYPES_H
#define FEATC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types. FT_DURATION only types duration literals (microseconds); FT_NULL is the
 * type of the bare `null` literal before it is given a context; FT_ERROR marks an
 * expression whose type could not be decided (an error was already reported). */
typedef enum ftype {
    FT_ERROR = 0,
    FT_NULL,
    FT_BOOL,
    FT_INT,
    FT_FLOAT,
    FT_STRING,
    FT_TIMESTAMP,
    FT_DURATION,
} ftype;

/* Spelling of a type as written in a .feat file ("int", "timestamp", ...). */
const char *ftype_name(ftype t);
/* Parses a type name; returns FT_ERROR when it is not one. */
ftype ftype_from_name(const char *name);

/* A byte range [begin, end) in the source text. */
typedef struct src_span {
    size_t begin;
    size_t end;
} src_span;

#endif
