/*
 * bintree - allocation-heavy tree recursion: build complete binary trees
 * with malloc, walk them recursively (node count and a hash of the
 * values), then free them; plus one long-lived tree. Models many small
 * calls and small allocations (object graphs, interpreters).
 * Size: per rep, trees of depth d = 4, 6, ..., 12 built 2^(13-d) times each
 * (about 80K nodes); FULL_REPS = 140 reps at full. The long-lived tree has
 * depth 14 (32K nodes), small beside one percent of the work.
 */
#include "bench.h"

#define LIVED_DEPTH 14
#define MAXDEPTH 12
#define FULL_REPS 140

typedef struct node { struct node *left, *right; uint32_t val; } node_t;

static node_t *build(int depth, uint32_t val) {
    node_t *n = xmalloc(sizeof *n);
    n->val = val;
    if (depth > 0) {
        n->left = build(depth - 1, 2 * val);
        n->right = build(depth - 1, 2 * val + 1);
    } else {
        n->left = n->right = NULL;
    }
    return n;
}

static uint64_t walk(const node_t *n) {
    if (!n->left) return n->val;
    return n->val * 31u + walk(n->left) * 7u + walk(n->right);
}

static uint32_t count(const node_t *n) { return n ? 1 + count(n->left) + count(n->right) : 0; }

static void destroy(node_t *n) {
    if (n->left) { destroy(n->left); destroy(n->right); }
    free(n);
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    sum_t s = sum_new();
    node_t *lived = build(LIVED_DEPTH, 1);
    for (long rep = 0; rep < reps; rep++)
        for (int d = 4; d <= MAXDEPTH; d += 2) {
            uint64_t acc = 0;
            uint32_t iters = 1u << (MAXDEPTH + 1 - d);
            for (uint32_t i = 0; i < iters; i++) {
                node_t *t = build(d, i + (uint32_t)rep);
                acc += walk(t) + count(t);
                destroy(t);
            }
            sum_u64(&s, acc);
        }
    sum_u64(&s, walk(lived));
    sum_u64(&s, count(lived));
    destroy(lived);
    return bench_finish(&s);
}
