// fuzz_compile.c - the libFuzzer harness of the lexer, the parser and the compiler.
//
// Every input is a program. Compiling it must either produce a code object or leave an
// exception pending (SyntaxError, IndentationError, RecursionError, MemoryError ...), never
// crash, hang or trip a sanitizer. Run it with tests/fuzz/run; a crash it finds becomes a
// regression test in tests/scripts/regress/.

#include <stddef.h>
#include <stdint.h>

#include "compiler/compiler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // One VM for the whole run: making one per input would measure start-up, not parsing.
    static VM *vm;
    if (!vm) {
        char *argv[] = {"fuzz", NULL};
        vm = vm_new(1, argv);
        if (!vm)
            return 0;
    }
    CodeObject *co = compile_source((const char *)data, size, "<fuzz>", MODE_EXEC);
    if (!co) {
        MiniObject *exc = mini_error_fetch();
        MINI_XDECREF(exc);
    }
    return 0;
}
