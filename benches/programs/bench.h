/*
 * bench.h - shared helpers for the Stratus benchmark programs.
 *
 * Conventions (the harness, benches/run, relies on these):
 *   - argv[1] is an optional size: "full" (default), "quick" (20 percent
 *     of full) or "percent=P" with an integer 1 <= P <= 100. Each program's
 *     full work is full_reps repetitions of a small step (full_reps >= 100
 *     where possible), and it runs bench_reps() of them, so the work is
 *     close to linear in P and a slow engine can run a small fraction of
 *     it. Setup (allocation, initialisation) is kept small beside one
 *     percent of the work, so that stays meaningful too. A slow engine is
 *     compared with native code run on the same argument.
 *   - The call depth stays low (well under 500 frames), so engines run with
 *     their default stack limits.
 *   - The program prints exactly one line "checksum: <16 hex digits>" and
 *     exits 0. The checksum is identical natively and under wasm32-wasi.
 *   - No timing inside the programs; fixed seeds everywhere.
 *
 * Built with -DBENCH_FREESTANDING (the kernels only, for wasm32 and wasm64:
 * wasi-libc has no wasm64), a program needs no libc: instead of printing, it
 * exports run(percent), which runs main at that size and returns the
 * checksum, and the harness calls it with stratus run --invoke run.
 */
#ifndef STRATUS_BENCH_H
#define STRATUS_BENCH_H

/* No fused multiply-add: keeps floating-point results bit-identical. */
#pragma STDC FP_CONTRACT OFF

#include <stdint.h>

#ifdef BENCH_FREESTANDING
#include <stddef.h>
/* With -mbulk-memory these become memory.copy and memory.fill, or inline code. */
#define memcpy __builtin_memcpy
#define memset __builtin_memset

/* The size and the result of the call of run in progress. */
static int bench_size_percent = 100;
static uint64_t bench_checksum;

static inline int bench_percent(int argc, char **argv) {
    (void)argc, (void)argv;
    return bench_size_percent;
}
#else
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The size argument as a percentage of full; exits 2 on a bad argument. */
static inline int bench_percent(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "full") == 0) return 100;
    if (strcmp(argv[1], "quick") == 0) return 20;
    if (strncmp(argv[1], "percent=", 8) == 0) {
        const char *digits = argv[1] + 8;
        char *end;
        long p = strtol(digits, &end, 10);
        /* Digits only: no sign, spaces or trailing junk. */
        if (*digits >= '0' && *digits <= '9' && *end == '\0' && p >= 1 && p <= 100)
            return (int)p;
    }
    fprintf(stderr, "usage: %s [full|quick|percent=P]  (P an integer, 1..100)\n", argv[0]);
    exit(2);
}
#endif

/* Repetitions to run: full_reps scaled by the size argument, rounded to
 * nearest, at least 1. */
static inline long bench_reps(int argc, char **argv, long full_reps) {
    long reps = (full_reps * bench_percent(argc, argv) + 50) / 100;
    return reps > 0 ? reps : 1;
}

/* xorshift64* PRNG: small, fast and the same on every target. */
typedef struct { uint64_t s; } rng_t;

static inline rng_t rng_new(uint64_t seed) {
    rng_t r = { seed ? seed : 0x9E3779B97F4A7C15ull };
    return r;
}

static inline uint64_t rng_next(rng_t *r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static inline uint32_t rng_u32(rng_t *r) { return (uint32_t)(rng_next(r) >> 32); }

/* Uniform integer in [0, n) (tiny modulo bias is irrelevant here). */
static inline uint32_t rng_below(rng_t *r, uint32_t n) { return rng_u32(r) % n; }

/* Uniform double in [0, 1), exact: 53 random bits scaled by 2^-53. */
static inline double rng_double(rng_t *r) {
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Checksum accumulator: a 64-bit mixing hash of a stream of words. */
typedef struct { uint64_t h; } sum_t;

static inline sum_t sum_new(void) { sum_t s = { 0xCBF29CE484222325ull }; return s; }

static inline void sum_u64(sum_t *s, uint64_t v) {
    uint64_t h = s->h ^ v;
    h *= 0x100000001B3ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    s->h = h ^ (h >> 32);
}

static inline void sum_double(sum_t *s, double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    sum_u64(s, bits);
}

#ifdef BENCH_FREESTANDING
static inline int bench_finish(sum_t *s) {
    bench_checksum = s->h;
    return 0;
}

int main(int argc, char **argv);

/* Runs the program at percent of its full size (1..100); its checksum. */
__attribute__((export_name("run"))) uint64_t run(int32_t percent) {
    bench_size_percent = percent;
    main(0, NULL);
    return bench_checksum;
}
#else
static inline int bench_finish(sum_t *s) {
    printf("checksum: %016" PRIx64 "\n", s->h);
    return 0;
}

/* malloc that never returns NULL (benchmarks have nothing to recover). */
static inline void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) { fprintf(stderr, "out of memory (%zu bytes)\n", n); exit(1); }
    return p;
}
#endif

#endif
