// fileobject.h - what runtime/fileobject.c offers builtins.c and sys.c beyond stdlib/stdlib.h:
// open() itself, reading one line for input(), and the write-through mode of sys.stderr.
//
// The file object itself (struct MiniFile, its five types) stays private to fileobject.c:
// everything else reaches files through their methods or through these functions.

#ifndef MINI_FILEOBJECT_H
#define MINI_FILEOBJECT_H

#include "object.h"

// builtins.open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None,
// closefd=True, opener=None), with CPython's checks and messages. [self] is unused (the
// builtins module). New reference, or NULL with OSError/ValueError/TypeError pending.
MiniObject *file_open(MiniObject *self, MiniObject *const *args, size_t nargs,
                      MiniObject *kwnames);

// True if [o] is one of mini's own file objects (text or binary).
bool file_check(MiniObject *o);

// Reads one line from [file]: the builtin readline for mini's files, else a call of the
// object's readline method. New reference (a str, or bytes for a binary file; empty at end of
// file), or NULL with an exception.
MiniObject *file_readline(MiniObject *file);

// Makes a builtin file flush after every write (sys.stderr is unbuffered); no-op for others.
void file_set_write_through(MiniObject *file, bool on);

#endif // MINI_FILEOBJECT_H
