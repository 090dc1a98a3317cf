// mini.h - the embedding API: the only header a program that embeds mini includes.
//
// A program creates a VM, runs source text or files in it, and frees it. Errors surface as
// exit statuses, with the traceback printed to stderr as the `mini` command prints it.
// One VM per process at a time.
//
//     MiniVM *vm = mini_vm_new(argc, argv);
//     int status = mini_run_string(vm, "print('hi')", "<embed>");
//     mini_vm_free(vm);

#ifndef MINI_H
#define MINI_H

#include <stddef.h>

#include "mini_config.h"

typedef struct VM MiniVM;

// Creates a VM whose sys.argv is argv[0..argc). NULL if the process is out of memory.
MiniVM *mini_vm_new(int argc, char **argv);
// Frees the VM and everything it owns (flushes sys.stdout first).
void mini_vm_free(MiniVM *vm);
// Compiles and runs [source] as the __main__ module's code, naming it [filename] in
// tracebacks. Returns the exit status the `mini` command would use: 0 on success; for an
// uncaught exception it prints the traceback to stderr and returns 1, or the code of a
// SystemExit (sys.exit(n) gives n).
int mini_run_string(MiniVM *vm, const char *source, const char *filename);
// Like mini_run_string for [len] bytes of source that may contain NUL bytes (which are a
// SyntaxError, as in CPython).
int mini_run_buffer(MiniVM *vm, const char *source, size_t len, const char *filename);
// Like mini_run_string for the file at [path]; 2 if the file cannot be read (after printing
// "mini: can't open file 'x': [Errno 2] No such file or directory" to stderr).
int mini_run_file(MiniVM *vm, const char *path);

// Reads the whole file at [path] into a NUL-terminated malloc'd buffer (its length in *len).
// NULL with errno set when it cannot be read.
char *mini_read_file(const char *path, size_t *len);

#endif // MINI_H
