// compile.c - the code generator: from the AST (compiler/ast.h) and its symbol table
// (compiler/symtable.h) to code objects (vm/vm.h) made of the opcodes of vm/opcodes.def.
//
// Design
// ------
// A Unit is one code object being built: the module and, nested inside it while they are
// compiled, each function, lambda, class body and comprehension. A unit collects its
// instructions (one 32-bit word each, with the source line of each in a parallel array), its
// constants, names, local variables and cell and free variables (each a list plus a dict from
// value to index, so that every value appears once), and a stack of frame blocks (FBlock): the
// loops, try blocks, with blocks and handlers the code being compiled sits in, which `break`,
// `continue` and `return` must unwind on their way out.
//
// Jumps name labels: new_label() makes one, bind_label() fixes it at the next instruction.
// When a unit is finished, assemble() turns labels into instruction indexes, computes the
// deepest the value stack can get by walking every path through the code (stack_depth), and
// makes the code object. Conditional jumps only ever go forward here; the only backward jumps
// are the JUMP_BACKWARDs that close loops, chosen by emit_goto(), because a JUMP_BACKWARD is
// where the eval loop checks its eval breaker (the GIL's check point).
//
// Exceptions use a block stack at run time (see opcodes.def): SETUP_FINALLY and SETUP_WITH push
// a block naming a handler, POP_BLOCK pops it when the protected code ends normally, and
// entering a handler pushes an EXCEPT_HANDLER block that POP_EXCEPT (or the unwinding of a
// RERAISE) removes. The layouts are CPython 3.10's, with one exception object on the value
// stack where CPython had three values.
//
// Errors are SyntaxErrors at the location of the statement or expression being compiled.
// After one, every function returns false up to compile_module(), which frees the units.

#include "compiler.h"
#include "symtable.h"

#include <string.h>

// Above this many values, calls and displays are built piece by piece (BUILD_LIST 0 then
// LIST_APPEND ...) rather than from that many values on the stack, as CPython does.
#define STACK_USE_GUIDELINE 30

// How deep the compiler may recurse into nested expressions and statements.
#define MAX_DEPTH (2 * MINI_MAX_AST_DEPTH)

// Returns false from the calling function when [x] fails: the exception is already pending.
#define TRY(x)                                                                                   \
    do {                                                                                         \
        if (!(x))                                                                                \
            return false;                                                                        \
    } while (0)

typedef enum {
    FB_WHILE_LOOP,
    FB_FOR_LOOP,          // the iterator is on the stack
    FB_TRY_EXCEPT,        // the body of a try with handlers: a SETUP_FINALLY block
    FB_FINALLY_TRY,       // the body of a try with finally: a SETUP_FINALLY block
    FB_FINALLY_END,       // the finally body run for an exception: exc on the stack
    FB_WITH,              // the body of a with: a SETUP_WITH block, __exit__ on the stack
    FB_ASYNC_WITH,        // the body of an async with: a SETUP_ASYNC_WITH block, __aexit__
    FB_HANDLER_CLEANUP,   // the body of an except clause (an EXCEPT_HANDLER block)
    FB_POP_VALUE,         // a finally body inlined by `return`: the return value below it
    FB_EXCEPTION_HANDLER, // matching an exception against the except clauses
} FBlockKind;

typedef struct {
    FBlockKind kind;
    int top;                   // loops: the label `continue` goes to
    int exit;                  // loops: the label `break` goes to
    const StmtList *finalbody; // FB_FINALLY_TRY: the finally body to inline
    MiniObject *name;          // FB_HANDLER_CLEANUP: the `as` name, or NULL
} FBlock;

typedef enum { UNIT_MODULE, UNIT_CLASS, UNIT_FUNCTION, UNIT_LAMBDA, UNIT_COMPREHENSION } UnitKind;

typedef struct Unit {
    struct Unit *parent;
    SymScope *scope;
    UnitKind kind;
    MiniObject *name;         // str
    MiniObject *qualname;     // str (owned)
    MiniObject *private_name; // the enclosing class's name, for mangling, or NULL (borrowed)

    uint32_t *code, *lines;   // mini_malloc'd; handed to code_new
    size_t ncode, capcode;
    int32_t *labels;          // label -> instruction index, -1 while unbound
    size_t nlabels, caplabels;

    // Each table is a list of values plus a dict from key to index in the list.
    MiniObject *consts, *const_index;
    MiniObject *names, *name_index;
    MiniObject *varnames, *var_index;
    MiniObject *cellvars, *cell_index;
    MiniObject *freevars, *free_index;

    FBlock fblocks[MINI_MAX_BLOCKS];
    int nfblocks;

    int argcount, posonlyargcount, kwonlyargcount;
    int flags;       // CO_* flags decided while compiling (CO_DOCSTRING, CO_VARARGS ...)
    int firstlineno;
    int line, col;   // the location of the node being compiled
    int comp_col;    // a comprehension: its column (its line is firstlineno)
    bool comp_async; // a comprehension that awaits (or has `async for`): a coroutine
} Unit;

typedef struct {
    const SourceText *src;
    SymTable *st;
    bool interactive;     // MODE_SINGLE: module-level expression statements print their value
    Unit *u;              // the innermost unit
    MiniObject *filename; // str
    int depth;            // recursion depth over the AST
} Compiler;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// Raises SyntaxError [msg] at the location being compiled. Returns false.
static bool compile_error(Compiler *c, const char *msg) {
    source_syntax_error(c->src, c->u->line, c->u->col, "%s", msg);
    return false;
}

// An inconsistency inside the compiler itself (a bug, never the program's fault).
static bool internal_error(const char *what) {
    mini_raise(mini_exc_SystemError, "compiler: %s", what);
    return false;
}

// ---------------------------------------------------------------------------------------------
// Tables: constants, names, variables
// ---------------------------------------------------------------------------------------------

// The index of [key] in [map], appending [value] to [list] (and remembering its index under
// [key]) when it is not there yet. -1 with an exception on failure.
static int64_t table_index(MiniObject *list, MiniObject *map, MiniObject *key, MiniObject *value) {
    MiniObject *found = dict_get(map, key);
    if (found)
        return MINI_SMALLINT_VALUE(found);
    if (mini_error_occurred())
        return -1;
    int64_t i = (int64_t)LIST_SIZE(list);
    if (list_append(list, value) < 0 || dict_set(map, key, MINI_FROM_SMALLINT(i)) < 0)
        return -1;
    return i;
}

// The index of [name] in an index dict, or -1 (no exception) when absent.
static int64_t table_lookup(MiniObject *map, MiniObject *name) {
    MiniObject *found = dict_get_str(map, name);
    return found ? MINI_SMALLINT_VALUE(found) : -1;
}

// The key under which a constant is deduplicated. Constants are equal only if they have the
// same type and value: 1, 1.0 and True are three constants, and so are 0.0 and -0.0 (floats
// are keyed by their bits). Objects of other types (code objects) are keyed by identity.
// New reference.
static MiniObject *const_key(MiniObject *v) {
    MiniType *t = mini_type(v);
    int kind;
    MiniObject *payload = NULL; // new reference, or NULL to key by v itself
    if (t == &mini_int_type) {
        kind = 0;
    } else if (t == &mini_bool_type) {
        kind = 1;
    } else if (t == &mini_str_type) {
        kind = 2;
    } else if (t == &mini_bytes_type) {
        kind = 3;
    } else if (t == &mini_float_type) {
        kind = 4;
        uint64_t bits;
        double d = float_as_double(v);
        memcpy(&bits, &d, sizeof bits);
        payload = int_from_u64(bits);
    } else if (v == MINI_NONE || v == MINI_ELLIPSIS) {
        kind = v == MINI_NONE ? 5 : 6;
        payload = MINI_NONE;
    } else if (t == &mini_tuple_type) {
        kind = 7;
        size_t n = TUPLE_SIZE(v);
        payload = tuple_new(n);
        if (!payload)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            MiniObject *k = const_key(TUPLE_GET(v, i));
            if (!k) {
                // Fill the rest so the tuple can be released safely.
                for (size_t j = i; j < n; j++)
                    TUPLE_ITEMS(payload)[j] = MINI_NONE;
                MINI_DECREF(payload);
                return NULL;
            }
            TUPLE_ITEMS(payload)[i] = k;
        }
    } else {
        kind = 8;
        payload = int_from_u64((uint64_t)(uintptr_t)v);
    }
    if (kind == 4 || kind == 8) {
        if (!payload)
            return NULL;
    }
    MiniObject *key = tuple_pack(2, MINI_FROM_SMALLINT(kind), payload ? payload : v);
    MINI_XDECREF(payload);
    return key;
}

// The index of constant [v] (borrowed) in the unit's constants. -1 with exception.
static int64_t add_const(Compiler *c, MiniObject *v) {
    MiniObject *key = const_key(v);
    if (!key)
        return -1;
    int64_t i = table_index(c->u->consts, c->u->const_index, key, v);
    MINI_DECREF(key);
    return i;
}

// ---------------------------------------------------------------------------------------------
// Emitting instructions
// ---------------------------------------------------------------------------------------------

static bool emit(Compiler *c, Opcode op, int64_t arg) {
    Unit *u = c->u;
    if (arg < 0 || arg > MAX_OPARG) {
        mini_raise_str(mini_exc_SystemError, "code object too large to compile");
        return false;
    }
    if (u->ncode == u->capcode) {
        size_t cap = u->capcode ? u->capcode * 2 : 64;
        uint32_t *code = mini_realloc(u->code, cap * sizeof(uint32_t));
        if (!code)
            return false;
        u->code = code;
        uint32_t *lines = mini_realloc(u->lines, cap * sizeof(uint32_t));
        if (!lines)
            return false;
        u->lines = lines;
        u->capcode = cap;
    }
    u->code[u->ncode] = INSTR(op, arg);
    u->lines[u->ncode] = (uint32_t)(u->line > 0 ? u->line : 0);
    u->ncode++;
    return true;
}

static bool emit_op(Compiler *c, Opcode op) { return emit(c, op, 0); }

// LOAD_CONST [v] (borrowed).
static bool emit_const(Compiler *c, MiniObject *v) {
    int64_t i = add_const(c, v);
    return i >= 0 && emit(c, OP_LOAD_CONST, i);
}

// An instruction whose argument indexes co_names: attributes, globals, imports, LOAD_NAME.
// The name is mangled first, as every such name is in CPython.
static bool emit_name(Compiler *c, Opcode op, MiniObject *name) {
    MiniObject *mangled = symtable_mangle(c->u->private_name, name);
    if (!mangled)
        return false;
    int64_t i = table_index(c->u->names, c->u->name_index, mangled, mangled);
    return i >= 0 && emit(c, op, i);
}

static bool emit_name_cstr(Compiler *c, Opcode op, const char *name) {
    MiniObject *id = mini_intern(name);
    return id && emit_name(c, op, id);
}

// Makes a new, unbound label in *label.
static bool new_label(Compiler *c, int *label) {
    Unit *u = c->u;
    if (u->nlabels == u->caplabels) {
        size_t cap = u->caplabels ? u->caplabels * 2 : 16;
        int32_t *labels = mini_realloc(u->labels, cap * sizeof(int32_t));
        if (!labels)
            return false;
        u->labels = labels;
        u->caplabels = cap;
    }
    u->labels[u->nlabels] = -1;
    *label = (int)u->nlabels++;
    return true;
}

// The next instruction emitted is where [label] jumps to.
static void bind_label(Compiler *c, int label) { c->u->labels[label] = (int32_t)c->u->ncode; }

// A jump instruction to [label] (resolved by assemble).
static bool emit_jump(Compiler *c, Opcode op, int label) { return emit(c, op, label); }

// An unconditional jump: JUMP_BACKWARD when the label is already bound (a loop's top: the
// eval loop's check point), JUMP_FORWARD otherwise.
static bool emit_goto(Compiler *c, int label) {
    Opcode op = c->u->labels[label] >= 0 ? OP_JUMP_BACKWARD : OP_JUMP_FORWARD;
    return emit(c, op, label);
}

// ---------------------------------------------------------------------------------------------
// Assembling a code object
// ---------------------------------------------------------------------------------------------

// How [op] changes the depth of the value stack, when it jumps ([jump]) or when it goes on
// to the next instruction. Mirrors the stack effects written in opcodes.def.
static int stack_effect(Opcode op, uint32_t arg, bool jump) {
    int n = (int)arg;
    switch (op) {
    case OP_NOP:
    case OP_ROT_TWO:
    case OP_ROT_THREE:
    case OP_ROT_FOUR:
    case OP_UNARY_POSITIVE:
    case OP_UNARY_NEGATIVE:
    case OP_UNARY_NOT:
    case OP_UNARY_INVERT:
    case OP_DELETE_FAST:
    case OP_DELETE_GLOBAL:
    case OP_DELETE_NAME:
    case OP_DELETE_DEREF:
    case OP_LOAD_ATTR:
    case OP_RESUME:
    case OP_YIELD_VALUE:
    case OP_GET_YIELD_FROM_ITER:
    case OP_GET_AWAITABLE:
    case OP_GET_AITER:
    case OP_SETUP_ASYNC_WITH: // exit res -- exit res, or at the handler: exit exc
    case OP_JUMP_FORWARD:
    case OP_JUMP_BACKWARD:
    case OP_GET_ITER:
    case OP_LIST_TO_TUPLE:
    case OP_POP_BLOCK:
    case OP_POP_EXCEPT:
    case OP_SETUP_ANNOTATIONS:
        return 0;
    case OP_POP_TOP:
    case OP_BINARY_OP:
    case OP_COMPARE_OP:
    case OP_IS_OP:
    case OP_CONTAINS_OP:
    case OP_BINARY_SUBSCR:
    case OP_STORE_FAST:
    case OP_STORE_GLOBAL:
    case OP_STORE_NAME:
    case OP_STORE_DEREF:
    case OP_DELETE_ATTR:
    case OP_RETURN_VALUE:
    case OP_YIELD_FROM:
    case OP_POP_JUMP_IF_FALSE:
    case OP_POP_JUMP_IF_TRUE:
    case OP_LIST_APPEND:
    case OP_SET_ADD:
    case OP_LIST_EXTEND:
    case OP_SET_UPDATE:
    case OP_DICT_UPDATE:
    case OP_DICT_MERGE:
    case OP_RERAISE:
    case OP_WITH_EXIT:
    case OP_IMPORT_NAME:
    case OP_IMPORT_STAR:
    case OP_PRINT_EXPR:
        return -1;
    case OP_DUP_TOP:
    case OP_LOAD_CONST:
    case OP_LOAD_FAST:
    case OP_LOAD_GLOBAL:
    case OP_LOAD_NAME:
    case OP_LOAD_DEREF:
    case OP_LOAD_CLOSURE:
    case OP_LOAD_CLASSDEREF:
    case OP_LOAD_METHOD:
    case OP_LOAD_ASSERTION_ERROR:
    case OP_LOAD_BUILD_CLASS:
    case OP_WITH_EXCEPT_START:
    case OP_GET_ANEXT:
    case OP_BEFORE_ASYNC_WITH:
    case OP_IMPORT_FROM:
    case OP_SETUP_WITH: // mgr -- exit enter_result, or at the handler: exit exc
        return 1;
    case OP_DUP_TOP_TWO:
        return 2;
    case OP_STORE_ATTR:
    case OP_DELETE_SUBSCR:
    case OP_MAP_ADD:
    case OP_JUMP_IF_NOT_EXC_MATCH:
    case OP_END_ASYNC_FOR:
        return -2;
    case OP_STORE_SUBSCR:
        return -3;
    case OP_BUILD_SLICE:
    case OP_BUILD_TUPLE:
    case OP_BUILD_LIST:
    case OP_BUILD_SET:
    case OP_BUILD_STRING:
        return 1 - n;
    case OP_BUILD_MAP:
        return 1 - 2 * n;
    case OP_BUILD_CONST_KEY_MAP:
        return -n;
    case OP_CALL_FUNCTION:
        return -n;
    case OP_CALL_FUNCTION_KW:
    case OP_CALL_METHOD:
        return -n - 1;
    case OP_CALL_METHOD_KW:
        return -n - 2;
    case OP_CALL_FUNCTION_EX:
        return -1 - (n & 1);
    case OP_MAKE_FUNCTION:
        return -1 - ((n & MKFN_DEFAULTS) != 0) - ((n & MKFN_KWDEFAULTS) != 0) -
               ((n & MKFN_ANNOTATIONS) != 0) - ((n & MKFN_CLOSURE) != 0);
    case OP_JUMP_IF_FALSE_OR_POP:
    case OP_JUMP_IF_TRUE_OR_POP:
        return jump ? 0 : -1;
    case OP_FOR_ITER:
        return jump ? -1 : 1;
    case OP_UNPACK_SEQUENCE:
        return n - 1;
    case OP_UNPACK_EX:
        return (n & 0xff) + (n >> 8);
    case OP_FORMAT_VALUE:
        return (n & 4) ? -1 : 0;
    case OP_SETUP_FINALLY: // the handler starts with the exception pushed
        return jump ? 1 : 0;
    case OP_RAISE_VARARGS:
        return -n;
    default:
        return 0;
    }
}

// True for instructions after which execution never goes on to the next one.
static bool ends_flow(Opcode op) {
    return op == OP_JUMP_FORWARD || op == OP_JUMP_BACKWARD || op == OP_RETURN_VALUE ||
           op == OP_RERAISE || op == OP_RAISE_VARARGS;
}

// Replaces every jump's label by the instruction index the label was bound to.
static bool resolve_jumps(Unit *u) {
    for (size_t i = 0; i < u->ncode; i++) {
        Opcode op = (Opcode)INSTR_OP(u->code[i]);
        if (opcode_argkinds[op] != ARG_JUMP)
            continue;
        uint32_t label = INSTR_ARG(u->code[i]);
        if (label >= u->nlabels || u->labels[label] < 0)
            return internal_error("jump to an unbound label");
        uint32_t target = (uint32_t)u->labels[label];
        bool backward = target <= i;
        if (backward != (op == OP_JUMP_BACKWARD))
            return internal_error("jump in the wrong direction");
        u->code[i] = INSTR(op, target);
    }
    return true;
}

// Records that the instruction at [i] is reached with [d] values on the stack; queues it
// the first time. False if another path reaches it with a different depth.
static bool reach(int *depth, size_t *work, size_t *nwork, size_t i, int d) {
    if (depth[i] < 0) {
        depth[i] = d;
        work[(*nwork)++] = i;
        return true;
    }
    return depth[i] == d;
}

// The most values the stack of the unit's code ever holds, found by following every path
// (fall-through and jumps) from the first instruction. -1 with an exception if the code is
// inconsistent, which would be a compiler bug.
static int stack_depth(Unit *u) {
    size_t n = u->ncode;
    int *depth = mini_malloc(n * sizeof(int));
    size_t *work = mini_malloc(n * sizeof(size_t));
    if (!depth || !work) {
        mini_free(depth);
        mini_free(work);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        depth[i] = -1;
    size_t nwork = 0;
    int maxdepth = 0;
    bool ok = n == 0 || reach(depth, work, &nwork, 0, 0);
    while (ok && nwork > 0) {
        size_t i = work[--nwork];
        int d = depth[i];
        for (;;) {
            Opcode op = (Opcode)INSTR_OP(u->code[i]);
            uint32_t arg = INSTR_ARG(u->code[i]);
            if (opcode_argkinds[op] == ARG_JUMP) {
                int dj = d + stack_effect(op, arg, true);
                if (dj > maxdepth)
                    maxdepth = dj;
                if (arg >= n || dj < 0 || !reach(depth, work, &nwork, arg, dj)) {
                    ok = false;
                    break;
                }
            }
            d += stack_effect(op, arg, false);
            if (d < 0) {
                ok = false;
                break;
            }
            if (d > maxdepth)
                maxdepth = d;
            if (ends_flow(op) || i + 1 >= n)
                break;
            i++;
            if (depth[i] >= 0) {
                ok = depth[i] == d;
                break;
            }
            depth[i] = d;
        }
    }
    mini_free(depth);
    mini_free(work);
    if (!ok) {
        internal_error("inconsistent stack depth");
        return -1;
    }
    return maxdepth;
}

// True if execution can run past the last instruction emitted so far: the code does not end
// with a return, raise or jump, or some jump targets the end.
static bool falls_off_end(const Unit *u) {
    if (u->ncode == 0 || !ends_flow((Opcode)INSTR_OP(u->code[u->ncode - 1])))
        return true;
    for (size_t i = 0; i < u->nlabels; i++)
        if (u->labels[i] == (int32_t)u->ncode)
            return true;
    return false;
}

// Finishes the current unit: with [add_return], appends `return None` first when execution
// can reach the end. Returns the immortal code object, or NULL with an exception. The unit
// stays current (exit_unit pops it).
static CodeObject *assemble(Compiler *c, bool add_return) {
    Unit *u = c->u;
    if (add_return && falls_off_end(u) &&
        (!emit_const(c, MINI_NONE) || !emit_op(c, OP_RETURN_VALUE)))
        return NULL;
    if (!resolve_jumps(u))
        return NULL;
    int stacksize = stack_depth(u);
    if (stacksize < 0)
        return NULL;
    MiniObject *consts = list_as_tuple(u->consts);
    MiniObject *names = list_as_tuple(u->names);
    MiniObject *varnames = list_as_tuple(u->varnames);
    MiniObject *cellvars = list_as_tuple(u->cellvars);
    MiniObject *freevars = list_as_tuple(u->freevars);
    CodeObject *co = NULL;
    if (consts && names && varnames && cellvars && freevars) {
        int flags = u->flags;
        if (u->scope->kind != SCOPE_FUNCTION)
            flags |= CO_MODULE;
        if (u->scope->kind == SCOPE_FUNCTION && u->scope->generator && !(flags & CO_COROUTINE))
            flags |= CO_GENERATOR;
        if (u->scope->nested)
            flags |= CO_NESTED;
        if (LIST_SIZE(u->cellvars) == 0 && LIST_SIZE(u->freevars) == 0)
            flags |= CO_NOFREE;
        co = code_new(u->code, u->lines, u->ncode, consts, names, varnames, cellvars, freevars,
                      u->argcount, u->posonlyargcount, u->kwonlyargcount, stacksize, flags,
                      u->firstlineno, u->name, u->qualname, c->filename);
        // code_new owns the arrays now, whether it succeeded or not.
        u->code = u->lines = NULL;
        u->ncode = u->capcode = 0;
    }
    MINI_XDECREF(consts);
    MINI_XDECREF(names);
    MINI_XDECREF(varnames);
    MINI_XDECREF(cellvars);
    MINI_XDECREF(freevars);
    return co;
}

// ---------------------------------------------------------------------------------------------
// Units
// ---------------------------------------------------------------------------------------------

static void unit_free(Unit *u) {
    mini_free(u->code);
    mini_free(u->lines);
    mini_free(u->labels);
    MINI_XDECREF(u->consts);
    MINI_XDECREF(u->const_index);
    MINI_XDECREF(u->names);
    MINI_XDECREF(u->name_index);
    MINI_XDECREF(u->varnames);
    MINI_XDECREF(u->var_index);
    MINI_XDECREF(u->cellvars);
    MINI_XDECREF(u->cell_index);
    MINI_XDECREF(u->freevars);
    MINI_XDECREF(u->free_index);
    MINI_XDECREF(u->name);
    MINI_XDECREF(u->qualname);
    mini_free(u);
}

static bool add_var(MiniObject *list, MiniObject *map, MiniObject *name) {
    return table_index(list, map, name, name) >= 0;
}

// Lays out the unit's variables from its scope: the parameters first (CPython's order), then
// the other fast locals of a function; the cells (the implicit __class__ first); the free
// variables, including those a class body only passes through to its methods.
static bool unit_init_vars(Unit *u) {
    SymScope *s = u->scope;
    for (size_t i = 0; i < LIST_SIZE(s->params); i++)
        TRY(add_var(u->varnames, u->var_index, LIST_GET(s->params, i)));
    if (s->needs_class_closure)
        TRY(add_var(u->cellvars, u->cell_index, MINI_ID(__class__)));
    size_t pos = 0;
    MiniObject *name, *v;
    while (dict_next(s->symbols, &pos, &name, &v)) {
        int flags = (int)MINI_SMALLINT_VALUE(v);
        Binding b = (Binding)((flags >> BIND_SHIFT) & BIND_MASK);
        if (b == BIND_LOCAL && s->kind == SCOPE_FUNCTION && !(flags & DEF_PARAM))
            TRY(add_var(u->varnames, u->var_index, name));
        if (b == BIND_CELL)
            TRY(add_var(u->cellvars, u->cell_index, name));
        if (b == BIND_FREE || (flags & DEF_FREE_CLASS))
            TRY(add_var(u->freevars, u->free_index, name));
    }
    return true;
}

// The __qualname__ of a new unit [name] of [kind] inside the current unit, by CPython's rules:
// `f`, `A.m`, `f.<locals>.g`, `f.<locals>.<lambda>`; a function declared global in its
// enclosing scope is named as if at top level. New reference.
static MiniObject *make_qualname(Compiler *c, UnitKind kind, MiniObject *name) {
    Unit *parent = c->u;
    if (!parent || parent->kind == UNIT_MODULE)
        return mini_newref(name);
    if (kind == UNIT_FUNCTION || kind == UNIT_CLASS) {
        MiniObject *mangled = symtable_mangle(parent->private_name, name);
        if (!mangled)
            return NULL;
        if (symtable_binding(parent->scope, mangled) == BIND_GLOBAL_EXPLICIT)
            return mini_newref(name);
    }
    if (parent->kind == UNIT_FUNCTION || parent->kind == UNIT_LAMBDA)
        return str_from_format("%U.<locals>.%U", parent->qualname, name);
    return str_from_format("%U.%U", parent->qualname, name);
}

// Starts compiling a new code object for [scope] and makes it the current unit; the first
// instruction is RESUME. On failure the half-made unit is freed.
static bool enter_unit(Compiler *c, SymScope *scope, UnitKind kind, MiniObject *name,
                       int firstlineno) {
    if (!scope)
        return internal_error("no symbol table entry for a block");
    Unit *u = mini_calloc(1, sizeof(Unit));
    if (!u)
        return false;
    u->scope = scope;
    u->kind = kind;
    u->name = mini_newref(name);
    u->qualname = make_qualname(c, kind, name);
    u->private_name = c->u ? c->u->private_name : NULL;
    u->consts = list_new(0);
    u->const_index = dict_new();
    u->names = list_new(0);
    u->name_index = dict_new();
    u->varnames = list_new(0);
    u->var_index = dict_new();
    u->cellvars = list_new(0);
    u->cell_index = dict_new();
    u->freevars = list_new(0);
    u->free_index = dict_new();
    u->firstlineno = firstlineno;
    u->line = firstlineno;
    if (!u->qualname || !u->consts || !u->const_index || !u->names || !u->name_index ||
        !u->varnames || !u->var_index || !u->cellvars || !u->cell_index || !u->freevars ||
        !u->free_index || !unit_init_vars(u)) {
        unit_free(u);
        return false;
    }
    u->parent = c->u;
    c->u = u;
    return emit_op(c, OP_RESUME);
}

static void exit_unit(Compiler *c) {
    Unit *u = c->u;
    c->u = u->parent;
    unit_free(u);
}

// ---------------------------------------------------------------------------------------------
// Frame blocks: what break, continue and return unwind
// ---------------------------------------------------------------------------------------------

static bool push_fblock(Compiler *c, FBlockKind kind, int top, int exit,
                        const StmtList *finalbody, MiniObject *name) {
    Unit *u = c->u;
    if (u->nfblocks >= MINI_MAX_BLOCKS)
        return compile_error(c, "too many statically nested blocks");
    FBlock *fb = &u->fblocks[u->nfblocks++];
    fb->kind = kind;
    fb->top = top;
    fb->exit = exit;
    fb->finalbody = finalbody;
    fb->name = name;
    return true;
}

static void pop_fblock(Compiler *c) { c->u->nfblocks--; }

static bool visit_stmts(Compiler *c, const StmtList *body, size_t first);
static bool visit_expr(Compiler *c, Expr *e);
static bool visit_nameop(Compiler *c, MiniObject *name, ExprContext ctx);

// Awaits the awaitable on top of the stack: o -- result. [where] is GET_AWAITABLE's
// argument: 0 for `await`, 1 for the result of __aenter__, 2 for that of __aexit__ (it only
// chooses the error message).
static bool emit_await(Compiler *c, int where) {
    return emit(c, OP_GET_AWAITABLE, where) && emit_const(c, MINI_NONE) &&
           emit_op(c, OP_YIELD_FROM);
}

// The normal exit of an async with: exit -- , awaiting exit(None, None, None).
static bool emit_async_exit(Compiler *c) {
    return emit_const(c, MINI_NONE) && emit_const(c, MINI_NONE) && emit_const(c, MINI_NONE) &&
           emit(c, OP_CALL_FUNCTION, 3) && emit_await(c, 2) && emit_op(c, OP_POP_TOP);
}

// Emits what leaving block [fb] early takes. With [preserve_tos] a value (the one being
// returned) sits on top of the stack and must stay there.
static bool unwind_fblock(Compiler *c, const FBlock *fb, bool preserve_tos) {
    switch (fb->kind) {
    case FB_WHILE_LOOP:
    case FB_EXCEPTION_HANDLER:
        return true;
    case FB_FOR_LOOP:
        // Drop the iterator: ... it [v] -- ... [v]
        if (preserve_tos)
            TRY(emit_op(c, OP_ROT_TWO));
        return emit_op(c, OP_POP_TOP);
    case FB_TRY_EXCEPT:
        return emit_op(c, OP_POP_BLOCK);
    case FB_FINALLY_TRY:
        // Run a copy of the finally body; a return inside it must drop our value first.
        TRY(emit_op(c, OP_POP_BLOCK));
        if (preserve_tos)
            TRY(push_fblock(c, FB_POP_VALUE, -1, -1, NULL, NULL));
        TRY(visit_stmts(c, fb->finalbody, 0));
        if (preserve_tos)
            pop_fblock(c);
        return true;
    case FB_FINALLY_END:
        // The finally body of an exception: drop the exception, end its handler block.
        if (preserve_tos)
            TRY(emit_op(c, OP_ROT_TWO));
        return emit_op(c, OP_POP_TOP) && emit_op(c, OP_POP_EXCEPT);
    case FB_WITH:
        // ... exit [v] -- ... [v], calling exit(None, None, None).
        TRY(emit_op(c, OP_POP_BLOCK));
        if (preserve_tos)
            TRY(emit_op(c, OP_ROT_TWO));
        return emit_op(c, OP_WITH_EXIT);
    case FB_ASYNC_WITH:
        // ... exit [v] -- ... [v], awaiting exit(None, None, None).
        TRY(emit_op(c, OP_POP_BLOCK));
        if (preserve_tos)
            TRY(emit_op(c, OP_ROT_TWO));
        return emit_async_exit(c);
    case FB_HANDLER_CLEANUP:
        // The handled exception is already off the value stack; end the handler and, for
        // `except E as name`, leave the cleanup block and unbind the name.
        if (fb->name)
            TRY(emit_op(c, OP_POP_BLOCK));
        TRY(emit_op(c, OP_POP_EXCEPT));
        if (fb->name)
            return emit_const(c, MINI_NONE) && visit_nameop(c, fb->name, CTX_STORE) &&
                   visit_nameop(c, fb->name, CTX_DEL);
        return true;
    case FB_POP_VALUE:
        if (preserve_tos)
            TRY(emit_op(c, OP_ROT_TWO));
        return emit_op(c, OP_POP_TOP);
    }
    return true;
}

// Unwinds every block, innermost first, up to the innermost loop when [loop] is given (then
// *loop is that loop, or stays NULL if there is none). Each block is popped while its exit
// code is emitted, so that a finally body inlined here does not run itself again.
static bool unwind_fblock_stack(Compiler *c, bool preserve_tos, FBlock **loop) {
    Unit *u = c->u;
    if (u->nfblocks == 0)
        return true;
    FBlock *top = &u->fblocks[u->nfblocks - 1];
    if (loop && (top->kind == FB_WHILE_LOOP || top->kind == FB_FOR_LOOP)) {
        *loop = top;
        return true;
    }
    FBlock copy = *top;
    u->nfblocks--;
    bool ok = unwind_fblock(c, &copy, preserve_tos) && unwind_fblock_stack(c, preserve_tos, loop);
    u->fblocks[u->nfblocks] = copy;
    u->nfblocks++;
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

static bool check_debug_name(Compiler *c, const char *name, ExprContext ctx) {
    if (ctx != CTX_LOAD && strcmp(name, "__debug__") == 0)
        return compile_error(c, ctx == CTX_DEL ? "cannot delete __debug__"
                                               : "cannot assign to __debug__");
    return true;
}

// Loads, stores or deletes the variable [name] with the opcode its binding calls for.
static bool visit_nameop(Compiler *c, MiniObject *name, ExprContext ctx) {
    Unit *u = c->u;
    TRY(check_debug_name(c, STR_DATA(name), ctx));
    MiniObject *mangled = symtable_mangle(u->private_name, name);
    if (!mangled)
        return false;
    bool function = u->scope->kind == SCOPE_FUNCTION;
    int64_t index;
    switch (symtable_binding(u->scope, mangled)) {
    case BIND_FREE:
        index = table_lookup(u->free_index, mangled);
        if (index < 0)
            return internal_error("free variable without a slot");
        index += (int64_t)LIST_SIZE(u->cellvars);
        goto deref;
    case BIND_CELL:
        index = table_lookup(u->cell_index, mangled);
        if (index < 0)
            return internal_error("cell variable without a slot");
    deref:
        if (ctx == CTX_LOAD)
            return emit(c, u->scope->kind == SCOPE_CLASS ? OP_LOAD_CLASSDEREF : OP_LOAD_DEREF,
                        index);
        return emit(c, ctx == CTX_STORE ? OP_STORE_DEREF : OP_DELETE_DEREF, index);
    case BIND_LOCAL:
        if (!function)
            break;
        index = table_lookup(u->var_index, mangled);
        if (index < 0)
            return internal_error("local variable without a slot");
        return emit(c, ctx == CTX_LOAD    ? OP_LOAD_FAST
                       : ctx == CTX_STORE ? OP_STORE_FAST
                                          : OP_DELETE_FAST,
                    index);
    case BIND_GLOBAL_IMPLICIT:
        if (!function)
            break;
        // fall through
    case BIND_GLOBAL_EXPLICIT:
        return emit_name(c, ctx == CTX_LOAD    ? OP_LOAD_GLOBAL
                            : ctx == CTX_STORE ? OP_STORE_GLOBAL
                                               : OP_DELETE_GLOBAL,
                         name);
    case BIND_NONE:
        break;
    }
    return emit_name(c, ctx == CTX_LOAD    ? OP_LOAD_NAME
                        : ctx == CTX_STORE ? OP_STORE_NAME
                                           : OP_DELETE_NAME,
                     name);
}

// ---------------------------------------------------------------------------------------------
// Constants known at compile time
// ---------------------------------------------------------------------------------------------

// The value of [e] if it is a constant: a literal, a negated number literal, or a tuple of
// constants (CPython's AST optimizer folds those). 1 with a new reference in *out, 0 if [e]
// is not constant, -1 with an exception.
static int const_value(Expr *e, MiniObject **out) {
    switch (e->kind) {
    case EXPR_CONSTANT:
        *out = mini_newref(e->u.constant.value);
        return 1;
    case EXPR_UNARYOP: {
        Expr *operand = e->u.unaryop.operand;
        if (e->u.unaryop.op != UNARY_MINUS || operand->kind != EXPR_CONSTANT)
            return 0;
        MiniObject *v = operand->u.constant.value;
        if (!int_check_exact(v) && mini_type(v) != &mini_float_type)
            return 0;
        MiniObject *r = mini_neg(v);
        if (!r) {
            mini_error_clear(); // leave it to run time
            return 0;
        }
        *out = r;
        return 1;
    }
    case EXPR_TUPLE: {
        if (e->u.list.ctx != CTX_LOAD)
            return 0;
        size_t n = e->u.list.elts.count;
        MiniObject *t = tuple_new(n);
        if (!t)
            return -1;
        for (size_t i = 0; i < n; i++) {
            MiniObject *item = NULL;
            int r = const_value(e->u.list.elts.items[i], &item);
            if (r <= 0) {
                for (size_t j = i; j < n; j++)
                    TUPLE_ITEMS(t)[j] = MINI_NONE;
                MINI_DECREF(t);
                return r;
            }
            TUPLE_ITEMS(t)[i] = item;
        }
        *out = t;
        return 1;
    }
    default:
        return 0;
    }
}

// The constant values of items [begin, end) of [l] as a tuple, if all are constant.
// 1 with a new tuple in *out, 0 if some item is not constant, -1 with an exception.
static int const_tuple(const ExprList *l, size_t begin, size_t end, MiniObject **out) {
    MiniObject *t = tuple_new(end - begin);
    if (!t)
        return -1;
    for (size_t i = begin; i < end; i++) {
        MiniObject *item = NULL;
        int r = const_value(l->items[i], &item);
        if (r <= 0) {
            for (size_t j = i; j < end; j++)
                TUPLE_ITEMS(t)[j - begin] = MINI_NONE;
            MINI_DECREF(t);
            return r;
        }
        TUPLE_ITEMS(t)[i - begin] = item;
    }
    *out = t;
    return 1;
}

// LOAD_CONST of a value the caller made (a new reference it hands over).
static bool emit_const_new(Compiler *c, MiniObject *v) {
    if (!v)
        return false;
    bool ok = emit_const(c, v);
    MINI_DECREF(v);
    return ok;
}

// A tuple of the interned strs [names[0..n)]. New reference.
static MiniObject *name_tuple(const char *const *names, size_t n) {
    MiniObject *t = tuple_new(n);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        TUPLE_ITEMS(t)[i] = MINI_NONE;
    for (size_t i = 0; i < n; i++) {
        MiniObject *s = mini_intern(names[i]);
        if (!s) {
            MINI_DECREF(t);
            return NULL;
        }
        TUPLE_ITEMS(t)[i] = mini_newref(s);
    }
    return t;
}

static bool is_str_constant(const Expr *e) {
    return e->kind == EXPR_CONSTANT && str_check(e->u.constant.value);
}

// The docstring of a body: its first statement, if that is a string literal.
static Expr *docstring_of(const StmtList *body) {
    if (body->count == 0)
        return NULL;
    Stmt *s = body->items[0];
    if (s->kind == STMT_EXPR && is_str_constant(s->u.expr.value))
        return s->u.expr.value;
    return NULL;
}

// ---------------------------------------------------------------------------------------------
// Building sequences, calls and displays
// ---------------------------------------------------------------------------------------------

// Builds a list, set or tuple from [elts] on top of [pushed] values already on the stack,
// CPython's starunpack_helper: items are pushed and built at once (BUILD_LIST n) unless
// there are starred items or very many, in which case the container is built first and
// extended item by item; three or more constants become one constant tuple.
static bool starunpack(Compiler *c, const ExprList *elts, int pushed, Opcode build, Opcode add,
                       Opcode extend, bool tuple) {
    size_t n = elts->count;
    if (n > 2) {
        MiniObject *folded = NULL;
        int r = const_tuple(elts, 0, n, &folded);
        if (r < 0)
            return false;
        if (r > 0) {
            if (tuple && pushed == 0)
                return emit_const_new(c, folded);
            // build(pushed); extend with the constant tuple; [LIST_TO_TUPLE]
            bool ok = emit(c, build, pushed) && emit_const(c, folded) && emit(c, extend, 1) &&
                      (!tuple || emit_op(c, OP_LIST_TO_TUPLE));
            MINI_DECREF(folded);
            return ok;
        }
    }
    bool big = n + (size_t)pushed > STACK_USE_GUIDELINE;
    bool seen_star = false;
    for (size_t i = 0; i < n; i++)
        if (elts->items[i]->kind == EXPR_STARRED)
            seen_star = true;
    if (!seen_star && !big) {
        for (size_t i = 0; i < n; i++)
            TRY(visit_expr(c, elts->items[i]));
        return emit(c, tuple ? OP_BUILD_TUPLE : build, (int64_t)n + pushed);
    }
    bool built = false;
    if (big) {
        TRY(emit(c, build, pushed));
        built = true;
    }
    for (size_t i = 0; i < n; i++) {
        Expr *elt = elts->items[i];
        if (elt->kind == EXPR_STARRED) {
            if (!built) {
                TRY(emit(c, build, (int64_t)i + pushed));
                built = true;
            }
            TRY(visit_expr(c, elt->u.starred.value));
            TRY(emit(c, extend, 1));
        } else {
            TRY(visit_expr(c, elt));
            if (built)
                TRY(emit(c, add, 1));
        }
    }
    return !tuple || emit_op(c, OP_LIST_TO_TUPLE);
}

// The keyword names of keywords [begin, end) as a constant tuple. New reference.
static MiniObject *kwnames_tuple(const KeywordList *kws, size_t begin, size_t end) {
    const char **names = mini_malloc((end - begin + 1) * sizeof(char *));
    if (!names)
        return NULL;
    for (size_t i = begin; i < end; i++)
        names[i - begin] = kws->items[i].arg;
    MiniObject *t = name_tuple(names, end - begin);
    mini_free(names);
    return t;
}

// Pushes a dict of the keyword arguments [begin, end) (none of them `**`).
static bool visit_subkwargs(Compiler *c, const KeywordList *kws, size_t begin, size_t end) {
    size_t n = end - begin;
    bool big = n * 2 > STACK_USE_GUIDELINE;
    if (n > 1 && !big) {
        // v1 .. vn ('k1', ..., 'kn') -- dict
        for (size_t i = begin; i < end; i++)
            TRY(visit_expr(c, kws->items[i].value));
        return emit_const_new(c, kwnames_tuple(kws, begin, end)) &&
               emit(c, OP_BUILD_CONST_KEY_MAP, (int64_t)n);
    }
    if (big)
        TRY(emit(c, OP_BUILD_MAP, 0));
    for (size_t i = begin; i < end; i++) {
        MiniObject *key = mini_intern(kws->items[i].arg);
        TRY(key && emit_const(c, key) && visit_expr(c, kws->items[i].value));
        if (big)
            TRY(emit(c, OP_MAP_ADD, 1));
    }
    return big || emit(c, OP_BUILD_MAP, (int64_t)n);
}

// Compiles the arguments of a call whose callable (and [pushed] first arguments: a class
// statement's body function and name) are already on the stack, then the call.
static bool visit_call_helper(Compiler *c, int pushed, const ExprList *args,
                              const KeywordList *kws) {
    size_t nargs = args->count, nkw = kws->count;
    bool ex = nargs + nkw * 2 > STACK_USE_GUIDELINE;
    for (size_t i = 0; i < nargs; i++)
        if (args->items[i]->kind == EXPR_STARRED)
            ex = true;
    for (size_t i = 0; i < nkw; i++)
        if (!kws->items[i].arg)
            ex = true;

    if (!ex) {
        // f a1 .. an [k1 .. km ('k1', ..., 'km')] -- result
        for (size_t i = 0; i < nargs; i++)
            TRY(visit_expr(c, args->items[i]));
        if (nkw == 0)
            return emit(c, OP_CALL_FUNCTION, (int64_t)(pushed + nargs));
        for (size_t i = 0; i < nkw; i++)
            TRY(visit_expr(c, kws->items[i].value));
        return emit_const_new(c, kwnames_tuple(kws, 0, nkw)) &&
               emit(c, OP_CALL_FUNCTION_KW, (int64_t)(pushed + nargs + nkw));
    }

    // f args-tuple [kwargs-dict] -- result. A lone `*x` is passed as it is: CALL_FUNCTION_EX
    // makes the tuple, with the call's own error message for a non-iterable.
    if (pushed == 0 && nargs == 1 && args->items[0]->kind == EXPR_STARRED)
        TRY(visit_expr(c, args->items[0]->u.starred.value));
    else
        TRY(starunpack(c, args, pushed, OP_BUILD_LIST, OP_LIST_APPEND, OP_LIST_EXTEND, true));
    if (nkw > 0) {
        // Runs of plain keywords become dicts merged with each `**m` in order (DICT_MERGE
        // rejects repeated names).
        bool have_dict = false;
        size_t nseen = 0;
        for (size_t i = 0; i < nkw; i++) {
            if (kws->items[i].arg) {
                nseen++;
                continue;
            }
            if (nseen) {
                TRY(visit_subkwargs(c, kws, i - nseen, i));
                if (have_dict)
                    TRY(emit(c, OP_DICT_MERGE, 1));
                have_dict = true;
                nseen = 0;
            }
            if (!have_dict) {
                TRY(emit(c, OP_BUILD_MAP, 0));
                have_dict = true;
            }
            TRY(visit_expr(c, kws->items[i].value));
            TRY(emit(c, OP_DICT_MERGE, 1));
        }
        if (nseen) {
            TRY(visit_subkwargs(c, kws, nkw - nseen, nkw));
            if (have_dict)
                TRY(emit(c, OP_DICT_MERGE, 1));
        }
    }
    return emit(c, OP_CALL_FUNCTION_EX, nkw > 0);
}

// `o.m(args)` without * or **: LOAD_METHOD + CALL_METHOD avoid making a bound method.
// 1 if compiled, 0 on error, -1 if the call does not qualify.
static int visit_method_call(Compiler *c, Expr *e) {
    Expr *meth = e->u.call.func;
    const ExprList *args = &e->u.call.args;
    const KeywordList *kws = &e->u.call.keywords;
    if (meth->kind != EXPR_ATTRIBUTE || meth->u.attribute.ctx != CTX_LOAD)
        return -1;
    size_t nargs = args->count, nkw = kws->count;
    if (nargs + nkw + (nkw != 0) >= STACK_USE_GUIDELINE)
        return -1;
    for (size_t i = 0; i < nargs; i++)
        if (args->items[i]->kind == EXPR_STARRED)
            return -1;
    for (size_t i = 0; i < nkw; i++)
        if (!kws->items[i].arg)
            return -1;
    // o -- meth self; meth self a1 .. an [k1 .. km kwnames] -- result
    // LOAD_METHOD and the arguments carry the line where the attribute name ends (a traceback
    // of `obj\n.method()` points at the method), the call the line of the call itself.
    Unit *u = c->u;
    MiniObject *attr = mini_intern(meth->u.attribute.attr);
    if (!attr || !visit_expr(c, meth->u.attribute.value))
        return 0;
    int line = u->line;
    u->line = meth->pos.end_line > 0 ? meth->pos.end_line : line;
    if (!emit_name(c, OP_LOAD_METHOD, attr))
        return 0;
    for (size_t i = 0; i < nargs; i++)
        if (!visit_expr(c, args->items[i]))
            return 0;
    if (nkw == 0) {
        u->line = line;
        return emit(c, OP_CALL_METHOD, (int64_t)nargs);
    }
    for (size_t i = 0; i < nkw; i++)
        if (!visit_expr(c, kws->items[i].value))
            return 0;
    if (!emit_const_new(c, kwnames_tuple(kws, 0, nkw)))
        return 0;
    u->line = line;
    return emit(c, OP_CALL_METHOD_KW, (int64_t)(nargs + nkw));
}

static bool visit_call(Compiler *c, Expr *e) {
    int r = visit_method_call(c, e);
    if (r >= 0)
        return r == 1;
    return visit_expr(c, e->u.call.func) &&
           visit_call_helper(c, 0, &e->u.call.args, &e->u.call.keywords);
}

// Pushes a dict of the key/value pairs [begin, end) of a dict display (no `**` among them).
static bool visit_subdict(Compiler *c, Expr *e, size_t begin, size_t end) {
    const ExprList *keys = &e->u.dict.keys, *values = &e->u.dict.values;
    size_t n = end - begin;
    bool big = n * 2 > STACK_USE_GUIDELINE;
    if (n > 1 && !big) {
        MiniObject *folded = NULL;
        int r = const_tuple(keys, begin, end, &folded);
        if (r < 0)
            return false;
        if (r > 0) {
            // v1 .. vn (k1, ..., kn) -- dict
            bool ok = true;
            for (size_t i = begin; ok && i < end; i++)
                ok = visit_expr(c, values->items[i]);
            ok = ok && emit_const(c, folded) && emit(c, OP_BUILD_CONST_KEY_MAP, (int64_t)n);
            MINI_DECREF(folded);
            return ok;
        }
    }
    if (big)
        TRY(emit(c, OP_BUILD_MAP, 0));
    for (size_t i = begin; i < end; i++) {
        // Keys are evaluated before their values.
        TRY(visit_expr(c, keys->items[i]) && visit_expr(c, values->items[i]));
        if (big)
            TRY(emit(c, OP_MAP_ADD, 1));
    }
    return big || emit(c, OP_BUILD_MAP, (int64_t)n);
}

// {k: v, **m, ...}: runs of pairs become dicts, merged in order with DICT_UPDATE.
static bool visit_dict(Compiler *c, Expr *e) {
    size_t n = e->u.dict.values.count;
    size_t elements = 0;
    bool have_dict = false;
    for (size_t i = 0; i < n; i++) {
        if (e->u.dict.keys.items[i] == NULL) {
            if (elements) {
                TRY(visit_subdict(c, e, i - elements, i));
                if (have_dict)
                    TRY(emit(c, OP_DICT_UPDATE, 1));
                have_dict = true;
                elements = 0;
            }
            if (!have_dict) {
                TRY(emit(c, OP_BUILD_MAP, 0));
                have_dict = true;
            }
            TRY(visit_expr(c, e->u.dict.values.items[i]));
            TRY(emit(c, OP_DICT_UPDATE, 1));
        } else if (elements * 2 > STACK_USE_GUIDELINE) {
            TRY(visit_subdict(c, e, i - elements, i + 1));
            if (have_dict)
                TRY(emit(c, OP_DICT_UPDATE, 1));
            have_dict = true;
            elements = 0;
        } else {
            elements++;
        }
    }
    if (elements) {
        TRY(visit_subdict(c, e, n - elements, n));
        if (have_dict)
            TRY(emit(c, OP_DICT_UPDATE, 1));
        have_dict = true;
    }
    return have_dict || emit(c, OP_BUILD_MAP, 0);
}

// ---------------------------------------------------------------------------------------------
// Functions, lambdas, classes, comprehensions
// ---------------------------------------------------------------------------------------------

// Pushes the function object for [co]: its closure (the cells of the variables it uses from
// here), then code and qualname, and MAKE_FUNCTION with [flags] (the optional parts the
// caller already pushed).
static bool make_closure(Compiler *c, CodeObject *co, int flags) {
    Unit *u = c->u;
    size_t nfree = TUPLE_SIZE(co->freevars);
    if (nfree > 0) {
        for (size_t i = 0; i < nfree; i++) {
            MiniObject *name = TUPLE_GET(co->freevars, i);
            int64_t index = table_lookup(u->cell_index, name);
            if (index < 0) {
                index = table_lookup(u->free_index, name);
                if (index < 0)
                    return internal_error("closure variable not found in the enclosing scope");
                index += (int64_t)LIST_SIZE(u->cellvars);
            }
            TRY(emit(c, OP_LOAD_CLOSURE, index));
        }
        TRY(emit(c, OP_BUILD_TUPLE, (int64_t)nfree));
        flags |= MKFN_CLOSURE;
    }
    return emit_const(c, (MiniObject *)co) && emit_const(c, co->qualname) &&
           emit(c, OP_MAKE_FUNCTION, flags);
}

static bool check_debug_args(Compiler *c, const Arguments *a) {
    const ArgList *lists[3] = {&a->posonlyargs, &a->args, &a->kwonlyargs};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < lists[k]->count; i++)
            TRY(check_debug_name(c, lists[k]->items[i].arg, CTX_STORE));
    if (a->vararg)
        TRY(check_debug_name(c, a->vararg->arg, CTX_STORE));
    if (a->kwarg)
        TRY(check_debug_name(c, a->kwarg->arg, CTX_STORE));
    return true;
}

// Pushes the defaults tuple and the keyword-only defaults dict, when there are any, and sets
// their MAKE_FUNCTION bits in *flags.
static bool visit_defaults(Compiler *c, const Arguments *a, int *flags) {
    size_t n = a->defaults.count;
    if (n > 0) {
        MiniObject *folded = NULL;
        int r = const_tuple(&a->defaults, 0, n, &folded);
        if (r < 0)
            return false;
        if (r > 0) {
            TRY(emit_const_new(c, folded));
        } else {
            for (size_t i = 0; i < n; i++)
                TRY(visit_expr(c, a->defaults.items[i]));
            TRY(emit(c, OP_BUILD_TUPLE, (int64_t)n));
        }
        *flags |= MKFN_DEFAULTS;
    }
    // v1 .. vn ('k1', ..., 'kn') -- {k1: v1, ...}
    size_t nkw = a->kwonlyargs.count < a->kw_defaults.count ? a->kwonlyargs.count
                                                            : a->kw_defaults.count;
    MiniObject *keys = list_new(0);
    if (!keys)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < nkw; i++) {
        Expr *d = a->kw_defaults.items[i];
        if (!d)
            continue;
        MiniObject *name = mini_intern(a->kwonlyargs.items[i].arg);
        MiniObject *mangled = name ? symtable_mangle(c->u->private_name, name) : NULL;
        ok = mangled && list_append(keys, mangled) == 0 && visit_expr(c, d);
    }
    if (ok && LIST_SIZE(keys) > 0) {
        ok = emit_const_new(c, list_as_tuple(keys)) &&
             emit(c, OP_BUILD_CONST_KEY_MAP, (int64_t)LIST_SIZE(keys));
        *flags |= MKFN_KWDEFAULTS;
    }
    MINI_DECREF(keys);
    return ok;
}

static bool visit_argannotation(Compiler *c, MiniObject *keys, const char *name, Expr *ann) {
    if (!ann)
        return true;
    MiniObject *id = mini_intern(name);
    MiniObject *mangled = id ? symtable_mangle(c->u->private_name, id) : NULL;
    return mangled && visit_expr(c, ann) && list_append(keys, mangled) == 0;
}

// Pushes the annotations dict {'x': ann, ..., 'return': ann} when the function has any, in
// CPython's order (args, positional-only, *args, keyword-only, **kwargs, return).
static bool visit_annotations(Compiler *c, const Arguments *a, Expr *returns, int *flags) {
    MiniObject *keys = list_new(0);
    if (!keys)
        return false;
    bool ok = true;
    const ArgList *lists[2] = {&a->args, &a->posonlyargs};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; ok && i < lists[k]->count; i++)
            ok = visit_argannotation(c, keys, lists[k]->items[i].arg,
                                     lists[k]->items[i].annotation);
    if (ok && a->vararg)
        ok = visit_argannotation(c, keys, a->vararg->arg, a->vararg->annotation);
    for (size_t i = 0; ok && i < a->kwonlyargs.count; i++)
        ok = visit_argannotation(c, keys, a->kwonlyargs.items[i].arg,
                                 a->kwonlyargs.items[i].annotation);
    if (ok && a->kwarg)
        ok = visit_argannotation(c, keys, a->kwarg->arg, a->kwarg->annotation);
    if (ok)
        ok = visit_argannotation(c, keys, "return", returns);
    if (ok && LIST_SIZE(keys) > 0) {
        ok = emit_const_new(c, list_as_tuple(keys)) &&
             emit(c, OP_BUILD_CONST_KEY_MAP, (int64_t)LIST_SIZE(keys));
        *flags |= MKFN_ANNOTATIONS;
    }
    MINI_DECREF(keys);
    return ok;
}

static void set_argcounts(Unit *u, const Arguments *a) {
    u->posonlyargcount = (int)a->posonlyargs.count;
    u->argcount = (int)(a->posonlyargs.count + a->args.count);
    u->kwonlyargcount = (int)a->kwonlyargs.count;
    if (a->vararg)
        u->flags |= CO_VARARGS;
    if (a->kwarg)
        u->flags |= CO_VARKEYWORDS;
}

// The line a decorated definition starts on (its first decorator's), as CPython counts it.
static int definition_line(const Stmt *s, const ExprList *decorators) {
    return decorators->count > 0 ? decorators->items[0]->pos.line : s->pos.line;
}

// Applies the decorators (pushed before the function, innermost last) to the function on top;
// each call carries its decorator's line, where a traceback should point.
static bool apply_decorators(Compiler *c, const ExprList *decorators) {
    Unit *u = c->u;
    int line = u->line, col = u->col;
    for (size_t i = decorators->count; i-- > 0;) {
        u->line = decorators->items[i]->pos.line;
        u->col = decorators->items[i]->pos.col;
        TRY(emit(c, OP_CALL_FUNCTION, 1));
    }
    u->line = line;
    u->col = col;
    return true;
}

static bool visit_functiondef(Compiler *c, Stmt *s) {
    Arguments *a = s->u.functiondef.args;
    const ExprList *decorators = &s->u.functiondef.decorator_list;
    TRY(check_debug_args(c, a));
    for (size_t i = 0; i < decorators->count; i++)
        TRY(visit_expr(c, decorators->items[i]));
    int flags = 0;
    TRY(visit_defaults(c, a, &flags));
    TRY(visit_annotations(c, a, s->u.functiondef.returns, &flags));

    MiniObject *name = mini_intern(s->u.functiondef.name);
    TRY(name);
    TRY(enter_unit(c, symtable_child(c->u->scope, s), UNIT_FUNCTION, name,
                   definition_line(s, decorators)));
    set_argcounts(c->u, a);
    if (s->u.functiondef.is_async)
        c->u->flags |= CO_COROUTINE;
    const StmtList *body = &s->u.functiondef.body;
    Expr *doc = docstring_of(body);
    if (doc) {
        // The docstring is consts[0] (the function type reads it from there).
        TRY(add_const(c, doc->u.constant.value) == 0);
        c->u->flags |= CO_DOCSTRING;
    }
    TRY(visit_stmts(c, body, doc ? 1 : 0));
    CodeObject *co = assemble(c, true);
    TRY(co);
    exit_unit(c);

    return make_closure(c, co, flags) && apply_decorators(c, decorators) &&
           visit_nameop(c, name, CTX_STORE);
}

static bool visit_lambda(Compiler *c, Expr *e) {
    Arguments *a = e->u.lambda.args;
    TRY(check_debug_args(c, a));
    int flags = 0;
    TRY(visit_defaults(c, a, &flags));
    MiniObject *name = mini_intern("<lambda>");
    TRY(name);
    TRY(enter_unit(c, symtable_child(c->u->scope, e), UNIT_LAMBDA, name, e->pos.line));
    set_argcounts(c->u, a);
    TRY(visit_expr(c, e->u.lambda.body));
    CodeObject *co;
    if (c->u->scope->generator) {
        // A generator lambda returns None; the body's value is dropped.
        TRY(emit_op(c, OP_POP_TOP));
        co = assemble(c, true);
    } else {
        TRY(emit_op(c, OP_RETURN_VALUE));
        co = assemble(c, false);
    }
    TRY(co);
    exit_unit(c);
    return make_closure(c, co, flags);
}

static bool find_annotations(const StmtList *body);

// The body of a module or class: SETUP_ANNOTATIONS when annotations are stored, the
// docstring as __doc__, then the statements.
static bool visit_namespace_body(Compiler *c, const StmtList *body) {
    if (find_annotations(body))
        TRY(emit_op(c, OP_SETUP_ANNOTATIONS));
    Expr *doc = c->interactive ? NULL : docstring_of(body);
    if (doc) {
        c->u->line = doc->pos.line;
        TRY(emit_const(c, doc->u.constant.value));
        TRY(visit_nameop(c, MINI_ID(__doc__), CTX_STORE));
    }
    return visit_stmts(c, body, doc ? 1 : 0);
}

static bool visit_classdef(Compiler *c, Stmt *s) {
    const ExprList *decorators = &s->u.classdef.decorator_list;
    for (size_t i = 0; i < decorators->count; i++)
        TRY(visit_expr(c, decorators->items[i]));

    MiniObject *name = mini_intern(s->u.classdef.name);
    TRY(name);
    TRY(enter_unit(c, symtable_child(c->u->scope, s), UNIT_CLASS, name,
                   definition_line(s, decorators)));
    Unit *u = c->u;
    u->private_name = name;
    // __module__ = __name__; __qualname__ = 'A.B'
    u->line = s->pos.line;
    TRY(visit_nameop(c, MINI_ID(__name__), CTX_LOAD));
    TRY(visit_nameop(c, MINI_ID(__module__), CTX_STORE));
    TRY(emit_const(c, u->qualname));
    TRY(visit_nameop(c, MINI_ID(__qualname__), CTX_STORE));
    TRY(visit_namespace_body(c, &s->u.classdef.body));
    u->line = s->pos.line;
    if (u->scope->needs_class_closure) {
        // Return the __class__ cell so that type.__new__ can fill it with the new class,
        // and store it as __classcell__ for it to find: -- cell
        int64_t index = table_lookup(u->cell_index, MINI_ID(__class__));
        if (index < 0)
            return internal_error("no __class__ cell");
        TRY(emit(c, OP_LOAD_CLOSURE, index));
        TRY(emit_op(c, OP_DUP_TOP));
        TRY(visit_nameop(c, MINI_ID(__classcell__), CTX_STORE));
    } else {
        TRY(emit_const(c, MINI_NONE));
    }
    TRY(emit_op(c, OP_RETURN_VALUE));
    CodeObject *co = assemble(c, false);
    TRY(co);
    exit_unit(c);

    // __build_class__ body-function 'Name' bases... [keywords] -- class
    TRY(emit_op(c, OP_LOAD_BUILD_CLASS));
    TRY(make_closure(c, co, 0));
    TRY(emit_const(c, name));
    TRY(visit_call_helper(c, 2, &s->u.classdef.bases, &s->u.classdef.keywords));
    return apply_decorators(c, decorators) && visit_nameop(c, name, CTX_STORE);
}

static bool visit_jump_if(Compiler *c, Expr *e, int label, bool cond);

// A comprehension that awaits or has an `async for` clause is asynchronous: its function is a
// coroutine, awaited where the comprehension stands. CPython allows a list, set or dict one
// only inside an async function (or another comprehension, which then is asynchronous too);
// mini has no asynchronous generator expressions. [u] is the comprehension's unit. False with
// a SyntaxError.
static bool check_async_comprehension(Compiler *c, Unit *u) {
    Unit *outer = u->parent;
    if (u->scope->comprehension == COMP_GENEXP)
        return compile_error(c, "asynchronous generator expressions are not supported in mini");
    bool outer_async = outer && (outer->kind == UNIT_COMPREHENSION ||
                                 (outer->kind == UNIT_FUNCTION && (outer->flags & CO_COROUTINE)));
    if (!outer_async) {
        source_syntax_error(c->src, u->firstlineno, u->comp_col,
                            "asynchronous comprehension outside of an asynchronous function");
        return false;
    }
    return true;
}

// One `for` of a comprehension, and (recursively) the ones after it, then the element.
// [depth] counts the iterators on the stack above the result being built.
static bool visit_comp_generator(Compiler *c, const ComprehensionList *gens, size_t index,
                                 int depth, Expr *elt, Expr *value, CompKind kind) {
    Comprehension *g = &gens->items[index];
    int start, if_cleanup, anchor;
    TRY(new_label(c, &start) && new_label(c, &if_cleanup) && new_label(c, &anchor));
    if (index == 0) {
        // The outermost iterator is the parameter .0.
        TRY(emit(c, OP_LOAD_FAST, 0));
    } else {
        TRY(visit_expr(c, g->iter));
        TRY(emit_op(c, g->is_async ? OP_GET_AITER : OP_GET_ITER));
    }
    depth++;
    bind_label(c, start);
    if (g->is_async) {
        // As `async for` does (visit_async_for), with END_ASYNC_FOR at the anchor.
        TRY(emit_jump(c, OP_SETUP_FINALLY, anchor));
        TRY(emit_op(c, OP_GET_ANEXT) && emit_const(c, MINI_NONE) && emit_op(c, OP_YIELD_FROM) &&
            emit_op(c, OP_POP_BLOCK));
    } else {
        TRY(emit_jump(c, OP_FOR_ITER, anchor));
    }
    TRY(visit_expr(c, g->target));
    for (size_t i = 0; i < g->ifs.count; i++)
        TRY(visit_jump_if(c, g->ifs.items[i], if_cleanup, false));
    if (index + 1 < gens->count) {
        TRY(visit_comp_generator(c, gens, index + 1, depth, elt, value, kind));
    } else {
        // result it1 .. itn v -- result it1 .. itn
        switch (kind) {
        case COMP_GENEXP:
            TRY(visit_expr(c, elt) && emit_op(c, OP_YIELD_VALUE) && emit_op(c, OP_POP_TOP));
            break;
        case COMP_LIST:
            TRY(visit_expr(c, elt) && emit(c, OP_LIST_APPEND, depth + 1));
            break;
        case COMP_SET:
            TRY(visit_expr(c, elt) && emit(c, OP_SET_ADD, depth + 1));
            break;
        case COMP_DICT:
            TRY(visit_expr(c, elt) && visit_expr(c, value) && emit(c, OP_MAP_ADD, depth + 1));
            break;
        case COMP_NONE:
            break;
        }
    }
    bind_label(c, if_cleanup);
    TRY(emit_goto(c, start));
    bind_label(c, anchor);
    if (g->is_async)
        TRY(emit_op(c, OP_END_ASYNC_FOR));
    return true;
}

// A comprehension is a nested function called at once with the iterator of its outermost
// iterable, which is evaluated here: -- function iter -- result (a generator for genexps).
static bool visit_comprehension(Compiler *c, Expr *e, const char *name, CompKind kind,
                                const ComprehensionList *gens, Expr *elt, Expr *value) {
    if (gens->count == 0)
        return internal_error("comprehension without a for");
    MiniObject *id = mini_intern(name);
    TRY(id);
    TRY(enter_unit(c, symtable_child(c->u->scope, e), UNIT_COMPREHENSION, id, e->pos.line));
    c->u->argcount = 1;
    c->u->line = e->pos.line;
    c->u->col = e->pos.col;
    c->u->comp_col = e->pos.col;
    for (size_t i = 0; i < gens->count; i++)
        if (gens->items[i].is_async)
            c->u->comp_async = true;
    if (kind == COMP_LIST)
        TRY(emit(c, OP_BUILD_LIST, 0));
    else if (kind == COMP_SET)
        TRY(emit(c, OP_BUILD_SET, 0));
    else if (kind == COMP_DICT)
        TRY(emit(c, OP_BUILD_MAP, 0));
    TRY(visit_comp_generator(c, gens, 0, 0, elt, value, kind));
    if (kind != COMP_GENEXP)
        TRY(emit_op(c, OP_RETURN_VALUE));
    bool is_async = c->u->comp_async;
    if (is_async) {
        c->u->line = e->pos.line;
        c->u->col = e->pos.col;
        TRY(check_async_comprehension(c, c->u));
        c->u->flags |= CO_COROUTINE;
    }
    CodeObject *co = assemble(c, kind == COMP_GENEXP);
    TRY(co);
    exit_unit(c);
    TRY(make_closure(c, co, 0) && visit_expr(c, gens->items[0].iter) &&
        emit_op(c, gens->items[0].is_async ? OP_GET_AITER : OP_GET_ITER) &&
        emit(c, OP_CALL_FUNCTION, 1));
    if (!is_async)
        return true;
    // Calling an asynchronous comprehension's function makes a coroutine: await it here.
    if (c->u->kind == UNIT_COMPREHENSION)
        c->u->comp_async = true;
    return emit_await(c, 0);
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

// Jumps to [label] when [e] is true ([cond]) or false (!cond), without leaving anything on
// the stack; `not`, `and` and `or` become jumps instead of values.
static bool visit_jump_if(Compiler *c, Expr *e, int label, bool cond) {
    if (++c->depth > MAX_DEPTH) {
        mini_raise_str(mini_exc_RecursionError,
                       "maximum recursion depth exceeded during compilation");
        return false;
    }
    bool ok;
    if (e->kind == EXPR_UNARYOP && e->u.unaryop.op == UNARY_NOT) {
        ok = visit_jump_if(c, e->u.unaryop.operand, label, !cond);
    } else if (e->kind == EXPR_BOOLOP && e->u.boolop.values.count > 0) {
        // `a or b` jumps when a is true, `a and b` when a is false; the last value decides.
        const ExprList *values = &e->u.boolop.values;
        bool cond2 = e->u.boolop.op == BOOL_OR;
        int next2 = label;
        ok = cond2 == cond || new_label(c, &next2);
        for (size_t i = 0; ok && i + 1 < values->count; i++)
            ok = visit_jump_if(c, values->items[i], next2, cond2);
        ok = ok && visit_jump_if(c, values->items[values->count - 1], label, cond);
        if (ok && next2 != label)
            bind_label(c, next2);
    } else {
        ok = visit_expr(c, e) &&
             emit_jump(c, cond ? OP_POP_JUMP_IF_TRUE : OP_POP_JUMP_IF_FALSE, label);
    }
    c->depth--;
    return ok;
}

static bool emit_compare(Compiler *c, CmpOpKind op) {
    switch (op) {
    case CMPOP_IS:
        return emit(c, OP_IS_OP, 0);
    case CMPOP_ISNOT:
        return emit(c, OP_IS_OP, 1);
    case CMPOP_IN:
        return emit(c, OP_CONTAINS_OP, 0);
    case CMPOP_NOTIN:
        return emit(c, OP_CONTAINS_OP, 1);
    default:
        return emit(c, OP_COMPARE_OP, (int64_t)op);
    }
}

// `a < b < c` evaluates b once and stops at the first false comparison.
static bool visit_compare(Compiler *c, Expr *e) {
    size_t n = e->u.compare.count;
    TRY(visit_expr(c, e->u.compare.left));
    if (n == 0)
        return true;
    if (n == 1)
        return visit_expr(c, e->u.compare.comparators[0]) && emit_compare(c, e->u.compare.ops[0]);
    int cleanup, end;
    TRY(new_label(c, &cleanup) && new_label(c, &end));
    for (size_t i = 0; i + 1 < n; i++) {
        // a b -- b a b -- b (a op b); a false result jumps to cleanup with b under it
        TRY(visit_expr(c, e->u.compare.comparators[i]));
        TRY(emit_op(c, OP_DUP_TOP) && emit_op(c, OP_ROT_THREE));
        TRY(emit_compare(c, e->u.compare.ops[i]));
        TRY(emit_jump(c, OP_JUMP_IF_FALSE_OR_POP, cleanup));
    }
    TRY(visit_expr(c, e->u.compare.comparators[n - 1]));
    TRY(emit_compare(c, e->u.compare.ops[n - 1]));
    TRY(emit_goto(c, end));
    // b result -- result
    bind_label(c, cleanup);
    TRY(emit_op(c, OP_ROT_TWO) && emit_op(c, OP_POP_TOP));
    bind_label(c, end);
    return true;
}

static bool visit_boolop(Compiler *c, Expr *e) {
    const ExprList *values = &e->u.boolop.values;
    if (values->count == 0)
        return internal_error("empty boolean operation");
    Opcode jump = e->u.boolop.op == BOOL_AND ? OP_JUMP_IF_FALSE_OR_POP : OP_JUMP_IF_TRUE_OR_POP;
    int end;
    TRY(new_label(c, &end));
    for (size_t i = 0; i + 1 < values->count; i++)
        TRY(visit_expr(c, values->items[i]) && emit_jump(c, jump, end));
    TRY(visit_expr(c, values->items[values->count - 1]));
    bind_label(c, end);
    return true;
}

// Unpacks the value on top of the stack into the targets [elts] (one of them may be starred).
static bool visit_unpack(Compiler *c, const ExprList *elts) {
    size_t n = elts->count;
    bool seen_star = false;
    for (size_t i = 0; i < n; i++) {
        if (elts->items[i]->kind != EXPR_STARRED)
            continue;
        if (seen_star)
            return compile_error(c, "multiple starred expressions in assignment");
        if (i >= (1 << 8) || n - i - 1 >= (1 << 16))
            return compile_error(c, "too many expressions in star-unpacking assignment");
        TRY(emit(c, OP_UNPACK_EX, (int64_t)(i + ((n - i - 1) << 8))));
        seen_star = true;
    }
    if (!seen_star)
        TRY(emit(c, OP_UNPACK_SEQUENCE, (int64_t)n));
    // The first item is on top: store the targets left to right.
    for (size_t i = 0; i < n; i++) {
        Expr *elt = elts->items[i];
        TRY(visit_expr(c, elt->kind == EXPR_STARRED ? elt->u.starred.value : elt));
    }
    return true;
}

static int conversion_bits(int conversion) {
    switch (conversion) {
    case 's':
        return 1;
    case 'r':
        return 2;
    case 'a':
        return 3;
    default:
        return 0;
    }
}

// An f-string: its pieces pushed in order and joined by BUILD_STRING.
static bool visit_joinedstr(Compiler *c, Expr *e) {
    const ExprList *values = &e->u.joinedstr.values;
    size_t n = values->count;
    if (n == 0)
        return emit_const_new(c, str_new("", 0));
    if (n > STACK_USE_GUIDELINE) {
        // ''.join([piece, ...]) built item by item.
        MiniObject *empty = str_new("", 0);
        TRY(emit_const_new(c, empty));
        TRY(emit_name_cstr(c, OP_LOAD_METHOD, "join"));
        TRY(emit(c, OP_BUILD_LIST, 0));
        for (size_t i = 0; i < n; i++)
            TRY(visit_expr(c, values->items[i]) && emit(c, OP_LIST_APPEND, 1));
        return emit(c, OP_CALL_METHOD, 1);
    }
    for (size_t i = 0; i < n; i++)
        TRY(visit_expr(c, values->items[i]));
    return n == 1 || emit(c, OP_BUILD_STRING, (int64_t)n);
}

static bool visit_formattedvalue(Compiler *c, Expr *e) {
    int flags = conversion_bits(e->u.formattedvalue.conversion);
    TRY(visit_expr(c, e->u.formattedvalue.value));
    if (e->u.formattedvalue.format_spec) {
        TRY(visit_expr(c, e->u.formattedvalue.format_spec));
        flags |= 4;
    }
    return emit(c, OP_FORMAT_VALUE, flags);
}

static bool visit_slice(Compiler *c, Expr *e) {
    Expr *parts[3] = {e->u.slice.lower, e->u.slice.upper, e->u.slice.step};
    int n = e->u.slice.step ? 3 : 2;
    for (int i = 0; i < n; i++)
        TRY(parts[i] ? visit_expr(c, parts[i]) : emit_const(c, MINI_NONE));
    return emit(c, OP_BUILD_SLICE, n);
}

static bool visit_yield(Compiler *c, Expr *e) {
    if (c->u->scope->kind != SCOPE_FUNCTION)
        return compile_error(c, "'yield' outside function");
    if (c->u->flags & CO_COROUTINE)
        return compile_error(c, e->kind == EXPR_YIELDFROM
                                    ? "'yield from' inside async function"
                                    : "asynchronous generators are not supported in mini");
    if (e->kind == EXPR_YIELDFROM) {
        // -- iter None -- result
        return visit_expr(c, e->u.yield.value) && emit_op(c, OP_GET_YIELD_FROM_ITER) &&
               emit_const(c, MINI_NONE) && emit_op(c, OP_YIELD_FROM);
    }
    TRY(e->u.yield.value ? visit_expr(c, e->u.yield.value) : emit_const(c, MINI_NONE));
    return emit_op(c, OP_YIELD_VALUE);
}

// await e: e -- result, in an async function only.
static bool visit_await(Compiler *c, Expr *e) {
    Unit *u = c->u;
    if (u->scope->kind != SCOPE_FUNCTION)
        return compile_error(c, "'await' outside function");
    if (u->kind == UNIT_COMPREHENSION)
        u->comp_async = true; // checked when the comprehension ends
    else if (!(u->flags & CO_COROUTINE))
        return compile_error(c, "'await' outside async function");
    return visit_expr(c, e->u.yield.value) && emit_await(c, 0);
}

static bool visit_expr_kind(Compiler *c, Expr *e) {
    static const Opcode unary_ops[] = {
        [UNARY_INVERT] = OP_UNARY_INVERT,
        [UNARY_NOT] = OP_UNARY_NOT,
        [UNARY_PLUS] = OP_UNARY_POSITIVE,
        [UNARY_MINUS] = OP_UNARY_NEGATIVE,
    };
    switch (e->kind) {
    case EXPR_BOOLOP:
        return visit_boolop(c, e);
    case EXPR_NAMEDEXPR: {
        // -- value, also stored in the target
        Expr *target = e->u.namedexpr.target;
        TRY(visit_expr(c, e->u.namedexpr.value) && emit_op(c, OP_DUP_TOP));
        if (target->kind != EXPR_NAME)
            return visit_expr(c, target);
        MiniObject *name = mini_intern(target->u.name.id);
        return name && visit_nameop(c, name, CTX_STORE);
    }
    case EXPR_BINOP:
        return visit_expr(c, e->u.binop.left) && visit_expr(c, e->u.binop.right) &&
               emit(c, OP_BINARY_OP, e->u.binop.op);
    case EXPR_UNARYOP: {
        MiniObject *folded = NULL;
        int r = const_value(e, &folded);
        if (r < 0)
            return false;
        if (r > 0)
            return emit_const_new(c, folded);
        return visit_expr(c, e->u.unaryop.operand) && emit_op(c, unary_ops[e->u.unaryop.op]);
    }
    case EXPR_LAMBDA:
        return visit_lambda(c, e);
    case EXPR_IFEXP: {
        int orelse, end;
        TRY(new_label(c, &orelse) && new_label(c, &end));
        TRY(visit_jump_if(c, e->u.ifexp.test, orelse, false));
        TRY(visit_expr(c, e->u.ifexp.body) && emit_goto(c, end));
        bind_label(c, orelse);
        TRY(visit_expr(c, e->u.ifexp.orelse));
        bind_label(c, end);
        return true;
    }
    case EXPR_DICT:
        return visit_dict(c, e);
    case EXPR_SET:
        return starunpack(c, &e->u.set.elts, 0, OP_BUILD_SET, OP_SET_ADD, OP_SET_UPDATE, false);
    case EXPR_LISTCOMP:
        return visit_comprehension(c, e, "<listcomp>", COMP_LIST, &e->u.listcomp.generators,
                                   e->u.listcomp.elt, NULL);
    case EXPR_SETCOMP:
        return visit_comprehension(c, e, "<setcomp>", COMP_SET, &e->u.listcomp.generators,
                                   e->u.listcomp.elt, NULL);
    case EXPR_GENEXP:
        return visit_comprehension(c, e, "<genexpr>", COMP_GENEXP, &e->u.listcomp.generators,
                                   e->u.listcomp.elt, NULL);
    case EXPR_DICTCOMP:
        return visit_comprehension(c, e, "<dictcomp>", COMP_DICT, &e->u.dictcomp.generators,
                                   e->u.dictcomp.key, e->u.dictcomp.value);
    case EXPR_YIELD:
    case EXPR_YIELDFROM:
        return visit_yield(c, e);
    case EXPR_AWAIT:
        return visit_await(c, e);
    case EXPR_COMPARE:
        return visit_compare(c, e);
    case EXPR_CALL:
        return visit_call(c, e);
    case EXPR_FORMATTEDVALUE:
        return visit_formattedvalue(c, e);
    case EXPR_JOINEDSTR:
        return visit_joinedstr(c, e);
    case EXPR_CONSTANT:
        return emit_const(c, e->u.constant.value);
    case EXPR_ATTRIBUTE: {
        MiniObject *attr = mini_intern(e->u.attribute.attr);
        TRY(attr);
        if (e->u.attribute.ctx != CTX_LOAD)
            TRY(check_debug_name(c, e->u.attribute.attr, e->u.attribute.ctx));
        // o -- o.attr; v o --; o --
        TRY(visit_expr(c, e->u.attribute.value));
        Opcode op = e->u.attribute.ctx == CTX_LOAD    ? OP_LOAD_ATTR
                    : e->u.attribute.ctx == CTX_STORE ? OP_STORE_ATTR
                                                      : OP_DELETE_ATTR;
        // An attribute spread over lines is reported where its name is, as CPython does.
        if (e->pos.end_line > 0)
            c->u->line = e->pos.end_line;
        return emit_name(c, op, attr);
    }
    case EXPR_SUBSCRIPT: {
        // a k -- a[k]; v a k --; a k --
        TRY(visit_expr(c, e->u.subscript.value) && visit_expr(c, e->u.subscript.slice));
        Opcode op = e->u.subscript.ctx == CTX_LOAD    ? OP_BINARY_SUBSCR
                    : e->u.subscript.ctx == CTX_STORE ? OP_STORE_SUBSCR
                                                      : OP_DELETE_SUBSCR;
        return emit_op(c, op);
    }
    case EXPR_STARRED:
        if (e->u.starred.ctx == CTX_STORE)
            return compile_error(c, "starred assignment target must be in a list or tuple");
        return compile_error(c, "can't use starred expression here");
    case EXPR_NAME: {
        MiniObject *name = mini_intern(e->u.name.id);
        return name && visit_nameop(c, name, e->u.name.ctx);
    }
    case EXPR_LIST:
    case EXPR_TUPLE: {
        const ExprList *elts = &e->u.list.elts;
        if (e->u.list.ctx == CTX_STORE)
            return visit_unpack(c, elts);
        if (e->u.list.ctx == CTX_DEL) {
            for (size_t i = 0; i < elts->count; i++)
                TRY(visit_expr(c, elts->items[i]));
            return true;
        }
        if (e->kind == EXPR_LIST)
            return starunpack(c, elts, 0, OP_BUILD_LIST, OP_LIST_APPEND, OP_LIST_EXTEND, false);
        MiniObject *folded = NULL;
        int r = const_value(e, &folded);
        if (r < 0)
            return false;
        if (r > 0)
            return emit_const_new(c, folded);
        return starunpack(c, elts, 0, OP_BUILD_LIST, OP_LIST_APPEND, OP_LIST_EXTEND, true);
    }
    case EXPR_SLICE:
        return visit_slice(c, e);
    }
    return internal_error("unknown expression kind");
}

// Compiles [e]; its instructions carry its location, which errors inside it report.
static bool visit_expr(Compiler *c, Expr *e) {
    Unit *u = c->u;
    if (++c->depth > MAX_DEPTH) {
        mini_raise_str(mini_exc_RecursionError,
                       "maximum recursion depth exceeded during compilation");
        return false;
    }
    int line = u->line, col = u->col;
    u->line = e->pos.line;
    u->col = e->pos.col;
    bool ok = visit_expr_kind(c, e);
    u->line = line;
    u->col = col;
    c->depth--;
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

static bool visit_stmt(Compiler *c, Stmt *s);

static bool visit_stmts(Compiler *c, const StmtList *body, size_t first) {
    for (size_t i = first; i < body->count; i++)
        TRY(visit_stmt(c, body->items[i]));
    return true;
}

// True if an annotated assignment occurs in [body] outside nested functions and classes:
// then the namespace needs an __annotations__ dict.
static bool find_annotations(const StmtList *body) {
    for (size_t i = 0; i < body->count; i++) {
        Stmt *s = body->items[i];
        switch (s->kind) {
        case STMT_ANNASSIGN:
            return true;
        case STMT_FOR:
            if (find_annotations(&s->u.for_.body) || find_annotations(&s->u.for_.orelse))
                return true;
            break;
        case STMT_WHILE:
        case STMT_IF:
            if (find_annotations(&s->u.while_.body) || find_annotations(&s->u.while_.orelse))
                return true;
            break;
        case STMT_WITH:
            if (find_annotations(&s->u.with.body))
                return true;
            break;
        case STMT_TRY:
            if (find_annotations(&s->u.try_.body) || find_annotations(&s->u.try_.orelse) ||
                find_annotations(&s->u.try_.finalbody))
                return true;
            for (size_t h = 0; h < s->u.try_.handlers.count; h++)
                if (find_annotations(&s->u.try_.handlers.items[h].body))
                    return true;
            break;
        default:
            break;
        }
    }
    return false;
}

static bool visit_return(Compiler *c, Stmt *s) {
    Unit *u = c->u;
    Expr *value = s->u.ret.value;
    if (u->scope->kind != SCOPE_FUNCTION)
        return compile_error(c, "'return' outside function");
    // A constant is loaded after the unwinding; any other value is computed first and kept
    // on top of the stack while finally bodies and with exits run.
    bool preserve_tos = value && value->kind != EXPR_CONSTANT;
    if (preserve_tos)
        TRY(visit_expr(c, value));
    TRY(unwind_fblock_stack(c, preserve_tos, NULL));
    u->line = s->pos.line;
    u->col = s->pos.col;
    if (!value)
        TRY(emit_const(c, MINI_NONE));
    else if (!preserve_tos)
        TRY(emit_const(c, value->u.constant.value));
    return emit_op(c, OP_RETURN_VALUE);
}

static bool visit_break_continue(Compiler *c, Stmt *s) {
    Unit *u = c->u;
    bool is_break = s->kind == STMT_BREAK;
    FBlock *loop = NULL;
    TRY(unwind_fblock_stack(c, false, &loop));
    // Inlined finally bodies moved the location: errors and the jump belong to this statement.
    u->line = s->pos.line;
    u->col = s->pos.col;
    if (!loop)
        return compile_error(c, is_break ? "'break' outside loop"
                                         : "'continue' not properly in loop");
    if (!is_break)
        return emit_goto(c, loop->top);
    return unwind_fblock(c, loop, false) && emit_goto(c, loop->exit);
}

static bool visit_if(Compiler *c, Stmt *s) {
    int orelse, end;
    TRY(new_label(c, &orelse) && new_label(c, &end));
    bool has_else = s->u.while_.orelse.count > 0;
    TRY(visit_jump_if(c, s->u.while_.test, has_else ? orelse : end, false));
    TRY(visit_stmts(c, &s->u.while_.body, 0));
    if (has_else) {
        TRY(emit_goto(c, end));
        bind_label(c, orelse);
        TRY(visit_stmts(c, &s->u.while_.orelse, 0));
    }
    bind_label(c, end);
    return true;
}

// `while True:` and `while 1:` need no test.
static bool is_true_constant(const Expr *e) {
    if (e->kind != EXPR_CONSTANT)
        return false;
    MiniObject *v = e->u.constant.value;
    return v == MINI_TRUE || (MINI_IS_SMALLINT(v) && MINI_SMALLINT_VALUE(v) != 0);
}

static bool visit_while(Compiler *c, Stmt *s) {
    int top, orelse, end;
    TRY(new_label(c, &top) && new_label(c, &orelse) && new_label(c, &end));
    bind_label(c, top);
    TRY(push_fblock(c, FB_WHILE_LOOP, top, end, NULL, NULL));
    if (!is_true_constant(s->u.while_.test))
        TRY(visit_jump_if(c, s->u.while_.test, orelse, false));
    TRY(visit_stmts(c, &s->u.while_.body, 0));
    c->u->line = s->pos.line;
    TRY(emit_goto(c, top));
    pop_fblock(c);
    bind_label(c, orelse);
    TRY(visit_stmts(c, &s->u.while_.orelse, 0));
    bind_label(c, end);
    return true;
}

// async for x in it: body  else: orelse   (in an async function only)
//
//         <it>
//         GET_AITER                 it -- aiter
// top:    SETUP_FINALLY done
//         GET_ANEXT                 aiter -- aiter it   (the iterator awaiting __anext__())
//         LOAD_CONST None; YIELD_FROM   (await it: aiter -- aiter item)
//         POP_BLOCK
//         STORE x
//         <body>
//         JUMP_BACKWARD top
// done:   END_ASYNC_FOR             aiter exc -- (StopAsyncIteration ends the loop; any other
//                                   exception is raised again)
//         <orelse>
// end:
static bool visit_async_for(Compiler *c, Stmt *s) {
    if (!(c->u->flags & CO_COROUTINE) || c->u->kind != UNIT_FUNCTION)
        return compile_error(c, "'async for' outside async function");
    int top, done, end;
    TRY(new_label(c, &top) && new_label(c, &done) && new_label(c, &end));
    TRY(visit_expr(c, s->u.for_.iter) && emit_op(c, OP_GET_AITER));
    bind_label(c, top);
    TRY(emit_jump(c, OP_SETUP_FINALLY, done));
    // GET_ANEXT pushes the awaitable's iterator already: no GET_AWAITABLE.
    TRY(emit_op(c, OP_GET_ANEXT) && emit_const(c, MINI_NONE) && emit_op(c, OP_YIELD_FROM) &&
        emit_op(c, OP_POP_BLOCK));
    // The loop's fblock is a for loop's: the async iterator is on the stack, and `break`,
    // `continue` and `return` treat it as they treat an iterator.
    TRY(push_fblock(c, FB_FOR_LOOP, top, end, NULL, NULL));
    TRY(visit_expr(c, s->u.for_.target));
    TRY(visit_stmts(c, &s->u.for_.body, 0));
    c->u->line = s->pos.line;
    c->u->col = s->pos.col;
    TRY(emit_goto(c, top));
    pop_fblock(c);
    bind_label(c, done);
    TRY(emit_op(c, OP_END_ASYNC_FOR));
    TRY(visit_stmts(c, &s->u.for_.orelse, 0));
    bind_label(c, end);
    return true;
}

static bool visit_for(Compiler *c, Stmt *s) {
    if (s->u.for_.is_async)
        return visit_async_for(c, s);
    int top, cleanup, end;
    TRY(new_label(c, &top) && new_label(c, &cleanup) && new_label(c, &end));
    // -- it; top: it -- it item (or, exhausted, -- and on to cleanup)
    TRY(visit_expr(c, s->u.for_.iter) && emit_op(c, OP_GET_ITER));
    bind_label(c, top);
    TRY(push_fblock(c, FB_FOR_LOOP, top, end, NULL, NULL));
    TRY(emit_jump(c, OP_FOR_ITER, cleanup));
    TRY(visit_expr(c, s->u.for_.target));
    TRY(visit_stmts(c, &s->u.for_.body, 0));
    c->u->line = s->pos.line;
    TRY(emit_goto(c, top));
    pop_fblock(c);
    bind_label(c, cleanup);
    TRY(visit_stmts(c, &s->u.for_.orelse, 0));
    bind_label(c, end);
    return true;
}

// try: body  except E as name: handler ...  else: orelse
//
//         SETUP_FINALLY handler
//         <body>
//         POP_BLOCK
//         JUMP_FORWARD orelse
// handler:                          (exc; an EXCEPT_HANDLER block is active)
//         DUP_TOP; <E>; JUMP_IF_NOT_EXC_MATCH next
//         STORE name                (or POP_TOP)
//         SETUP_FINALLY cleanup     (with a name: unbind it however the handler ends)
//         <handler body>
//         POP_BLOCK; POP_EXCEPT; name = None; del name
//         JUMP_FORWARD end
// cleanup: name = None; del name; RERAISE
// next:   ... the next clause ...
//         RERAISE                   (no clause matched)
// orelse: <orelse>
// end:
static bool visit_try_except(Compiler *c, Stmt *s) {
    Unit *u = c->u;
    int handler, orelse, end;
    TRY(new_label(c, &handler) && new_label(c, &orelse) && new_label(c, &end));
    TRY(emit_jump(c, OP_SETUP_FINALLY, handler));
    TRY(push_fblock(c, FB_TRY_EXCEPT, -1, -1, NULL, NULL));
    TRY(visit_stmts(c, &s->u.try_.body, 0));
    pop_fblock(c);
    TRY(emit_op(c, OP_POP_BLOCK) && emit_goto(c, orelse));

    bind_label(c, handler);
    TRY(push_fblock(c, FB_EXCEPTION_HANDLER, -1, -1, NULL, NULL));
    const HandlerList *handlers = &s->u.try_.handlers;
    for (size_t i = 0; i < handlers->count; i++) {
        ExceptHandler *h = &handlers->items[i];
        u->line = h->pos.line;
        u->col = h->pos.col;
        if (!h->type && i + 1 < handlers->count)
            return compile_error(c, "default 'except:' must be last");
        int next;
        TRY(new_label(c, &next));
        if (h->type) {
            TRY(emit_op(c, OP_DUP_TOP) && visit_expr(c, h->type));
            TRY(emit_jump(c, OP_JUMP_IF_NOT_EXC_MATCH, next));
        }
        if (h->name) {
            MiniObject *name = mini_intern(h->name);
            int cleanup;
            TRY(name && new_label(c, &cleanup));
            TRY(visit_nameop(c, name, CTX_STORE));
            TRY(emit_jump(c, OP_SETUP_FINALLY, cleanup));
            TRY(push_fblock(c, FB_HANDLER_CLEANUP, -1, -1, NULL, name));
            TRY(visit_stmts(c, &h->body, 0));
            pop_fblock(c);
            u->line = h->pos.line;
            TRY(emit_op(c, OP_POP_BLOCK) && emit_op(c, OP_POP_EXCEPT));
            TRY(emit_const(c, MINI_NONE) && visit_nameop(c, name, CTX_STORE) &&
                visit_nameop(c, name, CTX_DEL));
            TRY(emit_goto(c, end));
            // exc2 -- (the handler body raised: unbind the name, raise again)
            bind_label(c, cleanup);
            TRY(emit_const(c, MINI_NONE) && visit_nameop(c, name, CTX_STORE) &&
                visit_nameop(c, name, CTX_DEL));
            TRY(emit_op(c, OP_RERAISE));
        } else {
            TRY(emit_op(c, OP_POP_TOP));
            TRY(push_fblock(c, FB_HANDLER_CLEANUP, -1, -1, NULL, NULL));
            TRY(visit_stmts(c, &h->body, 0));
            pop_fblock(c);
            u->line = h->pos.line;
            TRY(emit_op(c, OP_POP_EXCEPT) && emit_goto(c, end));
        }
        bind_label(c, next);
    }
    pop_fblock(c);
    TRY(emit_op(c, OP_RERAISE));
    bind_label(c, orelse);
    TRY(visit_stmts(c, &s->u.try_.orelse, 0));
    bind_label(c, end);
    return true;
}

// try: body  finally: final
//
//         SETUP_FINALLY fin
//         <body>                (a try/except when there are handlers)
//         POP_BLOCK
//         <final>
//         JUMP_FORWARD end
// fin:    <final>               (exc under it; an EXCEPT_HANDLER block is active)
//         RERAISE
// end:
static bool visit_try_finally(Compiler *c, Stmt *s) {
    int fin, end;
    TRY(new_label(c, &fin) && new_label(c, &end));
    TRY(emit_jump(c, OP_SETUP_FINALLY, fin));
    TRY(push_fblock(c, FB_FINALLY_TRY, -1, -1, &s->u.try_.finalbody, NULL));
    if (s->u.try_.handlers.count > 0)
        TRY(visit_try_except(c, s));
    else
        TRY(visit_stmts(c, &s->u.try_.body, 0));
    pop_fblock(c);
    c->u->line = s->pos.line;
    TRY(emit_op(c, OP_POP_BLOCK));
    TRY(visit_stmts(c, &s->u.try_.finalbody, 0));
    TRY(emit_goto(c, end));
    bind_label(c, fin);
    TRY(push_fblock(c, FB_FINALLY_END, -1, -1, NULL, NULL));
    TRY(visit_stmts(c, &s->u.try_.finalbody, 0));
    pop_fblock(c);
    TRY(emit_op(c, OP_RERAISE));
    bind_label(c, end);
    return true;
}

// with a as x, b: body   (one level per item, the later ones nested inside)
//
//         <a>
//         SETUP_WITH exc        a -- exit a.__enter__()
//         STORE x               (or POP_TOP)
//         <body>
//         POP_BLOCK
//         WITH_EXIT             exit --  (exit(None, None, None))
//         JUMP_FORWARD end
// exc:    WITH_EXCEPT_START     exit exc -- exit exc result
//         POP_JUMP_IF_TRUE suppress
//         RERAISE
// suppress: POP_TOP; POP_EXCEPT; POP_TOP
// end:
// async with a as x: body   (in an async function only; several items nest as with `with`)
//
//         <a>
//         BEFORE_ASYNC_WITH      a -- exit a.__aenter__()   (exit: the bound __aexit__)
//         GET_AWAITABLE 1; LOAD_CONST None; YIELD_FROM      -- exit enter_result
//         SETUP_ASYNC_WITH exc   (a finally block whose level keeps exit)
//         STORE x                (or POP_TOP)
//         <body>
//         POP_BLOCK
//         LOAD_CONST None (x3); CALL_FUNCTION 3; GET_AWAITABLE 2; LOAD_CONST None; YIELD_FROM
//         POP_TOP
//         JUMP_FORWARD end
// exc:    WITH_EXCEPT_START      exit exc -- exit exc exit(type, exc, tb)
//         GET_AWAITABLE 2; LOAD_CONST None; YIELD_FROM
//         POP_JUMP_IF_TRUE suppress
//         RERAISE
// suppress: POP_TOP; POP_EXCEPT; POP_TOP
// end:
static bool visit_async_with(Compiler *c, Stmt *s, size_t pos) {
    if (!(c->u->flags & CO_COROUTINE) || c->u->kind != UNIT_FUNCTION)
        return compile_error(c, "'async with' outside async function");
    WithItem *item = &s->u.with.items.items[pos];
    int exc, suppress, end;
    TRY(new_label(c, &exc) && new_label(c, &suppress) && new_label(c, &end));
    TRY(visit_expr(c, item->context_expr));
    TRY(emit_op(c, OP_BEFORE_ASYNC_WITH) && emit_await(c, 1));
    TRY(emit_jump(c, OP_SETUP_ASYNC_WITH, exc));
    TRY(push_fblock(c, FB_ASYNC_WITH, -1, -1, NULL, NULL));
    if (item->optional_vars)
        TRY(visit_expr(c, item->optional_vars));
    else
        TRY(emit_op(c, OP_POP_TOP));
    if (pos + 1 < s->u.with.items.count)
        TRY(visit_async_with(c, s, pos + 1));
    else
        TRY(visit_stmts(c, &s->u.with.body, 0));
    pop_fblock(c);
    c->u->line = s->pos.line;
    c->u->col = s->pos.col;
    TRY(emit_op(c, OP_POP_BLOCK) && emit_async_exit(c) && emit_goto(c, end));
    bind_label(c, exc);
    TRY(emit_op(c, OP_WITH_EXCEPT_START) && emit_await(c, 2));
    TRY(emit_jump(c, OP_POP_JUMP_IF_TRUE, suppress));
    TRY(emit_op(c, OP_RERAISE));
    bind_label(c, suppress);
    TRY(emit_op(c, OP_POP_TOP) && emit_op(c, OP_POP_EXCEPT) && emit_op(c, OP_POP_TOP));
    bind_label(c, end);
    return true;
}

static bool visit_with(Compiler *c, Stmt *s, size_t pos) {
    if (s->u.with.is_async)
        return visit_async_with(c, s, pos);
    WithItem *item = &s->u.with.items.items[pos];
    int exc, suppress, end;
    TRY(new_label(c, &exc) && new_label(c, &suppress) && new_label(c, &end));
    TRY(visit_expr(c, item->context_expr));
    TRY(emit_jump(c, OP_SETUP_WITH, exc));
    TRY(push_fblock(c, FB_WITH, -1, -1, NULL, NULL));
    if (item->optional_vars)
        TRY(visit_expr(c, item->optional_vars));
    else
        TRY(emit_op(c, OP_POP_TOP));
    if (pos + 1 < s->u.with.items.count)
        TRY(visit_with(c, s, pos + 1));
    else
        TRY(visit_stmts(c, &s->u.with.body, 0));
    pop_fblock(c);
    c->u->line = s->pos.line;
    TRY(emit_op(c, OP_POP_BLOCK) && emit_op(c, OP_WITH_EXIT) && emit_goto(c, end));
    bind_label(c, exc);
    TRY(emit_op(c, OP_WITH_EXCEPT_START));
    TRY(emit_jump(c, OP_POP_JUMP_IF_TRUE, suppress));
    TRY(emit_op(c, OP_RERAISE));
    bind_label(c, suppress);
    TRY(emit_op(c, OP_POP_TOP) && emit_op(c, OP_POP_EXCEPT) && emit_op(c, OP_POP_TOP));
    bind_label(c, end);
    return true;
}

static bool visit_assert(Compiler *c, Stmt *s) {
    // if not test: raise AssertionError(msg)
    int end;
    TRY(new_label(c, &end));
    TRY(visit_jump_if(c, s->u.assert_.test, end, true));
    TRY(emit_op(c, OP_LOAD_ASSERTION_ERROR));
    if (s->u.assert_.msg)
        TRY(visit_expr(c, s->u.assert_.msg) && emit(c, OP_CALL_FUNCTION, 1));
    TRY(emit(c, OP_RAISE_VARARGS, 1));
    bind_label(c, end);
    return true;
}

static bool visit_raise(Compiler *c, Stmt *s) {
    int n = 0;
    if (s->u.raise.exc) {
        TRY(visit_expr(c, s->u.raise.exc));
        n++;
        if (s->u.raise.cause) {
            TRY(visit_expr(c, s->u.raise.cause));
            n++;
        }
    }
    return emit(c, OP_RAISE_VARARGS, n);
}

static bool visit_import(Compiler *c, Stmt *s) {
    const AliasList *names = &s->u.import.names;
    for (size_t i = 0; i < names->count; i++) {
        Alias *a = &names->items[i];
        c->u->line = a->pos.line;
        MiniObject *full = mini_intern(a->name);
        TRY(full);
        // level fromlist -- module
        TRY(emit_const(c, MINI_FROM_SMALLINT(0)) && emit_const(c, MINI_NONE) &&
            emit_name(c, OP_IMPORT_NAME, full));
        const char *dot = strchr(a->name, '.');
        if (!a->asname) {
            // `import a.b.c` binds the top package `a`.
            MiniObject *top = dot ? mini_intern_n(a->name, (size_t)(dot - a->name)) : full;
            TRY(top && visit_nameop(c, top, CTX_STORE));
            continue;
        }
        MiniObject *asname = mini_intern(a->asname);
        TRY(asname);
        if (dot) {
            // `import a.b.c as d` binds a.b.c: walk down the attributes with IMPORT_FROM.
            // a -- a b -- b; b -- b c; then store c and drop b.
            const char *p = dot + 1;
            for (;;) {
                const char *next = strchr(p, '.');
                size_t len = next ? (size_t)(next - p) : strlen(p);
                MiniObject *attr = mini_intern_n(p, len);
                TRY(attr && emit_name(c, OP_IMPORT_FROM, attr));
                if (!next)
                    break;
                TRY(emit_op(c, OP_ROT_TWO) && emit_op(c, OP_POP_TOP));
                p = next + 1;
            }
            TRY(visit_nameop(c, asname, CTX_STORE) && emit_op(c, OP_POP_TOP));
        } else {
            TRY(visit_nameop(c, asname, CTX_STORE));
        }
    }
    return true;
}

static bool visit_importfrom(Compiler *c, Stmt *s) {
    const AliasList *names = &s->u.importfrom.names;
    size_t n = names->count;
    const char **list = mini_malloc((n + 1) * sizeof(char *));
    TRY(list);
    for (size_t i = 0; i < n; i++)
        list[i] = names->items[i].name;
    MiniObject *fromlist = name_tuple(list, n);
    mini_free(list);
    TRY(fromlist);
    // level ('x', 'y') -- module
    bool ok = emit_const(c, MINI_FROM_SMALLINT(s->u.importfrom.level)) &&
              emit_const(c, fromlist);
    MINI_DECREF(fromlist);
    TRY(ok);
    TRY(emit_name_cstr(c, OP_IMPORT_NAME,
                       s->u.importfrom.module ? s->u.importfrom.module : ""));
    if (n == 1 && strcmp(names->items[0].name, "*") == 0)
        return emit_op(c, OP_IMPORT_STAR);
    for (size_t i = 0; i < n; i++) {
        // module -- module value; store value
        Alias *a = &names->items[i];
        MiniObject *name = mini_intern(a->name);
        MiniObject *store = a->asname ? mini_intern(a->asname) : name;
        TRY(name && store);
        TRY(emit_name(c, OP_IMPORT_FROM, name) && visit_nameop(c, store, CTX_STORE));
    }
    return emit_op(c, OP_POP_TOP);
}

static bool visit_augassign(Compiler *c, Stmt *s) {
    Expr *target = s->u.augassign.target;
    int op = (int)s->u.augassign.op + BINOP_INPLACE;
    switch (target->kind) {
    case EXPR_NAME: {
        MiniObject *name = mini_intern(target->u.name.id);
        TRY(name);
        c->u->line = target->pos.line;
        TRY(visit_nameop(c, name, CTX_LOAD));
        TRY(visit_expr(c, s->u.augassign.value) && emit(c, OP_BINARY_OP, op));
        c->u->line = target->pos.line;
        return visit_nameop(c, name, CTX_STORE);
    }
    case EXPR_ATTRIBUTE: {
        // o -- o o -- o o.a -- o (o.a op v) -- (new) o --
        MiniObject *attr = mini_intern(target->u.attribute.attr);
        TRY(attr);
        TRY(visit_expr(c, target->u.attribute.value) && emit_op(c, OP_DUP_TOP));
        TRY(emit_name(c, OP_LOAD_ATTR, attr));
        TRY(visit_expr(c, s->u.augassign.value) && emit(c, OP_BINARY_OP, op));
        return emit_op(c, OP_ROT_TWO) && emit_name(c, OP_STORE_ATTR, attr);
    }
    case EXPR_SUBSCRIPT:
        // a k -- a k a k -- a k a[k] -- a k (a[k] op v) -- new a k --
        TRY(visit_expr(c, target->u.subscript.value) && visit_expr(c, target->u.subscript.slice));
        TRY(emit_op(c, OP_DUP_TOP_TWO) && emit_op(c, OP_BINARY_SUBSCR));
        TRY(visit_expr(c, s->u.augassign.value) && emit(c, OP_BINARY_OP, op));
        return emit_op(c, OP_ROT_THREE) && emit_op(c, OP_STORE_SUBSCR);
    default:
        return compile_error(c, "illegal expression for augmented assignment");
    }
}

// x: T = v. In a module or class body a simple name's annotation is stored in
// __annotations__; elsewhere annotations of names are not evaluated.
static bool visit_annassign(Compiler *c, Stmt *s) {
    Unit *u = c->u;
    Expr *target = s->u.annassign.target;
    Expr *value = s->u.annassign.value;
    bool namespace = u->kind == UNIT_MODULE || u->kind == UNIT_CLASS;
    if (value)
        TRY(visit_expr(c, value) && visit_expr(c, target));
    switch (target->kind) {
    case EXPR_NAME:
        if (s->u.annassign.simple && namespace) {
            // ann __annotations__ 'x' --
            MiniObject *name = mini_intern(target->u.name.id);
            MiniObject *mangled = name ? symtable_mangle(u->private_name, name) : NULL;
            TRY(mangled);
            TRY(visit_expr(c, s->u.annassign.annotation));
            TRY(emit_name(c, OP_LOAD_NAME, MINI_ID(__annotations__)));
            TRY(emit_const(c, mangled) && emit_op(c, OP_STORE_SUBSCR));
        }
        break;
    case EXPR_ATTRIBUTE:
        // `o.x: T` alone still evaluates o.
        if (!value)
            TRY(visit_expr(c, target->u.attribute.value) && emit_op(c, OP_POP_TOP));
        break;
    case EXPR_SUBSCRIPT:
        if (!value)
            TRY(visit_expr(c, target->u.subscript.value) && emit_op(c, OP_POP_TOP) &&
                visit_expr(c, target->u.subscript.slice) && emit_op(c, OP_POP_TOP));
        break;
    default:
        return compile_error(c, "invalid node type for annotated assignment");
    }
    if (!s->u.annassign.simple && namespace)
        TRY(visit_expr(c, s->u.annassign.annotation) && emit_op(c, OP_POP_TOP));
    return true;
}

static bool visit_stmt_kind(Compiler *c, Stmt *s) {
    switch (s->kind) {
    case STMT_FUNCTIONDEF:
        return visit_functiondef(c, s);
    case STMT_CLASSDEF:
        return visit_classdef(c, s);
    case STMT_RETURN:
        return visit_return(c, s);
    case STMT_DELETE:
        for (size_t i = 0; i < s->u.del.targets.count; i++)
            TRY(visit_expr(c, s->u.del.targets.items[i]));
        return true;
    case STMT_ASSIGN: {
        // v -- v v ... each target stores one copy
        const ExprList *targets = &s->u.assign.targets;
        TRY(visit_expr(c, s->u.assign.value));
        for (size_t i = 0; i < targets->count; i++) {
            if (i + 1 < targets->count)
                TRY(emit_op(c, OP_DUP_TOP));
            TRY(visit_expr(c, targets->items[i]));
        }
        return true;
    }
    case STMT_AUGASSIGN:
        return visit_augassign(c, s);
    case STMT_ANNASSIGN:
        return visit_annassign(c, s);
    case STMT_FOR:
        return visit_for(c, s);
    case STMT_WHILE:
        return visit_while(c, s);
    case STMT_IF:
        return visit_if(c, s);
    case STMT_WITH:
        return s->u.with.items.count == 0 ? visit_stmts(c, &s->u.with.body, 0)
                                          : visit_with(c, s, 0);
    case STMT_RAISE:
        return visit_raise(c, s);
    case STMT_TRY:
        if (s->u.try_.finalbody.count > 0)
            return visit_try_finally(c, s);
        if (s->u.try_.handlers.count > 0)
            return visit_try_except(c, s);
        return visit_stmts(c, &s->u.try_.body, 0) && visit_stmts(c, &s->u.try_.orelse, 0);
    case STMT_ASSERT:
        return visit_assert(c, s);
    case STMT_IMPORT:
        return visit_import(c, s);
    case STMT_IMPORTFROM:
        return visit_importfrom(c, s);
    case STMT_GLOBAL:
    case STMT_NONLOCAL:
    case STMT_PASS:
        return true;
    case STMT_EXPR: {
        Expr *value = s->u.expr.value;
        if (c->interactive && c->u->kind == UNIT_MODULE)
            return visit_expr(c, value) && emit_op(c, OP_PRINT_EXPR);
        // A lone constant (a docstring-like string) does nothing.
        if (value->kind == EXPR_CONSTANT)
            return true;
        return visit_expr(c, value) && emit_op(c, OP_POP_TOP);
    }
    case STMT_BREAK:
    case STMT_CONTINUE:
        return visit_break_continue(c, s);
    }
    return internal_error("unknown statement kind");
}

static bool visit_stmt(Compiler *c, Stmt *s) {
    Unit *u = c->u;
    if (++c->depth > MAX_DEPTH) {
        mini_raise_str(mini_exc_RecursionError,
                       "maximum recursion depth exceeded during compilation");
        return false;
    }
    u->line = s->pos.line;
    u->col = s->pos.col;
    bool ok = visit_stmt_kind(c, s);
    c->depth--;
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

static CodeObject *compile_mod(Compiler *c, Module *mod) {
    MiniObject *name = mini_intern("<module>");
    if (!name || !enter_unit(c, c->st->top, UNIT_MODULE, name, 1))
        return NULL;
    if (mod->mode == MODE_EVAL) {
        if (!mod->expr || !visit_expr(c, mod->expr) || !emit_op(c, OP_RETURN_VALUE))
            return NULL;
        return assemble(c, false);
    }
    if (!visit_namespace_body(c, &mod->body))
        return NULL;
    return assemble(c, true);
}

static CodeObject *compile_with_source(Module *mod, const SourceText *src) {
    Compiler c;
    memset(&c, 0, sizeof c);
    c.src = src;
    c.interactive = mod->mode == MODE_SINGLE;
    c.filename = str_from_cstr(src->filename ? src->filename : "<unknown>");
    CodeObject *co = NULL;
    if (c.filename) {
        c.st = symtable_build(mod, src);
        if (c.st)
            co = compile_mod(&c, mod);
    }
    while (c.u)
        exit_unit(&c);
    symtable_free(c.st);
    MINI_XDECREF(c.filename);
    return co;
}

CodeObject *compile_module(Module *mod, const char *filename) {
    SourceText src = {filename, NULL, 0};
    return compile_with_source(mod, &src);
}

CodeObject *compile_source(const char *src, size_t len, const char *filename, ParseMode mode) {
    Arena arena;
    arena_init(&arena);
    CodeObject *co = NULL;
    Module *mod = parse_source(&arena, src, len, filename, mode);
    if (mod) {
        SourceText text = {filename, src, len};
        co = compile_with_source(mod, &text);
    }
    arena_free(&arena);
    return co;
}
