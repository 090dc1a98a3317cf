// dis.c - the disassembler: what `mini --dis FILE` prints.
//
// The layout is CPython 3.10's `python -m dis`, one line per instruction:
//
//       3           0 LOAD_CONST               0 (1)
//                   1 STORE_FAST               0 (x)
//             >>    2 LOAD_FAST                0 (x)
//
// from left to right: the source line (only on the first instruction of a line, which also
// gets a blank line before it unless it is the first of the code object), a `>>` on jump
// targets, the instruction's index, the opcode name, the argument, and in parentheses what
// the argument means: a constant's repr, a name, `to N` for jumps, the operator of BINARY_OP
// and COMPARE_OP, the parts MAKE_FUNCTION pops, FORMAT_VALUE's conversion. Offsets and jump
// targets are instruction indexes (CPython shows byte offsets, two per instruction).
//
// Everything about an opcode comes from opcodes.def through opcode_names/opcode_argkinds, so
// the disassembler follows the opcode list without edits. Code that has run may be quickened
// (vm/code.c): each instruction is shown as the compiler wrote it (code_base_instr), the way
// CPython's dis shows base instructions unless asked for adaptive=True.

#include <stdio.h>
#include <string.h>

#include "vm.h"

// Column widths of CPython's dis.
#define OPNAME_WIDTH 20
#define OPARG_WIDTH 5

static const char *const binop_symbols[BINOP_COUNT] = {
    [BINOP_ADD] = "+",       [BINOP_SUB] = "-",     [BINOP_MUL] = "*",     [BINOP_TRUEDIV] = "/",
    [BINOP_FLOORDIV] = "//", [BINOP_MOD] = "%",     [BINOP_POW] = "**",    [BINOP_LSHIFT] = "<<",
    [BINOP_RSHIFT] = ">>",   [BINOP_AND] = "&",     [BINOP_OR] = "|",      [BINOP_XOR] = "^",
    [BINOP_MATMUL] = "@",
};

static const char *const compare_symbols[] = {"<", "<=", "==", "!=", ">", ">="};

static const char *const makefunction_parts[] = {"defaults", "kwdefaults", "annotations",
                                                 "closure"};

static const char *const format_conversions[] = {"", "str", "repr", "ascii"};

// The number of decimal digits of [v] (at least 1).
static int digits(size_t v) {
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

// The str at index [i] of [tuple], or NULL when out of range. Borrowed.
static MiniObject *tuple_str_at(MiniObject *tuple, size_t i) {
    if (i >= TUPLE_SIZE(tuple))
        return NULL;
    MiniObject *s = TUPLE_GET(tuple, i);
    return str_check(s) ? s : NULL;
}

// Appends the meaning of the argument of instruction [i] of [co] ("" when it has none).
// False with an exception (a constant's repr failed).
static bool add_argrepr(StrBuf *b, CodeObject *co, Opcode op, uint32_t arg) {
    switch (opcode_argkinds[op]) {
    case ARG_CONST: {
        if (arg >= TUPLE_SIZE(co->consts)) {
            strbuf_adds(b, "?");
            return true;
        }
        MiniObject *r = mini_repr(TUPLE_GET(co->consts, arg));
        if (!r)
            return false;
        strbuf_add_obj(b, r);
        MINI_DECREF(r);
        return true;
    }
    case ARG_NAME:
    case ARG_LOCAL:
    case ARG_FREE: {
        MiniObject *name;
        if (opcode_argkinds[op] == ARG_NAME)
            name = tuple_str_at(co->names, arg);
        else if (opcode_argkinds[op] == ARG_LOCAL)
            name = tuple_str_at(co->varnames, arg);
        else if (arg < (uint32_t)co->ncells)
            name = tuple_str_at(co->cellvars, arg);
        else
            name = tuple_str_at(co->freevars, arg - (uint32_t)co->ncells);
        if (name)
            strbuf_add_obj(b, name);
        else
            strbuf_adds(b, "?");
        return true;
    }
    case ARG_JUMP: {
        char to[32];
        snprintf(to, sizeof to, "to %u", (unsigned)arg);
        strbuf_adds(b, to);
        return true;
    }
    case ARG_BINOP: {
        bool inplace = arg >= BINOP_INPLACE;
        uint32_t k = inplace ? arg - BINOP_INPLACE : arg;
        if (k >= BINOP_COUNT) {
            strbuf_adds(b, "?");
            return true;
        }
        strbuf_adds(b, binop_symbols[k]);
        if (inplace)
            strbuf_addc(b, '=');
        return true;
    }
    case ARG_CMP:
        strbuf_adds(b, arg < 6 ? compare_symbols[arg] : "?");
        return true;
    case ARG_FLAGS:
        if (op == OP_MAKE_FUNCTION) {
            bool first = true;
            for (int i = 0; i < 4; i++) {
                if (!(arg & (1u << i)))
                    continue;
                if (!first)
                    strbuf_adds(b, ", ");
                strbuf_adds(b, makefunction_parts[i]);
                first = false;
            }
        } else if (op == OP_FORMAT_VALUE) {
            strbuf_adds(b, format_conversions[arg & 3]);
            if (arg & 4) {
                if (arg & 3)
                    strbuf_adds(b, ", ");
                strbuf_adds(b, "with format");
            }
        }
        return true;
    case ARG_NONE:
    case ARG_COUNT:
    case ARG_CACHE: // (never: the disassembler shows base instructions)
        return true;
    }
    return true;
}

// Disassembles [co] into [b], then, with [recursive], every code object among its constants.
static bool disassemble(StrBuf *b, CodeObject *co, bool recursive) {
    size_t n = co->ncode;
    bool *targets = mini_calloc(n ? n : 1, sizeof(bool));
    if (!targets)
        return false;
    int maxline = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t w = code_base_instr(co, i);
        Opcode op = (Opcode)INSTR_OP(w);
        uint32_t arg = INSTR_ARG(w);
        if (op < OP__COUNT && opcode_argkinds[op] == ARG_JUMP && arg < n)
            targets[arg] = true;
        int line = code_line_at(co, i);
        if (line > maxline)
            maxline = line;
    }
    int lineno_width = maxline >= 1000 ? digits((size_t)maxline) : 3;
    int offset_width = n > 0 && n - 1 >= 10000 ? digits(n - 1) : 4;
    // Both widths count the digits of a size_t: at most 20. Saying so lets the compiler see
    // that the line head below always fits its buffer.
    if (lineno_width > 20)
        lineno_width = 20;
    if (offset_width > 20)
        offset_width = 20;

    bool ok = true;
    int lastline = -1;
    for (size_t i = 0; ok && i < n; i++) {
        uint32_t w = code_base_instr(co, i);
        Opcode op = (Opcode)INSTR_OP(w);
        uint32_t arg = INSTR_ARG(w);
        int line = code_line_at(co, i);
        bool starts_line = line != lastline;
        lastline = line;
        if (starts_line && i > 0)
            strbuf_addc(b, '\n');
        // (StrBuf's printf knows no `*` widths: the columns are laid out with snprintf.)
        char head[128];
        char lineno[32] = "";
        if (starts_line)
            snprintf(lineno, sizeof lineno, "%d", line);
        // The "current instruction" column of CPython stays empty.
        snprintf(head, sizeof head, "%*s     %s %*zu ", lineno_width, lineno,
                 targets[i] ? ">>" : "  ", offset_width, i);
        strbuf_adds(b, head);
        const char *name = op < OP__COUNT ? opcode_names[op] : "<unknown>";
        if (op >= OP__COUNT || opcode_argkinds[op] == ARG_NONE) {
            strbuf_adds(b, name);
        } else {
            char column[128];
            snprintf(column, sizeof column, "%-*s %*u", OPNAME_WIDTH, name, OPARG_WIDTH,
                     (unsigned)arg);
            strbuf_adds(b, column);
            StrBuf meaning;
            strbuf_init(&meaning);
            ok = add_argrepr(&meaning, co, op, arg);
            if (ok && meaning.size > 0) {
                strbuf_adds(b, " (");
                strbuf_add(b, meaning.data, meaning.size);
                strbuf_addc(b, ')');
            }
            strbuf_free(&meaning);
        }
        strbuf_addc(b, '\n');
    }
    mini_free(targets);
    if (!ok)
        return false;

    if (recursive) {
        for (size_t i = 0; i < TUPLE_SIZE(co->consts); i++) {
            MiniObject *k = TUPLE_GET(co->consts, i);
            if (mini_type(k) != &mini_code_type)
                continue;
            MiniObject *r = mini_repr(k);
            if (!r)
                return false;
            strbuf_adds(b, "\nDisassembly of ");
            strbuf_add_obj(b, r);
            strbuf_adds(b, ":\n");
            MINI_DECREF(r);
            if (!disassemble(b, (CodeObject *)k, true))
                return false;
        }
    }
    return !b->failed;
}

MiniObject *dis_code(CodeObject *co, bool recursive) {
    StrBuf b;
    strbuf_init(&b);
    if (!disassemble(&b, co, recursive)) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_finish(&b);
}
