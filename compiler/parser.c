// parser.c - source text to AST: a hand-written recursive descent parser for the Python 3.11
// grammar that compiler/ast.h covers, with CPython's error messages and positions.
//
// Design
// ------
// The whole source is tokenized first (lexer.c); the parser then walks the token array with
// one token of lookahead most of the time, and saves and restores its position where the
// grammar needs more (parenthesized with-items, targets re-read as expressions to explain an
// error). Nodes live in the caller's arena; names are copied into it.
//
// Errors come in two strengths. A *soft* failure is a NULL result with no exception: the
// input does not match here. A *hard* error is a raised exception (p->error): a specific
// message, a tokenizer error, MemoryError; it stops everything.
//
// The parse runs as CPython's does, in up to two passes over the tokens (run_passes()). The
// first has CPython's "invalid_*" checks off (p->no_invalid): it accepts exactly the grammar,
// and where a PEG parser would backtrack (an operator without its right operand, a trailer
// that does not parse) this one gives the tokens back too, so that it stops where CPython's
// first pass stops. If it fails softly, the second pass re-reads the input with the checks on:
// each reproduces one of CPython's invalid_* rules at the point where that rule would match
// (a missing comma, '=' for '==', an invalid target...), reading ahead "speculatively" where
// the rule needs to (soft failures in there are forgotten, hard errors kept). If nothing more
// specific turns up, finish_error() raises the generic "invalid syntax" at the last token the
// first pass read (fill1), as CPython does; specific errors that CPython places at "the last
// token read" use the furthest token either pass read (fill). CPython's second pass also
// memoizes rules that a look ahead read with the checks off, which hides errors inside them
// from later readings; p->memo reproduces that.
//
// When the parse fails, CPython tokenizes the rest of the input and lets a tokenizer error
// found there replace a parser error; finish_error() does the same with the error the lexer
// recorded after the last good token. A few errors CPython's compiler reports (starred
// assignment targets, repeated keyword arguments, duplicate parameters, 'await') are found
// here but
// kept back until the whole input has parsed, so that a syntax error later in the file
// still wins, as it does in CPython.
//
// Recursion is bounded twice: the parser counts its own nesting against MINI_MAX_AST_DEPTH
// (so no input can exhaust the C stack), and a final iterative walk rejects trees deeper than
// that, which long left-nested chains like 1+1+...+1 build without recursing.

#include "compiler.h"
#include "lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------------------------------------
// Parser state
// ---------------------------------------------------------------------------------------------

// Errors CPython reports after parsing, held back until the parse succeeds: the first of each
// stage, its symbol table's (which runs first) and its code generator's.
typedef enum { STAGE_SYMTABLE, STAGE_COMPILER } Stage;

typedef struct {
    bool set;
    const char *msg;
    int line, col; // col: 0-based bytes
} DeferredError;

typedef struct {
    DeferredError stage[2];
} Deferred;

typedef struct Parser {
    Arena *arena;
    const char *filename;
    Lexer *lx;            // this parser's lexer (an f-string expression has its own)
    const Lexer *src_lx;  // the lexer of the whole source: its lines for error messages
    Token *toks;          // every token, the last being ENDMARKER or ERRORTOKEN
    size_t ntoks;
    size_t pos;           // the next token
    // One more than the furthest token index looked at: by anything (fill), and by the parse
    // proper, not counting diagnostic look aheads (fill1). CPython reports its generic error
    // at the last token of its first pass, and its specific ones at the last token read by
    // either pass.
    size_t fill, fill1;
    int depth;            // nesting of recursive rules, bounded by MINI_MAX_AST_DEPTH
    int func_depth;       // enclosing function bodies (for 'await' messages)
    bool error;           // an exception is pending: stop
    bool lexer_error;     // ...and it is the tokenizer's
    int no_invalid;       // > 0: CPython's "invalid_*" checks are off (first pass, look ahead)
    bool second_pass;     // the diagnostic pass: reading tokens no longer moves fill1
    // CPython memoizes rule results by position, whatever the pass's check setting: a rule
    // first read at a token with the checks off (inside a look ahead) is read the same way
    // there later. memo[i] records which rules (MEMO_*) were so read at token i.
    uint8_t *memo;
    int memo_marking;     // > 0: inside such a look ahead (second pass): record memo
    ParseMode mode;
    bool fstring;         // parsing an f-string's expression: errors say "f-string: "
    int base_line, base_col; // f-string expression: where its text starts in the source
    Deferred *deferred;
} Parser;

#define MEMO_EXPRESSION 1  // the `expression` rule
#define MEMO_DISJUNCTION 2 // `disjunction` and the rules under it at the same token
#define MEMO_FACTOR 4      // `factor`, `await_primary`, `primary`
#define MEMO_ARGUMENTS 8   // `arguments` of a call

typedef struct {
    size_t pos, fill1;
} Mark;

// At the start of a memoized rule [kind]: records it during a look ahead with the checks
// off, or, if it was so recorded at this token, turns the checks off for this reading (the
// caller undoes that when the function returns true).
static bool memo_enter(Parser *p, uint8_t kind, uint8_t mark_kinds) {
    if (!p->memo || p->pos >= p->ntoks)
        return false;
    if (p->memo_marking) {
        p->memo[p->pos] |= mark_kinds;
        return false;
    }
    if (!p->no_invalid && (p->memo[p->pos] & kind)) {
        p->no_invalid++;
        return true;
    }
    return false;
}

static Mark mark(Parser *p) { return (Mark){p->pos, p->fill1}; }
// Back to [m] after a look ahead that belongs to the parse: what was seen counts as seen.
static void reset(Parser *p, Mark m) { p->pos = m.pos; }
// Back to [m] after a diagnostic look ahead: it does not move the generic error's position.
static void reset_all(Parser *p, Mark m) {
    p->pos = m.pos;
    p->fill1 = m.fill1;
}

// ---------------------------------------------------------------------------------------------
// Raising errors
// ---------------------------------------------------------------------------------------------

// A NUL-terminated copy (in the arena) of source line [lineno] without its newline, or NULL;
// its length in [*len] (which does not count the newline that follows it in the source).
static const char *source_line(Parser *p, int lineno, size_t *len) {
    const char *s = lexer_line(p->src_lx, lineno, len);
    if (!s)
        return NULL;
    char *copy = arena_alloc(p->arena, *len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, *len);
    copy[*len] = '\0';
    return copy;
}

// Raises [type] at [lineno] with [offset], a 1-based column counted in bytes as CPython's
// parser counts it (converted to characters when CPython converts it). When [end_offset] is not
// negative, the location ends at [end_lineno], [end_offset] (exclusive), for the ^^^ range
// under the line. The message is printf'd.
static void raise_syntax_v(Parser *p, MiniType *type, int lineno, int offset, int end_lineno,
                           int end_offset, const char *fmt, va_list ap) {
    if (p->error)
        return;
    p->error = true;
    char *msg = lexer_vformat(p->arena, fmt, ap);
    if (!msg)
        return;
    if (p->fstring) {
        msg = lexer_format(p->arena, "f-string: %s", msg);
        if (!msg)
            return;
    }
    size_t len = 0;
    const char *text = lineno > 0 ? source_line(p, lineno, &len) : NULL;
    if (lineno > 0 && !text && mini_error_occurred())
        return;
    if (text && p->src_lx->declared_encoding) {
        // CPython counts the parser's columns in characters only when the source declares
        // its encoding (a coding comment or a byte order mark); otherwise they stay in bytes.
        // The source line goes on with its '\n', which CPython counts as one character.
        const char *raw = lexer_line(p->src_lx, lineno, &len);
        if (offset > 0)
            offset = lexer_char_count(raw, len + 1, offset);
        if (end_offset > 0)
            end_offset = lexer_char_count(raw, len + 1, end_offset);
    }
    mini_raise_syntax_error(type, p->filename, lineno, offset, text, "%s", msg);
    if (end_offset >= 0 && lineno > 0)
        mini_syntax_error_set_end(end_lineno, end_offset);
}

static void raise_syntax(Parser *p, MiniType *type, int lineno, int offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void raise_syntax(Parser *p, MiniType *type, int lineno, int offset, const char *fmt,
                         ...) {
    va_list ap;
    va_start(ap, fmt);
    raise_syntax_v(p, type, lineno, offset, lineno, -1, fmt, ap);
    va_end(ap);
}

// Raises at a known location: token [t] (CPython's RAISE_..._KNOWN_LOCATION). Returns NULL for
// `return error_at_token(...)`.
static void *error_at_token(Parser *p, const Token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void *error_at_token(Parser *p, const Token *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    raise_syntax_v(p, mini_exc_SyntaxError, t->line, t->col + 1, t->end_line, t->end_col + 1,
                   fmt, ap);
    va_end(ap);
    return NULL;
}

// Raises at expression [e].
static void *error_at_expr(Parser *p, const Expr *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void *error_at_expr(Parser *p, const Expr *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    raise_syntax_v(p, mini_exc_SyntaxError, e->pos.line, e->pos.col + 1, e->pos.end_line,
                   e->pos.end_col + 1, fmt, ap);
    va_end(ap);
    return NULL;
}

// Raises from the start of [a] to the end of [b] (CPython's RAISE_..._KNOWN_RANGE).
static void *error_range(Parser *p, SrcPos a, SrcPos b, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void *error_range(Parser *p, SrcPos a, SrcPos b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    raise_syntax_v(p, mini_exc_SyntaxError, a.line, a.col + 1, b.end_line, b.end_col + 1, fmt,
                   ap);
    va_end(ap);
    return NULL;
}

static Token *last_token(Parser *p);

// Raises from the start of [a] to where the tokenizer is (CPython's
// RAISE_SYNTAX_ERROR_STARTING_FROM): the end of the furthest token read.
static void *error_starting_from(Parser *p, SrcPos a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void *error_starting_from(Parser *p, SrcPos a, const char *fmt, ...) {
    Token *t = last_token(p);
    va_list ap;
    va_start(ap, fmt);
    raise_syntax_v(p, mini_exc_SyntaxError, a.line, a.col + 1, t->end_line,
                   t->end_col < 0 ? t->cur_col : t->end_col, fmt, ap);
    va_end(ap);
    return NULL;
}

// Raises [type] at the furthest token looked at (CPython's RAISE_SYNTAX_ERROR and
// RAISE_INDENTATION_ERROR, which report at the last token the tokenizer produced).
static void *error_at_last_v(Parser *p, MiniType *type, const char *fmt, va_list ap) {
    Token *t = last_token(p);
    int offset = t->col < 0 ? t->cur_col : t->col + 1;
    int end_offset = t->end_col < 0 ? -1 : t->end_col + 1;
    raise_syntax_v(p, type, t->line, offset, t->end_line, end_offset, fmt, ap);
    return NULL;
}

static void *error_at_last(Parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void *error_at_last(Parser *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_at_last_v(p, mini_exc_SyntaxError, fmt, ap);
    va_end(ap);
    return NULL;
}

static void *indentation_error(Parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void *indentation_error(Parser *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_at_last_v(p, mini_exc_IndentationError, fmt, ap);
    va_end(ap);
    return NULL;
}

// Records an error CPython's compiler would raise, at [line]:[col], unless one is recorded.
static void defer_error(Parser *p, Stage stage, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void defer_error(Parser *p, Stage stage, int line, int col, const char *fmt, ...) {
    DeferredError *d = &p->deferred->stage[stage];
    if (d->set)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = lexer_vformat(p->arena, fmt, ap);
    va_end(ap);
    if (!msg) {
        p->error = true;
        return;
    }
    d->set = true;
    d->msg = msg;
    d->line = line;
    d->col = col;
}

static void *memory_error(Parser *p) {
    p->error = true;
    return NULL;
}

// Raises the tokenizer error recorded in the lexer, worded as CPython's parser words it.
static void raise_lexer_error(Parser *p) {
    const LexError *e = &p->lx->err;
    if (!p->error)
        p->lexer_error = true;
    switch (e->kind) {
    case LEXERR_NONE:
        raise_syntax(p, mini_exc_SyntaxError, 0, 0, "invalid syntax");
        return;
    case LEXERR_MEMORY:
        p->error = true;
        return;
    case LEXERR_RAISE: {
        if (p->error)
            return;
        p->error = true;
        if (e->lineno <= 0) {
            // No position (an undecodable line): CPython's SyntaxError has only a message.
            mini_raise_str(e->type, e->msg);
            return;
        }
        size_t len = 0;
        const char *text = source_line(p, e->lineno, &len);
        if (!text && mini_error_occurred())
            return;
        mini_raise_syntax_error(e->type, p->filename, e->lineno, e->offset, text, "%s", e->msg);
        return;
    }
    case LEXERR_EOF:
        if (e->level > 0)
            raise_syntax(p, mini_exc_SyntaxError, e->paren_line, e->paren_col + 1,
                         "'%c' was never closed", e->paren);
        else
            raise_syntax(p, mini_exc_SyntaxError, e->lineno, e->cur_col,
                         "unexpected EOF while parsing");
        return;
    case LEXERR_DEDENT:
        raise_syntax(p, mini_exc_IndentationError, e->lineno, e->cur_col,
                     "unindent does not match any outer indentation level");
        return;
    case LEXERR_TABSPACE:
        raise_syntax(p, mini_exc_TabError, e->lineno, 1,
                     "inconsistent use of tabs and spaces in indentation");
        return;
    case LEXERR_TOODEEP:
        raise_syntax(p, mini_exc_IndentationError, e->lineno, 1, "too many levels of indentation");
        return;
    case LEXERR_LINECONT:
        raise_syntax(p, mini_exc_SyntaxError, e->lineno, e->cur_col,
                     "unexpected character after line continuation character");
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

// The token at index [i] (clamped to the last one), counting it as looked at. Reaching the
// tokenizer's error raises it.
static Token *tok_at(Parser *p, size_t i) {
    if (i >= p->ntoks)
        i = p->ntoks - 1;
    if (i + 1 > p->fill)
        p->fill = i + 1;
    if (i + 1 > p->fill1 && !p->second_pass)
        p->fill1 = i + 1;
    Token *t = &p->toks[i];
    if (t->kind == TOK_ERRORTOKEN && !p->error)
        raise_lexer_error(p);
    return t;
}

static Token *last_token(Parser *p) {
    size_t i = p->fill ? p->fill - 1 : 0;
    if (i >= p->ntoks)
        i = p->ntoks - 1;
    return &p->toks[i];
}

// The last token the parse proper read: where the generic "invalid syntax" goes.
static Token *last_parse_token(Parser *p) {
    size_t i = p->fill1 ? p->fill1 - 1 : 0;
    if (i >= p->ntoks)
        i = p->ntoks - 1;
    return &p->toks[i];
}

static Token *peek(Parser *p) { return tok_at(p, p->pos); }
static TokKind peek_kind(Parser *p) { return tok_at(p, p->pos)->kind; }
static TokKind peek_kind_at(Parser *p, size_t k) { return tok_at(p, p->pos + k)->kind; }
static bool check(Parser *p, TokKind k) { return peek_kind(p) == k; }

// The kind of the token [k] places ahead, for a diagnostic: this look does not move the
// generic error's position (it stays where the parse failed).
static TokKind raw_kind_at(Parser *p, size_t k) {
    size_t i = p->pos + k;
    if (i >= p->ntoks)
        i = p->ntoks - 1;
    if (i + 1 > p->fill)
        p->fill = i + 1;
    return p->toks[i].kind;
}

// Consumes the current token and returns it (never moves past the last token).
static Token *advance(Parser *p) {
    Token *t = tok_at(p, p->pos);
    if (p->pos + 1 < p->ntoks)
        p->pos++;
    return t;
}

static Token *accept(Parser *p, TokKind k) {
    if (peek_kind(p) != k)
        return NULL;
    return advance(p);
}

// The last token consumed.
static Token *prev_token(Parser *p) { return &p->toks[p->pos > 0 ? p->pos - 1 : 0]; }

// Whether the token's text is [s] (for names).
static bool tok_is(const Token *t, const char *s) {
    size_t n = strlen(s);
    return t->len == n && memcmp(t->start, s, n) == 0;
}

// ---------------------------------------------------------------------------------------------
// Growable arrays in the arena
// ---------------------------------------------------------------------------------------------

#define DEFINE_VEC(Name, T)                                                                      \
    typedef struct {                                                                             \
        size_t count;                                                                            \
        T *items;                                                                                \
        size_t cap;                                                                              \
    } Name;

DEFINE_VEC(ExprVec, Expr *)
DEFINE_VEC(StmtVec, Stmt *)
DEFINE_VEC(KeywordVec, Keyword)
DEFINE_VEC(ArgVec, Arg)
DEFINE_VEC(CompVec, Comprehension)
DEFINE_VEC(HandlerVec, ExceptHandler)
DEFINE_VEC(WithItemVec, WithItem)
DEFINE_VEC(AliasVec, Alias)
DEFINE_VEC(NameVec, const char *)
DEFINE_VEC(CmpVec, CmpOpKind)

// Makes room for one more item of [size] bytes in the array at [*items].
static bool vec_reserve(Parser *p, void **items, size_t count, size_t *cap, size_t size) {
    if (count < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *n = arena_alloc(p->arena, ncap * size);
    if (!n) {
        p->error = true;
        return false;
    }
    if (count)
        memcpy(n, *items, count * size);
    *items = n;
    *cap = ncap;
    return true;
}

#define PUSH(p, v, x)                                                                            \
    (vec_reserve((p), (void **)&(v).items, (v).count, &(v).cap, sizeof *(v).items) &&            \
     ((v).items[(v).count++] = (x), true))
#define AS_LIST(ListT, v) ((ListT){(v).count, (v).items})

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

static SrcPos pos_tokens(const Token *a, const Token *b) {
    return (SrcPos){a->line, a->col, b->end_line, b->end_col};
}

// From the token at index [start] to the last token consumed.
static SrcPos pos_from(Parser *p, size_t start) {
    return pos_tokens(&p->toks[start], prev_token(p));
}

static Expr *new_expr(Parser *p, ExprKind kind, SrcPos pos) {
    Expr *e = arena_alloc(p->arena, sizeof(Expr));
    if (!e) {
        p->error = true;
        return NULL;
    }
    e->kind = kind;
    e->pos = pos;
    return e;
}

static Stmt *new_stmt(Parser *p, StmtKind kind, SrcPos pos) {
    Stmt *s = arena_alloc(p->arena, sizeof(Stmt));
    if (!s) {
        p->error = true;
        return NULL;
    }
    s->kind = kind;
    s->pos = pos;
    return s;
}

static char *arena_strndup(Parser *p, const char *s, size_t n) {
    char *c = arena_alloc(p->arena, n + 1);
    if (!c) {
        p->error = true;
        return NULL;
    }
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

static const char *tok_name(Parser *p, const Token *t) {
    return arena_strndup(p, t->start, t->len);
}

static Expr *new_name(Parser *p, const Token *t, ExprContext ctx) {
    const char *id = tok_name(p, t);
    if (!id)
        return NULL;
    Expr *e = new_expr(p, EXPR_NAME, pos_tokens(t, t));
    if (!e)
        return NULL;
    e->u.name.id = id;
    e->u.name.ctx = ctx;
    return e;
}

static Expr *new_constant(Parser *p, MiniObject *value, SrcPos pos) {
    Expr *e = new_expr(p, EXPR_CONSTANT, pos);
    if (!e)
        return NULL;
    e->u.constant.value = value;
    return e;
}

static Expr *new_tuple(Parser *p, ExprVec elts, ExprContext ctx, SrcPos pos) {
    Expr *e = new_expr(p, EXPR_TUPLE, pos);
    if (!e)
        return NULL;
    e->u.list.elts = AS_LIST(ExprList, elts);
    e->u.list.ctx = ctx;
    return e;
}

static bool is_name(const Expr *e, const char *id) {
    return e->kind == EXPR_NAME && strcmp(e->u.name.id, id) == 0;
}

// ---------------------------------------------------------------------------------------------
// Recursion guard
// ---------------------------------------------------------------------------------------------

// Enters one level of a recursive rule; false (with SyntaxError) past the limit.
static bool enter(Parser *p) {
    if (p->depth >= MINI_MAX_AST_DEPTH) {
        if (!p->error)
            error_at_token(p, peek(p), "too complex");
        p->error = true;
        return false;
    }
    p->depth++;
    return true;
}

static void leave(Parser *p) { p->depth--; }

// ---------------------------------------------------------------------------------------------
// Assignment targets
// ---------------------------------------------------------------------------------------------

// What CPython calls an expression in "cannot assign to %s" (_PyPegen_get_expr_name).
static const char *expr_name(const Expr *e) {
    switch (e->kind) {
    case EXPR_ATTRIBUTE: return "attribute";
    case EXPR_SUBSCRIPT: return "subscript";
    case EXPR_STARRED: return "starred";
    case EXPR_NAME: return "name";
    case EXPR_LIST: return "list";
    case EXPR_TUPLE: return "tuple";
    case EXPR_LAMBDA: return "lambda";
    case EXPR_CALL: return "function call";
    case EXPR_BOOLOP:
    case EXPR_BINOP:
    case EXPR_UNARYOP: return "expression";
    case EXPR_GENEXP: return "generator expression";
    case EXPR_YIELD:
    case EXPR_YIELDFROM: return "yield expression";
    case EXPR_AWAIT: return "await expression";
    case EXPR_LISTCOMP: return "list comprehension";
    case EXPR_SETCOMP: return "set comprehension";
    case EXPR_DICTCOMP: return "dict comprehension";
    case EXPR_DICT: return "dict literal";
    case EXPR_SET: return "set display";
    case EXPR_JOINEDSTR:
    case EXPR_FORMATTEDVALUE: return "f-string expression";
    case EXPR_CONSTANT: {
        MiniObject *v = e->u.constant.value;
        if (v == MINI_NONE)
            return "None";
        if (v == MINI_FALSE)
            return "False";
        if (v == MINI_TRUE)
            return "True";
        if (v == MINI_ELLIPSIS)
            return "ellipsis";
        return "literal";
    }
    case EXPR_COMPARE: return "comparison";
    case EXPR_IFEXP: return "conditional expression";
    case EXPR_NAMEDEXPR: return "named expression";
    case EXPR_SLICE: return "slice";
    }
    return "expression";
}

typedef enum { TARGETS_STAR, TARGETS_DEL, TARGETS_FOR } TargetsKind;

// The first part of [e] that cannot be a target of [kind], or NULL if [e] is a valid target
// (CPython's _PyPegen_get_invalid_target).
static Expr *invalid_target(Expr *e, TargetsKind kind) {
    if (!e)
        return NULL;
    switch (e->kind) {
    case EXPR_LIST:
    case EXPR_TUPLE:
        for (size_t i = 0; i < e->u.list.elts.count; i++) {
            Expr *bad = invalid_target(e->u.list.elts.items[i], kind);
            if (bad)
                return bad;
        }
        return NULL;
    case EXPR_STARRED:
        if (kind == TARGETS_DEL)
            return e;
        return invalid_target(e->u.starred.value, kind);
    case EXPR_COMPARE:
        // `for a in b` parses as a comparison when re-read as an expression: the target is
        // the left side of its first `in`.
        if (kind == TARGETS_FOR) {
            if (e->u.compare.ops[0] == CMPOP_IN)
                return invalid_target(e->u.compare.left, kind);
            return NULL;
        }
        return e;
    case EXPR_NAME:
    case EXPR_SUBSCRIPT:
    case EXPR_ATTRIBUTE:
        return NULL;
    default:
        return e;
    }
}

// Sets the context of a valid target [e] and of everything it unpacks into.
static void set_context(Expr *e, ExprContext ctx) {
    switch (e->kind) {
    case EXPR_NAME: e->u.name.ctx = ctx; break;
    case EXPR_ATTRIBUTE: e->u.attribute.ctx = ctx; break;
    case EXPR_SUBSCRIPT: e->u.subscript.ctx = ctx; break;
    case EXPR_STARRED:
        e->u.starred.ctx = ctx;
        set_context(e->u.starred.value, ctx);
        break;
    case EXPR_LIST:
    case EXPR_TUPLE:
        e->u.list.ctx = ctx;
        for (size_t i = 0; i < e->u.list.elts.count; i++)
            set_context(e->u.list.elts.items[i], ctx);
        break;
    default: break;
    }
}

// The checks CPython's compiler makes on starred targets, kept back until the parse ends.
static void check_starred_targets(Parser *p, const Expr *e, bool in_sequence) {
    if (e->kind == EXPR_STARRED) {
        if (!in_sequence)
            defer_error(p, STAGE_COMPILER, e->pos.line, e->pos.col,
                        "starred assignment target must be in a list or tuple");
        check_starred_targets(p, e->u.starred.value, false);
    } else if (e->kind == EXPR_LIST || e->kind == EXPR_TUPLE) {
        size_t stars = 0;
        for (size_t i = 0; i < e->u.list.elts.count; i++)
            if (e->u.list.elts.items[i]->kind == EXPR_STARRED)
                stars++;
        if (stars > 1)
            defer_error(p, STAGE_COMPILER, e->pos.line, e->pos.col,
                        "multiple starred expressions in assignment");
        for (size_t i = 0; i < e->u.list.elts.count; i++)
            check_starred_targets(p, e->u.list.elts.items[i], true);
    }
}

// Makes [e] a store target (already known valid).
static void make_store(Parser *p, Expr *e) {
    set_context(e, CTX_STORE);
    check_starred_targets(p, e, false);
}

// ---------------------------------------------------------------------------------------------
// Literals: numbers
// ---------------------------------------------------------------------------------------------

static Expr *parse_number(Parser *p, Token *t) {
    const char *s = t->start;
    size_t n = t->len;
    if (s[n - 1] == 'j' || s[n - 1] == 'J')
        return error_at_token(p, t, "complex numbers are not supported in mini");
    char *buf = arena_alloc(p->arena, n + 1);
    if (!buf)
        return memory_error(p);
    size_t len = 0;
    bool is_float = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            continue;
        buf[len++] = s[i];
    }
    buf[len] = '\0';
    MiniObject *value;
    if (len >= 2 && buf[0] == '0' && strchr("xXoObB", buf[1])) {
        int base = (buf[1] == 'x' || buf[1] == 'X') ? 16 : (buf[1] == 'o' || buf[1] == 'O') ? 8 : 2;
        value = int_from_string(buf + 2, len - 2, base);
    } else {
        for (size_t i = 0; i < len; i++)
            if (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E')
                is_float = true;
        if (is_float) {
            value = float_new(strtod(buf, NULL));
        } else if (len <= 18) {
            int64_t v = 0;
            for (size_t i = 0; i < len; i++)
                v = v * 10 + (buf[i] - '0');
            value = int_from_i64(v);
        } else {
            value = int_from_string(buf, len, 10);
        }
    }
    if (!value) {
        if (mini_error_matches(mini_exc_ValueError)) {
            // The limit on digits of int(str) applies to literals too; CPython words it as a
            // SyntaxError with advice.
            MiniObject *exc = mini_error_fetch();
            MiniObject *str = exc ? mini_str(exc) : NULL;
            MINI_XDECREF(exc);
            if (!str) {
                p->error = true;
                return NULL;
            }
            char *msg = arena_strndup(p, STR_DATA(str), STR_SIZE(str));
            MINI_DECREF(str);
            if (!msg)
                return NULL;
            raise_syntax(p, mini_exc_SyntaxError, t->line, 0,
                         "%s - Consider hexadecimal for huge integer literals to avoid decimal "
                         "conversion limits.",
                         msg);
            return NULL;
        }
        p->error = true;
        return NULL;
    }
    mini_make_immortal_vm(value); // (gc) vm_free releases it
    return new_constant(p, value, pos_tokens(t, t));
}

// ---------------------------------------------------------------------------------------------
// Literals: strings, bytes and f-strings
// ---------------------------------------------------------------------------------------------

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

static bool buf_add(Parser *p, Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *d = arena_alloc(p->arena, ncap);
        if (!d) {
            p->error = true;
            return false;
        }
        if (b->len)
            memcpy(d, b->data, b->len);
        b->data = d;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static bool buf_addc(Parser *p, Buf *b, char c) { return buf_add(p, b, &c, 1); }

// Appends code point [cp] in UTF-8; lone surrogates take their 3-byte form, as mini's str
// keeps them (runtime/str.c).
static bool buf_add_cp(Parser *p, Buf *b, uint32_t cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return buf_add(p, b, u, n);
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t utf8_len_at(const unsigned char *s) {
    if (*s < 0x80)
        return 1;
    if (*s < 0xe0)
        return 2;
    if (*s < 0xf0)
        return 3;
    return 4;
}

// Reports a bad escape as CPython's unicode_escape codec does. [start] and [end] (exclusive)
// are positions in the text CPython decodes, where each non-ASCII character counts 10 (it is
// first rewritten as a \U escape).
static bool escape_error(Parser *p, size_t start, size_t end, const char *reason) {
    if (end - start > 1)
        error_at_last(p,
                      "(unicode error) 'unicodeescape' codec can't decode bytes in position "
                      "%zu-%zu: %s",
                      start, end - 1, reason);
    else
        error_at_last(p,
                      "(unicode error) 'unicodeescape' codec can't decode byte 0x5c in position "
                      "%zu: %s",
                      start, reason);
    return false;
}

// Decodes the escapes of a (non-raw) str literal body [s] of [n] bytes into [out].
static bool decode_str_escapes(Parser *p, const char *s, size_t n, Buf *out) {
    const char *end = s + n;
    size_t vpos = 0;
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c != '\\') {
            // Copy a run of ordinary characters at once.
            const char *run = s;
            while (s < end && *s != '\\') {
                if ((unsigned char)*s < 0x80) {
                    s++;
                    vpos++;
                } else {
                    size_t k = utf8_len_at((const unsigned char *)s);
                    s += k;
                    vpos += 10;
                }
            }
            if (s > end)
                s = end;
            if (!buf_add(p, out, run, (size_t)(s - run)))
                return false;
            continue;
        }
        size_t esc = vpos;
        s++;
        if (s >= end || ((unsigned char)*s >= 0x80)) {
            // A backslash before a non-ASCII character (or at the very end) stays itself.
            vpos += 6;
            if (!buf_addc(p, out, '\\'))
                return false;
            continue;
        }
        c = (unsigned char)*s++;
        vpos += 2;
        uint32_t ch;
        int count;
        const char *reason;
        switch (c) {
        case '\n': continue;
        case '\\': ch = '\\'; break;
        case '\'': ch = '\''; break;
        case '"': ch = '"'; break;
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 't': ch = '\t'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 'v': ch = '\v'; break;
        case 'a': ch = '\a'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
            ch = (uint32_t)(c - '0');
            for (int k = 0; k < 2 && s < end && *s >= '0' && *s <= '7'; k++) {
                ch = ch * 8 + (uint32_t)(*s++ - '0');
                vpos++;
            }
            break;
        case 'x':
            count = 2;
            reason = "truncated \\xXX escape";
            goto hexescape;
        case 'u':
            count = 4;
            reason = "truncated \\uXXXX escape";
            goto hexescape;
        case 'U':
            count = 8;
            reason = "truncated \\UXXXXXXXX escape";
        hexescape:
            for (ch = 0; count; count--) {
                int h = s < end ? hex_value((unsigned char)*s) : -1;
                if (h < 0)
                    return escape_error(p, esc, vpos, reason);
                ch = (ch << 4) | (uint32_t)h;
                s++;
                vpos++;
            }
            if (ch > 0x10ffff)
                return escape_error(p, esc, vpos, "illegal Unicode character");
            break;
        case 'N': {
            reason = "malformed \\N character escape";
            if (s >= end)
                return escape_error(p, esc, vpos, reason);
            if (*s == '{') {
                const char *name = ++s;
                vpos++;
                while (s < end && *s != '}') {
                    if ((unsigned char)*s < 0x80) {
                        s++;
                        vpos++;
                    } else {
                        s += utf8_len_at((const unsigned char *)s);
                        vpos += 10;
                    }
                }
                if (s >= end)
                    return escape_error(p, esc, vpos, reason);
                size_t namelen = (size_t)(s - name);
                if (namelen) {
                    s++;
                    vpos++;
                    if (lexer_lookup_name(name, namelen, &ch))
                        break;
                    reason = "unknown Unicode character name";
                }
            }
            return escape_error(p, esc, vpos, reason);
        }
        default:
            // An unknown escape keeps its backslash (CPython warns about it).
            if (!buf_addc(p, out, '\\') || !buf_addc(p, out, (char)c))
                return false;
            continue;
        }
        if (!buf_add_cp(p, out, ch))
            return false;
    }
    return true;
}

// Decodes the escapes of a (non-raw) bytes literal body, as CPython's _PyBytes_DecodeEscape.
static bool decode_bytes_escapes(Parser *p, const char *s, size_t n, Buf *out) {
    const char *begin = s, *end = s + n;
    while (s < end) {
        if (*s != '\\') {
            if (!buf_addc(p, out, *s++))
                return false;
            continue;
        }
        const char *esc = s++;
        if (s >= end) {
            error_at_last(p, "(value error) Trailing \\ in string");
            return false;
        }
        char c = *s++;
        int v;
        switch (c) {
        case '\n': continue;
        case '\\': v = '\\'; break;
        case '\'': v = '\''; break;
        case '"': v = '"'; break;
        case 'b': v = '\b'; break;
        case 'f': v = '\f'; break;
        case 't': v = '\t'; break;
        case 'n': v = '\n'; break;
        case 'r': v = '\r'; break;
        case 'v': v = '\v'; break;
        case 'a': v = '\a'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
            v = c - '0';
            for (int k = 0; k < 2 && s < end && *s >= '0' && *s <= '7'; k++)
                v = v * 8 + (*s++ - '0');
            v &= 0xff;
            break;
        case 'x': {
            int h1 = s < end ? hex_value((unsigned char)s[0]) : -1;
            int h2 = s + 1 < end ? hex_value((unsigned char)s[1]) : -1;
            if (h1 < 0 || h2 < 0) {
                error_at_last(p, "(value error) invalid \\x escape at position %zu",
                              (size_t)(esc - begin));
                return false;
            }
            v = h1 * 16 + h2;
            s += 2;
            break;
        }
        default:
            if (!buf_addc(p, out, '\\') || !buf_addc(p, out, c))
                return false;
            continue;
        }
        if (!buf_addc(p, out, (char)v))
            return false;
    }
    return true;
}

// The pieces of a string concatenation being built (CPython's FstringParser).
typedef struct {
    Buf last;      // literal text not yet turned into a Constant
    ExprVec values;
    bool fmode;    // an f-string took part: the result is a JoinedStr
    SrcPos pos;    // of the whole concatenation: every piece gets it
} StrState;

static Expr *new_str_constant(Parser *p, const char *s, size_t n, SrcPos pos) {
    MiniObject *v = str_new(s ? s : "", n);
    if (!v) {
        p->error = true;
        return NULL;
    }
    mini_make_immortal_vm(v); // (gc) vm_free releases it
    return new_constant(p, v, pos);
}

// Moves the pending literal text, if any, into the JoinedStr's values.
static bool flush_literal(Parser *p, StrState *st) {
    if (st->last.len == 0)
        return true;
    Expr *c = new_str_constant(p, st->last.data, st->last.len, st->pos);
    st->last.len = 0;
    return c && PUSH(p, st->values, c);
}

static Expr *parse_fstring_in(Parser *p, const char **str, const char *end, bool raw,
                              int recurse, Token *t, SrcPos pos);
static bool fstring_concat(Parser *p, StrState *st, const char **str, const char *end, bool raw,
                           int recurse, Token *t);
static Expr *parse_fstring_expr_text(Parser *p, const char *start, const char *end, Token *t);

// Reads the literal text of an f-string up to an expression's '{' (or the end, or at nested
// levels a '}'), decoding it into [st]. Returns 1 when a doubled brace was read (the caller
// goes on with the literal), 0 otherwise, -1 on error.
static int fstring_find_literal(Parser *p, StrState *st, const char **str, const char *end,
                                bool raw, int recurse) {
    const char *s = *str;
    const char *literal_start = s;
    int result = 0;
    const char *lit_end;
    while (s < end) {
        char ch = *s++;
        if (!raw && ch == '\\' && s < end) {
            ch = *s++;
            if (ch == 'N') {
                // Skip "\N{...}" so that its braces do not start an expression.
                if (s < end && *s++ == '{') {
                    while (s < end && *s++ != '}') {
                    }
                }
                continue;
            }
        }
        if (ch == '{' || ch == '}') {
            // Doubled braces stand for themselves, but only at the top level: in a format
            // spec, f'{x:{y}}' ends with two closing braces.
            if (recurse == 0) {
                if (s < end && *s == ch) {
                    *str = s + 1;
                    lit_end = s;
                    result = 1;
                    goto done;
                }
                if (ch == '}') {
                    *str = s - 1;
                    error_at_last(p, "f-string: single '}' is not allowed");
                    return -1;
                }
            }
            s--;
            break;
        }
    }
    *str = s;
    lit_end = s;
done:
    if (lit_end != literal_start) {
        if (raw) {
            if (!buf_add(p, &st->last, literal_start, (size_t)(lit_end - literal_start)))
                return -1;
        } else if (!decode_str_escapes(p, literal_start, (size_t)(lit_end - literal_start),
                                       &st->last)) {
            return -1;
        }
    }
    return result;
}

// Reads one replacement field "{expr[=][!c][:spec]}" starting at the '{' at *str, and adds its
// FormattedValue (and the "expr=" text of the debug form) to [st].
static bool fstring_find_expr(Parser *p, StrState *st, const char **str, const char *end,
                              bool raw, int recurse, Token *t) {
    if (recurse >= 2) {
        error_at_last(p, "f-string: expressions nested too deeply");
        return false;
    }
    *str += 1; // the '{'
    const char *expr_start = *str;
    char quote_char = 0;
    int string_type = 0;
    int nested = 0;
    char parens[MINI_MAX_PAREN_DEPTH];
    for (; *str < end; (*str)++) {
        char ch = **str;
        if (ch == '\\') {
            error_at_last(p, "f-string expression part cannot include a backslash");
            return false;
        }
        if (quote_char) {
            if (ch == quote_char) {
                if (string_type == 3) {
                    if (*str + 2 < end && (*str)[1] == ch && (*str)[2] == ch) {
                        *str += 2;
                        string_type = 0;
                        quote_char = 0;
                    }
                } else {
                    string_type = 0;
                    quote_char = 0;
                }
            }
            continue;
        }
        if (ch == '\'' || ch == '"') {
            if (*str + 2 < end && (*str)[1] == ch && (*str)[2] == ch) {
                string_type = 3;
                *str += 2;
            } else {
                string_type = 1;
            }
            quote_char = ch;
        } else if (ch == '[' || ch == '{' || ch == '(') {
            if (nested >= MINI_MAX_PAREN_DEPTH) {
                error_at_last(p, "f-string: too many nested parenthesis");
                return false;
            }
            parens[nested++] = ch;
        } else if (ch == '#') {
            error_at_last(p, "f-string expression part cannot include '#'");
            return false;
        } else if (nested == 0 &&
                   (ch == '!' || ch == ':' || ch == '}' || ch == '=' || ch == '>' || ch == '<')) {
            // "!=", "==", "<=", ">=" are operators, and a lone '<' or '>' too: they do not end
            // the expression.
            if (*str + 1 < end) {
                char next = (*str)[1];
                if ((ch == '!' && next == '=') || (ch == '=' && next == '=') ||
                    (ch == '<' && next == '=') || (ch == '>' && next == '=')) {
                    *str += 1;
                    continue;
                }
            }
            if (ch == '>' || ch == '<')
                continue;
            break;
        } else if (ch == ']' || ch == '}' || ch == ')') {
            if (!nested) {
                error_at_last(p, "f-string: unmatched '%c'", ch);
                return false;
            }
            char opening = parens[--nested];
            if (!((opening == '(' && ch == ')') || (opening == '[' && ch == ']') ||
                  (opening == '{' && ch == '}'))) {
                error_at_last(p,
                              "f-string: closing parenthesis '%c' does not match opening "
                              "parenthesis '%c'",
                              ch, opening);
                return false;
            }
        }
    }
    const char *expr_end = *str;
    if (quote_char) {
        error_at_last(p, "f-string: unterminated string");
        return false;
    }
    if (nested) {
        error_at_last(p, "f-string: unmatched '%c'", parens[nested - 1]);
        return false;
    }
    if (*str >= end)
        goto unexpected_end;

    // The expression is parsed first, so that its errors come before those of the
    // conversion or the format spec.
    Expr *value = parse_fstring_expr_text(p, expr_start, expr_end, t);
    if (!value)
        return false;

    bool debug = false;
    if (**str == '=') {
        *str += 1;
        while (*str < end && (**str == ' ' || **str == '\t' || **str == '\n' || **str == '\r' ||
                              **str == '\f' || **str == '\v'))
            *str += 1;
        if (*str >= end)
            goto unexpected_end;
        // The debug form: the expression's text (with the '=' and spaces) becomes literal text.
        if (!buf_add(p, &st->last, expr_start, (size_t)(*str - expr_start)))
            return false;
        debug = true;
    }
    int conversion = -1;
    if (**str == '!') {
        *str += 1;
        if (*str >= end)
            goto unexpected_end;
        conversion = (unsigned char)**str;
        *str += 1;
        if (!(conversion == 's' || conversion == 'r' || conversion == 'a')) {
            error_at_last(p, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
            return false;
        }
    }
    Expr *spec = NULL;
    if (*str < end && **str == ':') {
        *str += 1;
        if (*str >= end)
            goto unexpected_end;
        spec = parse_fstring_in(p, str, end, raw, recurse + 1, t, st->pos);
        if (!spec)
            return false;
    }
    if (*str >= end || **str != '}')
        goto unexpected_end;
    *str += 1;
    if (debug && !spec && conversion == -1)
        conversion = 'r';
    Expr *fv = new_expr(p, EXPR_FORMATTEDVALUE, st->pos);
    if (!fv)
        return false;
    fv->u.formattedvalue.value = value;
    fv->u.formattedvalue.conversion = conversion;
    fv->u.formattedvalue.format_spec = spec;
    st->fmode = true;
    return flush_literal(p, st) && PUSH(p, st->values, fv);

unexpected_end:
    error_at_last(p, "f-string: expecting '}'");
    return false;
}

// Adds the f-string text from *str to [end] to [st]: literals and replacement fields.
static bool fstring_concat(Parser *p, StrState *st, const char **str, const char *end, bool raw,
                           int recurse, Token *t) {
    st->fmode = true;
    for (;;) {
        int r = fstring_find_literal(p, st, str, end, raw, recurse);
        if (r < 0)
            return false;
        if (r == 1)
            continue;
        if (*str >= end || **str == '}')
            break;
        if (!fstring_find_expr(p, st, str, end, raw, recurse, t))
            return false;
    }
    if (recurse == 0 && *str < end - 1) {
        error_at_last(p, "f-string: unexpected end of string");
        return false;
    }
    if (recurse != 0 && (*str >= end || **str != '}')) {
        error_at_last(p, "f-string: expecting '}'");
        return false;
    }
    return true;
}

// Parses a nested f-string (a format spec) into a JoinedStr.
static Expr *parse_fstring_in(Parser *p, const char **str, const char *end, bool raw,
                              int recurse, Token *t, SrcPos pos) {
    StrState st = {0};
    st.pos = pos;
    if (!fstring_concat(p, &st, str, end, raw, recurse, t))
        return NULL;
    // As in CPython, the spec and its last literal piece span only the token they are in;
    // the pieces before it span the whole concatenation.
    st.pos = pos_tokens(t, t);
    if (!flush_literal(p, &st))
        return NULL;
    Expr *e = new_expr(p, EXPR_JOINEDSTR, st.pos);
    if (!e)
        return NULL;
    e->u.joinedstr.values = AS_LIST(ExprList, st.values);
    return e;
}

// One or more adjacent STRING tokens: a str or bytes Constant, or a JoinedStr.
static Expr *parse_strings(Parser *p) {
    size_t start = p->pos;
    while (check(p, TOK_STRING))
        advance(p);
    if (p->error)
        return NULL;
    size_t stop = p->pos;
    StrState st = {0};
    st.pos = pos_tokens(&p->toks[start], &p->toks[stop - 1]);
    Buf bytes = {0};
    bool bytesmode = false;
    for (size_t i = start; i < stop; i++) {
        Token *t = &p->toks[i];
        const char *s = t->start;
        bool is_b = false, is_r = false, is_f = false;
        while (*s != '\'' && *s != '"') {
            char c = *s++;
            if (c == 'b' || c == 'B')
                is_b = true;
            else if (c == 'r' || c == 'R')
                is_r = true;
            else if (c == 'f' || c == 'F')
                is_f = true;
        }
        char quote = *s;
        size_t prefix = (size_t)(s - t->start);
        size_t rest = t->len - prefix; // quotes and body
        size_t qlen = (rest >= 6 && s[1] == quote && s[2] == quote) ? 3 : 1;
        const char *body = s + qlen;
        size_t body_len = rest - 2 * qlen;
        const char *body_end = body + body_len;
        if (is_f) {
            if (!fstring_concat(p, &st, &body, body_end, is_r, 0, t))
                return NULL;
        } else if (is_b) {
            for (size_t k = 0; k < body_len; k++) {
                if ((unsigned char)body[k] >= 0x80)
                    return error_at_token(p, t, "bytes can only contain ASCII literal characters");
            }
            if (is_r || !memchr(body, '\\', body_len)) {
                if (!buf_add(p, &bytes, body, body_len))
                    return NULL;
            } else if (!decode_bytes_escapes(p, body, body_len, &bytes)) {
                return NULL;
            }
        } else {
            if (is_r || !memchr(body, '\\', body_len)) {
                if (!buf_add(p, &st.last, body, body_len))
                    return NULL;
            } else if (!decode_str_escapes(p, body, body_len, &st.last)) {
                return NULL;
            }
        }
        if (i != start && bytesmode != is_b)
            return error_at_last(p, "cannot mix bytes and nonbytes literals");
        bytesmode = is_b;
    }
    if (bytesmode) {
        MiniObject *v = bytes_new(bytes.data ? bytes.data : "", bytes.len);
        if (!v)
            return memory_error(p);
        mini_make_immortal_vm(v); // (gc) vm_free releases it
        return new_constant(p, v, st.pos);
    }
    if (!st.fmode)
        return new_str_constant(p, st.last.data, st.last.len, st.pos);
    if (!flush_literal(p, &st))
        return NULL;
    Expr *e = new_expr(p, EXPR_JOINEDSTR, st.pos);
    if (!e)
        return NULL;
    e->u.joinedstr.values = AS_LIST(ExprList, st.values);
    return e;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

static Expr *parse_expression(Parser *p);
static Expr *expression_impl(Parser *p, bool check_invalid);
static Expr *parse_named_expression(Parser *p);
static Expr *parse_star_expressions(Parser *p);
static Expr *parse_star_named_expression(Parser *p);
static Expr *parse_disjunction(Parser *p);
static Expr *parse_bitor(Parser *p);
static Expr *parse_primary(Parser *p);
static Expr *parse_atom(Parser *p);
static Expr *parse_yield_expr(Parser *p);
static Expr *parse_lambda(Parser *p);
static Expr *parse_slices(Parser *p);
static Expr *parse_call(Parser *p, Expr *func, size_t start);
static bool parse_arguments(Parser *p, ExprVec *args, KeywordVec *kws, bool allow_genexp,
                            size_t lpar);
static Arguments *parse_params(Parser *p, bool lambda);
static bool parse_for_if_clauses(Parser *p, CompVec *out);
static Expr *parse_star_targets(Parser *p);

// Whether a token can begin an expression (CPython's expression_without_invalid).
static bool starts_expression(TokKind k) {
    switch (k) {
    case TOK_NAME:
    case TOK_NUMBER:
    case TOK_STRING:
    case TOK_LPAR:
    case TOK_LSQB:
    case TOK_LBRACE:
    case TOK_MINUS:
    case TOK_PLUS:
    case TOK_TILDE:
    case TOK_NOT:
    case TOK_LAMBDA:
    case TOK_NONE:
    case TOK_TRUE:
    case TOK_FALSE:
    case TOK_ELLIPSIS:
    case TOK_AWAIT: return true;
    default: return false;
    }
}

static bool starts_star_expression(TokKind k) { return k == TOK_STAR || starts_expression(k); }

// CPython 3.11 recognizes a soft keyword by comparing only as many characters as the name
// has: any prefix of "_", "case" or "match" ("c", "ma") counts, and this is reproduced.
static bool is_soft_keyword(const Token *t) {
    static const char *const soft[] = {"_", "case", "match"};
    if (t->kind != TOK_NAME)
        return false;
    for (int i = 0; i < 3; i++)
        if (t->len <= strlen(soft[i]) && memcmp(t->start, soft[i], t->len) == 0)
            return true;
    return false;
}

// CPython's invalid_expression ("Perhaps you forgot a comma?") and invalid_legacy_expression
// ("Missing parentheses in call to 'print'"), tried when the disjunction [a], which began at
// token [start], is followed by a token that could begin another expression: that never
// happens in valid code. False when an error was raised.
static bool check_missing_comma(Parser *p, size_t start, Expr *a) {
    const Token *t0 = &p->toks[start];
    const Token *t1 = &p->toks[start + 1 < p->ntoks ? start + 1 : start];
    Mark m = mark(p);
    if (!((t0->kind == TOK_NAME && t1->kind == TOK_STRING) || is_soft_keyword(t0))) {
        // The second expression is read with every check off, as CPython's
        // expression_without_invalid rule does.
        p->no_invalid++;
        p->memo_marking += p->second_pass;
        Expr *b = expression_impl(p, false);
        p->memo_marking -= p->second_pass;
        p->no_invalid--;
        if (p->error)
            return false;
        int level = prev_token(p)->level;
        reset_all(p, m);
        if (b && !is_name(a, "print") && !is_name(a, "exec") && level != 0) {
            error_range(p, a->pos, b->pos, "invalid syntax. Perhaps you forgot a comma?");
            return false;
        }
    }
    // CPython reads the rest as star_expressions after any name (reporting errors found on
    // the way), but complains only about print and exec.
    if (t0->kind == TOK_NAME && t1->kind != TOK_LPAR) {
        p->pos = start + 1;
        Expr *b = parse_star_expressions(p);
        if (p->error)
            return false;
        reset_all(p, m);
        if (b && (tok_is(t0, "print") || tok_is(t0, "exec"))) {
            int n = (int)t0->len;
            error_range(p, pos_tokens(t0, t0), b->pos,
                        "Missing parentheses in call to '%.*s'. Did you mean %.*s(...)?", n,
                        t0->start, n, t0->start);
            return false;
        }
    }
    return true;
}

// expression: disjunction ['if' disjunction 'else' expression] | lambdef.
static Expr *expression_body(Parser *p, bool check_invalid) {
    if (check(p, TOK_LAMBDA))
        return parse_lambda(p);
    size_t start = p->pos;
    Expr *a = parse_disjunction(p);
    if (!a)
        return NULL;
    if (check(p, TOK_IF)) {
        // A conditional expression that does not complete is given back: the expression is
        // the disjunction alone (CPython first explains a missing 'else').
        Mark m = mark(p);
        advance(p);
        Expr *test = parse_disjunction(p);
        Expr *orelse = NULL;
        if (test && !p->error) {
            if (accept(p, TOK_ELSE)) {
                orelse = parse_expression(p);
            } else if (!p->no_invalid && !check(p, TOK_COLON)) {
                return error_range(p, a->pos, test->pos, "expected 'else' after 'if' expression");
            }
        }
        if (p->error)
            return NULL;
        if (!orelse) {
            reset(p, m);
            goto check_comma;
        }
        Expr *e = new_expr(p, EXPR_IFEXP, pos_from(p, start));
        if (!e)
            return NULL;
        e->u.ifexp.test = test;
        e->u.ifexp.body = a;
        e->u.ifexp.orelse = orelse;
        return e;
    }
check_comma:
    if (check_invalid && !p->no_invalid && starts_expression(peek_kind(p)) && !p->error) {
        if (!check_missing_comma(p, start, a))
            return NULL;
    }
    return a;
}

static Expr *expression_impl(Parser *p, bool check_invalid) {
    if (!enter(p))
        return NULL;
    bool memo = check_invalid && memo_enter(p, MEMO_EXPRESSION, MEMO_EXPRESSION);
    Expr *e = expression_body(p, check_invalid);
    if (memo)
        p->no_invalid--;
    leave(p);
    return e;
}

static Expr *parse_expression(Parser *p) { return expression_impl(p, true); }

// Whether the expression that began at token [start] begins with a list display, a tuple, a
// generator expression, True, None or False (the lookahead of CPython's
// invalid_named_expression).
static bool starts_with_display(Parser *p, size_t start) {
    TokKind k = p->toks[start].kind;
    if (k == TOK_TRUE || k == TOK_NONE || k == TOK_FALSE)
        return true;
    if (k != TOK_LSQB && k != TOK_LPAR)
        return false;
    Mark m = mark(p);
    p->pos = start;
    p->no_invalid++;
    Expr *e = parse_atom(p);
    p->no_invalid--;
    reset_all(p, m);
    if (!e)
        return false;
    const Token *t = &p->toks[start];
    bool at_bracket = e->pos.line == t->line && e->pos.col == t->col;
    return at_bracket && (e->kind == EXPR_LIST || e->kind == EXPR_TUPLE || e->kind == EXPR_GENEXP);
}

// CPython's invalid_named_expression: a named expression [e], begun at token [start], is
// followed by '=' or ':='. False when an error was raised.
static bool check_named_expression(Parser *p, size_t start, Expr *e) {
    Mark m = mark(p);
    if (check(p, TOK_COLONEQUAL)) {
        advance(p);
        Expr *value = parse_expression(p);
        if (p->error)
            return false;
        reset_all(p, m);
        if (value) {
            error_at_expr(p, e, "cannot use assignment expressions with %s", expr_name(e));
            return false;
        }
        return true;
    }
    if (!check(p, TOK_EQUAL))
        return true;
    // NAME '=' bitwise_or, not followed by '=' or ':='.
    if (p->toks[start].kind == TOK_NAME && p->pos == start + 1) {
        advance(p);
        Expr *b = parse_bitor(p);
        if (p->error)
            return false;
        bool ok = b && !check(p, TOK_EQUAL) && !check(p, TOK_COLONEQUAL);
        reset_all(p, m);
        if (ok) {
            error_range(p, pos_tokens(&p->toks[start], &p->toks[start]), b->pos,
                        "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
            return false;
        }
        return true;
    }
    // bitwise_or '=' bitwise_or, not followed by '=' or ':=', unless it is a display.
    if (starts_with_display(p, start))
        return true;
    p->pos = start;
    Expr *a = parse_bitor(p);
    if (p->error)
        return false;
    if (!a || p->pos != m.pos) {
        reset_all(p, m);
        return true;
    }
    advance(p);
    Expr *b = parse_bitor(p);
    if (p->error)
        return false;
    bool ok = b && !check(p, TOK_EQUAL) && !check(p, TOK_COLONEQUAL);
    reset_all(p, m);
    if (ok) {
        error_at_expr(p, a, "cannot assign to %s here. Maybe you meant '==' instead of '='?",
                      expr_name(a));
        return false;
    }
    return true;
}

// named_expression: NAME ':=' expression | expression.
static Expr *parse_named_expression(Parser *p) {
    if (check(p, TOK_NAME) && peek_kind_at(p, 1) == TOK_COLONEQUAL) {
        Token *name = advance(p);
        advance(p);
        Expr *value = parse_expression(p);
        if (!value)
            return NULL;
        Expr *target = new_name(p, name, CTX_STORE);
        Expr *e = target ? new_expr(p, EXPR_NAMEDEXPR, pos_tokens(name, prev_token(p))) : NULL;
        if (!e)
            return NULL;
        e->u.namedexpr.target = target;
        e->u.namedexpr.value = value;
        return e;
    }
    size_t start = p->pos;
    Expr *e = parse_expression(p);
    if (!e)
        return NULL;
    if (!p->no_invalid && (check(p, TOK_EQUAL) || check(p, TOK_COLONEQUAL)) &&
        !check_named_expression(p, start, e))
        return NULL;
    return e;
}

// Node positions span tokens, as CPython's do: a parenthesized operand's parentheses count.
static Expr *new_starred(Parser *p, const Token *star, Expr *value, ExprContext ctx) {
    Expr *e = new_expr(p, EXPR_STARRED, pos_tokens(star, prev_token(p)));
    if (!e)
        return NULL;
    e->u.starred.value = value;
    e->u.starred.ctx = ctx;
    return e;
}

// star_expression: '*' bitwise_or | expression.
static Expr *parse_star_expression(Parser *p) {
    if (check(p, TOK_STAR)) {
        Token *star = advance(p);
        Expr *v = parse_bitor(p);
        return v ? new_starred(p, star, v, CTX_LOAD) : NULL;
    }
    return parse_expression(p);
}

// star_named_expression: '*' bitwise_or | named_expression.
static Expr *parse_star_named_expression(Parser *p) {
    if (check(p, TOK_STAR)) {
        Token *star = advance(p);
        Expr *v = parse_bitor(p);
        return v ? new_starred(p, star, v, CTX_LOAD) : NULL;
    }
    return parse_named_expression(p);
}

// item (',' item)* [',']: a tuple without parentheses if there is a comma (then *[bare_tuple]
// is set), else the lone item. [starts] tells whether a token can begin another item.
static Expr *parse_item_tuple(Parser *p, Expr *(*item)(Parser *), bool (*starts)(TokKind),
                              bool *bare_tuple) {
    size_t start = p->pos;
    Expr *first = item(p);
    if (!first)
        return NULL;
    if (!check(p, TOK_COMMA))
        return first;
    *bare_tuple = true;
    ExprVec elts = {0};
    if (!PUSH(p, elts, first))
        return NULL;
    while (accept(p, TOK_COMMA)) {
        if (!starts(peek_kind(p)))
            break;
        Expr *e = item(p);
        if (!e || !PUSH(p, elts, e))
            return NULL;
    }
    return new_tuple(p, elts, CTX_LOAD, pos_from(p, start));
}

// star_expressions: star_expression (',' star_expression)* [',']: a tuple if there is a comma
// (then *[bare_tuple] is set).
static Expr *parse_star_expressions_ex(Parser *p, bool *bare_tuple) {
    return parse_item_tuple(p, parse_star_expression, starts_star_expression, bare_tuple);
}

static Expr *parse_star_expressions(Parser *p) {
    bool bare_tuple = false;
    return parse_star_expressions_ex(p, &bare_tuple);
}

// expressions (eval input): expression (',' expression)* [','].
static Expr *parse_expressions(Parser *p) {
    bool bare_tuple = false;
    return parse_item_tuple(p, parse_expression, starts_expression, &bare_tuple);
}

static Expr *new_boolop(Parser *p, BoolOpKind op, ExprVec values, size_t start) {
    Expr *e = new_expr(p, EXPR_BOOLOP, pos_from(p, start));
    if (!e)
        return NULL;
    e->u.boolop.op = op;
    e->u.boolop.values = AS_LIST(ExprList, values);
    return e;
}

// operand (op operand)*, for 'and' and 'or': an operand that fails to parse after the keyword
// ends the chain (the keyword is given back) unless it set an error.
static Expr *parse_boolop_chain(Parser *p, Expr *(*operand)(Parser *), TokKind tok,
                                BoolOpKind op) {
    size_t start = p->pos;
    Expr *first = operand(p);
    if (!first || !check(p, tok))
        return first;
    ExprVec values = {0};
    if (!PUSH(p, values, first))
        return NULL;
    while (check(p, tok)) {
        Mark m = mark(p);
        advance(p);
        Expr *e = operand(p);
        if (!e) {
            if (p->error)
                return NULL;
            reset(p, m);
            break;
        }
        if (!PUSH(p, values, e))
            return NULL;
    }
    return new_boolop(p, op, values, start);
}

static Expr *parse_inversion(Parser *p);

// conjunction: inversion ('and' inversion)*.
static Expr *parse_conjunction(Parser *p) {
    return parse_boolop_chain(p, parse_inversion, TOK_AND, BOOL_AND);
}

// disjunction: conjunction ('or' conjunction)*.
static Expr *disjunction_body(Parser *p);

static Expr *parse_disjunction(Parser *p) {
    bool memo = memo_enter(p, MEMO_DISJUNCTION, MEMO_DISJUNCTION | MEMO_FACTOR);
    Expr *e = disjunction_body(p);
    if (memo)
        p->no_invalid--;
    return e;
}

static Expr *disjunction_body(Parser *p) {
    return parse_boolop_chain(p, parse_conjunction, TOK_OR, BOOL_OR);
}

static Expr *new_unary(Parser *p, const Token *op_tok, UnaryOpKind op, Expr *operand) {
    Expr *e = new_expr(p, EXPR_UNARYOP, pos_tokens(op_tok, prev_token(p)));
    if (!e)
        return NULL;
    e->u.unaryop.op = op;
    e->u.unaryop.operand = operand;
    return e;
}

static Expr *parse_comparison(Parser *p);

// inversion: 'not' inversion | comparison.
static Expr *parse_inversion(Parser *p) {
    if (!check(p, TOK_NOT))
        return parse_comparison(p);
    Token *t = advance(p);
    if (!enter(p))
        return NULL;
    Expr *operand = parse_inversion(p);
    leave(p);
    return operand ? new_unary(p, t, UNARY_NOT, operand) : NULL;
}

// comparison: bitwise_or (compare_op bitwise_or)*.
static Expr *parse_comparison(Parser *p) {
    size_t start = p->pos;
    Expr *left = parse_bitor(p);
    if (!left)
        return NULL;
    CmpVec ops = {0};
    ExprVec comparators = {0};
    for (;;) {
        CmpOpKind op;
        Mark m = mark(p);
        switch (peek_kind(p)) {
        case TOK_EQEQUAL: op = CMPOP_EQ; break;
        case TOK_NOTEQUAL: op = CMPOP_NE; break;
        case TOK_LESS: op = CMPOP_LT; break;
        case TOK_LESSEQUAL: op = CMPOP_LE; break;
        case TOK_GREATER: op = CMPOP_GT; break;
        case TOK_GREATEREQUAL: op = CMPOP_GE; break;
        case TOK_IN: op = CMPOP_IN; break;
        case TOK_IS:
            op = CMPOP_IS;
            if (peek_kind_at(p, 1) == TOK_NOT) {
                advance(p);
                op = CMPOP_ISNOT;
            }
            break;
        case TOK_NOT:
            if (peek_kind_at(p, 1) != TOK_IN)
                goto done;
            advance(p);
            op = CMPOP_NOTIN;
            break;
        default: goto done;
        }
        advance(p);
        Expr *right = parse_bitor(p);
        if (!right) {
            if (p->error)
                return NULL;
            reset(p, m);
            break;
        }
        if (!PUSH(p, ops, op) || !PUSH(p, comparators, right))
            return NULL;
    }
done:
    if (p->error)
        return NULL;
    if (ops.count == 0)
        return left;
    Expr *e = new_expr(p, EXPR_COMPARE, pos_from(p, start));
    if (!e)
        return NULL;
    e->u.compare.left = left;
    e->u.compare.count = ops.count;
    e->u.compare.ops = ops.items;
    e->u.compare.comparators = comparators.items;
    return e;
}

// The precedence of binary operator token [k] (0: not one), and its operator in [*op].
static int binop_prec(TokKind k, MiniBinOp *op) {
    switch (k) {
    case TOK_VBAR: *op = BINOP_OR; return 1;
    case TOK_CIRCUMFLEX: *op = BINOP_XOR; return 2;
    case TOK_AMPER: *op = BINOP_AND; return 3;
    case TOK_LEFTSHIFT: *op = BINOP_LSHIFT; return 4;
    case TOK_RIGHTSHIFT: *op = BINOP_RSHIFT; return 4;
    case TOK_PLUS: *op = BINOP_ADD; return 5;
    case TOK_MINUS: *op = BINOP_SUB; return 5;
    case TOK_STAR: *op = BINOP_MUL; return 6;
    case TOK_SLASH: *op = BINOP_TRUEDIV; return 6;
    case TOK_DOUBLESLASH: *op = BINOP_FLOORDIV; return 6;
    case TOK_PERCENT: *op = BINOP_MOD; return 6;
    case TOK_AT: *op = BINOP_MATMUL; return 6;
    default: return 0;
    }
}

static Expr *new_binop(Parser *p, Expr *left, MiniBinOp op, Expr *right, size_t start) {
    Expr *e = new_expr(p, EXPR_BINOP, pos_from(p, start));
    if (!e)
        return NULL;
    e->u.binop.left = left;
    e->u.binop.op = op;
    e->u.binop.right = right;
    return e;
}

static Expr *parse_factor(Parser *p);

// The binary operators from bitwise_or down to term, by precedence climbing: operators of
// precedence at least [min_prec], all left-associative.
static Expr *parse_binary(Parser *p, int min_prec) {
    size_t start = p->pos;
    Expr *left = parse_factor(p);
    if (!left)
        return NULL;
    for (;;) {
        MiniBinOp op;
        int prec = binop_prec(peek_kind(p), &op);
        if (prec == 0 || prec < min_prec)
            break;
        // An operator without a right operand is given back, as a PEG parser does: the
        // expression ends before it.
        Mark m = mark(p);
        advance(p);
        Expr *right = parse_binary(p, prec + 1);
        if (!right) {
            if (p->error)
                return NULL;
            reset(p, m);
            break;
        }
        left = new_binop(p, left, op, right, start);
        if (!left)
            return NULL;
    }
    return left;
}

static Expr *parse_bitor(Parser *p) { return parse_binary(p, 1); }

static Expr *parse_power(Parser *p);

// factor: ('+' | '-' | '~') factor | power.
static Expr *factor_body(Parser *p) {
    UnaryOpKind op;
    switch (peek_kind(p)) {
    case TOK_PLUS: op = UNARY_PLUS; break;
    case TOK_MINUS: op = UNARY_MINUS; break;
    case TOK_TILDE: op = UNARY_INVERT; break;
    default: return parse_power(p);
    }
    Token *t = advance(p);
    if (!enter(p))
        return NULL;
    Expr *operand = parse_factor(p);
    leave(p);
    return operand ? new_unary(p, t, op, operand) : NULL;
}

static Expr *parse_factor(Parser *p) {
    bool memo = memo_enter(p, MEMO_FACTOR, MEMO_FACTOR);
    Expr *e = factor_body(p);
    if (memo)
        p->no_invalid--;
    return e;
}

// power: await_primary ['**' factor], with await_primary: ['await'] primary. Whether an
// 'await' stands inside an async function is the compiler's question, as in CPython.
static Expr *parse_power(Parser *p) {
    size_t start = p->pos;
    Token *await_tok = accept(p, TOK_AWAIT);
    Expr *base = parse_primary(p);
    if (!base)
        return NULL;
    if (await_tok) {
        Expr *aw = new_expr(p, EXPR_AWAIT, pos_tokens(await_tok, prev_token(p)));
        if (!aw)
            return NULL;
        aw->u.yield.value = base;
        base = aw;
    }
    if (!check(p, TOK_DOUBLESTAR))
        return base;
    Mark m = mark(p);
    advance(p);
    if (!enter(p))
        return NULL;
    Expr *exponent = parse_factor(p);
    leave(p);
    if (!exponent) {
        if (p->error)
            return NULL;
        reset(p, m);
        return base;
    }
    return new_binop(p, base, BINOP_POW, exponent, start);
}

// primary: atom followed by any number of '.' NAME, '(' arguments ')', '[' slices ']'.
static Expr *parse_primary(Parser *p) {
    size_t start = p->pos;
    Expr *e = parse_atom(p);
    if (!e)
        return NULL;
    for (;;) {
        // A trailer that does not parse is given back: the primary ends before it, as a PEG
        // parser's left-recursive rule does.
        Mark m = mark(p);
        TokKind k = peek_kind(p);
        if (k == TOK_DOT) {
            advance(p);
            Token *name = accept(p, TOK_NAME);
            if (!name) {
                reset(p, m);
                break;
            }
            const char *attr = tok_name(p, name);
            Expr *a = attr ? new_expr(p, EXPR_ATTRIBUTE, pos_from(p, start)) : NULL;
            if (!a)
                return NULL;
            a->u.attribute.value = e;
            a->u.attribute.attr = attr;
            a->u.attribute.ctx = CTX_LOAD;
            e = a;
        } else if (k == TOK_LPAR) {
            Expr *call = parse_call(p, e, start);
            if (!call) {
                if (p->error)
                    return NULL;
                reset(p, m);
                break;
            }
            e = call;
        } else if (k == TOK_LSQB) {
            advance(p);
            if (!enter(p))
                return NULL;
            Expr *slice = parse_slices(p);
            leave(p);
            if (p->error)
                return NULL;
            if (!slice || !accept(p, TOK_RSQB)) {
                reset(p, m);
                break;
            }
            Expr *s = new_expr(p, EXPR_SUBSCRIPT, pos_from(p, start));
            if (!s)
                return NULL;
            s->u.subscript.value = e;
            s->u.subscript.slice = slice;
            s->u.subscript.ctx = CTX_LOAD;
            e = s;
        } else {
            break;
        }
    }
    return p->error ? NULL : e;
}

// slice: [expression] ':' [expression] [':' [expression]] | named_expression.
static Expr *parse_slice(Parser *p) {
    size_t start = p->pos;
    Expr *lower = NULL;
    if (!check(p, TOK_COLON)) {
        // A plain index is a named_expression; a slice bound is an expression.
        if (check(p, TOK_NAME) && peek_kind_at(p, 1) == TOK_COLONEQUAL)
            return parse_named_expression(p);
        lower = parse_expression(p);
        if (!lower)
            return NULL;
        if (!check(p, TOK_COLON)) {
            if (!p->no_invalid && (check(p, TOK_EQUAL) || check(p, TOK_COLONEQUAL)) &&
                !check_named_expression(p, start, lower))
                return NULL;
            return lower;
        }
    }
    advance(p); // ':'
    Expr *upper = NULL, *step = NULL;
    if (starts_expression(peek_kind(p))) {
        upper = parse_expression(p);
        if (!upper)
            return NULL;
    }
    if (accept(p, TOK_COLON) && starts_expression(peek_kind(p))) {
        step = parse_expression(p);
        if (!step)
            return NULL;
    }
    if (p->error)
        return NULL;
    Expr *e = new_expr(p, EXPR_SLICE, pos_from(p, start));
    if (!e)
        return NULL;
    e->u.slice.lower = lower;
    e->u.slice.upper = upper;
    e->u.slice.step = step;
    return e;
}

// slices: slice !',' | ','.(slice | starred_expression)+ [','].
static Expr *parse_slices(Parser *p) {
    size_t start = p->pos;
    Expr *first;
    bool starred = false;
    if (check(p, TOK_STAR)) {
        Token *star = advance(p);
        Expr *v = parse_expression(p);
        first = v ? new_starred(p, star, v, CTX_LOAD) : NULL;
        starred = true;
    } else {
        first = parse_slice(p);
    }
    if (!first)
        return NULL;
    if (!check(p, TOK_COMMA) && !starred)
        return first;
    ExprVec elts = {0};
    if (!PUSH(p, elts, first))
        return NULL;
    while (accept(p, TOK_COMMA)) {
        if (!starts_expression(peek_kind(p)) && !check(p, TOK_COLON) && !check(p, TOK_STAR))
            break;
        Expr *e;
        if (check(p, TOK_STAR)) {
            Token *star = advance(p);
            Expr *v = parse_expression(p);
            e = v ? new_starred(p, star, v, CTX_LOAD) : NULL;
        } else {
            e = parse_slice(p);
        }
        if (!e || !PUSH(p, elts, e))
            return NULL;
    }
    return new_tuple(p, elts, CTX_LOAD, pos_from(p, start));
}

static Expr *new_comp(Parser *p, ExprKind kind, Expr *elt, CompVec gens, SrcPos pos) {
    Expr *e = new_expr(p, kind, pos);
    if (!e)
        return NULL;
    e->u.listcomp.elt = elt;
    e->u.listcomp.generators = AS_LIST(ComprehensionList, gens);
    return e;
}

// CPython's invalid_comprehension: [msg] about [first] if comprehension clauses parse at the
// current position (their own errors come first).
static void *comprehension_error(Parser *p, Expr *first, SrcPos end, const char *msg) {
    if (p->no_invalid)
        return NULL;
    Mark m = mark(p);
    CompVec gens = {0};
    bool ok = parse_for_if_clauses(p, &gens);
    if (p->error)
        return NULL;
    reset_all(p, m);
    if (!ok)
        return NULL;
    return error_range(p, first->pos, end, "%s", msg);
}

// After a bracket and a first element that is starred, when a comprehension follows.
static void *starred_comprehension(Parser *p, Expr *first) {
    return comprehension_error(p, first, first->pos,
                               "iterable unpacking cannot be used in comprehension");
}

// "[a, b for ...]": the range goes to the last element, or to the comma after a lone one.
static void *comprehension_target_error(Parser *p, Expr *first, ExprVec elts) {
    SrcPos end = elts.count > 1 ? elts.items[elts.count - 1]->pos
                                : pos_tokens(prev_token(p), prev_token(p));
    return comprehension_error(p, first, end,
                               "did you forget parentheses around the comprehension target?");
}

// The rest of a comprehension whose element [first] is read and whose 'for' is next: its
// clauses and the [close] token that matches [open]. Returns a new [kind] node, or NULL with
// the error set (a starred element is CPython's "iterable unpacking" error).
static Expr *comprehension_body(Parser *p, Token *open, Expr *first, TokKind close,
                                ExprKind kind) {
    if (first->kind == EXPR_STARRED)
        return starred_comprehension(p, first);
    CompVec gens = {0};
    if (!parse_for_if_clauses(p, &gens))
        return NULL;
    Token *end = accept(p, close);
    if (!end)
        return NULL;
    return new_comp(p, kind, first, gens, pos_tokens(open, end));
}

// The rest of a list or set display whose element [first] is read: the other elements into
// *[elts] and the [close] token, which is returned (NULL with the error set, including
// CPython's message for "[a, b for ...]").
static Token *display_elements(Parser *p, Expr *first, TokKind close, ExprVec *elts) {
    if (!PUSH(p, *elts, first))
        return NULL;
    bool comma = false;
    while (accept(p, TOK_COMMA)) {
        comma = true;
        if (check(p, close) || check(p, TOK_FOR))
            break;
        Expr *e = parse_star_named_expression(p);
        if (!e || !PUSH(p, *elts, e))
            return NULL;
    }
    if (check(p, TOK_FOR) && (elts->count > 1 || comma) && !p->no_invalid)
        return comprehension_target_error(p, first, *elts);
    return accept(p, close);
}

// '(' ... ')': a tuple, a parenthesized expression, a generator expression or a yield.
static Expr *paren_body(Parser *p, Token *lpar) {
    if (check(p, TOK_RPAR)) {
        Token *rpar = advance(p);
        return new_tuple(p, (ExprVec){0}, CTX_LOAD, pos_tokens(lpar, rpar));
    }
    if (check(p, TOK_YIELD)) {
        Expr *y = parse_yield_expr(p);
        if (!y || !accept(p, TOK_RPAR))
            return NULL;
        return y;
    }
    if (check(p, TOK_DOUBLESTAR) && !p->no_invalid) {
        // CPython's invalid_group: '(' '**' expression ')'.
        Mark m = mark(p);
        Token *stars = advance(p);
        Expr *v = parse_expression(p);
        if (p->error)
            return NULL;
        bool closed = v && check(p, TOK_RPAR);
        reset_all(p, m);
        if (closed)
            return error_at_token(p, stars, "cannot use double starred expression here");
    }
    Expr *first = parse_star_named_expression(p);
    if (!first)
        return NULL;
    if (check(p, TOK_FOR) || check(p, TOK_ASYNC))
        return comprehension_body(p, lpar, first, TOK_RPAR, EXPR_GENEXP);
    if (check(p, TOK_COMMA)) {
        ExprVec elts = {0};
        if (!PUSH(p, elts, first))
            return NULL;
        while (accept(p, TOK_COMMA)) {
            if (check(p, TOK_RPAR))
                break;
            Expr *e = parse_star_named_expression(p);
            if (!e || !PUSH(p, elts, e))
                return NULL;
        }
        Token *rpar = accept(p, TOK_RPAR);
        if (!rpar)
            return NULL;
        return new_tuple(p, elts, CTX_LOAD, pos_tokens(lpar, rpar));
    }
    if (!accept(p, TOK_RPAR))
        return NULL;
    if (first->kind == EXPR_STARRED) {
        if (p->no_invalid)
            return NULL;
        return error_at_expr(p, first, "cannot use starred expression here");
    }
    return first;
}

// '[' ... ']': a list display or a list comprehension.
static Expr *list_body(Parser *p, Token *lsqb) {
    if (check(p, TOK_RSQB)) {
        Token *rsqb = advance(p);
        Expr *e = new_expr(p, EXPR_LIST, pos_tokens(lsqb, rsqb));
        if (e)
            e->u.list.ctx = CTX_LOAD;
        return e;
    }
    Expr *first = parse_star_named_expression(p);
    if (!first)
        return NULL;
    if (check(p, TOK_FOR) || check(p, TOK_ASYNC))
        return comprehension_body(p, lsqb, first, TOK_RSQB, EXPR_LISTCOMP);
    ExprVec elts = {0};
    Token *rsqb = display_elements(p, first, TOK_RSQB, &elts);
    if (!rsqb)
        return NULL;
    Expr *e = new_expr(p, EXPR_LIST, pos_tokens(lsqb, rsqb));
    if (!e)
        return NULL;
    e->u.list.elts = AS_LIST(ExprList, elts);
    e->u.list.ctx = CTX_LOAD;
    return e;
}

// The value of a dictionary entry, with CPython's messages for a missing or starred one.
static Expr *dict_value(Parser *p, Token *colon) {
    if (!p->no_invalid) {
        if (check(p, TOK_STAR)) {
            // CPython's rule reads the starred value before it complains.
            Token *star = peek(p);
            Mark m = mark(p);
            advance(p);
            Expr *v = parse_bitor(p);
            if (p->error)
                return NULL;
            reset_all(p, m);
            if (!v)
                return NULL;
            return error_starting_from(p, pos_tokens(star, star),
                                       "cannot use a starred expression in a dictionary value");
        }
        if (check(p, TOK_RBRACE) || check(p, TOK_COMMA))
            return error_at_token(p, colon, "expression expected after dictionary key and ':'");
    }
    return parse_expression(p);
}

// '{' ... '}': a dict or set display, or a dict or set comprehension.
static Expr *brace_body(Parser *p, Token *lbrace) {
    if (check(p, TOK_RBRACE)) {
        Token *rbrace = advance(p);
        return new_expr(p, EXPR_DICT, pos_tokens(lbrace, rbrace));
    }
    ExprVec keys = {0}, values = {0};
    Expr *first_key = NULL, *first_value = NULL;
    if (check(p, TOK_DOUBLESTAR)) {
        Token *stars = advance(p);
        first_value = parse_bitor(p);
        if (!first_value)
            return NULL;
        if ((check(p, TOK_FOR) || check(p, TOK_ASYNC)) && !p->no_invalid)
            return error_at_token(p, stars, "dict unpacking cannot be used in dict comprehension");
    } else {
        size_t start = p->pos;
        Expr *first = parse_star_named_expression(p);
        if (!first)
            return NULL;
        if (check(p, TOK_COLON)) {
            // A dict: the key must be a plain expression.
            if (first->kind == EXPR_STARRED ||
                (first->kind == EXPR_NAMEDEXPR && p->toks[start].kind != TOK_LPAR))
                return NULL;
            Token *colon = advance(p);
            first_key = first;
            first_value = dict_value(p, colon);
            if (!first_value)
                return NULL;
            if (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
                CompVec gens = {0};
                if (!parse_for_if_clauses(p, &gens))
                    return NULL;
                Token *rbrace = accept(p, TOK_RBRACE);
                if (!rbrace)
                    return NULL;
                Expr *e = new_expr(p, EXPR_DICTCOMP, pos_tokens(lbrace, rbrace));
                if (!e)
                    return NULL;
                e->u.dictcomp.key = first_key;
                e->u.dictcomp.value = first_value;
                e->u.dictcomp.generators = AS_LIST(ComprehensionList, gens);
                return e;
            }
        } else {
            // A set.
            if (check(p, TOK_FOR) || check(p, TOK_ASYNC))
                return comprehension_body(p, lbrace, first, TOK_RBRACE, EXPR_SETCOMP);
            ExprVec elts = {0};
            Token *rbrace = display_elements(p, first, TOK_RBRACE, &elts);
            if (!rbrace)
                return NULL;
            Expr *e = new_expr(p, EXPR_SET, pos_tokens(lbrace, rbrace));
            if (!e)
                return NULL;
            e->u.set.elts = AS_LIST(ExprList, elts);
            return e;
        }
    }
    // A dict: the first entry is read; read the others.
    if (!PUSH(p, keys, first_key) || !PUSH(p, values, first_value))
        return NULL;
    while (accept(p, TOK_COMMA)) {
        if (check(p, TOK_RBRACE))
            break;
        if (check(p, TOK_DOUBLESTAR)) {
            advance(p);
            Expr *v = parse_bitor(p);
            if (!v || !PUSH(p, keys, (Expr *)NULL) || !PUSH(p, values, v))
                return NULL;
            continue;
        }
        // CPython does not suggest a missing comma after a later key: it says a ':' is.
        Expr *k = expression_impl(p, false);
        if (!k)
            return NULL;
        Token *colon = accept(p, TOK_COLON);
        if (!colon) {
            if (p->error || p->no_invalid)
                return NULL;
            // CPython's invalid_kvpair: reported at the key's last character.
            raise_syntax(p, mini_exc_SyntaxError, k->pos.end_line, k->pos.end_col,
                         "':' expected after dictionary key");
            return NULL;
        }
        Expr *v = dict_value(p, colon);
        if (!v || !PUSH(p, keys, k) || !PUSH(p, values, v))
            return NULL;
    }
    Token *rbrace = accept(p, TOK_RBRACE);
    if (!rbrace)
        return NULL;
    Expr *e = new_expr(p, EXPR_DICT, pos_tokens(lbrace, rbrace));
    if (!e)
        return NULL;
    e->u.dict.keys = AS_LIST(ExprList, keys);
    e->u.dict.values = AS_LIST(ExprList, values);
    return e;
}

// atom: NAME, True, False, None, strings, NUMBER, '...', and the bracketed forms.
static Expr *parse_atom(Parser *p) {
    Token *t = peek(p);
    switch (t->kind) {
    case TOK_NAME: advance(p); return new_name(p, t, CTX_LOAD);
    case TOK_TRUE: advance(p); return new_constant(p, MINI_TRUE, pos_tokens(t, t));
    case TOK_FALSE: advance(p); return new_constant(p, MINI_FALSE, pos_tokens(t, t));
    case TOK_NONE: advance(p); return new_constant(p, MINI_NONE, pos_tokens(t, t));
    case TOK_ELLIPSIS: advance(p); return new_constant(p, MINI_ELLIPSIS, pos_tokens(t, t));
    case TOK_NUMBER: advance(p); return parse_number(p, t);
    case TOK_STRING: return parse_strings(p);
    case TOK_LPAR:
    case TOK_LSQB:
    case TOK_LBRACE: {
        advance(p);
        if (!enter(p))
            return NULL;
        Expr *e = t->kind == TOK_LPAR   ? paren_body(p, t)
                  : t->kind == TOK_LSQB ? list_body(p, t)
                                        : brace_body(p, t);
        leave(p);
        return e;
    }
    default: return NULL;
    }
}

// yield_expr: 'yield' 'from' expression | 'yield' [star_expressions].
static Expr *parse_yield_expr(Parser *p) {
    Token *y = advance(p);
    if (accept(p, TOK_FROM)) {
        Expr *v = parse_expression(p);
        if (!v)
            return NULL;
        Expr *e = new_expr(p, EXPR_YIELDFROM, pos_tokens(y, prev_token(p)));
        if (e)
            e->u.yield.value = v;
        return e;
    }
    Expr *v = NULL;
    if (starts_star_expression(peek_kind(p))) {
        v = parse_star_expressions(p);
        if (!v)
            return NULL;
    }
    if (p->error)
        return NULL;
    Expr *e = new_expr(p, EXPR_YIELD, pos_tokens(y, prev_token(p)));
    if (e)
        e->u.yield.value = v;
    return e;
}

// lambdef: 'lambda' [lambda_params] ':' expression.
static Expr *parse_lambda(Parser *p) {
    Token *kw = advance(p);
    Arguments *args = parse_params(p, true);
    if (!args)
        return NULL;
    if (!accept(p, TOK_COLON))
        return NULL;
    // A lambda body is a function body: 'await' in it is outside an async function.
    p->func_depth++;
    Expr *body = parse_expression(p);
    p->func_depth--;
    if (!body)
        return NULL;
    Expr *e = new_expr(p, EXPR_LAMBDA, pos_tokens(kw, prev_token(p)));
    if (!e)
        return NULL;
    e->u.lambda.args = args;
    e->u.lambda.body = body;
    return e;
}

// ---------------------------------------------------------------------------------------------
// Calls and parameters
// ---------------------------------------------------------------------------------------------

// Where a comprehension's last clause ends: its last condition, or its iterable (CPython's
// _PyPegen_get_last_comprehension_item).
static SrcPos last_comprehension_item(CompVec gens) {
    const Comprehension *c = &gens.items[gens.count - 1];
    return c->ifs.count ? c->ifs.items[c->ifs.count - 1]->pos : c->iter->pos;
}

// The arguments of a call (or of a class statement's bases, where a bare generator expression
// is not allowed), after the '(' at token index [lpar], up to (not including) the ')'.
static bool parse_arguments(Parser *p, ExprVec *args, KeywordVec *kws, bool allow_genexp,
                            size_t lpar) {
    bool saw_keyword = false, saw_unpack = false;
    const char *positional_error = NULL;
    while (!check(p, TOK_RPAR)) {
        Token *t = peek(p);
        if (p->error)
            return false;
        if (t->kind == TOK_STAR) {
            advance(p);
            if (saw_unpack) {
                if (!p->no_invalid)
                    error_at_token(
                        p, t, "iterable argument unpacking follows keyword argument unpacking");
                return false;
            }
            Expr *v = parse_expression(p);
            Expr *s = v ? new_starred(p, t, v, CTX_LOAD) : NULL;
            if (!s || !PUSH(p, *args, s))
                return false;
        } else if (t->kind == TOK_DOUBLESTAR) {
            advance(p);
            Expr *v = parse_expression(p);
            if (!v)
                return false;
            Keyword kw = {NULL, v, pos_tokens(t, prev_token(p))};
            if (!PUSH(p, *kws, kw))
                return false;
            saw_unpack = true;
        } else if ((t->kind == TOK_NAME || t->kind == TOK_TRUE || t->kind == TOK_FALSE ||
                    t->kind == TOK_NONE) &&
                   peek_kind_at(p, 1) == TOK_EQUAL) {
            if (t->kind != TOK_NAME) {
                if (p->no_invalid)
                    return false;
                Token *eq = tok_at(p, p->pos + 1);
                error_range(p, pos_tokens(t, t), pos_tokens(eq, eq), "cannot assign to %.*s",
                            (int)t->len, t->start);
                return false;
            }
            advance(p);
            Token *eq = advance(p);
            Expr *v = parse_expression(p);
            if (!v)
                return false;
            if ((check(p, TOK_FOR) || check(p, TOK_ASYNC)) && !p->no_invalid) {
                error_range(p, pos_tokens(t, t), pos_tokens(eq, eq),
                            "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
                return false;
            }
            const char *name = tok_name(p, t);
            if (!name)
                return false;
            for (size_t i = 0; i < kws->count; i++) {
                if (kws->items[i].arg && strcmp(kws->items[i].arg, name) == 0) {
                    defer_error(p, STAGE_COMPILER, t->line, t->col, "keyword argument repeated: %s",
                                name);
                    break;
                }
            }
            Keyword kw = {name, v, pos_tokens(t, prev_token(p))};
            if (!PUSH(p, *kws, kw))
                return false;
            saw_keyword = true;
        } else {
            Expr *e = (t->kind == TOK_NAME && peek_kind_at(p, 1) == TOK_COLONEQUAL)
                          ? parse_named_expression(p)
                          : parse_expression(p);
            if (!e)
                return false;
            if (check(p, TOK_EQUAL) && !p->no_invalid) {
                error_range(p, e->pos, pos_tokens(peek(p), peek(p)),
                            "expression cannot contain assignment, perhaps you meant \"==\"?");
                return false;
            }
            if (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
                bool first = args->count == 0 && kws->count == 0;
                if (!allow_genexp && first) {
                    // class C(x for x in y): CPython has no message for this one, unless a
                    // comma follows the comprehension.
                    Mark m = mark(p);
                    CompVec gens = {0};
                    bool ok = parse_for_if_clauses(p, &gens);
                    if (p->error)
                        return false;
                    if (ok && check(p, TOK_COMMA) && !p->no_invalid) {
                        error_range(p, e->pos, last_comprehension_item(gens),
                                    "Generator expression must be parenthesized");
                        return false;
                    }
                    reset_all(p, m);
                    return false;
                }
                CompVec gens = {0};
                if (!parse_for_if_clauses(p, &gens))
                    return false;
                if (!first || !check(p, TOK_RPAR)) {
                    // CPython explains a generator expression that is not the sole argument
                    // when other arguments come before it, or a comma after it.
                    if (p->error || p->no_invalid || (first && !check(p, TOK_COMMA)))
                        return false;
                    error_range(p, e->pos, last_comprehension_item(gens),
                                "Generator expression must be parenthesized");
                    return false;
                }
                // The sole argument: the call's parentheses are the generator's.
                Expr *g = new_comp(p, EXPR_GENEXP, e, gens, pos_tokens(&p->toks[lpar], peek(p)));
                if (!g || !PUSH(p, *args, g))
                    return false;
                continue;
            }
            if ((saw_keyword || saw_unpack) && !positional_error)
                positional_error = saw_unpack
                                       ? "positional argument follows keyword argument unpacking"
                                       : "positional argument follows keyword argument";
            if (!PUSH(p, *args, e))
                return false;
        }
        if (!accept(p, TOK_COMMA))
            break;
    }
    if (p->error)
        return false;
    if (positional_error) {
        // CPython reports this at the last token it read: the one after the arguments.
        peek(p);
        if (!p->no_invalid)
            error_at_last(p, "%s", positional_error);
        return false;
    }
    return true;
}

// A call: func '(' arguments ')'. [start] is the token index where the primary began.
static Expr *parse_call(Parser *p, Expr *func, size_t start) {
    size_t lpar = p->pos;
    advance(p);
    if (!enter(p))
        return NULL;
    ExprVec args = {0};
    KeywordVec kws = {0};
    bool memo = memo_enter(p, MEMO_ARGUMENTS, MEMO_ARGUMENTS);
    bool ok = parse_arguments(p, &args, &kws, true, lpar);
    if (memo)
        p->no_invalid--;
    leave(p);
    if (!ok || !accept(p, TOK_RPAR))
        return NULL;
    Expr *e = new_expr(p, EXPR_CALL, pos_from(p, start));
    if (!e)
        return NULL;
    e->u.call.func = func;
    e->u.call.args = AS_LIST(ExprList, args);
    e->u.call.keywords = AS_LIST(KeywordList, kws);
    return e;
}

// One parameter: NAME [':' annotation]. A '*args' annotation may be starred.
static bool parse_param(Parser *p, bool lambda, bool star, Arg *out) {
    Token *name = accept(p, TOK_NAME);
    if (!name)
        return false;
    out->arg = tok_name(p, name);
    if (!out->arg)
        return false;
    out->annotation = NULL;
    out->pos = pos_tokens(name, name);
    if (!lambda && accept(p, TOK_COLON)) {
        Expr *ann = star ? parse_star_expression(p) : parse_expression(p);
        if (!ann)
            return false;
        out->annotation = ann;
        out->pos = pos_tokens(name, prev_token(p));
    }
    return true;
}

// If "(" param ("," param)* [","] ")" follows (a param being NAME [':' expression], and none
// for a lambda): CPython's "parameters cannot be parenthesized" pattern. Returns its ')', or
// NULL.
static Token *parenthesized_params_follow(Parser *p, bool lambda) {
    Mark m = mark(p);
    advance(p);
    Token *close = NULL;
    for (;;) {
        Arg a;
        if (!parse_param(p, lambda, false, &a))
            break;
        if (check(p, TOK_RPAR)) {
            close = peek(p);
            break;
        }
        if (!accept(p, TOK_COMMA))
            break;
        if (check(p, TOK_RPAR)) {
            close = peek(p);
            break;
        }
    }
    reset_all(p, m);
    return p->error ? NULL : close;
}

typedef struct {
    const Arg *arg;
    size_t order;
} ParamRef;

static int compare_params(const void *a, const void *b) {
    const ParamRef *x = a, *y = b;
    int r = strcmp(x->arg->arg, y->arg->arg);
    if (r)
        return r;
    return x->order < y->order ? -1 : x->order > y->order;
}

// CPython's symbol table rejects a parameter named twice, reporting the first repeat in the
// order it visits them (positional-only, positional, keyword-only, *args, **kwargs); the
// error is kept back like a compile error. Sorting keeps this fast for any number of them.
static bool check_duplicate_params(Parser *p, ArgVec posonly, ArgVec args, ArgVec kwonly,
                                   const Arg *vararg, const Arg *kwarg) {
    size_t n = posonly.count + args.count + kwonly.count + (vararg != NULL) + (kwarg != NULL);
    if (n < 2)
        return true;
    ParamRef *refs = arena_alloc(p->arena, n * sizeof(ParamRef));
    if (!refs) {
        p->error = true;
        return false;
    }
    size_t k = 0;
    const ArgVec *groups[3] = {&posonly, &args, &kwonly};
    for (int g = 0; g < 3; g++)
        for (size_t i = 0; i < groups[g]->count; i++, k++)
            refs[k] = (ParamRef){&groups[g]->items[i], k};
    if (vararg) {
        refs[k] = (ParamRef){vararg, k};
        k++;
    }
    if (kwarg) {
        refs[k] = (ParamRef){kwarg, k};
        k++;
    }
    qsort(refs, n, sizeof(ParamRef), compare_params);
    const Arg *first_repeat = NULL;
    size_t first_order = n;
    for (size_t i = 1; i < n; i++) {
        if (strcmp(refs[i].arg->arg, refs[i - 1].arg->arg) == 0 && refs[i].order < first_order) {
            first_order = refs[i].order;
            first_repeat = refs[i].arg;
        }
    }
    if (first_repeat)
        defer_error(p, STAGE_SYMTABLE, first_repeat->pos.line, first_repeat->pos.col,
                    "duplicate argument '%s' in function definition", first_repeat->arg);
    return true;
}

// The parameters of a def (up to the ')') or of a lambda (up to the ':').
static Arguments *parse_params(Parser *p, bool lambda) {
    TokKind close = lambda ? TOK_COLON : TOK_RPAR;
    ArgVec posonly = {0}, args = {0}, kwonly = {0};
    ExprVec defaults = {0}, kw_defaults = {0};
    Arg *vararg = NULL, *kwarg = NULL;
    bool seen_slash = false, seen_star = false, seen_default = false;
    bool invalid = !p->no_invalid;
    Token *close_paren;
// What the grammar rejects fails the first pass; the second raises CPython's message.
#define REJECT(raise) return invalid ? (raise) : NULL
    while (!check(p, close)) {
        Token *t = peek(p);
        if (p->error)
            return NULL;
        if (kwarg) {
            if (t->kind == TOK_NAME || t->kind == TOK_STAR || t->kind == TOK_DOUBLESTAR ||
                t->kind == TOK_SLASH)
                REJECT(error_at_token(p, t, "arguments cannot follow var-keyword argument"));
            return NULL;
        }
        if (t->kind == TOK_SLASH) {
            if (seen_star)
                REJECT(error_at_token(p, t, "/ must be ahead of *"));
            if (seen_slash)
                REJECT(error_at_token(p, t, "/ may appear only once"));
            if (args.count == 0) {
                if (raw_kind_at(p, 1) == TOK_COMMA)
                    REJECT(error_at_token(p, t, "at least one argument must precede /"));
                return NULL;
            }
            advance(p);
            seen_slash = true;
            posonly = args;
            args = (ArgVec){0};
        } else if (t->kind == TOK_STAR) {
            if (seen_star)
                REJECT(error_at_token(p, t, "* argument may appear only once"));
            advance(p);
            seen_star = true;
            if (check(p, TOK_NAME)) {
                vararg = arena_alloc(p->arena, sizeof(Arg));
                if (!vararg)
                    return memory_error(p);
                if (!parse_param(p, lambda, true, vararg))
                    return NULL;
                if (check(p, TOK_EQUAL))
                    REJECT(error_at_token(p, peek(p),
                                          "var-positional argument cannot have default value"));
            } else if (check(p, close) ||
                       (check(p, TOK_COMMA) && (raw_kind_at(p, 1) == close ||
                                                raw_kind_at(p, 1) == TOK_DOUBLESTAR))) {
                REJECT(lambda ? error_at_last(p, "named arguments must follow bare *")
                              : error_at_token(p, t, "named arguments must follow bare *"));
            } else if (!check(p, TOK_COMMA)) {
                return NULL;
            }
        } else if (t->kind == TOK_DOUBLESTAR) {
            advance(p);
            kwarg = arena_alloc(p->arena, sizeof(Arg));
            if (!kwarg)
                return memory_error(p);
            if (!parse_param(p, lambda, false, kwarg))
                return NULL;
            if (check(p, TOK_EQUAL))
                REJECT(error_at_token(p, peek(p),
                                      "var-keyword argument cannot have default value"));
        } else if (t->kind == TOK_NAME) {
            Arg a;
            if (!parse_param(p, lambda, false, &a))
                return NULL;
            Expr *def = NULL;
            Token *eq = accept(p, TOK_EQUAL);
            if (eq) {
                if (check(p, TOK_COMMA) || check(p, close))
                    REJECT(error_at_token(p, eq, "expected default value expression"));
                def = parse_expression(p);
                if (!def)
                    return NULL;
            }
            if (seen_star) {
                if (!PUSH(p, kwonly, a) || !PUSH(p, kw_defaults, def))
                    return NULL;
            } else {
                if (def) {
                    seen_default = true;
                    if (!PUSH(p, defaults, def))
                        return NULL;
                } else if (seen_default) {
                    // Only a complete parameter (one a ',' or the end follows) counts.
                    if (invalid && (check(p, TOK_COMMA) || check(p, close)))
                        raise_syntax(p, mini_exc_SyntaxError, a.pos.line, a.pos.col + 1,
                                     "non-default argument follows default argument");
                    return NULL;
                }
                if (!PUSH(p, args, a))
                    return NULL;
            }
        } else if (t->kind == TOK_LPAR && invalid &&
                   (close_paren = parenthesized_params_follow(p, lambda))) {
            return error_range(p, pos_tokens(t, t), pos_tokens(close_paren, close_paren),
                               lambda ? "Lambda expression parameters cannot be parenthesized"
                                      : "Function parameters cannot be parenthesized");
        } else {
            return NULL;
        }
        if (!accept(p, TOK_COMMA))
            break;
    }
#undef REJECT
    if (p->error)
        return NULL;
    if (!check_duplicate_params(p, posonly, args, kwonly, vararg, kwarg))
        return NULL;
    Arguments *out = arena_alloc(p->arena, sizeof(Arguments));
    if (!out)
        return memory_error(p);
    out->posonlyargs = AS_LIST(ArgList, posonly);
    out->args = AS_LIST(ArgList, args);
    out->vararg = vararg;
    out->kwonlyargs = AS_LIST(ArgList, kwonly);
    out->kw_defaults = AS_LIST(ExprList, kw_defaults);
    out->kwarg = kwarg;
    out->defaults = AS_LIST(ExprList, defaults);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Targets of for, with and comprehensions
// ---------------------------------------------------------------------------------------------

// star_target: '*' star_target | a primary (checked to be a target by the caller).
static Expr *parse_star_target(Parser *p) {
    if (check(p, TOK_STAR)) {
        Token *star = advance(p);
        if (check(p, TOK_STAR))
            return NULL;
        if (!enter(p))
            return NULL;
        Expr *v = parse_star_target(p);
        leave(p);
        return v ? new_starred(p, star, v, CTX_STORE) : NULL;
    }
    return parse_primary(p);
}

// star_targets: star_target (',' star_target)* [','].
static Expr *parse_star_targets(Parser *p) {
    size_t start = p->pos;
    Expr *first = parse_star_target(p);
    if (!first || !check(p, TOK_COMMA))
        return first;
    ExprVec elts = {0};
    if (!PUSH(p, elts, first))
        return NULL;
    while (accept(p, TOK_COMMA)) {
        TokKind k = peek_kind(p);
        if (k != TOK_STAR && k != TOK_NAME && k != TOK_LPAR && k != TOK_LSQB)
            break;
        Expr *e = parse_star_target(p);
        if (!e || !PUSH(p, elts, e))
            return NULL;
    }
    return new_tuple(p, elts, CTX_STORE, pos_from(p, start));
}

// The target after 'for' (statement or comprehension), up to the 'in'. On failure, re-reads
// the text as an expression to name what cannot be assigned to (CPython's
// invalid_for_target).
static Expr *parse_for_target(Parser *p) {
    Mark m = mark(p);
    Expr *t = parse_star_targets(p);
    if (t && check(p, TOK_IN) && !invalid_target(t, TARGETS_FOR)) {
        make_store(p, t);
        return t;
    }
    if (p->error)
        return NULL;
    Mark failed = mark(p);
    if (!p->no_invalid) {
        reset(p, m);
        Expr *a = parse_star_expressions(p);
        if (p->error)
            return NULL;
        Expr *bad = a ? invalid_target(a, TARGETS_FOR) : NULL;
        if (bad)
            return error_at_expr(p, bad, "cannot assign to %s", expr_name(bad));
    }
    reset_all(p, failed);
    return NULL;
}

static bool ends_with_item(Parser *p) {
    return check(p, TOK_COMMA) || check(p, TOK_RPAR) || check(p, TOK_COLON);
}

// The target after 'as' in a with statement.
static Expr *parse_with_target(Parser *p) {
    Mark m = mark(p);
    Expr *t = parse_star_target(p);
    if (t && ends_with_item(p) && !invalid_target(t, TARGETS_STAR)) {
        make_store(p, t);
        return t;
    }
    if (p->error)
        return NULL;
    if (t && check(p, TOK_NEWLINE) && !invalid_target(t, TARGETS_STAR) && !p->no_invalid)
        return error_at_last(p, "expected ':'"); // CPython's invalid_with_stmt
    Mark failed = mark(p);
    if (!p->no_invalid) {
        reset(p, m);
        Expr *a = parse_expression(p);
        if (p->error)
            return NULL;
        if (a && ends_with_item(p)) {
            Expr *bad = invalid_target(a, TARGETS_STAR);
            if (bad)
                return error_at_expr(p, bad, "cannot assign to %s", expr_name(bad));
        }
    }
    reset_all(p, failed);
    return NULL;
}

// for_if_clause+: ('for' star_targets 'in' disjunction ('if' disjunction)*)+.
static bool parse_for_if_clauses(Parser *p, CompVec *out) {
    while (check(p, TOK_FOR) || check(p, TOK_ASYNC)) {
        bool is_async = accept(p, TOK_ASYNC) != NULL;
        if (is_async && !check(p, TOK_FOR))
            return false;
        advance(p);
        Expr *target = parse_for_target(p);
        if (!target)
            return false;
        advance(p); // 'in'
        Expr *iter = parse_disjunction(p);
        if (!iter)
            return false;
        ExprVec ifs = {0};
        while (accept(p, TOK_IF)) {
            Expr *cond = parse_disjunction(p);
            if (!cond || !PUSH(p, ifs, cond))
                return false;
        }
        Comprehension c = {target, iter, AS_LIST(ExprList, ifs), is_async};
        if (!PUSH(p, *out, c))
            return false;
    }
    return !p->error;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

static bool parse_statement(Parser *p, StmtVec *out);
static bool parse_simple_stmts(Parser *p, StmtVec *out);

// The last token consumed that is not NEWLINE, INDENT, DEDENT or ENDMARKER: where CPython
// ends a statement.
static const Token *last_real_token(Parser *p) {
    size_t i = p->pos;
    while (i > 0) {
        i--;
        TokKind k = p->toks[i].kind;
        if (k != TOK_NEWLINE && k != TOK_INDENT && k != TOK_DEDENT && k != TOK_ENDMARKER)
            return &p->toks[i];
    }
    return &p->toks[0];
}

static SrcPos stmt_pos(Parser *p, size_t start) {
    const Token *a = &p->toks[start], *b = last_real_token(p);
    return (SrcPos){a->line, a->col, b->end_line, b->end_col};
}

// block: NEWLINE INDENT statements DEDENT | simple_stmts. [what] and [line] name the statement
// that owns it, for "expected an indented block after ...".
static bool parse_block(Parser *p, StmtList *out, const char *what, int line) {
    StmtVec body = {0};
    if (!check(p, TOK_NEWLINE)) {
        if (!parse_simple_stmts(p, &body))
            return false;
        *out = AS_LIST(StmtList, body);
        return true;
    }
    advance(p);
    if (!check(p, TOK_INDENT)) {
        if (!p->error && !p->no_invalid)
            indentation_error(p, "expected an indented block after %s on line %d", what, line);
        return false;
    }
    advance(p);
    if (!enter(p))
        return false;
    while (!check(p, TOK_DEDENT)) {
        if (p->error || !parse_statement(p, &body)) {
            leave(p);
            return false;
        }
    }
    leave(p);
    advance(p);
    *out = AS_LIST(StmtList, body);
    return true;
}

// After a compound statement's header: ':' must follow. CPython says "expected ':'" when the
// line ends instead, and (for the forced colons of def, try, else, finally) whatever comes.
static bool expect_colon(Parser *p, bool forced) {
    if (accept(p, TOK_COLON))
        return true;
    if (p->error)
        return false;
    if (forced)
        error_at_token(p, peek(p), "expected ':'");
    else if (check(p, TOK_NEWLINE) && !p->no_invalid)
        error_at_last(p, "expected ':'");
    return false;
}

// else_block: 'else' &&':' block.
static bool parse_else_block(Parser *p, StmtList *out) {
    Token *kw = advance(p);
    return expect_colon(p, true) && parse_block(p, out, "'else' statement", kw->line);
}

// if_stmt with its elif_stmt chain: each 'elif' is an If in the orelse of the one before,
// all ending where the whole statement ends. Built with a loop, so that a long chain does not
// recurse here (the tree depth check still bounds it, as CPython's compiler does).
static Stmt *parse_if(Parser *p) {
    StmtVec chain = {0};
    for (;;) {
        size_t start = p->pos;
        Token *kw = advance(p);
        bool elif = kw->kind == TOK_ELIF;
        Expr *test = parse_named_expression(p);
        if (!test || !expect_colon(p, false))
            return NULL;
        StmtList body;
        // CPython names the line of the condition for 'if' (its rule rebinds the name) and
        // of the keyword for 'elif'.
        if (!parse_block(p, &body, elif ? "'elif' statement" : "'if' statement",
                         elif ? kw->line : test->pos.line))
            return NULL;
        Stmt *s = new_stmt(p, STMT_IF, stmt_pos(p, start));
        if (!s || !PUSH(p, chain, s))
            return NULL;
        s->u.while_.test = test;
        s->u.while_.body = body;
        if (!check(p, TOK_ELIF))
            break;
    }
    StmtList orelse = {0};
    if (check(p, TOK_ELSE) && !parse_else_block(p, &orelse))
        return NULL;
    if (p->error)
        return NULL;
    const Token *end = last_real_token(p);
    for (size_t i = chain.count; i-- > 0;) {
        Stmt *s = chain.items[i];
        s->pos.end_line = end->end_line;
        s->pos.end_col = end->end_col;
        s->u.while_.orelse = orelse;
        Stmt **items = arena_alloc(p->arena, sizeof(Stmt *));
        if (!items)
            return memory_error(p);
        items[0] = s;
        orelse = (StmtList){1, items};
    }
    return chain.items[0];
}

static Stmt *parse_while(Parser *p) {
    size_t start = p->pos;
    Token *kw = advance(p);
    Expr *test = parse_named_expression(p);
    if (!test || !expect_colon(p, false))
        return NULL;
    StmtList body, orelse = {0};
    if (!parse_block(p, &body, "'while' statement", kw->line))
        return NULL;
    if (check(p, TOK_ELSE) && !parse_else_block(p, &orelse))
        return NULL;
    if (p->error)
        return NULL;
    Stmt *s = new_stmt(p, STMT_WHILE, stmt_pos(p, start));
    if (!s)
        return NULL;
    s->u.while_.test = test;
    s->u.while_.body = body;
    s->u.while_.orelse = orelse;
    return s;
}

static Stmt *parse_for(Parser *p) {
    size_t start = p->pos;
    Token *kw = advance(p);
    Expr *target = parse_for_target(p);
    if (!target)
        return NULL;
    advance(p); // 'in'
    Expr *iter = parse_star_expressions(p);
    if (!iter || !expect_colon(p, false))
        return NULL;
    StmtList body, orelse = {0};
    if (!parse_block(p, &body, "'for' statement", kw->line))
        return NULL;
    if (check(p, TOK_ELSE) && !parse_else_block(p, &orelse))
        return NULL;
    if (p->error)
        return NULL;
    Stmt *s = new_stmt(p, STMT_FOR, stmt_pos(p, start));
    if (!s)
        return NULL;
    s->u.for_.target = target;
    s->u.for_.iter = iter;
    s->u.for_.body = body;
    s->u.for_.orelse = orelse;
    return s;
}

// with_item (',' with_item)*, inside parentheses or not.
static bool parse_with_items(Parser *p, WithItemVec *items, bool in_parens) {
    for (;;) {
        Expr *ctx = parse_expression(p);
        if (!ctx)
            return false;
        Expr *vars = NULL;
        if (accept(p, TOK_AS)) {
            vars = parse_with_target(p);
            if (!vars)
                return false;
        }
        WithItem item = {ctx, vars};
        if (!PUSH(p, *items, item))
            return false;
        if (!accept(p, TOK_COMMA))
            break;
        if (in_parens && check(p, TOK_RPAR))
            break;
    }
    return !p->error;
}

static Stmt *parse_with(Parser *p) {
    size_t start = p->pos;
    Token *kw = advance(p);
    WithItemVec items = {0};
    bool done = false;
    if (check(p, TOK_LPAR)) {
        // Parenthesized with-items, tried first as CPython does: `with (a, b):` is two items,
        // `with (a, b) as c:` one.
        Mark m = mark(p);
        advance(p);
        bool ok = parse_with_items(p, &items, true) && accept(p, TOK_RPAR) && check(p, TOK_COLON);
        if (p->error)
            return NULL;
        if (ok) {
            done = true;
        } else {
            reset(p, m);
            items = (WithItemVec){0};
        }
    }
    if (!done && !parse_with_items(p, &items, false))
        return NULL;
    if (!expect_colon(p, false))
        return NULL;
    StmtList body;
    if (!parse_block(p, &body, "'with' statement", kw->line))
        return NULL;
    Stmt *s = new_stmt(p, STMT_WITH, stmt_pos(p, start));
    if (!s)
        return NULL;
    s->u.with.items = AS_LIST(WithItemList, items);
    s->u.with.body = body;
    return s;
}

// except_block: 'except' [expression ['as' NAME]] ':' block.
static bool parse_except(Parser *p, ExceptHandler *out) {
    size_t start = p->pos;
    Token *kw = advance(p);
    Expr *type = NULL;
    const char *name = NULL;
    if (check(p, TOK_STAR)) {
        error_at_token(p, peek(p), "except* is not supported in mini");
        return false;
    }
    if (!check(p, TOK_COLON)) {
        if (check(p, TOK_NEWLINE)) {
            if (!p->error && !p->no_invalid)
                error_at_last(p, "expected ':'");
            return false;
        }
        type = parse_expression(p);
        if (!type)
            return false;
        if (check(p, TOK_COMMA) && !p->no_invalid) {
            // CPython's invalid_except_stmt: except A, B: ...
            Mark m = mark(p);
            advance(p);
            bool ok = parse_expressions(p) != NULL;
            if (ok && accept(p, TOK_AS))
                ok = accept(p, TOK_NAME) != NULL;
            ok = ok && check(p, TOK_COLON);
            if (p->error)
                return false;
            if (ok)
                return error_starting_from(p, type->pos,
                                           "multiple exception types must be parenthesized");
            reset(p, m);
            return false;
        }
        if (accept(p, TOK_AS)) {
            Token *n = accept(p, TOK_NAME);
            if (!n)
                return false;
            name = tok_name(p, n);
            if (!name)
                return false;
        }
    }
    if (!expect_colon(p, false))
        return false;
    StmtList body;
    if (!parse_block(p, &body, "'except' statement", kw->line))
        return false;
    out->type = type;
    out->name = name;
    out->body = body;
    out->pos = stmt_pos(p, start);
    return true;
}

// finally_block: 'finally' &&':' block.
static bool parse_finally(Parser *p, StmtList *out) {
    Token *kw = advance(p);
    return expect_colon(p, true) && parse_block(p, out, "'finally' statement", kw->line);
}

static Stmt *parse_try(Parser *p) {
    size_t start = p->pos;
    Token *kw = advance(p);
    StmtList body, orelse = {0}, finalbody = {0};
    HandlerVec handlers = {0};
    if (!expect_colon(p, true) || !parse_block(p, &body, "'try' statement", kw->line))
        return NULL;
    if (check(p, TOK_FINALLY)) {
        if (!parse_finally(p, &finalbody))
            return NULL;
    } else if (check(p, TOK_EXCEPT)) {
        while (check(p, TOK_EXCEPT)) {
            ExceptHandler h;
            if (!parse_except(p, &h) || !PUSH(p, handlers, h))
                return NULL;
        }
        if (check(p, TOK_ELSE) && !parse_else_block(p, &orelse))
            return NULL;
        if (check(p, TOK_FINALLY) && !parse_finally(p, &finalbody))
            return NULL;
    } else {
        if (!p->error && !p->no_invalid)
            error_at_last(p, "expected 'except' or 'finally' block");
        return NULL;
    }
    if (p->error)
        return NULL;
    Stmt *s = new_stmt(p, STMT_TRY, stmt_pos(p, start));
    if (!s)
        return NULL;
    s->u.try_.body = body;
    s->u.try_.handlers = AS_LIST(HandlerList, handlers);
    s->u.try_.orelse = orelse;
    s->u.try_.finalbody = finalbody;
    return s;
}

static Stmt *parse_funcdef(Parser *p, ExprVec decorators) {
    size_t start = p->pos;
    Token *kw = advance(p);
    Token *name = accept(p, TOK_NAME);
    if (!name)
        return NULL;
    if (!check(p, TOK_LPAR)) {
        if (!p->error)
            error_at_token(p, peek(p), "expected '('");
        return NULL;
    }
    advance(p);
    Arguments *args = parse_params(p, false);
    if (!args || !accept(p, TOK_RPAR))
        return NULL;
    Expr *returns = NULL;
    if (check(p, TOK_RARROW)) {
        // ['->' expression]: without an expression, the option is not taken and the forced
        // ':' reports at the arrow.
        Mark m = mark(p);
        advance(p);
        returns = parse_expression(p);
        if (p->error)
            return NULL;
        if (!returns)
            reset(p, m);
    }
    if (!expect_colon(p, true))
        return NULL;
    StmtList body;
    p->func_depth++;
    bool ok = parse_block(p, &body, "function definition", kw->line);
    p->func_depth--;
    if (!ok)
        return NULL;
    const char *id = tok_name(p, name);
    Stmt *s = id ? new_stmt(p, STMT_FUNCTIONDEF, stmt_pos(p, start)) : NULL;
    if (!s)
        return NULL;
    s->u.functiondef.name = id;
    s->u.functiondef.args = args;
    s->u.functiondef.body = body;
    s->u.functiondef.decorator_list = AS_LIST(ExprList, decorators);
    s->u.functiondef.returns = returns;
    return s;
}

static Stmt *parse_classdef(Parser *p, ExprVec decorators) {
    size_t start = p->pos;
    Token *kw = advance(p);
    Token *name = accept(p, TOK_NAME);
    if (!name)
        return NULL;
    ExprVec bases = {0};
    KeywordVec kws = {0};
    if (check(p, TOK_LPAR)) {
        size_t lpar = p->pos;
        advance(p);
        if (!parse_arguments(p, &bases, &kws, false, lpar) || !accept(p, TOK_RPAR))
            return NULL;
    }
    if (!expect_colon(p, false))
        return NULL;
    StmtList body;
    if (!parse_block(p, &body, "class definition", kw->line))
        return NULL;
    const char *id = tok_name(p, name);
    Stmt *s = id ? new_stmt(p, STMT_CLASSDEF, stmt_pos(p, start)) : NULL;
    if (!s)
        return NULL;
    s->u.classdef.name = id;
    s->u.classdef.bases = AS_LIST(ExprList, bases);
    s->u.classdef.keywords = AS_LIST(KeywordList, kws);
    s->u.classdef.body = body;
    s->u.classdef.decorator_list = AS_LIST(ExprList, decorators);
    return s;
}

// 'async' followed by a function definition, a for or a with statement: the plain statement
// with is_async set, starting at the 'async' token.
static Stmt *parse_async(Parser *p, ExprVec decorators) {
    Token *t = peek(p);
    Stmt *s;
    switch (peek_kind_at(p, 1)) {
    case TOK_DEF:
        advance(p);
        s = parse_funcdef(p, decorators);
        if (s)
            s->u.functiondef.is_async = true;
        break;
    case TOK_FOR:
        if (decorators.count > 0)
            return NULL;
        advance(p);
        s = parse_for(p);
        if (s)
            s->u.for_.is_async = true;
        break;
    case TOK_WITH:
        if (decorators.count > 0)
            return NULL;
        advance(p);
        s = parse_with(p);
        if (s)
            s->u.with.is_async = true;
        break;
    default: return NULL;
    }
    if (s) {
        s->pos.line = t->line;
        s->pos.col = t->col;
    }
    return s;
}

static Stmt *parse_decorated(Parser *p) {
    ExprVec decorators = {0};
    while (accept(p, TOK_AT)) {
        Expr *d = parse_named_expression(p);
        if (!d || !accept(p, TOK_NEWLINE) || !PUSH(p, decorators, d))
            return NULL;
    }
    switch (peek_kind(p)) {
    case TOK_DEF: return parse_funcdef(p, decorators);
    case TOK_CLASS: return parse_classdef(p, decorators);
    case TOK_ASYNC: return parse_async(p, decorators);
    default: return NULL;
    }
}

static Stmt *parse_compound(Parser *p) {
    switch (peek_kind(p)) {
    case TOK_IF: return parse_if(p);
    case TOK_WHILE: return parse_while(p);
    case TOK_FOR: return parse_for(p);
    case TOK_TRY: return parse_try(p);
    case TOK_WITH: return parse_with(p);
    case TOK_DEF: return parse_funcdef(p, (ExprVec){0});
    case TOK_CLASS: return parse_classdef(p, (ExprVec){0});
    case TOK_AT: return parse_decorated(p);
    case TOK_ASYNC: return parse_async(p, (ExprVec){0});
    default: return NULL;
    }
}

// The rest of a dotted_name whose [first] NAME is read: ('.' NAME)*. Returns the joined name,
// owned by the parser's arena like every string of the tree, or NULL with the error set.
static const char *dotted_name_rest(Parser *p, Token *first) {
    Buf dotted = {0};
    if (!buf_add(p, &dotted, first->start, first->len))
        return NULL;
    while (check(p, TOK_DOT)) {
        advance(p);
        Token *part = accept(p, TOK_NAME);
        if (!part)
            return NULL;
        if (!buf_addc(p, &dotted, '.') || !buf_add(p, &dotted, part->start, part->len))
            return NULL;
    }
    return dotted.data;
}

// import_name: 'import' dotted_as_name (',' dotted_as_name)*.
static Stmt *parse_import(Parser *p) {
    size_t start = p->pos;
    advance(p);
    AliasVec names = {0};
    do {
        Token *first = accept(p, TOK_NAME);
        if (!first)
            return NULL;
        const char *dotted = dotted_name_rest(p, first);
        if (!dotted)
            return NULL;
        const char *asname = NULL;
        if (accept(p, TOK_AS)) {
            Token *n = accept(p, TOK_NAME);
            if (!n || !(asname = tok_name(p, n)))
                return NULL;
        }
        Alias a = {dotted, asname, pos_tokens(first, prev_token(p))};
        if (!PUSH(p, names, a))
            return NULL;
    } while (accept(p, TOK_COMMA));
    if (p->error)
        return NULL;
    Stmt *s = new_stmt(p, STMT_IMPORT, stmt_pos(p, start));
    if (s)
        s->u.import.names = AS_LIST(AliasList, names);
    return s;
}

// import_from: 'from' ('.' | '...')* dotted_name 'import' targets
//            | 'from' ('.' | '...')+ 'import' targets.
static Stmt *parse_import_from(Parser *p) {
    size_t start = p->pos;
    advance(p);
    int level = 0;
    for (;;) {
        if (accept(p, TOK_DOT))
            level++;
        else if (accept(p, TOK_ELLIPSIS))
            level += 3;
        else
            break;
    }
    const char *module = NULL;
    if (check(p, TOK_NAME)) {
        module = dotted_name_rest(p, advance(p));
        if (!module)
            return NULL;
    } else if (level == 0) {
        return NULL;
    }
    if (!accept(p, TOK_IMPORT))
        return NULL;
    AliasVec names = {0};
    if (check(p, TOK_STAR)) {
        Token *star = advance(p);
        Alias a = {"*", NULL, pos_tokens(star, star)};
        if (!PUSH(p, names, a))
            return NULL;
    } else {
        bool parens = accept(p, TOK_LPAR) != NULL;
        for (;;) {
            Token *n = accept(p, TOK_NAME);
            if (!n)
                return NULL;
            const char *name = tok_name(p, n), *asname = NULL;
            if (!name)
                return NULL;
            if (accept(p, TOK_AS)) {
                Token *a = accept(p, TOK_NAME);
                if (!a || !(asname = tok_name(p, a)))
                    return NULL;
            }
            Alias al = {name, asname, pos_tokens(n, prev_token(p))};
            if (!PUSH(p, names, al))
                return NULL;
            if (!accept(p, TOK_COMMA))
                break;
            if (parens && check(p, TOK_RPAR))
                break;
            if (!parens && check(p, TOK_NEWLINE)) {
                if (!p->error && !p->no_invalid)
                    error_at_last(p, "trailing comma not allowed without surrounding parentheses");
                return NULL;
            }
        }
        if (parens && !accept(p, TOK_RPAR))
            return NULL;
    }
    if (p->error)
        return NULL;
    Stmt *s = new_stmt(p, STMT_IMPORTFROM, stmt_pos(p, start));
    if (!s)
        return NULL;
    s->u.importfrom.module = module;
    s->u.importfrom.names = AS_LIST(AliasList, names);
    s->u.importfrom.level = level;
    return s;
}

// del_stmt: 'del' del_targets &(';' | NEWLINE), else CPython's invalid_del_stmt.
static Stmt *parse_del(Parser *p) {
    size_t start = p->pos;
    advance(p);
    Mark m = mark(p);
    ExprVec targets = {0};
    bool ok = true;
    for (;;) {
        Expr *t = parse_primary(p);
        if (!t || !PUSH(p, targets, t)) {
            ok = false;
            break;
        }
        if (!accept(p, TOK_COMMA))
            break;
        if (check(p, TOK_SEMI) || check(p, TOK_NEWLINE))
            break;
    }
    if (p->error)
        return NULL;
    ok = ok && (check(p, TOK_SEMI) || check(p, TOK_NEWLINE));
    for (size_t i = 0; ok && i < targets.count; i++)
        if (invalid_target(targets.items[i], TARGETS_DEL))
            ok = false;
    if (!ok) {
        if (p->no_invalid)
            return NULL;
        Mark failed = mark(p);
        reset(p, m);
        Expr *a = parse_star_expressions(p);
        if (p->error)
            return NULL;
        Expr *bad = a ? invalid_target(a, TARGETS_DEL) : NULL;
        if (bad)
            return error_at_expr(p, bad, "cannot delete %s", expr_name(bad));
        reset_all(p, failed);
        return NULL;
    }
    for (size_t i = 0; i < targets.count; i++)
        set_context(targets.items[i], CTX_DEL);
    Stmt *s = new_stmt(p, STMT_DELETE, stmt_pos(p, start));
    if (s)
        s->u.del.targets = AS_LIST(ExprList, targets);
    return s;
}

static bool augassign_op(TokKind k, MiniBinOp *op) {
    switch (k) {
    case TOK_PLUSEQUAL: *op = BINOP_ADD; return true;
    case TOK_MINEQUAL: *op = BINOP_SUB; return true;
    case TOK_STAREQUAL: *op = BINOP_MUL; return true;
    case TOK_ATEQUAL: *op = BINOP_MATMUL; return true;
    case TOK_SLASHEQUAL: *op = BINOP_TRUEDIV; return true;
    case TOK_PERCENTEQUAL: *op = BINOP_MOD; return true;
    case TOK_AMPEREQUAL: *op = BINOP_AND; return true;
    case TOK_VBAREQUAL: *op = BINOP_OR; return true;
    case TOK_CIRCUMFLEXEQUAL: *op = BINOP_XOR; return true;
    case TOK_LEFTSHIFTEQUAL: *op = BINOP_LSHIFT; return true;
    case TOK_RIGHTSHIFTEQUAL: *op = BINOP_RSHIFT; return true;
    case TOK_DOUBLESTAREQUAL: *op = BINOP_POW; return true;
    case TOK_DOUBLESLASHEQUAL: *op = BINOP_FLOORDIV; return true;
    default: return false;
    }
}

static Expr *parse_rhs(Parser *p) {
    return check(p, TOK_YIELD) ? parse_yield_expr(p) : parse_star_expressions(p);
}

// Explains an invalid target in `T0 = T1 = ... = value` as CPython's second pass does: the
// '==' suggestions of invalid_named_expression on the first target, then the first invalid
// target. [start] is the statement's first token, [eq] the index of the first '='.
static void *assignment_error(Parser *p, size_t start, size_t eq, bool bare_tuple,
                              ExprVec targets) {
    Expr *t0 = targets.items[0];
    Expr *x = t0;
    bool check_named = true;
    size_t xstart = start;
    if (bare_tuple) {
        x = t0->u.list.elts.items[t0->u.list.elts.count - 1];
        check_named = p->toks[eq - 1].kind != TOK_COMMA;
        // The last element starts after the last comma outside brackets.
        int base = start > 0 ? p->toks[start - 1].level : 0;
        for (size_t i = eq; i-- > start;) {
            if (p->toks[i].kind == TOK_COMMA && p->toks[i].level == base) {
                xstart = i + 1;
                break;
            }
        }
    }
    if (check_named && x->kind != EXPR_STARRED) {
        Mark m = mark(p);
        p->pos = eq;
        if (!check_named_expression(p, xstart, x))
            return NULL;
        reset(p, m);
    }
    for (size_t i = 0; i < targets.count; i++) {
        Expr *t = targets.items[i];
        if (t->kind == EXPR_YIELD || t->kind == EXPR_YIELDFROM)
            return error_at_expr(p, t, "assignment to yield expression not possible");
        Expr *bad = invalid_target(t, TARGETS_STAR);
        if (bad)
            return error_at_expr(p, bad, "cannot assign to %s", expr_name(bad));
    }
    return NULL;
}

// CPython's invalid_assignment alternative `star_named_expression ',' star_named_expressions*
// ':' expression`, tried when the statement at token [start] is no assignment: the repeated
// comma lists need no comma between them, so juxtaposed expressions are read too (with their
// checks). False when an error was raised.
static bool annotated_tuple_error(Parser *p, size_t start) {
    Mark m = mark(p);
    p->pos = start;
    Expr *first = parse_star_named_expression(p);
    if (first && accept(p, TOK_COMMA)) {
        while (starts_star_expression(peek_kind(p))) {
            Mark before = mark(p);
            if (!parse_star_named_expression(p)) {
                reset(p, before);
                break;
            }
            accept(p, TOK_COMMA);
        }
        if (!p->error && accept(p, TOK_COLON) && parse_expression(p)) {
            reset_all(p, m);
            error_at_expr(p, first, "only single target (not tuple) can be annotated");
            return false;
        }
    }
    if (p->error)
        return false;
    reset_all(p, m);
    return true;
}

// An expression statement, or an assignment of any kind.
static Stmt *parse_expr_stmt(Parser *p) {
    size_t start = p->pos;
    bool bare_tuple = false;
    Expr *e = check(p, TOK_YIELD) ? parse_yield_expr(p) : parse_star_expressions_ex(p, &bare_tuple);
    if (!e)
        return NULL;
    TokKind k = peek_kind(p);
    MiniBinOp op;
    if (k == TOK_EQUAL) {
        size_t eq = p->pos;
        ExprVec targets = {0};
        if (!PUSH(p, targets, e))
            return NULL;
        Expr *value = NULL;
        for (;;) {
            advance(p);
            Expr *v = parse_rhs(p);
            if (!v)
                break;
            if (!check(p, TOK_EQUAL)) {
                value = v;
                break;
            }
            if (!PUSH(p, targets, v))
                return NULL;
        }
        if (p->error)
            return NULL;
        // An invalid target is reported even when what follows its '=' does not parse.
        for (size_t i = 0; i < targets.count; i++) {
            Expr *t = targets.items[i];
            if (t->kind == EXPR_YIELD || t->kind == EXPR_YIELDFROM ||
                invalid_target(t, TARGETS_STAR)) {
                if (!p->no_invalid)
                    assignment_error(p, start, eq, bare_tuple, targets);
                return NULL;
            }
        }
        if (!value)
            return NULL;
        for (size_t i = 0; i < targets.count; i++)
            make_store(p, targets.items[i]);
        Stmt *s = new_stmt(p, STMT_ASSIGN, stmt_pos(p, start));
        if (!s)
            return NULL;
        s->u.assign.targets = AS_LIST(ExprList, targets);
        s->u.assign.value = value;
        return s;
    }
    if (augassign_op(k, &op)) {
        if (e->kind != EXPR_NAME && e->kind != EXPR_ATTRIBUTE && e->kind != EXPR_SUBSCRIPT) {
            // Not a target: the parse fails at the operator, unless CPython's
            // invalid_assignment explains it (it needs a right side that parses).
            if (p->no_invalid)
                return NULL;
            Mark m = mark(p);
            advance(p);
            Expr *value = parse_rhs(p);
            if (p->error)
                return NULL;
            reset_all(p, m);
            if (value)
                return error_at_expr(p, e, "'%s' is an illegal expression for augmented assignment",
                                     expr_name(e));
            return NULL;
        }
        advance(p);
        Expr *value = parse_rhs(p);
        if (!value)
            return NULL;
        set_context(e, CTX_STORE);
        Stmt *s = new_stmt(p, STMT_AUGASSIGN, stmt_pos(p, start));
        if (!s)
            return NULL;
        s->u.augassign.target = e;
        s->u.augassign.op = op;
        s->u.augassign.value = value;
        return s;
    }
    if (k == TOK_COLON) {
        bool valid = e->kind == EXPR_NAME || e->kind == EXPR_ATTRIBUTE || e->kind == EXPR_SUBSCRIPT;
        // Not a target: the first pass fails at the ':'.
        if (!valid && p->no_invalid)
            return NULL;
        advance(p);
        Expr *annotation = parse_expression(p);
        if (!annotation)
            return NULL;
        bool simple = e->kind == EXPR_NAME && p->toks[start].kind == TOK_NAME;
        if (!valid) {
            if (bare_tuple)
                return error_at_expr(p, e->u.list.elts.items[0],
                                     "only single target (not tuple) can be annotated");
            if (e->kind == EXPR_LIST || e->kind == EXPR_TUPLE)
                return error_at_expr(p, e, "only single target (not %s) can be annotated",
                                     expr_name(e));
            return error_at_expr(p, e, "illegal target for annotation");
        }
        Expr *value = NULL;
        if (accept(p, TOK_EQUAL)) {
            value = parse_rhs(p);
            if (!value)
                return NULL;
        }
        set_context(e, CTX_STORE);
        Stmt *s = new_stmt(p, STMT_ANNASSIGN, stmt_pos(p, start));
        if (!s)
            return NULL;
        s->u.annassign.target = e;
        s->u.annassign.annotation = annotation;
        s->u.annassign.value = value;
        s->u.annassign.simple = simple;
        return s;
    }
    if (p->error)
        return NULL;
    if (!p->no_invalid && !check(p, TOK_NEWLINE) && !check(p, TOK_SEMI) &&
        !annotated_tuple_error(p, start))
        return NULL;
    Stmt *s = new_stmt(p, STMT_EXPR, stmt_pos(p, start));
    if (s)
        s->u.expr.value = e;
    return s;
}

static Stmt *parse_simple_stmt(Parser *p) {
    size_t start = p->pos;
    Token *t = peek(p);
    StmtKind kind;
    switch (t->kind) {
    case TOK_PASS: kind = STMT_PASS; goto keyword_only;
    case TOK_BREAK: kind = STMT_BREAK; goto keyword_only;
    case TOK_CONTINUE:
        kind = STMT_CONTINUE;
    keyword_only:
        advance(p);
        return new_stmt(p, kind, pos_tokens(t, t));
    case TOK_RETURN: {
        advance(p);
        Expr *v = NULL;
        if (starts_star_expression(peek_kind(p)) && !(v = parse_star_expressions(p)))
            return NULL;
        Stmt *s = new_stmt(p, STMT_RETURN, stmt_pos(p, start));
        if (s)
            s->u.ret.value = v;
        return s;
    }
    case TOK_RAISE: {
        advance(p);
        Expr *exc = NULL, *cause = NULL;
        if (starts_expression(peek_kind(p))) {
            if (!(exc = parse_expression(p)))
                return NULL;
            if (accept(p, TOK_FROM) && !(cause = parse_expression(p)))
                return NULL;
        }
        Stmt *s = new_stmt(p, STMT_RAISE, stmt_pos(p, start));
        if (s) {
            s->u.raise.exc = exc;
            s->u.raise.cause = cause;
        }
        return s;
    }
    case TOK_GLOBAL:
    case TOK_NONLOCAL: {
        advance(p);
        NameVec names = {0};
        do {
            Token *n = accept(p, TOK_NAME);
            const char *id = n ? tok_name(p, n) : NULL;
            if (!id || !PUSH(p, names, id))
                return NULL;
        } while (accept(p, TOK_COMMA));
        Stmt *s = new_stmt(p, t->kind == TOK_GLOBAL ? STMT_GLOBAL : STMT_NONLOCAL,
                           stmt_pos(p, start));
        if (s)
            s->u.global.names = AS_LIST(NameList, names);
        return s;
    }
    case TOK_DEL: return parse_del(p);
    case TOK_ASSERT: {
        advance(p);
        Expr *test = parse_expression(p), *msg = NULL;
        if (!test)
            return NULL;
        if (accept(p, TOK_COMMA) && !(msg = parse_expression(p)))
            return NULL;
        Stmt *s = new_stmt(p, STMT_ASSERT, stmt_pos(p, start));
        if (s) {
            s->u.assert_.test = test;
            s->u.assert_.msg = msg;
        }
        return s;
    }
    case TOK_IMPORT: return parse_import(p);
    case TOK_FROM: return parse_import_from(p);
    default: return parse_expr_stmt(p);
    }
}

// simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE.
static bool parse_simple_stmts(Parser *p, StmtVec *out) {
    for (;;) {
        Stmt *s = parse_simple_stmt(p);
        if (!s || !PUSH(p, *out, s))
            return false;
        if (!accept(p, TOK_SEMI) || check(p, TOK_NEWLINE))
            break;
    }
    return accept(p, TOK_NEWLINE) != NULL;
}

// Whether the statement at the current token looks like a match statement: `match` ... ':'
// NEWLINE INDENT `case` (mini does not have them; CPython 3.11 does).
static bool looks_like_match(Parser *p) {
    const Token *t = peek(p);
    if (t->kind != TOK_NAME || !tok_is(t, "match"))
        return false;
    int base = t->level;
    for (size_t i = p->pos + 1; i + 3 < p->ntoks; i++) {
        const Token *c = &p->toks[i];
        if (c->kind == TOK_NEWLINE || c->kind == TOK_ENDMARKER || c->kind == TOK_ERRORTOKEN)
            return false;
        if (c->kind == TOK_COLON && c->level == base)
            return p->toks[i + 1].kind == TOK_NEWLINE && p->toks[i + 2].kind == TOK_INDENT &&
                   p->toks[i + 3].kind == TOK_NAME && tok_is(&p->toks[i + 3], "case");
    }
    return false;
}

static bool parse_statement(Parser *p, StmtVec *out) {
    if (!p->no_invalid && looks_like_match(p)) {
        error_at_token(p, peek(p), "match statements are not supported in mini");
        return false;
    }
    switch (peek_kind(p)) {
    case TOK_IF:
    case TOK_WHILE:
    case TOK_FOR:
    case TOK_TRY:
    case TOK_WITH:
    case TOK_DEF:
    case TOK_CLASS:
    case TOK_AT:
    case TOK_ASYNC: {
        Stmt *s = parse_compound(p);
        return s && PUSH(p, *out, s);
    }
    default: return parse_simple_stmts(p, out);
    }
}

// ---------------------------------------------------------------------------------------------
// Driving the lexer
// ---------------------------------------------------------------------------------------------

// Moves a position of an f-string expression's private source "(" + text + ")" to the real
// source: its first line starts one column before the text (the added parenthesis).
static void remap_pos(const Parser *p, int *line, int *col) {
    if (*line == 1 && *col >= 0)
        *col = p->base_col + *col - 1;
    *line = p->base_line + *line - 1;
}

// Reads every token into p->toks, the last being ENDMARKER or ERRORTOKEN (where the
// tokenizer failed). False only on MemoryError.
static bool tokenize_all(Parser *p) {
    size_t cap = 256, n = 0;
    Token *toks = mini_malloc(cap * sizeof(Token));
    if (!toks) {
        p->error = true;
        return false;
    }
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 2 / sizeof(Token)) {
                mini_free(toks);
                mini_raise_memory();
                p->error = true;
                return false;
            }
            Token *grown = mini_realloc(toks, cap * 2 * sizeof(Token));
            if (!grown) {
                mini_free(toks);
                p->error = true;
                return false;
            }
            toks = grown;
            cap *= 2;
        }
        Token *t = &toks[n++];
        if (!lexer_next(p->lx, t)) {
            if (p->lx->err.kind == LEXERR_MEMORY) {
                mini_free(toks);
                p->error = true;
                return false;
            }
            memset(t, 0, sizeof *t);
            t->kind = TOK_ERRORTOKEN;
            t->line = t->end_line = p->lx->err.lineno > 0 ? p->lx->err.lineno : p->lx->lineno;
            t->col = t->end_col = -1;
            t->cur_col = p->lx->err.cur_col;
            t->start = p->lx->cur;
            break;
        }
        if (p->base_line) {
            if (t->col < 0) {
                int line = t->line;
                remap_pos(p, &line, &t->cur_col);
            }
            remap_pos(p, &t->line, &t->col);
            remap_pos(p, &t->end_line, &t->end_col);
        }
        if (t->kind == TOK_ENDMARKER)
            break;
    }
    p->toks = toks;
    p->ntoks = n;
    if (p->base_line) {
        // The tokenizer's error positions move the same way.
        LexError *e = &p->lx->err;
        if (e->kind != LEXERR_NONE) {
            int line = e->lineno;
            remap_pos(p, &line, &e->cur_col);
            if (e->kind == LEXERR_RAISE && e->lineno == 1)
                e->offset = e->offset + p->base_col - 1;
            e->lineno = line;
            if (e->level > 0)
                remap_pos(p, &e->paren_line, &e->paren_col);
            if (toks[n - 1].kind == TOK_ERRORTOKEN && e->lineno > 0)
                toks[n - 1].line = toks[n - 1].end_line = e->lineno;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// The two passes, and errors at the end of a parse
// ---------------------------------------------------------------------------------------------

typedef void *(*StartRule)(Parser *p);

// Runs [rule] as CPython runs its parser: a first pass with the "invalid_*" checks off; if it
// fails without an error, a second pass over the same tokens with them on, to find a specific
// message. The result is NULL unless the first pass succeeds; finish_error() then raises.
static void *run_passes(Parser *p, StartRule rule) {
    int depth = p->depth, func_depth = p->func_depth;
    p->no_invalid = 1;
    void *r = rule(p);
    if (r || p->error)
        return r;
    p->no_invalid = 0;
    p->second_pass = true;
    p->pos = 0;
    p->memo = arena_alloc(p->arena, p->ntoks);
    if (!p->memo) {
        p->error = true;
        return NULL;
    }
    p->depth = depth;
    p->func_depth = func_depth;
    rule(p);
    return NULL;
}

// Called when a parse failed: raises the generic error for a soft failure, then lets a
// tokenizer error after the failure point take over, as CPython does (it tokenizes the rest
// of the input and prefers an unclosed bracket before the error line, or any error the
// tokenizer raises itself).
static void finish_error(Parser *p) {
    if (!p->error) {
        Token *t = last_parse_token(p);
        // An unexpected INDENT or DEDENT is final: CPython does not look further.
        if (t->kind == TOK_INDENT) {
            raise_syntax(p, mini_exc_IndentationError, t->line, t->cur_col, "unexpected indent");
            return;
        }
        if (t->kind == TOK_DEDENT) {
            raise_syntax(p, mini_exc_IndentationError, t->line, t->cur_col, "unexpected unindent");
            return;
        }
        // Nothing but the end of the input: CPython has no position for this one.
        if (t == &p->toks[0] && t->kind == TOK_ENDMARKER)
            raise_syntax(p, mini_exc_SyntaxError, 0, 0, "invalid syntax");
        else
            raise_syntax(p, mini_exc_SyntaxError, t->line, t->col + 1, "invalid syntax");
    }
    const LexError *e = &p->lx->err;
    if (p->lexer_error || e->kind == LEXERR_NONE || e->kind == LEXERR_MEMORY)
        return;
    if (!mini_error_matches(mini_exc_SyntaxError))
        return;
    if (e->kind == LEXERR_RAISE) {
        mini_error_clear();
        p->error = false;
        raise_lexer_error(p);
    } else if (e->level > 0 && last_token(p)->line > e->paren_line) {
        mini_error_clear();
        p->error = false;
        raise_syntax(p, mini_exc_SyntaxError, e->paren_line, e->paren_col + 1,
                     "'%c' was never closed", e->paren);
    }
}

// ---------------------------------------------------------------------------------------------
// f-string expressions
// ---------------------------------------------------------------------------------------------

// fstring: star_expressions, then the end of the text.
static void *fstring_rule(Parser *p) {
    Expr *e = parse_star_expressions(p);
    if (!e)
        return NULL;
    while (accept(p, TOK_NEWLINE)) {
    }
    return check(p, TOK_ENDMARKER) ? e : NULL;
}

// Parses the expression text [start, end) of a replacement field of the f-string token [t]:
// as CPython does, "(" + text + ")" is parsed on its own, with "f-string: " before its
// error messages. New positions are those of the text in the source.
static Expr *parse_fstring_expr_text(Parser *p, const char *start, const char *end, Token *t) {
    const char *s = start;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\f'))
        s++;
    if (s == end) {
        if (*end == '!' || *end == ':' || *end == '=')
            return error_at_last(p, "f-string: expression required before '%c'", *end);
        return error_at_last(p, "f-string: empty expression not allowed");
    }
    // Where the text starts in the source: the token's position plus the text before it.
    int line = t->line, col = t->col;
    for (const char *q = t->start; q < start; q++) {
        if (*q == '\n') {
            line++;
            col = 0;
        } else {
            col++;
        }
    }
    size_t len = (size_t)(end - start);
    char *buf = arena_alloc(p->arena, len + 2);
    Lexer *lx = arena_alloc(p->arena, sizeof(Lexer));
    if (!buf || !lx)
        return memory_error(p);
    buf[0] = '(';
    memcpy(buf + 1, start, len);
    buf[len + 1] = ')';
    if (!lexer_init(lx, p->arena, buf, len + 2, p->filename))
        return memory_error(p);
    Parser sub = {0};
    sub.arena = p->arena;
    sub.filename = p->filename;
    sub.lx = lx;
    sub.src_lx = p->src_lx;
    sub.depth = p->depth;
    sub.func_depth = p->func_depth;
    sub.mode = MODE_EVAL;
    sub.fstring = true;
    sub.base_line = line;
    sub.base_col = col;
    sub.deferred = p->deferred;
    if (!tokenize_all(&sub))
        return memory_error(p);
    Expr *e = run_passes(&sub, fstring_rule);
    if (!e)
        finish_error(&sub);
    mini_free(sub.toks);
    if (!e)
        p->error = true;
    return e;
}

// ---------------------------------------------------------------------------------------------
// The depth of the tree
// ---------------------------------------------------------------------------------------------

typedef struct {
    const void *node;
    bool is_stmt;
    int depth;
} DepthItem;

typedef struct {
    DepthItem *items;
    size_t count, cap;
    bool failed;
} DepthStack;

static void depth_push(DepthStack *st, const void *node, bool is_stmt, int depth) {
    if (!node || st->failed)
        return;
    if (st->count == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 256;
        DepthItem *n = mini_realloc(st->items, ncap * sizeof(DepthItem));
        if (!n) {
            st->failed = true;
            return;
        }
        st->items = n;
        st->cap = ncap;
    }
    st->items[st->count++] = (DepthItem){node, is_stmt, depth};
}

static void depth_push_exprs(DepthStack *st, ExprList l, int depth) {
    for (size_t i = 0; i < l.count; i++)
        depth_push(st, l.items[i], false, depth);
}

static void depth_push_stmts(DepthStack *st, StmtList l, int depth) {
    for (size_t i = 0; i < l.count; i++)
        depth_push(st, l.items[i], true, depth);
}

static void depth_push_args(DepthStack *st, const Arguments *a, int depth) {
    const ArgList *lists[3] = {&a->posonlyargs, &a->args, &a->kwonlyargs};
    for (int g = 0; g < 3; g++)
        for (size_t i = 0; i < lists[g]->count; i++)
            depth_push(st, lists[g]->items[i].annotation, false, depth);
    if (a->vararg)
        depth_push(st, a->vararg->annotation, false, depth);
    if (a->kwarg)
        depth_push(st, a->kwarg->annotation, false, depth);
    depth_push_exprs(st, a->defaults, depth);
    depth_push_exprs(st, a->kw_defaults, depth);
}

static void depth_push_comps(DepthStack *st, ComprehensionList l, int depth) {
    for (size_t i = 0; i < l.count; i++) {
        depth_push(st, l.items[i].target, false, depth);
        depth_push(st, l.items[i].iter, false, depth);
        depth_push_exprs(st, l.items[i].ifs, depth);
    }
}

static void depth_children_expr(DepthStack *st, const Expr *e, int d) {
    switch (e->kind) {
    case EXPR_BOOLOP: depth_push_exprs(st, e->u.boolop.values, d); break;
    case EXPR_NAMEDEXPR:
        depth_push(st, e->u.namedexpr.target, false, d);
        depth_push(st, e->u.namedexpr.value, false, d);
        break;
    case EXPR_BINOP:
        depth_push(st, e->u.binop.left, false, d);
        depth_push(st, e->u.binop.right, false, d);
        break;
    case EXPR_UNARYOP: depth_push(st, e->u.unaryop.operand, false, d); break;
    case EXPR_LAMBDA:
        depth_push_args(st, e->u.lambda.args, d);
        depth_push(st, e->u.lambda.body, false, d);
        break;
    case EXPR_IFEXP:
        depth_push(st, e->u.ifexp.test, false, d);
        depth_push(st, e->u.ifexp.body, false, d);
        depth_push(st, e->u.ifexp.orelse, false, d);
        break;
    case EXPR_DICT:
        depth_push_exprs(st, e->u.dict.keys, d);
        depth_push_exprs(st, e->u.dict.values, d);
        break;
    case EXPR_SET: depth_push_exprs(st, e->u.set.elts, d); break;
    case EXPR_LISTCOMP:
    case EXPR_SETCOMP:
    case EXPR_GENEXP:
        depth_push(st, e->u.listcomp.elt, false, d);
        depth_push_comps(st, e->u.listcomp.generators, d);
        break;
    case EXPR_DICTCOMP:
        depth_push(st, e->u.dictcomp.key, false, d);
        depth_push(st, e->u.dictcomp.value, false, d);
        depth_push_comps(st, e->u.dictcomp.generators, d);
        break;
    case EXPR_YIELD:
    case EXPR_YIELDFROM:
    case EXPR_AWAIT: depth_push(st, e->u.yield.value, false, d); break;
    case EXPR_COMPARE:
        depth_push(st, e->u.compare.left, false, d);
        for (size_t i = 0; i < e->u.compare.count; i++)
            depth_push(st, e->u.compare.comparators[i], false, d);
        break;
    case EXPR_CALL:
        depth_push(st, e->u.call.func, false, d);
        depth_push_exprs(st, e->u.call.args, d);
        for (size_t i = 0; i < e->u.call.keywords.count; i++)
            depth_push(st, e->u.call.keywords.items[i].value, false, d);
        break;
    case EXPR_FORMATTEDVALUE:
        depth_push(st, e->u.formattedvalue.value, false, d);
        depth_push(st, e->u.formattedvalue.format_spec, false, d);
        break;
    case EXPR_JOINEDSTR: depth_push_exprs(st, e->u.joinedstr.values, d); break;
    case EXPR_ATTRIBUTE: depth_push(st, e->u.attribute.value, false, d); break;
    case EXPR_SUBSCRIPT:
        depth_push(st, e->u.subscript.value, false, d);
        depth_push(st, e->u.subscript.slice, false, d);
        break;
    case EXPR_STARRED: depth_push(st, e->u.starred.value, false, d); break;
    case EXPR_LIST:
    case EXPR_TUPLE: depth_push_exprs(st, e->u.list.elts, d); break;
    case EXPR_SLICE:
        depth_push(st, e->u.slice.lower, false, d);
        depth_push(st, e->u.slice.upper, false, d);
        depth_push(st, e->u.slice.step, false, d);
        break;
    case EXPR_CONSTANT:
    case EXPR_NAME: break;
    }
}

static void depth_children_stmt(DepthStack *st, const Stmt *s, int d) {
    switch (s->kind) {
    case STMT_FUNCTIONDEF:
        depth_push_args(st, s->u.functiondef.args, d);
        depth_push_stmts(st, s->u.functiondef.body, d);
        depth_push_exprs(st, s->u.functiondef.decorator_list, d);
        depth_push(st, s->u.functiondef.returns, false, d);
        break;
    case STMT_CLASSDEF:
        depth_push_exprs(st, s->u.classdef.bases, d);
        for (size_t i = 0; i < s->u.classdef.keywords.count; i++)
            depth_push(st, s->u.classdef.keywords.items[i].value, false, d);
        depth_push_stmts(st, s->u.classdef.body, d);
        depth_push_exprs(st, s->u.classdef.decorator_list, d);
        break;
    case STMT_RETURN:
    case STMT_EXPR: depth_push(st, s->u.ret.value, false, d); break;
    case STMT_DELETE: depth_push_exprs(st, s->u.del.targets, d); break;
    case STMT_ASSIGN:
        depth_push_exprs(st, s->u.assign.targets, d);
        depth_push(st, s->u.assign.value, false, d);
        break;
    case STMT_AUGASSIGN:
        depth_push(st, s->u.augassign.target, false, d);
        depth_push(st, s->u.augassign.value, false, d);
        break;
    case STMT_ANNASSIGN:
        depth_push(st, s->u.annassign.target, false, d);
        depth_push(st, s->u.annassign.annotation, false, d);
        depth_push(st, s->u.annassign.value, false, d);
        break;
    case STMT_FOR:
        depth_push(st, s->u.for_.target, false, d);
        depth_push(st, s->u.for_.iter, false, d);
        depth_push_stmts(st, s->u.for_.body, d);
        depth_push_stmts(st, s->u.for_.orelse, d);
        break;
    case STMT_WHILE:
    case STMT_IF:
        depth_push(st, s->u.while_.test, false, d);
        depth_push_stmts(st, s->u.while_.body, d);
        depth_push_stmts(st, s->u.while_.orelse, d);
        break;
    case STMT_WITH:
        for (size_t i = 0; i < s->u.with.items.count; i++) {
            depth_push(st, s->u.with.items.items[i].context_expr, false, d);
            depth_push(st, s->u.with.items.items[i].optional_vars, false, d);
        }
        depth_push_stmts(st, s->u.with.body, d);
        break;
    case STMT_RAISE:
        depth_push(st, s->u.raise.exc, false, d);
        depth_push(st, s->u.raise.cause, false, d);
        break;
    case STMT_TRY:
        depth_push_stmts(st, s->u.try_.body, d);
        for (size_t i = 0; i < s->u.try_.handlers.count; i++) {
            depth_push(st, s->u.try_.handlers.items[i].type, false, d);
            depth_push_stmts(st, s->u.try_.handlers.items[i].body, d);
        }
        depth_push_stmts(st, s->u.try_.orelse, d);
        depth_push_stmts(st, s->u.try_.finalbody, d);
        break;
    case STMT_ASSERT:
        depth_push(st, s->u.assert_.test, false, d);
        depth_push(st, s->u.assert_.msg, false, d);
        break;
    case STMT_IMPORT:
    case STMT_IMPORTFROM:
    case STMT_GLOBAL:
    case STMT_NONLOCAL:
    case STMT_PASS:
    case STMT_BREAK:
    case STMT_CONTINUE: break;
    }
}

// Rejects a tree deeper than MINI_MAX_AST_DEPTH, which the compiler would have to recurse
// through, with CPython's error for it. Walks with an explicit stack: any depth is safe here.
static bool check_ast_depth(Module *m) {
    DepthStack st = {0};
    if (m->mode == MODE_EVAL)
        depth_push(&st, m->expr, false, 1);
    else
        depth_push_stmts(&st, m->body, 1);
    bool ok = true;
    while (st.count && !st.failed) {
        DepthItem it = st.items[--st.count];
        if (it.depth > MINI_MAX_AST_DEPTH) {
            mini_raise(mini_exc_RecursionError,
                       "maximum recursion depth exceeded during compilation");
            ok = false;
            break;
        }
        if (it.is_stmt)
            depth_children_stmt(&st, it.node, it.depth + 1);
        else
            depth_children_expr(&st, it.node, it.depth + 1);
    }
    if (st.failed)
        ok = false; // MemoryError is pending
    mini_free(st.items);
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

static void *parse_module(Parser *p) {
    Module *m = arena_alloc(p->arena, sizeof(Module));
    if (!m)
        return memory_error(p);
    m->mode = p->mode;
    if (p->mode == MODE_EVAL) {
        Expr *e = parse_expressions(p);
        if (!e)
            return NULL;
        while (accept(p, TOK_NEWLINE)) {
        }
        if (!check(p, TOK_ENDMARKER))
            return NULL;
        m->expr = e;
        return m;
    }
    StmtVec body = {0};
    if (p->mode == MODE_SINGLE) {
        // statement_newline: one statement; an empty input is an error, as in CPython.
        if (check(p, TOK_NEWLINE)) {
            Token *t = advance(p);
            Stmt *s = new_stmt(p, STMT_PASS, pos_tokens(t, t));
            if (!s || !PUSH(p, body, s))
                return NULL;
        } else if (check(p, TOK_ENDMARKER) || !parse_statement(p, &body)) {
            return NULL;
        }
        // Anything after it is an error reported at the last token read (not looked at).
        size_t i = p->pos;
        while (i + 1 < p->ntoks && p->toks[i].kind == TOK_NEWLINE)
            i++;
        if (p->toks[i].kind != TOK_ENDMARKER) {
            if (!p->error)
                error_at_last(p, "multiple statements found while compiling a single statement");
            return NULL;
        }
    } else {
        while (!check(p, TOK_ENDMARKER)) {
            if (p->error || !parse_statement(p, &body))
                return NULL;
        }
    }
    if (p->error)
        return NULL;
    m->body = AS_LIST(StmtList, body);
    return m;
}

Module *parse_source(Arena *arena, const char *src, size_t len, const char *filename,
                     ParseMode mode) {
    Lexer *lx = arena_alloc(arena, sizeof(Lexer));
    if (!lx || !lexer_init(lx, arena, src, len, filename))
        return NULL;
    Deferred deferred = {0};
    Parser p = {0};
    p.arena = arena;
    p.filename = filename;
    p.lx = lx;
    p.src_lx = lx;
    p.mode = mode;
    p.deferred = &deferred;
    if (!tokenize_all(&p))
        return NULL;
    Module *m = run_passes(&p, parse_module);
    if (!m) {
        finish_error(&p);
    } else if (deferred.stage[0].set || deferred.stage[1].set) {
        DeferredError *d = &deferred.stage[deferred.stage[0].set ? 0 : 1];
        raise_syntax(&p, mini_exc_SyntaxError, d->line, d->col + 1, "%s", d->msg);
        m = NULL;
    } else if (!check_ast_depth(m)) {
        m = NULL;
    }
    mini_free(p.toks);
    if (!m && !mini_error_occurred())
        mini_raise_str(mini_exc_SyntaxError, "invalid syntax");
    return m;
}
