/*
 * fdtd2d - 2-D finite-difference time-domain (Yee scheme, TE mode):
 * electric fields ex, ey and magnetic field hz updated in turn, with a
 * soft source driven along one edge. Models electromagnetic simulation.
 * Size: 500 x 500 grid, one time step per rep, FULL_REPS = 500 reps at
 * full.
 */
#include "bench.h"

#define NX 500
#define NY 500
#define FULL_REPS 500

static double ex[NX][NY], ey[NX][NY], hz[NX][NY];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(6);
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NY; j++) {
            ex[i][j] = 0.0;
            ey[i][j] = 0.0;
            hz[i][j] = rng_double(&r) * 0.01;
        }
    for (long t = 0; t < reps; t++) {
        double src = (double)(t % 17) * 0.0625; /* sawtooth source */
        for (int j = 0; j < NY; j++) ey[0][j] = src;
        for (int i = 1; i < NX; i++)
            for (int j = 0; j < NY; j++) ey[i][j] -= 0.5 * (hz[i][j] - hz[i - 1][j]);
        for (int i = 0; i < NX; i++)
            for (int j = 1; j < NY; j++) ex[i][j] -= 0.5 * (hz[i][j] - hz[i][j - 1]);
        for (int i = 0; i < NX - 1; i++)
            for (int j = 0; j < NY - 1; j++)
                hz[i][j] -= 0.7 * (ex[i][j + 1] - ex[i][j] + ey[i + 1][j] - ey[i][j]);
    }
    sum_t s = sum_new();
    for (int i = 0; i < NX; i += 3)
        for (int j = 0; j < NY; j += 3) {
            sum_double(&s, hz[i][j]);
            sum_double(&s, ex[i][j]);
            sum_double(&s, ey[i][j]);
        }
    return bench_finish(&s);
}
