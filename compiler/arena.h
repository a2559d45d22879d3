/* arena.h - bump allocator that owns every AST and plan node of one compilation. */
#ifndef FEATC_ARENA_H
#define FEATC_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head; /* newest block first */
} arena;

void arena_init(arena *a);
/* Frees every allocation made from the arena at once. */
void arena_free(arena *a);
/* Returns zeroed, 16-byte aligned memory that lives until arena_free. Aborts on OOM. */
void *arena_alloc(arena *a, size_t size);
/* Copies n bytes of s into the arena and adds a terminating NUL. */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable array of pointers whose storage lives in an arena. */
typedef struct ptrvec {
    void **items;
    int len;
    int cap;
} ptrvec;

void ptrvec_push(arena *a, ptrvec *v, void *item);

#endif
