# mini's asyncio: a compact, pure-Python version of CPython 3.11's package. The event loop
# (events.py) is select()-based; Future, Task and the helpers follow CPython's code.

import sys

from .coroutines import *
from .events import *
from .exceptions import *
from .futures import *
from .locks import *
from .queues import *
from .runners import *
from .tasks import *
from .threads import *
from .timeouts import *

__all__ = (coroutines.__all__ +
           events.__all__ +
           exceptions.__all__ +
           futures.__all__ +
           locks.__all__ +
           queues.__all__ +
           runners.__all__ +
           tasks.__all__ +
           threads.__all__ +
           timeouts.__all__)
