// thread.c - the _thread module: OS threads, each with its own ThreadState, and the two lock
// types everything else in threading.py is built from.
//
// A thread started by start_new_thread() is a detached pthread running thread_bootstrap(): it
// takes the GIL, calls the function, prints an uncaught exception, releases its "sentinel"
// lock (what threading's join() waits on), frees its state and lets the GIL go for good.
//
// Locks are POSIX semaphores, as CPython's are on Linux: a waiter blocks in sem_wait with the
// GIL released, and a signal interrupts the wait (EINTR), so Ctrl-C reaches a main thread that
// waits in join() or on a lock. Non-main threads block the asynchronous signals, so those are
// always delivered to the main thread, the only one that runs signal handlers.

#include "stdlib.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// CPython's _thread.TIMEOUT_MAX on Linux: the largest timeout, in seconds, that fits a
// nanosecond count in 64 bits, rounded down to whole seconds.
#define TIMEOUT_MAX_SECONDS 9223372036.0

// ---------------------------------------------------------------------------------------------
// Waiting on a semaphore
// ---------------------------------------------------------------------------------------------

// Takes [sem], waiting at most [timeout_ns] nanoseconds (-1: forever, 0: do not wait) with the
// GIL released. Signals that arrive meanwhile have their handlers run; the wait goes on unless
// one raised. 1 when taken, 0 on timeout, -1 with an exception pending.
static int acquire_timed(sem_t *sem, int64_t timeout_ns) {
    if (sem_trywait(sem) == 0)
        return 1;
    if (timeout_ns == 0)
        return 0;
    ThreadState *ts = mini_ts;
    struct timespec deadline;
    if (timeout_ns > 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        int64_t ns = deadline.tv_nsec + timeout_ns % 1000000000;
        deadline.tv_sec += (time_t)(timeout_ns / 1000000000 + ns / 1000000000);
        deadline.tv_nsec = (long)(ns % 1000000000);
    }
    for (;;) {
        int r;
        MINI_BEGIN_ALLOW_THREADS
        r = timeout_ns < 0 ? sem_wait(sem) : sem_clockwait(sem, CLOCK_MONOTONIC, &deadline);
        MINI_END_ALLOW_THREADS
        if (r == 0)
            return 1;
        if (errno == ETIMEDOUT)
            return 0;
        if (errno != EINTR) {
            mini_raise_errno(errno, NULL);
            return -1;
        }
        if (!mini_signals_run_pending(ts))
            return -1;
    }
}

// The arguments of acquire(blocking=True, timeout=-1) as a timeout in nanoseconds (-1:
// forever, 0: non-blocking), with CPython's checks. False with an exception pending.
static bool parse_acquire_args(MiniObject *const *args, size_t nargs, MiniObject *kwnames,
                               int64_t *timeout_ns) {
    static const char *const names[] = {"blocking", "timeout", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args("acquire", args, nargs, kwnames, names, 0, a))
        return false;
    int blocking = 1;
    if (a[0] && (blocking = mini_truthy(a[0])) < 0)
        return false;
    double timeout = -1;
    if (a[1]) {
        if (!time_seconds_arg(a[1], &timeout))
            return false;
    }
    if (!blocking && timeout != -1) {
        mini_raise_str(mini_exc_ValueError, "can't specify a timeout for a non-blocking call");
        return false;
    }
    if (timeout < 0 && timeout != -1) {
        mini_raise_str(mini_exc_ValueError, "timeout value must be positive");
        return false;
    }
    if (timeout > TIMEOUT_MAX_SECONDS) {
        mini_raise_str(mini_exc_OverflowError, "timeout value is too large");
        return false;
    }
    if (!blocking)
        *timeout_ns = 0;
    else if (timeout < 0)
        *timeout_ns = -1;
    else
        *timeout_ns = (int64_t)ceil(timeout * 1e9); // rounded up: a wait never ends early
    return true;
}

// ---------------------------------------------------------------------------------------------
// _thread.lock
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    sem_t sem; // 1: unlocked, 0: locked
    MiniObject *weaklist; // the weak references to the lock (weakref.c), NULL when none
} LockObject;

static MiniType lock_type;

// A new unlocked lock. New reference.
static MiniObject *lock_new_object(void) {
    LockObject *l = (LockObject *)mini_type_alloc(&lock_type, 0);
    if (!l)
        return NULL;
    if (sem_init(&l->sem, 0, 1) != 0) {
        mini_object_free((MiniObject *)l);
        return mini_raise_errno(errno, NULL);
    }
    return (MiniObject *)l;
}

static void lock_dealloc(MiniObject *self) {
    sem_destroy(&((LockObject *)self)->sem);
    mini_object_free(self);
}

static bool lock_is_locked(LockObject *l) {
    int v = 0;
    sem_getvalue(&l->sem, &v);
    return v <= 0;
}

static MiniObject *lock_acquire(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    int64_t timeout_ns;
    if (!parse_acquire_args(args, nargs, kwnames, &timeout_ns))
        return NULL;
    int r = acquire_timed(&((LockObject *)self)->sem, timeout_ns);
    return r < 0 ? NULL : MINI_BOOL(r);
}

static MiniObject *lock_release(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("release", kwnames) || !mini_check_nargs("release", nargs, 0, 0))
        return NULL;
    LockObject *l = (LockObject *)self;
    // Under the GIL no other thread can release between the check and the post; a waiter
    // without the GIL can only take the semaphore, which keeps the value at 0 or below.
    if (!lock_is_locked(l))
        return mini_raise_str(mini_exc_RuntimeError, "release unlocked lock");
    sem_post(&l->sem);
    return MINI_NONE;
}

static MiniObject *lock_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    return lock_release(self, NULL, 0, NULL);
}

static MiniObject *lock_locked(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("locked", kwnames) || !mini_check_nargs("locked", nargs, 0, 0))
        return NULL;
    return MINI_BOOL(lock_is_locked((LockObject *)self));
}

// After fork(): the lock may have been held by a thread that does not exist in the child.
static MiniObject *lock_at_fork_reinit(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("_at_fork_reinit", kwnames) ||
        !mini_check_nargs("_at_fork_reinit", nargs, 0, 0))
        return NULL;
    LockObject *l = (LockObject *)self;
    sem_destroy(&l->sem);
    sem_init(&l->sem, 0, 1);
    return MINI_NONE;
}

static MiniObject *lock_repr(MiniObject *self) {
    return str_from_format("<%s %s object at %p>",
                           lock_is_locked((LockObject *)self) ? "locked" : "unlocked",
                           mini_type(self)->name, (void *)self);
}

static const MiniMethodDef lock_methods[] = {
    {"acquire", lock_acquire, 0, "Lock the lock; return whether it was locked."},
    {"acquire_lock", lock_acquire, 0, "An obsolete synonym of acquire()."},
    {"__enter__", lock_acquire, 0, "Lock the lock."},
    {"release", lock_release, 0, "Release the lock."},
    {"release_lock", lock_release, 0, "An obsolete synonym of release()."},
    {"__exit__", lock_exit, 0, "Release the lock."},
    {"locked", lock_locked, 0, "Tell whether the lock is locked."},
    {"locked_lock", lock_locked, 0, "An obsolete synonym of locked()."},
    {"_at_fork_reinit", lock_at_fork_reinit, 0, "Make the lock new and unlocked (after fork)."},
    {NULL, NULL, 0, NULL},
};

static MiniType lock_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "_thread.lock",
    .basicsize = sizeof(LockObject),
    .weaklistoffset = offsetof(LockObject, weaklist),
    .dealloc = lock_dealloc,
    .repr = lock_repr,
    .methods = lock_methods,
    .doc = "A lock object is a synchronization primitive.",
};

// ---------------------------------------------------------------------------------------------
// _thread.RLock
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    sem_t sem;
    unsigned long owner; // the ident of the owning thread, 0 when unlocked
    uint64_t count;      // how many times the owner acquired it
    MiniObject *weaklist; // the weak references to the lock (weakref.c), NULL when none
} RLockObject;

static MiniType rlock_type;

static MiniObject *rlock_new(MiniType *type, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    RLockObject *r = (RLockObject *)mini_type_alloc(type, 0);
    if (!r)
        return NULL;
    if (sem_init(&r->sem, 0, 1) != 0) {
        mini_object_free((MiniObject *)r);
        return mini_raise_errno(errno, NULL);
    }
    return (MiniObject *)r;
}

static void rlock_dealloc(MiniObject *self) {
    sem_destroy(&((RLockObject *)self)->sem);
    mini_object_free(self);
}

static MiniObject *rlock_acquire(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    RLockObject *r = (RLockObject *)self;
    int64_t timeout_ns;
    if (!parse_acquire_args(args, nargs, kwnames, &timeout_ns))
        return NULL;
    unsigned long me = mini_ts->ident;
    if (r->count > 0 && r->owner == me) {
        r->count++;
        return MINI_TRUE;
    }
    int got = acquire_timed(&r->sem, timeout_ns);
    if (got <= 0)
        return got < 0 ? NULL : MINI_FALSE;
    r->owner = me;
    r->count = 1;
    return MINI_TRUE;
}

static MiniObject *rlock_release(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("release", kwnames) || !mini_check_nargs("release", nargs, 0, 0))
        return NULL;
    RLockObject *r = (RLockObject *)self;
    if (r->count == 0 || r->owner != mini_ts->ident)
        return mini_raise_str(mini_exc_RuntimeError, "cannot release un-acquired lock");
    if (--r->count == 0) {
        r->owner = 0;
        sem_post(&r->sem);
    }
    return MINI_NONE;
}

static MiniObject *rlock_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    return rlock_release(self, NULL, 0, NULL);
}

static MiniObject *rlock_is_owned(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("_is_owned", kwnames) || !mini_check_nargs("_is_owned", nargs, 0, 0))
        return NULL;
    RLockObject *r = (RLockObject *)self;
    return MINI_BOOL(r->count > 0 && r->owner == mini_ts->ident);
}

// Condition.wait() on an RLock: releases it completely and returns (count, owner) so that
// _acquire_restore can put it back as it was. New reference.
static MiniObject *rlock_release_save(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("_release_save", kwnames) ||
        !mini_check_nargs("_release_save", nargs, 0, 0))
        return NULL;
    RLockObject *r = (RLockObject *)self;
    if (r->count == 0)
        return mini_raise_str(mini_exc_RuntimeError, "cannot release un-acquired lock");
    MiniObject *count = int_from_u64(r->count), *owner = int_from_u64(r->owner);
    MiniObject *state = count && owner ? tuple_pack(2, count, owner) : NULL;
    MINI_XDECREF(count);
    MINI_XDECREF(owner);
    if (!state)
        return NULL;
    r->count = 0;
    r->owner = 0;
    sem_post(&r->sem);
    return state;
}

static MiniObject *rlock_acquire_restore(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    if (!mini_no_kwargs("_acquire_restore", kwnames) ||
        !mini_check_nargs("_acquire_restore", nargs, 1, 1))
        return NULL;
    MiniObject *state = args[0];
    int64_t count, owner;
    if (!tuple_check(state) || TUPLE_SIZE(state) != 2 ||
        !int_as_i64(TUPLE_GET(state, 0), &count) || !int_as_i64(TUPLE_GET(state, 1), &owner)) {
        if (!mini_error_occurred())
            mini_raise_str(mini_exc_TypeError, "_acquire_restore() argument must be a 2-tuple");
        return NULL;
    }
    RLockObject *r = (RLockObject *)self;
    if (acquire_timed(&r->sem, -1) < 0)
        return NULL;
    r->owner = (unsigned long)owner;
    r->count = (uint64_t)count;
    return MINI_NONE;
}

static MiniObject *rlock_recursion_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("_recursion_count", kwnames) ||
        !mini_check_nargs("_recursion_count", nargs, 0, 0))
        return NULL;
    RLockObject *r = (RLockObject *)self;
    return int_from_u64(r->owner == mini_ts->ident ? r->count : 0);
}

static MiniObject *rlock_at_fork_reinit(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("_at_fork_reinit", kwnames) ||
        !mini_check_nargs("_at_fork_reinit", nargs, 0, 0))
        return NULL;
    RLockObject *r = (RLockObject *)self;
    sem_destroy(&r->sem);
    sem_init(&r->sem, 0, 1);
    r->owner = 0;
    r->count = 0;
    return MINI_NONE;
}

static MiniObject *rlock_repr(MiniObject *self) {
    RLockObject *r = (RLockObject *)self;
    return str_from_format("<%s %s object owner=%lu count=%llu at %p>",
                           r->count ? "locked" : "unlocked", mini_type(self)->name, r->owner,
                           (unsigned long long)r->count, (void *)self);
}

static const MiniMethodDef rlock_methods[] = {
    {"acquire", rlock_acquire, 0, "Lock the lock, again if this thread owns it already."},
    {"__enter__", rlock_acquire, 0, "Lock the lock."},
    {"release", rlock_release, 0, "Release the lock once."},
    {"__exit__", rlock_exit, 0, "Release the lock once."},
    {"_is_owned", rlock_is_owned, 0, "Whether the calling thread owns the lock."},
    {"_release_save", rlock_release_save, 0, "Release the lock fully; return its state."},
    {"_acquire_restore", rlock_acquire_restore, 0, "Take the lock back in a saved state."},
    {"_recursion_count", rlock_recursion_count, 0, "How often this thread holds the lock."},
    {"_at_fork_reinit", rlock_at_fork_reinit, 0, "Make the lock new and unlocked (after fork)."},
    {NULL, NULL, 0, NULL},
};

static MiniType rlock_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "_thread.RLock",
    .basicsize = sizeof(RLockObject),
    .weaklistoffset = offsetof(RLockObject, weaklist),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = rlock_dealloc,
    .tp_new = rlock_new,
    .repr = rlock_repr,
    .methods = rlock_methods,
    .doc = "A reentrant lock: the thread that holds it may acquire it again.",
};

// ---------------------------------------------------------------------------------------------
// Starting threads
// ---------------------------------------------------------------------------------------------

// What a new thread needs; made by start_new_thread, freed by the thread.
typedef struct {
    ThreadState *ts;
    MiniObject *func, *args, *kwargs; // owned; kwargs may be NULL
} Boot;

// The signals a thread other than the main one blocks, so that they go to the main thread.
static void async_signals(sigset_t *set) {
    sigemptyset(set);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
                               SIGALRM, SIGCHLD, SIGWINCH, SIGPIPE, SIGVTALRM, SIGPROF};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(set, sigs[i]);
}

static void *thread_bootstrap(void *arg) {
    Boot *boot = arg;
    ThreadState *ts = boot->ts;
    VM *vm = ts->vm;
    mini_ts = ts;
    gil_take(ts, false);
    MiniObject *r = mini_call_tuple_dict(boot->func, boot->args, boot->kwargs);
    if (r) {
        MINI_DECREF(r);
    } else if (mini_error_matches(mini_exc_SystemExit)) {
        mini_error_clear(); // _thread.exit() or sys.exit() ends the thread quietly
    } else {
        exception_write_unraisable_msg("Exception ignored in thread started by", boot->func);
    }
    MINI_DECREF(boot->func);
    MINI_DECREF(boot->args);
    MINI_XDECREF(boot->kwargs);
    free(boot);
    // Let join() go on: the thread has finished everything it runs.
    MiniObject *sentinel = ts->sentinel;
    ts->sentinel = NULL;
    if (sentinel) {
        if (lock_is_locked((LockObject *)sentinel))
            sem_post(&((LockObject *)sentinel)->sem);
        MINI_DECREF(sentinel);
    }
    vm->nthreads--;
    gil_forget_holder(ts);
    threadstate_free(ts);
    gil_drop_exiting(&vm->gil);
    return NULL;
}

static MiniObject *thread_start_new_thread(MiniObject *self, MiniObject *const *args,
                                           size_t nargs, MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("start_new_thread", kwnames) ||
        !mini_check_nargs("start_new_thread", nargs, 2, 3))
        return NULL;
    MiniObject *func = args[0], *fargs = args[1], *fkw = nargs > 2 ? args[2] : NULL;
    if (!mini_callable(func))
        return mini_raise_str(mini_exc_TypeError, "first arg must be callable");
    if (!tuple_check(fargs))
        return mini_raise_str(mini_exc_TypeError, "2nd arg must be a tuple");
    if (fkw && !dict_check(fkw))
        return mini_raise_str(mini_exc_TypeError, "optional 3rd arg must be a dictionary");
    VM *vm = mini_ts->vm;
    Boot *boot = malloc(sizeof *boot);
    ThreadState *ts = boot ? threadstate_new(vm) : NULL;
    if (!ts) {
        free(boot);
        return mini_raise_memory();
    }
    boot->ts = ts;
    boot->func = mini_newref(func);
    boot->args = mini_newref(fargs);
    boot->kwargs = fkw ? mini_newref(fkw) : NULL;

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    // The C stack: what stack_size() asked for, but never less than MINI_MIN_THREAD_STACK;
    // how deep C code may recurse in the thread follows from it, so that a deep repr raises
    // RecursionError instead of overflowing a small stack.
    size_t stack = 0;
    if (vm->thread_stack_size) {
        stack = vm->thread_stack_size < MINI_MIN_THREAD_STACK ? MINI_MIN_THREAD_STACK
                                                              : vm->thread_stack_size;
        pthread_attr_setstacksize(&attr, stack);
    } else {
        pthread_attr_getstacksize(&attr, &stack);
    }
    size_t levels = stack / MINI_C_STACK_PER_LEVEL;
    ts->c_recursion_limit = levels < MINI_C_RECURSION_LIMIT ? (int)levels : MINI_C_RECURSION_LIMIT;
    // The new thread inherits the signal mask in force when it is created.
    sigset_t block, old;
    async_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t th;
    int err = pthread_create(&th, &attr, thread_bootstrap, boot);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (err != 0) {
        MINI_DECREF(boot->func);
        MINI_DECREF(boot->args);
        MINI_XDECREF(boot->kwargs);
        free(boot);
        threadstate_free(ts);
        return mini_raise_str(mini_exc_RuntimeError, "can't start new thread");
    }
    // The new thread cannot run before this thread lets the GIL go, so its ident is in place
    // before it needs it.
    ts->ident = (unsigned long)th;
    vm->nthreads++;
    return int_from_u64(ts->ident);
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

static MiniObject *thread_allocate_lock(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("allocate_lock", kwnames) ||
        !mini_check_nargs("allocate_lock", nargs, 0, 0))
        return NULL;
    return lock_new_object();
}

static MiniObject *thread_get_ident(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("get_ident", kwnames) || !mini_check_nargs("get_ident", nargs, 0, 0))
        return NULL;
    return int_from_u64(mini_ts->ident);
}

static MiniObject *thread_get_native_id(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("get_native_id", kwnames) ||
        !mini_check_nargs("get_native_id", nargs, 0, 0))
        return NULL;
    return int_from_i64((int64_t)syscall(SYS_gettid));
}

static MiniObject *thread_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("exit", kwnames) || !mini_check_nargs("exit", nargs, 0, 0))
        return NULL;
    mini_raise_object((MiniObject *)mini_exc_SystemExit);
    return NULL;
}

static MiniObject *thread_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("_count", kwnames) || !mini_check_nargs("_count", nargs, 0, 0))
        return NULL;
    return int_from_i64(mini_ts->vm->nthreads);
}

static MiniObject *thread_stack_size(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("stack_size", kwnames) || !mini_check_nargs("stack_size", nargs, 0, 1))
        return NULL;
    VM *vm = mini_ts->vm;
    size_t old = vm->thread_stack_size;
    if (nargs) {
        MiniObject *i = mini_index(args[0]);
        if (!i)
            return NULL;
        int64_t v;
        bool ok = int_as_i64(i, &v);
        MINI_DECREF(i);
        if (!ok)
            return NULL;
        if (v < 0)
            return mini_raise_str(mini_exc_ValueError, "size must be 0 or a positive value");
        if (v != 0 && v < 32768)
            return mini_raise(mini_exc_ValueError, "size not valid: %lld bytes", (long long)v);
        vm->thread_stack_size = (size_t)v;
    }
    return int_from_u64(old);
}

// The lock threading's Thread.join() waits on: locked now, released by the runtime when the
// calling thread has finished (thread_bootstrap). (CPython's is returned unlocked and its
// threading.py acquires it at once; mini's threading.py relies on this.) New reference.
static MiniObject *thread_set_sentinel(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("_set_sentinel", kwnames) ||
        !mini_check_nargs("_set_sentinel", nargs, 0, 0))
        return NULL;
    MiniObject *lock = lock_new_object();
    if (!lock)
        return NULL;
    sem_trywait(&((LockObject *)lock)->sem);
    ThreadState *ts = mini_ts;
    MINI_XDECREF(ts->sentinel);
    ts->sentinel = mini_newref(lock);
    return lock;
}

static MiniObject *thread_daemon_threads_allowed(MiniObject *self, MiniObject *const *args,
                                                 size_t nargs, MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!mini_no_kwargs("daemon_threads_allowed", kwnames) ||
        !mini_check_nargs("daemon_threads_allowed", nargs, 0, 0))
        return NULL;
    return MINI_TRUE;
}

static const MiniMethodDef thread_functions[] = {
    {"start_new_thread", thread_start_new_thread, 0,
     "Start a new thread running function(*args, **kwargs); return its identifier."},
    {"start_new", thread_start_new_thread, 0, "An obsolete synonym of start_new_thread()."},
    {"allocate_lock", thread_allocate_lock, 0, "Create a new lock object."},
    {"allocate", thread_allocate_lock, 0, "An obsolete synonym of allocate_lock()."},
    {"get_ident", thread_get_ident, 0, "Return a non-zero integer naming the current thread."},
    {"get_native_id", thread_get_native_id, 0, "Return the thread's id given by the kernel."},
    {"exit", thread_exit, 0, "Raise SystemExit, which ends the thread quietly."},
    {"exit_thread", thread_exit, 0, "An obsolete synonym of exit()."},
    {"_count", thread_count, 0, "Return how many started threads are still running."},
    {"stack_size", thread_stack_size, 0, "Return (and optionally set) new threads' stack size."},
    {"_set_sentinel", thread_set_sentinel, 0,
     "Return a lock released when the calling thread has finished."},
    {"daemon_threads_allowed", thread_daemon_threads_allowed, 0,
     "Whether daemon threads may be started (always True)."},
    {NULL, NULL, 0, NULL},
};

MiniObject *thread_init(VM *vm) {
    (void)vm;
    if (!(lock_type.flags & MINI_TPFLAG_READY) && !type_ready(&lock_type))
        return NULL;
    if (!(rlock_type.flags & MINI_TPFLAG_READY) && !type_ready(&rlock_type))
        return NULL;
    MiniObject *m = module_new_builtin("_thread", thread_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    MiniObject *tmax = float_new(TIMEOUT_MAX_SECONDS);
    if (!tmax || dict_set_cstr(d, "TIMEOUT_MAX", tmax) < 0 ||
        dict_set_cstr(d, "LockType", (MiniObject *)&lock_type) < 0 ||
        dict_set_cstr(d, "RLock", (MiniObject *)&rlock_type) < 0 ||
        dict_set_cstr(d, "error", (MiniObject *)mini_exc_RuntimeError) < 0) {
        MINI_XDECREF(tmax);
        MINI_DECREF(m);
        return NULL;
    }
    MINI_DECREF(tmax);
    return m;
}
