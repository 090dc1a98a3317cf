// The Global Interpreter Lock.
//
// Notes about the implementation
// ------------------------------
// Only the thread that holds the GIL runs mini code or touches mini objects: refcounts, dicts,
// lists and the interpreter's own tables are not thread-safe, and the GIL is what makes them
// safe (docs/gil.md lists everything it protects). The protocol is the one CPython has used
// since 3.2 (Python/ceval_gil.c, "new GIL" by Antoine Pitrou):
//
// - The GIL is a flag, `locked`, guarded by a mutex and a condition variable (`cond`), with
//   `switch_number` (moved on at every take) and `last_holder`.
//
// - A thread that wants the GIL while another holds it waits on `cond` with a timeout of the
//   switch interval (5 ms by default, sys.setswitchinterval). If the wait times out and no
//   switch happened meanwhile (switch_number unchanged), the holder has run a whole interval
//   while someone waited: the waiter sets BREAK_GIL_DROP in the holder's eval breaker.
//
// - The holder reads its eval breaker only at check points: backward jumps, function entry,
//   a generator's resumption after a yield, and after calls into native code (vm/eval.c,
//   CHECK_BREAKER). Code between two check points is atomic under the GIL. That is why
//   `temp = counter; temp += 1; counter = temp` never loses an update: the three statements
//   contain no check point.
//
// - At a check point with BREAK_GIL_DROP set the holder drops the GIL (a forced drop) and then
//   waits on `switch_cond` until another thread has taken it ("forced switching"): without that
//   wait the holder, already running, would usually take the GIL straight back, and the waiter
//   would starve (the convoy seen with Python 2's GIL).
//
// - A thread about to block (sleep, read, write, waitpid, a lock wait...) releases the GIL
//   first (a voluntary drop, MINI_BEGIN_ALLOW_THREADS) and takes it back after
//   (MINI_END_ALLOW_THREADS), so blocking calls overlap. Taking it back means waiting like
//   anybody else: under a CPU-bound thread, that is up to one switch interval - the "convoy
//   effect" of bpo-7946 (closed without a fix in CPython). With --gil-io-priority, a thread
//   coming back from a blocking call sets the holder's drop request at once instead of after
//   a full interval, which is the fix that issue proposed.
//
// - --switch-every=N is a deterministic mode for tests and teaching: every thread that wants
//   the GIL draws a ticket and the GIL goes to tickets in order (FIFO). While someone waits,
//   the holder's breaker has BREAK_GIL_COUNT set, so it counts its check points, and at every
//   Nth one it hands the GIL to the longest waiter.
//
// - Figures for sys._gil_stats() and --gil-stats are kept under the mutex: per thread
//   (GilThreadStats, which outlive their thread) and in total.
//
// Hazards
// - The waiter writes to the holder's eval breaker, so the holder's ThreadState must not be
//   freed while a waiter could see it as `holder`: a finishing thread clears `holder` under
//   the mutex (gil_forget_holder) before its state is freed.
// - Every function here keeps errno: they run between a system call and the code that reads
//   its errno.
// - In the child of fork() the mutex may have been held by a thread that no longer exists:
//   gil_after_fork re-creates everything rather than unlocking.
// - At exit, daemon threads may still be running or blocked. Once vm->finalizing is set, a
//   thread other than the main one that takes the GIL exits at once (pthread_exit) instead of
//   running on a VM that is being torn down, as CPython's take_gil does.

#include "vm/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

// The absolute CLOCK_MONOTONIC time [ns] nanoseconds from now, for pthread_cond_timedwait.
static struct timespec deadline_after(int64_t ns) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ns / 1000000000;
    t.tv_nsec += ns % 1000000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000;
    }
    return t;
}

static void set_break(ThreadState *ts, uint32_t bits) {
    __atomic_fetch_or(&ts->eval_breaker, bits, __ATOMIC_RELEASE);
}

static void clear_break(ThreadState *ts, uint32_t bits) {
    __atomic_fetch_and(&ts->eval_breaker, ~bits, __ATOMIC_RELEASE);
}

static bool make_locks(Gil *gil) {
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return false;
    // The interval is measured on the monotonic clock, so that setting the wall clock cannot
    // stretch or shrink it.
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    bool ok = pthread_mutex_init(&gil->mutex, NULL) == 0 &&
              pthread_cond_init(&gil->cond, &attr) == 0 &&
              pthread_cond_init(&gil->switch_cond, &attr) == 0;
    pthread_condattr_destroy(&attr);
    return ok;
}

bool gil_init(Gil *gil) {
    gil->locked = false;
    gil->holder = gil->last_holder = NULL;
    gil->switch_number = 0;
    gil->interval_ns = MINI_SWITCH_INTERVAL_NS;
    gil->switch_every = 0;
    gil->check_count = 0;
    gil->io_priority = false;
    gil->io_waiter = NULL;
    gil->nwaiting = 0;
    gil->next_ticket = gil->serving = 0;
    gil->switches = gil->forced_drops = gil->voluntary_drops = gil->acquisitions = 0;
    gil->wait_ns = 0;
    gil->stats_list = NULL;
    return make_locks(gil);
}

void gil_destroy(Gil *gil) {
    pthread_mutex_destroy(&gil->mutex);
    pthread_cond_destroy(&gil->cond);
    pthread_cond_destroy(&gil->switch_cond);
    while (gil->stats_list) {
        GilThreadStats *next = gil->stats_list->next;
        free(gil->stats_list);
        gil->stats_list = next;
    }
}

// The figures of [ts], made on first use. Called with the mutex held.
static GilThreadStats *stats_of(Gil *gil, ThreadState *ts) {
    if (!ts->gil_stats) {
        GilThreadStats *st = calloc(1, sizeof *st);
        if (!st)
            return NULL;
        st->ident = ts->ident;
        st->next = gil->stats_list;
        gil->stats_list = st;
        ts->gil_stats = st;
    }
    return ts->gil_stats;
}

GilThreadStats *gil_thread_stats(ThreadState *ts) {
    Gil *gil = &ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    GilThreadStats *st = stats_of(gil, ts);
    pthread_mutex_unlock(&gil->mutex);
    return st;
}

// Whether [ts] may take the GIL now. Called with the mutex held.
static bool may_take(Gil *gil, ThreadState *ts) {
    if (gil->locked)
        return false;
    if (gil->switch_every)
        return ts->gil_ticket == gil->serving;
    // --gil-io-priority: the holder was asked to let go for a thread back from I/O, and that
    // thread must get the GIL, not whichever waiter the broadcast happens to wake first.
    return gil->io_waiter == NULL || gil->io_waiter == ts;
}

// Waits for the GIL and takes it, with the mutex held (cond waits release it meanwhile). In
// --switch-every mode the caller has drawn [ts]'s ticket already.
static void take_locked(Gil *gil, ThreadState *ts, bool after_io) {
    VM *vm = ts->vm;
    uint64_t waited = 0;
    if (!may_take(gil, ts)) {
        uint64_t start = now_ns();
        gil->nwaiting++;
        if (gil->holder) {
            if (gil->switch_every)
                set_break(gil->holder, BREAK_GIL_COUNT);
            else if (after_io && gil->io_priority) {
                set_break(gil->holder, BREAK_GIL_DROP);
                if (!gil->io_waiter)
                    gil->io_waiter = ts;
            }
        }
        while (!may_take(gil, ts)) {
            if (gil->switch_every) {
                // Hand-overs are made by the holder counting check points, never by timing.
                pthread_cond_wait(&gil->cond, &gil->mutex);
                continue;
            }
            uint64_t switch_number = gil->switch_number;
            struct timespec deadline = deadline_after(gil->interval_ns > 1000 ? gil->interval_ns
                                                                               : 1000);
            int r = pthread_cond_timedwait(&gil->cond, &gil->mutex, &deadline);
            // A whole interval went by and the same thread still holds the GIL: ask it to
            // let go at its next check point.
            if (r == ETIMEDOUT && gil->locked && gil->switch_number == switch_number &&
                gil->holder)
                set_break(gil->holder, BREAK_GIL_DROP);
        }
        gil->nwaiting--;
        waited = now_ns() - start;
    }
    if (__atomic_load_n(&vm->finalizing, __ATOMIC_SEQ_CST) && ts != vm->main_thread) {
        // The VM is being torn down (a daemon thread woke up): leave without taking the GIL.
        if (gil->switch_every)
            gil->serving++;
        if (gil->io_waiter == ts)
            gil->io_waiter = NULL;
        pthread_cond_broadcast(&gil->cond);
        pthread_cond_broadcast(&gil->switch_cond);
        pthread_mutex_unlock(&gil->mutex);
        pthread_exit(NULL);
    }
    gil->locked = true;
    gil->holder = ts;
    if (gil->io_waiter == ts)
        gil->io_waiter = NULL;
    gil->check_count = 0; // --switch-every: every holder gets N check points
    if (gil->last_holder != ts)
        gil->switches++;
    gil->last_holder = ts;
    gil->switch_number++;
    if (gil->switch_every)
        gil->serving++;
    gil->acquisitions++;
    gil->wait_ns += waited;
    GilThreadStats *st = stats_of(gil, ts);
    if (st) {
        st->acquisitions++;
        st->wait_ns += waited;
        st->hold_start = now_ns();
    }
    // A drop request aimed at this thread before it last let go is stale now.
    clear_break(ts, BREAK_GIL_DROP);
    if (gil->switch_every && gil->nwaiting > 0)
        set_break(ts, BREAK_GIL_COUNT);
    else
        clear_break(ts, BREAK_GIL_COUNT);
    // The other threads waiting in the mode's FIFO wait for their own ticket: wake them so
    // that the next in line sees it is its turn once this thread lets go.
    pthread_cond_broadcast(&gil->switch_cond);
}

void gil_take(ThreadState *ts, bool after_io) {
    int saved_errno = errno;
    VM *vm = ts->vm;
    Gil *gil = &vm->gil;
    if (__atomic_load_n(&vm->finalizing, __ATOMIC_SEQ_CST) && ts != vm->main_thread)
        pthread_exit(NULL);
    pthread_mutex_lock(&gil->mutex);
    if (gil->switch_every)
        ts->gil_ticket = gil->next_ticket++;
    take_locked(gil, ts, after_io);
    pthread_mutex_unlock(&gil->mutex);
    errno = saved_errno;
}

// Lets the GIL go. Called with the mutex held, by the holder [ts].
static void release_locked(Gil *gil, ThreadState *ts) {
    GilThreadStats *st = stats_of(gil, ts);
    if (st)
        st->hold_ns += now_ns() - st->hold_start;
    gil->locked = false;
    gil->holder = NULL;
    clear_break(ts, BREAK_GIL_COUNT);
    pthread_cond_broadcast(&gil->cond);
}

void gil_drop(ThreadState *ts) {
    int saved_errno = errno;
    Gil *gil = &ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    release_locked(gil, ts);
    gil->voluntary_drops++;
    if (ts->gil_stats)
        ts->gil_stats->voluntary_drops++;
    pthread_mutex_unlock(&gil->mutex);
    errno = saved_errno;
}

// Gives the GIL to a waiting thread and takes it back once that thread has had it. Called
// with the mutex held by the holder [ts]; returns with the GIL held and the mutex released.
static void hand_over(Gil *gil, ThreadState *ts) {
    release_locked(gil, ts);
    if (gil->switch_every) {
        // The FIFO: queue at once behind every thread already waiting, so the order of turns
        // does not depend on how fast the OS wakes anyone.
        ts->gil_ticket = gil->next_ticket++;
    } else {
        // Wait until another thread has the GIL before queueing for it again, so that the
        // waiter is sure to get it ("forced switching").
        uint64_t switch_number = gil->switch_number;
        while (gil->switch_number == switch_number && gil->nwaiting > 0)
            pthread_cond_wait(&gil->switch_cond, &gil->mutex);
    }
    take_locked(gil, ts, false);
    pthread_mutex_unlock(&gil->mutex);
}

void gil_check_point(ThreadState *ts) {
    int saved_errno = errno;
    Gil *gil = &ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    bool forced = false;
    if (gil->nwaiting == 0) {
        // Whoever asked has gone (it took the GIL while this thread was blocked): nothing to do.
        clear_break(ts, BREAK_GIL_DROP | BREAK_GIL_COUNT);
    } else if (gil->switch_every) {
        clear_break(ts, BREAK_GIL_DROP);
        if (++gil->check_count >= gil->switch_every) {
            gil->check_count = 0;
            forced = true;
        }
    } else if (ts->eval_breaker & BREAK_GIL_DROP) {
        clear_break(ts, BREAK_GIL_DROP);
        forced = true;
    }
    if (!forced) {
        pthread_mutex_unlock(&gil->mutex);
        errno = saved_errno;
        return;
    }
    gil->forced_drops++;
    if (ts->gil_stats)
        ts->gil_stats->forced_drops++;
    hand_over(gil, ts);
    errno = saved_errno;
}

void gil_yield(ThreadState *ts) {
    int saved_errno = errno;
    Gil *gil = &ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    if (gil->nwaiting == 0) {
        pthread_mutex_unlock(&gil->mutex);
        return;
    }
    gil->voluntary_drops++;
    if (ts->gil_stats)
        ts->gil_stats->voluntary_drops++;
    hand_over(gil, ts);
    errno = saved_errno;
}

void gil_forget_holder(ThreadState *ts) {
    int saved_errno = errno;
    Gil *gil = &ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    GilThreadStats *st = stats_of(gil, ts);
    if (st) {
        // The thread's last drop (gil_drop_exiting, which counts it in the totals).
        st->hold_ns += now_ns() - st->hold_start;
        st->hold_start = now_ns();
        st->voluntary_drops++;
    }
    if (gil->holder == ts)
        gil->holder = NULL;
    ts->gil_stats = NULL;
    pthread_mutex_unlock(&gil->mutex);
    errno = saved_errno;
}

void gil_drop_exiting(Gil *gil) {
    int saved_errno = errno;
    pthread_mutex_lock(&gil->mutex);
    gil->locked = false;
    gil->holder = NULL;
    gil->voluntary_drops++;
    pthread_cond_broadcast(&gil->cond);
    pthread_mutex_unlock(&gil->mutex);
    errno = saved_errno;
}

void gil_after_fork(ThreadState *ts) {
    Gil *gil = &ts->vm->gil;
    // The old mutex and condition variables may be in any state (held by a thread that does
    // not exist in this process): make new ones in their place.
    make_locks(gil);
    gil->locked = true;
    gil->holder = gil->last_holder = ts;
    gil->io_waiter = NULL;
    gil->nwaiting = 0;
    gil->check_count = 0;
    gil->next_ticket = gil->serving = 0;
    clear_break(ts, BREAK_GIL_DROP | BREAK_GIL_COUNT);
}

bool gil_held(ThreadState *ts) {
    Gil *gil = &ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    bool held = gil->locked && gil->holder == ts;
    pthread_mutex_unlock(&gil->mutex);
    return held;
}

ThreadState *mini_release_gil(void) {
    ThreadState *ts = mini_ts;
    gil_drop(ts);
    return ts;
}

void mini_acquire_gil(ThreadState *ts) { gil_take(ts, true); }

void gil_print_stats(Gil *gil, FILE *out) {
    pthread_mutex_lock(&gil->mutex);
    fprintf(out, "GIL statistics (switch interval %.3f ms%s%s)\n", gil->interval_ns / 1e6,
            gil->switch_every ? ", --switch-every" : "",
            gil->io_priority ? ", --gil-io-priority" : "");
    fprintf(out, "  switches %llu, acquisitions %llu, forced drops %llu, voluntary drops %llu, "
                 "waited %.3f ms\n",
            (unsigned long long)gil->switches, (unsigned long long)gil->acquisitions,
            (unsigned long long)gil->forced_drops, (unsigned long long)gil->voluntary_drops,
            gil->wait_ns / 1e6);
    fprintf(out, "  %-16s %12s %12s %12s %12s %12s\n", "thread", "acquisitions", "forced",
            "voluntary", "wait ms", "hold ms");
    // The list is newest first: count, then print oldest first (the main thread on top).
    size_t n = 0;
    for (GilThreadStats *st = gil->stats_list; st; st = st->next)
        n++;
    for (size_t k = n; k-- > 0;) {
        GilThreadStats *st = gil->stats_list;
        for (size_t j = 0; j < k; j++)
            st = st->next;
        fprintf(out, "  %-16lu %12llu %12llu %12llu %12.3f %12.3f\n", st->ident,
                (unsigned long long)st->acquisitions, (unsigned long long)st->forced_drops,
                (unsigned long long)st->voluntary_drops, st->wait_ns / 1e6, st->hold_ns / 1e6);
    }
    pthread_mutex_unlock(&gil->mutex);
}
