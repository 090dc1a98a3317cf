#
# Package analogous to 'threading.py' but using processes
#
# multiprocessing/__init__.py
#
# This package is intended to duplicate the functionality (and much of
# the API) of threading.py but uses processes instead of threads.
#
# Copyright (c) 2006-2008, R Oudkerk
# Licensed to PSF under a Contributor Agreement.
#
"""multiprocessing for mini: processes made with os.fork(), and what they share.

This is CPython 3.11's Lib/multiprocessing/__init__.py. The package is CPython's, cut down to
its 'fork' start method, which is the only one mini has (mini cannot start a fresh interpreter
that would unpickle the program, as 'spawn' and 'forkserver' do). Each module says at its top
what changed; in short:

    context.py       one concrete context, 'fork'; the others raise ValueError
    process.py       Process (CPython's BaseProcess) as it is, minus traceback
    popen_fork.py    as it is: fork() and a pipe whose end of file tells the child has ended
    util.py          exit handling and finalizers, no logging
    synchronize.py   as it is, over _multiprocessing.SemLock (stdlib/multiprocessing.c)
    sharedctypes.py  Value, Array, RawValue, RawArray over _multiprocessing.SharedBuffer,
                     with small stand-ins for the ctypes types (mini has no ctypes)
    connection.py    Pipe and Connection (no Listener/Client), wait() over
                     _multiprocessing.wait_readable
    reduction.py     ForkingPickler over mini's pickle subset (stdlib/lib/pickle.py)
    queues.py        Queue, JoinableQueue, SimpleQueue as they are
    pool.py          Pool and ThreadPool as they are, minus traceback and warnings
    dummy/           the same API on threads, as it is
"""

import sys
from . import context

#
# Copy stuff from default context
#

__all__ = [x for x in dir(context._default_context) if not x.startswith('_')]
globals().update((name, getattr(context._default_context, name)) for name in __all__)

#
# XXX These should not really be documented or public.
#

SUBDEBUG = 5
SUBWARNING = 25

#
# Alias for main module -- will be reset by bootstrapping child processes
#

if '__main__' in sys.modules:
    sys.modules['__mp_main__'] = sys.modules['__main__']
