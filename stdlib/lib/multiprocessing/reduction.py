#
# Module which deals with pickling of objects.
#
# multiprocessing/reduction.py
#
# Copyright (c) 2006-2008, R Oudkerk
# Licensed to PSF under a Contributor Agreement.
#
"""How multiprocessing turns objects into bytes for pipes and queues.

A part of CPython 3.11's Lib/multiprocessing/reduction.py, over mini's pickle subset
(stdlib/lib/pickle.py): ForkingPickler with its register(), dumps() and loads(), and dump().
What changed: no file-descriptor passing (DupFd, sendfds, recvfds) and no reducers for
sockets or connections: with fork, a child inherits what it needs.
"""

import pickle

__all__ = ['send_handle', 'recv_handle', 'ForkingPickler', 'register', 'dump']

HAVE_SEND_HANDLE = False

#
# Pickler subclass
#

class ForkingPickler(pickle.Pickler):
    '''Pickler subclass used by multiprocessing.'''
    _extra_reducers = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispatch_table = self._extra_reducers

    @classmethod
    def register(cls, type, reduce):
        '''Register a reduce function for a type.'''
        cls._extra_reducers[type] = reduce

    @classmethod
    def dumps(cls, obj, protocol=None):
        sink = _Sink()
        cls(sink, protocol).dump(obj)
        return sink.data

    loads = pickle.loads

register = ForkingPickler.register


class _Sink:
    data = b''

    def write(self, data):
        self.data = data


def dump(obj, file, protocol=None):
    '''Replacement for pickle.dump() using ForkingPickler.'''
    ForkingPickler(file, protocol).dump(obj)


def send_handle(conn, handle, destination_pid):
    raise NotImplementedError('mini cannot send file descriptors between processes')


def recv_handle(conn):
    raise NotImplementedError('mini cannot send file descriptors between processes')
