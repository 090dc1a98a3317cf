"""signal for mini: set handlers for asynchronous events.

This is the shape of CPython 3.11's Lib/signal.py: the C module _signal (stdlib/signal.c) does
the work, and this module re-exports it, wrapping signal() and getsignal() in Python functions
as CPython does (so their argument errors read the same). CPython's wrappers also turn the
numbers into the members of the IntEnums Signals and Handlers; mini has no enum module yet, so
signal numbers, SIG_DFL (0) and SIG_IGN (1) stay plain ints, equal to CPython's members.
"""

import _signal
from _signal import *


def _enum_to_int(value):
    """Convert an IntEnum member to a numeric value.
    If it's not an IntEnum member return the value itself.
    """
    try:
        return int(value)
    except (ValueError, TypeError):
        return value


def signal(signalnum, handler):
    return _signal.signal(_enum_to_int(signalnum), _enum_to_int(handler))


signal.__doc__ = _signal.signal.__doc__


def getsignal(signalnum):
    return _signal.getsignal(signalnum)


getsignal.__doc__ = _signal.getsignal.__doc__


def valid_signals():
    return _signal.valid_signals()


valid_signals.__doc__ = _signal.valid_signals.__doc__
