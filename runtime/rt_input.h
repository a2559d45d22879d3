/* rt_input.h - a byte source (file or memory) read through one reusable, growing window. */
#ifndef FEATRT_INPUT_H
#define FEATRT_INPUT_H

#include <stdbool.h>
#include <stddef.h>

/* The unconsumed input is data[pos..end). rt_input_more appends to it and may move it (so
 * keep offsets from pos, not pointers, across calls). A memory input never moves and is
 * never copied. */
typedef struct rt_input {
    const char *data;
    size_t pos;
    size_t end;
    bool eof; /* no more bytes will come */
    int fd;   /* -1 for memory input */
    char *buf;
    size_t cap;
    int err; /* errno of a failed read, else 0 */
    size_t limit; /* 0, or the most bytes the buffer may grow to: a reader that bounds its
                   * records at N sets N + RT_INPUT_CHUNK and consumes an oversized record
                   * before the buffer is full, so a huge line never costs more memory */
} rt_input;

/* Bytes read at a time. */
#define RT_INPUT_CHUNK ((size_t)256 * 1024)

/* Opens a file (read only). Returns false with a message in err on failure. */
bool rt_input_open_file(rt_input *in, const char *path, char *err, size_t errlen);

/* Wraps n bytes at data, borrowed: they must outlive the input. */
void rt_input_open_mem(rt_input *in, const char *data, size_t n);

/* Reads more bytes after end, keeping data[pos..end) (moving it to the front of the buffer
 * and growing the buffer as needed, never past limit when one is set). Returns 1 when bytes
 * were added, 0 at end of input, -1 on a read error (in->err), when out of memory
 * (in->err = ENOMEM) or when the buffer is full at its limit (in->err = ENOBUFS). */
int rt_input_more(rt_input *in);

/* Marks n bytes from pos consumed. */
void rt_input_consume(rt_input *in, size_t n);

void rt_input_close(rt_input *in);

#endif
