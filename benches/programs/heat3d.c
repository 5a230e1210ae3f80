/*
 * heat3d - explicit 3-D heat equation, 7-point stencil, ping-pong buffers.
 * Models 3-D structured-grid stencils. Size: 72^3 grid, two time steps (there
 * and back) per rep, FULL_REPS = 250 reps at full.
 */
#include "bench.h"

#define N 72
#define FULL_REPS 250

static double A[N][N][N], B[N][N][N];

static void step(double (*dst)[N][N], double (*src)[N][N]) {
    for (int i = 1; i < N - 1; i++)
        for (int j = 1; j < N - 1; j++)
            for (int k = 1; k < N - 1; k++)
                dst[i][j][k] = src[i][j][k] +
                    0.125 * (src[i + 1][j][k] - 2.0 * src[i][j][k] + src[i - 1][j][k]) +
                    0.125 * (src[i][j + 1][k] - 2.0 * src[i][j][k] + src[i][j - 1][k]) +
                    0.125 * (src[i][j][k + 1] - 2.0 * src[i][j][k] + src[i][j][k - 1]);
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(5);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            for (int k = 0; k < N; k++) A[i][j][k] = B[i][j][k] = rng_double(&r);
    for (long t = 0; t < reps; t++) {
        step(B, A);
        step(A, B);
    }
    sum_t s = sum_new();
    for (int i = 0; i < N; i += 5)
        for (int j = 0; j < N; j += 3)
            for (int k = 0; k < N; k += 7) sum_double(&s, A[i][j][k]);
    return bench_finish(&s);
}
