/* Work of three shapes, for checkpoints: deep recursion (a call stack thousands of
 * frames deep), many short calls, and float loops. Prints a checksum of each. */
#include <stdio.h>

static double deep(int n, double x) {
    if (n == 0) return x;
    /* Work on both sides of the call, so frames hold live values across it. */
    double before = x * 1.0000001 + n;
    double inner = deep(n - 1, before / 3.0);
    return inner + before * 0.5;
}

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static double a[48][48], b[48][48], c[48][48];

int main(void) {
    double total = 0;
    for (int round = 0; round < 40; round++) total += deep(3000 + round, round);
    printf("deep: %.6e\n", total);
    printf("fib: %u\n", fib(24));
    for (int i = 0; i < 48; i++)
        for (int j = 0; j < 48; j++) {
            a[i][j] = (i * 7 + j) % 13 / 3.0;
            b[i][j] = (i + j * 5) % 11 / 7.0;
        }
    for (int rep = 0; rep < 12; rep++)
        for (int i = 0; i < 48; i++)
            for (int j = 0; j < 48; j++) {
                double sum = c[i][j] * 0.5;
                for (int k = 0; k < 48; k++) sum += a[i][k] * b[k][j];
                c[i][j] = sum;
            }
    double check = 0;
    for (int i = 0; i < 48; i++)
        for (int j = 0; j < 48; j++) check += c[i][j] * (i + 1) / (j + 1);
    printf("matmul: %.9e\n", check);
    return 0;
}
