// frame.c - frames: carving them from the thread's frame stack, binding call arguments into
// them with CPython's rules and messages, and releasing them.
//
// The memory layout and the chunk protocol are described in eval_internal.h. A frame owns the
// references in its localsplus slots (locals, cells, free variables, and the value stack up to
// sp), the exceptions saved by its EXCEPT_HANDLER blocks, its function and its locals dict, and
// for module frames (func == NULL) its globals.

#include <stdio.h>
#include <string.h>

#include "eval_internal.h"

// ---------------------------------------------------------------------------------------------
// The frame stack
// ---------------------------------------------------------------------------------------------

// The size in bytes a frame for [code] needs: the header, the fixed slots, the value stack and
// one spare slot for widening a bound-method call in place.
size_t frame_size(const CodeObject *code) { return frame_bytes(code); }

void *frame_chunk_grow(ThreadState *ts, size_t size) {
    FrameChunk *c = ts->chunk;
    if (c && c->top == 0) {
        // The spare on top is too small for this frame: replace it by a bigger chunk.
        ts->chunk = c->prev;
        mini_free(c);
        c = ts->chunk;
    }
    size_t want = sizeof(FrameChunk) + size;
    if (want < FRAME_CHUNK_BYTES)
        want = FRAME_CHUNK_BYTES;
    FrameChunk *n = mini_malloc(want);
    if (!n)
        return NULL;
    n->prev = c;
    n->size = want - sizeof(FrameChunk);
    n->top = size;
    ts->chunk = n;
    return n->data;
}

Frame *frame_push(ThreadState *ts, CodeObject *code) {
    Frame *f = frame_carve(ts, frame_size(code));
    if (!f)
        return NULL;
    frame_init(f, code, true);
    return f;
}

void frame_pop(ThreadState *ts, Frame *f) { frame_release(ts, f); }

int frame_lineno(const Frame *f) {
    const CodeObject *co = f->code;
    if (f->ip <= co->code)
        return co->firstlineno;
    return code_line_at(co, (size_t)(f->ip - co->code) - 1);
}

// ---------------------------------------------------------------------------------------------
// Binding arguments
// ---------------------------------------------------------------------------------------------

bool frame_init_cells(Frame *f, MiniFunction *func) {
    CodeObject *co = f->code;
    MiniObject **locals = f->localsplus;
    MiniObject **cells = locals + co->nlocals;
    for (int i = 0; i < co->ncells; i++) {
        MiniObject *init = NULL;
        if (co->cell2arg && co->cell2arg[i] >= 0) {
            // The argument moves into its cell; its plain slot stays empty, as in CPython
            // 3.10 (super() knows to look in the cell).
            init = locals[co->cell2arg[i]];
            locals[co->cell2arg[i]] = NULL;
        }
        MiniObject *cell = cell_new(init);
        MINI_XDECREF(init);
        if (!cell)
            return false;
        MINI_XDECREF(cells[i]);
        cells[i] = cell;
    }
    if (co->nfrees > 0) {
        MiniObject *closure = func ? func->closure : NULL;
        if (!closure || !tuple_check(closure) || TUPLE_SIZE(closure) != (size_t)co->nfrees) {
            mini_raise(mini_exc_SystemError, "%U() has a closure of the wrong size",
                       co->qualname);
            return false;
        }
        MiniObject **frees = cells + co->ncells;
        for (int i = 0; i < co->nfrees; i++)
            frees[i] = mini_newref(TUPLE_GET(closure, i));
    }
    return true;
}

// Joins the repr of [names] the way CPython lists missing arguments: 'a', 'a' and 'b',
// 'a', 'b', and 'c'. New str or NULL.
static MiniObject *join_names(MiniObject *const *names, size_t n) {
    StrBuf b;
    strbuf_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            if (n == 2)
                strbuf_adds(&b, " and ");
            else if (i == n - 1)
                strbuf_adds(&b, ", and ");
            else
                strbuf_adds(&b, ", ");
        }
        MiniObject *r = mini_repr(names[i]);
        if (!r) {
            strbuf_free(&b);
            return NULL;
        }
        strbuf_add_obj(&b, r);
        MINI_DECREF(r);
    }
    return strbuf_finish(&b);
}

// Raises "f() missing 2 required positional arguments: 'x' and 'y'" for the unbound slots of
// [start, end) ([kind] is "positional" or "keyword-only"). Always returns false.
static bool missing_arguments(Frame *f, MiniFunction *func, size_t start, size_t end,
                              const char *kind) {
    CodeObject *co = f->code;
    MiniObject *stackbuf[8];
    MiniObject **names = stackbuf;
    if (end - start > 8) {
        names = mini_malloc(sizeof(MiniObject *) * (end - start));
        if (!names)
            return false;
    }
    size_t n = 0;
    for (size_t i = start; i < end; i++)
        if (!f->localsplus[i])
            names[n++] = TUPLE_GET(co->varnames, i);
    MiniObject *joined = join_names(names, n);
    if (names != stackbuf)
        mini_free(names);
    if (!joined)
        return false;
    mini_raise(mini_exc_TypeError, "%U() missing %zu required %s argument%s: %U", func->qualname,
               n, kind, n == 1 ? "" : "s", joined);
    MINI_DECREF(joined);
    return false;
}

// Raises "f() takes 2 positional arguments but 3 were given" and its variants, counting the
// keyword-only arguments already bound as CPython does. Always returns false.
static bool too_many_positional(Frame *f, MiniFunction *func, size_t given) {
    CodeObject *co = f->code;
    size_t argcount = (size_t)co->argcount;
    size_t kwonly_given = 0;
    for (size_t i = argcount; i < argcount + (size_t)co->kwonlyargcount; i++)
        if (f->localsplus[i])
            kwonly_given++;
    size_t defcount = func->defaults ? TUPLE_SIZE(func->defaults) : 0;
    char sig[64];
    bool plural;
    if (defcount) {
        plural = true;
        snprintf(sig, sizeof sig, "from %zu to %zu", argcount - defcount, argcount);
    } else {
        plural = argcount != 1;
        snprintf(sig, sizeof sig, "%zu", argcount);
    }
    char kwonly_sig[96] = "";
    if (kwonly_given)
        snprintf(kwonly_sig, sizeof kwonly_sig,
                 " positional argument%s (and %zu keyword-only argument%s)",
                 given != 1 ? "s" : "", kwonly_given, kwonly_given != 1 ? "s" : "");
    mini_raise(mini_exc_TypeError, "%U() takes %s positional argument%s but %zu%s %s given",
               func->qualname, sig, plural ? "s" : "", given, kwonly_sig,
               given == 1 && !kwonly_given ? "was" : "were");
    return false;
}

// Raises "f() got some positional-only arguments passed as keyword arguments: 'a, b'" if any
// keyword names a positional-only parameter. True if it raised (or failed).
static bool posonly_passed_as_keyword(CodeObject *co, MiniFunction *func, MiniObject *kwnames) {
    size_t nkw = TUPLE_SIZE(kwnames);
    StrBuf b;
    strbuf_init(&b);
    size_t found = 0;
    for (int k = 0; k < co->posonlyargcount; k++) {
        MiniObject *pname = TUPLE_GET(co->varnames, k);
        for (size_t j = 0; j < nkw; j++) {
            MiniObject *kw = TUPLE_GET(kwnames, j);
            if (kw == pname || (str_check(kw) && str_eq(kw, pname))) {
                if (found++)
                    strbuf_adds(&b, ", ");
                strbuf_add_obj(&b, pname);
                break;
            }
        }
    }
    if (!found) {
        strbuf_free(&b);
        return false;
    }
    MiniObject *joined = strbuf_finish(&b);
    if (!joined)
        return true;
    mini_raise(mini_exc_TypeError,
               "%U() got some positional-only arguments passed as keyword arguments: '%U'",
               func->qualname, joined);
    MINI_DECREF(joined);
    return true;
}

// The index of the parameter named [name] that a keyword argument may bind (positional-only
// parameters excluded), or -1.
static ssize_t find_keyword(CodeObject *co, MiniObject *name) {
    size_t start = (size_t)co->posonlyargcount;
    size_t end = (size_t)co->argcount + (size_t)co->kwonlyargcount;
    MiniObject *const *vn = TUPLE_ITEMS(co->varnames);
    // Names are interned on both sides in the common case: try pointers first.
    for (size_t i = start; i < end; i++)
        if (vn[i] == name)
            return (ssize_t)i;
    for (size_t i = start; i < end; i++)
        if (str_eq(vn[i], name))
            return (ssize_t)i;
    return -1;
}

bool frame_bind_args(Frame *f, MiniFunction *func, MiniObject *const *args, size_t nargs,
                     MiniObject *kwnames) {
    CodeObject *co = f->code;
    MiniObject **locals = f->localsplus;
    size_t argcount = (size_t)co->argcount;
    size_t total = argcount + (size_t)co->kwonlyargcount;
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    MiniObject *kwdict = NULL;

    if (co->flags & CO_VARKEYWORDS) {
        kwdict = dict_new();
        if (!kwdict)
            return false;
        locals[total + ((co->flags & CO_VARARGS) ? 1 : 0)] = kwdict; // the frame owns it
    }

    // Positional arguments.
    size_t n = nargs < argcount ? nargs : argcount;
    for (size_t i = 0; i < n; i++)
        locals[i] = mini_newref(args[i]);
    if (co->flags & CO_VARARGS) {
        MiniObject *rest = nargs > n ? tuple_from_array(args + n, nargs - n)
                                     : mini_newref(tuple_empty());
        if (!rest)
            return false;
        locals[total] = rest;
    }

    // Keyword arguments.
    for (size_t k = 0; k < nkw; k++) {
        MiniObject *name = TUPLE_GET(kwnames, k);
        MiniObject *value = args[nargs + k];
        if (!str_check(name)) {
            mini_raise(mini_exc_TypeError, "%U() keywords must be strings", func->qualname);
            return false;
        }
        ssize_t j = find_keyword(co, name);
        if (j < 0) {
            if (kwdict) {
                if (dict_set(kwdict, name, value) < 0)
                    return false;
                continue;
            }
            if (co->posonlyargcount && posonly_passed_as_keyword(co, func, kwnames))
                return false;
            mini_raise(mini_exc_TypeError, "%U() got an unexpected keyword argument '%U'",
                       func->qualname, name);
            return false;
        }
        if (locals[j]) {
            mini_raise(mini_exc_TypeError, "%U() got multiple values for argument '%U'",
                       func->qualname, name);
            return false;
        }
        locals[j] = mini_newref(value);
    }

    if (nargs > argcount && !(co->flags & CO_VARARGS))
        return too_many_positional(f, func, nargs);

    // Missing positional arguments come from the defaults.
    if (nargs < argcount) {
        size_t defcount = func->defaults ? TUPLE_SIZE(func->defaults) : 0;
        if (defcount > argcount)
            defcount = argcount;
        size_t m = argcount - defcount;
        for (size_t i = nargs; i < m; i++)
            if (!locals[i])
                return missing_arguments(f, func, 0, m, "positional");
        size_t i = n > m ? n - m : 0;
        for (; i < defcount; i++)
            if (!locals[m + i])
                locals[m + i] = mini_newref(TUPLE_GET(func->defaults, i));
    }

    // Keyword-only arguments come from the keyword defaults.
    if (co->kwonlyargcount > 0) {
        bool missing = false;
        for (size_t i = argcount; i < total; i++) {
            if (locals[i])
                continue;
            if (func->kwdefaults) {
                MiniObject *def = dict_get(func->kwdefaults, TUPLE_GET(co->varnames, i));
                if (def) {
                    locals[i] = mini_newref(def);
                    continue;
                }
                if (mini_error_occurred())
                    return false;
            }
            missing = true;
        }
        if (missing)
            return missing_arguments(f, func, argcount, total, "keyword-only");
    }

    if (co->flags & CO_NOFREE)
        return true;
    return frame_init_cells(f, func);
}
