/* Kernels written with relaxed SIMD intrinsics (-mrelaxed-simd): an int8 dot product
 * with 7-bit weights (relaxed dot-add), a float axpy (relaxed multiply-add), a nibble
 * table lookup (relaxed swizzle), a clamp (relaxed min/max) and a lane select, on inputs
 * for which every result the spec allows is the same, so that native code (the scalar
 * versions below) gives the same output. */
#include <stdint.h>
#include <stdio.h>
#ifdef __wasm_relaxed_simd__
#include <wasm_simd128.h>
#endif

#define N 4096

static int8_t xs[N];
static int8_t ws[N];
static float fa[N], fb[N];
static uint8_t bytes[N];

static int32_t dot(void) {
#ifdef __wasm_relaxed_simd__
    v128_t acc = wasm_i32x4_splat(0);
    for (int i = 0; i < N; i += 16) {
        acc = wasm_i32x4_relaxed_dot_i8x16_i7x16_add(wasm_v128_load(&xs[i]), wasm_v128_load(&ws[i]), acc);
    }
    return wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2)
           + wasm_i32x4_extract_lane(acc, 3);
#else
    int32_t acc = 0;
    for (int i = 0; i < N; i++) acc += xs[i] * ws[i];
    return acc;
#endif
}

/* fb = 3 * fa + fb, on small integers: exact, fused or not. */
static void axpy(void) {
#ifdef __wasm_relaxed_simd__
    v128_t three = wasm_f32x4_splat(3.0f);
    for (int i = 0; i < N; i += 4) {
        v128_t r = wasm_f32x4_relaxed_madd(three, wasm_v128_load(&fa[i]), wasm_v128_load(&fb[i]));
        wasm_v128_store(&fb[i], r);
    }
#else
    for (int i = 0; i < N; i++) fb[i] = 3.0f * fa[i] + fb[i];
#endif
}

/* Each byte's low nibble looked up in a 16-entry table: indices below 16. */
static uint32_t lookup(void) {
    static const uint8_t table[16] = {7, 3, 9, 1, 12, 5, 0, 15, 2, 8, 11, 4, 14, 6, 10, 13};
    uint32_t sum = 0;
#ifdef __wasm_relaxed_simd__
    v128_t t = wasm_v128_load(table);
    v128_t low = wasm_i8x16_splat(15);
    for (int i = 0; i < N; i += 16) {
        v128_t idx = wasm_v128_and(wasm_v128_load(&bytes[i]), low);
        v128_t r = wasm_i8x16_relaxed_swizzle(t, idx);
        uint8_t out[16];
        wasm_v128_store(out, r);
        for (int k = 0; k < 16; k++) sum = sum * 33 + out[k];
    }
#else
    for (int i = 0; i < N; i++) sum = sum * 33 + table[bytes[i] & 15];
#endif
    return sum;
}

/* fb clamped to [-100, 100] (no NaNs, no zeros of both signs), then lanes of fa where
 * the clamp hit the top chosen by an all-ones or all-zeros mask. */
static double clamp_select(void) {
    double sum = 0;
#ifdef __wasm_relaxed_simd__
    v128_t lo = wasm_f32x4_splat(-100.5f), hi = wasm_f32x4_splat(100.5f);
    for (int i = 0; i < N; i += 4) {
        v128_t v = wasm_f32x4_relaxed_max(lo, wasm_f32x4_relaxed_min(hi, wasm_v128_load(&fb[i])));
        v128_t mask = wasm_f32x4_eq(v, hi);
        v = wasm_i32x4_relaxed_laneselect(wasm_v128_load(&fa[i]), v, mask);
        float out[4];
        wasm_v128_store(out, v);
        for (int k = 0; k < 4; k++) sum += out[k];
    }
#else
    for (int i = 0; i < N; i++) {
        float v = fb[i] < 100.5f ? fb[i] : 100.5f;
        v = v > -100.5f ? v : -100.5f;
        sum += v == 100.5f ? fa[i] : v;
    }
#endif
    return sum;
}

int main(void) {
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        xs[i] = (int8_t)(x >> 16);
        ws[i] = (int8_t)((x >> 8) & 0x7F);
        fa[i] = (float)((int)(x >> 20) % 64 - 32);
        fb[i] = (float)((int)(x >> 12) % 128 - 64);
        bytes[i] = (uint8_t)(x >> 24);
    }
    printf("dot %d\n", dot());
    axpy();
    axpy();
    printf("lookup %u\n", lookup());
    printf("clamp %.1f\n", clamp_select());
    return 0;
}
