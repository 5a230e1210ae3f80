/* Directory-tree operations in the directory argv[1]: mkdir/rmdir/unlink, rename
   across directories, symlinks and readlink, hard links, stat and lstat. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "files.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: fsops DIR\n", stderr);
        return 2;
    }
    const char *d = argv[1];
    struct stat st;

    SHOW(mkdir(at(d, "a"), 0755));
    SHOW(mkdir(at(d, "a/b"), 0755));
    SHOW(mkdir(at(d, "a"), 0755));
    SHOW(mkdir(at(d, "missing/x"), 0755));
    SHOW(rmdir(at(d, "a")));
    put(at(d, "a/b/f.txt"), "hello");
    SHOW(mkdir(at(d, "c"), 0755));

    /* Rename a file, then a directory, across directories. */
    SHOW(rename(at(d, "a/b/f.txt"), at(d, "c/g.txt")));
    SHOW(stat(at(d, "a/b/f.txt"), &st));
    cat("renamed file", at(d, "c/g.txt"));
    SHOW(rename(at(d, "a/b"), at(d, "c/b2")));
    SHOW(stat(at(d, "c/b2"), &st) == 0 && S_ISDIR(st.st_mode));
    SHOW(rename(at(d, "nothing"), at(d, "c/x")));
    put(at(d, "c/b2/inner"), "x");
    SHOW(rename(at(d, "a"), at(d, "c/b2")));

    /* Symlinks: relative to the link's directory, readable, followed by stat and open,
       not by lstat. */
    SHOW(symlink("g.txt", at(d, "c/link")));
    SHOW(symlink("g.txt", at(d, "c/link")));
    char target[64] = {0};
    SHOW(readlink(at(d, "c/link"), target, sizeof target - 1));
    printf("link target: %s\n", target);
    char small[4];
    SHOW(readlink(at(d, "c/link"), small, sizeof small));
    printf("truncated target: %.4s\n", small);
    SHOW(readlink(at(d, "c/g.txt"), target, sizeof target));
    SHOW(lstat(at(d, "c/link"), &st) == 0 && S_ISLNK(st.st_mode));
    SHOW(stat(at(d, "c/link"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);
    cat("through link", at(d, "c/link"));
    SHOW(symlink("nowhere", at(d, "c/dangling")));
    cat("dangling", at(d, "c/dangling"));
    SHOW(open(at(d, "c/link"), O_RDONLY | O_NOFOLLOW));

    /* Hard link: same file under two names, survives unlinking the first. */
    SHOW(link(at(d, "c/g.txt"), at(d, "c/hard")));
    SHOW(stat(at(d, "c/hard"), &st) == 0 && st.st_nlink == 2);
    SHOW(unlink(at(d, "c/g.txt")));
    cat("hard link after unlink", at(d, "c/hard"));
    cat("link after unlink", at(d, "c/link"));

    /* Wrong kinds. */
    SHOW(unlink(at(d, "c/b2")));
    SHOW(rmdir(at(d, "c/hard")));
    SHOW(open(at(d, "c/hard"), O_RDONLY | O_DIRECTORY));
    SHOW(open(at(d, "c/hard"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    SHOW(open(at(d, "c/none"), O_RDONLY));
    SHOW(rmdir(at(d, "c")));

    /* Clean up: the test checks the tree is empty again. */
    SHOW(unlink(at(d, "c/link")));
    SHOW(unlink(at(d, "c/dangling")));
    SHOW(unlink(at(d, "c/hard")));
    SHOW(unlink(at(d, "c/b2/inner")));
    SHOW(rmdir(at(d, "c/b2")));
    SHOW(rmdir(at(d, "a")));
    SHOW(rmdir(at(d, "c")));
    return 0;
}
