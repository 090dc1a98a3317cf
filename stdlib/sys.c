// sys.c - the sys module: what a program sees of its interpreter and process (argv, path,
// modules, the standard streams, version information, the recursion limit, exit()).
//
// Most entries are plain values put in the module dict once by sys_init(). The few that
// mirror VM state (recursionlimit, int_max_str_digits) are functions reading and writing the
// VM struct, and sys.modules / sys.argv are the VM's own objects, so the interpreter and the
// program always see the same thing.
//
// Two small private types stand in for CPython's structseq and SimpleNamespace:
// sys.version_info is a static subclass of tuple (so it indexes, unpacks and compares as the
// tuple (3, 11, 0, 'final', 0)) with named fields, and "namespace" objects (implementation,
// flags, float_info) are attribute bags that print as `name(key=value, ...)`.
//
// The sys_* functions have the vectorcall signature and return a new reference, or NULL with
// an exception pending.

#include "stdlib.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/fileobject.h"
#include "stdlib_args.h"

// The version of Python that mini follows, as sys.version_info reports it.
#define PY_MAJOR 3
#define PY_MINOR 11
#define PY_MICRO 0
#define PY_HEXVERSION 0x030B00F0

// The default of sys.get_int_max_str_digits(): 0, no limit. CPython 3.11 defaults to 4300
// digits, but the course mini serves prints len(str(math.factorial(100000))), so mini keeps
// the old unlimited behaviour until a program sets a limit (then CPython's errors apply).
#define DEFAULT_INT_MAX_STR_DIGITS 0
// What getrefcount reports for objects that are never counted (immediates, immortals).
#define IMMORTAL_REFCOUNT 4294967295LL

// ---------------------------------------------------------------------------------------------
// Namespace objects (sys.implementation, sys.flags, sys.float_info)
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *dict; // the attributes, in the order they print
    MiniObject *name; // str: the prefix of the repr ("namespace", "sys.flags")
} SysNamespace;

static void namespace_dealloc(MiniObject *self) {
    SysNamespace *ns = (SysNamespace *)self;
    mini_gc_untrack(self);
    MINI_CLEAR(ns->dict);
    MINI_CLEAR(ns->name);
    mini_object_free(self);
}

static int namespace_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((SysNamespace *)self)->dict);
    return 0;
}

static int namespace_clear(MiniObject *self) {
    MINI_CLEAR(((SysNamespace *)self)->dict);
    return 0;
}

// "name(key=repr(value), ...)". New str.
static MiniObject *namespace_repr(MiniObject *self) {
    SysNamespace *ns = (SysNamespace *)self;
    int r = mini_repr_enter(self);
    if (r != 0)
        return r < 0 ? NULL : str_from_format("%S(...)", ns->name);
    StrBuf b;
    strbuf_init(&b);
    strbuf_add_obj(&b, ns->name);
    strbuf_addc(&b, '(');
    size_t pos = 0;
    MiniObject *k, *v;
    bool first = true;
    while (ns->dict && dict_next(ns->dict, &pos, &k, &v)) {
        MiniObject *vr = mini_repr(v);
        if (!vr) {
            strbuf_free(&b);
            mini_repr_leave(self);
            return NULL;
        }
        if (!first)
            strbuf_adds(&b, ", ");
        first = false;
        strbuf_add_obj(&b, k);
        strbuf_addc(&b, '=');
        strbuf_add_obj(&b, vr);
        MINI_DECREF(vr);
    }
    strbuf_addc(&b, ')');
    mini_repr_leave(self);
    return strbuf_finish(&b);
}

static MiniType sys_namespace_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "types.SimpleNamespace",
    .basicsize = sizeof(SysNamespace),
    .flags = MINI_TPFLAG_GC,
    .dictoffset = offsetof(SysNamespace, dict),
    .dealloc = namespace_dealloc,
    .traverse = namespace_traverse,
    .clear = namespace_clear,
    .repr = namespace_repr,
    .doc = "A simple attribute-based namespace.",
};

// A new, empty namespace printing as [name](...). New reference.
static MiniObject *namespace_new(const char *name) {
    SysNamespace *ns = (SysNamespace *)mini_type_alloc(&sys_namespace_type, 0);
    if (!ns)
        return NULL;
    ns->dict = dict_new();
    ns->name = str_from_cstr(name);
    if (!ns->dict || !ns->name) {
        MINI_DECREF(ns);
        return NULL;
    }
    return (MiniObject *)ns;
}

// Sets one attribute of a namespace, consuming the new reference [value]. -1 on error (also
// when [value] is NULL because making it failed).
static int namespace_set(MiniObject *ns, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    int r = dict_set(((SysNamespace *)ns)->dict, mini_intern(key), value);
    MINI_DECREF(value);
    return r;
}

// ---------------------------------------------------------------------------------------------
// sys.version_info: a tuple with named fields
// ---------------------------------------------------------------------------------------------

static MiniObject *version_item(MiniObject *self, size_t i) {
    return mini_newref(TUPLE_GET(self, i));
}
static MiniObject *version_major(MiniObject *self) { return version_item(self, 0); }
static MiniObject *version_minor(MiniObject *self) { return version_item(self, 1); }
static MiniObject *version_micro(MiniObject *self) { return version_item(self, 2); }
static MiniObject *version_releaselevel(MiniObject *self) { return version_item(self, 3); }
static MiniObject *version_serial(MiniObject *self) { return version_item(self, 4); }

static const MiniGetSetDef version_info_getset[] = {
    {"major", version_major, NULL, NULL},
    {"minor", version_minor, NULL, NULL},
    {"micro", version_micro, NULL, NULL},
    {"releaselevel", version_releaselevel, NULL, NULL},
    {"serial", version_serial, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

// "sys.version_info(major=3, minor=11, micro=0, releaselevel='final', serial=0)". New str.
static MiniObject *version_info_repr(MiniObject *self) {
    // Only sys_init makes these with five fields; anything else prints as a tuple.
    if (TUPLE_SIZE(self) != 5)
        return mini_tuple_type.repr(self);
    return str_from_format("sys.version_info(major=%R, minor=%R, micro=%R, releaselevel=%R, "
                           "serial=%R)",
                           TUPLE_GET(self, 0), TUPLE_GET(self, 1), TUPLE_GET(self, 2),
                           TUPLE_GET(self, 3), TUPLE_GET(self, 4));
}

// A static subclass of tuple: type_ready() inherits everything but the repr and the fields
// from tuple, so indexing, slicing, unpacking, hashing and comparing are the tuple's.
static MiniType version_info_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "sys.version_info",
    .basicsize = sizeof(MiniTuple),
    .flags = MINI_TPFLAG_GC | MINI_TPFLAG_TUPLE_SUBCLASS,
    .base = &mini_tuple_type,
    .repr = version_info_repr,
    .getset = version_info_getset,
    .doc = "Version information as a named tuple.",
};

// A version_info object for (major, minor, micro, level, serial). New reference.
static MiniObject *version_info_new(int major, int minor, int micro, const char *level,
                                    int serial) {
    MiniObject *level_str = mini_intern(level);
    if (!level_str)
        return NULL;
    MiniTuple *t = (MiniTuple *)mini_type_alloc(&version_info_type, 5 * sizeof(MiniObject *));
    if (!t)
        return NULL;
    t->size = 5;
    t->hash = -1;
    t->items[0] = MINI_FROM_SMALLINT(major);
    t->items[1] = MINI_FROM_SMALLINT(minor);
    t->items[2] = MINI_FROM_SMALLINT(micro);
    t->items[3] = mini_newref(level_str);
    t->items[4] = MINI_FROM_SMALLINT(serial);
    return (MiniObject *)t;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// The module dict entry [name] of sys (borrowed, NULL when missing).
static MiniObject *sys_get(MiniObject *name) {
    MiniObject *sys = mini_ts->vm->sys_module;
    if (!sys || !MINI_IS_PTR(sys) || !mini_isinstance_type(sys, &mini_module_type))
        return NULL;
    MiniObject *d = ((MiniModule *)sys)->dict;
    return d ? dict_get_str(d, name) : NULL;
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

// sys.exit([status]): raises SystemExit(status).
static MiniObject *sys_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("sys.exit", kwnames) || !mini_check_nargs("exit", nargs, 0, 1))
        return NULL;
    // The status becomes the exception's arguments as CPython's PyErr_SetObject makes them:
    // None gives (), a tuple is the arguments itself, anything else is the one argument.
    MiniObject *targs;
    if (nargs == 0 || args[0] == MINI_NONE)
        targs = mini_newref(tuple_empty());
    else if (tuple_check(args[0]))
        targs = mini_newref(args[0]);
    else
        targs = tuple_pack(1, args[0]);
    if (!targs)
        return NULL;
    MiniObject *exc = exception_new(mini_exc_SystemExit, targs);
    MINI_DECREF(targs);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

static MiniObject *sys_getrecursionlimit(MiniObject *self, MiniObject *const *args,
                                         size_t nargs, MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.getrecursionlimit", nargs, kwnames))
        return NULL;
    return int_from_i64(mini_ts->vm->recursion_limit);
}

static MiniObject *sys_setrecursionlimit(MiniObject *self, MiniObject *const *args,
                                         size_t nargs, MiniObject *kwnames) {
    (void)self;
    if (!one_arg("sys.setrecursionlimit", nargs, kwnames))
        return NULL;
    MiniObject *n = mini_index(args[0]);
    if (!n)
        return NULL;
    int64_t limit;
    bool ok = int_as_i64(n, &limit);
    MINI_DECREF(n);
    if (!ok || limit > INT_MAX) {
        mini_error_clear();
        return mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
    }
    if (limit < 1)
        return mini_raise_str(mini_exc_ValueError,
                              "recursion limit must be greater or equal than 1");
    // A limit below the current depth would make the very next call fail.
    int depth = mini_ts->recursion_depth;
    if (depth >= limit)
        return mini_raise(mini_exc_RecursionError,
                          "cannot set the recursion limit to %d at the recursion depth %d: the "
                          "limit is too low",
                          (int)limit, depth);
    mini_ts->vm->recursion_limit = (int)limit;
    return MINI_NONE;
}

// sys.getrefcount(o): the reference count. The argument's own reference is already in it:
// the caller's value stack holds one, as in CPython. Uncounted objects report a big number.
static MiniObject *sys_getrefcount(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!one_arg("sys.getrefcount", nargs, kwnames))
        return NULL;
    MiniObject *o = args[0];
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL)
        return int_from_i64(IMMORTAL_REFCOUNT);
    return int_from_i64((int64_t)o->refcnt);
}

static MiniObject *sys_intern(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!one_arg("sys.intern", nargs, kwnames))
        return NULL;
    MiniObject *s = args[0];
    if (!str_check(s))
        return mini_raise(mini_exc_TypeError, "intern() argument must be str, not %s",
                          s == MINI_NONE ? "None" : mini_type_name(s));
    if (s->type != &mini_str_type)
        return mini_raise(mini_exc_TypeError, "can't intern %s", mini_type_name(s));
    return mini_newref(str_intern(s));
}

// Bytes of the UTF-8 text [s] as CPython would store it (1, 2 or 4 bytes per code point,
// chosen by the widest one), plus its header.
static size_t str_sizeof(MiniObject *s) {
    const unsigned char *p = (const unsigned char *)STR_DATA(s);
    uint32_t widest = 0;
    for (size_t i = 0; i < STR_SIZE(s);) {
        uint32_t c = p[i];
        size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (n == 2)
            c = ((c & 0x1f) << 6) | (p[i + 1] & 0x3f);
        else if (n == 3)
            c = ((c & 0x0f) << 12) | ((uint32_t)(p[i + 1] & 0x3f) << 6) | (p[i + 2] & 0x3f);
        else if (n == 4)
            c = 0x10000;
        if (c > widest)
            widest = c;
        i += n;
    }
    size_t len = STR_LEN(s);
    if (widest < 0x80)
        return 49 + len;
    if (widest < 0x100)
        return 73 + len;
    if (widest < 0x10000)
        return 74 + 2 * len;
    return 76 + 4 * len;
}

// An estimate of the memory [o] takes, after CPython's sizes for the common types (mini's own
// layouts differ; programs print these to compare, not to allocate). -1 with an exception.
static int64_t object_sizeof(MiniObject *o) {
    if (o == MINI_NONE)
        return 16;
    if (int_check(o)) {
        // CPython: 24 bytes plus 4 per 30-bit digit (zero has none).
        MiniObject *bits = mini_call_method(o, "bit_length", 0);
        if (!bits)
            return -1;
        int64_t nbits;
        bool ok = int_as_i64(bits, &nbits);
        MINI_DECREF(bits);
        if (!ok)
            return -1;
        int64_t digits = nbits == 0 ? 1 : (nbits + 29) / 30;
        return 24 + 4 * digits;
    }
    MiniType *t = mini_type(o);
    // A class of the program may say for itself.
    MiniObject *meth = type_lookup(t, MINI_ID(__sizeof__));
    if (meth && MINI_IS_PTR(meth) && meth->type == &mini_function_type) {
        MiniObject *r = mini_call_n(meth, 1, o);
        if (!r)
            return -1;
        int64_t v;
        bool ok = int_check(r) && int_as_i64(r, &v);
        if (!int_check(r))
            mini_raise_str(mini_exc_TypeError, "an integer is required");
        MINI_DECREF(r);
        if (!ok)
            return -1;
        if (v < 0) {
            mini_raise_str(mini_exc_ValueError, "__sizeof__() should return >= 0");
            return -1;
        }
        return v + ((t->flags & MINI_TPFLAG_GC) ? 16 : 0);
    }
    int64_t gc = (t->flags & MINI_TPFLAG_GC) ? 16 : 0;
    if (str_check(o))
        return (int64_t)str_sizeof(o);
    if (bytes_check(o))
        return 33 + (int64_t)((MiniBytes *)o)->size;
    if (float_check(o))
        return 24;
    if (tuple_check(o))
        return 24 + gc + 8 * (int64_t)TUPLE_SIZE(o);
    if (list_check(o))
        return 40 + gc + 8 * (int64_t)((MiniList *)o)->cap;
    if (dict_check(o)) {
        size_t n = dict_size(o);
        if (n == 0)
            return 48 + gc;
        // CPython's table: 8 slots for up to 5 keys, doubling as it fills to two thirds;
        // an entry takes 16 bytes when every key is a str, else 24.
        size_t slots = 8;
        while (slots * 2 / 3 < n)
            slots *= 2;
        size_t pos = 0;
        MiniObject *k, *v;
        int64_t entry = 16;
        while (dict_next(o, &pos, &k, &v))
            if (!str_check(k)) {
                entry = 24;
                break;
            }
        return 48 + gc + 32 + (int64_t)slots + (int64_t)(slots * 2 / 3) * entry;
    }
    return (int64_t)t->basicsize + gc;
}

static MiniObject *sys_getsizeof(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"object", "default", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (nargs > 2)
        return mini_raise(mini_exc_TypeError, "getsizeof() takes at most 2 arguments (%zu given)",
                          nargs);
    if (!mini_parse_args("getsizeof", args, nargs, kwnames, names, 1, a))
        return NULL;
    int64_t size = object_sizeof(a[0]);
    if (size < 0) {
        if (a[1] && mini_error_matches(mini_exc_TypeError)) {
            mini_error_clear();
            return mini_newref(a[1]);
        }
        return NULL;
    }
    return int_from_i64(size);
}

static MiniObject *sys_get_int_max_str_digits(MiniObject *self, MiniObject *const *args,
                                              size_t nargs, MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.get_int_max_str_digits", nargs, kwnames))
        return NULL;
    return int_from_i64(mini_ts->vm->int_max_str_digits);
}

static MiniObject *sys_set_int_max_str_digits(MiniObject *self, MiniObject *const *args,
                                              size_t nargs, MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"maxdigits", NULL};
    MiniObject *a[1] = {NULL};
    if (!mini_parse_args("set_int_max_str_digits", args, nargs, kwnames, names, 1, a))
        return NULL;
    MiniObject *n = mini_index(a[0]);
    if (!n)
        return NULL;
    int64_t v;
    bool ok = int_as_i64(n, &v);
    MINI_DECREF(n);
    if (!ok || v > INT_MAX) {
        mini_error_clear();
        return mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
    }
    // CPython's threshold: below 640 digits the quadratic conversion is cheap anyway.
    if (v != 0 && v < 640)
        return mini_raise_str(mini_exc_ValueError, "maxdigits must be 0 or larger than 640");
    mini_ts->vm->int_max_str_digits = (int)v;
    return MINI_NONE;
}

// The exception being handled, innermost first, skipping handlers that finished. Borrowed,
// NULL for none.
static MiniObject *handled_exception(void) {
    for (ExcInfo *ei = mini_ts->exc_info; ei; ei = ei->previous)
        if (ei->exc && ei->exc != MINI_NONE)
            return ei->exc;
    return NULL;
}

static MiniObject *sys_exc_info(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.exc_info", nargs, kwnames))
        return NULL;
    MiniObject *exc = handled_exception();
    if (!exc)
        return tuple_pack(3, MINI_NONE, MINI_NONE, MINI_NONE);
    MiniObject *tb = exception_check(exc) ? ((MiniBaseException *)exc)->traceback : NULL;
    return tuple_pack(3, (MiniObject *)mini_type(exc), exc, tb ? tb : MINI_NONE);
}

static MiniObject *sys_exception(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.exception", nargs, kwnames))
        return NULL;
    MiniObject *exc = handled_exception();
    return mini_newref(exc ? exc : MINI_NONE);
}

// sys.displayhook(value): what the REPL does with an expression's value: print its repr on
// sys.stdout and keep it in builtins._ (None is neither printed nor kept).
static MiniObject *sys_displayhook(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!one_arg("sys.displayhook", nargs, kwnames))
        return NULL;
    MiniObject *value = args[0];
    if (value == MINI_NONE)
        return MINI_NONE;
    MiniObject *underscore = mini_intern("_");
    MiniObject *builtins = mini_ts->vm->builtins;
    // _ is set to None first so that a repr() that fails does not leave the old value.
    if (!underscore || (builtins && dict_set(builtins, underscore, MINI_NONE) < 0))
        return NULL;
    MiniObject *out = sys_get(MINI_ID(stdout));
    if (!out || out == MINI_NONE)
        return mini_raise_str(mini_exc_RuntimeError, "lost sys.stdout");
    MINI_INCREF(out);
    MiniObject *r = mini_repr(value);
    MiniObject *line = r ? str_from_format("%S\n", r) : NULL;
    int ok = line ? file_write_str(out, line) : -1;
    MINI_XDECREF(r);
    MINI_XDECREF(line);
    MINI_DECREF(out);
    if (ok < 0)
        return NULL;
    if (builtins && dict_set(builtins, underscore, value) < 0)
        return NULL;
    return MINI_NONE;
}

// sys.excepthook(type, value, traceback): prints the traceback as for an uncaught exception.
static MiniObject *sys_excepthook(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    if (!mini_no_kwargs("sys.excepthook", kwnames) ||
        !mini_check_nargs("excepthook", nargs, 3, 3))
        return NULL;
    if (!exception_check(args[1]))
        return mini_raise(mini_exc_TypeError,
                          "print_exception(): Exception expected for value, %s found",
                          mini_type_name(args[1]));
    exception_print(args[1]);
    return MINI_NONE;
}

static MiniObject *sys_getdefaultencoding(MiniObject *self, MiniObject *const *args,
                                          size_t nargs, MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.getdefaultencoding", nargs, kwnames))
        return NULL;
    return str_from_cstr("utf-8");
}

static MiniObject *sys_getfilesystemencoding(MiniObject *self, MiniObject *const *args,
                                             size_t nargs, MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.getfilesystemencoding", nargs, kwnames))
        return NULL;
    return str_from_cstr("utf-8");
}

// ---------------------------------------------------------------------------------------------
// The GIL: switch interval and statistics
// ---------------------------------------------------------------------------------------------

static MiniObject *sys_getswitchinterval(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys.getswitchinterval", nargs, kwnames))
        return NULL;
    Gil *gil = &mini_ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    int64_t us = gil->interval_ns / 1000;
    pthread_mutex_unlock(&gil->mutex);
    return float_new((double)us / 1e6);
}

static MiniObject *sys_setswitchinterval(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    (void)self;
    if (!one_arg("sys.setswitchinterval", nargs, kwnames))
        return NULL;
    if (!float_check(args[0]) && !int_check(args[0]))
        return mini_raise(mini_exc_TypeError, "must be real number, not %s",
                          mini_type(args[0])->name);
    double d = float_as_double(args[0]);
    if (d == -1.0 && mini_error_occurred())
        return NULL;
    if (!(d > 0))
        return mini_raise_str(mini_exc_ValueError, "switch interval must be strictly positive");
    // Kept in whole microseconds, as CPython keeps it (so getswitchinterval() rounds alike).
    double us = floor(d * 1e6);
    if (us > 9.2e15)
        us = 9.2e15;
    Gil *gil = &mini_ts->vm->gil;
    pthread_mutex_lock(&gil->mutex);
    gil->interval_ns = (int64_t)us * 1000;
    pthread_mutex_unlock(&gil->mutex);
    return MINI_NONE;
}

// Sets d[key] = the int [v]. -1 on error.
static int put_u64(MiniObject *d, const char *key, uint64_t v) {
    MiniObject *o = int_from_u64(v);
    int r = o ? dict_set_cstr(d, key, o) : -1;
    MINI_XDECREF(o);
    return r;
}

// sys._gil_stats(): what the GIL did so far, as a dict of totals plus "threads", a dict from
// each thread's ident to its own figures (finished threads included; a reused ident adds up).
// The figures are copied under the GIL's mutex, so they are one consistent snapshot. New dict.
static MiniObject *sys_gil_stats(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("sys._gil_stats", nargs, kwnames))
        return NULL;
    ThreadState *ts = mini_ts;
    Gil *gil = &ts->vm->gil;
    // The running thread's hold time so far counts too.
    size_t n = 0;
    pthread_mutex_lock(&gil->mutex);
    for (GilThreadStats *st = gil->stats_list; st; st = st->next)
        n++;
    GilThreadStats *copy = calloc(n ? n : 1, sizeof *copy);
    // The totals, copied while the mutex is held (not the whole Gil: it holds pthread objects).
    struct {
        uint64_t switches, forced_drops, voluntary_drops, acquisitions, wait_ns;
    } totals = {gil->switches, gil->forced_drops, gil->voluntary_drops, gil->acquisitions,
                gil->wait_ns};
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    if (copy) {
        size_t i = 0;
        for (GilThreadStats *st = gil->stats_list; st; st = st->next, i++) {
            copy[i] = *st;
            if (st == ts->gil_stats) // the caller holds the GIL right now
                copy[i].hold_ns += now_ns - st->hold_start;
        }
    }
    pthread_mutex_unlock(&gil->mutex);
    if (!copy)
        return mini_raise_memory();
    MiniObject *d = dict_new(), *threads = dict_new();
    if (!d || !threads || put_u64(d, "switches", totals.switches) < 0 ||
        put_u64(d, "forced_drops", totals.forced_drops) < 0 ||
        put_u64(d, "voluntary_drops", totals.voluntary_drops) < 0 ||
        put_u64(d, "acquisitions", totals.acquisitions) < 0 ||
        put_u64(d, "wait_ns", totals.wait_ns) < 0 || dict_set_cstr(d, "threads", threads) < 0)
        goto error;
    // The list is newest first; walking it backwards lists threads in the order they started.
    for (size_t i = n; i-- > 0;) {
        GilThreadStats *st = &copy[i];
        MiniObject *key = int_from_u64(st->ident);
        if (!key)
            goto error;
        MiniObject *t = dict_get(threads, key);
        if (t) {
            // An ident the OS reused for a later thread: add the figures up.
            static const char *const fields[] = {"acquisitions", "forced_drops",
                                                 "voluntary_drops", "wait_ns", "hold_ns"};
            uint64_t vals[] = {st->acquisitions, st->forced_drops, st->voluntary_drops,
                               st->wait_ns, st->hold_ns};
            for (int k = 0; k < 5; k++) {
                int64_t old = 0;
                MiniObject *o = dict_get_cstr(t, fields[k]);
                if (o)
                    int_as_i64(o, &old);
                if (put_u64(t, fields[k], (uint64_t)old + vals[k]) < 0) {
                    MINI_DECREF(key);
                    goto error;
                }
            }
            MINI_DECREF(key);
            continue;
        }
        t = dict_new();
        if (!t || put_u64(t, "acquisitions", st->acquisitions) < 0 ||
            put_u64(t, "forced_drops", st->forced_drops) < 0 ||
            put_u64(t, "voluntary_drops", st->voluntary_drops) < 0 ||
            put_u64(t, "wait_ns", st->wait_ns) < 0 || put_u64(t, "hold_ns", st->hold_ns) < 0 ||
            dict_set(threads, key, t) < 0) {
            MINI_XDECREF(t);
            MINI_DECREF(key);
            goto error;
        }
        MINI_DECREF(t);
        MINI_DECREF(key);
    }
    free(copy);
    MINI_DECREF(threads);
    return d;

error:
    free(copy);
    MINI_XDECREF(threads);
    MINI_XDECREF(d);
    return NULL;
}

static const MiniMethodDef sys_functions[] = {
    {"exit", sys_exit, 0, "Exit the interpreter by raising SystemExit(status)."},
    {"getrecursionlimit", sys_getrecursionlimit, 0, "Return the current recursion limit."},
    {"setrecursionlimit", sys_setrecursionlimit, 0, "Set the maximum depth of mini calls."},
    {"getrefcount", sys_getrefcount, 0, "Return the reference count of object."},
    {"intern", sys_intern, 0, "Return the interned copy of a string."},
    {"getsizeof", sys_getsizeof, 0, "Return the size of object in bytes."},
    {"get_int_max_str_digits", sys_get_int_max_str_digits, 0,
     "Return the maximum string digits limit for non-binary int<->str conversions."},
    {"set_int_max_str_digits", sys_set_int_max_str_digits, 0,
     "Set the maximum string digits limit for non-binary int<->str conversions."},
    {"exc_info", sys_exc_info, 0, "Return (type, value, traceback) of the handled exception."},
    {"exception", sys_exception, 0, "Return the exception being handled, or None."},
    {"displayhook", sys_displayhook, 0, "Print an object to sys.stdout and save it in _."},
    {"excepthook", sys_excepthook, 0, "Print an exception and its traceback to sys.stderr."},
    {"getdefaultencoding", sys_getdefaultencoding, 0, "Return the default string encoding."},
    {"getswitchinterval", sys_getswitchinterval, 0, "Return the GIL's switch interval."},
    {"setswitchinterval", sys_setswitchinterval, 0, "Set the GIL's switch interval, in seconds."},
    {"_gil_stats", sys_gil_stats, 0, "Return what the GIL has done so far, as a dict."},
    {"getfilesystemencoding", sys_getfilesystemencoding, 0,
     "Return the encoding used for file names."},
    {NULL, NULL, 0, NULL},
};

// ---------------------------------------------------------------------------------------------
// sys_init
// ---------------------------------------------------------------------------------------------

// Sets d[key] = value, consuming the new reference [value] (NULL: making it failed). -1 on
// error.
static int put(MiniObject *d, const char *key, MiniObject *value) {
    if (!value)
        return -1;
    MiniObject *k = mini_intern(key);
    int r = k ? dict_set(d, k, value) : -1;
    MINI_DECREF(value);
    return r;
}

// sys.path: the directory of the script first ('' when there is no script file: -c, stdin,
// the REPL), as CPython computes it (symbolic links resolved). New list.
static MiniObject *make_path(VM *vm) {
    MiniObject *first = NULL;
    if (vm->argv && LIST_SIZE(vm->argv) > 0 && str_check(LIST_GET(vm->argv, 0))) {
        const char *script = STR_DATA(LIST_GET(vm->argv, 0));
        char *real = (script[0] && strcmp(script, "-c") != 0 && strcmp(script, "-") != 0)
                         ? realpath(script, NULL)
                         : NULL;
        if (real) {
            char *slash = strrchr(real, '/');
            if (slash == real)
                slash[1] = '\0'; // a script in / itself
            else if (slash)
                *slash = '\0';
            first = str_decode_utf8(real, strlen(real));
            free(real);
            if (!first)
                mini_error_clear(); // a directory whose name is not UTF-8: fall back to ''
        }
    }
    if (!first)
        first = str_new("", 0);
    if (!first)
        return NULL;
    MiniObject *path = list_from_array(&first, 1);
    MINI_DECREF(first);
    if (!path)
        return NULL;
    // Then the directories of MINIPATH (colon-separated, like PYTHONPATH; empty parts are
    // skipped), where the import system looks after the script's directory.
    const char *env = getenv("MINIPATH");
    while (env && *env) {
        const char *colon = strchr(env, ':');
        size_t n = colon ? (size_t)(colon - env) : strlen(env);
        if (n > 0) {
            MiniObject *dir = str_decode_utf8(env, n);
            if (!dir) {
                mini_error_clear(); // not UTF-8: skipped
            } else {
                int r = list_append(path, dir);
                MINI_DECREF(dir);
                if (r < 0) {
                    MINI_DECREF(path);
                    return NULL;
                }
            }
        }
        env = colon ? colon + 1 : NULL;
    }
    return path;
}

// The absolute path of the running executable, or '' when it cannot be known. New str.
static MiniObject *make_executable(void) {
    char *real = realpath("/proc/self/exe", NULL);
    if (!real)
        return str_new("", 0);
    MiniObject *s = str_decode_utf8(real, strlen(real));
    free(real);
    if (!s) {
        mini_error_clear();
        s = str_new("", 0);
    }
    return s;
}

// sys.float_info, with the values of IEEE 754 doubles. New reference.
static MiniObject *make_float_info(void) {
    MiniObject *ns = namespace_new("sys.float_info");
    if (!ns)
        return NULL;
    if (namespace_set(ns, "max", float_new(1.7976931348623157e+308)) < 0 ||
        namespace_set(ns, "max_exp", int_from_i64(1024)) < 0 ||
        namespace_set(ns, "max_10_exp", int_from_i64(308)) < 0 ||
        namespace_set(ns, "min", float_new(2.2250738585072014e-308)) < 0 ||
        namespace_set(ns, "min_exp", int_from_i64(-1021)) < 0 ||
        namespace_set(ns, "min_10_exp", int_from_i64(-307)) < 0 ||
        namespace_set(ns, "dig", int_from_i64(15)) < 0 ||
        namespace_set(ns, "mant_dig", int_from_i64(53)) < 0 ||
        namespace_set(ns, "epsilon", float_new(2.220446049250313e-16)) < 0 ||
        namespace_set(ns, "radix", int_from_i64(2)) < 0 ||
        namespace_set(ns, "rounds", int_from_i64(1)) < 0) {
        MINI_DECREF(ns);
        return NULL;
    }
    return ns;
}

// sys.flags: every option off (mini has no command-line options that set them). New reference.
static MiniObject *make_flags(void) {
    static const char *const zero_flags[] = {
        "debug",      "inspect",     "interactive",     "optimize", "dont_write_bytecode",
        "no_user_site", "no_site",   "ignore_environment", "verbose", "bytes_warning",
        "quiet",      NULL};
    MiniObject *ns = namespace_new("sys.flags");
    if (!ns)
        return NULL;
    for (const char *const *f = zero_flags; *f; f++)
        if (namespace_set(ns, *f, MINI_FROM_SMALLINT(0)) < 0)
            goto error;
    if (namespace_set(ns, "hash_randomization", MINI_FROM_SMALLINT(0)) < 0 ||
        namespace_set(ns, "isolated", MINI_FROM_SMALLINT(0)) < 0 ||
        namespace_set(ns, "dev_mode", MINI_FALSE) < 0 ||
        namespace_set(ns, "utf8_mode", MINI_FROM_SMALLINT(1)) < 0 ||
        namespace_set(ns, "warn_default_encoding", MINI_FROM_SMALLINT(0)) < 0 ||
        namespace_set(ns, "safe_path", MINI_FALSE) < 0 ||
        namespace_set(ns, "int_max_str_digits", MINI_FROM_SMALLINT(-1)) < 0)
        goto error;
    return ns;
error:
    MINI_DECREF(ns);
    return NULL;
}

// sys.implementation: name 'mini' and mini's own version. New reference.
static MiniObject *make_implementation(void) {
    MiniObject *ns = namespace_new("namespace");
    if (!ns)
        return NULL;
    if (namespace_set(ns, "name", str_from_cstr("mini")) < 0 ||
        namespace_set(ns, "cache_tag", MINI_NONE) < 0 ||
        namespace_set(ns, "version",
                      version_info_new(MINI_VERSION_MAJOR, MINI_VERSION_MINOR,
                                       MINI_VERSION_PATCH, "final", 0)) < 0 ||
        namespace_set(ns, "hexversion", int_from_i64((MINI_VERSION_MAJOR << 24) |
                                                     (MINI_VERSION_MINOR << 16) |
                                                     (MINI_VERSION_PATCH << 8) | 0xF0)) < 0) {
        MINI_DECREF(ns);
        return NULL;
    }
    return ns;
}

// The compiler that built mini, for sys.version's bracket.
#if defined(__clang__)
#define MINI_COMPILER "Clang " __clang_version__
#elif defined(__GNUC__)
#define MINI_COMPILER "GCC " __VERSION__
#else
#define MINI_COMPILER "C11"
#endif

MiniObject *sys_init(VM *vm) {
    MiniObject *m = module_new_builtin("sys", sys_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    if (!vm->modules && !(vm->modules = dict_new()))
        goto error;
    if (!vm->argv && !(vm->argv = list_new(0)))
        goto error;
    if (vm->int_max_str_digits == 0)
        vm->int_max_str_digits = DEFAULT_INT_MAX_STR_DIGITS;

    // The standard streams: stdout is line-buffered on a terminal and block-buffered
    // otherwise (flushed at exit); stderr also writes every write through at once.
    MiniObject *in = file_from_fd(0, "<stdin>", "r", false);
    MiniObject *out = file_from_fd(1, "<stdout>", "w", isatty(1));
    MiniObject *err = file_from_fd(2, "<stderr>", "w", isatty(2));
    if (!in || !out || !err) {
        MINI_XDECREF(in);
        MINI_XDECREF(out);
        MINI_XDECREF(err);
        goto error;
    }
    file_set_write_through(err, true);
    bool ok = dict_set(d, MINI_ID(stdin), in) == 0 && dict_set(d, MINI_ID(stdout), out) == 0 &&
              dict_set(d, MINI_ID(stderr), err) == 0 &&
              put(d, "__stdin__", mini_newref(in)) == 0 &&
              put(d, "__stdout__", mini_newref(out)) == 0 &&
              put(d, "__stderr__", mini_newref(err)) == 0;
    MINI_DECREF(in);
    MINI_DECREF(out);
    MINI_DECREF(err);
    if (!ok)
        goto error;

    MiniObject *displayhook = dict_get_cstr(d, "displayhook");
    MiniObject *excepthook = dict_get_cstr(d, "excepthook");
    if (!displayhook || !excepthook)
        goto error;
    if (dict_set(d, MINI_ID(argv), vm->argv) < 0 ||
        dict_set(d, MINI_ID(modules), vm->modules) < 0 ||
        put(d, "path", make_path(vm)) < 0 ||
        put(d, "version", str_from_cstr("3.11.0 (mini " MINI_VERSION_STRING ") [" MINI_COMPILER
                                        "]")) < 0 ||
        put(d, "version_info", version_info_new(PY_MAJOR, PY_MINOR, PY_MICRO, "final", 0)) < 0 ||
        put(d, "hexversion", int_from_i64(PY_HEXVERSION)) < 0 ||
        put(d, "api_version", int_from_i64(1013)) < 0 ||
        put(d, "implementation", make_implementation()) < 0 ||
        put(d, "platform", str_from_cstr("linux")) < 0 ||
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        put(d, "byteorder", str_from_cstr("big")) < 0 ||
#else
        put(d, "byteorder", str_from_cstr("little")) < 0 ||
#endif
        put(d, "executable", make_executable()) < 0 ||
        put(d, "maxsize", int_from_i64(INT64_MAX)) < 0 ||
        put(d, "maxunicode", int_from_i64(0x10FFFF)) < 0 ||
        put(d, "float_info", make_float_info()) < 0 ||
        put(d, "flags", make_flags()) < 0 ||
        put(d, "builtin_module_names", tuple_pack(2, MINI_ID(builtins), MINI_ID(sys))) < 0 ||
        put(d, "dont_write_bytecode", MINI_TRUE) < 0 ||
        put(d, "__displayhook__", mini_newref(displayhook)) < 0 ||
        put(d, "__excepthook__", mini_newref(excepthook)) < 0 ||
        put(d, "__doc__", str_from_cstr("This module provides access to some objects used or "
                                        "maintained by the interpreter.")) < 0)
        goto error;
    return m;

error:
    MINI_DECREF(m);
    return NULL;
}
