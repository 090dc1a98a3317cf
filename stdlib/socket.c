// socket.c - the _socket module: BSD sockets (TCP, UDP, Unix domain), name resolution and the
// byte-order helpers; lib/socket.py wraps it as CPython's Lib/socket.py wraps its _socket.
//
// A socket object owns one descriptor ([fd], -1 once closed or detached) and a timeout in
// nanoseconds: -1 blocks forever, 0 never blocks, and a positive one makes every blocking call
// wait at most that long. As in CPython, the descriptor itself is non-blocking whenever the
// timeout is not -1, and a call with a timeout first waits in poll() for the descriptor to be
// ready, with the time that is left (sock_call below is CPython's sock_call_ex).
//
// Every system call that can block - accept, connect, send*, recv*, getaddrinfo - runs with the
// GIL released (MINI_BEGIN_ALLOW_THREADS), touching no mini object meanwhile: the data it sends
// is an immutable bytes object the caller keeps alive, the data it receives goes into a C
// buffer. A call interrupted by a signal (EINTR) runs the signal handlers and is retried unless
// one raised (PEP 475).
//
// The module's mutable state (the default timeout) lives in the module's own namespace, so that
// each VM has its own; the exception classes herror and gaierror are made at import and found
// there too when a resolver error is raised.

#include "stdlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    MiniObject ob;
    int fd;             // -1 when closed or detached
    int family, type, proto;
    int64_t timeout_ns; // -1: blocking; 0: non-blocking; > 0: the timeout
} SocketObject;

static MiniType socket_type;

// ---------------------------------------------------------------------------------------------
// Module state and errors
// ---------------------------------------------------------------------------------------------

// The namespace of the _socket module of this VM. Borrowed; NULL (no exception) when the module
// has left sys.modules.
static MiniObject *module_dict(void) {
    MiniObject *m = dict_get_cstr(mini_ts->vm->modules, "_socket");
    if (!m || !MINI_IS_PTR(m) || mini_type(m) != &mini_module_type) {
        if (mini_error_occurred())
            mini_error_clear();
        return NULL;
    }
    return ((MiniModule *)m)->dict;
}

// The default timeout of new sockets in nanoseconds (-1: none), kept in the module's namespace
// as a float or None under a private name.
static int64_t default_timeout_ns(void) {
    MiniObject *d = module_dict();
    MiniObject *t = d ? dict_get_cstr(d, "_defaulttimeout") : NULL;
    if (!t || t == MINI_NONE || !float_check(t)) {
        if (mini_error_occurred())
            mini_error_clear();
        return -1;
    }
    return (int64_t)ceil(((MiniFloat *)t)->value * 1e9);
}

// Raises OSError (or its errno subclass) from errno. Always NULL.
static MiniObject *set_error(void) { return mini_raise_errno(errno, NULL); }

// Raises the module's exception class [name] (gaierror, herror) with (code, message). NULL.
static MiniObject *raise_resolver_error(const char *name, int code, const char *message) {
    MiniObject *d = module_dict();
    MiniObject *cls = d ? dict_get_cstr(d, name) : NULL;
    if (!cls) {
        if (mini_error_occurred())
            mini_error_clear();
        cls = (MiniObject *)mini_exc_OSError;
    }
    MiniObject *msg = str_from_cstr(message);
    if (!msg)
        return NULL;
    MiniObject *exc = mini_call_n(cls, 2, MINI_FROM_SMALLINT(code), msg);
    MINI_DECREF(msg);
    if (exc) {
        mini_raise_object(exc);
        MINI_DECREF(exc);
    }
    return NULL;
}

// A getaddrinfo()/getnameinfo() failure: gaierror(code, gai_strerror(code)), or OSError from
// errno for EAI_SYSTEM, as CPython's set_gaierror does. NULL.
static MiniObject *set_gaierror(int code) {
    if (code == EAI_SYSTEM)
        return set_error();
    return raise_resolver_error("gaierror", code, gai_strerror(code));
}

// TimeoutError "timed out", what socket.timeout is since Python 3.10. NULL.
static MiniObject *raise_timeout(void) {
    return mini_raise_str(mini_exc_TimeoutError, "timed out");
}

// ---------------------------------------------------------------------------------------------
// Argument helpers
// ---------------------------------------------------------------------------------------------


// A timeout in seconds (None, int or float) as nanoseconds: -1 for None, rounded up otherwise,
// as CPython's socket_parse_timeout does. False with an exception pending.
static bool timeout_arg(MiniObject *o, int64_t *out) {
    if (o == MINI_NONE) {
        *out = -1;
        return true;
    }
    double seconds;
    if (!time_seconds_arg(o, &seconds))
        return false;
    if (seconds < 0) {
        mini_raise_str(mini_exc_ValueError, "Timeout value out of range");
        return false;
    }
    *out = (int64_t)ceil(seconds * 1e9);
    return true;
}

static int64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

typedef struct {
    struct sockaddr_storage ss;
    socklen_t len;
} SockAddr;

// A socket address as Python shows it: (host, port) for AF_INET, (host, port, flowinfo,
// scope_id) for AF_INET6, the path for AF_UNIX (bytes in Linux's abstract namespace), None
// when there is none. New reference.
static MiniObject *make_sockaddr(const struct sockaddr *sa, socklen_t len) {
    if (len == 0)
        return MINI_NONE;
    char host[INET6_ADDRSTRLEN];
    switch (sa->sa_family) {
    case AF_INET: {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        MiniObject *h = str_from_cstr(host);
        if (!h)
            return NULL;
        MiniObject *r = tuple_pack(2, h, MINI_FROM_SMALLINT(ntohs(a->sin_port)));
        MINI_DECREF(h);
        return r;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        MiniObject *h = str_from_cstr(host);
        if (!h)
            return NULL;
        MiniObject *r = tuple_pack(4, h, MINI_FROM_SMALLINT(ntohs(a->sin6_port)),
                                   MINI_FROM_SMALLINT(ntohl(a->sin6_flowinfo)),
                                   MINI_FROM_SMALLINT(a->sin6_scope_id));
        MINI_DECREF(h);
        return r;
    }
    case AF_UNIX: {
        const struct sockaddr_un *a = (const struct sockaddr_un *)sa;
        size_t n = len > offsetof(struct sockaddr_un, sun_path)
                       ? len - offsetof(struct sockaddr_un, sun_path)
                       : 0;
        if (n > sizeof a->sun_path)
            n = sizeof a->sun_path;
        if (n > 0 && a->sun_path[0] == '\0')
            return bytes_new(a->sun_path, n);
        return str_decode_utf8(a->sun_path, strnlen(a->sun_path, n));
    }
    default: {
        MiniObject *data = bytes_new(sa->sa_data, sizeof sa->sa_data);
        if (!data)
            return NULL;
        MiniObject *r = tuple_pack(2, MINI_FROM_SMALLINT(sa->sa_family), data);
        MINI_DECREF(data);
        return r;
    }
    }
}

// The text of a host argument (str, bytes or bytearray) as a NUL-terminated copy the caller
// frees with free(): the resolver reads it with the GIL released, when another thread could
// change a bytearray. NULL with TypeError (or MemoryError) otherwise.
static char *host_arg(MiniObject *o) {
    const char *p;
    size_t n;
    if (str_check(o)) {
        p = STR_DATA(o);
        n = STR_SIZE(o);
    } else if (!bytes_buffer(o, &p, &n)) {
        mini_raise(mini_exc_TypeError, "str, bytes or bytearray expected, not %s",
                   mini_type_name(o));
        return NULL;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        mini_raise_memory();
        return NULL;
    }
    if (n)
        memcpy(copy, p, n);
    copy[n] = '\0';
    return copy;
}

// Resolves [name] into an address of [family] (CPython's setipaddr): '' is the wildcard
// address, '<broadcast>' the broadcast one, a numeric address is parsed as is, anything else
// asks the resolver with the GIL released. False with an exception (gaierror) pending.
static bool set_ipaddr(const char *name, struct sockaddr *sa, size_t salen, int family) {
    struct addrinfo hints, *res = NULL;
    int err;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    if (name[0] == '\0') {
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_PASSIVE;
        MINI_BEGIN_ALLOW_THREADS
        err = getaddrinfo(NULL, "0", &hints, &res);
        MINI_END_ALLOW_THREADS
        if (err) {
            set_gaierror(err);
            return false;
        }
        if (res->ai_addrlen <= salen)
            memcpy(sa, res->ai_addr, res->ai_addrlen);
        freeaddrinfo(res);
        return true;
    }
    if (family == AF_INET &&
        (strcmp(name, "<broadcast>") == 0 || strcmp(name, "255.255.255.255") == 0)) {
        ((struct sockaddr_in *)sa)->sin_family = AF_INET;
        ((struct sockaddr_in *)sa)->sin_addr.s_addr = htonl(INADDR_BROADCAST);
        return true;
    }
    if (family == AF_INET && inet_pton(AF_INET, name, &((struct sockaddr_in *)sa)->sin_addr) == 1) {
        sa->sa_family = AF_INET;
        return true;
    }
    if (family == AF_INET6 &&
        inet_pton(AF_INET6, name, &((struct sockaddr_in6 *)sa)->sin6_addr) == 1) {
        sa->sa_family = AF_INET6;
        return true;
    }
    MINI_BEGIN_ALLOW_THREADS
    err = getaddrinfo(name, NULL, &hints, &res);
    MINI_END_ALLOW_THREADS
    if (err) {
        set_gaierror(err);
        return false;
    }
    if (res->ai_addrlen <= salen)
        memcpy(sa, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
}

// An address argument of [s]'s family as a C sockaddr (CPython's getsockaddrarg); [caller]
// names the method in messages. False with an exception pending.
static bool parse_sockaddr(SocketObject *s, MiniObject *addr, SockAddr *out, const char *caller) {
    memset(out, 0, sizeof *out);
    switch (s->family) {
    case AF_UNIX: {
        const char *path;
        size_t n;
        if (str_check(addr)) {
            path = STR_DATA(addr);
            n = STR_SIZE(addr);
        } else if (!bytes_buffer(addr, &path, &n)) {
            mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
                       mini_type_name(addr));
            return false;
        }
        struct sockaddr_un *a = (struct sockaddr_un *)&out->ss;
        if (n >= sizeof a->sun_path && !(n == sizeof a->sun_path && path[0] == '\0')) {
            mini_raise_str(mini_exc_OSError, "AF_UNIX path too long");
            return false;
        }
        a->sun_family = AF_UNIX;
        if (n)
            memcpy(a->sun_path, path, n);
        // An abstract-namespace name (a leading NUL) counts its exact length; a path also
        // counts its terminating NUL, as CPython does.
        out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
                               (n > 0 && path[0] == '\0' ? 0 : 1));
        return true;
    }
    case AF_INET: {
        if (!tuple_check(addr)) {
            mini_raise(mini_exc_TypeError, "%s(): AF_INET address must be tuple, not %s", caller,
                       mini_type_name(addr));
            return false;
        }
        if (TUPLE_SIZE(addr) != 2) {
            mini_raise_str(mini_exc_TypeError, "AF_INET address must be a pair (host, port)");
            return false;
        }
        char *host = host_arg(TUPLE_GET(addr, 0));
        int port;
        if (!host || !mini_arg_int_signed(TUPLE_GET(addr, 1), &port)) {
            free(host);
            return false;
        }
        struct sockaddr_in *a = (struct sockaddr_in *)&out->ss;
        bool ok = set_ipaddr(host, (struct sockaddr *)a, sizeof *a, AF_INET);
        free(host);
        if (!ok)
            return false;
        if (port < 0 || port > 0xffff) {
            mini_raise(mini_exc_OverflowError, "%s(): port must be 0-65535.", caller);
            return false;
        }
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        out->len = sizeof *a;
        return true;
    }
    case AF_INET6: {
        if (!tuple_check(addr)) {
            mini_raise(mini_exc_TypeError, "%s(): AF_INET6 address must be tuple, not %s",
                       caller, mini_type_name(addr));
            return false;
        }
        size_t n = TUPLE_SIZE(addr);
        if (n < 2 || n > 4) {
            mini_raise_str(mini_exc_TypeError, "AF_INET6 address must be a tuple (host, port[, "
                                               "flowinfo[, scopeid]])");
            return false;
        }
        char *host = host_arg(TUPLE_GET(addr, 0));
        int port;
        int64_t flowinfo = 0, scope_id = 0;
        bool ok = host && mini_arg_int_signed(TUPLE_GET(addr, 1), &port);
        for (size_t k = 2; ok && k < n; k++) {
            MiniObject *i = mini_index(TUPLE_GET(addr, k));
            ok = i && int_as_i64(i, k == 2 ? &flowinfo : &scope_id);
            MINI_XDECREF(i);
        }
        if (!ok) {
            free(host);
            return false;
        }
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->ss;
        ok = set_ipaddr(host, (struct sockaddr *)a, sizeof *a, AF_INET6);
        free(host);
        if (!ok)
            return false;
        if (port < 0 || port > 0xffff) {
            mini_raise(mini_exc_OverflowError, "%s(): port must be 0-65535.", caller);
            return false;
        }
        if (flowinfo < 0 || flowinfo > 0xfffff) {
            mini_raise(mini_exc_OverflowError, "%s(): flowinfo must be 0-1048575.", caller);
            return false;
        }
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_flowinfo = htonl((uint32_t)flowinfo);
        a->sin6_scope_id = (uint32_t)scope_id;
        out->len = sizeof *a;
        return true;
    }
    default:
        mini_raise(mini_exc_OSError, "%s(): bad family", caller);
        return false;
    }
}

// ---------------------------------------------------------------------------------------------
// Blocking calls: CPython's sock_call_ex
// ---------------------------------------------------------------------------------------------

// What one blocking call needs and gives back. The call functions below read and write only
// this (plain C data), never a mini object, since they run with the GIL released.
typedef struct {
    int fd;
    const char *buf; // send
    char *rbuf;      // recv
    size_t len;
    int flags;
    SockAddr addr;   // sendto's destination; recvfrom's and accept's source
    ssize_t result;  // bytes moved, or accept's new descriptor
} SockIO;

// Each returns true on success and false with errno set. They block and so run between
// MINI_BEGIN_ALLOW_THREADS and MINI_END_ALLOW_THREADS.
typedef bool (*SockFunc)(SockIO *io);

static bool do_recv(SockIO *io) {
    io->result = recv(io->fd, io->rbuf, io->len, io->flags);
    return io->result >= 0;
}
static bool do_recvfrom(SockIO *io) {
    io->addr.len = sizeof io->addr.ss;
    io->result = recvfrom(io->fd, io->rbuf, io->len, io->flags, (struct sockaddr *)&io->addr.ss,
                          &io->addr.len);
    return io->result >= 0;
}
static bool do_send(SockIO *io) {
    io->result = send(io->fd, io->buf, io->len, io->flags);
    return io->result >= 0;
}
static bool do_sendto(SockIO *io) {
    io->result = sendto(io->fd, io->buf, io->len, io->flags, (struct sockaddr *)&io->addr.ss,
                        io->addr.len);
    return io->result >= 0;
}
static bool do_accept(SockIO *io) {
    io->addr.len = sizeof io->addr.ss;
    io->result = accept4(io->fd, (struct sockaddr *)&io->addr.ss, &io->addr.len, SOCK_CLOEXEC);
    return io->result >= 0;
}
// After a non-blocking connect() said EINPROGRESS and the descriptor became writable: the
// outcome is in SO_ERROR.
static bool do_connect_result(SockIO *io) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return false;
    if (err == EISCONN || err == 0)
        return true;
    errno = err;
    return false;
}

// Waits until [fd] is readable (or writable when [writing]) for at most [interval_ns], in
// poll() with the GIL released. 0: ready; 1: timed out; -1: poll failed (errno, EINTR too).
static int wait_ready(int fd, bool writing, int64_t interval_ns, bool connect) {
    struct pollfd p = {.fd = fd, .events = writing ? POLLOUT : POLLIN, .revents = 0};
    if (connect)
        p.events |= POLLERR; // a failed connect() shows as an error, not as writable
    int64_t ms = interval_ns < 0 ? -1 : (interval_ns + 999999) / 1000000;
    if (ms > INT_MAX)
        ms = INT_MAX;
    int n;
    MINI_BEGIN_ALLOW_THREADS
    n = poll(&p, 1, (int)ms);
    MINI_END_ALLOW_THREADS
    return n < 0 ? -1 : n == 0 ? 1 : 0;
}

// Runs [func] on [io] the way CPython's sock_call_ex does: with a positive [timeout_ns], waits
// for the descriptor first with the time left, and raises TimeoutError "timed out" when it runs
// out (or, when [err] is given, stores EWOULDBLOCK there instead); EINTR runs the signal
// handlers and retries; with a timeout, EAGAIN waits again. 0 on success; -1 with an exception
// pending, or with the error number in *[err] (connect_ex) and no exception.
static int sock_call(SocketObject *s, bool writing, SockFunc func, SockIO *io, bool connect,
                     int *err, int64_t timeout_ns) {
    ThreadState *ts = mini_ts;
    bool has_deadline = false;
    int64_t deadline = 0;
    if (err)
        *err = 0;
    io->fd = s->fd;
    for (;;) {
        if (timeout_ns > 0) {
            int64_t interval;
            if (has_deadline) {
                interval = deadline - monotonic_ns();
            } else {
                has_deadline = true;
                deadline = monotonic_ns() + timeout_ns;
                interval = timeout_ns;
            }
            int r = interval >= 0 ? wait_ready(io->fd, writing, interval, connect) : 1;
            if (r == -1) {
                if (errno == EINTR) {
                    if (!mini_signals_run_pending(ts))
                        return -1;
                    continue;
                }
                if (err) {
                    *err = errno;
                    return -1;
                }
                set_error();
                return -1;
            }
            if (r == 1) {
                if (err) {
                    *err = EWOULDBLOCK;
                    return -1;
                }
                raise_timeout();
                return -1;
            }
        }
        bool ok;
        for (;;) {
            MINI_BEGIN_ALLOW_THREADS
            ok = func(io);
            MINI_END_ALLOW_THREADS
            if (ok)
                return 0;
            if (errno != EINTR)
                break;
            if (!mini_signals_run_pending(ts))
                return -1;
        }
        if (s->timeout_ns > 0 && (errno == EWOULDBLOCK || errno == EAGAIN))
            continue;
        if (err) {
            *err = errno;
            return -1;
        }
        set_error();
        return -1;
    }
}

// Makes the descriptor blocking or not (CPython's internal_setblocking). False with OSError.
static bool set_blocking(SocketObject *s, bool block) {
    int flags = fcntl(s->fd, F_GETFL, 0);
    if (flags < 0 ||
        fcntl(s->fd, F_SETFL, block ? flags & ~O_NONBLOCK : flags | O_NONBLOCK) < 0) {
        set_error();
        return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// _socket.socket: creation and teardown
// ---------------------------------------------------------------------------------------------

static MiniObject *sock_new(MiniType *type, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    SocketObject *s = (SocketObject *)mini_type_alloc(type, 0);
    if (!s)
        return NULL;
    s->fd = -1;
    s->timeout_ns = -1;
    return (MiniObject *)s;
}

// Fills [s] for descriptor [fd] (CPython's init_sockobject): the stored type leaves out the
// SOCK_NONBLOCK and SOCK_CLOEXEC bits; the default timeout applies. False with OSError.
static bool init_sockobject(SocketObject *s, int fd, int family, int type, int proto) {
    s->fd = fd;
    s->family = family;
    s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    s->proto = proto;
    if (type & SOCK_NONBLOCK) {
        s->timeout_ns = 0;
        return true;
    }
    s->timeout_ns = default_timeout_ns();
    return s->timeout_ns < 0 || set_blocking(s, false);
}

// socket(family=-1, type=-1, proto=-1, fileno=None): a new socket, or an object for the open
// descriptor [fileno] whose family, type and protocol are asked from the system when left -1.
static int sock_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                     MiniObject *kwnames) {
    static const char *const names[] = {"family", "type", "proto", "fileno", NULL};
    MiniObject *a[4] = {NULL, NULL, NULL, NULL};
    if (!mini_parse_args("socket", args, nargs, kwnames, names, 0, a))
        return -1;
    int family = -1, type = -1, proto = -1;
    if ((a[0] && !mini_arg_int(a[0], &family)) || (a[1] && !mini_arg_int(a[1], &type)) ||
        (a[2] && !mini_arg_int(a[2], &proto)))
        return -1;
    SocketObject *s = (SocketObject *)self;
    int fd;
    if (a[3] && a[3] != MINI_NONE) {
        if (!mini_arg_int_signed(a[3], &fd))
            return -1;
        if (fd < 0) {
            mini_raise_str(mini_exc_ValueError, "negative file descriptor");
            return -1;
        }
        // The descriptor must be an open socket, whatever the family given.
        struct sockaddr_storage ss;
        socklen_t slen = sizeof ss;
        memset(&ss, 0, sizeof ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &slen) == 0) {
            if (family == -1)
                family = ss.ss_family;
        } else if (errno == EBADF || errno == ENOTSOCK) {
            set_error();
            return -1;
        }
        socklen_t len = sizeof(int);
        if (type == -1 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
            set_error();
            return -1;
        }
        len = sizeof(int);
        if (proto == -1 && getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) < 0) {
            set_error();
            return -1;
        }
    } else {
        if (family == -1)
            family = AF_INET;
        if (type == -1)
            type = SOCK_STREAM;
        if (proto == -1)
            proto = 0;
        fd = socket(family, type | SOCK_CLOEXEC, proto);
        if (fd < 0) {
            set_error();
            return -1;
        }
    }
    if (s->fd >= 0)
        close(s->fd); // __init__ called again: the old descriptor is not reachable any more
    if (!init_sockobject(s, fd, family, type, proto)) {
        close(fd);
        s->fd = -1;
        return -1;
    }
    return 0;
}

// Sockets are closed when they die, at the latest when the VM is torn down at exit.
static void sock_dealloc(MiniObject *self) {
    SocketObject *s = (SocketObject *)self;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    mini_object_free(self);
}

// A new socket object of the base type for descriptor [fd] (accept, socketpair). New reference;
// closes [fd] on failure.
static MiniObject *sock_from_fd(int fd, int family, int type, int proto) {
    SocketObject *s = (SocketObject *)sock_new(&socket_type, NULL, 0, NULL);
    if (!s) {
        close(fd);
        return NULL;
    }
    if (!init_sockobject(s, fd, family, type, proto)) {
        MINI_DECREF(s);
        return NULL;
    }
    return (MiniObject *)s;
}

static MiniObject *sock_repr(MiniObject *self) {
    SocketObject *s = (SocketObject *)self;
    return str_from_format("<socket object, fd=%d, family=%d, type=%d, proto=%d>", s->fd,
                           s->family, s->type, s->proto);
}

// ---------------------------------------------------------------------------------------------
// _socket.socket: methods
// ---------------------------------------------------------------------------------------------

#define SELF ((SocketObject *)self)

static bool no_args(const char *fname, size_t nargs, MiniObject *kwnames) {
    return mini_no_kwargs(fname, kwnames) && mini_check_nargs(fname, nargs, 0, 0);
}

// PyArg_ParseTuple's arity messages: "recv() takes at least 1 argument (0 given)".
static bool nargs_between(const char *fname, size_t nargs, MiniObject *kwnames, size_t min,
                          size_t max) {
    if (!mini_no_kwargs(fname, kwnames))
        return false;
    if (nargs < min || nargs > max) {
        size_t n = nargs < min ? min : max;
        mini_raise(mini_exc_TypeError, "%s() takes %s %zu argument%s (%zu given)", fname,
                   min == max ? "exactly" : nargs < min ? "at least" : "at most", n,
                   n == 1 ? "" : "s", nargs);
        return false;
    }
    return true;
}

static MiniObject *sock_accept(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!no_args("_accept", nargs, kwnames))
        return NULL;
    SockIO io = {0};
    if (sock_call(SELF, false, do_accept, &io, false, NULL, SELF->timeout_ns) < 0)
        return NULL;
    int fd = (int)io.result;
    MiniObject *addr = make_sockaddr((struct sockaddr *)&io.addr.ss, io.addr.len);
    if (!addr) {
        close(fd);
        return NULL;
    }
    MiniObject *fdo = int_from_i64(fd);
    MiniObject *r = tuple_pack(2, fdo, addr);
    MINI_DECREF(fdo);
    MINI_DECREF(addr);
    if (!r)
        close(fd);
    return r;
}

static MiniObject *sock_bind(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    if (!mini_no_kwargs("bind", kwnames) || !mini_check_nargs("bind", nargs, 1, 1))
        return NULL;
    SockAddr a;
    if (!parse_sockaddr(SELF, args[0], &a, "bind"))
        return NULL;
    if (bind(SELF->fd, (struct sockaddr *)&a.ss, a.len) < 0)
        return set_error();
    return MINI_NONE;
}

static MiniObject *sock_close(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)args;
    if (!no_args("close", nargs, kwnames))
        return NULL;
    int fd = SELF->fd;
    if (fd >= 0) {
        SELF->fd = -1;
        int r;
        MINI_BEGIN_ALLOW_THREADS
        r = close(fd);
        MINI_END_ALLOW_THREADS
        // ECONNRESET only says the peer went first; EINTR must not be retried (the descriptor
        // is gone), as in CPython.
        if (r < 0 && errno != ECONNRESET && errno != EINTR)
            return set_error();
    }
    return MINI_NONE;
}

static MiniObject *sock_detach(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!no_args("detach", nargs, kwnames))
        return NULL;
    int fd = SELF->fd;
    SELF->fd = -1;
    return int_from_i64(fd);
}

static MiniObject *sock_fileno(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)args;
    if (!no_args("fileno", nargs, kwnames))
        return NULL;
    return int_from_i64(SELF->fd);
}

// connect() and connect_ex() (CPython's internal_connect): a connect interrupted by a signal
// or started on a non-blocking socket with a timeout goes on in the background, and its outcome
// is waited for. With [raise], 0 or -1 with an exception; without, the error number (0 for
// success) or -1 with an exception (a signal handler raised).
static int internal_connect(SocketObject *s, const SockAddr *a, bool raise) {
    int fd = s->fd, r;
    MINI_BEGIN_ALLOW_THREADS
    r = connect(fd, (const struct sockaddr *)&a->ss, a->len);
    MINI_END_ALLOW_THREADS
    if (r == 0)
        return 0;
    int err = errno;
    bool wait_connect;
    if (err == EINTR) {
        if (!mini_signals_run_pending(mini_ts))
            return -1;
        wait_connect = s->timeout_ns != 0;
    } else {
        wait_connect = s->timeout_ns > 0 && err == EINPROGRESS;
    }
    if (!wait_connect) {
        if (raise) {
            errno = err;
            set_error();
            return -1;
        }
        return err;
    }
    SockIO io = {0};
    if (raise)
        return sock_call(s, true, do_connect_result, &io, true, NULL, s->timeout_ns);
    int e = 0;
    if (sock_call(s, true, do_connect_result, &io, true, &e, s->timeout_ns) < 0 &&
        mini_error_occurred())
        return -1;
    return e;
}

static MiniObject *sock_connect(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!mini_no_kwargs("connect", kwnames) || !mini_check_nargs("connect", nargs, 1, 1))
        return NULL;
    SockAddr a;
    if (!parse_sockaddr(SELF, args[0], &a, "connect"))
        return NULL;
    return internal_connect(SELF, &a, true) < 0 ? NULL : MINI_NONE;
}

static MiniObject *sock_connect_ex(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    if (!mini_no_kwargs("connect_ex", kwnames) || !mini_check_nargs("connect_ex", nargs, 1, 1))
        return NULL;
    SockAddr a;
    if (!parse_sockaddr(SELF, args[0], &a, "connect_ex"))
        return NULL;
    int r = internal_connect(SELF, &a, false);
    return r < 0 ? NULL : int_from_i64(r);
}

// getsockname() and getpeername(): the address that [get] (the system call of the same name)
// reports for the socket, as Python objects.
static MiniObject *sock_address(MiniObject *self, const char *name, size_t nargs,
                                MiniObject *kwnames,
                                int (*get)(int, struct sockaddr *, socklen_t *)) {
    if (!no_args(name, nargs, kwnames))
        return NULL;
    SockAddr a;
    memset(&a, 0, sizeof a);
    a.len = sizeof a.ss;
    if (get(SELF->fd, (struct sockaddr *)&a.ss, &a.len) < 0)
        return set_error();
    return make_sockaddr((struct sockaddr *)&a.ss, a.len);
}

static MiniObject *sock_getsockname(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    return sock_address(self, "getsockname", nargs, kwnames, getsockname);
}

static MiniObject *sock_getpeername(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    return sock_address(self, "getpeername", nargs, kwnames, getpeername);
}

// getsockopt(level, option[, buflen]): an int, or with buflen the raw option as bytes.
static MiniObject *sock_getsockopt(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    int level, opt, buflen = 0;
    if (!nargs_between("getsockopt", nargs, kwnames, 2, 3) ||
        !mini_arg_int_signed(args[0], &level) || !mini_arg_int_signed(args[1], &opt) ||
        (nargs > 2 && !mini_arg_int_signed(args[2], &buflen)))
        return NULL;
    if (buflen == 0) {
        int v = 0;
        socklen_t len = sizeof v;
        if (getsockopt(SELF->fd, level, opt, &v, &len) < 0)
            return set_error();
        return int_from_i64(v);
    }
    if (buflen <= 0 || buflen > 1024)
        return mini_raise_str(mini_exc_OSError, "getsockopt buflen out of range");
    char buf[1024];
    socklen_t len = (socklen_t)buflen;
    memset(buf, 0, sizeof buf);
    if (getsockopt(SELF->fd, level, opt, buf, &len) < 0)
        return set_error();
    return bytes_new(buf, len);
}

// setsockopt(level, option, value: int | bytes) or setsockopt(level, option, None, optlen).
static MiniObject *sock_setsockopt(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    int level, opt;
    if (!nargs_between("setsockopt", nargs, kwnames, 3, 4) ||
        !mini_arg_int_signed(args[0], &level) || !mini_arg_int_signed(args[1], &opt))
        return NULL;
    int r;
    if (nargs == 4) {
        int optlen;
        if (args[2] != MINI_NONE) {
            return mini_raise(mini_exc_TypeError, "setsockopt() argument 3 must be NoneType, "
                                                  "not %s", mini_type_name(args[2]));
        }
        if (!mini_arg_int_signed(args[3], &optlen))
            return NULL;
        r = setsockopt(SELF->fd, level, opt, NULL, (socklen_t)optlen);
    } else if (int_check(args[2])) {
        int v;
        if (!mini_arg_int_signed(args[2], &v))
            return NULL;
        r = setsockopt(SELF->fd, level, opt, &v, sizeof v);
    } else {
        MiniObject *data = bytes_stable(args[2]);
        if (!data)
            return NULL;
        r = setsockopt(SELF->fd, level, opt, ((MiniBytes *)data)->data,
                       (socklen_t)((MiniBytes *)data)->size);
        MINI_DECREF(data);
    }
    return r < 0 ? set_error() : MINI_NONE;
}

static MiniObject *sock_listen(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    int backlog = SOMAXCONN < 128 ? SOMAXCONN : 128;
    if (!nargs_between("listen", nargs, kwnames, 0, 1) ||
        (nargs && !mini_arg_int_signed(args[0], &backlog)))
        return NULL;
    // A negative backlog means 0, as in CPython.
    if (listen(SELF->fd, backlog < 0 ? 0 : backlog) < 0)
        return set_error();
    return MINI_NONE;
}

// Receives at most [len] bytes into a fresh C buffer. New bytes, or NULL.
static MiniObject *recv_bytes(SocketObject *s, size_t len, int flags, SockAddr *from) {
    char *buf = mini_malloc(len ? len : 1);
    if (!buf)
        return NULL;
    SockIO io = {0};
    io.rbuf = buf;
    io.len = len;
    io.flags = flags;
    if (sock_call(s, false, from ? do_recvfrom : do_recv, &io, false, NULL, s->timeout_ns) < 0) {
        mini_free(buf);
        return NULL;
    }
    if (from)
        *from = io.addr;
    MiniObject *r = bytes_new(buf, (size_t)io.result);
    mini_free(buf);
    return r;
}

static MiniObject *sock_recv(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    ssize_t n;
    int flags = 0;
    if (!nargs_between("recv", nargs, kwnames, 1, 2) || !mini_arg_ssize(args[0], &n) ||
        (nargs > 1 && !mini_arg_int_signed(args[1], &flags)))
        return NULL;
    if (n < 0)
        return mini_raise_str(mini_exc_ValueError, "negative buffersize in recv");
    return recv_bytes(SELF, (size_t)n, flags, NULL);
}

static MiniObject *sock_recvfrom(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    ssize_t n;
    int flags = 0;
    if (!nargs_between("recvfrom", nargs, kwnames, 1, 2) || !mini_arg_ssize(args[0], &n) ||
        (nargs > 1 && !mini_arg_int_signed(args[1], &flags)))
        return NULL;
    if (n < 0)
        return mini_raise_str(mini_exc_ValueError, "negative buffersize in recvfrom");
    SockAddr from;
    MiniObject *data = recv_bytes(SELF, (size_t)n, flags, &from);
    if (!data)
        return NULL;
    MiniObject *addr = make_sockaddr((struct sockaddr *)&from.ss, from.len);
    if (!addr) {
        MINI_DECREF(data);
        return NULL;
    }
    MiniObject *r = tuple_pack(2, data, addr);
    MINI_DECREF(data);
    MINI_DECREF(addr);
    return r;
}

// recv_into(buffer, nbytes=0, flags=0) and recvfrom_into: the data arrives in a C buffer with
// the GIL released and is copied into the bytearray afterwards, since another thread could
// resize the bytearray meanwhile.
static MiniObject *recv_into_impl(const char *fname, SocketObject *s, MiniObject *const *args,
                                  size_t nargs, MiniObject *kwnames, bool from) {
    static const char *const names[] = {"buffer", "nbytes", "flags", NULL};
    MiniObject *a[3] = {NULL, NULL, NULL};
    if (!mini_parse_args(fname, args, nargs, kwnames, names, 1, a))
        return NULL;
    if (!bytearray_check(a[0]))
        return mini_raise(mini_exc_TypeError, "%s() argument 1 must be read-write bytes-like "
                                              "object, not %s", fname, mini_type_name(a[0]));
    ssize_t n = 0;
    int flags = 0;
    if ((a[1] && !mini_arg_ssize(a[1], &n)) || (a[2] && !mini_arg_int_signed(a[2], &flags)))
        return NULL;
    MiniByteArray *ba = (MiniByteArray *)a[0];
    if (n < 0)
        return mini_raise(mini_exc_ValueError, "negative buffersize in %s", fname);
    if (n == 0)
        n = (ssize_t)ba->size;
    else if ((size_t)n > ba->size)
        return mini_raise_str(mini_exc_ValueError, "buffer too small for requested bytes");
    SockAddr addr;
    MiniObject *data = recv_bytes(s, (size_t)n, flags, from ? &addr : NULL);
    if (!data)
        return NULL;
    size_t got = ((MiniBytes *)data)->size;
    if (got > ba->size)
        got = ba->size; // the bytearray shrank while the GIL was released
    if (got)
        memcpy(ba->data, ((MiniBytes *)data)->data, got);
    MINI_DECREF(data);
    MiniObject *count = int_from_i64((int64_t)got);
    if (!from)
        return count;
    MiniObject *ao = make_sockaddr((struct sockaddr *)&addr.ss, addr.len);
    if (!ao) {
        MINI_DECREF(count);
        return NULL;
    }
    MiniObject *r = tuple_pack(2, count, ao);
    MINI_DECREF(count);
    MINI_DECREF(ao);
    return r;
}

static MiniObject *sock_recv_into(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    return recv_into_impl("recv_into", SELF, args, nargs, kwnames, false);
}

static MiniObject *sock_recvfrom_into(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    return recv_into_impl("recvfrom_into", SELF, args, nargs, kwnames, true);
}

static MiniObject *sock_send(MiniObject *self, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames) {
    int flags = 0;
    if (!nargs_between("send", nargs, kwnames, 1, 2) ||
        (nargs > 1 && !mini_arg_int_signed(args[1], &flags)))
        return NULL;
    MiniObject *data = bytes_stable(args[0]);
    if (!data)
        return NULL;
    SockIO io = {0};
    io.buf = ((MiniBytes *)data)->data;
    io.len = ((MiniBytes *)data)->size;
    io.flags = flags;
    int r = sock_call(SELF, true, do_send, &io, false, NULL, SELF->timeout_ns);
    MINI_DECREF(data);
    return r < 0 ? NULL : int_from_i64(io.result);
}

// sendall(data[, flags]): sends until everything is gone; with a timeout the whole call gets
// that long. Signal handlers run between two partial sends, as in CPython.
static MiniObject *sock_sendall(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    int flags = 0;
    if (!nargs_between("sendall", nargs, kwnames, 1, 2) ||
        (nargs > 1 && !mini_arg_int_signed(args[1], &flags)))
        return NULL;
    MiniObject *data = bytes_stable(args[0]);
    if (!data)
        return NULL;
    const char *p = ((MiniBytes *)data)->data;
    size_t left = ((MiniBytes *)data)->size;
    int64_t timeout = SELF->timeout_ns, deadline = 0;
    if (timeout > 0)
        deadline = monotonic_ns() + timeout;
    MiniObject *result = MINI_NONE;
    do {
        int64_t interval = timeout;
        if (timeout > 0) {
            interval = deadline - monotonic_ns();
            if (interval <= 0) {
                result = raise_timeout();
                break;
            }
        }
        SockIO io = {0};
        io.buf = p;
        io.len = left;
        io.flags = flags;
        if (sock_call(SELF, true, do_send, &io, false, NULL, interval) < 0) {
            result = NULL;
            break;
        }
        p += io.result;
        left -= (size_t)io.result;
        if (!mini_signals_run_pending(mini_ts)) {
            result = NULL;
            break;
        }
    } while (left > 0);
    MINI_DECREF(data);
    return result;
}

// sendto(data[, flags], address).
static MiniObject *sock_sendto(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (!mini_no_kwargs("sendto", kwnames))
        return NULL;
    if (nargs < 2 || nargs > 3)
        return mini_raise(mini_exc_TypeError, "sendto() takes 2 or 3 arguments (%zu given)",
                          nargs);
    int flags = 0;
    if (nargs == 3 && !mini_arg_int_signed(args[1], &flags))
        return NULL;
    MiniObject *data = bytes_stable(args[0]);
    if (!data)
        return NULL;
    SockIO io = {0};
    if (!parse_sockaddr(SELF, args[nargs - 1], &io.addr, "sendto")) {
        MINI_DECREF(data);
        return NULL;
    }
    io.buf = ((MiniBytes *)data)->data;
    io.len = ((MiniBytes *)data)->size;
    io.flags = flags;
    int r = sock_call(SELF, true, do_sendto, &io, false, NULL, SELF->timeout_ns);
    MINI_DECREF(data);
    return r < 0 ? NULL : int_from_i64(io.result);
}

static MiniObject *sock_shutdown(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    int how;
    if (!mini_no_kwargs("shutdown", kwnames) || !mini_check_nargs("shutdown", nargs, 1, 1) ||
        !mini_arg_int_signed(args[0], &how))
        return NULL;
    if (shutdown(SELF->fd, how) < 0)
        return set_error();
    return MINI_NONE;
}

static MiniObject *sock_setblocking(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    if (!mini_no_kwargs("setblocking", kwnames) || !mini_check_nargs("setblocking", nargs, 1, 1))
        return NULL;
    int block = mini_truthy(args[0]);
    if (block < 0)
        return NULL;
    SELF->timeout_ns = block ? -1 : 0;
    return set_blocking(SELF, block) ? MINI_NONE : NULL;
}

static MiniObject *sock_getblocking(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)args;
    if (!no_args("getblocking", nargs, kwnames))
        return NULL;
    return MINI_BOOL(SELF->timeout_ns != 0);
}

static MiniObject *sock_settimeout(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    int64_t t;
    if (!mini_no_kwargs("settimeout", kwnames) || !mini_check_nargs("settimeout", nargs, 1, 1) ||
        !timeout_arg(args[0], &t))
        return NULL;
    SELF->timeout_ns = t;
    return set_blocking(SELF, t < 0) ? MINI_NONE : NULL;
}

// A timeout in nanoseconds as Python shows it: None for -1, else seconds as a float. New
// reference.
static MiniObject *timeout_object(int64_t ns) {
    return ns < 0 ? MINI_NONE : float_new(ns / 1e9);
}

static MiniObject *sock_gettimeout(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)args;
    if (!no_args("gettimeout", nargs, kwnames))
        return NULL;
    return timeout_object(SELF->timeout_ns);
}

static MiniObject *get_family(MiniObject *self) { return int_from_i64(SELF->family); }
static MiniObject *get_type(MiniObject *self) { return int_from_i64(SELF->type); }
static MiniObject *get_proto(MiniObject *self) { return int_from_i64(SELF->proto); }
static MiniObject *get_timeout(MiniObject *self) { return timeout_object(SELF->timeout_ns); }

static const MiniGetSetDef sock_getset[] = {
    {"family", get_family, NULL, "the socket family"},
    {"type", get_type, NULL, "the socket type"},
    {"proto", get_proto, NULL, "the socket protocol"},
    {"timeout", get_timeout, NULL, "the socket timeout"},
    {NULL, NULL, NULL, NULL},
};

static const MiniMethodDef sock_methods[] = {
    {"_accept", sock_accept, 0, "_accept() -> (integer, address info)"},
    {"bind", sock_bind, 0, "bind(address)\n\nBind the socket to a local address."},
    {"close", sock_close, 0, "close()\n\nClose the socket."},
    {"connect", sock_connect, 0, "connect(address)\n\nConnect the socket to a remote address."},
    {"connect_ex", sock_connect_ex, 0, "connect_ex(address) -> errno"},
    {"detach", sock_detach, 0, "detach()\n\nClose the socket object without closing the "
                               "underlying file descriptor."},
    {"fileno", sock_fileno, 0, "fileno() -> integer\n\nReturn the integer file descriptor."},
    {"getpeername", sock_getpeername, 0, "getpeername() -> address info"},
    {"getsockname", sock_getsockname, 0, "getsockname() -> address info"},
    {"getsockopt", sock_getsockopt, 0, "getsockopt(level, option[, buffersize]) -> value"},
    {"setsockopt", sock_setsockopt, 0, "setsockopt(level, option, value: int)"},
    {"listen", sock_listen, 0, "listen([backlog])"},
    {"recv", sock_recv, 0, "recv(buffersize[, flags]) -> data"},
    {"recv_into", sock_recv_into, 0, "recv_into(buffer, [nbytes[, flags]]) -> nbytes_read"},
    {"recvfrom", sock_recvfrom, 0, "recvfrom(buffersize[, flags]) -> (data, address info)"},
    {"recvfrom_into", sock_recvfrom_into, 0, "recvfrom_into(buffer[, nbytes[, flags]]) -> "
                                             "(nbytes, address info)"},
    {"send", sock_send, 0, "send(data[, flags]) -> count"},
    {"sendall", sock_sendall, 0, "sendall(data[, flags])"},
    {"sendto", sock_sendto, 0, "sendto(data[, flags], address) -> count"},
    {"shutdown", sock_shutdown, 0, "shutdown(flag)"},
    {"setblocking", sock_setblocking, 0, "setblocking(flag)"},
    {"getblocking", sock_getblocking, 0, "getblocking()"},
    {"settimeout", sock_settimeout, 0, "settimeout(timeout)"},
    {"gettimeout", sock_gettimeout, 0, "gettimeout() -> timeout"},
    {NULL, NULL, 0, NULL},
};

static MiniType socket_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "_socket.socket",
    .basicsize = sizeof(SocketObject),
    .flags = MINI_TPFLAG_BASETYPE,
    .dealloc = sock_dealloc,
    .tp_new = sock_new,
    .tp_init = sock_init,
    .repr = sock_repr,
    .methods = sock_methods,
    .getset = sock_getset,
    .doc = "socket(family=AF_INET, type=SOCK_STREAM, proto=0) -> socket object",
};

// ---------------------------------------------------------------------------------------------
// Module functions
// ---------------------------------------------------------------------------------------------

static MiniObject *m_socketpair(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    int family = AF_UNIX, type = SOCK_STREAM, proto = 0;
    if (!nargs_between("socketpair", nargs, kwnames, 0, 3) ||
        (nargs > 0 && !mini_arg_int_signed(args[0], &family)) ||
        (nargs > 1 && !mini_arg_int_signed(args[1], &type)) ||
        (nargs > 2 && !mini_arg_int_signed(args[2], &proto)))
        return NULL;
    int fds[2];
    if (socketpair(family, type | SOCK_CLOEXEC, proto, fds) < 0)
        return set_error();
    MiniObject *a = sock_from_fd(fds[0], family, type, proto);
    if (!a) {
        close(fds[1]);
        return NULL;
    }
    MiniObject *b = sock_from_fd(fds[1], family, type, proto);
    if (!b) {
        MINI_DECREF(a);
        return NULL;
    }
    MiniObject *r = tuple_pack(2, a, b);
    MINI_DECREF(a);
    MINI_DECREF(b);
    return r;
}

static MiniObject *m_dup(MiniObject *self, MiniObject *const *args, size_t nargs,
                         MiniObject *kwnames) {
    (void)self;
    int fd;
    if (!mini_no_kwargs("dup", kwnames) || !mini_check_nargs("dup", nargs, 1, 1) ||
        !mini_arg_int_signed(args[0], &fd))
        return NULL;
    int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return r < 0 ? set_error() : int_from_i64(r);
}

static MiniObject *m_close(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    int fd;
    if (!mini_no_kwargs("close", kwnames) || !mini_check_nargs("close", nargs, 1, 1) ||
        !mini_arg_int_signed(args[0], &fd))
        return NULL;
    if (close(fd) < 0 && errno != ECONNRESET && errno != EINTR)
        return set_error();
    return MINI_NONE;
}

static MiniObject *m_gethostname(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("gethostname", nargs, kwnames))
        return NULL;
    char buf[1024];
    if (gethostname(buf, sizeof buf - 1) < 0)
        return set_error();
    buf[sizeof buf - 1] = '\0';
    return str_from_cstr(buf);
}

// A host name argument of gethostbyname() and friends: a str, as CPython's "et" format asks.
static const char *name_arg(const char *fname, MiniObject *o) {
    if (str_check(o))
        return STR_DATA(o);
    if (bytes_check(o))
        return ((MiniBytes *)o)->data;
    mini_raise(mini_exc_TypeError, "%s() argument 1 must be str, bytes or bytearray, not %s",
               fname, mini_type_name(o));
    return NULL;
}

static MiniObject *m_gethostbyname(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("gethostbyname", kwnames) ||
        !mini_check_nargs("gethostbyname", nargs, 1, 1))
        return NULL;
    const char *name = name_arg("gethostbyname", args[0]);
    if (!name)
        return NULL;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    if (!set_ipaddr(name, (struct sockaddr *)&a, sizeof a, AF_INET))
        return NULL;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
    return str_from_cstr(buf);
}

// getaddrinfo(host, port, family=0, type=0, proto=0, flags=0): a list of (family, type,
// proto, canonname, sockaddr), the lookup done with the GIL released.
static MiniObject *m_getaddrinfo(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"host", "port", "family", "type", "proto", "flags", NULL};
    MiniObject *a[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    if (!mini_parse_args("getaddrinfo", args, nargs, kwnames, names, 2, a))
        return NULL;
    int family = 0, type = 0, proto = 0, flags = 0;
    if ((a[2] && !mini_arg_int_signed(a[2], &family)) ||
        (a[3] && !mini_arg_int_signed(a[3], &type)) ||
        (a[4] && !mini_arg_int_signed(a[4], &proto)) ||
        (a[5] && !mini_arg_int_signed(a[5], &flags)))
        return NULL;
    const char *host = NULL;
    if (a[0] == MINI_NONE)
        host = NULL;
    else if (str_check(a[0]))
        host = STR_DATA(a[0]);
    else if (bytes_check(a[0]))
        host = ((MiniBytes *)a[0])->data;
    else
        return mini_raise_str(mini_exc_TypeError, "getaddrinfo() argument 1 must be string or "
                                                  "None");
    char portbuf[32];
    const char *port = NULL;
    if (int_check(a[1])) {
        int64_t v;
        if (!int_as_i64(a[1], &v))
            return NULL;
        snprintf(portbuf, sizeof portbuf, "%lld", (long long)v);
        port = portbuf;
    } else if (str_check(a[1])) {
        port = STR_DATA(a[1]);
    } else if (bytes_check(a[1])) {
        port = ((MiniBytes *)a[1])->data;
    } else if (a[1] != MINI_NONE) {
        return mini_raise_str(mini_exc_OSError, "Int or String expected");
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_protocol = proto;
    hints.ai_flags = flags;
    int err;
    MINI_BEGIN_ALLOW_THREADS
    err = getaddrinfo(host, port, &hints, &res);
    MINI_END_ALLOW_THREADS
    if (err)
        return set_gaierror(err);
    MiniObject *list = list_new(0);
    for (struct addrinfo *r = res; list && r; r = r->ai_next) {
        MiniObject *addr = make_sockaddr(r->ai_addr, r->ai_addrlen);
        MiniObject *canon = str_from_cstr(r->ai_canonname ? r->ai_canonname : "");
        MiniObject *item = NULL;
        if (addr && canon)
            item = tuple_pack(5, MINI_FROM_SMALLINT(r->ai_family),
                              MINI_FROM_SMALLINT(r->ai_socktype),
                              MINI_FROM_SMALLINT(r->ai_protocol), canon, addr);
        MINI_XDECREF(addr);
        MINI_XDECREF(canon);
        if (!item || list_append(list, item) < 0)
            MINI_CLEAR(list);
        MINI_XDECREF(item);
    }
    freeaddrinfo(res);
    return list;
}

static MiniObject *m_inet_aton(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("inet_aton", kwnames) || !mini_check_nargs("inet_aton", nargs, 1, 1))
        return NULL;
    if (!str_check(args[0]))
        return mini_raise(mini_exc_TypeError, "inet_aton() argument 1 must be str, not %s",
                          mini_type_name(args[0]));
    struct in_addr a;
    if (inet_aton(STR_DATA(args[0]), &a) == 0)
        return mini_raise_str(mini_exc_OSError, "illegal IP address string passed to inet_aton");
    return bytes_new((const char *)&a, sizeof a);
}

static MiniObject *m_inet_ntoa(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("inet_ntoa", kwnames) || !mini_check_nargs("inet_ntoa", nargs, 1, 1))
        return NULL;
    MiniObject *data = bytes_stable(args[0]);
    if (!data)
        return NULL;
    if (((MiniBytes *)data)->size != 4) {
        MINI_DECREF(data);
        return mini_raise_str(mini_exc_OSError, "packed IP wrong length for inet_ntoa");
    }
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, ((MiniBytes *)data)->data, buf, sizeof buf);
    MINI_DECREF(data);
    return str_from_cstr(buf);
}

static MiniObject *m_inet_pton(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    int family;
    if (!nargs_between("inet_pton", nargs, kwnames, 2, 2) || !mini_arg_int_signed(args[0], &family))
        return NULL;
    if (!str_check(args[1]))
        return mini_raise(mini_exc_TypeError, "inet_pton() argument 2 must be str, not %s",
                          mini_type_name(args[1]));
    unsigned char buf[sizeof(struct in6_addr)];
    int r = inet_pton(family, STR_DATA(args[1]), buf);
    if (r < 0)
        return set_error();
    if (r == 0)
        return mini_raise_str(mini_exc_OSError, "illegal IP address string passed to inet_pton");
    return bytes_new((const char *)buf, family == AF_INET ? 4 : 16);
}

static MiniObject *m_inet_ntop(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    int family;
    if (!nargs_between("inet_ntop", nargs, kwnames, 2, 2) || !mini_arg_int_signed(args[0], &family))
        return NULL;
    MiniObject *data = bytes_stable(args[1]);
    if (!data)
        return NULL;
    size_t n = ((MiniBytes *)data)->size;
    char buf[INET6_ADDRSTRLEN];
    MiniObject *r;
    if (family == AF_INET && n != 4)
        r = mini_raise_str(mini_exc_ValueError, "invalid length of packed IP address string");
    else if (family == AF_INET6 && n != 16)
        r = mini_raise_str(mini_exc_ValueError, "invalid length of packed IP address string");
    else if (family != AF_INET && family != AF_INET6)
        r = mini_raise(mini_exc_ValueError, "unknown address family %d", family);
    else
        r = inet_ntop(family, ((MiniBytes *)data)->data, buf, sizeof buf) ? str_from_cstr(buf)
                                                                          : set_error();
    MINI_DECREF(data);
    return r;
}

// The byte-order helpers, with CPython's range checks and messages.
static bool u16_arg(const char *fname, MiniObject *const *args, size_t nargs,
                    MiniObject *kwnames, uint16_t *out) {
    // First a C int ("i"), then the 16-bit range, each with its own message, as in CPython.
    int v;
    if (!mini_no_kwargs(fname, kwnames) || !mini_check_nargs(fname, nargs, 1, 1) ||
        !mini_arg_int_signed(args[0], &v))
        return false;
    if (v < 0 || v > 0xffff) {
        mini_raise(mini_exc_OverflowError,
                   v < 0 ? "%s: can't convert negative Python int to C 16-bit unsigned integer"
                         : "%s: Python int too large to convert to C 16-bit unsigned integer",
                   fname);
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

static bool u32_arg(const char *fname, MiniObject *const *args, size_t nargs,
                    MiniObject *kwnames, uint32_t *out) {
    if (!mini_no_kwargs(fname, kwnames) || !mini_check_nargs(fname, nargs, 1, 1))
        return false;
    if (!int_check(args[0])) {
        mini_raise(mini_exc_TypeError, "expected int, %s found", mini_type_name(args[0]));
        return false;
    }
    // CPython reads a C unsigned long first, then checks the 32 bits.
    int sign = int_sign(args[0]);
    int64_t v;
    bool ok = int_as_i64(args[0], &v);
    if (!ok || v < 0 || v > 0xffffffffLL) {
        if (mini_error_occurred())
            mini_error_clear();
        bool fits_u64 = ok;
        if (!ok && sign > 0) {
            MiniObject *max = int_from_u64(UINT64_MAX);
            if (!max)
                return false;
            int le = mini_richcompare_bool(args[0], max, CMP_LE);
            MINI_DECREF(max);
            if (le < 0)
                return false;
            fits_u64 = le;
        }
        mini_raise_str(mini_exc_OverflowError,
                       sign < 0   ? "can't convert negative value to unsigned int"
                       : fits_u64 ? "int larger than 32 bits"
                                  : "Python int too large to convert to C unsigned long");
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static MiniObject *m_htons(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    uint16_t v;
    return u16_arg("htons", args, nargs, kwnames, &v) ? int_from_i64(htons(v)) : NULL;
}
static MiniObject *m_ntohs(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    uint16_t v;
    return u16_arg("ntohs", args, nargs, kwnames, &v) ? int_from_i64(ntohs(v)) : NULL;
}
static MiniObject *m_htonl(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    uint32_t v;
    return u32_arg("htonl", args, nargs, kwnames, &v) ? int_from_i64(htonl(v)) : NULL;
}
static MiniObject *m_ntohl(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)self;
    uint32_t v;
    return u32_arg("ntohl", args, nargs, kwnames, &v) ? int_from_i64(ntohl(v)) : NULL;
}

static MiniObject *m_getdefaulttimeout(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("getdefaulttimeout", nargs, kwnames))
        return NULL;
    return timeout_object(default_timeout_ns());
}

static MiniObject *m_setdefaulttimeout(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    int64_t t;
    if (!mini_no_kwargs("setdefaulttimeout", kwnames) ||
        !mini_check_nargs("setdefaulttimeout", nargs, 1, 1) || !timeout_arg(args[0], &t))
        return NULL;
    MiniObject *d = module_dict();
    if (!d)
        return MINI_NONE;
    MiniObject *v = t < 0 ? MINI_NONE : float_new(t / 1e9);
    if (!v)
        return NULL;
    int r = dict_set_cstr(d, "_defaulttimeout", v);
    MINI_DECREF(v);
    return r < 0 ? NULL : MINI_NONE;
}

static const MiniMethodDef socket_functions[] = {
    {"socketpair", m_socketpair, 0, "socketpair([family[, type [, proto]]]) -> (socket object, "
                                    "socket object)"},
    {"dup", m_dup, 0, "dup(integer) -> integer\n\nDuplicate an integer socket file descriptor."},
    {"close", m_close, 0, "close(integer) -> None\n\nClose an integer socket file descriptor."},
    {"gethostname", m_gethostname, 0, "gethostname() -> string"},
    {"gethostbyname", m_gethostbyname, 0, "gethostbyname(host) -> address"},
    {"getaddrinfo", m_getaddrinfo, 0, "getaddrinfo(host, port [, family, type, proto, flags])\n"
                                      "    -> list of (family, type, proto, canonname, "
                                      "sockaddr)"},
    {"inet_aton", m_inet_aton, 0, "Convert an IP address in string format (123.45.67.89) to "
                                  "the 32-bit packed binary format used in low-level network "
                                  "functions."},
    {"inet_ntoa", m_inet_ntoa, 0, "Convert an IP address from 32-bit packed binary format to "
                                  "string format."},
    {"inet_pton", m_inet_pton, 0, "inet_pton(af, ip) -> packed IP address string"},
    {"inet_ntop", m_inet_ntop, 0, "inet_ntop(af, packed_ip) -> string formatted IP address"},
    {"htons", m_htons, 0, "Convert a 16-bit unsigned integer from host to network byte order."},
    {"ntohs", m_ntohs, 0, "Convert a 16-bit unsigned integer from network to host byte order."},
    {"htonl", m_htonl, 0, "htonl(integer) -> integer"},
    {"ntohl", m_ntohl, 0, "ntohl(integer) -> integer"},
    {"getdefaulttimeout", m_getdefaulttimeout, 0, "getdefaulttimeout() -> timeout"},
    {"setdefaulttimeout", m_setdefaulttimeout, 0, "setdefaulttimeout(timeout)"},
    {NULL, NULL, 0, NULL},
};

typedef struct {
    const char *name;
    long value;
} IntConstant;

static const IntConstant socket_constants[] = {
    {"AF_UNSPEC", AF_UNSPEC},       {"AF_INET", AF_INET},
    {"AF_INET6", AF_INET6},         {"AF_UNIX", AF_UNIX},
    {"SOCK_STREAM", SOCK_STREAM},   {"SOCK_DGRAM", SOCK_DGRAM},
    {"SOCK_RAW", SOCK_RAW},         {"SOCK_SEQPACKET", SOCK_SEQPACKET},
    {"SOCK_RDM", SOCK_RDM},         {"SOCK_NONBLOCK", SOCK_NONBLOCK},
    {"SOCK_CLOEXEC", SOCK_CLOEXEC}, {"SOL_SOCKET", SOL_SOCKET},
    {"SO_DEBUG", SO_DEBUG},         {"SO_ACCEPTCONN", SO_ACCEPTCONN},
    {"SO_REUSEADDR", SO_REUSEADDR}, {"SO_KEEPALIVE", SO_KEEPALIVE},
    {"SO_DONTROUTE", SO_DONTROUTE}, {"SO_BROADCAST", SO_BROADCAST},
    {"SO_LINGER", SO_LINGER},       {"SO_OOBINLINE", SO_OOBINLINE},
#ifdef SO_REUSEPORT
    {"SO_REUSEPORT", SO_REUSEPORT},
#endif
    {"SO_SNDBUF", SO_SNDBUF},       {"SO_RCVBUF", SO_RCVBUF},
    {"SO_SNDLOWAT", SO_SNDLOWAT},   {"SO_RCVLOWAT", SO_RCVLOWAT},
    {"SO_SNDTIMEO", SO_SNDTIMEO},   {"SO_RCVTIMEO", SO_RCVTIMEO},
    {"SO_ERROR", SO_ERROR},         {"SO_TYPE", SO_TYPE},
    {"SO_DOMAIN", SO_DOMAIN},       {"SO_PROTOCOL", SO_PROTOCOL},
    {"SOMAXCONN", SOMAXCONN},       {"MSG_OOB", MSG_OOB},
    {"MSG_PEEK", MSG_PEEK},         {"MSG_DONTROUTE", MSG_DONTROUTE},
    {"MSG_DONTWAIT", MSG_DONTWAIT}, {"MSG_EOR", MSG_EOR},
    {"MSG_TRUNC", MSG_TRUNC},       {"MSG_CTRUNC", MSG_CTRUNC},
    {"MSG_WAITALL", MSG_WAITALL},   {"MSG_NOSIGNAL", MSG_NOSIGNAL},
    {"SHUT_RD", SHUT_RD},           {"SHUT_WR", SHUT_WR},
    {"SHUT_RDWR", SHUT_RDWR},       {"IPPROTO_IP", IPPROTO_IP},
    {"IPPROTO_TCP", IPPROTO_TCP},   {"IPPROTO_UDP", IPPROTO_UDP},
    {"IPPROTO_IPV6", IPPROTO_IPV6}, {"IPPROTO_ICMP", IPPROTO_ICMP},
    {"IPPROTO_RAW", IPPROTO_RAW},   {"IPV6_V6ONLY", IPV6_V6ONLY},
    {"IP_TOS", IP_TOS},             {"IP_TTL", IP_TTL},
    {"IP_MULTICAST_TTL", IP_MULTICAST_TTL},
    {"IP_MULTICAST_LOOP", IP_MULTICAST_LOOP},
    {"TCP_NODELAY", TCP_NODELAY},   {"TCP_MAXSEG", TCP_MAXSEG},
    {"TCP_KEEPIDLE", TCP_KEEPIDLE}, {"TCP_KEEPINTVL", TCP_KEEPINTVL},
    {"TCP_KEEPCNT", TCP_KEEPCNT},   {"INADDR_ANY", INADDR_ANY},
    {"INADDR_BROADCAST", (long)INADDR_BROADCAST},
    {"INADDR_LOOPBACK", INADDR_LOOPBACK},
    {"INADDR_NONE", (long)INADDR_NONE},
    {"AI_PASSIVE", AI_PASSIVE},     {"AI_CANONNAME", AI_CANONNAME},
    {"AI_NUMERICHOST", AI_NUMERICHOST},
    {"AI_NUMERICSERV", AI_NUMERICSERV},
    {"AI_V4MAPPED", AI_V4MAPPED},   {"AI_ALL", AI_ALL},
    {"AI_ADDRCONFIG", AI_ADDRCONFIG},
    {"NI_NUMERICHOST", NI_NUMERICHOST},
    {"NI_NUMERICSERV", NI_NUMERICSERV},
    {"NI_NOFQDN", NI_NOFQDN},       {"NI_NAMEREQD", NI_NAMEREQD},
    {"NI_DGRAM", NI_DGRAM},         {"NI_MAXHOST", NI_MAXHOST},
    {"NI_MAXSERV", NI_MAXSERV},     {"EAI_ADDRFAMILY", EAI_ADDRFAMILY},
    {"EAI_AGAIN", EAI_AGAIN},       {"EAI_BADFLAGS", EAI_BADFLAGS},
    {"EAI_FAIL", EAI_FAIL},         {"EAI_FAMILY", EAI_FAMILY},
    {"EAI_MEMORY", EAI_MEMORY},     {"EAI_NODATA", EAI_NODATA},
    {"EAI_NONAME", EAI_NONAME},     {"EAI_OVERFLOW", EAI_OVERFLOW},
    {"EAI_SERVICE", EAI_SERVICE},   {"EAI_SOCKTYPE", EAI_SOCKTYPE},
    {"EAI_SYSTEM", EAI_SYSTEM},     {NULL, 0},
};

// Stores [value] (a new reference, consumed; NULL means making it failed) as d[key].
static int put(MiniObject *d, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    int r = dict_set_cstr(d, key, value);
    MINI_DECREF(value);
    return r;
}

// A subclass of OSError made as `class name(OSError)` in module "socket" would be. New
// reference.
static MiniObject *make_error_class(const char *name) {
    MiniObject *n = str_from_cstr(name);
    MiniObject *bases = tuple_pack(1, (MiniObject *)mini_exc_OSError);
    MiniObject *ns = dict_new();
    MiniObject *mod = str_from_cstr("socket");
    MiniObject *cls = NULL;
    if (n && bases && ns && mod && dict_set_cstr(ns, "__module__", mod) == 0)
        cls = mini_call_n((MiniObject *)&mini_type_type, 3, n, bases, ns);
    MINI_XDECREF(n);
    MINI_XDECREF(bases);
    MINI_XDECREF(ns);
    MINI_XDECREF(mod);
    return cls;
}

MiniObject *socket_init(VM *vm) {
    (void)vm;
    if (!(socket_type.flags & MINI_TPFLAG_READY) && !type_ready(&socket_type))
        return NULL;
    MiniObject *m = module_new_builtin("_socket", socket_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    bool ok = put(d, "socket", mini_newref((MiniObject *)&socket_type)) == 0 &&
              put(d, "SocketType", mini_newref((MiniObject *)&socket_type)) == 0 &&
              put(d, "error", mini_newref((MiniObject *)mini_exc_OSError)) == 0 &&
              put(d, "timeout", mini_newref((MiniObject *)mini_exc_TimeoutError)) == 0 &&
              put(d, "herror", make_error_class("herror")) == 0 &&
              put(d, "gaierror", make_error_class("gaierror")) == 0 &&
              put(d, "has_ipv6", MINI_TRUE) == 0 && put(d, "_defaulttimeout", MINI_NONE) == 0;
    for (const IntConstant *c = socket_constants; ok && c->name; c++)
        ok = put(d, c->name, int_from_i64(c->value)) == 0;
    if (!ok) {
        MINI_DECREF(m);
        return NULL;
    }
    return m;
}
