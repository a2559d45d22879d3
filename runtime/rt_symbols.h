/* rt_symbols.h - the runtime functions generated code calls, by name, for the JIT to resolve. */
#ifndef FEATRT_SYMBOLS_H
#define FEATRT_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

/* A function's address as a generic function pointer (cast back before calling). */
typedef void (*rt_symbol_fn)(void);

typedef struct rt_symbol {
    const char *name;
    rt_symbol_fn addr;
    bool allocates; /* takes memory from its scratch argument (others accept NULL) */
} rt_symbol;

/* Returns the table of every libfeatrt function the code generator may emit a call to, and
 * its length in *count. The table is constant and lives for the whole program; referencing
 * it also keeps those functions linked into executables that use libfeatrt.a. */
const rt_symbol *rt_symbols(size_t *count);

/* Whether the runtime function called name takes memory from its scratch argument; false for
 * a name not in the table. */
bool rt_symbol_allocates(const char *name);

#endif
