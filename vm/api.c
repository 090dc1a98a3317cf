// api.c - the embedding API of include/mini.h, on which the `mini` command is built.
//
// Running a program means: compile it, make a fresh __main__ module whose namespace is both
// globals and locals of the module code, run it, and turn an uncaught exception into an exit
// status the way CPython does (SystemExit carries its own; anything else prints a traceback
// and gives 1).

#include "../include/mini.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../compiler/compiler.h"
#include "../stdlib/stdlib.h"
#include "vm.h"

MiniVM *mini_vm_new(int argc, char **argv) { return vm_new(argc, argv); }

void mini_vm_free(MiniVM *vm) { vm_free(vm); }

// Writes [s] to sys.stderr, or straight to fd 2 when sys.stderr is unusable.
static void write_stderr(MiniObject *s) {
    MiniObject *err = mini_ts->vm->sys_module ? mini_getattr_opt(mini_ts->vm->sys_module,
                                                                 MINI_ID(stderr))
                                              : NULL;
    if (err && file_write_str(err, s) == 0) {
        file_flush(err);
        MINI_DECREF(err);
        return;
    }
    mini_error_clear();
    MINI_XDECREF(err);
    fwrite(STR_DATA(s), 1, STR_SIZE(s), stderr);
}

// Consumes the pending exception and returns the process exit status for it.
static int handle_uncaught(void) {
    MiniObject *exc = mini_error_fetch();
    if (!exc)
        return 1;
    int status = 1;
    if (mini_isinstance_type(exc, mini_exc_SystemExit)) {
        MiniObject *code = mini_getattr(exc, MINI_ID(code));
        if (!code) {
            mini_error_clear();
        } else if (code == MINI_NONE) {
            status = 0;
        } else if (int_check(code)) {
            int64_t v;
            status = int_as_i64(code, &v) ? (int)(v & 0xff) : -1;
            if (status == -1) {
                mini_error_clear();
                status = 255;
            }
        } else {
            // sys.exit("message") prints the message and exits with 1.
            MiniObject *s = mini_str(code);
            if (s) {
                MiniObject *line = str_from_format("%S\n", s);
                if (line) {
                    file_flush_std();
                    write_stderr(line);
                    MINI_DECREF(line);
                }
                MINI_DECREF(s);
            }
            mini_error_clear();
        }
        MINI_XDECREF(code);
    } else {
        exception_print(exc);
    }
    MINI_DECREF(exc);
    file_flush_std();
    return status;
}

// See vm.h. Borrowed reference to the new module's namespace, or NULL with an exception.
MiniObject *mini_make_main_module(VM *vm, const char *file) {
    MiniObject *name = MINI_ID(__main__);
    MiniObject *mod = module_new(name);
    if (!mod)
        return NULL;
    MiniObject *globals = ((MiniModule *)mod)->dict;
    if (dict_set(globals, MINI_ID(__builtins__), vm->builtins_module) < 0 ||
        dict_set(vm->modules, name, mod) < 0) {
        MINI_DECREF(mod);
        return NULL;
    }
    if (file) {
        // (mini_run_file has made a script's path absolute, as CPython does.)
        MiniObject *f = str_decode_utf8(file, strlen(file));
        if (!f || dict_set(globals, MINI_ID(__file__), f) < 0) {
            MINI_XDECREF(f);
            MINI_DECREF(mod);
            return NULL;
        }
        MINI_DECREF(f);
    }
    // vm->main_module keeps the module (and so its namespace) alive.
    MINI_SETREF(vm->main_module, mod);
    return globals;
}

int mini_handle_uncaught(void) { return handle_uncaught(); }

// Runs [code] as the __main__ module. [file] is the script path for __file__, or NULL.
static int run_main_code(VM *vm, CodeObject *code, const char *file) {
    // As CPython's run_eval_code_obj: only the outcome of this run counts, and only an
    // exception of exactly the type KeyboardInterrupt makes `mini` die by SIGINT (vm/main.c).
    vm->unhandled_keyboard_interrupt = false;
    MiniObject *globals = mini_make_main_module(vm, file);
    if (!globals)
        return handle_uncaught();
    MiniObject *res = eval_code(code, globals, globals);
    if (!res) {
        MiniObject *exc = mini_ts->curexc;
        vm->unhandled_keyboard_interrupt =
            exc && mini_type(exc) == mini_exc_KeyboardInterrupt;
        return handle_uncaught();
    }
    MINI_DECREF(res);
    file_flush_std();
    return 0;
}

static int run_source(VM *vm, const char *source, size_t len, const char *filename,
                      const char *file) {
    CodeObject *code = compile_source(source, len, filename, MODE_EXEC);
    if (!code)
        return handle_uncaught();
    return run_main_code(vm, code, file);
}

int mini_run_string(MiniVM *vm, const char *source, const char *filename) {
    return run_source(vm, source, strlen(source), filename, NULL);
}

int mini_run_buffer(MiniVM *vm, const char *source, size_t len, const char *filename) {
    return run_source(vm, source, len, filename, NULL);
}

// Reads a whole file into a malloc'd buffer; NULL with errno set on failure.
char *mini_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(buf);
                fclose(f);
                errno = e;
                return NULL;
            }
            break;
        }
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    fclose(f);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int mini_run_file(MiniVM *vm, const char *path) {
    size_t len;
    char *src = mini_read_file(path, &len);
    if (!src) {
        int e = errno;
        fflush(stdout);
        fprintf(stderr, "mini: can't open file '%s': [Errno %d] %s\n", path, e, strerror(e));
        return 2;
    }
    // As CPython 3.9+: the script's code (so its tracebacks) and __file__ name it by an
    // absolute path - the current directory prefixed, not normalised - while sys.argv[0]
    // stays as given.
    char *abs = NULL;
    char cwd[4096];
    if (path[0] != '/' && getcwd(cwd, sizeof cwd)) {
        size_t n = strlen(cwd) + strlen(path) + 2;
        abs = malloc(n);
        if (abs)
            snprintf(abs, n, "%s/%s", cwd, path);
    }
    int status = run_source(vm, src, len, abs ? abs : path, abs ? abs : path);
    free(abs);
    free(src);
    return status;
}
