/* symtab.h - a name -> value map for one scope, also catching names that differ only in case. */
#ifndef FEATC_SYMTAB_H
#define FEATC_SYMTAB_H

#include "arena.h"

typedef struct symtab_entry symtab_entry;

typedef struct symtab {
    arena *mem;
    symtab_entry **slots;
    int cap;
    int len;
} symtab;

void symtab_init(symtab *t, arena *mem);
/* The value stored under exactly this name, or NULL. */
void *symtab_get(const symtab *t, const char *name);
/* The name already stored that equals name ignoring ASCII case (including name itself), or NULL. */
const char *symtab_get_folded(const symtab *t, const char *name);
/* Stores name -> value. The caller checks for duplicates first (value must not be NULL). */
void symtab_put(symtab *t, const char *name, void *value);
/* Every stored name, for "did you mean" hints: fills names (arena-allocated), returns count. */
int symtab_names(const symtab *t, const char ***names);

#endif
