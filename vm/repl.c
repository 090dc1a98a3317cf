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
// Ctrl-C at the prompt drops the text entered so far and prints KeyboardInterrupt. The SIGINT
// handler only marks the thread's eval_breaker (the state that signals are meant to set, see
// vm.h); the character reader below sees its read() interrupted and ends the line. While a
// statement runs, SIGINT has its default action again (the eval loop does not turn signals
// into KeyboardInterrupt yet).

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

// The SIGINT handler while a line is being read: it only records the signal (see the top of
// the file). Touching the thread-local state is safe here: the handler runs on the main
// thread, interrupting the read() below.
static void on_sigint(int sig) {
    (void)sig;
    ThreadState *ts = mini_ts;
    if (ts)
        ts->eval_breaker |= BREAK_SIGNALS;
}

static bool interrupted(void) { return (mini_ts->eval_breaker & BREAK_SIGNALS) != 0; }

// One byte of standard input; -1 at end of input, on an error or when Ctrl-C interrupted it.
static int read_byte(void) {
    unsigned char c;
    for (;;) {
        // A Ctrl-C that came before the read started (while the prompt was being drawn).
        if (interrupted())
            return -1;
        ssize_t n = read(0, &c, 1);
        if (n == 1)
            return c;
        if (n < 0 && errno == EINTR && !interrupted())
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
static int run_input(const InputBuf *text, MiniObject *globals, const struct sigaction *dfl,
                     const struct sigaction *ours) {
    CodeObject *code = compile_source(text->data, text->len, "<stdin>", MODE_SINGLE);
    if (!code) {
        report_error();
        return -1;
    }
    sigaction(SIGINT, dfl, NULL);
    MiniObject *res = eval_code(code, globals, globals);
    sigaction(SIGINT, ours, NULL);
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

int repl_run(VM *vm) {
    MiniObject *globals = mini_make_main_module(vm, NULL);
    if (!globals)
        return mini_handle_uncaught();
    printf("mini %s (Python 3.11 subset)\n", MINI_VERSION_STRING);
    fflush(stdout);

    rl_readline_name = "mini";
    rl_catch_signals = 0;
    rl_getc_function = repl_getc;
    using_history();

    struct sigaction ours, saved;
    memset(&ours, 0, sizeof ours);
    ours.sa_handler = on_sigint;
    sigemptyset(&ours.sa_mask);
    ours.sa_flags = 0; // no SA_RESTART: the read() must see EINTR
    sigaction(SIGINT, &ours, &saved);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);

    InputBuf text = {NULL, 0, 0, 0};
    int status = 0;
    for (;;) {
        mini_ts->eval_breaker &= ~BREAK_SIGNALS;
        file_flush_std();
        char *line = readline(text.lines ? "... " : ">>> ");
        if (!line) {
            if (interrupted()) {
                fflush(stdout);
                fputs("\nKeyboardInterrupt\n", stderr);
                input_reset(&text);
                continue;
            }
            // End of input: leave the cursor on a fresh line, as CPython does.
            fputc('\n', stdout);
            break;
        }
        bool blank = is_blank(line);
        if (!blank)
            add_history(line);
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
        int r = run_input(&text, globals, &dfl, &ours);
        input_reset(&text);
        if (r >= 0) {
            status = r;
            break;
        }
    }
    sigaction(SIGINT, &saved, NULL);
    clear_history();
    free(text.data);
    fflush(stdout);
    return status;
}
