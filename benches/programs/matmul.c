/*
 * matmul - dense matrix multiply C = A * B (double, i-k-j loop order).
 * Models BLAS-3 style linear algebra. Size: N = 192, one multiply per rep,
 * FULL_REPS = 120 reps at full; A is perturbed between multiplies.
 */
#include "bench.h"

#define N 192
#define FULL_REPS 120

static double A[N][N], B[N][N], C[N][N];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(1);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = rng_double(&r) - 0.5;
            B[i][j] = rng_double(&r) - 0.5;
        }
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        memset(C, 0, sizeof C);
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double a = A[i][k];
                for (int j = 0; j < N; j++) C[i][j] += a * B[k][j];
            }
        for (int i = 0; i < N; i += 7)
            for (int j = 0; j < N; j += 5) sum_double(&s, C[i][j]);
        A[rep % N][(rep * 31) % N] += 0.25; /* next product differs */
    }
    return bench_finish(&s);
}
