/* A register-machine bytecode interpreter whose handlers tail-call the next one
 * through a table ([[clang::musttail]]: return_call_indirect under -mtail-call), as
 * fast interpreters written in C do. It runs a loop of N iterations (argv[1], default
 * 1000000) and prints the machine's registers. Native code gives the same output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { SETW, ADD, MUL, MODI, XOR, DEC, JNZ, HALT };

typedef int64_t Handler(const uint8_t *pc, int64_t *r, int64_t steps);
static Handler *const table[];

#define NEXT(pc, r, steps) __attribute__((musttail)) return table[*(pc)]((pc) + 1, r, (steps) + 1)

/* SETW r imm32: r = imm. */
static int64_t op_setw(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] = (int64_t)((uint32_t)pc[1] | (uint32_t)pc[2] << 8 | (uint32_t)pc[3] << 16 | (uint32_t)pc[4] << 24);
    NEXT(pc + 5, r, steps);
}
/* ADD r s: r += s. */
static int64_t op_add(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] += r[pc[1]];
    NEXT(pc + 2, r, steps);
}
/* MUL r s: r *= s. */
static int64_t op_mul(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] *= r[pc[1]];
    NEXT(pc + 2, r, steps);
}
/* MODI r imm8: r %= imm. */
static int64_t op_modi(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] %= pc[1];
    NEXT(pc + 2, r, steps);
}
/* XOR r s: r ^= s. */
static int64_t op_xor(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] ^= r[pc[1]];
    NEXT(pc + 2, r, steps);
}
/* DEC r: r -= 1. */
static int64_t op_dec(const uint8_t *pc, int64_t *r, int64_t steps) {
    r[pc[0]] -= 1;
    NEXT(pc + 1, r, steps);
}
/* JNZ r back8: if r != 0, jump back8 bytes back from the next instruction. */
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

int main(int argc, char **argv) {
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], 0, 10) : 1000000;
    uint8_t program[] = {
        SETW, 0, 0, 0, 0, 0,                                                  /* r0 = 0 */
        SETW, 1, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24), /* r1 = n */
        SETW, 4, 3, 0, 0, 0,                                                  /* r4 = 3 */
        /* loop: */
        SETW, 2, 0, 0, 0, 0, /* r2 = 0 */
        ADD, 2, 1,           /* r2 += r1 */
        MUL, 2, 2,           /* r2 *= r2 */
        MODI, 2, 97,         /* r2 %= 97 */
        ADD, 0, 2,           /* r0 += r2 */
        XOR, 3, 0,           /* r3 ^= r0 */
        MUL, 3, 4,           /* r3 *= r4 */
        DEC, 1,              /* r1 -= 1 */
        JNZ, 1, 29,          /* back to loop: 29 bytes before the next instruction */
        HALT,
    };
    int64_t r[8] = {0};
    int64_t steps = table[program[0]](program + 1, r, 1);
    printf("n=%u steps=%lld r0=%lld r3=%lld\n", n, (long long)steps, (long long)r[0], (long long)r[3]);
    return 0;
}
