/* Directory listing past one buffer: creates 100 files with long names in argv[1]/many,
   lists them with readdir (libc's buffer holds a fraction, so it resumes from cookies),
   then with raw fd_readdir calls into a buffer that holds one entry at a time. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "common.h"

#define COUNT 100
#define NAME_LEN 120

static char path[1024];

static void name_of(int i, char *out) {
    /* Long, and distinct in their first characters so a truncated read shows up. */
    int n = snprintf(out, NAME_LEN + 1, "%03d_", i);
    for (; n < NAME_LEN; n++)
        out[n] = (char)('a' + (i + n) % 26);
    out[NAME_LEN] = 0;
}

static int index_of(const char *name) {
    char expected[NAME_LEN + 1];
    int i = atoi(name);
    if (i < 0 || i >= COUNT)
        return -1;
    name_of(i, expected);
    return strcmp(name, expected) == 0 ? i : -1;
}

static void libc_listing(const char *dir) {
    int seen[COUNT] = {0};
    int dots = 0, other = 0, entries = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        entries++;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            dots++;
        else if (index_of(e->d_name) >= 0 && e->d_type == DT_REG)
            seen[index_of(e->d_name)]++;
        else
            other++;
    }
    closedir(d);
    int once = 0;
    for (int i = 0; i < COUNT; i++)
        once += seen[i] == 1;
    printf("readdir: %d entries, %d files seen once, %d dot entries, %d unexpected\n", entries, once,
           dots, other);
}

static void raw_listing(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    /* Room for one header and one name: each call returns one whole entry, then a
       truncated one, and the next call starts at the last whole entry's cookie. */
    uint8_t buf[sizeof(__wasi_dirent_t) + NAME_LEN + 8];
    __wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
    int seen[COUNT] = {0};
    int calls = 0, entries = 0, truncated = 0;
    for (;;) {
        __wasi_size_t used = 0;
        __wasi_errno_t err = __wasi_fd_readdir(fd, buf, sizeof buf, cookie, &used);
        calls++;
        if (err) {
            printf("fd_readdir: %s\n", errname(err));
            break;
        }
        size_t pos = 0;
        int whole = 0;
        while (pos + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t ent;
            memcpy(&ent, buf + pos, sizeof ent);
            if (pos + sizeof ent + ent.d_namlen > used) {
                truncated++;
                break;
            }
            char name[NAME_LEN + 1] = {0};
            if (ent.d_namlen <= NAME_LEN) {
                memcpy(name, buf + pos + sizeof ent, ent.d_namlen);
                int i = index_of(name);
                if (i >= 0)
                    seen[i]++;
            }
            entries++;
            whole++;
            cookie = ent.d_next;
            pos += sizeof ent + ent.d_namlen;
        }
        if (used < sizeof buf)
            break;
        if (!whole) {
            puts("fd_readdir: buffer too small for one entry");
            break;
        }
        if (calls > 10 * COUNT)
            break;
    }
    int once = 0;
    for (int i = 0; i < COUNT; i++)
        once += seen[i] == 1;
    printf("fd_readdir: %d entries, %d files seen once, more than %d calls: %d\n", entries, once, COUNT,
           calls > COUNT);
    /* A cookie past the end gives an empty read. */
    __wasi_size_t used = 1;
    SHOW_ERRNO(__wasi_fd_readdir(fd, buf, sizeof buf, cookie, &used));
    printf("after the end: %u bytes\n", (unsigned)used);
    close(fd);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: listdir DIR\n", stderr);
        return 2;
    }
    snprintf(path, sizeof path, "%s/many", argv[1]);
    SHOW(mkdir(path, 0755));
    char name[NAME_LEN + 1];
    char file[1200];
    for (int i = 0; i < COUNT; i++) {
        name_of(i, name);
        snprintf(file, sizeof file, "%s/%s", path, name);
        int fd = open(file, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) {
            printf("create %d: %s\n", i, errname(errno));
            return 1;
        }
        close(fd);
    }
    libc_listing(path);
    raw_listing(path);
    return 0;
}
