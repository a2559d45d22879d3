/* rt_fn_string.c - string operators and built-ins, byte-wise and by UTF-8 code point. */
#include "rt_fn.h"
#include "rt_fn_slot.h"

#include <assert.h>
#include <string.h>

/* A byte that begins a code point (anything but a UTF-8 continuation byte 10xxxxxx). */
static inline bool is_lead(unsigned char c) {
    return (c & 0xC0) != 0x80;
}

void rt_op_concat(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null) {
        rt_slot_set_null(out);
        return;
    }
    const rt_slot a = args[0], b = args[1];
    uint64_t n = (uint64_t)a.len + b.len;
    if (n > UINT32_MAX) {
        rt_slot_set_null(out);
        return;
    }
    assert(scratch);
    char *p = rt_scratch_alloc(scratch, (size_t)n);
    if (a.len)
        memcpy(p, a.v.s, a.len);
    if (b.len)
        memcpy(p + a.len, b.v.s, b.len);
    rt_slot_set_string(out, p, (uint32_t)n);
}

int rt_op_compare_string(const rt_slot *a, const rt_slot *b) {
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->v.s, b->v.s, n) : 0;
    if (c != 0)
        return c;
    return a->len < b->len ? -1 : (a->len > b->len ? 1 : 0);
}

/* Maps the ASCII letters from..from+25 up or down by 32; other bytes unchanged. Returns
 * the argument itself when no byte changes. */
static void ascii_map(rt_scratch *scratch, rt_slot *out, const rt_slot *args, char from) {
    if (args[0].null) {
        rt_slot_set_null(out);
        return;
    }
    const rt_slot s = args[0];
    uint32_t first = 0;
    while (first < s.len && !(s.v.s[first] >= from && s.v.s[first] <= from + 25))
        first++;
    if (first == s.len) {
        *out = s;
        return;
    }
    assert(scratch);
    char *p = rt_scratch_alloc(scratch, s.len);
    memcpy(p, s.v.s, s.len);
    for (uint32_t i = first; i < s.len; i++)
        if (p[i] >= from && p[i] <= from + 25)
            p[i] = (char)(p[i] ^ 0x20);
    rt_slot_set_string(out, p, s.len);
}

void rt_fn_lower(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    ascii_map(scratch, out, args, 'A');
}

void rt_fn_upper(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    ascii_map(scratch, out, args, 'a');
}

void rt_fn_length(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null) {
        rt_slot_set_null(out);
        return;
    }
    const unsigned char *s = (const unsigned char *)args[0].v.s;
    int64_t n = 0;
    for (uint32_t i = 0; i < args[0].len; i++)
        n += is_lead(s[i]);
    rt_slot_set_int(out, n);
}

/* Byte offset where code point k (0-based) of s[0..n) begins, or n when s has at most k
 * code points. Code point 0 begins at byte 0 (a malformed prefix of continuation bytes
 * belongs to it). */
static uint32_t cp_offset(const unsigned char *s, uint32_t n, int64_t k) {
    if (k <= 0)
        return 0;
    uint32_t i = 0;
    while (i < n && !is_lead(s[i]))
        i++; /* skip a malformed prefix: it belongs to code point 0 */
    int64_t seen = 0;
    for (; i < n; i++) {
        if (is_lead(s[i])) {
            if (seen == k)
                return i;
            seen++;
        }
    }
    return n;
}

void rt_fn_substr(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null || args[2].null || args[1].v.i < 1 || args[2].v.i < 0) {
        rt_slot_set_null(out);
        return;
    }
    const rt_slot s = args[0];
    int64_t start = args[1].v.i - 1, len = args[2].v.i;
    const unsigned char *b = (const unsigned char *)s.v.s;
    uint32_t from = cp_offset(b, s.len, start);
    /* Walk len code points from `from`, stopping at the end (start + len may exceed int64). */
    uint32_t to = from;
    if (to == 0)
        while (to < s.len && !is_lead(b[to]))
            to++; /* a malformed prefix belongs to code point 0 */
    for (int64_t c = 0; c < len && to < s.len; c++) {
        to++;
        while (to < s.len && !is_lead(b[to]))
            to++;
    }
    if (len == 0)
        to = from;
    rt_slot_set_string(out, s.v.s ? s.v.s + from : s.v.s, to - from);
}

void rt_fn_starts_with(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null) {
        rt_slot_set_null(out);
        return;
    }
    const rt_slot s = args[0], p = args[1];
    rt_slot_set_bool(out, p.len <= s.len && (p.len == 0 || memcmp(s.v.s, p.v.s, p.len) == 0));
}

void rt_fn_contains(rt_scratch *scratch, rt_slot *out, const rt_slot *args) {
    if (args[0].null || args[1].null) {
        rt_slot_set_null(out);
        return;
    }
    const rt_slot s = args[0], p = args[1];
    bool found = p.len == 0 || (p.len <= s.len && memmem(s.v.s, s.len, p.v.s, p.len) != NULL);
    rt_slot_set_bool(out, found);
}
