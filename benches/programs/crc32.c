/*
 * crc32 - CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) over a
 * generated buffer: byte-at-a-time table lookup and a bit-at-a-time loop,
 * cross-checked. Models checksumming of network and storage data.
 * Size: 1 MiB buffer, PASSES table-driven passes plus one bitwise pass of
 * 1/8 of the buffer per unit (full = 5 units).
 */
#include "bench.h"

#define BUF (1 << 20)
#define PASSES 20

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
    int units = bench_units(argc, argv);
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
    for (int u = 0; u < units; u++) {
        for (int p = 0; p < PASSES; p++) {
            crc = crc_table(buf, BUF, crc);
            buf[(crc >> 4) % BUF] ^= (uint8_t)crc; /* next pass differs */
            sum_u64(&s, crc);
        }
        size_t n = BUF / 8;
        uint32_t a = crc_table(buf + u, n, u), b = crc_bitwise(buf + u, n, u);
        if (a != b) {
            fprintf(stderr, "crc32 mismatch\n");
            return 1;
        }
        sum_u64(&s, b);
    }
    free(buf);
    return bench_finish(&s);
}
