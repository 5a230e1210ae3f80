/* A freestanding kernel for wasm64 (64-bit addresses: memory64): it fills a 24 MiB
 * array, then runs `rounds` passes of a prefix sum and a strided gather over it, and
 * returns a checksum. Built without libc; `stratus run --invoke run wasm64.wasm 1`
 * prints the checksum, as the native build's main does. */
#include <stdint.h>

#define N (6u << 20)

static uint32_t data[N];

uint64_t run(uint64_t rounds) {
    uint32_t x = 2463534242u;
    for (uint64_t i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = x;
    }
    uint64_t checksum = 0;
    for (uint64_t round = 0; round < rounds; round++) {
        uint32_t sum = 0;
        for (uint64_t i = 0; i < N; i++) {
            sum += data[i];
            data[i] = sum;
        }
        for (uint64_t i = 0; i < N; i += 4099) {
            checksum = checksum * 31 + data[(i * 7919) % N];
        }
    }
    return checksum;
}

#ifndef __wasm__
#include <stdio.h>
int main(void) {
    /* As `stratus run --invoke` prints an i64. */
    printf("%lld\n", (long long)run(1));
    return 0;
}
#endif
