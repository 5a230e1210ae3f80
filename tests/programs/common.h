/* Shared by the test programs: print a call's outcome in one deterministic line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* WASI's own errno; defined here for a native build of a program, to compare outputs. */
#ifndef ENOTCAPABLE
#define ENOTCAPABLE 1000
#endif

/* Errno names rather than strerror text, so the expected output does not depend on the
   libc's wording. */
static const char *errname(int e) {
    switch (e) {
    case 0: return "OK";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOSPC: return "ENOSPC";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTSUP: return "ENOTSUP";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EIO: return "EIO";
    default: {
        static char buf[16];
        snprintf(buf, sizeof buf, "E#%d", e);
        return buf;
    }
    }
}

/* For libc calls that return -1 and set errno. */
#define SHOW(call) show(#call, (long)(call))
__attribute__((unused)) static void show(const char *what, long result) {
    if (result < 0)
        printf("%s = -1 %s\n", what, errname(errno));
    else
        printf("%s = %ld\n", what, result);
}

/* For calls that return an errno (posix_fallocate, raw __wasi_* calls). */
#define SHOW_ERRNO(call) printf("%s -> %s\n", #call, errname((int)(call)))
