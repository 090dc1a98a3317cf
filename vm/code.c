// code.c - code objects: the compiled form of a module, function, class body or
// comprehension, and the opcode tables generated from opcodes.def.
//
// A code object is immutable and immortal once made: many threads may run it at once, and the
// eval loop reads its arrays and tuples without touching any reference count. code_new interns
// every name it holds, so the eval loop and frame_bind_args can compare names by pointer
// before falling back to comparing text.

#include <stdio.h>
#include <string.h>

#include "eval_internal.h"

// ---------------------------------------------------------------------------------------------
// Opcode tables
// ---------------------------------------------------------------------------------------------

const char *const opcode_names[OP__COUNT] = {
#define OP(name, kind) [OP_##name] = #name,
#include "opcodes.def"
#undef OP
};

const OpArgKind opcode_argkinds[OP__COUNT] = {
#define OP(name, kind) [OP_##name] = ARG_##kind,
#include "opcodes.def"
#undef OP
};

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

// Makes [o] immortal and takes it out of the collector's list: a code object's constants are
// shared by every function made from it, for the life of the process.
static void immortalize(MiniObject *o) {
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL)
        return;
    mini_make_immortal_vm(o); // (gc) vm_free releases it
    if (o->type->flags & MINI_TPFLAG_GC)
        mini_gc_untrack(o);
}

// Replaces every str of the tuple [t] by its interned twin, so that names compare by pointer.
static void intern_tuple(MiniObject *t) {
    size_t n = TUPLE_SIZE(t);
    for (size_t i = 0; i < n; i++) {
        MiniObject *s = TUPLE_GET(t, i);
        if (!str_check(s))
            continue;
        MiniObject *canon = str_intern(s);
        if (canon && canon != s) {
            TUPLE_ITEMS(t)[i] = canon;
            MINI_DECREF(s);
        }
    }
}

// True if str [a] equals str [b]; interned names usually match by pointer.
static bool same_name(MiniObject *a, MiniObject *b) {
    return a == b || (str_check(a) && str_check(b) && str_eq(a, b));
}

// Computes cell2arg: for each cell variable that is also a parameter, the parameter's index.
// Leaves co->cell2arg NULL when no parameter is a cell (the common case, tested cheaply at
// every call). False with MemoryError.
static bool compute_cell2arg(CodeObject *co) {
    co->cell2arg = NULL;
    if (co->ncells == 0)
        return true;
    int nparams = co->argcount + co->kwonlyargcount;
    if (co->flags & CO_VARARGS)
        nparams++;
    if (co->flags & CO_VARKEYWORDS)
        nparams++;
    if (nparams > co->nlocals)
        nparams = co->nlocals;
    int *map = NULL;
    for (int i = 0; i < co->ncells; i++) {
        MiniObject *cname = TUPLE_GET(co->cellvars, i);
        for (int j = 0; j < nparams; j++) {
            if (!same_name(cname, TUPLE_GET(co->varnames, j)))
                continue;
            if (!map) {
                map = mini_malloc(sizeof(int) * (size_t)co->ncells);
                if (!map)
                    return false;
                for (int k = 0; k < co->ncells; k++)
                    map[k] = -1;
            }
            map[i] = j;
            break;
        }
    }
    co->cell2arg = map;
    return true;
}

// Makes a code object; takes ownership of [code] and [lines], borrows the tuples and makes
// them (and their items) immortal. Returns an immortal code object (so: borrowed as far as
// reference counts go) or NULL with an exception.
CodeObject *code_new(uint32_t *code, uint32_t *lines, size_t ncode, MiniObject *consts,
                     MiniObject *names, MiniObject *varnames, MiniObject *cellvars,
                     MiniObject *freevars, int argcount, int posonlyargcount,
                     int kwonlyargcount, int stacksize, int flags, int firstlineno,
                     MiniObject *name, MiniObject *qualname, MiniObject *filename) {
    CodeObject *co = (CodeObject *)mini_alloc(&mini_code_type, sizeof(CodeObject));
    if (!co) {
        mini_free(code);
        mini_free(lines);
        return NULL;
    }
    co->code = code;
    co->lines = lines;
    co->ncode = ncode;
    MiniObject *empty = tuple_empty();
    co->consts = consts ? consts : empty;
    co->names = names ? names : empty;
    co->varnames = varnames ? varnames : empty;
    co->cellvars = cellvars ? cellvars : empty;
    co->freevars = freevars ? freevars : empty;
    MINI_INCREF(co->consts);
    MINI_INCREF(co->names);
    MINI_INCREF(co->varnames);
    MINI_INCREF(co->cellvars);
    MINI_INCREF(co->freevars);
    co->argcount = argcount;
    co->posonlyargcount = posonlyargcount;
    co->kwonlyargcount = kwonlyargcount;
    co->nlocals = (int)TUPLE_SIZE(co->varnames);
    co->ncells = (int)TUPLE_SIZE(co->cellvars);
    co->nfrees = (int)TUPLE_SIZE(co->freevars);
    co->stacksize = stacksize < 0 ? 0 : stacksize;
    co->flags = flags & ~CO_NOFREE;
    if (co->nfrees == 0 && co->ncells == 0)
        co->flags |= CO_NOFREE;
    co->firstlineno = firstlineno;
    co->name = name ? name : mini_intern("?");
    co->qualname = qualname ? qualname : co->name;
    co->filename = filename ? filename : mini_intern("<unknown>");
    MINI_INCREF(co->name);
    MINI_INCREF(co->qualname);
    MINI_INCREF(co->filename);
    co->cell2arg = NULL;

    intern_tuple(co->names);
    intern_tuple(co->varnames);
    intern_tuple(co->cellvars);
    intern_tuple(co->freevars);
    // The items before their tuple: vm_free releases these in the reverse order.
    for (size_t i = 0; i < TUPLE_SIZE(co->consts); i++)
        immortalize(TUPLE_GET(co->consts, i));
    immortalize(co->consts);
    immortalize(co->names);
    immortalize(co->varnames);
    immortalize(co->cellvars);
    immortalize(co->freevars);
    immortalize(co->name);
    immortalize(co->qualname);
    immortalize(co->filename);
    mini_make_immortal_vm((MiniObject *)co);

    if (!compute_cell2arg(co))
        return NULL; // The code object is immortal: it simply stays unused.
    co->framesize = sizeof(Frame) + ((size_t)co->nlocals + (size_t)co->ncells +
                                     (size_t)co->nfrees + (size_t)co->stacksize + 1) *
                                        sizeof(MiniObject *);
    co->attr_hints = mini_malloc((ncode ? ncode : 1) * sizeof(uint32_t));
    if (!co->attr_hints)
        return NULL;
    memset(co->attr_hints, 0xff, (ncode ? ncode : 1) * sizeof(uint32_t));
    co->fast_nargs = (co->flags & (CO_VARARGS | CO_VARKEYWORDS | CO_GENERATOR)) ||
                             co->kwonlyargcount > 0
                         ? -1
                         : co->argcount;
    return co;
}

// The source line of the instruction at index [i]; the first line of the code for an index
// outside it (a frame that has not started yet has "executed" instruction -1).
int code_line_at(const CodeObject *co, size_t i) {
    if (i >= co->ncode || !co->lines)
        return co->firstlineno;
    return (int)co->lines[i];
}

// ---------------------------------------------------------------------------------------------
// The code type
// ---------------------------------------------------------------------------------------------

static void code_dealloc(MiniObject *self) {
    // Code objects are immortal; this only runs if VM teardown frees them explicitly.
    CodeObject *co = (CodeObject *)self;
    mini_free(co->code);
    mini_free(co->lines);
    mini_free(co->cell2arg);
    mini_free(co->attr_hints);
    mini_object_free(self);
}

// repr(code): `<code object f at 0x..., file "x.mini", line 3>`. New str.
static MiniObject *code_repr(MiniObject *self) {
    CodeObject *co = (CodeObject *)self;
    return str_from_format("<code object %U at %p, file \"%U\", line %d>", co->name, (void *)co,
                           co->filename, co->firstlineno);
}

#define CODE(o) ((CodeObject *)(o))

// The attributes of code objects: each getter returns a new reference.
static MiniObject *code_get_name(MiniObject *self) { return mini_newref(CODE(self)->name); }
static MiniObject *code_get_qualname(MiniObject *self) {
    return mini_newref(CODE(self)->qualname);
}
static MiniObject *code_get_filename(MiniObject *self) {
    return mini_newref(CODE(self)->filename);
}
static MiniObject *code_get_firstlineno(MiniObject *self) {
    return int_from_i64(CODE(self)->firstlineno);
}
static MiniObject *code_get_argcount(MiniObject *self) {
    return int_from_i64(CODE(self)->argcount);
}
static MiniObject *code_get_posonlyargcount(MiniObject *self) {
    return int_from_i64(CODE(self)->posonlyargcount);
}
static MiniObject *code_get_kwonlyargcount(MiniObject *self) {
    return int_from_i64(CODE(self)->kwonlyargcount);
}
static MiniObject *code_get_nlocals(MiniObject *self) {
    return int_from_i64(CODE(self)->nlocals);
}
static MiniObject *code_get_stacksize(MiniObject *self) {
    return int_from_i64(CODE(self)->stacksize);
}
static MiniObject *code_get_flags(MiniObject *self) { return int_from_i64(CODE(self)->flags); }
static MiniObject *code_get_varnames(MiniObject *self) {
    return mini_newref(CODE(self)->varnames);
}
static MiniObject *code_get_cellvars(MiniObject *self) {
    return mini_newref(CODE(self)->cellvars);
}
static MiniObject *code_get_freevars(MiniObject *self) {
    return mini_newref(CODE(self)->freevars);
}
static MiniObject *code_get_consts(MiniObject *self) { return mini_newref(CODE(self)->consts); }
static MiniObject *code_get_names(MiniObject *self) { return mini_newref(CODE(self)->names); }

static const MiniGetSetDef code_getset[] = {
    {"co_name", code_get_name, NULL, NULL},
    {"co_qualname", code_get_qualname, NULL, NULL},
    {"co_filename", code_get_filename, NULL, NULL},
    {"co_firstlineno", code_get_firstlineno, NULL, NULL},
    {"co_argcount", code_get_argcount, NULL, NULL},
    {"co_posonlyargcount", code_get_posonlyargcount, NULL, NULL},
    {"co_kwonlyargcount", code_get_kwonlyargcount, NULL, NULL},
    {"co_nlocals", code_get_nlocals, NULL, NULL},
    {"co_stacksize", code_get_stacksize, NULL, NULL},
    {"co_flags", code_get_flags, NULL, NULL},
    {"co_varnames", code_get_varnames, NULL, NULL},
    {"co_cellvars", code_get_cellvars, NULL, NULL},
    {"co_freevars", code_get_freevars, NULL, NULL},
    {"co_consts", code_get_consts, NULL, NULL},
    {"co_names", code_get_names, NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

MiniType mini_code_type = {
    .ob = {MINI_IMMORTAL, &mini_type_type},
    .name = "code",
    .basicsize = sizeof(CodeObject),
    .flags = 0,
    .dealloc = code_dealloc,
    .repr = code_repr,
    .getset = code_getset,
    .doc = "Create a code object.  Not for the faint of heart.",
};
