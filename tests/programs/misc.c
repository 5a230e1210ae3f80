/* Everything without files: clocks, sleeping in poll_oneoff, random bytes,
   sched_yield, the socket calls on descriptors that are not sockets, proc_raise. */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "common.h"

/* Not declared by wasi-libc (deprecated in preview1), but still part of it. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
__wasi_errno_t raw_proc_raise(uint32_t signal);

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void clocks(void) {
    struct timespec res;
    SHOW(clock_getres(CLOCK_MONOTONIC, &res));
    printf("monotonic resolution at most 1ms: %d\n", res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000);
    SHOW(clock_getres(CLOCK_REALTIME, &res));
    printf("realtime after 2023: %d\n", now_ns(CLOCK_REALTIME) / 1000000000 > 1672531200);
    int64_t a = now_ns(CLOCK_MONOTONIC), b = now_ns(CLOCK_MONOTONIC);
    printf("monotonic does not go back: %d\n", b >= a);
    printf("cpu clocks: %d\n", now_ns(CLOCK_PROCESS_CPUTIME_ID) >= 0 && now_ns(CLOCK_THREAD_CPUTIME_ID) >= 0);
    __wasi_timestamp_t t;
    SHOW_ERRNO(__wasi_clock_time_get(99, 1, &t));
    SHOW_ERRNO(__wasi_clock_res_get(99, &t));
}

static void sleeping(void) {
    int64_t start = now_ns(CLOCK_MONOTONIC);
    SHOW(usleep(20000));
    printf("usleep(20ms) slept long enough: %d\n", now_ns(CLOCK_MONOTONIC) - start >= 20000000);
    start = now_ns(CLOCK_MONOTONIC);
    struct timespec ts = {0, 15000000};
    SHOW(nanosleep(&ts, NULL));
    printf("nanosleep(15ms) slept long enough: %d\n", now_ns(CLOCK_MONOTONIC) - start >= 15000000);

    /* Two clock subscriptions: only the earlier fires. */
    __wasi_subscription_t subs[2] = {0};
    subs[0].userdata = 111;
    subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
    subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    subs[0].u.u.clock.timeout = 10000000;
    subs[1] = subs[0];
    subs[1].userdata = 222;
    subs[1].u.u.clock.timeout = 5000000000ull;
    __wasi_event_t events[2];
    __wasi_size_t n = 0;
    start = now_ns(CLOCK_MONOTONIC);
    SHOW_ERRNO(__wasi_poll_oneoff(subs, events, 2, &n));
    printf("poll: %u event, userdata %llu, error %u, type clock %d, waited 10ms: %d\n", (unsigned)n,
           (unsigned long long)events[0].userdata, (unsigned)events[0].error,
           events[0].type == __WASI_EVENTTYPE_CLOCK, now_ns(CLOCK_MONOTONIC) - start >= 10000000);
    /* An absolute deadline already past fires at once. */
    subs[0].u.u.clock.timeout = 1;
    subs[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
    SHOW_ERRNO(__wasi_poll_oneoff(subs, events, 1, &n));
    printf("past deadline: %u event, userdata %llu\n", (unsigned)n, (unsigned long long)events[0].userdata);
    SHOW_ERRNO(__wasi_poll_oneoff(subs, events, 0, &n));

    /* fd readiness: standard output can be written now; a bad descriptor is reported
       in its event. */
    struct pollfd fds[1] = {{1, POLLOUT, 0}};
    SHOW(poll(fds, 1, 1000));
    printf("stdout writable: %d\n", (fds[0].revents & POLLOUT) != 0);
    subs[0].userdata = 7;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_WRITE;
    subs[0].u.u.fd_write.file_descriptor = 99;
    SHOW_ERRNO(__wasi_poll_oneoff(subs, events, 1, &n));
    printf("bad fd: %u event, userdata %llu, error %s\n", (unsigned)n, (unsigned long long)events[0].userdata,
           errname(events[0].error));
}

static void randomness(void) {
    unsigned char a[32] = {0}, b[32] = {0};
    SHOW(getentropy(a, sizeof a));
    SHOW(getentropy(b, sizeof b));
    int zeros = 0;
    for (int i = 0; i < 32; i++)
        zeros += a[i] == 0;
    printf("random bytes differ: %d, mostly nonzero: %d\n", memcmp(a, b, 32) != 0, zeros < 8);
    static unsigned char big[100000];
    SHOW_ERRNO(__wasi_random_get(big, sizeof big));
    SHOW_ERRNO(__wasi_random_get(big, 0));
}

static void sockets(void) {
    char buf[4];
    /* Standard output is a pipe or a terminal in every test: not a socket. */
    SHOW(recv(1, buf, sizeof buf, 0));
    SHOW(send(1, "x", 1, 0));
    SHOW(shutdown(1, SHUT_RDWR));
    __wasi_fd_t fd;
    SHOW_ERRNO(__wasi_sock_accept(1, 0, &fd));
    SHOW(shutdown(99, SHUT_RDWR));
}

int main(void) {
    clocks();
    sleeping();
    randomness();
    SHOW(sched_yield());
    sockets();
    fflush(stdout);
    /* Last, as a runtime may end the program here (the call is deprecated). */
    SHOW_ERRNO(raw_proc_raise(0));
    return 0;
}
