// signal.c - signals: the C-level handler, running the mini handlers at check points, and the
// _signal module (stdlib/lib/signal.py wraps it as `signal`, the way CPython's signal.py wraps
// its _signal).
//
// How a signal reaches mini code
// ------------------------------
// A signal can arrive between any two machine instructions, while the interpreter is in the
// middle of changing any object, so the C handler (signal_c_handler) touches no mini object
// and calls nothing that is not async-signal-safe. It sets bit n-1 of vm->signals_tripped for
// signal n and BREAK_SIGNALS in the main thread's eval breaker, with atomic read-modify-writes,
// and that is all. The eval loop looks at the breaker at its check points (backward jumps,
// function entry, after native calls) and calls mini_signals_run_pending(), which takes the
// tripped bits and calls the handler signal.signal() installed, with (signum, frame) - frame
// is None in mini. As in CPython, only the main thread runs handlers: other threads leave the
// bit alone (it is only ever set in the main thread's word), and the lead's thread bootstrap
// blocks the asynchronous signals in threads it starts, so the kernel delivers them to the
// main thread.
//
// A blocking call (sleep, read, waitpid, a lock wait) would otherwise hide a signal until it
// returns. The handler is installed without SA_RESTART, so the call fails with EINTR; each
// blocking call then runs mini_signals_run_pending() itself (with the GIL held) and either
// passes the handler's exception up or retries, as PEP 475 has CPython do. That is how Ctrl-C
// interrupts time.sleep(), input() and os.waitpid().
//
// Start-up and Ctrl-C
// -------------------
// mini_signals_init (called by vm_new for the main interpreter) records the disposition of
// every signal, and when SIGINT has its default action it installs the C handler with
// default_int_handler, which raises KeyboardInterrupt, exactly as CPython does: a program
// started with SIGINT ignored (nohup, a background job) keeps it ignored. An uncaught
// KeyboardInterrupt ends the program with a traceback, then vm/main.c restores SIGINT's
// default action and sends it to the process itself, so a shell sees 130 (vm/api.c records
// the reason). mini_signals_fini gives back the default action of every signal that had a
// mini handler when the VM goes away.
//
// SIG_DFL and SIG_IGN are the ints 0 and 1 (CPython's are members of an IntEnum, Handlers,
// that compare equal to those ints); the signal numbers are plain ints too: mini has no enum
// module yet, so signal.Signals and signal.Handlers are missing.
//
// The _signal functions have the vectorcall signature and return a new reference, or NULL with
// an exception pending.

#include "stdlib.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "stdlib_args.h"

_Static_assert(NSIG <= MINI_NSIG, "vm.h's MINI_NSIG must cover the platform's signals");
_Static_assert(MINI_NSIG - 1 <= 64, "signals_tripped has one bit per signal");

// What getsignal() returns for a signal left at its default action or ignored.
#define HANDLER_DFL MINI_FROM_SMALLINT(0)
#define HANDLER_IGN MINI_FROM_SMALLINT(1)

// ---------------------------------------------------------------------------------------------
// The C level
// ---------------------------------------------------------------------------------------------

// The handler the kernel calls. Async-signal-safe: two atomic ORs, and errno is kept for the
// code it interrupted. The VM is found through the interrupted thread's state, which is the
// main thread's (other threads of mini block the asynchronous signals); a signal that lands on
// a thread that does not run mini (mini_ts NULL) cannot be attributed to a VM and is dropped.
static void signal_c_handler(int sig) {
    int saved_errno = errno;
    ThreadState *ts = mini_ts;
    if (ts && sig > 0 && sig < MINI_NSIG) {
        VM *vm = ts->vm;
        __atomic_fetch_or(&vm->signals_tripped, (uint64_t)1 << (sig - 1), __ATOMIC_SEQ_CST);
        ThreadState *main = __atomic_load_n(&vm->main_thread, __ATOMIC_SEQ_CST);
        if (main)
            __atomic_fetch_or(&main->eval_breaker, BREAK_SIGNALS, __ATOMIC_SEQ_CST);
    }
    errno = saved_errno;
}

// Sets the action of [sig] to [func] (the C handler, SIG_DFL or SIG_IGN), as CPython's
// PyOS_setsig does: no SA_RESTART, so that a blocking system call fails with EINTR and mini
// gets to run the handler. 0, or -1 with errno set.
static int set_action(int sig, void (*func)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = func;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK;
    return sigaction(sig, &sa, NULL);
}

// What getsignal() reports for the current action of [sig]: SIG_DFL, SIG_IGN, or NULL (None)
// for a handler that mini did not install.
static MiniObject *current_handler(int sig) {
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0)
        return NULL;
    if (old.sa_handler == SIG_DFL)
        return HANDLER_DFL;
    if (old.sa_handler == SIG_IGN)
        return HANDLER_IGN;
    return NULL;
}

bool mini_signals_run_pending(ThreadState *ts) {
    VM *vm = ts->vm;
    if (ts != vm->main_thread)
        return true;
    __atomic_fetch_and(&ts->eval_breaker, ~BREAK_SIGNALS, __ATOMIC_SEQ_CST);
    uint64_t tripped = __atomic_load_n(&vm->signals_tripped, __ATOMIC_SEQ_CST);
    for (int sig = 1; tripped && sig < MINI_NSIG; sig++) {
        uint64_t bit = (uint64_t)1 << (sig - 1);
        if (!(tripped & bit))
            continue;
        tripped &= ~bit;
        // Each bit is taken on its own, just before its handler runs: a signal that arrives
        // while a handler runs is recorded again and runs after it.
        __atomic_fetch_and(&vm->signals_tripped, ~bit, __ATOMIC_SEQ_CST);
        MiniObject *func = vm->signal_handlers[sig];
        if (!func || func == HANDLER_DFL || func == HANDLER_IGN || !mini_callable(func))
            continue; // the handler changed after the signal came: nothing to run
        MINI_INCREF(func); // the handler may replace itself while it runs
        MiniObject *args[2] = {MINI_FROM_SMALLINT(sig), MINI_NONE};
        MiniObject *r = mini_call(func, args, 2, NULL);
        MINI_DECREF(func);
        if (!r) {
            // Signals still tripped run at the next check point.
            if (__atomic_load_n(&vm->signals_tripped, __ATOMIC_SEQ_CST))
                __atomic_fetch_or(&ts->eval_breaker, BREAK_SIGNALS, __ATOMIC_SEQ_CST);
            return false;
        }
        MINI_DECREF(r);
    }
    return true;
}

// Parses a signal number and checks that it names a signal. False with an exception.
static bool signum_arg(MiniObject *o, int *sig) {
    if (!mini_arg_int(o, sig))
        return false;
    if (*sig < 1 || *sig >= NSIG) {
        mini_raise_str(mini_exc_ValueError, "signal number out of range");
        return false;
    }
    return true;
}

// default_int_handler(signalnum, frame, /): raises KeyboardInterrupt.
static MiniObject *signal_default_int_handler(MiniObject *self, MiniObject *const *args,
                                              size_t nargs, MiniObject *kwnames) {
    (void)self;
    int sig;
    if (!mini_no_kwargs("default_int_handler", kwnames) ||
        !mini_check_nargs("default_int_handler", nargs, 2, 2) || !mini_arg_int(args[0], &sig))
        return NULL;
    return mini_raise_object((MiniObject *)mini_exc_KeyboardInterrupt);
}

static const MiniMethodDef default_int_handler_def = {
    "default_int_handler", signal_default_int_handler, 0,
    "The default handler for SIGINT installed by Python.\n\n"
    "It raises KeyboardInterrupt."};

void mini_signals_init(VM *vm) {
    for (int sig = 1; sig < NSIG; sig++)
        vm->signal_handlers[sig] = current_handler(sig);
    MiniObject *name = mini_intern("_signal");
    vm->signal_default_int_handler =
        name ? builtin_function_new(&default_int_handler_def, NULL, name) : NULL;
    if (!vm->signal_default_int_handler) {
        // Without the handler object Ctrl-C keeps its default action (the process ends); the
        // interpreter itself still works.
        mini_error_clear();
        return;
    }
    // As CPython: only a SIGINT that has its default action becomes KeyboardInterrupt; one
    // that the parent ignored stays ignored.
    if (vm->signal_handlers[SIGINT] == HANDLER_DFL && set_action(SIGINT, signal_c_handler) == 0)
        vm->signal_handlers[SIGINT] = mini_newref(vm->signal_default_int_handler);
}

void mini_signals_fini(VM *vm) {
    for (int sig = 1; sig < NSIG; sig++) {
        MiniObject *func = vm->signal_handlers[sig];
        vm->signal_handlers[sig] = NULL;
        if (func && func != HANDLER_DFL && func != HANDLER_IGN)
            set_action(sig, SIG_DFL);
        MINI_XDECREF(func);
    }
    __atomic_store_n(&vm->signals_tripped, 0, __ATOMIC_SEQ_CST);
    MINI_CLEAR(vm->signal_default_int_handler);
    MINI_CLEAR(vm->signal_itimer_error);
}

// ---------------------------------------------------------------------------------------------
// The _signal module
// ---------------------------------------------------------------------------------------------

// signal(signalnum, handler, /): sets the handler, returns the previous one.
static MiniObject *signal_signal(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    ThreadState *ts = mini_ts;
    VM *vm = ts->vm;
    if (!mini_no_kwargs("signal", kwnames) || !mini_check_nargs("signal", nargs, 2, 2))
        return NULL;
    int sig;
    if (!mini_arg_int(args[0], &sig))
        return NULL;
    // Handlers run in the main thread only, so only the main thread may change them.
    if (ts != vm->main_thread)
        return mini_raise_str(mini_exc_ValueError,
                              "signal only works in main thread of the main interpreter");
    if (sig < 1 || sig >= NSIG)
        return mini_raise_str(mini_exc_ValueError, "signal number out of range");
    MiniObject *handler = args[1];
    void (*func)(int);
    // SIG_DFL and SIG_IGN are recognised by value, but only as exact ints (True is not 1 here,
    // as in CPython, which compares with PyLong_CheckExact first).
    if (mini_callable(handler))
        func = signal_c_handler;
    else if (int_check_exact(handler) && handler == HANDLER_IGN)
        func = SIG_IGN;
    else if (int_check_exact(handler) && handler == HANDLER_DFL)
        func = SIG_DFL;
    else
        return mini_raise_str(mini_exc_TypeError, "signal handler must be signal.SIG_IGN, "
                                                  "signal.SIG_DFL, or a callable object");
    // Signals that came before the change run with the handler they came under.
    if (!mini_signals_run_pending(ts))
        return NULL;
    if (set_action(sig, func) != 0)
        return mini_raise_errno(errno, NULL);
    MiniObject *old = vm->signal_handlers[sig];
    vm->signal_handlers[sig] = mini_newref(handler);
    return old ? old : MINI_NONE;
}

// getsignal(signalnum, /)
static MiniObject *signal_getsignal(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    int sig;
    if (!one_arg("_signal.getsignal", nargs, kwnames) || !signum_arg(args[0], &sig))
        return NULL;
    MiniObject *h = mini_ts->vm->signal_handlers[sig];
    return mini_newref(h ? h : MINI_NONE);
}

// raise_signal(signalnum, /): sends the signal to the running thread (of the main thread, see
// below) and runs its handler before returning.
static MiniObject *signal_raise_signal(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    int sig;
    if (!one_arg("_signal.raise_signal", nargs, kwnames) || !mini_arg_int(args[0], &sig))
        return NULL;
    ThreadState *ts = mini_ts;
    ThreadState *main = ts->vm->main_thread;
    int err;
    if (ts == main || !main) {
        err = raise(sig) == 0 ? 0 : errno;
    } else {
        // Other threads of mini block the asynchronous signals, so a signal raised in one
        // would wait there for ever: it goes to the main thread, which would run the handler
        // anyway, and whose mask lets it in.
        err = pthread_kill((pthread_t)main->ident, sig);
    }
    if (err)
        return mini_raise_errno(err, NULL);
    if (!mini_signals_run_pending(ts))
        return NULL;
    return MINI_NONE;
}

// strsignal(signalnum, /): the system's description, or None.
static MiniObject *signal_strsignal(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    int sig;
    if (!one_arg("_signal.strsignal", nargs, kwnames) || !signum_arg(args[0], &sig))
        return NULL;
    errno = 0;
    const char *s = strsignal(sig);
    if (errno || !s || strstr(s, "Unknown signal"))
        return MINI_NONE;
    return str_decode_utf8(s, strlen(s));
}

// alarm(seconds, /): schedules SIGALRM; returns the seconds left of the previous alarm.
static MiniObject *signal_alarm(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    int secs;
    if (!one_arg("_signal.alarm", nargs, kwnames) || !mini_arg_int(args[0], &secs))
        return NULL;
    // A negative count becomes a huge unsigned one, as in CPython.
    return int_from_i64(alarm((unsigned)secs));
}

// pause(): waits for a signal, with the GIL released, then runs its handler.
static MiniObject *signal_pause(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("_signal.pause", nargs, kwnames))
        return NULL;
    MINI_BEGIN_ALLOW_THREADS
    pause();
    MINI_END_ALLOW_THREADS
    if (!mini_signals_run_pending(mini_ts))
        return NULL;
    return MINI_NONE;
}

// siginterrupt(signalnum, flag, /): whether the signal interrupts system calls (flag true: they
// fail with EINTR, mini's default) or restarts them.
static MiniObject *signal_siginterrupt(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    int sig, flag;
    if (!mini_no_kwargs("siginterrupt", kwnames) ||
        !mini_check_nargs("siginterrupt", nargs, 2, 2) || !signum_arg(args[0], &sig) ||
        !mini_arg_int(args[1], &flag))
        return NULL;
    struct sigaction act;
    if (sigaction(sig, NULL, &act) != 0)
        return mini_raise_errno(errno, NULL);
    if (flag)
        act.sa_flags &= ~SA_RESTART;
    else
        act.sa_flags |= SA_RESTART;
    if (sigaction(sig, &act, NULL) != 0)
        return mini_raise_errno(errno, NULL);
    return MINI_NONE;
}

// valid_signals(): the set of signal numbers this platform has.
static MiniObject *signal_valid_signals(MiniObject *self, MiniObject *const *args, size_t nargs,
                                        MiniObject *kwnames) {
    (void)self, (void)args;
    if (!no_args("_signal.valid_signals", nargs, kwnames))
        return NULL;
    sigset_t all;
    sigfillset(&all);
    MiniObject *set = set_new(NULL);
    if (!set)
        return NULL;
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&all, sig) == 1 && set_add(set, MINI_FROM_SMALLINT(sig)) < 0) {
            MINI_DECREF(set);
            return NULL;
        }
    return set;
}

// signal.ItimerError (CPython's class is named itimer_error): made with the module, reused
// for the VM's life. Borrowed type, or NULL with an exception.
static MiniType *itimer_error(void) {
    VM *vm = mini_ts->vm;
    if (!vm->signal_itimer_error) {
        MiniObject *name = mini_intern("itimer_error");
        MiniObject *bases = tuple_pack(1, (MiniObject *)mini_exc_OSError);
        MiniObject *ns = dict_new();
        MiniObject *cls = NULL;
        if (name && bases && ns && dict_set(ns, MINI_ID(__module__), mini_intern("signal")) == 0) {
            MiniObject *args[3] = {name, bases, ns};
            cls = mini_call((MiniObject *)&mini_type_type, args, 3, NULL);
        }
        MINI_XDECREF(bases);
        MINI_XDECREF(ns);
        if (!cls)
            return NULL;
        vm->signal_itimer_error = cls;
    }
    return (MiniType *)vm->signal_itimer_error;
}

// Raises ItimerError for [err] ("[Errno 22] Invalid argument"). Returns NULL.
static MiniObject *raise_itimer_error(int err) {
    MiniType *type = itimer_error();
    if (!type)
        return NULL;
    MiniObject *code = int_from_i64(err);
    MiniObject *msg = str_from_cstr(strerror(err));
    MiniObject *eargs = code && msg ? tuple_pack(2, code, msg) : NULL;
    MINI_XDECREF(code);
    MINI_XDECREF(msg);
    MiniObject *exc = eargs ? exception_new(type, eargs) : NULL;
    MINI_XDECREF(eargs);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

// A number of seconds (int or float) as a timeval, rounded up to whole microseconds the way
// CPython converts setitimer's arguments. False with an exception.
static bool timeval_arg(MiniObject *o, struct timeval *tv) {
    double d;
    if (!time_seconds_arg(o, &d))
        return false;
    double us = ceil(d * 1e6);
    if (!(fabs(us) < 9.2e18 / 1000)) {
        mini_raise_str(mini_exc_OverflowError, "timestamp too large to convert to C _PyTime_t");
        return false;
    }
    int64_t total = (int64_t)us;
    tv->tv_sec = (time_t)(total / 1000000);
    tv->tv_usec = (suseconds_t)(total % 1000000);
    if (tv->tv_usec < 0) {
        tv->tv_usec += 1000000;
        tv->tv_sec--;
    }
    return true;
}

// (delay, interval) of an itimerval, in float seconds. New tuple.
static MiniObject *itimer_tuple(const struct itimerval *v) {
    MiniObject *a = float_new((double)v->it_value.tv_sec + v->it_value.tv_usec / 1e6);
    MiniObject *b = float_new((double)v->it_interval.tv_sec + v->it_interval.tv_usec / 1e6);
    MiniObject *r = a && b ? tuple_pack(2, a, b) : NULL;
    MINI_XDECREF(a);
    MINI_XDECREF(b);
    return r;
}

// setitimer(which, seconds, interval=0.0, /): returns the old (delay, interval).
static MiniObject *signal_setitimer(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    int which;
    if (!mini_no_kwargs("setitimer", kwnames) || !mini_check_nargs("setitimer", nargs, 2, 3) ||
        !mini_arg_int(args[0], &which))
        return NULL;
    struct itimerval nv, old;
    memset(&nv, 0, sizeof nv);
    if (!timeval_arg(args[1], &nv.it_value) ||
        (nargs > 2 && !timeval_arg(args[2], &nv.it_interval)))
        return NULL;
    if (setitimer(which, &nv, &old) != 0)
        return raise_itimer_error(errno);
    return itimer_tuple(&old);
}

// getitimer(which, /): the current (delay, interval).
static MiniObject *signal_getitimer(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    int which;
    if (!one_arg("_signal.getitimer", nargs, kwnames) || !mini_arg_int(args[0], &which))
        return NULL;
    struct itimerval cur;
    if (getitimer(which, &cur) != 0)
        return raise_itimer_error(errno);
    return itimer_tuple(&cur);
}

static const MiniMethodDef signal_functions[] = {
    {"signal", signal_signal, 0,
     "Set the action for the given signal.\n\n"
     "The action can be SIG_DFL, SIG_IGN, or a callable Python object.\n"
     "The previous action is returned.  See getsignal() for possible return values.\n\n"
     "*** IMPORTANT NOTICE ***\n"
     "A signal handler function is called with two arguments:\n"
     "the first is the signal number, the second is the interrupted stack frame."},
    {"getsignal", signal_getsignal, 0, "Return the current action for the given signal."},
    {"raise_signal", signal_raise_signal, 0, "Send a signal to the executing process."},
    {"strsignal", signal_strsignal, 0, "Return the system description of the given signal."},
    {"alarm", signal_alarm, 0, "Arrange for SIGALRM to arrive after the given number of "
                               "seconds."},
    {"pause", signal_pause, 0, "Wait until a signal arrives."},
    {"siginterrupt", signal_siginterrupt, 0, "Change system call restart behaviour."},
    {"valid_signals", signal_valid_signals, 0, "Return a set of valid signal numbers on this "
                                               "platform."},
    {"setitimer", signal_setitimer, 0, "Sets given itimer (one of ITIMER_REAL, ITIMER_VIRTUAL "
                                       "or ITIMER_PROF)."},
    {"getitimer", signal_getitimer, 0, "Returns current value of given itimer."},
    {NULL, NULL, 0, NULL},
};

// The signal numbers the module names, as on Linux.
static const struct {
    const char *name;
    int value;
} signal_constants[] = {
    {"SIGHUP", SIGHUP},       {"SIGINT", SIGINT},       {"SIGQUIT", SIGQUIT},
    {"SIGILL", SIGILL},       {"SIGTRAP", SIGTRAP},     {"SIGABRT", SIGABRT},
    {"SIGIOT", SIGIOT},       {"SIGBUS", SIGBUS},       {"SIGFPE", SIGFPE},
    {"SIGKILL", SIGKILL},     {"SIGUSR1", SIGUSR1},     {"SIGSEGV", SIGSEGV},
    {"SIGUSR2", SIGUSR2},     {"SIGPIPE", SIGPIPE},     {"SIGALRM", SIGALRM},
    {"SIGTERM", SIGTERM},     {"SIGCHLD", SIGCHLD},     {"SIGCONT", SIGCONT},
    {"SIGSTOP", SIGSTOP},     {"SIGTSTP", SIGTSTP},     {"SIGTTIN", SIGTTIN},
    {"SIGTTOU", SIGTTOU},     {"SIGURG", SIGURG},       {"SIGXCPU", SIGXCPU},
    {"SIGXFSZ", SIGXFSZ},     {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF},
    {"SIGWINCH", SIGWINCH},   {"SIGIO", SIGIO},         {"SIGPOLL", SIGPOLL},
    {"SIGPWR", SIGPWR},       {"SIGSYS", SIGSYS},       {"NSIG", NSIG},
    {"SIG_DFL", 0},           {"SIG_IGN", 1},           {"ITIMER_REAL", ITIMER_REAL},
    {"ITIMER_VIRTUAL", ITIMER_VIRTUAL},                 {"ITIMER_PROF", ITIMER_PROF},
    {"SIG_BLOCK", SIG_BLOCK}, {"SIG_UNBLOCK", SIG_UNBLOCK},
    {"SIG_SETMASK", SIG_SETMASK},
    // The Linux-only names CPython also has (an alias, and a signal no one sends): they make
    // signal.Signals list the same members as CPython's.
#ifdef SIGCLD
    {"SIGCLD", SIGCLD},
#endif
#ifdef SIGSTKFLT
    {"SIGSTKFLT", SIGSTKFLT},
#endif
};

// Stores [value] (a new reference, consumed; NULL means making it failed) as d[key].
static int put(MiniObject *d, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    int r = dict_set_cstr(d, key, value);
    MINI_DECREF(value);
    return r;
}

MiniObject *signal_init(VM *vm) {
    MiniObject *m = module_new_builtin("_signal", signal_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    for (size_t i = 0; i < sizeof signal_constants / sizeof signal_constants[0]; i++)
        if (put(d, signal_constants[i].name, int_from_i64(signal_constants[i].value)) < 0)
            goto error;
    // SIGRTMIN and SIGRTMAX are function calls in glibc (it keeps a few for itself).
    if (put(d, "SIGRTMIN", int_from_i64(SIGRTMIN)) < 0 ||
        put(d, "SIGRTMAX", int_from_i64(SIGRTMAX)) < 0)
        goto error;
    MiniType *ie = itimer_error();
    if (!ie || dict_set_cstr(d, "ItimerError", (MiniObject *)ie) < 0)
        goto error;
    MiniObject *dih = vm->signal_default_int_handler;
    if (!dih) {
        MiniObject *name = mini_intern("_signal");
        dih = vm->signal_default_int_handler =
            name ? builtin_function_new(&default_int_handler_def, NULL, name) : NULL;
        if (!dih)
            goto error;
    }
    if (dict_set_cstr(d, "default_int_handler", dih) < 0 ||
        put(d, "__doc__", str_from_cstr("This module provides mechanisms to use signal handlers "
                                        "in Python.")) < 0)
        goto error;
    return m;

error:
    MINI_DECREF(m);
    return NULL;
}
