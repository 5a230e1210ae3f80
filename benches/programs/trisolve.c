/*
 * trisolve - triangular solves: forward substitution L X = B followed by
 * back substitution L^T Y = X, for many right-hand sides at once.
 * Models BLAS-3 TRSM. Size: N = 250 unknowns, M = 64 right-hand sides,
 * one solve of fresh right-hand sides per rep, FULL_REPS = 160 reps at full.
 */
#include "bench.h"

#define N 250
#define M 64
#define FULL_REPS 160

static double L[N][N], X[N][M];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(3);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++) L[i][j] = (rng_double(&r) - 0.5) / N;
        L[i][i] = 1.0 + rng_double(&r);
    }
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        for (int i = 0; i < N; i++)
            for (int c = 0; c < M; c++) X[i][c] = rng_double(&r);
        /* Forward: L X = B (B held in X). */
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < i; k++) {
                double l = L[i][k];
                for (int c = 0; c < M; c++) X[i][c] -= l * X[k][c];
            }
            double d = L[i][i];
            for (int c = 0; c < M; c++) X[i][c] /= d;
        }
        /* Backward: L^T Y = X. */
        for (int i = N - 1; i >= 0; i--) {
            for (int k = i + 1; k < N; k++) {
                double l = L[k][i];
                for (int c = 0; c < M; c++) X[i][c] -= l * X[k][c];
            }
            double d = L[i][i];
            for (int c = 0; c < M; c++) X[i][c] /= d;
        }
        for (int i = 0; i < N; i += 5)
            for (int c = 0; c < M; c += 3) sum_double(&s, X[i][c]);
    }
    return bench_finish(&s);
}
