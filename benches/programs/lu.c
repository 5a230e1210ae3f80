/*
 * lu - in-place LU decomposition (Doolittle, no pivoting) of a diagonally
 * dominant matrix, then a solve with the factors. Models dense factorisation.
 * Size: N = 240, one factorisation and solve of a fresh matrix per rep,
 * FULL_REPS = 140 reps at full.
 */
#include "bench.h"

#define N 240
#define FULL_REPS 140

static double A[N][N], b[N], x[N];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        rng_t r = rng_new(100 + (uint64_t)rep);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) A[i][j] = rng_double(&r);
            A[i][i] += N;
            b[i] = rng_double(&r);
        }
        /* Factor: A = L * U, L unit lower triangular, both stored in A. */
        for (int k = 0; k < N; k++)
            for (int i = k + 1; i < N; i++) {
                double l = A[i][k] / A[k][k];
                A[i][k] = l;
                for (int j = k + 1; j < N; j++) A[i][j] -= l * A[k][j];
            }
        /* Solve L y = b, then U x = y. */
        for (int i = 0; i < N; i++) {
            double v = b[i];
            for (int j = 0; j < i; j++) v -= A[i][j] * x[j];
            x[i] = v;
        }
        for (int i = N - 1; i >= 0; i--) {
            double v = x[i];
            for (int j = i + 1; j < N; j++) v -= A[i][j] * x[j];
            x[i] = v / A[i][i];
        }
        for (int i = 0; i < N; i++) sum_double(&s, x[i]);
        sum_double(&s, A[N - 1][N - 1]);
    }
    return bench_finish(&s);
}
