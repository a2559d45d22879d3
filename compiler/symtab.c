/* symtab.c - a name -> value map for one scope, also catching names that differ only in case. */
#include "symtab.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

struct symtab_entry {
    const char *name;
    void *value;
    uint64_t folded_hash;
};

static uint64_t hash_folded(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

static int equal_folded(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

void symtab_init(symtab *t, arena *mem)
{
    t->mem = mem;
    t->slots = NULL;
    t->cap = 0;
    t->len = 0;
}

/* Entries are keyed by the case-folded name; several entries may share a folded name
 * (they are stored after one another in the probe sequence). */
static void symtab_grow(symtab *t)
{
    int cap = t->cap ? t->cap * 2 : 16;
    symtab_entry **slots = arena_alloc(t->mem, sizeof(*slots) * (size_t)cap);
    for (int i = 0; i < t->cap; i++) {
        symtab_entry *e = t->slots[i];
        if (!e)
            continue;
        int j = (int)(e->folded_hash & (uint64_t)(cap - 1));
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = e;
    }
    t->slots = slots;
    t->cap = cap;
}

void *symtab_get(const symtab *t, const char *name)
{
    if (!t->cap)
        return NULL;
    uint64_t h = hash_folded(name);
    for (int j = (int)(h & (uint64_t)(t->cap - 1)); t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (t->slots[j]->folded_hash == h && strcmp(t->slots[j]->name, name) == 0)
            return t->slots[j]->value;
    return NULL;
}

const char *symtab_get_folded(const symtab *t, const char *name)
{
    if (!t->cap)
        return NULL;
    uint64_t h = hash_folded(name);
    for (int j = (int)(h & (uint64_t)(t->cap - 1)); t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (t->slots[j]->folded_hash == h && equal_folded(t->slots[j]->name, name))
            return t->slots[j]->name;
    return NULL;
}

void symtab_put(symtab *t, const char *name, void *value)
{
    assert(value != NULL);
    if ((t->len + 1) * 2 > t->cap)
        symtab_grow(t);
    symtab_entry *e = arena_alloc(t->mem, sizeof *e);
    e->name = name;
    e->value = value;
    e->folded_hash = hash_folded(name);
    int j = (int)(e->folded_hash & (uint64_t)(t->cap - 1));
    while (t->slots[j])
        j = (j + 1) & (t->cap - 1);
    t->slots[j] = e;
    t->len++;
}

int symtab_names(const symtab *t, const char ***names)
{
    const char **out = arena_alloc(t->mem, sizeof(char *) * (size_t)(t->len + 1));
    int n = 0;
    for (int i = 0; i < t->cap; i++)
        if (t->slots[i])
            out[n++] = t->slots[i]->name;
    *names = out;
    return n;
}
