/*
 * crc32 - CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) over a
 * generated buffer: byte-at-a-time table lookup and a bit-at-a-time loop,
 * cross-checked. Models checksumming of network and storage data.
 * Size: 256 KiB buffer; per rep, one table-driven pass over the buffer
 * and a cross-check of a 2 KiB slice bit by bit; FULL_REPS = 400 reps at
 * full.
 */
#include "bench.h"

#define BUF (256 << 10)
#define SLICE (2 << 10)
#define FULL_REPS 400

static uint32_t table[256];

static uint32_t crc_table(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint32_t crc_bitwise(const uint8_t *p, size_t n, uint32_t crc) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[i] = c;
    }
    if (crc_table((const uint8_t *)"123456789", 9, 0) != 0xCBF43926u) {
        fprintf(stderr, "crc32 self-test failed\n");
        return 1;
    }
    uint8_t *buf = xmalloc(BUF);
    rng_t r = rng_new(11);
    for (size_t i = 0; i < BUF; i++) buf[i] = (uint8_t)(rng_next(&r) >> 56);
    sum_t s = sum_new();
    uint32_t crc = 0;
    for (long rep = 0; rep < reps; rep++) {
        crc = crc_table(buf, BUF, crc);
        buf[(crc >> 4) % BUF] ^= (uint8_t)crc; /* next pass differs */
        sum_u64(&s, crc);
        const uint8_t *slice = buf + (size_t)rep * 4099 % (BUF - SLICE);
        uint32_t a = crc_table(slice, SLICE, crc), b = crc_bitwise(slice, SLICE, crc);
        if (a != b) {
            fprintf(stderr, "crc32 mismatch\n");
            return 1;
        }
        sum_u64(&s, b);
    }
    free(buf);
    return bench_finish(&s);
}
