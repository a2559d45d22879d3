/* strbuf.h - a growable, always NUL-terminated byte string for building SQL and messages. */
#ifndef FEATC_STRBUF_H
#define FEATC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* An empty strbuf is all zeros (STRBUF_INIT); data is NULL until the first append.
 * After any append, data[len] == '\0'. The buffer owns data; strbuf_free releases it. */
typedef struct strbuf {
    char *data;
    size_t len;
    size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

/* Appends the NUL-terminated string s. */
void strbuf_append(strbuf *b, const char *s);
/* Appends n bytes of s (which may contain NUL bytes; s may be NULL when n is 0). */
void strbuf_append_n(strbuf *b, const char *s, size_t n);
void strbuf_append_char(strbuf *b, char c);
/* printf-style append. */
void strbuf_appendf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vappendf(strbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Makes room for at least extra more bytes (plus the NUL) without changing the contents. */
void strbuf_reserve(strbuf *b, size_t extra);
/* Empties the buffer but keeps its memory for reuse. */
void strbuf_reset(strbuf *b);
/* Releases the memory; the buffer is empty and reusable afterwards. */
void strbuf_free(strbuf *b);
/* The contents as a C string ("" when nothing was appended). Valid until the next append. */
const char *strbuf_cstr(const strbuf *b);
/* Hands the malloc'd contents to the caller (who frees them) and empties the buffer.
 * Never returns NULL. */
char *strbuf_detach(strbuf *b);

#endif
