/*
 * jacobi2d - 2-D Jacobi relaxation, 5-point stencil, ping-pong buffers.
 * Models structured-grid stencils. Size: 512 x 512 grid, two sweeps (there
 * and back) per rep, FULL_REPS = 650 reps at full.
 */
#include "bench.h"

#define N 512
#define FULL_REPS 650

static double A[N][N], B[N][N];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(4);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) A[i][j] = B[i][j] = rng_double(&r);
    for (long t = 0; t < reps; t++) {
        for (int i = 1; i < N - 1; i++)
            for (int j = 1; j < N - 1; j++)
                B[i][j] = 0.2 * (A[i][j] + A[i - 1][j] + A[i + 1][j] +
                                 A[i][j - 1] + A[i][j + 1]);
        for (int i = 1; i < N - 1; i++)
            for (int j = 1; j < N - 1; j++)
                A[i][j] = 0.2 * (B[i][j] + B[i - 1][j] + B[i + 1][j] +
                                 B[i][j - 1] + B[i][j + 1]);
    }
    sum_t s = sum_new();
    for (int i = 0; i < N; i += 3)
        for (int j = 0; j < N; j += 3) sum_double(&s, A[i][j]);
    return bench_finish(&s);
}
