/*
 * fib - recursion-heavy code with many small calls: naive doubly recursive
 * Fibonacci, the Takeuchi function and Ackermann's function. Models call
 * overhead (prologue/epilogue, stack traffic) in an engine.
 * Size: per rep, fib(22), tak(12, 8, 4) and ack(2, n) for n = 136..139
 * (about 220K calls); FULL_REPS = 300 reps at full. Arguments are kept
 * small so the call depth stays under about 300 frames (ack(2, n) nests
 * about 2n deep), within every engine's default stack.
 */
#include "bench.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int tak(int x, int y, int z) {
    return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

static uint32_t ack(uint32_t m, uint32_t n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

#define FULL_REPS 300

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    /* volatile inputs stop the compiler from evaluating calls at build time */
    volatile uint32_t fn = 22, an = 136;
    volatile int tx = 12, ty = 8, tz = 4;
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        sum_u64(&s, fib(fn));
        sum_u64(&s, (uint64_t)tak(tx, ty, tz));
        for (uint32_t k = 0; k < 4; k++) sum_u64(&s, ack(2, an + k));
    }
    return bench_finish(&s);
}
