/*
 * tailcall - a register-machine bytecode interpreter whose handlers tail-call
 * the next one through a table (musttail: return_call_indirect when built with
 * -mtail-call, as build.sh builds it, with clang-19), the way fast interpreters
 * written in C dispatch. Models call-heavy code that never returns until the
 * end. Size: a loop of 8 instructions, 300,000 iterations per rep (2.7 million
 * tail calls); FULL_REPS = 200 reps at full.
 */
#include "bench.h"

enum { SETW, ADD, MUL, MODI, XOR, DEC, JNZ, HALT };

typedef int64_t Handler(const uint8_t *pc, int64_t *r, int64_t steps);
static Handler *const table[];

#define NEXT(pc, r, steps) __attribute__((musttail)) return table[*(pc)]((pc) + 1, r, (steps) + 1)

static int64_t op_setw(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] = (int64_t)((uint32_t)pc[1] | (uint32_t)pc[2] << 8 | (uint32_t)pc[3] << 16 | (uint32_t)pc[4] << 24);
    NEXT(pc + 5, r, steps);
}
static int64_t op_add(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] += r[pc[1]];
    NEXT(pc + 2, r, steps);
}
static int64_t op_mul(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] *= r[pc[1]];
    NEXT(pc + 2, r, steps);
}
static int64_t op_modi(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] %= pc[1];
    NEXT(pc + 2, r, steps);
}
static int64_t op_xor(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] ^= r[pc[1]];
    NEXT(pc + 2, r, steps);
}
static int64_t op_dec(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] -= 1;
    NEXT(pc + 1, r, steps);
}
static int64_t op_jnz(const uint8_t *pc, int64_t *r, int64_t steps) {
    const uint8_t *next = pc + 2;
    if (r[pc[0]] != 0) next -= pc[1];
    NEXT(next, r, steps);
}
static int64_t op_halt(const uint8_t *pc, int64_t *r, int64_t steps) {
    (void)pc;
    (void)r;
    return steps;
}

static Handler *const table[] = {op_setw, op_add, op_mul, op_modi, op_xor, op_dec, op_jnz, op_halt};

#define ITERATIONS 300000u
#define FULL_REPS 200

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    const uint32_t n = ITERATIONS;
    const uint8_t program[] = {
        SETW, 1, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24), /* r1 = n */
        SETW, 4, 3, 0, 0, 0,                                                             /* r4 = 3 */
        /* loop: */
        SETW, 2, 0, 0, 0, 0, ADD, 2, 1, MUL, 2, 2, MODI, 2, 97, ADD, 0, 2, XOR, 3, 0, MUL, 3, 4, DEC, 1,
        JNZ, 1, 29, /* back to the loop, 29 bytes before the next instruction */
        HALT,
    };
    int64_t r[8] = {0};
    sum_t s = sum_new();
    for (long t = 0; t < reps; t++) {
        int64_t steps = table[program[0]](program + 1, r, 1);
        sum_u64(&s, (uint64_t)steps);
        sum_u64(&s, (uint64_t)r[0]);
        sum_u64(&s, (uint64_t)r[3]);
    }
    return bench_finish(&s);
}
