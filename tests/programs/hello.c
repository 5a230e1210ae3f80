/* The README's example: one line on standard output, one on standard error. */
#include <stdio.h>

int main(void) {
    puts("Hello from WebAssembly!");
    fputs("(this line went to standard error)\n", stderr);
    return 0;
}
