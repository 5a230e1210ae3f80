/* open() flag combinations in the directory argv[1]: O_TRUNC together with O_APPEND,
   and directories opened for writing. The expected lines are what Linux answers: built
   natively (cc openflags.c), this prints the same, less the raw WASI lines. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#endif

#include "common.h"
#include "files.h"

/* Whether open succeeds, not the fd number, so the lines are the same on any system. */
#define TRY_OPEN(dir, name, flags) try_open(dir, name, #flags, flags)
static void try_open(const char *dir, const char *name, const char *flags_text, int flags) {
    int fd = open(at(dir, name), flags, 0644);
    printf("open %s, %s: %s\n", name, flags_text, fd < 0 ? errname(errno) : "opened");
    if (fd >= 0)
        close(fd);
}

static void truncate_and_append(const char *dir) {
    const char *file = at(dir, "log.txt");
    put(file, "the first write, longer than the second");
    int fd = open(file, O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
    printf("open O_CREAT|O_TRUNC|O_WRONLY|O_APPEND: %s\n", fd < 0 ? errname(errno) : "opened");
    printf("append flag: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    SHOW(write(fd, "second", 6));
    /* With O_APPEND every write goes to the end, wherever the position was put. */
    SHOW(lseek(fd, 0, SEEK_SET));
    SHOW(write(fd, "+end", 4));
    SHOW(lseek(fd, 0, SEEK_CUR));
    close(fd);
    cat("after truncate and append", file);

    /* Read-write, and a file that does not exist yet. */
    fd = open(file, O_TRUNC | O_RDWR | O_APPEND);
    SHOW(write(fd, "rw", 2));
    char back[8] = {0};
    SHOW(pread(fd, back, sizeof back - 1, 0));
    printf("read back: '%s'\n", back);
    close(fd);
    const char *fresh = at(dir, "fresh.txt");
    fd = open(fresh, O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
    SHOW(write(fd, "new", 3));
    close(fd);
    cat("created with truncate and append", fresh);
    TRY_OPEN(dir, "missing.txt", O_TRUNC | O_WRONLY | O_APPEND);
}

static void directories_for_writing(const char *dir) {
    SHOW(mkdir(at(dir, "sub"), 0755));
    put(at(dir, "file.txt"), "x");

    TRY_OPEN(dir, "sub", O_RDONLY | O_DIRECTORY);
    TRY_OPEN(dir, "sub", O_WRONLY | O_DIRECTORY);
    TRY_OPEN(dir, "sub", O_RDWR | O_DIRECTORY);
    TRY_OPEN(dir, "sub", O_WRONLY | O_APPEND | O_DIRECTORY);
    TRY_OPEN(dir, "sub", O_RDONLY);
    TRY_OPEN(dir, "sub", O_WRONLY);
    TRY_OPEN(dir, "sub", O_RDWR);
    /* Truncating is writing; creating a directory is what mkdir is for. */
    TRY_OPEN(dir, "sub", O_RDONLY | O_DIRECTORY | O_TRUNC);
    TRY_OPEN(dir, "sub", O_RDONLY | O_DIRECTORY | O_CREAT);
    /* The path is looked up first: a file is not a directory, nothing is nothing. */
    TRY_OPEN(dir, "file.txt", O_RDONLY | O_DIRECTORY);
    TRY_OPEN(dir, "file.txt", O_WRONLY | O_DIRECTORY);
    TRY_OPEN(dir, "missing", O_RDWR | O_DIRECTORY);
    TRY_OPEN(dir, "missing", O_RDONLY | O_DIRECTORY | O_TRUNC);

#ifdef __wasi__
    /* The same through path_open itself: any right to change contents is writing. */
    int base = open(dir, O_RDONLY | O_DIRECTORY);
    __wasi_fd_t fd;
    SHOW_ERRNO(__wasi_path_open(base, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &fd));
    close(fd);
    SHOW_ERRNO(__wasi_path_open(base, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    SHOW_ERRNO(__wasi_path_open(base, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_ALLOCATE, 0, 0, &fd));
    SHOW_ERRNO(
        __wasi_path_open(base, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_FILESTAT_SET_SIZE, 0, 0, &fd));
    SHOW_ERRNO(__wasi_path_open(base, 0, "sub", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    close(base);
#endif

    SHOW(rmdir(at(dir, "sub")));
    SHOW(unlink(at(dir, "file.txt")));
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: openflags DIR\n", stderr);
        return 2;
    }
    truncate_and_append(argv[1]);
    directories_for_writing(argv[1]);
    return 0;
}
