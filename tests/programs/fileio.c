/* File contents in the directory argv[1]: writes and reads larger than one call,
   seek/tell/pread/pwrite, truncation, allocation, advice, sync, fd flags and rights,
   renumbering, timestamps. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

#include "common.h"

#define BIG 100000

static char path_buf[512];
static const char *at(const char *dir, const char *name) {
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

static unsigned char pattern(long i) { return (unsigned char)(i * 7 % 251); }

static void write_big(const char *dir) {
    static unsigned char data[BIG];
    for (long i = 0; i < BIG; i++)
        data[i] = pattern(i);
    int fd = open(at(dir, "big.bin"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    /* One fd_write with three iovecs, then the rest in one call. */
    struct iovec iov[3] = {{data, 10}, {data + 10, 20}, {data + 30, 70}};
    SHOW(writev(fd, iov, 3));
    SHOW(write(fd, data + 100, BIG - 100));
    SHOW(close(fd));
}

static void read_big(const char *dir) {
    int fd = open(at(dir, "big.bin"), O_RDONLY);
    unsigned char buf[4096];
    long total = 0, reads = 0, bad = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            bad += buf[i] != pattern(total + i);
        total += n;
        reads++;
    }
    printf("read %ld bytes in %ld reads, %ld wrong\n", total, reads, bad);
    close(fd);
}

static void seek_and_positional(const char *dir) {
    int fd = open(at(dir, "big.bin"), O_RDWR);
    SHOW(lseek(fd, 0, SEEK_END));
    SHOW(lseek(fd, 1000, SEEK_SET));
    SHOW(lseek(fd, -10, SEEK_CUR));
    __wasi_filesize_t pos = 0;
    SHOW_ERRNO(__wasi_fd_tell(fd, &pos));
    printf("tell = %llu\n", (unsigned long long)pos);
    SHOW(lseek(fd, -1, SEEK_SET));
    unsigned char b[8];
    SHOW(pread(fd, b, sizeof b, 50000));
    printf("pread ok: %d\n", b[0] == pattern(50000) && b[7] == pattern(50007));
    SHOW(pwrite(fd, "PWRITE", 6, 10));
    char s[7] = {0};
    SHOW(pread(fd, s, 6, 10));
    printf("pread back: %s\n", s);
    SHOW(pread(fd, b, sizeof b, BIG - 3));
    SHOW(pread(fd, b, sizeof b, BIG + 50));
    /* Positional calls leave the position alone. */
    SHOW(lseek(fd, 0, SEEK_CUR));

    SHOW(ftruncate(fd, 12345));
    struct stat st;
    SHOW(fstat(fd, &st));
    printf("size after shrink = %lld\n", (long long)st.st_size);
    SHOW(ftruncate(fd, 20000));
    SHOW(pread(fd, b, 4, 15000));
    printf("grown part is zero: %d\n", b[0] == 0 && b[3] == 0);
    SHOW(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    SHOW(posix_fadvise(fd, 0, 100, POSIX_FADV_DONTNEED));
    SHOW(posix_fallocate(fd, 0, 30000));
    SHOW(fstat(fd, &st));
    printf("size after fallocate = %lld\n", (long long)st.st_size);
    SHOW(posix_fallocate(fd, 0, 100));
    SHOW(fstat(fd, &st));
    printf("size after smaller fallocate = %lld\n", (long long)st.st_size);
    SHOW(fsync(fd));
    SHOW(fdatasync(fd));
    SHOW(close(fd));
}

static void flags_and_rights(const char *dir) {
    int fd = open(at(dir, "flags.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    SHOW(write(fd, "0123456789", 10));
    printf("append before: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    SHOW(fcntl(fd, F_SETFL, O_APPEND));
    printf("append after: %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    SHOW(lseek(fd, 0, SEEK_SET));
    SHOW(write(fd, "tail", 4));
    struct stat st;
    fstat(fd, &st);
    printf("size with append = %lld\n", (long long)st.st_size);

    __wasi_fdstat_t fdstat;
    SHOW_ERRNO(__wasi_fd_fdstat_get(fd, &fdstat));
    printf("filetype regular: %d, append flag: %d\n", fdstat.fs_filetype == __WASI_FILETYPE_REGULAR_FILE,
           (fdstat.fs_flags & __WASI_FDFLAGS_APPEND) != 0);
    /* Rights only shrink: drop fd_write, then writing is not allowed, and the right
       cannot be had back. */
    __wasi_rights_t fewer = fdstat.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE;
    SHOW_ERRNO(__wasi_fd_fdstat_set_rights(fd, fewer, fdstat.fs_rights_inheriting));
    SHOW(write(fd, "x", 1));
    SHOW_ERRNO(__wasi_fd_fdstat_set_rights(fd, fdstat.fs_rights_base, fdstat.fs_rights_inheriting));
    char c;
    SHOW(pread(fd, &c, 1, 0));
    SHOW(close(fd));

    /* A read-only descriptor refuses writes. */
    fd = open(at(dir, "flags.txt"), O_RDONLY);
    SHOW(write(fd, "x", 1));
    SHOW(ftruncate(fd, 0));
    close(fd);
}

static void renumber(const char *dir) {
    int a = open(at(dir, "a.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    int b = open(at(dir, "b.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(a, "from a", 6);
    /* This wasi-libc has no dup2: fd_renumber is the call behind it elsewhere. */
    SHOW_ERRNO(__wasi_fd_renumber(a, b));
    char buf[8] = {0};
    SHOW(pread(b, buf, 6, 0));
    printf("b now reads: %s\n", buf);
    SHOW(write(a, "x", 1));
    SHOW_ERRNO(__wasi_fd_renumber(b, 1000));
    SHOW_ERRNO(__wasi_fd_renumber(1000, b));
    SHOW(close(b));
    SHOW(close(b));
}

static void timestamps(const char *dir) {
    const char *file = at(dir, "times.txt");
    int fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0644);
    struct timespec both[2] = {{1000000000, 123456789}, {1500000000, 987654321}};
    SHOW(futimens(fd, both));
    struct stat st;
    fstat(fd, &st);
    printf("fd times: atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec mtime_only[2] = {{0, UTIME_OMIT}, {1600000000, 5}};
    SHOW(utimensat(AT_FDCWD, file, mtime_only, 0));
    stat(file, &st);
    printf("path times: atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    /* UTIME_NOW (fstflags ATIM_NOW|MTIM_NOW) is left out until stratus-wasi's
       path_filestat_set_times accepts it: it answers EINVAL today. */
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    SHOW(futimens(fd, bad));
    close(fd);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: fileio DIR\n", stderr);
        return 2;
    }
    write_big(argv[1]);
    read_big(argv[1]);
    seek_and_positional(argv[1]);
    flags_and_rights(argv[1]);
    renumber(argv[1]);
    timestamps(argv[1]);
    return 0;
}
