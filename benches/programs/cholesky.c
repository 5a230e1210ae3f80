/*
 * cholesky - Cholesky factorisation A = L * L^T of a symmetric positive
 * definite (diagonally dominant) matrix, using sqrt. Models dense
 * factorisation with square roots. Size: N = 250, one
 * factorisation of a fresh matrix per rep, FULL_REPS = 170 reps at full.
 */
#include "bench.h"
#include <math.h>

#define N 250
#define FULL_REPS 170

static double A[N][N];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        rng_t r = rng_new(200 + (uint64_t)rep);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < i; j++) A[i][j] = A[j][i] = rng_double(&r);
            A[i][i] = N + rng_double(&r);
        }
        /* Row-oriented Cholesky; L overwrites the lower triangle. */
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < i; j++) {
                double v = A[i][j];
                for (int k = 0; k < j; k++) v -= A[i][k] * A[j][k];
                A[i][j] = v / A[j][j];
            }
            double d = A[i][i];
            for (int k = 0; k < i; k++) d -= A[i][k] * A[i][k];
            A[i][i] = sqrt(d);
        }
        for (int i = 0; i < N; i += 3)
            for (int j = 0; j <= i; j += 7) sum_double(&s, A[i][j]);
    }
    return bench_finish(&s);
}
