/* Start-up probe: the smallest useful WASI program (process start to exit). */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
