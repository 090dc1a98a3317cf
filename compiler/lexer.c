// lexer.c - the tokenizer: source text to tokens, following CPython 3.11's Parser/tokenizer.c
// closely enough that every token, position and error message matches (see lexer.h).
//
// The lexer reads the normalized source one byte at a time through nextc(), which moves to
// the next line when the current one is used up, exactly when CPython's tokenizer reads a new
// line: so `lineno` and `line_start` change at the same moments, and the positions of tokens
// and errors come out the same. Each line is checked when it is entered (no NUL byte, valid
// UTF-8), as CPython checks each line it reads from a file.

#include "lexer.h"
#include "lexer_unicode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LEX_EOF (-1)
#define TABSIZE 8

// ---------------------------------------------------------------------------------------------
// Unicode helpers
// ---------------------------------------------------------------------------------------------

static bool in_ranges(const UnicodeRange *r, size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].first)
            hi = mid;
        else if (cp > r[mid].last)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

bool lexer_is_xid_start(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    return in_ranges(xid_start_ranges, COUNT_OF(xid_start_ranges), cp);
}

bool lexer_is_xid_continue(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_' ||
               (cp >= '0' && cp <= '9');
    return in_ranges(xid_continue_ranges, COUNT_OF(xid_continue_ranges), cp);
}

bool lexer_is_printable(uint32_t cp) {
    if (cp < 0x80)
        return cp >= 0x20 && cp < 0x7f;
    return in_ranges(printable_ranges, COUNT_OF(printable_ranges), cp);
}

bool lexer_lookup_name(const char *name, size_t len, uint32_t *cp) {
    // Names match case-insensitively, as unicodedata.lookup() and \N{...} do in CPython.
    char upper[128];
    if (len == 0 || len >= sizeof upper)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        upper[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    upper[len] = '\0';
    size_t lo = 0, hi = COUNT_OF(unicode_names);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(upper, unicode_names[mid].name);
        if (r == 0) {
            *cp = unicode_names[mid].cp;
            return true;
        }
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

// The length of the valid UTF-8 sequence at [s] (at most [n] bytes), or 0 if it is not one.
// Strict: no overlong forms, no surrogates, nothing above U+10FFFF.
static size_t utf8_seq_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

// Decodes the (valid) UTF-8 sequence at [s], storing its length in [*n].
static uint32_t utf8_decode_at(const unsigned char *s, size_t *n) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *n = 1;
        return c;
    }
    if (c < 0xe0) {
        *n = 2;
        return ((uint32_t)(c & 0x1f) << 6) | (s[1] & 0x3f);
    }
    if (c < 0xf0) {
        *n = 3;
        return ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    }
    *n = 4;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
           ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

int lexer_char_count(const char *line, size_t len, int nbytes) {
    int count = 0;
    for (int i = 0; i < nbytes; i++) {
        if ((size_t)i >= len) {
            // CPython decodes past the line's end into its terminating NUL: one character,
            // and no more since it clamps the offset to the line's length plus one.
            count++;
            break;
        }
        if (((unsigned char)line[i] & 0xc0) != 0x80)
            count++;
    }
    return count;
}

// ---------------------------------------------------------------------------------------------
// Formatting into the arena
// ---------------------------------------------------------------------------------------------

char *lexer_vformat(Arena *arena, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    char *s = arena_alloc(arena, (size_t)n + 1);
    if (!s)
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *lexer_format(Arena *arena, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = lexer_vformat(arena, fmt, ap);
    va_end(ap);
    return s;
}

// ---------------------------------------------------------------------------------------------
// Reading characters
// ---------------------------------------------------------------------------------------------

static void set_error_kind(Lexer *lx, LexErrKind kind) {
    if (lx->err.kind != LEXERR_NONE)
        return;
    lx->err.kind = kind;
    lx->err.lineno = lx->lineno;
    lx->err.cur_col = (int)(lx->cur - lx->line_start);
    lx->err.level = lx->level;
    if (lx->level > 0) {
        lx->err.paren = lx->parenstack[lx->level - 1];
        lx->err.paren_line = lx->parenline[lx->level - 1];
        lx->err.paren_col = lx->parencol[lx->level - 1];
    }
}

// Records a complete SyntaxError (of [type]) at [lineno], 1-based character column [offset].
static void raise_at(Lexer *lx, MiniType *type, int lineno, int offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void raise_at(Lexer *lx, MiniType *type, int lineno, int offset, const char *fmt, ...) {
    if (lx->err.kind != LEXERR_NONE)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = lexer_vformat(lx->arena, fmt, ap);
    va_end(ap);
    if (!msg) {
        set_error_kind(lx, LEXERR_MEMORY);
        return;
    }
    set_error_kind(lx, LEXERR_RAISE);
    lx->err.type = type;
    lx->err.msg = msg;
    lx->err.lineno = lineno;
    lx->err.offset = offset;
}

// The column, in characters, of the byte at [p] on the current line.
static int char_col(const Lexer *lx, const char *p) {
    return lexer_char_count(lx->line_start, (size_t)(lx->line_end - lx->line_start),
                            (int)(p - lx->line_start));
}

// A SyntaxError at the current position, as CPython's syntaxerror(tok, ...): the column is
// the number of characters before the tokenizer's position.
#define LEX_SYNTAX_ERROR(lx, ...)                                                                \
    raise_at((lx), mini_exc_SyntaxError, (lx)->lineno, char_col((lx), (lx)->cur), __VA_ARGS__)

// Enters the line starting at lx->cur: checks it like CPython checks each line it reads.
static bool start_line(Lexer *lx) {
    const char *nl = memchr(lx->cur, '\n', (size_t)(lx->end - lx->cur));
    lx->line_start = lx->cur;
    lx->line_end = nl ? nl + 1 : lx->end;
    lx->lineno++;
    size_t n = (size_t)(lx->line_end - lx->line_start);
    const unsigned char *s = (const unsigned char *)lx->line_start;
    if (memchr(s, '\0', n)) {
        // CPython reports this at column 0, with the line's text up to the NUL.
        raise_at(lx, mini_exc_SyntaxError, lx->lineno, 0, "source code cannot contain null bytes");
        return false;
    }
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq_len(s + i, n - i);
        if (k == 0) {
            // CPython gives this error no position: the message names the line.
            raise_at(lx, mini_exc_SyntaxError, 0, 0,
                     "Non-UTF-8 code starting with '\\x%.2x' in file %s on line %d, but no "
                     "encoding declared; see https://peps.python.org/pep-0263/ for details",
                     s[i], lx->filename ? lx->filename : "<string>", lx->lineno);
            return false;
        }
        i += k;
    }
    return true;
}

// The next byte, or LEX_EOF at the end of the input or after a line failed its checks.
static int nextc(Lexer *lx) {
    if (lx->cur == lx->line_end) {
        if (lx->cur >= lx->end || lx->err.kind != LEXERR_NONE) {
            lx->eof = true;
            return LEX_EOF;
        }
        if (!start_line(lx)) {
            lx->eof = true;
            return LEX_EOF;
        }
    }
    return (unsigned char)*lx->cur++;
}

static void backup(Lexer *lx, int c) {
    if (c != LEX_EOF && lx->cur > lx->line_start)
        lx->cur--;
}

static bool is_potential_identifier_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 128;
}

static bool is_potential_identifier_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 128;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_xdigit(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

// Whether line 1 or 2 of [buf] is a coding comment ("# -*- coding: utf-8 -*-"), as CPython's
// get_coding_spec() finds it: only blanks before the '#', then "coding" and ':' or '='.
static bool has_coding_spec(const char *buf, size_t n) {
    const char *p = buf, *end = buf + n;
    for (int line = 0; line < 2 && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\f'))
            q++;
        if (q < e && *q == '#') {
            for (const char *c = q; c + 7 < e; c++) {
                if (memcmp(c, "coding", 6) == 0 && (c[6] == ':' || c[6] == '=')) {
                    const char *v = c + 7;
                    while (v < e && (*v == ' ' || *v == '\t'))
                        v++;
                    if (v < e && (((*v | 32) >= 'a' && (*v | 32) <= 'z') ||
                                  (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' || *v == '.'))
                        return true;
                }
            }
        } else if (q < e) {
            // A line of code: CPython stops looking (a comment must come first).
            return false;
        }
        p = e + 1;
    }
    return false;
}

bool lexer_init(Lexer *lx, Arena *arena, const char *src, size_t len, const char *filename) {
    memset(lx, 0, sizeof *lx);
    lx->arena = arena;
    lx->filename = filename;
    // A UTF-8 byte order mark is skipped, as CPython does.
    if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0) {
        src += 3;
        len -= 3;
        lx->declared_encoding = true;
    }
    char *buf = arena_alloc(arena, len + 2);
    if (!buf)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '\r') {
            buf[n++] = '\n';
            if (i + 1 < len && src[i + 1] == '\n')
                i++;
        } else {
            buf[n++] = c;
        }
    }
    // Exec input always ends with a newline, as CPython's translate_newlines() ensures.
    if (n == 0 || buf[n - 1] != '\n')
        buf[n++] = '\n';
    buf[n] = '\0';
    lx->buf = buf;
    lx->end = buf + n;
    if (!lx->declared_encoding)
        lx->declared_encoding = has_coding_spec(buf, n);
    lx->cur = buf;
    lx->line_start = buf;
    lx->line_end = buf;
    lx->atbol = true;
    return true;
}

const char *lexer_line(const Lexer *lx, int lineno, size_t *len) {
    const char *p = lx->buf;
    for (int i = 1; i < lineno; i++) {
        const char *nl = memchr(p, '\n', (size_t)(lx->end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    if (lineno < 1 || p >= lx->end)
        return NULL;
    const char *nl = memchr(p, '\n', (size_t)(lx->end - p));
    *len = nl ? (size_t)(nl - p) : (size_t)(lx->end - p);
    return p;
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

static const struct {
    const char *text;
    TokKind kind;
} keywords[] = {
    {"False", TOK_FALSE},     {"None", TOK_NONE},         {"True", TOK_TRUE},
    {"and", TOK_AND},         {"as", TOK_AS},             {"assert", TOK_ASSERT},
    {"async", TOK_ASYNC},     {"await", TOK_AWAIT},       {"break", TOK_BREAK},
    {"class", TOK_CLASS},     {"continue", TOK_CONTINUE}, {"def", TOK_DEF},
    {"del", TOK_DEL},         {"elif", TOK_ELIF},         {"else", TOK_ELSE},
    {"except", TOK_EXCEPT},   {"finally", TOK_FINALLY},   {"for", TOK_FOR},
    {"from", TOK_FROM},       {"global", TOK_GLOBAL},     {"if", TOK_IF},
    {"import", TOK_IMPORT},   {"in", TOK_IN},             {"is", TOK_IS},
    {"lambda", TOK_LAMBDA},   {"nonlocal", TOK_NONLOCAL}, {"not", TOK_NOT},
    {"or", TOK_OR},           {"pass", TOK_PASS},         {"raise", TOK_RAISE},
    {"return", TOK_RETURN},   {"try", TOK_TRY},           {"while", TOK_WHILE},
    {"with", TOK_WITH},       {"yield", TOK_YIELD},
};

static TokKind keyword_kind(const char *s, size_t len) {
    if (len < 2 || len > 8)
        return TOK_NAME;
    if (!(s[0] >= 'a' && s[0] <= 'z') && s[0] != 'F' && s[0] != 'N' && s[0] != 'T')
        return TOK_NAME;
    for (size_t i = 0; i < COUNT_OF(keywords); i++) {
        const char *k = keywords[i].text;
        if (k[0] == s[0] && strlen(k) == len && memcmp(k, s, len) == 0)
            return keywords[i].kind;
    }
    return TOK_NAME;
}

static void make_token(Lexer *lx, Token *t, TokKind kind, const char *start, int line,
                       const char *line_start) {
    t->kind = kind;
    t->start = start;
    t->len = (size_t)(lx->cur - start);
    t->line = line;
    t->col = (int)(start - line_start);
    t->end_line = lx->lineno;
    t->end_col = (int)(lx->cur - lx->line_start);
    t->cur_col = t->end_col;
    t->level = lx->level;
}

// A token with no text of its own (INDENT, DEDENT, ENDMARKER): CPython reports errors on
// those at the tokenizer's current column.
static void make_empty_token(Lexer *lx, Token *t, TokKind kind) {
    t->kind = kind;
    t->start = lx->cur;
    t->len = 0;
    t->line = t->end_line = lx->lineno;
    t->col = t->end_col = -1;
    t->cur_col = (int)(lx->cur - lx->line_start);
    t->level = lx->level;
}

static TokKind one_char(int c) {
    switch (c) {
    case '%': return TOK_PERCENT;
    case '&': return TOK_AMPER;
    case '(': return TOK_LPAR;
    case ')': return TOK_RPAR;
    case '*': return TOK_STAR;
    case '+': return TOK_PLUS;
    case ',': return TOK_COMMA;
    case '-': return TOK_MINUS;
    case '.': return TOK_DOT;
    case '/': return TOK_SLASH;
    case ':': return TOK_COLON;
    case ';': return TOK_SEMI;
    case '<': return TOK_LESS;
    case '=': return TOK_EQUAL;
    case '>': return TOK_GREATER;
    case '@': return TOK_AT;
    case '[': return TOK_LSQB;
    case ']': return TOK_RSQB;
    case '^': return TOK_CIRCUMFLEX;
    case '{': return TOK_LBRACE;
    case '|': return TOK_VBAR;
    case '}': return TOK_RBRACE;
    case '~': return TOK_TILDE;
    default: return TOK_OP;
    }
}

// The two-character operator [c1][c2], or TOK_OP if there is none. "<>" is a token of its own
// in CPython that the grammar never accepts: TOK_OP gives the same "invalid syntax".
static TokKind two_chars(int c1, int c2) {
    switch (c1) {
    case '!': return c2 == '=' ? TOK_NOTEQUAL : TOK_OP;
    case '%': return c2 == '=' ? TOK_PERCENTEQUAL : TOK_OP;
    case '&': return c2 == '=' ? TOK_AMPEREQUAL : TOK_OP;
    case '*': return c2 == '*' ? TOK_DOUBLESTAR : c2 == '=' ? TOK_STAREQUAL : TOK_OP;
    case '+': return c2 == '=' ? TOK_PLUSEQUAL : TOK_OP;
    case '-': return c2 == '=' ? TOK_MINEQUAL : c2 == '>' ? TOK_RARROW : TOK_OP;
    case '/': return c2 == '/' ? TOK_DOUBLESLASH : c2 == '=' ? TOK_SLASHEQUAL : TOK_OP;
    case ':': return c2 == '=' ? TOK_COLONEQUAL : TOK_OP;
    case '<':
        return c2 == '<' ? TOK_LEFTSHIFT : c2 == '=' ? TOK_LESSEQUAL : c2 == '>' ? TOK__COUNT
                                                                                 : TOK_OP;
    case '=': return c2 == '=' ? TOK_EQEQUAL : TOK_OP;
    case '>': return c2 == '=' ? TOK_GREATEREQUAL : c2 == '>' ? TOK_RIGHTSHIFT : TOK_OP;
    case '@': return c2 == '=' ? TOK_ATEQUAL : TOK_OP;
    case '^': return c2 == '=' ? TOK_CIRCUMFLEXEQUAL : TOK_OP;
    case '|': return c2 == '=' ? TOK_VBAREQUAL : TOK_OP;
    default: return TOK_OP;
    }
}

static TokKind three_chars(int c1, int c2, int c3) {
    if (c3 != '=' && !(c1 == '.' && c2 == '.' && c3 == '.'))
        return TOK_OP;
    if (c1 == '*' && c2 == '*')
        return TOK_DOUBLESTAREQUAL;
    if (c1 == '/' && c2 == '/')
        return TOK_DOUBLESLASHEQUAL;
    if (c1 == '<' && c2 == '<')
        return TOK_LEFTSHIFTEQUAL;
    if (c1 == '>' && c2 == '>')
        return TOK_RIGHTSHIFTEQUAL;
    return TOK_OP;
}

// Checks a NAME containing non-ASCII bytes, from [start] to lx->cur: every code point must
// be XID_Start (first) or XID_Continue (rest). Otherwise reports the first bad character.
static bool verify_identifier(Lexer *lx, const char *start) {
    const unsigned char *s = (const unsigned char *)start;
    const unsigned char *e = (const unsigned char *)lx->cur;
    bool first = true;
    while (s < e) {
        size_t n;
        uint32_t cp = utf8_decode_at(s, &n);
        bool ok = first ? lexer_is_xid_start(cp) : lexer_is_xid_continue(cp);
        if (!ok) {
            // CPython reports the character with the tokenizer positioned just after it.
            lx->cur = (const char *)(s + n);
            if (lexer_is_printable(cp)) {
                char ch[5];
                memcpy(ch, s, n);
                ch[n] = '\0';
                LEX_SYNTAX_ERROR(lx, "invalid character '%s' (U+%04X)", ch, (unsigned)cp);
            } else {
                LEX_SYNTAX_ERROR(lx, "invalid non-printable character U+%04X", (unsigned)cp);
            }
            return false;
        }
        first = false;
        s += n;
    }
    return true;
}

// Reads the rest of a run of decimal digits with single underscores between them. Returns
// the first character after it, or 0 after an error.
static int decimal_tail(Lexer *lx) {
    int c;
    for (;;) {
        do {
            c = nextc(lx);
        } while (is_digit(c));
        if (c != '_')
            break;
        c = nextc(lx);
        if (!is_digit(c)) {
            backup(lx, c);
            LEX_SYNTAX_ERROR(lx, "invalid decimal literal");
            return 0;
        }
    }
    return c;
}

// Whether the text ahead is [test] followed by a non-identifier character; reads nothing.
static bool lookahead(Lexer *lx, const char *test) {
    const char *s = test;
    bool res = false;
    for (;;) {
        int c = nextc(lx);
        if (*s == '\0') {
            res = !is_potential_identifier_char(c);
        } else if (c == (unsigned char)*s) {
            s++;
            continue;
        }
        backup(lx, c);
        while (s != test) {
            backup(lx, *--s);
        }
        return res;
    }
}

// After a number, [c] (already read) must not continue an identifier, unless the number is
// followed by one of the keywords that may follow a number in valid code (CPython warns
// there; mini accepts silently).
static bool verify_end_of_number(Lexer *lx, int c, const char *kind) {
    bool r = false;
    if (c == 'a') {
        r = lookahead(lx, "nd");
    } else if (c == 'e') {
        r = lookahead(lx, "lse");
    } else if (c == 'f') {
        r = lookahead(lx, "or");
    } else if (c == 'i') {
        int c2 = nextc(lx);
        if (c2 == 'f' || c2 == 'n' || c2 == 's')
            r = true;
        backup(lx, c2);
    } else if (c == 'o') {
        r = lookahead(lx, "r");
    } else if (c == 'n') {
        r = lookahead(lx, "ot");
    }
    if (r)
        return true;
    // Only ASCII: a non-ASCII character after a number is reported by the next token.
    if (c < 128 && is_potential_identifier_char(c)) {
        backup(lx, c);
        LEX_SYNTAX_ERROR(lx, "invalid %s literal", kind);
        return false;
    }
    return true;
}

// Reads the rest of a number whose first character [c] was read ([c] is '.' for a number like
// ".5", whose digit is next). Leaves lx->cur just after the number. False after an error.
static bool read_number(Lexer *lx, int c, const char *start) {
    int e;
    if (c == '.') {
        c = nextc(lx);
        goto fraction;
    }
    if (c == '0') {
        c = nextc(lx);
        if (c == 'x' || c == 'X') {
            c = nextc(lx);
            do {
                if (c == '_')
                    c = nextc(lx);
                if (!is_xdigit(c)) {
                    backup(lx, c);
                    LEX_SYNTAX_ERROR(lx, "invalid hexadecimal literal");
                    return false;
                }
                do {
                    c = nextc(lx);
                } while (is_xdigit(c));
            } while (c == '_');
            if (!verify_end_of_number(lx, c, "hexadecimal"))
                return false;
            goto done;
        }
        if (c == 'o' || c == 'O') {
            c = nextc(lx);
            do {
                if (c == '_')
                    c = nextc(lx);
                if (c < '0' || c >= '8') {
                    if (is_digit(c)) {
                        LEX_SYNTAX_ERROR(lx, "invalid digit '%c' in octal literal", c);
                    } else {
                        backup(lx, c);
                        LEX_SYNTAX_ERROR(lx, "invalid octal literal");
                    }
                    return false;
                }
                do {
                    c = nextc(lx);
                } while ('0' <= c && c < '8');
            } while (c == '_');
            if (is_digit(c)) {
                LEX_SYNTAX_ERROR(lx, "invalid digit '%c' in octal literal", c);
                return false;
            }
            if (!verify_end_of_number(lx, c, "octal"))
                return false;
            goto done;
        }
        if (c == 'b' || c == 'B') {
            c = nextc(lx);
            do {
                if (c == '_')
                    c = nextc(lx);
                if (c != '0' && c != '1') {
                    if (is_digit(c)) {
                        LEX_SYNTAX_ERROR(lx, "invalid digit '%c' in binary literal", c);
                    } else {
                        backup(lx, c);
                        LEX_SYNTAX_ERROR(lx, "invalid binary literal");
                    }
                    return false;
                }
                do {
                    c = nextc(lx);
                } while (c == '0' || c == '1');
            } while (c == '_');
            if (is_digit(c)) {
                LEX_SYNTAX_ERROR(lx, "invalid digit '%c' in binary literal", c);
                return false;
            }
            if (!verify_end_of_number(lx, c, "binary"))
                return false;
            goto done;
        }
        // Zeros, maybe followed by other digits: only a float or an imaginary may do that.
        bool nonzero = false;
        for (;;) {
            if (c == '_') {
                c = nextc(lx);
                if (!is_digit(c)) {
                    backup(lx, c);
                    LEX_SYNTAX_ERROR(lx, "invalid decimal literal");
                    return false;
                }
            }
            if (c != '0')
                break;
            c = nextc(lx);
        }
        if (is_digit(c)) {
            nonzero = true;
            c = decimal_tail(lx);
            if (c == 0)
                return false;
        }
        if (c == '.') {
            c = nextc(lx);
            goto fraction;
        }
        if (c == 'e' || c == 'E')
            goto exponent;
        if (c == 'j' || c == 'J')
            goto imaginary;
        if (nonzero) {
            // CPython gives this error a byte column (not converted to characters): the one
            // after the number's first digit.
            backup(lx, c);
            raise_at(lx, mini_exc_SyntaxError, lx->lineno, (int)(start + 1 - lx->line_start),
                     "leading zeros in decimal integer literals are not permitted; use an 0o "
                     "prefix for octal integers");
            return false;
        }
        if (!verify_end_of_number(lx, c, "decimal"))
            return false;
        goto done;
    }
    // A decimal number: digits, then maybe a fraction, an exponent, a 'j'.
    c = decimal_tail(lx);
    if (c == 0)
        return false;
    if (c == '.') {
        c = nextc(lx);
    fraction:
        if (is_digit(c)) {
            c = decimal_tail(lx);
            if (c == 0)
                return false;
        }
    }
    if (c == 'e' || c == 'E') {
    exponent:
        e = c;
        c = nextc(lx);
        if (c == '+' || c == '-') {
            c = nextc(lx);
            if (!is_digit(c)) {
                backup(lx, c);
                LEX_SYNTAX_ERROR(lx, "invalid decimal literal");
                return false;
            }
        } else if (!is_digit(c)) {
            // "1else": the number ends before the 'e', which starts a keyword.
            backup(lx, c);
            if (!verify_end_of_number(lx, e, "decimal"))
                return false;
            backup(lx, e);
            return true;
        }
        c = decimal_tail(lx);
        if (c == 0)
            return false;
    }
    if (c == 'j' || c == 'J') {
    imaginary:
        c = nextc(lx);
        if (!verify_end_of_number(lx, c, "imaginary"))
            return false;
    } else if (!verify_end_of_number(lx, c, "decimal")) {
        return false;
    }
done:
    backup(lx, c);
    return true;
}

// Reads the remainder of a string literal whose opening quote [quote] was just read.
static bool read_string(Lexer *lx, int quote, const char *start, int first_line,
                        const char *first_line_start) {
    int quote_size = 1, end_quote_size = 0;
    int c = nextc(lx);
    if (c == quote) {
        c = nextc(lx);
        if (c == quote)
            quote_size = 3;
        else
            end_quote_size = 1; // an empty string
    }
    if (c != quote)
        backup(lx, c);
    while (end_quote_size != quote_size) {
        c = nextc(lx);
        if (lx->err.kind != LEXERR_NONE)
            return false;
        if (c == LEX_EOF || (quote_size == 1 && c == '\n')) {
            // Reported at the start of the literal, naming the line where its end was due.
            int detected = lx->lineno;
            const char *first_nl =
                memchr(first_line_start, '\n', (size_t)(lx->end - first_line_start));
            size_t first_len = first_nl ? (size_t)(first_nl - first_line_start)
                                        : (size_t)(lx->end - first_line_start);
            int offset = lexer_char_count(first_line_start, first_len,
                                          (int)(start + 1 - first_line_start));
            if (quote_size == 3)
                raise_at(lx, mini_exc_SyntaxError, first_line, offset,
                         "unterminated triple-quoted string literal (detected at line %d)",
                         detected);
            else
                raise_at(lx, mini_exc_SyntaxError, first_line, offset,
                         "unterminated string literal (detected at line %d)", detected);
            return false;
        }
        if (c == quote) {
            end_quote_size++;
        } else {
            end_quote_size = 0;
            if (c == '\\')
                nextc(lx); // the escaped character, whatever it is
        }
    }
    return true;
}

// After a backslash: the next character must be the newline. Returns false on an error.
static bool continuation_line(Lexer *lx) {
    int c = nextc(lx);
    if (c != '\n') {
        set_error_kind(lx, LEXERR_LINECONT);
        return false;
    }
    c = nextc(lx);
    if (c == LEX_EOF) {
        if (lx->err.kind == LEXERR_NONE)
            set_error_kind(lx, LEXERR_EOF);
        return false;
    }
    backup(lx, c);
    return true;
}

bool lexer_next(Lexer *lx, Token *t) {
    if (lx->err.kind != LEXERR_NONE)
        return false;
    if (lx->finished) {
        make_empty_token(lx, t, TOK_ENDMARKER);
        return true;
    }
    int c;
    bool blankline;
    const char *start;

nextline:
    blankline = false;
    if (lx->atbol) {
        int col = 0, altcol = 0, cont_line_col = 0;
        lx->atbol = false;
        for (;;) {
            c = nextc(lx);
            if (c == ' ') {
                col++;
                altcol++;
            } else if (c == '\t') {
                col = (col / TABSIZE + 1) * TABSIZE;
                altcol++;
            } else if (c == '\f') {
                col = altcol = 0;
            } else if (c == '\\') {
                // Indentation cannot be split over lines with backslashes: the first
                // backslash found decides the indentation of what follows.
                cont_line_col = cont_line_col ? cont_line_col : col;
                if (!continuation_line(lx))
                    return false;
            } else {
                break;
            }
        }
        backup(lx, c);
        if (c == '#' || c == '\n')
            blankline = true; // comment-only and blank lines do not affect indentation
        if (!blankline && lx->level == 0) {
            if (cont_line_col) {
                col = cont_line_col;
                altcol = cont_line_col;
            }
            if (col == lx->indstack[lx->indent]) {
                if (altcol != lx->altindstack[lx->indent]) {
                    lx->cur = lx->line_end;
                    set_error_kind(lx, LEXERR_TABSPACE);
                    return false;
                }
            } else if (col > lx->indstack[lx->indent]) {
                if (lx->indent + 1 >= LEXER_MAX_INDENT) {
                    lx->cur = lx->line_end;
                    set_error_kind(lx, LEXERR_TOODEEP);
                    return false;
                }
                if (altcol <= lx->altindstack[lx->indent]) {
                    lx->cur = lx->line_end;
                    set_error_kind(lx, LEXERR_TABSPACE);
                    return false;
                }
                lx->pendin++;
                lx->indent++;
                lx->indstack[lx->indent] = col;
                lx->altindstack[lx->indent] = altcol;
            } else {
                while (lx->indent > 0 && col < lx->indstack[lx->indent]) {
                    lx->pendin--;
                    lx->indent--;
                }
                if (col != lx->indstack[lx->indent]) {
                    lx->cur = lx->line_end;
                    set_error_kind(lx, LEXERR_DEDENT);
                    return false;
                }
                if (altcol != lx->altindstack[lx->indent]) {
                    lx->cur = lx->line_end;
                    set_error_kind(lx, LEXERR_TABSPACE);
                    return false;
                }
            }
        }
    }

    if (lx->pendin != 0) {
        if (lx->pendin < 0) {
            lx->pendin++;
            make_empty_token(lx, t, TOK_DEDENT);
        } else {
            lx->pendin--;
            make_empty_token(lx, t, TOK_INDENT);
        }
        return true;
    }

again:
    do {
        c = nextc(lx);
    } while (c == ' ' || c == '\t' || c == '\f');
    start = lx->cur - 1;
    int line = lx->lineno;
    const char *line_start = lx->line_start;

    if (c == '#') {
        while (c != LEX_EOF && c != '\n')
            c = nextc(lx);
    }

    if (c == LEX_EOF) {
        if (lx->err.kind != LEXERR_NONE)
            return false;
        if (lx->level > 0) {
            set_error_kind(lx, LEXERR_EOF);
            return false;
        }
        lx->finished = true;
        make_empty_token(lx, t, TOK_ENDMARKER);
        return true;
    }

    if (is_potential_identifier_start(c)) {
        // String prefixes: any of b, r, u, f in the legal combinations, then a quote.
        bool saw_b = false, saw_r = false, saw_u = false, saw_f = false;
        for (;;) {
            if (!(saw_b || saw_u || saw_f) && (c == 'b' || c == 'B'))
                saw_b = true;
            else if (!(saw_b || saw_u || saw_r || saw_f) && (c == 'u' || c == 'U'))
                saw_u = true;
            else if (!(saw_r || saw_u) && (c == 'r' || c == 'R'))
                saw_r = true;
            else if (!(saw_f || saw_b || saw_u) && (c == 'f' || c == 'F'))
                saw_f = true;
            else
                break;
            c = nextc(lx);
            if (c == '"' || c == '\'') {
                if (!read_string(lx, c, start, line, line_start))
                    return false;
                make_token(lx, t, TOK_STRING, start, line, line_start);
                return true;
            }
        }
        bool nonascii = false;
        while (is_potential_identifier_char(c)) {
            if (c >= 128)
                nonascii = true;
            c = nextc(lx);
        }
        backup(lx, c);
        if (nonascii && !verify_identifier(lx, start))
            return false;
        make_token(lx, t, TOK_NAME, start, line, line_start);
        t->kind = keyword_kind(start, t->len);
        return true;
    }

    if (c == '\n') {
        lx->atbol = true;
        if (blankline || lx->level > 0)
            goto nextline;
        t->kind = TOK_NEWLINE;
        t->start = start;
        t->len = 0;
        t->line = t->end_line = line;
        t->col = t->end_col = (int)(start - line_start);
        t->cur_col = t->col + 1;
        t->level = lx->level;
        return true;
    }

    if (c == '.') {
        c = nextc(lx);
        if (is_digit(c)) {
            backup(lx, c);
            if (!read_number(lx, '.', start))
                return false;
            make_token(lx, t, TOK_NUMBER, start, line, line_start);
            return true;
        }
        if (c == '.') {
            c = nextc(lx);
            if (c == '.') {
                make_token(lx, t, TOK_ELLIPSIS, start, line, line_start);
                return true;
            }
            backup(lx, c);
            backup(lx, '.');
        } else {
            backup(lx, c);
        }
        make_token(lx, t, TOK_DOT, start, line, line_start);
        return true;
    }

    if (is_digit(c)) {
        if (!read_number(lx, c, start))
            return false;
        make_token(lx, t, TOK_NUMBER, start, line, line_start);
        return true;
    }

    if (c == '\'' || c == '"') {
        if (!read_string(lx, c, start, line, line_start))
            return false;
        make_token(lx, t, TOK_STRING, start, line, line_start);
        return true;
    }

    if (c == '\\') {
        if (!continuation_line(lx))
            return false;
        goto again;
    }

    {
        int c2 = nextc(lx);
        TokKind kind = two_chars(c, c2);
        if (kind != TOK_OP) {
            int c3 = nextc(lx);
            TokKind kind3 = three_chars(c, c2, c3);
            if (kind3 != TOK_OP)
                kind = kind3;
            else
                backup(lx, c3);
            // "<>" is reported as an operator nothing accepts.
            if (kind == TOK__COUNT)
                kind = TOK_OP;
            make_token(lx, t, kind, start, line, line_start);
            return true;
        }
        backup(lx, c2);
    }

    switch (c) {
    case '(':
    case '[':
    case '{':
        if (lx->level >= LEXER_MAX_LEVEL) {
            LEX_SYNTAX_ERROR(lx, "too many nested parentheses");
            return false;
        }
        lx->parenstack[lx->level] = (char)c;
        lx->parenline[lx->level] = lx->lineno;
        lx->parencol[lx->level] = (int)(start - lx->line_start);
        lx->level++;
        break;
    case ')':
    case ']':
    case '}': {
        if (lx->level == 0) {
            LEX_SYNTAX_ERROR(lx, "unmatched '%c'", c);
            return false;
        }
        lx->level--;
        int opening = lx->parenstack[lx->level];
        if (!((opening == '(' && c == ')') || (opening == '[' && c == ']') ||
              (opening == '{' && c == '}'))) {
            if (lx->parenline[lx->level] != lx->lineno)
                LEX_SYNTAX_ERROR(lx,
                                 "closing parenthesis '%c' does not match opening parenthesis "
                                 "'%c' on line %d",
                                 c, opening, lx->parenline[lx->level]);
            else
                LEX_SYNTAX_ERROR(lx,
                                 "closing parenthesis '%c' does not match opening parenthesis "
                                 "'%c'",
                                 c, opening);
            return false;
        }
        break;
    }
    default:
        break;
    }

    if (!lexer_is_printable((uint32_t)c)) {
        LEX_SYNTAX_ERROR(lx, "invalid non-printable character U+%04X", (unsigned)c);
        return false;
    }

    make_token(lx, t, one_char(c), start, line, line_start);
    return true;
}
