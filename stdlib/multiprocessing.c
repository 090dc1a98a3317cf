// multiprocessing.c - the _multiprocessing module: what the Python package multiprocessing
// (stdlib/lib/multiprocessing/) cannot do by itself. Three things:
//
//   SharedBuffer  bytes that every process forked after its creation sees: an anonymous
//                 mmap(MAP_SHARED), with typed get/set of a C value at a byte offset. Value,
//                 Array, RawValue and RawArray (sharedctypes.py) are made of it.
//   SemLock       a POSIX semaphore living in such a mapping (sem_init with pshared=1), as
//                 CPython's Modules/_multiprocessing/semaphore.c wraps one: Lock, RLock,
//                 Semaphore, BoundedSemaphore, Condition and Event (synchronize.py) are made of
//                 it. CPython names its semaphores (sem_open) so that a spawned process can open
//                 them; mini only forks, so an unnamed one in shared memory is enough.
//   wait_readable poll() on file descriptors with the GIL released: what a join(timeout)
//                 waits on (the read end of a pipe a child holds open until it exits), and what
//                 connection.wait() is made of.
//
// Memory shared between processes is not a mini object and holds none: only raw C values, so
// no process ever follows a pointer into another's heap. The SemLock object itself (owner,
// count) is per process: fork() copies it, and a process that finds a copy made by another
// process starts over with a count of 0, as CPython's SemLock._after_fork() makes the child
// do. So a child never thinks it owns a recursive lock its parent held at the fork.
//
// Blocking waits (sem_wait, sem_clockwait, poll) release the GIL; a signal that interrupts one
// (EINTR) has its handlers run at once, and the wait goes on unless a handler raised, as in
// stdlib/thread.c.
//
// The functions with the vectorcall signature (methods and module functions) return a new
// reference, or NULL with an exception pending.

#include "stdlib.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/int.h"
#include "stdlib_args.h"

// The kinds of SemLock, as in CPython's synchronize.py (RECURSIVE_MUTEX, SEMAPHORE = 0, 1).
enum { RECURSIVE_MUTEX, SEMAPHORE };

// A timeout longer than this many seconds (about 31 years) is cut to it: it is "forever"
// anyway, and a larger one could overflow the timespec of a deadline.
#define LONGEST_WAIT_SECONDS 1e9

// An anonymous shared mapping of at least [size] bytes (zero-filled). NULL with OSError.
static void *shared_map(size_t size) {
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) {
        mini_raise_errno(errno, NULL);
        return NULL;
    }
    return p;
}

// The monotonic clock [seconds] from now, for sem_clockwait.
static struct timespec deadline_after(double seconds) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double whole = floor(seconds);
    long ns = t.tv_nsec + (long)ceil((seconds - whole) * 1e9);
    t.tv_sec += (time_t)whole + ns / 1000000000;
    t.tv_nsec = ns % 1000000000;
    return t;
}

// A timeout argument (None: forever) as seconds, negative and NaN counting as 0, as CPython's
// SemLock.acquire does. *forever tells None. False with an exception pending ("must be real
// number, not str").
static bool timeout_arg(MiniObject *o, double *seconds, bool *forever) {
    *forever = !o || o == MINI_NONE;
    *seconds = 0;
    if (*forever)
        return true;
    double t = float_as_double(o);
    if (t == -1.0 && mini_error_occurred())
        return false;
    if (!(t > 0)) // negative or NaN
        t = 0;
    *seconds = t > LONGEST_WAIT_SECONDS ? LONGEST_WAIT_SECONDS : t;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Typed values in raw memory (the typecodes of the array module and of sharedctypes)
// ---------------------------------------------------------------------------------------------

typedef enum { TC_SIGNED, TC_UNSIGNED, TC_FLOAT, TC_CHAR } TypeKind;

typedef struct {
    char code;
    uint8_t size;
    uint8_t kind; // TypeKind
} TypeCode;

static const TypeCode typecodes[] = {
    {'b', sizeof(signed char), TC_SIGNED},   {'B', sizeof(unsigned char), TC_UNSIGNED},
    {'h', sizeof(short), TC_SIGNED},         {'H', sizeof(unsigned short), TC_UNSIGNED},
    {'i', sizeof(int), TC_SIGNED},           {'I', sizeof(unsigned int), TC_UNSIGNED},
    {'l', sizeof(long), TC_SIGNED},          {'L', sizeof(unsigned long), TC_UNSIGNED},
    {'q', sizeof(long long), TC_SIGNED},     {'Q', sizeof(unsigned long long), TC_UNSIGNED},
    {'f', sizeof(float), TC_FLOAT},          {'d', sizeof(double), TC_FLOAT},
    {'c', 1, TC_CHAR},
};

// The entry of a one-character typecode str, or NULL with ValueError.
static const TypeCode *typecode_arg(MiniObject *o) {
    if (str_check(o) && STR_SIZE(o) == 1) {
        for (size_t i = 0; i < sizeof typecodes / sizeof typecodes[0]; i++)
            if (typecodes[i].code == STR_DATA(o)[0])
                return &typecodes[i];
    }
    mini_raise_str(mini_exc_ValueError,
                   "bad typecode (must be b, B, h, H, i, I, l, L, q, Q, f, d or c)");
    return NULL;
}

// The low 64 bits of the integer [o] (an int or an object with __index__), two's complement:
// what ctypes stores into a C integer, which wraps silently (c_int(2**32 + 5).value == 5).
// False with TypeError "'float' object cannot be interpreted as an integer".
static bool low_bits(MiniObject *o, uint64_t *out) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    if (MINI_IS_SMALLINT(i) || MINI_IS_BOOL(i)) {
        int_as_i64(i, &v);
        *out = (uint64_t)v;
    } else {
        mpz_t z;
        mpz_init(z);
        int_get_mpz(i, z);
        mpz_fdiv_r_2exp(z, z, 64); // in [0, 2**64), whatever the sign
        _Static_assert(sizeof(unsigned long) == 8, "mpz_get_ui must return 64 bits");
        *out = (uint64_t)mpz_get_ui(z);
        mpz_clear(z);
    }
    MINI_DECREF(i);
    return true;
}

// The value of type [tc] at [p] as an object. New reference.
static MiniObject *value_get(const TypeCode *tc, const char *p) {
    switch (tc->code) {
#define GET(code, ctype, make)                                                                   \
    case code: {                                                                                 \
        ctype v;                                                                                 \
        memcpy(&v, p, sizeof v);                                                                 \
        return make;                                                                             \
    }
        GET('b', signed char, int_from_i64(v))
        GET('B', unsigned char, int_from_i64(v))
        GET('h', short, int_from_i64(v))
        GET('H', unsigned short, int_from_i64(v))
        GET('i', int, int_from_i64(v))
        GET('I', unsigned int, int_from_u64(v))
        GET('l', long, int_from_i64(v))
        GET('L', unsigned long, int_from_u64(v))
        GET('q', long long, int_from_i64(v))
        GET('Q', unsigned long long, int_from_u64(v))
        GET('f', float, float_new(v))
        GET('d', double, float_new(v))
#undef GET
    default: // 'c'
        return bytes_new(p, 1);
    }
}

// Stores [value] as a C value of type [tc] at [p], converting as ctypes does: integers wrap,
// a float too large for a C float becomes infinite, a 'c' takes a one-byte bytes or bytearray
// or an int in range(256). False with TypeError (and nothing stored).
static bool value_set(const TypeCode *tc, char *p, MiniObject *value) {
    if (tc->kind == TC_FLOAT) {
        double d = float_as_double(value);
        if (d == -1.0 && mini_error_occurred())
            return false;
        if (tc->code == 'd') {
            memcpy(p, &d, sizeof d);
        } else {
            // Converting a double beyond the range of float is undefined in C: ctypes ends up
            // with an infinity, and so does this.
            float f = d > FLT_MAX ? INFINITY : d < -FLT_MAX ? -INFINITY : (float)d;
            memcpy(p, &f, sizeof f);
        }
        return true;
    }
    if (tc->kind == TC_CHAR) {
        int byte = -1;
        if (bytes_check(value) && ((MiniBytes *)value)->size == 1) {
            byte = (unsigned char)((MiniBytes *)value)->data[0];
        } else if (bytearray_check(value) && ((MiniByteArray *)value)->size == 1) {
            byte = (unsigned char)((MiniByteArray *)value)->data[0];
        } else if (int_check(value)) {
            int64_t v;
            if (int_as_i64(value, &v) && v >= 0 && v < 256)
                byte = (int)v;
            mini_error_clear(); // a huge int is simply out of range
        }
        if (byte < 0) {
            mini_raise_str(mini_exc_TypeError,
                           "one character bytes, bytearray or integer expected");
            return false;
        }
        *p = (char)byte;
        return true;
    }
    uint64_t bits;
    if (!low_bits(value, &bits))
        return false;
    switch (tc->size) {
#define PUT(n, ctype)                                                                            \
    case n: {                                                                                    \
        ctype v = (ctype)bits;                                                                   \
        memcpy(p, &v, sizeof v);                                                                 \
        return true;                                                                             \
    }
        PUT(1, uint8_t)
        PUT(2, uint16_t)
        PUT(4, uint32_t)
#undef PUT
    default: {
        memcpy(p, &bits, sizeof bits);
        return true;
    }
    }
}

// ---------------------------------------------------------------------------------------------
// _multiprocessing.SharedBuffer
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    char *data;  // the shared mapping
    size_t size; // the bytes asked for (the mapping itself is whole pages)
} SharedBufferObject;

static MiniType shared_buffer_type;

// SharedBuffer(size): [size] zero bytes shared with every process forked from now on. New
// reference.
static MiniObject *shared_buffer_new(MiniType *type, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    static const char *const names[] = {"size", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args("SharedBuffer", args, nargs, kwnames, names, 1, a))
        return NULL;
    ssize_t size;
    if (!mini_arg_ssize(a[0], &size))
        return NULL;
    if (size < 0)
        return mini_raise_str(mini_exc_ValueError, "size must be 0 or more");
    void *data = shared_map((size_t)size);
    if (!data)
        return NULL;
    SharedBufferObject *b = (SharedBufferObject *)mini_type_alloc(type, 0);
    if (!b) {
        munmap(data, size ? (size_t)size : 1);
        return NULL;
    }
    b->data = data;
    b->size = (size_t)size;
    return (MiniObject *)b;
}

// Unmaps this process's view; the other processes keep theirs.
static void shared_buffer_dealloc(MiniObject *self) {
    SharedBufferObject *b = (SharedBufferObject *)self;
    munmap(b->data, b->size ? b->size : 1);
    mini_object_free(self);
}

static ssize_t shared_buffer_len(MiniObject *self) {
    return (ssize_t)((SharedBufferObject *)self)->size;
}

// Checks that [n] bytes at [offset] lie within the buffer. False with IndexError.
static bool check_range(SharedBufferObject *b, ssize_t offset, size_t n) {
    if (offset < 0 || (size_t)offset > b->size || n > b->size - (size_t)offset) {
        mini_raise_str(mini_exc_IndexError, "offset out of range");
        return false;
    }
    return true;
}

// get(typecode, offset): the C value of that type at that byte offset. New reference.
static MiniObject *shared_buffer_get(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!mini_no_kwargs("get", kwnames) || !mini_check_nargs("get", nargs, 2, 2))
        return NULL;
    SharedBufferObject *b = (SharedBufferObject *)self;
    const TypeCode *tc = typecode_arg(args[0]);
    ssize_t offset;
    if (!tc || !mini_arg_ssize(args[1], &offset) || !check_range(b, offset, tc->size))
        return NULL;
    return value_get(tc, b->data + offset);
}

// set(typecode, offset, value): stores value as that C type at that byte offset.
static MiniObject *shared_buffer_set(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    if (!mini_no_kwargs("set", kwnames) || !mini_check_nargs("set", nargs, 3, 3))
        return NULL;
    SharedBufferObject *b = (SharedBufferObject *)self;
    const TypeCode *tc = typecode_arg(args[0]);
    ssize_t offset;
    if (!tc || !mini_arg_ssize(args[1], &offset) || !check_range(b, offset, tc->size))
        return NULL;
    return value_set(tc, b->data + offset, args[2]) ? MINI_NONE : NULL;
}

// read(offset=0, size=-1): a bytes copy of [size] bytes at [offset] (-1: to the end). New
// reference.
static MiniObject *shared_buffer_read(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    static const char *const names[] = {"offset", "size", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args("read", args, nargs, kwnames, names, 0, a))
        return NULL;
    SharedBufferObject *b = (SharedBufferObject *)self;
    ssize_t offset = 0, size = -1;
    if ((a[0] && !mini_arg_ssize(a[0], &offset)) || (a[1] && !mini_arg_ssize(a[1], &size)))
        return NULL;
    if (size < 0 && offset >= 0 && (size_t)offset <= b->size)
        size = (ssize_t)(b->size - (size_t)offset);
    if (size < 0 || !check_range(b, offset, (size_t)size))
        return size < 0 ? mini_raise_str(mini_exc_IndexError, "offset out of range") : NULL;
    return bytes_new(b->data + offset, (size_t)size);
}

// write(offset, data): copies bytes or a bytearray into the buffer at [offset].
static MiniObject *shared_buffer_write(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    if (!mini_no_kwargs("write", kwnames) || !mini_check_nargs("write", nargs, 2, 2))
        return NULL;
    SharedBufferObject *b = (SharedBufferObject *)self;
    ssize_t offset;
    if (!mini_arg_ssize(args[0], &offset))
        return NULL;
    const char *data;
    size_t n;
    if (!bytes_buffer(args[1], &data, &n)) {
        return mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
                          mini_type_name(args[1]));
    }
    if (!check_range(b, offset, n))
        return NULL;
    memmove(b->data + offset, data, n);
    return MINI_NONE;
}

static const MiniMethodDef shared_buffer_methods[] = {
    {"get", shared_buffer_get, 0, "get(typecode, offset): the C value at a byte offset."},
    {"set", shared_buffer_set, 0, "set(typecode, offset, value): store a C value."},
    {"read", shared_buffer_read, 0, "read(offset=0, size=-1): a copy of the bytes."},
    {"write", shared_buffer_write, 0, "write(offset, data): copy bytes into the buffer."},
    {NULL, NULL, 0, NULL},
};

static MiniType shared_buffer_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "_multiprocessing.SharedBuffer",
    .basicsize = sizeof(SharedBufferObject),
    .dealloc = shared_buffer_dealloc,
    .tp_new = shared_buffer_new,
    .len = shared_buffer_len,
    .methods = shared_buffer_methods,
    .doc = "Bytes shared with the processes forked after its creation (mmap MAP_SHARED).",
};

// ---------------------------------------------------------------------------------------------
// _multiprocessing.SemLock
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    sem_t *sem; // in a shared mapping of its own, so that forked children share it
    int kind;   // RECURSIVE_MUTEX or SEMAPHORE
    int maxvalue;
    // Per process (CPython's count and last_tid): acquire()s minus release()s by this process,
    // and the thread that acquired last. [generation] is the vm->fork_generation of the process
    // they belong to: a forked child's copy is reset the first time the child uses it. (Every
    // fork moves the child's generation past its parent's, so a copy inherited from any
    // ancestor has an older one; the pid would tell the same, but getpid() is a system call
    // and acquire() must be cheap.)
    int count;
    unsigned long last_tid;
    unsigned generation;
} SemLockObject;

static MiniType semlock_type;

// The state of [self] as seen by the calling process (see [generation] above).
static SemLockObject *semlock_here(MiniObject *self) {
    SemLockObject *s = (SemLockObject *)self;
    unsigned now = mini_ts->vm->fork_generation;
    if (s->generation != now) {
        s->generation = now;
        s->count = 0;
        s->last_tid = 0;
    }
    return s;
}

// Whether the calling thread of the calling process holds the lock (CPython's ISMINE).
static bool semlock_is_mine_now(SemLockObject *s) {
    return s->count > 0 && s->last_tid == mini_ts->ident;
}

// SemLock(kind, value, maxvalue, name=None, unlink=True). [name] and [unlink] are accepted for
// CPython's signature and ignored: the semaphore has no name. New reference.
static MiniObject *semlock_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    static const char *const names[] = {"kind", "value", "maxvalue", "name", "unlink", NULL};
    MiniObject *a[5] = {NULL, NULL, NULL, NULL, NULL};
    if (!mini_parse_args("SemLock", args, nargs, kwnames, names, 3, a))
        return NULL;
    int kind, value, maxvalue;
    if (!mini_arg_int(a[0], &kind) || !mini_arg_int(a[1], &value) || !mini_arg_int(a[2], &maxvalue))
        return NULL;
    if (kind != RECURSIVE_MUTEX && kind != SEMAPHORE)
        return mini_raise_str(mini_exc_ValueError, "unrecognized kind");
    sem_t *sem = shared_map(sizeof(sem_t));
    if (!sem)
        return NULL;
    // A negative value becomes a huge unsigned one, which sem_init refuses with EINVAL, as
    // CPython's sem_open does.
    if (sem_init(sem, 1, (unsigned)value) != 0) {
        int err = errno;
        munmap(sem, sizeof(sem_t));
        return mini_raise_errno(err, NULL);
    }
    SemLockObject *s = (SemLockObject *)mini_type_alloc(type, 0);
    if (!s) {
        munmap(sem, sizeof(sem_t));
        return NULL;
    }
    s->sem = sem;
    s->kind = kind;
    s->maxvalue = maxvalue;
    s->generation = mini_ts->vm->fork_generation;
    return (MiniObject *)s;
}

// Unmaps this process's view. No sem_destroy: other processes may still use the semaphore
// (and on Linux a process-shared semaphore owns no resource beyond its memory).
static void semlock_dealloc(MiniObject *self) {
    munmap(((SemLockObject *)self)->sem, sizeof(sem_t));
    mini_object_free(self);
}

// Takes the semaphore: at once if it can, else (when [block]) waiting with the GIL released,
// forever or until [seconds] have passed. Signal handlers run when a signal interrupts the
// wait. 1 taken, 0 not taken, -1 with an exception pending.
static int semlock_take(sem_t *sem, bool block, bool forever, double seconds) {
    ThreadState *ts = mini_ts;
    for (;;) {
        if (sem_trywait(sem) == 0)
            return 1;
        if (errno != EINTR)
            break;
        if (!mini_signals_run_pending(ts))
            return -1;
    }
    if (errno != EAGAIN) {
        mini_raise_errno(errno, NULL);
        return -1;
    }
    if (!block)
        return 0;
    struct timespec deadline = deadline_after(seconds);
    for (;;) {
        int r;
        MINI_BEGIN_ALLOW_THREADS
        r = forever ? sem_wait(sem) : sem_clockwait(sem, CLOCK_MONOTONIC, &deadline);
        MINI_END_ALLOW_THREADS
        if (r == 0)
            return 1;
        if (errno == ETIMEDOUT || errno == EAGAIN)
            return 0;
        if (errno != EINTR) {
            mini_raise_errno(errno, NULL);
            return -1;
        }
        if (!mini_signals_run_pending(ts))
            return -1;
    }
}

// acquire(block=True, timeout=None): True when taken, False on timeout (or, not blocking, when
// taken by someone else). A recursive mutex its thread holds already is taken once more.
static MiniObject *semlock_acquire(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    static const char *const names[] = {"block", "timeout", NULL};
    MiniObject *a[2] = {NULL, NULL};
    // (CPython's argument parser words this one differently from mini_parse_args.)
    if (nargs > 2)
        return mini_raise(mini_exc_TypeError, "acquire() takes at most 2 arguments (%zu given)",
                          nargs);
    if (!mini_parse_args("acquire", args, nargs, kwnames, names, 0, a))
        return NULL;
    // CPython converts block as an int-accepting bool: "'str' object cannot be interpreted as
    // an integer".
    bool block = true;
    if (a[0]) {
        MiniObject *i = mini_index(a[0]);
        if (!i)
            return NULL;
        block = mini_truthy(i) > 0;
        MINI_DECREF(i);
    }
    SemLockObject *s = semlock_here(self);
    if (s->kind == RECURSIVE_MUTEX && semlock_is_mine_now(s)) {
        s->count++;
        return MINI_TRUE;
    }
    double seconds;
    bool forever;
    if (!timeout_arg(a[1], &seconds, &forever))
        return NULL;
    int r = semlock_take(s->sem, block, forever, seconds);
    if (r <= 0)
        return r < 0 ? NULL : MINI_FALSE;
    s->count++;
    s->last_tid = mini_ts->ident;
    return MINI_TRUE;
}

// release(): a recursive mutex must be held by the calling thread; a semaphore must stay at or
// below its maxvalue (the check is not atomic, as in CPython).
static MiniObject *semlock_release_impl(SemLockObject *s) {
    if (s->kind == RECURSIVE_MUTEX) {
        if (!semlock_is_mine_now(s))
            return mini_raise_str(mini_exc_AssertionError,
                                  "attempt to release recursive lock not owned by thread");
        if (s->count > 1) {
            s->count--;
            return MINI_NONE;
        }
    } else {
        int sval;
        if (sem_getvalue(s->sem, &sval) != 0)
            return mini_raise_errno(errno, NULL);
        if (sval >= s->maxvalue)
            return mini_raise_str(mini_exc_ValueError,
                                  "semaphore or lock released too many times");
    }
    if (sem_post(s->sem) != 0)
        return mini_raise_errno(errno, NULL);
    s->count--;
    return MINI_NONE;
}

static MiniObject *semlock_release(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!no_args("SemLock.release", nargs, kwnames))
        return NULL;
    return semlock_release_impl(semlock_here(self));
}

// __exit__(exc_type=None, exc_value=None, exc_tb=None): release().
static MiniObject *semlock_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("__exit__", kwnames))
        return NULL;
    if (nargs > 3)
        return mini_raise(mini_exc_TypeError, "__exit__ expected at most 3 arguments, got %zu",
                          nargs);
    return semlock_release_impl(semlock_here(self));
}

static MiniObject *semlock_count(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)args;
    if (!no_args("SemLock._count", nargs, kwnames))
        return NULL;
    return int_from_i64(semlock_here(self)->count);
}

static MiniObject *semlock_is_mine(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!no_args("SemLock._is_mine", nargs, kwnames))
        return NULL;
    return MINI_BOOL(semlock_is_mine_now(semlock_here(self)));
}

static MiniObject *semlock_get_value(MiniObject *self, MiniObject *const *args, size_t nargs,
                                     MiniObject *kwnames) {
    (void)args;
    if (!no_args("SemLock._get_value", nargs, kwnames))
        return NULL;
    int sval;
    if (sem_getvalue(((SemLockObject *)self)->sem, &sval) != 0)
        return mini_raise_errno(errno, NULL);
    // Some systems count the waiters as a negative value; CPython shows 0 then.
    return int_from_i64(sval < 0 ? 0 : sval);
}

static MiniObject *semlock_is_zero(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!no_args("SemLock._is_zero", nargs, kwnames))
        return NULL;
    int sval;
    if (sem_getvalue(((SemLockObject *)self)->sem, &sval) != 0)
        return mini_raise_errno(errno, NULL);
    return MINI_BOOL(sval == 0);
}

// CPython's child calls it after fork; mini's objects notice the fork by themselves, so this
// only resets the count as CPython's does.
static MiniObject *semlock_after_fork(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)args;
    if (!no_args("SemLock._after_fork", nargs, kwnames))
        return NULL;
    semlock_here(self)->count = 0;
    return MINI_NONE;
}

// The attributes CPython's SemLock has (handle, kind, maxvalue, name). New references.
static MiniObject *semlock_get_handle(MiniObject *self) {
    return int_from_u64((uintptr_t)((SemLockObject *)self)->sem);
}
static MiniObject *semlock_get_kind(MiniObject *self) {
    return int_from_i64(((SemLockObject *)self)->kind);
}
static MiniObject *semlock_get_maxvalue(MiniObject *self) {
    return int_from_i64(((SemLockObject *)self)->maxvalue);
}
static MiniObject *semlock_get_name(MiniObject *self) {
    (void)self;
    return MINI_NONE; // unnamed (CPython's are unnamed too once unlinked, with fork)
}

static const MiniGetSetDef semlock_getset[] = {
    {"handle", semlock_get_handle, NULL, "The address of the semaphore."},
    {"kind", semlock_get_kind, NULL, "RECURSIVE_MUTEX (0) or SEMAPHORE (1)."},
    {"maxvalue", semlock_get_maxvalue, NULL, "The value release() may not go beyond."},
    {"name", semlock_get_name, NULL, "None: the semaphore has no name."},
    {NULL, NULL, NULL, NULL},
};

static const MiniMethodDef semlock_methods[] = {
    {"acquire", semlock_acquire, 0, "acquire the semaphore/lock"},
    {"release", semlock_release, 0, "release the semaphore/lock"},
    {"__enter__", semlock_acquire, 0, "enter the semaphore/lock"},
    {"__exit__", semlock_exit, 0, "exit the semaphore/lock"},
    {"_count", semlock_count, 0, "num of `acquire()`s minus num of `release()`s for this process"},
    {"_is_mine", semlock_is_mine, 0, "whether the lock is owned by this thread"},
    {"_get_value", semlock_get_value, 0, "get the value of the semaphore"},
    {"_is_zero", semlock_is_zero, 0, "returns whether semaphore has value zero"},
    {"_after_fork", semlock_after_fork, 0, "rezero the net acquisition count after fork()"},
    {NULL, NULL, 0, NULL},
};

static MiniType semlock_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "_multiprocessing.SemLock",
    .basicsize = sizeof(SemLockObject),
    .dealloc = semlock_dealloc,
    .tp_new = semlock_new,
    .methods = semlock_methods,
    .getset = semlock_getset,
    .doc = "Semaphore/Mutex type",
};

// ---------------------------------------------------------------------------------------------
// Waiting on file descriptors
// ---------------------------------------------------------------------------------------------

// wait_readable(fds, timeout=None): waits with the GIL released until at least one of the file
// descriptors in the sequence [fds] is readable or at end of file (or in error), or [timeout]
// seconds have passed; returns the list of those that are, in the order given (empty on
// timeout). New reference.
static MiniObject *mp_wait_readable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"fds", "timeout", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!mini_parse_args("wait_readable", args, nargs, kwnames, names, 1, a))
        return NULL;
    double seconds;
    bool forever;
    if (!timeout_arg(a[1], &seconds, &forever))
        return NULL;
    MiniObject *seq = mini_sequence_tuple(a[0]);
    if (!seq)
        return NULL;
    size_t n = TUPLE_SIZE(seq);
    struct pollfd *pfds = mini_calloc(n ? n : 1, sizeof *pfds);
    if (!pfds) {
        MINI_DECREF(seq);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        int fd;
        if (!mini_arg_int(TUPLE_GET(seq, i), &fd)) {
            mini_free(pfds);
            MINI_DECREF(seq);
            return NULL;
        }
        pfds[i].fd = fd;
        pfds[i].events = POLLIN;
    }
    MINI_DECREF(seq);
    struct timespec deadline = deadline_after(seconds);
    ThreadState *ts = mini_ts;
    int r;
    for (;;) {
        int ms = -1;
        if (!forever) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double left = (double)(deadline.tv_sec - now.tv_sec) +
                          (double)(deadline.tv_nsec - now.tv_nsec) / 1e9;
            double left_ms = ceil(left * 1e3);
            ms = left_ms <= 0 ? 0 : left_ms > INT_MAX ? INT_MAX : (int)left_ms;
        }
        MINI_BEGIN_ALLOW_THREADS
        r = poll(pfds, (nfds_t)n, ms);
        MINI_END_ALLOW_THREADS
        if (r > 0 || (r == 0 && (forever || ms == 0)))
            break;
        if (r == 0)
            continue; // poll's timeout was cut to INT_MAX ms, or ended a little early
        if (errno != EINTR) {
            int err = errno;
            mini_free(pfds);
            return mini_raise_errno(err, NULL);
        }
        if (!mini_signals_run_pending(ts)) {
            mini_free(pfds);
            return NULL;
        }
    }
    MiniObject *ready = list_new(0);
    for (size_t i = 0; ready && r > 0 && i < n; i++) {
        if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
            continue;
        MiniObject *fd = int_from_i64(pfds[i].fd);
        if (list_append(ready, fd) < 0)
            MINI_CLEAR(ready);
        MINI_DECREF(fd);
    }
    mini_free(pfds);
    return ready;
}

// sizeof(typecode): the size in bytes of a C value of that typecode.
static MiniObject *mp_sizeof(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    (void)self;
    if (!one_arg("sizeof", nargs, kwnames))
        return NULL;
    const TypeCode *tc = typecode_arg(args[0]);
    return tc ? int_from_i64(tc->size) : NULL;
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

static const MiniMethodDef mp_functions[] = {
    {"wait_readable", mp_wait_readable, 0,
     "wait_readable(fds, timeout=None): the file descriptors that are ready to read."},
    {"sizeof", mp_sizeof, 0, "sizeof(typecode): the size of a C value of that typecode."},
    {NULL, NULL, 0, NULL},
};

MiniObject *multiprocessing_init(VM *vm) {
    (void)vm;
    if (!(shared_buffer_type.flags & MINI_TPFLAG_READY) && !type_ready(&shared_buffer_type))
        return NULL;
    if (!(semlock_type.flags & MINI_TPFLAG_READY)) {
        if (!type_ready(&semlock_type))
            return NULL;
        // What a process-shared semaphore can count up to, as CPython's
        // SemLock.SEM_VALUE_MAX (INT_MAX on Linux).
        MiniObject *max = int_from_i64(SEM_VALUE_MAX < INT_MAX ? SEM_VALUE_MAX : INT_MAX);
        if (!max || dict_set_cstr(semlock_type.dict, "SEM_VALUE_MAX", max) < 0)
            return NULL;
    }
    MiniObject *m = module_new_builtin("_multiprocessing", mp_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (dict_set_cstr(d, "SemLock", (MiniObject *)&semlock_type) < 0 ||
        dict_set_cstr(d, "SharedBuffer", (MiniObject *)&shared_buffer_type) < 0) {
        MINI_DECREF(m);
        return NULL;
    }
    return m;
}
