/* Tries to leave the first preopened directory (fd 3) with raw WASI calls, so that
   libc's own path handling cannot refuse first: `..`, absolute paths, symlinks made by
   the host (tests/wasi_sandbox.rs creates them) and by the guest. Each line says
   whether the runtime refused, and with which errno. */
#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

#include "common.h"

#define ROOT 3
#define READ_RIGHTS (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK)
#define WRITE_RIGHTS (__WASI_RIGHTS_FD_WRITE)

static void try_open(const char *path, __wasi_lookupflags_t lookup, __wasi_oflags_t oflags,
                     __wasi_rights_t rights) {
    __wasi_fd_t fd;
    __wasi_errno_t err = __wasi_path_open(ROOT, lookup, path, oflags, rights, 0, 0, &fd);
    if (err) {
        printf("open %s: %s\n", path, errname(err));
        return;
    }
    char buf[32] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t n = 0;
    if (rights & __WASI_RIGHTS_FD_READ)
        (void)__wasi_fd_read(fd, &iov, 1, &n);
    printf("open %s: opened, read '%s'\n", path, buf);
    (void)__wasi_fd_close(fd);
}

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

int main(void) {
    __wasi_prestat_t pre;
    SHOW_ERRNO(__wasi_fd_prestat_get(ROOT, &pre));
    try_open("inside.txt", 0, 0, READ_RIGHTS);
    try_open("sub/../inside.txt", 0, 0, READ_RIGHTS);
    try_open("sub/up", FOLLOW, 0, READ_RIGHTS);
    try_open("../outside.txt", 0, 0, READ_RIGHTS);
    try_open("sub/../../outside.txt", 0, 0, READ_RIGHTS);
    try_open("/outside.txt", 0, 0, READ_RIGHTS);
    try_open("/etc/passwd", 0, 0, READ_RIGHTS);
    try_open("link_out", FOLLOW, 0, READ_RIGHTS);
    try_open("link_abs", FOLLOW, 0, READ_RIGHTS);
    try_open("chain1", FOLLOW, 0, READ_RIGHTS);
    try_open("dir_out/outside.txt", 0, 0, READ_RIGHTS);
    try_open("dir_out/created.txt", 0, __WASI_OFLAGS_CREAT, WRITE_RIGHTS);
    try_open("../created.txt", 0, __WASI_OFLAGS_CREAT, WRITE_RIGHTS);
    try_open("link_out", FOLLOW, __WASI_OFLAGS_TRUNC, WRITE_RIGHTS);
    /* Without SYMLINK_FOLLOW the last component is not followed: a symlink as the last
       component of an open is ELOOP, as with O_NOFOLLOW. */
    try_open("link_out", 0, 0, READ_RIGHTS);

    /* Links the guest makes: creating may be allowed, following them out is not. */
    SHOW_ERRNO(__wasi_path_symlink("../outside.txt", ROOT, "guest_link"));
    try_open("guest_link", FOLLOW, 0, READ_RIGHTS);
    SHOW_ERRNO(__wasi_path_symlink("/etc", ROOT, "guest_abs"));
    try_open("guest_abs/passwd", FOLLOW, 0, READ_RIGHTS);

    /* Every other path call, aimed outside. */
    SHOW_ERRNO(__wasi_path_create_directory(ROOT, "../newdir"));
    SHOW_ERRNO(__wasi_path_create_directory(ROOT, "dir_out/newdir"));
    SHOW_ERRNO(__wasi_path_unlink_file(ROOT, "../outside.txt"));
    SHOW_ERRNO(__wasi_path_unlink_file(ROOT, "dir_out/outside.txt"));
    SHOW_ERRNO(__wasi_path_remove_directory(ROOT, "../outside_dir"));
    SHOW_ERRNO(__wasi_path_rename(ROOT, "inside.txt", ROOT, "../moved.txt"));
    SHOW_ERRNO(__wasi_path_rename(ROOT, "../outside.txt", ROOT, "stolen.txt"));
    SHOW_ERRNO(__wasi_path_link(ROOT, 0, "inside.txt", ROOT, "../hardlink.txt"));
    SHOW_ERRNO(__wasi_path_link(ROOT, 0, "../outside.txt", ROOT, "hard_in.txt"));
    SHOW_ERRNO(__wasi_path_link(ROOT, FOLLOW, "link_out", ROOT, "hard_via_link.txt"));
    SHOW_ERRNO(__wasi_path_symlink("x", ROOT, "../symlink_out"));
    __wasi_filestat_t st;
    SHOW_ERRNO(__wasi_path_filestat_get(ROOT, 0, "../outside.txt", &st));
    SHOW_ERRNO(__wasi_path_filestat_get(ROOT, FOLLOW, "link_out", &st));
    SHOW_ERRNO(__wasi_path_filestat_set_times(ROOT, 0, "../outside.txt", 0, 0,
                                              __WASI_FSTFLAGS_MTIM_NOW));
    SHOW_ERRNO(__wasi_path_filestat_set_times(ROOT, FOLLOW, "link_out", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    char target[64] = {0};
    __wasi_size_t n = 0;
    SHOW_ERRNO(__wasi_path_readlink(ROOT, "../outside_link", (uint8_t *)target, sizeof target, &n));
    /* Reading a link's text is fine: it names the target, it does not reach it. */
    SHOW_ERRNO(__wasi_path_readlink(ROOT, "link_out", (uint8_t *)target, sizeof target, &n));
    printf("link_out says: %.*s\n", (int)n, target);
    /* A file descriptor that is not a directory is no base for paths. */
    __wasi_fd_t fd;
    (void)__wasi_path_open(ROOT, 0, "inside.txt", 0, READ_RIGHTS, 0, 0, &fd);
    SHOW_ERRNO(__wasi_path_open(fd, 0, "x", 0, READ_RIGHTS, 0, 0, &fd));
    return 0;
}
