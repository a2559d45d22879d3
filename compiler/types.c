/* types.c - names of the value types. */
#include "types.h"

#include <string.h>

const char *ftype_name(ftype t)
{
    switch (t) {
    case FT_ERROR: return "<error>";
    case FT_NULL: return "null";
    case FT_BOOL: return "bool";
    case FT_INT: return "int";
    case FT_FLOAT: return "float";
    case FT_STRING: return "string";
    case FT_TIMESTAMP: return "timestamp";
    case FT_DURATION: return "duration";
    }
    return "<bad type>";
}

ftype ftype_from_name(const char *name)
{
    static const ftype all[] = {FT_BOOL, FT_INT, FT_FLOAT, FT_STRING, FT_TIMESTAMP};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, ftype_name(all[i])) == 0)
            return all[i];
    return FT_ERROR;
}
