/*
 * wordfreq - word-frequency count over generated English-like text:
 * tokenise on non-letters, fold case, count words in a chained hash table
 * keyed by string, then find the most frequent words. Models text
 * processing (log analysis, indexing). Size: about 200 KB of fresh text
 * per rep, FULL_REPS = 100 reps at full; vocabulary drawn from generated
 * syllables with a skewed (Zipf-like) distribution.
 */
#include "bench.h"

#define TEXT 200000
#define VOCAB 20000
#define BUCKETS (1u << 13)
#define FULL_REPS 100

typedef struct entry { struct entry *next; uint32_t count, len; char word[]; } entry_t;

static entry_t *table[BUCKETS];
static char *vocab[VOCAB];

static uint32_t hash_str(const char *p, uint32_t n) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

static void count_word(const char *w, uint32_t n) {
    uint32_t b = hash_str(w, n) & (BUCKETS - 1);
    for (entry_t *e = table[b]; e; e = e->next)
        if (e->len == n && memcmp(e->word, w, n) == 0) { e->count++; return; }
    entry_t *e = xmalloc(sizeof *e + n);
    e->next = table[b];
    e->count = 1;
    e->len = n;
    memcpy(e->word, w, n);
    table[b] = e;
}

int main(int argc, char **argv) {
    static const char *syl[] = { "an", "ber", "co", "de", "est", "for", "ga", "he", "in", "jo",
                                 "ka", "lo", "men", "no", "or", "pe", "qu", "ra", "st", "the",
                                 "un", "ve", "wa", "xi", "yo", "ze" };
    long reps = bench_reps(argc, argv, FULL_REPS);
    rng_t r = rng_new(14);
    for (int v = 0; v < VOCAB; v++) {
        char buf[32];
        int n = 0, parts = 1 + (int)rng_below(&r, 4);
        for (int p = 0; p < parts; p++) {
            const char *x = syl[rng_below(&r, 26)];
            while (*x) buf[n++] = *x++;
        }
        buf[n] = 0;
        vocab[v] = xmalloc((size_t)n + 1);
        memcpy(vocab[v], buf, (size_t)n + 1);
    }
    char *text = xmalloc(TEXT + 64);
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        /* Generate text: words with a skewed distribution, punctuation, case. */
        uint32_t n = 0;
        while (n < TEXT) {
            uint32_t x = rng_below(&r, VOCAB);
            const char *w = vocab[(uint64_t)x * x / VOCAB * x / VOCAB]; /* cubic skew */
            int cap = rng_below(&r, 10) == 0;
            for (int i = 0; w[i]; i++) text[n++] = (char)(cap && i == 0 ? w[i] - 32 : w[i]);
            uint32_t p = rng_below(&r, 16);
            text[n++] = p == 0 ? ',' : p == 1 ? '.' : p == 2 ? '\n' : ' ';
        }
        /* Tokenise and count. */
        char word[64];
        uint32_t len = 0, words = 0;
        for (uint32_t i = 0; i < n; i++) {
            char c = text[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c >= 'a' && c <= 'z') {
                if (len < sizeof word) word[len++] = c;
            } else if (len) {
                count_word(word, len);
                words++;
                len = 0;
            }
        }
        /* Summarise: distinct words, top count, order-independent digest. */
        uint32_t distinct = 0, top = 0;
        uint64_t digest = 0;
        for (uint32_t b = 0; b < BUCKETS; b++)
            for (entry_t *e = table[b], *next; e; e = next) {
                next = e->next;
                distinct++;
                if (e->count > top) top = e->count;
                digest += (uint64_t)hash_str(e->word, e->len) * e->count;
                free(e);
            }
        memset(table, 0, sizeof table);
        sum_u64(&s, words);
        sum_u64(&s, distinct);
        sum_u64(&s, top);
        sum_u64(&s, digest);
    }
    free(text);
    return bench_finish(&s);
}
