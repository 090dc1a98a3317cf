// builtins.c - the builtins module: print, len, isinstance, sorted, open, __build_class__ ...,
// the builtin types and exception classes, None/True/False/Ellipsis/NotImplemented.
//
// Each function takes the vectorcall arguments and checks them itself, so that every message
// is CPython's word for word: CPython's builtins use three families of wording ("len() takes
// exactly one argument (0 given)", "getattr expected at least 2 arguments, got 0", and
// Argument Clinic's "pow() missing required argument 'base' (pos 1)"), and each function here
// uses the one its CPython twin uses.
//
// The functions that look at the caller (globals, locals, vars, dir, eval, exec) read the
// running frame, mini_ts->frame: a builtin called from mini code runs without a frame of its
// own, so that frame is the caller's.
//
// Every builtin_* function has the vectorcall signature (arguments borrowed) and returns a new
// reference, or NULL with an exception pending.

#include "stdlib.h"

#include <stdint.h>
#include <string.h>

#include "../compiler/compiler.h"
#include "../runtime/fileobject.h"
#include "../runtime/generator.h"
#include "stdlib_args.h"

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// "getattr expected at least 2 arguments, got 0" (CPython's unpack-tuple wording) and no
// keywords.
static bool args_between(const char *fname, size_t nargs, MiniObject *kwnames, size_t min,
                         size_t max) {
    return mini_no_kwargs(fname, kwnames) && mini_check_nargs(fname, nargs, min, max);
}

// Argument Clinic's count check for functions whose parameters are all positional-or-keyword:
// "pow() takes at most 3 arguments (5 given)".
static bool at_most(const char *fname, size_t nargs, size_t max) {
    if (nargs > max) {
        mini_raise(mini_exc_TypeError, "%s() takes at most %zu argument%s (%zu given)", fname,
                   max, max == 1 ? "" : "s", nargs);
        return false;
    }
    return true;
}

// How Argument Clinic names the type of a bad argument: "None" for None itself, else the
// type's name ("format() argument 2 must be str, not None").
static const char *clinic_type_name(MiniObject *o) {
    return o == MINI_NONE ? "None" : mini_type_name(o);
}

// Is the keyword name [key] the identifier [id]? Names from a call site are interned, so the
// pointer test almost always decides.
static bool kw_is(MiniObject *key, MiniObject *id) {
    return key == id || (str_check(key) && str_eq(key, id));
}

static MiniObject *invalid_keyword(MiniObject *key, const char *fname) {
    return mini_raise(mini_exc_TypeError, "'%S' is an invalid keyword argument for %s()", key,
                      fname);
}

// Is [o] a class (an instance of type or of a metaclass)?
static bool is_type(MiniObject *o) {
    return MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_type_type);
}

// Is [o] a class whose metaclass is exactly type (no __instancecheck__ to consult)?
static bool is_plain_type(MiniObject *o) { return MINI_IS_PTR(o) && o->type == &mini_type_type; }

// The attribute [name] of the sys module (borrowed; NULL when sys or the entry is missing).
static MiniObject *sys_entry(MiniObject *name) {
    MiniObject *sys = mini_ts->vm->sys_module;
    if (!sys || !MINI_IS_PTR(sys) || !mini_isinstance_type(sys, &mini_module_type))
        return NULL;
    MiniObject *d = ((MiniModule *)sys)->dict;
    return d ? dict_get_str(d, name) : NULL;
}

// Looks [name] up on the type of [o], as Python looks up special methods (never in o's own
// dict), and binds it to [o]. New reference; NULL without an exception when the type has no
// such attribute, NULL with one when binding failed.
static MiniObject *lookup_special(MiniObject *o, MiniObject *name) {
    MiniType *t = mini_type(o);
    MiniObject *descr = type_lookup(t, name);
    if (!descr)
        return NULL;
    MiniType *dt = mini_type(descr);
    if (dt->descr_get)
        return dt->descr_get(descr, o, (MiniObject *)t);
    return mini_newref(descr);
}

// Raises SystemExit with [args] as its arguments (exit(), quit()). Returns NULL.
static MiniObject *raise_system_exit(MiniObject *const *args, size_t nargs) {
    MiniObject *targs = tuple_from_array(args, nargs);
    if (!targs)
        return NULL;
    MiniObject *exc = exception_new(mini_exc_SystemExit, targs);
    MINI_DECREF(targs);
    if (exc)
        mini_error_restore(exc);
    return NULL;
}

// The caller's local namespace. A module or class body has a dict (returned itself); for a
// function frame, a new snapshot dict of its locals, cells and free variables (what CPython's
// locals() gives). New reference.
static MiniObject *frame_locals(void) {
    Frame *f = mini_ts->frame;
    if (!f)
        return dict_new();
    if (f->locals)
        return mini_newref(f->locals);
    CodeObject *co = f->code;
    MiniObject *d = dict_new();
    if (!d)
        return NULL;
    size_t nlocals = (size_t)co->nlocals, ncells = (size_t)co->ncells,
           nfrees = (size_t)co->nfrees;
    for (size_t i = 0; i < nlocals && i < TUPLE_SIZE(co->varnames); i++) {
        MiniObject *v = f->localsplus[i];
        if (v && dict_set(d, TUPLE_GET(co->varnames, i), v) < 0)
            goto error;
    }
    // A cell's content is the variable's value; an argument captured by an inner function
    // lives in its cell, which overrides the argument's slot.
    for (size_t i = 0; i < ncells + nfrees; i++) {
        MiniObject *names = i < ncells ? co->cellvars : co->freevars;
        size_t k = i < ncells ? i : i - ncells;
        if (!names || k >= TUPLE_SIZE(names))
            continue;
        MiniObject *cell = f->localsplus[nlocals + i];
        MiniObject *v = NULL;
        if (cell && MINI_IS_PTR(cell) && cell->type == &mini_cell_type)
            v = ((MiniCell *)cell)->ref;
        if (v) {
            if (dict_set(d, TUPLE_GET(names, k), v) < 0)
                goto error;
        } else if (dict_discard(d, TUPLE_GET(names, k)) < 0) {
            goto error;
        }
    }
    return d;
error:
    MINI_DECREF(d);
    return NULL;
}

// The caller's globals. New reference.
static MiniObject *frame_globals(void) {
    Frame *f = mini_ts->frame;
    if (f && f->globals)
        return mini_newref(f->globals);
    // Called from C with no mini frame: the __main__ module's namespace, if any.
    MiniObject *main = mini_ts->vm->main_module;
    if (main && MINI_IS_PTR(main) && mini_isinstance_type(main, &mini_module_type))
        return mini_newref(((MiniModule *)main)->dict);
    return dict_new();
}

// ---------------------------------------------------------------------------------------------
// Output and input
// ---------------------------------------------------------------------------------------------

// Writes the pieces of a print() call one by one, as CPython does: a file object of the
// program sees one write() per value, separator and end. 0 or -1.
static int print_pieces(MiniObject *file, MiniObject *const *args, size_t nargs,
                        MiniObject *sep, MiniObject *end) {
    for (size_t i = 0; i < nargs; i++) {
        if (i > 0 && file_write_str(file, sep ? sep : mini_runtime.char_strs[' ']) < 0)
            return -1;
        MiniObject *s = mini_str(args[i]);
        if (!s)
            return -1;
        int r = file_write_str(file, s);
        MINI_DECREF(s);
        if (r < 0)
            return -1;
    }
    return file_write_str(file, end ? end : mini_runtime.char_strs['\n']);
}

// Writes a print() call to one of mini's own files as one line built first and written once,
// so that lines printed by several threads never interleave. Should str() of a value fail,
// what comes before it is written all the same, as CPython's piecewise writes would have.
// 0 or -1.
static int print_line(MiniObject *file, MiniObject *const *args, size_t nargs,
                      MiniObject *sep, MiniObject *end) {
    StrBuf b;
    strbuf_init(&b);
    size_t i;
    for (i = 0; i < nargs; i++) {
        if (i > 0) {
            if (sep)
                strbuf_add_obj(&b, sep);
            else
                strbuf_addc(&b, ' ');
        }
        MiniObject *s = mini_str(args[i]);
        if (!s)
            break;
        strbuf_add_obj(&b, s);
        MINI_DECREF(s);
    }
    if (i == nargs) {
        if (end)
            strbuf_add_obj(&b, end);
        else
            strbuf_addc(&b, '\n');
    }
    if (i < nargs && b.size == 0) {
        strbuf_free(&b);
        return -1;
    }
    // On a failed str() the exception waits while the prefix is written.
    MiniObject *exc = i < nargs ? mini_error_fetch() : NULL;
    MiniObject *line = strbuf_finish(&b);
    int r = line ? file_write_str(file, line) : -1;
    MINI_XDECREF(line);
    if (exc) {
        mini_error_clear();
        mini_error_restore(exc);
        return -1;
    }
    return r;
}

// print(*values, sep=' ', end='\n', file=None, flush=False).
static MiniObject *builtin_print(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    MiniObject *sep = NULL, *end = NULL, *file = NULL, *flush = NULL;
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    for (size_t i = 0; i < nkw; i++) {
        MiniObject *k = TUPLE_GET(kwnames, i), *v = args[nargs + i];
        if (kw_is(k, MINI_ID(sep)))
            sep = v;
        else if (kw_is(k, MINI_ID(end)))
            end = v;
        else if (kw_is(k, MINI_ID(file)))
            file = v;
        else if (kw_is(k, MINI_ID(flush)))
            flush = v;
        else
            return invalid_keyword(k, "print");
    }
    if (!file || file == MINI_NONE) {
        // sys.stdout is looked up at each call: a program may replace it.
        file = sys_entry(MINI_ID(stdout));
        if (!file)
            return mini_raise_str(mini_exc_RuntimeError, "lost sys.stdout");
        if (file == MINI_NONE)
            return MINI_NONE;
    }
    if (sep == MINI_NONE)
        sep = NULL;
    else if (sep && !str_check(sep))
        return mini_raise(mini_exc_TypeError, "sep must be None or a string, not %s",
                          mini_type_name(sep));
    if (end == MINI_NONE)
        end = NULL;
    else if (end && !str_check(end))
        return mini_raise(mini_exc_TypeError, "end must be None or a string, not %s",
                          mini_type_name(end));
    // The writes may run mini code that rebinds sys.stdout: hold the file meanwhile.
    MINI_INCREF(file);
    int r = file_check(file) ? print_line(file, args, nargs, sep, end)
                             : print_pieces(file, args, nargs, sep, end);
    if (r == 0 && flush) {
        int t = mini_truthy(flush);
        r = t < 0 ? -1 : t ? file_flush(file) : 0;
    }
    MINI_DECREF(file);
    return r < 0 ? NULL : MINI_NONE;
}

// input([prompt]): writes the prompt to sys.stdout, flushes it, and reads one line from
// sys.stdin without its newline. EOFError at end of input.
static MiniObject *builtin_input(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    if (!args_between("input", nargs, kwnames, 0, 1))
        return NULL;
    MiniObject *in = sys_entry(MINI_ID(stdin));
    MiniObject *out = sys_entry(MINI_ID(stdout));
    MiniObject *err = sys_entry(MINI_ID(stderr));
    if (!in || in == MINI_NONE)
        return mini_raise_str(mini_exc_RuntimeError, "lost sys.stdin");
    if (!out || out == MINI_NONE)
        return mini_raise_str(mini_exc_RuntimeError, "lost sys.stdout");
    if (!err || err == MINI_NONE)
        return mini_raise_str(mini_exc_RuntimeError, "lost sys.stderr");
    MINI_INCREF(in);
    MINI_INCREF(out);
    MINI_INCREF(err);
    MiniObject *res = NULL;
    // As CPython: pending error output first, and a failing flush is not an error.
    if (file_flush(err) < 0)
        mini_error_clear();
    if (nargs == 1) {
        MiniObject *prompt = mini_str(args[0]);
        int r = prompt ? file_write_str(out, prompt) : -1;
        MINI_XDECREF(prompt);
        if (r < 0)
            goto done;
    }
    if (file_flush(out) < 0)
        mini_error_clear();
    MiniObject *line = file_readline(in);
    if (!line)
        goto done;
    if (!str_check(line)) {
        MINI_DECREF(line);
        mini_raise_str(mini_exc_TypeError, "object.readline() returned non-string");
        goto done;
    }
    size_t size = STR_SIZE(line);
    if (size == 0) {
        MINI_DECREF(line);
        mini_raise_str(mini_exc_EOFError, "EOF when reading a line");
        goto done;
    }
    if (STR_DATA(line)[size - 1] == '\n') {
        res = str_new(STR_DATA(line), size - 1);
        MINI_DECREF(line);
    } else {
        res = line;
    }
done:
    MINI_DECREF(in);
    MINI_DECREF(out);
    MINI_DECREF(err);
    return res;
}

// ---------------------------------------------------------------------------------------------
// Simple conversions and queries
// ---------------------------------------------------------------------------------------------

static MiniObject *builtin_len(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!one_arg("len", nargs, kwnames))
        return NULL;
    ssize_t n = mini_len(args[0]);
    return n < 0 ? NULL : int_from_i64((int64_t)n);
}

static MiniObject *builtin_abs(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!one_arg("abs", nargs, kwnames))
        return NULL;
    return mini_abs(args[0]);
}

// all() and any(): the first item whose truth is [stop] decides. Returns a bool (immortal).
static MiniObject *all_any(const char *fname, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames, bool stop) {
    if (!one_arg(fname, nargs, kwnames))
        return NULL;
    MiniObject *it = mini_iter(args[0]);
    if (!it)
        return NULL;
    MiniObject *item;
    while ((item = mini_next(it))) {
        int t = mini_truthy(item);
        MINI_DECREF(item);
        if (t < 0) {
            MINI_DECREF(it);
            return NULL;
        }
        if ((t != 0) == stop) {
            MINI_DECREF(it);
            return MINI_BOOL(stop);
        }
    }
    MINI_DECREF(it);
    if (mini_error_occurred())
        return NULL;
    return MINI_BOOL(!stop);
}

static MiniObject *builtin_all(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return all_any("all", args, nargs, kwnames, false);
}

static MiniObject *builtin_any(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return all_any("any", args, nargs, kwnames, true);
}

static MiniObject *builtin_ascii(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    if (!one_arg("ascii", nargs, kwnames))
        return NULL;
    return mini_ascii(args[0]);
}

static MiniObject *builtin_repr(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!one_arg("repr", nargs, kwnames))
        return NULL;
    return mini_repr(args[0]);
}

// bin/oct/hex: the integer (via __index__) in [base] with its sign before [prefix]:
// hex(-255) == '-0xff'. New str.
static MiniObject *int_with_prefix(const char *fname, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames, int base, const char *prefix) {
    if (!one_arg(fname, nargs, kwnames))
        return NULL;
    MiniObject *v = mini_index(args[0]);
    if (!v)
        return NULL;
    bool negative = int_sign(v) < 0;
    if (negative) {
        MiniObject *pos = mini_neg(v);
        MINI_DECREF(v);
        if (!pos)
            return NULL;
        v = pos;
    }
    MiniObject *digits = int_to_string(v, base);
    MINI_DECREF(v);
    if (!digits)
        return NULL;
    StrBuf b;
    strbuf_init(&b);
    if (negative)
        strbuf_addc(&b, '-');
    strbuf_adds(&b, prefix);
    strbuf_add_obj(&b, digits);
    MINI_DECREF(digits);
    return strbuf_finish(&b);
}

static MiniObject *builtin_bin(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return int_with_prefix("bin", args, nargs, kwnames, 2, "0b");
}

static MiniObject *builtin_oct(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return int_with_prefix("oct", args, nargs, kwnames, 8, "0o");
}

static MiniObject *builtin_hex(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return int_with_prefix("hex", args, nargs, kwnames, 16, "0x");
}

static MiniObject *builtin_callable(MiniObject *self, MiniObject *const *args, size_t nargs,
                                    MiniObject *kwnames) {
    (void)self;
    if (!one_arg("callable", nargs, kwnames))
        return NULL;
    return MINI_BOOL(mini_callable(args[0]));
}

// chr(i): the one-character str of code point i.
static MiniObject *builtin_chr(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!one_arg("chr", nargs, kwnames))
        return NULL;
    MiniObject *v = mini_index(args[0]);
    if (!v)
        return NULL;
    int64_t c;
    bool ok = int_as_i64(v, &c);
    MINI_DECREF(v);
    if (!ok || c > INT32_MAX || c < INT32_MIN) {
        mini_error_clear();
        return mini_raise_str(mini_exc_OverflowError, "Python int too large to convert to C int");
    }
    if (c < 0 || c > 0x10ffff)
        return mini_raise_str(mini_exc_ValueError, "chr() arg not in range(0x110000)");
    // UTF-8 by hand; a lone surrogate gets the same three-byte form as other BMP code points.
    char buf[4];
    size_t n;
    uint32_t cp = (uint32_t)c;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xc0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = (char)(0xe0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        buf[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        buf[0] = (char)(0xf0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        buf[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return str_new(buf, n);
}

// ord(c): the code point of a one-character str, or the value of a one-byte bytes/bytearray.
static MiniObject *builtin_ord(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!one_arg("ord", nargs, kwnames))
        return NULL;
    MiniObject *c = args[0];
    size_t len;
    if (str_check(c)) {
        len = STR_LEN(c);
        if (len == 1) {
            const unsigned char *p = (const unsigned char *)STR_DATA(c);
            uint32_t cp = p[0];
            if (cp >= 0xf0)
                cp = ((cp & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
                     ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
            else if (cp >= 0xe0)
                cp = ((cp & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
            else if (cp >= 0xc0)
                cp = ((cp & 0x1f) << 6) | (p[1] & 0x3f);
            return int_from_i64(cp);
        }
    } else if (bytes_check(c)) {
        len = ((MiniBytes *)c)->size;
        if (len == 1)
            return int_from_i64((unsigned char)((MiniBytes *)c)->data[0]);
    } else if (MINI_IS_PTR(c) && mini_isinstance_type(c, &mini_bytearray_type)) {
        len = ((MiniByteArray *)c)->size;
        if (len == 1)
            return int_from_i64((unsigned char)((MiniByteArray *)c)->data[0]);
    } else {
        return mini_raise(mini_exc_TypeError, "ord() expected string of length 1, but %s found",
                          mini_type_name(c));
    }
    return mini_raise(mini_exc_TypeError,
                      "ord() expected a character, but string of length %zu found", len);
}

static MiniObject *builtin_hash(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!one_arg("hash", nargs, kwnames))
        return NULL;
    int64_t h = mini_hash(args[0]);
    return h == -1 ? NULL : int_from_i64(h);
}

// id(o): the object's address. An immediate (small int, None, bool) has no address; its
// tagged word is stable and odd or ending in 10, so it never equals a real object's address.
static MiniObject *builtin_id(MiniObject *self, MiniObject *const *args, size_t nargs,
                              MiniObject *kwnames) {
    (void)self;
    if (!one_arg("id", nargs, kwnames))
        return NULL;
    return int_from_u64((uint64_t)(uintptr_t)args[0]);
}

// format(value, format_spec='').
static MiniObject *builtin_format(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    if (!args_between("format", nargs, kwnames, 1, 2))
        return NULL;
    MiniObject *spec = nargs > 1 ? args[1] : mini_runtime.empty_str;
    if (!str_check(spec))
        return mini_raise(mini_exc_TypeError, "format() argument 2 must be str, not %s",
                          clinic_type_name(spec));
    return mini_format(args[0], spec);
}

// The special method [name] of class [t] when the program wrote it in mini (a function in a
// class dict; borrowed), else NULL. divmod computes the builtin numbers itself, so it never
// needs the C-level methods of int and float.
static MiniObject *program_method(MiniType *t, const char *name) {
    MiniObject *m = type_lookup(t, mini_intern(name));
    return m && MINI_IS_PTR(m) && m->type == &mini_function_type ? m : NULL;
}

// divmod(a, b): the __divmod__/__rdivmod__ protocol (with the reflected method first when b's
// type is a proper subclass of a's that overrides it); for the builtin numbers,
// (a // b, a % b).
static MiniObject *builtin_divmod(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    if (!args_between("divmod", nargs, kwnames, 2, 2))
        return NULL;
    MiniObject *a = args[0], *b = args[1];
    MiniType *ta = mini_type(a), *tb = mini_type(b);
    if ((ta->flags | tb->flags) & MINI_TPFLAG_HEAPTYPE) {
        MiniObject *fa = program_method(ta, "__divmod__");
        MiniObject *fb = tb != ta ? program_method(tb, "__rdivmod__") : NULL;
        if (fb && type_is_subtype(tb, ta) && fb != program_method(ta, "__rdivmod__")) {
            MiniObject *r = mini_call_n(fb, 2, b, a);
            if (r != MINI_NOTIMPL)
                return r;
            fb = NULL;
        }
        if (fa) {
            MiniObject *r = mini_call_n(fa, 2, a, b);
            if (r != MINI_NOTIMPL)
                return r;
        }
        if (fb) {
            MiniObject *r = mini_call_n(fb, 2, b, a);
            if (r != MINI_NOTIMPL)
                return r;
        }
    }
    bool num_a = int_check(a) || float_check(a), num_b = int_check(b) || float_check(b);
    if (!num_a || !num_b)
        return mini_raise(mini_exc_TypeError,
                          "unsupported operand type(s) for divmod(): '%s' and '%s'", ta->name,
                          tb->name);
    if (float_check(a) || float_check(b)) {
        // float // and % each name themselves in their message; divmod has its own.
        double d = float_as_double(b);
        if (d == -1.0 && mini_error_occurred())
            return NULL;
        if (d == 0.0)
            return mini_raise_str(mini_exc_ZeroDivisionError, "float divmod()");
    }
    MiniObject *q = mini_binary_op(a, b, BINOP_FLOORDIV);
    if (!q)
        return NULL;
    MiniObject *r = mini_binary_op(a, b, BINOP_MOD);
    if (!r) {
        MINI_DECREF(q);
        return NULL;
    }
    MiniObject *res = tuple_pack(2, q, r);
    MINI_DECREF(q);
    MINI_DECREF(r);
    return res;
}

// pow(base, exp, mod=None).
static MiniObject *builtin_pow(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"base", "exp", "mod", NULL};
    MiniObject *a[3] = {NULL, NULL, NULL};
    if (!at_most("pow", nargs, 3) || !mini_parse_args("pow", args, nargs, kwnames, names, 2, a))
        return NULL;
    return mini_pow3(a[0], a[1], a[2] ? a[2] : MINI_NONE);
}

// round(number, ndigits=None): number.__round__() or number.__round__(ndigits).
static MiniObject *builtin_round(MiniObject *self, MiniObject *const *args, size_t nargs,
                                 MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"number", "ndigits", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (!at_most("round", nargs, 2) ||
        !mini_parse_args("round", args, nargs, kwnames, names, 1, a))
        return NULL;
    MiniObject *meth = lookup_special(a[0], MINI_ID(__round__));
    if (!meth) {
        if (mini_error_occurred())
            return NULL;
        return mini_raise(mini_exc_TypeError, "type %s doesn't define __round__ method",
                          mini_type_name(a[0]));
    }
    MiniObject *res = (!a[1] || a[1] == MINI_NONE) ? mini_call(meth, NULL, 0, NULL)
                                                   : mini_call_n(meth, 1, a[1]);
    MINI_DECREF(meth);
    return res;
}

// ---------------------------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------------------------

static bool check_attr_name(MiniObject *name) {
    if (!str_check(name)) {
        mini_raise(mini_exc_TypeError, "attribute name must be string, not '%s'",
                   mini_type_name(name));
        return false;
    }
    return true;
}

// getattr(object, name[, default]).
static MiniObject *builtin_getattr(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!args_between("getattr", nargs, kwnames, 2, 3) || !check_attr_name(args[1]))
        return NULL;
    if (nargs == 2)
        return mini_getattr(args[0], args[1]);
    MiniObject *v = mini_getattr_opt(args[0], args[1]);
    if (v || mini_error_occurred())
        return v;
    return mini_newref(args[2]);
}

// hasattr(object, name): False only for AttributeError; other errors propagate.
static MiniObject *builtin_hasattr(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!args_between("hasattr", nargs, kwnames, 2, 2) || !check_attr_name(args[1]))
        return NULL;
    MiniObject *v = mini_getattr_opt(args[0], args[1]);
    if (v) {
        MINI_DECREF(v);
        return MINI_TRUE;
    }
    return mini_error_occurred() ? NULL : MINI_FALSE;
}

static MiniObject *builtin_setattr(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!args_between("setattr", nargs, kwnames, 3, 3) || !check_attr_name(args[1]))
        return NULL;
    return mini_setattr(args[0], args[1], args[2]) < 0 ? NULL : MINI_NONE;
}

static MiniObject *builtin_delattr(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    if (!args_between("delattr", nargs, kwnames, 2, 2) || !check_attr_name(args[1]))
        return NULL;
    return mini_delattr(args[0], args[1]) < 0 ? NULL : MINI_NONE;
}

// Adds the keys of the dict [d] to the dict-as-set [set]. -1 on error.
static int merge_keys(MiniObject *set, MiniObject *d) {
    if (!d || !dict_check(d))
        return 0;
    size_t pos = 0;
    MiniObject *k, *v;
    while (dict_next(d, &pos, &k, &v))
        if (dict_set(set, k, MINI_NONE) < 0)
            return -1;
    return 0;
}

// Adds the attribute names of class [t] and of every class in its mro. -1 on error.
static int merge_class(MiniObject *set, MiniType *t) {
    MiniObject *mro = t->mro;
    if (!mro || !tuple_check(mro))
        return merge_keys(set, t->dict);
    for (size_t i = 0; i < TUPLE_SIZE(mro); i++) {
        MiniObject *c = TUPLE_GET(mro, i);
        if (is_type(c) && merge_keys(set, ((MiniType *)c)->dict) < 0)
            return -1;
    }
    return 0;
}

// The names dir(o) lists, unsorted: a __dir__ written in mini decides for itself; a module
// lists its namespace, a class its attributes along its mro, any other object its __dict__
// plus its class's attributes. New list.
static MiniObject *object_dir(MiniObject *o) {
    MiniObject *user_dir = type_lookup(mini_type(o), MINI_ID(__dir__));
    if (user_dir && MINI_IS_PTR(user_dir) && user_dir->type == &mini_function_type) {
        MiniObject *r = mini_call_n(user_dir, 1, o);
        if (!r)
            return NULL;
        MiniObject *l = mini_sequence_list(r);
        MINI_DECREF(r);
        return l;
    }
    MiniObject *set = dict_new();
    if (!set)
        return NULL;
    int r = 0;
    if (MINI_IS_PTR(o) && mini_isinstance_type(o, &mini_module_type)) {
        MiniObject *d = mini_getattr(o, MINI_ID(__dict__));
        if (!d) {
            MINI_DECREF(set);
            return NULL;
        }
        if (!dict_check(d)) {
            MINI_DECREF(d);
            MINI_DECREF(set);
            return mini_raise_str(mini_exc_TypeError, "<module>.__dict__ is not a dictionary");
        }
        // PEP 562: a module-level __dir__() decides what dir(module) lists.
        MiniObject *dirfunc = dict_get(d, MINI_ID(__dir__));
        if (dirfunc) {
            MINI_DECREF(set);
            MINI_INCREF(dirfunc);
            MINI_DECREF(d);
            MiniObject *res = mini_call_n(dirfunc, 0);
            MINI_DECREF(dirfunc);
            if (!res)
                return NULL;
            MiniObject *l = mini_sequence_list(res);
            MINI_DECREF(res);
            return l;
        }
        if (mini_error_occurred()) {
            MINI_DECREF(d);
            MINI_DECREF(set);
            return NULL;
        }
        r = merge_keys(set, d);
        MINI_DECREF(d);
    } else if (is_type(o)) {
        r = merge_class(set, (MiniType *)o);
    } else {
        MiniObject *d = mini_getattr_opt(o, MINI_ID(__dict__));
        if (!d && mini_error_occurred()) {
            MINI_DECREF(set);
            return NULL;
        }
        r = merge_keys(set, d);
        MINI_XDECREF(d);
        if (r == 0)
            r = merge_class(set, mini_type(o));
    }
    MiniObject *names = r < 0 ? NULL : dict_keys_list(set);
    MINI_DECREF(set);
    return names;
}

// dir([object]): sorted names; without an argument, the caller's local names.
static MiniObject *builtin_dir(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    if (!args_between("dir", nargs, kwnames, 0, 1))
        return NULL;
    MiniObject *names;
    if (nargs == 0) {
        MiniObject *loc = frame_locals();
        if (!loc)
            return NULL;
        // A class body prepared by a metaclass may fill any mapping: iterate its keys.
        names = dict_check(loc) ? dict_keys_list(loc) : mini_sequence_list(loc);
        MINI_DECREF(loc);
    } else {
        names = object_dir(args[0]);
    }
    if (!names)
        return NULL;
    if (list_sort(names, NULL, false) < 0) {
        MINI_DECREF(names);
        return NULL;
    }
    return names;
}

static MiniObject *builtin_globals(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("globals", nargs, kwnames))
        return NULL;
    return frame_globals();
}

static MiniObject *builtin_locals(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    (void)args;
    if (!no_args("locals", nargs, kwnames))
        return NULL;
    return frame_locals();
}

// vars([object]): object.__dict__, or the caller's locals.
static MiniObject *builtin_vars(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!args_between("vars", nargs, kwnames, 0, 1))
        return NULL;
    if (nargs == 0)
        return frame_locals();
    MiniObject *d = mini_getattr_opt(args[0], MINI_ID(__dict__));
    if (d || mini_error_occurred())
        return d;
    return mini_raise_str(mini_exc_TypeError, "vars() argument must have __dict__ attribute");
}

// ---------------------------------------------------------------------------------------------
// isinstance, issubclass
// ---------------------------------------------------------------------------------------------

static int object_isinstance(MiniObject *inst, MiniObject *cls);

// isinstance against a class, without __instancecheck__. A heap class's instance may claim
// another class through __class__ (a proxy), as CPython allows.
static int isinstance_type(MiniObject *inst, MiniObject *cls) {
    if (!is_type(cls)) {
        mini_raise_str(mini_exc_TypeError,
                       "isinstance() arg 2 must be a type, a tuple of types, or a union");
        return -1;
    }
    if (mini_isinstance_type(inst, (MiniType *)cls))
        return 1;
    if (!(mini_type(inst)->flags & MINI_TPFLAG_HEAPTYPE))
        return 0;
    MiniObject *c = mini_getattr_opt(inst, MINI_ID(__class__));
    if (!c)
        return mini_error_occurred() ? -1 : 0;
    int r = c != (MiniObject *)mini_type(inst) && is_type(c) &&
            type_is_subtype((MiniType *)c, (MiniType *)cls);
    MINI_DECREF(c);
    return r;
}

// Calls a bound __instancecheck__/__subclasscheck__ [checker] with [arg] and takes the truth
// of the result. 1, 0 or -1; consumes [checker].
static int call_checker(MiniObject *checker, MiniObject *arg, const char *where) {
    int r = -1;
    if (mini_enter_recursive_call(where)) {
        MiniObject *res = mini_call_n(checker, 1, arg);
        mini_leave_recursive_call();
        if (res) {
            r = mini_truthy(res);
            MINI_DECREF(res);
        }
    }
    MINI_DECREF(checker);
    return r;
}

// isinstance(inst, cls) with CPython's rules: the exact-type shortcut, tuples (nested),
// __instancecheck__ on the metaclass. 1, 0, or -1 with an exception.
static int object_isinstance(MiniObject *inst, MiniObject *cls) {
    if ((MiniObject *)mini_type(inst) == cls)
        return 1;
    if (is_plain_type(cls))
        return isinstance_type(inst, cls);
    if (tuple_check(cls)) {
        if (!mini_enter_recursive_call(" in __instancecheck__"))
            return -1;
        int r = 0;
        for (size_t i = 0; i < TUPLE_SIZE(cls) && r == 0; i++)
            r = object_isinstance(inst, TUPLE_GET(cls, i));
        mini_leave_recursive_call();
        return r;
    }
    MiniObject *checker = lookup_special(cls, MINI_ID(__instancecheck__));
    if (checker)
        return call_checker(checker, inst, " in __instancecheck__");
    if (mini_error_occurred())
        return -1;
    return isinstance_type(inst, cls);
}

static int issubclass_type(MiniObject *derived, MiniObject *cls) {
    if (!is_type(derived)) {
        mini_raise_str(mini_exc_TypeError, "issubclass() arg 1 must be a class");
        return -1;
    }
    if (!is_type(cls)) {
        mini_raise_str(mini_exc_TypeError,
                       "issubclass() arg 2 must be a class, a tuple of classes, or a union");
        return -1;
    }
    return type_is_subtype((MiniType *)derived, (MiniType *)cls);
}

static int object_issubclass(MiniObject *derived, MiniObject *cls) {
    if (is_plain_type(cls)) {
        if (derived == cls)
            return 1;
        return issubclass_type(derived, cls);
    }
    if (tuple_check(cls)) {
        if (!mini_enter_recursive_call(" in __subclasscheck__"))
            return -1;
        int r = 0;
        for (size_t i = 0; i < TUPLE_SIZE(cls) && r == 0; i++)
            r = object_issubclass(derived, TUPLE_GET(cls, i));
        mini_leave_recursive_call();
        return r;
    }
    MiniObject *checker = lookup_special(cls, MINI_ID(__subclasscheck__));
    if (checker)
        return call_checker(checker, derived, " in __subclasscheck__");
    if (mini_error_occurred())
        return -1;
    return issubclass_type(derived, cls);
}

static MiniObject *builtin_isinstance(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    if (!args_between("isinstance", nargs, kwnames, 2, 2))
        return NULL;
    int r = object_isinstance(args[0], args[1]);
    return r < 0 ? NULL : MINI_BOOL(r);
}

static MiniObject *builtin_issubclass(MiniObject *self, MiniObject *const *args, size_t nargs,
                                      MiniObject *kwnames) {
    (void)self;
    if (!args_between("issubclass", nargs, kwnames, 2, 2))
        return NULL;
    int r = object_issubclass(args[0], args[1]);
    return r < 0 ? NULL : MINI_BOOL(r);
}

// ---------------------------------------------------------------------------------------------
// Iteration: iter, next, min, max, sorted, sum
// ---------------------------------------------------------------------------------------------

// iter(object) or iter(callable, sentinel).
static MiniObject *builtin_iter(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!args_between("iter", nargs, kwnames, 1, 2))
        return NULL;
    if (nargs == 1)
        return mini_iter(args[0]);
    if (!mini_callable(args[0]))
        return mini_raise_str(mini_exc_TypeError, "iter(v, w): v must be callable");
    return calliter_new(args[0], args[1]);
}

// next(iterator[, default]).
static MiniObject *builtin_next(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!args_between("next", nargs, kwnames, 1, 2))
        return NULL;
    MiniType *t = mini_type(args[0]);
    if (!t->iternext)
        return mini_raise(mini_exc_TypeError, "'%s' object is not an iterator", t->name);
    MiniObject *coro = coroutine_wrapper_target(args[0]); // coro.__await__() resumes coro
    if (generator_check(args[0]) || coro) {
        // A generator's return value travels in the StopIteration next() raises, which the
        // iternext slot (made for loops) does not keep: resume it directly.
        MiniObject *r;
        GenResult gr = generator_send((MiniGenerator *)(coro ? coro : args[0]), MINI_NONE,
                                      false, &r);
        if (gr == GEN_RESULT_YIELD)
            return r;
        if (gr == GEN_RESULT_RETURN && nargs < 2 && r != MINI_NONE) {
            MiniObject *targs = tuple_pack(1, r);
            MINI_DECREF(r);
            MiniObject *exc = targs ? exception_new(mini_exc_StopIteration, targs) : NULL;
            MINI_XDECREF(targs);
            if (exc)
                mini_error_restore(exc);
            return NULL;
        }
        if (gr == GEN_RESULT_RETURN)
            MINI_DECREF(r);
        else if (nargs < 2 || !mini_error_matches(mini_exc_StopIteration))
            return NULL;
        else
            mini_error_clear();
        if (nargs == 2)
            return mini_newref(args[1]);
        return mini_raise_object((MiniObject *)mini_exc_StopIteration);
    }
    MiniObject *res = t->iternext(args[0]);
    if (res)
        return res;
    if (mini_error_occurred()) {
        if (nargs < 2 || !mini_error_matches(mini_exc_StopIteration))
            return NULL;
        mini_error_clear();
    }
    if (nargs == 2)
        return mini_newref(args[1]);
    return mini_raise_object((MiniObject *)mini_exc_StopIteration);
}

// min() and max(): [op] is CMP_LT for min, CMP_GT for max; an item replaces the best so far
// when `item op best` (so the first of equal items wins, as in CPython). New reference.
static MiniObject *min_max(const char *fname, MiniObject *const *args, size_t nargs,
                           MiniObject *kwnames, int op) {
    if (nargs == 0)
        return mini_raise(mini_exc_TypeError, "%s expected at least 1 argument, got 0", fname);
    MiniObject *key = NULL, *deflt = NULL;
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    for (size_t i = 0; i < nkw; i++) {
        MiniObject *k = TUPLE_GET(kwnames, i);
        if (kw_is(k, MINI_ID(key)))
            key = args[nargs + i];
        else if (kw_is(k, MINI_ID(default)))
            deflt = args[nargs + i];
        else
            return invalid_keyword(k, fname);
    }
    if (nargs > 1 && deflt)
        return mini_raise(mini_exc_TypeError,
                          "Cannot specify a default for %s() with multiple positional arguments",
                          fname);
    if (key == MINI_NONE)
        key = NULL;
    // Several arguments are walked in place; one is iterated.
    MiniObject *it = NULL;
    if (nargs == 1 && !(it = mini_iter(args[0])))
        return NULL;
    MiniObject *best = NULL, *best_val = NULL;
    for (size_t i = 0;; i++) {
        MiniObject *item;
        if (it) {
            item = mini_next(it);
            if (!item) {
                if (mini_error_occurred())
                    goto error;
                break;
            }
        } else {
            if (i >= nargs)
                break;
            item = mini_newref(args[i]);
        }
        MiniObject *val = item;
        if (key) {
            val = mini_call_n(key, 1, item);
            if (!val) {
                MINI_DECREF(item);
                goto error;
            }
        } else {
            MINI_INCREF(val);
        }
        if (!best) {
            best = item;
            best_val = val;
            continue;
        }
        int c = mini_richcompare_bool(val, best_val, op);
        if (c < 0) {
            MINI_DECREF(item);
            MINI_DECREF(val);
            goto error;
        }
        if (c) {
            MINI_SETREF(best, item);
            MINI_SETREF(best_val, val);
        } else {
            MINI_DECREF(item);
            MINI_DECREF(val);
        }
    }
    MINI_XDECREF(it);
    MINI_XDECREF(best_val);
    if (best)
        return best;
    if (deflt)
        return mini_newref(deflt);
    return mini_raise(mini_exc_ValueError, "%s() arg is an empty sequence", fname);
error:
    MINI_XDECREF(it);
    MINI_XDECREF(best);
    MINI_XDECREF(best_val);
    return NULL;
}

static MiniObject *builtin_max(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return min_max("max", args, nargs, kwnames, CMP_GT);
}

static MiniObject *builtin_min(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    return min_max("min", args, nargs, kwnames, CMP_LT);
}

// sorted(iterable, /, *, key=None, reverse=False): a new list, sorted as list.sort() does
// (whose name the keyword errors carry, as in CPython).
static MiniObject *builtin_sorted(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    if (nargs != 1)
        return mini_raise(mini_exc_TypeError, "sorted expected 1 argument, got %zu", nargs);
    MiniObject *list = mini_sequence_list(args[0]);
    if (!list)
        return NULL;
    MiniObject *key = NULL, *reverse = NULL;
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    for (size_t i = 0; i < nkw; i++) {
        MiniObject *k = TUPLE_GET(kwnames, i);
        if (kw_is(k, MINI_ID(key)))
            key = args[nargs + i];
        else if (kw_is(k, MINI_ID(reverse)))
            reverse = args[nargs + i];
        else {
            MINI_DECREF(list);
            return invalid_keyword(k, "sort");
        }
    }
    bool rev = false;
    if (reverse) {
        // list.sort takes reverse as an int (so reverse=1.5 is a TypeError).
        MiniObject *v = mini_index(reverse);
        if (!v) {
            MINI_DECREF(list);
            return NULL;
        }
        rev = int_sign(v) != 0;
        MINI_DECREF(v);
    }
    if (list_sort(list, key == MINI_NONE ? NULL : key, rev) < 0) {
        MINI_DECREF(list);
        return NULL;
    }
    return list;
}

// sum(iterable, /, start=0). Like CPython 3.11: machine ints while the running total is a
// small int, then doubles while it is a float (plain addition, no compensation), then the
// generic + for everything else.
static MiniObject *builtin_sum(MiniObject *self, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"/iterable", "start", NULL};
    MiniObject *a[2] = {NULL, NULL};
    if (nargs == 0)
        return mini_raise_str(mini_exc_TypeError,
                              "sum() takes at least 1 positional argument (0 given)");
    if (!at_most("sum", nargs, 2) || !mini_parse_args("sum", args, nargs, kwnames, names, 1, a))
        return NULL;
    // The iterable is checked first, as in CPython.
    MiniObject *it = mini_iter(a[0]);
    if (!it)
        return NULL;
    MiniObject *start = a[1] ? a[1] : MINI_FROM_SMALLINT(0);
    const char *refused = NULL;
    if (str_check(start))
        refused = "sum() can't sum strings [use ''.join(seq) instead]";
    else if (bytes_check(start))
        refused = "sum() can't sum bytes [use b''.join(seq) instead]";
    else if (MINI_IS_PTR(start) && mini_isinstance_type(start, &mini_bytearray_type))
        refused = "sum() can't sum bytearray [use b''.join(seq) instead]";
    if (refused) {
        MINI_DECREF(it);
        return mini_raise_str(mini_exc_TypeError, refused);
    }
    MiniObject *result = mini_newref(start);
    MiniObject *item = NULL;

    if (MINI_IS_SMALLINT(result)) {
        int64_t acc = MINI_SMALLINT_VALUE(result);
        while ((item = mini_next(it))) {
            int64_t v, s;
            if (MINI_IS_SMALLINT(item))
                v = MINI_SMALLINT_VALUE(item);
            else if (MINI_IS_BOOL(item))
                v = item == MINI_TRUE;
            else
                break;
            if (__builtin_add_overflow(acc, v, &s))
                break;
            acc = s;
        }
        result = int_from_i64(acc);
        if (!result)
            goto error;
        if (!item) {
            if (mini_error_occurred())
                goto error;
            goto done;
        }
        // The item that left the fast path is added the general way.
        MiniObject *t = mini_binary_op(result, item, BINOP_ADD);
        MINI_DECREF(item);
        item = NULL;
        MINI_SETREF(result, t);
        if (!result)
            goto error;
    }
    if (MINI_IS_PTR(result) && result->type == &mini_float_type) {
        double acc = ((MiniFloat *)result)->value;
        while ((item = mini_next(it))) {
            if (MINI_IS_PTR(item) && item->type == &mini_float_type)
                acc += ((MiniFloat *)item)->value;
            else if (MINI_IS_SMALLINT(item))
                acc += (double)MINI_SMALLINT_VALUE(item);
            else if (MINI_IS_BOOL(item))
                acc += item == MINI_TRUE;
            else
                break;
            MINI_DECREF(item);
        }
        MINI_SETREF(result, float_new(acc));
        if (!result)
            goto error;
        if (!item) {
            if (mini_error_occurred())
                goto error;
            goto done;
        }
        MiniObject *t = mini_binary_op(result, item, BINOP_ADD);
        MINI_DECREF(item);
        item = NULL;
        MINI_SETREF(result, t);
        if (!result)
            goto error;
    }
    while ((item = mini_next(it))) {
        MiniObject *t = mini_binary_op(result, item, BINOP_ADD);
        MINI_DECREF(item);
        item = NULL;
        MINI_SETREF(result, t);
        if (!result)
            goto error;
    }
    if (mini_error_occurred())
        goto error;
done:
    MINI_DECREF(it);
    return result;
error:
    MINI_XDECREF(item);
    MINI_XDECREF(result);
    MINI_DECREF(it);
    return NULL;
}

// ---------------------------------------------------------------------------------------------
// Classes and imports
// ---------------------------------------------------------------------------------------------

// The most derived of [meta] and the metaclasses of [bases]: every one must be a
// (non-strict) subclass of it. Borrowed; NULL with TypeError on a conflict.
static MiniType *calculate_metaclass(MiniType *meta, MiniObject *bases) {
    MiniType *winner = meta;
    for (size_t i = 0; i < TUPLE_SIZE(bases); i++) {
        MiniType *t = mini_type(TUPLE_GET(bases, i));
        if (type_is_subtype(winner, t))
            continue;
        if (type_is_subtype(t, winner)) {
            winner = t;
            continue;
        }
        mini_raise_str(mini_exc_TypeError,
                       "metaclass conflict: the metaclass of a derived class must be a "
                       "(non-strict) subclass of the metaclasses of all its bases");
        return NULL;
    }
    return winner;
}

// __build_class__(func, name, *bases, metaclass=None, **kwds): what a class statement runs.
// Chooses the metaclass, prepares the namespace (__prepare__), runs the class body in it,
// calls metaclass(name, bases, namespace, **kwds), and checks the __class__ cell the body
// returns (the one methods using super() or __class__ share) now holds the new class.
static MiniObject *builtin_build_class(MiniObject *self, MiniObject *const *args, size_t nargs,
                                       MiniObject *kwnames) {
    (void)self;
    if (nargs < 2)
        return mini_raise_str(mini_exc_TypeError, "__build_class__: not enough arguments");
    MiniObject *func = args[0], *name = args[1];
    if (!MINI_IS_PTR(func) || func->type != &mini_function_type)
        return mini_raise_str(mini_exc_TypeError, "__build_class__: func must be a function");
    if (!str_check(name))
        return mini_raise_str(mini_exc_TypeError, "__build_class__: name is not a string");

    // The call to the metaclass gets (name, bases, ns) then the keywords but metaclass=.
    size_t nkw = kwnames ? TUPLE_SIZE(kwnames) : 0;
    MiniObject *meta = NULL, *bases = NULL, *kwn = NULL, *ns = NULL, *cell = NULL,
               *cls = NULL;
    MiniObject **stack = mini_malloc((3 + nkw) * sizeof(MiniObject *));
    if (!stack)
        return NULL;
    size_t nkeep = 0;
    for (size_t i = 0; i < nkw; i++)
        if (kw_is(TUPLE_GET(kwnames, i), MINI_ID(metaclass)))
            meta = args[nargs + i];
        else
            stack[3 + nkeep++] = args[nargs + i];
    if (nkeep == nkw) {
        kwn = kwnames ? mini_newref(kwnames) : NULL;
    } else if (nkeep > 0) {
        kwn = tuple_new(nkeep);
        if (!kwn)
            goto done;
        for (size_t i = 0, j = 0; i < nkw; i++)
            if (!kw_is(TUPLE_GET(kwnames, i), MINI_ID(metaclass)))
                TUPLE_ITEMS(kwn)[j++] = mini_newref(TUPLE_GET(kwnames, i));
    }
    bases = tuple_from_array(args + 2, nargs - 2);
    if (!bases)
        goto done;

    bool isclass;
    if (!meta) {
        meta = nargs > 2 ? (MiniObject *)mini_type(args[2]) : (MiniObject *)&mini_type_type;
        isclass = true;
    } else {
        isclass = is_type(meta);
    }
    if (isclass) {
        MiniType *winner = calculate_metaclass((MiniType *)meta, bases);
        if (!winner)
            goto done;
        meta = (MiniObject *)winner;
    }
    MINI_INCREF(meta);

    // The namespace: metaclass.__prepare__(name, bases, **kwds), or a new dict.
    // (type.__prepare__ returns a new dict: the common case skips the call.)
    MiniObject *prepare = meta == (MiniObject *)&mini_type_type
                              ? NULL
                              : mini_getattr_opt(meta, MINI_ID(__prepare__));
    if (prepare) {
        stack[1] = name;
        stack[2] = bases;
        // stack[1..] is (name, bases, keyword values...): contiguous, as a call wants.
        ns = mini_call(prepare, stack + 1, 2, kwn);
        MINI_DECREF(prepare);
    } else if (!mini_error_occurred()) {
        ns = dict_new();
    }
    if (!ns)
        goto done_meta;
    if (!mini_type(ns)->getitem) {
        mini_raise(mini_exc_TypeError, "%s.__prepare__() must return a mapping, not %s",
                   isclass ? ((MiniType *)meta)->name : "<metaclass>", mini_type_name(ns));
        goto done_meta;
    }
    cell = eval_class_body(func, ns);
    if (!cell)
        goto done_meta;
    stack[0] = name;
    stack[1] = bases;
    stack[2] = ns;
    cls = mini_call(meta, stack, 3, kwn);
    if (cls && MINI_IS_PTR(cell) && cell->type == &mini_cell_type) {
        MiniObject *cell_cls = ((MiniCell *)cell)->ref;
        if (cell_cls != cls) {
            if (!cell_cls)
                mini_raise(mini_exc_RuntimeError,
                           "__class__ not set defining %R as %R. Was __classcell__ propagated "
                           "to type.__new__?",
                           name, cls);
            else
                mini_raise(mini_exc_TypeError, "__class__ set to %R defining %R as %R",
                           cell_cls, name, cls);
            MINI_CLEAR(cls);
        }
    }
done_meta:
    MINI_DECREF(meta);
done:
    MINI_XDECREF(cell);
    MINI_XDECREF(ns);
    MINI_XDECREF(bases);
    MINI_XDECREF(kwn);
    mini_free(stack);
    return cls;
}

// __import__(name, globals=None, locals=None, fromlist=(), level=0): the import system of
// vm/import.c (sys.modules, the C modules, the frozen modules, then the files of sys.path).
static MiniObject *builtin_import(MiniObject *self, MiniObject *const *args, size_t nargs,
                                  MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"name", "globals", "locals", "fromlist", "level", NULL};
    MiniObject *a[5] = {NULL, NULL, NULL, NULL, NULL};
    if (!at_most("__import__", nargs, 5) ||
        !mini_parse_args("__import__", args, nargs, kwnames, names, 1, a))
        return NULL;
    ssize_t level = 0;
    if (a[4]) {
        level = mini_as_ssize(a[4]);
        if (level == -1 && mini_error_occurred())
            return NULL;
    }
    return import_module_level(a[0], a[1], a[3], level);
}

// ---------------------------------------------------------------------------------------------
// eval, exec, compile
// ---------------------------------------------------------------------------------------------

// The source text of eval/exec/compile's first argument, or NULL (no exception) when it is
// not text. Sets *code instead for a code object.
static bool source_text(MiniObject *src, const char **text, size_t *size, CodeObject **code) {
    *code = NULL;
    if (str_check(src)) {
        *text = STR_DATA(src);
        *size = STR_SIZE(src);
        return true;
    }
    if (bytes_check(src)) {
        *text = ((MiniBytes *)src)->data;
        *size = ((MiniBytes *)src)->size;
        return true;
    }
    if (MINI_IS_PTR(src) && mini_isinstance_type(src, &mini_bytearray_type)) {
        *text = ((MiniByteArray *)src)->data ? ((MiniByteArray *)src)->data : "";
        *size = ((MiniByteArray *)src)->size;
        return true;
    }
    if (MINI_IS_PTR(src) && src->type == &mini_code_type) {
        *code = (CodeObject *)src;
        return true;
    }
    return false;
}

// Compiles [text] as [mode] after CPython's checks (no NUL bytes). Immortal code or NULL.
static CodeObject *compile_text(const char *text, size_t size, const char *filename,
                                ParseMode mode) {
    if (memchr(text, '\0', size)) {
        mini_raise_str(mini_exc_SyntaxError, "source code string cannot contain null bytes");
        return NULL;
    }
    return compile_source(text, size, filename, mode);
}

// eval and exec: resolve globals and locals (the caller's when omitted), make sure the
// globals know the builtins, compile the source unless it is a code object, and run it.
// New reference: the value for eval, None for exec.
static MiniObject *eval_or_exec(MiniObject *source, MiniObject *globals, MiniObject *locals,
                                bool is_exec) {
    const char *fname = is_exec ? "exec" : "eval";
    if (globals == MINI_NONE)
        globals = NULL;
    if (locals == MINI_NONE)
        locals = NULL;
    if (globals && !dict_check(globals)) {
        if (is_exec)
            return mini_raise(mini_exc_TypeError, "exec() globals must be a dict, not %s",
                              mini_type_name(globals));
        return mini_raise_str(mini_exc_TypeError,
                              mini_type(globals)->getitem
                                  ? "globals must be a real dict; try eval(expr, {}, mapping)"
                                  : "globals must be a dict");
    }
    if (locals && !mini_type(locals)->getitem) {
        if (is_exec)
            return mini_raise(mini_exc_TypeError, "locals must be a mapping or None, not %s",
                              mini_type_name(locals));
        return mini_raise_str(mini_exc_TypeError, "locals must be a mapping");
    }
    const char *text = NULL;
    size_t size = 0;
    CodeObject *code;
    if (!source_text(source, &text, &size, &code))
        return mini_raise(mini_exc_TypeError, "%s() arg 1 must be a string, bytes or code object",
                          fname);
    if (!globals) {
        globals = frame_globals();
        locals = locals ? mini_newref(locals) : frame_locals();
    } else {
        MINI_INCREF(globals);
        locals = mini_newref(locals ? locals : globals);
    }
    MiniObject *res = NULL;
    if (!globals || !locals)
        goto done;
    if (!dict_get_str(globals, MINI_ID(__builtins__))) {
        if (mini_error_occurred() ||
            dict_set(globals, MINI_ID(__builtins__), mini_ts->vm->builtins_module) < 0)
            goto done;
    }
    if (!code) {
        if (!is_exec) {
            // eval ignores leading blanks (an indented expression is not an error).
            while (size > 0 && (*text == ' ' || *text == '\t')) {
                text++;
                size--;
            }
        }
        code = compile_text(text, size, "<string>", is_exec ? MODE_EXEC : MODE_EVAL);
        if (!code)
            goto done;
    }
    res = eval_code(code, globals, locals);
    if (res && is_exec) {
        MINI_DECREF(res);
        res = MINI_NONE;
    }
done:
    MINI_XDECREF(globals);
    MINI_XDECREF(locals);
    return res;
}

// eval(source, globals=None, locals=None, /).
static MiniObject *builtin_eval(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!args_between("eval", nargs, kwnames, 1, 3))
        return NULL;
    return eval_or_exec(args[0], nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL,
                        false);
}

// exec(source, globals=None, locals=None, /, *, closure=None).
static MiniObject *builtin_exec(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"/source", "/globals", "/locals", "$closure", NULL};
    MiniObject *a[4] = {NULL, NULL, NULL, NULL};
    if (nargs == 0)
        return mini_raise_str(mini_exc_TypeError,
                              "exec() takes at least 1 positional argument (0 given)");
    if (!at_most("exec", nargs, 3) || !mini_parse_args("exec", args, nargs, kwnames, names, 1, a))
        return NULL;
    if (a[3] && a[3] != MINI_NONE)
        return mini_raise_str(mini_exc_TypeError,
                              "closure can only be used when source is a code object");
    return eval_or_exec(a[0], a[1], a[2], true);
}

// compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1): a code object.
static MiniObject *builtin_compile(MiniObject *self, MiniObject *const *args, size_t nargs,
                                   MiniObject *kwnames) {
    (void)self;
    static const char *const names[] = {"source", "filename",     "mode",
                                        "flags",  "dont_inherit", "optimize",
                                        "$_feature_version",      NULL};
    MiniObject *a[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    if (!at_most("compile", nargs, 6) ||
        !mini_parse_args("compile", args, nargs, kwnames, names, 3, a))
        return NULL;
    const char *filename;
    if (str_check(a[1]))
        filename = STR_DATA(a[1]);
    else if (bytes_check(a[1]))
        filename = ((MiniBytes *)a[1])->data;
    else
        return mini_raise(mini_exc_TypeError,
                          "expected str, bytes or os.PathLike object, not %s",
                          mini_type_name(a[1]));
    if (!str_check(a[2]))
        return mini_raise(mini_exc_TypeError, "compile() argument 'mode' must be str, not %s",
                          clinic_type_name(a[2]));
    const char *m = STR_DATA(a[2]);
    ParseMode mode;
    if (strcmp(m, "exec") == 0)
        mode = MODE_EXEC;
    else if (strcmp(m, "eval") == 0)
        mode = MODE_EVAL;
    else if (strcmp(m, "single") == 0)
        mode = MODE_SINGLE;
    else
        return mini_raise_str(mini_exc_ValueError,
                              "compile() mode must be 'exec', 'eval' or 'single'");
    const char *text = NULL;
    size_t size = 0;
    CodeObject *code;
    if (!source_text(a[0], &text, &size, &code) || code)
        return mini_raise_str(mini_exc_TypeError,
                              "compile() arg 1 must be a string, bytes or AST object");
    code = compile_text(text, size, filename, mode);
    return code ? mini_newref((MiniObject *)code) : NULL;
}

// exit(code=None) and quit(code=None): what CPython's site module provides for scripts.
static MiniObject *builtin_exit(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!args_between("exit", nargs, kwnames, 0, 1))
        return NULL;
    return raise_system_exit(args, nargs);
}

static MiniObject *builtin_quit(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    (void)self;
    if (!args_between("quit", nargs, kwnames, 0, 1))
        return NULL;
    return raise_system_exit(args, nargs);
}

// open(): the work is in runtime/fileobject.c; only the count check differs in wording.
static MiniObject *builtin_open(MiniObject *self, MiniObject *const *args, size_t nargs,
                                MiniObject *kwnames) {
    if (!at_most("open", nargs, 8))
        return NULL;
    return file_open(self, args, nargs, kwnames);
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

static const MiniMethodDef builtin_functions[] = {
    {"__build_class__", builtin_build_class, 0,
     "__build_class__(func, name, /, *bases, [metaclass], **kwds) -> class"},
    {"__import__", builtin_import, 0,
     "__import__(name, globals=None, locals=None, fromlist=(), level=0) -> module"},
    {"abs", builtin_abs, 0, "Return the absolute value of the argument."},
    {"all", builtin_all, 0, "Return True if bool(x) is True for all values x in the iterable."},
    {"any", builtin_any, 0, "Return True if bool(x) is True for any x in the iterable."},
    {"ascii", builtin_ascii, 0, "Return an ASCII-only representation of an object."},
    {"bin", builtin_bin, 0, "Return the binary representation of an integer."},
    {"callable", builtin_callable, 0, "Return whether the object is callable."},
    {"chr", builtin_chr, 0, "Return a Unicode string of one character with ordinal i."},
    {"compile", builtin_compile, 0, "Compile source into a code object."},
    {"delattr", builtin_delattr, 0, "Deletes the named attribute from the given object."},
    {"dir", builtin_dir, 0, "Show attributes of an object, or names of the current scope."},
    {"divmod", builtin_divmod, 0, "Return the tuple (x//y, x%y)."},
    {"eval", builtin_eval, 0, "Evaluate the given source in the context of globals and locals."},
    {"exec", builtin_exec, 0, "Execute the given source in the context of globals and locals."},
    {"exit", builtin_exit, 0, "Exit the interpreter by raising SystemExit(code)."},
    {"format", builtin_format, 0, "Return value.__format__(format_spec)."},
    {"getattr", builtin_getattr, 0, "Get a named attribute from an object."},
    {"globals", builtin_globals, 0, "Return the dictionary of the current global scope."},
    {"hasattr", builtin_hasattr, 0, "Return whether the object has an attribute of that name."},
    {"hash", builtin_hash, 0, "Return the hash value of the given object."},
    {"hex", builtin_hex, 0, "Return the hexadecimal representation of an integer."},
    {"id", builtin_id, 0, "Return the identity of an object."},
    {"input", builtin_input, 0, "Read a string from standard input."},
    {"isinstance", builtin_isinstance, 0, "Return whether an object is an instance of a class."},
    {"issubclass", builtin_issubclass, 0, "Return whether 'cls' is derived from another class."},
    {"iter", builtin_iter, 0, "Get an iterator from an object."},
    {"len", builtin_len, 0, "Return the number of items in a container."},
    {"locals", builtin_locals, 0, "Return a dictionary of the current local symbol table."},
    {"max", builtin_max, 0, "Return the largest item of an iterable or of the arguments."},
    {"min", builtin_min, 0, "Return the smallest item of an iterable or of the arguments."},
    {"next", builtin_next, 0, "Return the next item from the iterator."},
    {"oct", builtin_oct, 0, "Return the octal representation of an integer."},
    {"open", builtin_open, 0, "Open file and return a stream."},
    {"ord", builtin_ord, 0, "Return the Unicode code point for a one-character string."},
    {"pow", builtin_pow, 0, "Equivalent to base**exp with 2 arguments or base**exp % mod."},
    {"print", builtin_print, 0, "Prints the values to a stream, or to sys.stdout by default."},
    {"quit", builtin_quit, 0, "Exit the interpreter by raising SystemExit(code)."},
    {"repr", builtin_repr, 0, "Return the canonical string representation of the object."},
    {"round", builtin_round, 0, "Round a number to a given precision in decimal digits."},
    {"setattr", builtin_setattr, 0, "Sets the named attribute on the given object."},
    {"sorted", builtin_sorted, 0, "Return a new list with the items of the iterable sorted."},
    {"sum", builtin_sum, 0, "Return the sum of a 'start' value plus an iterable of numbers."},
    {"vars", builtin_vars, 0, "Show vars: the __dict__ of an object, or the local scope."},
    {NULL, NULL, 0, NULL},
};

// The builtin types by the names programs know them by.
static MiniType *const builtin_types[] = {
    &mini_bool_type,     &mini_bytearray_type, &mini_bytes_type,        &mini_classmethod_type,
    &mini_dict_type,     &mini_enumerate_type, &mini_filter_type,       &mini_float_type,
    &mini_frozenset_type, &mini_property_type, &mini_int_type,          &mini_list_type,
    &mini_map_type,      &mini_object_type,    &mini_range_type,        &mini_reversed_type,
    &mini_set_type,      &mini_slice_type,     &mini_staticmethod_type, &mini_str_type,
    &mini_super_type,    &mini_tuple_type,     &mini_type_type,         &mini_zip_type,
};

static const char *const builtin_type_names[] = {
    "bool",      "bytearray", "bytes",     "classmethod", "dict",   "enumerate",
    "filter",    "float",     "frozenset", "property",    "int",    "list",
    "map",       "object",    "range",     "reversed",    "set",    "slice",
    "staticmethod", "str",    "super",     "tuple",       "type",   "zip",
};

// Sets d[name] = value (borrowed value). -1 on error.
static int add(MiniObject *d, const char *name, MiniObject *value) {
    MiniObject *key = mini_intern(name);
    return key ? dict_set(d, key, value) : -1;
}

// The warning categories CPython has beyond object.h's exception list. Nothing in mini
// raises them, but programs name them (`except ResourceWarning`), so they exist as classes
// made like a class statement would: subclasses of Warning living in builtins.
static const char *const extra_warnings[][2] = {
    {"BytesWarning", "Base class for warnings about bytes and buffer related problems."},
    {"EncodingWarning", "Base class for warnings about encodings."},
    {"FutureWarning", "Base class for warnings about constructs that will change semantically."},
    {"ImportWarning", "Base class for warnings about probable mistakes in module imports"},
    {"PendingDeprecationWarning",
     "Base class for warnings about features which will be deprecated in the future."},
    {"ResourceWarning", "Base class for warnings about resource usage."},
    {"SyntaxWarning", "Base class for warnings about dubious syntax."},
    {"UnicodeWarning", "Base class for warnings about Unicode related problems."},
};

// Makes one of those classes and adds it to the builtins dict [d]. -1 on error.
static int add_warning_class(MiniObject *d, const char *name, const char *doc) {
    MiniObject *ns = dict_new();
    MiniObject *bases = tuple_pack(1, (MiniObject *)mini_exc_Warning);
    MiniObject *doc_str = str_from_cstr(doc);
    MiniObject *cls = NULL;
    if (ns && bases && doc_str && dict_set(ns, MINI_ID(__module__), MINI_ID(builtins)) == 0 &&
        dict_set(ns, MINI_ID(__doc__), doc_str) == 0) {
        MiniObject *args[3] = {mini_intern(name), bases, ns};
        if (args[0])
            cls = mini_call((MiniObject *)&mini_type_type, args, 3, NULL);
    }
    MINI_XDECREF(ns);
    MINI_XDECREF(bases);
    MINI_XDECREF(doc_str);
    if (!cls)
        return -1;
    int r = add(d, name, cls);
    MINI_DECREF(cls);
    return r;
}

MiniObject *builtins_init(VM *vm) {
    (void)vm;
    MiniObject *m = module_new_builtin("builtins", builtin_functions);
    if (!m)
        return NULL;
    MiniObject *d = ((MiniModule *)m)->dict;
    _Static_assert(sizeof builtin_types / sizeof builtin_types[0] ==
                       sizeof builtin_type_names / sizeof builtin_type_names[0],
                   "one name per builtin type");
    for (size_t i = 0; i < sizeof builtin_types / sizeof builtin_types[0]; i++)
        if (add(d, builtin_type_names[i], (MiniObject *)builtin_types[i]) < 0)
            goto error;
#define X(name, base)                                                                            \
    if (add(d, #name, (MiniObject *)mini_exc_##name) < 0)                                       \
        goto error;
    MINI_EXCEPTIONS(X)
#undef X
    for (size_t i = 0; i < sizeof extra_warnings / sizeof extra_warnings[0]; i++)
        if (add_warning_class(d, extra_warnings[i][0], extra_warnings[i][1]) < 0)
            goto error;
    // CPython keeps these two old names of OSError.
    if (add(d, "EnvironmentError", (MiniObject *)mini_exc_OSError) < 0 ||
        add(d, "IOError", (MiniObject *)mini_exc_OSError) < 0)
        goto error;
    if (add(d, "None", MINI_NONE) < 0 || add(d, "True", MINI_TRUE) < 0 ||
        add(d, "False", MINI_FALSE) < 0 || add(d, "Ellipsis", MINI_ELLIPSIS) < 0 ||
        add(d, "NotImplemented", MINI_NOTIMPL) < 0 || add(d, "__debug__", MINI_TRUE) < 0 ||
        dict_set(d, MINI_ID(__name__), MINI_ID(builtins)) < 0)
        goto error;
    MiniObject *doc = str_from_cstr("Built-in functions, types, exceptions, and other objects.");
    if (!doc || dict_set(d, MINI_ID(__doc__), doc) < 0) {
        MINI_XDECREF(doc);
        goto error;
    }
    MINI_DECREF(doc);
    return m;
error:
    MINI_DECREF(m);
    return NULL;
}
