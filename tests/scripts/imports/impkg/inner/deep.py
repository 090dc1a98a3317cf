# Helper module two levels down, with relative imports going up.
from .. import sub
from ..sub import sub_func
from . import inner_value
deep_value = "deep"


def beyond():
    # Three levels up from impkg.inner.deep is above the top-level package.
    from ... import anything
    return anything
