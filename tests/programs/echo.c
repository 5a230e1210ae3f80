/* Copies standard input to standard output in small reads (fd_read until EOF),
   and reports the byte count on standard error. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[7];
    long total = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (write(1, buf, (size_t)n) != n)
            return 1;
        total += n;
    }
    if (n < 0) {
        perror("read");
        return 1;
    }
    fprintf(stderr, "echoed %ld bytes\n", total);
    return 0;
}
