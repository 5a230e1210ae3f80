/*
 * memops - bulk memory operations: memcpy between buffers, overlapping
 * memmove in both directions, memset fills and memcmp compares, at sizes
 * from 64 bytes to 1 MiB. Models buffer management (I/O, serialisation).
 * Size: 4 MiB working set, one round per rep, FULL_REPS = 200 reps at full.
 */
#include "bench.h"

#define BUF (4u << 20)
#define FULL_REPS 200

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    uint8_t *a = xmalloc(BUF), *b = xmalloc(BUF);
    rng_t r = rng_new(16);
    for (size_t i = 0; i < BUF; i += 8) { /* 8 bytes a draw: cheap setup */
        uint64_t v = rng_next(&r);
        memcpy(a + i, &v, 8);
    }
    memset(b, 0, BUF);
    sum_t s = sum_new();
    for (long round = 0; round < reps; round++) {
        /* Large copies. */
        memcpy(b, a, BUF);
        memmove(b + 1, b, BUF / 2);          /* overlapping, forwards */
        memmove(a, a + 3, BUF / 2);          /* overlapping, backwards */
        /* Many small copies and fills at varying sizes and alignments. */
        for (size_t size = 64; size <= (1u << 20); size *= 4)
            for (size_t off = (size_t)round % 7; off + size <= BUF; off += size * 3 + 13) {
                memcpy(a + off, b + (BUF - off - size), size);
                memset(b + off, (int)(off & 0xff), size / 2);
            }
        int c = memcmp(a, b, BUF);
        uint64_t v;
        memcpy(&v, a + (round * 4099u) % (BUF - 8), 8);
        sum_u64(&s, (uint64_t)(c > 0) - (uint64_t)(c < 0));
        sum_u64(&s, v);
        a[(size_t)round * 65537u % BUF] ^= 0x5a;
    }
    for (size_t i = 0; i < BUF; i += 4096) sum_u64(&s, a[i] + 256u * b[i]);
    free(a); free(b);
    return bench_finish(&s);
}
