/*
 * sort - quicksort (median-of-three, insertion sort for short ranges) of
 * 32-bit keys and a bottom-up mergesort of 64-bit keys, with a check that
 * the results are ordered. Models comparison sorting of generated data.
 * Size: N = 20000 elements per array, one fresh array of each kind per
 * rep, FULL_REPS = 130 reps at full.
 */
#include "bench.h"

#define N 20000
#define FULL_REPS 130

static void insertion_sort(uint32_t *a, long lo, long hi) {
    for (long i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        long j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static void swap(uint32_t *a, long i, long j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; }

static void quicksort(uint32_t *a, long lo, long hi) {
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) swap(a, mid, lo);
        if (a[hi] < a[lo]) swap(a, hi, lo);
        if (a[hi] < a[mid]) swap(a, hi, mid);
        uint32_t pivot = a[mid];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) swap(a, i++, j--);
        }
        /* Recurse into the smaller half, loop on the larger. */
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
    insertion_sort(a, lo, hi);
}

static void mergesort64(uint64_t *data, uint64_t *tmp, long n) {
    uint64_t *a = data;
    for (long width = 1; width < n; width *= 2) {
        for (long lo = 0; lo < n; lo += 2 * width) {
            long mid = lo + width < n ? lo + width : n;
            long hi = lo + 2 * width < n ? lo + 2 * width : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        uint64_t *t = a; a = tmp; tmp = t; /* merged run now in a */
    }
    if (a != data) memcpy(data, a, (size_t)n * sizeof *a);
}

int main(int argc, char **argv) {
    long reps = bench_reps(argc, argv, FULL_REPS);
    uint32_t *a = xmalloc(N * sizeof *a);
    uint64_t *b = xmalloc(N * sizeof *b), *tmp = xmalloc(N * sizeof *tmp);
    rng_t r = rng_new(12);
    sum_t s = sum_new();
    for (long rep = 0; rep < reps; rep++) {
        for (long i = 0; i < N; i++) a[i] = rng_u32(&r) % (N * 4u); /* some duplicates */
        for (long i = 0; i < N; i++) b[i] = rng_next(&r);
        quicksort(a, 0, N - 1);
        mergesort64(b, tmp, N);
        for (long i = 1; i < N; i++)
            if (a[i - 1] > a[i] || b[i - 1] > b[i]) {
                fprintf(stderr, "sort: not ordered at %ld\n", i);
                return 1;
            }
        for (long i = 0; i < N; i += 997) {
            sum_u64(&s, a[i]);
            sum_u64(&s, b[i]);
        }
    }
    free(a); free(b); free(tmp);
    return bench_finish(&s);
}
