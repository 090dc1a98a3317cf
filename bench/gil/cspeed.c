// cspeed.c - how much two threads of a C program speed up CPU-bound work on this machine, the
// figure to judge the GIL benchmarks against (bench/gil/run builds and runs it). Each call of
// work() runs a loop of integer arithmetic; the program times two calls in a row ("serial")
// and two threads running one call each ("parallel"), five times, and prints the medians and
// serial/parallel: about 2.0 on two idle cores, 1.0 if the threads cannot run at once.
//
//     cc -O2 -pthread -o cspeed cspeed.c && ./cspeed [ITERATIONS]
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS 5

// The loop's length, fixed by main() before any thread starts.
static long iterations = 100000000;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// A CPU-bound loop the compiler cannot fold: the result goes through a volatile store.
static void *work(void *out) {
    uint64_t x = 88172645463325252u;
    for (long i = 0; i < iterations; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    *(volatile uint64_t *)out = x;
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc > 1)
        iterations = atol(argv[1]);
    double serial[ROUNDS], parallel[ROUNDS];
    uint64_t sink[2];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        work(&sink[0]);
        work(&sink[1]);
        serial[r] = now() - t0;
        pthread_t th[2];
        t0 = now();
        for (int k = 0; k < 2; k++)
            if (pthread_create(&th[k], NULL, work, &sink[k]) != 0) {
                perror("pthread_create");
                return 1;
            }
        for (int k = 0; k < 2; k++)
            pthread_join(th[k], NULL);
        parallel[r] = now() - t0;
    }
    qsort(serial, ROUNDS, sizeof serial[0], compare);
    qsort(parallel, ROUNDS, sizeof parallel[0], compare);
    double s = serial[ROUNDS / 2], p = parallel[ROUNDS / 2];
    printf("serial_s %.4f\nparallel_s %.4f\nspeedup %.3f\n", s, p, s / p);
    return 0;
}
