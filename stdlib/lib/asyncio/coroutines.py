# Coroutine tests (CPython 3.11's asyncio/coroutines.py without the inspect module): the
# coroutine and generator types are taken from a throwaway instance of each.

__all__ = ('iscoroutinefunction', 'iscoroutine')


async def _coro_sample():
    pass


def _gen_sample():
    yield


_sample = _coro_sample()
_CoroutineType = type(_sample)
_sample.close()
_GeneratorType = type(_gen_sample())
del _sample

# CO_COROUTINE, the code flag of an async def.
_CO_COROUTINE = 0x0080


def iscoroutinefunction(func):
    """Return True if func is a coroutine function (an async def)."""
    while hasattr(func, 'func') and hasattr(func, 'args'):
        func = func.func  # A functools.partial.
    func = getattr(func, '__func__', func)
    code = getattr(func, '__code__', None)
    return (code is not None and bool(code.co_flags & _CO_COROUTINE)) or \
        getattr(func, '_is_coroutine', None) is _is_coroutine


# A marker that functions may carry to be treated as coroutine functions.
_is_coroutine = object()


def iscoroutine(obj):
    """Return True if obj is a coroutine object."""
    return isinstance(obj, _CoroutineType)


def _isgenerator(obj):
    return isinstance(obj, _GeneratorType)


def _isawaitable(obj):
    return isinstance(obj, _CoroutineType) or hasattr(type(obj), '__await__')
