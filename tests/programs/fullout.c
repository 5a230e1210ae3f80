/* Writes to standard output and says on standard error how each write went. With
   standard output on a full device (/dev/full) both fail with ENOSPC, as natively, and
   the program, like most native ones, exits 0 all the same: it did not check. */
#include <unistd.h>

#include "common.h"

int main(void) {
    /* Not a whole line, which a line-buffering runtime would keep back. */
    ssize_t n = write(1, "unbuffered, ", 12);
    fprintf(stderr, "write(1, ...) = %ld %s\n", (long)n, n < 0 ? errname(errno) : "OK");
    /* stdio meets the error when it writes out its buffer, in printf or in fflush. */
    errno = 0;
    printf("buffered\n");
    fflush(stdout);
    fprintf(stderr, "printf and fflush: %s\n", ferror(stdout) ? errname(errno) : "OK");
    return 0;
}
