/* strbuf.c - a growable, always NUL-terminated byte string for building SQL and messages. */
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { STRBUF_MIN_CAP = 64 };

static void strbuf_oom(void)
{
    fputs("featc: out of memory\n", stderr);
    abort();
}

void strbuf_reserve(strbuf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len)
        strbuf_oom();
    size_t need = b->len + extra + 1; /* + NUL */
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : STRBUF_MIN_CAP;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        strbuf_oom();
    b->data = p;
    b->cap = cap;
}

void strbuf_append_n(strbuf *b, const char *s, size_t n)
{
    strbuf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_append(strbuf *b, const char *s) { strbuf_append_n(b, s, strlen(s)); }

void strbuf_append_char(strbuf *b, char c) { strbuf_append_n(b, &c, 1); }

void strbuf_vappendf(strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return; /* only for invalid format strings, which the format attribute rules out */
    if ((size_t)n < sizeof small) {
        strbuf_append_n(b, small, (size_t)n);
        return;
    }
    strbuf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void strbuf_appendf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vappendf(b, fmt, ap);
    va_end(ap);
}

void strbuf_reset(strbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void strbuf_free(strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

const char *strbuf_cstr(const strbuf *b) { return b->data ? b->data : ""; }

char *strbuf_detach(strbuf *b)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (!p)
            strbuf_oom();
        p[0] = '\0';
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
