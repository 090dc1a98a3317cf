// vm.h - the virtual machine: code objects, frames, thread states, the VM state and the
// eval loop's entry points.
//
// Design
// ------
// State is split three ways, and nothing else in mini is a mutable global:
//
//   MiniRuntime  one per process (runtime/object.h, vm/vm.c: mini_runtime). What must exist
//                before any VM and what signal handlers and fork hooks need: the
//                interned-string table, the pre-interned identifiers, "types are ready".
//   VM           one per interpreter (created by mini_vm_new): the container list (the heap
//                the cycle collector walks), sys.modules, the builtins dict, the sys module,
//                the recursion limit, the list of thread states.
//   ThreadState  one per OS thread running mini code: the current frame, the exception being
//                raised, the exception being handled, recursion depth, the eval-breaker word,
//                and the frame stack the thread's frames are carved from. The running thread's
//                state is the thread-local `mini_ts`.
//
// Frames live in a per-thread stack of memory chunks (the "frame stack"): calling a mini
// function carves a Frame from it and returning gives it back, so a call costs no malloc.
// A generator's frame is embedded in the generator object instead, and is linked into the
// thread's frame chain only while the generator runs.
//
// The eval loop is stackless: a call from mini to mini pushes a frame and continues in the same
// C loop; RETURN_VALUE pops it and continues the caller. C re-enters the loop only when C code
// calls mini code (a key= function, a dunder called by a builtin, a generator resumed from C),
// and every such entry counts against the recursion limit.

#ifndef MINI_VM_H
#define MINI_VM_H

#include "../runtime/object.h"
#include "gil.h"

// ---------------------------------------------------------------------------------------------
// Opcodes
// ---------------------------------------------------------------------------------------------

typedef enum {
#define OP(name, kind) OP_##name,
#include "opcodes.def"
#undef OP
    OP__COUNT
} Opcode;

typedef enum {
    ARG_NONE,
    ARG_CONST,
    ARG_NAME,
    ARG_LOCAL,
    ARG_FREE,
    ARG_JUMP,
    ARG_COUNT,
    ARG_BINOP,
    ARG_CMP,
    ARG_FLAGS,
    ARG_CACHE // a specialised form's index into co->caches (opcodes.def: SPEC)
} OpArgKind;

extern const char *const opcode_names[OP__COUNT];
extern const OpArgKind opcode_argkinds[OP__COUNT];
// The instruction each opcode is a form of: itself for the compiler's instructions, the base
// instruction for the specialised forms of opcodes.def (SPEC).
extern const uint8_t opcode_bases[OP__COUNT];

#define INSTR(op, arg) ((uint32_t)(op) | ((uint32_t)(arg) << 8))
#define INSTR_OP(w) ((w)&0xff)
#define INSTR_ARG(w) ((w) >> 8)
#define MAX_OPARG 0xffffff

// MAKE_FUNCTION flag bits.
#define MKFN_DEFAULTS 0x01
#define MKFN_KWDEFAULTS 0x02
#define MKFN_ANNOTATIONS 0x04
#define MKFN_CLOSURE 0x08

// ---------------------------------------------------------------------------------------------
// Code objects (vm/code.c). Immortal once made; immutable but for quickening (below).
// ---------------------------------------------------------------------------------------------

// One inline cache entry: what a quickened instruction remembers between executions (see the
// "Specialisation" notes of vm/eval.c). A quickened code object has one entry in co->caches
// for each instruction whose ADAPTIVE form keeps a cache (the attribute and global loads and
// stores), and that instruction's argument is its entry's index. Which fields a specialised
// form uses is written beside it in opcodes.def. 64 bytes: one cache line, and indexing is a
// shift.
typedef struct InlineCache {
    uint32_t arg;     // the base instruction's own argument (a name index)
    uint16_t counter; // ADAPTIVE form: executions to wait before the next try at specialising;
                      // specialised form: misses left before it goes back to ADAPTIVE
    uint16_t backoff; // failed tries in a row: the wait before the next try doubles with each
    uint32_t index;   // a dict entry index: where the name was found
    union {
        uint32_t dictoffset; // instance forms: the type's dictoffset
        uint32_t version;    // LOAD_GLOBAL_BUILTIN: the keys version of the globals dict
    };
    uint64_t epoch;     // vm->type_epoch when the type was examined
    MiniType *type;     // the type specialised for (only compared: a live instance keeps it)
    MiniObject *name;   // names[arg]: the interned (immortal) name, at hand for the guards
    MiniObject *descr;  // LOAD_METHOD forms: the function found on the type (borrowed from the
                        // type's namespace, which cannot change while the epoch holds)
    uint64_t keybits;   // LOAD_METHOD_WITH_DICT: the name's bits in a dict's keyfilter
    uint64_t unused;    // (pads the entry to 64 bytes)
} InlineCache;

#define CO_VARARGS 0x04
#define CO_VARKEYWORDS 0x08
#define CO_NESTED 0x10
#define CO_GENERATOR 0x20
#define CO_NOFREE 0x40
#define CO_COROUTINE 0x80 // `async def`: calling it makes a coroutine (runtime/generator.h)
#define CO_MODULE 0x100 // module or class body: names live in a dict (LOAD_NAME)
#define CO_DOCSTRING 0x200 // consts[0] is the function's docstring (set by the compiler)

struct CodeObject {
    MiniObject ob;
    uint32_t *code;      // instructions
    uint32_t *lines;     // source line of each instruction
    size_t ncode;
    MiniObject *consts;   // tuple
    MiniObject *names;    // tuple of interned str: globals, attributes, imports
    MiniObject *varnames; // tuple of str: arguments first, then other locals
    MiniObject *cellvars; // tuple of str: locals captured by inner functions
    MiniObject *freevars; // tuple of str: variables captured from outer functions
    // For each cell variable that is also an argument, its argument index; else -1.
    int *cell2arg;
    int argcount;        // positional parameters (positional-only included)
    int posonlyargcount;
    int kwonlyargcount;
    int nlocals;         // len(varnames)
    int ncells, nfrees;
    int stacksize;       // most values the value stack holds at once
    int flags;           // CO_*
    int firstlineno;
    MiniObject *name;     // str
    MiniObject *qualname; // str
    MiniObject *filename; // str
    // Filled by code_new for the eval loop's call path (vm/eval.c):
    size_t framesize; // frame_size() of this code
    int fast_nargs;   // argcount when a call with exactly that many positional arguments and
                      // no keywords binds them as they are (no *args, **kwargs, keyword-only
                      // parameters, not a generator); -1 otherwise
    // The inline cache of name instructions, one entry per instruction: where LOAD_ATTR,
    // STORE_ATTR, LOAD_METHOD and LOAD_GLOBAL last found their name among a dict's entries
    // (dict_get_str_hinted). Instances of one class usually fill their dicts in the
    // same order, so the hint is right for all of them; a wrong one is noticed by a key check
    // and costs one ordinary lookup. A word-sized hint written racily stays a valid index.
    uint32_t *attr_hints;
    // Quickening (vm/code.c: code_quicken): RESUME and JUMP_BACKWARD count [warmup] down; at
    // zero the code is warm and its instructions are rewritten in place to their quickened
    // forms, with [caches] (ncaches entries, NULL before) as the inline caches of those that
    // keep one. Writing
    // instructions and caches is safe because only the thread holding the GIL runs mini code;
    // a --no-gil mode must turn quickening off (vm->quicken) or make those writes atomic.
    int32_t warmup;
    uint32_t ncaches;
    InlineCache *caches;
};

// Makes a code object; takes ownership of [code] and [lines] (malloc'd), borrows the tuples.
// Returns an immortal code object or NULL.
CodeObject *code_new(uint32_t *code, uint32_t *lines, size_t ncode, MiniObject *consts,
                     MiniObject *names, MiniObject *varnames, MiniObject *cellvars,
                     MiniObject *freevars, int argcount, int posonlyargcount,
                     int kwonlyargcount, int stacksize, int flags, int firstlineno,
                     MiniObject *name, MiniObject *qualname, MiniObject *filename);
// The source line of the instruction at index [i].
int code_line_at(const CodeObject *co, size_t i);
// Quickens [co] (once it is warm): rewrites each specialisable instruction to its ADAPTIVE
// form with a fresh inline cache, RESUME and JUMP_BACKWARD to forms that no longer count,
// and pairs of loads to superinstructions. Raises nothing: without memory the code simply
// stays as it is. False when it was not quickened.
bool code_quicken(CodeObject *co);
// The instruction at index [i] as the compiler wrote it (a quickened instruction's base
// opcode and own argument): what the disassembler shows.
uint32_t code_base_instr(const CodeObject *co, size_t i);

// ---------------------------------------------------------------------------------------------
// Frames (vm/frame.c)
// ---------------------------------------------------------------------------------------------

typedef enum { BLOCK_FINALLY, BLOCK_EXCEPT_HANDLER } BlockKind;

typedef struct {
    uint8_t kind;     // BlockKind
    int32_t handler;  // instruction index (BLOCK_FINALLY)
    int32_t level;    // value stack depth to unwind to
    MiniObject *saved_exc; // EXCEPT_HANDLER: the exception handled before this one (owned)
} Block;

typedef struct Frame {
    struct Frame *back;      // the calling frame, or NULL
    CodeObject *code;        // borrowed (immortal)
    MiniObject *func;        // the function (owned) or NULL for module code
    MiniObject *globals;     // dict, borrowed from func (owned for module frames)
    MiniObject *builtins;    // dict, borrowed
    MiniObject *locals;      // dict for module and class bodies (owned), else NULL
    const uint32_t *ip;      // the next instruction
    MiniObject **sp;         // the value stack's top (one past the last value)
    MiniObject **stack;      // the value stack's base (after localsplus)
    struct MiniGenerator *gen; // the generator owning this frame, or NULL
    uint8_t is_entry;        // returning from this frame returns from eval_frame() to C
    uint8_t on_thread_stack; // carved from the thread's frame stack (else: in a generator)
    int nblocks;
    Block blocks[MINI_MAX_BLOCKS];
    // locals (nlocals), then cells (ncells), then frees (nfrees), then the value stack.
    MiniObject *localsplus[];
} Frame;

// ---------------------------------------------------------------------------------------------
// Thread state and VM state
// ---------------------------------------------------------------------------------------------

typedef struct ExcInfo {
    MiniObject *exc;           // the exception being handled (owned), or NULL
    struct ExcInfo *previous;  // the enclosing one (a generator's is linked while it runs)
} ExcInfo;

typedef struct FrameChunk {
    struct FrameChunk *prev;
    size_t size;   // bytes usable in data
    size_t top;    // bytes in use
    char data[];
} FrameChunk;

typedef struct VM VM;

// One slot of the eval loop's type attribute cache (vm/eval.c): what type_lookup(type, name)
// returned, valid while vm->type_epoch still equals [epoch]. Names are interned (immortal)
// strs, so the pair (type, name) compares by pointer; the value is borrowed from the type's
// namespace, which cannot change without the epoch moving.
typedef struct {
    MiniType *type;
    MiniObject *name;
    MiniObject *value; // NULL: the type has no such attribute
    uint64_t epoch;
} TypeCacheEntry;
#define TYPE_CACHE_SIZE 1024 // entries per thread; a power of two

// Bits of ThreadState.eval_breaker.
#define BREAK_GIL_DROP (1u << 0)   // another thread asks for the GIL
#define BREAK_SIGNALS (1u << 1)    // a signal handler must run
#define BREAK_ASYNC_EXC (1u << 2)  // an exception was sent to this thread
#define BREAK_GIL_COUNT (1u << 3)  // --switch-every: a thread waits, so count check points

// Signal numbers run from 1 to MINI_NSIG - 1 (Linux's NSIG is 65); stdlib/signal.c checks.
#define MINI_NSIG 65

// How many freed floats each thread keeps for reuse (ThreadState.float_free: object.c pushes
// and pops, and so does the eval loop, inline).
#define MINI_FLOAT_FREE_MAX 256

typedef struct ThreadState {
    VM *vm;
    Frame *frame;            // the running frame (top of the chain)
    MiniObject *curexc;      // the exception being raised (owned), or NULL
    ExcInfo *exc_info;       // the exceptions being handled (innermost first)
    ExcInfo exc_base;        // the bottom of that chain
    int recursion_depth;     // frames + C re-entries, checked against vm->recursion_limit
    int c_recursion_depth;   // C-level nesting (repr of deep lists, ...)
    int c_recursion_limit;   // its limit, from the size of the thread's C stack
    volatile uint32_t eval_breaker; // BREAK_* bits, read at check points
    FrameChunk *chunk;       // the frame stack
    MiniObject *repr_active; // list of containers whose repr is in progress (mini_repr_enter)
    // Freed float objects kept for reuse (linked through their type field): numeric code
    // makes and drops floats by the million, and this spares malloc for each (object.c).
    MiniObject *float_free;
    int float_free_count;
    // The same for the blocks of small strs (runtime/str.c, str_alloc).
    MiniObject *str_free;
    int str_free_count; // at most MINI_FLOAT_FREE_MAX
    struct ThreadState *next, *prev; // in vm->threads
    unsigned long ident;     // threading.get_ident()
    // The containers' "trashcan" (runtime/container.h): how deeply container deallocs are
    // nested on the C stack, and the chain of deallocs put off until the outermost one ends
    // (linked through their zero refcount fields). Both start zeroed.
    int trash_depth;
    MiniObject *trash_later;
    // (eval.c) The type attribute cache of LOAD_ATTR, LOAD_METHOD and STORE_ATTR: per thread,
    // so threads never write to each other's slots; starts zeroed (no entry matches).
    TypeCacheEntry type_cache[TYPE_CACHE_SIZE];
    // (vm/gil.c) This thread's GIL figures (kept in the VM's list after the thread ends) and
    // its --switch-every ticket while it waits.
    struct GilThreadStats *gil_stats;
    uint64_t gil_ticket;
    // (vm/import.c) The module (borrowed) whose import by another thread this thread waits
    // for, or NULL; read by other threads (under the GIL) to detect a deadlock.
    MiniObject *importing_wait;
    // (stdlib/thread.c) The lock threading's join() waits on (_thread._set_sentinel): held
    // while the thread runs, released when it has finished (just before its state is freed). Owned,
    // or NULL.
    MiniObject *sentinel;
} ThreadState;

struct VM {
    GcHead gc_list;          // every live container (sentinel of a circular list)
    size_t gc_count;         // containers allocated since the last collection
    MiniObject *modules;     // dict: sys.modules
    MiniObject *builtins;    // dict: the builtins module's namespace
    MiniObject *builtins_module;
    MiniObject *sys_module;
    MiniObject *main_module;
    int recursion_limit;
    ThreadState *threads;    // every thread state of this VM
    ThreadState *main_thread;
    MiniObject *argv;        // list of str
    const char *progname;    // argv[0] of the process
    int exit_code;           // set by an uncaught SystemExit
    // The most decimal digits int() and str() convert between str and int (CPython's
    // sys.set_int_max_str_digits; 4300 by default there); 0 means no limit. Read by int.c.
    int int_max_str_digits;
    // io.UnsupportedOperation (a heap subclass of OSError and ValueError), made by
    // runtime/fileobject.c the first time a file operation is unsupported ("not readable");
    // NULL until then. Owned; the io module of a later issue exports it.
    MiniObject *io_unsupported_operation;
    // (exception.c) The MemoryError instance mini_raise_memory() raises, made ahead of time
    // by exception_vm_init() so that running out of memory needs no allocation. Owned.
    MiniObject *memory_error;
    // (eval.c) The generation of every type namespace: eval_types_changed() moves it on, which
    // invalidates every thread's type attribute cache at once.
    uint64_t type_epoch;
    // (vm/gil.c) The Global Interpreter Lock: only the thread holding it runs mini code or
    // touches mini objects. docs/gil.md lists everything it protects.
    Gil gil;
    // Threads started by _thread.start_new_thread that have not finished yet (_thread._count).
    int nthreads;
    // _thread.stack_size(): the stack size of threads started from now on (0: the default).
    size_t thread_stack_size;
    // Set once the main thread is tearing the VM down: threads that then try to take the
    // GIL (daemon threads) exit at once instead of running on a dying VM.
    bool finalizing; // read and written with __atomic builtins
    // Moves on in the child at every fork(): interpreter-internal pthread locks (a file's
    // stream lock) remember the generation they were made in and re-create themselves when
    // it differs, since a thread that no longer exists may have held them.
    unsigned fork_generation;
    // --gil-stats: vm_free prints the GIL's figures as a table on stderr.
    bool gil_stats_at_exit;
    // (stdlib/signal.c) Signals. The C-level handler may run between any two instructions of
    // the main thread, so it only sets bit n-1 of signals_tripped for signal n and
    // BREAK_SIGNALS in the main thread's eval breaker, both with atomic operations;
    // mini_signals_run_pending (main thread, GIL held) takes the bits and calls the handlers.
    // signal_handlers[n] is what signal.getsignal(n) returns - SIG_DFL (0), SIG_IGN (1) or a
    // callable - owned, NULL meaning None (a disposition set outside mini); only the main
    // thread changes them. signal_default_int_handler is signal.default_int_handler, made at
    // start-up because SIGINT uses it before the module is imported; signal_itimer_error is
    // signal.ItimerError, made with the module. Both owned or NULL.
    uint64_t signals_tripped;
    MiniObject *signal_handlers[MINI_NSIG];
    MiniObject *signal_default_int_handler;
    MiniObject *signal_itimer_error;
    // (vm/api.c, vm/main.c) The program ended with an uncaught KeyboardInterrupt: the `mini`
    // command kills itself with SIGINT after tearing the VM down, as CPython does, so that
    // the shell sees a death by Ctrl-C (status 130) rather than an ordinary error.
    bool unhandled_keyboard_interrupt;
    // (stdlib/os.c) What os.register_at_fork() collected: lists of callables (owned) or NULL.
    MiniObject *fork_before, *fork_after_in_parent, *fork_after_in_child;
    // (runtime/gc.c) The cycle collector; gc_list and gc_count above are its heap and its
    // count of container allocations minus deallocations. The heap is ordered oldest first:
    // gc_young is its first young container (the end of the old generation; &gc_list when
    // there is none, NULL until gc_vm_init). mini_gc_alloc() starts a collection when gc_count
    // reaches gc_trigger, which gc.c derives from the rest (SIZE_MAX: never): gc_ready once
    // vm_new() is done, gc_enabled (gc.enable/disable), the thresholds of gc.set_threshold.
    // gc_long_lived counts the old containers after the last full collection, gc_pending those
    // that became old since (a full collection waits until they are a quarter of it), and
    // gc_young_collections the young collections since. gc_collecting: one is running (they
    // never nest). The rest is for the gc module: gc.set_debug flags, statistics per
    // generation (mini's young one is CPython's 0, its old one CPython's 2), and the lists
    // gc.garbage and gc.callbacks (owned, made with the module, NULL until then).
    GcHead *gc_young;
    size_t gc_trigger;
    bool gc_ready, gc_enabled, gc_collecting;
    int gc_debug;
    long gc_threshold[3];
    size_t gc_long_lived, gc_pending, gc_young_collections;
    size_t gc_collections[3], gc_collected[3];
    MiniObject *gc_garbage, *gc_callbacks;
    // (runtime/object.c) The objects mini_make_immortal_vm() made immortal (code objects and
    // their constants), in order, for vm_free to release last. A malloc'd array.
    MiniObject **immortals;
    size_t nimmortals, immortals_cap;
    // (eval.c, code.c) Whether warm code is quickened: its instructions rewritten in place to
    // specialised forms with inline caches (see vm/eval.c). Safe under the GIL; a --no-gil
    // mode must set it false before any code runs (or make instruction and cache writes
    // atomic). True by default.
    bool quicken;
    // (dict.c) The last dict keys version handed out (dict_internal.h: dict_keys_version).
    uint32_t dict_keys_versions;
};

// Makes the VM's preallocated MemoryError (exception.c). vm_new() calls it once the builtin
// types are ready; mini_raise_memory() also makes it on first use if it is missing. False on
// failure.
bool exception_vm_init(VM *vm);

// The thread state of the calling thread.
extern _Thread_local ThreadState *mini_ts;

// Makes the process-wide runtime ready (types, interned strings). Idempotent. False on failure.
bool runtime_init(void);
// Creates a VM with its main thread state (made current). NULL on failure.
VM *vm_new(int argc, char **argv);
// Frees everything the VM owns.
// Returns false when threads were still running (daemon threads): then the VM and their thread
// states stay allocated for the rest of the process, and the caller should end the process
// without running exit handlers (see vm/main.c).
bool vm_free(VM *vm);
ThreadState *threadstate_new(VM *vm);
// In the child of fork(), called by os.fork() with the GIL held by [ts], the thread that
// forked: re-creates the GIL, forgets every other thread and moves vm->fork_generation on
// (locks made by the interpreter re-initialise themselves when they see it change).
void vm_after_fork_child(ThreadState *ts);
void threadstate_free(ThreadState *ts);
// (runtime/str.c) Frees the thread's cached small-str blocks.
void str_free_list_clear(ThreadState *ts);

// ---------------------------------------------------------------------------------------------
// Evaluation (vm/eval.c)
// ---------------------------------------------------------------------------------------------

// Runs module-level [code] with [globals] as both globals and locals. New reference or NULL.
MiniObject *eval_code(CodeObject *code, MiniObject *globals, MiniObject *locals);
// Calls a mini function (the vectorcall of function objects). New reference or NULL.
MiniObject *eval_call_function(MiniObject *func, MiniObject *const *args, size_t nargs,
                               MiniObject *kwnames);
// Runs the body of a class statement: [func] is the body function made by the compiler
// (it takes no arguments), [locals] the namespace dict it fills. New reference (the body's
// return value, None or the __class__ cell) or NULL.
MiniObject *eval_class_body(MiniObject *func, MiniObject *locals);
// Runs [frame] (already linked as mini_ts->frame) until it returns or yields. Used by
// generators. Sets *yielded when the frame suspended at a yield. New reference or NULL.
MiniObject *eval_frame(Frame *frame, bool *yielded);
// Enters/leaves a C-level recursion (a C function about to call back into mini or recurse);
// raises RecursionError "maximum recursion depth exceeded" and returns false past the limit.
bool mini_enter_recursive_call(const char *where);
void mini_leave_recursive_call(void);

// Called at check points when eval_breaker is non-zero: gives the GIL away if asked, runs
// signal handlers. False with an exception pending if a handler raised.
bool eval_handle_breaker(ThreadState *ts);

// (stdlib/signal.c) Runs the handlers of the signals that arrived since the last call (the C
// handler only records them and sets BREAK_SIGNALS in the main thread's eval breaker). Only the
// main thread runs them; elsewhere it does nothing. Blocking calls that fail with EINTR call it
// too, then retry. False with the handler's exception (KeyboardInterrupt...) pending.
bool mini_signals_run_pending(ThreadState *ts);
// (stdlib/signal.c) Installs the start-up handlers: SIGINT raises KeyboardInterrupt (Python's
// default_int_handler). Called once by vm_new() for the main interpreter.
void mini_signals_init(VM *vm);
// (stdlib/signal.c) Undoes mini_signals_init and signal.signal() at VM teardown: signals that
// had a mini handler get their default action back, and the handlers are released. Called
// by vm_free() once no mini code can run any more.
void mini_signals_fini(VM *vm);

// Invalidates the eval loop's type attribute caches. class.c must call it whenever the
// namespace (dict), bases or mro of a type change after the type was created - type_setattro
// after it stores or deletes a name - and when a heap type is deallocated (its address may be
// reused by a new type). Cheap: it bumps vm->type_epoch.
void eval_types_changed(void);

// ---------------------------------------------------------------------------------------------
// Building frames (vm/frame.c)
// ---------------------------------------------------------------------------------------------

// Carves a frame for [code] from the thread's frame stack, zero-filling locals. NULL on
// MemoryError. The caller sets func/globals/builtins/locals and links it.
Frame *frame_push(ThreadState *ts, CodeObject *code);
// Releases the frame's references and returns its memory to the thread's frame stack.
void frame_pop(ThreadState *ts, Frame *f);
// The size in bytes a frame for [code] needs.
size_t frame_size(const CodeObject *code);
// Binds call arguments into [f]'s locals following [func]'s signature (defaults, *args,
// **kwargs, keyword-only); creates cells. Raises TypeError with CPython's wording.
bool frame_bind_args(Frame *f, MiniFunction *func, MiniObject *const *args, size_t nargs,
                     MiniObject *kwnames);
// The line the frame is executing.
int frame_lineno(const Frame *f);

// ---------------------------------------------------------------------------------------------
// The disassembler (vm/dis.c)
// ---------------------------------------------------------------------------------------------

// The disassembly of [co] in the layout of CPython's `python -m dis`: one line per
// instruction with line number, offset, opcode name, argument and what the argument means;
// with [recursive], followed by every code object in its constants. New str.
MiniObject *dis_code(CodeObject *co, bool recursive);

// ---------------------------------------------------------------------------------------------
// The import system (vm/import.c)
// ---------------------------------------------------------------------------------------------

// builtins.__import__: imports [name] (a str) at [level] (0: absolute; n > 0: relative to the
// package of the module whose namespace is [globals], n - 1 levels up) and returns what the
// IMPORT_NAME opcode binds: the top package for `import a.b.c` when [fromlist] is empty or
// None, else the module itself, after importing the submodules of a package that [fromlist]
// names. Modules are looked for in sys.modules, the C modules, the frozen modules, then the
// files of sys.path (X.mini, X.py, X/__init__.mini, X/__init__.py). New reference or NULL
// (ModuleNotFoundError "No module named 'x'" with .name set, ImportError, or the module's own
// error).
MiniObject *import_module_level(MiniObject *name, MiniObject *globals, MiniObject *fromlist,
                                ssize_t level);
// Imports the module of absolute dotted [name] and returns that module itself (not its top
// package). New reference or NULL.
MiniObject *import_module(MiniObject *name);

// A module written in mini/Python embedded in the binary: stdlib/lib/<name>.py (or
// stdlib/lib/<name>/__init__.py for a package), compiled at build time by tools/mini_freeze.c
// (with the file name "<frozen NAME>") and embedded as its serialized code object, which
// import deserializes (vm/marshal.h: marshal_load_code).
typedef struct {
    const char *name;          // the dotted module name; NULL ends the table
    const unsigned char *code; // the module's code object, serialized (marshal_dump_code)
    size_t size;               // its length in bytes
    bool is_package;           // made from an __init__.py
} FrozenModule;
// The table of frozen modules (generated frozen_modules.c), ended by a NULL name.
extern const FrozenModule mini_frozen_modules[];

// ---------------------------------------------------------------------------------------------
// The interactive prompt (vm/repl.c) and what it shares with the embedding API (vm/api.c)
// ---------------------------------------------------------------------------------------------

// Makes a fresh __main__ module (with __builtins__, and __file__ when [file] is not NULL),
// stores it in sys.modules and vm->main_module. Borrowed reference to its namespace dict, or
// NULL with an exception pending.
MiniObject *mini_make_main_module(VM *vm, const char *file);
// Consumes the pending exception the way an uncaught one ends the program: SystemExit gives
// its status (printing a str code to stderr); anything else prints a traceback and gives 1.
int mini_handle_uncaught(void);
// The read-eval-print loop of `mini` run with no program on a terminal. Returns the process
// exit status: 0 at end of input, or the status of exit()/sys.exit(n).
int repl_run(VM *vm);

#endif // MINI_VM_H
