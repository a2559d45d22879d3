/* rt_utf8.c - UTF-8 validation of event text. */
#include "rt_utf8.h"

#include <string.h>

static bool cont(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

size_t rt_utf8_char(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && cont(p[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || !cont(p[1]) || !cont(p[2]))
            return 0;
        if (c == 0xE0 && p[1] < 0xA0) /* overlong */
            return 0;
        if (c == 0xED && p[1] > 0x9F) /* surrogates */
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || !cont(p[1]) || !cont(p[2]) || !cont(p[3]))
            return 0;
        if (c == 0xF0 && p[1] < 0x90) /* overlong */
            return 0;
        if (c == 0xF4 && p[1] > 0x8F) /* above U+10FFFF */
            return 0;
        return 4;
    }
    return 0;
}

bool rt_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        /* ASCII fast path, eight bytes at a time */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            p += 8;
        }
        if (p == end)
            break;
        size_t k = rt_utf8_char(p, (size_t)(end - p));
        if (k == 0)
            return false;
        p += k;
    }
    return true;
}
