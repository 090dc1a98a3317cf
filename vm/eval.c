// eval.c - the eval loop: runs code objects, one 32-bit instruction at a time.
//
// Notes about the implementation
// ------------------------------
// Dispatch. An instruction is INSTR(op, arg): the opcode in the low byte, the argument in the
// other 24 bits. With MINI_COMPUTED_GOTO each handler ends by jumping straight to the next
// handler through a table built from opcodes.def (one indirect branch per instruction, which
// the CPU predicts per handler); otherwise a plain switch does the same job more slowly. The
// handlers are written once, for both: TARGET(op) opens one and DISPATCH() ends it.
//
// Registers. The running frame's hot state lives in C locals: `ip` (the next instruction),
// `sp` (the top of the value stack), `fastlocals`, `consts` and `names`. They are written back
// to the Frame only where someone else may look at them: before calls (the callee may read
// the caller's frame: super(), locals(), tracebacks), at a yield, on exit.
//
// Stackless calls. A call from mini code to a mini function does not recurse in C: the loop
// carves the callee's frame from the thread's frame stack, binds the arguments (moving the
// references off the caller's value stack when the call matches the signature exactly),
// links it (frame->back = caller), and continues with the callee's first instruction.
// RETURN_VALUE unlinks the frame, gives its memory back and pushes the value on the caller's
// stack. Only an *entry* frame (one C asked to run: eval_code, eval_call_function, a
// generator resume) returns from eval_frame_ex to C. So mini recursion is bounded by the
// recursion limit and memory, never by the C stack. Each frame counts one against
// vm->recursion_limit while it is linked; each C entry into the loop also counts against
// MINI_C_RECURSION_LIMIT, which is what protects the C stack.
//
// Method calls. LOAD_METHOD looks the attribute up on the type; when it is a plain function or
// a builtin method descriptor not shadowed by the instance dict, it pushes the unbound callable
// and the object ("meth self") instead of allocating a bound method; CALL_METHOD then calls
// with self as the first argument. A bound method object met by a call is unpacked the same
// way, in place (a frame's value stack has one spare slot for that).
//
// Exceptions. A failing operation leaves its exception pending on the thread state and jumps
// to `error`, which records a traceback entry for this frame's current line and then unwinds
// the frame's block stack: an EXCEPT_HANDLER block (a handler being run) restores the
// exception that was handled before it; the innermost FINALLY block (try, with) becomes an
// EXCEPT_HANDLER block that saves the handled exception, the raised exception becomes the
// handled one (ts->exc_info->exc), it is pushed, and execution continues at the handler. With
// no block left the frame is popped and the caller unwinds in turn, getting its own traceback
// entry, up to an entry frame, which returns NULL to C. RERAISE and a bare `raise` re-enter at
// `exception_unwind`, skipping the new traceback entry, so a re-raised exception keeps the
// traceback it had.
//
// Generators. A generator's frame is always an entry frame: generator_send (generator.c)
// links it and runs it here; YIELD_VALUE saves ip and sp in the frame and returns the value
// to C with *yielded set. YIELD_FROM sends into its subiterator and, while that yields,
// suspends *at itself* (ip points back at the YIELD_FROM), so the next value sent goes to the
// subiterator again; generator.c relies on that to find the subiterator for throw() and
// close().
//
// Fast paths. Small ints are computed on their tagged words (2x+1) with overflow checks,
// falling back to int.c; floats (and float/small-int mixes) are computed inline, and a float
// result overwrites a temporary float only the stack holds, or the float a local is about to
// drop, instead of allocating. A comparison followed by a conditional jump takes the jump
// itself; FOR_ITER over list and range iterators stores the item straight into the loop
// variable. Attribute lookups on types go through a per-thread cache keyed by (type, name)
// and invalidated by eval_types_changed() (class.c calls it whenever a class changes).
//
// Check points. The eval-breaker word (GIL drop requests, signals) is read only at RESUME
// (function entry), JUMP_BACKWARD and after calls that ran native code; straight-line code
// between check points is atomic as far as other threads are concerned.

#include <math.h>
#include <string.h>

#include "../runtime/generator.h"
#include "../stdlib/stdlib.h"
#include "eval_internal.h"

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
// Hides the value of [v] from the optimizer: keeps two 8-byte stack loads from being merged
// into one 16-byte load, which stalls when the slots were just written separately.
#define OPAQUE(v) __asm__("" : "+r"(v))
// Stops the optimizer from turning a short store loop into a memset call.
#define NO_MEMSET() __asm__("" ::: "memory")
#else
#define NOINLINE
#define ALWAYS_INLINE inline
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define OPAQUE(v) ((void)0)
#define NO_MEMSET() ((void)0)
#endif

// ---------------------------------------------------------------------------------------------
// Recursion and the eval breaker
// ---------------------------------------------------------------------------------------------

// Raises RecursionError "maximum recursion depth exceeded[where]". Returns NULL.
static MiniObject *raise_recursion(const char *where) {
    return mini_raise(mini_exc_RecursionError, "maximum recursion depth exceeded%s", where);
}

bool mini_enter_recursive_call(const char *where) {
    ThreadState *ts = mini_ts;
    if (UNLIKELY(ts->recursion_depth >= ts->vm->recursion_limit ||
                 ts->c_recursion_depth >= ts->c_recursion_limit)) {
        raise_recursion(where ? where : "");
        return false;
    }
    ts->recursion_depth++;
    ts->c_recursion_depth++;
    return true;
}

void mini_leave_recursive_call(void) {
    ThreadState *ts = mini_ts;
    ts->recursion_depth--;
    ts->c_recursion_depth--;
}

bool eval_handle_breaker(ThreadState *ts) {
    // Other threads set bits of this word (a waiter asking for the GIL, the signal handler),
    // so it is read atomically; each bit is cleared by the code that serves it.
    uint32_t bits = __atomic_load_n(&ts->eval_breaker, __ATOMIC_ACQUIRE);
    if ((bits & BREAK_SIGNALS) && !mini_signals_run_pending(ts))
        return false;
    if (bits & (BREAK_GIL_DROP | BREAK_GIL_COUNT))
        gil_check_point(ts);
    if (bits & BREAK_ASYNC_EXC) // nothing sends exceptions to threads yet
        __atomic_fetch_and(&ts->eval_breaker, ~BREAK_ASYNC_EXC, __ATOMIC_RELAXED);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

// See eval_internal.h. Borrowed.
MiniObject *eval_builtins_for(MiniObject *globals) {
    if (dict_check(globals)) {
        MiniObject *b = dict_get_str(globals, MINI_ID(__builtins__));
        if (b) {
            if (MINI_IS_PTR(b) && mini_isinstance_type(b, &mini_module_type) &&
                ((MiniModule *)b)->dict)
                return ((MiniModule *)b)->dict;
            if (dict_check(b))
                return b;
        }
    }
    return mini_ts->vm->builtins;
}

// See eval_internal.h. New reference.
MiniObject *eval_function_str(MiniObject *callable) {
    // Errors while asking for names must not replace the error being reported: the caller
    // raises right after, so any failure here is dropped.
    MiniObject *qualname = mini_getattr_opt(callable, MINI_ID(__qualname__));
    if (!qualname || !str_check(qualname)) {
        mini_error_clear();
        MINI_XDECREF(qualname);
        MiniObject *s = mini_str(callable);
        if (!s) {
            mini_error_clear();
            return str_from_format("%s()", mini_type_name(callable));
        }
        MiniObject *r = str_from_format("%U()", s);
        MINI_DECREF(s);
        return r;
    }
    MiniObject *module = mini_getattr_opt(callable, MINI_ID(__module__));
    mini_error_clear();
    MiniObject *r;
    if (module && str_check(module) && !str_eq(module, MINI_ID(builtins)))
        r = str_from_format("%U.%U()", module, qualname);
    else
        r = str_from_format("%U()", qualname);
    MINI_XDECREF(module);
    MINI_DECREF(qualname);
    return r;
}

// Raises UnboundLocalError for the local [name].
static void raise_unbound_local(MiniObject *name) {
    mini_raise(mini_exc_UnboundLocalError,
               "cannot access local variable '%U' where it is not associated with a value", name);
}

// The name of cell-or-free slot [idx] of [co] (cells first, then frees). Borrowed.
static MiniObject *deref_name(const CodeObject *co, size_t idx) {
    if (idx < (size_t)co->ncells)
        return TUPLE_GET(co->cellvars, idx);
    return TUPLE_GET(co->freevars, idx - (size_t)co->ncells);
}

// Raises the error for reading the empty cell-or-free slot [idx].
static void raise_unbound_deref(const CodeObject *co, size_t idx) {
    MiniObject *name = deref_name(co, idx);
    if (idx < (size_t)co->ncells)
        raise_unbound_local(name);
    else
        mini_raise(mini_exc_NameError,
                   "cannot access free variable '%U' where it is not associated with a value "
                   "in enclosing scope",
                   name);
}

static void raise_name_error(MiniObject *name) {
    mini_raise(mini_exc_NameError, "name '%U' is not defined", name);
}

// Looks [name] up in a namespace that may be any mapping (class bodies prepared by a
// metaclass). Borrowed-or-owned is awkward here, so: a new reference, or NULL with no
// exception when missing, or NULL with an exception.
static MiniObject *mapping_lookup(MiniObject *ns, MiniObject *name) {
    if (MINI_IS_PTR(ns) && ns->type == &mini_dict_type) {
        MiniObject *v = dict_get_str(ns, name);
        return v ? mini_newref(v) : NULL;
    }
    MiniObject *v = mini_getitem(ns, name);
    if (!v && mini_error_matches(mini_exc_KeyError))
        mini_error_clear();
    return v;
}

// The instance dict of [o] (of type [tp]) or NULL. Borrowed.
static inline MiniObject *instance_dict(MiniObject *o, MiniType *tp) {
    if (!tp->dictoffset || !MINI_IS_PTR(o))
        return NULL;
    if (UNLIKELY(tp->flags & MINI_TPFLAG_TUPLE_SUBCLASS)) {
        MiniObject **p = mini_dict_ptr(o);
        return p ? *p : NULL;
    }
    return *(MiniObject **)((char *)o + tp->dictoffset);
}

void eval_types_changed(void) {
    ThreadState *ts = mini_ts;
    if (ts && ts->vm)
        ts->vm->type_epoch++;
}

// type_lookup(tp, name) through the thread's type attribute cache. [name] must be immortal
// (the interned names of co_names are): entries are keyed by its address. Borrowed or NULL.
static inline MiniObject *cached_type_lookup(ThreadState *ts, MiniType *tp, MiniObject *name) {
#if MINI_TYPE_CACHE
    // Read the epoch first: if the lookup itself runs code that changes a class, the entry
    // is stored already stale and is never used.
    uint64_t epoch = ts->vm->type_epoch;
    size_t h = ((((uintptr_t)tp) >> 3) ^ (((uintptr_t)name) >> 4)) & (TYPE_CACHE_SIZE - 1);
    TypeCacheEntry *e = &ts->type_cache[h];
    if (e->type == tp && e->name == name && e->epoch == epoch)
        return e->value;
    MiniObject *v = type_lookup(tp, name);
    e->type = tp;
    e->name = name;
    e->value = v;
    e->epoch = epoch;
    return v;
#else
    (void)ts;
    return type_lookup(tp, name);
#endif
}

// Does [tp] look attributes up with the generic algorithm (no __getattr__/__getattribute__)?
static inline bool generic_getattr_type(MiniType *tp) {
    return tp->getattr == mini_generic_getattr || tp->getattr == NULL;
}

// o.name with the generic algorithm inlined: data descriptor, instance dict, class attribute.
// New reference or NULL with an exception.
static inline MiniObject *load_attr(ThreadState *ts, MiniObject *o, MiniObject *name,
                                    uint32_t *hint) {
    MiniType *tp = mini_type(o);
    if (!generic_getattr_type(tp))
        return tp->getattr(o, name);
    MiniObject *descr = cached_type_lookup(ts, tp, name);
    MiniType *dt = NULL;
    if (descr) {
        dt = mini_type(descr);
        if (dt->descr_get && dt->descr_set)
            return dt->descr_get(descr, o, (MiniObject *)tp);
    }
    MiniObject *dict = instance_dict(o, tp);
    if (dict) {
        MiniObject *v = dict_get_str_hinted(dict, name, hint);
        if (v)
            return mini_newref(v);
        if (UNLIKELY(mini_error_occurred()))
            return NULL;
    }
    if (descr) {
        if (dt->descr_get)
            return dt->descr_get(descr, o, (MiniObject *)tp);
        return mini_newref(descr);
    }
    // Not found: let the generic code raise its AttributeError.
    return mini_generic_getattr(o, name);
}

// o.name = value (value NULL: del o.name). The common case - an instance whose class has no
// data descriptor of that name and whose __dict__ exists - is done here; the rest goes to the
// type's slot or the generic code. 0 or -1.
static inline int store_attr(ThreadState *ts, MiniObject *o, MiniObject *name,
                             MiniObject *value, uint32_t *hint) {
    MiniType *tp = mini_type(o);
    if (tp->setattr && tp->setattr != mini_generic_setattr)
        return tp->setattr(o, name, value);
    if (value && tp->dictoffset && MINI_IS_PTR(o) && !(tp->flags & MINI_TPFLAG_TUPLE_SUBCLASS)) {
        MiniObject *descr = cached_type_lookup(ts, tp, name);
        if (!descr || !mini_type(descr)->descr_set) {
            MiniObject *dict = *(MiniObject **)((char *)o + tp->dictoffset);
            if (dict)
                return dict_set_str_hinted(dict, name, value, hint);
        }
    }
    return mini_generic_setattr(o, name, value);
}

// ---------------------------------------------------------------------------------------------
// Exceptions
// ---------------------------------------------------------------------------------------------

#define BASEEXC(o) ((MiniBaseException *)(o))

// The exception being handled, innermost first, skipping the empty entries of generators that
// handle nothing (CPython's _PyErr_GetTopmostException). Borrowed or NULL.
static MiniObject *topmost_handled(ThreadState *ts) {
    for (ExcInfo *ei = ts->exc_info; ei; ei = ei->previous)
        if (ei->exc && ei->exc != MINI_NONE)
            return ei->exc;
    return NULL;
}

// Sets exc.__context__ to the exception being handled, as raising does in CPython: never to
// itself, and breaking a cycle if the handled exception's context chain already leads back to
// [exc].
static void chain_context(ThreadState *ts, MiniObject *exc) {
    MiniObject *handled = topmost_handled(ts);
    if (!handled || handled == exc || !exception_check(exc) || !exception_check(handled))
        return;
    // Floyd's cycle detection, as in CPython's _PyErr_SetObject.
    MiniObject *o = handled, *slow = handled;
    bool toggle = false;
    for (;;) {
        MiniObject *ctx = BASEEXC(o)->context;
        if (!ctx)
            break;
        if (ctx == exc) {
            BASEEXC(o)->context = NULL;
            MINI_DECREF(ctx);
            break;
        }
        o = ctx;
        if (o == slow)
            break;
        if (toggle)
            slow = BASEEXC(slow)->context;
        toggle = !toggle;
    }
    MINI_INCREF(handled);
    MINI_SETREF(BASEEXC(exc)->context, handled);
}

// Is [o] a class deriving from BaseException?
static bool is_exception_class(MiniObject *o) {
    return MINI_IS_PTR(o) &&
           (o->type == &mini_type_type || (o->type->flags & MINI_TPFLAG_TYPE_SUBCLASS)) &&
           (((MiniType *)o)->flags & MINI_TPFLAG_EXC_SUBCLASS);
}

// Turns the operand of `raise` (a class or an instance) into an exception instance. [what]
// names the operand in the error ("exceptions" or "exception causes"). New reference or NULL.
static MiniObject *make_exception(MiniObject *o, const char *what) {
    if (is_exception_class(o)) {
        MiniObject *v = mini_call(o, NULL, 0, NULL);
        if (!v)
            return NULL;
        if (!exception_check(v)) {
            mini_raise(mini_exc_TypeError,
                       "calling %R should have returned an instance of BaseException, not %R", o,
                       (MiniObject *)mini_type(v));
            MINI_DECREF(v);
            return NULL;
        }
        return v;
    }
    if (exception_check(o))
        return mini_newref(o);
    return mini_raise(mini_exc_TypeError, "%s must derive from BaseException", what);
}

// RAISE_VARARGS: raises [exc] (NULL: re-raise the handled exception) with [cause] (NULL: no
// `from`). Consumes both. Returns true when re-raising (the traceback is kept as it is), false
// when a new exception is pending (a traceback entry is due).
static NOINLINE bool do_raise(ThreadState *ts, MiniObject *exc, MiniObject *cause) {
    if (!exc) {
        MiniObject *handled = topmost_handled(ts);
        if (!handled) {
            mini_raise_str(mini_exc_RuntimeError, "No active exception to reraise");
            return false;
        }
        mini_error_restore(mini_newref(handled));
        return true;
    }
    MiniObject *value = make_exception(exc, "exceptions");
    MINI_DECREF(exc);
    if (!value) {
        MINI_XDECREF(cause);
        return false;
    }
    if (cause) {
        MiniObject *fixed = NULL;
        if (cause != MINI_NONE) {
            fixed = make_exception(cause, "exception causes");
            if (!fixed) {
                MINI_DECREF(cause);
                MINI_DECREF(value);
                return false;
            }
        }
        MINI_DECREF(cause);
        MINI_SETREF(BASEEXC(value)->cause, fixed);
        BASEEXC(value)->suppress_context = true;
    }
    chain_context(ts, value);
    mini_error_restore(value);
    return false;
}

// Checks the operand of an `except` clause: a BaseException subclass or a tuple of them.
static bool check_except_class(MiniObject *cls) {
    if (tuple_check(cls)) {
        for (size_t i = 0; i < TUPLE_SIZE(cls); i++)
            if (!is_exception_class(TUPLE_GET(cls, i)))
                goto bad;
        return true;
    }
    if (is_exception_class(cls))
        return true;
bad:
    mini_raise_str(mini_exc_TypeError,
                   "catching classes that do not inherit from BaseException is not allowed");
    return false;
}

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

// Carves and fills a frame for calling [fn] with vectorcall arguments (borrowed). The frame
// is not linked yet. NULL with an exception (RecursionError, TypeError from binding).
static Frame *push_call_frame(ThreadState *ts, MiniFunction *fn, MiniObject *const *args,
                              size_t nargs, MiniObject *kwnames) {
    CodeObject *co = fn->code;
    if (UNLIKELY(ts->recursion_depth >= ts->vm->recursion_limit)) {
        raise_recursion("");
        return NULL;
    }
    Frame *nf = frame_carve(ts, frame_bytes(co));
    if (!nf)
        return NULL;
    frame_init(nf, co, true);
    nf->func = mini_newref((MiniObject *)fn);
    nf->globals = fn->globals;
    nf->builtins = fn->builtins;
    if (!frame_bind_args(nf, fn, args, nargs, kwnames)) {
        frame_release(ts, nf);
        return NULL;
    }
    return nf;
}

// Links [nf] as an entry frame on top of the thread's chain and runs it to completion.
// New reference or NULL.
static MiniObject *run_entry_frame(ThreadState *ts, Frame *nf) {
    nf->is_entry = 1;
    nf->back = ts->frame;
    ts->frame = nf;
    ts->recursion_depth++;
    ts->c_recursion_depth++;
    MiniObject *res = eval_frame_ex(nf, false, NULL);
    ts->c_recursion_depth--;
    return res;
}

// The call slot of functions: a generator for generator code, else the function run to
// its return in a nested loop. New reference or NULL.
MiniObject *eval_call_function(MiniObject *func, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    MiniFunction *fn = (MiniFunction *)func;
    if (kwnames && TUPLE_SIZE(kwnames) == 0)
        kwnames = NULL;
    if (fn->code->flags & CO_GENERATOR)
        return generator_new(fn, args, nargs, kwnames);
    ThreadState *ts = mini_ts;
    if (UNLIKELY(ts->c_recursion_depth >= ts->c_recursion_limit))
        return raise_recursion("");
    Frame *nf = push_call_frame(ts, fn, args, nargs, kwnames);
    if (!nf)
        return NULL;
    return run_entry_frame(ts, nf);
}

// Runs module code (or exec'd code). New reference or NULL.
MiniObject *eval_code(CodeObject *code, MiniObject *globals, MiniObject *locals) {
    ThreadState *ts = mini_ts;
    if (UNLIKELY(ts->recursion_depth >= ts->vm->recursion_limit ||
                 ts->c_recursion_depth >= ts->c_recursion_limit))
        return raise_recursion("");
    if (code->nfrees > 0)
        return mini_raise_str(mini_exc_TypeError,
                              "code object passed to exec() may not contain free variables");
    Frame *nf = frame_push(ts, code);
    if (!nf)
        return NULL;
    nf->globals = mini_newref(globals); // owned: module frames have no function
    nf->builtins = eval_builtins_for(globals);
    nf->locals = mini_newref(locals ? locals : globals);
    if (code->ncells > 0 && !frame_init_cells(nf, NULL)) {
        frame_release(ts, nf);
        return NULL;
    }
    return run_entry_frame(ts, nf);
}

// Runs a class body into [locals]. New reference (None or the __class__ cell) or NULL.
MiniObject *eval_class_body(MiniObject *func, MiniObject *locals) {
    MiniFunction *fn = (MiniFunction *)func;
    ThreadState *ts = mini_ts;
    if (UNLIKELY(ts->recursion_depth >= ts->vm->recursion_limit ||
                 ts->c_recursion_depth >= ts->c_recursion_limit))
        return raise_recursion("");
    Frame *nf = frame_push(ts, fn->code);
    if (!nf)
        return NULL;
    nf->func = mini_newref(func);
    nf->globals = fn->globals;
    nf->builtins = fn->builtins;
    nf->locals = mini_newref(locals);
    if (!(fn->code->flags & CO_NOFREE) && !frame_init_cells(nf, fn)) {
        frame_release(ts, nf);
        return NULL;
    }
    return run_entry_frame(ts, nf);
}

// New reference or NULL (see vm.h).
MiniObject *eval_frame(Frame *frame, bool *yielded) {
    return eval_frame_ex(frame, false, yielded);
}

// The positional arguments of f(*x) as a tuple, with CPython's message for a non-iterable.
// New reference or NULL.
static MiniObject *star_args_tuple(MiniObject *func, MiniObject *x) {
    MiniType *t = mini_type(x);
    if (!t->iter && !t->getitem) {
        MiniObject *fs = eval_function_str(func);
        if (fs) {
            mini_raise(mini_exc_TypeError, "%U argument after * must be an iterable, not %s", fs,
                       t->name);
            MINI_DECREF(fs);
        }
        return NULL;
    }
    return mini_sequence_tuple(x);
}

// Merges the keyword mapping [other] into [dict] for a call f(**other), refusing a key given
// twice. [func] names the callee in messages. False with an exception.
static NOINLINE bool merge_kwargs(MiniObject *dict, MiniObject *other, MiniObject *func) {
    MiniObject *keys = NULL;
    if (!dict_check(other)) {
        MiniObject *meth = mini_getattr_opt(other, MINI_ID(keys));
        if (!meth) {
            if (mini_error_occurred())
                return false;
            MiniObject *fs = eval_function_str(func);
            if (fs) {
                mini_raise(mini_exc_TypeError, "%U argument after ** must be a mapping, not %s",
                           fs, mini_type_name(other));
                MINI_DECREF(fs);
            }
            return false;
        }
        MiniObject *klist = mini_call(meth, NULL, 0, NULL);
        MINI_DECREF(meth);
        if (!klist)
            return false;
        keys = mini_sequence_list(klist);
        MINI_DECREF(klist);
        if (!keys)
            return false;
    }
    size_t pos = 0, i = 0;
    for (;;) {
        MiniObject *k, *v;
        bool owned = false;
        if (keys) {
            if (i >= LIST_SIZE(keys))
                break;
            k = LIST_GET(keys, i++);
            v = mini_getitem(other, k);
            if (!v)
                goto fail;
            owned = true;
        } else if (!dict_next(other, &pos, &k, &v)) {
            break;
        }
        MiniObject *old = dict_get(dict, k);
        if (old || mini_error_occurred()) {
            if (old) {
                MiniObject *fs = eval_function_str(func);
                if (fs) {
                    mini_raise(mini_exc_TypeError,
                               "%U got multiple values for keyword argument '%S'", fs, k);
                    MINI_DECREF(fs);
                }
            }
            if (owned)
                MINI_DECREF(v);
            goto fail;
        }
        int r = dict_set(dict, k, v);
        if (owned)
            MINI_DECREF(v);
        if (r < 0)
            goto fail;
    }
    MINI_XDECREF(keys);
    return true;
fail:
    MINI_XDECREF(keys);
    return false;
}

// Vectorcall arguments built from a tuple and a dict (CALL_FUNCTION_EX).
typedef struct {
    MiniObject **stack; // positional values, then keyword values (borrowed)
    size_t nargs;       // positional count
    MiniObject *kwnames; // owned tuple or NULL
    MiniObject *small[8];
} VecArgs;

// Fills [va] from the tuple [args] and the dict [kwargs] (may be NULL). False with TypeError
// "keywords must be strings" or MemoryError.
static bool vecargs_init(VecArgs *va, MiniObject *args, MiniObject *kwargs) {
    size_t npos = TUPLE_SIZE(args);
    size_t nkw = kwargs ? dict_size(kwargs) : 0;
    va->nargs = npos;
    va->kwnames = NULL;
    if (nkw == 0) {
        va->stack = TUPLE_ITEMS(args);
        return true;
    }
    va->stack = va->small;
    if (npos + nkw > sizeof va->small / sizeof va->small[0]) {
        va->stack = mini_malloc((npos + nkw) * sizeof(MiniObject *));
        if (!va->stack)
            return false;
    }
    memcpy(va->stack, TUPLE_ITEMS(args), npos * sizeof(MiniObject *));
    MiniObject *names = tuple_new(nkw);
    if (!names)
        goto fail;
    size_t pos = 0, i = 0;
    MiniObject *k, *v;
    while (i < nkw && dict_next(kwargs, &pos, &k, &v)) {
        if (!str_check(k)) {
            // The tuple's unfilled slots must not be released as objects.
            for (size_t j = i; j < nkw; j++)
                TUPLE_ITEMS(names)[j] = MINI_NONE;
            MINI_DECREF(names);
            mini_raise_str(mini_exc_TypeError, "keywords must be strings");
            goto fail;
        }
        TUPLE_ITEMS(names)[i] = mini_newref(k);
        va->stack[npos + i] = v;
        i++;
    }
    va->kwnames = names;
    return true;
fail:
    if (va->stack != va->small && va->stack != TUPLE_ITEMS(args))
        mini_free(va->stack);
    return false;
}

static void vecargs_free(VecArgs *va, MiniObject *args) {
    if (va->stack != va->small && va->stack != TUPLE_ITEMS(args))
        mini_free(va->stack);
    MINI_XDECREF(va->kwnames);
}

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

// [a] op [b] on two small ints, computed on the tagged words (2x+1) where that is exact.
// NULL (and no exception) when the result does not fit or the operator needs the slow path.
static ALWAYS_INLINE MiniObject *smallint_binop(MiniObject *a, MiniObject *b, unsigned op) {
    intptr_t x = (intptr_t)a, y = (intptr_t)b, r;
    switch (op & 15) {
    case BINOP_ADD: // (2a+1) + 2b = 2(a+b)+1
        if (__builtin_add_overflow(x, y - 1, &r))
            return NULL;
        return (MiniObject *)r;
    case BINOP_SUB: // (2a+1) - 2b = 2(a-b)+1
        if (__builtin_sub_overflow(x, y - 1, &r))
            return NULL;
        return (MiniObject *)r;
    case BINOP_MUL: // a * 2b, then the tag
        if (__builtin_mul_overflow(x >> 1, y - 1, &r))
            return NULL;
        return (MiniObject *)(r | 1);
    case BINOP_AND:
        return (MiniObject *)(x & y);
    case BINOP_OR:
        return (MiniObject *)(x | y);
    case BINOP_XOR:
        return (MiniObject *)((x ^ y) | 1);
    default:
        break;
    }
    intptr_t va = MINI_SMALLINT_VALUE(a), vb = MINI_SMALLINT_VALUE(b);
    switch (op & 15) {
    case BINOP_FLOORDIV: {
        if (vb == 0 || (vb == -1 && va == MINI_SMALLINT_MIN))
            return NULL;
        intptr_t q = va / vb;
        if ((va % vb != 0) && ((va < 0) != (vb < 0)))
            q--;
        return MINI_FROM_SMALLINT(q);
    }
    case BINOP_MOD: {
        if (vb == 0)
            return NULL;
        if (vb == -1)
            return MINI_FROM_SMALLINT(0);
        intptr_t m = va % vb;
        if (m != 0 && ((m < 0) != (vb < 0)))
            m += vb;
        return MINI_FROM_SMALLINT(m);
    }
    case BINOP_TRUEDIV: {
        // Both exact as doubles: IEEE division rounds correctly, as CPython's int/int does.
        const intptr_t lim = (intptr_t)1 << 53;
        if (vb == 0 || va > lim || va < -lim || vb > lim || vb < -lim)
            return NULL;
        return float_new((double)va / (double)vb);
    }
    case BINOP_LSHIFT: {
        if (vb < 0)
            return NULL;
        if (va == 0)
            return a;
        if (vb >= 62)
            return NULL;
        intptr_t s = (intptr_t)((uintptr_t)va << vb);
        if ((s >> vb) != va || !MINI_FITS_SMALLINT(s))
            return NULL;
        return MINI_FROM_SMALLINT(s);
    }
    case BINOP_RSHIFT:
        if (vb < 0)
            return NULL;
        return MINI_FROM_SMALLINT(va >> (vb > 63 ? 63 : vb));
    default:
        return NULL;
    }
}

// The value of [o] as a double if it is an exact float, or a small int, for the float fast
// paths. False if neither.
static inline bool as_fast_double(MiniObject *o, double *out) {
    if (MINI_IS_SMALLINT(o)) {
        *out = (double)MINI_SMALLINT_VALUE(o);
        return true;
    }
    if (MINI_IS_PTR(o) && o->type == &mini_float_type) {
        *out = ((MiniFloat *)o)->value;
        return true;
    }
    return false;
}

// A float holding [v] for the result of an operation on [a] and [b] (both still owned by the
// value stack): an operand that is a float only the stack refers to (refcount 1, a temporary
// like the result of `dx * dx`) is overwritten and returned instead of allocating a new
// float - nothing else can see it change. New reference or NULL with MemoryError.
static inline MiniObject *float_result(MiniObject *a, MiniObject *b, double v) {
    if (MINI_IS_PTR(a) && a->type == &mini_float_type && a->refcnt == 1) {
        ((MiniFloat *)a)->value = v;
        return mini_newref(a);
    }
    if (MINI_IS_PTR(b) && b->type == &mini_float_type && b->refcnt == 1) {
        ((MiniFloat *)b)->value = v;
        return mini_newref(b);
    }
    // The thread's free list of floats (object.c keeps it), popped inline.
    ThreadState *ts = mini_ts;
    MiniObject *o = ts->float_free;
    if (o) {
        ts->float_free = (MiniObject *)o->type;
        ts->float_free_count--;
        o->refcnt = 1;
        o->type = &mini_float_type;
        ((MiniFloat *)o)->value = v;
        return o;
    }
    return float_new(v);
}

// Computes [a] op [b] into *out when at least one is an exact float and the other a float or
// small int, for + - * and / by a non-zero (what float's own slots would compute). False when
// the operation is left to the general path.
static inline bool float_binop(MiniObject *a, MiniObject *b, unsigned op, double *out) {
    double x, y;
    if (!as_fast_double(a, &x) || !as_fast_double(b, &y))
        return false;
    switch (op & 15) {
    case BINOP_ADD:
        *out = x + y;
        return true;
    case BINOP_SUB:
        *out = x - y;
        return true;
    case BINOP_MUL:
        *out = x * y;
        return true;
    case BINOP_TRUEDIV:
        if (y == 0.0)
            return false;
        *out = x / y;
        return true;
    case BINOP_POW:
        // A positive finite base: pow() is exactly what float's slot computes. Negative and
        // zero bases, non-finite operands and overflow (OverflowError) take the slot.
        if (x > 0.0 && isfinite(x) && isfinite(y)) {
            double r = pow(x, y);
            if (!isinf(r)) {
                *out = r;
                return true;
            }
        }
        return false;
    default:
        return false;
    }
}

static inline bool compare_doubles(double x, double y, unsigned op) {
    switch (op) {
    case CMP_LT: return x < y;
    case CMP_LE: return x <= y;
    case CMP_EQ: return x == y;
    case CMP_NE: return x != y;
    case CMP_GT: return x > y;
    default: return x >= y;
    }
}

static inline bool compare_words(intptr_t x, intptr_t y, unsigned op) {
    switch (op) {
    case CMP_LT: return x < y;
    case CMP_LE: return x <= y;
    case CMP_EQ: return x == y;
    case CMP_NE: return x != y;
    case CMP_GT: return x > y;
    default: return x >= y;
    }
}

// Unpacks [v] into exactly [before] items, or with a starred target into [before] items, a
// list, and [after] items (after >= 0). The items are written downwards from [top], so the
// first item ends up highest (on top of the value stack). True on success.
static NOINLINE bool unpack_iterable(MiniObject *v, int before, int after, MiniObject **top) {
    MiniType *t = mini_type(v);
    if (!t->iter && !t->getitem) {
        mini_raise(mini_exc_TypeError, "cannot unpack non-iterable %s object", t->name);
        return false;
    }
    MiniObject *it = mini_iter(v);
    if (!it)
        return false;
    MiniObject **sp = top;
    int i;
    for (i = 0; i < before; i++) {
        MiniObject *w = mini_next(it);
        if (!w) {
            if (!mini_error_occurred()) {
                if (after < 0)
                    mini_raise(mini_exc_ValueError,
                               "not enough values to unpack (expected %d, got %d)", before, i);
                else
                    mini_raise(mini_exc_ValueError,
                               "not enough values to unpack (expected at least %d, got %d)",
                               before + after, i);
            }
            goto fail;
        }
        *--sp = w;
    }
    if (after < 0) {
        MiniObject *w = mini_next(it);
        if (w) {
            MINI_DECREF(w);
            mini_raise(mini_exc_ValueError, "too many values to unpack (expected %d)", before);
            goto fail;
        }
        if (mini_error_occurred())
            goto fail;
        MINI_DECREF(it);
        return true;
    }
    MiniObject *rest = mini_sequence_list(it);
    if (!rest)
        goto fail;
    *--sp = rest;
    size_t ll = LIST_SIZE(rest);
    if (ll < (size_t)after) {
        mini_raise(mini_exc_ValueError,
                   "not enough values to unpack (expected at least %d, got %zu)", before + after,
                   (size_t)before + ll);
        goto fail;
    }
    // Move the last [after] items of the list onto the stack.
    for (int j = after; j > 0; j--)
        *--sp = LIST_GET(rest, ll - (size_t)j);
    ((MiniList *)rest)->size = ll - (size_t)after;
    MINI_DECREF(it);
    return true;
fail:
    while (sp < top) {
        MiniObject *w = *sp++;
        MINI_DECREF(w);
    }
    MINI_DECREF(it);
    return false;
}

// ---------------------------------------------------------------------------------------------
// Rarely used instructions, kept out of the loop's body
// ---------------------------------------------------------------------------------------------

// IMPORT_NAME: builtins.__import__(name, globals, locals, fromlist, level). New reference.
static NOINLINE MiniObject *import_name(Frame *f, MiniObject *name, MiniObject *fromlist,
                                        MiniObject *level) {
    MiniObject *import = dict_get_str(f->builtins, MINI_ID(__import__));
    if (!import) {
        if (!mini_error_occurred())
            mini_raise_str(mini_exc_ImportError, "__import__ not found");
        return NULL;
    }
    MiniObject *args[5] = {name, f->globals, f->locals ? f->locals : MINI_NONE, fromlist, level};
    return mini_call(import, args, 5, NULL);
}

// IMPORT_FROM: module.name, or the submodule "module.name" from sys.modules. New reference.
static NOINLINE MiniObject *import_from(MiniObject *module, MiniObject *name) {
    MiniObject *v = mini_getattr_opt(module, name);
    if (v || mini_error_occurred())
        return v;
    MiniObject *pkgname = mini_getattr_opt(module, MINI_ID(__name__));
    if (!pkgname && mini_error_occurred())
        return NULL;
    if (pkgname && str_check(pkgname)) {
        MiniObject *full = str_from_format("%U.%U", pkgname, name);
        if (!full) {
            MINI_DECREF(pkgname);
            return NULL;
        }
        MiniObject *sub = dict_get(mini_ts->vm->modules, full);
        MINI_DECREF(full);
        if (sub) {
            MINI_DECREF(pkgname);
            return mini_newref(sub);
        }
    }
    MiniObject *path = mini_getattr_opt(module, MINI_ID(__file__));
    mini_error_clear();
    if (!pkgname || !str_check(pkgname))
        mini_raise(mini_exc_ImportError,
                   "cannot import name %R from '<unknown module name>' (unknown location)", name);
    else if (module_is_initializing(module) && path && str_check(path))
        mini_raise(mini_exc_ImportError,
                   "cannot import name %R from partially initialized module %R (most likely due "
                   "to a circular import) (%S)",
                   name, pkgname, path);
    else if (module_is_initializing(module))
        mini_raise(mini_exc_ImportError,
                   "cannot import name %R from partially initialized module %R (most likely due "
                   "to a circular import) (unknown location)",
                   name, pkgname);
    else if (path && str_check(path))
        mini_raise(mini_exc_ImportError, "cannot import name %R from %R (%S)", name, pkgname,
                   path);
    else
        mini_raise(mini_exc_ImportError, "cannot import name %R from %R (unknown location)",
                   name, pkgname);
    MINI_XDECREF(pkgname);
    MINI_XDECREF(path);
    return NULL;
}

// Stores [v] under [name] in the namespace [ns] (any mapping). 0 or -1.
static int namespace_store(MiniObject *ns, MiniObject *name, MiniObject *v) {
    if (MINI_IS_PTR(ns) && ns->type == &mini_dict_type)
        return dict_set(ns, name, v);
    return mini_setitem(ns, name, v);
}

// IMPORT_STAR: copies the public names of [module] (its __all__, or every name not starting
// with '_') into [locals]. False with an exception.
static NOINLINE bool import_star(MiniObject *module, MiniObject *locals) {
    if (!locals) {
        mini_raise_str(mini_exc_SystemError, "no locals found during 'import *'");
        return false;
    }
    bool skip_private = false;
    MiniObject *all = mini_getattr_opt(module, MINI_ID(__all__));
    if (!all) {
        if (mini_error_occurred())
            return false;
        MiniObject *dict = mini_getattr_opt(module, MINI_ID(__dict__));
        if (!dict) {
            if (!mini_error_occurred())
                mini_raise_str(mini_exc_ImportError,
                               "from-import-* object has no __dict__ and no __all__");
            return false;
        }
        all = dict_check(dict) ? dict_keys_list(dict) : mini_sequence_list(dict);
        MINI_DECREF(dict);
        if (!all)
            return false;
        skip_private = true;
    }
    MiniObject *names = mini_sequence_list(all);
    MINI_DECREF(all);
    if (!names)
        return false;
    bool ok = true;
    for (size_t i = 0; i < LIST_SIZE(names) && ok; i++) {
        MiniObject *name = LIST_GET(names, i);
        if (!str_check(name)) {
            MiniObject *modname = mini_getattr_opt(module, MINI_ID(__name__));
            mini_error_clear();
            if (modname && str_check(modname))
                mini_raise(mini_exc_TypeError, "%s in %U.%s must be str, not %s",
                           skip_private ? "Key" : "Item", modname,
                           skip_private ? "__dict__" : "__all__", mini_type_name(name));
            else
                mini_raise(mini_exc_TypeError, "%s in ?.%s must be str, not %s",
                           skip_private ? "Key" : "Item", skip_private ? "__dict__" : "__all__",
                           mini_type_name(name));
            MINI_XDECREF(modname);
            ok = false;
            break;
        }
        if (skip_private && STR_SIZE(name) > 0 && STR_DATA(name)[0] == '_')
            continue;
        MiniObject *v = mini_getattr(module, name);
        if (!v) {
            ok = false;
            break;
        }
        ok = namespace_store(locals, name, v) == 0;
        MINI_DECREF(v);
    }
    MINI_DECREF(names);
    return ok;
}

// PRINT_EXPR: the interactive echo (sys.displayhook): repr(v) and a newline to sys.stdout,
// and builtins._ = v. None prints nothing. False with an exception.
static NOINLINE bool print_expr(ThreadState *ts, MiniObject *v) {
    if (v == MINI_NONE)
        return true;
    VM *vm = ts->vm;
    MiniObject *underscore = mini_intern("_");
    if (!underscore || dict_set(vm->builtins, underscore, MINI_NONE) < 0)
        return false;
    MiniObject *out = vm->sys_module ? mini_getattr_opt(vm->sys_module, MINI_ID(stdout)) : NULL;
    if (!out) {
        if (!mini_error_occurred())
            mini_raise_str(mini_exc_RuntimeError, "lost sys.stdout");
        return false;
    }
    MiniObject *r = mini_repr(v);
    MiniObject *line = r ? str_from_format("%U\n", r) : NULL;
    MINI_XDECREF(r);
    bool ok = line && file_write_str(out, line) == 0;
    MINI_XDECREF(line);
    MINI_DECREF(out);
    return ok && dict_set(vm->builtins, underscore, v) == 0;
}

// SETUP_ANNOTATIONS: makes sure the namespace has an __annotations__ dict.
static NOINLINE bool setup_annotations(MiniObject *locals) {
    if (!locals) {
        mini_raise_str(mini_exc_SystemError, "no locals found when setting up annotations");
        return false;
    }
    MiniObject *ann = mapping_lookup(locals, MINI_ID(__annotations__));
    if (ann) {
        MINI_DECREF(ann);
        return true;
    }
    if (mini_error_occurred())
        return false;
    MiniObject *d = dict_new();
    if (!d)
        return false;
    int r = namespace_store(locals, MINI_ID(__annotations__), d);
    MINI_DECREF(d);
    return r == 0;
}

// SETUP_WITH's lookups: binds __enter__ and __exit__ of [mgr] from its type, with CPython
// 3.11's messages. Fills *enter and *exit with new references. False with TypeError.
static NOINLINE bool lookup_context_manager(MiniObject *mgr, MiniObject **enter,
                                            MiniObject **exit) {
    MiniType *t = mini_type(mgr);
    MiniObject *en = type_lookup(t, MINI_ID(__enter__));
    if (!en) {
        mini_raise(mini_exc_TypeError,
                   "'%s' object does not support the context manager protocol", t->name);
        return false;
    }
    MiniObject *ex = type_lookup(t, MINI_ID(__exit__));
    if (!ex) {
        mini_raise(mini_exc_TypeError,
                   "'%s' object does not support the context manager protocol (missed __exit__ "
                   "method)",
                   t->name);
        return false;
    }
    MiniType *et = mini_type(en), *xt = mini_type(ex);
    *enter = et->descr_get ? et->descr_get(en, mgr, (MiniObject *)t) : mini_newref(en);
    if (!*enter)
        return false;
    *exit = xt->descr_get ? xt->descr_get(ex, mgr, (MiniObject *)t) : mini_newref(ex);
    if (!*exit) {
        MINI_DECREF(*enter);
        return false;
    }
    return true;
}

// DICT_UPDATE: {**m}. False with an exception ("'int' object is not a mapping").
static NOINLINE bool dict_update_op(MiniObject *dict, MiniObject *m) {
    if (!dict_check(m)) {
        MiniObject *keys = mini_getattr_opt(m, MINI_ID(keys));
        if (!keys) {
            if (!mini_error_occurred())
                mini_raise(mini_exc_TypeError, "'%s' object is not a mapping", mini_type_name(m));
            return false;
        }
        MINI_DECREF(keys);
    }
    return dict_update(dict, m) == 0;
}

// SET_UPDATE: {*it}. False with an exception.
static NOINLINE bool set_update_op(MiniObject *set, MiniObject *iterable) {
    MiniObject *it = mini_iter(iterable);
    if (!it)
        return false;
    MiniObject *x;
    while ((x = mini_next(it))) {
        int r = set_add(set, x);
        MINI_DECREF(x);
        if (r < 0) {
            MINI_DECREF(it);
            return false;
        }
    }
    MINI_DECREF(it);
    return !mini_error_occurred();
}

// LIST_EXTEND: [*it], with 3.11's message for a non-iterable. False with an exception.
static NOINLINE bool list_extend_op(MiniObject *list, MiniObject *iterable) {
    MiniType *t = mini_type(iterable);
    if (!t->iter && !t->getitem) {
        mini_raise(mini_exc_TypeError, "Value after * must be an iterable, not %s", t->name);
        return false;
    }
    return list_extend(list, iterable) == 0;
}

// BUILD_STRING: the concatenation of [n] str. New reference.
static NOINLINE MiniObject *build_string(MiniObject **items, size_t n) {
    StrBuf b;
    strbuf_init(&b);
    for (size_t i = 0; i < n; i++)
        strbuf_add_obj(&b, items[i]);
    return strbuf_finish(&b);
}

// FORMAT_VALUE: applies the conversion ([conv] 1 str, 2 repr, 3 ascii) and the format [spec]
// (NULL: none) to [value]. Consumes nothing. New str.
static NOINLINE MiniObject *format_value(MiniObject *value, int conv, MiniObject *spec) {
    MiniObject *v = value;
    switch (conv) {
    case 1: v = mini_str(value); break;
    case 2: v = mini_repr(value); break;
    case 3: v = mini_ascii(value); break;
    default: MINI_INCREF(v); break;
    }
    if (!v)
        return NULL;
    if (!spec && MINI_IS_PTR(v) && v->type == &mini_str_type)
        return v;
    MiniObject *r = mini_format(v, spec);
    MINI_DECREF(v);
    return r;
}

// The subiterator of YIELD_FROM: sends [v] into [it]. Returns 1 with *out the yielded
// value, 0 with *out the subiterator's return value (it is exhausted), -1 on error. Both
// *out are new references.
static NOINLINE int yield_from_send(MiniObject *it, MiniObject *v, MiniObject **out) {
    MiniObject *r;
    if (generator_check(it)) {
        GenResult gr = generator_send((MiniGenerator *)it, v, false, out);
        return gr == GEN_RESULT_YIELD ? 1 : gr == GEN_RESULT_RETURN ? 0 : -1;
    }
    MiniType *t = mini_type(it);
    if (v != MINI_NONE)
        r = mini_call_method(it, "send", 1, v);
    else if (t->flags & MINI_TPFLAG_HEAPTYPE)
        // A class written in mini: call __next__ itself so that the value of the
        // StopIteration it raises is not lost (its iternext slot swallows it).
        r = mini_call_method(it, "__next__", 0);
    else if (t->iternext)
        r = t->iternext(it);
    else
        r = mini_call_method(it, "send", 1, v);
    if (r) {
        *out = r;
        return 1;
    }
    if (!mini_error_occurred()) {
        *out = mini_newref(MINI_NONE);
        return 0;
    }
    if (mini_error_matches(mini_exc_StopIteration)) {
        MiniObject *exc = mini_error_fetch();
        *out = mini_newref(stopiteration_value(exc));
        MINI_DECREF(exc);
        return 0;
    }
    return -1;
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

#define TOP() (sp[-1])
#define SECOND() (sp[-2])
#define THIRD() (sp[-3])
#define FOURTH() (sp[-4])
#define PEEK(n) (sp[-(ptrdiff_t)(n)])
#define SET_TOP(v) (sp[-1] = (v))
#define SET_SECOND(v) (sp[-2] = (v))
#define SET_THIRD(v) (sp[-3] = (v))
#define SET_FOURTH(v) (sp[-4] = (v))
#define PUSH(v) (*sp++ = (v))
#define POP() (*--sp)

// Reloads the registers from the frame [f].
#define LOAD_FRAME()                                                                             \
    do {                                                                                         \
        co = f->code;                                                                            \
        ip = f->ip;                                                                              \
        sp = f->sp;                                                                              \
        fastlocals = f->localsplus;                                                              \
        consts = TUPLE_ITEMS(co->consts);                                                        \
        names = TUPLE_ITEMS(co->names);                                                          \
    } while (0)

#define JUMP_TO(target) (ip = co->code + (target))

// Runs the breaker at a check point; the registers are saved first since it may run code.
#define CHECK_BREAKER()                                                                          \
    do {                                                                                         \
        if (UNLIKELY(__atomic_load_n(&ts->eval_breaker, __ATOMIC_RELAXED))) {                    \
            f->ip = ip;                                                                          \
            f->sp = sp;                                                                          \
            if (!eval_handle_breaker(ts))                                                        \
                goto error;                                                                      \
        }                                                                                        \
    } while (0)

#if MINI_COMPUTED_GOTO
#define TARGET(op)                                                                               \
    TARGET_##op:                                                                                 \
    case OP_##op:
#define DISPATCH()                                                                               \
    do {                                                                                         \
        word = *ip++;                                                                            \
        oparg = INSTR_ARG(word);                                                                 \
        goto *dispatch_table[INSTR_OP(word)];                                                    \
    } while (0)
#else
#define TARGET(op) case OP_##op:
#define DISPATCH() goto dispatch
#endif

// The loop itself. New reference (the returned or yielded value) or NULL.
MiniObject *eval_frame_ex(Frame *frame, bool throwflag, bool *yielded) {
#if MINI_COMPUTED_GOTO
    static void *const dispatch_table[OP__COUNT] = {
#define OP(name, kind) [OP_##name] = &&TARGET_##name,
#include "opcodes.def"
#undef OP
    };
#endif
    ThreadState *ts = mini_ts;
    Frame *f = frame;
    CodeObject *co;
    const uint32_t *ip;
    MiniObject **sp;
    MiniObject **fastlocals;
    MiniObject *const *consts;
    MiniObject *const *names;
    uint32_t word, oparg;
    MiniObject *retval = NULL;
    // The shared call sequence's inputs (see do_call).
    MiniObject **call_base, **call_new_sp;
    size_t call_nargs;
    MiniObject *call_kwnames;

    if (yielded)
        *yielded = false;
    LOAD_FRAME();
    if (throwflag)
        goto error;

#if !MINI_COMPUTED_GOTO
dispatch:
#endif
    word = *ip++;
    oparg = INSTR_ARG(word);
#if MINI_COMPUTED_GOTO
    goto *dispatch_table[INSTR_OP(word)];
#endif
    switch (INSTR_OP(word)) {

    // --- Stack manipulation

    TARGET(NOP) {
        DISPATCH();
    }

    TARGET(POP_TOP) {
        MiniObject *v = POP();
        MINI_DECREF(v);
        DISPATCH();
    }

    TARGET(ROT_TWO) {
        MiniObject *a = TOP(), *b = SECOND();
        OPAQUE(a);
        SET_TOP(b);
        SET_SECOND(a);
        DISPATCH();
    }

    TARGET(ROT_THREE) {
        MiniObject *top = TOP(), *second = SECOND(), *third = THIRD();
        SET_TOP(second);
        SET_SECOND(third);
        SET_THIRD(top);
        DISPATCH();
    }

    TARGET(ROT_FOUR) {
        MiniObject *top = TOP(), *second = SECOND(), *third = THIRD(), *fourth = FOURTH();
        SET_TOP(second);
        SET_SECOND(third);
        SET_THIRD(fourth);
        SET_FOURTH(top);
        DISPATCH();
    }

    TARGET(DUP_TOP) {
        MiniObject *v = TOP();
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(DUP_TOP_TWO) {
        MiniObject *top = TOP(), *second = SECOND();
        OPAQUE(top);
        MINI_INCREF(top);
        MINI_INCREF(second);
        sp += 2;
        SET_TOP(top);
        SET_SECOND(second);
        DISPATCH();
    }

    // --- Operators

    TARGET(UNARY_POSITIVE) {
        MiniObject *v = TOP();
        MiniObject *res = mini_pos(v);
        MINI_DECREF(v);
        SET_TOP(res);
        if (!res) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(UNARY_NEGATIVE) {
        MiniObject *v = TOP();
        if (MINI_IS_SMALLINT(v) && MINI_SMALLINT_VALUE(v) != MINI_SMALLINT_MIN) {
            SET_TOP(MINI_FROM_SMALLINT(-MINI_SMALLINT_VALUE(v)));
            DISPATCH();
        }
        if (MINI_IS_PTR(v) && v->type == &mini_float_type && v->refcnt == 1) {
            // A temporary float: negate it in place (see float_result).
            ((MiniFloat *)v)->value = -((MiniFloat *)v)->value;
            DISPATCH();
        }
        MiniObject *res = mini_neg(v);
        MINI_DECREF(v);
        SET_TOP(res);
        if (!res) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(UNARY_NOT) {
        MiniObject *v = TOP();
        if (v == MINI_TRUE) {
            SET_TOP(MINI_FALSE);
            DISPATCH();
        }
        if (v == MINI_FALSE || v == MINI_NONE) {
            SET_TOP(MINI_TRUE);
            DISPATCH();
        }
        int r = mini_truthy(v);
        MINI_DECREF(v);
        if (r < 0) {
            sp--;
            goto error;
        }
        SET_TOP(MINI_BOOL(!r));
        DISPATCH();
    }

    TARGET(UNARY_INVERT) {
        MiniObject *v = TOP();
        if (MINI_IS_SMALLINT(v)) {
            SET_TOP(MINI_FROM_SMALLINT(~MINI_SMALLINT_VALUE(v)));
            DISPATCH();
        }
        MiniObject *res = mini_invert(v);
        MINI_DECREF(v);
        SET_TOP(res);
        if (!res) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(BINARY_OP) {
        MiniObject *right = TOP(), *left = SECOND(), *res;
        if (MINI_IS_SMALLINT(left) && MINI_IS_SMALLINT(right)) {
            res = smallint_binop(left, right, oparg);
            if (res) {
                sp--;
                SET_TOP(res);
                DISPATCH();
            }
            if (UNLIKELY(ts->curexc != NULL)) { // float_new failed in a true division
                sp -= 2;
                goto error;
            }
        } else if ((MINI_IS_PTR(left) && left->type == &mini_float_type) ||
                   (MINI_IS_PTR(right) && right->type == &mini_float_type)) {
            double v;
            if (float_binop(left, right, oparg, &v)) {
                // Float arithmetic allocates a result per operation; where the result is
                // about to replace a local that holds the only reference to a float (`dx =
                // x1 - x2` in a loop, `x += dt`), that float takes the new value instead.
                word = *ip;
                if (INSTR_OP(word) == OP_STORE_FAST) {
                    MiniObject *old = fastlocals[INSTR_ARG(word)];
                    if (old && MINI_IS_PTR(old) && old->type == &mini_float_type &&
                        old->refcnt == (old == left ? 2 : 1)) {
                        ((MiniFloat *)old)->value = v;
                        ip++;
                        sp -= 2;
                        MINI_DECREF(left);
                        MINI_DECREF(right);
                        DISPATCH();
                    }
                }
                res = float_result(left, right, v);
                sp -= 2;
                MINI_DECREF(left);
                MINI_DECREF(right);
                if (!res)
                    goto error;
                PUSH(res);
                DISPATCH();
            }
        } else if ((oparg & 15) == BINOP_ADD && MINI_IS_PTR(left) && MINI_IS_PTR(right) &&
                   left->type == &mini_str_type && right->type == &mini_str_type) {
            res = str_concat(left, right);
            goto binary_done;
        }
        res = mini_binary_op(left, right, (int)oparg);
    binary_done:
        sp -= 2;
        MINI_DECREF(left);
        MINI_DECREF(right);
        if (!res)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(COMPARE_OP) {
        MiniObject *right = TOP(), *left = SECOND();
        bool cond;
        if (MINI_IS_SMALLINT(left) && MINI_IS_SMALLINT(right)) {
            // Tagging (2x+1) preserves order, so the words compare as the values do.
            cond = compare_words((intptr_t)left, (intptr_t)right, oparg);
            sp -= 2;
            goto compare_result;
        }
        if (MINI_IS_PTR(left) && MINI_IS_PTR(right)) {
            MiniType *lt = left->type, *rt = right->type;
            if (lt == &mini_float_type && rt == &mini_float_type) {
                cond = compare_doubles(((MiniFloat *)left)->value, ((MiniFloat *)right)->value,
                                       oparg);
                sp -= 2;
                MINI_DECREF(left);
                MINI_DECREF(right);
                goto compare_result;
            }
            if (lt == &mini_str_type && rt == &mini_str_type &&
                (oparg == CMP_EQ || oparg == CMP_NE)) {
                bool eq = left == right || str_eq(left, right);
                cond = oparg == CMP_EQ ? eq : !eq;
                sp -= 2;
                MINI_DECREF(left);
                MINI_DECREF(right);
                goto compare_result;
            }
        }
        {
            f->ip = ip;
            MiniObject *res = mini_richcompare(left, right, (int)oparg);
            sp -= 2;
            MINI_DECREF(left);
            MINI_DECREF(right);
            if (!res)
                goto error;
            PUSH(res);
            DISPATCH();
        }
    compare_result:
        // A comparison is usually followed by a conditional jump: take it at once.
        word = *ip;
        if (INSTR_OP(word) == OP_POP_JUMP_IF_FALSE) {
            ip++;
            if (!cond)
                JUMP_TO(INSTR_ARG(word));
            DISPATCH();
        }
        if (INSTR_OP(word) == OP_POP_JUMP_IF_TRUE) {
            ip++;
            if (cond)
                JUMP_TO(INSTR_ARG(word));
            DISPATCH();
        }
        PUSH(MINI_BOOL(cond));
        DISPATCH();
    }

    TARGET(IS_OP) {
        MiniObject *right = POP(), *left = TOP();
        bool r = (left == right) ^ (oparg != 0);
        MINI_DECREF(left);
        MINI_DECREF(right);
        SET_TOP(MINI_BOOL(r));
        DISPATCH();
    }

    TARGET(CONTAINS_OP) {
        MiniObject *container = POP(), *item = TOP();
        int r = mini_contains(container, item);
        MINI_DECREF(container);
        MINI_DECREF(item);
        if (r < 0) {
            sp--;
            goto error;
        }
        SET_TOP(MINI_BOOL(r ^ (oparg != 0)));
        DISPATCH();
    }

    TARGET(BINARY_SUBSCR) {
        MiniObject *key = TOP(), *container = SECOND(), *res;
        if (MINI_IS_SMALLINT(key) && MINI_IS_PTR(container)) {
            MiniType *ct = container->type;
            if (ct == &mini_list_type || ct == &mini_tuple_type) {
                intptr_t i = MINI_SMALLINT_VALUE(key);
                size_t n = ct == &mini_list_type ? LIST_SIZE(container) : TUPLE_SIZE(container);
                if (i < 0)
                    i += (intptr_t)n;
                if (i >= 0 && (size_t)i < n) {
                    res = ct == &mini_list_type ? LIST_GET(container, i) : TUPLE_GET(container, i);
                    MINI_INCREF(res);
                    sp--;
                    SET_TOP(res);
                    MINI_DECREF(container);
                    DISPATCH();
                }
            }
        } else if (MINI_IS_PTR(container) && container->type == &mini_dict_type) {
            res = dict_get(container, key);
            if (res) {
                MINI_INCREF(res);
                sp--;
                SET_TOP(res);
                MINI_DECREF(container);
                MINI_DECREF(key);
                DISPATCH();
            }
            if (mini_error_occurred()) {
                sp -= 2;
                MINI_DECREF(container);
                MINI_DECREF(key);
                goto error;
            }
        }
        f->ip = ip;
        res = mini_getitem(container, key);
        sp -= 2;
        MINI_DECREF(container);
        MINI_DECREF(key);
        if (!res)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(STORE_SUBSCR) {
        MiniObject *key = TOP(), *container = SECOND(), *v = THIRD();
        sp -= 3;
        if (MINI_IS_SMALLINT(key) && MINI_IS_PTR(container) &&
            container->type == &mini_list_type) {
            intptr_t i = MINI_SMALLINT_VALUE(key);
            size_t n = LIST_SIZE(container);
            if (i < 0)
                i += (intptr_t)n;
            if (i >= 0 && (size_t)i < n) {
                MiniObject *old = LIST_GET(container, i);
                LIST_ITEMS(container)[i] = v; // the stack's reference moves into the list
                MINI_DECREF(old);
                MINI_DECREF(container);
                DISPATCH();
            }
        }
        f->ip = ip;
        int r = mini_setitem(container, key, v);
        MINI_DECREF(v);
        MINI_DECREF(container);
        MINI_DECREF(key);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_SUBSCR) {
        MiniObject *key = POP(), *container = POP();
        f->ip = ip;
        int r = mini_delitem(container, key);
        MINI_DECREF(container);
        MINI_DECREF(key);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(BUILD_SLICE) {
        MiniObject *step = oparg == 3 ? POP() : NULL;
        MiniObject *stop = POP(), *start = TOP();
        MiniObject *s = slice_new(start, stop, step ? step : MINI_NONE);
        MINI_DECREF(start);
        MINI_DECREF(stop);
        MINI_XDECREF(step);
        SET_TOP(s);
        if (!s) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    // --- Names

    TARGET(LOAD_CONST) {
        MiniObject *v = consts[oparg];
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_FAST) {
        MiniObject *v = fastlocals[oparg];
        if (UNLIKELY(!v)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_FAST) {
        MiniObject *v = POP();
        MiniObject *old = fastlocals[oparg];
        fastlocals[oparg] = v;
        MINI_XDECREF(old);
        DISPATCH();
    }

    TARGET(DELETE_FAST) {
        MiniObject *old = fastlocals[oparg];
        if (!old) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        fastlocals[oparg] = NULL;
        MINI_DECREF(old);
        DISPATCH();
    }

    TARGET(LOAD_GLOBAL) {
        // One hint serves both dicts: a global's entry index, or a builtin's (then the
        // globals probe usually ends at once on the dict's key filter).
        MiniObject *name = names[oparg];
        uint32_t *hint = &co->attr_hints[ip - 1 - co->code];
        MiniObject *v = dict_get_str_hinted(f->globals, name, hint);
        if (!v) {
            if (UNLIKELY(mini_error_occurred()))
                goto error;
            v = dict_get_str_hinted(f->builtins, name, hint);
            if (UNLIKELY(!v)) {
                if (!mini_error_occurred())
                    raise_name_error(name);
                goto error;
            }
        }
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_GLOBAL) {
        MiniObject *v = POP();
        int r = dict_set(f->globals, names[oparg], v);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_GLOBAL) {
        MiniObject *name = names[oparg];
        int r = dict_discard(f->globals, name);
        if (r < 0)
            goto error;
        if (r == 0) {
            raise_name_error(name);
            goto error;
        }
        DISPATCH();
    }

    TARGET(LOAD_NAME) {
        MiniObject *name = names[oparg];
        MiniObject *v;
        if (UNLIKELY(!f->locals)) {
            mini_raise(mini_exc_SystemError, "no locals when loading %R", name);
            goto error;
        }
        v = mapping_lookup(f->locals, name);
        if (!v) {
            if (mini_error_occurred())
                goto error;
            v = dict_get_str(f->globals, name);
            if (!v)
                v = dict_get_str(f->builtins, name);
            if (!v) {
                if (!mini_error_occurred())
                    raise_name_error(name);
                goto error;
            }
            MINI_INCREF(v);
        }
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_NAME) {
        MiniObject *v = POP();
        if (UNLIKELY(!f->locals)) {
            MINI_DECREF(v);
            mini_raise(mini_exc_SystemError, "no locals found when storing %R", names[oparg]);
            goto error;
        }
        int r = namespace_store(f->locals, names[oparg], v);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_NAME) {
        MiniObject *name = names[oparg];
        MiniObject *ns = f->locals;
        if (UNLIKELY(!ns)) {
            mini_raise(mini_exc_SystemError, "no locals when deleting %R", name);
            goto error;
        }
        int r;
        if (MINI_IS_PTR(ns) && ns->type == &mini_dict_type) {
            r = dict_discard(ns, name);
        } else {
            r = mini_delitem(ns, name) < 0 ? -1 : 1;
            if (r < 0 && mini_error_matches(mini_exc_KeyError)) {
                mini_error_clear();
                r = 0;
            }
        }
        if (r < 0)
            goto error;
        if (r == 0) {
            raise_name_error(name);
            goto error;
        }
        DISPATCH();
    }

    TARGET(LOAD_DEREF) {
        MiniObject *cell = fastlocals[co->nlocals + oparg];
        MiniObject *v = ((MiniCell *)cell)->ref;
        if (UNLIKELY(!v)) {
            raise_unbound_deref(co, oparg);
            goto error;
        }
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(STORE_DEREF) {
        MiniObject *v = POP();
        MiniCell *cell = (MiniCell *)fastlocals[co->nlocals + oparg];
        MiniObject *old = cell->ref;
        cell->ref = v;
        MINI_XDECREF(old);
        DISPATCH();
    }

    TARGET(DELETE_DEREF) {
        MiniCell *cell = (MiniCell *)fastlocals[co->nlocals + oparg];
        MiniObject *old = cell->ref;
        if (!old) {
            raise_unbound_deref(co, oparg);
            goto error;
        }
        cell->ref = NULL;
        MINI_DECREF(old);
        DISPATCH();
    }

    TARGET(LOAD_CLOSURE) {
        MiniObject *cell = fastlocals[co->nlocals + oparg];
        MINI_INCREF(cell);
        PUSH(cell);
        DISPATCH();
    }

    TARGET(LOAD_CLASSDEREF) {
        MiniObject *v = NULL;
        if (f->locals) {
            v = mapping_lookup(f->locals, deref_name(co, oparg));
            if (!v && mini_error_occurred())
                goto error;
        }
        if (!v) {
            v = ((MiniCell *)fastlocals[co->nlocals + oparg])->ref;
            if (!v) {
                raise_unbound_deref(co, oparg);
                goto error;
            }
            MINI_INCREF(v);
        }
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_ATTR) {
        MiniObject *owner = TOP();
        f->ip = ip;
        MiniObject *res = load_attr(ts, owner, names[oparg], &co->attr_hints[ip - 1 - co->code]);
        MINI_DECREF(owner);
        SET_TOP(res);
        if (!res) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(STORE_ATTR) {
        MiniObject *owner = TOP(), *v = SECOND();
        sp -= 2;
        f->ip = ip;
        int r = store_attr(ts, owner, names[oparg], v, &co->attr_hints[ip - 1 - co->code]);
        MINI_DECREF(v);
        MINI_DECREF(owner);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(DELETE_ATTR) {
        MiniObject *owner = POP();
        f->ip = ip;
        int r = store_attr(ts, owner, names[oparg], NULL, &co->attr_hints[ip - 1 - co->code]);
        MINI_DECREF(owner);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(LOAD_METHOD) {
        MiniObject *name = names[oparg];
        MiniObject *owner = TOP();
        MiniType *tp = mini_type(owner);
        f->ip = ip;
        if (generic_getattr_type(tp)) {
            MiniObject *descr = cached_type_lookup(ts, tp, name);
            if (descr) {
                MiniType *dt = mini_type(descr);
                if (dt == &mini_function_type ||
                    (dt == &mini_method_descr_type &&
                     !(((MiniMethodDescr *)descr)->def->flags &
                       (MINI_METH_STATIC | MINI_METH_CLASS)))) {
                    MiniObject *dict = instance_dict(owner, tp);
                    if (!dict ||
                        !dict_get_str_hinted(dict, name, &co->attr_hints[ip - 1 - co->code])) {
                        // "meth self": no bound method is made.
                        MINI_INCREF(descr);
                        SET_TOP(descr);
                        PUSH(owner);
                        DISPATCH();
                    }
                }
            }
        }
        MiniObject *attr = load_attr(ts, owner, name, &co->attr_hints[ip - 1 - co->code]);
        if (!attr)
            goto error;
        SET_TOP(NULL);
        PUSH(attr);
        MINI_DECREF(owner);
        DISPATCH();
    }

    TARGET(LOAD_ASSERTION_ERROR) {
        MiniObject *v = (MiniObject *)mini_exc_AssertionError;
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_BUILD_CLASS) {
        MiniObject *bc = dict_get_str(f->builtins, MINI_ID(__build_class__));
        if (!bc) {
            if (!mini_error_occurred())
                mini_raise_str(mini_exc_NameError, "__build_class__ not found");
            goto error;
        }
        MINI_INCREF(bc);
        PUSH(bc);
        DISPATCH();
    }

    // --- Calls and functions

    TARGET(CALL_FUNCTION) {
        call_base = sp - oparg - 1;
        call_new_sp = call_base;
        call_nargs = oparg;
        call_kwnames = NULL;
        goto do_call;
    }

    TARGET(CALL_FUNCTION_KW) {
        call_kwnames = POP();
        call_base = sp - oparg - 1;
        call_new_sp = call_base;
        call_nargs = oparg - TUPLE_SIZE(call_kwnames);
        goto do_call;
    }

    TARGET(CALL_METHOD) {
        MiniObject **base = sp - oparg - 2;
        call_new_sp = base;
        call_kwnames = NULL;
        if (base[0]) {
            call_base = base;
            call_nargs = oparg + 1;
        } else {
            call_base = base + 1;
            call_nargs = oparg;
        }
        goto do_call;
    }

    TARGET(CALL_METHOD_KW) {
        call_kwnames = POP();
        MiniObject **base = sp - oparg - 2;
        call_new_sp = base;
        size_t npos = oparg - TUPLE_SIZE(call_kwnames);
        if (base[0]) {
            call_base = base;
            call_nargs = npos + 1;
        } else {
            call_base = base + 1;
            call_nargs = npos;
        }
        goto do_call;
    }

    TARGET(CALL_FUNCTION_EX) {
        MiniObject *kwargs = (oparg & 1) ? POP() : NULL;
        MiniObject *callargs = POP();
        MiniObject *func = TOP();
        f->ip = ip;
        if (!(MINI_IS_PTR(callargs) && callargs->type == &mini_tuple_type)) {
            MiniObject *t = star_args_tuple(func, callargs);
            MINI_DECREF(callargs);
            if (!t) {
                MINI_XDECREF(kwargs);
                goto error;
            }
            callargs = t;
        }
        if (kwargs && !(MINI_IS_PTR(kwargs) && kwargs->type == &mini_dict_type)) {
            MiniObject *d = dict_new();
            if (!d || !merge_kwargs(d, kwargs, func)) {
                MINI_XDECREF(d);
                MINI_DECREF(kwargs);
                MINI_DECREF(callargs);
                goto error;
            }
            MINI_SETREF(kwargs, d);
        }
        VecArgs va;
        if (!vecargs_init(&va, callargs, kwargs)) {
            MINI_XDECREF(kwargs);
            MINI_DECREF(callargs);
            goto error;
        }
        if (MINI_IS_PTR(func) && func->type == &mini_function_type &&
            !(((MiniFunction *)func)->code->flags & CO_GENERATOR)) {
            Frame *nf =
                push_call_frame(ts, (MiniFunction *)func, va.stack, va.nargs, va.kwnames);
            vecargs_free(&va, callargs);
            MINI_XDECREF(kwargs);
            MINI_DECREF(callargs);
            sp--;
            MINI_DECREF(func); // the frame holds its own reference
            if (!nf)
                goto error;
            f->sp = sp;
            nf->back = f;
            ts->frame = nf;
            ts->recursion_depth++;
            f = nf;
            LOAD_FRAME();
            DISPATCH();
        }
        MiniObject *res = mini_call(func, va.stack, va.nargs, va.kwnames);
        vecargs_free(&va, callargs);
        MINI_XDECREF(kwargs);
        MINI_DECREF(callargs);
        sp--;
        MINI_DECREF(func);
        if (!res)
            goto error;
        PUSH(res);
        CHECK_BREAKER();
        DISPATCH();
    }

    TARGET(MAKE_FUNCTION) {
        MiniObject *qualname = POP();
        MiniObject *code = POP();
        MiniFunction *fn =
            (MiniFunction *)function_new((CodeObject *)code, f->globals, qualname);
        MINI_DECREF(qualname);
        MINI_DECREF(code);
        if (!fn) {
            // Drop the optional parts still on the stack.
            for (int bit = 0; bit < 4; bit++)
                if (oparg & (1u << bit)) {
                    MiniObject *v = POP();
                    MINI_DECREF(v);
                }
            goto error;
        }
        if (oparg & MKFN_CLOSURE)
            fn->closure = POP();
        if (oparg & MKFN_ANNOTATIONS)
            fn->annotations = POP();
        if (oparg & MKFN_KWDEFAULTS)
            fn->kwdefaults = POP();
        if (oparg & MKFN_DEFAULTS)
            fn->defaults = POP();
        PUSH((MiniObject *)fn);
        DISPATCH();
    }

    TARGET(RETURN_VALUE) {
        retval = POP();
        if (LIKELY(!f->is_entry && !f->nblocks && !f->locals)) {
            // Back to a mini caller in this loop (a function frame: it owns its function,
            // borrows its globals): release the frame inline and continue in the caller.
            Frame *back = f->back;
            ts->frame = back;
            ts->recursion_depth--;
            for (MiniObject **p = fastlocals; p < sp; p++)
                MINI_XDECREF(*p);
            MINI_DECREF(f->func);
            frame_uncarve(ts, f);
            f = back;
            LOAD_FRAME();
            PUSH(retval);
            DISPATCH();
        }
        goto exit_frame;
    }

    TARGET(RESUME) {
        CHECK_BREAKER();
        DISPATCH();
    }

    // --- Generators

    TARGET(YIELD_VALUE) {
        if (UNLIKELY(!f->gen || !f->is_entry)) {
            mini_raise_str(mini_exc_SystemError, "yield outside a generator frame");
            goto error;
        }
        retval = POP();
        f->ip = ip;
        f->sp = sp;
        ts->frame = f->back;
        ts->recursion_depth--;
        if (yielded)
            *yielded = true;
        return retval;
    }

    TARGET(GET_YIELD_FROM_ITER) {
        MiniObject *o = TOP();
        if (!generator_check(o)) {
            MiniObject *it = mini_iter(o);
            MINI_DECREF(o);
            SET_TOP(it);
            if (!it) {
                sp--;
                goto error;
            }
        }
        DISPATCH();
    }

    TARGET(YIELD_FROM) {
        MiniObject *v = POP();
        MiniObject *it = TOP();
        MiniObject *r;
        f->ip = ip;
        f->sp = sp;
        int k = yield_from_send(it, v, &r);
        MINI_DECREF(v);
        if (k < 0)
            goto error;
        if (k > 0) {
            // Suspend here and come back to this instruction: the next value sent is pushed
            // and goes into the subiterator again.
            if (UNLIKELY(!f->gen || !f->is_entry)) {
                MINI_DECREF(r);
                mini_raise_str(mini_exc_SystemError, "yield outside a generator frame");
                goto error;
            }
            f->ip = ip - 1;
            f->sp = sp;
            ts->frame = f->back;
            ts->recursion_depth--;
            if (yielded)
                *yielded = true;
            return r;
        }
        sp--;
        MINI_DECREF(it);
        PUSH(r);
        DISPATCH();
    }

    // --- Control flow

    TARGET(JUMP_FORWARD) {
        JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(JUMP_BACKWARD) {
        JUMP_TO(oparg);
        CHECK_BREAKER();
        DISPATCH();
    }

    TARGET(POP_JUMP_IF_FALSE) {
        MiniObject *v = POP();
        if (v == MINI_TRUE)
            DISPATCH();
        if (v == MINI_FALSE || v == MINI_NONE) {
            JUMP_TO(oparg);
            DISPATCH();
        }
        int r = mini_truthy(v);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        if (!r)
            JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(POP_JUMP_IF_TRUE) {
        MiniObject *v = POP();
        if (v == MINI_FALSE || v == MINI_NONE)
            DISPATCH();
        if (v == MINI_TRUE) {
            JUMP_TO(oparg);
            DISPATCH();
        }
        int r = mini_truthy(v);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        if (r)
            JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(JUMP_IF_FALSE_OR_POP) {
        MiniObject *v = TOP();
        int r = v == MINI_TRUE ? 1 : (v == MINI_FALSE || v == MINI_NONE) ? 0 : mini_truthy(v);
        if (r < 0)
            goto error;
        if (!r) {
            JUMP_TO(oparg);
            DISPATCH();
        }
        sp--;
        MINI_DECREF(v);
        DISPATCH();
    }

    TARGET(JUMP_IF_TRUE_OR_POP) {
        MiniObject *v = TOP();
        int r = v == MINI_TRUE ? 1 : (v == MINI_FALSE || v == MINI_NONE) ? 0 : mini_truthy(v);
        if (r < 0)
            goto error;
        if (r) {
            JUMP_TO(oparg);
            DISPATCH();
        }
        sp--;
        MINI_DECREF(v);
        DISPATCH();
    }

    TARGET(GET_ITER) {
        MiniObject *o = TOP();
        f->ip = ip;
        MiniObject *it = mini_iter(o);
        MINI_DECREF(o);
        SET_TOP(it);
        if (!it) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(FOR_ITER) {
        MiniObject *it = TOP(), *v;
        if (listiter_check(it)) {
            v = listiter_next_fast(it);
            if (!v)
                goto for_exhausted;
        } else if (rangeiter_check(it)) {
            int64_t x;
            if (!range_iter_next_i64(it, &x))
                goto for_exhausted;
            if (LIKELY(MINI_FITS_SMALLINT(x))) {
                v = MINI_FROM_SMALLINT(x);
            } else if (!(v = int_from_i64(x))) {
                goto error;
            }
        } else {
            f->ip = ip;
            v = mini_type(it)->iternext(it);
            if (!v) {
                if (mini_error_occurred()) {
                    if (!mini_error_matches(mini_exc_StopIteration))
                        goto error;
                    mini_error_clear();
                }
                goto for_exhausted;
            }
        }
        // The loop body almost always starts by storing the item in a local: do it now.
        word = *ip;
        if (INSTR_OP(word) == OP_STORE_FAST) {
            ip++;
            MiniObject **slot = &fastlocals[INSTR_ARG(word)];
            MiniObject *old = *slot;
            *slot = v;
            MINI_XDECREF(old);
            DISPATCH();
        }
        PUSH(v);
        DISPATCH();
    for_exhausted:
        sp--;
        MINI_DECREF(it);
        JUMP_TO(oparg);
        DISPATCH();
    }

    // --- Building containers

    TARGET(BUILD_TUPLE) {
        MiniObject *t = tuple_new(oparg);
        if (!t)
            goto error;
        sp -= oparg;
        for (uint32_t i = 0; i < oparg; i++)
            TUPLE_ITEMS(t)[i] = sp[i];
        PUSH(t);
        DISPATCH();
    }

    TARGET(BUILD_LIST) {
        MiniObject *l = list_new(oparg);
        if (!l)
            goto error;
        sp -= oparg;
        for (uint32_t i = 0; i < oparg; i++)
            LIST_ITEMS(l)[i] = sp[i];
        PUSH(l);
        DISPATCH();
    }

    TARGET(BUILD_SET) {
        MiniObject *s = set_new(NULL);
        int r = s ? 0 : -1;
        for (uint32_t i = 0; i < oparg; i++) {
            MiniObject *item = sp[(ptrdiff_t)i - (ptrdiff_t)oparg];
            if (r == 0)
                r = set_add(s, item);
            MINI_DECREF(item);
        }
        sp -= oparg;
        if (r < 0) {
            MINI_XDECREF(s);
            goto error;
        }
        PUSH(s);
        DISPATCH();
    }

    TARGET(BUILD_MAP) {
        MiniObject *d = dict_new();
        int r = d ? 0 : -1;
        MiniObject **items = sp - 2 * (ptrdiff_t)oparg;
        for (uint32_t i = 0; i < oparg; i++) {
            if (r == 0)
                r = dict_set(d, items[2 * i], items[2 * i + 1]);
            MINI_DECREF(items[2 * i]);
            MINI_DECREF(items[2 * i + 1]);
        }
        sp = items;
        if (r < 0) {
            MINI_XDECREF(d);
            goto error;
        }
        PUSH(d);
        DISPATCH();
    }

    TARGET(BUILD_CONST_KEY_MAP) {
        MiniObject *keys = POP();
        MiniObject **values = sp - oparg;
        MiniObject *d = dict_new();
        int r = d ? 0 : -1;
        for (uint32_t i = 0; i < oparg; i++) {
            if (r == 0)
                r = dict_set(d, TUPLE_GET(keys, i), values[i]);
            MINI_DECREF(values[i]);
        }
        sp = values;
        MINI_DECREF(keys);
        if (r < 0) {
            MINI_XDECREF(d);
            goto error;
        }
        PUSH(d);
        DISPATCH();
    }

    TARGET(BUILD_STRING) {
        MiniObject *s = build_string(sp - oparg, oparg);
        for (uint32_t i = 0; i < oparg; i++) {
            MiniObject *v = POP();
            MINI_DECREF(v);
        }
        if (!s)
            goto error;
        PUSH(s);
        DISPATCH();
    }

    TARGET(LIST_APPEND) {
        MiniObject *v = POP();
        int r = list_append(PEEK(oparg), v);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(SET_ADD) {
        MiniObject *v = POP();
        int r = set_add(PEEK(oparg), v);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(MAP_ADD) {
        MiniObject *v = POP(), *k = POP();
        int r = dict_set(PEEK(oparg), k, v);
        MINI_DECREF(k);
        MINI_DECREF(v);
        if (r < 0)
            goto error;
        DISPATCH();
    }

    TARGET(LIST_EXTEND) {
        MiniObject *it = POP();
        f->ip = ip;
        bool ok = list_extend_op(PEEK(oparg), it);
        MINI_DECREF(it);
        if (!ok)
            goto error;
        DISPATCH();
    }

    TARGET(SET_UPDATE) {
        MiniObject *it = POP();
        f->ip = ip;
        bool ok = set_update_op(PEEK(oparg), it);
        MINI_DECREF(it);
        if (!ok)
            goto error;
        DISPATCH();
    }

    TARGET(DICT_UPDATE) {
        MiniObject *m = POP();
        f->ip = ip;
        bool ok = dict_update_op(PEEK(oparg), m);
        MINI_DECREF(m);
        if (!ok)
            goto error;
        DISPATCH();
    }

    TARGET(DICT_MERGE) {
        MiniObject *m = POP();
        f->ip = ip;
        // The callee sits below the positional tuple and this dict: f args {..} m.
        bool ok = merge_kwargs(PEEK(oparg), m, PEEK(oparg + 2));
        MINI_DECREF(m);
        if (!ok)
            goto error;
        DISPATCH();
    }

    TARGET(LIST_TO_TUPLE) {
        MiniObject *l = TOP();
        MiniObject *t = list_as_tuple(l);
        MINI_DECREF(l);
        SET_TOP(t);
        if (!t) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(UNPACK_SEQUENCE) {
        MiniObject *seq = POP();
        if (MINI_IS_PTR(seq) && (seq->type == &mini_tuple_type || seq->type == &mini_list_type)) {
            bool is_list = seq->type == &mini_list_type;
            size_t n = is_list ? LIST_SIZE(seq) : TUPLE_SIZE(seq);
            if (n == oparg) {
                MiniObject **items = is_list ? LIST_ITEMS(seq) : TUPLE_ITEMS(seq);
                for (size_t i = n; i > 0; i--) {
                    MiniObject *item = items[i - 1];
                    MINI_INCREF(item);
                    PUSH(item);
                }
                MINI_DECREF(seq);
                DISPATCH();
            }
            if (n < oparg)
                mini_raise(mini_exc_ValueError,
                           "not enough values to unpack (expected %u, got %zu)", oparg, n);
            else
                mini_raise(mini_exc_ValueError, "too many values to unpack (expected %u)",
                           oparg);
            MINI_DECREF(seq);
            goto error;
        }
        f->ip = ip;
        bool ok = unpack_iterable(seq, (int)oparg, -1, sp + oparg);
        MINI_DECREF(seq);
        if (!ok)
            goto error;
        sp += oparg;
        DISPATCH();
    }

    TARGET(UNPACK_EX) {
        int before = (int)(oparg & 0xff), after = (int)(oparg >> 8);
        MiniObject *seq = POP();
        f->ip = ip;
        bool ok = unpack_iterable(seq, before, after, sp + before + 1 + after);
        MINI_DECREF(seq);
        if (!ok)
            goto error;
        sp += before + 1 + after;
        DISPATCH();
    }

    TARGET(FORMAT_VALUE) {
        MiniObject *spec = (oparg & 4) ? POP() : NULL;
        MiniObject *value = TOP();
        MiniObject *s;
        f->ip = ip;
        if (!spec && (oparg & 3) == 0 && MINI_IS_PTR(value) && value->type == &mini_str_type)
            DISPATCH();
        s = format_value(value, (int)(oparg & 3), spec);
        MINI_XDECREF(spec);
        MINI_DECREF(value);
        SET_TOP(s);
        if (!s) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    // --- Exceptions and blocks

    TARGET(SETUP_FINALLY) {
        if (UNLIKELY(f->nblocks >= MINI_MAX_BLOCKS)) {
            mini_raise_str(mini_exc_SystemError, "too many nested blocks");
            goto error;
        }
        Block *b = &f->blocks[f->nblocks++];
        b->kind = BLOCK_FINALLY;
        b->handler = (int32_t)oparg;
        b->level = (int32_t)(sp - f->stack);
        b->saved_exc = NULL;
        DISPATCH();
    }

    TARGET(SETUP_WITH) {
        MiniObject *mgr = TOP();
        MiniObject *enter, *exit;
        f->ip = ip;
        if (!lookup_context_manager(mgr, &enter, &exit))
            goto error;
        SET_TOP(exit);
        MINI_DECREF(mgr);
        MiniObject *res = mini_call(enter, NULL, 0, NULL);
        MINI_DECREF(enter);
        if (!res)
            goto error;
        if (UNLIKELY(f->nblocks >= MINI_MAX_BLOCKS)) {
            MINI_DECREF(res);
            mini_raise_str(mini_exc_SystemError, "too many nested blocks");
            goto error;
        }
        Block *b = &f->blocks[f->nblocks++];
        b->kind = BLOCK_FINALLY;
        b->handler = (int32_t)oparg;
        b->level = (int32_t)(sp - f->stack);
        b->saved_exc = NULL;
        PUSH(res);
        DISPATCH();
    }

    TARGET(POP_BLOCK) {
        if (f->nblocks > 0)
            f->nblocks--;
        DISPATCH();
    }

    TARGET(POP_EXCEPT) {
        if (UNLIKELY(f->nblocks == 0 ||
                     f->blocks[f->nblocks - 1].kind != BLOCK_EXCEPT_HANDLER)) {
            mini_raise_str(mini_exc_SystemError, "popped block is not an except handler");
            goto error;
        }
        Block *b = &f->blocks[--f->nblocks];
        ExcInfo *ei = ts->exc_info;
        MiniObject *old = ei->exc;
        ei->exc = b->saved_exc;
        b->saved_exc = NULL;
        MINI_XDECREF(old);
        DISPATCH();
    }

    TARGET(RERAISE) {
        MiniObject *exc = POP();
        mini_error_restore(exc);
        f->ip = ip;
        goto exception_unwind;
    }

    TARGET(RAISE_VARARGS) {
        MiniObject *cause = NULL, *exc = NULL;
        if (oparg >= 2)
            cause = POP();
        if (oparg >= 1)
            exc = POP();
        f->ip = ip;
        if (do_raise(ts, exc, cause))
            goto exception_unwind;
        goto error;
    }

    TARGET(JUMP_IF_NOT_EXC_MATCH) {
        MiniObject *cls = POP(), *exc = POP();
        int r = check_except_class(cls) ? exception_matches(exc, cls) : -1;
        MINI_DECREF(cls);
        MINI_DECREF(exc);
        if (r < 0)
            goto error;
        if (!r)
            JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(WITH_EXCEPT_START) {
        MiniObject *exc = TOP(), *exit = SECOND();
        MiniObject *tb = exception_check(exc) ? BASEEXC(exc)->traceback : NULL;
        MiniObject *args[3] = {(MiniObject *)mini_type(exc), exc, tb ? tb : MINI_NONE};
        f->ip = ip;
        MiniObject *res = mini_call(exit, args, 3, NULL);
        if (!res)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(WITH_EXIT) {
        MiniObject *exit = POP();
        MiniObject *args[3] = {MINI_NONE, MINI_NONE, MINI_NONE};
        f->ip = ip;
        MiniObject *res = mini_call(exit, args, 3, NULL);
        MINI_DECREF(exit);
        if (!res)
            goto error;
        MINI_DECREF(res);
        DISPATCH();
    }

    // --- Modules

    TARGET(IMPORT_NAME) {
        MiniObject *fromlist = POP(), *level = TOP();
        f->ip = ip;
        f->sp = sp;
        MiniObject *res = import_name(f, names[oparg], fromlist, level);
        MINI_DECREF(fromlist);
        MINI_DECREF(level);
        SET_TOP(res);
        if (!res) {
            sp--;
            goto error;
        }
        DISPATCH();
    }

    TARGET(IMPORT_FROM) {
        f->ip = ip;
        MiniObject *res = import_from(TOP(), names[oparg]);
        if (!res)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(IMPORT_STAR) {
        MiniObject *module = POP();
        f->ip = ip;
        bool ok = import_star(module, f->locals);
        MINI_DECREF(module);
        if (!ok)
            goto error;
        DISPATCH();
    }

    TARGET(SETUP_ANNOTATIONS) {
        if (!setup_annotations(f->locals))
            goto error;
        DISPATCH();
    }

    TARGET(PRINT_EXPR) {
        MiniObject *v = POP();
        f->ip = ip;
        bool ok = print_expr(ts, v);
        MINI_DECREF(v);
        if (!ok)
            goto error;
        DISPATCH();
    }

#if !MINI_COMPUTED_GOTO
    default:
        break;
#endif
    }
    mini_raise(mini_exc_SystemError, "unknown opcode %u", (unsigned)INSTR_OP(word));
    goto error;

    // --- The shared call sequence. Inputs: call_base[0] is the callable, followed on the
    // stack by call_nargs positional arguments and then the values of the keywords named by
    // call_kwnames (owned, or NULL); every stack slot from call_new_sp up belongs to the call
    // (call_new_sp < call_base when CALL_METHOD left a NULL below the callable).
do_call: {
    MiniObject *callable = call_base[0];
    MiniObject *res;
    f->ip = ip;
    if (MINI_IS_PTR(callable)) {
        MiniType *ct = callable->type;
        if (ct == &mini_method_type) {
            // Unpack the bound method in place into "func self args...".
            MiniMethod *m = (MiniMethod *)callable;
            if (call_new_sp == call_base) {
                // No free slot below: shift the arguments up (frames keep a spare slot).
                memmove(call_base + 2, call_base + 1,
                        (size_t)(sp - call_base - 1) * sizeof(MiniObject *));
                sp++;
            } else {
                call_base--;
            }
            call_base[0] = mini_newref(m->func);
            call_base[1] = mini_newref(m->self);
            MINI_DECREF(callable);
            call_nargs++;
            callable = call_base[0];
            if (!MINI_IS_PTR(callable))
                goto call_generic;
            ct = callable->type;
        }
        if (ct == &mini_function_type) {
            MiniFunction *fn = (MiniFunction *)callable;
            CodeObject *fco = fn->code;
            MiniObject **args = call_base + 1;
            Frame *nf;
            if (UNLIKELY(fco->flags & CO_GENERATOR)) {
                res = generator_new(fn, args, call_nargs, call_kwnames);
                goto call_done;
            }
            if ((ssize_t)call_nargs == fco->fast_nargs && !call_kwnames) {
                // The arguments match the parameters exactly: move the references from the
                // stack into the new frame.
                if (UNLIKELY(ts->recursion_depth >= ts->vm->recursion_limit)) {
                    raise_recursion("");
                    res = NULL;
                    goto call_done;
                }
                size_t nfixed = frame_nfixed(fco);
                nf = frame_carve(ts, frame_bytes(fco));
                if (UNLIKELY(!nf)) {
                    res = NULL;
                    goto call_done;
                }
                nf->code = fco;
                nf->func = callable;
                nf->globals = fn->globals;
                nf->builtins = fn->builtins;
                nf->locals = NULL;
                nf->ip = fco->code;
                nf->stack = nf->localsplus + nfixed;
                nf->sp = nf->stack;
                nf->gen = NULL;
                nf->is_entry = 0;
                nf->on_thread_stack = 1;
                nf->nblocks = 0;
                size_t i = 0;
                for (; i < call_nargs; i++)
                    nf->localsplus[i] = args[i];
                for (; i < nfixed; i++) {
                    nf->localsplus[i] = NULL;
                    NO_MEMSET(); // the slots are few: a memset call would cost more
                }
                sp = call_new_sp; // everything moved; a NULL placeholder needs no release
                if (!(fco->flags & CO_NOFREE) && !frame_init_cells(nf, fn)) {
                    frame_release(ts, nf);
                    goto error;
                }
            } else {
                nf = push_call_frame(ts, fn, args, call_nargs, call_kwnames);
                while (sp > call_new_sp) {
                    MiniObject *o = POP();
                    MINI_XDECREF(o);
                }
                MINI_XDECREF(call_kwnames);
                if (!nf)
                    goto error;
            }
            f->sp = sp;
            nf->back = f;
            ts->frame = nf;
            ts->recursion_depth++;
            f = nf;
            co = fco;
            ip = fco->code;
            sp = nf->sp;
            fastlocals = nf->localsplus;
            consts = TUPLE_ITEMS(fco->consts);
            names = TUPLE_ITEMS(fco->names);
            DISPATCH();
        }
        // CPython 3.11 counts a call of a one-argument builtin (function or method), and a
        // call of a class or an instance written in mini (its _PyObject_MakeTpCall), against
        // the recursion limit " while calling a Python object"; the same counting makes
        // recursion through repr(), len(), A() or __call__ stop at the same depth with the
        // same message.
        if (ct == &mini_builtin_function_type) {
            MiniBuiltinFunction *bf = (MiniBuiltinFunction *)callable;
            if (call_nargs == 1 && !call_kwnames) {
                if (!mini_enter_recursive_call(" while calling a Python object")) {
                    res = NULL;
                    goto call_done;
                }
                res = bf->def->func(bf->self, call_base + 1, 1, NULL);
                mini_leave_recursive_call();
            } else {
                res = bf->def->func(bf->self, call_base + 1, call_nargs, call_kwnames);
            }
            goto call_done;
        }
        if (ct == &mini_method_descr_type && call_nargs >= 1) {
            MiniMethodDescr *d = (MiniMethodDescr *)callable;
            MiniObject *self = call_base[1];
            MiniType *st = mini_type(self);
            if (!(d->def->flags & (MINI_METH_STATIC | MINI_METH_CLASS)) &&
                (st == d->owner || type_is_subtype(st, d->owner))) {
                if (call_nargs == 2 && !call_kwnames) {
                    if (!mini_enter_recursive_call(" while calling a Python object")) {
                        res = NULL;
                        goto call_done;
                    }
                    res = d->def->func(self, call_base + 2, 1, NULL);
                    mini_leave_recursive_call();
                } else {
                    res = d->def->func(self, call_base + 2, call_nargs - 1, call_kwnames);
                }
                goto call_done;
            }
        }
        if ((ct->flags & MINI_TPFLAG_HEAPTYPE) ||
            ((ct->flags & MINI_TPFLAG_TYPE_SUBCLASS) &&
             (((MiniType *)callable)->flags & MINI_TPFLAG_HEAPTYPE))) {
            if (!mini_enter_recursive_call(" while calling a Python object")) {
                res = NULL;
                goto call_done;
            }
            res = mini_call(callable, call_base + 1, call_nargs, call_kwnames);
            mini_leave_recursive_call();
            goto call_done;
        }
    }
call_generic:
    res = mini_call(callable, call_base + 1, call_nargs, call_kwnames);
call_done:
    while (sp > call_new_sp) {
        MiniObject *o = POP();
        MINI_XDECREF(o);
    }
    MINI_XDECREF(call_kwnames);
    if (!res)
        goto error;
    PUSH(res);
    CHECK_BREAKER();
    DISPATCH();
}

    // --- Errors: a new exception is pending. Record where it passed, then unwind.
error: {
    MiniObject *exc = ts->curexc;
    if (UNLIKELY(!exc)) {
        mini_raise_str(mini_exc_SystemError, "error return without exception set");
        exc = ts->curexc;
    }
    if (exc && exception_check(exc)) {
        // A fresh exception (raised by C code, not yet seen by any frame) gets the exception
        // being handled as its context, as CPython's raise does.
        if (!BASEEXC(exc)->traceback && !BASEEXC(exc)->context)
            chain_context(ts, exc);
        exception_add_traceback(exc, co, code_line_at(co, (size_t)(ip - co->code) - 1));
    }
}
exception_unwind:
    f->ip = ip;
    while (f->nblocks > 0) {
        Block *b = &f->blocks[f->nblocks - 1];
        if (b->kind == BLOCK_EXCEPT_HANDLER) {
            // Leaving a handler: the exception it handled stops being handled.
            ExcInfo *ei = ts->exc_info;
            MiniObject *old = ei->exc;
            ei->exc = b->saved_exc;
            b->saved_exc = NULL;
            f->nblocks--;
            MINI_XDECREF(old);
            continue;
        }
        // A try or with block catches it: unwind the value stack to the block's level, turn
        // the block into the handler's block, and jump to the handler with the exception.
        int32_t handler = b->handler;
        MiniObject **level = f->stack + b->level;
        while (sp > level) {
            MiniObject *v = POP();
            MINI_XDECREF(v);
        }
        ExcInfo *ei = ts->exc_info;
        b->kind = BLOCK_EXCEPT_HANDLER;
        b->handler = -1;
        b->level = (int32_t)(sp - f->stack);
        b->saved_exc = ei->exc; // moved: restored by POP_EXCEPT or by unwinding
        MiniObject *exc = mini_error_fetch();
        if (!exc)
            exc = mini_newref(MINI_NONE);
        ei->exc = mini_newref(exc);
        PUSH(exc);
        JUMP_TO(handler);
        DISPATCH();
    }
    retval = NULL;
    // Fall through: leave the frame with the error.

    // --- Leaving the frame: [retval] is the result, or NULL with an exception pending.
exit_frame:
    f->sp = sp;
    f->ip = ip;
    ts->frame = f->back;
    ts->recursion_depth--;
    if (f->is_entry) {
        if (!f->gen) {
            if (retval) {
                frame_release(ts, f);
            } else {
                // Releasing locals may run finalizers: keep the pending exception safe.
                MiniObject *exc = mini_error_fetch();
                frame_release(ts, f);
                mini_error_restore(exc);
            }
        }
        return retval;
    }
    {
        Frame *back = f->back;
        if (retval) {
            frame_release(ts, f);
        } else {
            MiniObject *exc = mini_error_fetch();
            frame_release(ts, f);
            mini_error_restore(exc);
        }
        f = back;
        LOAD_FRAME();
    }
    if (!retval)
        goto error;
    PUSH(retval);
    DISPATCH();
}
