/*
 * lu - in-place LU decomposition (Doolittle, no pivoting) of a diagonally
 * dominant matrix, then a solve with the factors. Models dense factorisation.
 * Size: N = 300, REPS factorisations per unit (full = 5 units).
 */
#include "bench.h"

#define N 300
#define REPS 14

static double A[N][N], b[N], x[N];

int main(int argc, char **argv) {
    int units = bench_units(argc, argv);
    sum_t s = sum_new();
    for (int rep = 0; rep < units * REPS; rep++) {
        rng_t r = rng_new(100 + rep);
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
