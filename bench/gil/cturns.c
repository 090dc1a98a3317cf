// cturns.c - the lecture's GIL demo with the interpreter taken out: what this machine does to
// CPU-bound threads that take turns, the figure to judge the demo's threads/serial ratio
// against (bench/gil/run builds and runs it).
//
// Four threads run one call of work() each, but only one at a time: they pass a C "GIL" (a
// mutex, a condition variable and a turn number) round-robin every 5 ms, as an interpreter's
// forced switching does. That is timed against the same four calls in a row in one thread.
// Both do the same work and the same clock checks, so on an ideal machine the ratio
// threads/serial is 1.0 plus the cost of the hand-overs (a few microseconds each).
//
// On a machine whose CPUs are virtual and shared, it need not be: the threads hop between
// CPUs at each hand-over, and a virtual CPU that runs flat out for a long time can be slowed by
// the host (throttled, or sharing its core) more than two CPUs that each run half the time.
// Then the threads come out faster than the calls in a row, in CPU time as well as wall time,
// with no interpreter involved.
//
//     cc -O2 -pthread -o cturns cturns.c && ./cturns [ITERATIONS] [ROUNDS]
//
// Prints, for the medians of ROUNDS alternating runs: threads and serial wall and CPU seconds,
// and the ratios threads/serial.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NTHREADS 4
#define SLICE_S 0.005

// The loop's length per call, fixed by main() before any thread starts.
static long iterations = 50000000;

// The turn-taking state: the thread whose turn it is runs; the others wait on `changed`.
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int turn;
static int alive[NTHREADS];

static double clock_s(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// Gives the turn to the next thread still running after `me` (or keeps it, if none is).
// Called with the mutex held.
static void pass_turn(int me) {
    for (int k = 1; k <= NTHREADS; k++) {
        int next = (me + k) % NTHREADS;
        if (alive[next]) {
            turn = next;
            break;
        }
    }
    pthread_cond_broadcast(&changed);
}

static void wait_turn(int me) {
    while (turn != me)
        pthread_cond_wait(&changed, &mutex);
}

// A CPU-bound loop the compiler cannot fold, which every 65536 iterations looks at the clock
// and, once its slice is used up, calls `yield` (NULL in the serial run: the check alone).
static void work(int me, void (*yield)(int)) {
    uint64_t x = 88172645463325252u;
    double slice_start = clock_s(CLOCK_MONOTONIC);
    for (long i = 0; i < iterations; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if ((i & 0xffff) == 0 && clock_s(CLOCK_MONOTONIC) - slice_start >= SLICE_S) {
            if (yield)
                yield(me);
            slice_start = clock_s(CLOCK_MONOTONIC);
        }
    }
    *(volatile uint64_t *)&x = x;
}

static void hand_over(int me) {
    pthread_mutex_lock(&mutex);
    pass_turn(me);
    wait_turn(me);
    pthread_mutex_unlock(&mutex);
}

static void *worker(void *arg) {
    int me = (int)(intptr_t)arg;
    pthread_mutex_lock(&mutex);
    wait_turn(me);
    pthread_mutex_unlock(&mutex);
    work(me, hand_over);
    pthread_mutex_lock(&mutex);
    alive[me] = 0;
    pass_turn(me);
    pthread_mutex_unlock(&mutex);
    return NULL;
}

static void run_threads(void) {
    pthread_t threads[NTHREADS];
    turn = 0;
    for (int i = 0; i < NTHREADS; i++)
        alive[i] = 1;
    for (int i = 0; i < NTHREADS; i++)
        if (pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) != 0) {
            perror("pthread_create");
            exit(1);
        }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(threads[i], NULL);
}

static void run_serial(void) {
    for (int i = 0; i < NTHREADS; i++)
        work(0, NULL);
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, compare);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc > 1)
        iterations = atol(argv[1]);
    int rounds = argc > 2 ? atoi(argv[2]) : 7;
    if (iterations <= 0 || rounds <= 0 || rounds > 1000) {
        fprintf(stderr, "usage: cturns [ITERATIONS] [ROUNDS]\n");
        return 2;
    }
    double *wall[2], *cpu[2];
    for (int m = 0; m < 2; m++) {
        wall[m] = calloc((size_t)rounds, sizeof(double));
        cpu[m] = calloc((size_t)rounds, sizeof(double));
    }
    for (int r = 0; r < rounds; r++) {
        // Alternate the order, so that neither mode always runs first.
        for (int k = 0; k < 2; k++) {
            int m = (r + k) % 2;  // 0 = threads, 1 = serial
            double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            if (m == 0)
                run_threads();
            else
                run_serial();
            wall[m][r] = clock_s(CLOCK_MONOTONIC) - w0;
            cpu[m][r] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
    }
    double ratios[1000];
    for (int r = 0; r < rounds; r++)
        ratios[r] = wall[0][r] / wall[1][r];
    double ratio = median(ratios, rounds);
    double tw = median(wall[0], rounds), sw = median(wall[1], rounds);
    double tc = median(cpu[0], rounds), sc = median(cpu[1], rounds);
    printf("threads_seconds %.4f\nserial_seconds %.4f\n", tw, sw);
    printf("threads_cpu_seconds %.4f\nserial_cpu_seconds %.4f\n", tc, sc);
    printf("ratio %.3f\ncpu_ratio %.3f\n", ratio, tc / sc);
    return 0;
}
