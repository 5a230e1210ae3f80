/*
 * The <math.h> of the freestanding builds (bench.h, BENCH_FREESTANDING): the
 * functions the kernels use, as the compiler's builtins (single instructions).
 */
#ifndef STRATUS_BENCH_FREESTANDING_MATH_H
#define STRATUS_BENCH_FREESTANDING_MATH_H
#define sqrt __builtin_sqrt
#define fabs __builtin_fabs
#endif
