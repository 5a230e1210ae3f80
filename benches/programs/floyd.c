/*
 * floyd - Floyd-Warshall all-pairs shortest paths on a dense random
 * directed graph with integer weights (some edges missing). Models graph
 * analytics on adjacency matrices. Size: V = 150 vertices, one fresh graph
 * per rep, FULL_REPS = 100 reps at full.
 */
#include "bench.h"

#define V 150
#define FULL_REPS 100
#define INF 0x3fffffff

static int d[V][V];

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(8);
    sum_t s = sum_new();
    for (long g = 0; g < reps; g++) {
        for (int i = 0; i < V; i++)
            for (int j = 0; j < V; j++)
                d[i][j] = i == j ? 0 : rng_below(&r, 4) == 0 ? (int)rng_below(&r, 1000) + 1 : INF;
        for (int k = 0; k < V; k++)
            for (int i = 0; i < V; i++) {
                int dik = d[i][k];
                if (dik == INF) continue;
                for (int j = 0; j < V; j++) {
                    int via = dik + d[k][j];
                    if (via < d[i][j]) d[i][j] = via;
                }
            }
        uint64_t total = 0;
        for (int i = 0; i < V; i++)
            for (int j = 0; j < V; j++) total += (uint64_t)d[i][j];
        sum_u64(&s, total);
        sum_u64(&s, (uint64_t)d[V - 1][0]);
    }
    return bench_finish(&s);
}
