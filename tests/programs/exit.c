/* exit(N) from deep inside, after output that must still be flushed (atexit runs). */
#include <stdio.h>
#include <stdlib.h>

static void bye(void) { puts("atexit handler ran"); }

static void leave(int code) {
    printf("exiting with %d\n", code);
    exit(code);
}

int main(int argc, char **argv) {
    atexit(bye);
    leave(argc > 1 ? atoi(argv[1]) : 0);
    puts("not reached");
    return 99;
}
