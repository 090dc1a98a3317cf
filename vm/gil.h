// The Global Interpreter Lock (vm/gil.c): the design notes are at the top of gil.c and in
// docs/gil.md. This header is what the rest of mini needs: the lock's state (one per VM), the
// calls that take and give it, and the two macros every blocking system call is wrapped in.
#ifndef MINI_GIL_H
#define MINI_GIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct ThreadState;

// What one thread did with the GIL; sys._gil_stats()["threads"][ident] shows it. Lives apart
// from the thread state so that a finished thread's figures stay visible (Gil.stats_list).
typedef struct GilThreadStats {
    unsigned long ident;
    uint64_t acquisitions;    // times the thread took the GIL
    uint64_t forced_drops;    // times it gave the GIL up because another thread asked
    uint64_t voluntary_drops; // times it released it around a blocking call (or at exit)
    uint64_t wait_ns;         // time spent waiting to take it
    uint64_t hold_ns;         // time spent holding it
    uint64_t hold_start;      // (monotonic ns) when it last took it
    struct GilThreadStats *next;
} GilThreadStats;

typedef struct Gil {
    pthread_mutex_t mutex;  // guards every field below
    pthread_cond_t cond;    // signalled when the GIL is dropped (waiters wait here)
    pthread_cond_t switch_cond; // signalled when the GIL is taken (forced switching waits here)
    bool locked;            // someone holds the GIL
    struct ThreadState *holder;      // who holds it (NULL when unlocked)
    struct ThreadState *last_holder; // who held it last (a forced drop waits until it changes)
    uint64_t switch_number; // moves on every time the GIL is taken
    int64_t interval_ns;    // the switch interval (sys.setswitchinterval), 5 ms by default
    long switch_every;      // --switch-every=N: 0 off, else hand over at every Nth check point
    long check_count;       // check points seen since the last hand-over (switch_every mode)
    bool io_priority;       // --gil-io-priority: a thread back from blocking I/O asks at once
    // --gil-io-priority: the thread back from blocking I/O that asked the holder to let go.
    // The GIL is kept for it, whoever else waits (NULL: anyone may take it).
    struct ThreadState *io_waiter;
    int nwaiting;           // threads waiting to take the GIL
    // --switch-every's FIFO: every waiter draws a ticket; the GIL goes to the lowest one.
    uint64_t next_ticket, serving;
    // Totals (sys._gil_stats()).
    uint64_t switches, forced_drops, voluntary_drops, acquisitions, wait_ns;
    GilThreadStats *stats_list; // every thread's figures, finished threads included
} Gil;

// Makes the lock ready (unlocked, 5 ms interval). False if pthreads failed.
bool gil_init(Gil *gil);
// Frees the lock's resources and the per-thread figures; no thread may be using it.
void gil_destroy(Gil *gil);

// Takes the GIL for [ts] (the calling thread), blocking until it is free; keeps errno. After
// an I/O call with --gil-io-priority, [after_io] asks the holder to drop it at once.
void gil_take(struct ThreadState *ts, bool after_io);
// Gives the GIL up (a voluntary drop). The caller must hold it; keeps errno.
void gil_drop(struct ThreadState *ts);
// The eval loop's check point when the GIL_DROP or GIL_COUNT bit of [ts]'s eval breaker is
// set: hands the GIL over if another thread asked for it (a forced drop), waits until some
// other thread has taken it, then takes it back.
void gil_check_point(struct ThreadState *ts);
// A thread that has finished: stops naming [ts] as the holder (waiters write to the holder's
// eval breaker) and closes its figures, before its state is freed. It still holds the GIL.
void gil_forget_holder(struct ThreadState *ts);
// Then lets the GIL go without a thread state (the last thing a finished thread does).
void gil_drop_exiting(Gil *gil);
// time.sleep(0): if another thread waits for the GIL, gives it away (a voluntary drop) and
// takes it back after that thread has had it; otherwise does nothing.
void gil_yield(struct ThreadState *ts);
// In the child of fork(): re-creates the lock held by [ts], the only thread left.
void gil_after_fork(struct ThreadState *ts);
// Whether [ts] holds the GIL (for assertions and for code that may run either way).
bool gil_held(struct ThreadState *ts);
// The figures of [ts]'s thread, made on first use. NULL if out of memory.
GilThreadStats *gil_thread_stats(struct ThreadState *ts);

// Prints the figures (--gil-stats) as a table on [out]: totals, then a line per thread.
void gil_print_stats(Gil *gil, FILE *out);

// Releasing the GIL around a blocking call. Between the two macros the code must not touch
// any mini object nor call any mini API: other threads are running. errno survives.
//
//     MINI_BEGIN_ALLOW_THREADS
//     n = read(fd, buf, size);
//     MINI_END_ALLOW_THREADS
//
struct ThreadState *mini_release_gil(void);
void mini_acquire_gil(struct ThreadState *ts);
#define MINI_BEGIN_ALLOW_THREADS                                                                   \
    {                                                                                              \
        struct ThreadState *mini_saved_ts_ = mini_release_gil();
#define MINI_END_ALLOW_THREADS                                                                     \
        mini_acquire_gil(mini_saved_ts_);                                                          \
    }

#endif // MINI_GIL_H
