// gc.c - the cycle collector: finds groups of containers that only refer to each other and
// frees them, in the spirit of CPython's Modules/gcmodule.c.
//
// Notes about the implementation
// ------------------------------
// Reference counting frees an object the moment nobody refers to it, but two objects that
// refer to each other keep each other's count above zero forever. Every object that can take
// part in such a cycle is a *container*: mini_gc_alloc() puts a GcHead in front of it and links
// it into the VM's list of containers (vm->gc_list), and its type has a `traverse` slot that
// calls a visitor on each object it holds a reference to.
//
// A collection walks that list, like CPython's, in four steps:
//
//   1. update_refs: copy each container's refcount into its GcHead.gc_refs.
//   2. subtract_refs: for each container, traverse it and subtract one from the gc_refs of
//      every container it refers to. What is left in gc_refs counts the references from
//      outside the containers: from C locals, the eval loop's stacks and frames, the VM and
//      thread states, immortal objects.
//   3. move_unreachable: a container whose gc_refs stayed above zero is reachable, and so is
//      everything it refers to, transitively. The rest is garbage: it moves to a list of its
//      own. (CPython's one-pass trick: a container met with gc_refs == 0 moves to the
//      unreachable list for now, and moves back if a reachable one turns out to refer to it.)
//   4. Weak references to the garbage are cleared (handle_weakrefs); then the garbage is
//      finalized, checked again, then cleared (below).
//
// Finalizers (PEP 442): `__del__` of an object in a garbage cycle runs once, before any member
// of the cycle is cleared, so it sees every attribute intact; the GcHead's MINI_GC_FINALIZED
// bit (shared with class.c, which sets it when __del__ runs from a refcount dealloc) makes
// sure it never runs twice, even for an object that __del__ resurrected. Because __del__ may
// store a reference to garbage somewhere reachable, steps 1-3 run again on the garbage alone
// after the finalizers; whatever is now referenced from outside it is resurrected and goes back
// to the heap. What remains is cleared: each object's `clear` slot drops its references, which
// breaks the cycles, and reference counting frees the objects (a tuple has no `clear`: it is
// freed when the list or instance that closes its cycle is cleared).
//
// gc_refs holds the copy of the count in its low bits, and two flags while a collection runs:
// GC_COLLECTING marks the containers of the collection (a visitor ignores every other object),
// GC_UNREACHABLE those on the tentative garbage list. MINI_GC_FINALIZED (bit 62) is kept
// through it all. Static objects (builtin types) have no GcHead: they are immortal, and the
// visitors never look behind an immortal object's header.
//
// Generations. Most containers die young, and scanning the whole heap at every collection
// would cost time in proportion to everything a program keeps. So the heap is ordered by age,
// oldest first, and cut in two: vm->gc_young points at the first young container (everything
// allocated since the last collection). mini_gc_alloc() counts allocations minus deallocations
// of containers (vm->gc_count) and, when the count passes threshold0 (700, CPython's gen-0
// threshold), the young containers are collected alone: references to them from old ones
// simply count as references from outside. The survivors become old. A full collection runs
// when the containers that became old since the last one are more than a quarter of those it
// left (CPython's rule for its oldest generation), so each container is scanned a bounded
// number of times however large the heap grows; gc.collect() always runs a full one. mini has
// these two generations where CPython has three: its young one is CPython's 0, its old one
// CPython's 2, and gc.collect(1) collects the young one. Allocation only tests one number
// (vm->gc_trigger); everything else is decided here.
//
// Exact tuples whose items are all atoms or untracked containers are untracked when they
// survive a collection, as in CPython: a tuple never changes, so it can never close a cycle.
//
// A collection starts at the beginning of an allocation, before the new object exists, and
// never while one runs (finalizers allocate) nor while an exception is pending (the code
// allocating then is busy raising). It can therefore run any __del__ at any container
// allocation, as in CPython: a container must be consistent whenever it is tracked - zeroed
// memory (NULL fields) is, and traverse functions skip NULLs. mini_dealloc() untracks a
// container before its dealloc starts tearing it down, so the collector never sees a half-freed
// object; a dealloc that resurrects (a __del__ storing self) tracks it again.
//
// At exit (gc_finalize_modules, called by vm_free) modules go as in CPython's Py_FinalizeEx:
// a collection while everything is intact; then every module leaves sys.modules and __main__
// the VM, and a collection finds the namespaces that functions keep in cycles - their objects'
// finalizers run in the order of the names, every name still bound; then sys and builtins
// have their names set to None and the last collections run. What is left after that is
// immortal: code objects and their constants, which vm_free releases last
// (mini_vm_free_immortals in object.c), so LeakSanitizer finds nothing.
//
// Threads: a collection runs under the GIL, in the thread that allocated. Finalizers may let
// the GIL go; other threads then allocate without collecting (vm->gc_collecting), and their
// frames hold counted references, which the collector sees as outside references. All state is
// in the VM.

#include "object.h"
#include "weakref.h"

#include <stdio.h>
#include <string.h>

#include "../vm/vm.h"

#define GC_COLLECTING ((intptr_t)1 << 61)
#define GC_UNREACHABLE ((intptr_t)1 << 60)
#define GC_COUNT_MASK (GC_UNREACHABLE - 1)
// Immortal containers that are still tracked have huge refcounts: their copy is capped, which
// is still far more than any number of references that could be subtracted from it.
#define GC_COUNT_CAP ((intptr_t)1 << 59)

// gc.set_debug() flags (CPython's values).
#define GC_DEBUG_STATS 1
#define GC_DEBUG_SAVEALL 32

// ---------------------------------------------------------------------------------------------
// Lists of GcHeads (circular, with a sentinel head)
// ---------------------------------------------------------------------------------------------

static void gclist_init(GcHead *l) { l->next = l->prev = l; }

static bool gclist_is_empty(const GcHead *l) { return l->next == l; }

static void gclist_append(GcHead *g, GcHead *l) {
    g->prev = l->prev;
    g->next = l;
    l->prev->next = g;
    l->prev = g;
}

// Moves [g] just before the node [to] (to the end of [to]'s list when it is the head).
static void gclist_move(GcHead *g, GcHead *to) {
    g->prev->next = g->next;
    g->next->prev = g->prev;
    gclist_append(g, to);
}

// Moves every node of [from], in order, just before the node [to] - to the end of the list
// when [to] is a list's head; before vm->gc_young, to the end of the old generation. Leaves
// [from] empty.
static void gclist_merge(GcHead *from, GcHead *to) {
    if (gclist_is_empty(from))
        return;
    GcHead *tail = to->prev;
    tail->next = from->next;
    from->next->prev = tail;
    to->prev = from->prev;
    from->prev->next = to;
    gclist_init(from);
}

static size_t gclist_size(const GcHead *l) {
    size_t n = 0;
    for (const GcHead *g = l->next; g != l; g = g->next)
        n++;
    return n;
}

// The GcHead of [o] if it is a container of the running collection, else NULL. Immediates,
// immortal objects (static types have no GcHead at all) and non-containers are never part of
// one.
static inline GcHead *collecting_head(MiniObject *o) {
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL || !(o->type->flags & MINI_TPFLAG_GC))
        return NULL;
    GcHead *g = MINI_GC_HEAD(o);
    return (g->gc_refs & GC_COLLECTING) ? g : NULL;
}

static inline void traverse(MiniObject *o, MiniVisitProc visit, void *arg) {
    int (*tr)(MiniObject *, MiniVisitProc, void *) = o->type->traverse;
    if (tr)
        tr(o, visit, arg);
}

// ---------------------------------------------------------------------------------------------
// Finding the unreachable containers
// ---------------------------------------------------------------------------------------------

// Step 1: every container of [list] joins the collection with a copy of its refcount.
static void update_refs(GcHead *list) {
    for (GcHead *g = list->next; g != list; g = g->next) {
        intptr_t rc = MINI_GC_OBJ(g)->refcnt;
        if (rc > GC_COUNT_CAP)
            rc = GC_COUNT_CAP;
        g->gc_refs = (g->gc_refs & MINI_GC_FINALIZED) | GC_COLLECTING | rc;
    }
}

static int visit_decref(MiniObject *o, void *arg) {
    (void)arg;
    GcHead *g = collecting_head(o);
    // A count never goes below zero, even if some container visited a reference it does not
    // own: the flags above the count must survive.
    if (g && (g->gc_refs & GC_COUNT_MASK) > 0)
        g->gc_refs--;
    return 0;
}

// Step 2: removes the references that containers of [list] hold to each other.
static void subtract_refs(GcHead *list) {
    for (GcHead *g = list->next; g != list; g = g->next)
        traverse(MINI_GC_OBJ(g), visit_decref, NULL);
}

static int visit_reachable(MiniObject *o, void *arg) {
    GcHead *young = arg;
    GcHead *g = collecting_head(o);
    if (!g)
        return 0;
    if (g->gc_refs & GC_UNREACHABLE) {
        // Moved away too early: it goes back to the end of the list being scanned, so that
        // the scan reaches it again and marks what it refers to.
        gclist_move(g, young);
        g->gc_refs = (g->gc_refs & ~(GC_UNREACHABLE | GC_COUNT_MASK)) | 1;
    } else if ((g->gc_refs & GC_COUNT_MASK) == 0) {
        // Not scanned yet: the scan will find it reachable when it gets there.
        g->gc_refs |= 1;
    }
    return 0;
}

// Step 3: moves the containers of [young] that nothing outside refers to, directly or
// through reachable containers, to [unreachable] (flagged GC_UNREACHABLE).
static void move_unreachable(GcHead *young, GcHead *unreachable) {
    GcHead *g = young->next;
    while (g != young) {
        if (g->gc_refs & GC_COUNT_MASK) {
            traverse(MINI_GC_OBJ(g), visit_reachable, young);
            g = g->next;
        } else {
            GcHead *next = g->next;
            gclist_move(g, unreachable);
            g->gc_refs |= GC_UNREACHABLE;
            g = next;
        }
    }
}

// Can the tuple [t] never be part of a cycle? True when every item is an atom or an untracked
// container (CPython's _PyTuple_MaybeUntrack). A NULL item means C code is still filling it.
static bool tuple_is_atomic(MiniObject *t) {
    size_t n = TUPLE_SIZE(t);
    for (size_t i = 0; i < n; i++) {
        MiniObject *item = TUPLE_GET(t, i);
        if (!item)
            return false;
        if (MINI_IS_PTR(item) && item->refcnt < MINI_IMMORTAL &&
            (item->type->flags & MINI_TPFLAG_GC) && MINI_GC_HEAD(item)->next)
            return false;
    }
    return true;
}

// Ends the collection for the containers of [list]: only the finalized mark stays. Returns how
// many stay tracked. Like CPython, it untracks the exact tuples that hold only atoms (nested
// tuples of numbers and strings, the (key, value) pairs of most programs): a tuple never
// changes, so such a tuple can never close a cycle, and the collector stops scanning it. (The
// iterators that refill a tuple they yielded before - enumerate, zip, dict.items() - track it
// again first.)
static size_t release(GcHead *list) {
    // A tuple of tuples can be untracked once its items are: two passes, backwards then
    // forwards, catch nested tuples whether the list has them after their holder (as the
    // reachability scan leaves them) or before (in the order they were made).
    GcHead *g = list->prev;
    while (g != list) {
        GcHead *prev = g->prev;
        g->gc_refs &= MINI_GC_FINALIZED;
        MiniObject *o = MINI_GC_OBJ(g);
        if (o->type == &mini_tuple_type && tuple_is_atomic(o))
            mini_gc_untrack(o);
        g = prev;
    }
    size_t n = 0;
    g = list->next;
    while (g != list) {
        GcHead *next = g->next;
        MiniObject *o = MINI_GC_OBJ(g);
        if (o->type == &mini_tuple_type && tuple_is_atomic(o))
            mini_gc_untrack(o);
        else
            n++;
        g = next;
    }
    return n;
}

// Steps 1-3 on [young]: afterwards [young] holds what is reachable from outside it (with its
// collection flags still set) and [unreachable] the rest.
static void deduce_unreachable(GcHead *young, GcHead *unreachable) {
    update_refs(young);
    subtract_refs(young);
    move_unreachable(young, unreachable);
}

// ---------------------------------------------------------------------------------------------
// Finalizing and clearing the garbage
// ---------------------------------------------------------------------------------------------

// Prints (as CPython does for errors nobody can catch) an exception left pending by a
// finalizer or a clear function, then clears it.
static void report_pending(MiniObject *what) {
    if (mini_error_occurred())
        exception_write_unraisable(what);
}

// Calls the finalizer (__del__) of each object of [garbage] that has one and has not been
// finalized yet. Returns whether any ran. The objects stay on the list in their order; one that
// its finalizer (or another's) frees leaves the list by itself.
static bool finalize_garbage(GcHead *garbage) {
    GcHead seen;
    gclist_init(&seen);
    bool ran = false;
    while (!gclist_is_empty(garbage)) {
        GcHead *g = garbage->next;
        gclist_move(g, &seen);
        MiniObject *o = MINI_GC_OBJ(g);
        void (*finalize)(MiniObject *) = o->type->finalize;
        if (!finalize || (g->gc_refs & MINI_GC_FINALIZED))
            continue;
        g->gc_refs |= MINI_GC_FINALIZED;
        ran = true;
        MINI_INCREF(o);
        finalize(o);
        report_pending(o);
        MINI_DECREF(o);
    }
    gclist_merge(&seen, garbage);
    return ran;
}

// Clears each object of [garbage] (or, with DEBUG_SAVEALL, puts it in gc.garbage instead).
// Objects that are still alive afterwards (a tuple, which has nothing to clear, or one whose
// clearing was refused) go back to the heap; they die when the rest of their cycle does.
static void delete_garbage(VM *vm, GcHead *garbage) {
    while (!gclist_is_empty(garbage)) {
        GcHead *g = garbage->next;
        MiniObject *o = MINI_GC_OBJ(g);
        if ((vm->gc_debug & GC_DEBUG_SAVEALL) && vm->gc_garbage) {
            if (list_append(vm->gc_garbage, o) < 0)
                mini_error_clear();
        } else if (o->type->clear) {
            MINI_INCREF(o);
            o->type->clear(o);
            report_pending(o);
            MINI_DECREF(o);
        }
        // A freed object has left the list; anything else at its head is still alive: it
        // joins the old generation.
        if (garbage->next == g) {
            g->gc_refs &= MINI_GC_FINALIZED;
            gclist_move(g, vm->gc_young);
        }
    }
}

// Clears the weak references to the objects of [unreachable], before any finalizer runs, as
// CPython's handle_weakrefs does: otherwise a callback or a finalizer could reach an object that
// is half cleared through a weak reference still alive. Weak references that are garbage
// themselves are cleared too and their callbacks never run; the callbacks of the others run
// once every reference is cleared (a callback cannot resurrect garbage then). A reference
// whose callback ran and that is still alive goes to [old].
static void handle_weakrefs(GcHead *unreachable, GcHead *old) {
    GcHead wrcb_to_call;
    gclist_init(&wrcb_to_call);
    for (GcHead *g = unreachable->next; g != unreachable; g = g->next) {
        MiniObject *o = MINI_GC_OBJ(g);
        if (weakref_check(o))
            weakref_clear_ref(o);
        MiniObject **list = weakref_list_ptr(o);
        if (!list)
            continue;
        while (*list) {
            MiniObject *wr = *list;
            weakref_clear_ref(wr);
            if (!((MiniWeakref *)wr)->callback)
                continue;
            // Garbage too (still flagged by the collection, unlike what was reachable): its
            // callback must not run.
            if (MINI_GC_HEAD(wr)->gc_refs & GC_COLLECTING)
                continue;
            // A counted reference keeps it until its callback ran. (Not garbage, so it is not
            // [g] nor the next node of this walk.)
            MINI_INCREF(wr);
            gclist_move(MINI_GC_HEAD(wr), &wrcb_to_call);
        }
    }
    while (!gclist_is_empty(&wrcb_to_call)) {
        GcHead *g = wrcb_to_call.next;
        MiniObject *wr = MINI_GC_OBJ(g);
        MiniObject *callback = ((MiniWeakref *)wr)->callback;
        MINI_INCREF(callback);
        MiniObject *r = mini_call_n(callback, 1, wr);
        if (r)
            MINI_DECREF(r);
        else
            exception_write_unraisable(callback);
        MINI_DECREF(callback);
        // Freed now (a weak value dictionary's callback often drops the last reference to
        // it), it has left the list; alive, it goes back to the heap.
        MINI_DECREF(wr);
        if (wrcb_to_call.next == g)
            gclist_move(g, old);
    }
}

// Calls each of gc.callbacks with (phase, info), as CPython does at the start and the end of
// a collection. Errors are reported and ignored.
static void invoke_callbacks(VM *vm, const char *phase, int generation, size_t collected) {
    if (!vm->gc_callbacks || !list_check(vm->gc_callbacks) || LIST_SIZE(vm->gc_callbacks) == 0)
        return;
    MiniObject *saved = mini_error_fetch();
    MiniObject *info = dict_new();
    MiniObject *ph = str_from_cstr(phase);
    MiniObject *n = int_from_u64(collected);
    if (!info || !ph || !n ||
        dict_set_cstr(info, "generation", MINI_FROM_SMALLINT(generation)) < 0 ||
        dict_set_cstr(info, "collected", n) < 0 ||
        dict_set_cstr(info, "uncollectable", MINI_FROM_SMALLINT(0)) < 0) {
        mini_error_clear();
    } else {
        // The list may change while a callback runs: call a snapshot of it.
        MiniObject *cbs = list_as_tuple(vm->gc_callbacks);
        if (!cbs) {
            mini_error_clear();
        } else {
            for (size_t i = 0; i < TUPLE_SIZE(cbs); i++) {
                MiniObject *r = mini_call_n(TUPLE_GET(cbs, i), 2, ph, info);
                if (r)
                    MINI_DECREF(r);
                else
                    exception_write_unraisable(TUPLE_GET(cbs, i));
            }
            MINI_DECREF(cbs);
        }
    }
    MINI_XDECREF(info);
    MINI_XDECREF(ph);
    MINI_XDECREF(n);
    if (saved)
        mini_error_restore(saved);
}

// ---------------------------------------------------------------------------------------------
// A collection
// ---------------------------------------------------------------------------------------------

// Sets the allocation count at which mini_gc_alloc() calls gc_collect_on_threshold().
void gc_update_trigger(VM *vm) {
    if (MINI_GC_STRESS > 0 && vm->gc_ready) {
        vm->gc_trigger = MINI_GC_STRESS;
        return;
    }
    if (!vm->gc_ready || !vm->gc_enabled || vm->gc_threshold[0] <= 0) {
        vm->gc_trigger = SIZE_MAX;
        return;
    }
    // CPython collects when the count *exceeds* the threshold.
    vm->gc_trigger = (size_t)vm->gc_threshold[0] + 1;
}

// Runs a collection of the young generation ([full] false) or of the whole heap. Returns the
// number of unreachable objects found.
static size_t collect(VM *vm, bool full) {
    if (vm->gc_collecting)
        return 0;
    vm->gc_collecting = true;
    int generation = full ? 2 : 0;
    invoke_callbacks(vm, "start", generation, 0);
    vm->gc_count = 0;

    // Take the containers to examine out of the heap: the young end of it, or all of it.
    // References from the old containers left there count as references from outside.
    GcHead young, unreachable;
    gclist_init(&young);
    gclist_init(&unreachable);
    GcHead *heap = &vm->gc_list;
    GcHead *first = full ? heap->next : vm->gc_young;
    if (first != heap) {
        young.next = first;
        young.prev = heap->prev;
        first->prev->next = heap;
        heap->prev = first->prev;
        young.next->prev = &young;
        young.prev->next = &young;
    }
    vm->gc_young = heap;

    // Find the garbage. The rest goes back at once, as the old generation, so that the
    // finalizers below run with a heap in its ordinary state.
    deduce_unreachable(&young, &unreachable);
    size_t survivors = release(&young);
    gclist_merge(&young, vm->gc_young);
    if (full) {
        vm->gc_long_lived = survivors;
        vm->gc_pending = 0;
        vm->gc_young_collections = 0;
    } else {
        vm->gc_pending += survivors;
        vm->gc_young_collections++;
    }

    // Weak references to the garbage die first, and the callbacks of the live ones run.
    handle_weakrefs(&unreachable, vm->gc_young);

    // Finalizers may resurrect garbage: what is referenced from outside it afterwards (and
    // everything that reaches) goes back to the heap.
    GcHead final;
    gclist_init(&final);
    if (finalize_garbage(&unreachable)) {
        deduce_unreachable(&unreachable, &final);
        release(&unreachable);
        gclist_merge(&unreachable, vm->gc_young);
    } else {
        gclist_merge(&unreachable, &final);
    }

    size_t collected = gclist_size(&final);
    delete_garbage(vm, &final);

    vm->gc_collections[generation]++;
    vm->gc_collected[generation] += collected;
    if (vm->gc_debug & GC_DEBUG_STATS)
        fprintf(stderr, "gc: done, %zu unreachable, 0 uncollectable\n", collected);
    invoke_callbacks(vm, "stop", generation, collected);
    vm->gc_collecting = false;
    gc_update_trigger(vm);
    return collected;
}

size_t gc_collect(VM *vm) { return collect(vm, true); }

size_t gc_collect_generation(VM *vm, int generation) { return collect(vm, generation >= 2); }

void gc_collect_on_threshold(VM *vm) {
    if (!vm->gc_ready) {
        // vm_new() has not finished: no collection until gc_vm_init() says so.
        vm->gc_trigger = SIZE_MAX;
        return;
    }
    ThreadState *ts = mini_ts;
    // Retried at the next allocation: the code raising an exception is busy with it, and a
    // running collection must finish first.
    if (vm->gc_collecting || !ts || ts->curexc)
        return;
    // CPython's rule for its oldest generation: a full collection once the containers that
    // became old since the last one are a quarter of those it left. Each container is then
    // scanned a bounded number of times however large the heap grows.
    bool full = vm->gc_pending > vm->gc_long_lived / 4;
    if (MINI_GC_STRESS > 0 && vm->gc_young_collections >= 100)
        full = true; // stress mode scans the old containers too, now and then
    collect(vm, full);
}

void gc_vm_init(VM *vm) {
    // What vm_new() made is young.
    vm->gc_young = vm->gc_list.next;
    vm->gc_enabled = true;
    vm->gc_threshold[0] = 700;
    vm->gc_threshold[1] = 10;
    vm->gc_threshold[2] = 10;
    vm->gc_ready = true;
    gc_update_trigger(vm);
}

// Sets every value of the module namespace [d] to None, as CPython's _PyModule_ClearDict does:
// the names starting with one underscore first, then the others but __builtins__ (so that the
// finalizers this runs can still use the builtins). A name keeps its place, so code that looks
// it up gets None rather than a NameError.
static void clear_namespace(MiniObject *d) {
    for (int pass = 0; pass < 2; pass++) {
        size_t pos = 0;
        MiniObject *k, *v;
        while (dict_next(d, &pos, &k, &v)) {
            if (v == MINI_NONE || !str_check(k))
                continue;
            const char *s = STR_DATA(k);
            bool underscore = s[0] == '_' && s[1] != '_';
            if (pass == 0 ? !underscore : strcmp(s, "__builtins__") == 0)
                continue;
            // Storing into an existing key never resizes, so the walk stays valid.
            MINI_INCREF(k);
            if (dict_set(d, k, MINI_NONE) < 0)
                mini_error_clear();
            MINI_DECREF(k);
        }
    }
}

static int visit_move_to_tail(MiniObject *o, void *arg) {
    GcHead *heap = arg;
    if (!MINI_IS_PTR(o) || o->refcnt >= MINI_IMMORTAL || !(o->type->flags & MINI_TPFLAG_GC))
        return 0;
    GcHead *g = MINI_GC_HEAD(o);
    if (g->next && !(g->gc_refs & GC_COLLECTING)) {
        g->gc_refs |= GC_COLLECTING;
        gclist_move(g, heap);
    }
    return 0;
}

// Puts [root] and every container it reaches at the end of the heap, in breadth-first order
// from it. When those become garbage together, the collector meets them - and runs their
// finalizers - in that order: for a module namespace, the order of its names.
static void order_from(VM *vm, MiniObject *root) {
    GcHead *heap = &vm->gc_list;
    // The moves below would mix the generations: call everything old (the next collection is
    // a full one anyway).
    vm->gc_young = heap;
    // A marker node (no object behind it) stays in front of the moved ones; only moved
    // containers are traversed, and each moves once.
    GcHead mark;
    gclist_append(&mark, heap);
    visit_move_to_tail(root, heap);
    for (GcHead *g = mark.next; g != heap; g = g->next)
        traverse(MINI_GC_OBJ(g), visit_move_to_tail, heap);
    for (GcHead *g = mark.next; g != heap; g = g->next)
        g->gc_refs &= ~GC_COLLECTING;
    mark.prev->next = mark.next;
    mark.next->prev = mark.prev;
}

void gc_finalize_modules(VM *vm) {
    // Garbage made while the program ran goes first, in an interpreter that is still whole.
    gc_collect(vm);
    // CPython's finalizers below run in the order of __main__'s names (there that collection
    // happens to leave the namespace's objects in its order); mini's do too.
    if (vm->main_module && MINI_IS_PTR(vm->main_module) &&
        mini_isinstance_type(vm->main_module, &mini_module_type) &&
        ((MiniModule *)vm->main_module)->dict)
        order_from(vm, ((MiniModule *)vm->main_module)->dict);
    // Take every module out of sys.modules. One that nothing else holds dies now, and its
    // namespace with it unless it is in a cycle - as soon as a function is defined in a
    // module, it is. The collection then finds the namespace and all that only it holds
    // unreachable, runs their finalizers with every name still bound, and clears them.
    if (vm->modules)
        dict_clear(vm->modules);
    MINI_CLEAR(vm->main_module);
    gc_collect(vm);
    // sys and builtins go last, so that every finalizer until here could still print; what
    // their namespaces held goes with the last collection.
    MiniObject *sys = vm->sys_module, *builtins = vm->builtins;
    if (sys && MINI_IS_PTR(sys) && mini_isinstance_type(sys, &mini_module_type) &&
        ((MiniModule *)sys)->dict)
        clear_namespace(((MiniModule *)sys)->dict);
    if (builtins && dict_check(builtins))
        clear_namespace(builtins);
    gc_collect(vm);
}

void gc_vm_fini(VM *vm) {
    gc_collect(vm);
    // Nothing may start a collection on a VM that is being taken apart.
    vm->gc_ready = false;
    vm->gc_trigger = SIZE_MAX;
    MINI_CLEAR(vm->gc_garbage);
    MINI_CLEAR(vm->gc_callbacks);
}
