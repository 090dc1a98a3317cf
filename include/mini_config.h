// mini_config.h - every compile-time switch of mini, in one place.
//
// Each switch is `#ifndef MINI_X / #define MINI_X default`, so meson (or a -D on the command
// line) can override it. Nothing else in the tree invents its own switches.

#ifndef MINI_CONFIG_H
#define MINI_CONFIG_H

// The version printed by `mini --version` and kept in sys.version.
#define MINI_VERSION_MAJOR 0
#define MINI_VERSION_MINOR 1
#define MINI_VERSION_PATCH 0
#define MINI_VERSION_STRING "0.1.0"

// Use GCC/Clang "labels as values" for the dispatch loop (computed goto). Falls back to a
// switch when the compiler lacks it.
#ifndef MINI_COMPUTED_GOTO
#if defined(__GNUC__)
#define MINI_COMPUTED_GOTO 1
#else
#define MINI_COMPUTED_GOTO 0
#endif
#endif

// Default for sys.getrecursionlimit(): how many mini frames (plus C re-entries) one thread may
// have before RecursionError. CPython's default is 1000.
// The GIL's switch interval: how long a thread waits for the GIL before it asks the holder
// to drop it (sys.setswitchinterval; CPython's default is 5 ms too).
#ifndef MINI_SWITCH_INTERVAL_NS
#define MINI_SWITCH_INTERVAL_NS 5000000
#endif

#ifndef MINI_RECURSION_LIMIT
#define MINI_RECURSION_LIMIT 1000
#endif

// How deep C code may recurse into itself (repr of nested lists, calls from C back into mini)
// before RecursionError, whatever the recursion limit says; keeps the C stack safe. That is
// for the main thread's 8 MiB stack; a thread started by _thread gets one level per
// MINI_C_STACK_PER_LEVEL bytes of its stack, at most this many.
#ifndef MINI_C_RECURSION_LIMIT
#define MINI_C_RECURSION_LIMIT 4000
#endif
#ifndef MINI_C_STACK_PER_LEVEL
#define MINI_C_STACK_PER_LEVEL 2048
#endif
// The smallest C stack a thread gets, whatever _thread.stack_size() asked for (CPython accepts
// 32 KiB, too little for the compiler's recursion): the stack is only reserved address space.
#ifndef MINI_MIN_THREAD_STACK
#define MINI_MIN_THREAD_STACK (1024 * 1024)
#endif

// Cache type attribute lookups in the eval loop (LOAD_ATTR, LOAD_METHOD, STORE_ATTR), keyed
// by (type, name) and invalidated through eval_types_changed() whenever a class changes.
#ifndef MINI_TYPE_CACHE
#define MINI_TYPE_CACHE 1
#endif

// The most blocks (try, with, except handlers) one code object may nest statically.
#ifndef MINI_MAX_BLOCKS
#define MINI_MAX_BLOCKS 20
#endif

// The most nested brackets the parser accepts before "too many nested parentheses".
#ifndef MINI_MAX_PAREN_DEPTH
#define MINI_MAX_PAREN_DEPTH 200
#endif

// The most nested AST levels (expressions and statements) the parser and compiler will walk.
#ifndef MINI_MAX_AST_DEPTH
#define MINI_MAX_AST_DEPTH 1000
#endif

// The heap cap: one allocation (or a container growth) beyond this many bytes raises
// MemoryError instead of asking malloc. 0 means "no cap but malloc's".
#ifndef MINI_MAX_ALLOC
#define MINI_MAX_ALLOC ((size_t)1 << 36)
#endif

// Stress-test the cycle collector (runtime/gc.c): when N > 0, a collection runs every N
// container allocations, whatever gc.set_threshold() or gc.disable() say, so that a container
// left inconsistent across an allocation shows up at once (build with -DMINI_GC_STRESS=1).
#ifndef MINI_GC_STRESS
#define MINI_GC_STRESS 0
#endif

// Extra consistency checks (refcount underflow, type asserts). Meson turns it on for debug.
#ifndef MINI_DEBUG
#define MINI_DEBUG 0
#endif

#endif // MINI_CONFIG_H
