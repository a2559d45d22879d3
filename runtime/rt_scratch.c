/* rt_scratch.c - bump allocator for per-row and per-query temporary values. */
#include "rt_scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define RT_SCRATCH_ALIGN 16
#define RT_SCRATCH_MIN_BLOCK ((size_t)4096)

struct rt_scratch_block {
    rt_scratch_block *next; /* older block */
    size_t size;            /* usable bytes after the header */
    _Alignas(RT_SCRATCH_ALIGN) char data[];
};

void rt_scratch_init(rt_scratch *s) {
    s->blocks = NULL;
    s->cur = NULL;
    s->end = NULL;
}

/* Prints a message and aborts: evaluation cannot report an allocation failure. */
static _Noreturn void scratch_oom(size_t n) {
    fprintf(stderr, "featrt: out of memory (scratch allocation of %zu bytes)\n", n);
    abort();
}

/* Adds a block with room for at least n bytes, at least twice the newest block's size. */
static void scratch_grow(rt_scratch *s, size_t n) {
    size_t size = RT_SCRATCH_MIN_BLOCK;
    if (s->blocks && s->blocks->size <= SIZE_MAX / 4)
        size = s->blocks->size * 2;
    if (size < n)
        size = n;
    if (size > SIZE_MAX - sizeof(rt_scratch_block))
        scratch_oom(n);
    rt_scratch_block *b = malloc(sizeof(rt_scratch_block) + size);
    if (!b)
        scratch_oom(n);
    b->next = s->blocks;
    b->size = size;
    s->blocks = b;
    s->cur = b->data;
    s->end = b->data + size;
}

void *rt_scratch_alloc(rt_scratch *s, size_t n) {
    if (n > SIZE_MAX - RT_SCRATCH_ALIGN)
        scratch_oom(n);
    size_t rounded = (n + RT_SCRATCH_ALIGN - 1) & ~(size_t)(RT_SCRATCH_ALIGN - 1);
    if (rounded == 0)
        rounded = RT_SCRATCH_ALIGN;
    if (!s->cur || (size_t)(s->end - s->cur) < rounded)
        scratch_grow(s, rounded);
    void *p = s->cur;
    s->cur += rounded;
    return p;
}

void rt_scratch_reset(rt_scratch *s) {
    if (!s->blocks)
        return;
    if (s->blocks->next) {
        /* Several blocks were needed: replace them by one block of their combined size,
         * so that the same load next time is served from a single block. */
        size_t total = rt_scratch_reserved(s);
        rt_scratch_free(s);
        scratch_grow(s, total);
        return;
    }
    s->cur = s->blocks->data;
}

size_t rt_scratch_reserved(const rt_scratch *s) {
    size_t total = 0;
    for (const rt_scratch_block *b = s->blocks; b; b = b->next)
        total += b->size;
    return total;
}

void rt_scratch_free(rt_scratch *s) {
    rt_scratch_block *b = s->blocks;
    while (b) {
        rt_scratch_block *next = b->next;
        free(b);
        b = next;
    }
    rt_scratch_init(s);
}
