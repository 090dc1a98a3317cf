// ast.h - the abstract syntax tree the parser builds and the compiler walks.
//
// Design
// ------
// The node kinds follow Python's own `ast` module (Python/Python.asdl of CPython 3.11), with
// the same names and fields, minus what mini does not support (match, type comments).
// `async def`, `async for` and `async with` are the plain nodes with is_async set (CPython's
// AsyncFunctionDef, AsyncFor and AsyncWith have the same fields as their plain forms).
// Every node and every array lives in one Arena owned by whoever called the parser; freeing
// the arena frees the whole tree at once, so nodes carry no ownership rules. Constant values
// (numbers, strings, bytes) are immortal MiniObjects made by the parser.
//
// Sequences are {count, items} pairs (`ExprList`, `StmtList`, ...). Optional children are NULL.
// Every node has its source position: line (1-based) and col (0-based, in bytes), and the end
// of its extent, for error carets.

#ifndef MINI_AST_H
#define MINI_AST_H

#include "../runtime/object.h"

// ---------------------------------------------------------------------------------------------
// Arena (ast.c)
// ---------------------------------------------------------------------------------------------

typedef struct ArenaBlock ArenaBlock;
typedef struct {
    ArenaBlock *head;
} Arena;
void arena_init(Arena *a);
void *arena_alloc(Arena *a, size_t size); // zero-filled; aborts never: NULL + MemoryError
void arena_free(Arena *a);

typedef struct Expr Expr;
typedef struct Stmt Stmt;

typedef struct { size_t count; Expr **items; } ExprList;
typedef struct { size_t count; Stmt **items; } StmtList;

typedef struct {
    int line, col, end_line, end_col;
} SrcPos;

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

typedef enum {
    EXPR_BOOLOP,      // values joined by `and`/`or`
    EXPR_NAMEDEXPR,   // target := value
    EXPR_BINOP,       // left op right
    EXPR_UNARYOP,     // op operand
    EXPR_LAMBDA,
    EXPR_IFEXP,       // body if test else orelse
    EXPR_DICT,        // {k: v, **m}: a NULL key means `**value`
    EXPR_SET,
    EXPR_LISTCOMP,
    EXPR_SETCOMP,
    EXPR_DICTCOMP,
    EXPR_GENEXP,
    EXPR_YIELD,       // value may be NULL
    EXPR_YIELDFROM,
    EXPR_AWAIT,       // await value
    EXPR_COMPARE,     // left ops[0] comparators[0] ops[1] comparators[1] ...
    EXPR_CALL,
    EXPR_FORMATTEDVALUE, // one {expr!conv:spec} of an f-string
    EXPR_JOINEDSTR,   // an f-string: values are Constant str and FormattedValue
    EXPR_CONSTANT,    // None, True, False, Ellipsis, int, float, complex?, str, bytes
    EXPR_ATTRIBUTE,   // value.attr
    EXPR_SUBSCRIPT,   // value[slice]
    EXPR_STARRED,     // *value
    EXPR_NAME,
    EXPR_LIST,
    EXPR_TUPLE,
    EXPR_SLICE,       // lower:upper:step inside a subscript (each may be NULL)
} ExprKind;

typedef enum { CTX_LOAD, CTX_STORE, CTX_DEL } ExprContext;
typedef enum { BOOL_AND, BOOL_OR } BoolOpKind;
typedef enum { UNARY_INVERT, UNARY_NOT, UNARY_PLUS, UNARY_MINUS } UnaryOpKind;
// Comparison operators of the AST: the first six match MiniCmpOp.
typedef enum {
    CMPOP_LT, CMPOP_LE, CMPOP_EQ, CMPOP_NE, CMPOP_GT, CMPOP_GE,
    CMPOP_IS, CMPOP_ISNOT, CMPOP_IN, CMPOP_NOTIN
} CmpOpKind;

typedef struct {
    Expr *target;
    Expr *iter;
    ExprList ifs;
    bool is_async;   // `async for`: the compiler rejects it (mini has no async comprehensions)
} Comprehension;
typedef struct { size_t count; Comprehension *items; } ComprehensionList;

typedef struct {
    const char *arg; // NULL for **kwargs in a call
    Expr *value;
    SrcPos pos;
} Keyword;
typedef struct { size_t count; Keyword *items; } KeywordList;

typedef struct {
    const char *arg;   // interned-style C string in the arena
    Expr *annotation;  // or NULL
    SrcPos pos;
} Arg;
typedef struct { size_t count; Arg *items; } ArgList;

typedef struct {
    ArgList posonlyargs;
    ArgList args;
    Arg *vararg;          // *args or NULL
    ArgList kwonlyargs;
    ExprList kw_defaults; // one per kwonlyarg; NULL items where there is no default
    Arg *kwarg;           // **kwargs or NULL
    ExprList defaults;    // for the last len(defaults) of posonlyargs + args
} Arguments;

struct Expr {
    ExprKind kind;
    SrcPos pos;
    union {
        struct { BoolOpKind op; ExprList values; } boolop;
        struct { Expr *target; Expr *value; } namedexpr;
        struct { Expr *left; MiniBinOp op; Expr *right; } binop;
        struct { UnaryOpKind op; Expr *operand; } unaryop;
        struct { Arguments *args; Expr *body; } lambda;
        struct { Expr *test; Expr *body; Expr *orelse; } ifexp;
        struct { ExprList keys; ExprList values; } dict;
        struct { ExprList elts; } set;
        struct { Expr *elt; ComprehensionList generators; } listcomp; // also setcomp, genexp
        struct { Expr *key; Expr *value; ComprehensionList generators; } dictcomp;
        struct { Expr *value; } yield; // also yieldfrom and await
        struct { Expr *left; size_t count; CmpOpKind *ops; Expr **comparators; } compare;
        struct { Expr *func; ExprList args; KeywordList keywords; } call;
        // conversion: -1 none, 's', 'r', 'a'. format_spec: a JoinedStr or NULL.
        struct { Expr *value; int conversion; Expr *format_spec; } formattedvalue;
        struct { ExprList values; } joinedstr;
        struct { MiniObject *value; } constant; // immortal
        struct { Expr *value; const char *attr; ExprContext ctx; } attribute;
        struct { Expr *value; Expr *slice; ExprContext ctx; } subscript;
        struct { Expr *value; ExprContext ctx; } starred;
        struct { const char *id; ExprContext ctx; } name;
        struct { ExprList elts; ExprContext ctx; } list; // also tuple
        struct { Expr *lower; Expr *upper; Expr *step; } slice;
    } u;
};

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

typedef enum {
    STMT_FUNCTIONDEF,
    STMT_CLASSDEF,
    STMT_RETURN,      // value may be NULL
    STMT_DELETE,
    STMT_ASSIGN,      // targets[0] = targets[1] = ... = value
    STMT_AUGASSIGN,   // target op= value
    STMT_ANNASSIGN,   // target: annotation [= value]
    STMT_FOR,
    STMT_WHILE,
    STMT_IF,
    STMT_WITH,
    STMT_RAISE,       // exc and cause may be NULL
    STMT_TRY,
    STMT_ASSERT,
    STMT_IMPORT,
    STMT_IMPORTFROM,
    STMT_GLOBAL,
    STMT_NONLOCAL,
    STMT_EXPR,
    STMT_PASS,
    STMT_BREAK,
    STMT_CONTINUE,
} StmtKind;

typedef struct {
    Expr *type;       // NULL for a bare `except:`
    const char *name; // `as name` or NULL
    StmtList body;
    SrcPos pos;
} ExceptHandler;
typedef struct { size_t count; ExceptHandler *items; } HandlerList;

typedef struct {
    Expr *context_expr;
    Expr *optional_vars; // or NULL
} WithItem;
typedef struct { size_t count; WithItem *items; } WithItemList;

typedef struct {
    const char *name;   // dotted name "a.b.c"; for ImportFrom the imported name or "*"
    const char *asname; // or NULL
    SrcPos pos;
} Alias;
typedef struct { size_t count; Alias *items; } AliasList;

typedef struct { size_t count; const char **items; } NameList;

struct Stmt {
    StmtKind kind;
    SrcPos pos;
    union {
        struct {
            const char *name;
            Arguments *args;
            StmtList body;
            ExprList decorator_list;
            Expr *returns; // or NULL
            bool is_async; // `async def`: a coroutine function
        } functiondef;
        struct {
            const char *name;
            ExprList bases;
            KeywordList keywords; // metaclass=...
            StmtList body;
            ExprList decorator_list;
        } classdef;
        struct { Expr *value; } ret; // also Expr statement (value)
        struct { ExprList targets; } del;
        struct { ExprList targets; Expr *value; } assign;
        struct { Expr *target; MiniBinOp op; Expr *value; } augassign;
        struct { Expr *target; Expr *annotation; Expr *value; bool simple; } annassign;
        struct { Expr *target; Expr *iter; StmtList body; StmtList orelse; bool is_async; } for_;
        struct { Expr *test; StmtList body; StmtList orelse; } while_; // also If
        struct { WithItemList items; StmtList body; bool is_async; } with;
        struct { Expr *exc; Expr *cause; } raise;
        struct {
            StmtList body;
            HandlerList handlers;
            StmtList orelse;
            StmtList finalbody;
        } try_;
        struct { Expr *test; Expr *msg; } assert_;
        struct { AliasList names; } import;
        struct { const char *module; AliasList names; int level; } importfrom; // module NULL ok
        struct { NameList names; } global; // also nonlocal
        struct { Expr *value; } expr;
    } u;
};

// ---------------------------------------------------------------------------------------------
// Modules (what a parse returns)
// ---------------------------------------------------------------------------------------------

typedef enum {
    MODE_EXEC,   // a file or -c: a module body
    MODE_EVAL,   // eval(): one expression
    MODE_SINGLE, // the REPL: one statement; expression statements echo their value
} ParseMode;

typedef struct {
    ParseMode mode;
    StmtList body;  // MODE_EXEC and MODE_SINGLE
    Expr *expr;     // MODE_EVAL
} Module;

#endif // MINI_AST_H
