/* A long job with open files, for checkpoints: reads one number per line of
 * /data/in.txt, and for each writes a line to /data/out/journal.txt computed from it
 * (enough work per line that a checkpoint lands between lines), through files it keeps
 * open from start to end. Arguments: the most lines, and the work per line. Stdio buffers live in linear memory, so a checkpoint keeps
 * what is not flushed yet. Checks that the monotonic clock never goes backwards and
 * prints a summary. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 3000;
    int work = argc > 2 ? atoi(argv[2]) : 500;
    FILE *in = fopen("/data/in.txt", "r");
    FILE *out = fopen("/data/out/journal.txt", "w");
    if (!in || !out) {
        perror("open");
        return 1;
    }
    unsigned long long last = now();
    int backwards = 0, lines = 0;
    unsigned x = 1;
    long value;
    while (lines < rounds && fscanf(in, "%ld", &value) == 1) {
        for (int k = 0; k < work; k++) x = x * 1103515245u + 12345u + (unsigned)value;
        fprintf(out, "%d %ld %08x\n", lines, value, x);
        lines++;
        unsigned long long t = now();
        if (t < last) backwards++;
        last = t;
    }
    fclose(out);
    fclose(in);
    printf("%d lines, last %08x, clock went back %d times\n", lines, x, backwards);
    return backwards ? 3 : 0;
}
