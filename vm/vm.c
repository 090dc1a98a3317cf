// vm.c - the process-wide runtime, the VM state and thread states: creation and teardown.
//
// Start-up order matters and is all here: a VM and its main thread state first (so errors
// have somewhere to go), then the runtime (the interned-string table, the identifiers of
// ids.def, every builtin type made ready, base types before derived ones), then the VM's own
// objects (sys.modules, builtins, sys).

#include "vm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../stdlib/stdlib.h"

MiniRuntime mini_runtime;
_Thread_local ThreadState *mini_ts;

// The builtin types in the order they are readied: a base before its subclasses.
static MiniType *const core_types[] = {
    &mini_object_type,
    &mini_type_type,
    &mini_str_type,
    &mini_dict_type,
    &mini_tuple_type,
    &mini_list_type,
    &mini_int_type,
    &mini_bool_type,
    &mini_float_type,
    &mini_none_type,
    &mini_notimpl_type,
    &mini_ellipsis_type,
    &mini_bytes_type,
    &mini_bytearray_type,
    &mini_set_type,
    &mini_frozenset_type,
    &mini_range_type,
    &mini_slice_type,
    &mini_function_type,
    &mini_method_type,
    &mini_cell_type,
    &mini_builtin_function_type,
    &mini_method_descr_type,
    &mini_getset_descr_type,
    &mini_code_type,
    &mini_generator_type,
    &mini_coroutine_type,
    &mini_coroutine_wrapper_type,
    &mini_module_type,
    &mini_super_type,
    &mini_property_type,
    &mini_staticmethod_type,
    &mini_classmethod_type,
    &mini_traceback_type,
    &mini_enumerate_type,
    &mini_zip_type,
    &mini_map_type,
    &mini_filter_type,
    &mini_reversed_type,
    &mini_seqiter_type,
    &mini_calliter_type,
};

bool runtime_init(void) {
    if (mini_runtime.initialized)
        return true;
    // The interned-string table comes first: every identifier below goes into it. Objects of
    // the runtime belong to the process, not to the VM, so they leave the VM's container list.
    mini_runtime.interned = dict_new();
    if (!mini_runtime.interned)
        return false;
    mini_gc_untrack(mini_runtime.interned);
    mini_make_immortal(mini_runtime.interned);
    if (!str_init())
        return false;
#define ID(name)                                                                                 \
    if (!(mini_runtime.ids.id_##name = mini_intern(#name)))                                      \
        return false;
#include "../runtime/ids.def"
#undef ID
    for (size_t i = 0; i < sizeof core_types / sizeof core_types[0]; i++)
        if (!(core_types[i]->flags & MINI_TPFLAG_READY) && !type_ready(core_types[i]))
            return false;
#define X(name, base)                                                                            \
    if (!(mini_exc_##name->flags & MINI_TPFLAG_READY) && !type_ready(mini_exc_##name))           \
        return false;
    MINI_EXCEPTIONS(X)
#undef X
    mini_runtime.initialized = true;
    return true;
}

ThreadState *threadstate_new(VM *vm) {
    ThreadState *ts = calloc(1, sizeof(ThreadState));
    if (!ts)
        return NULL;
    ts->vm = vm;
    ts->c_recursion_limit = MINI_C_RECURSION_LIMIT;
    ts->exc_info = &ts->exc_base;
    ts->ident = (unsigned long)pthread_self();
    ts->next = vm->threads;
    if (vm->threads)
        vm->threads->prev = ts;
    vm->threads = ts;
    return ts;
}

void threadstate_free(ThreadState *ts) {
    VM *vm = ts->vm;
    if (ts->prev)
        ts->prev->next = ts->next;
    else if (vm->threads == ts)
        vm->threads = ts->next;
    if (ts->next)
        ts->next->prev = ts->prev;
    MINI_CLEAR(ts->curexc);
    MINI_CLEAR(ts->exc_base.exc);
    MINI_CLEAR(ts->repr_active);
    MINI_CLEAR(ts->sentinel);
    str_free_list_clear(ts);
    while (ts->float_free) {
        MiniObject *next = (MiniObject *)ts->float_free->type;
        free(ts->float_free);
        ts->float_free = next;
    }
    FrameChunk *c = ts->chunk;
    while (c) {
        FrameChunk *prev = c->prev;
        free(c);
        c = prev;
    }
    if (mini_ts == ts)
        mini_ts = NULL;
    free(ts);
}

VM *vm_new(int argc, char **argv) {
    VM *vm = calloc(1, sizeof(VM));
    if (!vm)
        return NULL;
    vm->gc_list.next = vm->gc_list.prev = &vm->gc_list;
    vm->recursion_limit = MINI_RECURSION_LIMIT;
    vm->quicken = true; // warm code gets specialised instructions (eval.c); safe under the GIL
    vm->progname = argc > 0 ? argv[0] : "mini";
    if (!gil_init(&vm->gil)) {
        free(vm);
        return NULL;
    }
    ThreadState *ts = threadstate_new(vm);
    if (!ts) {
        gil_destroy(&vm->gil);
        free(vm);
        return NULL;
    }
    vm->main_thread = ts;
    mini_ts = ts;
    // A main thread run with a small stack (`ulimit -s 256`) gets a lower C recursion limit.
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur / MINI_C_STACK_PER_LEVEL < MINI_C_RECURSION_LIMIT)
        ts->c_recursion_limit = (int)(rl.rlim_cur / MINI_C_STACK_PER_LEVEL);
    // The main thread holds the GIL from the start; it lets go only around blocking calls
    // and at check points where another thread asks for it.
    gil_take(ts, false);
    if (!runtime_init())
        return NULL;
    vm->modules = dict_new();
    vm->argv = list_new(0);
    if (!vm->modules || !vm->argv)
        return NULL;
    for (int i = 0; i < argc; i++) {
        MiniObject *s = str_decode_utf8(argv[i], strlen(argv[i]));
        if (!s || list_append(vm->argv, s) < 0)
            return NULL;
        MINI_DECREF(s);
    }
    if (!exception_vm_init(vm))
        return NULL;
    vm->builtins_module = builtins_init(vm);
    if (!vm->builtins_module)
        return NULL;
    vm->builtins = mini_newref(((MiniModule *)vm->builtins_module)->dict);
    if (dict_set(vm->modules, MINI_ID(builtins), vm->builtins_module) < 0)
        return NULL;
    vm->sys_module = sys_init(vm);
    if (!vm->sys_module || dict_set(vm->modules, MINI_ID(sys), vm->sys_module) < 0)
        return NULL;
    mini_signals_init(vm); // (signal.c) SIGINT raises KeyboardInterrupt, as in CPython
    gc_vm_init(vm);        // (gc.c) the cycle collector may run from here on
    return vm;
}

// Waits for the threads that must finish before the program ends: if the program imported
// threading, its _shutdown() joins every non-daemon thread (as CPython's Py_FinalizeEx does).
// An exception there is printed and otherwise ignored.
static void wait_for_threads(VM *vm) {
    MiniObject *threading = vm->modules ? dict_get_cstr(vm->modules, "threading") : NULL;
    if (!threading)
        return;
    MINI_INCREF(threading);
    MiniObject *r = mini_call_method(threading, "_shutdown", 0);
    if (r) {
        MINI_DECREF(r);
    } else {
        MiniObject *what = mini_intern("threading._shutdown");
        if (what)
            exception_write_unraisable(what);
        else
            mini_error_clear();
    }
    MINI_DECREF(threading);
}

bool vm_free(VM *vm) {
    if (!vm)
        return true;
    wait_for_threads(vm);
    mini_signals_fini(vm); // (signal.c) no handler can run from here on
    file_flush_std();
    if (vm->gil_stats_at_exit) {
        // The main thread's hold time so far counts: close its figures first.
        GilThreadStats *st = gil_thread_stats(vm->main_thread);
        gil_drop(vm->main_thread);
        gil_print_stats(&vm->gil, stderr);
        gil_take(vm->main_thread, false);
        (void)st;
    }
    // From here on a daemon thread that tries to run (it wakes from a sleep, or the GIL is let
    // go around a write below) exits instead (gil_take).
    __atomic_store_n(&vm->finalizing, true, __ATOMIC_SEQ_CST);
    // (gc.c) Modules go as in CPython: the garbage cycles are collected while everything is
    // intact, then each module leaves sys.modules and its namespace goes (by refcount, or by
    // a collection when it is in a cycle, its finalizers seeing every name bound); builtins
    // and sys go last, so a __del__ that runs during teardown can still print.
    gc_finalize_modules(vm);
    file_flush_std();
    MINI_CLEAR(vm->main_module);
    MINI_CLEAR(vm->sys_module);
    MINI_CLEAR(vm->builtins);
    MINI_CLEAR(vm->builtins_module);
    MINI_CLEAR(vm->modules);
    MINI_CLEAR(vm->argv);
    MINI_CLEAR(vm->memory_error);
    MINI_CLEAR(vm->io_unsupported_operation);
    // (gc) os.register_at_fork's hooks: they hold functions, and so the namespaces of the
    // modules that defined them.
    MINI_CLEAR(vm->fork_before);
    MINI_CLEAR(vm->fork_after_in_parent);
    MINI_CLEAR(vm->fork_after_in_child);
    gc_vm_fini(vm); // (gc.c) a last collection (sys and builtins are gone now), then no more
    if (vm->nthreads > 0) {
        // Daemon threads are still alive, blocked or about to block on the GIL, and they hold
        // pointers to their thread states and to the VM: those stay allocated until the
        // process ends. Only the main thread's state goes, once no waiter can name it as
        // the GIL's holder (a waiter writes to the holder's eval breaker).
        gil_forget_holder(vm->main_thread);
        threadstate_free(vm->main_thread);
        return false;
    }
    while (vm->threads)
        threadstate_free(vm->threads);
    mini_vm_free_immortals(vm); // (object.c) code objects and constants, now unused
    gil_destroy(&vm->gil);
    free(vm);
    return true;
}

void vm_after_fork_child(ThreadState *ts) {
    VM *vm = ts->vm;
    gil_after_fork(ts);
    // Only the thread that forked exists in the child. The other threads' states go; what
    // their frames referenced stays alive (it cannot be released safely: it may be
    // half-updated), which costs memory but never correctness.
    ThreadState *t = vm->threads;
    while (t) {
        ThreadState *next = t->next;
        if (t != ts) {
            t->gil_stats = NULL;
            t->chunk = NULL; // the frames are not unwound, so their chunks are simply dropped
            t->curexc = NULL;
            t->exc_base.exc = NULL;
            t->repr_active = NULL;
            t->sentinel = NULL;
            threadstate_free(t);
        }
        t = next;
    }
    vm->nthreads = 0;
    vm->main_thread = ts;
    vm->fork_generation++;
    ts->ident = (unsigned long)pthread_self();
}
