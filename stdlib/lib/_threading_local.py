"""Thread-local objects, for mini: threading.local written in plain Python.

(CPython's threading.local is the C type _thread._local, with this module as its pure-Python
 twin. mini has only this version; import the `local` class from `threading`.)

Thread-local objects support the management of thread-local data.
If you have data that you want to be local to a thread, simply create
a thread-local object and use its attributes:

  >>> mydata = local()
  >>> mydata.number = 42
  >>> mydata.number
  42

You can also access the local-object's dictionary:

  >>> mydata.__dict__
  {'number': 42}
  >>> mydata.__dict__.setdefault('widgets', [])
  []
  >>> mydata.widgets
  []

What's important about thread-local objects is that their data are
local to a thread. If we access the data in a different thread:

  >>> log = []
  >>> def f():
  ...     items = sorted(mydata.__dict__.items())
  ...     log.append(items)
  ...     mydata.number = 11
  ...     log.append(mydata.number)

  >>> import threading
  >>> thread = threading.Thread(target=f)
  >>> thread.start()
  >>> thread.join()
  >>> log
  [[], 11]

we get different data.  Furthermore, changes made in the other thread
don't affect data seen in this thread:

  >>> mydata.number
  42

You can create custom local objects by subclassing the local class:

  >>> class MyLocal(local):
  ...     number = 2
  ...     def __init__(self, /, **kw):
  ...         self.__dict__.update(kw)
  ...     def squared(self):
  ...         return self.number ** 2

Note that if you define an __init__ method, it will be called each time the
local object is used in a separate thread.  This is necessary to initialize
each thread's dictionary.

How it works: a local object has one real attribute, its _localimpl, which maps each thread
to that thread's own attribute dict.  Every attribute access first installs the calling
thread's dict as the object's __dict__ (under a lock, so that no other thread can swap in its
own dict halfway through), then does an ordinary attribute access.

How it differs from CPython's Python version: CPython drops a thread's dict when the Thread
object is garbage collected (a weak-reference callback), which a Thread caught in a reference
cycle delays; here each Thread records (weakly) the locals it used and drops its dicts when it
ends (threading.Thread._drop_locals), as CPython's C version does when a thread state goes.
The main thread and dummy threads never end that way, so their dicts live as long as the
local object, as they do in CPython.  A local object that dies frees every thread's dict at
once, in both.
"""

__all__ = ["local"]

from weakref import ref

# We need to use objects from the threading module, and the threading module
# uses our `local` class.  To avoid a circular-import problem, we don't import
# `threading` until the bottom of this file, after everything threading
# needs from us is defined.


class _localimpl:
    """A class managing thread-local dicts"""
    __slots__ = 'dicts', 'localargs', 'locallock', '__weakref__'

    def __init__(self):
        # { id(Thread) -> (Thread, thread-local dict) }.  The entry holds the
        # Thread object itself, so its id cannot be reused by another thread
        # while the entry exists.
        self.dicts = {}

    def get_dict(self):
        """Return the dict for the current thread. Raises KeyError if none
        defined."""
        thread = current_thread()
        return self.dicts[id(thread)][1]

    def create_dict(self):
        """Create a new dict for the current thread, and return it."""
        localdict = {}
        thread = current_thread()
        self.dicts[id(thread)] = thread, localdict
        # A thread started by threading.Thread drops its dict from us when it
        # ends; the main thread and dummy threads never run that code.
        if not isinstance(thread, (_MainThread, _DummyThread)):
            thread._local_impls.append(ref(self))
        return localdict


class _patch:
    """with _patch(obj): ... runs its body with the calling thread's dict
    installed as the __dict__ of local object [obj], under the local's lock.

    Afterwards the dict that was there before comes back (an empty one, or the
    same thread's dict when accesses nest, as when a property reads another
    attribute), so a finished thread's dict is not kept alive by the object.
    (CPython's version is a generator-based context manager; mini has no
    contextlib.)
    """
    __slots__ = 'obj', 'lock', 'saved'

    def __init__(self, obj):
        self.obj = obj

    def __enter__(self):
        obj = self.obj
        impl = object.__getattribute__(obj, '_local__impl')
        try:
            dct = impl.get_dict()
        except KeyError:
            dct = impl.create_dict()
            args, kw = impl.localargs
            obj.__init__(*args, **kw)
        self.lock = impl.locallock
        self.lock.acquire()
        self.saved = object.__getattribute__(obj, '__dict__')
        object.__setattr__(obj, '__dict__', dct)

    def __exit__(self, *exc_info):
        object.__setattr__(self.obj, '__dict__', self.saved)
        self.lock.release()


def _type_name(self):
    # CPython's threading.local is the C type _thread._local, whose messages
    # name it '_thread._local'; a subclass is named by its own __name__.
    if type(self) is _local:
        return '_thread._local'
    return type(self).__name__


# The class is named like CPython's C type, _thread._local, so that
# repr(threading.local) and its error messages match CPython's.
class _local:
    __slots__ = '_local__impl', '__dict__'
    __module__ = '_thread'

    def __new__(cls, /, *args, **kw):
        if (args or kw) and (cls.__init__ is object.__init__):
            raise TypeError("Initialization arguments are not supported")
        self = object.__new__(cls)
        impl = _localimpl()
        impl.localargs = (args, kw)
        impl.locallock = RLock()
        object.__setattr__(self, '_local__impl', impl)
        # We need to create the thread dict in anticipation of
        # __init__ being called, to make sure we don't call it
        # again ourselves.
        impl.create_dict()
        return self

    def __getattribute__(self, name):
        with _patch(self):
            try:
                return object.__getattribute__(self, name)
            except AttributeError:
                if type(self) is not _local:
                    raise
        raise AttributeError(f"'_thread._local' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        if name == '__dict__':
            raise AttributeError(
                "'%s' object attribute '__dict__' is read-only" % _type_name(self))
        with _patch(self):
            return object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name == '__dict__':
            raise AttributeError(
                "'%s' object attribute '__dict__' is read-only" % _type_name(self))
        with _patch(self):
            try:
                return object.__delattr__(self, name)
            except AttributeError:
                if type(self) is not _local:
                    raise
        raise AttributeError(f"'_thread._local' object has no attribute '{name}'")

local = _local


from threading import current_thread, RLock, _MainThread, _DummyThread
