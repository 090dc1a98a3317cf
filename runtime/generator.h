// generator.h - the generator object: a suspended frame that lives inside the object.
//
// Design
// ------
// Calling a function whose code has CO_GENERATOR does not run it: eval_call_function makes a
// MiniGenerator whose frame is carved from the generator's own allocation (right after the
// struct, `frame` points there) instead of the thread's frame stack, binds the arguments into
// it and returns the generator. Each resume (__next__, send, throw, FOR_ITER, YIELD_FROM) links
// that frame into the running thread's chain (frame->back = the caller), links the
// generator's own ExcInfo into mini_ts->exc_info, and runs it with eval_frame until it yields,
// returns or raises; then both links are undone. So an `except` block inside a generator sees
// its own handled exception, which never leaks into the code that resumed it.
//
// Ownership: the generator owns its frame's references (locals, cells, the value stack saved
// at a yield, the function) until the frame finishes, when they are released at once; and it
// owns exc_state.exc. The frame holds a raw pointer back to the generator (frame->gen).
//
// The GIL protects everything here; `state` doubles as the guard against re-entering a
// running generator from another thread ("generator already executing").
//
// Coroutines
// ----------
// A coroutine (`async def`, code flag CO_COROUTINE) is the same object with another type,
// mini_coroutine_type, as in CPython: the frame, the states and the resume path are shared,
// and only the face differs. A coroutine is not iterable; it is driven by send(), throw() and
// close(), or awaited: `await x` compiles to GET_AWAITABLE (x itself when it is a coroutine,
// else the iterator x.__await__() returns), LOAD_CONST None, YIELD_FROM, so an awaiting
// coroutine delegates to what it awaits exactly as a generator delegates to the subiterator of
// a `yield from`, and a value yielded at the bottom of the chain (by a generator-based
// awaitable: an event loop's future) travels up to whoever called send(). coro.__await__()
// returns a coroutine_wrapper, an iterator over the coroutine. A coroutine dropped without
// being awaited is freed silently (CPython warns "coroutine ... was never awaited"; mini has
// no warnings module).

#ifndef MINI_GENERATOR_H
#define MINI_GENERATOR_H

#include "../vm/vm.h"

// Where a generator is in its life.
typedef enum {
    GEN_CREATED,   // made, not yet started: its frame starts at the first instruction
    GEN_SUSPENDED, // stopped at a yield: a resume pushes the sent value on its stack
    GEN_RUNNING,   // its frame is executing on some thread
    GEN_COMPLETED, // returned or raised: the frame's references are released
} GenState;

typedef struct MiniGenerator {
    MiniObject ob;
    MiniObject *name;     // str: __name__
    MiniObject *qualname; // str: __qualname__
    ExcInfo exc_state;    // the exception handled inside the generator (exc owned)
    uint8_t state;        // GenState
    Frame *frame;         // points just after this struct, in the same allocation
    MiniObject *weaklist; // the weak references to it (runtime/weakref.c), NULL when none
} MiniGenerator;

// What one resume of a generator ended with.
typedef enum {
    GEN_RESULT_YIELD,  // *result is the yielded value (new reference)
    GEN_RESULT_RETURN, // *result is the return value (new reference); the generator finished
    GEN_RESULT_ERROR,  // an exception is pending (PEP 479 already applied); *result is NULL
} GenResult;

// Creates a generator for [func], whose code has CO_GENERATOR (a coroutine if it has
// CO_COROUTINE), binding [args] (vectorcall convention) into its frame. New reference, or NULL
// with TypeError for bad arguments.
MiniObject *generator_new(MiniFunction *func, MiniObject *const *args, size_t nargs,
                          MiniObject *kwnames);
// Resumes [gen] with [arg] as the value of the yield it stopped at (or, with [exc] true, by
// raising the exception pending on the thread state at that yield). The value of a
// just-started generator must be None. Fills *result as GenResult says.
GenResult generator_send(MiniGenerator *gen, MiniObject *arg, bool exc, MiniObject **result);

static inline bool generator_check(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_generator_type;
}
static inline bool coroutine_check(MiniObject *o) {
    return MINI_IS_PTR(o) && o->type == &mini_coroutine_type;
}
// A MiniGenerator of either type: what generator_send can resume.
static inline bool genobject_check(MiniObject *o) {
    return generator_check(o) || coroutine_check(o);
}

// The object [gen] is suspended delegating to (by `yield from` or `await`), or NULL. Borrowed.
MiniObject *generator_yieldfrom(MiniGenerator *gen);
// GET_AWAITABLE: the iterator `await o` delegates to: o itself if it is a coroutine, else
// what o.__await__() returns, which must be an iterator and not a coroutine. [where] is 1
// when o came from __aenter__, 2 from __aexit__ (CPython's messages for those). New
// reference, or NULL with TypeError or RuntimeError ("coroutine is being awaited already").
MiniObject *coroutine_await_iter(MiniObject *o, int where);
// The coroutine a coroutine_wrapper iterates over, or NULL if [o] is not one. Borrowed.
MiniObject *coroutine_wrapper_target(MiniObject *o);

#endif // MINI_GENERATOR_H
