// compiler.h - from source text to code objects: the lexer (lexer.c), the parser (parser.c,
// source -> AST), the symbol table (symtable.c, scopes) and the code generator (compile.c,
// AST -> CodeObject).
//
// Errors are SyntaxError (or IndentationError/TabError) exceptions left pending on the thread
// state, carrying filename, lineno, offset (1-based column, as CPython), text (the source
// line) and msg, with CPython's wording wherever CPython has one.

#ifndef MINI_COMPILER_H
#define MINI_COMPILER_H

#include "ast.h"
#include "../vm/vm.h"

// The lexer's interface is private to the parser (compiler/lexer.h).

// ---------------------------------------------------------------------------------------------
// Parser (parser.c)
// ---------------------------------------------------------------------------------------------

// Parses [src] ([len] bytes of UTF-8) into an AST allocated in [arena]. [filename] is used in
// SyntaxError messages. NULL with SyntaxError pending on failure.
Module *parse_source(Arena *arena, const char *src, size_t len, const char *filename,
                     ParseMode mode);

// ---------------------------------------------------------------------------------------------
// Compiler (symtable.c, compile.c)
// ---------------------------------------------------------------------------------------------

// Compiles a parsed module into an immortal code object (its nested functions' code objects
// are in its constants). NULL with SyntaxError pending on failure (e.g. "'return' outside
// function", "no binding for nonlocal 'x' found").
CodeObject *compile_module(Module *mod, const char *filename);

// Parses and compiles in one step. NULL with SyntaxError pending.
CodeObject *compile_source(const char *src, size_t len, const char *filename, ParseMode mode);

#endif // MINI_COMPILER_H
