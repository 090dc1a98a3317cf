// ast.c - the arena the parser allocates the AST in.
//
// An arena is a list of blocks; allocation bumps a pointer in the newest block and a block is
// never freed alone, so a whole tree goes at once with arena_free(). Requests larger than a
// block get a block of their own, linked behind the current one so that its free space is not
// lost.

#include "ast.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#define ARENA_BLOCK_SIZE ((size_t)64 * 1024)
#define ARENA_ALIGN (alignof(max_align_t))

struct ArenaBlock {
    ArenaBlock *next;
    size_t size; // usable bytes in data
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

void arena_init(Arena *a) { a->head = NULL; }

static ArenaBlock *new_block(size_t size) {
    ArenaBlock *b = mini_malloc(sizeof(ArenaBlock) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *arena_alloc(Arena *a, size_t size) {
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2) {
        mini_raise_memory();
        return NULL;
    }
    size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    ArenaBlock *b = a->head;
    if (b && b->size - b->used >= size) {
        void *p = b->data + b->used;
        b->used += size;
        memset(p, 0, size);
        return p;
    }
    if (size > ARENA_BLOCK_SIZE / 4) {
        // A big request: its own block, behind the head so the head's free space stays usable.
        ArenaBlock *big = new_block(size);
        if (!big)
            return NULL;
        big->used = size;
        if (b) {
            big->next = b->next;
            b->next = big;
        } else {
            a->head = big;
        }
        memset(big->data, 0, size);
        return big->data;
    }
    ArenaBlock *nb = new_block(ARENA_BLOCK_SIZE);
    if (!nb)
        return NULL;
    nb->next = b;
    a->head = nb;
    nb->used = size;
    memset(nb->data, 0, size);
    return nb->data;
}

void arena_free(Arena *a) {
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        mini_free(b);
        b = next;
    }
    a->head = NULL;
}
