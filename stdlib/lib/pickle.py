"""pickle for mini: turn objects into bytes and back.

A subset of CPython's pickle, written for mini, with a byte format of its own (it need not be
read by CPython: only mini processes exchange these bytes, e.g. through multiprocessing's
pipes and queues). What it handles:

    None, bool, int (any size), float, str, bytes, bytearray, tuple, list, dict, set, frozenset,
    range, slice; functions, classes and builtin functions by reference (their module and
    qualified name, looked up again on load); bound methods and method descriptors (as
    getattr(owner, name)); exceptions (their class, args and __dict__); instances of classes
    through __reduce_ex__/__reduce__ when the class defines them, else through the default
    protocol-2 reduction CPython's object.__reduce_ex__ performs: cls.__new__(cls, *args) with
    args from __getnewargs__, then the state from __getstate__ or the __dict__ and __slots__,
    restored by __setstate__ or into the __dict__, plus the items of list and dict subclasses.

Shared and recursive references are kept (a list that contains itself comes back so).

What raises: a function or class that cannot be found again by its name (a lambda, a local
function) raises PicklingError or, for a local object, AttributeError, with CPython's
messages; objects of builtin types with no reduction (locks, files, modules, generators)
raise TypeError "cannot pickle 'X' object", as CPython does. Not supported: persistent ids,
out-of-band buffers, protocol numbers (accepted and ignored), copyreg (use dispatch_table).

The format: b'\\x80m' and a version byte, the size of the rest in 8 bytes, then one value. Each
value is a one-byte code and its data; lengths and counts are 4 bytes, little-endian. The
codes are listed below.
"""

import sys

__all__ = ["PickleError", "PicklingError", "UnpicklingError", "Pickler", "Unpickler",
           "dump", "dumps", "load", "loads", "HIGHEST_PROTOCOL", "DEFAULT_PROTOCOL"]

HIGHEST_PROTOCOL = 5
DEFAULT_PROTOCOL = 4

# Reducers for types of the caller's choice, as CPython's copyreg.dispatch_table: type ->
# function(obj) returning a reduce value (a tuple (callable, args[, state[, listitems[,
# dictitems]]])). multiprocessing.reduction.ForkingPickler.register adds to it.
dispatch_table = {}


def _rebuild_partial(cls, func, args, keywords, namespace):
    obj = cls(func, *args, **keywords)
    if namespace:
        obj.__dict__.update(namespace)
    return obj


def _reduce_partial(obj):
    # CPython's functools.partial has a __reduce__; mini's does not.
    return _rebuild_partial, (type(obj), obj.func, obj.args, obj.keywords, obj.__dict__ or None)


import functools as _functools
dispatch_table[_functools.partial] = _reduce_partial
del _functools


class PickleError(Exception):
    pass


class PicklingError(PickleError):
    pass


class UnpicklingError(PickleError):
    pass


_MAGIC = b'\x80m\x01'

# The codes.
_NONE, _TRUE, _FALSE = b'N', b'T', b'F'
_INT = b'I'          # length, then the bytes of a two's complement little-endian int
_FLOAT = b'D'        # length, then repr(value) in ASCII
_STR = b'S'          # length, then UTF-8
_BYTES = b'B'        # length, then the bytes
_BYTEARRAY = b'Y'    # length, then the bytes
_TUPLE = b'('        # count, then the items
_LIST = b'L'         # count, then the items (memoized before them)
_DICT = b'd'         # count, then key, value, key, value ... (memoized before them)
_SET = b's'          # count, then the items (memoized before them)
_FROZENSET = b'f'    # count, then the items
_GLOBAL = b'G'       # module name, then qualified name (two _STR values without the code)
_REDUCE = b'R'       # callable, args; memoized; then state, listitems, dictitems (or _NONE)
_NEWOBJ = b'O'       # class, args: cls.__new__(cls, *args); memoized; then the same three
_MEMO = b'g'         # an index into the objects memoized so far

# The same codes as numbers, which is what indexing the bytes gives the loader.
(_C_NONE, _C_TRUE, _C_FALSE, _C_INT, _C_FLOAT, _C_STR, _C_BYTES, _C_BYTEARRAY, _C_TUPLE, _C_LIST,
 _C_DICT, _C_SET, _C_FROZENSET, _C_GLOBAL, _C_REDUCE, _C_NEWOBJ, _C_MEMO) = (
    _NONE[0], _TRUE[0], _FALSE[0], _INT[0], _FLOAT[0], _STR[0], _BYTES[0], _BYTEARRAY[0],
    _TUPLE[0], _LIST[0], _DICT[0], _SET[0], _FROZENSET[0], _GLOBAL[0], _REDUCE[0], _NEWOBJ[0],
    _MEMO[0])

def _u32(n):
    return n.to_bytes(4, 'little')


def _int_bytes(n):
    return n.to_bytes((n.bit_length() + 8) // 8, 'little', signed=True)


def _type_name(t):
    if t.__module__ == 'builtins':
        return t.__qualname__
    return '%s.%s' % (t.__module__, t.__qualname__)


def _whichmodule(obj, name):
    """Find the module an object belongs to (CPython's pickle.whichmodule)."""
    module_name = getattr(obj, '__module__', None)
    if module_name is not None:
        return module_name
    for module_name, module in sys.modules.copy().items():
        if module_name == '__main__' or module_name == '__mp_main__' or module is None:
            continue
        try:
            if _getattribute(module, name)[0] is obj:
                return module_name
        except AttributeError:
            pass
    return '__main__'


def _getattribute(obj, name):
    for subpath in name.split('.'):
        if subpath == '<locals>':
            raise AttributeError("Can't get local attribute {!r} on {!r}"
                                 .format(name, obj))
        try:
            parent = obj
            obj = getattr(obj, subpath)
        except AttributeError:
            raise AttributeError("Can't get attribute {!r} on {!r}"
                                 .format(name, obj)) from None
    return obj, parent


def _is_builtin_callable(obj):
    return type(obj).__name__ == 'builtin_function_or_method'


class Pickler:
    """Writes the pickled form of objects to a file (anything with a write method)."""

    dispatch_table = None

    def __init__(self, file, protocol=None, *, fix_imports=True, buffer_callback=None):
        try:
            self._write = file.write
        except AttributeError:
            raise TypeError("file must have a 'write' attribute") from None
        self.protocol = DEFAULT_PROTOCOL if protocol is None else protocol
        self.memo = {}
        self._keep = []
        self.bin = True
        self.fast = 0

    def clear_memo(self):
        self.memo.clear()
        self._keep.clear()

    def dump(self, obj):
        """Write a pickled representation of obj to the open file."""
        parts = [_MAGIC, b'']
        self._parts = parts
        try:
            self._save(obj)
        finally:
            self._parts = None
        # The size of the value goes in front, so that load() can read exactly one pickle
        # from a file.
        parts[1] = (sum(map(len, parts)) - len(_MAGIC)).to_bytes(8, 'little')
        self._write(b''.join(parts))

    def _memoize(self, obj):
        self.memo[id(obj)] = len(self.memo)
        # Keep the object alive so that its id is not reused while the memo holds it.
        self._keep.append(obj)

    def _save(self, obj):
        parts = self._parts
        t = type(obj)
        if obj is None:
            parts.append(_NONE)
        elif obj is True:
            parts.append(_TRUE)
        elif obj is False:
            parts.append(_FALSE)
        elif t is int:
            data = _int_bytes(obj)
            parts.append(_INT + _u32(len(data)) + data)
        elif t is str:
            data = obj.encode('utf-8')
            parts.append(_STR + _u32(len(data)) + data)
        elif t is float:
            data = repr(obj).encode('ascii')
            parts.append(_FLOAT + _u32(len(data)) + data)
        elif t is bytes:
            parts.append(_BYTES + _u32(len(obj)) + obj)
        else:
            index = self.memo.get(id(obj))
            if index is not None:
                parts.append(_MEMO + _u32(index))
            elif t is tuple:
                parts.append(_TUPLE + _u32(len(obj)))
                for item in obj:
                    self._save(item)
            elif t is list:
                self._memoize(obj)
                parts.append(_LIST + _u32(len(obj)))
                for item in obj:
                    self._save(item)
            elif t is dict:
                self._memoize(obj)
                parts.append(_DICT + _u32(len(obj)))
                for key, value in obj.items():
                    self._save(key)
                    self._save(value)
            else:
                self._save_other(obj, t)

    def _save_other(self, obj, t):
        parts = self._parts
        if t is set:
            self._memoize(obj)
            parts.append(_SET + _u32(len(obj)))
            for item in obj:
                self._save(item)
        elif t is frozenset:
            parts.append(_FROZENSET + _u32(len(obj)))
            for item in obj:
                self._save(item)
        elif t is bytearray:
            self._memoize(obj)
            parts.append(_BYTEARRAY + _u32(len(obj)) + bytes(obj))
        else:
            reducer = None
            if self.dispatch_table is not None:
                reducer = self.dispatch_table.get(t)
            if reducer is None:
                reducer = dispatch_table.get(t)
            if reducer is not None:
                self._save_reduce(obj, reducer(obj))
            elif isinstance(obj, type) or type(obj).__name__ == 'function':
                self._save_global(obj)
            elif _is_builtin_callable(obj):
                owner = obj.__self__
                if owner is None or type(owner).__name__ == 'module':
                    self._save_global(obj)
                else:
                    self._save_reduce(obj, (getattr, (owner, obj.__name__)))
            else:
                self._save_reduce(obj, self._reduce(obj, t))

    def _reduce(self, obj, t):
        """What CPython's obj.__reduce_ex__(protocol) returns, for obj of type t."""
        reduce_ex = getattr(t, '__reduce_ex__', None)
        if reduce_ex is not None:
            return reduce_ex(obj, self.protocol)
        reduce = getattr(t, '__reduce__', None)
        if reduce is not None:
            return reduce(obj)
        name = t.__name__
        if name == 'method':
            return getattr, (obj.__self__, obj.__func__.__name__)
        if name == 'method_descriptor':
            return getattr, (obj.__objclass__, obj.__name__)
        if t is range:
            return range, (obj.start, obj.stop, obj.step)
        if t is slice:
            return slice, (obj.start, obj.stop, obj.step)
        if isinstance(obj, BaseException):
            state = obj.__dict__ or None
            return t, obj.args, state
        return self._reduce_object(obj, t)

    def _reduce_object(self, obj, t):
        # CPython's object.__reduce_ex__(2): copyreg.__newobj__(cls, *args) and a state.
        slotnames = []
        for klass in t.__mro__:
            slots = klass.__dict__.get('__slots__', ())
            if isinstance(slots, str):
                slots = (slots,)
            for slot in slots:
                if slot not in ('__dict__', '__weakref__') and slot not in slotnames:
                    slotnames.append(slot)
        has_dict = hasattr(obj, '__dict__')
        if (not has_dict and not slotnames and t is not object
                and not isinstance(obj, (list, dict, tuple, set, frozenset, int, float, str,
                                         bytes))) or t.__name__ == 'module':
            raise TypeError(f"cannot pickle {_type_name(t)!r} object")
        getnewargs = getattr(t, '__getnewargs__', None)
        if getnewargs is not None:
            args = tuple(getnewargs(obj))
        else:
            # CPython's immutable builtins define __getnewargs__ (their value); mini's do not.
            args = ()
            for base in (int, float, str, bytes, tuple, frozenset):
                if isinstance(obj, base):
                    args = (base(obj),)
                    break
        getstate = getattr(t, '__getstate__', None)
        if getstate is not None:
            state = getstate(obj)
        else:
            state = obj.__dict__ if has_dict and obj.__dict__ else None
            if slotnames:
                slots = {}
                for name in slotnames:
                    try:
                        slots[name] = getattr(obj, name)
                    except AttributeError:
                        pass
                if slots:
                    state = (state, slots)
        if isinstance(obj, set):
            # What CPython's set.__reduce__ returns.
            return t, (list(obj),), state
        listitems = iter(obj) if isinstance(obj, list) else None
        dictitems = iter(obj.items()) if isinstance(obj, dict) else None
        return _NEWOBJ, (t, args), state, listitems, dictitems

    def _save_reduce(self, obj, rv):
        parts = self._parts
        if isinstance(rv, str):
            self._save_global(obj, rv)
            return
        if not isinstance(rv, tuple):
            raise PicklingError("__reduce__ must return a string or tuple")
        if not 2 <= len(rv) <= 6:
            raise PicklingError("tuple returned by __reduce__ must contain 2 through 6 elements")
        func, args = rv[0], rv[1]
        state = rv[2] if len(rv) > 2 else None
        listitems = rv[3] if len(rv) > 3 else None
        dictitems = rv[4] if len(rv) > 4 else None
        if func is _NEWOBJ:
            cls, args = args
            parts.append(_NEWOBJ)
            self._save_global(cls)
        else:
            if not callable(func):
                raise PicklingError("first item of the tuple returned by __reduce__ must be "
                                    "callable")
            parts.append(_REDUCE)
            self._save(func)
        if not isinstance(args, tuple):
            raise PicklingError("second item of the tuple returned by __reduce__ must be a "
                                "tuple")
        self._save(args)
        self._memoize(obj)
        self._save(state)
        self._save(None if listitems is None else list(listitems))
        self._save(None if dictitems is None else list(dictitems))

    def _save_global(self, obj, name=None):
        if name is None:
            name = getattr(obj, '__qualname__', None)
        if name is None:
            name = obj.__name__
        module_name = _whichmodule(obj, name)
        try:
            __import__(module_name)
            module = sys.modules[module_name]
            obj2, parent = _getattribute(module, name)
        except (ImportError, KeyError, AttributeError):
            if '<locals>' in name.split('.'):
                raise AttributeError(f"Can't pickle local object {name!r}") from None
            raise PicklingError(
                "Can't pickle %r: attribute lookup %s on %s failed" %
                (obj, name, module_name)) from None
        if obj2 is not obj:
            raise PicklingError(
                "Can't pickle %r: it's not the same object as %s.%s" %
                (obj, module_name, name))
        module_data = module_name.encode('utf-8')
        name_data = name.encode('utf-8')
        self._parts.append(_GLOBAL + _u32(len(module_data)) + module_data +
                           _u32(len(name_data)) + name_data)


class Unpickler:
    """Reads pickled objects from a file (anything with read(n)), or from bytes (loads)."""

    def __init__(self, file, *, fix_imports=True, encoding="ASCII", errors="strict",
                 buffers=None):
        if not (hasattr(file, 'read') and hasattr(file, 'readline')):
            raise TypeError("file must have 'read' and 'readline' attributes")
        self._file_read = file.read
        self._data = None
        self.memo = {}

    def find_class(self, module, name):
        __import__(module)
        return _getattribute(sys.modules[module], name)[0]

    def load(self):
        """Read a pickled object representation from the open file."""
        header = len(_MAGIC) + 8
        data = self._data
        if data is None:
            data = self._file_read(header)
            if not data:
                raise EOFError("Ran out of input")
            if len(data) == header and data[:len(_MAGIC)] == _MAGIC:
                size = int.from_bytes(data[len(_MAGIC):], 'little')
                body = self._file_read(size)
                data += body
        elif not data:
            raise EOFError("Ran out of input")
        if data[:len(_MAGIC)] != _MAGIC:
            raise UnpicklingError("invalid load key, %r." % chr(data[0]))
        if len(data) < header:
            raise UnpicklingError("pickle data was truncated")
        end = header + int.from_bytes(data[len(_MAGIC):header], 'little')
        if len(data) < end:
            raise UnpicklingError("pickle data was truncated")
        self._buf = data
        self._pos = header
        self._end = end
        try:
            obj = self._load()
        except IndexError:
            raise UnpicklingError("pickle data was truncated") from None
        if self._pos != end:
            raise UnpicklingError("pickle data was truncated")
        return obj

    def _read(self, n):
        pos = self._pos
        self._pos = pos + n
        return self._buf[pos:pos + n]

    def _count(self):
        pos = self._pos
        self._pos = pos + 4
        return int.from_bytes(self._buf[pos:pos + 4], 'little')

    def _load(self):
        # The codes are compared as numbers (indexing bytes gives ints), the most frequent
        # first; lengths are read inline: this loop runs once per value.
        data = self._buf
        pos = self._pos
        if pos >= self._end:
            raise UnpicklingError("pickle data was truncated")
        code = data[pos]
        if code == _C_INT:
            start = pos + 5
            end = start + int.from_bytes(data[pos + 1:start], 'little')
            self._pos = end
            return int.from_bytes(data[start:end], 'little', signed=True)
        if code == _C_STR:
            start = pos + 5
            end = start + int.from_bytes(data[pos + 1:start], 'little')
            self._pos = end
            return data[start:end].decode('utf-8')
        if code == _C_NONE:
            self._pos = pos + 1
            return None
        if code == _C_TUPLE:
            self._pos = pos + 5
            load = self._load
            return tuple([load() for _ in range(int.from_bytes(data[pos + 1:pos + 5], 'little'))])
        if code == _C_LIST:
            self._pos = pos + 5
            result = []
            self.memo[len(self.memo)] = result
            append, load = result.append, self._load
            for _ in range(int.from_bytes(data[pos + 1:pos + 5], 'little')):
                append(load())
            return result
        if code == _C_DICT:
            self._pos = pos + 5
            result = {}
            self.memo[len(self.memo)] = result
            load = self._load
            for _ in range(int.from_bytes(data[pos + 1:pos + 5], 'little')):
                key = load()
                result[key] = load()
            return result
        if code == _C_FLOAT:
            start = pos + 5
            end = start + int.from_bytes(data[pos + 1:start], 'little')
            self._pos = end
            return float(data[start:end].decode('ascii'))
        if code == _C_TRUE:
            self._pos = pos + 1
            return True
        if code == _C_FALSE:
            self._pos = pos + 1
            return False
        if code == _C_MEMO:
            self._pos = pos + 5
            index = int.from_bytes(data[pos + 1:pos + 5], 'little')
            try:
                return self.memo[index]
            except KeyError:
                raise UnpicklingError("Memo value not found at index %d" % index) from None
        self._pos = pos + 1
        if code == _C_BYTES:
            return self._read(self._count())
        if code == _C_BYTEARRAY:
            result = bytearray(self._read(self._count()))
            self.memo[len(self.memo)] = result
            return result
        if code == _C_SET:
            result = set()
            self.memo[len(self.memo)] = result
            for _ in range(self._count()):
                result.add(self._load())
            return result
        if code == _C_FROZENSET:
            return frozenset([self._load() for _ in range(self._count())])
        if code == _C_GLOBAL:
            return self._load_global()
        if code == _C_REDUCE or code == _C_NEWOBJ:
            return self._load_reduce(code)
        raise UnpicklingError("invalid load key, %r." % chr(code))

    def _load_global(self):
        module = self._read(self._count()).decode('utf-8')
        name = self._read(self._count()).decode('utf-8')
        return self.find_class(module, name)

    def _load_reduce(self, code):
        if code == _C_NEWOBJ:
            if self._read(1) != _GLOBAL:
                raise UnpicklingError("NEWOBJ class argument isn't a global")
            cls = self._load_global()
            args = self._load()
            obj = cls.__new__(cls, *args)
        else:
            func = self._load()
            args = self._load()
            obj = func(*args)
        self.memo[len(self.memo)] = obj
        state = self._load()
        listitems = self._load()
        dictitems = self._load()
        if listitems:
            extend = getattr(obj, 'extend', None)
            if extend is not None:
                extend(listitems)
            else:
                for item in listitems:
                    obj.append(item)
        if dictitems:
            for key, value in dictitems:
                obj[key] = value
        if state is not None:
            setstate = getattr(obj, '__setstate__', None)
            if setstate is not None:
                setstate(state)
            else:
                slotstate = None
                if isinstance(state, tuple) and len(state) == 2:
                    state, slotstate = state
                if state:
                    obj.__dict__.update(state)
                if slotstate:
                    for key, value in slotstate.items():
                        setattr(obj, key, value)
        return obj


class _BytesSink:
    # What dumps() gives Pickler as a file, and loads() Unpickler (which reads from its
    # _data directly).
    def __init__(self):
        self.data = b''

    def write(self, data):
        self.data = data

    def read(self, n):
        return b''

    def readline(self):
        return b''


def dump(obj, file, protocol=None, *, fix_imports=True, buffer_callback=None):
    """Write a pickled representation of obj to the open file object file."""
    Pickler(file, protocol).dump(obj)


def dumps(obj, protocol=None, *, fix_imports=True, buffer_callback=None):
    """Return the pickled representation of the object as a bytes object."""
    sink = _BytesSink()
    Pickler(sink, protocol).dump(obj)
    return sink.data


def load(file, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None):
    """Read and return an object from the pickle data stored in a file."""
    return Unpickler(file).load()


def loads(data, /, *, fix_imports=True, encoding="ASCII", errors="strict", buffers=None):
    """Read and return an object from the given pickle data."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("a bytes-like object is required, not '%s'" % type(data).__name__)
    unpickler = Unpickler(_BytesSink())
    unpickler._data = bytes(data)
    return unpickler.load()
