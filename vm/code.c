// code.c - code objects: the compiled form of a module, function, class body or
// comprehension, the opcode tables generated from opcodes.def, and quickening.
//
// A code object is immortal once made: many threads may run it at once, and the eval loop
// reads its arrays and tuples without touching any reference count. code_new interns every
// name it holds, so the eval loop and frame_bind_args can compare names by pointer before
// falling back to comparing text.
//
// Its instructions change once, when the code is warm: code_quicken (below) rewrites them to
// the quickened forms the eval loop specialises further as it runs (see the "Specialisation"
// notes in vm/eval.c). Everything else about a code object stays as the compiler made it.

#include <stdio.h>
#include <string.h>

#include "eval_internal.h"

// How many times a code object runs a function entry (RESUME) or a loop's backward jump before
// it is quickened (CPython 3.11 waits 8 too): code that runs once pays nothing for it. (A
// build with -DMINI_QUICKEN_WARMUP=1 quickens nearly all code at once: a stress test of the
// specialised instructions.)
#ifndef MINI_QUICKEN_WARMUP
#define MINI_QUICKEN_WARMUP 8
#endif

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

const uint8_t opcode_bases[OP__COUNT] = {
#define OP(name, kind) [OP_##name] = OP_##name,
#define SPEC(name, base, kind) [OP_##name] = OP_##base,
#include "opcodes.def"
#undef SPEC
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
    co->fast_nargs = (co->flags & (CO_VARARGS | CO_VARKEYWORDS | CO_GENERATOR | CO_COROUTINE)) ||
                             co->kwonlyargcount > 0
                         ? -1
                         : co->argcount;
    co->warmup = MINI_QUICKEN_WARMUP;
    co->ncaches = 0;
    co->caches = NULL;
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
// Quickening
// ---------------------------------------------------------------------------------------------

// The ADAPTIVE form of [op], or 0 when it has no specialised forms (opcode 0, NOP, is never
// one).
static Opcode adaptive_form(Opcode op) {
    switch (op) {
    case OP_LOAD_ATTR: return OP_LOAD_ATTR_ADAPTIVE;
    case OP_STORE_ATTR: return OP_STORE_ATTR_ADAPTIVE;
    case OP_LOAD_METHOD: return OP_LOAD_METHOD_ADAPTIVE;
    case OP_LOAD_GLOBAL: return OP_LOAD_GLOBAL_ADAPTIVE;
    case OP_BINARY_OP: return OP_BINARY_OP_ADAPTIVE;
    case OP_CALL_FUNCTION: return OP_CALL_FUNCTION_ADAPTIVE;
    case OP_CALL_METHOD: return OP_CALL_METHOD_ADAPTIVE;
    case OP_BINARY_SUBSCR: return OP_BINARY_SUBSCR_ADAPTIVE;
    case OP_STORE_SUBSCR: return OP_STORE_SUBSCR_ADAPTIVE;
    case OP_UNPACK_SEQUENCE: return OP_UNPACK_SEQUENCE_ADAPTIVE;
    case OP_FOR_ITER: return OP_FOR_ITER_ADAPTIVE;
    default: return (Opcode)0;
    }
}

// The superinstruction that does [op] and then [next] in one dispatch, or 0 for none; [after]
// is the instruction after [next] (or NOP).
static Opcode superinstruction(Opcode op, Opcode next, Opcode after) {
    if (op == OP_LOAD_FAST && next == OP_LOAD_ATTR)
        return OP_LOAD_FAST__LOAD_ATTR;
    if (op == OP_LOAD_FAST && next == OP_LOAD_METHOD)
        return OP_LOAD_FAST__LOAD_METHOD;
    if (op == OP_DUP_TOP && next == OP_LOAD_ATTR)
        return OP_DUP_TOP__LOAD_ATTR;
    if (op == OP_ROT_TWO && next == OP_STORE_ATTR)
        return OP_ROT_TWO__STORE_ATTR;
    // A pair of loads would swallow a load that pairs better with the attribute after it.
    if (op == OP_LOAD_FAST && next == OP_LOAD_FAST && after != OP_LOAD_ATTR &&
        after != OP_LOAD_METHOD)
        return OP_LOAD_FAST__LOAD_FAST;
    if (op == OP_LOAD_FAST && next == OP_LOAD_CONST)
        return OP_LOAD_FAST__LOAD_CONST;
    if (op == OP_LOAD_CONST && next == OP_LOAD_FAST)
        return OP_LOAD_CONST__LOAD_FAST;
    return (Opcode)0;
}

bool code_quicken(CodeObject *co) {
    // (It runs once per code object: the RESUME and JUMP_BACKWARD it rewrites stop counting.)
    if (co->caches)
        return true;
    // Only the ADAPTIVE forms whose argument is a cache index get an entry (opcodes.def).
    size_t n = 0;
    for (size_t i = 0; i < co->ncode; i++) {
        Opcode adaptive = adaptive_form((Opcode)INSTR_OP(co->code[i]));
        if (adaptive && opcode_argkinds[adaptive] == ARG_CACHE)
            n++;
    }
    if (n > (size_t)MAX_OPARG + 1)
        return false; // the cache indexes would not fit in an argument
    InlineCache *caches = NULL;
    if (n > 0) {
        caches = mini_calloc(n, sizeof(InlineCache));
        if (!caches) {
            mini_error_clear(); // the code just runs unquickened
            return false;
        }
    }
    // Each instruction is rewritten in one store, into a form that does what the original
    // did: a frame of this code already running (further up the stack, or a suspended
    // generator) goes on correctly with the new words.
    size_t k = 0;
    for (size_t i = 0; i < co->ncode; i++) {
        uint32_t w = co->code[i];
        Opcode op = (Opcode)INSTR_OP(w);
        Opcode adaptive = adaptive_form(op);
        if (adaptive && opcode_argkinds[adaptive] == ARG_CACHE) {
            caches[k].arg = INSTR_ARG(w);
            caches[k].counter = 0; // warm already: try to specialise at the first execution
            if (opcode_argkinds[op] == ARG_NAME && INSTR_ARG(w) < TUPLE_SIZE(co->names))
                caches[k].name = TUPLE_GET(co->names, INSTR_ARG(w));
            co->code[i] = INSTR(adaptive, k);
            k++;
        } else if (adaptive) {
            co->code[i] = INSTR(adaptive, INSTR_ARG(w));
        } else if (op == OP_RESUME) {
            co->code[i] = INSTR(OP_RESUME_QUICK, INSTR_ARG(w));
        } else if (op == OP_JUMP_BACKWARD) {
            co->code[i] = INSTR(OP_JUMP_BACKWARD_QUICK, INSTR_ARG(w));
        } else if (i + 1 < co->ncode) {
            // (The next instructions are still as the compiler wrote them: the loop goes
            // forwards.)
            Opcode after = i + 2 < co->ncode ? (Opcode)INSTR_OP(co->code[i + 2]) : OP_NOP;
            Opcode super = superinstruction(op, (Opcode)INSTR_OP(co->code[i + 1]), after);
            if (super)
                co->code[i] = INSTR(super, INSTR_ARG(w));
        }
    }
    co->ncaches = (uint32_t)n;
    co->caches = caches;
    return true;
}

uint32_t code_base_instr(const CodeObject *co, size_t i) {
    uint32_t w = co->code[i];
    Opcode op = (Opcode)INSTR_OP(w);
    if (op >= OP__COUNT || opcode_bases[op] == op)
        return w;
    uint32_t arg = INSTR_ARG(w);
    if (opcode_argkinds[op] == ARG_CACHE && arg < co->ncaches)
        arg = co->caches[arg].arg;
    return INSTR(opcode_bases[op], arg);
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
    mini_free(co->caches);
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
