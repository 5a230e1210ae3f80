/*
 * prng - pseudo-random number generation: PCG32 (XSH-RR) and xorshift128+
 * streams feeding a histogram, a 64-bit multiply-mix, and an integer
 * Monte-Carlo estimate of pi. Models integer-heavy simulation inner loops.
 * Size: DRAWS = 600000 draws from each generator per rep, FULL_REPS = 150
 * reps at full.
 */
#include "bench.h"

#define DRAWS 600000
#define FULL_REPS 150

typedef struct { uint64_t state, inc; } pcg32_t;

static uint32_t pcg32(pcg32_t *g) {
    uint64_t old = g->state;
    g->state = old * 6364136223846793005ull + g->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

typedef struct { uint64_t s0, s1; } xs128_t;

static uint64_t xs128p(xs128_t *g) {
    uint64_t a = g->s0, b = g->s1;
    g->s0 = b;
    a ^= a << 23;
    g->s1 = a ^ b ^ (a >> 17) ^ (b >> 26);
    return g->s1 + b;
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    pcg32_t pg = { 0x853c49e6748fea9bull, 0xda3e39cb94b95bdbull | 1 };
    xs128_t xg = { 0x0123456789abcdefull, 0xfedcba9876543210ull };
    static uint32_t hist[256];
    uint64_t inside = 0, mix = 0;
    for (long i = 0; i < reps * DRAWS; i++) {
        uint32_t a = pcg32(&pg);
        uint64_t b = xs128p(&xg);
        hist[(a ^ (uint32_t)b) >> 24]++;
        /* Point in the unit quarter-circle, 20-bit fixed point per axis. */
        uint64_t x = a >> 12, y = b >> 44;
        inside += x * x + y * y < (1ull << 40);
        mix = (mix ^ b) * 0x9E3779B97F4A7C15ull + a;
    }
    sum_t s = sum_new();
    for (int i = 0; i < 256; i++) sum_u64(&s, hist[i]);
    sum_u64(&s, inside);
    sum_u64(&s, mix);
    return bench_finish(&s);
}
