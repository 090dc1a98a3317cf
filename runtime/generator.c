// generator.c - generators: functions that suspend at `yield` and resume later.
//
// The design (frame inside the object, ExcInfo linking, ownership) is in generator.h. What
// this file adds:
//
// - Resuming (generator_send) links the frame and the generator's ExcInfo, runs eval_frame_ex
//   until the frame yields, returns or raises, and unlinks them. A value sent into a suspended
//   generator is pushed on its value stack: it becomes the value of the `yield` expression.
// - PEP 479: a StopIteration escaping the frame becomes RuntimeError("generator raised
//   StopIteration") with the StopIteration as its cause.
// - `yield from`: the eval loop's YIELD_FROM re-executes itself while the subiterator yields,
//   so a generator suspended in a `yield from` has its next instruction at YIELD_FROM and the
//   subiterator on top of its stack; throw() and close() pass through to that subiterator
//   first, as CPython's _gen_throw does.
// - Finalization: a generator dropped while suspended inside a try or with block is closed
//   (GeneratorExit is thrown in so its finally blocks run) before it is freed.
// - Coroutines share all of this (generator.h); their type adds __await__ and the
//   coroutine_wrapper it returns, and coroutine_await_iter is GET_AWAITABLE's lookup.

#include <string.h>

#include "../stdlib/stdlib.h"
#include "../vm/eval_internal.h"
#include "generator.h"

#define GEN(o) ((MiniGenerator *)(o))

// "generator" or "coroutine": the word CPython's messages use for [gen].
static const char *gen_kind(MiniGenerator *gen) { return gen->ob.type->name; }

// Defined below; new reference (None) or NULL.
static MiniObject *gen_close(MiniGenerator *gen);

// ---------------------------------------------------------------------------------------------
// Creating and resuming
// ---------------------------------------------------------------------------------------------

MiniObject *generator_new(MiniFunction *func, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames) {
    CodeObject *co = func->code;
    MiniType *type = (co->flags & CO_COROUTINE) ? &mini_coroutine_type : &mini_generator_type;
    MiniGenerator *gen =
        (MiniGenerator *)mini_gc_alloc(type, sizeof(MiniGenerator) + frame_bytes(co));
    if (!gen)
        return NULL;
    Frame *f = (Frame *)(gen + 1);
    frame_init(f, co, false);
    f->gen = gen;
    f->func = mini_newref((MiniObject *)func);
    f->globals = func->globals;
    f->builtins = func->builtins;
    gen->frame = f;
    gen->name = mini_newref(func->name);
    gen->qualname = mini_newref(func->qualname);
    gen->state = GEN_CREATED;
    if (!frame_bind_args(f, func, args, nargs, kwnames)) {
        gen->state = GEN_COMPLETED;
        MINI_DECREF(gen);
        return NULL;
    }
    return (MiniObject *)gen;
}

GenResult generator_send(MiniGenerator *gen, MiniObject *arg, bool exc, MiniObject **result) {
    ThreadState *ts = mini_ts;
    Frame *f = gen->frame;
    *result = NULL;
    switch (gen->state) {
    case GEN_RUNNING:
        mini_raise(mini_exc_ValueError, "%s already executing", gen_kind(gen));
        return GEN_RESULT_ERROR;
    case GEN_COMPLETED:
        if (coroutine_check((MiniObject *)gen)) {
            // A coroutine runs once: resuming it again, even to throw into it, is an error.
            mini_error_clear();
            mini_raise_str(mini_exc_RuntimeError, "cannot reuse already awaited coroutine");
            return GEN_RESULT_ERROR;
        }
        if (exc)
            return GEN_RESULT_ERROR; // the exception being thrown goes to the caller as it is
        // An exhausted generator answers every send or next with StopIteration.
        *result = mini_newref(MINI_NONE);
        return GEN_RESULT_RETURN;
    case GEN_CREATED:
        if (!exc && arg != MINI_NONE) {
            mini_raise(mini_exc_TypeError, "can't send non-None value to a just-started %s",
                       gen_kind(gen));
            return GEN_RESULT_ERROR;
        }
        break;
    default:
        break;
    }
    if (ts->recursion_depth >= ts->vm->recursion_limit ||
        ts->c_recursion_depth >= ts->c_recursion_limit) {
        mini_raise_str(mini_exc_RecursionError, "maximum recursion depth exceeded");
        return GEN_RESULT_ERROR;
    }
    if (gen->state == GEN_SUSPENDED && !exc)
        *f->sp++ = mini_newref(arg); // the value of the yield expression

    f->back = ts->frame;
    f->is_entry = 1;
    ts->frame = f;
    ts->recursion_depth++;
    ts->c_recursion_depth++;
    gen->exc_state.previous = ts->exc_info;
    ts->exc_info = &gen->exc_state;
    gen->state = GEN_RUNNING;

    bool yielded = false;
    MiniObject *r = eval_frame_ex(f, exc, &yielded);

    ts->exc_info = gen->exc_state.previous;
    gen->exc_state.previous = NULL;
    ts->c_recursion_depth--;
    f->back = NULL;
    if (yielded) {
        gen->state = GEN_SUSPENDED;
        *result = r;
        return GEN_RESULT_YIELD;
    }
    gen->state = GEN_COMPLETED;
    if (r) {
        frame_clear(f);
        MINI_CLEAR(gen->exc_state.exc);
        *result = r;
        return GEN_RESULT_RETURN;
    }
    // Releasing the frame may run finalizers: keep the pending exception aside meanwhile.
    MiniObject *err = mini_error_fetch();
    frame_clear(f);
    MINI_CLEAR(gen->exc_state.exc);
    if (err && mini_isinstance_type(err, mini_exc_StopIteration)) {
        // PEP 479: StopIteration must not leak out of a generator silently.
        mini_raise(mini_exc_RuntimeError, "%s raised StopIteration", gen_kind(gen));
        MiniObject *rt = mini_error_fetch();
        if (rt && exception_check(rt)) {
            MiniBaseException *be = (MiniBaseException *)rt;
            MINI_INCREF(err);
            MINI_SETREF(be->cause, err);
            MINI_SETREF(be->context, err); // takes the fetched reference
            be->suppress_context = true;
            err = rt;
        } else {
            MINI_DECREF(err);
            err = rt;
        }
    }
    mini_error_restore(err);
    return GEN_RESULT_ERROR;
}

// Raises StopIteration carrying [value] (None: no value), as returning from a generator that
// was resumed by send() or __next__ does.
static void raise_stop_iteration(MiniObject *value) {
    if (value == MINI_NONE) {
        mini_raise_object((MiniObject *)mini_exc_StopIteration);
        return;
    }
    MiniObject *args = tuple_pack(1, value);
    if (!args)
        return;
    MiniObject *exc = exception_new(mini_exc_StopIteration, args);
    MINI_DECREF(args);
    if (exc)
        mini_error_restore(exc);
}

// ---------------------------------------------------------------------------------------------
// yield from: the subiterator, throw and close
// ---------------------------------------------------------------------------------------------

MiniObject *generator_yieldfrom(MiniGenerator *gen) {
    if (gen->state != GEN_SUSPENDED)
        return NULL;
    Frame *f = gen->frame;
    if (INSTR_OP(*f->ip) != OP_YIELD_FROM || f->sp <= f->stack)
        return NULL;
    return f->sp[-1];
}

// Closes the subiterator [yf]: gen.close() for generators, yf.close() if it has one.
// 0 or -1 with an exception.
static int close_subiterator(MiniObject *yf) {
    MiniObject *r;
    if (genobject_check(yf)) {
        r = gen_close(GEN(yf));
    } else {
        MiniObject *meth = mini_getattr_opt(yf, MINI_ID(close));
        if (!meth)
            return mini_error_occurred() ? -1 : 0;
        r = mini_call(meth, NULL, 0, NULL);
        MINI_DECREF(meth);
    }
    if (!r)
        return -1;
    MINI_DECREF(r);
    return 0;
}

// Ends the delegation of a generator suspended at YIELD_FROM: pops the subiterator and steps
// past the YIELD_FROM, so that the next resume pushes the value of the `yield from`.
static void end_delegation(MiniGenerator *gen) {
    Frame *f = gen->frame;
    MiniObject *yf = *--f->sp;
    MINI_DECREF(yf);
    f->ip++;
}

// Throws [exc] (an exception instance, owned) into [gen] at the point where it is suspended,
// passing it first to the subiterator of a `yield from` (GeneratorExit closes the subiterator
// instead when [close_on_genexit]).
static GenResult gen_throw(MiniGenerator *gen, bool close_on_genexit, MiniObject *exc,
                           MiniObject **result) {
    *result = NULL;
    MiniObject *yf = generator_yieldfrom(gen);
    if (yf) {
        MINI_INCREF(yf);
        if (close_on_genexit && mini_isinstance_type(exc, mini_exc_GeneratorExit)) {
            // Close the subiterator, then raise GeneratorExit (or the close error) here.
            gen->state = GEN_RUNNING;
            int err = close_subiterator(yf);
            gen->state = GEN_SUSPENDED;
            MINI_DECREF(yf);
            if (err < 0) {
                MINI_DECREF(exc);
                return generator_send(gen, MINI_NONE, true, result);
            }
            goto throw_here;
        }
        MiniObject *ret = NULL;
        GenResult sub = GEN_RESULT_ERROR;
        if (genobject_check(yf)) {
            gen->state = GEN_RUNNING;
            sub = gen_throw(GEN(yf), close_on_genexit, exc, &ret);
            exc = NULL; // consumed
            gen->state = GEN_SUSPENDED;
        } else {
            MiniObject *meth = mini_getattr_opt(yf, MINI_ID(throw));
            if (!meth) {
                MINI_DECREF(yf);
                if (mini_error_occurred()) {
                    MINI_DECREF(exc);
                    return generator_send(gen, MINI_NONE, true, result);
                }
                goto throw_here;
            }
            gen->state = GEN_RUNNING;
            ret = mini_call(meth, &exc, 1, NULL);
            gen->state = GEN_SUSPENDED;
            MINI_DECREF(meth);
            MINI_CLEAR(exc);
            if (ret) {
                sub = GEN_RESULT_YIELD;
            } else if (mini_error_matches(mini_exc_StopIteration)) {
                MiniObject *si = mini_error_fetch();
                ret = mini_newref(stopiteration_value(si));
                MINI_DECREF(si);
                sub = GEN_RESULT_RETURN;
            }
        }
        MINI_DECREF(yf);
        if (sub == GEN_RESULT_YIELD) {
            *result = ret; // the subiterator yielded: so does this generator
            return GEN_RESULT_YIELD;
        }
        // The subiterator finished: its return value becomes the value of `yield from` here,
        // or its exception is raised here.
        end_delegation(gen);
        if (sub == GEN_RESULT_RETURN) {
            GenResult r = generator_send(gen, ret, false, result);
            MINI_DECREF(ret);
            return r;
        }
        return generator_send(gen, MINI_NONE, true, result);
    }
throw_here:
    mini_error_restore(exc);
    return generator_send(gen, MINI_NONE, true, result);
}

// gen.close(): raises GeneratorExit at the suspension point. None, or NULL with an exception
// (RuntimeError "generator ignored GeneratorExit" if it yields instead of finishing). New
// reference.
static MiniObject *gen_close(MiniGenerator *gen) {
    if (gen->state == GEN_CREATED) {
        gen->state = GEN_COMPLETED;
        frame_clear(gen->frame);
        return mini_newref(MINI_NONE);
    }
    if (gen->state == GEN_COMPLETED)
        return mini_newref(MINI_NONE);
    if (gen->state == GEN_RUNNING)
        return mini_raise(mini_exc_ValueError, "%s already executing", gen_kind(gen));
    MiniObject *yf = generator_yieldfrom(gen);
    int err = 0;
    if (yf) {
        MINI_INCREF(yf);
        gen->state = GEN_RUNNING;
        err = close_subiterator(yf);
        gen->state = GEN_SUSPENDED;
        MINI_DECREF(yf);
    }
    if (err == 0)
        mini_raise_object((MiniObject *)mini_exc_GeneratorExit);
    MiniObject *r;
    GenResult gr = generator_send(gen, MINI_NONE, true, &r);
    if (gr == GEN_RESULT_YIELD) {
        MINI_DECREF(r);
        return mini_raise(mini_exc_RuntimeError, "%s ignored GeneratorExit", gen_kind(gen));
    }
    if (gr == GEN_RESULT_RETURN) {
        MINI_DECREF(r);
        return mini_newref(MINI_NONE);
    }
    if (mini_error_matches(mini_exc_GeneratorExit) || mini_error_matches(mini_exc_StopIteration)) {
        mini_error_clear();
        return mini_newref(MINI_NONE);
    }
    return NULL;
}

// ---------------------------------------------------------------------------------------------
// The generator type
// ---------------------------------------------------------------------------------------------

// Reports an exception that cannot propagate (raised while finalizing [obj]) on stderr, as
// CPython's "Exception ignored in: ..." does, and clears it.
static void write_unraisable(MiniObject *obj) {
    MiniObject *exc = mini_error_fetch();
    if (!exc)
        return;
    file_flush_std();
    MiniObject *r = mini_repr(obj);
    MiniObject *line = r ? str_from_format("Exception ignored in: %U\n", r) : NULL;
    MINI_XDECREF(r);
    VM *vm = mini_ts->vm;
    MiniObject *err = line && vm->sys_module ? mini_getattr_opt(vm->sys_module, MINI_ID(stderr))
                                             : NULL;
    if (err)
        file_write_str(err, line);
    MINI_XDECREF(err);
    MINI_XDECREF(line);
    mini_error_clear();
    // CPython's unraisable hook prints the exception alone, without its chain.
    if (exception_check(exc)) {
        MINI_CLEAR(((MiniBaseException *)exc)->context);
        MINI_CLEAR(((MiniBaseException *)exc)->cause);
    }
    exception_print(exc);
    MINI_DECREF(exc);
    mini_error_clear();
}

// Does [gen] still have cleanup to run: is it suspended inside a try or with block, or
// delegating with yield from?
static bool needs_close(MiniGenerator *gen) {
    return gen->state == GEN_SUSPENDED && (gen->frame->nblocks > 0 || generator_yieldfrom(gen));
}

// The finalizer (CPython's _PyGen_Finalize), run by the dealloc or, for a generator in a
// garbage cycle, by the cycle collector: closes a generator that still has cleanup to run,
// keeping any pending exception aside meanwhile.
static void generator_finalize(MiniObject *self) {
    MiniGenerator *gen = GEN(self);
    if (!needs_close(gen))
        return;
    MiniObject *saved = mini_error_fetch();
    MiniObject *r = gen_close(gen);
    if (r)
        MINI_DECREF(r);
    else
        write_unraisable(self);
    if (saved)
        mini_error_restore(saved);
}

static void generator_dealloc(MiniObject *self) {
    MiniGenerator *gen = GEN(self);
    // Close it first, once (the collector may have done it already), keeping it alive and
    // tracked meanwhile: the cleanup code may store it somewhere.
    GcHead *head = MINI_GC_HEAD(self);
    if (needs_close(gen) && !(head->gc_refs & MINI_GC_FINALIZED)) {
        head->gc_refs |= MINI_GC_FINALIZED;
        self->refcnt = 1;
        mini_gc_track(self);
        generator_finalize(self);
        if (--self->refcnt > 0)
            return; // resurrected by its own cleanup code
        mini_gc_untrack(self);
    }
    frame_clear(gen->frame);
    MINI_CLEAR(gen->exc_state.exc);
    MINI_CLEAR(gen->name);
    MINI_CLEAR(gen->qualname);
    mini_object_free(self);
}

static int generator_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MiniGenerator *gen = GEN(self);
    Frame *f = gen->frame;
    MINI_VISIT(gen->name);
    MINI_VISIT(gen->qualname);
    MINI_VISIT(gen->exc_state.exc);
    if (gen->state == GEN_COMPLETED)
        return 0;
    MINI_VISIT(f->func);
    MINI_VISIT(f->locals);
    // While the frame runs, its value stack lives in the eval loop's registers: only the
    // fixed slots are up to date then.
    MiniObject **end = gen->state == GEN_RUNNING ? f->stack : f->sp;
    for (MiniObject **p = f->localsplus; p < end; p++)
        MINI_VISIT(*p);
    for (int i = 0; i < f->nblocks; i++)
        if (f->blocks[i].kind == BLOCK_EXCEPT_HANDLER)
            MINI_VISIT(f->blocks[i].saved_exc);
    return 0;
}

static int generator_clear(MiniObject *self) {
    MiniGenerator *gen = GEN(self);
    if (gen->state != GEN_RUNNING) {
        gen->state = GEN_COMPLETED;
        frame_clear(gen->frame);
    }
    MINI_CLEAR(gen->exc_state.exc);
    return 0;
}

// repr: `<generator object f.<locals>.g at 0x...>` (or `<coroutine object ...>`). New str.
static MiniObject *generator_repr(MiniObject *self) {
    return str_from_format("<%s object %U at %p>", gen_kind(GEN(self)), GEN(self)->qualname,
                           (void *)self);
}

// iter(gen) is gen. New reference.
static MiniObject *generator_iter(MiniObject *self) { return mini_newref(self); }

// next(gen): the next yielded value, or NULL without an exception once it is exhausted.
static MiniObject *generator_iternext(MiniObject *self) {
    MiniObject *r;
    GenResult gr = generator_send(GEN(self), MINI_NONE, false, &r);
    if (gr == GEN_RESULT_YIELD)
        return r;
    if (gr == GEN_RESULT_RETURN)
        MINI_DECREF(r);
    return NULL;
}

// gen.__next__(): like next(gen) but a return value travels in the StopIteration.
static MiniObject *generator_next_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("generator.__next__", kwnames))
        return NULL;
    if (nargs != 0)
        return mini_raise(mini_exc_TypeError, "expected 0 arguments, got %zu", nargs);
    MiniObject *r;
    GenResult gr = generator_send(GEN(self), MINI_NONE, false, &r);
    if (gr == GEN_RESULT_YIELD)
        return r;
    if (gr == GEN_RESULT_RETURN) {
        raise_stop_iteration(r);
        MINI_DECREF(r);
    }
    return NULL;
}

// gen.send(value). New reference.
static MiniObject *generator_send_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                         MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames))
        return mini_raise(mini_exc_TypeError, "%s.send() takes no keyword arguments",
                          gen_kind(GEN(self)));
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError, "%s.send() takes exactly one argument (%zu given)",
                          gen_kind(GEN(self)), nargs);
    MiniObject *r;
    GenResult gr = generator_send(GEN(self), args[0], false, &r);
    if (gr == GEN_RESULT_YIELD)
        return r;
    if (gr == GEN_RESULT_RETURN) {
        raise_stop_iteration(r);
        MINI_DECREF(r);
    }
    return NULL;
}

// Makes the exception instance gen.throw(typ, val, tb) asks for. New reference or NULL.
static MiniObject *normalize_throw(MiniObject *typ, MiniObject *val, MiniObject *tb) {
    if (tb == MINI_NONE)
        tb = NULL;
    if (tb && mini_type(tb) != &mini_traceback_type)
        return mini_raise_str(mini_exc_TypeError,
                              "throw() third argument must be a traceback object");
    MiniObject *exc;
    bool is_class = MINI_IS_PTR(typ) &&
                    (typ->type == &mini_type_type ||
                     (typ->type->flags & MINI_TPFLAG_TYPE_SUBCLASS)) &&
                    (((MiniType *)typ)->flags & MINI_TPFLAG_EXC_SUBCLASS);
    if (is_class) {
        if (val && val != MINI_NONE && mini_isinstance_type(val, (MiniType *)typ)) {
            exc = mini_newref(val);
        } else {
            MiniObject *args;
            if (!val || val == MINI_NONE)
                args = mini_newref(tuple_empty());
            else if (tuple_check(val))
                args = mini_newref(val);
            else
                args = tuple_pack(1, val);
            if (!args)
                return NULL;
            exc = mini_call(typ, TUPLE_ITEMS(args), TUPLE_SIZE(args), NULL);
            MINI_DECREF(args);
            if (!exc)
                return NULL;
            if (!exception_check(exc)) {
                mini_raise(mini_exc_TypeError,
                           "calling %R should have returned an instance of BaseException, not %R",
                           typ, (MiniObject *)mini_type(exc));
                MINI_DECREF(exc);
                return NULL;
            }
        }
    } else if (exception_check(typ)) {
        if (val && val != MINI_NONE)
            return mini_raise_str(mini_exc_TypeError,
                                  "instance exception may not have a separate value");
        exc = mini_newref(typ);
    } else {
        return mini_raise(mini_exc_TypeError,
                          "exceptions must be classes or instances deriving from BaseException, "
                          "not %s",
                          mini_type_name(typ));
    }
    if (tb) {
        MINI_INCREF(tb);
        MINI_SETREF(((MiniBaseException *)exc)->traceback, tb);
    }
    return exc;
}

// gen.throw(typ[, val[, tb]]): raises at the suspension point. The next yielded value, or
// NULL with an exception (StopIteration if the generator returned). New reference.
static MiniObject *generator_throw_method(MiniObject *self, MiniObject *const *args,
                                          size_t nargs, MiniObject *kwnames) {
    if (kwnames && TUPLE_SIZE(kwnames))
        return mini_raise(mini_exc_TypeError, "%s.throw() takes no keyword arguments",
                          gen_kind(GEN(self)));
    if (!mini_check_nargs("throw", nargs, 1, 3))
        return NULL;
    MiniObject *exc = normalize_throw(args[0], nargs > 1 ? args[1] : NULL,
                                      nargs > 2 ? args[2] : NULL);
    if (!exc)
        return NULL;
    MiniObject *r;
    GenResult gr = gen_throw(GEN(self), true, exc, &r);
    if (gr == GEN_RESULT_YIELD)
        return r;
    if (gr == GEN_RESULT_RETURN) {
        raise_stop_iteration(r);
        MINI_DECREF(r);
    }
    return NULL;
}

// gen.close(). New reference (None).
static MiniObject *generator_close_method(MiniObject *self, MiniObject *const *args, size_t nargs,
                                          MiniObject *kwnames) {
    (void)args;
    if (kwnames && TUPLE_SIZE(kwnames))
        return mini_raise(mini_exc_TypeError, "%s.close() takes no keyword arguments",
                          gen_kind(GEN(self)));
    if (nargs != 0)
        return mini_raise(mini_exc_TypeError, "%s.close() takes no arguments (%zu given)",
                          gen_kind(GEN(self)), nargs);
    return gen_close(GEN(self));
}

static const MiniMethodDef generator_methods[] = {
    {"__next__", generator_next_method, 0, "Implement next(self)."},
    {"send", generator_send_method, 0,
     "send(arg) -> send 'arg' into generator,\nreturn next yielded value or raise StopIteration."},
    {"throw", generator_throw_method, 0,
     "throw(value)\nthrow(type[,value[,tb]])\n\nRaise exception in generator, return next "
     "yielded value or raise\nStopIteration."},
    {"close", generator_close_method, 0, "close() -> raise GeneratorExit inside generator."},
    {NULL, NULL, 0, NULL},
};

// ---------------------------------------------------------------------------------------------
// A minimal frame object for gi_frame: the code, the current line and the globals of a
// generator that has not finished.
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *gen; // the generator (owned)
} MiniFrameProxy;

static void frameproxy_dealloc(MiniObject *self) {
    MINI_CLEAR(((MiniFrameProxy *)self)->gen);
    mini_object_free(self);
}

static int frameproxy_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(((MiniFrameProxy *)self)->gen);
    return 0;
}

static Frame *proxied_frame(MiniObject *self) {
    return GEN(((MiniFrameProxy *)self)->gen)->frame;
}

// repr: `<frame at 0x..., file 'x.mini', line 3, code f>`. New str. The getters after it
// return new references.
static MiniObject *frameproxy_repr(MiniObject *self) {
    Frame *f = proxied_frame(self);
    return str_from_format("<frame at %p, file '%U', line %d, code %U>", (void *)self,
                           f->code->filename, frame_lineno(f), f->code->name);
}

static MiniObject *frameproxy_get_code(MiniObject *self) {
    return mini_newref((MiniObject *)proxied_frame(self)->code);
}
static MiniObject *frameproxy_get_lineno(MiniObject *self) {
    return int_from_i64(frame_lineno(proxied_frame(self)));
}
static MiniObject *frameproxy_get_globals(MiniObject *self) {
    MiniObject *g = proxied_frame(self)->globals;
    return mini_newref(g ? g : MINI_NONE);
}
static MiniObject *frameproxy_get_back(MiniObject *self) {
    (void)self;
    return mini_newref(MINI_NONE);
}

static const MiniGetSetDef frameproxy_getset[] = {
    {"f_code", frameproxy_get_code, NULL, NULL},
    {"f_lineno", frameproxy_get_lineno, NULL, NULL},
    {"f_globals", frameproxy_get_globals, NULL, NULL},
    {"f_back", frameproxy_get_back, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static MiniType frameproxy_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "frame",
    .basicsize = sizeof(MiniFrameProxy),
    .flags = MINI_TPFLAG_GC,
    .dealloc = frameproxy_dealloc,
    .traverse = frameproxy_traverse,
    .repr = frameproxy_repr,
    .getset = frameproxy_getset,
};

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

// The attributes of generators: getters return new references; setters 0 or -1.
static MiniObject *generator_get_name(MiniObject *self) { return mini_newref(GEN(self)->name); }
static int generator_set_name(MiniObject *self, MiniObject *value) {
    if (!value || !str_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__name__ must be set to a string object");
        return -1;
    }
    MINI_SETREF(GEN(self)->name, mini_newref(value));
    return 0;
}
static MiniObject *generator_get_qualname(MiniObject *self) {
    return mini_newref(GEN(self)->qualname);
}
static int generator_set_qualname(MiniObject *self, MiniObject *value) {
    if (!value || !str_check(value)) {
        mini_raise_str(mini_exc_TypeError, "__qualname__ must be set to a string object");
        return -1;
    }
    MINI_SETREF(GEN(self)->qualname, mini_newref(value));
    return 0;
}
static MiniObject *generator_get_running(MiniObject *self) {
    return MINI_BOOL(GEN(self)->state == GEN_RUNNING);
}
static MiniObject *generator_get_suspended(MiniObject *self) {
    return MINI_BOOL(GEN(self)->state == GEN_SUSPENDED);
}
static MiniObject *generator_get_code(MiniObject *self) {
    return mini_newref((MiniObject *)GEN(self)->frame->code);
}
static MiniObject *generator_get_yieldfrom(MiniObject *self) {
    MiniObject *yf = generator_yieldfrom(GEN(self));
    return mini_newref(yf ? yf : MINI_NONE);
}
static MiniObject *generator_get_frame(MiniObject *self) {
    if (GEN(self)->state == GEN_COMPLETED)
        return mini_newref(MINI_NONE);
    MiniFrameProxy *p = (MiniFrameProxy *)mini_gc_alloc(&frameproxy_type, sizeof(MiniFrameProxy));
    if (!p)
        return NULL;
    p->gen = mini_newref(self);
    return (MiniObject *)p;
}

static const MiniGetSetDef generator_getset[] = {
    {"__name__", generator_get_name, generator_set_name, NULL},
    {"__qualname__", generator_get_qualname, generator_set_qualname, NULL},
    {"gi_running", generator_get_running, NULL, NULL},
    {"gi_suspended", generator_get_suspended, NULL, NULL},
    {"gi_code", generator_get_code, NULL, NULL},
    {"gi_frame", generator_get_frame, NULL, NULL},
    {"gi_yieldfrom", generator_get_yieldfrom, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_generator_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "generator",
    .basicsize = sizeof(MiniGenerator),
    .weaklistoffset = offsetof(MiniGenerator, weaklist),
    .flags = MINI_TPFLAG_GC,
    .dealloc = generator_dealloc,
    .traverse = generator_traverse,
    .clear = generator_clear,
    .finalize = generator_finalize,
    .repr = generator_repr,
    .iter = generator_iter,
    .iternext = generator_iternext,
    .methods = generator_methods,
    .getset = generator_getset,
};

// ---------------------------------------------------------------------------------------------
// Coroutines: the same object as a generator (see generator.h), with its own type. It shares
// the generator's slots and its send, throw and close; it is not iterable, and its
// attributes are named cr_* instead of gi_*.
// ---------------------------------------------------------------------------------------------

typedef struct {
    MiniObject ob;
    MiniObject *coro; // the coroutine (owned)
} MiniCoroWrapper;

MiniObject *coroutine_wrapper_target(MiniObject *o) {
    if (!MINI_IS_PTR(o) || o->type != &mini_coroutine_wrapper_type)
        return NULL;
    return ((MiniCoroWrapper *)o)->coro;
}

// coro.__await__(): an iterator over the coroutine. New reference.
static MiniObject *coroutine_await_method(MiniObject *self, MiniObject *const *args,
                                          size_t nargs, MiniObject *kwnames) {
    (void)args;
    if (!mini_no_kwargs("__await__", kwnames))
        return NULL;
    if (nargs != 0)
        return mini_raise(mini_exc_TypeError, "expected 0 arguments, got %zu", nargs);
    MiniCoroWrapper *w =
        (MiniCoroWrapper *)mini_gc_alloc(&mini_coroutine_wrapper_type, sizeof(MiniCoroWrapper));
    if (!w)
        return NULL;
    w->coro = mini_newref(self);
    return (MiniObject *)w;
}

static const MiniMethodDef coroutine_methods[] = {
    {"send", generator_send_method, 0,
     "send(arg) -> send 'arg' into coroutine,\nreturn next iterated value or raise "
     "StopIteration."},
    {"throw", generator_throw_method, 0,
     "throw(value)\nthrow(type[,value[,traceback]])\n\nRaise exception in coroutine, return "
     "next iterated value or raise\nStopIteration."},
    {"close", generator_close_method, 0, "close() -> raise GeneratorExit inside coroutine."},
    {"__await__", coroutine_await_method, 0, "Return an iterator to be used in await expression."},
    {NULL, NULL, 0, NULL},
};

// cr_origin is None unless sys.set_coroutine_origin_tracking_depth() asked for it, which mini
// does not have. New reference.
static MiniObject *coroutine_get_origin(MiniObject *self) {
    (void)self;
    return mini_newref(MINI_NONE);
}

static const MiniGetSetDef coroutine_getset[] = {
    {"__name__", generator_get_name, generator_set_name, NULL},
    {"__qualname__", generator_get_qualname, generator_set_qualname, NULL},
    {"cr_running", generator_get_running, NULL, NULL},
    {"cr_suspended", generator_get_suspended, NULL, NULL},
    {"cr_code", generator_get_code, NULL, NULL},
    {"cr_frame", generator_get_frame, NULL, NULL},
    {"cr_await", generator_get_yieldfrom, NULL, NULL},
    {"cr_origin", coroutine_get_origin, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_coroutine_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "coroutine",
    .basicsize = sizeof(MiniGenerator),
    .weaklistoffset = offsetof(MiniGenerator, weaklist),
    .flags = MINI_TPFLAG_GC,
    .dealloc = generator_dealloc,
    .traverse = generator_traverse,
    .clear = generator_clear,
    .finalize = generator_finalize,
    .repr = generator_repr,
    .methods = coroutine_methods,
    .getset = coroutine_getset,
};

// ---------------------------------------------------------------------------------------------
// coroutine_wrapper: what coro.__await__() returns, an iterator that resumes the coroutine.
// Its methods return new references or NULL with an exception.
// ---------------------------------------------------------------------------------------------

#define WRAPPED(o) (((MiniCoroWrapper *)(o))->coro)

static void corowrapper_dealloc(MiniObject *self) {
    MINI_CLEAR(WRAPPED(self));
    mini_object_free(self);
}

static int corowrapper_traverse(MiniObject *self, MiniVisitProc visit, void *arg) {
    MINI_VISIT(WRAPPED(self));
    return 0;
}

static int corowrapper_clear(MiniObject *self) {
    MINI_CLEAR(WRAPPED(self));
    return 0;
}

// iternext: the next value the coroutine yields; NULL without an exception when it returns
// (its return value is lost, as for any iternext: __next__ keeps it).
static MiniObject *corowrapper_iternext(MiniObject *self) {
    if (!WRAPPED(self))
        return NULL;
    return generator_iternext(WRAPPED(self));
}

static MiniObject *corowrapper_next_method(MiniObject *self, MiniObject *const *args,
                                           size_t nargs, MiniObject *kwnames) {
    return generator_next_method(WRAPPED(self), args, nargs, kwnames);
}
static MiniObject *corowrapper_send_method(MiniObject *self, MiniObject *const *args,
                                           size_t nargs, MiniObject *kwnames) {
    return generator_send_method(WRAPPED(self), args, nargs, kwnames);
}
static MiniObject *corowrapper_throw_method(MiniObject *self, MiniObject *const *args,
                                            size_t nargs, MiniObject *kwnames) {
    return generator_throw_method(WRAPPED(self), args, nargs, kwnames);
}
static MiniObject *corowrapper_close_method(MiniObject *self, MiniObject *const *args,
                                            size_t nargs, MiniObject *kwnames) {
    return generator_close_method(WRAPPED(self), args, nargs, kwnames);
}

static const MiniMethodDef corowrapper_methods[] = {
    {"__next__", corowrapper_next_method, 0, "Implement next(self)."},
    {"send", corowrapper_send_method, 0,
     "send(arg) -> send 'arg' into coroutine,\nreturn next iterated value or raise "
     "StopIteration."},
    {"throw", corowrapper_throw_method, 0,
     "throw(value)\nthrow(type[,value[,traceback]])\n\nRaise exception in coroutine, return "
     "next iterated value or raise\nStopIteration."},
    {"close", corowrapper_close_method, 0, "close() -> raise GeneratorExit inside coroutine."},
    {NULL, NULL, 0, NULL},
};

MiniType mini_coroutine_wrapper_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "coroutine_wrapper",
    .basicsize = sizeof(MiniCoroWrapper),
    .flags = MINI_TPFLAG_GC,
    .dealloc = corowrapper_dealloc,
    .traverse = corowrapper_traverse,
    .clear = corowrapper_clear,
    .iter = generator_iter,
    .iternext = corowrapper_iternext,
    .methods = corowrapper_methods,
};

// ---------------------------------------------------------------------------------------------
// await
// ---------------------------------------------------------------------------------------------

MiniObject *coroutine_await_iter(MiniObject *o, int where) {
    if (coroutine_check(o)) {
        if (generator_yieldfrom(GEN(o)))
            return mini_raise_str(mini_exc_RuntimeError, "coroutine is being awaited already");
        return mini_newref(o);
    }
    MiniType *t = mini_type(o);
    MiniObject *meth = type_lookup(t, MINI_ID(__await__));
    if (!meth) {
        if (where == 1)
            return mini_raise(mini_exc_TypeError,
                              "'async with' received an object from __aenter__ that does not "
                              "implement __await__: %s",
                              t->name);
        if (where == 2)
            return mini_raise(mini_exc_TypeError,
                              "'async with' received an object from __aexit__ that does not "
                              "implement __await__: %s",
                              t->name);
        return mini_raise(mini_exc_TypeError, "object %s can't be used in 'await' expression",
                          t->name);
    }
    MiniType *mt = mini_type(meth);
    MiniObject *bound = mt->descr_get ? mt->descr_get(meth, o, (MiniObject *)t)
                                      : mini_newref(meth);
    if (!bound)
        return NULL;
    MiniObject *it = mini_call(bound, NULL, 0, NULL);
    MINI_DECREF(bound);
    if (!it)
        return NULL;
    if (coroutine_check(it)) {
        MINI_DECREF(it);
        return mini_raise_str(mini_exc_TypeError, "__await__() returned a coroutine");
    }
    if (!mini_type(it)->iternext) {
        MiniObject *r = mini_raise(mini_exc_TypeError,
                                   "__await__() returned non-iterator of type '%s'",
                                   mini_type_name(it));
        MINI_DECREF(it);
        return r;
    }
    return it;
}
