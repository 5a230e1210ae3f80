/*
 * fib - recursion-heavy code with many small calls: naive doubly recursive
 * Fibonacci, the Takeuchi function and Ackermann's function. Models call
 * overhead (prologue/epilogue, stack traffic) in an engine.
 * Size per unit (full = 5 units): fib(30), tak(18, 12, 6), ack(2, 2000).
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

int main(int argc, char **argv) {
    int units = bench_units(argc, argv);
    /* volatile inputs stop the compiler from evaluating calls at build time */
    volatile uint32_t fn = 30, an = 2000;
    volatile int tx = 18, ty = 12, tz = 6;
    sum_t s = sum_new();
    for (int u = 0; u < units; u++) {
        sum_u64(&s, fib(fn));
        sum_u64(&s, (uint64_t)tak(tx, ty, tz));
        sum_u64(&s, ack(2, an + (uint32_t)u));
    }
    return bench_finish(&s);
}
