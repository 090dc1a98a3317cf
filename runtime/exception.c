// exception.c - the exception system: BaseException and the builtin exception classes, the
// traceback type, raising and the pending-exception state, and the printing of uncaught
// exceptions.
//
// Design
// ------
// An exception is a MiniBaseException; its class says what kind it is. The pending
// exception (the one being raised) is the instance in mini_ts->curexc, owned by the thread
// state. C code raises by putting an instance there and returning NULL/-1/false; the eval loop
// records a traceback entry per frame the exception leaves (exception_add_traceback) and sets
// the implicit __context__ of fresh exceptions, so the raise functions here do neither.
//
// Per-class fields (StopIteration.value, OSError.errno, SyntaxError.lineno ...) are an array
// of object pointers starting at MiniBaseException.extra. A class with fields has a larger
// basicsize than BaseException, which makes it a "solid" base exactly where CPython's classes
// with their own C struct are one: class X(OSError, SyntaxError) is a layout conflict in both.
// Plain exceptions (ValueError, KeyError, ...) are allocated without the extra array.
//
// Printing follows CPython 3.11's C implementation (Python/pythonrun.c print_exception and
// Python/traceback.c), minus the ^^^ markers under traceback lines: chained causes and
// contexts first, identical traceback lines collapsed after three repeats, SyntaxError
// location lines with their caret, and "module.Qualname: message" (no module for builtins and
// __main__).

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "class_internal.h"
#include "../stdlib/stdlib.h"
#include "../vm/vm.h"

#define EXC(o) ((MiniBaseException *)(o))
#define FIELDS_OFFSET offsetof(MiniBaseException, extra)
// The [i]th per-class field of exception [o].
#define FIELD(o, i)                                                                                \
    (*(MiniObject **)((char *)(o) + FIELDS_OFFSET + (size_t)(i) * sizeof(MiniObject *)))
// The basicsize of an exception class with [n] per-class fields.
#define EXC_SIZE(n) (FIELDS_OFFSET + (size_t)(n) * sizeof(MiniObject *))

// Per-class field indexes.
enum { F_STOP_VALUE = 0 };
enum { F_EXIT_CODE = 0 };
enum { F_IMPORT_MSG = 0, F_IMPORT_NAME, F_IMPORT_PATH };
// F_NAME_GLOBALS is not an attribute: the globals of the frame a NameError was raised in,
// kept for the "Did you mean" suggestion of its printout (CPython keeps the whole frame).
enum { F_NAME_NAME = 0, F_NAME_GLOBALS, F_NAME_COUNT };
enum { F_ATTR_NAME = 0, F_ATTR_OBJ };
enum { F_OS_ERRNO = 0, F_OS_STRERROR, F_OS_FILENAME, F_OS_FILENAME2 };
enum {
    F_SYN_MSG = 0,
    F_SYN_FILENAME,
    F_SYN_LINENO,
    F_SYN_OFFSET,
    F_SYN_TEXT,
    F_SYN_END_LINENO,
    F_SYN_END_OFFSET,
    F_SYN_PRINT_FILE_AND_LINE,
    F_SYN_COUNT
};
enum { F_UNI_ENCODING = 0, F_UNI_OBJECT, F_UNI_START, F_UNI_END, F_UNI_REASON, F_UNI_COUNT };

static size_t kwcount(MiniObject *kwnames) { return kwnames ? TUPLE_SIZE(kwnames) : 0; }

// How many per-class fields instances of [t] have: what its nearest builtin class declares.
static size_t exc_nfields(MiniType *t) {
    while (t && (t->flags & MINI_TPFLAG_HEAPTYPE))
        t = t->base;
    if (!t || t->basicsize <= FIELDS_OFFSET)
        return 0;
    return (t->basicsize - FIELDS_OFFSET) / sizeof(MiniObject *);
}

static MiniObject *field_or_none(MiniObject *o, int i) {
    MiniObject *v = FIELD(o, i);
    return mini_newref(v ? v : MINI_NONE);
}

static void set_field(MiniObject *o, int i, MiniObject *v /*borrowed, may be NULL*/) {
    MINI_XINCREF(v);
    MINI_SETREF(FIELD(o, i), v);
}

// ---------------------------------------------------------------------------------------------
// The pending exception
// ---------------------------------------------------------------------------------------------

bool mini_error_occurred(void) { return mini_ts && mini_ts->curexc; }

void mini_error_clear(void) {
    if (mini_ts)
        MINI_CLEAR(mini_ts->curexc);
}

MiniObject *mini_error_fetch(void) {
    if (!mini_ts)
        return NULL;
    MiniObject *exc = mini_ts->curexc;
    mini_ts->curexc = NULL;
    return exc;
}

void mini_error_restore(MiniObject *exc) {
    if (!mini_ts) {
        MINI_XDECREF(exc);
        return;
    }
    MINI_SETREF(mini_ts->curexc, exc);
}

bool mini_error_matches(MiniType *type) {
    MiniObject *exc = mini_ts ? mini_ts->curexc : NULL;
    return exc && mini_isinstance_type(exc, type);
}

static MiniObject *exc_new(MiniType *type, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames);
static int exc_init(MiniObject *self, MiniObject *const *args, size_t nargs, MiniObject *kwnames);

MiniObject *exception_new(MiniType *type, MiniObject *args) {
    MiniObject *const *items = args ? TUPLE_ITEMS(args) : NULL;
    size_t n = args ? TUPLE_SIZE(args) : 0;
    // The builtin classes that only store their arguments skip the call machinery.
    if (!(type->flags & MINI_TPFLAG_HEAPTYPE) && type->tp_new == exc_new &&
        type->tp_init == exc_init)
        return exc_new(type, items, n, NULL);
    MiniObject *r = mini_call((MiniObject *)type, items, n, NULL);
    if (r && !exception_check(r)) {
        mini_raise(mini_exc_TypeError,
                   "calling %R should have returned an instance of BaseException, not %R",
                   (MiniObject *)type, (MiniObject *)mini_type(r));
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

// Makes exception [type]([msg]) pending. Consumes [msg]. Returns NULL.
static MiniObject *raise_with_message(MiniType *type, MiniObject *msg) {
    if (!msg)
        return NULL;
    MiniObject *args = tuple_pack(1, msg);
    MINI_DECREF(msg);
    if (!args)
        return NULL;
    MiniObject *exc = exception_new(type, args);
    MINI_DECREF(args);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

MiniObject *mini_raise(MiniType *type, const char *fmt, ...) {
    if (!mini_ts)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    MiniObject *msg = str_from_vformat(fmt, ap);
    va_end(ap);
    return raise_with_message(type, msg);
}

MiniObject *mini_raise_str(MiniType *type, const char *msg) {
    if (!mini_ts)
        return NULL;
    return raise_with_message(type, str_from_cstr(msg));
}

MiniObject *mini_raise_object(MiniObject *exc) {
    MiniObject *value;
    if (type_check(exc) && (((MiniType *)exc)->flags & MINI_TPFLAG_EXC_SUBCLASS)) {
        value = mini_call(exc, NULL, 0, NULL);
        if (!value)
            return NULL;
        if (!exception_check(value)) {
            mini_raise(mini_exc_TypeError,
                       "calling %R should have returned an instance of BaseException, not %R", exc,
                       (MiniObject *)mini_type(value));
            MINI_DECREF(value);
            return NULL;
        }
    } else if (exception_check(exc)) {
        value = mini_newref(exc);
    } else {
        return mini_raise_str(mini_exc_TypeError, "exceptions must derive from BaseException");
    }
    mini_error_restore(value);
    return NULL;
}

MiniObject *mini_raise_errno(int err, MiniObject *filename) {
    MiniObject *code = int_from_i64(err);
    MiniObject *msg = str_from_cstr(strerror(err));
    MiniObject *args = NULL;
    if (code && msg)
        args = filename ? tuple_pack(3, code, msg, filename) : tuple_pack(2, code, msg);
    MINI_XDECREF(code);
    MINI_XDECREF(msg);
    if (!args)
        return NULL;
    // OSError's constructor picks the subclass (FileNotFoundError for ENOENT ...).
    MiniObject *exc = exception_new(mini_exc_OSError, args);
    MINI_DECREF(args);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

// A MemoryError made without going through mini_malloc's error path. New reference or NULL.
static MiniObject *make_memory_error(void) {
    MiniBaseException *e = (MiniBaseException *)mini_type_alloc(mini_exc_MemoryError, 0);
    if (!e)
        return NULL;
    e->args = tuple_empty();
    return (MiniObject *)e;
}

bool exception_vm_init(VM *vm) {
    if (vm->memory_error && vm->memory_error != MINI_NONE)
        return true;
    // While it is being made, a failing allocation must not come back here.
    vm->memory_error = MINI_NONE;
    MiniObject *e = make_memory_error();
    if (!e) {
        vm->memory_error = NULL;
        return false;
    }
    vm->memory_error = e;
    return true;
}

MiniObject *mini_raise_memory(void) {
    ThreadState *ts = mini_ts;
    if (!ts)
        return NULL;
    VM *vm = ts->vm;
    if (!vm)
        return NULL;
    if (vm->memory_error == MINI_NONE)
        return NULL; // making the preallocated one failed right now: nothing left to raise
    if (!vm->memory_error) {
        MiniObject *saved = mini_error_fetch();
        bool ok = exception_vm_init(vm);
        mini_error_clear();
        mini_error_restore(saved);
        if (!ok)
            return NULL;
    }
    // The one instance is reused: start it clean.
    MiniBaseException *e = EXC(vm->memory_error);
    MINI_CLEAR(e->traceback);
    MINI_CLEAR(e->context);
    MINI_CLEAR(e->cause);
    e->suppress_context = false;
    mini_error_restore(mini_newref(vm->memory_error));
    return NULL;
}

MiniObject *mini_raise_syntax_error(MiniType *type, const char *filename, int lineno, int offset,
                                    const char *text, const char *fmt, ...) {
    if (!mini_ts)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    MiniObject *msg = str_from_vformat(fmt, ap);
    va_end(ap);
    if (!msg)
        return NULL;
    MiniObject *fname =
        filename ? str_decode_utf8(filename, strlen(filename)) : mini_newref(MINI_NONE);
    if (!fname)
        mini_error_clear(), fname = mini_newref(MINI_NONE);
    MiniObject *line = int_from_i64(lineno);
    MiniObject *off = int_from_i64(offset);
    MiniObject *txt = text ? str_decode_utf8(text, strlen(text)) : mini_newref(MINI_NONE);
    if (!txt)
        mini_error_clear(), txt = mini_newref(MINI_NONE);
    MiniObject *info = tuple_pack(4, fname, line, off, txt);
    MiniObject *args = info ? tuple_pack(2, msg, info) : NULL;
    MINI_DECREF(fname);
    MINI_DECREF(line);
    MINI_DECREF(off);
    MINI_DECREF(txt);
    MINI_XDECREF(info);
    MINI_DECREF(msg);
    if (!args)
        return NULL;
    MiniObject *exc = exception_new(type ? type : mini_exc_SyntaxError, args);
    MINI_DECREF(args);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

int exception_matches(MiniObject *exc, MiniObject *cls) {
    if (tuple_check(cls)) {
        size_t n = TUPLE_SIZE(cls);
        for (size_t i = 0; i < n; i++) {
            MiniObject *c = TUPLE_GET(cls, i);
            if (!type_check(c) || !(((MiniType *)c)->flags & MINI_TPFLAG_EXC_SUBCLASS))
                goto bad;
        }
        for (size_t i = 0; i < n; i++)
            if (mini_isinstance_type(exc, (MiniType *)TUPLE_GET(cls, i)))
                return 1;
        return 0;
    }
    if (type_check(cls) && (((MiniType *)cls)->flags & MINI_TPFLAG_EXC_SUBCLASS))
        return mini_isinstance_type(exc, (MiniType *)cls);
bad:
    mini_raise_str(mini_exc_TypeError,
                   "catching classes that do not inherit from BaseException is not allowed");
    return -1;
}

void exception_set_attribute_error_context(MiniObject *obj, MiniObject *name) {
    MiniObject *exc = mini_ts ? mini_ts->curexc : NULL;
    if (!exc || !mini_isinstance_type(exc, mini_exc_AttributeError))
        return;
    set_field(exc, F_ATTR_NAME, name);
    set_field(exc, F_ATTR_OBJ, obj);
}

MiniObject *stopiteration_value(MiniObject *exc) {
    if (exception_check(exc) && mini_isinstance_type(exc, mini_exc_StopIteration) &&
        FIELD(exc, F_STOP_VALUE))
        return FIELD(exc, F_STOP_VALUE);
    return MINI_NONE;
}

// ---------------------------------------------------------------------------------------------
// Tracebacks
// ---------------------------------------------------------------------------------------------

// A NameError leaving the frame that raised it: remember that frame's globals, and the name
// the eval loop's message names (CPython's eval loop sets NameError.name), for the "Did you
// mean" suggestion printed with it.
static void note_name_error_origin(MiniObject *exc, CodeObject *code) {
    Frame *f = mini_ts ? mini_ts->frame : NULL;
    if (f && f->code == code && f->globals && !FIELD(exc, F_NAME_GLOBALS))
        set_field(exc, F_NAME_GLOBALS, f->globals);
    if (mini_type(exc) != mini_exc_NameError || FIELD(exc, F_NAME_NAME))
        return;
    MiniObject *args = EXC(exc)->args;
    MiniObject *msg = args && TUPLE_SIZE(args) == 1 ? TUPLE_GET(args, 0) : NULL;
    static const char prefix[] = "name '", suffix[] = "' is not defined";
    size_t np = sizeof(prefix) - 1, ns = sizeof(suffix) - 1;
    if (!msg || !str_check(msg) || STR_SIZE(msg) <= np + ns)
        return;
    const char *d = STR_DATA(msg);
    size_t n = STR_SIZE(msg);
    if (memcmp(d, prefix, np) != 0 || memcmp(d + n - ns, suffix, ns) != 0)
        return;
    MiniObject *name = str_new(d + np, n - np - ns);
    if (!name) {
        mini_error_clear();
        return;
    }
    set_field(exc, F_NAME_NAME, name);
    MINI_DECREF(name);
}

void exception_add_traceback(MiniObject *exc, CodeObject *code, int lineno) {
    if (!exception_check(exc))
        return;
    // Allocating may fail and raise MemoryError: keep the exception being propagated.
    MiniObject *saved = mini_error_fetch();
    MiniTraceback *tb = (MiniTraceback *)mini_alloc(&mini_traceback_type, sizeof(MiniTraceback));
    if (!tb) {
        mini_error_clear();
        mini_error_restore(saved);
        return;
    }
    mini_error_restore(saved);
    if (!EXC(exc)->traceback && mini_isinstance_type(exc, mini_exc_NameError))
        note_name_error_origin(exc, code);
    tb->next = (MiniTraceback *)EXC(exc)->traceback; // the reference moves to the new entry
    tb->code = code;
    tb->lineno = lineno;
    EXC(exc)->traceback = (MiniObject *)tb;
}

static void tb_dealloc(MiniObject *self) {
    MiniTraceback *next = ((MiniTraceback *)self)->next;
    mini_object_free(self);
    // Free the rest of the chain in a loop: a RecursionError's chain is a thousand long.
    while (next) {
        if (next->ob.refcnt >= MINI_IMMORTAL)
            break;
        if (next->ob.refcnt > 1) {
            next->ob.refcnt--;
            break;
        }
        MiniTraceback *after = next->next;
        mini_object_free((MiniObject *)next);
        next = after;
    }
}

static MiniObject *tb_get_next(MiniObject *self) {
    MiniTraceback *n = ((MiniTraceback *)self)->next;
    return mini_newref(n ? (MiniObject *)n : MINI_NONE);
}

static int tb_set_next(MiniObject *self, MiniObject *value) {
    if (!value) {
        mini_raise_str(mini_exc_TypeError, "can't delete tb_next attribute");
        return -1;
    }
    if (value == MINI_NONE) {
        value = NULL;
    } else if (mini_type(value) != &mini_traceback_type) {
        mini_raise(mini_exc_TypeError, "expected traceback object or None, got '%s'",
                   mini_type_name(value));
        return -1;
    }
    for (MiniTraceback *c = (MiniTraceback *)value; c; c = c->next)
        if ((MiniObject *)c == self) {
            mini_raise_str(mini_exc_ValueError, "traceback loop detected");
            return -1;
        }
    MiniTraceback *tb = (MiniTraceback *)self;
    MINI_XINCREF(value);
    MiniTraceback *old = tb->next;
    tb->next = (MiniTraceback *)value;
    MINI_XDECREF(old);
    return 0;
}

static MiniObject *tb_get_lineno(MiniObject *self) {
    return int_from_i64(((MiniTraceback *)self)->lineno);
}

static MiniObject *tb_get_none(MiniObject *self) {
    (void)self;
    return MINI_NONE;
}

static MiniObject *tb_get_lasti(MiniObject *self) {
    (void)self;
    return int_from_i64(-1);
}

static const MiniGetSetDef tb_getset[] = {
    {"tb_next", tb_get_next, tb_set_next, NULL},
    {"tb_lineno", tb_get_lineno, NULL, NULL},
    {"tb_frame", tb_get_none, NULL, NULL},
    {"tb_lasti", tb_get_lasti, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_traceback_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "traceback",
    .basicsize = sizeof(MiniTraceback),
    .dealloc = tb_dealloc,
    .getset = tb_getset,
};

// ---------------------------------------------------------------------------------------------
// BaseException
// ---------------------------------------------------------------------------------------------

static MiniObject *exc_new(MiniType *type, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    (void)kwnames; // __init__ decides about keywords, so subclasses may take some
    MiniBaseException *e = (MiniBaseException *)mini_type_alloc(type, 0);
    if (!e)
        return NULL;
    e->args = tuple_from_array(args, nargs);
    if (!e->args) {
        MINI_DECREF(e);
        return NULL;
    }
    return (MiniObject *)e;
}

// Stores [args] as the exception's args. 0 or -1.
static int exc_set_args(MiniObject *self, MiniObject *const *args, size_t nargs) {
    MiniObject *t = tuple_from_array(args, nargs);
    if (!t)
        return -1;
    MINI_SETREF(EXC(self)->args, t);
    return 0;
}

static bool exc_no_kwargs(MiniObject *self, MiniObject *kwnames) {
    if (kwcount(kwnames)) {
        mini_raise(mini_exc_TypeError, "%s() takes no keyword arguments", mini_type_name(self));
        return false;
    }
    return true;
}

static int exc_init(MiniObject *self, MiniObject *const *args, size_t nargs, MiniObject *kwnames) {
    if (!exc_no_kwargs(self, kwnames))
        return -1;
    return exc_set_args(self, args, nargs);
}

static void exc_release(MiniObject *self) {
    MiniBaseException *e = EXC(self);
    MINI_CLEAR(e->dict);
    MINI_CLEAR(e->args);
    MINI_CLEAR(e->traceback);
    MINI_CLEAR(e->context);
    MINI_CLEAR(e->cause);
    size_t n = exc_nfields(mini_type(self));
    for (size_t i = 0; i < n; i++)
        MINI_CLEAR(FIELD(self, i));
}

static void exc_dealloc(MiniObject *self) {
    exc_release(self);
    mini_object_free(self);
}

static int exc_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniBaseException *e = EXC(self);
    MINI_VISIT(e->dict);
    MINI_VISIT(e->args);
    MINI_VISIT(e->traceback);
    MINI_VISIT(e->context);
    MINI_VISIT(e->cause);
    size_t n = exc_nfields(mini_type(self));
    for (size_t i = 0; i < n; i++)
        MINI_VISIT(FIELD(self, i));
    return 0;
}

static int exc_clear(MiniObject *self) {
    exc_release(self);
    return 0;
}

static MiniObject *exc_args(MiniObject *self) {
    MiniObject *a = EXC(self)->args;
    return a ? a : tuple_empty();
}

static MiniObject *exc_str(MiniObject *self) {
    MiniObject *args = exc_args(self);
    switch (TUPLE_SIZE(args)) {
    case 0: return str_from_cstr("");
    case 1: return mini_str(TUPLE_GET(args, 0));
    default: return mini_str(args);
    }
}

static MiniObject *exc_repr(MiniObject *self) {
    MiniObject *args = exc_args(self);
    const char *name = mini_type_name(self);
    const char *dot = strrchr(name, '.');
    if (dot)
        name = dot + 1;
    if (TUPLE_SIZE(args) == 1)
        return str_from_format("%s(%R)", name, TUPLE_GET(args, 0));
    return str_from_format("%s%R", name, args);
}

static MiniObject *exc_get_args(MiniObject *self) { return mini_newref(exc_args(self)); }

static int exc_set_args_attr(MiniObject *self, MiniObject *value) {
    if (!value) {
        mini_raise_str(mini_exc_TypeError, "args may not be deleted");
        return -1;
    }
    MiniObject *t = mini_sequence_tuple(value);
    if (!t)
        return -1;
    MINI_SETREF(EXC(self)->args, t);
    return 0;
}

static MiniObject *exc_get_traceback(MiniObject *self) {
    MiniObject *tb = EXC(self)->traceback;
    return mini_newref(tb ? tb : MINI_NONE);
}

static int exc_set_traceback(MiniObject *self, MiniObject *value) {
    if (!value) {
        mini_raise_str(mini_exc_TypeError, "__traceback__ may not be deleted");
        return -1;
    }
    if (value == MINI_NONE) {
        value = NULL;
    } else if (mini_type(value) != &mini_traceback_type) {
        mini_raise_str(mini_exc_TypeError, "__traceback__ must be a traceback or None");
        return -1;
    }
    MINI_XINCREF(value);
    MINI_SETREF(EXC(self)->traceback, value);
    return 0;
}

static MiniObject *exc_get_context(MiniObject *self) {
    MiniObject *c = EXC(self)->context;
    return mini_newref(c ? c : MINI_NONE);
}

// Stores [value] (None stands for NULL) in the __context__ or __cause__ field *[slot], named
// [what] in CPython's messages. Returns 0, or -1 with TypeError set.
static int set_chained_exc(MiniObject **slot, MiniObject *value, const char *what) {
    if (!value) {
        mini_raise(mini_exc_TypeError, "__%s__ may not be deleted", what);
        return -1;
    }
    if (value == MINI_NONE) {
        value = NULL;
    } else if (!exception_check(value)) {
        mini_raise(mini_exc_TypeError, "exception %s must be None or derive from BaseException",
                   what);
        return -1;
    }
    MINI_XINCREF(value);
    MINI_SETREF(*slot, value);
    return 0;
}

static int exc_set_context(MiniObject *self, MiniObject *value) {
    return set_chained_exc(&EXC(self)->context, value, "context");
}

static MiniObject *exc_get_cause(MiniObject *self) {
    MiniObject *c = EXC(self)->cause;
    return mini_newref(c ? c : MINI_NONE);
}

static int exc_set_cause(MiniObject *self, MiniObject *value) {
    if (set_chained_exc(&EXC(self)->cause, value, "cause") < 0)
        return -1;
    EXC(self)->suppress_context = true;
    return 0;
}

static MiniObject *exc_get_suppress(MiniObject *self) {
    return MINI_BOOL(EXC(self)->suppress_context);
}

static int exc_set_suppress(MiniObject *self, MiniObject *value) {
    if (!value) {
        mini_raise_str(mini_exc_TypeError, "can't delete numeric/char attribute");
        return -1;
    }
    if (!MINI_IS_BOOL(value)) {
        mini_raise_str(mini_exc_TypeError, "attribute value type must be bool");
        return -1;
    }
    EXC(self)->suppress_context = value == MINI_TRUE;
    return 0;
}

static MiniObject *exc_get_dict(MiniObject *self) { return instance_dict_get(&EXC(self)->dict); }

static int exc_set_dict(MiniObject *self, MiniObject *value) {
    return instance_dict_set(&EXC(self)->dict, value);
}

static const MiniGetSetDef exc_getset[] = {
    {"args", exc_get_args, exc_set_args_attr, NULL},
    {"__traceback__", exc_get_traceback, exc_set_traceback, NULL},
    {"__context__", exc_get_context, exc_set_context, "exception context"},
    {"__cause__", exc_get_cause, exc_set_cause, "exception cause"},
    {"__suppress_context__", exc_get_suppress, exc_set_suppress, NULL},
    {"__dict__", exc_get_dict, exc_set_dict, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniObject *exc_with_traceback(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    if (!mini_no_kwargs("with_traceback", kwnames) ||
        !mini_check_nargs("with_traceback", nargs, 1, 1))
        return NULL;
    if (exc_set_traceback(self, args[0]) < 0)
        return NULL;
    return mini_newref(self);
}

static MiniObject *exc_add_note(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!mini_no_kwargs("add_note", kwnames) || !mini_check_nargs("add_note", nargs, 1, 1))
        return NULL;
    MiniObject *note = args[0];
    if (!str_check(note))
        return mini_raise(mini_exc_TypeError, "note must be a str, not '%s'", mini_type_name(note));
    MiniObject *key = mini_intern("__notes__");
    MiniObject *notes = mini_getattr_opt(self, key);
    if (!notes) {
        if (mini_error_occurred())
            return NULL;
        notes = list_new(0);
        if (!notes || mini_setattr(self, key, notes) < 0) {
            MINI_XDECREF(notes);
            return NULL;
        }
    }
    if (!list_check(notes)) {
        MINI_DECREF(notes);
        return mini_raise_str(mini_exc_TypeError, "Cannot add note: __notes__ is not a list");
    }
    int r = list_append(notes, note);
    MINI_DECREF(notes);
    return r < 0 ? NULL : MINI_NONE;
}

static const MiniMethodDef exc_methods[] = {
    {"with_traceback", exc_with_traceback, 0,
     "Exception.with_traceback(tb) --\n    set self.__traceback__ to tb and return self."},
    {"add_note", exc_add_note, 0, "Exception.add_note(note) --\n    add a note to the exception"},
    {NULL, NULL, 0, NULL},
};

MiniType mini_base_exception_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "BaseException",
    .basicsize = EXC_SIZE(0),
    .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_EXC_SUBCLASS,
    .dictoffset = offsetof(MiniBaseException, dict),
    .dealloc = exc_dealloc,
    .traverse = exc_traverse,
    .clear = exc_clear,
    .tp_new = exc_new,
    .tp_init = exc_init,
    .repr = exc_repr,
    .str = exc_str,
    .methods = exc_methods,
    .getset = exc_getset,
    .doc = "Common base class for all exceptions",
};

// ---------------------------------------------------------------------------------------------
// Per-class fields as attributes
// ---------------------------------------------------------------------------------------------

#define FIELD_ACCESSORS(i)                                                                         \
    static MiniObject *field_get_##i(MiniObject *self) { return field_or_none(self, i); }          \
    static int field_set_##i(MiniObject *self, MiniObject *value) {                                \
        set_field(self, i, value);                                                                 \
        return 0;                                                                                  \
    }
FIELD_ACCESSORS(0)
FIELD_ACCESSORS(1)
FIELD_ACCESSORS(2)
FIELD_ACCESSORS(3)
FIELD_ACCESSORS(4)
FIELD_ACCESSORS(5)
FIELD_ACCESSORS(6)
FIELD_ACCESSORS(7)
#define FIELD_GETSET(name, i, doc)                                                                 \
    { name, field_get_##i, field_set_##i, doc }

// Parses the keyword-only arguments [allowed] (NULL-terminated) of exception class [cls]'s
// __init__ into [out] (borrowed, left NULL when absent). False with TypeError.
static bool parse_exc_kwargs(const char *cls, MiniObject *const *args, size_t nargs,
                             MiniObject *kwnames, const char *const *allowed, MiniObject **out) {
    size_t nkw = kwcount(kwnames);
    for (size_t k = 0; k < nkw; k++) {
        MiniObject *key = TUPLE_GET(kwnames, k);
        size_t i = 0;
        for (; allowed[i]; i++)
            if (STR_SIZE(key) == strlen(allowed[i]) &&
                memcmp(STR_DATA(key), allowed[i], STR_SIZE(key)) == 0)
                break;
        if (!allowed[i]) {
            mini_raise(mini_exc_TypeError, "'%S' is an invalid keyword argument for %s()", key,
                       cls);
            return false;
        }
        out[i] = args[nargs + k];
    }
    return true;
}

// StopIteration(value)
static int stopiteration_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    if (exc_init(self, args, nargs, kwnames) < 0)
        return -1;
    set_field(self, F_STOP_VALUE, nargs > 0 ? args[0] : MINI_NONE);
    return 0;
}

static const MiniGetSetDef stopiteration_getset[] = {
    FIELD_GETSET("value", 0, "generator return value"),
    {NULL, NULL, NULL, NULL},
};

// SystemExit(code)
static int systemexit_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames) {
    if (exc_init(self, args, nargs, kwnames) < 0)
        return -1;
    if (nargs == 0)
        set_field(self, F_EXIT_CODE, MINI_NONE);
    else if (nargs == 1)
        set_field(self, F_EXIT_CODE, args[0]);
    else
        set_field(self, F_EXIT_CODE, EXC(self)->args);
    return 0;
}

static const MiniGetSetDef systemexit_getset[] = {
    FIELD_GETSET("code", 0, "exception code"),
    {NULL, NULL, NULL, NULL},
};

// ImportError(msg, *, name=None, path=None)
static int importerror_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    static const char *const allowed[] = {"name", "path", NULL};
    MiniObject *kw[2] = {NULL, NULL};
    if (!parse_exc_kwargs("ImportError", args, nargs, kwnames, allowed, kw))
        return -1;
    if (exc_set_args(self, args, nargs) < 0)
        return -1;
    set_field(self, F_IMPORT_NAME, kw[0]);
    set_field(self, F_IMPORT_PATH, kw[1]);
    set_field(self, F_IMPORT_MSG, nargs == 1 ? args[0] : NULL);
    return 0;
}

static MiniObject *importerror_str(MiniObject *self) {
    MiniObject *msg = FIELD(self, F_IMPORT_MSG);
    if (msg && MINI_IS_PTR(msg) && msg->type == &mini_str_type)
        return mini_newref(msg);
    return exc_str(self);
}

static const MiniGetSetDef importerror_getset[] = {
    FIELD_GETSET("msg", 0, "exception message"),
    FIELD_GETSET("name", 1, "module name"),
    FIELD_GETSET("path", 2, "module path"),
    {NULL, NULL, NULL, NULL},
};

// NameError(*args, name=None)
static int nameerror_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames) {
    static const char *const allowed[] = {"name", NULL};
    MiniObject *kw[1] = {NULL};
    if (!parse_exc_kwargs("NameError", args, nargs, kwnames, allowed, kw) ||
        exc_set_args(self, args, nargs) < 0)
        return -1;
    set_field(self, F_NAME_NAME, kw[0]);
    return 0;
}

static const MiniGetSetDef nameerror_getset[] = {
    FIELD_GETSET("name", 0, "name"),
    {NULL, NULL, NULL, NULL},
};

// AttributeError(*args, name=None, obj=None)
static int attributeerror_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    static const char *const allowed[] = {"name", "obj", NULL};
    MiniObject *kw[2] = {NULL, NULL};
    if (!parse_exc_kwargs("AttributeError", args, nargs, kwnames, allowed, kw) ||
        exc_set_args(self, args, nargs) < 0)
        return -1;
    set_field(self, F_ATTR_NAME, kw[0]);
    set_field(self, F_ATTR_OBJ, kw[1]);
    return 0;
}

static const MiniGetSetDef attributeerror_getset[] = {
    FIELD_GETSET("name", 0, "attribute name"),
    FIELD_GETSET("obj", 1, "object"),
    {NULL, NULL, NULL, NULL},
};

// KeyError: str is the repr of a lone key, so that KeyError('') reads ''.
static MiniObject *keyerror_str(MiniObject *self) {
    MiniObject *args = exc_args(self);
    if (TUPLE_SIZE(args) == 1)
        return mini_repr(TUPLE_GET(args, 0));
    return exc_str(self);
}

// ---------------------------------------------------------------------------------------------
// OSError
// ---------------------------------------------------------------------------------------------

static MiniObject *oserror_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames);
static int oserror_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                        MiniObject *kwnames);

// When a subclass defines __init__, the arguments are parsed there (by OSError.__init__
// through super()) and __new__ ignores them; otherwise __new__ does it all.
static bool oserror_use_init(MiniType *type) {
    return type->tp_init != oserror_init && type->tp_new == oserror_new;
}

// The OSError subclass CPython raises for errno [e], or NULL.
static MiniType *errno_subclass(int64_t e) {
    if (e == ENOENT)
        return mini_exc_FileNotFoundError;
    if (e == EEXIST)
        return mini_exc_FileExistsError;
    if (e == EACCES || e == EPERM)
        return mini_exc_PermissionError;
    if (e == EISDIR)
        return mini_exc_IsADirectoryError;
    if (e == ENOTDIR)
        return mini_exc_NotADirectoryError;
    if (e == EPIPE || e == ESHUTDOWN)
        return mini_exc_BrokenPipeError;
    if (e == ECHILD)
        return mini_exc_ChildProcessError;
    if (e == ESRCH)
        return mini_exc_ProcessLookupError;
    if (e == EINTR)
        return mini_exc_InterruptedError;
    if (e == EAGAIN || e == EWOULDBLOCK || e == EALREADY || e == EINPROGRESS)
        return mini_exc_BlockingIOError;
    if (e == ETIMEDOUT)
        return mini_exc_TimeoutError;
    if (e == ECONNREFUSED)
        return mini_exc_ConnectionRefusedError;
    if (e == ECONNRESET)
        return mini_exc_ConnectionResetError;
    if (e == ECONNABORTED)
        return mini_exc_ConnectionAbortedError;
    return NULL;
}

// Stores errno, strerror, filename and filename2 from OSError's arguments: with 2 to 5 of
// them they are (errno, strerror[, filename[, winerror[, filename2]]]), and args keeps only
// the first two when a filename is given.
static int oserror_fill(MiniObject *self, MiniObject *const *args, size_t nargs) {
    MiniObject *myerrno = NULL, *strerr = NULL, *filename = NULL, *filename2 = NULL;
    size_t keep = nargs;
    if (nargs >= 2 && nargs <= 5) {
        myerrno = args[0];
        strerr = args[1];
        if (nargs >= 3)
            filename = args[2];
        if (nargs == 5)
            filename2 = args[4];
    }
    set_field(self, F_OS_FILENAME, NULL);
    set_field(self, F_OS_FILENAME2, NULL);
    if (filename && filename != MINI_NONE) {
        // BlockingIOError's third argument may be the number of characters written.
        if (!(mini_type(self) == mini_exc_BlockingIOError && int_check(filename))) {
            set_field(self, F_OS_FILENAME, filename);
            if (filename2 && filename2 != MINI_NONE)
                set_field(self, F_OS_FILENAME2, filename2);
            keep = 2;
        }
    }
    set_field(self, F_OS_ERRNO, myerrno);
    set_field(self, F_OS_STRERROR, strerr);
    return exc_set_args(self, args, keep);
}

static MiniObject *oserror_new(MiniType *type, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    MiniType *newtype = type;
    if (!oserror_use_init(type)) {
        if (kwcount(kwnames))
            return mini_raise(mini_exc_TypeError, "%s() takes no keyword arguments", type->name);
        int64_t e;
        if (type == mini_exc_OSError && nargs >= 2 && nargs <= 5 && int_check(args[0]) &&
            int_as_i64(args[0], &e)) {
            MiniType *sub = errno_subclass(e);
            if (sub)
                newtype = sub;
        } else if (mini_error_occurred()) {
            mini_error_clear(); // an errno too big for int64 maps to no subclass
        }
    }
    MiniObject *self = mini_type_alloc(newtype, 0);
    if (!self)
        return NULL;
    int r =
        oserror_use_init(newtype) ? exc_set_args(self, NULL, 0) : oserror_fill(self, args, nargs);
    if (r < 0) {
        MINI_DECREF(self);
        return NULL;
    }
    return self;
}

static int oserror_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                        MiniObject *kwnames) {
    if (!oserror_use_init(mini_type(self)))
        return 0; // __new__ did everything
    if (!exc_no_kwargs(self, kwnames))
        return -1;
    return oserror_fill(self, args, nargs);
}

static MiniObject *oserror_str(MiniObject *self) {
    MiniObject *eno = FIELD(self, F_OS_ERRNO), *msg = FIELD(self, F_OS_STRERROR);
    MiniObject *fn = FIELD(self, F_OS_FILENAME), *fn2 = FIELD(self, F_OS_FILENAME2);
    if (!eno)
        eno = MINI_NONE;
    if (!msg)
        msg = MINI_NONE;
    if (fn) {
        if (fn2)
            return str_from_format("[Errno %S] %S: %R -> %R", eno, msg, fn, fn2);
        return str_from_format("[Errno %S] %S: %R", eno, msg, fn);
    }
    if (FIELD(self, F_OS_ERRNO) && FIELD(self, F_OS_STRERROR))
        return str_from_format("[Errno %S] %S", eno, msg);
    return exc_str(self);
}

static const MiniGetSetDef oserror_getset[] = {
    FIELD_GETSET("errno", 0, "POSIX exception code"),
    FIELD_GETSET("strerror", 1, "exception strerror"),
    FIELD_GETSET("filename", 2, "exception filename"),
    FIELD_GETSET("filename2", 3, "second exception filename"),
    {NULL, NULL, NULL, NULL},
};

// ---------------------------------------------------------------------------------------------
// SyntaxError
// ---------------------------------------------------------------------------------------------

// SyntaxError(msg, (filename, lineno, offset, text[, end_lineno, end_offset]))
static int syntaxerror_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                            MiniObject *kwnames) {
    if (exc_init(self, args, nargs, kwnames) < 0)
        return -1;
    if (nargs >= 1)
        set_field(self, F_SYN_MSG, args[0]);
    if (nargs != 2)
        return 0;
    MiniObject *info = mini_sequence_tuple(args[1]);
    if (!info)
        return -1;
    size_t n = TUPLE_SIZE(info);
    int r = -1;
    if (n < 4) {
        mini_raise(mini_exc_TypeError, "function takes at least 4 arguments (%zu given)", n);
        goto done;
    }
    if (n > 6) {
        mini_raise(mini_exc_TypeError, "function takes at most 6 arguments (%zu given)", n);
        goto done;
    }
    set_field(self, F_SYN_FILENAME, TUPLE_GET(info, 0));
    set_field(self, F_SYN_LINENO, TUPLE_GET(info, 1));
    set_field(self, F_SYN_OFFSET, TUPLE_GET(info, 2));
    set_field(self, F_SYN_TEXT, TUPLE_GET(info, 3));
    set_field(self, F_SYN_END_LINENO, n > 4 ? TUPLE_GET(info, 4) : NULL);
    set_field(self, F_SYN_END_OFFSET, n > 5 ? TUPLE_GET(info, 5) : NULL);
    if (n == 5) {
        mini_raise_str(mini_exc_TypeError,
                       "end_offset must be provided when end_lineno is provided");
        goto done;
    }
    r = 0;
done:
    MINI_DECREF(info);
    return r;
}

static MiniObject *syntaxerror_str(MiniObject *self) {
    MiniObject *msg = FIELD(self, F_SYN_MSG);
    MiniObject *fn = FIELD(self, F_SYN_FILENAME), *lineno = FIELD(self, F_SYN_LINENO);
    const char *base = NULL;
    if (fn && str_check(fn)) {
        base = strrchr(STR_DATA(fn), '/');
        base = base ? base + 1 : STR_DATA(fn);
    }
    bool have_lineno = lineno && int_check_exact(lineno);
    if (!msg)
        msg = MINI_NONE;
    if (!base && !have_lineno)
        return mini_str(msg);
    if (base && have_lineno)
        return str_from_format("%S (%s, line %S)", msg, base, lineno);
    if (base)
        return str_from_format("%S (%s)", msg, base);
    return str_from_format("%S (line %S)", msg, lineno);
}

static const MiniGetSetDef syntaxerror_getset[] = {
    FIELD_GETSET("msg", 0, "exception msg"),
    FIELD_GETSET("filename", 1, "exception filename"),
    FIELD_GETSET("lineno", 2, "exception lineno"),
    FIELD_GETSET("offset", 3, "exception offset"),
    FIELD_GETSET("text", 4, "exception text"),
    FIELD_GETSET("end_lineno", 5, "exception end lineno"),
    FIELD_GETSET("end_offset", 6, "exception end offset"),
    FIELD_GETSET("print_file_and_line", 7, "exception print_file_and_line"),
    {NULL, NULL, NULL, NULL},
};

// ---------------------------------------------------------------------------------------------
// UnicodeEncodeError, UnicodeDecodeError, UnicodeTranslateError
// ---------------------------------------------------------------------------------------------

static bool require_str_arg(MiniObject *o, int pos) {
    if (!str_check(o)) {
        mini_raise(mini_exc_TypeError, "argument %d must be str, not %s", pos, mini_type_name(o));
        return false;
    }
    return true;
}

static bool require_index_arg(MiniObject *o) {
    MiniObject *i = mini_index(o);
    if (!i)
        return false;
    MINI_DECREF(i);
    return true;
}

// Checks the argument count of a Unicode error's __init__ ("function takes exactly 5
// arguments (1 given)", as PyArg_ParseTuple says it).
static bool unicode_nargs(size_t nargs, size_t want) {
    if (nargs != want) {
        mini_raise(mini_exc_TypeError, "function takes exactly %zu arguments (%zu given)", want,
                   nargs);
        return false;
    }
    return true;
}

static int unicode_encode_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (exc_init(self, args, nargs, kwnames) < 0 || !unicode_nargs(nargs, 5) ||
        !require_str_arg(args[0], 1) || !require_str_arg(args[1], 2) ||
        !require_index_arg(args[2]) || !require_index_arg(args[3]) || !require_str_arg(args[4], 5))
        return -1;
    for (int i = 0; i < F_UNI_COUNT; i++)
        set_field(self, i, args[i]);
    return 0;
}

static int unicode_decode_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    if (exc_init(self, args, nargs, kwnames) < 0 || !unicode_nargs(nargs, 5) ||
        !require_str_arg(args[0], 1))
        return -1;
    MiniObject *obj = args[1];
    MiniObject *b;
    if (bytes_check(obj)) {
        b = mini_newref(obj);
    } else if (MINI_IS_PTR(obj) && mini_isinstance_type(obj, &mini_bytearray_type)) {
        MiniByteArray *a = (MiniByteArray *)obj;
        b = bytes_new(a->data, a->size);
        if (!b)
            return -1;
    } else {
        mini_raise(mini_exc_TypeError, "a bytes-like object is required, not '%s'",
                   mini_type_name(obj));
        return -1;
    }
    if (!require_index_arg(args[2]) || !require_index_arg(args[3]) ||
        !require_str_arg(args[4], 5)) {
        MINI_DECREF(b);
        return -1;
    }
    set_field(self, F_UNI_ENCODING, args[0]);
    set_field(self, F_UNI_OBJECT, b);
    set_field(self, F_UNI_START, args[2]);
    set_field(self, F_UNI_END, args[3]);
    set_field(self, F_UNI_REASON, args[4]);
    MINI_DECREF(b);
    return 0;
}

static int unicode_translate_init(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    if (exc_init(self, args, nargs, kwnames) < 0 || !unicode_nargs(nargs, 4) ||
        !require_str_arg(args[0], 1) || !require_index_arg(args[1]) ||
        !require_index_arg(args[2]) || !require_str_arg(args[3], 4))
        return -1;
    set_field(self, F_UNI_ENCODING, NULL);
    set_field(self, F_UNI_OBJECT, args[0]);
    set_field(self, F_UNI_START, args[1]);
    set_field(self, F_UNI_END, args[2]);
    set_field(self, F_UNI_REASON, args[3]);
    return 0;
}

// The start and end of a Unicode error as machine integers; false if unset or too big.
static bool unicode_range(MiniObject *self, int64_t *start, int64_t *end) {
    MiniObject *s = FIELD(self, F_UNI_START), *e = FIELD(self, F_UNI_END);
    if (!s || !e || !int_check(s) || !int_check(e))
        return false;
    if (!int_as_i64(s, start) || !int_as_i64(e, end)) {
        mini_error_clear();
        return false;
    }
    return true;
}

// The code point at [index] of str [s].
static uint32_t str_codepoint_at(MiniObject *s, size_t index) {
    MiniObject *c = str_getchar(s, index);
    if (!c)
        return 0;
    const unsigned char *p = (const unsigned char *)STR_DATA(c);
    uint32_t cp;
    if (p[0] < 0x80)
        cp = p[0];
    else if (p[0] < 0xE0)
        cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    else if (p[0] < 0xF0)
        cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    else
        cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
             ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    MINI_DECREF(c);
    return cp;
}

// "'\xe9'", "'\u1234'" or "'\U00012345'": how CPython names one character in these messages.
static void char_escape(char *buf, size_t n, uint32_t cp) {
    if (cp <= 0xff)
        snprintf(buf, n, "\\x%02x", cp);
    else if (cp <= 0xffff)
        snprintf(buf, n, "\\u%04x", cp);
    else
        snprintf(buf, n, "\\U%08x", cp);
}

static MiniObject *unicode_encode_str(MiniObject *self) {
    MiniObject *obj = FIELD(self, F_UNI_OBJECT);
    MiniObject *enc = FIELD(self, F_UNI_ENCODING), *reason = FIELD(self, F_UNI_REASON);
    int64_t start, end;
    if (!obj || !unicode_range(self, &start, &end))
        return str_from_cstr("");
    if (!enc)
        enc = MINI_NONE;
    if (!reason)
        reason = MINI_NONE;
    if (str_check(obj) && start >= 0 && (uint64_t)start < STR_LEN(obj) && end == start + 1) {
        char esc[16];
        char_escape(esc, sizeof esc, str_codepoint_at(obj, (size_t)start));
        return str_from_format("'%S' codec can't encode character '%s' in position %lld: %S", enc,
                               esc, (long long)start, reason);
    }
    return str_from_format("'%S' codec can't encode characters in position %lld-%lld: %S", enc,
                           (long long)start, (long long)(end - 1), reason);
}

static MiniObject *unicode_decode_str(MiniObject *self) {
    MiniObject *obj = FIELD(self, F_UNI_OBJECT);
    MiniObject *enc = FIELD(self, F_UNI_ENCODING), *reason = FIELD(self, F_UNI_REASON);
    int64_t start, end;
    if (!obj || !unicode_range(self, &start, &end))
        return str_from_cstr("");
    if (!enc)
        enc = MINI_NONE;
    if (!reason)
        reason = MINI_NONE;
    if (bytes_check(obj) && start >= 0 && (uint64_t)start < ((MiniBytes *)obj)->size &&
        end == start + 1) {
        unsigned byte = (unsigned char)((MiniBytes *)obj)->data[start];
        return str_from_format("'%S' codec can't decode byte 0x%02x in position %lld: %S", enc,
                               byte, (long long)start, reason);
    }
    return str_from_format("'%S' codec can't decode bytes in position %lld-%lld: %S", enc,
                           (long long)start, (long long)(end - 1), reason);
}

static MiniObject *unicode_translate_str(MiniObject *self) {
    MiniObject *obj = FIELD(self, F_UNI_OBJECT), *reason = FIELD(self, F_UNI_REASON);
    int64_t start, end;
    if (!obj || !unicode_range(self, &start, &end))
        return str_from_cstr("");
    if (!reason)
        reason = MINI_NONE;
    if (str_check(obj) && start >= 0 && (uint64_t)start < STR_LEN(obj) && end == start + 1) {
        char esc[16];
        char_escape(esc, sizeof esc, str_codepoint_at(obj, (size_t)start));
        return str_from_format("can't translate character '%s' in position %lld: %S", esc,
                               (long long)start, reason);
    }
    return str_from_format("can't translate characters in position %lld-%lld: %S", (long long)start,
                           (long long)(end - 1), reason);
}

static const MiniGetSetDef unicode_getset[] = {
    FIELD_GETSET("encoding", 0, "exception encoding"),
    FIELD_GETSET("object", 1, "exception object"),
    FIELD_GETSET("start", 2, "exception start"),
    FIELD_GETSET("end", 3, "exception end"),
    FIELD_GETSET("reason", 4, "exception reason"),
    {NULL, NULL, NULL, NULL},
};

// ---------------------------------------------------------------------------------------------
// The exception classes
// ---------------------------------------------------------------------------------------------

// A class with no behaviour of its own: everything (size included) comes from [base]. It
// names its base's __init__ [INIT] anyway, so that X.__init__ is a slot wrapper of X as in
// CPython.
#define SIMPLE_EXC(NAME, BASE, INIT, DOC)                                                          \
    static MiniType exc_type_##NAME = {                                                            \
        .ob = {MINI_IMMORTAL, &mini_type_type},                                                    \
        .name = #NAME,                                                                             \
        .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_EXC_SUBCLASS,                 \
        .base = BASE,                                                                              \
        .tp_init = INIT,                                                                           \
        .doc = DOC,                                                                                \
    };
// A class with per-class fields, a constructor or a str of its own.
#define FULL_EXC(NAME, BASE, NFIELDS, NEW, INIT, STR, GETSET, DOC)                                 \
    static MiniType exc_type_##NAME = {                                                            \
        .ob = {MINI_IMMORTAL, &mini_type_type},                                                    \
        .name = #NAME,                                                                             \
        .basicsize = EXC_SIZE(NFIELDS),                                                            \
        .flags = MINI_TPFLAG_BASETYPE | MINI_TPFLAG_GC | MINI_TPFLAG_EXC_SUBCLASS,                 \
        .base = BASE,                                                                              \
        .dictoffset = offsetof(MiniBaseException, dict),                                           \
        .dealloc = exc_dealloc,                                                                    \
        .traverse = exc_traverse,                                                                  \
        .clear = exc_clear,                                                                        \
        .tp_new = NEW,                                                                             \
        .tp_init = INIT,                                                                           \
        .str = STR,                                                                                \
        .getset = GETSET,                                                                          \
        .doc = DOC,                                                                                \
    };

#define BASE_EXC (&mini_base_exception_type)
FULL_EXC(SystemExit, BASE_EXC, 1, NULL, systemexit_init, NULL, systemexit_getset,
         "Request to exit from the interpreter.")
SIMPLE_EXC(KeyboardInterrupt, BASE_EXC, exc_init, "Program interrupted by user.")
SIMPLE_EXC(GeneratorExit, BASE_EXC, exc_init, "Request that a generator exit.")
SIMPLE_EXC(Exception, BASE_EXC, exc_init, "Common base class for all non-exit exceptions.")
#define E (&exc_type_Exception)
FULL_EXC(StopIteration, E, 1, NULL, stopiteration_init, NULL, stopiteration_getset,
         "Signal the end from iterator.__next__().")
SIMPLE_EXC(StopAsyncIteration, E, exc_init, "Signal the end from iterator.__anext__().")
SIMPLE_EXC(ArithmeticError, E, exc_init, "Base class for arithmetic errors.")
SIMPLE_EXC(FloatingPointError, &exc_type_ArithmeticError, exc_init,
           "Floating point operation failed.")
SIMPLE_EXC(OverflowError, &exc_type_ArithmeticError, exc_init,
           "Result too large to be represented.")
SIMPLE_EXC(ZeroDivisionError, &exc_type_ArithmeticError, exc_init,
           "Second argument to a division or modulo operation was zero.")
SIMPLE_EXC(AssertionError, E, exc_init, "Assertion failed.")
FULL_EXC(AttributeError, E, 2, NULL, attributeerror_init, NULL, attributeerror_getset,
         "Attribute not found.")
SIMPLE_EXC(BufferError, E, exc_init, "Buffer error.")
SIMPLE_EXC(EOFError, E, exc_init, "Read beyond end of file.")
FULL_EXC(ImportError, E, 3, NULL, importerror_init, importerror_str, importerror_getset,
         "Import can't find module, or can't find name in module.")
SIMPLE_EXC(ModuleNotFoundError, &exc_type_ImportError, importerror_init, "Module not found.")
SIMPLE_EXC(LookupError, E, exc_init, "Base class for lookup errors.")
SIMPLE_EXC(IndexError, &exc_type_LookupError, exc_init, "Sequence index out of range.")
FULL_EXC(KeyError, &exc_type_LookupError, 0, NULL, exc_init, keyerror_str, NULL,
         "Mapping key not found.")
SIMPLE_EXC(MemoryError, E, exc_init, "Out of memory.")
FULL_EXC(NameError, E, F_NAME_COUNT, NULL, nameerror_init, NULL, nameerror_getset,
         "Name not found globally.")
SIMPLE_EXC(UnboundLocalError, &exc_type_NameError, nameerror_init,
           "Local name referenced but not bound to a value.")
FULL_EXC(OSError, E, 4, oserror_new, oserror_init, oserror_str, oserror_getset,
         "Base class for I/O related errors.")
#define OS (&exc_type_OSError)
SIMPLE_EXC(BlockingIOError, OS, oserror_init, "I/O operation would block.")
SIMPLE_EXC(ChildProcessError, OS, oserror_init, "Child process error.")
SIMPLE_EXC(ConnectionError, OS, oserror_init, "Connection error.")
SIMPLE_EXC(BrokenPipeError, &exc_type_ConnectionError, oserror_init, "Broken pipe.")
SIMPLE_EXC(ConnectionAbortedError, &exc_type_ConnectionError, oserror_init, "Connection aborted.")
SIMPLE_EXC(ConnectionRefusedError, &exc_type_ConnectionError, oserror_init, "Connection refused.")
SIMPLE_EXC(ConnectionResetError, &exc_type_ConnectionError, oserror_init, "Connection reset.")
SIMPLE_EXC(FileExistsError, OS, oserror_init, "File already exists.")
SIMPLE_EXC(FileNotFoundError, OS, oserror_init, "File not found.")
SIMPLE_EXC(InterruptedError, OS, oserror_init, "Interrupted by signal.")
SIMPLE_EXC(IsADirectoryError, OS, oserror_init, "Operation doesn't work on directories.")
SIMPLE_EXC(NotADirectoryError, OS, oserror_init, "Operation only works on directories.")
SIMPLE_EXC(PermissionError, OS, oserror_init, "Not enough permissions.")
SIMPLE_EXC(ProcessLookupError, OS, oserror_init, "Process not found.")
SIMPLE_EXC(TimeoutError, OS, oserror_init, "Timeout expired.")
SIMPLE_EXC(ReferenceError, E, exc_init, "Weak ref proxy used after referent went away.")
SIMPLE_EXC(RuntimeError, E, exc_init, "Unspecified run-time error.")
SIMPLE_EXC(NotImplementedError, &exc_type_RuntimeError, exc_init,
           "Method or function hasn't been implemented yet.")
SIMPLE_EXC(RecursionError, &exc_type_RuntimeError, exc_init, "Recursion limit exceeded.")
FULL_EXC(SyntaxError, E, F_SYN_COUNT, NULL, syntaxerror_init, syntaxerror_str, syntaxerror_getset,
         "Invalid syntax.")
SIMPLE_EXC(IndentationError, &exc_type_SyntaxError, syntaxerror_init, "Improper indentation.")
SIMPLE_EXC(TabError, &exc_type_IndentationError, syntaxerror_init,
           "Improper mixture of spaces and tabs.")
SIMPLE_EXC(SystemError, E, exc_init,
           "Internal error in the Python interpreter.\n\nPlease report this to the Python "
           "maintainer, along with the traceback,\nthe Python version, and the hardware/OS "
           "platform and version.")
SIMPLE_EXC(TypeError, E, exc_init, "Inappropriate argument type.")
SIMPLE_EXC(ValueError, E, exc_init, "Inappropriate argument value (of correct type).")
SIMPLE_EXC(UnicodeError, &exc_type_ValueError, exc_init, "Unicode related error.")
FULL_EXC(UnicodeDecodeError, &exc_type_UnicodeError, F_UNI_COUNT, NULL, unicode_decode_init,
         unicode_decode_str, unicode_getset, "Unicode decoding error.")
FULL_EXC(UnicodeEncodeError, &exc_type_UnicodeError, F_UNI_COUNT, NULL, unicode_encode_init,
         unicode_encode_str, unicode_getset, "Unicode encoding error.")
FULL_EXC(UnicodeTranslateError, &exc_type_UnicodeError, F_UNI_COUNT, NULL, unicode_translate_init,
         unicode_translate_str, unicode_getset, "Unicode translation error.")
SIMPLE_EXC(Warning, E, exc_init, "Base class for warning categories.")
SIMPLE_EXC(DeprecationWarning, &exc_type_Warning, exc_init,
           "Base class for warnings about deprecated features.")
SIMPLE_EXC(RuntimeWarning, &exc_type_Warning, exc_init,
           "Base class for warnings about dubious runtime behavior.")
SIMPLE_EXC(UserWarning, &exc_type_Warning, exc_init,
           "Base class for warnings generated by user code.")
#undef E
#undef OS

// mini_exc_ValueError and the rest; BaseException's type is public under its own name.
#define exc_type_BaseException mini_base_exception_type
#define X(name, base) MiniType *const mini_exc_##name = &exc_type_##name;
MINI_EXCEPTIONS(X)
#undef X
#undef exc_type_BaseException

bool exception_types_ready(void) {
    if (!type_ready(&mini_base_exception_type))
        return false;
#define X(name, base)                                                                              \
    if (!type_ready(mini_exc_##name))                                                              \
        return false;
    MINI_EXCEPTIONS(X)
#undef X
    return type_ready(&mini_traceback_type);
}

// ---------------------------------------------------------------------------------------------
// Printing uncaught exceptions
// ---------------------------------------------------------------------------------------------

// CPython shows at most this many traceback entries (sys.tracebacklimit's default) and
// collapses a line repeated more than TB_RECURSIVE_CUTOFF times in a row.
#define TB_LIMIT 1000
#define TB_RECURSIVE_CUTOFF 3

typedef struct {
    StrBuf out;
    MiniObject *src_name; // the file whose text is cached, or NULL
    char *src;            // its contents, or NULL when it cannot be read
    size_t src_len;
} Printer;

// Line [lineno] of source file [filename], without its indentation and line end; NULL when
// the file cannot be read ("<string>", "<stdin>") or is shorter. Borrowed from the cache.
static const char *source_line(Printer *p, MiniObject *filename, int lineno, size_t *len) {
    if (!filename || !str_check(filename) || lineno < 1)
        return NULL;
    if (!p->src_name || !str_eq(p->src_name, filename)) {
        free(p->src);
        p->src = NULL;
        p->src_len = 0;
        MINI_XDECREF(p->src_name);
        p->src_name = mini_newref(filename);
        const char *fn = STR_DATA(filename);
        FILE *f = fn[0] && fn[0] != '<' ? fopen(fn, "rb") : NULL;
        if (f) {
            size_t cap = 4096, n = 0;
            char *buf = malloc(cap);
            while (buf) {
                size_t got = fread(buf + n, 1, cap - n, f);
                n += got;
                if (n < cap)
                    break;
                char *bigger = realloc(buf, cap * 2);
                if (!bigger) {
                    free(buf);
                    buf = NULL;
                    break;
                }
                buf = bigger;
                cap *= 2;
            }
            fclose(f);
            p->src = buf;
            p->src_len = buf ? n : 0;
        }
    }
    if (!p->src)
        return NULL;
    const char *s = p->src, *end = p->src + p->src_len;
    for (int i = 1; i < lineno; i++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            return NULL;
        s = nl + 1;
    }
    if (s >= end)
        return NULL;
    const char *e = memchr(s, '\n', (size_t)(end - s));
    if (!e)
        e = end;
    if (e > s && e[-1] == '\r')
        e--;
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\f'))
        s++;
    *len = (size_t)(e - s);
    return s;
}

static void print_tb_line(Printer *p, MiniTraceback *tb) {
    CodeObject *co = tb->code;
    strbuf_adds(&p->out, "  File \"");
    if (co && co->filename)
        strbuf_add_obj(&p->out, co->filename);
    strbuf_addf(&p->out, "\", line %d, in ", tb->lineno);
    if (co && co->name)
        strbuf_add_obj(&p->out, co->name);
    strbuf_addc(&p->out, '\n');
    size_t len;
    const char *line = co ? source_line(p, co->filename, tb->lineno, &len) : NULL;
    if (line) {
        strbuf_adds(&p->out, "    ");
        strbuf_add(&p->out, line, len);
        strbuf_addc(&p->out, '\n');
    }
}

static void print_repeated(Printer *p, long cnt) {
    cnt -= TB_RECURSIVE_CUTOFF;
    strbuf_addf(&p->out,
                cnt > 1 ? "  [Previous line repeated %ld more times]\n"
                        : "  [Previous line repeated %ld more time]\n",
                cnt);
}

static bool same_str(MiniObject *a, MiniObject *b) {
    if (a == b)
        return true;
    return a && b && str_check(a) && str_check(b) && str_eq(a, b);
}

static void print_traceback(Printer *p, MiniTraceback *tb) {
    strbuf_adds(&p->out, "Traceback (most recent call last):\n");
    long depth = 0;
    for (MiniTraceback *t = tb; t; t = t->next)
        depth++;
    while (tb && depth > TB_LIMIT) {
        depth--;
        tb = tb->next;
    }
    MiniObject *last_file = NULL, *last_name = NULL;
    int last_line = -1;
    long cnt = 0;
    for (; tb; tb = tb->next) {
        CodeObject *co = tb->code;
        MiniObject *file = co ? co->filename : NULL, *name = co ? co->name : NULL;
        if (!last_file || !same_str(file, last_file) || last_line == -1 ||
            tb->lineno != last_line || !last_name || !same_str(name, last_name)) {
            if (cnt > TB_RECURSIVE_CUTOFF)
                print_repeated(p, cnt);
            last_file = file;
            last_line = tb->lineno;
            last_name = name;
            cnt = 0;
        }
        cnt++;
        if (cnt <= TB_RECURSIVE_CUTOFF)
            print_tb_line(p, tb);
    }
    if (cnt > TB_RECURSIVE_CUTOFF)
        print_repeated(p, cnt);
}

// A field of a SyntaxError as a machine integer: [dflt] when None or absent.
static bool syntax_int(MiniObject *exc, const char *attr, int64_t dflt, int64_t *out) {
    MiniObject *v = mini_getattr_cstr(exc, attr);
    if (!v)
        return false;
    if (v == MINI_NONE) {
        *out = dflt;
        return true;
    }
    bool ok = int_check(v) && int_as_i64(v, out);
    if (!ok && !mini_error_occurred())
        mini_raise(mini_exc_TypeError, "'%s' object cannot be interpreted as an integer",
                   mini_type_name(v));
    MINI_DECREF(v);
    return ok;
}

// The source line of a SyntaxError with its caret line: CPython's print_error_text.
static void print_error_text(Printer *p, int64_t offset, int64_t end_offset, MiniObject *text) {
    int64_t carets = end_offset > 0 && end_offset > offset ? end_offset - offset : 1;
    const char *s = STR_DATA(text);
    offset--; // to 0-based
    while (*s == ' ' || *s == '\t' || *s == '\f') {
        s++;
        offset--;
    }
    int64_t len = (int64_t)strlen(s);
    if (len > 0 && s[len - 1] == '\n')
        len--;
    if (offset > len)
        offset = len;
    // A text spanning lines shows the line holding the offset.
    for (;;) {
        const char *nl = strchr(s, '\n');
        if (!nl)
            break;
        int64_t inl = nl - s;
        if (inl >= offset)
            break;
        inl++;
        s += inl;
        len -= inl;
        offset -= inl;
    }
    strbuf_adds(&p->out, "    ");
    strbuf_adds(&p->out, s);
    if (s[len] != '\n')
        strbuf_addc(&p->out, '\n');
    if (offset < 0)
        return; // the caret would point left of the text
    strbuf_adds(&p->out, "    ");
    while (--offset >= 0)
        strbuf_addc(&p->out, ' ');
    for (int64_t i = 0; i < carets; i++)
        strbuf_addc(&p->out, '^');
    strbuf_addc(&p->out, '\n');
}

// The location lines of a SyntaxError; returns its message (new reference) to print instead
// of str(exc), or NULL (no exception) if the attributes are unusable.
static MiniObject *print_syntax_location(Printer *p, MiniObject *exc) {
    MiniObject *msg = mini_getattr_cstr(exc, "msg");
    MiniObject *filename = msg ? mini_getattr_cstr(exc, "filename") : NULL;
    MiniObject *text = NULL;
    int64_t lineno, offset, end_lineno, end_offset;
    if (!filename || !syntax_int(exc, "lineno", 0, &lineno) ||
        !syntax_int(exc, "offset", -1, &offset))
        goto fail;
    if (mini_type(exc) == mini_exc_SyntaxError) {
        if (!syntax_int(exc, "end_lineno", lineno, &end_lineno) ||
            !syntax_int(exc, "end_offset", -1, &end_offset))
            goto fail;
    } else {
        end_lineno = lineno;
        end_offset = -1;
    }
    text = mini_getattr_cstr(exc, "text");
    if (!text)
        goto fail;
    strbuf_adds(&p->out, "  File \"");
    if (filename == MINI_NONE)
        strbuf_adds(&p->out, "<string>");
    else if (str_check(filename))
        strbuf_add_obj(&p->out, filename);
    else {
        MiniObject *fs = mini_str(filename);
        if (!fs)
            goto fail;
        strbuf_add_obj(&p->out, fs);
        MINI_DECREF(fs);
    }
    strbuf_addf(&p->out, "\", line %lld\n", (long long)lineno);
    if (text != MINI_NONE && str_check(text)) {
        int64_t size = (int64_t)STR_LEN(text);
        // A location spanning lines highlights to the end of its first line.
        if (end_lineno > lineno)
            end_offset = size;
        if (end_offset > size + 1)
            end_offset = size + 1;
        print_error_text(p, offset, end_offset, text);
    }
    MINI_DECREF(filename);
    MINI_DECREF(text);
    return msg;
fail:
    mini_error_clear();
    MINI_XDECREF(msg);
    MINI_XDECREF(filename);
    MINI_XDECREF(text);
    return NULL;
}

// "Did you mean" suggestions (CPython's Python/suggestions.c): the closest name by a
// Levenshtein distance where a case change costs 1 and any other edit 2.
#define SUGGEST_MAX_ITEMS 750
#define SUGGEST_MAX_STRING 40
#define MOVE_COST 2
#define CASE_COST 1

static size_t substitution_cost(char a, char b) {
    if ((a & 31) != (b & 31))
        return MOVE_COST;
    if (a == b)
        return 0;
    if (a >= 'A' && a <= 'Z')
        a += 'a' - 'A';
    if (b >= 'A' && b <= 'Z')
        b += 'a' - 'A';
    return a == b ? CASE_COST : MOVE_COST;
}

static size_t levenshtein(const char *a, size_t a_size, const char *b, size_t b_size,
                          size_t max_cost) {
    size_t buffer[SUGGEST_MAX_STRING];
    if (a == b)
        return 0;
    while (a_size && b_size && a[0] == b[0]) {
        a++;
        b++;
        a_size--;
        b_size--;
    }
    while (a_size && b_size && a[a_size - 1] == b[b_size - 1]) {
        a_size--;
        b_size--;
    }
    if (a_size == 0 || b_size == 0)
        return (a_size + b_size) * MOVE_COST;
    if (a_size > SUGGEST_MAX_STRING || b_size > SUGGEST_MAX_STRING)
        return max_cost + 1;
    if (b_size < a_size) {
        const char *t = a;
        a = b;
        b = t;
        size_t ts = a_size;
        a_size = b_size;
        b_size = ts;
    }
    if ((b_size - a_size) * MOVE_COST > max_cost)
        return max_cost + 1;
    size_t tmp = MOVE_COST;
    for (size_t i = 0; i < a_size; i++) {
        buffer[i] = tmp;
        tmp += MOVE_COST;
    }
    size_t result = 0;
    for (size_t bi = 0; bi < b_size; bi++) {
        char code = b[bi];
        size_t distance = result = bi * MOVE_COST;
        size_t minimum = SIZE_MAX;
        for (size_t i = 0; i < a_size; i++) {
            size_t substitute = distance + substitution_cost(code, a[i]);
            distance = buffer[i];
            size_t insert_delete = (result < distance ? result : distance) + MOVE_COST;
            result = insert_delete < substitute ? insert_delete : substitute;
            buffer[i] = result;
            if (result < minimum)
                minimum = result;
        }
        if (minimum > max_cost)
            return max_cost + 1;
    }
    return result;
}

// The name in list [dir] closest to [name], or NULL. Borrowed from the list.
static MiniObject *closest_name(MiniObject *dir, MiniObject *name) {
    size_t n = LIST_SIZE(dir);
    if (n >= SUGGEST_MAX_ITEMS)
        return NULL;
    size_t best_distance = SIZE_MAX;
    MiniObject *best = NULL;
    for (size_t i = 0; i < n; i++) {
        MiniObject *item = LIST_GET(dir, i);
        if (!str_check(item))
            return NULL;
        if (str_eq(item, name))
            continue;
        size_t max_distance = (STR_SIZE(name) + STR_SIZE(item) + 3) * MOVE_COST / 6;
        if (best_distance - 1 < max_distance)
            max_distance = best_distance - 1;
        size_t d = levenshtein(STR_DATA(name), STR_SIZE(name), STR_DATA(item), STR_SIZE(item),
                               max_distance);
        if (d > max_distance)
            continue;
        if (!best || d < best_distance) {
            best = item;
            best_distance = d;
        }
    }
    return best;
}

// closest_name() among the keys of dict [d]. New reference or NULL.
static MiniObject *closest_key(MiniObject *d, MiniObject *name) {
    if (!d || !dict_check(d))
        return NULL;
    MiniObject *keys = dict_keys_list(d);
    if (!keys)
        return NULL;
    MiniObject *r = closest_name(keys, name);
    MINI_XINCREF(r);
    MINI_DECREF(keys);
    return r;
}

// dir(obj) through the builtins module's dir. New list or NULL.
static MiniObject *dir_of(MiniObject *obj) {
    VM *vm = mini_ts ? mini_ts->vm : NULL;
    MiniObject *dir = vm && vm->builtins ? dict_get_cstr(vm->builtins, "dir") : NULL;
    if (!dir)
        return NULL;
    MiniObject *r = mini_call(dir, &obj, 1, NULL);
    if (r && !list_check(r)) {
        MINI_DECREF(r);
        return NULL;
    }
    return r;
}

// The suggestion for an AttributeError or NameError, or NULL. New reference; never raises.
static MiniObject *offer_suggestion(MiniObject *exc) {
    MiniObject *r = NULL;
    if (mini_isinstance_type(exc, mini_exc_AttributeError)) {
        MiniObject *name = FIELD(exc, F_ATTR_NAME), *obj = FIELD(exc, F_ATTR_OBJ);
        if (!name || !obj || mini_type(name) != &mini_str_type)
            return NULL;
        MiniObject *dir = dir_of(obj);
        if (dir) {
            r = closest_name(dir, name);
            MINI_XINCREF(r);
            MINI_DECREF(dir);
        }
    } else if (mini_isinstance_type(exc, mini_exc_NameError)) {
        MiniObject *name = FIELD(exc, F_NAME_NAME);
        MiniTraceback *tb = (MiniTraceback *)EXC(exc)->traceback;
        if (!name || mini_type(name) != &mini_str_type || !tb)
            return NULL;
        while (tb->next)
            tb = tb->next;
        // The names local to the code that raised it, then its globals, then the builtins.
        CodeObject *co = tb->code;
        MiniObject *locals = co ? list_new(0) : NULL;
        if (locals) {
            MiniObject *groups[2] = {co->varnames, co->cellvars};
            for (int g = 0; g < 2; g++)
                for (size_t i = 0; groups[g] && i < TUPLE_SIZE(groups[g]); i++)
                    list_append(locals, TUPLE_GET(groups[g], i));
            r = closest_name(locals, name);
            MINI_XINCREF(r);
            MINI_DECREF(locals);
        }
        if (!r)
            r = closest_key(FIELD(exc, F_NAME_GLOBALS), name);
        if (!r && mini_ts && mini_ts->vm)
            r = closest_key(mini_ts->vm->builtins, name);
    }
    if (mini_error_occurred())
        mini_error_clear();
    return r;
}

// The traceback, then "module.Qualname: message" and the notes, of one exception.
static void print_one(Printer *p, MiniObject *exc) {
    if (!exception_check(exc)) {
        strbuf_addf(&p->out,
                    "TypeError: print_exception(): Exception expected for value, %s found\n",
                    mini_type_name(exc));
        return;
    }
    MiniBaseException *e = EXC(exc);
    if (e->traceback && mini_type(e->traceback) == &mini_traceback_type)
        print_traceback(p, (MiniTraceback *)e->traceback);
    MiniObject *value = mini_newref(exc);
    MiniObject *pfl = mini_getattr_opt(exc, mini_intern("print_file_and_line"));
    if (pfl) {
        MINI_DECREF(pfl);
        MiniObject *msg = print_syntax_location(p, exc);
        if (msg)
            MINI_SETREF(value, msg);
    } else if (mini_error_occurred()) {
        mini_error_clear();
    }
    MiniType *t = mini_type(exc);
    MiniObject *mod = type_module_name(t);
    if (!mod || !str_check(mod)) {
        strbuf_adds(&p->out, "<unknown>.");
    } else if (!str_eq(mod, MINI_ID(builtins)) && !str_eq(mod, MINI_ID(__main__))) {
        strbuf_add_obj(&p->out, mod);
        strbuf_addc(&p->out, '.');
    }
    MiniObject *qual = type_qualname(t);
    if (qual && str_check(qual))
        strbuf_add_obj(&p->out, qual);
    else
        strbuf_adds(&p->out, "<unknown>");
    if (value != MINI_NONE) {
        MiniObject *s = mini_str(value);
        if (!s) {
            mini_error_clear();
            strbuf_adds(&p->out, ": <exception str() failed>");
        } else {
            if (STR_SIZE(s) > 0) {
                strbuf_adds(&p->out, ": ");
                strbuf_add_obj(&p->out, s);
            }
            MINI_DECREF(s);
        }
    }
    MiniObject *suggestion = value == exc ? offer_suggestion(exc) : NULL;
    if (suggestion) {
        strbuf_adds(&p->out, ". Did you mean: '");
        strbuf_add_obj(&p->out, suggestion);
        strbuf_adds(&p->out, "'?");
        MINI_DECREF(suggestion);
    }
    strbuf_addc(&p->out, '\n');
    MINI_DECREF(value);

    // Notes added with add_note(), one per line.
    MiniObject *notes = mini_getattr_opt(exc, mini_intern("__notes__"));
    if (!notes) {
        mini_error_clear();
        return;
    }
    if (list_check(notes) || tuple_check(notes)) {
        size_t n = list_check(notes) ? LIST_SIZE(notes) : TUPLE_SIZE(notes);
        for (size_t i = 0; i < n; i++) {
            if (list_check(notes) && i >= LIST_SIZE(notes))
                break;
            MiniObject *note = list_check(notes) ? LIST_GET(notes, i) : TUPLE_GET(notes, i);
            MiniObject *s = str_check(note) ? mini_newref(note) : mini_str(note);
            if (s) {
                strbuf_add_obj(&p->out, s);
                MINI_DECREF(s);
            } else {
                mini_error_clear();
                strbuf_adds(&p->out, "<note str() failed>");
            }
            strbuf_addc(&p->out, '\n');
        }
    } else if (notes != MINI_NONE) {
        MiniObject *r = mini_repr(notes);
        if (r) {
            strbuf_add_obj(&p->out, r);
            MINI_DECREF(r);
        } else {
            mini_error_clear();
            strbuf_adds(&p->out, "<__notes__ repr() failed>");
        }
        strbuf_addc(&p->out, '\n');
    }
    MINI_DECREF(notes);
}

// Writes [s] to sys.stderr, or to fd 2 when there is no sys.stderr.
static void write_stderr(MiniObject *s) {
    MiniObject *err = NULL;
    VM *vm = mini_ts ? mini_ts->vm : NULL;
    MiniObject *sys = vm ? vm->sys_module : NULL;
    if (sys && MINI_IS_PTR(sys) && mini_isinstance_type(sys, &mini_module_type) &&
        ((MiniModule *)sys)->dict)
        err = dict_get_str(((MiniModule *)sys)->dict, MINI_ID(stderr));
    if (mini_error_occurred())
        mini_error_clear();
    if (err && err != MINI_NONE) {
        MINI_INCREF(err);
        int r = file_write_str(err, s);
        if (r == 0)
            r = file_flush(err);
        MINI_DECREF(err);
        if (r == 0)
            return;
        mini_error_clear();
    }
    const char *data = STR_DATA(s);
    size_t left = STR_SIZE(s);
    while (left > 0) {
        ssize_t w = write(2, data, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += w;
        left -= (size_t)w;
    }
}

static void printer_flush(Printer *p) {
    MiniObject *s = strbuf_finish(&p->out);
    if (s) {
        write_stderr(s);
        MINI_DECREF(s);
    } else {
        mini_error_clear();
    }
    strbuf_init(&p->out);
}

static void printer_done(Printer *p) {
    strbuf_free(&p->out);
    MINI_XDECREF(p->src_name);
    free(p->src);
}

static bool seen_contains(MiniObject **seen, size_t n, MiniObject *o) {
    for (size_t i = 0; i < n; i++)
        if (seen[i] == o)
            return true;
    return false;
}

// Prints [exc] with the chain of causes and contexts before it, oldest first.
static void print_chain(Printer *p, MiniObject *exc) {
    // Walk the chain first (guarding against cycles), then print it from its far end.
    size_t cap = 16, n = 0;
    MiniObject **chain = malloc(cap * sizeof(MiniObject *));
    const char **joins = malloc(cap * sizeof(const char *));
    if (!chain || !joins) {
        free(chain);
        free(joins);
        print_one(p, exc);
        return;
    }
    static const char cause_message[] =
        "\nThe above exception was the direct cause of the following exception:\n\n";
    static const char context_message[] =
        "\nDuring handling of the above exception, another exception occurred:\n\n";
    chain[n++] = exc;
    MiniObject *cur = exc;
    while (exception_check(cur)) {
        MiniBaseException *e = EXC(cur);
        MiniObject *next = NULL;
        const char *join = NULL;
        if (e->cause) {
            if (!seen_contains(chain, n, e->cause)) {
                next = e->cause;
                join = cause_message;
            }
        } else if (e->context && !e->suppress_context) {
            if (!seen_contains(chain, n, e->context)) {
                next = e->context;
                join = context_message;
            }
        }
        if (!next)
            break;
        if (n == cap) {
            cap *= 2;
            MiniObject **c2 = realloc(chain, cap * sizeof(MiniObject *));
            if (c2)
                chain = c2;
            const char **j2 = c2 ? realloc(joins, cap * sizeof(const char *)) : NULL;
            if (j2)
                joins = j2;
            if (!c2 || !j2)
                break;
        }
        joins[n - 1] = join;
        chain[n++] = next;
        cur = next;
    }
    for (size_t i = n; i-- > 0;) {
        print_one(p, chain[i]);
        if (i > 0)
            strbuf_adds(&p->out, joins[i - 1]);
    }
    free(chain);
    free(joins);
}

void exception_print(MiniObject *exc) {
    if (!exc)
        return;
    // str() of the exception may run mini code: keep whatever is pending out of its way.
    MiniObject *saved = mini_error_fetch();
    MINI_INCREF(exc);
    file_flush_std();
    mini_error_clear();
    Printer p = {0};
    strbuf_init(&p.out);
    print_chain(&p, exc);
    printer_flush(&p);
    printer_done(&p);
    MINI_DECREF(exc);
    mini_error_clear();
    mini_error_restore(saved);
}

void exception_write_unraisable(MiniObject *what) {
    exception_write_unraisable_msg("Exception ignored in", what);
}

void exception_write_unraisable_msg(const char *msg, MiniObject *what) {
    MiniObject *exc = mini_error_fetch();
    if (!exc)
        return;
    file_flush_std();
    mini_error_clear();
    Printer p = {0};
    strbuf_init(&p.out);
    strbuf_adds(&p.out, msg);
    strbuf_adds(&p.out, ": ");
    MiniObject *r = what ? mini_repr(what) : NULL;
    if (r) {
        strbuf_add_obj(&p.out, r);
        MINI_DECREF(r);
    } else {
        mini_error_clear();
        strbuf_adds(&p.out, "<object repr() failed>");
    }
    strbuf_addc(&p.out, '\n');
    print_chain(&p, exc);
    printer_flush(&p);
    printer_done(&p);
    MINI_DECREF(exc);
    mini_error_clear();
}

void mini_syntax_error_set_end(int end_lineno, int end_offset) {
    MiniObject *exc = mini_ts ? mini_ts->curexc : NULL;
    if (!exc || !mini_isinstance_type(exc, mini_exc_SyntaxError))
        return;
    MiniObject *line = int_from_i64(end_lineno), *off = int_from_i64(end_offset);
    // Small ints cannot fail to be made; the fields keep what they had otherwise.
    if (line && off) {
        set_field(exc, F_SYN_END_LINENO, line);
        set_field(exc, F_SYN_END_OFFSET, off);
    }
    MINI_XDECREF(line);
    MINI_XDECREF(off);
}
