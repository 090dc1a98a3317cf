#
# Module which supports allocation of ctypes objects from shared memory
#
# multiprocessing/sharedctypes.py
#
# Copyright (c) 2006-2008, R Oudkerk
# Licensed to PSF under a Contributor Agreement.
#
"""Value, Array, RawValue and RawArray: C values in memory shared with forked children.

CPython 3.11's Lib/multiprocessing/sharedctypes.py, adapted to mini, which has no ctypes. What
changed:
- The memory is a _multiprocessing.SharedBuffer (an mmap(MAP_SHARED) of its own per object)
  instead of a block of CPython's multiprocessing.heap.
- The ctypes types are replaced by small stand-ins with the same names and behaviour for what
  multiprocessing uses: c_int and its kin (.value, repr "c_int(5)", ints wrap as in C) and
  arrays of them (c_int_Array_3: len, indexing, slicing, slice assignment, and .value/.raw for
  arrays of c_char). Only typecodes are accepted, not ctypes types or structures.
- Pickling stops at assert_spawning() (RuntimeError "c_int objects should only be shared
  between processes through inheritance"), as CPython's reduce_ctype does when nothing is
  being spawned: values reach children by inheritance.
- Synchronized wrappers define their properties directly rather than through exec().
"""

import _multiprocessing

from . import get_context
from .context import assert_spawning

__all__ = ['RawValue', 'RawArray', 'Value', 'Array', 'copy', 'synchronized']

#
# Stand-ins for the ctypes types
#

class _SimpleCData(object):
    '''A C value of one type, in shared memory (what ctypes._SimpleCData is)'''
    _type_ = None

    def __new__(cls, *args):
        if cls._type_ is None:
            raise TypeError('abstract class')
        self = object.__new__(cls)
        self._wrapper = _multiprocessing.SharedBuffer(_multiprocessing.sizeof(cls._type_))
        return self

    def __init__(self, *args):
        if len(args) > 1:
            raise TypeError('__init__ expected at most 1 argument, got %d' % len(args))
        if args:
            self.value = args[0]

    @property
    def value(self):
        return self._wrapper.get(self._type_, 0)

    @value.setter
    def value(self, value):
        self._wrapper.set(self._type_, 0, value)

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.value)

    def __reduce__(self):
        # CPython's reduce_ctype (registered with ForkingPickler) starts with the same check.
        assert_spawning(self)


def _simple_type(name, typecode):
    return type(name, (_SimpleCData,), {'_type_': typecode, '__module__': 'ctypes'})

c_char = _simple_type('c_char', 'c')
c_byte = _simple_type('c_byte', 'b')
c_ubyte = _simple_type('c_ubyte', 'B')
c_short = _simple_type('c_short', 'h')
c_ushort = _simple_type('c_ushort', 'H')
c_int = _simple_type('c_int', 'i')
c_uint = _simple_type('c_uint', 'I')
c_long = _simple_type('c_long', 'l')
c_ulong = _simple_type('c_ulong', 'L')
c_float = _simple_type('c_float', 'f')
c_double = _simple_type('c_double', 'd')
# As in ctypes on 64-bit Linux, where long long is as wide as long: the same types.
if _multiprocessing.sizeof('q') == _multiprocessing.sizeof('l'):
    c_longlong, c_ulonglong = c_long, c_ulong
else:
    c_longlong = _simple_type('c_longlong', 'q')
    c_ulonglong = _simple_type('c_ulonglong', 'Q')


class _CArray(object):
    '''A fixed number of C values of one type, in shared memory (what ctypes.Array is)'''
    _type_ = None
    _length_ = 0

    def __new__(cls, *args):
        if cls._type_ is None:
            raise TypeError('abstract class')
        self = object.__new__(cls)
        self._itemsize = _multiprocessing.sizeof(cls._type_._type_)
        self._wrapper = _multiprocessing.SharedBuffer(cls._length_ * self._itemsize)
        return self

    def __init__(self, *args):
        if len(args) > self._length_:
            raise IndexError('too many initializers')
        for i, value in enumerate(args):
            self[i] = value

    def __len__(self):
        return self._length_

    def _index(self, i):
        if not isinstance(i, int):
            try:
                i = i.__index__()
            except AttributeError:
                raise TypeError('indices must be integers') from None
        if i < 0:
            i += self._length_
        if i < 0 or i >= self._length_:
            raise IndexError('invalid index')
        return i * self._itemsize

    def _get_items(self, indices):
        code, get, size = self._type_._type_, self._wrapper.get, self._itemsize
        items = [get(code, i * size) for i in indices]
        if code == 'c':
            return b''.join(items)
        return items

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._get_items(range(*i.indices(self._length_)))
        return self._wrapper.get(self._type_._type_, self._index(i))

    def __setitem__(self, i, value):
        code = self._type_._type_
        if isinstance(i, slice):
            indices = range(*i.indices(self._length_))
            if len(value) != len(indices):
                raise ValueError('Can only assign sequence of same size')
            for j, item in zip(indices, value):
                self._wrapper.set(code, j * self._itemsize, item)
        else:
            self._wrapper.set(code, self._index(i), value)

    def __iter__(self):
        return iter(self._get_items(range(self._length_)))

    def __reduce__(self):
        assert_spawning(self)


class _CharArray(_CArray):
    '''An array of c_char, which also reads and writes as one bytes string'''

    @property
    def value(self):
        raw = self._wrapper.read()
        end = raw.find(b'\0')
        return raw if end < 0 else raw[:end]

    @value.setter
    def value(self, value):
        if not isinstance(value, bytes):
            raise TypeError('bytes expected instead of %s instance' % type(value).__name__)
        if len(value) > self._length_:
            raise ValueError('byte string too long')
        if len(value) < self._length_:
            value += b'\0'
        self._wrapper.write(0, value)

    @property
    def raw(self):
        return self._wrapper.read()

    @raw.setter
    def raw(self, value):
        if len(value) > self._length_:
            raise ValueError('byte string too long')
        self._wrapper.write(0, value)


_array_types = {}

def _array_type(type_, length):
    # What `type_ * length` makes in ctypes: a class named like c_int_Array_3.
    try:
        return _array_types[type_, length]
    except KeyError:
        pass
    base = _CharArray if type_ is c_char else _CArray
    cls = type('%s_Array_%d' % (type_.__name__, length), (base,),
               {'_type_': type_, '_length_': length, '__module__': __name__})
    _array_types[type_, length] = cls
    return cls

#
#
#

typecode_to_type = {
    'c': c_char,
    'b': c_byte,     'B': c_ubyte,
    'h': c_short,    'H': c_ushort,
    'i': c_int,      'I': c_uint,
    'l': c_long,     'L': c_ulong,
    'q': c_longlong, 'Q': c_ulonglong,
    'f': c_float,    'd': c_double
    }

#
#
#

def _check_type(type_):
    if not (isinstance(type_, type) and issubclass(type_, _SimpleCData)
            and type_._type_ is not None):
        # What ctypes.sizeof() says of anything that is not a ctypes type.
        raise TypeError('this type has no size')
    return type_

def RawValue(typecode_or_type, *args):
    '''
    Returns a ctypes object allocated from shared memory
    '''
    type_ = _check_type(typecode_to_type.get(typecode_or_type, typecode_or_type))
    return type_(*args)

def RawArray(typecode_or_type, size_or_initializer):
    '''
    Returns a ctypes array allocated from shared memory
    '''
    type_ = _check_type(typecode_to_type.get(typecode_or_type, typecode_or_type))
    if isinstance(size_or_initializer, int):
        if size_or_initializer < 0:
            raise ValueError('Array length must be >= 0, not %d' % size_or_initializer)
        return _array_type(type_, size_or_initializer)()
    else:
        type_ = _array_type(type_, len(size_or_initializer))
        return type_(*size_or_initializer)

def Value(typecode_or_type, *args, lock=True, ctx=None):
    '''
    Return a synchronization wrapper for a Value
    '''
    obj = RawValue(typecode_or_type, *args)
    if lock is False:
        return obj
    if lock in (True, None):
        ctx = ctx or get_context()
        lock = ctx.RLock()
    if not hasattr(lock, 'acquire'):
        raise AttributeError("%r has no method 'acquire'" % lock)
    return synchronized(obj, lock, ctx=ctx)

def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
    '''
    Return a synchronization wrapper for a RawArray
    '''
    obj = RawArray(typecode_or_type, size_or_initializer)
    if lock is False:
        return obj
    if lock in (True, None):
        ctx = ctx or get_context()
        lock = ctx.RLock()
    if not hasattr(lock, 'acquire'):
        raise AttributeError("%r has no method 'acquire'" % lock)
    return synchronized(obj, lock, ctx=ctx)

def copy(obj):
    new_obj = type(obj)()
    new_obj._wrapper.write(0, obj._wrapper.read())
    return new_obj

def synchronized(obj, lock=None, ctx=None):
    assert not isinstance(obj, SynchronizedBase), 'object already synchronized'
    ctx = ctx or get_context()

    if isinstance(obj, _SimpleCData):
        return Synchronized(obj, lock, ctx)
    elif isinstance(obj, _CArray):
        if obj._type_ is c_char:
            return SynchronizedString(obj, lock, ctx)
        return SynchronizedArray(obj, lock, ctx)
    else:
        raise TypeError('cannot synchronize %r' % (obj,))

#
# Synchronized wrappers
#

class SynchronizedBase(object):

    def __init__(self, obj, lock=None, ctx=None):
        self._obj = obj
        if lock:
            self._lock = lock
        else:
            ctx = ctx or get_context()
            self._lock = ctx.RLock()
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __reduce__(self):
        assert_spawning(self)
        return synchronized, (self._obj, self._lock)

    def get_obj(self):
        return self._obj

    def get_lock(self):
        return self._lock

    def __repr__(self):
        return '<%s wrapper for %s>' % (type(self).__name__, self._obj)


def make_property(name):
    # CPython builds the same two functions from a template with exec().
    def get(self):
        self.acquire()
        try:
            return getattr(self._obj, name)
        finally:
            self.release()
    def set(self, value):
        self.acquire()
        try:
            setattr(self._obj, name, value)
        finally:
            self.release()
    return property(get, set)


class Synchronized(SynchronizedBase):

    @property
    def value(self):
        self.acquire()
        try:
            return self._obj.value
        finally:
            self.release()

    @value.setter
    def value(self, value):
        self.acquire()
        try:
            self._obj.value = value
        finally:
            self.release()


class SynchronizedArray(SynchronizedBase):

    def __len__(self):
        return len(self._obj)

    def __getitem__(self, i):
        with self:
            return self._obj[i]

    def __setitem__(self, i, value):
        with self:
            self._obj[i] = value

    def __getslice__(self, start, stop):
        with self:
            return self._obj[start:stop]

    def __setslice__(self, start, stop, values):
        with self:
            self._obj[start:stop] = values


class SynchronizedString(SynchronizedArray):
    value = make_property('value')
    raw = make_property('raw')
