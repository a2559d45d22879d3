/* rt_input.c - a byte source (file or memory) read through one reusable, growing window. */
#include "rt_input.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INPUT_CHUNK RT_INPUT_CHUNK

bool rt_input_open_file(rt_input *in, const char *path, char *err, size_t errlen) {
    memset(in, 0, sizeof *in);
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot read '%s': it is a directory", path);
        close(in->fd);
        in->fd = -1;
        return false;
    }
    in->buf = malloc(INPUT_CHUNK);
    if (!in->buf) {
        snprintf(err, errlen, "out of memory");
        close(in->fd);
        in->fd = -1;
        return false;
    }
    in->cap = INPUT_CHUNK;
    in->data = in->buf;
    return true;
}

void rt_input_open_mem(rt_input *in, const char *data, size_t n) {
    memset(in, 0, sizeof *in);
    in->fd = -1;
    in->data = data;
    in->end = n;
    in->eof = true;
}

int rt_input_more(rt_input *in) {
    if (in->eof)
        return 0;
    assert(in->fd >= 0 && in->data == in->buf);
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->end -= in->pos;
        in->pos = 0;
    }
    if (in->end < INPUT_CHUNK / 4 && in->cap > 4 * INPUT_CHUNK) {
        /* after a huge record: give the memory back */
        char *b = realloc(in->buf, INPUT_CHUNK);
        if (b) {
            in->buf = b;
            in->data = b;
            in->cap = INPUT_CHUNK;
        }
    }
    if (in->cap - in->end < INPUT_CHUNK / 2 && !(in->limit && in->cap >= in->limit)) {
        size_t cap = in->cap * 2;
        if (in->limit && cap > in->limit)
            cap = in->limit;
        char *b = realloc(in->buf, cap);
        if (!b) {
            in->err = ENOMEM;
            return -1;
        }
        in->buf = b;
        in->data = b;
        in->cap = cap;
    }
    if (in->end == in->cap) {
        in->err = ENOBUFS;
        return -1;
    }
    for (;;) {
        ssize_t r = read(in->fd, in->buf + in->end, in->cap - in->end);
        if (r > 0) {
            in->end += (size_t)r;
            return 1;
        }
        if (r == 0) {
            in->eof = true;
            return 0;
        }
        if (errno != EINTR) {
            in->err = errno;
            return -1;
        }
    }
}

void rt_input_consume(rt_input *in, size_t n) {
    assert(n <= in->end - in->pos);
    in->pos += n;
    if (in->pos == in->end && in->fd >= 0) {
        in->pos = 0;
        in->end = 0;
    }
}

void rt_input_close(rt_input *in) {
    if (in->fd >= 0)
        close(in->fd);
    free(in->buf);
    memset(in, 0, sizeof *in);
    in->fd = -1;
}
