/* Files by name in a test directory, for the programs that work on a directory tree:
   build a path, write a small file whole, print a small file. Needs common.h. */
#include <fcntl.h>
#include <unistd.h>

static char bufs[4][512];
static int next_buf;
/* `dir/name`, in one of a few rotating buffers so that two can be used in one call. */
static const char *at(const char *dir, const char *name) {
    char *buf = bufs[next_buf++ % 4];
    snprintf(buf, sizeof bufs[0], "%s/%s", dir, name);
    return buf;
}

static void put(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, text, strlen(text));
    close(fd);
}

static void cat(const char *label, const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: open failed %s\n", label, errname(errno));
        return;
    }
    read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%s: %s\n", label, buf);
}
