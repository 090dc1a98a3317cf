// embed.c - a C program that embeds mini through include/mini.h, the embedding API.
//
// It makes a VM, runs a mini program that defines and calls a function, runs a second one that
// fails, and frees the VM. Build and run: `meson compile -C build && build/samples/embed/embed`.

#include <stdio.h>

#include "mini.h"

int main(int argc, char **argv) {
    MiniVM *vm = mini_vm_new(argc, argv);
    if (!vm) {
        fprintf(stderr, "embed: could not create a VM\n");
        return 1;
    }
    // Each program runs in a fresh __main__ module of the same VM.
    int status = mini_run_string(vm,
                                 "def area(w, h):\n"
                                 "    return w * h\n"
                                 "print('area:', area(6, 7))\n",
                                 "<embedded>");
    printf("first program exited with %d\n", status);
    fflush(stdout);
    // An uncaught exception prints its traceback to stderr and gives status 1.
    status = mini_run_string(vm, "print('before the error')\n1 / 0\n", "<embedded>");
    printf("second program exited with %d\n", status);
    // sys.exit(n) gives n.
    status = mini_run_string(vm, "import sys\nsys.exit(7)\n", "<embedded>");
    printf("third program exited with %d\n", status);
    mini_vm_free(vm);
    return 0;
}
