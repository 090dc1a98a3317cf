// stdlib.h - the modules written in C: each file of stdlib/ makes one module.
//
// A module's init function creates the module object (a new reference) and is called by
// vm_new() (builtins, sys) or, from issue 3 on, by the import system.

#ifndef MINI_STDLIB_H
#define MINI_STDLIB_H

#include "../vm/vm.h"

// The builtins module (builtins.c): print, len, range, ..., the builtin types and exceptions,
// and __build_class__.
MiniObject *builtins_init(VM *vm);
// The sys module (sys.c): argv, exit, stdout/stderr/stdin, path, modules, version ...
MiniObject *sys_init(VM *vm);

// Modules written in C, made on first import (modules.c keeps the table). Each init returns
// a new module object.
MiniObject *math_init(VM *vm);   // math.c
MiniObject *time_init(VM *vm);   // time.c
MiniObject *random_init(VM *vm); // random.c: the _random module (lib/random.py wraps it)
MiniObject *os_init(VM *vm);     // os.c (also registers os.path in sys.modules)
MiniObject *dis_init(VM *vm);    // dis.c
MiniObject *gc_init(VM *vm);     // gcmodule.c: the cycle collector's module (runtime/gc.c)
MiniObject *thread_init(VM *vm); // thread.c: the _thread module
MiniObject *signal_init(VM *vm); // signal.c: the _signal module (lib/signal.py wraps it)
MiniObject *socket_init(VM *vm); // socket.c: the _socket module (lib/socket.py wraps it)
MiniObject *select_init(VM *vm); // select.c: the select module
MiniObject *multiprocessing_init(VM *vm); // multiprocessing.c: _multiprocessing (lib/multiprocessing)
// (time.c) A number of seconds given to time.sleep(), a lock's timeout or signal.setitimer():
// a float, or an int (or an object with __index__). NaN raises ValueError "Invalid value NaN
// (not a number)"; too many seconds for a count of nanoseconds in 64 bits raises OverflowError,
// "timestamp too large to convert to C _PyTime_t" for an int and "timestamp out of range for
// platform time_t" for a float, as CPython's _PyTime_FromSecondsObject does. False with an
// exception pending.
bool time_seconds_arg(MiniObject *o, double *seconds);

// Loads the C module [name] (a str) into sys.modules if it is one of them. Borrowed reference
// to the module; NULL with no exception when [name] is not a C module, or NULL with an
// exception when its init failed.
MiniObject *stdlib_import_builtin(MiniObject *name);

// Standard streams (runtime/fileobject.c): a text file over a file descriptor.
// line_buffered: flush at each newline; else flush when the buffer fills and at exit.
MiniObject *file_from_fd(int fd, const char *name, const char *mode, bool line_buffered);
// Writes a str to a file object (calls its write method when it is not a builtin file).
int file_write_str(MiniObject *file, MiniObject *str);
int file_flush(MiniObject *file);
// Flushes sys.stdout and sys.stderr (at exit, before fork, before an uncaught traceback).
void file_flush_std(void);

#endif // MINI_STDLIB_H
