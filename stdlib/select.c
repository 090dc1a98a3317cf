// select.c - the select module: select.select() and select.poll(), waiting for several
// descriptors at once with the GIL released.
//
// Both take descriptors as ints or as objects with a fileno() method (sockets, files). The wait
// runs between MINI_BEGIN_ALLOW_THREADS and MINI_END_ALLOW_THREADS on plain C data - an fd_set
// or an array of struct pollfd made beforehand - so other threads run meanwhile. A signal that
// interrupts the wait (EINTR) runs its handler; unless the handler raised, the wait goes on
// with the time that is left (PEP 475), as in CPython.
//
// A poll object keeps its registered descriptors in a C array, in the order they were first
// registered (CPython's dict order, which is the order poll() reports them in). poll() copies
// the array before letting the GIL go, so another thread may register or unregister
// meanwhile; a second poll() on the same object while one runs is refused, as in CPython.

#include "stdlib.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static int64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// The descriptor of [o]: an int, or what its fileno() method returns (CPython's
// PyObject_AsFileDescriptor, with its messages). -1 with an exception pending.
static int as_fd(MiniObject *o) {
    MiniObject *v;
    if (int_check(o)) {
        v = mini_newref(o);
    } else {
        MiniObject *meth = mini_getattr_opt(o, mini_intern("fileno"));
        if (!meth) {
            if (!mini_error_occurred())
                mini_raise_str(mini_exc_TypeError,
                               "argument must be an int, or have a fileno() method.");
            return -1;
        }
        v = mini_call(meth, NULL, 0, NULL);
        MINI_DECREF(meth);
        if (!v)
            return -1;
        if (!int_check(v)) {
            MINI_DECREF(v);
            mini_raise_str(mini_exc_TypeError, "fileno() returned a non-integer");
            return -1;
        }
    }
    int64_t fd;
    bool ok = int_as_i64(v, &fd);
    int sign = int_sign(v);
    MINI_DECREF(v);
    if (!ok || fd > INT_MAX || fd < INT_MIN) {
        if (mini_error_occurred())
            mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, sign < 0 ? "signed integer is less than minimum"
                                                        : "signed integer is greater than maximum");
        return -1;
    }
    if (fd < 0) {
        mini_raise(mini_exc_ValueError, "file descriptor cannot be a negative integer (%d)",
                   (int)fd);
        return -1;
    }
    return (int)fd;
}

// ---------------------------------------------------------------------------------------------
// select.select
// ---------------------------------------------------------------------------------------------

// Fills [set] and [fds] with the descriptors of the objects of [list], one of select()'s three
// lists; *[maxfd] grows to the highest descriptor. False with an exception pending.
static bool list_to_fdset(MiniObject *list, fd_set *set, int *fds, int *maxfd) {
    FD_ZERO(set);
    for (size_t i = 0; i < LIST_SIZE(list); i++) {
        int fd = as_fd(LIST_GET(list, i));
        if (fd < 0)
            return false;
        if (fd >= FD_SETSIZE) {
            mini_raise_str(mini_exc_ValueError, "filedescriptor out of range in select()");
            return false;
        }
        fds[i] = fd;
        FD_SET(fd, set);
        if (fd > *maxfd)
            *maxfd = fd;
    }
    return true;
}

// The objects of [list] whose descriptor is in [set] after the wait. New list.
static MiniObject *ready_objects(MiniObject *list, const int *fds, fd_set *set) {
    MiniObject *out = list_new(0);
    for (size_t i = 0; out && i < LIST_SIZE(list); i++) {
        if (FD_ISSET(fds[i], set) && list_append(out, LIST_GET(list, i)) < 0)
            MINI_CLEAR(out);
    }
    return out;
}

static MiniObject *select_select(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("select", kwnames) || !mini_check_nargs("select", nargs, 3, 4))
        return NULL;
    int64_t timeout_ns = -1;
    if (nargs == 4 && args[3] != MINI_NONE) {
        double seconds;
        if (!time_seconds_arg(args[3], &seconds)) {
            if (mini_error_matches(mini_exc_TypeError)) {
                mini_error_clear();
                mini_raise_str(mini_exc_TypeError, "timeout must be a float or None");
            }
            return NULL;
        }
        if (seconds < 0)
            return mini_raise_str(mini_exc_ValueError, "timeout must be non-negative");
        timeout_ns = (int64_t)ceil(seconds * 1e9);
    }
    MiniObject *lists[3] = {NULL, NULL, NULL};
    int *fds[3] = {NULL, NULL, NULL};
    fd_set sets[3], ready[3];
    int maxfd = -1;
    MiniObject *result = NULL;
    for (int k = 0; k < 3; k++) {
        // A copy of the objects as a list (any iterable will do, as PySequence_Fast allows).
        lists[k] = mini_sequence_list(args[k]);
        if (!lists[k]) {
            if (mini_error_matches(mini_exc_TypeError)) {
                mini_error_clear();
                mini_raise_str(mini_exc_TypeError, "arguments 1-3 must be sequences");
            }
            goto done;
        }
        fds[k] = mini_malloc((LIST_SIZE(lists[k]) + 1) * sizeof(int));
        if (!fds[k] || !list_to_fdset(lists[k], &sets[k], fds[k], &maxfd))
            goto done;
    }
    int64_t deadline = timeout_ns >= 0 ? monotonic_ns() + timeout_ns : 0;
    ThreadState *ts = mini_ts;
    for (;;) {
        struct timeval tv, *tvp = NULL;
        if (timeout_ns >= 0) {
            int64_t left = deadline - monotonic_ns();
            if (left < 0)
                left = 0;
            // Rounded up to the microsecond: a wait never ends early.
            int64_t us = (left + 999) / 1000;
            tv.tv_sec = (time_t)(us / 1000000);
            tv.tv_usec = (suseconds_t)(us % 1000000);
            tvp = &tv;
        }
        for (int k = 0; k < 3; k++)
            ready[k] = sets[k];
        int n;
        MINI_BEGIN_ALLOW_THREADS
        n = select(maxfd + 1, &ready[0], &ready[1], &ready[2], tvp);
        MINI_END_ALLOW_THREADS
        if (n >= 0)
            break;
        if (errno != EINTR) {
            mini_raise_errno(errno, NULL);
            goto done;
        }
        if (!mini_signals_run_pending(ts))
            goto done;
    }
    MiniObject *out[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 3; k++)
        out[k] = ready_objects(lists[k], fds[k], &ready[k]);
    if (out[0] && out[1] && out[2])
        result = tuple_pack(3, out[0], out[1], out[2]);
    for (int k = 0; k < 3; k++)
        MINI_XDECREF(out[k]);
done:
    for (int k = 0; k < 3; k++) {
        MINI_XDECREF(lists[k]);
        mini_free(fds[k]);
    }
    return result;
}

// ---------------------------------------------------------------------------------------------
// select.poll
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    struct pollfd *fds; // the registered descriptors, in registration order
    size_t n, cap;
    bool running; // a poll() of this object is waiting (with the GIL released)
} PollObject;

static MiniType poll_type;

static void poll_dealloc(MiniObject *self) {
    free(((PollObject *)self)->fds);
    mini_object_free(self);
}

// The index of [fd] among the registered descriptors, or -1.
static ssize_t poll_find(PollObject *p, int fd) {
    for (size_t i = 0; i < p->n; i++)
        if (p->fds[i].fd == fd)
            return (ssize_t)i;
    return -1;
}

// An event mask argument: a C unsigned short, with CPython's messages. False with an
// exception pending.
static bool mask_arg(MiniObject *o, short *out) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    int64_t v;
    bool ok = int_as_i64(i, &v);
    int sign = int_sign(i);
    MINI_DECREF(i);
    if (ok && v < 0) {
        mini_raise_str(mini_exc_ValueError, "value must be positive");
        return false;
    }
    if (!ok && sign < 0) {
        mini_error_clear();
        mini_raise_str(mini_exc_ValueError, "value must be positive");
        return false;
    }
    if (!ok || v > USHRT_MAX) {
        if (mini_error_occurred())
            mini_error_clear();
        mini_raise_str(mini_exc_OverflowError, "Python int too large for C unsigned short");
        return false;
    }
    *out = (short)(unsigned short)v;
    return true;
}

static MiniObject *poll_register(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    PollObject *p = (PollObject *)self;
    if (!mini_no_kwargs("register", kwnames) || !mini_check_nargs("register", nargs, 1, 2))
        return NULL;
    int fd = as_fd(args[0]);
    if (fd < 0)
        return NULL;
    short mask = POLLIN | POLLPRI | POLLOUT;
    if (nargs > 1 && !mask_arg(args[1], &mask))
        return NULL;
    ssize_t i = poll_find(p, fd);
    if (i >= 0) {
        p->fds[i].events = mask;
        return MINI_NONE;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct pollfd *fds = realloc(p->fds, cap * sizeof *fds);
        if (!fds)
            return mini_raise_memory();
        p->fds = fds;
        p->cap = cap;
    }
    p->fds[p->n++] = (struct pollfd){.fd = fd, .events = mask, .revents = 0};
    return MINI_NONE;
}

static MiniObject *poll_modify(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    PollObject *p = (PollObject *)self;
    if (!mini_no_kwargs("modify", kwnames) || !mini_check_nargs("modify", nargs, 2, 2))
        return NULL;
    int fd = as_fd(args[0]);
    short mask;
    if (fd < 0 || !mask_arg(args[1], &mask))
        return NULL;
    ssize_t i = poll_find(p, fd);
    if (i < 0)
        return mini_raise_errno(ENOENT, NULL);
    p->fds[i].events = mask;
    return MINI_NONE;
}

static MiniObject *poll_unregister(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    PollObject *p = (PollObject *)self;
    if (!mini_no_kwargs("unregister", kwnames) || !mini_check_nargs("unregister", nargs, 1, 1))
        return NULL;
    int fd = as_fd(args[0]);
    if (fd < 0)
        return NULL;
    ssize_t i = poll_find(p, fd);
    if (i < 0) {
        MiniObject *key = int_from_i64(fd);
        if (key) {
            MiniObject *a = tuple_pack(1, key);
            MiniObject *exc = a ? exception_new(mini_exc_KeyError, a) : NULL;
            if (exc) {
                mini_raise_object(exc);
                MINI_DECREF(exc);
            }
            MINI_XDECREF(a);
            MINI_DECREF(key);
        }
        return NULL;
    }
    memmove(&p->fds[i], &p->fds[i + 1], (p->n - (size_t)i - 1) * sizeof *p->fds);
    p->n--;
    return MINI_NONE;
}

// poll(timeout=None): waits at most [timeout] milliseconds (None or negative: forever) and
// returns the list of (fd, events) that are ready.
static MiniObject *poll_poll(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    PollObject *p = (PollObject *)self;
    static const char *const names[] = {"timeout", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args("poll", args, nargs, kwnames, names, 0, a))
        return NULL;
    int64_t timeout_ms = -1;
    if (a[0] && a[0] != MINI_NONE) {
        double ms;
        if (float_check(a[0])) {
            ms = float_as_double(a[0]);
            if (isnan(ms))
                return mini_raise_str(mini_exc_ValueError, "Invalid value NaN (not a number)");
        } else {
            MiniObject *i = int_check(a[0]) ? mini_newref(a[0]) : NULL;
            if (!i)
                return mini_raise_str(mini_exc_TypeError, "timeout must be an integer or None");
            int64_t v;
            bool ok = int_as_i64(i, &v);
            MINI_DECREF(i);
            if (!ok)
                return NULL;
            ms = (double)v;
        }
        if (ms > (double)INT_MAX)
            return mini_raise_str(mini_exc_OverflowError, "Timeout value too large");
        timeout_ms = ms < 0 ? -1 : (int64_t)ceil(ms);
    }
    if (p->running)
        return mini_raise_str(mini_exc_RuntimeError, "concurrent poll() invocation");
    size_t n = p->n;
    struct pollfd *ufds = mini_malloc((n ? n : 1) * sizeof *ufds);
    if (!ufds)
        return NULL;
    if (n)
        memcpy(ufds, p->fds, n * sizeof *ufds);
    int64_t deadline = timeout_ms >= 0 ? monotonic_ns() + timeout_ms * 1000000 : 0;
    ThreadState *ts = mini_ts;
    int r;
    p->running = true;
    for (;;) {
        int ms = -1;
        if (timeout_ms >= 0) {
            int64_t left = deadline - monotonic_ns();
            ms = left <= 0 ? 0 : (int)((left + 999999) / 1000000);
        }
        for (size_t i = 0; i < n; i++)
            ufds[i].revents = 0;
        MINI_BEGIN_ALLOW_THREADS
        r = poll(ufds, n, ms);
        MINI_END_ALLOW_THREADS
        if (r >= 0 || errno != EINTR)
            break;
        if (!mini_signals_run_pending(ts)) {
            p->running = false;
            mini_free(ufds);
            return NULL;
        }
    }
    p->running = false;
    if (r < 0) {
        int err = errno;
        mini_free(ufds);
        return mini_raise_errno(err, NULL);
    }
    MiniObject *list = list_new(0);
    for (size_t i = 0; list && i < n; i++) {
        if (!ufds[i].revents)
            continue;
        MiniObject *fd = int_from_i64(ufds[i].fd);
        MiniObject *ev = int_from_i64((unsigned short)ufds[i].revents);
        MiniObject *item = fd && ev ? tuple_pack(2, fd, ev) : NULL;
        MINI_XDECREF(fd);
        MINI_XDECREF(ev);
        if (!item || list_append(list, item) < 0)
            MINI_CLEAR(list);
        MINI_XDECREF(item);
    }
    mini_free(ufds);
    return list;
}

static const MiniMethodDef poll_methods[] = {
    {"register", poll_register, 0, "Register a file descriptor with the polling object."},
    {"modify", poll_modify, 0, "Modify an already registered file descriptor."},
    {"unregister", poll_unregister, 0, "Remove a file descriptor being tracked by the polling "
                                       "object."},
    {"poll", poll_poll, 0, "Polls the set of registered file descriptors."},
    {NULL, NULL, 0, NULL},
};

static MiniType poll_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "select.poll",
    .basicsize = sizeof(PollObject),
    .dealloc = poll_dealloc,
    .methods = poll_methods,
};

static MiniObject *select_poll(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self, (void)args;
    if (!mini_no_kwargs("poll", kwnames) || !mini_check_nargs("poll", nargs, 0, 0))
        return NULL;
    return mini_type_alloc(&poll_type, 0);
}

static const MiniMethodDef select_functions[] = {
    {"select", select_select, 0, "Wait until one or more file descriptors are ready for some "
                                 "kind of I/O."},
    {"poll", select_poll, 0, "Returns a polling object."},
    {NULL, NULL, 0, NULL},
};

static const struct {
    const char *name;
    long value;
} select_constants[] = {
    {"POLLIN", POLLIN},         {"POLLPRI", POLLPRI},         {"POLLOUT", POLLOUT},
    {"POLLERR", POLLERR},       {"POLLHUP", POLLHUP},         {"POLLNVAL", POLLNVAL},
    {"POLLRDNORM", POLLRDNORM}, {"POLLRDBAND", POLLRDBAND},   {"POLLWRNORM", POLLWRNORM},
    {"POLLWRBAND", POLLWRBAND}, {"POLLMSG", POLLMSG},         {"POLLRDHUP", POLLRDHUP},
    {"PIPE_BUF", PIPE_BUF},     {NULL, 0},
};

MiniObject *select_init(VM *vm) {
    (void)vm;
    if (!(poll_type.flags & MINI_TPFLAG_READY) && !type_ready(&poll_type))
        return NULL;
    MiniObject *m = module_new_builtin("select", select_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    bool ok = dict_set_cstr(d, "error", (MiniObject *)mini_exc_OSError) == 0;
    for (size_t i = 0; ok && select_constants[i].name; i++) {
        MiniObject *v = int_from_i64(select_constants[i].value);
        ok = v && dict_set_cstr(d, select_constants[i].name, v) == 0;
        MINI_XDECREF(v);
    }
    if (!ok) {
        MINI_DECREF(m);
        return NULL;
    }
    return m;
}
