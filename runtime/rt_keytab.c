/* rt_keytab.c - composite-key hash table: linear probing over dense key records, strings in a compacting arena. */
#include "rt_keytab.h"

#include "rt_state_impl.h" /* rt_huge_realloc */

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P0 UINT64_C(0xa0761d6478bd642f)
#define P1 UINT64_C(0xe7037ed1a0b428db)
#define P2 UINT64_C(0x8ebc6af09c88c6e3)

static inline uint64_t mum(uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint64_t rt_hash_bytes(const void *key, size_t n, uint64_t seed)
{
    const uint8_t *p = key;
    uint64_t a = 0, b = 0;
    seed ^= mum(seed ^ P0, P1);
    if (n <= 16) {
        if (n >= 4) {
            size_t q = (n >> 3) << 2;
            a = (rd32(p) << 32) | rd32(p + q);
            b = (rd32(p + n - 4) << 32) | rd32(p + n - 4 - q);
        } else if (n > 0) {
            a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
        }
    } else {
        size_t i = n;
        while (i > 16) {
            seed = mum(rd64(p) ^ P1, rd64(p + 8) ^ seed);
            p += 16;
            i -= 16;
        }
        a = rd64(p + i - 16);
        b = rd64(p + i - 8);
    }
    return mum(P1 ^ n, mum(a ^ P1, b ^ seed));
}

/* ---- string arena: bump chunks; removal only counts dead bytes, compaction copies the live ones ---- */

typedef struct kchunk {
    struct kchunk *next;
    size_t used, cap;
    char data[];
} kchunk;

typedef struct kslot {
    uint64_t word; /* single fixed-size keys: the key's own word; other keys: their hash */
    uint32_t idx1; /* dense index + 1; 0 = empty */
    uint32_t pad_;
} kslot;

struct rt_keytab {
    int nkeys;
    rt_type *types;
    bool has_str;
    bool word_key; /* one part, an int, timestamp or bool: the slot holds the key itself */
    kslot *slots;
    size_t mask; /* slot count - 1; slot count is a power of two */
    size_t count, dcap;
    uint64_t *hashes; /* dense: hash of each key */
    rt_slot *keys;    /* dense: nkeys slots per key */
    kchunk *chunks;   /* newest first */
    size_t chunk_bytes, live_bytes, dead_bytes;
};

static const char empty_str[1] = "";

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "featrt: out of memory (%zu bytes)\n", n);
        abort();
    }
    return q;
}

static const char *arena_copy(rt_keytab *kt, const char *s, size_t n)
{
    if (n == 0)
        return empty_str;
    kchunk *c = kt->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = xrealloc(NULL, sizeof(kchunk) + cap);
        c->used = 0;
        c->cap = cap;
        c->next = kt->chunks;
        kt->chunks = c;
        kt->chunk_bytes += sizeof(kchunk) + cap;
    }
    char *d = c->data + c->used;
    memcpy(d, s, n);
    c->used += n;
    kt->live_bytes += n;
    return d;
}

static void free_chunks(kchunk *c)
{
    while (c) {
        kchunk *n = c->next;
        free(c);
        c = n;
    }
}

/* Copies every live key string into fresh chunks and frees the old ones. */
static void arena_compact(rt_keytab *kt)
{
    kchunk *old = kt->chunks;
    kt->chunks = NULL;
    kt->chunk_bytes = kt->live_bytes = kt->dead_bytes = 0;
    for (size_t i = 0; i < kt->count; i++) {
        rt_slot *k = kt->keys + i * (size_t)kt->nkeys;
        for (int j = 0; j < kt->nkeys; j++)
            if (kt->types[j] == RT_STRING)
                k[j].v.s = arena_copy(kt, k[j].v.s, k[j].len);
    }
    free_chunks(old);
}

rt_keytab *rt_keytab_new(int nkeys, const rt_type *types)
{
    assert(nkeys >= 1);
    rt_keytab *kt = xrealloc(NULL, sizeof *kt);
    memset(kt, 0, sizeof *kt);
    kt->nkeys = nkeys;
    kt->types = xrealloc(NULL, sizeof(rt_type) * (size_t)nkeys);
    memcpy(kt->types, types, sizeof(rt_type) * (size_t)nkeys);
    for (int j = 0; j < nkeys; j++)
        kt->has_str |= types[j] == RT_STRING;
    kt->word_key = nkeys == 1 && (types[0] == RT_INT || types[0] == RT_TIMESTAMP || types[0] == RT_BOOL);
    kt->mask = 15;
    kt->slots = xrealloc(NULL, sizeof(kslot) * 16);
    memset(kt->slots, 0, sizeof(kslot) * 16);
    return kt;
}

void rt_keytab_free(rt_keytab *kt)
{
    if (!kt)
        return;
    free_chunks(kt->chunks);
    free(kt->slots);
    free(kt->hashes);
    free(kt->keys);
    free(kt->types);
    free(kt);
}

static inline uint64_t word_of(rt_type t, const rt_slot *s)
{
    if (t == RT_FLOAT) {
        double f = s->v.f == 0 ? 0.0 : s->v.f; /* -0 and 0 are one key */
        uint64_t w;
        memcpy(&w, &f, 8);
        return w;
    }
    return (uint64_t)s->v.i;
}

/* The hash of a word key. */
static inline uint64_t word_hash(uint64_t w)
{
    return rt_hash_mix(w ^ P2);
}

uint64_t rt_keytab_hash(const rt_keytab *kt, const rt_slot *key)
{
    if (kt->word_key)
        return word_hash((uint64_t)key[0].v.i);
    uint64_t h = P2;
    for (int j = 0; j < kt->nkeys; j++) {
        if (kt->types[j] == RT_STRING)
            h = rt_hash_bytes(key[j].v.s, key[j].len, h);
        else
            h = mum(word_of(kt->types[j], &key[j]) ^ P0, h ^ P1);
    }
    return rt_hash_mix(h);
}

static bool has_null(const rt_keytab *kt, const rt_slot *key)
{
    for (int j = 0; j < kt->nkeys; j++)
        if (key[j].null)
            return true;
    return false;
}

static bool key_eq(const rt_keytab *kt, const rt_slot *a, const rt_slot *b)
{
    for (int j = 0; j < kt->nkeys; j++) {
        switch (kt->types[j]) {
        case RT_STRING:
            if (a[j].len != b[j].len || (a[j].len && memcmp(a[j].v.s, b[j].v.s, a[j].len)))
                return false;
            break;
        case RT_FLOAT:
            if (!(a[j].v.f == b[j].v.f))
                return false;
            break;
        default:
            if (a[j].v.i != b[j].v.i)
                return false;
        }
    }
    return true;
}

/* What a slot holds for a key of hash h. */
static inline uint64_t slot_word(const rt_keytab *kt, const rt_slot *key, uint64_t h)
{
    return kt->word_key ? (uint64_t)key[0].v.i : h;
}

/* Slot position of key (hash h): where it is, or the empty slot where it would go. */
static size_t probe(const rt_keytab *kt, const rt_slot *key, uint64_t h)
{
    size_t i = h & kt->mask;
    uint64_t w = slot_word(kt, key, h);
    if (kt->word_key) {
        for (;;) {
            const kslot *s = &kt->slots[i];
            if (!s->idx1 || s->word == w)
                return i;
            i = (i + 1) & kt->mask;
        }
    }
    for (;;) {
        const kslot *s = &kt->slots[i];
        if (!s->idx1)
            return i;
        if (s->word == w && key_eq(kt, kt->keys + (size_t)(s->idx1 - 1) * kt->nkeys, key))
            return i;
        i = (i + 1) & kt->mask;
    }
}

/* The home position of an occupied slot. */
static inline size_t slot_home(const rt_keytab *kt, const kslot *s)
{
    return (kt->word_key ? word_hash(s->word) : s->word) & kt->mask;
}

int64_t rt_keytab_find(const rt_keytab *kt, const rt_slot *key)
{
    if (has_null(kt, key))
        return -1;
    size_t i = probe(kt, key, rt_keytab_hash(kt, key));
    return kt->slots[i].idx1 ? (int64_t)kt->slots[i].idx1 - 1 : -1;
}

static void grow_slots(rt_keytab *kt)
{
    size_t n = (kt->mask + 1) * 2;
    free(kt->slots);
    kt->slots = rt_huge_realloc(NULL, 0, sizeof(kslot) * n);
    memset(kt->slots, 0, sizeof(kslot) * n);
    kt->mask = n - 1;
    for (size_t d = 0; d < kt->count; d++) {
        uint64_t h = kt->hashes[d];
        size_t i = h & kt->mask;
        while (kt->slots[i].idx1)
            i = (i + 1) & kt->mask;
        kt->slots[i].idx1 = (uint32_t)(d + 1);
        kt->slots[i].word = slot_word(kt, kt->keys + d * (size_t)kt->nkeys, h);
    }
}

int64_t rt_keytab_upsert(rt_keytab *kt, const rt_slot *key, bool *inserted)
{
    return rt_keytab_upsert_hashed(kt, key, rt_keytab_hash(kt, key), inserted);
}

void rt_keytab_prefetch(const rt_keytab *kt, uint64_t hash)
{
    __builtin_prefetch(&kt->slots[hash & kt->mask]);
}

uint64_t rt_keytab_hash_prefetch(const rt_keytab *kt, const rt_slot *key)
{
    uint64_t h = kt->word_key ? word_hash((uint64_t)key[0].v.i) : rt_keytab_hash(kt, key);
    __builtin_prefetch(&kt->slots[h & kt->mask]);
    return h;
}

int64_t rt_keytab_upsert_hashed(rt_keytab *kt, const rt_slot *key, uint64_t h, bool *inserted)
{
    *inserted = false;
    size_t i;
    if (kt->word_key) {
        /* the common entity key: compare the words in the slots, nothing else is read */
        if (key[0].null)
            return -1;
        uint64_t w = (uint64_t)key[0].v.i;
        const kslot *slots = kt->slots;
        for (i = h & kt->mask; slots[i].idx1; i = (i + 1) & kt->mask)
            if (slots[i].word == w)
                return (int64_t)slots[i].idx1 - 1;
    } else {
        if (has_null(kt, key))
            return -1;
        i = probe(kt, key, h);
        if (kt->slots[i].idx1)
            return (int64_t)kt->slots[i].idx1 - 1;
    }
    if (kt->count >= UINT32_MAX - 1) {
        fprintf(stderr, "featrt: too many keys in one view\n");
        abort();
    }
    /* keep the load factor at or below 5/8 */
    if ((kt->count + 1) * 8 > (kt->mask + 1) * 5) {
        grow_slots(kt);
        i = probe(kt, key, h);
    }
    if (kt->count == kt->dcap) {
        size_t old = kt->dcap;
        kt->dcap = kt->dcap ? kt->dcap * 2 : 16;
        kt->hashes = rt_huge_realloc(kt->hashes, sizeof(uint64_t) * old, sizeof(uint64_t) * kt->dcap);
        kt->keys = rt_huge_realloc(kt->keys, sizeof(rt_slot) * old * (size_t)kt->nkeys,
                                   sizeof(rt_slot) * kt->dcap * (size_t)kt->nkeys);
    }
    size_t d = kt->count++;
    kt->hashes[d] = h;
    rt_slot *k = kt->keys + d * (size_t)kt->nkeys;
    for (int j = 0; j < kt->nkeys; j++) {
        memset(&k[j], 0, sizeof k[j]);
        if (kt->types[j] == RT_STRING) {
            k[j].v.s = arena_copy(kt, key[j].v.s, key[j].len);
            k[j].len = key[j].len;
        } else if (kt->types[j] == RT_FLOAT) {
            k[j].v.f = key[j].v.f == 0 ? 0.0 : key[j].v.f;
        } else {
            k[j].v.i = key[j].v.i;
        }
    }
    kt->slots[i].idx1 = (uint32_t)(d + 1);
    kt->slots[i].word = slot_word(kt, key, h);
    *inserted = true;
    return (int64_t)d;
}

void rt_keytab_upsert_many(rt_keytab *kt, const rt_slot *const *keys, size_t n, int64_t *idx, bool *inserted)
{
    uint64_t hash[64];
    for (size_t base = 0; base < n; base += 64) {
        size_t m = n - base < 64 ? n - base : 64;
        const rt_slot *const *k = keys + base;
        for (size_t i = 0; i < m; i++) {
            hash[i] = rt_keytab_hash(kt, k[i]);
            __builtin_prefetch(&kt->slots[hash[i] & kt->mask]);
        }
        for (size_t i = 0; i < m; i++)
            idx[base + i] = rt_keytab_upsert_hashed(kt, k[i], hash[i], &inserted[base + i]);
    }
}

/* Slot holding dense index d. */
static size_t slot_of(const rt_keytab *kt, size_t d)
{
    size_t i = kt->hashes[d] & kt->mask;
    while (kt->slots[i].idx1 != d + 1) {
        assert(kt->slots[i].idx1);
        i = (i + 1) & kt->mask;
    }
    return i;
}

size_t rt_keytab_remove(rt_keytab *kt, size_t idx)
{
    assert(idx < kt->count);
    /* backward-shift deletion keeps every probe chain unbroken without tombstones */
    size_t i = slot_of(kt, idx);
    size_t j = i;
    for (;;) {
        j = (j + 1) & kt->mask;
        kslot s = kt->slots[j];
        if (!s.idx1)
            break;
        size_t home = slot_home(kt, &s);
        /* s may move to i when its home is not in the cyclic range (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            kt->slots[i] = s;
            i = j;
        }
    }
    kt->slots[i].idx1 = 0;

    rt_slot *k = kt->keys + idx * (size_t)kt->nkeys;
    for (int c = 0; c < kt->nkeys; c++)
        if (kt->types[c] == RT_STRING) {
            kt->live_bytes -= k[c].len;
            kt->dead_bytes += k[c].len;
        }
    size_t last = kt->count - 1;
    if (last != idx) {
        kt->slots[slot_of(kt, last)].idx1 = (uint32_t)(idx + 1);
        kt->hashes[idx] = kt->hashes[last];
        memcpy(k, kt->keys + last * (size_t)kt->nkeys, sizeof(rt_slot) * (size_t)kt->nkeys);
    }
    kt->count--;
    if (kt->has_str && kt->dead_bytes > 4096 && kt->dead_bytes > kt->live_bytes)
        arena_compact(kt);
    return last;
}

const rt_slot *rt_keytab_key(const rt_keytab *kt, size_t idx)
{
    assert(idx < kt->count);
    return kt->keys + idx * (size_t)kt->nkeys;
}

size_t rt_keytab_count(const rt_keytab *kt)
{
    return kt->count;
}

size_t rt_keytab_bytes(const rt_keytab *kt)
{
    return sizeof *kt + sizeof(kslot) * (kt->mask + 1) +
           kt->dcap * (sizeof(uint64_t) + sizeof(rt_slot) * (size_t)kt->nkeys) + kt->chunk_bytes;
}
