# Helper submodule of impkg that is not imported by the package's __init__.
print("impkg.other: running")
other_value = "other"
from .sub import sub_value as sv
from . import pkg_value
