// repl.c - the interactive prompt: what `mini` runs when it has no program and standard input
// is a terminal.
//
// Lines are read with libedit (line editing and history) under the prompts `>>> ` and `... `.
// The text entered so far is parsed in MODE_SINGLE after each line; whether to run it, ask for
// more or report an error follows CPython's codeop:
//   - a SyntaxError that only says the text stopped early (an open bracket, an unterminated
//     triple-quoted string, a block header with no body yet, a backslash continuation, a
//     decorator with nothing to decorate) asks for more with `... `;
//   - any other SyntaxError is printed and the text is dropped;
//   - text that parses is run at once, unless it is a compound statement spread over several
//     lines: then it runs when an empty line ends it (the body may still grow).
// Every statement runs in the one __main__ namespace. Expression statements echo their repr
// and set builtins._ (the compiler emits PRINT_EXPR in MODE_SINGLE). An exception prints its
// traceback and the loop goes on; SystemExit (exit(), quit(), sys.exit(n)) ends it with its
// status; end of input (Ctrl-D) ends it with 0.
//
// Signals go through the interpreter's one mechanism (stdlib/signal.c): the C handler only
// records the signal and marks the main thread's eval breaker, and the mini handler runs at
// the next check point - for SIGINT, default_int_handler, which raises KeyboardInterrupt. So
// Ctrl-C while a statement runs raises KeyboardInterrupt there: it prints its traceback and
// the prompt comes back. At the prompt, the character reader below waits in read() with the
// GIL released (other threads run meanwhile); Ctrl-C interrupts that read(), the reader runs
// the pending handlers itself and, when one raised, ends the line: the text entered so far is
// dropped and the exception printed ("KeyboardInterrupt"), as CPython's prompt does.

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dlfcn.h>
#include <editline/readline.h>

#include "../compiler/compiler.h"
#include "../stdlib/stdlib.h"
#include "vm.h"

// The text of the statement being entered: every line so far, each ending with '\n'.
typedef struct {
    char *data;
    size_t len, cap;
    int lines;
} InputBuf;

// Appends [line] and a newline. False when out of memory.
static bool input_add_line(InputBuf *b, const char *line) {
    size_t n = strlen(line);
    if (b->len + n + 2 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 2 > cap)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return false;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, line, n);
    b->len += n;
    b->data[b->len++] = '\n';
    b->data[b->len] = '\0';
    b->lines++;
    return true;
}

static void input_reset(InputBuf *b) {
    b->len = 0;
    b->lines = 0;
    if (b->data)
        b->data[0] = '\0';
}

static bool is_blank(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\f' && *s != '\r')
            return false;
    return true;
}

// Whether a signal has arrived whose handler has not run yet.
static bool signals_pending(void) {
    return (__atomic_load_n(&mini_ts->eval_breaker, __ATOMIC_SEQ_CST) & BREAK_SIGNALS) != 0;
}

// One byte of standard input; -1 at end of input, on an error, or when a signal handler raised
// (the exception is then pending: KeyboardInterrupt for Ctrl-C).
static int read_byte(void) {
    unsigned char c;
    for (;;) {
        // Handlers of signals that came before the read started (while the prompt was drawn
        // or the last statement finished) or that interrupted it.
        if (signals_pending() && !mini_signals_run_pending(mini_ts))
            return -1;
        ssize_t n;
        MINI_BEGIN_ALLOW_THREADS
        n = read(0, &c, 1);
        MINI_END_ALLOW_THREADS
        if (n == 1)
            return c;
        if (n < 0 && errno == EINTR)
            continue;
        return -1;
    }
}

// libedit's character reader (rl_getc_function): one character, decoded from UTF-8 (libedit
// takes the result as a wide character), or EOF. Reading here rather than in libedit lets an
// interrupted read() end the line at once.
static int repl_getc(FILE *f) {
    (void)f;
    int c = read_byte();
    if (c < 0)
        return EOF;
    if (c < 0x80)
        return c;
    int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    if (more == 0 || c >= 0xf8)
        return 0xfffd;
    int cp = c & (0x3f >> more);
    for (int i = 0; i < more; i++) {
        int b = read_byte();
        if (b < 0)
            return EOF;
        if ((b & 0xc0) != 0x80)
            return 0xfffd;
        cp = (cp << 6) | (b & 0x3f);
    }
    return cp;
}

// Whether [text] (the statement entered so far, which failed to parse with [exc]) may still
// become valid with more lines. [blank]: the last line entered was empty, which ends a block.
static bool is_incomplete(MiniObject *exc, const InputBuf *text, bool blank) {
    MiniObject *msg = mini_getattr_opt(exc, MINI_ID(msg));
    if (!msg || !str_check(msg)) {
        mini_error_clear();
        MINI_XDECREF(msg);
        return false;
    }
    const char *m = STR_DATA(msg);
    bool more = strstr(m, "was never closed") != NULL ||
                strncmp(m, "unterminated triple-quoted string", 33) == 0 ||
                strncmp(m, "unexpected EOF", 14) == 0 ||
                (!blank && strncmp(m, "expected an indented block", 26) == 0);
    MINI_DECREF(msg);
    if (more || blank)
        return more;
    // A decorator line waits for the def or class it decorates.
    const char *last = text->data + text->len - 1; // the final '\n'
    const char *start = last;
    while (start > text->data && start[-1] != '\n')
        start--;
    while (*start == ' ' || *start == '\t')
        start++;
    return *start == '@';
}

// Whether [text] parses. *complete: it is ready to run (false for a compound statement that
// spans several lines and has not been ended by an empty line). On a syntax error that is
// not just early end of input, the exception is left pending and the result is false with
// *complete true.
static bool check_input(const InputBuf *text, bool blank, bool *complete) {
    Arena arena;
    arena_init(&arena);
    Module *mod = parse_source(&arena, text->data, text->len, "<stdin>", MODE_SINGLE);
    bool ok = mod != NULL;
    if (mod) {
        bool compound = false;
        if (mod->body.count == 1) {
            StmtKind k = mod->body.items[0]->kind;
            compound = k == STMT_FUNCTIONDEF || k == STMT_CLASSDEF || k == STMT_FOR ||
                       k == STMT_WHILE || k == STMT_IF || k == STMT_WITH || k == STMT_TRY;
        }
        *complete = !(compound && text->lines > 1 && !blank);
    } else {
        MiniObject *exc = mini_error_fetch();
        if (exc && is_incomplete(exc, text, blank)) {
            MINI_DECREF(exc);
            *complete = false;
        } else {
            if (exc)
                mini_error_restore(exc);
            *complete = true;
        }
    }
    arena_free(&arena);
    return ok;
}

// Prints the pending exception's traceback (the loop goes on after it).
static void report_error(void) {
    file_flush_std();
    MiniObject *exc = mini_error_fetch();
    if (exc) {
        exception_print(exc);
        MINI_DECREF(exc);
    }
    file_flush_std();
}

// Compiles and runs the complete statement [text] in [globals]. Returns -1 to go on, or the
// exit status when the statement raised SystemExit.
static int run_input(const InputBuf *text, MiniObject *globals) {
    CodeObject *code = compile_source(text->data, text->len, "<stdin>", MODE_SINGLE);
    if (!code) {
        report_error();
        return -1;
    }
    MiniObject *res = eval_code(code, globals, globals);
    if (res) {
        MINI_DECREF(res);
        file_flush_std();
        return -1;
    }
    if (mini_error_matches(mini_exc_SystemExit))
        return mini_handle_uncaught();
    report_error();
    return -1;
}

// libedit, loaded when the prompt starts rather than linked: a program run from a file never
// maps it (nor the terminal libraries it pulls in), which keeps a script's memory down. When
// it cannot be loaded, the prompt still works, without line editing or history.
typedef struct {
    void *lib;
    char *(*readline)(const char *prompt);
    int (*add_history)(const char *line);
    void (*using_history)(void);
    void (*clear_history)(void);
} LineEditor;

static bool editor_open(LineEditor *ed) {
    memset(ed, 0, sizeof *ed);
    ed->lib = dlopen("libedit.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!ed->lib)
        return false;
    const char **name = dlsym(ed->lib, "rl_readline_name");
    int *catch_signals = dlsym(ed->lib, "rl_catch_signals");
    int (**getc_function)(FILE *) = dlsym(ed->lib, "rl_getc_function");
    *(void **)&ed->readline = dlsym(ed->lib, "readline");
    *(void **)&ed->add_history = dlsym(ed->lib, "add_history");
    *(void **)&ed->using_history = dlsym(ed->lib, "using_history");
    *(void **)&ed->clear_history = dlsym(ed->lib, "clear_history");
    if (!name || !catch_signals || !getc_function || !ed->readline || !ed->add_history ||
        !ed->using_history || !ed->clear_history) {
        dlclose(ed->lib);
        ed->lib = NULL;
        return false;
    }
    *name = "mini";
    *catch_signals = 0;
    *getc_function = repl_getc;
    ed->using_history();
    return true;
}

// A line without libedit: the prompt, then bytes up to a newline. NULL at end of input (or
// when Ctrl-C interrupted the read, as with libedit). The caller frees the line.
static char *plain_readline(const char *prompt) {
    fputs(prompt, stdout);
    fflush(stdout);
    size_t n = 0, cap = 128;
    char *line = malloc(cap);
    for (;;) {
        int c = line ? read_byte() : -1;
        if (c < 0) {
            if (n == 0 || !line) {
                free(line);
                return NULL;
            }
            break;
        }
        if (c == '\n')
            break;
        if (n + 1 >= cap) {
            char *bigger = realloc(line, cap * 2);
            if (!bigger) {
                free(line);
                return NULL;
            }
            line = bigger;
            cap *= 2;
        }
        line[n++] = (char)c;
    }
    line[n] = '\0';
    return line;
}

int repl_run(VM *vm) {
    MiniObject *globals = mini_make_main_module(vm, NULL);
    if (!globals)
        return mini_handle_uncaught();
    printf("mini %s (Python 3.11 subset)\n", MINI_VERSION_STRING);
    fflush(stdout);

    LineEditor ed;
    bool editing = editor_open(&ed);

    InputBuf text = {NULL, 0, 0, 0};
    int status = 0;
    for (;;) {
        file_flush_std();
        const char *prompt = text.lines ? "... " : ">>> ";
        char *line = editing ? ed.readline(prompt) : plain_readline(prompt);
        if (mini_error_occurred()) {
            // A signal handler raised while the line was being read: Ctrl-C's
            // KeyboardInterrupt drops the text entered so far; sys.exit() in a handler ends
            // the session.
            free(line);
            input_reset(&text);
            if (mini_error_matches(mini_exc_SystemExit)) {
                status = mini_handle_uncaught();
                break;
            }
            fflush(stdout);
            fputc('\n', stderr);
            report_error();
            continue;
        }
        if (!line) {
            // End of input: leave the cursor on a fresh line, as CPython does.
            fputc('\n', stdout);
            break;
        }
        bool blank = is_blank(line);
        if (!blank && editing)
            ed.add_history(line);
        if (blank && text.lines == 0) {
            free(line);
            continue;
        }
        bool added = input_add_line(&text, line);
        free(line);
        if (!added) {
            fputs("mini: out of memory\n", stderr);
            status = 1;
            break;
        }
        bool complete;
        if (!check_input(&text, blank, &complete)) {
            if (complete) {
                report_error();
                input_reset(&text);
            }
            continue;
        }
        if (!complete)
            continue;
        int r = run_input(&text, globals);
        input_reset(&text);
        if (r >= 0) {
            status = r;
            break;
        }
    }
    if (editing) {
        // The library stays mapped: its readline emulation keeps its editor and history in
        // statics it never frees, and unmapping them would turn those into leaks
        // (LeakSanitizer reports them). The process ends soon anyway.
        ed.clear_history();
    }
    free(text.data);
    fflush(stdout);
    return status;
}
