/*
 * lcs - dynamic programming over two generated strings: length of the
 * longest common subsequence and the Levenshtein edit distance, each with
 * two rolling rows. Models sequence alignment. Size: strings of LEN = 1000
 * characters over a 4-letter alphabet, one fresh pair per rep,
 * FULL_REPS = 120 reps at full.
 */
#include "bench.h"

#define LEN 1000
#define FULL_REPS 120

static char a[LEN], b[LEN];
static int prev[LEN + 1], cur[LEN + 1];

static int min3(int x, int y, int z) {
    int m = x < y ? x : y;
    return m < z ? m : z;
}

static int lcs_len(void) {
    memset(prev, 0, sizeof prev);
    for (int i = 1; i <= LEN; i++) {
        cur[0] = 0;
        for (int j = 1; j <= LEN; j++) {
            if (a[i - 1] == b[j - 1]) cur[j] = prev[j - 1] + 1;
            else cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
        memcpy(prev, cur, sizeof cur);
    }
    return prev[LEN];
}

static int edit_distance(void) {
    for (int j = 0; j <= LEN; j++) prev[j] = j;
    for (int i = 1; i <= LEN; i++) {
        cur[0] = i;
        for (int j = 1; j <= LEN; j++) {
            int subst = prev[j - 1] + (a[i - 1] != b[j - 1]);
            cur[j] = min3(subst, prev[j] + 1, cur[j - 1] + 1);
        }
        memcpy(prev, cur, sizeof cur);
    }
    return prev[LEN];
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(7);
    sum_t s = sum_new();
    for (long p = 0; p < reps; p++) {
        for (int i = 0; i < LEN; i++) {
            a[i] = "ACGT"[rng_below(&r, 4)];
            /* b is a mutated copy of a, so the answers are interesting. */
            b[i] = rng_below(&r, 5) == 0 ? "ACGT"[rng_below(&r, 4)] : a[i];
        }
        sum_u64(&s, (uint64_t)lcs_len());
        sum_u64(&s, (uint64_t)edit_distance());
    }
    return bench_finish(&s);
}
