/* rt_jsonl.c - decodes one JSON Lines line into a typed record of a schema. */
#include "rt_jsonl.h"

#include "rt_decimal.h"
#include "rt_reject.h"
#include "rt_time.h"
#include "rt_utf8.h"
#include "rt_value.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct key_span {
    const char *s;
    size_t n;
} key_span;

struct rt_jsonl {
    const rt_schema *schema;
    size_t *name_len;
    bool *plain; /* the field's name is printable ASCII without '"' or '\\': it can be matched
                  * against the line's bytes without decoding the key */
    int *table; /* open addressing: field index or -1 */
    uint32_t mask;
    uint32_t *seen; /* seen[f] == gen when field f occurred in the current line */
    uint32_t gen;
    int guess; /* the field expected next (keys tend to come in the same order) */
    int skip;  /* a field whose key is treated as unknown (rt_jsonl_skip_field), or -1 */
    struct key_pat *pat; /* per field: its key as the fast path matches it (len 0: not used) */
    char *scratch; /* decoded strings and keys of the current line */
    size_t scratch_cap;
    size_t scratch_used;
    key_span *unknown; /* unknown keys of the current line, for duplicate detection */
    size_t nunknown;
    size_t unknown_cap;
};

/* A field's name with the closing quote and the colon after it (`name":`, at most 16 bytes),
 * as two little-endian words and the masks of their bytes: the fast path compares the bytes
 * after a key's opening quote with it in two word operations. */
typedef struct key_pat {
    uint64_t w[2], m[2];
    uint32_t len; /* 0: the name is not plain or too long; the key is scanned instead */
} key_pat;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSONL_WORDS 1 /* word-at-a-time key matching and digit runs (little-endian only) */
#else
#define JSONL_WORDS 0
#endif

/* The 8 bytes at p + off as a little-endian word, bytes at or past end read as 0 (line..end
 * is the line, p within it). Never reads outside the line. */
static inline uint64_t load8(const char *line, const char *end, const char *p, size_t off) {
    size_t have = (size_t)(end - p);
    uint64_t w = 0;
    if (have >= off + 8) {
        memcpy(&w, p + off, 8);
    } else if (have > off) {
        size_t k = have - off; /* 1..7 bytes left */
        if ((size_t)(end - line) >= 8) {
            memcpy(&w, end - 8, 8);
            w >>= 8 * (8 - k);
        } else {
            memcpy(&w, p + off, k);
        }
    }
    return w;
}

/* The parse position in one line, and the first syntax error. */
typedef struct jp {
    const char *line;
    const char *p;
    const char *end;
    const char *err; /* static message, NULL when fine */
    size_t err_at;   /* byte offset of the error */
} jp;

/* Records the first syntax error; returns false for convenience. */
static bool fail(jp *j, const char *at, const char *msg) {
    if (!j->err) {
        j->err = msg;
        j->err_at = (size_t)(at - j->line);
    }
    return false;
}

static inline void skip_ws(jp *j) {
    /* every JSON whitespace byte is <= ' ': most calls end at the first test */
    while (j->p < j->end && (unsigned char)*j->p <= ' ' &&
           (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
        j->p++;
}

static uint32_t hash_bytes(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

rt_jsonl *rt_jsonl_new(const rt_schema *schema) {
    assert(schema && schema->nfields >= 0);
    rt_jsonl *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->schema = schema;
    d->skip = -1;
    int nf = schema->nfields;
    uint32_t size = 8;
    while (size < 2 * (uint32_t)nf)
        size *= 2;
    d->mask = size - 1;
    d->name_len = calloc((size_t)nf + 1, sizeof *d->name_len);
    d->seen = calloc((size_t)nf + 1, sizeof *d->seen);
    d->plain = calloc((size_t)nf + 1, sizeof *d->plain);
    d->table = malloc(size * sizeof *d->table);
    d->pat = calloc((size_t)nf + 1, sizeof *d->pat);
    d->scratch_cap = 4096;
    d->scratch = malloc(d->scratch_cap);
    if (!d->name_len || !d->seen || !d->plain || !d->table || !d->scratch || !d->pat) {
        rt_jsonl_free(d);
        return NULL;
    }
    for (uint32_t k = 0; k < size; k++)
        d->table[k] = -1;
    for (int f = 0; f < nf; f++) {
        const char *name = schema->fields[f].name;
        d->name_len[f] = strlen(name);
        d->plain[f] = true;
        for (size_t i = 0; i < d->name_len[f]; i++) {
            unsigned char c = (unsigned char)name[i];
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                d->plain[f] = false;
        }
        size_t len = d->name_len[f] + 2;
        if (JSONL_WORDS && d->plain[f] && len <= 16) {
            unsigned char b[16] = {0};
            memcpy(b, name, d->name_len[f]);
            b[len - 2] = '"';
            b[len - 1] = ':';
            key_pat *kp = &d->pat[f];
            for (int i = 0; i < 2; i++) {
                kp->w[i] = 0;
                kp->m[i] = 0;
                for (size_t c = 0; c < 8; c++) {
                    kp->w[i] |= (uint64_t)b[8 * i + c] << (8 * c);
                    if (8 * (size_t)i + c < len)
                        kp->m[i] |= (uint64_t)0xFF << (8 * c);
                }
            }
            kp->len = (uint32_t)len;
        }
        uint32_t k = hash_bytes(name, d->name_len[f]) & d->mask;
        while (d->table[k] >= 0)
            k = (k + 1) & d->mask;
        d->table[k] = f; /* a repeated name (not allowed by the language) keeps the first */
    }
    return d;
}

void rt_jsonl_skip_field(rt_jsonl *d, int field) {
    assert(field >= -1 && field < d->schema->nfields);
    d->skip = field;
}

void rt_jsonl_free(rt_jsonl *d) {
    if (!d)
        return;
    free(d->name_len);
    free(d->plain);
    free(d->seen);
    free(d->table);
    free(d->scratch);
    free(d->unknown);
    free(d->pat);
    free(d);
}

/* Whether the name_len[f] bytes at p are field f's name. */
static inline bool name_at(const rt_jsonl *d, int f, const char *p) {
    size_t n = d->name_len[f];
    const char *name = d->schema->fields[f].name;
    if (n >= 8 && n <= 16) { /* two overlapping words */
        uint64_t a, b, x, y;
        memcpy(&a, p, 8);
        memcpy(&x, name, 8);
        memcpy(&b, p + n - 8, 8);
        memcpy(&y, name + n - 8, 8);
        return a == x && b == y;
    }
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (p[i] != name[i])
                return false;
        return true;
    }
    return memcmp(p, name, n) == 0;
}

/* The field named key, or -1. */
static int lookup(rt_jsonl *d, const char *key, size_t n) {
    int g = d->guess;
    const rt_field *fields = d->schema->fields;
    if (g < d->schema->nfields && d->name_len[g] == n && memcmp(fields[g].name, key, n) == 0)
        return g;
    for (uint32_t k = hash_bytes(key, n) & d->mask; d->table[k] >= 0; k = (k + 1) & d->mask) {
        int f = d->table[k];
        if (d->name_len[f] == n && memcmp(fields[f].name, key, n) == 0)
            return f;
    }
    return -1;
}

/* ---- tokens ---- */

/* The bytes of w (8 bytes in memory order) that need attention inside a string: '"', '\\',
 * control characters and non-ASCII bytes. Bit 7 of a byte is set for the first such byte
 * (bytes above it may be flagged falsely, below it never), so on a little-endian machine
 * ctz(mask) / 8 is its index; zero when there is none. */
static uint64_t special8(uint64_t w) {
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t lt20 = (w - ones * 0x20) & ~w & highs;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t hq = (q - ones) & ~q & highs, hbs = (bs - ones) & ~bs & highs;
    return lt20 | hq | hbs | (w & highs);
}

/* Moves p to the first byte in [p, end) that needs attention inside a string, or to end. */
static const char *skip_plain(const char *p, const char *end) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t m = special8(w);
        if (m)
            return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            break;
        p++;
    }
    return p;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s (s[0..3] must exist); -1 when not hex. */
static int hex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Scans a string at j->p (a '"'), validating escapes and UTF-8. On success *s and *n is the raw
 * text between the quotes, *esc whether it has escapes, and j->p is past the closing quote. */
static bool scan_string(jp *j, const char **s, size_t *n, bool *esc) {
    const char *start = j->p++;
    const char *p = j->p, *end = j->end;
    *esc = false;
    for (;;) {
        p = skip_plain(p, end);
        if (p >= end)
            return fail(j, start, "unterminated string");
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            *esc = true;
            if (end - p < 2)
                return fail(j, start, "unterminated string");
            char e = p[1];
            if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                p += 2;
                continue;
            }
            if (e != 'u')
                return fail(j, p, "invalid escape in string");
            int cp = end - p >= 6 ? hex4(p + 2) : -1;
            if (cp < 0)
                return fail(j, p, "invalid \\u escape in string");
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(j, p, "unpaired surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo = end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(j, p, "unpaired surrogate in \\u escape");
                p += 6;
            }
            p += 6;
            continue;
        }
        if (c < 0x20)
            return fail(j, p, c == 0 ? "NUL byte in string" : "control character in string");
        if (c < 0x80) {
            p++;
            continue;
        }
        size_t k = rt_utf8_char((const unsigned char *)p, (size_t)(end - p));
        if (k == 0)
            return fail(j, p, "invalid UTF-8 in string");
        p += k;
    }
    *s = start + 1;
    *n = (size_t)(p - start - 1);
    j->p = p + 1;
    return true;
}

/* Writes code point cp as UTF-8 at o; returns the length. */
static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escapes of a string scan_string accepted into the scratch buffer (which has
 * room: decoding never lengthens). Returns the decoded bytes. */
static const char *decode_string(rt_jsonl *d, const char *s, size_t n, size_t *outlen) {
    char *out = d->scratch + d->scratch_used, *o = out;
    const char *end = s + n;
    while (s < end) {
        const char *bs = memchr(s, '\\', (size_t)(end - s));
        size_t run = (size_t)((bs ? bs : end) - s);
        memcpy(o, s, run);
        o += run;
        s += run;
        if (!bs)
            break;
        char e = s[1];
        s += 2;
        switch (e) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            unsigned cp = (unsigned)hex4(s);
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo = (unsigned)hex4(s + 2);
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += put_utf8(o, cp);
            break;
        }
        default: /* '"', '\\', '/' */
            *o++ = e;
            break;
        }
    }
    *outlen = (size_t)(o - out);
    d->scratch_used += *outlen;
    return out;
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Bytes that may not directly follow a number or a literal. */
static inline bool is_word_char(char c) {
    /* digits . - + (bytes 0..63) and letters _ (64..127) as bit sets */
    const uint64_t lo = UINT64_C(0x03ff680000000000), hi = UINT64_C(0x07fffffe87fffffe);
    unsigned u = (unsigned char)c;
    return u < 64 ? (lo >> u) & 1 : u < 128 ? (hi >> (u - 64)) & 1 : false;
}

/* Scans a JSON number at j->p: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(jp *j, const char **s, size_t *n) {
    const char *start = j->p, *p = j->p, *end = j->end;
    if (p < end && *p == '-')
        p++;
    if (p < end && *p == '0')
        p++;
    else if (p < end && *p >= '1' && *p <= '9')
        while (p < end && is_digit(*p))
            p++;
    else
        return fail(j, start, "invalid number");
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return fail(j, start, "invalid number");
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return fail(j, start, "invalid number");
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && is_word_char(*p))
        return fail(j, start, "invalid number");
    *s = start;
    *n = (size_t)(p - start);
    j->p = p;
    return true;
}

#if !JSONL_WORDS /* the byte-order-neutral digit loads of fast_number */
/* Whether the 8 bytes at p are all ASCII digits. */
static inline bool eight_digits(const char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return ((w & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
            (((w + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) >> 4)) ==
           UINT64_C(0x3333333333333333);
}
#endif

/* The value of 8 digit values 0..9, one per byte, the first byte (the least significant)
 * the most significant digit. */
static inline uint64_t digits8_value(uint64_t w) {
    w = (w * 10) + (w >> 8); /* pairs of digits */
    w = (((w & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32))) +
         (((w >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32)))) >>
        32;
    return w;
}

#if !JSONL_WORDS
/* The value of 8 ASCII digits at p (the first the most significant). */
static inline uint64_t eight_digits_value(const char *p) {
    uint64_t w; /* the first byte the least significant, whatever the machine's byte order */
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return digits8_value(w - UINT64_C(0x3030303030303030));
}
#endif

static const uint64_t pow10_u64[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* Reads the run of ASCII digits at p, 8 bytes at a time: returns where it ends, adds its
 * length to *count and appends its digits to *m (m * 10^k + digits; meaningful while the
 * total stays within 19 digits, and the run stops early once *count passes 18). */
static inline const char *digit_run(const char *line, const char *end, const char *p, uint64_t *m, int *count) {
    uint64_t acc = *m;
    int n = *count;
    for (;;) {
        uint64_t w = load8(line, end, p, 0);
        /* a byte is a digit iff both its high nibble and that of byte + 6 are 3; a carry out
         * of a byte only reaches the bytes after the first non-digit */
        uint64_t t = (w & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
                     (((w + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) >> 4);
        uint64_t x = t ^ UINT64_C(0x3333333333333333);
        int k = x ? __builtin_ctzll(x) >> 3 : 8;
        if (k) {
            /* the k digits' values moved to the top bytes: zeros in front of them */
            uint64_t v = (w - UINT64_C(0x3030303030303030)) << (8 * (8 - k));
            acc = acc * pow10_u64[k] + digits8_value(v);
            n += k;
            p += k;
        }
        if (k < 8 || n > 18)
            break;
    }
    *m = acc;
    *count = n;
    return p;
}

static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The common numbers of int, float and timestamp fields, converted in the same pass that
 * checks them: -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 18 digits (15 for a float, whose
 * value is then one correctly rounded division, as rt_decimal_to_double's exact path
 * computes it; an int has no fraction; a timestamp has at most 12 integer and 6 fraction
 * digits, so its microseconds are exact). Returns true with *slot set and j->p past the
 * number; false (nothing moved) for anything else, which the general path then decides. */
static inline __attribute__((always_inline)) bool fast_number(jp *j, rt_type t, rt_slot *slot) {
    const char *p = j->p, *end = j->end;
    bool neg = p < end && *p == '-';
    p += neg;
    if (p >= end || !is_digit(*p))
        return false;
    uint64_t m = 0;
    int ni = 0, nf = 0;
    if (*p == '0') {
        p++;
        ni = 1;
        if (p < end && is_digit(*p))
            return false; /* a leading zero: the general path rejects it */
    } else {
#if JSONL_WORDS
        p = digit_run(j->line, end, p, &m, &ni);
#else
        if (end - p >= 8 && eight_digits(p)) {
            m = eight_digits_value(p);
            p += 8;
            ni = 8;
        }
        const char *q = p - ni;
        unsigned dg;
        while (p < end && (dg = (unsigned char)*p - '0') < 10) { /* m may wrap: then ni > 18 */
            m = m * 10 + dg;
            p++;
        }
        ni = (int)(p - q);
#endif
        if (ni > 18)
            return false;
    }
    if (p < end && *p == '.') {
        if (t == RT_INT)
            return false;
        p++;
#if JSONL_WORDS
        p = digit_run(j->line, end, p, &m, &nf);
#else
        if (end - p >= 8 && ni <= 10 && eight_digits(p)) {
            m = m * 100000000 + eight_digits_value(p);
            p += 8;
            nf = 8;
        }
        const char *q = p - nf;
        unsigned dg;
        while (p < end && (dg = (unsigned char)*p - '0') < 10) {
            m = m * 10 + dg;
            p++;
        }
        nf = (int)(p - q);
#endif
        if (nf == 0 || ni + nf > 18)
            return false;
    }
    if (p < end && is_word_char(*p))
        return false; /* an exponent, or not a number after all */
    switch (t) {
    case RT_INT:
        slot->v.i = neg ? -(int64_t)m : (int64_t)m;
        break;
    case RT_FLOAT: {
        if (ni + nf > 15)
            return false;
        double x = (double)m;
        if (nf)
            x /= pow10_exact[nf];
        slot->v.f = neg ? -x : x;
        break;
    }
    case RT_TIMESTAMP: {
        if (ni > 12 || nf > 6)
            return false;
        static const uint64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
        m *= scale[nf];
        slot->v.i = neg ? -(int64_t)m : (int64_t)m;
        break;
    }
    default:
        return false;
    }
    slot->null = 0;
    j->p = p;
    return true;
}

/* Scans the literal word (true, false or null) at j->p. */
static bool scan_literal(jp *j, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0 ||
        ((size_t)(j->end - j->p) > n && is_word_char(j->p[n])))
        return fail(j, j->p, "invalid literal");
    j->p += n;
    return true;
}

/* Scans `"key" :` inside an object being skipped. */
static bool skip_key(jp *j) {
    const char *s;
    size_t n;
    bool esc;
    skip_ws(j);
    if (j->p >= j->end || *j->p != '"')
        return fail(j, j->p, "expected a string key");
    if (!scan_string(j, &s, &n, &esc))
        return false;
    skip_ws(j);
    if (j->p >= j->end || *j->p != ':')
        return fail(j, j->p, "expected ':'");
    j->p++;
    return true;
}

/* Checks the syntax of one value at j->p (whitespace first) and moves past it; nested
 * arrays and objects are walked with an explicit stack, not recursion. */
static bool skip_value(jp *j) {
    unsigned char stack[RT_JSONL_MAX_DEPTH]; /* the closing bracket of each open container */
    int depth = 0;
    for (;;) {
        /* one value */
        skip_ws(j);
        if (j->p >= j->end)
            return fail(j, j->p, "unexpected end of line");
        const char *s;
        size_t n;
        bool esc;
        char c = *j->p;
        if (c == '{' || c == '[') {
            if (depth == RT_JSONL_MAX_DEPTH)
                return fail(j, j->p, "nesting too deep");
            char close = c == '{' ? '}' : ']';
            j->p++;
            skip_ws(j);
            if (j->p < j->end && *j->p == close) {
                j->p++; /* empty: a complete value */
            } else {
                stack[depth++] = (unsigned char)close;
                if (c == '{' && !skip_key(j))
                    return false;
                continue;
            }
        } else if (c == '"') {
            if (!scan_string(j, &s, &n, &esc))
                return false;
        } else if (c == '-' || is_digit(c)) {
            if (!scan_number(j, &s, &n))
                return false;
        } else if (c == 't' || c == 'f' || c == 'n') {
            if (!scan_literal(j, c == 't' ? "true" : c == 'f' ? "false" : "null"))
                return false;
        } else {
            return fail(j, j->p, "unexpected character");
        }
        /* after a value: close containers until one continues with ',' */
        for (;;) {
            if (depth == 0)
                return true;
            skip_ws(j);
            if (j->p >= j->end)
                return fail(j, j->p, "unexpected end of line");
            char close = (char)stack[depth - 1];
            if (*j->p == close) {
                j->p++;
                depth--;
                continue;
            }
            if (*j->p != ',')
                return fail(j, j->p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
            j->p++;
            if (close == '}' && !skip_key(j))
                return false;
            break;
        }
    }
}

/* ---- fields ---- */

/* The problem of the current line other than syntax, first one wins. */
typedef struct line_problem {
    char *buf;
    size_t cap;
    bool set;
} line_problem;

/* Writes "field 'NAME': WHY, got KIND TOKEN" once per line. */
static void field_problem(line_problem *lp, const rt_field *f, const char *why, const char *kind, const char *tok,
                          size_t tokn) {
    if (lp->set)
        return;
    lp->set = true;
    snprintf(lp->buf, lp->cap, "field '%s': %s, got %s", f->name, why, kind);
    if (tok) {
        size_t len = strlen(lp->buf);
        if (len + 1 < lp->cap) {
            lp->buf[len] = ' ';
            lp->buf[len + 1] = '\0';
        }
        rt_reject_excerpt(lp->buf, lp->cap, tok, tokn, 64, false);
    }
}

/* "expected int", ... for a field of type t. */
static const char *expected_name(rt_type t) {
    return t == RT_INT      ? "expected int"
           : t == RT_FLOAT  ? "expected float"
           : t == RT_BOOL   ? "expected bool"
           : t == RT_STRING ? "expected string"
                            : "expected timestamp";
}

/* Parses the value of field f at j->p into *slot, or records why it does not fit. */
static bool parse_field(rt_jsonl *d, jp *j, const rt_field *f, rt_slot *slot, line_problem *lp) {
    const char *tok = j->p, *s;
    size_t n;
    bool esc;
    char c = *j->p;
    rt_type t = f->type;
    const char *tname = expected_name(t);
    if (c == '"') {
        if (!scan_string(j, &s, &n, &esc))
            return false;
        size_t tokn = (size_t)(j->p - tok);
        if (t != RT_STRING && t != RT_TIMESTAMP) {
            field_problem(lp, f, tname, "string", tok, tokn);
            return true;
        }
        if (esc)
            s = decode_string(d, s, n, &n);
        if (t == RT_STRING) {
            if (esc && memchr(s, '\0', n)) {
                field_problem(lp, f, "NUL byte in string", "string", tok, tokn);
                return true;
            }
            if (n > UINT32_MAX) {
                field_problem(lp, f, "string longer than 4 GiB", "string", tok, tokn);
                return true;
            }
            slot->null = 0;
            slot->v.s = s;
            slot->len = (uint32_t)n;
        } else if (rt_time_parse(s, n, &slot->v.i)) {
            slot->null = 0;
        } else {
            field_problem(lp, f, tname, "string", tok, tokn);
        }
        return true;
    }
    if (c == '-' || is_digit(c)) {
        if (fast_number(j, t, slot))
            return true;
        if (!scan_number(j, &s, &n))
            return false;
        switch (t) {
        case RT_INT:
            switch (rt_decimal_scaled(s, n, 0, RT_DEC_EXACT, &slot->v.i)) {
            case RT_DEC_OK:
                slot->null = 0;
                break;
            case RT_DEC_RANGE:
                field_problem(lp, f, "int out of range", "number", s, n);
                break;
            default:
                field_problem(lp, f, tname, "number", s, n);
                break;
            }
            return true;
        case RT_FLOAT:
            if (rt_decimal_to_double(s, n, &slot->v.f))
                slot->null = 0;
            else
                field_problem(lp, f, "float out of range", "number", s, n);
            return true;
        case RT_TIMESTAMP:
            if (rt_time_parse(s, n, &slot->v.i))
                slot->null = 0;
            else
                field_problem(lp, f, "timestamp out of range", "number", s, n);
            return true;
        default:
            field_problem(lp, f, tname, "number", s, n);
            return true;
        }
    }
    if (c == 't' || c == 'f') {
        if (!scan_literal(j, c == 't' ? "true" : "false"))
            return false;
        if (t == RT_BOOL) {
            slot->null = 0;
            slot->v.i = c == 't';
        } else {
            field_problem(lp, f, tname, c == 't' ? "true" : "false", NULL, 0);
        }
        return true;
    }
    if (c == 'n')
        return scan_literal(j, "null"); /* the slot stays null */
    if (c == '{' || c == '[') {
        if (!skip_value(j))
            return false;
        field_problem(lp, f, tname, c == '{' ? "object" : "array", NULL, 0);
        return true;
    }
    return fail(j, j->p, "unexpected character");
}

/* Remembers an unknown key for the duplicate check; false when out of memory. */
static bool note_unknown(rt_jsonl *d, const char *key, size_t n) {
    if (d->nunknown == d->unknown_cap) {
        size_t cap = d->unknown_cap ? d->unknown_cap * 2 : 16;
        key_span *u = realloc(d->unknown, cap * sizeof *u);
        if (!u)
            return false;
        d->unknown = u;
        d->unknown_cap = cap;
    }
    d->unknown[d->nunknown++] = (key_span){key, n};
    return true;
}

static int cmp_span(const void *a, const void *b) {
    const key_span *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* A repeated unknown key of the current line, or NULL. Reorders d->unknown. */
static const key_span *duplicate_unknown(rt_jsonl *d) {
    size_t n = d->nunknown;
    if (n < 2)
        return NULL;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t k = 0; k < i; k++)
                if (cmp_span(&d->unknown[i], &d->unknown[k]) == 0)
                    return &d->unknown[i];
        return NULL;
    }
    qsort(d->unknown, n, sizeof *d->unknown, cmp_span);
    for (size_t i = 1; i < n; i++)
        if (cmp_span(&d->unknown[i], &d->unknown[i - 1]) == 0)
            return &d->unknown[i];
    return NULL;
}

/* Writes the reason for the syntax error in j: "invalid JSON at column C: ..." (bytes from
 * the line start), or "at line L, column C" when the text spans lines (a JSON document). */
static void syntax_reason(const jp *j, char *reason, size_t reasonlen) {
    size_t line = 1, col_start = 0;
    for (size_t i = 0; i < j->err_at; i++) {
        if (j->line[i] == '\n') {
            line++;
            col_start = i + 1;
        }
    }
    if (line == 1)
        snprintf(reason, reasonlen, "invalid JSON at column %zu: %s", j->err_at + 1, j->err);
    else
        snprintf(reason, reasonlen, "invalid JSON at line %zu, column %zu: %s", line, j->err_at - col_start + 1,
                 j->err);
}

/* Names what a non-object line is: "array", "string", ... (its syntax already checked). */
static const char *value_kind(char c) {
    return c == '[' ? "array" : c == '"' ? "string" : c == 't' || c == 'f' ? "bool" : c == 'n' ? "null" : "number";
}

/* Moves p over plain string bytes (printable ASCII other than '"' and '\\') and returns
 * where it stopped. */
static inline const char *plain_run(const char *p, const char *end) {
    return skip_plain(p, end);
}

/* The common line, decoded in one tight pass: an object with no whitespace, keys of known
 * fields (plain, each once), values that are plain strings, simple numbers (fast_number),
 * true, false or null, each of its field's type. Returns true with record filled exactly as
 * the general path would fill it; false at the first byte it does not handle (the general
 * path then decodes the line from the start and decides). */
static bool fast_line(rt_jsonl *d, const char *line, size_t n, rt_slot *record) {
    const rt_schema *sc = d->schema;
    const char *p = line, *end = line + n;
    if (n < 2 || *p != '{' || p[1] == '}')
        return false;
    p++;
    const int nf = sc->nfields;
    if (++d->gen == 0)
        return false; /* the general path handles the wrap */
    if (d->skip >= 0)
        d->seen[d->skip] = d->gen; /* its key, like a repeated one, leaves this path */
    int g = 0, nseen = 0;
    for (;;) {
        if (p >= end || *p != '"')
            return false;
        p++;
        int f;
        const key_pat *kp = g < nf ? &d->pat[g] : NULL;
        if (kp && kp->len && (load8(line, end, p, 0) & kp->m[0]) == kp->w[0] &&
            (!kp->m[1] || (load8(line, end, p, 8) & kp->m[1]) == kp->w[1])) {
            /* the expected key, its closing quote and the colon (bytes past the line read as
             * 0, which no pattern byte is) */
            f = g;
            p += kp->len;
        } else {
            if (g < nf && d->plain[g] && (size_t)(end - p) > d->name_len[g] && p[d->name_len[g]] == '"' &&
                name_at(d, g, p)) {
                f = g;
                p += d->name_len[g] + 1;
            } else {
                const char *k = p;
                p = plain_run(p, end);
                if (p >= end || *p != '"')
                    return false;
                f = lookup(d, k, (size_t)(p - k));
                p++;
                if (f < 0)
                    return false;
            }
            if (p >= end || *p != ':')
                return false;
            p++;
        }
        if (d->seen[f] == d->gen)
            return false; /* the general path reports the repeat, or skips the key */
        d->seen[f] = d->gen;
        nseen++;
        g = f + 1;
        if (p >= end)
            return false;
        rt_slot *slot = &record[f];
        rt_type t = sc->fields[f].type;
        char c = *p;
        if (c == '"') {
            const char *v = ++p;
            p = plain_run(p, end);
            if (p >= end || *p != '"')
                return false;
            size_t len = (size_t)(p - v);
            p++;
            if (t == RT_STRING) {
                *slot = (rt_slot){.v.s = v, .len = (uint32_t)len};
            } else if (t == RT_TIMESTAMP) {
                *slot = (rt_slot){.null = 0};
                if (!rt_time_parse(v, len, &slot->v.i))
                    return false;
            } else {
                return false;
            }
        } else if (c == '-' || is_digit(c)) {
            jp j = {.line = line, .p = p, .end = end};
            *slot = (rt_slot){.null = 0};
            if (!fast_number(&j, t, slot))
                return false;
            p = j.p;
        } else if (c == 'n' && end - p >= 4 && memcmp(p, "null", 4) == 0) {
            p += 4;
            *slot = (rt_slot){.null = 1};
        } else if (t == RT_BOOL && c == 't' && end - p >= 4 && memcmp(p, "true", 4) == 0) {
            p += 4;
            *slot = (rt_slot){.v.i = 1};
        } else if (t == RT_BOOL && c == 'f' && end - p >= 5 && memcmp(p, "false", 5) == 0) {
            p += 5;
            *slot = (rt_slot){.v.i = 0};
        } else {
            return false;
        }
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p + 1 != end || *p != '}')
            return false;
        /* fields the line does not name are null */
        if (nseen != nf) { /* (always so with a skipped field, which nseen never counts) */
            for (int k = 0; k < nf; k++)
                if (d->seen[k] != d->gen)
                    record[k] = (rt_slot){.null = 1};
            if (d->skip >= 0)
                record[d->skip] = (rt_slot){.null = 1};
        }
        return true;
    }
}

rt_jsonl_status rt_jsonl_decode(rt_jsonl *d, const char *line, size_t n, rt_slot *record, char *reason,
                                size_t reasonlen) {
    /* (after a huge line the general path gives the scratch memory back first) */
    if (d->scratch_cap <= ((size_t)4 << 20) && fast_line(d, line, n, record))
        return RT_JSONL_OK;
    const rt_schema *sc = d->schema;
    jp j = {.line = line, .p = line, .end = line + n};
    skip_ws(&j);
    if (j.p == j.end)
        return RT_JSONL_BLANK;
    if (*j.p != '{') {
        char c = *j.p;
        if (skip_value(&j)) {
            skip_ws(&j);
            if (j.p == j.end) {
                snprintf(reason, reasonlen, "not a JSON object (got %s)", value_kind(c));
                return RT_JSONL_REJECT;
            }
            fail(&j, j.p, "unexpected text after the value");
        }
        syntax_reason(&j, reason, reasonlen);
        return RT_JSONL_REJECT;
    }
    /* room for every decoded string of the line; memory goes back after a huge line */
    if (d->scratch_cap < n || (d->scratch_cap > ((size_t)4 << 20) && n < d->scratch_cap / 16)) {
        size_t cap = 4096;
        while (cap < n)
            cap *= 2;
        char *s = malloc(cap);
        if (!s) {
            snprintf(reason, reasonlen, "out of memory for a line of %zu bytes", n);
            return RT_JSONL_REJECT;
        }
        free(d->scratch);
        d->scratch = s;
        d->scratch_cap = cap;
    }
    d->scratch_used = 0;
    d->nunknown = 0;
    d->guess = 0;
    if (++d->gen == 0) { /* wrapped: forget every mark */
        memset(d->seen, 0, (size_t)sc->nfields * sizeof *d->seen);
        d->gen = 1;
    }
    for (int f = 0; f < sc->nfields; f++)
        record[f] = (rt_slot){.null = 1};
    line_problem lp = {reason, reasonlen, false};
    const char *dup_key = NULL;
    size_t dup_len = 0;
    bool oom = false;
    j.p++; /* '{' */
    skip_ws(&j);
    if (j.p < j.end && *j.p == '}') {
        j.p++;
    } else {
        for (;;) {
            skip_ws(&j);
            if (j.p >= j.end || *j.p != '"') {
                fail(&j, j.p, "expected a string key");
                break;
            }
            const char *key;
            size_t kn;
            int f, g = d->guess;
            if (g < sc->nfields && d->plain[g] && (size_t)(j.end - j.p) > d->name_len[g] + 1 &&
                j.p[1 + d->name_len[g]] == '"' && name_at(d, g, j.p + 1)) {
                /* the expected key, byte for byte: what scanning it would give */
                key = j.p + 1;
                kn = d->name_len[g];
                j.p += kn + 2;
                f = g;
            } else {
                bool esc;
                if (!scan_string(&j, &key, &kn, &esc))
                    break;
                if (esc)
                    key = decode_string(d, key, kn, &kn);
                f = lookup(d, key, kn);
            }
            if (f == d->skip)
                f = -1;
            skip_ws(&j);
            if (j.p >= j.end || *j.p != ':') {
                fail(&j, j.p, "expected ':'");
                break;
            }
            j.p++;
            skip_ws(&j);
            if (j.p >= j.end) {
                fail(&j, j.p, "unexpected end of line");
                break;
            }
            bool ok;
            if (f < 0) {
                if (!note_unknown(d, key, kn))
                    oom = true;
                ok = skip_value(&j);
            } else if (d->seen[f] == d->gen) {
                if (!dup_key) {
                    dup_key = key;
                    dup_len = kn;
                }
                ok = skip_value(&j);
            } else {
                d->seen[f] = d->gen;
                d->guess = f + 1;
                ok = parse_field(d, &j, &sc->fields[f], &record[f], &lp);
            }
            if (!ok)
                break;
            skip_ws(&j);
            if (j.p < j.end && *j.p == ',') {
                j.p++;
                continue;
            }
            if (j.p < j.end && *j.p == '}') {
                j.p++;
                break;
            }
            fail(&j, j.p, j.p < j.end ? "expected ',' or '}'" : "unexpected end of line");
            break;
        }
    }
    if (!j.err) {
        skip_ws(&j);
        if (j.p != j.end)
            fail(&j, j.p, "unexpected text after the object");
    }
    if (j.err) {
        syntax_reason(&j, reason, reasonlen);
        return RT_JSONL_REJECT;
    }
    if (oom) {
        snprintf(reason, reasonlen, "out of memory");
        return RT_JSONL_REJECT;
    }
    if (!dup_key) {
        const key_span *u = duplicate_unknown(d);
        if (u) {
            dup_key = u->s;
            dup_len = u->n;
        }
    }
    if (dup_key) {
        snprintf(reason, reasonlen, "duplicate key ");
        rt_reject_excerpt(reason, reasonlen, dup_key, dup_len, 64, true);
        return RT_JSONL_REJECT;
    }
    return lp.set ? RT_JSONL_REJECT : RT_JSONL_OK;
}
