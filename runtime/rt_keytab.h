/* rt_keytab.h - open-addressing hash table from composite entity keys to dense indices, and the hash functions. */
#ifndef FEATRT_KEYTAB_H
#define FEATRT_KEYTAB_H

#include "rt_types.h"

/* Hashes n bytes (wyhash-style 64x64->128 multiply mixing), chained through seed. */
uint64_t rt_hash_bytes(const void *p, size_t n, uint64_t seed);

/* A strong 64-bit finaliser (splitmix64): every input bit affects every output bit. */
static inline uint64_t rt_hash_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* Keys are arrays of nkeys slots of fixed types. Each stored key has a dense index in
 * [0, count): indices stay put except on removal, which moves the last key into the hole.
 * String parts are copied into the table's own arena. */
typedef struct rt_keytab rt_keytab;

/* types[nkeys] is copied. */
rt_keytab *rt_keytab_new(int nkeys, const rt_type *types);
void rt_keytab_free(rt_keytab *kt);

/* Hash of a key (used for probing); keys with a null part hash to anything. */
uint64_t rt_keytab_hash(const rt_keytab *kt, const rt_slot *key);
/* Dense index of key, or -1 when absent or when a part of key is null. */
int64_t rt_keytab_find(const rt_keytab *kt, const rt_slot *key);
/* Dense index of key, inserting it (as index count) when absent; *inserted tells which.
 * Returns -1 (and inserts nothing) when a part of key is null. */
int64_t rt_keytab_upsert(rt_keytab *kt, const rt_slot *key, bool *inserted);
/* rt_keytab_upsert for a key whose rt_keytab_hash is hash (computed ahead, e.g. to
 * prefetch). */
int64_t rt_keytab_upsert_hashed(rt_keytab *kt, const rt_slot *key, uint64_t hash, bool *inserted);
/* Hints the processor to fetch the slot a key of this hash is probed from first. */
void rt_keytab_prefetch(const rt_keytab *kt, uint64_t hash);
/* rt_keytab_hash and rt_keytab_prefetch of that hash in one call; returns the hash. */
uint64_t rt_keytab_hash_prefetch(const rt_keytab *kt, const rt_slot *key);
/* rt_keytab_upsert of n keys, keys[i] pointing at key i's nkeys slots: writes each dense
 * index (or -1) to idx[i] and whether it was inserted to inserted[i]. The same as n calls
 * in order, but the slots of all n keys are fetched before any is probed. */
void rt_keytab_upsert_many(rt_keytab *kt, const rt_slot *const *keys, size_t n, int64_t *idx, bool *inserted);
/* Removes the key at index idx (< count). The key that had index count-1 takes index idx;
 * returns that old index (equal to idx when idx was the last). */
size_t rt_keytab_remove(rt_keytab *kt, size_t idx);
/* The stored key at idx: nkeys slots; strings point into the table's arena and stay valid
 * until the next upsert or remove. */
const rt_slot *rt_keytab_key(const rt_keytab *kt, size_t idx);
size_t rt_keytab_count(const rt_keytab *kt);
/* Bytes held by the table (slots, dense arrays, string arena). */
size_t rt_keytab_bytes(const rt_keytab *kt);

#endif
