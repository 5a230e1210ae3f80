/*
 * bfs - breadth-first search on a generated sparse graph in compressed
 * sparse row (CSR) form, from many sources. Models irregular, pointer-
 * chasing graph traversal. Size: V = 40000 vertices, about 8 edges per
 * vertex (mostly local, some long-range); one search from a random source
 * per rep, FULL_REPS = 300 reps at full.
 */
#include "bench.h"

#define V 40000
#define DEG 8
#define FULL_REPS 300

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(9);
    uint32_t nedges = (uint32_t)V * DEG;
    uint32_t *src = xmalloc(nedges * sizeof *src), *dst = xmalloc(nedges * sizeof *dst);
    for (uint32_t e = 0; e < nedges; e++) {
        uint32_t u = rng_below(&r, V);
        uint32_t v = rng_below(&r, 8) == 0 ? rng_below(&r, V) : (u + 1 + rng_below(&r, 64)) % V;
        src[e] = u;
        dst[e] = v;
    }
    /* Build CSR: counting sort of edges by source. */
    uint32_t *start = xmalloc((V + 1) * sizeof *start);
    uint32_t *adj = xmalloc(nedges * sizeof *adj);
    memset(start, 0, (V + 1) * sizeof *start);
    for (uint32_t e = 0; e < nedges; e++) start[src[e] + 1]++;
    for (uint32_t v = 0; v < V; v++) start[v + 1] += start[v];
    uint32_t *fill = xmalloc(V * sizeof *fill);
    memcpy(fill, start, V * sizeof *fill);
    for (uint32_t e = 0; e < nedges; e++) adj[fill[src[e]]++] = dst[e];

    int32_t *dist = xmalloc(V * sizeof *dist);
    uint32_t *queue = xmalloc(V * sizeof *queue);
    sum_t s = sum_new();
    for (long q = 0; q < reps; q++) {
        for (uint32_t v = 0; v < V; v++) dist[v] = -1;
        uint32_t root = rng_below(&r, V), head = 0, tail = 0;
        dist[root] = 0;
        queue[tail++] = root;
        while (head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t e = start[u]; e < start[u + 1]; e++) {
                uint32_t v = adj[e];
                if (dist[v] < 0) {
                    dist[v] = dist[u] + 1;
                    queue[tail++] = v;
                }
            }
        }
        uint64_t total = 0;
        int32_t maxd = 0;
        for (uint32_t v = 0; v < V; v++)
            if (dist[v] >= 0) {
                total += (uint64_t)dist[v];
                if (dist[v] > maxd) maxd = dist[v];
            }
        sum_u64(&s, tail);
        sum_u64(&s, total);
        sum_u64(&s, (uint64_t)maxd);
    }
    free(src); free(dst); free(start); free(adj); free(fill); free(dist); free(queue);
    return bench_finish(&s);
}
