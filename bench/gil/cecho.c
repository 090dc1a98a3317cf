// cecho.c - bench/gil/echo.mini's I/O bandwidth test written in C, with no GIL: an echo
// thread answers a forked client over two pipes while NCPU threads spin. It shows how much of
// the slow-down the machine itself causes (spinning threads compete with the echo thread and
// the client for the CPUs) - the best any GIL can do here. bench/gil/run builds and runs it.
//
//     cc -O2 -pthread -o cecho cecho.c && ./cecho NCPU [SECONDS]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// Set by main() once the client has reported; the spinning threads stop when they see it.
static volatile int done;

static const char message[] = "ping-0123456789";

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *spin(void *arg) {
    (void)arg;
    volatile unsigned long x = 0;
    while (!done)
        x++;
    return NULL;
}

// The echo thread: fds[0] to read from, fds[1] to write to, until end-of-file.
static void *echo(void *arg) {
    int *fds = arg;
    char buf[64];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        if (write(fds[1], buf, (size_t)n) != n)
            break;
    return NULL;
}

int main(int argc, char **argv) {
    int ncpu = argc > 1 ? atoi(argv[1]) : 0;
    double seconds = argc > 2 ? atof(argv[2]) : 1.0;
    int to_echo[2], from_echo[2], go[2], result[2];
    if (pipe(to_echo) || pipe(from_echo) || pipe(go) || pipe(result)) {
        perror("pipe");
        return 1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char c, buf[64];
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        long trips = 0;
        double start = now(), t = start;
        size_t len = strlen(message);
        while (t - start < seconds) {
            if (write(to_echo[1], message, len) != (ssize_t)len ||
                read(from_echo[0], buf, sizeof buf) != (ssize_t)len)
                _exit(1);
            trips++;
            t = now();
        }
        double rate = trips / (t - start);
        if (write(result[1], &rate, sizeof rate) != sizeof rate)
            _exit(1);
        _exit(0);
    }
    close(to_echo[1]);
    close(from_echo[0]);
    int fds[2] = {to_echo[0], from_echo[1]};
    pthread_t echo_thread, spinners[16];
    if (ncpu > 16)
        ncpu = 16;
    pthread_create(&echo_thread, NULL, echo, fds);
    for (int k = 0; k < ncpu; k++)
        pthread_create(&spinners[k], NULL, spin, NULL);
    usleep(50000);
    double rate = 0;
    if (write(go[1], "g", 1) != 1 || read(result[0], &rate, sizeof rate) != sizeof rate) {
        fprintf(stderr, "cecho: the client failed\n");
        return 1;
    }
    waitpid(pid, NULL, 0);
    done = 1;
    pthread_join(echo_thread, NULL);
    for (int k = 0; k < ncpu; k++)
        pthread_join(spinners[k], NULL);
    printf("round_trips_per_s %.1f\n", rate);
    return 0;
}
