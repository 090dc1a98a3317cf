// marshal.h - code objects and their constants as bytes, and back: what lets the build embed
// the standard modules of stdlib/lib compiled (tools/mini_freeze.c) so that importing one
// reads its code instead of compiling its source (CPython's marshal and frozen modules).
//
// Design
// ------
// The format is private to one build: the blobs are made by a tool linked with the same
// compiler and opcode list as the interpreter that reads them, so nothing is promised across
// versions. A blob made by marshal_dump_code starts with a header - "MC", the format version,
// the number of opcodes and a hash of their names and argument kinds - which marshal_load_code
// checks, so that a stale blob is refused rather than run.
//
// Each value is one tag byte and its payload; numbers are LEB128 varints (signed ones
// zigzag-encoded). Every object that is not an immediate (str, bytes, float, big int, tuple,
// code) gets the next index of a reference table once it has been written in full, and a
// later occurrence of the same object is written as a reference to that index: a module's
// file name and the names shared by its functions are written once, and loading gives back
// exactly the sharing the compiler made (one filename object for the whole module, say).
// A str is written with whether it was interned, and is interned again when loaded: names
// compare by pointer in the eval loop. Instructions are written as the compiler emitted them
// (code_base_instr), so quickened code serializes like fresh code, and loaded code is
// quickened like compiled code.
//
// Loading makes every object immortal for the running VM (mini_make_immortal_vm), as the
// compiler does for code objects and constants: vm_free releases them last, in reverse order.

#ifndef MINI_MARSHAL_H
#define MINI_MARSHAL_H

#include "vm.h"

// The serialized form of [o]: None, True, False, Ellipsis, int, float, str, bytes, tuples of
// those and code objects (no header). New bytes, or NULL with ValueError "unmarshallable
// object" for any other value.
MiniObject *marshal_dumps(MiniObject *o);
// The value serialized at [data] ([size] bytes) by marshal_dumps. New reference (immortal
// objects), or NULL with ValueError "bad marshal data (...)" when the bytes are not a complete
// serialized value.
MiniObject *marshal_loads(const uint8_t *data, size_t size);

// The serialized form of [co] behind the header of this build's opcode list: what the frozen
// modules table holds. New bytes or NULL with an exception.
MiniObject *marshal_dump_code(CodeObject *co);
// The code object of a blob made by marshal_dump_code. Borrowed (immortal), or NULL with
// ValueError when the blob is damaged or was made for another opcode list.
CodeObject *marshal_load_code(const uint8_t *data, size_t size);

#endif // MINI_MARSHAL_H
