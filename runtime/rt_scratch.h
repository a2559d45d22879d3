/* rt_scratch.h - bump allocator for temporary values built while evaluating a row or query. */
#ifndef FEATRT_SCRATCH_H
#define FEATRT_SCRATCH_H

#include <stddef.h>

/* One block of scratch memory; blocks form a list, newest first. */
typedef struct rt_scratch_block rt_scratch_block;

/* A scratch area: memory handed out by rt_scratch_alloc stays valid until the next
 * rt_scratch_reset or rt_scratch_free. Owned by one thread. Zero-initialised memory
 * ({0}) is a valid empty scratch, as is one set up by rt_scratch_init. */
typedef struct rt_scratch {
    rt_scratch_block *blocks; /* newest first; the newest is the one being filled */
    char *cur;                /* next free byte of the newest block */
    char *end;                /* one past the newest block's last byte */
} rt_scratch;

/* Makes s an empty scratch area (allocates nothing yet). */
void rt_scratch_init(rt_scratch *s);

/* Returns n bytes aligned to 16, valid until the next reset/free. n == 0 gives a valid
 * non-NULL pointer. Never returns NULL: when the system is out of memory the process
 * prints a message to stderr and aborts (evaluation has no way to report it). */
void *rt_scratch_alloc(rt_scratch *s, size_t n);

/* Releases everything allocated since the last reset but keeps the memory: when more than
 * one block was in use they are replaced by a single block of their combined size, so
 * that steady-state evaluation does not call malloc. */
void rt_scratch_reset(rt_scratch *s);

/* Bytes currently held from the system (all blocks), for metrics and tests. */
size_t rt_scratch_reserved(const rt_scratch *s);

/* Releases all memory; s is then empty (as after rt_scratch_init). */
void rt_scratch_free(rt_scratch *s);

#endif
