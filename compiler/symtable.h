// symtable.h - the symbol table: for every block of a program (module, class body, function,
// lambda, comprehension), which names it uses and where each one lives.
//
// Design
// ------
// symtable_build() works in two passes over the AST, as CPython's Python/symtable.c does.
//
// The first pass makes one SymScope per block and records, for every name the block mentions,
// *how* it mentions it: assigned (DEF_LOCAL), a parameter (DEF_PARAM), imported, declared
// `global` or `nonlocal`, or only read (DEF_USE). It also catches the errors that need only
// this local view: a global declaration after a use, a duplicate parameter, `import *` in a
// function, `yield` in a comprehension, assignment expressions that rebind a comprehension's
// loop variable.
//
// The second pass ("analysis") walks the scopes from the module down, carrying the set of
// names bound by enclosing functions, and resolves each name to a *binding*:
//
//   BIND_LOCAL            bound in this block (a fast local in a function, a dict entry in a
//                         module or class body)
//   BIND_GLOBAL_EXPLICIT  declared `global` here (or in an enclosing block)
//   BIND_GLOBAL_IMPLICIT  never bound in any enclosing function: globals, then builtins
//   BIND_FREE             bound in an enclosing function: read through a cell
//   BIND_CELL             bound here and used by a nested function: stored in a cell
//
// Class bodies are special: their names are not visible inside their methods, a free
// variable of a method that an enclosing function binds passes *through* the class (marked
// DEF_FREE_CLASS when the class also binds the name), and a method that uses `super` or
// `__class__` makes the class body create an implicit `__class__` cell
// (needs_class_closure).
//
// Ownership: the SymTable owns its scopes (malloc'd) and each scope owns its dicts and list;
// symtable_free() releases them all. Every name is an interned, immortal str, already
// *mangled* (`__x` inside class A is `_A__x`), so the compiler compares names by pointer.

#ifndef MINI_SYMTABLE_H
#define MINI_SYMTABLE_H

#include "compiler.h"

// What the compiler knows about the text it compiles, for SyntaxError locations.
typedef struct {
    const char *filename;
    const char *text; // the source, or NULL when compiling an AST without its text
    size_t len;
} SourceText;

// How a block uses a name (the first pass). A name's flags are a small int in
// SymScope.symbols; after the analysis the binding sits above BIND_SHIFT.
#define DEF_GLOBAL (1 << 0)     // declared `global`
#define DEF_LOCAL (1 << 1)      // assigned, deleted, or the target of for/with/except/def/class
#define DEF_PARAM (1 << 2)      // a parameter
#define DEF_NONLOCAL (1 << 3)   // declared `nonlocal`
#define DEF_USE (1 << 4)        // read
#define DEF_FREE_CLASS (1 << 5) // bound in a class body and free in one of its methods
#define DEF_IMPORT (1 << 6)     // bound by an import
#define DEF_ANNOT (1 << 7)      // annotated (`x: int`)
#define DEF_COMP_ITER (1 << 8)  // a comprehension's loop variable
#define DEF_BOUND (DEF_LOCAL | DEF_PARAM | DEF_IMPORT)

#define BIND_SHIFT 12
#define BIND_MASK 7
typedef enum {
    BIND_NONE = 0, // the name does not occur in the block
    BIND_LOCAL,
    BIND_GLOBAL_EXPLICIT,
    BIND_GLOBAL_IMPLICIT,
    BIND_FREE,
    BIND_CELL,
} Binding;

typedef enum { SCOPE_MODULE, SCOPE_CLASS, SCOPE_FUNCTION } ScopeKind;
// A function scope made for a comprehension says which kind, for its error messages.
typedef enum { COMP_NONE, COMP_LIST, COMP_SET, COMP_DICT, COMP_GENEXP } CompKind;

typedef struct SymScope {
    ScopeKind kind;          // lambdas and comprehensions are SCOPE_FUNCTION
    CompKind comprehension;
    const void *node;        // the Stmt or Expr that opened the block; NULL for the module
    MiniObject *name;        // str: the function or class name, "lambda", "listcomp", "top"
    MiniObject *symbols;     // dict: name -> small int (DEF_* | binding << BIND_SHIFT)
    MiniObject *params;      // list of the parameter names, in CPython's order
    MiniObject *directives;  // dict: name -> small int line << 20 | col of its global/nonlocal
    struct SymScope *parent;
    struct SymScope **children; // in the order the first pass met them
    size_t nchildren, capchildren;
    size_t next_child;       // where symtable_child() starts looking
    int line, col;
    bool nested;             // inside a function: may have free variables
    bool generator;          // contains yield
    bool has_free;           // has free variables
    bool child_free;         // a nested block has free variables
    bool needs_class_closure; // a class body whose methods use __class__ or super
    int comp_iter_target;    // first pass: visiting a comprehension's loop target
    int comp_iter_expr;      // first pass: visiting a comprehension's iterable
} SymScope;

typedef struct {
    SymScope *top;           // the module's scope
    SymScope *cur;           // first pass: the block being visited
    MiniObject *private_name; // first pass: the enclosing class name, for mangling, or NULL
    const SourceText *src;
    int depth;               // first pass: AST recursion depth
} SymTable;

// Builds the symbol table of [mod]. NULL with SyntaxError (or MemoryError) pending.
SymTable *symtable_build(Module *mod, const SourceText *src);
void symtable_free(SymTable *st);

// The scope opened by [node] (a FunctionDef/ClassDef Stmt, or a Lambda/comprehension Expr)
// inside [parent]; NULL if there is none (no exception).
SymScope *symtable_child(SymScope *parent, const void *node);
// The DEF_* flags and binding of [name] (mangled, interned) in [s]; 0 if it does not occur.
int symtable_flags(const SymScope *s, MiniObject *name);
// The binding of [name] in [s] (BIND_NONE if it does not occur).
static inline Binding symtable_binding(const SymScope *s, MiniObject *name) {
    return (Binding)((symtable_flags(s, name) >> BIND_SHIFT) & BIND_MASK);
}

// Name mangling: `__x` written inside class [private_name] becomes `_Class__x` (leading
// underscores of the class name stripped); dunder names, dotted names and names in no class
// stay as they are. Returns an interned str (immortal, so borrowed), or NULL on MemoryError.
MiniObject *symtable_mangle(MiniObject *private_name, MiniObject *name);

// Raises SyntaxError at [line] and 0-based column [col] of [src] (the offset shown is col + 1,
// the text is the source line when known) with a printf-style message. Returns NULL.
MiniObject *source_syntax_error(const SourceText *src, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif // MINI_SYMTABLE_H
