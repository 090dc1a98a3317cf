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
// `sp` (the top of the value stack) and `consts`; the locals (`fastlocals`) and the names are
// reached through `f` and `co`, which spares the loop two registers. ip and sp are written
// back to the Frame only where someone else may look at them: before calls (the callee may
// read the caller's frame: super(), locals(), tracebacks), at a yield, on exit.
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
// Coroutines are generators of another type: `await` is GET_AWAITABLE followed by the same
// YIELD_FROM, and `async for`/`async with` add GET_AITER, GET_ANEXT, END_ASYNC_FOR,
// BEFORE_ASYNC_WITH and SETUP_ASYNC_WITH (docs/internals.md, "Coroutines").
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
//
// Specialisation (PEP 659, as in CPython 3.11). A code object that has run a few times
// (RESUME and JUMP_BACKWARD count its warm-up down) is *quickened* by code_quicken (code.c):
// each instruction that has specialised forms (opcodes.def: SPEC) is rewritten in place to its
// ADAPTIVE form, and pairs of instructions that often follow each other become
// superinstructions. An ADAPTIVE form runs its base instruction's generic code, but first looks
// at the operands (the specialise_* functions) and rewrites itself to the form that fits them:
// LOAD_ATTR on an instance whose class has no data descriptor of that name becomes
// LOAD_ATTR_INSTANCE_VALUE, which remembers in its inline cache entry (vm.h: InlineCache) the
// type, the type epoch and where the name sits among the instance dict's entries. A
// specialised form first checks its *guards* - the type is the one seen, no class changed
// since (vm->type_epoch), the dict entry still holds the name - then does only what is left:
// an attribute read is a few compares and a load. A failed guard is a *miss*: the generic code
// runs, and after SPEC_MISSES misses the instruction goes back to ADAPTIVE, which specialises
// anew (a failed try waits longer before the next). Operators, subscripts, unpacking, loops
// and calls keep no cache: their ADAPTIVE form decides once, and their specialised forms run
// the generic code when the guard fails. Each form below says what it guards and what it
// skips. The disassembler shows every form as its base instruction (code_base_instr).
//
// Specialisation and threads. Code objects are shared by every thread. The instructions and
// caches are written without atomics, which is safe because only the thread holding the GIL
// runs mini code and no handler lets it go between reading its cache and using what it read
// (a handler writes or reads its cache before calling anything that could run other code).
// A --no-gil mode must set vm->quicken to false before any code runs, or make these writes
// atomic.

// GCC's global common subexpression elimination moves values that many handlers use (the
// dispatch table's address, ip - 1) into the block that ends in the computed goto; that block
// then grows too big to be copied into each handler, and every handler jumps to one shared
// indirect jump, which the CPU predicts badly. The GCC manual advises -fno-gcse for code
// with computed gotos; the pragma comes before the includes so that the inline functions of
// the headers are compiled the same way and still inline.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-gcse")
#endif

#include <math.h>
#include <string.h>

#include "../runtime/dict_internal.h"
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
    if (fn->code->flags & (CO_GENERATOR | CO_COROUTINE))
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

// Drops a reference to the float [o] (an exact float, perhaps immortal); the last one gives it
// back to the thread's free list inline (what mini_dealloc does through two calls).
static ALWAYS_INLINE void float_decref(ThreadState *ts, MiniObject *o) {
    if (o->refcnt < MINI_IMMORTAL && --o->refcnt == 0) {
        if (ts->float_free_count < MINI_FLOAT_FREE_MAX) {
            o->type = (MiniType *)ts->float_free; // the free list's link, as in object.c
            ts->float_free = o;
            ts->float_free_count++;
        } else {
            mini_dealloc(o);
        }
    }
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

// The lookups of SETUP_WITH and BEFORE_ASYNC_WITH: binds [enter_name] and [exit_name]
// (__enter__/__exit__, or __aenter__/__aexit__ for the [asynchronous] protocol) of [mgr] from
// its type, with CPython 3.11's messages. Fills *enter and *exit with new references. False
// with TypeError.
static NOINLINE bool lookup_manager(MiniObject *mgr, MiniObject *enter_name,
                                    MiniObject *exit_name, bool asynchronous,
                                    MiniObject **enter, MiniObject **exit) {
    MiniType *t = mini_type(mgr);
    const char *kind = asynchronous ? "asynchronous " : "";
    MiniObject *en = type_lookup(t, enter_name);
    if (!en) {
        mini_raise(mini_exc_TypeError,
                   "'%s' object does not support the %scontext manager protocol", t->name, kind);
        return false;
    }
    MiniObject *ex = type_lookup(t, exit_name);
    if (!ex) {
        mini_raise(mini_exc_TypeError,
                   "'%s' object does not support the %scontext manager protocol (missed %U method)",
                   t->name, kind, exit_name);
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

// Calls the special method [name] of [o], looked up on its type. New reference; NULL with
// an exception, or NULL without one when the type has no such method.
static MiniObject *call_special(MiniObject *o, MiniObject *name) {
    MiniType *t = mini_type(o);
    MiniObject *m = type_lookup(t, name);
    if (!m)
        return NULL;
    MiniType *mt = mini_type(m);
    MiniObject *bound = mt->descr_get ? mt->descr_get(m, o, (MiniObject *)t) : mini_newref(m);
    if (!bound)
        return NULL;
    MiniObject *r = mini_call(bound, NULL, 0, NULL);
    MINI_DECREF(bound);
    return r;
}

// GET_AITER: o.__aiter__(), which must have __anext__. New reference or NULL with TypeError.
static NOINLINE MiniObject *get_aiter(MiniObject *o) {
    MiniObject *aiter = call_special(o, MINI_ID(__aiter__));
    if (!aiter) {
        if (!mini_error_occurred())
            mini_raise(mini_exc_TypeError,
                       "'async for' requires an object with __aiter__ method, got %s",
                       mini_type_name(o));
        return NULL;
    }
    if (!type_lookup(mini_type(aiter), MINI_ID(__anext__))) {
        mini_raise(mini_exc_TypeError,
                   "'async for' received an object from __aiter__ that does not implement "
                   "__anext__: %s",
                   mini_type_name(aiter));
        MINI_DECREF(aiter);
        return NULL;
    }
    return aiter;
}

// GET_ANEXT: the awaitable iterator of aiter.__anext__(). New reference or NULL.
static NOINLINE MiniObject *get_anext(MiniObject *aiter) {
    MiniObject *next = call_special(aiter, MINI_ID(__anext__));
    if (!next) {
        if (!mini_error_occurred())
            mini_raise(mini_exc_TypeError,
                       "'async for' requires an iterator with __anext__ method, got %s",
                       mini_type_name(aiter));
        return NULL;
    }
    MiniObject *it = coroutine_await_iter(next, 0);
    if (!it && mini_error_matches(mini_exc_TypeError)) {
        // CPython raises its own TypeError, caused by the one that says why.
        MiniObject *cause = mini_error_fetch();
        mini_raise(mini_exc_TypeError, "'async for' received an invalid object from __anext__: %s",
                   mini_type_name(next));
        MiniObject *err = mini_error_fetch();
        if (err && exception_check(err) && exception_check(cause)) {
            MINI_INCREF(cause);
            MINI_SETREF(BASEEXC(err)->cause, cause);
            MINI_SETREF(BASEEXC(err)->context, cause);
            BASEEXC(err)->suppress_context = true;
        } else {
            MINI_XDECREF(cause);
        }
        mini_error_restore(err);
    }
    MINI_DECREF(next);
    return it;
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
    // An awaitable's __await__ may hand back another coroutine's __await__(): resume that
    // coroutine directly, keeping its return value.
    MiniObject *coro = coroutine_wrapper_target(it);
    if (coro)
        it = coro;
    if (genobject_check(it)) {
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
// Specialisation: deciding which form an instruction of quickened code takes
// ---------------------------------------------------------------------------------------------

// How many misses a specialised form takes before it goes back to its ADAPTIVE form (a miss
// runs the generic code, so a wrong guess costs little; CPython 3.11 allows 53).
#define SPEC_MISSES 50
// After [backoff] failed tries in a row, an ADAPTIVE form waits 2^(backoff+2)-1 executions
// before the next one, up to 2^14-1: operands that fit no specialised form are looked at less
// and less often.
#define SPEC_BACKOFF_MAX 12

// Writes the outcome of a try at specialising the instruction [instr] with cache [c]: [op] is
// the specialised form that fits what was seen, or 0 when none does.
static NOINLINE void specialize_done(uint32_t *instr, InlineCache *c, Opcode op) {
    if (op) {
        c->counter = SPEC_MISSES;
        c->backoff = 0;
        *instr = INSTR(op, INSTR_ARG(*instr));
        return;
    }
    if (c->backoff < SPEC_BACKOFF_MAX)
        c->backoff++;
    c->counter = (uint16_t)((1u << (c->backoff + 2)) - 1);
}

// A specialised form's guard failed: counts the miss, and after SPEC_MISSES puts the ADAPTIVE
// form [adaptive] back, which tries again at its next execution.
static NOINLINE void specialize_miss(uint32_t *instr, InlineCache *c, Opcode adaptive) {
    if (c->counter > 0 && --c->counter > 0)
        return;
    c->counter = 0;
    *instr = INSTR(adaptive, INSTR_ARG(*instr));
}

// The decision of the ADAPTIVE form of an instruction that keeps no cache (opcodes.def), made
// once, at its first execution: the instruction [instr] becomes the specialised form [op] that
// fits what it sees, or when none does ([op] 0) its base instruction [base] for good.
static void specialize_once(uint32_t *instr, Opcode op, Opcode base) {
    *instr = INSTR(op ? op : base, INSTR_ARG(*instr));
}

// The index of the entry of [dict] whose key is the very object [name] (an interned str), or
// -1: the cached index of a specialised form is checked by pointer, so an equal str that is
// not the interned one is no use to it.
static ssize_t exact_key_index(MiniObject *dict, MiniObject *name) {
    if (!dict)
        return -1;
    ssize_t ix = dict_find_str_index(dict, name);
    if (ix < 0 || (size_t)ix > UINT32_MAX || ((MiniDict *)dict)->entries[ix].key != name)
        return -1;
    return ix;
}

// Does [tp] keep its instances' __dict__ at tp->dictoffset (not after inline items, as tuple,
// str and bytes subclasses do), at an offset a cache entry can hold?
static bool plain_dictoffset(MiniType *tp) {
    return tp->dictoffset > 0 && tp->dictoffset <= UINT32_MAX &&
           !(tp->flags & (MINI_TPFLAG_TUPLE_SUBCLASS | MINI_TPFLAG_VARSIZE_FIELDS));
}

// The instance dict of [o], whose type passed plain_dictoffset, or NULL. Borrowed.
static inline MiniObject *dict_at(MiniObject *o, size_t dictoffset) {
    return *(MiniObject **)((char *)o + dictoffset);
}

// The guards and the read of LOAD_ATTR_INSTANCE_VALUE (see there), shared with the
// superinstruction LOAD_FAST__LOAD_ATTR: the value of attribute [name] of [owner] if the cache
// [c] still describes it, else NULL. Borrowed.
static ALWAYS_INLINE MiniObject *cached_instance_value(VM *vm, InlineCache *c, MiniObject *owner,
                                                      MiniObject *name) {
    if (!MINI_IS_PTR(owner) || owner->type != c->type || c->epoch != vm->type_epoch)
        return NULL;
    MiniObject *dict = dict_at(owner, c->dictoffset);
    return dict ? dict_entry_value_if(dict, c->index, name) : NULL;
}

// The guards of STORE_ATTR_INSTANCE_VALUE (see there), shared with the superinstruction
// ROT_TWO__STORE_ATTR: where the value of attribute [name] of [owner] is kept (a slot of an
// entry of its instance dict) if the cache [c] still describes it, else NULL.
static ALWAYS_INLINE MiniObject **cached_instance_slot(VM *vm, InlineCache *c, MiniObject *owner,
                                                      MiniObject *name) {
    if (!MINI_IS_PTR(owner) || owner->type != c->type || c->epoch != vm->type_epoch)
        return NULL;
    MiniDict *dict = (MiniDict *)dict_at(owner, c->dictoffset);
    if (!dict || c->index >= dict->nentries || dict->entries[c->index].key != name)
        return NULL;
    return &dict->entries[c->index].value;
}

// The guards of LOAD_METHOD_WITH_DICT and LOAD_METHOD_NO_DICT ([op] says which; see there),
// shared with the superinstruction LOAD_FAST__LOAD_METHOD: true if the cache [c] still gives
// the method [name] of [owner].
static ALWAYS_INLINE bool cached_method_holds(VM *vm, InlineCache *c, MiniObject *owner,
                                              MiniObject *name, Opcode op) {
    if (!MINI_IS_PTR(owner) || owner->type != c->type || c->epoch != vm->type_epoch)
        return false;
    if (op == OP_LOAD_METHOD_NO_DICT)
        return true;
    MiniDict *dict = (MiniDict *)dict_at(owner, c->dictoffset);
    return !dict || dict_filter_excludes(dict, c->keybits) ||
           dict_find_str_index((MiniObject *)dict, name) < 0;
}

// Is [descr], found on a type, something LOAD_METHOD can push unbound ("meth self"): a plain
// function, or a builtin method descriptor that is neither static nor a classmethod?
static inline bool is_plain_method(MiniObject *descr) {
    MiniType *dt = mini_type(descr);
    return dt == &mini_function_type ||
           (dt == &mini_method_descr_type &&
            !(((MiniMethodDescr *)descr)->def->flags & (MINI_METH_STATIC | MINI_METH_CLASS)));
}

// Notes what the instance forms guard: [tp] and the current type epoch.
static void cache_type(ThreadState *ts, InlineCache *c, MiniType *tp) {
    c->type = tp;
    c->epoch = ts->vm->type_epoch;
    c->dictoffset = (uint32_t)tp->dictoffset;
}

// LOAD_ATTR of [name] on [owner]: the form that fits, or 0.
static NOINLINE Opcode specialize_load_attr(ThreadState *ts, InlineCache *c, MiniObject *owner,
                                            MiniObject *name) {
    if (!MINI_IS_PTR(owner))
        return 0;
    MiniType *tp = owner->type;
    if (tp == &mini_module_type) {
        // A module's getattr reads its dict first (module.c): the entry is the answer.
        ssize_t ix = exact_key_index(((MiniModule *)owner)->dict, name);
        if (ix < 0)
            return 0;
        c->index = (uint32_t)ix;
        return OP_LOAD_ATTR_MODULE;
    }
    if (!generic_getattr_type(tp) || !plain_dictoffset(tp))
        return 0;
    // A data descriptor (property, __slots__ member) would win over the instance dict.
    MiniObject *descr = type_lookup(tp, name);
    if (descr && mini_type(descr)->descr_set)
        return 0;
    ssize_t ix = exact_key_index(dict_at(owner, tp->dictoffset), name);
    if (ix < 0)
        return 0;
    cache_type(ts, c, tp);
    c->index = (uint32_t)ix;
    return OP_LOAD_ATTR_INSTANCE_VALUE;
}

// STORE_ATTR of [name] on [owner]: the form that fits, or 0. Only replacing the value of an
// attribute the instance has is specialised; adding one goes through dict_set.
static NOINLINE Opcode specialize_store_attr(ThreadState *ts, InlineCache *c, MiniObject *owner,
                                             MiniObject *name) {
    if (!MINI_IS_PTR(owner))
        return 0;
    MiniType *tp = owner->type;
    if ((tp->setattr && tp->setattr != mini_generic_setattr) || !plain_dictoffset(tp))
        return 0;
    MiniObject *descr = type_lookup(tp, name);
    if (descr && mini_type(descr)->descr_set)
        return 0;
    ssize_t ix = exact_key_index(dict_at(owner, tp->dictoffset), name);
    if (ix < 0)
        return 0;
    cache_type(ts, c, tp);
    c->index = (uint32_t)ix;
    return OP_STORE_ATTR_INSTANCE_VALUE;
}

// LOAD_METHOD of [name] on [owner]: the form that fits, or 0.
static NOINLINE Opcode specialize_load_method(ThreadState *ts, InlineCache *c, MiniObject *owner,
                                              MiniObject *name) {
    if (!MINI_IS_PTR(owner))
        return 0;
    MiniType *tp = owner->type;
    if (tp == &mini_module_type) {
        ssize_t ix = exact_key_index(((MiniModule *)owner)->dict, name);
        if (ix < 0)
            return 0;
        c->index = (uint32_t)ix;
        return OP_LOAD_METHOD_MODULE;
    }
    if (!generic_getattr_type(tp))
        return 0;
    MiniObject *descr = type_lookup(tp, name);
    if (!descr || !is_plain_method(descr))
        return 0;
    if (tp->dictoffset == 0) {
        cache_type(ts, c, tp);
        c->descr = descr;
        return OP_LOAD_METHOD_NO_DICT;
    }
    if (!plain_dictoffset(tp))
        return 0;
    MiniObject *dict = dict_at(owner, tp->dictoffset);
    if (dict && dict_find_str_index(dict, name) >= 0)
        return 0; // this instance shadows the method
    int64_t hash = ((MiniStr *)name)->hash;
    if (hash == -1)
        hash = str_hash(name);
    cache_type(ts, c, tp);
    c->descr = descr;
    c->keybits = dict_filter_bits(hash);
    return OP_LOAD_METHOD_WITH_DICT;
}

// LOAD_GLOBAL of [name] in frame [f]: the form that fits, or 0.
static NOINLINE Opcode specialize_load_global(InlineCache *c, Frame *f, MiniObject *name) {
    ssize_t ix = exact_key_index(f->globals, name);
    if (ix >= 0) {
        c->index = (uint32_t)ix;
        return OP_LOAD_GLOBAL_MODULE;
    }
    if (dict_find_str_index(f->globals, name) >= 0)
        return 0; // there, but under an equal str that is not the interned one
    ix = exact_key_index(f->builtins, name);
    if (ix < 0)
        return 0;
    uint32_t version = dict_keys_version(f->globals);
    if (!version)
        return 0;
    c->index = (uint32_t)ix;
    c->version = version;
    return OP_LOAD_GLOBAL_BUILTIN;
}

static inline bool is_exact_float(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_float_type;
}

static inline bool is_exact_str(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_str_type;
}

// BINARY_OP [op] (a MiniBinOp, +16 in place) on [left] and [right]: the form that fits, or 0.
static NOINLINE Opcode specialize_binary_op(MiniObject *left, MiniObject *right, uint32_t op) {
    unsigned k = op & 15;
    if (MINI_IS_SMALLINT(left) && MINI_IS_SMALLINT(right))
        return k == BINOP_ADD ? OP_BINARY_OP_ADD_INT : k == BINOP_SUB ? OP_BINARY_OP_SUB_INT : 0;
    if (is_exact_float(left) && is_exact_float(right))
        return k == BINOP_ADD   ? OP_BINARY_OP_ADD_FLOAT
               : k == BINOP_SUB ? OP_BINARY_OP_SUB_FLOAT
               : k == BINOP_MUL ? OP_BINARY_OP_MUL_FLOAT
                                : 0;
    if (k == BINOP_ADD && is_exact_str(left) && is_exact_str(right))
        return OP_BINARY_OP_ADD_STR;
    return 0;
}

// A call of [callable] with [nargs] positional arguments and no keywords: true when it is a
// mini function whose parameters take exactly those (see CodeObject.fast_nargs).
static inline bool is_exact_call(MiniObject *callable, size_t nargs) {
    return callable && MINI_IS_PTR(callable) && callable->type == &mini_function_type &&
           ((MiniFunction *)callable)->code->fast_nargs == (ssize_t)nargs;
}

// BINARY_SUBSCR of [container] by [key]: the form that fits, or 0.
static NOINLINE Opcode specialize_binary_subscr(MiniObject *container, MiniObject *key) {
    if (!MINI_IS_PTR(container))
        return 0;
    MiniType *ct = container->type;
    if (ct == &mini_list_type && MINI_IS_SMALLINT(key))
        return OP_BINARY_SUBSCR_LIST_INT;
    if (ct == &mini_tuple_type && MINI_IS_SMALLINT(key))
        return OP_BINARY_SUBSCR_TUPLE_INT;
    if (ct == &mini_dict_type)
        return OP_BINARY_SUBSCR_DICT;
    return 0;
}

// UNPACK_SEQUENCE of [seq] into [n] targets: the form that fits, or 0.
static NOINLINE Opcode specialize_unpack_sequence(MiniObject *seq, uint32_t n) {
    if (!MINI_IS_PTR(seq))
        return 0;
    if (seq->type == &mini_tuple_type && TUPLE_SIZE(seq) == n)
        return OP_UNPACK_SEQUENCE_TUPLE;
    if (seq->type == &mini_list_type && LIST_SIZE(seq) == n)
        return OP_UNPACK_SEQUENCE_LIST;
    return 0;
}

// RESUME and JUMP_BACKWARD of code not quickened yet, when its warm-up count reaches zero:
// quickens it, or, when quickening is off or fails, stops counting.
static NOINLINE void warmed_up(VM *vm, CodeObject *co) {
    if (!vm->quicken || !code_quicken(co))
        co->warmup = INT32_MAX;
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

// The running frame's locals (then cells, frees and the value stack): derived from `f`
// rather than kept in a variable of its own, which would cost the loop a register.
#define fastlocals (f->localsplus)
// The running code's names (co_names), also derived rather than kept.
#define names (TUPLE_ITEMS(co->names))

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
        consts = TUPLE_ITEMS(co->consts);                                                        \
    } while (0)

#define JUMP_TO(target) (ip = co->code + (target))

// The running instruction, writable: the specialiser rewrites it in place.
#define INSTR_PTR() (&co->code[ip - 1 - co->code])

// Leaves a specialised form for its miss label when [cond] holds (see MISS, after the switch).
#define DEOPT_IF(cond, base)                                                                     \
    do {                                                                                         \
        if (UNLIKELY(cond))                                                                      \
            goto miss_##base;                                                                    \
    } while (0)

#define FLOAT_VALUE(o) (((MiniFloat *)(o))->value)

// Ends a float operation of BINARY_OP on [left] and [right], the two values on top of the
// stack, whose result is [expr]: pops and releases them and pushes the result. Float
// arithmetic allocates a result per operation; where the result is about to replace a local
// that holds the only reference to a float (`dx = x1 - x2` in a loop, `x += dt`), that float
// takes the new value instead, and otherwise a temporary operand may (float_result).
#define FLOAT_RESULT_ANY(left, right, expr)                                                      \
    do {                                                                                         \
        double fv_ = (expr);                                                                     \
        word = *ip;                                                                              \
        if (INSTR_OP(word) == OP_STORE_FAST) {                                                   \
            MiniObject *old_ = fastlocals[INSTR_ARG(word)];                                      \
            if (old_ && MINI_IS_PTR(old_) && old_->type == &mini_float_type &&                   \
                old_->refcnt == (old_ == (left) ? 2 : 1)) {                                      \
                FLOAT_VALUE(old_) = fv_;                                                         \
                ip++;                                                                            \
                sp -= 2;                                                                         \
                MINI_DECREF(left);                                                               \
                MINI_DECREF(right);                                                              \
                DISPATCH();                                                                      \
            }                                                                                    \
        }                                                                                        \
        MiniObject *res_ = float_result(left, right, fv_);                                       \
        sp -= 2;                                                                                 \
        MINI_DECREF(left);                                                                       \
        MINI_DECREF(right);                                                                      \
        if (!res_)                                                                               \
            goto error;                                                                          \
        PUSH(res_);                                                                              \
        DISPATCH();                                                                              \
    } while (0)

// FLOAT_RESULT_ANY for two exact floats, the specialised forms' case: a temporary operand
// (one only the stack refers to) takes the result and stays where it is on the stack, and the
// other operand is released inline (float_decref).
#define FLOAT_RESULT(left, right, expr)                                                          \
    do {                                                                                         \
        double fv_ = (expr);                                                                     \
        word = *ip;                                                                              \
        if (INSTR_OP(word) == OP_STORE_FAST) {                                                   \
            MiniObject *old_ = fastlocals[INSTR_ARG(word)];                                      \
            if (old_ && MINI_IS_PTR(old_) && old_->type == &mini_float_type &&                   \
                old_->refcnt == (old_ == (left) ? 2 : 1)) {                                      \
                FLOAT_VALUE(old_) = fv_;                                                         \
                ip++;                                                                            \
                sp -= 2;                                                                         \
                float_decref(ts, left);                                                          \
                float_decref(ts, right);                                                         \
                DISPATCH();                                                                      \
            }                                                                                    \
        }                                                                                        \
        if ((left)->refcnt == 1) {                                                               \
            FLOAT_VALUE(left) = fv_;                                                             \
            sp--;                                                                                \
            float_decref(ts, right);                                                             \
            DISPATCH();                                                                          \
        }                                                                                        \
        if ((right)->refcnt == 1) {                                                              \
            FLOAT_VALUE(right) = fv_;                                                            \
            sp--;                                                                                \
            SET_TOP(right);                                                                      \
            float_decref(ts, left);                                                              \
            DISPATCH();                                                                          \
        }                                                                                        \
        MiniObject *res_ = float_result(left, right, fv_);                                       \
        if (!res_)                                                                               \
            goto error_drop_two;                                                                 \
        sp--;                                                                                    \
        SET_TOP(res_);                                                                           \
        float_decref(ts, left);                                                                  \
        float_decref(ts, right);                                                                 \
        DISPATCH();                                                                              \
    } while (0)

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
    VM *vm = ts->vm;
    Frame *f = frame;
    CodeObject *co;
    const uint32_t *ip;
    MiniObject **sp;
    MiniObject *const *consts;
    uint32_t word, oparg;
    MiniObject *retval = NULL;
    // The shared call sequence's inputs (see do_call).
    MiniObject **call_base, **call_new_sp;
    size_t call_nargs;
    MiniObject *call_kwnames;
    // The inline cache entry of the running quickened instruction.
    InlineCache *cache;
    // The item FOR_ITER and its specialised forms got (see for_got_item).
    MiniObject *iter_item;

    if (yielded)
        *yielded = false;
    LOAD_FRAME();
    if (throwflag)
        goto error;
    // A generator resumed after a plain yield: a check point, as the RESUME that follows a
    // yield is in CPython 3.11 (not after yield from, whose subiterator ran the check points).
    if (f->gen && ip > co->code && INSTR_OP(ip[-1]) == OP_YIELD_VALUE)
        CHECK_BREAKER();

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
    generic_BINARY_OP:;
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
            if (float_binop(left, right, oparg, &v))
                FLOAT_RESULT_ANY(left, right, v);
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
    generic_BINARY_SUBSCR:;
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
    generic_STORE_SUBSCR:;
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
        // Constants are immortal (code_new makes them so): no reference count to touch.
        PUSH(consts[oparg]);
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
    generic_LOAD_GLOBAL:;
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
    generic_LOAD_ATTR:;
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
    generic_STORE_ATTR:;
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
    generic_LOAD_METHOD:;
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
    generic_CALL_FUNCTION:;
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
    generic_CALL_METHOD:;
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
            !(((MiniFunction *)func)->code->flags & (CO_GENERATOR | CO_COROUTINE))) {
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
            // A call made for its effect (`obj.update()` as a statement) is followed by a
            // POP_TOP: drop the value here and skip it.
            if (INSTR_OP(*ip) == OP_POP_TOP) {
                ip++;
                MINI_DECREF(retval);
                DISPATCH();
            }
            PUSH(retval);
            DISPATCH();
        }
        goto exit_frame;
    }

    TARGET(RESUME) {
        // Function entry of code not quickened yet: it counts towards warming the code up.
        if (UNLIKELY(--co->warmup == 0))
            warmed_up(vm, co);
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
        if (UNLIKELY(coroutine_check(o))) {
            // Only a coroutine may delegate to a coroutine, and it does so with await.
            f->ip = ip;
            mini_raise_str(mini_exc_TypeError,
                           "cannot 'yield from' a coroutine object in a non-coroutine generator");
            goto error;
        }
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

    // --- Coroutines

    TARGET(GET_AWAITABLE) {
        MiniObject *o = TOP();
        f->ip = ip;
        MiniObject *it = coroutine_await_iter(o, (int)oparg);
        if (!it)
            goto error;
        MINI_DECREF(o);
        SET_TOP(it);
        DISPATCH();
    }

    TARGET(GET_AITER) {
        MiniObject *o = TOP();
        f->ip = ip;
        MiniObject *aiter = get_aiter(o);
        if (!aiter)
            goto error;
        MINI_DECREF(o);
        SET_TOP(aiter);
        DISPATCH();
    }

    TARGET(GET_ANEXT) {
        f->ip = ip;
        MiniObject *awaitable = get_anext(TOP());
        if (!awaitable)
            goto error;
        PUSH(awaitable);
        DISPATCH();
    }

    TARGET(END_ASYNC_FOR) {
        MiniObject *exc = POP();
        if (!mini_isinstance_type(exc, mini_exc_StopAsyncIteration)) {
            mini_error_restore(exc);
            f->ip = ip;
            goto exception_unwind;
        }
        // The loop is over: end the handler (as POP_EXCEPT does) and drop the iterator.
        MINI_DECREF(exc);
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
        MiniObject *aiter = POP();
        MINI_DECREF(aiter);
        DISPATCH();
    }

    TARGET(BEFORE_ASYNC_WITH) {
        MiniObject *mgr = TOP();
        MiniObject *enter, *exit;
        f->ip = ip;
        if (!lookup_manager(mgr, MINI_ID(__aenter__), MINI_ID(__aexit__), true, &enter, &exit))
            goto error;
        SET_TOP(exit);
        MINI_DECREF(mgr);
        MiniObject *res = mini_call(enter, NULL, 0, NULL);
        MINI_DECREF(enter);
        if (!res)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(SETUP_ASYNC_WITH) {
        if (UNLIKELY(f->nblocks >= MINI_MAX_BLOCKS)) {
            mini_raise_str(mini_exc_SystemError, "too many nested blocks");
            goto error;
        }
        Block *b = &f->blocks[f->nblocks++];
        b->kind = BLOCK_FINALLY;
        b->handler = (int32_t)oparg;
        b->level = (int32_t)(sp - f->stack) - 1; // the result of __aenter__ goes on an error
        b->saved_exc = NULL;
        DISPATCH();
    }

    // --- Control flow

    TARGET(JUMP_FORWARD) {
        JUMP_TO(oparg);
        DISPATCH();
    }

    TARGET(JUMP_BACKWARD) {
        // A loop's turn in code not quickened yet: it counts towards warming the code up.
        if (UNLIKELY(--co->warmup == 0))
            warmed_up(vm, co);
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
    generic_FOR_ITER:;
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
        iter_item = v;
        goto for_got_item;
    }

    // The end of FOR_ITER and its specialised forms: [iter_item] is the next item (owned).
for_got_item: {
    // The loop body almost always starts by storing the item in a local: do it now.
    word = *ip;
    if (INSTR_OP(word) == OP_STORE_FAST) {
        ip++;
        MiniObject **slot = &fastlocals[INSTR_ARG(word)];
        MiniObject *old = *slot;
        *slot = iter_item;
        MINI_XDECREF(old);
        DISPATCH();
    }
    PUSH(iter_item);
    DISPATCH();
}
    // The iterator on top of the stack is exhausted: drop it and leave the loop.
for_exhausted: {
    MiniObject *it = POP();
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
    generic_UNPACK_SEQUENCE:;
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
        if (!lookup_manager(mgr, MINI_ID(__enter__), MINI_ID(__exit__), false, &enter, &exit))
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

    // --- Specialised forms (see "Specialisation" at the top of this file). Each ADAPTIVE form
    // tries to specialise when its counter is zero and otherwise counts down; either way it
    // then runs its base instruction's generic code. Each specialised form states what it
    // guards and what it skips; a failed guard goes to the form's miss label (after the
    // switch), which counts the miss and runs the generic code.

    TARGET(RESUME_QUICK) {
        // RESUME in quickened code: only the check point, no warm-up count.
        CHECK_BREAKER();
        DISPATCH();
    }

    TARGET(JUMP_BACKWARD_QUICK) {
        JUMP_TO(oparg);
        CHECK_BREAKER();
        DISPATCH();
    }

    TARGET(LOAD_ATTR_ADAPTIVE) {
        cache = &co->caches[oparg];
        if (cache->counter == 0)
            specialize_done(INSTR_PTR(), cache,
                            specialize_load_attr(ts, cache, TOP(), cache->name));
        else
            cache->counter--;
        oparg = cache->arg;
        goto generic_LOAD_ATTR;
    }

    TARGET(LOAD_ATTR_INSTANCE_VALUE) {
        // Guards: the owner's type is the one seen and no class changed since (so the name is
        // still not a data descriptor of the type), and the instance dict holds the very name
        // at the cached entry. Skips: the type lookup, the descriptor checks and the probe.
        cache = &co->caches[oparg];
        MiniObject *owner = TOP();
        MiniObject *v = cached_instance_value(vm, cache, owner, cache->name);
        DEOPT_IF(!v, LOAD_ATTR);
        MINI_INCREF(v);
        SET_TOP(v);
        MINI_DECREF(owner);
        DISPATCH();
    }

    TARGET(LOAD_ATTR_MODULE) {
        // Guards: the owner is a module and its dict holds the very name at the cached entry.
        // Skips: module_getattr's hashing and probing.
        cache = &co->caches[oparg];
        MiniObject *owner = TOP();
        DEOPT_IF(!MINI_IS_PTR(owner) || owner->type != &mini_module_type, LOAD_ATTR);
        MiniObject *dict = ((MiniModule *)owner)->dict;
        DEOPT_IF(!dict, LOAD_ATTR);
        MiniObject *v = dict_entry_value_if(dict, cache->index, cache->name);
        DEOPT_IF(!v, LOAD_ATTR);
        MINI_INCREF(v);
        SET_TOP(v);
        MINI_DECREF(owner);
        DISPATCH();
    }

    TARGET(STORE_ATTR_ADAPTIVE) {
        cache = &co->caches[oparg];
        if (cache->counter == 0)
            specialize_done(INSTR_PTR(), cache,
                            specialize_store_attr(ts, cache, TOP(), cache->name));
        else
            cache->counter--;
        oparg = cache->arg;
        goto generic_STORE_ATTR;
    }

    TARGET(STORE_ATTR_INSTANCE_VALUE) {
        // Guards: as LOAD_ATTR_INSTANCE_VALUE (the type seen, no class changed: still no data
        // descriptor and the generic setattr; the name at the cached entry). Skips: the
        // setattr slot check, the type lookup and dict_set's probe: the value is replaced in
        // place.
        cache = &co->caches[oparg];
        MiniObject *owner = TOP(), *v = SECOND();
        MiniObject **slot = cached_instance_slot(vm, cache, owner, cache->name);
        DEOPT_IF(!slot, STORE_ATTR);
        MiniObject *old = *slot;
        *slot = v; // the stack's reference moves into the dict
        sp -= 2;
        // The old value goes last: its __del__ may run code that looks at the dict.
        MINI_DECREF(old);
        MINI_DECREF(owner);
        DISPATCH();
    }

    TARGET(LOAD_METHOD_ADAPTIVE) {
        cache = &co->caches[oparg];
        if (cache->counter == 0)
            specialize_done(INSTR_PTR(), cache,
                            specialize_load_method(ts, cache, TOP(), cache->name));
        else
            cache->counter--;
        oparg = cache->arg;
        goto generic_LOAD_METHOD;
    }

    TARGET(LOAD_METHOD_WITH_DICT) {
        // Guards: the owner's type is the one seen and no class changed since (so the name
        // still finds the cached function on the type), and the instance dict does not shadow
        // it: one of the name's bits is clear in the dict's key filter, or else a probe misses.
        // Skips: the type lookup, the descriptor checks, usually any probe, and the bound
        // method: "meth self" is pushed.
        cache = &co->caches[oparg];
        MiniObject *owner = TOP();
        DEOPT_IF(!cached_method_holds(vm, cache, owner, cache->name,
                                      OP_LOAD_METHOD_WITH_DICT),
                 LOAD_METHOD);
        MiniObject *meth = cache->descr;
        MINI_INCREF(meth);
        SET_TOP(meth);
        PUSH(owner);
        DISPATCH();
    }

    TARGET(LOAD_METHOD_NO_DICT) {
        // Guards: the type seen (its instances have no __dict__) and no class changed since.
        // Skips: the type lookup and the descriptor checks; pushes "meth self".
        cache = &co->caches[oparg];
        MiniObject *owner = TOP();
        DEOPT_IF(!cached_method_holds(vm, cache, owner, cache->name,
                                      OP_LOAD_METHOD_NO_DICT),
                 LOAD_METHOD);
        MiniObject *meth = cache->descr;
        MINI_INCREF(meth);
        SET_TOP(meth);
        PUSH(owner);
        DISPATCH();
    }

    TARGET(LOAD_METHOD_MODULE) {
        // Guards: as LOAD_ATTR_MODULE. Pushes "NULL attr": a module's function is called as
        // it is (math.sqrt(x)).
        cache = &co->caches[oparg];
        MiniObject *owner = TOP();
        DEOPT_IF(!MINI_IS_PTR(owner) || owner->type != &mini_module_type, LOAD_METHOD);
        MiniObject *dict = ((MiniModule *)owner)->dict;
        DEOPT_IF(!dict, LOAD_METHOD);
        MiniObject *v = dict_entry_value_if(dict, cache->index, cache->name);
        DEOPT_IF(!v, LOAD_METHOD);
        MINI_INCREF(v);
        SET_TOP(NULL);
        PUSH(v);
        MINI_DECREF(owner);
        DISPATCH();
    }

    TARGET(LOAD_GLOBAL_ADAPTIVE) {
        cache = &co->caches[oparg];
        if (cache->counter == 0)
            specialize_done(INSTR_PTR(), cache,
                            specialize_load_global(cache, f, cache->name));
        else
            cache->counter--;
        oparg = cache->arg;
        goto generic_LOAD_GLOBAL;
    }

    TARGET(LOAD_GLOBAL_MODULE) {
        // Guard: the globals hold the very name at the cached entry. Skips: the probe.
        cache = &co->caches[oparg];
        MiniObject *v = dict_entry_value_if(f->globals, cache->index, cache->name);
        DEOPT_IF(!v, LOAD_GLOBAL);
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_GLOBAL_BUILTIN) {
        // Guards: the globals dict has the keys version seen (the same dict, no key added or
        // removed since: the name is still not a global) and the builtins hold the very name
        // at the cached entry. Skips: both probes.
        cache = &co->caches[oparg];
        DEOPT_IF(((MiniDict *)f->globals)->keys_version != cache->version, LOAD_GLOBAL);
        MiniObject *v = dict_entry_value_if(f->builtins, cache->index, cache->name);
        DEOPT_IF(!v, LOAD_GLOBAL);
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    // The forms below keep no cache (opcodes.def): the ADAPTIVE form decides once, and a
    // specialised form that meets other operands runs the generic code of its base.

    TARGET(BINARY_OP_ADAPTIVE) {
        specialize_once(INSTR_PTR(), specialize_binary_op(SECOND(), TOP(), oparg),
                        OP_BINARY_OP);
        goto generic_BINARY_OP;
    }

    TARGET(BINARY_OP_ADD_INT) {
        // Guard: two small ints. Skips: the operator switch. Overflow takes the generic code
        // (int.c makes a big int).
        MiniObject *right = TOP(), *left = SECOND();
        intptr_t r;
        if (UNLIKELY(!MINI_IS_SMALLINT(left) || !MINI_IS_SMALLINT(right) ||
                     __builtin_add_overflow((intptr_t)left, (intptr_t)right - 1, &r)))
            goto generic_BINARY_OP;
        sp--;
        SET_TOP((MiniObject *)r); // (2a+1) + 2b = 2(a+b)+1
        DISPATCH();
    }

    TARGET(BINARY_OP_SUB_INT) {
        // As BINARY_OP_ADD_INT.
        MiniObject *right = TOP(), *left = SECOND();
        intptr_t r;
        if (UNLIKELY(!MINI_IS_SMALLINT(left) || !MINI_IS_SMALLINT(right) ||
                     __builtin_sub_overflow((intptr_t)left, (intptr_t)right - 1, &r)))
            goto generic_BINARY_OP;
        sp--;
        SET_TOP((MiniObject *)r); // (2a+1) - 2b = 2(a-b)+1
        DISPATCH();
    }

    // The float forms. Guard: two exact floats. Skips: the int and type tests and the
    // operator switch of the generic code; the result goes where the generic code puts it
    // (FLOAT_RESULT).
    TARGET(BINARY_OP_ADD_FLOAT) {
        MiniObject *right = TOP(), *left = SECOND();
        if (UNLIKELY(!is_exact_float(left) || !is_exact_float(right)))
            goto generic_BINARY_OP;
        FLOAT_RESULT(left, right, FLOAT_VALUE(left) + FLOAT_VALUE(right));
    }

    TARGET(BINARY_OP_SUB_FLOAT) {
        MiniObject *right = TOP(), *left = SECOND();
        if (UNLIKELY(!is_exact_float(left) || !is_exact_float(right)))
            goto generic_BINARY_OP;
        FLOAT_RESULT(left, right, FLOAT_VALUE(left) - FLOAT_VALUE(right));
    }

    TARGET(BINARY_OP_MUL_FLOAT) {
        MiniObject *right = TOP(), *left = SECOND();
        if (UNLIKELY(!is_exact_float(left) || !is_exact_float(right)))
            goto generic_BINARY_OP;
        FLOAT_RESULT(left, right, FLOAT_VALUE(left) * FLOAT_VALUE(right));
    }

    TARGET(BINARY_OP_ADD_STR) {
        // Guard: two exact strs. Skips: the number tests and mini_binary_op's slot dispatch.
        MiniObject *right = TOP(), *left = SECOND();
        if (UNLIKELY(!is_exact_str(left) || !is_exact_str(right)))
            goto generic_BINARY_OP;
        MiniObject *res = str_concat(left, right);
        sp -= 2;
        MINI_DECREF(left);
        MINI_DECREF(right);
        if (!res)
            goto error;
        PUSH(res);
        DISPATCH();
    }

    TARGET(BINARY_SUBSCR_ADAPTIVE) {
        specialize_once(INSTR_PTR(), specialize_binary_subscr(SECOND(), TOP()),
                        OP_BINARY_SUBSCR);
        goto generic_BINARY_SUBSCR;
    }

    TARGET(BINARY_SUBSCR_LIST_INT) {
        // Guards: an exact list, a small int index within it (negative ones count from the
        // end). Skips: the type dispatch of mini_getitem and the index conversion.
        MiniObject *key = TOP(), *container = SECOND();
        if (UNLIKELY(!MINI_IS_SMALLINT(key) || !MINI_IS_PTR(container) ||
                     container->type != &mini_list_type))
            goto generic_BINARY_SUBSCR;
        intptr_t i = MINI_SMALLINT_VALUE(key);
        if (i < 0)
            i += (intptr_t)LIST_SIZE(container);
        if (UNLIKELY(i < 0 || (size_t)i >= LIST_SIZE(container)))
            goto generic_BINARY_SUBSCR; // raises the IndexError
        MiniObject *res = LIST_GET(container, i);
        MINI_INCREF(res);
        sp--;
        SET_TOP(res);
        MINI_DECREF(container);
        DISPATCH();
    }

    TARGET(BINARY_SUBSCR_TUPLE_INT) {
        // As BINARY_SUBSCR_LIST_INT, for an exact tuple.
        MiniObject *key = TOP(), *container = SECOND();
        if (UNLIKELY(!MINI_IS_SMALLINT(key) || !MINI_IS_PTR(container) ||
                     container->type != &mini_tuple_type))
            goto generic_BINARY_SUBSCR;
        intptr_t i = MINI_SMALLINT_VALUE(key);
        if (i < 0)
            i += (intptr_t)TUPLE_SIZE(container);
        if (UNLIKELY(i < 0 || (size_t)i >= TUPLE_SIZE(container)))
            goto generic_BINARY_SUBSCR;
        MiniObject *res = TUPLE_GET(container, i);
        MINI_INCREF(res);
        sp--;
        SET_TOP(res);
        MINI_DECREF(container);
        DISPATCH();
    }

    TARGET(BINARY_SUBSCR_DICT) {
        // Guard: an exact dict (no __missing__ or __getitem__ of a subclass to honour). Skips:
        // the slot dispatch; a missing key still raises through the generic code.
        MiniObject *key = TOP(), *container = SECOND();
        if (UNLIKELY(!MINI_IS_PTR(container) || container->type != &mini_dict_type))
            goto generic_BINARY_SUBSCR;
        MiniObject *res = dict_get(container, key);
        if (UNLIKELY(!res)) {
            if (mini_error_occurred()) {
                sp -= 2;
                MINI_DECREF(container);
                MINI_DECREF(key);
                goto error;
            }
            goto generic_BINARY_SUBSCR; // raises the KeyError
        }
        MINI_INCREF(res);
        sp--;
        SET_TOP(res);
        MINI_DECREF(container);
        MINI_DECREF(key);
        DISPATCH();
    }

    TARGET(STORE_SUBSCR_ADAPTIVE) {
        MiniObject *key = TOP(), *container = SECOND();
        specialize_once(INSTR_PTR(),
                        MINI_IS_SMALLINT(key) && MINI_IS_PTR(container) &&
                                container->type == &mini_list_type
                            ? OP_STORE_SUBSCR_LIST_INT
                            : 0,
                        OP_STORE_SUBSCR);
        goto generic_STORE_SUBSCR;
    }

    TARGET(STORE_SUBSCR_LIST_INT) {
        // Guards: an exact list, a small int index within it. Skips: the slot dispatch and
        // the index conversion; the stack's reference to the value moves into the list.
        MiniObject *key = TOP(), *container = SECOND(), *v = THIRD();
        if (UNLIKELY(!MINI_IS_SMALLINT(key) || !MINI_IS_PTR(container) ||
                     container->type != &mini_list_type))
            goto generic_STORE_SUBSCR;
        intptr_t i = MINI_SMALLINT_VALUE(key);
        if (i < 0)
            i += (intptr_t)LIST_SIZE(container);
        if (UNLIKELY(i < 0 || (size_t)i >= LIST_SIZE(container)))
            goto generic_STORE_SUBSCR;
        sp -= 3;
        MiniObject *old = LIST_GET(container, i);
        LIST_ITEMS(container)[i] = v;
        // A list of floats updated in place (`v[0] += dx`) drops a float each time.
        if (MINI_IS_PTR(old) && old->type == &mini_float_type)
            float_decref(ts, old);
        else
            MINI_DECREF(old);
        MINI_DECREF(container);
        DISPATCH();
    }

    TARGET(UNPACK_SEQUENCE_ADAPTIVE) {
        specialize_once(INSTR_PTR(), specialize_unpack_sequence(TOP(), oparg),
                        OP_UNPACK_SEQUENCE);
        goto generic_UNPACK_SEQUENCE;
    }

    TARGET(UNPACK_SEQUENCE_TUPLE) {
        // Guard: an exact tuple of the right length. Skips: the type and length tests.
        MiniObject *seq = TOP();
        if (UNLIKELY(!MINI_IS_PTR(seq) || seq->type != &mini_tuple_type ||
                     TUPLE_SIZE(seq) != oparg))
            goto generic_UNPACK_SEQUENCE;
        sp--;
        for (uint32_t i = oparg; i > 0; i--) {
            MiniObject *item = TUPLE_GET(seq, i - 1);
            MINI_INCREF(item);
            PUSH(item);
        }
        MINI_DECREF(seq);
        DISPATCH();
    }

    TARGET(UNPACK_SEQUENCE_LIST) {
        // As UNPACK_SEQUENCE_TUPLE, for an exact list.
        MiniObject *seq = TOP();
        if (UNLIKELY(!MINI_IS_PTR(seq) || seq->type != &mini_list_type ||
                     LIST_SIZE(seq) != oparg))
            goto generic_UNPACK_SEQUENCE;
        sp--;
        for (uint32_t i = oparg; i > 0; i--) {
            MiniObject *item = LIST_GET(seq, i - 1);
            MINI_INCREF(item);
            PUSH(item);
        }
        MINI_DECREF(seq);
        DISPATCH();
    }

    TARGET(FOR_ITER_ADAPTIVE) {
        MiniObject *it = TOP();
        specialize_once(INSTR_PTR(),
                        listiter_check(it)    ? OP_FOR_ITER_LIST
                        : rangeiter_check(it) ? OP_FOR_ITER_RANGE
                                              : 0,
                        OP_FOR_ITER);
        goto generic_FOR_ITER;
    }

    TARGET(FOR_ITER_LIST) {
        // Guard: a list iterator. Skips: the iterator type tests.
        MiniObject *it = TOP();
        if (UNLIKELY(!listiter_check(it)))
            goto generic_FOR_ITER;
        iter_item = listiter_next_fast(it);
        if (!iter_item)
            goto for_exhausted;
        goto for_got_item;
    }

    TARGET(FOR_ITER_RANGE) {
        // Guard: a range iterator. Skips: the iterator type tests.
        MiniObject *it = TOP();
        if (UNLIKELY(!rangeiter_check(it)))
            goto generic_FOR_ITER;
        int64_t x;
        if (!range_iter_next_i64(it, &x))
            goto for_exhausted;
        if (LIKELY(MINI_FITS_SMALLINT(x))) {
            iter_item = MINI_FROM_SMALLINT(x);
        } else if (!(iter_item = int_from_i64(x))) {
            goto error;
        }
        goto for_got_item;
    }

    TARGET(CALL_FUNCTION_ADAPTIVE) {
        specialize_once(INSTR_PTR(),
                        is_exact_call(PEEK(oparg + 1), oparg) ? OP_CALL_FUNCTION_PY_EXACT : 0,
                        OP_CALL_FUNCTION);
        goto generic_CALL_FUNCTION;
    }

    TARGET(CALL_FUNCTION_PY_EXACT) {
        // Guard: the callee is a mini function whose parameters take exactly the positional
        // arguments given (no defaults to fill, no *args, not a generator). Skips: the
        // callable type tests of the call sequence; goes straight to pushing the frame.
        call_base = sp - oparg - 1;
        if (UNLIKELY(!is_exact_call(call_base[0], oparg)))
            goto generic_CALL_FUNCTION;
        call_new_sp = call_base;
        call_nargs = oparg;
        call_kwnames = NULL;
        f->ip = ip;
        goto call_exact_args;
    }

    TARGET(CALL_METHOD_ADAPTIVE) {
        specialize_once(INSTR_PTR(),
                        is_exact_call(PEEK(oparg + 2), oparg + 1) ? OP_CALL_METHOD_PY_EXACT : 0,
                        OP_CALL_METHOD);
        goto generic_CALL_METHOD;
    }

    TARGET(CALL_METHOD_PY_EXACT) {
        // Guard: LOAD_METHOD pushed "meth self" and meth is a mini function whose parameters
        // take self and the arguments exactly. Skips: as CALL_FUNCTION_PY_EXACT.
        call_base = sp - oparg - 2;
        if (UNLIKELY(!is_exact_call(call_base[0], oparg + 1)))
            goto generic_CALL_METHOD;
        call_new_sp = call_base;
        call_nargs = oparg + 1;
        call_kwnames = NULL;
        f->ip = ip;
        goto call_exact_args;
    }

    // Superinstructions: the first load, then the second from the next word, which is skipped.
    TARGET(LOAD_FAST__LOAD_FAST) {
        MiniObject *v = fastlocals[oparg];
        if (UNLIKELY(!v)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        MINI_INCREF(v);
        PUSH(v);
        word = *ip++;
        oparg = INSTR_ARG(word);
        v = fastlocals[oparg];
        if (UNLIKELY(!v)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    TARGET(LOAD_FAST__LOAD_CONST) {
        MiniObject *v = fastlocals[oparg];
        if (UNLIKELY(!v)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        MINI_INCREF(v);
        PUSH(v);
        word = *ip++;
        PUSH(consts[INSTR_ARG(word)]); // immortal, as in LOAD_CONST
        DISPATCH();
    }

    TARGET(LOAD_CONST__LOAD_FAST) {
        PUSH(consts[oparg]); // immortal, as in LOAD_CONST
        MiniObject *v;
        word = *ip++;
        oparg = INSTR_ARG(word);
        v = fastlocals[oparg];
        if (UNLIKELY(!v)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        MINI_INCREF(v);
        PUSH(v);
        DISPATCH();
    }

    // LOAD_FAST, then, when the LOAD_ATTR after it is LOAD_ATTR_INSTANCE_VALUE and that form's
    // guards hold for the local, that LOAD_ATTR too: the local's attribute is pushed instead of
    // the local, whose reference count is never touched. Otherwise just LOAD_FAST: the LOAD_ATTR
    // then runs on its own (and counts its own miss).
    TARGET(LOAD_FAST__LOAD_ATTR) {
        MiniObject *owner = fastlocals[oparg];
        if (UNLIKELY(!owner)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        word = *ip;
        if (INSTR_OP(word) == OP_LOAD_ATTR_INSTANCE_VALUE) {
            cache = &co->caches[INSTR_ARG(word)];
            MiniObject *v = cached_instance_value(vm, cache, owner, cache->name);
            if (v) {
                MINI_INCREF(v);
                PUSH(v);
                ip++;
                DISPATCH();
            }
        }
        MINI_INCREF(owner);
        PUSH(owner);
        DISPATCH();
    }

    // LOAD_FAST, then, when the LOAD_METHOD after it is specialised for a method on the type
    // and its guards hold for the local, that LOAD_METHOD too ("meth self" pushed at once).
    TARGET(LOAD_FAST__LOAD_METHOD) {
        MiniObject *owner = fastlocals[oparg];
        if (UNLIKELY(!owner)) {
            raise_unbound_local(TUPLE_GET(co->varnames, oparg));
            goto error;
        }
        MINI_INCREF(owner);
        word = *ip;
        Opcode next = (Opcode)INSTR_OP(word);
        if (next == OP_LOAD_METHOD_WITH_DICT || next == OP_LOAD_METHOD_NO_DICT) {
            cache = &co->caches[INSTR_ARG(word)];
            if (cached_method_holds(vm, cache, owner, cache->name, next)) {
                MiniObject *meth = cache->descr;
                MINI_INCREF(meth);
                PUSH(meth);
                PUSH(owner);
                ip++;
                DISPATCH();
            }
        }
        PUSH(owner);
        DISPATCH();
    }

    // DUP_TOP, then, when the LOAD_ATTR after it is LOAD_ATTR_INSTANCE_VALUE and its guards
    // hold, that LOAD_ATTR too (`o.x += 1` reads o.x and keeps o below it): the attribute is
    // pushed and o's reference count is not touched.
    TARGET(DUP_TOP__LOAD_ATTR) {
        MiniObject *owner = TOP();
        word = *ip;
        if (INSTR_OP(word) == OP_LOAD_ATTR_INSTANCE_VALUE) {
            cache = &co->caches[INSTR_ARG(word)];
            MiniObject *v = cached_instance_value(vm, cache, owner, cache->name);
            if (v) {
                MINI_INCREF(v);
                PUSH(v);
                ip++;
                DISPATCH();
            }
        }
        MINI_INCREF(owner);
        PUSH(owner);
        DISPATCH();
    }

    // ROT_TWO, then, when the STORE_ATTR after it is STORE_ATTR_INSTANCE_VALUE and its guards
    // hold for the object ROT_TWO would bring to the top, that STORE_ATTR too (`o.x += 1`
    // stores the new value through the o kept below it).
    TARGET(ROT_TWO__STORE_ATTR) {
        MiniObject *v = TOP(), *owner = SECOND();
        word = *ip;
        if (INSTR_OP(word) == OP_STORE_ATTR_INSTANCE_VALUE) {
            cache = &co->caches[INSTR_ARG(word)];
            MiniObject **slot = cached_instance_slot(vm, cache, owner, cache->name);
            if (slot) {
                MiniObject *old = *slot;
                *slot = v; // the stack's reference moves into the dict
                sp -= 2;
                ip++;
                MINI_DECREF(old); // last: its __del__ may look at the dict
                MINI_DECREF(owner);
                DISPATCH();
            }
        }
        OPAQUE(v);
        SET_TOP(owner);
        SET_SECOND(v);
        DISPATCH();
    }

#if !MINI_COMPUTED_GOTO
    default:
        break;
#endif
    }
    mini_raise(mini_exc_SystemError, "unknown opcode %u", (unsigned)INSTR_OP(word));
    goto error;

    // --- The miss labels of the specialised forms: a guard failed. Count the miss (enough of
    // them put the ADAPTIVE form back) and run the base instruction's generic code with its own
    // argument.
#define MISS(base)                                                                               \
    miss_##base:                                                                                 \
    cache = &co->caches[INSTR_ARG(ip[-1])];                                                      \
    specialize_miss(INSTR_PTR(), cache, OP_##base##_ADAPTIVE);                                   \
    oparg = cache->arg;                                                                          \
    goto generic_##base;

    MISS(LOAD_ATTR)
    MISS(STORE_ATTR)
    MISS(LOAD_METHOD)
    MISS(LOAD_GLOBAL)
#undef MISS

    // --- The shared call sequence. Inputs: call_base[0] is the callable, followed on the
    // stack by call_nargs positional arguments and then the values of the keywords named by
    // call_kwnames (owned, or NULL); every stack slot from call_new_sp up belongs to the call
    // (call_new_sp < call_base when CALL_METHOD left a NULL below the callable).
do_call: {
    MiniObject *callable = call_base[0];
    MiniObject *res;
    Frame *nf;
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
            if (UNLIKELY(fco->flags & (CO_GENERATOR | CO_COROUTINE))) {
                res = generator_new(fn, args, call_nargs, call_kwnames);
                goto call_done;
            }
            if ((ssize_t)call_nargs == fco->fast_nargs && !call_kwnames)
                goto call_exact_args;
            nf = push_call_frame(ts, fn, args, call_nargs, call_kwnames);
            while (sp > call_new_sp) {
                MiniObject *o = POP();
                MINI_XDECREF(o);
            }
            MINI_XDECREF(call_kwnames);
            if (!nf)
                goto error;
            goto call_enter_frame;
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
    goto call_done;

    // A call of a mini function whose parameters take exactly the call's positional
    // arguments (call_base[0] the function, call_nargs arguments after it, no keywords; f->ip
    // saved), from the sequence above or from the CALL_*_PY_EXACT forms: the references move
    // from the stack into the new frame.
call_exact_args: {
    MiniFunction *fn = (MiniFunction *)call_base[0];
    CodeObject *fco = fn->code;
    MiniObject **args = call_base + 1;
    if (UNLIKELY(ts->recursion_depth >= vm->recursion_limit)) {
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
    // (What the new registers will hold is kept in locals: with -fno-strict-aliasing the
    // compiler would otherwise read back each field just stored.)
    const uint32_t *entry = fco->code;
    MiniObject **stack = nf->localsplus + nfixed;
    nf->code = fco;
    nf->func = (MiniObject *)fn;
    nf->globals = fn->globals;
    nf->builtins = fn->builtins;
    nf->locals = NULL;
    nf->ip = entry;
    nf->stack = stack;
    nf->sp = stack;
    nf->gen = NULL;
    nf->is_entry = 0;
    nf->on_thread_stack = 1;
    nf->nblocks = 0;
    // The slots are few: a vectorised copy or a memset call would cost more than the loops.
    size_t i = 0;
    for (; i < call_nargs; i++) {
        nf->localsplus[i] = args[i];
        NO_MEMSET();
    }
    for (; i < nfixed; i++) {
        nf->localsplus[i] = NULL;
        NO_MEMSET();
    }
    if (!(fco->flags & CO_NOFREE) && !frame_init_cells(nf, fn)) {
        sp = call_new_sp;
        frame_release(ts, nf);
        goto error;
    }
    // Link the frame and continue with its first instruction. The arguments moved into the
    // frame, and a NULL placeholder below them needs no release.
    f->sp = call_new_sp;
    nf->back = f;
    ts->frame = nf;
    ts->recursion_depth++;
    f = nf;
    co = fco;
    ip = entry;
    sp = stack;
    consts = TUPLE_ITEMS(fco->consts);
    // Quickened code starts with RESUME_QUICK: do its check point here and skip a dispatch.
    if (INSTR_OP(*ip) == OP_RESUME_QUICK) {
        ip++;
        CHECK_BREAKER();
    }
    DISPATCH();
}
    // Links [nf] (made by push_call_frame) above the running frame and continues with its
    // first instruction.
call_enter_frame:
    f->sp = sp;
    nf->back = f;
    ts->frame = nf;
    ts->recursion_depth++;
    f = nf;
    LOAD_FRAME();
    DISPATCH();

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

    // A failed operation whose two operands are still on top of the stack: release them.
error_drop_two:
    sp -= 2;
    MINI_DECREF(sp[0]);
    MINI_DECREF(sp[1]);
    // Fall through.

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
