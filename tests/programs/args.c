/* Prints its arguments and environment (args_*, environ_*), then exits with
   $EXIT_CODE if set: returning a status from main goes through proc_exit. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    for (char **env = environ; *env; env++)
        printf("env: %s\n", *env);
    const char *code = getenv("EXIT_CODE");
    return code ? atoi(code) : 0;
}
