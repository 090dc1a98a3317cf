// main.c - the `mini` command: parses the command line, makes a VM, runs the program and
// exits with the program's status.
//
//     mini [OPTIONS] FILE [ARGS...]     run a file; FILE and ARGS become sys.argv
//     mini [OPTIONS] -c CODE [ARGS...]  run CODE; sys.argv[0] is '-c'
//     mini [OPTIONS] - [ARGS...]        run the program read from standard input
//     mini [OPTIONS]                    the interactive prompt when standard input is a
//                                       terminal (vm/repl.c); else as `mini -`
//
// Exit status: 0; 1 for an uncaught exception or a syntax error; 2 for a usage error or a
// file that cannot be opened; sys.exit(n) gives n. An uncaught KeyboardInterrupt (Ctrl-C) prints
// its traceback, then the process ends by SIGINT, as CPython's does, so a shell sees 130.

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../compiler/compiler.h"
#include "../include/mini.h"
#include "../stdlib/stdlib.h"
#include "vm.h"

static const char usage_line[] = "usage: mini [option] ... [-c cmd | file | -] [arg] ...\n";

static void print_help(void) {
    printf("%s", usage_line);
    printf("Options:\n"
           "  -c cmd      program passed in as string (terminates option list)\n"
           "  --dis       print the bytecode of FILE (every code object) instead of running it\n"
           "  -h, --help  print this help message and exit\n"
           "  --gil-stats print what the GIL did (hand-overs, waits, per thread) on stderr at exit\n"
           "  --switch-interval=SECONDS\n"
           "              how long a thread waits for the GIL before asking for it (default 0.005)\n"
           "  --switch-every=N\n"
           "              deterministic switching: hand the GIL to the longest waiter at every\n"
           "              Nth check point\n"
           "  --gil-io-priority\n"
           "              a thread back from blocking I/O gets the GIL at once (fixes the convoy\n"
           "              effect, bpo-7946)\n"
           "  -V, --version\n"
           "              print the version number and exit\n"
           "Arguments:\n"
           "  file        program read from script file\n"
           "  -           program read from stdin (default when stdin is not a terminal)\n"
           "  arg ...     arguments passed to program in sys.argv[1:]\n");
}

static int usage_error(const char *fmt, const char *what) {
    fprintf(stderr, fmt, what);
    fprintf(stderr, "%sTry `mini -h' for more information.\n", usage_line);
    return 2;
}

// Reads all of standard input into a malloc'd buffer. NULL when out of memory, or with an
// exception pending when a signal handler raised (Ctrl-C while the program is typed in).
static char *read_stdin(size_t *len) {
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        ssize_t got = read(0, buf + n, cap - n);
        if (got < 0 && errno == EINTR) {
            // SIGINT has the interpreter's handler already: run it rather than take the
            // interrupted read for the end of the program.
            if (!mini_signals_run_pending(mini_ts)) {
                free(buf);
                return NULL;
            }
            continue;
        }
        if (got <= 0)
            break;
        n += (size_t)got;
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

// `mini --dis FILE`: prints the disassembly of every code object of FILE.
static int disassemble(const char *path) {
    size_t len;
    char *src = mini_read_file(path, &len);
    if (!src)
        return usage_error("mini: can't open file '%s'\n", path);
    CodeObject *code = compile_source(src, len, path, MODE_EXEC);
    free(src);
    if (!code) {
        MiniObject *exc = mini_error_fetch();
        exception_print(exc);
        MINI_DECREF(exc);
        return 1;
    }
    MiniObject *text = dis_code(code, true);
    if (!text) {
        MiniObject *exc = mini_error_fetch();
        exception_print(exc);
        MINI_DECREF(exc);
        return 1;
    }
    fwrite(STR_DATA(text), 1, STR_SIZE(text), stdout);
    MINI_DECREF(text);
    return 0;
}

// Ends the process by SIGINT with its default action, as CPython does after an uncaught
// KeyboardInterrupt (bpo-1054041): a shell script or a make that ran us then learns that the
// user pressed Ctrl-C, and stops too, instead of going on after an ordinary error. Returns
// only if that failed, with the status a shell would have shown.
static int exit_sigint(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        kill(getpid(), SIGINT);
    }
    return 128 + SIGINT;
}

int main(int argc, char **argv) {
    setlocale(LC_CTYPE, "C.UTF-8");
    // As CPython does: a write to a closed pipe fails with EPIPE (BrokenPipeError) instead
    // of killing the process.
    signal(SIGPIPE, SIG_IGN);
    const char *code = NULL;
    const char *file = NULL;
    bool dis = false;
    // The GIL's settings (vm/gil.c), applied once the VM exists.
    bool gil_stats = false, io_priority = false;
    double switch_interval = 0;
    long switch_every = 0;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc)
                return usage_error("Argument expected for the %s option\n", "-c");
            code = argv[++i];
            break;
        } else if (strcmp(a, "-") == 0) {
            break;
        } else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("mini %s\n", MINI_VERSION_STRING);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            return 0;
        } else if (strcmp(a, "--dis") == 0) {
            dis = true;
        } else if (strcmp(a, "--gil-stats") == 0) {
            gil_stats = true;
        } else if (strcmp(a, "--gil-io-priority") == 0) {
            io_priority = true;
        } else if (strncmp(a, "--switch-interval=", 18) == 0) {
            char *end;
            switch_interval = strtod(a + 18, &end);
            if (end == a + 18 || *end || !(switch_interval > 0) || switch_interval > 1e6)
                return usage_error("mini: --switch-interval needs a number of seconds > 0, "
                                   "not '%s'\n", a + 18);
        } else if (strncmp(a, "--switch-every=", 15) == 0) {
            char *end;
            switch_every = strtol(a + 15, &end, 10);
            if (end == a + 15 || *end || switch_every < 1)
                return usage_error("mini: --switch-every needs a whole number >= 1, not '%s'\n",
                                   a + 15);
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option %s\n", a);
        } else {
            file = a;
            break;
        }
    }
    if (dis && !file)
        return usage_error("%s: --dis needs a FILE\n", "mini");

    // sys.argv: the program's name as Python gives it, then the remaining arguments.
    int rest = i < argc ? argc - i : 0;
    char **pargv = calloc((size_t)rest + 1, sizeof(char *));
    if (!pargv)
        return 1;
    int pargc = 0;
    if (code)
        pargv[pargc++] = "-c";
    else if (file)
        pargv[pargc++] = (char *)file;
    else if (i < argc)
        pargv[pargc++] = "-";
    else
        pargv[pargc++] = "";
    for (int j = i + 1; j < argc; j++)
        pargv[pargc++] = argv[j];

    VM *vm = vm_new(pargc, pargv);
    if (!vm) {
        fprintf(stderr, "mini: could not start the interpreter (out of memory)\n");
        return 1;
    }
    vm->gil_stats_at_exit = gil_stats;
    vm->gil.io_priority = io_priority;
    vm->gil.switch_every = switch_every;
    if (switch_interval > 0)
        vm->gil.interval_ns = (int64_t)(switch_interval * 1e9);
    int status;
    if (dis) {
        status = disassemble(file);
    } else if (code) {
        status = mini_run_string(vm, code, "<string>");
    } else if (file) {
        status = mini_run_file(vm, file);
    } else if (i >= argc && isatty(0)) {
        status = repl_run(vm);
    } else {
        size_t len = 0;
        char *src = read_stdin(&len);
        if (!src && mini_error_occurred()) {
            vm->unhandled_keyboard_interrupt =
                mini_type(mini_ts->curexc) == mini_exc_KeyboardInterrupt;
            status = mini_handle_uncaught();
        } else if (!src) {
            fprintf(stderr, "mini: cannot read standard input\n");
            status = 1;
        } else {
            status = mini_run_buffer(vm, src, len, "<stdin>");
            free(src);
        }
    }
    bool died_by_ctrl_c = vm->unhandled_keyboard_interrupt;
    bool freed = vm_free(vm);
    free(pargv);
    fflush(stdout);
    if (died_by_ctrl_c)
        status = exit_sigint();
    if (!freed) {
        // Threads were still running at the end (daemon threads, or one whose join() a Ctrl-C
        // gave up on): as in CPython, the process ends without them. What they hold stays
        // allocated on purpose, so end without the exit handlers (LeakSanitizer's would
        // report it as leaked); every mini file is flushed already.
        fflush(stderr);
        _exit(status);
    }
    return status;
}
