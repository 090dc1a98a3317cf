// lexer.h - the tokenizer, private to the parser (compiler/parser.c).
//
// Design
// ------
// The lexer turns UTF-8 source text into the tokens of CPython 3.11's tokenizer: NAME (with
// keywords told apart here), NUMBER, STRING (the whole literal, prefix and quotes included:
// the parser decodes it, f-strings too), NEWLINE, INDENT, DEDENT, the operators, ENDMARKER.
// It works on a private copy of the source made by lexer_init(), with "\r\n" and "\r" turned
// into "\n" and a final "\n" added when missing, as CPython's universal-newline reading does;
// tokens point into that copy, which lives in the parser's arena as long as the AST does.
//
// Errors are not raised here. lexer_next() returns false and describes the error in
// `lx->err`, and the parser decides when to raise it: CPython lets a tokenizer error found
// after a parser error replace it, and raises some tokenizer conditions (EOF inside brackets,
// a bad dedent) with wording that depends on the parser's state. Errors of kind LEXERR_RAISE
// are complete SyntaxErrors (message, line, column); the other kinds are conditions the parser
// words itself, as CPython's tokenizer_error() does.
//
// Positions: lines are 1-based; columns are 0-based byte offsets into the line, like the AST's.
// INDENT, DEDENT and ENDMARKER carry the column the tokenizer had reached (CPython gives them
// no column of their own and reports errors on them at the tokenizer's position).

#ifndef MINI_LEXER_H
#define MINI_LEXER_H

#include "ast.h"

#include <stdarg.h>

// The most nested brackets and indentation levels, as CPython's MAXLEVEL and MAXINDENT.
#define LEXER_MAX_LEVEL MINI_MAX_PAREN_DEPTH
#define LEXER_MAX_INDENT 100

typedef enum {
    TOK_ENDMARKER,
    TOK_NAME,
    TOK_NUMBER,
    TOK_STRING,
    TOK_NEWLINE,
    TOK_INDENT,
    TOK_DEDENT,
    // Operators and delimiters.
    TOK_LPAR,             // (
    TOK_RPAR,             // )
    TOK_LSQB,             // [
    TOK_RSQB,             // ]
    TOK_COLON,            // :
    TOK_COMMA,            // ,
    TOK_SEMI,             // ;
    TOK_PLUS,             // +
    TOK_MINUS,            // -
    TOK_STAR,             // *
    TOK_SLASH,            // /
    TOK_VBAR,             // |
    TOK_AMPER,            // &
    TOK_LESS,             // <
    TOK_GREATER,          // >
    TOK_EQUAL,            // =
    TOK_DOT,              // .
    TOK_PERCENT,          // %
    TOK_LBRACE,           // {
    TOK_RBRACE,           // }
    TOK_EQEQUAL,          // ==
    TOK_NOTEQUAL,         // !=
    TOK_LESSEQUAL,        // <=
    TOK_GREATEREQUAL,     // >=
    TOK_TILDE,            // ~
    TOK_CIRCUMFLEX,       // ^
    TOK_LEFTSHIFT,        // <<
    TOK_RIGHTSHIFT,       // >>
    TOK_DOUBLESTAR,       // **
    TOK_PLUSEQUAL,        // +=
    TOK_MINEQUAL,         // -=
    TOK_STAREQUAL,        // *=
    TOK_SLASHEQUAL,       // /=
    TOK_PERCENTEQUAL,     // %=
    TOK_AMPEREQUAL,       // &=
    TOK_VBAREQUAL,        // |=
    TOK_CIRCUMFLEXEQUAL,  // ^=
    TOK_LEFTSHIFTEQUAL,   // <<=
    TOK_RIGHTSHIFTEQUAL,  // >>=
    TOK_DOUBLESTAREQUAL,  // **=
    TOK_DOUBLESLASH,      // //
    TOK_DOUBLESLASHEQUAL, // //=
    TOK_AT,               // @
    TOK_ATEQUAL,          // @=
    TOK_RARROW,           // ->
    TOK_ELLIPSIS,         // ...
    TOK_COLONEQUAL,       // :=
    TOK_OP,               // any other character ('$', '?', '!', '<>'): never valid syntax
    // Keywords (NAME tokens whose text is reserved).
    TOK_FALSE,
    TOK_NONE,
    TOK_TRUE,
    TOK_AND,
    TOK_AS,
    TOK_ASSERT,
    TOK_ASYNC,
    TOK_AWAIT,
    TOK_BREAK,
    TOK_CLASS,
    TOK_CONTINUE,
    TOK_DEF,
    TOK_DEL,
    TOK_ELIF,
    TOK_ELSE,
    TOK_EXCEPT,
    TOK_FINALLY,
    TOK_FOR,
    TOK_FROM,
    TOK_GLOBAL,
    TOK_IF,
    TOK_IMPORT,
    TOK_IN,
    TOK_IS,
    TOK_LAMBDA,
    TOK_NONLOCAL,
    TOK_NOT,
    TOK_OR,
    TOK_PASS,
    TOK_RAISE,
    TOK_RETURN,
    TOK_TRY,
    TOK_WHILE,
    TOK_WITH,
    TOK_YIELD,
    // The position of a tokenizer error: the last token the parser can get (see lx->err).
    TOK_ERRORTOKEN,
    TOK__COUNT
} TokKind;

#define TOK_FIRST_KEYWORD TOK_FALSE

typedef struct {
    TokKind kind;
    int level;         // bracket depth after this token
    const char *start; // the token's text in the lexer's copy of the source
    size_t len;
    // INDENT, DEDENT and ENDMARKER have col -1 (no text of their own, as in CPython) and
    // cur_col, the byte column the tokenizer had reached, where CPython reports errors on them.
    int line, col, end_line, end_col;
    int cur_col;
} Token;

typedef enum {
    LEXERR_NONE,
    LEXERR_RAISE,    // a complete SyntaxError (or subclass) described by the fields below
    LEXERR_EOF,      // end of input inside brackets or after a backslash (E_EOF)
    LEXERR_DEDENT,   // "unindent does not match any outer indentation level" (E_DEDENT)
    LEXERR_TABSPACE, // "inconsistent use of tabs and spaces in indentation" (E_TABSPACE)
    LEXERR_TOODEEP,  // "too many levels of indentation" (E_TOODEEP)
    LEXERR_LINECONT, // "unexpected character after line continuation character" (E_LINECONT)
    LEXERR_MEMORY,   // MemoryError is already pending
} LexErrKind;

typedef struct {
    LexErrKind kind;
    MiniType *type;   // LEXERR_RAISE: the exception class (SyntaxError, ...)
    const char *msg;  // LEXERR_RAISE: the message (in the arena)
    int lineno;       // the line of the error, 0 for none
    int offset;       // LEXERR_RAISE: 1-based column in characters, as SyntaxError.offset
    int cur_col;      // other kinds: the byte column the tokenizer had reached on lineno
    // The innermost open bracket when the error happened (level 0: none).
    int level;
    char paren;
    int paren_line, paren_col;
} LexError;

typedef struct {
    Arena *arena;
    const char *filename;
    const char *buf, *end;  // the normalized copy of the source
    const char *cur;        // the next byte to read
    const char *line_start; // the first byte of the current line
    const char *line_end;   // one past the '\n' that ends the current line
    int lineno;             // the current line (0 before the first one is read)
    bool atbol;             // at the beginning of a line: measure its indentation
    bool eof;               // the end of the input was reached
    bool finished;          // ENDMARKER was returned
    bool declared_encoding; // a byte order mark or a coding comment on line 1 or 2
    int indent;             // index of the current level in indstack
    int pendin;             // pending INDENT (> 0) or DEDENT (< 0) tokens
    int indstack[LEXER_MAX_INDENT];
    int altindstack[LEXER_MAX_INDENT];
    int level;              // bracket depth
    char parenstack[LEXER_MAX_LEVEL];
    int parenline[LEXER_MAX_LEVEL];
    int parencol[LEXER_MAX_LEVEL];
    LexError err;
} Lexer;

// Prepares [lx] to tokenize [len] bytes of [src]; copies the source into [arena] with newlines
// normalized. False with MemoryError pending on failure.
bool lexer_init(Lexer *lx, Arena *arena, const char *src, size_t len, const char *filename);

// Reads the next token into [out]. False on a tokenizer error, described in lx->err (nothing
// is raised, except MemoryError for LEXERR_MEMORY); every later call fails the same way.
bool lexer_next(Lexer *lx, Token *out);

// The text of line [lineno] (1-based) of the normalized source, without its '\n', or NULL if
// there is no such line; its length in [*len].
const char *lexer_line(const Lexer *lx, int lineno, size_t *len);

// The number of code points in the first [nbytes] bytes of [line] ([len] bytes long), as
// CPython converts byte offsets to SyntaxError columns (bytes past the end count one each).
int lexer_char_count(const char *line, size_t len, int nbytes);

// Whether [cp] may start (or continue) an identifier: XID_Start plus '_' (XID_Continue).
bool lexer_is_xid_start(uint32_t cp);
bool lexer_is_xid_continue(uint32_t cp);
// Whether [cp] is printable, as str.isprintable().
bool lexer_is_printable(uint32_t cp);
// The code point named [name] ([len] bytes, any case) for \N{...}; false if unknown. Only the
// common blocks are known (see compiler/gen_lexer_unicode.py).
bool lexer_lookup_name(const char *name, size_t len, uint32_t *cp);

// printf into a string allocated in [arena]; NULL (MemoryError pending) on failure.
char *lexer_format(Arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *lexer_vformat(Arena *arena, const char *fmt, va_list ap);

#endif // MINI_LEXER_H
