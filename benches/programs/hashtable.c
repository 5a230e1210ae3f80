/*
 * hashtable - open-addressing hash table (linear probing, 64-bit keys and
 * values, power-of-two capacity) with inserts, hits, misses, updates and
 * tombstone deletes. Models in-memory key-value indexing.
 * Size: per rep, a fresh table of 2^16 slots (1 MiB) and KEYS = 25000
 * keys; FULL_REPS = 200 reps at full.
 */
#include "bench.h"

#define CAP (1u << 16)
#define KEYS 25000
#define FULL_REPS 200
#define EMPTY 0
#define TOMB 1 /* keys 0 and 1 are reserved */

static uint64_t keys[CAP], vals[CAP];

static inline uint32_t slot_of(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (uint32_t)k & (CAP - 1);
}

static void put(uint64_t k, uint64_t v) {
    uint32_t i = slot_of(k), tomb = CAP;
    for (;; i = (i + 1) & (CAP - 1)) {
        if (keys[i] == k) { vals[i] = v; return; }
        if (keys[i] == TOMB && tomb == CAP) tomb = i;
        if (keys[i] == EMPTY) break;
    }
    if (tomb != CAP) i = tomb;
    keys[i] = k;
    vals[i] = v;
}

static uint64_t *find(uint64_t k) {
    for (uint32_t i = slot_of(k);; i = (i + 1) & (CAP - 1)) {
        if (keys[i] == k) return &vals[i];
        if (keys[i] == EMPTY) return NULL;
    }
}

static int del(uint64_t k) {
    for (uint32_t i = slot_of(k);; i = (i + 1) & (CAP - 1)) {
        if (keys[i] == k) { keys[i] = TOMB; return 1; }
        if (keys[i] == EMPTY) return 0;
    }
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        memset(keys, 0, sizeof keys);
        rng_t r = rng_new(13 + (uint64_t)rep);
        uint64_t first = 0;
        for (long i = 0; i < KEYS; i++) {
            uint64_t k = (rng_next(&r) % (KEYS * 3ull)) + 2; /* repeats update */
            if (i == 0) first = k;
            put(k, (uint64_t)i);
        }
        uint64_t hits = 0, acc = 0;
        for (uint64_t k = 2; k < KEYS * 3ull + 2; k += 2) { /* ~1/3 hits */
            uint64_t *v = find(k);
            if (v) { hits++; acc += *v; *v += 1; }
        }
        uint64_t deleted = 0;
        for (uint64_t k = 3; k < KEYS * 3ull + 2; k += 7) deleted += (uint64_t)del(k);
        for (uint64_t k = 3; k < KEYS * 3ull + 2; k += 5) put(k, k);
        uint64_t *v = find(first);
        sum_u64(&s, hits);
        sum_u64(&s, acc);
        sum_u64(&s, deleted);
        sum_u64(&s, v ? *v : 0);
    }
    return bench_finish(&s);
}
