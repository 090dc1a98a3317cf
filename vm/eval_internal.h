// eval_internal.h - what vm/eval.c, vm/frame.c, runtime/function.c and runtime/generator.c
// share about frames and the eval loop and nobody else needs to see.
//
// Design
// ------
// A frame is one block of memory: the Frame header, then `localsplus`, which holds the
// locals (code->nlocals slots), the cells (ncells), the free variables (nfrees) and the value
// stack (code->stacksize slots plus one spare: the call sequence may widen a bound-method call
// in place by one slot, see eval.c). Frames of ordinary calls are carved from the thread's
// frame stack, a list of FrameChunks where ts->chunk is the newest chunk; a frame is always
// carved at the top of the newest chunk that has room, and freed in LIFO order. One empty
// chunk is kept as a spare on top of the list so that code recursing back and forth across a
// chunk boundary does not malloc and free on every call.
//
// The carving fast path is inline here because the eval loop makes a frame for every call.

#ifndef MINI_EVAL_INTERNAL_H
#define MINI_EVAL_INTERNAL_H

#include "vm.h"

// The bytes the frame stack asks malloc for at a time.
#define FRAME_CHUNK_BYTES ((size_t)256 * 1024)

// The number of value slots in localsplus before the value stack starts.
static inline size_t frame_nfixed(const CodeObject *co) {
    return (size_t)co->nlocals + (size_t)co->ncells + (size_t)co->nfrees;
}

// frame_size(), inline for the call path: the header, the fixed slots, the value stack and
// one spare slot for widening a bound-method call in place (code_new computes it once).
static inline size_t frame_bytes(const CodeObject *co) { return co->framesize; }

// Carves [size] bytes from a new chunk when the newest one is full (frame.c). NULL with
// MemoryError on failure.
void *frame_chunk_grow(ThreadState *ts, size_t size);

// Carves [size] bytes for a frame from the thread's frame stack. NULL with MemoryError.
static inline void *frame_carve(ThreadState *ts, size_t size) {
    FrameChunk *c = ts->chunk;
    if (c && c->size - c->top >= size) {
        void *p = c->data + c->top;
        c->top += size;
        return p;
    }
    return frame_chunk_grow(ts, size);
}

// Gives the memory of [f], the frame carved last, back to the thread's frame stack.
static inline void frame_uncarve(ThreadState *ts, Frame *f) {
    FrameChunk *c = ts->chunk;
    if (c->top == 0) {
        // The newest chunk is the empty spare: the frame lives in the chunk below it.
        c = c->prev;
        c->top = (size_t)((char *)f - c->data);
        if (c->top == 0) {
            // Two empty chunks in a row: keep only the lower one as the spare.
            FrameChunk *spare = ts->chunk;
            ts->chunk = c;
            mini_free(spare);
        }
        return;
    }
    c->top = (size_t)((char *)f - c->data);
}

// Fills the header of a freshly carved frame for [co]: every pointer field NULL, no blocks,
// the instruction pointer at the start, an empty value stack, and the locals, cells and
// free-variable slots zeroed (unbound).
static inline void frame_init(Frame *f, CodeObject *co, bool on_thread_stack) {
    size_t nfixed = frame_nfixed(co);
    f->back = NULL;
    f->code = co;
    f->func = NULL;
    f->globals = NULL;
    f->builtins = NULL;
    f->locals = NULL;
    f->ip = co->code;
    f->stack = f->localsplus + nfixed;
    f->sp = f->stack;
    f->gen = NULL;
    f->is_entry = 0;
    f->on_thread_stack = on_thread_stack;
    f->nblocks = 0;
    for (size_t i = 0; i < nfixed; i++)
        f->localsplus[i] = NULL;
}

// Releases every reference [f] holds (locals, cells, free variables, the value stack up to
// f->sp, exceptions saved by handler blocks, func, locals dict, owned globals) and leaves the
// frame empty, without freeing its memory. Safe to call twice. Inline: every return runs it.
static inline void frame_clear(Frame *f) {
    // Locals, cells, free variables and the value stack are one contiguous run of slots.
    for (MiniObject **p = f->localsplus; p < f->sp; p++) {
        MiniObject *o = *p;
        if (o) {
            *p = NULL;
            MINI_DECREF(o);
        }
    }
    f->sp = f->stack;
    while (f->nblocks > 0) {
        Block *b = &f->blocks[--f->nblocks];
        if (b->kind == BLOCK_EXCEPT_HANDLER)
            MINI_CLEAR(b->saved_exc);
    }
    // A module frame owns its globals; a function's frame borrows them from the function.
    if (!f->func)
        MINI_XDECREF(f->globals);
    f->globals = NULL;
    MINI_CLEAR(f->func);
    MINI_CLEAR(f->locals);
}

// frame_pop(), inline for the return path: releases [f]'s references and gives its memory
// back to the thread's frame stack when it was carved from it.
static inline void frame_release(ThreadState *ts, Frame *f) {
    frame_clear(f);
    if (f->on_thread_stack)
        frame_uncarve(ts, f);
}

// Creates the cells of [f]'s code (one per cellvar; an argument that is also a cell moves
// into its cell) and copies the closure of [func] into the free-variable slots. False with
// MemoryError on failure.
bool frame_init_cells(Frame *f, MiniFunction *func);

// Runs [f] (already linked as mini_ts->frame, counted in the recursion depth) like
// eval_frame; with [throwflag], the exception pending on the thread state is raised in the
// frame at its current instruction instead of executing it (generator.throw). New reference
// or NULL.
MiniObject *eval_frame_ex(Frame *f, bool throwflag, bool *yielded);

// The builtins dict to use with [globals]: globals['__builtins__'] (a module's dict or a
// dict) when present, else the VM's builtins. Borrowed.
MiniObject *eval_builtins_for(MiniObject *globals);

// `str(callable) + "()"` the way CPython words callables in call errors: "__main__.f()",
// "print()", "int.__add__()". New str, never NULL unless memory runs out.
MiniObject *eval_function_str(MiniObject *callable);

#endif // MINI_EVAL_INTERNAL_H
