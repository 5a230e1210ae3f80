/*
 * strsearch - substring search over generated text: a naive scan using
 * memchr + memcmp and Boyer-Moore-Horspool, cross-checked, for many
 * patterns of several lengths. Models grep-like scanning.
 * Size: 512 KiB text over an 8-letter alphabet, one pattern per rep,
 * FULL_REPS = 240 reps at full.
 */
#include "bench.h"

#define TEXT (512u << 10)
#define FULL_REPS 240

static uint32_t count_naive(const char *t, size_t n, const char *p, size_t m) {
    uint32_t c = 0;
    const char *end = t + n - m + 1, *q = t;
    while (q < end && (q = memchr(q, p[0], (size_t)(end - q))) != NULL) {
        if (memcmp(q, p, m) == 0) c++;
        q++;
    }
    return c;
}

static uint32_t count_horspool(const char *t, size_t n, const char *p, size_t m) {
    size_t shift[256];
    for (int i = 0; i < 256; i++) shift[i] = m;
    for (size_t i = 0; i + 1 < m; i++) shift[(uint8_t)p[i]] = m - 1 - i;
    uint32_t c = 0;
    for (size_t i = 0; i + m <= n; i += shift[(uint8_t)t[i + m - 1]]) {
        size_t j = m;
        while (j > 0 && t[i + j - 1] == p[j - 1]) j--;
        if (j == 0) c++;
    }
    return c;
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    char *text = xmalloc(TEXT);
    rng_t r = rng_new(15);
    for (size_t i = 0; i < TEXT; i++) text[i] = "abcdefgh"[rng_below(&r, 8)];
    sum_t s = sum_new();
    for (long k = 0; k < reps; k++) {
        char pat[32];
        size_t m = 3 + (size_t)(k % 6) * 4; /* lengths 3..23 */
        size_t at = rng_below(&r, TEXT - 32);
        memcpy(pat, text + at, m);             /* occurs at least once */
        if (k % 3 == 0) pat[m / 2] = 'a';      /* sometimes mutated */
        uint32_t a = count_naive(text, TEXT, pat, m);
        uint32_t b = count_horspool(text, TEXT, pat, m);
        if (a != b) {
            fprintf(stderr, "strsearch mismatch: %u vs %u\n", a, b);
            return 1;
        }
        sum_u64(&s, a);
        sum_u64(&s, m);
    }
    free(text);
    return bench_finish(&s);
}
