/* rt_utf8.h - UTF-8 validation of event text. */
#ifndef FEATRT_UTF8_H
#define FEATRT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the well-formed UTF-8 sequence at p[0..n) (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when p does not start one. n >= 1. */
size_t rt_utf8_char(const unsigned char *p, size_t n);

/* True when s[0..n) is well-formed UTF-8. */
bool rt_utf8_valid(const char *s, size_t n);

#endif
